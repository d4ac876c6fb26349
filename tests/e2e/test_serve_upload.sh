#!/bin/bash
# End to end: scans whose input is the request (issue 16 item 3), against the
# real `stowaway serve` on a free loopback port, driven with curl and Python.
# - POST /api/v1/scans/upload of a docker-archive and of an OCI archive built
#   here with planted packages -> 201, the job done, the findings of the
#   advisories planted here; the OCI image stored under its manifest digest
#   (read from index.json here); chunked (Transfer-Encoding: chunked);
# - a truncated upload (raw socket: Content-Length larger than what is sent,
#   then close) -> nothing stored, the job failed "ended early", the server fine;
# - over --max-upload (Content-Length, and chunked as it streams) -> 413;
#   a layer with a wrong digest, a wrong diff_id, not a tar, no manifest -> 400
#   with the reason, nothing stored;
# - memory: an archive with a ~300 MB layer of random bytes; the server's
#   VmHWM (/proc/PID/status) must stay far below it;
# - SBOM submission: CycloneDX and SPDX -> 201, stored under sha256 of the
#   document, matched (the planted npm advisory), secret/config "not checked";
# - cancel: DELETE of a running upload and of a running pool scan -> the job
#   failed "cancelled by NAME", nothing stored; DELETE of a done job -> 409.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
HVALID="python3 $SW_SOURCE_DIR/tests/tools/harbor_validate.py"
OAPI=$SW_SOURCE_DIR/docs/api/openapi.yaml
for tool in curl python3 sha256sum; do
	command -v $tool >/dev/null 2>&1 || { echo "FAIL - $tool is not installed (scripts/setup-deps.sh)"; exit 1; }
done
T=$(mktemp -d)
SRV=
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	declare -F store_stop >/dev/null && store_stop
	rm -rf "$T"
}
trap cleanup EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
export HOME=$T/home; mkdir -p "$HOME"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 100); do curl -s -o /dev/null -m 1 "$@" && return 0; sleep 0.1; done; return 1; }

# ---- advisories and the database (as test_serve.sh) ----
mkdir -p $T/adv/osv
cat > $T/adv/debian.json <<'J'
{"openssl": {"CVE-2024-1001": {"description": "openssl fixed upstream", "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.13-1~deb12u1", "urgency": "high", "repositories": {"bookworm": "3.0.13-1~deb12u1"}}}}}}
J
cat > $T/adv/osv/GHSA-lpad.json <<'J'
{"id": "GHSA-lpad-lpad-lpad", "modified": "2024-05-01T00:00:00Z", "aliases": ["CVE-2024-2002"],
 "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.1"}]}]}],
 "database_specific": {"severity": "LOW"}}
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
L1=$T/l1; mkdir -p $L1/srv/app; echo hello > $L1/srv/hello.txt
printf 'aws_access_key_id=AKIAZ7Q2MX4KT5RWB3NP\n' > $L1/srv/app/.env   # a planted secret
$MKIMAGE --format docker-archive -o $T/img.tar --tag app:1 $L0 $L1 || { echo "FAIL - mkimage docker-archive"; exit 1; }
$MKIMAGE --format oci-archive -o $T/img-oci.tar --compression gzip,zstd $L0 $L1 || { echo "FAIL - mkimage oci-archive"; exit 1; }
$MKIMAGE --format oci-archive -o $T/bad-digest.tar --corrupt-layer-digest 1 $L0 $L1 || exit 1
$MKIMAGE --format docker-archive -o $T/bad-diffid.tar --corrupt-diff-id 0 $L0 $L1 || exit 1
head -c 200000 /dev/urandom > $T/notatar.bin
python3 -c 'import tarfile,io,sys
t = tarfile.open(sys.argv[1], "w"); d = b"hello\n"; i = tarfile.TarInfo("hello.txt"); i.size = len(d); t.addfile(i, io.BytesIO(d)); t.close()' $T/nomanifest.tar
# the OCI archive's manifest digest, read here from its index.json
OCIDIG=$(python3 -c 'import tarfile,json,sys; t=tarfile.open(sys.argv[1]); print(json.load(t.extractfile("index.json"))["manifests"][0]["digest"])' $T/img-oci.tar)

