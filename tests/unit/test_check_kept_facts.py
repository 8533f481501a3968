"""`check` compares request_facts (the month's figures' kept copy of each request's history,
store/schema_speed.py) with the history itself: rows that differ, requests without a row and rows
of no request are reported with a count, a few work-order numbers and what fixes them."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from tests.helpers import run_cli
from xianghe_desk.services.check import CheckResult, run_checks
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.integrity import Found, IntegrityStore

LABEL = "统计汇总"


def _result(ws: Workspace) -> CheckResult:
    found = [r for r in run_checks(ws) if r.label == LABEL]
    assert len(found) == 1
    return found[0]


def _closed_request(ws: Workspace, offset: int = 0) -> tuple[int, str]:
    """A request of the demo that was completed and rated (every kind of kept fact is set)."""
    row = ws.db.execute(
        "SELECT r.id, r.number FROM requests r JOIN request_facts k ON k.request_id = r.id"
        " WHERE k.rated_id IS NOT NULL ORDER BY r.id LIMIT 1 OFFSET ?",
        [offset],
    ).fetchone()
    return int(row[0]), str(row[1])


def _found(ws: Workspace) -> tuple[Found, Found, Found]:
    store = IntegrityStore(ws.db)
    return (
        store.kept_facts_not_matching_history(),
        store.requests_without_kept_facts(),
        store.kept_facts_without_request(),
    )


def test_an_intact_demo_reports_nothing(demo_ws: Workspace) -> None:
    assert _found(demo_ws) == (Found(0, ()), Found(0, ()), Found(0, ()))
    result = _result(demo_ws)
    assert result.ok and result.detail == "每张工单的统计汇总都与其办理记录一致"
    assert all(r.ok for r in run_checks(demo_ws)), [r for r in run_checks(demo_ws) if not r.ok]


def test_a_missing_row_is_reported(demo_ws: Workspace) -> None:
    rid, number = _closed_request(demo_ws)
    demo_ws.db.execute("DELETE FROM request_facts WHERE request_id = ?", [rid])
    differs, missing, orphans = _found(demo_ws)
    assert (differs.count, orphans.count) == (0, 0)
    assert missing == Found(1, (number,))
    result = _result(demo_ws)
    assert not result.ok
    assert f"1 张工单有办理记录却没有统计汇总：{number}" in result.detail
    assert "重建统计汇总" in result.detail  # says what fixes it


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("status", "in_progress"),
        ("satisfaction", "unsatisfied"),
        ("method", None),
        ("last_at", "2020-01-01 00:00:00"),
        ("done_at", None),
        ("status_id", 1),
        ("rated_id", None),
    ],
)
def test_a_changed_value_is_reported(demo_ws: Workspace, column: str, value: object) -> None:
    rid, number = _closed_request(demo_ws)
    before = demo_ws.db.execute(f"SELECT {column} FROM request_facts WHERE request_id = ?", [rid]).fetchone()[
        0
    ]
    assert before != value
    demo_ws.db.execute(f"UPDATE request_facts SET {column} = ? WHERE request_id = ?", [value, rid])
    differs, missing, orphans = _found(demo_ws)
    assert differs == Found(1, (number,))
    assert (missing.count, orphans.count) == (0, 0)
    result = _result(demo_ws)
    assert not result.ok
    assert f"1 张工单的统计汇总与其办理记录不一致：{number}" in result.detail


def test_an_orphan_row_is_reported(demo_ws: Workspace) -> None:
    rid, _ = _closed_request(demo_ws)
    ghost = demo_ws.db.execute("SELECT max(id) + 1000 FROM requests").fetchone()[0]
    demo_ws.db.execute(
        "INSERT INTO request_facts SELECT ?, last_at, status_at, status_id, status, done_at, done_id, method,"
        " rated_at, rated_id, satisfaction FROM request_facts WHERE request_id = ?",
        [ghost, rid],
    )
    differs, missing, orphans = _found(demo_ws)
    assert (differs.count, missing.count) == (0, 0)
    assert orphans == Found(1, (str(ghost),))
    result = _result(demo_ws)
    assert not result.ok
    assert f"1 条统计汇总找不到对应的工单（工单 id：{ghost}）" in result.detail


def test_an_empty_database_reports_nothing_until_a_row_of_no_request_appears(ws: Workspace) -> None:
    assert _result(ws).ok
    ws.db.execute("INSERT INTO request_facts (request_id, last_at) VALUES (?, ?)", [1, "2026-01-01 00:00:00"])
    assert _found(ws) == (Found(0, ()), Found(0, ()), Found(1, ("1",)))
    assert not _result(ws).ok


def test_many_findings_are_counted_and_a_few_shown(demo_ws: Workspace) -> None:
    total = demo_ws.db.execute(
        "SELECT count(*) FROM request_facts WHERE status IS NOT 'cancelled'"
    ).fetchone()[0]
    assert total > 10
    demo_ws.db.execute("UPDATE request_facts SET status = 'cancelled' WHERE status IS NOT 'cancelled'")
    demo_ws.db.execute(
        "DELETE FROM request_facts WHERE request_id IN (SELECT request_id FROM request_facts LIMIT 3)"
    )
    differs, missing, _ = _found(demo_ws)
    assert missing.count == 3 and len(missing.examples) == 3
    assert len(differs.examples) == 5 and differs.count >= total - 3
    result = _result(demo_ws)
    assert f"{differs.count} 张工单的统计汇总与其办理记录不一致：" in result.detail
    assert "……" in result.detail and "3 张工单有办理记录却没有统计汇总" in result.detail


def test_rebuilding_the_kept_facts_clears_every_finding(demo_ws: Workspace) -> None:
    """The fix the finding names (StatsStore.rebuild_kept_facts) makes check pass again."""
    rid, _ = _closed_request(demo_ws)
    other, _ = _closed_request(demo_ws, offset=1)
    demo_ws.db.execute("DELETE FROM request_facts WHERE request_id = ?", [rid])
    demo_ws.db.execute("UPDATE request_facts SET satisfaction = 'unsatisfied' WHERE request_id = ?", [other])
    demo_ws.db.execute("INSERT INTO request_facts (request_id, last_at) VALUES (?, ?)", [10**9, "2026-01-01"])
    assert not _result(demo_ws).ok
    demo_ws.stats.rebuild_kept_facts()
    assert _result(demo_ws).ok


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_check_command_passes_on_the_demo_and_reports_damage_without_writing(
    small_demo: Path, tmp_path: Path
) -> None:
    path = tmp_path / "demo.db"
    shutil.copy(small_demo, path)
    result = run_cli("check", "--db", path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"  [通过] {LABEL}：每张工单的统计汇总都与其办理记录一致" in result.stdout.splitlines()

    with Workspace.open(path) as ws:
        rid, number = _closed_request(ws)
        with ws.atomic():
            ws.db.execute("UPDATE request_facts SET status = 'received' WHERE request_id = ?", [rid])
    digest = _digest(path)
    result = run_cli("check", "--db", path)
    assert result.returncode == 1
    (line,) = [line for line in result.stdout.splitlines() if LABEL in line]
    assert line.startswith(f"  [有问题] {LABEL}：1 张工单的统计汇总与其办理记录不一致：{number}。")
    assert _digest(path) == digest  # check only reads
