#!/usr/bin/env bash
# The package for Debian, UOS and Kylin: dist/xianghe-desk_VERSION_ARCH.deb (installer/README.md).
#
# Runs installer/build.sh first (NO_BUILD=1 packs the dist/xianghe-desk/ already there), then packs
# that folder with dpkg-deb:
#   /opt/xianghe-desk/                    the frozen desk, unchanged
#   /usr/bin/xianghe-desk                 launcher (installer/linux/xianghe-desk.sh)
#   /usr/share/applications/xianghe-desk.desktop   menu entry, category Office
#   /usr/share/icons/hicolor/NxN/apps/xianghe-desk.png
#   /usr/share/doc/xianghe-desk/copyright
# Depends: installer/linux/deb-depends.txt, plus libc6 and libstdc++6 at the versions the bundled
# binaries ask for. No maintainer scripts: Debian's triggers refresh the menu and icon caches,
# and the clerk's data (in the home folder) is never the package's business.
# Test the result with installer/test_deb.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

DIST="dist/xianghe-desk"
MAINTAINER="${MAINTAINER:-xianghe-desk maintainers <xianghe-desk@invalid>}"
started=$(date +%s)

if [[ "${NO_BUILD:-0}" != 1 ]]; then
    bash installer/build.sh
fi
[[ -x "$DIST/xianghe-desk" ]] || { echo "build_deb.sh: no $DIST; run installer/build.sh" >&2; exit 1; }

# The version the bundle itself reports (0.2.0rc1 becomes 0.2.0~rc1, which dpkg sorts first).
version="$("$DIST/xianghe-desk" --version | awk '{print $2}')"
deb_version="$(sed -E 's/(a|b|rc|dev)([0-9]+)$/~\1\2/' <<<"$version")"
arch="$(dpkg --print-architecture)"
out="dist/xianghe-desk_${deb_version}_${arch}.deb"

# --- Depends ------------------------------------------------------------------------------------
# The newest glibc and libstdc++ symbol versions any bundled binary asks for.
elves=()
while IFS= read -r -d '' f; do
    [[ "$(head -c 4 "$f" | tr -d '\0')" == $'\x7fELF' ]] && elves+=("$f")
done < <(find "$DIST" -type f -print0)
symbols="$(objdump -T "${elves[@]}" 2>/dev/null)"
glibc="$(grep -oE 'GLIBC_[0-9]+\.[0-9]+(\.[0-9]+)?' <<<"$symbols" | sed 's/GLIBC_//' | sort -uV | tail -1)"
glibcxx="$(grep -oE 'GLIBCXX_3\.4\.[0-9]+' <<<"$symbols" | sed 's/GLIBCXX_3\.4\.//' | sort -n | tail -1)"
# GLIBCXX_3.4.N first shipped with this GCC (libstdc++6's version on Debian and Ubuntu).
case "${glibcxx:-0}" in
    [0-9] | 1[0-9] | 2[0-8]) gcc=10 ;;
    29) gcc=11 ;;
    30) gcc=12 ;;
    31) gcc=13 ;;
    32) gcc=13.2 ;;
    33) gcc=14 ;;
    *) echo "build_deb.sh: GLIBCXX_3.4.$glibcxx is newer than this script knows" >&2; exit 1 ;;
esac
depends="libc6 (>= $glibc), libstdc++6 (>= $gcc)"
while read -r line; do
    depends+=", $line"
done < <(grep -v '^\s*#' installer/linux/deb-depends.txt | grep -v '^\s*$')

# --- the tree -----------------------------------------------------------------------------------
root="build/deb/root"
rm -rf "$root"
mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" \
    "$root/usr/share/doc/xianghe-desk"
cp -a "$DIST" "$root/opt/xianghe-desk"
install -m 755 installer/linux/xianghe-desk.sh "$root/usr/bin/xianghe-desk"
install -m 644 installer/linux/xianghe-desk.desktop "$root/usr/share/applications/xianghe-desk.desktop"
for png in resources/icons/xianghe-desk-*.png; do
    size="$(basename "$png" .png)"
    size="${size##*-}"
    install -D -m 644 "$png" "$root/usr/share/icons/hicolor/${size}x${size}/apps/xianghe-desk.png"
done
install -m 644 installer/linux/copyright "$root/usr/share/doc/xianghe-desk/copyright"
# Everyone may read and run it; only root (dpkg) changes it.
find "$root" -type d -exec chmod 755 {} +
chmod -R go-w "$root"

cat >"$root/DEBIAN/control" <<EOF
Package: xianghe-desk
Version: $deb_version
Architecture: $arch
Maintainer: $MAINTAINER
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $depends
Section: misc
Priority: optional
Description: 香河「这就办」服务台账
 The township clerks' desk for residents' service requests in Xianghe County:
 intake, dispatch, completion, follow-up, work-order printing and monthly figures.
 Self-contained (Python, Qt and the Chinese font are bundled in /opt/xianghe-desk);
 each user's data stays in the home folder and survives upgrades and removal.
EOF

mkdir -p dist
rm -f dist/xianghe-desk_*_"$arch".deb
# xz: every dpkg on Debian 10+, UOS and Kylin reads it (zstd needs a newer dpkg).
dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null
rm -rf "$root"
echo "build_deb.sh: $out ($(du -h "$out" | cut -f1); installed $(du -sh "$DIST" | cut -f1))," \
    "in $(($(date +%s) - started)) s"
echo "build_deb.sh: Depends: $depends"