# ---- the server ----
. "$SW_SOURCE_DIR/tests/e2e/store_lib.sh"
store_pick $T   # SW_TEST_STORE: sqlite or postgres (store_lib.sh)
PORT=$(free_port)
U=http://127.0.0.1:$PORT
READ=$("$STOWAWAY" serve token create --scope read --store $STORE reader 2>/dev/null)
SCAN=$("$STOWAWAY" serve token create --scope scan --store $STORE ci 2>/dev/null)
[[ $READ == sw_* && $SCAN == sw_* ]] || { echo "FAIL - token create"; exit 1; }
start_server() { # extra args
	# (a sanitizer build: a small quarantine, so that VmHWM measures the server, not ASan)
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=8" \
	"$STOWAWAY" serve --listen 127.0.0.1:$PORT --store $STORE --db $DB --db-poll 0 --lease 5 "$@" 2>>$T/server.log &
	SRV=$!
	wait_http $U/healthz || { echo "FAIL - the server did not start: $(tail -3 $T/server.log)"; exit 1; }
}
stop_server() { kill $SRV; wait $SRV; local rc=$?; SRV=; [ $rc = 0 ] || bad "the server exited $rc: $(grep -av '^{' $T/server.log | head -5)"; }
start_server --workers 2 --max-upload 1000000000

CODE=; BODY=$T/body; HDRS=$T/hdrs
api() { # METHOD PATH TOKEN [curl args...]
	local m=$1 p=$2 tok=$3; shift 3
	local auth=()
	[ -n "$tok" ] && auth=(-H "Authorization: Bearer $tok")
	CODE=$(curl -s -m 120 -o $BODY -D $HDRS -w '%{http_code}' -X "$m" "${auth[@]}" "$@" "$U$p")
}
jq_() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' $BODY "$1" 2>/dev/null; }
upload() { # FILE CONTENT-TYPE [curl args]
	local f=$1 ct=$2; shift 2
	api POST /api/v1/scans/upload $SCAN -H "Content-Type: $ct" --data-binary @$f "$@"
}
finds() { python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(sorted("%s:%s:%s:%s" % (v["id"], v["package"]["name"], v["installedVersion"], v["fixedVersion"]) for v in d["vulnerabilities"] if not v["suppressed"])))' $BODY; }
nimages() { api GET /api/v1/images $READ; jq_ 'len(d["images"])'; }
want="CVE-2024-1001:libssl3:3.0.11-1~deb12u2:3.0.13-1~deb12u1 CVE-2024-2002:left-pad:1.3.0:1.3.1"
oapi_ok=1

# ---- uploads ----
upload $T/img.tar application/x-tar
J1=$(jq_ 'd["id"]'); DIG=$(jq_ 'd["digest"]')
if [ "$CODE" = 201 ] && [ "$(jq_ 'd["state"]')" = done ] && [ "$(jq_ 'd["kind"]')" = upload ] && grep -qi "^Location: /api/v1/scans/$J1" $HDRS; then
	ok "docker-archive upload: 201, the job done"
else bad "docker-archive upload: $CODE $(cat $BODY)"; fi
cp $BODY $T/o-job.json; $HVALID $OAPI Job $T/o-job.json || oapi_ok=0
# a docker-archive's identity is its config digest (named in manifest.json)
CFG=$(python3 -c 'import tarfile,json,sys; t=tarfile.open(sys.argv[1]); print("sha256:" + json.load(t.extractfile("manifest.json"))[0]["Config"].split("/")[-1].replace(".json",""))' $T/img.tar)
[ "$DIG" = "$CFG" ] && ok "docker-archive stored by its config digest" || bad "docker-archive digest $DIG, want $CFG"
api GET /api/v1/images/$DIG $READ
[ "$CODE" = 200 ] && [ "$(finds)" = "$want" ] && ok "docker-archive upload: the planted findings" || bad "docker-archive findings ($CODE): $(finds)"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sc = {s["name"]: s for s in d["scanners"]}
assert sc["config"]["ran"] and sc["secret"]["ran"], sc
assert d["checks"]["ran"] and d["checks"]["results"], "no config checks"
assert "srv/app/.env" in json.dumps(d["secrets"]), d["secrets"]
' $BODY 2>$T/e && ok "upload: config checks and secrets ran in the same pass" || bad "upload scanners: $(cat $T/e)"
api GET /api/v1/images/$DIG $READ -H 'Accept: text/plain'
grep -q "app:1" <(api GET /api/v1/images $READ; cat $BODY) && ok "upload: the image is named by its RepoTags" || bad "upload name: $(cat $BODY)"
api GET /api/v1/scans/$J1 $READ
[ "$(jq_ 'd["state"]')" = done ] && [ "$(jq_ 'd["report"]')" != None ] && ok "the upload's job: done, with its report" || bad "job: $(cat $BODY)"

