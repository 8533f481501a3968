"""Care visits (走访, issue #11): intervals, a resident's status, when the next visit is due, and the
month's coverage, as plain rules on dates.

A resident with a care tag that has an interval is on a visit plan. The next visit is due one
interval after the last one (or after the plan started, for someone never visited); the interval
is the shortest of the resident's tags unless the plan names its own. A hospital stay (住院, until
a date) pauses the plan; moving away (迁出) or death (去世) ends it from that date, and the history
stays. Every visit counts, whatever the route (上门, 电话, 视频); 上门 ones also count as 上门服务.

The month's figures (contract §3) follow the same chain of due dates: each due date that falls in
the month is one visit due (应走访); it is done on time (按时走访) when a visit came on or before it.
A missed due date is followed by the next one an interval later; a late visit starts the chain
again from its own date. A due date that has not passed yet counts only once it is done, so the
current month is never charged for days still to come.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from xianghe_desk.domain.enums import CareTag, LabelledEnum
from xianghe_desk.domain.errors import ValidationError

MIN_INTERVAL = 1
MAX_INTERVAL = 92  # a quarter: anything longer is not a care visit plan
MAX_TEXT = 2000


class VisitMethod(LabelledEnum):
    HOME = ("home", "上门")
    PHONE = ("phone", "电话")
    VIDEO = ("video", "视频")


class ResidentStatus(LabelledEnum):
    ACTIVE = ("active", "在册")
    HOSPITAL = ("hospital", "住院")
    MOVED = ("moved", "迁出")
    DECEASED = ("deceased", "去世")

    @property
    def leaves(self) -> bool:
        """Moved away or deceased: off the plans, lists and figures from the status date."""
        return self in (ResidentStatus.MOVED, ResidentStatus.DECEASED)


class CheckResult(LabelledEnum):
    OK = ("ok", "正常")
    PROBLEM = ("problem", "有问题")


# The fixed checks of a visit, in the order the paper roster and the forms list them.
CHECKS: tuple[tuple[str, str], ...] = (
    ("health", "身体状况"),
    ("housing", "居住安全"),
    ("utilities", "水电气"),
    ("heating", "冬季取暖"),
    ("medication", "用药"),
    ("mood", "情绪"),
)
CHECK_LABELS = dict(CHECKS)

# Days between two visits at most. 「每周两次」 is 4 days (Monday and Thursday), 「每月」 30 days.
DEFAULT_INTERVALS: dict[CareTag, int] = {
    CareTag.CHILDLESS_ELDERLY: 7,
    CareTag.ELDERLY_ALONE: 7,
    CareTag.SERIOUSLY_ILL: 4,
    CareTag.MOBILITY_IMPAIRED: 14,
    CareTag.DISABLED: 14,
    CareTag.TEKUN: 30,
    CareTag.DIBAO: 30,
}
PLANNED_TAGS: tuple[CareTag, ...] = tuple(DEFAULT_INTERVALS)


def interval_text(days: int) -> str:
    """「每周（7天）」, 「每周两次（4天）」, 「每12天」."""
    named = {7: "每周", 4: "每周两次", 14: "每两周", 30: "每月", 3: "每三天", 1: "每天"}
    return f"{named[days]}（{days}天）" if days in named else f"每{days}天"


def check_interval(days: object, what: str = "走访周期") -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not MIN_INTERVAL <= days <= MAX_INTERVAL:
        raise ValidationError(
            f"{what}应为 {MIN_INTERVAL}–{MAX_INTERVAL} 天之间的整数，现在是「{days}」。", field="interval"
        )
    return days


def clean_intervals(raw: Mapping[str, object]) -> dict[CareTag, int]:
    """The editable default intervals, checked; tags left out keep the built-in default."""
    result = dict(DEFAULT_INTERVALS)
    for key, value in raw.items():
        try:
            tag = CareTag(key) if not isinstance(key, CareTag) else key
        except ValueError:
            raise ValidationError(f"不认识的服务类别「{key}」。", field="interval") from None
        if tag not in DEFAULT_INTERVALS:
            raise ValidationError(f"「{tag.label}」没有固定的走访周期。", field="interval")
        result[tag] = check_interval(value, f"「{tag.label}」的走访周期")
    return result


def interval_for(
    tags: Iterable[CareTag], intervals: Mapping[CareTag, int], override: int | None = None
) -> int | None:
    """The days between visits: the plan's own, else the shortest of the tags'; None: no plan."""
    if override is not None:
        return override
    days = [intervals[t] for t in tags if t in intervals]
    return min(days) if days else None


# ---------------------------------------------------------------- records
@dataclass(frozen=True)
class StatusInfo:
    """A resident's status: since (住院 from, 迁出/去世 on) and until (住院 only)."""

    status: ResidentStatus = ResidentStatus.ACTIVE
    since: date | None = None
    until: date | None = None

    def left_on(self, day: date) -> bool:
        """Moved away or deceased on or before ``day``."""
        return self.status.leaves and (self.since is None or self.since <= day)

    def paused_on(self, day: date) -> bool:
        """In hospital on ``day``: visits are paused."""
        return (
            self.status is ResidentStatus.HOSPITAL
            and (self.since is None or self.since <= day)
            and (self.until is None or day <= self.until)
        )

    def text(self) -> str:
        if self.status is ResidentStatus.ACTIVE:
            return "在册"
        if self.status is ResidentStatus.HOSPITAL:
            span = f"{self.since:%Y-%m-%d}起" if self.since else ""
            return f"住院{span}" + (f"至{self.until:%Y-%m-%d}" if self.until else "（出院日期未定）")
        return f"{self.status.label}（{self.since:%Y-%m-%d}）" if self.since else self.status.label


