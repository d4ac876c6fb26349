#!/bin/bash
# End to end (issue 20): the Docker Engine API over a Unix socket, served by
# tests/tools/fakedocker.py from images built and saved here and container
# documents written here in the Engine API's shape.
#  - scan docker-daemon:NAME and docker-daemon:ID stream GET /images/NAME/get
#    through the verified pass: the planted package and its advisories found;
#  - errors: a missing socket, a 404 (the daemon's message), tcp:// DOCKER_HOST:
#    one line, exit 2;
#  - stowaway containers: CIS 5 controls decided from what each container
#    document plants (a privileged one, one mounting the socket, a hardened one),
#    each distinct image scanned once, a vanished and a broken container named
#    with exit 3 (partial), --fail-on exit 1, every format valid.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
T=$(mktemp -d)
SRV=
trap '[ -n "$SRV" ] && kill $SRV 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
export STOWAWAY_DB=$T/db.sqlite SOURCE_DATE_EPOCH=1735689600 STOWAWAY_NOW=1735689600 STOWAWAY_NO_CACHE=1
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }

# ---- advisories: openssl 3.0.11-1~deb12u2 is affected by 1001 (fixed later, high) and 1003 (open, medium)
cat > $T/debian.json <<'J'
{"openssl": {
  "CVE-2024-1001": {"description": "x", "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.13-1~deb12u1", "urgency": "high", "repositories": {"bookworm": "3.0.13-1~deb12u1"}}}},
  "CVE-2024-1002": {"description": "fixed before ours", "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.9-1", "urgency": "high", "repositories": {}}}},
  "CVE-2024-1003": {"description": "open", "releases": {"bookworm": {"status": "open", "urgency": "medium", "repositories": {}}}}},
 "zlib": {
  "CVE-2024-2001": {"description": "x", "releases": {"bookworm": {"status": "resolved", "fixed_version": "1:1.2.13.dfsg-2", "urgency": "high", "repositories": {}}}}}}
J
$STOWAWAY db update -q --source debian=$T/debian.json 2> $T/upd.err || bad "db update: $(cat $T/upd.err)"

# ---- two images: app (openssl) and base (zlib)
mkdir -p $T/app/etc $T/app/var/lib/dpkg $T/base/etc $T/base/var/lib/dpkg
for d in app base; do
	printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n' > $T/$d/etc/os-release
done
printf 'Package: openssl\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u2\nArchitecture: amd64\n\n' > $T/app/var/lib/dpkg/status
printf 'Package: zlib1g\nStatus: install ok installed\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\nArchitecture: amd64\n\n' > $T/base/var/lib/dpkg/status
$MKIMAGE --format docker-archive -o $T/app.tar --tag app:1 $T/app || bad "mkimage app"
$MKIMAGE --format docker-archive -o $T/base.tar --tag base:2 $T/base || bad "mkimage base"
cfgid() { python3 -c 'import json,sys,tarfile; t=tarfile.open(sys.argv[1]); m=json.load(t.extractfile("manifest.json")); print("sha256:"+m[0]["Config"].split("/")[-1].replace(".json",""))' "$1"; }
APPID=$(cfgid $T/app.tar); BASEID=$(cfgid $T/base.tar)

# ---- container documents (Docker Engine API ContainerInspectResponse shape)
python3 - "$T" "$APPID" "$BASEID" <<'PY'
import json, sys
T, appid, baseid = sys.argv[1:4]
def ctr(cid, name, image, imageid, hc, mounts=(), cmd=("app",), path="app", apparmor="docker-default"):
    base_hc = {"Binds": None, "NetworkMode": "bridge", "PortBindings": {}, "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0},
               "CapAdd": None, "CapDrop": None, "IpcMode": "private", "PidMode": "", "UTSMode": "", "UsernsMode": "",
               "Privileged": False, "ReadonlyRootfs": False, "SecurityOpt": None, "CpuShares": 0, "Memory": 0,
               "NanoCpus": 0, "CpuQuota": 0, "PidsLimit": None, "Devices": []}
    base_hc.update(hc)
    return {"Id": cid, "Created": "2024-12-01T00:00:00Z", "Path": path, "Args": list(cmd[1:]),
            "State": {"Status": "running", "Running": True, "Pid": 4242, "ExitCode": 0},
            "Image": imageid, "Name": "/" + name, "RestartCount": 0, "Driver": "overlay2",
            "AppArmorProfile": apparmor, "HostConfig": base_hc, "Mounts": list(mounts),
            "Config": {"Hostname": cid[:12], "Image": image, "Cmd": list(cmd), "Entrypoint": None, "Env": []},
            "NetworkSettings": {"Networks": {}}}
