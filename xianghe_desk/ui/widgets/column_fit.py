"""Columns as wide as what they show, at every text size (issue #8: at 150 % the report tables
showed 「99…」 and cut headers, because widths were set once and Ctrl+= never refitted them)."""

from __future__ import annotations

import math
from typing import Any, cast

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QSize,
    QSortFilterProxyModel,
    Qt,
    QTimer,
)
from PySide6.QtGui import QFont, QFontMetricsF, QIcon, QPixmap, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QTableView, QTreeView

# What a fit reads (issue #13: Qt's own sizeHintForColumn asks the model for seven roles of up
# to 1,000 rows per column, 150–450 ms on the UI thread for a page of the request list, 700 ms for
# the county's village tree). A list that pages through the database is measured on the rows in
# sight (they are read anyway; others may not be); a small table or tree on every row's text, up
# to MAX_ROWS. Fonts, icons and check boxes are asked of the first SAMPLE_ROWS cells and of the
# widest texts only.
MAX_ROWS = 500
SAMPLE_ROWS = 30
IN_SIGHT_ROWS = 60
WIDEST_TEXTS = 5


def header_of(view: QAbstractItemView) -> QHeaderView:
    if isinstance(view, QTreeView):
        return view.header()
    assert isinstance(view, QTableView)
    return view.horizontalHeader()


def content_width(view: QAbstractItemView, column: int, every_row: bool = False) -> int:
    """What a column needs: its widest cell, or its header text. ``every_row`` measures every row
    (small tables and trees); otherwise the rows in sight (lists that page through many rows)."""
    return content_widths(view, [column], every_row)[column]


def content_widths(view: QAbstractItemView, columns: list[int], every_row: bool = False) -> dict[int, int]:
    """``content_width`` of several columns, walking the rows once."""
    header = header_of(view)
    model = view.model()
    widths = {column: header.sectionSizeHint(column) for column in columns}
    if model is None:
        return widths
    rows: list[tuple[QModelIndex, int, int]]  # (parent, row, indentation of the tree column)
    if listing_model(view) is not None:
        rows = []  # the model lists its texts (``fit_texts``): no index is asked for
    elif isinstance(view, QTreeView):
        rows = tree_rows(view, MAX_ROWS)
    elif every_row:
        rows = [(QModelIndex(), row, 0) for row in range(min(model.rowCount(), MAX_ROWS))]
    else:
        assert isinstance(view, QTableView)
        rows = [(QModelIndex(), row, 0) for row in rows_in_sight(view)]
    indented = view.treePosition() if isinstance(view, QTreeView) else -1
    grid = 1 if isinstance(view, QTableView) and view.showGrid() else 0
    for column in columns:
        listed = model_texts(view, column)
        if listed is not None and view.itemDelegateForColumn(column) is None:
            widths[column] = max(texts_width(view, listed, column == indented), widths[column])
            continue
        if view.itemDelegateForColumn(column) is not None:
            # A column with its own delegate: Qt measures it.
            widths[column] = max(view.sizeHintForColumn(column), widths[column])
            continue
        cells = [
            (model.index(row, column, parent), indent if column == indented else 0)
            for parent, row, indent in rows
        ]
        widths[column] = max(cells_width(view, cells, grid), widths[column])
    return widths


def listing_model(view: QAbstractItemView) -> Any:
    """The tree's model when it lists its texts itself (``fit_texts``) and no filter hides rows
    (directly or through an unfiltered QSortFilterProxyModel); otherwise None."""
    if not isinstance(view, QTreeView):
        return None
    model = view.model()
    if isinstance(model, QSortFilterProxyModel):
        if model.filterRegularExpression().pattern():
            return None
        model = model.sourceModel()
    return model if callable(getattr(model, "fit_texts", None)) else None


def model_texts(view: QAbstractItemView, column: int) -> list[tuple[str, bool, int]] | None:
    """A column's texts, (text, bold, depth) per row, from a ``listing_model`` (else None)."""
    model = listing_model(view)
    if model is None:
        return None
    texts: list[tuple[str, bool, int]] = model.fit_texts(column)
    return texts[:MAX_ROWS] if len(texts) > MAX_ROWS else texts


