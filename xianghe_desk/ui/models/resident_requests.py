"""All the requests of one resident, newest first, for the resident's own page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from xianghe_desk.domain.models import ServiceRequest
from xianghe_desk.domain.queries import RequestFilter, Sort
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.models.base import Column, PagedTableModel

_OVERDUE = QColor("#b3261e")


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


class ResidentRequestTableModel(PagedTableModel[ServiceRequest]):
    """Requests with ``resident_id``; overdue ones say 「超期」 in the status column and are red."""

    def __init__(self, ctx: DeskContext, resident_id: int, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.flt = RequestFilter(resident_id=resident_id)
        self.now = ctx.now()
        self.columns = [
            Column("number", "工单编号", lambda r: r.number, width=150),
            Column("received_at", "受理时间", lambda r: _when(r.received_at), width=130),
            Column("category", "问题类别", lambda r: r.category_name, width=110),
            Column(
                "content",
                "诉求内容",
                lambda r: r.content.replace("\n", " "),
                width=220,
                tooltip=lambda r: r.content,
            ),
            Column("status", "状态", self._status, width=90),
            Column("handler", "承办人", lambda r: r.handler_name, width=70),
            Column("completed_at", "办结时间", lambda r: _when(r.completed_at), width=130),
            Column(
                "satisfaction", "满意度", lambda r: r.satisfaction.label if r.satisfaction else "", width=70
            ),
        ]

    def _status(self, request: ServiceRequest) -> str:
        if request.is_overdue(self.now):
            return request.status.label + "·超期"
        return request.status.label

    def _fetch(self, offset: int, limit: int) -> list[ServiceRequest]:
        return self.ctx.requests.list(self.flt, Sort("received_at", True), offset, limit)

    def _count(self) -> int:
        return self.ctx.requests.count(self.flt)

    def reload(self, *args: Any, **kwargs: Any) -> None:
        self.now = self.ctx.now()
        super().reload(*args, **kwargs)

    def _decorate(self, row: ServiceRequest, column: Column[ServiceRequest], role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and column.key == "status" and row.is_overdue(self.now):
            return _OVERDUE
        return None
