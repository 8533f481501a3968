"""A realistic demo county: the real towns and villages, invented grids, people and a year of requests.

Rows are written in bulk through the stores (one transaction per table group) rather than one
service call per request, so that the ``large`` scale (100,000 residents, 1,000,000 requests)
finishes in minutes. The histories follow the same state machine the services enforce, and
``check`` verifies the result.
"""

from __future__ import annotations

import json
import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from stdnum.cn import ric

from xianghe_desk.domain import duetime
from xianghe_desk.domain.enums import (
    Action,
    CareTag,
    Living,
    MemberKind,
    MemberRole,
    Sex,
    Status,
    Urgency,
    VillageKind,
)
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.lifecycle import next_status, row_effect
from xianghe_desk.domain.models import Village
from xianghe_desk.domain.numbering import format_number
from xianghe_desk.domain.pinyin import name_initials as _name_initials
from xianghe_desk.domain.pinyin import name_pinyin as _name_pinyin
from xianghe_desk.services import demo_data as words
from xianghe_desk.services.accounts import seed_demo_accounts
from xianghe_desk.services.demo_visits import DemoVisits
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.base import reverse_digits
from xianghe_desk.store.bulk import BulkStore
from xianghe_desk.store.people import tags_text

log = logging.getLogger(__name__)

CHINESE_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Scale:
    towns: int | None  # None: all towns
    grids: int
    residents: int
    requests: int
    months: int = 12


SCALES = {
    "small": Scale(towns=1, grids=48, residents=400, requests=1500),
    "county": Scale(towns=None, grids=837, residents=6000, requests=24000),
    "large": Scale(towns=None, grids=837, residents=100_000, requests=1_000_000),
}

SMALL_TOWN_CODE = "131024101"  # 蒋辛屯镇, 19 villages

Progress = Callable[[str, int, int], None]


@dataclass
class _Person:
    id: int
    name: str
    phone: str
    id_number: str | None
    village_id: int
    grid_id: int | None


# Demo names repeat a lot; pypinyin is the slowest step of a large build without a cache.
name_initials = lru_cache(maxsize=65536)(_name_initials)
name_pinyin = lru_cache(maxsize=65536)(_name_pinyin)


def _fmt(value: datetime) -> str:
    return value.isoformat(sep=" ", timespec="seconds")


