#!/bin/bash
# End to end: a package database that cannot be read is never
# "0 vulnerabilities".  Images built here: a hostile rpm database (a sqlite
# rpmdb whose only header blob is garbage), an OS release the database has
# no data for, and a dpkg status padded past 256 MiB (generated here, not
# committed; dpkg reads any size).  Each incomplete result must be shown in
# the table, said on stderr, marked in every format (json complete:false,
# sarif executionSuccessful:false, cyclonedx property, spdx annotation,
# html banner, junit error), make --fail-on exit 2, and --allow-incomplete
# must fall back to the findings.  The expectations come from what the
# test planted, not from our output.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
VALIDATE="/usr/bin/python3 $SW_SOURCE_DIR/tests/tools/validate-schema.py"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export STOWAWAY_DB=$T/db.sqlite SOURCE_DATE_EPOCH=1735689600 STOWAWAY_NOW=1735689600 STOWAWAY_NO_CACHE=1
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }

# one Debian advisory: openssl 3.0.11-1~deb12u2 is affected (high), fixed in 3.0.13-1~deb12u1
cat > $T/debian.json <<'J'
{"openssl": {"CVE-2024-1001": {"description": "x", "releases": {"bookworm": {"status": "resolved",
  "fixed_version": "3.0.13-1~deb12u1", "urgency": "high", "repositories": {"bookworm": "3.0.13-1~deb12u1"}}}}}}
J
$STOWAWAY db update -q --source debian=$T/debian.json 2> $T/upd.err || bad "db update: $(cat $T/upd.err)"

stanza() { printf 'Package: %s\nStatus: install ok installed\nVersion: %s\nSource: %s\nArchitecture: amd64\n\n' "$@"; }
debian_root() {   # DIR VERSION_ID CODENAME
	mkdir -p $1/etc $1/var/lib/dpkg
	printf 'ID=debian\nVERSION_ID="%s"\nVERSION_CODENAME=%s\n' $2 $3 > $1/etc/os-release
	stanza openssl 3.0.11-1~deb12u2 openssl > $1/var/lib/dpkg/status
}

