#!/bin/bash
# End to end: `stowaway policy validate|eval|explain|show-default` and
# `scan --policy` on images built here from small trees and hand-written
# configs, with a database built from hand-written advisories.  Anchore
# Engine's default bundle (../shared/data/specs) on two images, the
# expected final action worked out by hand from the bundle text; exit
# codes; Anchore's evaluation JSON shape; re-evaluation of a stored scan
# report; allowlist expiry on both sides of the date (--now); mapping
# order (--tag); bad bundles (one line, exit 2, no output file).
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}" "${SW_SHARED_DATA:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
ANCHORE=$SW_SHARED_DATA/specs/anchore-anchore-engine_anchore_engine_conf_bundles_anchore_default_bundle.json
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
# 2025-01-01: the database is built "now", so it is not stale
export STOWAWAY_DB=$T/db.sqlite SOURCE_DATE_EPOCH=1735689600 STOWAWAY_NOW=1735689600
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
[ -f "$ANCHORE" ] || { echo "FAIL - the Anchore default bundle is absent: $ANCHORE"; exit 1; }

# ---- advisories and database ----
mkdir -p $T/adv/osv
cat > $T/adv/debian.json <<'J'
{"openssl": {
  "CVE-2024-1001": {"description": "fixed in bookworm, in KEV", "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.13-1~deb12u1", "urgency": "high", "repositories": {"bookworm": "3.0.13-1~deb12u1"}}}},
  "CVE-2024-1003": {"description": "open", "releases": {"bookworm": {"status": "open", "urgency": "medium", "repositories": {}}}}}}
J
cat > $T/adv/osv/GHSA-crit-crit-crit.json <<'J'
{"id": "GHSA-crit-crit-crit", "modified": "2024-05-01T00:00:00Z", "published": "2020-01-01T00:00:00Z",
 "aliases": ["CVE-2020-9999"], "summary": "critical, fixed in 1.4.0",
 "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
 "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.4.0"}]}]}],
 "database_specific": {"severity": "CRITICAL"}}
J
cat > $T/adv/kev.json <<'J'
{"title": "CISA Catalog", "catalogVersion": "1", "dateReleased": "2024-06-01T00:00:00Z", "count": 1,
 "vulnerabilities": [{"cveID": "CVE-2024-1001", "vendorProject": "OpenSSL", "product": "OpenSSL", "vulnerabilityName": "x",
   "dateAdded": "2024-05-20", "shortDescription": "x", "requiredAction": "patch", "dueDate": "2024-06-10",
   "knownRansomwareCampaignUse": "Unknown", "notes": "", "cwes": []}]}
J
$STOWAWAY db update -q --source debian=$T/adv/debian.json --source osv=$T/adv/osv --source kev=$T/adv/kev.json \
	2> $T/upd.err || bad "db update: $(cat $T/upd.err)"

# ---- images ----
stanza() { printf 'Package: %s\nStatus: install ok installed\nVersion: %s\nSource: %s\nArchitecture: %s\n\n' "$@"; }
V=$T/vuln; mkdir -p $V/etc $V/var/lib/dpkg $V/app/node_modules/left-pad
printf 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' > $V/etc/os-release
{ stanza libssl3 3.0.11-1~deb12u2 openssl amd64; stanza openssl 3.0.11-1~deb12u2 openssl amd64; } > $V/var/lib/dpkg/status
printf '{"name":"left-pad","version":"1.3.0","license":"WTFPL"}' > $V/app/node_modules/left-pad/package.json
# one setuid file and an /etc/passwd with a denylisted user and shell (files, passwd_file gates)
mkdir -p $V/usr/bin && printf '#!/bin/sh\n' > $V/usr/bin/su && chmod 4755 $V/usr/bin/su
printf 'root:x:0:0:root:/root:/bin/bash\ngames:x:5:60:games:/usr/games:/usr/sbin/nologin\n' > $V/etc/passwd
# root user, port 22 exposed, no HEALTHCHECK
$MKIMAGE --format docker-archive -o $T/vuln.tar --tag app:1.0 --history 'RUN /bin/sh -c apt-get update # buildkit' \
	--empty-history '1:EXPOSE 22/tcp' --config-json '{"ExposedPorts":{"22/tcp":{}}}' $V >/dev/null || bad "mkimage vuln"
