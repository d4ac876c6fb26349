#!/bin/bash
# End to end: notifications and database updates of `stowaway serve`
# (docs/api.md "Notifications", "The vulnerability database").
# - webhooks registered over the API (admin to write, read to list); the
#   secret never comes back in a GET answer nor in the log;
# - POST /api/v1/db/update (admin) with the server's --source locations
#   (one an http URL served slowly by the test receiver): 202, 409 while it
#   runs, GET /api/v1/db shows the result; both validated against the
#   OpenAPI document;
# - the update adds an advisory: the watcher re-matches, the report's
#   changes name the new finding, and each webhook whose filter it passes
#   gets ONE notification (checked by a Python receiver that verifies the
#   HMAC itself); each filter (min_severity, repositories, only_fixable,
#   kev_only) has a webhook that must get nothing;
# - a receiver answering 500 twice then 200: delivered on the third attempt
#   after the backoff; a receiver that is down, then up: delivered;
# - severity changed, then fixed: notified as such;
# - kill -9 of the server while a delivery hangs; after the restart it is
#   delivered (at least once);
# - a delivery that keeps failing past --webhook-give-up: failed (API, /metrics);
# - the scheduled update (--update-interval);
# - bad input: ftp:// URL, unknown member, bad severity, short secret,
#   malformed JSON, wrong content type, oversized body.
# SW_TEST_STORE picks the store (tests/e2e/store_lib.sh): ctest runs this
# on SQLite (e2e/test_serve_hooks) and PostgreSQL (..._postgres).
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
# answers are validated against the OpenAPI document in one Python run at the
# end (schema_later), not one run (and one YAML parse) each
SCHEMAS=()
schema_later() { SCHEMAS+=("$1" "$2" "$3"); } # SCHEMA FILE DESCRIPTION
RECEIVER="python3 $SW_SOURCE_DIR/tests/tools/webhook_receiver.py"
OAPI=$SW_SOURCE_DIR/docs/api/openapi.yaml
for tool in curl python3; do
	command -v $tool >/dev/null 2>&1 || { echo "FAIL - $tool is not installed"; exit 1; }
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
export HOME=$T/home; mkdir -p "$HOME"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 100); do curl -s -o /dev/null -m 1 "$@" && return 0; sleep 0.1; done; return 1; }

# ---- the receiver (also the slow http source of the debian advisories) ----
RPORT=$(free_port)
R=http://127.0.0.1:$RPORT
CTL=$T/control.json
RLOG=$T/received.jsonl
: > $RLOG
S_ALL=all-secret-0123456789abcdef
S_FLAKY=flaky-secret-0123456789abcdef
S_OTHER=other-secret-0123456789abcdef
S_HANG=hang-secret-0123456789abcdef
S_DOWN=down-secret-0123456789abcdef
python3 - $CTL $T/adv <<'PY'
import json, sys
sec = {"/all": "all-secret-0123456789abcdef", "/flaky": "flaky-secret-0123456789abcdef",
       "/hang": "hang-secret-0123456789abcdef", "/down": "down-secret-0123456789abcdef"}
for p in ("/sev", "/sevok", "/repo", "/repook", "/fix", "/kev"):
    sec[p] = "other-secret-0123456789abcdef"
json.dump({"secrets": sec, "plans": {"/flaky": [500, 500], "/hang": ["hang"]}, "files": sys.argv[2]}, open(sys.argv[1], "w"))
PY
$RECEIVER $RPORT $CTL $RLOG &
PIDS+=($!)
wait_http $R/ || { echo "FAIL - the receiver did not start"; exit 1; }

# ---- advisories and the database, built from them as the server will ----
mkdir -p $T/adv/osv
adv() { # URGENCY-of-CVE-2024-3003 (or "none")
	python3 - "$1" > $T/adv/debian.json <<'PY'
import json, sys
d = {"openssl": {"CVE-2024-1001": {"description": "openssl fixed upstream", "releases": {"bookworm": {
    "status": "resolved", "fixed_version": "3.0.13-1~deb12u1", "urgency": "high", "repositories": {"bookworm": "3.0.13-1~deb12u1"}}}}}}
if sys.argv[1] != "none":
    d["openssl"]["CVE-2024-3003"] = {"description": "new openssl problem", "releases": {"bookworm": {
        "status": "open", "urgency": sys.argv[1], "repositories": {}}}}
print(json.dumps(d))
PY
}
adv none
cat > $T/adv/osv/GHSA-lpad.json <<'J'
{"id": "GHSA-lpad-lpad-lpad", "modified": "2024-05-01T00:00:00Z", "aliases": ["CVE-2024-2002"],
 "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.1"}]}]}],
 "database_specific": {"severity": "LOW"}}
