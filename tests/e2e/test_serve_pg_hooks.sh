#!/bin/bash
# End to end: two `stowaway serve` instances on one PostgreSQL store (a
# cluster of the test's own, tests/e2e/pg_lib.sh) deliver each webhook
# notification exactly once.
# - four images scanned, then a database update adds an advisory: one
#   instance re-matches (the store's "rematch" lease) and queues one delivery
#   per image and webhook (4 x 4 = 16) in the reports' transactions;
# - both instances' delivery threads claim them (FOR UPDATE SKIP LOCKED and a
#   lease); a receiver written here answers slowly (0.3 s) and counts what it
#   gets per delivery id (X-Stowaway-Delivery): every delivery is answered
#   200 exactly once, the one webhook that answers 500 to a delivery's first
#   attempt gets that delivery twice (500, then 200), nothing else is sent
#   twice; both instances delivered some, and their "delivered" log lines add
#   up to the 16;
# - the store agrees: 16 deliveries 'delivered', none leased.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
for tool in curl python3; do
	command -v $tool >/dev/null 2>&1 || { echo "FAIL - $tool is not installed"; exit 1; }
done
T=$(mktemp -d)
SRV=()
PIDS=()
cleanup() {
	for p in "${SRV[@]}" "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	declare -F pg_stop >/dev/null && pg_stop
	rm -rf "$T"
}
trap cleanup EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
export HOME=$T/home; mkdir -p "$HOME"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 300); do curl -s -o /dev/null -m 1 "$1" && return 0; sleep 0.1; done; return 1; }
. "$SW_SOURCE_DIR/tests/e2e/pg_lib.sh"
pg_start
URL=$PG_URL

# ---- the receiver: slow, logs path, delivery id and its answer ----
RPORT=$(free_port)
cat > $T/recv.py <<'PY'
import http.server, json, sys, threading, time
log, lock, seen = open(sys.argv[2], "a"), threading.Lock(), set()
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        time.sleep(0.3)
        d = self.headers.get("X-Stowaway-Delivery")
        with lock:
            code = 500 if self.path == "/flaky" and d not in seen else 200
            seen.add(d)
            log.write(json.dumps({"path": self.path, "delivery": d, "answer": code}) + "\n")
            log.flush()
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
: > $T/got.jsonl
python3 $T/recv.py $RPORT $T/got.jsonl &
PIDS+=($!)
wait_http http://127.0.0.1:$RPORT/ || { echo "FAIL - the receiver did not start"; exit 1; }

# ---- advisories, the database, four images ----
mkdir -p $T/adv
adv() { # with the new CVE (1) or not (0)
	python3 - "$1" > $T/adv/debian.json <<'PY'
import json, sys
d = {"openssl": {"CVE-2024-1001": {"description": "fixed", "releases": {"bookworm": {"status": "resolved",
     "fixed_version": "3.0.13-1~deb12u1", "urgency": "high", "repositories": {"bookworm": "3.0.13-1~deb12u1"}}}}}}
if sys.argv[1] == "1":
    d["openssl"]["CVE-2024-3003"] = {"description": "new", "releases": {"bookworm": {"status": "open",
        "urgency": "medium", "repositories": {}}}}
print(json.dumps(d))
PY
}
adv 0
DB=$T/db.sqlite
"$STOWAWAY" db update -q --db $DB --source debian=$T/adv/debian.json 2>$T/upd.err || { echo "FAIL - db update: $(cat $T/upd.err)"; exit 1; }
for n in 1 2 3 4; do
	L=$T/l$n
	mkdir -p $L/etc $L/var/lib/dpkg
	printf 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' > $L/etc/os-release
	printf 'Package: libssl3\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u%s\nSource: openssl\nArchitecture: amd64\n\n' $n > $L/var/lib/dpkg/status
	$MKIMAGE --format docker-archive -o $T/img$n.tar $L || { echo "FAIL - mkimage"; exit 1; }
done

# ---- two instances ----
ADMIN=$("$STOWAWAY" serve token create --scope admin --store "$URL" admin 2>$T/tok.err) || { echo "FAIL - token: $(cat $T/tok.err)"; exit 1; }
PORTS=()
for n in 1 2; do
	PORTS[$n]=$(free_port)
	STOWAWAY_TEST_WEBHOOK_TIMEOUT=3 "$STOWAWAY" serve --listen 127.0.0.1:${PORTS[$n]} --store "$URL" --db $DB \
		--db-poll 1 --lease 5 --workers 2 --webhook-backoff 1 --webhook-backoff-max 2 2>>$T/srv$n.log &
	SRV[$n]=$!