C=$T/clean; mkdir -p $C/etc $C/var/lib/dpkg
printf 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' > $C/etc/os-release
: > $C/var/lib/dpkg/status
$MKIMAGE --format docker-archive -o $T/clean.tar --tag clean:1.0 --history 'COPY app /app # buildkit' \
	--empty-history '1:HEALTHCHECK CMD ["/app","health"]' --empty-history '1:USER 10001' \
	--config-json '{"User":"10001","ExposedPorts":{"8080/tcp":{}},"Healthcheck":{"Test":["CMD","/app","health"]}}' \
	$C >/dev/null || bad "mkimage clean"

# ---- validate ----
$STOWAWAY policy validate $ANCHORE 2> $T/v.err; rc=$?
[ $rc -eq 0 ] && grep -q "1 rule set, 6 rules, 1 allowlist (0 items), 1 mapping" $T/v.err \
	&& ok "the Anchore default bundle validates unchanged" || bad "validate rc $rc: $(cat $T/v.err)"
$STOWAWAY policy show-default > $T/default.json && $STOWAWAY policy validate $T/default.json 2>/dev/null \
	&& ok "show-default prints a valid bundle" || bad "show-default"

badb() {   # badb NAME 'json text' 'expected part of the message'
	printf '%s' "$2" > $T/$1.json
	$STOWAWAY policy validate $T/$1.json > $T/b.out 2> $T/b.err; rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l < $T/b.err)" -eq 1 ] && grep -qF -- "$3" $T/b.err && grep -qF "$1.json" $T/b.err; then
		ok "bad bundle $1: exit 2, one line naming it"
	else
		bad "bad bundle $1: rc $rc: $(cat $T/b.err)"
	fi
}
MAP='"mappings":[{"id":"m","registry":"*","repository":"*","image":{"type":"tag","value":"*"},"policy_id":"p"}]'
badb unknown-param '{"id":"b","policies":[{"id":"p","rules":[{"id":"r9","gate":"vulnerabilities","trigger":"package","action":"STOP","params":[{"name":"package_type","value":"all"},{"name":"sevrity","value":"high"}]}]}],'"$MAP"'}' \
	"rule 'r9' (vulnerabilities.package): unknown param 'sevrity'"
badb bad-value '{"id":"b","policies":[{"id":"p","rules":[{"id":"r9","gate":"dockerfile","trigger":"exposed_ports","action":"STOP","params":[{"name":"ports","value":"ssh"},{"name":"type","value":"blacklist"}]}]}],'"$MAP"'}' \
	"rule 'r9' (dockerfile.exposed_ports): param 'ports': bad value 'ssh'"
badb bad-regex '{"id":"b","policies":[{"id":"p","rules":[{"id":"r9","gate":"dockerfile","trigger":"instruction","action":"STOP","params":[{"name":"instruction","value":"RUN"},{"name":"check","value":"like"},{"name":"value","value":"(x"}]}]}],'"$MAP"'}' \
	"param 'value': regex does not compile"
badb missing-set '{"id":"b","policies":[{"id":"q","rules":[]}],'"$MAP"'}' "names rule set 'p'"
badb bad-date '{"id":"b","policies":[{"id":"p","rules":[]}],"whitelists":[{"id":"w","items":[{"id":"i","gate":"vulnerabilities","trigger_id":"x","expires_on":"next week"}]}],'"$MAP"'}' \
	"expires_on 'next week' is not a date"
badb dup-rule '{"id":"b","policies":[{"id":"p","rules":[{"id":"r","gate":"always","trigger":"always","action":"GO","params":[]},{"id":"r","gate":"always","trigger":"always","action":"GO","params":[]}]}],'"$MAP"'}' \
	"duplicate rule id 'r'"
badb version '{"id":"b","version":"9_9",'"$MAP"'}' "unknown bundle version '9_9'"
badb malformed '{"id":"b",' "line 1"

