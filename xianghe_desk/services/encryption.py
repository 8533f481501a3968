"""Encryption at rest (issue #10): when a database is encrypted, who unwraps its key, and how.

- A database without accounts stays plain (contract §1: a new file works without signing in).
  Creating the first administrator makes a random database key, wraps it for that password and
  for the recovery code, and encrypts the file as soon as the transaction is over (at the
  sign-in that follows in the desk; when the command ends on the command line).
- A plain database that already has accounts (made before this version) is encrypted at its
  first sign-in, after a verified (encrypted) backup; its plain backups are encrypted as well.
  The demo database stays plain: its passwords are printed in the README.
- Signing in to an encrypted database unwraps the key from the key file with the password
  (store/keys.py) and only then opens the database; wrong passwords are counted in the key file,
  so five lock the account as they do inside the database.
- Every new password gets a slot of its own; the old one is dropped once the new password is
  committed (prune_slots). The database file itself is never re-encrypted.
- A disabled account loses its slots once the change is committed (prune_slots), so its password
  no longer opens the database through the key file; enabling it again wraps the key for its
  stored password hash (account_enabled). A copy of the database and key file taken while the
  account was enabled still opens with that password: the key itself is not replaced.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from xianghe_desk import paths
from xianghe_desk.domain.access import LOCK_MINUTES, MAX_FAILED_SIGN_INS
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.services import accounts as account_rules
from xianghe_desk.services.audit import AuditService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store import keys as keyfiles
from xianghe_desk.store.cipher import encrypt_database, encrypt_old_backups
from xianghe_desk.store.db import is_encrypted_file, sqlcipher
from xianghe_desk.store.keys import DatabaseKey

__all__ = ["DatabaseKey", "is_encrypted", "unlock", "unlock_with_recovery_code"]

log = logging.getLogger(__name__)

RECOVERY = "recovery"
USER = "user"


@dataclass
class PendingEncryption:
    """A key and key file made inside a transaction, applied once the transaction is over."""

    key: DatabaseKey
    keyring: dict[str, Any] = field(default_factory=keyfiles.empty_keyring)


def available() -> bool:
    """Whether this installation can encrypt (sqlcipher3 is part of it; a broken one lacks it)."""
    return sqlcipher is not None


def is_encrypted(path: Path | str) -> bool:
    return is_encrypted_file(path)


def kdf_params() -> keyfiles.KdfParams:
    """The Argon2id cost of the password hashes (tests swap in a cheap one, as for the hashes)."""
    hasher = account_rules.HASHER
    return keyfiles.KdfParams(
        time_cost=hasher.time_cost,
        memory_cost=hasher.memory_cost,
        parallelism=hasher.parallelism,
        hash_len=hasher.hash_len,
        salt_len=hasher.salt_len,
    )


def _keys_file(ws_or_path: Workspace | Path | str) -> Path:
    path = ws_or_path.path if isinstance(ws_or_path, Workspace) else Path(ws_or_path)
    return keyfiles.keys_path(path)


# ------------------------------------------------------------------------------- signing in


def unlock(path: Path | str, name: str, password: str, now: datetime) -> DatabaseKey:
    """The key of the encrypted database at ``path``, unwrapped with ``name``'s password.

    Raises:
        SignInError: the name has no key, the password does not open it, or too many wrong
            passwords locked the account (the same words as AccountService.sign_in).
    """
    SignInError = account_rules.SignInError  # noqa: N806 - the class, named as it is raised
    keys = _keys_file(path)
    try:
        keyring = keyfiles.read_keyring(keys)
    except keyfiles.KeyFileError as exc:
        raise SignInError(
            f"{exc}：加密的数据库要有它才能打开。请把数据库旁边的「{keys.name}」文件放回原处"
            "（备份文件夹里的备份也各有一个）。",
            field="password",
        ) from None
    tag = keyfiles.user_tag(keyring, name)
    until = keyfiles.locked_until(keyring, tag, now)
    if until is not None:
        minutes = max(1, int((until - now).total_seconds() // 60) + 1)
        raise SignInError(
            f"密码连续输错 {MAX_FAILED_SIGN_INS} 次，账号已锁定，请 {minutes} 分钟后再试，或请管理员解锁。",
            field="password",
        )
    slots = keyfiles.slots_for(keyring, USER, tag)
    for slot in slots:
        key = keyfiles.unwrap(slot, password)
        if key is not None:
            return key
    if not slots:
        # No key for this name: unknown, or disabled by an administrator (not told apart).
        raise SignInError("用户名或密码不对，或这个账号已被管理员停用。请重新输入，或找管理员。", field="password")
    try:
        failed = _count_failure(keys, tag, now)
    except OSError:  # a write-protected USB stick: the attempt cannot be counted there
        log.warning("could not count a wrong password in %s", keys.name)
        raise SignInError("用户名或密码不对，请重新输入。", field="password") from None
    if failed >= MAX_FAILED_SIGN_INS:
        raise SignInError(
            f"密码连续输错 {MAX_FAILED_SIGN_INS} 次，账号已锁定 {LOCK_MINUTES} 分钟。", field="password"
        )
    left = MAX_FAILED_SIGN_INS - failed
    raise SignInError(f"用户名或密码不对，请重新输入。再错 {left} 次账号将被锁定。", field="password")


def _count_failure(keys: Path, tag: str, now: datetime) -> int:
    """One more wrong password for ``tag``; the fifth locks for LOCK_MINUTES. Returns the count."""
    with keyfiles.changing(keys) as keyring:
        entry = keyfiles.failures(keyring, tag)
        count = entry["count"] + 1
        total = entry["total"] + 1
        if count >= MAX_FAILED_SIGN_INS:
            keyring["failed"][tag] = {
                "count": 0,
                "total": total,
                "locked_until": (now + timedelta(minutes=LOCK_MINUTES)).isoformat(),
            }
        else:
            keyring["failed"][tag] = {"count": count, "total": total, "locked_until": None}
    return count


def unlock_with_recovery_code(path: Path | str, code: str) -> DatabaseKey:
    """The key, unwrapped with the administrator's printed recovery code.

    Raises:
        SignInError: the code does not open the key.
    """
    try:
        keyring = keyfiles.read_keyring(_keys_file(path))
    except keyfiles.KeyFileError as exc:
        raise account_rules.SignInError(f"{exc}。", field="code") from None
    normal = account_rules.normalise_recovery_code(code)
    for slot in keyfiles.slots_for(keyring, RECOVERY):
        key = keyfiles.unwrap(slot, normal)
        if key is not None:
            return key
    raise account_rules.SignInError("恢复码不对，或这个账号不是管理员。请核对打印的恢复码。", field="code")


def after_sign_in(ws: Workspace, name: str, password: str) -> None:
    """After a good password: keep the key file in step and encrypt a plain database that should be.

    On an encrypted database: wrong passwords counted in the key file before the database could
    be opened go to the audit trail; a slot made from an old hash (or for a rehashed password)
    is replaced by a fresh one. On a plain one with accounts: encrypt it now (not the demo).
    """
    if ws.key is not None:
        try:
            _settle_slots(ws, name, password)
        except keyfiles.KeyFileError:
            # Opened with the recovery code or a key file that has gone since: signing in is fine.
            log.warning("the key file beside %s is missing or unreadable", ws.path.name)
        return
    pending = ws.pending_encryption
    if isinstance(pending, PendingEncryption):
        _encrypt_workspace(ws, pending.key, pending.keyring, "创建管理员后加密数据库")
        return
    if not ws.users.count() or ws.settings.get("demo") or not available():
        return
    key = DatabaseKey.generate()
    keyring = keyfiles.empty_keyring()
    for user in ws.users.all():
        if user.name == name:
            _add_slot(keyring, key, USER, user.name, password, user.password_hash)
        else:
            slot = keyfiles.slot_from_hash(
                key, user.password_hash, USER, keyfiles.user_tag(keyring, user.name)
            )
            if slot is not None:
                keyring["slots"].append(slot)
    recovery_hash = ws.settings.get("recovery_hash")
    if recovery_hash:
        slot = keyfiles.slot_from_hash(key, str(recovery_hash), RECOVERY, "")
        if slot is not None:
            keyring["slots"].append(slot)
    _encrypt_workspace(ws, key, keyring, "首次登录时加密原有的未加密数据库")


def _encrypt_workspace(ws: Workspace, key: DatabaseKey, keyring: dict[str, Any], why: str) -> None:
    """Close ``ws``, encrypt its file, open it again with ``key``. A failure leaves it plain (logged)."""
    backup_dir = paths.backups_dir(ws.path)
    ws.db.close()
    try:
        backup = encrypt_database(ws.path, key, keyring, backup_dir)
    except Exception:
        log.warning("the database was not encrypted (it stays as it was)", exc_info=True)
        ws.reopen(None)
        return
    ws.pending_encryption = None
    ws.reopen(key)
    old = encrypt_old_backups(backup_dir, key, keyring)
    with ws.atomic():
        AuditService(ws).record(
            "database.encrypt",
            "account",
            f"{why}（已加密的备份：{backup.name if backup else '无'}；另加密旧备份 {len(old)} 个）",
        )


def apply_pending_on_close(ws: Workspace) -> None:
    """Encrypt after the first administrator was made, when the workspace closes (command line)."""
    pending = ws.pending_encryption
    ws.pending_encryption = None
    if not isinstance(pending, PendingEncryption) or ws.key is not None:
        return
    try:
        encrypt_database(ws.path, pending.key, pending.keyring, paths.backups_dir(ws.path))
        encrypt_old_backups(paths.backups_dir(ws.path), pending.key, pending.keyring)
    except Exception:
        # The data stays plain and complete; the next sign-in encrypts it (after_sign_in).
        log.warning("the database was not encrypted on close; the next sign-in will", exc_info=True)


def _settle_slots(ws: Workspace, name: str, password: str) -> None:
    user = ws.users.by_name(name.strip())
    if user is None:
        return
    keys = _keys_file(ws)
    with keyfiles.locked(keys):
        keyring = keyfiles.read_keyring(keys)
    tag = keyfiles.user_tag(keyring, user.name)
    current = keyfiles.hash_tag(user.password_hash)
    fresh = [
        s
        for s in keyfiles.slots_for(keyring, USER, tag)
        if s.get("hash_tag") == current and not s.get("from_hash")
    ]
    missed = keyfiles.failures(keyring, tag)["total"]
    if fresh and not missed:
        prune_slots(ws)
        return
    slot = None if fresh else keyfiles.new_slot(key_of_ws(ws), password, USER, tag, kdf_params(), current)
    with keyfiles.changing(keys) as keyring:
        if slot is not None:
            keyring["slots"].append(slot)
        keyring["failed"].pop(tag, None)
        keyfiles.prune(keyring, USER, tag, current)
    if missed:
        with ws.atomic():
            AuditService(ws).record(
                "sign_in",
                "sign_in_failed",
                f"打开加密数据库前密码输错 {missed} 次",
                user_name=user.name,
                role=user.role.value,
            )


def key_of_ws(ws: Workspace) -> DatabaseKey:
    if ws.key is None:
        raise ValueError("the workspace is not encrypted")
    return ws.key


# ------------------------------------------------------------------------ new passwords


def _add_slot(
    keyring: dict[str, Any], key: DatabaseKey, kind: str, name: str, secret: str, stored_hash: str
) -> None:
    user = keyfiles.user_tag(keyring, name) if kind == USER else ""
    keyring["slots"].append(
        keyfiles.new_slot(key, secret, kind, user, kdf_params(), keyfiles.hash_tag(stored_hash))
    )


def start_encryption(
    ws: Workspace, admin_name: str, password: str, password_hash: str, code: str, code_hash: str
) -> None:
    """The first administrator was just created (inside its transaction): make the key and its
    slots now, while the password and the recovery code are known; encrypt after the commit."""
    if ws.key is not None or ws.settings.get("demo") or not available():
        return
    pending = PendingEncryption(DatabaseKey.generate())
    _add_slot(pending.keyring, pending.key, USER, admin_name, password, password_hash)
    _add_slot(
        pending.keyring, pending.key, RECOVERY, "", account_rules.normalise_recovery_code(code), code_hash
    )
    ws.pending_encryption = pending


def password_set(ws: Workspace, name: str, password: str, password_hash: str) -> None:
    """A password was set (new account, change, reset, recovery): it gets its own slot.

    Called inside the operation's transaction, after the database write (so SQLite's write lock
    orders it against other writers). The old slot stays until the change is committed and
    prune_slots runs: a transaction that fails to commit never leaves an account without a key.
    """
    pending = ws.pending_encryption
    if isinstance(pending, PendingEncryption):
        _add_slot(pending.keyring, pending.key, USER, name, password, password_hash)
        return
    if ws.key is None:
        return
    slot_key = ws.key
    keys = _keys_file(ws)
    try:
        with keyfiles.locked(keys):
            tag = keyfiles.user_tag(keyfiles.read_keyring(keys), name)
    except keyfiles.KeyFileError as exc:
        # Without its slot the new password could not open the database: refuse the change.
        raise ValidationError(
            f"{exc}，新密码无法保存（保存了也打不开加密的数据库）。请把数据库旁边的「{keys.name}」放回原处后重试。",
            field="password",
        ) from None
    slot = keyfiles.new_slot(slot_key, password, USER, tag, kdf_params(), keyfiles.hash_tag(password_hash))
    with keyfiles.changing(keys) as keyring:
        keyring["slots"].append(slot)


def prune_slots(ws: Workspace) -> None:
    """Drop the slots of passwords that are no longer current (after a change was committed)."""
    if ws.key is None:
        return
    keys = _keys_file(ws)
    everyone = ws.users.all()
    users = {u.name: keyfiles.hash_tag(u.password_hash) for u in everyone if not u.disabled}
    disabled = [u.name for u in everyone if u.disabled]
    recovery_hash = ws.settings.get("recovery_hash")
    with keyfiles.locked(keys):
        keyring = keyfiles.read_keyring(keys)
        before = len(keyring["slots"])
        for name, tag in users.items():
            keyfiles.prune(keyring, USER, keyfiles.user_tag(keyring, name), tag)
        for name in disabled:
            keyfiles.drop(keyring, USER, keyfiles.user_tag(keyring, name))
        if recovery_hash:
            keyfiles.prune(keyring, RECOVERY, "", keyfiles.hash_tag(str(recovery_hash)))
        if len(keyring["slots"]) != before:
            keyfiles.write_keyring(keys, keyring)


def account_enabled(ws: Workspace, name: str, password_hash: str) -> None:
    """A disabled account was enabled again (inside its transaction): its password opens the key again.

    The password is not known here; the slot is made from its stored Argon2id hash (as when a
    plain database is first encrypted) and replaced by a fresh one at the account's next sign-in.
    """
    if ws.key is None:
        return
    keys = _keys_file(ws)
    with keyfiles.changing(keys) as keyring:
        tag = keyfiles.user_tag(keyring, name)
        current = keyfiles.hash_tag(password_hash)
        if any(s.get("hash_tag") == current for s in keyfiles.slots_for(keyring, USER, tag)):
            return
        slot = keyfiles.slot_from_hash(ws.key, password_hash, USER, tag)
        if slot is None:
            raise ValidationError(
                f"账号 {name} 的密码是旧格式，启用后无法用它打开加密的数据库。请启用后为该账号重设密码。"
            )
        keyring["slots"].append(slot)


def prune_slots_quietly(ws: Workspace) -> None:
    """prune_slots when a workspace closes: a problem there is logged, never raised."""
    try:
        prune_slots(ws)
    except Exception:
        log.warning("could not tidy the key file", exc_info=True)
