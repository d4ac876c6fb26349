#!/bin/bash
# test_output_errors.sh - output that cannot be written is an error, and
# output files get the modes a user expects:
# - every command that prints to stdout, run with stdout on /dev/full (a
#   device that refuses every write with ENOSPC), exits 2 and says so in one
#   line on stderr ("error writing standard output" / "cannot write
#   standard output" / "cannot write the report");
# - `-o FILE` creates FILE with 0666 & ~umask (as `>FILE` would), and
#   replacing an existing file keeps that file's mode;
# - JSON members whose text is not UTF-8 are escaped, not dropped.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
T=$(mktemp -d "${TMPDIR:-/tmp}/sw-output-XXXXXX")
trap 'rm -rf "$T"' EXIT
export STOWAWAY_DB=$T/db.sqlite
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }

# a database and an image, both planted here
mkdir -p "$T/osv" "$T/l0/etc" "$T/l0/lib/apk/db"
cat > "$T/osv/GHSA-test-aaaa-bbbb.json" <<'J'
{"id": "GHSA-test-aaaa-bbbb", "modified": "2024-01-02T00:00:00Z", "aliases": ["CVE-2024-11111"],
 "summary": "a test advisory", "affected": [{"package": {"ecosystem": "Alpine:v3.19", "name": "musl"},
 "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2.5-r0"}]}]}]}
J
$STOWAWAY db update -q --source "osv=$T/osv" 2> "$T/e" || { bad "db update: $(cat "$T/e")"; exit 1; }
printf 'ID=alpine\nVERSION_ID=3.19.1\n' > "$T/l0/etc/os-release"
printf 'P:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\no:musl\n\n' > "$T/l0/lib/apk/db/installed"
$MKIMAGE --format oci-archive -o "$T/img.tar" "$T/l0" >/dev/null || { bad "mkimage"; exit 1; }
IMG=oci-archive:$T/img.tar

# the same commands to a file first: they work, and print something
full() { # NAME ARGS...: the command succeeds to a file and fails on /dev/full
	local name=$1
	shift
	"$STOWAWAY" "$@" < "${IN:-/dev/null}" > "$T/out" 2> "$T/e"
	local rc=$?
	if [ $rc -gt 1 ] || [ ! -s "$T/out" ]; then
		bad "$name: to a file: rc $rc, $(wc -c < "$T/out") bytes: $(head -2 "$T/e")"
		return
	fi
	"$STOWAWAY" "$@" < "${IN:-/dev/null}" > /dev/full 2> "$T/e"
	rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l < "$T/e")" -eq 1 ] && grep -q "error writing standard output\|cannot write standard output\|cannot write the report" "$T/e"; then
		ok "$name >/dev/full: exit 2 with a message"
	else
		bad "$name >/dev/full: rc $rc, stderr: $(head -2 "$T/e")"
	fi
}
full "--help" --help
full "--version" --version
full "db info" db info
full "db info --json" db info --json
full "db search" db search CVE-2024-11111
full "db search --json" db search --json CVE-2024-11111
full "db --help" db --help
full "version compare" version compare dpkg 1.0 1.1
printf '1.0\t1.1\n' > "$T/pairs"
IN=$T/pairs full "version compare -" version compare dpkg -
printf '1.0\t< 1.1\n' > "$T/ranges"
IN=$T/ranges full "version affected -" version affected dpkg -
full "version --help" version --help
full "sbom" sbom -q "$IMG"
full "sbom -f json" sbom -q -f json "$IMG"
full "sbom --help" sbom --help
full "scan" scan -q "$IMG"
full "scan -f json" scan -q -f json "$IMG"
full "scan --help" scan --help
full "cache --help" cache --help

# JSON built with jansson: a value that is not UTF-8 (here the database's
# file name) is kept, escaped, instead of its member silently vanishing
XDB="$T/x$(printf '\377')/db.sqlite"
mkdir -p "${XDB%/*}"
$STOWAWAY db update -q --db "$XDB" --source "osv=$T/osv" 2> "$T/e" || bad "db update into a non-UTF-8 path: $(cat "$T/e")"
$STOWAWAY db info --json --db "$XDB" > "$T/info.json" 2> "$T/e"
python3 - "$T/info.json" "$T" <<'PY' && ok "db info --json keeps a non-UTF-8 path" || bad "db info --json path: $(cat "$T/e")"
import json, sys
info = json.load(open(sys.argv[1]))
sys.exit(0 if info.get("path") == sys.argv[2] + "/x\\xff/db.sqlite" else 1)
PY

# -o FILE: a new file honours the umask; a replaced file keeps its mode
mode() { stat -c %a "$1"; }
for u in 022 077 002; do
	rm -f "$T/new.json"
	(umask $u && "$STOWAWAY" sbom -q -f json -o "$T/new.json" "$IMG") 2> "$T/e"
	want=$(printf '%o' $((0666 & ~0$u)))
	got=$(mode "$T/new.json" 2>/dev/null)
	[ "$got" = "$want" ] && ok "-o new file under umask $u: $want" || bad "-o new file under umask $u: mode $got, want $want ($(cat "$T/e"))"
done
for m in 600 640 604; do
	printf old > "$T/old.json"
	chmod $m "$T/old.json"
	(umask 022 && "$STOWAWAY" scan -q -f json -o "$T/old.json" "$IMG") 2> "$T/e"
	got=$(mode "$T/old.json")
	grep -q '"vulnerabilities"' "$T/old.json" && [ "$got" = $m ] && ok "-o over a $m file keeps $m" ||
		bad "-o over a $m file: mode $got, content $(head -c 40 "$T/old.json")"
done

echo "e2e output errors: $fails failure(s)"
exit $((fails > 0))
