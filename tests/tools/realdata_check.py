#!/usr/bin/env python3
"""realdata_check.py - check `stowaway scan -f json` of the real-data image
built by tests/e2e/test_scan_realdata.sh against findings worked out by hand
from the advisory files in ../shared/data/vuln.

Usage: realdata_check.py SCAN.json SBOM.json GO_OSV_DIR

Prints "ok - ..." / "FAIL - ..." lines; exits 1 when anything failed.

For every package listed in EXPECTED the scan must report exactly the listed
findings (no more, no less); each finding names the advisory id or alias the
test looks for, the ids that must be folded into that one finding, and the
fixed version.  Go stdlib advisories are too many to list by hand, so for the
stdlib the expected set is computed here, independently of stowaway, from the
golang/vulndb OSV records (SEMVER ranges), plus a few hand-checked samples.
"""
import glob
import json
import os
import sys

# (type, name as in the scan, installed version) -> list of
#   (ids that must all be in ONE finding (id + aliases), fixed version or None)
# An empty list means: this package must have no finding at all.
EXPECTED = {
    # ---- Go: pkg/dependency/parser/golang/binary/testdata/test.elf ----
    # No golang/vulndb record names these modules (grep of data/osv/GO-*.json).
    ("golang", "golang.org/x/xerrors", "v0.0.0-20200804184101-5ec99f83aff1"): [],
    ("golang", "github.com/aquasecurity/go-version", "v0.0.0-20210121072130-637058cfe492"): [],
    ("golang", "github.com/aquasecurity/go-pep440-version", "v0.0.0-20210121094942-22b2f8951d46"): [],

    # ---- PyPI: trivy python packaging/pip fixtures in site-packages ----
    ("pypi", "flask", "2.0.0"): [
        # vulns/flask/PYSEC-2023-62.yaml: ECOSYSTEM introduced 0 fixed 2.2.5,
        # introduced 2.3.0 fixed 2.3.2; aliases CVE-2023-30861, GHSA-m2qf-hxjv-5gpq.
        # PYSEC-2018-66 (fixed 0.12.3) and PYSEC-2019-179 (fixed 1.0) do not apply.
        ({"CVE-2023-30861", "PYSEC-2023-62", "GHSA-m2qf-hxjv-5gpq"}, "2.2.5"),
    ],
    ("pypi", "setuptools", "51.3.3"): [
        # vulns/setuptools/PYSEC-2022-43012.yaml (introduced 0, fixed 65.5.1, alias
        # CVE-2022-40897) and GHSA 2022/12/GHSA-r9hx-vwmv-q579 (same CVE, fixed
        # 65.5.1): one finding with the three ids.
        ({"CVE-2022-40897", "PYSEC-2022-43012", "GHSA-r9hx-vwmv-q579"}, "65.5.1"),
        # GHSA 2024/07/GHSA-cx63-2mw6-8hw5: introduced 0, fixed 70.0.0 (CVE-2024-6345)
        ({"CVE-2024-6345", "GHSA-cx63-2mw6-8hw5"}, "70.0.0"),
        # vulns/setuptools/PYSEC-2013-22.yaml: fixed 0.7 -> not affected
    ],
    ("pypi", "click", "8.0.0"): [],          # no PyPA / GHSA record for click
    ("pypi", "distlib", "0.3.1"): [],        # egg-info PKG-INFO; no record
    ("pypi", "annotated-types", "0.7.0"): [],

    # ---- RubyGems: Gemfile_normal.lock + a hand-written gemspec ----
    ("gem", "concurrent-ruby", "1.1.5"): [
        # gems/concurrent-ruby/CVE-2026-5490{4,5,6}.yml: patched_versions ">= 1.3.7"
        ({"CVE-2026-54904", "GHSA-h8w8-99g7-qmvj"}, "1.3.7"),
        ({"CVE-2026-54905", "GHSA-wv3x-4vxv-whpp"}, "1.3.7"),
        ({"CVE-2026-54906", "GHSA-6wx8-w4f5-wwcr"}, "1.3.7"),
    ],
    # gems/i18n/CVE-2013-4492.yml (patched "~> 0.5.1", ">= 0.6.6") and
    # CVE-2014-10077.yml (patched ">= 0.8.0"): 1.6.0 is patched for both.
    ("gem", "i18n", "1.6.0"): [],
    ("gem", "i18n", "0.6.5"): [
        # 0.6.5 satisfies neither "~> 0.5.1" nor ">= 0.6.6": the fix is 0.6.6
        ({"CVE-2013-4492", "GHSA-r5hc-9xx5-97rw"}, "0.6.6"),
        ({"CVE-2014-10077", "GHSA-34hf-g744-jw64"}, "0.8.0"),
    ],
    ("gem", "dotenv", "2.7.2"): [],
    ("gem", "pry", "0.12.2"): [],

    # ---- crates.io: cargo_normal.lock + cargo-auditable binary ----
    ("cargo", "idna", "0.1.5"): [
        # crates/RUSTSEC-2024-0421.json: SEMVER introduced 0.0.0-0, fixed 1.0.0;
        # aliases CVE-2024-12224, GHSA-h97m-ww89-6jmq
        ({"RUSTSEC-2024-0421", "CVE-2024-12224", "GHSA-h97m-ww89-6jmq"}, "1.0.0"),
    ],
    ("cargo", "url", "1.7.2"): [],           # no RUSTSEC record for url
    ("cargo", "libc", "0.2.54"): [],
    ("cargo", "percent-encoding", "1.0.1"): [],
    ("cargo", "crate_with_features", "0.1.0"): [],   # from the binary
    ("cargo", "library_crate", "0.1.0"): [],
    # typemap 0.3.3 is deliberately not asserted: its only record,
    # RUSTSEC-2019-0039, is an "informational: unmaintained" notice, reported
    # today as a vulnerability (open question, see the report).

    # ---- npm: package-lock v3 fixtures and an installed node_modules tree ----
    ("npm", "body-parser", "1.18.3"): [
        # GHSA 2024/09/GHSA-qwcr-r2fm-qrc7: introduced 0, fixed 1.20.3
        ({"CVE-2024-45590", "GHSA-qwcr-r2fm-qrc7"}, "1.20.3"),
    ],
    ("npm", "express", "4.16.4"): [
        # GHSA 2024/03/GHSA-rv95-896h-c2vc: introduced 0, fixed 4.19.2
        ({"CVE-2024-29041", "GHSA-rv95-896h-c2vc"}, "4.19.2"),
        # GHSA 2024/09/GHSA-qw6h-vgh9-j6wx: introduced 0, fixed 4.20.0
        ({"CVE-2024-43796", "GHSA-qw6h-vgh9-j6wx"}, "4.20.0"),
    ],
    # GHSA 2023/01/GHSA-9vvw-cc9w-f27h: introduced 0 fixed 2.6.9; 3.0.0..3.1.0
    ("npm", "debug", "2.5.2"): [({"CVE-2017-20165", "GHSA-9vvw-cc9w-f27h"}, "2.6.9")],
    ("npm", "debug", "2.6.9"): [],           # exactly the fixed version
    # GHSA 2022/11/GHSA-hrpp-h998-j3pp: introduced 6.5.0, fixed 6.5.3 (one of 9 ranges)
    ("npm", "qs", "6.5.2"): [({"CVE-2022-24999", "GHSA-hrpp-h998-j3pp"}, "6.5.3")],
    ("npm", "minimist", "0.0.8"): [
        # GHSA 2020/04/GHSA-vh95-rmgr-6w4m: introduced 0, fixed 0.2.1
        ({"CVE-2020-7598", "GHSA-vh95-rmgr-6w4m"}, "0.2.1"),
        # GHSA 2022/03/GHSA-xvch-5gv4-984h: introduced 0, fixed 0.2.4
        ({"CVE-2021-44906", "GHSA-xvch-5gv4-984h"}, "0.2.4"),
        # GHSA 2020/03/GHSA-7fhm-mqm4-2wp7 (introduced 0, fixed 1.2.2) is
        # withdrawn: never reported.
    ],
    ("npm", "ms", "2.0.0"): [],              # no ms advisory is stored
    ("npm", "ms", "2.1.1"): [],
    ("npm", "@babel/parser", "7.23.6"): [],

    # ---- Maven: jars / wars from the trivy java fixtures ----
    ("maven", "com.google.guava:guava", "29.0-jre"): [
        # GHSA 2023/06/GHSA-7g45-4rm6-3mm3: introduced 1.0, fixed 32.0.0
        ({"CVE-2023-2976", "GHSA-7g45-4rm6-3mm3"}, "32.0.0"),
        # GHSA 2021/03/GHSA-5mg8-w23w-74h3 (CVE-2020-8908), this stored revision:
        # introduced 0, last_affected "29.0".  In Maven order 29.0-jre > 29.0
        # (unknown qualifier after the release), so it does not apply.
        # GHSA 2020/06/GHSA-mvr2-9pj6-7w5j: 11.0 .. fixed 24.1.1 -> not affected.
    ],
    # GHSA 2019/01/GHSA-4gq5-ch57-c2mg: 2.9.0 .. fixed 2.9.7 (and older lines)
    ("maven", "com.fasterxml.jackson.core:jackson-databind", "2.9.10.6"): [],
    ("maven", "com.fasterxml.jackson.core:jackson-databind", "2.12.3"): [],
    ("maven", "log4j:log4j", "1.2.17"): [],  # only log4j-core records are stored
    ("maven", "org.apache.commons:commons-compress", "1.19"): [],
}

