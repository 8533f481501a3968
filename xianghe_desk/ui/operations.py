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

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

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
    if changes.exchange:
        events.everything_changed()


def run_op(
    ctx: DeskContext,
    parent: QWidget | None,
    operation: Callable[..., OpResult[Any]],
    *args: Any,
    on_done: Callable[[Any], None] | None = None,
    on_failed: Callable[[str, bool], None] | None = None,
    progress: str | None = None,
    **kwargs: Any,
) -> Job:
    """Run ``operation(ws, *args, **kwargs)`` on the writer thread as the signed-in clerk.

    ``on_done(value)`` runs on the UI thread after the change signals; ``on_failed(message,
    is_bug)`` replaces the standard warning (a dialog that shows problems next to its fields).
    With ``progress`` (the dialog's label) the operation gets ``progress=Progress(...)`` and the
    clerk a window-modal progress dialog whose 「取消」 stops the operation with nothing written.
    """
    dialog = job_progress_dialog(parent, progress) if progress else None

    def work(ws: Workspace, job: Job) -> OpResult[Any]:
        if progress:
            kwargs["progress"] = Progress(job.report, job.check_cancelled)
        return operation(ws, *args, **kwargs)

    # A QObject that lives on the UI thread receives the job's signals: queued connections then
    # run the callbacks on the UI thread whichever pool thread emitted them.
    watcher = _OpWatcher(ctx, parent, dialog, on_done, on_failed)
    name = getattr(getattr(operation, "spec", None), "name", getattr(operation, "__name__", "op"))
    job = ctx.write(work, watcher.finished, watcher.failed, name=name)
    if dialog is not None:
        job.signals.progress.connect(watcher.progress)
        job.signals.cancelled.connect(watcher.cancelled)
        dialog.canceled.connect(job.cancel)
    return job


class _OpWatcher(QObject):
    def __init__(
        self,
        ctx: DeskContext,
        parent: QWidget | None,
        dialog: QProgressDialog | None,
        on_done: Callable[[Any], None] | None,
        on_failed: Callable[[str, bool], None] | None,
    ) -> None:
        super().__init__(ctx)
        self.ctx, self.parent_widget, self.dialog = ctx, parent, dialog
        self.on_done, self.on_failed = on_done, on_failed

    def _close(self) -> None:
        if self.dialog is not None:
            self.dialog.close()
        self.deleteLater()

    @Slot(object)
    def finished(self, result: OpResult[Any]) -> None:
        self._close()
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
