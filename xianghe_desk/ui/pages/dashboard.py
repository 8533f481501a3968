"""工作台: today's numbers as large tiles that open the filtered list, twelve months of received vs
completed, and the overdue requests that need chasing."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain.enums import Status
from xianghe_desk.domain.queries import RequestFilter, RequestListRow, Sort
from xianghe_desk.services.dashboard import DashboardService, MonthPoint
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.stats import StatsService
from xianghe_desk.services.visits import DueCounts, VisitService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.models.base import Role
from xianghe_desk.ui.models.requests import RequestTableModel
from xianghe_desk.ui.widgets.chart import BarChart, Series
from xianghe_desk.ui.widgets.header_state import HeaderMemory
from xianghe_desk.ui.widgets.table import DeskTableView
from xianghe_desk.ui.widgets.tile import TileButton

log = logging.getLogger(__name__)

OVERDUE_LIMIT = 50
TILES_PER_ROW = 5  # ten tiles: the requests' eight and the care visits' two (issue #11)
OPEN = (Status.RECEIVED, Status.DISPATCHED, Status.IN_PROGRESS)
DONE = (Status.COMPLETED, Status.CLOSED)
COUNTED_TILES = ("today", "received", "handling", "due_today", "overdue")
MONTH_TILES = ("completed", "completion_rate", "satisfaction_rate")
VISIT_TILES = ("visits_week", "visits_overdue")
FIGURE_TILES = MONTH_TILES + VISIT_TILES
COUNTING = "正在统计…"
OVERDUE_FILTER = RequestFilter(overdue_only=True)
OVERDUE_SORT = Sort("due_at", descending=False)


@dataclass(frozen=True)
class MonthFigures:
    """What the figures job hands back: this month's contract figures (the tiles)."""

    completed: int
    received: int
    completion_rate: float
    satisfaction_rate: float
    rated: int


@dataclass(frozen=True)
class MonthSeries:
    """What the series job hands back: the twelve-month series and who is due for a care visit."""

    series: list[MonthPoint]
    visits: DueCounts | None = None  # who is due for a care visit (issue #11)


def month_figures_work(town_id: int | None) -> Any:
    """This month's figures alone, so the tiles show them as soon as they are counted (issue #13:
    with the series and the visits in the same job the clerk waited for all three)."""

    def work(ws: Workspace, _job: object) -> MonthFigures:
        stats = StatsService(ws)
        town = PlaceService(ws).town(town_id) if town_id is not None else None
        scope = stats.scope(town.code if town else None)
        month = ws.now().strftime("%Y-%m")
        figures = stats.figures(month, scope)
        return MonthFigures(
            completed=int(figures["completed"]),
            received=int(figures["received"]),
            completion_rate=float(figures["completion_rate"]),
            satisfaction_rate=float(figures["satisfaction_rate"]),
            rated=int(figures["rated"]),
        )

    return work


def month_series_work(town_id: int | None) -> Any:
    """The chart's twelve months and the two visit tiles, read after the month's figures."""

    def work(ws: Workspace, _job: object) -> MonthSeries:
        return MonthSeries(
            series=DashboardService(ws).monthly_series(12, town_id),
            visits=VisitService(ws).counts(town_id),
        )

    return work


@dataclass(frozen=True)
class TodayCounts:
    """What the other read job hands back: the five counted tiles and the overdue list's rows."""

    counts: dict[str, int]
    overdue: list[RequestListRow]


def today_counts_work(
    town_id: int | None, filters: dict[str, dict[str, Any]], limit: int = OVERDUE_LIMIT
) -> Any:
    """The tiles' counts and the earliest-due overdue requests, read off the UI thread (at a
    million requests they take half a second and more)."""

    def work(ws: Workspace, _job: object) -> TodayCounts:
        requests = RequestService(ws)
        counts = {
            key: requests.count(RequestFilter(town_id=town_id, **filters[key])) for key in COUNTED_TILES
        }
        return TodayCounts(counts, requests.page(OVERDUE_FILTER, OVERDUE_SORT, limit))

    return work


