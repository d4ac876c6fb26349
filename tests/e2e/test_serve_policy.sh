#!/bin/bash
# End to end: policy bundles over the REST API of `stowaway serve` (create,
# list, get, update, delete, default; bad bundles -> 422), evaluation of
# stored images built here, the default bundle applied to scans and
# re-matches.  The checks are in serve_policy_test.py (Python stdlib).
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}" "${SW_SHARED_DATA:?}"
exec python3 "$SW_SOURCE_DIR/tests/e2e/serve_policy_test.py"
