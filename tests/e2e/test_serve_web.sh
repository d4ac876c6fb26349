#!/bin/bash
# End to end: the web pages of `stowaway serve` (docs/web.md) in a real browser.
# Images built here (a Debian image with an npm package added by a second
# layer; an image whose Python package name, secret file path and history
# line are hostile: <script>, both quotes, an ESC byte; a clean image) are
# scanned through the API on a loopback server with a vulnerability database
# made here (the hostile one's advisory description is hostile too).  Then:
# - a browser session (curl) ends when `serve token revoke` revokes its
#   token; another token's session lives on; the image page is streamed
#   (chunked); a new advisory and a re-match give the app image a second
#   report with a new id (the scan history's "what changed");
# - tests/e2e/serve_web_browser.py checks GET /api/v1/images searches
#   (filters, sort, paging, bad parameters, the OpenAPI schema) and the paged
#   GET /api/v1/vulnerabilities/{id}/images, then drives headless Chromium (Debian's chromium
#   and chromedriver, python3-selenium) through login, the images list (sort,
#   filter, paging), an image page and its layer view, a vulnerability page,
#   the database page, the submit form and logout, comparing what the pages
#   show with what the API returns; pages through a vulnerability's images;
#   checks the security headers and the HTML (html5lib, strict) of every
#   page, text contrast, labels, heading order, keyboard sorting and the
#   layout at phone width; posts forms without CSRF tokens; and writes a
#   screenshot of each page to build/test-artifacts/web/.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
PY=/usr/bin/python3   # Debian's python3: python3-selenium, python3-html5lib
MKIMAGE="$PY $SW_SOURCE_DIR/tests/tools/mkimage.py"
for tool in chromium /usr/bin/chromedriver curl; do
	command -v $tool >/dev/null 2>&1 || { echo "FAIL - $tool is not installed (scripts/setup-deps.sh)"; exit 1; }
done
$PY -c 'import selenium, html5lib, yaml' 2>/dev/null || { echo "FAIL - python3-selenium, python3-html5lib or python3-yaml missing (scripts/setup-deps.sh)"; exit 1; }
T=$(mktemp -d)
SRV=
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	declare -F store_stop >/dev/null && store_stop
	rm -rf "$T"
}
trap cleanup EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
export HOME=$T/home; mkdir -p "$HOME"
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ESC=$(printf '\033')

# ---- advisories and the database ----
mkdir -p $T/adv/osv
cat > $T/adv/debian.json <<'J'
{"openssl": {"CVE-2024-1001": {"description": "openssl fixed upstream", "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.13-1~deb12u1", "urgency": "high", "repositories": {"bookworm": "3.0.13-1~deb12u1"}}}}}}
J
cat > $T/adv/osv/GHSA-lpad.json <<'J'
{"id": "GHSA-lpad-lpad-lpad", "modified": "2024-05-01T00:00:00Z", "aliases": ["CVE-2024-2002"],
 "summary": "left-pad hangs on long input", "details": "A long pad string makes left-pad spin.",
 "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"}],
 "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.1"}]}]}],
 "database_specific": {"severity": "LOW"}}
J
# the hostile package's advisory: name, summary, description and a javascript: reference
HOSTILE_PKG="evil<script>pwned=1</script>\"'${ESC}[31m"
$PY - "$T/adv/osv/GHSA-evil.json" <<'PY'
import json, sys
name = "evil<script>pwned=1</script>\"'\x1b[31m"
json.dump({"id": "GHSA-evil-evil-evil", "modified": "2024-05-01T00:00:00Z", "aliases": ["CVE-2024-3003"],
           "summary": "sum <script>pwned=3</script>",
           "details": "desc <script>pwned=4</script> <img src=x onerror=\"pwned=5\"> \"quoted\" 'single' \x1b[31mred\x1b[0m",
           "references": [{"type": "WEB", "url": "javascript:pwned=6"}, {"type": "WEB", "url": "https://example.invalid/a?b=<c>"}],
           "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
           "affected": [{"package": {"ecosystem": "PyPI", "name": name},
                         "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0.1"}]}]}]},
          open(sys.argv[1], "w"))
PY
DB=$T/db.sqlite
"$STOWAWAY" db update -q --db $DB --source debian=$T/adv/debian.json --source osv=$T/adv/osv 2>$T/upd.err ||
	{ echo "FAIL - db update: $(cat $T/upd.err)"; exit 1; }

# ---- images ----
mkdir -p $T/base/etc $T/base/var/lib/dpkg $T/npm/app/node_modules/left-pad
printf 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' > $T/base/etc/os-release
printf 'Package: libssl3\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u2\nSource: openssl\nArchitecture: amd64\n\n' > $T/base/var/lib/dpkg/status
printf '{"name":"left-pad","version":"1.3.0"}' > $T/npm/app/node_modules/left-pad/package.json
$MKIMAGE --format docker-archive -o $T/app.tar --history 'ADD debian-base /' --history 'RUN npm install left-pad@1.3.0' $T/base $T/npm ||
	{ echo "FAIL - mkimage app"; exit 1; }