WITHDRAWN = {"GHSA-7fhm-mqm4-2wp7"}

# Hand-checked Go stdlib samples for go1.15.2 (data/osv/GO-*.json):
GO_STDLIB_SAMPLES = {
    # introduced 1.15.0-0 fixed 1.15.5
    "GO-2021-0069": "1.15.5",
    # introduced 0 fixed 1.14.14; introduced 1.15.0-0 fixed 1.15.7
    "GO-2021-0235": "1.15.7",
    # introduced 0 fixed 1.16.10 (no 1.15 fix): the fix is 1.16.10
    "GO-2021-0263": "1.16.10",
    # introduced 0 fixed 1.14.8; introduced 1.15.0-0 fixed 1.15.1 -> not affected
    "GO-2021-0226": None,
    # introduced 1.16.0-0 fixed 1.16.1 -> not affected
    "GO-2021-0067": None,
    # fixed 1.13.15 / 1.14.7 -> not affected
    "GO-2021-0142": None,
}
GO_STDLIB_VERSION = "1.15.2"

fails = 0


def ok(m):
    print("ok - " + m)


def bad(m):
    global fails
    fails += 1
    print("FAIL - " + m)


def ids_of(v):
    return {v["id"], *v["aliases"]}


# ---- a small semver comparator for the Go records (independent of stowaway) ----
def _pre_key(p):
    return [(0, int(x), "") if x.isdigit() else (1, 0, x) for x in p.split(".")]


