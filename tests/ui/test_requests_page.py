"""服务工单 page: the filter bar and the search box narrow the list, a scanned number opens its
request, batch dispatch updates rows in place, and the filters survive a restart."""

from __future__ import annotations

import pytest

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.ui.helpers import type_text
from xianghe_desk.domain.enums import Status
from xianghe_desk.domain.queries import PersonFilter, RequestFilter
from xianghe_desk.ui.dialogs import dispatch_dialog
from xianghe_desk.ui.dialogs.dispatch_dialog import DispatchChoice
from xianghe_desk.ui.pages import requests as requests_page
from xianghe_desk.ui.pages.requests import RequestsPage
from xianghe_desk.ui.widgets.combos import set_combo_value


@pytest.fixture
def page(qtbot, ctx) -> RequestsPage:
    widget = RequestsPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    return widget


@pytest.fixture
def opened(monkeypatch) -> list[int]:
    """Request ids the page asked to open (the detail dialog's entry point is patched)."""
    calls: list[int] = []
    monkeypatch.setattr(
        requests_page.RequestDetailDialog,
        "open",
        classmethod(lambda cls, parent, ctx, rid: calls.append(rid)),
    )
    return calls


def shown_ids(page: RequestsPage) -> list[int]:
    return [page.model.row_object(row).id for row in range(page.model.rowCount())]


def test_filter_bar_narrows_the_list(page, ctx):
    everything = ctx.requests.count(RequestFilter())
    assert page.model.total() == everything == 1500
    assert page.count_label.text() == "共 <b>1,500</b> 张"
    village = ctx.places.villages(ctx.ws.home_town_id())[3]
    set_combo_value(page.filter_bar.village_combo, village.id)
    expected = ctx.requests.count(RequestFilter(village_id=village.id))
    assert 0 < page.model.total() == expected < everything
    assert {page.model.row_object(r).village_id for r in range(page.model.rowCount())} == {village.id}
    assert page.filter_bar.grid_combo.isEnabled()

    set_combo_value(page.filter_bar.village_combo, None)
    set_combo_value(page.filter_bar.status_combo, "received")
    assert page.model.total() == 6
    assert {page.model.row_object(r).status for r in range(6)} == {Status.RECEIVED}

    set_combo_value(page.filter_bar.status_combo, None)
    page.filter_bar.overdue_check.setChecked(True)
    overdue = ctx.requests.count(RequestFilter(overdue_only=True))
    assert page.model.total() == overdue == 11
    assert all(page.model.row_object(r).is_overdue(ctx.now()) for r in range(overdue))

    page.filter_bar.clear_button.click()
    assert page.model.total() == everything
    assert not page.filter_bar.overdue_check.isChecked()


def test_search_box_finds_by_initials_name_and_phone_after_a_pause(qtbot, page, ctx):
    resident = ctx.residents.list(PersonFilter(text="sxl"), 0, 1)[0]
    with qtbot.waitSignal(page.search.search_changed, timeout=2000):
        qtbot.keyClicks(page.search, "sxl")
    by_initials = set(shown_ids(page))
    assert by_initials == set(ctx.requests.ids(RequestFilter(text="sxl")))
    assert 0 < len(by_initials) < 1500

    page.search.clear()
    with qtbot.waitSignal(page.search.search_changed, timeout=2000):
        type_text(page.search, resident.name)
    assert page.model.flt.text == resident.name
    names = {page.model.row_object(r).person_name for r in range(page.model.rowCount())}
    assert names and all(resident.name in name for name in names)

    page.search.clear()
    with qtbot.waitSignal(page.search.search_changed, timeout=2000):
        qtbot.keyClicks(page.search, resident.phone[-4:])
    assert page.model.total() == ctx.requests.count(RequestFilter(text=resident.phone[-4:])) > 0

    # Typing on quickly restarts the pause: one search for the whole word, not one per key.
    page.search.clear()
    with qtbot.waitSignal(page.search.search_changed, timeout=2000) as blocker:
        qtbot.keyClicks(page.search, "zzz")
    assert blocker.args == ["zzz"]
    assert page.model.total() == 0
    assert page.count_label.text() == "共 <b>0</b> 张"


