#!/bin/bash
# test_db_cli.sh - `stowaway db update|info|search|export|import` on small
# fixtures written here: bad records counted, failed sources keep the cached
# database, export/import round trip with checksum, --max-db-age, HTTP with
# Last-Modified / 304 from a local server on 127.0.0.1.
set -u
: "${STOWAWAY:?set STOWAWAY to the stowaway binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/sw-db-cli-XXXXXX")
SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
fails=0
pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { if eval "$2"; then ok; else bad "$1"; fi; }

DB=$T/cache/vulndb.sqlite
mkdir -p "$T/src/npm" "$T/src/pypi"
cat > "$T/src/npm/GHSA-test-0001-aaaa.json" <<'J'
{"id": "GHSA-test-0001-aaaa", "modified": "2024-01-02T00:00:00Z", "published": "2024-01-01T00:00:00Z",
 "aliases": ["CVE-2024-11111"], "summary": "prototype pollution in left-pad",
 "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.0"}]}]}],
 "database_specific": {"severity": "HIGH", "cwe_ids": ["CWE-1321"]}}
J
cat > "$T/src/pypi/PYSEC-2024-1.yaml" <<'Y'
id: PYSEC-2024-1
modified: "2024-03-01T00:00:00Z"
aliases:
- CVE-2024-22222
affected:
- package:
    name: Some_Lib
    ecosystem: PyPI
  ranges:
  - type: ECOSYSTEM
    events:
    - introduced: 0
    - fixed: 2.10
Y
printf '{"id": "BROKEN-1", "modified": 5}' > "$T/src/npm/BROKEN-1.json"
printf '{"id": ' > "$T/src/npm/TRUNCATED.json"

# --- update from a folder: half its records are bad, more than the default
# --max-bad (1 %) allows: nothing is installed; with --max-bad 1 they are counted
$STOWAWAY db update --db "$DB" --source osv="$T/src" 2> "$T/err"
check "too many bad records: exit 2" '[ $? -eq 2 ]'
check "too many bad records: says so" 'grep -q "source .osv.: .*2 of 4 records could not be read" "$T/err"'
check "too many bad records: no database" '[ ! -e "$DB" ]'
$STOWAWAY db update --db "$DB" --max-bad 1 --source osv="$T/src" 2> "$T/err"
check "update from folder exits 0" '[ $? -eq 0 ]'
check "update summary on stderr" 'grep -q "2 records, 2 bad" "$T/err"'
$STOWAWAY db info --db "$DB" > "$T/info"
check "info exits 0" '[ $? -eq 0 ]'
check "info shows schema" 'grep -q "^schema version:  4" "$T/info"'
check "info shows osv counts" 'grep -Eq "^osv +2 +2 " "$T/info"'
check "info names the bad file and record" 'grep -q "BROKEN-1.json: BROKEN-1: .modified. is not a string" "$T/info"'
check "info names the unparsable file" 'grep -q "TRUNCATED.json: -: .*bad JSON" "$T/info"'
$STOWAWAY db info --db "$DB" --json > "$T/info.json"
check "info --json counts" 'python3 -c "import json,sys; d=json.load(open(\"$T/info.json\")); assert d[\"vulnerabilities\"]==2 and d[\"sources\"][0][\"bad_records\"]==2, d" '

# --- search
out=$($STOWAWAY db search CVE-2024-11111 --db "$DB")
check "search by alias exits 0" '[ $? -eq 0 ]'
check "search by alias finds the GHSA" 'echo "$out" | grep -q "^id: *GHSA-test-0001-aaaa"'
check "search shows the range" 'echo "$out" | grep -q "SEMVER\[introduced=0 fixed=1.3.0\]"'
out=$($STOWAWAY db search some.lib --ecosystem PyPI --json --db "$DB")
check "search PyPI by a PEP 503 spelling" 'echo "$out" | python3 -c "import json,sys; d=json.load(sys.stdin); assert d[0][\"id\"]==\"PYSEC-2024-1\" and d[0][\"affected\"][\"ranges\"][0][\"events\"][1][\"fixed\"]==\"2.10\", d"'
$STOWAWAY db search no-such-thing --db "$DB" > /dev/null 2>&1
check "search with no match exits 1" '[ $? -eq 1 ]'

