#!/usr/bin/env python3
"""serve_packages_test.py (run by test_serve_packages.sh): "which stored images
contain package P (purl, VERS range)", GET /api/v1/packages/images, end to end.

Two images are built here with planted Debian packages (binary and source
names, an epoch) and an npm package in a second layer; after they are scanned,
each query's expected hits come from what was planted, with every deb version
comparison of the expectation decided by `dpkg --compare-versions` (the
package manager), and the layer from the image's own config (rootfs.diff_ids).
Bad input: a purl that is not one, a range of another ecosystem, bad VERS."""
import json
import os
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_polapi_lib import OS_RELEASE, Env, dpkg_status, finish, ok, q, validate  # noqa: E402


def dpkg_cmp(a, op, b):
    return subprocess.run(["dpkg", "--compare-versions", a, op, b]).returncode == 0


def diff_ids(archive):
    with tarfile.open(archive) as t:
        man = json.load(t.extractfile("manifest.json"))
        cfg = json.load(t.extractfile(man[0]["Config"]))
    return cfg["rootfs"]["diff_ids"]


e = Env()
try:
    if subprocess.run(["dpkg", "--version"], capture_output=True).returncode != 0:
        ok(False, "dpkg is needed for the expected version order")
        finish()
    e.make_db({"openssl": {"CVE-2024-1001": {"description": "x", "releases": {"bookworm": {
        "status": "resolved", "fixed_version": "3.0.13-1~deb12u1", "urgency": "high",
        "repositories": {"bookworm": "3.0.13-1~deb12u1"}}}}}})
    P1_DEB = [("libssl3", "3.0.11-1~deb12u2", "openssl"), ("openssl", "3.0.11-1~deb12u2", None),
              ("zlib1g", "1:1.2.13.dfsg-1", "zlib")]
    P2_DEB = [("libssl3", "3.0.13-1~deb12u1", "openssl"), ("openssl", "3.0.13-1~deb12u1", None)]
    l1 = e.tree("p1-base", {"etc/os-release": OS_RELEASE, "var/lib/dpkg/status": dpkg_status(P1_DEB)})
    l2 = e.tree("p1-app", {"app/node_modules/left-pad/package.json": '{"name":"left-pad","version":"1.3.0"}'})
    p1 = e.image("p1", [l1, l2], tag="reg.example/p1:1")
    l3 = e.tree("p2", {"etc/os-release": OS_RELEASE, "var/lib/dpkg/status": dpkg_status(P2_DEB),
                       "app/node_modules/left-pad/package.json": '{"name":"left-pad","version":"1.1.0"}'})
    p2 = e.image("p2", [l3], tag="reg.example/p2:1")
    ids1, ids2 = diff_ids(p1), diff_ids(p2)

    admin, read, scan = e.token("admin"), e.token("read"), e.token("scan")
    e.start("--workers", "1")
    dig = {}
    for name, ref in (("p1", p1), ("p2", p2)):
        job = e.submit(scan, "docker-archive:" + ref)
        j = e.wait_job(read, job) if job else None
        ok(j and j["state"] == "done", "scan %s done" % name, j)
        dig[name] = j["digest"] if j else "sha256:00"

    # what was planted: (image, package, version as installed, source name, layer diff_id)
    planted = []
    for n, v, src in P1_DEB:
        planted.append(("p1", "deb", n, v, src, ids1[0]))
    for n, v, src in P2_DEB:
        planted.append(("p2", "deb", n, v, src, ids2[0]))
    planted.append(("p1", "npm", "left-pad", "1.3.0", None, ids1[1]))
    planted.append(("p2", "npm", "left-pad", "1.1.0", None, ids2[0]))

    def expected(name, typ, pred):
        """hits for package `name` of type typ: binary rows, and source rows for deb"""
        want = set()
        for im, t, n, v, src, layer in planted:
            if t != typ:
                continue
            if n == name and pred(v):
                want.add((dig[im], n, v, False, layer))
            if typ == "deb" and src == name and pred(v):   # source version = the binary's here
                want.add((dig[im], n, v, True, layer))
        return want

    def query(purl, rng=None, token=read):
        path = "/api/v1/packages/images?purl=" + q(purl) + ("&range=" + q(rng) if rng is not None else "")
        return e.json("GET", path, token)

    def got(doc):
        return {(h["digest"], h["package"], h["version"], h["source"], h["layer"]) for h in doc["images"]}

    def check(what, purl, rng, typ, name, pred):
        code, doc, raw = query(purl, rng)
        want = expected(name, typ, pred)
        ok(code == 200 and got(doc) == want and len(doc["images"]) == len(want), what,
           (code, sorted(got(doc)) if code == 200 else raw, sorted(want)))
        return doc

    doc = check("openssl, no range: binary openssl and libssl3 (source openssl) in both images",
                "pkg:deb/debian/openssl", None, "deb", "openssl", lambda v: True)
    v, why = validate("PackageHits", doc, e.t)
    ok(v, "the answer matches the OpenAPI schema", why)
    ok(all(h["purl"] and h["purl"].startswith("pkg:deb/debian/%s@" % h["package"]) for h in doc["images"]) and
       all(("reg.example/p1:1" in (h["names"] or "")) or ("reg.example/p2:1" in (h["names"] or "")) or
           "docker-archive:" in (h["names"] or "") for h in doc["images"]),
       "hits carry the installed package's purl and the image's names", doc["images"][:2])
    check("openssl in vers:deb/>=3.0.0|<3.0.12 (dpkg order)", "pkg:deb/debian/openssl", "vers:deb/>=3.0.0|<3.0.12",
          "deb", "openssl", lambda v: dpkg_cmp(v, "ge", "3.0.0") and dpkg_cmp(v, "lt", "3.0.12"))
    check("openssl in vers:deb/<3.0.12|>=3.0.0 (constraints in any order)", "pkg:deb/debian/openssl",
          "vers:deb/<3.0.12|>=3.0.0", "deb", "openssl", lambda v: dpkg_cmp(v, "ge", "3.0.0") and dpkg_cmp(v, "lt", "3.0.12"))
    check("openssl in the brief's vers:deb/>=3.0.0|<3.0.11: 3.0.11-1~deb12u2 is above 3.0.11 for dpkg",
          "pkg:deb/debian/openssl", "vers:deb/>=3.0.0|<3.0.11",
          "deb", "openssl", lambda v: dpkg_cmp(v, "ge", "3.0.0") and dpkg_cmp(v, "lt", "3.0.11"))
    check("openssl in vers:deb/>=3.0.13-1~deb12u1 (the fixed one only)", "pkg:deb/debian/openssl",
          "vers:deb/>=3.0.13-1~deb12u1", "deb", "openssl", lambda v: dpkg_cmp(v, "ge", "3.0.13-1~deb12u1"))
    check("libssl3 (binary name) in vers:deb/<3.0.13", "pkg:deb/debian/libssl3", "vers:deb/<3.0.13", "deb", "libssl3",
          lambda v: dpkg_cmp(v, "lt", "3.0.13"))
    check("openssl vers:deb/!=3.0.11-1~deb12u2: every other version", "pkg:deb/debian/openssl",
          "vers:deb/!=3.0.11-1~deb12u2", "deb", "openssl", lambda v: not dpkg_cmp(v, "eq", "3.0.11-1~deb12u2"))
    check("openssl vers:deb/* : every version", "pkg:deb/debian/openssl", "vers:deb/*", "deb", "openssl", lambda v: True)
    check("openssl@3.0.13-1~deb12u1 (exact version in the purl)", "pkg:deb/debian/openssl@3.0.13-1~deb12u1", None, "deb",
          "openssl", lambda v: dpkg_cmp(v, "eq", "3.0.13-1~deb12u1"))
    check("zlib (source of zlib1g) with an epoch: vers:deb/>=1%3A1.2.0|<1:1.3 (percent-encoded colon)",
          "pkg:deb/debian/zlib", "vers:deb/>=1%3A1.2.0|<1:1.3", "deb", "zlib",
          lambda v: dpkg_cmp(v, "ge", "1:1.2.0") and dpkg_cmp(v, "lt", "1:1.3"))
    check("zlib1g vers:deb/<2.0: the epoch puts 1:1.2.13 above 2.0", "pkg:deb/debian/zlib1g", "vers:deb/<2.0", "deb",
          "zlib1g", lambda v: dpkg_cmp(v, "lt", "2.0"))
    # npm (semver order; the expectations by hand: 1.1.0 < 1.2.0 <= 1.3.0 < 2.0.0)
    check("left-pad vers:npm/<1.2.0: p2's 1.1.0 only, its layer", "pkg:npm/left-pad", "vers:npm/<1.2.0", "npm", "left-pad",
          lambda v: v == "1.1.0")
    check("left-pad vers:npm/>=1.2.0|<2.0.0: p1's 1.3.0 from its second layer", "pkg:npm/left-pad",
          "vers:npm/>=1.2.0|<2.0.0", "npm", "left-pad", lambda v: v == "1.3.0")
    check("left-pad vers:npm/<1.2.0|>=1.3.0: two half-lines, both", "pkg:npm/left-pad", "vers:npm/<1.2.0|>=1.3.0", "npm",
          "left-pad", lambda v: True)
    check("left-pad vers:npm/>1.1.0|<1.3.0: neither", "pkg:npm/left-pad", "vers:npm/>1.1.0|<1.3.0", "npm", "left-pad",
          lambda v: False)
    check("PKG:NPM/left-pad (type case)", "PKG:NPM/left-pad", None, "npm", "left-pad", lambda v: True)
    code, doc, raw = query("pkg:deb/debian/nosuchpackage")
    ok(code == 200 and doc["images"] == [], "a package no image has: no hits", raw)

    # bad input
    for what, purl, rng, want in (
            ("a purl that is not one", "openssl", None, 400),
            ("a purl without a name", "pkg:deb", None, 400),
            ("no purl", None, None, 400),
            ("a version in the purl and a range", "pkg:npm/left-pad@1.0.0", "vers:npm/<2", 400),
            ("a range that is not VERS", "pkg:deb/debian/openssl", ">=3.0", 400),
            ("a VERS range with an empty constraint", "pkg:deb/debian/openssl", "vers:deb/>=3.0||<4", 400),
            ("a VERS constraint without a version", "pkg:deb/debian/openssl", "vers:deb/>=", 400),
            ("'*' with other constraints", "pkg:deb/debian/openssl", "vers:deb/*|<4", 400),
            ("the wrong ecosystem (deb package, npm range)", "pkg:deb/debian/openssl", "vers:npm/<4.0.0", 422),
            ("the wrong ecosystem (npm package, deb range)", "pkg:npm/left-pad", "vers:deb/<4.0", 422),
            ("an unknown versioning scheme", "pkg:deb/debian/openssl", "vers:nosuch/<4", 422),
            ("a range version that is not a semver version", "pkg:npm/left-pad", "vers:npm/<banana", 422),
            ("a range on a type without a version order", "pkg:generic/thing", "vers:deb/<1", 422)):
        if purl is None:
            code, doc, raw = e.json("GET", "/api/v1/packages/images", read)
        else:
            code, doc, raw = query(purl, rng)
        ok(code == want and doc and doc.get("error"), "%s: %d" % (what, want), (code, raw))
    code, doc, raw = query("pkg:deb/debian/openssl", None, token="sw_" + "0" * 48)
    ok(code == 401, "a wrong token: 401", code)
    code, doc, raw = e.json("POST", "/api/v1/packages/images?purl=pkg:npm/left-pad", admin)
    ok(code == 405, "POST: 405", code)

    # the index follows the store: a restart keeps it, a re-match rewrites it to the same rows
    e.stop()
    e.start("--workers", "1")
    code, doc, raw = e.json("POST", "/api/v1/rematch", admin)
    ok(code == 200 and doc["images"] == 2, "re-match", raw)
    check("after a restart and a re-match the index answers the same", "pkg:deb/debian/openssl",
          "vers:deb/>=3.0.0|<3.0.12", "deb", "openssl", lambda v: dpkg_cmp(v, "ge", "3.0.0") and dpkg_cmp(v, "lt", "3.0.12"))
    # one indexed query: SQLite's plan for the lookup uses the name index
    if not e.store.startswith("postgres"):
        plan = subprocess.run(["python3", "-c", """
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
rows = c.execute("EXPLAIN QUERY PLAN SELECT i.digest FROM packages p JOIN images i ON i.id = p.image WHERE p.name = ?", ("x",)).fetchall()
print(" | ".join(r[3] for r in rows))""", e.store], capture_output=True, text=True)
        ok("packages_name" in plan.stdout and "SCAN p" not in plan.stdout, "the lookup is an index search on the name",
           plan.stdout + plan.stderr)
    else:
        # PostgreSQL plans by statistics: with the index at a realistic size
        # (20,000 other names, in a transaction rolled back) the generic plan
        # of the store's prepared lookup is an index scan on packages_name
        sql = """BEGIN;
INSERT INTO packages(image, type, name, package) SELECT (SELECT min(id) FROM images), 'deb',
  'pkg:deb/filler/p' || g, 'p' || g FROM generate_series(1, 20000) g;
ANALYZE packages; ANALYZE images;
SET LOCAL plan_cache_mode = force_generic_plan;
PREPARE find(text) AS SELECT i.digest, p.type, p.name, p.version, p.package, p.purl, p.layer, p.source
  FROM packages p JOIN images i ON i.id = p.image WHERE p.name = $1 ORDER BY i.digest, p.package, p.version;
EXPLAIN EXECUTE find('pkg:deb/debian/openssl');
ROLLBACK;
"""
        psql = os.path.join(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"), "psql")
        plan = subprocess.run([psql, e.store, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"], input=sql,
                              capture_output=True, text=True)
        ok(plan.returncode == 0 and "packages_name" in plan.stdout and "Seq Scan on packages" not in plan.stdout,
           "the lookup is an index search on the name (PostgreSQL's generic plan)", plan.stdout + plan.stderr)
        code, doc, raw = e.json("GET", "/api/v1/packages/images?purl=" + q("pkg:deb/filler/p7"), admin)
        ok(code == 200 and doc["images"] == [], "the plan's filler rows were rolled back", raw)
finally:
    e.close()
finish()
