"""``run_op``: the one way the desk runs an operation (Anki's ``CollectionOp.run_in_background``).

It owns what every write needs: the writer thread, an optional 「请稍候」 progress dialog with
「取消」, the failure message, and the change signals. Pages never emit DataEvents by hand after
a write: the operation says what it changed (``OpResult.changes``) and ``run_op`` tells the views.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.jobs.runner import Job
from xianghe_desk.operations.base import Changes, OpResult
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.errors import show_job_failure
from xianghe_desk.ui.events import DataEvents
from xianghe_desk.ui.widgets.progress import job_progress_dialog

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Progress:
    """Handed to a long operation as ``progress=``: report how far it is, stop when cancelled."""

    report: Callable[[int, int], None]
    check_cancelled: Callable[[], None]


Problems = list[tuple[str | None, str]]


@dataclass(frozen=True)
class _Refused:
    """What the writer thread hands back when the caller shows a ValidationError next to its fields."""

    problems: Problems


def emit_changes(events: DataEvents, changes: Changes) -> None:
    """Turn what an operation changed into the signals the views listen to."""
    if changes.all_requests:
        events.requests_changed.emit([])
    elif changes.requests:
        events.requests_changed.emit(sorted(changes.requests))
    if changes.residents:
        events.residents_changed.emit()
    if changes.members:
        events.members_changed.emit()
    if changes.places:
        events.places_changed.emit()
    if changes.settings or changes.lookups:
        events.settings_changed.emit()
    if changes.users:
        events.users_changed.emit()
    if changes.visits:
        events.visits_changed.emit()
    if changes.exchange:
        events.everything_changed()


def run_op(
    ctx: DeskContext,
    parent: QWidget | None,
    operation: Callable[..., OpResult[Any]],
    *args: Any,
    on_done: Callable[[Any], None] | None = None,
    on_failed: Callable[[str, bool], None] | None = None,
    on_problems: Callable[[Problems], None] | None = None,
    on_cancelled: Callable[[], None] | None = None,
    progress: str | None = None,
    progress_total: int = 0,
    **kwargs: Any,
) -> Job:
    """Run ``operation(ws, *args, **kwargs)`` on the writer thread as the signed-in clerk.

    ``on_done(value)`` runs on the UI thread after the change signals; ``on_failed(message,
    is_bug)`` replaces the standard warning. ``on_problems(problems)`` receives a refusal's
    (field, message) pairs instead, for a form that shows each next to its field.
    With ``progress`` (the dialog's label; ``progress_total`` 0 shows a busy bar) the operation
    gets ``progress=Progress(...)`` and the clerk a window-modal progress dialog whose 「取消」
    stops the operation with nothing written (then ``on_cancelled()``). This is the one progress
    dialog of the desk: PDF batches, spreadsheets and exchange packages all cancel the same way.
    """
    dialog = job_progress_dialog(parent, progress, progress_total) if progress else None
    if dialog is not None and progress_total:
        dialog.setValue(0)

    def work(ws: Workspace, job: Job) -> Any:
        if progress:
            kwargs["progress"] = Progress(job.report, job.check_cancelled)
        if on_problems is None:
            return operation(ws, *args, **kwargs)
        try:
            return operation(ws, *args, **kwargs)
        except ValidationError as exc:
            # The transaction is rolled back (and a refusal audited) before this is reached.
            return _Refused(list(exc.problems))

    # A QObject that lives on the UI thread receives the job's signals: queued connections then
    # run the callbacks on the UI thread whichever pool thread emitted them.
    watcher = _OpWatcher(ctx, parent, dialog, on_done, on_failed, on_problems, on_cancelled)
    name = getattr(getattr(operation, "spec", None), "name", getattr(operation, "__name__", "op"))
    job = Job(ctx.db_path, work, name)
    # The job's signals belong to the watcher (a QObject of the UI thread): they are deleted with
    # it there, never in the pool thread when the job's last reference goes (a QObject deleted in
    # the wrong thread with its queued signals pending corrupts the heap).
    job.signals.setParent(watcher)
    # Connected before the job starts: an inline runner (tests) finishes inside submit.
    job.signals.finished.connect(watcher.finished)
    job.signals.failed.connect(watcher.failed)
    job.signals.cancelled.connect(watcher.cancelled)
    job.signals.progress.connect(watcher.progress)
    if dialog is not None:
        dialog.canceled.connect(job.cancel)
    return ctx.runner.submit_write(job)


_WATCHERS: set[_OpWatcher] = set()


class _OpWatcher(QObject):
    def __init__(
        self,
        ctx: DeskContext,
        parent: QWidget | None,
        dialog: QProgressDialog | None,
        on_done: Callable[[Any], None] | None,
        on_failed: Callable[[str, bool], None] | None,
        on_problems: Callable[[Problems], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
    ) -> None:
        # No Qt parent: the watcher is Python's, kept in _WATCHERS while its operation runs and
        # released on the UI thread once it has answered (see _close).
        super().__init__()
        _WATCHERS.add(self)
        self.ctx, self.parent_widget, self.dialog = ctx, parent, dialog
        self.on_done, self.on_failed = on_done, on_failed
        self.on_problems, self.on_cancelled = on_problems, on_cancelled

    def _close(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.reset()
            dialog.close()
            dialog.deleteLater()
        # Released after the signal that called us has returned (its sender, the job's signals,
        # is our child and goes with us), always on the UI thread.
        QTimer.singleShot(0, lambda: _WATCHERS.discard(self))

    @Slot(object)
    def finished(self, result: OpResult[Any] | _Refused) -> None:
        self._close()
        if isinstance(result, _Refused):
            if self.on_problems is not None:
                self.on_problems(result.problems)
            return
        emit_changes(self.ctx.events, result.changes)
        if self.on_done is not None:
            self.on_done(result.value)

    @Slot(str, bool)
    def failed(self, message: str, is_bug: bool) -> None:
        self._close()
        if self.on_failed is not None:
            self.on_failed(message, is_bug)
        else:
            show_job_failure(self.parent_widget, message, is_bug)

    @Slot(int, int)
    def progress(self, done: int, total: int) -> None:
        if self.dialog is not None:
            self.dialog.setMaximum(total)
            self.dialog.setValue(done)

    @Slot()
    def cancelled(self) -> None:
        self._close()
        if self.on_cancelled is not None:
            self.on_cancelled()
