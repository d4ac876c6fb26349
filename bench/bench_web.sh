#!/bin/bash
# bench_web.sh - server-side render time of every web page (docs/web.md) with
# N stored images (default 10,000).
#
#   STOWAWAY=build/stowaway FILL=build/bench/bench_web_fill bench/bench_web.sh [-n 10000] [-r 20]
#
# One image with P Debian packages and two findings is scanned with the CLI
# (`scan -f json`); bench_web_fill stores N images with that report through
# the store API (made-up names, OSes, counts, policy results; every 10th
# image's findings index lists CVE-2024-1001).  The server then runs on the
# filled store; a browser session is made by logging in with a token; each
# page is requested R times with curl, one at a time, and the server's own
# time for it (the "ms" of its "streamed" log line, arrival to the last byte
# sent, for streamed pages; else of its request line, arrival to the answer
# queued) is summarised as median and maximum.  Then ab (apache2-utils; left
# out when missing) sends 400 requests from 8 clients to the API's "which
# images" of CVE-2024-1001, unpaged and with limit=100.  Prints Markdown
# tables.  Nothing is downloaded.
set -eu
: "${STOWAWAY:?set STOWAWAY to the stowaway binary}"
: "${FILL:=$(dirname "$STOWAWAY")/bench/bench_web_fill}"
SRC=$(cd "$(dirname "$0")/.." && pwd)
N=10000 R=20 P=200
while getopts n:r:p: o; do
	case $o in n) N=$OPTARG ;; r) R=$OPTARG ;; p) P=$OPTARG ;; *) exit 64 ;; esac
done
[ -x "$FILL" ] || { echo "bench_web_fill not found at $FILL (build the bench targets)" >&2; exit 2; }
T=$(mktemp -d)
SRV=
trap '[ -n "$SRV" ] && kill $SRV 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export STOWAWAY_NO_CACHE=1
mkdir -p $T/adv/osv $T/l/etc $T/l/var/lib/dpkg $T/l/app/node_modules/left-pad
cat > $T/adv/debian.json <<'J'
{"openssl": {"CVE-2024-1001": {"description": "openssl fixed upstream", "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.13-1~deb12u1", "urgency": "high", "repositories": {"bookworm": "3.0.13-1~deb12u1"}}}}}}
J
cat > $T/adv/osv/GHSA-lpad.json <<'J'
{"id": "GHSA-lpad-lpad-lpad", "modified": "2024-05-01T00:00:00Z", "aliases": ["CVE-2024-2002"],
 "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.1"}]}]}]}
J
"$STOWAWAY" db update -q --db $T/db.sqlite --source debian=$T/adv/debian.json --source osv=$T/adv/osv 2>/dev/null
printf 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' > $T/l/etc/os-release
for p in $(seq 1 $P); do
	printf 'Package: pkg%s\nStatus: install ok installed\nVersion: 1.%s\nArchitecture: amd64\n\n' $p $p