def test_scanned_number_and_enter_opens_that_request(qtbot, page, ctx, opened, monkeypatch):
    request = ctx.requests.list(RequestFilter(), None, 100, 1)[0]
    page.search.setText(request.number.replace("-", "").lower())
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert opened == [request.id]
    # The list was not narrowed to the number: the next scan can follow at once.
    assert page.search.selectedText() == page.search.text()

    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: told.append(text))
    page.search.setText("101-ZZZZ-2611-9999")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert opened == [request.id]
    assert "没有找到编号为「101-ZZZZ-2611-9999」的工单" in told[0]


def test_enter_and_double_click_on_a_row_open_the_detail(qtbot, page, opened):
    page.view.setFocus()
    page.view.selectRow(2)
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert opened == [page.model.row_object(2).id]
    page.open_button.click()
    assert opened[-1] == page.model.row_object(2).id


def test_activate_shows_exactly_the_requested_filter(page, ctx):
    page.filter_bar.overdue_check.setChecked(True)
    page.activate(statuses=(Status.DISPATCHED, Status.IN_PROGRESS))
    assert not page.filter_bar.overdue_check.isChecked()
    assert page.filter_bar.status_combo.currentData() == "handling"
    assert page.model.total() == ctx.requests.count(
        RequestFilter(statuses=(Status.DISPATCHED, Status.IN_PROGRESS))
    )
    page.activate(due_today=True)
    assert page.filter_bar.extras == {"due_today": True}
    assert page.filter_bar.extras_row.isVisibleTo(page)
    assert "今日到期" in page.filter_bar.extras_label.text()
    assert page.model.total() == ctx.requests.count(RequestFilter(due_today=True)) == 1
    page.filter_bar.clear_extras()
    assert page.model.total() == 1500
    resident = ctx.residents.list(PersonFilter(text="sxl"), 0, 1)[0]
    page.activate(resident_id=resident.id)
    assert page.filter_bar.extras_label.text() == f"另有条件：服务对象为{resident.name}"
    assert {page.model.row_object(r).resident_id for r in range(page.model.rowCount())} == {resident.id}


def test_batch_dispatch_updates_the_rows_in_place(qtbot, page, ctx, monkeypatch):
    set_combo_value(page.filter_bar.status_combo, "received")
    assert page.model.rowCount() == 6
    first = page.model.row_object(0)
    member = ctx.members.handlers_for(first.village_id, first.grid_id)[0]
    asked: list[int] = []

    def choose(cls, parent, ctx, village_id, grid_id=None, current_handler_id=None, count=1):
        asked.append(count)
        return DispatchChoice(member.id, "今天办")

    monkeypatch.setattr(dispatch_dialog.DispatchDialog, "choose", classmethod(choose))
    page.view.selectAll()
    assert page.selection_label.text().startswith("已选 6 张")
    with qtbot.assertNotEmitted(page.model.modelReset):
        page.dispatch_button.click()
    assert asked == [6]
    statuses = {page.model.row_object(r).status for r in range(6)}
    assert statuses == {Status.DISPATCHED}
    assert {page.model.row_object(r).handler_name for r in range(6)} == {member.name}
    assert ctx.requests.count(RequestFilter(statuses=(Status.RECEIVED,))) == 0


def test_batch_dispatch_skips_requests_that_cannot_be_dispatched(page, ctx, monkeypatch):
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: told.append(text))
    set_combo_value(page.filter_bar.status_combo, "closed")
    page.view.selectRow(0)
    page.dispatch_button.click()
    assert "都不能派单" in told[0]


def test_filters_and_columns_are_remembered(qtbot, ctx):
    first = RequestsPage(ctx)
    qtbot.addWidget(first)
    village = ctx.places.villages(ctx.ws.home_town_id())[2]
    set_combo_value(first.filter_bar.village_combo, village.id)
    set_combo_value(first.filter_bar.status_combo, "done")
    first.view.setColumnWidth(0, 321)
    first.save_state()

    second = RequestsPage(ctx)
    qtbot.addWidget(second)
    assert second.filter_bar.village_combo.currentData() == village.id
    assert second.filter_bar.status_combo.currentData() == "done"
    assert second.model.flt == first.model.flt
    assert second.view.columnWidth(0) == 321


