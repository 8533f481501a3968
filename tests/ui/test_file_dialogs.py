"""File dialogs (issue #8): Chinese throughout, starting in a folder that exists (the last one used,
else the home folder), offering only the types the desk accepts; every page uses the one helper."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from PySide6.QtCore import QLibraryInfo, QTranslator
from PySide6.QtWidgets import QAbstractButton, QFileDialog, QLabel

from tests.ui.helpers import answer_file_dialogs
from xianghe_desk.ui.pages import packages
from xianghe_desk.ui.pages.spreadsheets import SpreadsheetPanel
from xianghe_desk.ui.settings import LAST_FOLDER, desk_settings
from xianghe_desk.ui.widgets import file_dialogs
from xianghe_desk.ui.widgets.file_dialogs import PDF, SHEETS, XLSX, build_dialog, open_file, save_file

ENGLISH = re.compile(r"[A-Za-z]{2,}")


@pytest.fixture
def qt_chinese(qapp) -> Iterator[None]:
    """Qt's own translation as the desk installs it (ui/application.py), for this test only."""
    translator = QTranslator()
    assert translator.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    qapp.installTranslator(translator)
    yield
    qapp.removeTranslator(translator)


def words_on(dialog: QFileDialog) -> list[str]:
    widgets = [*dialog.findChildren(QLabel), *dialog.findChildren(QAbstractButton)]
    texts = [w.text() for w in widgets] + [w.toolTip() for w in widgets]
    return [re.sub(r"\(&\w\)|&", "", t) for t in texts if t]


@pytest.mark.parametrize("save_as", [None, "月度汇总-2026-11.xlsx"])
def test_qt_own_dialog_is_chinese_throughout(qtbot, qt_chinese, save_as):
    dialog = build_dialog(None, "选择要导入的表格", (SHEETS,), save_as=save_as)
    qtbot.addWidget(dialog)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.show()
    english = [t for t in words_on(dialog) if ENGLISH.search(t) and not t.startswith(("月度汇总", "/"))]
    # 「Look in:」 and 「Files of type:」 stayed English: Qt 6.11 says 「&Look in:」, which
    # qtbase_zh_CN.qm does not translate yet.
    assert not english
    assert dialog.labelText(QFileDialog.DialogLabel.LookIn) == "查找范围(&L)："
    assert dialog.labelText(QFileDialog.DialogLabel.FileType) == "文件类型(&T)："
    accept = dialog.labelText(QFileDialog.DialogLabel.Accept)
    assert accept == ("打开(&O)" if save_as is None else "保存(&S)")


def test_only_accepted_types_are_offered():
    assert SHEETS.name_filter() == "表格文件 (*.xlsx *.csv)"
    assert not SHEETS.accepts(Path("旧表.xls"))
    assert XLSX.name_filter() == "Excel 工作簿 (*.xlsx)"
    assert packages.PACKAGE.name_filter() == "数据交换包 (*.xhpkg)"
    assert PDF.accepts(Path("公示.PDF"))


def test_starts_in_the_home_folder_not_a_missing_documents_folder(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path))
    dialog = build_dialog(None, "选择", (SHEETS,))
    qtbot.addWidget(dialog)
    assert Path(dialog.directory().absolutePath()) == tmp_path
    assert dialog.selectedFiles() in ([], [str(tmp_path)])  # no 「Documents」 in the name box
    desk_settings().set(LAST_FOLDER, str(tmp_path / "已删除的U盘"))
    assert file_dialogs.start_folder() == tmp_path


def test_the_last_folder_is_remembered(qtbot, tmp_path, monkeypatch):
    usb = tmp_path / "U盘"
    usb.mkdir()
    answer_file_dialogs(monkeypatch, usb / "村里的表.xlsx")
    assert open_file(None, "选择", SHEETS) == usb / "村里的表.xlsx"
    assert desk_settings().get(LAST_FOLDER) == str(usb)
    shown = answer_file_dialogs(monkeypatch, usb / "汇总")
    assert save_file(None, "保存", "汇总.xlsx", XLSX) == usb / "汇总.xlsx"  # the suffix is added
    assert Path(shown[0].directory().absolutePath()) == usb


def test_cancel_returns_nothing_and_remembers_nothing(monkeypatch):
    answer_file_dialogs(monkeypatch, None)
    assert open_file(None, "选择", SHEETS) is None
    assert save_file(None, "保存", "汇总.xlsx", XLSX) is None
    assert desk_settings().get(LAST_FOLDER) == ""


def test_import_offers_xlsx_and_csv_only(qtbot, ctx, monkeypatch, tmp_path):
    panel = SpreadsheetPanel(ctx)
    qtbot.addWidget(panel)
    shown = answer_file_dialogs(monkeypatch, tmp_path / "村街.xlsx")
    assert panel.ask_open_path() == tmp_path / "村街.xlsx"
    assert shown[0].nameFilters() == ["表格文件 (*.xlsx *.csv)"]
    assert shown[0].windowTitle() == "选择要导入的表格"


def test_exchange_files_through_the_helper(monkeypatch, tmp_path):
    shown = answer_file_dialogs(monkeypatch, tmp_path / "包")
    assert (
        packages.choose_save_path(None, "保存数据包", "FCF2给村里.xhpkg", packages.PACKAGE)
        == tmp_path / "包.xhpkg"
    )
    assert shown[0].nameFilters() == ["数据交换包 (*.xhpkg)"]


def test_every_screen_uses_the_one_helper():
    """No page or dialog builds its own QFileDialog (they would miss the fixes above)."""
    ui = Path(file_dialogs.__file__).parents[1]
    users = sorted(
        str(p.relative_to(ui))
        for p in ui.rglob("*.py")
        if re.search(r"QFileDialog\b(?!\")", p.read_text(encoding="utf-8"))  # the class, not a translation context
    )
    assert users == ["widgets/file_dialogs.py"]
