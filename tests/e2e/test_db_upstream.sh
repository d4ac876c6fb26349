#!/bin/bash
# test_db_upstream.sh - every default source of `db update`, end to end,
# through a loopback server standing in for the upstreams.
#
# The default locations come from the binary's own table (`db sources
# --json`); tests/tools/mkupstream.py writes, for each, a file in the
# upstream's real format at the upstream's real path (from the real samples
# in ../shared/data/vuln, or small ones it writes), and
# tests/tools/fakeupstream.py serves them (ETag, Last-Modified, the NVD API
# with paging and a 403 + Retry-After rate limit, faults on demand).
# `db update` runs with STOWAWAY_UPSTREAM_OVERRIDE redirecting only the
# hosts.  Then:
#   1. a full update stores the ids the served files hold, for every source;
#   2. a second update with nothing changed downloads next to nothing (the
#      server's request log) and keeps every record;
#   3. an hour later upstream (one OSV record, one NVD CVE and one Red Hat
#      VEX file changed, a VEX file deleted, a KEV entry dropped) only the
#      changes are fetched and applied;
#   4. faults (500, truncated body, rate limit, HTML content type) keep the
#      failed sources' records, name them on stderr, exit 2, and the other
#      sources still update.
# Fails without shared data.
set -u
: "${STOWAWAY:?set STOWAWAY to the stowaway binary}"
D=${SW_SHARED_DATA:-}/vuln
if [ -z "${SW_SHARED_DATA:-}" ] || [ ! -d "$D" ]; then
  echo "FAIL: needs ../shared/data/vuln (set SW_SHARED_DATA); it is absent"
  exit 1
