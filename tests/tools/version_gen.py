#!/usr/bin/env python3
"""version_gen.py SCHEME COUNT SEED SHARED_DATA > pairs.tsv

Pairs of version strings for the differential test: the vector rows of
the scheme (both directions), then COUNT pairs made by random mutation of
real version strings taken from the vector files and from the
vulnerability data under SHARED_DATA/vuln (read from the archives in
place, nothing is extracted to disk).  Deterministic for a given SEED.
"""
import io
import json
import lzma
import os
import random
import re
import sys
import tarfile

ECO = {
    "dpkg": ("Debian", "Ubuntu"),
    "rpm": ("Red Hat", "Rocky Linux", "AlmaLinux", "SUSE", "openSUSE", "Mariner"),
    "pep440": ("PyPI",),
    "npm": ("npm", "Go", "crates.io"),
    "maven": ("Maven",),
}
VECTORS = {
    "dpkg": ["dpkg-version-vectors.tsv"],
    "rpm": ["rpm-vercmp-vectors.tsv"],
    "pep440": ["pep440-version-vectors.tsv"],
    "npm": ["semver-node-vectors.tsv"],
    "maven": ["maven-comparableversion-vectors.tsv"],
}


def vector_pairs(shared, scheme):
    pairs = []
    for name in VECTORS[scheme]:
        with open(os.path.join(shared, "versions", name), encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                cols = line.split("\t")
                if scheme == "npm" and len(cols) > 3 and cols[3] != "-":
                    continue  # loose rows: node's strict compare would reject them
                pairs.append((cols[0], cols[1]))
                pairs.append((cols[1], cols[0]))
    return pairs


def osv_versions(doc, schemes_ecos, out):
    for aff in doc.get("affected", []) or []:
        eco = ((aff.get("package") or {}).get("ecosystem") or "")
        if not any(eco == e or eco.startswith(e + ":") for e in schemes_ecos):
            continue
        for r in aff.get("ranges", []) or []:
            for ev in r.get("events", []) or []:
                for k in ("introduced", "fixed", "last_affected", "limit"):
                    v = ev.get(k)
                    if isinstance(v, str) and v != "0":
                        out.add(v)
        for v in aff.get("versions", []) or []:
            if isinstance(v, str):
                out.add(v)


def real_versions(shared, scheme):
    out = set()
    for name in VECTORS[scheme]:
        for a, b in vector_pairs(shared, scheme):
            out.add(a)
            out.add(b)
    vuln = os.path.join(shared, "vuln")
    archives = []
    for root, _, files in os.walk(vuln):
        for fn in files:
            if fn.endswith(".tar.xz"):
                archives.append(os.path.join(root, fn))
    for path in sorted(archives):
        try:
            tf = tarfile.open(path, "r:xz")
        except Exception:
            continue
        with tf:
            for m in tf:
                if not m.isfile() or m.size > 4 << 20:
                    continue
                data = tf.extractfile(m).read()
                if m.name.endswith(".json"):
                    try:
                        doc = json.loads(data)
                    except Exception:
                        doc = None
                    if isinstance(doc, dict):
                        osv_versions(doc, ECO[scheme], out)
                if scheme == "pep440" and m.name.endswith(".yaml") and "pypa" in path:
                    text = data.decode("utf-8", "replace")
                    for v in re.findall(r"(?:introduced|fixed|last_affected|limit):\s*['\"]?([^\s'\"]+)", text):
                        if v != "0":
                            out.add(v)
                    for v in re.findall(r"(?m)^\s+- ['\"]?(\d[^\s'\"]*)['\"]?$", text):
                        out.add(v)
                if scheme == "rpm":
                    text = data.decode("utf-8", "replace")
                    for v in re.findall(r"\b(?:\d+:)?\d[\w.+~^]*-\d[\w.+~^]*\.(?:el|fc|amzn|cm|azl|lp|mga)\d[\w.+~^]*", text):
                        out.add(re.sub(r"\.(noarch|x86_64|src|aarch64|i686|ppc64le|s390x)$", "", v))
    if scheme == "dpkg":
        for fn in ("tracker-data-DSA-list.txt.xz", "tracker-data-DLA-list.txt.xz"):
            p = os.path.join(vuln, "debian", fn)
            if os.path.exists(p):
                with lzma.open(p, "rt", encoding="utf-8", errors="replace") as f:
                    for line in f:
                        m = re.match(r"\s+(?:\[\w+\]\s+)?- \S+ (\d\S*)", line)
                        if m:
                            out.add(m.group(1))
    return sorted(v for v in out if 0 < len(v) <= 100 and "\t" not in v and "\n" not in v)


ALPHA = {
    "dpkg": "0123456789abcxyzAB.+~-:",
    "rpm": "0123456789abcxyzAB._+~^-:",
    "pep440": "0123456789abcrpvedostlABC.-_!+",
    "npm": "0123456789abxyzAB.-+v",
    "maven": "0123456789abcmrsxyzAB.-_",
}
SNIPPETS = {
    "dpkg": ["~", "~~", "+", ".", "-1", "1:", "0:", "~rc1", "+deb11u1", "ubuntu1", "+b1", "0", "00", "~beta"],
    "rpm": ["~", "^", ".", "_", "-1", "1:", "0:", "~rc1", "^git1", ".el8", "a", "0", "00", ".1"],
    "pep440": ["a1", "b2", "rc1", "c1", ".post1", ".dev0", "+local", "+ubuntu.1", "1!", "alpha", "-1", ".0",
               "pre", "preview", "r", "rev", "-post", "_dev", "v", ".*", "0"],
    "npm": ["-alpha", "-0", ".1", "+build", "-rc.1", "-1", "v", "-alpha.beta", ".0", "-01", "00", "-x.7.z.92"],
    "maven": ["-SNAPSHOT", "-alpha", "-beta-1", ".RELEASE", ".Final", "-ga", "-sp1", "-rc", "-cr2", "-m3", "a1",
              "b2", ".0", "-0", "-jre", ".1", "-1", "final", "-xyz", "1234567890123", "0000"],
}


def mutate(v, scheme, rng):
    ops = rng.randint(1, 3)
    for _ in range(ops):
        k = rng.random()
        if not v:
            v = rng.choice(SNIPPETS[scheme])
            continue
        i = rng.randrange(len(v) + 1)
        if k < 0.2:   # change a number
            nums = list(re.finditer(r"\d+", v))
            if nums:
                m = rng.choice(nums)
                n = int(m.group()) + rng.choice([-1, 1, 1, 9, 10])
                s = str(max(n, 0))
                if rng.random() < 0.1:
                    s = "0" + s
                v = v[:m.start()] + s + v[m.end():]
        elif k < 0.4:  # insert a snippet
            v = v[:i] + rng.choice(SNIPPETS[scheme]) + v[i:]
        elif k < 0.55:  # append a snippet
            v = v + rng.choice(SNIPPETS[scheme])
        elif k < 0.7:  # replace a char
            if i < len(v):
                v = v[:i] + rng.choice(ALPHA[scheme]) + v[i + 1:]
        elif k < 0.8:  # delete a char
            if i < len(v):
                v = v[:i] + v[i + 1:]
        elif k < 0.9:  # truncate
            v = v[:max(1, i)]
        else:  # swap case / insert a char
            v = v[:i] + rng.choice(ALPHA[scheme]) + v[i:]
    return v


def spec_lines(shared, count, rng):
    """VERSION<TAB>SPECIFIER-SET lines for PEP 440 specifiers."""
    real = [v for v in real_versions(shared, "pep440") if len(v) < 40]
    ops = ["==", "!=", "<", "<=", ">", ">=", "~=", "==="]
    lines = []
    for _ in range(count):
        v = rng.choice(real)
        if rng.random() < 0.3:
            v = mutate(v, "pep440", rng)
        clauses = []
        for _ in range(rng.choice([1, 1, 2])):
            op = rng.choice(ops)
            w = v if rng.random() < 0.35 else rng.choice(real)
            if rng.random() < 0.3:
                w = mutate(w, "pep440", rng)
            if op in ("==", "!=") and rng.random() < 0.3:
                parts = re.split(r"[^0-9.]", w, 1)[0].strip(".").split(".")
                w = ".".join(parts[:rng.randint(1, max(1, len(parts)))]) + ".*"
            if op == "===" and rng.random() < 0.5:
                w = v
            if not w:
                continue
            sep = rng.choice(["", " "])
            clauses.append(op + sep + w)
        if v and clauses and "\t" not in v:
            lines.append("%s\t%s" % (v, ", ".join(clauses)))
    return lines


def npm_range_lines(shared, count, rng):
    """VERSION<TAB>RANGE lines for node-semver ranges."""
    real = [v for v in real_versions(shared, "npm") if re.match(r"^v?\d+\.\d+\.\d+", v) and len(v) < 40]
    ops = ["", "", "=", "<", "<=", ">", ">=", "~", "^", "~>"]
    pres = ["", "", "", "-alpha", "-beta.1", "-0", "-rc.2", "-pre"]

    def part(v):
        m = re.match(r"^v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?", v)
        nums = [m.group(1), m.group(2), m.group(3)]
        if rng.random() < 0.3:
            i = rng.randrange(3)
            nums[i] = str(max(0, int(nums[i]) + rng.choice([-1, 1, 2])))
        k = rng.choice([1, 2, 3, 3, 3])
        nums = nums[:k]
        if rng.random() < 0.2:
            nums[-1] = rng.choice(["x", "X", "*"])
        s = ".".join(nums)
        if k == 3 and nums[-1].isdigit():
            s += (m.group(4) or "") if rng.random() < 0.5 else rng.choice(pres)
        return s

    def comparator(v):
        return rng.choice(ops) + rng.choice(["", "", " "]) + part(v)

    lines = []
    for _ in range(count):
        v = rng.choice(real)
        if rng.random() < 0.3:
            m = re.match(r"^(v?\d+\.\d+\.\d+)", v)
            v = m.group(1) + rng.choice(pres)
        alts = []
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            w = v if rng.random() < 0.5 else rng.choice(real)
            if rng.random() < 0.15:
                alts.append(part(w) + " - " + part(rng.choice(real)))
            else:
                alts.append(" ".join(comparator(w if rng.random() < 0.7 else rng.choice(real))
                                     for _ in range(rng.choice([1, 1, 2, 2, 3]))))
        r = rng.choice([" || ", "||", " ||"]).join(alts)
        if rng.random() < 0.05:
            r = mutate(r, "npm", rng)
        if "\t" not in r and "\t" not in v:
            lines.append("%s\t%s" % (v, r))
    return lines


def main():
    scheme, count, seed, shared = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    if scheme == "npm-range":
        for line in npm_range_lines(shared, count, random.Random(seed)):
            sys.stdout.write(line + "\n")
        return
    if scheme == "pep440-spec":
        for line in spec_lines(shared, count, random.Random(seed)):
            sys.stdout.write(line + "\n")
        return
    rng = random.Random(seed)
    real = real_versions(shared, scheme)
    if not real:
        sys.exit("no versions found for %s" % scheme)
    out = sys.stdout
    for a, b in vector_pairs(shared, scheme):
        out.write("%s\t%s\n" % (a, b))
    for _ in range(count):
        a = rng.choice(real)
        k = rng.random()
        if k < 0.45:
            b = mutate(a, scheme, rng)
        elif k < 0.7:
            a, b = mutate(a, scheme, rng), mutate(a, scheme, rng)
        elif k < 0.85:
            b = rng.choice(real)
        else:
            b = a if rng.random() < 0.5 else mutate(rng.choice(real), scheme, rng)
        if not a or not b:
            continue  # dpkg reads "" as "no version"; not a version string anywhere
        if rng.random() < 0.5:
            a, b = b, a
        out.write("%s\t%s\n" % (a, b))
    sys.stderr.write("%s: %d real versions\n" % (scheme, len(real)))


if __name__ == "__main__":
    main()
