"""The monthly summary's 走访覆盖 section (issue #11): visits due and done on time by town, village
and grid, from the same facts and rules as ``stats --json`` (services/visit_figures.py), so each
table's 合计 equals the JSON's visits_due / visits_done / visit_coverage_rate for the scope."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from xianghe_desk.domain.figures import TableValue, percent, rate_or_none
from xianghe_desk.domain.visits import Coverage
from xianghe_desk.pdf.monthly_report import ChartData, ReportSection, ReportTable
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.stats import Scope
from xianghe_desk.services.visit_figures import VisitFigures, visit_figures
from xianghe_desk.services.workspace import Workspace

GRIDS_SHOWN = 20  # county scope: the PDF lists the grids with the lowest coverage, the workbook all
HEADERS = ("应走访", "按时走访", "走访覆盖率")


def _cells(c: Coverage) -> tuple[Any, ...]:
    return (
        TableValue(str(c.due), c.due, "0"),
        TableValue(str(c.done), c.done, "0"),
        percent(rate_or_none(c.done, c.due)),
    )


def _total(f: VisitFigures) -> tuple[Any, ...]:
    return _cells(Coverage(f.due, f.done))


def visit_section(ws: Workspace, month: str, scope: Scope, as_of: datetime) -> ReportSection | None:
    """The section, or None when nobody was due for a visit in the scope this month."""
    town_id = scope.town.id if scope.town is not None and scope.level == "town" else None
    village_id = scope.village.id if scope.village is not None else None
    figures = visit_figures(ws, month, as_of, town_id, village_id)
    if not figures.due:
        return None
    places = PlaceService(ws)
    towns = places.towns()  # in the county's order (statistical codes)
    town_names: dict[int | None, str] = {t.id: t.name for t in towns}
    town_order: dict[int | None, int] = {t.id: i for i, t in enumerate(towns)}
    villages = {v.id: v for v in places.villages(town_id, include_virtual=True)}
    blocks: list[ReportTable | ChartData | str] = [
        "按走访计划，每位服务对象的每个应走访日为一人次：在该日或之前走访过（上门、电话、视频均算）即为按时走访。"
        "住院期间暂停，迁出、去世之后不再计入。表中应走访、按时走访的单位均为人次。"
    ]
    if scope.level == "county":
        rows = [
            (town_names.get(key, "—"), *_cells(c))
            for key, c in sorted(figures.by_town.items(), key=lambda kv: town_order.get(kv[0], len(towns)))
        ]
        rows.append(("合计", *_total(figures)))
        blocks.append(
            ReportTable(
                key="visits_by_town",
                title="各镇走访覆盖",
                headers=("镇", *HEADERS),
                rows=rows,
                widths=(3.2, 1.6, 1.6, 1.6),
                total_row=True,
            )
        )
    if scope.level in ("county", "town"):
        ordered = sorted(
            figures.by_village.items(),
            key=lambda kv: (
                (
                    town_order.get(villages[kv[0]].town_id, 0),
                    villages[kv[0]].code or "",
                    villages[kv[0]].short_name,
                )
                if kv[0] in villages
                else (len(towns), "", "")
            ),
        )
        rows = []
        for key, c in ordered:
            village = villages.get(key) if key is not None else None
            name = village.short_name if village else "—"
            if scope.level == "county":
                rows.append((village.town_name if village else "", name, *_cells(c)))
            else:
                rows.append((name, *_cells(c)))
        headers = ("镇", "村街", *HEADERS) if scope.level == "county" else ("村街", *HEADERS)
        rows.append(("合计", *([""] if scope.level == "county" else []), *_total(figures)))
        blocks.append(
            ReportTable(
                key="visits_by_village",
                title="各村街走访覆盖",
                headers=headers,
                rows=rows,
                widths=((2.4, 3.2, 1.6, 1.6, 1.6) if scope.level == "county" else (3.2, 1.6, 1.6, 1.6)),
                total_row=True,
                small=scope.level == "county",
            )
        )
    blocks.append(_grid_table(ws, scope, figures))
    return ReportSection("走访覆盖", blocks)


def _grid_table(ws: Workspace, scope: Scope, figures: VisitFigures) -> ReportTable:
    places = PlaceService(ws)
    town_id = scope.town.id if scope.town is not None and scope.level != "county" else None
    grids = {g.id: g for g in places.grids_in_town(town_id)}
    rows: list[tuple[Any, ...]] = []
    for key, c in figures.by_grid.items():
        grid = grids.get(key) if key is not None else None
        place = f"{grid.village_name}" if grid else "未分网格"
        if grid is not None and scope.level == "county":
            place = f"{grid.town_name}{grid.village_name}"
        rows.append((place, grid.name if grid else "—", *_cells(c)))
    rows.sort(key=lambda r: (r[0], r[1]))
    total = ("合计", "", *_total(figures))
    if scope.level != "county" or len(rows) <= GRIDS_SHOWN:
        return ReportTable(
            key="visits_by_grid",
            title="各网格走访覆盖",
            headers=("村街", "网格", *HEADERS),
            rows=[*rows, total],
            widths=(3.2, 2.2, 1.6, 1.6, 1.6),
            total_row=True,
        )
    # 800-odd grids: the PDF names those that need attention, the workbook has every one.
    lowest = sorted(rows, key=lambda r: (r[4].value if r[4].value is not None else 1.0, r[0], r[1]))
    return ReportTable(
        key="visits_by_grid",
        title=f"走访覆盖率最低的 {GRIDS_SHOWN} 个网格",
        headers=("镇村街", "网格", *HEADERS),
        rows=lowest[:GRIDS_SHOWN],
        widths=(3.6, 2.2, 1.6, 1.6, 1.6),
        note=f"共 {len(rows)} 个网格有应走访的服务对象；每个网格的数字见 Excel 汇总表。",
        export_rows=[*rows, total],
        export_note="",
        small=True,
    )
