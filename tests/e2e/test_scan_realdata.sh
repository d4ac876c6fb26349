#!/bin/bash
# End to end on real public data (../shared/data): one database built from
# golang/vulndb, PyPA, RustSec (OSV), RubySec and the GitHub advisories; one
# image holding real trivy language fixtures at realistic paths (a Go binary
# with build info, a cargo-auditable binary, Python dist-info / egg-info,
# Gemfile.lock, Cargo.lock, npm lockfiles and node_modules, jars and wars);
# `stowaway scan -f json` must report exactly the findings worked out by hand
# from the advisory files (tests/tools/realdata_check.py holds them, with the
# file and range each one comes from).
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
D=${SW_SHARED_DATA:-}
if [ -z "$D" ] || [ ! -f "$D/pkgdb/trivy-language-fixtures.tar.xz" ] || [ ! -d "$D/vuln/osv" ] ||
	[ ! -f "$D/vuln/ghsa/ghsa-osv-npm-pypi-maven.tar.xz" ]; then
	echo "FAIL - needs ../shared/data with pkgdb/trivy-language-fixtures.tar.xz, vuln/osv and vuln/ghsa (SW_SHARED_DATA='$D'); some are absent"
	exit 1
fi
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
CHECK="python3 $SW_SOURCE_DIR/tests/tools/realdata_check.py"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export SOURCE_DATE_EPOCH=1735689600 STOWAWAY_NOW=1735689600
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
now_ms() { date +%s%3N; }

# ---- extract the fixtures and the Go records (the oracle reads them) ----
t0=$(now_ms)
mkdir -p $T/fx $T/go
tar -xJf "$D/pkgdb/trivy-language-fixtures.tar.xz" -C $T/fx &&
	tar -xJf "$D/vuln/osv/golang-vulndb-osv.tar.xz" -C $T/go || { bad "extracting the archives"; exit 1; }
F=$T/fx/pkg
echo "# extracted in $(($(now_ms) - t0)) ms"

# ---- one database from five real sources (archives are read directly) ----
V=$D/vuln
t0=$(now_ms)
if $STOWAWAY db update -q --db $T/db.sqlite \
	--source osv=$V/osv/golang-vulndb-osv.tar.xz \
	--source osv=$V/osv/pypa-advisory-database.tar.xz \
	--source osv=$V/osv/rustsec-advisory-db-osv.tar.xz \
	--source osv=$V/ghsa/ghsa-osv-npm-pypi-maven.tar.xz \
	--source rubysec=$V/osv/rubysec-ruby-advisory-db.tar.xz 2> $T/upd.err; then
	ok "db update from golang/vulndb, PyPA, RustSec, GHSA and RubySec ($(($(now_ms) - t0)) ms)"
else
	bad "db update: $(cat $T/upd.err)"
	exit 1
fi

# ---- the image: binaries in layer 0, language files in layer 1 ----
L0=$T/l0 L1=$T/l1
SP=$L1/usr/local/lib/python3.11/site-packages
GS=$L1/usr/local/lib/ruby/gems/3.2.0/specifications
mkdir -p $L0/usr/local/bin $SP $GS $L1/app/ruby $L1/app/rust $L1/app/node $L1/app/web $L1/app/tools $L1/opt/java
cp $F/dependency/parser/golang/binary/testdata/test.elf $L0/usr/local/bin/goapp
cp $F/dependency/parser/rust/binary/testdata/test.elf $L0/usr/local/bin/rustapp
chmod 755 $L0/usr/local/bin/*
cp -r $F/fanal/analyzer/language/python/packaging/testdata/classifier-license-dist/setuptools-51.3.3.dist-info $SP/
cp -r $F/fanal/analyzer/language/python/pip/testdata/libs/common-dir/lib/site-packages/*.dist-info $SP/
cp -r $F/fanal/analyzer/language/python/packaging/testdata/happy-egg/distlib-0.3.1.egg-info $SP/
cp $F/dependency/parser/ruby/bundler/testdata/Gemfile_normal.lock $L1/app/ruby/Gemfile.lock
# the fixture archive holds no gemspec (*.gemspec were filtered out): a small one of ours
cat > $GS/i18n-0.6.5.gemspec <<'G'
# -*- encoding: utf-8 -*-
# stub: i18n 0.6.5 ruby lib

Gem::Specification.new do |s|
  s.name = "i18n".freeze
  s.version = "0.6.5"
  s.licenses = ["MIT".freeze]
end
G
cp $F/dependency/parser/rust/cargo/testdata/cargo_normal.lock $L1/app/rust/Cargo.lock
cp -r $F/fanal/analyzer/language/nodejs/npm/testdata/happy/. $L1/app/node/
cp $F/dependency/parser/nodejs/npm/testdata/package-lock_v3.json $L1/app/web/package-lock.json
cp $F/dependency/parser/nodejs/npm/testdata/package-lock_v3_with-same-dev-and-non-dev.json $L1/app/tools/package-lock.json
for j in maven.war gradle.war hadoop-shaded-guava-1.1.0-SNAPSHOT.jar io.quarkus.gizmo.gizmo-1.1.jar; do
	cp $F/dependency/parser/java/jar/testdata/$j $L1/opt/java/
done
$MKIMAGE --format oci-archive -o $T/img.tar --history 'COPY binaries' --history 'COPY app' $L0 $L1 > /dev/null ||
	{ bad "mkimage"; exit 1; }
IMG=oci-archive:$T/img.tar

$STOWAWAY sbom -q -f json -o $T/sbom.json $IMG 2> $T/sbom.err || bad "sbom: $(cat $T/sbom.err)"
t0=$(now_ms)
$STOWAWAY scan -q --db $T/db.sqlite -f json -o $T/scan.json $IMG 2> $T/scan.err; rc=$?
ms=$(($(now_ms) - t0))
[ $rc -eq 0 ] && ok "scan exits 0 ($ms ms)" || bad "scan rc $rc: $(cat $T/scan.err)"

# ---- the expected findings ----
$CHECK $T/scan.json $T/sbom.json $T/go/data/osv > $T/check.out 2>&1; crc=$?
cat $T/check.out
n=$(grep -c '^FAIL' $T/check.out)
fails=$((fails + n))
[ $crc -eq 0 ] || [ $n -gt 0 ] || bad "realdata_check.py exited $crc"

# a second scan of the same image gives the same findings (deterministic)
$STOWAWAY scan -q --db $T/db.sqlite -f json $IMG > $T/scan2.json 2> /dev/null
python3 - $T/scan.json $T/scan2.json <<'PY' && ok "second scan gives the same findings" || bad "second scan differs"
import json, sys
a, b = (json.load(open(f))["vulnerabilities"] for f in sys.argv[1:3])
key = lambda v: (v["id"], v["package"]["name"], v["installedVersion"], v["package"].get("path"))
sys.exit(0 if sorted(map(key, a)) == sorted(map(key, b)) and a else 1)
PY

if [ $fails -gt 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "all passed"
