"""帮办公示: the poster each village puts up — who its grid members are and how to reach them.

One page per village, A4 or A3, in type large enough to read from a step away. Phone numbers
are printed in full: they are public by design, so residents can call their grid member.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A3, A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from xianghe_desk.pdf.fonts import FONT, register_fonts
from xianghe_desk.pdf.linebreak import CjkParagraph
from xianghe_desk.pdf.metadata import doc_info
from xianghe_desk.pdf.styles import ALERT, GREY, HEADER_FILL, INK, RULE, escape


@dataclass(frozen=True)
class NoticeMember:
    name: str
    role: str  # 网格长 / 网格员 / 村干部 / 党员帮办员 …
    phone: str
    grids: str = ""  # 「第一网格、第二网格」
    party: bool = False


@dataclass(frozen=True)
class NoticeSheet:
    county: str
    town: str
    village: str
    members: tuple[NoticeMember, ...]
    services: dict[str, tuple[str, ...]] = field(default_factory=dict)  # group label → services
    hotlines: tuple[str, ...] = ()
    issued: date | None = None


PAPER = {"A4": A4, "A3": A3}
# Type sizes are given for A4 and scaled by the paper: A3 is √2 larger in each direction.
_SCALE = {"A4": 1.0, "A3": 2**0.5}


def _styles(size: float) -> dict[str, ParagraphStyle]:
    def style(name: str, factor: float, **extra: Any) -> ParagraphStyle:
        return ParagraphStyle(
            name,
            fontName=FONT,
            fontSize=size * factor,
            leading=size * factor * 1.35,
            wordWrap="CJK",
            **{"textColor": INK, **extra},
        )

    return {
        "title": style("title", 2.3, alignment=TA_CENTER, textColor=ALERT, spaceAfter=size * 0.3),
        "subtitle": style("subtitle", 1.05, alignment=TA_CENTER, textColor=GREY),
        "heading": style("heading", 1.3, spaceBefore=size * 0.9, spaceAfter=size * 0.4),
        "body": style("body", 1.0),
        "cell": style("cell", 1.0),
        "phone": style("phone", 1.2),
        "hotline": style("hotline", 1.6, alignment=TA_CENTER, textColor=ALERT),
        "small": style("small", 0.75, textColor=GREY, alignment=TA_CENTER),
    }


def _member_table(members: Sequence[NoticeMember], size: float, width: float, compact: bool) -> Table:
    """The members' table; ``compact`` (two side by side) folds the role into the name column."""
    s = _styles(size)
    if compact:
        rows: list[list[Any]] = [["网格", "姓名", "联系电话"]]
        widths = [width * 0.27, width * 0.35, width * 0.38]
    else:
        rows = [["网格", "姓名", "身份", "联系电话"]]
        widths = [width * 0.27, width * 0.18, width * 0.25, width * 0.30]
    for m in members:
        role = m.role + ("（党员）" if m.party and "党员" not in m.role else "")
        name = f"{m.name}（{m.role}）" if compact and m.role != "网格员" else m.name
        cells = [CjkParagraph(escape(m.grids or "全村"), s["cell"]), CjkParagraph(escape(name), s["cell"])]
        if not compact:
            # 「（党员）」 goes on its own line: CJK wrapping will not break before a bracket, and
            # 网格员（党员） is a little wider than the column on A4.
            cells.append(CjkParagraph(escape(role).replace("（", "<br/>（", 1), s["cell"]))
        cells.append(CjkParagraph(escape(m.phone), s["phone"]))
        rows.append(cells)
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, 0), size * 1.05),
                ("LEADING", (0, 0), (-1, 0), size * 1.05 * 1.3),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("GRID", (0, 0), (-1, -1), 0.8, RULE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), size * 0.3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), size * 0.3),
            ]
        )
    )
    return table


