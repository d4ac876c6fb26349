#!/bin/bash
# bench_db_update.sh - bytes and seconds of `db update` from every default
# source (issue 19): a full update, a second update right after it (nothing
# changed upstream), and an update "an hour later" (upstream changed one OSV
# record, one NVD CVE, one Red Hat VEX file, deleted a VEX file, dropped a
# KEV entry; the database clock moved an hour with $STOWAWAY_NOW), all
# through tests/tools/fakeupstream.py on loopback, the files built by
# tests/tools/mkupstream.py from ../shared/data/vuln.  Prints a Markdown
# table; import time per record = full-update seconds / records read.
#
# Env: STOWAWAY (default build-rel/stowaway, else build/stowaway), SW_SHARED_DATA
# (default ../shared/data), OSV_PER_ECO (OSV records per ecosystem, 400),
# RUNS (3; medians).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
STOWAWAY=${STOWAWAY:-$here/build-rel/stowaway}
[ -x "$STOWAWAY" ] || STOWAWAY=$here/build/stowaway
[ -x "$STOWAWAY" ] || { echo "no stowaway binary (set STOWAWAY)" >&2; exit 1; }
D=${SW_SHARED_DATA:-$here/../shared/data}/vuln
[ -d "$D" ] || { echo "no shared data at $D" >&2; exit 1; }
RUNS=${RUNS:-3}
T=$(mktemp -d "${TMPDIR:-/tmp}/sw-bench-dbup-XXXXXX")
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$T"' EXIT

now() { date +%s.%N; }
bytes() { python3 -c "import json,sys; print(sum(json.loads(l)['bytes'] for l in open(sys.argv[1])))" "$T/log"; }
nreq() { wc -l < "$T/log"; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -a full_s unch_s hour_s
for run in $(seq "$RUNS"); do
	rm -rf "$T/www" "$T/db.sqlite"* "$T/log"
	"$STOWAWAY" db sources --json > "$T/sources.json"
	python3 "$here/tests/tools/mkupstream.py" build "$T/www" "$T/sources.json" "$D" --osv-per-eco "${OSV_PER_ECO:-400}" >/dev/null
	if [ -z "$PID" ]; then
		python3 -u "$here/tests/tools/fakeupstream.py" "$T/www" "$T/log" > "$T/server.out" 2>&1 &
		PID=$!
		for _ in $(seq 100); do grep -q '^port' "$T/server.out" && break; sleep 0.05; done
		port=$(sed -n 's/^port //p' "$T/server.out")
	fi
	export STOWAWAY_UPSTREAM_OVERRIDE=$(python3 -c "
import json, sys
print(','.join('%s=http://127.0.0.1:%s/%s' % (h, sys.argv[2], h) for h in json.load(open(sys.argv[1]))['hosts']))
" "$T/www/facts.json" "$port")
	export STOWAWAY_NVD_DELAY_MS=0
	: > "$T/log"; a=$(now)
	"$STOWAWAY" db update -q --db "$T/db.sqlite" 2> "$T/err1" || { cat "$T/err1" >&2; exit 1; }
	b=$(now); full_s+=("$(echo "$b - $a" | awk '{print $1 - $3}')"); full_b=$(bytes); full_r=$(nreq)
	recs=$(sed -n 's/.* read, .*; \([0-9]*\) records.*/\1/p' "$T/err1")
	: > "$T/log"; a=$(now)
	"$STOWAWAY" db update -q --db "$T/db.sqlite" 2> "$T/err2" || { cat "$T/err2" >&2; exit 1; }
	b=$(now); unch_s+=("$(echo "$b - $a" | awk '{print $1 - $3}')"); unch_b=$(bytes); unch_r=$(nreq)
	python3 "$here/tests/tools/mkupstream.py" change "$T/www" >/dev/null
	: > "$T/log"; a=$(now)
	STOWAWAY_NOW=$(( $(date +%s) + 3600 )) "$STOWAWAY" db update -q --db "$T/db.sqlite" 2> "$T/err3" || { cat "$T/err3" >&2; exit 1; }
	b=$(now); hour_s+=("$(echo "$b - $a" | awk '{print $1 - $3}')"); hour_b=$(bytes); hour_r=$(nreq)
done
fs=$(printf '%s\n' "${full_s[@]}" | median)
us=$(printf '%s\n' "${unch_s[@]}" | median)
hs=$(printf '%s\n' "${hour_s[@]}" | median)
echo "| update (${RUNS} runs, median; load $(cut -d' ' -f1 /proc/loadavg)) | seconds | bytes | requests |"
echo "|---|---|---|---|"
echo "| full, $recs records from $(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$T/sources.json") default locations | $fs | $full_b | $full_r |"
echo "| second, nothing changed | $us | $unch_b | $unch_r |"
echo "| an hour later (4 records changed or deleted, 1 KEV entry dropped) | $hs | $hour_b | $hour_r |"
awk -v s="$fs" -v n="$recs" 'BEGIN {printf "\nfull update: %.1f µs per record (wall, fetch included)\n", s * 1e6 / n}'
