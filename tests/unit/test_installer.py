"""The installers' own files (issue #12), checked without building anything: one name and one icon
everywhere, the Windows script's promises (per user, fixed AppId, data kept), the Linux package's
menu entry and dependencies, and shell scripts that at least parse.

Building and running the packages is installer/build.sh, build_deb.sh and test_deb.sh (CI).
"""

from __future__ import annotations

import configparser
import re
import shutil
import struct
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.helpers import _pdf_info
from xianghe_desk import DISPLAY_NAME, __version__, paths
from xianghe_desk.domain.queries import RequestFilter
from xianghe_desk.services.printing import PrintService
from xianghe_desk.services.requests import RequestService

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def _iss() -> str:
    return (INSTALLER / "xianghe-desk.iss").read_text(encoding="utf-8")


def _iss_setup() -> dict[str, str]:
    section = _iss().split("[Setup]", 1)[1].split("\n[", 1)[0]
    pairs = (line.split("=", 1) for line in section.splitlines() if "=" in line and not line.startswith(";"))
    return {key.strip(): value.strip() for key, value in pairs}


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


def test_every_icon_size_is_drawn_at_its_size() -> None:
    for size in ICON_SIZES:
        assert _png_size(paths.resource("icons", f"xianghe-desk-{size}.png")) == (size, size)


def test_the_windows_icon_holds_every_size() -> None:
    data = paths.resource("icons", "xianghe-desk.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    # In an ICO directory entry a width or height of 0 means 256.
    sizes = {(data[6 + 16 * i] or 256, data[7 + 16 * i] or 256) for i in range(count)}
    assert sizes == {(s, s) for s in ICON_SIZES}


def test_the_menu_entry_names_the_program_and_its_icon() -> None:
    entry = configparser.ConfigParser(interpolation=None, strict=True)
    entry.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    entry.read(INSTALLER / "linux" / "xianghe-desk.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Name[zh_CN]"] == DISPLAY_NAME
    assert desktop["Name"] == DISPLAY_NAME
    assert desktop["Icon"] == "xianghe-desk"
    assert desktop["Exec"] == "xianghe-desk"
    assert "Office" in desktop["Categories"].split(";")
    # Qt reports the application name as WM_CLASS: the menu groups the window under its entry.
    assert desktop["StartupWMClass"] == "xianghe-desk"
    assert entry["Desktop Action demo"]["Exec"] == "xianghe-desk --demo"


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils not installed")
def test_the_menu_entry_passes_desktop_file_validate() -> None:
    subprocess.run(["desktop-file-validate", str(INSTALLER / "linux" / "xianghe-desk.desktop")], check=True)


def test_the_deb_depends_on_what_the_qt_xcb_plugin_links() -> None:
    lines = (INSTALLER / "linux" / "deb-depends.txt").read_text(encoding="utf-8").splitlines()
    entries = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    names = {alternative.strip() for entry in entries for alternative in entry.split("|")}
    for needed in (
        "libxcb-cursor0",
        "libegl1",
        "libxkbcommon-x11-0",
        "fontconfig",
        "libfontconfig1",
        "libdbus-1-3",
    ):
        assert needed in names
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9.+-]+", name) for name in names), names
    # build_deb.sh adds these two with the versions the bundle's binaries ask for.
    assert not names & {"libc6", "libstdc++6"}


def test_the_windows_installer_is_per_user_with_a_fixed_app_id() -> None:
    setup = _iss_setup()
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", setup["AppId"])
    assert setup["PrivilegesRequired"] == "lowest"
    assert setup["DefaultDirName"] == r"{autopf}\xianghe-desk"
    assert setup["MinVersion"].startswith("10.0")
    assert setup["AppName"] == "{#AppName}"
    assert f'#define AppName "{DISPLAY_NAME}"' in _iss()
    icon = (INSTALLER / setup["SetupIconFile"].replace("\\", "/")).resolve()
    assert icon == paths.resource("icons", "xianghe-desk.ico").resolve()


def test_the_windows_installer_never_touches_the_clerks_data() -> None:
    """Uninstall removes only what Setup installed; the data lives in platformdirs' folders."""
    text = _iss()
    assert "[UninstallDelete]" not in text
    (install_delete,) = re.findall(r"^Type: filesandordirs; Name: \"(.*)\"$", text, flags=re.MULTILINE)
    assert install_delete == r"{app}\_internal"
    assert "localappdata}\\xianghe\\xianghe-desk" in text  # named to the clerk after uninstalling
    assert paths.APP_AUTHOR == "xianghe" and paths.APP_NAME == "xianghe-desk"


def test_the_windows_installer_has_chinese_messages_and_both_shortcuts() -> None:
    text = _iss()
    assert 'MessagesFile: "{#ChineseMessages}"' in text
    assert 'Languages\\ChineseSimplified.isl"' in text
    icons = text.split("[Icons]", 1)[1].split("\n[", 1)[0]
    assert "{autoprograms}\\{#AppName}" in icons
    assert "{autodesktop}\\{#AppName}" in icons


@pytest.mark.parametrize("script", ["build.sh", "build_deb.sh", "test_deb.sh", "measure_startup.sh"])
def test_the_shell_scripts_parse_and_are_executable(script: str) -> None:
    path = INSTALLER / script
    subprocess.run(["bash", "-n", str(path)], check=True)
    assert path.stat().st_mode & 0o111


def test_the_launcher_is_posix_sh_and_finds_opt_beside_it() -> None:
    launcher = INSTALLER / "linux" / "xianghe-desk.sh"
    subprocess.run(["sh", "-n", str(launcher)], check=True)
    assert launcher.stat().st_mode & 0o111
    assert '"$here/../../opt/xianghe-desk/xianghe-desk"' in launcher.read_text(encoding="utf-8")


def test_the_pdfs_name_the_program(demo_ws, tmp_path: Path) -> None:
    """Work orders and notices: author and creator are the program (pdfinfo's Author/Creator)."""
    service = PrintService(demo_ws)
    order, notice = tmp_path / "工单.pdf", tmp_path / "公示.pdf"
    service.write_work_orders(RequestService(demo_ws).ids(RequestFilter())[:1], order)
    service.write_notices(service.notice_villages("蒋辛屯镇", "蒋北社区"), notice)
    for path, title in ((order, "服务工单"), (notice, "帮办公示")):
        info = dict(re.findall(r"^(\w+):[ \t]*(.*)$", _pdf_info(path), flags=re.MULTILINE))
        assert (info["Title"], info["Author"]) == (title, DISPLAY_NAME)
        assert info["Creator"] == f"{DISPLAY_NAME} {__version__}"


def test_the_debian_copyright_names_every_dependency() -> None:
    """installer/linux/copyright lists the bundled parts with their licences, as 关于 does."""
    text = (INSTALLER / "linux" / "copyright").read_text(encoding="utf-8").lower().replace("_", "-")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {
        re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0].lower().replace("_", "-")
        for spec in project["dependencies"]
    }
    missing = [n for n in sorted(names) if (n.split("-")[0] if n.startswith("pyside6") else n) not in text]
    assert missing == []
