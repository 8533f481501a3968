"""Deleting to the recycle bin (回收站), restoring, and purging (issue #9).

Anyone who may change a record may move it to the bin (a resident takes their requests along);
only an administrator restores or purges. Everything in the bin is hidden from lists and figures
(they skip tombstones) and deletions travel to other copies as tombstones.
"""

from __future__ import annotations

from xianghe_desk.domain.access import Permission
from xianghe_desk.domain.errors import NotFoundError, ValidationError
from xianghe_desk.operations.base import Op, operation
from xianghe_desk.store.recycle import KINDS, PURGE_ACTION, BinItem, RecycleStore

KIND_LABELS = {"resident": "服务对象", "request": "服务工单", "member": "网格员", "grid": "网格", "visit": "走访记录"}


def _store(op: Op) -> RecycleStore:
    return RecycleStore(op.ws.db, op.ws.device.tag)


def _live(op: Op, kind: str, row_id: int) -> tuple[str, str, int | None, int | None]:
    """(uuid, label, town, village) of a row that is not deleted yet."""
    if kind not in KINDS:
        raise ValidationError(f"不能删除「{kind}」。", field="kind")
    if kind == "resident":
        resident = op.ws.residents.get(row_id)
        if resident is None:
            raise NotFoundError("这位服务对象已不存在或已在回收站。", field="resident")
        return resident.uuid, resident.name, resident.town_id, resident.village_id
    if kind == "request":
        request = op.ws.requests.get(row_id)
        if request is None:
            raise NotFoundError("这张工单已不存在或已在回收站。", field="request")
        return request.uuid, request.number, request.town_id, request.village_id
    if kind == "member":
        member = op.ws.members.get(row_id)
        if member is None:
            raise NotFoundError("这名网格员已不存在或已在回收站。", field="member")
        return member.uuid, member.name, member.town_id, member.village_id
    if kind == "visit":
        visit = op.ws.visits.get(row_id)
        if visit is None:
            raise NotFoundError("这条走访记录已不存在或已在回收站。", field="visit")
        return visit.uuid, f"{visit.resident_name} {visit.visited_on:%Y-%m-%d}", visit.town_id, visit.village_id
    grid = op.ws.grids.get(row_id)
    if grid is None:
        raise NotFoundError("这个网格已不存在或已在回收站。", field="grid")
    village = op.ws.villages.get(grid.village_id)
    return grid.uuid, grid.name, village.town_id if village else None, grid.village_id


def _mark(op: Op, kind: str) -> None:
    if kind == "visit":
        op.changes.visits = True
        op.changes.residents = True  # the residents' visit filter and timeline
        return
    if kind == "resident":
        op.changes.visits = True  # a resident in the bin leaves the due lists
    if kind in ("resident", "request"):
        op.changes.residents = True
        op.changes.all_requests = True
    else:
        op.changes.members = True
        op.changes.places = True


@operation("recycle.delete", "删除到回收站", Permission.DELETE, kind="delete")
def delete_to_bin(op: Op, kind: str, row_id: int) -> None:
    if kind in ("member", "grid"):
        op.require(Permission.EDIT_PLACES)
    uuid, label, town_id, village_id = _live(op, kind, row_id)
    op.require_covers(town_id, village_id, f"{KIND_LABELS[kind]}「{label}」")
    store = _store(op)
    stamp = store.delete(kind, row_id)
    with_requests = store.delete_requests_of_resident(row_id, stamp) if kind == "resident" else []
    op.audit(
        f"把{KIND_LABELS[kind]}「{label}」移到回收站" + (f"（连同 {len(with_requests)} 张工单）" if with_requests else ""),
        entity=kind,
        entity_uuid=uuid,
        resident_uuid=uuid if kind == "resident" else "",
        requests=len(with_requests),
    )
    _mark(op, kind)


@operation("recycle.restore", "从回收站恢复", Permission.RESTORE, kind="restore")
def restore_from_bin(op: Op, kind: str, row_id: int) -> None:
    store = _store(op)
    item = store.get(kind, row_id) if kind in KINDS else None
    if item is None:
        raise NotFoundError("回收站里没有这一项，可能已被恢复或彻底删除。", field="item")
    restored = store.restore(kind, row_id)
    op.audit(
        f"从回收站恢复{KIND_LABELS[kind]}「{item.label}」" + (f"（连同 {len(restored)} 张工单）" if restored else ""),
        entity=kind,
        entity_uuid=item.uuid,
        resident_uuid=item.uuid if kind == "resident" else "",
    )
    _mark(op, kind)


@operation(PURGE_ACTION, "彻底删除", Permission.RESTORE, kind="purge")
def purge_from_bin(op: Op, kind: str, row_id: int) -> None:
    store = _store(op)
    item = store.get(kind, row_id) if kind in KINDS else None
    if item is None:
        raise NotFoundError("回收站里没有这一项。", field="item")
    store.purge(kind, row_id)
    op.audit(
        f"彻底删除{KIND_LABELS[kind]}「{item.label}」（个人信息已抹去，无法恢复）",
        entity=kind,
        entity_uuid=item.uuid,
    )
    _mark(op, kind)


@operation("recycle.list", "查看回收站", Permission.READ, kind="export")
def bin_items(op: Op, kinds: list[str] | None = None) -> list[BinItem]:
    """What is in the bin within the signed-in clerk's scope (reading it is audited lightly)."""
    items = [i for i in _store(op).items(kinds) if op.who.covers(i.town_id, i.village_id)]
    op.audit(f"查看回收站（{len(items)} 项）")
    return items
