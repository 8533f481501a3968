"""The password dialogs hash on the writer thread: the window keeps answering, 「正在…」 shows,
the buttons wait, a refusal comes back into the dialog (issue #9; Argon2 takes a second or more)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialog

from xianghe_desk.jobs.runner import InlineRunner, JobRunner
from xianghe_desk.operations import accounts as account_ops
from xianghe_desk.services import encryption
from xianghe_desk.services.accounts import DEMO_PASSWORD
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.dialogs.password_dialogs import ChangePasswordDialog, FirstAdminDialog

NEW_PASSWORD = "my-own-pass-7"


@pytest.fixture(autouse=True)
def _no_environment_sign_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XIANGHE_USER", raising=False)
    monkeypatch.delenv("XIANGHE_PASSWORD", raising=False)


@pytest.fixture
def threaded_ctx(qapp, small_demo: Path, tmp_path: Path, clock) -> Iterator[DeskContext]:
    """The demo with zhen signed in, on the real thread pools (not the inline test runner)."""
    path = tmp_path / "demo.db"
    shutil.copy(small_demo, path)
    context = DeskContext(path, runner=JobRunner(), clock=clock)
    context.sign_in("zhen", DEMO_PASSWORD)
    yield context
    context.close()


class Gate:
    """Holds the wrapped function on its thread until ``open()``: the job stays pending while the
    test looks at the dialog. Records the threads it ran on."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> None:
        self.released = threading.Event()
        self.threads: list[int] = []
        original: Callable[..., Any] = getattr(module, name)

        def held(*args: Any, **kwargs: Any) -> Any:
            self.threads.append(threading.get_ident())
            self.released.wait(10)  # never hangs the suite if the test fails first
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, held)

    def open(self) -> None:
        self.released.set()


def _fill_change(dialog: ChangePasswordDialog, old: str, new: str = NEW_PASSWORD) -> None:
    dialog.old_edit.setText(old)
    dialog.new_edit.setText(new)
    dialog.repeat_edit.setText(new)


def _shown(qtbot, dialog: QDialog) -> QDialog:
    qtbot.add_widget(dialog)
    dialog.show()
    qtbot.wait_exposed(dialog)
    return dialog


