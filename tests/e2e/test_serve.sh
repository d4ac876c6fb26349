#!/bin/bash
# End to end: `stowaway serve` on a free loopback port, driven with curl.
# - tokens: none/wrong -> 401, too small a scope -> 403, /healthz and /readyz open;
# - a docker-archive and an oci-archive built here, and a registry image
#   (Debian's docker-registry on loopback), submitted, polled to done, their
#   findings checked against the advisories planted here;
# - resubmitting a known image re-uses the stored inventory (no layer read);
# - a registry that is down: the job fails with the reason, no image is
#   stored; once the registry is up the next submission (same job) and
#   POST .../retry succeed;
# - a database update adding an advisory: the server re-matches the stored
#   inventories by itself (no image read, no job) and the new finding shows
#   in "which images" and in the report history; POST /api/v1/rematch;
# - every --format; bad requests (malformed JSON, unknown member, wrong
#   content type, huge body, unknown route, wrong method) -> clear 4xx and
#   the server keeps running;
# - Harbor's adapter API: metadata -> scan -> 302 + Refresh-After while the
#   scan waits -> report in each MIME type, validated against the spec's
#   schemas (../shared/data/specs);
# - SIGTERM during a scan: the scan is put back to pending, the server exits 0,
#   and after a restart the job runs again; kill -9 during a scan: the job is
#   claimed again once the dead server's lease expires;
# - TLS with a certificate made here; every log line is one JSON object.
# SW_TEST_STORE picks the store: sqlite (the default: a file in the test's
# folder) or postgres (a cluster of the test's own, tests/e2e/pg_lib.sh;
# ctest runs both: e2e/test_serve and e2e/test_serve_postgres).
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}" "${SW_SHARED_DATA:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
HVALID="python3 $SW_SOURCE_DIR/tests/tools/harbor_validate.py"
SPEC11=$SW_SHARED_DATA/specs/goharbor-pluggable-scanner-spec_api_spec_scanner-adapter-openapi-v1.1.yaml
SPEC12=$SW_SHARED_DATA/specs/goharbor-pluggable-scanner-spec_api_spec_scanner-adapter-openapi-v1.2.yaml
for f in "$SPEC11" "$SPEC12"; do [ -f "$f" ] || { echo "FAIL - missing $f (shared data)"; exit 1; }; done
for tool in docker-registry skopeo curl openssl; do
	command -v $tool >/dev/null 2>&1 || { echo "FAIL - $tool is not installed (scripts/setup-deps.sh)"; exit 1; }
done
T=$(mktemp -d)
PIDS=()
SRV=
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	[ -n "$SRV" ] && wait "$SRV" 2>/dev/null
	declare -F pg_stop >/dev/null && pg_stop
	rm -rf "$T"
}
trap cleanup EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
export HOME=$T/home DOCKER_CONFIG=$T/docker STOWAWAY_REGISTRY_BACKOFF_MS=0; mkdir -p "$HOME" "$DOCKER_CONFIG"
unset STOWAWAY_REGISTRY_USERNAME STOWAWAY_REGISTRY_PASSWORD
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { # URL [curl args] - up to 10 s for any HTTP answer
	for _ in $(seq 100); do curl -s -o /dev/null -m 1 "$@" && return 0; sleep 0.1; done; return 1; }
start_registry() { # NAME PORT
	local cfg=$T/$1.yml
	printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
		"$T/$1-data" "$2" > "$cfg"
	docker-registry serve "$cfg" > "$T/$1.log" 2>&1 &
	PIDS+=($!)
	wait_http "http://127.0.0.1:$2/v2/" || { echo "FAIL - docker-registry did not start"; exit 1; }
}

# ---- advisories and the database ----
mkdir -p $T/adv/osv
cat > $T/adv/debian.json <<'J'
{"openssl": {"CVE-2024-1001": {"description": "openssl fixed upstream", "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.13-1~deb12u1", "urgency": "high", "repositories": {"bookworm": "3.0.13-1~deb12u1"}}}}}}
J
cat > $T/adv/osv/GHSA-lpad.json <<'J'
{"id": "GHSA-lpad-lpad-lpad", "modified": "2024-05-01T00:00:00Z", "aliases": ["CVE-2024-2002"],
 "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}],
 "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.1"}]}]}],
 "database_specific": {"severity": "LOW", "cwe_ids": ["CWE-400"]}}
J
DB=$T/db.sqlite
"$STOWAWAY" db update -q --db $DB --source debian=$T/adv/debian.json --source osv=$T/adv/osv 2>$T/upd.err ||
	{ echo "FAIL - db update: $(cat $T/upd.err)"; exit 1; }

# ---- images ----
L0=$T/l0
mkdir -p $L0/etc $L0/var/lib/dpkg $L0/app/node_modules/left-pad
printf 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' > $L0/etc/os-release
printf 'Package: libssl3\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u2\nSource: openssl\nArchitecture: amd64\n\n' > $L0/var/lib/dpkg/status
printf '{"name":"left-pad","version":"1.3.0"}' > $L0/app/node_modules/left-pad/package.json
$MKIMAGE --format docker-archive -o $T/img.tar $L0 || { echo "FAIL - mkimage docker-archive"; exit 1; }
$MKIMAGE --format oci-archive -o $T/img-oci.tar $L0 || { echo "FAIL - mkimage oci-archive"; exit 1; }
$MKIMAGE --format oci -o $T/layout --tag v1 $L0 || { echo "FAIL - mkimage oci"; exit 1; }

