"""Upgrades keep the data (issue #12): a database made by an earlier release migrates after a verified
backup and passes ``check``; one made by a newer release is refused and not a byte of it changes.

tests/fixtures/schema_v2.db was written by the program at schema version 2 (commit 7511e0b, before
migration 0003), with a few rows in every state: see tests/fixtures/make_schema_v2.py.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from xianghe_desk.domain.enums import Status
from xianghe_desk.domain.queries import RequestFilter
from xianghe_desk.services.check import run_checks
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store import db as store_db
from xianghe_desk.store import migrations
from xianghe_desk.store.db import KnownStoreError, open_db

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "schema_v2.db"
NOW = datetime(2026, 12, 1, 9, 0)
STATUSES = {
    "102-FHZX-2611-0001": Status.RECEIVED,
    "102-FHZX-2611-0002": Status.DISPATCHED,
    "102-FHZX-2611-0003": Status.COMPLETED,
    "102-FHZX-2611-0004": Status.CLOSED,
}


def _dump(path: Path) -> list[str]:
    """Schema and rows, as SQL text (equal dumps: the same data, whatever the pages look like)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def _version(path: Path) -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    path = tmp_path / "xianghe.db"
    shutil.copy(FIXTURE, path)
    return path


def test_the_fixture_is_a_schema_2_database_with_data() -> None:
    assert _version(FIXTURE) == 2
    dump = _dump(FIXTURE)
    assert sum(line.startswith('INSERT INTO "requests"') for line in dump) == len(STATUSES)
    assert 2 < migrations.SCHEMA_VERSION  # otherwise this file no longer tests an upgrade


def test_an_earlier_release_database_migrates_after_a_verified_backup(
    old_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _dump(old_db)
    backups = old_db.parent / "xianghe-backups"
    seen_when_migrating: list[list[Path]] = []
    real_apply = migrations.apply

    def apply(db) -> None:  # type: ignore[no-untyped-def]
        seen_when_migrating.append(sorted(backups.glob("*.db")))
        real_apply(db)

    monkeypatch.setattr(migrations, "apply", apply)

    with Workspace.open(old_db, clock=lambda: NOW) as ws:
        assert migrations.schema_version(ws.db) == migrations.SCHEMA_VERSION
        assert migrations.pending(ws.db) == []
        problems = [f"{r.label}：{r.detail}" for r in run_checks(ws) if not r.ok]
        assert problems == []
        service = RequestService(ws)
        for number, status in STATUSES.items():
            found = service.find_by_number(number)
            assert found is not None and found.status is status, number
        closed = service.find_by_number("102-FHZX-2611-0004")
        assert closed is not None
        assert [e.action for e in service.events(closed.id)] == [
            "received",
            "dispatched",
            "completed",
            "followed_up",
        ]
        # Migration 0003 indexed phone digits: a landline saved as 0316-5712345 in version 2 is
        # found by its digits alone.
        assert service.count(RequestFilter(text="5712345")) == 1

    # The backup was there, complete, before the first migration ran; it is the old database.
    (copy,) = sorted(backups.glob("*.db"))
    assert seen_when_migrating == [[copy]]
    assert "v2" in copy.name
    assert _version(copy) == 2
    assert _dump(copy) == before


def test_a_backup_that_does_not_read_back_stops_the_upgrade(
    old_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _dump(old_db)
    real_backup = store_db.backup_to

    def truncated_backup(db, target: Path) -> Path:  # type: ignore[no-untyped-def]
        real_backup(db, target)
        with target.open("r+b") as copy:  # as a full disk or a pulled USB stick would leave it
            copy.truncate(target.stat().st_size // 3)
        return target

    monkeypatch.setattr(store_db, "backup_to", truncated_backup)
    with pytest.raises(KnownStoreError, match="备份没有通过检查") as refused:
        open_db(old_db)
    assert "没有升级" in refused.value.message
    assert _version(old_db) == 2
    assert _dump(old_db) == before
    assert list((old_db.parent / "xianghe-backups").glob("*.db")) == []


@pytest.mark.parametrize("how", ["user_version", "unknown_migration"])
def test_a_newer_release_database_is_refused_and_not_a_byte_changes(tmp_path: Path, how: str) -> None:
    """Stamped by a later release, in the rollback-journal mode a copy from another tool may have."""
    path = tmp_path / "newer.db"
    shutil.copy(FIXTURE, path)
    conn = sqlite3.connect(path)
    if how == "user_version":
        conn.execute(f"PRAGMA user_version = {migrations.SCHEMA_VERSION + 1}")
    else:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
            ["xianghe", "0099_from_the_future", "2030-01-01"],
        )
    conn.commit()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    original = path.read_bytes()

    with pytest.raises(KnownStoreError, match="更新版本") as refused:
        Workspace.open(path)
    assert "请安装最新版本" in refused.value.message
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["newer.db"]  # no -wal, -shm or backups
