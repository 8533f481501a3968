"""Domain records. The store returns these; services, pdf and ui consume them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from xianghe_desk.domain.enums import (
    CareTag,
    FeedbackRoute,
    Living,
    MemberKind,
    MemberRole,
    Satisfaction,
    Sex,
    Status,
    Urgency,
    VillageKind,
)
from xianghe_desk.domain.visits import ResidentStatus, StatusInfo


@dataclass(frozen=True)
class Town:
    id: int
    code: str
    name: str
    uuid: str = ""


@dataclass(frozen=True)
class Village:
    id: int
    town_id: int
    name: str  # official name, e.g. 王刘圈村村民委员会
    short_name: str  # everyday form, e.g. 王刘圈村
    code: str | None = None
    kind: VillageKind = VillageKind.VILLAGE
    district: str = ""
    town_name: str = ""
    uuid: str = ""


@dataclass(frozen=True)
class Grid:
    id: int
    village_id: int
    name: str
    number: str = ""
    head_name: str = ""
    households: int | None = None
    population: int | None = None
    party_group: str = ""
    default_member_id: int | None = None
    village_name: str = ""
    town_id: int | None = None
    town_name: str = ""
    uuid: str = ""


@dataclass(frozen=True)
class Member:
    id: int
    name: str
    phone: str
    town_id: int
    village_id: int | None = None
    kind: MemberKind = MemberKind.PART_TIME
    role: MemberRole = MemberRole.MEMBER
    is_party: bool = False
    id_number: str | None = None
    active: bool = True
    grid_ids: tuple[int, ...] = ()
    town_name: str = ""
    village_name: str = ""
    grid_names: tuple[str, ...] = ()
    uuid: str = ""


@dataclass(frozen=True)
class Resident:
    id: int
    name: str
    town_id: int
    village_id: int
    id_number: str | None = None
    sex: Sex | None = None
    birth_date: date | None = None
    phone: str = ""
    grid_id: int | None = None
    care_tags: tuple[CareTag, ...] = ()
    living: Living | None = None
    address: str = ""
    emergency_name: str = ""
    emergency_phone: str = ""
    linked_member_id: int | None = None
    note: str = ""
    town_name: str = ""
    village_name: str = ""
    grid_name: str = ""
    linked_member_name: str = ""
    uuid: str = ""
    # 在册 / 住院 (until a date) / 迁出 / 去世 (on a date): issue #11, domain/visits.py.
    status: ResidentStatus = ResidentStatus.ACTIVE
    status_since: date | None = None
    status_until: date | None = None

    @property
    def status_info(self) -> StatusInfo:
        return StatusInfo(self.status, self.status_since, self.status_until)

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


@dataclass(frozen=True)
class LookupItem:
    """A channel, category or handling method (editable in the settings)."""

    kind: str
    code: str
    name: str
    group_code: str = ""
    sort_order: int = 0
    active: bool = True


@dataclass(frozen=True)
class DueRules:
    """How long a request may take. Configurable in the settings."""

    urgent_hours: int = 2
    normal_hours: int = 24
    agent_workdays: int = 3


@dataclass(frozen=True)
class ServiceRequest:
    id: int
    number: str
    received_at: datetime
    channel: str  # lookup code
    category: str  # lookup code
    content: str
    town_id: int
    village_id: int
    status: Status
    urgency: Urgency
    due_at: datetime
    external_number: str = ""
    grid_id: int | None = None
    resident_id: int | None = None
    person_name: str = ""
    person_phone: str = ""
    person_id_number: str | None = None
    handler_id: int | None = None
    dispatched_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    method: str | None = None
    result: str = ""
    feedback_at: datetime | None = None
    feedback_route: FeedbackRoute | None = None
    satisfaction: Satisfaction | None = None
    feedback_by: str = ""
    cancelled_at: datetime | None = None
    escalations: int = 0
    printed_at: datetime | None = None
    created_by: str = ""
    # Joined names for display (filled by list/detail queries).
    town_name: str = ""
    village_name: str = ""
    grid_name: str = ""
    handler_name: str = ""
    handler_phone: str = ""
    channel_name: str = ""
    category_name: str = ""
    category_group: str = ""
    method_name: str = ""
    uuid: str = ""
    updated_at: datetime | None = None

    def is_overdue(self, now: datetime) -> bool:
        """Overdue is derived, never stored: late completion, or open past the due time."""
        if self.status is Status.CANCELLED:
            return False
        if self.completed_at is not None and self.status.is_done:
            return self.completed_at > self.due_at
        return now > self.due_at


@dataclass(frozen=True)
class RequestEvent:
    id: int
    request_id: int
    action: str
    at: datetime
    actor: str
    from_status: Status | None
    to_status: Status | None
    note: str = ""
    data: dict[str, object] = field(default_factory=dict)
    device_id: str = ""
    uuid: str = ""


@dataclass(frozen=True)
class Page:
    """One page of a list query."""

    rows: list[object]
    offset: int
    total: int