J
DB=$T/db.sqlite
SOURCES=(--source debian=$R/slow/debian.json --source osv=$T/adv/osv)
"$STOWAWAY" db update -q --db $DB "${SOURCES[@]}" 2>$T/upd.err || { echo "FAIL - db update: $(cat $T/upd.err)"; exit 1; }

# ---- an image: Debian 12 with libssl3 (source openssl) and left-pad ----
L0=$T/l0
mkdir -p $L0/etc $L0/var/lib/dpkg $L0/app/node_modules/left-pad
printf 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' > $L0/etc/os-release
printf 'Package: libssl3\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u2\nSource: openssl\nArchitecture: amd64\n\n' > $L0/var/lib/dpkg/status
printf '{"name":"left-pad","version":"1.3.0"}' > $L0/app/node_modules/left-pad/package.json
mkdir -p $T/images
$MKIMAGE --format docker-archive -o $T/images/app.tar $L0 || { echo "FAIL - mkimage"; exit 1; }

# ---- the server ----
. "$SW_SOURCE_DIR/tests/e2e/store_lib.sh"
store_pick $T   # SW_TEST_STORE: sqlite or postgres (store_lib.sh)
PORT=$(free_port)
U=http://127.0.0.1:$PORT
ADMIN=$("$STOWAWAY" serve token create --scope admin --store $STORE admin 2>/dev/null)
READ=$("$STOWAWAY" serve token create --scope read --store $STORE reader 2>/dev/null)
SCAN=$("$STOWAWAY" serve token create --scope scan --store $STORE ci 2>/dev/null)
[[ $ADMIN == sw_* && $READ == sw_* && $SCAN == sw_* ]] || { echo "FAIL - tokens"; exit 1; }
LOG=$T/server.log
start_server() { # extra args; POSTs time out after 3 s, so a delivery's lease is --lease (5 s), not 15 s
	STOWAWAY_TEST_WEBHOOK_TIMEOUT=3 "$STOWAWAY" serve --listen 127.0.0.1:$PORT --store $STORE --db $DB --db-poll 1 --lease 5 \
		--public-url https://sw.example.test --webhook-backoff 1 --webhook-backoff-max 2 \
		"${SOURCES[@]}" "$@" 2>>$LOG &
	SRV=$!
	wait_http $U/healthz || { echo "FAIL - the server did not start: $(tail -3 $LOG)"; exit 1; }
}
start_server --update-interval 0

CODE=; BODY=$T/body; HDRS=$T/hdrs; n_body=0
api() { # METHOD PATH TOKEN [curl args...]; every answer is kept for the secret check
	local m=$1 p=$2 tok=$3; shift 3
	local auth=()
	[ -n "$tok" ] && auth=(-H "Authorization: Bearer $tok")
	CODE=$(curl -s -m 20 -o $BODY -D $HDRS -w '%{http_code}' -X "$m" "${auth[@]}" "$@" "$U$p")
	n_body=$((n_body + 1)); cp $BODY $T/answer.$n_body
}
# field KEY: the first value of "KEY" in the (compact) JSON answer, without python (the machine may be slow)
field() { sed -n 's/.*"'"$1"'":"\{0,1\}\([^",}]*\).*/\1/p' $BODY | head -1; }
jq_() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' $BODY "$1" 2>/dev/null; }
hook() { # NAME URL-PATH SECRET FILTER-JSON -> id in HOOK_<NAME>
	api POST /api/v1/webhooks $ADMIN -H 'Content-Type: application/json' \
		-d "{\"url\":\"$R$2\",\"secret\":\"$3\",\"filter\":$4}"
	[ "$CODE" = 201 ] || bad "create webhook $1: $CODE $(cat $BODY)"
	eval "HOOK_$1=$(field id)"
}
received() { # PATH -> number of POSTs the receiver logged for it
	grep -c "^{\"path\": \"$1\"" $RLOG; }
