#!/bin/bash
# End to end: the image and layer caches (STOWAWAY_CACHE_DIR).  A second run
# takes the whole inventory from the image cache (no layer, no merge); with
# the image entry gone it takes every layer from the layer cache; a changed
# top layer re-reads only that layer; a changed config (history) is another
# image entry; corrupt entries of either cache are ignored and replaced;
# --no-cache neither reads nor writes; dir: is not cached; outputs are
# byte-identical cold, from the layer cache and from the image cache, in
# every SBOM format and for scan; a cached layer is not read at all (its
# blob can be gone) while a tampered config is still refused; concurrent
# writers leave whole entries.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
export SOURCE_DATE_EPOCH=1700000000 STOWAWAY_DEBUG_CACHE=1
unset STOWAWAY_NO_CACHE
export STOWAWAY_CACHE_DIR=$T/cache
unset XDG_CACHE_HOME

stanza() { printf 'Package: %s\nStatus: install ok installed\nVersion: %s\nSource: %s\nArchitecture: amd64\n\n' "$@"; }
L0=$T/l0; mkdir -p $L0/etc $L0/var/lib/dpkg/info $L0/usr/share/doc/alpha $L0/app/node_modules/left-pad
printf 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' > $L0/etc/os-release
{ stanza alpha 1.0-1 alpha; stanza beta 1.0-1 beta; } > $L0/var/lib/dpkg/status
printf '/.\n/usr/bin/alpha\n' > $L0/var/lib/dpkg/info/alpha.list
printf 'Files: *\nLicense: MIT\n' > $L0/usr/share/doc/alpha/copyright
printf '{"name":"left-pad","version":"1.3.0","license":"WTFPL"}' > $L0/app/node_modules/left-pad/package.json
L1=$T/l1; mkdir -p $L1/var/lib/dpkg $L1/usr/lib/python3/dist-packages/x-1.0.dist-info $L1/app/node_modules
{ stanza alpha 1.0-1 alpha; stanza beta 2.0-1 beta; } > $L1/var/lib/dpkg/status
printf 'Metadata-Version: 2.1\nName: x\nVersion: 1.0\n' > $L1/usr/lib/python3/dist-packages/x-1.0.dist-info/METADATA
: > $L1/app/node_modules/.wh.left-pad
ln -s ../../var/lib/dpkg/status $L1/app/status-link
L2=$T/l2; mkdir -p $L2/usr/lib/python3/dist-packages/y-2.0.dist-info
printf 'Metadata-Version: 2.1\nName: y\nVersion: 2.0\n' > $L2/usr/lib/python3/dist-packages/y-2.0.dist-info/METADATA

$MKIMAGE --format oci -o $T/img $L0 $L1 $L2 >/dev/null || { echo "FAIL - mkimage"; exit 1; }

same_pkgs() { python3 -c 'import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:]); sys.exit(0 if (a["os"],a["packages"])==(b["os"],b["packages"]) and a["packages"] else 1)' "$1" "$2"; }
# "IMAGE CACHED READ" from STOWAWAY_DEBUG_CACHE's lines
counts() { sed -n 's/^image cache: \([a-z]*\).*$/\1/p; s/^layer cache: \([0-9]*\) cached, \([0-9]*\) read$/\1 \2/p' "$1" | tr '\n' ' ' | sed 's/ $//'; }
run() { # label expected-"image cached read" args...
	local label=$1 want=$2; shift 2
	if ! $STOWAWAY "$@" > $T/out 2> $T/err; then bad "$label: exit $?: $(head -3 $T/err)"; return 1; fi
	local got; got=$(counts $T/err)
	if [ "$got" = "$want" ]; then ok "$label ($got)"; else bad "$label: image/cached/read '$got', want '$want'"; return 1; fi
}
drop_images() { rm -rf $T/cache/images; }
image_entry() { echo $T/cache/images/$IMG_KEY; }   # oci:$T/img's
spoil() { # how file
	case $1 in
	flip) printf '\x7f' | dd of=$2 bs=1 seek=40 conv=notrunc status=none ;;
	truncate) truncate -s 30 $2 ;;
	empty) : > $2 ;;
	garbage) head -c 5000 /dev/urandom > $2 ;;
	esac
}

