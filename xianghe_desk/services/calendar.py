"""The official holidays an administrator enters for years the bundled calendar does not know
(设置 → 节假日, issue #11). Saved in the database (they travel to the village laptops like every
setting) and used for due times at once (domain/duetime.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from xianghe_desk.domain import duetime
from xianghe_desk.domain.enums import Urgency
from xianghe_desk.domain.official_days import OfficialYear, make_year
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.calendar import DueTimeStore, OpenDue


@dataclass(frozen=True)
class CalendarYear:
    """One year as the settings screen lists it."""

    year: int
    bundled: bool  # the program's own calendar has it (chinese-calendar)
    entered: OfficialYear | None


@dataclass(frozen=True)
class SavedYear:
    """A year saved, and the open requests whose due time moved with it."""

    entered: OfficialYear
    moved: list[str] = field(default_factory=list)  # work-order numbers


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

    def save(self, year: int, holidays: str, workdays: str, source: str = "") -> SavedYear:
        """Check and save a year's holidays and make-up working days (replaces what was there).

        Open requests whose due time counts working days into that year get the due time the new
        calendar gives (a request received on 12-30 with 「3个工作日」 before the next year's
        holidays were known). A due time that differs from what the rules gave under the old
        calendar (set by hand, or under other rules) is left as it is.

        Raises:
            ValidationError: a line that cannot be read or the two lists disagree.
        """
        entered = make_year(year, holidays, workdays, source)
        affected = self._calendar_dues(year)
        self.ws.calendars.save(entered)
        self.ws.use_entered_calendars()
        moved: list[str] = []
        for request, group in affected:
            urgency = Urgency(request.urgency)
            rules = self.ws.due_rules()
            due = duetime.due_at(request.received_at, urgency, group, rules)
            if due != request.due_at:
                self._dues.set_due(request.id, due)
                moved.append(request.number)
        return SavedYear(entered, moved)

    @property
    def _dues(self) -> DueTimeStore:
        return DueTimeStore(self.ws.db, self.ws.device.tag)

    def _calendar_dues(self, year: int) -> list[tuple[OpenDue, str]]:
        """Open requests counted in working days whose due time may fall in ``year``, with their
        category group, whose stored due time is what the rules give under today's calendar."""
        rules = self.ws.due_rules()
        # Working days never stretch over more than twice as many calendar days plus a long holiday.
        since = datetime(year, 1, 1) - timedelta(days=2 * rules.agent_workdays + 14)
        found = []
        for request in self._dues.open_received(since, datetime(year + 1, 1, 1)):
            item = self.ws.lookups.get("category", request.category)
            if item is None:
                continue
            try:
                urgency = Urgency(request.urgency)
            except ValueError:
                continue
            if duetime.due_at(request.received_at, urgency, item.group_code, rules) == request.due_at:
                found.append((request, item.group_code))
        return found
