#!/bin/bash
# pg_run.sh COMMAND [ARGS...] - run a test program against a PostgreSQL
# cluster of its own (tests/e2e/pg_lib.sh): SW_TEST_STORE_URL is the store's
# URL; the cluster is stopped afterwards; COMMAND's exit status is kept.
# tests/CMakeLists.txt runs unit/test_store_search_postgres through it.
set -u
: "${SW_SOURCE_DIR:?}"
. "$SW_SOURCE_DIR/tests/e2e/pg_lib.sh"
trap pg_stop EXIT
pg_start
SW_TEST_STORE_URL=$PG_URL "$@"