def clean_status(info: StatusInfo, today: date) -> StatusInfo:
    """A status as it can be saved: dates where they are needed, in order.

    Raises:
        ValidationError: a missing date, or an end before the start.
    """
    if info.status is ResidentStatus.ACTIVE:
        return StatusInfo()
    if info.status is ResidentStatus.HOSPITAL:
        if info.until is None:
            raise ValidationError("请填写住院到哪一天（预计出院日期），到时走访自动恢复。", field="until")
        since = info.since or today
        if info.until < since:
            raise ValidationError("出院日期不能早于住院日期，请核对。", field="until")
        return StatusInfo(info.status, since, info.until)
    if info.since is None:
        raise ValidationError(f"请填写{info.status.label}的日期。", field="since")
    if info.since > today + timedelta(days=366):
        raise ValidationError(f"{info.status.label}日期太远了，请核对。", field="since")
    return StatusInfo(info.status, info.since, None)


@dataclass(frozen=True)
class VisitPlan:
    """A resident's own plan: an interval of their own, a named member, when it started."""

    resident_id: int
    interval_days: int | None = None
    member_id: int | None = None
    starts_on: date | None = None
    note: str = ""
    member_name: str = ""
    uuid: str = ""


@dataclass(frozen=True)
class Visit:
    id: int
    resident_id: int
    visited_on: date
    method: VisitMethod
    member_id: int | None = None
    checks: Mapping[str, CheckResult] = field(default_factory=dict)
    note: str = ""
    needs: str = ""
    request_id: int | None = None
    recorded_by: str = ""
    resident_name: str = ""
    member_name: str = ""
    town_id: int | None = None
    village_id: int | None = None
    village_name: str = ""
    request_number: str = ""
    created_at: datetime | None = None
    uuid: str = ""

    def problems(self) -> list[str]:
        return [CHECK_LABELS[k] for k, _ in CHECKS if self.checks.get(k) is CheckResult.PROBLEM]

    def checks_text(self) -> str:
        """「身体状况、用药有问题」, 「各项正常」 or 「未勾选」."""
        problems = self.problems()
        if problems:
            return "、".join(problems) + "有问题"
        return "各项正常" if self.checks else "未勾选"


@dataclass(frozen=True)
class VisitDraft:
    """A visit as a form, the fast entry or an import hands it over."""

    resident_id: int
    visited_on: date
    method: VisitMethod = VisitMethod.HOME
    member_id: int | None = None
    checks: Mapping[str, CheckResult] = field(default_factory=dict)
    note: str = ""
    needs: str = ""


