"""The monthly summary's 走访覆盖 (issue #11) equals the month's figures (contract §3), in the PDF and
in the workbook, for the county, a town and a village."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.helpers import pdf_text, squash
from xianghe_desk.pdf.monthly_report import ReportTable
from xianghe_desk.services.reports import ReportService
from xianghe_desk.services.workspace import Workspace

MONTH = "2026-10"  # the small demo's visits run from July to 11-26: October is a whole month


def _scope(service: ReportService, level: str):
    if level == "county":
        return service.stats.scope()
    if level == "town":
        return service.stats.scope(town="蒋辛屯镇")
    return service.stats.scope(town="蒋辛屯镇", village="蒋北社区")


def _totals(table: ReportTable) -> tuple[int, int, float | None]:
    rows = table.exported().rows
    total = rows[-1]
    assert total[0] == "合计"
    due, done, rate = total[-3:]
    return due.value, done.value, rate.value


@pytest.mark.parametrize("level", ["county", "town", "village"])
def test_the_coverage_tables_add_up_to_the_months_figures(
    demo_ws: Workspace, tmp_path: Path, level: str
) -> None:
    service = ReportService(demo_ws)
    scope = _scope(service, level)
    out, xlsx = tmp_path / "m.pdf", tmp_path / "m.xlsx"
    report = service.write_monthly(MONTH, scope, out, xlsx=xlsx)
    figures = service.stats.figures(MONTH, scope, report.as_of)
    assert figures["visits_due"] == report.figures["visits_due"] > 0
    (section,) = [s for s in report.sections if s.title == "走访覆盖"]
    tables = [b for b in section.blocks if isinstance(b, ReportTable)]
    expected_keys = {"county": 3, "town": 2, "village": 1}[level]
    assert len(tables) == expected_keys
    rate = round(figures["visit_coverage_rate"] / 100, 4)
    for table in tables:
        due, done, shown_rate = _totals(table)
        assert (due, done, shown_rate) == (figures["visits_due"], figures["visits_done"], rate), table.title
        body = table.exported().rows[:-1]
        assert sum(r[-3].value for r in body) == due and sum(r[-2].value for r in body) == done
    text = squash(pdf_text(out))
    assert "走访覆盖" in text and f"{figures['visit_coverage_rate']:.1f}%" in text
    assert f"定期走访应走访{figures['visits_due']}人次" in text
    workbook = load_workbook(xlsx, read_only=True)
    try:
        names = workbook.sheetnames
        assert any("走访覆盖" in n for n in names), names
        headline = [r for r in workbook["主要指标"].iter_rows(values_only=True) if r and r[0] == "走访覆盖率"]
        assert headline and headline[0][1] == rate
    finally:
        workbook.close()


def test_a_month_without_plans_prints_dashes_and_no_section(ws: Workspace, tmp_path: Path) -> None:
    service = ReportService(ws)
    report = service.write_monthly(MONTH, service.stats.scope(), tmp_path / "e.pdf")
    assert not [s for s in report.sections if s.title == "走访覆盖"]
    rows = {r[0]: r[1].text for r in report.headline.rows}
    assert rows["应走访人次"] == rows["走访覆盖率"] == "—"
