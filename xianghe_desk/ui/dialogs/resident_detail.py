"""A resident's own page: who they are, every request they ever made, and who did what about them.

The ID number shows masked (131024********1234) like everywhere in the desk; a role that may
(Permission.REVEAL) shows it in full with one click, recorded in the audit trail (issue #9 §5).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain.access import Permission, mask_id_number
from xianghe_desk.domain.enums import Status
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.models import Resident
from xianghe_desk.domain.queries import RequestFilter
from xianghe_desk.domain.visits import ResidentStatus
from xianghe_desk.operations.people import reveal_id_number
from xianghe_desk.services.audit import KIND_LABELS
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.dialogs.request_detail import RequestDetailDialog
from xianghe_desk.ui.dialogs.resident_visits import ResidentVisitsPanel
from xianghe_desk.ui.models.base import Role
from xianghe_desk.ui.models.resident_requests import ResidentRequestTableModel
from xianghe_desk.ui.operations import run_op
from xianghe_desk.ui.roles import allow
from xianghe_desk.ui.widgets.header_state import HeaderMemory
from xianghe_desk.ui.widgets.table import DeskTableView

HISTORY_HEADERS = ("时间", "账号", "类别", "做了什么")
EDIT = "edit"


class ResidentDetailDialog(QDialog):
    """The person's particulars (full ID number: this is where the clerk needs it) and their requests."""

    def __init__(self, parent: QWidget | None, ctx: DeskContext, resident_id: int) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.resident_id = resident_id
        self.choice: str | None = None
        self.revealed: str | None = None  # the full ID number, once revealed on purpose
        self.resident: Resident = ctx.residents.get(resident_id)
        self.setWindowTitle(f"服务对象：{self.resident.name}")
        self._init_person()
        self._init_requests()
        self._init_layout()
        ctx.events.requests_changed.connect(self._on_requests_changed)
        ctx.events.residents_changed.connect(self._on_residents_changed)

    @classmethod
    def show_for(
        cls, parent: QWidget | None, ctx: DeskContext, resident_id: int, tab: str = ""
    ) -> str | None:
        """Show the page (``tab="visits"``: on its 走访记录); returns ``EDIT`` when the clerk asked
        to edit the particulars."""
        dialog = cls(parent, ctx, resident_id)
        if tab == "visits":
            dialog.tabs.setCurrentWidget(dialog.visits_panel)
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
            ("身份证号", (self.revealed or mask_id_number(r.id_number)) if r.id_number else "未填"),
            ("联系电话", r.phone or "未填"),
            ("所属", f"{r.town_name} {r.village_name} {r.grid_name or '未分网格'}"),
            ("居住地址", r.address or "未填"),
            ("居住情况", r.living.label if r.living else "未填"),
            ("服务类别", "、".join(t.label for t in r.care_tags) or "未填"),
            ("联系党员", r.linked_member_name or "无"),
            ("紧急联系人", " ".join(x for x in (r.emergency_name, r.emergency_phone) if x) or "未填"),
            ("备注", r.note or "无"),
        ]
        if r.status is not ResidentStatus.ACTIVE:
            pairs.insert(1, ("状态", r.status_info.text()))  # 住院 / 迁出 / 去世 (issue #11)
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

    def _init_history(self) -> QTableWidget:
        """Who did what about this person: the audit trail's rows about them, newest first."""
        history = QTableWidget(0, len(HISTORY_HEADERS), self)
        history.setHorizontalHeaderLabels(list(HISTORY_HEADERS))
        history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        history.setTabKeyNavigation(False)
        history.setAlternatingRowColors(True)
        history.setWordWrap(True)
        history.verticalHeader().setVisible(False)
        header = history.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        return history

    def _fill_history(self) -> None:
        entries = [e for e in self.ctx.audit.entries(resident_uuid=self.resident.uuid) if e.kind != "refused"]
        entries.reverse()
        self.history.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            values = (f"{entry.at:%Y-%m-%d %H:%M}", entry.user_name, KIND_LABELS.get(entry.kind, entry.kind), entry.summary)
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                if column == 3:
                    item.setToolTip(text)
                self.history.setItem(row, column, item)
        self.tabs.setTabText(self.tabs.indexOf(self.history), f"操作记录（{len(entries)}）")

    def _init_layout(self) -> None:
        self.edit_button = QPushButton("修改资料…")
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.reveal_button = QPushButton("显示完整身份证号")
        self.reveal_button.setToolTip("显示完整的身份证号（会记入操作日志）")
        self.reveal_button.clicked.connect(self.reveal_id_number)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.addButton(self.reveal_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.edit_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self._update_buttons()
        self.history = self._init_history()
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.table, "工单")
        # A resident's care visits (issue #11): status, plan and the visit timeline.
        self.visits_panel = ResidentVisitsPanel(self.ctx, self.resident_id, self)
        self.tabs.addTab(self.visits_panel, "走访记录")
        self.tabs.addTab(self.history, "操作记录")
        self._fill_history()
        layout = QVBoxLayout(self)
        layout.addWidget(self.person_box)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
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

    def _update_buttons(self) -> None:
        who = self.ctx.who
        allow(self.edit_button, who, Permission.EDIT)
        self.reveal_button.setVisible(bool(self.resident.id_number) and self.revealed is None)
        allow(self.reveal_button, who, Permission.REVEAL)

    def reveal_id_number(self) -> None:
        """The full ID number on purpose: one click, one audit row (the operation checks the role)."""

        def shown(number: str) -> None:
            self.revealed = number
            self._fill_person()
            self._update_buttons()
            self._fill_history()

        run_op(self.ctx, self, reveal_id_number, "resident", self.resident_id, on_done=shown)

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
        self._fill_history()

    def _on_table_open_requested(self, index: QModelIndex) -> None:
        request_id = index.data(Role.IdRole)
        if request_id is not None:
            open_request(self, self.ctx, int(request_id))


def open_request(parent: QWidget, ctx: DeskContext, request_id: int) -> None:
    """The request's own dialog (its history and the actions allowed now)."""
    RequestDetailDialog.open(parent, ctx, request_id)
