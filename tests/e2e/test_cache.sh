#!/bin/bash
# End to end: the per-layer cache (STOWAWAY_CACHE_DIR).  A second run takes
# every layer from the cache; a changed top layer re-reads only that layer;
# a corrupt entry is ignored and replaced; --no-cache neither reads nor
# writes; outputs are byte-identical with and without the cache, in every
# SBOM format and for scan; a cached layer is not read at all (its blob can
# be gone) while a tampered config is still refused.
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
counts() { sed -n 's/^layer cache: \([0-9]*\) cached, \([0-9]*\) read$/\1 \2/p' "$1"; }
run() { # label expected-"cached read" args...
	local label=$1 want=$2; shift 2
	if ! $STOWAWAY "$@" > $T/out 2> $T/err; then bad "$label: exit $?: $(head -3 $T/err)"; return 1; fi
	local got; got=$(counts $T/err)
	if [ "$got" = "$want" ]; then ok "$label ($got)"; else bad "$label: cached/read '$got', want '$want'"; return 1; fi
}

run "first run reads every layer" "0 3" sbom -q -f json oci:$T/img && cp $T/out $T/nocache.json
n=$(ls $T/cache/layers | wc -l)
[ "$n" = 3 ] && ok "one cache file per layer" || bad "cache files: $n, want 3"
run "second run reads none" "3 0" sbom -q -f json oci:$T/img && cp $T/out $T/cached.json
cmp -s $T/nocache.json $T/cached.json && ok "json identical from the cache" || bad "json differs from the cache"
grep -q '"beta"' $T/cached.json && grep -q '"y"' $T/cached.json && ! grep -q left-pad $T/cached.json \
	&& ok "cached result has the packages and the whiteout" || bad "cached result content"
for fmt in table cyclonedx spdx-json; do
	$STOWAWAY sbom -q --no-cache -f $fmt oci:$T/img > $T/a.$fmt 2>/dev/null
	$STOWAWAY sbom -q -f $fmt oci:$T/img > $T/b.$fmt 2>/dev/null
	cmp -s $T/a.$fmt $T/b.$fmt && [ -s $T/a.$fmt ] && ok "$fmt identical with and without cache" || bad "$fmt differs"
done
run "--no-cache reads every layer" "0 3" sbom -q --no-cache -f json oci:$T/img
cmp -s $T/out $T/nocache.json && ok "--no-cache output identical" || bad "--no-cache output differs"

# a changed top layer: only it is read
printf 'Metadata-Version: 2.1\nName: y\nVersion: 2.1\n' > $L2/usr/lib/python3/dist-packages/y-2.0.dist-info/METADATA
$MKIMAGE --format oci -o $T/img2 $L0 $L1 $L2 >/dev/null
run "changed top layer re-read alone" "2 1" sbom -q -f json oci:$T/img2
grep -q '"2.1"' $T/out && ok "changed layer's new version reported" || bad "new version missing"

# corrupt entries: flipped byte, truncated, empty, garbage; each ignored and replaced
i=0
for how in flip truncate empty garbage; do
	f=$(ls $T/cache/layers/* | head -1)
	case $how in
	flip) printf '\x7f' | dd of=$f bs=1 seek=40 conv=notrunc status=none ;;
	truncate) truncate -s 30 $f ;;
	empty) : > $f ;;
	garbage) head -c 5000 /dev/urandom > $f ;;
	esac
	run "corrupt entry ($how) ignored" "2 1" sbom -q -f json oci:$T/img && cmp -s $T/out $T/nocache.json \
		&& ok "output right despite a $how entry" || bad "output after a $how entry"
	run "corrupt entry ($how) replaced" "3 0" sbom -q -f json oci:$T/img
	i=$((i + 1))
done
[ -z "$(ls -A $T/cache/layers | grep -v '^[0-9a-f]\{64\}$')" ] && ok "no temporary files left" || bad "stray files: $(ls -A $T/cache/layers)"

# a cached layer is not read: spoil every layer blob (a read would fail its
# digest check); with a warm cache the run still succeeds
cp -r $T/img $T/img-spoilt
d=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]+"/index.json"))["manifests"][0]["digest"])' $T/img-spoilt)
for l in $(python3 -c 'import json,sys; print(" ".join(x["digest"] for x in json.load(open(sys.argv[1]))["layers"]))' $T/img-spoilt/blobs/sha256/${d#sha256:}); do
	b=$T/img-spoilt/blobs/sha256/${l#sha256:}
	sz=$(stat -c %s $b); rm -f $b; head -c $sz /dev/zero > $b
done
run "cached layers are not opened" "3 0" sbom -q -f json oci:$T/img-spoilt && same_pkgs $T/out $T/nocache.json \
	&& ok "output identical with spoilt layer blobs" || bad "output with spoilt blobs"
if $STOWAWAY sbom -q --no-cache -f json oci:$T/img-spoilt >/dev/null 2>&1; then bad "--no-cache read spoilt blobs"; else ok "--no-cache reads (and refuses) the spoilt blobs"; fi

# the manifest and config are still verified when every layer is cached
$MKIMAGE --format oci -o $T/img-badcfg --corrupt-config-digest $L0 $L1 $L2 >/dev/null
if $STOWAWAY sbom -q -f json oci:$T/img-badcfg > /dev/null 2> $T/err; then bad "corrupt config accepted with a warm cache"
else grep -qi digest $T/err && ok "corrupt config refused with a warm cache" || bad "corrupt config message: $(cat $T/err)"; fi

# scan through the cache: same report
mkdir -p $T/osv
printf '{"id":"TEST-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"x"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.5"}]}]}]}' > $T/osv/TEST-1.json
export STOWAWAY_DB=$T/db.sqlite STOWAWAY_NOW=1700000000
if $STOWAWAY db update -q --source osv=$T/osv >/dev/null 2>$T/err; then
	$STOWAWAY scan -q --no-cache -f json oci:$T/img > $T/s1 2>/dev/null
	run "scan from the cache" "3 0" scan -q -f json oci:$T/img
	cmp -s $T/s1 $T/out && grep -q TEST-1 $T/out && ok "scan identical with and without cache" || bad "scan differs or misses TEST-1"
else
	bad "db update: $(head -2 $T/err)"
fi

# several processes at once on a cold cache
rm -rf $T/cache
for k in 1 2 3 4; do $STOWAWAY sbom -q -f json -o $T/par$k.json oci:$T/img 2>/dev/null & done
wait
same=1; for k in 1 2 3 4; do cmp -s $T/par$k.json $T/nocache.json || same=0; done
[ $same = 1 ] && ok "four concurrent runs agree" || bad "concurrent runs differ"
run "after concurrent writers the cache is whole" "3 0" sbom -q -f json oci:$T/img

[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
