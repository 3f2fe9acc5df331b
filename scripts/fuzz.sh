#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the libFuzzer target with clang (address + undefined sanitizers) and runs it.
#   scripts/fuzz.sh [SECONDS]   default 600
# New inputs that grow coverage go to build-fuzz/corpus; crashes to tests/fuzz/findings/.
# Copy interesting new inputs into tests/fuzz/corpus/config so they replay as a test.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -g -O1"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
    -DMESHCRAFT_BUILD_APP=OFF -DMESHCRAFT_BUILD_TESTS=OFF -DMESHCRAFT_FUZZ=ON \
    -DCMAKE_CXX_FLAGS="$flags" >/dev/null
cmake --build build-fuzz --target fuzz_config -j "$(nproc)"
mkdir -p build-fuzz/corpus tests/fuzz/findings
export MESHCRAFT_DATA_DIR="$PWD/resources/data"
build-fuzz/bin/fuzz_config build-fuzz/corpus tests/fuzz/corpus/config \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix=tests/fuzz/findings/ -print_final_stats=1
