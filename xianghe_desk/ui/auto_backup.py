"""The desk's automatic backups (issue #10): once a day while it runs, and when it closes.

A QTimer looks every half hour whether the last automatic backup is a day old
(services.backup_rotation.auto_backup_due) and then runs the ``auto_backup`` operation on the
writer thread. Closing the main window runs one more, and the window waits for the writer
thread before it goes. The outcome goes to the status bar only: an automatic backup never
interrupts the clerk with a dialog, and a missing or write-protected USB stick is said, not raised.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from xianghe_desk.operations.backups import auto_backup
from xianghe_desk.services.backups import AutoBackupResult, BackupService
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.operations import run_op

log = logging.getLogger(__name__)

CHECK_INTERVAL_MS = 30 * 60 * 1000
FIRST_CHECK_MS = 2 * 60 * 1000  # after start-up, when the clerk's first work has settled


class AutoBackup(QObject):
    """Runs the automatic backups of one desk.

    Signals:
    status_message(str): the outcome, for the status bar.
    """

    status_message = Signal(str)

    def __init__(self, ctx: DeskContext, parent: QObject | None = None, start: bool = True) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.running = False
        # After a restore the file holds the restored data and the desk restarts: no backup then.
        self.enabled = True
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        if start:
            QTimer.singleShot(FIRST_CHECK_MS, self, self.check)
            self.timer.start()

    def check(self) -> None:
        """Back up now when the last automatic backup is a day old (or there is none)."""
        if not self.enabled or self.running or not getattr(self.ctx, "is_open", True):
            return
        try:
            due = BackupService(self.ctx.ws).auto_backup_due()
        except Exception:
            log.exception("could not tell whether an automatic backup is due")
            return
        if due:
            self.run()

    def run(self) -> None:
        self.running = True
        run_op(self.ctx, None, auto_backup, on_done=self._on_done, on_failed=self._on_failed)

    def on_close(self) -> None:
        """The backup of a closing desk; the window waits for the writer thread afterwards."""
        self.timer.stop()
        if not self.enabled or self.running or not getattr(self.ctx, "is_open", True):
            return
        self.status_message.emit("正在自动备份，请稍候……")
        self.run()

    def _on_done(self, result: AutoBackupResult) -> None:
        self.running = False
        log.info("automatic backup: %s", result.status_text())
        self.status_message.emit(result.status_text())

    def _on_failed(self, message: str, is_bug: bool) -> None:
        self.running = False
        if is_bug:
            log.error("automatic backup failed: %s", message)
        else:
            log.warning("automatic backup failed: %s", message)
        self.status_message.emit(f"自动备份没有完成：{message}")
