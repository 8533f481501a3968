"""The pieces of the monthly summary's figures: headline rows, group rows, ranks, and one read of facts.

A group's row (a town, a village, a grid member) follows the contract §3 rules of
domain.figures; tests check every village row against ``stats`` for that village.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from xianghe_desk.domain.figures import (
    EMPTY,
    MonthCounts,
    MonthTotals,
    RequestFact,
    TableValue,
    add_rows,
    average_hours,
    count_facts,
    decimal,
    month_bounds,
    percent,
    previous_month,
    rate,
    rate_or_none,
)
from xianghe_desk.pdf.monthly_report import ChartData
from xianghe_desk.services.stats import Scope, StatsService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.db import connect
from xianghe_desk.store.stats import StatsStore

log = logging.getLogger(__name__)

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


def received_pie(title: str, breakdown: dict[str, dict[str, Any]]) -> ChartData:
    """A pie of the received counts of a breakdown (contract §3 ``by_*``), empty slices left out."""
    shown = [(name, figures["received"]) for name, figures in breakdown.items() if figures["received"]]
    return ChartData(
        kind="pie",
        title=title,
        labels=[name for name, _ in shown],
        series=[("受理数", [float(count) for _, count in shown])],
    )


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


# One read of the stats store: its method, the month's bounds, as-of, the scope and the options.
Read = tuple[str, datetime, datetime, datetime, int | None, int | None, tuple[tuple[str, Any], ...]]


def read_of(
    what: str,
    start: datetime,
    end: datetime,
    as_of: datetime,
    town_id: int | None = None,
    village_id: int | None = None,
    **options: Any,
) -> Read:
    """The read of ``what`` as _FactsOnce remembers it (the same read asked for twice is one)."""
    return (what, start, end, as_of, town_id, village_id, tuple(sorted(options.items())))


class _FactsOnce:
    """The stats store's reads remembered for one summary, so each is read once, and read beside
    the care-visit plans when the caller asks (:meth:`reading_aside`).

    StatsService.figures counts the month (StatsService.headline last month's totals); the rankings
    need the month's facts grouped by town and village. Remembering each read keeps a county summary
    on a large database to one read of each while the figures still come from StatsService itself.
    """

    def __init__(self, store: Any) -> None:
        self._store = store
        self._seen: dict[Read, Any] = {}
        self._aside: dict[Read, Any] = {}  # read on a connection of its own (reading_aside)
        # The months whose counts carry each handler's too (the summary's own month, not the last).
        self.members_months: set[tuple[datetime, datetime]] = set()

    def _read(self, store: Any, read: Read) -> Any:
        what, start, end, as_of, town_id, village_id, options = read
        extra = dict(options)
        if what == "month_counts":
            extra["by_handler"] = (start, end) in self.members_months
        return getattr(store, what)(start, end, as_of, town_id=town_id, village_id=village_id, **extra)

    def _once(self, read: Read) -> Any:
        if read not in self._seen:
            self._seen[read] = self._aside.pop(read) if read in self._aside else self._read(self._store, read)
        return self._seen[read]

    @contextmanager
    def reading_aside(self, open_store: Callable[[], Any], reads: list[Read]) -> Iterator[None]:
        """Run ``reads`` on a store of their own (``open_store()``, its connection closed after)
        in a second thread while the caller's block reads on: SQLite counts without holding
        Python's lock, so a county summary counts its requests on one core while it reads the
        care-visit plans on the other (issue #13). The results are there when the block ends.

        A side read is only a head start: if it fails (the file cannot be opened a second time),
        the reads are made again on the summary's own connection when asked for. That connection
        must hold no uncommitted change the reads should see: the side connection cannot see it.
        """
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="summary-reads") as pool:
            future = pool.submit(self._read_all, open_store, reads)
            yield
        try:
            self._aside.update(future.result())
        except Exception:
            log.warning("the summary's side reads failed; reading them again", exc_info=True)

    def _read_all(self, open_store: Callable[[], Any], reads: list[Read]) -> dict[Read, Any]:
        store = open_store()
        try:
            return {read: self._read(store, read) for read in reads}
        finally:
            store.db.close()

    def facts(
        self,
        start: datetime,
        end: datetime,
        as_of: datetime,
        town_id: int | None = None,
        village_id: int | None = None,
    ) -> list[RequestFact]:
        return cast(list[RequestFact], self._once(read_of("facts", start, end, as_of, town_id, village_id)))

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
        return cast(MonthCounts, self._once(read_of("month_counts", start, end, as_of, town_id, village_id)))

    def month_totals(
        self,
        start: datetime,
        end: datetime,
        as_of: datetime,
        town_id: int | None = None,
        village_id: int | None = None,
        home_categories: Iterable[str] = (),
    ) -> MonthTotals:
        read = read_of(
            "month_totals",
            start,
            end,
            as_of,
            town_id,
            village_id,
            home_categories=tuple(sorted(home_categories)),
        )
        return cast(MonthTotals, self._once(read))

    def listed_facts(
        self,
        start: datetime,
        end: datetime,
        as_of: datetime,
        town_id: int | None = None,
        village_id: int | None = None,
    ) -> list[RequestFact]:
        return cast(
            list[RequestFact], self._once(read_of("listed_facts", start, end, as_of, town_id, village_id))
        )

    def forget(self) -> None:
        self._seen.clear()
        self._aside.clear()
        self.members_months.clear()


class SummaryWorkspace:
    """The workspace as StatsService sees it during one summary: everything as is, facts read once
    and the care-visit figures computed once (services.visit_figures looks in ``figures_memo``)."""

    def __init__(self, ws: Workspace) -> None:
        self._ws = ws
        self.stats = _FactsOnce(ws.stats)
        self.figures_memo: dict[tuple[Any, ...], Any] = {}

    def requests_aside(self, month: str, scope: Scope, as_of: datetime) -> AbstractContextManager[None]:
        """While the block reads the care visits, the requests' reads of a summary of ``scope`` for
        ``month`` made on a read-only connection of their own (_FactsOnce.reading_aside), in the
        form services/reports.py asks for them: the month's counts of the scope (as
        StatsService.figures reads them) and of its ranking (a village's whole town), last month's
        totals (StatsService.headline) and the month's listed facts."""
        start, end = month_bounds(month)
        town_id = scope.town.id if scope.town is not None and scope.level == "town" else None
        village_id = scope.village.id if scope.village is not None else None
        ranking_town = scope.town.id if scope.town is not None else None
        home = tuple(sorted(StatsService(cast(Workspace, self)).home_categories()))
        last_start, last_end = month_bounds(previous_month(month))
        # The reads that hand many rows to Python first: each row waits for Python's lock, which
        # the visits' own counting (pure Python) holds at the end of the block; last month's
        # totals, one row, go last.
        reads = [
            read_of("listed_facts", start, end, as_of, town_id, village_id),
            read_of("month_counts", start, end, as_of, town_id, village_id),
        ]
        if (ranking_town, None) != (town_id, village_id):
            reads.append(read_of("month_counts", start, end, as_of, ranking_town, None))
        reads.append(
            read_of("month_totals", last_start, last_end, as_of, town_id, village_id, home_categories=home)
        )
        ws = self._ws
        return self.stats.reading_aside(
            lambda: StatsStore(connect(ws.path, read_only=True, key=ws.key), ws.device.tag), reads
        )

    def forget(self) -> None:
        self.stats.forget()
        self.figures_memo.clear()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ws, name)
