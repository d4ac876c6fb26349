#!/bin/bash
# End to end (issue 20): `stowaway host-check ROOT` on fake root trees built
# here (daemon.json, docker.service with ExecStart flags and a drop-in, audit
# rules, files with modes and owners set here).  The good tree passes every
# decidable control of sections 1.1, 2 and 3; the bad tree fails each one
# planted, with the file and line the setting is on.  Bad daemon.json: a note
# and the rest still decided; symlinks resolve inside ROOT.  Every format; --fail-on exit codes; a missing
# ROOT exits 2.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
export SOURCE_DATE_EPOCH=1735689600
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
[ "$(id -u)" -eq 0 ] || { bad "needs root to set file owners (chown)"; exit 1; }

tree() {  # tree DIR: the files every host has, owned root, modes per CIS
	local R=$1
	mkdir -p $R/etc/docker/certs.d/reg.example:5000 $R/etc/systemd/system $R/lib/systemd/system $R/etc/audit/rules.d \
		$R/usr/bin $R/var/lib/docker $R/run/containerd $R/etc/default $R/etc/containerd $R/etc/docker/tls
	ln -s ../run $R/var/run
	touch $R/usr/bin/dockerd $R/usr/bin/containerd $R/usr/bin/runc $R/usr/bin/containerd-shim-runc-v2 \
		$R/etc/default/docker $R/etc/containerd/config.toml $R/etc/docker/certs.d/reg.example:5000/ca.crt \
		$R/etc/docker/tls/ca.pem $R/etc/docker/tls/server.pem $R/etc/docker/tls/server-key.pem
	python3 -c 'import socket,sys; [socket.socket(socket.AF_UNIX).bind(p) for p in sys.argv[1:]]' $R/run/docker.sock $R/run/containerd/containerd.sock
	printf 'root:x:0:\ndocker:x:998:\n' > $R/etc/group
	printf '[Unit]\nDescription=Docker Application Container Engine\n\n[Socket]\nListenStream=/run/docker.sock\n' > $R/lib/systemd/system/docker.socket
	chown -R 0:0 $R
}

# ---------------- the good host ----------------
G=$T/good; tree $G
cat > $G/etc/docker/daemon.json <<'J'
{
  "icc": false,
  "log-level": "info",
  "userns-remap": "default",
  "authorization-plugins": ["authz-broker"],
  "log-driver": "syslog",
  "no-new-privileges": true,
  "live-restore": true,
  "userland-proxy": false,
  "default-ulimits": {"nofile": {"Name": "nofile", "Hard": 64000, "Soft": 64000}},
  "tlsverify": true,
  "tlscacert": "/etc/docker/tls/ca.pem",
  "tlscert": "/etc/docker/tls/server.pem",
  "tlskey": "/etc/docker/tls/server-key.pem"
}
J
cat > $G/lib/systemd/system/docker.service <<'U'
[Unit]
Description=Docker Application Container Engine

[Service]
Type=notify
ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock
U
cat > $G/etc/audit/rules.d/docker.rules <<'A'
# Docker
-w /usr/bin/dockerd -k docker
-a always,exit -F path=/usr/bin/containerd -F perm=x -k docker
-w /usr/bin/containerd-shim-runc-v2 -k docker
-w /usr/bin/runc -k docker
-w /run/containerd -k docker
-w /var/lib/docker -k docker
-w /etc/docker -k docker
-w /lib/systemd/system/docker.service -k docker
-w /lib/systemd/system/docker.socket -k docker
-w /etc/default/docker -k docker
-w /etc/containerd/config.toml -k docker
A
chmod 644 $G/lib/systemd/system/docker.service $G/lib/systemd/system/docker.socket $G/etc/docker/daemon.json $G/etc/default/docker
chmod 755 $G/etc/docker; chmod 444 $G/etc/docker/certs.d/reg.example:5000/ca.crt $G/etc/docker/tls/ca.pem $G/etc/docker/tls/server.pem
chmod 400 $G/etc/docker/tls/server-key.pem; chmod 660 $G/run/docker.sock $G/run/containerd/containerd.sock
chown 0:998 $G/run/docker.sock; chown -h 0:0 $G/var/run

