"""月度汇总 PDFs: every printed figure equals ``stats --json`` for the same scope, month and as-of
moment; the source article's 259/256 → 98.8%; an empty month; long tables repeating their header;
page numbers; the embedded font; the .xlsx with the same tables; the ``report monthly`` command."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import datetime, timedelta
from functools import partial

import pytest
from openpyxl import load_workbook

from tests import helpers
from tests.helpers import pdf_pages, run_cli
from xianghe_desk.domain.drafts import MemberDraft, RequestDraft
from xianghe_desk.domain.enums import FeedbackRoute, Satisfaction
from xianghe_desk.pdf.monthly_report import MonthlyReport, ReportTable, build_monthly_report
from xianghe_desk.services.people import MemberService
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.reports import HEADLINE, ReportService
from xianghe_desk.services.requests import RequestService

AS_OF = "2026-11-20"

# The summary is tables: read it with its columns kept apart.
pdf_text = partial(helpers.pdf_text, layout=True)


# The count each rate or average is computed from: with none, the summary prints 「—」.
BASE = {
    "completion_rate": "received",
    "satisfaction_rate": "rated",
    "avg_hours_to_complete": "completed",
    "visits_due": "visits_due",
    "visits_done": "visits_due",
    "visit_coverage_rate": "visits_due",
}


def shown(value: object, unit: str = "") -> str:
    """A figure as the summary prints it."""
    if unit == "%":
        return f"{value:.1f}%"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def shown_headline(figures: dict, key: str, unit: str) -> str:
    """A headline figure as printed: 「—」 when nothing is behind it (the JSON keeps 0)."""
    base = BASE.get(key)
    return "—" if base and not figures[base] else shown(figures[key], unit)


def headline_value(text: str, label: str) -> str:
    """The 本月 column of the 主要指标 table row ``label``."""
    match = re.search(rf"^\s*{label}\s+(\d[\d.]*%?|—)\s", text, re.M)
    assert match is not None, f"{label} not in the table"
    return match.group(1)


@pytest.mark.parametrize(
    "scope_args",
    [[], ["--town", "蒋辛屯镇"], ["--town", "蒋辛屯镇", "--village", "蒋北社区"]],
    ids=["county", "town", "village"],
)
def test_every_figure_equals_stats_json(small_demo, tmp_path, scope_args):
    stats = run_cli(
        "stats", "--db", small_demo, "--month", "2026-10", "--as-of", AS_OF, "--json", *scope_args
    )
    assert stats.returncode == 0, stats.stderr
    figures = json.loads(stats.stdout)
    assert figures["received"] > 0
    out, xlsx = tmp_path / "m.pdf", tmp_path / "m.xlsx"
    result = run_cli(
        "report", "monthly", "--db", small_demo, "--month", "2026-10", "--as-of", AS_OF, *scope_args,
        "-o", out, "--xlsx", xlsx,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"共 {pdf_pages(out)} 页" in result.stdout
    text = pdf_text(out)
    first = pdf_text(out, page=1)
    for key, label, unit in HEADLINE:
        assert headline_value(first, label) == shown_headline(figures, key, unit), label
    assert f"统计时刻 {figures['as_of'][:16]}" in first
    # The sentence under the tiles says the same.
    flat = re.sub(r"\s+", "", first)
    assert f"本月共受理服务工单{figures['received']}件，办结{figures['completed']}件" in flat
    assert f"办结率{figures['completion_rate']:.1f}%" in flat
    # Breakdown tables: every row with requests, exactly as in the JSON.
    rows = {
        "by_category": figures["by_category"],
        "by_channel": figures["by_channel"],
    }
    if figures["scope"]["level"] in ("town", "county"):
        rows["by_village"] = figures["by_village"]
    if figures["scope"]["level"] == "county":
        rows["by_town"] = figures["by_town"]  # and each town heads its villages: 【蒋辛屯镇】
    for key, breakdown in rows.items():
        for name, s in breakdown.items():
            if not s["received"]:
                continue
            pattern = (
                rf"^\s*{re.escape(name)}\s+{s['received']}\s+{s['completed']}\s+{s['completion_rate']:.1f}%"
            )
            assert re.search(pattern, text, re.M), f"{key}: {name} {s}"
    for name, s in figures["by_method"].items():
        if s["received"]:
            assert re.search(rf"^\s*{re.escape(name)}\s+{s['received']}\s", text, re.M), name
    # The same headline numbers in the workbook, stored as numbers (a rate as Excel's %).
    book = load_workbook(xlsx)
    assert "主要指标" in book.sheetnames
    table = {row[0].value: row[1] for row in book["主要指标"].iter_rows(min_row=3) if row[0].value}
    for key, label, unit in HEADLINE:
        cell = table[label]
        if shown_headline(figures, key, unit) == "—":
            assert cell.value == "—", label
        elif unit == "%":
            assert (cell.data_type, cell.number_format) == ("n", "0.0%"), label
            assert cell.value == pytest.approx(figures[key] / 100), label
        else:
            assert cell.data_type == "n", label
            assert cell.value == figures[key], label
    book.close()


@pytest.fixture
def article_ws(ws):
    """The source article's month: 259 requests received in October 2026, 256 completed."""
    places = PlaceService(ws)
    village = places.resolve_village("王刘圈村")
    grid = places.add_grid(village.id, "第一网格")
    saved = MemberService(ws).add(
        MemberDraft("李建国", "13812345678", village.town_id, village.id, grid_ids=(grid,))
    )
    service = RequestService(ws)
    start = datetime(2026, 10, 1, 8, 0)
    for i in range(259):
        at = start + timedelta(hours=2 * i)
        request = service.register(
            RequestDraft("phone", "repairs", f"第{i + 1}件：修水管", village.id, received_at=at)
        )
        service.dispatch(request.id, saved.id, at=at + timedelta(minutes=10))
        if i < 256:
            service.complete(request.id, "on_the_spot", "已修好", at=at + timedelta(hours=3))
            if i < 200:
                rating = Satisfaction.UNSATISFIED if i == 7 else Satisfaction.SATISFIED
                service.follow_up(request.id, FeedbackRoute.PHONE, rating, at=at + timedelta(hours=5))
    return ws


