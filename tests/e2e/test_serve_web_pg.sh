#!/bin/bash
# End to end: the web part 2 store operations on the PostgreSQL store
# (docs/web.md, docs/store.md): the paged "which images" behind
# GET /api/v1/vulnerabilities/{id}/images?limit&offset (vuln_images_page)
# and `serve token revoke` (token_revoke, which also drops the revoked
# token's web session bindings).  A cluster of the test's own
# (tests/e2e/pg_lib.sh); the images, reports and finding rows are planted
# with SQL, so the expected answers are the planted rows, not our output.
# (The browser sessions themselves run on PostgreSQL once their operations
# are ported there: session_bind / session_token_live are tested on SQLite
# by test_serve_web.)
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
T=$(mktemp -d)
SRV=
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	pg_stop
	rm -rf "$T"
}
trap cleanup EXIT
. "$SW_SOURCE_DIR/tests/e2e/pg_lib.sh"
pg_start

# the schema is made on the first open; two tokens
READ=$("$STOWAWAY" serve token create --scope read --store "$PG_URL" reader 2>$T/tok.err) &&
	GONE=$("$STOWAWAY" serve token create --scope read --store "$PG_URL" gone 2>>$T/tok.err) ||
	{ echo "FAIL - token create on PostgreSQL: $(cat $T/tok.err)"; exit 1; }
# five images; CVE-P-1 in the latest reports of images 1, 2, 4 and 5 (image 5
# twice: two packages), in image 3's superseded report only
pg_psql "
INSERT INTO images(digest, os, created, updated) SELECT 'sha256:' || lpad(g::text, 64, '0'), 'debian', g, g FROM generate_series(1, 5) g;
INSERT INTO image_names(image, name, seen) SELECT id, 'img-' || right(digest, 1) || ':v1', 1 FROM images;
INSERT INTO reports(image, created, critical, high, medium, low, negligible, unknown, total, suppressed, complete, report)
  SELECT id, 1, 0, 1, 0, 0, 0, 0, 1, 0, 1, '\\x7b7d' FROM images ORDER BY id;
INSERT INTO reports(image, created, critical, high, medium, low, negligible, unknown, total, suppressed, complete, report)
  SELECT id, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, '\\x7b7d' FROM images WHERE right(digest, 1) = '3';
UPDATE images i SET latest_report = (SELECT max(r.id) FROM reports r WHERE r.image = i.id);
INSERT INTO findings(report, vuln_id, pkg_name, pkg_version, fixed, severity)
  SELECT r.id, 'CVE-P-1', 'libfoo', '1.0', '1.1', 'high' FROM reports r JOIN images i ON i.id = r.image
  WHERE r.created = 1 AND right(i.digest, 1) IN ('1', '2', '3', '4', '5');
INSERT INTO findings(report, vuln_id, pkg_name, pkg_version, fixed, severity)
  SELECT latest_report, 'CVE-P-1', 'libbar', '2.0', NULL, 'medium' FROM images WHERE right(digest, 1) = '5';
" >$T/psql.out 2>&1 || { echo "FAIL - planting rows: $(cat $T/psql.out)"; exit 1; }

PORT=$(pg_free_port)
U=http://127.0.0.1:$PORT
"$STOWAWAY" serve --listen 127.0.0.1:$PORT --store "$PG_URL" --db $T/none.sqlite --db-poll 0 2>>$T/server.log &
SRV=$!
for _ in $(seq 100); do curl -s -o /dev/null -m 1 $U/healthz && break; sleep 0.1; done

# what the rows planted say: (digest, package) in digest, package order
D() { printf 'sha256:%064d' $1; }
WANT="$(D 1)/libfoo $(D 2)/libfoo $(D 4)/libfoo $(D 5)/libbar $(D 5)/libfoo"
pairs() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(i["digest"] + "/" + i["package"] for i in d["images"]), d["total"], d["limit"], d["offset"])' $T/body; }
get() { curl -s -m 10 -o $T/body -w '%{http_code}' -H "Authorization: Bearer $READ" "$U$1"; }
[ "$(get /api/v1/vulnerabilities/CVE-P-1/images)" = 200 ] && [ "$(pairs)" = "$WANT 5 None 0" ] &&
	ok "PostgreSQL: every hit without limit (latest reports only), in digest and package order, with the total" ||
	bad "PostgreSQL which images: $(pairs) / $WANT"
seen=
for off in 0 2 4; do
	get "/api/v1/vulnerabilities/CVE-P-1/images?limit=2&offset=$off" >/dev/null
	r=$(pairs)
	seen="$seen $(echo "$r" | awk '{for (i = 1; i <= NF - 3; i++) printf "%s ", $i}')"
	case "$r" in *" 5 2 $off") ;; *) bad "PostgreSQL page at $off: $r" ;; esac
done
[ "$(echo $seen)" = "$WANT" ] && ok "PostgreSQL: pages of two visit every hit once, in order" || bad "PostgreSQL pages: $seen"
[ "$(get '/api/v1/vulnerabilities/CVE-P-1/images?limit=2&offset=9')" = 200 ] && [ "$(pairs)" = " 5 2 9" ] &&
	ok "PostgreSQL: a page past the end is empty, with the total" || bad "PostgreSQL past the end: $(pairs)"

# revocation: the API refuses the token at once; its session bindings go
HASH=$(pg_psql "SELECT hash FROM tokens WHERE name = 'gone'")
pg_psql "INSERT INTO web_session_tokens(hash, token_hash, expires) VALUES ('s1', '$HASH', 9999999999), ('s2', (SELECT hash FROM tokens WHERE name = 'reader'), 9999999999)" >/dev/null
[ "$(curl -s -m 10 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $GONE" $U/api/v1/images)" = 200 ] || bad "the token to revoke does not work before"
"$STOWAWAY" serve token revoke --store "$PG_URL" gone 2>$T/rev.err && grep -q "1 token named 'gone' revoked" $T/rev.err &&
	ok "PostgreSQL: serve token revoke" || bad "PostgreSQL revoke: $(cat $T/rev.err)"
[ "$(curl -s -m 10 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $GONE" $U/api/v1/images)" = 401 ] &&
	ok "PostgreSQL: the revoked token is refused" || bad "PostgreSQL: the revoked token still works"
[ "$(pg_psql "SELECT string_agg(hash, ',' ORDER BY hash) FROM web_session_tokens")" = s2 ] &&
	ok "PostgreSQL: the revoked token's session bindings are gone, the other token's stay" ||
	bad "PostgreSQL bindings: $(pg_psql 'SELECT hash FROM web_session_tokens')"
"$STOWAWAY" serve token revoke --store "$PG_URL" gone 2>$T/rev.err; rc=$?
[ $rc = 2 ] && ok "PostgreSQL: revoking again: exit 2 (no live token)" || bad "PostgreSQL revoke again: $rc $(cat $T/rev.err)"

kill -TERM $SRV; wait $SRV; rc=$?; SRV=
[ $rc = 0 ] && ok "SIGTERM: the server exits 0" || bad "server exit: $rc $(tail -3 $T/server.log)"
[ $fails = 0 ] && echo "PASS - web store operations on PostgreSQL" || { echo "FAIL - $fails failure(s)"; exit 1; }