def texts_width(view: QAbstractItemView, texts: list[tuple[str, bool, int]], indented: bool) -> int:
    """The widest of these texts as ``cells_width`` measures a cell (the style's margins; bold in
    the view's font made bold; the tree's indentation by depth in the tree column)."""
    if not texts:
        return 0
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    plain = QFontMetricsF(view.font())
    bold_font = QFont(view.font())
    bold_font.setBold(True)
    bold = QFontMetricsF(bold_font)
    step = view.indentation() if isinstance(view, QTreeView) else 0
    base = 1 if isinstance(view, QTreeView) and view.rootIsDecorated() else 0
    seen: dict[tuple[str, bool], int] = {}
    widest = 0
    for text, is_bold, depth in texts:
        width = seen.get((text, is_bold))
        if width is None:
            metrics = bold if is_bold else plain
            lines = text.split("\n")
            width = seen[(text, is_bold)] = (
                math.ceil(max(metrics.horizontalAdvance(x) for x in lines)) + 1 + 2 * margin if text else 0
            )
        widest = max(widest, width + ((depth + base) * step if indented else 0))
    return widest


def rows_in_sight(view: QTableView, limit: int = IN_SIGHT_ROWS) -> list[int]:
    """The rows the view shows now (before its first layout: the first rows)."""
    model = view.model()
    count = model.rowCount() if model is not None else 0
    if count == 0:
        return []
    first = view.rowAt(0)
    if first < 0:
        return list(range(min(count, SAMPLE_ROWS)))
    last = view.rowAt(max(view.viewport().height() - 1, 0))
    if last < 0:
        last = count - 1
    return list(range(first, min(last + 1, first + limit)))


def tree_rows(view: QTreeView, limit: int) -> list[tuple[QModelIndex, int, int]]:
    """Every expanded row (up to ``limit``) as (parent, row, indentation of the tree column), the
    indentation as QTreeView.sizeHintForColumn counts it."""
    model = view.model()
    step = view.indentation()
    base = 1 if view.rootIsDecorated() else 0
    rows: list[tuple[QModelIndex, int, int]] = []

    def walk(parent: QModelIndex, level: int) -> None:
        for row in range(model.rowCount(parent)):
            if len(rows) >= limit:
                return
            rows.append((parent, row, (level + base) * step))
            first = model.index(row, 0, parent)
            if view.isExpanded(first) and model.hasChildren(first):
                walk(first, level + 1)

    walk(QModelIndex(), 0)
    return rows


# Text widths measured before, by (font key, text): a list shows the same statuses, villages and
# categories page after page, and measuring them again cost most of a refit (issue #13).
_ADVANCES: dict[tuple[str, str], int] = {}
MAX_KEPT_ADVANCES = 50_000


def cells_width(view: QAbstractItemView, cells: list[tuple[QModelIndex, int]], extra: int = 0) -> int:
    """The widest of these cells as the default item delegate lays them out (text in the cell's
    font, its icon and check box, the style's margins, the indentation), from the font's metrics."""
    if not cells:
        return 0
    style = view.style()
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    icon_size = view.iconSize()
    if not icon_size.isValid():
        side = style.pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, view)
        icon_size = QSize(side, side)
    check_width = style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, None, view)
    base = view.font()
    base_key = base.key()
    metrics: dict[str, QFontMetricsF] = {base_key: QFontMetricsF(base)}
    advances = _ADVANCES
    if len(advances) > MAX_KEPT_ADVANCES:
        advances.clear()

    def advance(text: str, key: str) -> int:
        """Rounded up, plus one: Qt lays the text out in fractional pixels."""
        found = advances.get((key, text))
        if found is None:
            lines = text.split("\n")
            found = advances[(key, text)] = (
                math.ceil(max(metrics[key].horizontalAdvance(x) for x in lines)) + 1
            )
        return found

    display = Qt.ItemDataRole.DisplayRole
    texts: list[str] = []
    plain: list[int] = []  # each cell in the view's font, without icon or check box
    for index, indent in cells:
        value = index.data(display) if index.isValid() else None
        text = "" if value is None else str(value)
        texts.append(text)
        plain.append((advance(text, base_key) + 2 * margin if text else 0) + indent)
    widest = max(plain)
    # Fonts, icons and check boxes: the first cells and those with the widest texts.
    looked = set(range(min(len(cells), SAMPLE_ROWS)))
    looked.update(sorted(range(len(cells)), key=plain.__getitem__, reverse=True)[:WIDEST_TEXTS])
    for number in looked:
        index, indent = cells[number]
        if not index.isValid():
            continue
        text = texts[number]
        width = indent
        if text:
            font = index.data(Qt.ItemDataRole.FontRole)
            key = base_key
            if isinstance(font, QFont):
                # A cell's font resolves against the view's (size and family come from the desk).
                font = font.resolve(base)
                key = font.key()
                if key not in metrics:
                    metrics[key] = QFontMetricsF(font)
            width += advance(text, key) + 2 * margin
        icon = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(icon, (QIcon, QPixmap)) and not icon.isNull():
            width += icon_size.width() + 2 * margin
        if index.data(Qt.ItemDataRole.CheckStateRole) is not None:
            width += check_width + 2 * margin
        widest = max(widest, width)
    return widest + extra if widest else 0


