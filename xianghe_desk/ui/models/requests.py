"""The request list's model: pages of ServiceRequest through RequestService.list/count, sorted in SQL."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from xianghe_desk.domain.enums import Urgency
from xianghe_desk.domain.models import ServiceRequest
from xianghe_desk.domain.queries import RequestFilter, Sort
from xianghe_desk.jobs.runner import Job
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.models.base import PAGE_SIZE, Column, PagedTableModel
from xianghe_desk.ui.widgets.fmt import due_text, fmt_dt, overdue_text

log = logging.getLogger(__name__)

Left = Qt.AlignmentFlag.AlignLeft
Center = Qt.AlignmentFlag.AlignHCenter

COLUMNS: tuple[Column[ServiceRequest], ...] = (
    Column("number", "工单编号", lambda r: r.number, width=150),
    Column("received_at", "受理时间", lambda r: fmt_dt(r.received_at), width=122),
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
    Column("due_at", "办理时限", lambda r: fmt_dt(r.due_at), width=122),
    Column("overdue", "超期", lambda r: "", width=125),
)

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


def count_work(generation: int, flt: RequestFilter) -> Callable[[Workspace, Job], tuple[int, int]]:
    """The read job counting the matching requests (COUNT(*) over a million rows takes a while)."""

    def work(ws: Workspace, _job: Job) -> tuple[int, int]:
        return generation, RequestService(ws).count(flt)

    return work


class RequestTableModel(PagedTableModel[ServiceRequest]):
    """Requests matching ``flt`` in ``sort_order``; 200 rows at a time.

    Pages are fetched until one comes back short, so showing the list never waits for the
    COUNT(*): that runs as a read job and arrives through ``total_changed``.

    Overdue rows get a red background AND the word 「超期 …」 with a warning icon in the 超期 column;
    urgent open rows get an amber background AND a bold 「紧急」: colour is never the only signal.

    Signals:
        total_changed(int): how many requests match the filter, once counted.
    """

    columns = COLUMNS
    total_changed = Signal(int)

    def __init__(
        self, ctx: DeskContext, parent: Any = None, page_size: int = PAGE_SIZE, row_limit: int | None = None
    ) -> None:
        super().__init__(parent, page_size)
        self.ctx = ctx
        self.flt = RequestFilter()
        self.sort_order = Sort()
        self.row_limit = row_limit  # never load more than this (the dashboard's top 50)
        self._exhausted = False
        self._counted: int | None = None
        self._generation = 0
        self._loaded = False
        self._warning_icon: QIcon | None = None
        self._bold: QFont | None = None

    # ---- queries
    def _fetch(self, offset: int, limit: int) -> list[ServiceRequest]:
        return self.ctx.requests.list(self.flt, self.sort_order, offset, limit)

    def _count(self) -> int:
        return self.ctx.requests.count(self.flt)

    def reload(self, fetch_first: bool = True) -> None:
        self._loaded = True
        self._exhausted = False
        self._counted = None
        self._generation += 1
        super().reload(fetch_first)
        self.recount()

    def recount(self) -> None:
        """Count the matching requests again, off the UI thread; ``total_changed`` reports it."""
        self.ctx.read(
            count_work(self._generation, self.flt), self._on_counted, self._on_count_failed, "count"
        )

    def _on_counted(self, result: tuple[int, int]) -> None:
        generation, count = result
        if generation == self._generation:  # a count for an older filter is dropped
            self._counted = count
            self.total_changed.emit(count)

    def _on_count_failed(self, message: str, _is_bug: bool) -> None:
        log.warning("counting requests failed: %s", message)

    def total(self) -> int:
        """The number of matching requests; -1 while it is being counted."""
        if self._counted is not None:
            return self._counted
        return len(self._rows) if self._exhausted else -1

    def canFetchMore(self, parent: Any = QModelIndex()) -> bool:  # noqa: B008, N802
        if parent.isValid() or self._exhausted:
            return False
        return self.row_limit is None or len(self._rows) < self.row_limit

    def fetchMore(self, parent: Any = QModelIndex()) -> None:  # noqa: B008, N802
        if not self.canFetchMore(parent):
            return
        limit = self.page_size
        if self.row_limit is not None:
            limit = min(limit, self.row_limit - len(self._rows))
        rows = self._fetch(len(self._rows), limit)
        if len(rows) < limit:
            self._exhausted = True
        if rows:
            self._append(rows)

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
        """Re-read the given requests and swap them in place; returns the ids not loaded here."""
        wanted = list(dict.fromkeys(ids))
        loaded = [i for i in wanted if self.row_of_id(i) is not None]
        for request in self.ctx.requests.get_many(loaded):
            self.replace_row(request.id, request)
        return [i for i in wanted if i not in set(loaded)]

    # ---- display
    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and index.isValid():
            column = self.columns[index.column()]
            row = self.row_object(index.row())
            if row is not None and column.key == "overdue":
                return overdue_text(row, self.ctx.now())
            if row is not None and column.key == "due_at":
                return due_text(row, self.ctx.now())
        return super().data(index, role)

    def _decorate(self, row: ServiceRequest, column: Column[ServiceRequest], role: int) -> Any:
        now = self.ctx.now()
        overdue = row.is_overdue(now) and row.status.is_open
        urgent = row.urgency is Urgency.URGENT and row.status.is_open
        if role == Qt.ItemDataRole.BackgroundRole:
            if overdue:
                return QBrush(OVERDUE_BACKGROUND)
            if urgent:
                return QBrush(URGENT_BACKGROUND)
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if (column.key == "overdue" and row.is_overdue(now)) or (column.key == "urgency" and urgent):
                return QBrush(ALERT_TEXT)
            if overdue or urgent:
                # Dark text on the light row colours whatever the system theme says.
                return QBrush(QColor("#1a1a1a"))
            return None
        if role == Qt.ItemDataRole.FontRole and column.key in ("urgency", "overdue"):
            if (column.key == "urgency" and urgent) or (column.key == "overdue" and overdue):
                if self._bold is None:
                    self._bold = QFont(QApplication.font())
                    self._bold.setBold(True)
                return self._bold
            return None
        if role == Qt.ItemDataRole.DecorationRole and column.key == "overdue" and overdue:
            return self._warning()
        if role == Qt.ItemDataRole.ToolTipRole and column.key == "overdue" and row.is_overdue(now):
            return f"办理时限 {fmt_dt(row.due_at)}，已超期"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            parts = [column.text(row)]
            if column.key == "number" and overdue:
                parts.append("已超期")
            if column.key == "number" and urgent:
                parts.append("紧急")
            return " ".join(p for p in parts if p)
        return None

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
