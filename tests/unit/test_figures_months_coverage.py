"""The monthly summary's visit figures of two months counted on ordinals (domain.visits.months_coverage,
store plan_days) equal month_coverage of each month's own facts (issue #13)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from xianghe_desk.domain.visits import (
    DayPlan,
    PlanFact,
    ResidentStatus,
    StatusInfo,
    month_coverage,
    months_coverage,
)
from xianghe_desk.services.visits import VisitService
from xianghe_desk.services.workspace import Workspace

OCT, NOV = (date(2026, 10, 1), date(2026, 10, 31)), (date(2026, 11, 1), date(2026, 11, 30))
STATUSES = [
    None,
    None,
    None,
    StatusInfo(ResidentStatus.HOSPITAL, date(2026, 10, 20), date(2026, 11, 9)),
    StatusInfo(ResidentStatus.HOSPITAL, date(2026, 11, 3), None),
    StatusInfo(ResidentStatus.MOVED, date(2026, 11, 15), None),
    StatusInfo(ResidentStatus.DECEASED, date(2026, 10, 10), None),
]


def _plans(seed: int, count: int) -> list[DayPlan]:
    rng = random.Random(seed)
    plans: list[DayPlan] = []
    for rid in range(count):
        step = rng.choice([1, 3, 7, 14, 30, 31, 90])
        starts = OCT[0] - timedelta(days=rng.randint(0, 30_000 if rng.random() < 0.1 else 400))
        before = OCT[0] - timedelta(days=rng.randint(1, 120)) if rng.random() < 0.7 else None
        visits = sorted(OCT[0] + timedelta(days=rng.randint(0, 60)) for _ in range(rng.randint(0, 6)))
        plans.append(
            (
                rid % 3,
                rid % 7,
                rid % 11 or None,
                step,
                starts.toordinal(),
                before.toordinal() if before else None,
                tuple(v.toordinal() for v in visits),
                rng.choice(STATUSES),
            )
        )
    return plans


def _fact(plan: DayPlan, first: date) -> PlanFact:
    """The plan as plan_facts reads it for the month starting at ``first`` alone."""
    town, village, grid, step, starts, before, visits, status = plan
    days = [date.fromordinal(v) for v in visits]
    earlier = [v for v in days if v < first]
    last_before = max(earlier) if earlier else (date.fromordinal(before) if before else None)
    return PlanFact(
        0,
        town,
        village,
        grid,
        step,
        date.fromordinal(starts),
        status or StatusInfo(),
        last_before,  # type: ignore[arg-type]
        tuple(v for v in days if v >= first),
    )


def _as_dicts(found: tuple) -> tuple:  # type: ignore[type-arg]
    total, by = found
    return (total.due, total.done), {
        level: [(k, c.due, c.done) for k, c in cs.items()] for level, cs in by.items()
    }


def test_two_months_on_ordinals_are_each_months_own_coverage() -> None:
    plans = _plans(7, 3000)
    # The same plans again elsewhere: residents with the same interval and days are counted once.
    plans += [(town, (village or 0) + 100, grid, *rest) for town, village, grid, *rest in plans[::3]]  # type: ignore[misc]
    for today in (
        date(2026, 10, 1),
        date(2026, 10, 17),
        date(2026, 11, 1),
        date(2026, 11, 20),
        date(2026, 12, 6),
    ):
        ours = months_coverage(plans, [OCT, NOV], today)
        for (first, last), found in zip((OCT, NOV), ours, strict=True):
            theirs = month_coverage([_fact(p, first) for p in plans], first, last, today)
            assert _as_dicts(found) == _as_dicts(theirs), (first, today)  # same counts, same order


def test_plan_days_are_plan_facts_in_ordinals(demo_ws: Workspace) -> None:
    today = demo_ws.now().date()
    first = date(today.year, today.month, 1) - timedelta(days=40)
    first = date(first.year, first.month, 1)
    intervals = VisitService(demo_ws).intervals()
    facts = demo_ws.visits.plan_facts(first, today, intervals)
    plans = demo_ws.visits.plan_days(first, today, intervals)
    assert len(plans) == len(facts) > 0
    for fact, (town, village, grid, step, starts, before, visits, status) in zip(facts, plans, strict=True):
        assert (town, village, grid, step) == (fact.town_id, fact.village_id, fact.grid_id, fact.interval)
        assert starts == fact.starts_on.toordinal()
        assert before == (fact.last_before.toordinal() if fact.last_before else None)
        assert visits == tuple(v.toordinal() for v in fact.visits)
        assert (status or StatusInfo()).status is fact.status.status
    ours = months_coverage(plans, [(first, today)], today)[0]
    assert _as_dicts(ours) == _as_dicts(month_coverage(facts, first, today, today))