# ---- the server ----
case ${SW_TEST_STORE:=sqlite} in
sqlite) STORE=$T/store.sqlite ;;
postgres) . "$SW_SOURCE_DIR/tests/e2e/pg_lib.sh"; pg_start; STORE=$PG_URL ;;
*) echo "FAIL - SW_TEST_STORE=$SW_TEST_STORE: want sqlite or postgres"; exit 1 ;;
esac
echo "# store: $SW_TEST_STORE"
store_has() { # STRING: is it anywhere in the store's bytes?
	if [ "$SW_TEST_STORE" = sqlite ]; then grep -qa -- "$1" $STORE*
	else pg_as "$PG_BIN/pg_dump" -h "$PG_DIR" -p "$PG_PORT" -U postgres stowaway | grep -qa -- "$1"; fi
}
PORT=$(free_port)
U=http://127.0.0.1:$PORT
ADMIN=$("$STOWAWAY" serve token create --scope admin --store $STORE admin 2>$T/tok.err)
READ=$("$STOWAWAY" serve token create --scope read --store $STORE reader 2>>$T/tok.err)
SCAN=$("$STOWAWAY" serve token create --scope scan --store $STORE ci 2>>$T/tok.err)
[[ $ADMIN == sw_* && $READ == sw_* && $SCAN == sw_* ]] && grep -q "shown only this once" $T/tok.err &&
	ok "serve token create prints a token once" || bad "token create: '$ADMIN' $(cat $T/tok.err)"
store_has "${ADMIN:12}" && bad "the clear token is in the store" || ok "the store holds no clear token"
"$STOWAWAY" serve token create --scope root --store $STORE x >/dev/null 2>$T/e; rc=$?
[ $rc = 64 ] && grep -q "unknown scope 'root'" $T/e && ok "unknown scope: usage error" || bad "unknown scope: rc $rc $(cat $T/e)"

start_server() { # extra args
	"$STOWAWAY" serve --listen 127.0.0.1:$PORT --store $STORE --db $DB --db-poll 1 --lease 5 "$@" 2>>$T/server.log &
	SRV=$!
	wait_http $U/healthz || { echo "FAIL - the server did not start: $(tail -3 $T/server.log)"; exit 1; }
}
start_server --workers 1 --grace 1

CODE=; BODY=$T/body; HDRS=$T/hdrs
api() { # METHOD PATH TOKEN [curl args...]
	local m=$1 p=$2 tok=$3; shift 3
	local auth=()
	[ -n "$tok" ] && auth=(-H "Authorization: Bearer $tok")
	CODE=$(curl -s -m 20 -o $BODY -D $HDRS -w '%{http_code}' -X "$m" "${auth[@]}" "$@" "$U$p")
}
# field KEY: the value of "KEY" in the (compact, flat) JSON answer, without python
field() { sed -n 's/.*"'"$1"'":"\{0,1\}\([^",}]*\).*/\1/p' $BODY | head -1; }
jq_() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' $BODY "$1" 2>/dev/null; }
submit() { # JSON -> JOB
	api POST /api/v1/scans $SCAN -H 'Content-Type: application/json' -d "$1"
	JOB=$(field id)
}
wait_job() { # ID STATE... -> waits up to 30 s until the job's state is one of them
	local id=$1; shift
	for _ in $(seq 300); do
		api GET /api/v1/scans/$id $READ
		local st w; st=$(field state)
		for w in "$@"; do [ "$st" = "$w" ] && return 0; done
		sleep 0.1
	done
	return 1
}

# ---- health and tokens ----
api GET /healthz ""; [ "$CODE" = 200 ] && ok "/healthz without a token" || bad "/healthz: $CODE"
api GET /readyz ""; [ "$CODE" = 200 ] && ok "/readyz without a token" || bad "/readyz: $CODE"
api GET /api/v1/images ""
[ "$CODE" = 401 ] && grep -q '"error"' $BODY && grep -qi '^WWW-Authenticate: Bearer' $HDRS && ok "no token: 401" || bad "no token: $CODE"
api GET /api/v1/images "sw_000000000000000000000000000000000000000000000000"; [ "$CODE" = 401 ] && ok "wrong token: 401" || bad "wrong token: $CODE"
api GET /api/v1/images "${ADMIN%?}x"; [ "$CODE" = 401 ] && ok "altered token: 401" || bad "altered token: $CODE"
api POST /api/v1/scans $READ -H 'Content-Type: application/json' -d '{"image":"docker-archive:/x"}'
[ "$CODE" = 403 ] && ok "read token cannot submit: 403" || bad "read token submit: $CODE"
api POST /api/v1/rematch $SCAN; [ "$CODE" = 403 ] && ok "scan token cannot rematch: 403" || bad "scan token rematch: $CODE"
for route in /api/v1/scans/1 /api/v1/images/sha256:x /api/v1/vulnerabilities/CVE-1/images /api/v1/metadata /metrics; do
	api GET $route ""; [ "$CODE" = 401 ] || bad "$route without a token: $CODE"
