"""Tab walks every page's whole focus chain (issue #8: Tab stuck in the request filter's 「不限」
date field, and every list took Tab cell by cell): each press reaches a new field, every field is
reached, and the chain comes back round to where it started."""

from __future__ import annotations

import pytest

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTabWidget, QWidget

from tests.ui.helpers import show_window
from tests.ui.keyboard import control_of, describe, tab_stops, walk_tab_chain
from tests.ui.test_shortcuts import dialogs
from xianghe_desk.ui.main_window import MainWindow
from xianghe_desk.ui.widgets.request_filter_bar import RequestFilterBar

pytestmark = pytest.mark.usefixtures("reset_text_size")


def check_chain(window: QWidget, where: str) -> list[QWidget | None]:
    """Tab round the window once from the focused field; fail on a trap, a skipped field or no end."""
    stops = tab_stops(window)
    start = control_of(QApplication.focusWidget())
    assert start in stops, f"{where}: focus starts on {describe(start)}"
    visited = walk_tab_chain(window, limit=2 * len(stops) + 5)
    names = [describe(w) for w in visited]
    assert visited[-1] is start, f"{where}: Tab never came back to the start: {names}"
    for before, after in zip([start, *visited], visited, strict=False):
        assert after is not before, f"{where}: Tab stayed on {describe(after)}: {names}"
    assert len(visited) == len(set(map(id, visited))), f"{where}: a field came round twice: {names}"
    missed = [describe(w) for w in stops if w not in visited]
    assert not missed, f"{where}: Tab never reached {missed}"
    return visited


def focus_first(window: MainWindow) -> None:
    """Start where a clerk's Tab starts on a page: in the side bar."""
    window.nav.setFocus()


def test_tab_goes_round_every_page(qtbot, ctx):
    window = show_window(qtbot, ctx)
    for key, entry in window.pages.items():
        page = window.show_page(key)
        tab_widgets = [page] if isinstance(page, QTabWidget) else []
        tab_widgets += [t for t in page.findChildren(QTabWidget) if t.isVisible()]
        focus_first(window)
        check_chain(window, entry.title)
        for tabs in tab_widgets:
            for index in range(1, tabs.count()):
                tabs.setCurrentIndex(index)
                focus_first(window)
                check_chain(window, f"{entry.title} → {tabs.tabText(index)}")


def test_tab_leaves_the_unlimited_date_for_overdue_and_the_list(qtbot, ctx):
    window = show_window(qtbot, ctx)
    page = window.show_page("requests")
    bar: RequestFilterBar = page.filter_bar  # type: ignore[attr-defined]
    assert bar.from_edit.text() == "不限"
    bar.to_edit.setFocus()
    qtbot.waitUntil(bar.to_edit.hasFocus, timeout=2000)
    for expected in (bar.overdue_check, page.view):  # type: ignore[attr-defined]
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert control_of(QApplication.focusWidget()) is expected
    # Backwards too: from the list, Shift+Tab comes back through 只看超期 and both dates.
    for expected in (bar.overdue_check, bar.to_edit, bar.from_edit, bar.urgency_combo):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab)
        assert control_of(QApplication.focusWidget()) is expected


def test_the_chain_check_fails_on_a_trap(qtbot, ctx):
    """A plain QDateEdit showing 「不限」 keeps Tab: the check above would say so."""
    from PySide6.QtCore import QDate
    from PySide6.QtWidgets import QDateEdit, QLineEdit, QVBoxLayout

    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    first, trap, last = QLineEdit(window), QDateEdit(window), QLineEdit(window)
    trap.setMinimumDate(QDate(2000, 1, 1))
    trap.setSpecialValueText("不限")
    trap.setDate(QDate(2000, 1, 1))
    for widget in (first, trap, last):
        layout.addWidget(widget)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    first.setFocus()
    with pytest.raises(AssertionError, match=r"stayed on|never came back"):
        check_chain(window, "trap")


def test_tab_goes_round_the_main_dialogs(qtbot, ctx, tmp_path):
    window = show_window(qtbot, ctx)
    for dialog in dialogs(window, ctx, tmp_path):
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.activateWindow()
        qtbot.waitUntil(lambda d=dialog: QApplication.activeWindow() is d, timeout=2000)
        check_chain(dialog, type(dialog).__name__)
        dialog.hide()
