"""The pieces of the monthly summary's figures: headline rows, group rows, ranks, and one read of facts.

A group's row (a town, a village, a grid member) follows the contract §3 rules of
domain.figures; tests check every village row against ``stats`` for that village.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from xianghe_desk.domain.figures import (
    EMPTY,
    MonthCounts,
    RequestFact,
    TableValue,
    add_rows,
    average_hours,
    count_facts,
    decimal,
    percent,
    rate,
    rate_or_none,
)
from xianghe_desk.services.workspace import Workspace

HEADLINE = (
    ("received", "受理数", "件"),
    ("completed", "办结数", "件"),
    ("completion_rate", "办结率", "%"),
    ("rated", "回访评价数", "件"),
    ("satisfaction_rate", "满意率", "%"),
    ("overdue", "超期数", "件"),
    ("avg_hours_to_complete", "平均办结时长", "小时"),
    ("home_visits", "上门服务次数", "次"),
    ("visits_due", "应走访人次", "次"),
    ("visits_done", "按时走访人次", "次"),
    ("visit_coverage_rate", "走访覆盖率", "%"),
)


def month_label(month: str) -> str:
    year, mon = month.split("-")
    return f"{year}年{int(mon)}月"


# The count a figure is computed from: with none, the figure is 「—」 and so is its change.
_BASE = {
    "completion_rate": "received",
    "satisfaction_rate": "rated",
    "avg_hours_to_complete": "completed",
    # A scope without visit plans prints 「—」, not rows of zeros that read as visits missed.
    "visits_due": "visits_due",
    "visits_done": "visits_due",
    "visit_coverage_rate": "visits_due",
}
# Excel formats of a change from last month, so the workbook's number reads as the PDF's text.
_CHANGE_FORMATS = {
    "%": '+0.0"个百分点";-0.0"个百分点";"持平"',
    "小时": '+0.0"小时";-0.0"小时";"持平"',
}


def number_text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def headline_figure(figures: dict[str, Any], key: str, unit: str) -> TableValue:
    """One headline figure as printed and exported; 「—」 when nothing is behind it."""
    value = figures[key]
    base = _BASE.get(key)
    if base is not None and not figures[base]:
        return EMPTY
    if unit == "%":
        return percent(value)
    if isinstance(value, float):
        return decimal(value)
    return TableValue(number_text(value), value, "0")


def change(key: str, unit: str, now: dict[str, Any], before: dict[str, Any]) -> TableValue:
    """「+12」, 「-1.5个百分点」, 「持平」, or 「—」 when either month has nothing behind the figure."""
    base = _BASE.get(key)
    if base is not None and not (now[base] and before[base]):
        return EMPTY
    delta = now[key] - before[key]
    if isinstance(delta, float):
        delta = round(delta, 1)
    number_format = _CHANGE_FORMATS.get(unit, '+0;-0;"持平"')
    if not delta:
        return TableValue("持平", 0, number_format)
    sign = "+" if delta > 0 else "-"
    text = f"{sign}{number_text(abs(delta))}"
    if unit == "%":
        text += "个百分点"
    elif unit == "小时":
        text += "小时"
    return TableValue(text, delta, number_format)


def breakdown_row(name: str, stat: dict[str, Any], received: int) -> tuple[Any, ...]:
    """A row of a contract §3 breakdown: name, 受理数, 办结数, 办结率, 占受理比例 (of ``received``).
    A rate of nothing is 「—」: the JSON's 0 would print as 「0.0%」."""
    return (
        name,
        stat["received"],
        stat["completed"],
        percent(stat["completion_rate"] if stat["received"] else None),
        percent(rate_or_none(stat["received"], received)),
    )


@dataclass(frozen=True)
class GroupFigures:
    """One town's, village's or member's figures within the month (same rules as stats)."""

    name: str
    received: int
    completed: int
    completion_rate: float
    rated: int
    satisfaction_rate: float
    overdue: int
    timely_rate: float  # share of received requests that were not overdue
    avg_hours: float

    @property
    def score(self) -> float:
        """擂台比武 score: the mean of the rates that apply (no rating, no satisfaction rate)."""
        rates = [self.completion_rate, self.timely_rate]
        if self.rated:
            rates.append(self.satisfaction_rate)
        return round(sum(rates) / len(rates), 1)


