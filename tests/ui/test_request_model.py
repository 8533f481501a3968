"""The request list's model: Qt's model rules, SQL sorting, marks for overdue and urgent rows,
in-place row updates, and paging on a database of 100,000 requests."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QApplication, QTableView

from xianghe_desk.domain.drafts import RequestDraft
from xianghe_desk.domain.enums import Status, Urgency
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.queries import RequestFilter, Sort
from xianghe_desk.jobs.runner import InlineRunner, Job
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.main_window import apply_text_percent
from xianghe_desk.ui.models.base import Role
from xianghe_desk.ui.models.requests import OVERDUE_BACKGROUND, URGENT_BACKGROUND, RequestTableModel

MULTIPLIED_TOTAL = 100_000


@pytest.fixture(scope="session")
def big_db(small_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo with its requests copied until there are at least 100,000.

    Plain SQL, not the generator: each copy gets a new sequence part in its work-order number
    (copy × 10000 + original sequence) and a new uuid, so numbers stay unique.
    """
    path = tmp_path_factory.mktemp("big") / "big.db"
    shutil.copy(small_demo, path)
    conn = sqlite3.connect(path)
    try:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(requests)") if row[1] != "id"]
        base = conn.execute("SELECT count(*) FROM requests").fetchone()[0]
        copies = -(-MULTIPLIED_TOTAL // base) - 1
        replaced = {
            "number": "substr(number, 1, 14) || printf('%06d', ? * 10000 + CAST(substr(number, 15) AS INTEGER))",
            "uuid": "lower(hex(randomblob(16)))",
            "external_number": "NULL",
        }
        select = ", ".join(replaced.get(c, c) for c in columns)
        sql = f"INSERT INTO requests ({', '.join(columns)}) SELECT {select} FROM requests WHERE id <= ?"
        conn.execute("PRAGMA synchronous = OFF")
        # Copies made here are not changes of this copy to send anywhere: keep the change log quiet.
        quiet = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sync_state'").fetchone()
        # Building the indexes once afterwards is much quicker than updating them row by row.
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'requests' AND sql IS NOT NULL"
        ).fetchall()
        with conn:
            if quiet:
                conn.execute("UPDATE sync_state SET applying = 1")
            for name, _sql in indexes:
                conn.execute(f'DROP INDEX "{name}"')
            for copy in range(1, copies + 1):
                conn.execute(sql, [copy, base])
            for _name, statement in indexes:
                conn.execute(statement)
            if quiet:
                conn.execute("UPDATE sync_state SET applying = 0")
    finally:
        conn.close()
    return path


def test_model_follows_qt_model_rules(qtmodeltester, ctx):
    model = RequestTableModel(ctx)
    model.reload()
    # Every matching request is a row (the count arrived with the inline runner); 200 were read.
    assert model.rowCount() == model.total() == 1500
    assert model.fetched_rows == 200
    qtmodeltester.check(model)


def test_every_column_sorts_in_sql_by_resetting(qtbot, ctx):
    model = RequestTableModel(ctx)
    model.reload()
    number = model.column_index("number")
    with qtbot.waitSignal(model.modelReset, timeout=1000):
        model.sort(number, Qt.SortOrder.AscendingOrder)
    assert model.sort_order == Sort("number", descending=False)
    numbers = [model.row_object(row).number for row in range(model.rowCount())]
    assert numbers == sorted(numbers)
    # The first page is the first 200 of the whole table, not 200 rows sorted in memory.
    assert numbers[0] == min(
        r.number for r in ctx.requests.list(RequestFilter(), Sort("number", False), 0, 2000)
    )
    for column in model.columns:
        model.sort(model.column_index(column.key), Qt.SortOrder.DescendingOrder)
        assert model.sort_order.descending
        assert model.rowCount() == 1500 and model.fetched_rows == 200
    model.sort(model.column_index("due_at"), Qt.SortOrder.DescendingOrder)
    dues = [model.row_object(row).due_at for row in range(model.rowCount())]
    assert dues == sorted(dues, reverse=True)


