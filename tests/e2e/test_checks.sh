#!/bin/bash
# End to end: the image checks (scan --scanners config, docs/checks.md) on
# two images built here from hand-written configs and histories: one that
# passes every control this slice decides, one that fails each; the
# BuildKit "|N KEY=VAL" argument form; planted secret values never appear
# in any output format; --fail-on, the ignore file, --scanners, and the
# config scanner that cannot run on an SBOM.  Expected results are written
# here from what was planted.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
VALIDATE="/usr/bin/python3 $SW_SOURCE_DIR/tests/tools/validate-schema.py"
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
# 2025-01-01: the good image is 31 days old, the bad one 5 years
export STOWAWAY_DB=$T/db.sqlite SOURCE_DATE_EPOCH=1735689600 STOWAWAY_NOW=1735689600
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }

mkdir -p $T/l0/etc $T/l1/var $T/l2/usr $T/l3/opt $T/adv/osv
echo base > $T/l0/etc/hostname; echo 1 > $T/l1/var/one; echo 2 > $T/l2/usr/two; echo 3 > $T/l3/opt/three

# ---- the good image: every decidable control passes ----
$MKIMAGE --format docker-archive -o $T/good.tar \
	--history '/bin/sh -c #(nop) ADD file:0f1e2d3c in / ' \
	--history 'RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends ca-certificates # buildkit' \
	--history 'COPY app /opt/app # buildkit' \
	--history 'RUN |1 VERSION=1.2 /bin/sh -c make install # buildkit' \
	--empty-history '4:USER 10001' \
	--config-json '{"User":"10001:10001","Healthcheck":{"Test":["CMD","/opt/app","--health"]},"ExposedPorts":{"8080/tcp":{}},"Env":["PATH=/bin","PASSWORD_FILE=/run/secrets/pw"],"Cmd":["/opt/app"]}' \
	--config-top '{"created":"2024-12-01T00:00:00Z"}' \
	$T/l0 $T/l1 $T/l2 $T/l3 || bad "mkimage good"

# ---- the bad image: one planted failure per control ----
$MKIMAGE --format docker-archive -o $T/bad.tar \
	--history '/bin/sh -c #(nop) ADD file:0f1e2d3c in / ' \
	--empty-history '1:ARG DB_PASSWORD=argPLANTEDdef' \
	--history 'RUN |2 GH_TOKEN=ghpPLANTEDtok VERSION=1 /bin/sh -c apt-get update # buildkit' \
	--empty-history '2:ENV SECRET_KEY=envPLANTEDval' \
	--history 'RUN /bin/sh -c apt-get install -y --allow-unauthenticated foo && curl -fsSL https://get.test/x.sh | bash # buildkit' \
	--history 'ADD https://dl.test/app.tgz /opt/ # buildkit' \
	--config-json '{"User":"root","Healthcheck":{"Test":["NONE"]},"ExposedPorts":{"22/tcp":{},"80/tcp":{},"8080/tcp":{}},"Env":["PATH=/bin","SECRET_KEY=envPLANTEDval"],"Labels":{"org.test.api-token":"lblPLANTEDval"},"Entrypoint":["/usr/sbin/sshd","-D"]}' \
	--config-top '{"created":"2020-01-01T00:00:00Z"}' \
	$T/l0 $T/l1 $T/l2 $T/l3 || bad "mkimage bad"

# ---- expected results, from what was planted ----
check() {   # check FILE.json 'python assertions on c (id -> result), doc'
	python3 - "$1" "$2" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
c = {r["id"]: r for r in doc["checks"]["results"]}
exec(sys.argv[2])
PY
}

$STOWAWAY scan -q --scanners config -f json -o $T/good.json $T/good.tar 2> $T/good.err; rc=$?
[ $rc -eq 0 ] && ok "good image scanned (config only, no database needed)" || bad "good rc $rc: $(cat $T/good.err)"
check $T/good.json '
want = {"pass": ["SW-CFG-001","SW-CFG-006","SW-CFG-007","SW-CFG-009","SW-CFG-010","SW-CFG-011",
                 "SW-CFG-101","SW-CFG-102","SW-CFG-507","SW-CFG-508"],
        "manual": ["SW-CFG-002","SW-CFG-005","SW-CFG-012"],
        "info": ["SW-CFG-003","SW-CFG-004","SW-CFG-008"]}
