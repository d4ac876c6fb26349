#!/bin/bash
# End to end: faults around `stowaway serve`'s scans (what test_serve.sh
# does not cover: there, one job survives a kill -9 and a registry that is
# down from the start fails its job).
# - kill -9 while several scan jobs run (3 workers hanging on a registry,
#   3 more pending, 2 done before): after a restart every accepted job
#   finishes exactly once - one "done" log line and one report per job, none
#   lost, none re-done - and the store opens without repair
#   (PRAGMA integrity_check, or pg_amcheck on PostgreSQL; /readyz);
# - the window between a job's report and its "done" (the server killed
#   there, STOWAWAY_SERVE_CRASH_AFTER_REPORT): the restarted server marks
#   the job done with the stored report, no second report;
# - a registry that fails mid-layer (a Python proxy in front of Debian's
#   docker-registry that cuts every layer transfer half-way): the job fails
#   with a clear error naming the layer, the image keeps its last good
#   report (no report for the failed job); once the proxy passes blobs
#   again, POST .../retry succeeds with the planted findings.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
for tool in docker-registry skopeo curl sqlite3; do
	command -v $tool >/dev/null 2>&1 || { echo "FAIL - $tool is not installed (scripts/setup-deps.sh)"; exit 1; }
done
T=$(mktemp -d)
PIDS=()
SRV=
cleanup() {
	[ -n "$SRV" ] && kill -9 "$SRV" 2>/dev/null
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	[ -n "$SRV" ] && wait "$SRV" 2>/dev/null
	declare -F store_stop >/dev/null && store_stop
	[ -n "${SW_KEEP_TMP:-}" ] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
export HOME=$T/home DOCKER_CONFIG=$T/docker STOWAWAY_REGISTRY_BACKOFF_MS=0 STOWAWAY_NO_CACHE=1
mkdir -p "$HOME" "$DOCKER_CONFIG"
unset STOWAWAY_REGISTRY_USERNAME STOWAWAY_REGISTRY_PASSWORD STOWAWAY_SERVE_CRASH_AFTER_REPORT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 100); do curl -s -o /dev/null -m 1 "$@" && return 0; sleep 0.1; done; return 1; }

# ---- the database: one planted advisory ----
mkdir -p $T/adv
cat > $T/adv/debian.json <<'J'
{"openssl": {"CVE-2024-1001": {"description": "openssl fixed upstream", "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.13-1~deb12u1", "urgency": "high", "repositories": {"bookworm": "3.0.13-1~deb12u1"}}}}}}
J
DB=$T/db.sqlite
"$STOWAWAY" db update -q --db $DB --source debian=$T/adv/debian.json 2>$T/upd.err || { echo "FAIL - db update: $(cat $T/upd.err)"; exit 1; }

# ---- images: img1..img6 (distinct), big (a 256 KiB random file: a layer worth cutting), and two archives ----
mklayer() { # DIR N
	mkdir -p $1/etc $1/var/lib/dpkg
	printf 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' > $1/etc/os-release
	printf 'Package: libssl3\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u2\nSource: openssl\nArchitecture: amd64\n\nPackage: app%s\nStatus: install ok installed\nVersion: 1.%s\nArchitecture: amd64\n\n' $2 $2 > $1/var/lib/dpkg/status
}
RPORT=$(free_port)
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' "$T/reg-data" $RPORT > $T/reg.yml
docker-registry serve $T/reg.yml > $T/reg.log 2>&1 &
PIDS+=($!)
wait_http http://127.0.0.1:$RPORT/v2/ || { echo "FAIL - docker-registry did not start"; exit 1; }
SK="skopeo --insecure-policy copy -q --dest-tls-verify=false"
for i in 1 2 3 4 5 6 big; do
	mklayer $T/l$i $i
	[ $i = big ] && head -c 262144 /dev/urandom > $T/l$i/etc/blob.bin
	$MKIMAGE --format oci -o $T/o$i --tag v1 $T/l$i || { echo "FAIL - mkimage $i"; exit 1; }
	$SK oci:$T/o$i:v1 docker://127.0.0.1:$RPORT/app/img$i:v1 2>$T/sk.err || { echo "FAIL - skopeo: $(cat $T/sk.err)"; exit 1; }
