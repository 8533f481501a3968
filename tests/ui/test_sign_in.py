"""Signing in at the desk, the first administrator, forced password change and the idle lock (issue #9)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import ClassVar

import pytest

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QDialog

from xianghe_desk.jobs.runner import InlineRunner
from xianghe_desk.operations.accounts import reset_password
from xianghe_desk.services.accounts import DEMO_PASSWORD
from xianghe_desk.services.audit import AuditService
from xianghe_desk.ui import sign_in
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.dialogs.password_dialogs import ChangePasswordDialog, FirstAdminDialog
from xianghe_desk.ui.dialogs.sign_in_dialog import LAST_USER, SignInDialog
from xianghe_desk.ui.settings import desk_settings


@pytest.fixture
def fresh_ctx(qapp, small_demo: Path, tmp_path: Path, clock, monkeypatch):
    """A desk on the demo nobody has signed in to yet (no XIANGHE_* in the environment)."""
    monkeypatch.delenv("XIANGHE_USER", raising=False)
    monkeypatch.delenv("XIANGHE_PASSWORD", raising=False)
    path = tmp_path / "demo.db"
    shutil.copy(small_demo, path)
    context = DeskContext(path, runner=InlineRunner(), clock=clock)
    yield context
    context.close()


def test_nobody_is_signed_in_before_the_dialog(fresh_ctx) -> None:
    assert fresh_ctx.who.signed_out


def test_a_wrong_password_keeps_the_dialog_open_and_says_why(qtbot, fresh_ctx) -> None:
    dialog = SignInDialog(fresh_ctx)
    qtbot.add_widget(dialog)
    dialog.name_edit.setText("cun")
    dialog.password_edit.setText("not-the-password")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "用户名或密码不对" in dialog.message.text() and not dialog.message.isHidden()
    assert dialog.password_edit.text() == ""
    dialog.password_edit.setText(DEMO_PASSWORD)
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert fresh_ctx.who.name == "cun" and fresh_ctx.runner.who == fresh_ctx.who
    assert desk_settings().get(LAST_USER) == "cun"


def test_the_last_user_is_filled_in_and_enter_submits(qtbot, fresh_ctx) -> None:
    desk_settings().set(LAST_USER, "zhen")
    dialog = SignInDialog(fresh_ctx)
    qtbot.add_widget(dialog)
    dialog.show()
    assert dialog.name_edit.text() == "zhen"
    dialog.password_edit.setText(DEMO_PASSWORD)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted and fresh_ctx.who.name == "zhen"


def test_the_first_start_creates_the_administrator(qtbot, qapp, tmp_path: Path, clock, monkeypatch) -> None:
    monkeypatch.delenv("XIANGHE_USER", raising=False)
    ctx = DeskContext(tmp_path / "new.db", runner=InlineRunner(), clock=clock)
    try:
        dialog = FirstAdminDialog(ctx)
        qtbot.add_widget(dialog)
        dialog.name_edit.setText("boss")
        dialog.password_edit.setText("first-pass-1")
        dialog.repeat_edit.setText("first-pass-2")
        dialog.accept()
        assert "两次输入的密码不一样" in dialog.message.text()
        dialog.repeat_edit.setText("first-pass-1")
        dialog.accept()
        assert dialog.result() == QDialog.DialogCode.Accepted
        assert ctx.who.name == "boss" and ctx.who.has_account
        assert len(dialog.recovery_code) == 29
    finally:
        ctx.close()


def test_environment_credentials_sign_the_desk_in(fresh_ctx, monkeypatch) -> None:
    monkeypatch.setenv("XIANGHE_USER", "admin")
    monkeypatch.setenv("XIANGHE_PASSWORD", DEMO_PASSWORD)
    monkeypatch.setattr(SignInDialog, "ask", classmethod(lambda *a, **k: pytest.fail("no dialog expected")))
    assert sign_in.sign_in_at_start(fresh_ctx)
    assert fresh_ctx.who.name == "admin"


def test_quitting_the_sign_in_opens_nothing(fresh_ctx, monkeypatch) -> None:
    monkeypatch.setattr(SignInDialog, "ask", classmethod(lambda *a, **k: None))
    assert not sign_in.sign_in_at_start(fresh_ctx)
    assert fresh_ctx.who.signed_out


def test_a_password_set_by_the_administrator_must_be_changed(fresh_ctx, monkeypatch) -> None:
    fresh_ctx.sign_in("admin", DEMO_PASSWORD)
    reset_password(fresh_ctx.ws, "cun", "temporary-1")

    def ask(cls, parent, ctx, lock_name="", demo=False):
        return ctx.sign_in("cun", "temporary-1")

    forced: list[bool] = []

    def exec_change(self) -> int:
        forced.append(True)
        self.old_edit.setText("temporary-1")
        self.new_edit.setText("my-own-pass-7")
        self.repeat_edit.setText("my-own-pass-7")
        self.accept()
        return int(self.result())

    monkeypatch.setattr(SignInDialog, "ask", classmethod(ask))
    monkeypatch.setattr(ChangePasswordDialog, "exec", exec_change)
    assert sign_in.sign_in_at_start(fresh_ctx)
    assert forced == [True]
    assert not fresh_ctx.accounts.current_user().must_change
    assert fresh_ctx.ws.users.by_name("cun").must_change is False


def test_the_idle_lock_asks_for_the_password_and_keeps_going(qtbot, fresh_ctx, monkeypatch) -> None:
    fresh_ctx.sign_in("zhen", DEMO_PASSWORD)
    asked: list[str] = []
    monkeypatch.setattr(
        SignInDialog, "ask", classmethod(lambda cls, parent, ctx, lock_name="": asked.append(lock_name) or ctx.who)
    )
    lock = sign_in.IdleLock(fresh_ctx, minutes=15)
    assert lock.timer.isActive() and lock.timer.interval() == 15 * 60_000
    lock.timer.setInterval(50)
    lock.timer.start()
    qtbot.wait_until(lambda: asked == ["zhen"], timeout=3000)
    assert lock.timer.isActive() and not lock.locked


def test_input_restarts_the_idle_countdown(qtbot, fresh_ctx, monkeypatch) -> None:
    fresh_ctx.sign_in("zhen", DEMO_PASSWORD)
    asked: list[str] = []
    monkeypatch.setattr(
        SignInDialog, "ask", classmethod(lambda cls, parent, ctx, lock_name="": asked.append(lock_name) or ctx.who)
    )
    lock = sign_in.IdleLock(fresh_ctx, minutes=15)
    lock.timer.setInterval(300)
    lock.timer.start()
    move = QMouseEvent(
        QEvent.Type.MouseMove, QPointF(1, 1), QPointF(1, 1), Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    for _ in range(8):  # a clerk moving the mouse every 100 ms for 0.8 s: never locked
        qtbot.wait(100)
        lock.eventFilter(QApplication.instance(), move)
    assert asked == []
    qtbot.wait_until(lambda: asked == ["zhen"], timeout=3000)  # then idle: locked


def test_refusing_the_unlock_quits(qtbot, fresh_ctx, monkeypatch) -> None:
    fresh_ctx.sign_in("zhen", DEMO_PASSWORD)
    quits: list[bool] = []
    monkeypatch.setattr(SignInDialog, "ask", classmethod(lambda *a, **k: None))
    monkeypatch.setattr(QApplication, "quit", lambda *a: quits.append(True))
    lock = sign_in.IdleLock(fresh_ctx, minutes=15)
    lock.lock_now()
    assert quits == [True]


def test_sign_ins_are_in_the_audit_trail(fresh_ctx) -> None:
    fresh_ctx.sign_in("lingdao", DEMO_PASSWORD)
    last = AuditService(fresh_ctx.ws).entries(newest_first=True, limit=1)[0]
    assert (last.kind, last.user_name) == ("sign_in", "lingdao")


def test_the_demo_says_its_accounts_and_fills_in_the_administrator(qtbot, fresh_ctx) -> None:
    dialog = SignInDialog(fresh_ctx, demo=True)
    qtbot.add_widget(dialog)
    assert dialog.name_edit.text() == "admin"
    texts = " ".join(label.text() for label in dialog.findChildren(type(dialog.message)))
    assert DEMO_PASSWORD in texts and "lingdao" in texts
    dialog.password_edit.setText(DEMO_PASSWORD)
    dialog.accept()
    assert fresh_ctx.who.name == "admin"


def test_the_idle_lock_watches_windows_not_every_event(qtbot, fresh_ctx, monkeypatch) -> None:
    """Input reaches a window first: the lock watches the windows that come to the front, so
    paints and timers of the widgets never run its Python filter (issue #13)."""
    from PySide6.QtWidgets import QLineEdit

    fresh_ctx.sign_in("zhen", DEMO_PASSWORD)
    monkeypatch.setattr(SignInDialog, "ask", classmethod(lambda cls, parent, ctx, lock_name="": ctx.who))

    class Counting(sign_in.IdleLock):
        seen: ClassVar[list[int]] = []

        def eventFilter(self, watched, event):  # type: ignore[no-untyped-def]  # noqa: N802
            self.seen.append(int(event.type().value))
            return super().eventFilter(watched, event)

    lock = Counting(fresh_ctx, minutes=15)
    window = QLineEdit()
    qtbot.add_widget(window)
    window.show()
    window.windowHandle().requestActivate()
    qtbot.wait_until(lambda: QApplication.focusWindow() is window.windowHandle(), timeout=2000)
    lock.timer.setInterval(300)
    lock.timer.start()
    Counting.seen.clear()
    for _ in range(20):
        window.repaint()  # paints of the widget: not for the lock
    assert int(QEvent.Type.Paint.value) not in Counting.seen
    move = QMouseEvent(
        QEvent.Type.MouseMove, QPointF(2, 2), QPointF(2, 2), Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    for _ in range(6):  # the mouse moving over the window every 100 ms: not locked
        qtbot.wait(100)
        remaining = lock.timer.remainingTime()
        QApplication.sendEvent(window.windowHandle(), move)
        assert lock.timer.remainingTime() > remaining
    assert int(QEvent.Type.MouseMove.value) in Counting.seen


def test_the_pointer_moving_in_a_popup_counts_as_activity(qtbot, fresh_ctx, monkeypatch) -> None:
    """A combo box's list never becomes the focus window: the lock also looks whether the pointer
    moved (review of the window filter)."""
    from PySide6.QtCore import QPoint

    fresh_ctx.sign_in("zhen", DEMO_PASSWORD)
    asked: list[str] = []
    monkeypatch.setattr(
        SignInDialog, "ask", classmethod(lambda cls, parent, ctx, lock_name="": asked.append(lock_name) or ctx.who)
    )
    positions = iter([QPoint(10, 10), QPoint(10, 10), QPoint(40, 12)])
    monkeypatch.setattr(sign_in.QCursor, "pos", staticmethod(lambda: next(positions)))
    lock = sign_in.IdleLock(fresh_ctx, minutes=15)  # looks once at start: (10, 10)
    lock.pointer_timer.stop()  # the test looks by hand
    lock.timer.setTimerType(Qt.TimerType.PreciseTimer)
    lock.timer.setInterval(400)
    lock.timer.start()
    qtbot.wait(250)
    lock._look_at_pointer()  # (10, 10): not moved, the countdown goes on
    qtbot.wait(250)
    assert asked == ["zhen"]  # locked at 400 ms
    lock.timer.setInterval(400)  # unlocking set the account's 15 minutes again
    lock.timer.start()
    qtbot.wait(250)
    lock._look_at_pointer()  # (40, 12): moved, the countdown starts again
    qtbot.wait(250)
    assert asked == ["zhen"]  # 500 ms after the start, but only 250 after the pointer moved