done
ok "every route but health refuses a missing token"

# ---- docker-archive ----
submit "{\"image\":\"docker-archive:$T/img.tar\"}"
if [ "$CODE" = 202 ] && grep -qi "^Location: /api/v1/scans/$JOB" $HDRS; then ok "submit: 202 with Location"; else bad "submit: $CODE $(cat $BODY)"; fi
J1=$JOB
wait_job $J1 done && ok "docker-archive scan done" || bad "docker-archive scan: $(cat $BODY)"
DIG=$(jq_ 'd["digest"]')
[ "$(jq_ 'd["inventory_reused"]')" = False ] && ok "first scan read the image" || bad "first scan: $(cat $BODY)"
api GET /api/v1/images/$DIG $READ
finds() { python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(sorted("%s:%s:%s:%s" % (v["id"], v["package"]["name"], v["installedVersion"], v["fixedVersion"]) for v in d["vulnerabilities"] if not v["suppressed"])))' $BODY; }
want="CVE-2024-1001:libssl3:3.0.11-1~deb12u2:3.0.13-1~deb12u1 CVE-2024-2002:left-pad:1.3.0:1.3.1"
got=$(finds)
[ "$CODE" = 200 ] && [ "$got" = "$want" ] && ok "docker-archive findings are the planted ones" || bad "docker-archive findings ($CODE): $got"
VAL="/usr/bin/python3 $SW_SOURCE_DIR/tests/tools/validate-schema.py"
$VAL $SW_SOURCE_DIR/docs/stowaway-scan.schema.json $BODY >$T/v.out 2>&1 && ok "the stored report is our scan JSON (schema)" || bad "report schema: $(head -3 $T/v.out)"

# resubmission: the same image again re-uses the stored inventory, reads no layer
submit "{\"image\":\"docker-archive:$T/img.tar\"}"
J2=$JOB
[ "$J2" != "$J1" ] && wait_job $J2 done && [ "$(jq_ 'd["inventory_reused"]')" = True ] && [ "$(jq_ 'd["digest"]')" = "$DIG" ] &&
	ok "resubmission: new job, stored inventory re-used" || bad "resubmission: $(cat $BODY)"
grep -a "\"job\":$J2,.*\"state\":\"done\"" $T/server.log | grep -q '"layers_read":0' &&
	ok "resubmission read no layer (log: layers_read 0)" || bad "resubmission log: $(grep -a "\"job\":$J2," $T/server.log)"
grep -a "\"job\":$J1,.*\"state\":\"done\"" $T/server.log | grep -q '"layers_read":1' || bad "first scan log should say layers_read 1"
api GET /api/v1/images/$DIG/reports $READ
[ "$(jq_ 'len(d["reports"])')" = 2 ] && ok "history: two reports" || bad "history: $(cat $BODY)"

# oci-archive
submit "{\"image\":\"oci-archive:$T/img-oci.tar\"}"
wait_job $JOB done && ODIG=$(jq_ 'd["digest"]') && api GET /api/v1/images/$ODIG $READ && [ "$(finds)" = "$want" ] &&
	ok "oci-archive findings are the planted ones" || bad "oci-archive: $(cat $BODY)"

# ---- formats ----
for f in table json cyclonedx spdx-json sarif html junit; do
	api GET "/api/v1/images/$DIG?format=$f" $READ
	[ "$CODE" = 200 ] && grep -q "CVE-2024-1001" $BODY || bad "format $f: $CODE"
done
ok "?format= every CLI format"
api GET "/api/v1/images/$DIG?format=sarif" $READ
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["version"]=="2.1.0"' $BODY && grep -qi '^Content-Type: application/sarif+json' $HDRS &&
	ok "sarif is SARIF with its media type" || bad "sarif"
api GET "/api/v1/images/$DIG" $READ -H 'Accept: application/vnd.cyclonedx+json'
[ "$CODE" = 200 ] && grep -q '"bomFormat"' $BODY && ok "Accept picks the format (CycloneDX)" || bad "Accept format: $CODE"
api GET "/api/v1/images/$DIG?format=bogus" $READ; [ "$CODE" = 400 ] && ok "unknown format: 400" || bad "unknown format: $CODE"
api GET "/api/v1/images/sha256:0000" $READ; [ "$CODE" = 404 ] && ok "unknown image: 404" || bad "unknown image: $CODE"

