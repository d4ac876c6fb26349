#!/bin/bash
# End to end: the image checks decided from the image's files (issue 13,
# docs/checks.md: SW-CFG-001 for a named User, 003, 008, 011, 103, 104, 105,
# 507), collected in the one layer pass.  Layers are tars written here with
# exact modes, owners and names (tests/tools/mkimage.py takes a ready .tar
# as a layer byte for byte): one image passes every file control, one fails
# each; whiteouts and opaque directories drop a setuid file; a world-writable
# directory listed again with a safe mode no longer counts; a named User is
# resolved through /etc/passwd; bad passwd files (missing, binary, too large,
# a symlink) give a note and info; every format carries file evidence (SARIF
# artifactLocation.uri without a leading '/'); a run from the image cache
# equals a fresh run.  Expected results are written from what was planted.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
VALIDATE="/usr/bin/python3 $SW_SOURCE_DIR/tests/tools/validate-schema.py"
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
export SOURCE_DATE_EPOCH=1735689600 STOWAWAY_NOW=1735689600 STOWAWAY_NO_CACHE=1
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }

# mklayer.py OUT.tar SPEC.json: one tar member per spec entry, in order:
# {"p": path, "t": "f|d|l|h", "m": mode, "u": uid, "g": gid, "un": uname,
#  "gn": gname, "c": content (text), "n": size of zero content, "l": link}
cat > $T/mklayer.py <<'PY'
import io, json, sys, tarfile
out, spec = sys.argv[1], json.load(open(sys.argv[2]))
with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tf:
    for e in spec:
        ti = tarfile.TarInfo(e["p"])
        t = e.get("t", "f")
        ti.type = {"f": tarfile.REGTYPE, "d": tarfile.DIRTYPE, "l": tarfile.SYMTYPE, "h": tarfile.LNKTYPE}[t]
        ti.mode = int(e.get("m", "0755" if t == "d" else "0644"), 8)
        ti.uid, ti.gid = e.get("u", 0), e.get("g", 0)
        ti.uname, ti.gname = e.get("un", "root" if ti.uid == 0 else ""), e.get("gn", "root" if ti.gid == 0 else "")
        ti.mtime = 1700000000
        data = None
        if t == "f":
            data = e["c"].encode("latin-1") if "c" in e else b"\0" * e.get("n", 0)
            ti.size = len(data)
        if t in ("l", "h"):
            ti.linkname = e["l"]
        tf.addfile(ti, io.BytesIO(data) if data is not None else None)
PY
layer() { python3 $T/mklayer.py "$1" "$2" || bad "mklayer $1"; }

check() {   # check FILE.json 'python assertions on c (id -> result), doc'
	python3 - "$1" "$2" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
c = {r["id"]: r for r in doc["checks"]["results"]}
ev = lambda i: c[i]["evidence"]
exec(sys.argv[2])
PY
}

stanza() { printf 'Package: %s\nStatus: install ok installed\nVersion: %s\nArchitecture: amd64\n\n' "$1" "$2"; }
{ stanza base-files 12.4; stanza login 1:4.13+dfsg1-1; stanza passwd 1:4.13+dfsg1-1; stanza gcc-12-base 12.2.0-14
  stanza openssh-client 1:9.2p1-2; stanza cpp-12 12.2.0-14; } > $T/status.good
{ stanza base-files 12.4; stanza login 1:4.13+dfsg1-1; stanza openssh-server 1:9.2p1-2; stanza sudo 1.9.13p3-1
  stanza gcc-12 12.2.0-14; stanza gcc-12-base 12.2.0-14; stanza libgcc-s1 12.2.0-14; } > $T/status.bad
J() { python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1], encoding="latin-1").read()))' "$1"; }

