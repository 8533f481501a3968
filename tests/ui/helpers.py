"""Driving the desk the way a clerk does (shared by tests/ui and tests/integration)."""

from __future__ import annotations

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget

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
