"""Issue #13, the desk never blocks: the dashboard's and the status bar's counts are read on the
reader pool (never on the UI thread), page modules load when a page is first built, column
fitting measures a bounded sample of rows, and every page fits a 1366-pixel screen at 150 %."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QTableView, QTreeView

from tests.helpers import run_fresh_python
from tests.ui.helpers import show_window
from xianghe_desk.domain.queries import RequestFilter, Sort
from xianghe_desk.jobs.runner import InlineRunner, Job
from xianghe_desk.services.accounts import DEMO_PASSWORD
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.pages.dashboard import COUNTING, DashboardPage
from xianghe_desk.ui.widgets.column_fit import (
    IN_SIGHT_ROWS,
    SAMPLE_ROWS,
    WIDEST_TEXTS,
    content_width,
)

pytestmark = pytest.mark.usefixtures("reset_text_size")



class HeldRunner(InlineRunner):
    """Keeps the submitted jobs until ``release()`` runs them (in order, on this thread), so a
    test sees the screen while its reads are still under way."""

    def __init__(self) -> None:
        super().__init__()
        self.held: list[tuple[Any, Job]] = []
        self.ran: list[str] = []

    def _start(self, pool: Any, job: Job) -> Job:
        self.held.append((pool, job))
        return job

    def names(self) -> list[str]:
        return [job.name for _pool, job in self.held]

    def release(self) -> None:
        while self.held:
            pool, job = self.held.pop(0)
            self.ran.append(job.name)
            InlineRunner._start(self, pool, job)


@pytest.fixture
def held_ctx(qapp, demo_copy: Path, clock) -> Iterator[DeskContext]:
    context = DeskContext(demo_copy, runner=HeldRunner(), clock=clock)
    context.sign_in("admin", DEMO_PASSWORD)
    yield context
    context.runner.held.clear()  # type: ignore[attr-defined]
    context.close()


def refuse_ui_thread_reads(monkeypatch, ctx: DeskContext) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a request count or list ran on the UI thread")

    monkeypatch.setattr(ctx.requests, "count", refuse)
    monkeypatch.setattr(ctx.requests, "list", refuse)


def test_dashboard_counts_and_overdue_list_come_from_the_reader_pool(qtbot, held_ctx, monkeypatch):
    runner: HeldRunner = held_ctx.runner  # type: ignore[assignment]
    refuse_ui_thread_reads(monkeypatch, held_ctx)
    page = DashboardPage(held_ctx)
    qtbot.addWidget(page)
    assert runner.names() == ["dashboard", "dashboard-counts"]  # the series after the figures
    # Meanwhile a quiet 「正在统计…」, never a number that is not there yet.
    for key in ("overdue", "today", "completed", "completion_rate"):
        assert page.tiles[key].caption == COUNTING
    assert page.overdue_empty.text() == COUNTING and page.overdue_view.isHidden()
    page.refresh()  # while reading: no second set of jobs, one more read afterwards
    assert len(runner.held) == 2
    monkeypatch.undo()
    runner.release()
    jobs = ["dashboard", "dashboard-counts", "dashboard-series"]
    assert runner.ran == jobs + jobs

    ctx = held_ctx
    town_id = ctx.ws.home_town_id()
    for key in ("today", "received", "handling", "due_today", "overdue"):
        expected = ctx.requests.count(RequestFilter(town_id=town_id, **page.tile_filters[key]))
        assert page.tiles[key].value == f"{expected:,}", key
        assert page.tiles[key].caption != COUNTING
    overdue = ctx.requests.list(RequestFilter(overdue_only=True), Sort("due_at", descending=False), 0, 50)
    model = page.overdue_model
    assert overdue and [model.id_of_row(i) for i in range(model.rowCount())] == [r.id for r in overdue]
    assert not page.overdue_view.isHidden() and page.overdue_empty.isHidden()
    assert page.figures is not None and page.tiles["completion_rate"].caption != COUNTING
    # The list's own reload (the benchmark times it) still reads the same rows itself.
    model.reload()
    assert [model.id_of_row(i) for i in range(model.rowCount())] == [r.id for r in overdue]


def test_dashboard_keeps_its_numbers_while_it_counts_again(qtbot, held_ctx):
    runner: HeldRunner = held_ctx.runner  # type: ignore[assignment]
    page = DashboardPage(held_ctx)
    qtbot.addWidget(page)
    runner.release()
    before = {key: tile.value for key, tile in page.tiles.items()}
    page.refresh()
    assert runner.names() == ["dashboard", "dashboard-counts"]
    assert {key: tile.value for key, tile in page.tiles.items()} == before
    runner.release()
    assert {key: tile.value for key, tile in page.tiles.items()} == before


@pytest.mark.allow_log_errors
def test_dashboard_says_when_its_counts_failed(qtbot, held_ctx, monkeypatch):
    from xianghe_desk.ui.pages import dashboard

    def broken(*_args: object) -> Any:
        def work(_ws: object, _job: object) -> None:
            raise RuntimeError("the disk went away")

        return work

    monkeypatch.setattr(dashboard, "today_counts_work", broken)
    page = DashboardPage(held_ctx)
    qtbot.addWidget(page)
    held_ctx.runner.release()  # type: ignore[attr-defined]
    assert page.tiles["overdue"].value == "—" and "F5" in page.tiles["overdue"].caption
    assert "F5" in page.overdue_empty.text() and not page.overdue_empty.isHidden()


def test_status_bar_counts_come_from_the_reader_pool(qtbot, held_ctx, monkeypatch):
    runner: HeldRunner = held_ctx.runner  # type: ignore[assignment]
    refuse_ui_thread_reads(monkeypatch, held_ctx)
    window = show_window(qtbot, held_ctx)
    assert "status-counts" in runner.names()
    assert window.overdue_button.text() == "超期 … 张"
    assert window.due_today_button.text() == "今日到期 … 张"
    monkeypatch.undo()
    runner.release()
    town_id = held_ctx.home_place()[0]
    overdue = held_ctx.requests.count(RequestFilter(town_id=town_id, overdue_only=True))
    due_today = held_ctx.requests.count(RequestFilter(town_id=town_id, due_today=True))
    assert overdue and window.overdue_button.text() == f"⚠ 超期 {overdue} 张"
    assert window.due_today_button.text() == f"今日到期 {due_today} 张"
    # A change while counting: the old numbers stay, and it counts once more afterwards.
    window.refresh_status()
    window.refresh_status()
    assert runner.names().count("status-counts") == 1
    assert window.overdue_button.text() == f"⚠ 超期 {overdue} 张"
    runner.ran.clear()
    runner.release()
    assert runner.ran.count("status-counts") == 2


def test_starting_the_desk_imports_no_page_but_the_dashboard():
    code = (
        "import sys\n"
        "import xianghe_desk.ui.main_window as m\n"
        "pages = sorted(n for n in sys.modules if n.startswith('xianghe_desk.ui.pages.'))\n"
        "assert pages == [], pages\n"
        "heavy = [n for n in ('openpyxl',) if n in sys.modules]\n"
        "assert heavy == [], heavy\n"
        "import importlib\n"
        "from xianghe_desk.ui import page_table\n"
        "for name in page_table.PAGE_MODULES: importlib.import_module(name)\n"
    )
    run_fresh_python(code)


def test_the_warm_up_imports_what_the_pages_need_once_the_reader_is_free(qtbot, held_ctx, monkeypatch):
    from xianghe_desk.ui import main_window, page_table

    runner: HeldRunner = held_ctx.runner  # type: ignore[assignment]
    window = show_window(qtbot, held_ctx)
    qtbot.waitUntil(lambda: "warm-up" in runner.names(), timeout=5000)
    imported: list[str] = []
    monkeypatch.setattr(main_window, "import_page_module", imported.append)
    runner.release()
    assert "warm-up" in runner.ran
    assert all(name in sys.modules for name in main_window.WARM_UP_MODULES)
    assert window.isVisible()
    # Then the pages' own modules, on the UI thread, one per turn of the event loop: widgets,
    # models and dialogs not imported yet, then the pages.
    assert len(imported) == 1
    qtbot.wait_until(
        lambda: imported[-len(page_table.PAGE_MODULES) :] == list(page_table.PAGE_MODULES), timeout=9000
    )
    assert all(".ui." in name for name in imported)


def test_the_warm_up_makes_no_qt_type_off_the_ui_thread():
    """The modules warmed up on a reader thread import no Qt at all (PySide6 types made on two
    threads at once once gave a header the wrong type); the page modules wait for the UI thread."""
    code = (
        "import sys, importlib\n"
        "from xianghe_desk.ui import main_window as m\n"
        "before = {n for n in sys.modules if n.startswith('PySide6')}\n"
        "for name in m.WARM_UP_MODULES: importlib.import_module(name)\n"
        "after = {n for n in sys.modules if n.startswith('PySide6')}\n"
        "assert after == before, sorted(after - before)\n"
        "assert not [n for n in m.WARM_UP_MODULES if '.ui.' in n]\n"
    )
    run_fresh_python(code)


class CountingModel(QAbstractTableModel):
    """Many rows of a few texts; counts the model's data() calls."""

    TEXTS = ("短", "中等长度的文字", "这是一段比较长的单元格文字，最宽")

    def __init__(self, rows: int) -> None:
        super().__init__()
        self.rows = rows
        self.calls = 0

    def rowCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self.rows

    def columnCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else 2

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        self.calls += 1
        if role == Qt.ItemDataRole.DisplayRole:
            return self.TEXTS[(index.row() + index.column()) % len(self.TEXTS)]
        return None