# --- usage errors
$STOWAWAY db update --db "$DB" --source nosuch=/x > /dev/null 2>&1
check "unknown source is a usage error" '[ $? -eq 64 ]'
$STOWAWAY db frobnicate > /dev/null 2>&1
check "unknown subcommand is a usage error" '[ $? -eq 64 ]'
$STOWAWAY db update --help | grep -q "offline-data"
check "update --help documents --offline-data" '[ $? -eq 0 ]'

# --- a failing source keeps the cached database, and the update fails
$STOWAWAY db update --db "$DB" --source osv="$T/does-not-exist" 2> "$T/err"
check "failed source with cache exits 2" '[ $? -eq 2 ]'
check "failed source warns" 'grep -q "warning: source .osv.: .*does-not-exist" "$T/err"'
check "cached db still answers" '$STOWAWAY db search GHSA-test-0001-aaaa --db "$DB" > /dev/null'
check "db info names the failure" '$STOWAWAY db info --db "$DB" | grep -q "last error: .*does-not-exist"'
$STOWAWAY db update --db "$T/none/db.sqlite" --source osv="$T/does-not-exist" 2> /dev/null
check "failed source without cache exits 2" '[ $? -eq 2 ]'
check "and leaves no database" '[ ! -e "$T/none/db.sqlite" ]'

# --- a foreign SQLite file is never replaced; a damaged database is rebuilt
python3 -c "import sqlite3; c=sqlite3.connect('$T/foreign.sqlite'); c.execute('CREATE TABLE mine(x)'); c.commit()"
sum_before=$(sha256sum < "$T/foreign.sqlite")
$STOWAWAY db update --db "$T/foreign.sqlite" --source osv="$T/src" 2> "$T/err"
check "foreign sqlite file: update exits 2" '[ $? -eq 2 ]'
check "foreign sqlite file: message says so" 'grep -q "not a stowaway vulnerability database" "$T/err"'
check "foreign sqlite file: left as it was" '[ "$(sha256sum < "$T/foreign.sqlite")" = "$sum_before" ]'
head -c 3000 /dev/urandom > "$T/damaged.sqlite"
$STOWAWAY db update --db "$T/damaged.sqlite" --max-bad 1 --source osv="$T/src" 2> "$T/err"
check "damaged database: rebuilt (exit 0)" '[ $? -eq 0 ]'
check "damaged database: warned" 'grep -q "cached database is unusable" "$T/err"'
check "damaged database: now answers" '$STOWAWAY db search PYSEC-2024-1 --db "$T/damaged.sqlite" > /dev/null'

# --- nothing reachable: fall back to the offline folder, and say so
mkdir -p "$T/offline/osv"
tar -C "$T/src" -cJf "$T/offline/osv/fixtures.tar.xz" npm pypi
STOWAWAY_OFFLINE_DATA="$T/offline" $STOWAWAY db update --db "$T/fallback/db.sqlite" --retries 0 --max-bad 1 \
  --source osv=http://127.0.0.1:1/all.zip --source osv=http://127.0.0.1:1/other.zip 2> "$T/err"
check "unreachable source with offline data exits 0" '[ $? -eq 0 ]'
check "says it falls back to offline data" 'grep -q "no source could be read; building from offline data" "$T/err"'
check "second URL on the dead host fails at once" 'grep -q "host unreachable earlier in this update" "$T/err"'
check "offline fallback has the records" '$STOWAWAY db search PYSEC-2024-1 --db "$T/fallback/db.sqlite" > /dev/null'

# --- age
now=$(date +%s)
STOWAWAY_NOW=$((now + 3 * 86400)) $STOWAWAY db info --db "$DB" --max-db-age 2d > /dev/null 2>&1
check "older than --max-db-age exits 1" '[ $? -eq 1 ]'
STOWAWAY_NOW=$((now + 3 * 86400)) $STOWAWAY db info --db "$DB" --max-db-age 4d > /dev/null 2>&1
check "younger than --max-db-age exits 0" '[ $? -eq 0 ]'

