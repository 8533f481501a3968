#!/bin/sh
# /usr/bin/xianghe-desk: starts the desk installed in /opt/xianghe-desk (installer/build_deb.sh).
# The path is found relative to this script, so an unpacked package (dpkg-deb -x) runs as well.
here="$(dirname "$(readlink -f "$0")")"

# The bundled Qt carries only the ibus and compose input-method plug-ins. fcitx5 (UOS, Kylin)
# also answers ibus's protocol, whereas with QT_IM_MODULE=fcitx Qt finds no plug-in and no Chinese
# can be typed at all. Check on each new UOS/Kylin release (installer/README.md).
case "${QT_IM_MODULE:-}" in
fcitx*) QT_IM_MODULE=ibus; export QT_IM_MODULE ;;
esac

exec "$here/../../opt/xianghe-desk/xianghe-desk" "$@"
