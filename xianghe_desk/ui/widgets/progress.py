"""The progress dialog every long job of the desk shows (PDF batches, spreadsheets, packages)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget


def job_progress_dialog(parent: QWidget | None, label: str, total: int = 0) -> QProgressDialog:
    """Window-modal, titled 「请稍候」, with 「取消」; it shows only if the job takes over 0.3 s.

    It neither closes nor resets itself at the last step: the caller closes it when the job's
    finished, failed or cancelled signal arrives. ``total`` 0 shows a busy indicator.
    """
    dialog = QProgressDialog(label, "取消", 0, total, parent)
    dialog.setWindowTitle("请稍候")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    return dialog