def test_changing_the_password_runs_on_the_writer_thread_and_the_dialog_waits(
    qtbot, threaded_ctx: DeskContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(monkeypatch, account_ops, "verify_password")
    dialog = ChangePasswordDialog(threaded_ctx)
    _shown(qtbot, dialog)
    _fill_change(dialog, DEMO_PASSWORD)
    try:
        dialog.ok_button.click()
        qtbot.wait_until(lambda: gate.threads != [], timeout=5000)  # the job is at Argon2 now
        assert threaded_ctx.runner.running() == 1
        assert dialog.working and dialog.isVisible()
        assert "正在修改密码" in dialog.message.text() and not dialog.message.isHidden()
        assert not dialog.ok_button.isEnabled() and not dialog.cancel_button.isEnabled()
        assert not dialog.old_edit.isEnabled() and not dialog.new_edit.isEnabled()
        # The window keeps answering: a timer fires while the password is being hashed.
        ticks: list[bool] = []
        QTimer.singleShot(20, lambda: ticks.append(True))
        qtbot.wait_until(lambda: ticks == [True], timeout=2000)
        # No second submission, and Esc cannot walk away from a half-done change.
        dialog.accept()
        qtbot.keyClick(dialog, Qt.Key.Key_Return)
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        dialog.close()
        assert threaded_ctx.runner.running() == 1
        assert dialog.isVisible() and dialog.result() == 0
    finally:
        gate.open()
    qtbot.wait_until(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10000)
    assert not dialog.working
    assert threading.get_ident() not in gate.threads
    assert threaded_ctx.runner.wait_for_done()
    user = threaded_ctx.accounts.current_user()
    assert user is not None and user.name == "zhen" and not user.must_change
    assert threaded_ctx.sign_in("zhen", NEW_PASSWORD).name == "zhen"


@pytest.mark.parametrize("runner", ["threads", "inline"])
def test_a_wrong_old_password_is_said_in_the_dialog(
    qtbot, small_demo: Path, tmp_path: Path, clock, runner: str
) -> None:
    path = tmp_path / "demo.db"
    shutil.copy(small_demo, path)
    ctx = DeskContext(path, runner=JobRunner() if runner == "threads" else InlineRunner(), clock=clock)
    try:
        ctx.sign_in("cun", DEMO_PASSWORD)
        dialog = ChangePasswordDialog(ctx)
        _shown(qtbot, dialog)
        _fill_change(dialog, "not-my-password")
        dialog.ok_button.click()
        qtbot.wait_until(lambda: "原密码不对" in dialog.message.text(), timeout=10000)
        assert not dialog.message.isHidden() and dialog.isVisible()
        assert dialog.result() != QDialog.DialogCode.Accepted and not dialog.working
        # Everything typed is still there; the old password is selected to be typed again.
        assert dialog.old_edit.text() == "not-my-password"
        assert dialog.new_edit.text() == dialog.repeat_edit.text() == NEW_PASSWORD
        assert dialog.old_edit.hasSelectedText() and dialog.focusWidget() is dialog.old_edit
        assert dialog.ok_button.isEnabled() and dialog.old_edit.isEnabled()
        # Corrected, the same dialog goes on.
        dialog.old_edit.setText(DEMO_PASSWORD)
        dialog.ok_button.click()
        qtbot.wait_until(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10000)
    finally:
        ctx.close()
    again = DeskContext(path, runner=InlineRunner(), clock=clock)
    try:
        assert again.sign_in("cun", NEW_PASSWORD).name == "cun"
    finally:
        again.close()


def test_escape_before_submitting_cancels_and_changes_nothing(qtbot, threaded_ctx: DeskContext) -> None:
    dialog = ChangePasswordDialog(threaded_ctx)
    _shown(qtbot, dialog)
    _fill_change(dialog, DEMO_PASSWORD)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected and not dialog.isVisible()
    assert threaded_ctx.runner.running() == 0
    assert threaded_ctx.sign_in("zhen", DEMO_PASSWORD).name == "zhen"


def test_the_first_administrator_is_made_on_the_writer_thread(
    qtbot, qapp, tmp_path: Path, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "new.db"
    ctx = DeskContext(path, runner=JobRunner(), clock=clock)
    try:
        gate = Gate(monkeypatch, account_ops, "hash_password")
        dialog = FirstAdminDialog(ctx)
        _shown(qtbot, dialog)
        dialog.name_edit.setText("boss")
        dialog.password_edit.setText("first-pass-1")
        dialog.repeat_edit.setText("first-pass-1")
        try:
            dialog.ok_button.click()
            qtbot.wait_until(lambda: gate.threads != [], timeout=5000)
            assert "正在创建管理员账号" in dialog.message.text()
            assert not dialog.ok_button.isEnabled() and not dialog.name_edit.isEnabled()
            qtbot.keyClick(dialog, Qt.Key.Key_Escape)
            assert dialog.isVisible() and ctx.who.signed_out is False and not ctx.who.has_account
        finally:
            gate.open()
        qtbot.wait_until(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10000)
        assert threading.get_ident() not in gate.threads
        assert ctx.who.name == "boss" and ctx.who.has_account
        assert len(dialog.recovery_code) == 29 and dialog.user_name == "boss"
        if encryption.available():
            # The key made on the writer thread encrypted the file at the sign-in that followed.
            assert encryption.is_encrypted(path) and ctx.ws.key is not None
            assert ctx.runner.key == ctx.ws.key
        # Changing that password afterwards also runs in a job, with the key (its slot is new).
        change = ChangePasswordDialog(ctx)
        _shown(qtbot, change)
        _fill_change(change, "first-pass-1")
        change.ok_button.click()
        qtbot.wait_until(lambda: change.result() == QDialog.DialogCode.Accepted, timeout=10000)
    finally:
        ctx.close()
    again = DeskContext(path, runner=InlineRunner(), clock=clock)
    try:
        assert again.sign_in("boss", NEW_PASSWORD).name == "boss"
    finally:
        again.close()


def test_a_refused_first_administrator_keeps_the_form(qtbot, qapp, tmp_path: Path, clock) -> None:
    ctx = DeskContext(tmp_path / "new.db", runner=JobRunner(), clock=clock)
    try:
        dialog = FirstAdminDialog(ctx)
        _shown(qtbot, dialog)
        dialog.name_edit.setText("boss")
        dialog.display_edit.setText("王主任")
        dialog.password_edit.setText("short")
        dialog.repeat_edit.setText("short")
        dialog.ok_button.click()
        qtbot.wait_until(lambda: not dialog.working, timeout=10000)
        assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
        assert dialog.message.text() and "正在" not in dialog.message.text()
        assert dialog.name_edit.text() == "boss" and dialog.display_edit.text() == "王主任"
        assert dialog.password_edit.text() == "short" and dialog.ok_button.isEnabled()
        assert not ctx.has_accounts() and not encryption.is_encrypted(ctx.db_path)
    finally:
        ctx.close()
