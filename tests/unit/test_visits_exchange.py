# ruff: noqa: F811 - pytest fixtures shared from test_exchange_roundtrip are parameters here
"""Care visits travel in exchange packages (issue #11): a visit made offline on a village laptop
reaches the township once, never twice; plans, statuses and a request made from a visit come along;
another village's laptop gets none of it."""

from __future__ import annotations

from datetime import date

from tests.unit.test_exchange_roundtrip import VILLAGE_A, Trio, snapshot, trio, trio_template  # noqa: F401
from xianghe_desk.domain.drafts import ResidentDraft
from xianghe_desk.domain.enums import CareTag
from xianghe_desk.domain.visits import CheckResult, ResidentStatus, StatusInfo, VisitDraft, VisitMethod
from xianghe_desk.operations.visits import log_visit, need_to_request, set_plan, set_resident_status
from xianghe_desk.services.people import ResidentService
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.visits import VisitService
from xianghe_desk.services.workspace import Workspace


def _resident(ws: Workspace, name: str) -> int:
    village = PlaceService(ws).resolve_village(VILLAGE_A)
    return ResidentService(ws).add(ResidentDraft(name, village.id, care_tags=(CareTag.ELDERLY_ALONE,))).id


def _visits_of(ws: Workspace, name: str) -> list:
    rows = ws.db.execute("SELECT id FROM residents WHERE name = ?", [name]).fetchall()
    return [v for (rid,) in rows for v in VisitService(ws).timeline(rid)]


def test_a_visit_made_on_the_laptop_reaches_the_township_once(trio: Trio) -> None:
    rid = _resident(trio.a, "孙老汉")
    today = trio.a.now().date()
    visit = log_visit(
        trio.a,
        VisitDraft(rid, today, VisitMethod.HOME, checks={"health": CheckResult.OK, "mood": CheckResult.PROBLEM},
                   note="老伴走了以后话少了"),
    ).value  # fmt: skip
    trio.send(trio.a, trio.town)
    (arrived,) = _visits_of(trio.town, "孙老汉")
    assert (arrived.uuid, arrived.visited_on, arrived.note) == (visit.uuid, today, "老伴走了以后话少了")
    assert arrived.checks == {"health": CheckResult.OK, "mood": CheckResult.PROBLEM}
    # The same package again, the next one repeating it, and a round trip: still one visit.
    trio.send(trio.a, trio.town)
    trio.send(trio.town, trio.a)
    trio.send(trio.a, trio.town)
    assert len(_visits_of(trio.town, "孙老汉")) == 1
    assert len(_visits_of(trio.a, "孙老汉")) == 1
    assert snapshot(trio.town)["visits"] == snapshot(trio.a)["visits"]
    # Laptop B (another village) holds none of it.
    trio.send(trio.town, trio.b)
    assert _visits_of(trio.b, "孙老汉") == []
    assert visit.uuid not in snapshot(trio.b)["visits"]


def test_an_edit_and_a_deletion_on_the_laptop_arrive_as_changes(trio: Trio) -> None:
    rid = _resident(trio.a, "钱大娘")
    today = trio.a.now().date()
    visit = log_visit(trio.a, VisitDraft(rid, today, VisitMethod.PHONE)).value
    trio.send(trio.a, trio.town)
    VisitService(trio.a).update(visit.id, VisitDraft(rid, today, VisitMethod.HOME, note="改为上门"))
    trio.send(trio.a, trio.town)
    (arrived,) = _visits_of(trio.town, "钱大娘")
    assert (arrived.method, arrived.note) == (VisitMethod.HOME, "改为上门")


def test_plans_statuses_and_a_request_from_a_visit_travel_together(trio: Trio) -> None:
    rid = _resident(trio.a, "李奶奶")
    today = trio.a.now().date()
    set_plan(trio.a, rid, 3, None, date(2026, 10, 1), "腿脚不好，多去看看")
    visit = log_visit(trio.a, VisitDraft(rid, today, needs="想请人帮忙修漏水的屋顶")).value
    need_to_request(trio.a, visit.id, "repairs", dispatch=False)
    set_resident_status(trio.a, rid, StatusInfo(ResidentStatus.HOSPITAL, today, date(2027, 1, 15)))
    trio.send(trio.a, trio.town)
    (at_town,) = _visits_of(trio.town, "李奶奶")
    assert at_town.request_number and at_town.request_id is not None
    request = trio.town.requests.get(at_town.request_id)
    assert (
        request is not None
        and request.channel == "grid_patrol"
        and request.resident_id == at_town.resident_id
    )
    resident = ResidentService(trio.town).get(at_town.resident_id)
    assert resident.status is ResidentStatus.HOSPITAL and resident.status_until == date(2027, 1, 15)
    plan = VisitService(trio.town).plan(resident.id)
    assert plan is not None and (plan.interval_days, plan.note) == (3, "腿脚不好，多去看看")
    for table in ("visits", "visit_plans", "residents", "requests"):
        assert snapshot(trio.town)[table].keys() >= snapshot(trio.a)[table].keys(), table


def test_one_plan_set_on_both_copies_is_one_plan(trio: Trio) -> None:
    rid = _resident(trio.town, "周大爷")
    trio.send(trio.town, trio.a)
    laptop_rid = trio.a.db.execute("SELECT id FROM residents WHERE name = '周大爷'").fetchone()[0]
    set_plan(trio.town, rid, 5)
    set_plan(trio.a, laptop_rid, 5)
    trio.send(trio.a, trio.town)
    trio.send(trio.town, trio.a)
    count = trio.town.db.execute(
        "SELECT count(*) FROM visit_plans WHERE resident_id = ? AND deleted_at IS NULL", [rid]
    ).fetchone()[0]
    assert count == 1
    assert snapshot(trio.town)["visit_plans"] == snapshot(trio.a)["visit_plans"]


def test_a_visit_logged_at_the_township_reaches_its_villages_laptop_only(trio: Trio) -> None:
    rid = _resident(trio.town, "吴婆婆")
    log_visit(trio.town, VisitDraft(rid, trio.town.now().date(), VisitMethod.VIDEO, note="视频里看着精神好"))
    trio.send(trio.town, trio.a)
    trio.send(trio.town, trio.b)
    (arrived,) = _visits_of(trio.a, "吴婆婆")
    assert arrived.note == "视频里看着精神好"
    assert _visits_of(trio.b, "吴婆婆") == []