class OverdueModel(RequestTableModel):
    """The dashboard's overdue list: the request list's model, shown from rows a read job fetched.

    ``show_rows`` puts rows read on the reader thread in (the view's usual reload path, its first
    page taken from them); ``reload()`` still reads on the calling thread, as the list does."""

    reads_first_block_in_job = False  # its rows come with the dashboard's read job

    def __init__(self, ctx: DeskContext, parent: Any = None) -> None:
        super().__init__(ctx, parent, page_size=OVERDUE_LIMIT, row_limit=OVERDUE_LIMIT)
        self._given: list[RequestListRow] | None = None
        self.flt = OVERDUE_FILTER
        self.sort_order = OVERDUE_SORT

    def show_rows(self, rows: list[RequestListRow]) -> None:
        self._given = list(rows[:OVERDUE_LIMIT])
        try:
            self.reload()
        finally:
            self._given = None

    def _read(self, *args: Any, **kwargs: Any) -> list[RequestListRow]:
        if self._given is not None:
            # All of them at once: a short page (or the row limit) ends the fetching.
            rows, self._given = self._given, []
            return rows
        return super()._read(*args, **kwargs)

    def recount(self) -> None:
        """The dashboard shows no total: no COUNT(*) job for it."""

    def canFetchMore(self, parent: Any = QModelIndex()) -> bool:  # noqa: B008, N802
        """Never: the rows come from the read job (an empty list before it would COUNT here)."""
        return False


