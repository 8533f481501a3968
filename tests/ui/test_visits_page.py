"""The 走访 page, the fast entry screen, a resident's visit timeline, the dashboard tile, the residents'
filter and the two settings tabs (issue #11), driven as a clerk drives them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from tests.helpers import pdf_text, squash
from tests.ui.helpers import show_window, type_text
from tests.ui.test_register_and_workflow import category_index, open_register
from xianghe_desk.domain import duetime
from xianghe_desk.domain.enums import CareTag, Urgency
from xianghe_desk.domain.queries import PersonFilter
from xianghe_desk.domain.visits import (
    CheckResult,
    DueFilter,
    DueKind,
    ResidentStatus,
    StatusInfo,
    VisitDraft,
    VisitMethod,
    week_of,
)
from xianghe_desk.operations.calendar import set_official_year
from xianghe_desk.operations.visits import set_resident_status
from xianghe_desk.services.visits import VisitService
from xianghe_desk.ui.dialogs import resident_visits
from xianghe_desk.ui.dialogs.fast_entry import FastEntryDialog
from xianghe_desk.ui.dialogs.need_request_dialog import NeedValues
from xianghe_desk.ui.dialogs.resident_detail import ResidentDetailDialog
from xianghe_desk.ui.models.visits import DueTableModel, VisitTimelineModel
from xianghe_desk.ui.pages import visits as visits_page
from xianghe_desk.ui.pages.dashboard import DashboardPage
from xianghe_desk.ui.pages.residents import ResidentsPage
from xianghe_desk.ui.pages.settings import SettingsPage
from xianghe_desk.ui.pages.visits import VisitsPage


@pytest.fixture
def page(qtbot, ctx) -> VisitsPage:
    widget = VisitsPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    return widget


def _busiest_grid(ctx):
    monday, _ = week_of(ctx.now().date())
    grids = ctx.places.grids_in_town(None)
    return max(grids, key=lambda g: len(ctx.visits.roster(monday, grid_id=g.id).entries))


def test_the_models_pass_the_model_tester(qtmodeltester, ctx) -> None:
    due = DueTableModel()
    due.set_rows(ctx.visits.due(DueFilter()))
    qtmodeltester.check(due)
    resident_id = due.id_of_row(0)
    timeline = VisitTimelineModel()
    timeline.set_rows(ctx.visits.timeline(resident_id))
    qtmodeltester.check(timeline)


def test_the_page_lists_who_is_due_and_narrows_by_kind_and_place(qtbot, page, ctx) -> None:
    expected = ctx.visits.due(page.current_filter())
    assert page.model.total() == len(expected) > 0
    assert page.count_label.text().startswith(f"共 {len(expected)} 人")
    page.show_combo.setCurrentIndex(1)  # 已超期
    rows = page.model.all_rows()
    assert rows and all(e.overdue_days > 0 for e in rows)
    assert page.model.data(page.model.index(0, 0)).startswith("超期")
    grid = _busiest_grid(ctx)
    page.show_combo.setCurrentIndex(0)
    page.places.set_place(grid.town_id, grid.village_id, grid.id)
    assert {e.grid_id for e in page.model.all_rows()} <= {grid.id}
    page.activate(show="never")
    assert all(e.never_visited for e in page.model.all_rows())


def test_printing_the_roster_of_a_grid(qtbot, monkeypatch, page, ctx) -> None:
    shown: list[Path] = []
    monkeypatch.setattr(visits_page, "show_pdf", lambda _parent, path, _title: shown.append(Path(path)))
    grid = _busiest_grid(ctx)
    page.places.set_place(grid.town_id, grid.village_id, grid.id)
    page.print_button.click()
    assert len(shown) == 1 and shown[0].exists()
    text = squash(pdf_text(shown[0]))
    roster = ctx.visits.roster(ctx.now().date(), grid_id=grid.id)
    assert grid.name in text and all(squash(e.name) in text for e in roster.entries)


def test_printing_without_a_grid_or_member_says_what_to_choose(qtbot, monkeypatch, page) -> None:
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a: said.append(text))
    page.print_button.click()
    assert said and "网格员" in said[0] and "网格" in said[0]


@pytest.fixture
def entry(qtbot, monkeypatch, ctx) -> FastEntryDialog:
    # Closing with rows typed asks whether to discard them: at teardown, yes.
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    grid = _busiest_grid(ctx)
    roster = ctx.visits.roster(ctx.now().date(), grid_id=grid.id)
    assert len(roster.entries) >= 3
    members = [m for m in ctx.members.of_grid(grid.id) if m.active]
    dialog = FastEntryDialog(ctx, roster, members)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    return dialog


def test_the_fast_entry_types_a_roster_back_with_the_keyboard_only(qtbot, entry, ctx) -> None:
    today = ctx.now().date()
    rows = entry.rows
    assert [r.entry.resident_id for r in rows] == [e.resident_id for e in entry.roster.entries]
    first = rows[0]
    assert QApplication.focusWidget() is first.day
    qtbot.keyClicks(first.day, str(today.day))
    qtbot.keyClick(first.day, Qt.Key.Key_Return)  # Enter moves on like Tab
    assert QApplication.focusWidget() is first.method
    qtbot.keyClicks(first.method, "2")  # one key: moves on by itself
    assert QApplication.focusWidget() is first.checks[0]
    for key in "111211":
        qtbot.keyClicks(QApplication.focusWidget(), key)
    assert QApplication.focusWidget() is first.note
    type_text(first.note, "老人腿疼")
    qtbot.keyClick(first.note, Qt.Key.Key_Tab)
    type_text(first.needs, "冬天取暖的煤不够了")
    qtbot.keyClick(first.needs, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is rows[1].day  # the next resident's row
    qtbot.keyClicks(rows[1].day, f"{today.month}-{today.day}")
    # Row 3 stays empty: not visited this week.
    before = [ctx.ws.visits.count_of_resident(r.entry.resident_id) for r in rows]
    qtbot.keyClick(entry, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert entry.result() == FastEntryDialog.DialogCode.Accepted and entry.saved == 2
    after = [ctx.ws.visits.count_of_resident(r.entry.resident_id) for r in rows]
    assert [a - b for a, b in zip(after, before, strict=True)][:3] == [1, 1, 0]
    visit = ctx.visits.timeline(first.entry.resident_id)[0]
    assert (visit.visited_on, visit.method) == (today, VisitMethod.PHONE)
    assert visit.checks["heating"] is CheckResult.PROBLEM and visit.checks["health"] is CheckResult.OK
    assert (visit.note, visit.needs) == ("老人腿疼", "冬天取暖的煤不够了")
    assert visit.member_id == entry.member_combo.currentData()


def test_the_fast_entry_shows_what_is_wrong_and_saves_nothing(qtbot, entry, ctx) -> None:
    rows = entry.rows
    counts = [ctx.ws.visits.count_of_resident(r.entry.resident_id) for r in rows]
    rows[0].day.setText("99")
    rows[1].checks[0].setText("1")  # a result without a date
    rows[2].day.setText(str(ctx.now().date().day))
    rows[2].method.setText("7")
    entry.save()
    message = entry.message.text()
    assert "第 1 行" in message and "看不懂" in message
    assert "第 2 行" in message and "没写日期" in message
    assert "第 3 行" in message and "1、2 或 3" in message
    assert entry.isVisible() and entry.saved == 0
    assert [ctx.ws.visits.count_of_resident(r.entry.resident_id) for r in rows] == counts


def test_a_residents_timeline_logs_a_visit_and_turns_its_need_into_a_request(qtbot, monkeypatch, ctx) -> None:
    resident_id = ctx.visits.due(DueFilter(kinds=(DueKind.OVERDUE,)))[0].resident_id
    dialog = ResidentDetailDialog(None, ctx, resident_id)
    qtbot.addWidget(dialog)
    panel = dialog.visits_panel
    assert dialog.tabs.tabText(dialog.tabs.indexOf(panel)) == "走访记录"
    assert "已超期" in panel.summary.text()
    before = panel.model.total()
    draft = VisitDraft(resident_id, ctx.now().date(), VisitMethod.HOME, needs="屋顶漏雨")
    monkeypatch.setattr(resident_visits.VisitDialog, "edit", classmethod(lambda cls, *a, **k: draft))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    panel.log_button.click()
    assert panel.model.total() == before + 1 and "下次应走访" in panel.summary.text()
    assert "已超期" not in panel.summary.text()
    panel.table.selectRow(0)
    assert panel.request_button.isEnabled()
    wanted = NeedValues("repairs", "屋顶漏雨", Urgency.NORMAL, False)
    monkeypatch.setattr(resident_visits.NeedRequestDialog, "ask", classmethod(lambda cls, *a: wanted))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    panel.request_button.click()
    visit = ctx.visits.timeline(resident_id)[0]
    assert visit.request_number and panel.model.data(panel.model.index(0, 6)) == visit.request_number


def test_the_dashboard_tiles_count_visits_and_open_the_list(qtbot, ctx) -> None:
    dashboard = DashboardPage(ctx)
    qtbot.addWidget(dashboard)
    counts = ctx.visits.counts(ctx.ws.home_town_id())
    assert dashboard.tiles["visits_overdue"].value == f"{counts.overdue:,}"
    assert dashboard.tiles["visits_week"].value == f"{counts.this_week:,}"
    with qtbot.wait_signal(dashboard.navigate) as signal:
        dashboard.tiles["visits_overdue"].click()
    assert signal.args[0] == "visits" and signal.args[1]["show"] == "overdue"


def test_the_residents_list_filters_by_visit_state(qtbot, ctx) -> None:
    page = ResidentsPage(ctx)
    qtbot.addWidget(page)
    page.activate(visit_state="overdue")
    expected = ctx.residents.count(PersonFilter(town_id=page.places.town_id(), visit_state="overdue"))
    assert page.model.total() == expected > 0


def test_the_settings_tabs_change_intervals_and_enter_a_years_holidays(qtbot, ctx) -> None:
    settings = SettingsPage(ctx)
    qtbot.addWidget(settings)
    settings.activate(section="intervals")
    tab = settings.intervals_tab
    assert tab is not None and tab is settings.tab("intervals")
    assert settings.tabs.tabText(settings.tabs.currentIndex()) == "走访周期"
    tab.boxes[CareTag.DIBAO].setValue(21)
    tab.save_button.click()
    assert VisitService(ctx.ws).intervals()[CareTag.DIBAO] == 21
    assert "已保存走访周期" in tab.status.text()
    settings.activate(section="holidays")
    holidays = settings.holidays_tab
    assert holidays is not None
    items = [holidays.years.item(i) for i in range(holidays.years.count())]
    (unknown,) = [i for i in items if i.data(Qt.ItemDataRole.UserRole) == 2027]
    holidays.years.setCurrentItem(unknown)
    assert holidays.save_button.isEnabled()
    holidays.holidays.setPlainText("2027-01-01 元旦\n2027-02-05 至 2027-02-12 春节")
    type_text(holidays.workdays, "2027-02-14 春节调休")
    holidays.save_button.click()
    assert "已保存 2027 年" in holidays.status.text()
    assert duetime.calendar_known(date(2027, 2, 8)) and not duetime.is_workday(date(2027, 2, 8))
    assert "已录入" in holidays.years.currentItem().text()
    items = [holidays.years.item(i) for i in range(holidays.years.count())]  # the list was refilled
    bundled = next(i for i in items if "程序自带" in i.text())
    holidays.years.setCurrentItem(bundled)
    assert not holidays.save_button.isEnabled()


def test_the_page_is_reachable_from_the_side_bar(qtbot, ctx) -> None:
    window = show_window(qtbot, ctx)
    assert "visits" in window.pages and window.pages["visits"].title == "走访"
    widget = window.show_page("visits", show="overdue")
    assert isinstance(widget, VisitsPage) and widget.show_combo.currentIndex() == 1
    assert window.minimumSizeHint().width() <= 1366


def test_registering_for_a_deceased_resident_asks_and_goes_on_only_when_confirmed(
    qtbot, monkeypatch, ctx
) -> None:
    resident_id = ctx.visits.due(DueFilter())[0].resident_id
    set_resident_status(
        ctx.ws, resident_id, StatusInfo(ResidentStatus.DECEASED, ctx.now().date() - timedelta(days=2))
    )
    asked: list[str] = []
    answers = iter([QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])

    def question(_parent, _title, text, *_a, **_k):
        asked.append(text)
        return next(answers)

    monkeypatch.setattr(QMessageBox, "question", question)
    dialog = open_register(qtbot, ctx, resident_id)
    dialog.category_combo.setCurrentIndex(category_index(dialog, "payments_purchases"))
    type_text(dialog.content_edit, "家属来办后事相关的证明")
    dialog.save()
    assert len(asked) == 1 and "去世" in asked[0] and dialog.saved is None  # 「否」: nothing saved
    dialog.save()
    assert len(asked) == 2 and dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.saved is not None and dialog.saved.resident_id == resident_id


def test_the_unknown_calendar_warning_points_to_the_holidays_in_settings(qtbot, ctx, clock) -> None:
    clock.current = datetime(2026, 12, 30, 10, 0)  # an agent service due in three working days: 2027
    dialog = open_register(qtbot, ctx)
    dialog.category_combo.setCurrentIndex(category_index(dialog, "payments_purchases"))
    assert dialog.calendar_warning.isVisibleTo(dialog)
    assert "设置 → 节假日" in dialog.calendar_warning.text() and "2027" in dialog.calendar_warning.text()
    set_official_year(ctx.ws, 2027, "2027-01-01 元旦", "")
    dialog.update_due_preview()
    assert not dialog.calendar_warning.isVisibleTo(dialog)
    # 12-30 (Wed) + 3 working days: 12-31, (01-01 元旦 off), 01-04, 01-05.
    assert "2027-01-05" in dialog.due_label.text()


def test_the_due_list_masks_phones(qtbot, page, ctx) -> None:
    from xianghe_desk.ui.models.visits import DUE_COLUMNS

    qtbot.wait_until(lambda: page.model.rowCount() > 0, timeout=5000)
    column = [c.key for c in DUE_COLUMNS].index("phone")
    shown = [page.model.index(row, column).data() for row in range(page.model.rowCount())]
    assert any(shown) and all("*" in text for text in shown if text)
