"""The database key and its key file (issue #10): who may unwrap the key of an encrypted database.

An encrypted database (SQLCipher) is opened with one random 256-bit key. That key is never
stored in clear: the key file beside the database (``xianghe.db.keys``, mode 0600, JSON) holds
it *wrapped* (AES-256-GCM) once for each account, with a key derived from the account's password
(Argon2id, memory-hard), and once for the administrator's printed recovery code. The users table
lives inside the encrypted database, so signing in unwraps the key from this file first.

A password change adds a slot for the new password and drops the old one; the database file is
never re-encrypted. A lost key file, or every password and the recovery code forgotten, leaves
the database unreadable: nobody (not the maintainers either) can recover it.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT = "xianghe-desk keys"
VERSION = 1
KEY_BYTES = 32
_KEK_LABEL = b"xianghe-desk kek v1\x00"
_AAD_LABEL = "xianghe-desk database key v1"
PRIVATE_FILE_MODE = 0o600


class DatabaseKey:
    """The raw 256-bit database key. Its repr never shows the key (it must never reach a log)."""

    __slots__ = ("_raw",)

    def __init__(self, raw: bytes) -> None:
        if len(raw) != KEY_BYTES:
            raise ValueError("a database key has 32 bytes")
        self._raw = bytes(raw)

    @classmethod
    def generate(cls) -> DatabaseKey:
        return cls(secrets.token_bytes(KEY_BYTES))

    @property
    def raw(self) -> bytes:
        return self._raw

    def pragma_value(self) -> str:
        """The value for ``PRAGMA key``: a raw key, so SQLCipher runs no passphrase KDF of its own."""
        return f"\"x'{self._raw.hex()}'\""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DatabaseKey) and hmac.compare_digest(self._raw, other._raw)

    def __hash__(self) -> int:
        return hash(hashlib.sha256(self._raw).digest())

    def __repr__(self) -> str:
        return "DatabaseKey(<hidden>)"

    __str__ = __repr__

    def __reduce__(self) -> Any:  # never pickled into a file or a queue by accident
        raise TypeError("a DatabaseKey is not to be pickled")


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost: the same profile the password hashes use (services/accounts.HASHER)."""

    time_cost: int = 3
    memory_cost: int = 65536  # KiB: 64 MiB
    parallelism: int = 4
    hash_len: int = 32
    salt_len: int = 16


def keys_path(db_path: Path | str) -> Path:
    """The key file of a database: ``xianghe.db`` → ``xianghe.db.keys``."""
    path = Path(db_path)
    return path.with_name(path.name + ".keys")


def hash_tag(text: str) -> str:
    """A short fingerprint of a stored password hash: which slot belongs to the current password."""
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _unb64_loose(text: str) -> bytes:
    """argon2's PHC strings use base64 without padding."""
    return base64.b64decode(text + "=" * (-len(text) % 4))


def _kek(raw_hash: bytes) -> bytes:
    return hashlib.sha256(_KEK_LABEL + raw_hash).digest()


def _derive(secret: str, kdf: dict[str, Any]) -> bytes:
    raw = hash_secret_raw(
        secret.encode("utf-8"),
        _unb64(kdf["salt"]),
        time_cost=int(kdf["t"]),
        memory_cost=int(kdf["m"]),
        parallelism=int(kdf["p"]),
        hash_len=int(kdf["len"]),
        type=Type.ID,
    )
    return _kek(raw)


def _aad(kind: str, user: str) -> bytes:
    return f"{_AAD_LABEL}|{kind}|{user}".encode()


def _seal(
    key: DatabaseKey, kek: bytes, kind: str, user: str, kdf: dict[str, Any], tag: str, from_hash: bool
) -> dict[str, Any]:
    nonce = secrets.token_bytes(12)
    wrapped = AESGCM(kek).encrypt(nonce, key.raw, _aad(kind, user))
    return {
        "id": secrets.token_hex(8),
        "kind": kind,
        "user": user,
        "created": time.time(),
        "hash_tag": tag,
        "from_hash": from_hash,
        "kdf": kdf,
        "nonce": _b64(nonce),
        "wrapped": _b64(wrapped),
    }


def new_slot(
    key: DatabaseKey, secret: str, kind: str, user: str, params: KdfParams, tag: str
) -> dict[str, Any]:
    """Wrap ``key`` with a key derived from ``secret`` (a password or the recovery code)."""
    kdf = {
        "alg": "argon2id",
        "salt": _b64(secrets.token_bytes(max(16, params.salt_len))),
        "t": params.time_cost,
        "m": params.memory_cost,
        "p": params.parallelism,
        "len": max(16, params.hash_len),
    }
    return _seal(key, _derive(secret, kdf), kind, user, kdf, tag, from_hash=False)