def _uuid(rng: random.Random) -> str:
    """A version-4 UUID from the seeded generator: the same seed gives the same demo."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


class DemoBuilder:
    def __init__(self, ws: Workspace, scale: str, seed: int = 1, progress: Progress | None = None) -> None:
        if scale not in SCALES:
            raise ValidationError(f"规模只能是 small、county 或 large，不认识「{scale}」。", field="scale")
        self.ws = ws
        self.scale_name = scale
        self.scale = SCALES[scale]
        self.rng = random.Random(seed)
        self.seed = seed
        self.progress = progress or (lambda _stage, _done, _total: None)
        self.now = ws.now().replace(microsecond=0)
        self.used_phones: set[str] = set()
        self.used_ids: set[str] = set()
        self.tag = ws.device.tag
        self.stamp = _fmt(self.now)
        self.bulk = BulkStore(ws.db, self.tag)
        self.member_names: dict[int, str] = {}

    # ------------------------------------------------------------------ people
    def _name(self, sex: Sex) -> str:
        chars = words.MALE_CHARS if sex is Sex.MALE else words.FEMALE_CHARS
        given = self.rng.choice(chars) + (self.rng.choice(chars) if self.rng.random() < 0.8 else "")
        return self.rng.choice(words.SURNAMES) + given

    def _phone(self) -> str:
        while True:
            phone = self.rng.choice(words.MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if phone not in self.used_phones:
                self.used_phones.add(phone)
                return phone

    def _landline(self) -> str:
        return f"0316-{self.rng.choice('5678')}{self.rng.randrange(10**6):06d}"

    def _id_number(self, birth: date, sex: Sex) -> str:
        area = "132823" if birth.year < 1989 and self.rng.random() < 0.08 else "131024"
        while True:
            seq = self.rng.randrange(0, 1000)
            if (seq % 2 == 1) != (sex is Sex.MALE):
                seq = (seq + 1) % 1000
            body = f"{area}{birth:%Y%m%d}{seq:03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def _birth(self, elderly: bool) -> date:
        today = self.now.date()
        years = self.rng.randint(62, 96) if elderly else self.rng.randint(25, 75)
        return today - timedelta(days=years * 365 + self.rng.randrange(365))

    # ------------------------------------------------------------------ build
    def build(self) -> dict[str, int]:
        ws = self.ws
        if ws.requests.count_all() or ws.residents.count() or ws.members.count():
            raise ValidationError(
                "这个数据库里已经有数据了；演示数据只能写入新建的数据库。请换一个文件名。", field="db"
            )
        towns = ws.towns.all()
        if self.scale.towns is not None:
            towns = [t for t in towns if t.code == SMALL_TOWN_CODE][: self.scale.towns]
            with ws.atomic():
                ws.settings.set("town_code", towns[0].code)
                ws.devices.update(ws.device.id, town_id=towns[0].id, name=f"{towns[0].name}便民服务中心")
        villages = [v for t in towns for v in ws.villages.in_town(t.id, include_virtual=False)]
        with ws.atomic():
            ws.settings.set("operator", "演示文员")
            ws.settings.set("demo", {"scale": self.scale_name, "built_at": self.stamp})
            grids = self._grids(villages)
            members = self._members(towns, villages, grids)
        with ws.atomic():
            self.bulk.pause_change_log()
        self.bulk.fast_writes(True)
        try:
            with ws.atomic():
                residents = self._residents(villages, grids, members)
            counts = self._requests(villages, grids, members, residents)
            with ws.atomic():
                counts.update(
                    DemoVisits(self.bulk, self.now, self.scale_name, self.seed, self.tag, self.progress).build()
                )
        finally:
            self.progress("change log", 0, 1)
            with ws.atomic():
                self.bulk.log_unlogged_rows()
            self.bulk.fast_writes(False)
        with ws.atomic():
            first_village = villages[0]
            seed_demo_accounts(ws, first_village.town_id, first_village.id)
        with ws.atomic():
            # The last write of a build: a demo without this mark was interrupted (demo_file.py).
            ws.settings.set("demo", {"scale": self.scale_name, "built_at": self.stamp, "complete": True})
        return {
            "towns": len(towns),
            "villages": len(villages),
            "grids": sum(len(g) for g in grids.values()),
            "members": len(members),
            "residents": len(residents),
            **counts,
        }

    def _grids(self, villages: list[Village]) -> dict[int, list[int]]:
        """Spread the grids over the villages: two each, more for communities and large villages."""
        total = self.scale.grids if self.scale.towns is None else max(len(villages) * 2 + 10, 1)
        per_village = {v.id: 2 if v.kind is VillageKind.VILLAGE else 3 for v in villages}
        weights = [4 if v.kind is VillageKind.COMMUNITY else 1 for v in villages]
        while sum(per_village.values()) < total:
            per_village[self.rng.choices(villages, weights)[0].id] += 1
        grids: dict[int, list[int]] = {}
        for village in villages:
            ids = []
            for i in range(per_village[village.id]):
                numeral = CHINESE_NUMERALS[i] if i < 10 else str(i + 1)
                households = self.rng.randint(80, 260)
                ids.append(
                    self.ws.grids.add(
                        village.id,
                        f"第{numeral}网格",
                        number=f"{village.code}-{i + 1:02d}",
                        households=households,
                        population=int(households * self.rng.uniform(2.4, 3.2)),
                        party_group=f"第{numeral}网格党小组",
                    )
                )
            grids[village.id] = ids
        return grids

    def _add_member(
        self, town_id: int, village_id: int | None, role: MemberRole, kind: MemberKind, grid_ids: list[int]
    ) -> int:
        sex = Sex.MALE if self.rng.random() < 0.55 else Sex.FEMALE
        name = self._name(sex)
        row = {
            "name": name,
            "name_initials": name_initials(name),
            "name_pinyin": name_pinyin(name),
            "phone": self._phone(),
            "town_id": town_id,
            "village_id": village_id,
            "kind": kind.value,
            "role": role.value,
            "is_party": int(
                role in (MemberRole.HELPER, MemberRole.VILLAGE_CADRE, MemberRole.TOWN_CADRE)
                or self.rng.random() < 0.4
            ),
            "id_number": None,
            "active": 1,
        }
        return self.ws.members.add(row, grid_ids)

    def _members(self, towns: list[Any], villages: list[Village], grids: dict[int, list[int]]) -> list[int]:
        members: list[int] = []
        for village in villages:
            village_grids = grids[village.id]
            head = self._add_member(
                village.town_id, village.id, MemberRole.GRID_HEAD, MemberKind.PART_TIME, village_grids
            )
            members.append(head)
            for grid_id in village_grids:
                kind = MemberKind.FULL_TIME if self.rng.random() < 0.3 else MemberKind.PART_TIME
                member = self._add_member(village.town_id, village.id, MemberRole.MEMBER, kind, [grid_id])
                self.ws.grids.update(grid_id, default_member_id=member)
                members.append(member)
            if self.rng.random() < 0.5:
                members.append(
                    self._add_member(
                        village.town_id, village.id, MemberRole.VILLAGE_CADRE, MemberKind.PART_TIME, []
                    )
                )
            if self.rng.random() < 0.3:
                helper_grid = self.rng.choice(village_grids)
                members.append(
                    self._add_member(
                        village.town_id, village.id, MemberRole.HELPER, MemberKind.PART_TIME, [helper_grid]
                    )
                )
        for town in towns:
            for _ in range(6):
                members.append(
                    self._add_member(town.id, None, MemberRole.TOWN_CADRE, MemberKind.FULL_TIME, [])
                )
        # A few members have left; their old requests keep their names.
        for member_id in self.rng.sample(members, k=max(1, len(members) // 60)):
            self.ws.members.update(member_id, {"active": 0})
        return members

    def _residents(
        self, villages: list[Village], grids: dict[int, list[int]], members: list[int]
    ) -> list[_Person]:
        people: list[_Person] = []
        tags = list(CareTag)
        tag_weights = [18, 30, 12, 16, 10, 10, 6, 3]
        helpers = members[:]
        rows = []
        for index in range(self.scale.residents):
            village = villages[index % len(villages)] if index < len(villages) else self.rng.choice(villages)
            elderly = self.rng.random() < 0.8
            sex = Sex.MALE if self.rng.random() < 0.45 else Sex.FEMALE
            birth = self._birth(elderly)
            name = self._name(sex)
            has_id = self.rng.random() < 0.93
            id_number = self._id_number(birth, sex) if has_id else None
            grid_id = self.rng.choice(grids[village.id])
            care = set(self.rng.choices(tags, tag_weights, k=self.rng.choice((1, 1, 2))))
            if not elderly:
                care -= {CareTag.CHILDLESS_ELDERLY, CareTag.ELDERLY_ALONE}
                care.add(
                    self.rng.choice((CareTag.SERIOUSLY_ILL, CareTag.DISABLED, CareTag.MOBILITY_IMPAIRED))
                )
            living = (
                Living.ALONE
                if CareTag.ELDERLY_ALONE in care or CareTag.CHILDLESS_ELDERLY in care
                else self.rng.choice((Living.WITH_SPOUSE, Living.WITH_CHILDREN, Living.ALONE, Living.OTHER))
            )
            phone = (
                self._phone()
                if self.rng.random() < 0.7
                else (self._landline() if self.rng.random() < 0.5 else "")
            )
            emergency = (
                self.rng.choice(words.SURNAMES) + self.rng.choice(words.MALE_CHARS + words.FEMALE_CHARS) * 1
            )
            rows.append(
                {
                    "name": name,
                    "name_initials": name_initials(name),
                    "name_pinyin": name_pinyin(name),
                    "id_number": id_number,
                    "sex": sex.value,
                    "birth_date": birth.isoformat(),
                    "phone": phone,
                    "phone_rev": reverse_digits(phone),
                    "town_id": village.town_id,
                    "village_id": village.id,
                    "grid_id": grid_id,
                    "care_tags": tags_text(sorted(care, key=tags.index)),
                    "living": living.value,
                    "address": f"{village.short_name}{self.rng.choice(words.STREETS)}{self.rng.randint(1, 180)}号",
                    "emergency_name": emergency
                    if living is not Living.WITH_CHILDREN
                    else name[0] + self.rng.choice(words.MALE_CHARS),
                    "emergency_phone": self._phone(),
                    "linked_member_id": self.rng.choice(helpers) if self.rng.random() < 0.3 else None,
                    "note": "",
                    "uuid": _uuid(self.rng),
                    "created_at": self.stamp,
                    "updated_at": self.stamp,
                    "device_id": self.tag,
                }
            )
            if len(rows) >= 5000:
                self._flush_residents(rows, people)
            if (len(people) + len(rows)) % 500 == 0:
                self.progress("residents", len(people) + len(rows), self.scale.residents)
        self._flush_residents(rows, people)
        return people

    def _flush_residents(self, rows: list[dict[str, Any]], people: list[_Person]) -> None:
        if not rows:
            return
        first = self.bulk.next_resident_id()
        self.bulk.insert_residents(rows)
        for offset, row in enumerate(rows):
            people.append(
                _Person(
                    first + offset,
                    row["name"],
                    row["phone"],
                    row["id_number"],
                    row["village_id"],
                    row["grid_id"],
                )
            )
        rows.clear()

    # ------------------------------------------------------------------ requests
    def _requests(
        self,
        villages: list[Village],
        grids: dict[int, list[int]],
        members: list[int],
        residents: list[_Person],
    ) -> dict[str, int]:
        ws = self.ws
        rng = self.rng
        rules = ws.due_rules()
        categories = {i.code: i.group_code for i in ws.lookups.all("category")}
        by_group: dict[str, list[str]] = {}
        for code, group in categories.items():
            by_group.setdefault(group, []).append(code)
        town_codes = {t.id: t.code for t in ws.towns.all()}
        default_member = {g.id: g.default_member_id for v in villages for g in ws.grids.in_village(v.id)}
        member_rows = self.bulk.member_activity()
        self.member_names = self.bulk.member_names()
        active_by_town: dict[int, list[int]] = {}
        active = set()
        for member_id, is_active, town_id in member_rows:
            if is_active:
                active.add(member_id)
                active_by_town.setdefault(town_id, []).append(member_id)
        residents_by_village: dict[int, list[_Person]] = {}
        for resident in residents:
            residents_by_village.setdefault(resident.village_id, []).append(resident)
        village_weights = [3 if v.kind is VillageKind.COMMUNITY else 1 for v in villages]
        channels = [c for c, _ in words.CHANNEL_WEIGHTS]
        channel_weights = [w for _, w in words.CHANNEL_WEIGHTS]
        start = (self.now - timedelta(days=30 * self.scale.months)).replace(hour=0, minute=0, second=0)
        span = (self.now - start).total_seconds()
        # Received times in order, so that sequences follow the calendar like a real desk's.
        times = sorted(self._received_time(start, span) for _ in range(self.scale.requests))
        sequences: dict[str, int] = {}
        request_rows: list[tuple[Any, ...]] = []
        event_rows: list[tuple[Any, ...]] = []
        next_id = 1
        counts = {s.value: 0 for s in Status}
        indexes = self._drop_indexes()
        try:
            for received in times:
                village = rng.choices(villages, village_weights)[0]
                group = rng.choices(("agent", "home", "governance"), (45, 35, 20))[0]
                category = rng.choice(by_group[group])
                urgency = Urgency.URGENT if rng.random() < 0.07 else Urgency.NORMAL
                people = residents_by_village.get(village.id) or []
                person: _Person | None = (
                    rng.choice(people) if people and (group != "governance" or rng.random() < 0.3) else None
                )
                grid_id = person.grid_id if person and person.grid_id else rng.choice(grids[village.id])
                handler = default_member.get(grid_id)
                if handler not in active:
                    handler = rng.choice(active_by_town[village.town_id])
                due = duetime.due_at(received, urgency, group, rules)
                period = f"{received.year % 100:02d}{received.month:02d}"
                sequences[period] = sequences.get(period, 0) + 1
                number = format_number(town_codes[village.town_id], self.tag, received, sequences[period])
                if person is not None:
                    pname, pphone, pid = person.name, person.phone, person.id_number
                else:
                    pname, pphone, pid = (
                        self._name(Sex.MALE if rng.random() < 0.5 else Sex.FEMALE),
                        self._phone(),
                        None,
                    )
                text = rng.choice(words.REQUEST_TEXTS[category]).format(
                    name=pname, village=village.short_name
                )
                row, events = self._history(
                    next_id, received, due, urgency, group, handler, active_by_town[village.town_id]
                )
                counts[row["status"]] += 1
                request_rows.append(
                    (
                        next_id,
                        number,
                        None,
                        _fmt(received),
                        rng.choices(channels, channel_weights)[0],
                        category,
                        urgency.value,
                        text,
                        village.town_id,
                        village.id,
                        grid_id,
                        person.id if person else None,
                        pname,
                        name_initials(pname),
                        pphone,
                        reverse_digits(pphone),
                        pid,
                        row["handler_id"],
                        row["status"],
                        _fmt(due),
                        row["dispatched_at"],
                        row["started_at"],
                        row["completed_at"],
                        row["method"],
                        row["result"],
                        row["feedback_at"],
                        row["feedback_route"],
                        row["satisfaction"],
                        row["feedback_by"],
                        row["cancelled_at"],
                        row["escalations"],
                        row["printed_at"],
                        "演示文员",
                        _uuid(self.rng),
                        _fmt(received),
                        row["updated_at"],
                        self.tag,
                    )
                )
                event_rows.extend(events)
                next_id += 1
                if len(request_rows) >= 20000:
                    self._flush_requests(request_rows, event_rows)
                if (next_id - 1) % 500 == 0:
                    # Often enough for a moving progress bar and a prompt 「取消」 in the desk.
                    self.progress("requests", next_id - 1, self.scale.requests)
            self._flush_requests(request_rows, event_rows)
            with ws.atomic():
                for period, last in sequences.items():
                    self.bulk.raise_sequence(self.tag, period, last)
        finally:
            self.progress("indexes", 0, 1)
            self._restore_indexes(indexes)
        self.bulk.analyze()
        return {"requests": next_id - 1, **{f"status_{k}": v for k, v in counts.items()}}

    def _received_time(self, start: datetime, span: float) -> datetime:
        """Mostly office hours on working days; fewer at weekends and holidays."""
        rng = self.rng
        while True:
            moment = start + timedelta(seconds=rng.random() * span)
            workday = duetime.is_workday(moment.date())
            if not workday and rng.random() < 0.7:
                continue
            hour = rng.choices(
                range(24), [0, 0, 0, 0, 0, 0, 1, 3, 9, 10, 9, 7, 3, 5, 8, 9, 8, 6, 3, 2, 1, 1, 0, 0]
            )[0]
            moment = moment.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))
            if moment < self.now - timedelta(minutes=5):
                return moment

    def _history(
        self,
        request_id: int,
        received: datetime,
        due: datetime,
        urgency: Urgency,
        group: str,
        handler: int,
        town_members: list[int],
    ) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
        """A plausible life for one request, cut off at now, through the real state machine."""
        rng = self.rng
        now = self.now
        events: list[tuple[Any, ...]] = []
        row: dict[str, Any] = {
            "status": Status.RECEIVED.value,
            "handler_id": None,
            "dispatched_at": None,
            "started_at": None,
            "completed_at": None,
            "method": None,
            "result": "",
            "feedback_at": None,
            "feedback_route": None,
            "satisfaction": None,
            "feedback_by": "",
            "cancelled_at": None,
            "escalations": 0,
            "printed_at": None,
            "updated_at": _fmt(received),
        }
        status = Status.RECEIVED
        satisfaction: str | None = None

        def emit(action: Action, at: datetime, note: str = "", data: dict[str, Any] | None = None) -> bool:
            nonlocal status
            if at > now:
                return False
            if action is Action.RECEIVE:
                target = Status.RECEIVED
            else:
                target = next_status(action, status, None if satisfaction is None else _sat(satisfaction))
            events.append(
                (
                    _uuid(self.rng),
                    request_id,
                    action.value,
                    status.value if action is not Action.RECEIVE else None,
                    target.value,
                    _fmt(at),
                    "演示文员"
                    if action
                    in (
                        Action.RECEIVE,
                        Action.DISPATCH,
                        Action.FOLLOW_UP,
                        Action.CANCEL,
                        Action.ESCALATE,
                        Action.PRINT,
                        Action.REOPEN,
                    )
                    # The handler records starting, completing and returning under their own name.
                    else self.member_names.get(row["handler_id"] or 0, "网格员"),
                    note,
                    json.dumps(data or {}, ensure_ascii=False, sort_keys=True),
                    self.tag,
                    _fmt(at),
                )
            )
            status = target
            row["status"] = target.value
            row["updated_at"] = _fmt(at)
            return True

        emit(Action.RECEIVE, received)
        allowed = due - received
        # Some requests stall: the newest wait in the queue, a few older ones are stuck (overdue).
        age_days = (now - received).total_seconds() / 86400
        stall_p = 0.45 if age_days < 2 else 0.03 if age_days < 40 else 0.0
        stall = rng.choice(("received", "dispatched", "in_progress")) if rng.random() < stall_p else None
        t = received + timedelta(
            minutes=rng.randint(5, 30) if urgency is Urgency.URGENT else rng.randint(10, 240)
        )
        if rng.random() < 0.015:
            emit(Action.CANCEL, t, rng.choice(words.CANCEL_REASONS))
            row["cancelled_at"] = _fmt(t) if status is Status.CANCELLED else None
            return row, events
        if stall == "received" or not emit(Action.DISPATCH, t, data={"handler_id": handler}):
            return row, events
        row.update(row_effect(Action.DISPATCH, _fmt(t), handler_id=handler))
        if rng.random() < 0.8:
            t2 = t + timedelta(minutes=rng.randint(5, 90))
            if emit(Action.PRINT, t2):
                row.update(row_effect(Action.PRINT, _fmt(t2)))
                t = t2
        if rng.random() < 0.03:
            t += timedelta(hours=rng.uniform(0.5, 4))
            if not emit(Action.RETURN, t, rng.choice(words.RETURN_REASONS)):
                return row, events
            row.update(row_effect(Action.RETURN, _fmt(t)))
            other = rng.choice(town_members)
            t += timedelta(minutes=rng.randint(10, 120))
            if not emit(Action.DISPATCH, t, data={"handler_id": other, "previous_handler_id": handler}):
                return row, events
            row.update(row_effect(Action.DISPATCH, _fmt(t), handler_id=other))
        late = rng.random() < 0.05
        fraction = rng.uniform(1.05, 2.5) if late else rng.uniform(0.1, 0.9)
        done_at = received + allowed * fraction
        if done_at <= t:
            done_at = t + timedelta(minutes=rng.randint(10, 60))
        start_at = t + (done_at - t) * rng.uniform(0.05, 0.4)
        if stall == "dispatched":
            return row, events
        if emit(Action.START, start_at):
            row.update(row_effect(Action.START, _fmt(start_at)))
        else:
            return row, events
        if late and due < now and rng.random() < 0.6:
            esc = due + timedelta(hours=rng.uniform(0.5, 6))
            if esc < done_at and emit(Action.ESCALATE, esc, rng.choice(words.ESCALATE_NOTES)):
                row["escalations"] += 1
        if stall == "in_progress":
            return row, events
        for attempt in range(2):
            method = _weighted(rng, words.METHODS_BY_GROUP[group])
            result = rng.choice(words.RESULT_TEXTS[method])
            if not emit(Action.COMPLETE, done_at, data={"method": method, "result": result}):
                return row, events
            row.update(row_effect(Action.COMPLETE, _fmt(done_at), method=method, result=result))
            feedback_at = done_at + timedelta(hours=rng.uniform(2, 72))
            roll = rng.random()
            rating = "satisfied" if roll < 0.92 else "basically_satisfied" if roll < 0.975 else "unsatisfied"
            route = "phone" if rng.random() < 0.75 else "in_person"
            if not emit(
                Action.FOLLOW_UP, feedback_at, data={"route": route, "satisfaction": rating, "by": "演示文员"}
            ):
                return row, events
            satisfaction = rating
            row.update(
                row_effect(Action.FOLLOW_UP, _fmt(feedback_at), route=route, satisfaction=rating, by="演示文员")
            )
            if rating != "unsatisfied" or attempt == 1 or rng.random() < 0.4:
                return row, events
            reopen_at = feedback_at + timedelta(hours=rng.uniform(1, 24))
            if not emit(
                Action.REOPEN, reopen_at, rng.choice(words.REOPEN_REASONS), {"previous_satisfaction": rating}
            ):
                return row, events
            satisfaction = None
            row.update(row_effect(Action.REOPEN, _fmt(reopen_at)))
            done_at = reopen_at + timedelta(hours=rng.uniform(2, 48))
        return row, events

    def _flush_requests(self, request_rows: list[tuple[Any, ...]], event_rows: list[tuple[Any, ...]]) -> None:
        if not request_rows:
            return
        with self.ws.atomic():
            self.bulk.insert_requests(request_rows)
            self.bulk.insert_events(event_rows)
        request_rows.clear()
        event_rows.clear()

    def _drop_indexes(self) -> list[str]:
        """Bulk loads are several times faster with the request indexes built afterwards."""
        if self.scale.requests < 50_000:
            return []
        with self.ws.atomic():
            return self.bulk.drop_request_indexes()

    def _restore_indexes(self, statements: list[str]) -> None:
        if statements:
            with self.ws.atomic():
                self.bulk.create_indexes(statements)


def _weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([o for o, _ in options], [w for _, w in options])[0]


def _sat(value: str) -> Any:
    from xianghe_desk.domain.enums import Satisfaction

    return Satisfaction(value)


def build_demo(
    ws: Workspace, scale: str = "county", seed: int = 1, progress: Progress | None = None
) -> dict[str, int]:
    """Fill an empty database with the demo county; returns what was made."""
    return DemoBuilder(ws, scale, seed, progress).build()
