"""Paragraph styles and colours shared by the printouts; every style wraps Chinese (wordWrap="CJK").

The paragraphs themselves are pdf.linebreak.CjkParagraph, which breaks lines by the Chinese
rules (no line starts with 「，」 or ends with 「（」); reportlab's CJK wrapping alone does not.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import TableStyle

from xianghe_desk.pdf.fonts import FONT, register_fonts

# Official documents print black on white; one dark red marks what must not be missed (紧急, 超期).
INK = colors.black
GREY = colors.HexColor("#555555")
LIGHT = colors.HexColor("#e8e8e8")
HEADER_FILL = colors.HexColor("#d9e2ef")
RULE = colors.HexColor("#333333")
ALERT = colors.HexColor("#b00000")
CHART_COLOURS = [
    colors.HexColor(c)
    for c in ("#2f5d8a", "#c0504d", "#9bbb59", "#8064a2", "#4bacc6", "#f79646", "#7f7f7f", "#d4a017")
]


def escape(text: object) -> str:
    """Text for a Paragraph: reportlab reads ``<``, ``>`` and ``&`` as markup."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def multiline(text: object) -> str:
    """Escaped text whose line breaks survive in a Paragraph."""
    return "<br/>".join(escape(line) for line in str(text).splitlines()) or "&nbsp;"


@dataclass(frozen=True)
class Styles:
    """A set of styles scaled from a base size (A4 work orders 10.5 pt, A5 8.5 pt …)."""

    base: float
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    cell: ParagraphStyle
    cell_center: ParagraphStyle
    cell_right: ParagraphStyle
    label: ParagraphStyle
    small: ParagraphStyle
    big: ParagraphStyle
    content: ParagraphStyle


def make_styles(base: float = 10.5) -> Styles:
    """Styles for body text of ``base`` points."""
    register_fonts()

    def style(name: str, size: float, leading: float = 1.45, **extra: object) -> ParagraphStyle:
        return ParagraphStyle(
            name,
            fontName=FONT,
            fontSize=size,
            leading=round(size * leading, 2),
            wordWrap="CJK",
            **{"textColor": INK, **extra},  # type: ignore[arg-type]
        )

    return Styles(
        base=base,
        title=style("title", base * 1.9, 1.3, alignment=TA_CENTER, spaceAfter=base * 0.3),
        subtitle=style("subtitle", base * 1.05, alignment=TA_CENTER, textColor=GREY),
        heading=style(
            "heading", base * 1.25, 1.35, spaceBefore=base * 0.6, spaceAfter=base * 0.3, keepWithNext=1
        ),
        body=style("body", base),
        cell=style("cell", base * 0.95, 1.35),
        cell_center=style("cell_center", base * 0.95, 1.35, alignment=TA_CENTER),
        cell_right=style("cell_right", base * 0.95, 1.35, alignment=TA_RIGHT),
        label=style("label", base * 0.95, 1.35, textColor=GREY),
        small=style("small", base * 0.8, 1.35, textColor=GREY, alignment=TA_LEFT),
        big=style("big", base * 1.6, 1.35),
        # The request text: a framed block that may continue on the next page.
        content=style(
            "content",
            base * 1.05,
            1.6,
            borderWidth=0.6,
            borderColor=RULE,
            borderPadding=(base * 0.5, base * 0.6, base * 0.6, base * 0.6),
            spaceBefore=base * 0.7,
            spaceAfter=base * 0.9,
            leftIndent=base * 0.6,
            rightIndent=base * 0.6,
        ),
    )


def grid_table_style(header_rows: int = 1, font_size: float = 9.5) -> TableStyle:
    """A ruled data table with a tinted header row (repeated on each page by the Table)."""
    commands: list[tuple[object, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), font_size),
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_FILL))
    return TableStyle(commands)
