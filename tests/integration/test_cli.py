"""The command line as a clerk or a script runs it (contract §1): real subprocesses, a temp database."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime
from functools import partial
from pathlib import Path

import pytest

from tests.helpers import CONTRACT_KEYS, EXTRA_KEYS, run_cli

run = partial(run_cli, timeout=120)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def demo_db(workdir: Path) -> Path:
    path = workdir / "demo.db"
    result = run("demo", "--db", path, "--scale", "small", "--seed", "3", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert "已生成演示数据库" in result.stdout
    assert "镇：1" in result.stdout and "工单状态：" in result.stdout
    return path


@pytest.fixture(scope="module")
def month() -> str:
    """Last month: the demo fills the year up to today, so last month is complete."""
    from xianghe_desk.domain.figures import month_of, previous_month

    return previous_month(month_of(datetime.now().date()))


def test_demo_then_check(demo_db: Path, workdir: Path) -> None:
    result = run("check", "--db", demo_db, cwd=workdir)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"检查数据库：{demo_db}"
    checks = [line for line in lines if line.strip().startswith("[")]
    assert len(checks) >= 3 and all("[通过]" in line for line in checks)
    assert lines[-1] == "数据库完好。"


def test_demo_refuses_an_existing_file(demo_db: Path, workdir: Path) -> None:
    before = demo_db.read_bytes()
    result = run("demo", "--db", demo_db, "--scale", "small", cwd=workdir)
    assert result.returncode == 1
    assert "已经存在" in result.stderr
    assert demo_db.read_bytes() == before


def test_stats_json_with_db_before_the_command(demo_db: Path, workdir: Path, month: str) -> None:
    result = run("--db", demo_db, "stats", "--month", month, "--json", cwd=workdir)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert set(figures) == CONTRACT_KEYS | EXTRA_KEYS
    assert figures["month"] == month
    assert figures["scope"]["level"] == "county"
    assert 0 < figures["completed"] <= figures["received"]
    assert figures["rated"] <= figures["completed"]
    assert 0 <= figures["completion_rate"] <= 100 and 0 <= figures["satisfaction_rate"] <= 100
    for key in ("by_category", "by_channel", "by_method", "by_town", "by_village"):
        for name, row in figures[key].items():
            assert not name.isascii(), f"{key} key {name} is not a Chinese name"
            assert set(row) == {"received", "completed", "completion_rate"}
    assert sum(r["received"] for r in figures["by_channel"].values()) == figures["received"]
    assert figures["by_town"]["蒋辛屯镇"]["received"] == figures["received"]  # the small demo's town


def test_stats_town_by_name_and_code(demo_db: Path, workdir: Path, month: str) -> None:
    outputs = []
    for town in ("蒋辛屯镇", "131024101"):
        result = run(
            "stats",
            "--db",
            demo_db,
            "--month",
            month,
            "--town",
            town,
            "--as-of",
            f"{month}-05",
            "--json",
            cwd=workdir,
        )
        assert result.returncode == 0, result.stderr
        outputs.append(json.loads(result.stdout))
    assert outputs[0] == outputs[1]
    assert outputs[0]["scope"] == {"level": "town", "name": "蒋辛屯镇", "code": "131024101"}
    assert outputs[0]["as_of"] == f"{month}-05 23:59:59"


def test_stats_ambiguous_village_is_refused_in_chinese(demo_db: Path, workdir: Path, month: str) -> None:
    result = run("stats", "--db", demo_db, "--month", month, "--village", "刘庄村", "--json", cwd=workdir)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("错误：「刘庄村」在多个镇都有")
    assert "请同时填写所属镇" in result.stderr


def test_stats_unknown_village_is_refused(demo_db: Path, workdir: Path, month: str) -> None:
    result = run(
        "stats", "--db", demo_db, "--month", month, "--town", "蒋辛屯镇", "--village", "不存在村", cwd=workdir
    )
    assert result.returncode == 1
    assert "蒋辛屯镇没有名为「不存在村」的村街" in result.stderr


def test_stats_bad_month_is_refused(demo_db: Path, workdir: Path) -> None:
    result = run("stats", "--db", demo_db, "--month", "2026-13", "--json", cwd=workdir)
    assert result.returncode == 1
    assert "月份「2026-13」看不懂" in result.stderr


def test_stats_without_month_is_a_usage_error(demo_db: Path, workdir: Path) -> None:
    result = run("stats", "--db", demo_db, "--json", cwd=workdir)
    assert result.returncode == 2
    assert "用法错误" in result.stderr and "--month" in result.stderr
    assert "缺少必需的参数" in result.stderr


def test_backup_then_restore(demo_db: Path, workdir: Path) -> None:
    db = workdir / "office.db"
    shutil.copy(demo_db, db)
    out = workdir / "backups"
    result = run("backup", "--db", db, "-o", out, cwd=workdir)
    assert result.returncode == 0, result.stderr
    (backup,) = out.glob("*.db")
    assert str(backup) in result.stdout

    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE settings SET value = '\"改过的县\"' WHERE key = 'county_name'")
    conn.close()

    result = run("restore", "--db", db, backup, cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert "恢复前的数据已另存为" in result.stdout
    with sqlite3.connect(db) as conn:
        assert (
            conn.execute("SELECT value FROM settings WHERE key = 'county_name'").fetchone()[0] == '"香河县"'
        )
        counts = conn.execute("SELECT (SELECT count(*) FROM requests), (SELECT count(*) FROM request_events)")
        assert counts.fetchone()[0] > 0
    conn.close()
    # The safety copy holds what the restore replaced.
    safety = list((workdir / "office-backups").glob("*.db"))
    assert len(safety) == 1
    with sqlite3.connect(safety[0]) as conn:
        assert (
            conn.execute("SELECT value FROM settings WHERE key = 'county_name'").fetchone()[0] == '"改过的县"'
        )
    conn.close()


def test_console_script_is_installed(workdir: Path) -> None:
    script = shutil.which("xianghe-desk")
    assert script is not None, "pip install -e . should have installed the xianghe-desk script"
    result = run("--version", cwd=workdir, program=[script])
    assert result.returncode == 0
    assert result.stdout.startswith("xianghe-desk ")


def test_report_of_an_empty_month_says_dash_not_zero_percent(demo_db: Path, workdir: Path) -> None:
    result = run_cli("report", "monthly", "--db", demo_db, "--month", "2020-01", "-o", workdir / "empty.pdf")
    assert result.returncode == 0, result.stderr
    assert "办结率 —" in result.stdout and "满意率 —" in result.stdout and "0.0%" not in result.stdout
