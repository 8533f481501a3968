#!/usr/bin/env bash
# Start-up time of the frozen desk (dist/xianghe-desk, from installer/build.sh) against
# `python3 -m xianghe_desk` from this checkout: the numbers in installer/README.md.
#
# Each start opens the county demo (built once beforehand) and is timed from exec to the log line
# "desk window shown" (signed in, main window shown); the median of RUNS warm starts is reported,
# after one start each that is not counted. Under Xvfb when it is installed (a real X11 window through
# the xcb plug-in), offscreen otherwise. Also `--version`, which loads Python and the command
# line but no Qt.
#
#   bash installer/measure_startup.sh          RUNS=11 PYTHON=python3.11 bash installer/measure_startup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-7}"
PYTHON="${PYTHON:-python3}"
FROZEN="$PWD/dist/xianghe-desk/xianghe-desk"
[[ -x "$FROZEN" ]] || { echo "measure_startup.sh: run installer/build.sh first" >&2; exit 1; }
work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
home="$work/home"
mkdir -p "$home"
log="$home/.local/state/xianghe-desk/log/xianghe-desk.log"

# Bytecode must be cached for `python -m` (PYTHONDONTWRITEBYTECODE=1 recompiles on every start),
# and no developer setting may leak in.
base=(env -u PYTHONDONTWRITEBYTECODE -u QT_QPA_PLATFORM HOME="$home" LANG=C.UTF-8
    XIANGHE_USER=admin XIANGHE_PASSWORD=xianghe-demo)
if command -v Xvfb >/dev/null; then
    display=$((200 + RANDOM % 500))
    Xvfb ":$display" -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
    pids+=($!)
    for _ in $(seq 1 100); do [[ -S "/tmp/.X11-unix/X$display" ]] && break; sleep 0.05; done
    base+=(DISPLAY=":$display")
    where="Xvfb (xcb)"
else
    base+=(QT_QPA_PLATFORM=offscreen)
    where="offscreen"
fi

"${base[@]}" "$FROZEN" demo --db "$work/demo.db" >/dev/null

now() { date +%s.%N; }

window_once() {  # prints seconds from exec to the main window
    rm -f "$log"
    local started pid
    started="$(now)"
    "${base[@]}" "$@" --db "$work/demo.db" >"$work/out.txt" 2>&1 &
    pid=$!
    until grep -q "desk window shown" "$log" 2>/dev/null; do
        kill -0 "$pid" 2>/dev/null || { cat "$work/out.txt" >&2; exit 1; }
        sleep 0.01
    done
    echo "$(now) - $started" | bc
    kill "$pid"
    wait "$pid" 2>/dev/null || true
}

version_once() {
    local started
    started="$(now)"
    "${base[@]}" "$@" --version >/dev/null
    echo "$(now) - $started" | bc
}

median() { sort -n | awk '{v[NR] = $1} END {printf "%.2f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

measure() {  # label, kind, command...
    local label="$1" kind="$2"
    shift 2
    "${kind}_once" "$@" >/dev/null  # warm-up: page cache, __pycache__
    local times
    times="$(for _ in $(seq 1 "$RUNS"); do "${kind}_once" "$@"; done)"
    printf '%-34s median %s s   (%s)\n' "$label" "$(median <<<"$times")" "$(awk '{printf "%s%.2f", (NR > 1 ? " " : ""), $1}' <<<"$times")"
}

echo "start-up, $RUNS warm starts each, $where, $(nproc) cores:"
measure "frozen: window shown" window "$FROZEN"
measure "python -m xianghe_desk: window" window "$PYTHON" -m xianghe_desk
measure "frozen: --version" version "$FROZEN"
measure "python -m xianghe_desk: --version" version "$PYTHON" -m xianghe_desk
