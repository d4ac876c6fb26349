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
#   npm     node-semver 7.8.6 (installed by scripts/setup-deps.sh into
#           /usr/local/lib/stowaway-test: nothing is downloaded here)
# Every pair both sides accept must agree; for PEP 440 and npm the
# reference's accept/reject decision must agree too.  Any disagreement
# fails the test and prints the pair.  A missing reference or missing
# shared data fails the test (setup-deps installs every reference).
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
SHARED=${SW_SHARED_DATA:-}
if [ -z "$SHARED" ] || [ ! -d "$SHARED/versions" ]; then
	echo "FAIL: needs ../shared/data/versions (set SW_SHARED_DATA); '$SHARED/versions' is absent"
	exit 1
fi
PY=/usr/bin/python3
# every reference, named when missing (scripts/setup-deps.sh installs them all)
NODE_SEMVER=${SW_NODE_SEMVER:-/usr/local/lib/stowaway-test/node_modules/semver}
missing=""
[ -x "$PY" ] || missing="$missing /usr/bin/python3"
"$PY" -c 'import apt_pkg' 2>/dev/null || missing="$missing python3-apt"
"$PY" -c 'import rpm' 2>/dev/null || missing="$missing python3-rpm"
"$PY" -c 'import packaging.specifiers' 2>/dev/null || missing="$missing python3-packaging"
command -v dpkg >/dev/null || missing="$missing dpkg"
command -v node >/dev/null || missing="$missing nodejs"
[ -f "$NODE_SEMVER/package.json" ] || missing="$missing node-semver($NODE_SEMVER)"
if [ -n "$missing" ]; then
	echo "FAIL: reference implementations missing:$missing (run scripts/setup-deps.sh)"
	exit 1
fi
TOOLS=$SW_SOURCE_DIR/tests/tools
BUILD=${SW_BUILD_DIR:-$PWD}
COUNT=${SW_DIFF_COUNT:-20000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# compare PAIRS OURS REF STRICT NAME [MIN]: STRICT=1 when the reference decides
# validity too (then its '!' must be ours as well); at least MIN (default
# 10000) pairs must agree, and every line of PAIRS must have an answer from
# both sides.
compare() {
	local n no nr
	n=$(wc -l <"$1"); no=$(wc -l <"$2"); nr=$(wc -l <"$3")
	if [ "$n" -ne "$no" ] || [ "$n" -ne "$nr" ]; then
		echo "$5: $n pairs but $no answers from us and $nr from the reference"
		return 1
	fi
	paste "$1" "$2" "$3" | awk -F'\t' -v strict="$4" -v name="$5" -v min="${6:-10000}" '
	{ o = $3; r = $4
	  if (o == "!" && r == "!") both++
	  else if (o == "!") {
		if (strict) { bad++; if (bad <= 20) printf "DISAGREE %s: ours rejects, reference says %s: [%s] [%s]\n", name, r, $1, $2 }
		else rej++
	  } else if (r == "!") { bad++; if (bad <= 20) printf "DISAGREE %s: ours %s, reference rejects: [%s] [%s]\n", name, o, $1, $2 }
	  else if (o != r) { bad++; if (bad <= 20) printf "DISAGREE %s: ours %s, reference %s: [%s] [%s]\n", name, o, r, $1, $2 }
	  else ok++ }
	END { printf "%s: %d pairs agree, %d rejected by both, %d rejected by us only (reference does not validate), %d disagree\n", name, ok, both, rej, bad
	      if (ok < min) { printf "%s: too few comparable pairs (%d, want >= %d)\n", name, ok, min; exit 1 }
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

run dpkg apt 0
run rpm rpm 0
run pep440 pep440 1

# PEP 440 specifiers ("~=2.2", "==1.2.*", "<2.0", "!=1.0, >=0.9"):
# stowaway version affected pep440 - against SpecifierSet.contains(v, prereleases=True).
{
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
}

# dpkg itself: the vector rows (both directions) and a sample of generated pairs.
# The vector rows are counted here from the files, so an empty run fails.
vec_rows=$(cat "$SHARED"/versions/dpkg*.tsv 2>/dev/null | grep -cv '^#\|^[[:space:]]*$')
sample=${SW_DIFF_DPKG_SAMPLE:-150}
"$PY" "$TOOLS/version_gen.py" dpkg 0 1 "$SHARED" >"$tmp/dpkgv.tsv" || { echo "generator failed for dpkg vectors"; fail=1; }
if [ -f "$tmp/dpkg.tsv" ]; then
	shuf -n "$sample" --random-source="$tmp/dpkg.tsv" "$tmp/dpkg.tsv" >>"$tmp/dpkgv.tsv"
else
	echo "dpkg-cli: no generated dpkg pairs to sample"; fail=1
fi
"$STOWAWAY" version compare dpkg - <"$tmp/dpkgv.tsv" >"$tmp/dpkgv.ours" 2>/dev/null
"$PY" "$TOOLS/version_ref.py" dpkg <"$tmp/dpkgv.tsv" >"$tmp/dpkgv.ref"
# at least the vector rows (once each way, some rejected by both) and the sample
compare "$tmp/dpkgv.tsv" "$tmp/dpkgv.ours" "$tmp/dpkgv.ref" 1 "dpkg-cli (dpkg --compare-versions)" \
	$((vec_rows + sample / 2)) || fail=1

# node-semver (scripts/setup-deps.sh), never downloaded here
"$PY" "$TOOLS/version_gen.py" npm "$COUNT" 20261129 "$SHARED" >"$tmp/npm.tsv"
"$STOWAWAY" version compare npm - <"$tmp/npm.tsv" >"$tmp/npm.ours" 2>/dev/null
node "$TOOLS/version_ref_node.js" "$NODE_SEMVER" <"$tmp/npm.tsv" >"$tmp/npm.ref"
compare "$tmp/npm.tsv" "$tmp/npm.ours" "$tmp/npm.ref" 1 "npm (node-semver $(node -p "require('$NODE_SEMVER/package.json').version"))" || fail=1
# node-semver ranges: stowaway version affected npm - against Range.test()
"$PY" "$TOOLS/version_gen.py" npm-range 30000 20261129 "$SHARED" >"$tmp/nr.tsv"
"$STOWAWAY" version affected npm - <"$tmp/nr.tsv" >"$tmp/nr.ours" 2>/dev/null
node "$TOOLS/version_ref_node_range.js" "$NODE_SEMVER" <"$tmp/nr.tsv" >"$tmp/nr.ref"
paste "$tmp/nr.tsv" "$tmp/nr.ours" "$tmp/nr.ref" | awk -F'\t' '
$3 == $4 { if ($3 == "!") both++; else ok++; next }
{ bad++; if (bad <= 20) printf "DISAGREE npm range: ours %s, node-semver %s: [%s] [%s]\n", $3, $4, $1, $2 }
END { printf "npm ranges (node-semver Range): %d agree, %d rejected by both, %d disagree\n", ok, both, bad
      if (ok < 10000) { print "too few comparable range lines"; exit 1 }
      exit bad > 0 }' || fail=1
exit $fail
