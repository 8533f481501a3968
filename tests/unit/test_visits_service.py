"""Care visits through the services (issue #11): who is due (SQL) agrees with the domain rule, lists
hold the clerk's scope, the roster stays put while its results are typed back, and the month's
figures count visits due and done as contract §3 says."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from xianghe_desk.domain.drafts import ResidentDraft
from xianghe_desk.domain.enums import CareTag
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
from xianghe_desk.services.accounts import DEMO_PASSWORD, AccountService
from xianghe_desk.services.people import ResidentService
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.stats import StatsService
from xianghe_desk.services.visits import VisitService
from xianghe_desk.services.workspace import Workspace

FAR = date(2100, 1, 1)


def _all_planned(ws: Workspace) -> list:
    service = VisitService(ws)
    today = ws.now().date()
    return ws.visits.due(DueFilter(), service.intervals(), today, FAR, limit=100_000)


def test_the_due_list_in_sql_gives_the_domains_next_due_for_every_planned_resident(
    demo_ws: Workspace,
) -> None:
    service = VisitService(demo_ws)
    entries = _all_planned(demo_ws)
    planned = ResidentService(demo_ws).count(PersonFilter(visit_state="planned"))
    assert len(entries) == planned > 300
    for entry in entries:
        resident = ResidentService(demo_ws).get(entry.resident_id)
        assert service.next_due_of(resident) == entry.due, resident.name
        assert entry.interval_days == service.interval_of(resident)
        assert entry.overdue_days == max(0, (demo_ws.now().date() - entry.due).days)
    left = ResidentService(demo_ws).count(PersonFilter(visit_state="left"))
    paused = ResidentService(demo_ws).count(PersonFilter(visit_state="paused"))
    assert left > 0 and paused > 0
    assert not {e.resident_id for e in entries} & {
        r.id for r in ResidentService(demo_ws).list(PersonFilter(visit_state="left"), 0, 500)
    }


def test_the_lists_kinds_and_the_residents_filter_count_the_same_people(demo_ws: Workspace) -> None:
    service = VisitService(demo_ws)
    residents = ResidentService(demo_ws)
    overdue = service.due(DueFilter(kinds=(DueKind.OVERDUE,)))
    never = service.due(DueFilter(kinds=(DueKind.NEVER,)))
    week = service.due(DueFilter(kinds=(DueKind.THIS_WEEK,)))
    assert overdue and never and week
    assert all(e.overdue_days > 0 for e in overdue) and all(e.never_visited for e in never)
    assert {e.resident_id for e in overdue} == {
        r.id for r in residents.list(PersonFilter(visit_state="overdue"), 0, 9999)
    }
    assert {e.resident_id for e in never} == {
        r.id for r in residents.list(PersonFilter(visit_state="never"), 0, 9999)
    }
    assert len(week) == residents.count(PersonFilter(visit_state="week"))
    counts = service.counts()
    assert (counts.overdue, counts.never) == (len(overdue), len(never))
    assert counts.this_week == len(overdue) + len(week)
    roster_set = service.due(DueFilter())
    assert {e.resident_id for e in roster_set} == {e.resident_id for e in overdue + week + never}


def test_a_village_clerk_sees_only_their_village(demo_ws: Workspace) -> None:
    everyone = {e.village_id for e in VisitService(demo_ws).due(DueFilter())}
    AccountService(demo_ws).sign_in("cun", DEMO_PASSWORD)
    own = next(iter(demo_ws.who.village_ids))
    seen = {e.village_id for e in VisitService(demo_ws).due(DueFilter())}
    assert len(everyone) > 1 and seen == {own}


def test_the_roster_keeps_its_rows_while_the_weeks_visits_are_typed_in(demo_ws: Workspace, clock) -> None:
    service = VisitService(demo_ws)
    monday, _sunday = week_of(demo_ws.now().date())
    grid = max(
        PlaceService(demo_ws).grids_in_town(None),
        key=lambda g: len(service.roster(monday, grid_id=g.id).entries),
    )
    before = service.roster(monday, grid_id=grid.id)
    assert len(before.entries) >= 2
    first = before.entries[0]
    with demo_ws.atomic():
        service.log(VisitDraft(first.resident_id, demo_ws.now().date(), VisitMethod.HOME))
    after = service.roster(monday, grid_id=grid.id)
    assert [e.resident_id for e in after.entries] == [e.resident_id for e in before.entries]
    # The desk's list of today moves on: that resident is visited.
    listed = {e.resident_id for e in service.due(DueFilter(grid_id=grid.id))}
    assert first.resident_id not in listed
    # One grid's roster goes along its addresses.
    addresses = [e.address for e in before.entries]
    assert addresses == sorted(addresses)


# ---------------------------------------------------------------- the month's figures
@pytest.fixture
def planned(ws: Workspace) -> dict[str, int]:
    """Three residents of 王刘圈村 on plans that started on 2026-10-01."""
    village = PlaceService(ws).resolve_village("王刘圈村")
    residents = ResidentService(ws)
    ids = {
        "weekly": residents.add(ResidentDraft("周一走", village.id, care_tags=(CareTag.ELDERLY_ALONE,))).id,
        "monthly": residents.add(ResidentDraft("月月走", village.id, care_tags=(CareTag.DIBAO,))).id,
        "none": residents.add(ResidentDraft("不用走", village.id, care_tags=(CareTag.OTHER,))).id,
    }
    service = VisitService(ws)
    with ws.atomic():
        for key in ("weekly", "monthly"):
            service.set_plan(ids[key], None, None, date(2026, 10, 1))
    return ids


def _log(ws: Workspace, resident_id: int, day: date, method: VisitMethod = VisitMethod.HOME) -> None:
    with ws.atomic():
        VisitService(ws).log(VisitDraft(resident_id, day, method, checks={"health": CheckResult.OK}))


def test_the_months_visits_due_done_and_coverage(ws: Workspace, planned: dict[str, int]) -> None:
    # Weekly from 10-01: visited 10-29, then 11-05 (on time), 11-14 (late for 11-12), 11-20 (on time).
    for day in (date(2026, 10, 29), date(2026, 11, 5), date(2026, 11, 14), date(2026, 11, 20)):
        _log(ws, planned["weekly"], day)
    # Monthly from 10-01: due 10-31 (missed), next 11-30 — not yet due on 11-26.
    _log(ws, planned["monthly"], date(2026, 11, 3), VisitMethod.PHONE)
    stats = StatsService(ws)
    figures = stats.figures("2026-11", stats.scope(), as_of=datetime(2026, 11, 26, 18, 0))
    # Weekly: 11-05 done, 11-12 missed, 11-21 (from the late 11-14) done; 11-27 is tomorrow.
    # Monthly: due 10-31 missed in October; visited 11-03 (late): next 12-03, nothing in November.
    assert (figures["visits_due"], figures["visits_done"]) == (3, 2)
    assert figures["visit_coverage_rate"] == 66.7
    assert figures["home_visits"] == 3  # 11-05, 11-14 and 11-20 上门; the 11-03 call is not
    october = stats.figures("2026-10", stats.scope(), as_of=datetime(2026, 11, 26, 18, 0))
    # Weekly: 10-08 … 10-29 due (10-08, 10-15, 10-22 missed; 10-29 done); monthly: 10-31 missed.
    assert (october["visits_due"], october["visits_done"]) == (5, 1)


def test_home_visits_add_the_months_logged_home_visits(ws: Workspace, planned: dict[str, int]) -> None:
    stats = StatsService(ws)
    before = stats.figures("2026-11", stats.scope(), as_of=datetime(2026, 11, 26, 18, 0))["home_visits"]
    _log(ws, planned["weekly"], date(2026, 11, 10))
    _log(ws, planned["weekly"], date(2026, 11, 11), VisitMethod.VIDEO)
    _log(ws, planned["none"], date(2026, 11, 12))  # no plan: still a 上门 visit
    after = stats.figures("2026-11", stats.scope(), as_of=datetime(2026, 11, 26, 18, 0))["home_visits"]
    assert after - before == 2


def test_a_scope_counts_its_own_residents_only(ws: Workspace, planned: dict[str, int]) -> None:
    stats = StatsService(ws)
    as_of = datetime(2026, 11, 26, 18, 0)
    village = stats.figures("2026-11", stats.scope(village="王刘圈村"), as_of=as_of)
    county = stats.figures("2026-11", stats.scope(), as_of=as_of)
    other = stats.figures("2026-11", stats.scope(town="淑阳镇"), as_of=as_of)
    assert village["visits_due"] == county["visits_due"] > 0
    assert other["visits_due"] == 0


def test_deceased_and_hospital_leave_the_figures_from_their_dates(
    ws: Workspace, planned: dict[str, int]
) -> None:
    service = VisitService(ws)
    stats = StatsService(ws)
    as_of = datetime(2026, 11, 26, 18, 0)
    for day in (date(2026, 10, 27), date(2026, 11, 3), date(2026, 11, 17)):
        _log(ws, planned["weekly"], day)
    full = stats.figures("2026-11", stats.scope(), as_of=as_of)
    assert planned["weekly"] in {e.resident_id for e in service.due(DueFilter())}
    with ws.atomic():
        service.set_status(planned["weekly"], StatusInfo(ResidentStatus.DECEASED, date(2026, 11, 15)))
    died = stats.figures("2026-11", stats.scope(), as_of=as_of)
    # Weekly from the 10-27 visit: 11-03 done, 11-10 missed (next visit 11-17), and from 11-15 no
    # more due dates: only 11-03 and 11-10 stay.
    assert (died["visits_due"], died["visits_done"]) == (2, 1)
    assert full["visits_due"] > died["visits_due"]
    assert planned["weekly"] not in {e.resident_id for e in service.due(DueFilter())}
    # In hospital from 11-05 to 11-20 instead: 11-10 falls in the stay and moves to 11-21, which the
    # 11-17 visit covers; then 11-24 is missed: 11-03 and 11-21 done of three.
    with ws.atomic():
        service.set_status(
            planned["weekly"], StatusInfo(ResidentStatus.HOSPITAL, date(2026, 11, 5), date(2026, 11, 20))
        )
    stay = stats.figures("2026-11", stats.scope(), as_of=as_of)
    assert (stay["visits_due"], stay["visits_done"]) == (3, 2)


@pytest.mark.parametrize(
    "status",
    [
        StatusInfo(),
        StatusInfo(ResidentStatus.HOSPITAL, date(2026, 11, 1), date(2026, 11, 20)),  # ended
        StatusInfo(ResidentStatus.HOSPITAL, date(2026, 11, 20), date(2026, 12, 20)),  # in hospital
        StatusInfo(ResidentStatus.HOSPITAL, date(2026, 12, 1), date(2026, 12, 20)),  # to come
        StatusInfo(ResidentStatus.MOVED, date(2026, 12, 10)),  # announced
        StatusInfo(ResidentStatus.DECEASED, date(2026, 11, 2)),
    ],
    ids=["active", "stay-ended", "in-hospital", "stay-to-come", "moving", "deceased"],
)
@pytest.mark.parametrize(
    "last",
    [None, date(2026, 10, 20), date(2026, 11, 13), date(2026, 11, 22)],
    ids=["never", "long-ago", "due-on-the-stays-last-day", "recent"],
)
def test_sql_and_domain_agree_for_every_status(ws: Workspace, planned: dict[str, int], status, last) -> None:
    service = VisitService(ws)
    rid = planned["weekly"]
    if last is not None:
        _log(ws, rid, last)
    with ws.atomic():
        service.set_status(rid, status)
    resident = ResidentService(ws).get(rid)
    expected = service.next_due_of(resident)
    listed = {e.resident_id: e.due for e in _all_planned(ws)}
    assert listed.get(rid) == expected
    assert (expected is None) == (status.left_on(ws.now().date()) or status.paused_on(ws.now().date()))