# ---------------- the good image ----------------
cat > $T/passwd.good <<'E'
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
app:x:1000:1000::/home/app:/bin/sh
E
printf 'root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\napp:!:19000:0:99999:7:::\n' > $T/shadow.good
printf 'root:x:0:\ndaemon:x:1:\ntty:x:5:\napp:x:1000:\n' > $T/group.good
cat > $T/dockerclean <<'E'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
E
cat > $T/good0.json <<E
[{"p": "bin", "t": "l", "l": "usr/bin", "m": "0777"},
 {"p": "etc", "t": "d"}, {"p": "etc/os-release", "c": "ID=debian\nVERSION_ID=\"12\"\n"},
 {"p": "etc/passwd", "c": $(J $T/passwd.good)}, {"p": "etc/shadow", "m": "0640", "g": 42, "gn": "shadow", "c": $(J $T/shadow.good)},
 {"p": "etc/group", "c": $(J $T/group.good)},
 {"p": "etc/apt", "t": "d"}, {"p": "etc/apt/sources.list", "c": "# main\ndeb http://deb.debian.org/debian bookworm main\ndeb [signed-by=/usr/share/keyrings/k.gpg] http://x.test/d s main\n"},
 {"p": "etc/apt/sources.list.d", "t": "d"}, {"p": "etc/apt/sources.list.d/debian.sources", "c": "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"},
 {"p": "etc/apt/apt.conf.d", "t": "d"}, {"p": "etc/apt/apt.conf.d/docker-clean", "c": $(J $T/dockerclean)},
 {"p": "etc/yum.repos.d", "t": "d"}, {"p": "etc/yum.repos.d/ok.repo", "c": "[ok]\nbaseurl=http://x.test/\ngpgcheck=1\n\n[off]\nenabled=0\ngpgcheck=0\n"},
 {"p": "tmp", "t": "d", "m": "1777"}, {"p": "tmp/scratch", "t": "d", "m": "0777"}, {"p": "tmp/f", "m": "0666", "c": "x"},
 {"p": "var", "t": "d"}, {"p": "var/tmp", "t": "d", "m": "1777"}, {"p": "var/tmp/f", "m": "0666", "c": "x"},
 {"p": "var/cache/apt/archives/partial", "t": "d"}, {"p": "var/cache/apt/archives/lock", "m": "0640"},
 {"p": "var/lib/apt/lists/partial", "t": "d"}, {"p": "var/lib/apt/lists/lock", "m": "0640"},
 {"p": "var/lib/dpkg/status", "c": $(J $T/status.good)},
 {"p": "var/lib/dpkg/info/login.list", "c": "/bin/su\n/usr/share/doc/login\n"},
 {"p": "usr/bin", "t": "d"}, {"p": "usr/bin/su", "m": "0755", "c": "su"},
 {"p": "srv/shared", "t": "d", "m": "1777"}, {"p": "home/app", "t": "d", "u": 1000, "g": 1000, "m": "0700"}]
E
layer $T/good0.tar $T/good0.json
echo '[{"p": "opt/app", "m": "0755", "c": "#!/bin/sh\n"}]' > $T/good1.json; layer $T/good1.tar $T/good1.json
GOODCFG='{"User":"app","Healthcheck":{"Test":["CMD","/opt/app","--health"]},"ExposedPorts":{"8080/tcp":{}},"Cmd":["/opt/app"]}'
$MKIMAGE --format docker-archive -o $T/good.tar --history '/bin/sh -c #(nop) ADD file:0f1e2d3c in / ' \
	--history 'COPY app /opt/app # buildkit' --config-json "$GOODCFG" \
	--config-top '{"created":"2024-12-01T00:00:00Z"}' $T/good0.tar $T/good1.tar || bad "mkimage good"

$STOWAWAY scan -q --scanners config -f json -o $T/good.json $T/good.tar 2> $T/good.err; rc=$?
[ $rc -eq 0 ] && ok "good image scanned" || bad "good rc $rc: $(cat $T/good.err)"
check $T/good.json '
want = {"pass": ["SW-CFG-001","SW-CFG-003","SW-CFG-006","SW-CFG-007","SW-CFG-008","SW-CFG-009","SW-CFG-010",
                 "SW-CFG-011","SW-CFG-101","SW-CFG-102","SW-CFG-103","SW-CFG-104","SW-CFG-105","SW-CFG-507","SW-CFG-508"],
        "manual": ["SW-CFG-002","SW-CFG-005","SW-CFG-012"], "info": ["SW-CFG-004","SW-CFG-106"]}
