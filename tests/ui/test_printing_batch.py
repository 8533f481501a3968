"""Printing from the desk: a work-order batch (progress, 取消, history, preview) and the 统计报表 page
(figures equal to stats, monthly summary and Excel, village notice, unprinted work orders)."""

from __future__ import annotations

import re
import time
from datetime import datetime
from functools import partial
from pathlib import Path

import pytest
from openpyxl import load_workbook

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QPushButton, QWidget

from tests import helpers
from tests.helpers import pdf_pages
from tests.ui.helpers import answer_file_dialogs
from xianghe_desk.domain.enums import Status
from xianghe_desk.domain.queries import RequestFilter
from xianghe_desk.jobs.runner import JobRunner
from xianghe_desk.services.accounts import DEMO_PASSWORD
from xianghe_desk.services.reports import HEADLINE
from xianghe_desk.services.stats import StatsService
from xianghe_desk.ui import printing
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.pages import reports as reports_page
from xianghe_desk.ui.pages.reports import ReportsPage

pdf_text = partial(helpers.pdf_text, layout=True)


@pytest.fixture
def shown(monkeypatch):
    """The previews that would have opened: (path, title)."""
    opened: list[tuple[Path, str]] = []

    def fake(parent, path, title):
        opened.append((Path(path), title))

    monkeypatch.setattr(printing, "show_pdf", fake)
    monkeypatch.setattr(reports_page, "show_pdf", fake)
    return opened


@pytest.fixture
def parent(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def printed_events(ctx: DeskContext, ids: list[int]) -> int:
    return sum(1 for i in ids for e in ctx.requests.events(i) if e.action == "printed")


# ---------------------------------------------------------------- work-order batches
def test_batch_records_printing_then_opens_the_preview(qtbot, ctx, parent, shown):
    ids = ctx.requests.ids(RequestFilter(statuses=(Status.CLOSED,)))[:3]
    before = printed_events(ctx, ids)
    with qtbot.waitSignal(ctx.events.requests_changed, timeout=10000) as changed:
        printing.print_work_orders(parent, ctx, ids)
    assert sorted(changed.args[0]) == sorted(ids)
    assert len(shown) == 1
    path, title = shown[0]
    assert title == "服务工单（3 张）"
    assert pdf_pages(path) == 3
    text = pdf_text(path)
    for request in ctx.requests.get_many(ids):
        assert request.number in text
    assert printed_events(ctx, ids) == before + 3


def test_empty_selection_is_explained(ctx, parent, shown, monkeypatch):
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: told.append(a[2]))
    printing.print_work_orders(parent, ctx, [])
    assert told and "选中" in told[0]
    assert shown == []


def test_cancel_stops_the_batch_and_records_nothing(qtbot, qapp, demo_copy, clock, parent, shown):
    runner = JobRunner()
    context = DeskContext(demo_copy, runner=runner, clock=clock)
    context.sign_in("admin", DEMO_PASSWORD)  # printing is an operation: someone must be signed in
    try:
        ids = context.requests.ids(RequestFilter())[:300]
        before = printed_events(context, ids)
        printing.print_work_orders(parent, context, ids)
        dialog = parent.findChild(QProgressDialog)
        assert dialog is not None
        assert dialog.maximum() == 300
        cancel = next(b for b in dialog.findChildren(QPushButton) if b.text() == "取消")
        started = time.perf_counter()
        cancel.click()  # the clerk presses 「取消」 while the batch is being laid out
        assert runner.wait_for_done(60000)
        assert time.perf_counter() - started < 3  # it stopped early, it did not finish 300 orders
        for _ in range(3):  # deliver whatever the pool threads signalled
            qapp.processEvents()
        assert runner.wait_for_done(60000)
        qapp.processEvents()
        qtbot.waitUntil(lambda: parent.findChild(QProgressDialog) is None)  # closed and gone
        assert shown == []
        assert printed_events(context, ids) == before
    finally:
        context.close()


def test_background_batch_reports_progress(qtbot, qapp, demo_copy, clock, parent, shown, monkeypatch):
    values: list[int] = []
    original = QProgressDialog.setValue
    monkeypatch.setattr(QProgressDialog, "setValue", lambda self, v: (values.append(v), original(self, v))[1])
    runner = JobRunner()
    context = DeskContext(demo_copy, runner=runner, clock=clock)
    context.sign_in("admin", DEMO_PASSWORD)
    try:
        ids = context.requests.ids(RequestFilter())[:40]
        before = printed_events(context, ids)
        printing.print_work_orders(parent, context, ids, page="A5")
        qtbot.waitUntil(lambda: len(shown) == 1, timeout=60000)
        assert pdf_pages(shown[0][0]) == 40
        assert values and max(values) == 40
        assert printed_events(context, ids) == before + 40
    finally:
        runner.wait_for_done()
        context.close()


# ---------------------------------------------------------------- 统计报表
@pytest.fixture
def page(qtbot, ctx):
    widget = ReportsPage(ctx)
    qtbot.addWidget(widget)
    widget.activate(month="2026-10")
    return widget