def clean_visit(draft: VisitDraft, today: date) -> VisitDraft:
    """The draft with trimmed text, checked. Raises ValidationError naming the field."""
    if not isinstance(draft.visited_on, date):
        raise ValidationError("请填写走访日期。", field="visited_on")
    if draft.visited_on > today:
        raise ValidationError(
            f"走访日期 {draft.visited_on:%Y-%m-%d} 晚于今天，请核对（只能登记已经做过的走访）。",
            field="visited_on",
        )
    if draft.visited_on.year < 2000:
        raise ValidationError("走访日期太早了，请核对。", field="visited_on")
    if not isinstance(draft.method, VisitMethod):
        raise ValidationError("请选择走访方式：上门、电话或视频。", field="method")
    checks: dict[str, CheckResult] = {}
    for key, value in draft.checks.items():
        if key not in CHECK_LABELS or not isinstance(value, CheckResult):
            raise ValidationError(f"不认识的检查项「{key}」。", field="checks")
        checks[key] = value
    note, needs = draft.note.strip(), draft.needs.strip()
    for text, label, name in ((note, "情况记录", "note"), (needs, "发现的需求", "needs")):
        if len(text) > MAX_TEXT:
            raise ValidationError(f"{label}最多 {MAX_TEXT} 个字，现在有 {len(text)} 个。", field=name)
    return VisitDraft(draft.resident_id, draft.visited_on, draft.method, draft.member_id, checks, note, needs)


# ---------------------------------------------------------------- due dates
def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of ``day``'s week."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def next_due(
    last_visit: date | None, starts_on: date, interval: int, status: StatusInfo, today: date
) -> date | None:
    """When the next visit is due as seen on ``today``; None while paused or after leaving.

    After a hospital stay that has ended, anything due by its last day is due the day after.
    The store computes the same in SQL for the lists (store/visits.py, ``_DUE_SQL``).
    """
    if status.left_on(today) or status.paused_on(today):
        return None
    due = (last_visit or starts_on) + timedelta(days=interval)
    if (
        status.status is ResidentStatus.HOSPITAL
        and status.until is not None
        and status.until < today
        and due <= status.until
    ):
        due = status.until + timedelta(days=1)
    return due


@dataclass(frozen=True)
class VisitRefs:
    """What a list needs to tell who is due: the intervals in force, today and the week's end."""

    intervals: tuple[tuple[CareTag, int], ...]
    today: date
    week_end: date


class DueKind(LabelledEnum):
    OVERDUE = ("overdue", "已超期")
    THIS_WEEK = ("week", "本周应走访")
    NEVER = ("never", "从未走访")
    LATER = ("later", "未到期")


@dataclass(frozen=True)
class DueFilter:
    """The due list's filters; ``week`` is any day of the week asked for (default: this week).

    ``kinds`` empty: overdue, due this week and never visited (the roster's residents).
    """

    town_id: int | None = None
    village_id: int | None = None
    grid_id: int | None = None
    member_id: int | None = None
    week: date | None = None
    kinds: tuple[DueKind, ...] = ()
    text: str = ""
    scope_towns: tuple[int, ...] = ()
    scope_villages: tuple[int, ...] = ()


@dataclass(frozen=True)
class DueEntry:
    """One resident on a due list or a roster, with what the member needs to reach them."""

    resident_id: int
    name: str
    town_name: str
    village_name: str
    grid_name: str
    address: str
    phone: str
    emergency_name: str
    emergency_phone: str
    care_tags: tuple[CareTag, ...]
    interval_days: int
    last_visit: date | None
    due: date
    overdue_days: int
    members: str = ""  # who is responsible: the plan's member, else the grid's members
    age: int | None = None
    sex: str = ""
    status: StatusInfo = field(default_factory=StatusInfo)
    village_id: int = 0
    grid_id: int | None = None

    @property
    def never_visited(self) -> bool:
        return self.last_visit is None

    @property
    def kind(self) -> DueKind:
        if self.overdue_days > 0:
            return DueKind.OVERDUE
        if self.last_visit is None:
            return DueKind.NEVER
        return DueKind.THIS_WEEK

    def as_json(self) -> dict[str, object]:
        """The ``visits due --json`` row (contract §1: resident, village, due, overdue_days)."""
        return {
            "resident": self.name,
            "village": self.village_name,
            "town": self.town_name,
            "grid": self.grid_name,
            "due": self.due.isoformat(),
            "overdue_days": self.overdue_days,
            "last_visit": self.last_visit.isoformat() if self.last_visit else None,
            "never_visited": self.never_visited,
            "interval_days": self.interval_days,
            "care_tags": [t.label for t in self.care_tags],
            "members": self.members,
            "status": self.status.status.label,
        }


