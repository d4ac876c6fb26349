#!/usr/bin/env python3
"""mkupstream.py - the files of every default upstream of `stowaway db update`,
in each upstream's real format, for tests/tools/fakeupstream.py.

usage: mkupstream.py build ROOT SOURCES.json VULNDATA [--osv-per-eco N]
       mkupstream.py change ROOT
       mkupstream.py osv-change ROOT ECOSYSTEM SUMMARY

build: SOURCES.json is `stowaway db sources --json` (the binary's own table
of default locations); every location gets its file at ROOT/HOST/PATH,
made from the real-format samples in VULNDATA (../shared/data/vuln, read
here, never copied into the project) or, where there is none, a small one
written here in the upstream's format.  Beside each OSV all.zip go the
bucket's modified_id.csv and ID.json files; beside Red Hat's
archive_latest.txt its archive, changes.csv, deletions.csv and changed
files (claircore's mock of the real server).  ROOT/expected.json lists,
per source, the ids the database must hold afterwards (taken from the
files), and ROOT/facts.json what `change` needs.  A source in the table
that this script does not know fails the build: a new default location
needs its sample here.

change: one hour later upstream: an OSV PyPI record and an NVD CVE are
modified (new summary / description), Red Hat lists a changed VEX file in
changes.csv and a deleted one in deletions.csv, one KEV entry is dropped.
ROOT/changed.json says which, for the checks.
"""
import bz2
import glob
import gzip
import hashlib
import io
import json
import lzma
import os
import re
import subprocess
import sys
import tarfile
import time
import urllib.parse
import zipfile
from datetime import datetime, timezone

CHANGED = "CHANGED BY THE SECOND UPDATE"


def put(root, host, path, data, mtime=None):
    p = os.path.join(root, host, urllib.parse.unquote(path).lstrip("/"))
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    if mtime is not None:
        os.utime(p, (mtime, mtime))
    return p


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# ---------------------------------------------------------------- OSV

def osv_records(vd, per_eco):
    """ecosystem (before ':') -> list of OSV records from the samples"""
    by = {}

    def take(rec):
        if not isinstance(rec, dict) or "id" not in rec or "modified" not in rec:
            return
        ecos = {a.get("package", {}).get("ecosystem", "").split(":")[0] for a in rec.get("affected", [])}
        for e in ecos:
            lst = by.setdefault(e, [])
            if len(lst) < per_eco and all(r["id"] != rec["id"] for r in lst):
                lst.append(rec)

    def from_tar(path, pattern, enough=None):
        """enough: stop reading once this ecosystem has per_eco records"""
        with tarfile.open(path) as tf:
            for m in tf:
                if m.isfile() and m.name.endswith(".json") and re.search(pattern, m.name):
                    try:
                        take(json.load(tf.extractfile(m)))
                    except ValueError:
                        pass
                    if enough and len(by.get(enough, [])) >= per_eco:
                        return

    from_tar(vd + "/osv/golang-vulndb-osv.tar.xz", r"data/osv/GO-20(2[2-4])-0[0-9]+\.json$", "Go")
    from_tar(vd + "/osv/rustsec-advisory-db-osv.tar.xz", r"crates/RUSTSEC-202[0-3]-", "crates.io")
    from_tar(vd + "/ghsa/ghsa-osv-npm-pypi-maven.tar.xz", r"GHSA-")
    from_tar(vd + "/osv/osv-dev-testdata-records.tar.xz", r"testdata/")
    for name, data in tar_files(vd + "/vendor-fixtures/vunnel-provider-test-fixtures.tar.xz").items():
        if name.endswith(".json") and re.search(
                r"(ubuntu/test-fixtures/osv/|alma/test-fixtures/osv-database/|rocky/test-fixtures/osv/)", name):
            try:
                take(json.loads(data))
            except ValueError:
                pass
    return by


_TARS = {}


def tar_files(path):
    """every regular file of a tar archive, name -> bytes (read once)"""
    if path not in _TARS:
        with tarfile.open(path) as tf:
            _TARS[path] = {m.name: tf.extractfile(m).read() for m in tf if m.isfile()}
    return _TARS[path]


