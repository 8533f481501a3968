#!/usr/bin/env bash
# The frozen one-folder desk: writes dist/xianghe-desk/ (installer/README.md).
#
# Works on a fresh Debian, UOS or Kylin machine with Python 3.11 (as root it installs what is
# missing with apt-get; as a user it names the packages). It makes its own build venv under
# build/venv, installs PyInstaller and this checkout into it (never into the developer's Python),
# runs installer/xianghe-desk.spec and checks the result: --version, and --self-test offscreen
# in a throw-away home, including the in-app print preview (QtPdf).
#
#   bash installer/build.sh            # incremental (PyInstaller's cache under build/)
#   CLEAN=1 bash installer/build.sh    # from scratch
#   PYTHON=python3.11 bash installer/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV="build/venv"
DIST="dist/xianghe-desk"
started=$(date +%s)

"$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || {
    echo "build.sh: needs Python 3.11 (found $("$PYTHON" -V 2>&1)); set PYTHON=python3.11" >&2
    exit 1
}

# --- what a fresh Debian lacks -------------------------------------------------------------------
# grep reads the whole text (no -q): under pipefail a writer cut off by an early exit would count as a miss.
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep "ok installed" >/dev/null; }
missing=()  # each entry: one package, or alternatives "a|b"
"$PYTHON" -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
# PyInstaller copies libpython3.11.so into the bundle; Debian's python3.11 binary is linked
# statically and the shared library comes in its own package.
soname="$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_config_var("INSTSONAME") or "")')"
libdir="$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR") or "")')"
if [[ -n "$soname" && ! -e "$libdir/$soname" ]] && ! ldconfig -p | grep -F "$soname" >/dev/null; then
    missing+=(libpython3.11)
fi
command -v objdump >/dev/null || missing+=(binutils)
# The self-test at the end loads Qt's GUI libraries: the system libraries the .deb depends on.
while read -r dep; do
    alternatives="${dep// /}"
    found=0
    for name in ${alternatives//|/ }; do installed "$name" && found=1; done
    ((found)) || missing+=("$alternatives")
done < <(grep -v '^\s*#' installer/linux/deb-depends.txt | grep -v '^\s*$')
if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
        echo "build.sh: please install first: ${missing[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    packages=()
    for alternatives in "${missing[@]}"; do
        # The first alternative this release has (libglib2.0-0t64 on Debian 13, libglib2.0-0 on 12).
        for name in ${alternatives//|/ }; do
            if apt-cache show "$name" >/dev/null 2>&1; then packages+=("$name"); break; fi
        done
    done
    echo "build.sh: installing ${packages[*]}"
    apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

# --- build venv: PyInstaller and the package from this checkout (not editable) --------------------
if [[ ! -x "$VENV/bin/python" ]]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -c installer/build-constraints.txt pyinstaller .

clean=()
[[ "${CLEAN:-0}" == 1 ]] && clean=(--clean)
rm -rf "$DIST"
# From build/, so that Python finds the package and its metadata in the venv, not in the checkout
# (where a developer's editable install may have left an egg-info behind).
(cd build && venv/bin/python -m PyInstaller --noconfirm "${clean[@]}" --log-level WARN \
    --distpath ../dist --workpath pyinstaller ../installer/xianghe-desk.spec)

# --- does it run with nothing but itself? --------------------------------------------------------
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
(
    cd "$home"  # nothing importable from the checkout
    env -i PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen \
        "$OLDPWD/$DIST/xianghe-desk" --version
    env -i PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen \
        "$OLDPWD/$DIST/xianghe-desk" --self-test | tee "$home/self-test.txt"
)
grep -q "\[通过\] 打印预览组件" "$home/self-test.txt" || {
    echo "build.sh: the frozen desk has no print preview (QtPdf missing from the bundle)" >&2
    exit 1
}

echo "build.sh: $DIST is $(du -sh "$DIST" | cut -f1)" \
    "($(find "$DIST" -type f | wc -l) files), built in $(($(date +%s) - started)) s"
