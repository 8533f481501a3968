"""Faults as a clerk meets them (issue #10), through the real command line: a full disk, a
write-protected USB stick, a half-written file, a missing folder. Each writer says what is wrong
in Chinese, exits 1 and leaves nothing half-written; reading works on a read-only medium."""

from __future__ import annotations

import shutil
import sqlite3
from functools import partial
from pathlib import Path

import pytest

from tests.helpers import run_cli
from tests.mounts import fill, remount_read_only, tmpfs

run = partial(run_cli, timeout=120)
MONTH = "2026-10"


def _town(db: Path) -> str:
    """The demo town that has grid members (the notice needs some)."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT t.name FROM members m JOIN villages v ON v.id = m.village_id JOIN towns t ON t.id = v.town_id"
            " GROUP BY t.name ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return str(row[0])


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ---------------------------------------------------------------- check changes nothing
def test_check_reads_without_changing_a_byte(office: Path) -> None:
    before = office.read_bytes()
    result = run("check", "--db", office)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "数据库完好" in result.stdout
    assert office.read_bytes() == before
    assert _names(office.parent) == ["xianghe.db"]  # no -wal, -shm, backups


@pytest.mark.parametrize("kind", ["empty", "half", "foreign"])
def test_check_reports_a_broken_file_and_leaves_it_as_it_is(office: Path, kind: str) -> None:
    """The issue: `check` on a half-written backup migrated it into an empty database, rc 0."""
    broken = office.parent / f"{kind}.db"
    if kind == "empty":
        broken.touch()
    elif kind == "half":
        broken.write_bytes(office.read_bytes()[: office.stat().st_size // 2])
    else:
        conn = sqlite3.connect(broken)
        conn.execute("CREATE TABLE notes (x)")
        conn.commit()
        conn.close()
    before = broken.read_bytes()
    result = run("check", "--db", broken)
    assert result.returncode == 1, result.stdout
    assert "[有问题]" in result.stdout and "数据库完好" not in result.stdout
    assert broken.read_bytes() == before
    assert _names(office.parent) == sorted(["xianghe.db", broken.name])


def test_restore_refuses_a_half_written_backup_and_changes_nothing(office: Path) -> None:
    half = office.parent / "half.db"
    half.write_bytes(office.read_bytes()[: office.stat().st_size // 2])
    before = _data(office)
    result = run("restore", "--db", office, half)
    assert result.returncode == 1
    assert "不能用来恢复" in result.stderr
    assert _data(office) == before  # (signing in added its audit row, nothing else)
    assert not (office.parent / "xianghe-backups").exists()


def _data(db: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT 'r', id, updated_at FROM requests UNION ALL SELECT 'p', id, updated_at FROM residents"
        ).fetchall()
    finally:
        conn.close()


def test_restore_shows_both_sides_and_a_large_drop_needs_force(office: Path, tmp_path: Path) -> None:
    out = tmp_path / "b"
    assert run("backup", "--db", office, "-o", out).returncode == 0
    (backup,) = out.glob("*.db")
    conn = sqlite3.connect(backup)
    conn.execute("UPDATE requests SET deleted_at = '2026-01-01' WHERE id % 3 <> 0")
    conn.commit()
    conn.close()
    before = _data(office)
    refused = run("restore", "--db", office, backup)
    assert refused.returncode == 1
    assert "现在的数据库" in refused.stdout and "工单" in refused.stdout  # both sides, before anything
    assert "--force" in refused.stderr and "少了" in refused.stderr
    assert _data(office) == before
    done = run("restore", "--db", office, backup, "--force")
    assert done.returncode == 0, done.stderr
    assert "恢复前的数据已另存为" in done.stdout
    assert _names(out) == [backup.name]  # reading the backup left no -wal/-shm beside it


def test_restore_stops_when_its_safety_copy_does_not_fit(office: Path, tmp_path: Path) -> None:
    """The copy of what a restore replaces comes first; on a full disk nothing is replaced."""
    out = tmp_path / "b"
    assert run("backup", "--db", office, "-o", out).returncode == 0
    (backup,) = out.glob("*.db")
    disk = tmp_path / "disk"
    with tmpfs(disk, f"{office.stat().st_size * 3 // 2 // 1024}k"):
        db = disk / "xianghe.db"
        shutil.copy(office, db)
        before = _data(db)
        result = run("restore", "--db", db, backup)
        assert result.returncode == 1
        assert "磁盘已满" in result.stderr
        assert _data(db) == before
        safety = disk / "xianghe-backups"
        assert not safety.exists() or [p.name for p in safety.iterdir()] == []


# ---------------------------------------------------------------- a write-protected USB stick
def test_reading_commands_work_on_a_write_protected_stick(office: Path, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    with tmpfs(stick, "40m"):
        shutil.copy(office, stick / "xianghe.db")
        assert run("backup", "--db", office, "-o", stick).returncode == 0
        (backup,) = stick.glob("xianghe-备份-*.db")
        remount_read_only(stick)
        listing = _names(stick)
        db = stick / "xianghe.db"
        out = tmp_path / "out"
        out.mkdir()
        for args in (
            ("check", "--db", db),
            ("stats", "--db", db, "--month", MONTH, "--json"),
            ("export", "requests", "--db", db, "-o", out / "requests.xlsx"),
            ("audit", "--db", db),
            ("report", "monthly", "--db", db, "--month", MONTH, "-o", out / "summary.pdf"),
        ):
            result = run(*args)
            assert result.returncode == 0, f"{args[0]}: {result.stderr}"
        assert (out / "requests.xlsx").stat().st_size > 0 and (out / "summary.pdf").stat().st_size > 0
        writing = run("user", "lock", "cun", "--db", db)
        assert writing.returncode == 1
        assert "只读" in writing.stderr or "写保护" in writing.stderr
        # Restoring from the stick into the office works, and the stick is as it was.
        restored = run("restore", "--db", office, backup)
        assert restored.returncode == 0, restored.stderr
        assert _names(stick) == listing


# ---------------------------------------------------------------- a full disk
def test_every_writer_says_the_disk_is_full_and_leaves_nothing(office: Path, tmp_path: Path) -> None:
    town = _town(office)
    registered = run(
        "exchange",
        "register-device",
        "--db",
        office,
        "--name",
        "测试村电脑",
        "--town",
        town,
        "--village",
        _village(office),
        "-o",
        tmp_path / "laptop.json",
    )
    assert registered.returncode == 0, registered.stderr
    full = tmp_path / "full"
    with tmpfs(full, "400k"):
        fill(full, 8 * 1024)
        writers = {
            "export": ("export", "requests", "--db", office, "-o", full / "requests.xlsx"),
            "template": ("template", "residents", "-o", full / "template.xlsx"),
            "report": ("report", "monthly", "--db", office, "--month", MONTH, "-o", full / "summary.pdf"),
            "report-xlsx": (
                "report",
                "monthly",
                "--db",
                office,
                "--month",
                MONTH,
                "-o",
                tmp_path / "summary.pdf",
                "--xlsx",
                full / "summary.xlsx",
            ),
            "workorder": ("workorder", "--db", office, *_numbers(office, 40), "-o", full / "orders.pdf"),
            "notice": ("notice", "--db", office, "--town", town, "-o", full / "notice.pdf"),
            "backup": ("backup", "--db", office, "-o", full),
            "exchange": ("exchange", "export", "--db", office, "--for", "测试村电脑", "-o", full / "pkg.xhx"),
            "demo": ("demo", "--db", full / "demo.db", "--scale", "small"),
        }
        for name, args in writers.items():
            result = run(*args)
            assert result.returncode == 1, f"{name}: rc {result.returncode} {result.stdout} {result.stderr}"
            assert "磁盘已满" in result.stderr, f"{name}: {result.stderr}"
            assert _names(full) == ["filler"], f"{name} left {_names(full)}"
    assert run("check", "--db", office).returncode == 0


def _village(db: Path) -> str:
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT v.short_name FROM members m JOIN villages v ON v.id = m.village_id"
            " GROUP BY v.id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return str(row[0])


def _numbers(db: Path, count: int) -> list[str]:
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT number FROM requests WHERE deleted_at IS NULL ORDER BY id LIMIT ?", [count]
        ).fetchall()
    finally:
        conn.close()
    return [r[0] for r in rows]


# ---------------------------------------------------------------- one rule for a missing folder
@pytest.mark.parametrize(
    "args",
    [
        ("export", "villages", "--db", "{db}", "-o", "{missing}/v.xlsx"),
        ("template", "villages", "-o", "{missing}/t.xlsx"),
        ("import", "villages", "--db", "{db}", "{sheet}", "--report", "{missing}/r.xlsx"),
        ("report", "monthly", "--db", "{db}", "--month", MONTH, "-o", "{missing}/m.pdf"),
        ("workorder", "--db", "{db}", "{number}", "-o", "{missing}/w.pdf"),
    ],
    ids=lambda a: a[0],
)
def test_a_missing_output_folder_is_refused_input(
    office: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    sheet = tmp_path / "villages.xlsx"
    if "{sheet}" in args:
        assert run("template", "villages", "-o", sheet).returncode == 0
    number = _numbers(office, 1)[0]
    filled = [
        a.format(db=office, missing=tmp_path / "no-such-folder", sheet=sheet, number=number) for a in args
    ]
    result = run(*filled)
    assert result.returncode == 1, result.stderr
    assert "不存在" in result.stderr
    assert not (tmp_path / "no-such-folder").exists()
