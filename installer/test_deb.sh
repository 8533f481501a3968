#!/usr/bin/env bash
# Tests the .deb from installer/build_deb.sh the way a clerk's PC meets it, without installing it:
#   1. the package's fields and files (launcher, menu entry, icons in every hicolor size);
#   2. every library a bundled file links to is either in the bundle or comes from a package
#      named in Depends (ldd and dpkg -S on this machine), and ldd finds all of them;
#   3. the unpacked launcher passes --self-test offscreen, with a clean home;
#   4. the unpacked launcher opens the demo desk offscreen (first start builds the demo), stays
#      up for a few seconds and logs no error.
#
#   bash installer/test_deb.sh [dist/xianghe-desk_VERSION_ARCH.deb]
set -euo pipefail
cd "$(dirname "$0")/.."

arch="$(dpkg --print-architecture)"
deb="${1:-$(ls -t dist/xianghe-desk_*_"$arch".deb 2>/dev/null | head -1)}"
[[ -f "$deb" ]] || { echo "test_deb.sh: no .deb; run installer/build_deb.sh" >&2; exit 1; }
work="$(mktemp -d)"
desk=""
cleanup() {
    [[ -n "$desk" ]] && kill "$desk" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "test_deb.sh: FAILED: $*" >&2; exit 1; }
started=$(date +%s)

# --- 1. fields and files -------------------------------------------------------------------------
[[ "$(dpkg-deb --field "$deb" Package)" == xianghe-desk ]] || fail "Package field"
[[ "$(dpkg-deb --field "$deb" Architecture)" == "$arch" ]] || fail "Architecture field"
depends="$(dpkg-deb --field "$deb" Depends)"
for needed in libc6 libxcb-cursor0 libegl1 libxkbcommon-x11-0 fontconfig libfontconfig1; do
    grep -qE "(^|, |\| )$needed( |,|$)" <<<"$depends" || fail "Depends lacks $needed"
done
root="$work/root"
dpkg-deb -x "$deb" "$root"
for f in opt/xianghe-desk/xianghe-desk usr/bin/xianghe-desk; do
    [[ -x "$root/$f" ]] || fail "/$f missing or not executable"
done
desktop="$root/usr/share/applications/xianghe-desk.desktop"
[[ -f "$desktop" ]] || fail "no menu entry"
grep -qx "Icon=xianghe-desk" "$desktop" && grep -qx "Categories=Office;" "$desktop" &&
    grep -q "^Name\[zh_CN\]=" "$desktop" || fail "menu entry lacks Name[zh_CN], Icon or Categories"
if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$desktop"; fi
for size in 16 24 32 48 64 128 256; do
    [[ -f "$root/usr/share/icons/hicolor/${size}x${size}/apps/xianghe-desk.png" ]] || fail "no ${size}px icon"
done
wrong="$(find "$root" ! -user root -o -perm -o+w ! -type l)"
[[ -z "$wrong" ]] || fail "not owned by root or writable by others: $wrong"
echo "test_deb.sh: package fields, launcher, menu entry and icons are in place"

# --- 2. libraries --------------------------------------------------------------------------------
bundle="$root/opt/xianghe-desk"
declare -A in_bundle=()
while IFS= read -r -d '' f; do in_bundle["$(basename "$f")"]=1; done < <(find "$bundle" -print0)
declare -A allowed=([libc6]=1)
IFS=',' read -ra entries <<<"$depends"
for entry in "${entries[@]}"; do
    for alternative in ${entry//|/ }; do
        [[ "$alternative" =~ ^[a-z0-9][a-z0-9.+-]+$ ]] && allowed["$alternative"]=1
    done
done
ldconfig -p >"$work/ldconfig.txt"
declare -A from_system=()
missing=()
while IFS= read -r -d '' f; do
    [[ "$(head -c 4 "$f" | tr -d '\0')" == $'\x7fELF' ]] || continue
    while read -r lib; do
        [[ -n "${in_bundle[$lib]:-}" ]] && continue
        path="$(awk -v l="$lib" '$1 == l {print $NF; exit}' "$work/ldconfig.txt")"
        [[ -n "$path" ]] || { missing+=("$lib (for ${f#"$bundle"/})"); continue; }
        real="$(readlink -f "$path")"
        package="$(dpkg -S "$real" 2>/dev/null || dpkg -S "${real#/usr}" 2>/dev/null ||
            dpkg -S "/usr$real" 2>/dev/null || true)"
        package="${package%%:*}"
        [[ -n "${allowed[$package]:-}" ]] || missing+=("$lib from ${package:-no package} (for ${f#"$bundle"/})")
        from_system["$package"]=1
    done < <(readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
done < <(find "$bundle" -type f -print0)
((${#missing[@]} == 0)) || fail "libraries neither bundled nor in Depends: ${missing[*]}"
not_found="$(find "$bundle" -type f \( -name '*.so*' -o -name xianghe-desk \) -exec \
    env LD_LIBRARY_PATH="$bundle/_internal" ldd {} + 2>/dev/null | grep "not found" || true)"
[[ -z "$not_found" ]] || fail "ldd cannot resolve: $not_found"
echo "test_deb.sh: every linked library is bundled or comes from Depends" \
    "(system packages used: $(printf '%s\n' "${!from_system[@]}" | sort | tr '\n' ' '))"

# --- 3. self-test ---------------------------------------------------------------------------------
home="$work/home"
mkdir -p "$home"
cd "$work"  # nothing importable from the checkout
# The launcher in a clean environment, as a clerk's session starts it.
clean=(env -i PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen)
"${clean[@]}" "$root/usr/bin/xianghe-desk" --self-test | tee "$work/self-test.txt"
grep -q "\[通过\] 打印预览组件" "$work/self-test.txt" || fail "no print preview (QtPdf) in the package"

# --- 4. the demo desk -----------------------------------------------------------------------------
log="$home/.local/state/xianghe-desk/log/xianghe-desk.log"
# The demo's administrator (services/accounts.py, README) signs in from the environment, as in
# .ci/wheel_check.sh: no sign-in dialog waits for a hand offscreen.
"${clean[@]}" XIANGHE_USER=admin XIANGHE_PASSWORD=xianghe-demo "$root/usr/bin/xianghe-desk" --demo \
    >"$work/desk.out" 2>&1 &
desk=$!
for _ in $(seq 1 360); do
    grep -q "desk window shown" "$log" 2>/dev/null && break
    kill -0 "$desk" 2>/dev/null || { cat "$work/desk.out" "$log" >&2 || true; fail "the desk ended before its window was shown"; }
    sleep 0.5
done
grep -q "desk window shown" "$log" 2>/dev/null || { cat "$work/desk.out" >&2; fail "no window after 180 s"; }
sleep 5
kill -0 "$desk" 2>/dev/null || { cat "$work/desk.out" "$log" >&2; fail "the desk died after opening"; }
kill "$desk"
wait "$desk" 2>/dev/null || true
desk=""
if grep -E " (ERROR|CRITICAL) |Traceback" "$log" "$work/desk.out"; then fail "the desk logged errors"; fi
echo "test_deb.sh: $(basename "$deb") passed: self-test and demo desk from the unpacked package," \
    "in $(($(date +%s) - started)) s"
