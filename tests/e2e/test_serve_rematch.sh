#!/bin/bash
# End to end: the re-match after a change of the vulnerability database is
# split across the `stowaway serve` instances sharing a store (issue 17,
# docs/scaling.md "Re-matching").
# PostgreSQL (a cluster of the test's own, tests/e2e/pg_lib.sh):
# - three images scanned, then cloned with SQL into 300 more stored images
#   (the same inventories under other digests: no layer is read again);
# - three instances, chunks of 10 images; a `db update` adds an advisory;
#   kill -9 of an instance while it holds a chunk, mid-generation;
# - the generation ends: every stored image has exactly one new report
#   (reports table), the new advisory hits every image, the chunks were
#   done by more than one instance, the dead instance's chunk was taken over
#   (attempt 2) after its lease, one "rematch" line across the logs;
#   GET /api/v1/db and /metrics show the generation and its progress.
# SQLite: one instance takes every chunk (one image scanned, copied into
# 30), once each; POST
# /api/v1/rematch makes a new generation and answers its counts.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
command -v curl >/dev/null 2>&1 || { echo "FAIL - curl is not installed (scripts/setup-deps.sh)"; exit 1; }
T=$(mktemp -d)
chmod 755 "$T"
declare -A SRV=()   # instance number -> pid
cleanup() {
	for p in "${SRV[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	declare -F pg_stop >/dev/null && pg_stop
	rm -rf "$T"
}
trap cleanup EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
export HOME=$T/home; mkdir -p "$HOME"
. "$SW_SOURCE_DIR/tests/e2e/pg_lib.sh"
t0=$(date +%s)

# ---- advisories, the database, three images ----
mkdir -p $T/adv
cat > $T/adv/debian.json <<'J'
{"openssl": {"CVE-2024-1001": {"description": "openssl fixed upstream", "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.13-1~deb12u1", "urgency": "high", "repositories": {"bookworm": "3.0.13-1~deb12u1"}}}}}}
J
DB=$T/db.sqlite
"$STOWAWAY" db update -q --db $DB --source debian=$T/adv/debian.json 2>$T/upd.err || { echo "FAIL - db update: $(cat $T/upd.err)"; exit 1; }
for n in 1 2 3; do
	L=$T/l$n
	mkdir -p $L/etc $L/var/lib/dpkg
	printf 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' > $L/etc/os-release
	{
		printf 'Package: libssl3\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u%s\nSource: openssl\nArchitecture: amd64\n\n' $n
		for k in $(seq 40); do
			printf 'Package: pkg%s-%s\nStatus: install ok installed\nVersion: 1.%s-1\nArchitecture: amd64\n\n' $n $k $k
		done
	} > $L/var/lib/dpkg/status
	$MKIMAGE --format docker-archive -o $T/img$n.tar $L || { echo "FAIL - mkimage"; exit 1; }
done
# the new advisory of the update: every image has openssl
cat > $T/adv/debian2.json <<'J'
{"openssl": {"CVE-2024-1001": {"description": "openssl fixed upstream", "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.13-1~deb12u1", "urgency": "high", "repositories": {"bookworm": "3.0.13-1~deb12u1"}}}},
             "CVE-2024-3003": {"description": "new", "releases": {"bookworm": {"status": "open", "urgency": "medium", "repositories": {}}}}}}
J

PORTS=()
start() { # N STORE [extra args]: instance N on its own port
	local n=$1 store=$2; shift 2
	"$STOWAWAY" serve --listen 127.0.0.1:${PORTS[$n]} --store "$store" --db $DB --db-poll 1 --lease 4 --workers 2 \
		--grace 1 --rematch-chunk 10 "$@" 2>>$T/srv$n.log &
	SRV[$n]=$!
}
wait_up() { # N
	for _ in $(seq 300); do curl -s -o /dev/null -m 1 http://127.0.0.1:${PORTS[$1]}/healthz && return 0
		kill -0 ${SRV[$1]} 2>/dev/null || return 1; sleep 0.1; done; return 1; }
