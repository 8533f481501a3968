"""The 服务对象 screen: find a resident in two seconds, add or correct one, open their page."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from xianghe_desk.domain.access import Permission
from xianghe_desk.domain.drafts import ResidentDraft
from xianghe_desk.domain.enums import CareTag
from xianghe_desk.domain.models import Resident
from xianghe_desk.domain.queries import PersonFilter
from xianghe_desk.operations.people import add_resident, update_resident
from xianghe_desk.operations.recycle import delete_to_bin
from xianghe_desk.services.people import Saved
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.dialogs.duplicate_resident import ADD_NEW, DuplicateResidentDialog
from xianghe_desk.ui.dialogs.resident_detail import EDIT, ResidentDetailDialog
from xianghe_desk.ui.dialogs.resident_dialog import ResidentDialog
from xianghe_desk.ui.models.base import Role
from xianghe_desk.ui.models.residents import ResidentTableModel
from xianghe_desk.ui.operations import run_op
from xianghe_desk.ui.roles import allow
from xianghe_desk.ui.widgets.combos import fill_combo, set_combo_value
from xianghe_desk.ui.widgets.header_state import HeaderMemory
from xianghe_desk.ui.widgets.look import MUTED, set_text_colour, title_html
from xianghe_desk.ui.widgets.place_picker import PlacePicker
from xianghe_desk.ui.widgets.search_box import SearchBox
from xianghe_desk.ui.widgets.tab_order import chain_tab_order
from xianghe_desk.ui.widgets.table import DeskTableView

# The residents' 走访 filter: the plan's state (store/visit_due.STATE_CONDITIONS).
VISIT_STATES = (
    ("已超期", "overdue"),
    ("本周到期", "week"),
    ("从未走访", "never"),
    ("在走访计划中", "planned"),
    ("住院暂停", "paused"),
    ("已迁出或去世", "left"),
)


def page_title(text: str, parent: QWidget | None = None) -> QLabel:
    """A page's name in large bold type that grows with the desk's text size."""
    label = QLabel(title_html(text), parent)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setAccessibleName(text)
    return label


class ResidentsPage(QWidget):
    """The resident list with its filter bar. Writes are operations run through ``run_op``, which
    emits ``events.residents_changed``, on which the list reloads.

    Signals:
    navigate(str, dict): open another page (the request list of the chosen resident).
    status_message(str): a line for the window's status bar (「已保存」).
    """

    navigate = Signal(str, dict)
    status_message = Signal(str)

    # The main window's Ctrl+N and Ctrl+F on this page (its menu shows these texts).
    new_item_text = "新增服务对象…"
    search_text = "查找服务对象"

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._init_widgets()
        self._init_layout()
        self._init_signals()
        self.places.set_place(*ctx.home_place())
        self._update_role_actions()

    # ---------------------------------------------------------------- building
    def _init_widgets(self) -> None:
        self.title = page_title("服务对象")
        self.count_label = QLabel()
        self.add_button = QPushButton("新增服务对象")
        self.add_button.setToolTip("登记一位新的服务对象（Ctrl+N）")
        self.edit_button = QPushButton("修改资料")
        self.open_button = QPushButton("查看详情和工单")
        self.requests_button = QPushButton("在工单列表中查看")
        self.requests_button.setToolTip("打开「服务工单」，只列出选中服务对象的工单")
        self.delete_button = QPushButton("删除…")
        self.delete_button.setToolTip("把选中的服务对象（连同其工单）移到回收站，管理员可以恢复")
        self.town = QComboBox()
        self.village = QComboBox()
        self.grid = QComboBox()
        self.places = PlacePicker(self.ctx, self.town, self.village, self.grid)
        self.care = QComboBox()
        fill_combo(self.care, ((tag.label, tag.value) for tag in CareTag), "全部类别")
        # Care visits (issue #11): the plan's state as the 走访 page counts it.
        self.visit = QComboBox()
        fill_combo(self.visit, VISIT_STATES, "全部")
        # Narrow when closed: the filter bar has to fit a 1366-pixel screen at 150 % text.
        self.visit.setMinimumContentsLength(4)
        self.visit.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.search = SearchBox(self, "姓名、拼音首字母、电话或身份证号")
        self.search.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 15)
        self.clear_button = QPushButton("清除筛选")
        self.model = ResidentTableModel(self.ctx, self)
        self.table = DeskTableView(self, multi_select=False)
        self.table.setModel(self.model)
        self.header_memory = HeaderMemory(self.table, "residents", [c.width for c in self.model.columns])
        self.status = QLabel("列表中的身份证号只显示前 6 位和后 4 位；双击一行查看完整资料和此人的全部工单。")
        self.status.setWordWrap(True)
        set_text_colour(self.status, MUTED)

    def _init_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.count_label)
        # The 走访 filter sits up here: the filter bar below has no room left at 150 % text.
        visit_caption = QLabel("走访")
        visit_caption.setBuddy(self.visit)
        top.addSpacing(12)
        top.addWidget(visit_caption)
        top.addWidget(self.visit)
        top.addStretch(1)
        for button in (
            self.requests_button,
            self.open_button,
            self.edit_button,
            self.add_button,
            self.delete_button,
        ):
            top.addWidget(button)
        filters = QHBoxLayout()
        for label, widget in (
            ("镇", self.town),
            ("村街", self.village),
            ("网格", self.grid),
            ("服务类别", self.care),
        ):
            caption = QLabel(label)
            caption.setBuddy(widget)
            filters.addWidget(caption)
            filters.addWidget(widget, 1)
        filters.addSpacing(8)
        filters.addWidget(self.search, 2)
        filters.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        # Tab in reading order: the buttons, the filters, the search box, then the list.
        chain_tab_order(
            self.requests_button,
            self.open_button,
            self.edit_button,
            self.add_button,
            self.delete_button,
            self.town,
            self.village,
            self.grid,
            self.care,
            self.visit,
            self.search,
            self.clear_button,
            self.table,
        )

    def _init_signals(self) -> None:
        self.places.changed.connect(self._apply_filter)
        self.care.currentIndexChanged.connect(lambda _i: self._apply_filter())
        self.visit.currentIndexChanged.connect(lambda _i: self._apply_filter())
        self.ctx.events.visits_changed.connect(self._on_data_changed)
        self.search.search_changed.connect(lambda _t: self._apply_filter())
        self.search.submitted.connect(lambda _t: self._apply_filter())
        self.clear_button.clicked.connect(self._on_clear_clicked)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.requests_button.clicked.connect(self._on_requests_clicked)
        self.table.open_requested.connect(self._on_table_open_requested)
        self.model.modelReset.connect(self._update_count)
        self.model.total_changed.connect(lambda _n: self._update_count())
        self.ctx.events.residents_changed.connect(self._on_data_changed)
        self.ctx.events.members_changed.connect(self._on_data_changed)
        self.ctx.events.places_changed.connect(self._on_places_changed)

    # ---------------------------------------------------------------- navigation
    def activate(self, **kwargs: Any) -> None:
        """Show with filters: ``town_id``, ``village_id``, ``grid_id``, ``care_tag``, ``text``;
        ``visit_state`` (VISIT_STATES); ``resident_id`` opens that resident's page."""
        if {"town_id", "village_id", "grid_id"} & kwargs.keys():
            self.places.set_place(kwargs.get("town_id"), kwargs.get("village_id"), kwargs.get("grid_id"))
        if "care_tag" in kwargs:
            set_combo_value(self.care, kwargs["care_tag"])
        if "visit_state" in kwargs:
            set_combo_value(self.visit, kwargs["visit_state"])
        if "text" in kwargs:
            self.search.set_text_quietly(str(kwargs["text"] or ""))
            self._apply_filter()
        self.search.setFocus()
        if kwargs.get("resident_id") is not None:
            self.open_resident(int(kwargs["resident_id"]))

    def new_item(self) -> None:
        self.add_resident()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def refresh(self) -> None:
        self.search.flush()
        self._apply_filter()

    def save_state(self) -> None:
        self.header_memory.save()

    def current_filter(self) -> PersonFilter:
        return PersonFilter(
            town_id=self.places.town_id(),
            village_id=self.places.village_id(),
            grid_id=self.places.grid_id(),
            care_tag=self.care.currentData(),
            text=self.search.text().strip(),
            visit_state=self.visit.currentData(),
        )

    def _apply_filter(self) -> None:
        self.model.set_filter(self.current_filter())

    def _update_count(self) -> None:
        self.count_label.setText(f"共 {self.model.total_text()}")

    def _selected(self) -> Resident | None:
        index = self.table.currentIndex()
        return self.model.row_object(index.row()) if index.isValid() else None

    # ---------------------------------------------------------------- slots
    def _on_clear_clicked(self) -> None:
        self.search.set_text_quietly("")
        self.search.clear()
        set_combo_value(self.care, None)
        set_combo_value(self.visit, None)
        self.places.set_place(*self.ctx.home_place())

    def _update_role_actions(self) -> None:
        """What the signed-in role may not do is disabled with the reason (the operations refuse anyway)."""
        who = self.ctx.who
        allow(self.add_button, who, Permission.EDIT)
        allow(self.edit_button, who, Permission.EDIT)
        allow(self.delete_button, who, Permission.DELETE)

    def _on_data_changed(self) -> None:
        self.model.reload()

    def _on_places_changed(self) -> None:
        self.places.reload_towns()
        self.model.reload()

    def _on_table_open_requested(self, index: QModelIndex) -> None:
        resident_id = index.data(Role.IdRole)
        if resident_id is not None:
            self.open_resident(int(resident_id))

    def _on_open_clicked(self) -> None:
        resident = self._selected()
        if resident is None:
            self.status.setText("请先在列表中选中一位服务对象。")
            return
        self.open_resident(resident.id)

    def _on_requests_clicked(self) -> None:
        resident = self._selected()
        if resident is None:
            self.status.setText("请先在列表中选中一位服务对象。")
            return
        self.navigate.emit("requests", {"resident_id": resident.id})

    def _on_edit_clicked(self) -> None:
        resident = self._selected()
        if resident is None:
            self.status.setText("请先在列表中选中要修改的服务对象。")
            return
        self.edit_resident(resident.id)

    def _on_add_clicked(self) -> None:
        self.add_resident()

    def _on_delete_clicked(self) -> None:
        resident = self._selected()
        if resident is None:
            self.status.setText("请先在列表中选中要删除的服务对象。")
            return
        answer = QMessageBox.question(
            self,
            "删除服务对象",
            f"把「{resident.name}」（{resident.village_name}）和他（她）的全部工单移到回收站？\n"
            "移到回收站后，列表和统计中不再出现；管理员可以在「回收站」中恢复。",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return

        def deleted(_value: object) -> None:
            self.status.setText(f"已把「{resident.name}」移到回收站。")
            self.status_message.emit(f"已把服务对象「{resident.name}」移到回收站。")

        run_op(self.ctx, self, delete_to_bin, "resident", resident.id, on_done=deleted)

    # ---------------------------------------------------------------- actions
    def open_resident(self, resident_id: int) -> None:
        if ResidentDetailDialog.show_for(self, self.ctx, resident_id) == EDIT:
            self.edit_resident(resident_id)

    def edit_resident(self, resident_id: int) -> None:
        resident = self.ctx.residents.get(resident_id)
        draft = ResidentDialog.edit(self, self.ctx, resident)
        if draft is not None:
            self._save(draft, resident_id)

    def add_resident(self, draft: ResidentDraft | None = None) -> None:
        """The form; then, before saving, the people who may be the same one (「可能是同一个人」)."""
        while True:
            draft = ResidentDialog.edit(self, self.ctx, None, draft)
            if draft is None:
                return
            if draft.id_number:
                existing = self.ctx.residents.by_id_number(draft.id_number)
                if existing is not None:
                    self._offer_existing(existing)
                    return
            candidates = [
                r
                for r in self.ctx.residents.likely_duplicates(draft)
                # Two different ID numbers are two different people.
                if not (draft.id_number and r.id_number and r.id_number != draft.id_number)
            ]
            if not candidates:
                break
            village = self.ctx.places.village(draft.village_id)
            choice = DuplicateResidentDialog.choose(
                self, draft, candidates, village.short_name if village else ""
            )
            if choice == ADD_NEW:
                break
            if isinstance(choice, Resident):
                self.open_resident(choice.id)
                return
            # None: back to the form with what was typed.
        self._save(draft, None)

    def _offer_existing(self, existing: Resident) -> None:
        answer = QMessageBox.question(
            self,
            "已登记过",
            f"这个身份证号已登记为{existing.village_name}的「{existing.name}」，不能重复登记。\n要打开已有的记录吗？",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.open_resident(existing.id)

    def _save(self, draft: ResidentDraft, resident_id: int | None) -> None:
        def finished(saved: Saved) -> None:
            # run_op has emitted residents_changed: the list is reloaded already.
            self.status.setText(f"已保存「{draft.name}」。")
            self.status_message.emit(f"已保存服务对象「{draft.name}」。")
            self._select(saved.id)

        if resident_id is None:
            run_op(self.ctx, self, add_resident, draft, on_done=finished)
        else:
            run_op(self.ctx, self, update_resident, resident_id, draft, on_done=finished)

    def _select(self, resident_id: int) -> None:
        row = self.model.row_of_id(resident_id)
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        self.header_memory.save()
        super().hideEvent(event)