for st, ids in want.items():
    for i in ids:
        assert c[i]["status"] == st, (i, c[i]["status"], c[i]["note"], c[i]["evidence"])
assert len(c) == 20, sorted(c)
assert doc["checks"]["notes"] == [], doc["checks"]["notes"]
u = [e for e in ev("SW-CFG-001") if e["path"] == "etc/passwd"]
assert len(u) == 1 and u[0]["detail"] == "user '"'"'app'"'"' is uid 1000 (line 3 of /etc/passwd)" and u[0]["layer"] == 0, ev("SW-CFG-001")
assert c["SW-CFG-001"]["note"] is None
' && ok "good image: every file control passes; User 'app' resolved to uid 1000 through /etc/passwd" || bad "good image results"

# ---------------- the bad image: one planted failure per control ----------------
cat > $T/passwd.bad <<'E'
root:x:0:0:root:/root:/bin/bash
toor:x:0:0::/root:/bin/sh
admin:x:0:1000::/home/admin:/bin/sh
nopw::1001:1001::/home/nopw:/bin/sh
app:x:1000:1000::/home/app:/bin/sh
E
printf 'root:*:19000::::::\nsvc::19000::::::\napp:$6$salt$hash:19000::::::\n' > $T/shadow.bad
cat > $T/bad0.json <<E
[{"p": "bin", "t": "l", "l": "usr/bin", "m": "0777"},
 {"p": "etc/os-release", "c": "ID=debian\nVERSION_ID=\"12\"\n"},
 {"p": "etc/passwd", "c": $(J $T/passwd.bad)}, {"p": "etc/shadow", "m": "0640", "c": $(J $T/shadow.bad)},
 {"p": "etc/group", "c": $(J $T/group.good)},
 {"p": "etc/apt/sources.list", "c": "deb [arch=amd64 trusted=yes] http://repo.test/debian bookworm main\n"},
 {"p": "etc/apt/sources.list.d/x.sources", "c": "Types: deb\nURIs: http://x.test\nSuites: s\nComponents: main\nAllow-Insecure: yes\n\nTypes: deb\nURIs: http://off.test\nSuites: s\nComponents: main\nEnabled: no\nTrusted: yes\n"},
 {"p": "etc/apt/apt.conf.d/99insecure", "c": "APT { Get { AllowUnauthenticated \"true\"; }; };\n"},
 {"p": "etc/yum.repos.d/r.repo", "c": "[r]\nname=r\nbaseurl=http://r.test/\ngpgcheck=0\n"},
 {"p": "var/lib/dpkg/status", "c": $(J $T/status.bad)},
 {"p": "var/lib/dpkg/info/login.list", "c": "/bin/su\n"},
 {"p": "usr/bin/su", "m": "4755", "c": "su"},
 {"p": "usr/bin/wall", "m": "2755", "g": 5, "gn": "tty", "c": "wall"},
 {"p": "usr/local/bin/gone", "m": "4755", "c": "x"},
 {"p": "usr/local/bin/fixed", "m": "6755", "c": "x"},
 {"p": "opt/sec/hidden", "m": "4755", "c": "x"},
 {"p": "data", "t": "d", "m": "0777", "u": 1000, "g": 1000, "un": "app", "gn": "app"},
 {"p": "shared", "t": "d", "m": "0777"},
 {"p": "srv/open.txt", "m": "0666", "c": "x"},
 {"p": "pub", "t": "d", "m": "1777"},
 {"p": "tmp", "t": "d", "m": "1777"}, {"p": "tmp/x", "t": "d", "m": "0777"},
 {"p": "var/tmp/y.txt", "m": "0666", "c": "y"},
 {"p": "var/cache/apt/archives/foo_1.0_amd64.deb", "n": 1000},
 {"p": "var/cache/apt/archives/lock", "m": "0640"},
 {"p": "var/lib/apt/lists/deb.debian.org_dists_bookworm_InRelease", "n": 500},
 {"p": "var/lib/apt/lists/lock"},
 {"p": "root/.cache/pip/http/a/b", "n": 100}, {"p": "root/.cache/pip/http/a/c", "n": 50}]
