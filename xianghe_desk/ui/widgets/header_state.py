"""Remembered column widths that follow the text size (Ctrl+= / Ctrl+-).

Header widths are stored with the text height they were made at; when the desk's text is larger
or smaller later, the remembered widths are scaled by the same ratio, so that a clerk who turns
the text up to 150 % does not find every column cut off. After new rows and after a change of
text size, a column narrower than what it shows is widened to fit (up to a share of the view,
so one long list of grids cannot push every other column out of sight); columns the clerk has
resized are left as they are.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, QTimer
from PySide6.QtWidgets import QTableView

from xianghe_desk.ui.settings import BytesOption, IntOption, desk_settings
from xianghe_desk.ui.widgets.column_fit import content_widths

BASE_HEIGHT = 17.0  # text height in pixels at 100 %, as the desk's default widths assume
MAX_SHARE = 0.4  # a column widened to fit its contents takes at most this share of the view


_options: dict[str, tuple[BytesOption, IntOption]] = {}


def header_options(key: str) -> tuple[BytesOption, IntOption]:
    """The two settings of a table's header, declared once per key (a page may be built twice)."""
    if key not in _options:
        _options[key] = (
            BytesOption(f"{key}/header"),
            IntOption(f"{key}/header_text_height", 0, minimum=0, maximum=200),
        )
    return _options[key]


FIT_DELAY_MS = 15


class HeaderMemory(QObject):
    """Restores and saves a table's header, and rescales its columns when the font changes."""

    def __init__(self, table: QTableView, key: str | None, widths: list[int]) -> None:
        """``key`` names the remembered state (None: widths follow the text size, nothing is kept)."""
        super().__init__(table)
        self.table = table
        self.state: BytesOption | None = None
        self.height: IntOption | None = None
        if key:
            self.state, self.height = header_options(key)
        self.widths = widths
        self._font_height = table.fontMetrics().height()
        self._fitting = False
        self.user_sized: set[int] = set()  # columns the clerk resized by hand this session
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        # Not in the same turn of the event loop as the paint it follows: measuring the cells takes
        # 10–30 ms, and input waiting meanwhile is handled between the two (issue #13).
        self._fit_timer.setInterval(FIT_DELAY_MS)
        self._fit_timer.timeout.connect(self.fit_contents)
        self._fitting = True
        try:
            self.restore()
        finally:
            self._fitting = False
        table.installEventFilter(self)
        table.horizontalHeader().sectionResized.connect(self._on_section_resized)
        model = table.model()
        if model is not None:
            model.modelReset.connect(self._fit_timer.start)
            model.rowsInserted.connect(self._on_rows_inserted)
        self._fit_timer.start()

    def _on_rows_inserted(self, parent: QModelIndex, first: int, _last: int) -> None:
        """Fit again, unless every new row lies below what the view shows (a long list's count
        arriving after its first rows: measuring the same rows again cost 10–20 ms; issue #13)."""
        if not parent.isValid():
            viewport = self.table.viewport()
            bottom = self.table.rowAt(max(viewport.height() - 1, 0))
            if 0 <= bottom < first:
                return
        self._fit_timer.start()

    def fit_contents(self) -> None:
        """Widen each column that is narrower than its loaded cells or its header text."""
        self._fit_timer.stop()
        header = self.table.horizontalHeader()
        if self.table.model() is None or header.count() == 0:
            return
        limit = max(int(self.table.viewport().width() * MAX_SHARE), 1)
        self._fitting = True
        try:
            columns = [
                column
                for column in range(header.count())
                if not header.isSectionHidden(column) and column not in self.user_sized
            ]
            for column, width in content_widths(self.table, columns).items():
                need = min(width, limit)
                if header.sectionSize(column) < need:
                    self.table.setColumnWidth(column, need)
        finally:
            self._fitting = False

    def _on_section_resized(self, column: int, _old: int, _new: int) -> None:
        if not self._fitting:
            self.user_sized.add(column)

    def restore(self) -> None:
        settings = desk_settings()
        state = settings.get(self.state) if self.state is not None else b""
        if state and self.table.horizontalHeader().restoreState(state):
            saved_height = settings.get(self.height) if self.height is not None else 0
            if saved_height:
                self._scale(self.table.fontMetrics().height() / saved_height)
            return
        scale = max(self.table.fontMetrics().height() / BASE_HEIGHT, 1.0)
        for column, width in enumerate(self.widths):
            self.table.setColumnWidth(column, int(width * scale))

    def save(self) -> None:
        if self.state is None or self.height is None:
            return
        settings = desk_settings()
        settings.set(self.state, bytes(self.table.horizontalHeader().saveState().data()))
        settings.set(self.height, self.table.fontMetrics().height())

    def _scale(self, ratio: float) -> None:
        if abs(ratio - 1.0) < 0.05:
            return
        header = self.table.horizontalHeader()
        self._fitting = True
        try:
            for column in range(header.count()):
                self.table.setColumnWidth(column, max(24, int(header.sectionSize(column) * ratio)))
        finally:
            self._fitting = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.table and event.type() == QEvent.Type.Show:
            self._fit_timer.start()  # a list on a tab shown only now: its view has its real width
        if watched is self.table and event.type() == QEvent.Type.FontChange:
            height = self.table.fontMetrics().height()
            if self._font_height:
                self._scale(height / self._font_height)
            self._font_height = height
            self._fit_timer.start()
        return False
