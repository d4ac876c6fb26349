#!/bin/bash
# test_version_differential.sh - our comparators against the reference
# implementations, on the vector files and on >= 10,000 generated pairs
# per scheme (random mutations of real version strings from
# ../shared/data/versions and ../shared/data/vuln):
#   dpkg    APT's apt_pkg.version_compare (all pairs) and
#           dpkg --compare-versions (the vectors plus a random sample;
#           dpkg is one process per comparison, so not all pairs)
#   rpm     python3-rpm rpm.labelCompare
#   pep440  python3-packaging Version
#   npm     node-semver 7 (installed into the build folder at test time)
# Every pair both sides accept must agree; for PEP 440 and npm the
# reference's accept/reject decision must agree too.  Any disagreement
# fails the test and prints the pair.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
SHARED=${SW_SHARED_DATA:-}
if [ -z "$SHARED" ] || [ ! -d "$SHARED/versions" ]; then
	echo "SKIP: needs ../shared/data (set SW_SHARED_DATA); it is absent"
	exit 77
fi
PY=/usr/bin/python3
if [ ! -x "$PY" ]; then
	echo "SKIP: needs Debian's /usr/bin/python3 (python3-rpm, python3-packaging, python3-apt)"
	exit 77
fi
TOOLS=$SW_SOURCE_DIR/tests/tools
BUILD=${SW_BUILD_DIR:-$PWD}
COUNT=${SW_DIFF_COUNT:-20000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# compare PAIRS OURS REF STRICT NAME: STRICT=1 when the reference decides
# validity too (then its '!' must be ours as well).
compare() {
	paste "$1" "$2" "$3" | awk -F'\t' -v strict="$4" -v name="$5" '
	{ o = $3; r = $4
	  if (o == "!" && r == "!") both++
	  else if (o == "!") {
		if (strict) { bad++; if (bad <= 20) printf "DISAGREE %s: ours rejects, reference says %s: [%s] [%s]\n", name, r, $1, $2 }
		else rej++
	  } else if (r == "!") { bad++; if (bad <= 20) printf "DISAGREE %s: ours %s, reference rejects: [%s] [%s]\n", name, o, $1, $2 }
	  else if (o != r) { bad++; if (bad <= 20) printf "DISAGREE %s: ours %s, reference %s: [%s] [%s]\n", name, o, r, $1, $2 }
	  else ok++ }
	END { printf "%s: %d pairs agree, %d rejected by both, %d rejected by us only (reference does not validate), %d disagree\n", name, ok, both, rej, bad
	      if (ok < 10000 && name !~ /dpkg-cli/) { printf "%s: too few comparable pairs (%d)\n", name, ok; exit 1 }
	      exit bad > 0 }'
}

run() { # scheme refname strict
	local s=$1 ref=$2 strict=$3
	"$PY" "$TOOLS/version_gen.py" "$s" "$COUNT" 20261129 "$SHARED" >"$tmp/$s.tsv" || { echo "generator failed for $s"; fail=1; return; }
	"$STOWAWAY" version compare "$s" - <"$tmp/$s.tsv" >"$tmp/$s.ours" 2>/dev/null
	[ $? -le 2 ] || { echo "stowaway crashed on $s pairs"; fail=1; return; }
	"$PY" "$TOOLS/version_ref.py" "$ref" <"$tmp/$s.tsv" >"$tmp/$s.ref" || { echo "reference $ref failed"; fail=1; return; }
	compare "$tmp/$s.tsv" "$tmp/$s.ours" "$tmp/$s.ref" "$strict" "$s ($ref)" || fail=1
}

if "$PY" -c 'import apt_pkg' 2>/dev/null; then run dpkg apt 0; else echo "note: python3-apt missing, dpkg checked with dpkg only"; fi
if "$PY" -c 'import rpm' 2>/dev/null; then run rpm rpm 0; else echo "SKIP part: python3-rpm missing"; fi
if "$PY" -c 'import packaging.version' 2>/dev/null; then run pep440 pep440 1; else echo "SKIP part: python3-packaging missing"; fi

# PEP 440 specifiers ("~=2.2", "==1.2.*", "<2.0", "!=1.0, >=0.9"):
# stowaway version affected pep440 - against SpecifierSet.contains(v, prereleases=True).
if "$PY" -c 'import packaging.specifiers' 2>/dev/null; then
	"$PY" "$TOOLS/version_gen.py" pep440-spec 30000 20261129 "$SHARED" >"$tmp/spec.tsv"
	"$STOWAWAY" version affected pep440 - <"$tmp/spec.tsv" >"$tmp/spec.ours" 2>/dev/null
	"$PY" "$TOOLS/version_ref.py" pep440-spec <"$tmp/spec.tsv" >"$tmp/spec.ref"
	paste "$tmp/spec.tsv" "$tmp/spec.ours" "$tmp/spec.ref" | awk -F'\t' '
	$4 == "-" { skip++; next }
	$3 == $4 { if ($3 == "!") both++; else ok++; next }
	{ bad++; if (bad <= 20) printf "DISAGREE pep440 specifier: ours %s, packaging %s: [%s] [%s]\n", $3, $4, $1, $2 }
	END { printf "pep440 specifiers (packaging SpecifierSet): %d agree, %d rejected by both, %d skipped (packaging 23.0 quirks), %d disagree\n", ok, both, skip, bad
	      if (ok < 10000) { print "too few comparable specifier lines"; exit 1 }
	      exit bad > 0 }' || fail=1
fi

# dpkg itself: the vector rows (both directions) and a sample of generated pairs.
if command -v dpkg >/dev/null; then
	"$PY" "$TOOLS/version_gen.py" dpkg 0 1 "$SHARED" >"$tmp/dpkgv.tsv" 2>/dev/null
	[ -f "$tmp/dpkg.tsv" ] && shuf -n "${SW_DIFF_DPKG_SAMPLE:-150}" --random-source="$tmp/dpkg.tsv" "$tmp/dpkg.tsv" >>"$tmp/dpkgv.tsv"
	"$STOWAWAY" version compare dpkg - <"$tmp/dpkgv.tsv" >"$tmp/dpkgv.ours" 2>/dev/null
	"$PY" "$TOOLS/version_ref.py" dpkg <"$tmp/dpkgv.tsv" >"$tmp/dpkgv.ref"
	compare "$tmp/dpkgv.tsv" "$tmp/dpkgv.ours" "$tmp/dpkgv.ref" 1 "dpkg-cli (dpkg --compare-versions)" || fail=1
fi

# node-semver
NODE_DIR=$BUILD/node
if command -v node >/dev/null && command -v npm >/dev/null; then
	if [ ! -f "$NODE_DIR/node_modules/semver/package.json" ]; then
		npm install --no-package-lock --no-save --no-audit --no-fund --prefix "$NODE_DIR" semver@7 >"$tmp/npm.log" 2>&1 ||
			echo "note: npm install semver@7 failed (no registry?): $(tail -1 "$tmp/npm.log")"
	fi
	if [ -f "$NODE_DIR/node_modules/semver/package.json" ]; then
		"$PY" "$TOOLS/version_gen.py" npm "$COUNT" 20261129 "$SHARED" >"$tmp/npm.tsv"
		"$STOWAWAY" version compare npm - <"$tmp/npm.tsv" >"$tmp/npm.ours" 2>/dev/null
		node "$TOOLS/version_ref_node.js" "$NODE_DIR/node_modules/semver" <"$tmp/npm.tsv" >"$tmp/npm.ref"
		compare "$tmp/npm.tsv" "$tmp/npm.ours" "$tmp/npm.ref" 1 "npm (node-semver $(node -p "require('$NODE_DIR/node_modules/semver/package.json').version"))" || fail=1
		# node-semver ranges: stowaway version affected npm - against Range.test()
		"$PY" "$TOOLS/version_gen.py" npm-range 30000 20261129 "$SHARED" >"$tmp/nr.tsv"
		"$STOWAWAY" version affected npm - <"$tmp/nr.tsv" >"$tmp/nr.ours" 2>/dev/null
		node "$TOOLS/version_ref_node_range.js" "$NODE_DIR/node_modules/semver" <"$tmp/nr.tsv" >"$tmp/nr.ref"
		paste "$tmp/nr.tsv" "$tmp/nr.ours" "$tmp/nr.ref" | awk -F'\t' '
		$3 == $4 { if ($3 == "!") both++; else ok++; next }
		{ bad++; if (bad <= 20) printf "DISAGREE npm range: ours %s, node-semver %s: [%s] [%s]\n", $3, $4, $1, $2 }
		END { printf "npm ranges (node-semver Range): %d agree, %d rejected by both, %d disagree\n", ok, both, bad
		      if (ok < 10000) { print "too few comparable range lines"; exit 1 }
		      exit bad > 0 }' || fail=1
	else
		echo "SKIP part: node-semver unavailable"
	fi
else
	echo "SKIP part: node/npm not installed"
fi
exit $fail
