#!/bin/bash
# End to end: images built here from small trees (tests/tools/mkimage.py),
# read by the real binary in every transport and compression; whiteouts,
# opaque directories, layer attribution, file ownership, licences; SBOM
# formats validated against the official schemas; bad images fail cleanly.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
VALIDATE="/usr/bin/python3 $SW_SOURCE_DIR/tests/tools/validate-schema.py"
T=$(mktemp -d)
export STOWAWAY_CACHE_DIR=$T/cache   # the layer cache stays in this test's folder
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }

stanza() { # name version source arch
	printf 'Package: %s\nStatus: install ok installed\nVersion: %s\nSource: %s\nArchitecture: %s\n\n' "$@"
}

# layer 0: a Debian base
L0=$T/l0; mkdir -p $L0/etc $L0/usr/lib $L0/var/lib/dpkg/info $L0/usr/share/doc/alpha $L0/app/node_modules/left-pad $L0/app/node_modules/kept
printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' > $L0/usr/lib/os-release
ln -s ../usr/lib/os-release $L0/etc/os-release
{ stanza alpha 1.0-1 alpha amd64; stanza beta 1.0-1 beta amd64; stanza linux-libc-dev 6.1.76-1 linux amd64; } > $L0/var/lib/dpkg/status
printf '/.\n/usr\n/usr/bin/alpha\n' > $L0/var/lib/dpkg/info/alpha.list
printf 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: MIT\n' > $L0/usr/share/doc/alpha/copyright
printf '{"name":"left-pad","version":"1.3.0","license":"WTFPL"}' > $L0/app/node_modules/left-pad/package.json
printf '{"name":"kept","version":"2.0.0"}' > $L0/app/node_modules/kept/package.json

# layer 1: beta upgraded, gamma installed (it owns a Python package), a pip package
L1=$T/l1; P=usr/lib/python3/dist-packages
mkdir -p $L1/var/lib/dpkg/info $L1/$P/gammapy-1.0.dist-info $L1/usr/local/lib/extra/old-1.0.dist-info
{ stanza alpha 1.0-1 alpha amd64; stanza beta 2.0-1 beta amd64; stanza gamma 3.0-1 'gamma-src (3.0-0)' all; stanza linux-libc-dev 6.1.76-1 linux amd64; } > $L1/var/lib/dpkg/status
printf '/%s/gammapy-1.0.dist-info/METADATA\n' $P > $L1/var/lib/dpkg/info/gamma.list
printf 'Metadata-Version: 2.1\nName: gammapy\nVersion: 1.0\n' > $L1/$P/gammapy-1.0.dist-info/METADATA
printf 'Metadata-Version: 2.1\nName: old\nVersion: 1.0\n' > $L1/usr/local/lib/extra/old-1.0.dist-info/METADATA

# layer 2: whiteout of a node module, an opaque dir replacing the extra dir
L2=$T/l2; mkdir -p $L2/app/node_modules $L2/usr/local/lib/extra/new-2.0.dist-info
: > $L2/app/node_modules/.wh.left-pad
: > $L2/usr/local/lib/extra/.wh..wh..opq
printf 'Metadata-Version: 2.1\nName: new\nVersion: 2.0\n' > $L2/usr/local/lib/extra/new-2.0.dist-info/METADATA

HIST=(--history 'ADD rootfs.tar /' --history 'RUN apt-get install -y gamma' --history 'RUN rm -rf /app/node_modules/left-pad')
check_inventory() { # json-file label
	python3 - "$1" <<'PY' || return 1
import json, sys
d = json.load(open(sys.argv[1]))
pk = {(p["type"], p["name"]): p for p in d["packages"]}
def need(cond, msg):
    if not cond:
        print("  " + msg); sys.exit(1)
need(d["os"]["id"] == "debian" and d["os"]["versionId"] == "12", "os %r" % d["os"])
need(sorted(n for t, n in pk if t == "deb") == ["alpha", "beta", "gamma", "linux-libc-dev"], "deb set %r" % sorted(pk))
need(pk[("deb", "alpha")]["layer"]["index"] == 0, "alpha layer")
need(pk[("deb", "beta")]["version"] == "2.0-1" and pk[("deb", "beta")]["layer"]["index"] == 1, "beta upgraded in layer 1")
need(pk[("deb", "beta")]["layer"]["createdBy"].endswith("apt-get install -y gamma"), "layer history line")
g = pk[("deb", "gamma")]
need(g["sourceName"] == "gamma-src" and g["sourceVersion"] == "3.0-0", "gamma source %r" % g)
need(pk[("deb", "alpha")]["licenses"] == ["MIT"], "alpha licence %r" % pk[("deb", "alpha")]["licenses"])
need(("npm", "left-pad") not in pk, "whited-out node module still listed")
need(("npm", "kept") in pk, "kept node module missing")
need(("pypi", "old") not in pk, "package under an opaque dir still listed")
need(pk[("pypi", "new")]["layer"]["index"] == 2, "new pypi package")
need(pk[("pypi", "gammapy")]["owner"] == "deb:gamma", "ownership %r" % pk[("pypi", "gammapy")].get("owner"))
need(pk[("deb", "alpha")]["purl"].startswith("pkg:deb/debian/alpha@1.0-1?arch=amd64"), "purl %s" % pk[("deb", "alpha")]["purl"])
PY
}

