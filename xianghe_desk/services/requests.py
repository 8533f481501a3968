"""The request workflow: intake (受理登记), dispatch, handling, completion, follow-up and the rest.

Each user action is one transaction that updates the request row and appends one event.
The transition is checked inside the transaction against the row as it is now, so a desk
showing a stale list cannot push a request through an illegal step.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xianghe_desk.domain import duetime, lifecycle
from xianghe_desk.domain.drafts import RequestDraft, clean_request
from xianghe_desk.domain.enums import Action, FeedbackRoute, Satisfaction, Status
from xianghe_desk.domain.errors import ConflictError, NotFoundError, ValidationError
from xianghe_desk.domain.models import RequestEvent, ServiceRequest
from xianghe_desk.domain.numbering import format_number, parse_number
from xianghe_desk.domain.pinyin import name_initials
from xianghe_desk.domain.queries import RequestFilter, RequestListRow, Sort, within_scope
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.base import dt_text, reverse_digits


@dataclass(frozen=True)
class DuePreview:
    due_at: datetime
    rule: str
    calendar_known: bool


class RequestService:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    # ---------------------------------------------------------------- reads
    def get(self, request_id: int) -> ServiceRequest:
        request = self.ws.requests.get(request_id)
        if request is None:
            raise NotFoundError("这张工单已不存在。", field="request")
        return request

    def get_many(self, ids: builtins.list[int]) -> builtins.list[ServiceRequest]:
        return self.ws.requests.get_many(ids)

    def find_by_number(self, text: str) -> ServiceRequest | None:
        """The request whose work-order number was typed or scanned (any case, dashes optional);
        None also when it lies outside the signed-in clerk's towns or villages."""
        number = parse_number(text)
        if number is None:
            return None
        request = self.ws.requests.by_number(str(number))
        if request is not None and not self.ws.who.covers(request.town_id, request.village_id):
            return None
        return request

    def _scoped(self, flt: RequestFilter) -> RequestFilter:
        """Lists, counts and searches hold only the signed-in clerk's towns or villages (issue #9)."""
        return within_scope(flt, self.ws.who.town_ids, self.ws.who.village_ids)

    def list(
        self, flt: RequestFilter, sort: Sort | None = None, offset: int = 0, limit: int = 200
    ) -> builtins.list[ServiceRequest]:
        return self.ws.requests.list(self._scoped(flt), sort or Sort(), self.ws.now(), offset, limit)

    def page(
        self,
        flt: RequestFilter,
        sort: Sort,
        limit: int,
        after: tuple[Any, ...] | None = None,
        skip: int = 0,
        reverse: bool = False,
    ) -> builtins.list[RequestListRow]:
        """The list's rows by keyset (store/requests.RequestStore.page)."""
        return self.ws.requests.page(self._scoped(flt), sort, self.ws.now(), limit, after, skip, reverse)

    def list_rows(self, ids: builtins.list[int], sort: Sort) -> builtins.list[RequestListRow]:
        """Fresh list rows for ``ids`` (a row outside the clerk's scope is left out)."""
        rows = self.ws.requests.list_rows(ids, sort)
        return [r for r in rows if self.ws.who.covers(r.town_id, r.village_id)]

    def count(self, flt: RequestFilter) -> int:
        return self.ws.requests.count(self._scoped(flt), self.ws.now())

    def ids(self, flt: RequestFilter, sort: Sort | None = None) -> builtins.list[int]:
        return self.ws.requests.ids(self._scoped(flt), sort or Sort(), self.ws.now())

    def events(self, request_id: int) -> builtins.list[RequestEvent]:
        return self.ws.requests.events(request_id)

    def preview_due(self, received_at: datetime, urgency: Any, category: str) -> DuePreview:
        """The due time a form shows before saving."""
        group = self._category_group(category)
        rules = self.ws.due_rules()
        due = duetime.due_at(received_at, urgency, group, rules)
        return DuePreview(
            due, duetime.describe_rule(urgency, group, rules), duetime.calendar_known(due.date())
        )

    def _category_group(self, category: str) -> str:
        item = self.ws.lookups.get("category", category)
        if item is None:
            raise NotFoundError(
                f"问题类别「{category}」不存在，请在「设置」中检查类别列表。", field="category"
            )
        return item.group_code

    # ---------------------------------------------------------------- intake
    def register(self, draft: RequestDraft, handler_id: int | None = None, note: str = "") -> ServiceRequest:
        """受理登记: save a new request (and dispatch it at once when ``handler_id`` is given)."""
        now = self.ws.now()
        draft = clean_request(draft, now)
        assert draft.received_at is not None
        village = self.ws.villages.get(draft.village_id)
        if village is None:
            raise NotFoundError("所选村街不存在，请重新选择。", field="village")
        if self.ws.lookups.get("channel", draft.channel) is None:
            raise NotFoundError(f"来源渠道「{draft.channel}」不存在。", field="channel")
        group = self._category_group(draft.category)
        grid_id = draft.grid_id
        person_name, person_phone, person_id = draft.person_name, draft.person_phone, draft.person_id_number
        if draft.resident_id is not None:
            resident = self.ws.residents.get(draft.resident_id)
            if resident is None:
                raise NotFoundError("所选服务对象不存在，请重新选择。", field="resident")
            person_name = person_name or resident.name
            person_phone = person_phone or resident.phone
            person_id = person_id or (resident.id_number or "")
            grid_id = grid_id if grid_id is not None else resident.grid_id
        if grid_id is not None:
            grid = self.ws.grids.get(grid_id)
            if grid is None or grid.village_id != village.id:
                raise ValidationError("所选网格不属于这个村街，请重新选择网格。", field="grid")
        if draft.external_number and self.ws.requests.id_by_external(draft.external_number) is not None:
            raise ConflictError(
                f"外部编号 {draft.external_number} 的工单已经登记过了，不能重复受理。",
                field="external_number",
            )
        due = duetime.due_at(draft.received_at, draft.urgency, group, self.ws.due_rules())
        with self.ws.atomic():
            number = draft.number or self._allocate_number(village.town_id, draft.received_at)
            if self.ws.requests.by_number(number) is not None:
                raise ConflictError(f"工单编号 {number} 已被使用。", field="number")
            request_id = self.ws.requests.add(
                {
                    "number": number,
                    "external_number": draft.external_number or None,
                    "received_at": dt_text(draft.received_at),
                    "channel": draft.channel,
                    "category": draft.category,
                    "urgency": draft.urgency.value,
                    "content": draft.content,
                    "town_id": village.town_id,
                    "village_id": village.id,
                    "grid_id": grid_id,
                    "resident_id": draft.resident_id,
                    "person_name": person_name,
                    "person_initials": name_initials(person_name) if person_name else "",
                    "person_phone": person_phone,
                    "person_phone_rev": reverse_digits(person_phone),
                    "person_id_number": person_id or None,
                    "status": Status.RECEIVED.value,
                    "due_at": dt_text(due),
                    "created_by": self.ws.actor,
                }
            )
            self.ws.requests.add_event(
                request_id,
                Action.RECEIVE.value,
                draft.received_at,
                self.ws.actor,
                None,
                Status.RECEIVED,
                note,
            )
            if handler_id is not None:
                self._apply(
                    request_id, Action.DISPATCH, max(now, draft.received_at), note="", handler_id=handler_id
                )
        return self.get(request_id)

    def _allocate_number(self, town_id: int, received_at: datetime) -> str:
        town = self.ws.towns.get(town_id)
        assert town is not None
        period = f"{received_at.year % 100:02d}{received_at.month:02d}"
        sequence = self.ws.requests.next_sequence(self.ws.device.tag, period)
        return format_number(town.code, self.ws.device.tag, received_at, sequence)

    # ---------------------------------------------------------------- lifecycle
    def dispatch(
        self, request_id: int, handler_id: int, note: str = "", at: datetime | None = None
    ) -> ServiceRequest:
        """派单 (or 转派 when already dispatched) to a grid member or cadre."""
        return self._act(request_id, Action.DISPATCH, at, note, handler_id=handler_id)

    def start(self, request_id: int, note: str = "", at: datetime | None = None) -> ServiceRequest:
        return self._act(request_id, Action.START, at, note)

    def complete(
        self, request_id: int, method: str, result: str, note: str = "", at: datetime | None = None
    ) -> ServiceRequest:
        """办结: the handling method and what was done are required."""
        return self._act(request_id, Action.COMPLETE, at, note, method=method, result=result)

    def follow_up(
        self,
        request_id: int,
        route: FeedbackRoute,
        satisfaction: Satisfaction,
        note: str = "",
        by: str = "",
        at: datetime | None = None,
    ) -> ServiceRequest:
        """回访: the route and the resident's rating are required."""
        return self._act(
            request_id, Action.FOLLOW_UP, at, note, route=route, satisfaction=satisfaction, by=by
        )

    def return_(self, request_id: int, note: str, at: datetime | None = None) -> ServiceRequest:
        """退回: the handler sends it back (wrong assignee); the reason is required."""
        return self._act(request_id, Action.RETURN, at, note)

    def cancel(self, request_id: int, note: str, at: datetime | None = None) -> ServiceRequest:
        """撤销: duplicate or withdrawn; the reason is required."""
        return self._act(request_id, Action.CANCEL, at, note)

    def reopen(self, request_id: int, note: str, at: datetime | None = None) -> ServiceRequest:
        """重新办理: after 不满意 (or a completion that did not hold); the reason is required."""
        return self._act(request_id, Action.REOPEN, at, note)

    def escalate(self, request_id: int, note: str = "", at: datetime | None = None) -> ServiceRequest:
        """督办: supervision of an overdue or stuck request."""
        return self._act(request_id, Action.ESCALATE, at, note)

    def mark_printed(self, request_ids: builtins.list[int], at: datetime | None = None) -> None:
        """Record in each request's history that its work order was printed (one transaction)."""
        when = at or self.ws.now()
        with self.ws.atomic():
            for request_id in request_ids:
                self._apply(request_id, Action.PRINT, when, note="")

    def _act(
        self, request_id: int, action: Action, at: datetime | None, note: str, **data: Any
    ) -> ServiceRequest:
        with self.ws.atomic():
            self._apply(request_id, action, at or self.ws.now(), note, **data)
        return self.get(request_id)

    def _apply(self, request_id: int, action: Action, at: datetime, note: str, **data: Any) -> None:
        """Check and apply one action inside the caller's transaction."""
        request = self.get(request_id)
        target = lifecycle.next_status(action, request.status, request.satisfaction)
        note = (note or "").strip()
        if at < request.received_at:
            raise ValidationError(
                f"「{action.label}」的时间（{at:%Y-%m-%d %H:%M}）早于受理时间（{request.received_at:%Y-%m-%d %H:%M}），请核对。",
                field="at",
            )
        if at > self.ws.now():
            raise ValidationError(f"「{action.label}」的时间不能晚于现在。", field="at")
        # A back-dated step must not land before the step it follows: the history is read in
        # time order (the month's figures as of a moment), so it has to stay in order.
        history = self.ws.requests.events(request_id)
        if history and at < history[-1].at:
            previous = history[-1]
            label = Action(previous.action).label if previous.action in set(Action) else previous.action
            raise ValidationError(
                f"「{action.label}」的时间（{at:%Y-%m-%d %H:%M}）早于上一步「{label}」的时间"
                f"（{previous.at:%Y-%m-%d %H:%M}），请核对。",
                field="at",
            )
        changes: dict[str, Any] = {"status": target.value}
        when = str(dt_text(at))
        event: dict[str, Any] = {}
        needs = lifecycle.required_fields(action)
        if "note" in needs and not note:
            raise ValidationError(f"请填写「{action.label}」的原因。", field="note")
        if action is Action.DISPATCH:
            member = self.ws.members.get(int(data["handler_id"]))
            if member is None:
                raise NotFoundError("所选承办人不存在，请重新选择。", field="handler")
            if not member.active:
                raise ValidationError(f"{member.name}已不在岗，请改派其他网格员。", field="handler")
            if request.status is Status.DISPATCHED and request.handler_id == member.id:
                raise ValidationError(f"工单已经派给{member.name}了。", field="handler")
            changes.update(lifecycle.row_effect(action, when, handler_id=member.id))
            event.update(handler_id=member.id, handler=member.name, previous_handler_id=request.handler_id)
        elif action is Action.START:
            changes.update(lifecycle.row_effect(action, when))
        elif action is Action.COMPLETE:
            method = str(data.get("method") or "")
            result = str(data.get("result") or "").strip()
            if not method or self.ws.lookups.get("method", method) is None:
                raise ValidationError("请选择办理方式（现场办结、代办代跑……）。", field="method")
            if not result:
                raise ValidationError("请填写办理结果：为群众办了什么、办成了没有。", field="result")
            changes.update(lifecycle.row_effect(action, when, method=method, result=result))
            event.update(method=method, result=result)
        elif action is Action.FOLLOW_UP:
            route, satisfaction = data.get("route"), data.get("satisfaction")
            if not isinstance(route, FeedbackRoute):
                raise ValidationError("请选择回访方式（电话回访或上门回访）。", field="route")
            if not isinstance(satisfaction, Satisfaction):
                raise ValidationError("请选择群众的满意度。", field="satisfaction")
            if request.completed_at is not None and at < request.completed_at:
                raise ValidationError("回访时间不能早于办结时间。", field="at")
            by = str(data.get("by") or self.ws.actor)
            changes.update(
                lifecycle.row_effect(action, when, route=route.value, satisfaction=satisfaction.value, by=by)
            )
            event.update(route=route.value, satisfaction=satisfaction.value, by=by)
        elif action is Action.RETURN:
            changes.update(lifecycle.row_effect(action, when))
            event.update(previous_handler_id=request.handler_id)
        elif action is Action.CANCEL:
            changes.update(lifecycle.row_effect(action, when))
        elif action is Action.REOPEN:
            # The completion did not hold: the request is open again. The old completion and
            # rating stay in the history (the events), where the month's figures read them.
            changes.update(lifecycle.row_effect(action, when))
            event.update(previous_satisfaction=request.satisfaction.value if request.satisfaction else None)
        elif action is Action.ESCALATE:
            changes["escalations"] = request.escalations + 1
        elif action is Action.PRINT:
            changes = lifecycle.row_effect(action, when)  # printing leaves the status as it is
        self.ws.requests.update(request_id, changes)
        self.ws.requests.add_event(
            request_id, action.value, at, self.ws.actor, request.status, target, note, event
        )
