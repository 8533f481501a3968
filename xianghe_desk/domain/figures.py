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


def _group(facts: list[RequestFact]) -> dict[str, Any]:
    received = len(facts)
    completed = sum(1 for f in facts if is_done(f))
    return {"received": received, "completed": completed, "completion_rate": rate(completed, received)}


def _breakdown(
    facts: list[RequestFact], key: Any, names: dict[Any, str], keep_empty: bool = True
) -> dict[str, dict[str, Any]]:
    buckets: dict[Any, list[RequestFact]] = {k: [] for k in names} if keep_empty else {}
    for fact in facts:
        k = key(fact)
        if k is None:
            continue
        buckets.setdefault(k, []).append(fact)
    return {names.get(k, str(k)): _group(v) for k, v in buckets.items()}


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
    facts = [f for f in all_facts if f.status != "cancelled"]
    done = [f for f in facts if is_done(f)]
    rated = [f for f in done if f.satisfaction]
    satisfied = sum(1 for f in rated if f.satisfaction == "satisfied")
    basically = sum(1 for f in rated if f.satisfaction == "basically_satisfied")
    unsatisfied = sum(1 for f in rated if f.satisfaction == "unsatisfied")
    hours = [
        (f.completed_at - f.received_at).total_seconds() / 3600 for f in done if f.completed_at is not None
    ]
    avg = float(Decimal(sum(hours) / len(hours)).quantize(Decimal("0.1"), ROUND_HALF_UP)) if hours else 0.0
    home_done = sum(1 for f in done if names.category_groups.get(f.category) == CategoryGroup.HOME.value)
    return {
        "received": len(facts),
        "completed": len(done),
        "completion_rate": rate(len(done), len(facts)),
        "rated": len(rated),
        "satisfied": satisfied,
        "basically_satisfied": basically,
        "unsatisfied": unsatisfied,
        "satisfaction_rate": rate(satisfied + basically, len(rated)),
        "overdue": sum(1 for f in facts if is_overdue(f, as_of)),
        "avg_hours_to_complete": avg,
        "home_visits": home_done + visits_logged,
        "visits_due": visits_due,
        "visits_done": visits_done,
        "visit_coverage_rate": rate(visits_done, visits_due),
        "by_category": _breakdown(facts, lambda f: f.category, names.categories),
        "by_category_group": _breakdown(
            facts,
            lambda f: names.category_groups.get(f.category, CategoryGroup.OTHER.value),
            {g.value: g.label for g in CategoryGroup if g is not CategoryGroup.OTHER},
        ),
        "by_channel": _breakdown(facts, lambda f: f.channel, names.channels),
        "by_method": _breakdown(done, lambda f: f.method, names.methods),
        "by_town": _breakdown(facts, lambda f: f.town_id, names.towns),
        "by_village": _breakdown(facts, lambda f: f.village_id, names.villages),
    }


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
