#!/bin/bash
# bench/bench_checks.sh - what the image checks cost (issue 13 "Speed").
#
# The ratio of `scan --scanners vuln,config` to `scan --scanners vuln` on
# one image (default the corpus's debian-big), in the same run: RUNS runs of
# each, interleaved (vuln, vuln+config, vuln, ...), cold (--no-cache: the
# layer pass is in every run), JSON to /dev/null.  Prints medians of wall,
# CPU (user + sys) and peak RSS (/usr/bin/time, max resident) and the
# ratios, in Markdown, with the exact commands.  The target: wall ratio
# <= 1.05, peak RSS unchanged in order.
#
# Re-runnable as is after the file-system checks land (they run in the same
# layer pass: this measures them too).  Not part of ctest.
#
# Usage: bench/bench_checks.sh
# Env: RUNS (5), IMAGE (default $CORPUS/images/debian-big/debian-big.docker.tar),
#      CORPUS, STOWAWAY (default build-rel/stowaway, built when missing),
#      OUT (work files, default bench/out), SW_SHARED_DATA (the vulnerability
#      data the database is built from once: $OUT/perf-vulndb.sqlite, as
#      bench_perf.sh).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
SHARED=${SW_SHARED_DATA:-$here/../shared/data}
IMAGE=${IMAGE:-$CORPUS/images/debian-big/debian-big.docker.tar}
export SOURCE_DATE_EPOCH=1700000000 STOWAWAY_CACHE_DIR=$OUT/checks-cache
build_rel
case $IMAGE in
*/images/*/*.docker.tar) n=$(basename "$IMAGE" .docker.tar); [ -e "$IMAGE" ] || corpus_ensure "$n" ;;
esac
[ -e "$IMAGE" ] || die "no image $IMAGE"

db=$OUT/perf-vulndb.sqlite
if [ ! -s "$db" ]; then
	note "building $db from $SHARED/vuln"
	STOWAWAY_DB=$db "$STOWAWAY" db update -q --offline-data "$SHARED/vuln" >/dev/null 2>&1 ||
		die "db update --offline-data $SHARED/vuln failed"
fi
export STOWAWAY_DB=$db

cmd_v=("$STOWAWAY" scan -q --no-cache --scanners vuln -f json -o /dev/null "$IMAGE")
cmd_c=("$STOWAWAY" scan -q --no-cache --scanners vuln,config -f json -o /dev/null "$IMAGE")
# page cache: read the image once before timing; a failing scan stops here
"${cmd_c[@]}" || die "scan failed: ${cmd_c[*]}"
fv=$OUT/checks-vuln.times fc=$OUT/checks-config.times
: > "$fv"; : > "$fc"
for _ in $(seq "$RUNS"); do
	timed /dev/null "${cmd_v[@]}" >> "$fv"
	timed /dev/null "${cmd_c[@]}" >> "$fc"
done
wv=$(col 1 "$fv") rv=$(col 2 "$fv") cv=$(col 3 "$fv")
wc=$(col 1 "$fc") rc=$(col 2 "$fc") cc=$(col 3 "$fc")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
echo "# image checks cost: $(basename "$IMAGE"), stowaway $("$STOWAWAY" --version 2>/dev/null | head -1)"
echo
echo "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), RUNS=$RUNS interleaved, cold (--no-cache), $(date -u +%FT%TZ)"
echo
echo "| scanners | wall s (median) | CPU s (median) | peak RSS MiB (median) |"
echo "|---|---|---|---|"
echo "| vuln | $wv | $cv | $(mib "$rv") |"
echo "| vuln,config | $wc | $cc | $(mib "$rc") |"
echo "| ratio | $(ratio "$wc" "$wv") | $(ratio "$cc" "$cv") | $(ratio "$rc" "$rv") |"
echo
echo "Every run (wall s, max RSS kB, CPU s): vuln: $(tr '\n' ';' < "$fv") vuln,config: $(tr '\n' ';' < "$fc")"
echo
echo "Commands: \`STOWAWAY_DB=$db ${cmd_v[*]}\` and the same with \`--scanners vuln,config\`."
