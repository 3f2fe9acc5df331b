#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Smoke test: the desktop app opens a real window on Xvfb, paints it, answers a second launch
# (which exits 0 at once), and quits cleanly. Usage: smoke_xvfb.sh /path/to/meshcraft
set -eu

app=$1
command -v Xvfb >/dev/null || { echo "smoke: Xvfb is not installed (apt install xvfb)" >&2; exit 1; }

work=$(mktemp -d)
xvfb_pid=
app_pid=
cleanup() {
    [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
    [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

# A free display: Xvfb picks one and writes its number to fd 3.
Xvfb -displayfd 3 -screen 0 1366x768x24 -nolisten tcp 3>"$work/display" 2>"$work/xvfb.log" &
xvfb_pid=$!
i=0
while [ ! -s "$work/display" ]; do
    i=$((i + 1))
    [ $i -gt 100 ] && { echo "smoke: Xvfb did not start" >&2; cat "$work/xvfb.log" >&2; exit 1; }
    sleep 0.1
done
DISPLAY=:$(cat "$work/display")
export DISPLAY
unset QT_QPA_PLATFORM WAYLAND_DISPLAY

# A private home, settings, lab state and single-instance socket.
export HOME="$work/home" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
export XDG_RUNTIME_DIR="$work/run" TMPDIR="$work/tmp"
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR" "$TMPDIR"
chmod 700 "$XDG_RUNTIME_DIR"

MESHCRAFT_QUIT_AFTER_MS=6000 MESHCRAFT_REPORT_STARTUP=1 timeout 60 "$app" \
    >"$work/app.out" 2>"$work/app.err" &
app_pid=$!

# Wait for the first painted frame.
i=0
while ! grep -q "first frame" "$work/app.err" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 "$app_pid" 2>/dev/null; then
        echo "smoke: no window was painted" >&2; cat "$work/app.err" >&2; exit 1
    fi
    sleep 0.1
done
grep "first frame" "$work/app.err"

# A second launch hands over to the first and exits 0 at once.
if ! timeout 10 "$app" >"$work/second.out" 2>"$work/second.err"; then
    echo "smoke: the second launch did not exit 0" >&2; cat "$work/second.err" >&2; exit 1
fi
kill -0 "$app_pid" || { echo "smoke: the first instance died" >&2; exit 1; }

# The first quits by itself (MESHCRAFT_QUIT_AFTER_MS) and cleanly.
status=0
wait "$app_pid" || status=$?
app_pid=
if [ "$status" -ne 0 ]; then
    echo "smoke: the app exited with $status" >&2; cat "$work/app.err" >&2; exit 1
fi
if grep -Ei "segmentation|abort|QObject::|cannot connect|destroyed while" "$work/app.err"; then
    echo "smoke: warnings on exit" >&2; exit 1
fi
echo "smoke: ok"
