"""Printing from the desk: work-order batches, the monthly summary and village notices, with preview.

``print_work_orders(parent, ctx, request_ids)`` lays the batch out on the reader pool with a
window-modal progress dialog whose 「取消」 stops it between orders, records 「打印工单」 in each
request's history in one write job, and opens the preview (打印 / 另存为PDF / 用系统程序打开).
``show_pdf(parent, path, title)`` opens the preview of any PDF.

PDFs are written to a folder under the system's temporary folder; files older than two days
are removed the next time something is printed.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from xianghe_desk.jobs.runner import Job
from xianghe_desk.services.printing import PrintResult, PrintService
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.dialogs.pdf_preview import PdfPreviewDialog
from xianghe_desk.ui.errors import show_job_failure
from xianghe_desk.ui.widgets.progress import job_progress_dialog

log = logging.getLogger(__name__)

KEEP_SECONDS = 2 * 24 * 3600


def output_folder() -> Path:
    """Where the desk writes PDFs before they are previewed (old ones are cleared)."""
    folder = Path(tempfile.gettempdir()) / "xianghe-desk-printouts"
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - KEEP_SECONDS
    for old in folder.glob("*.pdf"):
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < cutoff:
                old.unlink()
    return folder


def output_path(stem: str, now: datetime) -> Path:
    """A fresh file name such as 服务工单-20261126-103000.pdf (never one a viewer holds open)."""
    folder = output_folder()
    base = f"{stem}-{now:%Y%m%d-%H%M%S}"
    path, n = folder / f"{base}.pdf", 2
    while path.exists():
        path, n = folder / f"{base}-{n}.pdf", n + 1
    return path


def show_pdf(parent: QWidget | None, path: Path | str, title: str) -> PdfPreviewDialog:
    """Open the print preview of ``path`` (打印, 另存为PDF, 用系统程序打开)."""
    return PdfPreviewDialog.show_pdf(parent, path, title)


def run_with_progress(
    parent: QWidget | None,
    ctx: DeskContext,
    work: Callable[[Workspace, Job], Any],
    label: str,
    on_finished: Callable[[Any], None],
    total: int = 0,
    name: str = "",
) -> Job:
    """Run ``work`` on the reader pool behind a window-modal progress dialog with 「取消」.

    ``total`` 0 shows a busy indicator. The job's signals are connected before it starts, so a
    quick job (or the tests' inline runner) cannot finish unseen.
    """
    dialog = job_progress_dialog(parent, label, total)
    job = Job(ctx.db_path, work, name)

    def close_dialog() -> None:
        dialog.canceled.disconnect(job.cancel)
        dialog.reset()
        dialog.deleteLater()

    def on_progress(done: int, all_: int) -> None:
        if dialog.maximum() != all_:
            dialog.setMaximum(all_)
        dialog.setValue(done)

    def finished(result: Any) -> None:
        # 「取消」 pressed as the last item finished: the clerk said stop, so nothing follows.
        cancelled = dialog.wasCanceled()
        close_dialog()
        if not cancelled:
            on_finished(result)

    def failed(message: str, is_bug: bool) -> None:
        close_dialog()
        show_job_failure(parent, message, is_bug)

    dialog.canceled.connect(job.cancel)
    job.signals.progress.connect(on_progress)
    job.signals.finished.connect(finished)
    job.signals.failed.connect(failed)
    job.signals.cancelled.connect(close_dialog)
    if total:
        dialog.setValue(0)
    ctx.runner.submit_read(job)
    return job


def work_orders_work(
    request_ids: list[int], path: Path, page: str = "A4"
) -> Callable[[Workspace, Job], PrintResult]:
    """The read job of a batch: lay the work orders out, checking 「取消」 between orders."""

    def work(ws: Workspace, job: Job) -> PrintResult:
        def progress(done: int, total: int) -> None:
            job.check_cancelled()
            job.report(done, total)

        return PrintService(ws).write_work_orders(request_ids, path, page, progress, mark_printed=False)

    return work


def print_work_orders(
    parent: QWidget | None, ctx: DeskContext, request_ids: list[int], page: str = "A4"
) -> None:
    """Print work orders: build the PDF (progress, 取消), record the printing, open the preview."""
    ids = list(dict.fromkeys(request_ids))
    if not ids:
        QMessageBox.information(parent, "打印工单", "请先在列表中选中要打印的工单。")
        return
    path = output_path("服务工单", ctx.now())
    count = len(ids)
    title = f"服务工单（{count} 张）" if count > 1 else "服务工单"

    def built(result: PrintResult) -> None:
        def record(ws: Workspace, _job: Job) -> None:
            RequestService(ws).mark_printed(ids)

        def recorded(_result: object) -> None:
            ctx.events.requests_changed.emit(ids)
            show_pdf(parent, path, title)

        def not_recorded(message: str, is_bug: bool) -> None:
            # The paper can still be printed; the clerk learns the history was not updated.
            show_job_failure(parent, f"工单已生成，但没能记入办理记录：{message}", is_bug)
            show_pdf(parent, path, title)

        log.info("work orders: %d orders, %d pages → %s", result.orders, result.pages, path)
        ctx.write(record, recorded, not_recorded, name="mark-printed")

    run_with_progress(
        parent,
        ctx,
        work_orders_work(ids, path, page),
        f"正在生成 {count} 张工单…",
        built,
        total=count,
        name="work-orders",
    )