$STOWAWAY host-check -f json -o $T/g.json $G 2> $T/g.err; rc=$?
[ $rc -eq 0 ] && ok "good host: exit 0" || bad "good host rc $rc: $(cat $T/g.err)"
python3 - $T/g.json <<'PY' && ok "good host: no control failed; TLS, audit, ownership decided as planted" || bad "good host results"
import json, sys
d = json.load(open(sys.argv[1]))
c = {r["id"]: r for r in d["checks"]["results"]}
failed = [i for i, r in c.items() if r["status"] == "fail"]
assert not failed, [(i, c[i]["evidence"]) for i in failed]
for i in ["1.1.3", "1.1.4", "1.1.5", "1.1.6", "1.1.7", "1.1.9", "1.1.10", "1.1.11", "1.1.12", "1.1.14", "1.1.17", "1.1.18",
          "2.2", "2.3", "2.7", "2.8", "2.9", "2.12", "2.13", "2.14", "2.15", "2.16", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6",
          "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15", "3.16", "3.17", "3.18", "3.19", "3.20",
          "3.23", "3.24"]:
    assert c["SW-HOST-" + i]["status"] == "pass", (i, c["SW-HOST-" + i])
    assert c["SW-HOST-" + i]["cis"] == i
# not on this host
for i in ["1.1.13", "1.1.15", "1.1.16", "3.21", "3.22"]:
    assert c["SW-HOST-" + i]["status"] == "info", i
assert c["SW-HOST-2.1"]["status"] == "manual"
e = c["SW-HOST-1.1.14"]["evidence"][0]
assert e["path"] == "etc/audit/rules.d/docker.rules" and e["line"] == 3, e
e = c["SW-HOST-2.2"]["evidence"][0]
assert e["path"] == "etc/docker/daemon.json" and e["line"] == 2 and e["configKey"] == "icc", e
assert c["SW-HOST-3.16"]["evidence"][0]["path"] == "run/docker.sock"   # through the var/run symlink
PY

# ---------------- the bad host ----------------
B=$T/bad; tree $B
cat > $B/etc/docker/daemon.json <<'J'
{
  "icc": true,
  "log-level": "debug",
  "insecure-registries": ["10.0.0.5:5000", "registry.local"],
  "storage-driver": "aufs",
  "storage-opts": ["dm.basesize=20G"],
  "cgroup-parent": "/foobar",
  "log-driver": "json-file",
  "live-restore": false,
  "seccomp-profile": "unconfined",
  "tlscacert": "/etc/docker/tls/ca.pem",
  "tlscert": "/etc/docker/tls/server.pem",
  "tlskey": "/etc/docker/tls/server-key.pem"
}
J
cat > $B/lib/systemd/system/docker.service <<'U'
[Service]
ExecStart=/usr/bin/dockerd -H fd://
U
mkdir -p $B/etc/systemd/system/docker.service.d
cat > $B/etc/systemd/system/docker.service.d/override.conf <<'U'
[Service]
ExecStart=
ExecStart=/usr/bin/dockerd -H fd:// \
    -H tcp://0.0.0.0:2375 --iptables=false \
    --experimental --userland-proxy=true
U
printf -- '-w /usr/bin/runc -k docker\n' > $B/etc/audit/audit.rules
chmod 666 $B/lib/systemd/system/docker.service $B/etc/docker/daemon.json; chmod 777 $B/etc/docker
chmod 644 $B/etc/docker/certs.d/reg.example:5000/ca.crt $B/etc/docker/tls/ca.pem $B/etc/docker/tls/server.pem
chmod 640 $B/etc/docker/tls/server-key.pem; chmod 666 $B/run/docker.sock
chown 1000:1000 $B/lib/systemd/system/docker.service $B/etc/docker/daemon.json $B/etc/docker/tls/server-key.pem \
	$B/etc/docker/certs.d/reg.example:5000/ca.crt $B/lib/systemd/system/docker.socket $B/etc/docker
chown 0:0 $B/run/docker.sock
# an absolute symlink with '..' resolves inside ROOT, never on the machine running the test
rm $B/etc/default/docker; : > $B/etc/default.real; chmod 666 $B/etc/default.real
ln -s /etc/docker/../../../../etc/default.real $B/etc/default/docker

$STOWAWAY host-check -f json -o $T/b.json $B 2> $T/b.err; rc=$?
[ $rc -eq 0 ] && ok "bad host without --fail-on: exit 0" || bad "bad host rc $rc: $(cat $T/b.err)"
python3 - $T/b.json <<'PY' && ok "bad host: each planted failure with its file and line" || bad "bad host results"
import json, sys
d = json.load(open(sys.argv[1]))
c = {r["id"][8:]: r for r in d["checks"]["results"]}
def ev(i, **want):
    for e in c[i]["evidence"]:
        if all(e.get(k) == v for k, v in want.items()):
            return e
    raise AssertionError((i, want, c[i]["evidence"]))
