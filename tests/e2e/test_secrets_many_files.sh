#!/bin/bash
# Bad input for the secret scanner (issue 14): one layer of 1,000,000 tiny
# files (1,000 directories of 1,000 four-byte files).  The scan must finish
# without a crash or a partial report, and find exactly the two GitHub
# tokens planted here (one in the middle, one in the very last file), with
# their paths and line numbers, never printing them in clear.  How long it
# takes and how much memory it needs are measured in bench/, not here.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }

# the layer, written as a tar directly (a directory of 1 M files would cost
# more than the scan); the two tokens in GitHub's format: ghp_ + 30 base62
# characters + their CRC-32 in 6 base62 characters
python3 - "$T/layer.tar" "$T/tokens" <<'PY'
import io, random, sys, tarfile, zlib
r = random.Random(7)
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
def b62(n):
    s = ""
    for _ in range(6):
        s = B62[n % 62] + s
        n //= 62
    return s
def github():
    body = "".join(r.choice(B62) for _ in range(30))
    return "ghp_" + body + b62(zlib.crc32(body.encode()))
tok = {"d500/f500": github(), "d999/f999": github()}
with open(sys.argv[2], "w") as f:
    for p, v in tok.items():
        f.write(f"{p} {v}\n")
t = tarfile.open(sys.argv[1], mode="w", format=tarfile.USTAR_FORMAT)
small = b"x=1\n"
for d in range(1000):
    ti = tarfile.TarInfo("d%03d" % d); ti.type = tarfile.DIRTYPE; ti.mode = 0o755
    t.addfile(ti)
    for k in range(1000):
        name = "d%03d/f%03d" % (d, k)
        data = small if name not in tok else ("GITHUB_TOKEN=%s\n" % tok[name]).encode()
        ti = tarfile.TarInfo(name); ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
t.close()
PY
[ $? -eq 0 ] || bad "writing the layer"
$MKIMAGE --format docker-archive -o $T/img.tar $T/layer.tar >/dev/null || bad "mkimage"
rm -f $T/layer.tar

$STOWAWAY scan -q --no-cache --scanners secret -f json -o $T/out.json $T/img.tar 2> $T/err; rc=$?
[ $rc -eq 0 ] && ok "1,000,000 files: exit 0" || bad "exit $rc: $(head -3 $T/err)"
python3 - $T/out.json $T/tokens <<'PY' && ok "exactly the two planted tokens, with path, line and layer; the report complete" || bad "findings"
import json, sys
doc = json.load(open(sys.argv[1]))
want = sorted(l.split()[0] for l in open(sys.argv[2]))
got = sorted(s["path"] for s in doc["secrets"])
assert got == want, got
for s in doc["secrets"]:
    assert s["ruleId"] == "github-pat" and s["line"] == 1 and s["layer"] == 0 and "****" in s["match"], s
assert doc["complete"] is True and doc["scanners"][2]["ran"] is True, doc["scanners"]
PY
leak=0
while read -r p v; do grep -qF -- "$v" $T/out.json $T/err && leak=1; done < $T/tokens
[ $leak -eq 0 ] && ok "no token in clear" || bad "a token in clear"
[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
