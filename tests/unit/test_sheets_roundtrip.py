"""Export from one copy, import into another: the same sheets come back; and the command line."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.unit.sheet_files import cli, write_xlsx
from xianghe_desk.services.check import run_checks
from xianghe_desk.services.exports import ExportService
from xianghe_desk.services.imports import ImportService
from xianghe_desk.services.stats import StatsService
from xianghe_desk.services.visit_figures import visit_figures
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.sheets.columns import KINDS


def _cells(path):
    workbook = load_workbook(path, read_only=True)
    try:
        return list(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()


def test_export_import_round_trip_between_two_databases(demo_ws, ws, tmp_path):
    exported = {}
    for kind in KINDS:
        exported[kind] = tmp_path / f"a_{kind}.xlsx"
        ExportService(demo_ws).export(kind, exported[kind])
    for kind in KINDS:
        report = ImportService(ws).import_file(kind, exported[kind])
        assert report.refused == 0, report.refusals[:5]
        assert report.written or report.unchanged == report.total
    for kind in KINDS:
        again = tmp_path / f"b_{kind}.xlsx"
        ExportService(ws).export(kind, again)
        assert _cells(again) == _cells(exported[kind]), kind
    assert all(result.ok for result in run_checks(ws)), [r for r in run_checks(ws) if not r.ok]
    stats_a, stats_b = StatsService(demo_ws), StatsService(ws)
    # Care visits do not travel in spreadsheets (contract §2): only the request figures match, and
    # 上门服务次数 differs by exactly the demo's logged 上门 visits.
    visit_keys = {"scope", "visits_due", "visits_done", "visit_coverage_rate", "home_visits"}
    for month in ("2026-10", "2026-11"):
        a = stats_a.figures(month, stats_a.scope(), as_of=demo_ws.now())
        b = stats_b.figures(month, stats_b.scope(), as_of=ws.now())
        assert {k: v for k, v in a.items() if k not in visit_keys} == {
            k: v for k, v in b.items() if k not in visit_keys
        }
        logged = visit_figures(demo_ws, month, demo_ws.now()).home
        assert logged > 0 and a["home_visits"] - logged == b["home_visits"]
        assert b["visits_due"] == b["visits_done"] == 0
    # Into its own database again, and into the copy a second time: nothing changes.
    for target in (demo_ws, ws):
        for kind in KINDS:
            report = ImportService(target).import_file(kind, exported[kind])
            assert (report.added, report.updated, report.refused) == (0, 0, 0), (kind, report.summary())


def test_export_writes_ids_as_text_and_requests_by_month(demo_ws, tmp_path):
    path = tmp_path / "res.xlsx"
    ExportService(demo_ws).export("residents", path)
    workbook = load_workbook(path)
    sheet = workbook["服务对象"]
    header = [c.value for c in sheet[1]]
    ids = [row[header.index("身份证号")] for row in sheet.iter_rows(min_row=2)]
    filled = [cell for cell in ids if cell.value]
    assert filled and all(cell.data_type == "s" and len(cell.value) == 18 for cell in filled)
    month = tmp_path / "nov.xlsx"
    count = ExportService(demo_ws).export("requests", month, month="2026-11")
    rows = _cells(month)[1:]
    assert len(rows) == count > 0
    assert all(r[0].year == 2026 and r[0].month == 11 for r in rows)


@pytest.fixture
def db(tmp_path, small_demo):
    import shutil

    path = tmp_path / "cli.db"
    shutil.copy(small_demo, path)
    return path


def _count(path, table):
    with Workspace.open(path) as ws:
        return ws.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


RES = ["姓名", "所属镇", "所属村街", "身份证号"]


def test_import_command_all_or_nothing_valid_only_dry_run_and_report(db, tmp_path, capsys):
    with Workspace.open(db) as ws:
        village = ws.villages.in_town(ws.home_town_id(), include_virtual=False)[0]
        town = ws.towns.get(village.town_id).name
    rows = [["新居民甲", town, village.short_name, None], ["新居民乙", town, "没有这个村", None]]
    sheet = write_xlsx(tmp_path / "new.xlsx", RES, rows)
    before = _count(db, "residents")
    assert cli("import", "residents", "--db", db, sheet) == 1
    captured = capsys.readouterr()
    assert "没有写入任何数据" in captured.out
    assert "第3行 / 所属村街 / " in captured.err
    assert _count(db, "residents") == before
    assert cli("import", "residents", "--db", db, sheet, "--dry-run", "--valid-only") == 1
    out = capsys.readouterr().out
    assert "试运行" in out and "第2行 新增：新居民甲" in out and _count(db, "residents") == before
    report = tmp_path / "report.xlsx"
    assert cli("import", "residents", "--db", db, sheet, "--valid-only", "--report", report) == 1
    assert "已新增 1 行" in capsys.readouterr().out
    assert _count(db, "residents") == before + 1
    assert [r[:2] for r in _cells(report)[1:]] == [(3, "所属村街")]
    assert cli("import", "residents", "--db", db, write_xlsx(tmp_path / "ok.xlsx", RES, rows[:1])) == 0
    assert "1 行没有变化" in capsys.readouterr().out


def test_import_command_refuses_a_whole_file_in_chinese(db, tmp_path, capsys):
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    assert cli("import", "members", "--db", db, xls) == 1
    assert "另存为" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        cli("import", "people", "--db", db, xls)
    assert usage.value.code == 2


def test_export_command(db, tmp_path, capsys):
    out = tmp_path / "req.xlsx"
    assert cli("export", "requests", "--db", db, "-o", out, "--month", "2026-11") == 0
    assert "已导出服务工单" in capsys.readouterr().out
    assert _cells(out)[0][0] == "受理时间"
    assert cli("export", "members", "--db", db, "-o", out, "--month", "2026-11") == 2
    assert cli("export", "members", "--db", db, "-o", tmp_path / "m.csv") == 2
    assert cli("export", "requests", "--db", db, "-o", out, "--month", "11月") == 1
    assert "月份" in capsys.readouterr().err
