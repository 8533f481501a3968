"""Backups with SQLite's online backup API, and restoring one (keeping a copy of what it replaces)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from xianghe_desk import paths
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.store import db as store_db


def backup(db_path: Path, out_dir: Path | None = None) -> Path:
    """Copy the database (even while the desk has it open) into ``out_dir``."""
    if not db_path.exists():
        raise ValidationError(f"数据库文件「{db_path}」不存在，无法备份。", field="db")
    target_dir = out_dir or paths.backups_dir(db_path)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = target_dir / f"{db_path.stem}-备份-{stamp}.db"
    db = store_db.connect(db_path)
    try:
        return store_db.backup_to(db, target)
    finally:
        db.close()


def restore(db_path: Path, backup_path: Path) -> Path | None:
    """Replace the database with ``backup_path``; the current content is first saved as a backup.

    Returns the safety copy of what was replaced (None when there was nothing to replace).
    """
    if not backup_path.exists():
        raise ValidationError(f"备份文件「{backup_path}」不存在。", field="backup")
    probe = store_db.connect(backup_path)
    try:
        tables = {
            r[0] for r in probe.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        }
        version = int(probe.execute("PRAGMA user_version").fetchone()[0])
    finally:
        probe.close()
    if "requests" not in tables:
        raise ValidationError(f"「{backup_path.name}」不是本程序的数据库备份。", field="backup")
    from xianghe_desk.store.migrations import SCHEMA_VERSION

    if version > SCHEMA_VERSION:
        raise ValidationError("这个备份由更新版本的程序创建，请先升级程序再恢复。", field="backup")
    safety = backup(db_path) if db_path.exists() and db_path.stat().st_size > 0 else None
    store_db.restore_from(backup_path, db_path)
    return safety