def test_source_article_example_prints_98_8_percent(article_ws, tmp_path):
    service = ReportService(article_ws)
    scope = service.stats.scope()
    out = tmp_path / "article.pdf"
    report = service.write_monthly("2026-10", scope, out)
    assert (report.figures["received"], report.figures["completed"]) == (259, 256)
    first = pdf_text(out, page=1)
    assert headline_value(first, "受理数") == "259"
    assert headline_value(first, "办结数") == "256"
    assert headline_value(first, "办结率") == "98.8%"
    text = pdf_text(out)
    # Three still open and past their due time: the overdue list names them.
    assert headline_value(first, "超期数") == "3"
    numbers = [
        line.split()[0] for line in text.splitlines() if re.match(r"^\s*\d{3}-[A-Z0-9]{4}-2610-\d{4}", line)
    ]
    assert len(set(numbers)) >= 4  # three overdue and one unsatisfied request
    assert "不满意工单清单" in text
    assert "共 1 件" in text
    # The ranking and the grid member with the most completed requests.
    assert "擂台比武" in text
    assert re.search(r"^\s*1\s+李建国\s+\S*王刘圈村\s+网格员\s+256\s", text, re.M)


def test_empty_month_gives_a_valid_summary_that_says_so(ws, tmp_path):
    service = ReportService(ws)
    out = tmp_path / "empty.pdf"
    report = service.write_monthly("2027-03", service.stats.scope(), out, xlsx=tmp_path / "empty.xlsx")
    assert report.figures["received"] == 0
    assert pdf_pages(out) == report.pages == 1
    text = pdf_text(out)
    assert "本月没有受理服务工单" in text
    assert headline_value(text, "受理数") == "0"
    # Rates and averages of nothing print 「—」, not 「0.0%」 (the JSON keeps 0, contract §3).
    assert report.figures["completion_rate"] == 0
    for label in ("办结率", "满意率", "平均办结时长"):
        assert headline_value(text, label) == "—", label
    assert re.search(r"第\s*1\s*页\s*共\s*1\s*页", text)
    assert load_workbook(tmp_path / "empty.xlsx").sheetnames == ["主要指标"]


