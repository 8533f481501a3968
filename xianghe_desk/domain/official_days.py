"""A year's official holidays and make-up working days (放假调休), as an administrator types them in
from the State Council's notice, for years the chinese-calendar library does not know yet.

The text is one line per holiday or make-up day, a single date or a range with a name:

    2027-01-01 元旦
    2027-02-05 至 2027-02-13 春节
    2/14 春节调休上班

Dates may be written 2027-02-05, 2027/2/5, 2月5日 or 2-5 (the year is the one being entered).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from xianghe_desk.domain.errors import ValidationError

MAX_RANGE_DAYS = 15  # the longest official break (春节, 国庆) is 8–9 days

_DATE = r"(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_LINE = re.compile(rf"^{_DATE}(?:\s*(?:至|到|~|～|—|–|-{{1,2}})\s*{_DATE})?\s*(.*)$")


@dataclass(frozen=True)
class OfficialYear:
    """One year's calendar: holidays (days off, weekdays included) and make-up working days
    (weekends that are worked), each with its name (春节, 国庆节调休)."""

    year: int
    holidays: dict[date, str] = field(default_factory=dict)
    workdays: dict[date, str] = field(default_factory=dict)
    source: str = ""

    def is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def lines(self, which: str) -> str:
        """The days as text to edit again, ranges of consecutive days with the same name joined."""
        days = self.holidays if which == "holidays" else self.workdays
        out: list[str] = []
        ordered = sorted(days)
        i = 0
        while i < len(ordered):
            j = i
            while (
                j + 1 < len(ordered)
                and ordered[j + 1] - ordered[j] == timedelta(days=1)
                and days[ordered[j + 1]] == days[ordered[i]]
            ):
                j += 1
            name = f" {days[ordered[i]]}" if days[ordered[i]] else ""
            if i == j:
                out.append(f"{ordered[i]:%Y-%m-%d}{name}")
            else:
                out.append(f"{ordered[i]:%Y-%m-%d} 至 {ordered[j]:%Y-%m-%d}{name}")
            i = j + 1
        return "\n".join(out)


def _day(year: int, groups: tuple[str | None, ...], line_no: int, raw: str) -> date:
    y, m, d = groups
    if y is not None and int(y) != year:
        raise ValidationError(f"第 {line_no} 行「{raw}」的年份不是 {year} 年，请核对。", field="days")
    try:
        return date(year, int(m or 0), int(d or 0))
    except ValueError:
        raise ValidationError(f"第 {line_no} 行「{raw}」不是有效的日期。", field="days") from None


def parse_days(text: str, year: int, what: str) -> dict[date, str]:
    """Read the lines of one list (``what``: 放假日期 / 调休上班日期). Raises ValidationError."""
    days: dict[date, str] = {}
    for line_no, raw_line in enumerate(text.splitlines(), 1):
        raw = unicodedata.normalize("NFKC", raw_line).strip()
        if not raw or raw.startswith("#"):
            continue
        match = _LINE.match(raw)
        if match is None:
            raise ValidationError(
                f"{what}第 {line_no} 行「{raw}」看不懂。请写成「2027-02-05 至 2027-02-13 春节」或「2027-02-14 春节调休」。",
                field="days",
            )
        start = _day(year, match.group(1, 2, 3), line_no, raw)
        end = _day(year, match.group(4, 5, 6), line_no, raw) if match.group(5) else start
        if end < start:
            raise ValidationError(f"{what}第 {line_no} 行的结束日期早于开始日期，请核对。", field="days")
        if (end - start).days >= MAX_RANGE_DAYS:
            raise ValidationError(
                f"{what}第 {line_no} 行一次放假 {(end - start).days + 1} 天，太长了，请核对。", field="days"
            )
        name = match.group(7).strip()
        day = start
        while day <= end:
            days[day] = name
            day += timedelta(days=1)
    return days


def make_year(year: int, holidays_text: str, workdays_text: str, source: str = "") -> OfficialYear:
    """A year from the two lists as typed, checked against each other.

    Raises:
        ValidationError: a line that cannot be read, a day in both lists, a make-up working day
            that is already a weekday, or nothing entered.
    """
    if not 2000 <= year <= 2100:
        raise ValidationError(f"年份「{year}」不对，请核对。", field="year")
    holidays = parse_days(holidays_text, year, "放假日期")
    workdays = parse_days(workdays_text, year, "调休上班日期")
    if not holidays:
        raise ValidationError(
            f"请填写 {year} 年的放假日期（照国务院办公厅的放假通知，每个节日一行）。", field="days"
        )
    both = sorted(set(holidays) & set(workdays))
    if both:
        raise ValidationError(f"{both[0]:%Y-%m-%d} 既是放假日又是调休上班日，请核对。", field="days")
    weekdays = [d for d in workdays if d.weekday() < 5]
    if weekdays:
        raise ValidationError(
            f"调休上班日 {weekdays[0]:%Y-%m-%d} 本来就是工作日（星期{'一二三四五'[weekdays[0].weekday()]}），"
            "调休上班日应是周六或周日，请核对。",
            field="days",
        )
    return OfficialYear(year, holidays, workdays, source.strip())
