"""Care-visit operations for each role (issue #11): what each may do, what is refused in Chinese with
nothing written and the refusal audited; a need turned into a request; a deceased resident and a
new request; the recycle bin; the fast entry's all-or-nothing batch."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.helpers import pdf_text, squash
from tests.unit.role_helpers import (
    audit_rows,
    other_town_village,
    other_village,
    own_village,
    refused,
    sign_in,
)
from xianghe_desk.domain import duetime
from xianghe_desk.domain.drafts import RequestDraft
from xianghe_desk.domain.enums import CareTag, Status
from xianghe_desk.domain.errors import ConflictError, ValidationError
from xianghe_desk.domain.queries import PersonFilter
from xianghe_desk.domain.visits import (
    CheckResult,
    DueFilter,
    ResidentStatus,
    StatusInfo,
    VisitDraft,
    VisitMethod,
)
from xianghe_desk.operations.calendar import set_official_year
from xianghe_desk.operations.recycle import delete_to_bin, restore_from_bin
from xianghe_desk.operations.requests import register_request
from xianghe_desk.operations.visits import (
    due_list,
    log_visit,
    log_visits,
    need_to_request,
    print_roster,
    set_intervals,
    set_plan,
    set_resident_status,
    update_visit,
)
from xianghe_desk.services.people import ResidentService
from xianghe_desk.services.visits import VisitService
from xianghe_desk.services.workspace import Workspace


def _resident_in(ws: Workspace, village_id: int) -> int:
    """A planned, active resident of the village."""
    found = ResidentService(ws).list(PersonFilter(village_id=village_id, visit_state="planned"), 0, 50)
    return next(r.id for r in found if r.status is ResidentStatus.ACTIVE)


def _today(ws: Workspace) -> date:
    return ws.now().date()


def test_a_viewer_may_read_and_print_but_not_log_a_visit(demo_ws: Workspace, tmp_path: Path) -> None:
    rid = _resident_in(demo_ws, own_village(demo_ws).id)
    before = demo_ws.visits.count_of_resident(rid)
    sign_in(demo_ws, "lingdao")
    refused(lambda: log_visit(demo_ws, VisitDraft(rid, _today(demo_ws))), "领导查看", "走访")
    assert demo_ws.visits.count_of_resident(rid) == before
    assert audit_rows(demo_ws, "visit.log", "refused")
    assert due_list(demo_ws, DueFilter()).value  # reading is allowed
    grid = ResidentService(demo_ws).get(rid).grid_id
    roster = print_roster(demo_ws, tmp_path / "r.pdf", _today(demo_ws), grid_id=grid).value
    assert (tmp_path / "r.pdf").exists() and audit_rows(demo_ws, "visit.roster", "print")
    assert roster.entries is not None


def test_a_village_clerk_logs_visits_in_their_village_only(demo_ws: Workspace) -> None:
    own = _resident_in(demo_ws, own_village(demo_ws).id)
    other = _resident_in(demo_ws, other_village(demo_ws).id)
    sign_in(demo_ws, "cun")
    visit = log_visit(demo_ws, VisitDraft(own, _today(demo_ws), VisitMethod.PHONE)).value
    assert visit.recorded_by == "cun" and visit.method is VisitMethod.PHONE
    (row,) = [e for e in audit_rows(demo_ws, "visit.log") if e.entity_uuid == visit.uuid]
    assert "登记走访" in row.summary and row.resident_uuid
    refused(lambda: log_visit(demo_ws, VisitDraft(other, _today(demo_ws))), "不在您负责的范围内")
    refused(lambda: set_plan(demo_ws, other, 7), "不在您负责的范围内")
    refused(lambda: due_list(demo_ws, DueFilter(village_id=other_village(demo_ws).id)), "不在您负责的范围内")
    assert set_plan(demo_ws, own, 10).value.interval_days == 10


def test_a_town_clerk_works_in_the_town_and_may_not_change_intervals_or_holidays(demo_ws: Workspace) -> None:
    other = _resident_in(demo_ws, other_village(demo_ws).id)
    outside = other_town_village(demo_ws)
    sign_in(demo_ws, "zhen")
    assert log_visit(demo_ws, VisitDraft(other, _today(demo_ws))).value.resident_id == other
    refused(lambda: due_list(demo_ws, DueFilter(village_id=outside.id)), "不在您负责的范围内")
    refused(lambda: set_intervals(demo_ws, {CareTag.DIBAO: 20}), "镇级文员", "修改设置")
    refused(lambda: set_official_year(demo_ws, 2027, "2027-01-01 元旦", ""), "镇级文员")
    assert VisitService(demo_ws).intervals()[CareTag.DIBAO] == 30


def test_an_administrator_sets_intervals_and_a_years_holidays(demo_ws: Workspace) -> None:
    sign_in(demo_ws, "admin")
    changed = set_intervals(demo_ws, {CareTag.DIBAO: 20}).value
    assert changed[CareTag.DIBAO] == 20 and VisitService(demo_ws).intervals()[CareTag.DIBAO] == 20
    (row,) = audit_rows(demo_ws, "settings.visit_intervals")
    assert "低保20天" in row.summary
    with pytest.raises(ValidationError, match="1–92"):
        set_intervals(demo_ws, {CareTag.DIBAO: 100})
    assert not duetime.calendar_known(date(2027, 2, 8))
    set_official_year(demo_ws, 2027, "2027-02-05 至 2027-02-12 春节", "2027-02-14 春节调休", "国办发明电")
    assert duetime.calendar_known(date(2027, 2, 8)) and not duetime.is_workday(date(2027, 2, 8))
    assert demo_ws.calendars.get(2027).source == "国办发明电"  # type: ignore[union-attr]
    # Another workspace on the same file reads it from the database.
    with Workspace.open(demo_ws.path) as again:
        assert [y.year for y in again.calendars.years()] == [2027]


def test_a_need_noticed_becomes_a_request_in_one_step(demo_ws: Workspace) -> None:
    rid = _resident_in(demo_ws, own_village(demo_ws).id)
    resident = ResidentService(demo_ws).get(rid)
    member = VisitService(demo_ws).responsible_members(resident)[0]
    sign_in(demo_ws, "cun")
    visit = log_visit(
        demo_ws,
        VisitDraft(rid, _today(demo_ws), VisitMethod.HOME, member.id,
                   {"heating": CheckResult.PROBLEM}, needs="家里煤不够烧了，想请人帮忙买煤"),
    ).value  # fmt: skip
    done = need_to_request(demo_ws, visit.id, "payments_purchases").value
    request = done.registered.request
    assert request.channel == "grid_patrol" and request.resident_id == rid
    assert (request.village_id, request.grid_id) == (resident.village_id, resident.grid_id)
    assert request.handler_id == member.id and request.status is Status.DISPATCHED
    assert request.content == "家里煤不够烧了，想请人帮忙买煤"
    assert done.visit.request_id == request.id and done.visit.request_number == request.number
    assert audit_rows(demo_ws, "visit.to_request")
    with pytest.raises(ValidationError, match="已经登记为工单"):
        need_to_request(demo_ws, visit.id, "payments_purchases")


def test_a_deceased_resident_gets_no_new_request_without_a_deliberate_override(demo_ws: Workspace) -> None:
    rid = _resident_in(demo_ws, own_village(demo_ws).id)
    resident = ResidentService(demo_ws).get(rid)
    sign_in(demo_ws, "zhen")
    set_resident_status(
        demo_ws, rid, StatusInfo(ResidentStatus.DECEASED, _today(demo_ws) - timedelta(days=3))
    )
    draft = RequestDraft("phone", "payments_purchases", "代买药品", resident.village_id, resident_id=rid)
    with pytest.raises(ValidationError, match="去世") as caught:
        register_request(demo_ws, draft)
    assert caught.value.field == "resident_status" and "仍要登记" in caught.value.message
    made = register_request(demo_ws, draft, override=True).value.request
    (row,) = [e for e in audit_rows(demo_ws, "request.register") if e.entity_uuid == made.uuid]
    assert "经确认仍登记" in row.summary
    # A request received before the death is no problem (a late entry).
    earlier = RequestDraft(
        "phone", "payments_purchases", "补登", resident.village_id, resident_id=rid,
        received_at=demo_ws.now() - timedelta(days=10),
    )  # fmt: skip
    assert register_request(demo_ws, earlier).value.request.resident_id == rid
    # No visit after the death either; the history stays.
    with pytest.raises(ValidationError, match="不能登记"):
        log_visit(demo_ws, VisitDraft(rid, _today(demo_ws)))
    assert VisitService(demo_ws).timeline(rid)


def test_a_visit_goes_to_the_bin_and_back(demo_ws: Workspace) -> None:
    rid = _resident_in(demo_ws, own_village(demo_ws).id)
    sign_in(demo_ws, "cun")
    visit = log_visit(demo_ws, VisitDraft(rid, _today(demo_ws))).value
    delete_to_bin(demo_ws, "visit", visit.id)
    assert visit.id not in {v.id for v in VisitService(demo_ws).timeline(rid)}
    refused(lambda: restore_from_bin(demo_ws, "visit", visit.id), "村级录入员")
    sign_in(demo_ws, "admin")
    restore_from_bin(demo_ws, "visit", visit.id)
    assert visit.id in {v.id for v in VisitService(demo_ws).timeline(rid)}


def test_the_fast_entry_batch_is_all_or_nothing_and_names_the_row(demo_ws: Workspace) -> None:
    sign_in(demo_ws, "zhen")
    village = own_village(demo_ws).id
    ids = [
        r.id
        for r in ResidentService(demo_ws).list(PersonFilter(village_id=village, visit_state="planned"), 0, 3)
    ]
    counts = [demo_ws.visits.count_of_resident(i) for i in ids]
    today = _today(demo_ws)
    drafts = [VisitDraft(ids[0], today), VisitDraft(ids[1], today + timedelta(days=2))]
    with pytest.raises(ValidationError, match=r"第 2 行.*晚于今天"):
        log_visits(demo_ws, drafts)
    assert [demo_ws.visits.count_of_resident(i) for i in ids] == counts
    done = log_visits(demo_ws, [VisitDraft(ids[0], today), VisitDraft(ids[1], today)]).value
    assert len(done) == 2
    with pytest.raises(ConflictError, match="已经登记过了"):
        log_visit(demo_ws, VisitDraft(ids[0], today))


def test_editing_a_visit_is_audited_with_before_and_after(demo_ws: Workspace) -> None:
    sign_in(demo_ws, "cun")
    rid = _resident_in(demo_ws, own_village(demo_ws).id)
    visit = log_visit(demo_ws, VisitDraft(rid, _today(demo_ws), note="初记")).value
    changed = update_visit(
        demo_ws, visit.id, VisitDraft(rid, _today(demo_ws), VisitMethod.VIDEO, note="改过")
    ).value
    assert (changed.method, changed.note) == (VisitMethod.VIDEO, "改过")
    (row,) = [e for e in audit_rows(demo_ws, "visit.update") if e.entity_uuid == visit.uuid]
    assert row.detail["before"]["note"] == "初记" and row.detail["after"]["note"] == "改过"


def test_a_printed_roster_lists_its_residents_in_order(demo_ws: Workspace, tmp_path: Path) -> None:
    sign_in(demo_ws, "cun")
    rid = _resident_in(demo_ws, own_village(demo_ws).id)
    grid = ResidentService(demo_ws).get(rid).grid_id
    roster = print_roster(demo_ws, tmp_path / "roster.pdf", _today(demo_ws), grid_id=grid).value
    text = squash(pdf_text(tmp_path / "roster.pdf"))
    assert "走访表" in text and "服务对象签字" in text and "冬季取暖" in text
    positions = [text.index(squash(e.name)) for e in roster.entries]
    assert positions == sorted(positions) and roster.entries
    for entry in roster.entries:
        if entry.phone:
            assert entry.phone.replace("-", "") in text.replace("-", "")  # in full, not masked
