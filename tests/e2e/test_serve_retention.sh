#!/bin/bash
# End to end: `stowaway serve --retention` on both stores (SQLite, and
# PostgreSQL on a cluster of the test's own, tests/e2e/pg_lib.sh).
# - an image scanned twice: its first report is superseded; a scan that
#   hangs on a registry stays running;
# - once the retention age passed: the ended jobs and the superseded report
#   are gone (404, history of one report), the image keeps its latest report,
#   the running job stays; a "retention" log line counts what went;
# - /metrics shows every table's rows (and bytes where the store tells);
# - a bad --retention is a usage error.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
command -v curl >/dev/null 2>&1 || { echo "FAIL - curl is not installed (scripts/setup-deps.sh)"; exit 1; }
T=$(mktemp -d)
chmod 755 "$T"
SRV=
HANG=
cleanup() {
	[ -n "$SRV" ] && kill -9 "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	[ -n "$HANG" ] && kill "$HANG" 2>/dev/null
	declare -F pg_stop >/dev/null && pg_stop
	rm -rf "$T"
}
trap cleanup EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
export HOME=$T/home STOWAWAY_REGISTRY_BACKOFF_MS=0; mkdir -p "$HOME"
. "$SW_SOURCE_DIR/tests/e2e/pg_lib.sh"

"$STOWAWAY" serve --retention 5x --store $T/x.sqlite 2>$T/e; rc=$?
[ $rc = 64 ] && grep -q "'5x' is not a duration" $T/e && ok "bad --retention: usage error" || bad "bad retention: $rc $(cat $T/e)"
"$STOWAWAY" serve --retention 30 --store $T/x.sqlite 2>$T/e; rc=$?
[ $rc = 64 ] && grep -q "'30' has no unit" $T/e && ok "--retention without a unit: usage error" || bad "bare retention: $rc $(cat $T/e)"

cat > $T/debian.json <<'J'
{"openssl": {"CVE-2024-1001": {"description": "x", "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.13-1~deb12u1", "urgency": "high", "repositories": {"bookworm": "3.0.13-1~deb12u1"}}}}}}
J
DB=$T/db.sqlite
"$STOWAWAY" db update -q --db $DB --source debian=$T/debian.json 2>$T/e || { echo "FAIL - db update: $(cat $T/e)"; exit 1; }
L=$T/l; mkdir -p $L/etc $L/var/lib/dpkg
printf 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' > $L/etc/os-release
printf 'Package: libssl3\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u2\nSource: openssl\nArchitecture: amd64\n\n' > $L/var/lib/dpkg/status
$MKIMAGE --format docker-archive -o $T/img.tar $L || { echo "FAIL - mkimage"; exit 1; }
HPORT=$(pg_free_port)
python3 - $HPORT <<'PY' &
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)   # accept, never answer
PY
HANG=$!

CODE=; BODY=$T/body
api() { # METHOD PATH [curl args]
	local m=$1 p=$2; shift 2
	CODE=$(curl -s -m 20 -o $BODY -w '%{http_code}' -X "$m" -H "Authorization: Bearer $TOK" "$@" "$U$p")
}
jq_() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' $BODY "$1" 2>/dev/null; }
submit() { api POST /api/v1/scans -H 'Content-Type: application/json' -d "{\"image\":\"$1\"}"; JOB=$(jq_ 'd["id"]'); }
wait_job() { # ID STATE
	for _ in $(seq 300); do api GET /api/v1/scans/$1; [ "$(jq_ 'd["state"]')" = "$2" ] && return 0; sleep 0.1; done; return 1; }

