"""Read jobs borrow a kept connection (jobs/runner.ReaderPool; issues #10 and #13).

Each read job used to open the database anew (~8–10 ms) and, on an encrypted file, decrypt again
every page it touched. A kept connection must never show stale data, never outlive a file that is
replaced or re-keyed, and never be kept half-way through a transaction.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.unit.test_encryption import _plain_with_accounts
from xianghe_desk.jobs.runner import InlineRunner, Job, JobRunner
from xianghe_desk.services import encryption
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.ui.context import DeskContext


def _read(runner: JobRunner, path: Path, work: Any) -> Any:
    results: list[Any] = []
    failures: list[str] = []
    job = Job(path, work)
    job.signals.finished.connect(results.append)
    job.signals.failed.connect(lambda message, _bug: failures.append(message))
    runner.submit_read(job)
    assert not failures, failures
    return results[0]


def _connection(job_ws: Workspace, _job: Job) -> Any:
    return job_ws.db.conn


def _operator(job_ws: Workspace, _job: Job) -> Any:
    return job_ws.settings.get("operator")


def test_read_jobs_share_one_kept_connection_and_see_every_commit(qapp, ws: Workspace, db_path: Path) -> None:
    runner = InlineRunner()
    first = _read(runner, db_path, _connection)
    assert _read(runner, db_path, _connection) is first
    assert runner.readers.idle() == 1
    # Another connection commits: the kept one reads it at once.
    with ws.atomic():
        ws.settings.set("operator", "新名字")
    assert _read(runner, db_path, _operator) == "新名字"
    # Who acts and the clock are the new job's, not the first one's.
    runner.actor = "王文员"
    assert _read(runner, db_path, lambda job_ws, _job: job_ws.actor) == "王文员"


def test_close_readers_closes_the_kept_connections(qapp, ws: Workspace, db_path: Path) -> None:
    runner = InlineRunner()
    kept = _read(runner, db_path, _connection)
    runner.close_readers()
    assert runner.readers.idle() == 0
    with pytest.raises(sqlite3.ProgrammingError):
        kept.execute("SELECT 1")
    assert _read(runner, db_path, _connection) is not kept


def test_a_job_that_left_a_transaction_open_is_not_kept(qapp, ws: Workspace, db_path: Path) -> None:
    runner = InlineRunner()

    def half_written(job_ws: Workspace, _job: Job) -> Any:
        job_ws.db.execute("BEGIN")
        job_ws.settings.set("half", "x")
        return job_ws.db.conn

    left = _read(runner, db_path, half_written)
    assert runner.readers.idle() == 0
    with pytest.raises(sqlite3.ProgrammingError):  # closed: its transaction rolled back
        left.execute("SELECT 1")
    assert ws.settings.get("half") is None


@pytest.mark.allow_log_errors  # the failing job logs its (expected) traceback
def test_a_failed_job_does_not_give_its_connection_back(qapp, ws: Workspace, db_path: Path) -> None:
    runner = InlineRunner()
    seen: list[Any] = []

    def failing(job_ws: Workspace, _job: Job) -> None:
        seen.append(job_ws.db.conn)
        raise ValueError("boom")

    job = Job(db_path, failing)
    runner.submit_read(job)
    assert runner.readers.idle() == 0
    with pytest.raises(sqlite3.ProgrammingError):
        seen[0].execute("SELECT 1")


def test_a_connection_in_use_when_readers_are_closed_is_closed_when_its_job_ends(
    qapp, ws: Workspace, db_path: Path
) -> None:
    runner = InlineRunner()
    held: list[Any] = []

    def closes_meanwhile(job_ws: Workspace, _job: Job) -> int:
        held.append(job_ws.db.conn)
        runner.close_readers()  # e.g. a restore starts while this read is running
        return job_ws.residents.count()

    _read(runner, db_path, closes_meanwhile)
    assert runner.readers.idle() == 0
    with pytest.raises(sqlite3.ProgrammingError):
        held[0].execute("SELECT 1")


def test_another_file_gets_its_own_connection(qapp, ws: Workspace, db_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    Workspace.open(other).close()
    runner = InlineRunner()
    mine = _read(runner, db_path, _connection)
    theirs = _read(runner, other, _connection)
    assert theirs is not mine
    assert _read(runner, db_path, lambda job_ws, _job: job_ws.path) == db_path


def test_pool_threads_share_kept_connections_and_the_ui_thread_closes_them(
    qtbot, ws: Workspace, db_path: Path
) -> None:
    runner = JobRunner()
    runner.reader.setMaxThreadCount(2)  # as on the 2-core reference machine (limit: KEPT_READERS)
    threads: set[int] = set()
    connections: set[int] = set()
    done: list[int] = []

    def work(job_ws: Workspace, _job: Job) -> int:
        threads.add(threading.get_ident())
        connections.add(id(job_ws.db.conn))
        return job_ws.residents.count()

    for _ in range(30):
        job = Job(db_path, work)
        job.signals.finished.connect(done.append)
        runner.submit_read(job)
    assert runner.wait_for_done()
    qtbot.wait_until(lambda: len(done) == 30, timeout=5000)
    # Never more connections than reader threads, though thirty jobs ran.
    assert len(connections) <= 2
    assert 1 <= runner.readers.idle() <= 2
    runner.close_readers()  # from the UI thread, although pool threads opened them
    assert runner.readers.idle() == 0


@pytest.mark.skipif(not encryption.available(), reason="sqlcipher3 is not installed")
def test_signing_in_encrypts_with_no_kept_connection_left_on_the_plain_file(
    qapp, monkeypatch: pytest.MonkeyPatch, db_path: Path, clock
) -> None:
    """A plain database with accounts is encrypted in place at the first sign-in: a connection
    kept from before would go on reading the old plain file (and on Windows stop the rename)."""
    _plain_with_accounts(monkeypatch, db_path)
    ctx = DeskContext(db_path, runner=InlineRunner(), clock=clock)
    try:
        before = _read(ctx.runner, db_path, _connection)
        ctx.sign_in("boss", "first-pass-1")
        assert encryption.is_encrypted(db_path) and ctx.runner.key is not None
        with pytest.raises(sqlite3.ProgrammingError):
            before.execute("SELECT 1")
        with ctx.ws.atomic():
            ctx.ws.settings.set("operator", "加密后")
        assert _read(ctx.runner, db_path, _operator) == "加密后"
        assert _read(ctx.runner, db_path, lambda job_ws, _job: job_ws.key) == ctx.ws.key
    finally:
        ctx.close()
    assert ctx.runner.readers.idle() == 0