# --- export / import
$STOWAWAY db export "$T/db.swdb" --db "$DB" 2> /dev/null
check "export exits 0" '[ $? -eq 0 ]'
check "export starts with the magic" '[ "$(head -c 5 "$T/db.swdb")" = "SWVDB" ]'
DB2=$T/other/vulndb.sqlite
$STOWAWAY db import "$T/db.swdb" --db "$DB2" 2> /dev/null
check "import exits 0" '[ $? -eq 0 ]'
check "imported db answers" '$STOWAWAY db search CVE-2024-22222 --db "$DB2" | grep -q PYSEC-2024-1'
check "imported db has the same counts" '[ "$($STOWAWAY db info --db "$DB2" --json | grep -c "\"vulnerabilities\": 2")" = 1 ]'
cp "$T/db.swdb" "$T/flip.swdb"
size=$(stat -c %s "$T/flip.swdb")
printf '\x00' | dd of="$T/flip.swdb" bs=1 seek=$((size / 2)) conv=notrunc 2> /dev/null
$STOWAWAY db import "$T/flip.swdb" --db "$DB2" 2> "$T/err"
check "damaged export is refused (exit 2)" '[ $? -eq 2 ]'
check "damaged export: message names the file" 'grep -q "flip.swdb" "$T/err"'
head -c $((size - 20)) "$T/db.swdb" > "$T/short.swdb"
$STOWAWAY db import "$T/short.swdb" --db "$DB2" 2> /dev/null
check "truncated export is refused" '[ $? -eq 2 ]'
check "database survives refused imports" '$STOWAWAY db search PYSEC-2024-1 --db "$DB2" > /dev/null'
check "no temporary files left" '[ -z "$(ls "$T/other" | grep new-)" ]'

# --- http: Last-Modified remembered, 304 is "unchanged"
mkdir -p "$T/www"
python3 - "$T" <<'P'
import sys, zipfile
t = sys.argv[1]
with zipfile.ZipFile(t + '/www/all.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    z.write(t + '/src/npm/GHSA-test-0001-aaaa.json', 'GHSA-test-0001-aaaa.json')
    z.write(t + '/src/pypi/PYSEC-2024-1.yaml', 'PYSEC-2024-1.yaml')
P
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$T/www" > "$T/http.log" 2>&1 &
SERVER_PID=$!
port=
for _ in $(seq 50); do
  port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$T/http.log" | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
if [ -n "$port" ]; then
  DB3=$T/http/db.sqlite
  $STOWAWAY db update --db "$DB3" --source osv="http://127.0.0.1:$port/all.zip" 2> "$T/err"
  check "http update exits 0" '[ $? -eq 0 ]'
  check "http update read 2 records" 'grep -q "1 location(s) read, 0 unchanged, 0 failed; 2 records" "$T/err"'
  $STOWAWAY db update --db "$DB3" --source osv="http://127.0.0.1:$port/all.zip" 2> "$T/err"
  check "second http update is unchanged (304)" 'grep -q "0 location(s) read, 1 unchanged" "$T/err"'
  check "still 2 records after 304" '$STOWAWAY db info --db "$DB3" | grep -Eq "^osv +2 +0 "'
  printf 'all.zip\n' > "$T/www/archive_latest.txt"
  $STOWAWAY db update --db "$T/http/latest.sqlite" --source osv="http://127.0.0.1:$port/archive_latest.txt" 2> "$T/err"
  check "archive_latest.txt is followed to the archive" 'grep -q "1 location(s) read, 0 unchanged, 0 failed; 2 records" "$T/err"'
  $STOWAWAY db update --db "$DB3" --retries 1 --source osv="http://127.0.0.1:$port/missing.zip" 2> "$T/err"
  check "http 404 with cache exits 2" '[ $? -eq 2 ]'
  check "http 404 warns with the status" 'grep -q "HTTP status 404" "$T/err"'
else
  bad "could not start a local http server"
fi

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
