"""月度汇总: the monthly summary the county reads, for the county, a town or a village.

The cover block shows the headline figures of contract §3 with the change from the previous
month; then come the tables (by town and village, category, channel, handling method), the
ranking (擂台比武), the grid members with the most completed requests, and the lists of overdue
and unsatisfied requests, with bar and pie charts where a reader would rather look than read.
Every page carries 第 N 页 共 M 页, the as-of moment and who produced the summary; long tables
repeat their header on the next page.

This module only lays out what services.reports gathered; it computes no figure itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from xianghe_desk.domain.figures import NO_FIGURE, TableValue
from xianghe_desk.pdf.fonts import FONT, register_fonts
from xianghe_desk.pdf.linebreak import CjkParagraph
from xianghe_desk.pdf.metadata import doc_info
from xianghe_desk.pdf.numbered_canvas import NumberedCanvas
from xianghe_desk.pdf.styles import (
    CHART_COLOURS,
    GREY,
    HEADER_FILL,
    INK,
    LIGHT,
    RULE,
    escape,
    make_styles,
)

CHINESE_ORDINALS = "一二三四五六七八九十"
ZEBRA = colors.HexColor("#f4f6f9")
HIGHLIGHT = colors.HexColor("#fff2b3")


@dataclass(frozen=True)
class ReportTable:
    """A titled table: the same rows go to the PDF and to the .xlsx export.

    A cell is text, an int, or a domain.figures.TableValue (printed as its text, exported as
    its number). The export may differ where a sheet serves better than paper: ``export_rows``
    (the whole ranking; the villages without their towns' rows) with ``export_note``, and
    ``export_headers`` (a column whose unit the printed cells carry in their text).
    """

    key: str
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    widths: tuple[float, ...] = ()  # relative column widths
    note: str = ""
    total_row: bool = False  # the last row is a total
    highlight: int | None = None  # a row to mark (the village whose summary this is)
    subtotal_prefix: str = ""  # rows whose first cell starts with this are subtotals
    small: bool = False  # long lists: smaller type
    export_rows: list[tuple[Any, ...]] | None = None  # the .xlsx gets these when the PDF shows a part
    export_headers: tuple[str, ...] | None = None
    export_note: str = ""  # the note that goes with export_rows

    def exported(self) -> ReportTable:
        """The table as the .xlsx export gets it."""
        if self.export_rows is None and self.export_headers is None:
            return self
        return replace(
            self,
            headers=self.export_headers or self.headers,
            rows=self.rows if self.export_rows is None else self.export_rows,
            note=self.note if self.export_rows is None else self.export_note,
            export_rows=None,
            export_headers=None,
        )


@dataclass(frozen=True)
class ChartData:
    kind: str  # "bar" or "pie"
    title: str
    labels: list[str]
    series: list[tuple[str, list[float]]]


@dataclass(frozen=True)
class ReportSection:
    title: str
    blocks: list[ReportTable | ChartData | str]


@dataclass
class MonthlyReport:
    """What services.reports gathered for one scope and month."""

    title: str  # 香河县 / 香河县淑阳镇 / 香河县淑阳镇王刘圈村
    scope_level: str
    scope_name: str
    month: str
    month_label: str  # 2026年11月
    as_of: datetime
    produced_at: datetime
    produced_by: str
    figures: dict[str, Any]  # contract §3 (StatsService.figures)
    previous: dict[str, Any]  # last month's, without the by_* breakdowns (StatsService.headline)
    summary: str
    headline: ReportTable
    sections: list[ReportSection] = field(default_factory=list)
    pages: int = 0

    @property
    def heading(self) -> str:
        return f"{self.title}「这就办」服务工作月度汇总"

    def all_tables(self, for_export: bool = True) -> list[ReportTable]:
        """The headline table and every section's tables, in print order.

        For the export, a table the PDF shows only in part (the county's village ranking) comes
        whole (:meth:`ReportTable.exported`).
        """
        tables = [self.headline]
        for section in self.sections:
            tables.extend(b for b in section.blocks if isinstance(b, ReportTable))
        if for_export:
            tables = [t.exported() for t in tables]
        return tables


# ---------------------------------------------------------------- page furniture
class _NumberedCanvas(NumberedCanvas):
    """第 N 页 共 M 页 and this document's footer and running header."""

    def furniture(self, total: int) -> None:
        width, height = self._pagesize
        margin = 18 * mm
        self.saveState()
        self.setFont(FONT, 8)
        self.setFillColor(GREY)
        self.drawString(margin, 10 * mm, self.footer_left)
        self.drawRightString(width - margin, 10 * mm, self.page_label(total))
        if self._pageNumber > 1:
            self.drawString(margin, height - 11 * mm, self.header_text)
            self.setStrokeColor(LIGHT)
            self.line(margin, height - 12.5 * mm, width - margin, height - 12.5 * mm)
        self.restoreState()


class _ReportDoc(BaseDocTemplate):
    def __init__(self, target: str | IO[bytes], report: MonthlyReport) -> None:
        super().__init__(
            target,
            pagesize=A4,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=16 * mm,
            bottomMargin=16 * mm,
            **doc_info(report.heading + " " + report.month_label, author=report.produced_by),
            # Without this every page names Helvetica (not embedded) as its starting font.
            initialFontName=FONT,
            initialFontSize=10,
            lang="zh-CN",
            invariant=True,
        )
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate("report", [frame])])


