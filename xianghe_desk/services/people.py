"""Residents in need (服务对象) and grid members (网格员): validated adds, edits and lists."""

from __future__ import annotations

import builtins
from dataclasses import dataclass, replace
from typing import Any

from xianghe_desk.domain.access import mask_id_number
from xianghe_desk.domain.drafts import MemberDraft, ResidentDraft, clean_member, clean_resident
from xianghe_desk.domain.errors import ConflictError, NotFoundError, ValidationError
from xianghe_desk.domain.models import Member, Resident
from xianghe_desk.domain.pinyin import name_initials, name_pinyin
from xianghe_desk.domain.queries import MemberChoice, PersonFilter, within_scope
from xianghe_desk.services.duplicates import likely_duplicates
from xianghe_desk.services.visits import VisitService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.base import d_text
from xianghe_desk.store.people import tags_text


@dataclass(frozen=True)
class Saved:
    id: int
    warnings: tuple[str, ...] = ()


def _scoped(ws: Workspace, flt: PersonFilter | None) -> PersonFilter:
    """Lists and counts hold only the signed-in clerk's towns or villages (issue #9); a filter on
    the care-visit state gets the intervals in force and today (issue #11)."""
    flt = flt or PersonFilter()
    if flt.visit_state and flt.visit_refs is None:
        flt = replace(flt, visit_refs=VisitService(ws).refs())
    return within_scope(flt, ws.who.town_ids, ws.who.village_ids)


class ResidentService:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def get(self, resident_id: int) -> Resident:
        resident = self.ws.residents.get(resident_id)
        if resident is None:
            raise NotFoundError("这位服务对象已不存在。", field="resident")
        return resident

    def list(self, flt: PersonFilter, offset: int = 0, limit: int = 200) -> builtins.list[Resident]:
        return self.ws.residents.list(_scoped(self.ws, flt), offset, limit)

    def count(self, flt: PersonFilter | None = None) -> int:
        return self.ws.residents.count(_scoped(self.ws, flt))

    def by_id_number(self, id_number: str) -> Resident | None:
        return self.ws.residents.by_id_number(id_number)

    def _row(self, draft: ResidentDraft) -> dict[str, Any]:
        village = self.ws.villages.get(draft.village_id)
        if village is None:
            raise NotFoundError("所选村街不存在，请重新选择。", field="village")
        if draft.grid_id is not None:
            grid = self.ws.grids.get(draft.grid_id)
            if grid is None or grid.village_id != village.id:
                raise ValidationError("所选网格不属于这个村街，请重新选择网格。", field="grid")
        return {
            "name": draft.name,
            "name_initials": name_initials(draft.name),
            "name_pinyin": name_pinyin(draft.name),
            "id_number": draft.id_number or None,
            "sex": draft.sex.value if draft.sex else None,
            "birth_date": d_text(draft.birth_date),
            "phone": draft.phone,
            "town_id": village.town_id,
            "village_id": village.id,
            "grid_id": draft.grid_id,
            "care_tags": tags_text(draft.care_tags),
            "living": draft.living.value if draft.living else None,
            "address": draft.address,
            "emergency_name": draft.emergency_name,
            "emergency_phone": draft.emergency_phone,
            "linked_member_id": draft.linked_member_id,
            "note": draft.note,
        }

    def add(self, draft: ResidentDraft) -> Saved:
        """Add a resident. The same ID number twice is refused, naming the person already there."""
        draft, warnings = clean_resident(draft, self.ws.now().date())
        if draft.id_number:
            existing = self.ws.residents.by_id_number(draft.id_number)
            if existing is not None:
                raise ConflictError(
                    f"身份证号 {mask_id_number(draft.id_number)} 已登记为{existing.village_name}的"
                    f"「{existing.name}」，不能重复添加；请在服务对象列表中找到并修改。",
                    field="id_number",
                )
        row = self._row(draft)
        with self.ws.atomic():
            return Saved(self.ws.residents.add(row), tuple(warnings))

    def update(self, resident_id: int, draft: ResidentDraft) -> Saved:
        self.get(resident_id)
        draft, warnings = clean_resident(draft, self.ws.now().date())
        if draft.id_number:
            existing = self.ws.residents.by_id_number(draft.id_number)
            if existing is not None and existing.id != resident_id:
                raise ConflictError(
                    f"身份证号已属于{existing.village_name}的「{existing.name}」，请核对。", field="id_number"
                )
        row = self._row(draft)
        with self.ws.atomic():
            self.ws.residents.update(resident_id, row)
        return Saved(resident_id, tuple(warnings))

    def likely_duplicates(
        self, draft: ResidentDraft, exclude_id: int | None = None
    ) -> builtins.list[Resident]:
        """People already there who may be the one in ``draft`` (「可能是同一个人」): the same ID
        number first, then in the village the same name and birth date, the same name sound
        (张丽 / 章莉) or a one-character typo. The same check as spreadsheet imports and exchanges
        (services/duplicates.py)."""
        matches = likely_duplicates(
            self.ws, draft.name, draft.village_id, draft.birth_date, draft.id_number or None, exclude_id
        )
        return [match.resident for match in matches]


