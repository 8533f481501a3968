"""Files the program creates are readable by their user only (issue #10): 0600 on Linux, whatever
the umask. (Windows: the per-user data folder is private by its ACL; modes do not apply there.)"""

from __future__ import annotations

import logging
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unit.sheet_files import cli
from xianghe_desk.fileio import PrivateLogHandler
from xianghe_desk.services import encryption
from xianghe_desk.services.accounts import AccountService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.db import backup_to

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX modes; Windows relies on the folder's ACL")

PRIVATE = 0o600


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    """The usual desktop umask (files 0644): the program must not rely on a strict one."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_the_database_and_its_wal_files(db_path: Path) -> None:
    with Workspace.open(db_path) as ws:
        ws.settings.set("operator", "测试")
        files = [db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")]
        assert all(p.exists() for p in files)
        assert {p.name: mode(p) for p in files} == {p.name: PRIVATE for p in files}


def test_an_old_world_readable_database_is_made_private(db_path: Path) -> None:
    Workspace.open(db_path).close()
    os.chmod(db_path, 0o644)
    Workspace.open(db_path).close()
    assert mode(db_path) == PRIVATE


def test_backups_exports_pdfs_packages_and_key_files(small_demo: Path, tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    shutil.copy(small_demo, db)
    os.chmod(db, 0o644)
    out = tmp_path / "out"
    out.mkdir()
    assert cli("export", "residents", "--db", db, "-o", out / "residents.xlsx") == 0
    assert cli("template", "residents", "-o", out / "template.xlsx") == 0
    assert cli("report", "monthly", "--db", db, "--month", "2026-10", "-o", out / "summary.pdf") == 0
    assert cli("exchange", "register-device", "--db", db, "--name", "村电脑一", "--village", "王刘圈村",
               "-o", out / "laptop.key") == 0  # fmt: skip
    with Workspace.open(db) as ws:
        AccountService(ws).sign_in("admin", "xianghe-demo")
        backup_to(ws.db, out / "backup.db")
        tag = ws.db.execute("SELECT tag FROM exchange_peers").fetchone()
    if tag:
        assert cli("exchange", "export", "--db", db, "--for", tag[0], "-o", out / "to-laptop.xhpkg") == 0
    written = sorted(p for p in out.iterdir() if p.is_file())
    assert len(written) >= 5, written
    assert {p.name: mode(p) for p in written} == {p.name: PRIVATE for p in written}
    assert mode(db) == PRIVATE


@pytest.mark.skipif(not encryption.available(), reason="sqlcipher3 is not installed")
def test_the_key_file_and_the_encrypting_backup(ws: Workspace, db_path: Path) -> None:
    from xianghe_desk.operations.accounts import create_first_admin

    create_first_admin(ws, "boss", "first-pass-1")
    AccountService(ws).sign_in("boss", "first-pass-1")
    backups = db_path.parent / f"{db_path.stem}-backups"
    made = [db_path, Path(f"{db_path}.keys"), *backups.iterdir()]
    assert {p.name: mode(p) for p in made} == {p.name: PRIVATE for p in made}


def test_the_log_file_and_its_rotations(tmp_path: Path) -> None:
    path = tmp_path / "xianghe-desk.log"
    handler = PrivateLogHandler(path)
    handler.maxBytes = 200
    logger = logging.getLogger("test_file_permissions")
    logger.addHandler(handler)
    try:
        for number in range(20):
            logger.warning("line %d with a resident's name 张三", number)
    finally:
        logger.removeHandler(handler)
        handler.close()
    logs = sorted(tmp_path.glob("xianghe-desk.log*"))
    assert len(logs) > 1
    assert {p.name: mode(p) for p in logs} == {p.name: PRIVATE for p in logs}
