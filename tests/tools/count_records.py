#!/usr/bin/python3
"""count_records.py KIND FILE [ARG] - count the records in one of the
../shared/data files, independently of stowaway (Python's tarfile, json,
yaml and re), so the importer tests compare against the data rather than a
number copied from our own output.  Prints one integer.

  osv FILE.tar.xz [GLOB]      OSV records (a JSON or YAML object with an "id"
                              and "modified" or "affected", or an array of
                              them) in the members matching GLOB (default all)
  tracker-headers FILE.xz     Debian tracker DSA/DLA list: "[date] ID ..." lines
  tracker-packages FILE.xz    the same list: "[release] - package ..." lines
  alpine-ids FILE.yaml        Alpine secdb: distinct advisory ids (the first
                              id-shaped word of each secfixes entry)
  alpine-affected FILE.yaml   distinct (id, package, fixed or never-affected)
  rubysec FILE.tar.xz         advisories: gems/*/*.yml and rubies/*/*.yml
  json-array FILE[.xz] KEY    length of the top-level array KEY
  kev-ransomware FILE.json[.xz]  KEV entries with knownRansomwareCampaignUse "Known"
  csv-rows FILE[.xz]          data rows of a CSV (header and '#' lines excluded)
"""
import fnmatch
import json
import lzma
import re
import sys
import tarfile

import yaml


def opentext(path):
    if path.endswith(".xz"):
        return lzma.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def osv(path, glob="*"):
    ids = set()

    def walk(o):
        if isinstance(o, list):
            for x in o:
                walk(x)
        elif isinstance(o, dict) and isinstance(o.get("id"), str) and ("affected" in o or "modified" in o):
            ids.add(o["id"])

    with tarfile.open(path) as tf:
        for m in tf:
            if not m.isfile() or not fnmatch.fnmatch(m.name, glob):
                continue
            if m.name.endswith(".json"):
                walk(json.load(tf.extractfile(m)))
            elif m.name.endswith((".yaml", ".yml")):
                walk(yaml.safe_load(tf.extractfile(m)))
    return len(ids)


def tracker(path, what):
    pat = re.compile(r"^\[" if what == "headers" else r"^\s+\[[^]]*\] - ")
    with opentext(path) as f:
        return sum(1 for line in f if pat.match(line))


ADVISORY_ID = re.compile(r"^[A-Z]{2,}-.")


def alpine(path, what):
    doc = yaml.safe_load(open(path, encoding="utf-8")) or {}
    ids, affected = set(), set()
    for p in doc.get("packages") or []:
        pkg = p.get("pkg") or {}
        for ver, entries in (pkg.get("secfixes") or {}).items():
            for e in entries or []:
                # named by its first advisory id ("CVE-1", "XSA-2": upper-case
                # prefix, a dash); entries without one ("wnpa-sec-2017-18",
                # a Wireshark note) name no record (the importers' id rule)
                tok = [t for t in str(e or "").split() if ADVISORY_ID.match(t)]
                if not tok:
                    continue
                i = tok[0]
                ids.add(i)
                affected.add((i, pkg.get("name"), str(ver) != "0"))
    return len(ids) if what == "ids" else len(affected)


def rubysec(path):
    with tarfile.open(path) as tf:
        return sum(1 for m in tf if m.isfile() and re.match(r"^(.*/)?(gems|rubies)/[^/]+/[^/]+\.yml$", m.name))


def main():
    kind, path, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
    if kind == "osv":
        n = osv(path, *rest)
    elif kind in ("tracker-headers", "tracker-packages"):
        n = tracker(path, kind.split("-")[1])
    elif kind in ("alpine-ids", "alpine-affected"):
        n = alpine(path, kind.split("-")[1])
    elif kind == "rubysec":
        n = rubysec(path)
    elif kind == "json-array":
        with opentext(path) as f:
            n = len(json.load(f)[rest[0]])
    elif kind == "kev-ransomware":
        with opentext(path) as f:
            n = sum(1 for v in json.load(f)["vulnerabilities"] if v.get("knownRansomwareCampaignUse") == "Known")
    elif kind == "csv-rows":
        with opentext(path) as f:
            rows = [l for l in f if l.strip() and not l.startswith("#")]
        n = len(rows) - 1
    else:
        sys.exit("count_records.py: unknown kind '%s'" % kind)
    print(n)


if __name__ == "__main__":
    main()
