"""A realistic demo county: the real towns and villages, invented grids, people and a year of requests.

Rows are written in bulk through the stores (one transaction per table group) rather than one
service call per request, so that the ``large`` scale (100,000 residents, 1,000,000 requests)
finishes in minutes. The histories follow the same state machine the services enforce, and
``check`` verifies the result.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from typing import Any

from stdnum.cn import ric

from xianghe_desk.domain.enums import (
    CareTag,
    Living,
    MemberKind,
    MemberRole,
    Sex,
    Status,
    VillageKind,
)
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.models import Village
from xianghe_desk.services import demo_data as words
from xianghe_desk.services.accounts import seed_demo_accounts
from xianghe_desk.services.demo_requests import DemoRequests, Person, fmt_time, name_initials, name_pinyin
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


RESIDENT_BATCH = 5000


_CARE_TAGS = list(CareTag)
_CARE_CUM = list(accumulate([18, 30, 12, 16, 10, 10, 6, 3]))


class DemoBuilder(DemoRequests):
    def __init__(
        self,
        ws: Workspace,
        scale: str,
        seed: int = 1,
        progress: Progress | None = None,
        *,
        owns_file: bool = False,
    ) -> None:
        """``owns_file``: the database is a new file that is thrown away if the build fails
        (services/demo_file.py), so it may be loaded without a journal."""
        if scale not in SCALES:
            raise ValidationError(f"规模只能是 small、county 或 large，不认识「{scale}」。", field="scale")
        self.ws = ws
        self.scale_name = scale
        self.scale = SCALES[scale]
        self.request_count = self.scale.requests
        self.months = self.scale.months
        self.rng = random.Random(seed)
        self.seed = seed
        self.progress = progress or (lambda _stage, _done, _total: None)
        self.now = ws.now().replace(microsecond=0)
        self.used_phones: set[str] = set()
        self.used_ids: set[str] = set()
        self.tag = ws.device.tag
        self.stamp = fmt_time(self.now)
        self.bulk = BulkStore(ws.db, self.tag)
        # Every uuid the build makes, in the order the rows are written (see OrderedUuids).
        self.uuids = words.OrderedUuids(self.now)
        self.member_names: dict[int, str] = {}
        self.owns_file = owns_file
        # Residents with a request (the care visits, demo_visits.py, let only others die or move).
        self.requested: set[int] = set()
        # JSON of an event's data, by its (key, value) pairs: a few thousand different ones.
        self._data_json: dict[tuple[tuple[str, Any], ...], str] = {}
        # (action, status, satisfaction) → the status the state machine leads to.
        self._transitions: dict[tuple[str, str, str | None], Status] = {}

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
        with ws.atomic():
            # Before the bulk load: hashing a password takes 64 MB for a moment, which should not
            # come on top of the full page cache at the end.
            first_village = villages[0]
            seed_demo_accounts(ws, first_village.town_id, first_village.id)
        self.bulk.fast_writes(True, unjournalled=self.owns_file)
        try:
            with ws.atomic():
                residents = self._residents(villages, grids, members)
            self.used_ids.clear()  # only residents have ID numbers
            resident_count = len(residents)
            counts = self._requests(villages, grids, members, residents)
            with ws.atomic():
                counts.update(
                    DemoVisits(
                        self.bulk,
                        self.now,
                        self.scale_name,
                        self.seed,
                        self.tag,
                        self.progress,
                        self.requested,
                        self.uuids,
                    ).build()
                )
        finally:
            self.progress("change log", 0, 1)
            with ws.atomic():
                self.bulk.log_unlogged_rows()
            self.bulk.fast_writes(False)
        with ws.atomic():
            # The last write of a build: a demo without this mark was interrupted (demo_file.py).
            ws.settings.set("demo", {"scale": self.scale_name, "built_at": self.stamp, "complete": True})
        return {
            "towns": len(towns),
            "villages": len(villages),
            "grids": sum(len(g) for g in grids.values()),
            "members": len(members),
            "residents": resident_count,
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
    ) -> list[Person]:
        """The residents, written in batches as they are made (the same draws, in the same order,
        as one row at a time)."""
        rng = self.rng
        people: list[Person] = []
        tags = _CARE_TAGS
        helpers = members[:]
        rows: list[tuple[Any, ...]] = []
        next_id = self.bulk.next_resident_id()
        emergency_chars = words.MALE_CHARS + words.FEMALE_CHARS
        for index in range(self.scale.residents):
            village = villages[index % len(villages)] if index < len(villages) else rng.choice(villages)
            elderly = rng.random() < 0.8
            sex = Sex.MALE if rng.random() < 0.45 else Sex.FEMALE
            birth = self._birth(elderly)
            name = self._name(sex)
            has_id = rng.random() < 0.93
            id_number = self._id_number(birth, sex) if has_id else None
            grid_id = rng.choice(grids[village.id])
            care = set(rng.choices(tags, cum_weights=_CARE_CUM, k=rng.choice((1, 1, 2))))
            if not elderly:
                care -= {CareTag.CHILDLESS_ELDERLY, CareTag.ELDERLY_ALONE}
                care.add(rng.choice((CareTag.SERIOUSLY_ILL, CareTag.DISABLED, CareTag.MOBILITY_IMPAIRED)))
            living = (
                Living.ALONE
                if CareTag.ELDERLY_ALONE in care or CareTag.CHILDLESS_ELDERLY in care
                else rng.choice((Living.WITH_SPOUSE, Living.WITH_CHILDREN, Living.ALONE, Living.OTHER))
            )
            phone = self._phone() if rng.random() < 0.7 else (self._landline() if rng.random() < 0.5 else "")
            emergency = rng.choice(words.SURNAMES) + rng.choice(emergency_chars)
            initials = name_initials(name)
            phone_rev = reverse_digits(phone)
            # In the order of RESIDENT_COLUMNS; the draws below happen in this order too.
            rows.append(
                (
                    next_id,
                    name,
                    initials,
                    name_pinyin(name),
                    id_number,
                    sex.value,
                    birth.isoformat(),
                    phone,
                    phone_rev,
                    village.town_id,
                    village.id,
                    grid_id,
                    tags_text(sorted(care, key=tags.index)),
                    living.value,
                    f"{village.short_name}{rng.choice(words.STREETS)}{rng.randint(1, 180)}号",
                    emergency
                    if living is not Living.WITH_CHILDREN
                    else name[0] + rng.choice(words.MALE_CHARS),
                    self._phone(),
                    rng.choice(helpers) if rng.random() < 0.3 else None,
                    "",
                    self.uuids.make(rng),
                    self.stamp,
                    self.stamp,
                    self.tag,
                )
            )
            people.append(Person(next_id, name, phone, id_number, village.id, grid_id, initials, phone_rev))
            next_id += 1
            if len(rows) >= RESIDENT_BATCH:
                self.bulk.insert_residents(rows)
                rows.clear()
            if len(people) % 500 == 0:
                self.progress("residents", len(people), self.scale.residents)
        self.bulk.insert_residents(rows)
        return people


def build_demo(
    ws: Workspace,
    scale: str = "county",
    seed: int = 1,
    progress: Progress | None = None,
    *,
    owns_file: bool = False,
) -> dict[str, int]:
    """Fill an empty database with the demo county; returns what was made.

    ``owns_file``: the database is a new file thrown away if the build fails (services/demo_file.py).
    """
    return DemoBuilder(ws, scale, seed, progress, owns_file=owns_file).build()