def semver_key(v):
    v = v[1:] if v.startswith("v") else v
    v = v.split("+", 1)[0]
    core, _, pre = v.partition("-")
    nums = [int(x) for x in core.split(".")]
    nums += [0] * (3 - len(nums))
    # a release sorts after all of its prereleases
    return (nums, 0 if pre else 1, _pre_key(pre) if pre else [])


def go_affected(ver, ranges):
    """OSV SEMVER evaluation; returns (affected, smallest fix above ver)."""
    k = semver_key(ver)
    affected = False
    fixes = []
    for r in ranges:
        if r.get("type") != "SEMVER":
            continue
        ev = sorted(r["events"], key=lambda e: semver_key(list(e.values())[0])
                    if list(e.values())[0] != "0" else ([-1], 0, []))
        state = False
        for e in ev:
            (kind, val), = e.items()
            ek = ([-1], 0, []) if val == "0" else semver_key(val)
            if kind == "introduced" and ek <= k:
                state = True
            elif kind == "fixed":
                if ek <= k:
                    state = False
                else:
                    fixes.append(val)
            elif kind == "last_affected" and ek < k:
                state = False
        affected = affected or state
    fixes.sort(key=semver_key)
    return affected, (fixes[0] if fixes else None)


def go_stdlib_expected(osv_dir, ver):
    groups = []  # [ids set, fixes list]
    for f in glob.glob(os.path.join(osv_dir, "GO-*.json")):
        with open(f) as fh:
            d = json.load(fh)
        if d.get("withdrawn"):
            continue
        for a in d.get("affected", []):
            if a["package"]["name"] != "stdlib":
                continue
            aff, fix = go_affected(ver, a.get("ranges", []))
            if aff:
                groups.append([{d["id"], *d.get("aliases", [])}, [fix] if fix else []])
    # fold records sharing an id (as the scan folds aliases)
    merged = True
    while merged:
        merged = False
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                if groups[i][0] & groups[j][0]:
                    groups[i][0] |= groups[j][0]
                    groups[i][1] += groups[j][1]
                    del groups[j]
                    merged = True
                    break
            if merged:
                break
    out = {}
    for ids, fixes in groups:
        fixes.sort(key=semver_key)
        out[frozenset(ids)] = fixes[0] if fixes else None
    return out


