"""走访表: the weekly paper roster a grid member carries (issue #11), A4 landscape.

One row per resident due that week (overdue ones and those never visited included), in the order
the desk's fast entry screen shows them again: who they are and their care tags, the address, the
phone in full (the member has to call) and the emergency contact, when the visit is due and when
the last one was, squares to tick the route and the six checks, room for notes and needs noticed,
and the resident's signature. The header names the member or grid and the week; every page says
第 N 页 共 M 页, when and by whom it was printed, and has a line for the member's signature.

This module lays out what services.visits gathered; it computes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Spacer, Table, TableStyle

from xianghe_desk.pdf.flowables import TickBoxes
from xianghe_desk.pdf.fonts import FONT, register_fonts
from xianghe_desk.pdf.linebreak import CjkParagraph
from xianghe_desk.pdf.metadata import doc_info
from xianghe_desk.pdf.numbered_canvas import NumberedCanvas
from xianghe_desk.pdf.styles import ALERT, GREY, HEADER_FILL, INK, RULE, escape, make_styles

PAGE = landscape(A4)
MARGIN = 10 * mm
# Column widths (mm), 277 in all: 序号, 服务对象, 住址与电话, 应访, 走访日期与方式, 检查, 记录, 签字.
WIDTHS = (8, 33, 56, 25, 27, 64, 40, 24)
HEADERS = (
    "序号",
    "服务对象",
    "住址、电话、紧急联系人",
    "应走访",
    "走访日期与方式",
    "检查情况（每项勾一个）",
    "情况记录及发现的需求",
    "服务对象签字",
)
METHODS = ("上门", "电话", "视频")
RESULTS = ("正常", "有问题")


@dataclass(frozen=True)
class RosterRow:
    number: int
    name: str
    sex_age: str  # 「女 82岁」
    care_tags: str  # 「独居老人、低保」
    address: str
    phone: str
    emergency: str  # 「李四 13912345678」
    due: date
    last_visit: date | None
    overdue_days: int
    interval: str  # 「每周（7天）」
    status_note: str = ""  # 「出院后首次走访」


@dataclass(frozen=True)
class RosterSheet:
    """Everything a roster prints, gathered by services.visits (no database here)."""

    title: str  # 香河县淑阳镇王刘圈村 网格员 李建国
    week_start: date
    week_end: date
    responsible: str  # 「网格员：李建国 13812345678」 or 「网格员：李建国、王芳」
    rows: list[RosterRow]
    checks: tuple[str, ...]  # the six checks, in order
    printed_at: datetime
    printed_by: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def heading(self) -> str:
        return f"{self.title} 走访表"

    @property
    def week_text(self) -> str:
        start, end = self.week_start, self.week_end
        return f"{start.year}年{start.month}月{start.day}日（星期一）至{end.month}月{end.day}日（星期日）"


class _NumberedCanvas(NumberedCanvas):
    """第 N 页 共 M 页 and this document's footer and running header."""

    def furniture(self, total: int) -> None:
        width, height = self._pagesize
        self.saveState()
        self.setFont(FONT, 8)
        self.setFillColor(GREY)
        self.drawString(MARGIN, 5.5 * mm, self.footer_left)
        self.drawRightString(width - MARGIN, 5.5 * mm, self.page_label(total))
        self.setFillColor(INK)
        self.setFont(FONT, 9.5)
        self.drawCentredString(
            width / 2, 5.5 * mm, "网格员签字：________________　　交回日期：______月______日"
        )
        if self._pageNumber > 1:
            self.setFont(FONT, 8)
            self.setFillColor(GREY)
            self.drawString(MARGIN, height - 6.5 * mm, self.header_text)
        self.restoreState()


def _person(row: RosterRow, s: Any) -> list[Any]:
    parts = [CjkParagraph(f"<font size={s.base * 1.25}>{escape(row.name)}</font>", s.cell)]
    details = "　".join(x for x in (row.sex_age,) if x)
    if details:
        parts.append(CjkParagraph(escape(details), s.cell))
    if row.care_tags:
        parts.append(CjkParagraph(escape(row.care_tags), s.small))
    if row.status_note:
        parts.append(CjkParagraph(escape(row.status_note), s.small))
    return parts


def _contact(row: RosterRow, s: Any) -> list[Any]:
    parts = [CjkParagraph(escape(row.address or "（未登记住址）"), s.cell)]
    parts.append(CjkParagraph(f"电话：{escape(row.phone or '未登记')}", s.cell))
    if row.emergency:
        parts.append(CjkParagraph(f"紧急联系人：{escape(row.emergency)}", s.cell))
    return parts


