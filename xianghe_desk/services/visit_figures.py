"""The month's care-visit figures (contract §3: visits_due, visits_done, visit_coverage_rate, and the
上门 visits in home_visits) for a scope, with the same by town, village and grid for the summary.

The rules are domain/visits.py's ``occasions``; this module reads the facts and adds them up, so
``stats --json``, the dashboard and the monthly summary give the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from xianghe_desk.domain.figures import month_bounds, rate
from xianghe_desk.domain.visits import Coverage, month_coverage
from xianghe_desk.services.visits import VisitService
from xianghe_desk.services.workspace import Workspace


@dataclass(frozen=True)
class VisitFigures:
    due: int
    done: int
    home: int  # 上门 visits logged in the month (up to as-of)
    by_town: dict[int | None, Coverage] = field(default_factory=dict)
    by_village: dict[int | None, Coverage] = field(default_factory=dict)
    by_grid: dict[int | None, Coverage] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return rate(self.done, self.due)


def month_days(month: str, as_of: datetime) -> tuple[date, date, date]:
    """(first day, last day, as-of day) of ``month``."""
    start, end = month_bounds(month)
    return start.date(), (end - timedelta(days=1)).date(), as_of.date()


def visit_figures(
    ws: Workspace, month: str, as_of: datetime, town_id: int | None = None, village_id: int | None = None
) -> VisitFigures:
    """The month's visits due and done on time, and its 上门 visits, in the scope as of ``as_of``."""
    first, last, today = month_days(month, as_of)
    if today < first:
        return VisitFigures(0, 0, 0)
    facts = ws.visits.plan_facts(first, last, VisitService(ws).intervals(), town_id, village_id)
    total, by = month_coverage(facts, first, last, today)
    home = ws.visits.home_visits(first, min(last, today), town_id, village_id)
    return VisitFigures(total.due, total.done, home, by["town"], by["village"], by["grid"])
