#!/bin/bash
# bench_sim.sh - the registry simulation of issue 17 ("Scale"): N stored
# inventories with the package mixes of the corpus images, on the SQLite and
# on the PostgreSQL store, measuring
#  1. the time to re-match all N after a database update, split over 1 and
#     (PostgreSQL) 2 instances of `stowaway serve` (docs/scaling.md
#     "Re-matching"): from the new database file to the end of the re-match
#     generation (GET /api/v1/db), images per second;
#  2. the latency of "which images are affected by CVE-X" (GET
#     /api/v1/vulnerabilities/{id}/images, one client, Q requests) for the
#     vulnerability that hits the most images and for one that hits few;
#  3. the store's size per image after the re-match (SQLite: the file; 
#     PostgreSQL: pg_database_size), and the sizes of its largest tables.
#
#   STOWAWAY=build/stowaway bench/bench_sim.sh [-n 100000] [-w 2] [-k 500] [-q 100] [-s "sqlite postgres"]
#
# The inventories: debian-min and debian-big ($CORPUS/{debian-min,debian-big}/
# *.docker.tar, built by /work/shared/tools/corpus/build-corpus.sh, see
# bench/README.md) are scanned once by the server, then their stored rows are
# copied with SQL into N images under other digests, 3 debian-min for 1
# debian-big (a registry of images built on a few base images: the package
# sets repeat; re-matching costs the same per package whatever the digest).
# The vulnerability database: $VULNDB (default the one the tests build,
# ~/.cache/stowaway/vulndb.sqlite); "a database update" is a copy of it
# renamed over the file the servers read (a new file: the re-match of
# everything runs; the findings stay the same, so nothing is "changed").
# -k: images per re-match chunk (--rematch-chunk); -w: workers per instance.
# Every line starts with the load averages (other work on the machine shows).
set -eu
: "${STOWAWAY:?set STOWAWAY to the stowaway binary}"
SRC=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${CORPUS:-/work/corpus/images}
VULNDB=${VULNDB:-${XDG_CACHE_HOME:-$HOME/.cache}/stowaway/vulndb.sqlite}
N=100000 W=2 K=500 Q=100 STORES="sqlite postgres"
while getopts n:w:k:q:s: o; do
	case $o in n) N=$OPTARG ;; w) W=$OPTARG ;; k) K=$OPTARG ;; q) Q=$OPTARG ;; s) STORES=$OPTARG ;; *) exit 64 ;; esac
done
for f in $CORPUS/debian-min/debian-min.docker.tar $CORPUS/debian-big/debian-big.docker.tar $VULNDB; do
	[ -f "$f" ] || { echo "missing $f (the corpus: /work/shared/tools/corpus/build-corpus.sh; the database: stowaway db update)" >&2; exit 2; }