def test_a_new_request_elsewhere_reloads_the_list(page, ctx):
    village = ctx.places.villages(ctx.ws.home_town_id())[0]
    from xianghe_desk.domain.drafts import RequestDraft

    request = ctx.requests.register(RequestDraft("phone", "repairs", "修门", village.id, person_name="李四"))
    ctx.events.requests_changed.emit([request.id])
    assert page.model.total() == 1501
    assert page.model.row_object(0).id == request.id


def test_enter_before_the_rows_are_read_selects_the_first_one_when_they_arrive(qtbot, small_demo, tmp_path, clock):
    """The list's rows are read by a job (issue #13): Enter in the search box while they are on
    their way still takes the clerk to the first match."""
    import shutil

    from tests.ui.test_request_model import _HeldRunner
    from xianghe_desk.ui.context import DeskContext

    path = tmp_path / "held.db"
    shutil.copy(small_demo, path)
    runner = _HeldRunner()
    ctx = DeskContext(path, runner=runner, clock=clock)
    try:
        ctx.sign_in("admin", "xianghe-demo")
        page = RequestsPage(ctx)
        qtbot.addWidget(page)
        page.show()
        page.search.setText("王")
        runner.held.clear()  # the reads for the page's first filter: never answered
        qtbot.keyClick(page.search, Qt.Key.Key_Return)
        assert page.model.loading() and page.model.rowCount() == 0
        assert not page.view.selectionModel().hasSelection()
        runner.run("first page")
        assert page.model.rowCount() > 0
        assert page.view.selectionModel().isRowSelected(0)
    finally:
        ctx.close()


def test_the_filter_bar_reads_its_long_lists_only_when_the_town_changes_or_they_are_used(
    qtbot, page, ctx, monkeypatch
):
    """At county scale the handler list has 1,800 names and the village list 660 (issue #13): a
    filter of the same town keeps the villages; the handlers are read when the clerk first uses
    their list (or a filter names one), once per town, and again after the members change."""
    reads: list[str] = []
    real_choices, real_villages = ctx.members.choices, ctx.villages_in_scope
    monkeypatch.setattr(
        ctx.members, "choices", lambda *a, **k: reads.append("handlers") or real_choices(*a, **k)
    )
    monkeypatch.setattr(
        ctx, "villages_in_scope", lambda *a, **k: reads.append("villages") or real_villages(*a, **k)
    )
    bar = page.filter_bar
    assert bar.handler_combo.count() == 1 and bar.handler_combo.currentText() == "全部承办人"
    bar.set_filter(RequestFilter(overdue_only=True))
    assert reads == []
    member = real_choices(PersonFilter(), 5)[0]
    town = next(t for t in ctx.towns_in_scope() if t.name == member.town_name)
    bar.set_filter(RequestFilter(town_id=town.id))
    assert reads == ["villages"]
    # The clerk tabs to 承办人 (the field gets the focus before any key).
    focus = QFocusEvent(QEvent.Type.FocusIn, Qt.FocusReason.TabFocusReason)
    QApplication.sendEvent(bar.handler_combo.lineEdit(), focus)
    assert reads == ["villages", "handlers"]
    in_town = {m.id for m in real_choices(PersonFilter(town_id=town.id), 5000)}
    assert {bar.handler_combo.itemData(i) for i in range(1, bar.handler_combo.count())} == in_town
    reads.clear()
    bar.handler_combo.showPopup()
    bar.handler_combo.hidePopup()
    bar.set_filter(RequestFilter(town_id=town.id, overdue_only=True))
    assert reads == []
    # A filter naming a handler (a saved filter, a link from another page) shows that handler.
    bar.set_filter(RequestFilter(handler_id=member.id))  # 全部镇: every town's members
    assert "handlers" in reads and bar.handler_combo.currentData() == member.id
    reads.clear()
    ctx.events.members_changed.emit()
    assert "handlers" in reads and bar.handler_combo.currentData() == member.id
