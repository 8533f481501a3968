"""One owner per key (issue #8): on no page, tab or main dialog do two enabled actions or shortcuts
claim the same keys, Qt never reports 「Ambiguous shortcut overload」, Ctrl+N and Ctrl+F do what the
menu says on each page, and a tooltip that names a key names one that works there."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QPushButton, QTabWidget, QWidget

from tests.ui.helpers import show_window
from tests.ui.keyboard import ShortcutProbe, ambiguous, key_text, live_shortcuts
from xianghe_desk.domain.queries import RequestFilter
from xianghe_desk.pdf.notice import NoticeMember, NoticeSheet, build_notices
from xianghe_desk.ui.dialogs.help_dialog import HelpDialog
from xianghe_desk.ui.dialogs.member_dialog import MemberDialog
from xianghe_desk.ui.dialogs.pdf_preview import PdfPreviewDialog
from xianghe_desk.ui.dialogs.register_request import RegisterRequestDialog
from xianghe_desk.ui.dialogs.request_detail import RequestDetailDialog
from xianghe_desk.ui.dialogs.resident_dialog import ResidentDialog
from xianghe_desk.ui.main_window import MainWindow
from xianghe_desk.ui.pages.members import MembersPage
from xianghe_desk.ui.pages.residents import ResidentsPage
from xianghe_desk.ui.pages.villages import VillagesPage

pytestmark = pytest.mark.usefixtures("reset_text_size")

# A key a tooltip promises: 「（Ctrl+N）」, 「（F5）」, 「Ctrl+P」.
TOOLTIP_KEY = re.compile(r"(?:Ctrl\+|Alt\+|Shift\+)*(?:F\d{1,2}|[A-Z0-9=+\-]|Enter|Return)(?![a-z])")


@pytest.fixture
def probe(qapp) -> Iterator[ShortcutProbe]:
    watcher = ShortcutProbe()
    qapp.installEventFilter(watcher)
    yield watcher
    qapp.removeEventFilter(watcher)


@pytest.fixture
def no_modal_dialogs(monkeypatch) -> None:
    """A key that reaches a list opens its row; the dialog closes at once instead of blocking."""
    monkeypatch.setattr(QDialog, "exec", lambda _dialog: QDialog.DialogCode.Rejected.value)


def every_view(window: MainWindow) -> Iterator[str]:
    """Show each page, and each tab of each page, in turn; yields where we are."""
    for key, entry in window.pages.items():
        page = window.show_page(key)
        assert page is not None
        yield entry.title
        tab_widgets = [page] if isinstance(page, QTabWidget) else []
        tab_widgets += page.findChildren(QTabWidget)
        for tabs in tab_widgets:
            for index in range(tabs.count()):
                if tabs.isTabEnabled(index) and tabs.isTabVisible(index) and tabs.isVisible():
                    tabs.setCurrentIndex(index)
                    yield f"{entry.title} → {tabs.tabText(index)}"


def ambiguity_logged(qtlog) -> list[str]:
    return [r.message for r in qtlog.records if "Ambiguous shortcut" in r.message]


def test_no_page_or_tab_has_a_key_with_two_owners(qtbot, ctx, probe, qtlog, no_modal_dialogs):
    window = show_window(qtbot, ctx)
    clashes: dict[str, dict[str, list[str]]] = {}
    keys: set[str] = set()
    for where in every_view(window):
        clash = ambiguous(window)
        if clash:
            clashes[where] = clash
        keys |= set(live_shortcuts(window))
    assert not clashes
    assert {"Ctrl+N", "Ctrl+F", "F1", "F5", "Alt+W"} <= keys

    # Qt's own verdict: every key seen anywhere, pressed on every page and tab.
    for where in every_view(window):
        before = len(probe.dispatched)
        for key in sorted(keys):
            probe.press(window, key)
        assert len(probe.dispatched) > before, where
        assert not probe.ambiguous_keys(), where
    assert not ambiguity_logged(qtlog)


@pytest.mark.qt_log_ignore("Ambiguous shortcut overload")
def test_the_probe_sees_a_clash(qtbot, ctx, probe, qtlog):
    """The checks above can fail: a page that grabs Ctrl+N for itself is caught all three ways."""
    window = show_window(qtbot, ctx)
    page = window.show_page("residents")
    rogue = QShortcut(QKeySequence("Ctrl+N"), page)
    assert ambiguous(window)["Ctrl+N"] == ["动作「新增服务对象…」", "QShortcut（ResidentsPage）"]
    # Qt hands an ambiguous key to each claimant in turn: twice reaches the action, which logs it.
    probe.press(window, "Ctrl+N")
    probe.press(window, "Ctrl+N")
    assert probe.ambiguous_keys() == ["Ctrl+N", "Ctrl+N"]
    assert ambiguity_logged(qtlog) == ["QAction::event: Ambiguous shortcut overload: Ctrl+N"]
    rogue.setEnabled(False)
    assert "Ctrl+N" not in ambiguous(window)


def test_ctrl_n_and_ctrl_f_do_what_the_menu_says(qtbot, ctx, monkeypatch):
    done: list[str] = []
    monkeypatch.setattr(
        RegisterRequestDialog,
        "register",
        classmethod(lambda cls, parent, ctx, resident_id=None: done.append("受理登记")),
    )
    monkeypatch.setattr(ResidentsPage, "add_resident", lambda self, draft=None: done.append("新增服务对象"))
    monkeypatch.setattr(MembersPage, "_on_add_member_clicked", lambda self: done.append("新增网格员"))
    monkeypatch.setattr(VillagesPage, "_on_add_clicked", lambda self: done.append("新增村街"))
    window = show_window(qtbot, ctx)
    expected_new = {
        "dashboard": "受理登记",
        "requests": "受理登记",
        "residents": "新增服务对象",
        "visits": "受理登记",
        "members": "新增网格员",
        "villages": "新增村街",
        "reports": "受理登记",
        "exchange": "受理登记",
        "settings": "受理登记",
        "recycle": "受理登记",
        "audit": "受理登记",
    }
    for key in window.pages:
        page = window.show_page(key)
        done.clear()
        qtbot.keyClick(
            QApplication.focusWidget() or window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier
        )
        assert done == [expected_new[key]], key
        owner = next(a for a in window.actions() if a.shortcut().toString() == "Ctrl+N" and a.isVisible())
        assert owner.text() == expected_new[key] + "…", key
        # 受理登记 stays in the 工作 menu on every page, with or without the key.
        assert window.register_action.isVisible() and window.register_action.isEnabled()

        window.show_page(key)
        qtbot.keyClick(
            QApplication.focusWidget() or window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier
        )
        searched = window.stack.currentWidget()
        if callable(getattr(page, "focus_search", None)):
            assert searched is page, key
            assert window.find_action.text() == page.search_text  # type: ignore[union-attr]
        else:
            assert window.current_key() == "requests", key
            assert window.find_action.text() == "查找工单"
        qtbot.waitUntil(searched.search.hasFocus, timeout=2000)  # type: ignore[union-attr]


def promised_keys(widget: QWidget) -> list[str]:
    return TOOLTIP_KEY.findall(widget.toolTip()) if isinstance(widget, QPushButton) else []


def test_tooltips_name_keys_that_work_there(qtbot, ctx):
    window = show_window(qtbot, ctx)
    checked = 0
    for where in every_view(window):
        live = live_shortcuts(window)
        for button in window.findChildren(QPushButton):
            if not button.isVisible():
                continue
            for key in promised_keys(button):
                assert len(live.get(key, [])) == 1, f"{where}: 「{button.text()}」 promises {key}"
                checked += 1
    assert checked >= 4  # 受理登记, 新增服务对象, 刷新 … do promise keys


# ---------------------------------------------------------------------- the main dialogs


def dialogs(window: MainWindow, ctx, tmp_path) -> Iterator[QDialog]:
    request_id = ctx.requests.ids(RequestFilter())[0]
    yield RegisterRequestDialog(ctx, window)
    yield RequestDetailDialog(ctx, request_id, window)
    yield ResidentDialog(window, ctx)
    yield MemberDialog(window, ctx)
    yield HelpDialog(window)
    pdf = tmp_path / "公示.pdf"
    build_notices(
        [
            NoticeSheet(
                "香河县", "淑阳镇", "王刘圈村", (NoticeMember("李建国", "网格长", "13812345678", "第一网格"),)
            )
        ],
        pdf,
    )
    yield PdfPreviewDialog(pdf, "帮办公示", window)


def test_main_dialogs_have_one_owner_per_key(qtbot, ctx, probe, qtlog, tmp_path, no_modal_dialogs):
    window = show_window(qtbot, ctx)
    for dialog in dialogs(window, ctx, tmp_path):
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.activateWindow()
        qtbot.waitUntil(lambda d=dialog: QApplication.activeWindow() is d, timeout=2000)
        name = type(dialog).__name__
        assert not ambiguous(dialog), name
        keys = live_shortcuts(dialog)
        for key in sorted(keys):
            probe.press(dialog, key)
        assert not probe.ambiguous_keys(), name
        dialog.hide()
    assert not ambiguity_logged(qtlog)


def test_no_button_takes_a_menus_alt_key_even_while_disabled(qtbot, ctx):
    """A disabled button's mnemonic clashes as soon as it is enabled (「并排查看(&V)」 and 「查看(&V)」)."""
    window = show_window(qtbot, ctx)
    menus = {key_text(QKeySequence.mnemonic(a.text())): a.text() for a in window.menuBar().actions()}
    assert {"Alt+W", "Alt+V", "Alt+G", "Alt+H"} <= set(menus)
    clashes = []
    for where in every_view(window):
        for button in window.findChildren(QAbstractButton):
            key = key_text(button.shortcut())
            if button.isVisible() and key in menus:
                clashes.append(f"{where}: 「{button.text()}」 and the menu 「{menus[key]}」 both take {key}")
    assert not clashes
