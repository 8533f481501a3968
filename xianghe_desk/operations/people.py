"""Resident and grid-member operations: add, change, merge duplicates; scope-checked and audited."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from xianghe_desk.domain.access import Permission, mask_id_number, mask_phone
from xianghe_desk.domain.drafts import MemberDraft, ResidentDraft
from xianghe_desk.domain.errors import NotFoundError
from xianghe_desk.domain.models import Resident
from xianghe_desk.operations.base import Op, operation
from xianghe_desk.services.duplicates import DuplicateService
from xianghe_desk.services.people import MemberService, ResidentService, Saved

# Personal values are kept in the audit trail masked: the trail says that an ID number changed,
# not what it is (the trail itself is read by administrators and travels to the township).
_MASKED = {"id_number": mask_id_number, "phone": mask_phone, "emergency_phone": mask_phone}


def _snapshot(record: Any) -> dict[str, Any]:
    data = asdict(record)
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in ("id", "uuid") or (key.endswith("_name") and key != "emergency_name") or key == "name_initials":
            continue
        if key in _MASKED:
            value = _MASKED[key](value)
        elif isinstance(value, tuple | list):
            value = [getattr(v, "label", v) for v in value]
        elif hasattr(value, "label"):
            value = value.label
        elif value is not None and not isinstance(value, str | int | float | bool):
            value = str(value)
        out[key] = value
    return out


def _village(op: Op, village_id: int, what: str) -> Any:
    village = op.ws.villages.get(village_id)
    if village is None:
        raise NotFoundError("所选村街不存在，请重新选择。", field="village")
    op.require_covers(village.town_id, village.id, what)
    return village


@operation("resident.add", "新增服务对象", Permission.EDIT, kind="create")
def add_resident(op: Op, draft: ResidentDraft) -> Saved:
    village = _village(op, draft.village_id, f"{draft.name}（所选村街）")
    saved = ResidentService(op.ws).add(draft)
    resident = op.ws.residents.get(saved.id)
    assert resident is not None
    op.audit(
        f"新增服务对象 {resident.name}（{village.short_name}）",
        entity="resident",
        entity_uuid=resident.uuid,
        resident_uuid=resident.uuid,
        after=_snapshot(resident),
    )
    op.changes.residents = True
    return saved


@operation("resident.update", "修改服务对象", Permission.EDIT)
def update_resident(op: Op, resident_id: int, draft: ResidentDraft) -> Saved:
    service = ResidentService(op.ws)
    before = service.get(resident_id)
    op.require_covers(before.town_id, before.village_id, f"服务对象 {before.name}")
    _village(op, draft.village_id, f"{draft.name}要迁入的村街")
    saved = service.update(resident_id, draft)
    after = service.get(resident_id)
    op.audit(
        f"修改服务对象 {after.name}",
        entity="resident",
        entity_uuid=after.uuid,
        resident_uuid=after.uuid,
        before=_snapshot(before),
        after=_snapshot(after),
    )
    op.changes.residents = True
    op.changes.all_requests = True  # names and villages show in request lists
    return saved


@operation("resident.merge", "合并重复的服务对象", Permission.EDIT)
def merge_residents(op: Op, keep_id: int, drop_id: int) -> Resident:
    service = ResidentService(op.ws)
    keep, drop = service.get(keep_id), service.get(drop_id)
    for person in (keep, drop):
        op.require_covers(person.town_id, person.village_id, f"服务对象 {person.name}")
    kept = DuplicateService(op.ws).merge(keep_id, drop_id)
    op.audit(
        f"把 {drop.name}（{drop.village_name}）合并到 {keep.name}（{keep.village_name}）",
        entity="resident",
        entity_uuid=keep.uuid,
        resident_uuid=keep.uuid,
        dropped=drop.uuid,
    )
    op.changes.residents = True
    op.changes.all_requests = True
    return kept


@operation("resident.dismiss_duplicate", "标记不是同一人", Permission.EDIT)
def dismiss_duplicate(op: Op, left_id: int, right_id: int) -> None:
    service = ResidentService(op.ws)
    left, right = service.get(left_id), service.get(right_id)
    for person in (left, right):
        op.require_covers(person.town_id, person.village_id, f"服务对象 {person.name}")
    DuplicateService(op.ws).dismiss(left_id, right_id)
    op.audit(f"{left.name} 与 {right.name} 不是同一个人", entity="resident", entity_uuid=left.uuid, other=right.uuid)
    op.changes.residents = True


@operation("member.add", "新增网格员", Permission.EDIT_PLACES, kind="create")
def add_member(op: Op, draft: MemberDraft) -> Saved:
    op.require_covers(draft.town_id, draft.village_id, f"网格员 {draft.name}")
    saved = MemberService(op.ws).add(draft)
    member = MemberService(op.ws).get(saved.id)
    op.audit(f"新增网格员 {member.name}", entity="member", entity_uuid=member.uuid, after=_snapshot(member))
    op.changes.members = True
    return saved


@operation("member.update", "修改网格员", Permission.EDIT_PLACES)
def update_member(op: Op, member_id: int, draft: MemberDraft) -> Saved:
    service = MemberService(op.ws)
    before = service.get(member_id)
    op.require_covers(before.town_id, before.village_id, f"网格员 {before.name}")
    op.require_covers(draft.town_id, draft.village_id, f"网格员 {draft.name}")
    saved = service.update(member_id, draft)
    after = service.get(member_id)
    op.audit(
        f"修改网格员 {after.name}",
        entity="member",
        entity_uuid=after.uuid,
        before=_snapshot(before),
        after=_snapshot(after),
    )
    op.changes.members = True
    op.changes.places = True
    return saved