for kind in sqlite postgres; do
	if [ $kind = sqlite ]; then STORE=$T/store.sqlite; else pg_start; STORE=$PG_URL; fi
	TOK=$("$STOWAWAY" serve token create --scope admin --store "$STORE" t 2>$T/e) || { bad "$kind: token: $(cat $T/e)"; continue; }
	PORT=$(pg_free_port); U=http://127.0.0.1:$PORT
	: > $T/srv.log
	"$STOWAWAY" serve --listen 127.0.0.1:$PORT --store "$STORE" --db $DB --db-poll 0 --workers 2 --grace 0 \
		--retention 8s 2>>$T/srv.log &
	SRV=$!
	for _ in $(seq 100); do curl -s -o /dev/null -m 1 $U/healthz && break; sleep 0.1; done
	submit "registry:127.0.0.1:$HPORT/slow/app:v1"; JH=$JOB
	submit "docker-archive:$T/img.tar"; J1=$JOB
	wait_job $J1 done || bad "$kind: first scan: $(cat $BODY)"
	DIG=$(jq_ 'd["digest"]'); R1=$(jq_ 'd["report"]')
	api GET /api/v1/reports/$R1
	[ "$CODE" = 200 ] && ok "$kind: the first report is there" || bad "$kind: report $R1: $CODE"
	submit "docker-archive:$T/img.tar"; J2=$JOB
	wait_job $J2 done || bad "$kind: second scan: $(cat $BODY)"
	LATEST=$(jq_ 'd["report"]')
	[ "$LATEST" != "$R1" ] || bad "$kind: the second scan wrote no new report"
	n=
	for _ in $(seq 200); do
		api GET /api/v1/images/$DIG/reports; n=$(jq_ 'len(d["reports"])'); [ "$n" = 1 ] && break; sleep 0.1
	done
	[ "$n" = 1 ] && [ "$(jq_ 'd["reports"][0]["id"]')" = "$LATEST" ] &&
		ok "$kind: the image's history is its latest report only" || bad "$kind: history after retention: $(cat $BODY)"
	api GET /api/v1/reports/$R1
	[ "$CODE" = 404 ] && ok "$kind: the superseded report was collected (404)" || bad "$kind: superseded report: $CODE"
	for _ in $(seq 100); do api GET /api/v1/scans/$J2; [ "$CODE" = 404 ] && break; sleep 0.1; done
	api GET /api/v1/scans/$J1; c1=$CODE; api GET /api/v1/scans/$J2; c2=$CODE
	[ $c1 = 404 ] && [ $c2 = 404 ] && ok "$kind: ended jobs collected (404)" || bad "$kind: ended jobs: $c1 $c2"
	api GET /api/v1/scans/$JH
	[ "$CODE" = 200 ] && [ "$(jq_ 'd["state"]')" = running ] && ok "$kind: the running job stays" || bad "$kind: running job: $CODE $(cat $BODY)"
	api GET /api/v1/images/$DIG
	[ "$CODE" = 200 ] && grep -q CVE-2024-1001 $BODY && ok "$kind: the image keeps its latest report" || bad "$kind: image: $CODE"
	python3 - $T/srv.log <<'PY' && ok "$kind: a retention log line counts what went" || bad "$kind: retention log: $(grep retention $T/srv.log)"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if '"retention"' in l]
assert lines and all(l["kind"] == "retention" for l in lines)
assert sum(l["jobs"] for l in lines) >= 2 and sum(l["reports"] for l in lines) >= 1
PY
	api GET /metrics
	for t in jobs reports images findings tokens; do grep -q "^stowaway_store_rows{table=\"$t\"} [0-9]" $BODY || bad "$kind: no rows metric for $t"; done
	grep -q '^stowaway_retention_seconds 8$' $BODY || bad "$kind: retention metric"
	if [ $kind = sqlite ]; then
		grep -q '^stowaway_store_rows{table="reports"} 1$' $BODY && ok "$kind: /metrics counts the rows of every table" || bad "$kind: metrics: $(grep store_ $BODY)"
	else
		grep -q '^stowaway_store_bytes{table="reports"} [1-9]' $BODY && ok "$kind: /metrics shows rows and bytes of every table" || bad "$kind: metrics: $(grep store_ $BODY)"
	fi
	kill -9 $SRV; wait $SRV 2>/dev/null; SRV=
done
[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all passed"
