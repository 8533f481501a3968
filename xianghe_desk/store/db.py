"""Opening the database: pragmas, migrations with a backup first, and the store's error split."""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import uuid as uuid_module
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils import Database

from xianghe_desk.fileio import atomic_output, make_private, read_only_location
from xianghe_desk.store import keys as keyfiles
from xianghe_desk.store import migrations
from xianghe_desk.store.keys import DatabaseKey

try:  # SQLCipher for encrypted databases (issue #10); plain ones keep the standard library's sqlite3
    from sqlcipher3 import dbapi2 as sqlcipher
except ImportError:  # pragma: no cover - a broken installation; encrypted files then say so
    sqlcipher = None  # type: ignore[assignment]

__all__ = ["Database", "KnownStoreError", "StoreBugError", "open_db"]

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
# A backup's own record of when and how it was made (local.*: never travels in packages).
BACKUP_STAMP_KEY = "local.backup"


class KnownStoreError(Exception):
    """A problem the user can act on: locked, disk full, read-only, corrupt, too new."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StoreBugError(Exception):
    """Anything else that went wrong in the store: a bug."""


class DatabaseBusyError(KnownStoreError):
    """Another program (a command-line import, a second desk) is writing: waiting may be enough."""


class EncryptedDatabaseError(KnownStoreError):
    """The database is encrypted and was opened without its key (or with the wrong one): sign in."""


# sqlcipher3's exceptions do not derive from sqlite3's: code that catches a database error
# catches one of these tuples (store/base.py, conflicts.py, sync_apply.py).
DB_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error,) + ((sqlcipher.Error,) if sqlcipher else ())
INTEGRITY_ERRORS: tuple[type[Exception], ...] = (sqlite3.IntegrityError,) + (
    (sqlcipher.IntegrityError,) if sqlcipher else ()
)
# What opening a copy may raise: a database error, or a wrong key (raw_connect).
OPEN_ERRORS: tuple[type[Exception], ...] = (*DB_ERRORS, KnownStoreError)
OPERATIONAL_ERRORS: tuple[type[Exception], ...] = (sqlite3.OperationalError,) + (
    (sqlcipher.OperationalError,) if sqlcipher else ()
)
PLAIN_HEADER = b"SQLite format 3\x00"
ENCRYPTED_CACHE_KIB = 65536


class _PlainConnection(sqlite3.Connection):
    """A plain connection; ``key`` is None (the same attribute as an encrypted one's)."""

    key: DatabaseKey | None = None


if sqlcipher is not None:

    class _CipherConnection(sqlcipher.Connection):  # type: ignore[misc,name-defined]
        """A SQLCipher connection that remembers its key, so backups and copies use it too."""

        key: DatabaseKey | None = None


def key_of(db: sqlite_utils.Database | sqlite3.Connection) -> DatabaseKey | None:
    """The key a database was opened with (None: a plain file)."""
    conn = db.conn if isinstance(db, sqlite_utils.Database) else db
    return getattr(conn, "key", None)


def is_plain_file(path: Path | str) -> bool | None:
    """True: a plain SQLite file; False: not one (encrypted, or not a database); None: empty or missing."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(PLAIN_HEADER))
    except OSError:
        return None
    if not head:
        return None
    return head == PLAIN_HEADER


def is_encrypted_file(path: Path | str) -> bool:
    """An encrypted database of ours: not plain SQLite, with its key file beside it."""
    return is_plain_file(path) is False and keyfiles.keys_path(path).is_file()


def raw_connect(
    target: str,
    *,
    uri: bool = False,
    key: DatabaseKey | None = None,
    timeout: float = BUSY_TIMEOUT_MS / 1000,
    any_thread: bool = False,
) -> sqlite3.Connection:
    """A DB-API connection to ``target`` (a path, or a ``file:`` URI when ``uri``), keyed when ``key``.

    ``any_thread``: the connection may be used (one thread at a time) and closed from any thread:
    for the reader pool's kept connections (jobs/runner.ReaderPool), closed from the UI thread.

    The key goes in first, as a raw key (``x'…'``: no passphrase KDF), before anything reads the
    file; a wrong key is found at once. The key is never logged (DatabaseKey hides its repr).

    Raises:
        EncryptedDatabaseError: the key does not open the file.
    """
    if key is None:
        return sqlite3.connect(
            target, uri=uri, timeout=timeout, check_same_thread=not any_thread, factory=_PlainConnection
        )
    if sqlcipher is None:
        raise KnownStoreError(
            "这个数据库已加密，但本机的程序缺少 SQLCipher 组件（sqlcipher3），无法打开。请重新安装本程序。"
        )
    conn = sqlcipher.connect(
        target, uri=uri, timeout=timeout, check_same_thread=not any_thread, factory=_CipherConnection
    )
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")  # SQLCipher would print a wrong key to stderr
        conn.execute(f"PRAGMA key = {key.pragma_value()}")
        # Pages are decrypted into SQLite's page cache: a larger cache keeps a list page's pages
        # decrypted between queries (64 MB at most, taken only as pages are read; issue #10).
        conn.execute(f"PRAGMA cache_size = -{ENCRYPTED_CACHE_KIB}")
        conn.key = key
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError as exc:
        conn.close()
        if "not a database" in str(exc).lower():
            raise EncryptedDatabaseError(
                "数据库密钥不对，无法打开这个加密的数据库。请用这个数据库的账号登录。"
            ) from None
        raise
    return conn  # type: ignore[no-any-return]


def _refuse_encrypted_without_key(path: Path | str) -> None:
    if is_encrypted_file(path):
        raise EncryptedDatabaseError(
            f"数据库「{Path(path).name}」已加密：请先登录（命令行用 --user 用户名，"
            "密码用环境变量 XIANGHE_PASSWORD 或在提示时输入）。"
        )


def _known(exc: Exception, path: Path | str) -> KnownStoreError | None:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return DatabaseBusyError(f"数据库正被另一个程序使用（{path}）。请关闭其他正在使用它的窗口后重试。")
    if "disk is full" in text or "database or disk is full" in text:
        return KnownStoreError("磁盘已满，数据没有保存。请清理磁盘空间后重试。")
    if "disk i/o error" in text:
        # SQLite says this, not "full", when a full disk refuses its -wal/-shm files (issue #10).
        if _nearly_full(path):
            return KnownStoreError("磁盘已满，数据没有保存。请清理磁盘空间后重试。")
        return KnownStoreError(
            f"读写数据库文件时出错（{path}），数据没有保存。U盘是否被拔出？请检查磁盘后重试。"
        )
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return KnownStoreError(f"无法写入数据库文件（{path}）。请检查文件是否只读、U盘是否写保护。")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return KnownStoreError(
            f"数据库文件已损坏或不是本程序的数据库（{path}）。请用「恢复备份」找回最近的备份。"
        )
    return None


def _nearly_full(path: Path | str) -> bool:
    folder = Path(path).parent if str(path) else Path(".")
    try:
        return shutil.disk_usage(folder).free < 4 * 1024 * 1024
    except OSError:
        return False


@contextmanager
def translate_errors(path: Path | str = "") -> Iterator[None]:
    """Turn sqlite3 errors into KnownStoreError (user can act) or StoreBugError."""
    try:
        yield
    except DB_ERRORS as exc:
        known = _known(exc, path)
        if known is not None:
            raise known from exc
        raise StoreBugError(str(exc)) from exc


def data_version(db: sqlite_utils.Database) -> int:
    """Changes when another connection commits to the file (SQLite's ``PRAGMA data_version``)."""
    return int(db.execute("PRAGMA data_version").fetchone()[0])


def take_write_lock(db: sqlite_utils.Database) -> None:
    """Take the write lock now, inside the open transaction (waiting up to the busy timeout).

    A statement that writes nothing still starts a write transaction: work that follows reads the
    newest state and cannot fail later because another program committed in between (issue #10).
    """
    db.execute("DELETE FROM settings WHERE 0")


def now_text() -> str:
    """A change timestamp with milliseconds (local time), sortable as text."""
    return datetime.now().isoformat(sep=" ", timespec="milliseconds")


def new_uuid() -> str:
    return str(uuid_module.uuid4())


def read_only_uri(path: Path | str, snapshot: bool = False) -> str:
    """The URI that opens ``path`` read-only without writing anything beside it (issue #10).

    On a read-only medium (a write-protected USB stick) SQLite could not create the -shm file a
    WAL database needs, so it is told the file cannot change (``immutable=1``); the same for a
    ``snapshot`` (a backup file nobody writes to), so that reading it leaves no -wal/-shm behind.
    A -wal file that holds pages is part of the database: then plain ``mode=ro`` reads it. A WAL
    database without any -wal file is open nowhere (SQLite keeps the -wal while a connection is
    open, and its writers only touch the main file when checkpointing from that -wal): reading it
    as immutable is safe, and ``check`` then leaves no -wal/-shm beside the file it checks.
    """
    path = Path(path)
    uri = f"{path.resolve().as_uri()}?mode=ro"
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        if wal.stat().st_size == 0 and (snapshot or read_only_location(path)):
            uri += "&immutable=1"
    elif snapshot or read_only_location(path) or _wal_header(path):
        uri += "&immutable=1"
    return uri


def _wal_header(path: Path) -> bool:
    """Whether the file's header says WAL mode (bytes 18 and 19 are 2)."""
    try:
        with path.open("rb") as handle:
            header = handle.read(20)
    except OSError:
        return False
    return len(header) == 20 and header[:16] == PLAIN_HEADER and header[18] == 2


def connect(
    path: Path | str,
    *,
    read_only: bool = False,
    snapshot: bool = False,
    key: DatabaseKey | None = None,
    any_thread: bool = False,
) -> sqlite_utils.Database:
    """A connection with the pragmas every connection needs; no migrations.

    ``read_only``: nothing is written to the file, not even the switch to WAL, so a database on
    a write-protected medium can be read and ``check`` never changes what it checks (issue #10).
    ``snapshot``: read-only, for a file nobody else writes to (a backup; see read_only_uri).
    ``key``: the database key of an encrypted database (store/keys.py); None for a plain one.
    ``any_thread``: see raw_connect.
    """
    read_only = read_only or snapshot
    if key is None:
        _refuse_encrypted_without_key(path)
    with translate_errors(path):
        if read_only:
            conn = raw_connect(read_only_uri(path, snapshot), uri=True, key=key, any_thread=any_thread)
        else:
            conn = raw_connect(str(path), key=key, any_thread=any_thread)
        db = sqlite_utils.Database(conn, execute_plugins=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        if not read_only:
            # Readable by this user only, new or old, with its -wal/-shm (issue #10).
            for own in (Path(path), Path(f"{path}-wal"), Path(f"{path}-shm")):
                make_private(own)
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("journal_mode is %s, not WAL", mode)
            conn.execute("PRAGMA synchronous = NORMAL")
    return db


def open_db(
    path: Path | str,
    *,
    migrate: bool = True,
    backup: bool = True,
    read_only: bool = False,
    key: DatabaseKey | None = None,
    any_thread: bool = False,
) -> sqlite_utils.Database:
    """Open (and create) the database at ``path`` and bring its schema up to date.

    Before any pending migration runs on a database that already holds data, a copy is made
    with SQLite's backup API and read back (_verified_backup). A database written by a newer
    program is refused, untouched: its version is read before anything writes to the file.

    ``read_only``: open an existing database without writing a byte (no WAL switch, no
    migration): for a write-protected medium and for ``check`` (issue #10). ``key``: the key of
    an encrypted database (None: a plain one; an encrypted file then raises EncryptedDatabaseError).
    ``any_thread``: the connection may be closed from another thread (see raw_connect).

    Raises:
        KnownStoreError: the file is locked, read-only, corrupt or too new, or its backup failed.
    """
    path = Path(path)
    if read_only:
        return _open_read_only(path, key, any_thread)
    if path.exists() and path.is_dir():
        raise KnownStoreError(f"「{path}」是一个文件夹，不是数据库文件。")
    if not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    existed = path.exists() and path.stat().st_size > 0
    if existed:
        # connect() switches the file to WAL, which alone rewrites its header (issue #12).
        _refuse_if_newer_read_only(path, key)
    db = connect(path, key=key, any_thread=any_thread)
    try:
        with translate_errors(path):
            _refuse_if_newer(db, path)
            version = migrations.schema_version(db)
            if migrate and migrations.pending(db):
                if existed and backup and migrations.has_data(db):
                    _verified_backup(db, _migration_backup_path(path, version), version)
                migrations.apply(db)
    except BaseException:
        db.close()
        raise
    return db


def _open_read_only(
    path: Path, key: DatabaseKey | None = None, any_thread: bool = False
) -> sqlite_utils.Database:
    if not path.is_file():
        raise KnownStoreError(f"数据库文件「{path}」不存在。请检查路径。")
    db = connect(path, read_only=True, key=key, any_thread=any_thread)
    try:
        with translate_errors(path):
            _refuse_if_newer(db, path)
            if not migrations.has_data(db):
                raise KnownStoreError(
                    f"「{path.name}」里没有任何数据表，不是本程序的数据库（可能是空文件或没有写完的文件）。"
                )
            if migrations.pending(db):
                raise KnownStoreError(
                    f"数据库「{path.name}」是旧版本程序的数据（数据版本 {migrations.schema_version(db)}），"
                    "要先升级才能使用，但它在只读的位置（U盘写保护或只读文件），无法升级。"
                    "请把它复制到电脑上可以写入的文件夹后再打开。"
                )
    except BaseException:
        db.close()
        raise
    return db


def _refuse_if_newer(db: sqlite_utils.Database, path: Path) -> None:
    version = migrations.schema_version(db)
    if version > migrations.SCHEMA_VERSION or migrations.unknown_migrations(db):
        raise KnownStoreError(
            f"这个数据库（{path.name}）由更新版本的程序创建（数据版本 {version}，"
            f"本程序只认识到 {migrations.SCHEMA_VERSION}）。为避免损坏数据，本程序不会打开它。"
            "请安装最新版本的香河「这就办」服务台账。"
        )


def _refuse_if_newer_read_only(path: Path, key: DatabaseKey | None = None) -> None:
    if key is None:
        _refuse_encrypted_without_key(path)
    with translate_errors(path):
        conn = raw_connect(read_only_uri(path), uri=True, key=key)
        try:
            _refuse_if_newer(sqlite_utils.Database(conn, execute_plugins=False), path)
        finally:
            conn.close()


def _verified_backup(db: sqlite_utils.Database, target: Path, version: int) -> Path:
    """The pre-migration backup, read back before anything is migrated (issue #12).

    The copy must pass SQLite's integrity check and hold the same schema version, tables and row
    counts as the live database; otherwise it is removed and nothing is migrated.
    """
    backup_to(db, target)
    problem = _backup_problem(db, target, version)
    if problem:
        target.unlink(missing_ok=True)
        raise KnownStoreError(
            f"升级数据库前的备份没有通过检查（{problem}），数据库没有升级，也没有改动。"
            f"请确认「{target.parent}」所在的磁盘空间充足、可以写入，然后重新打开。"
        )
    log.info("backup before migrating from version %d: %s", version, target)
    return target


def _backup_problem(db: sqlite_utils.Database, target: Path, version: int) -> str | None:
    if not target.is_file():
        return "备份文件没有写出"
    try:
        copy = raw_connect(f"{target.resolve().as_uri()}?mode=ro", uri=True, key=key_of(db))
    except OPEN_ERRORS as exc:
        return str(exc)
    try:
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            return "备份文件已损坏"
        if copy.execute("PRAGMA user_version").fetchone()[0] != version:
            return "备份的数据版本不对"
        tables = db.table_names()
        copied = sqlite_utils.Database(copy, execute_plugins=False).table_names()
        if sorted(copied) != sorted(tables):
            return "备份中的表与数据库不一致"
        for table in tables:
            # Identifiers from sqlite_master, quoted; no user input reaches this statement.
            sql = 'SELECT count(*) FROM "{}"'.format(table.replace('"', '""'))
            if copy.execute(sql).fetchone()[0] != db.execute(sql).fetchone()[0]:
                return f"备份中「{table}」的行数与数据库不一致"
    except DB_ERRORS as exc:
        return str(exc)
    finally:
        copy.close()
    return None


def _migration_backup_path(path: Path, version: int) -> Path:
    from xianghe_desk.paths import backups_dir

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return backups_dir(path) / f"{path.stem}-v{version}-升级前-{stamp}.db"


def backup_to(db: sqlite_utils.Database, target: Path, *, stamp: dict[str, Any] | None = None) -> Path:
    """Copy the database to ``target`` with SQLite's online backup API: all of it, or no file.

    The copy is written under a temporary name beside ``target`` and renamed only once it reads
    back: SQLite's integrity check passes and every table holds as many rows as the database did
    at the moment of copying (one read transaction covers the counts and the copy). A killed
    process or a full disk leaves no file under ``target``'s name (issue #10). The copy uses a
    rollback journal, not WAL: one self-contained file that a write-protected USB stick can be
    read from, without -wal/-shm files appearing beside it. ``stamp`` (when and how the copy was
    made) is kept in the copy's own ``local.backup`` setting, which never travels in packages.

    Raises:
        KnownStoreError: the folder cannot be written, the disk is full, or the copy did not read back.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KnownStoreError(
            f"无法建立备份文件夹「{target.parent}」：{exc.strerror or exc}。请换一个文件夹，或检查U盘是否写保护。"
        ) from None
    conn = db.conn
    with atomic_output(target, ".db") as temp:
        own_transaction = not conn.in_transaction
        with translate_errors(db_path_of(db)):
            if own_transaction:
                conn.execute("BEGIN")
            try:
                expected = table_counts(conn)
                _copy_into(conn, temp, stamp, target)
            finally:
                if own_transaction:
                    conn.execute("COMMIT")
        problem = copy_problem(temp, expected, key=key_of(conn))
        if problem:
            raise KnownStoreError(
                f"备份「{target.name}」写完后读回检查没有通过（{problem}），没有留下这个备份。"
                f"请确认「{target.parent}」所在的磁盘空间充足、可以写入，然后重试。"
            )
    carry_keys(db_path_of(db), target, key_of(conn))
    return target


def carry_keys(source_db: Path | str, copy: Path, key: DatabaseKey | None) -> None:
    """An encrypted copy takes its key file along (0600): the same passwords open it (issue #10).

    Without it a backup on a USB stick could not be opened once the computer is gone.
    """
    if key is None:
        return
    source = keyfiles.keys_path(source_db)
    try:
        keyfiles.write_private(keyfiles.keys_path(copy), source.read_bytes())
    except OSError as exc:
        copy.unlink(missing_ok=True)
        raise KnownStoreError(
            f"备份的密钥文件没有写出（{exc.strerror or exc}），没有留下这个备份。请检查磁盘空间后重试。"
        ) from None


def _copy_into(conn: sqlite3.Connection, temp: Path, stamp: dict[str, Any] | None, target: Path) -> None:
    try:
        dest = raw_connect(str(temp), key=key_of(conn))
        try:
            conn.backup(dest)
            if stamp is not None:
                _stamp(dest, stamp)
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
    except DB_ERRORS as exc:
        if "full" in str(exc).lower():
            raise KnownStoreError(
                f"磁盘已满，备份「{target.name}」没有写完，也没有留下不完整的文件。"
                "请清理磁盘空间或换一个文件夹后重试。"
            ) from exc
        raise


def _stamp(dest: sqlite3.Connection, stamp: dict[str, Any]) -> None:
    has_settings = dest.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'settings'"
    ).fetchone()
    if not has_settings:
        return
    with dest:
        dest.execute(
            "INSERT INTO settings (key, value, updated_at, device_id)"
            " VALUES (?, ?, ?, (SELECT id FROM devices WHERE is_self = 1))"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            [BACKUP_STAMP_KEY, json.dumps(stamp, ensure_ascii=False), now_text()],
        )


def db_path_of(db: sqlite_utils.Database) -> str:
    """The file behind a connection (for messages)."""
    row = db.conn.execute("PRAGMA database_list").fetchone()
    return str(row[2]) if row else ""


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows of every table (SQLite's own tables aside): what a copy must hold as well."""
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    # Identifiers from sqlite_master, quoted; no user input reaches these statements.
    return {
        name: int(conn.execute('SELECT count(*) FROM "{}"'.format(name.replace('"', '""'))).fetchone()[0])
        for name in names
    }


def copy_problem(copy: Path, expected: dict[str, int], key: DatabaseKey | None = None) -> str | None:
    """Why the copy at ``copy`` is not a whole copy of a database with ``expected`` rows, or None.

    The ``settings`` table may differ by the copy's own stamp (backup_to's ``stamp``).
    """
    try:
        conn = raw_connect(read_only_uri(copy, snapshot=True), uri=True, key=key)
    except OPEN_ERRORS as exc:
        return str(exc)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            return f"文件已损坏：{result}"
        counts = table_counts(conn)
    except DB_ERRORS as exc:
        return str(exc)
    finally:
        conn.close()
    if sorted(counts) != sorted(expected):
        return "表与数据库不一致"
    for table, rows in expected.items():
        if table != "settings" and counts[table] != rows:
            return f"「{table}」有 {counts[table]} 行，数据库有 {rows} 行"
    return None


def restore_from(source: Path, target: Path, key: DatabaseKey | None = None) -> None:
    """Replace ``target``'s content with the database at ``source``, in one transaction.

    ``source`` is only read (a write-protected USB stick works, and nothing appears beside it);
    SQLite's backup API writes ``target`` through its journal, so a process killed half-way
    leaves ``target`` as it was. The caller has checked ``source`` (services/backups.py).
    ``key``: both files' database key when they are encrypted (a backup keeps the key of the
    database it was made from); the backup's key file is merged into ``target``'s, so the
    passwords the backup knew still open it (issue #10).
    """
    with translate_errors(source):
        src = raw_connect(read_only_uri(source, snapshot=True), uri=True, key=key)
        try:
            with translate_errors(target):
                dest = connect(target, key=key)
                try:
                    src.backup(dest.conn)
                finally:
                    dest.close()
        finally:
            src.close()
    if key is not None:
        merge_keys(keyfiles.keys_path(source), keyfiles.keys_path(target))


def merge_keys(source: Path, target: Path) -> None:
    """Add the slots of key file ``source`` that ``target`` lacks (the same database key)."""
    try:
        theirs = keyfiles.read_keyring(source)
    except keyfiles.KeyFileError:
        return
    try:
        file_id = keyfiles.read_keyring(target)["file_id"]
    except keyfiles.KeyFileError:
        file_id = None
    if file_id != theirs["file_id"]:
        # Another lineage of keys (or none): the restored database keeps the backup's own.
        keyfiles.write_private(target, source.read_bytes())
        return
    with keyfiles.changing(target) as ours:
        known = {s.get("id") for s in ours["slots"]}
        ours["slots"].extend(slot for slot in theirs["slots"] if slot.get("id") not in known)


def backup_file(
    source: Path, target: Path, *, stamp: dict[str, Any] | None = None, key: DatabaseKey | None = None
) -> Path:
    """backup_to through a read-only connection of its own, so the caller's transaction (an
    operation's) is not stretched over the copy, and a database on a read-only medium can be
    backed up too. ``key``: the database key of an encrypted database."""
    db = connect(source, read_only=True, key=key)
    try:
        return backup_to(db, target, stamp=stamp)
    finally:
        db.close()