done
for i in a b c; do
	mklayer $T/l$i 1$i
	$MKIMAGE --format docker-archive -o $T/$i.tar $T/l$i || { echo "FAIL - mkimage $i"; exit 1; }
done

# ---- the proxy: pass, hang, or cut layer blobs half-way (mode read from a file on each request) ----
PPORT=$(free_port)
MODE=$T/proxy.mode
echo pass > $MODE
cat > $T/proxy.py <<'PY'
import http.client, http.server, socketserver, sys, time
up_port, port, mode_file, log = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def fwd(self, method):
        mode = open(mode_file).read().strip()
        if mode == "hang":
            while True:
                time.sleep(60)
        c = http.client.HTTPConnection("127.0.0.1", up_port, timeout=30)
        hdrs = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        c.request(method, self.path, headers=hdrs)
        r = c.getresponse()
        body = r.read()
        # cut: a layer (a blob over 64 KiB) is sent half-way, a resumed
        # transfer (Range) not at all: the client makes no more progress
        total = int((r.getheader("Content-Range") or "/%d" % len(body)).rsplit("/", 1)[1])
        cut = (mode == "cut" and method == "GET" and "/blobs/" in self.path and r.status in (200, 206)
               and total > 65536)
        keep = 0 if self.headers.get("Range") else len(body) // 2
        with open(log, "a") as f:
            f.write("%s %s %d %d %s\n" % (method, self.path, r.status, len(body), "CUT" if cut else ""))
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("connection", "transfer-encoding", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        if cut:
            self.send_header("Connection", "close")
        self.end_headers()
        if method == "HEAD":
            return
        if cut:
            self.wfile.write(body[:keep])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)
    def do_GET(self): self.fwd("GET")
    def do_HEAD(self): self.fwd("HEAD")
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
S(("127.0.0.1", port), H).serve_forever()
PY
python3 $T/proxy.py $RPORT $PPORT $MODE $T/proxy.log &
PIDS+=($!)
wait_http http://127.0.0.1:$PPORT/v2/ || { echo "FAIL - the proxy did not start"; exit 1; }
P=127.0.0.1:$PPORT

# ---- the server ----
. "$SW_SOURCE_DIR/tests/e2e/store_lib.sh"
store_pick $T   # SW_TEST_STORE: sqlite or postgres (store_lib.sh)
PORT=$(free_port)
U=http://127.0.0.1:$PORT
ADMIN=$("$STOWAWAY" serve token create --scope admin --store $STORE admin 2>/dev/null)
[[ $ADMIN == sw_* ]] || { echo "FAIL - token create"; exit 1; }
start_server() { # extra args
	"$STOWAWAY" serve --listen 127.0.0.1:$PORT --store $STORE --db $DB --db-poll 0 --lease 4 --grace 1 "$@" 2>>$T/server.log &
	SRV=$!
	wait_http $U/healthz || { echo "FAIL - the server did not start: $(tail -3 $T/server.log)"; exit 1; }
}
CODE=; BODY=$T/body
api() { # METHOD PATH [curl args...]
	local m=$1 p=$2; shift 2
	CODE=$(curl -s -m 20 -o $BODY -w '%{http_code}' -X "$m" -H "Authorization: Bearer $ADMIN" "$@" "$U$p")
}
jq_() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' $BODY "$1" 2>/dev/null; }
submit() { # JSON -> JOB
	api POST /api/v1/scans -H 'Content-Type: application/json' -d "$1"
	JOB=$(jq_ 'd["id"]')
}
state() { api GET /api/v1/scans/$1; jq_ 'd["state"]'; }
wait_state() { # ID SECONDS STATE...
	local id=$1 n=$2; shift 2
	for _ in $(seq $((n * 10))); do
		local st; st=$(state $id)
		for w in "$@"; do [ "$st" = "$w" ] && return 0; done
		sleep 0.1
	done
	return 1
}
done_lines() { grep -a '"kind":"job"' $T/server.log | grep -a '"state":"done"' | grep -c "\"job\":$1,"; }
reports_of() { # JOB DIGEST -> how many reports of the image's history that job wrote
	api GET "/api/v1/images/$2/reports"
	jq_ 'sum(1 for r in d["reports"] if r["job"] == "'$1'")'
}