expect_fail = ["1.1.3", "1.1.4", "1.1.5", "1.1.6", "1.1.7", "1.1.11", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.9",
               "2.11", "2.12", "2.13", "2.14", "2.15", "2.16", "2.17", "2.18", "3.1", "3.2", "3.3", "3.5", "3.6", "3.7",
               "3.8", "3.10", "3.12", "3.13", "3.14", "3.15", "3.16", "3.17", "3.18"]
for i in expect_fail:
    assert c[i]["status"] == "fail", (i, c[i])
for i in ["1.1.18", "3.4", "3.9", "3.11", "3.19"]:
    assert c[i]["status"] == "pass", (i, c[i])
assert c["2.10"]["status"] == "info"
ev("2.2", path="etc/docker/daemon.json", line=2, configKey="icc")
ev("2.3", path="etc/docker/daemon.json", line=3)
assert len([e for e in c["2.5"]["evidence"] if e["line"] == 4]) == 2
ev("2.6", line=5); ev("2.11", line=6); ev("2.13", line=8); ev("2.15", line=9); ev("2.17", line=10)
assert c["2.17"]["severity"] == "high"
dropin = "etc/systemd/system/docker.service.d/override.conf"
ev("2.4", path=dropin, line=3, configKey="iptables")
ev("2.7", path=dropin, line=3, configKey="hosts")
ev("2.18", path=dropin, line=3); ev("2.16", path=dropin, line=3)
assert "2375" in ev("2.7", configKey="hosts")["detail"]
ev("3.2", path="lib/systemd/system/docker.service")
assert "0666" in c["3.18"]["evidence"][0]["detail"]
assert "1000:1000" in c["3.13"]["evidence"][0]["detail"]
assert "owner 0:0" in c["3.15"]["evidence"][0]["detail"]
e = c["3.20"]["evidence"][0]
assert c["3.20"]["status"] == "fail" and e["path"] == "etc/default.real" and "0666" in e["detail"], e
PY

$STOWAWAY host-check --fail-on high $B > $T/b.txt 2> $T/b.err; rc=$?
[ $rc -eq 1 ] && grep -q "SW-HOST-2.5" $T/b.txt && grep -q "daemon.json:4" $T/b.txt && ok "--fail-on high: exit 1; table shows file:line" \
	|| bad "fail-on high: rc $rc"
$STOWAWAY host-check -q --fail-on critical $B > /dev/null; rc=$?
[ $rc -eq 0 ] && ok "--fail-on critical: no critical host control, exit 0" || bad "fail-on critical rc $rc"
for f in sarif junit html cyclonedx spdx-json table; do
	$STOWAWAY host-check -f $f -o $T/b.$f $B 2> $T/e.txt && [ -s $T/b.$f ] || bad "-f $f: $(cat $T/e.txt)"
done
python3 - $T/b.sarif <<'PY' && ok "every format written; SARIF has the daemon.json line as region" || bad "sarif"
import json, sys
d = json.load(open(sys.argv[1]))
r = [x for x in d["runs"][0]["results"] if x["ruleId"] == "SW-HOST-2.5"][0]
loc = r["locations"][0]["physicalLocation"]
assert loc["artifactLocation"]["uri"] == "etc/docker/daemon.json" and loc["region"]["startLine"] == 4, loc
PY
grep -q 'testcase.*SW-HOST-2.5' $T/b.junit && ok "JUnit testcases" || bad "junit"

# ---------------- bad input ----------------
printf '{"icc": false,\n "log-level": \x01 }' > $B/etc/docker/daemon.json
$STOWAWAY host-check -f json -o $T/x.json $B 2> $T/e.txt; rc=$?
[ $rc -eq 0 ] && python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); n=d["checks"]["notes"]
assert any("etc/docker/daemon.json: line 2" in x for x in n), n
c={r["id"]:r for r in d["checks"]["results"]}; assert c["SW-HOST-2.4"]["status"]=="fail"' $T/x.json \
	&& ok "broken daemon.json: a note naming file and line; flags still decided" || bad "broken daemon.json rc $rc"
$STOWAWAY host-check $T/missing > /dev/null 2> $T/e.txt; rc=$?
[ $rc -eq 2 ] && [ $(wc -l < $T/e.txt) -eq 1 ] && ok "missing ROOT: one line, exit 2" || bad "missing root rc $rc"
$STOWAWAY host-check --fail-on bogus $G > /dev/null 2>&1; [ $? -eq 64 ] && ok "bad --fail-on: usage 64" || bad "usage"
$STOWAWAY host-check --help | grep -q "Examples:" && ok "--help has examples" || bad "help"

[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all ok"
