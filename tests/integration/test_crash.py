"""The crash test (issue #10): SIGKILL each kind of writer at random moments, then prove that the
database passes ``check``, holds only whole units, and that no file under a real name is half-written.

Writers: a spreadsheet import of 3,000 residents, an exchange package import, a backup, a
restore, a demo build and a loop of desk-style saves (operations). Each is started as a real
process and killed a few times at a random moment while it works. Set CRASH_SEED to replay a run;
the seed in use is printed with any failure. Files that remain under the temporary prefix
(``.xianghe-``) are what a kill leaves of a write in progress: never under a real name.
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import run_cli
from xianghe_desk.fileio import TEMP_PREFIX
from xianghe_desk.services.backups import backup_problem
from xianghe_desk.services.check import file_checks, run_checks
from xianghe_desk.services.demo_file import demo_problem
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.integrity import DatabaseFacts, inspect_database

pytestmark = pytest.mark.slow

KILLS = 3
WORKER = Path(__file__).with_name("crash_worker.py")
SEED = int(os.environ.get("CRASH_SEED", random.randrange(1_000_000)))
ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONIOENCODING": "utf-8"}


@pytest.fixture(scope="module")
def rng() -> random.Random:
    return random.Random(SEED)


def _start(*args: str | Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, *map(str, args)]
    return subprocess.Popen(command, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _cli(*args: str | Path) -> subprocess.Popen[bytes]:
    return _start("-m", "xianghe_desk", *args)


class Killer:
    """SIGKILLs a writer at a random moment of its run, KILLS times (a few tries more when the
    writer finishes first: the window then shrinks to the run's length on this machine)."""

    def __init__(self, rng: random.Random, low: float, high: float) -> None:
        self.rng, self.low, self.high = rng, low, high
        self.hits = self.tries = 0

    def more(self) -> bool:
        return self.hits < KILLS and self.tries < 3 * KILLS

    def kill(self, process: subprocess.Popen[bytes]) -> bool:
        """True when ``process`` was killed; False when it finished before the chosen moment."""
        self.tries += 1
        began = time.monotonic()
        deadline = began + self.rng.uniform(self.low, self.high)
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self.high = max(self.low + 0.05, (time.monotonic() - began) * 0.9)
                return False
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait()
        self.hits += 1
        return True

    def assert_hit(self, what: str) -> None:
        assert self.hits, f"seed {SEED}: every {what} finished before its kill"


def _facts(db: Path) -> DatabaseFacts:
    return inspect_database(db, check="none")


def _assert_sound(db: Path) -> None:
    """What ``check`` checks, read-only: the file, then every consistency check."""
    facts = inspect_database(db)
    problems = [f"{r.label}：{r.detail}" for r in file_checks(facts) if not r.ok]
    assert not problems, f"seed {SEED}: {problems}"
    with Workspace.open(db, read_only=True) as ws:
        problems = [f"{r.label}：{r.detail}" for r in run_checks(ws, file_checked=True) if not r.ok]
    assert not problems, f"seed {SEED}: {problems}"


def _real_files(folder: Path) -> Iterator[Path]:
    """Files under a real name (a kill may leave a temporary ``.xianghe-…`` one, never a real one)."""
    for path in folder.iterdir():
        if not path.name.startswith(TEMP_PREFIX) and path.is_file():
            yield path


def _assert_whole_backups(folder: Path) -> int:
    count = 0
    if not folder.exists():
        return 0
    for path in _real_files(folder):
        if path.suffix == ".db":
            facts = inspect_database(path, snapshot=True)
            assert backup_problem(facts) == "", f"seed {SEED}: {path.name}: {backup_problem(facts)}"
            assert facts.stamp.get("verified"), f"seed {SEED}: {path.name} has no verified stamp"
            count += 1
    return count


@pytest.fixture(scope="module")
def base(small_demo: Path) -> Path:
    """The small demo county (copied before each writer starts on it)."""
    return small_demo


def _copy(base: Path, folder: Path, name: str = "office.db") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    shutil.copy(base, target)
    return target


# ---------------------------------------------------------------- spreadsheet import
def _residents_sheet(db: Path, path: Path, rows: int) -> None:
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    town, village = conn.execute(
        "SELECT t.name, v.short_name FROM villages v JOIN towns t ON t.id = v.town_id"
        " JOIN members m ON m.village_id = v.id LIMIT 1"
    ).fetchone()
    conn.close()
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅建国文"
    names = [f"{family}{a}{b}" for family in "王李张赵" for a in given for b in given][:rows]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["姓名", "所属镇", "所属村街", "出生日期", "性别"])
        for number, name in enumerate(names):
            writer.writerow(
                [name, town, village, f"19{40 + number % 50}-0{1 + number % 9}-1{number % 9}", "男"]
            )


