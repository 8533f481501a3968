"""Who may do what: roles, permissions and the scope (towns, villages) of the one who is acting.

The rules are enforced by the operations (xianghe_desk/operations), not by hiding buttons: the
desk and the command line call the same operations, so a refused action is refused everywhere
(issue #9, PIPL art. 51, 等保 2.0 level 2 access control).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from xianghe_desk.domain.enums import LabelledEnum
from xianghe_desk.domain.errors import ValidationError

MIN_PASSWORD_LENGTH = 8
MAX_FAILED_SIGN_INS = 5
LOCK_MINUTES = 15


class Role(LabelledEnum):
    ADMIN = ("admin", "管理员")
    TOWN_CLERK = ("town_clerk", "镇级文员")
    VILLAGE_CLERK = ("village_clerk", "村级录入员")
    VIEWER = ("viewer", "领导查看")


class Permission(str, Enum):  # noqa: UP042 - plain values, str for JSON
    READ = "read"  # lists, detail views, figures of the actor's scope
    REPORT = "report"  # monthly summaries, notices, rosters
    EDIT = "edit"  # residents, requests, visits of the actor's scope
    EDIT_PLACES = "edit_places"  # villages, grids, members
    IMPORT = "import"
    EXPORT_PERSONAL = "export_personal"  # spreadsheets with people in them
    EXPORT_FULL = "export_full"  # unmasked ID numbers and phones in an export
    REVEAL = "reveal"  # show a full ID number on purpose (audited)
    EXCHANGE = "exchange"
    SETTINGS = "settings"
    ACCOUNTS = "accounts"
    RESTORE = "restore"  # backups restored, the recycle bin restored and purged
    AUDIT = "audit"  # read the audit trail
    DELETE = "delete"  # move to the recycle bin


_ALL = frozenset(Permission)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: _ALL,
    Role.TOWN_CLERK: _ALL
    - {Permission.SETTINGS, Permission.ACCOUNTS, Permission.RESTORE, Permission.AUDIT},
    Role.VILLAGE_CLERK: frozenset(
        {Permission.READ, Permission.REPORT, Permission.EDIT, Permission.IMPORT, Permission.EXCHANGE, Permission.DELETE}
    ),
    Role.VIEWER: frozenset({Permission.READ, Permission.REPORT}),
}

# What a refusal says: 「您的角色（村级录入员）不能{what}。」
PERMISSION_LABELS: dict[Permission, str] = {
    Permission.READ: "查看数据",
    Permission.REPORT: "打印或导出报表",
    Permission.EDIT: "登记或修改服务对象、工单和走访",
    Permission.EDIT_PLACES: "修改村街、网格和网格员",
    Permission.IMPORT: "导入表格",
    Permission.EXPORT_PERSONAL: "导出含个人信息的表格",
    Permission.EXPORT_FULL: "导出完整的身份证号和电话",
    Permission.REVEAL: "查看完整的身份证号",
    Permission.EXCHANGE: "导入或导出数据包",
    Permission.SETTINGS: "修改设置",
    Permission.ACCOUNTS: "管理账号",
    Permission.RESTORE: "恢复备份或回收站中的数据",
    Permission.AUDIT: "查看操作日志",
    Permission.DELETE: "删除数据",
}


class PermissionDeniedError(ValidationError):
    """The one acting may not do this (role or scope). Nothing was changed."""


@dataclass(frozen=True)
class Actor:
    """The one acting: a signed-in account, or the program itself on a database without accounts.

    ``town_ids`` / ``village_ids`` empty means no limit at that level (an administrator, a viewer
    of the whole county). A village clerk has villages; a town clerk has towns.
    """

    name: str
    role: Role
    town_ids: frozenset[int] = field(default_factory=frozenset)
    village_ids: frozenset[int] = field(default_factory=frozenset)
    user_id: int | None = None
    signed_out: bool = False

    @classmethod
    def unrestricted(cls, name: str) -> Actor:
        """A database without accounts: everything is allowed (contract §1, 'Who is acting')."""
        return cls(name=name, role=Role.ADMIN)

    @classmethod
    def nobody(cls) -> Actor:
        """Nobody has signed in yet on a database with accounts: nothing is allowed."""
        return cls(name="（未登录）", role=Role.VIEWER, signed_out=True)

    @property
    def has_account(self) -> bool:
        return self.user_id is not None

    def may(self, permission: Permission) -> bool:
        return not self.signed_out and permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        if self.signed_out:
            raise PermissionDeniedError("请先登录。这个数据库已设置账号，每个操作都要说明是谁在做。", field="user")
        if not self.may(permission):
            raise PermissionDeniedError(
                f"您的角色（{self.role.label}）不能{PERMISSION_LABELS[permission]}。如需这样做，请找管理员。",
                field="permission",
            )

    @property
    def limited(self) -> bool:
        """True when lists and figures must be cut down to this actor's towns or villages."""
        return bool(self.town_ids or self.village_ids)

    def covers(self, town_id: int | None, village_id: int | None) -> bool:
        """Whether a row of this town / village lies within the actor's scope."""
        if self.village_ids:
            return village_id is not None and village_id in self.village_ids
        if self.town_ids:
            return town_id is not None and town_id in self.town_ids
        return True

    def require_covers(self, town_id: int | None, village_id: int | None, what: str = "这条记录") -> None:
        if not self.covers(town_id, village_id):
            raise PermissionDeniedError(
                f"{what}不在您负责的范围内（{self.scope_label()}），不能查看或修改。", field="scope"
            )

    def scope_label(self) -> str:
        if self.village_ids:
            return f"{len(self.village_ids)} 个村街" if len(self.village_ids) > 1 else "本村街"
        if self.town_ids:
            return f"{len(self.town_ids)} 个镇" if len(self.town_ids) > 1 else "本镇"
        return "全县"


