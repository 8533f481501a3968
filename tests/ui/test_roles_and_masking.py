"""Roles and personal data in the desk (issue #9 §3, §5): what a role may not do is disabled with
the reason, a village clerk's filters hold only their village, ID numbers and phones are masked,
and revealing a full ID number is one click that lands in the audit trail."""

from __future__ import annotations

from pathlib import Path

import pytest

from PySide6.QtWidgets import QWidget

from tests.helpers import pdf_text
from xianghe_desk.domain.access import mask_id_number, mask_phone
from xianghe_desk.domain.queries import PersonFilter, RequestFilter
from xianghe_desk.operations.people import reveal_id_number
from xianghe_desk.services.accounts import DEMO_PASSWORD
from xianghe_desk.ui import operations as ui_operations
from xianghe_desk.ui.dialogs.request_detail import RequestDetailDialog
from xianghe_desk.ui.dialogs.resident_detail import ResidentDetailDialog
from xianghe_desk.ui.models.residents import ResidentTableModel
from xianghe_desk.ui.operations import run_op
from xianghe_desk.ui.pages import reports as reports_page
from xianghe_desk.ui.pages.members import MembersPage
from xianghe_desk.ui.pages.reports import ReportsPage
from xianghe_desk.ui.pages.requests import RequestsPage
from xianghe_desk.ui.pages.residents import ResidentsPage
from xianghe_desk.ui.pages.settings import SettingsPage
from xianghe_desk.ui.pages.villages import VillagesPage


def _page(qtbot, cls, ctx) -> QWidget:
    widget = cls(ctx)
    qtbot.addWidget(widget)
    return widget


def _combo_texts(combo) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


# ---------------------------------------------------------------------- roles


def test_a_viewer_has_nothing_to_change(qtbot, ctx):
    ctx.sign_in("lingdao", DEMO_PASSWORD)  # 领导查看
    residents = _page(qtbot, ResidentsPage, ctx)
    for button in (residents.add_button, residents.edit_button, residents.delete_button):
        assert not button.isEnabled()
        assert button.toolTip().startswith("领导查看不能")
    requests = _page(qtbot, RequestsPage, ctx)
    requests.view.selectRow(0)
    assert not requests.register_button.isEnabled()
    assert not requests.dispatch_button.isEnabled() and "领导查看不能" in requests.dispatch_button.toolTip()
    assert not requests.delete_button.isEnabled()
    assert requests.print_button.isEnabled()  # reports and printouts are a viewer's work
    members = _page(qtbot, MembersPage, ctx)
    assert not members.add_member_button.isEnabled() and not members.delete_member_button.isEnabled()
    villages = _page(qtbot, VillagesPage, ctx)
    assert not villages.add_button.isEnabled() and not villages.district_button.isEnabled()
    settings = _page(qtbot, SettingsPage, ctx)
    tab = settings.open_tab("channel")
    assert not tab.add_button.isEnabled() and "领导查看不能修改设置" in tab.add_button.toolTip()
    settings.open_tab("device")  # tabs are built on first show
    assert not settings.identity_save.isEnabled()


def test_a_refused_action_is_still_refused_by_the_operation(qtbot, ctx, monkeypatch):
    # The buttons are a courtesy; the operation is the guard (a disabled button bypassed).
    ctx.sign_in("lingdao", DEMO_PASSWORD)
    shown: list[str] = []
    monkeypatch.setattr(ui_operations, "show_job_failure", lambda parent, message, bug: shown.append(message))
    resident = ctx.residents.list(PersonFilter(), 0, 1)[0]
    run_op(ctx, None, reveal_id_number, "resident", resident.id)
    assert shown and "领导查看" in shown[0]
    assert ctx.audit.entries(newest_first=True, limit=1)[0].kind == "refused"


