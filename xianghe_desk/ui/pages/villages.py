"""The 村街 screen: every town and village with its codes, 片区 and what it holds right now."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain.access import Permission
from xianghe_desk.domain.enums import VillageKind
from xianghe_desk.operations.places import add_village, set_village_district
from xianghe_desk.services.overview import OverviewService, TownOverview, VillageOverview
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.dialogs.village_dialog import VillageDialog, VillageFields
from xianghe_desk.ui.models.villages import VillageTreeModel
from xianghe_desk.ui.operations import run_op
from xianghe_desk.ui.pages.residents import page_title
from xianghe_desk.ui.roles import allow
from xianghe_desk.ui.widgets.column_fit import ColumnFitter
from xianghe_desk.ui.widgets.combos import fill_combo, set_combo_value
from xianghe_desk.ui.widgets.look import MUTED, set_text_colour
from xianghe_desk.ui.widgets.search_box import SearchBox
from xianghe_desk.ui.widgets.tab_order import chain_tab_order

LEGEND = (
    "网格员：在岗且所属村街为该村街的人数（镇一级的合计另含镇干部等）；未办结工单：待派单、已派单、办理中；"
    "其中超期：未办结且已过办理时限。双击村街设置片区。"
)


def county_work(include_virtual: bool, town_id: int | None) -> Any:
    """The tree's counts, read on the reader pool (grouped counts over every request: at a
    million requests too long for the UI thread)."""

    def work(ws: Workspace, _job: object) -> list[TownOverview]:
        return OverviewService(ws).county(include_virtual, town_id)

    return work


class VillagesPage(QWidget):
    """Towns with their villages in a tree; the virtual community is hidden unless asked for.

    Signals:
    navigate(str, dict): open the residents, grids or requests of the chosen town or village.
    status_message(str): a line for the window's status bar.
    """

    navigate = Signal(str, dict)
    status_message = Signal(str)

    # The main window's Ctrl+N and Ctrl+F on this page (its menu shows these texts).
    new_item_text = "新增村街…"
    search_text = "查找村街"

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.overview = ctx.overview
        self._stale = False
        self._reading = False  # the counts are being read
        self._again = False  # the town or 虚拟社区 changed meanwhile: read once more
        self._select_after: int | None = None  # a village to select once the tree is there
        self._init_widgets()
        self._init_layout()
        self._init_signals()
        set_combo_value(self.town, ctx.home_place()[0])
        allow(self.add_button, ctx.who, Permission.EDIT_PLACES)
        allow(self.district_button, ctx.who, Permission.EDIT_PLACES)
        self.reload()

    def _init_widgets(self) -> None:
        self.title = page_title("村街")
        self.summary = QLabel()
        self.town = QComboBox()
        towns = self.ctx.towns_in_scope()
        single = self.ctx.who.limited and len(towns) == 1
        fill_combo(self.town, ((t.name, t.id) for t in towns), None if single else "全部镇")
        self.show_virtual = QCheckBox("显示虚拟社区")
        self.show_virtual.setToolTip("开发区的虚拟社区用来记录暂未划入村街的人员和事项，平时不显示。")
        self.search = SearchBox(self, "村街名称")
        self.search.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 10)
        self.add_button = QPushButton("新增村街…")
        self.add_button.setToolTip("登记一个新的村街（Ctrl+N）")
        self.district_button = QPushButton("设置片区…")
        self.goto_buttons = {
            "residents": QPushButton("服务对象"),
            "members": QPushButton("网格与网格员"),
            "requests": QPushButton("工单"),
        }
        for key, button in self.goto_buttons.items():
            button.setToolTip(f"打开「{button.text()}」，只看选中的镇或村街")
            button.clicked.connect(lambda _c=False, k=key: self._on_goto_clicked(k))
        self.model = VillageTreeModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setFilterKeyColumn(0)
        self.proxy.setAutoAcceptChildRows(True)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Columns as wide as their contents at every text size; the official name takes what room
        # is left (at 150 % it used to be squeezed to 「…」).
        self.fitter = ColumnFitter(self.tree, stretch=1)
        self.legend = QLabel(LEGEND)
        self.legend.setWordWrap(True)
        set_text_colour(self.legend, MUTED)

    def _init_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.summary)
        top.addStretch(1)
        top.addWidget(QLabel("查看选中的："))
        for button in self.goto_buttons.values():
            top.addWidget(button)
        top.addSpacing(12)
        top.addWidget(self.district_button)
        top.addWidget(self.add_button)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("镇"))
        bar.addWidget(self.town)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.show_virtual)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(bar)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.legend)
        # Tab in reading order: the buttons, the town, the search box, then the tree.
        chain_tab_order(
            *self.goto_buttons.values(),
            self.district_button,
            self.add_button,
            self.town,
            self.search,
            self.show_virtual,
            self.tree,
        )

    def _init_signals(self) -> None:
        self.town.currentIndexChanged.connect(lambda _i: self.reload())
        self.show_virtual.toggled.connect(lambda _c: self.reload())
        self.search.search_changed.connect(self._on_search_changed)
        self.search.submitted.connect(self._on_search_changed)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.district_button.clicked.connect(self._on_district_clicked)
        self.tree.doubleClicked.connect(self._on_tree_double_clicked)
        events = self.ctx.events
        for signal in (events.places_changed, events.members_changed, events.residents_changed):
            signal.connect(self._on_data_changed)
        events.requests_changed.connect(lambda _ids: self._on_data_changed())

    # ---------------------------------------------------------------- data
    def reload(self) -> None:
        """Fetch the counts again (one grouped query per table, on the reader pool) and keep the
        chosen village."""
        self._stale = False
        if self._reading:
            self._again = True
            return
        chosen = self.selected_village()
        if chosen is not None and self._select_after is None:
            self._select_after = chosen.village.id
        self._reading = True
        if not self.model.towns:
            self.summary.setText("正在统计…")
        self.ctx.read(
            county_work(self.show_virtual.isChecked(), self.town.currentData()),
            self._on_county_read,
            self._on_county_failed,
            "villages",
        )

    def _on_county_read(self, towns: list[TownOverview]) -> None:
        self._reading = False
        if self._again:
            self._again = False
            self.reload()
            return
        self.model.set_towns(towns)
        self.tree.expandAll()
        villages = sum(len(t.villages) for t in towns)
        virtual = sum(1 for t in towns for v in t.villages if v.village.kind is VillageKind.VIRTUAL)
        communities = sum(1 for t in towns for v in t.villages if v.village.kind is VillageKind.COMMUNITY)
        text = f"{len(towns)} 个镇，{villages - virtual} 个村街（其中社区 {communities} 个）"
        if virtual:
            text += f"，另有虚拟社区 {virtual} 个"
        self.summary.setText(text)
        chosen, self._select_after = self._select_after, None
        if chosen is not None:
            self.select_village(chosen)

    def _on_county_failed(self, message: str, _is_bug: bool) -> None:
        self._reading = False
        self._again = False
        self.summary.setText("统计失败，请按 F5 重试")
        self.status_message.emit(message)

    def selected_village(self) -> VillageOverview | None:
        index = self.tree.currentIndex()
        if not index.isValid():
            return None
        return self.model.village_at(self.proxy.mapToSource(index))

    def select_village(self, village_id: int) -> None:
        if self._reading:
            self._select_after = village_id  # once the tree has been read
            return
        source = self.model.find_village(village_id)
        index = self.proxy.mapFromSource(source)
        if index.isValid():
            self.tree.setCurrentIndex(index)
            self.tree.scrollTo(index)

    def selected_place(self) -> tuple[str, int] | None:
        """("town", id) or ("village", id) of the chosen row."""
        index = self.tree.currentIndex()
        if not index.isValid():
            return None
        source = self.proxy.mapToSource(index)
        village = self.model.village_at(source)
        if village is not None:
            return ("village", village.village.id)
        town = self.model.town_at(source)
        return ("town", town.town.id) if town is not None else None

    def _on_goto_clicked(self, page: str) -> None:
        place = self.selected_place()
        if place is None:
            self.legend.setText("请先选中一个镇或村街。\n" + LEGEND)
            return
        kind, place_id = place
        if kind == "village" and page != "members":
            # Filter bars fill the town first, then its villages.
            village = self.ctx.places.village(place_id)
            town_id = village.town_id if village is not None else None
            self.navigate.emit(page, {"town_id": town_id, "village_id": place_id})
            return
        self.navigate.emit(page, {f"{kind}_id": place_id})

    def new_item(self) -> None:
        self._on_add_clicked()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def refresh(self) -> None:
        self.reload()

    def activate(self, **kwargs: Any) -> None:
        """``town_id`` narrows to a town; ``village_id`` selects a village; ``show_virtual`` shows it."""
        if "show_virtual" in kwargs:
            self.show_virtual.setChecked(bool(kwargs["show_virtual"]))
        if "town_id" in kwargs:
            set_combo_value(self.town, kwargs["town_id"])
        if self._stale:
            self.reload()
        if kwargs.get("village_id") is not None:
            self.select_village(int(kwargs["village_id"]))

    # ---------------------------------------------------------------- slots
    def _on_data_changed(self) -> None:
        if self.isVisible():
            self.reload()
        else:
            self._stale = True

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.model.restyle()  # the bold town rows at the new text size

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        if self._stale:
            self.reload()
        super().showEvent(event)

    def _on_search_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self.tree.expandAll()

    def _on_tree_double_clicked(self, index: QModelIndex) -> None:
        if self.model.village_at(self.proxy.mapToSource(index)) is not None:
            self._on_district_clicked()

    def _on_district_clicked(self) -> None:
        chosen = self.selected_village()
        if chosen is None:
            self.legend.setText("请先选中一个村街，再设置片区。\n" + LEGEND)
            return
        district = VillageDialog.edit_district(self, self.ctx, chosen.village)
        if district is None:
            return
        village_id = chosen.village.id
        run_op(
            self.ctx,
            self,
            set_village_district,
            village_id,
            district,
            on_done=lambda _v: self._on_saved(village_id),
        )

    def _on_add_clicked(self) -> None:
        fields = VillageDialog.add(self, self.ctx, self.town.currentData())
        if fields is not None:
            self.add_village(fields)

    def add_village(self, fields: VillageFields) -> None:
        run_op(
            self.ctx,
            self,
            add_village,
            fields.town_id,
            fields.name,
            fields.code,
            fields.district,
            on_done=self._on_saved,
        )

    def _on_saved(self, village_id: int) -> None:
        # run_op has emitted places_changed (the tree reloads on it when shown).
        self.legend.setText(LEGEND)
        self.status_message.emit("已保存村街信息。")
        self.reload()
        self.select_village(village_id)
