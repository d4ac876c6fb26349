#!/bin/bash
# test_version_invalid.sh - comparing a string that is not a version of
# the scheme is an error for every scheme (exit 2, a message naming the
# string and the scheme), never "=": apk-tools itself answers "=" for
# 6.0.2p1-r0 vs 6.0.2p1-r1, which its own validator rejects.  The invalid
# strings break each ecosystem's published grammar (Debian Policy 5.6.12,
# rpm EVR, apk-tools version.c, PEP 440, SemVer 2.0.0, node-semver,
# golang.org/x/mod/semver, Maven ComparableVersion blanks, Gem::Version
# ANCHORED_VERSION_PATTERN, NuGet at most four parts, Composer
# VersionParser).  Also: the same pairs in bulk mode (`compare SCHEME -`).
set -u
: "${STOWAWAY:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# scheme  valid  invalid1  invalid2  ("_" stands for a blank)
cat >"$tmp/cases" <<'T'
dpkg 1.0-1 1.0_2 1.0-1_x
rpm 1.0-1 1.0- 1.0-1-2
apk 6.0.2-r1 6.0.2p1-r0 6.0.2p1-r1
pep440 1.0 not_a_version 1.0+
semver 1.0.0 1.0 01.0.0
npm 1.0.0 1.2 1.2.3.4
go v1.2.3 1.2.3.4 v1.2.3-
maven 1.0 1.0_beta x_y
gem 1.0 1..0 1.0_a
nuget 1.0.0 1.0.0.0.0 1.0.
composer 1.0.0 not-a-version 1.0.0-foo
cargo 1.0.0 1.0 1.0.0-
T

# expect_invalid SCHEME BADSTRING A B: compare A B must exit 2, print
# nothing on stdout and one line on stderr naming BADSTRING and SCHEME
expect_invalid() {
	local scheme=$1 badv=$2 a=$3 b=$4 rc
	"$STOWAWAY" version compare "$scheme" "$a" "$b" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 2 ]; then
		echo "FAIL: compare $scheme '$a' '$b' exited $rc (want 2), printed '$(cat "$tmp/out")'"
		fail=1
	elif [ -s "$tmp/out" ]; then
		echo "FAIL: compare $scheme '$a' '$b' printed '$(cat "$tmp/out")'"
		fail=1
	elif [ "$(wc -l <"$tmp/err")" -ne 1 ] ||
	     ! grep -qF "'$badv' is not a valid $scheme version" "$tmp/err"; then
		echo "FAIL: compare $scheme '$a' '$b': stderr '$(cat "$tmp/err")'"
		fail=1
	fi
}

n=0
: >"$tmp/bulk-expect"
while read -r scheme good bad1 bad2; do
	bad1=${bad1//_/ } bad2=${bad2//_/ }
	# the reference: our validator rejects both (as the grammar does)
	for v in "$bad1" "$bad2"; do
		if "$STOWAWAY" version validate "$scheme" "$v" >/dev/null 2>&1; then
			echo "FAIL: validate $scheme '$v' accepted"
			fail=1
		fi
	done
	expect_invalid "$scheme" "$bad1" "$bad1" "$good"     # invalid vs valid
	expect_invalid "$scheme" "$bad1" "$good" "$bad1"     # valid vs invalid
	expect_invalid "$scheme" "$bad1" "$bad1" "$bad2"     # invalid vs invalid
	expect_invalid "$scheme" "$bad1" "$bad1" "$bad1"     # the same invalid string: not "="
	# bulk: a valid pair, then the invalid ones; '!' per bad line, exit 2
	printf '%s\t%s\n%s\t%s\n%s\t%s\n' "$good" "$good" "$bad1" "$good" "$bad1" "$bad2" >"$tmp/in"
	"$STOWAWAY" version compare "$scheme" - <"$tmp/in" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 2 ] || [ "$(tr '\n' ' ' <"$tmp/out")" != "= ! ! " ] ||
	   [ "$(grep -c "is not a valid $scheme version" "$tmp/err")" -ne 2 ]; then
		echo "FAIL: bulk $scheme: rc $rc, out '$(tr '\n' ' ' <"$tmp/out")', err '$(cat "$tmp/err")'"
		fail=1
	fi
	n=$((n + 1))
done <"$tmp/cases"
[ $n -eq 12 ] || { echo "FAIL: $n schemes checked, want 12"; fail=1; }
[ $fail -eq 0 ] && echo "ok - invalid versions are errors for $n schemes"
exit $fail