priv = ctr("a" * 64, "priv", "app:1", appid, {"Privileged": True, "CapAdd": ["SYS_ADMIN", "NET_ADMIN"],
        "NetworkMode": "host", "PidMode": "host", "IpcMode": "host", "UTSMode": "host",
        "SecurityOpt": ["seccomp=unconfined", "apparmor=unconfined"],
        "PortBindings": {"22/tcp": [{"HostIp": "", "HostPort": "22"}]},
        "RestartPolicy": {"Name": "always", "MaximumRetryCount": 0},
        "Devices": [{"PathOnHost": "/dev/kmsg", "PathInContainer": "/dev/kmsg", "CgroupPermissions": "rwm"}]},
        mounts=[{"Type": "bind", "Source": "/etc", "Destination": "/host/etc", "Mode": "", "RW": True, "Propagation": "rshared"}],
        cmd=("/usr/sbin/sshd", "-D"), path="/usr/sbin/sshd", apparmor="unconfined")
sock = ctr("b" * 64, "ci-agent", "app:1", appid, {"Binds": ["/var/run/docker.sock:/var/run/docker.sock"]},
        mounts=[{"Type": "bind", "Source": "/var/run/docker.sock", "Destination": "/var/run/docker.sock", "Mode": "", "RW": True, "Propagation": "rprivate"}])
good = ctr("c" * 64, "hardened", "base:2", baseid, {"NetworkMode": "appnet", "ReadonlyRootfs": True, "Memory": 268435456,
        "NanoCpus": 500000000, "PidsLimit": 100, "SecurityOpt": ["no-new-privileges:true"],
        "PortBindings": {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}]},
        "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 5}},
        mounts=[{"Type": "volume", "Name": "data", "Source": "/var/lib/docker/volumes/data/_data", "Destination": "/data", "RW": True, "Propagation": ""}])
cfg = {"images": {"app:1": T + "/app.tar", appid: T + "/app.tar", "base:2": T + "/base.tar", baseid: T + "/base.tar"},
       "containers": [priv, sock, good]}
json.dump(cfg, open(T + "/cfg.json", "w"))
cfg2 = dict(cfg, vanish=["d" * 64], broken=["e" * 64])
json.dump(cfg2, open(T + "/cfg2.json", "w"))
PY

start() {  # start CONFIG: the fake daemon on $T/d.sock
	[ -n "$SRV" ] && kill $SRV 2>/dev/null && wait $SRV 2>/dev/null
	rm -f $T/d.sock
	python3 $SW_SOURCE_DIR/tests/tools/fakedocker.py $T/d.sock "$1" & SRV=$!
	for _ in $(seq 100); do [ -S $T/d.sock ] && return 0; sleep 0.1; done
	bad "fake daemon did not start"
}
start $T/cfg.json
export DOCKER_HOST=unix://$T/d.sock

# ---- docker-daemon: by name and by ID
for ref in app:1 $APPID; do
	if $STOWAWAY scan -q -f json -o $T/s.json docker-daemon:$ref 2> $T/s.err; then
		python3 - $T/s.json <<'PY' && ok "scan docker-daemon:$ref: openssl and CVE-2024-1001/1003 found" || bad "scan docker-daemon:$ref"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["image"]["transport"] == "docker-daemon", d["image"]
assert [p["name"] for p in d["packages"]] == ["openssl"], d["packages"]
ids = sorted(v["id"] for v in d["vulnerabilities"])
assert ids == ["CVE-2024-1001", "CVE-2024-1003"], ids
PY
	else bad "scan docker-daemon:$ref: $(cat $T/s.err)"; fi
done
grep -c "GET /images/app:1/get" $T/cfg.json.log | grep -qx 1 && ok "one GET /images/app:1/get" || bad "requests: $(cat $T/cfg.json.log)"

# ---- errors: one line, exit 2
$STOWAWAY scan -q docker-daemon:nope:9 > /dev/null 2> $T/e.txt; rc=$?
[ $rc -eq 2 ] && [ $(wc -l < $T/e.txt) -eq 1 ] && grep -q "HTTP 404: No such image: nope:9" $T/e.txt \
	&& ok "unknown image: the daemon's 404 message, exit 2" || bad "404: rc $rc $(cat $T/e.txt)"
DOCKER_HOST=unix://$T/none.sock $STOWAWAY scan -q docker-daemon:app:1 > /dev/null 2> $T/e.txt; rc=$?
[ $rc -eq 2 ] && [ $(wc -l < $T/e.txt) -eq 1 ] && grep -q "none.sock" $T/e.txt \
	&& ok "missing socket: one line naming it, exit 2" || bad "missing socket: rc $rc $(cat $T/e.txt)"
DOCKER_HOST=tcp://127.0.0.1:2375 $STOWAWAY scan -q docker-daemon:app:1 > /dev/null 2> $T/e.txt; rc=$?
[ $rc -eq 2 ] && grep -q "only unix://" $T/e.txt && ok "tcp:// DOCKER_HOST refused, exit 2" || bad "tcp: rc $rc $(cat $T/e.txt)"
$STOWAWAY scan -q docker-daemon: > /dev/null 2> $T/e.txt; rc=$?
[ $rc -eq 2 ] && ok "empty docker-daemon: name: exit 2" || bad "empty name: rc $rc"

