"""The month's figures exactly as contract §3 defines them, computed from plain facts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from xianghe_desk.domain.enums import CategoryGroup


@dataclass(frozen=True)
class RequestFact:
    """One of the month's requests as it stood at the as-of moment."""

    id: int
    received_at: datetime
    due_at: datetime
    status: str  # status value at as-of
    completed_at: datetime | None  # set when completed (已办结 or 已回访) at as-of
    method: str | None
    satisfaction: str | None  # set when followed up (已回访) at as-of
    category: str
    channel: str
    town_id: int
    village_id: int
    handler_id: int | None = None


@dataclass
class Names:
    """Chinese names for the keys of the breakdowns, in the order they should be listed."""

    categories: dict[str, str] = field(default_factory=dict)
    category_groups: dict[str, str] = field(default_factory=dict)  # category code → group code
    channels: dict[str, str] = field(default_factory=dict)
    methods: dict[str, str] = field(default_factory=dict)
    towns: dict[int, str] = field(default_factory=dict)
    villages: dict[int, str] = field(default_factory=dict)


def rate(part: int, whole: int) -> float:
    """part / whole × 100, rounded half-up to one decimal; 0 when whole is 0."""
    if whole == 0:
        return 0.0
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(value)


def rate_or_none(part: int, whole: int) -> float | None:
    """Like :func:`rate`, but None when there is nothing to divide by.

    Printed figures show 「—」 for that (issue #8: 「办结率 0.0%」 for a town with no request read
    as a town that finished nothing); ``stats --json`` keeps 0 as contract §3 says.
    """
    return None if whole == 0 else rate(part, whole)


# ---------------------------------------------------------------- printed and exported values
NO_FIGURE = "—"  # a figure with nothing behind it (no requests, no rating)


@dataclass(frozen=True)
class TableValue:
    """One cell of a summary table: the text the PDF prints and the value the workbook stores.

    The .xlsx stores ``value`` with ``number_format`` (so a forwarded sheet can be summed and
    sorted); the PDF prints ``text``. ``value`` None: nothing behind the figure, 「—」 in both.
    """

    text: str
    value: float | int | datetime | None = None
    number_format: str = "General"
    rank: int | None = None  # a rate's rank among its peers, printed 「98.8%（3）」

    def __str__(self) -> str:
        return self.text


EMPTY = TableValue(NO_FIGURE)


def percent(value: float | None, rank: int | None = None) -> TableValue:
    """A rate of contract §3 (98.8 means 98.8 %): 「98.8%」, stored as 0.988 in Excel's % format."""
    if value is None:
        return EMPTY
    text = f"{value:.1f}%" + (f"（{rank}）" if rank is not None else "")
    return TableValue(text, round(value / 100, 4), "0.0%", rank)


def decimal(value: float | None) -> TableValue:
    """Hours or a score with one decimal: 「3.5」."""
    if value is None:
        return EMPTY
    return TableValue(f"{value:.1f}", value, "0.0")


def moment(value: datetime, printed: str = "%m-%d %H:%M") -> TableValue:
    """A time: short in the PDF (the month is in the title), in full in the workbook."""
    return TableValue(f"{value:{printed}}", value, "yyyy-mm-dd hh:mm")


def duration(seconds: float) -> TableValue:
    """How long, for people: 「不足1分钟」, 「25分钟」, 「3.5小时」, 「2.1天」.

    Stored as Excel's own duration (days, shown hours:minutes), which sorts and sums; hours with
    one decimal said 「0.0小时」 for a request a few minutes late (issue #8).
    """
    minutes = seconds / 60
    hours = seconds / 3600
    if minutes < 1:
        text = "不足1分钟"
    elif hours < 1:
        text = f"{int(minutes)}分钟"
    elif hours < 48:
        text = f"{hours:.1f}小时"
    else:
        text = f"{hours / 24:.1f}天"
    return TableValue(text, seconds / 86400, "[h]:mm")


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """'2026-11' → (2026-11-01 00:00, 2026-12-01 00:00)."""
    year, mon = (int(x) for x in month.split("-"))
    start = datetime(year, mon, 1)
    end = datetime(year + (mon == 12), mon % 12 + 1, 1)
    return start, end


def previous_month(month: str) -> str:
    year, mon = (int(x) for x in month.split("-"))
    return f"{year - (mon == 1)}-{(mon - 2) % 12 + 1:02d}"


def is_done(fact: RequestFact) -> bool:
    return fact.status in ("completed", "closed")


def is_overdue(fact: RequestFact, as_of: datetime) -> bool:
    """Completed after the due time, or still open past it at as-of."""
    if fact.status == "cancelled":
        return False
    if is_done(fact) and fact.completed_at is not None:
        return fact.completed_at > fact.due_at
    return as_of > fact.due_at