class ColumnFitter(QObject):
    """Keeps a small table's columns at least as wide as their contents and their header.

    It refits when the model resets or gains rows, when the text size changes (Ctrl+= / Ctrl+-) and
    when the view is resized; room left over goes to the ``stretch`` column, and a table wider than
    its view scrolls sideways instead of cutting text. Rows follow the text height too.

    For lists that page through many rows (服务工单, 服务对象) use HeaderMemory instead: there the
    clerk's own widths are kept and only scaled with the text size.
    """

    def __init__(self, view: QAbstractItemView, stretch: int | None = None, row_factor: float = 1.6) -> None:
        super().__init__(view)
        self.view = view
        self.stretch = stretch
        self.row_factor = row_factor
        header = header_of(view)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        self._model: QAbstractItemModel | None = None
        # The columns' content widths as last measured: a resize only spreads the spare width
        # again (a page shown again gets a resize; measuring 680 villages took ~30 ms, issue #13).
        self._measured: dict[int, int] | None = None
        view.installEventFilter(self)
        if isinstance(view, QTreeView):  # the rows measured are the expanded ones
            view.expanded.connect(self.schedule)
            view.collapsed.connect(self.schedule)
        self._watch_model()
        self._fit_rows()

    def _watch_model(self) -> None:
        model = self.view.model()
        if model is None or model is self._model:
            return
        self._model = model
        for signal in (
            model.modelReset,
            model.layoutChanged,
            model.rowsInserted,
            model.rowsRemoved,
            model.dataChanged,
            model.headerDataChanged,
        ):
            signal.connect(self.schedule)

    def schedule(self, *_args: object) -> None:
        """Measure and refit once control returns to the event loop (many changes make one refit)."""
        self._measured = None
        self._timer.start()

    def fit(self) -> None:
        """Resize every shown column to its contents now; the spare width goes to ``stretch``."""
        self._timer.stop()
        self._watch_model()
        view = self.view
        header = header_of(view)
        if view.model() is None:
            return
        shown = [column for column in range(header.count()) if not header.isSectionHidden(column)]
        if self._measured is None or list(self._measured) != shown:
            self._measured = content_widths(view, shown, every_row=True)
        widths = dict(self._measured)
        spare = view.viewport().width() - sum(widths.values())
        if self.stretch in widths and spare > 0:
            widths[self.stretch] += spare
        for column, width in widths.items():
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)

    def _fit_rows(self) -> None:
        if isinstance(self.view, QTableView):
            height = self.view.fontMetrics().height()
            self.view.verticalHeader().setDefaultSectionSize(int(height * self.row_factor))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.view:
            kind = event.type()
            if kind == QEvent.Type.FontChange:
                self._fit_rows()
                self.schedule()
            elif kind == QEvent.Type.Resize and self.stretch is not None:
                resized = cast(QResizeEvent, event)
                if resized.size().width() != resized.oldSize().width():
                    self._timer.start()  # the same contents: only the spare width moves
        return False


def full_text_tooltips(view: QTableView) -> None:
    """Each header's full text as its tooltip (QTableWidget headers), for when a column is narrow."""
    model = view.model()
    for column in range(model.columnCount()):
        text = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        if text:
            model.setHeaderData(column, Qt.Orientation.Horizontal, str(text), Qt.ItemDataRole.ToolTipRole)
