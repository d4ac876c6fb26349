#!/bin/bash
# test_version_cli.sh - "stowaway version": output, exit codes, bulk mode.
set -u
: "${STOWAWAY:?}"
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() { # expected-stdout expected-rc args...
	local want=$1 wantrc=$2
	shift 2
	local out rc
	out=$("$STOWAWAY" "$@" 2>"$tmp/err")
	rc=$?
	if [ "$out" != "$want" ] || [ "$rc" != "$wantrc" ]; then
		echo "FAIL: stowaway $* -> '$out' rc=$rc (want '$want' rc=$wantrc); stderr: $(cat "$tmp/err")"
		fail=1
	fi
}

check "<" 0 version compare dpkg 2.2~rc-4 2.2-1
check ">" 0 version compare dpkg 1:0.1 9.9
check "=" 0 version compare pep440 1.0 1.0.0
check "<" 0 version compare rpm 1.0~rc1-1 1.0-1
check "<" 0 version compare apk 1.2.3_rc1-r0 1.2.3-r0
check "<" 0 version compare maven 1.0-SNAPSHOT 1.0
check ">" 0 version compare gem 1.10 1.9
check "<" 0 version compare npm 1.0.0-alpha 1.0.0
check "=" 0 version compare go v1.2.3+incompatible 1.2.3
check "=" 0 version compare nuget 1.0 1.0.0.0
check "<" 0 version compare composer 1.0.0-RC1 1.0.0
check "" 2 version compare pep440 1.0 "not a version"
grep -q "'not a version' is not a valid pep440 version" "$tmp/err" || { echo "FAIL: error does not name the version: $(cat "$tmp/err")"; fail=1; }
check "" 64 version compare nosuch 1 2
check "" 64 version compare dpkg 1
check "" 64 version frobnicate

check "yes" 0 version affected npm 1.4.0 '>=1.2.3 <2 || ^3.0.0'
check "no" 0 version affected npm 2.0.0 '>=1.2.3 <2 || ^3.0.0'
check "yes" 0 version affected --include-prerelease npm 1.1.0-a '~1.1'
check "no" 0 version affected npm 1.1.0-a '~1.1'
check "yes" 0 version affected gem 5.2.4.4 '~> 5.2.4, >= 5.2.4.3'
check "yes" 0 version affected pep440 2.1 '{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.2"}]}'
check "no" 0 version affected pep440 2.2 '{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.2"}]}'
check "yes" 0 version affected maven 1.5 '[1.0,2.0)'
check "" 2 version affected npm 1.0.0 '{"events":[{"fixed":}]}'
check "" 2 version affected npm 1.0.0 '>=x.y'
check "ok" 0 version validate apk 1.2.3-r4
check "" 64 version affected npm 1.0.0

for sub in "" compare affected validate; do
	"$STOWAWAY" version $sub --help >"$tmp/help" 2>&1 || { echo "FAIL: version $sub --help"; fail=1; }
	grep -q "Example" "$tmp/help" || { echo "FAIL: version $sub --help has no examples"; fail=1; }
done

# bulk mode: one result a line, a bad line keeps its place, rc 2 at the end
printf '1.0\t2.0\n2.0\t1.0\nbad\n1.0\t1.0\n1.0\tx y\n' >"$tmp/in"
"$STOWAWAY" version compare pep440 - <"$tmp/in" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = 2 ] || { echo "FAIL: bulk rc $rc"; fail=1; }
printf '<\n>\n!\n=\n!\n' | cmp -s - "$tmp/out" || { echo "FAIL: bulk output: $(tr '\n' ' ' <"$tmp/out")"; fail=1; }
grep -q "line 3:" "$tmp/err" && grep -q "line 5:" "$tmp/err" || { echo "FAIL: bulk errors: $(cat "$tmp/err")"; fail=1; }

# bulk affected: VERSION<TAB>RANGE lines
printf '2.1\t~=2.0\n3.0\t~=2.0\nx\t==1\n2.0a1\t<2.0\n' >"$tmp/ain"
"$STOWAWAY" version affected pep440 - <"$tmp/ain" >"$tmp/aout" 2>"$tmp/err"
rc=$?
[ "$rc" = 2 ] || { echo "FAIL: bulk affected rc $rc"; fail=1; }
printf 'yes\nno\n!\nno\n' | cmp -s - "$tmp/aout" || { echo "FAIL: bulk affected output: $(tr '\n' ' ' <"$tmp/aout")"; fail=1; }
grep -q "line 3:" "$tmp/err" || { echo "FAIL: bulk affected errors: $(cat "$tmp/err")"; fail=1; }

# bulk speed: a million pairs
if [ "${SW_SKIP_SLOW:-}" != 1 ]; then
	awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "1:%d.%d.%d-%d\t1:%d.%d.%d~rc%d-%d\n", i%7, i%13, i%101, i%3, i%7, i%11, i%101, i%5, i%3 }' >"$tmp/million"
	start=$(date +%s.%N)
	"$STOWAWAY" version compare dpkg - <"$tmp/million" >"$tmp/mout" || { echo "FAIL: bulk million"; fail=1; }
	end=$(date +%s.%N)
	n=$(wc -l <"$tmp/mout")
	[ "$n" = 1000000 ] || { echo "FAIL: bulk million gave $n lines"; fail=1; }
	awk -v s="$start" -v e="$end" 'BEGIN { printf "bulk dpkg: 1,000,000 pairs in %.2f s\n", e - s }'
fi
exit $fail
