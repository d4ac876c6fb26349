#!/bin/bash
# bench_serve.sh - load test of `stowaway serve` (issue 16, "Speed and load"):
#  1. server RSS idle (just started, empty store);
#  2. scans per minute of N small distinct images (docker-archives of 51 dpkg
#     packages each, written by one Python process) with W workers;
#  3. report reads with ab (apache2-utils): C concurrent clients for D seconds
#     on GET /api/v1/images/{digest} and on GET /api/v1/vulnerabilities/
#     {id}/images (requests, failed, non-2xx, req/s, p50/p99), server RSS
#     sampled every 0.2 s during the load (peak) and after;
#  4. re-matching the N stored inventories after a database update (a real
#     `db update` that adds an advisory hitting every image, then POST
#     /api/v1/rematch): seconds, per image, images changed;
#  5. scans per minute of the corpus images ($CORPUS/debian-big and
#     debian-min, docker-archive) with W workers, R rounds, each on a fresh
#     server and store (so every scan reads its layers; layer cache off),
#     with the peak RSS during those scans.
#
#   STOWAWAY=build/stowaway bench/bench_serve.sh [-c 64] [-t 60] [-n 1000] [-w 2] [-r 2] [-i 1]
#   SW_BENCH_STORE=postgres STOWAWAY=... bench/bench_serve.sh ...   the same on a
#       PostgreSQL store (a cluster of its own, tests/e2e/pg_lib.sh; the default is
#       an SQLite file)
#
# -i I: I instances of `stowaway serve` on the one store (docs/scaling.md), each
# with W workers: the scans are submitted to them in turn, each ab load is I
# ab processes at once (C/I clients each, one per instance; their requests and
# req/s added up, p50/p99 of each shown), and the re-match after the database
# update is split across them in chunks of $K images (default 10; part 4
# measures from the end of `db update` to the end of the re-match generation
# in GET /api/v1/db).
#
# -r 0 skips the corpus part.  Each figure line starts with "load=L1,L5,L15"
# (uptime's load averages when it was measured: other work on the machine
# shows there).  Everything is built in a temporary folder; nothing is
# downloaded.
set -eu
: "${STOWAWAY:?set STOWAWAY to the stowaway binary}"
SRC=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${CORPUS:-/work/corpus/images}
C=64 D=60 N=1000 W=2 R=2 I=1
while getopts c:t:n:w:r:i: o; do
	case $o in c) C=$OPTARG ;; t) D=$OPTARG ;; n) N=$OPTARG ;; w) W=$OPTARG ;; r) R=$OPTARG ;; i) I=$OPTARG ;; *) exit 64 ;; esac
done
command -v ab >/dev/null || { echo "ab is not installed (apache2-utils)" >&2; exit 2; }
T=$(mktemp -d)
chmod 755 $T
SRV=
trap '[ -n "$SRV" ] && kill $SRV 2>/dev/null; wait 2>/dev/null; declare -F pg_stop >/dev/null && pg_stop; rm -rf "$T"' EXIT
STORE=$T/store.sqlite
if [ "${SW_BENCH_STORE:-sqlite}" = postgres ]; then
	. "$SRC/tests/e2e/pg_lib.sh"
	pg_start
	STORE=$PG_URL
fi
# a fresh store for round R of part 5
fresh_store() {
	if [ -n "${PG_URL:-}" ]; then
		pg_as "$PG_BIN/createdb" -h "$PG_DIR" -p "$PG_PORT" -U postgres c$1 >/dev/null
		echo "postgresql://postgres@127.0.0.1:$PG_PORT/c$1"
	else
		rm -f $T/c.sqlite*; echo $T/c.sqlite
	fi
}
export STOWAWAY_NO_CACHE=1
load() { awk '{printf "load=%s,%s,%s", $1, $2, $3}' /proc/loadavg; }
rss() { local t=0 p r; for p in $SRV; do r=$(ps -o rss= -p $p | tr -d ' '); t=$((t + ${r:-0})); done; echo $t; }
now() { date +%s.%N; }
mkdir -p $T/adv
cat > $T/adv/debian.json <<'J'
{"openssl": {"CVE-2024-1001": {"description": "x", "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.13-1~deb12u1", "urgency": "high", "repositories": {"bookworm": "3.0.13-1~deb12u1"}}}}}}
J
"$STOWAWAY" db update -q --db $T/db.sqlite --source debian=$T/adv/debian.json 2>$T/upd.err || { cat $T/upd.err >&2; exit 2; }
# N distinct images (pkg1's version differs), one Python process
python3 - $T $N <<'PY'
import hashlib, io, json, os, sys, tarfile
out, n = sys.argv[1], int(sys.argv[2])
def add(t, name, data):
    ti = tarfile.TarInfo(name); ti.size = len(data); ti.mode = 0o644; ti.mtime = 1700000000
    t.addfile(ti, io.BytesIO(data))
