#!/bin/bash
# test_scan_distros.sh - distributions matched end to end: for each one an
# image built here (its os-release and its package database, planted the way
# the distribution's package manager writes it: a dpkg status file, an apk
# installed database, an rpm sqlite database written by rpm itself through
# tests/tools/mkrpmdb.py), a database built with `db update --source` from
# real-format advisory samples of ../shared/data/vuln/vendor-fixtures
# (vunnel's provider test fixtures, read from the archive at test time), and
# the findings of `stowaway scan -f json` compared with the findings worked
# out by hand from those advisory files.  Each expected value below names the
# advisory line it comes from, and the check reads that line back from the
# advisory file, so a changed sample fails here instead of silently changing
# what "expected" means.  Fails without the shared data.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
D=${SW_SHARED_DATA:-}
VF=$D/vuln/vendor-fixtures/vunnel-provider-test-fixtures.tar.xz
if [ -z "$D" ] || [ ! -f "$VF" ]; then
  echo "FAIL: needs ../shared/data/vuln/vendor-fixtures (set SW_SHARED_DATA); it is absent"
  exit 1
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/sw-distros-XXXXXX")
trap 'rm -rf "$T"' EXIT
export STOWAWAY_NOW=1735689600
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
fails=0
pass=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL: $1"; fails=$((fails + 1)); fi; }
P=tests/unit/providers
mkdir -p "$T/fx"
tar -xJf "$VF" -C "$T/fx" || { echo "FAIL: cannot read $VF"; exit 1; }
FX=$T/fx/$P