fi
TOOLS=${SW_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tools
T=$(mktemp -d "${TMPDIR:-/tmp}/sw-db-upstream-XXXXXX")
SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
fails=0
pass=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL: $1"; fails=$((fails + 1)); fi; }
W=$T/www
DB=$T/vulndb.sqlite
LOG=$T/requests.jsonl

# --- the table, the files, the server
$STOWAWAY db sources --json > "$T/sources.json" 2> "$T/err"
check "db sources --json exits 0 ($(head -c 200 "$T/err"))" '[ $? -eq 0 ]'
python3 "$TOOLS/mkupstream.py" build "$W" "$T/sources.json" "$D" > "$T/mk.out" 2>&1 ||
  { echo "FAIL: mkupstream.py build: $(tail -5 "$T/mk.out")"; exit 1; }
python3 -u "$TOOLS/fakeupstream.py" "$W" "$LOG" > "$T/server.out" 2>&1 &
SERVER_PID=$!
port=
for _ in $(seq 100); do
  port=$(sed -n 's/^port \([0-9]*\).*/\1/p' "$T/server.out" | head -1)
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { echo "FAIL: the fake upstream server did not start: $(cat "$T/server.out")"; exit 1; }
STOWAWAY_UPSTREAM_OVERRIDE=$(python3 -c "
import json, sys
print(','.join('%s=http://127.0.0.1:%s/%s' % (h, sys.argv[2], h) for h in json.load(open(sys.argv[1]))['hosts']))
" "$W/facts.json" "$port")
export STOWAWAY_UPSTREAM_OVERRIDE STOWAWAY_NVD_DELAY_MS=0 STOWAWAY_RETRY_DELAY_MS=50

# the override changes what is fetched, not the table
$STOWAWAY db sources --json > "$T/sources2.json"
check "db sources: every default URL is fetched from the loopback server" "python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))
assert len(t) > 20, len(t)
for e in t:
    h = e[\"url\"].split(\"/\")[2]
    assert e[\"fetched_from\"] == \"http://127.0.0.1:$port/\" + h + e[\"url\"].split(h, 1)[1], e
' '$T/sources2.json'"
STOWAWAY_UPSTREAM_OVERRIDE=nohost $STOWAWAY db update --db "$T/x.sqlite" 2> "$T/err"
rc=$?
check "a bad override is refused (rc $rc)" '[ $rc -eq 2 ] && [ "$(wc -l < "$T/err")" -eq 1 ] && grep -q "STOWAWAY_UPSTREAM_OVERRIDE" "$T/err"'

# requests of the last update, as "STATUS BYTES PATH" lines
requests() { python3 -c "
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    print(r['status'], r['bytes'], r['path'])
" "$LOG"; }
# ids per source in the database vs the served files (mkupstream's expected.json)
ids_check() { python3 - "$DB" "$W/expected.json" <<'P'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
exp = json.load(open(sys.argv[2]))
bad = []
def have(src):
    s = set()
    for t, col in (("vulns", "vid"), ("kev", "cve"), ("epss", "cve"), ("exploits", "cve")):
        s |= {r[0] for r in db.execute("SELECT x.%s FROM %s x JOIN locations l ON l.id = x.loc WHERE l.source = ?"
                                       % (col, t), (src,))}
    return s
for src, ids in exp["all"].items():
    h = have(src)
    if not h:
        bad.append("%s: no records" % src)
    miss = sorted(set(ids) - h)
    if miss:
        bad.append("%s: %d of %d ids missing, e.g. %s" % (src, len(miss), len(ids), miss[:3]))
for src, ids in exp["within"].items():
    h = have(src)
    extra = sorted(h - set(ids))
    if not h or extra:
        bad.append("%s: %d records, not named by the served files: %s" % (src, len(h), extra[:3]))
print("\n".join(bad))
P
}
count_all() { python3 -c "
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(' '.join('%s=%s' % r for r in db.execute('SELECT source, sum(records) FROM locations GROUP BY source ORDER BY source')))
" "$DB"; }

# --- 1. full update (the NVD answers its first request with 403 + Retry-After)
NVD_PATH=$(python3 -c "import json,sys; n=json.load(open(sys.argv[1]))['nvd']; print('/'+n['host']+n['path'])" "$W/facts.json")
printf '{"%s": {"kind": "ratelimit", "count": 1}}\n' "$NVD_PATH" > "$W/faults.json"
: > "$LOG"
s0=$(date +%s.%N)
$STOWAWAY db update --db "$DB" 2> "$T/err1"
rc=$?
s1=$(date +%s.%N)
check "full update exits 0 (rc $rc: $(grep -v reading "$T/err1" | head -c 600))" '[ $rc -eq 0 ]'
out=$(ids_check)
check "full update: every source holds the ids of the files served: $out" '[ -z "$out" ]'
requests > "$T/req1"
check "every default URL was requested at its own path" "python3 -c '
import json, sys, urllib.parse
paths = {l.split(\" \", 2)[2].strip().split(\"?\")[0] for l in open(sys.argv[2])}
for e in json.load(open(sys.argv[1])):
    u = urllib.parse.urlsplit(e[\"url\"])
    assert \"/\" + u.netloc + u.path in paths, e[\"url\"]
' '$T/sources.json' '$T/req1'"
check "the NVD rate limit (403, Retry-After) was waited out" 'grep -q "^403 .*cves/2.0" "$T/req1"'
NPAGES=$(grep -c "^200 .*cves/2.0?startIndex=" "$T/req1")
NNVD=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['all']['nvd']))" "$W/expected.json")
check "the NVD was read in pages of at most 3 ($NPAGES pages for $NNVD CVEs)" '[ "$NPAGES" -eq $(( (NNVD + 2) / 3 )) ]'
check "Red Hat: the archive named by archive_latest.txt and the changes since it" \
  'grep -q "^200 .*/csaf_vex_2023-10-31.tar.zst" "$T/req1" && grep -q "^200 .*/2023/cve-2023-0118.json" "$T/req1"'
BYTES1=$(awk '{s += $2} END {print s}' "$T/req1")
COUNTS1=$(count_all)
echo "full update: $(awk "BEGIN {printf \"%.2f\", $s1 - $s0}") s, $BYTES1 bytes, $(wc -l < "$T/req1") requests"

# --- 2. nothing changed upstream
: > "$LOG"
s0=$(date +%s.%N)
$STOWAWAY db update --db "$DB" 2> "$T/err2"
rc=$?
s1=$(date +%s.%N)
check "second update exits 0 (rc $rc: $(grep -v reading "$T/err2" | head -c 300))" '[ $rc -eq 0 ]'
requests > "$T/req2"
BYTES2=$(awk '{s += $2} END {print s}' "$T/req2")
echo "unchanged update: $(awk "BEGIN {printf \"%.2f\", $s1 - $s0}") s, $BYTES2 bytes, $(wc -l < "$T/req2") requests"
check "second update: every answer but the NVD window is 304 ($(grep -v '^304' "$T/req2" | grep -v 'lastModStartDate' | head -3))" \
  '[ -z "$(grep -v "^304" "$T/req2" | grep -v "lastModStartDate=")" ]'
check "second update: under 1% of the bytes of the full one ($BYTES2 of $BYTES1)" '[ "$BYTES2" -lt $((BYTES1 / 100)) ]'
check "second update: no archive fetched again" '! grep -Eq "all.zip|tar.zst|master.tar.gz" <(grep -v "^304" "$T/req2")'
check "second update: every record kept" '[ "$(count_all)" = "$COUNTS1" ]'
out=$(ids_check)
check "second update: ids still there: $out" '[ -z "$out" ]'
$STOWAWAY db info --db "$DB" --json > "$T/info.json"
check "db info: per source last full and last incremental update, bytes" "python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d[\"schema_version\"] >= 3, d[\"schema_version\"]
for s in d[\"sources\"]:
    assert s[\"last_full\"] > 0 and s[\"last_incremental\"] >= s[\"last_full\"], s
    assert s[\"total_bytes\"] > 0 and s[\"full_updates\"] >= 1 and s[\"incremental_updates\"] >= 1, s
assert sum(s[\"last_bytes\"] for s in d[\"sources\"]) == $BYTES2, [(s[\"name\"], s[\"last_bytes\"]) for s in d[\"sources\"]]
' '$T/info.json'"
$STOWAWAY db info --db "$DB" > "$T/info.txt"
check "db info text: last full / last incremental lines" 'grep -q "last full: .*, last incremental: " "$T/info.txt"'

# --- 3. an hour later upstream: changes, a deletion
python3 "$TOOLS/mkupstream.py" change "$W" > "$T/mk.out" 2>&1 || { echo "FAIL: mkupstream.py change: $(cat "$T/mk.out")"; exit 1; }
: > "$LOG"
$STOWAWAY db update --db "$DB" 2> "$T/err3"
rc=$?
check "update after changes exits 0 (rc $rc: $(grep -v reading "$T/err3" | head -c 300))" '[ $rc -eq 0 ]'
requests > "$T/req3"
check "changes: only index files and changed records fetched ($(grep -v '^304' "$T/req3" | tr '\n' ';' | head -c 600))" "python3 -c '
import json, re, sys
c = json.load(open(sys.argv[2]))
got = [l.split(\" \", 2) for l in open(sys.argv[1]) if not l.startswith(\"304\")]
allowed = [r\"/modified_id.csv\$\", re.escape(c[\"osv\"]) + r\"\\.json\$\", r\"/changes.csv\$\", r\"/deletions.csv\$\",
           r\"/2023/cve-2023-0044.json\$\", r\"lastModStartDate=\", r\"known_exploited_vulnerabilities.json\$\"]
for st, n, p in got:
    assert any(re.search(a, p.strip()) for a in allowed), p
' '$T/req3' '$W/changed.json'"
check "changes: applied to the database" "python3 -c '
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1]); c = json.load(open(sys.argv[2]))
def texts(vid, src):
    return [(r[0] or \"\") + (r[1] or \"\") for r in db.execute(\"SELECT v.summary, v.details FROM vulns v JOIN locations l ON l.id = v.loc WHERE v.vid = ? AND l.source = ?\", (vid, src))]
for vid, src in ((c[\"osv\"], \"osv\"), (c[\"nvd\"], \"nvd\"), (c[\"redhat_changed\"], \"redhat-csaf\")):
    t = texts(vid, src)
    assert t and all(\"CHANGED BY THE SECOND UPDATE\" in x for x in t), (vid, src, t)
assert texts(c[\"redhat_deleted\"], \"redhat-csaf\") == [], \"deleted VEX record still there\"
assert db.execute(\"SELECT count(*) FROM kev WHERE cve = ?\", (c[\"kev_dropped\"],)).fetchone()[0] == 0
' '$DB' '$W/changed.json'"

# --- 4. faults: each failed source keeps its records, is named, exit 2; the others update
OSV_HOST=osv-vulnerabilities.storage.googleapis.com
GO_ID=$(python3 "$TOOLS/mkupstream.py" osv-change "$W" Go "CHANGED UNDER FAULTS")
python3 - "$W" "$W/facts.json" <<'P'
import json, sys
f = json.load(open(sys.argv[2]))
kev = "/" + f["kev"]["host"] + f["kev"]["path"]
json.dump({"/osv-vulnerabilities.storage.googleapis.com/PyPI/modified_id.csv": {"kind": "500", "count": 99},
           kev: {"kind": "truncate", "count": 99},
           "/security-tracker.debian.org/tracker/data/json": {"kind": "html", "count": 99},
           "/secdb.alpinelinux.org/v3.20/main.json": {"kind": "ratelimit", "count": 99}},
          open(sys.argv[1] + "/faults.json", "w"))
P
# the faulty files must be fetched: make them look changed
python3 -c "
import os, sys
for p in sys.argv[1:]:
    with open(p, 'ab') as f: f.write(b' ')
" "$W/security-tracker.debian.org/tracker/data/json" "$W/www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json" "$W/secdb.alpinelinux.org/v3.20/main.json"
BEFORE=$(count_all)
$STOWAWAY db update --db "$DB" --retries 1 2> "$T/err4"
rc=$?
check "faults: exit 2 (rc $rc)" '[ $rc -eq 2 ]'
for s in osv kev debian alpine; do
  check "faults: one warning line names source '$s'" '[ "$(grep -c "warning: source .$s.:" "$T/err4")" -eq 1 ]'
done
check "faults: the summary line names the failed sources" 'grep -q "error: .*failed and kept their previous records" "$T/err4"'
check "faults: 500 named" 'grep "source .osv.:" "$T/err4" | grep -q "500"'
check "faults: rate limit named" 'grep "source .alpine.:" "$T/err4" | grep -q "429"'
check "faults: HTML content type named" 'grep "source .debian.:" "$T/err4" | grep -q "text/html"'
check "faults: no record lost ($BEFORE vs $(count_all))" '[ "$(count_all)" = "$BEFORE" ]'
check "faults: another OSV location still updated ($GO_ID)" "python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
r = db.execute(\"SELECT summary FROM vulns WHERE vid = ?\", (sys.argv[2],)).fetchall()
assert r and all(x[0] == \"CHANGED UNDER FAULTS\" for x in r), r
' '$DB' '$GO_ID'"
$STOWAWAY db info --db "$DB" --json > "$T/info4.json"
check "faults: db info names the errors" "python3 -c '
import json, sys
d = {s[\"name\"]: s for s in json.load(open(sys.argv[1]))[\"sources\"]}
for n in (\"osv\", \"kev\", \"debian\", \"alpine\"):
    assert d[n][\"last_error\"], n
assert not d[\"nvd\"][\"last_error\"]
' '$T/info4.json'"

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
