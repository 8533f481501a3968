"""A busy database (issue #10): an import plans its rows without holding the write lock, and a
desk save waits for another program's write (「正在等待…」) instead of failing after 5 s."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from tests.unit.sheet_files import write_xlsx
from xianghe_desk.jobs import runner as runner_module
from xianghe_desk.jobs.runner import InlineRunner, Job
from xianghe_desk.operations.imports import import_file
from xianghe_desk.services.imports import ImportService
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store import db as store_db

HEADER = ["姓名", "所属镇", "所属村街", "居住地址"]
GIVEN = "秀兰桂英玉珍凤芝淑华建国志强明德文海春生秋菊金花振福宝山永红丽娟树林长青俊杰"


def _rows(count: int) -> list[list[str]]:
    return [[f"王{GIVEN[i % len(GIVEN)]}{GIVEN[(i // len(GIVEN)) % len(GIVEN)]}", "渠口镇", "王刘圈村",
             f"东街{i}号"] for i in range(count)]  # fmt: skip


@pytest.fixture
def sheet_path(ws: Workspace, tmp_path: Path) -> Path:
    PlaceService(ws).resolve_village("王刘圈村", "渠口镇")
    return write_xlsx(tmp_path / "residents.xlsx", HEADER, _rows(600))


def _other_program_writes(db_path: Path) -> bool:
    """A save by another program that will not wait at all: True when it got the write lock."""
    conn = sqlite3.connect(db_path, timeout=0)
    try:
        # A real change (a no-op UPDATE commits nothing): the import must notice it and plan again.
        conn.execute("UPDATE settings SET updated_at = ? WHERE key = 'county_name'", [str(time.time())])
        conn.commit()
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()


def test_planning_an_import_holds_no_write_lock(ws: Workspace, db_path: Path, sheet_path: Path) -> None:
    service = ImportService(ws)
    sheet = service.read("residents", sheet_path)
    writes: list[bool] = []

    def during_planning(done: int, total: int) -> None:
        if not writes:
            writes.append(_other_program_writes(db_path))

    report = service.import_sheet(sheet, progress=during_planning)
    assert writes == [True]  # the other program saved while 600 rows were being checked
    # Before issue #10 the import then failed (「数据库正被另一个程序使用」: its read snapshot was
    # stale); now it plans again under the lock and writes.
    assert report.written and report.added == 600
    assert ws.residents.count() == 600


def test_the_command_line_import_plans_before_its_transaction(
    ws: Workspace, db_path: Path, sheet_path: Path
) -> None:
    writes: list[bool] = []

    class Progress:
        def report(self, done: int, total: int) -> None:
            if done and not writes:
                writes.append(_other_program_writes(db_path))

        def check_cancelled(self) -> None:
            pass

    report = import_file(ws, "residents", sheet_path, progress=Progress()).value
    assert writes == [True] and report.added == 600


def test_an_unchanged_database_is_not_planned_twice(ws: Workspace, sheet_path: Path, monkeypatch) -> None:
    service = ImportService(ws)
    sheet = service.read("residents", sheet_path)
    plans = []
    real = ImportService._plan

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        plans.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(ImportService, "_plan", counting)
    assert service.import_sheet(sheet).added == 600
    assert len(plans) == 1


def test_a_desk_save_waits_for_another_programs_write(
    qapp, ws: Workspace, db_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 200)
    monkeypatch.setattr(runner_module, "BUSY_RETRY_PAUSE", 0.05)
    locked, release_after = threading.Event(), 1.5

    def long_import() -> None:  # another process's long write transaction
        conn = sqlite3.connect(db_path, timeout=5)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE settings SET updated_at = updated_at WHERE key = 'county_name'")
        locked.set()
        time.sleep(release_after)
        conn.commit()
        conn.close()

    holder = threading.Thread(target=long_import)
    holder.start()
    assert locked.wait(5)
    runner = InlineRunner()
    waiting: list[str] = []
    finished: list[object] = []
    failed: list[str] = []
    runner.waiting.connect(waiting.append)

    def save(job_ws: Workspace, _job: Job) -> str:
        with job_ws.atomic():
            job_ws.settings.set("operator", "王文员")
        return "saved"

    job = Job(db_path, save, "save")
    job.signals.finished.connect(finished.append)
    job.signals.failed.connect(lambda message, _bug: failed.append(message))
    started = time.monotonic()
    runner.submit_write(job)
    holder.join()
    assert failed == [] and finished == ["saved"]
    assert time.monotonic() - started >= 1.0
    assert waiting and waiting[0].startswith("正在等待") and waiting[-1] == ""
    assert ws.settings.get("operator") == "王文员"


def test_a_read_job_does_not_wait(qapp, ws: Workspace, db_path: Path) -> None:
    runner = InlineRunner()
    job = Job(db_path, lambda job_ws, _job: job_ws.settings.get("county_name"))
    results: list[object] = []
    job.signals.finished.connect(results.append)
    runner.submit_read(job)
    assert results == ["香河县"] and job.wait_when_busy == 0