E
layer $T/bad0.tar $T/bad0.json
# layer 1: deletes a setuid file (whiteout), hides a directory (opaque),
# lists "shared" again with a safe mode, rewrites "fixed" without the bits
cat > $T/bad1.json <<'E'
[{"p": "usr/local/bin/.wh.gone", "c": ""}, {"p": "opt/sec", "t": "d"}, {"p": "opt/sec/.wh..wh..opq", "c": ""},
 {"p": "shared", "t": "d", "m": "0755"}, {"p": "usr/local/bin/fixed", "m": "0755", "c": "x"}]
E
layer $T/bad1.tar $T/bad1.json
BADCFG='{"User":"admin","Healthcheck":{"Test":["CMD","true"]},"Cmd":["/opt/app"]}'
$MKIMAGE --format docker-archive -o $T/bad.tar --history '/bin/sh -c #(nop) ADD file:0f1e2d3c in / ' \
	--history 'RUN /bin/sh -c rm /usr/local/bin/gone && chmod 755 /shared /usr/local/bin/fixed # buildkit' \
	--config-json "$BADCFG" --config-top '{"created":"2024-12-01T00:00:00Z"}' $T/bad0.tar $T/bad1.tar || bad "mkimage bad"

$STOWAWAY scan -q --scanners config -f json -o $T/bad.json $T/bad.tar 2> $T/bad.err; rc=$?
[ $rc -eq 0 ] && ok "bad image scanned" || bad "bad rc $rc: $(cat $T/bad.err)"
check $T/bad.json '
for i in ["SW-CFG-001","SW-CFG-003","SW-CFG-008","SW-CFG-011","SW-CFG-103","SW-CFG-104","SW-CFG-105","SW-CFG-507"]:
    assert c[i]["status"] == "fail", (i, c[i]["status"], c[i]["note"])