scan3() { # INSTANCE TOKEN [IMAGE NUMBERS]: scan the images (the three by default), wait for them
	local n=$1 tok=$2 i id ids=()
	for i in ${3:-1 2 3}; do
		id=$(curl -s -m 60 -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
			-d "{\"image\":\"docker-archive:$T/img$i.tar\"}" http://127.0.0.1:${PORTS[$n]}/api/v1/scans |
			sed -n 's/.*"id":"\{0,1\}\([0-9]*\).*/\1/p')
		ids+=("$id")
	done
	for id in "${ids[@]}"; do
		for _ in $(seq 300); do
			curl -s -m 5 -H "Authorization: Bearer $tok" http://127.0.0.1:${PORTS[$n]}/api/v1/scans/$id | grep -q '"state":"done"' && break
			sleep 0.1
		done
	done
}
get() { # INSTANCE TOKEN PATH -> body on stdout
	curl -s -m 10 -H "Authorization: Bearer $2" http://127.0.0.1:${PORTS[$1]}$3
}

# ================================================================ PostgreSQL
pg_start
for n in 1 2 3; do PORTS[$n]=$(pg_free_port); done
start 1 "$PG_URL"
wait_up 1 || { bad "instance 1 did not start: $(tail -3 $T/srv1.log)"; exit 1; }
TOKEN=$("$STOWAWAY" serve token create --scope admin --store "$PG_URL" ci 2>$T/tok.err) || { bad "token: $(cat $T/tok.err)"; exit 1; }
scan3 1 $TOKEN
echo "# scanned: $(($(date +%s) - t0)) s"
[ "$(pg_psql "SELECT count(*) FROM images WHERE inventory IS NOT NULL")" = 3 ] && ok "three images scanned" ||
	{ bad "scans: $(pg_psql 'SELECT state, count(*) FROM jobs GROUP BY 1')"; exit 1; }
# 300 more stored images: the three inventories under other digests
pg_psql "INSERT INTO images(digest, config_digest, inv_key, inventory, config, os, architecture, created, updated)
	SELECT 'sha256:' || md5(i.digest || g) || md5(g || i.digest), i.config_digest, i.inv_key, i.inventory, i.config,
	i.os, i.architecture, i.created, i.updated FROM images i CROSS JOIN generate_series(1, 100) g" >/dev/null
NIMG=$(pg_psql "SELECT count(*) FROM images WHERE inventory IS NOT NULL")
[ "$NIMG" = 303 ] && ok "303 stored images" || bad "stored images: $NIMG"
for n in 2 3; do start $n "$PG_URL"; done
for n in 2 3; do wait_up $n || bad "instance $n did not start: $(tail -3 $T/srv$n.log)"; done
sleep 1.5   # every watcher has seen the current database
MAXREP=$(pg_psql "SELECT max(id) FROM reports")