def test_fitting_a_list_column_measures_the_rows_in_sight_and_never_cuts_text(qtbot):
    model = CountingModel(5000)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(600, 400)
    view.show()
    model.calls = 0
    ours = content_width(view, 0)
    assert model.calls <= IN_SIGHT_ROWS + 3 * (SAMPLE_ROWS + WIDEST_TEXTS)
    qt_width = view.sizeHintForColumn(0)  # Qt's own: up to 1,000 rows, seven roles each
    assert model.calls > 1000
    assert qt_width <= ours <= qt_width + 2


def test_fitting_a_small_table_measures_every_row_and_bold_text(qtbot):
    model = QStandardItemModel()
    for row in range(300):
        item = QStandardItem("短" if row != 250 else "这一行在下面很远，文字也最长")
        if row == 250:
            bold = QFont()
            bold.setBold(True)
            item.setFont(bold)
        model.appendRow([item])
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(400, 300)
    view.show()
    qt_width = view.sizeHintForColumn(0)
    assert qt_width <= content_width(view, 0, every_row=True) <= qt_width + 2
    assert content_width(view, 0) < qt_width  # only the rows in sight: row 250 is not among them


def test_fitting_a_tree_column_counts_the_indentation(qtbot):
    model = QStandardItemModel()
    for town in range(3):
        parent = QStandardItem(f"第{town}镇")
        for village in range(40):
            parent.appendRow([QStandardItem("村" * (1 + village % 7)), QStandardItem(str(village))])
        model.appendRow([parent, QStandardItem("")])
    view = QTreeView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.expandAll()
    view.resize(500, 300)
    view.show()
    for column in (0, 1):
        # Qt's own measure, and the header's text (content_width never cuts the header either)
        qt_width = max(view.sizeHintForColumn(column), view.header().sectionSizeHint(column))
        assert qt_width <= content_width(view, column) <= qt_width + 2, column