# ---------------------------------------------------------------- tables
class _Renderer:
    def __init__(self, width: float) -> None:
        self.width = width - 12  # the frame's own padding
        self.styles = make_styles(10)
        self.chart_index = 0

    def table(self, spec: ReportTable) -> list[Flowable]:
        size = 8 if spec.small else 9
        style = make_styles(size / 0.95).cell
        widths = spec.widths or tuple(1.0 for _ in spec.headers)
        scale = self.width / sum(widths)
        col_widths = [w * scale for w in widths]
        header = [CjkParagraph(escape(h), style) for h in spec.headers]
        data: list[list[Any]] = [header]
        for row in spec.rows:
            cells: list[Any] = []
            for value, col_width in zip(row, col_widths, strict=True):
                text = str(value)
                if stringWidth(text, FONT, size) <= col_width - 6 and "\n" not in text:
                    cells.append(text)
                else:
                    cells.append(CjkParagraph(escape(text), style))
            data.append(cells)
        flowables: list[Flowable] = [CjkParagraph(escape(spec.title), self.styles.cell)]
        if not spec.rows:
            flowables.append(CjkParagraph(escape(spec.note or "本月没有。"), self.styles.small))
            return [KeepTogether(flowables)]
        commands: list[tuple[Any, ...]] = [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("FONTSIZE", (0, 0), (-1, -1), size),
            ("LEADING", (0, 0), (-1, -1), size * 1.3),
            ("GRID", (0, 0), (-1, -1), 0.4, RULE),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ]
        numeric = [all(_is_number(r[c]) for r in spec.rows) for c in range(len(spec.headers))]
        for column, is_numeric in enumerate(numeric):
            if not is_numeric:
                commands.append(("ALIGN", (column, 1), (column, -1), "LEFT"))
        for index in range(1, len(data)):
            if index % 2 == 0:
                commands.append(("BACKGROUND", (0, index), (-1, index), ZEBRA))
            first = str(spec.rows[index - 1][0])
            if spec.subtotal_prefix and first.startswith(spec.subtotal_prefix):
                commands.append(("BACKGROUND", (0, index), (-1, index), LIGHT))
        if spec.total_row:
            commands.append(("BACKGROUND", (0, -1), (-1, -1), LIGHT))
            commands.append(("LINEABOVE", (0, -1), (-1, -1), 1, INK))
        if spec.highlight is not None:
            commands.append(("BACKGROUND", (0, spec.highlight + 1), (-1, spec.highlight + 1), HIGHLIGHT))
        table = Table(data, colWidths=col_widths, repeatRows=1)
        table.setStyle(TableStyle(commands))
        flowables = [flowables[0], Spacer(0, 2), table]
        if spec.note:
            flowables.append(CjkParagraph(escape(spec.note), self.styles.small))
        if len(spec.rows) <= 16:
            # A short table is never split; a long one runs on, repeating its header.
            return [KeepTogether(flowables), Spacer(0, 8)]
        return [CondPageBreak(90), *flowables, Spacer(0, 8)]

    def headline_tiles(self, report: MonthlyReport) -> Table:
        """The cover block: eight figures in large type with the change from last month."""
        s = self.styles
        big = make_styles(17).cell
        cells: list[Any] = []
        for row in report.headline.rows:
            label, now, _before, change = row
            colour = GREY.hexval()
            cells.append(
                [
                    CjkParagraph(escape(label), s.label),
                    CjkParagraph(escape(now), big),
                    CjkParagraph(f'<font color="{colour}">较上月 {escape(change)}</font>', s.small),
                ]
            )
        while len(cells) % 4:
            cells.append("")
        grid = [cells[i : i + 4] for i in range(0, len(cells), 4)]
        table = Table(grid, colWidths=[self.width / 4] * 4)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), FONT),
                    ("BOX", (0, 0), (-1, -1), 1, INK),
                    ("INNERGRID", (0, 0), (-1, -1), 0.4, RULE),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                    ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ]
            )
        )
        return table

    # ---------------------------------------------------------------- charts
    def chart(self, spec: ChartData) -> list[Flowable]:
        if not spec.labels or not any(any(v for v in values) for _n, values in spec.series):
            return []
        drawing = self._bar(spec) if spec.kind == "bar" else self._pie(spec)
        return [CondPageBreak(drawing.height + 20), drawing, Spacer(0, 6)]

    def _title(self, drawing: Drawing, text: str) -> None:
        drawing.add(String(0, drawing.height - 11, text, fontName=FONT, fontSize=9.5, fillColor=INK))

    def _bar(self, spec: ChartData) -> Drawing:
        count = len(spec.labels)
        longest = max(stringWidth(label, FONT, 7) for label in spec.labels)
        slot = (self.width - 60) / max(count, 1)
        rotate = longest > slot - 4
        label_room = (longest * 0.72 + 10) if rotate else 16
        height = 150 + label_room
        drawing = Drawing(self.width, height, initialFontName=FONT)
        self._title(drawing, spec.title)
        chart = VerticalBarChart()
        chart.x, chart.y = 40, label_room
        chart.width, chart.height = self.width - 60, height - label_room - 40
        chart.data = [values for _name, values in spec.series]
        chart.categoryAxis.categoryNames = spec.labels
        chart.categoryAxis.labels.fontName = FONT
        chart.categoryAxis.labels.fontSize = 7
        if rotate:
            chart.categoryAxis.labels.angle = 45
            chart.categoryAxis.labels.boxAnchor = "ne"
            chart.categoryAxis.labels.dx = 2
            chart.categoryAxis.labels.dy = -2
        chart.valueAxis.labels.fontName = FONT
        chart.valueAxis.labels.fontSize = 7
        chart.valueAxis.valueMin = 0
        chart.valueAxis.visibleGrid = True
        chart.valueAxis.gridStrokeColor = LIGHT
        chart.valueAxis.forceZero = True
        chart.barSpacing = 1
        chart.groupSpacing = 6 if count < 20 else 2
        for index in range(len(spec.series)):
            chart.bars[index].fillColor = CHART_COLOURS[index % len(CHART_COLOURS)]
            chart.bars[index].strokeColor = None
        if count <= 12:
            chart.barLabels.fontName = FONT
            chart.barLabels.fontSize = 6.5
            chart.barLabels.nudge = 6
            chart.barLabelFormat = "%d"
        drawing.add(chart)
        if len(spec.series) > 1:
            legend = Legend()
            legend.x, legend.y = self.width - 150, height - 6
            legend.alignment = "right"
            legend.columnMaximum = 1
            legend.fontName = FONT
            legend.fontSize = 8
            legend.dx = legend.dy = 7
            legend.deltax = 60
            legend.colorNamePairs = [
                (CHART_COLOURS[i % len(CHART_COLOURS)], name) for i, (name, _v) in enumerate(spec.series)
            ]
            drawing.add(legend)
        return drawing

    def _pie(self, spec: ChartData) -> Drawing:
        values = spec.series[0][1]
        total = sum(values) or 1
        height = 150
        drawing = Drawing(self.width, height, initialFontName=FONT)
        self._title(drawing, spec.title)
        pie = Pie()
        pie.x, pie.y = 30, 8
        pie.width = pie.height = height - 30
        pie.data = values
        pie.labels = None
        pie.slices.strokeColor = colors.white
        pie.slices.strokeWidth = 0.5
        pie.startAngle = 90
        pie.direction = "clockwise"
        for index in range(len(values)):
            pie.slices[index].fillColor = CHART_COLOURS[index % len(CHART_COLOURS)]
        drawing.add(pie)
        legend = Legend()
        legend.x, legend.y = pie.x + pie.width + 40, height - 24
        legend.alignment = "right"
        legend.fontName = FONT
        legend.fontSize = 8.5
        legend.dx = legend.dy = 8
        legend.deltay = 13
        legend.columnMaximum = 9
        legend.deltax = 200
        legend.colorNamePairs = [
            (CHART_COLOURS[i % len(CHART_COLOURS)], f"{label}  {int(v)} 件（{v * 100 / total:.1f}%）")
            for i, (label, v) in enumerate(zip(spec.labels, values, strict=True))
        ]
        drawing.add(legend)
        return drawing


