#!/bin/bash
# End to end: several `stowaway serve` processes on one PostgreSQL store
# (a cluster of the test's own, tests/e2e/pg_lib.sh, with TLS on).
# - three instances started at once on an empty database: the schema is
#   migrated once (one version row, no "already exists" in PostgreSQL's log);
# - the instances talk TLS to the database when the URL asks (sslmode=
#   verify-full, checked in pg_stat_ssl); a wrong CA file: one clear line;
# - three instances process 150 jobs (submitted round-robin to all three),
#   then kill -9 of the instance holding a running job: another takes it
#   over once the lease expires (attempt 2);
# - two instances process 150 more jobs while PostgreSQL is restarted
#   (pg_ctl restart -m fast): they reconnect, every accepted job ends done;
# - none of the 300 jobs is lost or done twice: every one is 'done' in the
#   jobs table with one attempt, and exactly one "done" log line names it
#   across the instances' logs;
# - a database update: one re-match generation (its chunks split across the
#   instances: test_serve_rematch.sh), one "rematch" line, and the new
#   advisory hits the images;
# - without libpq: one clear line; other commands do not load libpq.
# The jobs are docker-archives built here (three images, each under 100
# paths: 300 distinct references, so 300 jobs).
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
command -v curl >/dev/null 2>&1 || { echo "FAIL - curl is not installed (scripts/setup-deps.sh)"; exit 1; }
T=$(mktemp -d)
chmod 755 "$T"
declare -A SRV=()   # instance number -> pid
cleanup() {
	for p in "${SRV[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	[ -n "${HANG:-}" ] && kill "$HANG" 2>/dev/null
	declare -F pg_stop >/dev/null && pg_stop
	rm -rf "$T"
}
trap cleanup EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
export HOME=$T/home STOWAWAY_REGISTRY_BACKOFF_MS=0; mkdir -p "$HOME"
. "$SW_SOURCE_DIR/tests/e2e/pg_lib.sh"
free_port() { pg_free_port; }
t0=$(date +%s)

# ---- the other commands do not pay for libpq; a missing libpq is one line ----
LD_DEBUG=files "$STOWAWAY" --version 2>&1 >/dev/null | grep -q 'libpq' && bad "--version loads libpq" ||
	ok "other commands do not load libpq"
STOWAWAY_LIBPQ=/nonexistent/libpq.so.5 "$STOWAWAY" serve token create --store postgresql://x@127.0.0.1:1/db t >$T/out 2>$T/e; rc=$?
[ $rc = 2 ] && [ "$(wc -l <$T/e)" = 1 ] && grep -q "cannot load libpq.so.5: .*; install libpq5" $T/e && [ ! -s $T/out ] &&
	ok "without libpq: one clear line, exit 2" || bad "no libpq: rc $rc $(cat $T/e)"

pg_start --ssl
URL="$PG_URL?sslmode=verify-full&sslrootcert=$PG_DIR/ca.pem"
"$STOWAWAY" serve token create --store "postgresql://postgres:hunter2pw@127.0.0.1:$PG_PORT/stowaway?sslmode=verify-full&sslrootcert=$T/none.pem" x >$T/out 2>$T/e; rc=$?
[ $rc = 2 ] && [ "$(wc -l <$T/e)" = 1 ] && grep -q "none.pem" $T/e && ! grep -q hunter2pw $T/e &&
	ok "a missing CA file: one line naming it, password masked" || bad "bad CA: rc $rc $(cat $T/e)"

# ---- advisories, the database, the images ----
mkdir -p $T/adv
cat > $T/adv/debian.json <<'J'
{"openssl": {"CVE-2024-1001": {"description": "openssl fixed upstream", "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.13-1~deb12u1", "urgency": "high", "repositories": {"bookworm": "3.0.13-1~deb12u1"}}}}}}
J
DB=$T/db.sqlite
"$STOWAWAY" db update -q --db $DB --source debian=$T/adv/debian.json 2>$T/upd.err || { echo "FAIL - db update: $(cat $T/upd.err)"; exit 1; }
mkdir -p $T/links
for n in 1 2 3; do
	L=$T/l$n
	mkdir -p $L/etc $L/var/lib/dpkg
	printf 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' > $L/etc/os-release
	printf 'Package: libssl3\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u%s\nSource: openssl\nArchitecture: amd64\n\n' $n > $L/var/lib/dpkg/status
	$MKIMAGE --format docker-archive -o $T/img$n.tar $L || { echo "FAIL - mkimage"; exit 1; }
	for i in $(seq 100); do ln -s $T/img$n.tar $T/links/i$n-$i.tar; done
