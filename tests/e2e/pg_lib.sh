# pg_lib.sh - a PostgreSQL cluster of the test's own, for the server tests
# that run on the PostgreSQL store (sourced; bash).
#
#   . "$SW_SOURCE_DIR/tests/e2e/pg_lib.sh"
#   pg_start [--ssl]     initdb into a mktemp folder owned by the postgres
#                        user (PostgreSQL refuses to run as root: runuser),
#                        listening on a free loopback port and on a socket in
#                        that folder; a database "stowaway" created.  Sets
#                        PG_URL (postgresql://...), PG_PORT, PG_DIR, PG_BIN.
#                        --ssl: TLS on, with a certificate made here
#                        ($PG_DIR/ca.pem to verify it)
#   pg_psql SQL          run SQL in that database (unaligned, tuples only)
#   pg_restart           pg_ctl restart -m fast (connections are cut)
#   pg_stop              stop the cluster and remove its folder (call it from
#                        the test's EXIT trap; pg_start also adds one when the
#                        test has none)
# The test fails (exit 1, a FAIL line) when postgresql-15's binaries are
# missing: scripts/setup-deps.sh installs them.
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_DIR=
PG_PORT=
PG_URL=

pg_as() { # run a command as the cluster's owner
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

pg_start() {
	local ssl=0
	[ "${1:-}" = --ssl ] && ssl=1
	local b
	for b in initdb pg_ctl postgres psql createdb pg_dump; do
		[ -x "$PG_BIN/$b" ] || { echo "FAIL - $PG_BIN/$b is missing: install postgresql-15 (scripts/setup-deps.sh)"; exit 1; }
	done
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 || { echo "FAIL - running as root and there is no 'postgres' user (postgresql-15 creates it)"; exit 1; }
		command -v runuser >/dev/null || { echo "FAIL - runuser is missing (util-linux)"; exit 1; }
	fi
	PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/swpg.XXXXXX")
	chmod 755 "$PG_DIR"
	[ "$(id -u)" = 0 ] && chown postgres: "$PG_DIR"
	pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres -E UTF8 --no-sync >"$PG_DIR/initdb.log" 2>&1 ||
		{ echo "FAIL - initdb: $(tail -3 "$PG_DIR/initdb.log")"; pg_stop; exit 1; }
	local opts=""
	if [ $ssl = 1 ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -keyout "$PG_DIR/key.pem" -out "$PG_DIR/ca.pem" -days 2 \
			-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 || { echo "FAIL - openssl req"; pg_stop; exit 1; }
		chmod 600 "$PG_DIR/key.pem"
		[ "$(id -u)" = 0 ] && chown postgres: "$PG_DIR/key.pem" "$PG_DIR/ca.pem"
		opts="-c ssl=on -c ssl_cert_file=$PG_DIR/ca.pem -c ssl_key_file=$PG_DIR/key.pem"
	fi
	# the port may be taken between free_port and listen: try a few
	local try
	for try in 1 2 3; do
		PG_PORT=$(pg_free_port)
		pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
			-o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 $opts" \
			start >/dev/null 2>&1 && break
		PG_PORT=
	done
	[ -n "$PG_PORT" ] || { echo "FAIL - PostgreSQL did not start: $(tail -3 "$PG_DIR/server.log")"; pg_stop; exit 1; }
	pg_as "$PG_BIN/createdb" -h "$PG_DIR" -p "$PG_PORT" -U postgres stowaway >/dev/null 2>&1 ||
		{ echo "FAIL - createdb"; pg_stop; exit 1; }
	PG_URL="postgresql://postgres@127.0.0.1:$PG_PORT/stowaway"
	[ -z "$(trap -p EXIT)" ] && trap pg_stop EXIT
	return 0
}

pg_psql() {
	pg_as "$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -d stowaway -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"
}

pg_restart() {
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 -m fast restart >/dev/null 2>&1
}

pg_stop() {
	[ -n "$PG_DIR" ] || return 0
	[ -f "$PG_DIR/data/postmaster.pid" ] &&
		pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
	rm -rf "$PG_DIR"
	PG_DIR=
}
