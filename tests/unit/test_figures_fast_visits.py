"""The care-visit figures' quicker paths (issue #13) count what the plain rules count.

domain.visits.occasions takes a shorter loop for a resident neither in hospital nor gone
(nearly all of a county's); store.visits.plan_facts reads each resident's visits of the month
in one statement; the dashboard's three due counts come from one pass. These tests compare each
with the long way.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

from xianghe_desk.domain.visits import (
    DueFilter,
    DueKind,
    PlanFact,
    ResidentStatus,
    StatusInfo,
    month_coverage,
    occasion_counts,
    occasions,
)
from xianghe_desk.services.visits import VisitService
from xianghe_desk.services.workspace import Workspace

FIRST, LAST = date(2026, 11, 1), date(2026, 11, 30)
# A hospital stay that starts long after the month: the general loop, with no pause in it.
NEVER_IN_HOSPITAL = StatusInfo(ResidentStatus.HOSPITAL, date(2099, 1, 1), None)


def _plans(seed: int, count: int) -> list[PlanFact]:
    rng = random.Random(seed)
    plans = []
    for rid in range(1, count + 1):
        interval = rng.choice([3, 7, 14, 30, 31, 90])
        before = FIRST - timedelta(days=rng.randint(1, 120)) if rng.random() < 0.8 else None
        starts = FIRST - timedelta(days=rng.randint(0, 400))
        visits = sorted(FIRST + timedelta(days=rng.randint(0, 35)) for _ in range(rng.randint(0, 9)))
        plans.append(
            PlanFact(
                rid, rid % 3, rid % 7, rid % 11 or None, interval, starts, StatusInfo(), before, tuple(visits)
            )
        )
    return plans


def test_the_short_loop_finds_the_same_occasions() -> None:
    for today in (date(2026, 10, 30), FIRST, date(2026, 11, 13), LAST, date(2026, 12, 6)):
        for plan in _plans(13, 600):
            assert occasions(plan, FIRST, LAST, today) == occasions(
                plan._replace(status=NEVER_IN_HOSPITAL), FIRST, LAST, today
            ), plan


def test_counting_gives_the_occasions_count() -> None:
    for today in (FIRST, date(2026, 11, 13), date(2026, 12, 6)):
        for plan in _plans(41, 400):
            found = occasions(plan, FIRST, LAST, today)
            assert occasion_counts(plan, FIRST, LAST, today) == (len(found), sum(o.done for o in found))


def test_month_coverage_adds_the_same_by_every_level() -> None:
    plans = _plans(29, 800)
    today = date(2026, 11, 20)
    total, by = month_coverage(plans, FIRST, LAST, today)
    due = done = 0
    per_village: dict[int, list[int]] = {}
    for plan in plans:
        found = occasions(plan._replace(status=NEVER_IN_HOSPITAL), FIRST, LAST, today)
        due += len(found)
        done += sum(o.done for o in found)
        if found:
            row = per_village.setdefault(plan.village_id, [0, 0])
            row[0] += len(found)
            row[1] += sum(o.done for o in found)
    assert (total.due, total.done) == (due, done)
    assert {k: [c.due, c.done] for k, c in by["village"].items()} == per_village
    assert sum(c.due for c in by["town"].values()) == sum(c.due for c in by["grid"].values()) == due


def test_the_dashboards_due_counts_in_one_pass_are_each_count(demo_ws: Workspace) -> None:
    """store.visits.count_due_each gives what count_due gives kind by kind."""
    service = VisitService(demo_ws)
    today, _start, end = service.reference(None)
    intervals = service.intervals()
    kinds = [
        (),
        (DueKind.OVERDUE,),
        (DueKind.THIS_WEEK,),
        (DueKind.NEVER,),
        (DueKind.OVERDUE, DueKind.THIS_WEEK),
    ]
    town = demo_ws.db.execute("SELECT min(town_id) FROM residents").fetchone()[0]
    for flt in (DueFilter(), DueFilter(town_id=town)):
        each = demo_ws.visits.count_due_each(flt, kinds, intervals, today, end)
        one_by_one = [demo_ws.visits.count_due(replace(flt, kinds=k), intervals, today, end) for k in kinds]
        assert each == one_by_one
        assert any(each)
    counts = service.counts()
    assert counts.overdue == service.count_due(DueFilter(kinds=(DueKind.OVERDUE,)))
    assert counts.never == service.count_due(DueFilter(kinds=(DueKind.NEVER,)))


def test_plan_facts_read_each_residents_visits_of_the_month(demo_ws: Workspace) -> None:
    """The month's visits per resident (one grouped subquery) are those in the visit log."""
    service = VisitService(demo_ws)
    now = demo_ws.now().date()
    first = now.replace(day=1)
    facts = demo_ws.visits.plan_facts(first, now, service.intervals())
    expected: dict[int, list[date]] = {}
    for rid, day in demo_ws.db.execute(
        "SELECT resident_id, visited_on FROM visits WHERE deleted_at IS NULL AND visited_on >= ? AND visited_on <= ?"
        " ORDER BY resident_id, visited_on",
        [first.isoformat(), now.isoformat()],
    ):
        expected.setdefault(rid, []).append(date.fromisoformat(day))
    assert any(f.visits for f in facts)
    for fact in facts:
        assert list(fact.visits) == expected.get(fact.resident_id, [])
        last = demo_ws.visits.last_visit(fact.resident_id, before=first)
        assert fact.last_before == last


def test_two_months_from_one_read_are_each_months_own(demo_ws: Workspace) -> None:
    """The monthly summary computes this month's and last month's visit figures from one read."""
    from xianghe_desk.domain.figures import month_of, previous_month
    from xianghe_desk.services.report_figures import SummaryWorkspace
    from xianghe_desk.services.visit_figures import remember_months, visit_figures

    now = demo_ws.now()
    month = month_of(now.date())
    months = [previous_month(previous_month(month)), previous_month(month), month]
    town = demo_ws.db.execute("SELECT min(town_id) FROM residents").fetchone()[0]
    seen: set[int] = set()
    for as_of in (now, now - timedelta(days=now.day + 3)):
        for town_id in (None, town):
            shared = SummaryWorkspace(demo_ws)
            remember_months(shared, months, as_of, town_id)  # type: ignore[arg-type]
            for m in months:
                ours = shared.figures_memo[("visit_figures", m, as_of, town_id, None)]
                assert ours == visit_figures(demo_ws, m, as_of, town_id), (m, as_of, town_id)
                seen.add(ours.due)
    assert len(seen) > 2  # months with visits due, not only empty ones