for st, ids in want.items():
    for i in ids:
        assert c[i]["status"] == st, (i, c[i]["status"], c[i]["note"])
assert len(c) == 16, sorted(c)
cis = sorted(r["cis"] for r in c.values() if r["cis"])
assert cis == sorted(["4.%d" % n for n in range(1, 13)] + ["5.7", "5.8"]), cis
assert doc["checks"]["ran"] is True and doc["checks"]["notes"] == []
assert doc["checks"]["summary"] == {"pass": 10, "fail": 0, "info": 3, "manual": 3}, doc["checks"]["summary"]
s = {x["name"]: x for x in doc["scanners"]}
assert s["config"]["ran"] and not s["vuln"]["requested"] and not s["vuln"]["ran"]
' && ok "good image: every decidable control passes, the rest manual/info" || bad "good image results"

$STOWAWAY scan -q --scanners config -f json -o $T/bad.json $T/bad.tar 2> $T/bad.err; rc=$?
[ $rc -eq 0 ] && ok "bad image scanned" || bad "bad rc $rc: $(cat $T/bad.err)"
check $T/bad.json '
for i in ["SW-CFG-001","SW-CFG-006","SW-CFG-007","SW-CFG-009","SW-CFG-010","SW-CFG-011","SW-CFG-101",
          "SW-CFG-507","SW-CFG-508"]:
    assert c[i]["status"] == "fail", (i, c[i]["status"])
assert c["SW-CFG-102"]["status"] == "info" and "older than 365" in c["SW-CFG-102"]["note"]
ev = lambda i: c[i]["evidence"]
# history indexes: 0 base ADD, 1 ARG (empty), 2 RUN |2 (layer 1), 3 ENV (empty), 4 RUN (layer 2), 5 ADD (layer 3)
assert [(e["layer"], e["history"]) for e in ev("SW-CFG-007")] == [(1, 2)], ev("SW-CFG-007")
assert [(e["layer"], e["history"]) for e in ev("SW-CFG-011")] == [(2, 4)]
assert [(e["layer"], e["history"]) for e in ev("SW-CFG-101")] == [(2, 4)]
assert [(e["layer"], e["history"]) for e in ev("SW-CFG-009")] == [(3, 5)]   # not the base ADD file: in /
assert c["SW-CFG-009"]["severity"] == "high"                               # a remote URL
det = sorted(e["detail"] for e in ev("SW-CFG-010"))
assert det == sorted(["SECRET_KEY=****", "label org.test.api-token=****", "build argument GH_TOKEN=****",
                      "ARG default DB_PASSWORD=****", "ENV SECRET_KEY=****"]), det
ba = [e for e in ev("SW-CFG-010") if e["detail"].startswith("build argument")][0]
assert (ba["layer"], ba["history"]) == (1, 2) and "GH_TOKEN=****" in ba["createdBy"], ba
keys = sorted(e["configKey"] for e in ev("SW-CFG-507"))
assert keys == ["config.Entrypoint", "config.ExposedPorts"], keys
assert sorted(e["detail"] for e in ev("SW-CFG-508")) == ["EXPOSE 22/tcp", "EXPOSE 80/tcp"]
assert c["SW-CFG-001"]["evidence"][0]["configKey"] == "config.User"
' && ok "bad image: each planted failure found, with its layer and history line" || bad "bad image results"

# ---- a database, for the default scanners (vuln,config) ----
cat > $T/adv/osv/GHSA-zzzz-zzzz-zzzz.json <<'J'
{"id": "GHSA-zzzz-zzzz-zzzz", "modified": "2024-05-01T00:00:00Z", "published": "2024-04-01T00:00:00Z",
 "summary": "unrelated", "affected": [{"package": {"ecosystem": "PyPI", "name": "nothing-here"},
 "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0"}]}]}]}
