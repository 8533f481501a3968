"""The 网格与网格员 screen: the town → village → grid tree with each grid's people, and the member list."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QHideEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain.access import Permission
from xianghe_desk.domain.drafts import MemberDraft
from xianghe_desk.domain.enums import MemberRole
from xianghe_desk.domain.models import Grid, Member
from xianghe_desk.domain.queries import PersonFilter
from xianghe_desk.operations.people import add_member, update_member
from xianghe_desk.operations.places import add_grid, update_grid
from xianghe_desk.operations.recycle import delete_to_bin
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.dialogs.grid_dialog import GridDialog, GridFields
from xianghe_desk.ui.dialogs.member_dialog import MemberDialog
from xianghe_desk.ui.models.base import Role
from xianghe_desk.ui.models.members import MemberTableModel
from xianghe_desk.ui.models.residents import ResidentTableModel
from xianghe_desk.ui.operations import run_op
from xianghe_desk.ui.pages.residents import page_title
from xianghe_desk.ui.roles import allow
from xianghe_desk.ui.widgets.combos import fill_combo
from xianghe_desk.ui.widgets.header_state import HeaderMemory
from xianghe_desk.ui.widgets.place_picker import PlacePicker
from xianghe_desk.ui.widgets.search_box import SearchBox
from xianghe_desk.ui.widgets.table import DeskTableView

KIND_ROLE = Qt.ItemDataRole.UserRole
ID_ROLE = Qt.ItemDataRole.UserRole + 1
LOADED_ROLE = Qt.ItemDataRole.UserRole + 2
LIST_TAB = 1  # 「网格员名单」


def _section(text: str) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setBold(True)
    label.setFont(font)
    return label


class PlaceTree(QTreeWidget):
    """Towns at the top; a town's villages load when it is expanded, a village's grids likewise."""

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setHeaderLabels(["镇 / 村街 / 网格"])
        self.setUniformRowHeights(True)
        self.itemExpanded.connect(self._on_item_expanded)
        self.reload()

    def reload(self) -> None:
        """Rebuild from the database, keeping which nodes were open and which was chosen."""
        opened = {self._key(item) for item in self._all_items() if item.isExpanded()}
        current_item = self.currentItem()
        current = self._key(current_item) if current_item else None
        self.clear()
        for town in self.ctx.towns_in_scope():
            item = self._node("town", town.id, town.name)
            self.addTopLevelItem(item)
        for key in sorted(opened, key=lambda k: ("town", "village", "grid").index(k[0])):
            found = self.find_place(*key)
            if found is not None:
                found.setExpanded(True)
        if current is not None:
            found = self.find_place(*current)
            if found is not None:
                self.setCurrentItem(found)

    def _node(self, kind: str, node_id: int, text: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem([text])
        item.setData(0, KIND_ROLE, kind)
        item.setData(0, ID_ROLE, node_id)
        item.setData(0, LOADED_ROLE, kind == "grid")
        if kind != "grid":
            item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
        return item

    @staticmethod
    def _key(item: QTreeWidgetItem) -> tuple[str, int]:
        return (str(item.data(0, KIND_ROLE)), int(item.data(0, ID_ROLE)))

    def _all_items(self) -> list[QTreeWidgetItem]:
        found: list[QTreeWidgetItem] = []
        stack = self._top_items()
        while stack:
            item = stack.pop()
            found.append(item)
            stack.extend(self._children(item))
        return found

    def _top_items(self) -> list[QTreeWidgetItem]:
        items = (self.topLevelItem(i) for i in range(self.topLevelItemCount()))
        return [item for item in items if item is not None]

    @staticmethod
    def _children(item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
        children = (item.child(i) for i in range(item.childCount()))
        return [child for child in children if child is not None]

    def _on_item_expanded(self, item: QTreeWidgetItem) -> None:
        self.load_children(item)

    def load_children(self, item: QTreeWidgetItem) -> None:
        if item.data(0, LOADED_ROLE):
            return
        item.setData(0, LOADED_ROLE, True)
        kind, node_id = self._key(item)
        if kind == "town":
            for village in self.ctx.villages_in_scope(node_id, include_virtual=True):
                item.addChild(self._node("village", village.id, village.short_name))
        elif kind == "village":
            for grid in self.ctx.places.grids(node_id):
                item.addChild(self._node("grid", grid.id, grid.name))
        if not item.childCount():
            item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.DontShowIndicatorWhenChildless)

    def find_place(self, kind: str, node_id: int) -> QTreeWidgetItem | None:
        """The node for a place, loading (and opening) its parents on the way."""
        town_id: int | None = None
        village_id: int | None = None
        if kind == "grid":
            grid = self.ctx.places.grid(node_id)
            if grid is None:
                return None
            town_id, village_id = grid.town_id, grid.village_id
        elif kind == "village":
            village = self.ctx.places.village(node_id)
            if village is None:
                return None
            town_id, village_id = village.town_id, village.id
        else:
            town_id = node_id
        path = [("town", town_id)]
        if village_id is not None:
            path.append(("village", village_id))
        if kind == "grid":
            path.append(("grid", node_id))
        items = self._top_items()
        node = None
        for step in path:
            node = next((i for i in items if self._key(i) == step), None)
            if node is None:
                return None
            self.load_children(node)
            items = self._children(node)
        return node

    def select(self, kind: str, node_id: int) -> None:
        item = self.find_place(kind, node_id)
        if item is not None:
            parent = item.parent()
            while parent is not None:
                parent.setExpanded(True)
                parent = parent.parent()
            item.setExpanded(kind != "grid")
            self.setCurrentItem(item)
            self.scrollToItem(item)


class MembersPage(QWidget):
    """Two tabs: 「网格」 (the tree and the chosen place's people) and 「网格员名单」 (the searchable list).

    Signals:
    navigate(str, dict): open another page (the requests of a grid, a village or a member).
    status_message(str): a line for the window's status bar.
    """

    navigate = Signal(str, dict)
    status_message = Signal(str)

    # The main window's Ctrl+N and Ctrl+F on this page (its menu shows these texts).
    new_item_text = "新增网格员…"
    search_text = "查找网格员"

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.place: tuple[str, int] | None = None
        self.tabs = QTabWidget()
        # The member list is read when its tab is first shown (issue #13: reading it with the
        # page held the window ~50 ms more on every start of this page).
        self._list_read = False
        self.tabs.addTab(self._init_grid_tab(), "网格")
        self.tabs.addTab(self._init_list_tab(), "网格员名单")
        self.tabs.currentChanged.connect(self._on_tab_changed)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(page_title("网格与网格员"))
        top.addStretch(1)
        top.addWidget(self.add_member_button)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        ctx.events.members_changed.connect(self._on_members_changed)
        ctx.events.places_changed.connect(self._on_places_changed)
        ctx.events.residents_changed.connect(self.place_residents.reload)
        home, own_village = ctx.home_place()
        if own_village is not None:
            self.tree.select("village", own_village)
        elif home is not None:
            self.tree.select("town", home)
            town_item = self.tree.currentItem()
            if town_item is not None:
                town_item.setExpanded(True)
        self._show_place()

    # ---------------------------------------------------------------- the grid tab
    def _init_grid_tab(self) -> QWidget:
        self.tree = PlaceTree(self.ctx)
        self.tree.currentItemChanged.connect(lambda _new, _old: self._show_place())
        self.place_title = _section("")
        self.place_info = QLabel()
        self.place_info.setWordWrap(True)
        self.place_info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.edit_grid_button = QPushButton("修改网格…")
        self.add_grid_button = QPushButton("新增网格…")
        self.edit_grid_button.clicked.connect(self._on_edit_grid_clicked)
        self.place_requests_button = QPushButton("查看工单")
        self.place_requests_button.setToolTip("打开「服务工单」，只列出这里的工单")
        self.place_requests_button.clicked.connect(self._on_place_requests_clicked)
        self.add_grid_button.clicked.connect(self._on_add_grid_clicked)
        self.delete_grid_button = QPushButton("删除网格…")
        self.delete_grid_button.setToolTip("把选中的网格移到回收站（管理员可以恢复）")
        self.delete_grid_button.clicked.connect(self._on_delete_grid_clicked)
        self.place_members = MemberTableModel(self.ctx, self)
        self.place_members_view = self._table(self.place_members)
        self.place_members_view.open_requested.connect(self._on_member_open_requested)
        self.place_residents = ResidentTableModel(self.ctx, self)
        self.place_residents_view = self._table(self.place_residents)
        self.place_residents_view.open_requested.connect(self._on_resident_open_requested)
        self.members_caption = _section("网格员")
        self.residents_caption = _section("服务对象")
        self.place_members.modelReset.connect(self._update_captions)
        self.place_residents.modelReset.connect(self._update_captions)
        self.place_members.total_changed.connect(lambda _n: self._update_captions())
        self.place_residents.total_changed.connect(lambda _n: self._update_captions())

        head = QHBoxLayout()
        head.addWidget(self.place_title, 1)
        head.addWidget(self.place_requests_button)
        head.addWidget(self.add_grid_button)
        head.addWidget(self.edit_grid_button)
        head.addWidget(self.delete_grid_button)
        members_box = QWidget()
        column = QVBoxLayout(members_box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.members_caption)
        column.addWidget(self.place_members_view)
        residents_box = QWidget()
        column = QVBoxLayout(residents_box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.residents_caption)
        column.addWidget(self.place_residents_view)
        people = QSplitter(Qt.Orientation.Vertical)
        people.addWidget(members_box)
        people.addWidget(residents_box)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(head)
        column.addWidget(self.place_info)
        column.addWidget(people, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.tree)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        em = self.fontMetrics().horizontalAdvance("中")
        splitter.setSizes([em * 14, em * 60])
        return splitter

    def _table(self, model: MemberTableModel | ResidentTableModel) -> DeskTableView:
        view = DeskTableView(self, multi_select=False)
        view.setModel(model)
        HeaderMemory(view, None, [c.width for c in model.columns])
        return view

    def _update_captions(self) -> None:
        self.members_caption.setText(f"网格员（{self.place_members.total_text()}，双击修改）")
        self.residents_caption.setText(f"服务对象（{self.place_residents.total_text()}，双击查看）")

    def _show_place(self) -> None:
        """The chosen tree node's particulars and people (a grid's, a village's or a town's)."""
        item = self.tree.currentItem()
        self.place = PlaceTree._key(item) if item is not None else None
        kind, node_id = self.place or ("county", 0)
        flt = PersonFilter()
        grid: Grid | None = None
        if kind == "grid":
            grid = self.ctx.places.grid(node_id)
            flt = PersonFilter(grid_id=node_id)
        elif kind == "village":
            flt = PersonFilter(village_id=node_id)
        elif kind == "town":
            flt = PersonFilter(town_id=node_id)
        self.place_members.set_filter(flt)
        self.place_residents.set_filter(flt)
        who = self.ctx.who
        allow(self.edit_grid_button, who, Permission.EDIT_PLACES, enabled=grid is not None)
        allow(self.add_grid_button, who, Permission.EDIT_PLACES, enabled=kind in ("village", "grid"))
        allow(
            self.delete_grid_button, who, Permission.EDIT_PLACES, Permission.DELETE, enabled=grid is not None
        )
        allow(self.add_member_button, who, Permission.EDIT_PLACES)
        self.place_title.setText(self._place_title(kind, node_id, grid))
        self.place_info.setText(self._place_info(kind, grid))

    def _place_title(self, kind: str, node_id: int, grid: Grid | None) -> str:
        if grid is not None:
            return f"{grid.town_name} · {grid.village_name} · {grid.name}"
        if kind == "village":
            village = self.ctx.places.village(node_id)
            return f"{village.town_name} · {village.short_name}" if village else ""
        if kind == "town":
            town = self.ctx.places.town(node_id)
            return town.name if town else ""
        return "全县"

    def _place_info(self, kind: str, grid: Grid | None) -> str:
        if grid is None:
            if kind == "village":
                return "村街的全部网格员和服务对象。展开村街可选择网格；选中网格后可修改网格信息。"
            return "在左边展开镇、村街，选择一个网格，查看它的网格员和服务对象。"
        handler = self.ctx.members.default_handler(grid.id)
        head = grid.head_name
        if not head:
            # Not typed in: the member serving as 网格长 in this grid, if any.
            heads = [m.name for m in self.ctx.members.of_grid(grid.id) if m.role is MemberRole.GRID_HEAD]
            head = "、".join(heads)
        parts = [
            f"编号：{grid.number or '未填'}",
            f"网格长：{head or '未填'}",
            f"户数：{grid.households if grid.households is not None else '未填'}",
            f"人口数：{grid.population if grid.population is not None else '未填'}",
            f"网格党小组：{grid.party_group or '未填'}",
            f"默认承办人：{handler.name if handler else '无（请先为网格配网格员）'}",
        ]
        return "　".join(parts)

    # ---------------------------------------------------------------- the member list tab
    def _init_list_tab(self) -> QWidget:
        self.add_member_button = QPushButton("新增网格员…")
        self.add_member_button.setToolTip("登记一位新的网格员（Ctrl+N）")
        self.add_member_button.clicked.connect(self._on_add_member_clicked)
        self.edit_member_button = QPushButton("修改…")
        self.edit_member_button.clicked.connect(self._on_edit_member_clicked)
        self.delete_member_button = QPushButton("删除…")
        self.delete_member_button.setToolTip("把选中的网格员移到回收站（管理员可以恢复）")
        self.delete_member_button.clicked.connect(self._on_delete_member_clicked)
        who = self.ctx.who
        allow(self.edit_member_button, who, Permission.EDIT_PLACES)
        allow(self.delete_member_button, who, Permission.EDIT_PLACES, Permission.DELETE)
        self.member_requests_button = QPushButton("承办的工单")
        self.member_requests_button.setToolTip("打开「服务工单」，只列出选中网格员承办的工单")
        self.member_requests_button.clicked.connect(self._on_member_requests_clicked)
        self.town = QComboBox()
        self.village = QComboBox()
        self.places = PlacePicker(self.ctx, self.town, self.village, None)
        self.active = QComboBox()
        fill_combo(self.active, [("仅在岗", True)], "全部（含不在岗）")
        self.active.setCurrentIndex(1)
        self.search = SearchBox(self, "姓名、拼音首字母、手机号或身份证号")
        self.search.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 14)
        self.count_label = QLabel()
        self.model = MemberTableModel(self.ctx, self)
        self.table = DeskTableView(self, multi_select=False)
        self.table.setModel(self.model)
        self.header_memory = HeaderMemory(self.table, "members", [c.width for c in self.model.columns])
        self.table.open_requested.connect(self._on_member_open_requested)
        self.model.modelReset.connect(lambda: self.count_label.setText(f"共 {self.model.total_text()}"))
        self.model.total_changed.connect(lambda _n: self.count_label.setText(f"共 {self.model.total_text()}"))
        self.places.changed.connect(self._apply_filter)
        self.active.currentIndexChanged.connect(lambda _i: self._apply_filter())
        self.search.search_changed.connect(lambda _t: self._apply_filter())
        self.search.submitted.connect(lambda _t: self._apply_filter())
        bar = QHBoxLayout()
        for label, widget in (("镇", self.town), ("村街", self.village), ("在岗", self.active)):
            bar.addWidget(QLabel(label))
            bar.addWidget(widget, 1)
        bar.addWidget(self.search, 2)
        bar.addWidget(self.member_requests_button)
        bar.addWidget(self.edit_member_button)
        bar.addWidget(self.delete_member_button)
        tab = QWidget()
        column = QVBoxLayout(tab)
        column.addLayout(bar)
        column.addWidget(self.table, 1)
        column.addWidget(self.count_label)
        self.places.set_place(*self.ctx.home_place())
        return tab

    def member_filter(self) -> PersonFilter:
        return PersonFilter(
            town_id=self.places.town_id(),
            village_id=self.places.village_id(),
            active_only=bool(self.active.currentData()),
            text=self.search.text().strip(),
        )

    def _apply_filter(self) -> None:
        if not self._list_read and self.tabs.currentIndex() != LIST_TAB:
            return  # read when the tab is shown
        self._list_read = True
        self.model.set_filter(self.member_filter())

    def _on_tab_changed(self, index: int) -> None:
        if index == LIST_TAB and not self._list_read:
            self._apply_filter()

    # ---------------------------------------------------------------- navigation
    def activate(self, **kwargs: Any) -> None:
        """``grid_id`` / ``village_id`` / ``town_id`` choose a tree node; ``member_id`` opens a member;
        ``tab="list"`` shows the member list."""
        for kind in ("grid", "village", "town"):
            node_id = kwargs.get(f"{kind}_id")
            if node_id is not None:
                self.tabs.setCurrentIndex(0)
                self.tree.select(kind, int(node_id))
                break
        if kwargs.get("tab") == "list":
            self.tabs.setCurrentIndex(LIST_TAB)
            self.search.setFocus()
        if kwargs.get("member_id") is not None:
            self.edit_member(self.ctx.members.get(int(kwargs["member_id"])))

    def new_item(self) -> None:
        self._on_add_member_clicked()

    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(LIST_TAB)
        self.search.setFocus()
        self.search.selectAll()

    def refresh(self) -> None:
        self.tree.reload()
        self.search.flush()
        self._apply_filter()
        self._show_place()

    def save_state(self) -> None:
        self.header_memory.save()

    # ---------------------------------------------------------------- slots
    def _on_place_requests_clicked(self) -> None:
        self.navigate.emit("requests", self.place_filter())

    def place_filter(self) -> dict[str, int]:
        """The chosen place with its parents (filter bars fill town, then village, then grid)."""
        kind, node_id = self.place or ("county", 0)
        if kind == "grid":
            grid = self.ctx.places.grid(node_id)
            if grid is not None and grid.town_id is not None:
                return {"town_id": grid.town_id, "village_id": grid.village_id, "grid_id": grid.id}
        if kind == "village":
            village = self.ctx.places.village(node_id)
            if village is not None:
                return {"town_id": village.town_id, "village_id": village.id}
        if kind == "town":
            return {"town_id": node_id}
        return {}

    def _on_member_requests_clicked(self) -> None:
        index = self.table.currentIndex()
        member = self.model.row_object(index.row()) if index.isValid() else None
        if member is None:
            self.count_label.setText("请先在列表中选中一位网格员。")
            return
        self.navigate.emit("requests", {"handler_id": member.id})

    def _on_members_changed(self) -> None:
        if self._list_read:
            self.model.reload()
        self.place_members.reload()
        self._show_place()

    def _on_places_changed(self) -> None:
        self.tree.reload()
        self.places.reload_towns()
        self._show_place()

    def _on_member_open_requested(self, index: QModelIndex) -> None:
        member = index.data(Role.ObjectRole)
        if isinstance(member, Member):
            self.edit_member(member)

    def _on_resident_open_requested(self, index: QModelIndex) -> None:
        resident_id = index.data(Role.IdRole)
        if resident_id is None:
            return
        from xianghe_desk.ui.dialogs.resident_detail import ResidentDetailDialog

        ResidentDetailDialog.show_for(self, self.ctx, int(resident_id))

    def _on_add_member_clicked(self) -> None:
        kind, node_id = self.place or ("county", 0)
        village_id = grid_id = None
        if kind == "grid":
            grid = self.ctx.places.grid(node_id)
            village_id, grid_id = (grid.village_id, grid.id) if grid else (None, None)
        elif kind == "village":
            village_id = node_id
        if self.tabs.currentIndex() == 1:
            village_id, grid_id = self.places.village_id(), None
        draft = MemberDialog.edit(self, self.ctx, None, village_id, grid_id)
        if draft is not None:
            self._save_member(draft, None)

    def _on_edit_member_clicked(self) -> None:
        index = self.table.currentIndex()
        member = self.model.row_object(index.row()) if index.isValid() else None
        if member is None:
            self.count_label.setText("请先在列表中选中要修改的网格员。")
            return
        self.edit_member(member)

    def edit_member(self, member: Member) -> None:
        draft = MemberDialog.edit(self, self.ctx, member)
        if draft is not None:
            self._save_member(draft, member.id)

    def _save_member(self, draft: MemberDraft, member_id: int | None) -> None:
        def finished(_saved: object) -> None:
            self.count_label.setText(f"已保存网格员「{draft.name}」。")
            self.status_message.emit(f"已保存网格员「{draft.name}」。")

        if member_id is None:
            run_op(self.ctx, self, add_member, draft, on_done=finished)
        else:
            run_op(self.ctx, self, update_member, member_id, draft, on_done=finished)

    def _on_delete_member_clicked(self) -> None:
        index = self.table.currentIndex()
        member = self.model.row_object(index.row()) if index.isValid() else None
        if member is None:
            self.count_label.setText("请先在列表中选中要删除的网格员。")
            return
        if self._confirm_delete("删除网格员", f"把网格员「{member.name}」移到回收站？"):
            run_op(
                self.ctx,
                self,
                delete_to_bin,
                "member",
                member.id,
                on_done=lambda _v: self.status_message.emit(f"已把网格员「{member.name}」移到回收站。"),
            )

    def _on_delete_grid_clicked(self) -> None:
        kind, node_id = self.place or ("county", 0)
        grid = self.ctx.places.grid(node_id) if kind == "grid" else None
        if grid is None:
            return
        if self._confirm_delete("删除网格", f"把{grid.village_name}的网格「{grid.name}」移到回收站？"):
            run_op(
                self.ctx,
                self,
                delete_to_bin,
                "grid",
                grid.id,
                on_done=lambda _v: self.status_message.emit(f"已把网格「{grid.name}」移到回收站。"),
            )

    def _confirm_delete(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(
            self,
            title,
            question + "\n移到回收站后，列表和统计中不再出现；管理员可以在「回收站」中恢复。",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _on_add_grid_clicked(self) -> None:
        kind, node_id = self.place or ("county", 0)
        if kind == "grid":
            grid = self.ctx.places.grid(node_id)
            node_id = grid.village_id if grid else 0
        elif kind != "village":
            return
        fields = GridDialog.edit(self, self.ctx, node_id)
        if fields is not None:
            self._save_grid(node_id, None, fields)

    def _on_edit_grid_clicked(self) -> None:
        kind, node_id = self.place or ("county", 0)
        grid = self.ctx.places.grid(node_id) if kind == "grid" else None
        if grid is None:
            return
        fields = GridDialog.edit(self, self.ctx, grid.village_id, grid)
        if fields is not None:
            self._save_grid(grid.village_id, grid.id, fields)

    def _save_grid(self, village_id: int, grid_id: int | None, fields: GridFields) -> None:
        def finished(saved_id: int | None) -> None:
            self.status_message.emit(f"已保存网格「{fields.name}」。")
            chosen = saved_id if saved_id is not None else grid_id
            if chosen is not None:
                self.tree.select("grid", chosen)

        values = (
            fields.name,
            fields.number,
            fields.head_name,
            fields.households,
            fields.population,
            fields.party_group,
            fields.default_member_id,
        )
        if grid_id is None:
            run_op(self.ctx, self, add_grid, village_id, *values, on_done=finished)
        else:
            run_op(self.ctx, self, update_grid, grid_id, *values, on_done=finished)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        self.header_memory.save()
        super().hideEvent(event)