# expect NAME IMAGE REASON_RE FINDINGS: every format marks it incomplete;
# the gate exits 2, with --allow-incomplete 1 when FINDINGS > 0 else 0
expect_incomplete() {
	local name=$1 img=$2 re=$3 nfind=$4
	$STOWAWAY scan -f table $img > $T/$name.table 2> $T/$name.err; local rc=$?
	[ $rc -eq 0 ] && ok "$name: no gate, exit 0" || bad "$name: no gate, rc $rc: $(cat $T/$name.err)"
	grep -Eq "INCOMPLETE: .*$re" $T/$name.table && grep -q "^Incomplete result:" $T/$name.table \
		&& ok "$name: the table shows it" || bad "$name: table: $(cat $T/$name.table)"
	grep -Eq "warning: incomplete result: .*$re" $T/$name.err && ok "$name: stderr says it" \
		|| bad "$name: stderr: $(cat $T/$name.err)"
	for f in json sarif cyclonedx spdx-json html junit; do
		$STOWAWAY scan -q -f $f -o $T/$name.$f $img 2>/dev/null || bad "$name: format $f"
	done
	python3 - $T/$name "$re" $nfind <<'PY' && ok "$name: json, sarif, cyclonedx, spdx, html, junit mark it" || bad "$name: formats"
import json, re, sys, xml.dom.minidom
base, rx, nfind = sys.argv[1], re.compile(sys.argv[2]), int(sys.argv[3])
def need(c, m):
    if not c:
        print("  " + m); sys.exit(1)
d = json.load(open(base + ".json"))
need(d["complete"] is False and any(rx.search(r) for r in d["incomplete"]), "json %r" % d.get("incomplete"))
need(len(d["vulnerabilities"]) == nfind, "json findings %d" % len(d["vulnerabilities"]))
s = json.load(open(base + ".sarif"))
inv = s["runs"][0]["invocations"][0]
need(inv["executionSuccessful"] is False, "sarif executionSuccessful")
need(any(n["level"] == "error" and rx.search(n["message"]["text"]) for n in inv["toolExecutionNotifications"]), "sarif notification")
c = json.load(open(base + ".cyclonedx"))
props = {(p["name"], p["value"]) for p in c.get("properties", [])}
need(("stowaway:complete", "false") in props and any(n == "stowaway:incomplete" and rx.search(v) for n, v in props), "cyclonedx %r" % props)
p = json.load(open(base + ".spdx-json"))
need(any(a["annotationType"] == "OTHER" and rx.search(a["comment"]) for a in p.get("annotations", [])), "spdx annotations")
h = open(base + ".html").read()
need("Incomplete result:" in h and rx.search(h), "html banner")
j = xml.dom.minidom.parse(base + ".junit")
errs = j.getElementsByTagName("error")
need(len(errs) == 1 and errs[0].getAttribute("type") == "incomplete" and rx.search(errs[0].firstChild.data), "junit error")
need(j.documentElement.getAttribute("errors") == "1", "junit errors count")
PY
	if [ -n "${SW_SHARED_DATA:-}" ] && [ -d "$SW_SHARED_DATA/schemas" ]; then
		S=$SW_SHARED_DATA/schemas
		$VALIDATE $S/sarif/sarif-schema-2.1.0.json $T/$name.sarif && $VALIDATE $S/cyclonedx/bom-1.5.schema.json $T/$name.cyclonedx \
			&& $VALIDATE $S/spdx/v2.3/spdx-schema.json $T/$name.spdx-json && ok "$name: sarif, cyclonedx, spdx validate" \
			|| bad "$name: official schemas"
	fi
	$VALIDATE $SW_SOURCE_DIR/docs/stowaway-scan.schema.json $T/$name.json && ok "$name: json validates" || bad "$name: own schema"
	$STOWAWAY scan -q -f json -o /dev/null --fail-on low $img 2> $T/$name.gate; rc=$?
	[ $rc -eq 2 ] && grep -q -- "--allow-incomplete" $T/$name.gate && ok "$name: --fail-on low exits 2" \
		|| bad "$name: --fail-on low rc $rc: $(cat $T/$name.gate)"
	$STOWAWAY scan -q -f json -o /dev/null --fail-on low --allow-incomplete --scanners vuln $img 2>/dev/null; rc=$?
	[ $rc -eq $([ $nfind -gt 0 ] && echo 1 || echo 0) ] && ok "$name: --allow-incomplete exits per findings ($rc)" \
		|| bad "$name: --allow-incomplete rc $rc"
	$STOWAWAY scan -q -f json -o /dev/null --fail-on critical --allow-incomplete $img 2>/dev/null; rc=$?
	[ $rc -eq 0 ] && ok "$name: --allow-incomplete, no finding at critical: 0" || bad "$name: critical rc $rc"
}

# ---- a complete image first: none of the markers ----
debian_root $T/ok 12 bookworm
$MKIMAGE --format oci-archive -o $T/ok.tar $T/ok >/dev/null
$STOWAWAY scan -q -f json -o $T/ok.json --fail-on low $T/ok.tar 2> $T/ok.err; rc=$?
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["complete"] is True and d["incomplete"] == [] and len(d["vulnerabilities"]) == 1 else 1)' $T/ok.json \
	&& [ $rc -eq 1 ] && ! grep -q incomplete $T/ok.err && ok "complete image: complete, one finding, --fail-on low exits 1" \
	|| bad "complete image rc $rc: $(cat $T/ok.err)"
$STOWAWAY scan -q -f table $T/ok.tar | grep -qi incomplete && bad "complete image: table says incomplete" || ok "complete image: no banner"

# ---- a hostile rpm database beside the dpkg one ----
debian_root $T/rpm 12 bookworm
mkdir -p $T/rpm/var/lib/rpm
python3 - $T/rpm/var/lib/rpm/rpmdb.sqlite <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
# an rpm header that claims 0x7fffffff index entries
db.execute("INSERT INTO Packages (blob) VALUES (?)", (b"\x7f\xff\xff\xff\x00\x00\x00\x10" + b"\xff" * 64,))
db.commit()
PY
$MKIMAGE --format oci-archive -o $T/rpm.tar $T/rpm >/dev/null
expect_incomplete rpm oci-archive:$T/rpm.tar 'var/lib/rpm/rpmdb\.sqlite' 1

