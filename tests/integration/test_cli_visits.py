"""``visits due`` and ``visits roster`` as a clerk or a script runs them (contract §1, issue #11), and
the month's visit figures of ``stats --json`` against the summary's workbook."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.helpers import pdf_page_size, pdf_text, run_cli, squash

run = partial(run_cli, timeout=120)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("visits") / "demo.db"
    result = run("demo", "--db", path, "--scale", "small", "--seed", "5")
    assert result.returncode == 0, result.stderr
    assert "走访记录：" in result.stdout
    return path


def _due(demo_db: Path, *args: str) -> list[dict]:
    result = run("visits", "due", "--db", demo_db, *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_visits_due_json_lists_who_is_due_most_overdue_first(demo_db: Path) -> None:
    rows = _due(demo_db)
    assert rows
    for row in rows:
        assert {"resident", "village", "due", "overdue_days"} <= row.keys()
        due = date.fromisoformat(row["due"])
        assert row["overdue_days"] == max(0, (date.today() - due).days)
    overdue = [r["overdue_days"] for r in rows]
    assert overdue == sorted(overdue, reverse=True)
    assert any(r["never_visited"] for r in rows) and any(r["overdue_days"] == 0 for r in rows)
    sunday = date.today() + timedelta(days=6 - date.today().weekday())
    assert all(date.fromisoformat(r["due"]) <= sunday or r["never_visited"] for r in rows)


def test_visits_due_narrows_to_a_village_and_refuses_what_it_does_not_know(demo_db: Path) -> None:
    everyone = _due(demo_db)
    village = everyone[0]["village"]
    mine = _due(demo_db, "--village", village)
    assert mine and {r["village"] for r in mine} == {village}
    assert {r["resident"] for r in mine} <= {r["resident"] for r in everyone}
    result = run("visits", "due", "--db", demo_db, "--village", "没有这个村", "--json")
    assert result.returncode == 1 and "没有" in result.stderr and not result.stdout.strip()
    result = run("visits", "due", "--db", demo_db, "--week", "下周")
    assert result.returncode == 1 and "看不懂" in result.stderr


def test_a_village_clerk_gets_their_own_village(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    villages = {r["village"] for r in _due(demo_db)}
    monkeypatch.setenv("XIANGHE_USER", "cun")
    rows = _due(demo_db)
    assert len({r["village"] for r in rows}) == 1
    other = next(v for v in villages if v != rows[0]["village"])
    result = run("visits", "due", "--db", demo_db, "--village", other, "--json")
    assert result.returncode == 1 and "不在您负责的范围内" in result.stderr


def test_visits_roster_prints_a_grids_a4_roster(demo_db: Path, tmp_path: Path) -> None:
    rows = _due(demo_db)
    first = rows[0]
    out = tmp_path / "roster.pdf"
    result = run(
        "visits", "roster", "--db", demo_db, "--village", first["village"], "--grid", first["grid"], "-o", out
    )
    assert result.returncode == 0, result.stderr
    assert "已生成走访表" in result.stdout and out.exists()
    assert pdf_page_size(out) == (297, 210)  # A4 landscape
    text = squash(pdf_text(out))
    assert "走访表" in text and first["resident"] in text and "服务对象签字" in text
    for label in ("身体状况", "居住安全", "水电气", "冬季取暖", "用药", "情绪"):
        assert label in text


def test_visits_roster_needs_a_member_or_a_grid(demo_db: Path, tmp_path: Path) -> None:
    result = run("visits", "roster", "--db", demo_db, "-o", tmp_path / "r.pdf")
    assert result.returncode == 2 and "--member" in result.stderr
    result = run("visits", "roster", "--db", demo_db, "--grid", "第一网格", "-o", tmp_path / "r.pdf")
    assert result.returncode == 1 and "--village" in result.stderr
    assert not (tmp_path / "r.pdf").exists()


def test_stats_json_and_the_summary_workbook_give_the_same_visit_figures(
    demo_db: Path, tmp_path: Path
) -> None:
    month = f"{datetime.now():%Y-%m}"
    as_of = f"{datetime.now():%Y-%m-%d}"
    result = run("stats", "--db", demo_db, "--month", month, "--as-of", as_of, "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["visits_due"] > 0 and 0 < figures["visits_done"] <= figures["visits_due"]
    assert figures["visit_coverage_rate"] == round(figures["visits_done"] * 100 / figures["visits_due"], 1)
    out, xlsx = tmp_path / "m.pdf", tmp_path / "m.xlsx"
    result = run(
        "report", "monthly", "--db", demo_db, "--month", month, "--as-of", as_of, "-o", out, "--xlsx", xlsx
    )
    assert result.returncode == 0, result.stderr
    workbook = load_workbook(xlsx, read_only=True)
    try:
        (sheet,) = [workbook[n] for n in workbook.sheetnames if n.startswith("各村街走访覆盖")]
        total = next(r for r in sheet.iter_rows(values_only=True) if r and r[0] == "合计")
        assert (total[-3], total[-2]) == (figures["visits_due"], figures["visits_done"])
    finally:
        workbook.close()