def test_an_import_killed_anywhere_is_all_or_nothing(base: Path, tmp_path: Path, rng: random.Random) -> None:
    db = _copy(base, tmp_path)
    sheet = tmp_path / "residents.csv"
    rows = 3000
    _residents_sheet(db, sheet, rows)
    before = _facts(db).residents
    killer = Killer(rng, 0.4, 2.1)
    while killer.more():
        killed = killer.kill(_cli("import", "residents", "--db", db, sheet))
        _assert_sound(db)
        assert _facts(db).residents in (before, before + rows), f"seed {SEED}"
        if not killed:
            db = _copy(base, tmp_path)  # it finished: the next kill needs an import to do again
    killer.assert_hit("import")
    result = run_cli("import", "residents", "--db", db, sheet, timeout=120)
    assert result.returncode == 0, result.stderr
    assert _facts(db).residents == before + rows


# ---------------------------------------------------------------- exchange package import
@pytest.fixture(scope="module")
def exchange(base: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A village laptop that has joined (no data yet) and the township's package for it."""
    folder = tmp_path_factory.mktemp("exchange")
    town = _copy(base, folder, "town.db")
    conn = sqlite3.connect(f"{town.resolve().as_uri()}?mode=ro", uri=True)
    town_name, village = conn.execute(
        "SELECT t.name, v.short_name FROM members m JOIN villages v ON v.id = m.village_id"
        " JOIN towns t ON t.id = v.town_id GROUP BY v.id ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    conn.close()
    key = folder / "laptop.json"
    laptop = folder / "laptop.db"
    package = folder / "for-laptop.xhx"
    for args in (
        (
            "exchange",
            "register-device",
            "--db",
            town,
            "--name",
            "村电脑",
            "--town",
            town_name,
            "--village",
            village,
            "-o",
            key,
        ),
        ("exchange", "join", "--db", laptop, key),
        ("exchange", "export", "--db", town, "--for", "村电脑", "-o", package),
    ):
        result = run_cli(*args, timeout=120)
        assert result.returncode == 0, result.stderr
    return laptop, package


def test_an_exchange_import_killed_anywhere_is_all_or_nothing(
    exchange: tuple[Path, Path], tmp_path: Path, rng: random.Random
) -> None:
    laptop, package = exchange
    db = _copy(laptop, tmp_path, "laptop.db")
    before = _facts(db)
    whole = (before.requests, before.residents), _after(laptop, package)
    killer = Killer(rng, 0.3, 1.0)
    while killer.more():
        killed = killer.kill(_cli("exchange", "import", "--db", db, package))
        _assert_sound(db)
        now = _facts(db)
        assert (now.requests, now.residents) in whole, f"seed {SEED}: {now}"
        if not killed:
            db = _copy(laptop, tmp_path, "laptop.db")
    killer.assert_hit("exchange import")


_AFTER: dict[Path, tuple[int, int]] = {}


def _after(laptop: Path, package: Path) -> tuple[int, int]:
    """The laptop's counts once the package is in (imported once into a spare copy)."""
    if laptop not in _AFTER:
        spare = laptop.with_name("spare.db")
        shutil.copy(laptop, spare)
        assert run_cli("exchange", "import", "--db", spare, package, timeout=120).returncode == 0
        facts = _facts(spare)
        _AFTER[laptop] = (facts.requests, facts.residents)
    return _AFTER[laptop]


# ---------------------------------------------------------------- backup and restore
def test_a_backup_killed_anywhere_leaves_only_whole_backups(
    base: Path, tmp_path: Path, rng: random.Random
) -> None:
    db = _copy(base, tmp_path)
    out = tmp_path / "backups"
    killer = Killer(rng, 0.25, 0.7)
    while killer.more():
        killer.kill(_cli("backup", "--db", db, "-o", out))
        _assert_whole_backups(out)
        _assert_sound(db)
    killer.assert_hit("backup")
    assert run_cli("backup", "--db", db, "-o", out, timeout=120).returncode == 0
    assert _assert_whole_backups(out) >= 1


def test_a_restore_killed_anywhere_leaves_the_old_or_the_new_database(
    base: Path, tmp_path: Path, rng: random.Random
) -> None:
    db = _copy(base, tmp_path)
    older = _copy(base, tmp_path / "usb", "older.db")
    conn = sqlite3.connect(older)
    conn.execute("UPDATE requests SET deleted_at = '2026-01-01' WHERE id % 4 = 0")
    conn.commit()
    conn.close()
    before, backup = _facts(db).requests, _facts(older).requests
    killer = Killer(rng, 0.3, 0.9)
    while killer.more():
        killed = killer.kill(_cli("restore", "--db", db, older, "--force"))
        _assert_sound(db)
        assert _facts(db).requests in (before, backup), f"seed {SEED}"
        _assert_whole_backups(tmp_path / "office-backups")  # the safety copies
        if not killed:
            db = _copy(base, tmp_path)
    killer.assert_hit("restore")
    assert sorted(p.name for p in older.parent.iterdir()) == ["older.db"]  # nothing beside the backup


# ---------------------------------------------------------------- demo build
def test_a_demo_build_killed_anywhere_leaves_no_demo_or_a_whole_one(
    tmp_path: Path, rng: random.Random
) -> None:
    killer = Killer(rng, 0.3, 1.8)
    while killer.more():
        demo = tmp_path / f"demo{killer.tries}.db"
        killer.kill(_cli("demo", "--db", demo, "--scale", "small"))
        if demo.exists():
            assert demo_problem(demo) is None, f"seed {SEED}"
            _assert_sound(demo)
        real = [p for p in _real_files(tmp_path) if not (p.name.startswith("demo") and p.suffix == ".db")]
        assert real == [], f"seed {SEED}: {real}"
    killer.assert_hit("demo build")


# ---------------------------------------------------------------- desk-style saves
def test_saves_killed_anywhere_are_whole(base: Path, tmp_path: Path, rng: random.Random) -> None:
    db = _copy(base, tmp_path)
    before = _facts(db)
    killer = Killer(rng, 0.6, 1.6)
    while killer.more():
        killer.kill(_start(WORKER, db))
        _assert_sound(db)
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        try:
            saved = conn.execute("SELECT count(*) FROM requests WHERE content LIKE '崩溃测试%'").fetchone()[0]
            audited = conn.execute(
                "SELECT count(*) FROM audit_log WHERE action = 'request.register' AND entity = 'request'"
            ).fetchone()[0]
            people = conn.execute("SELECT count(*) FROM residents WHERE name LIKE '崩溃%'").fetchone()[0]
        finally:
            conn.close()
        # Each save is one unit: the request, its new resident and its audit row, or none of them.
        assert saved == audited == people, (
            f"seed {SEED}: {saved} requests, {people} residents, {audited} audit rows"
        )
        assert _facts(db).requests == before.requests + saved
    killer.assert_hit("save loop")