def test_every_page_fits_a_1366_screen_at_150_percent(qtbot, ctx):
    window = show_window(qtbot, ctx)
    window.set_text_percent(150)
    QApplication.processEvents()
    for key in window.pages:
        window.show_page(key)
        QApplication.processEvents()
        assert window.minimumSizeHint().width() <= 1366, key


def test_the_month_tiles_show_before_the_series_and_the_visits_are_read(qtbot, held_ctx, monkeypatch):
    from xianghe_desk.ui.pages import dashboard

    runner: HeldRunner = held_ctx.runner  # type: ignore[assignment]
    asked: list[int | None] = []
    series_work = dashboard.month_series_work

    def recorded(town_id: int | None) -> Any:
        asked.append(town_id)
        return series_work(town_id)

    monkeypatch.setattr(dashboard, "month_series_work", recorded)
    page = DashboardPage(held_ctx)
    qtbot.addWidget(page)
    pool, first = runner.held.pop(0)
    assert first.name == "dashboard"
    InlineRunner._start(runner, pool, first)
    # This month's figures are on their tiles; the chart's and the visits' job only now starts.
    assert runner.names() == ["dashboard-counts", "dashboard-series"]
    assert page.figures is not None and page.series is None
    for key in ("completed", "completion_rate", "satisfaction_rate"):
        assert page.tiles[key].caption != COUNTING, key
    for key in ("visits_week", "visits_overdue"):
        assert page.tiles[key].caption == COUNTING, key
    runner.release()
    assert page.series is not None and len(page.series.series) == 12
    # The home town's series and visits (as the figures).
    from xianghe_desk.services.dashboard import DashboardService
    from xianghe_desk.services.visits import VisitService

    town_id = held_ctx.ws.home_town_id()
    assert town_id is not None and asked == [town_id]
    assert page.series.series == DashboardService(held_ctx.ws).monthly_series(12, town_id)
    assert page.series.visits == VisitService(held_ctx.ws).counts(town_id)
    for key in ("visits_week", "visits_overdue"):
        assert page.tiles[key].caption != COUNTING, key


