#!/bin/bash
# End to end: nothing from an image, an advisory or a registry reply drives
# the terminal.  Terminal escapes (ESC CSI and OSC with BEL, a raw C1 byte
# 0x9b, C1 U+009B encoded as c2 9b, a right-to-left override) are planted in
# a dpkg status (package name, version, source, description) and os-release,
# in OSV advisories (summary, details, aliases, a bad record's file name),
# in a tar member name that makes the image fail, in a registry's error reply,
# and in command-line arguments echoed in usage errors.  Every human-facing
# output (table on stdout, db search/info, version validate, all of stderr)
# must be valid UTF-8 without C0 controls other than \n and \t, DEL, C1
# controls or bidi overrides; the machine formats keep the exact text.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
MKIMAGE="python3 $SW_SOURCE_DIR/tests/tools/mkimage.py"
FAKE="python3 $SW_SOURCE_DIR/tests/tools/fakeregistry.py"
T=$(mktemp -d)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
export STOWAWAY_DB=$T/db.sqlite SOURCE_DATE_EPOCH=1735689600 STOWAWAY_NOW=1735689600
export HOME=$T/home DOCKER_CONFIG=$T/docker STOWAWAY_REGISTRY_BACKOFF_MS=50 STOWAWAY_REGISTRY_TIMEOUT=10
mkdir -p "$HOME" "$DOCKER_CONFIG"
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }

# ESC [31m, an OSC window title ended by BEL, raw 0x9b (CSI on 8-bit
# terminals), U+009B as UTF-8, U+202E (right-to-left override)
H=$'\e[31m\e]0;pwned\a\x9b\xc2\x9b\xe2\x80\xae'
# the same without the raw byte, for text an image must carry as UTF-8 JSON
H8=$'\e[31m\e]0;pwned\a\xc2\x9b\xe2\x80\xae'

# safe FILE LABEL: FILE is terminal-safe
safe() {
	python3 - "$1" "$2" <<'PY'
import sys
data, label = open(sys.argv[1], "rb").read(), sys.argv[2]
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    print("  %s: invalid UTF-8 at %d: %r" % (label, e.start, data[max(0, e.start - 20):e.start + 20]))
    sys.exit(1)
for i, c in enumerate(text):
    o = ord(c)
    if (o < 0x20 and c not in "\n\t") or 0x7f <= o <= 0x9f or 0x202a <= o <= 0x202e or 0x2066 <= o <= 0x2069:
        print("  %s: U+%04X at %d: %r" % (label, o, i, text[max(0, i - 20):i + 20]))
        sys.exit(1)
PY
}
# check FILE LABEL MARKER: FILE is safe and shows MARKER (the planted text was printed)
check() {
	if ! grep -q -- "$3" "$1"; then
		bad "$2: '$3' not in the output: $(head -c 600 "$1")"
	elif safe "$1" "$2"; then
		ok "$2"
	else
		bad "$2 passes terminal controls"
	fi
}

