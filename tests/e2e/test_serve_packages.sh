#!/bin/bash
# End to end: "which stored images contain package P (purl, VERS range)" on
# `stowaway serve` (GET /api/v1/packages/images), images built here, expected
# hits from what was planted and dpkg's own version order.  The checks are in
# serve_packages_test.py (Python stdlib).
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}" "${SW_SHARED_DATA:?}"
# SW_TEST_STORE=postgres: on a PostgreSQL cluster of the test's own (store_lib.sh)
. "$SW_SOURCE_DIR/tests/e2e/store_lib.sh"
trap store_stop EXIT
store_pick "${TMPDIR:-/tmp}"
python3 "$SW_SOURCE_DIR/tests/e2e/serve_packages_test.py"
