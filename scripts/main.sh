#!/bin/sh
# Install what is needed, build, build the vulnerability database, and run
# the main job: a vulnerability scan of a real image.
#
#   sh scripts/main.sh [IMAGE]
#
# IMAGE is any reference `stowaway scan` takes; the default is this
# machine's own root filesystem, dir:/.  The database is built from the
# official upstream sources; where they cannot be reached (no internet),
# from the public data in ../shared/data/vuln beside the project, and the
# update says so.  It lives in $XDG_CACHE_HOME/stowaway (SQLite).
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
offline=$(cd .. && pwd)/shared/data/vuln
echo "== stowaway db update" >&2
if [ -d "$offline" ]; then
  ./build/stowaway db update --retries 1 --connect-timeout 10 --offline-data "$offline"
else
  ./build/stowaway db update
fi
./build/stowaway db info >&2
image=${1:-dir:/}
echo "== stowaway scan $image" >&2
# exit 1 would mean a --fail-on gate; none is set here
./build/stowaway scan "$image"
