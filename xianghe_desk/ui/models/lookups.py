"""One editable list of the settings (来源渠道, 问题类别 or 办理方式) with how often each is used."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from xianghe_desk.domain.enums import CategoryGroup, LookupKind
from xianghe_desk.domain.models import LookupItem
from xianghe_desk.ui.models.base import Column, Role

Index = QModelIndex | QPersistentModelIndex
_INACTIVE = QColor("#6b7280")


def group_label(code: str) -> str:
    try:
        return CategoryGroup(code).label
    except ValueError:
        return code


class LookupTableModel(QAbstractTableModel):
    """A small list held whole (a few dozen rows). ``usage`` is filled in later by a read job."""

    def __init__(self, kind: LookupKind, parent: Any = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.items: list[LookupItem] = []
        self.usage: dict[str, int] | None = None
        columns: list[Column[LookupItem]] = [Column("name", "名称", lambda i: i.name, width=180)]
        if kind is LookupKind.CATEGORY:
            columns.append(Column("group", "分组", lambda i: group_label(i.group_code), width=90))
        columns += [
            Column("active", "状态", lambda i: "启用" if i.active else "已停用", width=64),
            Column("usage", "工单数", self._usage_text, align=Qt.AlignmentFlag.AlignRight, width=70),
            Column("code", "代码", lambda i: i.code, width=150),
        ]
        self.columns = columns

    def _usage_text(self, item: LookupItem) -> str:
        if self.usage is None:
            return "统计中…"
        return str(self.usage.get(item.code, 0))

    def set_items(self, items: list[LookupItem]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()

    def set_usage(self, usage: dict[str, int] | None) -> None:
        self.usage = usage
        if self.items:
            column = self.column_index("usage")
            self.dataChanged.emit(self.index(0, column), self.index(len(self.items) - 1, column))

    def column_index(self, key: str) -> int:
        return next(n for n, c in enumerate(self.columns) if c.key == key)

    def item(self, row: int) -> LookupItem | None:
        return self.items[row] if 0 <= row < len(self.items) else None

    def row_of(self, code: str) -> int | None:
        return next((n for n, i in enumerate(self.items) if i.code == code), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.columns)
        ):
            return self.columns[section].header
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        item = self.items[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(item)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.align | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and not item.active:
            return _INACTIVE
        if role == Role.IdRole:
            return item.code
        if role == Role.ObjectRole:
            return item
        return None
