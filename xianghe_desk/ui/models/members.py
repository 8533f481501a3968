"""The 网格员 list: grid members page by page, with 在岗 written out (not only greyed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor

from xianghe_desk.domain.models import Member
from xianghe_desk.domain.queries import PersonFilter
from xianghe_desk.services.people import MemberService
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.models.base import Column, CountedTableModel

_CENTER = Qt.AlignmentFlag.AlignHCenter
_INACTIVE = QColor("#6b7280")

MEMBER_COLUMNS: list[Column[Member]] = [
    Column("name", "姓名", lambda m: m.name, width=80),
    Column("role", "身份", lambda m: m.role.label, width=90),
    Column("kind", "类型", lambda m: m.kind.label, width=56),
    Column("phone", "手机号", lambda m: m.phone, width=110),
    Column("town", "镇", lambda m: m.town_name, width=90),
    Column("village", "村街", lambda m: m.village_name or "（镇级）", width=110),
    Column(
        "grids",
        "负责网格",
        lambda m: "、".join(m.grid_names),
        width=150,
        tooltip=lambda m: "、".join(m.grid_names),
    ),
    Column("party", "党员", lambda m: "是" if m.is_party else "", align=_CENTER, width=48),
    Column("active", "在岗", lambda m: "在岗" if m.active else "不在岗", width=64),
]


class MemberTableModel(CountedTableModel[Member]):
    """Members matching ``flt``; those no longer in service are grey and say 「不在岗」. Counted in a
    read job (``total_changed``)."""

    columns = MEMBER_COLUMNS

    def __init__(self, ctx: DeskContext, parent: Any = None, page_size: int = 200) -> None:
        super().__init__(ctx, parent, page_size)
        self.flt = PersonFilter()
        self._asked = False  # nothing is read before the first reload (or filter)

    def set_filter(self, flt: PersonFilter) -> None:
        self.flt = flt
        self.reload()

    def reload(self, fetch_first: bool = True) -> None:
        self._asked = True
        super().reload(fetch_first)

    def canFetchMore(self, parent: Any = QModelIndex()) -> bool:  # noqa: B008, N802
        """Not before the first reload: a view asks while its (hidden) page is being built."""
        return self._asked and super().canFetchMore(parent)

    def _fetch(self, offset: int, limit: int) -> list[Member]:
        return self.ctx.members.list(self.flt, offset, limit)

    def _count_work(self) -> Callable[[Any, Any], int]:
        flt = self.flt
        return lambda ws, _job: MemberService(ws).count(flt)

    def _decorate(self, row: Member, column: Column[Member], role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and not row.active:
            return _INACTIVE
        return None
