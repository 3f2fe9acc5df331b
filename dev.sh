#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Meshcraft's quick start. On a fresh Debian 12 machine (as root, or with sudo) it installs the
# Debian packages that are missing, configures and builds (the `ci` preset, into build/), then:
#   ./dev.sh start [ARGS...]  runs build/bin/meshcraft (the app; extra ARGS go to it)
#   ./dev.sh test             runs the whole test suite through ctest
set -euo pipefail
cd "$(dirname "$0")"

packages=(
    build-essential cmake ninja-build ccache pkg-config
    qt6-base-dev libqscintilla2-qt6-dev libgl-dev
    libyaml-cpp-dev libhiredis-dev libasio-dev libexpected-dev libfmt-dev
    redis-tools xvfb xauth
    dpkg-dev lintian desktop-file-utils appstream
)

install_missing() {
    local missing=()
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "Installing missing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# ccache keys on paths relative to the checkout, so a fresh clone elsewhere (as CI makes) still
# hits the cache that earlier builds filled.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

build() {
    local preset=$1
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset" -j "$(nproc)"
}

command=${1:-start}
[ $# -gt 0 ] && shift
case "$command" in
start)
    install_missing
    build ci
    exec build/bin/meshcraft "$@"
    ;;
test)
    install_missing
    build ci
    ctest --preset ci -j "$(nproc)" "$@"
    ;;
*)
    echo "usage: ./dev.sh start|test" >&2
    exit 2
    ;;
esac