done

# ---- three instances at once on an empty database: one migration ----
PORTS=()
start() { # N [extra args]: instance N on its own port
	local n=$1; shift
	"$STOWAWAY" serve --listen 127.0.0.1:${PORTS[$n]} --store "$URL" --db $DB --db-poll 1 --lease 5 --workers 2 \
		--grace 1 "$@" 2>>$T/srv$n.log &
	SRV[$n]=$!
}
wait_up() { # N
	for _ in $(seq 300); do curl -s -o /dev/null -m 1 http://127.0.0.1:${PORTS[$1]}/healthz && return 0
		kill -0 ${SRV[$1]} 2>/dev/null || return 1; sleep 0.1; done; return 1; }
for n in 1 2 3; do PORTS[$n]=$(free_port); done
for n in 1 2 3; do start $n; done
up=0
for n in 1 2 3; do wait_up $n && up=$((up + 1)) || echo "# instance $n: $(tail -2 $T/srv$n.log)"; done
[ $up = 3 ] && ok "three instances started at once on an empty database" || { bad "only $up instances started"; exit 1; }
[[ "$(pg_psql 'SELECT count(*), max(version) FROM stowaway_schema')" =~ ^1\|[1-9][0-9]*$ ]] && ! grep -q "already exists" $PG_DIR/server.log &&
	ok "the schema was migrated once (one version row, no 'already exists')" || bad "migration: $(pg_psql 'SELECT * FROM stowaway_schema') $(grep -c 'already exists' $PG_DIR/server.log)"
ssl=$(pg_psql "SELECT count(*) FILTER (WHERE s.ssl), count(*) FILTER (WHERE NOT s.ssl) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.datname = 'stowaway' AND a.client_addr IS NOT NULL")
[[ $ssl =~ ^[1-9][0-9]*\|0$ ]] && ok "the instances' connections use TLS (sslmode=verify-full): $ssl" || bad "TLS connections: $ssl"

TOKEN=$("$STOWAWAY" serve token create --scope scan --store "$URL" ci 2>$T/tok.err) || { bad "token: $(cat $T/tok.err)"; exit 1; }
submit() { # INSTANCE REF -> prints the job id (nothing when not accepted)
	curl -s -m 60 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		-d "{\"image\":\"$2\"}" http://127.0.0.1:${PORTS[$1]}/api/v1/scans | sed -n 's/.*"id":"\{0,1\}\([0-9]*\).*/\1/p'
	echo
}
# many submissions from one process: PORT... -- REF... (round-robin), job ids out
cat > $T/submit.py <<'PY'
import json, sys, urllib.request
args = sys.argv[2:]
cut = args.index("--")
ports, refs = args[:cut], args[cut + 1:]
for i, ref in enumerate(refs):
    req = urllib.request.Request("http://127.0.0.1:%s/api/v1/scans" % ports[i % len(ports)],
                                 data=json.dumps({"image": ref}).encode(), method="POST",
                                 headers={"Authorization": "Bearer " + sys.argv[1], "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            if r.status == 202:
                print(json.load(r)["id"], flush=True)
    except Exception as e:
        print("# %s: %s" % (ref, e), file=sys.stderr, flush=True)
PY
wait_done() { # N SECONDS: until N jobs are done
	local n
	for _ in $(seq $((${2} * 5))); do
		n=$(pg_psql "SELECT count(*) FROM jobs WHERE state = 'done'" 2>/dev/null)
		[ "${n:-0}" -ge "$1" ] && return 0
		sleep 0.2
	done
	return 1
}

# ---- three instances, 150 jobs ----
: > $T/ids
python3 $T/submit.py $TOKEN ${PORTS[1]} ${PORTS[2]} ${PORTS[3]} -- $(for i in $(seq 50); do for n in 1 2 3; do
	echo "docker-archive:$T/links/i$n-$i.tar"; done; done) > $T/ids
[ "$(sort -u $T/ids | grep -c .)" = 150 ] && ok "150 jobs accepted by three instances" || bad "accepted: $(sort -u $T/ids | grep -c .)"
wait_done 150 90 && ok "three instances: 150 jobs done ($(($(date +%s) - t0)) s so far)" ||
	bad "three instances: $(pg_psql "SELECT state, count(*) FROM jobs GROUP BY state")"
for n in 1 2 3; do
	grep -q '"state":"done"' $T/srv$n.log || bad "instance $n did no job"
done

# ---- kill -9 of the instance running a job: another takes it after the lease ----
HPORT=$(free_port)
python3 - $HPORT <<'PY' &
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)   # accept, never answer
PY
HANG=$!
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$HPORT) 2>/dev/null && break; sleep 0.1; done
JK=$(submit 1 "registry:127.0.0.1:$HPORT/hang/app:v1")
owner=
for _ in $(seq 100); do
	owner=$(pg_psql "SELECT lease_owner FROM jobs WHERE id = $JK AND state = 'running'")
	[ -n "$owner" ] && break; sleep 0.1