def test_overdue_rows_carry_a_word_and_an_icon_not_only_colour(ctx):
    model = RequestTableModel(ctx)
    model.set_filter(RequestFilter(overdue_only=True))
    assert model.rowCount() == ctx.requests.count(RequestFilter(overdue_only=True)) > 0
    column = model.column_index("overdue")
    index = model.index(0, column)
    assert index.data(Qt.ItemDataRole.DisplayRole).startswith("超期 ")
    assert index.data(Qt.ItemDataRole.DecorationRole) is not None
    background = model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole)
    assert isinstance(background, QBrush) and background.color() == OVERDUE_BACKGROUND
    assert "已超期" in model.index(0, 0).data(Qt.ItemDataRole.AccessibleTextRole)


def test_urgent_open_rows_are_marked_bold_and_coloured(ctx):
    village = ctx.places.villages(ctx.ws.home_town_id())[0]
    fresh = ctx.requests.register(
        RequestDraft("phone", "repairs", "屋顶漏雨", village.id, urgency=Urgency.URGENT, person_name="张三")
    )
    model = RequestTableModel(ctx)
    open_statuses = (Status.RECEIVED, Status.DISPATCHED, Status.IN_PROGRESS)
    model.set_filter(RequestFilter(urgency=Urgency.URGENT, statuses=open_statuses))
    row = model.row_of_id(fresh.id)
    assert row is not None
    urgency = model.index(row, model.column_index("urgency"))
    assert urgency.data() == "紧急"
    assert urgency.data(Qt.ItemDataRole.FontRole).bold()
    assert model.index(row, 0).data(Qt.ItemDataRole.BackgroundRole).color() == URGENT_BACKGROUND
    # The bold cell keeps to the desk's text size after Ctrl+= (a font made at the first paint did not).
    before = urgency.data(Qt.ItemDataRole.FontRole).pointSizeF()
    apply_text_percent(150)
    try:
        larger = urgency.data(Qt.ItemDataRole.FontRole)
        assert larger.bold() and larger.pointSizeF() == pytest.approx(QApplication.font().pointSizeF())
        assert larger.pointSizeF() > before
    finally:
        apply_text_percent(100)
    # A normal request that is on time has no marks at all.
    model.set_filter(RequestFilter(urgency=Urgency.NORMAL, statuses=(Status.CLOSED,)))
    late = {r for r in range(model.rowCount()) if model.row_object(r).is_overdue(ctx.now())}
    calm = next(r for r in range(model.rowCount()) if r not in late)
    assert model.index(calm, 0).data(Qt.ItemDataRole.BackgroundRole) is None
    assert model.index(calm, model.column_index("overdue")).data() == ""


def test_changed_rows_are_swapped_in_place_without_a_reset(qtbot, ctx):
    model = RequestTableModel(ctx)
    model.set_filter(RequestFilter(statuses=(Status.RECEIVED,)))
    row = 0
    request = model.row_object(row)
    member = ctx.members.handlers_for(request.village_id, request.grid_id)[0]
    ctx.requests.dispatch(request.id, member.id)
    with qtbot.assertNotEmitted(model.modelReset), qtbot.waitSignal(model.dataChanged, timeout=1000):
        missing = model.refresh_ids([request.id, 999_999])
    assert missing == [999_999]
    assert model.index(row, model.column_index("status")).data() == "已派单"
    assert model.index(row, model.column_index("handler")).data() == member.name
    assert model.index(row, 0).data(Role.IdRole) == request.id


