#!/bin/bash
# End to end: client mode, `stowaway scan --server URL IMAGE`, against the
# real `stowaway serve` on a free loopback port.
# - an image built here with planted packages: the findings are exactly the
#   planted advisories', and the client has no database at all;
# - the output equals a local `stowaway scan` with the server's database, in
#   json and table (timestamps removed); --fail-on exit codes; the ignore
#   file and --policy are applied on the client;
# - the stored report and image show in GET /api/v1/images, the job is of
#   kind "client" and done; sending the image again is a new job, same image;
# - https with a certificate made here (--cacert); without it: a clear error;
# - server unreachable, no token, a wrong token, a read-only token, a dir:
#   image (no digest): exit 2 with one line naming the server, no token printed;
# - the route itself: wrong content type 415, a body that is not an upload
#   400, GET 405, a read token 403; answers match docs/api/openapi.yaml.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
HVALID="python3 $SW_SOURCE_DIR/tests/tools/harbor_validate.py"
OAPI=$SW_SOURCE_DIR/docs/api/openapi.yaml
for tool in curl openssl; do
	command -v $tool >/dev/null 2>&1 || { echo "FAIL - $tool is not installed (scripts/setup-deps.sh)"; exit 1; }
done
T=$(mktemp -d)
SRV=
cleanup() {
	[ -n "$SRV" ] && { kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; }
	declare -F store_stop >/dev/null && store_stop
	rm -rf "$T"
}
trap cleanup EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
export HOME=$T/home STOWAWAY_NO_CACHE=1; mkdir -p "$HOME"
unset STOWAWAY_TOKEN STOWAWAY_DB XDG_CACHE_HOME
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 100); do curl -s -o /dev/null -m 1 "$@" && return 0; sleep 0.1; done; return 1; }

# ---- advisories (planted) and the server's database ----
mkdir -p $T/adv/osv
cat > $T/adv/debian.json <<'J'
{"openssl": {"CVE-2024-1001": {"description": "openssl fixed upstream", "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.13-1~deb12u1", "urgency": "high", "repositories": {"bookworm": "3.0.13-1~deb12u1"}}}}},
 "zlib": {"CVE-2024-1003": {"description": "zlib, not installed here", "releases": {"bookworm": {"status": "resolved", "fixed_version": "1:1.3", "urgency": "medium", "repositories": {"bookworm": "1:1.3"}}}}}}
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

# ---- the image: libssl3 (openssl, vulnerable), left-pad 1.3.0 (vulnerable), zlib1g (fixed version) ----
L0=$T/l0
mkdir -p $L0/etc $L0/var/lib/dpkg $L0/app/node_modules/left-pad
printf 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' > $L0/etc/os-release
printf 'Package: libssl3\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u2\nSource: openssl\nArchitecture: amd64\n\nPackage: zlib1g\nStatus: install ok installed\nVersion: 1:1.3.dfsg-3\nSource: zlib\nArchitecture: amd64\n\n' > $L0/var/lib/dpkg/status
printf '{"name":"left-pad","version":"1.3.0"}' > $L0/app/node_modules/left-pad/package.json
$MKIMAGE --format docker-archive -o $T/img.tar $L0 || { echo "FAIL - mkimage"; exit 1; }
L1=$T/l1
mkdir -p $L1/etc $L1/var/lib/dpkg
printf 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' > $L1/etc/os-release
printf 'Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.3.dfsg-3\nSource: zlib\nArchitecture: amd64\n\n' > $L1/var/lib/dpkg/status
$MKIMAGE --format docker-archive -o $T/clean.tar $L1 || { echo "FAIL - mkimage clean"; exit 1; }

# ---- the server ----
. "$SW_SOURCE_DIR/tests/e2e/store_lib.sh"
store_pick $T   # SW_TEST_STORE: sqlite or postgres (store_lib.sh)
PORT=$(free_port)
U=http://127.0.0.1:$PORT
READ=$("$STOWAWAY" serve token create --scope read --store $STORE reader 2>/dev/null)
SCAN=$("$STOWAWAY" serve token create --scope scan --store $STORE ci 2>/dev/null)
[[ $READ == sw_* && $SCAN == sw_* ]] || { echo "FAIL - token create"; exit 1; }
"$STOWAWAY" serve --listen 127.0.0.1:$PORT --store $STORE --db $DB --workers 1 2>>$T/server.log &
SRV=$!
wait_http $U/healthz || { echo "FAIL - the server did not start: $(tail -3 $T/server.log)"; exit 1; }

