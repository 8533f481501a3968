"""统计报表: the month's figures for the county, a town or a village, and the printouts built on them.

Choose the scope (全县 / a town / a village) and the month; the headline figures of contract §3
appear as tiles with the change from the previous month (click one to see those requests), the
breakdowns as tables. From here the clerk builds the monthly summary (PDF preview, or the same
tables as Excel), the village notice (帮办公示), and prints every dispatched work order that has
not been printed yet. The figures are the same as ``stats --json`` for the same choice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QEvent, QObject, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain.access import Permission
from xianghe_desk.domain.enums import Status
from xianghe_desk.domain.figures import month_bounds, previous_month
from xianghe_desk.domain.queries import RequestFilter
from xianghe_desk.jobs.runner import Job
from xianghe_desk.operations.printing import export_monthly_summary, print_monthly_report, print_notices
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.printing import PrintResult, PrintService
from xianghe_desk.services.reports import HEADLINE, month_label
from xianghe_desk.services.stats import Scope, StatsService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.operations import run_op
from xianghe_desk.ui.printing import output_path, print_work_orders, show_pdf
from xianghe_desk.ui.roles import allow
from xianghe_desk.ui.widgets.column_fit import ColumnFitter, full_text_tooltips
from xianghe_desk.ui.widgets.date_edit import DeskDateEdit
from xianghe_desk.ui.widgets.file_dialogs import XLSX, save_file
from xianghe_desk.ui.widgets.place_picker import PlacePicker
from xianghe_desk.ui.widgets.tile import TileButton

log = logging.getLogger(__name__)

ACCENTS = ("#1f6fb2", "#27ae60", "#2c3e50", "#8e44ad", "#2c3e50", "#c0392b", "#d35400", "#16a085")


@dataclass(frozen=True)
class Choice:
    """What the clerk chose: a month and a scope given by ids (None: the whole county/town)."""

    month: str
    town_id: int | None
    village_id: int | None


def scope_for(ws: Workspace, choice: Choice) -> Scope:
    """The stats scope of a choice (ids, so villages without a statistical code work too)."""
    places = PlaceService(ws)
    stats = StatsService(ws)
    if choice.village_id is not None:
        village = places.village(choice.village_id)
        if village is not None:
            town = places.town(village.town_id)
            return Scope("village", village.short_name, village.code or "", town, village)
    if choice.town_id is not None:
        town = places.town(choice.town_id)
        if town is not None:
            return Scope("town", town.name, town.code, town)
    return stats.scope()


def scope_names(ctx: DeskContext, choice: Choice) -> tuple[str | None, str | None]:
    """The chosen town and village as the printing operations name them (a code, or the village's
    name within its town); (None, None): the clerk's own scope (the county for the county's roles)."""
    village = ctx.places.village(choice.village_id) if choice.village_id is not None else None
    town_id = village.town_id if village is not None else choice.town_id
    town = ctx.places.town(town_id) if town_id is not None else None
    return (town.code if town else None), (village.code or village.name if village else None)


@dataclass(frozen=True)
class PageFigures:
    choice: Choice
    scope: Scope
    figures: dict[str, Any]
    previous: dict[str, Any]
    unprinted: int


def figures_work(choice: Choice) -> Any:
    def work(ws: Workspace, _job: Job) -> PageFigures:
        scope = scope_for(ws, choice)
        stats = StatsService(ws)
        as_of = ws.now()
        return PageFigures(
            choice=choice,
            scope=scope,
            figures=stats.figures(choice.month, scope, as_of),
            previous=stats.figures(previous_month(choice.month), scope, as_of),
            unprinted=len(PrintService(ws).unprinted_ids()),
        )

    return work


# What a figure needs to mean anything: a rate of nothing is 「—」, not 「0.0%」 (issue #8).
_BASIS = {
    "completion_rate": ("received", "本月还没有受理工单"),
    "satisfaction_rate": ("rated", "本月还没有回访评价"),
    "avg_hours_to_complete": ("completed", "本月还没有办结的工单"),
}


def has_value(key: str, figures: dict[str, Any]) -> bool:
    basis = _BASIS.get(key)
    return basis is None or bool(figures[basis[0]])


def tile_text(key: str, unit: str, figures: dict[str, Any]) -> str:
    """A headline figure as its tile shows it: 「83.3%」, 「30.4小时」, 「1,234」, or 「—」."""
    value = figures[key]
    if not has_value(key, figures):
        return "—"
    if unit == "%":
        return f"{value:.1f}%"
    if isinstance(value, float):
        return f"{value:.1f}{unit if unit == '小时' else ''}"
    return f"{value:,}"


def tile_caption(key: str, figures: dict[str, Any], previous: dict[str, Any]) -> str:
    if not has_value(key, figures):
        return _BASIS[key][1]
    if not has_value(key, previous):
        return "上月没有可比的数"
    return _change(key, figures[key], previous[key])


def _change(key: str, now: Any, before: Any) -> str:
    delta = round(now - before, 1) if isinstance(now, float) else now - before
    if not delta:
        return "与上月持平"
    sign = "+" if delta > 0 else "-"
    unit = "个百分点" if key.endswith("_rate") else "小时" if key == "avg_hours_to_complete" else ""
    return f"较上月 {sign}{abs(delta):g}{unit}"


class VerticalScrollArea(QScrollArea):
    """Scrolls its content up and down only: it asks for the content's minimum width, so the page
    never scrolls sideways, and for no height of its own (the content fills it when there is room).
    Tab to a widget out of sight scrolls it into view (QScrollArea.focusNextPrevChild)."""

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidgetResizable(True)
        self.setWidget(content)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        widget = self.widget()
        content = widget.minimumSizeHint().width() if widget is not None else 0
        bar = self.verticalScrollBar().sizeHint().width()
        return QSize(content + bar + 2 * self.frameWidth(), super().minimumSizeHint().height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # the content's minimum width may have changed (text size)
        return super().eventFilter(watched, event)


class ReportsPage(QWidget):
    """Signals:
    navigate(str, dict): open the request list with filters (a tile was clicked).
    status_message(str): a line for the status bar.
    """

    title = "统计报表"
    navigate = Signal(str, dict)
    status_message = Signal(str)

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.current: PageFigures | None = None
        self._loading = False
        self._again = False
        self._stale = False
        self.tiles: dict[str, TileButton] = {}
        self._init_controls()
        self._init_figures()
        self._init_actions()
        self._init_layout()
        ctx.events.requests_changed.connect(self._on_requests_changed)
        ctx.events.places_changed.connect(self.picker.reload_towns)
        self.refresh()

    # ------------------------------------------------------------------ building
    def _init_controls(self) -> None:
        self.town_combo = QComboBox(self)
        self.village_combo = QComboBox(self)
        self.picker = PlacePicker(
            self.ctx, self.town_combo, self.village_combo, any_labels=("全县", "全镇", None), parent=self
        )
        home, own_village = self.ctx.home_place()
        if home is not None:
            self.picker.set_place(home, own_village)
        self.picker.changed.connect(self.refresh)
        self.month_edit = DeskDateEdit(self)
        self.month_edit.setDisplayFormat("yyyy年M月")
        self.month_edit.setMinimumDate(QDate(2000, 1, 1))
        today = self.ctx.now().date()
        self.month_edit.setMaximumDate(QDate(today.year + 1, 12, 31))
        self.month_edit.setDate(QDate(today.year, today.month, 1))
        self.month_edit.setToolTip("用上下方向键换月份")
        self.month_edit.setCurrentSection(QDateEdit.Section.MonthSection)
        self.month_edit.dateChanged.connect(self.refresh)
        self.refresh_button = QPushButton("重新统计", self)
        self.refresh_button.setToolTip("按现在的数据重新统计（F5）")
        self.refresh_button.clicked.connect(self.refresh)
        self.as_of_label = QLabel(self)

    def _init_figures(self) -> None:
        self.heading = QLabel(self)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        for key, label, _unit in HEADLINE:
            tile = TileButton(label, ACCENTS[len(self.tiles) % len(ACCENTS)], self)
            tile.clicked.connect(lambda _checked=False, k=key: self.open_tile(k))
            self.tiles[key] = tile
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tabs = QTabWidget(self)
        self.tables: dict[str, QTableWidget] = {}
        self.fitters: dict[str, ColumnFitter] = {}
        for key, title in (
            ("by_region", "分村街"),
            ("by_category", "分类"),
            ("by_channel", "来源渠道"),
            ("by_method", "办理方式"),
        ):
            table = QTableWidget(0, 4, self)
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            table.setAlternatingRowColors(True)
            table.setTabKeyNavigation(False)  # Tab moves on to the next field, not cell by cell
            table.verticalHeader().setVisible(False)
            # Names take the spare room; every column refits after new figures and Ctrl+= / Ctrl+-.
            self.fitters[key] = ColumnFitter(table, stretch=0)
            self.tables[key] = table
            self.tabs.addTab(table, title)

    def _init_actions(self) -> None:
        self.actions_box = QGroupBox("打印与导出", self)
        self.report_button = QPushButton("月度汇总 PDF（预览、打印）", self.actions_box)
        self.report_button.setToolTip("按所选范围和月份生成月度汇总，含图表、擂台比武、超期与不满意清单")
        self.report_button.clicked.connect(self.build_report)
        self.excel_button = QPushButton("月度汇总导出 Excel…", self.actions_box)
        self.excel_button.setToolTip("把月度汇总的各张表保存为 Excel 文件，便于转发")
        self.excel_button.clicked.connect(self.export_excel)
        self.notice_paper = QComboBox(self.actions_box)
        self.notice_paper.addItem("A4", "A4")
        self.notice_paper.addItem("A3", "A3")
        self.notice_button = QPushButton("帮办公示", self.actions_box)
        self.notice_button.clicked.connect(self.build_notice)
        self.order_paper = QComboBox(self.actions_box)
        self.order_paper.addItem("A4", "A4")
        self.order_paper.addItem("A5", "A5")
        self.unprinted_label = QLabel(self.actions_box)
        self.unprinted_label.setWordWrap(True)
        self.unprinted_button = QPushButton("打印这些工单", self.actions_box)
        self.unprinted_button.clicked.connect(self.print_unprinted)
        grid = QGridLayout(self.actions_box)
        grid.addWidget(self.report_button, 0, 0, 1, 2)
        grid.addWidget(self.excel_button, 1, 0, 1, 2)
        grid.addWidget(QLabel("村街帮办公示（网格员与电话）：", self.actions_box), 2, 0, 1, 2)
        grid.addWidget(self.notice_paper, 3, 0)
        grid.addWidget(self.notice_button, 3, 1)
        grid.addWidget(self.unprinted_label, 4, 0, 1, 2)
        grid.addWidget(self.order_paper, 5, 0)
        grid.addWidget(self.unprinted_button, 5, 1)
        grid.setRowStretch(6, 1)
        for button in (self.report_button, self.excel_button, self.unprinted_button):
            allow(button, self.ctx.who, Permission.REPORT)

    def _init_layout(self) -> None:
        layout = QVBoxLayout(self)
        controls = QHBoxLayout()
        for text, widget in (
            ("范围：", self.town_combo),
            ("", self.village_combo),
            ("月份：", self.month_edit),
        ):
            if text:
                controls.addWidget(QLabel(text, self))
            controls.addWidget(widget)
        controls.addWidget(self.refresh_button)
        controls.addStretch(1)
        controls.addWidget(self.as_of_label)
        layout.addLayout(controls)
        # Below the choice of scope and month, everything scrolls: at large text (Ctrl+=) the
        # figures, the tables and the print box need more height than a 1366×768 screen has
        # (887 px at 150 %), and a page that demands it pushes the window's bottom off the screen.
        self.body = QWidget(self)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.heading)
        tiles = QGridLayout()
        tiles.setSpacing(8)
        for index, tile in enumerate(self.tiles.values()):
            tiles.addWidget(tile, index // 4, index % 4)
        body.addLayout(tiles)
        body.addWidget(self.summary)
        splitter = QSplitter(Qt.Orientation.Horizontal, self.body)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.tabs)
        splitter.addWidget(self.actions_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        body.addWidget(splitter, 1)
        self.scroll_area = VerticalScrollArea(self.body, self)
        layout.addWidget(self.scroll_area, 1)

    # ------------------------------------------------------------------ choice and figures
    def choice(self) -> Choice:
        day = self.month_edit.date()
        return Choice(f"{day.year()}-{day.month():02d}", self.picker.town_id(), self.picker.village_id())

    def refresh(self) -> None:
        """Recount in a read job (a county month of a large database takes a second)."""
        if self._loading:
            self._again = True
            return
        self._loading = True
        self.refresh_button.setEnabled(False)
        self.as_of_label.setText("正在统计…")
        self.ctx.read(
            figures_work(self.choice()), self._on_figures_finished, self._on_figures_failed, "reports"
        )

    def _on_figures_finished(self, result: PageFigures) -> None:
        self._loading = False
        self.refresh_button.setEnabled(True)
        if self._again or result.choice != self.choice():
            self._again = False
            self.refresh()
            return
        self.current = result
        self._show(result)

    def _on_figures_failed(self, message: str, is_bug: bool) -> None:
        self._loading = False
        self._again = False
        self.refresh_button.setEnabled(True)
        self.as_of_label.setText("统计失败")
        log.warning("report figures failed: %s", message)
        self.summary.setText(f"统计没有完成：{message}　请按「重新统计」再试。")

    def _show(self, result: PageFigures) -> None:
        f, prev = result.figures, result.previous
        label = month_label(result.choice.month)
        place = result.scope.name
        if result.scope.level == "village" and result.scope.town is not None:
            place = result.scope.town.name + place
        self.heading.setText(f"<span style='font-size:large'><b>{place}　{label}</b></span>")
        self.as_of_label.setText(f"统计时刻：{f['as_of'][:16]}")
        for key, _label, unit in HEADLINE:
            self.tiles[key].set_value(
                tile_text(key, unit, f), tile_caption(key, f, prev), alert=key == "overdue" and f[key] > 0
            )
        if f["received"]:
            self.summary.setText(
                f"{label}共受理 {f['received']} 件，办结 {f['completed']} 件，办结率 {f['completion_rate']:.1f}%；"
                f"回访评价 {f['rated']} 件（满意 {f['satisfied']}、基本满意 {f['basically_satisfied']}、"
                f"不满意 {f['unsatisfied']}），满意率 {f['satisfaction_rate']:.1f}%；超期 {f['overdue']} 件。"
            )
        else:
            self.summary.setText(f"{label}没有受理服务工单。")
        level = result.scope.level
        region_key = "by_town" if level == "county" else "by_village" if level == "town" else ""
        self.tabs.setTabText(0, "分镇" if level == "county" else "分村街")
        self.tabs.setTabVisible(0, bool(region_key))
        if region_key:
            self._fill("by_region", "镇" if level == "county" else "村街", f[region_key], skip_empty=False)
        self._fill("by_category", "问题类别", f["by_category"])
        self._fill("by_channel", "来源渠道", f["by_channel"])
        self._fill("by_method", "办理方式", f["by_method"], method=True)
        village_chosen = result.choice.village_id is not None
        town_chosen = result.choice.town_id is not None
        allow(self.notice_button, self.ctx.who, Permission.REPORT, enabled=village_chosen or town_chosen)
        self.notice_paper.setEnabled(village_chosen or town_chosen)
        self.notice_button.setText("打印本村街公示" if village_chosen else "打印全镇各村街公示")
        self.notice_button.setToolTip(
            "一个村街一页：网格员、所管网格和电话，代办服务项目与服务热线"
            if village_chosen or town_chosen
            else "请先在上方选择镇或村街"
        )
        self.unprinted_label.setText(
            f"已派单、还没有打印工单的：{result.unprinted} 张"
            if result.unprinted
            else "所有已派单的工单都已打印。"
        )
        allow(self.unprinted_button, self.ctx.who, Permission.REPORT, enabled=result.unprinted > 0)
        self.status_message.emit(
            f"{result.scope.name}{label}：受理 {f['received']} 件，办结率 {f['completion_rate']:.1f}%"
        )

    def _fill(
        self,
        key: str,
        noun: str,
        rows: dict[str, dict[str, Any]],
        skip_empty: bool = True,
        method: bool = False,
    ) -> None:
        table = self.tables[key]
        headers = [noun, "办结件数", "占办结比例", ""] if method else [noun, "受理数", "办结数", "办结率"]
        table.setColumnCount(3 if method else 4)
        table.setHorizontalHeaderLabels(headers[: table.columnCount()])
        shown = [(name, s) for name, s in rows.items() if s["received"] or not skip_empty]
        table.setRowCount(len(shown))
        total = sum(s["received"] for _n, s in shown) or 1
        for row, (name, s) in enumerate(shown):
            if method:
                values = [name, str(s["received"]), f"{s['received'] * 100 / total:.1f}%"]
            else:
                values = [name, str(s["received"]), str(s["completed"]), f"{s['completion_rate']:.1f}%"]
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(row, column, item)
        full_text_tooltips(table)
        self.fitters[key].fit()

    # ------------------------------------------------------------------ tiles
    def tile_filters(self, key: str) -> dict[str, Any]:
        """The request list's filters showing the requests a tile counts (the month, the scope)."""
        choice = self.choice()
        start, end = month_bounds(choice.month)
        last = date.fromordinal(end.date().toordinal() - 1)
        filters: dict[str, Any] = {"received_from": start.date(), "received_to": last}
        if choice.village_id is not None:
            filters["village_id"] = choice.village_id
        elif choice.town_id is not None:
            filters["town_id"] = choice.town_id
        if key in ("completed", "avg_hours_to_complete"):
            filters["statuses"] = (Status.COMPLETED, Status.CLOSED)
        elif key in ("rated", "satisfaction_rate"):
            filters["statuses"] = (Status.CLOSED,)
        return filters

    def open_tile(self, key: str) -> None:
        self.navigate.emit("requests", self.tile_filters(key))

    # ------------------------------------------------------------------ printouts
    def build_report(self) -> None:
        choice = self.choice()
        path = output_path(f"月度汇总-{choice.month}", self.ctx.now())
        town, village = scope_names(self.ctx, choice)

        def built(report: Any) -> None:  # pdf.monthly_report.MonthlyReport
            show_pdf(self, path, f"{report.title}{report.month_label}月度汇总")

        run_op(
            self.ctx,
            self,
            print_monthly_report,
            choice.month,
            path,
            town,
            village,
            self.ctx.now(),
            on_done=built,
            progress="正在生成月度汇总…",
        )

    def export_excel(self) -> None:
        choice = self.choice()
        target = save_file(self, "导出 Excel", f"月度汇总-{choice.month}.xlsx", XLSX)
        if target is None:
            return
        town, village = scope_names(self.ctx, choice)

        def done(path: Path) -> None:
            QMessageBox.information(self, "导出 Excel", f"月度汇总的各张表已保存到：\n{path}")

        run_op(
            self.ctx,
            self,
            export_monthly_summary,
            choice.month,
            target,
            town,
            village,
            self.ctx.now(),
            on_done=done,
            progress="正在导出 Excel…",
        )

    def build_notice(self) -> None:
        choice = self.choice()
        if choice.town_id is None and choice.village_id is None:
            QMessageBox.information(self, "帮办公示", "请先在上方选择镇或村街。")
            return
        a3 = self.notice_paper.currentData() == "A3"
        path = output_path("帮办公示", self.ctx.now())
        town, village = scope_names(self.ctx, choice)

        def built(result: tuple[list[object], PrintResult]) -> None:
            printed = result[1]
            show_pdf(self, path, f"帮办公示（{printed.orders} 个村街）" if printed.orders > 1 else "帮办公示")

        run_op(
            self.ctx,
            self,
            print_notices,
            path,
            town,
            village,
            a3,
            on_done=built,
            progress="正在生成帮办公示…",
        )

    def print_unprinted(self) -> None:
        ids = self.ctx.requests.ids(RequestFilter(not_printed=True))
        if not ids:
            QMessageBox.information(self, "打印工单", "所有已派单的工单都已打印。")
            return
        print_work_orders(self, self.ctx, ids, page=str(self.order_paper.currentData()))

    # ------------------------------------------------------------------ page protocol
    def activate(self, **kwargs: Any) -> None:
        """Open on a month or place: ``activate(month="2026-11", town_id=…, village_id=…)``."""
        month = kwargs.get("month")
        if isinstance(month, str) and len(month) == 7:
            self.month_edit.setDate(QDate(int(month[:4]), int(month[5:]), 1))
        if "town_id" in kwargs or "village_id" in kwargs:
            self.picker.set_place(kwargs.get("town_id"), kwargs.get("village_id"))
        if self._stale:
            self._stale = False
            self.refresh()

    def _on_requests_changed(self, _ids: list[int]) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True
