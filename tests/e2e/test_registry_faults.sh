#!/bin/bash
# End to end: the registry: transport against tests/tools/fakeregistry.py on
# 127.0.0.1: a bearer-token flow (challenge, token endpoint, scope, refresh)
# and faults: a blob with a wrong digest, 429 then success, a connection cut
# mid-blob (resumed with Range), a registry ignoring Range, a missing
# manifest, a token endpoint that refuses, schema 1, a manifest or config
# trickled at 2 bytes/s, a layer longer than its descriptor.  Each case checks the
# exit code and the message.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
FAKE="python3 $SW_SOURCE_DIR/tests/tools/fakeregistry.py"
T=$(mktemp -d)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
export HOME=$T/home DOCKER_CONFIG=$T/docker STOWAWAY_REGISTRY_BACKOFF_MS=50 STOWAWAY_REGISTRY_TIMEOUT=10
mkdir -p "$HOME" "$DOCKER_CONFIG"
unset STOWAWAY_REGISTRY_USERNAME STOWAWAY_REGISTRY_PASSWORD

L=$T/l0; mkdir -p $L/lib/apk/db $L/etc
printf 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n' > $L/etc/os-release
printf 'P:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\no:musl\n\n' > $L/lib/apk/db/installed
# a bigger second layer so a cut happens inside the stream
L1=$T/l1; mkdir -p $L1/data; head -c 300000 /dev/urandom > $L1/data/blob.bin
$MKIMAGE --format oci -o $T/img --tag v1 $L $L1 || { bad "mkimage"; exit 1; }

N=0
# serve FAULT... -> sets REF and LOG
serve() {
	N=$((N + 1))
	LOG=$T/log$N; : > $LOG
	$FAKE --layout $T/img --repo team/app --port-file $T/port$N --log $LOG --lifetime 60 \
		$(for f in "$@"; do printf -- '--fault %s ' "$f"; done) 2> $T/fake$N.err &
	PIDS+=($!)
	for _ in $(seq 100); do [ -s $T/port$N ] && break; sleep 0.05; done
	[ -s $T/port$N ] || { bad "fake registry did not start: $(cat $T/fake$N.err)"; exit 1; }
	REF=registry:127.0.0.1:$(cat $T/port$N)/team/app
}
run() { OUT=$("$STOWAWAY" sbom -q -f json --plain-http "$@" 2>$T/err); RC=$?; ERR=$(cat $T/err); }
has_musl() { [[ $OUT == *'"musl"'* ]]; }

serve
run $REF:v1
[ $RC = 0 ] && has_musl && ok "anonymous" || bad "anonymous (rc $RC): $ERR"

serve bearer
run $REF:v1
[ $RC = 0 ] && has_musl && grep -q '^GET /token?scope=repository%3Ateam%2Fapp%3Apull&service=fake 200' $LOG &&
	[ "$(grep -c '^GET /token' $LOG)" = 1 ] && ok "bearer token flow (one token, reused)" || bad "bearer (rc $RC): $ERR $(cat $LOG)"

serve token-expire
run $REF:v1
[ $RC = 0 ] && has_musl && [ "$(grep -c '^GET /token' $LOG)" -ge 2 ] && ok "expired token refreshed on 401" ||
	bad "token refresh (rc $RC): $ERR $(cat $LOG)"

serve token-refuse
run $REF:v1
[ $RC = 2 ] && [[ $ERR == *"/team/app:v1"* ]] && [[ $ERR == *"token endpoint"*"refused anonymous access: HTTP 403"* ]] &&
	ok "token endpoint refuses: $ERR" || bad "token refuse (rc $RC): $ERR"

serve
run $REF:nope
[ $RC = 2 ] && [[ $ERR == *"/team/app:nope': manifest 'nope' not found (HTTP 404 (MANIFEST_UNKNOWN))"* ]] &&
	ok "missing manifest: $ERR" || bad "missing manifest (rc $RC): $ERR"
run registry:127.0.0.1:$(cat $T/port$N)/team/other:v1
[ $RC = 2 ] && [[ $ERR == *"team/other:v1"*"not found"* ]] && ok "unknown repository" || bad "unknown repository (rc $RC): $ERR"

serve wrong-digest
run $REF:v1
[ $RC = 2 ] && [[ $ERR == *"/team/app:v1"*"layer "* ]] && [[ $ERR == *"digest"* ]] &&
	ok "blob with a wrong digest: $ERR" || bad "wrong digest (rc $RC): $ERR"

serve 429
start=$(date +%s)
run $REF:v1
[ $RC = 0 ] && has_musl && grep -q ' 429 ' $LOG && [ $(( $(date +%s) - start )) -ge 1 ] &&
	ok "429 then success (Retry-After honoured)" || bad "429 (rc $RC): $ERR $(cat $LOG)"

serve cut
run $REF:v1
[ $RC = 0 ] && has_musl && grep -q ' cut -' $LOG && grep -Eq '^GET /v2/team/app/blobs/sha256:[0-9a-f]+ 206 bytes=[1-9][0-9]*-' $LOG &&
	ok "connection cut mid-blob, resumed with Range" || bad "cut (rc $RC): $ERR $(cat $LOG)"

serve cut no-range
run $REF:v1
[ $RC = 2 ] && [[ $ERR == *"/team/app:v1"*"tries"* ]] && ok "cut with no Range support gives up: $ERR" ||
	bad "cut no-range (rc $RC): $ERR"

serve schema1
run $REF:v1
[ $RC = 2 ] && [[ $ERR == *"schema 1"* ]] && [[ $ERR == *"/team/app:v1"* ]] && ok "schema 1 refused: $ERR" ||
	bad "schema1 (rc $RC): $ERR"

run registry:127.0.0.1:1/team/app:v1
[ $RC = 2 ] && [[ $ERR == *"127.0.0.1:1/team/app:v1"* ]] && [[ $ERR == *"tries"* ]] && ok "connection refused, retried: $ERR" ||
	bad "connection refused (rc $RC): $ERR"
run 'registry:127.0.0.1:1/Team/App:v1'
[ $RC = 2 ] && [[ $ERR == *"bad repository name"* ]] && ok "bad reference" || bad "bad reference (rc $RC): $ERR"

# hostile registries must not hold a scan forever (each run under `timeout`:
# a regression fails instead of hanging)
slow_run() { start=$SECONDS; OUT=$(STOWAWAY_REGISTRY_SMALL_TIMEOUT=3 timeout 60 "$STOWAWAY" sbom -q -f json --plain-http "$@" 2>$T/err); RC=$?; ERR=$(cat $T/err); took=$((SECONDS - start)); }
serve slow-manifest
slow_run $REF:v1
[ $RC = 2 ] && [[ $ERR == *"manifest 'v1': not received within 3 s"* ]] && [ $took -lt 30 ] &&
	ok "manifest at 2 bytes/s: stopped by the total deadline in ${took} s" || bad "slow manifest (rc $RC, ${took} s): $ERR"
serve slow-config
slow_run $REF:v1
[ $RC = 2 ] && [[ $ERR == *"blob 'sha256:"*"not received within 3 s"* ]] && [ $took -lt 30 ] &&
	ok "config at 2 bytes/s: stopped in ${took} s" || bad "slow config (rc $RC, ${took} s): $ERR"
serve long-layer
slow_run $REF:v1
[ $RC = 2 ] && [[ $ERR == *"the registry sent more than the "*" bytes its descriptor declares"* ]] &&
	ok "layer longer than its descriptor: stopped at the declared size" || bad "long layer (rc $RC, ${took} s): $ERR"

echo "$fails failure(s)"
[ $fails = 0 ]
