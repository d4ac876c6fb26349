#!/bin/bash
# End to end: containers-storage:NAME and podman-container:ID read a real
# Podman storage (overlay driver) that Debian's podman builds in the test
# (podman load of an archive built by tests/tools/mkimage.py, podman create,
# files changed in the container through podman mount / podman cp), with no
# network and without running podman for the scan.  Expected packages are
# the ones the test planted; expected digests come from podman inspect.
# Fails without podman (scripts/setup-deps.sh installs it).
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
# Debian's python3 when there is one (a pyenv shim costs seconds per call)
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
MKIMAGE="$PY $SW_SOURCE_DIR/tests/tools/mkimage.py"
command -v podman >/dev/null 2>&1 || { echo "FAIL - podman is not installed (scripts/setup-deps.sh)"; exit 1; }
T=$(mktemp -d)
P="podman --root $T/root --runroot $T/run --storage-driver overlay --cgroup-manager cgroupfs --events-backend file"
cleanup() { $P umount -a >/dev/null 2>&1; rm -rf "$T"; }
trap cleanup EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
export HOME=$T/home XDG_CACHE_HOME=$T/cache STOWAWAY_NO_CACHE=1; mkdir -p "$HOME"
unset STOWAWAY_STORAGE_ROOT

# the image: an Alpine-like layer (musl, busybox) and an npm package layer
mkdir -p $T/l0/lib/apk/db $T/l0/etc $T/l1/app/node_modules/left-pad $T/l1/app/node_modules/kept $T/l1/app2/node_modules/gone
printf 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n' > $T/l0/etc/os-release
printf 'P:musl\nV:1.2.4-r2\nA:x86_64\no:musl\n\nP:busybox\nV:1.36.1-r15\nA:x86_64\no:busybox\n\n' > $T/l0/lib/apk/db/installed
printf '{"name":"left-pad","version":"1.3.0"}' > $T/l1/app/node_modules/left-pad/package.json
printf '{"name":"kept","version":"2.0.0"}' > $T/l1/app/node_modules/kept/package.json
printf '{"name":"gone","version":"3.0.0"}' > $T/l1/app2/node_modules/gone/package.json
$MKIMAGE --format docker-archive -o $T/img.tar --tag test/app:v1 $T/l0 $T/l1 || { bad "mkimage"; exit 1; }
$P load -q -i $T/img.tar >/dev/null 2>$T/load.err || { bad "podman load: $(cat $T/load.err)"; exit 1; }
CID=$($P create -q --name c1 --net none localhost/test/app:v1 /bin/true 2>$T/create.err) ||
	{ bad "podman create: $(cat $T/create.err)"; exit 1; }
IMG_ID=$($P image inspect --format '{{.Id}}' localhost/test/app:v1)
DIGEST=$($P image inspect --format '{{.Digest}}' localhost/test/app:v1)

# changes made in the container: curl installed (the apk database
# rewritten, through podman cp); through podman mount: app2's gone deleted
# (a whiteout), app/node_modules removed and made again with only a new
# package (an opaque directory: kept and left-pad are gone)
mkdir -p $T/cp/lib/apk/db $T/cp/node_modules/added
printf 'P:musl\nV:1.2.4-r2\nA:x86_64\no:musl\n\nP:busybox\nV:1.36.1-r15\nA:x86_64\no:busybox\n\nP:curl\nV:8.5.0-r0\nA:x86_64\no:curl\n\n' > $T/cp/lib/apk/db/installed
printf '{"name":"added","version":"0.1.0"}' > $T/cp/node_modules/added/package.json
$P cp $T/cp/lib/apk/db/installed c1:/lib/apk/db/installed || bad "podman cp installed"
MNT=$($P mount c1) || { bad "podman mount"; exit 1; }
rm -rf "$MNT/app2/node_modules/gone" "$MNT/app/node_modules"
mkdir -p "$MNT/app/node_modules/added" && cp $T/cp/node_modules/added/package.json "$MNT/app/node_modules/added/"
$P umount c1 >/dev/null || bad "podman umount"

