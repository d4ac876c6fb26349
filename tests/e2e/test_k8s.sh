#!/bin/bash
# End to end: `stowaway k8s` against a test Kubernetes API server
# (tests/tools/fakek8s.py: HTTPS with a CA this test makes with openssl, a
# bearer token, Pods, ReplicaSets, Jobs and Secrets in the API's JSON shapes,
# 3 namespaces, 2,000 pods, one namespace answering 403) whose pods run images
# served by Debian's docker-registry on 127.0.0.1 (one open, one needing the
# credentials of the pods' imagePullSecrets), plus one digest no registry has.
# The expected workloads, Pod Security Standards failures (from the PSS
# spec, by hand, for what each planted pod spec sets), images and
# vulnerabilities (hand-written OSV advisories) are what the test planted.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
MKIMAGE="$PY $SW_SOURCE_DIR/tests/tools/mkimage.py"
for tool in docker-registry skopeo htpasswd openssl; do
	command -v $tool >/dev/null 2>&1 || { echo "FAIL - $tool is not installed (scripts/setup-deps.sh)"; exit 1; }
done
T=$(mktemp -d)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
export HOME=$T/home DOCKER_CONFIG=$T/docker XDG_CACHE_HOME=$T/cache SOURCE_DATE_EPOCH=1735689600 STOWAWAY_NOW=1735689600
mkdir -p "$HOME" "$DOCKER_CONFIG"
unset STOWAWAY_REGISTRY_USERNAME STOWAWAY_REGISTRY_PASSWORD KUBECONFIG

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { $PY - "$1" <<'PY'
import sys, time, urllib.error, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen("http://127.0.0.1:%s/v2/" % sys.argv[1], timeout=1); sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit(1)
PY
}
start_registry() {
	local name=$1 auth=${2:-} cfg=$T/$1.yml
	PORT=$(free_port)
	{
		printf 'version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: false\nstorage:\n  filesystem:\n    rootdirectory: %s\n' "$T/$name-data"
		printf 'http:\n  addr: 127.0.0.1:%s\n' "$PORT"
		[ -n "$auth" ] && printf 'auth:\n  htpasswd:\n    realm: test-realm\n    path: %s\n' "$auth"
	} > "$cfg"
	docker-registry serve "$cfg" > "$T/$name.log" 2>&1 &
	PIDS+=($!)
	wait_http "$PORT" || { echo "FAIL - docker-registry did not start: $(tail -3 "$T/$name.log")"; exit 1; }
}

# images: A (open registry) has left-pad 1.3.0, B (basic auth) has minimist 1.2.5
mkdir -p $T/a/app/node_modules/left-pad $T/b/app/node_modules/minimist
printf '{"name":"left-pad","version":"1.3.0"}' > $T/a/app/node_modules/left-pad/package.json
printf '{"name":"minimist","version":"1.2.5"}' > $T/b/app/node_modules/minimist/package.json
$MKIMAGE --format oci -o $T/ia --tag v1 $T/a >/dev/null && $MKIMAGE --format oci -o $T/ib --tag v1 $T/b >/dev/null ||
	{ bad "mkimage"; exit 1; }
start_registry open; OPEN=$PORT
htpasswd -Bbc $T/htpasswd puller s3cret-pull >/dev/null 2>&1
start_registry basic $T/htpasswd; AUTH=$PORT
SK="skopeo --insecure-policy copy -q --dest-tls-verify=false"
$SK oci:$T/ia:v1 docker://127.0.0.1:$OPEN/app/a:v1 &&
	$SK --dest-creds puller:s3cret-pull oci:$T/ib:v1 docker://127.0.0.1:$AUTH/priv/b:v1 || { bad "skopeo copy"; exit 1; }
DA=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' docker://127.0.0.1:$OPEN/app/a:v1)
DB=$(skopeo inspect --tls-verify=false --creds puller:s3cret-pull --format '{{.Digest}}' docker://127.0.0.1:$AUTH/priv/b:v1)
DC=sha256:$(printf missing | sha256sum | cut -c1-64)
[ -n "$DA" ] && [ -n "$DB" ] || { bad "skopeo inspect"; exit 1; }

# the vulnerability database: two hand-written OSV advisories
mkdir -p $T/adv/osv
cat > $T/adv/osv/lp.json <<'J'
{"id": "GHSA-lpad-lpad-lpad", "modified": "2024-05-01T00:00:00Z",
 "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.1"}]}]}],
 "database_specific": {"severity": "HIGH"}}
