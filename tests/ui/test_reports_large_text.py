"""统计报表 at large text in a 1366×768 window: the page needs 887 px at 150 %, so below the choice of
scope and month it scrolls; the window keeps to the screen and every button can be reached."""

from __future__ import annotations

import pytest

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QWidget

from tests.ui.helpers import show_window
from xianghe_desk.ui.main_window import MainWindow
from xianghe_desk.ui.pages.reports import ReportsPage

pytestmark = pytest.mark.usefixtures("reset_text_size", "shipped_font")

WIDTH, HEIGHT = 1366, 768


def reports_page(qtbot, window: MainWindow) -> ReportsPage:
    page = window.show_page("reports")
    assert isinstance(page, ReportsPage)
    page.activate(month="2026-11")
    qtbot.wait_until(
        lambda: page.current is not None and page.current.choice.month == "2026-11", timeout=5000
    )
    return page


def at_text_size(qtbot, window: MainWindow, page: ReportsPage, percent: int) -> None:
    """Ctrl+= to ``percent``; wait until the page's widgets have the new font."""
    window.set_text_percent(percent)
    size = QApplication.font().pointSizeF()
    tile = next(iter(page.tiles.values()))
    # The new font reaches the widgets through posted events; the layouts follow (laid_out).
    qtbot.wait_until(lambda: tile.font().pointSizeF() == size, timeout=3000)


def laid_out(qtbot, page: ReportsPage) -> None:
    """Wait until the tiles have their new height and the content at least its minimum."""
    tile = next(iter(page.tiles.values()))
    qtbot.wait_until(lambda: tile.height() == tile.sizeHint().height(), timeout=3000)
    qtbot.wait_until(lambda: page.body.height() >= page.body.minimumSizeHint().height(), timeout=3000)


def in_sight(page: ReportsPage, widget: QWidget) -> bool:
    """The whole widget shows within the scroll area's viewport, and that within the window."""
    viewport = page.scroll_area.viewport()
    rect = QRect(widget.mapTo(viewport, QPoint(0, 0)), widget.size())
    window = page.window()
    shown = QRect(viewport.mapTo(window, QPoint(0, 0)), viewport.size())
    return viewport.rect().contains(rect) and window.rect().contains(shown)


def print_box_widgets(page: ReportsPage) -> list[QWidget]:
    return [page.report_button, page.excel_button, page.notice_paper, page.notice_button]


def test_the_window_keeps_to_a_1366x768_screen_at_150_percent(qtbot, ctx):
    window = show_window(qtbot, ctx, WIDTH, HEIGHT)
    page = reports_page(qtbot, window)
    at_text_size(qtbot, window, page, 150)
    # Before, the page's minimum (887 px at 150 %) pushed the window's bottom off a 768 screen,
    # the print box's last line and the status bar with it.
    assert window.minimumSizeHint().height() <= HEIGHT
    assert window.minimumSizeHint().width() <= WIDTH
    laid_out(qtbot, page)
    assert window.size().toTuple() == (WIDTH, HEIGHT)
    # The page needs more than there is (so it scrolls) ...
    bar = page.scroll_area.verticalScrollBar()
    assert page.body.minimumSizeHint().height() > page.scroll_area.viewport().height()
    assert bar.maximum() > 0
    # ... and scrolling brings every figure, the tables and the whole print box into sight.
    widgets = [*page.tiles.values(), page.summary, page.tabs, page.actions_box, *print_box_widgets(page)]
    widgets += [page.unprinted_label, page.order_paper, page.unprinted_button]
    for widget in widgets:
        page.scroll_area.ensureWidgetVisible(widget, 0, 0)
        assert in_sight(page, widget), widget.objectName() or type(widget).__name__
    # The choice of scope and month stays where it was, whatever is scrolled.
    bar.setValue(bar.maximum())
    assert page.month_edit.mapTo(window, QPoint(0, 0)).y() < page.scroll_area.mapTo(window, QPoint(0, 0)).y()


def test_tab_scrolls_the_print_box_into_sight(qtbot, ctx):
    window = show_window(qtbot, ctx, WIDTH, HEIGHT)
    page = reports_page(qtbot, window)
    at_text_size(qtbot, window, page, 150)
    laid_out(qtbot, page)
    page.scroll_area.verticalScrollBar().setValue(0)
    assert not in_sight(page, page.order_paper)  # below the fold at the top of the page
    page.excel_button.setFocus()
    for _ in range(8):
        if QApplication.focusWidget() is page.order_paper:
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.order_paper
    assert in_sight(page, page.order_paper)


def test_at_normal_text_the_page_fills_the_window_without_scrolling(qtbot, ctx):
    window = show_window(qtbot, ctx, WIDTH, HEIGHT)
    page = reports_page(qtbot, window)
    bar = page.scroll_area.verticalScrollBar()
    qtbot.wait_until(lambda: not bar.isVisible(), timeout=3000)  # once the first layout is done
    assert bar.maximum() == 0
    # The tables take the room the figures leave, as before the scroll area.
    assert page.body.height() == page.scroll_area.viewport().height()
    for widget in [*print_box_widgets(page), page.order_paper, page.unprinted_button]:
        assert in_sight(page, widget)