done
T=$(mktemp -d)
chmod 755 $T
SRV=
trap 'for p in $SRV; do kill $p 2>/dev/null; done; wait 2>/dev/null; declare -F pg_stop >/dev/null && pg_stop; rm -rf "$T"' EXIT
export STOWAWAY_NO_CACHE=1
load() { awk '{printf "load=%s,%s,%s", $1, $2, $3}' /proc/loadavg; }
now() { date +%s.%N; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cp $VULNDB $T/db.sqlite
new_db() { cp $VULNDB $T/db.new && mv $T/db.new $T/db.sqlite; }   # a new file: a new fingerprint

start() { # STORE INSTANCES: US (urls), SRV (pids)
	local k port
	SRV= US=
	for k in $(seq 1 $2); do
		port=$(free_port)
		"$STOWAWAY" serve --listen 127.0.0.1:$port --store "$1" --db $T/db.sqlite --workers $W --threads 4 \
			--db-poll 1 --rematch-chunk $K --update-interval 0 2>>$T/srv$k.log &
		SRV="$SRV $!" US="$US http://127.0.0.1:$port"
		for _ in $(seq 600); do curl -s -o /dev/null http://127.0.0.1:$port/healthz && break; sleep 0.1; done
	done
	US=${US# }
	U=${US%% *}
}
stop() { for p in $SRV; do kill $p; wait $p 2>/dev/null || true; done; SRV=; }
api() { curl -s -H "Authorization: Bearer $TOK" "$U$1"; }
gen() { api /api/v1/db | python3 -c 'import json,sys; r=json.load(sys.stdin)["rematch"]; print(r["generation"] if r else 0)'; }

rematch() { # LABEL: a database update, then wait for its generation
	local g0 l t0 t1 out
	g0=$(gen); l=$(load)
	sleep 1.1   # a new mtime
	t0=$(now)
	new_db
	while :; do
		out=$(api /api/v1/db | python3 -c '
import json, sys
r = json.load(sys.stdin)["rematch"]
if r and r["generation"] > int(sys.argv[1]) and r["state"] == "done":
    print("%d images (%d failed) in %d chunks by %d instance(s)" % (r["images"]["done"], r["images"]["failed"],
          r["chunks"]["total"], r["instances"]))' $g0)
		[ -n "$out" ] && break
		sleep 0.5
	done
	t1=$(now)
	echo "$l $1: re-match after a database update: $out: $(echo "$t1 - $t0" | bc) s," \
		"$(echo "scale=1; $N / ($t1 - $t0)" | bc) images/s, $(echo "scale=2; ($t1 - $t0) * 1000 / $N" | bc) ms per image"
}

which_images() { # LABEL CVE: Q requests on one kept-alive connection, timed here
	local l
	l=$(load)
	python3 - "$U" "$TOK" "$2" $Q "$1" "$l" <<'PY'
import http.client, json, sys, time, urllib.parse
u, tok, cve, q, label, l = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
c = http.client.HTTPConnection(urllib.parse.urlparse(u).netloc, timeout=120)
ms, failed, body = [], 0, b""
for _ in range(q):
    t = time.perf_counter()
    c.request("GET", "/api/v1/vulnerabilities/%s/images" % cve, headers={"Authorization": "Bearer " + tok})
    r = c.getresponse(); body = r.read()
    ms.append((time.perf_counter() - t) * 1000)
    failed += r.status != 200
ms.sort()
rows = json.loads(body)["images"]
print("%s %s: GET /api/v1/vulnerabilities/%s/images (%d rows, %d images, %d bytes): %d requests, one client: %d failed,"
      " p50 %.1f ms, p99 %.1f ms" % (l, label, cve, len(rows), len({x["digest"] for x in rows}), len(body), q, failed,
                                     ms[len(ms) // 2], ms[min(len(ms) - 1, len(ms) * 99 // 100)]))
PY
}

for store in $STORES; do
	: > $T/srv1.log; : > $T/srv2.log
	if [ $store = postgres ]; then
		. "$SRC/tests/e2e/pg_lib.sh"
		pg_start
		S=$PG_URL
		sql() { pg_psql "$1"; }
	else
		S=$T/store.sqlite
		sql() { python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=60); r = c.execute(sys.argv[2]).fetchall(); c.commit(); print("\n".join("|".join(map(str, x)) for x in r))' $S "$1"; }
	fi
	TOK=$("$STOWAWAY" serve token create --scope admin --store "$S" bench 2>/dev/null)
	start "$S" 1
	for img in debian-min debian-big; do
		curl -s -o /dev/null -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' \
			-d "{\"image\":\"docker-archive:$CORPUS/$img/$img.docker.tar\"}" $U/api/v1/scans
	done
	until [ "$(grep -c '"state":"done"' $T/srv1.log)" -ge 2 ]; do
		grep -q '"state":"failed"' $T/srv1.log && { grep '"state":"failed"' $T/srv1.log >&2; exit 1; }
		sleep 0.5
	done
	stop
	# the two stored rows copied into N images: 3 debian-min for 1 debian-big
	nbig=$((N / 4 - 1)) nmin=$((N - N / 4 - 1))
	t0=$(now)
	MIN=$(sql "SELECT id FROM images ORDER BY length(inventory) LIMIT 1")
	BIG=$(sql "SELECT id FROM images ORDER BY length(inventory) DESC LIMIT 1")
	for pair in "$MIN $nmin" "$BIG $nbig"; do
		set -- $pair
		if [ $store = postgres ]; then
			sql "INSERT INTO images(digest, config_digest, inv_key, inventory, config, os, architecture, created, updated)
				SELECT 'sha256:' || md5(i.digest || g) || md5(g || i.digest), i.config_digest, i.inv_key, i.inventory,
				i.config, i.os, i.architecture, i.created, i.updated FROM images i CROSS JOIN generate_series(1, $2) g
				WHERE i.id = $1" >/dev/null
		else
			sql "WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < $2)
				INSERT INTO images(digest, config_digest, inv_key, inventory, config, os, architecture, created, updated)
				SELECT printf('sha256:%032x%032x', i.id, g.x), i.config_digest, i.inv_key, i.inventory, i.config, i.os,
				i.architecture, i.created, i.updated FROM images i, g WHERE i.id = $1" >/dev/null
		fi
	done
	[ $store = postgres ] && sql "VACUUM ANALYZE" >/dev/null
	echo "$(load) $store: $(sql 'SELECT count(*) FROM images') stored inventories (copied in $(echo "$(now) - $t0" | bc) s)"

	start "$S" 1
	rematch "$store, 1 instance x $W workers"
	if [ $store = postgres ]; then
		stop; start "$S" 2
		rematch "$store, 2 instances x $W workers"
	fi
	TOP=$(sql "SELECT vuln_id FROM findings GROUP BY vuln_id ORDER BY count(*) DESC, vuln_id LIMIT 1")
	RARE=$(sql "SELECT f.vuln_id FROM findings f JOIN images i ON i.latest_report = f.report GROUP BY f.vuln_id
		HAVING count(DISTINCT i.id) < $N / 2 ORDER BY count(*), f.vuln_id LIMIT 1")
	which_images "$store" "$TOP"
	[ -n "$RARE" ] && which_images "$store" "$RARE"
	stop
	if [ $store = postgres ]; then
		sql "VACUUM ANALYZE" >/dev/null
		bytes=$(sql "SELECT pg_database_size(current_database())")
		tables=$(sql "SELECT string_agg(relname || ' ' || pg_size_pretty(pg_total_relation_size(relid)), ', ' ORDER BY pg_total_relation_size(relid) DESC) FROM pg_stat_user_tables")
	else
		sql "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
		bytes=$(stat -c %s $S)
		tables=$(python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
try:
    rows = c.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 6").fetchall()
    print(", ".join("%s %.1f MB" % (n, b / 1e6) for n, b in rows))
except sqlite3.Error as e:
    print("(no dbstat: %s)" % e)' $S)
	fi
	nrep=$(sql "SELECT count(*) FROM reports")
	echo "$(load) $store: store size $(echo "scale=1; $bytes / 1000000" | bc) MB for $N images and $nrep reports ="\
		"$(echo "$bytes / $N" | bc) bytes per image; largest: $tables"
	[ $store = postgres ] && pg_stop
done
