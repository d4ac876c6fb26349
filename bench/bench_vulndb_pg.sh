#!/bin/bash
# bench_vulndb_pg.sh - where should the vulnerability database live when
# several `stowaway serve` instances share a PostgreSQL store (issue 17 item 3)?
# Looks up a 1,000-package inventory with the matcher's query (ST_LOOKUP of
# src/vulndb/store.c: affected JOIN vulns by eco_key and package) in
#   a) the local SQLite file (as every instance reads it now), and
#   b) the same tables copied into PostgreSQL (a cluster of its own,
#      tests/e2e/pg_lib.sh, over TCP loopback), one prepared statement
#      per package, and one batched query for all 1,000.
# Both through their command-line clients (sqlite3, psql) over one
# connection; the clients' own cost per statement is measured with
# 1,000 "SELECT 1" and shown.  Median of 5 runs each.
#
#   bench/bench_vulndb_pg.sh [VULNDB]   (default $STOWAWAY_DB or
#                                        $XDG_CACHE_HOME/stowaway/vulndb.sqlite)
# The database file is copied first and only read.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
DBF=${1:-${STOWAWAY_DB:-${XDG_CACHE_HOME:-$HOME/.cache}/stowaway/vulndb.sqlite}}
[ -f "$DBF" ] || { echo "no vulnerability database at $DBF ('stowaway db update' first)" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is not installed" >&2; exit 2; }
T=$(mktemp -d)
chmod 755 "$T"
. "$SRC/tests/e2e/pg_lib.sh"
trap 'pg_stop; rm -rf "$T"' EXIT
cp "$DBF" $T/v.sqlite
pg_start
# the two tables the lookup reads, with the SQLite indexes
pg_psql "CREATE TABLE vulns(id BIGINT PRIMARY KEY, vid TEXT NOT NULL, source TEXT NOT NULL, loc BIGINT NOT NULL,
  summary TEXT, details TEXT, published TEXT, modified TEXT, withdrawn TEXT);
CREATE TABLE affected(vuln BIGINT NOT NULL, eco_key TEXT NOT NULL, package TEXT NOT NULL, ecosystem TEXT NOT NULL,
  name TEXT NOT NULL, purl TEXT, status INTEGER NOT NULL, severity TEXT, note TEXT, ranges TEXT, versions TEXT,
  affected_exprs TEXT, unaffected_exprs TEXT);"
for t in vulns affected; do
	sqlite3 -csv $T/v.sqlite "SELECT * FROM $t" > $T/$t.csv
	pg_as "$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -d stowaway -X -q -c "\\copy $t FROM '$T/$t.csv' CSV"
done
pg_psql "CREATE INDEX vulns_vid ON vulns(vid, source); CREATE INDEX affected_pkg ON affected(eco_key, package);
CREATE INDEX affected_name ON affected(package); CREATE INDEX affected_vuln ON affected(vuln); ANALYZE"
# the inventory: 1,000 (eco_key, package) pairs, 300 with advisories (sampled
# from the database), 700 without (as most packages of an image have none)
sqlite3 -separator ' ' $T/v.sqlite "SELECT DISTINCT eco_key, package FROM affected ORDER BY random() LIMIT 300" > $T/pkgs
sqlite3 -separator ' ' $T/v.sqlite "SELECT DISTINCT eco_key, package || '-none' FROM affected ORDER BY random() LIMIT 700" >> $T/pkgs
[ "$(wc -l < $T/pkgs)" = 1000 ] || { echo "could not sample 1,000 packages" >&2; exit 2; }
Q="SELECT v.vid, a.ecosystem, a.name, a.purl, a.status, a.severity, a.note, a.ranges, a.versions, a.affected_exprs,
 a.unaffected_exprs FROM affected a JOIN vulns v ON v.id = a.vuln WHERE a.eco_key = %s AND a.package = %s ORDER BY v.vid, v.source"
sq() { printf "'%s'" "${1//\'/\'\'}"; }
: > $T/lite.sql; : > $T/pg.sql; : > $T/one.sql
echo "PREPARE q(text, text) AS $(printf "$Q" '$1' '$2');" > $T/pg.sql
ek=(); pk=()
while read -r e p; do
	# shellcheck disable=SC2059
	printf "$Q;\n" "$(sq "$e")" "$(sq "$p")" >> $T/lite.sql
	echo "EXECUTE q($(sq "$e"), $(sq "$p"));" >> $T/pg.sql
	echo "SELECT 1;" >> $T/one.sql
	ek+=("$(sq "$e")"); pk+=("$(sq "$p")")
done < $T/pkgs
join_by() { local IFS=,; echo "$*"; }
cat > $T/batch.sql <<SQL
SELECT v.vid, a.ecosystem, a.name, a.purl, a.status, a.severity, a.note, a.ranges, a.versions, a.affected_exprs,
 a.unaffected_exprs FROM unnest(ARRAY[$(join_by "${ek[@]}")]::text[], ARRAY[$(join_by "${pk[@]}")]::text[]) p(e, k)
 JOIN affected a ON a.eco_key = p.e AND a.package = p.k JOIN vulns v ON v.id = a.vuln ORDER BY a.package, v.vid, v.source;
SQL
rows_lite=$(sqlite3 $T/v.sqlite < $T/lite.sql | wc -l)
PGURL="postgresql://postgres@127.0.0.1:$PG_PORT/stowaway"
rows_pg=$(pg_as "$PG_BIN/psql" "$PGURL" -X -q -A -t -f $T/pg.sql | grep -c . || true)
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
t() { # command... -> median wall ms of 5 runs
	for _ in 1 2 3 4 5; do
		local t0 t1; t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000))
	done | median
}
psqlf() { pg_as "$PG_BIN/psql" "$PGURL" -X -q -A -t -f "$1"; }
echo "vulnerability database: $(sqlite3 $T/v.sqlite 'SELECT count(*) FROM affected') affected rows, $(sqlite3 $T/v.sqlite 'SELECT count(*) FROM vulns') vulns"
echo "inventory: 1,000 packages (300 with advisories); rows found: SQLite $rows_lite, PostgreSQL $rows_pg"
echo "SQLite file, 1,000 lookups (sqlite3):            $(t sh -c "sqlite3 $T/v.sqlite < $T/lite.sql") ms (client: 1,000 x SELECT 1: $(t sh -c "sqlite3 $T/v.sqlite < $T/one.sql") ms)"
echo "PostgreSQL, 1,000 prepared lookups (psql, TCP):  $(t psqlf $T/pg.sql) ms (client: 1,000 x SELECT 1: $(t psqlf $T/one.sql) ms)"
echo "PostgreSQL, one batched query for the 1,000:     $(t psqlf $T/batch.sql) ms"
