"""Due times: urgent within hours, normal within a day, agent services within working days.

Working days follow the official calendar (holidays and make-up working days) as published
by the State Council, through chinese-calendar. For a year the library does not know yet, an
administrator enters the State Council's notice in 设置 → 节假日 (issue #11); the database holds it
and every workspace hands it here (``use_entered_years``). A year known neither way falls back to
Monday–Friday and says so (``calendar_known``), so the desk can point the clerk to 设置.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache

import chinese_calendar

from xianghe_desk.domain.enums import CategoryGroup, Urgency
from xianghe_desk.domain.models import DueRules
from xianghe_desk.domain.official_days import OfficialYear

# Years entered by an administrator (read from the database when a workspace opens). One copy per
# process: every workspace of a process opens the same database, so they hand over the same years.
_entered: dict[int, OfficialYear] = {}
_lock = threading.Lock()


def use_entered_years(years: Iterable[OfficialYear]) -> None:
    """Use these entered years for the years chinese-calendar does not know (replaces the last set)."""
    wanted = {y.year: y for y in years}
    with _lock:
        if wanted == _entered:
            return
        _entered.clear()
        _entered.update(wanted)
        _library_knows.cache_clear()
        is_workday.cache_clear()


def entered_years() -> list[int]:
    return sorted(_entered)


@lru_cache(maxsize=256)
def _library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def library_knows(year: int) -> bool:
    """Whether the bundled chinese-calendar has the State Council's notice for ``year``."""
    return _library_knows(year)


def calendar_known(day: date) -> bool:
    """Whether the official holiday calendar for ``day``'s year is known (bundled or entered)."""
    return _library_knows(day.year) or day.year in _entered


@lru_cache(maxsize=8192)
def is_workday(day: date) -> bool:
    """A working day on the official calendar (cached: the library scans its tables per call)."""
    if _library_knows(day.year):
        return bool(chinese_calendar.is_workday(day))
    entered = _entered.get(day.year)
    if entered is not None:
        return entered.is_workday(day)
    return day.weekday() < 5


def add_workdays(start: datetime, days: int) -> datetime:
    """The same clock time ``days`` working days after ``start``'s date.

    A request received on a holiday evening or a Saturday starts counting on the next
    working day, as the county counts 「3个工作日内」.
    """
    day = start.date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_workday(day):
            counted += 1
    return datetime.combine(day, start.time())


def due_at(received_at: datetime, urgency: Urgency, category_group: str, rules: DueRules) -> datetime:
    """When a request must be completed. Urgency wins over the category's own rule."""
    if urgency is Urgency.URGENT:
        return received_at + timedelta(hours=rules.urgent_hours)
    if category_group == CategoryGroup.AGENT.value:
        return add_workdays(received_at, rules.agent_workdays)
    return received_at + timedelta(hours=rules.normal_hours)


def describe_rule(urgency: Urgency, category_group: str, rules: DueRules) -> str:
    """A phrase for the form, e.g. 「紧急：2小时内办结」."""
    if urgency is Urgency.URGENT:
        return f"紧急：{rules.urgent_hours}小时内办结"
    if category_group == CategoryGroup.AGENT.value:
        return f"代办服务：{rules.agent_workdays}个工作日内办结"
    return f"一般：{rules.normal_hours}小时内办结"