def test_settings_tabs_are_built_when_first_shown(qtbot, held_ctx):
    from xianghe_desk.ui.pages.settings import SettingsPage

    page = SettingsPage(held_ctx)
    qtbot.addWidget(page)
    first = page.sections()[0]
    assert [s for s in page.sections() if s in page._built] == [first]
    assert page.backup_panel is None and page.intervals_tab is None
    page.activate(section="backup")
    assert page.backup_panel is not None and page.tab("backup") is page.backup_panel
    assert page.tabs.tabText(page.tabs.currentIndex()) == "备份与恢复"
    assert page.intervals_tab is None and "due" not in page._built
    page.open_tab("due")
    assert page.due_boxes


@pytest.mark.parametrize("which", ["residents", "members"])
def test_person_lists_count_on_the_reader_pool(qtbot, held_ctx, monkeypatch, which):
    from xianghe_desk.domain.queries import PersonFilter
    from xianghe_desk.ui.models.members import MemberTableModel
    from xianghe_desk.ui.models.residents import ResidentTableModel

    runner: HeldRunner = held_ctx.runner  # type: ignore[assignment]
    service = held_ctx.residents if which == "residents" else held_ctx.members
    expected = service.count(PersonFilter())

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a count ran on the UI thread")

    monkeypatch.setattr(service, "count", refuse)
    model_class = ResidentTableModel if which == "residents" else MemberTableModel
    model = model_class(held_ctx, None, page_size=5)
    seen: list[int] = []
    model.total_changed.connect(seen.append)
    model.reload()
    assert model.rowCount() == 5 and model.total() == -1 and model.total_text() == "… 人"
    assert runner.names() == ["count"] and model.canFetchMore()
    model.fetchMore()  # scrolling on before the count: pages go on, still no count here
    assert model.rowCount() == 10
    monkeypatch.undo()
    model.set_filter(PersonFilter())  # a new filter: the older count is dropped
    runner.release()
    assert seen == [expected] and model.total() == expected and model.total_text() == f"{expected:,} 人"
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == expected


