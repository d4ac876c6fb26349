#!/bin/bash
# test_scan_debian_tracker.sh - Debian tracker semantics end to end: a
# release without its own line for a CVE inherits the unstable line (the
# fixed version is compared with the release's package, <unfixed> means
# affected), and a DSA naming the CVE stands for it in the releases it
# names, as the security tracker computes it (lib/python/security_db.py).
#
# The image holds the real dpkg status of a Debian 12 minbase root
# (../shared/data/pkgdb/dpkg/debian12-minbase-debootstrap: util-linux
# 2.38.1-5+deb12u3, apt 2.6.1, zlib1g 1:1.2.13.dfsg-1, the versions of the
# corpus image debian-big), scanned against a database built from the shared
# Debian samples only (../shared/data/vuln/debian).  The expected findings
# below were worked out by hand from those advisory files; the severities
# are read here from the advisory text (vuln-list "Severity": unimportant ->
# negligible, none -> unknown).  Fails without shared data.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
D=${SW_SHARED_DATA:-}
P=$D/pkgdb/dpkg/debian12-minbase-debootstrap
V=$D/vuln/debian
if [ -z "$D" ] || [ ! -f "$P/status" ] || [ ! -d "$V/vuln-list-debian-sample" ]; then
  echo "FAIL: needs ../shared/data (pkgdb/dpkg and vuln/debian; set SW_SHARED_DATA); it is absent"
  exit 1
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/sw-debian-XXXXXX")
trap 'rm -rf "$T"' EXIT
export SOURCE_DATE_EPOCH=1735689600 STOWAWAY_NOW=1735689600
fails=0
pass=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL: $1"; fails=$((fails + 1)); fi; }

mkdir -p "$T/root/var/lib/dpkg" "$T/root/etc"
cp "$P/status" "$T/root/var/lib/dpkg/status"
cp "$P/os-release" "$T/root/etc/os-release"
cp "$P/debian_version" "$T/root/etc/debian_version"
python3 "$SW_SOURCE_DIR/tests/tools/mkimage.py" --format docker-archive -o "$T/img.tar" "$T/root" > /dev/null ||
  { echo "FAIL: mkimage"; exit 1; }

$STOWAWAY db update -q --db "$T/db.sqlite" --source debian="$V" 2> "$T/upd.err"
rc=$?
check "db update from the Debian samples: exit 0 (rc $rc: $(head -c 300 "$T/upd.err"))" '[ $rc -eq 0 ]'
$STOWAWAY scan -q --db "$T/db.sqlite" -f json -o "$T/scan.json" "docker-archive:$T/img.tar" 2> "$T/scan.err"
rc=$?
check "scan: exit 0 (rc $rc: $(head -c 300 "$T/scan.err"))" '[ $rc -eq 0 ]'

python3 - "$T/scan.json" "$P/status" "$V/vuln-list-debian-sample/tracker" > "$T/check.out" 2>&1 <<'PY'
import json, os, sys
scan, status, tracker = sys.argv[1:4]
out = []
def ok(cond, what):
    out.append(("ok - " if cond else "FAIL: ") + what)

# the installed versions (the dpkg status itself: Package, Source, Version)
pkgs = {}
for stanza in open(status).read().split("\n\n"):
    f = dict(l.split(": ", 1) for l in stanza.splitlines() if ": " in l and not l.startswith(" "))
    if "Package" in f:
        src = f.get("Source", f["Package"]).split(" ")[0]
        pkgs[f["Package"]] = (src, f["Version"])
# debian-big (/work/corpus/images/debian-big) has these versions
for name, ver in (("util-linux", "2.38.1-5+deb12u3"), ("apt", "2.6.1"), ("zlib1g", "1:1.2.13.dfsg-1")):
    ok(pkgs.get(name, (None, None))[1] == ver, "status has %s %s (debian-big's version)" % (name, ver))

