#!/bin/bash
# bench_perf.sh - issue 8 targets, measured (never in timed tests).
#
# Usage: bench/bench_perf.sh
# Env: RUNS (default 5), STOWAWAY (default build-rel/stowaway, built if
#   missing), CORPUS (images from ../shared/tools/corpus/build-corpus.sh;
#   default ~/.cache/stowaway-corpus), BENCH_TREE (the directory turned into
#   one big layer for P1/P2; default /usr/bin), OUT (default bench/out).
#
#   P1  one gzip layer:  read + SHA-256 + inflate + tar walk + analyzers, MB/s
#       of compressed input (one layer = one core), --no-cache
#   P2  the same layer as zstd
#   P3  fixed overhead: scan --sbom of a 1,000-package CycloneDX SBOM against
#       a database built from ../shared/data/vuln (start, open db, match, report)
#   P4  peak RSS, cold: debian-min, debian-min-bulk (the same + 1 GiB of
#       ordinary files, bench/mkbulk.py) and debian-big (more bytes and packages)
#   P5  re-scan of a fully cached image; one changed top layer
#   P6  parallel layers: wall of a cold sbom of debian-big with the default
#       threads vs STOWAWAY_THREADS=1
#
# Every figure is the median of RUNS runs; the page cache is warm (the
# images are read once before timing), so MB/s is CPU-bound, not disk-bound.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
BENCH_TREE=${BENCH_TREE:-/usr/bin}
SHARED=${SW_SHARED_DATA:-$here/../shared/data}
build_rel
export STOWAWAY_CACHE_DIR=$OUT/perf-cache SOURCE_DATE_EPOCH=1700000000

runs() { # label CMD... -> prints "median_s median_rss_mib median_cpu_s" and keeps the times
	local f=$OUT/perf-$1.times; shift; : > "$f"
	for _ in $(seq "$RUNS"); do timed /dev/null "$@" >> "$f"; done
	echo "$(col 1 "$f") $(col 2 "$f" | awk '{printf "%.1f", $1/1024}') $(col 3 "$f")"
}
row() { printf '%-4s %-34s %10s %10s %10s %s\n' "$@"; }

echo "# stowaway $("$STOWAWAY" --version 2>/dev/null | head -1), $(nproc) cores, RUNS=$RUNS, $(date -u +%FT%TZ)"
row id what measured target met note

# ---- P1 / P2: one big layer, gzip and zstd ----
for comp in gzip zstd; do
	img=$(tree_image $comp)
	"$STOWAWAY" sbom -q --no-cache -f json "oci:$img" > /dev/null   # warm the page cache
	read -r s rss cpu < <(runs "p-$comp" "$STOWAWAY" sbom -q --no-cache -f json "oci:$img")
	mapfile -t blobs < <(oci_layers "$img")
	size=$(blobs_mb "${blobs[@]}")
	rate=$(awk -v m="$size" -v s="$s" 'BEGIN {printf "%.0f", m/s}')
	crate=$(awk -v m="$size" -v s="$cpu" 'BEGIN {printf "%.0f", m/s}')
	if [ $comp = gzip ]; then id=P1; want=200; else id=P2; want=270; fi
	row $id "$comp layer $BENCH_TREE ($size MB)" "$rate MB/s" ">= $want" \
		"$([ "$rate" -ge $want ] && echo yes || echo no)" "wall ${s}s, cpu ${cpu}s = $crate MB/s of cpu, rss ${rss}MiB"
done

# ---- P3: fixed overhead, 1,000 packages ----
db=$OUT/perf-vulndb.sqlite
if [ ! -s "$db" ]; then
	STOWAWAY_DB=$db "$STOWAWAY" db update -q --offline-data "$SHARED/vuln" >/dev/null 2>&1 || \
		STOWAWAY_DB=$db "$STOWAWAY" db update --offline-data "$SHARED/vuln" --retries 0 >/dev/null 2>&1 || true
fi
sbom1k=$OUT/perf-1000.cdx.json
big=$CORPUS/images/debian-big/debian-big.docker.tar
small=$CORPUS/images/debian-min/debian-min.docker.tar
if [ -s "$db" ] && [ -e "$big" ]; then
	[ -s "$sbom1k" ] || { "$STOWAWAY" sbom -q --no-cache -f cyclonedx "docker-archive:$big" | python3 -c '
import json, sys
d = json.load(sys.stdin)
d["components"] = [c for c in d["components"] if c.get("purl")][:1000]
d.pop("dependencies", None)
json.dump(d, sys.stdout)' > "$sbom1k"; }
	n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["components"]))' "$sbom1k")
	STOWAWAY_DB=$db "$STOWAWAY" scan -q --sbom "$sbom1k" -f json > /dev/null 2>&1 || true
	read -r s rss _ < <(STOWAWAY_DB=$db runs p3 "$STOWAWAY" scan -q --sbom "$sbom1k" -f json -o /dev/null)
	ms=$(awk -v s="$s" 'BEGIN {printf "%.0f", s*1000}')
	row P3 "scan --sbom, $n packages" "$ms ms" "<= 50" "$([ "$ms" -le 50 ] && echo yes || echo no)" \
		"rss ${rss}MiB, db $(mb "$db") MB"