upload $T/img-oci.tar application/vnd.oci.image.layout.v1+tar
ODIG=$(jq_ 'd["digest"]')
[ "$CODE" = 201 ] && [ "$ODIG" = "$OCIDIG" ] && ok "OCI archive upload: 201, stored by its manifest digest" || bad "OCI upload: $CODE $(cat $BODY) want $OCIDIG"
api GET /api/v1/images/$ODIG $READ
[ "$(finds)" = "$want" ] && ok "OCI archive upload: the planted findings" || bad "OCI findings: $(finds)"

# chunked: no Content-Length; the same image again (idempotent by digest: one image, a second report)
n0=$(nimages)
upload $T/img-oci.tar application/x-tar -H 'Transfer-Encoding: chunked'
[ "$CODE" = 201 ] && [ "$(jq_ 'd["digest"]')" = "$OCIDIG" ] && ok "chunked upload: 201" || bad "chunked upload: $CODE $(cat $BODY)"
[ "$(nimages)" = "$n0" ] && ok "the same image again: still one image" || bad "images after a re-upload: $(nimages) (was $n0)"
api GET /api/v1/images/$OCIDIG/reports $READ
[ "$(jq_ 'len(d["reports"])')" = 2 ] && ok "the same image again: a second report in its history" || bad "history: $(cat $BODY)"

# ---- bad uploads: 400 with the reason, nothing stored ----
n0=$(nimages)
upload $T/bad-digest.tar application/x-tar
[ "$CODE" = 400 ] && grep -q "layer 2 'sha256:.*digest mismatch" $BODY && ok "a layer with a wrong digest: 400 naming it" || bad "wrong digest: $CODE $(cat $BODY)"
cp $BODY $T/o-err.json; $HVALID $OAPI Error $T/o-err.json || oapi_ok=0
upload $T/bad-diffid.tar application/x-tar
[ "$CODE" = 400 ] && grep -q "layer 1.*diff_id mismatch" $BODY && ok "a layer with a wrong diff_id: 400" || bad "wrong diff_id: $CODE $(cat $BODY)"
upload $T/notatar.bin application/x-tar
[ "$CODE" = 400 ] && grep -q "not a tar archive" $BODY && ok "not a tar: 400" || bad "not a tar: $CODE $(cat $BODY)"
upload $T/nomanifest.tar application/x-tar
[ "$CODE" = 400 ] && grep -q "neither manifest.json" $BODY && ok "no manifest: 400" || bad "no manifest: $CODE $(cat $BODY)"
upload $T/img.tar application/json
[ "$CODE" = 415 ] && ok "another Content-Type: 415" || bad "wrong content type: $CODE $(cat $BODY)"
api POST /api/v1/scans/upload $READ -H 'Content-Type: application/x-tar' --data-binary @$T/img.tar
[ "$CODE" = 403 ] && ok "a read token cannot upload: 403" || bad "read token upload: $CODE"
api POST /api/v1/scans/upload "" -H 'Content-Type: application/x-tar' --data-binary @$T/img.tar
[ "$CODE" = 401 ] && ok "no token: 401" || bad "no token upload: $CODE"
[ "$(nimages)" = "$n0" ] && ok "bad uploads stored no image" || bad "images after bad uploads: $(nimages) (was $n0)"

# truncated: Content-Length larger than what is sent, then close
python3 - "$PORT" "$SCAN" "$T/img.tar" > $T/trunc.out 2>&1 <<'PY'
import socket, sys
port, tok, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
data = open(path, "rb").read()
s = socket.create_connection(("127.0.0.1", port))
s.sendall(("POST /api/v1/scans/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
           "Content-Type: application/x-tar\r\nContent-Length: %d\r\n\r\n" % (tok, len(data) + 100000)).encode())
