#!/bin/bash
# End to end: what the binary loads at start-up, and the error when libcurl
# (loaded with dlopen on first use, src/net/libcurl.h) cannot be loaded.
# - the binary does not link libcurl, nor libarchive.so (it links
#   libarchive.a), nor what those drag in (libxml2, ICU, libstdc++, TLS);
# - commands that need no network never open libcurl;
# - STOWAWAY_LIBCURL=/nonexistent: a registry pull and an online database
#   update fail with one clear line and exit 2; with --offline-data the
#   update falls back to the offline folder and says why.
set -u
: "${STOWAWAY:?}"
command -v readelf >/dev/null 2>&1 || { echo "FAIL - readelf is not installed (binutils, scripts/setup-deps.sh)"; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }

needed=$(readelf -d "$STOWAWAY" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[ -n "$needed" ] || bad "readelf shows no NEEDED entries"
for lib in libcurl libarchive libxml2 libicu libstdc++ libssl libgnutls libldap libgssapi; do
	if grep -q "^$lib" <<<"$needed"; then bad "linked at start-up: $(grep "^$lib" <<<"$needed" | tr '\n' ' ')"; else ok "not linked: $lib"; fi
done

# ld.so reports every object it opens, dlopen included
loads() { LD_DEBUG=files "$@" 2>&1 >/dev/null | sed -n 's/.*file=\([^ ]*\).*\[0\];.*/\1/p; s/.*file=\([^ ]*\) *;  *needed by.*/\1/p'; }
for cmd in "--version" "version compare dpkg 1.0-1 1.0-2"; do
	# shellcheck disable=SC2086
	l=$(loads "$STOWAWAY" $cmd)
	if grep -q 'libcurl\|libarchive\|libxml2' <<<"$l"; then bad "'$cmd' loads $(tr '\n' ' ' <<<"$l")"; else ok "'$cmd' loads no libcurl/libarchive"; fi
done

# the forced load failure
export STOWAWAY_LIBCURL=/nonexistent/libcurl.so.4 STOWAWAY_REGISTRY_BACKOFF_MS=0
want='^stowaway: .*cannot load libcurl\.so\.4: /nonexistent/libcurl\.so\.4: cannot open shared object file: No such file or directory; install libcurl4$'
"$STOWAWAY" sbom -q registry:127.0.0.1:9/nothing/here:1 >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 2 ] && ok "registry pull without libcurl: exit 2" || bad "registry pull without libcurl: exit $rc, want 2"
[ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "$want" "$T/err" && ok "registry pull: one clear line" ||
	bad "registry pull: stderr is: $(cat "$T/err")"
[ -s "$T/out" ] && bad "registry pull: something on stdout"

"$STOWAWAY" db update -q --db "$T/db.sqlite" --source kev=https://registry.example.test/kev.json >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 2 ] && ok "online db update without libcurl: exit 2" || bad "online db update without libcurl: exit $rc, want 2"
grep -q "$want" "$T/err" && [ "$(wc -l <"$T/err")" -eq 1 ] && ok "online db update: one clear line" ||
	bad "online db update: stderr is: $(cat "$T/err")"
[ -e "$T/db.sqlite" ] && bad "online db update without libcurl left a database"

# an offline folder is still usable without libcurl
mkdir -p "$T/vuln/kev"
printf '{"vulnerabilities":[{"cveID":"CVE-2021-44228","dateAdded":"2021-12-10"}]}\n' > "$T/vuln/kev/known_exploited_vulnerabilities.json"
xz "$T/vuln/kev/known_exploited_vulnerabilities.json" || bad "xz"
"$STOWAWAY" db update --db "$T/db2.sqlite" --offline-data "$T/vuln" \
	--source kev=https://registry.example.test/kev.json >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && ok "db update with --offline-data without libcurl: exit 0" ||
	bad "db update with --offline-data without libcurl: exit $rc: $(cat "$T/err")"
grep -q "cannot load libcurl\.so\.4: .*; install libcurl4; building from offline data" "$T/err" &&
	ok "offline fallback says why" || bad "offline fallback: stderr is: $(cat "$T/err")"

# local work needs no libcurl at all
"$STOWAWAY" version compare dpkg 1:1.0-1 1.0-1 >"$T/out" 2>"$T/err" && [ "$(cat "$T/out")" = ">" ] &&
	ok "local command works without libcurl" || bad "local command without libcurl: $(cat "$T/err")"

[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all ok"
