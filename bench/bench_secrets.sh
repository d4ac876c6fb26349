#!/bin/sh
# Secret engine throughput (MB/s, one thread) of the Hyperscan and PCRE2
# builds over the same tree (docs/secrets.md, "Engines"; no test asserts a
# time).  The tree: $TREE, else the unpacked debian-big root file system
# under /work/corpus if present, else ~200 MB of generated text.
#
#   bench/bench_secrets.sh                 # builds bench/out/build-secrets-{hyperscan,pcre2}
#   TREE=/usr RUNS=5 bench/bench_secrets.sh
#   HS_BUILD=build PCRE2_BUILD=build-pcre2 bench/bench_secrets.sh   # existing build folders
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
tree=${TREE:-}
if [ -z "$tree" ]; then
	for t in /work/corpus/rootfs/debian-big; do
		[ -d "$t" ] && tree=$t && break
	done
fi
if [ -z "$tree" ]; then
	tree=$OUT/secrets-corpus
	if [ ! -d "$tree" ]; then
		echo "generating $tree (200 MB of text)" >&2
		python3 - "$tree" <<'PY'
import os, random, sys
root = sys.argv[1]
rnd = random.Random(7)
words = ("the token is checked", "function(a){return a.password||b}", "var x=1;", "secret santa",
         "access_key_id lookup", "lorem ipsum dolor", "postgres is up", "eyJ not a jwt",
         "config.yaml", "import os", "def f(x):", "return None")
for d in range(20):
    os.makedirs(f"{root}/d{d}", exist_ok=True)
    for f in range(100):
        with open(f"{root}/d{d}/f{f}.txt", "w") as fh:
            n = 0
            while n < 100000:
                line = " ".join(rnd.choice(words) for _ in range(8)) + "\n"
                fh.write(line)
                n += len(line)
PY
	fi
fi
echo "tree: $tree ($(du -sh "$tree" 2>/dev/null | cut -f1))"
for engine in hyperscan pcre2; do
	case $engine in
	hyperscan) b=${HS_BUILD:-$OUT/build-secrets-$engine} ;;
	pcre2) b=${PCRE2_BUILD:-$OUT/build-secrets-$engine} ;;
	esac
	if [ ! -f "$b/CMakeCache.txt" ]; then
		cmake -S . -B "$b" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSW_SECRETS_ENGINE=$engine >/dev/null
	fi
	grep -q "^SW_SECRETS_ENGINE:STRING=$engine$" "$b/CMakeCache.txt" ||
		grep -q "^SW_SECRETS_ENGINE:STRING=$" "$b/CMakeCache.txt" || { echo "$b: not a $engine build" >&2; exit 1; }
	cmake --build "$b" -j2 --target bench_secrets >/dev/null
	"$b/bench/bench_secrets" -r "$RUNS" "$tree"
done