pe = lambda i: sorted((e["path"], e["layer"]) for e in ev(i) if e["path"])
# 4.1: User admin is uid 0 through /etc/passwd (layer 0), high
assert c["SW-CFG-001"]["severity"] == "high"
assert [e["detail"] for e in ev("SW-CFG-001") if e["path"]] == ["user '"'"'admin'"'"' is uid 0 (line 3 of /etc/passwd)"]
# 4.8: su (setuid, owned by login through bin -> usr/bin), wall (setgid, no package);
# not gone (whiteout), hidden (opaque dir), fixed (rewritten without the bits)
assert pe("SW-CFG-008") == [("usr/bin/su", 0), ("usr/bin/wall", 0)], pe("SW-CFG-008")
d = {e["path"]: e["detail"] for e in ev("SW-CFG-008")}
assert d["usr/bin/su"] == "setuid file, mode 4755, owner root (uid 0), group root (gid 0), package deb:login 1:4.13+dfsg1-1", d
assert d["usr/bin/wall"] == "setgid file, mode 2755, owner root (uid 0), group tty (gid 5), no OS package owns it", d
assert all(e["createdBy"].startswith("/bin/sh -c #(nop) ADD file:") and e["history"] == 0 for e in ev("SW-CFG-008"))
# 105: data (dir 0777), srv/open.txt (file 0666); not shared (made safe), tmp/x, var/tmp/y.txt, pub, tmp
assert pe("SW-CFG-105") == [("data", 0), ("srv/open.txt", 0)], pe("SW-CFG-105")
d = {e["path"]: e["detail"] for e in ev("SW-CFG-105")}
assert d["data"] == "world-writable directory without the sticky bit, mode 0777, owner app (uid 1000), group app (gid 1000)", d
# 103: toor, admin; 104: nopw (passwd), svc (shadow)
assert sorted(e["detail"] for e in ev("SW-CFG-103")) == ["account '"'"'admin'"'"' has uid 0 (line 3)", "account '"'"'toor'"'"' has uid 0 (line 2)"]
assert sorted((e["path"], e["detail"].split("'"'"'")[1]) for e in ev("SW-CFG-104")) == [("etc/passwd", "nopw"), ("etc/shadow", "svc")]
# 4.11: one issue per planted setting; the disabled deb822 stanza does not count
got = sorted((e["path"], e["detail"].split(" in ")[0]) for e in ev("SW-CFG-011"))
assert got == [("etc/apt/apt.conf.d/99insecure", "line 1: AllowUnauthenticated \"true\""),
               ("etc/apt/sources.list", "line 1: [trusted=yes]"),
               ("etc/apt/sources.list.d/x.sources", "line 5: Allow-Insecure: yes"),
               ("etc/yum.repos.d/r.repo", "line 4: gpgcheck off")], got
assert c["SW-CFG-011"]["severity"] == "high"
# 4.3: openssh-server, sudo, gcc-12, and three caches, severity low
det = sorted(e["detail"] for e in ev("SW-CFG-003"))
assert det == sorted(["package openssh-server 1:9.2p1-2 (an SSH server)", "package sudo 1.9.13p3-1 (a privilege-escalation tool)",
    "package gcc-12 12.2.0-14 (a compiler)", "apt package archives and caches (*.deb, *.bin) left behind: 1 file, 1000 bytes",
    "apt package lists left behind: 1 file, 500 bytes", "pip cache left behind: 2 files, 150 bytes"]), det
assert c["SW-CFG-003"]["severity"] == "low"
assert sorted(e["path"] for e in ev("SW-CFG-003") if "left behind" in e["detail"]) == ["root/.cache/pip", "var/cache/apt", "var/lib/apt/lists"]
# 5.7: sshd installed (package), not in the entrypoint
assert [e["detail"] for e in ev("SW-CFG-507")] == ["sshd is installed: package openssh-server 1:9.2p1-2"], ev("SW-CFG-507")
assert c["SW-CFG-507"]["severity"] == "medium"
' && ok "bad image: each planted file failure found with path and layer; whiteout, opaque dir, safe mode and rewrite drop theirs" || bad "bad image results"

# ---- every format carries the file evidence ----
for f in table sarif html junit cyclonedx; do
	$STOWAWAY scan -q --scanners config -f $f -o $T/bad.$f $T/bad.tar 2>> $T/fmt.err || bad "format $f"
done
python3 - $T/bad.sarif <<'PY' && ok "sarif: file evidence has artifactLocation.uri without a leading '/'" || bad "sarif file locations"
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
res = {r["ruleId"]: r for r in run["results"]}
uris = sorted(l["physicalLocation"]["artifactLocation"]["uri"] for l in res["SW-CFG-008"]["locations"])
assert uris == ["usr/bin/su", "usr/bin/wall"], uris
assert sorted(l["physicalLocation"]["artifactLocation"]["uri"] for l in res["SW-CFG-105"]["locations"]) == ["data", "srv/open.txt"]
# one location per path: the three packages share var/lib/dpkg/status
u3 = [l["physicalLocation"]["artifactLocation"]["uri"] for l in res["SW-CFG-003"]["locations"]]
assert sorted(u3) == ["root/.cache/pip", "var/cache/apt", "var/lib/apt/lists", "var/lib/dpkg/status"], u3
assert "CIS-4.8" in [r for r in run["tool"]["driver"]["rules"] if r["id"] == "SW-CFG-008"][0]["properties"]["tags"]
PY
bash $SW_SOURCE_DIR/tests/tools/sarif-validate.sh $T/bad.sarif && ok "sarif validates (Multitool)" || bad "sarif validate"
grep -q "/usr/bin/su" $T/bad.table && grep -q "setuid file, mode 4755" $T/bad.table && ok "table: file evidence with path" || bad "table file evidence"
python3 - $T/bad.cyclonedx <<'PY' && ok "cyclonedx: the check property names the files" || bad "cyclonedx file evidence"
import json, sys
p = {x["name"]: x["value"] for x in json.load(open(sys.argv[1])).get("properties", [])}
assert p["stowaway:check:SW-CFG-008"].startswith("fail medium:") and "/usr/bin/su" in p["stowaway:check:SW-CFG-008"], p
PY
grep -q "usr/bin/su" $T/bad.html && grep -q "srv/open.txt" $T/bad.html && ok "html: file evidence with path" || bad "html file evidence"
python3 - $T/bad.junit <<'PY' && ok "junit: file evidence with path in the failure text" || bad "junit file evidence"
import sys, xml.etree.ElementTree as ET
suite = [s for s in ET.parse(sys.argv[1]).getroot() if s.get("name") == "image checks"][0]
case = [c for c in suite.findall("testcase") if "SW-CFG-008" in c.get("name")][0]
assert "/usr/bin/su" in case.find("failure").text, case.find("failure").text
assert len(suite.findall("testcase")) == 20
PY
$VALIDATE $SW_SOURCE_DIR/docs/stowaway-scan.schema.json $T/good.json $T/bad.json && ok "json validates" || bad "json schema"
if [ -n "${SW_SHARED_DATA:-}" ] && [ -d "$SW_SHARED_DATA/schemas" ]; then
	$VALIDATE $SW_SHARED_DATA/schemas/sarif/sarif-schema-2.1.0.json $T/bad.sarif && ok "sarif validates (schema)" || bad "sarif schema"
	$VALIDATE $SW_SHARED_DATA/schemas/cyclonedx/bom-1.5.schema.json $T/bad.cyclonedx && ok "cyclonedx validates" || bad "cyclonedx schema"
else
	bad "schema validation: ../shared/data/schemas is absent (SW_SHARED_DATA='${SW_SHARED_DATA:-}')"
fi

# ---- the image cache gives the same results as a fresh pass ----
strip() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps(d["checks"], sort_keys=True))' "$1"; }
export STOWAWAY_CACHE_DIR=$T/cache STOWAWAY_DEBUG_CACHE=1
STOWAWAY_NO_CACHE=0 $STOWAWAY scan -q --scanners config -f json -o $T/c1.json $T/bad.tar 2> $T/c1.err
STOWAWAY_NO_CACHE=0 $STOWAWAY scan -q --scanners config -f json -o $T/c2.json $T/bad.tar 2> $T/c2.err
rm -rf $T/cache/images
STOWAWAY_NO_CACHE=0 $STOWAWAY scan -q --scanners config -f json -o $T/c3.json $T/bad.tar 2> $T/c3.err
unset STOWAWAY_DEBUG_CACHE
if grep -q "^image cache: hit" $T/c2.err && grep -q "^layer cache: 2 cached, 0 read" $T/c3.err \
	&& [ "$(strip $T/bad.json)" = "$(strip $T/c1.json)" ] && [ "$(strip $T/bad.json)" = "$(strip $T/c2.json)" ] \
	&& [ "$(strip $T/bad.json)" = "$(strip $T/c3.json)" ]; then
	ok "image cache hit and layer cache: the same check results as a fresh pass"
else
	bad "cached results differ or cache not used: $(cat $T/c2.err $T/c3.err | grep cache)"
fi

# ---------------- bad input: passwd missing, binary, too large, a symlink; an unknown user ----------------
mk_user_image() {   # NAME USER LAYERSPEC
	echo "$3" > $T/$1.json
	layer $T/$1.l.tar $T/$1.json
	$MKIMAGE --format docker-archive -o $T/$1.tar --history 'ADD rootfs / # buildkit' \
		--config-json "{\"User\":\"$2\",\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"]}}" $T/$1.l.tar || bad "mkimage $1"
	$STOWAWAY scan -q --scanners config -f json -o $T/$1.out.json $T/$1.tar 2> $T/$1.err || bad "scan $1: $(cat $T/$1.err)"
}
mk_user_image nopw app '[{"p": "etc/hostname", "c": "x\n"}]'
check $T/nopw.out.json '
assert c["SW-CFG-001"]["status"] == "info" and "no /etc/passwd" in c["SW-CFG-001"]["note"], c["SW-CFG-001"]
assert c["SW-CFG-103"]["status"] == "info" and c["SW-CFG-104"]["status"] == "info", (c["SW-CFG-103"], c["SW-CFG-104"])
assert any("no /etc/passwd" in n for n in doc["checks"]["notes"]), doc["checks"]["notes"]
' && ok "no /etc/passwd: a note; 4.1 (named user), 103, 104 info" || bad "no passwd"
mk_user_image binpw app '[{"p": "etc/passwd", "c": "root:x:0:0::/root:/bin/sh\napp:x:0:0\u0000\u0001::/:/bin/sh\n"}]'
check $T/binpw.out.json '
assert c["SW-CFG-001"]["status"] == "info" and "not text" in c["SW-CFG-001"]["note"], c["SW-CFG-001"]
assert c["SW-CFG-103"]["status"] == "info"
assert any("/etc/passwd is not text" in n for n in doc["checks"]["notes"]), doc["checks"]["notes"]
' && ok "binary /etc/passwd: a note, info (never a silent pass)" || bad "binary passwd"
mk_user_image hugepw app "[{\"p\": \"etc/passwd\", \"c\": \"root:x:0:0::/root:/bin/sh\n$(head -c 1100000 /dev/zero | tr '\0' '#')\n\"}]"
check $T/hugepw.out.json '
assert c["SW-CFG-001"]["status"] == "info" and "over the 1048576-byte limit" in c["SW-CFG-001"]["note"], c["SW-CFG-001"]
assert c["SW-CFG-103"]["status"] == "info" and c["SW-CFG-104"]["status"] == "info"
' && ok "/etc/passwd over 1 MiB: info with the reason" || bad "huge passwd"
mk_user_image linkpw app '[{"p": "etc/passwd", "t": "l", "l": "../usr/share/passwd"}, {"p": "usr/share/passwd", "c": "app:x:0:0::/:/bin/sh\n"}]'
check $T/linkpw.out.json '
assert c["SW-CFG-001"]["status"] == "info" and "symlink to" in c["SW-CFG-001"]["note"], c["SW-CFG-001"]
' && ok "/etc/passwd a symlink: info naming it" || bad "symlinked passwd"
mk_user_image ghost ghost '[{"p": "etc/passwd", "c": "root:x:0:0::/root:/bin/sh\nbroken line\n"}]'
check $T/ghost.out.json '
assert c["SW-CFG-001"]["status"] == "info" and "not in the image" in c["SW-CFG-001"]["note"], c["SW-CFG-001"]
assert c["SW-CFG-103"]["status"] == "pass"
assert any("1 line could not be read (the first is line 2)" in n for n in doc["checks"]["notes"]), doc["checks"]["notes"]
' && ok "a User not in /etc/passwd: info; a broken line: a note" || bad "unknown user"