HOSTILE_DIR="app/<img src=x onerror=\"pwned=2\">'${ESC}[0m"
mkdir -p "$T/evil/$HOSTILE_DIR" $T/evil/usr/lib/python3/dist-packages/evil-1.0.0.dist-info
printf 'Metadata-Version: 2.1\nName: %s\nVersion: 1.0.0\n' "$HOSTILE_PKG" > $T/evil/usr/lib/python3/dist-packages/evil-1.0.0.dist-info/METADATA
printf 'aws_access_key_id = AKIAQYLPMN5HHHFPZAM2\naws_secret_access_key = 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\n' > "$T/evil/$HOSTILE_DIR/creds"
$MKIMAGE --format docker-archive -o $T/evil.tar --history 'ADD debian-base /' \
	--history "RUN echo \"<script>pwned=7</script>\" '${ESC}]0;title' && pip install evil" $T/base $T/evil ||
	{ echo "FAIL - mkimage evil"; exit 1; }
mkdir -p $T/clean/etc; printf 'ID=alpine\nVERSION_ID=3.19.1\n' > $T/clean/etc/os-release
$MKIMAGE --format docker-archive -o $T/clean.tar --history 'ADD alpine-base /' $T/clean || { echo "FAIL - mkimage clean"; exit 1; }
mkdir -p $T/extra/etc; printf 'ID=alpine\nVERSION_ID=3.20.0\n' > $T/extra/etc/os-release
$MKIMAGE --format docker-archive -o $T/extra.tar --history 'ADD alpine-base 3.20 /' $T/extra || { echo "FAIL - mkimage extra"; exit 1; }

# ---- the server ----
. "$SW_SOURCE_DIR/tests/e2e/store_lib.sh"
store_pick $T   # SW_TEST_STORE: sqlite or postgres (store_lib.sh)
PORT=$(free_port)
U=http://127.0.0.1:$PORT
READ=$("$STOWAWAY" serve token create --scope read --store $STORE reader 2>/dev/null)
SCAN=$("$STOWAWAY" serve token create --scope scan --store $STORE ci 2>/dev/null)
[[ $READ == sw_* && $SCAN == sw_* ]] || { echo "FAIL - token create"; exit 1; }
"$STOWAWAY" serve --listen 127.0.0.1:$PORT --store $STORE --db $DB --workers 2 2>>$T/server.log &
SRV=$!
for _ in $(seq 100); do curl -s -o /dev/null -m 1 $U/healthz && break; sleep 0.1; done
curl -s -o /dev/null -m 1 $U/healthz || { echo "FAIL - the server did not start: $(tail -3 $T/server.log)"; exit 1; }

BODY=$T/body
api() { # PATH TOKEN [curl args] -> CODE, BODY
	local p=$1 tok=$2; shift 2
	CODE=$(curl -s -m 20 -o $BODY -w '%{http_code}' -H "Authorization: Bearer $tok" "$@" "$U$p")
}
jq_() { $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' $BODY "$1" 2>/dev/null; }
submit() { # TAR -> JOB id
	api /api/v1/scans $SCAN -X POST -H 'Content-Type: application/json' -d "{\"image\":\"docker-archive:$1\"}"
	jq_ 'd["id"]'
}
wait_job() { # JOB -> DIGEST (one Python a poll: state and digest at once)
	local r
	for _ in $(seq 300); do
		api /api/v1/scans/$1 $READ
		r=$(jq_ 'd["state"] + " " + str(d.get("digest"))')
		case $r in done\ *) echo "${r#done }"; return 0 ;; failed\ *) break ;; esac
		sleep 0.1
	done
	echo "FAIL - job $1: $(cat $BODY)" >&2
	return 1
}
# the three scans run at once (two workers)
J1=$(submit $T/app.tar) && J2=$(submit $T/evil.tar) && J3=$(submit $T/clean.tar) &&
	APP=$(wait_job $J1) && EVIL=$(wait_job $J2) && CLEAN=$(wait_job $J3) ||
	{ echo "FAIL - the scans did not finish"; exit 1; }
ok "three images scanned through the API"

# (the image search of GET /api/v1/images and the paged "which images" are checked by
# serve_web_browser.py, before it starts the browser: one Python process, not one per check)

# ---- a browser session ends when its token is revoked ----
REVOKEE=$("$STOWAWAY" serve token create --scope read --store $STORE revokee 2>/dev/null)
CJ=$T/revokee.cookies
curl -s -m 10 -c $CJ -b $CJ -o $T/login.html $U/login
LCSRF=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' $T/login.html)
curl -s -m 10 -c $CJ -b $CJ -o /dev/null --data-urlencode "token=$REVOKEE" --data-urlencode "csrf=$LCSRF" $U/login
code_of() { curl -s -m 10 -b $CJ -o /dev/null -w '%{http_code} %{redirect_url}' "$U$1"; }
[ "$(code_of /images)" = "200 " ] && ok "revocation: a session made with the token opens /images" || bad "revocation: login failed: $(code_of /images)"
# a second session of another token must outlive the revocation
CJ2=$T/reader.cookies
curl -s -m 10 -c $CJ2 -b $CJ2 -o $T/login2.html $U/login
LCSRF2=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' $T/login2.html)
curl -s -m 10 -c $CJ2 -b $CJ2 -o /dev/null --data-urlencode "token=$READ" --data-urlencode "csrf=$LCSRF2" $U/login
"$STOWAWAY" serve token revoke --store $STORE revokee 2>$T/revoke.err && grep -q "1 token named 'revokee' revoked" $T/revoke.err &&
	ok "serve token revoke: one token revoked" || bad "serve token revoke: $(cat $T/revoke.err)"