run "first run reads every layer" "miss 0 3" sbom -q -f json oci:$T/img && cp $T/out $T/nocache.json
n=$(ls $T/cache/layers | wc -l)
[ "$n" = 3 ] && ok "one cache file per layer" || bad "cache files: $n, want 3"
n=$(ls $T/cache/images | wc -l)
[ "$n" = 1 ] && ok "one image entry" || bad "image entries: $n, want 1"
IMG_KEY=$(ls $T/cache/images)
run "second run: image cache hit, no layer looked at" "hit 0 0" sbom -q -f json oci:$T/img && cp $T/out $T/cached.json
cmp -s $T/nocache.json $T/cached.json && ok "json identical from the image cache" || bad "json differs from the image cache"
grep -q '"beta"' $T/cached.json && grep -q '"y"' $T/cached.json && ! grep -q left-pad $T/cached.json \
	&& ok "cached result has the packages and the whiteout" || bad "cached result content"
drop_images
run "without the image entry every layer is cached" "miss 3 0" sbom -q -f json oci:$T/img
cmp -s $T/out $T/nocache.json && ok "json identical from the layer cache" || bad "json differs from the layer cache"
for fmt in table cyclonedx spdx-json; do
	$STOWAWAY sbom -q --no-cache -f $fmt oci:$T/img > $T/a.$fmt 2>/dev/null
	drop_images
	$STOWAWAY sbom -q -f $fmt oci:$T/img > $T/b.$fmt 2>/dev/null
	$STOWAWAY sbom -q -f $fmt oci:$T/img > $T/c.$fmt 2>$T/err
	[ "$(counts $T/err)" = "hit 0 0" ] || bad "$fmt: third run not an image hit: $(counts $T/err)"
	cmp -s $T/a.$fmt $T/b.$fmt && cmp -s $T/a.$fmt $T/c.$fmt && [ -s $T/a.$fmt ] \
		&& ok "$fmt identical without cache, from the layer cache and from the image cache" || bad "$fmt differs"
done
# the same image as docker-archive: another transport, the same config, the same entry
$MKIMAGE --format docker-archive -o $T/img.tar $L0 $L1 $L2 >/dev/null
run "docker-archive of the same image: the same image entry" "hit 0 0" sbom -q -f json docker-archive:$T/img.tar
$STOWAWAY sbom -q --no-cache -f json docker-archive:$T/img.tar > $T/da.json 2>/dev/null
same_pkgs $T/out $T/da.json && ok "docker-archive from the image cache: same packages" || bad "docker-archive from the image cache differs"
run "--no-cache reads every layer" "off 0 3" sbom -q --no-cache -f json oci:$T/img
cmp -s $T/out $T/nocache.json && ok "--no-cache output identical" || bad "--no-cache output differs"
STOWAWAY_NO_CACHE=1 run "STOWAWAY_NO_CACHE reads every layer" "off 0 3" sbom -q -f json oci:$T/img
before=$(ls -A $T/cache/images $T/cache/layers | sort | md5sum)
rm -rf $T/nc && STOWAWAY_CACHE_DIR=$T/nc run "--no-cache writes nothing" "off 0 3" sbom -q --no-cache -f json oci:$T/img
[ ! -e $T/nc ] && ok "--no-cache created no cache" || bad "--no-cache created $T/nc"
run "dir: is not cached" "off 0 1" sbom -q -f json dir:$L0
run "dir: is not cached, again" "off 0 1" sbom -q -f json dir:$L0
[ "$(ls -A $T/cache/images $T/cache/layers | sort | md5sum)" = "$before" ] && ok "dir: stored nothing" || bad "dir: changed the cache"

# a changed top layer: only it is read
cp -r $L2 $T/l2b
printf 'Metadata-Version: 2.1\nName: y\nVersion: 2.1\n' > $T/l2b/usr/lib/python3/dist-packages/y-2.0.dist-info/METADATA
$MKIMAGE --format oci -o $T/img2 $L0 $L1 $T/l2b >/dev/null
run "changed top layer re-read alone" "miss 2 1" sbom -q -f json oci:$T/img2
grep -q '"2.1"' $T/out && ok "changed layer's new version reported" || bad "new version missing"
run "changed image then from the image cache" "hit 0 0" sbom -q -f json oci:$T/img2
grep -q '"2.1"' $T/out && ok "its own entry" || bad "image cache mixed up two images"

# the same layers with another history: another config, another entry
$MKIMAGE --format oci -o $T/img3 --history 'ADD base' --history 'RUN upgrade' --history 'RUN pip install y' \
	$L0 $L1 $L2 >/dev/null
