"""Backups that can be trusted (issue #10): whole and verified or absent, rotated, listed with their
counts; a restore refuses what is not a whole database of this program and asks before a large drop."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.unit.role_helpers import sign_in
from xianghe_desk.domain.access import PermissionDeniedError
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.operations.backups import auto_backup, backup_database, restore_database, set_backup_folder
from xianghe_desk.services import backups
from xianghe_desk.services.backup_rotation import auto_backup_due, backups_to_keep, backups_to_remove
from xianghe_desk.services.backups import BackupService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store import db as store_db
from xianghe_desk.store.db import KnownStoreError
from xianghe_desk.store.integrity import inspect_database

NOW = datetime(2026, 11, 26, 18, 0)


# ---------------------------------------------------------------- rotation (pure, made-up dates)
def test_a_year_of_daily_backups_keeps_7_days_4_weeks_12_months() -> None:
    made = [(f"day-{i}", NOW - timedelta(days=i)) for i in range(400)]
    kept = backups_to_keep(made)
    days = [int(name.split("-")[1]) for name in kept]
    assert days[:7] == [0, 1, 2, 3, 4, 5, 6]  # the last 7 days
    # Weeks (ISO, Monday first): today is Thursday 26 Nov; the newest of each of the 4 last weeks.
    assert {0, 4, 11, 18} <= set(days)
    # Months: the newest backup of each of the last 12 months (the last day of each month).
    month_ends = {(NOW - timedelta(days=d)).strftime("%Y-%m") for d in days}
    assert len(month_ends) == 12
    assert max(days) < 366
    assert len(kept) == 20
    removed = backups_to_remove(made)
    assert len(removed) + len(kept) == 400
    assert not set(removed) & set(kept)


def test_several_backups_a_day_keep_the_newest_of_the_day() -> None:
    made = [(f"{h}", NOW.replace(hour=h)) for h in (8, 12, 17)]
    assert backups_to_keep(made) == ["17"]
    assert backups_to_remove(made) == ["8", "12"]


def test_days_without_a_backup_cost_nothing() -> None:
    # The desk was not opened for a fortnight: the 7 daily backups reach further back.
    made = [(i, NOW - timedelta(days=14 + i)) for i in range(10)]
    assert backups_to_keep(made)[:7] == [0, 1, 2, 3, 4, 5, 6]
    assert backups_to_keep([]) == []


def test_an_automatic_backup_is_due_once_a_day() -> None:
    assert auto_backup_due(None, NOW)
    assert not auto_backup_due(NOW - timedelta(hours=23), NOW)
    assert auto_backup_due(NOW - timedelta(hours=24), NOW)
    assert auto_backup_due(NOW + timedelta(days=3), NOW)  # a clock put back: do not wait for days


# ---------------------------------------------------------------- making a backup
def test_a_backup_is_whole_verified_stamped_and_a_single_file(demo_ws: Workspace, tmp_path: Path) -> None:
    sign_in(demo_ws, "admin")
    out = tmp_path / "out"
    target = backup_database(demo_ws, out).value
    assert target.parent == out and target.name.startswith("demo-备份-")
    assert sorted(p.name for p in out.iterdir()) == [target.name]  # no temp, -wal, -shm or -journal
    facts = inspect_database(target, snapshot=True)
    assert facts.integrity == ("ok",)
    live = inspect_database(demo_ws.path, check="none")
    assert (facts.towns, facts.residents, facts.requests) == (live.towns, live.residents, live.requests)
    assert facts.stamp["kind"] == "备份" and facts.stamp["verified"]
    with target.open("rb") as handle:
        header = handle.read(20)
    assert header[18] == 1  # rollback journal: opens on a write-protected stick without -wal/-shm
    (entry,) = backups.list_backups(demo_ws.path, [out])
    assert entry.verified and entry.kind == "备份" and entry.size == target.stat().st_size
    assert sorted(p.name for p in out.iterdir()) == [target.name]  # listing created nothing


def test_a_copy_that_does_not_read_back_leaves_no_file(
    demo_ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk or a pulled USB stick half-way: nothing under the real name, no temp file."""
    real_copy = store_db._copy_into

    def truncated(conn, temp, stamp, target):  # type: ignore[no-untyped-def]
        real_copy(conn, temp, stamp, target)
        with temp.open("r+b") as handle:
            handle.truncate(temp.stat().st_size // 3)

    monkeypatch.setattr(store_db, "_copy_into", truncated)
    out = tmp_path / "out"
    with pytest.raises(KnownStoreError, match="读回检查没有通过"):
        backups.copy_database(demo_ws.path, out, backups.KIND_MANUAL, NOW)
    assert list(out.iterdir()) == []


def test_two_backups_in_the_same_second_keep_both(demo_ws: Workspace, tmp_path: Path) -> None:
    first = backups.copy_database(demo_ws.path, tmp_path, backups.KIND_MANUAL, NOW)
    second = backups.copy_database(demo_ws.path, tmp_path, backups.KIND_MANUAL, NOW)
    assert first != second and first.exists() and second.exists()


def test_automatic_backups_go_to_both_folders_and_rotate(demo_ws: Workspace, tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    sign_in(demo_ws, "admin")
    stick = tmp_path / "usb"
    stick.mkdir()
    set_backup_folder(demo_ws, stick)
    service = BackupService(demo_ws)
    assert service.auto_backup_due()
    for _day in range(10):
        result = auto_backup(demo_ws).value
        assert len(result.written) == 2 and not result.problems
        clock.advance(days=1)
    for folder in (service.default_folder(), stick):
        autos = sorted(p.name for p in folder.iterdir() if "自动备份" in p.name)
        # 26 Nov – 5 Dec: the last 7 days; the newest of each week and month is among them.
        assert len(autos) == 7 and autos[0] == "demo-自动备份-20261129-100000.db"
    # A clerk's own backup is never rotated away.
    manual = auto_backup(demo_ws, backups.KIND_MANUAL).value.written[0]
    clock.advance(days=30)
    auto_backup(demo_ws)
    assert manual.exists()
    listed = service.entries()
    assert listed[0].made_at == clock() and all(e.verified for e in listed)
    assert {e.path.parent for e in listed} == {service.default_folder(), stick}


def test_a_missing_or_write_protected_second_folder_is_said_not_raised(
    demo_ws: Workspace, tmp_path: Path
) -> None:
    sign_in(demo_ws, "admin")
    set_backup_folder(demo_ws, tmp_path / "usb-not-plugged-in")
    result = auto_backup(demo_ws).value
    assert len(result.written) == 1
    assert "找不到" in result.status_text() and "U盘" in result.status_text()


def test_only_an_administrator_chooses_the_backup_folder(demo_ws: Workspace, tmp_path: Path) -> None:
    sign_in(demo_ws, "zhen")
    with pytest.raises(PermissionDeniedError):
        set_backup_folder(demo_ws, tmp_path)
    # ... while every clerk's desk makes its automatic backups.
    sign_in(demo_ws, "cun")
    assert auto_backup(demo_ws).value.written


# ---------------------------------------------------------------- restoring
def _backup(ws: Workspace, folder: Path) -> Path:
    return backups.copy_database(ws.path, folder, backups.KIND_MANUAL, NOW)


def _sql(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    with conn:
        for statement in statements:
            conn.execute(statement)
    conn.close()


def test_restore_refuses_what_is_not_a_whole_database(demo_ws: Workspace, tmp_path: Path) -> None:
    good = _backup(demo_ws, tmp_path / "b")
    empty = tmp_path / "empty.db"
    empty.touch()
    half = tmp_path / "half.db"
    half.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    foreign = tmp_path / "foreign.db"
    _sql(foreign, "CREATE TABLE notes (x)")
    partial = tmp_path / "partial.db"
    shutil.copy(good, partial)
    _sql(partial, "DROP TABLE request_events")
    no_towns = tmp_path / "no_towns.db"
    shutil.copy(good, no_towns)
    _sql(no_towns, "UPDATE towns SET deleted_at = '2026-01-01'")
    for bad, why in (
        (empty, "没有写完"),
        (half, "已损坏"),
        (foreign, "不是本程序的数据库"),
        (partial, "缺少数据表：request_events"),
        (no_towns, "没有任何镇村"),
        (tmp_path / "missing.db", "不存在"),
    ):
        with pytest.raises(ValidationError, match=why):
            backups.restore_plan(demo_ws.path, bad)
    assert empty.stat().st_size == 0  # looked at, never turned into a database


def test_restore_shows_both_sides_and_a_large_drop_needs_force(demo_ws: Workspace, tmp_path: Path) -> None:
    sign_in(demo_ws, "admin")
    smaller = _backup(demo_ws, tmp_path / "b")
    _sql(smaller, "UPDATE requests SET deleted_at = '2026-01-01' WHERE id % 2 = 0")
    plan = backups.restore_plan(demo_ws.path, smaller)
    before = inspect_database(demo_ws.path, check="none")
    rows = {label: (now, then) for label, now, then in plan.comparison()}
    assert rows["工单"] == (f"{before.requests:,}", f"{plan.incoming.requests:,}")
    assert rows["服务对象"][0] == rows["服务对象"][1]
    assert rows["最后修改"][0].startswith("20")
    assert plan.large_drop and "工单" in plan.drops[0] and "少了" in plan.drops[0]
    assert "现在的数据库" in plan.comparison_text()
    with pytest.raises(ValidationError, match="--force"):
        restore_database(demo_ws, smaller)
    assert inspect_database(demo_ws.path, check="none").requests == before.requests
    result = restore_database(demo_ws, smaller, force=True)
    after = inspect_database(demo_ws.path, check="none")
    assert after.requests == plan.incoming.requests < before.requests
    assert result.safety is not None and inspect_database(result.safety).requests == before.requests


def test_only_an_administrator_restores(demo_ws: Workspace, tmp_path: Path) -> None:
    good = _backup(demo_ws, tmp_path / "b")
    sign_in(demo_ws, "zhen")
    with pytest.raises(PermissionDeniedError):
        restore_database(demo_ws, good)