def severity(rel_path, pkg):
    # the urgency the advisory gives the package's line, as the report names it
    d = json.load(open(os.path.join(tracker, rel_path)))
    words = [a.get("Severity") for a in d["Annotations"] if a.get("Type") == "package" and a.get("Package") == pkg]
    word = next((w for w in words if w), None)
    return {"unimportant": "negligible", "low": "low", "medium": "medium", "high": "high", None: "unknown"}[word]

# source package -> {id: (severity, fixedVersion)}; exactly these findings
# (an id may come folded with its aliases)
EXPECTED = {
    # CVE/2024/CVE-2024-28085.json: "- util-linux <unfixed>", no release line
    "util-linux": {"CVE-2024-28085": (severity("CVE/2024/CVE-2024-28085.json", "util-linux"), None)},
    # CVE/2011/CVE-2011-3374.json: "- apt <unfixed> (unimportant)"
    "apt": {"CVE-2011-3374": (severity("CVE/2011/CVE-2011-3374.json", "apt"), None)},
    # CVE/2023/CVE-2023-45853.json: "- zlib 1:1.3.dfsg-2" (unstable's fix; bookworm
    # has 1:1.2.13.dfsg-1 < it: affected, and no fix in bookworm)
    "zlib": {"CVE-2023-45853": (severity("CVE/2023/CVE-2023-45853.json", "zlib"), None)},
    # CVE/2023/CVE-2023-50495.json: "[bookworm] - ncurses <no-dsa> (Minor issue)"
    "ncurses": {"CVE-2023-50495": ("unknown", None)},
    # glibc 2.36-9+deb12u14:
    #  CVE-2024-2961.json "- glibc 2.37-18", no bookworm line, its DSA-5673-1 is
    #   not in the samples: affected;
    #  CVE-2023-4911.json "- glibc <unfixed>", but DSA/DSA-5514-1.json names it with
    #   "[bookworm] - glibc 2.36-9+deb12u3" (the tracker copies that line): not affected;
    #  glvd-CVE-list-sample.txt CVE-2024-33601 "- glibc 2.37-19" and DSA/DSA-5678-1.json
    #   names it with "[bookworm] - glibc 2.36-9+deb12u7": not affected.
    "glibc": {"CVE-2024-2961": ("unknown", None)},
}
v = json.load(open(scan))["vulnerabilities"]
got = {}
for f in v:
    src = f.get("matchedName")
    got.setdefault(src, {}).setdefault(f["package"]["name"], []).append(f)
ok(set(got) <= set(EXPECTED), "no findings for other sources: %s" % sorted(set(got) - set(EXPECTED)))
for src, exp in EXPECTED.items():
    binaries = sorted(p for p, (s, _) in pkgs.items() if s == src)
    ok(binaries, "source %s has binary packages in the status" % src)
    for b in binaries:
        fs = got.get(src, {}).get(b, [])
        ids = sorted(f["id"] for f in fs)
        ok(ids == sorted(exp), "%s (%s): findings %s, want %s" % (b, src, ids, sorted(exp)))
        for f in fs:
            if f["id"] in exp:
                sev, fixed = exp[f["id"]]
                ok(f["severity"] == sev, "%s %s: severity %s, want %s" % (b, f["id"], f["severity"], sev))
                ok(f["fixedVersion"] == fixed, "%s %s: fixedVersion %s, want %s" % (b, f["id"], f["fixedVersion"], fixed))
                ok(f["status"] == "affected", "%s %s: status %s, want affected" % (b, f["id"], f["status"]))
                ok(f["ecosystem"] == "Debian:12", "%s %s: ecosystem %s" % (b, f["id"], f["ecosystem"]))
print("\n".join(out))
sys.exit(1 if any(l.startswith("FAIL") for l in out) else 0)
PY
crc=$?
grep '^FAIL' "$T/check.out"
n=$(grep -c '^ok' "$T/check.out")
pass=$((pass + n))
check "finding checks ($n ok)" '[ $crc -eq 0 ] && [ $n -gt 20 ]'

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