s.sendall(data[: len(data) // 2])
s.close()
PY
sleep 1
ok_trunc=0
for _ in $(seq 50); do grep -a '"kind":"upload","ms"' $T/server.log | grep -q 'ended early' && { ok_trunc=1; break; }; sleep 0.2; done
[ $ok_trunc = 1 ] && ok "truncated upload: the job failed, 'the request body ended early'" || bad "truncated upload: $(tail -3 $T/server.log)"
api GET /healthz ""; [ "$CODE" = 200 ] && [ "$(nimages)" = "$n0" ] && ok "truncated upload: nothing stored, the server fine" || bad "after truncation: $CODE"

# ---- SBOM submission ----
cat > $T/cdx.json <<'J'
{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
 "components": [{"type": "library", "name": "left-pad", "version": "1.3.0", "purl": "pkg:npm/left-pad@1.3.0"},
                {"type": "library", "name": "lodash", "version": "4.17.21", "purl": "pkg:npm/lodash@4.17.21"}]}
J
cat > $T/spdx.json <<'J'
{"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "t",
 "documentNamespace": "https://example.test/t", "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: t"]},
 "packages": [{"SPDXID": "SPDXRef-p1", "name": "left-pad", "versionInfo": "1.3.0", "downloadLocation": "NOASSERTION",
   "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/left-pad@1.3.0"}]}]}
J
for f in cdx:application/vnd.cyclonedx+json spdx:application/spdx+json; do
	name=${f%%:*}; ct=${f#*:}
	api POST "/api/v1/scans?name=sbom-$name" $SCAN -H "Content-Type: $ct" --data-binary @$T/$name.json
	sd="sha256:$(sha256sum < $T/$name.json | cut -d' ' -f1)"
	[ "$CODE" = 201 ] && [ "$(jq_ 'd["state"]')" = done ] && [ "$(jq_ 'd["kind"]')" = sbom ] && [ "$(jq_ 'd["digest"]')" = "$sd" ] &&
		ok "$name SBOM: 201, done, stored under sha256 of the document" || bad "$name SBOM: $CODE $(cat $BODY)"
	api GET /api/v1/images/$sd $READ
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
ids = sorted(v["id"] for v in d["vulnerabilities"] if not v["suppressed"])
assert ids == ["CVE-2024-2002"], ids
sc = {s["name"]: s for s in d["scanners"]}
assert not sc["secret"]["ran"] and "not checked" in sc["secret"]["reason"], sc["secret"]
assert not sc["config"]["ran"], sc["config"]
' $BODY 2>$T/e && ok "$name SBOM: matched (the planted npm advisory), secret/config not checked" || bad "$name SBOM report: $(cat $T/e)"
done
api POST /api/v1/scans $SCAN -H 'Content-Type: application/vnd.cyclonedx+json' -d '{"bomFormat": "CycloneDX", "components": ['
[ "$CODE" = 400 ] && ok "a bad SBOM: 400" || bad "bad SBOM: $CODE $(cat $BODY)"

echo "# ${SECONDS}s: small uploads and SBOMs done"
# ---- memory: a ~300 MB layer of random bytes, streamed through ----
mkdir -p $T/big/data
head -c 300000000 /dev/urandom > $T/big/data/blob.bin
$MKIMAGE --format docker-archive -o $T/big.tar $L0 $T/big || { echo "FAIL - mkimage big"; exit 1; }
rm -rf $T/big
# ---- cancel ----
echo "# ${SECONDS}s: the big archive is built"
# a running pool scan of a file the server reads, cancelled
n0=$(nimages)
# (polled and cancelled from Python: no process start between seeing it run and DELETE)
python3 - "$U" "$SCAN" "$READ" "$T/big.tar" > $T/poolcancel.out 2>&1 <<'PY'
import json, sys, time, urllib.request
u, scan, read, path = sys.argv[1:5]
def call(method, p, tok, body=None, ct=None):
    rq = urllib.request.Request(u + p, data=body, method=method, headers={"Authorization": "Bearer " + tok})
    if ct:
        rq.add_header("Content-Type", ct)
    try:
        with urllib.request.urlopen(rq, timeout=60) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)
st, job = call("POST", "/api/v1/scans", scan, json.dumps({"image": "docker-archive:" + path, "platform": "linux/amd64"}).encode(), "application/json")
jid = job["id"]
for _ in range(2000):
    st, job = call("GET", "/api/v1/scans/" + jid, read)
    if job["state"] != "pending":
        break
    time.sleep(0.005)
