#!/bin/bash
# End to end: the database as an OCI artifact (ISSUE19 item 7, docs/vulndb.md
# "The database as an OCI artifact") against Debian's docker-registry on
# 127.0.0.1 (one open, one with htpasswd basic auth):
# - db push: the manifest read back from the registry has the documented
#   artifactType, config and layer media types and the annotations (the
#   SHA-256 is sha256sum's of the file, the schema the file's user_version);
# - db pull into another path gives the same bytes, and scanning with it the
#   same findings (round trip push -> pull -> scan);
# - basic auth: push/pull with --username/--password-stdin; without
#   credentials: refused, nothing installed;
# - a tampered blob (changed in the registry's storage) is refused and the
#   local database is unchanged, no temporary file left;
# - a registry that cuts the blob mid-download (a proxy) keeps the old
#   database;
# - scan --db-pull: pulls when the local copy is missing or older than
#   --db-pull-age, not when it is fresh; a failed pull with a local copy
#   warns and scans.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
for tool in docker-registry htpasswd sqlite3; do
	command -v $tool >/dev/null 2>&1 || { echo "FAIL - $tool is not installed (scripts/setup-deps.sh)"; exit 1; }
done
T=$(mktemp -d)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
export HOME=$T/home DOCKER_CONFIG=$T/docker STOWAWAY_NO_CACHE=1 STOWAWAY_REGISTRY_BACKOFF_MS=1
mkdir -p "$HOME" "$DOCKER_CONFIG"
unset STOWAWAY_REGISTRY_USERNAME STOWAWAY_REGISTRY_PASSWORD STOWAWAY_NOW
cd "$T" || exit 1

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { python3 - "$1" <<'PY'
import sys, time, urllib.error, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen("http://127.0.0.1:%s/v2/" % sys.argv[1], timeout=1); sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit(1)
PY
}
start_registry() { # NAME [htpasswd] -> PORT
	local name=$1 auth=${2:-} cfg=$T/$1.yml
	PORT=$(free_port)
	{
		printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\n' "$T/$name-data"
		printf 'http:\n  addr: 127.0.0.1:%s\n' "$PORT"
		[ -n "$auth" ] && printf 'auth:\n  htpasswd:\n    realm: test-realm\n    path: %s\n' "$auth"
	} > "$cfg"
	docker-registry serve "$cfg" > "$T/$name.log" 2>&1 &
	PIDS+=($!)
	wait_port $PORT || { echo "FAIL - docker-registry did not start: $(tail -3 "$T/$name.log")"; exit 1; }
}
start_registry open; OPEN=$PORT
htpasswd -Bbc $T/htpasswd alice s3cret >/dev/null 2>&1
start_registry basic $T/htpasswd; BASIC=$PORT

# ---- a database and an image ----
mkdir -p osv
cat > osv/GHSA-1111-2222-3333.json <<'J'
{"id": "GHSA-1111-2222-3333", "modified": "2024-01-01T00:00:00Z", "aliases": ["CVE-2024-1234"],
 "summary": "left-pad: a planted vulnerability",
 "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.1"}]}]}],
 "database_specific": {"severity": "HIGH"}}
J
export STOWAWAY_DB=$T/local.sqlite
$STOWAWAY db update -q --source osv=$T/osv 2> upd.err || bad "db update: $(cat upd.err)"
L=$T/l0; mkdir -p $L/etc $L/app/node_modules/left-pad
printf 'ID=alpine\nVERSION_ID=3.19.0\n' > $L/etc/os-release
printf '{"name":"left-pad","version":"1.3.0"}' > $L/app/node_modules/left-pad/package.json
$MKIMAGE --format docker-archive -o img.tar $L > /dev/null || bad "mkimage"
findings() { python3 -c 'import json,sys; print(" ".join(sorted(f["id"]+"@"+f["installedVersion"] for f in json.load(open(sys.argv[1]))["vulnerabilities"])))' "$1"; }
$STOWAWAY scan -q --allow-incomplete -f json -o before.json img.tar 2> s0.err || bad "scan: $(cat s0.err)"
want=$(findings before.json)
[ "$want" = "CVE-2024-1234@1.3.0" ] && ok "the local database finds the planted vulnerability" || bad "local findings: $want"

