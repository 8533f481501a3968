"""The print preview: pages shown with QtPdf, printing through QPrinter (to a PDF file here),
另存为PDF and 用系统程序打开 — the system dialogs are monkeypatched."""

from __future__ import annotations

import pytest

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QMessageBox

from tests.helpers import pdf_pages
from tests.ui.helpers import answer_file_dialogs
from xianghe_desk.pdf.notice import NoticeMember, NoticeSheet, build_notices
from xianghe_desk.ui.dialogs.pdf_preview import PdfPreviewDialog, has_preview

pytestmark = pytest.mark.skipif(not has_preview(), reason="PySide6-Pdf (QtPdf) is not installed")


@pytest.fixture
def three_pages(tmp_path):
    sheet = NoticeSheet(
        "香河县", "淑阳镇", "王刘圈村", (NoticeMember("李建国", "网格长", "13812345678", "第一网格"),)
    )
    path = tmp_path / "三页.pdf"
    assert build_notices([sheet, sheet, sheet], path) == 3
    return path


@pytest.fixture
def dialog(qtbot, three_pages):
    widget = PdfPreviewDialog(three_pages, "帮办公示")
    qtbot.addWidget(widget)
    return widget


def test_shows_the_pages(dialog):
    assert dialog.page_count == 3
    assert "共 3 页" in dialog.info.text()
    assert dialog.print_button.isEnabled()
    dialog.zoom(1.25)
    dialog.fit_page()
    dialog.fit_width()


def test_prints_every_page_through_qprinter(qtbot, dialog, tmp_path, monkeypatch):
    printed_file = tmp_path / "printer-output.pdf"

    def choose(printer: QPrinter) -> bool:
        # The paper follows the PDF (A4 here); print into a file instead of a real printer.
        assert printer.pageLayout().pageSize().id().name == "A4"
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed_file))
        return True

    monkeypatch.setattr(dialog, "choose_printer", choose)
    with qtbot.waitSignal(dialog.printed, timeout=30000) as blocker:
        dialog.print_document()
    assert blocker.args == [3]
    assert pdf_pages(printed_file) == 3
    assert dialog.print_button.isEnabled()


def test_print_a_page_range(qtbot, dialog, tmp_path, monkeypatch):
    printed_file = tmp_path / "range.pdf"

    def choose(printer: QPrinter) -> bool:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed_file))
        printer.setPrintRange(QPrinter.PrintRange.PageRange)
        printer.setFromTo(2, 3)
        return True

    monkeypatch.setattr(dialog, "choose_printer", choose)
    with qtbot.waitSignal(dialog.printed, timeout=30000) as blocker:
        dialog.print_document()
    assert blocker.args == [2]
    assert pdf_pages(printed_file) == 2


def test_cancelled_print_dialog_prints_nothing(qtbot, dialog, monkeypatch):
    monkeypatch.setattr(dialog, "choose_printer", lambda printer: False)
    dialog.print_document()
    assert dialog.print_job is None


def test_save_as_copies_the_file(dialog, tmp_path, monkeypatch, three_pages):
    target = tmp_path / "saved" / "公示"
    target.parent.mkdir()
    answer_file_dialogs(monkeypatch, target)
    saved = dialog.save_as()
    assert saved == target.with_suffix(".pdf")
    assert saved.read_bytes() == three_pages.read_bytes()
    assert str(saved) in dialog.info.text()


def test_save_as_into_a_missing_folder_says_so(dialog, tmp_path, monkeypatch):
    warnings = []
    answer_file_dialogs(monkeypatch, tmp_path / "no" / "x.pdf")
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    assert dialog.save_as() is None
    assert warnings and "无法保存" in warnings[0]


def test_open_with_the_system_viewer(dialog, monkeypatch, three_pages):
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    assert dialog.open_externally()
    assert [u.toLocalFile() for u in opened] == [str(three_pages)]


def test_no_viewer_on_this_pc_is_explained(dialog, monkeypatch):
    warnings = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    assert not dialog.open_externally()
    assert "另存为PDF" in warnings[0]