[ "$(code_of /images)" = "303 $U/login" ] && ok "revocation: the session of the revoked token now redirects to /login" ||
	bad "revocation: the session outlived its token: $(code_of /images)"
api /api/v1/images $REVOKEE
[ "$CODE" = 401 ] && ok "revocation: the API refuses the revoked token" || bad "revocation: API answered $CODE"
[ "$(curl -s -m 10 -b $CJ2 -o /dev/null -w '%{http_code}' $U/images)" = 200 ] && ok "revocation: another token's session lives on" ||
	bad "revocation: another token's session ended too"
"$STOWAWAY" serve token revoke --store $STORE revokee 2>$T/revoke.err; rc=$?
[ $rc = 2 ] && grep -q "no live token is named 'revokee'" $T/revoke.err && [ $(wc -l < $T/revoke.err) = 1 ] &&
	ok "serve token revoke: a name without a live token is one line, exit 2" || bad "revoke twice: $rc $(cat $T/revoke.err)"

# ---- large tables are streamed (chunked), the page still whole ----
curl -s -m 10 -b $CJ2 -D $T/hdr -o $T/page.html "$U/images/$APP"
grep -qi '^transfer-encoding: chunked' $T/hdr && grep -q '</html>' $T/page.html && grep -q 'id="history"' $T/page.html &&
	ok "the image page is streamed (chunked) and complete" || bad "image page streaming: $(head -5 $T/hdr)"

# ---- a webhook, for the server page (its URL shown, never its secret) ----
ADMIN=$("$STOWAWAY" serve token create --scope admin --store $STORE admin 2>/dev/null)
api /api/v1/webhooks $ADMIN -X POST -H 'Content-Type: application/json' \
	-d '{"url":"http://127.0.0.1:9/hook-web-test","secret":"s3cr3t-web-page-0001","filter":{"min_severity":"high"}}'
[ "$CODE" = 201 ] && ok "a webhook registered for the server page" || bad "webhook: $CODE $(cat $BODY)"

# ---- a new advisory and a re-match: the scan history shows what changed ----
cat > $T/adv/debian.json <<'J'
{"openssl": {"CVE-2024-1001": {"description": "openssl fixed upstream", "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.13-1~deb12u1", "urgency": "high", "repositories": {"bookworm": "3.0.13-1~deb12u1"}}}},
             "CVE-2024-4004": {"description": "a second openssl flaw", "releases": {"bookworm": {"status": "open", "urgency": "medium"}}}}}
J
"$STOWAWAY" db update -q --db $DB --source debian=$T/adv/debian.json --source osv=$T/adv/osv 2>$T/upd.err || bad "db update 2: $(cat $T/upd.err)"
api /api/v1/rematch $ADMIN -X POST
api /api/v1/images/$APP/reports $READ
[ "$(jq_ 'd["reports"][0]["changes"]["new"]')" = "['CVE-2024-4004']" ] && ok "re-match: the API's newest report of the app image lists the new id" ||
	bad "re-match: $(head -c 600 $BODY)"

# ---- the browser ----
ART=${SW_BUILD_DIR:-$T}/test-artifacts/web
mkdir -p "$ART"
export U READ SCAN APP EVIL CLEAN ART EXTRA_TAR=$T/extra.tar
timeout 300 $PY $SW_SOURCE_DIR/tests/e2e/serve_web_browser.py 2>&1 | tee $T/browser.out
rc=${PIPESTATUS[0]}
[ $rc = 0 ] && ok "browser test (screenshots in $ART)" || bad "browser test: exit $rc"
grep -q '^FAIL' $T/browser.out && bad "browser test reported failures"

# ---- every request the pages made is in the log, one JSON object a line ----
$PY - $T/server.log <<'PY' && ok "server log: JSON lines, the page requests logged with their time" || bad "server log"
import json, sys
pages = 0
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    if d.get("kind") == "request" and d["path"].startswith(("/images", "/login", "/server", "/submit", "/vulnerabilities")):
        assert isinstance(d["ms"], (int, float))
        pages += 1
sys.exit(0 if pages > 10 else 1)
PY

kill -TERM $SRV; wait $SRV; rc=$?; SRV=
[ $rc = 0 ] && ok "SIGTERM: the server exits 0" || bad "server exit after SIGTERM: $rc"
grep -aE 'AddressSanitizer|LeakSanitizer|runtime error' $T/server.log && bad "sanitizer report in the server log" ||
	ok "no sanitizer report from the server"
[ $fails = 0 ] && echo "PASS - web pages" || { echo "FAIL - $fails failure(s)"; exit 1; }
