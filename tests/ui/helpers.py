"""Driving the desk the way a clerk does (shared by tests/ui and tests/integration)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.main_window import MainWindow


def type_text(widget: QWidget, text: str) -> None:
    """Type as a Chinese input method does: one commit string (keyClicks cannot type 汉字)."""
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def show_window(qtbot, ctx: DeskContext, width: int = 1366, height: int = 768) -> MainWindow:
    """The main window shown at an office screen size, active so that shortcuts reach it."""
    window = MainWindow(ctx.db_path, ctx)
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    window.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    return window


def answer_file_dialogs(monkeypatch, answer: Path | None) -> list[QFileDialog]:
    """Every desk file dialog (ui/widgets/file_dialogs.py) returns ``answer`` at once (None: the
    clerk cancels). The dialogs are kept, configured as shown, for the test to look at."""
    shown: list[QFileDialog] = []

    def exec_(dialog: QFileDialog) -> int:
        shown.append(dialog)
        if answer is None:
            return QFileDialog.DialogCode.Rejected.value
        dialog.selectFile(str(answer))
        return QFileDialog.DialogCode.Accepted.value

    def elsewhere(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a screen opened its own file dialog instead of ui/widgets/file_dialogs")

    for static in ("getOpenFileName", "getSaveFileName", "getExistingDirectory", "getOpenFileNames"):
        monkeypatch.setattr(QFileDialog, static, elsewhere)
    monkeypatch.setattr(QFileDialog, "exec", exec_)
    monkeypatch.setattr(QFileDialog, "selectedFiles", lambda _dialog: [str(answer)] if answer else [])
    monkeypatch.setattr(QFileDialog, "deleteLater", lambda _dialog: None)  # the test looks at it afterwards
    return shown