else
	row P3 "scan --sbom, 1000 packages" "-" "<= 50" "?" "no database or no $big"
fi

# ---- P4: peak RSS, small vs big image, cold (no cache) ----
# debian-min-bulk: debian-min plus 1 GiB of ordinary files (bench/mkbulk.py):
# the same packages, 8x the bytes
bulk=
[ -e "$small" ] && bulk=$(bulk_image)
for img in "$small" $bulk "$big"; do
	[ -e "$img" ] || continue
	read -r s rss _ < <(runs "p4-$(basename "$img")" "$STOWAWAY" sbom -q --no-cache -f json "docker-archive:$img")
	row P4 "$(basename "$img" .docker.tar) ($(mb "$img") MB)" "${rss} MiB" "<= 64" \
		"$(awk -v r="$rss" 'BEGIN {print (r <= 64) ? "yes" : "no"}')" "wall ${s}s"
done

# ---- P5: cached re-scan; a changed top layer ----
for img in "$small" "$big"; do
	[ -e "$img" ] || continue
	"$STOWAWAY" sbom -q -f json "docker-archive:$img" > /dev/null
	read -r s rss _ < <(runs "p5-$(basename "$img")" "$STOWAWAY" sbom -q -f json "docker-archive:$img")
	ms=$(awk -v s="$s" 'BEGIN {printf "%.0f", s*1000}')
	row P5 "cached re-scan $(basename "$img" .docker.tar)" "$ms ms" "<= 100" \
		"$([ "$ms" -le 100 ] && echo yes || echo no)" "rss ${rss}MiB"
done
img=$OUT/perf-tree-gzip
if [ -e "$img/index.json" ]; then
	# the same image plus one new small top layer (a copy of its layout with
	# the layer appended to the manifest and the config's diff_ids)
	rm -rf "$OUT/perf-changed"; cp -r "$img" "$OUT/perf-changed"
	python3 - "$OUT/perf-changed" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile, time
d = sys.argv[1]
def put(data):
    h = hashlib.sha256(data).hexdigest()
    open(os.path.join(d, "blobs/sha256", h), "wb").write(data)
    return "sha256:" + h, len(data)
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
    body = str(time.time_ns()).encode()
    ti = tarfile.TarInfo("changed"); ti.size = len(body); t.addfile(ti, io.BytesIO(body))
tar = raw.getvalue()
idx = json.load(open(d + "/index.json"))
man = json.load(open(d + "/blobs/sha256/" + idx["manifests"][0]["digest"].split(":")[1]))
cfg = json.load(open(d + "/blobs/sha256/" + man["config"]["digest"].split(":")[1]))
cfg["rootfs"]["diff_ids"].append("sha256:" + hashlib.sha256(tar).hexdigest())
cfg.pop("history", None)
dg, n = put(gzip.compress(tar, mtime=0))
man["layers"].append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": dg, "size": n})
man["config"]["digest"], man["config"]["size"] = put(json.dumps(cfg).encode())
idx["manifests"][0]["digest"], idx["manifests"][0]["size"] = put(json.dumps(man).encode())
json.dump(idx, open(d + "/index.json", "w"))
PY
	"$STOWAWAY" sbom -q -f json "oci:$img" > /dev/null   # the big layer is cached
	touch "$OUT/perf-marker"; sleep 1
	# each run: the top layer's entry and the changed image's entry (newer
	# than the marker) are removed first
	read -r s rss _ < <(runs p5-changed sh -c "find '$STOWAWAY_CACHE_DIR/layers' '$STOWAWAY_CACHE_DIR/images' -type f -newer '$OUT/perf-marker' -delete 2>/dev/null; '$STOWAWAY' sbom -q -f json 'oci:$OUT/perf-changed'")
	row P5 "big cached layer + new top layer" "$(awk -v s="$s" 'BEGIN {printf "%.0f", s*1000}') ms" "top layer only" "-" "rss ${rss}MiB"
fi

# ---- P6: layers in parallel ----
if [ -e "$big" ]; then
	read -r s _ < <(runs p6 "$STOWAWAY" sbom -q --no-cache -f json "docker-archive:$big")
	read -r s1 _ < <(runs p6-1 env STOWAWAY_THREADS=1 "$STOWAWAY" sbom -q --no-cache -f json "docker-archive:$big")
	row P6 "debian-big, $(nproc) cores vs 1 thread" "${s}s vs ${s1}s" "~ total/cores" \
		"$(awk -v a="$s" -v b="$s1" -v c="$(nproc)" 'BEGIN {print (a <= 1.15*b/c + 0.1) ? "yes" : "no"}')" \
		"speed-up $(awk -v a="$s" -v b="$s1" 'BEGIN {printf "%.2f", b/a}')x"
fi
