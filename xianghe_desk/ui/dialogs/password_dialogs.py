"""Passwords in the desk: the first administrator, the recovery code, changing and recovering a password."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QFont, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain.access import MIN_PASSWORD_LENGTH
from xianghe_desk.domain.errors import ValidationError

if TYPE_CHECKING:
    from xianghe_desk.operations.accounts import FirstAdmin
    from xianghe_desk.operations.base import OpResult
    from xianghe_desk.services.workspace import Workspace

ERROR_STYLE = "color: #b00020;"


def _password_edit(parent: QWidget, name: str) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setAccessibleName(name)
    edit.setPlaceholderText(f"至少 {MIN_PASSWORD_LENGTH} 个字符")
    return edit


class _PasswordForm(QDialog):
    """A small form with an inline message line and OK / cancel; subclasses implement ``submit``.

    Password hashing and key wrapping (Argon2, a second or more on an office PC) run on the writer
    thread (``run``): meanwhile the dialog says 「正在…」, its fields and buttons are disabled and
    Esc does nothing; a refusal comes back to the message line with the fields as they were.
    """

    ok_text = "确定"
    working_text = "正在处理，请稍候…"

    def __init__(self, ctx, parent: QWidget | None, title: str, intro: str) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.ctx = ctx
        self.working = False
        self.setWindowTitle(title)
        self.layout_ = QVBoxLayout(self)
        label = QLabel(intro, self)
        label.setWordWrap(True)
        self.layout_.addWidget(label)
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.hide()
        self.layout_.addWidget(self.message)
        self.buttons = QDialogButtonBox(self)
        self.ok_button = self.buttons.addButton(self.ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        self.cancel_button = self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.layout_.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 32)

    def show_message(self, text: str) -> None:
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def submit(self) -> bool:
        """Check the fields and do the work: return False when it is done already, True when it
        runs on the writer thread (``run``) and the dialog closes once it has succeeded.

        Raises:
            ValidationError: a problem the clerk fixes in the form (the dialog stays open).
        """
        raise NotImplementedError

    def accept(self) -> None:
        if self.working:
            return  # 「确定」 again, or Enter, while the first one is still at work
        try:
            started = self.submit()
        except ValidationError as exc:
            self.show_message(exc.message)
            return
        if not started:
            super().accept()

    def reject(self) -> None:
        if self.working:
            return  # the writer thread is at it: Esc cannot take a half-saved password back
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.working:
            event.ignore()
            return
        super().closeEvent(event)

    def field_edits(self) -> dict[str, QLineEdit]:
        """The line edit of each field name an operation's ValidationError may name."""
        return {}

    def run(
        self,
        operation: Callable[..., OpResult[Any]],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
    ) -> None:
        """Run ``operation(ws, *args)`` on the writer thread (``ui.operations.run_op``).

        ``on_done(value)`` runs on the UI thread afterwards, still under 「正在…」; the dialog is
        accepted unless it raises ValidationError, whose message then shows in the dialog.
        """
        from xianghe_desk.ui.operations import run_op

        def done(value: Any) -> None:
            problem = ""
            try:
                if on_done is not None:
                    on_done(value)
            except ValidationError as exc:
                problem = exc.message
            finally:
                self._set_working(False)  # a bug in on_done too: ui/errors.py reports it
            if problem:
                self.show_message(problem)
            else:
                QDialog.accept(self)

        self._set_working(True)
        run_op(
            self.ctx,
            self,
            operation,
            *args,
            on_done=done,
            on_problems=self._on_refused,
            on_failed=self._on_failed,
        )

    def _set_working(self, working: bool) -> None:
        self.working = working
        self.buttons.setEnabled(not working)
        for edit in self.findChildren(QLineEdit):
            edit.setEnabled(not working)
        if working:
            self.setCursor(Qt.CursorShape.BusyCursor)
            self.message.setStyleSheet("")
            self.message.setText(self.working_text)
            self.message.show()
        else:
            self.unsetCursor()
            self.message.hide()

    def _on_refused(self, problems: list[tuple[str | None, str]]) -> None:
        self._set_working(False)
        self.show_message("；".join(message for _field, message in problems))
        edits = self.field_edits()
        edit = next((edits[field] for field, _message in problems if field in edits), None)
        if edit is not None:
            edit.setFocus()
            edit.selectAll()

    def _on_failed(self, message: str, _is_bug: bool) -> None:
        # A bug's traceback is already in the log (jobs/runner.py); the clerk reads why here.
        self._set_working(False)
        self.show_message(message)