# ================= kill -9 with several jobs running =================
start_server --workers 3
BEFORE=()
for i in a b; do
	submit "{\"image\":\"docker-archive:$T/$i.tar\"}"; BEFORE+=($JOB)
done
for j in "${BEFORE[@]}"; do wait_state $j 30 done || bad "job $j before the kill: $(cat $BODY)"; done
echo hang > $MODE
MANY=()
for i in 1 2 3 4 5 6; do
	submit "{\"image\":\"registry:$P/app/img$i:v1\",\"plain_http\":true}"; MANY+=($JOB)
done
running=0
for _ in $(seq 100); do
	api GET /metrics
	running=0
	for j in "${MANY[@]}"; do [ "$(state $j)" = running ] && running=$((running + 1)); done
	[ $running = 3 ] && break
	sleep 0.1
done
[ $running = 3 ] && ok "3 scans running (3 workers, hanging on the registry), 3 pending" || bad "running: $running"
kill -9 $SRV; wait $SRV 2>/dev/null; SRV=
echo pass > $MODE
store_check > $T/ic
[ "$(cat $T/ic)" = ok ] && ok "after kill -9 the store passes its integrity check ($SW_TEST_STORE)" || bad "integrity_check: $(cat $T/ic)"
start_server --workers 3
api GET /readyz; [ "$CODE" = 200 ] && ok "the restarted server opened the store without repair (/readyz 200)" || bad "readyz: $CODE"
all=1
for j in "${MANY[@]}"; do wait_state $j 40 done failed || all=0; done
[ $all = 1 ] && ok "every accepted job finished after the restart" || bad "some jobs did not finish"
once=1
for j in "${BEFORE[@]}" "${MANY[@]}"; do
	api GET /api/v1/scans/$j; st=$(jq_ 'd["state"]'); dig=$(jq_ 'd["digest"]')
	n=$(done_lines $j); r=$(reports_of $j $dig)
	if [ "$st" != done ] || [ "$n" != 1 ] || [ "$r" != 1 ]; then
		once=0; echo "# job $j: state $st, $n done lines, $r reports, error $(jq_ 'd["error"]')"
	fi
done
[ $once = 1 ] && ok "each of the 8 jobs is done exactly once: one done log line, one report (none lost, none twice)" ||
	bad "exactly once"
att=$(for j in "${MANY[@]}"; do api GET /api/v1/scans/$j; jq_ 'd["attempts"]'; done | sort | uniq -c | tr -s ' ' | tr '\n' ';')
[ "$att" = " 3 1; 3 2;" ] && ok "the 3 killed mid-scan ran again (attempt 2), the 3 pending once (attempt 1)" || bad "attempts: $att"

# ================= killed between the report and done =================
kill -TERM $SRV; wait $SRV; SRV=
STOWAWAY_SERVE_CRASH_AFTER_REPORT=1 start_server --workers 1
submit "{\"image\":\"docker-archive:$T/c.tar\"}"; JC=$JOB
for _ in $(seq 100); do kill -0 $SRV 2>/dev/null || break; sleep 0.1; done
kill -0 $SRV 2>/dev/null && bad "the crash point did not kill the server"
wait $SRV 2>/dev/null; SRV=
grep -aq '"kind":"crash"' $T/server.log && ok "the server died (SIGKILL) after storing the report, before done" || bad "no crash line"
start_server --workers 1
wait_state $JC 30 done || bad "the job killed after its report did not finish: $(cat $BODY)"
dig=$(jq_ 'd["digest"]')
[ "$(done_lines $JC)" = 1 ] && [ "$(reports_of $JC $dig)" = 1 ] &&
	grep -a "\"job\":$JC," $T/server.log | grep -aq '"recovered":true' &&
	ok "the restarted server finished it with the stored report: one report, one done (recovered)" ||
	bad "recovery: $(grep -a "\"job\":$JC," $T/server.log)"