# ---- the database changes; kill -9 of an instance holding a chunk ----
"$STOWAWAY" db update -q --db $DB --source debian=$T/adv/debian2.json 2>$T/upd.err || bad "db update 2: $(cat $T/upd.err)"
victim= vowner= vchunk= tb=$(date +%s.%N)
for _ in $(seq 600); do
	row=$(pg_psql "SELECT count(*) FILTER (WHERE c.state = 'done'), count(*) FILTER (WHERE c.state = 'pending'),
		(SELECT owner FROM rematch_chunks r WHERE r.gen = g.id AND r.state = 'running' AND r.cursor > 0 ORDER BY r.id LIMIT 1)
		FROM rematch_gens g JOIN rematch_chunks c ON c.gen = g.id WHERE g.id = (SELECT max(id) FROM rematch_gens)
		GROUP BY g.id" 2>/dev/null)
	IFS='|' read -r cdone cpend owner <<<"$row"
	if [ -n "$owner" ] && [ "${cdone:-0}" -ge 1 ] && [ "${cpend:-0}" -ge 3 ]; then
		for n in 1 2 3; do grep -q "\"owner\":\"$owner\"" $T/srv$n.log && victim=$n; done
		[ -n "$victim" ] && { vowner=$owner; break; }
	fi
	sleep 0.05
done
if [ -n "$victim" ]; then
	kill -9 ${SRV[$victim]}; wait ${SRV[$victim]} 2>/dev/null; unset "SRV[$victim]"
	# the chunks it held when it died (one at least: the half-done one, unless it had just ended it)
	vchunk=$(pg_psql "SELECT string_agg(id::text || ':' || cursor, ' ') FROM rematch_chunks WHERE owner = '$vowner' AND state = 'running'")
	ok "kill -9 of instance $victim mid-generation ($cdone chunks done, $cpend pending, one of its chunks half done)"
else
	bad "no instance held a half-done chunk while others were pending: $row"
fi
alive=(); for n in 1 2 3; do [ -n "${SRV[$n]:-}" ] && alive+=($n); done
GEN=
for _ in $(seq 600); do
	st=$(pg_psql "SELECT id || ' ' || state FROM rematch_gens ORDER BY id DESC LIMIT 1")
	[[ $st == *" done" ]] && { GEN=${st%% *}; break; }
	sleep 0.1
done
te=$(date +%s.%N)
[ -n "$GEN" ] && ok "the generation ended ($(python3 -c "print('%.1f' % ($te - $tb))") s after the update, with the takeover)" ||
	bad "the generation did not end: $(pg_psql "SELECT state, owner, cursor, count(*) FROM rematch_chunks GROUP BY 1, 2, 3")"
[ "$(pg_psql "SELECT count(*) FROM rematch_gens")" = 1 ] && ok "one generation for one database change" ||
	bad "generations: $(pg_psql 'SELECT id, fingerprint, state FROM rematch_gens')"

# ---- every image once ----
wrong=$(pg_psql "SELECT count(*) FROM images i WHERE i.inventory IS NOT NULL AND
	(SELECT count(*) FROM reports r WHERE r.image = i.id AND r.id > $MAXREP) <> 1")
[ "$wrong" = 0 ] && [ "$(pg_psql "SELECT count(*) FROM reports WHERE id > $MAXREP")" = "$NIMG" ] &&
	ok "every one of the $NIMG images re-matched exactly once (one new report each)" ||
	bad "$wrong images without exactly one new report: $(pg_psql "SELECT n, count(*) FROM (SELECT (SELECT count(*) FROM reports r WHERE r.image = i.id AND r.id > $MAXREP) n FROM images i) t GROUP BY n")"
hits=$(pg_psql "SELECT count(DISTINCT i.id) FROM findings f JOIN images i ON i.latest_report = f.report WHERE f.vuln_id = 'CVE-2024-3003'")
[ "$hits" = "$NIMG" ] && ok "the new advisory hits all $NIMG images (finding index of the latest reports)" || bad "CVE-2024-3003 hits $hits"
[ "$(pg_psql "SELECT sum(done_images) + sum(failed) FROM rematch_chunks WHERE gen = $GEN")" = "$NIMG" ] &&
	[ "$(pg_psql "SELECT sum(failed) FROM rematch_chunks WHERE gen = $GEN")" = 0 ] &&
	ok "the chunks count $NIMG images done, none failed" || bad "chunk counts: $(pg_psql "SELECT sum(done_images), sum(failed), sum(changed) FROM rematch_chunks WHERE gen = $GEN")"
owners=$(pg_psql "SELECT count(DISTINCT owner) FROM rematch_chunks WHERE gen = $GEN")
[ "$owners" -ge 2 ] && ok "chunks done by $owners instances" || bad "chunks done by $owners instance(s)"
took=$(for n in "${alive[@]}"; do cat $T/srv$n.log; done | grep -c '"kind":"rematch_chunk".*"attempt":[2-9],"state":"done"')
vids=$(for c in $vchunk; do printf '%s,' ${c%%:*}; done)
[ "$took" -ge 1 ] && [ -n "$vids" ] && [ "$(pg_psql "SELECT count(*) FROM rematch_chunks WHERE id IN (${vids%,}) AND NOT (state = 'done' AND attempts > 1 AND owner <> '$vowner')")" = 0 ] &&
	ok "the dead instance's chunks (id:cursor $vchunk) were taken over after its lease and done" ||
	bad "takeover: $took chunks at attempt 2+, $(pg_psql "SELECT id, state, owner, attempts FROM rematch_chunks WHERE gen = $GEN AND attempts > 1")"
nre=$(cat $T/srv*.log | grep -c '"kind":"rematch"')
grep -h '"kind":"rematch"' $T/srv*.log | grep -q "\"images\":$NIMG,.*\"generation\":$GEN" && [ "$nre" = 1 ] &&
	ok "one 'rematch' line across the instances, $NIMG images" || bad "rematch lines: $(grep -h '"kind":"rematch"' $T/srv*.log)"
a=${alive[0]}
get $a $TOKEN /api/v1/db > $T/db.json
python3 - $T/db.json $GEN $NIMG <<'PY' && ok "GET /api/v1/db: the generation, done, its chunks and images" || bad "GET /api/v1/db: $(head -c 600 $T/db.json)"
import json, sys
d = json.load(open(sys.argv[1]))["rematch"]
gen, n = int(sys.argv[2]), int(sys.argv[3])
assert d["generation"] == gen and d["state"] == "done" and d["finished"] >= d["started"], d
# changed: the three scanned images (the clones had no report to compare with).  One
# of them may be the image the killed instance matched (its report stored) without
# recording the chunk's progress: the instance that takes the chunk over skips it as
# done (its latest report is of this database) and cannot count its change.
im = d["images"]
assert im["total"] == n and im["done"] == n and im["failed"] == 0 and im["changed"] in (2, 3), im
c = d["chunks"]
assert c["total"] == 31 and c["done"] == 31 and c["running"] == 0 and c["pending"] == 0, c
assert d["instances"] >= 2, d
PY
get $a $TOKEN /metrics > $T/metrics
grep -qx "stowaway_rematch_generation $GEN" $T/metrics && grep -qx "stowaway_rematch_images{state=\"done\"} $NIMG" $T/metrics &&
	grep -qx 'stowaway_rematch_running 0' $T/metrics && grep -q '^stowaway_rematch_instance_images_total [1-9]' $T/metrics &&
	ok "/metrics: the generation, its images, what this instance re-matched" || bad "metrics: $(grep rematch $T/metrics)"
sleep 1.2   # the watchers look once more: nothing begins again
[ "$(pg_psql "SELECT count(*) FROM rematch_gens")" = 1 ] && [ "$(pg_psql "SELECT count(*) FROM reports WHERE id > $MAXREP")" = "$NIMG" ] &&
	ok "no second generation for the same database" || bad "after the end: $(pg_psql 'SELECT id, state FROM rematch_gens')"
for n in "${alive[@]}"; do kill -TERM ${SRV[$n]}; done
for n in "${alive[@]}"; do wait ${SRV[$n]} || bad "instance $n: SIGTERM exit $?"; unset "SRV[$n]"; done
echo "# PostgreSQL part: $(($(date +%s) - t0)) s"

# ================================================================ SQLite: one instance
STORE=$T/store.sqlite
"$STOWAWAY" db update -q --db $DB --source debian=$T/adv/debian.json 2>$T/upd.err || bad "db update 3: $(cat $T/upd.err)"
PORTS[4]=$(pg_free_port)
start 4 "$STORE"
wait_up 4 || { bad "SQLite instance did not start: $(tail -3 $T/srv4.log)"; exit 1; }
STOK=$("$STOWAWAY" serve token create --scope admin --store "$STORE" ci 2>$T/tok.err) || bad "token: $(cat $T/tok.err)"
scan3 4 $STOK 1
echo "# SQLite scanned: $(($(date +%s) - t0)) s"
python3 - "$STORE" <<'PY' || bad "cloning in SQLite"
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
rows = db.execute("SELECT digest, config_digest, inv_key, inventory, config, os, architecture, created, updated FROM images").fetchall()
for r in rows:
    for g in range(29):
        d = "sha256:" + hashlib.sha256((r[0] + str(g)).encode()).hexdigest()
        db.execute("INSERT INTO images(digest, config_digest, inv_key, inventory, config, os, architecture, created, updated)"
                   " VALUES (?,?,?,?,?,?,?,?,?)", (d,) + tuple(r[1:]))
db.commit()
PY
q() { python3 -c 'import sqlite3, sys; print("\n".join("|".join(map(str, r)) for r in sqlite3.connect(sys.argv[1], timeout=30).execute(sys.argv[2])))' "$STORE" "$1"; }
SIMG=$(q "SELECT count(*) FROM images WHERE inventory IS NOT NULL")
SMAX=$(q "SELECT max(id) FROM reports")
sleep 1.2
"$STOWAWAY" db update -q --db $DB --source debian=$T/adv/debian2.json 2>$T/upd.err || bad "db update 4: $(cat $T/upd.err)"
st=
for _ in $(seq 300); do st=$(q "SELECT id || ' ' || state FROM rematch_gens ORDER BY id DESC LIMIT 1"); [[ $st == *" done" ]] && break; sleep 0.1; done
SGEN=${st%% *}
[[ $st == *" done" ]] && [ "$SIMG" = 30 ] && [ "$(q "SELECT count(*) FROM rematch_chunks WHERE gen = $SGEN AND state = 'done'")" = 3 ] &&
	[ "$(q "SELECT count(DISTINCT owner) FROM rematch_chunks WHERE gen = $SGEN")" = 1 ] &&
	ok "SQLite: one instance took the 3 chunks of the 30 images" || bad "SQLite generation: $st $(q 'SELECT id, state, owner FROM rematch_chunks')"
wrong=$(q "SELECT count(*) FROM images i WHERE (SELECT count(*) FROM reports r WHERE r.image = i.id AND r.id > $SMAX) <> 1")
[ "$wrong" = 0 ] && ok "SQLite: every image re-matched exactly once" || bad "SQLite: $wrong images not re-matched once"
grep -q "\"kind\":\"rematch\",\"images\":30," $T/srv4.log && ok "SQLite: the 'rematch' line" || bad "SQLite rematch line: $(grep rematch $T/srv4.log | tail -3)"
code=$(curl -s -o $T/rm.json -w '%{http_code}' -m 60 -X POST -H "Authorization: Bearer $STOK" http://127.0.0.1:${PORTS[4]}/api/v1/rematch)
[ "$code" = 200 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d == {"images": 30, "changed": 0}, d' $T/rm.json &&
	[ "$(q "SELECT max(id) FROM rematch_gens")" = $((SGEN + 1)) ] && [ "$(q "SELECT count(*) FROM rematch_chunks WHERE gen < $((SGEN + 1))")" = 0 ] &&
	ok "SQLite: POST /api/v1/rematch: a new generation (the old chunk rows deleted), 30 images, nothing changed" ||
	bad "POST rematch: $code $(cat $T/rm.json) $(q 'SELECT id, state FROM rematch_gens')"
kill -TERM ${SRV[4]}; wait ${SRV[4]} || bad "SQLite instance: SIGTERM exit $?"; unset "SRV[4]"
grep -h '"kind":"error"' $T/srv*.log | grep -v 'packages index' | head -3 | sed 's/^/# /'
echo "# $(($(date +%s) - t0)) s"
[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all passed"