# ---------------------------------------------------------------- the month's coverage
class PlanFact(NamedTuple):
    """One planned resident as the month's figures need them (store/visits.py reads these; a
    named tuple: a county month makes 100,000 of them)."""

    resident_id: int
    town_id: int
    village_id: int
    grid_id: int | None
    interval: int
    starts_on: date
    status: StatusInfo
    last_before: date | None  # the last visit before the month
    visits: tuple[date, ...]  # the visits within the month, in order


@dataclass(frozen=True)
class Occasion:
    due: date
    done: bool


def occasions(fact: PlanFact, first: date, last: date, today: date) -> list[Occasion]:
    """The due dates of ``fact``'s plan within [first, last], each done on time or not.

    ``today`` is the as-of day: a due date from today on counts only when already done.
    """
    step = timedelta(days=fact.interval)
    status = fact.status
    if status.status is ResidentStatus.ACTIVE:
        return _active_occasions(fact, first, last, today, step)
    due = (fact.last_before or fact.starts_on) + step
    visits = [v for v in fact.visits if first <= v <= last and v <= today]
    i = 0
    found: list[Occasion] = []
    guard = 0
    while due <= last and guard < 10_000:
        guard += 1
        if status.paused_on(due):
            if status.until is None:
                break
            due = status.until + timedelta(days=1)
            continue
        if status.left_on(due):
            break
        if i < len(visits) and visits[i] <= due:
            while i < len(visits) and visits[i] <= due:
                i += 1
            if due >= first:
                found.append(Occasion(due, True))
            due = visits[i - 1] + step
            continue
        if first <= due < today:
            found.append(Occasion(due, False))
        if i < len(visits) and visits[i] < due + step:
            # A late visit: the chain starts again from it.
            due = visits[i] + step
            i += 1
            while i < len(visits) and visits[i] == visits[i - 1]:
                i += 1
        else:
            due += step
    return found


def _active_occasions(
    fact: PlanFact, first: date, last: date, today: date, step: timedelta
) -> list[Occasion]:
    """``occasions`` for a resident neither in hospital nor gone: the same loop without the
    status checks (nearly every resident at county scale; tests compare both on many plans)."""
    due = (fact.last_before or fact.starts_on) + step
    visits = [v for v in fact.visits if first <= v <= last and v <= today]
    n = len(visits)
    i = 0
    found: list[Occasion] = []
    guard = 0
    while due <= last and guard < 10_000:
        guard += 1
        if i < n and visits[i] <= due:
            while i < n and visits[i] <= due:
                i += 1
            if due >= first:
                found.append(Occasion(due, True))
            due = visits[i - 1] + step
            continue
        if first <= due < today:
            found.append(Occasion(due, False))
        if i < n and visits[i] < due + step:
            due = visits[i] + step
            i += 1
            while i < n and visits[i] == visits[i - 1]:
                i += 1
        else:
            due += step
    return found


def occasion_counts(fact: PlanFact, first: date, last: date, today: date) -> tuple[int, int]:
    """(due, done on time) of ``occasions``, counted without making them (the month's figures
    count 200,000 at county scale)."""
    if fact.status.status is not ResidentStatus.ACTIVE:
        found = occasions(fact, first, last, today)
        return len(found), sum(1 for o in found if o.done)
    step = timedelta(days=fact.interval)
    due = (fact.last_before or fact.starts_on) + step
    visits = [v for v in fact.visits if first <= v <= last and v <= today]
    return _walk(due, step, visits, first, last, today)


def _walk(due: Any, step: Any, visits: Sequence[Any], first: Any, last: Any, today: Any) -> tuple[int, int]:
    """(due, done on time) of an active resident's occasions from the first due day ``due`` on, the
    month's visits being ``visits``: on dates with a timedelta ``step`` (occasion_counts) or on day
    ordinals with an int ``step`` (the month's figures, _ordinal_counts)."""
    n = len(visits)
    i = count = done = guard = 0
    while due <= last and guard < 10_000:
        guard += 1
        if i < n and visits[i] <= due:
            while i < n and visits[i] <= due:
                i += 1
            if due >= first:
                count += 1
                done += 1
            due = visits[i - 1] + step
            continue
        if first <= due < today:
            count += 1
        if i < n and visits[i] < due + step:
            due = visits[i] + step
            i += 1
            while i < n and visits[i] == visits[i - 1]:
                i += 1
        else:
            due += step
    return count, done


@dataclass
class Coverage:
    """Visits due and done on time (contract §3: visits_due, visits_done, visit_coverage_rate)."""

    due: int = 0
    done: int = 0

    def add(self, found: Sequence[Occasion]) -> None:
        self.due += len(found)
        self.done += sum(1 for o in found if o.done)


