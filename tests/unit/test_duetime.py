"""Due times: urgent 2 h, normal 24 h, agent services 3 working days on the official calendar."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xianghe_desk.domain.drafts import RequestDraft
from xianghe_desk.domain.duetime import add_workdays, calendar_known, describe_rule, due_at, is_workday
from xianghe_desk.domain.enums import CategoryGroup, Urgency
from xianghe_desk.domain.models import DueRules
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.requests import RequestService

AGENT, HOME, GOV = CategoryGroup.AGENT.value, CategoryGroup.HOME.value, CategoryGroup.GOVERNANCE.value
RULES = DueRules()


def test_defaults_are_the_countys() -> None:
    assert (RULES.urgent_hours, RULES.normal_hours, RULES.agent_workdays) == (2, 24, 3)


@pytest.mark.parametrize("group", [AGENT, HOME, GOV])
def test_urgent_is_two_hours_whatever_the_category(group: str) -> None:
    received = datetime(2026, 10, 1, 23, 30)  # a holiday night: hours are hours
    assert due_at(received, Urgency.URGENT, group, RULES) == datetime(2026, 10, 2, 1, 30)


@pytest.mark.parametrize("group", [HOME, GOV, "", "unknown"])
def test_normal_is_twenty_four_hours(group: str) -> None:
    received = datetime(2026, 11, 28, 9, 15)  # a Saturday: still 24 clock hours
    assert due_at(received, Urgency.NORMAL, group, RULES) == datetime(2026, 11, 29, 9, 15)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Mon → Thu.
        (datetime(2026, 11, 23, 10, 0), datetime(2026, 11, 26, 10, 0)),
        # Fri → Mon, Tue, Wed.
        (datetime(2026, 11, 27, 16, 45), datetime(2026, 12, 2, 16, 45)),
        # Received on a Saturday or Sunday: counting starts on the next working day.
        (datetime(2026, 11, 28, 9, 0), datetime(2026, 12, 2, 9, 0)),
        (datetime(2026, 11, 29, 20, 0), datetime(2026, 12, 2, 20, 0)),
    ],
)
def test_agent_counts_working_days_across_weekends(received: datetime, due: datetime) -> None:
    assert due_at(received, Urgency.NORMAL, AGENT, RULES) == due


def test_2026_national_day_and_its_make_up_days_as_published() -> None:
    """国务院办公厅 2026 年节假日安排: 10月1日至7日放假调休；9月20日（周日）、10月10日（周六）上班."""
    for day in range(1, 8):
        assert not is_workday(date(2026, 10, day)), day
    assert is_workday(date(2026, 10, 8))  # Thursday after the holiday
    assert is_workday(date(2026, 9, 20)) and date(2026, 9, 20).weekday() == 6
    assert is_workday(date(2026, 10, 10)) and date(2026, 10, 10).weekday() == 5
    assert not is_workday(date(2026, 10, 11))  # an ordinary Sunday
    # Our wrapper says what the library says.
    for offset in range(60):
        day = date(2026, 9, 1) + timedelta(days=offset)
        assert is_workday(day) == chinese_calendar.is_workday(day), day


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Wed before the holiday: 10-08 (Thu), 10-09 (Fri), 10-10 (make-up Saturday).
        (datetime(2026, 9, 30, 16, 0), datetime(2026, 10, 10, 16, 0)),
        # Received during the holiday: the same three days.
        (datetime(2026, 10, 3, 11, 0), datetime(2026, 10, 10, 11, 0)),
        # Fri 09-18: 09-20 (make-up Sunday), 09-21, 09-22.
        (datetime(2026, 9, 18, 9, 0), datetime(2026, 9, 22, 9, 0)),
        # Thu 09-24: 09-25 is 中秋 (off), weekend off, then 09-28, 09-29, 09-30.
        (datetime(2026, 9, 24, 9, 0), datetime(2026, 9, 30, 9, 0)),
    ],
)
def test_agent_across_the_national_day_holiday(received: datetime, due: datetime) -> None:
    assert due_at(received, Urgency.NORMAL, AGENT, RULES) == due
    assert calendar_known(due.date())


@given(
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 20)),
    st.integers(min_value=1, max_value=10),
)
def test_add_workdays_lands_on_the_nth_working_day(start: datetime, days: int) -> None:
    due = add_workdays(start, days)
    assert due.time() == start.time()
    assert due > start
    assert is_workday(due.date())
    span = [start.date() + timedelta(days=i) for i in range(1, (due.date() - start.date()).days + 1)]
    assert sum(is_workday(d) for d in span) == days


# --- a year the calendar does not know yet ---------------------------------------------------------


def test_unknown_year_falls_back_to_monday_to_friday() -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))
    assert not calendar_known(date(2027, 1, 4))
    assert calendar_known(date(2026, 12, 31))
    # 2027-01-01 is a Friday (really a holiday, but unknown): Mon–Fri are working days.
    assert is_workday(date(2027, 1, 1))
    assert not is_workday(date(2027, 1, 2)) and not is_workday(date(2027, 1, 3))
    assert due_at(datetime(2027, 1, 1, 9, 0), Urgency.NORMAL, AGENT, RULES) == datetime(2027, 1, 6, 9, 0)
    # Across the year end: 12-31 (Thu, known), 01-01 (Fri, assumed), 01-04 (Mon).
    assert due_at(datetime(2026, 12, 30, 9, 0), Urgency.NORMAL, AGENT, RULES) == datetime(2027, 1, 4, 9, 0)


# --- configurable rules ----------------------------------------------------------------------------


def test_describe_rule_names_the_numbers() -> None:
    rules = DueRules(urgent_hours=4, normal_hours=48, agent_workdays=5)
    assert describe_rule(Urgency.URGENT, AGENT, rules) == "紧急：4小时内办结"
    assert describe_rule(Urgency.NORMAL, AGENT, rules) == "代办服务：5个工作日内办结"
    assert describe_rule(Urgency.NORMAL, HOME, rules) == "一般：48小时内办结"


def test_due_rules_come_from_the_settings(ws, clock) -> None:
    assert ws.due_rules() == DueRules()
    with ws.atomic():
        ws.settings.set("due_rules", {"urgent_hours": 4, "normal_hours": 48, "agent_workdays": 5})
    assert ws.due_rules() == DueRules(4, 48, 5)

    service = RequestService(ws)
    village = PlaceService(ws).resolve_village("王刘圈村")
    now = clock.current  # Thursday 2026-11-26 10:00
    urgent = service.register(RequestDraft("phone", "repairs", "漏水", village.id, urgency=Urgency.URGENT))
    normal = service.register(RequestDraft("phone", "repairs", "修门", village.id))
    agent = service.register(RequestDraft("phone", "social_insurance", "代缴医保", village.id))
    assert urgent.due_at == now + timedelta(hours=4)
    assert normal.due_at == now + timedelta(hours=48)
    # Five working days from Thu 11-26: 11-27, 11-30, 12-01, 12-02, 12-03.
    assert agent.due_at == datetime(2026, 12, 3, 10, 0)
    preview = service.preview_due(now, Urgency.NORMAL, "social_insurance")
    assert (preview.due_at, preview.rule, preview.calendar_known) == (
        agent.due_at,
        "代办服务：5个工作日内办结",
        True,
    )


def test_partial_due_rules_keep_the_other_defaults(ws) -> None:
    with ws.atomic():
        ws.settings.set("due_rules", {"agent_workdays": 2})
    assert ws.due_rules() == DueRules(urgent_hours=2, normal_hours=24, agent_workdays=2)


def test_preview_warns_when_the_calendar_is_unknown(ws) -> None:
    preview = RequestService(ws).preview_due(datetime(2026, 12, 30, 9, 0), Urgency.NORMAL, "certificates")
    assert preview.due_at == datetime(2027, 1, 4, 9, 0)
    assert preview.calendar_known is False
    assert (
        RequestService(ws)
        .preview_due(datetime(2026, 12, 30, 9), Urgency.URGENT, "certificates")
        .calendar_known
    )


def test_due_time_is_fixed_at_intake_and_overdue_is_derived(ws, clock) -> None:
    """Changing the rules later does not move existing requests; overdue follows the clock."""
    service = RequestService(ws)
    village = PlaceService(ws).resolve_village("王刘圈村")
    request = service.register(RequestDraft("phone", "repairs", "修门", village.id))
    with ws.atomic():
        ws.settings.set("due_rules", {"normal_hours": 1})
    assert service.get(request.id).due_at == request.due_at == clock.current + timedelta(hours=24)
    assert not service.get(request.id).is_overdue(clock.current + timedelta(hours=24))
    assert service.get(request.id).is_overdue(clock.current + timedelta(hours=24, seconds=1))
