#!/bin/bash
# test_db_update_safety.sh - `db update` never loses data silently.
#
# A database is built from real data (../shared/data/vuln: RustSec OSV
# records zipped here, the Debian DSA list gzipped here, the CISA KEV
# catalogue), then each file is replaced the way a bad download would
# replace it: a zip cut short, an HTML error page saved as all.zip, a gzip
# cut short, an empty JSON document, a 0-byte file, a JSON file cut short,
# an HTML page served by HTTP, an HTTP error.  Each time the update must exit 2, name the source on stderr and in
# `db info`, keep that source's previous records (found again by `db
# search`), and still install the other sources' fresh data.  A record
# count falling by more than --max-drop needs --force.  Expected counts are
# computed here from the input files, never from stowaway's output.
# Fails without shared data.
set -u
: "${STOWAWAY:?set STOWAWAY to the stowaway binary}"
D=${SW_SHARED_DATA:-}/vuln
if [ -z "${SW_SHARED_DATA:-}" ] || [ ! -d "$D" ]; then
  echo "FAIL: needs ../shared/data/vuln (set SW_SHARED_DATA); it is absent"
  exit 1
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/sw-db-safety-XXXXXX")
SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
fails=0
pass=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL: $1"; fails=$((fails + 1)); fi; }

DB=$T/db/vulndb.sqlite
M=$T/mirror
mkdir -p "$M" "$T/good"

# --- the good inputs, and the facts the checks compare with (from the inputs)
python3 - "$D" "$T" <<'P' || { echo "FAIL: cannot prepare the inputs"; exit 1; }
import gzip, json, lzma, sys, tarfile, zipfile
d, t = sys.argv[1], sys.argv[2]
recs = []
with tarfile.open(d + "/osv/rustsec-advisory-db-osv.tar.xz") as tf:
    for m in tf.getmembers():
        if m.isfile() and m.name.endswith(".json"):
            recs.append((m.name.split("/")[-1], tf.extractfile(m).read()))
recs.sort()
ids = [json.loads(b)["id"] for _, b in recs]
def write_zip(path, rs):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in rs:
            z.writestr("osv/" + n, b)
write_zip(t + "/good/all.zip", recs)
keep = len(recs) * 3 // 10                      # a legitimate 70 % drop
write_zip(t + "/good/small.zip", recs[:keep])
dsa = lzma.open(d + "/debian/tracker-data-DSA-list.txt.xz").read()
with gzip.open(t + "/good/DSA-list.txt.gz", "wb") as g:
    g.write(dsa)
