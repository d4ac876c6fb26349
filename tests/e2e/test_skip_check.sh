#!/bin/bash
# test_skip_check.sh - scripts/check-skips.py, which makes scripts/test.sh
# fail on a skipped test: a small ctest project built here with one passing
# test, one that exits 77 (SKIP_RETURN_CODE), one disabled and one with a
# missing required file.  Without an allow-list the check fails and names
# the three; with them allowed it passes; a run without skips passes; a
# missing report fails.
set -u
: "${SW_SOURCE_DIR:?}"
CHECK="python3 $SW_SOURCE_DIR/scripts/check-skips.py"
T=$(mktemp -d "${TMPDIR:-/tmp}/sw-skip-check-XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }

mkdir -p "$T/p"
cat > "$T/p/CMakeLists.txt" <<'C'
cmake_minimum_required(VERSION 3.13)
project(skipcheck NONE)
enable_testing()
add_test(NAME t/ok COMMAND true)
add_test(NAME t/skip COMMAND sh -c "exit 77")
set_tests_properties(t/skip PROPERTIES SKIP_RETURN_CODE 77)
add_test(NAME t/disabled COMMAND true)
set_tests_properties(t/disabled PROPERTIES DISABLED TRUE)
add_test(NAME t/needs COMMAND true)
set_tests_properties(t/needs PROPERTIES REQUIRED_FILES /nonexistent/stowaway-skip-check)
C
cmake -S "$T/p" -B "$T/b" >/dev/null 2>&1 || { bad "cmake"; exit 1; }
ctest --test-dir "$T/b" --output-junit "$T/all.xml" >/dev/null 2>&1
ctest --test-dir "$T/b" -R '^t/ok$' --output-junit "$T/ok.xml" >/dev/null 2>&1
ctest --test-dir "$T/b" -R '^t/none$' --output-junit "$T/none.xml" >/dev/null 2>&1

$CHECK "$T/all.xml" release "" 2> "$T/e"; rc=$?
[ $rc -eq 1 ] && grep -q "skipped: t/skip " "$T/e" && grep -q "skipped: t/disabled " "$T/e" &&
	grep -q "skipped: t/needs " "$T/e" && grep -q "3 test(s) skipped" "$T/e" &&
	ok "skips fail and are listed" || bad "skips: rc $rc: $(cat "$T/e")"
$CHECK "$T/all.xml" release "t/skip t/disabled" 2> "$T/e"; rc=$?
[ $rc -eq 1 ] && grep -q "skipped (allowed): t/skip " "$T/e" && grep -q "1 test(s) skipped" "$T/e" &&
	ok "an allowed skip is listed, the others still fail" || bad "partly allowed: rc $rc: $(cat "$T/e")"
$CHECK "$T/all.xml" release "t/skip t/disabled t/needs" 2> "$T/e" && ok "all allowed: passes" || bad "all allowed: $(cat "$T/e")"
$CHECK "$T/ok.xml" release "" 2> "$T/e" && [ ! -s "$T/e" ] && ok "no skips: passes silently" || bad "no skips: $(cat "$T/e")"
$CHECK "$T/missing.xml" release "" 2> "$T/e" && bad "a missing report passes" || ok "a missing report fails"
$CHECK "$T/none.xml" release "" 2> "$T/e" && bad "a run of no test passes" || ok "a run of no test fails"
# scripts/test.sh uses it, with an allow-list that is empty
grep -q 'check-skips.py "$junit" "$variant" "$SKIP_ALLOWED"' "$SW_SOURCE_DIR/scripts/test.sh" &&
	grep -q '^SKIP_ALLOWED=""$' "$SW_SOURCE_DIR/scripts/test.sh" && ok "scripts/test.sh checks, allow-list empty" ||
	bad "scripts/test.sh does not run the check with an empty allow-list"

echo "e2e skip check: $fails failure(s)"
exit $((fails > 0))