CODE=; BODY=$T/body
api() { # METHOD PATH TOKEN [curl args...]
	local m=$1 p=$2 tok=$3; shift 3
	local auth=()
	[ -n "$tok" ] && auth=(-H "Authorization: Bearer $tok")
	CODE=$(curl -s -m 20 -o $BODY -w '%{http_code}' -X "$m" "${auth[@]}" "$@" "$U$p")
}
jq_() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null; }
finds() { python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(sorted("%s:%s:%s:%s" % (v["id"], v["package"]["name"], v["installedVersion"], v["fixedVersion"]) for v in d["vulnerabilities"] if not v["suppressed"])))' "$1"; }
# the report without what differs from run to run (times, the durations)
strip_json() { python3 -c '
import json, sys
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k not in ("generatedAt", "createdAt", "created", "timestamp", "time", "durationMs")}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
print(json.dumps(strip(json.load(open(sys.argv[1]))), indent=1, sort_keys=True))' "$1"; }

want="CVE-2024-1001:libssl3:3.0.11-1~deb12u2:3.0.13-1~deb12u1 CVE-2024-2002:left-pad:1.3.0:1.3.1"
# ---- client mode: json; the client has no database ----
[ ! -e "$HOME/.cache/stowaway/vulndb.sqlite" ] || bad "the client has a database"
"$STOWAWAY" scan -q --server $U --token $SCAN -f json -o $T/remote.json docker-archive:$T/img.tar 2>$T/remote.err; rc=$?
[ $rc = 0 ] && [ "$(finds $T/remote.json)" = "$want" ] && ok "scan --server: exactly the planted findings, no database on the client" ||
	bad "scan --server json: rc $rc $(cat $T/remote.err) $(finds $T/remote.json 2>&1 | head -2)"
grep -q "$SCAN" $T/remote.err $T/remote.json && bad "the token was printed" || ok "the token is not printed"
"$STOWAWAY" scan -q --db $DB -f json -o $T/local.json docker-archive:$T/img.tar 2>$T/local.err ||
	bad "local scan: $(cat $T/local.err)"
strip_json $T/remote.json > $T/remote.s; strip_json $T/local.json > $T/local.s
cmp -s $T/remote.s $T/local.s && ok "json: client mode equals a local scan with the same database" ||
	bad "json differs: $(diff $T/local.s $T/remote.s | head -10)"
# table
"$STOWAWAY" scan -q --server $U --token $SCAN docker-archive:$T/img.tar > $T/remote.txt 2>$T/e || bad "table: $(cat $T/e)"
"$STOWAWAY" scan -q --db $DB docker-archive:$T/img.tar > $T/local.txt 2>$T/e
strip_txt() { sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:]+Z?//g' "$1"; }
[ -s $T/remote.txt ] && cmp -s <(strip_txt $T/remote.txt) <(strip_txt $T/local.txt) &&
	ok "table: client mode equals a local scan" || bad "table differs: $(diff $T/local.txt $T/remote.txt | head -10)"
# STOWAWAY_TOKEN
STOWAWAY_TOKEN=$SCAN "$STOWAWAY" scan -q --server $U/ -f json docker-archive:$T/img.tar > $T/env.json 2>$T/e
[ "$(finds $T/env.json)" = "$want" ] && ok "the token from \$STOWAWAY_TOKEN (and a URL with a trailing /)" || bad "STOWAWAY_TOKEN: $(cat $T/e)"

# ---- gates: --fail-on, the ignore file, --policy: decided on the client ----
"$STOWAWAY" scan -q --server $U --token $SCAN --fail-on high docker-archive:$T/img.tar >/dev/null 2>$T/e; rc=$?
[ $rc = 1 ] && ok "--fail-on high: exit 1 (CVE-2024-1001 is high)" || bad "--fail-on high: rc $rc $(cat $T/e)"
"$STOWAWAY" scan -q --server $U --token $SCAN --fail-on critical docker-archive:$T/img.tar >/dev/null 2>$T/e; rc=$?
[ $rc = 0 ] && ok "--fail-on critical: exit 0" || bad "--fail-on critical: rc $rc $(cat $T/e)"
# (vuln and secret only: the image checks of these hand-made images fail by design)
"$STOWAWAY" scan -q --server $U --token $SCAN --scanners vuln,secret --fail-on low docker-archive:$T/clean.tar >/dev/null 2>$T/e; rc=$?
[ $rc = 0 ] && ok "--fail-on low on a clean image: exit 0" || bad "clean image: rc $rc $(cat $T/e)"
"$STOWAWAY" scan -q --server $U --token $SCAN --fail-on low docker-archive:$T/clean.tar >/dev/null 2>$T/e; rc=$?
"$STOWAWAY" scan -q --db $DB --fail-on low docker-archive:$T/clean.tar >/dev/null 2>$T/e; lrc=$?
[ $rc = 1 ] && [ $lrc = 1 ] && ok "--fail-on low with the image checks (run on the client): exit 1, as a local scan" ||
	bad "checks gate: rc $rc local $lrc"