J
$STOWAWAY db update -q --source osv=$T/adv/osv 2> $T/upd.err || bad "db update: $(cat $T/upd.err)"

# every format, default scanners: planted values never appear, documents validate
for f in table json sarif cyclonedx spdx-json html junit; do
	$STOWAWAY scan -q -f $f -o $T/out.$f $T/bad.tar 2>> $T/all.err || bad "format $f"
done
$STOWAWAY scan -q --show-passed --show-suppressed $T/bad.tar > $T/out.table2 2>> $T/all.err
$STOWAWAY scan -q --scanners config $T/good.tar > $T/good.table 2>> $T/all.err
$STOWAWAY scan -q --scanners config --show-passed $T/good.tar > $T/good.table2 2>> $T/all.err
if grep -l "PLANTED" $T/out.* $T/all.err $T/bad.json; then
	bad "a planted secret value appears in an output"
else
	ok "no planted secret value in table, json, sarif, cyclonedx, spdx, html, junit or stderr"
fi
grep -q "GH_TOKEN=\*\*\*\*" $T/out.table && ok "table names the masked build argument" || bad "table masking"
$VALIDATE $SW_SOURCE_DIR/docs/stowaway-scan.schema.json $T/out.json $T/good.json $T/bad.json \
	&& ok "scan json with checks validates" || bad "scan json schema"
bash $SW_SOURCE_DIR/tests/tools/sarif-validate.sh $T/out.sarif && ok "sarif validates (Multitool)" || bad "sarif validate"
python3 - $T/out.sarif <<'PY' && ok "sarif: a rule per check with CIS tags, a result per failure" || bad "sarif checks"
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
assert "CIS-4.1" in rules["SW-CFG-001"]["properties"]["tags"]
assert "CIS-5.7" in rules["SW-CFG-507"]["properties"]["tags"]
res = sorted(r["ruleId"] for r in run["results"] if r["ruleId"].startswith("SW-CFG"))
assert res == ["SW-CFG-001","SW-CFG-006","SW-CFG-007","SW-CFG-009","SW-CFG-010","SW-CFG-011","SW-CFG-101",
               "SW-CFG-507","SW-CFG-508"], res
PY
python3 - $T/out.junit <<'PY' && ok "junit: one testcase per control, failures counted" || bad "junit checks"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suite = [s for s in root if s.get("name") == "image checks"][0]
cases = suite.findall("testcase")
assert len(cases) == 16 and suite.get("failures") == "9", (len(cases), suite.get("failures"))
assert sum(1 for c in cases if c.find("failure") is not None) == 9
assert any("CIS 4.1 SW-CFG-001" in c.get("name") for c in cases)
PY
grep -q "Image checks" $T/out.table && grep -q "FAIL   SW-CFG-001" $T/out.table && ! grep -q "PASS   SW-CFG-011" $T/good.table \
	&& grep -q "PASS   SW-CFG-011" $T/good.table2 && grep -q "10 passed checks not listed" $T/good.table && ok "table: Image checks section, passes only with --show-passed" \
	|| bad "table checks section"
grep -q "SW-CFG-010" $T/out.html && ok "html: Image checks section" || bad "html checks"
python3 - $T/out.cyclonedx <<'PY' && ok "cyclonedx: a property per check" || bad "cyclonedx checks"
import json, sys
p = {x["name"]: x["value"] for x in json.load(open(sys.argv[1])).get("properties", [])}
assert p["stowaway:check:SW-CFG-001"].startswith("fail high:"), p
assert p["stowaway:check:SW-CFG-011"].startswith("fail high:")
assert p["stowaway:check:SW-CFG-002"].startswith("manual:")
PY
if [ -n "${SW_SHARED_DATA:-}" ] && [ -d "$SW_SHARED_DATA/schemas" ]; then
	S=$SW_SHARED_DATA/schemas
	$VALIDATE $S/sarif/sarif-schema-2.1.0.json $T/out.sarif && ok "sarif validates (schema)" || bad "sarif schema"
	$VALIDATE $S/cyclonedx/bom-1.5.schema.json $T/out.cyclonedx && ok "cyclonedx validates" || bad "cyclonedx schema"
	$VALIDATE $S/spdx/v2.3/spdx-schema.json $T/out.spdx-json && ok "spdx validates" || bad "spdx schema"
