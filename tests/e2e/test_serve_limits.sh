#!/bin/bash
# End to end: /metrics latency histograms (parsed as Prometheus text), every
# route of docs/api/openapi.yaml refusing a missing token (401) and a too
# small scope (403), and the connection limits of `stowaway serve`
# (--max-connections, --max-connections-per-ip, --timeout, slow clients
# dropped after --header-timeout / --body-timeout).  The checks are in
# serve_limits_test.py (Python stdlib + python3-yaml for the OpenAPI file).
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}" "${SW_SHARED_DATA:?}"
# SW_TEST_STORE=postgres: on a PostgreSQL cluster of the test's own (store_lib.sh)
. "$SW_SOURCE_DIR/tests/e2e/store_lib.sh"
trap store_stop EXIT
store_pick "${TMPDIR:-/tmp}"
python3 "$SW_SOURCE_DIR/tests/e2e/serve_limits_test.py"