def _story(sheet: NoticeSheet, size: float, width: float, columns: int = 1) -> list[Flowable]:
    s = _styles(size)
    title = f"{sheet.village}网格员帮办服务公示"
    # The headline stays on one line: long village names get a smaller size, not a lone 「示」.
    title_style = s["title"]
    fits = width * 0.97 / max(stringWidth(title, FONT, title_style.fontSize), 1)
    if fits < 1:
        smaller = title_style.fontSize * fits
        title_style = ParagraphStyle(
            "title_fit", parent=title_style, fontSize=smaller, leading=smaller * 1.35
        )
    story: list[Flowable] = [
        CjkParagraph(escape(title), title_style),
        CjkParagraph(escape(f"{sheet.county}{sheet.town} · 有事找网格员，「这就办」"), s["subtitle"]),
        Spacer(0, size * 0.8),
    ]
    if sheet.members and columns == 1:
        story.append(_member_table(sheet.members, size, width, compact=False))
    elif sheet.members:
        # A large village: two tables side by side, so the poster still fits one sheet.
        half = (len(sheet.members) + 1) // 2
        gap = size
        inner = (width - gap) / 2
        pair = Table(
            [[
                _member_table(sheet.members[:half], size, inner, compact=True),
                _member_table(sheet.members[half:], size, inner, compact=True),
            ]],
            colWidths=[inner + gap / 2, inner + gap / 2],
        )  # fmt: skip
        pair.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        story.append(pair)
    else:
        story.append(CjkParagraph("本村街的网格员正在落实中，有事请拨打下方服务热线。", s["body"]))
    for group, names in sheet.services.items():
        if names:
            story.append(CjkParagraph(escape(f"{group}项目"), s["heading"]))
            story.append(CjkParagraph(escape("、".join(names)), s["body"]))
    story.append(Spacer(0, size * 0.6))
    story.append(
        CjkParagraph(
            "独居老人、重病患者、行动不便的群众，可以直接打电话给网格员，由网格员代办、上门服务，不收取任何费用。",
            s["body"],
        )
    )
    if sheet.hotlines:
        story.append(CjkParagraph("服务热线", s["heading"]))
        story.append(CjkParagraph(escape("　　".join(sheet.hotlines)), s["hotline"]))
    issued = f"{sheet.issued.year}年{sheet.issued.month}月{sheet.issued.day}日" if sheet.issued else ""
    story.append(Spacer(0, size))
    story.append(CjkParagraph(escape(f"{sheet.county}{sheet.town}{sheet.village}　{issued}公示"), s["small"]))
    return story


def _height(story: list[Flowable], width: float, height: float) -> float:
    total = 0.0
    for flowable in story:
        _w, h = flowable.wrap(width, height)
        total += h + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


def fit_story(sheet: NoticeSheet, width: float, height: float, scale: float) -> list[Flowable]:
    """The largest type at which the poster fits one page: 18 pt on A4 down to 11 pt in one table,
    then two tables side by side down to 7 pt (60-odd members)."""
    for columns, largest, smallest in ((1, 18.0, 11.0), (2, 13.0, 7.0)):
        size = largest
        while size >= smallest:
            story = _story(sheet, size * scale, width, columns)
            if _height(story, width, height) <= height:
                return story
            size -= 0.5
    return _story(sheet, 7.0 * scale, width, 2)


class _NoticeDoc(BaseDocTemplate):
    def __init__(self, target: str | IO[bytes], paper: str) -> None:
        margin = 18 * mm * _SCALE[paper]
        super().__init__(
            target,
            pagesize=PAPER[paper],
            leftMargin=margin,
            rightMargin=margin,
            topMargin=margin,
            bottomMargin=margin,
            **doc_info("帮办公示"),
            # Without this every page names Helvetica (not embedded) as its starting font.
            initialFontName=FONT,
            initialFontSize=10,
            lang="zh-CN",
            invariant=True,
        )
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate("notice", [frame], onPage=self._border)])

    def _border(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        # A double red frame, as the county's printed notices have.
        width, height = self.pagesize
        inset = self.leftMargin * 0.45
        canvas.saveState()
        canvas.setStrokeColor(ALERT)
        canvas.setLineWidth(2.5)
        canvas.rect(inset, inset, width - 2 * inset, height - 2 * inset)
        canvas.setLineWidth(0.8)
        canvas.rect(inset + 4, inset + 4, width - 2 * inset - 8, height - 2 * inset - 8)
        canvas.restoreState()


def build_notices(sheets: Sequence[NoticeSheet], target: str | Path | IO[bytes], paper: str = "A4") -> int:
    """Write one poster page per village to ``target`` and return the page count."""
    if paper not in PAPER:
        raise ValueError(paper)
    register_fonts()
    doc = _NoticeDoc(str(target) if isinstance(target, Path) else target, paper)
    # The frame's own padding (6 pt each side) is not available to the story.
    width, height = doc.width - 12, doc.height - 12
    story: list[Flowable] = []
    for index, sheet in enumerate(sheets):
        if index:
            story.append(PageBreak())
        story.extend(fit_story(sheet, width, height, _SCALE[paper]))
    doc.build(story)
    return int(doc.page)