# ---- which images does a vulnerability hit ----
api GET /api/v1/vulnerabilities/CVE-2024-1001/images $READ
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
got = sorted((i["digest"], i["package"], i["fixed"]) for i in d["images"])
want = sorted([(sys.argv[2], "libssl3", "3.0.13-1~deb12u1"), (sys.argv[3], "libssl3", "3.0.13-1~deb12u1")])
sys.exit(0 if got == want else 1)' $BODY $DIG $ODIG && ok "CVE-2024-1001 hits both stored images" || bad "vuln images: $(cat $BODY)"
api GET /api/v1/vulnerabilities/GHSA-lpad-lpad-lpad/images $READ
[ "$(jq_ 'len(d["images"])')" = 2 ] && ok "found by an alias (GHSA) too" || bad "alias: $(cat $BODY)"

# ---- registry: down, then up ----
RPORT=$(free_port)
REF=registry:127.0.0.1:$RPORT/app/web:v1
submit "{\"image\":\"$REF\",\"plain_http\":true}"
JR=$JOB
wait_job $JR failed && grep -q "127.0.0.1:$RPORT" <<<"$(jq_ 'd["error"]')" && ok "registry down: job failed with the reason: $(jq_ 'd["error"]')" ||
	bad "registry down: $(cat $BODY)"
submit "{\"image\":\"registry:127.0.0.1:$RPORT/app/other:v1\",\"plain_http\":true}"
JR2=$JOB
wait_job $JR2 failed || bad "second registry job should fail"
api GET /api/v1/images $READ
[ "$(jq_ 'len(d["images"])')" = 2 ] && ok "a failed job stores no image" || bad "images after a failure: $(cat $BODY)"
start_registry reg $RPORT
SK="skopeo --insecure-policy copy -q --dest-tls-verify=false"
$SK oci:$T/layout:v1 docker://127.0.0.1:$RPORT/app/web:v1 && $SK oci:$T/layout:v1 docker://127.0.0.1:$RPORT/app/other:v1 ||
	{ bad "skopeo copy"; exit 1; }
submit "{\"image\":\"$REF\",\"plain_http\":true}"
[ "$JOB" = "$JR" ] && ok "resubmitting a failed reference retries the same job" || bad "resubmit failed: job $JOB vs $JR"
wait_job $JR done && [ "$(jq_ 'd["attempts"]')" = 2 ] && [ "$(jq_ 'd["error"]')" = None ] && ok "registry up: the retried job succeeds (attempt 2)" ||
	bad "retried job: $(cat $BODY)"
RDIG=$(jq_ 'd["digest"]')
NIMG=$(printf '%s\n' $DIG $ODIG $RDIG | sort -u | wc -l)   # an OCI archive and its layout pushed may be one image
api GET /api/v1/images/$RDIG $READ; [ "$(finds)" = "$want" ] && ok "registry image findings are the planted ones" || bad "registry findings: $(finds)"
api POST /api/v1/scans/$JR2/retry $SCAN
[ "$CODE" = 202 ] && wait_job $JR2 done && ok "POST .../retry of a failed job: done" || bad "retry: $CODE $(cat $BODY)"
api POST /api/v1/scans/$J1/retry $SCAN; [ "$CODE" = 409 ] && ok "retry of a done job: 409" || bad "retry done job: $CODE"
api POST /api/v1/scans/999999/retry $SCAN; [ "$CODE" = 404 ] && ok "retry of an unknown job: 404" || bad "retry unknown: $CODE"

# ---- Harbor: metadata ----
HP=$T/harbor; mkdir -p $HP
api GET /api/v1/metadata $READ
cp $BODY $HP/meta.json
[ "$CODE" = 200 ] && grep -qi '^Content-Type: application/vnd.scanner.adapter.metadata+json; version=1.1' $HDRS &&
	$HVALID $SPEC12 ScannerAdapterMetadata $HP/meta.json && $HVALID $SPEC11 ScannerAdapterMetadata $HP/meta.json &&
	grep -q 'application/vnd.security.vulnerability.report; version=1.1' $HP/meta.json &&
	ok "harbor metadata valid (v1.1 and v1.2 schemas)" || bad "harbor metadata: $CODE $(cat $BODY)"