@dataclass
class MonthCounts:
    """What contract §3's figures are made of, counted over the month's requests less cancelled
    ones: by place (town, village), by kind (category, channel) and, for completed requests, by
    method and rating. The store counts them in SQL (StatsStore.month_counts); ``count_facts``
    counts the same from facts, and ``figures_from_counts`` turns either into the figures.
    """

    # (town id, village id) → a group row: [received, completed, overdue, seconds to complete,
    # completed with a time, rated, rated 满意 or 基本满意]
    places: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    kinds: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (category, channel) → [rec, done]
    done: dict[tuple[str | None, str | None], int] = field(default_factory=dict)  # (method, rating) → n
    handlers: dict[int, list[int]] = field(default_factory=dict)  # handler id → a group row (when asked)

    def add_place(
        self,
        town: int,
        village: int,
        n: int,
        done: int,
        overdue: int,
        seconds: int,
        timed: int,
        rated: int = 0,
        pleased: int = 0,
    ) -> None:
        _add(
            self.places.setdefault((town, village), [0] * 7),
            (n, done, overdue, seconds, timed, rated, pleased),
        )

    def add_handler(
        self,
        handler: int,
        n: int,
        done: int,
        overdue: int,
        seconds: int,
        timed: int,
        rated: int,
        pleased: int,
    ) -> None:
        _add(self.handlers.setdefault(handler, [0] * 7), (n, done, overdue, seconds, timed, rated, pleased))

    def add_kind(self, category: str, channel: str, n: int, done: int) -> None:
        row = self.kinds.setdefault((category, channel), [0, 0])
        row[0] += int(n)
        row[1] += int(done or 0)

    def add_done(self, method: str | None, rating: str | None, n: int) -> None:
        key = (method, rating or None)
        self.done[key] = self.done.get(key, 0) + int(n)


def _add(row: list[int], values: tuple[Any, ...]) -> None:
    for i, value in enumerate(values):
        row[i] += int(value or 0)


def add_rows(rows: Iterable[list[int]]) -> list[int]:
    """Group rows (MonthCounts.places, .handlers) added up."""
    total = [0] * 7
    for row in rows:
        _add(total, tuple(row))
    return total


def _seconds(delta: Any) -> int:
    return int(delta.days * 86400 + delta.seconds)


def count_facts(all_facts: Iterable[RequestFact], as_of: datetime) -> MonthCounts:
    """``all_facts`` (cancelled ones included) counted for the figures."""
    counts = MonthCounts()
    for f in all_facts:
        if f.status == "cancelled":
            continue
        done = is_done(f)
        timed = done and f.completed_at is not None
        seconds = _seconds(f.completed_at - f.received_at) if timed else 0  # type: ignore[operator]
        rated = done and bool(f.satisfaction)
        pleased = rated and f.satisfaction in ("satisfied", "basically_satisfied")
        row = (1, done, is_overdue(f, as_of), seconds, timed, rated, pleased)
        counts.add_place(f.town_id, f.village_id, *row)
        if f.handler_id is not None:
            counts.add_handler(f.handler_id, *row)
        counts.add_kind(f.category, f.channel, 1, done)
        if done:
            counts.add_done(f.method, f.satisfaction, 1)
    return counts


