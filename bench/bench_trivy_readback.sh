#!/bin/bash
# bench/bench_trivy_readback.sh - do our SBOMs read back in Trivy?
#
# For each image, writes `stowaway sbom -f cyclonedx` and `-f spdx-json`
# and the same two formats of `stowaway scan` (with a one-record database),
# has Trivy read each (`trivy sbom --offline-scan --skip-db-update
# --format json --list-all-pkgs`, a metadata-only DB: it lists, matches
# nothing) and compares the package sets: ours from `stowaway sbom -f json`,
# Trivy's from its Results (Class os-pkgs / lang-pkgs), each package as its
# purl without our "package-id" qualifier.  Also checks that Trivy saw the
# same OS and the right source package of the OS packages (Debian advisories
# are per source package).  Not run in CI: Trivy is not installed there.
#
# Images (defaults):
#   $CORPUS/images/debian-min/debian-min.docker.tar  (bench/lib.sh corpus_ensure)
#   a language image built here from Trivy's own language fixtures in
#   ../shared/data/pkgdb (Python, Ruby, Rust, Node, Java, Go), on a small
#   Debian layer, as tests/e2e/test_scan_realdata.sh builds it
# or IMAGES="ref1 ref2" (any stowaway image reference).
#
# Env: TRIVY (default: fetched once by bench/lib.sh trivy_ensure, 0.44.1),
# STOWAWAY, OUT.  Prints one line per image and format:
#   IMAGE FORMAT: ours N (os A, lang B), trivy M (os C, lang D), missing X, extra Y, srcname-mismatch Z
# and exits 1 when any set differs.
set -u
. "$(dirname "$0")/lib.sh"
build_rel
trivy_ensure
SHARED=${SW_SHARED_DATA:-$here/../shared/data}
W=$(mktemp -d "$OUT/trivy-readback.XXXXXX")
trap 'rm -rf "$W"' EXIT
export STOWAWAY_NO_CACHE=1 SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1735689600}