def month_coverage(
    facts: Iterable[PlanFact], first: date, last: date, today: date
) -> tuple[Coverage, dict[str, dict[int | None, Coverage]]]:
    """The month's total and the same by town, village and grid (keys: their ids)."""
    total = Coverage()
    by: dict[str, dict[int | None, Coverage]] = {"town": {}, "village": {}, "grid": {}}
    towns, villages, grids = by["town"], by["village"], by["grid"]
    for fact in facts:
        due, done = occasion_counts(fact, first, last, today)
        if not due:
            continue
        total.due += due
        total.done += done
        for level, key in ((towns, fact.town_id), (villages, fact.village_id), (grids, fact.grid_id)):
            c = level.get(key)
            if c is None:
                c = level[key] = Coverage()
            c.due += due
            c.done += done
    return total, by


# A planned resident with its days as ordinals (date.toordinal): town, village, grid, interval,
# starts_on, the last visit before the first month, the visits from the first month's first day to
# the last month's last day (in order), and the status (None: active). store/visits.py plan_days.
DayPlan = tuple[int | None, int | None, int | None, int, int, int | None, tuple[int, ...], StatusInfo | None]
Levels = dict[str, dict[int | None, Coverage]]


def months_coverage(
    plans: Iterable[DayPlan], months: Sequence[tuple[date, date]], today: date
) -> list[tuple[Coverage, Levels]]:
    """``month_coverage`` of each of consecutive ``months`` ((first, last) days, oldest first) from
    one read of the plans: each month's chain starts from the last visit before that month, as
    ``occasion_counts`` of a fact read for that month alone. An active resident (nearly all) is
    counted on ordinals, the same loop as ``occasion_counts``; the others through it."""
    now = today.toordinal()
    bounds = [(first.toordinal(), last.toordinal(), first, last) for first, last in months]
    # (town, village, grid) -> [due, done] per month, in the order the residents come (as
    # month_coverage's own dictionaries are filled), then added up by each level.
    places: list[dict[tuple[int | None, int | None, int | None], list[int]]] = [{} for _ in months]
    # An active resident's counts follow from its interval, its last visit before the months (or the
    # plan's start) and its visits in them: residents with the same three are counted once.
    seen: dict[tuple[int, int, tuple[int, ...]], list[tuple[int, int]]] = {}
    for town, village, grid, step, starts, before, visits, status in plans:
        if status is None:
            plan_key = (step, starts if before is None else before, visits)
            counted = seen.get(plan_key)
            if counted is None:
                counted = seen[plan_key] = [
                    _active_month(step, plan_key[1], visits, first, last, now) for first, last, *_ in bounds
                ]
        else:
            counted = [
                _other_month(town, village, grid, step, starts, before, visits, status, b, today)
                for b in bounds
            ]
        for (due, done), counts in zip(counted, places, strict=True):
            if not due:
                continue
            place = (town, village, grid)
            row = counts.get(place)
            if row is None:
                counts[place] = [due, done]
            else:
                row[0] += due
                row[1] += done
    found = []
    for counts in places:
        total = Coverage()
        by: Levels = {"town": {}, "village": {}, "grid": {}}
        towns, villages, grids = by["town"], by["village"], by["grid"]
        for (town, village, grid), (due, done) in counts.items():
            total.due += due
            total.done += done
            for level, key in ((towns, town), (villages, village), (grids, grid)):
                c = level.get(key)
                if c is None:
                    c = level[key] = Coverage()
                c.due += due
                c.done += done
        found.append((total, by))
    return found


def _month_base(base: int | None, visits: tuple[int, ...], first: int) -> int | None:
    """The last visit before the month's ``first`` day (``base``: the last one before the visits)."""
    for v in visits:
        if v >= first:
            break
        base = v
    return base


def _active_month(
    step: int, base: int, visits: tuple[int, ...], first: int, last: int, today: int
) -> tuple[int, int]:
    """``occasion_counts`` of an active resident for the month [first, last], on ordinals."""
    moved = _month_base(None, visits, first)
    hi = last if last < today else today
    return _ordinal_counts(
        step, base if moved is None else moved, [v for v in visits if first <= v <= hi], first, last, today
    )