# ---- apk: setuid ownership from lib/apk/db/installed, caches, sudo; layers with history ----
printf 'ID=alpine\nVERSION_ID=3.19.1\n' > $T/osrel.alpine
printf 'P:busybox\nV:1.36.1-r15\nA:x86_64\nF:bin\nR:busybox\n\nP:sudo\nV:1.9.15-r0\nA:x86_64\nF:usr/bin\nR:sudo\n\n' > $T/apk.installed
cat > $T/alp0.json <<E
[{"p": "etc/os-release", "c": $(J $T/osrel.alpine)}, {"p": "lib/apk/db/installed", "c": $(J $T/apk.installed)},
 {"p": "bin/busybox", "m": "4755", "c": "bb"}, {"p": "usr/bin/sudo", "m": "4111", "c": "s"},
 {"p": "etc/apk/repositories", "c": "https://dl-cdn.alpinelinux.org/alpine/v3.19/main\n"}]
E
layer $T/alp0.tar $T/alp0.json
echo '[{"p": "var/cache/apk/APKINDEX.abc.tar.gz", "n": 300}, {"p": "etc/passwd", "c": "root:x:0:0::/root:/bin/sh\n"}]' > $T/alp1.json
layer $T/alp1.tar $T/alp1.json
$MKIMAGE --format oci -o $T/alp --history '/bin/sh -c #(nop) ADD file:aa in / ' --history 'RUN /bin/sh -c apk update # buildkit' \
	--empty-history '1:ENV A=b' --config-json '{"User":"0"}' $T/alp0.tar $T/alp1.tar || bad "mkimage alpine"
