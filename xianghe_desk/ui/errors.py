"""The desk's last line of defence: unexpected errors are logged to a file and shown in plain Chinese.

``install_excepthook()`` replaces ``sys.excepthook`` (qutebrowser's crash handler, much reduced):
a ValidationError or KnownStoreError is something the clerk can act on and gets a plain warning
with its message only; anything else is a bug, gets a 「程序出错」 box with the traceback folded
away under 「显示详细信息」, and is written to the log file so it can be sent to the maintainers.
"""

from __future__ import annotations

import logging
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from xianghe_desk import paths
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.fileio import PrivateLogHandler

# The UI may not import the store; jobs.runner re-exports the store's user-actionable error.
from xianghe_desk.jobs.runner import KnownStoreError

log = logging.getLogger(__name__)

LOG_FILE_NAME = "xianghe-desk.log"

_showing = False  # an error raised while a box is open is logged, not shown on top of it


def log_file() -> Path:
    return paths.log_dir() / LOG_FILE_NAME


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Log to a rotating file in the user's log folder; returns the file, or None if it cannot be written."""
    path = log_file()
    root = logging.getLogger()
    for existing in root.handlers:
        # The command line's start-up (cli.main) may already log to this file: once is enough.
        if isinstance(existing, logging.FileHandler) and Path(existing.baseFilename) == path.resolve():
            return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: RotatingFileHandler = PrivateLogHandler(path)  # readable by this user only (issue #10)
    except OSError as exc:
        log.warning("no log file: %s", exc)
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(min(root.level or level, level))
    return path


def is_user_error(exc: BaseException) -> bool:
    """Errors the clerk can fix: bad input, a locked or full disk, a damaged file."""
    return isinstance(exc, ValidationError | KnownStoreError)


def user_message(exc: BaseException) -> str:
    return str(getattr(exc, "message", "") or exc)


def _active_window() -> QWidget | None:
    app = QApplication.instance()
    return QApplication.activeWindow() if isinstance(app, QApplication) else None


def show_warning(parent: QWidget | None, message: str, title: str = "提示") -> None:
    """A plain warning for something the clerk can fix: the message and an OK button."""
    QMessageBox.warning(parent, title, message)


def show_bug(parent: QWidget | None, summary: str, details: str) -> None:
    """The 「程序出错」 box: what happened in one sentence, the traceback folded away."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("程序出错")
    where = log_file()
    box.setText(f"{summary}\n\n刚才的操作没有完成，已保存的数据不受影响。请把日志文件发给维护人员：\n{where}")
    box.setDetailedText(details)
    open_folder = box.addButton("打开日志文件夹", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Ok)
    box.setDefaultButton(QMessageBox.StandardButton.Ok)
    box.exec()
    if box.clickedButton() is open_folder:
        open_log_folder()


def open_log_folder() -> bool:
    """Show the log folder in the system's file manager (so the clerk can send the file on)."""
    folder = log_file().parent
    folder.mkdir(parents=True, exist_ok=True)
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def show_job_failure(parent: QWidget | None, message: str, is_bug: bool) -> None:
    """The ``failed(message, is_bug)`` callback of a write or read job."""
    if is_bug:
        show_bug(parent, message, f"{message}\n\n详细记录见日志文件：{log_file()}")
    else:
        show_warning(parent, message)


def handle_exception(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """The excepthook body: log, then tell the clerk in Chinese."""
    global _showing
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    if is_user_error(exc):
        log.info("refused: %s", user_message(exc))
    else:
        log.error("unexpected error", exc_info=(exc_type, exc, tb))
    if _showing or not isinstance(QApplication.instance(), QApplication):
        return
    _showing = True
    try:
        parent = _active_window()
        if is_user_error(exc):
            show_warning(parent, user_message(exc))
        else:
            details = "".join(traceback.format_exception(exc_type, exc, tb))
            show_bug(parent, f"发生了意外错误：{exc_type.__name__}: {exc}", details)
    finally:
        _showing = False


def install_excepthook() -> None:
    sys.excepthook = handle_exception
