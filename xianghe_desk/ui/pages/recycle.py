"""回收站: residents, requests, members and grids moved to the bin, restored or purged.

Everyone sees the items of their own scope (operations/recycle.bin_items); only an administrator
restores (with everything deleted along: a resident's requests) or purges (the personal data is
blanked for good, the tombstone still travels). The buttons say so; the operations decide.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain.access import Permission
from xianghe_desk.operations.recycle import KIND_LABELS, BinItem, bin_items, purge_from_bin, restore_from_bin
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.operations import run_op
from xianghe_desk.ui.pages.residents import page_title
from xianghe_desk.ui.roles import allow
from xianghe_desk.ui.widgets.combos import fill_combo
from xianghe_desk.ui.widgets.look import MUTED, set_text_colour

HEADERS = ("类别", "名称", "删除时间", "删除人")
HELP = (
    "删除的服务对象、工单、网格员和网格先放在这里，列表和统计中不再出现。"
    "管理员可以「恢复」（服务对象连同一起删除的工单），或「彻底删除」（个人信息被抹去，无法恢复）。"
)


class RecycleBinPage(QWidget):
    """Signals:
    status_message(str): a line for the window's status bar.
    """

    status_message = Signal(str)

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.items: list[BinItem] = []
        self._stale = True
        self._init_widgets()
        self._init_layout()
        events = ctx.events
        for signal in (events.residents_changed, events.members_changed, events.places_changed):
            signal.connect(self._on_data_changed)
        events.requests_changed.connect(lambda _ids: self._on_data_changed())

    # ---------------------------------------------------------------- building
    def _init_widgets(self) -> None:
        self.title = page_title("回收站")
        self.count_label = QLabel()
        self.kind = QComboBox()
        fill_combo(self.kind, ((label, kind) for kind, label in KIND_LABELS.items()), "全部类别")
        self.kind.currentIndexChanged.connect(lambda _i: self._fill())
        self.restore_button = QPushButton("恢复")
        self.restore_button.setToolTip("把选中的一项放回原处（服务对象连同一起删除的工单）")
        self.purge_button = QPushButton("彻底删除…")
        self.purge_button.setToolTip("抹去选中一项的个人信息，无法恢复")
        self.refresh_button = QPushButton("刷新")
        self.restore_button.clicked.connect(self.restore_selected)
        self.purge_button.clicked.connect(self.purge_selected)
        self.refresh_button.clicked.connect(self.refresh)
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.hint = QLabel(HELP)
        self.hint.setWordWrap(True)
        set_text_colour(self.hint, MUTED)

    def _init_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.count_label)
        top.addStretch(1)
        top.addWidget(QLabel("类别"))
        top.addWidget(self.kind)
        for button in (self.refresh_button, self.restore_button, self.purge_button):
            top.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.hint)
        self._update_buttons()

    # ---------------------------------------------------------------- page protocol
    def activate(self, **_kwargs: Any) -> None:
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Read the bin again (an operation: looking into the bin is recorded)."""
        self._stale = False
        run_op(self.ctx, self, bin_items, on_done=self._on_loaded)

    def _on_loaded(self, items: list[BinItem]) -> None:
        self.items = sorted(items, key=lambda i: i.deleted_at, reverse=True)
        self._fill()

    def _fill(self) -> None:
        wanted = self.kind.currentData()
        shown = [i for i in self.items if wanted is None or i.kind == wanted]
        self.table.setRowCount(len(shown))
        for row, item in enumerate(shown):
            values = (
                KIND_LABELS.get(item.kind, item.kind),
                item.label,
                f"{item.deleted_at:%Y-%m-%d %H:%M}",
                self._who(item),
            )
            for column, text in enumerate(values):
                cell = QTableWidgetItem(text)
                cell.setData(Qt.ItemDataRole.UserRole, (item.kind, item.id))
                self.table.setItem(row, column, cell)
        self.count_label.setText(f"共 {len(shown)} 项")
        self._update_buttons()

    def _who(self, item: BinItem) -> str:
        deletions = self.ctx.audit.entries(entity_uuid=item.uuid, kind="delete")
        return deletions[-1].user_name if deletions else ""

    def selected(self) -> BinItem | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        cell = self.table.item(rows[0].row(), 0)
        key = cell.data(Qt.ItemDataRole.UserRole) if cell is not None else None
        return next((i for i in self.items if (i.kind, i.id) == tuple(key or ())), None)

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        allow(self.restore_button, self.ctx.who, Permission.RESTORE, enabled=chosen)
        allow(self.purge_button, self.ctx.who, Permission.RESTORE, enabled=chosen)

    def _on_data_changed(self) -> None:
        # Not re-read at once: reading the bin is recorded; the next visit shows it anew.
        self._stale = True

    # ---------------------------------------------------------------- actions
    def restore_selected(self) -> None:
        item = self.selected()
        if item is None or not self.restore_button.isEnabled():
            return
        label = KIND_LABELS.get(item.kind, item.kind)

        def done(_value: object) -> None:
            self.status_message.emit(f"已恢复{label}「{item.label}」。")
            self.refresh()

        run_op(self.ctx, self, restore_from_bin, item.kind, item.id, on_done=done)

    def purge_selected(self) -> None:
        item = self.selected()
        if item is None or not self.purge_button.isEnabled():
            return
        label = KIND_LABELS.get(item.kind, item.kind)
        answer = QMessageBox.warning(
            self,
            "彻底删除",
            f"彻底删除{label}「{item.label}」？\n身份证号、电话、地址等个人信息将被抹去，不能再恢复。",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return

        def done(_value: object) -> None:
            self.status_message.emit(f"已彻底删除{label}「{item.label}」。")
            self.refresh()

        run_op(self.ctx, self, purge_from_bin, item.kind, item.id, on_done=done)