wait_received() { # PATH N [seconds]
	for _ in $(seq $((${3:-30} * 10))); do [ "$(received $1)" -ge "$2" ] && return 0; sleep 0.1; done; return 1; }

# ---- webhooks ----
DPORT=$(free_port)   # nothing listens there yet
hook ALL /all $S_ALL '{}'
[ "$CODE" = 201 ] && grep -qi "^Location: /api/v1/webhooks/$HOOK_ALL" $HDRS && ! grep -q "$S_ALL" $BODY &&
	ok "POST /api/v1/webhooks: 201, Location, no secret in the answer" || bad "create: $CODE $(cat $BODY)"
cp $BODY $T/o-webhook.json
schema_later Webhook $T/o-webhook.json "webhook answer matches the OpenAPI schema"
hook SEV /sev $S_OTHER '{"min_severity":"high"}'
hook SEVOK /sevok $S_OTHER '{"min_severity":"medium"}'
hook REPO /repo $S_OTHER '{"repositories":["registry.example.test/","other/*"]}'
hook REPOOK /repook $S_OTHER "{\"repositories\":[\"docker-archive:$T/images/*\"]}"
hook FIX /fix $S_OTHER '{"only_fixable":true}'
hook KEV /kev $S_OTHER '{"kev_only":true}'
hook FLAKY /flaky $S_FLAKY '{}'
api POST /api/v1/webhooks $ADMIN -H 'Content-Type: application/json' \
	-d "{\"url\":\"http://127.0.0.1:$DPORT/down\",\"secret\":\"$S_DOWN\"}"
HOOK_DOWN=$(field id)
api GET /api/v1/webhooks $READ
[ "$CODE" = 200 ] && [ "$(jq_ 'len(d["webhooks"])')" = 9 ] && ok "GET /api/v1/webhooks with a read token: 9" || bad "list: $CODE $(cat $BODY)"
cp $BODY $T/o-list.json; schema_later WebhookList $T/o-list.json "webhook list matches the OpenAPI schema"
api GET /api/v1/webhooks/$HOOK_SEV $READ
[ "$CODE" = 200 ] && [ "$(jq_ 'd["filter"]["min_severity"]')" = high ] && ok "GET /api/v1/webhooks/ID" || bad "get: $CODE $(cat $BODY)"
api POST /api/v1/webhooks $READ -H 'Content-Type: application/json' -d "{\"url\":\"$R/x\",\"secret\":\"$S_OTHER\"}"
[ "$CODE" = 403 ] && ok "a read token cannot create a webhook: 403" || bad "read create: $CODE"
api POST /api/v1/webhooks $SCAN -H 'Content-Type: application/json' -d "{\"url\":\"$R/x\",\"secret\":\"$S_OTHER\"}"
[ "$CODE" = 403 ] && ok "a scan token cannot create a webhook: 403" || bad "scan create: $CODE"

