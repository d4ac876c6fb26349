#!/bin/sh
# Install what is needed, build twice (normal, and ASan+UBSan), run every test.
# Usage: scripts/test.sh            (from anywhere; run as root on Debian 12)
#        SW_TEST_ARGS="-L unit" scripts/test.sh   to pass options to ctest
# Fails when a test fails, and when a test is skipped (exit 77, ctest's "Not
# Run"/"Skipped", or disabled) unless it is on SKIP_ALLOWED below; the skipped
# tests are listed either way (scripts/check-skips.py).
set -eu
cd "$(dirname "$0")/.."

# Tests allowed to be skipped: ctest names (e.g. "e2e/test_foo"), separated by
# spaces, each with a comment saying why no Debian 12 machine set up by
# scripts/setup-deps.sh can run it.  A skip is a test that did not look, so
# keep this empty: everything the tests need is installed by setup-deps or
# lives in ../shared/data (whose absence fails the tests that need it).
SKIP_ALLOWED=""

sh scripts/setup-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
# Twice as many tests as cores at once: most end-to-end tests wait on
# servers, databases and child processes (test_serve_hooks uses about 30 s
# of CPU in its 4 minutes), and every test is written to pass on a loaded
# machine (no timing assertion; deadlines are generous).
tjobs=$((jobs * 2))
status=0

for variant in release asan; do
  dir=build-test-$variant
  case $variant in
    release) extra="-DCMAKE_BUILD_TYPE=RelWithDebInfo" ;;
    # the sanitizer build also tests the portable secret engine (docs/secrets.md)
    asan) extra="-DCMAKE_BUILD_TYPE=Debug -DSW_SANITIZE=address,undefined -DSW_SECRETS_ENGINE=pcre2" ;;
  esac
  echo "== $variant build" >&2
  cmake -S . -B "$dir" $extra >/dev/null
  cmake --build "$dir" -j "$jobs" >/dev/null
  echo "== $variant tests" >&2
  junit=$(pwd)/$dir/ctest-junit.xml
  rm -f "$junit"
  # shellcheck disable=SC2086
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$dir" -j "$tjobs" --no-tests=error --output-on-failure --output-junit "$junit" ${SW_TEST_ARGS:-} || status=1
  python3 scripts/check-skips.py "$junit" "$variant" "$SKIP_ALLOWED" || status=1
done
exit $status
