"""A resident's care visits in their detail page: status, plan, next visit due, and the timeline,
with the actions on it (记录走访, 修改, 删除, 转为工单, 走访计划, 状态). Every write is an operation
run through ``run_op``."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.models import Resident
from xianghe_desk.domain.visits import Visit, interval_text
from xianghe_desk.operations.recycle import delete_to_bin
from xianghe_desk.operations.visits import (
    NeedRegistered,
    log_visit,
    need_to_request,
    set_plan,
    set_resident_status,
    update_visit,
)
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.dialogs.need_request_dialog import NeedRequestDialog
from xianghe_desk.ui.dialogs.resident_status_dialog import ResidentStatusDialog
from xianghe_desk.ui.dialogs.visit_dialog import VisitDialog
from xianghe_desk.ui.dialogs.visit_plan_dialog import VisitPlanDialog
from xianghe_desk.ui.models.base import Role
from xianghe_desk.ui.models.visits import VisitTimelineModel, days_text
from xianghe_desk.ui.operations import run_op
from xianghe_desk.ui.widgets.header_state import HeaderMemory
from xianghe_desk.ui.widgets.look import ALERT, MUTED, set_text_colour
from xianghe_desk.ui.widgets.table import DeskTableView


class ResidentVisitsPanel(QWidget):
    """The 走访记录 tab of a resident's page."""

    def __init__(self, ctx: DeskContext, resident_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.resident_id = resident_id
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.model = VisitTimelineModel(self)
        self.table = DeskTableView(self, multi_select=False)
        self.table.setModel(self.model)
        HeaderMemory(self.table, None, [c.width for c in self.model.columns])
        self.log_button = QPushButton("记录走访…", self)
        self.edit_button = QPushButton("修改…", self)
        self.delete_button = QPushButton("删除", self)
        self.request_button = QPushButton("需求转为工单…", self)
        self.plan_button = QPushButton("走访计划…", self)
        self.status_button = QPushButton("状态（住院、迁出、去世）…", self)
        buttons = QHBoxLayout()
        for button in (self.log_button, self.edit_button, self.delete_button, self.request_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.plan_button)
        buttons.addWidget(self.status_button)
        hint = QLabel("双击一条走访记录可修改；「有问题」的检查项以红字显示。", self)
        set_text_colour(hint, MUTED)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(hint)
        self.log_button.clicked.connect(self.log_visit)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self.request_button.clicked.connect(self._on_request_clicked)
        self.plan_button.clicked.connect(self.edit_plan)
        self.status_button.clicked.connect(self.edit_status)
        self.table.open_requested.connect(self._on_table_open_requested)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        ctx.events.visits_changed.connect(self.reload)
        self.reload()

    # ---------------------------------------------------------------- reading
    def resident(self) -> Resident:
        return self.ctx.residents.get(self.resident_id)

    def reload(self) -> None:
        try:
            resident = self.resident()
        except ValidationError:
            return  # deleted meanwhile: the page closes itself
        visits = self.ctx.visits
        self.model.set_rows(visits.timeline(self.resident_id))
        today = self.ctx.now().date()
        interval = visits.interval_of(resident)
        plan = visits.plan(self.resident_id)
        parts = [f"状态：{resident.status_info.text()}"]
        due = visits.next_due_of(resident, today) if interval is not None else None
        if interval is None:
            parts.append("没有定期走访计划（服务类别不需要定期走访）")
        else:
            own = "（单独设定）" if plan and plan.interval_days else ""
            parts.append(f"走访周期：{interval_text(interval)}{own}")
            if resident.status_info.left_on(today):
                parts.append("已不再走访")
            elif due is None:
                parts.append("住院期间暂停走访")
            else:
                parts.append(f"下次应走访：{days_text(due, today)}")
            members = plan.member_name if plan and plan.member_name else "网格内的网格员"
            parts.append(f"负责：{members}")
        parts.append(f"共走访 {self.model.total()} 次")
        self.summary.setText("；".join(parts))
        set_text_colour(self.summary, ALERT if due is not None and due < today else None)
        left = resident.status_info.left_on(today)
        self.log_button.setEnabled(not left)
        self._update_buttons()

    def current(self) -> Visit | None:
        index = self.table.currentIndex()
        return self.model.row_object(index.row()) if index.isValid() else None

    def _update_buttons(self) -> None:
        visit = self.current()
        self.edit_button.setEnabled(visit is not None)
        self.delete_button.setEnabled(visit is not None)
        self.request_button.setEnabled(visit is not None and bool(visit.needs) and visit.request_id is None)

    # ---------------------------------------------------------------- actions
    def log_visit(self) -> None:
        draft = VisitDialog.edit(self, self.ctx, self.resident())
        if draft is not None:
            run_op(self.ctx, self, log_visit, draft, on_done=self._after_log)

    def _after_log(self, visit: Visit) -> None:
        if (
            visit.needs
            and QMessageBox.question(
                self, "转为工单？", f"这次走访发现了需求：\n{visit.needs}\n\n现在就登记为工单吗？"
            )
            == QMessageBox.StandardButton.Yes
        ):
            self.to_request(visit)

    def edit_visit(self, visit: Visit) -> None:
        draft = VisitDialog.edit(self, self.ctx, self.resident(), visit)
        if draft is not None:
            run_op(self.ctx, self, update_visit, visit.id, draft)

    def to_request(self, visit: Visit) -> None:
        values = NeedRequestDialog.ask(self, self.ctx, visit)
        if values is None:
            return
        run_op(
            self.ctx,
            self,
            need_to_request,
            visit.id,
            values.category,
            values.content,
            values.urgency,
            values.dispatch,
            on_done=self._on_request_made,
        )

    def _on_request_made(self, done: NeedRegistered) -> None:
        QMessageBox.information(
            self, "已登记工单", f"已登记工单 {done.registered.request.number}，并与这次走访关联。"
        )

    def edit_plan(self) -> None:
        values = VisitPlanDialog.ask(self, self.ctx, self.resident())
        if values is not None:
            run_op(
                self.ctx, self, set_plan, self.resident_id, values.interval_days, values.member_id,
                values.starts_on, values.note,
            )  # fmt: skip

    def edit_status(self) -> None:
        info = ResidentStatusDialog.ask(self, self.ctx, self.resident())
        if info is not None:
            run_op(self.ctx, self, set_resident_status, self.resident_id, info)

    # ---------------------------------------------------------------- slots
    def _on_edit_clicked(self) -> None:
        visit = self.current()
        if visit is not None:
            self.edit_visit(visit)

    def _on_table_open_requested(self, index: QModelIndex) -> None:
        visit_id = index.data(Role.IdRole)
        visit = self.model.row_object(index.row())
        if visit_id is not None and visit is not None:
            self.edit_visit(visit)

    def _on_delete_clicked(self) -> None:
        visit = self.current()
        if visit is None:
            return
        answer = QMessageBox.question(
            self,
            "删除走访记录",
            f"把 {visit.visited_on:%Y-%m-%d} 的{visit.method.label}走访记录移到回收站吗？（管理员可以恢复）",
        )
        if answer == QMessageBox.StandardButton.Yes:
            run_op(self.ctx, self, delete_to_bin, "visit", visit.id)

    def _on_request_clicked(self) -> None:
        visit = self.current()
        if visit is not None:
            self.to_request(visit)