# ---- advisories ----
mkdir -p $T/osv
cat > $T/osv/GHSA-hhhh-hhhh-hhhh.json <<'J'
{"id": "GHSA-hhhh-hhhh-hhhh", "modified": "2024-05-01T00:00:00Z",
 "aliases": ["CVE-2024-9\u001b[31m99"],
 "summary": "evil\u001b[2J\u001b]0;pwned\u0007summary\u009b31m\u202e end",
 "details": "details\u001b[31m\u009b\n\u001b[1A",
 "affected": [{"package": {"ecosystem": "PyPI", "name": "idna"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.7"}]}]}],
 "references": [{"type": "WEB", "url": "https://example.invalid/\u001b[31m"}],
 "database_specific": {"severity": "HIGH"}}
J
printf '{"id": "GHSA-bad' > "$T/osv/bad${H}record.json"
$STOWAWAY db update --max-bad 1 --source osv=$T/osv > $T/upd.out 2> $T/upd.err
[ -s $STOWAWAY_DB ] && ok "db update from a hostile OSV record" || bad "db update: $(cat $T/upd.err)"
safe $T/upd.err "db update stderr" && ok "db update stderr" || bad "db update stderr passes terminal controls"
# with the default bound the bad record is named (its hostile file name) on stderr
$STOWAWAY db update --db $T/strict.sqlite --source osv=$T/osv >/dev/null 2>$T/upd0.err
check $T/upd0.err "db update warning naming a hostile file" "record.json"

$STOWAWAY db search GHSA-hhhh-hhhh-hhhh > $T/info.out 2> $T/info.err
check $T/info.out "db search ID (advisory details)" "summary:    evil"
$STOWAWAY db search idna > $T/search.out 2> $T/search.err
check $T/search.out "db search PACKAGE" "GHSA-hhhh-hhhh-hhhh"
$STOWAWAY db info > $T/dbinfo.out 2> $T/dbinfo.err
check $T/dbinfo.out "db info" "database:"
cat $T/info.err $T/search.err $T/dbinfo.err > $T/db.err
safe $T/db.err "db stderr" && ok "db search/info stderr" || bad "db search/info stderr passes terminal controls"
$STOWAWAY db search GHSA-hhhh-hhhh-hhhh --json > $T/info.json
python3 -c '
import json,sys; v=json.load(open(sys.argv[1]))
sys.exit(0 if v["summary"] == "evil\x1b[2J\x1b]0;pwned\x07summary\x9b31m\u202e end" else 1)' $T/info.json \
	&& ok "db search --json keeps the exact text" || bad "db search --json changed the text: $(cat $T/info.json)"

# ---- the image ----
stanza() { printf 'Package: %s\nStatus: install ok installed\nVersion: %s\nSource: %s\nArchitecture: amd64\nDescription: %s\n\n' "$@"; }
L0=$T/l0
mkdir -p $L0/etc $L0/var/lib/dpkg $L0/usr/lib/python3/dist-packages/idna-3.4.dist-info
printf 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian %s GNU/Linux"\n' "$H" > $L0/etc/os-release
{ stanza "evil${H}pkg" 1.0 evil "invalid name"; stanza evilver "1.0${H}" "src${H}" "desc${H}"
  stanza zlib1g 1:1.2.13 zlib "clean"; } > $L0/var/lib/dpkg/status
printf 'Metadata-Version: 2.1\nName: idna\nVersion: 3.4\n' > $L0/usr/lib/python3/dist-packages/idna-3.4.dist-info/METADATA
mkdir -p "$L0/usr/lib/python3/dist-packages/evil-1.0.dist-info"
printf 'Metadata-Version: 2.1\nName: evil%spy\nVersion: 1.0%s\n' "$H" "$H" > "$L0/usr/lib/python3/dist-packages/evil-1.0.dist-info/METADATA"
$MKIMAGE --format oci-archive -o $T/img.tar --history "RUN evil${H8}history" $L0 > /dev/null || bad "mkimage"
IMG=oci-archive:$T/img.tar

$STOWAWAY sbom -f table $IMG > $T/sbom.out 2> $T/sbom.err
check $T/sbom.out "sbom table (package name, version, source, OS name, history)" "py "
safe $T/sbom.err "sbom stderr" && ok "sbom stderr" || bad "sbom stderr passes terminal controls"
$STOWAWAY scan -f table $IMG > $T/scan.out 2> $T/scan.err
check $T/scan.out "scan table (advisory title and alias, OS name, history)" "summary"
grep -q "Debian" $T/scan.out || bad "scan table: no OS line"
safe $T/scan.err "scan stderr (notes)" && ok "scan stderr (notes)" || bad "scan stderr passes terminal controls"
$STOWAWAY scan -q -f json $IMG > $T/scan.json
python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
t = [v["title"] for v in d["vulnerabilities"] if "GHSA-hhhh-hhhh-hhhh" in [v["id"]] + v["aliases"]]
sys.exit(0 if t == ["evil\x1b[2J\x1b]0;pwned\x07summary\x9b31m\u202e end"] else 1)' $T/scan.json \
	&& ok "scan json keeps the exact title" || bad "scan json title changed"
$STOWAWAY sbom -q -f json $IMG | python3 -c '
import json,sys; d=json.load(sys.stdin)
sys.exit(0 if any(p["name"].startswith("evil\x1b[31m") for p in d["packages"]) else 1)' \
	&& ok "sbom json keeps the exact package name" || bad "sbom json name changed"
$STOWAWAY scan -q -f sarif -o $T/scan.sarif $IMG && bash $SW_SOURCE_DIR/tests/tools/sarif-validate.sh $T/scan.sarif \
	&& ok "hostile sarif: Multitool validate" || bad "hostile sarif: Multitool validate"

# suppressed findings and notes in SARIF; a note on stderr naming an ignore entry
printf 'GHSA-hhhh-hhhh-hhhh exp:2024-01-01\nCVE-2024-9\033[31m99 pkg:idna\n' > $T/ignore
$STOWAWAY scan -f sarif --show-suppressed --ignorefile $T/ignore -o $T/supp.sarif $IMG 2> $T/supp.err
check $T/supp.err "scan stderr: note naming an expired ignore entry" "expired"
grep -q '"suppressions"' $T/supp.sarif && bash $SW_SOURCE_DIR/tests/tools/sarif-validate.sh $T/supp.sarif \
	&& ok "sarif with suppressions and notes: Multitool validate" || bad "sarif with suppressions: Multitool validate"

# ---- a tar member name in an error message ----
L1=$T/l1
mkdir -p "$L1/evil${H}dir"
: > "$L1/evil${H}dir/.wh."
$MKIMAGE --format oci-archive -o $T/bad.tar $L0 $L1 > /dev/null || bad "mkimage (bad)"
$STOWAWAY sbom -f table oci-archive:$T/bad.tar > /dev/null 2> $T/bad.err; rc=$?
[ $rc -eq 2 ] || bad "hostile member name: exit $rc, expected 2"
check $T/bad.err "error naming a hostile tar member" "evil"

# ---- a registry's error reply ----
$MKIMAGE --format oci -o $T/layout --tag v1 $L0 > /dev/null || bad "mkimage (layout)"
$FAKE --layout $T/layout --repo team/app --port-file $T/port --lifetime 60 --fault hostile-error 2> $T/fake.err &
PIDS+=($!)
for _ in $(seq 100); do [ -s $T/port ] && break; sleep 0.05; done
if [ -s $T/port ]; then
	$STOWAWAY sbom -f table --plain-http "registry:127.0.0.1:$(cat $T/port)/team/app:v1" > /dev/null 2> $T/reg.err; rc=$?
	[ $rc -eq 2 ] || bad "registry error: exit $rc, expected 2"
	check $T/reg.err "registry error code in the message" "MANIFEST"
else
	bad "fake registry did not start: $(cat $T/fake.err)"
fi

# ---- command-line text echoed back ----
$STOWAWAY scan -f "tab${H}le" $IMG > /dev/null 2> $T/usage.err
check $T/usage.err "usage error echoing an argument" "unknown format"
$STOWAWAY "evil${H}cmd" > /dev/null 2> $T/cmd.err
check $T/cmd.err "unknown command" "unknown command"
$STOWAWAY version validate deb "1.0${H}" > $T/val.out 2> $T/val.err
cat $T/val.out $T/val.err > $T/val.all
check $T/val.all "version validate output" "1.0"

[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all passed"
