"""登录: user name and password; Enter submits; the last user name is remembered.

The same dialog locks the desk after idle minutes (``SignInDialog.unlock``): the name is fixed,
open forms stay open behind it, and only the password is asked again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain.access import Actor
from xianghe_desk.services.accounts import DEMO_PASSWORD, SignInError
from xianghe_desk.ui.settings import TextOption, desk_settings

LAST_USER = TextOption("sign_in/last_user", "")


class SignInDialog(QDialog):
    """Signals: none; ``actor`` holds who signed in after ``accept()``."""

    def __init__(self, ctx, parent: QWidget | None = None, lock_name: str = "", demo: bool = False) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.ctx = ctx
        self.actor: Actor | None = None
        self.lock_name = lock_name
        self.demo = demo
        self.setWindowTitle("桌面已锁定" if lock_name else "登录")
        self.setModal(True)
        self._init_widgets()

    def _init_widgets(self) -> None:
        layout = QVBoxLayout(self)
        title = self.ctx.ws.title() if hasattr(self.ctx, "ws") else ""
        if self.lock_name:
            intro = f"长时间没有操作，桌面已锁定。请输入「{self.lock_name}」的密码继续；没保存的表格仍在。"
        elif self.demo:
            intro = (
                f"香河「这就办」服务台账 — {title}（演示数据）\n演示账号的密码都是 {DEMO_PASSWORD}：管理员 admin、"
                "镇级文员 zhen、村级录入员 cun、领导查看 lingdao。"
            )
        else:
            intro = f"香河「这就办」服务台账 — {title}\n请输入您的用户名和密码。"
        heading = QLabel(intro, self)
        heading.setWordWrap(True)
        layout.addWidget(heading)
        form = QFormLayout()
        self.name_edit = QLineEdit(self)
        self.name_edit.setAccessibleName("用户名")
        self.name_edit.setText(self.lock_name or desk_settings().get(LAST_USER) or ("admin" if self.demo else ""))
        self.name_edit.setReadOnly(bool(self.lock_name))
        self.password_edit = QLineEdit(self)
        self.password_edit.setAccessibleName("密码")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("用户名(&U)：", self.name_edit)
        form.addRow("密码(&P)：", self.password_edit)
        layout.addLayout(form)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.message.hide()
        layout.addWidget(self.message)
        self.forgot = QLabel(
            "忘记密码？请管理员在「设置 → 账号管理」中重设；管理员忘记密码时，用建账号时打印的恢复码重设。", self
        )
        self.forgot.setWordWrap(True)
        self.forgot.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.forgot)
        buttons = QDialogButtonBox(self)
        self.ok_button = buttons.addButton("登录" if not self.lock_name else "解锁", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        self.recover_button = QPushButton("用恢复码重设…", self)
        buttons.addButton(self.recover_button, QDialogButtonBox.ButtonRole.ResetRole)
        quit_button = buttons.addButton("退出程序", QDialogButtonBox.ButtonRole.RejectRole)
        quit_button.setAutoDefault(False)
        self.recover_button.setAutoDefault(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.recover_button.clicked.connect(self._on_recover_clicked)
        self.recover_button.setVisible(not self.lock_name)
        layout.addWidget(buttons)
        (self.password_edit if self.name_edit.text() else self.name_edit).setFocus()
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 30)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.adjustSize()  # the message line must not push the heading out of the window

    def accept(self) -> None:
        name = self.name_edit.text().strip()
        if not name:
            self.show_message("请输入用户名。")
            self.name_edit.setFocus()
            return
        if not self.password_edit.text():
            self.show_message("请输入密码。")
            self.password_edit.setFocus()
            return
        try:
            self.actor = self.ctx.sign_in(name, self.password_edit.text())
        except SignInError as exc:
            self.password_edit.clear()
            self.password_edit.setFocus()
            self.show_message(exc.message)
            return
        self.password_edit.clear()
        desk_settings().set(LAST_USER, name)
        super().accept()

    def _on_recover_clicked(self) -> None:
        from xianghe_desk.ui.dialogs.password_dialogs import RecoveryDialog

        if RecoveryDialog.ask(self, self.ctx, self.name_edit.text().strip()):
            self.show_message("管理员密码已重设，请用新密码登录。")
            self.password_edit.setFocus()

    @classmethod
    def ask(cls, parent: QWidget | None, ctx, lock_name: str = "", demo: bool = False) -> Actor | None:  # type: ignore[no-untyped-def]
        dialog = cls(ctx, parent, lock_name, demo)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        return dialog.actor if accepted else None
