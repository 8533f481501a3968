"""操作日志: who did what, when, on which copy — for administrators (Permission.AUDIT).

Filters by account, date range, kind of change and resident; newest first and paged (a trail of
hundreds of thousands of rows never loads whole); double-click a row to see the fields before and
after. 「导出 Excel」 writes what the filters show (operations/audit.export_audit_trail, openpyxl
only in sheets/). Opening the page and exporting are themselves written to the trail.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain.access import Permission
from xianghe_desk.domain.queries import PersonFilter
from xianghe_desk.operations.audit import export_audit_trail, view_audit_trail
from xianghe_desk.services.audit import KIND_LABELS, AuditEntry, AuditFilter
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.models.audit import AuditTableModel
from xianghe_desk.ui.models.base import Role
from xianghe_desk.ui.operations import run_op
from xianghe_desk.ui.pages.residents import page_title
from xianghe_desk.ui.roles import allow
from xianghe_desk.ui.widgets.combos import fill_combo, set_combo_value
from xianghe_desk.ui.widgets.date_edit import DeskDateEdit
from xianghe_desk.ui.widgets.file_dialogs import XLSX, save_file
from xianghe_desk.ui.widgets.header_state import HeaderMemory
from xianghe_desk.ui.widgets.look import MUTED, set_text_colour
from xianghe_desk.ui.widgets.search_box import SearchBox
from xianghe_desk.ui.widgets.table import DeskTableView

NO_DATE = QDate(2000, 1, 1)
RESIDENT_MATCHES = 50  # a name typed into 「服务对象」 filters by up to this many people of that name

# How the before/after values of a change read in the detail box.
_DETAIL_LABELS = {"before": "修改前", "after": "修改后"}


def _day(edit: QDateEdit) -> date | None:
    value = edit.date()
    return None if value <= NO_DATE else date(value.year(), value.month(), value.day())


def detail_text(entry: AuditEntry) -> str:
    """An audit row's details in lines: 修改前 / 修改后 and the other recorded values."""
    lines = [
        f"{entry.at:%Y-%m-%d %H:%M:%S}　{entry.user_name}　{KIND_LABELS.get(entry.kind, entry.kind)}",
        "",
    ]
    lines.append(entry.summary)
    detail = entry.detail or {}
    for key in ("before", "after"):
        if isinstance(detail.get(key), dict) and detail[key]:
            lines.append("")
            lines.append(_DETAIL_LABELS[key] + "：")
            lines += [f"　{field}：{value}" for field, value in detail[key].items()]
    others = {k: v for k, v in detail.items() if k not in _DETAIL_LABELS}
    if others:
        lines.append("")
        lines += [
            f"{k}：{json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v}"
            for k, v in others.items()
        ]
    lines.append("")
    lines.append(f"电脑 {entry.device} 第 {entry.seq} 条　操作代码 {entry.action}")
    return "\n".join(lines)


