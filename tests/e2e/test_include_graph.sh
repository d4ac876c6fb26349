#!/bin/bash
# The stages' include graph is one-way (docs/architecture.md, "Include
# graph"): a stage includes only the stages listed for it here, all below
# it.  A new edge must be added here and in the doc, deliberately; one that
# points up (version/ including vulndb/, as before issue 12) fails.
set -u
: "${SW_SOURCE_DIR:?}"
declare -A allowed=(
	[util]=""
	[net]="util"
	[model]="util"
	[image]="util net"
	[inventory]="util model image"
	[version]="util model"
	[vulndb]="util net model"
	[match]="util model inventory version vulndb"
	[checks]="util model image inventory match"
	[secrets]="util model inventory"
	[malware]="util model inventory"
	[policy]="util model inventory version vulndb match checks"
	[engine]="util net"
	[scan]="util model net engine image inventory match vulndb checks secrets malware policy"
	[report]="util model inventory match checks policy"
	[store]="util model inventory match checks policy scan"
	[client]="util net model inventory match store"
	[k8s]="util net model image inventory match checks policy scan"
	[server]="util model net engine image inventory version vulndb match checks secrets malware policy scan report store client"
	[cmd]="util model net engine image inventory version vulndb match checks secrets malware policy scan report store server client k8s"
)
fails=0
for dir in "$SW_SOURCE_DIR"/src/*/; do
	stage=$(basename "$dir")
	if [ -z "${allowed[$stage]+x}" ]; then
		echo "FAIL - src/$stage/ is not a known stage (add it to this test and docs/architecture.md)"
		fails=$((fails + 1)); continue
	fi
	while IFS=: read -r file inc; do
		dep=${inc%%/*}
		[ "$dep" = "$stage" ] && continue
		case " ${allowed[$stage]} " in
		*" $dep "*) ;;
		*) echo "FAIL - ${file#$SW_SOURCE_DIR/} includes $inc: $stage/ may include only: ${allowed[$stage]:-nothing}"
		   fails=$((fails + 1)) ;;
		esac
	done < <(grep -rHoE '^#include "[a-z_]+/[^"]+"' "$dir" | sed 's/#include "//; s/"$//')
done
[ $fails -eq 0 ] || { echo "$fails include(s) against the graph"; exit 1; }
echo "ok - include graph one-way"
