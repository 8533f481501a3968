"""Base of the list models: columns declared once, rows fetched in pages on demand.

``rowCount`` is what has been loaded; ``canFetchMore`` compares it with a cached count;
``fetchMore`` loads the next page through a service. The view asks for more as the user
scrolls, so a table of a million rows never loads whole and never freezes the window.

``WindowTableModel`` is the random-access shape for the longest list (the requests, issue #13):
the true count as its row count, blocks read by keyset where the view looks, a window kept.
"""

from __future__ import annotations

import logging
from bisect import bisect_left, bisect_right, insort
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")
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


class CountedTableModel(PagedTableModel[T]):
    """A paged list whose count is read on the reader pool (issue #13: COUNT(*) over 100,000
    residents held the UI thread when ``canFetchMore`` asked for it). Pages are read until one
    comes back short; ``total()`` is -1 until the count arrives (or a short page tells it), and
    ``total_changed`` reports it.

    Subclasses set ``ctx`` (a DeskContext) and implement ``_count_work`` besides ``_fetch``.

    Signals:
        total_changed(int): how many rows match, once known.
    """

    total_changed = Signal(int)

    def __init__(self, ctx: Any, parent: Any = None, page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent, page_size)
        self.ctx = ctx
        self._exhausted = False  # a short page came back: every matching row is loaded
        self._generation = 0  # a count for an older filter is dropped
        self.count_failed = False

    def _count_work(self) -> Callable[[Any, Any], int]:
        """The read job's work, ``(ws, job) -> count``, for the current filter (subclasses)."""
        raise NotImplementedError

    def total(self) -> int:
        """How many rows match; -1 while they are being counted."""
        if self._total is not None:
            return self._total
        return len(self._rows) if self._exhausted else -1

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        if parent.isValid():
            return False
        if self._total is not None and len(self._rows) >= self._total:
            return False
        return not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008, N802
        if not self.canFetchMore(parent):
            return
        rows = self._fetch(len(self._rows), self.page_size)
        if len(rows) < self.page_size:
            self._exhausted = True
        if rows:
            self._append(rows)

    def reload(self, fetch_first: bool = True) -> None:
        self._generation += 1
        self._exhausted = False
        self.count_failed = False
        super().reload(fetch_first)
        if self._exhausted:
            # The first page was the whole list: no count to wait for.
            self._total = len(self._rows)
            self.total_changed.emit(self._total)
            return
        generation, work = self._generation, self._count_work()

        def counted(ws: Any, job: Any) -> tuple[int, int]:
            return generation, int(work(ws, job))

        self.ctx.read(counted, self._on_counted, self._on_count_failed, "count")

    def _on_counted(self, result: tuple[int, int]) -> None:
        generation, count = result
        if generation != self._generation:
            return
        self._total = max(count, len(self._rows))
        self.total_changed.emit(self._total)

    def _on_count_failed(self, message: str, _is_bug: bool) -> None:
        log.warning("counting the list failed: %s", message)
        self.count_failed = True
        self.total_changed.emit(-1)

    def total_text(self, unit: str = "人") -> str:
        """「1,234 人」, 「… 人」 while counting, 「? 人」 when the count failed."""
        total = self.total()
        if total >= 0:
            return f"{total:,} {unit}"
        return f"? {unit}" if self.count_failed else f"… {unit}"