echo "CVE-2024-1001" > $T/ignore
"$STOWAWAY" scan -q --server $U --token $SCAN --scanners vuln --ignorefile $T/ignore --fail-on high -f json docker-archive:$T/img.tar > $T/ign.json 2>$T/e; rc=$?
[ $rc = 1 ] && [ "$(jq_ $T/ign.json '[v["id"] for v in d["vulnerabilities"] if v["suppressed"]]')" = "['CVE-2024-1001']" ] &&
	ok "the ignore file is applied on the client (CVE-2024-1001 suppressed; CVE-2024-2002 still fails the gate)" || bad "ignorefile: rc $rc $(cat $T/e)"
printf 'CVE-2024-1001\nCVE-2024-2002\n' > $T/ignore
"$STOWAWAY" scan -q --server $U --token $SCAN --scanners vuln --ignorefile $T/ignore --fail-on high docker-archive:$T/img.tar >/dev/null 2>$T/e; rc=$?
[ $rc = 0 ] && ok "both ignored: --fail-on high passes (exit 0)" || bad "ignorefile both: rc $rc $(cat $T/e)"
cat > $T/policy.json <<'J'
{"id": "p", "name": "p", "version": "1_0", "policies": [{"id": "pol", "name": "pol", "version": "1_0", "rules": [
 {"id": "r1", "gate": "vulnerabilities", "trigger": "package", "action": "STOP",
  "params": [{"name": "package_type", "value": "all"}, {"name": "severity_comparison", "value": ">="}, {"name": "severity", "value": "high"}]}]}],
 "mappings": [{"id": "m", "name": "m", "registry": "*", "repository": "*", "image": {"type": "tag", "value": "*"}, "policy_ids": ["pol"]}]}
J
"$STOWAWAY" scan -q --server $U --token $SCAN --policy $T/policy.json docker-archive:$T/img.tar >/dev/null 2>$T/e; rc=$?
"$STOWAWAY" scan -q --db $DB --policy $T/policy.json docker-archive:$T/img.tar >/dev/null 2>$T/e2; lrc=$?
[ $rc = 1 ] && [ $lrc = 1 ] && ok "--policy STOP: exit 1, as a local scan" || bad "--policy: rc $rc (local $lrc) $(cat $T/e $T/e2)"

# ---- the server stored it ----
api GET /api/v1/images $READ
DIG=$(jq_ $T/remote.json 'd.get("artifact", {}).get("digest") or ""')
python3 - $BODY $T/img.tar <<'PY' && ok "GET /api/v1/images lists the image with its latest report and counts" || bad "images: $(cat $BODY)"
import json, sys
imgs = json.load(open(sys.argv[1]))["images"]
hit = [i for i in imgs if any("img.tar" in n for n in i["names"])]
assert len(hit) == 1, imgs
i = hit[0]
assert i["latest_report"], i
assert i["summary"]["high"] == 2 and i["summary"]["total"] == 2, i   # left-pad: CVSS 7.5 (A:H) is high
assert i["os"].startswith("debian"), i
open(sys.argv[1] + ".digest", "w").write(i["digest"])
PY
DIG=$(cat $BODY.digest)
api GET /api/v1/images/$DIG $READ; cp $BODY $T/stored.json
[ "$CODE" = 200 ] && [ "$(finds $T/stored.json)" = "$want" ] && ok "the stored report has the planted findings" || bad "stored report: $CODE"
api GET /api/v1/images/$DIG/reports $READ; cp $BODY $T/hist.json
JOBS=$(jq_ $T/hist.json '" ".join(sorted(set(str(r["job"]) for r in d["reports"])))')
NREP=$(jq_ $T/hist.json 'len(d["reports"])')
[ "$NREP" -ge 2 ] && [ "$(echo $JOBS | wc -w)" = "$NREP" ] && ok "each scan --server of the image is its own job with one report ($NREP)" ||
	bad "history: $(cat $T/hist.json)"