for i in range(1, n + 1):
    status = "".join("Package: pkg%d\nStatus: install ok installed\nVersion: 1.%d-%d\nArchitecture: amd64\n\n" % (p, p, i)
                     for p in range(1, 51))
    status += "Package: libssl3\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u2\nSource: openssl\nArchitecture: amd64\n\n"
    lb = io.BytesIO()
    with tarfile.open(fileobj=lb, mode="w", format=tarfile.GNU_FORMAT) as t:
        add(t, "etc/os-release", b'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n')
        add(t, "var/lib/dpkg/status", status.encode())
    layer = lb.getvalue()
    diff = hashlib.sha256(layer).hexdigest()
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
                      "config": {"User": "1000"}, "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff]},
                      "history": [{"created_by": "bench %d" % i}]}).encode()
    ch = hashlib.sha256(cfg).hexdigest()
    man = json.dumps([{"Config": ch + ".json", "RepoTags": ["bench/img%d:1" % i], "Layers": [diff + "/layer.tar"]}]).encode()
    with tarfile.open(os.path.join(out, "img%d.tar" % i), "w") as t:
        add(t, "manifest.json", man)
        add(t, ch + ".json", cfg)
        add(t, diff + "/layer.tar", layer)
PY
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start_server() { # STORE LOG [INSTANCES]: U (the first instance), US (all), SRV (their pids; RSS: their sum)
	local k n=${3:-1} port
	TOK=$("$STOWAWAY" serve token create --scope admin --store "$1" bench 2>/dev/null)
	SRV= US=
	for k in $(seq 1 $n); do
		port=$(free_port)
		"$STOWAWAY" serve --listen 127.0.0.1:$port --store "$1" --db $T/db.sqlite --workers $W \
			--threads 8 --max-connections 1024 --db-poll 1 --rematch-chunk ${K:-10} 2>${2%.log}$k.log &
		SRV="$SRV $!" US="$US http://127.0.0.1:$port"
		for _ in $(seq 300); do curl -s -o /dev/null http://127.0.0.1:$port/healthz && break; sleep 0.1; done
	done
	SRV=${SRV# } US=${US# }
	U=${US%% *}
}
wait_jobs() { # LOG COUNT (LOG: the first instance's; the others' beside it)
	while :; do
		done_n=$(cat ${1%1.log}*.log | grep -c '"state":"done"' || true)
		failed_n=$(cat ${1%1.log}*.log | grep -c '"state":"failed"' || true)
		[ $((done_n + failed_n)) -ge $2 ] && break
		sleep 0.2
	done
}
sample_rss() { # -> $T/rss.peak while the file $T/sampling exists
	local peak=0 r
	while [ -e $T/sampling ]; do
		r=$(rss); [ -n "$r" ] && [ "$r" -gt "$peak" ] && peak=$r
		sleep 0.2
	done
	echo $peak > $T/rss.peak
}

# ---- 1. idle ----
start_server "$STORE" $T/server.log $I
sleep 1
echo "$(load) store ${SW_BENCH_STORE:-sqlite}, $I instance(s): server RSS idle (started, empty store): $(rss) KiB"

# ---- 2. N small images ----
l=$(load)
t0=$(now)
ua=($US)
for i in $(seq 1 $N); do
	curl -s -o /dev/null -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' \
		-d "{\"image\":\"docker-archive:$T/img$i.tar\"}" ${ua[$((i % I))]}/api/v1/scans
done
wait_jobs $T/server1.log $N
t1=$(now)
echo "$l scans: $N small images (51 packages), $I x $W workers: $done_n done, $failed_n failed in $(echo "$t1 - $t0" | bc) s =" \
	"$(echo "scale=1; $N * 60 / ($t1 - $t0)" | bc) scans/minute; RSS after $(rss) KiB"

# ---- 3. report reads ----
DIG=$(curl -s -H "Authorization: Bearer $TOK" $U/api/v1/images | python3 -c 'import json,sys; print(json.load(sys.stdin)["images"][0]["digest"])')
run_ab() { # LABEL PATH
	local l; l=$(load)
	touch $T/sampling; sample_rss & local sp=$!
	local k=0 u pids=
	for u in $US; do
		k=$((k + 1))
		ab -q -k -c $((C / I)) -t $D -n 100000000 -H "Authorization: Bearer $TOK" -e $T/pct$k.csv "$u$2" > $T/ab$k.out 2>&1 &
		pids="$pids $!"
	done
	wait $pids || true
	rm -f $T/sampling; wait $sp
	local req=0 fail=0 non2xx=0 rps=0 p50= p99=
	for k in $(seq 1 $I); do
		req=$((req + $(sed -n 's/^Complete requests: *//p' $T/ab$k.out)))
		fail=$((fail + $(sed -n 's/^Failed requests: *//p' $T/ab$k.out)))
		non2xx=$((non2xx + $(sed -n 's/^Non-2xx responses: *//p' $T/ab$k.out | grep . || echo 0)))
		rps=$(echo "$rps + $(sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' $T/ab$k.out)" | bc)
		p50="$p50${p50:+/}$(sed -n 's/^50,//p' $T/pct$k.csv)"
		p99="$p99${p99:+/}$(sed -n 's/^99,//p' $T/pct$k.csv)"
	done
	echo "$l $1: $C clients on $I instance(s), $D s: $req requests, $fail failed, $non2xx non-2xx, $rps req/s, p50 ${p50} ms," \
		"p99 ${p99} ms; server RSS peak $(cat $T/rss.peak) KiB"
}
run_ab "GET /api/v1/images/{digest} (latest report)" /api/v1/images/$DIG
run_ab "GET /api/v1/vulnerabilities/CVE-2024-1001/images ($N hits)" /api/v1/vulnerabilities/CVE-2024-1001/images
echo "$(load) server RSS after the load: $(rss) KiB"

# ---- 4. re-matching after a database update ----
cat > $T/adv/debian.json <<'J'
{"openssl": {"CVE-2024-1001": {"description": "x", "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.13-1~deb12u1", "urgency": "high", "repositories": {"bookworm": "3.0.13-1~deb12u1"}}}}},
 "pkg1": {"CVE-2024-9001": {"description": "new", "releases": {"bookworm": {"status": "resolved", "fixed_version": "9.0-1", "urgency": "medium", "repositories": {"bookworm": "9.0-1"}}}}}}