$STOWAWAY scan -q --scanners config -f json -o $T/alp.json oci:$T/alp 2> $T/alp.err || bad "scan alpine: $(cat $T/alp.err)"
check $T/alp.json '
d = {e["path"]: e["detail"] for e in ev("SW-CFG-008")}
assert d == {"bin/busybox": "setuid file, mode 4755, owner root (uid 0), group root (gid 0), package apk:busybox 1.36.1-r15",
             "usr/bin/sudo": "setuid file, mode 4111, owner root (uid 0), group root (gid 0), package apk:sudo 1.9.15-r0"}, d
det = sorted((e["detail"], e["layer"], e["history"]) for e in ev("SW-CFG-003"))
assert det == [("apk cache left behind: 1 file, 300 bytes", 1, 2), ("package sudo 1.9.15-r0 (a privilege-escalation tool)", 0, 0)], det
assert c["SW-CFG-011"]["status"] == "pass" and c["SW-CFG-001"]["status"] == "fail"
' && ok "apk: setuid files owned by apk packages; apk cache with its layer and history entry (oci)" || bad "apk image"

# ---- names from the image never put control bytes on a terminal ----
mk_user_image esc 'e\u001b[2Jvil' '[{"p": "etc/passwd", "c": "root:x:0:0::/root:/bin/sh\ne\u001b[2Jvil:x:0:0::/:/bin/sh\n"}, {"p": "usr/bin/s\u001b]0;x\u0007uid", "m": "4755", "c": "x"}, {"p": "etc/apt/sources.list", "c": "deb [trusted=yes] http://\u001b[31mred s main\n"}]'
check $T/esc.out.json '
assert c["SW-CFG-001"]["status"] == "fail" and c["SW-CFG-103"]["status"] == "fail" and c["SW-CFG-011"]["status"] == "fail"
assert [e["path"] for e in ev("SW-CFG-008")] == ["usr/bin/s\x1b]0;x\x07uid"], ev("SW-CFG-008")
' && ok "hostile names: found (json keeps them escaped)" || bad "hostile names json"
$STOWAWAY scan --scanners config --show-passed $T/esc.tar > $T/esc.table 2> $T/esc.table.err
$STOWAWAY scan -q --scanners config -f junit $T/esc.tar > $T/esc.junit 2>> $T/esc.table.err
if grep -q "$(printf '\033')" $T/esc.table $T/esc.table.err || grep -q "$(printf '\007')" $T/esc.table $T/esc.table.err; then
	bad "a control byte from the image reached the table or stderr"
else
	grep -q "SW-CFG-008" $T/esc.table && ok "hostile names: no control byte in the table or on stderr" || bad "esc table"
fi
python3 -c 'import sys, xml.etree.ElementTree as ET; ET.parse(sys.argv[1])' $T/esc.junit && ok "hostile names: junit is well-formed XML" || bad "esc junit"

[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all ok"
