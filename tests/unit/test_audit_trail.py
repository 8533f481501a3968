"""The audit trail is append-only and tamper-evident (issue #9)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from xianghe_desk.operations.accounts import create_first_admin
from xianghe_desk.services.audit import AuditService
from xianghe_desk.services.check import run_checks
from xianghe_desk.services.workspace import Workspace


@pytest.fixture
def trail(ws: Workspace) -> Workspace:
    create_first_admin(ws, "boss", "first-pass-1")
    # These tests edit the file with the plain sqlite3 tool; encryption (which would stop that,
    # issue #10) is tested in test_encryption.py, so this file stays plain.
    ws.pending_encryption = None
    audit = AuditService(ws)
    with ws.atomic():
        for n in range(5):
            audit.record("test.write", "update", f"第 {n} 次修改", detail={"n": n})
    return ws


def _audit_check(ws: Workspace) -> tuple[bool, str]:
    (result,) = [r for r in run_checks(ws) if r.label == "操作日志"]
    return result.ok, result.detail


def test_an_untouched_trail_passes(trail: Workspace) -> None:
    ok, detail = _audit_check(trail)
    assert ok and "6 条" in detail


def test_update_and_delete_are_refused_by_the_database(trail: Workspace) -> None:
    with pytest.raises(Exception, match="append-only"):
        trail.db.execute("UPDATE audit_log SET summary = 'x' WHERE seq = 2")
    with pytest.raises(Exception, match="append-only"):
        trail.db.execute("DELETE FROM audit_log WHERE seq = 2")


def _tamper(path: Path, *statements: str) -> None:
    """What someone with the sqlite3 tool could do: drop the triggers and edit."""
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("DROP TRIGGER audit_log_no_delete")
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


def test_an_edited_row_is_found(trail: Workspace, db_path: Path) -> None:
    trail.close()
    _tamper(db_path, "UPDATE audit_log SET summary = '无事发生' WHERE seq = 3")
    with Workspace.open(db_path) as ws:
        ok, detail = _audit_check(ws)
    assert not ok and "第 3 条" in detail and "被改动" in detail and "触发器" in detail


def test_a_removed_row_is_found(trail: Workspace, db_path: Path) -> None:
    trail.close()
    _tamper(db_path, "DELETE FROM audit_log WHERE seq = 4")
    with Workspace.open(db_path) as ws:
        ok, detail = _audit_check(ws)
    assert not ok and "第 4 条操作日志不见了" in detail


def test_a_rewritten_detail_is_found(trail: Workspace, db_path: Path) -> None:
    trail.close()
    _tamper(db_path, """UPDATE audit_log SET detail = '{"n": 99}' WHERE seq = 5""")
    with Workspace.open(db_path) as ws:
        ok, detail = _audit_check(ws)
    assert not ok and "第 5 条" in detail
