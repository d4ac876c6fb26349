#!/bin/bash
# bench_binstream.sh - executables streamed through the Go/Rust analyzers:
# CPU and peak RSS of `sbom --no-cache`, one worker, two binaries side by
# side (before/after a change), medians of RUNS runs, alternating.
#
# Usage: BEFORE=path/to/old/stowaway bench/bench_binstream.sh
# Env: RUNS (default 5), STOWAWAY (default build-rel/stowaway), BEFORE
#   (required), CORPUS (default /work/corpus/images), BENCH_TREE (default
#   /usr/bin), OUT (default bench/out), BIG_MIB (synthetic Go binary size,
#   default 300).
# Images: BENCH_TREE as one gzip and one zstd OCI layer; debian-big's
# docker-archive; a one-layer gzip image holding a BIG_MIB MiB synthetic Go
# executable (tests/tools/mkgobin.py: ELF header, build info near the end).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-5}
OUT=${OUT:-$here/bench/out}
CORPUS=${CORPUS:-/work/corpus/images}
BENCH_TREE=${BENCH_TREE:-/usr/bin}
BIG_MIB=${BIG_MIB:-300}
STOWAWAY=${STOWAWAY:-$here/build-rel/stowaway}
: "${BEFORE:?set BEFORE to the stowaway binary to compare against}"
mkdir -p "$OUT"
export STOWAWAY_THREADS=1 SOURCE_DATE_EPOCH=1700000000 STOWAWAY_CACHE_DIR=$OUT/binstream-cache

for comp in gzip zstd; do
	[ -d "$OUT/perf-tree-$comp" ] || python3 "$here/tests/tools/mkimage.py" --format oci --compression $comp \
		-o "$OUT/perf-tree-$comp" "$BENCH_TREE" >/dev/null
done
if [ ! -d "$OUT/bigbin-$BIG_MIB" ]; then
	t=$(mktemp -d); mkdir -p "$t/usr/local/bin"
	python3 "$here/tests/tools/mkgobin.py" "$t/usr/local/bin/big" "$BIG_MIB" --dep github.com/x/y@v1.2.3
	chmod 755 "$t/usr/local/bin/big"
	python3 "$here/tests/tools/mkimage.py" --format oci --compression gzip -o "$OUT/bigbin-$BIG_MIB" "$t" >/dev/null
	rm -rf "$t"
fi

one() { # BIN REF -> "cpu_s rss_kb"
	local tf; tf=$(mktemp)
	/usr/bin/time -f '%U %S %M' -o "$tf" "$1" sbom -q --no-cache -f json "$2" >/dev/null 2>&1 || true
	tail -1 "$tf" | awk '{printf "%.2f %d\n", $1 + $2, $3}'; rm -f "$tf"
}
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

printf '%-28s %10s %10s %10s %10s\n' image cpu-before cpu-after rss-before rss-after
for ref in "oci:$OUT/perf-tree-gzip" "oci:$OUT/perf-tree-zstd" \
	   "docker-archive:$CORPUS/debian-big/debian-big.docker.tar" "oci:$OUT/bigbin-$BIG_MIB"; do
	cat "${ref#*:}"/blobs/sha256/* "${ref#*:}" >/dev/null 2>&1 || true   # warm the page cache
	b=$(mktemp); a=$(mktemp)
	for _ in $(seq "$RUNS"); do one "$BEFORE" "$ref" >> "$b"; one "$STOWAWAY" "$ref" >> "$a"; done
	printf '%-28s %10s %10s %9.1fM %9.1fM\n' "$(basename "${ref#*:}")" \
		"$(cut -d' ' -f1 "$b" | median)" "$(cut -d' ' -f1 "$a" | median)" \
		"$(cut -d' ' -f2 "$b" | median | awk '{print $1/1024}')" "$(cut -d' ' -f2 "$a" | median | awk '{print $1/1024}')"
	rm -f "$a" "$b"
done