# ---- a hanging registry keeps the single worker busy: Harbor sees 302 ----
HPORT=$(free_port)
python3 - $HPORT <<'PY' &
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)   # accept, never answer
PY
HANG=$!
PIDS+=($HANG)
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$HPORT) 2>/dev/null && break; sleep 0.1; done
submit "{\"image\":\"registry:127.0.0.1:$HPORT/slow/app:v1\",\"plain_http\":true}"
JH=$JOB
wait_job $JH running || bad "hanging job should be running"
MDIG=$(skopeo inspect --raw --tls-verify=false docker://127.0.0.1:$RPORT/app/web:v1 | sha256sum | cut -d' ' -f1)
cat > $HP/req.json <<J
{"registry": {"url": "http://127.0.0.1:$RPORT", "authorization": "Basic $(printf 'robot$x:hunter2-zq9x7' | base64)"},
 "artifact": {"repository": "app/web", "digest": "sha256:$MDIG", "tag": "v1",
              "mime_type": "application/vnd.oci.image.manifest.v1+json"}}
J
api POST /api/v1/scan $SCAN -H 'Content-Type: application/vnd.scanner.adapter.scan.request+json; version=1.1' --data-binary @$HP/req.json
cp $BODY $HP/scanresp.json
HID=$(jq_ 'd["id"]')
[ "$CODE" = 202 ] && $HVALID $SPEC12 ScanResponse $HP/scanresp.json && ok "harbor scan accepted: 202 id $HID" || bad "harbor scan: $CODE $(cat $BODY)"
grep -aq 'hunter2-zq9x7' $T/server.log && bad "registry credentials in the log" || ok "registry credentials are not logged"
store_has 'hunter2-zq9x7' && bad "registry credentials in the store" || ok "registry credentials are not stored"
api GET /api/v1/scan/$HID/report $READ -H 'Accept: application/vnd.security.vulnerability.report; version=1.1'
[ "$CODE" = 302 ] && grep -qi '^Refresh-After: [0-9]' $HDRS && ok "harbor report while waiting: 302 with Refresh-After" || bad "pending report: $CODE $(cat $HDRS)"

# cancel: a job waiting behind the busy worker
submit "{\"image\":\"docker-archive:$T/img.tar\",\"platform\":\"linux/amd64\"}"
JC=$JOB
api DELETE /api/v1/scans/$JC $READ; [ "$CODE" = 403 ] || bad "cancel with a read token: $CODE"
api DELETE /api/v1/scans/$JC $SCAN
[ "$CODE" = 200 ] && [ "$(field state)" = failed ] && [ "$(field error)" = "cancelled by ci" ] && ok "DELETE cancels a pending job" ||
	bad "cancel: $CODE $(cat $BODY)"
api DELETE /api/v1/scans/$JC $SCAN; [ "$CODE" = 409 ] && ok "cancel of a job that is not pending: 409" || bad "cancel twice: $CODE"
# a running scan is asked to stop; one blocked on a registry that never answers stops
# only at its next check, so the answer (after 5 s) is 202 with the job still running
# (tests/e2e/test_serve_upload.sh cancels running scans)
api DELETE /api/v1/scans/$JH $SCAN; [ "$CODE" = 202 ] && [ "$(field state)" = running ] && ok "a blocked running scan: asked to stop, 202" || bad "cancel running: $CODE"

# ---- SIGTERM during a scan: it goes back to pending; a restart runs it ----
kill -TERM $SRV
rc=0; for _ in $(seq 100); do kill -0 $SRV 2>/dev/null || break; sleep 0.1; done
wait $SRV; rc=$?; SRV=
[ $rc = 0 ] && ok "SIGTERM during a scan: exit 0" || bad "SIGTERM: exit $rc"
grep -a '"requeued":"shutdown"' $T/server.log | grep -q "\"job\":$JH," && ok "the running scan was put back to pending" ||
	bad "requeue: $(grep -a shutdown $T/server.log)"
kill $HANG 2>/dev/null; wait $HANG 2>/dev/null
start_server --workers 2
wait_job $JH failed done && [ "$(jq_ 'd["attempts"]')" = 2 ] && ok "after restart the put-back job ran again (attempt 2)" || bad "after restart: $(cat $BODY)"

# ---- Harbor report ----
wait_job $HID done || bad "harbor job: $(cat $BODY)"
api GET /api/v1/scan/$HID/report $READ -H 'Accept: application/vnd.security.vulnerability.report; version=1.1'
cp $BODY $HP/r11.json
python3 - $HP/r11.json <<'PY' && ok "harbor report 1.1: findings with CVSS and CWE" || bad "harbor 1.1 content: $(cat $HP/r11.json | head -c 600)"
import json, sys
d = json.load(open(sys.argv[1]))
v = {x["id"]: x for x in d["vulnerabilities"]}
assert set(v) == {"CVE-2024-1001", "CVE-2024-2002"}, v.keys()
assert v["CVE-2024-1001"]["package"] == "libssl3" and v["CVE-2024-1001"]["fix_version"] == "3.0.13-1~deb12u1"
assert v["CVE-2024-1001"]["severity"] == "High"
assert v["CVE-2024-2002"]["preferred_cvss"]["vector_v3"].startswith("CVSS:3.1/")
assert v["CVE-2024-2002"]["cwe_ids"] == ["CWE-400"]
assert d["severity"] == "High" and d["artifact"]["repository"] == "app/web"
PY
[ "$CODE" = 200 ] && grep -qi '^Content-Type: application/vnd.security.vulnerability.report; version=1.1' $HDRS &&
	$HVALID $SPEC12 HarborVulnerabilityReport $HP/r11.json && $HVALID $SPEC11 HarborVulnerabilityReport $HP/r11.json &&
	ok "harbor report 1.1 valid (schema)" || bad "harbor report 1.1: $CODE"
api GET /api/v1/scan/$HID/report $READ -H 'Accept: application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0'
cp $BODY $HP/r10.json
[ "$CODE" = 200 ] && grep -qi '^Content-Type: application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0' $HDRS &&
	$HVALID $SPEC11 HarborVulnerabilityReport $HP/r10.json && grep -q CVE-2024-1001 $HP/r10.json &&
	ok "harbor report 1.0 valid" || bad "harbor report 1.0: $CODE"
for mt in application/spdx+json application/vnd.cyclonedx+json; do
	api GET "/api/v1/scan/$HID/report?sbom_media_type=${mt//+/%2B}" $READ -H 'Accept: application/vnd.security.sbom.report+json; version=1.0'
	cp $BODY $HP/sbom.json
	[ "$CODE" = 200 ] && $HVALID $SPEC12 HarborSbomReport $HP/sbom.json && [ "$(jq_ 'd["media_type"]')" = "$mt" ] &&
		grep -q left-pad $HP/sbom.json && ok "harbor SBOM report $mt" || bad "harbor sbom $mt: $CODE $(head -c 300 $BODY)"
done
api GET /api/v1/scan/$HID/report $READ -H 'Accept: application/vnd.security.sbom.report+json; version=1.0'
[ "$CODE" = 400 ] && ok "harbor SBOM without sbom_media_type: 400" || bad "sbom no param: $CODE"
api GET /api/v1/scan/$HID/report $READ -H 'Accept: application/x-unknown'
[ "$CODE" = 501 ] && ok "harbor unknown report type: 501" || bad "unknown mime: $CODE"
api GET /api/v1/scan/424242/report $READ; [ "$CODE" = 404 ] && ok "harbor unknown scan id: 404" || bad "harbor 404: $CODE"
api POST /api/v1/scan $SCAN -H 'Content-Type: application/json' -d '{"registry":{"url":"ftp://x"},"artifact":{"repository":"a","digest":"sha256:00"}}'
[ "$CODE" = 422 ] && grep -q '"message"' $BODY && ok "harbor bad ScanRequest: 422 with an ErrorResponse" || bad "harbor 422: $CODE $(cat $BODY)"
api POST /api/v1/scan $SCAN -H 'Content-Type: application/json' -d '{"registry":'
[ "$CODE" = 400 ] && ok "harbor malformed JSON: 400" || bad "harbor 400: $CODE"

# ---- kill -9 during a scan: the job stays under the dead server's lease, then is claimed again ----
python3 - $HPORT <<'PY' &
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
PY
HANG=$!
PIDS+=($HANG)
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$HPORT) 2>/dev/null && break; sleep 0.1; done
submit "{\"image\":\"registry:127.0.0.1:$HPORT/killed/app:v1\",\"plain_http\":true}"
JK=$JOB
wait_job $JK running || bad "kill -9: the job should be running"
kill -9 $SRV; wait $SRV 2>/dev/null; SRV=
start_server --workers 2
api GET /api/v1/scans/$JK $READ
[ "$(field state)" = running ] && ok "after kill -9 the job is still under the dead server's lease" || bad "after kill -9: $(cat $BODY)"
kill $HANG 2>/dev/null; wait $HANG 2>/dev/null
wait_job $JK failed done && [ "$(field attempts)" = 2 ] && ok "once the lease expired, the restarted server ran it again (attempt 2)" ||
	bad "kill -9 lease: $(cat $BODY)"
