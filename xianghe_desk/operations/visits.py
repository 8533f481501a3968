"""Care-visit operations (issue #11): log, fast entry, edit, plans, a resident's status, a need turned
into a request, the intervals, the due lists and the paper roster — each checked against the
actor's role and scope and written to the audit trail. Deleting a visit is recycle.delete_to_bin
with kind ``visit`` (operations/recycle.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from xianghe_desk.domain.access import Permission
from xianghe_desk.domain.drafts import RequestDraft
from xianghe_desk.domain.enums import CareTag, Urgency
from xianghe_desk.domain.errors import NotFoundError, ValidationError
from xianghe_desk.domain.models import Resident
from xianghe_desk.domain.visits import (
    CHECK_LABELS,
    DueEntry,
    DueFilter,
    StatusInfo,
    Visit,
    VisitDraft,
    VisitPlan,
    interval_text,
)
from xianghe_desk.fileio import atomic_output
from xianghe_desk.operations.base import Op, operation
from xianghe_desk.operations.requests import Registered, register_in_op
from xianghe_desk.pdf.visit_roster import build_roster
from xianghe_desk.services.visits import Roster, VisitService

GRID_PATROL = "grid_patrol"  # 网格员巡查发现: the channel of a need noticed on a visit


def _resident(op: Op, resident_id: int) -> Resident:
    resident = VisitService(op.ws).resident(resident_id)
    op.require_covers(resident.town_id, resident.village_id, f"服务对象 {resident.name}")
    return resident


def _facts(visit: Visit) -> dict[str, Any]:
    return {
        "visited_on": visit.visited_on.isoformat(),
        "method": visit.method.label,
        "member": visit.member_name,
        "checks": {CHECK_LABELS[k]: v.label for k, v in visit.checks.items()},
        "note": visit.note,
        "needs": visit.needs,
    }


def _changed(op: Op) -> None:
    op.changes.visits = True
    op.changes.residents = True  # the residents' visit filter and each resident's timeline


def _audit_visit(op: Op, what: str, visit: Visit, resident: Resident, before: Visit | None = None) -> None:
    op.audit(
        f"{what}：{resident.name}（{resident.village_name}）{visit.visited_on:%Y-%m-%d} {visit.method.label}"
        + (f"，{visit.member_name}" if visit.member_name else ""),
        entity="visit",
        entity_uuid=visit.uuid,
        resident_uuid=resident.uuid,
        before=_facts(before) if before is not None else None,
        after=_facts(visit),
    )


@operation("visit.log", "登记走访", Permission.EDIT, kind="create")
def log_visit(op: Op, draft: VisitDraft) -> Visit:
    resident = _resident(op, draft.resident_id)
    visit = VisitService(op.ws).log(draft)
    _audit_visit(op, "登记走访", visit, resident)
    _changed(op)
    return visit


@operation("visit.log_batch", "录入走访表", Permission.EDIT, kind="create")
def log_visits(op: Op, drafts: Sequence[VisitDraft]) -> list[Visit]:
    """The results typed back from a paper roster: all of them, or (one refused) none."""
    if not drafts:
        raise ValidationError("没有要保存的走访结果：请至少填写一行的走访日期。", field="visits")
    service = VisitService(op.ws)
    done = []
    for number, draft in enumerate(drafts, 1):
        resident = _resident(op, draft.resident_id)
        try:
            visit = service.log(draft)
        except ValidationError as exc:
            raise ValidationError(
                f"第 {number} 行（{resident.name}）：{exc.message}", field=exc.field
            ) from None
        _audit_visit(op, "录入走访表", visit, resident)
        done.append(visit)
    _changed(op)
    return done


@operation("visit.update", "修改走访记录", Permission.EDIT)
def update_visit(op: Op, visit_id: int, draft: VisitDraft) -> Visit:
    service = VisitService(op.ws)
    before = service.get(visit_id)
    resident = _resident(op, before.resident_id)
    after = service.update(visit_id, draft)
    _audit_visit(op, "修改走访记录", after, resident, before)
    _changed(op)
    return after


def _plan_facts(plan: VisitPlan | None) -> dict[str, Any]:
    if plan is None:
        return {}
    return {
        "interval_days": plan.interval_days,
        "member": plan.member_name,
        "starts_on": plan.starts_on.isoformat() if plan.starts_on else None,
        "note": plan.note,
    }


@operation("visit.plan", "设置走访计划", Permission.EDIT)
def set_plan(
    op: Op,
    resident_id: int,
    interval_days: int | None,
    member_id: int | None = None,
    starts_on: date | None = None,
    note: str = "",
) -> VisitPlan:
    """A resident's own interval (None: the care tags'), named member (None: the grid's members)."""
    resident = _resident(op, resident_id)
    service = VisitService(op.ws)
    if member_id is not None:
        member = op.ws.members.get(member_id)
        if member is not None:
            op.require_covers(member.town_id, member.village_id, f"网格员 {member.name}")
    before = service.plan(resident_id)
    plan = service.set_plan(resident_id, interval_days, member_id, starts_on, note)
    interval = interval_text(plan.interval_days) if plan.interval_days else "按服务类别"
    op.audit(
        f"设置走访计划：{resident.name}，{interval}，{plan.member_name or '网格内的网格员'}负责",
        entity="visit_plan",
        entity_uuid=plan.uuid,
        resident_uuid=resident.uuid,
        before=_plan_facts(before),
        after=_plan_facts(plan),
    )
    _changed(op)
    return plan


@operation("resident.status", "设置服务对象状态", Permission.EDIT)
def set_resident_status(op: Op, resident_id: int, status: StatusInfo) -> Resident:
    """在册 / 住院 (until a date) / 迁出 / 去世 (on a date)."""
    resident = _resident(op, resident_id)
    after = VisitService(op.ws).set_status(resident_id, status)
    op.audit(
        f"{resident.name}的状态：{resident.status_info.text()} → {after.status_info.text()}",
        entity="resident",
        entity_uuid=resident.uuid,
        resident_uuid=resident.uuid,
        before={"status": resident.status_info.text()},
        after={"status": after.status_info.text()},
    )
    _changed(op)
    op.changes.all_requests = True  # 迁出 / 去世 shows beside the person's requests
    return after


@dataclass(frozen=True)
class NeedRegistered:
    visit: Visit
    registered: Registered


@operation("visit.to_request", "走访发现需求转工单", Permission.EDIT, kind="create")
def need_to_request(
    op: Op,
    visit_id: int,
    category: str,
    content: str = "",
    urgency: Urgency = Urgency.NORMAL,
    dispatch: bool = True,
) -> NeedRegistered:
    """The need noticed on a visit becomes a request in one step: channel 网格员巡查发现, the
    resident, village and grid from the visit, dispatched to the member who visited (``dispatch``),
    and the visit linked to it."""
    service = VisitService(op.ws)
    visit = service.get(visit_id)
    resident = _resident(op, visit.resident_id)
    if visit.request_id is not None:
        raise ValidationError(
            f"这次走访发现的需求已经登记为工单 {visit.request_number}，不用重复登记。", field="visit"
        )
    text = (content or visit.needs).strip()
    if not text:
        raise ValidationError("请写明走访时发现的需求（诉求内容）。", field="content")
    if op.ws.lookups.get("channel", GRID_PATROL) is None:
        raise NotFoundError("来源渠道「网格员巡查发现」不存在，请在「设置」中恢复这个渠道。", field="channel")
    handler = visit.member_id if dispatch and visit.member_id is not None else None
    if handler is not None:
        member = op.ws.members.get(handler)
        handler = member.id if member is not None and member.active else None
    draft = RequestDraft(
        GRID_PATROL,
        category,
        text,
        resident.village_id,
        urgency=urgency,
        grid_id=resident.grid_id,
        resident_id=resident.id,
        received_at=op.ws.now(),
    )
    registered = register_in_op(op, draft, handler, note=f"{visit.visited_on:%Y-%m-%d}走访时发现")
    service.link_request(visit.id, registered.request.id)
    linked = service.get(visit.id)
    op.audit(
        f"走访发现需求转工单：{resident.name} {visit.visited_on:%Y-%m-%d} → 工单 {registered.request.number}",
        entity="visit",
        entity_uuid=visit.uuid,
        resident_uuid=resident.uuid,
        request=registered.request.number,
    )
    _changed(op)
    return NeedRegistered(linked, registered)


@operation("settings.visit_intervals", "修改走访周期", Permission.SETTINGS, kind="settings")
def set_intervals(op: Op, intervals: dict[CareTag, int]) -> dict[CareTag, int]:
    service = VisitService(op.ws)
    before = service.intervals()
    after = service.set_intervals(intervals)
    op.audit(
        "修改走访周期：" + "，".join(f"{t.label}{d}天" for t, d in after.items()),
        entity="settings",
        before={t.label: d for t, d in before.items()},
        after={t.label: d for t, d in after.items()},
    )
    op.changes.settings = True
    op.changes.visits = True
    op.changes.residents = True
    return after


@operation("visit.due", "查看走访名单", Permission.READ, kind="export", quiet=True)
def due_list(op: Op, flt: DueFilter) -> list[DueEntry]:
    """Who is due (the actor's scope; a named town, village, grid or member is checked too)."""
    _check_filter(op, flt)
    return VisitService(op.ws).due(flt)


def _check_filter(op: Op, flt: DueFilter) -> None:
    ws = op.ws
    if flt.village_id is not None:
        village = ws.villages.get(flt.village_id)
        if village is not None:
            op.require_covers(village.town_id, village.id, village.short_name)
    elif flt.town_id is not None:
        town = ws.towns.get(flt.town_id)
        op.require_covers(flt.town_id, None, town.name if town else "这个镇")
    if flt.grid_id is not None:
        grid = ws.grids.get(flt.grid_id)
        if grid is None:
            raise NotFoundError("所选网格不存在，请重新选择。", field="grid")
        op.require_covers(grid.town_id, grid.village_id, f"{grid.village_name}{grid.name}")
    if flt.member_id is not None:
        member = ws.members.get(flt.member_id)
        if member is None:
            raise NotFoundError("所选网格员不存在，请重新选择。", field="member")
        op.require_covers(member.town_id, member.village_id, f"网格员 {member.name}")


@operation("visit.roster", "打印走访表", Permission.REPORT, kind="print")
def print_roster(
    op: Op,
    target: Path | IO[bytes],
    week: date,
    member_id: int | None = None,
    grid_id: int | None = None,
) -> Roster:
    """The weekly paper roster (走访表) of a member or a grid, written to ``target``."""
    _check_filter(op, DueFilter(member_id=member_id, grid_id=grid_id))
    roster = VisitService(op.ws).roster(week, member_id, grid_id)
    sheet = VisitService(op.ws).roster_sheet(roster)
    if isinstance(target, Path):
        # Written beside the target and renamed when complete: a failure leaves no half file.
        with atomic_output(target, target.suffix or ".pdf") as temp:
            pages = build_roster(sheet, temp)
    else:
        pages = build_roster(sheet, target)
    op.audit(
        f"打印走访表：{roster.title}，{roster.week_start:%m-%d}至{roster.week_end:%m-%d}，"
        f"{len(roster.entries)} 人（{pages} 页）",
        week=roster.week_start.isoformat(),
        residents=len(roster.entries),
        pages=pages,
        file=target.name if isinstance(target, Path) else "",
    )
    return roster