def slot_from_hash(key: DatabaseKey, encoded_hash: str, kind: str, user: str) -> dict[str, Any] | None:
    """Wrap ``key`` for whoever knows the password behind an existing Argon2id hash.

    Used once, when a plain database that already has accounts is encrypted: the passwords are
    not known, but Argon2id(password, the hash's salt) is exactly the digest in the stored hash,
    so the slot opens with the same password. It is replaced by a fresh slot (a new salt) at that
    account's next sign-in. None for a hash in another format.
    """
    parts = encoded_hash.split("$")
    # $argon2id$v=19$m=65536,t=3,p=4$<salt>$<digest>
    if len(parts) != 6 or parts[1] != "argon2id":
        return None
    try:
        costs = dict(item.split("=", 1) for item in parts[3].split(","))
        salt, digest = _unb64_loose(parts[4]), _unb64_loose(parts[5])
        kdf = {
            "alg": "argon2id",
            "salt": _b64(salt),
            "t": int(costs["t"]),
            "m": int(costs["m"]),
            "p": int(costs["p"]),
            "len": len(digest),
        }
    except (KeyError, ValueError):
        return None
    return _seal(key, _kek(digest), kind, user, kdf, hash_tag(encoded_hash), from_hash=True)


def unwrap(slot: dict[str, Any], secret: str) -> DatabaseKey | None:
    """The database key, if ``secret`` opens this slot; None otherwise (costs one Argon2id hash)."""
    try:
        kek = _derive(secret, slot["kdf"])
        raw = AESGCM(kek).decrypt(
            _unb64(slot["nonce"]), _unb64(slot["wrapped"]), _aad(slot["kind"], slot["user"])
        )
    except (InvalidTag, KeyError, ValueError, TypeError):
        return None
    return DatabaseKey(raw) if len(raw) == KEY_BYTES else None


# ---------------------------------------------------------------------------------- the file


class KeyFileError(Exception):
    """The key file is missing, unreadable or not one of ours."""


def empty_keyring() -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "file_id": secrets.token_hex(16), "slots": [], "failed": {}}


def user_tag(keyring: dict[str, Any], name: str) -> str:
    """Slots name their account by a salted fingerprint, so the file does not list the accounts."""
    return hashlib.sha256(f"{keyring['file_id']}|{name.strip()}".encode()).hexdigest()[:24]


def read_keyring(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeyFileError(f"找不到密钥文件「{path.name}」") from None
    except (OSError, ValueError) as exc:
        raise KeyFileError(f"密钥文件「{path.name}」无法读取：{exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("slots"), list):
        raise KeyFileError(f"「{path.name}」不是本程序的密钥文件")
    if int(data.get("version", 0)) > VERSION:
        raise KeyFileError(f"密钥文件「{path.name}」由更新版本的程序写出")
    data.setdefault("failed", {})
    return data


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` readable by this user only (0600), through a temporary file and a rename."""
    handle, name = tempfile.mkstemp(prefix=".xianghe-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(name, PRIVATE_FILE_MODE)
        os.replace(name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise


def write_keyring(path: Path, keyring: dict[str, Any]) -> None:
    write_private(path, json.dumps(keyring, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))


@contextlib.contextmanager
def locked(path: Path, timeout: float = 15.0) -> Iterator[None]:
    """Serialise changes to a key file between threads and processes (a ``.lock`` file beside it)."""
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
    try:
        deadline = time.monotonic() + timeout
        if sys.platform == "win32":  # pragma: no cover - Windows
            import msvcrt

            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            try:
                yield
            finally:
                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextlib.contextmanager
def changing(path: Path) -> Iterator[dict[str, Any]]:
    """Read, change and write back the key file at ``path`` under its lock."""
    with locked(path):
        keyring = read_keyring(path)
        yield keyring
        write_keyring(path, keyring)


def slots_for(keyring: dict[str, Any], kind: str, user: str = "") -> list[dict[str, Any]]:
    """The slots of one account (or the recovery code), newest first."""
    found = [s for s in keyring["slots"] if s.get("kind") == kind and s.get("user") == user]
    return sorted(found, key=lambda s: float(s.get("created", 0)), reverse=True)


def prune(keyring: dict[str, Any], kind: str, user: str, current_tag: str) -> None:
    """Drop the slots of one account older than its newest slot for the current password.

    Slots newer than that one are kept: they belong to a password change another process has
    not committed yet. Without any slot for the current password nothing is dropped.
    """
    mine = slots_for(keyring, kind, user)
    current = [s for s in mine if s.get("hash_tag") == current_tag and not s.get("from_hash")]
    if not current:
        current = [s for s in mine if s.get("hash_tag") == current_tag]
    if not current:
        return
    newest = current[0]
    mine_ids = {id(s) for s in mine}
    keep = {id(s) for s in mine if float(s.get("created", 0)) > float(newest.get("created", 0))}
    keep.add(id(newest))
    keyring["slots"] = [s for s in keyring["slots"] if id(s) not in mine_ids or id(s) in keep]


def drop(keyring: dict[str, Any], kind: str, user: str) -> None:
    """Drop every slot of one account (a disabled account)."""
    keyring["slots"] = [s for s in keyring["slots"] if not (s.get("kind") == kind and s.get("user") == user)]


# ---------------------------------------------------------------------- wrong passwords


def failures(keyring: dict[str, Any], tag: str) -> dict[str, Any]:
    entry = keyring["failed"].get(tag) or {}
    return {
        "count": int(entry.get("count", 0)),
        "locked_until": entry.get("locked_until"),
        "total": int(entry.get("total", 0)),
    }


def locked_until(keyring: dict[str, Any], tag: str, now: datetime) -> datetime | None:
    until = failures(keyring, tag)["locked_until"]
    if not until:
        return None
    moment = datetime.fromisoformat(until)
    return moment if moment > now else None
