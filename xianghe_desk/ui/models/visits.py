"""The 走访 lists: who is due (DueTableModel) and a resident's own visits (VisitTimelineModel).

Both hold rows already read (a due list is read whole in a job: it is ordered by how overdue
each resident is, which only the whole list can tell) and hand them to the view 200 at a time.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from xianghe_desk.domain.access import mask_phone
from xianghe_desk.domain.visits import DueEntry, DueKind, Visit, interval_text
from xianghe_desk.ui.models.base import Column, PagedTableModel
from xianghe_desk.ui.widgets.look import ALERT

_RIGHT = Qt.AlignmentFlag.AlignRight


def due_state(e: DueEntry) -> str:
    if e.overdue_days > 0:
        return f"超期{e.overdue_days}天" + ("（从未走访）" if e.never_visited else "")
    if e.never_visited:
        return "从未走访"
    return "本周应走访"


def care_text(e: DueEntry) -> str:
    return "、".join(t.label for t in e.care_tags)


DUE_COLUMNS: list[Column[DueEntry]] = [
    Column("state", "走访状态", due_state, width=120),
    Column("name", "姓名", lambda e: e.name, width=80),
    Column(
        "village", "村街", lambda e: e.village_name, width=100, tooltip=lambda e: e.town_name + e.village_name
    ),
    Column("grid", "网格", lambda e: e.grid_name, width=80),
    Column("due", "应走访日期", lambda e: f"{e.due:%Y-%m-%d}", width=100),
    Column(
        "last", "上次走访", lambda e: f"{e.last_visit:%Y-%m-%d}" if e.last_visit else "从未走访", width=100
    ),
    Column("interval", "走访周期", lambda e: interval_text(e.interval_days), width=110),
    Column("care", "服务类别", care_text, width=140, tooltip=care_text),
    # Masked like every list (issue #9); the printed 走访表 and the detail view show it whole.
    Column("phone", "联系电话", lambda e: mask_phone(e.phone), width=110),
    Column("members", "负责网格员", lambda e: e.members, width=140, tooltip=lambda e: e.members),
]


class _ListModel(PagedTableModel[Any]):
    """Rows read elsewhere (a job), shown page by page."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._all: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        self._all = list(rows)
        self.reload()

    def all_rows(self) -> list[Any]:
        return list(self._all)

    def _fetch(self, offset: int, limit: int) -> list[Any]:
        return self._all[offset : offset + limit]

    def _count(self) -> int:
        return len(self._all)


class DueTableModel(_ListModel):
    """Residents due for a visit, most overdue first; IdRole is the resident's id."""

    columns = DUE_COLUMNS

    def _row_id(self, row: DueEntry) -> int:
        return row.resident_id

    def _decorate(self, row: DueEntry, column: Column[DueEntry], role: int) -> Any:
        if column.key == "state" and role == Qt.ItemDataRole.ForegroundRole and row.kind is DueKind.OVERDUE:
            return QBrush(QColor(ALERT))
        return None


def visit_member(v: Visit) -> str:
    return v.member_name or "—"


TIMELINE_COLUMNS: list[Column[Visit]] = [
    Column("visited_on", "走访日期", lambda v: f"{v.visited_on:%Y-%m-%d}", width=100),
    Column("method", "方式", lambda v: v.method.label, width=56),
    Column("member", "走访人", visit_member, width=80),
    Column("checks", "检查情况", lambda v: v.checks_text(), width=150, tooltip=lambda v: v.checks_text()),
    Column("note", "情况记录", lambda v: v.note, width=160, tooltip=lambda v: v.note),
    Column("needs", "发现的需求", lambda v: v.needs, width=160, tooltip=lambda v: v.needs),
    Column("request", "转为工单", lambda v: v.request_number or ("未转" if v.needs else ""), width=150),
]


class VisitTimelineModel(_ListModel):
    """A resident's visits, newest first; IdRole is the visit's id."""

    columns = TIMELINE_COLUMNS

    def _decorate(self, row: Visit, column: Column[Visit], role: int) -> Any:
        if column.key == "checks" and role == Qt.ItemDataRole.ForegroundRole and row.problems():
            return QBrush(QColor(ALERT))
        return None


def days_text(day: date | None, today: date) -> str:
    """「12-08（还有2天）」, 「12-03（已超期3天）」."""
    if day is None:
        return "—"
    delta = (day - today).days
    if delta < 0:
        return f"{day:%Y-%m-%d}（已超期{-delta}天）"
    if delta == 0:
        return f"{day:%Y-%m-%d}（今天）"
    return f"{day:%Y-%m-%d}（还有{delta}天）"
