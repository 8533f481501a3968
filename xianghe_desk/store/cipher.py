"""Turning a plain database file into an encrypted one (SQLCipher's ``sqlcipher_export``), issue #10.

The encrypted copy is written under a temporary name beside the database, read back (SQLCipher's
integrity check and every table's row count against the plain file) and kept as a backup; only
then is the key file written and the copy renamed onto the database. The plain file is gone
after the rename: no readable copy stays behind under the database's name. A failure at any step
leaves the plain database as it was, and no key file that would claim it is encrypted.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from xianghe_desk.store import keys as keyfiles
from xianghe_desk.store.db import (
    DB_ERRORS,
    OPEN_ERRORS,
    KnownStoreError,
    is_plain_file,
    raw_connect,
    sqlcipher,
    table_counts,
    translate_errors,
)
from xianghe_desk.store.keys import PRIVATE_FILE_MODE, DatabaseKey

log = logging.getLogger(__name__)

_TEMP_PREFIX = ".xianghe-"


def _companions(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _temp_beside(path: Path, label: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d%H%M%S%f")
    return path.with_name(f"{_TEMP_PREFIX}{path.stem}-{label}-{stamp}.db")


def _remove(path: Path) -> None:
    for leftover in (path, *_companions(path)):
        with contextlib.suppress(OSError):
            leftover.unlink()


def export_encrypted(plain: Path, target: Path, key: DatabaseKey, *, exclusive: bool) -> dict[str, int]:
    """Write an encrypted copy of the plain database ``plain`` to ``target`` and read it back.

    ``exclusive``: first make sure no other connection has ``plain`` open (the database itself,
    not an old backup): switching it out of WAL needs every other connection closed.

    Returns:
        The row counts of every table, the same in both files.

    Raises:
        KnownStoreError: the file is in use, the disk is full, or the copy does not read back.
    """
    if sqlcipher is None:
        raise KnownStoreError(
            "本机的程序缺少 SQLCipher 组件（sqlcipher3），无法加密数据库。请重新安装本程序。"
        )
    _remove(target)
    with translate_errors(plain):
        conn = sqlcipher.connect(str(plain), timeout=2.0)
        try:
            conn.execute("PRAGMA cipher_log_level = NONE")
            if exclusive:
                # Fails ("database is locked") while another window or command has the file open.
                mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
                if str(mode).lower() != "delete":
                    raise KnownStoreError("数据库正被另一个程序使用，没有加密。请关闭其他窗口后重新登录。")
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            expected = table_counts(conn)
            # ATTACH takes the key as a bound value (raw-key form x'…'), never in the statement text.
            conn.execute("ATTACH DATABASE ? AS encrypted KEY ?", [str(target), key.pragma_value().strip('"')])
            conn.execute("SELECT sqlcipher_export('encrypted')").fetchall()
            conn.execute(f"PRAGMA encrypted.user_version = {version}")  # sqlcipher_export leaves it at 0
            conn.execute("DETACH DATABASE encrypted")
        finally:
            conn.close()
    os.chmod(target, PRIVATE_FILE_MODE)
    problem = _read_back(target, key, expected, version)
    if problem:
        _remove(target)
        raise KnownStoreError(f"加密后的副本读回检查没有通过（{problem}），数据库没有加密，也没有改动。")
    return expected


def _read_back(path: Path, key: DatabaseKey, expected: dict[str, int], version: int) -> str | None:
    try:
        conn = raw_connect(str(path), key=key)
    except OPEN_ERRORS as exc:
        return str(exc)
    try:
        if conn.execute("PRAGMA cipher_integrity_check").fetchall():
            return "密文校验失败"
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            return "文件已损坏"
        if int(conn.execute("PRAGMA user_version").fetchone()[0]) != version:
            return "数据版本不对"
        if table_counts(conn) != expected:
            return "行数与原数据库不一致"
    except DB_ERRORS as exc:
        return str(exc)
    finally:
        conn.close()
    return None


def encrypt_database(
    path: Path, key: DatabaseKey, keyring: dict[str, Any], backup_dir: Path | None
) -> Path | None:
    """Encrypt the plain database at ``path`` in place (every connection to it must be closed).

    Order: encrypted copy → read back → a copy of it (with the key file) in ``backup_dir`` →
    key file → rename onto the database. Killed before the key file is written, the plain
    database is untouched; killed between the key file and the rename, the key file is ignored
    (it sits beside a plain file) and the next sign-in encrypts again.

    Returns:
        The verified backup made on the way (None without ``backup_dir``).
    """
    if is_plain_file(path) is not True:
        raise KnownStoreError(f"「{path.name}」不是未加密的数据库，不能加密。")
    temp = _temp_beside(path, "encrypting")
    backup: Path | None = None
    try:
        export_encrypted(path, temp, key, exclusive=True)
        if backup_dir is not None:
            backup = _keep_backup(path, temp, keyring, backup_dir)
        keyfiles.write_keyring(keyfiles.keys_path(path), keyring)
        for leftover in _companions(path):
            leftover.unlink(missing_ok=True)
        os.replace(temp, path)
    except OSError as exc:
        raise KnownStoreError(f"数据库没有加密：{exc.strerror or exc}。请检查磁盘空间后重新登录。") from None
    finally:
        _remove(temp)
    log.info("database encrypted: %s", path.name)
    return backup


def _keep_backup(path: Path, encrypted: Path, keyring: dict[str, Any], backup_dir: Path) -> Path:
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = backup_dir / f"{path.stem}-加密时-{stamp}.db"
    partial = _temp_beside(target, "copy")
    try:
        shutil.copyfile(encrypted, partial)
        os.chmod(partial, PRIVATE_FILE_MODE)
        keyfiles.write_keyring(keyfiles.keys_path(target), keyring)
        os.replace(partial, target)
    finally:
        _remove(partial)
    return target


def encrypt_old_backups(backup_dir: Path, key: DatabaseKey, keyring: dict[str, Any]) -> list[Path]:
    """Encrypt the plain backups in ``backup_dir`` too: a stolen backup must not be readable.

    Each is replaced by an encrypted copy that read back whole; one that cannot be read is left
    alone (and logged), never removed.
    """
    done: list[Path] = []
    if not backup_dir.is_dir():
        return done
    for plain in sorted(backup_dir.glob("*.db")):
        if plain.name.startswith(_TEMP_PREFIX) or is_plain_file(plain) is not True:
            continue
        temp = _temp_beside(plain, "encrypting")
        try:
            export_encrypted(plain, temp, key, exclusive=False)
            keyfiles.write_keyring(keyfiles.keys_path(plain), keyring)
            for leftover in _companions(plain):
                leftover.unlink(missing_ok=True)
            os.replace(temp, plain)
            done.append(plain)
        except (KnownStoreError, OSError) as exc:
            log.warning("could not encrypt the old backup %s: %s", plain.name, exc)
        finally:
            _remove(temp)
    return done