class AuditPage(QWidget):
    """The audit trail with its filters. Only roles with Permission.AUDIT see the page; the
    operations refuse the others anyway (reading is recorded by ``view_audit_trail``).

    Signals:
    status_message(str): a line for the window's status bar.
    """

    status_message = Signal(str)

    search_text = "按服务对象查找"

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._init_widgets()
        self._init_layout()
        self._init_signals()
        self.reload_users()
        self.apply_filter()

    # ---------------------------------------------------------------- building
    def _init_widgets(self) -> None:
        self.title = page_title("操作日志")
        self.count_label = QLabel()
        self.user = QComboBox()
        self.kind = QComboBox()
        fill_combo(self.kind, ((label, kind) for kind, label in KIND_LABELS.items()), "全部类别")
        self.from_edit = self._date_edit()
        self.to_edit = self._date_edit()
        self.search = SearchBox(self, "服务对象姓名或拼音首字母")
        self.search.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 12)
        self.clear_button = QPushButton("清除筛选")
        self.export_button = QPushButton("导出 Excel…")
        self.export_button.setToolTip("把下面列出的操作日志（按当前筛选）保存为 Excel 文件")
        allow(self.export_button, self.ctx.who, Permission.AUDIT)
        self.model = AuditTableModel(self.ctx, self)
        self.table = DeskTableView(self, multi_select=False)
        self.table.setModel(self.model)
        self.table.setSortingEnabled(False)
        self.header_memory = HeaderMemory(self.table, "audit", [c.width for c in self.model.columns])
        self.hint = QLabel(
            "最新的在最上面。双击一行查看修改前后的内容。操作日志只能追加，不能修改或删除；"
            "「数据检查」会发现被改动或删除的记录。"
        )
        self.hint.setWordWrap(True)
        set_text_colour(self.hint, MUTED)

    def _date_edit(self) -> QDateEdit:
        edit = DeskDateEdit(self)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setCalendarPopup(True)
        edit.setMinimumDate(NO_DATE)
        edit.setSpecialValueText("不限")
        edit.setDate(NO_DATE)
        edit.setToolTip("选择日期；选最早的日期即「不限」")
        return edit

    def _init_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.count_label)
        top.addStretch(1)
        # 「清除筛选」 up here: with it the filter row was wider than a 1366-pixel screen at 150 %.
        top.addWidget(self.clear_button)
        top.addWidget(self.export_button)
        bar = QHBoxLayout()
        for text, widget in (
            ("账号", self.user),
            ("从", self.from_edit),
            ("到", self.to_edit),
            ("类别", self.kind),
            ("服务对象", self.search),
        ):
            caption = QLabel(text)
            caption.setBuddy(widget)
            bar.addWidget(caption)
            bar.addWidget(widget, 2 if widget is self.search else 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.hint)

    def _init_signals(self) -> None:
        self.user.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.kind.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.from_edit.dateChanged.connect(lambda _d: self.apply_filter())
        self.to_edit.dateChanged.connect(lambda _d: self.apply_filter())
        self.search.search_changed.connect(lambda _t: self.apply_filter())
        self.search.submitted.connect(lambda _t: self.apply_filter())
        self.clear_button.clicked.connect(self.clear_filters)
        self.export_button.clicked.connect(self.export)
        self.table.open_requested.connect(self._on_open_requested)
        self.model.modelReset.connect(self._update_count)

    # ---------------------------------------------------------------- page protocol
    def activate(self, **kwargs: Any) -> None:
        """Each visit is recorded (who looked at who did what); ``user_name`` / ``kind`` /
        ``resident`` preset the filters. The rows shown stay until the visit is recorded; then
        the list (the visit its newest row) and the accounts' names are read again, in a turn of
        the event loop of their own (issue #13: read twice on the switch itself, 20 ms)."""
        if "user_name" in kwargs:
            if self.user.findData(kwargs["user_name"]) < 0:
                self.reload_users()
            set_combo_value(self.user, kwargs["user_name"])
        if "kind" in kwargs:
            set_combo_value(self.kind, kwargs["kind"])
        if "resident" in kwargs:
            self.search.set_text_quietly(str(kwargs["resident"] or ""))
        wanted = self.current_filter()
        if wanted != self.model.flt:
            self.model.set_filter(wanted)
        run_op(
            self.ctx, self, view_audit_trail, self.filter_words(), on_done=lambda _total: self._after_visit()
        )

    def _after_visit(self) -> None:
        self.reload_users()
        self.model.reload()

    def refresh(self) -> None:
        self.search.flush()
        self.reload_users()
        self.model.reload()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def save_state(self) -> None:
        self.header_memory.save()

    # ---------------------------------------------------------------- filters
    def reload_users(self) -> None:
        fill_combo(self.user, ((name, name) for name in self.ctx.audit.user_names() if name), "全部账号")

    def current_filter(self) -> AuditFilter:
        start, end = _day(self.from_edit), _day(self.to_edit)
        text = self.search.text().strip()
        residents: tuple[str, ...] | None = None
        if text:
            found = self.ctx.residents.list(PersonFilter(text=text), 0, RESIDENT_MATCHES)
            residents = tuple(r.uuid for r in found)
        return AuditFilter(
            since=datetime.combine(start, time()) if start else None,
            until=datetime.combine(end, time()) + timedelta(days=1) if end else None,
            user_name=self.user.currentData(),
            kind=self.kind.currentData(),
            resident_uuids=residents,
        )

    def filter_words(self) -> str:
        parts = []
        if self.user.currentData():
            parts.append(f"账号 {self.user.currentData()}")
        if self.kind.currentData():
            parts.append(f"类别 {self.kind.currentText()}")
        if _day(self.from_edit) or _day(self.to_edit):
            parts.append(f"日期 {self.from_edit.text()} 至 {self.to_edit.text()}")
        if self.search.text().strip():
            parts.append(f"服务对象 {self.search.text().strip()}")
        return "，".join(parts)

    def apply_filter(self) -> None:
        self.model.set_filter(self.current_filter())

    def clear_filters(self) -> None:
        for combo in (self.user, self.kind):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        for edit in (self.from_edit, self.to_edit):
            edit.blockSignals(True)
            edit.setDate(NO_DATE)
            edit.blockSignals(False)
        self.search.set_text_quietly("")
        self.apply_filter()

    def _update_count(self) -> None:
        self.count_label.setText(f"共 {self.model.total():,} 条")

    # ---------------------------------------------------------------- actions
    def _on_open_requested(self, index: QModelIndex) -> None:
        entry = index.data(Role.ObjectRole)
        if isinstance(entry, AuditEntry):
            box = QMessageBox(self)
            box.setIcon(QMessageBox.Icon.Information)
            box.setWindowTitle("操作日志")
            box.setText(detail_text(entry))
            box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            box.exec()

    def ask_save_path(self) -> Path | None:
        """Where to save the export (monkeypatched in tests)."""
        stamp = self.ctx.now().strftime("%Y%m%d")
        return save_file(self, "导出操作日志", f"操作日志-{stamp}.xlsx", XLSX)

    def export(self) -> None:
        if not self.export_button.isEnabled():
            return
        path = self.ask_save_path()
        if path is None:
            return

        def done(count: int) -> None:
            text = f"已导出操作日志 {count} 条：{path}"
            self.status_message.emit(text)
            QMessageBox.information(self, "导出操作日志", f"已导出 {count} 条操作日志到：\n{path}")
            self.model.reload()  # the export itself is now the newest row

        run_op(
            self.ctx,
            self,
            export_audit_trail,
            self.current_filter(),
            path,
            self.search.text().strip(),
            on_done=done,
            progress="正在导出操作日志…",
        )
