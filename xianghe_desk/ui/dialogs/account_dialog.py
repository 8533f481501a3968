"""An account's name, role and scope (添加账号 / 修改角色), and a new password set by the administrator.

The dialogs only ask; the caller runs operations/accounts.py (which checks everything again and
refuses anyone but an administrator). ``AccountDialog.add`` / ``.change_role`` and
``ResetPasswordDialog.ask`` are the entry points (tests monkeypatch them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain.access import MIN_PASSWORD_LENGTH, Role, password_problem, user_name_problem
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.widgets.combos import fill_combo, set_combo_value
from xianghe_desk.ui.widgets.look import ALERT, set_text_colour

ROLE_HELP = {
    Role.ADMIN: "管理员：全部功能，含账号、设置、恢复和操作日志。",
    Role.TOWN_CLERK: "镇级文员：所负责镇的全部工作，不能管理账号和设置。",
    Role.VILLAGE_CLERK: "村级录入员：只能登记和查看所负责村街的服务对象、工单和走访，不能导出个人信息。",
    Role.VIEWER: "领导查看：查看数据和报表，不能做任何修改。",
}


@dataclass(frozen=True)
class AccountFields:
    name: str
    display_name: str
    role: Role
    town_ids: tuple[int, ...]
    village_ids: tuple[int, ...]
    password: str = ""


def _password_edit(parent: QWidget, name: str) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setAccessibleName(name)
    edit.setPlaceholderText(f"至少 {MIN_PASSWORD_LENGTH} 个字符")
    return edit


class AccountDialog(QDialog):
    """添加账号 (name, display name, initial password) or 修改角色 (role and scope only)."""

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None, user: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.user = user
        self.fields: AccountFields | None = None
        self.setWindowTitle("添加账号" if user is None else f"修改 {user.name} 的角色")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("登录用的名字，如 zhang 或 张文员")
        self.display_edit = QLineEdit(self)
        self.display_edit.setPlaceholderText("选填：姓名，显示在操作日志中")
        self.password_edit = _password_edit(self, "初始密码")
        self.repeat_edit = _password_edit(self, "再输入一次")
        if user is None:
            form.addRow("用户名(&U)：", self.name_edit)
            form.addRow("姓名：", self.display_edit)
            form.addRow("初始密码(&P)：", self.password_edit)
            form.addRow("再输入一次：", self.repeat_edit)
        self.role_combo = QComboBox(self)
        fill_combo(self.role_combo, ((role.label, role.value) for role in Role))
        self.role_combo.currentIndexChanged.connect(lambda _i: self._update_scope())
        form.addRow("角色(&R)：", self.role_combo)
        self.role_help = QLabel(self)
        self.role_help.setWordWrap(True)
        form.addRow("", self.role_help)
        self.towns = QListWidget(self)
        self.villages = QListWidget(self)
        for town in ctx.places.towns():
            self._check_item(self.towns, town.name, town.id)
        for village in ctx.places.villages(None, include_virtual=True):
            self._check_item(self.villages, f"{village.town_name} {village.short_name}", village.id)
        self.town_label = QLabel("负责的镇：", self)
        self.village_label = QLabel("负责的村街：", self)
        form.addRow(self.town_label, self.towns)
        form.addRow(self.village_label, self.villages)
        layout.addLayout(form)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        set_text_colour(self.message, ALERT)
        self.message.hide()
        layout.addWidget(self.message)
        if user is None:
            note = QLabel("新账号第一次登录时要改成自己的密码。", self)
            note.setWordWrap(True)
            layout.addWidget(note)
        buttons = QDialogButtonBox(self)
        buttons.addButton(
            "添加" if user is None else "保存", QDialogButtonBox.ButtonRole.AcceptRole
        ).setDefault(True)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if user is not None:
            set_combo_value(self.role_combo, user.role.value)
            self._check(self.towns, user.town_ids)
            self._check(self.villages, user.village_ids)
        self._update_scope()
        self.resize(self.fontMetrics().horizontalAdvance("中") * 36, self.fontMetrics().height() * 34)

    @staticmethod
    def _check_item(target: QListWidget, text: str, value: int) -> None:
        item = QListWidgetItem(text, target)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        item.setData(Qt.ItemDataRole.UserRole, value)

    @staticmethod
    def _check(target: QListWidget, values: Any) -> None:
        for row in range(target.count()):
            item = target.item(row)
            if item.data(Qt.ItemDataRole.UserRole) in values:
                item.setCheckState(Qt.CheckState.Checked)

    @staticmethod
    def _checked(target: QListWidget) -> tuple[int, ...]:
        return tuple(
            int(target.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(target.count())
            if target.item(row).checkState() == Qt.CheckState.Checked
        )

    def role(self) -> Role:
        return Role(self.role_combo.currentData())

    def _update_scope(self) -> None:
        role = self.role()
        self.role_help.setText(ROLE_HELP[role])
        for label, widget, shown in (
            (self.town_label, self.towns, role is Role.TOWN_CLERK),
            (self.village_label, self.villages, role is Role.VILLAGE_CLERK),
        ):
            label.setVisible(shown)
            widget.setVisible(shown)

    def problems(self) -> list[str]:
        found = []
        role = self.role()
        if self.user is None:
            name = self.name_edit.text()
            found += [
                p for p in (user_name_problem(name), password_problem(self.password_edit.text(), name)) if p
            ]
            if self.password_edit.text() != self.repeat_edit.text():
                found.append("两次输入的密码不一样。")
        if role is Role.TOWN_CLERK and not self._checked(self.towns):
            found.append("镇级文员要勾选负责的镇。")
        if role is Role.VILLAGE_CLERK and not self._checked(self.villages):
            found.append("村级录入员要勾选负责的村街。")
        return found

    def accept(self) -> None:
        problems = self.problems()
        if problems:
            self.message.setText("\n".join(problems))
            self.message.show()
            return
        role = self.role()
        self.fields = AccountFields(
            name=self.name_edit.text().strip() if self.user is None else self.user.name,
            display_name=self.display_edit.text().strip(),
            role=role,
            town_ids=self._checked(self.towns) if role is Role.TOWN_CLERK else (),
            village_ids=self._checked(self.villages) if role is Role.VILLAGE_CLERK else (),
            password=self.password_edit.text(),
        )
        super().accept()

    @classmethod
    def add(cls, parent: QWidget | None, ctx: DeskContext) -> AccountFields | None:
        dialog = cls(ctx, parent)
        try:
            return dialog.fields if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    @classmethod
    def change_role(cls, parent: QWidget | None, ctx: DeskContext, user: Any) -> AccountFields | None:
        dialog = cls(ctx, parent, user)
        try:
            return dialog.fields if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()


class ResetPasswordDialog(QDialog):
    """The administrator sets a new password for someone (they change it at their next sign-in)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.password: str | None = None
        self.setWindowTitle(f"重设 {name} 的密码")
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"为 {name} 设一个新的初始密码，当面或电话告诉本人；本人下次登录时要改成自己的密码。", self
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.password_edit = _password_edit(self, "新密码")
        self.repeat_edit = _password_edit(self, "再输入一次")
        form.addRow("新密码(&N)：", self.password_edit)
        form.addRow("再输入一次：", self.repeat_edit)
        layout.addLayout(form)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        set_text_colour(self.message, ALERT)
        self.message.hide()
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(self)
        buttons.addButton("重设密码", QDialogButtonBox.ButtonRole.AcceptRole).setDefault(True)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        text = self.password_edit.text()
        problem = password_problem(text, self.name)
        if problem is None and text != self.repeat_edit.text():
            problem = "两次输入的密码不一样。"
        if problem:
            self.message.setText(problem)
            self.message.show()
            return
        self.password = text
        super().accept()

    @classmethod
    def ask(cls, parent: QWidget | None, name: str) -> str | None:
        dialog = cls(name, parent)
        try:
            return dialog.password if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()