lang_image() {
	local F=$W/fx L0=$W/l0 L1=$W/l1
	mkdir -p "$F" "$L0/etc" "$L0/var/lib/dpkg" "$L0/usr/local/bin"
	tar -xJf "$SHARED/pkgdb/trivy-language-fixtures.tar.xz" -C "$F" || die "no $SHARED/pkgdb/trivy-language-fixtures.tar.xz"
	F=$F/pkg
	printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' > "$L0/etc/os-release"
	printf 'Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u4\nSource: glibc\nArchitecture: amd64\n\nPackage: bsdutils\nStatus: install ok installed\nVersion: 1:2.38.1-5+b1\nSource: util-linux (2.38.1-5)\nArchitecture: amd64\n\n' > "$L0/var/lib/dpkg/status"
	cp "$F/dependency/parser/golang/binary/testdata/test.elf" "$L0/usr/local/bin/goapp"
	cp "$F/dependency/parser/rust/binary/testdata/test.elf" "$L0/usr/local/bin/rustapp"
	chmod 755 "$L0"/usr/local/bin/*
	local SP=$L1/usr/local/lib/python3.11/site-packages
	mkdir -p "$SP" "$L1/app/ruby" "$L1/app/rust" "$L1/app/node" "$L1/app/web" "$L1/opt/java"
	cp -r "$F"/fanal/analyzer/language/python/pip/testdata/libs/common-dir/lib/site-packages/*.dist-info "$SP/"
	cp "$F/dependency/parser/ruby/bundler/testdata/Gemfile_normal.lock" "$L1/app/ruby/Gemfile.lock"
	cp "$F/dependency/parser/rust/cargo/testdata/cargo_normal.lock" "$L1/app/rust/Cargo.lock"
	cp -r "$F/fanal/analyzer/language/nodejs/npm/testdata/happy/." "$L1/app/node/"
	cp "$F/dependency/parser/nodejs/npm/testdata/package-lock_v3.json" "$L1/app/web/package-lock.json"
	cp "$F/dependency/parser/java/jar/testdata/io.quarkus.gizmo.gizmo-1.1.jar" "$L1/opt/java/"
	python3 "$here/tests/tools/mkimage.py" --format oci-archive -o "$W/lang.tar" "$L0" "$L1" > /dev/null || die "mkimage"
	echo "oci-archive:$W/lang.tar"
}

if [ -z "${IMAGES:-}" ]; then
	corpus_ensure debian-min
	IMAGES="docker-archive:$CORPUS/images/debian-min/debian-min.docker.tar $(lang_image)"
fi

# a database for the scan formats: one OSV record (the formats, not the findings, matter)
mkdir -p "$W/osv"
printf '{"id": "GHSA-aaaa-bbbb-cccc", "modified": "2024-05-01T00:00:00Z", "summary": "x", "affected": [{"package": {"ecosystem": "PyPI", "name": "idna"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.7"}]}]}]}\n' > "$W/osv/GHSA-aaaa-bbbb-cccc.json"
export STOWAWAY_DB=$W/db.sqlite
"$STOWAWAY" db update -q --source "osv=$W/osv" 2> /dev/null || die "stowaway db update"

fails=0
cache=$(trivy_cache_new)
for img in $IMAGES; do
	name=${img##*/}
	"$STOWAWAY" sbom -q -f json -o "$W/ours.json" "$img" || die "stowaway sbom $img"
	for fmt in cyclonedx spdx-json scan:cyclonedx scan:spdx-json; do
		cmd=sbom f=$fmt
		[ "${fmt#scan:}" != "$fmt" ] && cmd=scan f=${fmt#scan:}
		"$STOWAWAY" $cmd -q -f "$f" -o "$W/ours.$fmt" "$img" || die "stowaway $cmd -f $f $img"
		rc=0
		"$TRIVY" sbom --cache-dir "$cache" --skip-db-update --skip-java-db-update --offline-scan \
			--format json --list-all-pkgs --quiet "$W/ours.$fmt" > "$W/trivy.json" 2> "$W/trivy.err" || rc=$?
		python3 - "$name" "$fmt" "$W/ours.json" "$W/trivy.json" "$rc" "$W/trivy.err" <<'PY' || fails=$((fails + 1))
import json, sys, urllib.parse
name, fmt, ours_f, trivy_f, rc, err_f = sys.argv[1:7]
OS_TYPES = {"deb", "rpm", "apk", "alpm"}

def key(purl):
    """purl without our 'package-id' qualifier (a repeated purl), decoded"""
    if not purl:
        return None
    base, _, q = purl.partition("?")
    qs = [kv for kv in q.split("&") if kv and not kv.startswith("package-id=")]
    return urllib.parse.unquote(base + ("?" + "&".join(sorted(qs)) if qs else ""))

ours = json.load(open(ours_f))
mine = {}
for p in ours["packages"]:
    k = key(p.get("purl"))
    if k:
        mine.setdefault(k, []).append(p)
if rc != "0":
    print("%s %s: trivy exited %s: %s" % (name, fmt, rc, open(err_f).read().strip()[-300:]))
    sys.exit(1)
t = json.load(open(trivy_f))
theirs, t_os, t_lang, src_bad = {}, 0, 0, []
for r in t.get("Results", []):
    for p in r.get("Packages", []) or []:
        k = key(p.get("Ref") or (p.get("Identifier") or {}).get("PURL"))
        theirs.setdefault(k, []).append(p)
        if r.get("Class") == "os-pkgs":
            t_os += 1
            for o in mine.get(k, []):
                want = o.get("sourceName") or o["name"]
                if p.get("SrcName") != want:
                    src_bad.append((o["name"], want, p.get("SrcName")))
        else:
            t_lang += 1
n_os = sum(1 for p in ours["packages"] if p["type"] in OS_TYPES and p.get("purl"))
n = sum(len(v) for v in mine.values())
missing = [k for k in mine if k not in theirs]
extra = [k for k in theirs if k not in mine]
os_ok = True
if ours.get("os") and ours["os"].get("id"):
    tos = (t.get("Metadata") or {}).get("OS") or {}
    os_ok = tos.get("Family") == ours["os"]["id"] and tos.get("Name") == ours["os"].get("versionId")
print("%s %s: ours %d (os %d, lang %d), trivy %d (os %d, lang %d), missing %d, extra %d, srcname-mismatch %d%s" % (
    name, fmt, n, n_os, n - n_os, t_os + t_lang, t_os, t_lang, len(missing), len(extra), len(src_bad),
    "" if os_ok else ", OS differs: %r" % ((t.get("Metadata") or {}).get("OS"),)))
for k in missing[:5]:
    print("  missing:", k)
for k in extra[:5]:
    print("  extra:", k)
for s in src_bad[:5]:
    print("  source of %s: ours %s, trivy %s" % s)
sys.exit(0 if not missing and not extra and not src_bad and os_ok else 1)
PY
	done
done
rm -rf "$cache"
[ $fails -eq 0 ] || { note "$fails image/format pair(s) differ"; exit 1; }
