"""The month's care-visit figures (contract §3: visits_due, visits_done, visit_coverage_rate, and the
上门 visits in home_visits) for a scope, with the same by town, village and grid for the summary.

The rules are domain/visits.py's ``occasions``; this module reads the facts and adds them up, so
``stats --json``, the dashboard and the monthly summary give the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import cast

from xianghe_desk.domain.figures import month_bounds, rate
from xianghe_desk.domain.visits import Coverage, months_coverage
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
    """The month's visits due and done on time, and its 上门 visits, in the scope as of ``as_of``.

    A workspace with a ``figures_memo`` (the monthly summary's, services.report_figures) computes
    them once for the summary's figures, its last month and its visits section.
    """
    memo = getattr(ws, "figures_memo", None)
    key = ("visit_figures", month, as_of, town_id, village_id)
    if memo is not None and key in memo:
        return cast(VisitFigures, memo[key])
    figures = _visit_figures(ws, month, as_of, town_id, village_id)
    if memo is not None:
        memo[key] = figures
    return figures


def remember_months(
    ws: Workspace,
    months: list[str],
    as_of: datetime,
    town_id: int | None = None,
    village_id: int | None = None,
) -> None:
    """Compute the visit figures of consecutive ``months`` (oldest first) from one read of the plans
    and visits into the workspace's ``figures_memo`` (the monthly summary: this month and the last)."""
    memo = getattr(ws, "figures_memo", None)
    if memo is None or not months:
        return
    bounds = [month_days(m, as_of) for m in months]
    first, last = bounds[0][0], bounds[-1][1]
    today = as_of.date()
    started = [
        (month, (m_first, m_last))
        for month, (m_first, m_last, _today) in zip(months, bounds, strict=True)
        if today >= m_first
    ]
    plans = (
        ws.visits.plan_days(first, last, VisitService(ws).intervals(), town_id, village_id) if started else []
    )
    # Each month's chain starts from the last visit before it (months_coverage), as a month read alone.
    coverage = dict(
        zip((m for m, _ in started), months_coverage(plans, [b for _, b in started], today), strict=True)
    )
    for month, (m_first, m_last, _today) in zip(months, bounds, strict=True):
        key = ("visit_figures", month, as_of, town_id, village_id)
        if month not in coverage:
            memo[key] = VisitFigures(0, 0, 0)
            continue
        total, by = coverage[month]
        home = ws.visits.home_visits(m_first, min(m_last, today), town_id, village_id)
        memo[key] = VisitFigures(total.due, total.done, home, by["town"], by["village"], by["grid"])


def _visit_figures(
    ws: Workspace, month: str, as_of: datetime, town_id: int | None, village_id: int | None
) -> VisitFigures:
    first, last, today = month_days(month, as_of)
    if today < first:
        return VisitFigures(0, 0, 0)
    plans = ws.visits.plan_days(first, last, VisitService(ws).intervals(), town_id, village_id)
    total, by = months_coverage(plans, [(first, last)], today)[0]
    home = ws.visits.home_visits(first, min(last, today), town_id, village_id)
    return VisitFigures(total.due, total.done, home, by["town"], by["village"], by["grid"])