api GET /readyz ""; [ "$CODE" = 200 ] && ok "the store opened without repair after kill -9" || bad "readyz after kill -9: $CODE"

# ---- the database changes: stored inventories are re-matched without the images ----
ls $T/reg-data >/dev/null 2>&1
jobs_before=$(grep -ac '"kind":"job"' $T/server.log)
cat > $T/adv/debian.json <<'J'
{"openssl": {"CVE-2024-1001": {"description": "openssl fixed upstream", "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.13-1~deb12u1", "urgency": "high", "repositories": {"bookworm": "3.0.13-1~deb12u1"}}}},
             "CVE-2024-3003": {"description": "new openssl problem", "releases": {"bookworm": {"status": "open", "urgency": "medium", "repositories": {}}}}}}
J
mv $T/img.tar $T/img.tar.gone; mv $T/img-oci.tar $T/img-oci.tar.gone   # the images are not needed any more
"$STOWAWAY" db update -q --db $DB --source debian=$T/adv/debian.json --source osv=$T/adv/osv 2>$T/upd.err || bad "db update 2: $(cat $T/upd.err)"
n=0
for _ in $(seq 150); do
	api GET /api/v1/vulnerabilities/CVE-2024-3003/images $READ
	n=$(jq_ 'len(d["images"])'); [ "$n" = $NIMG ] && break; sleep 0.1
done
[ "$n" = $NIMG ] && ok "after the database update, the new CVE hits the $NIMG stored images" || bad "rematch: $(cat $BODY)"
grep -aq '"kind":"vulndb_changed"' $T/server.log && grep -aq "\"kind\":\"rematch\",\"images\":$NIMG" $T/server.log &&
	ok "the change of the database file was noticed and everything re-matched" || bad "rematch log: $(grep -a rematch $T/server.log)"
[ "$(grep -ac '"kind":"job"' $T/server.log)" = "$jobs_before" ] && ok "re-matching ran no scan job" || bad "jobs ran during rematch"
api GET /api/v1/images/$DIG/reports $READ
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
r = d["reports"][0]
assert r["job"] is None and r["changes"]["new"] == ["CVE-2024-3003"], r' $BODY && ok "history records the change (new CVE-2024-3003)" ||
	bad "history after rematch: $(head -c 500 $BODY)"
