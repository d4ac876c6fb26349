#!/bin/bash
# End to end: the registry: transport against Debian's docker-registry on
# 127.0.0.1 (one open, one with htpasswd basic auth), images pushed with
# skopeo from OCI layouts built by tests/tools/mkimage.py.  The SBOM read
# from the registry must equal the SBOM of the same layout, for both
# platforms of a two-platform index.  Fails without docker-registry, skopeo
# or htpasswd (scripts/setup-deps.sh installs them).
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
for tool in docker-registry skopeo htpasswd; do
	command -v $tool >/dev/null 2>&1 || { echo "FAIL - $tool is not installed (scripts/setup-deps.sh)"; exit 1; }
done
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
export HOME=$T/home DOCKER_CONFIG=$T/docker; mkdir -p "$HOME" "$DOCKER_CONFIG"
unset STOWAWAY_REGISTRY_USERNAME STOWAWAY_REGISTRY_PASSWORD

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# start_registry NAME [htpasswd-file] -> sets PORT
start_registry() {
	local name=$1 auth=${2:-} cfg=$T/$1.yml
	PORT=$(free_port)
	{
		printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\n' "$T/$name-data"
		printf 'http:\n  addr: 127.0.0.1:%s\n' "$PORT"
		[ -n "$auth" ] && printf 'auth:\n  htpasswd:\n    realm: test-realm\n    path: %s\n' "$auth"
	} > "$cfg"
	docker-registry serve "$cfg" > "$T/$name.log" 2>&1 &
	PIDS+=($!)
	# wait for its /v2/ to answer (401 from the auth one counts), up to 10 s
	python3 - "$PORT" <<'PY' && return 0
import sys, time, urllib.error, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen("http://127.0.0.1:%s/v2/" % sys.argv[1], timeout=1)
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit(1)
PY
	echo "FAIL - docker-registry did not start: $(tail -3 "$T/$name.log")"; exit 1
}

# fixture trees: an Alpine-like amd64 image and a Debian-like arm64 one
mk_apk() { mkdir -p $1/lib/apk/db $1/etc
	printf 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n' > $1/etc/os-release
	printf 'P:musl\nV:1.2.4-r2\nA:%s\nL:MIT\no:musl\n\nP:busybox\nV:1.36.1-r15\nA:%s\nL:GPL-2.0-only\no:busybox\n\n' $2 $2 > $1/lib/apk/db/installed; }
mk_npm() { mkdir -p $1/app/node_modules/left-pad
	printf '{"name":"left-pad","version":"1.3.0","license":"WTFPL"}' > $1/app/node_modules/left-pad/package.json; }
mk_apk $T/a0 x86_64; mk_npm $T/a1
mk_apk $T/b0 aarch64; mkdir -p $T/b1/app/node_modules/kept
printf '{"name":"kept","version":"2.0.0"}' > $T/b1/app/node_modules/kept/package.json
$MKIMAGE --format oci -o $T/single --tag v1 --compression gzip,zstd $T/a0 $T/a1 || { bad "mkimage single"; exit 1; }
$MKIMAGE --format oci -o $T/multi --tag v2 --nested-index --index linux/amd64=$T/a0,$T/a1 --index linux/arm64=$T/b0,$T/b1 ||
	{ bad "mkimage multi"; exit 1; }

start_registry open; OPEN=$PORT
htpasswd -Bbc $T/htpasswd alice s3cret >/dev/null 2>&1
start_registry basic $T/htpasswd; BASIC=$PORT

SK="skopeo --insecure-policy copy -q --dest-tls-verify=false"
$SK oci:$T/single:v1 docker://127.0.0.1:$OPEN/app/single:v1 || { bad "skopeo copy"; exit 1; }
$SK --all oci:$T/multi:v2 docker://127.0.0.1:$OPEN/app/multi:v2 || { bad "skopeo copy --all"; exit 1; }
$SK --dest-creds alice:s3cret oci:$T/single:v1 docker://127.0.0.1:$BASIC/priv/single:v1 ||
	{ bad "skopeo copy to the basic-auth registry"; exit 1; }