# a bad bundle: no scan, no output file
$STOWAWAY scan -q --policy $T/unknown-param.json -f json -o $T/never.json $T/vuln.tar 2> $T/s.err; rc=$?
[ $rc -eq 2 ] && [ ! -e $T/never.json ] && ok "scan --policy with a bad bundle: exit 2, no output file" \
	|| bad "scan with bad bundle rc $rc"

# ---- the Anchore default bundle, by hand from its text ----
# vuln.tar: exposed_ports 22 (blacklist) STOP; HEALTHCHECK not_exists WARN;
# package = medium: CVE-2024-1003 in libssl3 and openssl, WARN x2;
# package > medium: CVE-2024-1001 (high) x2 and CVE-2020-9999 (critical) STOP x3;
# stale_feed_data (built today) and vulnerability_data_unavailable do not fire -> stop
$STOWAWAY policy eval -q --policy $ANCHORE -f json -o $T/anchore.json $T/vuln.tar 2> $T/e.err; rc=$?
[ $rc -eq 1 ] && ok "Anchore default bundle on the vulnerable image: exit 1 (STOP)" || bad "eval rc $rc: $(cat $T/e.err)"
python3 - $T/anchore.json <<'PY' && ok "Anchore evaluation JSON: shape, rows and final action as worked out by hand" || bad "anchore json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["final_action"] == "stop" and d["final_action_reason"] == "policy_evaluation", d["final_action"]
assert d["matched_mapping_rule"]["id"] == "c4f9bf74-dc38-4ddf-b5cf-00e9c0074611"
assert d["matched_mapping_rule"]["policy_id"] == "48e6f7d6-1765-11e8-b5f9-8b6f228548b6"
iid = d["image_id"]
res = d["result"][iid]["result"]
assert res["header"] == ["Image_Id", "Repo_Tag", "Trigger_Id", "Gate", "Trigger", "Check_Output", "Gate_Action", "Whitelisted", "Policy_Id"]
rows = res["rows"]
assert res["row_count"] == len(rows) == 7, [r[2:5] for r in rows]
assert all(len(r) == 9 and r[0] == iid and r[1] == "docker.io/library/app:1.0" and r[7] is False
           and r[8] == "48e6f7d6-1765-11e8-b5f9-8b6f228548b6" for r in rows)
got = sorted((r[3], r[4], r[2] if r[3] == "vulnerabilities" else "", r[6]) for r in rows)
want = sorted([("dockerfile", "exposed_ports", "", "stop"), ("dockerfile", "instruction", "", "warn"),
    ("vulnerabilities", "package", "CVE-2024-1003+libssl3", "warn"), ("vulnerabilities", "package", "CVE-2024-1003+openssl", "warn"),
    ("vulnerabilities", "package", "CVE-2024-1001+libssl3", "stop"), ("vulnerabilities", "package", "CVE-2024-1001+openssl", "stop"),
    ("vulnerabilities", "package", "CVE-2020-9999+app/node_modules/left-pad/package.json", "stop")])
assert got == want, got
assert res["final_action"] == "stop"
assert d["stowaway"]["finalAction"] == "stop" and len(d["stowaway"]["rules"]) == 6
PY
# clean.tar: HEALTHCHECK present, no port 22, no findings, fresh database: go
$STOWAWAY policy eval -q --policy $ANCHORE $T/clean.tar > $T/clean.out 2> $T/c.err; rc=$?
[ $rc -eq 0 ] && grep -q "Final action: go (policy_evaluation)" $T/clean.out && grep -q "No trigger fired" $T/clean.out \
	&& ok "Anchore default bundle on the clean image: go, exit 0" || bad "clean rc $rc: $(cat $T/clean.out $T/c.err)"
# stale_feed_data: evaluated 3 days after the database was built -> warn, exit 0
$STOWAWAY policy eval -q --policy $ANCHORE --now 2025-01-04 $T/clean.tar > $T/stale.out 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q "stale_feed_data" $T/stale.out && grep -q "Final action: warn" $T/stale.out \
	&& ok "stale_feed_data fires 3 days later (warn, exit 0)" || bad "stale rc $rc: $(cat $T/stale.out)"

