"""What the desk asks for: list filters, sort orders and how a search text is read."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import Enum
from typing import Any, NamedTuple, TypeVar

from xianghe_desk.domain.enums import Status, Urgency
from xianghe_desk.domain.numbering import parse_number
from xianghe_desk.domain.visits import VisitRefs


class SearchKind(Enum):
    EMPTY = "empty"
    NUMBER = "number"  # a work-order number (exact)
    DIGITS = "digits"  # part of a phone number, ID number or work-order number
    LATIN = "latin"  # pinyin initials or full pinyin
    TEXT = "text"  # Chinese: a name or part of one


@dataclass(frozen=True)
class Search:
    kind: SearchKind
    text: str


def read_search(text: str) -> Search:
    """Decide what a search-box entry is: 「zs」 initials, 「张三」 a name, 「1381234」 a phone …"""
    folded = unicodedata.normalize("NFKC", text or "").strip()
    if not folded:
        return Search(SearchKind.EMPTY, "")
    number = parse_number(folded)
    if number is not None:
        return Search(SearchKind.NUMBER, str(number))
    compact = re.sub(r"[\s\-]", "", folded)
    if compact.isdigit() or (compact[:-1].isdigit() and compact[-1:] in "xX" and len(compact) == 18):
        return Search(SearchKind.DIGITS, compact.upper())
    if re.fullmatch(r"[A-Za-z]+", compact):
        return Search(SearchKind.LATIN, compact.lower())
    return Search(SearchKind.TEXT, folded.replace(" ", ""))


@dataclass(frozen=True)
class RequestFilter:
    """The request list's filter bar. Empty fields do not filter."""

    town_id: int | None = None
    village_id: int | None = None
    grid_id: int | None = None
    handler_id: int | None = None
    resident_id: int | None = None
    statuses: tuple[Status, ...] = ()
    category: str | None = None
    category_group: str | None = None
    channel: str | None = None
    urgency: Urgency | None = None
    received_from: date | None = None
    received_to: date | None = None  # inclusive
    completed_from: date | None = None
    completed_to: date | None = None  # inclusive
    overdue_only: bool = False  # open and past the due time now
    due_today: bool = False  # open and due before the end of today
    not_printed: bool = False
    text: str = ""
    # The signed-in clerk's scope (issue #9), set by the services, never by a screen: only rows of
    # these towns / villages (empty: no limit).
    scope_towns: tuple[int, ...] = ()
    scope_villages: tuple[int, ...] = ()

    def with_(self, **changes: object) -> RequestFilter:
        return replace(self, **changes)  # type: ignore[arg-type]


REQUEST_SORT_KEYS = (
    "number",
    "received_at",
    "due_at",
    "status",
    "urgency",
    "category",
    "channel",
    "town",
    "village",
    "grid",
    "person_name",
    "handler",
    "completed_at",
    "satisfaction",
)


@dataclass(frozen=True)
class Sort:
    key: str = "received_at"
    descending: bool = True


class MemberChoice(NamedTuple):
    """A grid member as a list of choices shows them (the 承办人 filter): no grids, no phone."""

    id: int
    name: str
    town_name: str


class RequestListRow(NamedTuple):
    """One row of the request list, as cheap as a row can be: what the list shows, the times as
    stored text (「2026-11-03 08:05:00」), and ``key``, the row's place in its sort order (the sort
    columns and the id) from which the next or the previous page is read (keyset paging)."""

    id: int
    number: str
    received_at: str
    status: Status
    urgency: Urgency
    person_name: str
    town_name: str
    village_name: str
    grid_name: str
    category_name: str
    content: str  # the first 200 characters
    channel_name: str
    handler_name: str
    handler_phone: str
    due_at: str
    completed_at: str | None
    town_id: int
    village_id: int
    grid_id: int | None
    handler_id: int | None
    resident_id: int | None
    key: tuple[Any, ...]

    def is_overdue(self, now: datetime | str) -> bool:
        """As ServiceRequest.is_overdue: late completion, or open past the due time (``now`` as a
        datetime or as stored text)."""
        if self.status is Status.CANCELLED:
            return False
        if self.completed_at is not None and self.status.is_done:
            return self.completed_at > self.due_at
        now_text = now if isinstance(now, str) else now.isoformat(sep=" ", timespec="seconds")
        return now_text > self.due_at


@dataclass(frozen=True)
class PersonFilter:
    """Residents' and members' lists."""

    town_id: int | None = None
    village_id: int | None = None
    grid_id: int | None = None
    care_tag: str | None = None
    active_only: bool = False
    text: str = ""
    extra: dict[str, object] = field(default_factory=dict)
    # Residents only (issue #11): their care-visit plan's state (store/visit_due.STATE_CONDITIONS:
    # planned, overdue, week, never, paused, left) as of ``visit_refs`` (set by the services), and
    # their status (active, hospital, moved, deceased).
    visit_state: str | None = None
    visit_refs: VisitRefs | None = None
    status: str | None = None
    scope_towns: tuple[int, ...] = ()
    scope_villages: tuple[int, ...] = ()


F = TypeVar("F", RequestFilter, PersonFilter)


def within_scope(flt: F, town_ids: frozenset[int], village_ids: frozenset[int]) -> F:
    """``flt`` limited to an actor's towns / villages (domain.access.Actor), applied in the queries."""
    if not town_ids and not village_ids:
        return flt
    return replace(flt, scope_towns=tuple(sorted(town_ids)), scope_villages=tuple(sorted(village_ids)))
