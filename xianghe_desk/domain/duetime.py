"""Due times: urgent within hours, normal within a day, agent services within working days.

Working days follow the official calendar (holidays and make-up working days) as published
by the State Council, through chinese-calendar. For a year the library does not know yet we
fall back to Monday–Friday and say so (``calendar_known``), so the desk can warn the clerk
to update the program.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

import chinese_calendar

from xianghe_desk.domain.enums import CategoryGroup, Urgency
from xianghe_desk.domain.models import DueRules


@lru_cache(maxsize=4096)
def calendar_known(day: date) -> bool:
    """Whether the official holiday calendar for ``day``'s year is known to this build."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=8192)
def is_workday(day: date) -> bool:
    """A working day on the official calendar (cached: the library scans its tables per call)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
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
