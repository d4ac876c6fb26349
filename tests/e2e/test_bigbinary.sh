#!/bin/bash
# End to end: a 40 MiB Go executable in a gzip layer (tests/tools/mkgobin.py:
# build info near the end, section table after it) is streamed through the
# Go and Rust binary analyzers: its modules are found and nothing is warned.
# The same binary given as a dir: root (files read with read()) too.  No timing or
# memory assertion: bench/bench_binstream.sh measures those.
set -u
: "${STOWAWAY:?}" "${SW_SOURCE_DIR:?}"
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
export SOURCE_DATE_EPOCH=1700000000 STOWAWAY_NO_CACHE=1

R=$T/root; mkdir -p $R/usr/local/bin
python3 "$SW_SOURCE_DIR/tests/tools/mkgobin.py" $R/usr/local/bin/big 40 \
	--module example.test/big@v1.4.2 --dep github.com/x/y@v1.2.3 --dep golang.org/x/net@v0.17.0 \
	|| { echo "FAIL - mkgobin"; exit 1; }
chmod 755 $R/usr/local/bin/big
python3 "$SW_SOURCE_DIR/tests/tools/mkimage.py" --format oci --compression gzip -o $T/img $R >/dev/null \
	|| { echo "FAIL - mkimage"; exit 1; }

check() { # label json
	python3 - "$2" <<'PY' && ok "$1" || bad "$1"
import json, sys
d = json.load(open(sys.argv[1]))
got = sorted((p.get("path"), p["name"], p["version"]) for p in d["packages"])
want = []
for path in ("usr/local/bin/big",):
    want += [(path, "big", "v1.4.2"), (path, "net", "v0.17.0"), (path, "stdlib", "1.22.1"), (path, "y", "v1.2.3")]
want.sort()
bad = [w for w in d.get("warnings", []) if "no operating system" not in w]
if got != want or bad:
    print("got", got, "\nwant", want, "\nwarnings", bad)
    sys.exit(1)
PY
}

"$STOWAWAY" sbom -q -f json oci:$T/img > $T/oci.json 2>$T/oci.err || bad "sbom oci (exit $?)"
check "40 MiB Go binary in a gzip layer: modules found" $T/oci.json
"$STOWAWAY" sbom -q -f json dir:$R > $T/dir.json 2>$T/dir.err || bad "sbom dir (exit $?)"
check "the same as a dir: root" $T/dir.json

[ $fails -eq 0 ] && echo "all passed" || echo "$fails failed"
exit $((fails > 0))