# dpkg_status FILE (PACKAGE SOURCE VERSION)... : a dpkg status file
dpkg_status() {
  local f=$1; shift
  : > "$f"
  while [ $# -ge 3 ]; do
    printf 'Package: %s\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\nSource: %s\nVersion: %s\nDescription: test\n\n' \
      "$1" "$2" "$3" >> "$f"
    shift 3
  done
}

# scan_image NAME DB IMAGE-ROOT : builds the image, scans it into $T/NAME.json
scan_image() {
  $MKIMAGE --format oci-archive -o "$T/$1.tar" "$3" > /dev/null || { echo "FAIL: mkimage $1"; fails=$((fails + 1)); return 1; }
  $STOWAWAY scan -q --db "$2" -f json -o "$T/$1.json" "oci-archive:$T/$1.tar" 2> "$T/$1.err"
  local rc=$?
  check "$1: scan exit 0 (rc $rc: $(head -c 300 "$T/$1.err"))" '[ $rc -eq 0 ]'
}

# expect NAME ADVISORY-ROOT PYTHON-EXPECTATIONS : compares $T/NAME.json with
# EXPECTED = {(package, id): dict(field=value...)} (exactly these findings);
# ADV(path) loads an advisory file below ADVISORY-ROOT for the assertions
# that tie each expected value to the advisory text.
expect() {
  ${PYBIN:-python3} - "$T/$1.json" "$2" "$1" > "$T/$1.check" 2>&1 <<PY
import json, os, sys
scan, root, name = sys.argv[1:4]
out = []
def ok(cond, what):
    out.append(("ok - " if cond else "FAIL: ") + name + ": " + what)
def ADV(p):
    return json.load(open(os.path.join(root, p)))
def events(rec, eco, pkg):
    return [e for a in rec["affected"] if a["package"]["ecosystem"] == eco and a["package"]["name"] == pkg
            for r in a.get("ranges", []) for e in r["events"]]
$3
doc = json.load(open(scan))
got = {}
for f in doc["vulnerabilities"]:
    got[(f["package"]["name"], f["id"])] = f
ok(set(got) == set(EXPECTED), "findings %s, want %s" % (sorted(got), sorted(EXPECTED)))
for k, want in EXPECTED.items():
    f = got.get(k)
    if not f:
        continue
    for field, v in want.items():
        if field == "ids":
            ok(set(v) <= set(f.get("aliases", [])), "%s: aliases %s include %s" % (k, f.get("aliases"), v))
        else:
            ok(f.get(field) == v, "%s: %s %r, want %r" % (k, field, f.get(field), v))
ok(not doc.get("incomplete"), "scan complete: %r" % doc.get("incomplete"))
print("\n".join(out))
sys.exit(1 if any(l.startswith("FAIL") for l in out) else 0)
PY
  local crc=$?
  grep '^FAIL' "$T/$1.check"
  local n
  n=$(grep -c '^ok' "$T/$1.check")
  pass=$((pass + n))
  check "$1: finding checks ($n ok)" '[ $crc -eq 0 ] && [ $n -gt 3 ]'
}

# ================================================================ Ubuntu
# Ubuntu OSV (UBUNTU-CVE-*, USN-*) with the Ubuntu Pro (ESM) records; the
# releases' own ecosystem is "Ubuntu:22.04:LTS", the Pro one
# "Ubuntu:Pro:22.04:LTS" (looked up besides; a finding whose only fix is a
# Pro one is reported under the Pro ecosystem).
U=$FX/ubuntu/test-fixtures
$STOWAWAY db update -q --db "$T/ubuntu.db" --source osv="$U/osv" --source osv="$U/osv-esm-cases" 2> "$T/ubuntu-upd.err"
rc=$?
check "ubuntu: db update exit 0 (rc $rc: $(head -c 300 "$T/ubuntu-upd.err"))" '[ $rc -eq 0 ]'

mkdir -p "$T/u22/etc" "$T/u22/var/lib/dpkg"
printf 'NAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\n' > "$T/u22/etc/os-release"
dpkg_status "$T/u22/var/lib/dpkg/status" \
  libwayland-client0 wayland 1.20.0-1 \
  libc6 glibc 2.35-0ubuntu3.1 \
  libsss-idmap0 sssd 2.6.3-1ubuntu3.6 \
  unzip unzip 6.0-26ubuntu3.1 \
  libnetty-java netty 1:4.1.48-4+deb11u1 \
  zlib1g zlib 1:1.2.11.dfsg-2ubuntu9.2
scan_image u22 "$T/ubuntu.db" "$T/u22"
expect u22 "$U" '
w = ADV("osv/cve/2021/UBUNTU-CVE-2021-3782.json")
usn = ADV("osv/usn/USN-5614-1.json")
g = ADV("osv/cve/2016/UBUNTU-CVE-2016-20013.json")
n = ADV("osv-esm-cases/cve/2022/UBUNTU-CVE-2022-24823.json")
# wayland 1.20.0-1 < "fixed: 1.20.0-1ubuntu0.1" (Ubuntu:22.04:LTS), the same fix in USN-5614-1 whose
# upstream is UBUNTU-CVE-2021-3782 (upstream CVE-2021-3782): one finding, Ubuntu priority "medium"
ok({"fixed": "1.20.0-1ubuntu0.1"} in events(w, "Ubuntu:22.04:LTS", "wayland"), "advisory: wayland fix")
ok({"fixed": "1.20.0-1ubuntu0.1"} in events(usn, "Ubuntu:22.04:LTS", "wayland"), "advisory: USN fix")
ok({"type": "Ubuntu", "score": "medium"} in w["severity"], "advisory: wayland priority")
# glibc and sssd in Ubuntu:22.04:LTS: "introduced: 0" and no fix -> affected, priority "negligible"
ok(events(g, "Ubuntu:22.04:LTS", "glibc") == [{"introduced": "0"}], "advisory: glibc open")
ok(events(g, "Ubuntu:22.04:LTS", "sssd") == [{"introduced": "0"}], "advisory: sssd open")
ok({"type": "Ubuntu", "score": "negligible"} in g["severity"], "advisory: glibc priority")
# netty: only Ubuntu:Pro:22.04:LTS has it, fixed in 1:4.1.48-4+deb11u2ubuntu0.1~esm1 > 1:4.1.48-4+deb11u1
ok({"fixed": "1:4.1.48-4+deb11u2ubuntu0.1~esm1"} in events(n, "Ubuntu:Pro:22.04:LTS", "netty"), "advisory: netty Pro fix")
ok(events(n, "Ubuntu:22.04:LTS", "netty") == [], "advisory: no netty 22.04 entry")
ok({"type": "Ubuntu", "score": "low"} in n["severity"], "advisory: netty priority")
# unzip (UBUNTU-CVE-2014-9913) has no 22.04 entry; zlib no advisory: no finding
EXPECTED = {
  ("libwayland-client0", "CVE-2021-3782"): dict(ids=["UBUNTU-CVE-2021-3782", "USN-5614-1"], status="fixed",
      fixedVersion="1.20.0-1ubuntu0.1", severity="medium", ecosystem="Ubuntu:22.04", matchedName="wayland"),
  ("libc6", "CVE-2016-20013"): dict(status="affected", fixedVersion=None, severity="negligible",
      ecosystem="Ubuntu:22.04", matchedName="glibc"),
  ("libsss-idmap0", "CVE-2016-20013"): dict(status="affected", severity="negligible", ecosystem="Ubuntu:22.04"),
  ("libnetty-java", "CVE-2022-24823"): dict(status="fixed", fixedVersion="1:4.1.48-4+deb11u2ubuntu0.1~esm1",
      severity="low", ecosystem="Ubuntu:Pro:22.04", matchedName="netty"),
}'

mkdir -p "$T/u16/etc" "$T/u16/var/lib/dpkg"
printf 'NAME="Ubuntu"\nVERSION_ID="16.04"\nVERSION_CODENAME=xenial\nID=ubuntu\nID_LIKE=debian\n' > "$T/u16/etc/os-release"
dpkg_status "$T/u16/var/lib/dpkg/status" \
  libwayland-client0 wayland 1.12.0-1~ubuntu16.04.3 \
  unzip unzip 6.0-20ubuntu1 \
  libnetty-java netty 1:4.0.34-1ubuntu0.1~esm2 \
  sssd-common sssd 1.13.4-1ubuntu1.15 \
  libc6 glibc 2.23-0ubuntu11.3
scan_image u16 "$T/ubuntu.db" "$T/u16"
expect u16 "$U" '
w = ADV("osv/cve/2021/UBUNTU-CVE-2021-3782.json")
z = ADV("osv-esm-cases/cve/2014/UBUNTU-CVE-2014-9913.json")
n = ADV("osv-esm-cases/cve/2022/UBUNTU-CVE-2022-24823.json")
g = ADV("osv/cve/2016/UBUNTU-CVE-2016-20013.json")
# wayland: 16.04 has only the Pro entry, fixed in 1.12.0-1~ubuntu16.04.3+esm1 (> the installed ...16.04.3)
ok(events(w, "Ubuntu:16.04:LTS", "wayland") == [], "advisory: no wayland 16.04 entry")
ok({"fixed": "1.12.0-1~ubuntu16.04.3+esm1"} in events(w, "Ubuntu:Pro:16.04:LTS", "wayland"), "advisory: wayland Pro fix")
# unzip: Ubuntu:16.04:LTS fixed 6.0-20ubuntu1.1 > 6.0-20ubuntu1, priority negligible
ok({"fixed": "6.0-20ubuntu1.1"} in events(z, "Ubuntu:16.04:LTS", "unzip"), "advisory: unzip fix")
ok({"type": "Ubuntu", "score": "negligible"} in z["severity"], "advisory: unzip priority")
# netty: the installed version is the Pro fix itself -> not affected
ok({"fixed": "1:4.0.34-1ubuntu0.1~esm2"} in events(n, "Ubuntu:Pro:16.04:LTS", "netty"), "advisory: netty Pro fix")
# sssd: Ubuntu:16.04:LTS open; glibc: only Ubuntu:Pro:16.04:LTS, open
ok(events(g, "Ubuntu:16.04:LTS", "sssd") == [{"introduced": "0"}], "advisory: sssd open")
ok(events(g, "Ubuntu:Pro:16.04:LTS", "glibc") == [{"introduced": "0"}], "advisory: glibc Pro open")
ok(events(g, "Ubuntu:16.04:LTS", "glibc") == [], "advisory: no glibc 16.04 entry")
EXPECTED = {
  ("libwayland-client0", "CVE-2021-3782"): dict(status="fixed", fixedVersion="1.12.0-1~ubuntu16.04.3+esm1",
      severity="medium", ecosystem="Ubuntu:Pro:16.04"),
  ("unzip", "CVE-2014-9913"): dict(status="fixed", fixedVersion="6.0-20ubuntu1.1", severity="negligible",
      ecosystem="Ubuntu:16.04"),
  ("sssd-common", "CVE-2016-20013"): dict(status="affected", severity="negligible", ecosystem="Ubuntu:16.04"),
  ("libc6", "CVE-2016-20013"): dict(status="affected", severity="negligible", ecosystem="Ubuntu:Pro:16.04"),
}'

# ================================================================ Rocky Linux, AlmaLinux
# Their errata as OSV (ecosystems "Rocky Linux:8", "AlmaLinux:9"), naming
# binary rpms; the CVEs an erratum fixes are its "related" ids (aliases
# here), its summary starts with the severity word; epochs and module
# releases compared as rpm does.  The rpm databases are written by rpm.
R=$FX/rocky/test-fixtures/osv
A=$FX/alma/test-fixtures/osv-database/advisories
$STOWAWAY db update -q --db "$T/rhel.db" --source osv="$R" --source osv="$A" 2> "$T/rhel-upd.err"
rc=$?
check "rocky/alma: db update exit 0 (rc $rc: $(head -c 300 "$T/rhel-upd.err"))" '[ $rc -eq 0 ]'

mkdir -p "$T/alma8/etc"
printf 'NAME="AlmaLinux"\nVERSION="8.8 (Sapphire Caracal)"\nID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="8.8"\n' > "$T/alma8/etc/os-release"
python3 "$SW_SOURCE_DIR/tests/tools/mkrpmdb.py" "$T/alma8" \
  python-requests:python3-requests:-:2.20.0:2.1.el8_1 \
  krb5:krb5-libs:-:1.18.2:13.el8 \
  mariadb:mariadb:3:10.3.35:1.module_el8.6.0+1004+2dd7d1ad \
  libtiff:libtiff:-:4.0.9:21.el8 || { echo "FAIL: mkrpmdb alma8"; fails=$((fails + 1)); }
scan_image alma8 "$T/rhel.db" "$T/alma8"
expect alma8 "$A" '
rq = ADV("almalinux8/ALSA-2023:4520.json")
mb = ADV("almalinux8/ALSA-2023:5259.json")
kb = ADV("almalinux8/ALBA-2021:4378.json")
tf = ADV("almalinux9/ALSA-2022:8194.json")
# python3-requests (binary of python-requests) 2.20.0-2.1.el8_1 < fixed 2.20.0-3.el8_8; "Moderate: ..."
ok({"fixed": "2.20.0-3.el8_8"} in events(rq, "AlmaLinux:8", "python3-requests"), "advisory: requests fix")
ok(rq["related"] == ["CVE-2023-32681"] and rq["summary"].startswith("Moderate:"), "advisory: requests CVE, severity")
# mariadb 3:10.3.35-1.module_el8.6.0... < fixed 3:10.3.39-1.module_el8.8.0+3609+204d4ab0 (same epoch 3)
ok({"fixed": "3:10.3.39-1.module_el8.8.0+3609+204d4ab0"} in events(mb, "AlmaLinux:8", "mariadb"), "advisory: mariadb fix")
ok(sorted(mb["related"]) == ["CVE-2022-32084", "CVE-2022-32091"], "advisory: mariadb CVEs")
# krb5-libs 1.18.2-13.el8 < 1.18.2-14.el8 of ALBA-2021:4378, a bug-fix erratum: not a vulnerability
ok({"fixed": "1.18.2-14.el8"} in events(kb, "AlmaLinux:8", "krb5-libs") and "bug fix" in kb["summary"], "advisory: ALBA")
# libtiff: only an AlmaLinux:9 erratum; this is AlmaLinux 8
ok(events(tf, "AlmaLinux:8", "libtiff") == [] and events(tf, "AlmaLinux:9", "libtiff"), "advisory: libtiff is 9 only")
EXPECTED = {
  ("python3-requests", "CVE-2023-32681"): dict(ids=["ALSA-2023:4520"], status="fixed", fixedVersion="2.20.0-3.el8_8",
      severity="medium", ecosystem="AlmaLinux:8", matchedName="python3-requests"),
  ("mariadb", "CVE-2022-32084"): dict(ids=["ALSA-2023:5259", "CVE-2022-32091"], status="fixed",
      fixedVersion="3:10.3.39-1.module_el8.8.0+3609+204d4ab0", severity="medium", ecosystem="AlmaLinux:8"),
}'

mkdir -p "$T/rocky/etc"
printf 'NAME="Rocky Linux"\nVERSION="8.4 (Green Obsidian)"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="8.4"\n' > "$T/rocky/etc/os-release"
python3 "$SW_SOURCE_DIR/tests/tools/mkrpmdb.py" "$T/rocky" \
  java-11-openjdk:java-11-openjdk-headless:1:11.0.12.0.7:0.el8_4 \
  firefox:firefox:-:102.11.0:2.el8_7 \
  ruby:ruby:-:3.3.0:1.module+el9.3.0+10000+aaaaaaaa || { echo "FAIL: mkrpmdb rocky"; fails=$((fails + 1)); }
scan_image rocky "$T/rhel.db" "$T/rocky"
expect rocky "$R" '
j = ADV("RLSA-2021_3891.json")
fx = ADV("RLSA-2023_3220.json")
rb = ADV("RLSA-2024_3671.json")
# java-11-openjdk-headless (source java-11-openjdk, which the erratum names) 1:11.0.12.0.7-0.el8_4 <
# fixed 1:11.0.13.0.8-1.el8_4; "Important: ..." -> high; ten related CVEs, CVE-2021-35550 the first
ok({"fixed": "1:11.0.13.0.8-1.el8_4"} in events(j, "Rocky Linux:8", "java-11-openjdk"), "advisory: java fix")
ok(j["summary"].startswith("Important:") and min(j["related"]) == "CVE-2021-35550", "advisory: java severity, CVEs")
# firefox 102.11.0-2.el8_7 = fixed 0:102.11.0-2.el8_7 (epoch 0 = none): not affected
ok({"fixed": "0:102.11.0-2.el8_7"} in events(fx, "Rocky Linux:8", "firefox"), "advisory: firefox fix")
# ruby: only a Rocky Linux:9 erratum; this is Rocky 8
ok(events(rb, "Rocky Linux:8", "ruby") == [], "advisory: ruby is 9 only")
EXPECTED = {
  ("java-11-openjdk-headless", "CVE-2021-35550"): dict(ids=["RLSA-2021:3891"] + j["related"], status="fixed",
      fixedVersion="1:11.0.13.0.8-1.el8_4", severity="high", ecosystem="Rocky Linux:8", matchedName="java-11-openjdk"),
}'

# ================================================================ Wolfi, Chainguard
# secdb security.json (no distroversion: rolling), apk versions, origin names.
W=$FX/wolfi/test-fixtures/input/secdb
C=$FX/chainguard/test-fixtures/input/secdb
$STOWAWAY db update -q --db "$T/wolfi.db" --source wolfi="$W/security.json" --source chainguard="$C/security.json" 2> "$T/wolfi-upd.err"
rc=$?
check "wolfi/chainguard: db update exit 0 (rc $rc: $(head -c 300 "$T/wolfi-upd.err"))" '[ $rc -eq 0 ]'
# apk_db FILE (PACKAGE ORIGIN VERSION)... : lib/apk/db/installed
apk_db() {
  local f=$1; shift
  : > "$f"
  while [ $# -ge 3 ]; do
    printf 'C:Q1abcdefabcdefabcdefabcdefabcdefab=\nP:%s\nV:%s\nA:x86_64\nS:1000\nI:2000\nT:test\nL:MIT\no:%s\n\n' "$1" "$3" "$2" >> "$f"
    shift 3
  done
}
mkdir -p "$T/wolfi/etc" "$T/wolfi/lib/apk/db"
printf 'ID=wolfi\nNAME="Wolfi"\nPRETTY_NAME="Wolfi"\nVERSION_ID="20230201"\nHOME_URL="https://wolfi.dev"\n' > "$T/wolfi/etc/os-release"
apk_db "$T/wolfi/lib/apk/db/installed" \
  zlib zlib 1.2.12-r2 \
  libcrypto3 openssl 3.0.7-r0 \
  binutils binutils 2.39-r2 \
  coreutils coreutils 9.1-r0 \
  busybox busybox 1.35.0-r2
scan_image wolfi "$T/wolfi.db" "$T/wolfi"
expect wolfi "$W" '
sec = {p["pkg"]["name"]: p["pkg"]["secfixes"] for p in ADV("security.json")["packages"]}
# zlib 1.2.12-r2: fixed in 1.2.12-r0 (CVE-2018-25032, older) and 1.2.12-r3 (CVE-2022-37434, newer)
ok(sec["zlib"] == {"1.2.12-r0": ["CVE-2018-25032"], "1.2.12-r3": ["CVE-2022-37434"]}, "advisory: zlib")
# openssl (origin of libcrypto3) 3.0.7-r0 is the fix itself; coreutils "0": never affected
ok(list(sec["openssl"]) == ["3.0.7-r0"] and list(sec["coreutils"]) == ["0"], "advisory: openssl, coreutils")
# binutils 2.39-r2: r1 and r2 fixes are in, r3 (CVE-2022-38128) is not
ok(sec["binutils"]["2.39-r3"] == ["CVE-2022-38128"], "advisory: binutils")
# busybox 1.35.0-r2 < 1.35.0-r3 fixing two CVEs
ok(sec["busybox"] == {"1.35.0-r3": ["CVE-2022-28391", "CVE-2022-30065"]}, "advisory: busybox")
EXPECTED = {
  ("zlib", "CVE-2022-37434"): dict(status="fixed", fixedVersion="1.2.12-r3", ecosystem="Wolfi", matchedName="zlib"),
  ("binutils", "CVE-2022-38128"): dict(status="fixed", fixedVersion="2.39-r3", ecosystem="Wolfi"),
  ("busybox", "CVE-2022-28391"): dict(status="fixed", fixedVersion="1.35.0-r3", ecosystem="Wolfi"),
  ("busybox", "CVE-2022-30065"): dict(status="fixed", fixedVersion="1.35.0-r3", ecosystem="Wolfi"),
}'

mkdir -p "$T/cg/etc" "$T/cg/lib/apk/db"
printf 'ID=chainguard\nNAME="Chainguard"\nPRETTY_NAME="Chainguard"\nVERSION_ID="20230214"\n' > "$T/cg/etc/os-release"
apk_db "$T/cg/lib/apk/db/installed" \
  curl curl 7.86.0-r0 \
  openssh-client openssh 9.1_p1-r0 \
  php-8.1 php 8.1.12-r0 \
  zlib zlib 1.2.12-r3
scan_image cg "$T/wolfi.db" "$T/cg"
expect cg "$C" '
sec = {p["pkg"]["name"]: p["pkg"]["secfixes"] for p in ADV("security.json")["packages"]}
# curl 7.86.0-r0: the 7.86.0-r0 fixes are in, 7.87.0-r0 (two CVEs) is not
ok(sec["curl"]["7.87.0-r0"] == ["CVE-2022-43551", "CVE-2022-43552"], "advisory: curl")
# openssh 9.1_p1-r0 < 9.2_p1-r0 (apk: the _p suffix after the number)
ok(sec["openssh"] == {"9.2_p1-r0": ["CVE-2023-25136"]}, "advisory: openssh")
# php 8.1.12-r0: "0" entries never affected; 8.1.13-r0 fixes CVE-2022-31630
ok(sec["php"]["8.1.13-r0"] == ["CVE-2022-31630"] and len(sec["php"]["0"]) == 3, "advisory: php")
# zlib 1.2.12-r3: every fix in
ok(max(sec["zlib"]) == "1.2.12-r3", "advisory: zlib")
EXPECTED = {
  ("curl", "CVE-2022-43551"): dict(status="fixed", fixedVersion="7.87.0-r0", ecosystem="Chainguard"),
  ("curl", "CVE-2022-43552"): dict(status="fixed", fixedVersion="7.87.0-r0", ecosystem="Chainguard"),
  ("openssh-client", "CVE-2023-25136"): dict(status="fixed", fixedVersion="9.2_p1-r0", ecosystem="Chainguard",
      matchedName="openssh"),
  ("php-8.1", "CVE-2022-31630"): dict(status="fixed", fixedVersion="8.1.13-r0", ecosystem="Chainguard"),
}'

# ================================================================ OVAL: Photon OS, CBL-Mariner, Oracle Linux, SUSE
# OVAL 5 definitions (rpminfo tests with EVR checks in AND/OR criteria, the
# release from a *-release package test or the platform).  Photon 3: the
# complete PHSA OVAL of claircore's test data; Mariner 2.0: vunnel's sample;
# Oracle Linux and SUSE: vunnel's samples are cut short (their tests and
# states are missing), so small documents in the same shape are written here.
CC=$D/vuln/vendor-fixtures/claircore-vuln-testdata.tar.xz
mkdir -p "$T/cc"
tar -xJf "$CC" -C "$T/cc" photon/testdata/com.vmware.phsa-photon3.xml || { echo "FAIL: cannot read $CC"; exit 1; }
cat > "$T/com.oracle.elsa-test.xml" <<'X'
<?xml version="1.0" encoding="UTF-8"?>
<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5" xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5" xmlns:red-def="http://oval.mitre.org/XMLSchema/oval-definitions-5#linux">
<generator><oval:product_name>Oracle Errata System</oval:product_name><oval:schema_version>5.3</oval:schema_version><oval:timestamp>2024-05-01T00:00:00</oval:timestamp></generator>
<definitions>
<definition id="oval:com.oracle.elsa:def:20242961" version="501" class="patch">
<metadata>
<title>
ELSA-2024-2961:  zlib security update  (IMPORTANT)
</title>
<affected family="unix"><platform>Oracle Linux 8</platform></affected>
<reference source="elsa" ref_id="ELSA-2024-2961" ref_url="https://linux.oracle.com/errata/ELSA-2024-2961.html"/>
<reference source="CVE" ref_id="CVE-2023-45853" ref_url="https://linux.oracle.com/cve/CVE-2023-45853.html"/>
<description>zlib fix</description>
<advisory><severity>IMPORTANT</severity><issued date="2024-05-21"/><cve href="https://linux.oracle.com/cve/CVE-2023-45853.html">CVE-2023-45853</cve></advisory>
</metadata>
<criteria operator="AND">
<criterion test_ref="oval:com.oracle.elsa:tst:20242961001" comment="Oracle Linux 8 is installed"/>
<criteria operator="OR">
<criteria operator="AND">
<criterion test_ref="oval:com.oracle.elsa:tst:20242961002" comment="zlib is earlier than 0:1.2.11-25.el8"/>
<criterion test_ref="oval:com.oracle.elsa:tst:20242961003" comment="zlib is signed with the Oracle Linux 8 key"/>
</criteria>
<criteria operator="AND">
<criterion test_ref="oval:com.oracle.elsa:tst:20242961004" comment="zlib-devel is earlier than 0:1.2.11-25.el8"/>
<criterion test_ref="oval:com.oracle.elsa:tst:20242961005" comment="zlib-devel is signed with the Oracle Linux 8 key"/>
</criteria>
</criteria>
</criteria>
</definition>
<definition id="oval:com.oracle.elsa:def:20219151" version="501" class="patch">
<metadata>
<title>ELSA-2021-9151:  openssl security update  (IMPORTANT)</title>
<affected family="unix"><platform>Oracle Linux 8</platform></affected>
<reference source="elsa" ref_id="ELSA-2021-9151" ref_url="https://linux.oracle.com/errata/ELSA-2021-9151.html"/>
<advisory><severity>IMPORTANT</severity><cve>CVE-2021-3449</cve></advisory>
</metadata>
<criteria operator="AND">
<criterion test_ref="oval:com.oracle.elsa:tst:20242961001" comment="Oracle Linux 8 is installed"/>
<criterion test_ref="oval:com.oracle.elsa:tst:20219151002" comment="openssl-libs is earlier than 2:1.1.1g-15.ksplice1.el8_3"/>
</criteria>
</definition>
</definitions>
<tests>
<rpminfo_test id="oval:com.oracle.elsa:tst:20242961001" version="501" comment="Oracle Linux 8 is installed" check="at least one" xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5#linux"><object object_ref="oval:com.oracle.elsa:obj:20242961001"/><state state_ref="oval:com.oracle.elsa:ste:20242961002"/></rpminfo_test>
<rpminfo_test id="oval:com.oracle.elsa:tst:20242961002" version="501" comment="zlib is earlier than 0:1.2.11-25.el8" check="at least one" xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5#linux"><object object_ref="oval:com.oracle.elsa:obj:20242961002"/><state state_ref="oval:com.oracle.elsa:ste:20242961003"/></rpminfo_test>
<rpminfo_test id="oval:com.oracle.elsa:tst:20242961003" version="501" comment="zlib is signed with the Oracle Linux 8 key" check="at least one" xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5#linux"><object object_ref="oval:com.oracle.elsa:obj:20242961002"/><state state_ref="oval:com.oracle.elsa:ste:20242961001"/></rpminfo_test>
<rpminfo_test id="oval:com.oracle.elsa:tst:20242961004" version="501" comment="zlib-devel is earlier than 0:1.2.11-25.el8" check="at least one" xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5#linux"><object object_ref="oval:com.oracle.elsa:obj:20242961003"/><state state_ref="oval:com.oracle.elsa:ste:20242961003"/></rpminfo_test>
<rpminfo_test id="oval:com.oracle.elsa:tst:20242961005" version="501" comment="zlib-devel is signed with the Oracle Linux 8 key" check="at least one" xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5#linux"><object object_ref="oval:com.oracle.elsa:obj:20242961003"/><state state_ref="oval:com.oracle.elsa:ste:20242961001"/></rpminfo_test>
<rpminfo_test id="oval:com.oracle.elsa:tst:20219151002" version="501" comment="openssl-libs is earlier than 2:1.1.1g-15.ksplice1.el8_3" check="at least one" xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5#linux"><object object_ref="oval:com.oracle.elsa:obj:20219151001"/><state state_ref="oval:com.oracle.elsa:ste:20219151001"/></rpminfo_test>
</tests>
<objects>
<rpminfo_object xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5#linux" id="oval:com.oracle.elsa:obj:20242961001" version="501"><name>oraclelinux-release</name></rpminfo_object>
<rpminfo_object xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5#linux" id="oval:com.oracle.elsa:obj:20242961002" version="501"><name>zlib</name></rpminfo_object>
<rpminfo_object xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5#linux" id="oval:com.oracle.elsa:obj:20242961003" version="501"><name>zlib-devel</name></rpminfo_object>
<rpminfo_object xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5#linux" id="oval:com.oracle.elsa:obj:20219151001" version="501"><name>openssl-libs</name></rpminfo_object>
</objects>
<states>
<rpminfo_state xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5#linux" id="oval:com.oracle.elsa:ste:20242961001" version="501"><signature_keyid operation="equals">82562ea9ad986da3</signature_keyid></rpminfo_state>
<rpminfo_state xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5#linux" id="oval:com.oracle.elsa:ste:20242961002" version="501"><version operation="pattern match">^8</version></rpminfo_state>
<rpminfo_state xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5#linux" id="oval:com.oracle.elsa:ste:20242961003" version="501"><evr datatype="evr_string" operation="less than">0:1.2.11-25.el8</evr></rpminfo_state>
<rpminfo_state xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5#linux" id="oval:com.oracle.elsa:ste:20219151001" version="501"><release operation="pattern match">ksplice1</release><evr datatype="evr_string" operation="less than">2:1.1.1g-15.ksplice1.el8_3</evr></rpminfo_state>
</states>
</oval_definitions>
X
$STOWAWAY db update -q --db "$T/oval.db" --max-bad 1 --source photon="$T/cc/photon/testdata/com.vmware.phsa-photon3.xml" \
  --source mariner="$FX/mariner/test-fixtures/mariner-truncated-2.0-oval.xml" \
  --source oracle="$T/com.oracle.elsa-test.xml" 2> "$T/oval-upd.err"
rc=$?
check "oval: db update exit 0 (rc $rc: $(head -c 300 "$T/oval-upd.err"))" '[ $rc -eq 0 ]'
# the ksplice state (a release pattern) is not evaluated: counted and named in db info
$STOWAWAY db info --db "$T/oval.db" > "$T/oval-info.txt" 2>&1
check "oval: db info names the check it did not evaluate" \
  'grep -q "oracle: .*com.oracle.elsa-test.xml: state check other than evr/version/arch/signature: 1 criteria not evaluated (first in oval:com.oracle.elsa:def:20219151)" "$T/oval-info.txt"'

mkdir -p "$T/photon/etc"
printf 'NAME="VMware Photon OS"\nVERSION="3.0"\nID=photon\nVERSION_ID=3.0\nPRETTY_NAME="VMware Photon OS/Linux"\n' > "$T/photon/etc/os-release"
python3 "$SW_SOURCE_DIR/tests/tools/mkrpmdb.py" "$T/photon" \
  sqlite:sqlite-libs:-:3.27.2:4.ph3 \
  krb5:krb5:-:1.17:1.ph3 || { echo "FAIL: mkrpmdb photon"; fails=$((fails + 1)); }
scan_image photon "$T/oval.db" "$T/photon"
PYBIN=/usr/bin/python3 expect photon "$T/cc/photon/testdata" '
import rpm, re, xml.etree.ElementTree as ET
NS = {"o": "http://oval.mitre.org/XMLSchema/oval-definitions-5"}
doc = ET.parse(os.path.join(root, "com.vmware.phsa-photon3.xml")).getroot()
installed = {"sqlite-libs": ("0", "3.27.2", "4.ph3"), "krb5": ("0", "1.17", "1.ph3")}
# every PHSA whose criteria say "PKG is earlier than E:V-R" for an installed package with a lower EVR
# (rpm.labelCompare, rpm 4.18), and "Photon OS 3 is installed"; its id and CVEs are one finding
# (findings sharing an id are one), named by its first CVE
hits = {}
for d in doc.iterfind("o:definitions/o:definition", NS):
    crit = [c.get("comment") for c in d.iter("{%s}criterion" % NS["o"])]
    if "Photon OS 3 is installed" not in crit:
        continue
    ids = {d.find("o:metadata/o:title", NS).text.split()[0]}
    ids |= {c.text for c in d.iter("{%s}cve" % NS["o"])}
    for c in crit:
        m = re.match(r"(\S+) is earlier than (\d+):([^-]+)-(\S+)$", c)
        if m and m.group(1) in installed and rpm.labelCompare(installed[m.group(1)], m.group(2, 3, 4)) < 0:
            hits.setdefault(m.group(1), []).append((set(ids), m.group(3) + "-" + m.group(4)))
EXPECTED = {}
for pkg, hs in hits.items():
    groups = []
    for ids, fixed in hs:
        merged = [g for g in groups if g[0] & ids]
        for g in merged:
            groups.remove(g)
            ids |= g[0]
        fixes = [fixed] + [f for g in merged for f in g[1]]
        groups.append((ids, fixes))
    for ids, fixes in groups:
        cves = sorted(i for i in ids if i.startswith("CVE-"))
        fid = cves[0] if cves else sorted(ids)[0]
        best = fixes[0]
        for f in fixes:
            if rpm.labelCompare(("0",) + tuple(f.split("-", 1)), ("0",) + tuple(best.split("-", 1))) < 0:
                best = f
        EXPECTED[(pkg, fid)] = dict(ids=sorted(ids), status="fixed", fixedVersion=best, ecosystem="Photon OS:3")
ok(len(EXPECTED) >= 2, "advisory: several PHSAs apply (%d)" % len(EXPECTED))
ok(any("PHSA-2020:00001" in e["ids"] for e in EXPECTED.values()), "advisory: PHSA-2020:00001 applies")
ok(not any("PHSA-2020:00131" in e["ids"] for e in EXPECTED.values()), "advisory: krb5 1.17-1 is PHSA-2020:00131 itself")
'

mkdir -p "$T/mariner/etc"
printf 'NAME="Common Base Linux Mariner"\nVERSION="2.0.20230407"\nID=mariner\nVERSION_ID="2.0"\n' > "$T/mariner/etc/os-release"
python3 "$SW_SOURCE_DIR/tests/tools/mkrpmdb.py" "$T/mariner" \
  golang:golang:-:1.20.5:1.cm2 \
  mysql:mysql:-:8.0.32:1.cm2 \
  glibc:glibc:-:2.35:4.cm2 \
  bind:bind-libs:-:9.16.33:1.cm2 || { echo "FAIL: mkrpmdb mariner"; fails=$((fails + 1)); }
scan_image mariner "$T/oval.db" "$T/mariner"
expect mariner "$FX/mariner/test-fixtures" '
x = open(os.path.join(root, "mariner-truncated-2.0-oval.xml")).read()
# golang: "earlier than 1.20.7-1" and "greater than 1.19.0" (CVE-2023-29404, Critical); 1.20.5-1 is between
ok("Package golang is earlier than 1.20.7-1, affected by CVE-2023-29404" in x and "Package golang is greater than 1.19.0" in x, "advisory: golang")
# mysql 8.0.32-1 < 8.0.33-1: CVE-2023-21980 (High), CVE-2023-21977 (Medium)
ok("Package mysql is earlier than 8.0.33-1, affected by CVE-2023-21980" in x and "Package mysql is earlier than 8.0.33-1, affected by CVE-2023-21977" in x, "advisory: mysql")
# glibc 2.35-4: "Not Applicable" -> not affected
ok("CVE-2023-0687 affecting package glibc 2.35-4. This CVE either no longer is or was never applicable." in x, "advisory: glibc")
# bind: "installed with version 9.16.33-1 or earlier", no patch: affected without a fix; its
# binary bind-libs is found through its source rpm name
ok("Package bind is installed with version 9.16.33-1 or earlier" in x and "No patch is available currently" in x, "advisory: bind")
EXPECTED = {
  ("golang", "CVE-2023-29404"): dict(status="fixed", fixedVersion="1.20.7-1.cm2", severity="critical", ecosystem="Mariner:2.0"),
  ("mysql", "CVE-2023-21980"): dict(status="fixed", fixedVersion="8.0.33-1.cm2", severity="high"),
  ("mysql", "CVE-2023-21977"): dict(status="fixed", fixedVersion="8.0.33-1.cm2", severity="medium"),
  ("bind-libs", "CVE-2022-3736"): dict(status="affected", fixedVersion=None, matchedName="bind"),
}'

mkdir -p "$T/ol8/etc"
printf 'NAME="Oracle Linux Server"\nVERSION="8.9"\nID="ol"\nID_LIKE="fedora"\nVERSION_ID="8.9"\n' > "$T/ol8/etc/os-release"
python3 "$SW_SOURCE_DIR/tests/tools/mkrpmdb.py" "$T/ol8" \
  zlib:zlib:-:1.2.11:20.el8 \
  openssl:openssl-libs:1:1.1.1k:9.el8_7 || { echo "FAIL: mkrpmdb ol8"; fails=$((fails + 1)); }
scan_image ol8 "$T/oval.db" "$T/ol8"
expect ol8 "$T" '
x = open(os.path.join(root, "com.oracle.elsa-test.xml")).read()
# zlib 1.2.11-20.el8 < 0:1.2.11-25.el8 on Oracle Linux 8 (oraclelinux-release ^8): ELSA-2024-2961, IMPORTANT
ok("<evr datatype=\"evr_string\" operation=\"less than\">0:1.2.11-25.el8</evr>" in x, "advisory: zlib")
# openssl-libs: the ksplice erratum (release pattern ksplice1) is not applied to a plain package
EXPECTED = {
  ("zlib", "CVE-2023-45853"): dict(ids=["ELSA-2024-2961"], status="fixed", fixedVersion="1.2.11-25.el8",
      severity="high", ecosystem="Oracle Linux:8"),
}'

# ================================================================ Amazon Linux
# ALAS advisory pages (HTML, one per advisory, as alas.aws.amazon.com serves
# them); the "src:" packages of "New Packages" are the fixed source rpms.
AM=$FX/amazon/test-fixtures/input
$STOWAWAY db update -q --db "$T/amzn.db" --source amazon="$AM/2_html" --source amazon="$AM/2023_html" 2> "$T/amzn-upd.err"
rc=$?
check "amazon: db update exit 0 (rc $rc: $(head -c 300 "$T/amzn-upd.err"))" '[ $rc -eq 0 ]'
mkdir -p "$T/al2/etc"
printf 'NAME="Amazon Linux"\nVERSION="2"\nID="amzn"\nID_LIKE="centos rhel fedora"\nVERSION_ID="2"\n' > "$T/al2/etc/os-release"
python3 "$SW_SOURCE_DIR/tests/tools/mkrpmdb.py" "$T/al2" \
  kernel:perf:-:4.9.70:22.55.amzn2 \
  device-mapper-multipath:kpartx:-:0.8.7:15.amzn2023.0.1 || { echo "FAIL: mkrpmdb al2"; fails=$((fails + 1)); }
scan_image al2 "$T/amzn.db" "$T/al2"
expect al2 "$AM" '
x = open(os.path.join(root, "2_html/ALAS-2018-939")).read()
# "Amazon Linux 2 Security Advisory: ALAS-2018-939", Severity Critical, CVE-2017-5715 and CVE-2017-5754,
# src: kernel-4.9.76-38.79.amzn2.src > the installed kernel 4.9.70-22.55.amzn2 (binary perf)
ok("kernel-4.9.76-38.79.amzn2.src" in x and "Amazon Linux 2 Security Advisory" in x, "advisory: ALAS-2018-939")
# kpartx: its advisory is an Amazon Linux 2023 one, not 2
EXPECTED = {
  ("perf", "CVE-2017-5715"): dict(ids=["ALAS-2018-939", "CVE-2017-5754"], status="fixed",
      fixedVersion="4.9.76-38.79.amzn2", severity="critical", ecosystem="Amazon Linux:2", matchedName="kernel"),
}'
mkdir -p "$T/al2023/etc"
printf 'NAME="Amazon Linux"\nVERSION="2023"\nID="amzn"\nID_LIKE="fedora"\nVERSION_ID="2023"\n' > "$T/al2023/etc/os-release"
python3 "$SW_SOURCE_DIR/tests/tools/mkrpmdb.py" "$T/al2023" \
  device-mapper-multipath:kpartx:-:0.8.7:15.amzn2023.0.1 || { echo "FAIL: mkrpmdb al2023"; fails=$((fails + 1)); }
scan_image al2023 "$T/amzn.db" "$T/al2023"
expect al2023 "$AM" '
x = open(os.path.join(root, "2023_html/ALAS-2023-126")).read()
# src: device-mapper-multipath-0.8.7-16.amzn2023.0.1.src > 0.8.7-15...; Important; three CVEs
ok("device-mapper-multipath-0.8.7-16.amzn2023.0.1.src" in x and "Important" in x, "advisory: ALAS-2023-126")
EXPECTED = {
  ("kpartx", "CVE-2022-3787"): dict(ids=["ALAS-2023-126", "CVE-2022-41973", "CVE-2022-41974"], status="fixed",
      fixedVersion="0.8.7-16.amzn2023.0.1", severity="high", ecosystem="Amazon Linux:2023",
      matchedName="device-mapper-multipath"),
}'

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
