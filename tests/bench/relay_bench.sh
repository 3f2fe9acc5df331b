#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Relay benchmark (issue 3, "Performance"); not run by CI (D20).
#
# The same redis-benchmark load, on loopback, against:
#   direct   redis-server itself
#   mc1      one Meshcraft hop: busybox's sidecar, entered through the tunnel (no extra hop)
#   mc2      two Meshcraft hops: the sidecar, then the egress gateway (step 11's route)
#   hap1     HAProxy 2.6, TCP mode, nbthread 1, one proxy
#   hap2     HAProxy 2.6, two proxies chained inside the same single-threaded process
# Pinning: redis-server and redis-benchmark share CPU 0; the relay (Meshcraft or HAProxy) gets
# CPU 1, so both relays get the same share of the machine.
# Targets are run in alternating order for ROUNDS rounds; medians and ratios are printed as a
# Markdown table, followed by the idle-connection memory and the swap-visibility measurements.
#
# Usage: tests/bench/relay_bench.sh [BUILD_DIR]   (default: build-relay; needs
#        meshcraft_relay_bench built there, redis-tools and haproxy installed)
# Environment: ROUNDS (3), N (requests per run, 200000), IDLE (8000 connections),
#   RELAY_CPU (1; 0 puts the relay on the client's and server's CPU: no cross-CPU wake-ups),
#   MODES ("c50 c50_P16 c50_k0 c1"), SKIP_EXTRAS (1: no idle-memory and swap measurements).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build-relay}
bench=$build/bin/meshcraft_relay_bench
rounds=${ROUNDS:-3}
n=${N:-200000}
idle=${IDLE:-8000}
relay_cpu=${RELAY_CPU:-1}
read -r -a modes <<<"${MODES:-c50 c50_P16 c50_k0 c1}"
work=$(mktemp -d)
pids=()

cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

[ -x "$bench" ] || { echo "build meshcraft_relay_bench first (cmake --build $build --target meshcraft_relay_bench)" >&2; exit 1; }
command -v redis-benchmark >/dev/null || { echo "install redis-tools" >&2; exit 1; }
command -v haproxy >/dev/null || { echo "install haproxy" >&2; exit 1; }

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port() { # wait until something accepts on 127.0.0.1:$1
    for _ in $(seq 1 200); do
        (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
        sleep 0.05
    done
    echo "nothing listens on $1" >&2
    exit 1
}

# redis-server: Debian 12 ships it as redis-check-rdb, a server when argv[0] is redis-server (D22).
# One instance per target: with a new connection per request (-k 0) every target leaves thousands
# of TIME_WAIT sockets towards its server, and sharing one server port would make each target
# pay for the previous one's in connect()'s port search.
start_redis() { # sets redis_port
    redis_port=$(free_port)
    [ "$redis_port" != 6379 ] || redis_port=$(free_port)
    (exec -a redis-server /usr/bin/redis-check-rdb --port "$redis_port" --bind 127.0.0.1 \
        --save "" --appendonly no --protected-mode yes --maxclients 10000 \
        --logfile "$work/redis-$redis_port.log") &
    pids+=($!)
    taskset -pc 0 "${pids[-1]}" >/dev/null
    wait_port "$redis_port"
}
start_redis
redis_direct=$redis_port

start_mc() { # $1 = hops; sets mc_port and mc_pid
    start_redis
    local out=$work/mc$1.out
    taskset -c "$relay_cpu" "$bench" serve --redis-port "$redis_port" --hops "$1" >"$out" 2>"$work/mc$1.err" &
    mc_pid=$!
    pids+=($mc_pid)
    for _ in $(seq 1 200); do
        grep -q '^PORT ' "$out" 2>/dev/null && break
        sleep 0.05
    done
    mc_port=$(awk '/^PORT /{print $2}' "$out")
}

start_mc 1
mc1_port=$mc_port
mc1_pid=$mc_pid
start_mc 2
mc2_port=$mc_port
mc2_pid=$mc_pid

start_redis
redis_hap1=$redis_port
start_redis
redis_hap2=$redis_port
hap1_port=$(free_port)
hap2_hop_port=$(free_port)
hap2_port=$(free_port)
cat >"$work/haproxy.cfg" <<CFG
global
    nbthread 1
    maxconn 9000
defaults
    mode tcp
    timeout connect 10s
    timeout client 1h
    timeout server 1h
frontend one_hop
    bind 127.0.0.1:$hap1_port
    default_backend redis
backend redis
    server redis 127.0.0.1:$redis_hap1
frontend two_hops
    bind 127.0.0.1:$hap2_port
    default_backend second_hop
backend second_hop
    server hop 127.0.0.1:$hap2_hop_port
frontend second_hop
    bind 127.0.0.1:$hap2_hop_port
    default_backend redis2
backend redis2
    server redis 127.0.0.1:$redis_hap2
CFG
taskset -c "$relay_cpu" haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
pids+=($!)
hap_pid=$!
wait_port "$hap1_port"
wait_port "$hap2_port"
wait_port "$hap2_hop_port"

declare -A port=([direct]=$redis_direct [mc1]=$mc1_port [hap1]=$hap1_port [mc2]=$mc2_port [hap2]=$hap2_port)
declare -A relay_pid=([direct]=0 [mc1]=$mc1_pid [hap1]=$hap_pid [mc2]=$mc2_pid [hap2]=$hap_pid)
cpu_ticks() { # user+system clock ticks of a process (0 for none)
    [ "$1" = 0 ] && { echo 0; return; }
    awk '{print $14 + $15}' "/proc/$1/stat"
}
hz=$(getconf CLK_TCK)
targets=(direct mc1 hap1 mc2 hap2)

# One run: prints "rps p50_ms p99_ms" of the GET test.
run() { # $1 = port, rest = redis-benchmark options
    local p=$1
    shift
    taskset -c 0 redis-benchmark -h 127.0.0.1 -p "$p" -t get --csv "$@" 2>/dev/null |
        awk -F'","' '/^"GET/ {gsub(/"/, "", $0); split($0, f, ","); print f[2], f[5], f[7]}'
}

declare -A results
mode_args() {
    case $1 in
    c50) echo "-c 50 -n $n" ;;
    c50_P16) echo "-c 50 -P 16 -n $((n * 5))" ;;
    c50_k0) echo "-c 50 -k 0 -n $((n / 10))" ;;
    c1) echo "-c 1 -n $((n / 10))" ;;
    esac
}