class DashboardPage(QWidget):
    """Signals:
    navigate(str, dict): open another page with arguments (``("requests", {"overdue_only": True})``).
    """

    navigate = Signal(str, dict)

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tiles: dict[str, TileButton] = {}
        self.tile_filters: dict[str, dict[str, Any]] = {}
        self.figures: MonthFigures | None = None
        self.series: MonthSeries | None = None
        self.counts: TodayCounts | None = None
        self._loading = False  # the month's figures are being read
        self._charting = False  # the series and the visit counts are being read (or wait to be)
        self._series_town_id: int | None = None
        self._counting = False  # the tiles' counts and the overdue list are being read
        self._again = False  # something changed while reading: read once more afterwards
        self._stale = False
        self._init_widgets()
        ctx.events.requests_changed.connect(self._on_requests_changed)
        ctx.events.visits_changed.connect(lambda: self._on_requests_changed([]))
        self.refresh()

    def _init_widgets(self) -> None:
        layout = QVBoxLayout(self)
        header = QHBoxLayout()
        self.heading = QLabel(self)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        header.addWidget(self.heading)
        header.addStretch(1)
        refresh = QPushButton("刷新", self)
        refresh.setToolTip("重新统计（F5）")
        refresh.clicked.connect(self.refresh)
        header.addWidget(refresh)
        layout.addLayout(header)

        tiles = QGridLayout()
        tiles.setSpacing(8)
        for index, (key, title, accent) in enumerate(
            (
                ("today", "今日新受理", "#1f6fb2"),
                ("received", "待派单", "#8e44ad"),
                ("handling", "办理中", "#16a085"),
                ("due_today", "今日到期", "#d35400"),
                ("overdue", "已超期", "#c0392b"),
                ("completed", "本月办结", "#27ae60"),
                ("completion_rate", "本月办结率", "#2c3e50"),
                ("satisfaction_rate", "本月满意率", "#2c3e50"),
                ("visits_week", "本周应走访", "#16a085"),
                ("visits_overdue", "走访超期", "#c0392b"),
            )
        ):
            tile = TileButton(title, accent, self)
            tile.clicked.connect(lambda _checked=False, k=key: self.open_tile(k))
            self.tiles[key] = tile
            tiles.addWidget(tile, index // TILES_PER_ROW, index % TILES_PER_ROW)
        layout.addLayout(tiles)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        chart_box = QGroupBox("近12个月受理与办结", splitter)
        chart_layout = QVBoxLayout(chart_box)
        self.chart = BarChart(
            [Series("受理", "#5b8fd0"), Series("办结", "#2e8b57", Qt.BrushStyle.BDiagPattern)], chart_box
        )
        chart_layout.addWidget(self.chart)
        splitter.addWidget(chart_box)
        overdue_box = QGroupBox("超期工单（最早到期的50张，双击打开）", splitter)
        overdue_layout = QVBoxLayout(overdue_box)
        # The first 50 by due time, earliest first; it never pages further.
        self.overdue_model = OverdueModel(self.ctx, self)
        self.overdue_view = DeskTableView(self, multi_select=False)
        self.overdue_view.setModel(self.overdue_model)
        for key in ("received_at", "channel", "category", "grid", "status", "urgency", "due_at"):
            self.overdue_view.setColumnHidden(self.overdue_model.column_index(key), True)
        self.overdue_memory = HeaderMemory(
            self.overdue_view, None, [c.width for c in self.overdue_model.columns]
        )
        # How late comes right after the number: it is what this list is for.
        columns = self.overdue_view.horizontalHeader()
        columns.moveSection(columns.visualIndex(self.overdue_model.column_index("overdue")), 1)
        columns.setStretchLastSection(False)
        self.overdue_view.open_requested.connect(self._on_overdue_open_requested)
        overdue_layout.addWidget(self.overdue_view)
        self.overdue_empty = QLabel(COUNTING, overdue_box)
        self.overdue_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        overdue_layout.addWidget(self.overdue_empty)
        self.overdue_view.setVisible(False)
        splitter.addWidget(overdue_box)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        unit = self.fontMetrics().height()
        splitter.setSizes([48 * unit, 40 * unit])
        layout.addWidget(splitter, 1)

    # ------------------------------------------------------------------ numbers
    def _today_filters(self, today: date) -> dict[str, dict[str, Any]]:
        month_start = today.replace(day=1)
        return {
            "today": {"received_from": today, "received_to": today},
            "received": {"statuses": (Status.RECEIVED,)},
            "handling": {"statuses": (Status.DISPATCHED, Status.IN_PROGRESS)},
            "due_today": {"due_today": True},
            "overdue": {"overdue_only": True},
            "completed": {"received_from": month_start, "received_to": today, "statuses": DONE},
            "completion_rate": {"received_from": month_start, "received_to": today},
            "satisfaction_rate": {
                "received_from": month_start,
                "received_to": today,
                "statuses": (Status.CLOSED,),
            },
        }

    def refresh(self) -> None:
        """Everything is read off the UI thread, in three read jobs: this month's figures (the
        tiles the clerk looks at first) and the counted tiles with the overdue list at once, then,
        once the figures are in, the chart's series with the visit tiles. Until they arrive the
        tiles keep their last values (「正在统计…」 on the first visit)."""
        now: datetime = self.ctx.now()
        self.tile_filters = self._today_filters(now.date())
        town_id = self.ctx.ws.home_town_id()
        self.heading.setText(
            f"<span style='font-size:large'><b>{self.ctx.ws.title()} 工作台</b></span>"
            f"　{now:%Y-%m-%d} 星期{'一二三四五六日'[now.weekday()]}"
        )
        if self._reading():
            self._again = True
            return
        if self.figures is None:
            for key in MONTH_TILES:
                self.tiles[key].set_value("…", COUNTING)
        if self.series is None:
            for key in VISIT_TILES:
                self.tiles[key].set_value("…", COUNTING)
        if self.counts is None:
            for key in COUNTED_TILES:
                self.tiles[key].set_value("…", COUNTING)
        self._loading = self._counting = self._charting = True
        self._series_town_id = town_id  # read once the month's figures are in (_read_series)
        # The month's figures first: they take longest, and the clerk looks at them first.
        self.ctx.read(
            month_figures_work(town_id), self._on_figures_finished, self._on_figures_failed, "dashboard"
        )
        self.ctx.read(
            today_counts_work(town_id, self.tile_filters),
            self._on_counts_finished,
            self._on_counts_failed,
            "dashboard-counts",
        )

    def _read_series(self) -> None:
        """The chart's series and the visit tiles, read after the month's figures: running beside
        them it would slow the figures the clerk waits for (both are Python work on the GIL)."""
        self.ctx.read(
            month_series_work(self._series_town_id),
            self._on_series_finished,
            self._on_series_failed,
            "dashboard-series",
        )

    def _reading(self) -> bool:
        return self._loading or self._counting or self._charting

    def _read_again(self) -> None:
        """Every job is back: if something changed meanwhile, read once more."""
        if self._again and not self._reading():
            self._again = False
            self.refresh()

    def _on_counts_finished(self, counts: TodayCounts) -> None:
        self._counting = False
        self.counts = counts
        for key in COUNTED_TILES:
            self._set_tile(key, counts.counts[key])
        self.overdue_model.show_rows(counts.overdue)
        self.overdue_empty.setText("没有超期工单。")
        self.overdue_empty.setVisible(self.overdue_model.rowCount() == 0)
        self.overdue_view.setVisible(self.overdue_model.rowCount() > 0)
        self._read_again()

    def _on_counts_failed(self, message: str, _is_bug: bool) -> None:
        self._counting = False
        log.warning("dashboard counts failed: %s", message)
        for key in COUNTED_TILES:
            self.tiles[key].set_value("—", "统计失败，请按 F5 重试")
        if self.overdue_model.rowCount() == 0:
            self.overdue_empty.setText("超期工单读取失败，请按 F5 重试。")
            self.overdue_empty.setVisible(True)
            self.overdue_view.setVisible(False)
        self._read_again()

    def _set_tile(self, key: str, value: int) -> None:
        captions = {
            "today": "今天登记的工单",
            "received": "等待派给网格员",
            "handling": "已派单和办理中",
            "due_today": "今天下班前要办结",
            "overdue": "已过办理时限仍未办结",
        }
        alert = key == "overdue" and value > 0
        self.tiles[key].set_value(f"{value:,}", captions.get(key, ""), alert=alert)

    def _on_figures_finished(self, figures: MonthFigures) -> None:
        self._loading = False
        self.figures = figures
        self.tiles["completed"].set_value(f"{figures.completed:,}", f"本月受理 {figures.received:,} 张")
        # A rate of nothing is 「—」: 「0.0%」 on the first of the month reads as a month of failures.
        self.tiles["completion_rate"].set_value(
            f"{figures.completion_rate:.1f}%" if figures.received else "—",
            f"办结 {figures.completed:,} / 受理 {figures.received:,}"
            if figures.received
            else "本月还没有受理工单",
        )
        self.tiles["satisfaction_rate"].set_value(
            f"{figures.satisfaction_rate:.1f}%" if figures.rated else "—",
            f"已回访评价 {figures.rated:,} 张" if figures.rated else "本月还没有回访评价",
        )
        self._read_series()

    def _on_series_finished(self, series: MonthSeries) -> None:
        self._charting = False
        self.series = series
        self._set_visit_tiles(series.visits)
        labels = [f"{int(p.month[5:])}月" for p in series.series]
        self.chart.set_data(
            labels,
            [[p.received for p in series.series], [p.completed for p in series.series]],
        )
        self._read_again()

    def _set_visit_tiles(self, visits: DueCounts | None) -> None:
        if visits is None:
            for key in VISIT_TILES:
                self.tiles[key].set_value("—", "")
            return
        hint = "点击查看走访名单"
        self.tiles["visits_week"].set_value(
            f"{visits.this_week:,}",
            f"从未走访 {visits.never} 人" if visits.never else "含已超期的",
            hint=hint,
        )
        self.tiles["visits_overdue"].set_value(
            f"{visits.overdue:,}", "已过走访周期仍未走访", alert=visits.overdue > 0, hint=hint
        )

    def _on_figures_failed(self, message: str, is_bug: bool) -> None:
        self._loading = False
        log.warning("dashboard figures failed: %s", message)
        for key in MONTH_TILES:
            self.tiles[key].set_value("—", "统计失败，请按 F5 重试")
        self._read_series()

    def _on_series_failed(self, message: str, is_bug: bool) -> None:
        self._charting = False
        log.warning("dashboard series failed: %s", message)
        for key in VISIT_TILES:
            self.tiles[key].set_value("—", "统计失败，请按 F5 重试")
        self._read_again()

    # ------------------------------------------------------------------ navigation
    def open_tile(self, key: str) -> None:
        """Open the request list (the visits list for a visit tile) showing what the tile counts."""
        town_id = self.ctx.ws.home_town_id()
        if key in ("visits_week", "visits_overdue"):
            show = "overdue" if key == "visits_overdue" else "all"
            self.navigate.emit("visits", {"show": show, "town_id": town_id})
            return
        filters = dict(self.tile_filters.get(key, {}))
        if town_id is not None:
            filters["town_id"] = town_id
        self.navigate.emit("requests", filters)

    def _on_overdue_open_requested(self, index: QModelIndex) -> None:
        from xianghe_desk.ui.dialogs.request_detail import RequestDetailDialog

        request_id = index.data(Role.IdRole)
        if request_id is not None:
            RequestDetailDialog.open(self, self.ctx, int(request_id))

    def _on_requests_changed(self, _ids: list[int]) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def activate(self, **_kwargs: Any) -> None:
        if self._stale:
            self._stale = False
            self.refresh()
