"""Who is at the desk: sign-in at start, the first administrator, and the lock after idle minutes."""

from __future__ import annotations

import logging
import os

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QCursor, QWindow
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from xianghe_desk.services.accounts import SignInError
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.dialogs.password_dialogs import (
    ChangePasswordDialog,
    FirstAdminDialog,
    RecoveryCodeDialog,
)
from xianghe_desk.ui.dialogs.sign_in_dialog import SignInDialog

log = logging.getLogger(__name__)


def sign_in_at_start(ctx: DeskContext, parent: QWidget | None = None, demo: bool = False) -> bool:
    """Before the main window: create the first administrator or sign in. False: the clerk quit.

    On the demo (``--demo``) the dialog says the demo accounts and fills in the administrator.
    """
    if not ctx.has_accounts():
        first = FirstAdminDialog(ctx, parent)
        if first.exec() != QDialog.DialogCode.Accepted:
            return False
        RecoveryCodeDialog(first.recovery_code, first.user_name, ctx.ws.title(), parent).exec()
        return True
    if not _sign_in_from_environment(ctx) and SignInDialog.ask(parent, ctx, demo=demo) is None:
        return False
    user = ctx.accounts.current_user()
    if user is not None and user.must_change:
        # An administrator set this password: it becomes the clerk's own before anything else.
        if ChangePasswordDialog(ctx, parent, forced=True).exec() != QDialog.DialogCode.Accepted:
            return False
    return True


def _sign_in_from_environment(ctx: DeskContext) -> bool:
    """XIANGHE_USER and XIANGHE_PASSWORD sign the desk in as they sign in a command (contract §1):
    scripted starts (CI's wheel check, a kiosk) need no dialog. A wrong pair falls back to the dialog."""
    name, password = os.environ.get("XIANGHE_USER"), os.environ.get("XIANGHE_PASSWORD")
    if not name or password is None:
        return False
    try:
        ctx.sign_in(name, password)
    except SignInError as exc:
        log.warning("sign-in from the environment refused: %s", exc.message)
        return False
    return True


_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.InputMethod,
        QEvent.Type.TouchBegin,
    }
)


POINTER_LOOK_MS = 30_000  # how often the idle lock looks whether the pointer moved


class IdleLock(QObject):
    """Locks the desk after ``minutes`` without keyboard or mouse input (0: never).

    The lock is a modal password prompt over whatever is open, so a half-filled form survives it.
    Signals: none. ``lock_now()`` locks at once (menu 「锁定」, Ctrl+L).
    """

    def __init__(self, ctx: DeskContext, minutes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.locked = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.lock_now)
        # A popup list (a combo box's, a menu) never becomes the focus window, so its input is not
        # seen by the windows' filter: the pointer having moved since the last look counts too.
        self._pointer = QCursor.pos()
        self.pointer_timer = QTimer(self)
        self.pointer_timer.setInterval(POINTER_LOOK_MS)
        self.pointer_timer.timeout.connect(self._look_at_pointer)
        self.pointer_timer.start()
        self.set_minutes(minutes)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            # Input reaches a window before its widgets: the windows are watched, not every event
            # of the application (a Python filter on the application ran for every paint and
            # timer of every widget, ~18 % of the desk's UI-thread time at 1M requests; #13).
            app.focusWindowChanged.connect(self._watch)
            for window in app.topLevelWindows():
                self._watch(window)
            # An input method commits its text to the focused widget, not through the window.
            app.inputMethod().cursorRectangleChanged.connect(self.activity)

    def set_minutes(self, minutes: int) -> None:
        self.minutes = minutes
        if minutes > 0 and self.ctx.who.has_account:
            self.timer.setInterval(minutes * 60_000)
            self.timer.start()
        else:
            self.timer.stop()

    def _watch(self, window: QWindow | None) -> None:
        """A window came to the front (the desk, a dialog): its input restarts the countdown.
        Installing the filter again on a window already watched only moves it to the front."""
        self.activity()
        if window is not None:
            window.installEventFilter(self)

    def _look_at_pointer(self) -> None:
        pointer = QCursor.pos()
        if pointer != self._pointer:
            self._pointer = pointer
            self.activity()

    def activity(self) -> None:
        """The clerk did something: restart the countdown."""
        if not self.locked and self.timer.isActive():
            self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in _INPUT_EVENTS:
            self.activity()
        return False

    def lock_now(self) -> None:
        if self.locked or not self.ctx.who.has_account:
            return
        self.locked = True
        try:
            log.info("desk locked after %s idle minutes", self.minutes)
            parent = QApplication.activeModalWidget() or QApplication.activeWindow()
            if SignInDialog.ask(parent, self.ctx, lock_name=self.ctx.who.name) is None:
                app = QApplication.instance()
                if app is not None:
                    app.quit()
                return
        finally:
            self.locked = False
        self.set_minutes(self.minutes)