pkgs() { python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(json.dumps(sorted((p["type"], p["name"], p["version"], p.get("layer", {}).get("index")) for p in d["packages"])))' "$1"; }

same_sbom() { # label registry-ref layout-ref [args...]
	local label=$1 rref=$2 lref=$3; shift 3
	if ! "$STOWAWAY" sbom -q -f json "$@" "$rref" > $T/r.json 2> $T/r.err; then
		bad "$label: sbom from the registry failed: $(cat $T/r.err)"; return
	fi
	"$STOWAWAY" sbom -q -f json "$@" "$lref" > $T/l.json 2> $T/l.err || { bad "$label: layout: $(cat $T/l.err)"; return; }
	local a b; a=$(pkgs $T/r.json); b=$(pkgs $T/l.json)
	if [ "$a" = "$b" ] && [ "$a" != "[]" ]; then ok "$label"; else bad "$label: registry $a != layout $b"; fi
}

same_sbom "single image by reference" registry:127.0.0.1:$OPEN/app/single:v1 oci:$T/single:v1 --plain-http
same_sbom "bare reference (no registry: prefix)" 127.0.0.1:$OPEN/app/single:v1 oci:$T/single:v1 --plain-http
same_sbom "two-platform image, linux/amd64" registry:127.0.0.1:$OPEN/app/multi:v2 oci:$T/multi:v2 --plain-http --platform linux/amd64
same_sbom "two-platform image, linux/arm64" registry:127.0.0.1:$OPEN/app/multi:v2 oci:$T/multi:v2 --plain-http --platform linux/arm64
grep -q '"kept"' $T/r.json && ! grep -q '"left-pad"' $T/r.json && ok "arm64 has its own packages" || bad "arm64 packages"
dg=$(skopeo inspect --raw --tls-verify=false docker://127.0.0.1:$OPEN/app/single:v1 | sha256sum | cut -d' ' -f1)
same_sbom "by digest" registry:127.0.0.1:$OPEN/app/single@sha256:$dg oci:$T/single:v1 --plain-http

# errors naming the reference
out=$("$STOWAWAY" sbom -q --plain-http registry:127.0.0.1:$OPEN/app/single:nope 2>&1); rc=$?
[ $rc = 2 ] && [[ $out == *"127.0.0.1:$OPEN/app/single:nope"* ]] && [[ $out == *"not found (HTTP 404"* ]] &&
	ok "unknown tag: $out" || bad "unknown tag (rc $rc): $out"
out=$("$STOWAWAY" sbom -q --plain-http --platform linux/s390x registry:127.0.0.1:$OPEN/app/multi:v2 2>&1); rc=$?
[ $rc = 2 ] && [[ $out == *"no image for platform 'linux/s390x'"* ]] && [[ $out == *"linux/arm64"* ]] &&
	ok "missing platform" || bad "missing platform (rc $rc): $out"
out=$("$STOWAWAY" sbom -q registry:127.0.0.1:$OPEN/app/single:v1 2>&1); rc=$?
[ $rc = 2 ] && [[ $out == *"127.0.0.1:$OPEN/app/single:v1"* ]] && ok "https to a plain http registry fails: $out" ||
	bad "https to plain http (rc $rc): $out"

# basic auth: none, wrong, --password-stdin, environment, docker config auths, credential helper
R=registry:127.0.0.1:$BASIC/priv/single:v1
out=$("$STOWAWAY" sbom -q --plain-http $R 2>&1); rc=$?
[ $rc = 2 ] && [[ $out == *"needs credentials"* ]] && [[ $out == *"priv/single:v1"* ]] && ok "basic: no credentials" ||
	bad "basic: no credentials (rc $rc): $out"
out=$(echo wrong | "$STOWAWAY" sbom -q --plain-http --username alice --password-stdin $R 2>&1); rc=$?
[ $rc = 2 ] && [[ $out == *"refused the credentials"* ]] && ok "basic: wrong password" || bad "basic: wrong password (rc $rc): $out"
out=$("$STOWAWAY" sbom -q --plain-http --password-stdin $R 2>&1 </dev/null); rc=$?
[ $rc = 64 ] && ok "--password-stdin without --username is a usage error" || bad "--password-stdin alone (rc $rc): $out"
echo s3cret | same_sbom "basic: --username --password-stdin" $R oci:$T/single:v1 --plain-http --username alice --password-stdin
STOWAWAY_REGISTRY_USERNAME=alice STOWAWAY_REGISTRY_PASSWORD=s3cret same_sbom "basic: environment" $R oci:$T/single:v1 --plain-http
printf '{"auths":{"127.0.0.1:%s":{"auth":"%s"}}}' $BASIC "$(printf alice:s3cret | base64)" > $DOCKER_CONFIG/config.json
same_sbom "basic: docker config auths" $R oci:$T/single:v1 --plain-http
mkdir -p $T/bin
printf '#!/bin/sh\nread server\n[ "$server" = "127.0.0.1:%s" ] || exit 1\necho "{\\"Username\\":\\"alice\\",\\"Secret\\":\\"s3cret\\"}"\n' $BASIC > $T/bin/docker-credential-sw-test
chmod +x $T/bin/docker-credential-sw-test
printf '{"credHelpers":{"127.0.0.1:%s":"sw-test"}}' $BASIC > $DOCKER_CONFIG/config.json
PATH=$T/bin:$PATH same_sbom "basic: credential helper" $R oci:$T/single:v1 --plain-http
printf '{"credsStore":"sw-missing"}' > $DOCKER_CONFIG/config.json
out=$("$STOWAWAY" sbom -q --plain-http $R 2>&1); rc=$?
[ $rc = 2 ] && [[ $out == *"docker-credential-sw-missing"* ]] && ok "missing credential helper named" ||
	bad "missing credential helper (rc $rc): $out"
rm -f $DOCKER_CONFIG/config.json

echo "$fails failure(s)"
[ $fails = 0 ]
