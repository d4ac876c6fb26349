# store_lib.sh - the store a server test runs on, picked by SW_TEST_STORE
# (sourced; bash).  ctest runs each server suite twice in the release build:
# e2e/test_serve_X (sqlite) and e2e/test_serve_X_postgres (tests/CMakeLists.txt).
#
#   . "$SW_SOURCE_DIR/tests/e2e/store_lib.sh"
#   store_pick DIR   sets STORE: sqlite (the default) DIR/store.sqlite;
#                    postgres: the URL of a cluster of the test's own
#                    (tests/e2e/pg_lib.sh pg_start), exported as
#                    SW_TEST_STORE_URL for the Python suites
#   store_stop       stop that cluster (from the test's EXIT trap; nothing
#                    for sqlite)
store_pick() {
	case ${SW_TEST_STORE:=sqlite} in
	sqlite) STORE=$1/store.sqlite ;;
	postgres)
		. "$SW_SOURCE_DIR/tests/e2e/pg_lib.sh"
		pg_start
		STORE=$PG_URL
		export PG_BIN
		export SW_TEST_STORE_URL=$PG_URL ;;
	*) echo "FAIL - SW_TEST_STORE=$SW_TEST_STORE: want sqlite or postgres"; exit 1 ;;
	esac
	echo "# store: $SW_TEST_STORE"
}

store_stop() {
	declare -F pg_stop >/dev/null && pg_stop
	return 0
}

# store_check: "ok" when the store is sound - SQLite's PRAGMA
# integrity_check; PostgreSQL's pg_amcheck (heap and B-tree indexes of every
# table, the amcheck extension installed on the way) - else what is wrong
store_check() {
	if [ "$SW_TEST_STORE" = postgres ]; then
		local out rc
		out=$("$PG_BIN/pg_amcheck" -h 127.0.0.1 -p "$PG_PORT" -U postgres --install-missing --heapallindexed \
			stowaway 2>&1)
		rc=$?
		out=$(printf '%s\n' "$out" | grep -v -e '^NOTICE: .*already exists' -e '^$')
		[ $rc = 0 ] && [ -z "$out" ] && echo ok || echo "pg_amcheck (exit $rc): $out"
	else
		sqlite3 "$STORE" 'PRAGMA integrity_check' 2>&1
	fi
}