def _other_month(
    town: int | None,
    village: int | None,
    grid: int | None,
    step: int,
    starts: int,
    before: int | None,
    visits: tuple[int, ...],
    status: StatusInfo,
    bounds: tuple[int, int, date, date],
    today: date,
) -> tuple[int, int]:
    """``occasion_counts`` of a resident in hospital, moved away or deceased, through its dates."""
    first, _last, first_day, last_day = bounds
    base = _month_base(before, visits, first)
    fact = PlanFact(
        0,
        town,  # type: ignore[arg-type]
        village,  # type: ignore[arg-type]
        grid,
        step,
        date.fromordinal(starts),
        status,
        None if base is None else date.fromordinal(base),
        tuple(date.fromordinal(v) for v in visits if v >= first),
    )
    return occasion_counts(fact, first_day, last_day, today)


def _ordinal_counts(
    step: int, base: int, visits: list[int], first: int, last: int, today: int
) -> tuple[int, int]:
    """``occasion_counts`` of an active resident on ordinals: the visits are the month's up to today."""
    due = base + step
    if not visits and step > 0:
        # No visit: the loop below counts base + k·step for k = 1 … 10,000 (its guard) that fall
        # from the month's first day to the day before today, and not after its last.
        top = min(last, today - 1)
        most = min(10_000, (top - base) // step)
        least = max(1, -((base - first) // step))
        return max(0, most - least + 1), 0
    return _walk(due, step, visits, first, last, today)


# ---------------------------------------------------------------- typing a paper roster back
# The fast entry screen (ui/dialogs/fast_entry.py) takes one key per field.
METHOD_KEYS: dict[str, VisitMethod] = {
    "1": VisitMethod.HOME, "上": VisitMethod.HOME,
    "2": VisitMethod.PHONE, "电": VisitMethod.PHONE,
    "3": VisitMethod.VIDEO, "视": VisitMethod.VIDEO,
}  # fmt: skip
CHECK_KEYS: dict[str, CheckResult] = {
    "1": CheckResult.OK, "√": CheckResult.OK, "v": CheckResult.OK, "V": CheckResult.OK,
    "2": CheckResult.PROBLEM, "x": CheckResult.PROBLEM, "X": CheckResult.PROBLEM, "×": CheckResult.PROBLEM,
}  # fmt: skip
EARLIEST_DAYS = 14  # a date on a week's roster more than two weeks before that week is a typo


def read_day(text: str, week_start: date, today: date) -> date:
    """A date as written back from a roster: 「8」 (the day, in or near the roster's week),
    「12-8」, 「12/8」, 「12月8日」 or 「2026-12-08」.

    Raises:
        ValidationError: cannot be read, later than today, or far from the roster's week.
    """
    import re
    import unicodedata

    raw = unicodedata.normalize("NFKC", text).strip()
    earliest = week_start - timedelta(days=EARLIEST_DAYS)
    found: date | None = None
    full = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", raw)
    short = re.fullmatch(r"(\d{1,2})[-/.月](\d{1,2})日?", raw)
    day_only = re.fullmatch(r"(\d{1,2})日?", raw)
    try:
        if full:
            found = date(int(full.group(1)), int(full.group(2)), int(full.group(3)))
        elif short:
            month, day = int(short.group(1)), int(short.group(2))
            options = [
                date(y, month, day) for y in (week_start.year - 1, week_start.year, week_start.year + 1)
            ]
            found = min(options, key=lambda d: abs((d - week_start).days))
    except ValueError:  # 2-30 and the like
        found = None
    if day_only:
        day = int(day_only.group(1))
        # The nearest date with that day of the month, around the roster's week.
        latest = max(today, week_start + timedelta(days=13))  # a date still to come: said below
        span = [earliest + timedelta(days=i) for i in range((latest - earliest).days + 1)]
        matching = [d for d in span if d.day == day]
        if not matching and 1 <= day <= 31:
            raise ValidationError(
                f"「{text}」日不在这张走访表的一周前后，请写成「月-日」，例如 12-8。", field="visited_on"
            )
        found = min(matching, key=lambda d: abs((d - week_start).days)) if matching else None
    if found is None:
        raise ValidationError(f"日期「{text}」看不懂：写「8」或「12-8」。", field="visited_on")
    if found > today:
        raise ValidationError(f"日期 {found:%Y-%m-%d} 晚于今天，请核对。", field="visited_on")
    if found < earliest:
        raise ValidationError(f"日期 {found:%Y-%m-%d} 比这张走访表的一周早太多，请核对。", field="visited_on")
    return found
