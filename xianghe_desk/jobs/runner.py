"""Jobs and the two thread pools (Anki's single collection writer, Picard's save pool).

Every write goes through the **writer** pool (one thread), so writes never race each other;
reads and CPU work (PDFs, parsing spreadsheets) go to the **reader** pool. A write job opens its
own Workspace on the database file; a read job borrows one the reader pool kept from an earlier
read job (ReaderPool), so it neither opens the file again nor decrypts again the pages that are
still in that connection's page cache.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from xianghe_desk.domain.access import Actor
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.services.workspace import Workspace, system_clock
from xianghe_desk.store.db import DatabaseBusyError, KnownStoreError
from xianghe_desk.store.keys import DatabaseKey

log = logging.getLogger(__name__)

# How long a write waits for another program's write before it gives up (issue #10: a
# command-line import of 20,000 rows holds the lock for seconds while the desk is open).
WAIT_FOR_WRITER_SECONDS = 600.0
BUSY_RETRY_PAUSE = 0.5
# Read connections kept open between read jobs (ReaderPool): an encrypted one holds up to 64 MB of
# decrypted pages, so an office PC with many cores does not keep one per reader thread.
KEPT_READERS = 3
WAITING_MESSAGE = "正在等待…另一个程序（例如命令行导入）正在写入数据库，写完后会自动保存。"


class JobCancelledError(Exception):
    """Raised inside a job when the user pressed 「取消」; nothing of the job is kept."""


class JobSignals(QObject):
    """Signals:
    progress(int, int): done, total.
    finished(object): the job's result.
    failed(str, bool): a Chinese message, and whether it is a bug (True) or the user's to fix.
    cancelled(): the user cancelled and the job stopped.
    waiting(str): another program is writing the database; the job waits for it (issue #10).
    """

    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str, bool)
    cancelled = Signal()
    waiting = Signal(str)  # another program holds the write lock; the job waits and tries again


class ReaderPool:
    """Workspaces of finished read jobs, kept open for the next read jobs (issues #10 and #13).

    Opening the database costs ~8–10 ms a job (pragmas, schema version, this copy's identity), and
    an encrypted file's pages are decrypted into each connection's own page cache: a fresh
    connection per job paid both on every list page, count and search. A kept connection serves
    one job at a time; SQLite still shows each statement the newest committed data (and empties
    the connection's cache when another connection has written).

    Kept connections are opened with ``any_thread`` so that ``close_idle`` can close them from the
    UI thread before the file is replaced or re-keyed (restore, encryption at sign-in) or the
    desk closes; a connection busy in a job then is closed when that job ends (its generation is
    over). At most ``limit`` are kept (KEPT_READERS); a job finding none opens its own.
    """

    def __init__(self, limit: int) -> None:
        self.limit = max(1, limit)
        self._lock = threading.Lock()
        self._idle: list[Workspace] = []
        self._generation = 0

    def run(self, job: Job) -> Any:
        """Run ``job.work`` on a kept workspace of the same file and key, or on a new one."""
        with self._lock:
            generation = self._generation
        ws = self._take(job)
        kept = False
        try:
            result = job.work(ws, job)
            kept = self._give_back(ws, generation)
            return result
        finally:
            if not kept:
                ws.db.close()

    def _take(self, job: Job) -> Workspace:
        clock = job.clock or system_clock
        with self._lock:
            found = next((ws for ws in self._idle if ws.path == job.db_path and ws.key == job.key), None)
            if found is not None:
                self._idle.remove(found)
        if found is not None:
            try:
                found.reuse(clock, job.actor, job.who)
                return found
            except Exception:
                log.warning(
                    "a kept read connection could not be used again; opening a new one", exc_info=True
                )
                found.db.close()
        return Workspace.open(
            job.db_path, clock=clock, actor=job.actor, who=job.who, key=job.key, any_thread=True
        )

    def _give_back(self, ws: Workspace, generation: int) -> bool:
        """Keep ``ws`` for the next read job; False: the caller closes it."""
        if ws.db.conn.in_transaction or ws.pending_encryption is not None:
            return False  # a job that wrote and did not finish its transaction: start afresh
        with self._lock:
            if generation != self._generation or len(self._idle) >= self.limit:
                return False
            self._idle.append(ws)
            return True

    def idle(self) -> int:
        with self._lock:
            return len(self._idle)

    def close_idle(self) -> None:
        """Close every kept connection now; those in use are closed when their job ends."""
        with self._lock:
            self._generation += 1
            idle, self._idle = self._idle, []
        for ws in idle:
            ws.db.close()


class Job(QRunnable):
    """Run ``work(ws, job)`` on a pool thread with its own Workspace on ``db_path``.

    ``work`` reports with ``job.report(done, total)`` and calls ``job.check_cancelled()`` between
    items. It must not touch widgets.
    """

    def __init__(self, db_path: Path, work: Callable[[Workspace, Job], Any], name: str = "") -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.db_path = db_path
        self.work = work
        self.name = name or getattr(work, "__name__", "job")
        self.signals = JobSignals()
        self.cancel_event = threading.Event()
        self.clock: Callable[[], Any] | None = None
        self.actor = ""
        self.who: Actor | None = None  # the signed-in account the job acts for (issue #9)
        # The database key of an encrypted database (issue #10), carried as ``who`` is; never logged.
        self.key: DatabaseKey | None = None
        # Writes wait for another program's write (a command-line import) instead of failing:
        # the work is one rolled-back transaction, so it runs again once the lock is free.
        self.wait_when_busy = 0.0  # seconds; set by JobRunner.submit_write
        self.waited = False
        # Read jobs borrow a kept workspace (set by JobRunner.submit_read).
        self.readers: ReaderPool | None = None

    def cancel(self) -> None:
        self.cancel_event.set()

    def check_cancelled(self) -> None:
        if self.cancel_event.is_set():
            raise JobCancelledError

    def report(self, done: int, total: int) -> None:
        self.signals.progress.emit(done, total)

    def _attempt(self) -> Any:
        if self.readers is not None:
            return self.readers.run(self)
        kwargs: dict[str, Any] = {"actor": self.actor, "who": self.who, "key": self.key}
        if self.clock is not None:
            kwargs["clock"] = self.clock
        with Workspace.open(self.db_path, **kwargs) as ws:
            return self.work(ws, self)

    def _attempt_waiting(self) -> Any:
        """``_attempt``, again and again while another program holds the write lock.

        Each try already waits SQLite's busy timeout (store/db.py); after the first the desk shows
        「正在等待…」, and 「取消」 still stops the job.
        """
        deadline = time.monotonic() + self.wait_when_busy
        while True:
            try:
                return self._attempt()
            except DatabaseBusyError:
                if time.monotonic() >= deadline:
                    raise
                if not self.waited:
                    self.waited = True
                    log.info("job %s waits for another program's write", self.name)
                    self.signals.waiting.emit(WAITING_MESSAGE)
                if self.cancel_event.wait(BUSY_RETRY_PAUSE):
                    raise JobCancelledError from None

    def run(self) -> None:
        try:
            result = self._attempt_waiting() if self.wait_when_busy > 0 else self._attempt()
            if self.waited:
                self.signals.waiting.emit("")  # the wait is over
        except JobCancelledError:
            self.signals.cancelled.emit()
        except ValidationError as exc:
            self.signals.failed.emit(exc.message, False)
        except KnownStoreError as exc:
            self.signals.failed.emit(exc.message, False)
        except Exception as exc:
            log.exception("job %s failed", self.name)
            self.signals.failed.emit(f"程序出错，操作没有完成：{type(exc).__name__}: {exc}", True)
        else:
            self.signals.finished.emit(result)


class JobRunner(QObject):
    """Owns the writer pool (one thread) and the reader pool.

    Signals:
    waiting(str): a write waits for another program (empty text: the wait is over).
    """

    waiting = Signal(str)
    # A job that has ended, emitted from its pool thread. JobRunner lives on the UI thread, so the
    # connection is queued: the job (and its JobSignals) is let go on the UI thread, after the
    # finished/failed/cancelled signal queued before it has been delivered. Dropping it on the pool
    # thread freed JobSignals under pending queued signals ("Signal source has been deleted", rare
    # segfaults).
    _ended = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.writer = QThreadPool(self)
        self.writer.setMaxThreadCount(1)
        self.reader = QThreadPool(self)
        self.reader.setMaxThreadCount(max(2, QThreadPool.globalInstance().maxThreadCount()))
        self._running: set[Job] = set()
        self.readers = ReaderPool(min(KEPT_READERS, self.reader.maxThreadCount()))
        self.clock: Callable[[], Any] | None = None
        self.actor = ""
        self.who: Actor | None = None
        self.key: DatabaseKey | None = None
        self._ended.connect(self._forget)

    def submit_write(self, job: Job) -> Job:
        job.wait_when_busy = job.wait_when_busy or WAIT_FOR_WRITER_SECONDS
        return self._start(self.writer, job)

    def submit_read(self, job: Job) -> Job:
        job.readers = self.readers
        return self._start(self.reader, job)

    def close_readers(self) -> None:
        """Close the reader pool's kept connections: before the database file is replaced or
        re-keyed (restore, encryption at sign-in), and when the desk closes."""
        self.readers.close_idle()

    def _start(self, pool: QThreadPool, job: Job) -> Job:
        job.clock = job.clock or self.clock
        job.actor = job.actor or self.actor
        job.who = job.who or self.who
        job.key = job.key or self.key
        job.signals.waiting.connect(self.waiting)
        self._running.add(job)
        for signal in (job.signals.finished, job.signals.failed, job.signals.cancelled):
            signal.connect(lambda *_args, j=job: self._ended.emit(j))
        pool.start(job)
        return job

    def _forget(self, job: Job) -> None:
        self._running.discard(job)

    def running(self) -> int:
        """Jobs started and not yet let go (their end has not reached the UI thread yet)."""
        return len(self._running)

    def wait_for_done(self, msecs: int = 30000) -> bool:
        return bool(self.writer.waitForDone(msecs) and self.reader.waitForDone(msecs))


class InlineRunner(JobRunner):
    """Runs jobs synchronously on the calling thread (tests; Picard's FakeThreadPool)."""

    def _start(self, pool: QThreadPool, job: Job) -> Job:
        job.clock = job.clock or self.clock
        job.actor = job.actor or self.actor
        job.who = job.who or self.who
        job.key = job.key or self.key
        job.signals.waiting.connect(self.waiting)
        job.run()
        return job