def small_osv(eco, n):
    """records written here for an ecosystem without a sample"""
    out = []
    for i in range(1, n + 1):
        out.append({"schema_version": "1.6.0", "id": "TEST-%s-%d" % (re.sub(r"[^A-Za-z0-9]", "", eco), i),
                    "modified": "2025-0%d-01T00:00:00Z" % i, "published": "2025-01-01T00:00:00Z",
                    "summary": "test record %d" % i, "aliases": ["CVE-2025-9%04d" % i],
                    "affected": [{"package": {"ecosystem": eco, "name": "test-package-%d" % i},
                                  "ranges": [{"type": "ECOSYSTEM",
                                              "events": [{"introduced": "0"}, {"fixed": "1.%d.0" % i}]}]}]})
    return out


def write_osv(root, host, path, recs):
    d = path.rsplit("/", 1)[0]
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for r in recs:
            zf.writestr(r["id"] + ".json", json.dumps(r, indent=1))
    put(root, host, path, z.getvalue())
    lines = sorted(((r["modified"], r["id"]) for r in recs), reverse=True)
    put(root, host, d + "/modified_id.csv", "".join("%s,%s\n" % l for l in lines))
    for r in recs:
        put(root, host, d + "/" + r["id"] + ".json", json.dumps(r, indent=1))


# ---------------------------------------------------------------- OVAL (written here)

def oval(vendor, release, defs):
    """defs: (advisory id, CVE, package, fixed EVR).  OVAL 5 as Oracle and
    SUSE publish it: a release test and an rpminfo EVR test per definition."""
    ns, fam, plat, rel_pkg = {
        "oracle": ("com.oracle.elsa", "unix", "Oracle Linux %s" % release, "oraclelinux-release"),
        "suse": ("org.opensuse.security", "unix", "SUSE Linux Enterprise Server %s" % release, "sles-release"),
    }[vendor]
    d, t, o, s = [], [], [], []
    for i, (adv, cve, pkg, evr) in enumerate(defs, 1):
        d.append("""<definition id="oval:%(ns)s:def:%(i)d" version="1" class="patch">
<metadata><title>%(adv)s: %(pkg)s security update</title>
<affected family="%(fam)s"><platform>%(plat)s</platform></affected>
<reference source="%(src)s" ref_id="%(adv)s" ref_url="https://example.invalid/%(adv)s"/>
<reference source="CVE" ref_id="%(cve)s" ref_url="https://example.invalid/%(cve)s"/>
<description>%(pkg)s fix</description>
<advisory><severity>Important</severity><cve>%(cve)s</cve></advisory></metadata>
<criteria operator="AND">
<criterion test_ref="oval:%(ns)s:tst:%(i)d1" comment="%(plat)s is installed"/>
<criterion test_ref="oval:%(ns)s:tst:%(i)d2" comment="%(pkg)s is earlier than %(evr)s"/>
</criteria></definition>""" % dict(ns=ns, i=i, adv=adv, cve=cve, pkg=pkg, evr=evr, fam=fam, plat=plat,
                                    src="elsa" if vendor == "oracle" else "SUSE-SU"))
        L = 'xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5#linux"'
        t.append('<rpminfo_test %s id="oval:%s:tst:%d1" version="1" check="at least one" comment="release">'
                 '<object object_ref="oval:%s:obj:%d1"/><state state_ref="oval:%s:ste:%d1"/></rpminfo_test>'
                 % (L, ns, i, ns, i, ns, i))
        t.append('<rpminfo_test %s id="oval:%s:tst:%d2" version="1" check="at least one" comment="%s">'
                 '<object object_ref="oval:%s:obj:%d2"/><state state_ref="oval:%s:ste:%d2"/></rpminfo_test>'
                 % (L, ns, i, pkg, ns, i, ns, i))
        o.append('<rpminfo_object %s id="oval:%s:obj:%d1" version="1"><name>%s</name></rpminfo_object>'
                 % (L, ns, i, rel_pkg))
        o.append('<rpminfo_object %s id="oval:%s:obj:%d2" version="1"><name>%s</name></rpminfo_object>'
                 % (L, ns, i, pkg))
        s.append('<rpminfo_state %s id="oval:%s:ste:%d1" version="1"><version operation="pattern match">^%s'
                 '</version></rpminfo_state>' % (L, ns, i, release.split(".")[0]))
        s.append('<rpminfo_state %s id="oval:%s:ste:%d2" version="1"><evr datatype="evr_string" '
                 'operation="less than">%s</evr></rpminfo_state>' % (L, ns, i, evr))
    return ("""<?xml version="1.0" encoding="UTF-8"?>
<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5" xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5">
<generator><oval:product_name>test</oval:product_name><oval:schema_version>5.10</oval:schema_version><oval:timestamp>2025-01-01T00:00:00</oval:timestamp></generator>
<definitions>%s</definitions><tests>%s</tests><objects>%s</objects><states>%s</states>
</oval_definitions>
""" % ("\n".join(d), "\n".join(t), "\n".join(o), "\n".join(s)))