def test_hundred_thousand_requests_open_and_scroll_without_loading_everything(qtbot, big_db, clock):
    ctx = DeskContext(big_db, runner=InlineRunner(), clock=clock)
    try:
        model = RequestTableModel(ctx)
        view = QTableView()
        qtbot.addWidget(view)
        view.resize(900, 600)
        view.setModel(model)
        model.reload()
        view.show()
        qtbot.waitExposed(view)
        assert model.total() >= MULTIPLIED_TOTAL
        # The scroll bar spans every request; only the first block was read.
        assert model.rowCount() == model.total()
        assert model.fetched_rows == 200
        bar = view.verticalScrollBar()
        # Like a clerk dragging the scroll bar to the end, and back to the middle: only the
        # blocks the view shows are read, from the end (backwards) and by a skip from there.
        bar.setValue(bar.maximum())
        qtbot.waitUntil(lambda: model.fetched_rows > 200, timeout=3000)
        last = model.index(model.rowCount() - 1, 0).data(Role.IdRole)
        expected = ctx.requests.page(RequestFilter(), model.sort_order, 1, reverse=True)[0].id
        assert last == expected
        bar.setValue(bar.maximum() // 2)
        qtbot.waitUntil(lambda: model.fetched_rows > 400, timeout=3000)
        assert model.fetched_rows <= 1000
        assert model.kept_rows() <= model.max_blocks * model.page_size
        # Sorting and filtering stay windowed too.
        model.sort(model.column_index("person_name"), Qt.SortOrder.AscendingOrder)
        assert model.fetched_rows == 200
        model.set_filter(RequestFilter(statuses=(Status.CLOSED,)))
        assert model.fetched_rows == 200 and model.rowCount() == model.total() > 90_000
    finally:
        ctx.close()


def test_the_first_rows_and_the_count_are_read_off_the_ui_thread(qtbot, small_demo, tmp_path, clock):
    path = tmp_path / "threaded.db"
    shutil.copy(small_demo, path)
    ctx = DeskContext(path, clock=clock)  # real reader and writer pools
    try:
        model = RequestTableModel(ctx)
        on_ui_thread: list[str] = []
        ctx.ws.db.conn.set_trace_callback(on_ui_thread.append)
        with (
            qtbot.waitSignal(model.total_changed, timeout=5000) as counted,
            qtbot.waitSignal(model.first_rows_arrived, timeout=5000),
        ):
            model.set_filter(RequestFilter(statuses=(Status.CLOSED,)))
            # Nothing yet, and the view may not page on (it would count on the UI thread).
            assert model.loading() and model.rowCount() == 0 and not model.canFetchMore()
            assert model.total() == -1
        ctx.ws.db.conn.set_trace_callback(None)
        assert not [sql for sql in on_ui_thread if "requests" in sql]
        assert counted.args == [1448]
        assert model.total() == 1448 == model.rowCount() and not model.loading()
        assert model.item(0) is not None and model.kept_rows() == 200
        # A count for a filter that has since changed is dropped.
        model.set_filter(RequestFilter(statuses=(Status.RECEIVED,)))
        model.set_filter(RequestFilter(statuses=(Status.CANCELLED,)))
        qtbot.waitUntil(lambda: model.total() == 29, timeout=5000)
        assert ctx.runner.wait_for_done()
        qtbot.wait_until(lambda: not ctx.runner._running, timeout=5000)
        assert model.total() == 29
    finally:
        ctx.close()


class _HeldRunner(InlineRunner):
    """Keeps submitted jobs for the test to run in the order it chooses."""

    def __init__(self) -> None:
        super().__init__()
        self.held: list[Job] = []

    def _start(self, pool: Any, job: Job) -> Job:
        self.held.append(job)
        return job

    def run(self, name: str) -> None:
        job = next(j for j in self.held if j.name == name)
        self.held.remove(job)
        InlineRunner._start(self, self.reader, job)


@pytest.fixture
def held(small_demo, tmp_path, clock) -> Iterator[tuple[DeskContext, _HeldRunner]]:
    """A DeskContext on a copy of the small demo whose jobs wait for the test to run them."""
    path = tmp_path / "held.db"
    shutil.copy(small_demo, path)
    runner = _HeldRunner()
    ctx = DeskContext(path, runner=runner, clock=clock)
    yield ctx, runner
    ctx.close()


def test_a_count_that_arrives_before_the_first_rows_waits_for_them(qtbot, held):
    ctx, runner = held
    model = RequestTableModel(ctx)
    totals: list[int] = []
    model.total_changed.connect(totals.append)
    model.set_filter(RequestFilter(statuses=(Status.CLOSED,)))
    assert sorted(j.name for j in runner.held) == ["count", "first page"]
    runner.run("count")
    assert model.rowCount() == 0 and totals == [] and model.loading()
    runner.run("first page")
    assert totals == [1448] and model.rowCount() == 1448 and not model.loading()
    # Rows read for a filter that has changed since are dropped.
    model.set_filter(RequestFilter(statuses=(Status.CANCELLED,)))
    stale = list(runner.held)
    runner.held.clear()
    model.set_filter(RequestFilter(statuses=(Status.RECEIVED,)))
    runner.held[:0] = stale
    runner.run("first page")  # the CANCELLED one, submitted first: dropped
    assert model.loading() and model.total() == -1
    # The last filter's rows stay until the new ones arrive (no blank list in between), and
    # nothing of the new filter is read into them meanwhile.
    assert model.rowCount() == 1448
    assert model.item(1000) is None and not model.canFetchMore()
    runner.run("first page")
    runner.run("count")
    runner.run("count")
    received = ctx.requests.count(RequestFilter(statuses=(Status.RECEIVED,)))
    assert model.total() == received == model.rowCount()


@pytest.mark.allow_log_errors  # the failed read is logged
def test_a_first_block_that_cannot_be_read_says_so(qtbot, small_demo, tmp_path, clock, monkeypatch):
    from xianghe_desk.services.requests import RequestService

    path = tmp_path / "broken.db"
    shutil.copy(small_demo, path)
    ctx = DeskContext(path, runner=InlineRunner(), clock=clock)
    try:
        model = RequestTableModel(ctx)
        failures: list[str] = []
        model.load_failed.connect(failures.append)

        def broken(*_args: Any, **_kwargs: Any) -> None:
            raise ValidationError("读不出来")

        monkeypatch.setattr(RequestService, "page", broken)
        model.set_filter(RequestFilter(statuses=(Status.CLOSED,)))
        assert failures == ["读不出来"] and not model.loading()
    finally:
        ctx.close()


def test_a_change_while_the_new_rows_are_read_reads_the_list_again(qtbot, held):
    """A request dispatched, then 已派单 chosen at once: the new filter's first block may have been
    read before the dispatch was saved, so a change arriving while it loads reloads the list
    (review: the request went missing and the list ended in an empty row)."""
    ctx, runner = held
    model = RequestTableModel(ctx)
    model.set_filter(RequestFilter(statuses=(Status.RECEIVED,)))
    runner.run("first page")
    runner.run("count")
    shown = model.id_of_row(0)
    assert shown is not None
    model.set_filter(RequestFilter(statuses=(Status.DISPATCHED,)))
    assert model.loading() and model.id_of_row(0) == shown  # the old rows, still on screen
    assert model.refresh_ids([shown]) == [shown]  # not swapped in place: read the list again


@pytest.mark.allow_log_errors
def test_an_older_filters_failed_read_leaves_the_current_one_loading(qtbot, held):
    ctx, runner = held
    model = RequestTableModel(ctx)
    failures: list[str] = []
    model.load_failed.connect(failures.append)
    model.set_filter(RequestFilter(statuses=(Status.CLOSED,)))
    older = next(j for j in runner.held if j.name == "first page")

    def broken(_ws: Any, _job: Any) -> None:
        raise ValidationError("读不出来")

    older.work = broken
    model.set_filter(RequestFilter(statuses=(Status.CANCELLED,)))
    runner.run("first page")  # the older one fails
    assert failures == [] and model.loading() and not model.canFetchMore()
    runner.run("first page")
    runner.run("count")
    runner.run("count")
    assert model.total() == 29 == model.rowCount() and not model.loading()