for round in $(seq 1 "$rounds"); do
    # Alternate the order each round so drift (thermal, page cache) spreads evenly.
    order=("${targets[@]}")
    if [ $((round % 2)) -eq 0 ]; then
        order=(hap2 mc2 hap1 mc1 direct)
    fi
    for mode in "${modes[@]}"; do
        for t in "${order[@]}"; do
            requests=$(mode_args "$mode" | awk '{print $NF}')
            c0=$(cpu_ticks "${relay_pid[$t]}")
            # shellcheck disable=SC2046
            r=$(run "${port[$t]}" $(mode_args "$mode"))
            c1=$(cpu_ticks "${relay_pid[$t]}")
            # The relay's CPU per request, in microseconds (the stretch goal is <= 10 per hop).
            cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v n="$requests" 'BEGIN {printf "%.2f", (b-a)/hz*1e6/n}')
            results[$t,$mode]+="$r $cpu;"
            echo "round $round $mode $t: $r cpu_us/req $cpu" >&2
        done
    done
done

median() { # stdin: numbers, one per line
    sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'
}
col() { # $1 = key, $2 = field (1 rps, 2 p50, 3 p99, 4 relay CPU us per request)
    tr ';' '\n' <<<"${results[$1]}" | awk -v f="$2" 'NF {print $f}' | median
}

echo
echo "| measure | direct | Meshcraft 1 hop | HAProxy 1 hop | Meshcraft 2 hops | HAProxy 2 hops | mc1/hap1 | mc2/direct | hap2/direct |"
echo "|---|---|---|---|---|---|---|---|---|"
for mode in "${modes[@]}"; do
    d=$(col "direct,$mode" 1); m1=$(col "mc1,$mode" 1); h1=$(col "hap1,$mode" 1)
    m2=$(col "mc2,$mode" 1); h2=$(col "hap2,$mode" 1)
    awk -v mode="$mode" -v d="$d" -v m1="$m1" -v h1="$h1" -v m2="$m2" -v h2="$h2" 'BEGIN {
        printf "| GET rps, %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.2f | %.2f | %.2f |\n",
            mode, d, m1, h1, m2, h2, m1/h1, m2/d, h2/d }'
done
for mode in "${modes[@]}"; do
    [ "$mode" = c1 ] && continue
    m1=$(col "mc1,$mode" 4); h1=$(col "hap1,$mode" 4); m2=$(col "mc2,$mode" 4); h2=$(col "hap2,$mode" 4)
    echo "| relay CPU us/request, $mode | | $m1 | $h1 | $m2 | $h2 | | | |"
done
[[ " ${modes[*]} " == *" c1 "* ]] && for f in 2 3; do
    name=$([ "$f" = 2 ] && echo p50 || echo p99)
    d=$(col "direct,c1" $f); m1=$(col "mc1,c1" $f); h1=$(col "hap1,c1" $f)
    m2=$(col "mc2,c1" $f); h2=$(col "hap2,c1" $f)
    awk -v name="$name" -v d="$d" -v m1="$m1" -v h1="$h1" -v m2="$m2" -v h2="$h2" 'BEGIN {
        printf "| GET %s ms, 1 client | %.3f | %.3f (+%.0f us) | %.3f (+%.0f us) | %.3f (+%.0f us/hop) | %.3f (+%.0f us/hop) | | | |\n",
            name, d, m1, (m1-d)*1000, h1, (h1-d)*1000, m2, (m2-d)*500, h2, (h2-d)*500 }'
done

[ "${SKIP_EXTRAS:-0}" = 1 ] && exit 0

# Held idle connections through one hop: relay RSS growth per connection.
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
before=$(rss_kb "$mc1_pid")
"$bench" hold --port "$mc1_port" --count "$idle" >"$work/hold.out" 2>"$work/hold.err" &
hold_pid=$!
pids+=($hold_pid)
for _ in $(seq 1 1200); do
    grep -q '^HELD' "$work/hold.out" 2>/dev/null && break
    if ! kill -0 "$hold_pid" 2>/dev/null; then cat "$work/hold.err" >&2; break; fi
    sleep 0.1
done
after=$(rss_kb "$mc1_pid")
echo
if grep -q '^HELD' "$work/hold.out"; then
    awk -v b="$before" -v a="$after" -v n="$idle" 'BEGIN {
        printf "idle: %d connections held through one hop; relay RSS %d KB -> %d KB: %.2f KB per connection\n",
            n, b, a, (a-b)/n }'
else
    echo "idle: holding $idle connections failed"
fi
kill "$hold_pid" 2>/dev/null || true

# Policy push visibility and a 1,000-ServiceEntry swap.
taskset -c "$relay_cpu" "$bench" swap --redis-port "$redis_direct" --rounds 200 --service-entries 1000
