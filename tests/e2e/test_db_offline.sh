#!/bin/bash
# test_db_offline.sh - `db update --offline-data` over ../shared/data/vuln:
# every source there is read (or, for an importer not in this build, named
# as such), `db info` lists each source read, the OSV counts are exact, and
# named advisories can be found.  Fails without shared data: the expected OSV
# count is computed here from the archives (docs/vulndb.md "Offline layout").
set -u
: "${STOWAWAY:?set STOWAWAY to the stowaway binary}"
D=${SW_SHARED_DATA:-}/vuln
if [ -z "${SW_SHARED_DATA:-}" ] || [ ! -d "$D" ]; then
  echo "FAIL: needs ../shared/data/vuln (set SW_SHARED_DATA); '${D}' is absent"
  exit 1
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/sw-db-offline-XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0
pass=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL: $1"; fails=$((fails + 1)); fi; }

DB=$T/vulndb.sqlite
$STOWAWAY db update --offline-data "$D" --db "$DB" 2> "$T/err"
rc=$?
check "offline update exits 0" '[ $rc -eq 0 ]'
check "says it builds from offline data" 'grep -q "offline data" "$T/err"'
$STOWAWAY db info --db "$DB" --json > "$T/info.json"
check "db info works" '[ $? -eq 0 ]'
python3 - "$T/info.json" "$T/err" "$D" <<'P' > "$T/py.out" 2>&1
import fnmatch, glob, json, os, sys, tarfile
import yaml
info = json.load(open(sys.argv[1]))
err = open(sys.argv[2]).read()
D = sys.argv[3]
src = {s["name"]: s for s in info["sources"]}
bad = []
# the OSV records of the archives the offline layout gives to "osv": every JSON
# or YAML member holding a record (an object with an "id" and "modified" or
# "affected"), or an array of them
osv_ids = set()
def records(o):
    if isinstance(o, list):
        for x in o:
            records(x)
    elif isinstance(o, dict) and isinstance(o.get("id"), str) and ("affected" in o or "modified" in o):
        osv_ids.add(o["id"])
def archive(path, pattern="*"):
    with tarfile.open(path) as tf:
        for m in tf:
            if not m.isfile() or not fnmatch.fnmatch(m.name, pattern):
                continue
            if m.name.endswith(".json"):
                records(json.load(tf.extractfile(m)))
            elif m.name.endswith((".yaml", ".yml")):
                records(yaml.safe_load(tf.extractfile(m)))
for a in glob.glob(D + "/osv/*.tar.xz") + glob.glob(D + "/ghsa/*.tar.xz"):
    if not os.path.basename(a).startswith("rubysec"):
        archive(a)
for a in glob.glob(D + "/vendor-fixtures/vunnel-*.tar.xz"):
    for pat in ("*/ubuntu/test-fixtures/osv/*", "*/ubuntu/test-fixtures/osv-esm-cases/*",
                "*/alma/test-fixtures/osv-database/*", "*/rocky/test-fixtures/osv/*"):
        archive(a, pat)
osv = src.get("osv")
if len(osv_ids) < 1000:
    bad.append("only %d OSV records found in %s: data incomplete?" % (len(osv_ids), D))
if not osv or osv["records"] != len(osv_ids) or osv["bad_records"] != 0:
    bad.append("osv: %r, want %d records" % (osv, len(osv_ids)))
for name in ["debian", "alpine", "rubysec", "redhat-csaf", "nvd", "kev", "epss", "wolfi", "chainguard", "mariner", "photon"]:
    s = src.get(name)
    if s and s["records"] > 0:
        continue
    if "the '%s' importer is not in this build" % name in err:
        print("note: %s importer not in this build" % name)
        continue
    bad.append("%s: no records and no explanation: %r" % (name, s))
if info["schema_version"] != 4 or info["built_at"] <= 0:
    bad.append("meta: %r" % info)
print("\n".join(bad) if bad else "ok")
sys.exit(1 if bad else 0)
P
py_rc=$?
check "every source read or explained ($(tr '\n' ' ' < "$T/py.out"))" '[ $py_rc -eq 0 ]'
check "GO record" '$STOWAWAY db search GO-2022-0969 --db "$DB" | grep -q "golang.org/x/net"'
check "RUSTSEC record" '$STOWAWAY db search RUSTSEC-2021-0078 --db "$DB" | grep -q "crates.io hyper fixed SEMVER"'
check "PYSEC YAML record by alias" '$STOWAWAY db search CVE-2021-32807 --db "$DB" | grep -q "^id: *PYSEC-2021-335"'
check "withdrawn GHSA" '$STOWAWAY db search GHSA-7fhm-mqm4-2wp7 --db "$DB" | grep -q "^withdrawn: *2020-04-03T21:47:06Z"'
check "Ubuntu OSV by release" '$STOWAWAY db search jansson --ecosystem Ubuntu:Pro:14.04 --db "$DB" | grep -q UBUNTU-CVE-2020-36325'
check "Debian OSV" '$STOWAWAY db search nginx --ecosystem Debian:7 --db "$DB" | grep -q "DSA-3029-1 .*fixed=1.2.1-2.2+wheezy3"'
echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
