"""One request: everything about it, its whole history, and the workflow actions allowed right now."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain import lifecycle
from xianghe_desk.domain.access import Permission
from xianghe_desk.domain.enums import Action, FeedbackRoute, Satisfaction, Status
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.models import RequestEvent, ServiceRequest
from xianghe_desk.operations import requests as request_ops
from xianghe_desk.operations.base import OpResult
from xianghe_desk.operations.people import reveal_id_number
from xianghe_desk.services.audit import KIND_LABELS
from xianghe_desk.services.people import mask_id_number
from xianghe_desk.ui import printing
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.dialogs.complete_dialog import CompleteDialog
from xianghe_desk.ui.dialogs.dispatch_dialog import DispatchDialog
from xianghe_desk.ui.dialogs.follow_up_dialog import FollowUpDialog
from xianghe_desk.ui.dialogs.reason_dialog import ReasonDialog
from xianghe_desk.ui.errors import show_job_failure
from xianghe_desk.ui.operations import run_op
from xianghe_desk.ui.roles import allow
from xianghe_desk.ui.settings import DETAIL_GEOMETRY, desk_settings
from xianghe_desk.ui.widgets.fmt import WARNING_SIGN, fmt_dt, overdue_text
from xianghe_desk.ui.widgets.look import ALERT, emphasise, set_text_colour

log = logging.getLogger(__name__)

# Wording of the reason dialogs: (title, explanation, label, required, placeholder).
REASONS: dict[Action, tuple[str, str, str, bool, str]] = {
    Action.RETURN: (
        "退回",
        "承办人无法办理（如派错了人）时退回，工单回到「待派单」，可重新派单。",
        "退回原因",
        True,
        "例如：不属于本网格，应由王家村网格员办理",
    ),
    Action.CANCEL: (
        "撤销",
        "重复登记或群众撤回诉求时撤销。撤销后不能再办理，也不计入受理数。",
        "撤销原因",
        True,
        "例如：与工单 101-XXXX-2611-0001 重复",
    ),
    Action.REOPEN: (
        "重新办理",
        "群众不满意或问题没有真正解决时重新办理，工单回到「办理中」。原办结和回访记录会保留在办理记录里。",
        "重新办理的原因",
        True,
        "例如：回访时群众反映水管仍在漏水",
    ),
    Action.ESCALATE: (
        "督办",
        "对超期或进展缓慢的工单进行督办，督办次数会记入工单。",
        "督办意见",
        False,
        "例如：请于今天下班前办结并回复",
    ),
}

# How a note reads in the timeline, per action.
NOTE_PREFIXES = {
    Action.DISPATCH.value: "派单说明：",
    Action.FOLLOW_UP.value: "群众意见：",
    Action.RETURN.value: "原因：",
    Action.CANCEL.value: "原因：",
    Action.REOPEN.value: "原因：",
    Action.ESCALATE.value: "督办意见：",
}

INFO_FIELDS = (
    ("received_at", "受理时间"),
    ("channel", "来源渠道"),
    ("category", "问题类别"),
    ("person", "服务对象"),
    ("phone", "联系电话"),
    ("id_number", "身份证号"),
    ("place", "所属村街"),
    ("grid", "网格"),
    ("resident", "服务类别"),
    ("urgency", "紧急程度"),
    ("due_at", "办理时限"),
    ("created_by", "登记人"),
    ("handler", "承办人"),
    ("dispatched_at", "派单时间"),
    ("escalations", "督办次数"),
    ("completed_at", "办结时间"),
    ("method", "办理方式"),
    ("printed_at", "工单打印"),
)
WIDE_FIELDS = (
    ("address", "居住地址"),
    ("content", "诉求内容"),
    ("result", "办理结果"),
    ("feedback", "回访"),
)

BUTTON_ORDER = (
    Action.DISPATCH,
    Action.START,
    Action.COMPLETE,
    Action.FOLLOW_UP,
    Action.ESCALATE,
    Action.RETURN,
    Action.REOPEN,
    Action.CANCEL,
)


def action_label(action: str) -> str:
    try:
        return Action(action).label
    except ValueError:
        return action


# Audit rows that repeat a history event of the request (its own events say who did them); the
# others (a revealed ID number, a deletion, a decided conflict …) join the timeline.
_SHOWN_AS_EVENTS = ("request.", "print.work_orders")


@dataclass(frozen=True)
class TimelineRow:
    at: datetime
    action: str
    actor: str
    change: str
    details: str


class RequestDetailDialog(QDialog):
    """The request's fields, its timeline, and one button per action ``lifecycle.allowed_actions`` offers.

    Each action asks for its values in a small dialog, then runs as one write job; when it is done
    the dialog reloads and ``requests_changed([id])`` updates the list row in place.
    """

    def __init__(self, ctx: DeskContext, request_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.request_id = request_id
        self.request: ServiceRequest | None = None
        self.lookups = ctx.lookups
        self.revealed: str | None = None
        self._member_names: dict[int, str] = {}
        self._busy = False
        self.setWindowTitle("工单详情")
        self._init_widgets()
        self._init_shortcuts()
        ctx.events.requests_changed.connect(self._on_requests_changed)
        self.reload()
        self._restore_geometry()

    # ------------------------------------------------------------------ building
    def _init_widgets(self) -> None:
        layout = QVBoxLayout(self)
        self.title_label = QLabel(self)
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.alert_label = QLabel(self)
        set_text_colour(self.alert_label, ALERT)
        emphasise(self.alert_label)
        header = QHBoxLayout()
        header.addWidget(self.title_label)
        header.addStretch(1)
        header.addWidget(self.alert_label)
        layout.addLayout(header)

        # Three label/value pairs per row; the long texts get whole rows below.
        info_box = QGroupBox("基本信息", self)
        grid = QGridLayout(info_box)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        self.info_labels: dict[str, QLabel] = {}
        for index, (key, text) in enumerate(INFO_FIELDS):
            row, column = divmod(index, 3)
            name = QLabel(text + "：", info_box)
            name.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            value = self._value_label(info_box)
            self.info_labels[key] = value
            grid.addWidget(name, row, column * 2)
            grid.addWidget(value, row, column * 2 + 1)
        rows = (len(INFO_FIELDS) + 2) // 3
        for offset, (key, text) in enumerate(WIDE_FIELDS):
            name = QLabel(text + "：", info_box)
            name.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            value = self._value_label(info_box)
            self.info_labels[key] = value
            grid.addWidget(name, rows + offset, 0)
            grid.addWidget(value, rows + offset, 1, 1, 5)
        for column in (1, 3, 5):
            grid.setColumnStretch(column, 1)
        # The full ID number, on purpose and audited (issue #9 §5): a small link beside it.
        self.reveal_button = QPushButton("显示完整号码", info_box)
        self.reveal_button.setAutoDefault(False)
        self.reveal_button.setFlat(True)
        self.reveal_button.setToolTip("显示完整的身份证号（会记入操作日志）")
        self.reveal_button.clicked.connect(self.reveal_id_number)
        index = next(i for i, (key, _t) in enumerate(INFO_FIELDS) if key == "id_number")
        row, column = divmod(index, 3)
        holder = QHBoxLayout()
        grid.removeWidget(self.info_labels["id_number"])
        holder.addWidget(self.info_labels["id_number"], 1)
        holder.addWidget(self.reveal_button)
        grid.addLayout(holder, row, column * 2 + 1)
        layout.addWidget(info_box)

        history_box = QGroupBox("办理记录", self)
        history_layout = QVBoxLayout(history_box)
        self.timeline = QTableWidget(0, 5, history_box)
        self.timeline.setHorizontalHeaderLabels(["时间", "操作", "操作人", "从→到", "备注/详情"])
        self.timeline.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.timeline.setTabKeyNavigation(False)  # Tab moves on to the buttons
        self.timeline.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.timeline.verticalHeader().setVisible(False)
        self.timeline.setWordWrap(True)
        self.timeline.setAlternatingRowColors(True)
        header_view = self.timeline.horizontalHeader()
        header_view.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column in range(4):
            header_view.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header_view.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        # Long details wrap; row heights follow the details column's width.
        header_view.sectionResized.connect(self._on_timeline_section_resized)
        history_layout.addWidget(self.timeline)
        layout.addWidget(history_box, 1)

        self.hint_label = QLabel(self)
        self.hint_label.setWordWrap(True)
        layout.addWidget(self.hint_label)
        buttons = QHBoxLayout()
        self.action_buttons: dict[Action, QPushButton] = {}
        for action in BUTTON_ORDER:
            button = QPushButton(action.label, self)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _checked=False, a=action: self.run_action(a))
            self.action_buttons[action] = button
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.print_button = QPushButton("打印工单", self)
        self.print_button.setAutoDefault(False)
        self.print_button.setToolTip("打印这张工单（含二维码），交给承办人（Ctrl+P）")
        self.print_button.clicked.connect(self._on_print_clicked)
        buttons.addWidget(self.print_button)
        close = QPushButton("关闭", self)
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        buttons.addWidget(close)
        layout.addLayout(buttons)

    @staticmethod
    def _value_label(parent: QWidget) -> QLabel:
        label = QLabel(parent)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        return label

    def _init_shortcuts(self) -> None:
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.reload)
        QShortcut(QKeySequence("Ctrl+P"), self, self._on_print_clicked)

    def _restore_geometry(self) -> None:
        state = desk_settings().get(DETAIL_GEOMETRY)
        if not state or not self.restoreGeometry(state):
            height = self.fontMetrics().height()
            screen = self.screen().availableGeometry() if self.screen() else None
            width_limit = int(screen.width() * 0.92) if screen else 1240
            height_limit = int(screen.height() * 0.9) if screen else 700
            self.resize(min(78 * height, width_limit, 1400), min(46 * height, height_limit))

    def done(self, result: int) -> None:
        desk_settings().set(DETAIL_GEOMETRY, bytes(self.saveGeometry().data()))
        try:
            self.ctx.events.requests_changed.disconnect(self._on_requests_changed)
        except (RuntimeError, TypeError):
            pass
        super().done(result)

    # ------------------------------------------------------------------ showing
    def reload(self) -> None:
        try:
            request = self.ctx.requests.get(self.request_id)
        except ValidationError as exc:
            self.title_label.setText(exc.message)
            for button in self.action_buttons.values():
                button.setVisible(False)
            return
        self.show_request(request, self.ctx.requests.events(self.request_id))

    def show_request(self, request: ServiceRequest, events: list[RequestEvent]) -> None:
        self.request = request
        now = self.ctx.now()
        self.setWindowTitle(f"工单详情 — {request.number}")
        self.title_label.setText(
            f"<span style='font-size:large'><b>工单 {request.number}</b></span>"
            f"　状态：<b>{request.status.label}</b>"
        )
        alerts = []
        late = overdue_text(request, now)
        if late:
            alerts.append(late)
        if request.urgency.value == "urgent" and request.status.is_open:
            alerts.append("紧急")
        self.alert_label.setText(f"{WARNING_SIGN} " + "，".join(alerts) if alerts else "")
        self._fill_info(request)
        self._set("content", request.content)
        self._fill_timeline(events)
        self._update_buttons()

    def _set(self, key: str, text: str) -> None:
        self.info_labels[key].setText(text or "—")

    def _fill_info(self, r: ServiceRequest) -> None:
        group = self.lookups.group_label(r.category_group) if r.category_group else ""
        rule = (
            self.ctx.requests.preview_due(r.received_at, r.urgency, r.category).rule
            if r.category_group
            else ""
        )
        self._set("received_at", fmt_dt(r.received_at))
        self._set(
            "channel", r.channel_name + (f"（外部编号 {r.external_number}）" if r.external_number else "")
        )
        self._set("category", f"{group} · {r.category_name}" if group else r.category_name)
        self._set("urgency", r.urgency.label)
        self._set("due_at", fmt_dt(r.due_at) + (f"（{rule}）" if rule else ""))
        self._set("person", r.person_name)
        self._set("phone", r.person_phone)
        self._set("id_number", self.revealed or mask_id_number(self._id_number(r)))
        tags, address = "", ""
        if r.resident_id is not None:
            try:
                resident = self.ctx.residents.get(r.resident_id)
            except ValidationError:
                resident = None
            if resident is not None:
                tags = "、".join(t.label for t in resident.care_tags)
                address = resident.address
        self._set("resident", tags)
        self._set("address", address)
        self._set("place", f"{r.town_name} {r.village_name}")
        self._set("grid", r.grid_name)
        self._set("handler", f"{r.handler_name}（{r.handler_phone}）" if r.handler_name else "")
        self._set("dispatched_at", fmt_dt(r.dispatched_at))
        self._set("completed_at", fmt_dt(r.completed_at))
        self._set("method", r.method_name if r.method else "")
        self._set("result", r.result)
        feedback = ""
        if r.feedback_at is not None:
            route = r.feedback_route.label if r.feedback_route else ""
            rating = r.satisfaction.label if r.satisfaction else ""
            feedback = f"{fmt_dt(r.feedback_at)} {route}，{rating}" + (
                f"（回访人：{r.feedback_by}）" if r.feedback_by else ""
            )
        self._set("feedback", feedback)
        self._set("escalations", f"{r.escalations} 次" if r.escalations else "")
        self._set("printed_at", fmt_dt(r.printed_at) if r.printed_at else "未打印")
        self._set("created_by", r.created_by)

    def _member_name(self, member_id: Any) -> str:
        if not isinstance(member_id, int):
            return ""
        if member_id not in self._member_names:
            try:
                self._member_names[member_id] = self.ctx.members.get(member_id).name
            except ValidationError:
                self._member_names[member_id] = f"（已删除的网格员 {member_id}）"
        return self._member_names[member_id]

    def event_details(self, event: RequestEvent) -> str:
        """The event's data and note in Chinese: 派给李建国；办理方式：代办代跑 …"""
        data = event.data
        parts: list[str] = []
        if event.action == Action.DISPATCH.value:
            name = str(data.get("handler") or self._member_name(data.get("handler_id")))
            parts.append(f"派给 {name}" if name else "派单")
            previous = self._member_name(data.get("previous_handler_id"))
            if previous and previous != name:
                parts.append(f"原承办人：{previous}")
        elif event.action == Action.COMPLETE.value:
            method = self.lookups.name("method", str(data.get("method") or ""))
            if method:
                parts.append(f"办理方式：{method}")
            if data.get("result"):
                parts.append(f"办理结果：{data['result']}")
        elif event.action == Action.FOLLOW_UP.value:
            try:
                parts.append(FeedbackRoute(str(data.get("route"))).label)
                parts.append(f"满意度：{Satisfaction(str(data.get('satisfaction'))).label}")
            except ValueError:
                pass
            if data.get("by"):
                parts.append(f"回访人：{data['by']}")
        elif event.action == Action.RETURN.value:
            previous = self._member_name(data.get("previous_handler_id"))
            if previous:
                parts.append(f"原承办人：{previous}")
        elif event.action == Action.REOPEN.value and data.get("previous_satisfaction"):
            try:
                parts.append(f"原满意度：{Satisfaction(str(data['previous_satisfaction'])).label}")
            except ValueError:
                pass
        if event.note:
            prefix = NOTE_PREFIXES.get(event.action, "备注：")
            parts.append(prefix + event.note)
        return "；".join(parts)

    @staticmethod
    def status_change(event: RequestEvent) -> str:
        if event.to_status is None or event.from_status == event.to_status:
            return ""
        before = event.from_status.label if event.from_status else ""
        return f"{before} → {event.to_status.label}".strip()

    def timeline_rows(self, events: list[RequestEvent]) -> list[TimelineRow]:
        """The request's events, and the audit trail's other rows about it (who revealed the ID
        number, who deleted or restored it …), in time order (issue #9: who did what)."""
        rows = [
            TimelineRow(
                event.at,
                action_label(event.action),
                event.actor,
                self.status_change(event),
                self.event_details(event),
            )
            for event in events
        ]
        uuid = self.request.uuid if self.request is not None else ""
        if uuid:
            for entry in self.ctx.audit.entries(entity_uuid=uuid):
                if entry.action.startswith(_SHOWN_AS_EVENTS) or entry.kind == "refused":
                    continue
                rows.append(
                    TimelineRow(entry.at, KIND_LABELS.get(entry.kind, entry.kind), entry.user_name, "", entry.summary)
                )
        rows.sort(key=lambda r: r.at)
        return rows

    def _fill_timeline(self, events: list[RequestEvent]) -> None:
        rows = self.timeline_rows(events)
        self.timeline.setRowCount(len(rows))
        for row, line in enumerate(rows):
            values = (fmt_dt(line.at), line.action, line.actor, line.change, line.details)
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                if column == 4:
                    item.setToolTip(text)
                self.timeline.setItem(row, column, item)
        self._fit_timeline_rows()

    def _on_timeline_section_resized(self, column: int, _old: int, _new: int) -> None:
        if column == 4:
            # After the layout settles: the stretched column's width is final only then.
            QTimer.singleShot(0, self, self._fit_timeline_rows)

    def _fit_timeline_rows(self) -> None:
        self.timeline.resizeRowsToContents()
        padding = self.fontMetrics().height() // 3
        for row in range(self.timeline.rowCount()):
            self.timeline.setRowHeight(row, self.timeline.rowHeight(row) + padding)
        self.timeline.scrollToBottom()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        QTimer.singleShot(0, self, self._fit_timeline_rows)

    def _update_buttons(self) -> None:
        request = self.request
        allowed = set(lifecycle.allowed_actions(request.status, request.satisfaction)) if request else set()
        who = self.ctx.who
        for action, button in self.action_buttons.items():
            button.setVisible(action in allowed)
            # The role's limits show on the buttons; the operations refuse anyway (issue #9).
            allow(button, who, Permission.EDIT, enabled=not self._busy)
        if request is not None and request.status is Status.DISPATCHED:
            self.action_buttons[Action.DISPATCH].setText("改派")
        else:
            self.action_buttons[Action.DISPATCH].setText(Action.DISPATCH.label)
        allow(self.print_button, who, Permission.REPORT, enabled=not self._busy)
        has_number = request is not None and bool(self._id_number(request))
        self.reveal_button.setVisible(has_number and self.revealed is None)
        allow(self.reveal_button, who, Permission.REVEAL, enabled=not self._busy)
        hints = {
            Status.RECEIVED: "下一步：派单给网格员。",
            Status.DISPATCHED: "下一步：承办人开始办理，或直接办结。",
            Status.IN_PROGRESS: "下一步：办结，填写办理方式和结果。",
            Status.COMPLETED: "下一步：回访群众，记录满意度。",
            Status.CLOSED: "已回访，流程结束。群众不满意时可重新办理。",
            Status.CANCELLED: "工单已撤销，不能再办理。",
        }
        self.hint_label.setText(hints.get(request.status, "") if request else "")

    # ------------------------------------------------------------------ actions
    def run_action(self, action: Action) -> None:
        """Ask for what the action needs, then run its operation (operations/requests.py)."""
        request = self.request
        if request is None or self._busy:
            return
        rid = request.id
        call: tuple[Callable[..., OpResult[Any]], tuple[Any, ...]] | None = None
        if action is Action.DISPATCH:
            choice = DispatchDialog.choose(
                self, self.ctx, request.village_id, request.grid_id, request.handler_id
            )
            if choice is not None:
                call = (request_ops.dispatch_request, (rid, choice.member_id, choice.note))
        elif action is Action.START:
            call = (request_ops.start_request, (rid,))
        elif action is Action.COMPLETE:
            values = CompleteDialog.ask(self, self.ctx)
            if values is not None:
                call = (request_ops.complete_request, (rid, values.method, values.result, values.note))
        elif action is Action.FOLLOW_UP:
            answer = FollowUpDialog.ask(self, self.ctx.who.name)
            if answer is not None:
                call = (
                    request_ops.follow_up_request,
                    (rid, answer.route, answer.satisfaction, answer.note, answer.by),
                )
        elif action in REASONS:
            title, prompt, label, required, placeholder = REASONS[action]
            reason = ReasonDialog.ask(self, title, prompt, label, required, placeholder)
            if reason is not None:
                operation = {
                    Action.RETURN: request_ops.return_request,
                    Action.CANCEL: request_ops.cancel_request,
                    Action.REOPEN: request_ops.reopen_request,
                    Action.ESCALATE: request_ops.escalate_request,
                }[action]
                call = (operation, (rid, reason))
        if call is None:
            return
        self._busy = True
        self._update_buttons()
        operation, args = call
        # run_op emits requests_changed([id]) for the list row; this dialog reloads in on_done.
        run_op(self.ctx, self, operation, *args, on_done=self._on_action_finished, on_failed=self._on_action_failed)

    def _on_action_finished(self, _request: ServiceRequest) -> None:
        self._busy = False
        self.reload()

    def _on_action_failed(self, message: str, is_bug: bool) -> None:
        self._busy = False
        self.reload()
        show_job_failure(self, message, is_bug)

    def _on_requests_changed(self, ids: list[int]) -> None:
        if not self._busy and (not ids or self.request_id in ids):
            self.reload()

    def _on_print_clicked(self) -> None:
        if self.request is None or not self.print_button.isEnabled():
            return
        printing.print_work_orders(self, self.ctx, [self.request.id])

    def _id_number(self, request: ServiceRequest) -> str:
        """The number on the request, or its resident's (a chosen resident's is not copied)."""
        if request.person_id_number or request.resident_id is None:
            return request.person_id_number or ""
        try:
            return self.ctx.residents.get(request.resident_id).id_number or ""
        except ValidationError:
            return ""

    def reveal_id_number(self) -> None:
        """Show the full ID number: one click, recorded in the audit trail (operations refuse a
        role without Permission.REVEAL)."""
        if self.request is None:
            return

        def shown(number: str) -> None:
            self.revealed = number
            self._set("id_number", number)
            self.reveal_button.setVisible(False)
            self.reload()  # the timeline gains the 「查看完整身份证号」 row

        run_op(self.ctx, self, reveal_id_number, "request", self.request.id, on_done=shown)

    # ------------------------------------------------------------------ entry point
    @classmethod
    def open(cls, parent: QWidget | None, ctx: DeskContext, request_id: int) -> None:  # type: ignore[override]
        """Show the request until the clerk closes the window.

        It shadows QDialog.open on purpose: other screens call ``RequestDetailDialog.open(parent,
        ctx, request_id)``; nothing calls Qt's window-modal ``open()`` on this dialog.
        """
        dialog = cls(ctx, request_id, parent)
        dialog.exec()
        dialog.deleteLater()  # owned by the parent otherwise: one per opened request, all day
