"""Deciding an exchange conflict (保留本机 / 采用对方) as an operation: who may, and the audit row.

The decision writes the chosen value as a new change of this copy, so it is an ordinary edit of
the row the conflict is about: the row must lie within the actor's scope. Conflicts over rows the
whole county shares (towns, the lists, settings) are left to those whose scope is the county.
"""

from __future__ import annotations

from xianghe_desk.domain.access import Permission, PermissionDeniedError, mask_id_number, mask_phone
from xianghe_desk.operations.base import Op, operation
from xianghe_desk.services.conflicts import KEEP_MINE, ConflictService, ConflictView
from xianghe_desk.store.conflicts import ConflictStore

# Units whose values are personal: the audit trail keeps them masked, like every other row.
_MASKS = {
    "id_number": mask_id_number,
    "person_id_number": mask_id_number,
    "phone": mask_phone,
    "person_phone": mask_phone,
    "emergency_phone": mask_phone,
}


@operation("conflict.resolve", "处理数据冲突", Permission.EXCHANGE)
def resolve_conflict(op: Op, conflict_id: int, keep: str) -> ConflictView:
    service = ConflictService(op.ws)
    view = service.get(conflict_id)  # NotFoundError with the clerk's next step
    store = ConflictStore(op.ws.db, op.ws.device.tag)
    record = store.get(conflict_id)
    assert record is not None
    place = store.row_place(record)
    if place is None:
        if op.who.limited:
            raise PermissionDeniedError(
                f"{view.title}是全县共用的内容（镇、列表或设置），只能由管理员处理这处冲突。",
                field="scope",
            )
    else:
        op.require_covers(place[0], place[1], view.title)
    done = service.resolve(conflict_id, keep)
    op.audit(
        f"处理冲突：{view.title} · {view.field}，{'保留本机' if keep == KEEP_MINE else '采用对方'}的值",
        entity=record.tbl.removesuffix("s"),
        entity_uuid=record.row_uuid,
        conflict=record.uuid,
        keep=keep,
        mine=_shown(record.unit, view.mine),
        theirs=_shown(record.unit, view.theirs),
    )
    op.changes.exchange = True
    return done


def _shown(unit: str, text: str) -> str:
    mask = _MASKS.get(unit)
    return mask(text) if mask is not None and any(ch.isdigit() for ch in text) else text