dsa_ids = [l.split()[3].decode() for l in dsa.splitlines() if l.startswith(b"[")]
kev = json.load(lzma.open(d + "/kev/known_exploited_vulnerabilities.json.xz"))
json.dump(kev, open(t + "/good/kev.json", "w"))
kev90 = dict(kev, vulnerabilities=kev["vulnerabilities"][: len(kev["vulnerabilities"]) * 9 // 10])
json.dump(kev90, open(t + "/good/kev90.json", "w"))
open(t + "/facts.sh", "w").write(
    "N_OSV=%d\nN_OSV_SMALL=%d\nLAST_OSV=%s\nN_DSA=%d\nLAST_DSA=%s\nN_KEV=%d\nN_KEV90=%d\n"
    % (len(set(ids)), len(set(ids[:keep])), ids[-1], len(set(dsa_ids)), dsa_ids[-1],
       len(kev["vulnerabilities"]), len(kev90["vulnerabilities"])))
P
. "$T/facts.sh"
cp "$T/good/all.zip" "$M/all.zip"
cp "$T/good/DSA-list.txt.gz" "$M/DSA-list.txt.gz"
cp "$T/good/kev.json" "$M/kev.json"
SRC="--source osv=$M/all.zip --source debian=$M/DSA-list.txt.gz --source kev=$M/kev.json"

# count SOURCE: records of a source in `db info --json`; err SOURCE: its last error
count() { $STOWAWAY db info --db "$DB" --json | python3 -c "import json,sys; print(sum(s['records'] for s in json.load(sys.stdin)['sources'] if s['name']=='$1'))"; }
lasterr() { $STOWAWAY db info --db "$DB" --json | python3 -c "import json,sys; print(' '.join(s['last_error'] or '' for s in json.load(sys.stdin)['sources'] if s['name']=='$1'))"; }
found() { $STOWAWAY db search "$1" --db "$DB" > /dev/null 2>&1; }

$STOWAWAY db update -q --db "$DB" $SRC 2> "$T/err"
rc=$?
check "good data: exit 0 (rc $rc: $(head -c 300 "$T/err"))" '[ $rc -eq 0 ]'
check "good data: osv has every record ($N_OSV)" '[ "$(count osv)" = "$N_OSV" ]'
check "good data: debian has every DSA ($N_DSA)" '[ "$(count debian)" = "$N_DSA" ]'
check "good data: kev has every entry ($N_KEV)" '[ "$(count kev)" = "$N_KEV" ]'
check "good data: the last OSV record is there" 'found "$LAST_OSV"'

# expect_kept CASE SOURCE N LAST: exit 2, source named, N records kept, LAST found
expect_kept() {
  local what=$1 src=$2 n=$3 last=$4
  check "$what: exit 2 (rc $rc)" '[ $rc -eq 2 ]'
  check "$what: stderr names source '$src' ($(tr '\n' ' ' < "$T/err" | head -c 400))" 'grep -q "source .$src." "$T/err"'
  check "$what: stderr says the previous records were kept" 'grep -q "kept" "$T/err"'
  check "$what: $src still has its $n records" '[ "$(count "$src")" = "$n" ]'
  check "$what: $last is still found" 'found "$last"'
  check "$what: db info shows the error for $src" '[ -n "$(lasterr "$src")" ]'
}

# 1. a zip cut short; the KEV file changed at the same time (fresh data must land)
head -c $(($(stat -c %s "$T/good/all.zip") / 2)) "$T/good/all.zip" > "$M/all.zip"
cp "$T/good/kev90.json" "$M/kev.json"
$STOWAWAY db update -q --db "$DB" $SRC 2> "$T/err"
rc=$?
expect_kept "truncated zip" osv "$N_OSV" "$LAST_OSV"
check "truncated zip: the other sources' fresh data is installed (kev $N_KEV90)" '[ "$(count kev)" = "$N_KEV90" ]'
check "truncated zip: the message names the file" 'grep -q "all.zip" "$T/err"'

# 2. an HTML error page saved as all.zip
printf '<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>\n<body>try later</body></html>\n' > "$M/all.zip"
$STOWAWAY db update -q --db "$DB" $SRC 2> "$T/err"
rc=$?
expect_kept "HTML page as all.zip" osv "$N_OSV" "$LAST_OSV"
check "HTML page as all.zip: says it is not a zip archive" 'grep -qi "not a zip" "$T/err"'
cp "$T/good/all.zip" "$M/all.zip"

# 3. a gzip cut short
head -c $(($(stat -c %s "$T/good/DSA-list.txt.gz") * 2 / 3)) "$T/good/DSA-list.txt.gz" > "$M/DSA-list.txt.gz"
$STOWAWAY db update -q --db "$DB" $SRC 2> "$T/err"
rc=$?
expect_kept "truncated gzip" debian "$N_DSA" "$LAST_DSA"
# 3b. a file that is not gzip at all under a .gz name
printf 'Service Unavailable\n' > "$M/DSA-list.txt.gz"
$STOWAWAY db update -q --db "$DB" $SRC 2> "$T/err"
rc=$?
expect_kept "plain text as .gz" debian "$N_DSA" "$LAST_DSA"
cp "$T/good/DSA-list.txt.gz" "$M/DSA-list.txt.gz"

# 4. an empty JSON document, a 0-byte file and a JSON file cut short in
# place of the KEV catalogue
head -c $(($(stat -c %s "$T/good/kev.json") / 2)) "$T/good/kev.json" > "$T/good/kev-cut.json"
for empty in '{}' '[]' '' cut; do
  if [ "$empty" = cut ]; then cp "$T/good/kev-cut.json" "$M/kev.json"; else printf '%s' "$empty" > "$M/kev.json"; fi
  $STOWAWAY db update -q --db "$DB" $SRC 2> "$T/err"
  rc=$?
  check "kev '$empty': exit 2 (rc $rc)" '[ $rc -eq 2 ]'
  check "kev '$empty': stderr names the source" 'grep -q "source .kev." "$T/err"'
  check "kev '$empty': the KEV entries are kept" '[ "$(count kev)" = "$N_KEV90" ]'
done
cp "$T/good/kev90.json" "$M/kev.json"

# nothing left behind by the failed updates
check "no temporary files left" '[ -z "$(ls "$T/db" | grep new-)" ]'

# 5. a legitimate drop of 70 %: refused by default, accepted with --force
cp "$T/good/small.zip" "$M/all.zip"
$STOWAWAY db update -q --db "$DB" $SRC 2> "$T/err"
rc=$?
expect_kept "70% drop without --force" osv "$N_OSV" "$LAST_OSV"
check "70% drop: the message points at --force" 'grep -q -- "--force" "$T/err"'
$STOWAWAY db update -q --db "$DB" --max-drop 0.8 $SRC 2> "$T/err"
rc=$?
check "70% drop with --max-drop 0.8: exit 0 (rc $rc: $(head -c 300 "$T/err"))" '[ $rc -eq 0 ]'
check "70% drop with --max-drop 0.8: $N_OSV_SMALL records" '[ "$(count osv)" = "$N_OSV_SMALL" ]'
cp "$T/good/all.zip" "$M/all.zip"
$STOWAWAY db update -q --db "$DB" $SRC 2> /dev/null
cp "$T/good/small.zip" "$M/all.zip"
$STOWAWAY db update -q --db "$DB" --force $SRC 2> "$T/err"
rc=$?
check "70% drop with --force: exit 0 (rc $rc: $(head -c 300 "$T/err"))" '[ $rc -eq 0 ]'
check "70% drop with --force: $N_OSV_SMALL records" '[ "$(count osv)" = "$N_OSV_SMALL" ]'
check "70% drop with --force: the error is cleared" '[ -z "$(lasterr osv)" ]'
check "70% drop with --force: the dropped record is gone" '! found "$LAST_OSV"'
# --force does not accept a broken archive
head -c $(($(stat -c %s "$T/good/small.zip") / 2)) "$T/good/small.zip" > "$M/all.zip"
$STOWAWAY db update -q --db "$DB" --force $SRC 2> "$T/err"
rc=$?
check "--force with a truncated zip: exit 2" '[ $rc -eq 2 ]'
check "--force with a truncated zip: records kept" '[ "$(count osv)" = "$N_OSV_SMALL" ]'

# bad option values are usage errors
$STOWAWAY db update --db "$DB" --max-drop 1.5 $SRC > /dev/null 2>&1
check "--max-drop 1.5 is a usage error" '[ $? -eq 64 ]'
$STOWAWAY db update --db "$DB" --max-bad x $SRC > /dev/null 2>&1
check "--max-bad x is a usage error" '[ $? -eq 64 ]'

# 6. HTTP: an HTML page (Content-Type text/html) served for kev.json and an
# HTML body served for all.zip, after a good update from the same URLs; the
# server answers 200 with FILE's bytes and FILE.type's content type
mkdir -p "$T/www"
cp "$T/good/kev.json" "$T/www/kev.json"
cp "$T/good/all.zip" "$T/www/all.zip"
cat > "$T/serve.py" <<'P'
import http.server, os, sys
root = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        p = os.path.join(root, os.path.basename(self.path))
        if not os.path.isfile(p):
            self.send_error(404)
            return
        body = open(p, "rb").read()
        ctype = open(p + ".type").read().strip() if os.path.exists(p + ".type") else "application/octet-stream"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print("port %d" % s.server_address[1], flush=True)
s.serve_forever()
P
python3 -u "$T/serve.py" "$T/www" > "$T/http.log" 2>&1 &
SERVER_PID=$!
port=
for _ in $(seq 50); do
  port=$(sed -n 's/^port \([0-9]*\).*/\1/p' "$T/http.log" | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
if [ -n "$port" ]; then
  DB=$T/db/http.sqlite
  U="http://127.0.0.1:$port"
  HSRC="--retries 0 --source kev=$U/kev.json --source osv=$U/all.zip"
  $STOWAWAY db update -q --db "$DB" $HSRC 2> "$T/err"
  rc=$?
  check "http good data: exit 0 (rc $rc: $(head -c 300 "$T/err"))" '[ $rc -eq 0 ]'
  printf '<html><body>Service Unavailable</body></html>\n' > "$T/www/kev.json"
  printf 'text/html; charset=utf-8\n' > "$T/www/kev.json.type"
  printf '<!doctype html><html><body>Service Unavailable</body></html>\n' > "$T/www/all.zip"
  $STOWAWAY db update -q --db "$DB" $HSRC 2> "$T/err"
  rc=$?
  check "http HTML: exit 2 (rc $rc)" '[ $rc -eq 2 ]'
  check "http HTML: names kev ($(tr '\n' ' ' < "$T/err" | head -c 400))" 'grep -q "source .kev." "$T/err"'
  check "http HTML: says text/html" 'grep -q "text/html" "$T/err"'
  check "http HTML: names osv" 'grep -q "source .osv." "$T/err"'
  check "http HTML: osv records kept" '[ "$(count osv)" = "$N_OSV" ]'
  check "http HTML: kev records kept" '[ "$(count kev)" = "$N_KEV" ]'
  # an HTML body sent as JSON is refused as well
  rm "$T/www/kev.json.type"
  $STOWAWAY db update -q --db "$DB" $HSRC 2> "$T/err"
  rc=$?
  check "http HTML body typed as data: exit 2 (rc $rc)" '[ $rc -eq 2 ]'
  check "http HTML body typed as data: kev records kept" '[ "$(count kev)" = "$N_KEV" ]'
  # an HTTP error keeps the records and exits 2 too
  rm "$T/www/all.zip"
  $STOWAWAY db update -q --db "$DB" $HSRC 2> "$T/err"
  rc=$?
  check "http 404: exit 2 (rc $rc)" '[ $rc -eq 2 ]'
  check "http 404: names the source and the status" 'grep -q "source .osv." "$T/err" && grep -q "404" "$T/err"'
  check "http 404: records kept" '[ "$(count osv)" = "$N_OSV" ]'
else
  check "could not start a local http server" false
fi

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
