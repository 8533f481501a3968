"""The request list's model: a window of RequestListRow over the whole list (keyset pages through
RequestService.page), the true count as its row count, sorted in SQL."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, NamedTuple

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from xianghe_desk.domain.enums import Urgency
from xianghe_desk.domain.queries import RequestFilter, RequestListRow, Sort
from xianghe_desk.jobs.runner import Job
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.models.base import PAGE_SIZE, Column, Role, WindowTableModel
from xianghe_desk.ui.widgets.fmt import fmt_duration
from xianghe_desk.ui.widgets.look import bold_font

log = logging.getLogger(__name__)

Left = Qt.AlignmentFlag.AlignLeft
Center = Qt.AlignmentFlag.AlignHCenter


def _minutes(text: str | None) -> str:
    """「2026-11-03 08:05:00」 → 「2026-11-03 08:05」 (fmt_dt on stored text)."""
    return text[:16] if text else ""


COLUMNS: tuple[Column[RequestListRow], ...] = (
    Column("number", "工单编号", lambda r: r.number, width=150),
    Column("received_at", "受理时间", lambda r: _minutes(r.received_at), width=122),
    Column("status", "状态", lambda r: r.status.label, width=62),
    Column("urgency", "紧急程度", lambda r: r.urgency.label, Center, width=68),
    Column("person_name", "服务对象", lambda r: r.person_name, width=70),
    Column(
        "village",
        "村街",
        lambda r: r.village_name,
        width=95,
        tooltip=lambda r: f"{r.town_name}{r.village_name}",
    ),
    Column("grid", "网格", lambda r: r.grid_name, width=75),
    Column("category", "问题类别", lambda r: r.category_name, width=110, tooltip=lambda r: r.content[:200]),
    Column("channel", "来源渠道", lambda r: r.channel_name, width=95),
    Column("handler", "承办人", lambda r: r.handler_name, width=65, tooltip=lambda r: r.handler_phone),
    Column("due_at", "办理时限", lambda r: _minutes(r.due_at), width=122),
    Column("overdue", "超期", lambda r: "", width=125),
)
_OVERDUE_COLUMN = 11
_DUE_COLUMN = 10
_URGENCY_COLUMN = 3
_ALIGNMENTS = tuple(int(c.align | Qt.AlignmentFlag.AlignVCenter) for c in COLUMNS)
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole.value)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_FONT = int(Qt.ItemDataRole.FontRole.value)
_DECORATION = int(Qt.ItemDataRole.DecorationRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole.value)
_ID = int(Role.IdRole)
_OBJECT = int(Role.ObjectRole)
_DECORATED = frozenset({_BACKGROUND, _FOREGROUND, _FONT, _DECORATION, _TOOLTIP, _ACCESSIBLE})

# Column key → RequestService sort key (every column sorts in SQL).
SORT_KEYS = {
    "number": "number",
    "received_at": "received_at",
    "status": "status",
    "urgency": "urgency",
    "person_name": "person_name",
    "village": "village",
    "grid": "grid",
    "category": "category",
    "channel": "channel",
    "handler": "handler",
    "due_at": "due_at",
    # The most overdue requests are the ones with the earliest due time.
    "overdue": "due_at",
}

OVERDUE_BACKGROUND = QColor("#fde3e1")
URGENT_BACKGROUND = QColor("#fff2d9")
ALERT_TEXT = QColor("#a3231a")
DARK_TEXT = QColor("#1a1a1a")


def first_block_work(
    generation: int, flt: RequestFilter, sort: Sort, limit: int
) -> Callable[[Workspace, Job], tuple[int, list[RequestListRow]]]:
    """The read job reading the list's first block (a search or a filter over a million requests
    can take a tenth of a second: never on the UI thread)."""

    def work(ws: Workspace, _job: Job) -> tuple[int, list[RequestListRow]]:
        return generation, RequestService(ws).page(flt, sort, limit)

    return work


def count_work(generation: int, flt: RequestFilter) -> Callable[[Workspace, Job], tuple[int, int]]:
    """The read job counting the matching requests (COUNT(*) over a million rows takes a while)."""

    def work(ws: Workspace, _job: Job) -> tuple[int, int]:
        return generation, RequestService(ws).count(flt)

    return work


class Shown(NamedTuple):
    """A list row with everything the view asks for worked out once, when the row is read."""

    row: RequestListRow
    texts: tuple[str, ...]
    overdue: bool  # open and past its due time: red row
    late: bool  # overdue or completed late: the 超期 column says so
    urgent: bool  # urgent and open: amber row


def shown_rows(rows: list[RequestListRow], now: datetime) -> list[Shown]:
    """Display strings and marks for ``rows`` with one ``now`` (fmt.due_text/overdue_text)."""
    now_text = now.isoformat(sep=" ", timespec="seconds")
    today = now_text[:10]
    found = []
    for r in rows:
        status = r.status
        late = r.is_overdue(now_text)
        overdue = late and status.is_open
        if not late:
            overdue_word = ""
        elif status.is_done:
            overdue_word = "超期办结"
        else:
            hours = (now - datetime.fromisoformat(r.due_at)).total_seconds() / 3600
            overdue_word = f"超期 {fmt_duration(hours)}"
        due = r.due_at
        texts = (
            r.number,
            r.received_at[:16],
            status.label,
            r.urgency.label,
            r.person_name,
            r.village_name,
            r.grid_name,
            r.category_name,
            r.channel_name,
            r.handler_name,
            "今天 " + due[11:16] if due[:10] == today else due[:16],
            overdue_word,
        )
        found.append(Shown(r, texts, overdue, late, r.urgency is Urgency.URGENT and status.is_open))
    return found


class RequestTableModel(WindowTableModel[RequestListRow, Shown]):
    """Requests matching ``flt`` in ``sort_order``: every one of them in ``rowCount`` once counted,
    read 200 at a time by keyset where the view looks, a window of them kept (base.WindowTableModel).

    The first block and the COUNT(*) are read by read jobs (the UI thread never waits for a search
    over a million rows). Until the first block arrives the list keeps showing the rows it had
    (no blank list in between, and one reset, so the view is laid out and painted once; rows not
    read yet stay empty meanwhile); it arrives through ``first_rows_arrived``, the count through
    ``total_changed`` and with it the rest of the rows (a count arriving first waits for the first
    block; once the first block is there and the count is not, the view pages on with
    ``fetchMore``). Later blocks are read where the view looks, on the UI thread: a keyset page
    costs a few milliseconds wherever it lies.

    Overdue rows get a red background AND the word 「超期 …」 with a warning icon in the 超期 column;
    urgent open rows get an amber background AND a bold 「紧急」: colour is never the only signal.

    Signals:
        total_changed(int): how many requests match the filter, once counted.
        first_rows_arrived(): the first block of a reload is shown (it may be empty).
        load_failed(str): the first block could not be read (a Chinese message).
    """

    columns = COLUMNS
    total_changed = Signal(int)
    first_rows_arrived = Signal()
    load_failed = Signal(str)
    # The first block is read by a read job (OverdueModel: its rows come with the dashboard's job).
    reads_first_block_in_job = True

    def __init__(
        self,
        ctx: DeskContext,
        parent: Any = None,
        page_size: int = PAGE_SIZE,
        row_limit: int | None = None,
        max_blocks: int = 15,
    ) -> None:
        super().__init__(parent, page_size, max_blocks)
        self.ctx = ctx
        self.flt = RequestFilter()
        self.sort_order = Sort()
        self.row_limit = row_limit  # never show more than this (the dashboard's top 50)
        self._counted: int | None = None
        self._generation = 0
        self._loaded = False
        self._loading = False  # the first block's read job has not answered yet
        self._waiting_count: int | None = None  # a count that arrived before the first block
        self._resize = True  # the next count sets the row count (after a reload)
        self._warning_icon: QIcon | None = None
        self._brush_set: tuple[QBrush, QBrush, QBrush, QBrush] | None = None

    # ---- queries
    def _read(self, limit: int, after: Any, skip: int, reverse: bool) -> list[RequestListRow]:
        if self._loading:
            return []  # the rows shown are the last filter's: none of the new one among them
        return self.ctx.requests.page(self.flt, self.sort_order, limit, after, skip, reverse)

    def _key(self, row: RequestListRow) -> Any:
        return row.key

    def _prepare(self, rows: list[RequestListRow]) -> list[Shown]:
        return shown_rows(rows, self.ctx.now())

    def _row_of(self, item: Shown) -> RequestListRow:
        return item.row

    def _count(self) -> int:
        return self.ctx.requests.count(self.flt)

    def reload(self, fetch_first: bool = True) -> None:
        self._loaded = True
        self._counted = None
        self._waiting_count = None
        self._generation += 1
        in_job = fetch_first and self.reads_first_block_in_job
        self._loading = in_job
        if not in_job:
            self.reset_rows(fetch_first, self.row_limit)
        self._resize = True
        if in_job:
            work = first_block_work(
                self._generation, self.flt, self.sort_order, self.first_wanted(self.row_limit)
            )
            generation = self._generation
            self.ctx.read(
                work,
                self._on_first_block,
                lambda message, is_bug: self._on_first_block_failed(generation, message, is_bug),
                "first page",
            )
        elif fetch_first:
            self.first_rows_arrived.emit()
        self.recount()

    def loading(self) -> bool:
        """Whether the first block of the last reload is still being read."""
        return self._loading

    def _on_first_block(self, result: tuple[int, list[RequestListRow]]) -> None:
        generation, rows = result
        if generation != self._generation:
            return  # read for an older filter or sort
        self._loading = False
        self.reset_rows(rows=rows, limit=self.row_limit)
        if self._waiting_count is not None:
            count, self._waiting_count = self._waiting_count, None
            self._take_count(count)
        self.first_rows_arrived.emit()

    def _on_first_block_failed(self, generation: int, message: str, _is_bug: bool) -> None:
        if generation != self._generation:
            log.info("reading an older filter's rows failed: %s", message)
            return  # the current filter's read is still on its way
        log.warning("reading the request list failed: %s", message)
        self._loading = False
        self._waiting_count = None
        self.reset_rows(rows=[], limit=self.row_limit)  # not the last filter's rows
        self.load_failed.emit(message)

    def recount(self) -> None:
        """Count the matching requests again, off the UI thread; ``total_changed`` reports it.

        After a reload the count also sets how many rows the list has; after rows were swapped
        in place (refresh_ids) the rows stay as they are until the next reload."""
        self.ctx.read(
            count_work(self._generation, self.flt), self._on_counted, self._on_count_failed, "count"
        )

    def _on_counted(self, result: tuple[int, int]) -> None:
        generation, count = result
        if generation == self._generation:  # a count for an older filter is dropped
            self._take_count(count)

    def _take_count(self, count: int) -> None:
        if self._loading:
            self._waiting_count = count  # rows are put in after the first block
            return
        self._counted = count
        if self.row_limit is None and self._resize:
            self._resize = False
            self.set_total(count)
        elif self.known_total() is not None and count != self.known_total():
            # Rows changed in place left or joined the list: its rows stay until the next reload,
            # and rows not read yet are read forwards only (their positions have moved).
            self.mark_drifted()
        self.total_changed.emit(count)

    def _on_count_failed(self, message: str, _is_bug: bool) -> None:
        log.warning("counting requests failed: %s", message)

    def total(self) -> int:
        """The number of matching requests; -1 while it is being counted."""
        if self._loading:
            return -1
        if self._counted is not None:
            return self._counted
        return self._shown if self._exhausted else -1

    def fetchMore(self, parent: Any = QModelIndex()) -> None:  # noqa: B008, N802
        """The view reached the end of the rows read before the count arrived: count now (the
        clerk is going further than the first page: Ctrl+End, the scroll bar), so that the whole
        list is there at once; the count job's answer is then dropped."""
        if not self.canFetchMore(parent):
            return
        self._generation += 1
        self._take_count(self._count())

    def canFetchMore(self, parent: Any = QModelIndex()) -> bool:  # noqa: B008, N802
        """Not while the first block is being read (the view would count on the UI thread)."""
        return not self._loading and super().canFetchMore(parent)

    def set_filter(self, flt: RequestFilter) -> None:
        if flt != self.flt or not self._loaded:
            self.flt = flt
            self.reload()

    def set_sort(self, sort: Sort) -> None:
        if sort != self.sort_order:
            self.sort_order = sort
            self.reload()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting is a new query (ORDER BY in SQL) and a model reset, never a sort in memory."""
        if not 0 <= column < len(self.columns):
            return
        key = SORT_KEYS.get(self.columns[column].key)
        if key is None:
            return
        self.set_sort(Sort(key, order == Qt.SortOrder.DescendingOrder))

    def sort_column(self) -> tuple[int, Qt.SortOrder]:
        """The column and order to show in the header for the current sort."""
        order = Qt.SortOrder.DescendingOrder if self.sort_order.descending else Qt.SortOrder.AscendingOrder
        for number, column in enumerate(self.columns):
            if SORT_KEYS.get(column.key) == self.sort_order.key:
                return number, order
        return -1, order

    def refresh_ids(self, ids: Iterable[int]) -> list[int]:
        """Re-read the given requests and swap them in place; returns the ids not in the window.

        While a new first block is being read every id is returned: the rows shown are the last
        filter's, and the block on its way may have been read before this change was saved (a
        request dispatched, then 已派单 chosen at once), so the caller reads the list again."""
        wanted = list(dict.fromkeys(ids))
        if self._loading:
            return wanted
        rows = {i: self.row_of_id(i) for i in wanted}
        loaded = [i for i in wanted if rows[i] is not None]
        fresh = self.ctx.requests.list_rows(loaded, self.sort_order)
        for item in self._prepare(fresh):
            number = rows[item.row.id]
            if number is not None:
                self.replace_item(number, item)
        return [i for i in wanted if rows[i] is None]

    # ---- display (roles compared as plain ints: PySide's enum members are slow to look up, and
    # the view asks ~2,000 times per paint)
    def data(self, index: Any, role: int = _DISPLAY) -> Any:
        shown = self.item(index.row())
        if shown is None or not index.isValid():
            return None
        if role == _DISPLAY:
            return shown.texts[index.column()]
        if role == _ALIGN:
            return _ALIGNMENTS[index.column()]
        if role == _ID:
            return shown.row.id
        if role == _OBJECT:
            return shown.row
        if role in _DECORATED:
            return self._decorate(shown, index.column(), role)
        return None

    def _decorate(self, shown: Shown, column: int, role: int) -> Any:
        overdue, urgent = shown.overdue, shown.urgent
        if role == _BACKGROUND:
            if overdue:
                return self._brushes()[0]
            return self._brushes()[1] if urgent else None
        if role == _FOREGROUND:
            if (column == _OVERDUE_COLUMN and shown.late) or (column == _URGENCY_COLUMN and urgent):
                return self._brushes()[2]
            # Dark text on the light row colours whatever the system theme says.
            return self._brushes()[3] if overdue or urgent else None
        if role == _FONT:
            if (column == _URGENCY_COLUMN and urgent) or (column == _OVERDUE_COLUMN and overdue):
                return bold_font()
            return None
        if role == _DECORATION:
            return self._warning() if column == _OVERDUE_COLUMN and overdue else None
        if role == _TOOLTIP:
            if column == _OVERDUE_COLUMN:
                return f"办理时限 {_minutes(shown.row.due_at)}，已超期" if shown.late else None
            tooltip = self.columns[column].tooltip
            return tooltip(shown.row) if tooltip is not None else None
        if role == _ACCESSIBLE:
            parts = [shown.texts[column]]
            if column == 0 and overdue:
                parts.append("已超期")
            if column == 0 and urgent:
                parts.append("紧急")
            return " ".join(p for p in parts if p)
        return None

    def _brushes(self) -> tuple[QBrush, QBrush, QBrush, QBrush]:
        """Overdue and urgent backgrounds, alert and dark text (made once)."""
        if self._brush_set is None:
            self._brush_set = (
                QBrush(OVERDUE_BACKGROUND),
                QBrush(URGENT_BACKGROUND),
                QBrush(ALERT_TEXT),
                QBrush(DARK_TEXT),
            )
        return self._brush_set

    def _warning(self) -> QIcon:
        if self._warning_icon is None:
            self._warning_icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        return self._warning_icon

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            if 0 <= section < len(self.columns):
                return f"点击按「{self.columns[section].header}」排序，再点一次倒序"
        return super().headerData(section, orientation, role)