def main():
    scan = json.load(open(sys.argv[1]))
    sbom = json.load(open(sys.argv[2]))
    go_dir = sys.argv[3]
    V = scan["vulnerabilities"]
    by_pkg = {}
    for v in V:
        p = v["package"]
        by_pkg.setdefault((p["type"], p["name"], v["installedVersion"]), []).append(v)

    # the image holds every package the test names (else the test proves nothing)
    inv = set()
    for p in sbom["packages"]:
        ns = p.get("namespace")
        name = p["name"] if not ns else ("%s:%s" if p["type"] == "maven" else "%s/%s") % (ns, p["name"])
        inv.add((p["type"], name, p["version"]))
    absent = [k for k in EXPECTED if k not in inv]
    if absent:
        bad("packages missing from the image inventory: %s" % absent)
    else:
        ok("the inventory holds all %d packages the test names" % len(EXPECTED))

    for key, exp in EXPECTED.items():
        label = "%s %s %s" % key
        got = by_pkg.get(key, [])
        # findings of one package at several paths (lockfile + node_modules) are
        # the same advisories: compare per distinct (ids, fixed)
        distinct = {}
        for v in got:
            distinct.setdefault(frozenset(ids_of(v)), set()).add(v["fixedVersion"])
        problems = []
        matched = set()
        for want_ids, want_fix in exp:
            hits = [k for k in distinct if want_ids <= k]
            if len(hits) != 1:
                problems.append("%s: %d findings hold all of %s" % (sorted(want_ids)[0], len(hits), sorted(want_ids)))
                continue
            matched.add(hits[0])
            if distinct[hits[0]] != {want_fix}:
                problems.append("%s: fixed %s, want %s" % (sorted(want_ids)[0], sorted(map(str, distinct[hits[0]])), want_fix))
        extra = [sorted(k) for k in distinct if k not in matched]
        if extra:
            problems.append("unexpected findings %s" % extra)
        for v in got:
            if v["status"] != ("fixed" if v["fixedVersion"] else "affected"):
                problems.append("%s status %s with fix %s" % (v["id"], v["status"], v["fixedVersion"]))
        if problems:
            bad("%s: %s" % (label, "; ".join(problems)))
        else:
            ok("%s: %d finding(s) as the advisories say" % (label, len(exp)))

    # withdrawn advisories never appear
    w = [v["id"] for v in V if ids_of(v) & WITHDRAWN]
    if w:
        bad("withdrawn advisory reported: %s" % w)
    else:
        ok("withdrawn GHSA-7fhm-mqm4-2wp7 not reported")

    # one advisory (with its aliases) is one finding per package and path
    seen = {}
    for v in V:
        p = v["package"]
        for i in ids_of(v):
            seen.setdefault((p["type"], p["name"], v["installedVersion"], p.get("path"), i), []).append(v["id"])
    dup = {k: ids for k, ids in seen.items() if len(ids) > 1}
    if dup:
        bad("an id in several findings of one package: %s" % list(dup.items())[:3])
    else:
        ok("aliases folded: no id appears in two findings of one package")

    # Go stdlib: hand samples, then the whole set from the OSV records
    std = [v for v in V if v["package"]["type"] == "golang" and v["package"]["name"] == "stdlib"]
    if not std or {v["installedVersion"] for v in std} != {GO_STDLIB_VERSION}:
        bad("go stdlib %s findings missing (%r)" % (GO_STDLIB_VERSION, {v["installedVersion"] for v in std}))
    for gid, fix in GO_STDLIB_SAMPLES.items():
        hits = [v for v in std if gid in ids_of(v)]
        if fix is None and hits:
            bad("stdlib %s: %s reported, but %s is not in its ranges" % (GO_STDLIB_VERSION, gid, GO_STDLIB_VERSION))
        elif fix is not None and (len(hits) != 1 or hits[0]["fixedVersion"] != fix):
            bad("stdlib %s: %s want one finding fixed in %s, got %r" % (GO_STDLIB_VERSION, gid, fix,
                [(v["id"], v["fixedVersion"]) for v in hits]))
        else:
            ok("stdlib %s: %s %s" % (GO_STDLIB_VERSION, gid, "fixed in " + fix if fix else "not affected"))
    want = go_stdlib_expected(go_dir, GO_STDLIB_VERSION)
    got = {frozenset(ids_of(v)): v["fixedVersion"] for v in std}
    missing = [sorted(k)[0] for k in want if k not in got]
    extra = [sorted(k)[0] for k in got if k not in want]
    wrongfix = [(sorted(k)[0], got[k], want[k]) for k in want if k in got and got[k] != want[k]]
    if len(want) < 50 or missing or extra or wrongfix or len(std) != len(want):
        bad("stdlib %s vs golang/vulndb: want %d findings, got %d; missing %s; extra %s; fixes %s" % (
            GO_STDLIB_VERSION, len(want), len(std), missing[:8], extra[:8], wrongfix[:8]))
    else:
        ok("stdlib %s: the %d findings computed from the golang/vulndb ranges, with their fixes" % (
            GO_STDLIB_VERSION, len(want)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