def password_problem(password: str, user_name: str = "") -> str | None:
    """Why a new password cannot be used, in Chinese, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码至少要 {MIN_PASSWORD_LENGTH} 个字符。"
    if password.strip() != password:
        return "密码的开头和结尾不能是空格。"
    if user_name and password.lower() == user_name.lower():
        return "密码不能与用户名相同。"
    if len(set(password)) < 3:
        return "密码太简单了，请混用字母、数字或符号。"
    return None


def user_name_problem(name: str) -> str | None:
    if not name or not name.strip():
        return "用户名不能空着。"
    if name != name.strip():
        return "用户名的开头和结尾不能有空格。"
    if len(name) > 32:
        return "用户名最多 32 个字符。"
    if any(ch in name for ch in " \t\r\n/\\:"):
        return "用户名不能含空格、斜杠或冒号。"
    return None


def mask_id_number(number: str | None) -> str:
    """131024********1234: the region and the last four, enough to tell people apart on paper."""
    if not number:
        return ""
    if len(number) <= 10:
        return number  # not an ID number (a typo or another document): nothing to hide by position
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str | None) -> str:
    """138****8000 for a mobile; a landline keeps its area code and last four digits."""
    if not phone:
        return ""
    digits = [i for i, ch in enumerate(phone) if ch.isdigit()]
    if len(digits) < 7:
        return phone
    if len(digits) == 11 and phone.startswith("1"):
        hide = set(digits[3:7])
    else:
        # A landline keeps its area code (before the dash, or 0 + two or three digits) and last four.
        area = phone.index("-") if "-" in phone else (4 if phone.startswith("03") or phone.startswith("04") else 3)
        hide = {i for i in digits[:-4] if i >= area}
    return "".join("*" if i in hide else ch for i, ch in enumerate(phone))


def is_masked(value: str | None) -> bool:
    """A value that was exported masked: never let it overwrite a full one on import."""
    return bool(value) and "*" in str(value)
