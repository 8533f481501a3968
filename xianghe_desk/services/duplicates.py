"""The same person entered twice (on two laptops, from a sheet, by hand): found, shown, merged.

The same ID number is the same person: exchange packages merge such records by themselves
(store/sync_apply.py). Without an ID number, a match on name + birth date + village, or a very
close one (a typo of one character, or a name that sounds the same: 张丽 / 章莉), is only
*likely*: the clerk sees both records side by side and decides.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import combinations

from xianghe_desk.domain.errors import NotFoundError, ValidationError
from xianghe_desk.domain.models import Resident
from xianghe_desk.domain.pinyin import name_pinyin
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.base import d_text
from xianghe_desk.store.duplicates import DuplicateStore, PersonKey
from xianghe_desk.store.people import tags_text

SAME_ID = "身份证号相同"
SAME_NAME = "姓名、出生日期、村街都相同"
SAME_NAME_NO_BIRTH = "同村同名（有一条没填出生日期）"
SAME_SOUND = "姓名读音相同（可能是同音字）"
ONE_CHAR = "姓名只差一个字（可能是录错了）"

# Fields a merge fills in on the kept record when it has them blank.
_FILLABLE = (
    "id_number", "sex", "birth_date", "phone", "grid_id", "care_tags", "living", "address", "emergency_name",
    "emergency_phone", "linked_member_id", "note",
)  # fmt: skip


@dataclass(frozen=True)
class DuplicateMatch:
    """An existing resident who may be the person being entered."""

    resident: Resident
    reason: str
    certain: bool  # the same ID number: certainly the same person


@dataclass(frozen=True)
class DuplicatePair:
    """Two records the clerk should look at side by side."""

    left: Resident
    right: Resident
    reason: str


def _one_char_apart(a: str, b: str) -> bool:
    """Equal length and one differing character, or one character more or less."""
    if a == b or abs(len(a) - len(b)) > 1 or min(len(a), len(b)) < 2:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _reason(a: PersonKey, b: PersonKey) -> str | None:
    """Why two people of one village may be one person (None: they are not alike)."""
    if a.id_number and b.id_number:
        return SAME_ID if a.id_number == b.id_number else None
    births_differ = a.birth_date and b.birth_date and a.birth_date != b.birth_date
    if births_differ:
        return None
    same_birth = bool(a.birth_date and a.birth_date == b.birth_date)
    if a.name == b.name:
        return SAME_NAME if same_birth else SAME_NAME_NO_BIRTH
    if a.name_pinyin and a.name_pinyin == b.name_pinyin:
        return SAME_SOUND
    if same_birth and _one_char_apart(a.name, b.name):
        return ONE_CHAR
    return None


def _key(name: str, village_id: int, birth_date: date | None, id_number: str | None) -> PersonKey:
    """The person being entered, in the form the stored residents are compared in."""
    name = name.strip()
    number = (id_number or "").strip().upper() or None
    return PersonKey(0, "", village_id, name, _pinyin(name),
                     birth_date.isoformat() if birth_date else None, number)  # fmt: skip


@lru_cache(maxsize=65536)
def _pinyin(name: str) -> str:
    return name_pinyin(name)


class _Village:
    """One village's residents, grouped so that a check compares only the few who can match:
    the same name, the same name sound, or the same birth date (for a one-character typo)."""

    def __init__(self, people: list[PersonKey]) -> None:
        self.groups: dict[tuple[str, str], list[PersonKey]] = defaultdict(list)
        for person in people:
            self.groups[("name", person.name)].append(person)
            if person.name_pinyin:
                self.groups[("sound", person.name_pinyin)].append(person)
            if person.birth_date:
                self.groups[("birth", person.birth_date)].append(person)

    def candidates(self, wanted: PersonKey) -> list[PersonKey]:
        keys = [("name", wanted.name), ("sound", wanted.name_pinyin)]
        if wanted.birth_date:
            keys.append(("birth", wanted.birth_date))
        found: dict[int, PersonKey] = {}
        for key in keys:
            for person in self.groups.get(key, ()):
                found.setdefault(person.id, person)
        return [found[i] for i in sorted(found)]


class DuplicateFinder:
    """The likely-duplicate check (see :func:`likely_duplicates`) with each village's residents
    read once: for many checks in a row, e.g. every row of a spreadsheet import. It sees the
    database as it was when a village was first asked about."""

    def __init__(self, ws: Workspace) -> None:
        self.store = DuplicateStore(ws.db)
        self._villages: dict[int, _Village] = {}

    def alike(
        self,
        name: str,
        village_id: int,
        birth_date: date | None = None,
        id_number: str | None = None,
        exclude_id: int | None = None,
    ) -> list[tuple[PersonKey, str]]:
        """Residents of the village who may be this person, with the reason, in the order they
        were entered. Someone with the same ID number is not among them: that is certain, not likely."""
        village = self._villages.get(village_id)
        if village is None:
            village = self._villages[village_id] = _Village(self.store.people(village_id))
        if not village.groups:
            return []  # nobody there yet (a town's first import): nobody to be alike
        wanted = _key(name, village_id, birth_date, id_number)
        found = []
        for person in village.candidates(wanted):
            if person.id == exclude_id:
                continue
            reason = _reason(wanted, person)
            if reason is not None and reason != SAME_ID:
                found.append((person, reason))
        return found


def likely_duplicates(
    ws: Workspace,
    name: str,
    village_id: int,
    birth_date: date | None = None,
    id_number: str | None = None,
    exclude_id: int | None = None,
) -> list[DuplicateMatch]:
    """Residents who may be the person described: the one check for a hand-entered resident,
    for each spreadsheet row (through :class:`DuplicateFinder`) and for the exchange desk.
    Certain matches (same ID number) come first."""
    matches: list[DuplicateMatch] = []
    if id_number:
        same = ws.residents.by_id_number(id_number.strip().upper())
        if same is not None and same.id != exclude_id:
            matches.append(DuplicateMatch(same, SAME_ID, True))
    seen = {m.resident.id for m in matches}
    for person, reason in DuplicateFinder(ws).alike(name, village_id, birth_date, id_number, exclude_id):
        if person.id in seen:
            continue
        resident = ws.residents.get(person.id)
        if resident is not None:
            matches.append(DuplicateMatch(resident, reason, False))
    return matches


class DuplicateService:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.store = DuplicateStore(ws.db, ws.device.tag)

    def pairs(self, limit: int = 200) -> list[DuplicatePair]:
        """Likely duplicates in the whole database (the clerk's list after an exchange or import)."""
        dismissed = self.store.dismissed()
        by_village: dict[int, list[PersonKey]] = defaultdict(list)
        for person in self.store.people():
            by_village[person.village_id].append(person)
        found: list[tuple[PersonKey, PersonKey, str]] = []
        for people in by_village.values():
            # Compare only within small groups: same name sound, or same birth date (for typos).
            groups: dict[object, list[PersonKey]] = defaultdict(list)
            for person in people:
                groups[("sound", person.name_pinyin)].append(person)
                if person.birth_date:
                    groups[("birth", person.birth_date)].append(person)
            pairs_here: set[tuple[int, int]] = set()
            for members in groups.values():
                for a, b in combinations(members, 2):
                    key = (min(a.id, b.id), max(a.id, b.id))
                    if key in pairs_here or tuple(sorted((a.uuid, b.uuid))) in dismissed:
                        continue
                    reason = _reason(a, b)
                    if reason is not None:
                        pairs_here.add(key)
                        found.append((a, b, reason))
        found.sort(key=lambda item: (item[2] != SAME_ID, item[0].village_id, item[0].id))
        result: list[DuplicatePair] = []
        for a, b, reason in found[:limit]:
            left, right = self.ws.residents.get(a.id), self.ws.residents.get(b.id)
            if left is not None and right is not None:
                result.append(DuplicatePair(left, right, reason))
        return result

    def merge(self, keep_id: int, drop_id: int) -> Resident:
        """One person: ``drop`` becomes a tombstone, its requests move to ``keep``, and fields
        ``keep`` left blank are filled from ``drop``. All in one transaction; the changes travel."""
        if keep_id == drop_id:
            raise ValidationError("请选择两条不同的记录来合并。", field="resident")
        keep, drop = self.ws.residents.get(keep_id), self.ws.residents.get(drop_id)
        if keep is None or drop is None:
            raise NotFoundError("要合并的服务对象已不存在，请刷新列表。", field="resident")
        if keep.id_number and drop.id_number and keep.id_number != drop.id_number:
            raise ValidationError(
                f"两条记录的身份证号不同（{keep.id_number[-4:]} 与 {drop.id_number[-4:]} 结尾），不是同一个人，不能合并。",
                field="resident",
            )
        fill = {}
        for field in _FILLABLE:
            mine, theirs = getattr(keep, field), getattr(drop, field)
            if mine in (None, "", ()) and theirs not in (None, "", ()):
                fill[field] = theirs
        with self.ws.atomic():
            self.store.repoint_requests(drop.id, keep.id)
            self.store.retire(drop.id)
            if fill:
                self.ws.residents.update(keep.id, _row_values(fill))
            self.store.dismiss(keep.uuid, drop.uuid)
        merged = self.ws.residents.get(keep.id)
        assert merged is not None
        return merged

    def dismiss(self, left_id: int, right_id: int) -> None:
        """「不是同一人」: the pair is not offered again."""
        left, right = self.ws.residents.get(left_id), self.ws.residents.get(right_id)
        if left is None or right is None:
            raise NotFoundError("服务对象已不存在，请刷新列表。", field="resident")
        with self.ws.atomic():
            self.store.dismiss(left.uuid, right.uuid)


def _row_values(fields: dict[str, object]) -> dict[str, object]:
    """Domain values as the residents table stores them."""
    row: dict[str, object] = {}
    for field, value in fields.items():
        if field == "care_tags":
            row[field] = tags_text(value)  # type: ignore[arg-type]
        elif field == "birth_date":
            row[field] = d_text(value)  # type: ignore[arg-type]
        elif field in ("sex", "living"):
            row[field] = getattr(value, "value", value)
        else:
            row[field] = value
    return row
