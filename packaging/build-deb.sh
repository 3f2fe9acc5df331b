#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds Meshcraft's .deb (the `release` preset, then CPack) and tests it without installing it
# on this machine, which CI reuses: the package is unpacked with `dpkg-deb -x` into a temporary
# root, and the binary there must run from / with a bare environment, finding its labs and
# schemas next to itself. Then lintian, desktop-file-validate and appstreamcli judge it.
#   packaging/build-deb.sh   prints the .deb's path last; exits non-zero on any failure
# Needs (Debian): dpkg-dev (dpkg-shlibdeps), lintian, desktop-file-utils, appstream, redis-tools.
set -euo pipefail
cd "$(dirname "$0")/.."
source_dir=$PWD
start=$(date +%s)
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

step() { echo "== build-deb: $*"; }
fail() {
    echo "build-deb: FAILED: $*" >&2
    exit 1
}

# The release build compiles with the ci preset's flags (RelWithDebInfo, warnings as errors), so
# after the test build its objects come from ccache. Linking is not cached: relro and bindnow
# harden the binary for free.
step "configure and build (preset release)"
cmake --preset release -DCMAKE_CXX_FLAGS= -DCMAKE_COMPILE_WARNING_AS_ERROR=ON \
    -DCMAKE_EXE_LINKER_FLAGS="-Wl,-z,relro -Wl,-z,now" >/dev/null
cmake --build --preset release -j "$(nproc)"
build_dir=$source_dir/build-release
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build_dir/CMakeCache.txt")
[ -n "$version" ] || fail "no project version in $build_dir/CMakeCache.txt"

step "cpack"
rm -rf "$build_dir/packages"
cpack --config "$build_dir/CPackConfig.cmake" -B "$build_dir/packages" >/dev/null
deb=$(find "$build_dir/packages" -maxdepth 1 -name "meshcraft_${version}_*.deb" | head -n 1)
[ -n "$deb" ] || fail "cpack made no meshcraft_${version}_*.deb in $build_dir/packages"
dpkg-deb --info "$deb" | sed -n '/Package:/,$p'

step "control fields"
depends=$(dpkg-deb --field "$deb" Depends)
echo "Depends: $depends"
# D22: the server binary comes from redis-tools; the redis-server package would start a system
# Redis on port 6379.
grep -Eq '(^|, )redis-tools($|[ ,])' <<<"$depends" || fail "Depends lacks redis-tools"
if grep -Eq '(^|[ ,|])redis-server($|[ (,|])' <<<"$depends"; then
    fail "Depends names redis-server (D22: it starts a system Redis)"
fi
grep -Eq '(^|, )libqt6widgets6' <<<"$depends" || fail "Depends lacks the computed Qt libraries"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# What apt would install on a machine with no packages at all: a simulation against an empty
# dpkg status, so it changes nothing here. Every dependency must resolve from the archive, and
# none of them (Recommends included) may bring the redis-server package.
step "apt-get --simulate install on an empty system"
: >"$tmp/empty-status"
apt-get --simulate -o Dir::State::status="$tmp/empty-status" install "$deb" \
    >"$tmp/apt.txt" 2>&1 || {
    cat "$tmp/apt.txt" >&2
    fail "apt cannot resolve the package's dependencies (are the apt lists there? apt-get update)"
}
grep -q '^Inst meshcraft ' "$tmp/apt.txt" || fail "apt would not install meshcraft"
if grep -q '^Inst redis-server ' "$tmp/apt.txt"; then
    fail "installing meshcraft would bring the redis-server package (D22)"
fi
echo "apt would install $(grep -c '^Inst ' "$tmp/apt.txt") packages on an empty system"

root=$tmp/root
step "unpack into $root"
dpkg-deb -x "$deb" "$root"
app_id=io.github.meshcraft.Meshcraft
for path in usr/bin/meshcraft \
    usr/share/meshcraft/labs/egress-gateway/lab.yaml \
    usr/share/meshcraft/schemas/istio-crd-all.gen.yaml \
    usr/share/meshcraft/schemas/lab.schema.json \
    usr/share/meshcraft/helm/istio-1.3.0/values.yaml \
    usr/share/applications/$app_id.desktop \
    usr/share/metainfo/$app_id.metainfo.xml \
    usr/share/icons/hicolor/scalable/apps/meshcraft.svg \
    usr/share/icons/hicolor/48x48/apps/meshcraft.png \
    usr/share/man/man1/meshcraft.1.gz \
    usr/share/doc/meshcraft/copyright \
    usr/share/doc/meshcraft/changelog.gz; do
    [ -e "$root/$path" ] || fail "the package has no /$path"
done

step "run the unpacked binary from / with a bare environment"
mkdir -p "$tmp/home"
run_unpacked() {
    (cd / && env -i PATH=/usr/bin:/bin HOME="$tmp/home" "$root/usr/bin/meshcraft" "$@")
}
got=$(run_unpacked --version) || fail "meshcraft --version exited $?"
[ "$got" = "meshcraft $version" ] || fail "meshcraft --version printed '$got'"
echo "$got"
run_unpacked lab list | tee "$tmp/labs.txt"
grep -q '^egress-gateway' "$tmp/labs.txt" || fail "lab list does not show egress-gateway"
run_unpacked lab run egress-gateway >"$tmp/lab-run.txt" 2>&1 || {
    tail -n 40 "$tmp/lab-run.txt" >&2
    fail "meshcraft lab run egress-gateway failed"
}
tail -n 3 "$tmp/lab-run.txt"
[ ! -e "$tmp/home/.local" ] || fail "lab run wrote under HOME (it saves no progress)"
# The binary must not know where it was built: no path into the source or build tree.
if grep -aq -e "$source_dir/" -e "$build_dir/" "$root/usr/bin/meshcraft"; then
    fail "usr/bin/meshcraft names a path under $source_dir"
fi

step "desktop-file-validate"
desktop-file-validate "$root/usr/share/applications/$app_id.desktop" ||
    fail "desktop-file-validate"
step "appstreamcli validate --no-net"
appstreamcli validate --no-net "$root/usr/share/metainfo/$app_id.metainfo.xml" ||
    fail "appstreamcli validate"
appstreamcli validate-tree --no-net "$root" || fail "appstreamcli validate-tree"
step "lintian"
lintian --display-info --fail-on error "$deb" || fail "lintian reports errors"

echo "build-deb: passed in $(($(date +%s) - start)) s"
echo "$deb"
