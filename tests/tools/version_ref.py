#!/usr/bin/python3
"""version_ref.py SCHEME < pairs.tsv > results

The reference implementations, one process for all pairs: prints '<',
'=', '>' per 'A<TAB>B' line, or '!' when the reference rejects a version.
  rpm      rpm.labelCompare() of python3-rpm ([E:]V[-R] split as rpm's
           parseEVR: missing epoch None, missing release None)
  pep440   packaging.version.Version of python3-packaging
  apt      apt_pkg.version_compare() of python3-apt (Debian's ordering as
           in APT; used for the large dpkg sample)
  dpkg     dpkg --compare-versions, one process per pair (slow; a version
           dpkg warns or errors about is '!')
Run with Debian's /usr/bin/python3, which has python3-rpm and python3-apt.
"""
import re
import subprocess
import sys


def rpm_ref():
    import rpm

    def evr(s):
        m = re.match(r"^(\d*):(.*)$", s)
        e = None
        if m:
            e, s = m.group(1) or "0", m.group(2)
        r = None
        if "-" in s:
            s, r = s.rsplit("-", 1)
        return (e, s, r)

    def cmp(a, b):
        return rpm.labelCompare(evr(a), evr(b))
    return cmp


def pep440_ref():
    from packaging.version import InvalidVersion, Version

    def cmp(a, b):
        try:
            x, y = Version(a), Version(b)
        except InvalidVersion:
            return None
        return (x > y) - (x < y)
    return cmp


def apt_ref():
    import apt_pkg
    apt_pkg.init_system()

    def cmp(a, b):
        r = apt_pkg.version_compare(a, b)
        return (r > 0) - (r < 0)
    return cmp


def dpkg_ref():
    def run(a, op, b):
        p = subprocess.run(["dpkg", "--compare-versions", a, op, b], capture_output=True)
        return p.returncode, p.stderr

    def cmp(a, b):
        rc, err = run(a, "lt", b)
        if err or rc not in (0, 1):
            return None
        if rc == 0:
            return -1
        rc, err = run(a, "gt", b)
        return 1 if rc == 0 else 0
    return cmp


def pep440_spec_main():
    """VERSION<TAB>SPECIFIERS lines: yes/no from SpecifierSet.contains(v,
    prereleases=True), '!' when the version or the specifier is invalid."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version
    import re as _re

    def canonical(clause):
        m = _re.match(r"\s*(===|~=|==|!=|<=|>=|<|>)\s*(.*?)\s*$", clause)
        if not m or m.group(1) == "===":
            return True
        w = m.group(2)
        if w.endswith(".*"):
            w = w[:-2]
        try:
            return str(Version(w)) == w
        except InvalidVersion:
            return True

    out = []
    for line in sys.stdin:
        v, _, spec = line.rstrip("\n").partition("\t")
        # packaging 23.0 (Debian 12) has known bugs that later releases fixed:
        # epochs in prefix matching, and "~=" on non-canonical spellings
        # ("~=0.6c7", "~=1.0.B1").  Those lines are not compared ("-").
        if "!" in v or "!" in spec.replace("!=", "") or not all(canonical(c) for c in spec.split(",")):
            out.append("-")
            continue
        try:
            r = SpecifierSet(spec).contains(Version(v), prereleases=True)
            out.append("yes" if r else "no")
        except (InvalidSpecifier, InvalidVersion):
            out.append("!")
    sys.stdout.write("\n".join(out) + ("\n" if out else ""))


def main():
    if sys.argv[1] == "pep440-spec":
        return pep440_spec_main()
    cmp = {"rpm": rpm_ref, "pep440": pep440_ref, "apt": apt_ref, "dpkg": dpkg_ref}[sys.argv[1]]()
    out = []
    for line in sys.stdin:
        line = line.rstrip("\n")
        a, _, b = line.partition("\t")
        try:
            r = cmp(a, b)
        except Exception:
            r = None
        out.append("!" if r is None else "<=>"[r + 1])
    sys.stdout.write("\n".join(out) + ("\n" if out else ""))


if __name__ == "__main__":
    main()
