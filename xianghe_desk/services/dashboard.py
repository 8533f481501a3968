"""What the desk's 工作台 shows besides plain counts: the twelve-month received/completed series."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from xianghe_desk.domain.figures import month_bounds
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.dashboard import DashboardStore


@dataclass(frozen=True)
class MonthPoint:
    month: str  # 2026-11
    received: int
    completed: int


def last_months(now: datetime, count: int) -> list[str]:
    """``count`` months ending with ``now``'s month, oldest first: ['2025-12', …, '2026-11']."""
    year, month = now.year, now.month
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


class DashboardService:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.store = DashboardStore(ws.db, ws.device.tag)

    def monthly_series(self, months: int = 12, town_id: int | None = None) -> list[MonthPoint]:
        """Received (less cancelled) and completed requests for each of the last ``months`` months."""
        names = last_months(self.ws.now(), months)
        start = month_bounds(names[0])[0]
        end = month_bounds(names[-1])[1]
        who = self.ws.who
        counts = self.store.monthly_counts(
            start, end, town_id, tuple(sorted(who.town_ids)), tuple(sorted(who.village_ids))
        )
        return [MonthPoint(m, *counts.get(m, (0, 0))) for m in names]
