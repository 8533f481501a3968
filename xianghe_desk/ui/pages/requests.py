"""服务工单: the clerk's queue — filter, search, scan a number, open, dispatch and print in batches."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QHideEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain import lifecycle
from xianghe_desk.domain.access import Permission
from xianghe_desk.domain.enums import Action
from xianghe_desk.domain.models import ServiceRequest
from xianghe_desk.domain.numbering import parse_number
from xianghe_desk.domain.queries import RequestFilter
from xianghe_desk.operations.recycle import delete_to_bin
from xianghe_desk.operations.requests import dispatch_requests
from xianghe_desk.ui import printing
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.dialogs.dispatch_dialog import DispatchDialog
from xianghe_desk.ui.dialogs.register_request import RegisterRequestDialog
from xianghe_desk.ui.dialogs.request_detail import RequestDetailDialog
from xianghe_desk.ui.models.base import Role
from xianghe_desk.ui.models.requests import RequestTableModel
from xianghe_desk.ui.operations import run_op
from xianghe_desk.ui.roles import allow
from xianghe_desk.ui.settings import REQUESTS_FILTER, desk_settings
from xianghe_desk.ui.widgets.header_state import HeaderMemory, header_options
from xianghe_desk.ui.widgets.request_filter_bar import RequestFilterBar
from xianghe_desk.ui.widgets.table import DeskTableView

log = logging.getLogger(__name__)


class RequestsPage(QWidget):
    """Signals:
    status_message(str): a line for the main window's status bar.
    """

    status_message = Signal(str)

    # Ctrl+F on this page (the main window's menu shows the text); Ctrl+N is the window's 受理登记.
    search_text = "查找工单"

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = RequestTableModel(ctx, self)
        self.model.total_changed.connect(self._on_total_changed)
        self.model.first_rows_arrived.connect(self._on_first_rows)
        self.model.load_failed.connect(self._on_load_failed)
        # Enter in the search box while its rows are still being read: select the first one then.
        self._select_first_when_read = False
        self._init_widgets()
        self._restore_state()
        self.model.set_filter(self.filter_bar.request_filter())
        self._update_count()
        ctx.events.requests_changed.connect(self._on_requests_changed)
        ctx.events.places_changed.connect(self.filter_bar.reload_choices)
        ctx.events.members_changed.connect(self.filter_bar.reload_choices)
        ctx.events.settings_changed.connect(self.filter_bar.reload_choices)

    # ------------------------------------------------------------------ building
    def _init_widgets(self) -> None:
        layout = QVBoxLayout(self)
        actions = QHBoxLayout()
        self.register_button = QPushButton("受理登记", self)
        self.register_button.setToolTip("登记一件新的诉求（Ctrl+N）")
        self.register_button.clicked.connect(self.register_request)
        self.open_button = QPushButton("查看详情", self)
        self.open_button.setToolTip("打开选中的工单（回车或双击）")
        self.open_button.clicked.connect(self.open_current)
        self.dispatch_button = QPushButton("派单…", self)
        self.dispatch_button.setToolTip("把选中的待派单工单一起派给同一位承办人")
        self.dispatch_button.clicked.connect(self.dispatch_selected)
        self.print_button = QPushButton("打印工单", self)
        self.print_button.setToolTip("打印选中的工单，每张一页")
        self.print_button.clicked.connect(self.print_selected)
        self.delete_button = QPushButton("删除…", self)
        self.delete_button.setToolTip("把选中的工单移到回收站（管理员可以恢复）")
        self.delete_button.clicked.connect(self.delete_selected)
        self.refresh_button = QPushButton("刷新", self)
        self.refresh_button.setToolTip("重新读取工单列表（F5）")
        self.refresh_button.clicked.connect(self.refresh)
        for button in (
            self.register_button,
            self.open_button,
            self.dispatch_button,
            self.print_button,
            self.delete_button,
            self.refresh_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)
        self.selection_label = QLabel(self)
        actions.addWidget(self.selection_label)
        self.count_label = QLabel(self)
        self.count_label.setTextFormat(Qt.TextFormat.RichText)
        actions.addWidget(self.count_label)
        layout.addLayout(actions)

        self.filter_bar = RequestFilterBar(self.ctx, self)
        self.filter_bar.filter_changed.connect(self._on_filter_changed)
        self.filter_bar.search.search_changed.connect(self._on_filter_changed)
        self.filter_bar.search.submitted.connect(self._on_search_submitted)
        layout.addWidget(self.filter_bar)

        self.view = DeskTableView(self)
        self.view.setModel(self.model)
        self.view.setSortingEnabled(False)
        self.view.open_requested.connect(self._on_view_open_requested)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._on_context_menu)
        layout.addWidget(self.view, 1)
        self.search = self.filter_bar.search

    def _restore_state(self) -> None:
        # Widths, order and sort as the clerk left them, scaled to the current text size.
        self.header_memory = HeaderMemory(self.view, "requests", [c.width for c in self.model.columns])
        header = self.view.horizontalHeader()
        if not desk_settings().get(header_options("requests")[0]):
            column, order = self.model.sort_column()
            header.setSortIndicator(column, order)
        # Sync the model with the header's (restored) sort indicator, then let clicks sort in SQL.
        self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self.view.setSortingEnabled(True)
        saved = desk_settings().get(REQUESTS_FILTER)
        if isinstance(saved, dict) and saved:
            self.filter_bar.restore_state(saved)
        self._update_actions()

    def save_state(self) -> None:
        """Column widths, order and sort, and the filters, for the next session."""
        self.header_memory.save()
        desk_settings().set(REQUESTS_FILTER, self.filter_bar.state())

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        self.save_state()
        super().hideEvent(event)

    # ------------------------------------------------------------------ page API
    def activate(self, **filter_fields: Any) -> None:
        """Show the list; with fields (e.g. ``overdue_only=True``) show exactly those requests."""
        if filter_fields:
            self.filter_bar.set_filter(RequestFilter(**filter_fields))
            self._on_filter_changed()
        self.view.setFocus()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def refresh(self) -> None:
        self.filter_bar.search.flush()
        self.model.reload()
        self._update_count()

    # ------------------------------------------------------------------ filtering
    def _on_filter_changed(self, *_args: object) -> None:
        self.model.set_filter(self.filter_bar.request_filter())
        self._update_count()

    def _update_count(self) -> None:
        total = self.model.total()
        self.count_label.setText(f"共 <b>{total:,}</b> 张" if total >= 0 else "正在统计…")
        self._update_actions()

    def _on_total_changed(self, _total: int) -> None:
        self._update_count()

    def _on_search_submitted(self, text: str) -> None:
        """Enter in the search box: a work-order number opens its request (scanners end with Enter)."""
        if parse_number(text) is not None:
            request = self.ctx.requests.find_by_number(text)
            if request is None:
                self.status_message.emit(f"没有找到编号为 {text} 的工单，请核对编号。")
                QMessageBox.information(
                    self,
                    "没有找到工单",
                    f"没有找到编号为「{text}」的工单。\n请核对编号，或在其他电脑上登记的工单导入后再查。",
                )
                return
            self.search.selectAll()
            self.open_request(request.id)
            return
        self.search.flush()
        if self.model.loading():
            self._select_first_when_read = True
        else:
            self._select_first()

    def _select_first(self) -> None:
        if self.model.rowCount() > 0:
            self.view.setFocus()
            self.view.selectRow(0)

    def _on_first_rows(self) -> None:
        self._update_actions()
        if self._select_first_when_read:
            self._select_first_when_read = False
            self._select_first()

    def _on_load_failed(self, message: str) -> None:
        self._select_first_when_read = False
        self.count_label.setText("没有读出工单")
        self.status_message.emit(f"没有读出工单列表：{message}")

    # ------------------------------------------------------------------ selection and actions
    def _selected_spans(self) -> list[tuple[int, int]]:
        """The selected rows as (first, last) spans, merged: a selection over a million rows is a
        few spans, not a million indexes."""
        selection = self.view.selectionModel().selection()
        spans = sorted((selection.at(n).top(), selection.at(n).bottom()) for n in range(selection.count()))
        merged: list[tuple[int, int]] = []
        for top, bottom in spans:
            if merged and top <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], bottom))
            else:
                merged.append((top, bottom))
        return merged

    def selected_ids(self) -> list[int]:
        ids = []
        for top, bottom in self._selected_spans():
            for row in range(top, bottom + 1):
                request_id = self.model.id_of_row(row)
                if request_id is not None:
                    ids.append(request_id)
        return ids

    def selected_requests(self) -> list[ServiceRequest]:
        """The selected requests in full (the list holds only what it shows)."""
        return self.ctx.requests.get_many(self.selected_ids())

    def _on_selection_changed(self, *_args: object) -> None:
        self._update_actions()

    def _update_actions(self) -> None:
        count = sum(bottom - top + 1 for top, bottom in self._selected_spans())
        self.selection_label.setText(f"已选 {count} 张　" if count > 1 else "")
        self.open_button.setEnabled(self.view.currentIndex().isValid() or count > 0)
        # What the role may not do is disabled with the reason; the operations refuse anyway.
        who = self.ctx.who
        allow(self.register_button, who, Permission.EDIT)
        allow(self.dispatch_button, who, Permission.EDIT, enabled=count > 0)
        allow(self.print_button, who, Permission.REPORT, enabled=count > 0)
        allow(self.delete_button, who, Permission.DELETE, enabled=count > 0)

    def _on_view_open_requested(self, index: QModelIndex) -> None:
        request_id = index.data(Role.IdRole)
        if request_id is not None:
            self.open_request(int(request_id))

    def open_current(self) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            self._on_view_open_requested(index)

    def open_request(self, request_id: int) -> None:
        RequestDetailDialog.open(self, self.ctx, request_id)

    def register_request(self) -> None:
        request = RegisterRequestDialog.register(self, self.ctx)
        if request is not None:
            self.status_message.emit(f"已受理登记：工单 {request.number}")

    def dispatch_selected(self) -> None:
        """派单 for every selected request that can be dispatched now, to one member, in one transaction."""
        selected = self.selected_requests()
        if not selected:
            return
        ready = [
            r for r in selected if Action.DISPATCH in lifecycle.allowed_actions(r.status, r.satisfaction)
        ]
        skipped = len(selected) - len(ready)
        if not ready:
            QMessageBox.information(
                self,
                "无法派单",
                "选中的工单都不能派单：只有「待派单」或「已派单」（改派）的工单可以派单。",
            )
            return
        grids = {r.grid_id for r in ready}
        first = ready[0]
        choice = DispatchDialog.choose(
            self,
            self.ctx,
            first.village_id,
            first.grid_id if len(grids) == 1 else None,
            first.handler_id if len(ready) == 1 else None,
            count=len(ready),
        )
        if choice is None:
            return
        ids = [r.id for r in ready]

        def dispatched(done: list[ServiceRequest]) -> None:
            message = f"已派单 {len(done)} 张" + (f"，{skipped} 张因状态不能派单已跳过" if skipped else "")
            self.status_message.emit(message + "。")

        # One operation, all or none; run_op tells the list which rows changed.
        run_op(self.ctx, self, dispatch_requests, ids, choice.member_id, choice.note, on_done=dispatched)

    def print_selected(self) -> None:
        ids = self.selected_ids()
        if ids and self.print_button.isEnabled():
            printing.print_work_orders(self, self.ctx, ids)

    def delete_selected(self) -> None:
        """The selected requests to the recycle bin, after the clerk confirms (issue #9 §6)."""
        selected = self.selected_requests()
        if not selected or not self.delete_button.isEnabled():
            return
        numbers = "、".join(r.number for r in selected[:5]) + ("……" if len(selected) > 5 else "")
        answer = QMessageBox.question(
            self,
            "删除工单",
            f"把 {len(selected)} 张工单（{numbers}）移到回收站？\n"
            "移到回收站后，列表和统计中不再出现；管理员可以在「回收站」中恢复。",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        done: list[object] = []

        def deleted(_value: object) -> None:
            done.append(_value)
            if len(done) == len(selected):
                self.status_message.emit(f"已把 {len(done)} 张工单移到回收站。")

        for request in selected:
            run_op(self.ctx, self, delete_to_bin, "request", request.id, on_done=deleted)

    def _on_context_menu(self, position: QPoint) -> None:
        if not self.view.indexAt(position).isValid():
            return
        menu = QMenu(self)
        for text, slot, button in (
            ("查看详情", self.open_current, None),
            ("派单…", self.dispatch_selected, self.dispatch_button),
            ("打印工单", self.print_selected, self.print_button),
            ("删除…", self.delete_selected, self.delete_button),
        ):
            action = QAction(text, menu)
            action.triggered.connect(slot)
            if button is not None:
                action.setEnabled(button.isEnabled())
            menu.addAction(action)
        menu.exec(self.view.viewport().mapToGlobal(position))

    # ------------------------------------------------------------------ data events
    def _on_requests_changed(self, ids: list[int]) -> None:
        """Changed rows are swapped in place; a new or unknown request reloads the list."""
        if ids:
            missing = self.model.refresh_ids(ids)
            if not missing:
                # The rows stay where they are; how many match the filter may have changed.
                self.model.recount()
                self._update_actions()
                return
        self.model.reload()
        self._update_count()