# pkgs FILE -> "name version layerIndex created-by-is-container" lines, sorted
pkgs() { $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
for p in sorted(d["packages"], key=lambda p: (p["name"], p["version"])):
    by = (p.get("layer") or {}).get("createdBy") or ""
    print(p["name"], p["version"], "container" if by.startswith("podman-container") else "image")
' "$1"; }

touch $T/marker
S="$STOWAWAY sbom -q -f json --storage-root $T/root"
IMAGE_WANT="busybox 1.36.1-r15 image
gone 3.0.0 image
kept 2.0.0 image
left-pad 1.3.0 image
musl 1.2.4-r2 image"
for ref in test/app:v1 localhost/test/app:v1 "localhost/test/app:v1@$DIGEST" "${IMG_ID:0:12}" "@$DIGEST"; do
	if $S -o $T/img.json "containers-storage:$ref" 2>$T/err && [ "$(pkgs $T/img.json)" = "$IMAGE_WANT" ]; then
		ok "containers-storage:$ref lists the planted packages"
	else
		bad "containers-storage:$ref: $(cat $T/err) $(pkgs $T/img.json 2>&1 | tr '\n' ';')"
	fi
done
$PY - "$T/img.json" "$IMG_ID" "$DIGEST" <<'PY' && ok "config digest is the image id, manifest digest podman's" || bad "image digests"
import json, sys
d = json.load(open(sys.argv[1]))["image"]
assert d["transport"] == "containers-storage", d["transport"]
assert d["configDigest"] == "sha256:" + sys.argv[2], d["configDigest"]
assert d["manifestDigest"] == sys.argv[3], d["manifestDigest"]
assert len(d["layers"]) == 2 and all(l["diffId"] for l in d["layers"])
PY
# the same through the environment variable
STOWAWAY_STORAGE_ROOT=$T/root $STOWAWAY sbom -q -f json -o $T/env.json containers-storage:test/app:v1 &&
	[ "$(pkgs $T/env.json)" = "$IMAGE_WANT" ] && ok "STOWAWAY_STORAGE_ROOT" || bad "STOWAWAY_STORAGE_ROOT"
$STOWAWAY sbom -q -f json -o $T/br.json "containers-storage:[overlay@$T/root+$T/run]test/app:v1" &&
	[ "$(pkgs $T/br.json)" = "$IMAGE_WANT" ] && ok "[driver@root+runroot] prefix" || bad "[driver@root+runroot] prefix"

CTR_WANT="added 0.1.0 container
busybox 1.36.1-r15 image
curl 8.5.0-r0 container
musl 1.2.4-r2 image"
for ref in c1 "$CID" "${CID:0:12}"; do
	if $S -o $T/ctr.json "podman-container:$ref" 2>$T/err && [ "$(pkgs $T/ctr.json)" = "$CTR_WANT" ]; then
		ok "podman-container:$ref: container changes found and marked, whiteout and opaque dir applied"
	else
		bad "podman-container:$ref: $(cat $T/err) $(pkgs $T/ctr.json 2>&1 | tr '\n' ';')"
	fi
done
# the scan command (table) names the container layer too
$STOWAWAY scan --scanners config,secret --storage-root $T/root podman-container:c1 > $T/scan.txt 2>$T/err
rc=$?
[ $rc -le 1 ] && ok "scan podman-container:c1 runs (exit $rc)" || bad "scan podman-container: exit $rc $(cat $T/err)"

# read-only: nothing in the storage changed
n=$(find $T/root -newer $T/marker | wc -l)
[ "$n" = 0 ] && ok "the storage was not written" || bad "$n files in the storage changed: $(find $T/root -newer $T/marker | head -3)"

# a file of an image layer changed on disk: the rebuilt tar's digest fails
cp -a $T/root $T/root2
LAYER=$($PY -c '
import json, sys
ls = json.load(open(sys.argv[1] + "/overlay-layers/layers.json"))
print([l["id"] for l in ls if "parent" not in l][0])' $T/root2)
printf 'P:musl\nV:9.9.9\nA:x86_64\n\n' > $T/root2/overlay/$LAYER/diff/lib/apk/db/installed.new
# same length so only the digest can tell
$PY - "$T/root2/overlay/$LAYER/diff/lib/apk/db/installed" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[b.index(b"1.2.4")] = ord("9"); open(p, "wb").write(b)
PY
$STOWAWAY sbom -q --storage-root $T/root2 containers-storage:test/app:v1 >/dev/null 2>$T/err; rc=$?
[ $rc = 2 ] && grep -q "$LAYER" $T/err && grep -qi "digest" $T/err && [ "$(wc -l < $T/err)" = 1 ] &&
	ok "a changed layer file fails the layer's digest" || bad "tampered layer: exit $rc $(cat $T/err)"
# a layer without its tar-split cannot be verified
rm -rf $T/root2; cp -a $T/root $T/root2; rm $T/root2/overlay-layers/$LAYER.tar-split.gz
$STOWAWAY sbom -q --storage-root $T/root2 containers-storage:test/app:v1 >/dev/null 2>$T/err; rc=$?
[ $rc = 2 ] && grep -q "tar-split" $T/err && ok "a missing tar-split is an error" || bad "no tar-split: exit $rc $(cat $T/err)"
# the config changed: its digest is no longer the image id
rm -rf $T/root2; cp -a $T/root $T/root2
CFG=$(ls $T/root2/overlay-images/$IMG_ID/ | grep '^=' | while read f; do
	[ "$(printf %s "${f#=}" | base64 -d 2>/dev/null)" = "sha256:$IMG_ID" ] && echo "$f"; done)
sed -i 's/amd64/arm64/' "$T/root2/overlay-images/$IMG_ID/$CFG"
$STOWAWAY sbom -q --storage-root $T/root2 containers-storage:test/app:v1 >/dev/null 2>$T/err; rc=$?
[ $rc = 2 ] && grep -q "not its ID" $T/err && ok "a changed config is refused" || bad "changed config: exit $rc $(cat $T/err)"
# bad input: one line, exit 2
printf '[{"id": 1' > $T/root2/overlay-images/images.json
$STOWAWAY sbom -q --storage-root $T/root2 containers-storage:test/app:v1 >/dev/null 2>$T/err; rc=$?
[ $rc = 2 ] && grep -q "images.json" $T/err && [ "$(wc -l < $T/err)" = 1 ] && ok "broken images.json: one line, exit 2" ||
	bad "broken images.json: exit $rc $(cat $T/err)"
$STOWAWAY sbom -q --storage-root $T/root containers-storage:no/such:image >/dev/null 2>$T/err; rc=$?
[ $rc = 2 ] && grep -q "no such image" $T/err && ok "unknown image: exit 2" || bad "unknown image: exit $rc $(cat $T/err)"
$STOWAWAY sbom -q --storage-root $T/root podman-container:nope >/dev/null 2>$T/err; rc=$?
[ $rc = 2 ] && grep -q "no container 'nope'" $T/err && ok "unknown container: exit 2" || bad "unknown container: exit $rc $(cat $T/err)"
$STOWAWAY sbom -q --storage-root $T/nowhere containers-storage:x >/dev/null 2>$T/err; rc=$?
[ $rc = 2 ] && grep -q "nowhere" $T/err && ok "missing storage root: exit 2" || bad "missing root: exit $rc $(cat $T/err)"
$STOWAWAY sbom -q "containers-storage:[vfs@$T/root]x" >/dev/null 2>$T/err; rc=$?
[ $rc = 2 ] && grep -q "overlay" $T/err && ok "another driver is refused" || bad "vfs driver: exit $rc $(cat $T/err)"

[ $fails = 0 ] && echo "all podman storage tests passed" || exit 1
