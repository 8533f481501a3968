"""Columns as wide as what they show, at every text size (issue #8: at 150 % the report tables
showed 「99…」 and cut headers, because widths were set once and Ctrl+= never refitted them)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QTreeView


def header_of(view: QAbstractItemView) -> QHeaderView:
    if isinstance(view, QTreeView):
        return view.header()
    assert isinstance(view, QTableView)
    return view.horizontalHeader()


def content_width(view: QAbstractItemView, column: int) -> int:
    """What a column needs: its widest cell among the rows Qt measures, or its header text."""
    return max(view.sizeHintForColumn(column), header_of(view).sectionSizeHint(column))


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
        view.installEventFilter(self)
        self._watch_model()
        self._fit_rows()

    def _watch_model(self) -> None:
        model = self.view.model()
        if model is None or model is self._model:
            return
        self._model = model
        for signal in (model.modelReset, model.layoutChanged, model.rowsInserted, model.headerDataChanged):
            signal.connect(self.schedule)

    def schedule(self, *_args: object) -> None:
        """Refit once control returns to the event loop (many changes make one refit)."""
        self._timer.start()

    def fit(self) -> None:
        """Resize every shown column to its contents now; the spare width goes to ``stretch``."""
        self._timer.stop()
        self._watch_model()
        view = self.view
        header = header_of(view)
        if view.model() is None:
            return
        widths = {
            column: content_width(view, column)
            for column in range(header.count())
            if not header.isSectionHidden(column)
        }
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
                self.schedule()
        return False


def full_text_tooltips(view: QTableView) -> None:
    """Each header's full text as its tooltip (QTableWidget headers), for when a column is narrow."""
    model = view.model()
    for column in range(model.columnCount()):
        text = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        if text:
            model.setHeaderData(column, Qt.Orientation.Horizontal, str(text), Qt.ItemDataRole.ToolTipRole)
