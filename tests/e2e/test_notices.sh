#!/bin/bash
# End to end: notices and malicious packages (ISSUE19 item 6, docs/scan-formats.md
# "Notices").  A database built from OSV records written here: a RustSec
# informational advisory (unmaintained) for a crate, a withdrawn GHSA for
# another crate, a real vulnerability for a third, an OSV malicious-package
# record (MAL-) for an npm package, and a second informational record whose
# range the installed version is outside of.  The image (a Cargo.lock and a
# node_modules package) is built here.  Expected, from the planted records:
# - the vulnerability is the only finding and the only one counted, in every
#   format; the notice and the withdrawn advisory never are;
# - without --show-notices no notice is listed (JSON "notices": null); with it
#   the notice (kind unmaintained) and the withdrawn one (kind withdrawn) are
#   listed in every format, the out-of-range one is not;
# - the MAL- record is a malware finding naming the package (JSON "malware",
#   table, SARIF, JUnit, HTML, CycloneDX, SPDX), and --fail-on critical fails
#   on it; .stowawayignore can suppress it by its id.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
VALIDATE="/usr/bin/python3 $SW_SOURCE_DIR/tests/tools/validate-schema.py"
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
export STOWAWAY_DB=$T/db.sqlite SOURCE_DATE_EPOCH=1735689600 STOWAWAY_NOW=1735689600 STOWAWAY_NO_CACHE=1
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
cd "$T" || exit 1

mkdir -p osv
cat > osv/RUSTSEC-2016-0004.json <<'J'
{"id": "RUSTSEC-2016-0004", "modified": "2020-10-02T01:29:11Z", "published": "2016-09-10T12:00:00Z",
 "summary": "libusb is unmaintained; use rusb instead",
 "affected": [{"package": {"ecosystem": "crates.io", "name": "libusb", "purl": "pkg:cargo/libusb"},
   "database_specific": {"categories": [], "cvss": null, "informational": "unmaintained"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0.0.0-0"}]}], "versions": []}],
 "references": [{"type": "ADVISORY", "url": "https://rustsec.org/advisories/RUSTSEC-2016-0004.html"}]}
J
cat > osv/RUSTSEC-2021-0999.json <<'J'
{"id": "RUSTSEC-2021-0999", "modified": "2021-01-01T00:00:00Z", "published": "2021-01-01T00:00:00Z",
 "summary": "smallvec is unsound below 0.6",
 "affected": [{"package": {"ecosystem": "crates.io", "name": "smallvec"},
   "database_specific": {"informational": "unsound"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0.0.0-0"}, {"fixed": "0.6.0"}]}]}]}
J
cat > osv/GHSA-wwww-xxxx-yyyy.json <<'J'
{"id": "GHSA-wwww-xxxx-yyyy", "modified": "2024-02-01T00:00:00Z", "published": "2024-01-01T00:00:00Z",
 "withdrawn": "2024-02-01T00:00:00Z", "aliases": ["CVE-2024-7777"],
 "summary": "withdrawn: not a vulnerability in smallvec",
 "affected": [{"package": {"ecosystem": "crates.io", "name": "smallvec"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "9.0.0"}]}]}],
 "references": [{"type": "WEB", "url": "https://github.com/advisories/GHSA-wwww-xxxx-yyyy"}],
 "database_specific": {"severity": "HIGH"}}
J
cat > osv/RUSTSEC-2023-0001.json <<'J'
{"id": "RUSTSEC-2023-0001", "modified": "2023-01-01T00:00:00Z", "published": "2023-01-01T00:00:00Z",
 "aliases": ["CVE-2023-1111"], "summary": "tokio: a real vulnerability",
 "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}],
 "affected": [{"package": {"ecosystem": "crates.io", "name": "tokio"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "1.0.0"}, {"fixed": "1.18.4"}]}]}]}
J
cat > osv/MAL-2024-4242.json <<'J'
{"id": "MAL-2024-4242", "modified": "2024-05-01T00:00:00Z", "published": "2024-05-01T00:00:00Z",
 "summary": "Malicious code in evil-helper (npm)",
 "details": "The package steals credentials.",
 "affected": [{"package": {"ecosystem": "npm", "name": "evil-helper"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}],
   "database_specific": {"malicious-packages-origins": [{"source": "ghsa-malware", "id": "GHSA-mmmm-nnnn-oooo"}]}}],
 "database_specific": {"malicious-packages-origins": []}}