api POST /api/v1/rematch $ADMIN
[ "$CODE" = 200 ] && [ "$(jq_ 'd["images"]')" = $NIMG ] && [ "$(jq_ 'd["changed"]')" = 0 ] && ok "POST /api/v1/rematch: $NIMG images, nothing changed" ||
	bad "POST rematch: $CODE $(cat $BODY)"

# ---- the OpenAPI document (docs/api/openapi.yaml): answers match it, every route refuses a missing token ----
OAPI=$SW_SOURCE_DIR/docs/api/openapi.yaml
[ -f $OAPI ] || bad "docs/api/openapi.yaml is missing"
oapi_ok=1
api GET /api/v1/scans/$J1 $READ; cp $BODY $T/o-job.json
$HVALID $OAPI Job $T/o-job.json || oapi_ok=0
api GET /api/v1/images $READ
python3 -c 'import json,sys; [json.dump(x, open("%s/o-image%d.json" % (sys.argv[2], i), "w")) for i, x in enumerate(json.load(open(sys.argv[1]))["images"])]' $BODY $T
for f in $T/o-image*.json; do $HVALID $OAPI Image $f || oapi_ok=0; done
api GET /api/v1/images/$DIG/reports $READ
python3 -c 'import json,sys; [json.dump(x, open("%s/o-rep%d.json" % (sys.argv[2], i), "w")) for i, x in enumerate(json.load(open(sys.argv[1]))["reports"])]' $BODY $T
for f in $T/o-rep*.json; do $HVALID $OAPI ReportSummary $f || oapi_ok=0; done
api GET /api/v1/nothing $READ; cp $BODY $T/o-err.json; $HVALID $OAPI Error $T/o-err.json || oapi_ok=0
[ $oapi_ok = 1 ] && ok "answers match the OpenAPI document's schemas" || bad "OpenAPI schemas"
api GET /api/v1/openapi.yaml $READ
[ "$CODE" = 200 ] && cmp -s $BODY $OAPI && ok "the server serves docs/api/openapi.yaml byte for byte" || bad "served OpenAPI: $CODE"
python3 - $OAPI $U $READ <<'PY' && ok "every route of the OpenAPI document refuses a missing token (401) and answers with one" || bad "OpenAPI routes"
import sys, urllib.request, urllib.error, yaml
spec, base, tok = yaml.safe_load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
bad = 0
for path, ops in spec["paths"].items():
    for method, op in ops.items():
        url = base + path.replace("{id}", "1").replace("{digest}", "sha256:00")
        open_route = op.get("security") == []
        for token in (None, tok):
            req = urllib.request.Request(url, method=method.upper(), data=b"{}" if method == "post" else None)
            if token:
                req.add_header("Authorization", "Bearer " + token)
            if method == "post":
                req.add_header("Content-Type", "application/json")
            try:
                code = urllib.request.urlopen(req, timeout=20).status
            except urllib.error.HTTPError as e:
                code = e.code
            want_ok = open_route or token
            documented = str(code) in op["responses"]
            if (not want_ok and code != 401) or (want_ok and (code in (401, 404, 405) and str(code) not in op["responses"])) or not documented:
                print("%s %s token=%s: %d" % (method.upper(), path, bool(token), code))
                bad += 1
sys.exit(1 if bad else 0)
PY

# ---- bad requests ----
api POST /api/v1/scans $SCAN -H 'Content-Type: application/json' -d '{"image": '
[ "$CODE" = 400 ] && grep -q 'malformed JSON' $BODY && ok "malformed JSON: 400" || bad "malformed: $CODE $(cat $BODY)"
api POST /api/v1/scans $SCAN -H 'Content-Type: application/json' -d '[1]'
[ "$CODE" = 400 ] && ok "not an object: 400" || bad "array body: $CODE"
api POST /api/v1/scans $SCAN -H 'Content-Type: application/json' -d '{"img":"x"}'
[ "$CODE" = 422 ] && grep -q "unknown member 'img'" $BODY && ok "unknown member: 422" || bad "unknown member: $CODE $(cat $BODY)"
api POST /api/v1/scans $SCAN -H 'Content-Type: application/json' -d '{}'
[ "$CODE" = 422 ] && grep -q "'image' is missing" $BODY && ok "missing image: 422" || bad "missing image: $CODE"
api POST /api/v1/scans $SCAN -H 'Content-Type: application/json' -d '{"image":5}'
[ "$CODE" = 422 ] && ok "image not a string: 422" || bad "image 5: $CODE"
api POST /api/v1/scans $SCAN -H 'Content-Type: text/plain' -d '{"image":"x"}'
[ "$CODE" = 415 ] && ok "wrong content type: 415" || bad "content type: $CODE"
head -c 3000000 /dev/zero | tr '\0' 'a' > $T/huge
api POST /api/v1/scans $SCAN -H 'Content-Type: application/json' --data-binary @$T/huge
[ "$CODE" = 413 ] && ok "huge body: 413" || bad "huge body: $CODE"
api POST /api/v1/scans $SCAN -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary @$T/huge
[ "$CODE" = 413 ] && ok "huge chunked body: 413" || bad "huge chunked body: $CODE"
api GET /api/v1/nothing $READ; [ "$CODE" = 404 ] && ok "unknown route: 404" || bad "unknown route: $CODE"
api DELETE /api/v1/images $ADMIN; [ "$CODE" = 405 ] && ok "wrong method: 405" || bad "wrong method: $CODE"
api GET /api/v1/scans/abc $READ; [ "$CODE" = 404 ] && ok "bad job id: 404" || bad "bad job id: $CODE"
api GET /api/v1/scans/777777 $READ; [ "$CODE" = 404 ] && ok "unknown job: 404" || bad "unknown job: $CODE"
api GET /healthz ""; [ "$CODE" = 200 ] && kill -0 $SRV && ok "the server keeps running after bad requests" || bad "server died"

