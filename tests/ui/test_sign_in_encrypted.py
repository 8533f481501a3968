"""The desk on an encrypted database (issue #10): nothing is read before the password unwraps the
key; the first administrator encrypts a new file; jobs get the key; the recovery code opens it."""

from __future__ import annotations

from pathlib import Path

import pytest

from PySide6.QtWidgets import QDialog

from xianghe_desk.jobs.runner import InlineRunner
from xianghe_desk.services import encryption
from xianghe_desk.ui import sign_in
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.dialogs.password_dialogs import FirstAdminDialog, RecoveryDialog
from xianghe_desk.ui.dialogs.sign_in_dialog import SignInDialog

pytestmark = pytest.mark.skipif(not encryption.available(), reason="sqlcipher3 is not installed")


@pytest.fixture
def encrypted_db(qapp, qtbot, tmp_path: Path, clock, monkeypatch) -> tuple[Path, str]:
    """A new file whose administrator was created at the desk: (path, recovery code)."""
    monkeypatch.delenv("XIANGHE_USER", raising=False)
    monkeypatch.delenv("XIANGHE_PASSWORD", raising=False)
    path = tmp_path / "town.db"
    ctx = DeskContext(path, runner=InlineRunner(), clock=clock)
    try:
        dialog = FirstAdminDialog(ctx)
        qtbot.add_widget(dialog)
        dialog.name_edit.setText("boss")
        dialog.password_edit.setText("first-pass-1")
        dialog.repeat_edit.setText("first-pass-1")
        dialog.accept()
        assert dialog.result() == QDialog.DialogCode.Accepted
        # Encrypted at once, and the desk goes on with the key.
        assert encryption.is_encrypted(path) and ctx.ws.key is not None and ctx.runner.key == ctx.ws.key
        code = dialog.recovery_code
    finally:
        ctx.close()
    return path, code


def test_nothing_is_open_before_the_password(encrypted_db, clock) -> None:
    path, _code = encrypted_db
    ctx = DeskContext(path, runner=InlineRunner(), clock=clock)
    try:
        assert not ctx.is_open and ctx.has_accounts() and ctx.who.signed_out
    finally:
        ctx.close()


def test_the_sign_in_dialog_unwraps_the_key_and_jobs_use_it(qtbot, encrypted_db, clock) -> None:
    path, _code = encrypted_db
    ctx = DeskContext(path, runner=InlineRunner(), clock=clock)
    try:
        dialog = SignInDialog(ctx)
        qtbot.add_widget(dialog)
        dialog.name_edit.setText("boss")
        dialog.password_edit.setText("wrong-pass")
        dialog.accept()
        assert "再错 4 次" in dialog.message.text() and not ctx.is_open
        dialog.password_edit.setText("first-pass-1")
        dialog.accept()
        assert dialog.result() == QDialog.DialogCode.Accepted
        assert ctx.is_open and ctx.who.name == "boss" and ctx.runner.key == ctx.ws.key
        saved: list[object] = []

        def save(ws, _job):  # type: ignore[no-untyped-def]
            with ws.atomic():
                ws.settings.set("operator", "王文员")
            return ws.settings.get("operator")

        ctx.write(save, on_finished=saved.append)
        assert saved == ["王文员"]
    finally:
        ctx.close()


def test_environment_credentials_open_an_encrypted_desk(encrypted_db, clock, monkeypatch) -> None:
    path, _code = encrypted_db
    monkeypatch.setenv("XIANGHE_USER", "boss")
    monkeypatch.setenv("XIANGHE_PASSWORD", "first-pass-1")
    monkeypatch.setattr(SignInDialog, "ask", classmethod(lambda *a, **k: pytest.fail("no dialog expected")))
    ctx = DeskContext(path, runner=InlineRunner(), clock=clock)
    try:
        assert sign_in.sign_in_at_start(ctx) and ctx.who.name == "boss"
    finally:
        ctx.close()


def test_the_recovery_code_opens_a_locked_desk(qtbot, encrypted_db, clock) -> None:
    path, code = encrypted_db
    ctx = DeskContext(path, runner=InlineRunner(), clock=clock)
    try:
        dialog = RecoveryDialog(ctx, None, "boss")
        qtbot.add_widget(dialog)
        dialog.code_edit.setText(code)
        dialog.new_edit.setText("new-pass-22")
        dialog.repeat_edit.setText("new-pass-22")
        dialog.accept()
        assert dialog.result() == QDialog.DialogCode.Accepted, dialog.message.text()
        assert ctx.sign_in("boss", "new-pass-22").name == "boss"
    finally:
        ctx.close()