run "another history is another image entry" "miss 3 0" sbom -q -f json oci:$T/img3
grep -q 'RUN pip install y' $T/out && ok "new history reported" || bad "history from a stale entry"
run "another history, second run" "hit 0 0" sbom -q -f json oci:$T/img3
grep -q 'RUN pip install y' $T/out && ok "new history from its entry" || bad "history from the image cache"
run "the first image still has its entry" "hit 0 0" sbom -q -f json oci:$T/img
cmp -s $T/out $T/nocache.json && ok "first image unchanged" || bad "first image's output changed"

# an entry of another image under this image's name is refused (the key inside)
n=$(ls $T/cache/images | wc -l)
[ "$n" = 3 ] && ok "three images, three entries" || bad "image entries: $n, want 3"
other=$(ls $T/cache/images | grep -v "^$IMG_KEY\$" | head -1)
cp $T/cache/images/$other $(image_entry)
run "an entry written for another key is refused" "bad 3 0" sbom -q -f json oci:$T/img && cmp -s $T/out $T/nocache.json \
	&& ok "output right despite a swapped entry" || bad "output after a swapped entry"

# corrupt layer entries (no image entry, so the layers are looked up): each
# ignored and replaced
for how in flip truncate empty garbage; do
	drop_images
	spoil $how $(ls $T/cache/layers/* | head -1)
	run "corrupt layer entry ($how) ignored" "miss 2 1" sbom -q -f json oci:$T/img && cmp -s $T/out $T/nocache.json \
		&& ok "output right despite a $how layer entry" || bad "output after a $how layer entry"
	drop_images
	run "corrupt layer entry ($how) replaced" "miss 3 0" sbom -q -f json oci:$T/img
done
# corrupt image entries: each is a miss (layers from the layer cache) and rewritten
for how in flip truncate empty garbage; do
	spoil $how $(image_entry)
	run "corrupt image entry ($how) rebuilt" "bad 3 0" sbom -q -f json oci:$T/img && cmp -s $T/out $T/nocache.json \
		&& ok "output right despite a $how image entry" || bad "output after a $how image entry"
	run "corrupt image entry ($how) replaced" "hit 0 0" sbom -q -f json oci:$T/img
done
stray() { find $T/cache -type f | grep -v '/\(layers\|images\)/[0-9a-f]\{64\}$'; }
[ -z "$(stray)" ] && ok "no temporary files left" || bad "stray files: $(stray)"

# a cached layer is not read: spoil every layer blob (a read would fail its
# digest check); with a warm cache the run still succeeds, from either level
cp -r $T/img $T/img-spoilt
d=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]+"/index.json"))["manifests"][0]["digest"])' $T/img-spoilt)
for l in $(python3 -c 'import json,sys; print(" ".join(x["digest"] for x in json.load(open(sys.argv[1]))["layers"]))' $T/img-spoilt/blobs/sha256/${d#sha256:}); do
	b=$T/img-spoilt/blobs/sha256/${l#sha256:}
	sz=$(stat -c %s $b); rm -f $b; head -c $sz /dev/zero > $b
done
run "image entry: layers are not opened" "hit 0 0" sbom -q -f json oci:$T/img-spoilt && same_pkgs $T/out $T/nocache.json \
	&& ok "output identical with spoilt layer blobs (image cache)" || bad "output with spoilt blobs (image cache)"
drop_images
run "cached layers are not opened" "miss 3 0" sbom -q -f json oci:$T/img-spoilt && same_pkgs $T/out $T/nocache.json \
	&& ok "output identical with spoilt layer blobs (layer cache)" || bad "output with spoilt blobs (layer cache)"
if $STOWAWAY sbom -q --no-cache -f json oci:$T/img-spoilt >/dev/null 2>&1; then bad "--no-cache read spoilt blobs"; else ok "--no-cache reads (and refuses) the spoilt blobs"; fi

# the manifest and config are still verified when the image is cached
$MKIMAGE --format oci -o $T/img-badcfg --corrupt-config-digest $L0 $L1 $L2 >/dev/null
if $STOWAWAY sbom -q -f json oci:$T/img-badcfg > /dev/null 2> $T/err; then bad "corrupt config accepted with a warm cache"
else grep -qi digest $T/err && ok "corrupt config refused with a warm cache" || bad "corrupt config message: $(cat $T/err)"; fi

# scan through the cache: same report
mkdir -p $T/osv
printf '{"id":"TEST-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"x"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.5"}]}]}]}' > $T/osv/TEST-1.json
export STOWAWAY_DB=$T/db.sqlite STOWAWAY_NOW=1700000000
if $STOWAWAY db update -q --source osv=$T/osv >/dev/null 2>$T/err; then
	$STOWAWAY scan -q --no-cache -f json oci:$T/img > $T/s1 2>/dev/null
	# without content scanners a scan uses the entries sbom stored; the
	# default secret scanner is part of the cache keys, so the default scan
	# stores entries of its own once, then hits them
	run "scan --scanners vuln,config from sbom's image cache entry" "hit 0 0" scan -q --scanners vuln,config -f json oci:$T/img
	run "default scan (secret scanner on): its own entries, layers read once" "miss 0 3" scan -q -f json oci:$T/img
	run "scan from the image cache" "hit 0 0" scan -q -f json oci:$T/img
	cmp -s $T/s1 $T/out && grep -q TEST-1 $T/out && ok "scan identical with and without cache" || bad "scan differs or misses TEST-1"
	drop_images
	run "scan from the layer cache" "miss 3 0" scan -q -f json oci:$T/img
	cmp -s $T/s1 $T/out && ok "scan identical from the layer cache" || bad "scan differs from the layer cache"
else
	bad "db update: $(head -2 $T/err)"
fi

# several processes at once on a cold cache, then on a cold image cache
for phase in cold images; do
	[ $phase = cold ] && rm -rf $T/cache || drop_images
	for k in 1 2 3 4; do $STOWAWAY sbom -q -f json -o $T/par$k.json oci:$T/img 2>/dev/null & done
	wait
	same=1; for k in 1 2 3 4; do cmp -s $T/par$k.json $T/nocache.json || same=0; done
	[ $same = 1 ] && ok "four concurrent runs agree ($phase)" || bad "concurrent runs differ ($phase)"
	run "after concurrent writers ($phase) the image entry is whole" "hit 0 0" sbom -q -f json oci:$T/img
	cmp -s $T/out $T/nocache.json && ok "and right ($phase)" || bad "output after concurrent writers ($phase)"
	drop_images
	run "after concurrent writers ($phase) the layer entries are whole" "miss 3 0" sbom -q -f json oci:$T/img
done
[ -z "$(stray)" ] && ok "no temporary files after concurrent writers" || bad "stray files: $(stray)"

# stowaway cache info / clean: counts, pruning by last use, then everything
$STOWAWAY cache info > $T/info
grep -q "^layers: 3 entries" $T/info && grep -q "^images: 1 entries" $T/info && ok "cache info counts" || bad "cache info: $(cat $T/info)"
$STOWAWAY cache clean --older-than 1 > $T/clean && grep -q "removed 0 layer and 0 image" $T/clean \
	&& ok "clean --older-than keeps entries in use" || bad "clean --older-than 1: $(cat $T/clean)"
old=$(ls $STOWAWAY_CACHE_DIR/layers | head -1)
touch -a -m -d '40 days ago' "$STOWAWAY_CACHE_DIR/layers/$old"
$STOWAWAY cache clean --older-than 30 > $T/clean && grep -q "removed 1 layer and 0 image" $T/clean && \
	[ ! -e "$STOWAWAY_CACHE_DIR/layers/$old" ] && ok "clean --older-than removes unused entries" || bad "clean --older-than 30: $(cat $T/clean)"
touch "$STOWAWAY_CACHE_DIR/layers/not-an-entry"
$STOWAWAY cache clean > $T/clean && grep -q "removed 2 layer and 1 image" $T/clean && \
	[ -e "$STOWAWAY_CACHE_DIR/layers/not-an-entry" ] && ok "clean removes every entry, nothing else" || bad "clean: $(cat $T/clean)"
run "after clean every layer is read again" "miss 0 3" sbom -q -f json oci:$T/img
cmp -s $T/out $T/nocache.json && ok "and right" || bad "output after clean"
$STOWAWAY cache clean --older-than soon 2> $T/err; rc=$?
[ $rc = 64 ] && grep -q "number of days" $T/err && ok "bad --older-than is a usage error" || bad "bad --older-than: rc $rc $(cat $T/err)"

[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