def test_a_short_list_knows_its_count_without_a_job(qtbot, held_ctx):
    from xianghe_desk.domain.queries import PersonFilter
    from xianghe_desk.ui.models.members import MemberTableModel

    runner: HeldRunner = held_ctx.runner  # type: ignore[assignment]
    expected = held_ctx.members.count(PersonFilter())
    model = MemberTableModel(held_ctx, None, page_size=expected + 1)
    model.reload()
    assert model.total() == expected == model.rowCount() and "count" not in runner.names()
    assert not model.canFetchMore()


@pytest.mark.allow_log_errors
def test_the_chart_and_visits_still_come_when_the_month_figures_fail(qtbot, held_ctx, monkeypatch):
    from xianghe_desk.ui.pages import dashboard

    def broken(*_args: object) -> Any:
        def work(_ws: object, _job: object) -> None:
            raise RuntimeError("the disk went away")

        return work

    monkeypatch.setattr(dashboard, "month_figures_work", broken)
    page = DashboardPage(held_ctx)
    qtbot.addWidget(page)
    held_ctx.runner.release()  # type: ignore[attr-defined]
    assert page.tiles["completion_rate"].value == "—" and "F5" in page.tiles["completion_rate"].caption
    assert page.series is not None and page.tiles["visits_week"].caption != COUNTING
    assert not page._reading()