J
$STOWAWAY db update -q --source osv=$T/osv 2> upd.err || bad "db update: $(cat upd.err)"

L=$T/l0; mkdir -p $L/etc $L/app/rust $L/app/node/node_modules/evil-helper
printf 'ID=alpine\nVERSION_ID=3.19.0\n' > $L/etc/os-release
cat > $L/app/rust/Cargo.lock <<'C'
version = 3

[[package]]
name = "libusb"
version = "0.3.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "smallvec"
version = "1.10.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "tokio"
version = "1.18.2"
source = "registry+https://github.com/rust-lang/crates.io-index"
C
printf '{"name":"evil-helper","version":"1.0.3"}' > $L/app/node/node_modules/evil-helper/package.json
$MKIMAGE --format docker-archive -o img.tar --tag app:1 $L > /dev/null || bad "mkimage"

# ---- without --show-notices ----
$STOWAWAY scan -q --allow-incomplete -f json -o plain.json img.tar 2> s0.err; rc=$?
[ $rc -eq 0 ] || bad "scan rc $rc: $(cat s0.err)"
python3 - plain.json <<'PY' && ok "json: one vulnerability (tokio), counted once; notices null; MAL- is a malware finding naming the package" || bad "json without --show-notices"
import json, sys
d = json.load(open(sys.argv[1]))
ids = sorted(f["id"] for f in d["vulnerabilities"])
assert ids == ["CVE-2023-1111"], ids
assert d["summary"]["total"] == 1, d["summary"]
assert d["notices"] is None, d["notices"]
mal = d["malware"]
assert len(mal) == 1, mal
m = mal[0]
assert m["ruleId"] == "MAL-2024-4242" and m["severity"] == "critical", m
assert m["path"] == "app/node/node_modules/evil-helper/package.json", m
assert "evil-helper" in m["title"] and "1.0.3" in m["title"], m
assert m["layer"] == 0 and m["category"] == "malicious-package", m
PY
$VALIDATE $SW_SOURCE_DIR/docs/stowaway-scan.schema.json plain.json > v0.txt 2>&1 && ok "json validates" || bad "schema: $(cat v0.txt)"

# ---- with --show-notices, every format ----
for f in json table sarif junit html cyclonedx spdx-json; do
	$STOWAWAY scan -q --allow-incomplete --show-notices -f $f -o out.$f img.tar 2> s.$f.err ||
		bad "scan -f $f: $(cat s.$f.err)"
done
python3 - out.json <<'PY' && ok "json: notices RUSTSEC-2016-0004 (unmaintained) and GHSA-wwww-xxxx-yyyy (withdrawn), not the out-of-range one; still one vulnerability" || bad "json notices"
import json, sys
d = json.load(open(sys.argv[1]))
got = sorted((n["id"], n["kind"], n["package"]["name"], n["package"]["version"]) for n in d["notices"])
want = [("GHSA-wwww-xxxx-yyyy", "withdrawn", "smallvec", "1.10.0"),
        ("RUSTSEC-2016-0004", "unmaintained", "libusb", "0.3.0")]
assert got == want, got
n = [n for n in d["notices"] if n["id"] == "RUSTSEC-2016-0004"][0]
assert n["url"] == "https://rustsec.org/advisories/RUSTSEC-2016-0004.html", n
assert n["title"] == "libusb is unmaintained; use rusb instead", n
assert n["ecosystem"] == "crates.io", n
w = [n for n in d["notices"] if n["kind"] == "withdrawn"][0]
assert w["date"] == "2024-02-01T00:00:00Z", w
assert sorted(f["id"] for f in d["vulnerabilities"]) == ["CVE-2023-1111"]
assert d["summary"]["total"] == 1
PY
$VALIDATE $SW_SOURCE_DIR/docs/stowaway-scan.schema.json out.json > v1.txt 2>&1 && ok "json with notices validates" || bad "schema: $(cat v1.txt)"

