"""走访: who is due for a care visit (this week, overdue, never visited) by town, village, grid and
member; the weekly paper roster; typing the roster's results back (issue #11)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain.queries import PersonFilter
from xianghe_desk.domain.visits import DueEntry, DueFilter, DueKind, week_of
from xianghe_desk.operations.visits import log_visit, print_roster
from xianghe_desk.services.visits import Roster, VisitService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.dialogs.fast_entry import FastEntryDialog
from xianghe_desk.ui.dialogs.resident_detail import EDIT, ResidentDetailDialog
from xianghe_desk.ui.dialogs.visit_dialog import VisitDialog
from xianghe_desk.ui.models.base import Role
from xianghe_desk.ui.models.visits import DueTableModel
from xianghe_desk.ui.operations import run_op
from xianghe_desk.ui.printing import output_path, show_pdf
from xianghe_desk.ui.widgets.combos import combo_value, fill_combo, set_combo_value
from xianghe_desk.ui.widgets.date_edit import DeskDateEdit
from xianghe_desk.ui.widgets.header_state import HeaderMemory
from xianghe_desk.ui.widgets.look import MUTED, set_text_colour, title_html
from xianghe_desk.ui.widgets.place_picker import PlacePicker
from xianghe_desk.ui.widgets.search_box import SearchBox
from xianghe_desk.ui.widgets.tab_order import chain_tab_order
from xianghe_desk.ui.widgets.table import DeskTableView

# The 显示 filter: (label, kinds); no kinds = the roster's residents (due by Sunday, overdue,
# never visited).
SHOW: tuple[tuple[str, tuple[DueKind, ...]], ...] = (
    ("本周应走访（含超期、从未走访）", ()),
    ("已超期", (DueKind.OVERDUE,)),
    ("本周到期（未超期）", (DueKind.THIS_WEEK,)),
    ("从未走访", (DueKind.NEVER,)),
)
SHOW_KEYS = {"all": 0, "overdue": 1, "week": 2, "never": 3}


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def due_work(flt: DueFilter) -> Any:
    def work(ws: Workspace, _job: object) -> list[DueEntry]:
        return VisitService(ws).due(flt)

    return work


class VisitsPage(QWidget):
    """Signals:
    navigate(str, dict): open another page.
    status_message(str): a line for the window's status bar.
    """

    navigate = Signal(str, dict)
    status_message = Signal(str)

    search_text = "查找服务对象（走访名单）"

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._loading = False
        self._stale = False
        self._init_widgets()
        self._init_layout()
        self._init_signals()
        town, village = ctx.home_place()
        self.places.set_place(town, village)

    # ---------------------------------------------------------------- building
    def _init_widgets(self) -> None:
        self.title = QLabel(title_html("定期走访"), self)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.count_label = QLabel(self)
        self.log_button = QPushButton("记录走访…", self)
        self.log_button.setToolTip("为选中的服务对象登记一次走访")
        self.open_button = QPushButton("服务对象详情", self)
        self.print_button = QPushButton("打印走访表…", self)
        self.print_button.setToolTip("为选定的网格员或网格打印这一周的纸质走访表")
        self.entry_button = QPushButton("录入走访表…", self)
        self.entry_button.setToolTip("把交回的纸质走访表按顺序录入（只用键盘）")
        self.town, self.village, self.grid = QComboBox(self), QComboBox(self), QComboBox(self)
        self.places = PlacePicker(self.ctx, self.town, self.village, self.grid)
        self.member = QComboBox(self)
        self.member.setMinimumContentsLength(6)
        self.member.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.show_combo = QComboBox(self)
        for label, _kinds in SHOW:
            self.show_combo.addItem(label)
        self.week_edit = DeskDateEdit(self)
        self.week_edit.setCalendarPopup(True)
        self.week_edit.setDisplayFormat("yyyy-MM-dd")
        self.week_edit.setDate(_qdate(self.ctx.now().date()))
        self.week_label = QLabel(self)
        self.search = SearchBox(self, "姓名或拼音首字母")
        self.model = DueTableModel(self)
        self.table = DeskTableView(self, multi_select=False)
        self.table.setModel(self.model)
        self.header_memory = HeaderMemory(self.table, "visits", [c.width for c in self.model.columns])
        self.status = QLabel(
            "按走访计划：孤寡、独居老人每周，重病患者每周两次，行动不便、残疾人每两周，低保、特困每月（可在「设置」中修改）。"
            "双击一行查看服务对象的走访记录。",
            self,
        )
        self.status.setWordWrap(True)
        set_text_colour(self.status, MUTED)

    def _init_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.count_label)
        top.addStretch(1)
        for button in (self.log_button, self.open_button, self.print_button, self.entry_button):
            top.addWidget(button)
        filters = QHBoxLayout()
        for label, widget in (
            ("镇", self.town),
            ("村街", self.village),
            ("网格", self.grid),
            ("网格员", self.member),
        ):
            caption = QLabel(label, self)
            caption.setBuddy(widget)
            filters.addWidget(caption)
            filters.addWidget(widget, 1)
        second = QHBoxLayout()
        shown: tuple[tuple[str, QWidget], ...] = (("显示", self.show_combo), ("哪一周", self.week_edit))
        for text, field in shown:
            caption = QLabel(text, self)
            caption.setBuddy(field)
            second.addWidget(caption)
            second.addWidget(field)
        second.addWidget(self.week_label)
        second.addStretch(1)
        second.addWidget(self.search, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addLayout(second)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        chain_tab_order(
            self.log_button, self.open_button, self.print_button, self.entry_button, self.town, self.village,
            self.grid, self.member, self.show_combo, self.week_edit, self.search, self.table,
        )  # fmt: skip

    def _init_signals(self) -> None:
        self.places.changed.connect(self._on_places_changed)
        self.member.currentIndexChanged.connect(lambda _i: self.refresh())
        self.show_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.week_edit.dateChanged.connect(lambda _d: self.refresh())
        self.search.search_changed.connect(lambda _t: self.refresh())
        self.log_button.clicked.connect(self._on_log_clicked)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.print_button.clicked.connect(self.print_roster)
        self.entry_button.clicked.connect(self.fast_entry)
        self.table.open_requested.connect(self._on_table_open_requested)
        self.ctx.events.visits_changed.connect(self._on_data_changed)
        self.ctx.events.residents_changed.connect(self._on_data_changed)
        self.ctx.events.members_changed.connect(self._fill_members)
        self.ctx.events.places_changed.connect(self.places.reload_towns)

    # ---------------------------------------------------------------- filters
    def current_filter(self) -> DueFilter:
        return DueFilter(
            town_id=self.places.town_id(),
            village_id=self.places.village_id(),
            grid_id=self.places.grid_id(),
            member_id=combo_value(self.member),
            week=_date(self.week_edit.date()),
            kinds=SHOW[max(0, self.show_combo.currentIndex())][1],
            text=self.search.text().strip(),
        )

    def _fill_members(self) -> None:
        flt = PersonFilter(
            town_id=self.places.town_id(),
            village_id=self.places.village_id(),
            grid_id=self.places.grid_id(),
            active_only=True,
        )
        members = self.ctx.members.list(flt, 0, 500) if flt.town_id is not None else []
        self.member.blockSignals(True)
        fill_combo(
            self.member,
            ((f"{m.name}（{m.village_name or m.town_name}）", m.id) for m in members),
            "全部网格员",
        )
        self.member.blockSignals(False)
        self.member.setEnabled(bool(members))

    def _on_places_changed(self) -> None:
        self._fill_members()
        self.refresh()

    def activate(self, **kwargs: Any) -> None:
        """``show`` (all, overdue, week, never), ``town_id``, ``village_id``, ``grid_id``, ``member_id``."""
        if {"town_id", "village_id", "grid_id"} & kwargs.keys():
            self.places.set_place(kwargs.get("town_id"), kwargs.get("village_id"), kwargs.get("grid_id"))
        if "member_id" in kwargs:
            set_combo_value(self.member, kwargs["member_id"])
        if "show" in kwargs:
            self.show_combo.setCurrentIndex(SHOW_KEYS.get(str(kwargs["show"]), 0))
        if self._stale:
            self._stale = False
            self.refresh()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def save_state(self) -> None:
        self.header_memory.save()

    # ---------------------------------------------------------------- loading
    def refresh(self) -> None:
        """Read the list in a job (a county's due list compares every planned resident)."""
        flt = self.current_filter()
        start, end = week_of(flt.week or self.ctx.now().date())
        self.week_label.setText(f"（{start:%m-%d} 星期一 至 {end:%m-%d} 星期日）")
        self._loading = True
        self.count_label.setText("正在统计…")
        self.ctx.read(due_work(flt), self._on_loaded, self._on_load_failed, "visits_due")

    def _on_loaded(self, entries: list[DueEntry]) -> None:
        self._loading = False
        self.model.set_rows(entries)
        overdue = sum(1 for e in entries if e.overdue_days > 0)
        never = sum(1 for e in entries if e.never_visited)
        text = f"共 {len(entries)} 人"
        if overdue or never:
            text += f"（已超期 {overdue} 人，从未走访 {never} 人）"
        self.count_label.setText(text)

    def _on_load_failed(self, message: str, _is_bug: bool) -> None:
        self._loading = False
        self.count_label.setText("统计失败，请按 F5 重试")
        self.status.setText(message)

    def _on_data_changed(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    # ---------------------------------------------------------------- actions
    def selected(self) -> DueEntry | None:
        index = self.table.currentIndex()
        return self.model.row_object(index.row()) if index.isValid() else None

    def _on_log_clicked(self) -> None:
        entry = self.selected()
        if entry is None:
            self.status.setText("请先在列表中选中一位服务对象。")
            return
        resident = self.ctx.residents.get(entry.resident_id)
        draft = VisitDialog.edit(self, self.ctx, resident)
        if draft is not None:
            run_op(
                self.ctx, self, log_visit, draft,
                on_done=lambda _v: self.status_message.emit(f"已登记 {resident.name} 的走访。"),
            )  # fmt: skip

    def _on_open_clicked(self) -> None:
        entry = self.selected()
        if entry is None:
            self.status.setText("请先在列表中选中一位服务对象。")
            return
        self.open_resident(entry.resident_id)

    def _on_table_open_requested(self, index: QModelIndex) -> None:
        resident_id = index.data(Role.IdRole)
        if resident_id is not None:
            self.open_resident(int(resident_id))

    def open_resident(self, resident_id: int) -> None:
        if ResidentDetailDialog.show_for(self, self.ctx, resident_id, tab="visits") == EDIT:
            self.navigate.emit("residents", {"resident_id": resident_id})

    def _roster_target(self) -> tuple[int | None, int | None] | None:
        member_id, grid_id = combo_value(self.member), self.places.grid_id()
        if member_id is None and grid_id is None:
            QMessageBox.information(
                self, "走访表", "走访表按网格员或按网格打印：请先在上面选定一位网格员，或选定一个网格。"
            )
            return None
        # A member chosen wins: the paper goes to a person.
        return (member_id, None) if member_id is not None else (None, grid_id)

    def print_roster(self) -> None:
        target = self._roster_target()
        if target is None:
            return
        member_id, grid_id = target
        path = output_path("走访表", self.ctx.now())
        week = _date(self.week_edit.date())

        def printed(roster: Roster) -> None:
            self.status_message.emit(f"已生成走访表：{roster.title}，{len(roster.entries)} 人。")
            show_pdf(self, path, f"走访表：{roster.title}")

        run_op(
            self.ctx, self, print_roster, path, week, member_id=member_id, grid_id=grid_id, on_done=printed
        )

    def fast_entry(self) -> None:
        target = self._roster_target()
        if target is None:
            return
        member_id, grid_id = target
        week = _date(self.week_edit.date())
        roster = self.ctx.visits.roster(week, member_id=member_id, grid_id=grid_id)
        if not roster.entries:
            QMessageBox.information(self, "录入走访表", f"{roster.title} 这一周没有需要走访的服务对象。")
            return
        members = self._members_for(roster)
        saved = FastEntryDialog.enter(self, self.ctx, roster, members)
        if saved:
            self.status_message.emit(f"已录入 {saved} 次走访（{roster.title}）。")

    def _members_for(self, roster: Roster) -> list[Any]:
        if roster.member is not None:
            return [roster.member]
        if roster.grid is not None:
            return [m for m in self.ctx.members.of_grid(roster.grid.id) if m.active]
        return []
