#!/bin/sh
# Install the Debian 12 packages stowaway needs to build, test and fuzz.
# Idempotent: re-running installs nothing new.  Run as root.
set -eu
BUILD="build-essential cmake pkg-config clang libclang-rt-dev \
  libarchive-dev zlib1g-dev libzstd-dev libisal-dev libssl-dev libsqlite3-dev \
  libjansson-dev libyaml-dev libcurl4-openssl-dev libcmocka-dev xz-utils \
  nettle-dev liblzma-dev libbz2-dev libhyperscan-dev libpcre2-dev libclamav-dev \
  libmicrohttpd-dev libpq-dev libxml2-dev"
TEST="python3 python3-jsonschema python3-packaging python3-rpm python3-apt python3-yaml rpm dpkg \
  valgrind zstd gzip bzip2 tar docker-registry skopeo apache2-utils sqlite3 binutils \
  clamav-testfiles postgresql-15 curl openssl chromium chromium-driver python3-selenium python3-html5lib \
  podman"
missing=""
for p in $BUILD $TEST; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup-deps: installing:$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# Node.js, npm and node-semver 7.8.6 (the differential version tests' npm
# reference, docs/versions.md; Debian's node-semver is 7.3.5, whose parser
# differs) installed once into a fixed folder: nothing is downloaded at test
# time.  A machine that already has node and npm (e.g. another vendor's build,
# which conflicts with Debian's npm) keeps them.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "setup-deps: installing: nodejs npm" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
SEMVER_DIR=/usr/local/lib/stowaway-test
if [ "$(node -p "require('$SEMVER_DIR/node_modules/semver/package.json').version" 2>/dev/null)" != 7.8.6 ]; then
  echo "setup-deps: installing: node-semver 7.8.6 into $SEMVER_DIR" >&2
  mkdir -p "$SEMVER_DIR"
  npm install --no-package-lock --no-save --no-audit --no-fund --prefix "$SEMVER_DIR" semver@7.8.6 >/dev/null
fi
# Microsoft's SARIF Multitool (tests/tools/sarif-validate.sh runs its
# `validate` on every SARIF the tests write): a self-contained .NET binary in
# an npm package, installed into a fixed prefix, pinned.
SARIF_MT_VERSION=5.7.0
SARIF_MT_PREFIX=/opt/stowaway-tools/sarif-multitool
SARIF_MT_PKG=$SARIF_MT_PREFIX/node_modules/@microsoft/sarif-multitool-linux
if ! grep -q "\"version\": \"$SARIF_MT_VERSION\"" "$SARIF_MT_PKG/package.json" 2>/dev/null; then
  echo "setup-deps: installing: @microsoft/sarif-multitool-linux@$SARIF_MT_VERSION (npm) into $SARIF_MT_PREFIX" >&2
  mkdir -p "$SARIF_MT_PREFIX"
  npm install --prefix "$SARIF_MT_PREFIX" --no-audit --no-fund --ignore-scripts --silent \
    "@microsoft/sarif-multitool-linux@$SARIF_MT_VERSION"
fi
chmod 755 "$SARIF_MT_PKG/Sarif.Multitool"