grep -q '^Notices (not vulnerabilities)' out.table && grep -q 'unmaintained *RUSTSEC-2016-0004  libusb 0.3.0' out.table &&
	grep -q 'withdrawn *GHSA-wwww-xxxx-yyyy  smallvec 1.10.0' out.table && grep -q '2 notices' out.table &&
	grep -q 'MAL-2024-4242' out.table && ! grep -q 'RUSTSEC-2021-0999' out.table &&
	ok "table: the notices section and the malware finding" || bad "table: $(cat out.table)"
python3 - out.sarif <<'PY' && ok "sarif: notices as informational results (level none), the vulnerability and MAL- as results" || bad "sarif"
import json, sys
d = json.load(open(sys.argv[1]))
res = d["runs"][0]["results"]
notes = sorted(r["ruleId"] for r in res if r.get("kind") == "informational")
assert notes == ["notice/GHSA-wwww-xxxx-yyyy", "notice/RUSTSEC-2016-0004"], notes
assert all(r["level"] == "none" for r in res if r.get("kind") == "informational")
assert any(r["ruleId"] == "malware/MAL-2024-4242" and r["level"] == "error" for r in res), [r["ruleId"] for r in res]
assert any(r["ruleId"] == "CVE-2023-1111" for r in res), [r["ruleId"] for r in res]
PY
python3 - out.junit <<'PY' && ok "junit: a passing 'notices' suite; MAL- a failing malware testcase" || bad "junit"
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
s = [x for x in r.iter("testsuite") if x.get("name") == "notices"]
assert len(s) == 1 and s[0].get("tests") == "2" and s[0].get("failures") == "0", [x.attrib for x in s]
names = sorted(tc.get("name") for tc in s[0].iter("testcase"))
assert names == ["libusb 0.3.0 RUSTSEC-2016-0004", "smallvec 1.10.0 GHSA-wwww-xxxx-yyyy"], names
m = [x for x in r.iter("testsuite") if x.get("name") == "malware"]
assert len(m) == 1 and m[0].get("failures") == "1", [x.attrib for x in m]
assert "MAL-2024-4242" in ET.tostring(m[0], encoding="unicode")
PY
grep -q '<h2 id="notices">Notices (not vulnerabilities)</h2>' out.html && grep -q '<td>unmaintained</td><td>RUSTSEC-2016-0004</td><td>libusb 0.3.0</td>' out.html &&
	grep -q 'MAL-2024-4242' out.html && ok "html: the notices section and the malware finding" || bad "html"
python3 - out.cyclonedx out.spdx-json <<'PY' && ok "cyclonedx and spdx: notices and the malware finding" || bad "cyclonedx/spdx"
import json, sys
c = json.load(open(sys.argv[1]))
props = [(p["name"], p["value"]) for p in c.get("properties", [])]
n = sorted(v.split(" ")[0] for k, v in props if k == "stowaway:notice")
assert n == ["GHSA-wwww-xxxx-yyyy", "RUSTSEC-2016-0004"], props
assert any(k == "stowaway:malware" and "MAL-2024-4242" in v for k, v in props), props
vids = sorted(v["id"] for v in c.get("vulnerabilities", []))
assert vids == ["CVE-2023-1111"], vids
s = json.load(open(sys.argv[2]))
com = s["comment"]
assert "notice: RUSTSEC-2016-0004 (unmaintained) libusb 0.3.0" in com, com
assert "notice: GHSA-wwww-xxxx-yyyy (withdrawn) smallvec 1.10.0" in com, com
assert "malware: critical MAL-2024-4242" in com, com
assert "1 vulnerabilities" in com, com
PY

# ---- gates ----
$STOWAWAY scan -q --allow-incomplete --fail-on critical -f json -o g.json img.tar 2> g.err; rc=$?
[ $rc -eq 1 ] && ok "--fail-on critical: the malicious package fails the gate (exit 1)" || bad "gate rc $rc: $(cat g.err)"
echo 'MAL-2024-4242' > ign
$STOWAWAY scan -q --allow-incomplete --fail-on critical --ignorefile ign -f json -o g2.json img.tar 2> g2.err; rc=$?
[ $rc -eq 0 ] && python3 -c "import json,sys; m=json.load(open('g2.json'))['malware']; assert m[0]['suppressed'], m" &&
	ok "ignore file suppresses the MAL- finding by id; the notices never gate" || bad "ignored gate rc $rc: $(cat g2.err)"

[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all ok"