class MemberService:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def get(self, member_id: int) -> Member:
        member = self.ws.members.get(member_id)
        if member is None:
            raise NotFoundError("这位网格员已不存在。", field="member")
        return member

    def list(self, flt: PersonFilter, offset: int = 0, limit: int = 200) -> builtins.list[Member]:
        return self.ws.members.list(_scoped(self.ws, flt), offset, limit)

    def choices(self, flt: PersonFilter, limit: int = 5000) -> builtins.list[MemberChoice]:
        """Names for a list of choices (the 承办人 filter), in ``list``'s order."""
        return self.ws.members.choices(_scoped(self.ws, flt), limit)

    def count(self, flt: PersonFilter | None = None) -> int:
        return self.ws.members.count(_scoped(self.ws, flt))

    def of_grid(self, grid_id: int) -> builtins.list[Member]:
        return self.ws.members.of_grid(grid_id)

    def handlers_for(self, village_id: int, grid_id: int | None = None) -> builtins.list[Member]:
        """Who a request in this village can be dispatched to: the grid's members first."""
        village = self.ws.villages.get(village_id)
        if village is None:
            return []
        first = self.ws.members.of_grid(grid_id) if grid_id else []
        rest = self.ws.members.list(PersonFilter(town_id=village.town_id, active_only=True), 0, 5000)
        seen = {m.id for m in first}
        return [m for m in first if m.active] + [m for m in rest if m.id not in seen]

    def default_handler(self, grid_id: int | None) -> Member | None:
        if grid_id is None:
            return None
        grid = self.ws.grids.get(grid_id)
        if grid is not None and grid.default_member_id:
            member = self.ws.members.get(grid.default_member_id)
            if member is not None and member.active:
                return member
        members = [m for m in self.ws.members.of_grid(grid_id) if m.active]
        return members[0] if members else None

    def _row(self, draft: MemberDraft) -> dict[str, Any]:
        if self.ws.towns.get(draft.town_id) is None:
            raise NotFoundError("所选镇不存在。", field="town")
        if draft.village_id is not None:
            village = self.ws.villages.get(draft.village_id)
            if village is None or village.town_id != draft.town_id:
                raise ValidationError("所选村街不属于这个镇。", field="village")
        return {
            "name": draft.name,
            "name_initials": name_initials(draft.name),
            "name_pinyin": name_pinyin(draft.name),
            "phone": draft.phone,
            "town_id": draft.town_id,
            "village_id": draft.village_id,
            "kind": draft.kind.value,
            "role": draft.role.value,
            "is_party": int(draft.is_party),
            "id_number": draft.id_number or None,
            "active": int(draft.active),
        }

    def add(self, draft: MemberDraft) -> Saved:
        draft = clean_member(draft, self.ws.now().date())
        existing = self.ws.members.by_phone(draft.town_id, draft.phone)
        if existing is not None:
            raise ConflictError(
                f"手机号 {draft.phone} 已登记为网格员「{existing.name}」，请核对或在列表中修改。",
                field="phone",
            )
        row = self._row(draft)
        with self.ws.atomic():
            return Saved(self.ws.members.add(row, draft.grid_ids))

    def update(self, member_id: int, draft: MemberDraft) -> Saved:
        self.get(member_id)
        draft = clean_member(draft, self.ws.now().date())
        existing = self.ws.members.by_phone(draft.town_id, draft.phone)
        if existing is not None and existing.id != member_id:
            raise ConflictError(f"手机号 {draft.phone} 已属于网格员「{existing.name}」。", field="phone")
        row = self._row(draft)
        with self.ws.atomic():
            self.ws.members.update(member_id, row, draft.grid_ids)
        return Saved(member_id)