else
	bad "schema validation: ../shared/data/schemas is absent (SW_SHARED_DATA='${SW_SHARED_DATA:-}')"
fi

# ---- the gate counts check failures; the ignore file suppresses them ----
$STOWAWAY scan -q --scanners config -f json -o /dev/null --fail-on high $T/bad.tar; rc=$?
[ $rc -eq 1 ] && ok "--fail-on high: check failures fail the gate" || bad "--fail-on high bad rc $rc"
$STOWAWAY scan -q --scanners config -f json -o /dev/null --fail-on low $T/good.tar; rc=$?
[ $rc -eq 0 ] && ok "--fail-on low: the good image passes" || bad "--fail-on low good rc $rc"
printf 'SW-CFG-001\nSW-CFG-009\nSW-CFG-010\nSW-CFG-011\nSW-CFG-507\n' > $T/ignore
$STOWAWAY scan -q --scanners config --ignorefile $T/ignore -f json -o $T/ign.json --fail-on high $T/bad.tar; rc=$?
[ $rc -eq 0 ] && check $T/ign.json 'assert c["SW-CFG-001"]["suppressed"].startswith("ignore file:")' \
	&& ok "ignore file suppresses check ids; the gate follows" || bad "ignore file rc $rc"

# ---- scanners that could not run say so ----
$STOWAWAY sbom -q -f json -o $T/sbom.json $T/bad.tar || bad "sbom"
$STOWAWAY scan --sbom $T/sbom.json --scanners config,secret,malware -f json -o $T/sb.json 2> $T/sb.err; rc=$?
[ $rc -eq 0 ] && check $T/sb.json '
assert doc["checks"]["ran"] is False and doc["checks"]["reason"] == "could not run: no image config in an SBOM"
assert all(r["status"] == "info" for r in doc["checks"]["results"])
s = {x["name"]: x for x in doc["scanners"]}
assert not s["secret"]["ran"] and s["secret"]["reason"] == "not checked (an SBOM has no files)"
assert not s["malware"]["ran"] and s["malware"]["reason"] == "not checked (an SBOM has no files)"
' && grep -q "scanner config could not run: no image config in an SBOM" $T/sb.err \
	&& ok "--sbom: config could not run; secret/malware not checked (json, stderr)" || bad "sbom scanners rc $rc"
$STOWAWAY scan -q --sbom $T/sbom.json --scanners config,secret > $T/sb.table 2>/dev/null
grep -q "SCANNER secret: not checked (an SBOM has no files)" $T/sb.table && grep -q "SCANNER config: could not run" $T/sb.table \
	&& ok "table says which scanners could not run" || bad "table scanners"
$STOWAWAY scan -q --sbom $T/sbom.json --scanners secret -f junit > $T/sb.junit 2>/dev/null
grep -q '<skipped message="not checked (an SBOM has no files)"' $T/sb.junit \
	&& ok "junit: a scanner that could not run is skipped, not passed" || bad "junit scanners"
$STOWAWAY scan --scanners vuln,bogus $T/bad.tar 2> $T/u.err; rc=$?
[ $rc -eq 64 ] && grep -q "bogus" $T/u.err && ok "unknown scanner: usage error" || bad "unknown scanner rc $rc"

# ---- bad input: a config without history ----
$MKIMAGE --format docker-archive -o $T/nohist.tar --config-top '{"history":[]}' $T/l0 || bad "mkimage nohist"
$STOWAWAY scan -q --scanners config -f json -o $T/nh.json $T/nohist.tar; rc=$?
[ $rc -eq 0 ] && check $T/nh.json '
assert c["SW-CFG-007"]["status"] == "info" and c["SW-CFG-009"]["status"] == "info" and c["SW-CFG-010"]["status"] == "info"
assert any("history" in n for n in doc["checks"]["notes"]), doc["checks"]["notes"]
' && ok "history shorter than the layers: a note, history checks info" || bad "no history rc $rc"

[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all ok"
