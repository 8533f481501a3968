"""Request operations: 受理登记 and every step of the lifecycle, each one named, checked and audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from xianghe_desk.domain.access import Permission, mask_id_number
from xianghe_desk.domain.drafts import RequestDraft, ResidentDraft
from xianghe_desk.domain.enums import FeedbackRoute, Satisfaction
from xianghe_desk.domain.errors import NotFoundError, ValidationError
from xianghe_desk.domain.models import Resident, ServiceRequest
from xianghe_desk.operations.base import Op, operation
from xianghe_desk.services.people import ResidentService
from xianghe_desk.services.requests import RequestService


@dataclass(frozen=True)
class Registered:
    request: ServiceRequest
    new_resident_id: int | None = None


def _resident_uuid(op: Op, resident_id: int | None) -> str:
    if resident_id is None:
        return ""
    resident = op.ws.residents.get(resident_id)
    return resident.uuid if resident else ""


def _request_in_scope(op: Op, request_id: int) -> ServiceRequest:
    request = RequestService(op.ws).get(request_id)
    op.require_covers(request.town_id, request.village_id, f"工单 {request.number}")
    return request


def _facts(request: ServiceRequest) -> dict[str, Any]:
    return {
        "status": request.status.label,
        "handler": request.handler_name,
        "method": request.method_name or request.method or "",
        "satisfaction": request.satisfaction.label if request.satisfaction else "",
    }


@operation("request.register", "受理登记", Permission.EDIT, kind="create")
def register_request(
    op: Op,
    draft: RequestDraft,
    handler_id: int | None = None,
    new_resident: ResidentDraft | None = None,
    note: str = "",
    override: bool = False,
) -> Registered:
    """Save a new request, with a new resident typed into the same form if there is one.

    A resident who moved away or died before the request was received is refused unless the clerk
    deliberately ``override``s (a request about them that still has to be handled); the audit row
    says so.
    """
    return register_in_op(op, draft, handler_id, new_resident, note, override)


def resident_may_receive(resident: Resident, received_on: date) -> str | None:
    """Why no new request may be registered for ``resident`` (moved away, deceased), or None."""
    status = resident.status_info
    if not status.left_on(received_on):
        return None
    when = f"于 {status.since:%Y-%m-%d} " if status.since else ""
    return (
        f"{resident.name}已{when}{status.status.label}，不能再为其登记新的工单。"
        "如确有需要（例如补登其生前的诉求，或家属代办后事），请选择「仍要登记」；"
        "如状态登记错了，请先在服务对象详情中改回「在册」。"
    )


def register_in_op(
    op: Op,
    draft: RequestDraft,
    handler_id: int | None = None,
    new_resident: ResidentDraft | None = None,
    note: str = "",
    override: bool = False,
) -> Registered:
    """受理登记 inside a running operation (also used by visit.to_request)."""
    village = op.ws.villages.get(draft.village_id)
    if village is None:
        raise NotFoundError("所选村街不存在，请重新选择。", field="village")
    op.require_covers(village.town_id, village.id, f"{village.short_name}的工单")
    overridden = ""
    if draft.resident_id is not None:
        resident = op.ws.residents.get(draft.resident_id)
        received_on = (draft.received_at or op.ws.now()).date()
        problem = resident_may_receive(resident, received_on) if resident is not None else None
        if problem is not None and not override:
            raise ValidationError(problem, field="resident_status")
        if problem is not None and resident is not None:
            overridden = f"（{resident.name}已{resident.status.label}，经确认仍登记）"
    new_resident_id = None
    if new_resident is not None:
        new_resident_id = ResidentService(op.ws).add(new_resident).id
        draft = replace(draft, resident_id=new_resident_id)
        op.changes.residents = True
        op.audit(
            f"新增服务对象 {new_resident.name}（{village.short_name}）",
            kind="create",
            entity="resident",
            entity_uuid=_resident_uuid(op, new_resident_id),
            resident_uuid=_resident_uuid(op, new_resident_id),
        )
    request = RequestService(op.ws).register(draft, handler_id, note)
    op.audit(
        f"受理工单 {request.number}（{village.short_name}，{request.person_name or '未留姓名'}）"
        + (f"，派给 {request.handler_name}" if request.handler_id else "")
        + overridden,
        entity="request",
        entity_uuid=request.uuid,
        resident_uuid=_resident_uuid(op, request.resident_id),
        after={"content": request.content, "category": request.category, "channel": request.channel,
               "person_id_number": mask_id_number(request.person_id_number), **_facts(request)},
    )
    op.changes.requests.add(request.id)
    return Registered(request, new_resident_id)


def _lifecycle(op: Op, request_id: int, label: str, act: Any) -> ServiceRequest:
    before = _request_in_scope(op, request_id)
    after = act(RequestService(op.ws))
    op.audit(
        f"{label}：工单 {after.number}",
        entity="request",
        entity_uuid=after.uuid,
        resident_uuid=_resident_uuid(op, after.resident_id),
        before=_facts(before),
        after=_facts(after),
    )
    op.changes.requests.add(after.id)
    return after


@operation("request.dispatch", "派单", Permission.EDIT)
def dispatch_request(op: Op, request_id: int, handler_id: int, note: str = "", at: datetime | None = None) -> ServiceRequest:
    return _lifecycle(op, request_id, "派单", lambda s: s.dispatch(request_id, handler_id, note, at))


@operation("request.dispatch_batch", "批量派单", Permission.EDIT)
def dispatch_requests(op: Op, request_ids: Sequence[int], handler_id: int, note: str = "") -> list[ServiceRequest]:
    """Several requests to one handler, all or none."""
    done = [_lifecycle(op, rid, "批量派单", lambda s, rid=rid: s.dispatch(rid, handler_id, note)) for rid in request_ids]
    return done


@operation("request.start", "开始办理", Permission.EDIT)
def start_request(op: Op, request_id: int, note: str = "", at: datetime | None = None) -> ServiceRequest:
    return _lifecycle(op, request_id, "开始办理", lambda s: s.start(request_id, note, at))


@operation("request.complete", "办结", Permission.EDIT)
def complete_request(
    op: Op, request_id: int, method: str, result: str, note: str = "", at: datetime | None = None
) -> ServiceRequest:
    return _lifecycle(op, request_id, "办结", lambda s: s.complete(request_id, method, result, note, at))


@operation("request.follow_up", "回访", Permission.EDIT)
def follow_up_request(
    op: Op,
    request_id: int,
    route: FeedbackRoute,
    satisfaction: Satisfaction,
    note: str = "",
    by: str = "",
    at: datetime | None = None,
) -> ServiceRequest:
    return _lifecycle(
        op, request_id, "回访", lambda s: s.follow_up(request_id, route, satisfaction, note, by, at)
    )


@operation("request.return", "退回", Permission.EDIT)
def return_request(op: Op, request_id: int, note: str, at: datetime | None = None) -> ServiceRequest:
    return _lifecycle(op, request_id, "退回", lambda s: s.return_(request_id, note, at))


@operation("request.cancel", "撤销", Permission.EDIT)
def cancel_request(op: Op, request_id: int, note: str, at: datetime | None = None) -> ServiceRequest:
    return _lifecycle(op, request_id, "撤销", lambda s: s.cancel(request_id, note, at))


@operation("request.reopen", "重新办理", Permission.EDIT)
def reopen_request(op: Op, request_id: int, note: str, at: datetime | None = None) -> ServiceRequest:
    return _lifecycle(op, request_id, "重新办理", lambda s: s.reopen(request_id, note, at))


@operation("request.escalate", "督办", Permission.EDIT)
def escalate_request(op: Op, request_id: int, note: str = "", at: datetime | None = None) -> ServiceRequest:
    return _lifecycle(op, request_id, "督办", lambda s: s.escalate(request_id, note, at))


@operation("request.print", "打印工单", Permission.REPORT, kind="print")
def record_work_orders_printed(op: Op, request_ids: Sequence[int], at: datetime | None = None) -> None:
    """The printed work orders go into each request's history, and one audit row names them all."""
    requests = requests_in_scope(op, request_ids)
    mark_printed(op, requests, at)


def requests_in_scope(op: Op, request_ids: Sequence[int]) -> list[ServiceRequest]:
    """The requests, each checked against the actor's scope (operations/printing.py shares it)."""
    requests = RequestService(op.ws).get_many(list(request_ids))
    for request in requests:
        op.require_covers(request.town_id, request.village_id, f"工单 {request.number}")
    return requests


def mark_printed(op: Op, requests: Sequence[ServiceRequest], at: datetime | None = None, **detail: Any) -> None:
    """「打印工单」 in each request's history and one audit row naming them all."""
    ids = [r.id for r in requests]
    RequestService(op.ws).mark_printed(ids, at)
    numbers = [r.number for r in requests]
    op.audit(
        f"打印工单 {len(numbers)} 张：{'、'.join(numbers[:5])}{'……' if len(numbers) > 5 else ''}",
        kind="print",
        entity="request",
        entity_uuid=requests[0].uuid if len(requests) == 1 else "",
        numbers=numbers,
        **detail,
    )
    op.changes.requests.update(ids)
