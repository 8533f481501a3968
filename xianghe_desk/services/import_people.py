"""Importing grid members (网格员) and residents (服务对象) from a spreadsheet.

A member is the same as one in the database when town and mobile number match. A resident is
the same person when the ID number matches; without an ID number, when name + village + birth
date match (contract §2). Empty cells never clear what the database already holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from xianghe_desk.domain.access import mask_id_number, mask_phone
from xianghe_desk.domain.drafts import MemberDraft, ResidentValues, clean_member, clean_resident_values
from xianghe_desk.domain.enums import CareTag, Living, MemberKind, MemberRole, Sex
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.models import Village
from xianghe_desk.services.duplicates import DuplicateFinder
from xianghe_desk.services.import_rows import (
    Cells,
    ImportContext,
    PlannedRow,
    Planner,
    RowAction,
    change_labels,
    field_changes,
    out_of_scope,
    read_place,
)
from xianghe_desk.services.import_values import cached_pinyin, label_map
from xianghe_desk.store.base import d_text
from xianghe_desk.store.imports import ImportStore
from xianghe_desk.store.people import tags_text as _tags_text

MEMBER_LABELS = {
    "name": "姓名",
    "village_id": "所属村街",
    "kind": "类型",
    "role": "身份",
    "is_party": "是否党员",
    "id_number": "身份证号",
    "active": "在岗",
    "grid_ids": "负责网格",
}
MEMBER_FIELDS = {"name": "姓名", "phone": "手机号", "id_number": "身份证号"}

RESIDENT_LABELS = {
    "name": "姓名",
    "town_id": "所属镇",
    "village_id": "所属村街",
    "id_number": "身份证号",
    "sex": "性别",
    "birth_date": "出生日期",
    "phone": "联系电话",
    "grid_id": "所属网格",
    "care_tags": "服务类别",
    "living": "居住情况",
    "address": "居住地址",
    "emergency_name": "紧急联系人",
    "emergency_phone": "紧急联系电话",
    "linked_member_id": "联系党员",
    "note": "备注",
}


MAX_ALIKE = 3  # likely duplicates named per row


@lru_cache(maxsize=256)
def tags_text(tags: tuple[CareTag, ...]) -> str:
    return _tags_text(tags)


_ROLE_ALIASES = {
    "网格长": MemberRole.GRID_HEAD,
    "专职网格员": MemberRole.MEMBER,
    "兼职网格员": MemberRole.MEMBER,
}
_KIND_ALIASES = {"专职网格员": MemberKind.FULL_TIME, "兼职网格员": MemberKind.PART_TIME}
_SEX_ALIASES = {"男性": Sex.MALE, "女性": Sex.FEMALE}
_LIVING_ALIASES = {
    "独自居住": Living.ALONE,
    "与配偶居住": Living.WITH_SPOUSE,
    "与子女居住": Living.WITH_CHILDREN,
}
_TAG_ALIASES = {"孤寡": CareTag.CHILDLESS_ELDERLY, "独居": CareTag.ELDERLY_ALONE, "残疾": CareTag.DISABLED}


@dataclass(frozen=True, slots=True)
class _Write:
    record_id: int | None  # None: a new record
    fields: dict[str, Any]
    grid_ids: tuple[int, ...] | None = None


class MemberPlanner(Planner):
    kind = "members"

    def __init__(self, ctx: ImportContext) -> None:
        super().__init__(ctx)
        store = ImportStore(self.ws.db, self.ws.device.tag)
        grids = store.member_grid_ids()
        self.by_phone: dict[tuple[int, str], dict[str, Any]] = {}
        for row in store.member_rows():
            row["grid_ids"] = frozenset(grids.get(row["id"], ()))
            self.by_phone[(row["town_id"], row["phone"])] = row

    def _grids(self, cells: Cells, town: Any, village: Any) -> tuple[int, ...] | None:
        names = cells.items("负责网格")
        if not names:
            return None
        ids = []
        for name in names:
            try:
                grid = (
                    self.ctx.places.grid(village, name)
                    if village is not None
                    else self.ctx.places.grid_in_town(town, name)
                )
            except ValidationError as exc:
                cells.refuse("负责网格", exc.message)
                continue
            ids.append(grid.id)
        return tuple(dict.fromkeys(ids))

    def _by_masked_phone(self, cells: Cells, town_id: int, masked: str, name: str) -> str:
        """The full phone of the one member of the town this masked phone and name can be, or ""."""
        found = [
            row["phone"]
            for (town, phone), row in self.by_phone.items()
            if town == town_id and row["name"] == name and mask_phone(phone) == masked
        ]
        if len(found) == 1:
            return str(found[0])
        cells.refuse(
            "手机号",
            f"手机号「{masked}」隐藏了中间几位（导出时默认隐藏），"
            + ("找不到与姓名相符的网格员。" if not found else f"有 {len(found)} 位网格员都对得上。")
            + "手机号是认出网格员的依据，请填写完整的手机号。",
        )
        return ""

    def plan_row(self, cells: Cells) -> PlannedRow:
        name = cells.text("姓名", required=True)
        masked_phone = cells.masked("手机号")
        phone = masked_phone or cells.phone("手机号", required=True)
        role = cells.enum("身份", MemberRole, _ROLE_ALIASES)
        member_kind = cells.enum("类型", MemberKind, _KIND_ALIASES)
        # A town cadre (镇干部) works for the town, not for one village, and has none in the
        # database: the contract's required 所属村街 is waived for that role alone.
        place = read_place(cells, self.ctx.places, village_required=role is not MemberRole.TOWN_CADRE)
        is_party = cells.yes_no("是否党员")
        active = cells.yes_no("在岗")
        id_text = "" if cells.masked("身份证号") else cells.id_text()
        town, village = place.town, place.village
        grid_ids = self._grids(cells, town, village) if town is not None else None
        label = f"{name} {phone}".strip()
        if town is None or not name or not phone:
            return self.refused(cells, label)
        if masked_phone:
            phone = self._by_masked_phone(cells, town.id, masked_phone, name)
            if not phone:
                return self.refused(cells, label)
        draft = MemberDraft(name, phone, town.id, village.id if village else None, id_number=id_text)
        try:
            draft = clean_member(draft, self.ctx.today)
        except ValidationError as exc:
            for field_name, message in exc.problems:
                cells.refuse(MEMBER_FIELDS.get(field_name or "", "姓名"), message)
        self.duplicate(cells, (town.id, draft.phone), "手机号", "所属镇和手机号")
        if cells.problems:
            return self.refused(cells, label)
        given: dict[str, Any] = {"name": draft.name}
        if village is not None:
            given["village_id"] = village.id
        for key, value in (
            ("kind", member_kind.value if member_kind else None),
            ("role", role.value if role else None),
            ("is_party", None if is_party is None else int(is_party)),
            ("active", None if active is None else int(active)),
            ("id_number", draft.id_number or None),
        ):
            if value is not None:
                given[key] = value
        existing = self.by_phone.get((town.id, draft.phone))
        if existing is not None:
            outside = out_of_scope(self.ws, existing["town_id"], existing["village_id"])
            if outside:
                cells.refuse("手机号", outside)
                return self.refused(cells, label)
            cells.masked_against({"手机号": existing["phone"], "身份证号": existing["id_number"]})
        if existing is None:
            initials, pinyin = cached_pinyin(draft.name)
            # What _given would say of sex and living, without building it for a new resident.
            fields = {
                "name": draft.name,
                "name_initials": initials,
                "name_pinyin": pinyin,
                "phone": draft.phone,
                "town_id": town.id,
                "village_id": given.get("village_id"),
                "kind": given.get("kind", MemberKind.PART_TIME.value),
                "role": given.get("role", MemberRole.MEMBER.value),
                "is_party": given.get("is_party", 0),
                "id_number": given.get("id_number"),
                "active": given.get("active", 1),
            }
            return PlannedRow(cells.number, RowAction.ADD, label, work=_Write(None, fields, grid_ids or ()))
        if grid_ids is not None:
            given["grid_ids"] = frozenset(grid_ids)
        changes = field_changes(existing, given, MEMBER_LABELS)
        if not changes:
            return PlannedRow(cells.number, RowAction.SAME, label)
        new_grids = changes.pop("grid_ids", None)
        if "name" in changes:
            changes["name_initials"], changes["name_pinyin"] = cached_pinyin(changes["name"])
        labels = change_labels(
            {**changes, **({"grid_ids": 1} if new_grids is not None else {})}, MEMBER_LABELS
        )
        write = _Write(existing["id"], changes, tuple(grid_ids or ()) if new_grids is not None else None)
        return PlannedRow(cells.number, RowAction.UPDATE, label, changes=labels, work=write)

    def apply(self, rows: list[PlannedRow]) -> None:
        for row in rows:
            write: _Write = row.work
            if write.record_id is None:
                self.ws.members.add(write.fields, write.grid_ids or ())
            else:
                self.ws.members.update(write.record_id, write.fields, write.grid_ids)


class ResidentPlanner(Planner):
    kind = "residents"

    def __init__(self, ctx: ImportContext) -> None:
        super().__init__(ctx)
        self.store = ImportStore(self.ws.db, self.ws.device.tag)
        self.today = ctx.today
        self.by_id: dict[str, dict[str, Any]] = {}
        self.by_person: dict[tuple[str, int, str | None], dict[str, Any]] = {}
        for row in self.store.resident_rows():
            if row["id_number"]:
                self.by_id[row["id_number"]] = row
            else:
                self.by_person.setdefault((row["name"], row["village_id"], row["birth_date"]), row)
        self._tags: dict[str, tuple[tuple[CareTag, ...], tuple[str, ...]]] = {}
        self._masked_ids: dict[tuple[str, str], list[dict[str, Any]]] | None = None
        # The likely-duplicate check of a hand-entered resident, each village read once.
        self.finder = DuplicateFinder(self.ws)

    def _care_tags(self, cells: Cells) -> tuple[CareTag, ...]:
        text = cells.text("服务类别")
        if not text:
            return ()
        if text not in self._tags:
            tags: list[CareTag] = []
            messages: list[str] = []
            labels = label_map(CareTag)
            for item in cells.items("服务类别"):
                tag = _TAG_ALIASES.get(item) or labels.get(item)
                if tag is None:
                    messages.append(
                        f"「{item}」不是可选的服务类别。请填写：{'、'.join(CareTag.labels())}（可填多个，用「、」隔开）。"
                    )
                else:
                    tags.append(tag)  # type: ignore[arg-type]
            self._tags[text] = (tuple(dict.fromkeys(tags)), tuple(messages))
        found, problems = self._tags[text]
        for message in problems:
            cells.refuse("服务类别", message)
        return found

    def plan_row(self, cells: Cells) -> PlannedRow:
        ctx = self.ctx
        place = read_place(cells, ctx.places)
        name = cells.text("姓名", required=True)
        # Masked values (an export without --full) are left out: the database keeps its own.
        masked_id = cells.masked("身份证号")
        id_text = "" if masked_id else cells.id_text()
        sex = cells.enum("性别", Sex, _SEX_ALIASES)
        birth = cells.date("出生日期")
        phone = "" if cells.masked("联系电话") else cells.phone("联系电话")
        emergency_phone = "" if cells.masked("紧急联系电话") else cells.phone("紧急联系电话")
        care_tags = self._care_tags(cells)
        living = cells.enum("居住情况", Living, _LIVING_ALIASES)
        town, village = place.town, place.village
        grid_id = linked_id = None
        if village is not None and cells.has("所属网格"):
            try:
                grid_id = ctx.places.grid(village, cells.text("所属网格")).id
            except ValidationError as exc:
                cells.refuse("所属网格", exc.message)
        if cells.has("联系党员"):
            try:
                linked_id = ctx.members.resolve(cells.text("联系党员"), town).id
            except ValidationError as exc:
                cells.refuse("联系党员", exc.message)
        if not name:
            return self.refused(cells, name)  # 「必填」 (or the formula) is among its problems
        address = cells.text("居住地址")
        emergency_name = cells.text("紧急联系人")
        note_text = cells.text("备注")
        try:
            # clean_resident's checks on the values alone: no draft and cleaned copy per row.
            person, warnings = clean_resident_values(
                self.today, name, id_text, sex, birth, "", "", emergency_name, address, note_text
            )
        except ValidationError as exc:
            for field_name, message in exc.problems:
                cells.refuse(RESIDENT_LABELS.get(field_name or "", "姓名"), message)
            return self.refused(cells, f"{name} {mask_id_number(id_text) if id_text else masked_id}".strip())
        name, id_number, birth = person.name, person.id_number, person.birth_date
        label = f"{name} {mask_id_number(id_number) if id_number else masked_id}".strip()
        if cells.problems or village is None or town is None:
            return self.refused(cells, label)
        if id_number:
            self.duplicate(cells, id_number, "身份证号", "身份证号")
        elif masked_id:
            self.duplicate(cells, ("masked", masked_id, name), "身份证号", "姓名和身份证号")
        else:
            self.duplicate(cells, (name, village.id, birth), "姓名", "姓名、村街和出生日期（均无身份证号）")
        if cells.problems:
            return self.refused(cells, label)
        note = "；".join(warnings)
        birth_text = d_text(birth)
        existing = self.by_id.get(id_number) if id_number else None
        if existing is None and masked_id:
            existing = self._by_masked_id(masked_id, name)
        if existing is None:
            # Without an ID number match, the same name + village + birth date is the same person
            # (only among records that have no ID number: two numbers mean two people).
            existing = self.by_person.get((name, village.id, birth_text))
        if existing is not None:
            outside = out_of_scope(self.ws, existing["town_id"], existing["village_id"])
            if outside:
                cells.refuse("身份证号" if id_number or masked_id else "所属村街", outside)
                return self.refused(cells, label)
            cells.masked_against(
                {
                    "身份证号": existing["id_number"],
                    "联系电话": existing["phone"],
                    "紧急联系电话": existing["emergency_phone"],
                }
            )
        sex = person.sex
        if existing is None:
            initials, pinyin = cached_pinyin(name)
            # What _given would say of sex and living, without building it for a new resident.
            # A new resident's values in store/imports.RESIDENT_INSERT's order: a tuple, not a
            # dict, as 50,000 of them wait in the plan until the write.
            values = (
                name,
                initials,
                pinyin,
                id_number or None,
                sex.value if sex else None,
                birth_text,
                phone,
                town.id,
                village.id,
                grid_id,
                tags_text(care_tags),
                living.value if living else None,
                person.address,
                person.emergency_name,
                emergency_phone,
                linked_id,
                person.note,
            )
            alike = self._alike(name, village, birth, id_number)
            return PlannedRow(cells.number, RowAction.ADD, label, note=note, work=values, warnings=alike)
        given = _given(
            person, care_tags, living, village.id, town.id, phone, emergency_phone, grid_id, linked_id
        )
        changes = field_changes(existing, given, RESIDENT_LABELS)
        if not changes:
            return PlannedRow(cells.number, RowAction.SAME, label, note=note)
        if "name" in changes:
            changes["name_initials"], changes["name_pinyin"] = cached_pinyin(changes["name"])
        return PlannedRow(
            cells.number,
            RowAction.UPDATE,
            label,
            changes=change_labels(changes, RESIDENT_LABELS),
            note=note,
            work=_Write(existing["id"], changes),
        )

    def _by_masked_id(self, masked: str, name: str) -> dict[str, Any] | None:
        """The one resident with this name whose ID number masks to ``masked`` (131024********1234):
        the same person as in the sheet an export without --full wrote."""
        if self._masked_ids is None:
            self._masked_ids = {}
            for number, row in self.by_id.items():
                self._masked_ids.setdefault((mask_id_number(number), row["name"]), []).append(row)
        found = self._masked_ids.get((masked, name), [])
        return found[0] if len(found) == 1 else None

    def _alike(self, name: str, village: Village, birth: date | None, id_number: str) -> tuple[str, ...]:
        """Warnings for a new resident who may be one already there (not the same ID number:
        that row is an update): the same name + birth date, the same sound, a one-character typo."""
        found = self.finder.alike(name, village.id, birth, id_number or None)
        if not found:
            return ()
        return tuple(
            f"可能与已有的服务对象「{person.name}」（{village.short_name}，{person.birth_date or '未填出生日期'}）"
            "是同一人，请核对"
            for person, _reason in found[:MAX_ALIKE]
        )

    def apply(self, rows: list[PlannedRow]) -> None:
        new = [row.work for row in rows if row.action is RowAction.ADD]
        if len(new) > 5000:
            self.store.enlarge_cache()
        self.store.insert_residents(new)
        for row in rows:
            if row.action is RowAction.UPDATE:
                write: _Write = row.work
                self.ws.residents.update(write.record_id, write.fields)  # type: ignore[arg-type]


def _given(
    person: ResidentValues,
    care_tags: tuple[CareTag, ...],
    living: Living | None,
    village_id: int,
    town_id: int,
    phone: str,
    emergency_phone: str,
    grid_id: int | None,
    linked_id: int | None,
) -> dict[str, Any]:
    """The fields a resident's row gives a value for (empty cells give none)."""
    given: dict[str, Any] = {"name": person.name, "town_id": town_id, "village_id": village_id}
    optional: tuple[tuple[str, Any], ...] = (
        ("id_number", person.id_number or None),
        ("sex", person.sex.value if person.sex else None),
        ("birth_date", d_text(person.birth_date) if isinstance(person.birth_date, date) else None),
        ("phone", phone or None),
        ("grid_id", grid_id),
        ("care_tags", tags_text(care_tags) if care_tags else None),
        ("living", living.value if living else None),
        ("address", person.address or None),
        ("emergency_name", person.emergency_name or None),
        ("emergency_phone", emergency_phone or None),
        ("linked_member_id", linked_id),
        ("note", person.note or None),
    )
    for key, value in optional:
        if value is not None:
            given[key] = value
    return given
