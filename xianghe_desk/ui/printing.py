"""Printing from the desk: work-order batches, the monthly summary and village notices, with preview.

``print_work_orders(parent, ctx, request_ids)`` runs operations.printing.print_work_orders through
``run_op`` (the desk's one progress dialog, whose 「取消」 stops it between orders with nothing
recorded): it lays the batch out and records 「打印工单」 in each request's history in one
transaction, then the preview opens (打印 / 另存为PDF / 用系统程序打开).
``show_pdf(parent, path, title)`` opens the preview of any PDF.

PDFs are written to a folder under the system's temporary folder; files older than two days
are removed the next time something is printed.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox, QWidget

from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.operations import run_op

if TYPE_CHECKING:
    # Imported when something is printed: the PDF layouts (reportlab's charts) and the preview
    # (QtPdf, QtPrintSupport) cost ~60 ms, which the request list paid at its first show (#13).
    from xianghe_desk.services.printing import PrintResult
    from xianghe_desk.ui.dialogs.pdf_preview import PdfPreviewDialog

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
    from xianghe_desk.ui.dialogs.pdf_preview import PdfPreviewDialog

    return PdfPreviewDialog.show_pdf(parent, path, title)


def print_work_orders(
    parent: QWidget | None, ctx: DeskContext, request_ids: list[int], page: str = "A4"
) -> None:
    """Print work orders: build the PDF and record the printing in one operation (progress,
    「取消」 records nothing), then open the preview."""
    from xianghe_desk.operations import printing as printing_ops

    ids = list(dict.fromkeys(request_ids))
    if not ids:
        QMessageBox.information(parent, "打印工单", "请先在列表中选中要打印的工单。")
        return
    path = output_path("服务工单", ctx.now())
    count = len(ids)
    title = f"服务工单（{count} 张）" if count > 1 else "服务工单"

    def built(result: PrintResult) -> None:
        log.info("work orders: %d orders, %d pages → %s", result.orders, result.pages, path)
        show_pdf(parent, path, title)

    run_op(
        ctx,
        parent,
        printing_ops.print_work_orders,
        ids,
        path,
        page,
        on_done=built,
        progress=f"正在生成 {count} 张工单…",
        progress_total=count,
    )