# ---------------------------------------------------------------- build

def build(root, sources_json, vd, per_eco):
    table = json.load(open(sources_json))
    os.makedirs(root, exist_ok=True)
    # expected[src]: ids that must all be stored; within[src]: the ids the
    # served files name (for OVAL files whose definitions are not all
    # evaluable: every stored id must be one of them, and there must be one)
    expected, within, facts = {}, {}, {"osv": {}, "hosts": sorted({urllib.parse.urlsplit(e["url"]).netloc for e in table})}
    osv = None
    fx = vd + "/vendor-fixtures/vunnel-provider-test-fixtures.tar.xz"
    cc = vd + "/vendor-fixtures/claircore-vuln-testdata.tar.xz"

    def tar_member(path, name):
        for n, data in tar_files(path).items():
            if n.endswith(name):
                return data
        raise SystemExit("no %s in %s" % (name, path))

    def exp(src, ids):
        expected.setdefault(src, [])
        expected[src] += [i for i in ids if i not in expected[src]]

    for e in table:
        src, url = e["source"], e["url"]
        u = urllib.parse.urlsplit(url)
        host, path = u.netloc, u.path
        if src == "osv":
            if osv is None:
                osv = osv_records(vd, per_eco)
            eco = urllib.parse.unquote(path.split("/")[1])
            recs = osv.get(eco) or small_osv(eco, 2)
            write_osv(root, host, path, recs)
            facts["osv"][eco] = {"host": host, "dir": path.rsplit("/", 1)[0], "ids": [r["id"] for r in recs]}
            exp("osv", [r["id"] for r in recs])
        elif src == "debian":
            data = open(vd + "/debian/vunnel-tracker-json-sample.json", "rb").read()
            put(root, host, path, data)
            exp("debian", sorted({c for p in json.loads(data).values() for c in p}))
        elif src == "alpine":
            rel, repo = path.split("/")[1], path.split("/")[2].split(".")[0]
            doc = json.loads(tar_member(vd + "/alpine/secdb-samples-claircore-vunnel.tar.xz",
                                        "claircore-secdb-v3.10-community.json"))
            doc["distroversion"], doc["reponame"] = rel, repo
            put(root, host, path, json.dumps(doc, indent=1))
            exp("alpine", sorted({c for p in doc["packages"] for cs in p["pkg"]["secfixes"].values()
                                  for c in cs or [] for c in c.split() if c.startswith("CVE-")}))
        elif src in ("wolfi", "chainguard"):
            data = tar_member(fx, "/%s/test-fixtures/input/secdb/security.json" % src)
            put(root, host, path, data)
            doc = json.loads(data)
            exp(src, sorted({c for p in doc["packages"] for cs in p["pkg"]["secfixes"].values()
                             for c in cs or [] for c in c.split() if c.startswith("CVE-")}))
        elif src == "oracle":
            x = oval("oracle", "8", [("ELSA-2024-2961", "CVE-2023-45853", "zlib", "0:1.2.11-25.el8"),
                                     ("ELSA-2024-3001", "CVE-2024-0727", "openssl-libs", "1:1.1.1k-12.el8_9")])
            put(root, host, path, bz2.compress(x.encode()))
            exp(src, ["ELSA-2024-2961", "ELSA-2024-3001"])
        elif src == "suse":
            rel = "15.6" if "leap" in path else "15"
            x = oval("suse", rel, [("SUSE-SU-2024:0001-1", "CVE-2024-1111", "libz1", "0:1.2.13-150500.4.3.1")])
            put(root, host, path, gzip.compress(x.encode()))
            exp(src, ["SUSE-SU-2024:0001-1"])
        elif src == "mariner":
            name = "azure-linux-truncated-3.0-oval.xml" if "azurelinux" in path else "mariner-truncated-2.0-oval.xml"
            data = tar_member(fx, "/mariner/test-fixtures/" + name)
            put(root, host, path, data)
            within.setdefault(src, set()).update(re.findall(r"CVE-\d{4}-\d+", data.decode("utf-8", "replace")))
        elif src == "photon":
            data = tar_member(cc, "photon/testdata/com.vmware.phsa-photon3.xml")
            put(root, host, path, data)
            within.setdefault(src, set()).update(re.findall(r"PHSA-\d{4}:\d+", data.decode("utf-8", "replace")))
        elif src == "rubysec":
            out = io.BytesIO()
            ids = []
            with tarfile.open(vd + "/osv/rubysec-ruby-advisory-db.tar.xz") as tf, \
                    tarfile.open(fileobj=out, mode="w:gz") as tg:
                n = 0
                for m in tf:
                    if m.isfile() and m.name.startswith("gems/") and m.name.endswith(".yml") and n < 12:
                        body = tf.extractfile(m).read()
                        ti = tarfile.TarInfo("ruby-advisory-db-master/" + m.name)
                        ti.size = len(body)
                        tg.addfile(ti, io.BytesIO(body))
                        n += 1
                        cve = re.search(rb"^cve:\s*\"?([0-9-]+)", body, re.M)
                        ghsa = re.search(rb"^ghsa:\s*\"?([0-9a-z-]+)", body, re.M)
                        # the GHSA id names an advisory that has one, else its CVE
                        ids.append("GHSA-" + ghsa.group(1).decode() if ghsa else
                                   "CVE-" + cve.group(1).decode() if cve else None)
            put(root, host, path, out.getvalue())
            exp(src, [i for i in ids if i])
        elif src == "redhat-csaf":
            d = path.rsplit("/", 1)[0]
            txt = tar_member(cc, "rhel/vex/testdata/server.txtar").decode()
            parts = re.split(r"^-- (\S+)(.*?) --$", txt, flags=re.M)
            for i in range(1, len(parts), 3):
                put(root, host, d + parts[i], parts[i + 2].lstrip("\n"))
            arch = tar_member(cc, "rhel/vex/testdata/server/csaf_vex_2023-10-31.tar.zst")
            # the archive is from 11 Dec 2023 (its Last-Modified in claircore's mock)
            put(root, host, d + "/csaf_vex_2023-10-31.tar.zst", arch,
                mtime=datetime(2023, 12, 11, tzinfo=timezone.utc).timestamp())
            names = subprocess.run(["tar", "-t", "--zstd"], input=arch, capture_output=True,
                                   check=True).stdout.decode().split()
            cves = [os.path.basename(n)[:-5].upper() for n in names if n.endswith(".json")]
            for line in parts[parts.index("/changes.csv") + 2].split():
                p, ts = [x.strip('"') for x in line.split(",")]
                if ts > "2023-12-11" and os.path.exists(os.path.join(root, host, (d + "/" + p).lstrip("/"))):
                    cves.append(os.path.basename(p)[:-5].upper())
            exp(src, sorted(set(cves)))
            facts["redhat"] = {"host": host, "dir": d}
        elif src == "nvd":
            page = json.load(open(vd + "/nvd/nvd-api2-cves-page-sample.json"))
            cves = [v["cve"] for v in page["vulnerabilities"]]
            put(root, host, path + ".nvd.json", json.dumps(cves))
            exp(src, [c["id"] for c in cves])
            facts["nvd"] = {"host": host, "path": path}
        elif src == "kev":
            doc = json.loads(lzma.open(vd + "/kev/known_exploited_vulnerabilities.json.xz").read())
            doc["vulnerabilities"] = doc["vulnerabilities"][:40]
            doc["count"] = len(doc["vulnerabilities"])
            put(root, host, path, json.dumps(doc, indent=1))
            exp(src, [v["cveID"] for v in doc["vulnerabilities"]])
            facts["kev"] = {"host": host, "path": path}
        elif src == "epss":
            data = open(vd + "/epss/claircore-epss-data-sample.csv", "rb").read()
            put(root, host, path, gzip.compress(data))
            exp(src, [l.split(",")[0] for l in data.decode().splitlines() if l.startswith("CVE-")])
        elif src == "exploitdb":
            rows = [("51234", "exploits/linux/remote/51234.py", "Test Server 1.0 - Remote Code Execution",
                     "2023-01-05", "tester", "remote", "linux", "CVE-2021-44228"),
                    ("51235", "exploits/php/webapps/51235.txt", "Test App 2.1 - SQL Injection",
                     "2023-02-10", "tester", "webapps", "php", "CVE-2023-27314;OSVDB-1234")]
            csv = "id,file,description,date_published,author,type,platform,port,date_added,date_updated," \
                  "verified,codes,tags,aliases,screenshot_url,application_url,source_url\n"
            for r in rows:
                csv += "%s,%s,\"%s\",%s,%s,%s,%s,,%s,%s,1,%s,,,,,\n" % (r[0], r[1], r[2], r[3], r[4], r[5],
                                                                         r[6], r[3], r[3], r[7])
            put(root, host, path, csv)
            exp(src, ["CVE-2021-44228", "CVE-2023-27314"])
        else:
            raise SystemExit("mkupstream.py: no sample for the default location %s %s: add one" % (src, url))
    json.dump({"all": expected, "within": {k: sorted(v) for k, v in within.items()}},
              open(os.path.join(root, "expected.json"), "w"), indent=1)
    json.dump(facts, open(os.path.join(root, "facts.json"), "w"), indent=1)


