#!/bin/bash
# test_db_kill.sh - kill -9 an update (and an import) at many moments; the
# previous database must stay usable every time, and the next update must
# clean up the stale temporary files.
set -u
: "${STOWAWAY:?set STOWAWAY to the stowaway binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/sw-db-kill-XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0
pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# A small first database, and a big source (up to 40 files x 500 records).
mkdir -p "$T/small" "$T/big"
printf '{"id":"SMALL-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"tiny"}}]}' > "$T/small/SMALL-1.json"
python3 - "$T/big" <<'P'
import json, sys
d = sys.argv[1]
for f in range(40):
    recs = []
    for i in range(500):
        n = f * 500 + i
        recs.append({"id": "BIG-%d" % n, "modified": "2024-01-01T00:00:00Z",
                     "aliases": ["CVE-2099-%d" % n], "summary": "record %d" % n, "details": "x" * 300,
                     "affected": [{"package": {"ecosystem": "npm", "name": "pkg-%d" % (n % 997)},
                                   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.%d.0" % i}]}]}],
                     "references": [{"type": "WEB", "url": "https://example.test/%d" % n}]})
    json.dump(recs, open("%s/part-%02d.json" % (d, f), "w"))
P
DB=$T/db/vulndb.sqlite
$STOWAWAY db update --db "$DB" --source osv="$T/small" 2> /dev/null || { echo "FAIL: first update"; exit 1; }

# Size the big source so that an update takes about 3 s on this build and
# machine (a sanitizer build on a busy machine is many times slower).
mkdir -p "$T/probe"
cp "$T/big/part-00.json" "$T/big/part-01.json" "$T/probe/"
start=$(date +%s%N)
$STOWAWAY db update --db "$T/probe.sqlite" --source osv="$T/probe" 2> /dev/null
probe_ms=$(( ($(date +%s%N) - start) / 1000000 ))
files=$(( 3000 * 2 / (probe_ms > 1 ? probe_ms : 1) ))
[ "$files" -lt 2 ] && files=2
[ "$files" -gt 40 ] && files=40
for f in "$T"/big/part-*.json; do
  n=${f##*/part-}; n=${n%.json}
  [ $((10#$n)) -ge "$files" ] && rm "$f"
done
EXPECT=$((files * 500 + 1))
rm -f "$T/probe.sqlite"
start=$(date +%s%N)
$STOWAWAY db update --db "$T/probe.sqlite" --source osv="$T/big" 2> /dev/null
total_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "a full update of $files files ($((EXPECT - 1)) records) takes ${total_ms} ms"

killed=0
max_stale=0
for pct in 1 4 8 14 20 28 36 44 52 60 68 76 84 90 95 99; do
  ms=$(( total_ms * pct / 100 ))
  $STOWAWAY db update --db "$DB" --source osv="$T/big" 2> /dev/null &
  pid=$!
  sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
  if kill -9 "$pid" 2> /dev/null; then killed=$((killed + 1)); fi
  wait "$pid" 2> /dev/null
  stale=$(ls "$T/db" | grep -c '\.new-')
  [ "$stale" -gt "$max_stale" ] && max_stale=$stale
  out=$($STOWAWAY db info --db "$DB" --json 2> "$T/err")
  if [ $? -ne 0 ]; then
    bad "db info fails after kill at ${ms} ms: $(cat "$T/err")"
    continue
  fi
  n=$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["vulnerabilities"])')
  if [ "$n" = 1 ]; then
    # the old database: still answers lookups
    if $STOWAWAY db search tiny --ecosystem npm --db "$DB" > /dev/null; then ok; else bad "old db unusable after kill at ${ms} ms"; fi
  elif [ "$n" = "$EXPECT" ]; then
    # the update finished before the kill: the new database, complete
    if $STOWAWAY db search "BIG-$((EXPECT - 2))" --db "$DB" > /dev/null; then ok; else bad "new db incomplete after kill at ${ms} ms"; fi
    # go back to the small database for the next round
    $STOWAWAY db update --db "$T/db2.sqlite" --source osv="$T/small" 2> /dev/null && mv "$T/db2.sqlite" "$DB"
  else
    bad "after kill at ${ms} ms the database has $n vulnerabilities (expected 1 or $EXPECT)"
  fi
done
echo "killed $killed updates in flight"
if [ "$killed" -ge 5 ]; then ok; else bad "only $killed of 16 kills hit a running update"; fi
echo "most stale temporary files seen after a kill: $max_stale"
if [ "$max_stale" -ge 1 ]; then ok; else bad "expected stale temporary files from killed updates"; fi

# The next update completes and removes the stale files.
$STOWAWAY db update --db "$DB" --source osv="$T/big" 2> /dev/null
if [ $? -eq 0 ]; then ok; else bad "update after kills fails"; fi
if [ "$(ls "$T/db" | grep -c '\.new-')" = 0 ]; then ok; else bad "stale temporary files not cleaned: $(ls "$T/db")"; fi
n=$($STOWAWAY db info --db "$DB" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["vulnerabilities"])')
if [ "$n" = "$EXPECT" ]; then ok; else bad "final database has $n vulnerabilities, expected $EXPECT"; fi

# kill -9 during import of an export
$STOWAWAY db export "$T/big.swdb" --db "$DB" 2> /dev/null || bad "export"
$STOWAWAY db update --db "$T/db3.sqlite" --source osv="$T/small" 2> /dev/null
start=$(date +%s%N)
$STOWAWAY db import "$T/big.swdb" --db "$T/probe2.sqlite" 2> /dev/null
imp_ms=$(( ($(date +%s%N) - start) / 1000000 ))
for pct in 5 20 40 60 80 95; do
  ms=$(( imp_ms * pct / 100 ))
  $STOWAWAY db import "$T/big.swdb" --db "$T/db3.sqlite" 2> /dev/null &
  pid=$!
  sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
  kill -9 "$pid" 2> /dev/null
  wait "$pid" 2> /dev/null
  n=$($STOWAWAY db info --db "$T/db3.sqlite" --json 2> /dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["vulnerabilities"])' 2> /dev/null)
  if [ "$n" = 1 ] || [ "$n" = "$EXPECT" ]; then ok; else bad "after killing an import at ${ms} ms: '$n' vulnerabilities"; fi
done

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