# ---- containers
: > $T/cfg.json.log
$STOWAWAY containers -q -f json -o $T/c.json 2> $T/c.err; rc=$?
[ $rc -eq 0 ] && ok "containers: exit 0 without --fail-on" || bad "containers rc $rc: $(cat $T/c.err)"
python3 - $T/c.json <<'PY' && ok "containers: CIS 5 results as planted per container, image summaries" || bad "containers results"
import json, sys
d = json.load(open(sys.argv[1]))
res = d["checks"]["results"]
def st(cid, name):
    r = [x for x in res if x["id"] == cid and any(("container /%s " % name) in (e["detail"] or "") for e in x["evidence"])]
    assert len(r) == 1, (cid, name, len(r))
    return r[0]
fail_priv = ["5.2", "5.4", "5.5", "5.6", "5.7", "5.8", "5.10", "5.11", "5.12", "5.13", "5.14", "5.15", "5.16",
             "5.17", "5.18", "5.20", "5.21", "5.22", "5.26", "5.29", "5.31"]
for c in fail_priv[:-1]:
    assert st("SW-CTR-" + c, "priv")["status"] == "fail", c
assert st("SW-CTR-5.31", "priv")["status"] == "pass"
assert st("SW-CTR-5.32", "priv")["status"] == "pass"
assert st("SW-CTR-5.30", "priv")["status"] == "pass"      # host network, not docker0
assert st("SW-CTR-5.5", "priv")["severity"] == "high"
assert st("SW-CTR-5.4", "priv")["severity"] == "high"      # SYS_ADMIN
assert any(e["configKey"] == "HostConfig.Privileged" for e in st("SW-CTR-5.5", "priv")["evidence"])
s = st("SW-CTR-5.32", "ci-agent")
assert s["status"] == "fail" and s["severity"] == "critical", s
assert any("/var/run/docker.sock" in e["detail"] for e in s["evidence"])
assert st("SW-CTR-5.5", "ci-agent")["status"] == "pass"
assert st("SW-CTR-5.30", "ci-agent")["status"] == "fail"   # bridge
hard = ["5.4", "5.5", "5.6", "5.7", "5.8", "5.10", "5.11", "5.12", "5.13", "5.14", "5.15", "5.16", "5.17", "5.18",
        "5.20", "5.21", "5.22", "5.26", "5.29", "5.30", "5.31", "5.32"]
for c in hard:
    assert st("SW-CTR-" + c, "hardened")["status"] == "pass", (c, st("SW-CTR-" + c, "hardened"))
sums = {e["detail"].split(":")[0]: e["detail"] for x in res if x["id"] == "SW-CTR-IMAGE" for e in x["evidence"]}
assert len(sums) == 3, sums
for n in ("container /priv (aaaaaaaaaaaa)", "container /ci-agent (bbbbbbbbbbbb)"):
    assert "2 vulnerabilities (critical 0, high 1, medium 1," in sums[n], sums[n]
assert "1 vulnerabilities (critical 0, high 1, medium 0," in sums["container /hardened (cccccccccccc)"]
PY
n=$(grep -c "/images/.*/get" $T/cfg.json.log)
[ "$n" -eq 2 ] && ok "each distinct image scanned once (2 image gets for 3 containers)" || bad "image gets: $n"
$STOWAWAY containers -q --no-images --fail-on critical > $T/c.txt 2> $T/c.err; rc=$?
[ $rc -eq 1 ] && grep -q "ci-agent" $T/c.txt && grep -q "SW-CTR-5.32" $T/c.txt && ok "--fail-on critical: exit 1; table names the containers" \
	|| bad "fail-on: rc $rc $(cat $T/c.err)"
for f in sarif junit html cyclonedx spdx-json; do
	$STOWAWAY containers -q --no-images -f $f -o $T/c.$f 2> $T/c.err && [ -s $T/c.$f ] || bad "containers -f $f: $(cat $T/c.err)"
done
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert any(r["ruleId"]=="SW-CTR-5.32" for r in d["runs"][0]["results"])' $T/c.sarif \
	&& ok "containers in SARIF, JUnit, HTML, CycloneDX, SPDX" || bad "sarif"

# ---- partial: one container vanished, one the daemon fails on
start $T/cfg2.json
$STOWAWAY containers -q --no-images -f json -o $T/p.json 2> $T/p.err; rc=$?
[ $rc -eq 3 ] && grep -q "dddddddddddd: gone before it was inspected" $T/p.err && grep -q "eeeeeeeeeeee: .*HTTP 500: container e*: driver failed" $T/p.err \
	&& python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert sum(r["id"]=="SW-CTR-5.5" for r in d["checks"]["results"])==3' $T/p.json \
	&& ok "partial: the rest checked, causes named, exit 3" || bad "partial: rc $rc $(cat $T/p.err)"

# ---- no daemon: exit 2
DOCKER_HOST=unix://$T/none.sock $STOWAWAY containers -q > /dev/null 2> $T/e.txt; rc=$?
[ $rc -eq 2 ] && [ $(wc -l < $T/e.txt) -eq 1 ] && ok "containers without a daemon: one line, exit 2" || bad "no daemon: rc $rc"

[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all ok"
