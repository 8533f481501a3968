"""Large text (issue #8): at 125 % and 150 % the report tables show whole figures and headers, also
after Ctrl+= on a page that is already open, and the village tree keeps its official names."""

from __future__ import annotations

import pytest

from PySide6.QtWidgets import QAbstractItemView, QTableWidget

from tests.ui.helpers import show_window
from xianghe_desk.ui.main_window import MainWindow, apply_text_percent
from xianghe_desk.ui.pages.reports import ReportsPage
from xianghe_desk.ui.widgets.column_fit import content_width, header_of

pytestmark = pytest.mark.usefixtures("reset_text_size")


def too_narrow(view: QAbstractItemView) -> list[str]:
    """Columns narrower than their widest cell or their header text."""
    header = header_of(view)
    model = view.model()
    found = []
    for column in range(header.count()):
        if header.isSectionHidden(column):
            continue
        need = content_width(view, column)
        if header.sectionSize(column) < need:
            title = model.headerData(column, header.orientation())
            found.append(f"「{title}」 {header.sectionSize(column)} < {need}")
    return found


def report_tables(page: ReportsPage) -> list[tuple[str, QTableWidget]]:
    """Each shown tab's table, made current in turn (a hidden tab is not laid out)."""
    shown = []
    for index in range(page.tabs.count()):
        if page.tabs.isTabVisible(index):
            page.tabs.setCurrentIndex(index)
            table = page.tabs.widget(index)
            assert isinstance(table, QTableWidget)
            shown.append((page.tabs.tabText(index), table))
    return shown


def reports_page(qtbot, ctx, window: MainWindow) -> ReportsPage:
    page = window.show_page("reports")
    assert isinstance(page, ReportsPage)
    page.activate(month="2026-11")
    qtbot.waitUntil(lambda: page.current is not None and page.current.choice.month == "2026-11", timeout=5000)
    return page


@pytest.mark.parametrize("percent", [125, 150])
def test_report_columns_fit_their_contents_at_large_text(qtbot, ctx, percent):
    apply_text_percent(percent)
    window = show_window(qtbot, ctx)
    page = reports_page(qtbot, ctx, window)
    tables = report_tables(page)
    assert len(tables) == 4
    for title, table in tables:
        assert table.rowCount() > 0, title
        assert not too_narrow(table), title
        # The rates read in full: the widest 「100.0%」 is not cut to 「10…」.
        rates = [table.item(row, table.columnCount() - 1).text() for row in range(table.rowCount())]
        assert all(rate.endswith("%") for rate in rates), title


def test_report_columns_refit_after_ctrl_plus_on_an_open_page(qtbot, ctx):
    window = show_window(qtbot, ctx)
    page = reports_page(qtbot, ctx, window)
    widths = {title: widths_of(table) for title, table in report_tables(page)}
    window.set_text_percent(150)
    for title, table in report_tables(page):
        # Every figure column grows with the text (the names' column takes what room is left).
        qtbot.waitUntil(
            lambda t=table, w=widths[title]: all(a > b for a, b in zip(widths_of(t), w, strict=True)),
            timeout=2000,
        )
        assert not too_narrow(table), title
        # Rows grew with the text too.
        assert table.verticalHeader().defaultSectionSize() >= table.fontMetrics().height() * 1.5


def widths_of(table: QTableWidget) -> list[int]:
    return [table.columnWidth(column) for column in range(1, table.columnCount())]


def test_headers_show_their_full_text_as_tooltip(qtbot, ctx):
    window = show_window(qtbot, ctx)
    page = reports_page(qtbot, ctx, window)
    from PySide6.QtCore import Qt

    for title, table in report_tables(page):
        for column in range(table.columnCount()):
            text = table.horizontalHeaderItem(column).text()
            assert (
                table.model().headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
                == text
            ), title


@pytest.mark.parametrize("percent", [125, 150])
def test_village_tree_columns_fit_at_large_text(qtbot, ctx, percent):
    window = show_window(qtbot, ctx)
    page = window.show_page("villages")
    window.set_text_percent(percent)
    tree = page.tree  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: not too_narrow(tree), timeout=2000)
    official = tree.model().index(0, 1, tree.model().index(0, 0))
    assert tree.columnWidth(1) >= tree.sizeHintForColumn(1)
    assert official.data().endswith("委员会")
