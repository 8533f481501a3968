"""JobRunner lets a finished job go on the UI thread, after the job's own signal was delivered.

Dropping it from a lambda on the pool thread (as it did) freed the job's JobSignals there while a
queued finished/failed signal was still pending ("Signal source has been deleted", rare crashes).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from PySide6.QtCore import QThread

from xianghe_desk.jobs.runner import Job, JobRunner


class _Recording(JobRunner):
    def __init__(self) -> None:
        super().__init__()
        self.forgotten_on: list[Any] = []
        self.delivered_before_forget: list[bool] = []
        self.delivered: set[int] = set()

    def _forget(self, job: Job) -> None:
        self.forgotten_on.append(QThread.currentThread())
        self.delivered_before_forget.append(id(job) in self.delivered)
        super()._forget(job)


@pytest.mark.allow_log_errors  # the failing jobs log their (expected) traceback
def test_finished_jobs_are_let_go_on_the_ui_thread_after_their_signal(qtbot, ws, db_path: Path) -> None:
    runner = _Recording()
    pool_threads: set[int] = set()
    results: list[Any] = []

    def work(_ws: Any, _job: Job) -> int:
        pool_threads.add(threading.get_ident())
        return 7

    def failing(_ws: Any, _job: Job) -> int:
        raise ValueError("boom")

    jobs = []
    for i in range(20):
        job = Job(db_path, work if i % 4 else failing, name=f"job{i}")

        def delivered(*_args: Any, j: Job = job) -> None:
            runner.delivered.add(id(j))
            results.append(_args)

        job.signals.finished.connect(delivered)
        job.signals.failed.connect(delivered)
        jobs.append(runner.submit_read(job))
    del jobs
    assert runner.wait_for_done()
    # Every job is still held until the UI thread has handled its end …
    assert runner.running() > 0 or len(runner.forgotten_on) == 20
    qtbot.wait_until(lambda: runner.running() == 0, timeout=5000)
    # … and then it was let go there, each after its finished/failed signal reached the UI thread.
    assert len(runner.forgotten_on) == 20
    assert all(thread is runner.thread() for thread in runner.forgotten_on)
    assert all(runner.delivered_before_forget)
    assert len(results) == 20
    assert threading.get_ident() not in pool_threads


def test_a_cancelled_job_is_let_go_too(qtbot, ws, db_path: Path) -> None:
    from xianghe_desk.jobs.runner import JobCancelledError

    runner = JobRunner()

    def cancelled(_ws: Any, _job: Job) -> None:
        raise JobCancelledError

    job = Job(db_path, cancelled)
    seen: list[bool] = []
    job.signals.cancelled.connect(lambda: seen.append(True))
    runner.submit_write(job)
    del job
    qtbot.wait_until(lambda: runner.running() == 0, timeout=5000)
    assert seen == [True]
