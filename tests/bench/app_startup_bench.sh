#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# How long the desktop app takes to show its window, and how much CPU it uses while idle.
# Not a test (CI does not run it). Needs Xvfb and x11-utils (xwininfo).
#   tests/bench/app_startup_bench.sh [BINARY] [RUNS]
# For each run: a fresh Xvfb and a fresh XDG data folder, then the time from exec until the
# "Meshcraft" top-level window is mapped (polled every 5 ms), then 10 s of idle CPU time.
set -euo pipefail
binary=${1:-build/bin/meshcraft}
runs=${2:-5}
display=:$((90 + RANDOM % 9))
times=()
cpus=()
for run in $(seq "$runs"); do
    home=$(mktemp -d)
    Xvfb "$display" -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
    xvfb=$!
    for _ in $(seq 100); do xwininfo -display "$display" -root >/dev/null 2>&1 && break; sleep 0.05; done
    start=$(date +%s%N)
    DISPLAY=$display XDG_DATA_HOME=$home/data XDG_CONFIG_HOME=$home/config HOME=$home \
        "$binary" >/dev/null 2>&1 &
    app=$!
    shown=""
    for _ in $(seq 2000); do
        if xwininfo -display "$display" -root -tree 2>/dev/null | grep -q '"Meshcraft'; then
            shown=$(date +%s%N)
            break
        fi
        sleep 0.005
    done
    if [ -z "$shown" ]; then
        echo "run $run: the window never appeared" >&2
    else
        times+=($(( (shown - start) / 1000000 )))
        sleep 3 # let the lab open and settle
        ticks=$(awk '{print $14 + $15}' "/proc/$app/stat")
        sleep 10
        ticks2=$(awk '{print $14 + $15}' "/proc/$app/stat")
        hz=$(getconf CLK_TCK)
        cpus+=("$(awk -v a="$ticks" -v b="$ticks2" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz / 10 * 100 }')")
    fi
    kill "$app" 2>/dev/null || true
    wait "$app" 2>/dev/null || true
    kill "$xvfb" 2>/dev/null || true
    wait "$xvfb" 2>/dev/null || true
    rm -rf "$home"
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo "window shown (ms), ${#times[@]} runs: ${times[*]}; median $(median "${times[@]}") ms"
echo "idle CPU over 10 s (% of one core): ${cpus[*]}; median $(median "${cpus[@]}") %"
