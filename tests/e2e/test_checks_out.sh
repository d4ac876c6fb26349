#!/bin/bash
# End to end: SW-CFG-106 (the base image named by the OCI base-image
# annotations is latest or untagged) on images built here: OCI layouts and
# archives whose manifest carries org.opencontainers.image.base.name/.digest,
# docker archives with the config label of the same name; the image checks
# with their evidence in every format (SPDX annotations, CycloneDX
# properties, SARIF, JUnit, HTML, table), each document validated against
# its official schema; --ignore-status and ./.stowawayignore on check ids;
# a scanner that could not run said in every format.  Expected results are
# written here from what was planted.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
VALIDATE="/usr/bin/python3 $SW_SOURCE_DIR/tests/tools/validate-schema.py"
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
export STOWAWAY_DB=$T/db.sqlite SOURCE_DATE_EPOCH=1735689600 STOWAWAY_NOW=1735689600
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
S=${SW_SHARED_DATA:-}/schemas
[ -n "${SW_SHARED_DATA:-}" ] && [ -d "$S" ] || { bad "../shared/data/schemas is absent (SW_SHARED_DATA='${SW_SHARED_DATA:-}')"; S=/nonexistent; }

N=org.opencontainers.image.base.name D=org.opencontainers.image.base.digest
DG=sha256:$(printf 'ab%.0s' $(seq 32))
mkdir -p $T/l0/etc && echo base > $T/l0/etc/hostname
H=(--history '/bin/sh -c #(nop) ADD file:0f1e2d3c in / ')

check() {   # check FILE.json 'python assertions on c (id -> result), doc'
	python3 - "$1" "$2" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
c = {r["id"]: r for r in doc["checks"]["results"]}
exec(sys.argv[2])
PY
}
scan_cfg() {   # scan_cfg NAME IMAGE: config checks as JSON into $T/NAME.json
	$STOWAWAY scan -q --scanners config -f json -o $T/$1.json "$2" 2> $T/$1.err
}

# ---- SW-CFG-106 from the manifest annotations (OCI layout) ----
# name -> (annotations, expected status)
declare -A WANT=(
	[latest]="fail" [notag]="fail" [hosttag]="fail" [pinned]="pass" [versioned]="pass" [none]="info" [notref]="info"
)
$MKIMAGE --format oci -o $T/latest "${H[@]}" --manifest-annotation "$N=docker.io/library/debian:latest" \
	--manifest-annotation "$D=$DG" $T/l0 || bad "mkimage latest"
$MKIMAGE --format oci -o $T/notag "${H[@]}" --manifest-annotation "$N=debian" $T/l0 || bad "mkimage notag"
$MKIMAGE --format oci-archive -o $T/hosttag.tar "${H[@]}" --manifest-annotation "$N=registry.test:5000/team/base" $T/l0 || bad "mkimage hosttag"
$MKIMAGE --format oci -o $T/pinned "${H[@]}" --manifest-annotation "$N=docker.io/library/debian:latest@$DG" $T/l0 || bad "mkimage pinned"
$MKIMAGE --format oci -o $T/versioned "${H[@]}" --manifest-annotation "$N=registry.test:5000/debian:12.5" \
	--manifest-annotation "$D=$DG" $T/l0 || bad "mkimage versioned"
$MKIMAGE --format oci -o $T/none "${H[@]}" $T/l0 || bad "mkimage none"
$MKIMAGE --format oci -o $T/notref "${H[@]}" --manifest-annotation "$N=not a reference" $T/l0 || bad "mkimage notref"
for n in latest notag hosttag pinned versioned none notref; do
	img=$T/$n; [ -e $img ] || img=$T/$n.tar
	scan_cfg $n $img; rc=$?
	[ $rc -eq 0 ] && check $T/$n.json "
r = c['SW-CFG-106']
assert r['status'] == '${WANT[$n]}', (r['status'], r['note'])
assert r['cis'] is None and r['title']
if '$n' not in ('none',):
    assert [e['configKey'] for e in r['evidence']] == ['manifest.annotations $N'], r['evidence']
else:
    assert r['evidence'] == [] and '$N' in r['note'], r
if '$n' == 'latest':
    assert r['severity'] == 'medium' and '$DG' in r['evidence'][0]['detail'] and 'docker.io/library/debian:latest' in r['evidence'][0]['detail']
" && ok "base $n: ${WANT[$n]}" || bad "base $n (rc $rc): $(cat $T/$n.err)"
done

# ---- the config label (a docker archive has no OCI manifest) ----
$MKIMAGE --format docker-archive -o $T/label.tar "${H[@]}" \
	--config-json "{\"Labels\":{\"$N\":\"alpine:latest\",\"$D\":\"$DG\"}}" $T/l0 || bad "mkimage label"
