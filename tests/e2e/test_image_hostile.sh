#!/bin/bash
# End to end: images whose layers must be applied as a runtime applies them
# (OCI image-spec layer.md, "Changeset over existing files": an entry
# replaces an existing path unless both are directories, and a replaced
# directory goes with everything under it), and hostile images that must
# not hang.  Expected results are what the test planted and the spec says,
# never the scanner's own output.  Every run is under `timeout`.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
MKHOSTILE="python3 $SW_SOURCE_DIR/tests/tools/mkhostile.py"
T=$(mktemp -d)
export STOWAWAY_CACHE_DIR=$T/cache
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }

stanza() { # name version
	printf 'Package: %s\nStatus: install ok installed\nVersion: %s\nArchitecture: amd64\n\n' "$@"
}
# deb package names in a JSON inventory, sorted, space separated
debs() {
	python3 -c 'import json,sys; print(" ".join(sorted(p["name"] for p in json.load(open(sys.argv[1]))["packages"] if p["type"] == "deb")))' "$1"
}

# layer 0: Debian with two packages, and a node module under /app/lib
L0=$T/l0; mkdir -p $L0/usr/lib $L0/etc $L0/var/lib/dpkg $L0/app/lib/node_modules/lp
printf 'ID=debian\nVERSION_ID="12"\n' > $L0/usr/lib/os-release
ln -s ../usr/lib/os-release $L0/etc/os-release
{ stanza alpha 1.0-1; stanza beta 2.0-1; } > $L0/var/lib/dpkg/status
printf '{"name":"lp","version":"1.3.0"}' > $L0/app/lib/node_modules/lp/package.json

# the upper layers, each one way of replacing var/lib/dpkg (or a parent of it)
mkdir -p $T/sym/var/lib $T/file/var/lib $T/parent/var $T/same/var/lib/dpkg $T/fifo/var/lib
ln -s /nowhere $T/sym/var/lib/dpkg               # the directory becomes a symlink
printf 'not a directory\n' > $T/file/var/lib/dpkg # ... a regular file
ln -s /srv $T/parent/var/lib                     # a parent becomes a symlink
mkfifo $T/fifo/var/lib/dpkg                      # ... a FIFO
printf 'x\n' > $T/same/var/lib/dpkg/other        # control: still a directory

for up in sym file parent fifo same; do
	$MKIMAGE --format oci -o $T/img-$up $L0 $T/$up || { bad "build $up"; continue; }
	if ! timeout 60 $STOWAWAY sbom -q -f json -o $T/$up.json oci:$T/img-$up; then
		bad "sbom $up"; continue
	fi
	got=$(debs $T/$up.json)
	want=""; [ $up = same ] && want="alpha beta"
	[ "$got" = "$want" ] && ok "var/lib/dpkg replaced ($up): deb packages '$want'" ||
		bad "var/lib/dpkg replaced ($up): got '$got', want '$want'"
done

# /app/lib replaced by a symlink: the node module below it is gone too
mkdir -p $T/applink/app; ln -s /opt $T/applink/app/lib
$MKIMAGE --format oci -o $T/img-applink $L0 $T/applink &&
	timeout 60 $STOWAWAY sbom -q -f json -o $T/applink.json oci:$T/img-applink &&
	python3 -c 'import json,sys; sys.exit(any(p["name"] == "lp" for p in json.load(open(sys.argv[1]))["packages"]))' $T/applink.json &&
	ok "app/lib replaced by a symlink: npm package gone" || bad "app/lib replaced by a symlink"

# a file of a lower layer replaced by a directory: its packages are gone
mkdir -p $T/dir/var/lib/dpkg/status
printf 'x\n' > $T/dir/var/lib/dpkg/status/x
$MKIMAGE --format oci -o $T/img-dir $L0 $T/dir &&
	timeout 60 $STOWAWAY sbom -q -f json -o $T/dir.json oci:$T/img-dir &&
	[ "$(debs $T/dir.json)" = "" ] && ok "status file replaced by a directory" ||
	bad "status file replaced by a directory: '$(debs $T/dir.json 2>/dev/null)'"

