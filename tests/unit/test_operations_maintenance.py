"""operations/maintenance.rebuild_kept_facts: an administrator's repair of request_facts, a backup
first, one transaction, one audit row; every other role is refused and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.role_helpers import ROLE_LABELS, audit_rows, refused, sign_in
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.operations.base import REGISTRY
from xianghe_desk.operations.maintenance import KIND_BEFORE_REPAIR, rebuild_kept_facts
from xianghe_desk.services import backups
from xianghe_desk.services.check import (
    KEPT_FACTS_FIX,
    rebuildable,
    repair_command,
    run_checks,
)
from xianghe_desk.services.workspace import Workspace

ACTION = "database.rebuild_facts"


def _damage(ws: Workspace) -> None:
    with ws.atomic():
        ws.db.execute(
            "UPDATE request_facts SET satisfaction = 'unsatisfied'"
            " WHERE request_id = (SELECT min(request_id) FROM request_facts WHERE rated_id IS NOT NULL)"
        )
        ws.db.execute("INSERT INTO request_facts (request_id, last_at) VALUES (?, ?)", [10**9, "2026-01-01"])


def _backup_folder(ws: Workspace) -> Path:
    return ws.path.parent / f"{ws.path.stem}-backups"


def test_the_operation_is_registered_for_administrators_only() -> None:
    spec = REGISTRY[ACTION]
    assert spec.label == "重建统计汇总" and spec.permission.value == "restore"


def test_an_administrator_rebuilds_after_a_backup(demo_ws: Workspace) -> None:
    ws = sign_in(demo_ws, "admin")
    _damage(ws)
    results = run_checks(ws)
    assert rebuildable(results)
    events = ws.db.execute("SELECT count(*), sum(id) FROM request_events").fetchone()

    done = rebuild_kept_facts(ws, finding="测试")
    assert done.changes.all_requests
    backup = done.value.backup
    assert backup.parent == _backup_folder(ws) and f"-{KIND_BEFORE_REPAIR}-" in backup.name
    (entry,) = backups.list_backups(ws.path, [backup.parent])
    assert entry.verified and entry.kind == KIND_BEFORE_REPAIR
    assert all(r.ok for r in run_checks(ws)), [r for r in run_checks(ws) if not r.ok]
    assert ws.db.execute("SELECT count(*), sum(id) FROM request_events").fetchone() == events
    (row,) = audit_rows(ws, ACTION)
    assert row.user_name == "admin" and row.detail == {"backup": str(backup), "finding": "测试"}


@pytest.mark.parametrize("role", ["zhen", "cun", "lingdao"])
def test_other_roles_are_refused_and_nothing_is_written(demo_ws: Workspace, role: str) -> None:
    ws = sign_in(demo_ws, role)
    _damage(ws)
    kept = ws.db.execute("SELECT * FROM request_facts ORDER BY request_id").fetchall()
    refused(lambda: rebuild_kept_facts(ws), ROLE_LABELS[role])
    assert ws.db.execute("SELECT * FROM request_facts ORDER BY request_id").fetchall() == kept
    assert not _backup_folder(ws).exists()
    assert [e.kind for e in audit_rows(ws, ACTION)] == ["refused"]


def test_a_failed_backup_leaves_the_facts_as_they_were(demo_ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ws = sign_in(demo_ws, "admin")
    _damage(ws)
    kept = ws.db.execute("SELECT * FROM request_facts ORDER BY request_id").fetchall()

    def full_disk(*_args: object) -> Path:
        raise ValidationError("磁盘已满。", field="folder")

    monkeypatch.setattr(backups, "copy_database", full_disk)
    with pytest.raises(ValidationError):
        rebuild_kept_facts(ws)
    assert ws.db.execute("SELECT * FROM request_facts ORDER BY request_id").fetchall() == kept
    assert audit_rows(ws, ACTION) == []


def test_only_kept_facts_findings_count_as_rebuildable(demo_ws: Workspace) -> None:
    assert not rebuildable(run_checks(demo_ws))  # nothing failed: nothing to repair
    _damage(demo_ws)
    assert rebuildable(run_checks(demo_ws))
    with demo_ws.atomic():
        demo_ws.db.execute("UPDATE requests SET due_at = '2000-01-01 00:00:00' WHERE id = 1")
    assert not rebuildable(run_checks(demo_ws))


@pytest.mark.parametrize(
    ("db", "command"),
    [
        (None, "xianghe-desk check --repair"),
        ("town.db", "xianghe-desk check --db town.db --repair"),
        ("D:\\台账\\xianghe.db", "xianghe-desk check --db D:\\台账\\xianghe.db --repair"),
        ("/media/u盘 1/xianghe.db", 'xianghe-desk check --db "/media/u盘 1/xianghe.db" --repair'),
    ],
)
def test_the_repair_command_names_the_database_as_given(db: str | None, command: str) -> None:
    assert repair_command(db) == command
    assert command in KEPT_FACTS_FIX.format(command=command)


def test_the_finding_names_the_database_it_was_given(demo_ws: Workspace) -> None:
    _damage(demo_ws)
    (found,) = [r for r in run_checks(demo_ws, db="копия.db") if not r.ok]
    assert "「xianghe-desk check --db копия.db --repair」" in found.detail
    (default,) = [r for r in run_checks(demo_ws) if not r.ok]
    assert f"「xianghe-desk check --db {demo_ws.path} --repair」" in default.detail
