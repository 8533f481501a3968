#!/usr/bin/env bash
# Proves the README's first command the way a clerk's machine meets it: the wheel (not an editable
# install, which once hid a wheel without its resources for a whole release), installed into a
# fresh virtual environment, passes --self-test and opens the demo desk. Issue #8.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 -m pip wheel --quiet --no-deps -w "$work/dist" .
wheel="$(ls "$work"/dist/xianghe_desk-*.whl)"
# The listing is read whole first: `grep -q` stops reading at its first match, and under pipefail
# the lister's broken pipe then reads as a missing file.
listing="$(python3 -m zipfile -l "$wheel")"
for needed in xianghe_desk/resources/fonts/wqy-microhei.ttc xianghe_desk/resources/data/xianghe_divisions.csv; do
    grep -q "$needed" <<<"$listing" || { echo "wheel lacks $needed" >&2; exit 1; }
done
echo "wheel carries its resources: $(basename "$wheel")"

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet "$wheel"
# A clean home: no data folder, no settings, no demo yet, as on a new PC. Run outside the checkout
# so that nothing can be imported from the source tree.
export HOME="$work/home" XDG_DATA_HOME="" XDG_STATE_HOME="" XDG_CONFIG_HOME="" QT_QPA_PLATFORM=offscreen
# The demo's administrator (README); the desk signs in from these as a command does.
export XIANGHE_USER=admin XIANGHE_PASSWORD=xianghe-demo
mkdir -p "$HOME"
cd "$work"
"$work/venv/bin/xianghe-desk" --self-test

# The first start builds the county demo, then shows the window; wait for the log line that says
# so, keep it open a few seconds, then close it.
log="$HOME/.local/state/xianghe-desk/log/xianghe-desk.log"
"$work/venv/bin/xianghe-desk" --demo >"$work/desk.out" 2>&1 &
desk=$!
for _ in $(seq 1 240); do
    if grep -q "desk window shown" "$log" 2>/dev/null; then break; fi
    if ! kill -0 "$desk" 2>/dev/null; then
        echo "the desk ended before its window was shown:" >&2; cat "$work/desk.out" "$log" >&2 || true; exit 1
    fi
    sleep 0.5
done
grep -q "desk window shown" "$log" || { echo "no window after 120 s" >&2; cat "$work/desk.out" >&2; exit 1; }
sleep 5
kill -0 "$desk" || { echo "the desk died after opening" >&2; cat "$work/desk.out" "$log" >&2; exit 1; }
kill "$desk"; wait "$desk" || true
if grep -E " (ERROR|CRITICAL) " "$log"; then echo "the desk logged errors" >&2; exit 1; fi
echo "wheel check passed: self-test and demo desk from a fresh virtual environment"
