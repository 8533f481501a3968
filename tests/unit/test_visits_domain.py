"""Care visits as plain rules (issue #11): intervals, next due, the month's coverage, typing a roster
back, a resident's status, and the holidays an administrator enters for unknown years."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from xianghe_desk.domain import duetime
from xianghe_desk.domain.enums import CareTag
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.official_days import make_year, parse_days
from xianghe_desk.domain.visits import (
    DEFAULT_INTERVALS,
    PlanFact,
    ResidentStatus,
    StatusInfo,
    VisitDraft,
    clean_intervals,
    clean_status,
    clean_visit,
    interval_for,
    month_coverage,
    next_due,
    occasions,
    read_day,
    week_of,
)

D = date


def test_the_county_default_intervals() -> None:
    assert DEFAULT_INTERVALS[CareTag.CHILDLESS_ELDERLY] == DEFAULT_INTERVALS[CareTag.ELDERLY_ALONE] == 7
    assert DEFAULT_INTERVALS[CareTag.SERIOUSLY_ILL] == 4  # twice a week: Monday and Thursday
    assert DEFAULT_INTERVALS[CareTag.MOBILITY_IMPAIRED] == DEFAULT_INTERVALS[CareTag.DISABLED] == 14
    assert DEFAULT_INTERVALS[CareTag.TEKUN] == DEFAULT_INTERVALS[CareTag.DIBAO] == 30
    assert CareTag.OTHER not in DEFAULT_INTERVALS


def test_the_shortest_interval_wins_and_a_plan_overrides_it() -> None:
    tags = (CareTag.DIBAO, CareTag.SERIOUSLY_ILL, CareTag.DISABLED)
    assert interval_for(tags, DEFAULT_INTERVALS) == 4
    assert interval_for(tags, DEFAULT_INTERVALS, override=10) == 10
    assert interval_for((CareTag.OTHER,), DEFAULT_INTERVALS) is None
    assert interval_for((), DEFAULT_INTERVALS) is None
    edited = clean_intervals({"dibao": 21})
    assert interval_for((CareTag.DIBAO,), edited) == 21


@pytest.mark.parametrize("bad", [0, 93, "7", 7.5, True])
def test_an_interval_out_of_bounds_is_refused_in_chinese(bad: object) -> None:
    with pytest.raises(ValidationError, match="1–92 天"):
        clean_intervals({"dibao": bad})


def test_next_due_from_the_last_visit_or_the_plans_start() -> None:
    active = StatusInfo()
    today = D(2026, 11, 26)
    assert next_due(D(2026, 11, 20), D(2026, 1, 1), 7, active, today) == D(2026, 11, 27)
    assert next_due(None, D(2026, 11, 1), 7, active, today) == D(2026, 11, 8)


def test_hospital_pauses_and_the_day_after_discharge_is_due() -> None:
    today = D(2026, 11, 26)
    staying = StatusInfo(ResidentStatus.HOSPITAL, D(2026, 11, 20), D(2026, 11, 30))
    assert next_due(D(2026, 11, 15), D(2026, 1, 1), 7, staying, today) is None
    home = StatusInfo(ResidentStatus.HOSPITAL, D(2026, 11, 10), D(2026, 11, 24))
    assert next_due(D(2026, 11, 8), D(2026, 1, 1), 7, home, today) == D(2026, 11, 25)
    # Due after the stay anyway: unchanged.
    assert next_due(D(2026, 11, 22), D(2026, 1, 1), 7, home, today) == D(2026, 11, 29)


def test_moved_and_deceased_leave_from_their_date() -> None:
    today = D(2026, 11, 26)
    died = StatusInfo(ResidentStatus.DECEASED, D(2026, 11, 20))
    assert next_due(D(2026, 11, 1), D(2026, 1, 1), 7, died, today) is None
    moving = StatusInfo(ResidentStatus.MOVED, D(2026, 12, 10))  # announced, not yet gone
    assert next_due(D(2026, 11, 20), D(2026, 1, 1), 7, moving, today) == D(2026, 11, 27)


JANUARY = D(2026, 1, 1)


def _fact(
    interval: int, visits: list[date], before: date | None, starts: date = JANUARY, **status: object
) -> PlanFact:
    return PlanFact(1, 1, 1, 1, interval, starts, StatusInfo(**status), before, tuple(visits))  # type: ignore[arg-type]


NOV = (D(2026, 11, 1), D(2026, 11, 30))


def test_a_month_of_weekly_visits_on_time_is_fully_covered() -> None:
    visits = [D(2026, 11, d) for d in (3, 10, 17, 24)]
    found = occasions(_fact(7, visits, D(2026, 10, 27)), *NOV, today=D(2026, 12, 5))
    assert [o.due for o in found] == [D(2026, 11, 3), D(2026, 11, 10), D(2026, 11, 17), D(2026, 11, 24)]
    assert all(o.done for o in found)


def test_a_late_visit_misses_its_due_date_and_starts_the_chain_again() -> None:
    # Due 11-03 (from 10-27); visited 11-06: 11-03 missed, then 11-13 due, visited 11-12.
    found = occasions(
        _fact(7, [D(2026, 11, 6), D(2026, 11, 12)], D(2026, 10, 27)), *NOV, today=D(2026, 12, 5)
    )
    assert [(o.due.day, o.done) for o in found][:2] == [(3, False), (13, True)]


def test_never_visited_counts_every_passed_due_date_as_missed_but_not_the_days_to_come() -> None:
    fact = _fact(7, [], None, starts=D(2026, 10, 30))
    found = occasions(fact, *NOV, today=D(2026, 11, 21))
    assert [(o.due.day, o.done) for o in found] == [(6, False), (13, False), (20, False)]


def test_a_due_date_of_today_is_not_missed_yet() -> None:
    fact = _fact(7, [], None, starts=D(2026, 10, 30))
    found = occasions(fact, *NOV, today=D(2026, 11, 20))
    assert [(o.due.day, o.done) for o in found] == [(6, False), (13, False)]  # 11-20: still today


def test_the_current_month_counts_a_future_due_date_only_once_done() -> None:
    visits = [D(2026, 11, 3), D(2026, 11, 10)]
    found = occasions(_fact(7, visits, D(2026, 10, 27)), *NOV, today=D(2026, 11, 12))
    assert [(o.due.day, o.done) for o in found] == [(3, True), (10, True)]  # 11-17 is not due yet


def test_a_hospital_stay_pauses_the_due_dates() -> None:
    fact = _fact(
        7, [D(2026, 11, 3)], D(2026, 10, 27),
        status=ResidentStatus.HOSPITAL, since=D(2026, 11, 5), until=D(2026, 11, 20),
    )  # fmt: skip
    found = occasions(fact, *NOV, today=D(2026, 12, 5))
    # 11-03 done; 11-10 falls in the stay: due the day after (11-21), missed; 11-28 missed.
    assert [(o.due.day, o.done) for o in found] == [(3, True), (21, False), (28, False)]


def test_death_ends_the_plan_from_that_day() -> None:
    fact = _fact(7, [D(2026, 11, 3)], D(2026, 10, 27), status=ResidentStatus.DECEASED, since=D(2026, 11, 15))
    found = occasions(fact, *NOV, today=D(2026, 12, 5))
    assert [(o.due.day, o.done) for o in found] == [(3, True), (10, False)]


def test_month_coverage_adds_up_by_town_village_and_grid() -> None:
    on_time = PlanFact(1, 10, 100, 1000, 7, D(2026, 1, 1), StatusInfo(), D(2026, 10, 27),
                       tuple(D(2026, 11, d) for d in (3, 10, 17, 24)))  # fmt: skip
    never = PlanFact(2, 10, 101, None, 14, D(2026, 10, 20), StatusInfo(), None, ())
    total, by = month_coverage([on_time, never], *NOV, today=D(2026, 12, 1))
    assert (total.due, total.done) == (4 + 2, 4)
    assert (by["town"][10].due, by["town"][10].done) == (6, 4)
    assert (by["village"][101].due, by["village"][101].done) == (2, 0)
    assert by["grid"][None].due == 2


def test_a_roster_date_is_read_as_the_clerk_writes_it() -> None:
    week, today = D(2026, 11, 23), D(2026, 11, 26)
    for text in ("24", "11-24", "11/24", "11月24日", "2026-11-24", "１１－２４"):
        assert read_day(text, week, today) == D(2026, 11, 24), text
    assert read_day("30", D(2026, 12, 7), D(2026, 12, 9)) == D(2026, 11, 30)  # across the month
    assert read_day("12-31", D(2027, 1, 4), D(2027, 1, 6)) == D(2026, 12, 31)  # across the year
    for bad, words in (("27", "晚于今天"), ("abc", "看不懂"), ("2026-10-01", "早太多"), ("2-30", "看不懂")):
        with pytest.raises(ValidationError, match=words):
            read_day(bad, week, today)


def test_a_visit_cannot_be_in_the_future_and_unknown_checks_are_refused() -> None:
    today = D(2026, 11, 26)
    with pytest.raises(ValidationError, match="晚于今天"):
        clean_visit(VisitDraft(1, today + timedelta(days=1)), today)
    with pytest.raises(ValidationError, match="检查项"):
        clean_visit(VisitDraft(1, today, checks={"weather": "ok"}), today)  # type: ignore[dict-item]
    cleaned = clean_visit(VisitDraft(1, today, note="  好  "), today)
    assert cleaned.note == "好"


def test_a_status_needs_its_dates() -> None:
    today = D(2026, 11, 26)
    with pytest.raises(ValidationError, match="出院日期"):
        clean_status(StatusInfo(ResidentStatus.HOSPITAL, today), today)
    with pytest.raises(ValidationError, match="去世的日期"):
        clean_status(StatusInfo(ResidentStatus.DECEASED), today)
    with pytest.raises(ValidationError, match="不能早于"):
        clean_status(StatusInfo(ResidentStatus.HOSPITAL, today, today - timedelta(days=1)), today)
    assert clean_status(StatusInfo(ResidentStatus.ACTIVE, today, today), today) == StatusInfo()
    assert clean_status(StatusInfo(ResidentStatus.HOSPITAL, None, D(2026, 12, 1)), today).since == today


def test_week_of_is_monday_to_sunday() -> None:
    assert week_of(D(2026, 11, 26)) == (D(2026, 11, 23), D(2026, 11, 29))
    assert week_of(D(2026, 11, 29)) == (D(2026, 11, 23), D(2026, 11, 29))


# ---------------------------------------------------------------- holidays for unknown years
HOLIDAYS_2027 = "2027-01-01 元旦\n2027-02-05 至 2027-02-12 春节\n10-1到10-7 国庆节"
WORKDAYS_2027 = "2027-02-14 春节调休\n2027-10-09 国庆节调休"


def test_an_entered_year_reads_ranges_names_and_short_dates() -> None:
    entered = make_year(2027, HOLIDAYS_2027, WORKDAYS_2027, "国办发明电")
    assert len(entered.holidays) == 1 + 8 + 7
    assert entered.holidays[D(2027, 2, 8)] == "春节"
    assert not entered.is_workday(D(2027, 2, 8))  # a Monday in 春节
    assert entered.is_workday(D(2027, 2, 14))  # a Sunday worked
    assert entered.is_workday(D(2027, 3, 1)) and not entered.is_workday(D(2027, 3, 6))
    again = make_year(2027, entered.lines("holidays"), entered.lines("workdays"))
    assert again.holidays == entered.holidays and again.workdays == entered.workdays


@pytest.mark.parametrize(
    ("holidays", "workdays", "words"),
    [
        ("", "", "请填写 2027 年的放假日期"),
        ("2027-02-30 春节", "", "不是有效的日期"),
        ("2026-10-01 国庆", "", "年份不是 2027"),
        ("2027-02-01 至 2027-03-01", "", "太长"),
        ("春节放假", "", "看不懂"),
        ("2027-02-14 春节", "2027-02-14", "既是放假日又是调休上班日"),
        ("2027-01-01 元旦", "2027-01-04", "本来就是工作日"),
    ],
)
def test_an_entered_year_that_does_not_add_up_is_refused(holidays: str, workdays: str, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        make_year(2027, holidays, workdays)


def test_parse_days_skips_blank_lines_and_comments() -> None:
    assert parse_days("\n# 来自通知\n2027-05-01 劳动节\n", 2027, "放假日期") == {D(2027, 5, 1): "劳动节"}


def test_due_times_follow_an_entered_year_and_fall_back_without_it() -> None:
    assert not duetime.library_knows(2027)
    friday_before = datetime(2027, 2, 4, 10, 0)  # Thursday 02-04; 春节 02-05 … 02-12, 02-14 worked
    duetime.use_entered_years([])
    assert not duetime.calendar_known(friday_before.date())
    assert duetime.add_workdays(friday_before, 3) == datetime(2027, 2, 9, 10, 0)  # Mon–Fri only
    duetime.use_entered_years([make_year(2027, HOLIDAYS_2027, WORKDAYS_2027)])
    assert duetime.calendar_known(friday_before.date())
    # 02-05 … 02-12 off, Sunday 02-14 worked, then Monday 02-15: three working days.
    assert duetime.add_workdays(friday_before, 3) == datetime(2027, 2, 16, 10, 0)
    # A year the library knows keeps the library's calendar.
    assert duetime.calendar_known(D(2026, 10, 1)) and not duetime.is_workday(D(2026, 10, 1))
