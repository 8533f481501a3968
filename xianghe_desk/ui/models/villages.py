"""The county's towns (top level) and their villages (children) with what each one holds."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

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
_NOT_GIVEN = frozenset(
    int(r)
    for r in (
        Qt.ItemDataRole.DecorationRole,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.CheckStateRole,
        Qt.ItemDataRole.SizeHintRole,
    )
)

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


class VillageTreeModel(QAbstractItemModel):
    """Two levels: a town row (totals) holding its village rows. Read-only; reset with ``set_towns``."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.towns: list[TownOverview] = []

    def set_towns(self, towns: list[TownOverview]) -> None:
        self.beginResetModel()
        self.towns = list(towns)
        self.endResetModel()

    # ---- structure: a town's internalId is 0, a village's is its town row + 1
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        # Bounds checked here rather than with hasIndex (two more calls into Python per index:
        # fitting the columns asks for some 4,000 of them, issue #13).
        if row < 0 or not 0 <= column < len(COLUMNS):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0) if row < len(self.towns) else QModelIndex()
        if parent.internalId() == 0 and parent.column() == 0 and row < len(self.towns[parent.row()].villages):
            return self.createIndex(row, column, parent.row() + 1)
        return QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(int(index.internalId()) - 1, 0, 0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        if not parent.isValid():
            return len(self.towns)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self.towns[parent.row()].villages)
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return len(COLUMNS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section][1]
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(COLUMNS[section][2] | Qt.AlignmentFlag.AlignVCenter)
        return None

    # ---- content
    def town_at(self, index: Index) -> TownOverview | None:
        if index.isValid() and index.internalId() == 0:
            return self.towns[index.row()]
        return None

    def village_at(self, index: Index) -> VillageOverview | None:
        if index.isValid() and index.internalId() != 0:
            return self.towns[int(index.internalId()) - 1].villages[index.row()]
        return None

    def find_village(self, village_id: int) -> QModelIndex:
        for town_row, town in enumerate(self.towns):
            for row, village in enumerate(town.villages):
                if village.village.id == village_id:
                    return self.index(row, 0, self.index(town_row, 0))
        return QModelIndex()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # A painted cell is asked for seven roles; three of them (decoration, background, check
        # state) are never given: answered before anything is looked up (issue #13).
        if role in _NOT_GIVEN or not index.isValid():
            return None
        key, _header, align, _width = COLUMNS[index.column()]
        town = self.town_at(index)
        village = self.village_at(index)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(align | Qt.AlignmentFlag.AlignVCenter)
        if town is not None:
            return self._town_data(town, key, role)
        if village is not None:
            return self._village_data(village, key, role)
        return None

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

    def _town_data(self, town: TownOverview, key: str, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._town_text(town, key)
        if role == Qt.ItemDataRole.FontRole:
            return bold_font()
        if role == Qt.ItemDataRole.ForegroundRole and key == "overdue" and town.totals.overdue:
            return _OVERDUE
        if role == Qt.ItemDataRole.ToolTipRole and key == "members":
            return "含村街的在岗网格员，以及不属于某个村街的镇干部等"
        if role == Role.IdRole:
            return town.town.id
        if role == Role.ObjectRole:
            return town
        if role == KindRole:
            return "town"
        return None

    def _village_data(self, row: VillageOverview, key: str, role: int) -> Any:
        village = row.village
        if role == Qt.ItemDataRole.DisplayRole:
            return self._village_text(row, key)
        if role == Qt.ItemDataRole.ForegroundRole:
            if key == "overdue" and row.counts.overdue:
                return _OVERDUE
            if village.kind is VillageKind.VIRTUAL:
                return _VIRTUAL
        if role == Qt.ItemDataRole.ToolTipRole:
            if village.kind is VillageKind.VIRTUAL:
                return "虚拟社区：开发区内暂未划入村街的人员和事项都记在这里"
            if key in ("name", "official"):
                return f"{village.town_name} {village.name}"
        if role == Role.IdRole:
            return village.id
        if role == Role.ObjectRole:
            return row
        if role == KindRole:
            return "village"
        return None