# ---- scan --policy: the scan report carries the policy; exit 1 on STOP, 0 on WARN/GO ----
$STOWAWAY scan -q --policy default -f json -o $T/scan.json $T/vuln.tar 2> $T/s.err; rc=$?
[ $rc -eq 1 ] && ok "scan --policy default on the vulnerable image: exit 1 (KEV)" || bad "scan rc $rc: $(cat $T/s.err)"
python3 - $T/scan.json <<'PY' && ok "scan JSON: policy section, imageConfig, database" || bad "scan json policy section"
import json, sys
d = json.load(open(sys.argv[1]))
p = d["policy"]
assert p["finalAction"] == "stop" and p["finalActionReason"] == "policy_evaluation"
by = {}
for r in p["results"]:
    by.setdefault(r["ruleId"], []).append(r)
# default bundle: kev STOP x2 (libssl3, openssl), critical with fix STOP x1, root user WARN x1;
# SW-CFG-010 (secrets) passes; Debian 12 is covered
assert sorted(x["triggerId"] for x in by["kev"]) == ["CVE-2024-1001+libssl3", "CVE-2024-1001+openssl"], by.get("kev")
assert [x["triggerId"] for x in by["critical-with-fix"]] == ["CVE-2020-9999+app/node_modules/left-pad/package.json"]
assert len(by["root-user"]) == 1 and by["root-user"][0]["action"] == "warn"
assert set(by) == {"kev", "critical-with-fix", "root-user"}, set(by)
assert [r["fired"] for r in p["rules"]] == [2, 1, 1, 0, 0]
assert d["imageConfig"]["config"]["ExposedPorts"] == {"22/tcp": {}}
assert d["database"]["builtAt"] == 1735689600
PY
printf '%s' '{"id":"w","rule_sets":[{"id":"p","rules":[{"id":"r","gate":"dockerfile","trigger":"effective_user","action":"WARN","params":[{"name":"users","value":"root"},{"name":"type","value":"denylist"}]}]}],"mappings":[{"id":"m","registry":"*","repository":"*","image":{"type":"tag","value":"*"},"rule_set_ids":["p"]}]}' > $T/warn.json
$STOWAWAY scan -q --policy $T/warn.json $T/vuln.tar > $T/w.out 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q "Final action: warn" $T/w.out && ok "scan --policy: WARN exits 0, the table shows it" || bad "warn rc $rc"
$STOWAWAY scan -q --policy $T/warn.json --fail-on critical $T/vuln.tar > /dev/null 2>&1; rc=$?
[ $rc -eq 1 ] && ok "scan --policy (warn) with --fail-on critical still fails on the critical" || bad "fail-on + policy rc $rc"

# ---- policy eval --report: the stored scan gives the same rows as the image ----
$STOWAWAY scan -q -f json -o $T/plain.json $T/vuln.tar 2>/dev/null
$STOWAWAY policy eval -q --policy $ANCHORE -f json --report $T/plain.json > $T/rep.json 2> $T/r.err; rc=$?
[ $rc -eq 1 ] && ok "policy eval --report: exit 1 (STOP)" || bad "report rc $rc: $(cat $T/r.err)"
python3 - $T/anchore.json $T/rep.json <<'PY' && ok "--report re-evaluation gives the same rows as the image" || bad "report rows differ"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
ra = a["result"][a["image_id"]]["result"]["rows"]; rb = b["result"][b["image_id"]]["result"]["rows"]
assert a["image_id"] == b["image_id"] and ra == rb, (ra, rb)
assert a["final_action"] == b["final_action"] == "stop"
PY
$STOWAWAY policy eval -q --policy $ANCHORE --report $T/vuln.tar > /dev/null 2> $T/r2.err; rc=$?
[ $rc -eq 2 ] && [ "$(wc -l < $T/r2.err)" -eq 1 ] && ok "--report on a file that is not a report: exit 2, one line" || bad "bad report rc $rc"