done > $T/l/var/lib/dpkg/status
printf 'Package: libssl3\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u2\nSource: openssl\nArchitecture: amd64\n\n' >> $T/l/var/lib/dpkg/status
printf '{"name":"left-pad","version":"1.3.0"}' > $T/l/app/node_modules/left-pad/package.json
python3 $SRC/tests/tools/mkimage.py --format docker-archive -o $T/img.tar $T/l
"$STOWAWAY" scan --db $T/db.sqlite -f json docker-archive:$T/img.tar > $T/report.json 2>/dev/null || true
[ -s $T/report.json ] || { echo "scan failed" >&2; exit 1; }
TOK=$("$STOWAWAY" serve token create --scope read --store $T/store.sqlite bench 2>/dev/null)
fill_s=$("$FILL" $T/store.sqlite $N $T/report.json)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$STOWAWAY" serve --listen 127.0.0.1:$PORT --store $T/store.sqlite --db $T/db.sqlite --db-poll 0 2>$T/server.log &
SRV=$!
U=http://127.0.0.1:$PORT
for _ in $(seq 100); do curl -s -o /dev/null $U/healthz && break; sleep 0.1; done
curl -s -c $T/cj -b $T/cj -o $T/login.html $U/login
CSRF=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' $T/login.html)
curl -s -c $T/cj -b $T/cj -o /dev/null --data-urlencode "token=$TOK" --data-urlencode "csrf=$CSRF" $U/login
D=$(printf 'sha256:%064x' $((N / 2)))
PAGES=(
	"/images"
	"/images?sort=worst"
	"/images?sort=name&order=asc"
	"/images?q=app-0999"
	"/images?os=alpine&min_critical=3&policy=stop&sort=critical"
	"/images?offset=$((N - 50))"
	"/images/$D"
	"/vulnerabilities/CVE-2024-1001"
	"/vulnerabilities/CVE-2024-1001?offset=$((N / 10 - 200))"
	"/vulnerabilities/CVE-2024-1001?limit=1000"
	"/vulnerabilities/CVE-BENCH-7"
	"/server"
	"/submit"
)
echo "| page | bytes | server ms to the last byte (median) | server ms (max) | curl total ms (median) |"
echo "|---|---|---|---|---|"
for p in "${PAGES[@]}"; do
	: > $T/curl.txt
	before=$(wc -l < $T/server.log)
	for _ in $(seq 1 $R); do
		curl -s -b $T/cj -o $T/page -w '%{http_code} %{size_download} %{time_total}\n' "$U$p" >> $T/curl.txt
	done
	tail -n +$((before + 1)) $T/server.log > $T/lines.log
	python3 - "$p" $T/curl.txt $T/lines.log <<'PY'
import json, statistics, sys
page, curl, log = sys.argv[1], sys.argv[2], sys.argv[3]
rows = [l.split() for l in open(curl)]
codes = {r[0] for r in rows}
# a streamed page's time is its "streamed" line's (arrival to the last byte
# sent), else the request line's (arrival to the answer queued)
lines = [json.loads(l) for l in open(log) if '"kind":"request"' in l or '"kind":"streamed"' in l]
streamed = [l["ms"] for l in lines if l["kind"] == "streamed"]
ms = streamed if streamed else [l["ms"] for l in lines if l["kind"] == "request"]
tot = [float(r[2]) * 1000 for r in rows]
flag = "" if codes == {"200"} else " (HTTP %s)" % ",".join(sorted(codes))
print("| `%s`%s | %s | %.1f | %.1f | %.1f |" % (page, flag, rows[-1][1], statistics.median(ms), max(ms), statistics.median(tot)))
PY
done
# the API's "which images" under load (8 clients at once), every hit in one
# answer (no limit: the answer of before paging) and one page of 100
if command -v ab >/dev/null; then
	echo
	echo "| API, 8 concurrent clients, 400 requests | bytes | requests/s | p50 ms | p99 ms |"
	echo "|---|---|---|---|---|"
	for a in "/api/v1/vulnerabilities/CVE-2024-1001/images" "/api/v1/vulnerabilities/CVE-2024-1001/images?limit=100" \
		 "/api/v1/vulnerabilities/CVE-2024-1001/images?limit=100&offset=$((N / 10 - 100))"; do
		ab -q -n 400 -c 8 -H "Authorization: Bearer $TOK" "$U$a" > $T/ab.txt 2>&1
		python3 - "$a" $T/ab.txt <<'PY'
import re, sys
t = open(sys.argv[2]).read()
def g(pat):
    m = re.search(pat, t, re.M)
    return m.group(1) if m else "?"
bad = g(r"^Non-2xx responses:\s+(\d+)")
print("| `%s`%s | %s | %s | %s | %s |" % (sys.argv[1], "" if bad == "?" else " (%s non-2xx)" % bad,
      g(r"^Document Length:\s+(\d+)"), g(r"^Requests per second:\s+([\d.]+)"), g(r"^\s+50%\s+(\d+)"), g(r"^\s+99%\s+(\d+)")))
PY
	done
else
	echo; echo "(ab, from apache2-utils, is not installed: the API load figures are left out)"
fi
echo
echo "$N images stored in ${fill_s} s through the store API (image_put + report_put each); each page requested $R times; report of $((P + 2)) packages."
