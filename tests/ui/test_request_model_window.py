"""The request list keeps a window of rows (issue #13): the row count is the whole list, any row
reads on demand in the right order, memory holds a few blocks however far the view goes, and
Ctrl+End, Home, selection and "open" keep working."""

from __future__ import annotations

from typing import Any

import pytest

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest

from xianghe_desk.domain.queries import RequestFilter, Sort
from xianghe_desk.ui.models.base import Role, WindowTableModel
from xianghe_desk.ui.models.requests import RequestTableModel
from xianghe_desk.ui.widgets.table import DeskTableView

ALL = 10**9


def _expected(ctx, flt: RequestFilter, sort: Sort) -> list[int]:
    return [r.id for r in ctx.requests.list(flt, sort, 0, ALL)]


@pytest.fixture
def small_window(ctx):
    model = RequestTableModel(ctx, page_size=50, max_blocks=4)
    model.reload()
    return model


def test_every_row_reads_in_order_while_only_a_window_is_kept(ctx, small_window):
    model = small_window
    expected = _expected(ctx, RequestFilter(), Sort())
    assert model.rowCount() == len(expected) == 1500
    assert model.kept_rows() == 50
    # Top to bottom, bottom to top and in jumps: the same ids as the offset query, 4 blocks kept.
    assert [model.id_of_row(r) for r in range(model.rowCount())] == expected
    assert model.kept_rows() <= 4 * 50
    assert [model.id_of_row(r) for r in reversed(range(model.rowCount()))] == expected[::-1]
    for row in (1499, 0, 777, 1320, 51, 1000, 2):
        assert model.index(row, 0).data(Role.IdRole) == expected[row]
    assert model.kept_rows() <= 4 * 50


@pytest.mark.parametrize("column", ["handler", "grid", "status", "village", "person_name"])
def test_a_jump_to_the_middle_of_any_sort_reads_the_right_rows(ctx, column):
    model = RequestTableModel(ctx, page_size=40, max_blocks=3)
    model.reload()
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        model.sort(model.column_index(column), order)
        expected = _expected(ctx, RequestFilter(), model.sort_order)
        # The end first (read backwards from the end), then rows between known keys.
        for row in (1499, 1400, 733, 39, 40, 1100, 734):
            assert model.id_of_row(row) == expected[row], (column, order, row)


def test_the_first_block_shows_before_the_count_and_fetch_more_counts(ctx, monkeypatch):
    model = RequestTableModel(ctx, page_size=100)
    monkeypatch.setattr(model, "recount", lambda: None)  # the count job has not answered yet
    model.set_filter(RequestFilter())
    assert model.rowCount() == 100 and model.total() == -1
    assert model.canFetchMore(QModelIndex())
    # The view asks for more (the clerk scrolls on): the count is taken and the list is whole.
    model.fetchMore(QModelIndex())
    assert model.rowCount() == model.total() == 1500
    assert not model.canFetchMore(QModelIndex())


def test_ctrl_end_home_and_open_in_the_view(qtbot, ctx):
    model = RequestTableModel(ctx, page_size=50, max_blocks=4)
    view = DeskTableView()
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.setModel(model)
    model.reload()
    view.show()
    qtbot.waitExposed(view)
    expected = _expected(ctx, RequestFilter(), Sort())
    view.setFocus()
    view.setCurrentIndex(model.index(0, 0))
    QTest.keyClick(view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert view.currentIndex().row() == 1499
    assert view.currentIndex().data(Role.IdRole) == expected[-1]
    # Only the first block and the blocks around the end were read, not the way there.
    assert model.fetched_rows <= 4 * 50
    QTest.keyClick(view, Qt.Key.Key_PageUp)
    assert 1400 < view.currentIndex().row() < 1499
    QTest.keyClick(view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    assert view.currentIndex().row() == 0
    assert view.currentIndex().data(Role.IdRole) == expected[0]
    opened = []
    view.open_requested.connect(lambda index: opened.append(index.data(Role.IdRole)))
    view.setCurrentIndex(model.index(1234, 0))
    QTest.keyClick(view, Qt.Key.Key_Return)
    assert opened == [expected[1234]]


def test_the_page_selects_and_reads_rows_outside_the_window(qtbot, ctx):
    from xianghe_desk.ui.pages.requests import RequestsPage

    page = RequestsPage(ctx)
    qtbot.addWidget(page)
    page.model.max_blocks = 2
    expected = _expected(ctx, RequestFilter(), page.model.sort_order)
    assert page.model.rowCount() == 1500
    page.view.selectAll()
    assert page.selection_label.text().startswith("已选 1500 张")
    assert page.selected_ids() == expected
    assert page.model.kept_rows() <= 2 * page.model.page_size
    assert [r.id for r in page.selected_requests()[:3]] == expected[:3]


class _Numbers(WindowTableModel):
    """A window over a list of numbers that the test changes under it, as other clerks' saves do."""

    def __init__(self, data: list[int]) -> None:
        super().__init__(page_size=200, max_blocks=3)
        self.data = data

    def _read(self, limit: int, after: Any, skip: int, reverse: bool) -> list[int]:
        seq = self.data[::-1] if reverse else self.data
        start = (
            0
            if after is None
            else next((n for n, v in enumerate(seq) if (v < after if reverse else v > after)), len(seq))
        )
        return seq[start + skip : start + skip + limit]

    def _key(self, row: int) -> int:
        return row

    def _prepare(self, rows: list[int]) -> list[int]:
        return list(rows)

    def _row_of(self, item: int) -> int:
        return item


def test_rows_gone_since_the_count_never_show_twice(qapp) -> None:
    """Review finding: rows read backwards from the end after rows left the list landed as many
    places too low, so rows near block edges showed twice and others not at all."""
    data = list(range(1000))
    model = _Numbers(data)
    model.reset_rows(True)
    model.set_total(1000)
    del data[-50:]  # 50 rows leave the list; the recount says so
    model.mark_drifted()
    shown = [model.item(row) for row in range(1000)]
    real = [v for v in shown if v is not None]
    assert real == list(range(950)), "every remaining row once, in order"
    assert shown[800] == 800 and shown[949] == 949 and shown[950:] == [None] * 50


def test_a_short_backward_read_ends_at_the_end(qapp) -> None:
    data = list(range(1000))
    model = _Numbers(data)
    model.reset_rows(True)
    model.set_total(1000)
    # Without a recount (rows left unnoticed) the last block is read backwards from the end: the
    # rows there end at the last row and the gap is at the block's start, not its end.
    del data[:850]  # only 850…999 remain: the block 800…999 reads 150 rows backwards
    block = [model.item(row) for row in range(800, 1000)]
    assert block[-1] == 999 and block[50] == 850 and block[:50] == [None] * 50