$MKIMAGE --format docker-archive -o $T/labelpin.tar "${H[@]}" \
	--config-json "{\"Labels\":{\"$N\":\"alpine:3.19@$DG\"}}" $T/l0 || bad "mkimage labelpin"
scan_cfg label $T/label.tar && check $T/label.json "
r = c['SW-CFG-106']
assert r['status'] == 'fail' and r['evidence'][0]['configKey'] == 'config.Labels $N', r
" && ok "docker archive: the config label names alpine:latest: fail" || bad "label: $(cat $T/label.err)"
scan_cfg labelpin $T/labelpin.tar && check $T/labelpin.json "assert c['SW-CFG-106']['status'] == 'pass'" \
	&& ok "docker archive: a digest-pinned label passes" || bad "labelpin"
# Docker 25+ archives carry the OCI manifest too: its annotation wins over the label
$MKIMAGE --format docker-archive --docker-style blobs -o $T/both.tar "${H[@]}" \
	--manifest-annotation "$N=debian:bookworm" --config-json "{\"Labels\":{\"$N\":\"debian:latest\"}}" $T/l0 || bad "mkimage both"
scan_cfg both $T/both.tar && check $T/both.json "
r = c['SW-CFG-106']
assert r['status'] == 'pass' and r['evidence'][0]['configKey'] == 'manifest.annotations $N', r
assert any('differ' in n for n in doc['checks']['notes']), doc['checks']['notes']
" && ok "docker archive with an OCI manifest: the annotation is used, the label that differs is a note" || bad "both: $(cat $T/both.err)"

# ---- bad input: annotations of the wrong type ----
mkdir -p $T/badann && cp -r $T/none/. $T/badann/
python3 - $T/badann <<'PY' || bad "rewrite badann"
import hashlib, json, os, sys
d = sys.argv[1]
idx = json.load(open(d + "/index.json"))
m = idx["manifests"][0]
p = d + "/blobs/sha256/" + m["digest"][7:]
man = json.load(open(p))
man["annotations"] = {"org.opencontainers.image.base.name": 42}
data = json.dumps(man).encode()
h = hashlib.sha256(data).hexdigest()
open(d + "/blobs/sha256/" + h, "wb").write(data)
m["digest"], m["size"] = "sha256:" + h, len(data)
json.dump(idx, open(d + "/index.json", "w"))
PY
$STOWAWAY scan -q --scanners config -f json -o $T/badann.json $T/badann 2> $T/badann.err; rc=$?
[ $rc -eq 2 ] && [ ! -e $T/badann.json ] && grep -q "annotations: 'org.opencontainers.image.base.name' is not a string" $T/badann.err \
	&& [ "$(wc -l < $T/badann.err)" -eq 1 ] && ok "a base annotation that is not a string: one line naming it, exit 2, no output" \
	|| bad "bad annotation rc $rc: $(cat $T/badann.err)"

# ---- every format carries the checks with their evidence ----
$MKIMAGE --format oci -o $T/fmt --history '/bin/sh -c #(nop) ADD file:0f1e2d3c in / ' \
	--history 'RUN /bin/sh -c apt-get update # buildkit' --empty-history '2:USER root' \
	--manifest-annotation "$N=debian" \
	--config-json '{"User":"root","ExposedPorts":{"22/tcp":{}},"Env":["API_TOKEN=tokPLANTEDval"]}' \
	--config-top '{"created":"2024-12-01T00:00:00Z"}' $T/l0 $T/l0 || bad "mkimage fmt"
mkdir -p $T/osv
cat > $T/osv/GHSA-zzzz-zzzz-zzzz.json <<'J'
{"id": "GHSA-zzzz-zzzz-zzzz", "modified": "2024-05-01T00:00:00Z", "published": "2024-04-01T00:00:00Z",
 "summary": "unrelated", "affected": [{"package": {"ecosystem": "PyPI", "name": "nothing-here"},
 "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0"}]}]}]}
J
$STOWAWAY db update -q --source osv=$T/osv 2> $T/upd.err || bad "db update: $(cat $T/upd.err)"
for f in json sarif cyclonedx spdx-json junit html table; do
	$STOWAWAY scan -q -f $f -o $T/fmt.$f $T/fmt 2>> $T/fmt.err || bad "format $f: $(cat $T/fmt.err)"