# ---- bad input ----
badreq() { # WANT-CODE WANT-TEXT DESCRIPTION BODY [content type]
	api POST /api/v1/webhooks $ADMIN -H "Content-Type: ${5:-application/json}" --data-binary "$4"
	[ "$CODE" = "$1" ] && grep -q "\"error\"" $BODY && grep -qF -- "$2" $BODY && ok "$3: $1 ($(cat $BODY))" ||
		bad "$3: $CODE $(cat $BODY)"
}
badreq 422 "http:// or https://" "ftp:// URL" "{\"url\":\"ftp://127.0.0.1/x\",\"secret\":\"$S_OTHER\"}"
badreq 422 "unknown member 'colour'" "unknown member" "{\"url\":\"$R/x\",\"secret\":\"$S_OTHER\",\"colour\":1}"
badreq 422 "unknown member 'filter.severity'" "unknown filter member" "{\"url\":\"$R/x\",\"secret\":\"$S_OTHER\",\"filter\":{\"severity\":\"high\"}}"
badreq 422 "'filter.min_severity' must be" "bad severity" "{\"url\":\"$R/x\",\"secret\":\"$S_OTHER\",\"filter\":{\"min_severity\":\"urgent\"}}"
badreq 422 "'secret' must be 16 to" "short secret" "{\"url\":\"$R/x\",\"secret\":\"short\"}"
badreq 422 "'secret' is missing" "missing secret" "{\"url\":\"$R/x\"}"
badreq 422 "must be true or false" "only_fixable not a boolean" "{\"url\":\"$R/x\",\"secret\":\"$S_OTHER\",\"filter\":{\"only_fixable\":\"yes\"}}"
badreq 422 "'filter.repositories' must be an array" "repositories not an array" "{\"url\":\"$R/x\",\"secret\":\"$S_OTHER\",\"filter\":{\"repositories\":\"a\"}}"
badreq 400 "malformed JSON" "malformed JSON" '{"url": '
badreq 415 "application/json" "wrong content type" "{\"url\":\"$R/x\",\"secret\":\"$S_OTHER\"}" text/plain
head -c 2000000 /dev/zero | tr '\0' 'a' > $T/huge
api POST /api/v1/webhooks $ADMIN -H 'Content-Type: application/json' --data-binary @$T/huge
[ "$CODE" = 413 ] && grep -q '"error"' $BODY && ok "oversized body: 413" || bad "oversized: $CODE"
api GET /api/v1/webhooks/99999 $READ; [ "$CODE" = 404 ] && ok "unknown webhook: 404" || bad "unknown webhook: $CODE"
api GET /api/v1/webhooks 2>/dev/null ""; [ "$CODE" = 401 ] && ok "no token: 401" || bad "no token: $CODE"
api GET /api/v1/webhooks $READ; [ "$(grep -o '"id":' $BODY | wc -l)" = 9 ] && ok "bad requests stored nothing" || bad "bad requests stored something"

# ---- a first scan: the first report has no changes, nothing is sent ----
api POST /api/v1/scans $SCAN -H 'Content-Type: application/json' -d "{\"image\":\"docker-archive:$T/images/app.tar\"}"
JOB=$(field id)
for _ in $(seq 300); do api GET /api/v1/scans/$JOB $READ; [ "$(field state)" = done ] && break; sleep 0.1; done
[ "$(field state)" = done ] && ok "the image is scanned" || bad "scan: $(cat $BODY)"
DIG=$(field digest)
sleep 1
[ "$(wc -l < $RLOG)" = 0 ] && ok "the first report of an image notifies nothing" || bad "first report notified: $(cat $RLOG)"

# ---- POST /api/v1/db/update: an advisory is added ----
adv medium
api POST /api/v1/db/update $READ; [ "$CODE" = 403 ] && ok "a read token cannot update the database: 403" || bad "read update: $CODE"
api POST /api/v1/db/update $ADMIN
code1=$CODE; cp $BODY $T/o-upd.json
api POST /api/v1/db/update $ADMIN   # at once: the slow source keeps the first one running for 2 s
code2=$CODE; cp $BODY $T/o-upd409.json
[ "$code1" = 202 ] && python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["running"] is True' $T/o-upd.json &&
	ok "POST /api/v1/db/update: 202, running" || bad "db update: $code1 $(cat $T/o-upd.json)"
schema_later DbUpdateStatus $T/o-upd.json "the 202 answer matches the OpenAPI schema"
[ "$code2" = 409 ] && grep -q 'already running' $T/o-upd409.json && ok "a second update while one runs: 409" || bad "second update: $code2 $(cat $T/o-upd409.json)"
schema_later DbUpdateStatus $T/o-upd409.json "the 409 answer matches the OpenAPI schema"
for _ in $(seq 300); do api GET /api/v1/db $READ; [ "$(field running)" = false ] && break; sleep 0.1; done
cp $BODY $T/o-db.json
python3 - $T/o-db.json "$DB" <<'PY' && ok "GET /api/v1/db: the update's result, the database and its sources" || bad "GET /db: $(cat $T/o-db.json)"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["path"] == sys.argv[2] and d["exists"] is True, d
last = d["update"]["last"]
assert last["result"] == "ok" and last["trigger"] == "request" and last["error"] is None, last
assert last["finished"] >= last["started"] > 0 and last["locations_failed"] == 0, last
src = {s["name"]: s for s in d["sources"]}
assert set(src) == {"debian", "osv"}, src
assert src["debian"]["records"] == 2 and src["osv"]["records"] == 1, src
assert d["built_at"] >= last["started"] and d["vulnerabilities"] >= 3, d
PY
schema_later DbStatus $T/o-db.json "GET /api/v1/db matches the OpenAPI schema"

