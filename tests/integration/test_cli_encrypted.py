"""The command line on an encrypted database (issue #10): real processes, real Argon2id cost."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import run_cli
from xianghe_desk.services import encryption

pytestmark = pytest.mark.skipif(not encryption.available(), reason="sqlcipher3 is not installed")


def _env(monkeypatch: pytest.MonkeyPatch, **values: str | None) -> None:
    for name in ("XIANGHE_USER", "XIANGHE_PASSWORD", "XIANGHE_NEW_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        if value is not None:
            monkeypatch.setenv(name, value)


def test_the_first_administrator_from_the_command_line_encrypts_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "town.db"
    _env(monkeypatch, XIANGHE_NEW_PASSWORD="first-pass-1")
    made = run_cli("user", "add", "boss", "--role", "管理员", "--db", db, timeout=120)
    assert made.returncode == 0, made.stderr
    assert encryption.is_encrypted(db)
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(db).execute("SELECT count(*) FROM residents").fetchone()
    assert os.stat(f"{db}.keys").st_mode & 0o777 == 0o600

    _env(monkeypatch)
    nobody = run_cli("user", "list", "--db", db, timeout=120)
    assert nobody.returncode == 1 and "--user" in nobody.stderr

    _env(monkeypatch, XIANGHE_USER="boss", XIANGHE_PASSWORD="wrong-pass")
    wrong = run_cli("user", "list", "--db", db, timeout=120)
    assert wrong.returncode == 1 and "用户名或密码不对" in wrong.stderr
    assert "ERROR CORE" not in wrong.stderr  # SQLCipher's own logging stays quiet

    _env(monkeypatch, XIANGHE_USER="boss", XIANGHE_PASSWORD="first-pass-1")
    listed = run_cli("user", "list", "--db", db, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert "boss" in listed.stdout
