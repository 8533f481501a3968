"""``check --repair`` as a clerk runs it (real processes): damaged kept facts (request_facts) are
rebuilt from the history after a verified backup, by an administrator only, with a line in the
audit trail; any other damage, a read-only medium or a plain ``check`` changes nothing."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from tests.helpers import run_cli
from tests.mounts import remount_read_only, tmpfs
from xianghe_desk.operations.accounts import create_first_admin
from xianghe_desk.services import encryption
from xianghe_desk.services.audit import AuditService
from xianghe_desk.services.check import KEPT_FACTS_LABEL, repair_command
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.integrity import IntegrityStore, inspect_database

ACTION = "database.rebuild_facts"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _history(path: Path) -> str:
    """Every request and every event, as they are stored: what a repair must never touch."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        digest = hashlib.sha256()
        for table in ("requests", "request_events"):
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY id"):
                digest.update(repr(row).encode())
        return digest.hexdigest()
    finally:
        conn.close()


def _damage_facts(path: Path) -> list[str]:
    """A changed kept row, a missing one and one of no request (the numbers of the first two)."""
    with Workspace.open(path) as ws:
        rows = ws.db.execute(
            "SELECT r.id, r.number FROM requests r JOIN request_facts k ON k.request_id = r.id"
            " WHERE k.rated_id IS NOT NULL ORDER BY r.id LIMIT 2"
        ).fetchall()
        (changed, first), (missing, second) = rows
        ghost = ws.db.execute("SELECT max(id) + 1000 FROM requests").fetchone()[0]
        with ws.atomic():
            ws.db.execute("UPDATE request_facts SET status = 'received' WHERE request_id = ?", [changed])
            ws.db.execute("DELETE FROM request_facts WHERE request_id = ?", [missing])
            ws.db.execute(
                "INSERT INTO request_facts (request_id, last_at) VALUES (?, ?)", [ghost, "2026-01-01"]
            )
    return [first, second]


def _kept_facts_found(path: Path, key: object = None) -> tuple[int, int, int]:
    with Workspace.open(path, key=key, read_only=True) as ws:  # type: ignore[arg-type]
        store = IntegrityStore(ws.db)
        return (
            store.kept_facts_not_matching_history().count,
            store.requests_without_kept_facts().count,
            store.kept_facts_without_request().count,
        )


def _backups(path: Path) -> list[Path]:
    folder = path.parent / f"{path.stem}-backups"
    return sorted(folder.glob("*.db")) if folder.is_dir() else []


def test_plain_check_only_reads_and_names_the_repair(office: Path) -> None:
    numbers = _damage_facts(office)
    before = _digest(office)
    result = run_cli("check", "--db", office)
    assert result.returncode == 1
    (line,) = [line for line in result.stdout.splitlines() if f"] {KEPT_FACTS_LABEL}：" in line]
    assert line.startswith(
        f"  [有问题] {KEPT_FACTS_LABEL}：1 张工单的统计汇总与其办理记录不一致：{numbers[0]}"
    )
    assert "办理记录本身没有受损" in line
    assert f"「xianghe-desk check --db {office} --repair」" in line
    assert "StatsStore" not in line  # nothing a clerk cannot do
    assert f"都可以从办理记录重建：请运行「xianghe-desk check --db {office} --repair」" in result.stderr
    assert "联系维护人员" not in result.stderr
    assert _digest(office) == before
    assert _backups(office) == []


def test_repair_backs_up_rebuilds_and_checks_again(office: Path) -> None:
    _damage_facts(office)
    history = _history(office)
    assert _kept_facts_found(office) == (1, 1, 1)

    result = run_cli("check", "--db", office, "--repair")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "已先备份数据库：" in out and "已从办理记录重建统计汇总" in out
    again = out[out.index("再检查一遍：") :]
    assert f"  [通过] {KEPT_FACTS_LABEL}：每张工单的统计汇总都与其办理记录一致" in again.splitlines()
    assert "[有问题]" not in again and again.rstrip().endswith("数据库完好。")

    # The backup: made before the rebuild (it still holds the damage), whole, and it opens.
    (backup,) = _backups(office)
    assert "-修复前-" in backup.name and str(backup) in out
    facts = inspect_database(backup, check="full")
    assert facts.integrity == ("ok",) and facts.stamp.get("verified")
    assert _kept_facts_found(backup) == (1, 1, 1)
    assert _history(backup) == history

    assert _kept_facts_found(office) == (0, 0, 0)
    assert _history(office) == history  # no request, no event changed
    assert run_cli("check", "--db", office).returncode == 0

    with Workspace.open(office, read_only=True) as ws:
        audit = AuditService(ws)
        (row,) = [e for e in audit.entries() if e.action == ACTION]
        assert audit.verify() == []
    assert row.user_name == "admin" and row.kind == "update"
    assert backup.name in row.summary and row.detail["backup"] == str(backup)
    assert "1 张工单有办理记录却没有统计汇总" in row.detail["finding"]