# ---- the watcher re-matches; one notification per passing webhook ----
wait_received /all 1 30 && ok "the receiver got a notification" || bad "no notification: $(tail -5 $LOG)"
wait_received /sevok 1 10; wait_received /repook 1 10; wait_received /flaky 3 20
sleep 1   # a second notification of anything would come now
api GET /api/v1/images/$DIG/reports $READ
REPORT=$(jq_ 'd["reports"][0]["id"]')
python3 - $BODY <<'PY' && ok "the report's changes: new CVE-2024-3003, nothing fixed or changed" || bad "report changes: $(head -c 600 $BODY)"
import json, sys
r = json.load(open(sys.argv[1]))["reports"][0]
assert r["job"] is None and r["changes"] == {"new": ["CVE-2024-3003"], "fixed": [], "severity_changed": []}, r["changes"]
PY
python3 - $RLOG $DIG "https://sw.example.test/api/v1/reports/$REPORT" "docker-archive:$T/images/app.tar" <<'PY' && ok "one notification on /all: the image, the new finding, the report link, a valid signature" || bad "notification content: $(head -c 1500 $RLOG)"
import json, sys
got = [json.loads(l) for l in open(sys.argv[1]) if json.loads(l)["path"] == "/all"]
assert len(got) == 1, len(got)
n = got[0]
assert n["sig_ok"] is True, n["headers"]
h = {k.lower(): v for k, v in n["headers"].items()}
assert h["content-type"] == "application/json" and h["x-stowaway-event"] == "image.vulnerabilities.changed", h
assert h["x-stowaway-delivery"].isdigit(), h
b = n["body"]
assert b["event"] == "image.vulnerabilities.changed", b
assert b["image"]["digest"] == sys.argv[2] and sys.argv[4] in b["image"]["names"], b["image"]
assert b["changes"] == {"new": [{"id": "CVE-2024-3003", "package": "libssl3", "version": "3.0.11-1~deb12u2",
                                 "severity": "medium", "fixed": None, "kev": False}],
                        "fixed": [], "severity_changed": []}, b["changes"]
assert b["report"] == sys.argv[3], b["report"]
assert isinstance(b["created"], int) and b["created"] > 1700000000, b
PY
for p in /sevok /repook; do
	[ "$(received $p)" = 1 ] || bad "$p should have one notification: $(received $p)"
done
ok "min_severity medium and a matching repository glob: notified once each"
for p in /sev /repo /fix /kev; do
	[ "$(received $p)" = 0 ] || bad "$p must not be notified"
done
for h in SEV REPO FIX KEV; do
	eval id=\$HOOK_$h
	api GET /api/v1/webhooks/$id/deliveries $READ
	grep -q '"deliveries":\[\]' $BODY || bad "webhook $h queued a delivery: $(cat $BODY)"
done
ok "filters: min_severity high, other repositories, only_fixable, kev_only: nothing queued, nothing sent"
python3 - $RLOG <<'PY' && ok "500, 500, then 200: delivered on the third attempt after 1 s and 2 s" || bad "flaky: $(grep flaky $RLOG | head -c 800)"
import json, sys
got = [json.loads(l) for l in open(sys.argv[1]) if json.loads(l)["path"] == "/flaky"]
assert [g["answer"] for g in got] == [500, 500, 200], [g["answer"] for g in got]
assert all(g["sig_ok"] for g in got)
assert got[1]["t"] - got[0]["t"] >= 1.0 and got[2]["t"] - got[1]["t"] >= 2.0, [g["t"] for g in got]
assert len({g["headers"]["X-Stowaway-Delivery"] for g in got}) == 1
PY
api GET /api/v1/webhooks/$HOOK_FLAKY/deliveries $READ
cp $BODY $T/o-dlv.json
python3 - $T/o-dlv.json $DIG $REPORT <<'PY' && ok "deliveries of a webhook: delivered, 3 attempts" || bad "flaky deliveries: $(cat $T/o-dlv.json)"
import json, sys
d = json.load(open(sys.argv[1]))["deliveries"]
assert len(d) == 1, d
x = d[0]
assert x["state"] == "delivered" and x["attempts"] == 3 and x["delivered"] >= x["created"], x
assert x["image"] == sys.argv[2] and x["report"] == int(sys.argv[3]) and x["next_attempt"] is None, x
PY
schema_later DeliveryList $T/o-dlv.json "deliveries answer matches the OpenAPI schema"