def _is_number(value: Any) -> bool:
    """Whether a cell lines up on the right: numbers, and 「—」 standing for one."""
    if isinstance(value, TableValue):
        return value.value is None or isinstance(value.value, int | float)
    if isinstance(value, int | float):
        return True
    text = str(value).rstrip("%")
    return text.replace(".", "", 1).isdigit() or text in (NO_FIGURE, "")


def _story(report: MonthlyReport, renderer: _Renderer) -> list[Flowable]:
    s = renderer.styles
    as_of = f"{report.as_of:%Y-%m-%d %H:%M}"
    story: list[Flowable] = [
        CjkParagraph(escape(report.heading), s.title),
        CjkParagraph(
            escape(f"{report.month_label}　·　统计时刻 {as_of}　·　制表 {report.produced_by}"), s.subtitle
        ),
        Spacer(0, 10),
        renderer.headline_tiles(report),
        Spacer(0, 8),
        CjkParagraph(escape(report.summary), s.body),
        Spacer(0, 8),
        *renderer.table(report.headline),
    ]
    if not report.sections:
        story.append(
            CjkParagraph(
                escape(f"{report.month_label}{report.scope_name}没有受理服务工单，其余各表从略。"), s.body
            )
        )
    for number, section in enumerate(report.sections):
        ordinal = CHINESE_ORDINALS[number] if number < len(CHINESE_ORDINALS) else str(number + 1)
        story.append(CondPageBreak(120))
        heading: Flowable | None = CjkParagraph(escape(f"{ordinal}、{section.title}"), s.heading)
        for block in section.blocks:
            if isinstance(block, ReportTable):
                flowables = renderer.table(block)
            elif isinstance(block, ChartData):
                flowables = renderer.chart(block)
            else:
                flowables = [CjkParagraph(escape(block), s.body)]
            flowables = [f for f in flowables if heading is None or not isinstance(f, CondPageBreak)]
            if heading is not None and flowables:
                # The section heading never stays behind alone at the foot of a page.
                first = flowables[0]
                # Nested KeepTogethers measure as infinitely tall: merge into one.
                content = list(first._content) if isinstance(first, KeepTogether) else [first]
                story.append(KeepTogether([heading, *content]))
                flowables = flowables[1:]
                heading = None
            story.extend(flowables)
    return story


def build_monthly_report(report: MonthlyReport, target: str | Path | IO[bytes]) -> int:
    """Write the summary to ``target`` (a path or a binary file) and return its page count."""
    register_fonts()
    doc = _ReportDoc(str(target) if isinstance(target, Path) else target, report)
    renderer = _Renderer(doc.width)
    produced = f"{report.produced_at:%Y-%m-%d %H:%M}"
    footer = f"统计时刻 {report.as_of:%Y-%m-%d %H:%M} · 制表 {report.produced_by} · 生成于 {produced}"
    doc.build(
        _story(report, renderer),
        canvasmaker=lambda *a, **k: _NumberedCanvas(
            *a, footer_left=footer, header_text=f"{report.heading}（{report.month_label}）", **k
        ),
    )
    return int(doc.page)
