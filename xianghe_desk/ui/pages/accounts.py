"""设置 → 账号管理: who may sign in, with which role and scope; passwords and locks (administrators).

Every change is an operation of operations/accounts.py (Permission.ACCOUNTS): the panel disables
what the signed-in role may not do, and the operation refuses it anyway. Nobody sees a password.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain.access import Permission
from xianghe_desk.operations.accounts import add_user, lock_user, reset_password, set_role, unlock_user
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.dialogs.account_dialog import AccountDialog, ResetPasswordDialog
from xianghe_desk.ui.operations import run_op
from xianghe_desk.ui.roles import allow
from xianghe_desk.ui.widgets.look import MUTED, set_text_colour

HEADERS = ("用户名", "姓名", "角色", "负责范围", "状态", "上次登录")


class AccountsPanel(QWidget):
    """Signals:
    status_message(str): a line for the window's status bar.
    """

    status_message = Signal(str)

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.users: list[Any] = []
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _i: self.change_role())
        self.add_button = QPushButton("添加账号…")
        self.role_button = QPushButton("修改角色…")
        self.password_button = QPushButton("重设密码…")
        self.lock_button = QPushButton("停用")
        self.add_button.clicked.connect(self.add)
        self.role_button.clicked.connect(self.change_role)
        self.password_button.clicked.connect(self.reset_password)
        self.lock_button.clicked.connect(self.toggle_lock)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        help_text = QLabel(
            "每个人用自己的账号登录，操作日志记下是谁做的。输错 5 次密码，账号锁定 15 分钟，"
            "管理员可以「启用」解锁。停用的账号不能登录，它的操作日志照常保留。"
        )
        help_text.setWordWrap(True)
        set_text_colour(help_text, MUTED)
        buttons = QVBoxLayout()
        for button in (self.add_button, self.role_button, self.password_button, self.lock_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.table, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(self.message)
        layout.addWidget(help_text)
        ctx.events.users_changed.connect(self.reload)
        self.reload()

    # ---------------------------------------------------------------- showing
    def scope_text(self, user: Any) -> str:
        names = [t.name for t in (self.ctx.places.town(i) for i in sorted(user.town_ids)) if t]
        if user.village_ids:
            names = [
                v.short_name for v in (self.ctx.places.village(i) for i in sorted(user.village_ids)) if v
            ]
        return "、".join(names) or "全县"

    def status_text(self, user: Any) -> str:
        if user.disabled:
            return "已停用"
        now = self.ctx.now()
        if user.locked_until is not None and user.locked_until > now:
            return f"输错密码，锁定到 {user.locked_until:%H:%M}"
        if user.must_change:
            return "下次登录要改密码"
        return "正常"

    def reload(self) -> None:
        chosen = self.selected()
        self.users = self.ctx.accounts.users()
        self.table.setRowCount(len(self.users))
        for row, user in enumerate(self.users):
            values = (
                user.name,
                user.display_name,
                user.role.label,
                self.scope_text(user),
                self.status_text(user),
                f"{user.last_sign_in_at:%Y-%m-%d %H:%M}" if user.last_sign_in_at else "从未",
            )
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, user.name)
                self.table.setItem(row, column, item)
        if chosen is not None:
            self.select(chosen.name)
        self._update_buttons()

    def select(self, name: str) -> None:
        for row, user in enumerate(self.users):
            if user.name == name:
                self.table.selectRow(row)

    def selected(self) -> Any:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        name = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return next((u for u in self.users if u.name == name), None)

    def _update_buttons(self) -> None:
        user = self.selected()
        who = self.ctx.who
        allow(self.add_button, who, Permission.ACCOUNTS)
        for button in (self.role_button, self.password_button, self.lock_button):
            allow(button, who, Permission.ACCOUNTS, enabled=user is not None)
        locked = user is not None and (user.disabled or user.locked_until is not None)
        self.lock_button.setText("启用" if locked else "停用")

    def _done(self, text: str) -> None:
        self.message.setText(text)
        self.status_message.emit(text)

    # ---------------------------------------------------------------- actions
    def add(self) -> None:
        fields = AccountDialog.add(self, self.ctx)
        if fields is None:
            return
        run_op(
            self.ctx,
            self,
            add_user,
            fields.name,
            fields.role,
            fields.password,
            fields.town_ids,
            fields.village_ids,
            fields.display_name,
            on_done=lambda user: self._added(user, fields.role.label),
        )

    def _added(self, user: Any, role: str) -> None:
        self._done(f"已添加{role}账号「{user.name}」。")
        self.select(user.name)

    def change_role(self) -> None:
        user = self.selected()
        if user is None or not self.role_button.isEnabled():
            return
        fields = AccountDialog.change_role(self, self.ctx, user)
        if fields is None:
            return
        run_op(
            self.ctx,
            self,
            set_role,
            user.name,
            fields.role,
            fields.town_ids,
            fields.village_ids,
            on_done=lambda _u: self._done(f"已把「{user.name}」改为{fields.role.label}。"),
        )

    def reset_password(self) -> None:
        user = self.selected()
        if user is None or not self.password_button.isEnabled():
            return
        password = ResetPasswordDialog.ask(self, user.name)
        if password is None:
            return
        run_op(
            self.ctx,
            self,
            reset_password,
            user.name,
            password,
            on_done=lambda _v: self._done(
                f"已重设「{user.name}」的密码，请告诉本人，下次登录时要改成自己的密码。"
            ),
        )

    def toggle_lock(self) -> None:
        user = self.selected()
        if user is None or not self.lock_button.isEnabled():
            return
        if user.disabled or user.locked_until is not None:
            run_op(
                self.ctx,
                self,
                unlock_user,
                user.name,
                on_done=lambda _v: self._done(f"已启用「{user.name}」。"),
            )
            return
        answer = QMessageBox.question(
            self,
            "停用账号",
            f"停用「{user.name}」后，这个账号不能再登录（操作日志照常保留），以后可以再启用。确定停用吗？",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            run_op(
                self.ctx,
                self,
                lock_user,
                user.name,
                on_done=lambda _v: self._done(f"已停用「{user.name}」。"),
            )
