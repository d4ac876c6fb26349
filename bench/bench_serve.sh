#!/bin/bash
# bench_serve.sh - load test of `stowaway serve`: report reads with ab
# (apache2-utils) from C concurrent clients for D seconds, then the scan
# throughput of the worker pool over N distinct small images.
#
#   STOWAWAY=build/stowaway bench/bench_serve.sh [-c 64] [-t 60] [-n 20] [-w 2]
#   ... SW_BENCH_STORE=postgres bench/bench_serve.sh ...  the same on a PostgreSQL
#   store (a cluster of its own, tests/e2e/pg_lib.sh; the default is an SQLite file)
#
# Prints: requests, failed requests (ab's "Failed" + non-2xx), throughput
# (requests/s), p50/p99 latency (ms) of GET /api/v1/images/{digest}, of
# GET /api/v1/vulnerabilities/{id}/images, scans/minute, and the time of
# POST /api/v1/rematch over the N stored inventories.  Everything is
# built in a temporary folder; nothing is downloaded.
set -eu
: "${STOWAWAY:?set STOWAWAY to the stowaway binary}"
SRC=$(cd "$(dirname "$0")/.." && pwd)
C=64 D=60 N=20 W=2
while getopts c:t:n:w: o; do
	case $o in c) C=$OPTARG ;; t) D=$OPTARG ;; n) N=$OPTARG ;; w) W=$OPTARG ;; *) exit 64 ;; esac
done
command -v ab >/dev/null || { echo "ab is not installed (apache2-utils)" >&2; exit 2; }
T=$(mktemp -d)
SRV=
trap '[ -n "$SRV" ] && kill $SRV 2>/dev/null; wait 2>/dev/null; declare -F pg_stop >/dev/null && pg_stop; rm -rf "$T"' EXIT
STORE=$T/store.sqlite
if [ "${SW_BENCH_STORE:-sqlite}" = postgres ]; then
	. "$SRC/tests/e2e/pg_lib.sh"
	pg_start
	STORE=$PG_URL
fi
export STOWAWAY_NO_CACHE=1
mkdir -p $T/adv
cat > $T/adv/debian.json <<'J'
{"openssl": {"CVE-2024-1001": {"description": "x", "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.13-1~deb12u1", "urgency": "high", "repositories": {"bookworm": "3.0.13-1~deb12u1"}}}}}}
J
"$STOWAWAY" db update -q --db $T/db.sqlite --source debian=$T/adv/debian.json 2>/dev/null
mkimg() { # I -> $T/img$I.tar, a distinct image (one package version differs)
	local d=$T/l$1
	mkdir -p $d/etc $d/var/lib/dpkg
	printf 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' > $d/etc/os-release
	for p in $(seq 1 50); do
		printf 'Package: pkg%s\nStatus: install ok installed\nVersion: 1.%s-%s\nArchitecture: amd64\n\n' $p $p $1
	done > $d/var/lib/dpkg/status
	printf 'Package: libssl3\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u2\nSource: openssl\nArchitecture: amd64\n\n' >> $d/var/lib/dpkg/status
	python3 $SRC/tests/tools/mkimage.py --format docker-archive -o $T/img$1.tar $d
}
for i in $(seq 1 $N); do mkimg $i; done
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
TOK=$("$STOWAWAY" serve token create --scope admin --store "$STORE" bench 2>/dev/null)
"$STOWAWAY" serve --listen 127.0.0.1:$PORT --store "$STORE" --db $T/db.sqlite --workers $W \
	--threads 8 --max-connections 1024 --db-poll 0 2>$T/server.log &
SRV=$!
U=http://127.0.0.1:$PORT
for _ in $(seq 100); do curl -s -o /dev/null $U/healthz && break; sleep 0.1; done
t0=$(date +%s.%N)
for i in $(seq 1 $N); do
	curl -s -o /dev/null -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' \
		-d "{\"image\":\"docker-archive:$T/img$i.tar\"}" $U/api/v1/scans
done
while :; do
	done_n=$(grep -c '"state":"done"' $T/server.log || true)
	failed_n=$(grep -c '"state":"failed"' $T/server.log || true)
	[ $((done_n + failed_n)) -ge $N ] && break
	sleep 0.2
done
t1=$(date +%s.%N)
echo "scans: $N images, $W workers: $done_n done, $failed_n failed in $(echo "$t1 - $t0" | bc) s =" \
	"$(echo "scale=1; $N * 60 / ($t1 - $t0)" | bc) scans/minute"
DIG=$(curl -s -H "Authorization: Bearer $TOK" $U/api/v1/images | python3 -c 'import json,sys; print(json.load(sys.stdin)["images"][0]["digest"])')
run_ab() { # LABEL PATH
	ab -q -k -c $C -t $D -n 100000000 -H "Authorization: Bearer $TOK" -e $T/pct.csv "$U$2" > $T/ab.out 2>&1 || true
	local req fail non2xx rps p50 p99
	req=$(sed -n 's/^Complete requests: *//p' $T/ab.out)
	fail=$(sed -n 's/^Failed requests: *//p' $T/ab.out)
	non2xx=$(sed -n 's/^Non-2xx responses: *//p' $T/ab.out)
	rps=$(sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' $T/ab.out)
	p50=$(sed -n 's/^50,//p' $T/pct.csv)
	p99=$(sed -n 's/^99,//p' $T/pct.csv)
	echo "$1: $C clients, $D s: $req requests, $fail failed, ${non2xx:-0} non-2xx, $rps req/s, p50 ${p50} ms, p99 ${p99} ms"
}
run_ab "GET /api/v1/images/{digest} (latest report)" /api/v1/images/$DIG
run_ab "GET /api/v1/vulnerabilities/CVE-2024-1001/images" /api/v1/vulnerabilities/CVE-2024-1001/images
t0=$(date +%s.%N)
out=$(curl -s -X POST -H "Authorization: Bearer $TOK" $U/api/v1/rematch)
t1=$(date +%s.%N)
echo "POST /api/v1/rematch: $out in $(echo "$t1 - $t0" | bc) s ($(echo "scale=2; ($t1 - $t0) * 1000 / $N" | bc) ms per image)"
echo "server RSS after the load: $(ps -o rss= -p $SRV) KiB"
