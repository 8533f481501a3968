"""服务工单: the paper a grid member carries to the resident, one A4 (or A5) page per request.

The page holds everything needed to do the job without the desk: who asked for what and when,
the due time (紧急 in red), the resident and how to reach them or their emergency contact, the
handler, lines to write on, the handling methods to tick, signatures, and the follow-up (回访).
A very long request text, or 办理结果, continues on a second page (marked 续页) instead of
being cut; the words the resident said at the follow-up fill the 群众意见 box.

The number is printed as text and as a QR code: scanning it into the desk's search box opens the
request, so paper that comes back is closed quickly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from xianghe_desk.pdf.flowables import QrCode, TickBoxes
from xianghe_desk.pdf.fonts import FONT
from xianghe_desk.pdf.linebreak import CjkParagraph
from xianghe_desk.pdf.metadata import doc_info
from xianghe_desk.pdf.styles import ALERT, GREY, INK, LIGHT, RULE, escape, make_styles, multiline

DATE_BLANK = "______年____月____日"
_OPINION_LINES = 8  # 群众意见 longer than this leaves the table's box and follows it in full

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class PersonBlock:
    """The resident (服务对象) as printed: the ID number arrives already masked."""

    name: str = ""
    id_number_masked: str = ""
    phone: str = ""
    address: str = ""
    care_tags: str = ""
    living: str = ""
    emergency: str = ""  # 「李四 13912345678」
    linked_member: str = ""


@dataclass(frozen=True)
class WorkOrderSheet:
    """Everything one work order prints, gathered by services.printing (no database here)."""

    number: str
    county: str
    town: str
    village: str
    grid: str
    received_at: datetime
    due_at: datetime
    urgent: bool
    due_rule: str  # 「紧急：2小时内办结」
    channel: str
    category: str
    category_group: str
    content: str
    status: str
    dispatched_at: datetime | None = None
    external_number: str = ""
    person: PersonBlock = field(default_factory=PersonBlock)
    handler_name: str = ""
    handler_phone: str = ""
    received_by: str = ""
    methods: tuple[str, ...] = ()  # 办理方式 tick boxes, in the settings' order
    chosen_method: str = ""
    result: str = ""
    completed_at: datetime | None = None
    feedback_routes: tuple[str, ...] = ("电话回访", "上门回访")
    feedback_route: str = ""
    ratings: tuple[str, ...] = ("满意", "基本满意", "不满意")
    satisfaction: str = ""
    feedback_by: str = ""
    feedback_at: datetime | None = None
    feedback_note: str = ""  # 群众意见: the resident's words recorded at the follow-up


@dataclass(frozen=True)
class PageSetup:
    """A4 (default) or A5: paper, margins and the text size that fits them."""

    name: str
    size: tuple[float, float]
    margin: float
    base: float
    qr: float
    min_lines: int
    line_gap: float


PAGE_SETUPS = {
    "A4": PageSetup("A4", A4, 15 * mm, 10.5, 26 * mm, 4, 8 * mm),
    "A5": PageSetup("A5", A5, 8 * mm, 8.0, 18 * mm, 2, 6 * mm),
}


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else ""


class _BatchState:
    """Which order the page belongs to and its page number within that order (for footers)."""

    def __init__(self, total: int, progress: ProgressCallback | None) -> None:
        self.total = total
        self.progress = progress
        self.number = ""
        self.page_in_order = 0
        self.started = 0


class _OrderStart(Flowable):
    """Zero-size marker at the top of each order: footers and progress/cancel hook onto it."""

    def __init__(self, state: _BatchState, number: str) -> None:
        super().__init__()
        self.state = state
        self.number = number
        self.width = self.height = 0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        state = self.state
        state.number = self.number
        state.page_in_order = 1
        state.started += 1
        if state.progress is not None:
            # May raise to cancel: the caller's callback checks the user's 「取消」.
            state.progress(state.started, state.total)


class _WritingLines(Flowable):
    """Ruled lines to write on under 「办理情况」, stretched to use the page's remaining height.

    The flowables that must follow on the same page (``tail``) are measured first, so the lines
    take what is left (at least ``min_lines``) and the signatures never get pushed off the page.
    The heading and a recorded result are paragraphs of their own above the lines: drawn here on
    one baseline they were cut to one line with 「…」 and overlapped the heading (issue #8).
    """

    def __init__(self, setup: PageSetup, tail: list[Flowable], min_lines: int) -> None:
        super().__init__()
        self.setup = setup
        self.tail = tail
        self.min_lines = min_lines
        self.lines = min_lines

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        gap = self.setup.line_gap
        tail_h = 0.0
        for flowable in self.tail:
            _w, h = flowable.wrap(avail_width, avail_height)
            tail_h += h + flowable.getSpaceBefore() + flowable.getSpaceAfter()
        room = avail_height - tail_h - gap * 0.5 - 2
        fits = int(room // gap) if room > 0 and avail_height < self.setup.size[1] else 0
        # Fewer lines than usual rather than a page holding only the signatures: after a long
        # request text the back of the sheet is there to write on.
        self.lines = min(fits, 16) if fits >= 2 else max(self.min_lines, fits)
        self.height = self.lines * gap + gap * 0.5  # a little air above the next table
        return avail_width, self.height

    def draw(self) -> None:
        canvas = self.canv
        gap = self.setup.line_gap
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        canvas.setDash(1, 2)
        y = self.height
        for _ in range(self.lines):
            y -= gap
            canvas.line(0, y + 2, self.width, y + 2)
        canvas.setDash()


class WorkOrderRenderer:
    """Builds the flowables of work orders; one renderer serves a whole batch."""

    def __init__(self, page: str = "A4") -> None:
        if page not in PAGE_SETUPS:
            raise ValueError(page)
        self.setup = PAGE_SETUPS[page]
        self.styles = make_styles(self.setup.base)
        self.frame_width = self.setup.size[0] - 2 * self.setup.margin
        base = self.setup.base
        self._long_content = ParagraphStyle(
            "long_content", self.styles.content, fontSize=base * 0.95, leading=base * 0.95 * 1.45
        )
        self._very_long = ParagraphStyle(
            "very_long", self.styles.content, fontSize=base * 0.88, leading=base * 0.88 * 1.4
        )
        self._heading_free = ParagraphStyle("heading_free", self.styles.heading, keepWithNext=0)
        self._result = ParagraphStyle(
            "result", self.styles.body, leading=base * 1.6, spaceBefore=base * 0.1, spaceAfter=base * 0.2
        )
        self._cell_size = self.styles.cell.fontSize
        self._field_style = TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), self._cell_size),
                ("LEADING", (0, 0), (-1, -1), self.styles.cell.leading),
                ("TEXTCOLOR", (0, 0), (0, -1), GREY),
                ("GRID", (0, 0), (-1, -1), 0.5, RULE),
                ("BACKGROUND", (0, 0), (0, -1), LIGHT),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), base * 0.28),
                ("BOTTOMPADDING", (0, 0), (-1, -1), base * 0.28),
                ("LEFTPADDING", (0, 0), (-1, -1), base * 0.4),
                ("RIGHTPADDING", (0, 0), (-1, -1), base * 0.4),
            ]
        )

    # ---- pieces
    def _fields(self, rows: list[list[Any]]) -> Table:
        """A four-column table of label/value pairs; a two-item row spans its value across.

        Values are plain text (a Paragraph only when they need wrapping: plain cells are several
        times cheaper, which is what lets 1,000 orders print in seconds) or ready flowables.
        """
        width = self.frame_width
        label_w = self.setup.base * 5.6
        value_w = (width - 2 * label_w) / 2
        wide_w = width - label_w
        pad = self.setup.base * 0.8
        data = []
        style = TableStyle(self._field_style.getCommands())
        for index, row in enumerate(rows):
            if len(row) == 2:
                data.append([row[0], self._value(row[1], wide_w - pad), "", ""])
                style.add("SPAN", (1, index), (3, index))
            else:
                data.append(
                    [row[0], self._value(row[1], value_w - pad), row[2], self._value(row[3], value_w - pad)]
                )
                style.add("BACKGROUND", (2, index), (2, index), LIGHT)
                style.add("TEXTCOLOR", (2, index), (2, index), GREY)
        table = Table(data, colWidths=[label_w, value_w, label_w, value_w])
        table.setStyle(style)
        return table

    def _value(self, value: Any, width: float) -> Any:
        if not isinstance(value, str):
            return value
        text = value or "—"
        if "\n" not in text and stringWidth(text, FONT, self._cell_size) <= width:
            return text
        return CjkParagraph(multiline(text), self.styles.cell)

    def _heading(self, text: str) -> CjkParagraph:
        return CjkParagraph(f"■&nbsp;{escape(text)}", self.styles.heading)

    def _header(self, sheet: WorkOrderSheet) -> Table:
        s, setup = self.styles, self.setup
        qr_size = setup.qr
        place = escape(f"{sheet.county}{sheet.town}")
        title_block = [
            CjkParagraph(place, s.subtitle),
            CjkParagraph("「这就办」服务工单", s.title),
            CjkParagraph(
                f"工单编号：<font size={s.base * 1.3:.1f}>{escape(sheet.number)}</font>", s.subtitle
            ),
        ]
        qr_block = [QrCode(sheet.number, qr_size), CjkParagraph(escape(sheet.number), s.small)]
        if sheet.urgent:
            stamp: Any = CjkParagraph(
                f'<font color="{ALERT.hexval()}" size={s.base * 2.1:.1f}>紧急</font>', s.cell_center
            )
        else:
            stamp = CjkParagraph(
                f'<font color="{GREY.hexval()}">{escape(sheet.status)}</font>', s.cell_center
            )
        side = max(qr_size + 8, stringWidth(sheet.number, FONT, s.small.fontSize) + 6)
        table = Table(
            [[stamp, title_block, qr_block]],
            colWidths=[side, self.frame_width - 2 * side, side],
        )
        commands: list[tuple[Any, ...]] = [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (2, 0), (2, 0), "CENTER"),
            ("LINEBELOW", (0, 0), (-1, 0), 1.4, INK),
            ("BOTTOMPADDING", (0, 0), (-1, -1), s.base * 0.3),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ]
        if sheet.urgent:
            # A stamp-like red frame around 紧急 that survives black-and-white printing.
            commands.append(("BOX", (0, 0), (0, 0), 2, ALERT))
        table.setStyle(TableStyle(commands))
        return table

    def _due(self, sheet: WorkOrderSheet) -> CjkParagraph:
        text = f"{_when(sheet.due_at)}（{escape(sheet.due_rule)}）"
        if sheet.urgent:
            text = f'<font color="{ALERT.hexval()}">【紧急】{text}</font>'
        return CjkParagraph(text, self.styles.cell)

    def _request_part(self, sheet: WorkOrderSheet) -> list[Flowable]:
        category = sheet.category + (f"（{sheet.category_group}）" if sheet.category_group else "")
        rows: list[list[Any]] = [
            ["受理时间", _when(sheet.received_at), "来源渠道", sheet.channel],
            ["派单时间", _when(sheet.dispatched_at) or "（未派单）", "问题类别", category],
            ["办结时限", self._due(sheet)],
            ["所属村街", f"{sheet.town} {sheet.village}", "所属网格", sheet.grid],
        ]
        if sheet.external_number or sheet.received_by:
            rows.append(["受理人", sheet.received_by, "外部编号", sheet.external_number])
        return [Spacer(0, self.setup.base * 0.5), self._fields(rows)]

    def _content_part(self, sheet: WorkOrderSheet) -> list[Flowable]:
        # A long text is set a little smaller so that 3,000 characters still fit on two pages.
        length = len(sheet.content)
        style = (
            self.styles.content
            if length <= 600
            else self._long_content
            if length <= 1500
            else self._very_long
        )
        # No keep-with-next here: it would move a long text whole to the next page. A page break
        # happens only when not even a few lines fit under the heading.
        heading = CjkParagraph("■&nbsp;诉求内容", self._heading_free)
        return [CondPageBreak(self.setup.base * 7), heading, CjkParagraph(multiline(sheet.content), style)]

    def _person_part(self, sheet: WorkOrderSheet) -> list[Flowable]:
        person = sheet.person
        if not (person.name or person.phone):
            rows: list[list[Any]] = [["服务对象", "（本工单未登记服务对象）"]]
        else:
            rows = [
                ["姓名", person.name, "身份证号", person.id_number_masked],
                ["联系电话", person.phone, "服务类别", person.care_tags],
                ["居住地址", person.address],
                ["紧急联系人", person.emergency, "联系党员", person.linked_member],
            ]
        handler = f"{sheet.handler_name}　{sheet.handler_phone}".strip() or "（未派单）"
        rows.append(["承办人", handler])
        return [self._heading("服务对象与承办人"), self._fields(rows)]

    def _tail(self, sheet: WorkOrderSheet) -> list[Flowable]:
        """办理方式, signatures and 回访: kept together at the foot of the order."""
        s = self.styles
        completed = _when(sheet.completed_at) or "______年____月____日____时____分"
        methods = self._fields(
            [
                ["办理方式", TickBoxes(sheet.methods, sheet.chosen_method, self._cell_size)],
                ["办结时间", completed],
            ]
        )
        half = self.frame_width / 2
        signatures = Table(
            [
                ["承办人签字：____________________", f"日期：{DATE_BLANK}"],
                ["群众签字：______________________", f"日期：{DATE_BLANK}"],
            ],
            colWidths=[half, half],
        )
        signatures.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), FONT),
                    ("FONTSIZE", (0, 0), (-1, -1), self._cell_size),
                    ("LEADING", (0, 0), (-1, -1), self.styles.cell.leading),
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                    ("TOPPADDING", (0, 0), (-1, -1), s.base * 1.1),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        opinion, overflow = self._opinion(sheet.feedback_note)
        feedback = self._fields(
            [
                [
                    "回访方式",
                    TickBoxes(sheet.feedback_routes, sheet.feedback_route, self._cell_size),
                    "满意度",
                    TickBoxes(sheet.ratings, sheet.satisfaction, self._cell_size),
                ],
                ["回访人", sheet.feedback_by or " ", "回访时间", _when(sheet.feedback_at) or DATE_BLANK],
                ["群众意见", opinion],
            ]
        )
        return [methods, signatures, self._heading("回访"), feedback, *overflow]

    def _opinion(self, note: str) -> tuple[Flowable, list[Flowable]]:
        """群众意见: the words recorded at the follow-up (or room to write them by hand), and
        what follows the table when they are too long for its box.

        A table row cannot continue on the next page (reportlab's splitInRow garbles spanned
        cells), so words longer than a few lines are printed in full under the table.
        """
        note = note.strip()
        if not note:
            return Spacer(0, self.styles.base * 2.6), []
        text = CjkParagraph(multiline(note), self.styles.cell)
        width = self.frame_width - self.setup.base * (5.6 + 0.8)
        _w, height = text.wrap(width, self.setup.size[1])
        if height <= self.styles.cell.leading * _OPINION_LINES + 1:
            return text, []
        below = ParagraphStyle("opinion", self.styles.cell, spaceBefore=self.setup.base * 0.4)
        return CjkParagraph("（群众意见较长，全文见下）", self.styles.label), [
            CjkParagraph(multiline(note), below)
        ]

    def _handling_part(self, sheet: WorkOrderSheet, tail: list[Flowable]) -> list[Flowable]:
        """「办理情况」: the heading, the recorded result in full, and lines to write on.

        The result wraps like the request text and, when long, continues on the next page (the
        page template marks it 续页). Under a printed result the lines may shrink to none.
        """
        parts: list[Flowable] = [
            CondPageBreak(self.setup.base * 7),
            CjkParagraph("■&nbsp;办理情况", self._heading_free),
        ]
        if sheet.result:
            label = f'<font color="{GREY.hexval()}">已办结：</font>'
            parts.append(CjkParagraph(label + multiline(sheet.result), self._result))
        parts.append(_WritingLines(self.setup, tail, 0 if sheet.result else self.setup.min_lines))
        return parts

    def story(self, sheet: WorkOrderSheet, state: _BatchState) -> list[Flowable]:
        """The flowables of one work order (its first flowable marks the order's start)."""
        tail = self._tail(sheet)
        return [
            _OrderStart(state, sheet.number),
            self._header(sheet),
            *self._request_part(sheet),
            *self._person_part(sheet),
            *self._content_part(sheet),
            *self._handling_part(sheet, tail),
            KeepTogether(tail),
        ]


class _WorkOrderDoc(BaseDocTemplate):
    def __init__(self, target: str | IO[bytes], setup: PageSetup, state: _BatchState, footer: str) -> None:
        super().__init__(
            target,
            pagesize=setup.size,
            leftMargin=setup.margin,
            rightMargin=setup.margin,
            topMargin=setup.margin,
            bottomMargin=setup.margin + setup.base * 1.6,
            **doc_info("服务工单"),
            # Without this every page names Helvetica (not embedded) as its starting font.
            initialFontName=FONT,
            initialFontSize=10,
            lang="zh-CN",
            invariant=True,
        )
        self.setup = setup
        self.state = state
        self.footer = footer
        frame = Frame(
            self.leftMargin,
            self.bottomMargin,
            self.width,
            self.height,
            id="body",
            leftPadding=0,
            rightPadding=0,
        )
        self.addPageTemplates(
            [PageTemplate("order", [frame], onPage=self._on_page, onPageEnd=self._on_page_end)]
        )

    def _on_page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        # A page that starts without a new order continues the previous one.
        self.state.page_in_order += 1

    def _on_page_end(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        setup, state = self.setup, self.state
        width, _height = setup.size
        size = setup.base * 0.8
        canvas.saveState()
        canvas.setFont(FONT, size)
        canvas.setFillColor(GREY)
        y = setup.margin
        canvas.drawString(setup.margin, y, self.footer)
        page_text = f"工单 {state.number}　第 {state.page_in_order} 页"
        canvas.drawRightString(width - setup.margin, y, page_text)
        if state.page_in_order > 1:
            canvas.setFont(FONT, setup.base)
            canvas.setFillColor(INK)
            canvas.drawRightString(
                width - setup.margin,
                setup.size[1] - setup.margin + setup.base * 0.4,
                f"工单 {state.number}（续页）",
            )
        canvas.restoreState()


def build_work_orders(
    sheets: Iterable[WorkOrderSheet],
    target: str | Path | IO[bytes],
    total: int,
    page: str = "A4",
    footer: str = "",
    progress: ProgressCallback | None = None,
) -> int:
    """Write the work orders to ``target`` (a path or a binary file) and return the page count.

    Args:
        total: how many sheets ``sheets`` yields (for progress).
        progress: called with (done, total) as each order is laid out (and with done 0 while a
            long batch is prepared); it may raise to cancel.
    """
    renderer = WorkOrderRenderer(page)
    state = _BatchState(total, progress)
    story: list[Flowable] = []
    for index, sheet in enumerate(sheets):
        if index:
            story.append(PageBreak())
            if progress is not None and index % 50 == 0:
                progress(0, total)  # still preparing; lets a long batch be cancelled early
        story.extend(renderer.story(sheet, state))
    if not story:
        raise ValueError("no work orders")
    doc = _WorkOrderDoc(str(target) if isinstance(target, Path) else target, renderer.setup, state, footer)
    doc.build(story)
    return int(doc.page)