J1=$(echo $JOBS | cut -d' ' -f1)
api GET /api/v1/scans/$J1 $READ; cp $BODY $T/job.json
[ "$(jq_ $T/job.json 'd["kind"]')" = client ] && [ "$(jq_ $T/job.json 'd["state"]')" = done ] &&
	[ "$(jq_ $T/job.json 'd["digest"]')" = "$DIG" ] && ok "the job is of kind client, done, with the image's digest" || bad "job: $(cat $T/job.json)"
n_done=$(grep -a '"kind":"job"' $T/server.log | grep -a '"state":"done"' | grep -c "\"job\":$J1,")
[ "$n_done" = 1 ] && ok "one done log line for the job" || bad "done lines for job $J1: $n_done"

# ---- the route itself ----
"$STOWAWAY" scan -q --server $U --token $SCAN -f json docker-archive:$T/img.tar >/dev/null 2>&1
python3 - "$STOWAWAY" $T <<'PY' || bad "could not capture an upload body"
import subprocess, sys, http.server, threading
# capture the body scan --server sends, with a one-shot local server
body = {}
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body["ctype"] = self.headers.get("Content-Type")
        body["auth"] = self.headers.get("Authorization")
        body["data"] = self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(500); self.send_header("Content-Type", "application/json"); self.end_headers()
        self.wfile.write(b'{"error":"captured"}')
    def log_message(self, *a): pass
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
threading.Thread(target=srv.handle_request, daemon=True).start()
r = subprocess.run([sys.argv[1], "scan", "-q", "--server", "http://127.0.0.1:%d" % srv.server_address[1], "--token", "sw_x",
                    "docker-archive:%s/img.tar" % sys.argv[2]], capture_output=True)
open(sys.argv[2] + "/upload.bin", "wb").write(body["data"])
open(sys.argv[2] + "/upload.meta", "w").write("%s\n%s\n%d\n%s\n" % (body["ctype"], body["auth"], r.returncode, r.stderr.decode()))
PY
[ "$(sed -n 1p $T/upload.meta)" = "application/vnd.stowaway.inventory" ] && [ "$(sed -n 2p $T/upload.meta)" = "Bearer sw_x" ] &&
	[ "$(head -c 4 $T/upload.bin)" = SWCI ] && ok "the upload is SWCI with its content type and a Bearer token" || bad "upload: $(cat $T/upload.meta)"
! tar -tf $T/img.tar | while read -r m; do :; done; python3 - $T/img.tar $T/upload.bin <<'PY' && ok "no layer byte is in the upload (only the inventory)" || bad "the upload carries layer bytes"
import sys, tarfile
blob = open(sys.argv[2], "rb").read()
t = tarfile.open(sys.argv[1])
for m in t.getmembers():
    if m.isfile() and m.size > 64 and not m.name.endswith(".json"):
        data = t.extractfile(m).read()
        if data[1000:1064] and data[1000:1064] in blob:
            sys.exit(1)
PY
[ "$(sed -n 3p $T/upload.meta)" = 2 ] && grep -q "^stowaway: server 'http://127.0.0.1:[0-9]*': 500: captured" $T/upload.meta &&
	ok "a 5xx answer: exit 2, one line with the server's message" || bad "5xx: $(cat $T/upload.meta)"
api POST /api/v1/inventories $SCAN -H 'Content-Type: application/vnd.stowaway.inventory' --data-binary @$T/upload.bin; cp $BODY $T/post.json
[ "$CODE" = 200 ] && [ "$(jq_ $T/post.json 'd["digest"]')" = "$DIG" ] && [ "$(jq_ $T/post.json 'd["findings"]')" = 2 ] &&
	ok "POST /api/v1/inventories with curl: 200, digest, 2 findings" || bad "POST: $CODE $(head -c 300 $BODY)"