def test_a_village_clerk_filters_only_their_village(qtbot, ctx):
    ctx.sign_in("cun", DEMO_PASSWORD)
    own = ctx.places.village(next(iter(ctx.who.village_ids)))
    residents = _page(qtbot, ResidentsPage, ctx)
    assert _combo_texts(residents.town) == [own.town_name]
    assert _combo_texts(residents.village) == [own.short_name]
    assert residents.places.village_id() == own.id
    assert {
        r.village_id for r in (residents.model.row_object(i) for i in range(residents.model.rowCount()))
    } == {own.id}
    requests = _page(qtbot, RequestsPage, ctx)
    bar = requests.filter_bar
    assert _combo_texts(bar.town_combo) == [own.town_name]
    assert _combo_texts(bar.village_combo) == [own.short_name]
    villages = _page(qtbot, VillagesPage, ctx)
    shown = [v.village.id for t in villages.overview.county(True, None) for v in t.villages]
    assert shown == [own.id]
    reports = _page(qtbot, ReportsPage, ctx)
    assert reports.picker.village_id() == own.id and "全县" not in _combo_texts(reports.town_combo)


# ---------------------------------------------------------------------- masking


def test_lists_mask_id_numbers_and_phones(qtbot, ctx):
    model = ResidentTableModel(ctx)
    model.set_filter(PersonFilter())
    phone_column, id_column = model.column_index("phone"), model.column_index("id_number")
    for row in range(model.rowCount()):
        resident = model.row_object(row)
        if resident.phone:
            assert model.index(row, phone_column).data() == mask_phone(resident.phone) != resident.phone
        if resident.id_number:
            assert model.index(row, id_column).data() == mask_id_number(resident.id_number)


def _with_id_number(ctx):
    return next(r for r in ctx.residents.list(PersonFilter(), 0, 200) if r.id_number and r.phone)


def test_resident_detail_masks_then_reveals_on_purpose_and_audits(qtbot, ctx):
    resident = _with_id_number(ctx)
    dialog = ResidentDetailDialog(None, ctx, resident.id)
    qtbot.addWidget(dialog)
    texts = lambda: [w.text() for w in dialog.person_box.findChildren(type(dialog.summary))]  # noqa: E731
    assert mask_id_number(resident.id_number) in texts() and resident.id_number not in texts()
    assert resident.phone in texts()  # the detail view shows the phone in full
    assert dialog.reveal_button.isEnabled()
    dialog.reveal_button.click()
    assert resident.id_number in texts()
    assert not dialog.reveal_button.isVisibleTo(dialog)
    newest = ctx.audit.entries(newest_first=True, limit=1)[0]
    assert newest.kind == "reveal" and newest.resident_uuid == resident.uuid and newest.user_name == "admin"
    assert resident.id_number not in newest.summary  # the trail keeps it masked
    history = [dialog.history.item(r, 3).text() for r in range(dialog.history.rowCount())]
    assert any("完整身份证号" in text for text in history)


def test_request_detail_reveals_for_a_town_clerk_and_shows_who_did_what(qtbot, ctx):
    request = next(
        r for r in ctx.requests.list(RequestFilter(), limit=200) if r.person_id_number or r.resident_id
    )
    ctx.sign_in("zhen", DEMO_PASSWORD)
    dialog = RequestDetailDialog(ctx, request.id)
    qtbot.addWidget(dialog)
    full = dialog._id_number(request)
    if not full:
        pytest.skip("the demo's first request has no ID number")
    assert dialog.info_labels["id_number"].text() == mask_id_number(full)
    assert dialog.info_labels["phone"].text() == (request.person_phone or "—")  # full: the clerk calls
    dialog.reveal_button.click()
    assert dialog.info_labels["id_number"].text() == full
    rows = [[dialog.timeline.item(r, c).text() for c in range(5)] for r in range(dialog.timeline.rowCount())]
    assert any(row[1] == "查看完整身份证号" and row[2] == "zhen" for row in rows)


def test_the_village_notice_shows_no_residents_numbers(qtbot, ctx, monkeypatch):
    opened: list[Path] = []
    monkeypatch.setattr(reports_page, "show_pdf", lambda parent, path, title: opened.append(Path(path)))
    page = _page(qtbot, ReportsPage, ctx)
    page.town_combo.setCurrentIndex(page.town_combo.findText("蒋辛屯镇"))
    page.notice_button.click()
    text = pdf_text(opened[-1]).replace(" ", "")
    residents = ctx.residents.list(PersonFilter(town_id=page.picker.town_id()), 0, 5000)
    assert residents
    for resident in residents:
        for value in (resident.id_number, resident.phone, resident.emergency_phone):
            if value:
                assert value not in text and mask_id_number(value) not in text
