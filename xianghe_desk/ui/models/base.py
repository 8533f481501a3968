"""Base of the list models: columns declared once, rows fetched in pages on demand.

``rowCount`` is what has been loaded; ``canFetchMore`` compares it with a cached count;
``fetchMore`` loads the next page through a service. The view asks for more as the user
scrolls, so a table of a million rows never loads whole and never freezes the window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex

PAGE_SIZE = 200


class Role(IntEnum):
    """Custom roles: code finds entities by IdRole, never by parsing display text."""

    IdRole = Qt.ItemDataRole.UserRole + 1
    ObjectRole = Qt.ItemDataRole.UserRole + 2
    SortKeyRole = Qt.ItemDataRole.UserRole + 3


@dataclass(frozen=True)
class Column(Generic[T]):
    key: str
    header: str
    text: Callable[[T], str]
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft
    width: int = 100  # default width in pixels at 100 % text size
    sortable: bool = True
    tooltip: Callable[[T], str] | None = None


class PagedTableModel(QAbstractTableModel, Generic[T]):
    """Rows of T loaded page by page. Subclasses set ``columns`` and implement ``_fetch``/``_count``
    and ``_row_id``; ``reload()`` after a filter or sort change or a DataEvents signal."""

    columns: Sequence[Column[T]] = ()

    def __init__(self, parent: Any = None, page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self.page_size = page_size
        self._rows: list[T] = []
        self._positions: dict[int, int] = {}  # row id → row number, for replace_row
        self._total: int | None = None
        self.fetched_rows = 0  # rows loaded since the last reload (tests assert on it)

    # ---- for subclasses
    def _fetch(self, offset: int, limit: int) -> list[T]:
        """One page of rows from a service; every subclass overrides this."""
        return []

    def _count(self) -> int:
        """How many rows match (cached until reload); every subclass overrides this."""
        return 0

    def _row_id(self, row: T) -> int:
        return int(getattr(row, "id"))  # noqa: B009 - rows are domain dataclasses with an id

    def _decorate(self, row: T, column: Column[T], role: int) -> Any:
        """Colours, fonts and icons for a cell (subclasses)."""
        return None

    # ---- Qt model API
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def total(self) -> int:
        if self._total is None:
            self._total = self._count()
        return self._total

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and len(self._rows) < self.total()

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008, N802
        if parent.isValid():
            return
        rows = self._fetch(len(self._rows), self.page_size)
        if not rows:
            self._total = len(self._rows)
            return
        self._append(rows)

    def _append(self, rows: list[T]) -> None:
        """Add fetched rows at the end, telling the views."""
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        for number, row in enumerate(rows, start=first):
            self._positions.setdefault(self._row_id(row), number)
        self.fetched_rows += len(rows)
        self.endInsertRows()

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            # The tooltip repeats the header: a column narrowed by hand still says what it is.
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                return self.columns[section].header
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.align | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(row)
        if role == Role.IdRole:
            return self._row_id(row)
        if role == Role.ObjectRole:
            return row
        return self._decorate(row, column, role)

    # ---- helpers
    def reload(self, fetch_first: bool = True) -> None:
        """Forget the loaded rows and the count; with ``fetch_first`` load the first page at once,
        so that a list shows its rows without waiting for the view's delayed layout."""
        self.beginResetModel()
        self._rows = []
        self._positions = {}
        self._total = None
        self.fetched_rows = 0
        self.endResetModel()
        if fetch_first and self.canFetchMore():
            self.fetchMore()

    def row_object(self, row: int) -> T | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of_id(self, row_id: int) -> int | None:
        """The row number of a loaded row (None when that row has not been fetched)."""
        return self._positions.get(row_id)

    def id_of_row(self, row: int) -> int | None:
        found = self.row_object(row)
        return self._row_id(found) if found is not None else None

    def replace_row(self, row_id: int, new: T) -> bool:
        """Swap in a fresh copy of one row (after a write) without reloading the list."""
        number = self.row_of_id(row_id)
        if number is None:
            return False
        self._rows[number] = new
        self.dataChanged.emit(self.index(number, 0), self.index(number, len(self.columns) - 1))
        return True

    def column_index(self, key: str) -> int:
        for number, column in enumerate(self.columns):
            if column.key == key:
                return number
        raise KeyError(key)