def test_long_tables_repeat_their_header_and_pages_are_numbered(tmp_path):
    rows = [
        (f"101-TEST-2610-{i:04d}", f"10-{i % 28 + 1:02d} 09:00", "王刘圈村", "维修帮扶") for i in range(160)
    ]
    table = ReportTable("overdue", "超期工单清单", ("工单编号", "受理时间", "村街", "问题类别"), rows)
    figures = {k: 0 for k, _l, _u in HEADLINE} | {"as_of": "2026-11-20 23:59:59"}
    report = MonthlyReport(
        title="香河县",
        scope_level="county",
        scope_name="香河县",
        month="2026-10",
        month_label="2026年10月",
        as_of=datetime(2026, 11, 20, 23, 59),
        produced_at=datetime(2026, 11, 26, 10, 0),
        produced_by="测试文员",
        figures=figures,
        previous=figures,
        summary="测试",
        headline=ReportTable(
            "headline", "主要指标", ("指标", "本月", "上月", "与上月相比"), [("受理数", "0", "0", "持平")]
        ),
    )
    from xianghe_desk.pdf.monthly_report import ReportSection

    report.sections.append(ReportSection("超期与不满意工单", [table]))
    out = tmp_path / "long.pdf"
    pages = build_monthly_report(report, out)
    assert pages == pdf_pages(out) >= 3
    seen = 0
    for page in range(1, pages + 1):
        text = pdf_text(out, page=page)
        assert re.search(rf"第\s*{page}\s*页\s*共\s*{pages}\s*页", text)
        assert "制表 测试文员" in text
        numbers = re.findall(r"101-TEST-2610-\d{4}", text)
        if numbers:
            assert re.search(r"工单编号\s+受理时间\s+村街\s+问题类别", text), f"page {page} lacks the header"
            seen += len(numbers)
    assert seen == 160
    # A table the PDF shows in part goes whole to the workbook.
    part = ReportTable(
        "ranking", "村街擂台比武", ("名次", "村街"), rows[:20], note="前十名和后十名", export_rows=rows
    )
    report.sections.append(ReportSection("擂台比武", [part]))
    exported = report.all_tables()[-1]
    assert (len(exported.rows), exported.note) == (160, "")
    assert len(report.all_tables(for_export=False)[-1].rows) == 20


def test_fonts_are_embedded(small_demo, tmp_path):
    out = tmp_path / "fonts.pdf"
    result = run_cli("report", "monthly", "--db", small_demo, "--month", "2026-10", "-o", out)
    assert result.returncode == 0, result.stderr
    listing = subprocess.run(["pdffonts", str(out)], check=True, capture_output=True, text=True).stdout
    fonts = listing.splitlines()[2:]
    assert fonts
    for line in fonts:
        assert "WenQuanYiMicroHei" in line
        assert line.split()[-5] == "yes"  # emb


def test_report_refusals(small_demo, tmp_path):
    out = tmp_path / "x.pdf"
    result = run_cli("report", "monthly", "--db", small_demo, "--month", "2026-13", "-o", out)
    assert result.returncode == 1
    assert "看不懂" in result.stderr
    result = run_cli(
        "report", "monthly", "--db", small_demo, "--month", "2026-10", "--town", "不存在镇", "-o", out
    )
    assert result.returncode == 1
    assert "没有找到镇" in result.stderr
    result = run_cli("report", "monthly", "--db", tmp_path / "nope.db", "--month", "2026-10", "-o", out)
    assert result.returncode == 1
    assert not (tmp_path / "nope.db").exists()
    assert not out.exists()
    result = run_cli("report", "monthly", "--db", small_demo, "-o", out)
    assert result.returncode == 2


def test_each_village_row_equals_that_villages_own_figures(small_demo):
    """The rows the summary computes per village follow the same rules as ``stats --village``."""
    from xianghe_desk.services.workspace import Workspace

    as_of = datetime(2026, 11, 20, 23, 59, 59)
    with Workspace.open(small_demo) as ws:
        service = ReportService(ws)
        report = service.monthly("2026-10", service.stats.scope("蒋辛屯镇"), as_of)
        table = next(t for t in report.all_tables() if t.key == "by_village")
        checked = 0
        for name, received, completed, completion, satisfaction, overdue, hours in table.rows[:-1]:
            own = service.stats.figures("2026-10", service.stats.scope("蒋辛屯镇", name.strip()), as_of)
            assert (received, completed, str(completion)) == (
                own["received"],
                own["completed"],
                f"{own['completion_rate']:.1f}%" if own["received"] else "—",
            )
            assert str(satisfaction) == (f"{own['satisfaction_rate']:.1f}%" if own["rated"] else "—")
            assert overdue == own["overdue"]
            assert str(hours) == (f"{own['avg_hours_to_complete']:.1f}" if own["completed"] else "—")
            checked += 1
        assert checked == len(report.figures["by_village"])
        total = table.rows[-1]
        assert total[:2] == ("合计", report.figures["received"])
