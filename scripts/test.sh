#!/bin/sh
# Install what is needed, build twice (normal, and ASan+UBSan), run every test.
# Usage: scripts/test.sh            (from anywhere; run as root on Debian 12)
#        SW_TEST_ARGS="-L unit" scripts/test.sh   to pass options to ctest
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
status=0
for variant in release asan; do
  dir=build-test-$variant
  case $variant in
    release) extra="-DCMAKE_BUILD_TYPE=RelWithDebInfo" ;;
    asan) extra="-DCMAKE_BUILD_TYPE=Debug -DSW_SANITIZE=address,undefined" ;;
  esac
  echo "== $variant build" >&2
  cmake -S . -B "$dir" $extra >/dev/null
  cmake --build "$dir" -j "$jobs" >/dev/null
  echo "== $variant tests" >&2
  # shellcheck disable=SC2086
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$dir" -j "$jobs" --output-on-failure ${SW_TEST_ARGS:-} || status=1
done
exit $status
