#!/bin/bash
# sarif-validate.sh FILE... - validate SARIF files with Microsoft's SARIF
# Multitool (`validate`: the SARIF 2.1.0 schema plus its SARIF1xxx/SARIF2xxx
# rules, as GitHub's and Azure DevOps' readers expect them).  Prints every
# finding and exits 1 when any file has an error or a warning (the Multitool
# itself exits 0 then), 2 when the Multitool is missing or cannot run.
# scripts/setup-deps.sh installs it into /opt/stowaway-tools/sarif-multitool;
# SARIF_MULTITOOL=/path/to/Sarif.Multitool overrides.
set -u
MT=${SARIF_MULTITOOL:-/opt/stowaway-tools/sarif-multitool/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool}
if [ ! -x "$MT" ]; then
	echo "sarif-validate: no SARIF Multitool at $MT: run scripts/setup-deps.sh" >&2
	exit 2
fi
[ $# -gt 0 ] || { echo "usage: sarif-validate.sh FILE..." >&2; exit 2; }
# no ICU needed; no telemetry
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
rc=0
for f in "$@"; do
	if ! "$MT" validate --output "$d/log.sarif" "$f" > "$d/out.txt" 2>&1 || [ ! -s "$d/log.sarif" ]; then
		echo "sarif-validate: the Multitool failed on $f:" >&2
		cat "$d/out.txt" >&2
		exit 2
	fi
	python3 - "$f" "$d/log.sarif" <<'PY' || rc=1
import json, sys
f, log = sys.argv[1], json.load(open(sys.argv[2]))
bad = 0
for run in log.get("runs", []):
    inv = (run.get("invocations") or [{}])[0]
    if inv.get("executionSuccessful") is False:
        print("%s: the Multitool did not finish" % f); bad += 1
    for n in inv.get("toolExecutionNotifications", []) or []:
        if n.get("level", "warning") in ("error", "warning"):
            print("%s: tool notification: %s" % (f, n.get("message", {}).get("text", "")[:300])); bad += 1
    for r in run.get("results", []) or []:
        level = r.get("level", "warning")   # SARIF 3.27.10: absent level is "warning"
        if level in ("error", "warning"):
            loc = ""
            try:
                reg = r["locations"][0]["physicalLocation"]["region"]
                loc = "(%s,%s)" % (reg.get("startLine"), reg.get("startColumn"))
            except (KeyError, IndexError):
                pass
            m = r.get("message", {})
            text = m.get("text") or "%s %s" % (m.get("id", ""), " ".join(map(str, m.get("arguments", []))))
            line = "%s%s: %s %s: %s" % (f, loc, level, r.get("ruleId"), text[:300])
            print("".join(c if c.isprintable() else "?" for c in line))   # the SARIF may be hostile
            bad += 1
sys.exit(1 if bad else 0)
PY
	rm -f "$d/log.sarif"
done
exit $rc
