"""Opening the database: pragmas, migrations with a backup first, and the store's error split."""

from __future__ import annotations

import logging
import sqlite3
import uuid as uuid_module
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import sqlite_utils
from sqlite_utils import Database

from xianghe_desk.store import migrations

__all__ = ["Database", "KnownStoreError", "StoreBugError", "open_db"]

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000


class KnownStoreError(Exception):
    """A problem the user can act on: locked, disk full, read-only, corrupt, too new."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StoreBugError(Exception):
    """Anything else that went wrong in the store: a bug."""


def _known(exc: sqlite3.Error, path: Path | str) -> KnownStoreError | None:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return KnownStoreError(f"数据库正被另一个程序使用（{path}）。请关闭其他正在使用它的窗口后重试。")
    if "disk is full" in text or "database or disk is full" in text:
        return KnownStoreError("磁盘已满，数据没有保存。请清理磁盘空间后重试。")
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return KnownStoreError(f"无法写入数据库文件（{path}）。请检查文件是否只读、U盘是否写保护。")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return KnownStoreError(
            f"数据库文件已损坏或不是本程序的数据库（{path}）。请用「恢复备份」找回最近的备份。"
        )
    return None


@contextmanager
def translate_errors(path: Path | str = "") -> Iterator[None]:
    """Turn sqlite3 errors into KnownStoreError (user can act) or StoreBugError."""
    try:
        yield
    except sqlite3.Error as exc:
        known = _known(exc, path)
        if known is not None:
            raise known from exc
        raise StoreBugError(str(exc)) from exc


def now_text() -> str:
    """A change timestamp with milliseconds (local time), sortable as text."""
    return datetime.now().isoformat(sep=" ", timespec="milliseconds")


def new_uuid() -> str:
    return str(uuid_module.uuid4())


def connect(path: Path | str) -> sqlite_utils.Database:
    """A connection with the pragmas every connection needs; no migrations."""
    with translate_errors(path):
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=True)
        db = sqlite_utils.Database(conn, execute_plugins=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("journal_mode is %s, not WAL", mode)
        conn.execute("PRAGMA synchronous = NORMAL")
    return db


def open_db(path: Path | str, *, migrate: bool = True, backup: bool = True) -> sqlite_utils.Database:
    """Open (and create) the database at ``path`` and bring its schema up to date.

    Before any pending migration runs on a database that already holds data, a copy is made
    with SQLite's backup API. A database written by a newer program is refused, untouched.

    Raises:
        KnownStoreError: the file is locked, read-only, corrupt or too new.
    """
    path = Path(path)
    if path.exists() and path.is_dir():
        raise KnownStoreError(f"「{path}」是一个文件夹，不是数据库文件。")
    if not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    existed = path.exists() and path.stat().st_size > 0
    db = connect(path)
    try:
        with translate_errors(path):
            version = migrations.schema_version(db)
            if version > migrations.SCHEMA_VERSION or migrations.unknown_migrations(db):
                raise KnownStoreError(
                    f"这个数据库（{path.name}）由更新版本的程序创建（数据版本 {version}，"
                    f"本程序只认识到 {migrations.SCHEMA_VERSION}）。为避免损坏数据，本程序不会打开它。"
                    "请安装最新版本的香河「这就办」服务台账。"
                )
            if migrate and migrations.pending(db):
                if existed and backup and migrations.has_data(db):
                    backup_to(db, _migration_backup_path(path, version))
                migrations.apply(db)
    except BaseException:
        db.close()
        raise
    return db


def _migration_backup_path(path: Path, version: int) -> Path:
    from xianghe_desk.paths import backups_dir

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return backups_dir(path) / f"{path.stem}-v{version}-升级前-{stamp}.db"


def backup_to(db: sqlite_utils.Database, target: Path) -> Path:
    """Copy the live database to ``target`` with SQLite's online backup API."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with translate_errors(target):
        dest = sqlite3.connect(str(target))
        try:
            db.conn.backup(dest)
        finally:
            dest.close()
    return target


def restore_from(source: Path, target: Path) -> None:
    """Replace ``target``'s content with the backup at ``source`` (checked first)."""
    with translate_errors(source):
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            ok = src.execute("PRAGMA integrity_check").fetchone()[0]
            if ok != "ok":
                raise KnownStoreError(f"备份文件「{source.name}」已损坏，不能用来恢复。")
            dest = sqlite3.connect(str(target))
            try:
                src.backup(dest)
            finally:
                dest.close()
        finally:
            src.close()