# ---- an OS release without data ----
debian_root $T/d13 13 trixie
$MKIMAGE --format oci-archive -o $T/d13.tar $T/d13 >/dev/null
expect_incomplete d13 oci-archive:$T/d13.tar 'no data for Debian:13' 0

# ---- a dpkg status padded past 256 MiB: read (dpkg reads it), in bounded memory ----
debian_root $T/big 12 bookworm
python3 - $T/big/var/lib/dpkg/status <<'PY'
import sys
# the installed openssl first, then 270 MB (> 256 MiB) of removed packages' stanzas
with open(sys.argv[1], "a") as f:
    n = size = 0
    chunk = []
    while size < 270_000_000:
        s = "Package: p%d\nStatus: deinstall ok config-files\nVersion: 1\n\n" % n
        chunk.append(s); size += len(s); n += 1
        if len(chunk) > 100000:
            f.write("".join(chunk)); chunk = []
    f.write("".join(chunk))
PY
[ $(stat -c %s $T/big/var/lib/dpkg/status) -gt 268435456 ] || bad "the padded status is not past 256 MiB"
$MKIMAGE --format oci-archive --compression none -o $T/big.tar $T/big >/dev/null
rm -rf $T/big
/usr/bin/time -f %M -o $T/big.rss $STOWAWAY scan -q -f json -o $T/big.json --fail-on low oci-archive:$T/big.tar 2> $T/big.err; rc=$?
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["complete"] is True and [(v["id"], v["package"]["name"]) for v in d["vulnerabilities"]] == [("CVE-2024-1001", "openssl")] else 1)' $T/big.json \
	&& [ $rc -eq 1 ] && ok "padded status: read whole, openssl's finding, --fail-on low exits 1" \
	|| bad "padded status rc $rc: $(cat $T/big.err)"
# read whole (the old way) it would take more than the file's 270 MB
rss=$(tail -n 1 $T/big.rss)
if ldd "$STOWAWAY" 2>/dev/null | grep -q 'libasan'; then
	# AddressSanitizer's shadow memory and quarantine make RSS meaningless
	echo "ok - padded status: peak RSS $rss KiB (AddressSanitizer build: not bounded here)"
else
	[ "$rss" -lt 150000 ] && ok "padded status: peak RSS $rss KiB" || bad "padded status: peak RSS $rss KiB"
fi
rm -f $T/big.tar

# ---- sbom: an incomplete inventory is flagged too ----
$STOWAWAY sbom -q -f json -o $T/sbom.json oci-archive:$T/rpm.tar 2> $T/sbom.err
$STOWAWAY sbom -q -f table oci-archive:$T/rpm.tar > $T/sbom.table 2>/dev/null
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["complete"] is False and any("rpmdb.sqlite" in r for r in d["incomplete"]) else 1)' $T/sbom.json \
	&& grep -q "^Incomplete (1):" $T/sbom.table && grep -q "warning: incomplete" $T/sbom.err \
	&& ok "sbom: json, table and stderr flag the incomplete inventory" || bad "sbom incomplete: $(cat $T/sbom.err)"
$VALIDATE $SW_SOURCE_DIR/docs/stowaway-sbom.schema.json $T/sbom.json && ok "sbom json validates" || bad "sbom own schema"
# ... and re-matching that SBOM keeps it incomplete (json, cyclonedx, spdx)
$STOWAWAY sbom -q -f cyclonedx -o $T/sbom.cdx oci-archive:$T/rpm.tar 2>/dev/null
$STOWAWAY sbom -q -f spdx-json -o $T/sbom.spdx oci-archive:$T/rpm.tar 2>/dev/null
for b in sbom.json sbom.cdx sbom.spdx; do
	$STOWAWAY scan -q -f json -o $T/re.json --fail-on low --sbom $T/$b 2> $T/re.err; rc=$?
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["complete"] is False and any("rpmdb.sqlite" in r for r in d["incomplete"]) else 1)' $T/re.json \
		&& [ $rc -eq 2 ] && ok "scan --sbom $b: still incomplete, --fail-on exits 2" || bad "scan --sbom $b rc $rc: $(cat $T/re.err)"
done

[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