done
for n in 1 2; do
	wait_http http://127.0.0.1:${PORTS[$n]}/healthz || { echo "FAIL - instance $n did not start: $(tail -3 $T/srv$n.log)"; exit 1; }
done
api() { # INSTANCE METHOD PATH [curl args]
	local n=$1 m=$2 p=$3; shift 3
	curl -s -m 30 -X "$m" -H "Authorization: Bearer $ADMIN" "$@" http://127.0.0.1:${PORTS[$n]}$p
}
for h in a b c flaky; do
	api $(( ${#h} % 2 + 1 )) POST /api/v1/webhooks -H 'Content-Type: application/json' \
		-d "{\"url\":\"http://127.0.0.1:$RPORT/$h\",\"secret\":\"secret-0123456789abcdef\"}" | grep -q '"id"' ||
		bad "webhook $h not created"
done
JOBS=()
for n in 1 2 3 4; do
	JOBS+=($(api $(( n % 2 + 1 )) POST /api/v1/scans -H 'Content-Type: application/json' \
		-d "{\"image\":\"docker-archive:$T/img$n.tar\"}" | sed -n 's/.*"id":"\{0,1\}\([0-9]*\).*/\1/p'))
done
done_n=0
for _ in $(seq 600); do
	done_n=0
	for j in "${JOBS[@]}"; do api 1 GET /api/v1/scans/$j | grep -q '"state":"done"' && done_n=$((done_n + 1)); done
	[ $done_n = 4 ] && break
	sleep 0.1
done
[ $done_n = 4 ] && ok "four images scanned by the two instances" || bad "scanned: $done_n of 4"
[ "$(wc -l < $T/got.jsonl)" = 0 ] || bad "first reports notified: $(cat $T/got.jsonl)"

# ---- the update: 16 notifications, each delivered once ----
adv 1
"$STOWAWAY" db update -q --db $DB --source debian=$T/adv/debian.json 2>$T/upd.err || bad "db update 2: $(cat $T/upd.err)"
n200=0
for _ in $(seq 600); do
	n200=$(grep -c '"answer": 200' $T/got.jsonl)
	[ "$n200" -ge 16 ] && break
	sleep 0.1
done
sleep 2   # a second delivery of anything would come now
python3 - $T/got.jsonl <<'PY' && ok "16 notifications (4 images x 4 webhooks), each answered 200 exactly once; the flaky webhook's 4 sent twice (500, then 200)" || bad "deliveries: $(cat $T/got.jsonl)"
import collections, json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
ok = collections.Counter(g["delivery"] for g in got if g["answer"] == 200)
assert len(ok) == 16 and set(ok.values()) == {1}, ok
per_path = collections.Counter(g["path"] for g in got if g["answer"] == 200)
assert per_path == {"/a": 4, "/b": 4, "/c": 4, "/flaky": 4}, per_path
fail = collections.Counter(g["delivery"] for g in got if g["answer"] != 200)
assert all(g["path"] == "/flaky" for g in got if g["answer"] != 200) and len(fail) == 4 and set(fail.values()) == {1}, fail
assert len(got) == 20, len(got)
PY
d1=$(grep -a '"kind":"delivery"' $T/srv1.log | grep -c '"state":"delivered"')
d2=$(grep -a '"kind":"delivery"' $T/srv2.log | grep -c '"state":"delivered"')
[ $((d1 + d2)) = 16 ] && [ "$d1" -ge 1 ] && [ "$d2" -ge 1 ] && ok "both instances delivered ($d1 + $d2 = 16 'delivered' log lines)" ||
	bad "delivered log lines: instance 1 $d1, instance 2 $d2"
grep -a '"kind":"delivery"' $T/srv*.log | grep -q store_error && bad "a delivery logged a store error"
rows=$(pg_psql "SELECT state, count(*), count(lease_owner) FROM deliveries GROUP BY state ORDER BY state")
[ "$rows" = "delivered|16|0" ] && ok "the store: 16 deliveries delivered, none leased" || bad "deliveries table: $rows"

for n in 1 2; do kill -TERM ${SRV[$n]}; wait ${SRV[$n]}; rc=$?; [ $rc = 0 ] || bad "instance $n: SIGTERM exit $rc"; done
SRV=()
[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all passed"