def _due(row: RosterRow, s: Any) -> list[Any]:
    parts = [CjkParagraph(f"{row.due:%m-%d}前", s.cell)]
    if row.overdue_days > 0:
        red = ALERT.hexval()[2:]
        parts.append(CjkParagraph(f"<font color='#{red}'>已超期{row.overdue_days}天</font>", s.cell))
    parts.append(CjkParagraph(f"上次：{row.last_visit:%m-%d}" if row.last_visit else "从未走访", s.small))
    parts.append(CjkParagraph(escape(row.interval), s.small))
    return parts


def _when(s: Any) -> list[Any]:
    return [
        CjkParagraph("____月____日", s.cell),
        Spacer(0, 1.5 * mm),
        TickBoxes(METHODS, "", s.base * 0.85),
    ]


def _checks(checks: tuple[str, ...], s: Any) -> Table:
    size = s.base * 0.8
    lines = [[CjkParagraph(escape(label), s.cell), TickBoxes(RESULTS, "", size)] for label in checks]
    table = Table(lines, colWidths=(15 * mm, (WIDTHS[5] - 17) * mm))
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _table(sheet: RosterSheet) -> Table:
    s = make_styles(8.5)
    head = [CjkParagraph(f"<b>{escape(h)}</b>", s.cell_center) for h in HEADERS]
    data: list[list[Any]] = [head]
    for row in sheet.rows:
        data.append(
            [
                CjkParagraph(str(row.number), s.cell_center),
                _person(row, s),
                _contact(row, s),
                _due(row, s),
                _when(s),
                _checks(sheet.checks, s),
                "",
                "",
            ]
        )
    table = Table(data, colWidths=[w * mm for w in WIDTHS], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("GRID", (0, 0), (-1, -1), 0.6, RULE),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
                ("VALIGN", (0, 1), (-1, -1), "TOP"),
                ("VALIGN", (0, 1), (0, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _story(sheet: RosterSheet) -> list[Any]:
    s = make_styles(9)
    overdue = sum(1 for r in sheet.rows if r.overdue_days > 0)
    never = sum(1 for r in sheet.rows if r.last_visit is None)
    counts = f"本周应走访 {len(sheet.rows)} 人"
    if overdue or never:
        counts += (
            "（其中"
            + "，".join(
                x
                for x in (f"已超期 {overdue} 人" if overdue else "", f"从未走访 {never} 人" if never else "")
                if x
            )
            + "）"
        )
    story: list[Any] = [
        CjkParagraph(escape(sheet.heading), s.title),
        CjkParagraph(escape(f"{sheet.week_text}　{sheet.responsible}　{counts}"), s.subtitle),
        Spacer(0, 1.5 * mm),
    ]
    # The instructions above the table: below it they would take a page of their own.
    notes = sheet.notes or (
        "填写说明：走访后写上日期，勾选走访方式和每项检查；「有问题」的请在右边写明情况和发现的需求，"
        "由服务对象（或家属）签字。本表交回后，由文员在「走访 → 录入走访表」中按本表顺序录入。",
    )
    for note in notes:
        story.append(CjkParagraph(escape(note), s.small))
    story.append(Spacer(0, 1.5 * mm))
    if sheet.rows:
        story.append(_table(sheet))
    else:
        story.append(CjkParagraph("本周没有需要走访的服务对象。", s.body))
    return story


def build_roster(sheet: RosterSheet, target: str | Path | IO[bytes]) -> int:
    """Write the roster to ``target`` (a path or a binary file) and return its page count."""
    register_fonts()
    out = str(target) if isinstance(target, Path) else target
    doc = BaseDocTemplate(
        out,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=10 * mm,
        bottomMargin=11 * mm,
        **doc_info(sheet.heading, author=sheet.printed_by),
        initialFontName=FONT,
        initialFontSize=9,
        lang="zh-CN",
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate("roster", frames=[frame])])
    footer = f"打印于 {sheet.printed_at:%Y-%m-%d %H:%M} · {sheet.printed_by}"
    doc.build(
        _story(sheet),
        canvasmaker=lambda *a, **k: _NumberedCanvas(
            *a,
            footer_left=footer,
            header_text=f"{sheet.heading}（{sheet.week_start:%m-%d}至{sheet.week_end:%m-%d}）",
            **k,
        ),
    )
    return int(doc.page)
