"""关于 (issue #12): name and version, the data and log folders with buttons that open them, and
the licence of every part the installers bundle."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from tests.ui.helpers import show_window
from xianghe_desk import DISPLAY_NAME, __version__, paths
from xianghe_desk.ui.application import app_icon
from xianghe_desk.ui.dialogs import about_dialog
from xianghe_desk.ui.dialogs.about_dialog import BUNDLED, AboutDialog

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    data, logs = tmp_path / "data", tmp_path / "logs"
    monkeypatch.setattr(paths, "data_dir", lambda: data)
    monkeypatch.setattr(paths, "log_dir", lambda: logs)
    return data, logs


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[QUrl]:
    urls: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url) or True)
    return urls


def _licences(dialog: AboutDialog) -> dict[str, str]:
    table = dialog.licence_table
    return {table.item(row, 0).text(): table.item(row, 2).text() for row in range(table.rowCount())}


def test_about_names_the_program_its_version_and_where_the_data_is(qtbot, folders, opened) -> None:
    data, logs = folders
    dialog = AboutDialog(data / "xianghe.db", "民政办电脑（K7QF）")
    qtbot.add_widget(dialog)
    assert DISPLAY_NAME in dialog.windowTitle()
    assert DISPLAY_NAME in dialog.title_label.text()
    assert f"版本 {__version__}" in dialog.title_label.text()
    assert dialog.place_labels["数据文件夹"].text() == str(data)
    assert dialog.place_labels["当前数据库"].text() == str(data / "xianghe.db")
    assert dialog.place_labels["日志文件夹"].text() == str(logs)
    assert dialog.place_labels["本机"].text() == "民政办电脑（K7QF）"
    assert str(data / "xianghe-backups") in dialog.backup_note.text()

    dialog.open_data_button.click()
    dialog.open_log_button.click()
    # Each folder is made if missing (a first start with --db elsewhere has no data folder yet).
    assert opened == [QUrl.fromLocalFile(str(data)), QUrl.fromLocalFile(str(logs))]
    assert data.is_dir() and logs.is_dir()


def test_a_folder_that_cannot_be_opened_is_named_for_the_clerk(qtbot, folders, monkeypatch) -> None:
    data, _logs = folders
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    warnings: list[str] = []
    monkeypatch.setattr(
        about_dialog, "show_warning", lambda parent, message, title="提示": warnings.append(message)
    )
    dialog = AboutDialog()
    qtbot.add_widget(dialog)
    dialog.open_data_button.click()
    assert len(warnings) == 1 and str(data) in warnings[0]
    assert "当前数据库" not in dialog.place_labels and "本机" not in dialog.place_labels


def test_the_bundled_parts_show_their_licences(qtbot, folders) -> None:
    dialog = AboutDialog()
    qtbot.add_widget(dialog)
    licences = _licences(dialog)
    assert len(licences) == len(BUNDLED)

    def licence(name_starts: str) -> str:
        (found,) = [text for name, text in licences.items() if name.startswith(name_starts)]
        return found

    assert licence("文泉驿微米黑") == "Apache-2.0 或 GPL-3.0（附字体嵌入例外）"
    assert licence("PySide6") == "LGPL-3.0-only"
    assert licence("Qt 6") == "LGPL-3.0-only"
    assert licence("ReportLab") == "BSD-3-Clause"
    assert licence("sqlite-utils") == "Apache-2.0"
    assert licence("openpyxl") == "MIT"
    # The versions this installation runs, where it knows them.
    table = dialog.licence_table
    versions = {table.item(row, 0).text(): table.item(row, 1).text() for row in range(table.rowCount())}
    assert versions[BUNDLED[0].name] == "0.2.0-beta"
    assert all(versions[part.name] for part in BUNDLED if part.dists)
    assert "LGPL-3.0" in dialog.licence_note.text()
    assert "LICENSE-wqy-microhei.txt" in dialog.licence_note.text()


def test_every_dependency_in_pyproject_has_its_licence_listed() -> None:
    """A new dependency gets a row in 关于 (and in installer/linux/copyright) before it ships."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

    def canonical(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    required = {canonical(re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0]) for spec in project["dependencies"]}
    listed = {canonical(dist) for part in BUNDLED for dist in part.dists}
    assert sorted(required - listed) == []


def test_the_icon_has_every_size_the_installers_use(qapp) -> None:
    sizes = {(size.width(), size.height()) for size in app_icon().availableSizes()}
    assert sizes == {(n, n) for n in (16, 24, 32, 48, 64, 128, 256)}


def test_help_about_in_the_main_window_opens_it(qtbot, ctx, monkeypatch, reset_text_size) -> None:
    shown: list[tuple[object, Path | None, str]] = []
    monkeypatch.setattr(
        AboutDialog,
        "show_for",
        classmethod(lambda cls, parent, db, device: shown.append((parent, db, device))),
    )
    window = show_window(qtbot, ctx)
    (action,) = [a for a in window.menuBar().actions() if a.text().startswith("帮助")]
    (about,) = [a for a in action.menu().actions() if a.text() == "关于"]
    about.trigger()
    device = ctx.ws.device
    assert shown == [(window, window.db_path, f"{device.name}（{device.tag}）")]