# the same results from the layer cache (path sets stored and read back)
for up in sym same; do
	timeout 60 env -u STOWAWAY_NO_CACHE $STOWAWAY sbom -q -f json -o $T/$up.c1.json oci:$T/img-$up &&
		timeout 60 env -u STOWAWAY_NO_CACHE $STOWAWAY sbom -q -f json -o $T/$up.c2.json oci:$T/img-$up &&
		[ "$(debs $T/$up.c2.json)" = "$(debs $T/$up.json)" ] && ok "cached: $up" || bad "cached: $up"
done

# a cache hit reads no layer byte (documented in --help and docs/performance.md):
# a layer blob swapped after caching goes unnoticed by a cached scan, and
# --no-cache, the full check, refuses it (digest mismatch, exit 2)
cp -r $T/img-same $T/img-swap
LB=$($MKHOSTILE first-layer $T/img-swap)
timeout 60 env -u STOWAWAY_NO_CACHE $STOWAWAY sbom -q -f json -o $T/swap1.json oci:$T/img-swap || bad "swap: first scan"
python3 -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[len(b)//2]^=1; open(p,"wb").write(b)' $T/img-swap/$LB
timeout 60 env -u STOWAWAY_NO_CACHE $STOWAWAY sbom -q -f json -o $T/swap2.json oci:$T/img-swap &&
	[ "$(debs $T/swap2.json)" = "alpha beta" ] && ok "cache hit: layer bytes not read" || bad "cache hit read the layer"
timeout 60 $STOWAWAY sbom -q --no-cache -f json -o $T/swap3.json oci:$T/img-swap 2>$T/swap3.err
rc=$?
[ $rc = 2 ] && grep -q "digest mismatch" $T/swap3.err && [ ! -e $T/swap3.json ] &&
	ok "--no-cache verifies every layer" || bad "--no-cache on a swapped layer: exit $rc, $(cat $T/swap3.err)"
for cmd in sbom scan; do
	$STOWAWAY $cmd --help | tr -s ' \n' ' ' | grep -q "On a cache hit no layer byte is read: only the manifest, the config (by digest) and its diff_ids, which key the cached results, are verified. A runtime refuses layers whose content does not match the diff_ids; --no-cache reads and verifies every layer (the full check)" &&
		ok "$cmd --help says what a cache hit verifies" || bad "$cmd --help: cache hit text"
done

# rpmdb.sqlite-wal: committed transactions not yet checkpointed are part of
# the database for rpm.  A real WAL is made by rpm itself: alpha installed and
# checkpointed, then beta installed while a reader holds a snapshot (so no
# checkpoint can copy it into rpmdb.sqlite).  Expected: what `rpm -qa` lists
# from a copy of the same two files.
R=$T/rpm; mkdir -p $R/top/SPECS $R/db
for n in alpha beta; do
	printf 'Name: %s
Version: 1.0
Release: 1
Summary: t
License: MIT
BuildArch: noarch
%%description
t
%%files
' $n > $R/top/SPECS/$n.spec
	rpmbuild --define "_topdir $R/top" -bb $R/top/SPECS/$n.spec >/dev/null 2>&1 || bad "rpmbuild $n"
done
RPM() { rpm --dbpath "$1" --define '_db_backend sqlite' "${@:2}" 2>/dev/null; }
RPM $R/db --initdb && RPM $R/db -i --nodeps --justdb $R/top/RPMS/noarch/alpha-1.0-1.noarch.rpm || bad "rpm alpha"
python3 - $R/db $R/snap $R/top/RPMS/noarch/beta-1.0-1.noarch.rpm <<'PY' || bad "rpm beta into the WAL"
import os, shutil, sqlite3, subprocess, sys
db, out, pkg = sys.argv[1:]
con = sqlite3.connect(os.path.join(db, "rpmdb.sqlite"), isolation_level=None)
con.execute("BEGIN")
con.execute("SELECT count(*) FROM Packages").fetchall()  # a snapshot held open
subprocess.run(["rpm", "--dbpath", db, "--define", "_db_backend sqlite", "-i", "--nodeps", "--justdb", pkg],
               check=True, stderr=subprocess.DEVNULL)
os.makedirs(out)
for f in ("rpmdb.sqlite", "rpmdb.sqlite-wal"):
    shutil.copy(os.path.join(db, f), out)
con.close()
PY
rpmqa() { rm -rf $T/qa; mkdir $T/qa; cp "$@" $T/qa/; RPM $T/qa -qa --qf '%{NAME}\n' | sort | tr '\n' ' ' | sed 's/ $//'; }
rpms() { python3 -c 'import json,sys; print(" ".join(sorted(p["name"] for p in json.load(open(sys.argv[1]))["packages"] if p["type"] == "rpm")))' "$1"; }
mkdir -p $R/l0/var/lib/rpm $R/l0/etc; printf 'ID=fedora
VERSION_ID=39
' > $R/l0/etc/os-release
cp $R/snap/rpmdb.sqlite $R/snap/rpmdb.sqlite-wal $R/l0/var/lib/rpm/
want=$(rpmqa $R/snap/rpmdb.sqlite $R/snap/rpmdb.sqlite-wal)
[ "$want" = "alpha beta" ] && [ "$(rpmqa $R/snap/rpmdb.sqlite)" = "alpha" ] || bad "rpm fixture: with WAL '$want', without '$(rpmqa $R/snap/rpmdb.sqlite)'"
$MKIMAGE --format oci -o $T/img-wal $R/l0 && timeout 60 $STOWAWAY sbom -q -f json -o $T/wal.json oci:$T/img-wal &&
	[ "$(rpms $T/wal.json)" = "$want" ] && ok "rpmdb.sqlite-wal applied: '$want' as rpm -qa" ||
	bad "rpmdb.sqlite-wal: got '$(rpms $T/wal.json 2>/dev/null)', rpm -qa '$want'"
# the last frame damaged: its commit is not valid, for rpm (SQLite) as for us
python3 -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[-100]^=1; open(p,"wb").write(b)' $R/l0/var/lib/rpm/rpmdb.sqlite-wal
want=$(rpmqa $R/l0/var/lib/rpm/rpmdb.sqlite $R/l0/var/lib/rpm/rpmdb.sqlite-wal)
$MKIMAGE --format oci -o $T/img-wal2 $R/l0 && timeout 60 $STOWAWAY sbom -q -f json -o $T/wal2.json oci:$T/img-wal2 &&
	[ "$(rpms $T/wal2.json)" = "$want" ] && ok "damaged WAL frame: '$want' as rpm -qa" ||
	bad "damaged WAL: got '$(rpms $T/wal2.json 2>/dev/null)', rpm -qa '$want'"
# the WAL alone in an upper layer (its database below): not read, and said so
mkdir -p $R/l1/var/lib/rpm $R/l2/var/lib/rpm
cp $R/snap/rpmdb.sqlite $R/l1/var/lib/rpm/; cp $R/snap/rpmdb.sqlite-wal $R/l2/var/lib/rpm/
cp -r $R/l0/etc $R/l1/
$MKIMAGE --format oci -o $T/img-wal3 $R/l1 $R/l2 && timeout 60 $STOWAWAY sbom -q -f json -o $T/wal3.json oci:$T/img-wal3 &&
	grep -q "rpmdb.sqlite-wal: not read" $T/wal3.json && ok "WAL in another layer: warned" || bad "WAL in another layer: no warning"

# 20,000 symlinks 1,000 directories deep: bounded work (was about a minute)
$MKHOSTILE deep-symlinks $T/deep.tar 1000 20000 &&
	$MKIMAGE --format oci --compression none -o $T/img-deep $T/deep.tar || bad "build deep"
start=$SECONDS
if timeout 30 $STOWAWAY sbom -q -f json -o $T/deep.json oci:$T/img-deep; then
	ok "deep symlinks in $((SECONDS - start)) s"
else
	bad "deep symlinks: exit $? after $((SECONDS - start)) s (timeout 30)"
fi

[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
