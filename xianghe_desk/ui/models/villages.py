"""The county's towns (top level) and their villages (children) with what each one holds."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont, QStandardItem, QStandardItemModel

from xianghe_desk.domain.enums import VillageKind
from xianghe_desk.services.overview import TownOverview, VillageCounts, VillageOverview
from xianghe_desk.ui.models.base import Role
from xianghe_desk.ui.widgets.look import bold_font

Index = QModelIndex | QPersistentModelIndex
_RIGHT = Qt.AlignmentFlag.AlignRight
_LEFT = Qt.AlignmentFlag.AlignLeft
_OVERDUE = QColor("#b3261e")
_VIRTUAL = QColor("#6b7280")

KindRole = Role.SortKeyRole + 1  # "town" or "village"

# (key, header, alignment, width at 100 %)
COLUMNS: tuple[tuple[str, str, Qt.AlignmentFlag, int], ...] = (
    ("name", "村街", _LEFT, 170),
    ("official", "正式名称", _LEFT, 210),
    ("code", "统计代码", _LEFT, 120),
    ("kind", "类型", _LEFT, 60),
    ("district", "片区", _LEFT, 90),
    ("grids", "网格", _RIGHT, 56),
    ("members", "网格员", _RIGHT, 64),
    ("residents", "服务对象", _RIGHT, 72),
    ("open_requests", "未办结工单", _RIGHT, 86),
    ("overdue", "其中超期", _RIGHT, 72),
)
_COUNT_KEYS = ("grids", "members", "residents", "open_requests", "overdue")


def _count_text(counts: VillageCounts, key: str) -> str:
    return str(getattr(counts, key))


class VillageTreeModel(QStandardItemModel):
    """Two levels: a town row (totals) holding its village rows. Read-only; filled by ``set_towns``.

    Every cell is made once per reading of the counts and kept by Qt: painting the county's tree
    (some 700 rows) asked a model written in Python for 2,450 cells and 3,200 indexes, 30 ms of
    each paint on the UI thread, where Qt's own items take 6 ms (issue #13). The bold town rows
    follow the text size through ``restyle``.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.towns: list[TownOverview] = []
        self.setColumnCount(len(COLUMNS))
        for section, (_key, header, align, _width) in enumerate(COLUMNS):
            self.setHeaderData(section, Qt.Orientation.Horizontal, header)
            self.setHeaderData(
                section, Qt.Orientation.Horizontal, int(align | Qt.AlignmentFlag.AlignVCenter),
                Qt.ItemDataRole.TextAlignmentRole,
            )  # fmt: skip

    def set_towns(self, towns: list[TownOverview]) -> None:
        self.towns = list(towns)
        self.removeRows(0, self.rowCount())
        bold = bold_font()
        for town in self.towns:
            row = self._town_row(town, bold)
            for village in town.villages:
                row[0].appendRow(self._village_row(village))  # before the town joins the model
            self.appendRow(row)

    def restyle(self) -> None:
        """The town rows' bold font at the current text size (after Ctrl+= or Ctrl+-)."""
        bold = bold_font()
        for town_row in range(self.rowCount()):
            for column in range(len(COLUMNS)):
                item = self.item(town_row, column)
                if item is not None:
                    item.setFont(bold)

    def _town_row(self, town: TownOverview, bold: QFont) -> list[QStandardItem]:
        row = []
        for key, _header, align, _width in COLUMNS:
            item = _cell(self._town_text(town, key), align)
            item.setFont(bold)
            if key == "overdue" and town.totals.overdue:
                item.setForeground(_OVERDUE)
            if key == "members":
                item.setToolTip("含村街的在岗网格员，以及不属于某个村街的镇干部等")
            row.append(item)
        row[0].setData(town.town.id, Role.IdRole)
        row[0].setData(town, Role.ObjectRole)
        row[0].setData("town", KindRole)
        return row

    def _village_row(self, overview: VillageOverview) -> list[QStandardItem]:
        village = overview.village
        virtual = village.kind is VillageKind.VIRTUAL
        row = []
        for key, _header, align, _width in COLUMNS:
            item = _cell(self._village_text(overview, key), align)
            if key == "overdue" and overview.counts.overdue:
                item.setForeground(_OVERDUE)
            elif virtual:
                item.setForeground(_VIRTUAL)
            if virtual:
                item.setToolTip("虚拟社区：开发区内暂未划入村街的人员和事项都记在这里")
            elif key in ("name", "official"):
                item.setToolTip(f"{village.town_name} {village.name}")
            row.append(item)
        row[0].setData(village.id, Role.IdRole)
        row[0].setData(overview, Role.ObjectRole)
        row[0].setData("village", KindRole)
        return row

    # ---- content
    def town_at(self, index: Index) -> TownOverview | None:
        if index.isValid() and not index.parent().isValid():
            return self.towns[index.row()]
        return None

    def village_at(self, index: Index) -> VillageOverview | None:
        if index.isValid():
            parent = index.parent()
            if parent.isValid():
                return self.towns[parent.row()].villages[index.row()]
        return None

    def find_village(self, village_id: int) -> QModelIndex:
        for town_row, town in enumerate(self.towns):
            for row, village in enumerate(town.villages):
                if village.village.id == village_id:
                    return self.index(row, 0, self.index(town_row, 0))
        return QModelIndex()

    def fit_texts(self, column: int) -> list[tuple[str, bool, int]]:
        """Every row's text in ``column`` as (text, bold, depth), straight from the rows: the
        column fitter measures these instead of asking for thousands of indexes (issue #13)."""
        key = COLUMNS[column][0]
        texts: list[tuple[str, bool, int]] = []
        for town in self.towns:
            texts.append((self._town_text(town, key), True, 0))
            texts.extend((self._village_text(row, key), False, 1) for row in town.villages)
        return texts

    @staticmethod
    def _town_text(town: TownOverview, key: str) -> str:
        if key == "name":
            return f"{town.town.name}（{len(town.villages)} 个村街）"
        if key == "code":
            return town.town.code
        if key == "kind":
            return "镇"
        if key in _COUNT_KEYS:
            return _count_text(town.totals, key)
        return ""

    @staticmethod
    def _village_text(row: VillageOverview, key: str) -> str:
        village = row.village
        if key == "name":
            return village.short_name
        if key == "official":
            return village.name
        if key == "code":
            return village.code or "（无）"
        if key == "kind":
            return village.kind.label
        if key == "district":
            return village.district
        if key in _COUNT_KEYS:
            return _count_text(row.counts, key)
        return ""


def _cell(text: str, align: Qt.AlignmentFlag) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    item.setTextAlignment(align | Qt.AlignmentFlag.AlignVCenter)
    return item