def test_after_the_warm_up_the_pages_are_built_ahead_hidden_one_per_turn(qtbot, held_ctx, monkeypatch, caplog):
    """A first visit then only shows and paints a page (issue #13): built, laid out and painted in
    one turn it held the window 50–120 ms at a million requests. The clerk stays where they are; a
    page that fails to build ahead is logged, and the clerk's own visit says so."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    from xianghe_desk.ui import main_window, page_table

    monkeypatch.setattr(main_window, "BUILD_AHEAD", True)
    monkeypatch.setattr(main_window, "SWITCH_QUIET_S", 0.0)
    runner: HeldRunner = held_ctx.runner  # type: ignore[assignment]
    window = show_window(qtbot, held_ctx)
    shown = window.stack.currentWidget()
    keys = list(window.pages)
    assert all(window.pages[k].widget is None for k in keys[1:])  # only the page on show
    broken = keys[-1]

    def fails(_ctx: object, _parent: object) -> None:
        raise RuntimeError("this page is broken")

    window.pages[broken].factory = fails  # type: ignore[assignment]
    built_order: list[str] = []
    loud: list[str] = []
    real_page = window.page

    def page(key: str, quiet: bool = False) -> Any:
        if window.pages[key].widget is None:
            (built_order if quiet else loud).append(key)  # building ahead opens no message box
        return real_page(key, quiet)

    monkeypatch.setattr(window, "page", page)
    # Not while a dialog is open.
    box = QMessageBox(QMessageBox.Icon.Information, "提示", "一个对话框", parent=window)
    box.setModal(True)
    box.open()
    qtbot.waitUntil(lambda: "warm-up" in runner.names(), timeout=5000)
    runner.release()
    qtbot.wait_until(lambda: any(n == page_table.PAGE_MODULES[-1] for n in sys.modules), timeout=9000)
    qtbot.wait(400)
    assert built_order == []
    box.close()
    # One page per turn, in the side bar's order, while the reader threads are free.
    turns: list[int] = []
    counter = QTimer(window)
    counter.timeout.connect(lambda: turns.append(len(built_order)))
    counter.start(0)
    qtbot.wait_until(lambda: len(built_order) == len(keys) - 1, timeout=15000)
    counter.stop()
    assert built_order == [k for k in keys if k != keys[0]] and loud == []
    assert all(b - a <= 1 for a, b in itertools.pairwise(turns))
    assert window.stack.currentWidget() is shown and window.current_key() == keys[0]
    for key in keys[1:-1]:
        widget = window.pages[key].widget
        assert widget is not None and not widget.isVisible()
        assert widget.size() == window.stack.size()  # laid out at the page's size
    assert window.pages[broken].widget is None and f"page {broken} failed to start" in caplog.text
    # The clerk's visit of a page built ahead shows it; of the broken one, says why.
    runner.release()
    assert window.show_page(keys[1]) is window.pages[keys[1]].widget and window.pages[keys[1]].widget.isVisible()
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: warned.append(title))
    assert window.show_page(broken) is None and warned == ["页面打不开"]


def test_the_window_and_each_page_built_settle_out_of_the_collectors_way(qtbot, held_ctx, monkeypatch):
    """A full pass of Python's cycle collector holds the UI thread whichever thread runs it: at a
    million requests it walked the window's few million objects for 43–102 ms, the tour's longest
    stalls (issue #13). What lasts (the window, each page once built) is moved out of its way;
    only in the desk's own process (collector.enable), never in a test process."""
    import gc

    from xianghe_desk import collector

    settled: list[str] = []
    monkeypatch.setattr(collector, "_enabled", True)
    monkeypatch.setattr(gc, "freeze", lambda: settled.append("freeze"))
    window = show_window(qtbot, held_ctx)
    assert settled  # on show
    keys = list(window.pages)
    settled.clear()
    window.page(keys[1])
    assert settled == ["freeze"]
    window.page(keys[1])  # already built: nothing more
    assert settled == ["freeze"]
    monkeypatch.setattr(collector, "_enabled", False)
    window.page(keys[2])
    assert settled == ["freeze"]


def test_a_page_switch_walks_only_the_page_leaving_and_the_page_coming(qtbot, held_ctx):
    """Qt turns updates off and on for the whole stack around a switch and walks every widget of
    every page built both times: with all pages built ahead, 25 ms of each switch (issue #13). A
    hidden page has its own updates off, where those walks stop; the page shown has them on."""
    window = show_window(qtbot, held_ctx)
    keys = list(window.pages)
    first = window.stack.currentWidget()
    others = [window.page(key) for key in keys[1:4]]
    assert first.updatesEnabled() and not any(page.updatesEnabled() for page in others)
    window.show_page(keys[2])
    assert others[1].updatesEnabled() and others[1].isVisible()
    assert not first.updatesEnabled() and not others[0].updatesEnabled() and not others[2].updatesEnabled()
    window.stack.setCurrentIndex(window.stack.indexOf(first))
    assert first.updatesEnabled() and first.isVisible() and not others[1].updatesEnabled()
    # A page shown again paints: its widgets are not left with updates off.
    table = others[1].findChildren(QTableView) or others[1].findChildren(QTreeView)
    window.show_page(keys[2])
    assert all(view.updatesEnabled() for view in table)


def test_a_visit_of_the_audit_page_reads_its_list_once_the_visit_is_logged(qtbot, held_ctx, monkeypatch):
    """Each visit of 操作日志 is itself logged, and the list then shows it as its newest row. The
    switch reads nothing (it read the list and the names twice on the UI thread, issue #13); the
    list and the names are read once, when the visit has been logged."""
    from xianghe_desk.ui.pages.audit import AuditPage

    runner: HeldRunner = held_ctx.runner  # type: ignore[assignment]
    page = AuditPage(held_ctx)
    qtbot.addWidget(page)
    runner.release()  # the list's count
    from xianghe_desk.services.audit import AuditService

    reads: list[str] = []
    real_page, real_names = AuditService.page, AuditService.user_names
    monkeypatch.setattr(AuditService, "page", lambda *a, **k: reads.append("rows") or real_page(*a, **k))
    monkeypatch.setattr(AuditService, "user_names", lambda *a: reads.append("names") or real_names(*a))
    shown = page.model.rowCount()
    page.activate()
    assert reads == [] and page.model.rowCount() == shown  # the rows of the last visit stay
    runner.release()
    qtbot.waitUntil(lambda: len(reads) >= 2, timeout=5000)
    assert sorted(reads) == ["names", "rows"]
    assert page.model.row_object(0).action == "audit.view"