# ---- a receiver that is down, then up ----
for _ in $(seq 100); do
	api GET /api/v1/webhooks/$HOOK_DOWN/deliveries $READ
	[ "$(field attempts)" -ge 2 ] 2>/dev/null && break; sleep 0.1
done
python3 - $BODY <<'PY' && ok "receiver down: pending, attempts counted, the last error says why" || bad "down: $(cat $BODY)"
import json, sys
x = json.load(open(sys.argv[1]))["deliveries"][0]
assert x["state"] == "pending" and x["attempts"] >= 2 and x["delivered"] is None, x
assert "onnect" in x["last_error"] and x["next_attempt"] >= x["created"], x
PY
$RECEIVER $DPORT $CTL $RLOG &
PIDS+=($!)
wait_received /down 1 15 && ok "receiver up again: delivered" || bad "down then up: $(tail -3 $LOG)"
sleep 0.5
api GET /api/v1/webhooks/$HOOK_DOWN/deliveries $READ
[ "$(field state)" = delivered ] || bad "down delivery state: $(cat $BODY)"
grep "/down" $RLOG | python3 -c 'import json,sys; assert all(json.loads(l)["sig_ok"] for l in sys.stdin)' || bad "down: signature"

# ---- severity changed ----
adv high
api POST /api/v1/db/update $ADMIN; [ "$CODE" = 202 ] || bad "update 2: $CODE"
wait_received /all 2 40 && wait_received /sev 1 10 || bad "no severity-change notification"
python3 - $RLOG <<'PY' && ok "severity medium -> high: notified (also to min_severity high)" || bad "severity change: $(tail -c 1200 $RLOG)"
import json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
for p in ("/all", "/sev"):
    b = [g for g in got if g["path"] == p][-1]["body"]
    assert b["changes"] == {"new": [], "fixed": [], "severity_changed": [
        {"id": "CVE-2024-3003", "package": "libssl3", "from": "medium", "to": "high"}]}, b["changes"]
PY

# ---- kill -9 while a delivery hangs: delivered after the restart ----
hook HANG /hang $S_HANG '{}'
adv none
api POST /api/v1/db/update $ADMIN; [ "$CODE" = 202 ] || bad "update 3: $CODE"
wait_received /hang 1 40 || bad "the hanging receiver got nothing: $(tail -3 $LOG)"
kill -9 $SRV; wait $SRV 2>/dev/null; SRV=
start_server --update-interval 0
wait_received /hang 2 40 && ok "kill -9 during a delivery: delivered after the restart" || bad "hang: $(tail -5 $LOG)"
python3 - $RLOG <<'PY' && ok "the notification after the restart is the same delivery, signed, listing the fixed finding" || bad "fixed notification: $(grep hang $RLOG | tail -c 900)"
import json, sys
got = [json.loads(l) for l in open(sys.argv[1]) if json.loads(l)["path"] == "/hang"]
assert got[0]["headers"]["X-Stowaway-Delivery"] == got[1]["headers"]["X-Stowaway-Delivery"]
assert got[1]["sig_ok"] and got[1]["answer"] == 200
fx = got[1]["body"]["changes"]["fixed"]
assert [f["id"] for f in fx] == ["CVE-2024-3003"] and fx[0]["package"] == "libssl3" and fx[0]["severity"] == "high", fx
PY
wait_received /all 3 20 || bad "/all: the fixed notification"
api GET /readyz ""; [ "$CODE" = 200 ] && ok "the store opened without repair after kill -9" || bad "readyz: $CODE"

# ---- delete ----
api DELETE /api/v1/webhooks/$HOOK_KEV $READ; [ "$CODE" = 403 ] && ok "a read token cannot delete: 403" || bad "read delete: $CODE"
api DELETE /api/v1/webhooks/$HOOK_KEV $ADMIN; [ "$CODE" = 204 ] && ok "DELETE a webhook: 204" || bad "delete: $CODE"
api GET /api/v1/webhooks/$HOOK_KEV $READ; [ "$CODE" = 404 ] && ok "deleted: 404" || bad "after delete: $CODE"
api DELETE /api/v1/webhooks/$HOOK_KEV $ADMIN; [ "$CODE" = 404 ] && ok "delete twice: 404" || bad "delete twice: $CODE"

