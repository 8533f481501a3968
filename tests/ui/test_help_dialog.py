"""帮助 → 使用说明 (F1): it opens beside the desk, walks through the day's work, and everything it
names — buttons, pages, tabs, shortcuts — exists in the desk as the guide says."""

from __future__ import annotations

import re

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabWidget,
    QWidget,
)

from tests.ui.helpers import show_window
from tests.ui.keyboard import live_shortcuts
from xianghe_desk.domain.queries import RequestFilter
from xianghe_desk.ui.dialogs import help_dialog
from xianghe_desk.ui.dialogs.dispatch_dialog import DispatchDialog
from xianghe_desk.ui.dialogs.help_dialog import HelpDialog
from xianghe_desk.ui.dialogs.member_dialog import MemberDialog
from xianghe_desk.ui.dialogs.register_request import RegisterRequestDialog
from xianghe_desk.ui.dialogs.request_detail import RequestDetailDialog
from xianghe_desk.ui.dialogs.resident_dialog import ResidentDialog
from xianghe_desk.ui.main_window import MainWindow

pytestmark = pytest.mark.usefixtures("reset_text_size")

# Quoted words in the guide that are examples or what the clerk types, not names on the screen.
EXAMPLES = {"zs", "0401", "100-K7M3", "超期 … 张", "今日到期 … 张"}

DAILY_WORK = ("受理登记", "派单", "打印工单", "办结", "回访", "月度汇总", "数据交换包", "Ctrl+N", "Ctrl+F")


def plain(text: str) -> str:
    """A widget's text as the guide quotes it: no mnemonic 「(&E)」, no 「&」."""
    return re.sub(r"\(&\w\)", "", text).replace("&", "")


def screen_texts(*windows: QWidget) -> str:
    """Every word the clerk can see on these windows, hidden tabs and disabled buttons included."""
    texts: list[str] = []
    for window in windows:
        for widget in [window, *window.findChildren(QWidget)]:
            if isinstance(widget, QAbstractButton | QLabel):
                texts.append(widget.text())
            if isinstance(widget, QGroupBox):
                texts.append(widget.title())
            if isinstance(widget, QLineEdit | QPlainTextEdit):
                texts.append(widget.placeholderText())
            if isinstance(widget, QComboBox):
                texts += [widget.itemText(i) for i in range(widget.count())]
            if isinstance(widget, QTabWidget):
                texts += [widget.tabText(i) for i in range(widget.count())]
            texts += [action.text() for action in widget.actions()]
            texts.append(widget.toolTip())
    return "\n".join(plain(t) for t in texts)


@pytest.fixture
def window(qtbot, ctx) -> MainWindow:
    desk = show_window(qtbot, ctx)
    for key in desk.pages:  # build every page, so that all their words are there
        page = desk.show_page(key)
        for section in getattr(page, "sections", list)():  # 设置 builds a tab when first shown
            page.tab(section)
    return desk


def test_f1_opens_the_guide_from_the_help_menu(qtbot, window):
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "帮助(&H)")
    assert [a.text() for a in help_menu.actions()] == ["使用说明", "关于"]
    assert window.help_action.shortcut().toString() == "F1"
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_F1)
    guide = window.findChild(HelpDialog)
    assert isinstance(guide, HelpDialog)
    qtbot.waitUntil(guide.isVisible, timeout=2000)
    assert not guide.isModal()  # the clerk follows it while working
    # Pressing F1 again shows the same window, not a second one.
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_F1)
    assert len(window.findChildren(HelpDialog)) == 1
    guide.close()


def test_the_guide_walks_through_the_day(qtbot, window):
    guide = HelpDialog(window)
    qtbot.addWidget(guide)
    text = guide.browser.toPlainText()
    for words in DAILY_WORK:
        assert words in text, words
    html = guide.browser.toHtml()
    assert "<table" in html and text.count("Ctrl+") >= 10
    headings = re.findall(r"^\d+\. (.+)$", text, re.M)
    assert len(headings) == 12, headings


def test_the_main_windows_keys_in_the_guide_work(window):
    live = live_shortcuts(window)
    for keys, _what in help_dialog.SHORTCUTS:
        for key in re.findall(r"(?:Ctrl\+)?(?:F\d+|[A-Z0-9=+\-])(?=$| )", keys.replace(" 或 ", " ")):
            if key.startswith(("Ctrl", "F")):
                assert key in live, key
    for number in range(1, min(len(window.pages), 9) + 1):
        assert f"Ctrl+{number}" in live
    assert "Ctrl+1 … Ctrl+9" in dict(help_dialog.SHORTCUTS) and len(window.pages) >= 9


def test_the_dialog_keys_in_the_guide_work(qtbot, ctx, window):
    request_id = ctx.requests.ids(RequestFilter())[0]
    dialogs: dict[str, QDialog] = {
        "受理登记": RegisterRequestDialog(ctx, window),
        "服务对象、网格员资料": ResidentDialog(window, ctx),
        "工单详情": RequestDetailDialog(ctx, request_id, window),
    }
    member = MemberDialog(window, ctx)
    for dialog in (*dialogs.values(), member):
        qtbot.addWidget(dialog)
        dialog.show()
    checked = 0
    for name, keys, _what in help_dialog.DIALOG_SHORTCUTS:
        dialog = dialogs.get(name)
        if dialog is None:
            continue  # 打印预览: tests/ui/test_shortcuts.py and test_printing_preview.py
        for key in keys.split(" / "):
            assert key in live_shortcuts(dialog), (name, key)
            checked += 1
            if name.startswith("服务对象"):
                assert key in live_shortcuts(member)
    assert checked == 5


def test_every_name_the_guide_quotes_is_on_the_screen(qtbot, ctx, window):
    request_id = ctx.requests.ids(RequestFilter())[0]
    register = RegisterRequestDialog(ctx, window)
    detail = RequestDetailDialog(ctx, request_id, window)
    dispatch = DispatchDialog([], None, parent=window)
    for dialog in (register, detail, dispatch):
        qtbot.addWidget(dialog)
    shown = screen_texts(window, register, detail, dispatch)
    quoted = set(re.findall(r"「([^」]+)」", help_dialog.help_html()))
    # 「工作 → 受理登记…」 is a menu and its item, 「数据交换 → 数据交换包」 a page and its tab.
    missing = sorted(
        q for q in quoted - EXAMPLES if any(plain(p).rstrip("…") not in shown for p in q.split(" → "))
    )
    assert not missing
    assert len(quoted) > 30
