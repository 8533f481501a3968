"""The official holidays an administrator enters for years the bundled calendar does not know
(设置 → 节假日, issue #11). Saved in the database (they travel to the village laptops like every
setting) and used for due times at once (domain/duetime.py)."""

from __future__ import annotations

from dataclasses import dataclass

from xianghe_desk.domain import duetime
from xianghe_desk.domain.official_days import OfficialYear, make_year
from xianghe_desk.services.workspace import Workspace


@dataclass(frozen=True)
class CalendarYear:
    """One year as the settings screen lists it."""

    year: int
    bundled: bool  # the program's own calendar has it (chinese-calendar)
    entered: OfficialYear | None


class CalendarService:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def years(self, around: int | None = None) -> list[CalendarYear]:
        """This year and the next two, and every year entered."""
        this = around or self.ws.now().year
        entered = {y.year: y for y in self.ws.calendars.years()}
        wanted = sorted({this - 1, this, this + 1, this + 2, *entered})
        return [CalendarYear(y, duetime.library_knows(y), entered.get(y)) for y in wanted]

    def entered(self, year: int) -> OfficialYear | None:
        return self.ws.calendars.get(year)

    def save(self, year: int, holidays: str, workdays: str, source: str = "") -> OfficialYear:
        """Check and save a year's holidays and make-up working days (replaces what was there).

        Raises:
            ValidationError: a line that cannot be read or the two lists disagree.
        """
        entered = make_year(year, holidays, workdays, source)
        self.ws.calendars.save(entered)
        self.ws.use_entered_calendars()
        return entered