done
# what was planted, independent of our output
FAILED='["SW-CFG-001","SW-CFG-006","SW-CFG-007","SW-CFG-010","SW-CFG-106","SW-CFG-507","SW-CFG-508"]'
check $T/fmt.json "
failed = sorted(i for i, r in c.items() if r['status'] == 'fail')
assert failed == $FAILED, failed
" && ok "json: the planted failures" || bad "json failures"
grep -l PLANTED $T/fmt.* && bad "a planted secret value in an output" || ok "no planted value in any format"
$VALIDATE $S/spdx/v2.3/spdx-schema.json $T/fmt.spdx-json && ok "spdx validates (SPDX 2.3 schema)" || bad "spdx schema"
$VALIDATE $S/cyclonedx/bom-1.5.schema.json $T/fmt.cyclonedx && ok "cyclonedx validates (1.5 schema)" || bad "cyclonedx schema"
$VALIDATE $S/sarif/sarif-schema-2.1.0.json $T/fmt.sarif && ok "sarif validates (2.1.0 schema)" || bad "sarif schema"
bash $SW_SOURCE_DIR/tests/tools/sarif-validate.sh $T/fmt.sarif && ok "sarif validates (Multitool)" || bad "sarif multitool"
$VALIDATE $SW_SOURCE_DIR/docs/stowaway-scan.schema.json $T/fmt.json && ok "json validates (our schema)" || bad "json schema"
python3 - $T/fmt.json $T/fmt.spdx-json "$FAILED" <<'PY' && ok "spdx: an annotation per check on the image package, evidence and status as in json" || bad "spdx checks"
import json, sys
j = json.load(open(sys.argv[1]))["checks"]["results"]
doc = json.load(open(sys.argv[2]))
failed = json.loads(sys.argv[3])
img = [p for p in doc["packages"] if p["SPDXID"] == "SPDXRef-Image"][0]
anns = [a for a in img["annotations"] if a["comment"].startswith("stowaway image check ")]
assert len(anns) == len(j) and len(j) >= 17, (len(anns), len(j))
by = {}
for a in anns:
    lines = a["comment"].split("\n")
    cid = lines[0].split()[-1]
    f = {}
    for l in lines[1:]:
        k, v = l.split(": ", 1)
        f.setdefault(k, []).append(v)
    by[cid] = (a, f)
for r in j:
    a, f = by[r["id"]]
    assert f["status"] == [r["status"]], (r["id"], f)
    assert a["annotationType"] == ("REVIEW" if r["status"] in ("pass", "fail") else "OTHER")
    assert a["annotator"].startswith("Tool: stowaway-")
    assert len(f.get("evidence", [])) == len(r["evidence"]), r["id"]
    if r["cis"]:
        assert f["cis"] == [r["cis"]]
assert sorted(i for i, (a, f) in by.items() if f["status"] == ["fail"]) == failed
f = by["SW-CFG-007"][1]
assert "(layer 1)" in f["evidence"][0] and "apt-get update" in f["evidence"][0], f
assert "API_TOKEN=****" in by["SW-CFG-010"][1]["evidence"][0]
PY
python3 - $T/fmt.json $T/fmt.cyclonedx <<'PY' && ok "cyclonedx: each check field by field, evidence objects as in json" || bad "cyclonedx checks"
import json, sys
j = json.load(open(sys.argv[1]))["checks"]["results"]
props = json.load(open(sys.argv[2]))["properties"]
def get(cid, field):
    return [p["value"] for p in props if p["name"] == "stowaway:check:%s:%s" % (cid, field)]
for r in j:
    assert get(r["id"], "status") == [r["status"]], r["id"]
    assert get(r["id"], "severity") == [r["severity"]]
    assert get(r["id"], "cis") == ([r["cis"]] if r["cis"] else [])
    assert [json.loads(v) for v in get(r["id"], "evidence")] == r["evidence"], r["id"]
    assert get(r["id"], "note") == ([r["note"]] if r["note"] else [])
ev = [json.loads(v) for v in get("SW-CFG-007", "evidence")]
assert ev[0]["layer"] == 1 and ev[0]["history"] == 1, ev
PY
python3 - $T/fmt.sarif <<'PY' && ok "sarif: SW-CFG-106 rule and result" || bad "sarif 103"
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
assert "SW-CFG-106" in [r["id"] for r in run["tool"]["driver"]["rules"]]
assert "SW-CFG-106" in [r["ruleId"] for r in run["results"]]
PY
grep -q 'SW-CFG-106: Base image is pinned' $T/fmt.junit && grep -q 'SW-CFG-106' $T/fmt.html && grep -q 'FAIL   SW-CFG-106' $T/fmt.table \
	&& ok "junit, html, table: SW-CFG-106" || bad "junit/html/table 103"

# ---- --ignore-status and ./.stowawayignore apply to checks ----
$STOWAWAY scan -q --scanners config --ignore-status manual,info -f json -o $T/is.json $T/fmt; rc=$?
[ $rc -eq 0 ] && check $T/is.json "
for i, r in c.items():
    if r['status'] in ('manual', 'info'):
        assert r['suppressed'] == 'status %s ignored (--ignore-status)' % r['status'], (i, r['suppressed'])
    else:
        assert r['suppressed'] is None, (i, r['suppressed'])
