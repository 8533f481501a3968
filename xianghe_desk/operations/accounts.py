"""Account operations: the first administrator, adding users, passwords, locking (issue #9)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xianghe_desk.domain.access import Permission, PermissionDeniedError, Role, password_problem
from xianghe_desk.domain.errors import ConflictError, ValidationError
from xianghe_desk.operations.base import Op, operation
from xianghe_desk.services import encryption
from xianghe_desk.services.accounts import (
    AccountService,
    check_new_account,
    hash_password,
    new_recovery_code,
    verify_password,
)
from xianghe_desk.store.accounts import User


@dataclass(frozen=True)
class FirstAdmin:
    user: User
    recovery_code: str  # shown once, to print; only its hash is kept


def _scope_text(op: Op, town_ids: Sequence[int], village_ids: Sequence[int]) -> str:
    names = [t.name for t in (op.ws.towns.get(i) for i in town_ids) if t]
    names += [v.short_name for v in (op.ws.villages.get(i) for i in village_ids) if v]
    return "、".join(names) or "全县"


def _account_after(user: User) -> dict[str, object]:
    return {
        "name": user.name,
        "role": user.role.label,
        "towns": sorted(user.town_ids),
        "villages": sorted(user.village_ids),
        "disabled": user.disabled,
    }


@operation("account.first_admin", "创建管理员", Permission.ACCOUNTS, kind="account")
def create_first_admin(op: Op, name: str, password: str, display_name: str = "") -> FirstAdmin:
    """The first account of a database: an administrator, with a one-time recovery code."""
    if op.ws.users.count():
        raise ConflictError("这个数据库已经有账号了。新账号请由管理员在「账号管理」中添加。", field="name")
    check_new_account(name, password, Role.ADMIN, (), ())
    code = new_recovery_code()
    user = op.ws.users.add(name, Role.ADMIN, hash_password(password), display_name=display_name)
    code_hash = hash_password(code)
    op.ws.settings.set("recovery_hash", code_hash)
    op.audit(f"创建第一个管理员账号 {name}，生成恢复码", entity="user", after=_account_after(user))
    # From now on the database is encrypted (issue #10): the key is wrapped for this password
    # and for the recovery code now, and the file is encrypted once this transaction is over.
    encryption.start_encryption(op.ws, user.name, password, user.password_hash, code, code_hash)
    op.changes.users = True
    return FirstAdmin(user, code)


@operation("account.add", "添加账号", Permission.ACCOUNTS, kind="account")
def add_user(
    op: Op,
    name: str,
    role: Role,
    password: str,
    town_ids: Sequence[int] = (),
    village_ids: Sequence[int] = (),
    display_name: str = "",
) -> User:
    if role is Role.VILLAGE_CLERK and village_ids and not town_ids:
        town_ids = sorted({v.town_id for v in (op.ws.villages.get(i) for i in village_ids) if v})
    check_new_account(name, password, role, town_ids, village_ids)
    if op.ws.users.by_name(name) is not None:
        raise ConflictError(f"账号「{name}」已经存在，请换一个用户名。", field="name")
    user = op.ws.users.add(
        name, role, hash_password(password), display_name, town_ids, village_ids, must_change=True
    )
    encryption.password_set(op.ws, user.name, password, user.password_hash)
    op.audit(
        f"添加{role.label}账号 {name}（{_scope_text(op, town_ids, village_ids)}）",
        entity="user",
        after=_account_after(user),
    )
    op.changes.users = True
    return user


@operation("account.change_password", "修改密码", Permission.READ, kind="account")
def change_own_password(op: Op, old_password: str, new_password: str) -> None:
    """Anyone signed in changes their own password (the old one is asked again)."""
    user_id = op.who.user_id
    user = op.ws.users.get(user_id) if user_id is not None else None
    if user is None:
        raise ValidationError("这个数据库还没有账号，不需要密码。", field="password")
    if not verify_password(user.password_hash, old_password):
        raise ValidationError("原密码不对，请重新输入。", field="old_password")
    problem = password_problem(new_password, user.name)
    if problem:
        raise ValidationError(problem, field="password")
    if verify_password(user.password_hash, new_password):
        raise ValidationError("新密码不能与原密码相同。", field="password")
    new_hash = hash_password(new_password)
    op.ws.users.update(user.id, password_hash=new_hash, must_change=False)
    encryption.password_set(op.ws, user.name, new_password, new_hash)
    op.audit(f"{user.name} 修改了自己的密码", entity="user")
    op.changes.users = True


@operation("account.reset_password", "重设密码", Permission.ACCOUNTS, kind="account")
def reset_password(op: Op, name: str, new_password: str) -> None:
    """The administrator sets a new password for someone; they must change it at the next sign-in."""
    user = AccountService(op.ws).get(name)
    problem = password_problem(new_password, user.name)
    if problem:
        raise ValidationError(problem, field="password")
    must_change = user.id != op.who.user_id
    new_hash = hash_password(new_password)
    op.ws.users.update(user.id, password_hash=new_hash, must_change=must_change, failed_count=0, locked_until=None)
    # The old password's key slot goes once this is committed (encryption.prune_slots).
    encryption.password_set(op.ws, user.name, new_password, new_hash)
    op.audit(f"重设了 {user.name} 的密码", entity="user")
    op.changes.users = True


@operation("account.lock", "停用账号", Permission.ACCOUNTS, kind="lock")
def lock_user(op: Op, name: str) -> None:
    user = AccountService(op.ws).get(name)
    if user.id == op.who.user_id:
        raise PermissionDeniedError("不能停用自己正在使用的账号。")
    AccountService(op.ws).require_admin_left(user, disabling=True)
    op.ws.users.update(user.id, disabled=True)
    op.audit(f"停用了账号 {user.name}", entity="user", before={"disabled": False}, after={"disabled": True})
    op.changes.users = True


@operation("account.unlock", "启用账号", Permission.ACCOUNTS, kind="lock")
def unlock_user(op: Op, name: str) -> None:
    """Enable a disabled account and lift a lock-out after wrong passwords."""
    user = AccountService(op.ws).get(name)
    op.ws.users.update(user.id, disabled=False, failed_count=0, locked_until=None)
    if user.disabled:
        # Its key slots went when it was disabled (encryption.prune_slots).
        encryption.account_enabled(op.ws, user.name, user.password_hash)
    op.audit(f"启用（解锁）了账号 {user.name}", entity="user", before={"disabled": user.disabled}, after={"disabled": False})
    op.changes.users = True


@operation("account.set_role", "修改账号角色", Permission.ACCOUNTS, kind="account")
def set_role(
    op: Op, name: str, role: Role, town_ids: Sequence[int] = (), village_ids: Sequence[int] = ()
) -> User:
    service = AccountService(op.ws)
    user = service.get(name)
    service.require_admin_left(user, new_role=role)
    if role is Role.VILLAGE_CLERK and village_ids and not town_ids:
        town_ids = sorted({v.town_id for v in (op.ws.villages.get(i) for i in village_ids) if v})
    if role is Role.TOWN_CLERK and not town_ids:
        raise ValidationError("镇级文员要指定负责的镇。", field="town")
    if role is Role.VILLAGE_CLERK and not village_ids:
        raise ValidationError("村级录入员要指定负责的村街。", field="village")
    op.ws.users.update(user.id, role=role, town_ids=town_ids, village_ids=village_ids)
    changed = op.ws.users.get(user.id)
    assert changed is not None
    op.audit(
        f"把 {user.name} 改为{role.label}（{_scope_text(op, town_ids, village_ids)}）",
        entity="user",
        before=_account_after(user),
        after=_account_after(changed),
    )
    op.changes.users = True
    return changed