# ================= a registry that fails mid-layer =================
# the image's last good report: from client mode (scan --server), so the
# server's own scan reads the layers (a client's inventory is never re-used)
SCAN=$("$STOWAWAY" serve token create --scope scan --store $STORE ci 2>/dev/null)
"$STOWAWAY" scan -q --server $U --token $SCAN --plain-http --scanners vuln -f json registry:$P/app/imgbig:v1 > $T/good.json 2>$T/e ||
	bad "client-mode scan of imgbig: $(cat $T/e)"
api GET /api/v1/images
BIG=$(jq_ '[i["digest"] for i in d["images"] if any("imgbig" in n for n in i["names"])][0]')
api GET /api/v1/images/$BIG/reports; GOOD=$(jq_ 'd["reports"][0]["id"]'); NREP=$(jq_ 'len(d["reports"])')
[ -n "$GOOD" ] && ok "imgbig has a good report ($GOOD)" || bad "no good report for imgbig: $(cat $BODY)"
echo cut > $MODE
submit "{\"image\":\"registry:$P/app/imgbig:v1\",\"plain_http\":true}"; JB=$JOB
wait_state $JB 60 failed done
api GET /api/v1/scans/$JB; ERR=$(jq_ 'd["error"]')
[ "$(jq_ 'd["state"]')" = failed ] && grep -q "sha256:" <<<"$ERR" && ok "cut mid-layer: the job failed: $ERR" ||
	bad "cut mid-layer: $(cat $BODY)"
grep -q CUT $T/proxy.log && ok "the proxy cut layer transfers ($(grep -c CUT $T/proxy.log) times)" || bad "the proxy cut nothing"
api GET /api/v1/images/$BIG
[ "$CODE" = 200 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert any(v["id"] == "CVE-2024-1001" for v in d["vulnerabilities"])' $BODY &&
	api GET /api/v1/images/$BIG/reports && [ "$(jq_ 'd["reports"][0]["id"]')" = "$GOOD" ] && [ "$(jq_ 'len(d["reports"])')" = "$NREP" ] &&
	[ "$(reports_of $JB $BIG)" = 0 ] && ok "the image keeps its last good report; the failed job stored none" ||
	bad "after the failure: $(cat $BODY)"
echo pass > $MODE
api POST /api/v1/scans/$JB/retry; [ "$CODE" = 202 ] || bad "retry: $CODE $(cat $BODY)"
wait_state $JB 60 done failed
api GET /api/v1/scans/$JB
[ "$(jq_ 'd["state"]')" = done ] && [ "$(jq_ 'd["attempts"]')" = 2 ] && [ "$(jq_ 'd["inventory_reused"]')" = False ] &&
	ok "after the fault is fixed the retry succeeds (attempt 2, layers read)" || bad "retry: $(cat $BODY)"
api GET /api/v1/images/$BIG/reports
[ "$(jq_ 'd["reports"][0]["job"]')" = "$JB" ] && [ "$(jq_ 'd["reports"][0]["summary"]["high"]')" = 1 ] &&
	ok "the new latest report is the retried job's, with the planted finding" || bad "after retry: $(cat $BODY)"
kill -TERM $SRV; wait $SRV; rc=$?; SRV=
[ $rc = 0 ] && ok "SIGTERM: exit 0" || bad "SIGTERM: $rc"
store_check > $T/ic; [ "$(cat $T/ic)" = ok ] || bad "integrity_check at the end: $(cat $T/ic)"

[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all passed"
