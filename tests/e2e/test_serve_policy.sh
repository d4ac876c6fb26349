#!/bin/bash
# End to end: policy bundles over the REST API of `stowaway serve` (create,
# list, get, update, delete, default; bad bundles -> 422), evaluation of
# stored images built here, the default bundle applied to scans and
# re-matches.  The checks are in serve_policy_test.py (Python stdlib).
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}" "${SW_SHARED_DATA:?}"
# SW_TEST_STORE=postgres: on a PostgreSQL cluster of the test's own (store_lib.sh)
. "$SW_SOURCE_DIR/tests/e2e/store_lib.sh"
trap store_stop EXIT
store_pick "${TMPDIR:-/tmp}"
python3 "$SW_SOURCE_DIR/tests/e2e/serve_policy_test.py"
