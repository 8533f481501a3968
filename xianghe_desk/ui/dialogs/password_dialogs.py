"""Passwords in the desk: the first administrator, the recovery code, changing and recovering a password."""

from __future__ import annotations

from PySide6.QtGui import QFont, QTextDocument
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


def _password_edit(parent: QWidget, name: str) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setAccessibleName(name)
    edit.setPlaceholderText(f"至少 {MIN_PASSWORD_LENGTH} 个字符")
    return edit


class _PasswordForm(QDialog):
    """A small form with an inline message line and OK / cancel; subclasses implement ``submit``."""

    ok_text = "确定"

    def __init__(self, ctx, parent: QWidget | None, title: str, intro: str) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.layout_ = QVBoxLayout(self)
        label = QLabel(intro, self)
        label.setWordWrap(True)
        self.layout_.addWidget(label)
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.message.hide()
        self.layout_.addWidget(self.message)
        self.buttons = QDialogButtonBox(self)
        ok = self.buttons.addButton(self.ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setDefault(True)
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.layout_.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 32)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def submit(self) -> None:
        raise NotImplementedError

    def accept(self) -> None:
        try:
            self.submit()
        except ValidationError as exc:
            self.show_message(exc.message)
            return
        super().accept()


def _same(first: QLineEdit, second: QLineEdit) -> str:
    if first.text() != second.text():
        second.clear()
        second.setFocus()
        raise ValidationError("两次输入的密码不一样，请重新输入。")
    return first.text()


class FirstAdminDialog(_PasswordForm):
    """The first start on a database without accounts: create the administrator."""

    ok_text = "创建管理员"

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

    def submit(self) -> None:
        from xianghe_desk.operations.accounts import create_first_admin

        password = _same(self.password_edit, self.repeat_edit)
        first = create_first_admin(self.ctx.ws, self.name_edit.text().strip(), password, self.display_edit.text().strip())
        self.recovery_code = first.value.recovery_code
        self.user_name = first.value.user.name
        self.ctx.sign_in(self.user_name, password)


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

    def __init__(self, ctx, parent: QWidget | None = None, forced: bool = False) -> None:  # type: ignore[no-untyped-def]
        intro = "管理员为您设置了初始密码，请现在改成只有您知道的密码。" if forced else "请输入原密码和新密码。"
        super().__init__(ctx, parent, "修改密码", intro)
        self.old_edit = _password_edit(self, "原密码")
        self.old_edit.setPlaceholderText("")
        self.new_edit = _password_edit(self, "新密码")
        self.repeat_edit = _password_edit(self, "再输入一次新密码")
        self.form.addRow("原密码：", self.old_edit)
        self.form.addRow("新密码(&N)：", self.new_edit)
        self.form.addRow("再输入一次：", self.repeat_edit)

    def submit(self) -> None:
        from xianghe_desk.operations.accounts import change_own_password

        change_own_password(self.ctx.ws, self.old_edit.text(), _same(self.new_edit, self.repeat_edit))


class RecoveryDialog(_PasswordForm):
    """A forgotten administrator password, reset with the printed recovery code."""

    ok_text = "重设密码"

    def __init__(self, ctx, parent: QWidget | None = None, name: str = "") -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx, parent, "用恢复码重设管理员密码", "输入管理员账号、建账号时打印的恢复码和新密码。")
        self.name_edit = QLineEdit(name, self)
        self.code_edit = QLineEdit(self)
        self.code_edit.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        self.new_edit = _password_edit(self, "新密码")
        self.repeat_edit = _password_edit(self, "再输入一次新密码")
        self.form.addRow("管理员账号：", self.name_edit)
        self.form.addRow("恢复码：", self.code_edit)
        self.form.addRow("新密码：", self.new_edit)
        self.form.addRow("再输入一次：", self.repeat_edit)

    def submit(self) -> None:
        self.ctx.recover(self.name_edit.text().strip(), self.code_edit.text(), _same(self.new_edit, self.repeat_edit))

    @classmethod
    def ask(cls, parent: QWidget | None, ctx, name: str = "") -> bool:  # type: ignore[no-untyped-def]
        dialog = cls(ctx, parent, name)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        return accepted