assert c['SW-CFG-002']['status'] == 'manual'
" && ok "--ignore-status manual,info suppresses those checks, with the reason" || bad "--ignore-status rc $rc"
$STOWAWAY scan -q --scanners config --ignore-status fail --fail-on low -f json -o $T/isf.json $T/fmt; rc=$?
[ $rc -eq 0 ] && check $T/isf.json "assert all(r['suppressed'] for r in c.values() if r['status'] == 'fail')" \
	&& ok "--ignore-status fail: the gate passes" || bad "--ignore-status fail rc $rc"
$STOWAWAY scan -q --scanners config --ignore-status will_not_fix --fail-on low -f json -o $T/isv.json $T/fmt; rc=$?
[ $rc -eq 1 ] && check $T/isv.json "assert not any(r['suppressed'] for r in c.values())" \
	&& ok "--ignore-status with a vulnerability status leaves the checks alone" || bad "vuln status rc $rc"
$STOWAWAY scan -q --scanners config --ignore-status manual,bogus $T/fmt 2> $T/isb.err; rc=$?
[ $rc -eq 64 ] && grep -q "unknown status 'bogus'" $T/isb.err && ok "--ignore-status: an unknown word is a usage error" \
	|| bad "--ignore-status bogus rc $rc: $(cat $T/isb.err)"
mkdir -p $T/cwd && printf '# a comment\nsw-cfg-106\nSW-CFG-001 exp:2099-01-01\nSW-CFG-006 exp:2020-01-01\n' > $T/cwd/.stowawayignore
(cd $T/cwd && $STOWAWAY scan -q --scanners config -f json -o $T/ign.json $T/fmt); rc=$?
[ $rc -eq 0 ] && check $T/ign.json "
assert c['SW-CFG-106']['suppressed'] == 'ignore file: .stowawayignore line 2', c['SW-CFG-106']['suppressed']
assert c['SW-CFG-001']['suppressed'].startswith('ignore file: .stowawayignore line 3, until 2099-01-01')
assert c['SW-CFG-006']['suppressed'] is None     # expired
" && ok "./.stowawayignore suppresses check ids (case-insensitive, expiry honoured)" || bad "default ignore file rc $rc"

# ---- a scanner that could not run says so in every format ----
$STOWAWAY sbom -q -f json -o $T/sbom.json $T/fmt || bad "sbom"
for f in json sarif cyclonedx spdx-json junit html table; do
	$STOWAWAY scan -q --sbom $T/sbom.json --scanners vuln,config -f $f -o $T/nr.$f 2> $T/nr.$f.err || bad "sbom scan $f"
done
WHY="could not run: no image config in an SBOM"
check $T/nr.json "
s = {x['name']: x for x in doc['scanners']}
assert s['config']['requested'] and not s['config']['ran'] and s['config']['reason'] == '$WHY'
assert all(r['status'] == 'info' and r['note'] == '$WHY' for r in c.values())
" && ok "json: config could not run" || bad "json not run"
grep -q "SCANNER config: $WHY" $T/nr.table && ok "table: config could not run" || bad "table not run"
grep -q "scanner config $WHY" $T/nr.sarif && ok "sarif: a notification" || bad "sarif not run"
grep -q "<skipped message=\"$WHY\"" $T/nr.junit && ok "junit: skipped" || bad "junit not run"
grep -q "scanner config: $WHY" $T/nr.html && ok "html: said" || bad "html not run"
python3 - $T/nr.cyclonedx "$WHY" <<'PY' && ok "cyclonedx: stowaway:scanner:config" || bad "cyclonedx not run"
import json, sys
p = json.load(open(sys.argv[1]))["properties"]
assert {"name": "stowaway:scanner:config", "value": sys.argv[2]} in p, p
assert all(x["value"] == "info" for x in p if x["name"].startswith("stowaway:check:") and x["name"].endswith(":status"))
PY
python3 - $T/nr.spdx-json "$WHY" <<'PY' && ok "spdx: a document annotation" || bad "spdx not run"
import json, sys
doc = json.load(open(sys.argv[1]))
c = [a["comment"] for a in doc.get("annotations", [])]
assert "stowaway scanner config: " + sys.argv[2] in c, c
PY
$VALIDATE $S/spdx/v2.3/spdx-schema.json $T/nr.spdx-json && $VALIDATE $S/cyclonedx/bom-1.5.schema.json $T/nr.cyclonedx \
	&& $VALIDATE $S/sarif/sarif-schema-2.1.0.json $T/nr.sarif && ok "the not-run documents validate" || bad "not-run schemas"

[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all ok"