EMPTY_ROW = [0] * 7  # a group without requests (domain.figures.MonthCounts' group rows)


def group_from_row(name: str, row: list[int]) -> GroupFigures:
    """One group's row by the contract §3 rules from its counts (MonthCounts.places, .handlers),
    without the per-category breakdowns. Tests check each row against ``stats`` for that scope."""
    received, completed, overdue, seconds, timed, rated, pleased = row
    return GroupFigures(
        name=name,
        received=received,
        completed=completed,
        completion_rate=rate(completed, received),
        rated=rated,
        satisfaction_rate=rate(pleased, rated),
        overdue=overdue,
        timely_rate=rate(received - overdue, received),
        avg_hours=average_hours(seconds, timed),
    )


def group_figures(name: str, facts: list[RequestFact], as_of: datetime) -> GroupFigures:
    """One group's row from its facts (cancelled ones are not counted)."""
    return group_from_row(name, add_rows(count_facts(facts, as_of).places.values()))


def ranks(values: list[float]) -> list[int]:
    """Competition ranks (1, 2, 2, 4) for values where higher is better."""
    order = sorted(values, reverse=True)
    return [order.index(v) + 1 for v in values]


class _FactsOnce:
    """The stats store's ``facts`` and ``month_counts`` remembered for one summary, so each is read once.

    StatsService.figures counts the month (and last month); the rankings need the month's facts
    grouped by town and village. Remembering each read keeps a county summary on a large database
    to one read of each while the figures still come from StatsService.figures itself.
    """

    def __init__(self, store: Any) -> None:
        self._store = store
        self._seen: dict[tuple[Any, ...], Any] = {}
        # The months whose counts carry each handler's too (the summary's own month, not the last).
        self.members_months: set[tuple[datetime, datetime]] = set()

    def _once(self, what: str, *key: Any) -> Any:
        if (what, *key) not in self._seen:
            start, end, as_of, town_id, village_id = key
            read = getattr(self._store, what)
            extra = {"by_handler": (start, end) in self.members_months} if what == "month_counts" else {}
            self._seen[(what, *key)] = read(
                start, end, as_of, town_id=town_id, village_id=village_id, **extra
            )
        return self._seen[(what, *key)]

    def facts(
        self,
        start: datetime,
        end: datetime,
        as_of: datetime,
        town_id: int | None = None,
        village_id: int | None = None,
    ) -> list[RequestFact]:
        return cast(list[RequestFact], self._once("facts", start, end, as_of, town_id, village_id))

    def month_counts(
        self,
        start: datetime,
        end: datetime,
        as_of: datetime,
        town_id: int | None = None,
        village_id: int | None = None,
        by_handler: bool = True,
    ) -> MonthCounts:
        """With the handlers' counts for ``members_months``: the summary's members need them, and
        the figures then share this one read."""
        return cast(MonthCounts, self._once("month_counts", start, end, as_of, town_id, village_id))

    def listed_facts(
        self,
        start: datetime,
        end: datetime,
        as_of: datetime,
        town_id: int | None = None,
        village_id: int | None = None,
    ) -> list[RequestFact]:
        return cast(list[RequestFact], self._once("listed_facts", start, end, as_of, town_id, village_id))

    def forget(self) -> None:
        self._seen.clear()
        self.members_months.clear()


class SummaryWorkspace:
    """The workspace as StatsService sees it during one summary: everything as is, facts read once
    and the care-visit figures computed once (services.visit_figures looks in ``figures_memo``)."""

    def __init__(self, ws: Workspace) -> None:
        self._ws = ws
        self.stats = _FactsOnce(ws.stats)
        self.figures_memo: dict[tuple[Any, ...], Any] = {}

    def forget(self) -> None:
        self.stats.forget()
        self.figures_memo.clear()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ws, name)