J
cat > $T/adv/osv/mm.json <<'J'
{"id": "GHSA-mini-mini-mini", "modified": "2024-05-01T00:00:00Z",
 "affected": [{"package": {"ecosystem": "npm", "name": "minimist"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.2.6"}]}]}],
 "database_specific": {"severity": "CRITICAL"}}
J
$STOWAWAY db update -q --db $T/db.sqlite --source osv=$T/adv/osv 2>$T/upd.err || { bad "db update: $(cat $T/upd.err)"; exit 1; }

# TLS: a CA, the API server's certificate for 127.0.0.1, and another CA
openssl req -x509 -newkey rsa:2048 -nodes -keyout $T/ca.key -out $T/ca.crt -days 2 -subj /CN=test-k8s-ca 2>/dev/null &&
openssl req -newkey rsa:2048 -nodes -keyout $T/srv.key -out $T/srv.csr -subj /CN=kube-apiserver 2>/dev/null &&
printf 'subjectAltName=IP:127.0.0.1\n' > $T/san.ext &&
openssl x509 -req -in $T/srv.csr -CA $T/ca.crt -CAkey $T/ca.key -CAcreateserial -out $T/srv.crt -days 2 -extfile $T/san.ext 2>/dev/null &&
openssl req -x509 -newkey rsa:2048 -nodes -keyout $T/other.key -out $T/other.crt -days 2 -subj /CN=other-ca 2>/dev/null &&
openssl req -newkey rsa:2048 -nodes -keyout $T/client.key -out $T/client.csr -subj /CN=stowaway-auditor 2>/dev/null &&
openssl x509 -req -in $T/client.csr -CA $T/ca.crt -CAkey $T/ca.key -CAcreateserial -out $T/client.crt -days 2 2>/dev/null &&
openssl req -newkey rsa:2048 -nodes -keyout $T/stranger.key -out $T/stranger.csr -subj /CN=stowaway-auditor 2>/dev/null &&
openssl x509 -req -in $T/stranger.csr -CA $T/other.crt -CAkey $T/other.key -CAcreateserial -out $T/stranger.crt -days 2 2>/dev/null ||
	{ bad "openssl"; exit 1; }

# the cluster: 3 namespaces, 2,000 pods visible, "locked" answers 403
TOKEN=tok-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
$PY - "$T/spec.json" "$TOKEN" "$OPEN" "$AUTH" "$DA" "$DB" "$DC" <<'PY'
import json, sys
out, token, op, au, da, db, dc = sys.argv[1:]
A = {"image": "127.0.0.1:%s/app/a:v1" % op, "imageID": "docker-pullable://127.0.0.1:%s/app/a@%s" % (op, da)}
A2 = {"image": "127.0.0.1:%s/app/a:v1" % op, "imageID": "127.0.0.1:%s/app/a@%s" % (op, da)}
B = {"image": "127.0.0.1:%s/priv/b:v1" % au, "imageID": "127.0.0.1:%s/priv/b@%s" % (au, db)}
C = {"image": "127.0.0.1:%s/app/a@%s" % (op, dc), "imageID": "127.0.0.1:%s/app/a@%s" % (op, dc)}
def c(name, img, **kw):
    d = {"name": name}; d.update(img); d.update(kw); return d
restricted_sc = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}
secret = {"dockerconfigjson": {"auths": {"127.0.0.1:%s" % au: {"username": "puller", "password": "s3cret-pull"}}}}
secret_auth = {"dockerconfigjson": {"auths": {"http://127.0.0.1:%s" % au: {"auth": "cHVsbGVyOnMzY3JldC1wdWxs"}}}}
spec = {"token": token, "forbidden": ["locked"], "namespaces": {
  "shop": {"secrets": {"regcred": secret}, "workloads": [
    {"kind": "Deployment", "name": "web", "pods": 1200,
     "containers": [c("web", A, securityContext={"privileged": True})],
     "pod": {"volumes": [{"name": "sock", "hostPath": {"path": "/var/run/docker.sock", "type": "Socket"}}]}},
    {"kind": "Deployment", "name": "api", "pods": 300,
     "containers": [c("api", B, securityContext=restricted_sc)],
     "pod": {"imagePullSecrets": [{"name": "regcred"}],
             "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
             "volumes": [{"name": "cfg", "configMap": {"name": "api"}}]}},
    {"kind": "StatefulSet", "name": "db", "pods": 100,
     "containers": [c("db", A2, ports=[{"containerPort": 5432, "hostPort": 5432, "protocol": "TCP"}])],
     "pod": {"hostNetwork": True}}]},
  "batch": {"secrets": {"pull": secret_auth}, "workloads": [
    {"kind": "CronJob", "name": "nightly", "pods": 200,
     "containers": [c("job", B, securityContext={"runAsUser": 0, "procMount": "Unmasked"})],
     "pod": {"imagePullSecrets": [{"name": "pull"}],
             "securityContext": {"sysctls": [{"name": "kernel.msgmax", "value": "65536"}]}}},
    {"kind": "DaemonSet", "name": "agent", "pods": 199,
     "annotations": {"container.apparmor.security.beta.kubernetes.io/agent": "unconfined"},
     "containers": [c("agent", A, securityContext={"capabilities": {"add": ["SYS_ADMIN"]},
                                                   "seccompProfile": {"type": "Unconfined"},
                                                   "seLinuxOptions": {"type": "spc_t"}})]},
    {"kind": "Pod", "name": "debug", "pods": 1,
     "containers": [c("debug", C)], "pod": {"hostPID": True, "hostIPC": True}}]},
  "locked": {"workloads": [{"kind": "Deployment", "name": "hidden", "pods": 5, "containers": [c("x", A)]}]}}}
json.dump(spec, open(out, "w"))
PY
$PY $SW_SOURCE_DIR/tests/tools/fakek8s.py --spec $T/spec.json --cert $T/srv.crt --key $T/srv.key --port-file $T/k8s.port \
	--client-ca $T/ca.crt \
	> $T/k8s.log 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [ -s $T/k8s.port ] && break; sleep 0.1; done
[ -s $T/k8s.port ] || { bad "fakek8s did not start: $(cat $T/k8s.log)"; exit 1; }
API=https://127.0.0.1:$(cat $T/k8s.port)

kubeconfig() { # FILE CA-LINE USER-LINES
	cat > "$1" <<EOF2
apiVersion: v1
kind: Config
current-context: test
clusters:
- name: test-cluster
  cluster:
    server: $API
    $2
contexts:
- name: test
  context:
    cluster: test-cluster
    user: auditor
    namespace: shop
users:
- name: auditor
  user:
$3
EOF2
}
kubeconfig $T/kc "certificate-authority-data: $(base64 -w0 < $T/ca.crt)" "    token: $TOKEN"
K="$STOWAWAY k8s -q --kubeconfig $T/kc --db $T/db.sqlite --plain-http --no-cache"

start=$(date +%s%N)
$K -A --page-size 500 -f json -o $T/out.json 2>$T/err; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "# k8s -A over 2,000 pods: ${ms} ms"
[ $rc = 3 ] && ok "partial result: exit 3" || bad "exit $rc (want 3): $(head -5 $T/err)"
grep -q "namespace locked: .*403" $T/err && ok "the 403 namespace is reported with its cause" || bad "no 403 line: $(cat $T/err)"
grep -q "$DC" $T/err && ok "the missing image is reported" || bad "missing image not reported: $(cat $T/err)"
grep -q "s3cret" $T/err $T/out.json && bad "a registry password leaked" || ok "no password in the output"

$PY - "$T/out.json" "$OPEN" "$AUTH" "$DA" "$DB" "$DC" <<'PY' && ok "workloads, checks, images and vulnerabilities are the planted ones" || bad "json report"
import json, sys
d = json.load(open(sys.argv[1])); op, au, da, db, dc = sys.argv[2:]
errs = []
def want(c, msg):
    if not c: errs.append(msg)
want(d["pods"] == 2000, "pods %s" % d["pods"])
ns = {n["name"]: n for n in d["namespaces"]}
want(set(ns) == {"shop", "batch", "locked"}, "namespaces %s" % list(ns))
want(ns["locked"]["read"] is False and "403" in ns["locked"]["error"], "locked %s" % ns["locked"])
want(ns["shop"]["pods"] == 1600 and ns["batch"]["pods"] == 400, "ns pods")
want(d["partial"] is True, "partial")
wl = {(w["namespace"], w["kind"], w["name"]): w for w in d["workloads"]}
planted = {("shop", "Deployment", "web"): 1200, ("shop", "Deployment", "api"): 300, ("shop", "StatefulSet", "db"): 100,
           ("batch", "CronJob", "nightly"): 200, ("batch", "DaemonSet", "agent"): 199, ("batch", "Pod", "debug"): 1}
want({k: w["pods"] for k, w in wl.items()} == planted, "workloads %s" % {k: w["pods"] for k, w in wl.items()})
# Pod Security Standards, from the spec by hand
R = ["SW-K8S-R02", "SW-K8S-R03", "SW-K8S-R05", "SW-K8S-R06"]
expect = {
  ("shop", "Deployment", "web"): ["SW-K8S-B03", "SW-K8S-B05", "SW-K8S-R01"] + R,
  ("shop", "Deployment", "api"): [],
  ("shop", "StatefulSet", "db"): ["SW-K8S-B02", "SW-K8S-B06"] + R,
  ("batch", "CronJob", "nightly"): ["SW-K8S-B09", "SW-K8S-B11", "SW-K8S-R04"] + R,
  ("batch", "DaemonSet", "agent"): ["SW-K8S-B04", "SW-K8S-B07", "SW-K8S-B08", "SW-K8S-B10"] + R,
  ("batch", "Pod", "debug"): ["SW-K8S-B02"] + R,
}
for k, ids in expect.items():
    got = sorted(c["id"] for c in wl[k]["checks"] if c["status"] == "fail")
    want(got == sorted(ids), "%s: failed %s, want %s" % (k, got, sorted(ids)))
    want(len(wl[k]["checks"]) == 17, "%s: %d checks" % (k, len(wl[k]["checks"])))
def ev(k, cid):
    return [(e["field"], e["detail"]) for c in wl[k]["checks"] if c["id"] == cid for e in c["evidence"]]
want(("spec.containers[0].securityContext.privileged", "true") in ev(("shop", "Deployment", "web"), "SW-K8S-B03"), "privileged evidence")
want(("spec.volumes[0].hostPath", "/var/run/docker.sock") in ev(("shop", "Deployment", "web"), "SW-K8S-B05"), "hostPath evidence")
want(("spec.hostNetwork", "true") in ev(("shop", "StatefulSet", "db"), "SW-K8S-B02"), "hostNetwork evidence")
want(("spec.containers[0].ports[0].hostPort", "5432") in ev(("shop", "StatefulSet", "db"), "SW-K8S-B06"), "hostPort evidence")
want(("spec.securityContext.sysctls[0].name", "kernel.msgmax") in ev(("batch", "CronJob", "nightly"), "SW-K8S-B11"), "sysctl evidence")
want(("spec.containers[0].securityContext.capabilities.add[0]", "SYS_ADMIN") in ev(("batch", "DaemonSet", "agent"), "SW-K8S-B04"), "cap evidence")
# images: each distinct digest once
refA, refB, refC = "127.0.0.1:%s/app/a@%s" % (op, da), "127.0.0.1:%s/priv/b@%s" % (au, db), "127.0.0.1:%s/app/a@%s" % (op, dc)
im = {i["ref"]: i for i in d["images"]}
want(set(im) == {refA, refB, refC}, "images %s" % list(im))
want(im[refA]["scanned"] and im[refA]["vulnerabilityIds"] == ["GHSA-lpad-lpad-lpad"], "image A %s" % im.get(refA))
want(im[refB]["scanned"] and im[refB]["vulnerabilityIds"] == ["GHSA-mini-mini-mini"], "image B (pull secret) %s" % im.get(refB))
want(not im[refC]["scanned"] and im[refC]["error"], "image C %s" % im.get(refC))
want(wl[("shop", "Deployment", "web")]["vulnerabilities"]["high"] == 1, "web vulns")
want(wl[("batch", "CronJob", "nightly")]["vulnerabilities"]["critical"] == 1, "nightly vulns")
want(wl[("batch", "Pod", "debug")]["imagesNotScanned"] == 1, "debug not scanned")
want(wl[("shop", "Deployment", "web")]["containers"][0]["imageDigestRef"] == refA, "web container digest")
for e in errs: print("  ", e)
sys.exit(1 if errs else 0)
PY

# paged list calls: the 1,600 pods of shop in pages of at most 500, each digest's manifest fetched once
curl -sk $API/_stats > $T/stats.json
$PY - $T/stats.json <<'PY' && ok "pod lists paged (limit 500, continue)" || bad "paging: $(head -c 300 $T/stats.json)"
import json, sys
s = json.load(open(sys.argv[1]))["requests"]
shop = [r for r in s if r[0] == "/api/v1/namespaces/shop/pods"]
assert len(shop) == 4 and all(r[1] == 500 and r[2] <= 500 for r in shop) and sum(r[2] for r in shop) == 1600, shop
PY
n=$(grep -c "GET /v2/app/a/manifests/$DA" $T/open.log)
[ "$n" -le 2 ] && [ "$n" -ge 1 ] && ok "image A's manifest fetched once for 1,499 pods ($n GET)" || bad "image A manifest GETs: $n"

# the other formats
$K -A -f sarif -o $T/out.sarif 2>/dev/null; rc1=$?
$K -A -f junit -o $T/out.xml 2>/dev/null; rc2=$?
$K -A -o $T/out.txt 2>/dev/null; rc3=$?
[ $rc1 = 3 ] && [ $rc2 = 3 ] && [ $rc3 = 3 ] && ok "sarif, junit, table: exit 3" || bad "formats exit $rc1 $rc2 $rc3"
cp $T/out.sarif /tmp/k8s-last.sarif; bash $SW_SOURCE_DIR/tests/tools/sarif-validate.sh $T/out.sarif > $T/sv.txt 2>&1 && ok "sarif validates (Multitool)" || bad "sarif validate: $(head -c 600 $T/sv.txt)"
$PY - $T/out.sarif $T/out.xml <<'PY' && ok "sarif and junit carry the failures" || bad "sarif/junit content"
import json, sys, xml.etree.ElementTree as ET
s = json.load(open(sys.argv[1]))
res = s["runs"][0]["results"]
assert any(r["ruleId"] == "SW-K8S-B03" and "spec.containers[0].securityContext.privileged" in
           r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in res)
x = ET.parse(sys.argv[2]).getroot()
suites = {t.get("name"): t for t in x.findall("testsuite")}
assert "shop/Deployment/api" in suites and suites["shop/Deployment/api"].get("failures") == "1", suites.keys()
assert len(suites) == 6
PY
grep -q "shop  *Deployment  *web  *1200" $T/out.txt && grep -q "PARTIAL" $T/out.txt && ok "table summary" || bad "table: $(head -5 $T/out.txt)"

# one namespace (the context's), complete: exit 0
$K --no-images -f json -o $T/shop.json 2>$T/err; rc=$?
[ $rc = 0 ] && $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [n["name"] for n in d["namespaces"]] == ["shop"] and d["pods"] == 1600' $T/shop.json &&
	ok "the context's namespace, --no-images: exit 0" || bad "shop only: exit $rc $(cat $T/err)"
$K -n locked -f json -o $T/locked.json 2>$T/err; rc=$?
[ $rc = 2 ] && grep -q 403 $T/err && [ ! -e $T/locked.json ] && ok "only a forbidden namespace: exit 2, no report" || bad "locked only: exit $rc $(cat $T/err)"

# credentials and TLS faults
kubeconfig $T/kc-badtok "certificate-authority-data: $(base64 -w0 < $T/ca.crt)" "    token: wrong"
$STOWAWAY k8s -q --kubeconfig $T/kc-badtok -A --no-images >/dev/null 2>$T/err; rc=$?
[ $rc = 2 ] && grep -q 401 $T/err && [ "$(wc -l < $T/err)" = 1 ] && ok "a wrong token: one line, exit 2" || bad "wrong token: exit $rc $(cat $T/err)"
kubeconfig $T/kc-otherca "certificate-authority: $T/other.crt" "    token: $TOKEN"
$STOWAWAY k8s -q --kubeconfig $T/kc-otherca -A --no-images >/dev/null 2>$T/err; rc=$?
[ $rc = 2 ] && grep -qi "certificate\|SSL" $T/err && ok "a server not signed by the CA is refused" || bad "other CA: exit $rc $(cat $T/err)"
printf '%s\n' "$TOKEN" > $T/tokfile
kubeconfig $T/kc-file "certificate-authority: ca.crt" "    tokenFile: tokfile"
cp $T/ca.crt $T/ca.crt.bak
$STOWAWAY k8s -q --kubeconfig $T/kc-file -n batch --no-images -f json -o $T/b.json 2>$T/err; rc=$?
[ $rc = 0 ] && ok "CA file and tokenFile relative to the kubeconfig" || bad "file credentials: exit $rc $(cat $T/err)"
KUBECONFIG=$T/kc $STOWAWAY k8s -q -n batch --no-images -o /dev/null 2>$T/err && ok "\$KUBECONFIG" || bad "KUBECONFIG: $(cat $T/err)"
# client certificates instead of a token: as *-data, and as files
kubeconfig $T/kc-cert "certificate-authority-data: $(base64 -w0 < $T/ca.crt)" \
	"    client-certificate-data: $(base64 -w0 < $T/client.crt)
    client-key-data: $(base64 -w0 < $T/client.key)"
$STOWAWAY k8s -q --kubeconfig $T/kc-cert -n batch --no-images -f json -o $T/c.json 2>$T/err; rc=$?
[ $rc = 0 ] && $PY -c 'import json,sys; assert json.load(open(sys.argv[1]))["pods"] == 400' $T/c.json &&
	ok "client certificate and key as -data" || bad "client cert data: exit $rc $(cat $T/err)"
kubeconfig $T/kc-certf "certificate-authority: $T/ca.crt" "    client-certificate: client.crt
    client-key: client.key"
$STOWAWAY k8s -q --kubeconfig $T/kc-certf -n batch --no-images -o /dev/null 2>$T/err && ok "client certificate and key files" ||
	bad "client cert files: $(cat $T/err)"
kubeconfig $T/kc-stranger "certificate-authority: $T/ca.crt" "    client-certificate: stranger.crt
    client-key: stranger.key"
$STOWAWAY k8s -q --kubeconfig $T/kc-stranger -n batch --no-images -o /dev/null 2>$T/err; rc=$?
[ $rc = 2 ] && ok "a client certificate from another CA is refused (exit 2)" || bad "stranger cert: exit $rc $(cat $T/err)"
# bad kubeconfigs: one line naming the file, exit 2
printf 'apiVersion: v1\nclusters: [\n' > $T/kc-broken
printf 'apiVersion: v1\ncurrent-context: nope\ncontexts: []\n' > $T/kc-noctx
for f in kc-broken kc-noctx nonexistent; do
	$STOWAWAY k8s -q --kubeconfig $T/$f >/dev/null 2>$T/err; rc=$?
	[ $rc = 2 ] && grep -q "$T/$f" $T/err && [ "$(wc -l < $T/err)" = 1 ] && ok "bad kubeconfig $f: one line, exit 2" ||
		bad "bad kubeconfig $f: exit $rc $(cat $T/err)"
done
$STOWAWAY k8s -n a -A >/dev/null 2>&1; [ $? = 64 ] && ok "--namespace with -A: usage" || bad "-n with -A"

[ $fails = 0 ] && echo "all k8s tests passed" || exit 1