def _same(first: QLineEdit, second: QLineEdit) -> str:
    if first.text() != second.text():
        second.clear()
        second.setFocus()
        raise ValidationError("两次输入的密码不一样，请重新输入。")
    return first.text()


class FirstAdminDialog(_PasswordForm):
    """The first start on a database without accounts: create the administrator."""

    ok_text = "创建管理员"
    working_text = "正在创建管理员账号并加密数据库，请稍候…"

    def __init__(self, ctx, parent: QWidget | None = None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(
            ctx,
            parent,
            "创建管理员账号",
            "这个数据库还没有账号。这里保存着困难群众的身份证号、病情和电话，"
            "请先为本台电脑的负责人建一个管理员账号；以后每次打开都要登录，谁做了什么都会记入操作日志。"
            "建好后数据库和它的备份都会加密保存：没有账号密码或恢复码，谁也打不开。",
        )
        self.name_edit = QLineEdit(self)
        self.name_edit.setAccessibleName("用户名")
        self.display_edit = QLineEdit(self)
        self.display_edit.setAccessibleName("姓名")
        self.password_edit = _password_edit(self, "密码")
        self.repeat_edit = _password_edit(self, "再输入一次密码")
        self.form.addRow("用户名(&U)：", self.name_edit)
        self.form.addRow("姓名：", self.display_edit)
        self.form.addRow("密码(&P)：", self.password_edit)
        self.form.addRow("再输入一次：", self.repeat_edit)
        self.recovery_code = ""
        self.user_name = ""

    def field_edits(self) -> dict[str, QLineEdit]:
        return {"name": self.name_edit, "display_name": self.display_edit, "password": self.password_edit}

    def submit(self) -> bool:
        password = _same(self.password_edit, self.repeat_edit)
        self.run(
            _create_first_admin,
            self.name_edit.text().strip(),
            password,
            self.display_edit.text().strip(),
            on_done=lambda created: self._on_created(created, password),
        )
        return True

    def _on_created(self, created: tuple[FirstAdmin, object], password: str) -> None:
        first, pending = created
        self.recovery_code = first.recovery_code
        self.user_name = first.user.name
        # The desk's own workspace encrypts the file as it signs in (its connection must be the
        # one closed for that); it takes over the key made on the writer thread. DeskContext.sign_in
        # runs here on the UI thread, so its one password check and the encryption of the file
        # still hold the window that long, under 「正在…」: moving them needs a sign-in in two
        # steps in ui/context.py (the check on a pool thread, attaching the workspace here).
        self.ctx.ws.pending_encryption = pending
        self.ctx.sign_in(self.user_name, password)


def _create_first_admin(
    ws: Workspace, name: str, password: str, display_name: str
) -> OpResult[tuple[FirstAdmin, object]]:
    """``create_first_admin`` on the writer thread, handing back the key it made with the result.

    The operation leaves the new database key on its workspace, to encrypt the file after the
    commit (services/encryption.py). The job's workspace must not do that as it closes: the
    desk's workspace still has the file open, and encrypting needs every connection closed.
    """
    from xianghe_desk.operations.accounts import create_first_admin
    from xianghe_desk.operations.base import OpResult

    try:
        result = create_first_admin(ws, name, password, display_name)
    finally:
        pending, ws.pending_encryption = ws.pending_encryption, None
    return OpResult((result.value, pending), result.changes)


class RecoveryCodeDialog(QDialog):
    """Shows the administrator's recovery code once, with 「打印」."""

    def __init__(self, code: str, user_name: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.code, self.user_name, self.place = code, user_name, title
        self.setWindowTitle("恢复码（只显示这一次）")
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"管理员「{user_name}」忘记密码时，用这个恢复码重设密码。它只显示这一次：请现在打印或工整地抄下来，"
            "和公章放在一起锁好，不要存在这台电脑上。数据库是加密的：万一所有密码和这个恢复码都丢了，"
            "数据就再也无法打开，谁也找不回来。",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.code_label = QLabel(code, self)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 110)
        self.code_label.setFont(font)
        layout.addWidget(self.code_label)
        buttons = QDialogButtonBox(self)
        self.print_button = buttons.addButton("打印(&P)…", QDialogButtonBox.ButtonRole.ActionRole)
        done = buttons.addButton("我已打印或抄下", QDialogButtonBox.ButtonRole.AcceptRole)
        done.setDefault(True)
        self.print_button.clicked.connect(self.print_code)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

    def html(self) -> str:
        return (
            f"<h2>香河「这就办」服务台账 · 管理员恢复码</h2><p>{self.place}</p>"
            f"<p>管理员账号：<b>{self.user_name}</b></p>"
            f"<p style='font-size:20pt; letter-spacing:2px'><b>{self.code}</b></p>"
            "<p>忘记管理员密码时，在登录窗口点「用恢复码重设…」，输入上面的恢复码即可设新密码。"
            "请与公章一起锁好保管，不要拍照或存在电脑上。</p>"
            "<p>数据库已加密：所有密码和这个恢复码都丢失时，数据无法找回。</p>"
        )

    def print_code(self) -> bool:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("打印恢复码")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        document = QTextDocument(self)
        document.setHtml(self.html())
        document.print_(printer)
        return True


class ChangePasswordDialog(_PasswordForm):
    """Change one's own password (asked at the first sign-in after an administrator set it)."""

    ok_text = "修改密码"
    working_text = "正在修改密码，请稍候…"

    def __init__(self, ctx, parent: QWidget | None = None, forced: bool = False) -> None:  # type: ignore[no-untyped-def]
        intro = (
            "管理员为您设置了初始密码，请现在改成只有您知道的密码。" if forced else "请输入原密码和新密码。"
        )
        super().__init__(ctx, parent, "修改密码", intro)
        self.old_edit = _password_edit(self, "原密码")
        self.old_edit.setPlaceholderText("")
        self.new_edit = _password_edit(self, "新密码")
        self.repeat_edit = _password_edit(self, "再输入一次新密码")
        self.form.addRow("原密码：", self.old_edit)
        self.form.addRow("新密码(&N)：", self.new_edit)
        self.form.addRow("再输入一次：", self.repeat_edit)

    def field_edits(self) -> dict[str, QLineEdit]:
        return {"old_password": self.old_edit, "password": self.new_edit}

    def submit(self) -> bool:
        from xianghe_desk.operations.accounts import change_own_password

        self.run(change_own_password, self.old_edit.text(), _same(self.new_edit, self.repeat_edit))
        return True


class RecoveryDialog(_PasswordForm):
    """A forgotten administrator password, reset with the printed recovery code."""

    ok_text = "重设密码"

    def __init__(self, ctx, parent: QWidget | None = None, name: str = "") -> None:  # type: ignore[no-untyped-def]
        super().__init__(
            ctx, parent, "用恢复码重设管理员密码", "输入管理员账号、建账号时打印的恢复码和新密码。"
        )
        self.name_edit = QLineEdit(name, self)
        self.code_edit = QLineEdit(self)
        self.code_edit.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        self.new_edit = _password_edit(self, "新密码")
        self.repeat_edit = _password_edit(self, "再输入一次新密码")
        self.form.addRow("管理员账号：", self.name_edit)
        self.form.addRow("恢复码：", self.code_edit)
        self.form.addRow("新密码：", self.new_edit)
        self.form.addRow("再输入一次：", self.repeat_edit)

    def submit(self) -> bool:
        # On the UI thread still: before anyone signs in, an encrypted database has no key a job
        # could open it with, so DeskContext.recover unwraps the key and opens the file itself.
        self.ctx.recover(
            self.name_edit.text().strip(), self.code_edit.text(), _same(self.new_edit, self.repeat_edit)
        )
        return False

    @classmethod
    def ask(cls, parent: QWidget | None, ctx, name: str = "") -> bool:  # type: ignore[no-untyped-def]
        dialog = cls(ctx, parent, name)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        return accepted
