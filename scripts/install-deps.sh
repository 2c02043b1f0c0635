#!/bin/sh
# Install what Refettorio needs to build, test and run on Debian 12, and nothing when all is
# present: Debian packages with apt-get (as root, or through sudo), npm packages from the
# committed package-lock.json (npm ci).
set -eu
cd "$(dirname "$0")/.."

PACKAGES="gcc make pkg-config clang clang-format libclang-rt-14-dev gettext
libmicrohttpd-dev libsqlite3-dev sqlite3 libjansson-dev libsodium-dev libcurl4-openssl-dev
libcmocka-dev libqrencode-dev libdmtx-dev libcairo2-dev libpango1.0-dev fonts-dejavu-core
poppler-utils zbar-tools dmtx-utils
chromium nginx-light wrk ca-certificates"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
# Node.js and npm: any recent install will do (Debian's own packages when there is none).
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"

if [ -n "$missing" ]; then
    echo "install-deps: installing Debian packages:$missing"
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=""
    elif command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-deps: run as root or install sudo; missing:$missing" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -q --no-install-recommends $missing
fi

# npm packages: reinstall only when the lock file changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "install-deps: installing npm packages from package-lock.json"
    npm ci --no-audit --no-fund --loglevel=error
fi