# ---- metrics ----
api GET /metrics $READ
[ "$CODE" = 200 ] && grep -q '^stowaway_jobs{state="done"} [1-9]' $BODY && grep -q '^stowaway_requests_total [1-9]' $BODY &&
	ok "/metrics" || bad "metrics: $(head -5 $BODY)"

kill -TERM $SRV; wait $SRV; rc=$?; SRV=
[ $rc = 0 ] && ok "SIGTERM when idle: exit 0" || bad "idle SIGTERM: $rc"

# ---- TLS ----
openssl req -x509 -newkey rsa:2048 -nodes -keyout $T/key.pem -out $T/cert.pem -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 || bad "openssl req"
PORT=$(free_port)
"$STOWAWAY" serve --listen 127.0.0.1:$PORT --store $STORE --db $DB --tls-cert $T/cert.pem --tls-key $T/key.pem 2>>$T/server.log &
SRV=$!
wait_http --cacert $T/cert.pem https://127.0.0.1:$PORT/healthz
code=$(curl -s -o $BODY -w '%{http_code}' --cacert $T/cert.pem -H "Authorization: Bearer $READ" https://127.0.0.1:$PORT/api/v1/images)
[ "$code" = 200 ] && [ "$(jq_ 'len(d["images"])')" = $NIMG ] && ok "TLS: https with the given certificate" || bad "TLS: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$PORT/healthz)
[ "$code" != 200 ] && ok "TLS: plain http refused" || bad "TLS port answered plain http"
kill -TERM $SRV; wait $SRV; SRV=
"$STOWAWAY" serve --listen 127.0.0.1:$PORT --store $STORE --db $DB --tls-cert $T/cert.pem 2>$T/e; rc=$?
[ $rc = 64 ] && ok "--tls-cert without --tls-key: usage error" || bad "tls pair: $rc"
"$STOWAWAY" serve --listen 127.0.0.1:$PORT --store $STORE --db $DB --tls-cert $T/nope.pem --tls-key $T/key.pem 2>$T/e; rc=$?
[ $rc = 2 ] && grep -q nope.pem $T/e && ok "missing certificate file: exit 2 naming it" || bad "missing cert: $rc $(cat $T/e)"
"$STOWAWAY" serve --listen nonsense --store $STORE 2>$T/e; rc=$?
[ $rc = 64 ] && ok "bad --listen: usage error" || bad "bad listen: $rc $(cat $T/e)"
echo "not a database" > $T/notstore
"$STOWAWAY" serve --listen 127.0.0.1:$PORT --store $T/notstore --db $DB 2>$T/e; rc=$?
[ $rc = 2 ] && grep -q notstore $T/e && [ "$(wc -l < $T/e)" = 1 ] && ok "a store that is not one: one line, exit 2" || bad "bad store: $rc $(cat $T/e)"

STOWAWAY_LIBMICROHTTPD=/nonexistent/libmicrohttpd.so.12 "$STOWAWAY" serve --listen 127.0.0.1:$PORT --store $STORE --db $DB 2>$T/e; rc=$?
[ $rc = 2 ] && [ "$(wc -l < $T/e)" = 1 ] && grep -q 'cannot load libmicrohttpd.so.12: .*install libmicrohttpd12' $T/e &&
	ok "without libmicrohttpd: one clear line, exit 2" || bad "no libmicrohttpd: $rc $(cat $T/e)"
LD_DEBUG=files "$STOWAWAY" --version 2>&1 >/dev/null | grep -q libmicrohttpd && bad "--version loads libmicrohttpd" ||
	ok "other commands do not load libmicrohttpd"

# ---- the log: one JSON object per line, requests and jobs ----
python3 - $T/server.log <<'PY' && ok "every log line is one JSON object; requests and jobs logged" || bad "log format"
import json, sys
kinds = set()
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    kinds.add(d["kind"])
    assert "ts" in d
    if d["kind"] == "request":
        assert {"method", "path", "status", "ms"} <= set(d)
assert {"request", "job", "start", "shutdown", "rematch"} <= kinds, kinds
PY

[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all passed"
