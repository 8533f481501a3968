"""A resident's own page: who they are, and every request they ever made."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain.enums import Action, Status
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.models import Resident, ServiceRequest
from xianghe_desk.domain.queries import RequestFilter
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.models.base import Role
from xianghe_desk.ui.models.resident_requests import ResidentRequestTableModel
from xianghe_desk.ui.widgets.header_state import HeaderMemory
from xianghe_desk.ui.widgets.optional import optional_module
from xianghe_desk.ui.widgets.table import DeskTableView

REQUEST_DETAIL_MODULE = "xianghe_desk.ui.dialogs.request_detail"
EDIT = "edit"


def _action_label(action: str) -> str:
    try:
        return Action(action).label
    except ValueError:
        return action


def _when(request: ServiceRequest) -> str:
    return request.received_at.strftime("%Y-%m-%d %H:%M")


class ResidentDetailDialog(QDialog):
    """The person's particulars (full ID number: this is where the clerk needs it) and their requests."""

    def __init__(self, parent: QWidget | None, ctx: DeskContext, resident_id: int) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.resident_id = resident_id
        self.choice: str | None = None
        self.resident: Resident = ctx.residents.get(resident_id)
        self.setWindowTitle(f"服务对象：{self.resident.name}")
        self._init_person()
        self._init_requests()
        self._init_layout()
        ctx.events.requests_changed.connect(self._on_requests_changed)
        ctx.events.residents_changed.connect(self._on_residents_changed)

    @classmethod
    def show_for(cls, parent: QWidget | None, ctx: DeskContext, resident_id: int) -> str | None:
        """Show the page; returns ``EDIT`` when the clerk asked to edit the particulars."""
        dialog = cls(parent, ctx, resident_id)
        try:
            dialog.exec()
            return dialog.choice
        finally:
            dialog.deleteLater()

    # ---------------------------------------------------------------- building
    def _init_person(self) -> None:
        self.person_box = QGroupBox("基本信息")
        self.person_grid = QGridLayout(self.person_box)
        self.person_grid.setHorizontalSpacing(16)
        self._fill_person()

    def _fill_person(self) -> None:
        while self.person_grid.count():
            item = self.person_grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        r = self.resident
        age = r.age_on(self.ctx.now().date())
        pairs = [
            ("姓名", r.name),
            ("性别", r.sex.label if r.sex else "未填"),
            ("出生日期", f"{r.birth_date:%Y-%m-%d}（{age} 岁）" if r.birth_date else "未填"),
            ("身份证号", r.id_number or "未填"),
            ("联系电话", r.phone or "未填"),
            ("所属", f"{r.town_name} {r.village_name} {r.grid_name or '未分网格'}"),
            ("居住地址", r.address or "未填"),
            ("居住情况", r.living.label if r.living else "未填"),
            ("服务类别", "、".join(t.label for t in r.care_tags) or "未填"),
            ("联系党员", r.linked_member_name or "无"),
            ("紧急联系人", " ".join(x for x in (r.emergency_name, r.emergency_phone) if x) or "未填"),
            ("备注", r.note or "无"),
        ]
        for number, (label, value) in enumerate(pairs):
            row, column = divmod(number, 2)
            name = QLabel(label + "：")
            name.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            text = QLabel(value)
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.person_grid.addWidget(name, row, column * 2)
            self.person_grid.addWidget(text, row, column * 2 + 1)
        self.person_grid.setColumnStretch(1, 1)
        self.person_grid.setColumnStretch(3, 1)

    def _init_requests(self) -> None:
        self.model = ResidentRequestTableModel(self.ctx, self.resident_id, self)
        self.table = DeskTableView(self, multi_select=False)
        self.table.setModel(self.model)
        HeaderMemory(self.table, None, [c.width for c in self.model.columns])
        self.table.open_requested.connect(self._on_table_open_requested)
        self.summary = QLabel()
        font = QFont(self.summary.font())
        font.setBold(True)
        self.summary.setFont(font)
        self._update_summary()

    def _init_layout(self) -> None:
        self.edit_button = QPushButton("修改资料…")
        self.edit_button.clicked.connect(self._on_edit_clicked)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.addButton(self.edit_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.person_box)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        hint = QLabel("双击一张工单查看详情和办理经过。")
        hint.setStyleSheet("color: #4a5568;")
        layout.addWidget(hint)
        layout.addWidget(buttons)
        em = self.fontMetrics().horizontalAdvance("中")
        width, height = em * 84, em * 52
        screen = self.screen()
        if screen is not None:
            # Large enough for the request list, never larger than a 1366×768 office screen allows.
            room = screen.availableGeometry()
            width, height = min(width, int(room.width() * 0.92)), min(height, int(room.height() * 0.9))
        self.resize(width, height)

    def _update_summary(self) -> None:
        total = self.model.total()
        open_count = self.ctx.requests.count(
            RequestFilter(
                resident_id=self.resident_id,
                statuses=(Status.RECEIVED, Status.DISPATCHED, Status.IN_PROGRESS),
            )
        )
        overdue = self.ctx.requests.count(RequestFilter(resident_id=self.resident_id, overdue_only=True))
        if not total:
            self.summary.setText("工单：还没有登记过工单")
            return
        text = f"工单：共 {total} 张，未办结 {open_count} 张"
        if overdue:
            text += f"，其中超期 {overdue} 张"
        self.summary.setText(text)

    # ---------------------------------------------------------------- slots
    def _on_edit_clicked(self) -> None:
        self.choice = EDIT
        self.accept()

    def _on_requests_changed(self, _ids: list) -> None:
        self.model.reload()
        self._update_summary()

    def _on_residents_changed(self) -> None:
        try:
            self.resident = self.ctx.residents.get(self.resident_id)
        except ValidationError:
            self.reject()
            return
        self._fill_person()

    def _on_table_open_requested(self, index: QModelIndex) -> None:
        request_id = index.data(Role.IdRole)
        if request_id is not None:
            open_request(self, self.ctx, int(request_id))


def open_request(parent: QWidget, ctx: DeskContext, request_id: int) -> None:
    """The request's own dialog from the request screens when it exists, else a read-only summary."""
    module = optional_module(REQUEST_DETAIL_MODULE)
    dialog_class = getattr(module, "RequestDetailDialog", None) if module is not None else None
    if dialog_class is not None:
        # RequestDetailDialog.open(parent, ctx, request_id): shows it until the clerk closes it.
        dialog_class.open(parent, ctx, request_id)
        return
    show_request_summary(parent, ctx, request_id)


def show_request_summary(parent: QWidget, ctx: DeskContext, request_id: int) -> None:
    request = ctx.requests.get(request_id)
    lines = [
        f"工单编号：{request.number}",
        f"受理时间：{_when(request)}    来源：{request.channel_name}",
        f"问题类别：{request.category_name}    紧急程度：{request.urgency.label}",
        f"状态：{request.status.label}" + ("（超期）" if request.is_overdue(ctx.now()) else ""),
        f"承办人：{request.handler_name or '未派单'}",
        f"诉求内容：{request.content}",
    ]
    if request.result:
        lines.append(f"办理结果：{request.result}")
    if request.satisfaction:
        lines.append(f"回访：{request.satisfaction.label}")
    history = "\n".join(
        f"{e.at:%Y-%m-%d %H:%M}  {e.actor}  {_action_label(e.action)}{('：' + e.note) if e.note else ''}"
        for e in ctx.requests.events(request_id)
    )
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle(f"工单 {request.number}")
    box.setText("\n".join(lines))
    box.setDetailedText(history)
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    box.exec()
