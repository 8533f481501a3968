"""The 服务对象 list: residents page by page, ID numbers and phones masked (the detail shows the
phone in full, and the ID number to a role that reveals it on purpose; issue #9 §5)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt

from xianghe_desk.domain.access import mask_phone
from xianghe_desk.domain.models import Resident
from xianghe_desk.domain.queries import PersonFilter
from xianghe_desk.services.people import ResidentService, mask_id_number
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.models.base import Column, CountedTableModel

_RIGHT = Qt.AlignmentFlag.AlignRight


def care_text(resident: Resident) -> str:
    return "、".join(tag.label for tag in resident.care_tags)


def resident_columns(today: date) -> list[Column[Resident]]:
    def age(r: Resident) -> str:
        years = r.age_on(today)
        return "" if years is None else str(years)

    return [
        Column("name", "姓名", lambda r: r.name, width=80),
        Column("sex", "性别", lambda r: r.sex.label if r.sex else "", width=48),
        Column("age", "年龄", age, align=_RIGHT, width=48),
        Column(
            "village",
            "村街",
            lambda r: r.village_name,
            width=110,
            tooltip=lambda r: r.town_name + r.village_name,
        ),
        Column("grid", "网格", lambda r: r.grid_name, width=90),
        Column("care", "服务类别", care_text, width=150, tooltip=care_text),
        Column("living", "居住情况", lambda r: r.living.label if r.living else "", width=90),
        Column(
            "phone",
            "联系电话",
            lambda r: mask_phone(r.phone),
            width=110,
            tooltip=lambda r: "列表中的电话只显示一部分；打开详情可看完整号码" if r.phone else "未登记电话",
        ),
        Column(
            "id_number",
            "身份证号(脱敏)",
            lambda r: mask_id_number(r.id_number),
            width=160,
            tooltip=lambda r: (
                "列表中只显示前 6 位和后 4 位；打开详情可看完整号码" if r.id_number else "未登记身份证号"
            ),
        ),
        Column("linked_member", "联系党员", lambda r: r.linked_member_name, width=80),
    ]


class ResidentTableModel(CountedTableModel[Resident]):
    """Residents matching ``flt``, in pinyin order, fetched 200 at a time; counted in a read job
    (``total_changed``)."""

    def __init__(self, ctx: DeskContext, parent: Any = None, page_size: int = 200) -> None:
        super().__init__(ctx, parent, page_size)
        self.flt = PersonFilter()
        self.columns = resident_columns(ctx.now().date())

    def set_filter(self, flt: PersonFilter) -> None:
        self.flt = flt
        self.reload()

    def _fetch(self, offset: int, limit: int) -> list[Resident]:
        return self.ctx.residents.list(self.flt, offset, limit)

    def _count_work(self) -> Callable[[Any, Any], int]:
        flt = self.flt
        return lambda ws, _job: ResidentService(ws).count(flt)