# ---- every evaluable gate on the image, and the same from its stored report ----
R() { printf '{"id":"%s","gate":"%s","trigger":"%s","action":"WARN","params":[%s]}' "$1" "$2" "$3" "${4:-}"; }
P() { printf '{"name":"%s","value":"%s"}' "$1" "$2"; }
{
printf '{"id":"gates","policies":[{"id":"p","rules":['
R crit vulnerabilities package "$(P package_type all),$(P severity_comparison =),$(P severity critical)"; printf ,
R osfix vulnerabilities package "$(P package_type os),$(P fix_available true)"; printf ,
R nonos-over-crit vulnerabilities package "$(P package_type non-os),$(P severity critical)"; printf ,
R deny-alias vulnerabilities blacklist "$(P vulnerability_ids GHSA-crit-crit-crit)"; printf ,
R kev vulnerabilities kev; printf ,
R unavailable vulnerabilities vulnerability_data_unavailable; printf ,
R need-curl packages required_package "$(P name curl)"; printf ,
R openssl-min packages required_package "$(P name openssl),$(P version 3.0.0-1),$(P version_match_type minimum)"; printf ,
R no-leftpad packages blacklist "$(P name 'left-*')"; printf ,
R wtfpl licenses blacklist_exact_match "$(P licenses WTFPL)"; printf ,
R gpl licenses denylist_partial_match "$(P licenses GPL)"; printf ,
R run-update dockerfile instruction "$(P instruction RUN),$(P check like),$(P value '.*update.*')"; printf ,
R root dockerfile effective_user "$(P users root),$(P type blacklist)"; printf ,
R ssh dockerfile exposed_ports "$(P ports 22),$(P type denylist)"; printf ,
R debian metadata attribute "$(P attribute distro),$(P check =),$(P value debian)"; printf ,
R many-layers metadata attribute "$(P attribute layer_count),$(P check '>'),$(P value 5)"; printf ,
R root-check image_checks failed "$(P ids SW-CFG-001)"; printf ,
R always always always; printf ,
R malware malware scan_not_run; printf ,
R suid files suid_or_guid_set; printf ,
R games passwd_file denylist_usernames "$(P user_names 'games, nobody')"; printf ,
R uid0 passwd_file denylist_userids "$(P user_ids 0)"; printf ,
R nologin passwd_file denylist_shells "$(P shells /usr/sbin/nologin)"; printf ,
R nopasswd passwd_file content_not_available
printf ']}],"mappings":[{"id":"m","registry":"*","repository":"*","image":{"type":"tag","value":"*"},"policy_id":"p"}]}'
} > $T/gates.json
$STOWAWAY policy eval -q --policy $T/gates.json -f json $T/vuln.tar > $T/g1.json 2> $T/g1.err; r1=$?
$STOWAWAY policy eval -q --policy $T/gates.json -f json --report $T/plain.json > $T/g2.json 2> $T/g2.err; r2=$?
python3 - $T/g1.json $T/g2.json <<'PY' && [ $r1 -eq 0 ] && [ $r2 -eq 0 ] && ok "each gate on the image, by hand (setuid file and passwd entries planted); the stored report: the same, file gates not evaluated" || bad "gates on the image (rc $r1 $r2): $(cat $T/g1.err $T/g2.err)"
import json, sys
want = {"crit": 1, "osfix": 2, "nonos-over-crit": 0, "deny-alias": 1, "kev": 2, "unavailable": 0,
        "need-curl": 1, "openssl-min": 0, "no-leftpad": 1, "wtfpl": 1, "gpl": 0, "run-update": 1,
        "root": 1, "ssh": 1, "debian": 1, "many-layers": 0, "root-check": 1, "always": 1, "malware": 1,
        # planted: /usr/bin/su mode 4755; /etc/passwd with root (uid 0) and games (shell nologin)
        "suid": 1, "games": 1, "uid0": 1, "nologin": 1, "nopasswd": 0}