# ---- push ----
REF=127.0.0.1:$OPEN/stowaway/vulndb:latest
$STOWAWAY db push --plain-http $REF > push.out 2> push.err && ok "db push" || bad "db push: $(cat push.err)"
python3 - $OPEN local.sqlite <<'PY' && ok "manifest: artifactType, media types, annotations (sha256sum and user_version of the file)" || bad "manifest"
import hashlib, json, sqlite3, sys, urllib.request
port, db = sys.argv[1], sys.argv[2]
req = urllib.request.Request("http://127.0.0.1:%s/v2/stowaway/vulndb/manifests/latest" % port,
                             headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
m = json.load(urllib.request.urlopen(req))
assert m["mediaType"] == "application/vnd.oci.image.manifest.v1+json", m
assert m["artifactType"] == "application/vnd.stowaway.vulndb.v1", m
assert m["config"]["mediaType"] == "application/vnd.stowaway.vulndb.config.v1+json", m
assert len(m["layers"]) == 1 and m["layers"][0]["mediaType"] == "application/vnd.stowaway.vulndb.sqlite.v1", m
data = open(db, "rb").read()
sha = hashlib.sha256(data).hexdigest()
assert m["layers"][0]["digest"] == "sha256:" + sha and m["layers"][0]["size"] == len(data), m
a = m["annotations"]
assert a["io.stowaway.vulndb.sha256"] == sha, a
ver = sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0]
assert a["io.stowaway.vulndb.schema"] == str(ver), (a, ver)
assert int(a["io.stowaway.vulndb.built"]) > 0, a
PY

# ---- pull, round trip ----
$STOWAWAY db pull --plain-http --db $T/pulled.sqlite $REF 2> pull.err && ok "db pull" || bad "db pull: $(cat pull.err)"
cmp -s local.sqlite pulled.sqlite && ok "pulled file = pushed file" || bad "pulled file differs"
$STOWAWAY scan -q --allow-incomplete --db $T/pulled.sqlite -f json -o after.json img.tar 2> s1.err || bad "scan pulled: $(cat s1.err)"
[ "$(findings after.json)" = "$want" ] && ok "round trip push -> pull -> scan: the same findings ($want)" || bad "round trip: $(findings after.json)"

# ---- basic auth ----
BREF=registry:127.0.0.1:$BASIC/priv/vulndb:v1
echo s3cret | $STOWAWAY db push --plain-http --username alice --password-stdin $BREF 2> bpush.err &&
	ok "push with --username/--password-stdin" || bad "basic push: $(cat bpush.err)"
out=$($STOWAWAY db pull --plain-http --db $T/noauth.sqlite $BREF 2>&1); rc=$?
[ $rc -eq 2 ] && [[ $out == *"needs credentials"* ]] && [ ! -e noauth.sqlite ] && ! ls noauth.sqlite.new-* >/dev/null 2>&1 &&
	ok "pull without credentials: refused, nothing installed" || bad "no-auth pull rc $rc: $out"
STOWAWAY_REGISTRY_USERNAME=alice STOWAWAY_REGISTRY_PASSWORD=s3cret $STOWAWAY db pull --plain-http --db $T/auth.sqlite $BREF 2> bpull.err &&
	cmp -s local.sqlite auth.sqlite && ok "pull with credentials from the environment" || bad "basic pull: $(cat bpull.err)"

