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


@operation("person.reveal_id_number", "查看完整身份证号", Permission.REVEAL, kind="reveal")
def reveal_id_number(op: Op, kind: str, row_id: int) -> str:
    """The full ID number of a resident, a request's person or a member, shown on purpose.

    The desk shows ID numbers masked everywhere (131024********1234); a role that may reveal one
    does so with one click, and the audit trail says who looked at whose number (PIPL art. 51).
    """
    if kind == "resident":
        resident = ResidentService(op.ws).get(row_id)
        op.require_covers(resident.town_id, resident.village_id, f"服务对象 {resident.name}")
        number, name, entity_uuid, resident_uuid = resident.id_number, resident.name, resident.uuid, resident.uuid
        what = f"服务对象 {name}"
    elif kind == "request":
        request = op.ws.requests.get(row_id)
        if request is None:
            raise NotFoundError("这张工单已不存在。", field="request")
        op.require_covers(request.town_id, request.village_id, f"工单 {request.number}")
        person = op.ws.residents.get(request.resident_id) if request.resident_id else None
        number = request.person_id_number or (person.id_number if person else "")
        name, entity_uuid = request.person_name, request.uuid
        resident_uuid = person.uuid if person else ""
        what = f"工单 {request.number} 的服务对象 {name}".rstrip()
    elif kind == "member":
        member = MemberService(op.ws).get(row_id)
        op.require_covers(member.town_id, member.village_id, f"网格员 {member.name}")
        number, name, entity_uuid, resident_uuid = member.id_number or "", member.name, member.uuid, ""
        what = f"网格员 {name}"
    else:
        raise NotFoundError(f"不能查看「{kind}」的身份证号。", field="kind")
    if not number:
        raise NotFoundError(f"{what}没有登记身份证号。", field="id_number")
    op.audit(
        f"查看了{what}的完整身份证号（{mask_id_number(number)}）",
        entity=kind,
        entity_uuid=entity_uuid,
        resident_uuid=resident_uuid,
    )
    return number