# from the stored report: no file facts, so the file and passwd rules are not evaluated (one hit saying why)
fromreport = ["suid", "games", "uid0", "nologin", "nopasswd"]
for f, ne_want in ((sys.argv[1], []), (sys.argv[2], fromreport)):
    d = json.load(open(f))
    got = {r["ruleId"]: r["fired"] for r in d["stowaway"]["rules"]}
    w = dict(want, **{k: 1 for k in ne_want})
    assert got == w, (f, {k: (got.get(k), v) for k, v in w.items() if got.get(k) != v})
    ne = [r["ruleId"] for r in d["stowaway"]["rules"] if r["notEvaluated"]]
    assert ne == ne_want, (f, ne)
    assert d["final_action"] == "warn"
d = json.load(open(sys.argv[1]))
msgs = [r for r in d["stowaway"]["results"] if r["ruleId"] in ("suid", "games")] if "results" in d["stowaway"] else []
assert any("/usr/bin/su" in json.dumps(m) for m in msgs), msgs
PY

# ---- an SBOM: no image config, so those rules say "not evaluated" (never a pass) ----
$STOWAWAY sbom -q -f cyclonedx -o $T/vuln.cdx $T/vuln.tar 2>/dev/null
$STOWAWAY policy eval -q --policy default -f json --sbom $T/vuln.cdx > $T/sb.json 2>/dev/null; rc=$?
python3 - $T/sb.json <<'PY' && [ $rc -eq 1 ] && ok "policy eval --sbom: config rules not evaluated, with their actions" || bad "sbom eval rc $rc"
import json, sys
d = json.load(open(sys.argv[1]))
ne = {r["ruleId"]: r["action"] for r in d["stowaway"]["results"] if r["notEvaluated"]}
assert ne == {"root-user": "warn", "secrets-in-config": "stop"}, ne
assert d["final_action"] == "stop"
PY

# ---- allowlist expiry on both sides of the date; explain ----
cat > $T/allow.yaml <<'Y'
id: allow
version: '2_0'
rule_sets:
  - id: p
    rules:
      - {id: kev, gate: vulnerabilities, trigger: kev, action: STOP, params: []}
allowlists:
  - id: w
    name: accepted until March
    items:
      - {id: accept-1001, gate: vulnerabilities, trigger_id: 'CVE-2024-1001+*', expires_on: '2025-03-01T00:00:00Z'}
mappings:
  - {id: m, registry: '*', repository: '*', image: {type: tag, value: '*'}, rule_set_ids: [p], allowlist_ids: [w]}
Y
$STOWAWAY policy eval -q --policy $T/allow.yaml --now 2025-02-28T23:59:59Z $T/vuln.tar > $T/a1.out 2>&1; rc=$?
[ $rc -eq 0 ] && [ "$(grep -c 'accept-1001' $T/a1.out)" -eq 2 ] && grep -q "Final action: go" $T/a1.out \
	&& ok "allowlist item before expires_on: both KEV triggers allowlisted, go" || bad "allow before rc $rc: $(cat $T/a1.out)"
$STOWAWAY policy eval -q --policy $T/allow.yaml --now 2025-03-01 $T/vuln.tar > $T/a2.out 2> $T/a2.err; rc=$?
[ $rc -eq 1 ] && grep -q "expired on 2025-03-01" $T/a2.err && grep -q "Final action: stop" $T/a2.out \
	&& ok "allowlist item at expires_on: reported expired, not applied, stop" || bad "allow after rc $rc: $(cat $T/a2.out $T/a2.err)"
$STOWAWAY policy explain -q --policy $T/allow.yaml --now 2025-02-01 $T/vuln.tar > $T/x.out 2>&1
grep -q "vulnerabilities.kev" $T/x.out && grep -q "2 of them allowlisted" $T/x.out && ok "explain: each rule, what it looked at, what was allowlisted" \
	|| bad "explain: $(cat $T/x.out)"