done
victim=
for n in 1 2 3; do grep -q "\"owner\":\"$owner\"" $T/srv$n.log && victim=$n; done
if [ -z "$victim" ]; then
	bad "the hanging job $JK is not running under a known instance ('$owner')"
else
	kill -9 ${SRV[$victim]}; wait ${SRV[$victim]} 2>/dev/null; unset "SRV[$victim]"
	kill $HANG; wait $HANG 2>/dev/null; HANG=
	st=
	for _ in $(seq 150); do
		st=$(pg_psql "SELECT state || ' ' || attempts || ' ' || coalesce(lease_owner, '-') FROM jobs WHERE id = $JK")
		[[ $st == failed* || $st == done* ]] && break; sleep 0.1
	done
	others=$(for n in 1 2 3; do [ $n != $victim ] && cat $T/srv$n.log; done | grep -c "\"job\":$JK,\"state\":\"running\",\"attempt\":2")
	[[ $st == "failed 2 -" ]] && [ "$others" = 1 ] &&
		ok "kill -9 of instance $victim mid-job: another instance took job $JK over after the lease (attempt 2)" ||
		bad "takeover: job $JK is '$st', attempt-2 lines elsewhere: $others"
fi
alive=(); for n in 1 2 3; do [ -n "${SRV[$n]:-}" ] && alive+=($n); done

# ---- two instances, 150 more jobs, PostgreSQL restarted under load ----
: > $T/ids2
python3 $T/submit.py $TOKEN ${PORTS[${alive[0]}]} ${PORTS[${alive[1]}]} -- $(for i in $(seq 51 100); do for n in 1 2 3; do
	echo "docker-archive:$T/links/i$n-$i.tar"; done; done) > $T/ids2 2>$T/submit2.err &
SUBMITTER=$!
for _ in $(seq 100); do [ "$(grep -c . $T/ids2)" -ge 40 ] && break; sleep 0.1; done
pg_restart && ok "PostgreSQL restarted under load (pg_ctl restart -m fast)" || bad "pg_ctl restart"
wait $SUBMITTER
acc=$(sort -u $T/ids2 | grep -c .)
[ "$acc" = 150 ] && ok "150 more jobs accepted by two instances (across the restart)" || bad "accepted across the restart: $acc"
wait_done 300 90 && ok "two instances: every accepted job done after the restart ($(($(date +%s) - t0)) s so far)" ||
	bad "after the restart: $(pg_psql "SELECT state, count(*) FROM jobs GROUP BY state")"
for n in "${alive[@]}"; do kill -0 ${SRV[$n]} 2>/dev/null || bad "instance $n died"; done
grep -h '"kind":"error"' $T/srv*.log | head -3 | sed 's/^/# /'
sed 's/^/# /' $T/submit2.err

