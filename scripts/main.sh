#!/bin/sh
# Install what is needed, build, and run the main job on this machine:
# an SBOM of a real image.  IMAGE may be given as the first argument
# (any reference `stowaway sbom` takes); the default is this machine's
# own root filesystem, dir:/.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
image=${1:-dir:/}
echo "== stowaway sbom $image" >&2
./build/stowaway sbom "$image"
