#!/bin/bash
# End to end: the secret scanner (scan --scanners secret, docs/secrets.md) on
# an image built here: fake secrets generated in the test (tokens assembled
# from the vendors' formats, an RSA key from openssl) planted in several
# layers, a key deleted (whiteout) and a file rewritten in a later layer
# (reported with the layer that added them, "removed in layer 2"), a secret
# near the end of a 20 MB file, decoys that must give nothing (AWS's
# documentation keys, placeholders, a public key, a test fixture inside
# node_modules), secrets in the config's Env, Labels and history.  No secret
# value may appear in clear in any output format, nor on stderr (with the
# debug variables set).  Expected findings are written here from what was
# planted.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }

# ---- fake secrets, in each vendor's format ----
python3 - "$T/secrets.env" <<'PY'
import random, sys, zlib
r = random.Random(20251207)
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
def rnd(cs, n): return "".join(r.choice(cs) for _ in range(n))
def b62(n):
    s = ""
    for _ in range(6):
        s = B62[n % 62] + s
        n //= 62
    return s
def github(prefix):   # 30 random base62 + CRC32 of them in base62, 6 characters
    body = rnd(B62, 30)
    return prefix + body + b62(zlib.crc32(body.encode()))
alnum = B62
v = {
    "AWS_ID": "AKIA" + rnd("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16),
    "GH_PAT": github("ghp_"),
    "GH_FIXTURE": github("ghp_"),
    "GH_ENV": github("ghs_"),
    "STRIPE": "sk_live_" + rnd(alnum, 24),
    "GLPAT": "glpat-" + rnd(alnum + "_-", 20),
    "SLACK_HOOK": "services/T" + rnd("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 10) + "/B" +
                  rnd("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 10) + "/" + rnd(alnum, 24),
    "DOCKER_AUTH": rnd(alnum + "+/", 40) + "=",
    "DB_PASS": "Zq8" + rnd(alnum, 13),
}
with open(sys.argv[1], "w") as f:
    for k, x in v.items():
        f.write(f"{k}={x}\n")
PY
# shellcheck disable=SC1091
. "$T/secrets.env"

# layer 0: an .env and an SSH key (both gone from the final file system), decoys
mkdir -p $T/l0/etc $T/l0/srv/app $T/l0/root/.ssh
echo base > $T/l0/etc/hostname
printf 'aws_access_key_id=%s\nGITHUB_TOKEN=%s\n' "$AWS_ID" "$GH_PAT" > $T/l0/srv/app/.env
openssl genrsa -traditional -out $T/l0/root/.ssh/id_rsa 2048 2>/dev/null || bad "openssl genrsa"
openssl rsa -in $T/l0/root/.ssh/id_rsa -pubout -out $T/l0/srv/app/key.pub.pem 2>/dev/null || bad "openssl rsa -pubout"
KEYLINE=$(sed -n 2p $T/l0/root/.ssh/id_rsa)
cat > $T/l0/srv/app/README.txt <<'DECOYS'
Example from the AWS documentation:
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
password=${DB_PASSWORD}
api_key="<your-api-key>"
token: xxxxxxxxxxxxxxxx
password=aaaaaaaaaaaa
DATABASE_URL=postgres://user:password@localhost/db
DECOYS
# layer 1: a 20 MB file with a key near its end, Docker credentials, a test fixture in node_modules
mkdir -p $T/l1/opt/data $T/l1/root/.docker $T/l1/usr/lib/node_modules/pkg/test/fixtures $T/l1/srv/app
python3 - "$T/l1/opt/data/big.log" "$STRIPE" <<'PY'
import sys
line = b"2025-01-01 12:00:00 INFO request served in 12 ms; token checked; password policy ok\n"
with open(sys.argv[1], "wb") as f:
    n = 0
    while n < 20 * 1024 * 1024 - 200:
        f.write(line)
        n += len(line)
    f.write(b"2025-01-01 12:00:01 DEBUG stripe key " + sys.argv[2].encode() + b"\n")
PY
BIGLINE=$(wc -l < $T/l1/opt/data/big.log)
printf '{\n\t"auths": {\n\t\t"https://index.docker.io/v1/": {\n\t\t\t"auth": "%s"\n\t\t}\n\t}\n}\n' "$DOCKER_AUTH" > $T/l1/root/.docker/config.json
printf 'token %s\n' "$GH_FIXTURE" > $T/l1/usr/lib/node_modules/pkg/test/fixtures/token.txt
printf 'database:\n  url: "postgresql://app:%s@db.internal:5432/app"\n' "$DB_PASS" > $T/l1/srv/app/config.yaml
# layer 2: the key deleted, the .env rewritten with a placeholder
mkdir -p $T/l2/root/.ssh $T/l2/srv/app
: > $T/l2/root/.ssh/.wh.id_rsa
printf 'GITHUB_TOKEN=${GITHUB_TOKEN}\n' > $T/l2/srv/app/.env

$MKIMAGE --format docker-archive -o $T/img.tar \
	--history '/bin/sh -c #(nop) ADD file:0f1e2d3c in / ' \
	--history "RUN /bin/sh -c curl -H 'PRIVATE-TOKEN: $GLPAT' https://gitlab.test/api # buildkit" \
	--history 'RUN /bin/sh -c rm /root/.ssh/id_rsa # buildkit' \
	--config-json "{\"Env\":[\"PATH=/bin\",\"DEPLOY=$GH_ENV\"],\"Labels\":{\"org.test.hook\":\"https://hooks.slack.com/$SLACK_HOOK\"}}" \
	$T/l0 $T/l1 $T/l2 || bad "mkimage"

# ---- the findings, from what was planted ----
$STOWAWAY scan -q --scanners secret -f json -o $T/out.json $T/img.tar 2> $T/err; rc=$?
[ $rc -eq 0 ] && ok "scan --scanners secret: exit 0" || bad "scan rc $rc: $(cat $T/err)"
python3 - $T/out.json "$BIGLINE" <<'PY' && ok "findings: the planted ones, with layers, lines and removals" || bad "findings differ (above)"
import json, sys
doc = json.load(open(sys.argv[1]))
got = sorted((s["ruleId"], s["path"], s["layer"], s["removedIn"], s["line"], s["detail"] if s["path"] is None else None)
             for s in doc["secrets"])
big = int(sys.argv[2])
want = sorted([
    ("aws-access-key-id", "srv/app/.env", 0, 2, 1, None),
    ("github-pat", "srv/app/.env", 0, 2, 2, None),
    ("rsa-private-key", "root/.ssh/id_rsa", 0, 2, 1, None),
    ("stripe-secret-key", "opt/data/big.log", 1, None, big, None),
    ("docker-config-auth", "root/.docker/config.json", 1, None, 4, None),
    ("database-url-password", "srv/app/config.yaml", 1, None, 2, None),
    ("github-server-to-server", None, None, None, 1, "config.Env"),
    ("slack-webhook-url", None, None, None, 1, "config.Labels"),
    ("gitlab-pat", None, None, None, 1, "history[1]"),
])
if got != want:
    print("got:"); [print("  ", g) for g in got]
    print("want:"); [print("  ", w) for w in want]
    sys.exit(1)
for s in doc["secrets"]:
    assert "****" in s["match"], s
    assert s["inFinalFilesystem"] == (s["layer"] is not None and s["removedIn"] is None), s
PY

# ---- no value in clear, in any format, nor on stderr ----
for fmt in table json sarif html junit cyclonedx spdx-json; do
	STOWAWAY_DEBUG_TIMES=1 STOWAWAY_DEBUG_CACHE=1 $STOWAWAY scan --scanners secret -f $fmt -o $T/out.$fmt $T/img.tar 2> $T/err.$fmt; rc=$?
	[ $rc -eq 0 ] || bad "$fmt: exit $rc: $(cat $T/err.$fmt)"
	leaked=""
	for v in "$AWS_ID" "$GH_PAT" "$GH_ENV" "$STRIPE" "$GLPAT" "$SLACK_HOOK" "$DOCKER_AUTH" "$DB_PASS" "$KEYLINE" "${GH_PAT:4:20}" "${STRIPE:8:16}"; do
		grep -qF -- "$v" $T/out.$fmt $T/err.$fmt && leaked="$leaked ${v:0:6}..."
	done
	[ -z "$leaked" ] && ok "$fmt: no secret in clear" || bad "$fmt: secrets in clear:$leaked"
done
# the history line with the GitLab token is printed by the reports (createdBy, the
# config checks' evidence): masked there too
for fmt in table json; do
	$STOWAWAY scan --scanners config,secret -f $fmt -o $T/cs.$fmt $T/img.tar 2> $T/err.cs; rc=$?
	[ $rc -eq 0 ] || bad "config,secret $fmt: exit $rc: $(cat $T/err.cs)"
	if grep -qF -- "$GLPAT" $T/cs.$fmt $T/err.cs || grep -qF -- "$GH_ENV" $T/cs.$fmt $T/err.cs; then
		bad "--scanners config,secret -f $fmt: a secret in clear"
	else
		ok "--scanners config,secret -f $fmt: no secret in clear"
	fi
done
grep -qF "PRIVATE-TOKEN: glpat-****" $T/cs.json && ok "history line shown masked" || bad "history line: no 'PRIVATE-TOKEN: glpat-****'"
grep -q "removed in layer 2 (still in the image)" $T/out.table && ok "table: 'removed in layer 2 (still in the image)'" ||
	bad "table: no 'removed in layer 2'"
grep -q "Secrets" $T/out.html && ok "html: a secrets section" || bad "html: no secrets section"

# ---- the gate ----
$STOWAWAY scan -q --scanners secret --fail-on critical -o $T/gate.txt $T/img.tar 2> $T/err; rc=$?
[ $rc -eq 1 ] && ok "--fail-on critical: exit 1 (GitHub and AWS keys)" || bad "--fail-on critical: exit $rc, want 1: $(cat $T/err)"

# ---- --secret-config: a disabled rule, an allow rule; a bad file ----
cat > $T/conf.yaml <<'CONF'
allow-rules:
  - id: our-big-log
    path: '^opt/data/'
disable-rules: [docker-config-auth]
CONF
$STOWAWAY scan -q --scanners secret --secret-config $T/conf.yaml -f json -o $T/conf.json $T/img.tar 2> $T/err; rc=$?
[ $rc -eq 0 ] && python3 -c '
import json, sys
ids = sorted(s["ruleId"] for s in json.load(open(sys.argv[1]))["secrets"])
assert "stripe-secret-key" not in ids and "docker-config-auth" not in ids and len(ids) == 7, ids
' $T/conf.json && ok "--secret-config: allowed path and disabled rule not reported" || bad "--secret-config: rc $rc $(cat $T/err)"
printf 'rules:\n  - id: broken\n    keywords: [abc]\n    regex: "abc(["\n' > $T/bad.yaml
$STOWAWAY scan -q --scanners secret --secret-config $T/bad.yaml -o $T/never.txt $T/img.tar 2> $T/err; rc=$?
[ $rc -eq 2 ] && ok "bad --secret-config: exit 2" || bad "bad --secret-config: exit $rc"
[ "$(wc -l < $T/err)" -eq 1 ] && grep -q "bad.yaml: line 2: rule 'broken': regex: " $T/err &&
	ok "bad --secret-config: one line naming the file, the line and the rule" || bad "bad --secret-config: stderr: $(cat $T/err)"
[ -e $T/never.txt ] && bad "bad --secret-config: an output file was written"

[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all ok"