def average_hours(seconds: int, count: int) -> float:
    """Mean hours to complete, rounded half-up to one decimal, from whole seconds (exact)."""
    if not count:
        return 0.0
    return float((Decimal(seconds) / Decimal(3600 * count)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _breakdown(counts: dict[Any, list[int]], names: dict[Any, str]) -> dict[str, dict[str, Any]]:
    """{name: {received, completed, completion_rate}}: every named key first (in the names' order,
    empty ones too), then keys without a name, by their text; a None key is left out."""
    buckets: dict[Any, list[int]] = {k: [0, 0] for k in names}
    for key in sorted((k for k in counts if k not in names and k is not None), key=str):
        buckets[key] = [0, 0]
    for key, (received, completed) in counts.items():
        if key is not None:
            buckets[key][0] += received
            buckets[key][1] += completed
    return {
        names.get(k, str(k)): {"received": r, "completed": c, "completion_rate": rate(c, r)}
        for k, (r, c) in buckets.items()
    }


def _sum_by(items: Iterable[tuple[Any, int, int]]) -> dict[Any, list[int]]:
    out: dict[Any, list[int]] = {}
    for key, received, completed in items:
        row = out.setdefault(key, [0, 0])
        row[0] += received
        row[1] += completed
    return out


@dataclass(frozen=True)
class MonthTotals:
    """The month's counts for the whole scope, without any breakdown: what the figures other than
    the ``by_*`` ones are made of (the summary's cover shows last month's as far as that)."""

    received: int = 0
    completed: int = 0
    overdue: int = 0
    seconds: int = 0  # seconds to complete, added up over ``timed`` requests
    timed: int = 0
    rated: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    unsatisfied: int = 0
    home_done: int = 0  # completed requests of the 上门服务 category group


def totals_of(counts: MonthCounts, category_groups: dict[str, str]) -> MonthTotals:
    """``counts`` added up (``category_groups``: category code → group code, Names.category_groups)."""
    received, completed, overdue, seconds, timed, _rated, _pleased = add_rows(counts.places.values())
    ratings: dict[str, int] = {}
    for (_method, rating), n in counts.done.items():
        if rating:
            ratings[rating] = ratings.get(rating, 0) + n
    home = CategoryGroup.HOME.value
    return MonthTotals(
        received=received,
        completed=completed,
        overdue=overdue,
        seconds=seconds,
        timed=timed,
        rated=sum(ratings.values()),
        satisfied=ratings.get("satisfied", 0),
        basically_satisfied=ratings.get("basically_satisfied", 0),
        unsatisfied=ratings.get("unsatisfied", 0),
        home_done=sum(
            done for (cat, _ch), (_r, done) in counts.kinds.items() if category_groups.get(cat) == home
        ),
    )


def headline_figures(
    totals: MonthTotals, visits_logged: int = 0, visits_due: int = 0, visits_done: int = 0
) -> dict[str, Any]:
    """The contract §3 figures other than the ``by_*`` breakdowns, in the JSON's order."""
    satisfied, basically = totals.satisfied, totals.basically_satisfied
    return {
        "received": totals.received,
        "completed": totals.completed,
        "completion_rate": rate(totals.completed, totals.received),
        "rated": totals.rated,
        "satisfied": satisfied,
        "basically_satisfied": basically,
        "unsatisfied": totals.unsatisfied,
        "satisfaction_rate": rate(satisfied + basically, totals.rated),
        "overdue": totals.overdue,
        "avg_hours_to_complete": average_hours(totals.seconds, totals.timed),
        "home_visits": totals.home_done + visits_logged,
        "visits_due": visits_due,
        "visits_done": visits_done,
        "visit_coverage_rate": rate(visits_done, visits_due),
    }


def figures_from_counts(
    counts: MonthCounts,
    names: Names,
    visits_logged: int = 0,
    visits_due: int = 0,
    visits_done: int = 0,
) -> dict[str, Any]:
    """The contract §3 figures for one scope and month from its counts."""
    groups = names.category_groups
    by_category = _sum_by((cat, r, c) for (cat, _ch), (r, c) in counts.kinds.items())
    return {
        **headline_figures(totals_of(counts, groups), visits_logged, visits_due, visits_done),
        "by_category": _breakdown(by_category, names.categories),
        "by_category_group": _breakdown(
            _sum_by(
                (groups.get(cat, CategoryGroup.OTHER.value), r, c) for cat, (r, c) in by_category.items()
            ),
            {g.value: g.label for g in CategoryGroup if g is not CategoryGroup.OTHER},
        ),
        "by_channel": _breakdown(
            _sum_by((ch, r, c) for (_cat, ch), (r, c) in counts.kinds.items()), names.channels
        ),
        "by_method": _breakdown(_sum_by((m, n, n) for (m, _rating), n in counts.done.items()), names.methods),
        "by_town": _breakdown(_sum_by((t, r[0], r[1]) for (t, _v), r in counts.places.items()), names.towns),
        "by_village": _breakdown(
            _sum_by((v, r[0], r[1]) for (_t, v), r in counts.places.items()), names.villages
        ),
    }


def compute_figures(
    all_facts: Iterable[RequestFact],
    as_of: datetime,
    names: Names,
    visits_logged: int = 0,
    visits_due: int = 0,
    visits_done: int = 0,
) -> dict[str, Any]:
    """The contract §3 figures for one scope and month.

    Args:
        all_facts: the month's requests in the scope, cancelled ones included.
        visits_logged: 上门 care visits logged in the month (they count as 上门服务次数 too).
    """
    return figures_from_counts(count_facts(all_facts, as_of), names, visits_logged, visits_due, visits_done)


def parse_month(text: str) -> str:
    """'2026-11', '2026-1', '202611', '2026年11月' → '2026-11'; raises ValueError."""
    import re
    import unicodedata

    folded = unicodedata.normalize("NFKC", text).strip()
    match = re.fullmatch(r"(\d{4})\s*(?:[-/.年]\s*)?(\d{1,2})\s*月?", folded)
    if not match:
        raise ValueError(text)
    year, mon = int(match.group(1)), int(match.group(2))
    if not 1 <= mon <= 12 or not 2000 <= year <= 2100:
        raise ValueError(text)
    return f"{year}-{mon:02d}"


def month_of(day: date) -> str:
    return f"{day.year}-{day.month:02d}"