for fmt in docker-archive oci oci-archive; do
	for comp in gzip zstd none; do
		out=$T/img-$fmt-$comp
		$MKIMAGE --format $fmt -o $out --compression $comp "${HIST[@]}" $L0 $L1 $L2 >/dev/null || { bad "mkimage $fmt $comp"; continue; }
		ref=$fmt:$out
		[ $fmt = oci ] && ref=oci:$out
		if $STOWAWAY sbom -q -f json -o $T/inv.json "$ref" && check_inventory $T/inv.json; then
			ok "sbom $fmt/$comp"
		else
			bad "sbom $fmt/$comp"
		fi
		[ $fmt = docker-archive ] && break   # legacy docker layers are always plain
	done
done
# a bare path is detected
if $STOWAWAY sbom -q -f json $T/img-oci-archive-gzip > $T/bare.json && check_inventory $T/bare.json; then
	ok "bare path detected"; else bad "bare path"; fi

# formats: table lists the packages; CycloneDX and SPDX validate
img=oci-archive:$T/img-oci-archive-gzip
$STOWAWAY sbom -q $img > $T/table.txt && grep -q '^beta  *2.0-1' $T/table.txt && ok "table" || bad "table"
$STOWAWAY sbom -q -f cyclonedx -o $T/bom.json $img && $STOWAWAY sbom -q -f spdx-json -o $T/spdx.json $img || bad "write cyclonedx/spdx"
if [ -n "${SW_SHARED_DATA:-}" ] && [ -d "$SW_SHARED_DATA/schemas" ]; then
	$VALIDATE $SW_SHARED_DATA/schemas/cyclonedx/bom-1.5.schema.json $T/bom.json && ok "cyclonedx validates" || bad "cyclonedx schema"
	$VALIDATE $SW_SHARED_DATA/schemas/spdx/v2.3/spdx-schema.json $T/spdx.json && ok "spdx validates" || bad "spdx schema"
else
	bad "schema validation: ../shared/data/schemas is absent (SW_SHARED_DATA='${SW_SHARED_DATA:-}')"
fi
# reproducible: same image, same bytes
$STOWAWAY sbom -q -f cyclonedx $img > $T/bom2.json && cmp -s $T/bom.json $T/bom2.json && ok "deterministic" || bad "deterministic"

# a multi-platform index: amd64 by default, --platform picks another
$MKIMAGE --format oci -o $T/multi --index linux/amd64=$L0 --index linux/arm64=$L0,$L1 >/dev/null
n_amd=$($STOWAWAY sbom -q -f json oci:$T/multi | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["image"]["layers"]))')
n_arm=$($STOWAWAY sbom -q -f json --platform linux/arm64 oci:$T/multi | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["image"]["layers"]))')
[ "$n_amd" = 1 ] && [ "$n_arm" = 2 ] && ok "platform selection" || bad "platform selection ($n_amd, $n_arm)"

# dir: a root filesystem
mkdir -p $T/rootfs && cp -a $L0/. $T/rootfs/ && rm -f $T/rootfs/app/node_modules/left-pad/package.json
$STOWAWAY sbom -q -f json dir:$T/rootfs > $T/dir.json && python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); n=sorted(p["name"] for p in d["packages"] if p["type"]=="deb")
sys.exit(0 if n==["alpha","beta","linux-libc-dev"] else 1)' $T/dir.json && ok "dir: rootfs" || bad "dir: rootfs"