class WindowTableModel(QAbstractTableModel, Generic[T, R]):
    """Random access to a list of any length, keeping only a window of it (issue #13).

    ``rowCount`` is the true number of matching rows once counted (until then, the rows read so
    far, with ``fetchMore`` reading the next block), so the scroll bar is proportional to the
    whole list and Ctrl+End, Home and paging go anywhere. Rows are read in blocks of
    ``page_size`` when a view asks for them, by keyset from the nearest row whose key is known
    (the first and last row of every block read so far, the start, or the end walked backwards),
    and at most ``max_blocks`` blocks are kept: memory stays the same however far the clerk
    scrolls. Each row read (T) is turned once into what the view shows (R, ``_prepare``).

    Subclasses implement ``_read`` (a keyset page), ``_key`` and ``_prepare``, and call
    ``set_total`` when their count arrives.
    """

    columns: Sequence[Column[T]] = ()

    def __init__(self, parent: Any = None, page_size: int = PAGE_SIZE, max_blocks: int = 15) -> None:
        super().__init__(parent)
        self.page_size = page_size
        self.max_blocks = max_blocks
        self._blocks: OrderedDict[int, list[R | None]] = OrderedDict()
        self._anchors: dict[int, Any] = {}  # row number → key of that row
        self._anchor_rows: list[int] = []  # the same row numbers, sorted
        self._shown = 0
        self._total: int | None = None
        # The list changed since it was counted (a recount differs): positions from the end or from
        # keys below a row no longer match, so rows are read only forwards from a key above them.
        self._drifted = False
        self._exhausted = False
        self.fetched_rows = 0  # rows read since the last reload (tests assert on it)

    # ---- for subclasses
    def _read(self, limit: int, after: Any, skip: int, reverse: bool) -> list[T]:
        """``limit`` rows ``skip`` rows past the row keyed ``after`` (None: the start, or with
        ``reverse`` the end), in walking order."""
        return []

    def _key(self, row: T) -> Any:
        raise NotImplementedError

    def _prepare(self, rows: list[T]) -> list[R]:
        raise NotImplementedError

    def _row_of(self, item: R) -> T:
        raise NotImplementedError

    # ---- Qt model API
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._shown

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and self._total is None and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008, N802
        """Before the count is there: the next block after the last row read."""
        if not self.canFetchMore(parent):
            return
        first = self._shown
        rows = self._read(self.page_size, self._anchors.get(first - 1) if first else None, 0, False)
        if len(rows) < self.page_size:
            self._exhausted = True
        if not rows:
            self.set_total(first)
            return
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._shown += len(rows)
        self._store(first, rows)
        self.endInsertRows()
        if self._exhausted:
            self._total = self._shown

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                return self.columns[section].header
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    # ---- the window
    def reset_rows(
        self, first_block: bool = True, limit: int | None = None, rows: list[T] | None = None
    ) -> None:
        """Forget every row, key and the count; with ``first_block`` read the first block at once
        (``limit`` rows at most), or show ``rows``, a first block read by a job (one reset: the
        view is laid out and painted once)."""
        self.beginResetModel()
        self._blocks = OrderedDict()
        self._anchors = {}
        self._anchor_rows = []
        self._shown = 0
        self._total = None
        self._drifted = False
        self._exhausted = False
        self.fetched_rows = 0
        if rows is not None:
            self._take_first(rows, limit)
        elif first_block:
            self._take_first(self._read(self.first_wanted(limit), None, 0, False), limit)
        self.endResetModel()

    def first_wanted(self, limit: int | None = None) -> int:
        """How many rows the first block holds (``limit`` rows at most)."""
        return self.page_size if limit is None else min(limit, self.page_size)

    def _take_first(self, rows: list[T], limit: int | None) -> None:
        self._shown = len(rows)
        self._store(0, rows)
        if len(rows) < self.first_wanted(limit) or limit is not None:
            self._exhausted = True
            self._total = len(rows)

    def set_total(self, total: int) -> None:
        """The count has arrived: the list is that long (rows beyond what is read come on demand)."""
        self._total = total
        if total > self._shown:
            self.beginInsertRows(QModelIndex(), self._shown, total - 1)
            self._shown = total
            self.endInsertRows()
        elif total < self._shown:
            self.beginRemoveRows(QModelIndex(), total, self._shown - 1)
            self._shown = total
            for block in [b for b in self._blocks if b * self.page_size >= total]:
                del self._blocks[block]
            self.endRemoveRows()

    def known_total(self) -> int | None:
        return self._total

    def kept_rows(self) -> int:
        """Rows held in memory now (the window), for tests and the bench."""
        return sum(len(b) for b in self._blocks.values())

    def _store(self, first: int, rows: list[T]) -> None:
        """Keep ``rows`` (starting at row ``first``), block by block, and remember their keys."""
        if not rows:
            return
        size = self.page_size
        prepared: list[R | None] = list(self._prepare(rows))
        self.fetched_rows += len(rows)
        for offset in (0, len(rows) - 1):
            self._remember(first + offset, self._key(rows[offset]))
        for start in range(0, len(prepared), size):
            self._blocks[(first + start) // size] = prepared[start : start + size]
            self._blocks.move_to_end((first + start) // size)
        while len(self._blocks) > self.max_blocks:
            self._blocks.popitem(last=False)

    def _remember(self, row: int, key: Any) -> None:
        if row not in self._anchors:
            insort(self._anchor_rows, row)
        self._anchors[row] = key

    def _block(self, number: int) -> list[R | None]:
        found = self._blocks.get(number)
        if found is not None:
            self._blocks.move_to_end(number)
            return found
        size = self.page_size
        first, end = number * size, min(number * size + size, self._shown)
        start, rows = self._read_range(first, end)
        self.fetched_rows += len(rows)
        prepared: list[R | None] = list(self._prepare(rows))
        if rows:
            self._remember(start, self._key(rows[0]))
            self._remember(start + len(rows) - 1, self._key(rows[-1]))
        # Rows gone since the count: empty at the end of a forward read, at the start of a backward one.
        prepared = [None] * (start - first) + prepared + [None] * (end - start - len(prepared))
        self._blocks[number] = prepared
        while len(self._blocks) > self.max_blocks:
            self._blocks.popitem(last=False)
        return prepared

    def mark_drifted(self) -> None:
        """Rows left or joined the list since it was counted (the view keeps its rows until the next
        reload): read further rows only forwards from a key above them."""
        self._drifted = True

    def _read_range(self, first: int, end: int) -> tuple[int, list[T]]:
        """Rows ``first`` … ``end - 1`` from the nearest known key: before them, after them, the
        start or (the count being known) the end; with the row number the rows start at (a
        backward read that comes back short ends at ``end``)."""
        limit = end - first
        at = bisect_right(self._anchor_rows, first - 1) - 1
        before = self._anchor_rows[at] if at >= 0 else -1
        at_after = bisect_left(self._anchor_rows, end)
        after = self._anchor_rows[at_after] if at_after < len(self._anchor_rows) else None
        choices: list[tuple[int, Any, bool]] = [(first - before - 1, self._anchors.get(before), False)]
        if after is not None and not self._drifted:
            choices.append((after - end, self._anchors[after], True))
        if self._total is not None and end <= self._total and not self._drifted:
            choices.append((self._total - end, None, True))
        skip, key, reverse = min(choices, key=lambda c: c[0])
        rows = self._read(limit, key, skip, reverse)
        if reverse:
            return end - len(rows), rows[::-1]
        return first, rows

    def item(self, row: int) -> R | None:
        """What row ``row`` shows (read with its block when not in the window)."""
        if not 0 <= row < self._shown:
            return None
        number, at = divmod(row, self.page_size)
        block = self._blocks.get(number)
        if block is None:
            block = self._block(number)
        return block[at] if at < len(block) else None

    def row_object(self, row: int) -> T | None:
        found = self.item(row)
        return self._row_of(found) if found is not None else None

    def row_of_id(self, row_id: int) -> int | None:
        """The row number of a row in the window (None when it is not there)."""
        for number, block in self._blocks.items():
            for at, item in enumerate(block):
                if item is not None and int(getattr(self._row_of(item), "id")) == row_id:  # noqa: B009
                    return number * self.page_size + at
        return None

    def id_of_row(self, row: int) -> int | None:
        found = self.row_object(row)
        return int(getattr(found, "id")) if found is not None else None  # noqa: B009

    def replace_item(self, row: int, item: R) -> None:
        block = self._blocks.get(row // self.page_size)
        if block is not None:
            block[row % self.page_size] = item
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

    def column_index(self, key: str) -> int:
        for number, column in enumerate(self.columns):
            if column.key == key:
                return number
        raise KeyError(key)