def choose_town(page: ReportsPage, name: str) -> None:
    page.town_combo.setCurrentIndex(page.town_combo.findText(name))


def test_tiles_show_the_figures_of_stats(page, ctx):
    choose_town(page, "蒋辛屯镇")
    assert page.current is not None
    scope = StatsService(ctx.ws).scope("蒋辛屯镇")
    as_of = datetime.fromisoformat(page.current.figures["as_of"])
    figures = StatsService(ctx.ws).figures("2026-10", scope, as_of)
    assert page.current.scope.level == "town"
    for key, _label, unit in HEADLINE:
        value = figures[key]
        expected = (
            f"{value:.1f}%"
            if unit == "%"
            else f"{value:.1f}{unit}"  # 平均办结时长 says 「小时」 (issue #8)
            if isinstance(value, float)
            else f"{value:,}"
        )
        assert page.tiles[key].value == expected, key
    assert page.tiles["avg_hours_to_complete"].value.endswith("小时")
    assert page.tabs.tabText(0) == "分村街"
    villages = page.tables["by_region"]
    assert villages.rowCount() == len(figures["by_village"])
    assert "蒋辛屯镇" in page.heading.text()
    assert f"共受理 {figures['received']} 件" in page.summary.text()


def test_changing_the_month_and_village_recounts(page, ctx):
    choose_town(page, "蒋辛屯镇")
    page.village_combo.setCurrentIndex(page.village_combo.findText("蒋北社区"))
    page.month_edit.setDate(QDate(2026, 9, 1))
    assert page.current is not None
    assert page.current.choice.month == "2026-09"
    assert page.current.scope.level == "village"
    stats = StatsService(ctx.ws)
    figures = stats.figures("2026-09", stats.scope("蒋辛屯镇", "蒋北社区"), ctx.now())
    assert page.tiles["received"].value == f"{figures['received']:,}"
    assert not page.tabs.isTabVisible(0)
    assert page.notice_button.isEnabled()


def test_clicking_a_tile_opens_those_requests(qtbot, page, ctx):
    choose_town(page, "蒋辛屯镇")
    with qtbot.waitSignal(page.navigate) as opened:
        page.tiles["completed"].click()
    key, filters = opened.args
    assert key == "requests"
    assert filters["town_id"] == page.picker.town_id()
    assert (str(filters["received_from"]), str(filters["received_to"])) == ("2026-10-01", "2026-10-31")
    count = ctx.requests.count(RequestFilter(**filters))
    assert count == page.current.figures["completed"]  # type: ignore[union-attr]


def test_monthly_summary_from_the_page(page, shown):
    choose_town(page, "蒋辛屯镇")
    page.report_button.click()
    assert len(shown) == 1
    path, title = shown[0]
    assert "蒋辛屯镇" in title and "2026年10月" in title
    first = pdf_text(path)
    received = page.current.figures["received"]  # type: ignore[union-attr]
    assert re.search(rf"^\s*受理数\s+{received}\s", first, re.M)


def test_excel_export_from_the_page(page, tmp_path, monkeypatch):
    target = tmp_path / "汇总"
    answer_file_dialogs(monkeypatch, target)
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: told.append(a[2]))
    page.export_excel()
    saved = tmp_path / "汇总.xlsx"
    assert told and str(saved) in told[0]
    book = load_workbook(saved)
    rows = {r[0]: r[1] for r in book["主要指标"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert str(rows["受理数"]) == str(page.current.figures["received"])  # type: ignore[union-attr]


def test_village_notice_from_the_page(page, shown):
    page.town_combo.setCurrentIndex(0)  # 全县: choose a town or village first
    assert not page.notice_button.isEnabled()
    choose_town(page, "蒋辛屯镇")
    page.village_combo.setCurrentIndex(page.village_combo.findText("蒋北社区"))
    page.notice_paper.setCurrentIndex(page.notice_paper.findData("A3"))
    page.notice_button.click()
    path, title = shown[-1]
    assert title == "帮办公示"
    assert pdf_pages(path) == 1
    assert "蒋北社区" in pdf_text(path)


def test_unprinted_work_orders_from_the_page(qtbot, page, ctx, shown, clock):
    request = ctx.requests.list(RequestFilter(statuses=(Status.RECEIVED,)))[0]
    member = ctx.members.handlers_for(request.village_id, request.grid_id)[0]
    clock.advance(minutes=1)
    ctx.requests.dispatch(request.id, member.id)
    ctx.events.requests_changed.emit([request.id])
    page.refresh()
    unprinted = ctx.requests.ids(RequestFilter(not_printed=True))
    assert request.id in unprinted
    assert page.unprinted_button.isEnabled()
    assert f"{len(unprinted)} 张" in page.unprinted_label.text()
    page.unprinted_button.click()
    assert pdf_pages(shown[-1][0]) == len(unprinted)
    assert ctx.requests.ids(RequestFilter(not_printed=True)) == []
    page.activate()  # the page was hidden when the requests changed: it recounts on the next visit
    assert not page.unprinted_button.isEnabled()