# ---- a tampered blob ----
sha=$(sha256sum local.sqlite | cut -d' ' -f1)
blob=$T/open-data/docker/registry/v2/blobs/sha256/${sha:0:2}/$sha/data
[ -f "$blob" ] || bad "blob not found in the registry storage"
cp pulled.sqlite keep.sqlite
python3 - "$blob" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[len(b) // 2] ^= 0xff; open(p, "wb").write(bytes(b))
PY
out=$($STOWAWAY db pull --plain-http --db $T/pulled.sqlite $REF 2>&1); rc=$?
[ $rc -eq 2 ] && [[ $out == *"does not match its digest"* ]] && cmp -s keep.sqlite pulled.sqlite && ! ls pulled.sqlite.new-* >/dev/null 2>&1 &&
	ok "tampered blob refused; the local database unchanged: $out" || bad "tampered blob rc $rc: $out"
cp local.sqlite "$blob"   # repaired

# ---- manifests that lie: a wrong SHA-256 annotation, another artifact type, a newer schema ----
python3 - $OPEN <<'PY' || bad "putting the lying manifests"
import json, sys, urllib.request
port = sys.argv[1]
base = "http://127.0.0.1:%s/v2/stowaway/vulndb/manifests/" % port
req = urllib.request.Request(base + "latest", headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
m = json.load(urllib.request.urlopen(req))
def put(tag, doc):
    r = urllib.request.Request(base + tag, data=json.dumps(doc).encode(), method="PUT",
                               headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
    urllib.request.urlopen(r)
a = json.loads(json.dumps(m)); a["annotations"]["io.stowaway.vulndb.sha256"] = "0" * 64; put("badsha", a)
b = json.loads(json.dumps(m)); b["artifactType"] = "application/vnd.example.other"; put("othertype", b)
c = json.loads(json.dumps(m)); c["annotations"]["io.stowaway.vulndb.schema"] = "99"; put("future", c)
PY
for t in badsha:"SHA-256 is" othertype:"artifact type 'application/vnd.example.other'" future:"newer than this stowaway"; do
	tag=${t%%:*} msg=${t#*:}
	out=$($STOWAWAY db pull --plain-http --db $T/pulled.sqlite 127.0.0.1:$OPEN/stowaway/vulndb:$tag 2>&1); rc=$?
	[ $rc -eq 2 ] && [[ $out == *"$msg"* ]] && [ $(echo "$out" | wc -l) -eq 1 ] && cmp -s keep.sqlite pulled.sqlite &&
		! ls pulled.sqlite.new-* >/dev/null 2>&1 && ok "manifest '$tag' refused in one line, nothing changed: $out" ||
		bad "manifest $tag rc $rc: $out"
done

# ---- a registry that cuts the blob mid-download (a proxy in front of the open one) ----
PPORT=$(free_port)
python3 - $PPORT $OPEN > proxy.log 2>&1 <<'PY' &
import http.server, sys, urllib.request, urllib.error
port, up = int(sys.argv[1]), int(sys.argv[2])
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_GET(self): self.fwd(True)
    def do_HEAD(self): self.fwd(False)
    def fwd(self, body):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (up, self.path), method=self.command,
                                     headers={k: v for k, v in self.headers.items() if k.lower() in ("accept", "authorization")})
        try:
            r = urllib.request.urlopen(req); status, hdrs, data = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, hdrs, data = e.code, e.headers, e.read()
        cut = "/blobs/" in self.path and len(data) > 4096 and self.command == "GET"
        self.send_response(status)
        for k, v in hdrs.items():
            if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data[: len(data) // 2] if cut else data)
        if cut:
            self.close_connection = True
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PY
PIDS+=($!)
wait_port $PPORT || bad "proxy did not start"
out=$($STOWAWAY db pull --plain-http --db $T/pulled.sqlite 127.0.0.1:$PPORT/stowaway/vulndb:latest 2>&1); rc=$?
[ $rc -eq 2 ] && cmp -s keep.sqlite pulled.sqlite && ! ls pulled.sqlite.new-* >/dev/null 2>&1 &&
	ok "registry failing mid-download: error, the old database kept: $out" || bad "cut download rc $rc: $out"

# ---- scan --db-pull ----
export STOWAWAY_DB=$T/auto.sqlite
$STOWAWAY scan --allow-incomplete --plain-http --db-pull $REF -f json -o p1.json img.tar 2> p1.err; rc=$?
[ $rc -eq 0 ] && grep -q "pulled the database" p1.err && cmp -s local.sqlite auto.sqlite && [ "$(findings p1.json)" = "$want" ] &&
	ok "scan --db-pull without a local database: pulled, same findings" || bad "scan --db-pull rc $rc: $(cat p1.err)"
$STOWAWAY scan --allow-incomplete --plain-http --db-pull $REF -f json -o p2.json img.tar 2> p2.err; rc=$?
[ $rc -eq 0 ] && ! grep -q "pulled the database" p2.err && ok "a fresh local database is not pulled again" || bad "fresh: rc $rc $(cat p2.err)"
future=$(( $(date +%s) + 3 * 86400 ))
STOWAWAY_NOW=$future $STOWAWAY scan --allow-incomplete --plain-http --db-pull $REF --db-pull-age 48h -f json -o p3.json img.tar 2> p3.err; rc=$?
[ $rc -eq 0 ] && grep -q "pulled the database" p3.err && ok "older than --db-pull-age: pulled" || bad "old: rc $rc $(cat p3.err)"
STOWAWAY_NOW=$future $STOWAWAY scan --allow-incomplete --plain-http --db-pull 127.0.0.1:$(free_port)/nothing:here -f json -o p4.json img.tar 2> p4.err; rc=$?
[ $rc -eq 0 ] && grep -q "warning.*--db-pull" p4.err && [ "$(findings p4.json)" = "$want" ] &&
	ok "failed pull with a local database: a warning, the scan runs" || bad "failed pull: rc $rc $(cat p4.err)"
rm -f auto.sqlite
$STOWAWAY scan -q --allow-incomplete --plain-http --db-pull 127.0.0.1:$(free_port)/nothing:here img.tar > /dev/null 2> p5.err; rc=$?
[ $rc -eq 2 ] && [ ! -e auto.sqlite ] && ok "failed pull without a local database: exit 2" || bad "no db: rc $rc $(cat p5.err)"

[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all ok"