J
gen0=$(curl -s -H "Authorization: Bearer $TOK" $U/api/v1/db | python3 -c 'import json,sys; r=json.load(sys.stdin)["rematch"]; print(r["generation"] if r else 0)')
l=$(load)
touch $T/sampling; sample_rss & sp=$!
"$STOWAWAY" db update -q --db $T/db.sqlite --source debian=$T/adv/debian.json 2>$T/upd.err || { cat $T/upd.err >&2; exit 2; }
t0=$(now)
# the watchers (--db-poll 1) notice the new file and begin a generation that every instance works on
while :; do
	out=$(curl -s -H "Authorization: Bearer $TOK" $U/api/v1/db | python3 -c '
import json, sys
r = json.load(sys.stdin)["rematch"]
if r and r["generation"] > int(sys.argv[1]) and r["state"] == "done":
    print("generation %d: %d images, %d changed, %d failed, %d chunks by %d instance(s)" % (r["generation"],
          r["images"]["done"], r["images"]["changed"], r["images"]["failed"], r["chunks"]["total"], r["instances"]))' $gen0)
	[ -n "$out" ] && break
	sleep 0.2
done
t1=$(now)
rm -f $T/sampling; wait $sp
echo "$l re-match after a database update (+1 advisory on every image), $I instance(s): $out in $(echo "$t1 - $t0" | bc) s" \
	"($(echo "scale=2; ($t1 - $t0) * 1000 / $N" | bc) ms per image, from the end of db update, --db-poll 1); RSS peak $(cat $T/rss.peak) KiB"
kill $SRV; wait $SRV 2>/dev/null || true; SRV=

# ---- 5. the corpus images ----
if [ "$R" -gt 0 ]; then
	imgs=()
	for n in debian-big debian-min; do
		f=$CORPUS/$n/$n.docker.tar
		[ -f "$f" ] || { echo "missing corpus image $f (CORPUS=$CORPUS)" >&2; exit 2; }
		imgs+=("$f")
	done
	total=0 secs=0 peak=0 l=$(load)
	for r in $(seq 1 $R); do
		rm -f $T/c*.log
		start_server "$(fresh_store $r)" $T/c.log 1
		touch $T/sampling; sample_rss & sp=$!
		t0=$(now)
		for f in "${imgs[@]}"; do
			curl -s -o /dev/null -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' \
				-d "{\"image\":\"docker-archive:$f\"}" $U/api/v1/scans
		done
		wait_jobs $T/c1.log ${#imgs[@]}
		t1=$(now)
		rm -f $T/sampling; wait $sp
		[ "$(cat $T/rss.peak)" -gt $peak ] && peak=$(cat $T/rss.peak)
		total=$((total + done_n)); secs=$(echo "$secs + $t1 - $t0" | bc)
		grep '"state":"done"' $T/c1.log | python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l)
    print("  round %s: %s %.0f ms, %d findings, %d layers read" % (sys.argv[1], d["ref"].rsplit("/", 1)[-1], d["ms"], d["findings"], d["layers_read"]))' $r
		kill $SRV; wait $SRV 2>/dev/null || true; SRV=
	done
	echo "$l corpus: debian-big + debian-min, $W workers, $R rounds (fresh store each): $total done in $secs s =" \
		"$(echo "scale=1; $total * 60 / $secs" | bc) scans/minute; server RSS peak $peak KiB"
fi