# bad input: exit 2, one line naming the problem, no output file left behind
expect_fail() { # label expected-substring mkimage-args...
	local label=$1 want=$2; shift 2
	rm -rf $T/badimg $T/out.json
	$MKIMAGE -o $T/badimg "$@" $L0 $L1 >/dev/null 2>&1 || { bad "$label: mkimage"; return; }
	# --no-cache: a layer cached under its diff_id is not read again, so only
	# an uncached run verifies the blobs (docs/performance.md)
	$STOWAWAY sbom -q --no-cache -f json -o $T/out.json $T/badimg 2> $T/err.txt
	local rc=$?
	if [ $rc -eq 2 ] && [ ! -e $T/out.json ] && [ "$(wc -l < $T/err.txt)" -eq 1 ] && grep -q -- "$want" $T/err.txt &&
	   [ -z "$(ls $T | grep 'out.json.tmp')" ]; then
		ok "$label"
	else
		bad "$label (rc $rc: $(cat $T/err.txt))"
	fi
}
expect_fail "wrong layer digest" "digest" --format oci-archive --corrupt-layer-digest 1
expect_fail "wrong diff_id" "diff" --format oci-archive --corrupt-diff-id 0
expect_fail "truncated gzip layer" "layer" --format oci-archive --truncate-layer 1
expect_fail "missing blob" "missing" --format oci-archive --missing-layer 1
expect_fail "bad manifest JSON" "manifest" --format docker-archive --bad-manifest-json
expect_fail "bad config JSON" "config" --format oci-archive --bad-config-json
expect_fail "empty image" "no layers" --format oci-archive --no-layers

# unsafe members in a layer: '../' and absolute names, a write through a symlink
python3 - $T <<'PY'
import io, sys, tarfile
t = sys.argv[1]
def mk(name, members):
    with tarfile.open(f"{t}/{name}.tar", "w", format=tarfile.GNU_FORMAT) as tf:
        for m in members:
            info = tarfile.TarInfo(m[0])
            if m[1] == "sym":
                info.type = tarfile.SYMTYPE; info.linkname = m[2]; tf.addfile(info)
            else:
                data = m[2].encode(); info.size = len(data); tf.addfile(info, io.BytesIO(data))
# each member, if it were written where its name points, would land in $T/outside
# (a folder nobody else writes): the check below looks there, and at /etc/passwd
out = t + "/outside"
up = "../" * 64  # more than enough to climb from any extraction root to /
mk("dotdot", [(up + out.lstrip("/") + "/dotdot", "file", "x"), ("../../etc/passwd", "file", "x")])
mk("abs", [(out + "/abs", "file", "x"), ("/etc/passwd", "file", "x")])
mk("symwrite", [("evil", "sym", out), ("evil/symwrite", "file", "x"),
                ("etc", "sym", "/etc"), ("etc/passwd", "file", "x")])
PY
mkdir $T/outside
passwd_sum=$(sha256sum < /etc/passwd)
for case in dotdot abs symwrite; do
	rm -rf $T/u; $MKIMAGE --format oci-archive -o $T/u --compression none $T/$case.tar >/dev/null
	$STOWAWAY sbom -q -o $T/out.json oci-archive:$T/u 2> $T/err.txt
	rc=$?
	if [ $rc -eq 2 ] && [ ! -e $T/out.json ] && grep -q "unsafe\|escape\|'\.\.'\|absolute\|symlink" $T/err.txt; then ok "unsafe member: $case"; else bad "unsafe member: $case (rc $rc: $(cat $T/err.txt))"; fi
done
[ -z "$(ls -A $T/outside)" ] && ok "nothing written outside the image" || bad "written outside: $(ls -A $T/outside)"
[ "$(sha256sum < /etc/passwd)" = "$passwd_sum" ] || bad "/etc/passwd changed"

# usage errors
$STOWAWAY sbom 2>/dev/null; [ $? -eq 64 ] && ok "usage: missing IMAGE is 64" || bad "usage exit code"
$STOWAWAY sbom --format nope x 2>/dev/null; [ $? -eq 64 ] && ok "usage: bad format is 64" || bad "bad format exit code"
$STOWAWAY sbom --help | grep -q 'Examples:' && ok "help has examples" || bad "help"

echo "e2e sbom: $fails failure(s)"
exit $((fails > 0))