# ---- mapping order (--tag) ----
cat > $T/map.json <<'J'
{"id":"map","rule_sets":[{"id":"strict","rules":[{"id":"a","gate":"always","trigger":"always","action":"STOP","params":[]}]},
 {"id":"lax","rules":[{"id":"a","gate":"always","trigger":"always","action":"WARN","params":[]}]}],
 "mappings":[{"id":"prod","registry":"reg.example","repository":"prod/*","image":{"type":"tag","value":"*"},"rule_set_ids":["strict"]},
  {"id":"rest","registry":"*","repository":"*","image":{"type":"tag","value":"*"},"rule_set_ids":["lax"]},
  {"id":"unreached","registry":"reg.example","repository":"prod/app","image":{"type":"tag","value":"*"},"rule_set_ids":["lax"]}]}
J
$STOWAWAY policy eval -q --policy $T/map.json --tag reg.example/prod/app:2 -f json $T/clean.tar > $T/m1.json 2>/dev/null; r1=$?
$STOWAWAY policy eval -q --policy $T/map.json --tag reg.example/dev/app:2 -f json $T/clean.tar > $T/m2.json 2>/dev/null; r2=$?
python3 -c "
import json,sys
a=json.load(open('$T/m1.json')); b=json.load(open('$T/m2.json'))
assert a['matched_mapping_rule']['id']=='prod' and a['final_action']=='stop'
assert b['matched_mapping_rule']['id']=='rest' and b['final_action']=='warn'
assert a['tag']=='reg.example/prod/app:2'
" && [ $r1 -eq 1 ] && [ $r2 -eq 0 ] && ok "mappings: the first that matches wins (--tag)" || bad "mapping order r1=$r1 r2=$r2"


# ---- the policy in every scan format ----
VALIDATE="/usr/bin/python3 $SW_SOURCE_DIR/tests/tools/validate-schema.py"
for f in sarif junit html table; do
	$STOWAWAY scan -q --policy default -f $f -o $T/p.$f $T/vuln.tar 2>/dev/null
	[ $? -eq 1 ] || bad "scan --policy -f $f exit code"
done
$VALIDATE $SW_SOURCE_DIR/docs/stowaway-scan.schema.json $T/scan.json && ok "scan JSON with policy validates (our schema)" || bad "scan schema"
$VALIDATE $SW_SHARED_DATA/schemas/sarif/sarif-schema-2.1.0.json $T/p.sarif && ok "SARIF with policy results validates" || bad "sarif schema"
python3 - $T/p.sarif $T/p.junit $T/p.html <<'PY' && ok "SARIF results, JUnit testcase per rule, HTML section" || bad "policy in sarif/junit/html"
import json, sys, xml.etree.ElementTree as ET
s = json.load(open(sys.argv[1]))
run = s["runs"][0]
rules = [r["id"] for r in run["tool"]["driver"]["rules"] if r["id"].startswith("policy/")]
assert rules == ["policy/stowaway-default-rules/" + x for x in ["kev", "critical-with-fix", "root-user", "secrets-in-config", "os-not-covered"]], rules
res = [r for r in run["results"] if r["ruleId"].startswith("policy/")]
assert sorted((r["ruleId"].split("/")[-1], r["level"]) for r in res) == [("critical-with-fix", "error"), ("kev", "error"), ("kev", "error"), ("root-user", "warning")], res
suite = [t for t in ET.parse(sys.argv[2]).getroot() if t.get("name") == "policy"][0]
cases = suite.findall("testcase")
assert len(cases) == 5 and suite.get("tests") == "5" and suite.get("failures") == "2", (len(cases), suite.attrib)
failed = sorted(c.get("name").split()[0] for c in cases if c.find("failure") is not None)
assert failed == ["critical-with-fix", "kev"], failed
h = open(sys.argv[3]).read()
assert "<h2>Policy</h2>" in h and "CVE-2024-1001+libssl3" in h
PY
grep -q "Final action: stop" $T/p.table && ok "table: the policy section" || bad "table policy section"

# ---- help ----
for c in "policy --help" "policy eval --help" "scan --help"; do
	$STOWAWAY $c | grep -q "Examples:" || bad "$c has no examples"
done
$STOWAWAY policy --help | grep -q "1 final" && ok "--help with examples and exit codes" || bad "policy help"

[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all policy e2e tests passed"