def test_repair_of_a_sound_database_changes_nothing(office: Path) -> None:
    before = _digest(office)
    result = run_cli("check", "--db", office, "--repair")
    assert result.returncode == 0, result.stderr
    assert "数据库完好，不需要修复。" in result.stdout
    assert _digest(office) == before and _backups(office) == []


def _status_differs(ws: Workspace) -> None:
    ws.db.execute(
        "UPDATE requests SET status = 'received' WHERE id = (SELECT min(id) FROM requests WHERE status = 'closed')"
    )


def _due_before_received(ws: Workspace) -> None:
    ws.db.execute(
        "UPDATE requests SET due_at = '2000-01-01 00:00:00' WHERE id = (SELECT min(id) FROM requests)"
    )


@pytest.mark.parametrize(
    ("damage", "label"), [(_status_differs, "状态与办理记录"), (_due_before_received, "办理时限")]
)
def test_other_damage_is_not_repaired(office: Path, damage, label: str) -> None:  # type: ignore[no-untyped-def]
    _damage_facts(office)
    with Workspace.open(office) as ws, ws.atomic():
        damage(ws)
    before = _digest(office)
    result = run_cli("check", "--db", office, "--repair")
    assert result.returncode == 1
    assert f"[有问题] {label}：" in result.stdout
    assert f"其中「{label}」不能自动修复，所以这次什么都没有修复，数据库没有改动" in result.stderr
    assert (
        "用最近一份完好的备份恢复" in result.stderr and f"xianghe-desk restore --db {office}" in result.stderr
    )
    assert "已先备份" not in result.stdout
    assert _digest(office) == before and _backups(office) == []


@pytest.mark.parametrize("user", ["zhen", "cun", "lingdao"])
def test_only_an_administrator_repairs(office: Path, user: str) -> None:
    _damage_facts(office)
    history = _history(office)
    result = run_cli("check", "--db", office, "--repair", "--user", user)
    assert result.returncode == 1
    assert "错误：修复数据库只有管理员可以做" in result.stderr
    assert repair_command(str(office)) in result.stderr
    assert _backups(office) == []
    assert _kept_facts_found(office) == (1, 1, 1) and _history(office) == history
    with Workspace.open(office, read_only=True) as ws:
        entries = AuditService(ws).entries()
    assert not [e for e in entries if e.action == ACTION and e.kind != "refused"]
    assert [e.user_name for e in entries if e.action == ACTION and e.kind == "refused"] == [user]


def test_a_write_protected_stick_is_refused(office: Path, tmp_path: Path) -> None:
    _damage_facts(office)
    stick = tmp_path / "stick"
    with tmpfs(stick, "40m"):
        db = stick / "xianghe.db"
        shutil.copy(office, db)
        remount_read_only(stick)
        listing = sorted(p.name for p in stick.iterdir())
        before = _digest(db)
        result = run_cli("check", "--db", db, "--repair")
        assert result.returncode == 1
        assert "只读的位置" in result.stderr and "不能修复，数据库没有改动" in result.stderr
        assert _digest(db) == before and sorted(p.name for p in stick.iterdir()) == listing


@pytest.mark.skipif(not encryption.available(), reason="sqlcipher3 is not installed")
def test_an_encrypted_database_is_repaired_with_the_key_of_the_sign_in(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Workspace.open(db_path) as ws:
        create_first_admin(ws, "boss", "first-pass-1")
    assert encryption.is_encrypted(db_path)
    key = encryption.unlock(db_path, "boss", "first-pass-1", datetime.now())
    with Workspace.open(db_path, key=key) as ws, ws.atomic():
        ws.db.execute("INSERT INTO request_facts (request_id, last_at) VALUES (?, ?)", [4242, "2026-01-01"])
    assert _kept_facts_found(db_path, key) == (0, 0, 1)

    monkeypatch.setenv("XIANGHE_USER", "boss")
    monkeypatch.setenv("XIANGHE_PASSWORD", "first-pass-1")
    result = run_cli("check", "--db", db_path, "--repair")
    assert result.returncode == 0, result.stdout + result.stderr
    assert encryption.is_encrypted(db_path)
    assert _kept_facts_found(db_path, key) == (0, 0, 0)
    (backup,) = [p for p in _backups(db_path) if "-修复前-" in p.name]
    assert encryption.is_encrypted(backup)
    backup_key = encryption.unlock(backup, "boss", "first-pass-1", datetime.now())
    assert inspect_database(backup, check="full", key=backup_key).integrity == ("ok",)
    assert _kept_facts_found(backup, backup_key) == (0, 0, 1)
