"""Encryption at rest (issue #10): a stolen database, backup or key file reveals nothing without a
password; passwords re-wrap the key and never re-encrypt the file; the recovery code opens it."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from xianghe_desk.domain.access import Role
from xianghe_desk.operations.accounts import (
    add_user,
    change_own_password,
    create_first_admin,
    lock_user,
    reset_password,
    unlock_user,
)
from xianghe_desk.services import encryption
from xianghe_desk.services.accounts import AccountService, SignInError
from xianghe_desk.services.audit import AuditService
from xianghe_desk.services.people import ResidentService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store import keys as keyfiles
from xianghe_desk.store.base import is_unique_violation
from xianghe_desk.store.db import (
    EncryptedDatabaseError,
    backup_to,
    is_plain_file,
    raw_connect,
    restore_from,
)

pytestmark = pytest.mark.skipif(not encryption.available(), reason="sqlcipher3 is not installed")

NOW = datetime(2026, 11, 26, 10, 0)
SECRET_NAME = "保密测试人甲"


def _add_resident(ws: Workspace) -> None:
    from xianghe_desk.domain.drafts import ResidentDraft

    village_id = int(ws.db.execute("SELECT min(id) FROM villages").fetchone()[0])
    ResidentService(ws).add(ResidentDraft(name=SECRET_NAME, village_id=village_id, address="绝密地址九号"))


@pytest.fixture
def encrypted(ws: Workspace, db_path: Path) -> tuple[Workspace, str]:
    """A database whose first administrator was just created and signed in: encrypted."""
    _add_resident(ws)
    code = create_first_admin(ws, "boss", "first-pass-1").value.recovery_code
    AccountService(ws).sign_in("boss", "first-pass-1")
    return ws, code


def _open(path: Path, name: str, password: str) -> Workspace:
    key = encryption.unlock(path, name, password, NOW)
    ws = Workspace.open(path, key=key)
    AccountService(ws).sign_in(name, password)
    return ws


def test_a_database_without_accounts_stays_plain(ws: Workspace, db_path: Path) -> None:
    _add_resident(ws)
    assert is_plain_file(db_path) is True and not keyfiles.keys_path(db_path).exists()


def test_the_first_administrator_encrypts_the_database(encrypted, db_path: Path) -> None:
    ws, _code = encrypted
    ws.close()
    assert encryption.is_encrypted(db_path) and is_plain_file(db_path) is False
    raw = db_path.read_bytes()
    assert SECRET_NAME.encode() not in raw and "绝密地址".encode() not in raw
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(db_path).execute("SELECT * FROM residents").fetchall()
    with pytest.raises(EncryptedDatabaseError, match="已加密"):
        Workspace.open(db_path)
    keys = keyfiles.keys_path(db_path)
    assert os.stat(keys).st_mode & 0o777 == 0o600
    text = keys.read_text(encoding="utf-8")
    assert "boss" not in text and "first-pass-1" not in text  # accounts are fingerprints only
    with _open(db_path, "boss", "first-pass-1") as again:
        assert [r[0] for r in again.db.execute("SELECT name FROM residents")] == [SECRET_NAME]


def test_the_encrypting_backup_is_encrypted_and_opens_with_the_same_password(
    encrypted, db_path: Path
) -> None:
    ws, _code = encrypted
    backups = list((db_path.parent / f"{db_path.stem}-backups").glob("*.db"))
    assert len(backups) == 1 and is_plain_file(backups[0]) is False
    assert SECRET_NAME.encode() not in backups[0].read_bytes()
    key = encryption.unlock(backups[0], "boss", "first-pass-1", NOW)
    assert key == ws.key
    conn = raw_connect(str(backups[0]), key=key)
    assert conn.execute("SELECT name FROM residents").fetchall() == [(SECRET_NAME,)]
    conn.close()


def test_backups_of_an_encrypted_database_are_encrypted_with_their_key_file(
    encrypted, tmp_path: Path
) -> None:
    ws, _code = encrypted
    target = tmp_path / "usb" / "copy.db"
    backup_to(ws.db, target)
    assert is_plain_file(target) is False and SECRET_NAME.encode() not in target.read_bytes()
    assert os.stat(keyfiles.keys_path(target)).st_mode & 0o777 == 0o600
    # The computer is gone: the backup and its key file alone open with the password.
    key = encryption.unlock(target, "boss", "first-pass-1", NOW)
    with Workspace.open(target, key=key) as copy:
        assert copy.residents.count() == 1


def test_restore_keeps_the_passwords_the_backup_knew(encrypted, db_path: Path, tmp_path: Path) -> None:
    ws, _code = encrypted
    target = tmp_path / "before-change.db"
    backup_to(ws.db, target)
    change_own_password(ws, "first-pass-1", "second-pass-2")
    key = ws.key
    ws.close()
    restore_from(target, db_path, key=key)
    # The restored users table has the old password again, and its key slot came back with it.
    with _open(db_path, "boss", "first-pass-1") as restored:
        assert restored.who.name == "boss"


def test_a_password_change_rewraps_the_key_and_never_reencrypts(encrypted, db_path: Path) -> None:
    ws, _code = encrypted
    ws.close()
    header = db_path.read_bytes()[:16]  # SQLCipher's salt: a re-encryption would change it
    with _open(db_path, "boss", "first-pass-1") as again:
        change_own_password(again, "first-pass-1", "second-pass-2")
    assert db_path.read_bytes()[:16] == header
    with pytest.raises(SignInError, match="用户名或密码不对"):
        encryption.unlock(db_path, "boss", "first-pass-1", NOW)
    with _open(db_path, "boss", "second-pass-2") as again:
        assert again.who.name == "boss"


def test_an_administrator_reset_drops_the_old_password(encrypted, db_path: Path) -> None:
    ws, _code = encrypted
    add_user(ws, "li", Role.VIEWER, "viewer-pass-1")
    reset_password(ws, "li", "viewer-pass-2")
    ws.close()
    with pytest.raises(SignInError):
        encryption.unlock(db_path, "li", "viewer-pass-1", NOW)
    with _open(db_path, "li", "viewer-pass-2") as li:
        assert li.who.role is Role.VIEWER


def test_a_disabled_account_no_longer_opens_the_database_and_gets_it_back_when_enabled(
    encrypted, db_path: Path
) -> None:
    ws, _code = encrypted
    add_user(ws, "li", Role.VIEWER, "clerk-pass-1")
    ws.close()
    with _open(db_path, "li", "clerk-pass-1"):
        pass
    with _open(db_path, "boss", "first-pass-1") as boss:
        lock_user(boss, "li")
    # Its key slots went with the change: the key file no longer opens for that password.
    keyring = keyfiles.read_keyring(keyfiles.keys_path(db_path))
    assert not keyfiles.slots_for(keyring, encryption.USER, keyfiles.user_tag(keyring, "li"))
    with pytest.raises(SignInError, match="已被管理员停用"):
        encryption.unlock(db_path, "li", "clerk-pass-1", NOW)
    with _open(db_path, "boss", "first-pass-1") as boss:
        unlock_user(boss, "li")
    with _open(db_path, "li", "clerk-pass-1") as li:
        assert li.who.role is Role.VIEWER
        assert li.residents.count() == 1
    # The slot made from the stored hash was replaced by a fresh one at that sign-in.
    keyring = keyfiles.read_keyring(keyfiles.keys_path(db_path))
    slots = keyfiles.slots_for(keyring, encryption.USER, keyfiles.user_tag(keyring, "li"))
    assert len(slots) == 1 and not slots[0].get("from_hash")


def test_a_forgotten_password_does_not_lose_the_data(encrypted, db_path: Path) -> None:
    ws, code = encrypted
    ws.close()
    key = encryption.unlock_with_recovery_code(db_path, code.lower().replace("-", " "))
    with Workspace.open(db_path, key=key) as opened:
        AccountService(opened).recover("boss", code, "new-pass-33")
    with _open(db_path, "boss", "new-pass-33") as again:
        assert again.residents.count() == 1
    with pytest.raises(SignInError, match="恢复码不对"):
        encryption.unlock_with_recovery_code(db_path, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")


def test_five_wrong_passwords_before_the_database_opens_lock_the_account(encrypted, db_path: Path) -> None:
    ws, _code = encrypted
    ws.close()
    for left in (4, 3, 2, 1):
        with pytest.raises(SignInError, match=f"再错 {left} 次"):
            encryption.unlock(db_path, "boss", "wrong-pass", NOW)
    with pytest.raises(SignInError, match="已锁定 15 分钟"):
        encryption.unlock(db_path, "boss", "wrong-pass", NOW)
    with pytest.raises(SignInError, match="分钟后再试"):
        encryption.unlock(db_path, "boss", "first-pass-1", NOW)
    later = datetime(2026, 11, 26, 10, 20)
    key = encryption.unlock(db_path, "boss", "first-pass-1", later)
    with Workspace.open(db_path, key=key) as again:
        AccountService(again).sign_in("boss", "first-pass-1")
        summaries = [e.summary for e in AuditService(again).entries(user_name="boss")]
    assert any("打开加密数据库前密码输错 5 次" in s for s in summaries)


def test_an_unknown_name_gets_the_same_answer(encrypted, db_path: Path) -> None:
    ws, _code = encrypted
    ws.close()
    with pytest.raises(SignInError) as unknown:
        encryption.unlock(db_path, "nobody", "whatever-1", NOW)
    assert unknown.value.message.startswith("用户名或密码不对")


def _plain_with_accounts(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """A database made before this version: accounts, but plain (and a plain backup beside it)."""
    monkeypatch.setattr(encryption, "available", lambda: False)
    with Workspace.open(path) as ws:
        _add_resident(ws)
        create_first_admin(ws, "boss", "first-pass-1")
        AccountService(ws).sign_in("boss", "first-pass-1")
        add_user(ws, "li", Role.VIEWER, "viewer-pass-1")
        backup_to(ws.db, path.parent / f"{path.stem}-backups" / "old.db")
    monkeypatch.undo()
    assert is_plain_file(path) is True


def test_an_old_plain_database_is_encrypted_at_its_first_sign_in(
    monkeypatch: pytest.MonkeyPatch, db_path: Path
) -> None:
    _plain_with_accounts(monkeypatch, db_path)
    with Workspace.open(db_path) as ws:
        AccountService(ws).sign_in("boss", "first-pass-1")
        assert ws.key is not None and ws.residents.count() == 1  # the same workspace goes on
    assert encryption.is_encrypted(db_path)
    old_backup = db_path.parent / f"{db_path.stem}-backups" / "old.db"
    assert is_plain_file(old_backup) is False and SECRET_NAME.encode() not in old_backup.read_bytes()
    # An account that did not sign in opens it with its unchanged password (a slot made from its
    # stored hash), and gets a fresh slot of its own at that sign-in.
    with _open(db_path, "li", "viewer-pass-1") as li:
        assert li.who.name == "li"
    keyring = keyfiles.read_keyring(keyfiles.keys_path(db_path))
    li_slots = keyfiles.slots_for(keyring, "user", keyfiles.user_tag(keyring, "li"))
    assert len(li_slots) == 1 and not li_slots[0]["from_hash"]


def test_the_demo_stays_plain(demo_ws: Workspace) -> None:
    AccountService(demo_ws).sign_in("admin", "xianghe-demo")
    assert demo_ws.key is None and is_plain_file(demo_ws.path) is True


def test_the_command_line_encrypts_after_the_first_administrator(ws: Workspace, db_path: Path) -> None:
    """``user add`` on a new file: the workspace encrypts when it closes (no later sign-in needed)."""
    create_first_admin(ws, "boss", "first-pass-1")
    assert is_plain_file(db_path) is True
    ws.close()
    assert encryption.is_encrypted(db_path)
    with _open(db_path, "boss", "first-pass-1") as again:
        assert again.users.count() == 1


def test_the_key_is_never_logged(monkeypatch, caplog, db_path: Path) -> None:
    caplog.set_level(logging.DEBUG)
    with Workspace.open(db_path) as ws:
        create_first_admin(ws, "boss", "first-pass-1")
        AccountService(ws).sign_in("boss", "first-pass-1")
        key = ws.key
        assert key is not None and "hidden" in repr(key) and key.raw.hex() not in repr(key)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert key.raw.hex() not in text and key.raw.hex().upper() not in text
    assert key.raw.hex() not in keyfiles.keys_path(db_path).read_text()


def test_sqlcipher_errors_are_recognised(encrypted) -> None:
    ws, _code = encrypted
    with pytest.raises(Exception) as raised:
        ws.db.execute("INSERT INTO settings SELECT * FROM settings")
    assert is_unique_violation(raised.value)


def test_jobs_carry_the_key(qapp, encrypted, db_path: Path) -> None:
    from xianghe_desk.jobs.runner import InlineRunner, Job

    ws, _code = encrypted
    ws.close()
    runner = InlineRunner()
    runner.key = encryption.unlock(db_path, "boss", "first-pass-1", NOW)
    results: list[object] = []
    job = Job(db_path, lambda job_ws, _job: job_ws.residents.count())
    job.signals.finished.connect(results.append)
    runner.submit_read(job)
    assert results == [1]


def test_the_key_file_holds_nothing_but_wrapped_keys(encrypted, db_path: Path) -> None:
    data = json.loads(keyfiles.keys_path(db_path).read_text(encoding="utf-8"))
    assert {s["kind"] for s in data["slots"]} == {"user", "recovery"}
    assert all(len(keyfiles._unb64(s["wrapped"])) == 48 for s in data["slots"])  # 32 + GCM tag