seen = job["state"]
st, job = call("DELETE", "/api/v1/scans/" + jid, scan)
print(seen, st, job.get("state"), job.get("error"))
PY
read -r seen st state error < $T/poolcancel.out
[ "$seen" = running ] && [ "$st" = 200 ] && [ "$state" = failed ] && [ "$error" = "cancelled by ci" ] &&
	ok "DELETE of a running pool scan: failed, 'cancelled by ci'" || bad "cancel pool scan: $(cat $T/poolcancel.out); $(grep -a '"job":' $T/server.log | tail -2)"
[ "$(nimages)" = "$n0" ] && ok "cancelled pool scan: nothing stored" || bad "images after the pool cancel: $(nimages)"
SIZE=$(stat -c %s $T/big.tar)
upload $T/big.tar application/x-tar
echo "# ${SECONDS}s: the big archive uploaded"
HWM=$(awk '/VmHWM/ {print $2}' /proc/$SRV/status)
echo "# upload of a $((SIZE / 1000000)) MB archive: server VmHWM $((HWM / 1024)) MiB"
[ "$CODE" = 201 ] && ok "a $((SIZE / 1000000)) MB archive uploaded and scanned" || bad "big upload: $CODE $(cat $BODY)"
[ "$HWM" -lt 153600 ] && ok "server peak memory $((HWM / 1024)) MiB < 150 MiB for a $((SIZE / 1000000)) MB archive" || bad "server VmHWM $HWM kB"

# ---- cancel ----
# a running upload (sent slowly), cancelled
nrun=$(grep -ac '"kind":"upload","state":"running"' $T/server.log)
(curl -s -m 120 -o $T/cancel.body -w '%{http_code}' -H "Authorization: Bearer $SCAN" -H 'Content-Type: application/x-tar' \
	--limit-rate 40M --data-binary @$T/big.tar $U/api/v1/scans/upload > $T/cancel.code) &
CURL=$!
JC=
for _ in $(seq 100); do
	[ "$(grep -ac '"kind":"upload","state":"running"' $T/server.log)" -gt "$nrun" ] && break
	sleep 0.1
done
JC=$(grep -a '"kind":"upload","state":"running"' $T/server.log | tail -1 | sed 's/.*"job":\([0-9]*\).*/\1/')
sleep 1
n0=$(nimages)
api DELETE /api/v1/scans/$JC $SCAN
[ "$CODE" = 200 ] && [ "$(jq_ 'd["state"]')" = failed ] && [ "$(jq_ 'd["error"]')" = "cancelled by ci" ] &&
	ok "DELETE of a running upload: failed, 'cancelled by ci'" || bad "cancel upload $JC: $CODE $(cat $BODY)"
wait $CURL
[ "$(cat $T/cancel.code)" = 409 ] && grep -q "cancelled by ci" $T/cancel.body && ok "the cancelled upload's request: 409 with the reason" || bad "cancelled upload answer: $(cat $T/cancel.code) $(cat $T/cancel.body)"
[ "$(nimages)" = "$n0" ] && ok "cancelled upload: nothing stored" || bad "images after cancel: $(nimages)"
api DELETE /api/v1/scans/$J1 $SCAN
[ "$CODE" = 409 ] && grep -q "is done" $BODY && ok "DELETE of a done job: 409" || bad "cancel done job: $CODE $(cat $BODY)"
[ $oapi_ok = 1 ] && ok "answers match the OpenAPI document's schemas" || bad "OpenAPI schemas"
stop_server

# ---- over --max-upload: from Content-Length, and as a chunked body streams ----
start_server --max-upload 5000
upload $T/img.tar application/x-tar
[ "$CODE" = 413 ] && grep -q "max-upload" $BODY && ok "over --max-upload (Content-Length): 413" || bad "oversize CL: $CODE $(cat $BODY)"
upload $T/img.tar application/x-tar -H 'Transfer-Encoding: chunked'
[ "$CODE" = 413 ] && ok "over --max-upload (chunked, as it streams): 413" || bad "oversize chunked: $CODE $(cat $BODY)"
[ "$(nimages)" = "$n0" ] && ok "oversize uploads stored nothing" || bad "images after oversize: $(nimages)"
api GET /healthz ""; [ "$CODE" = 200 ] && ok "the server is fine" || bad "healthz $CODE"
stop_server

python3 -c '
import json, sys
for line in open(sys.argv[1], "rb"):
    json.loads(line)
' $T/server.log && ok "every log line is one JSON object" || bad "log lines"
[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all ok"