# ---- /metrics ----
api GET /metrics $READ
grep -q '^stowaway_webhooks 9$' $BODY && grep -q '^stowaway_webhook_deliveries{state="delivered"} [1-9]' $BODY &&
	grep -q '^stowaway_webhook_deliveries{state="failed"} 0$' $BODY && grep -q '^stowaway_vulndb_update_last_success 1$' $BODY &&
	grep -q '^stowaway_vulndb_update_last_timestamp_seconds [1-9]' $BODY && ok "/metrics: webhooks, deliveries by state, last update" ||
	bad "metrics: $(grep -E 'webhook|vulndb_update' $BODY)"
kill -TERM $SRV; wait $SRV; rc=$?; SRV=
[ $rc = 0 ] && ok "SIGTERM: exit 0" || bad "SIGTERM: $rc"

# ---- the scheduled update; a delivery that keeps failing gives up ----
adv low
DEAD=$(free_port)
start_server --update-interval 2 --webhook-give-up 3
api POST /api/v1/webhooks $ADMIN -H 'Content-Type: application/json' -d "{\"url\":\"http://127.0.0.1:$DEAD/dead\",\"secret\":\"$S_OTHER\"}"
HOOK_DEAD=$(field id)
for _ in $(seq 150); do
	api GET /api/v1/db $READ; [ "$(field trigger)" = schedule ] && [ "$(field result)" = ok ] && break; sleep 0.1
done
[ "$(field trigger)" = schedule ] && [ "$(field result)" = ok ] && [ "$(field interval)" = 2 ] &&
	ok "--update-interval 2: a scheduled update ran" || bad "scheduled: $(cat $BODY)"
cp $BODY $T/o-db2.json; schema_later DbStatus $T/o-db2.json "GET /api/v1/db after a scheduled update matches the OpenAPI schema"
for _ in $(seq 200); do
	api GET /api/v1/webhooks/$HOOK_DEAD/deliveries $READ; [ "$(field state)" = failed ] && break; sleep 0.1
done
python3 - $BODY <<'PY' && ok "a receiver down past --webhook-give-up: failed, with the last error" || bad "give up: $(cat $BODY)"
import json, sys
x = json.load(open(sys.argv[1]))["deliveries"][0]
assert x["state"] == "failed" and x["attempts"] >= 2 and "onnect" in x["last_error"] and x["next_attempt"] is None, x
PY
api GET /metrics $READ
grep -q '^stowaway_webhook_deliveries{state="failed"} 1$' $BODY && ok "/metrics counts the failed delivery" || bad "metrics failed: $(grep deliveries $BODY)"
grep -c '"kind":"vulndb_update","phase":"done"' $LOG >/dev/null || bad "no vulndb_update log line"
kill -TERM $SRV; wait $SRV; SRV=

# ---- the secret never comes back, nor in the log ----
leak=0
for s in $S_ALL $S_FLAKY $S_OTHER $S_HANG $S_DOWN; do
	grep -l -- "$s" $T/answer.* $LOG 2>/dev/null && leak=1
done
[ $leak = 0 ] && ok "no secret in any answer ($n_body) nor in the log" || bad "a secret leaked"
python3 -c '
import json, sys
for l in open(sys.argv[1]):
    json.loads(l)' $LOG && ok "every log line is one JSON object" || bad "log format"

python3 - $OAPI "${SCHEMAS[@]}" > $T/schemas.out 2>&1 <<'PY'
import json, sys, jsonschema, yaml
spec, a = yaml.load(open(sys.argv[1]), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)), sys.argv[2:]
for name, path, what in zip(a[0::3], a[1::3], a[2::3]):
    v = jsonschema.Draft7Validator({"$ref": "#/components/schemas/" + name, "components": spec["components"]})
    errs = ["/%s: %s" % ("/".join(map(str, e.absolute_path)), e.message) for e in v.iter_errors(json.load(open(path)))]
    print("FAIL - %s: %s" % (what, "; ".join(errs)[:600]) if errs else "ok - " + what)
PY
cat $T/schemas.out
[ "$(grep -c '^ok - ' $T/schemas.out)" = $((${#SCHEMAS[@]} / 3)) ] || bad "answers against the OpenAPI schemas (above)"
[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all passed"