# ---------------------------------------------------------------- change

def change_osv(root, facts, eco, text):
    """the first record of eco gets summary text and a new modified time"""
    f = facts["osv"][eco]
    base = os.path.join(root, f["host"], urllib.parse.unquote(f["dir"]).lstrip("/"))
    rid = f["ids"][0]
    rec = json.load(open(os.path.join(base, rid + ".json")))
    rec["summary"], rec["modified"] = text, now_iso()
    recs = [rec] + [json.load(open(os.path.join(base, i + ".json"))) for i in f["ids"][1:]]
    write_osv(root, f["host"], f["dir"] + "/all.zip", recs)
    return rid


def change(root):
    facts = json.load(open(os.path.join(root, "facts.json")))
    out = {}
    # OSV: a PyPI record modified (the bucket's all.zip, ID.json and modified_id.csv)
    out["osv"] = change_osv(root, facts, "PyPI", CHANGED)
    # NVD: one CVE's description and lastModified
    n = facts["nvd"]
    spec = os.path.join(root, n["host"], n["path"].lstrip("/")) + ".nvd.json"
    cves = json.load(open(spec))
    cves[0]["lastModified"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    cves[0]["descriptions"] = [{"lang": "en", "value": CHANGED}]
    json.dump(cves, open(spec, "w"))
    out["nvd"] = cves[0]["id"]
    # Red Hat: a changed VEX file and a deleted one, listed newer than the last update
    r = facts["redhat"]
    d = os.path.join(root, r["host"], r["dir"].lstrip("/"))
    ts = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    src = json.load(open(os.path.join(d, "2023/cve-2023-0044.json")))
    src["document"]["title"] = CHANGED
    for v in src.get("vulnerabilities", []):
        v["title"] = CHANGED
        for note in v.get("notes", []):
            if note.get("category") in ("summary", "description"):
                note["text"] = CHANGED
    with open(os.path.join(d, "2023/cve-2023-0044.json"), "w") as fh:
        json.dump(src, fh)
    with open(os.path.join(d, "changes.csv"), "r+") as fh:
        old = fh.read()
        fh.seek(0)
        fh.write('"2023/cve-2023-0044.json","%s"\n' % ts + old)
    with open(os.path.join(d, "deletions.csv"), "r+") as fh:
        old = fh.read()
        fh.seek(0)
        fh.write('"2023/cve-2023-0051.json","%s"\n' % ts + old)
    out["redhat_changed"], out["redhat_deleted"] = "CVE-2023-0044", "CVE-2023-0051"
    # KEV: an entry withdrawn (the whole file changes: ETag)
    k = facts["kev"]
    kp = os.path.join(root, k["host"], k["path"].lstrip("/"))
    doc = json.load(open(kp))
    out["kev_dropped"] = doc["vulnerabilities"].pop()["cveID"]
    doc["count"] = len(doc["vulnerabilities"])
    json.dump(doc, open(kp, "w"), indent=1)
    json.dump(out, open(os.path.join(root, "changed.json"), "w"), indent=1)


if __name__ == "__main__":
    if sys.argv[1] == "build":
        per = int(sys.argv[sys.argv.index("--osv-per-eco") + 1]) if "--osv-per-eco" in sys.argv else 4
        build(sys.argv[2], sys.argv[3], sys.argv[4], per)
    elif sys.argv[1] == "change":
        change(sys.argv[2])
    elif sys.argv[1] == "osv-change":  # ROOT ECO TEXT: prints the changed id
        print(change_osv(sys.argv[2], json.load(open(os.path.join(sys.argv[2], "facts.json"))), sys.argv[3],
                         sys.argv[4]))
    else:
        raise SystemExit(__doc__)
