"""Importing service requests (服务工单) from a spreadsheet, with a consistent history.

A row is the same request as one in the database when its 工单编号 matches, else its 外部编号
(another system's number), else — for sheets with neither — its 受理时间 + 村街 + 诉求内容.

Every imported request gets the events its status implies (受理, 派单, 开始办理, 办结, 回访,
撤销) at the times the sheet gives, checked step by step against the lifecycle, so the history
and the figures read from it agree with the row (``check`` verifies this). The history is
append-only: a row may move a request forward (the village sends back 办结 and 回访), but it
cannot rewrite steps already recorded; such rows are refused with the difference named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from xianghe_desk.domain import duetime, lifecycle
from xianghe_desk.domain.enums import Action, Status
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.lifecycle import row_effect
from xianghe_desk.domain.models import Member, Resident, ServiceRequest
from xianghe_desk.domain.numbering import format_number, parse_number
from xianghe_desk.domain.pinyin import name_initials
from xianghe_desk.services.import_request_rows import STAGE, RequestRow, RequestRowReader, fmt_time
from xianghe_desk.services.import_rows import (
    Cells,
    ImportContext,
    PlannedRow,
    Planner,
    RowAction,
    out_of_scope,
)
from xianghe_desk.services.people import MemberService, ResidentService
from xianghe_desk.services.requests import RequestService
from xianghe_desk.store.base import dt_text, reverse_digits
from xianghe_desk.store.imports import ImportStore

EDIT_LABELS: Final = {
    "channel": "来源渠道",
    "category": "问题类别",
    "content": "诉求内容",
    "urgency": "紧急程度",
    "town_id": "所属镇",
    "village_id": "所属村街",
    "grid_id": "所属网格",
    "person_name": "服务对象姓名",
    "person_phone": "联系电话",
    "person_id_number": "身份证号",
    "external_number": "外部编号",
    "result": "办理结果",
    "handler_id": "承办人",
}


@dataclass
class _Step:
    action: Action
    at: datetime
    changes: dict[str, Any]
    data: dict[str, Any] = field(default_factory=dict)
    note: str = ""


@dataclass
class _Work:
    request_id: int | None  # None: a new request
    fields: dict[str, Any]  # a new request's row, or the edited fields of an existing one
    steps: list[_Step]
    status: Status  # the status before the steps
    number: str = ""
    town_code: str = ""
    received_at: datetime | None = None
    edits: tuple[str, ...] = ()


class RequestPlanner(Planner):
    kind = "requests"

    def __init__(self, ctx: ImportContext) -> None:
        super().__init__(ctx)
        self.store = ImportStore(self.ws.db, self.ws.device.tag)
        self.requests = RequestService(self.ws)
        self.residents = ResidentService(self.ws)
        self.member_service = MemberService(self.ws)
        self.reader = RequestRowReader(ctx)
        self.categories = self.reader.categories
        self.methods = self.reader.methods
        self.rules = self.ws.due_rules()
        self.by_number: dict[str, int] = {}
        self.by_external: dict[str, int] = {}
        self.by_content: dict[tuple[str, int, str], int] = {}
        for request_id, number, external, received, village_id, content in self.store.request_keys():
            self.by_number[number] = request_id
            if external:
                self.by_external.setdefault(external, request_id)
            self.by_content.setdefault((received, village_id, content), request_id)
        self._default_handlers: dict[int, Member | None] = {}

    # ---- reading a row -------------------------------------------------------------------------

    # ---- planning ------------------------------------------------------------------------------

    def plan_row(self, cells: Cells) -> PlannedRow:
        parsed = self.reader.read(cells)
        label = f"{cells.text('受理时间')[:16]} {cells.text('诉求内容')[:24]}".strip()
        if parsed is None:
            return self.refused(cells, label)
        p = parsed
        natural = (dt_text(p.received_at) or "", p.village_id, p.content)
        keys: list[tuple[str, object]] = [("number", p.number)] if p.number else []
        keys += [("external", p.external)] if p.external else []
        keys.append(("natural", natural))
        for key in keys:
            earlier = self._seen.get(key)
            if earlier is not None:
                what = {"number": "工单编号", "external": "外部编号", "natural": "受理时间、村街和诉求内容"}[
                    key[0]
                ]
                column = {"number": "工单编号", "external": "外部编号", "natural": "诉求内容"}[key[0]]
                cells.refuse(column, f"与第{earlier}行重复（{what}相同），是同一张工单。请删掉重复的一行。")
                return self.refused(cells, label)
        for key in keys:
            self._seen[key] = cells.number
        request_id = self._identify(cells, p, natural)
        if cells.problems:
            return self.refused(cells, label)
        if request_id is None:
            return self._plan_new(cells, p, label)
        request = self.requests.get(request_id)
        outside = out_of_scope(self.ws, request.town_id, request.village_id)
        if outside:
            cells.refuse("工单编号" if p.number else "外部编号" if p.external else "所属村街", outside)
            return self.refused(cells, f"{request.number} {label}")
        cells.masked_against({"联系电话": request.person_phone, "身份证号": request.person_id_number})
        return self._plan_existing(cells, p, request, label)

    def _identify(self, cells: Cells, p: RequestRow, natural: tuple[str, int, str]) -> int | None:
        by_number = self.by_number.get(p.number) if p.number else None
        by_external = self.by_external.get(p.external) if p.external else None
        if by_number is not None and by_external is not None and by_number != by_external:
            other = self.requests.get(by_external).number
            cells.refuse(
                "外部编号",
                f"外部编号 {p.external} 已登记在工单 {other} 上，与本行的工单编号 {p.number} 不符，请核对。",
            )
            return None
        if p.number and by_number is None and by_external is not None:
            other = self.requests.get(by_external).number
            cells.refuse(
                "工单编号",
                f"外部编号 {p.external} 已登记为工单 {other}，本行的工单编号却是 {p.number}，请核对是哪一张。",
            )
            return None
        if by_number is not None:
            return by_number
        if by_external is not None:
            return by_external
        if not p.number and not p.external:
            return self.by_content.get(natural)
        return None

    def _default_handler(self, grid_id: int | None) -> Member | None:
        if grid_id is None:
            return None
        if grid_id not in self._default_handlers:
            self._default_handlers[grid_id] = self.member_service.default_handler(grid_id)
        return self._default_handlers[grid_id]

    def _steps(self, p: RequestRow, start: Status, handler: Member | None, first_at: datetime) -> list[_Step]:
        """The lifecycle steps from ``start`` to the row's status, at the sheet's times.

        Times the sheet leaves out follow the contract's defaults: 派单时间 defaults to 受理时间
        (``first_at`` for a request already in the database), 回访时间 to 办结时间. The sheet
        has no column for when handling started or a request was cancelled: 开始办理 is put at
        the dispatch, 撤销 at the last time the row gives.
        """
        steps: list[_Step] = []
        target = p.status
        dispatched_at = p.dispatched_at or first_at
        reach = STAGE.get(target, 0)
        if target is Status.CANCELLED:
            reach = 1 if (p.handler is not None or p.dispatched_at is not None) else 0
        if STAGE.get(start, 0) < 1 <= reach:
            # Handler: the sheet's 承办人, else the grid's default member. A 12345 list often
            # names no member of ours; the request is then recorded as dispatched without a
            # handler (the clerk can 转派 it on the desk) rather than refused or guessed.
            note = "" if handler is not None else "表格未写承办人，所属网格也没有默认网格员"
            data = {"handler_id": handler.id if handler else None, "handler": handler.name if handler else ""}
            steps.append(
                _Step(
                    Action.DISPATCH,
                    dispatched_at,
                    row_effect(
                        Action.DISPATCH,
                        str(dt_text(dispatched_at)),
                        handler_id=handler.id if handler else None,
                    ),
                    data,
                    note,
                )
            )
        if target is Status.IN_PROGRESS and STAGE.get(start, 0) < 2:
            steps.append(
                _Step(Action.START, dispatched_at, row_effect(Action.START, str(dt_text(dispatched_at))))
            )
        if STAGE.get(target, 0) >= 3 > STAGE.get(start, 0) and p.completed_at is not None:
            data = {"method": p.method, "result": p.result}
            changes = row_effect(
                Action.COMPLETE, str(dt_text(p.completed_at)), method=p.method, result=p.result
            )
            steps.append(_Step(Action.COMPLETE, p.completed_at, changes, data))
        if target is Status.CLOSED and start is not Status.CLOSED and p.route and p.satisfaction:
            at = p.feedback_at or p.completed_at or first_at
            by = self.ws.actor
            changes = row_effect(
                Action.FOLLOW_UP,
                str(dt_text(at)),
                route=p.route.value,
                satisfaction=p.satisfaction.value,
                by=by,
            )
            data = {"route": p.route.value, "satisfaction": p.satisfaction.value, "by": by}
            steps.append(_Step(Action.FOLLOW_UP, at, changes, data))
        if target is Status.CANCELLED and start is not Status.CANCELLED:
            at = max(t for t in (first_at, p.dispatched_at, p.received_at) if t is not None)
            steps.append(
                _Step(
                    Action.CANCEL,
                    at,
                    row_effect(Action.CANCEL, str(dt_text(at))),
                    note="表格中的状态为已撤销",
                )
            )
        return steps

    def _plan_new(self, cells: Cells, p: RequestRow, label: str) -> PlannedRow:
        resident = self.residents.by_id_number(p.person_id) if p.person_id else None
        if resident is not None:
            left = _left_before(resident, p.received_at, cells.number)
            if left:
                cells.refuse("身份证号", left)
                return self.refused(cells, label)
        grid_id = p.grid_id if p.grid_id is not None else (resident.grid_id if resident else None)
        person_name = p.person_name or (resident.name if resident else "")
        person_phone = p.person_phone or (resident.phone if resident else "")
        handler = p.handler or self._default_handler(grid_id)
        group = self.categories.groups.get(p.category, "")
        due = duetime.due_at(p.received_at, p.urgency, group, self.rules)
        fields = {
            "number": p.number,
            "external_number": p.external or None,
            "received_at": dt_text(p.received_at),
            "channel": p.channel,
            "category": p.category,
            "urgency": p.urgency.value,
            "content": p.content,
            "town_id": p.town_id,
            "village_id": p.village_id,
            "grid_id": grid_id,
            "resident_id": resident.id if resident else None,
            "person_name": person_name,
            "person_initials": name_initials(person_name) if person_name else "",
            "person_phone": person_phone,
            "person_phone_rev": reverse_digits(person_phone),
            "person_id_number": p.person_id or None,
            "status": Status.RECEIVED.value,
            "due_at": dt_text(due),
            "created_by": self.ws.actor,
        }
        steps = self._steps(p, Status.RECEIVED, handler, p.received_at)
        if not self._check_steps(cells, Status.RECEIVED, None, steps):
            return self.refused(cells, label)
        work = _Work(None, fields, steps, Status.RECEIVED, p.number, p.town_code, p.received_at)
        note = f"状态：{p.status.label}" + (f"；{steps[0].note}" if steps and steps[0].note else "")
        return PlannedRow(cells.number, RowAction.ADD, label, note=note, work=work)

    def _check_steps(
        self, cells: Cells, start: Status, current: ServiceRequest | None, steps: list[_Step]
    ) -> bool:
        status = start
        satisfaction = current.satisfaction if current else None
        for step in steps:
            try:
                status = lifecycle.next_status(step.action, status, satisfaction)
            except ValidationError as exc:
                cells.refuse("状态", exc.message)
                return False
        return True

    def _edits(self, cells: Cells, p: RequestRow, r: ServiceRequest) -> dict[str, Any]:
        """Fields of a known request that the row changes (non-empty cells only)."""
        given: dict[str, Any] = {
            "channel": p.channel,
            "category": p.category,
            "content": p.content,
            "town_id": p.town_id,
            "village_id": p.village_id,
        }
        if cells.has("紧急程度"):
            given["urgency"] = p.urgency
        for key, value in (
            ("grid_id", p.grid_id),
            ("person_name", p.person_name),
            ("person_phone", p.person_phone),
            ("person_id_number", p.person_id),
            ("external_number", p.external),
        ):
            if value:
                given[key] = value
        current = {key: getattr(r, key) for key in given}
        # Filling in what the database left empty is an edit, not a rewrite of the history.
        if p.result and not r.result and r.status.is_done:
            given["result"], current["result"] = p.result, r.result
        if p.handler is not None and r.handler_id is None and r.status is not Status.RECEIVED:
            given["handler_id"], current["handler_id"] = p.handler.id, None
        return {key: value for key, value in given.items() if current.get(key) != value}

    def _recorded_differences(self, cells: Cells, p: RequestRow, r: ServiceRequest) -> None:
        """Facts of steps both the sheet and the database have passed must agree."""
        reached = STAGE.get(r.status, 0) if r.status is not Status.CANCELLED else 0
        sheet = STAGE.get(p.status, 0) if p.status is not Status.CANCELLED else 0
        shared = min(reached, sheet)
        pairs: list[tuple[str, Any, Any, str, str]] = [
            ("受理时间", p.received_at, r.received_at, fmt_time(p.received_at), fmt_time(r.received_at))
        ]
        if shared >= 1:
            if p.dispatched_at is not None:
                pairs.append(
                    (
                        "派单时间",
                        p.dispatched_at,
                        r.dispatched_at,
                        fmt_time(p.dispatched_at),
                        fmt_time(r.dispatched_at),
                    )
                )
            if p.handler is not None and r.handler_id is not None:
                pairs.append(("承办人", p.handler.id, r.handler_id, p.handler.name, r.handler_name))
        if shared >= 3:
            pairs.append(
                (
                    "办结时间",
                    p.completed_at,
                    r.completed_at,
                    fmt_time(p.completed_at),
                    fmt_time(r.completed_at),
                )
            )
            pairs.append(
                ("办理方式", p.method, r.method, self.methods.names.get(p.method, ""), r.method_name)
            )
            if p.result and r.result:
                pairs.append(("办理结果", p.result, r.result, p.result[:20], r.result[:20]))
        if shared >= 4:
            if p.feedback_at is not None:
                pairs.append(
                    (
                        "回访时间",
                        p.feedback_at,
                        r.feedback_at,
                        fmt_time(p.feedback_at),
                        fmt_time(r.feedback_at),
                    )
                )
            pairs.append(
                (
                    "回访方式",
                    p.route,
                    r.feedback_route,
                    p.route.label if p.route else "",
                    _label(r.feedback_route),
                )
            )
            pairs.append(
                ("满意度", p.satisfaction, r.satisfaction, _label(p.satisfaction), _label(r.satisfaction))
            )
        for column, mine, theirs, mine_text, theirs_text in pairs:
            if mine != theirs:
                cells.refuse(
                    column,
                    f"工单 {r.number} 在本机登记的{column}是「{theirs_text}」，表格里是「{mine_text}」。"
                    "已登记的办理记录不能用表格改写；请核对表格，或在工单详情中办理。",
                )

    def _plan_existing(self, cells: Cells, p: RequestRow, r: ServiceRequest, label: str) -> PlannedRow:
        label = f"{r.number} {label}"
        self._recorded_differences(cells, p, r)
        edits = self._edits(cells, p, r)
        if edits and r.status is Status.CANCELLED:
            cells.refuse("状态", f"工单 {r.number} 已撤销，不能再修改。")
        steps: list[_Step] = []
        note = ""
        sheet_stage = STAGE.get(p.status, -1)
        current_stage = STAGE.get(r.status, -1)
        if p.status is Status.CANCELLED and r.status.is_done:
            cells.refuse("状态", f"工单 {r.number} 在本机已「{r.status.label}」，不能撤销。")
        elif p.status is not r.status and (
            p.status is Status.CANCELLED or (r.status is not Status.CANCELLED and sheet_stage > current_stage)
        ):
            last = max(e.at for e in self.ws.requests.events(r.id))
            handler = p.handler or (None if r.handler_id is None else _member_of(r))
            if handler is None and r.status is Status.RECEIVED:
                handler = self._default_handler(edits.get("grid_id", r.grid_id))
            # Steps already taken in this copy keep their times; new ones follow the sheet.
            steps = self._steps(p, r.status, handler, max(last, r.received_at))
            for step in steps:
                if step.at < last:
                    column = {Action.DISPATCH: "派单时间", Action.COMPLETE: "办结时间"}.get(
                        step.action, "回访时间"
                    )
                    cells.refuse(
                        column,
                        f"「{step.action.label}」的时间 {fmt_time(step.at)} 早于工单 {r.number} 在本机最近的办理记录"
                        f"（{fmt_time(last)}），请核对。",
                    )
                    break
            if not cells.problems:
                self._check_steps(cells, r.status, r, steps)
        elif p.status is not r.status:
            note = f"本机的办理进度更新（{r.status.label}），保持不变"
        if cells.problems:
            return self.refused(cells, label)
        if not edits and not steps:
            return PlannedRow(cells.number, RowAction.SAME, label, note=note)
        changes = tuple(EDIT_LABELS[key] for key in edits) + (("状态",) if steps else ())
        if edits.keys() & {"urgency", "category"}:
            group = self.categories.groups.get(edits.get("category", r.category), "")
            edits["due_at"] = dt_text(
                duetime.due_at(r.received_at, edits.get("urgency", r.urgency), group, self.rules)
            )
        if "person_name" in edits:
            edits["person_initials"] = name_initials(edits["person_name"])
        if "person_phone" in edits:
            edits["person_phone_rev"] = reverse_digits(edits["person_phone"])
        if "urgency" in edits:
            edits["urgency"] = edits["urgency"].value
        work = _Work(
            r.id,
            edits,
            steps,
            r.status,
            r.number,
            edits=tuple(EDIT_LABELS[k] for k in edits if k in EDIT_LABELS),
        )
        return PlannedRow(cells.number, RowAction.UPDATE, label, changes=changes, note=note, work=work)

    # ---- writing -------------------------------------------------------------------------------

    def apply(self, rows: list[PlannedRow]) -> None:
        ws = self.ws
        source = self.ctx.sheet.source
        for row in rows:
            work: _Work = row.work
            note = f"表格导入：{source} 第{row.row}行"
            if work.request_id is None:
                request_id = self._insert(work, note)
            else:
                request_id = work.request_id
                if work.fields:
                    ws.requests.update(request_id, dict(work.fields))
                    ws.requests.add_event(
                        request_id,
                        Action.EDIT.value,
                        ws.now(),
                        ws.actor,
                        work.status,
                        work.status,
                        note,
                        {"fields": list(work.edits)},
                    )
            status = work.status
            for step in work.steps:
                target = lifecycle.next_status(step.action, status)
                ws.requests.update(request_id, {"status": target.value, **step.changes})
                ws.requests.add_event(
                    request_id,
                    step.action.value,
                    step.at,
                    ws.actor,
                    status,
                    target,
                    "；".join(x for x in (note, step.note) if x),
                    step.data,
                )
                status = target

    def _insert(self, work: _Work, note: str) -> int:
        ws = self.ws
        fields = dict(work.fields)
        assert work.received_at is not None
        number = work.number
        tag = ws.device.tag
        period = f"{work.received_at.year % 100:02d}{work.received_at.month:02d}"
        if not number:
            number = format_number(
                work.town_code, tag, work.received_at, ws.requests.next_sequence(tag, period)
            )
        else:
            parsed = parse_number(number)
            if parsed is not None and parsed.device_tag == tag:
                # A number this copy handed out once (an old export of this database): never
                # hand it out again.
                own_period = f"{parsed.year:02d}{parsed.month:02d}"
                self.store.raise_sequence(tag, own_period, parsed.sequence)
        fields["number"] = number
        request_id = ws.requests.add(fields)
        ws.requests.add_event(
            request_id, Action.RECEIVE.value, work.received_at, ws.actor, None, Status.RECEIVED, note, {}
        )
        return request_id


def _label(value: Any) -> str:
    return str(getattr(value, "label", "")) if value is not None else ""


def _member_of(r: ServiceRequest) -> Member | None:
    if r.handler_id is None:
        return None
    return Member(id=r.handler_id, name=r.handler_name, phone=r.handler_phone, town_id=r.town_id)


def _left_before(resident: Resident, received_at: datetime, row: int) -> str:
    """Why a row may not register a new request for ``resident``: moved away or deceased on or
    before the day it was received (受理登记 refuses the same, operations/requests.py), else ""."""
    status = resident.status_info
    if not status.left_on(received_at.date()):
        return ""
    when = f"于 {status.since:%Y-%m-%d} " if status.since else ""
    return (
        f"第{row}行的服务对象{resident.name}已{when}{status.status.label}（本行受理时间 {received_at:%Y-%m-%d %H:%M}），"
        "不能再为其登记新的工单。如确有需要（例如补登其生前的诉求，或家属代办后事），请从表格中删掉这一行，"
        "在「受理登记」里登记并选择「仍要登记」；如状态登记错了，请先在服务对象详情中改回「在册」，再重新导入。"
    )