# ---- none lost, none done twice ----
cat $T/ids $T/ids2 | sort -u > $T/all
[ "$(grep -c . $T/all)" = 300 ] || bad "$(grep -c . $T/all) distinct job ids accepted, want 300"
notdone=$(pg_psql "SELECT count(*) FROM jobs WHERE id IN ($(paste -sd, $T/all)) AND (state <> 'done' OR attempts <> 1 OR report_id IS NULL)")
[ "$notdone" = 0 ] && ok "all 300 jobs are done with one attempt and a report (jobs table)" ||
	bad "$notdone jobs not done once: $(pg_psql "SELECT state, attempts, count(*) FROM jobs GROUP BY 1, 2")"
cat $T/srv*.log | sed -n 's/.*"job":\([0-9]*\),.*"state":"done".*/\1/p' | sort | uniq -c | awk '{print $2, $1}' > $T/donecount
twice=$(awk '$2 != 1' $T/donecount | wc -l)
missing=$(join -v1 $T/all <(cut -d' ' -f1 $T/donecount | sort) | wc -l)
[ "$twice" = 0 ] && [ "$missing" = 0 ] && ok "exactly one 'done' log line per job across the instances" ||
	bad "done lines: $twice jobs more than once, $missing without one"
grep -h '"state":"done"' $T/srv*.log | grep -q store_error && bad "a done job logged a store error"
[ "$(pg_psql "SELECT count(DISTINCT image_digest) FROM jobs WHERE id IN ($(paste -sd, $T/all))")" = 3 ] &&
	[ "$(pg_psql "SELECT count(*) FROM images")" = 3 ] && ok "three images stored, each once" || bad "images: $(pg_psql 'SELECT digest FROM images')"
hits=$(pg_psql "SELECT count(DISTINCT i.digest) FROM findings f JOIN images i ON i.latest_report = f.report WHERE f.vuln_id = 'CVE-2024-1001'")
[ "$hits" = 3 ] && ok "the planted CVE hits the three images (finding index of the latest reports)" || bad "CVE hits: $hits"

# ---- a database update: one re-match generation ----
cat > $T/adv/debian.json <<'J'
{"openssl": {"CVE-2024-1001": {"description": "openssl fixed upstream", "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.13-1~deb12u1", "urgency": "high", "repositories": {"bookworm": "3.0.13-1~deb12u1"}}}},
             "CVE-2024-3003": {"description": "new", "releases": {"bookworm": {"status": "open", "urgency": "medium", "repositories": {}}}}}}
J
"$STOWAWAY" db update -q --db $DB --source debian=$T/adv/debian.json 2>$T/upd.err || bad "db update 2: $(cat $T/upd.err)"
hits=
for _ in $(seq 150); do
	hits=$(pg_psql "SELECT count(DISTINCT i.digest) FROM findings f JOIN images i ON i.latest_report = f.report WHERE f.vuln_id = 'CVE-2024-3003'")
	[ "$hits" = 3 ] && break; sleep 0.2
done
sleep 3   # a second instance would re-match within its next polls
nre=$(cat $T/srv*.log | grep -c '"kind":"rematch"')
[ "$hits" = 3 ] && [ "$nre" = 1 ] && ok "database update: one re-match generation, the new CVE hits the three images" ||
	bad "re-match: $hits images hit, $nre rematch lines: $(grep -h '"kind":"rematch"\|vulndb_changed' $T/srv*.log)"

for n in "${alive[@]}"; do kill -TERM ${SRV[$n]}; done
for n in "${alive[@]}"; do wait ${SRV[$n]} || bad "instance $n: SIGTERM exit $?"; unset "SRV[$n]"; done
cat $T/srv*.log | python3 -c '
import json, sys
ms = sorted(d["ms"] for d in map(json.loads, sys.stdin) if d.get("kind") == "job" and d.get("state") == "done")
print("# %d jobs done, ms per job: p50 %.0f, p90 %.0f, max %.0f" % (len(ms), ms[len(ms) // 2], ms[len(ms) * 9 // 10], ms[-1]))'
echo "# $(($(date +%s) - t0)) s"
[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all passed"