$HVALID $OAPI InventoryResult $T/post.json && ok "the answer matches the OpenAPI document (InventoryResult)" || bad "OpenAPI InventoryResult"
api POST /api/v1/inventories $SCAN -H 'Content-Type: application/json' --data-binary @$T/upload.bin
[ "$CODE" = 415 ] && ok "wrong content type: 415" || bad "content type: $CODE"
head -c 100 $T/upload.bin > $T/trunc.bin
api POST /api/v1/inventories $SCAN -H 'Content-Type: application/vnd.stowaway.inventory' --data-binary @$T/trunc.bin
[ "$CODE" = 400 ] && grep -q 'inventory upload' $BODY && ok "a truncated upload: 400 naming it" || bad "truncated: $CODE $(cat $BODY)"
python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[len(b)//2] ^= 1; open(sys.argv[2], "wb").write(b)' $T/upload.bin $T/flip.bin
api POST /api/v1/inventories $SCAN -H 'Content-Type: application/vnd.stowaway.inventory' --data-binary @$T/flip.bin
[ "$CODE" = 400 ] && ok "a corrupted upload (CRC): 400" || bad "corrupted: $CODE $(cat $BODY)"
cp $BODY $T/o-err.json; $HVALID $OAPI Error $T/o-err.json || bad "error answer schema"
api GET /api/v1/inventories $SCAN; [ "$CODE" = 405 ] && ok "GET: 405" || bad "GET: $CODE"
api POST /api/v1/inventories $READ -H 'Content-Type: application/vnd.stowaway.inventory' --data-binary @$T/upload.bin
[ "$CODE" = 403 ] && ok "a read token: 403" || bad "read token: $CODE"
api POST /api/v1/inventories "" -H 'Content-Type: application/vnd.stowaway.inventory' --data-binary @$T/upload.bin
[ "$CODE" = 401 ] && ok "no token: 401" || bad "no token: $CODE"

# ---- errors on the client: exit 2, one line naming the server, never the token ----
one_line() { [ "$(wc -l < "$1")" = 1 ]; }
DEAD=$(free_port)
"$STOWAWAY" scan -q --server http://127.0.0.1:$DEAD --token $SCAN docker-archive:$T/img.tar >$T/out 2>$T/e; rc=$?
[ $rc = 2 ] && one_line $T/e && grep -q "server 'http://127.0.0.1:$DEAD'" $T/e && [ ! -s $T/out ] &&
	ok "server unreachable: exit 2, one line: $(cat $T/e)" || bad "unreachable: rc $rc $(cat $T/e)"
"$STOWAWAY" scan -q --server $U --token sw_000000000000000000000000000000000000000000000000 docker-archive:$T/img.tar >$T/out 2>$T/e; rc=$?
[ $rc = 2 ] && one_line $T/e && grep -q "the token is not valid (401" $T/e && ! grep -q sw_0000 $T/e &&
	ok "wrong token: exit 2, one line: $(cat $T/e)" || bad "wrong token: rc $rc $(cat $T/e)"
"$STOWAWAY" scan -q --server $U docker-archive:$T/img.tar >$T/out 2>$T/e; rc=$?
[ $rc = 2 ] && one_line $T/e && grep -q "no token (401" $T/e && ok "no token: exit 2, one line" || bad "no token: rc $rc $(cat $T/e)"
"$STOWAWAY" scan -q --server $U --token $READ docker-archive:$T/img.tar >$T/out 2>$T/e; rc=$?
[ $rc = 2 ] && one_line $T/e && grep -q "403: this route needs a token with scope 'scan'" $T/e && ! grep -q "$READ" $T/e &&
	ok "read-only token: exit 2, one line (403)" || bad "read token: rc $rc $(cat $T/e)"
"$STOWAWAY" scan -q --server $U --token $SCAN dir:$L0 >$T/out 2>$T/e; rc=$?
[ $rc = 2 ] && one_line $T/e && grep -q "422: the inventory has no image digest" $T/e && ok "dir: image (no digest): exit 2, the server's 422" ||
	bad "dir: rc $rc $(cat $T/e)"
"$STOWAWAY" scan -q --server ftp://x docker-archive:$T/img.tar >$T/out 2>$T/e; rc=$?
[ $rc = 64 ] && ok "--server ftp://: usage error" || bad "ftp: rc $rc"
"$STOWAWAY" scan -q --token x docker-archive:$T/img.tar >$T/out 2>$T/e; rc=$?
[ $rc = 64 ] && ok "--token without --server: usage error" || bad "--token alone: rc $rc"
"$STOWAWAY" scan -q --server $U --token $SCAN --sbom $T/remote.json >$T/out 2>$T/e; rc=$?
[ $rc = 64 ] && ok "--server with --sbom: usage error" || bad "--sbom: rc $rc"
"$STOWAWAY" scan --help | grep -q -- "--server https://" && ok "--help has a client-mode example" || bad "--help example"

# ---- https: the server's certificate, trusted with --cacert ----
kill $SRV; wait $SRV 2>/dev/null; SRV=
openssl req -x509 -newkey rsa:2048 -nodes -keyout $T/key.pem -out $T/cert.pem -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 || bad "openssl req"
"$STOWAWAY" serve --listen 127.0.0.1:$PORT --store $STORE --db $DB --tls-cert $T/cert.pem --tls-key $T/key.pem 2>>$T/server.log &
SRV=$!
wait_http -k https://127.0.0.1:$PORT/healthz || bad "the TLS server did not start"
"$STOWAWAY" scan -q --server https://127.0.0.1:$PORT --token $SCAN --cacert $T/cert.pem -f json docker-archive:$T/img.tar > $T/tls.json 2>$T/e; rc=$?
[ $rc = 0 ] && [ "$(finds $T/tls.json)" = "$want" ] && ok "https with --cacert: the planted findings" || bad "https: rc $rc $(cat $T/e)"
"$STOWAWAY" scan -q --server https://127.0.0.1:$PORT --token $SCAN docker-archive:$T/img.tar >$T/out 2>$T/e; rc=$?
[ $rc = 2 ] && one_line $T/e && grep -qi "certificate" $T/e && ok "https, certificate not trusted: exit 2, one line: $(cat $T/e)" ||
	bad "untrusted https: rc $rc $(cat $T/e)"
kill -TERM $SRV; wait $SRV; SRV=

# ---- a server without its database: the client job fails with the reason; a retry (a worker) finishes it
# from the stored inventory (this image has libssl3 only: one planted finding) ----
"$STOWAWAY" serve --listen 127.0.0.1:$PORT --store $STORE --db $T/later.sqlite --db-poll 0 --workers 1 2>>$T/server.log &
SRV=$!
wait_http $U/healthz || bad "the server without a database did not start"
cp $L0/var/lib/dpkg/status $T/status.keep
mkdir -p $T/l2/etc $T/l2/var/lib/dpkg; cp $L0/etc/os-release $T/l2/etc/; cp $T/status.keep $T/l2/var/lib/dpkg/status
echo third > $T/l2/etc/marker
$MKIMAGE --format docker-archive -o $T/third.tar $T/l2 || bad "mkimage third"
"$STOWAWAY" scan -q --server $U --token $SCAN docker-archive:$T/third.tar >$T/out 2>$T/e; rc=$?
[ $rc = 2 ] && one_line $T/e && grep -q "503: no vulnerability database" $T/e && ok "server without a database: exit 2, one line (503)" ||
	bad "no database: rc $rc $(cat $T/e)"
JF=$(grep -a '"job_kind":"client"' $T/server.log | grep -a '"state":"failed"' | tail -1 | sed -n 's/.*"job":\([0-9]*\),.*/\1/p')
api GET /api/v1/scans/$JF $READ; cp $BODY $T/jf.json
[ -n "$JF" ] && [ "$(jq_ $T/jf.json 'd["state"]')" = failed ] && grep -q "no vulnerability database" <<<"$(jq_ $T/jf.json 'd["error"]')" &&
	ok "the client job failed with the reason, and stored no report" || bad "failed client job: $(cat $T/jf.json)"
cp $DB $T/later.sqlite
api POST /api/v1/scans/$JF/retry $SCAN; [ "$CODE" = 202 ] || bad "retry: $CODE $(cat $BODY)"
for _ in $(seq 100); do api GET /api/v1/scans/$JF $READ; [ "$(jq_ $BODY 'd["state"]')" = done ] && break; sleep 0.1; done
cp $BODY $T/jf.json
TDIG=$(jq_ $T/jf.json 'd["digest"]')
api GET /api/v1/images/$TDIG $READ; cp $BODY $T/third.json
[ "$(jq_ $T/jf.json 'd["state"]')" = done ] && [ "$(jq_ $T/jf.json 'd["attempts"]')" = 2 ] &&
	[ "$(finds $T/third.json)" = "CVE-2024-1001:libssl3:3.0.11-1~deb12u2:3.0.13-1~deb12u1" ] &&
	ok "retry: a worker matched the stored client inventory (attempt 2, the planted findings)" || bad "retry of the client job: $(cat $T/jf.json)"
kill -TERM $SRV; wait $SRV; SRV=
python3 -c '
import json, sys
def no_dup(pairs):
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), keys
    return dict(pairs)
for line in open(sys.argv[1], "rb"):
    json.loads(line, object_pairs_hook=no_dup)' $T/server.log && ok "every server log line is JSON (no key twice)" || bad "log lines"
grep -aq "$SCAN" $T/server.log && bad "the token is in the server log" || ok "the token is not in the server log"

[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all passed"
