"""Accounts: password hashing (Argon2id), signing in with lock-out, recovery codes.

Passwords are hashed with argon2-cffi's Argon2id (memory-hard, RFC 9106's second recommended
profile: 64 MiB, 3 passes, about 0.1 s here), never stored, logged or shown in clear. Five wrong
passwords lock an account for 15 minutes. The first administrator gets a one-time recovery code
to print; with it a forgotten administrator password can be reset (and, once the database is
encrypted (issue #10), it also unwraps the database key).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from xianghe_desk.domain.access import (
    LOCK_MINUTES,
    MAX_FAILED_SIGN_INS,
    Actor,
    PermissionDeniedError,
    Role,
    password_problem,
    user_name_problem,
)
from xianghe_desk.domain.errors import NotFoundError, ValidationError
from xianghe_desk.services.audit import AuditService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.accounts import User

log = logging.getLogger(__name__)

# Replaced by a cheap profile in the tests only (tests/conftest.py): hashing is slow on purpose.
HASHER = PasswordHasher()

RECOVERY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read from paper


class SignInError(ValidationError):
    """Wrong name or password, a locked or disabled account. Says what to do, never which was wrong."""


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def verify_password_beside(stored: str, password: str, meanwhile: Callable[[], object] | None) -> bool:
    """verify_password, with ``meanwhile()`` run on this thread while Argon2 works on another.

    Argon2 spends its 0.2 s in C without Python's lock, so a command can import what it needs
    (Python, one core) while the password is checked on the other (issue #13).
    """
    if meanwhile is None:
        return verify_password(stored, password)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="argon2") as pool:
        verified = pool.submit(verify_password, stored, password)
        meanwhile()
        return verified.result()


def new_recovery_code() -> str:
    """Six groups of four characters (about 120 bits), e.g. 7KQM-3XPD-…, to print and keep safe."""
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(24))
    return "-".join(raw[i : i + 4] for i in range(0, 24, 4))


def normalise_recovery_code(text: str) -> str:
    raw = "".join(ch for ch in text.upper() if ch.isalnum()).replace("O", "0").replace("I", "1")
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def actor_for(user: User) -> Actor:
    scoped = user.role in (Role.TOWN_CLERK, Role.VILLAGE_CLERK, Role.VIEWER)
    return Actor(
        name=user.name,
        role=user.role,
        town_ids=user.town_ids if scoped else frozenset(),
        village_ids=user.village_ids if user.role in (Role.VILLAGE_CLERK, Role.VIEWER) else frozenset(),
        user_id=user.id,
    )


def check_new_account(name: str, password: str, role: Role, town_ids: Iterable[int], village_ids: Iterable[int]) -> None:
    """Refuse an account that cannot work, with every problem at once."""
    problems: list[tuple[str | None, str]] = []
    name_problem = user_name_problem(name)
    if name_problem:
        problems.append(("name", name_problem))
    pw_problem = password_problem(password, name)
    if pw_problem:
        problems.append(("password", pw_problem))
    if role is Role.TOWN_CLERK and not list(town_ids):
        problems.append(("town", "镇级文员要指定负责的镇（--town）。"))
    if role is Role.VILLAGE_CLERK and not list(village_ids):
        problems.append(("village", "村级录入员要指定负责的村街（--village）。"))
    if problems:
        raise ValidationError.from_problems(problems)


class AccountService:
    """Reads and the sign-in; changes to accounts are operations (operations/accounts.py)."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def has_accounts(self) -> bool:
        return self.ws.users.count() > 0

    def users(self) -> list[User]:
        return self.ws.users.all()

    def get(self, name: str) -> User:
        user = self.ws.users.by_name(name)
        if user is None:
            raise NotFoundError(f"没有名为「{name}」的账号。请用「user list」查看已有账号。", field="name")
        return user

    def sign_in(self, name: str, password: str, meanwhile: Callable[[], object] | None = None) -> Actor:
        """Check the password; on success ``ws`` acts as this user from now on.

        ``meanwhile``: work of the caller's own run while the password is checked
        (verify_password_beside); it is not run when the attempt fails before that.

        Every attempt is written to the audit trail. The message of a failure never tells whether
        the name or the password was wrong.

        Raises:
            SignInError: wrong name or password, locked or disabled account.
        """
        ws = self.ws
        if ws.read_only:
            return self._sign_in_read_only(name, password, meanwhile)
        now = ws.now()
        user = ws.users.by_name(name.strip())
        audit = AuditService(ws)
        if user is None:
            with ws.atomic():
                audit.record("sign_in", "sign_in_failed", f"用户名「{name}」不存在", user_name=name, role="")
            raise SignInError("用户名或密码不对，请重新输入。", field="password")
        if user.disabled:
            with ws.atomic():
                audit.record("sign_in", "sign_in_failed", "账号已停用", user_name=user.name, role=user.role.value)
            raise SignInError("这个账号已被管理员停用。请找管理员。", field="name")
        if user.locked_until and user.locked_until > now:
            minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
            with ws.atomic():
                audit.record("sign_in", "sign_in_failed", "账号锁定中", user_name=user.name, role=user.role.value)
            raise SignInError(
                f"密码连续输错 {MAX_FAILED_SIGN_INS} 次，账号已锁定，请 {minutes} 分钟后再试，或请管理员解锁。",
                field="password",
            )
        if not verify_password_beside(user.password_hash, password, meanwhile):
            failed = user.failed_count + 1
            with ws.atomic():
                if failed >= MAX_FAILED_SIGN_INS:
                    ws.users.update(user.id, failed_count=0, locked_until=now + timedelta(minutes=LOCK_MINUTES))
                    audit.record(
                        "sign_in", "lock", f"密码连续输错 {failed} 次，锁定 {LOCK_MINUTES} 分钟",
                        user_name=user.name, role=user.role.value,
                    )
                else:
                    ws.users.update(user.id, failed_count=failed)
                    audit.record(
                        "sign_in", "sign_in_failed", f"密码错误（第 {failed} 次）", user_name=user.name,
                        role=user.role.value,
                    )
            if failed >= MAX_FAILED_SIGN_INS:
                raise SignInError(
                    f"密码连续输错 {MAX_FAILED_SIGN_INS} 次，账号已锁定 {LOCK_MINUTES} 分钟。", field="password"
                )
            left = MAX_FAILED_SIGN_INS - failed
            raise SignInError(f"用户名或密码不对，请重新输入。再错 {left} 次账号将被锁定。", field="password")
        actor = actor_for(user)
        with ws.atomic():
            if HASHER.check_needs_rehash(user.password_hash):
                ws.users.update(user.id, password_hash=hash_password(password))
            ws.users.update(user.id, failed_count=0, locked_until=None, last_sign_in_at=now)
            ws.act_as(actor)
            audit.record("sign_in", "sign_in", f"{user.role.label} {user.name} 登录")
        # The key file follows the password; a plain database with accounts is encrypted now.
        from xianghe_desk.services import encryption

        encryption.after_sign_in(ws, user.name, password)
        return actor

    def _sign_in_read_only(self, name: str, password: str, meanwhile: Callable[[], object] | None) -> Actor:
        """Sign in on a database opened read-only (issue #10): the password is checked, but no
        failed attempt is counted and nothing is written (the file cannot take it)."""
        ws = self.ws
        user = ws.users.by_name(name.strip())
        if user is None or user.disabled or not verify_password_beside(user.password_hash, password, meanwhile):
            raise SignInError("用户名或密码不对，或账号已停用。", field="password")
        if user.locked_until and user.locked_until > ws.now():
            raise SignInError("账号锁定中，请稍后再试，或请管理员解锁。", field="password")
        actor = actor_for(user)
        ws.act_as(actor)
        return actor

    def idle_lock_minutes(self) -> int:
        return idle_lock_minutes(self.ws)

    def current_user(self) -> User | None:
        user_id = self.ws.who.user_id
        return self.ws.users.get(user_id) if user_id is not None else None

    def verify_recovery_code(self, code: str) -> bool:
        stored = self.ws.settings.get("recovery_hash")
        return bool(stored) and verify_password(str(stored), normalise_recovery_code(code))

    def require_admin_left(self, user: User, new_role: Role | None = None, disabling: bool = False) -> None:
        """The last active administrator cannot be demoted, locked or disabled."""
        if user.role is not Role.ADMIN or (new_role in (None, Role.ADMIN) and not disabling):
            return
        admins = [u for u in self.ws.users.all() if u.role is Role.ADMIN and not u.disabled and u.id != user.id]
        if not admins:
            raise PermissionDeniedError("这是唯一的管理员账号，不能停用或改为其他角色。请先另建一个管理员。")

    def recover(self, name: str, code: str, new_password: str) -> None:
        """Reset an administrator's forgotten password with the printed recovery code.

        Raises:
            SignInError: the code is wrong or the account is not an administrator.
        """
        ws = self.ws
        user = ws.users.by_name(name.strip())
        audit = AuditService(ws)
        if user is None or user.role is not Role.ADMIN or not self.verify_recovery_code(code):
            with ws.atomic():
                audit.record("account.recover", "sign_in_failed", "恢复码不对或账号不是管理员", user_name=name, role="")
            raise SignInError("恢复码不对，或这个账号不是管理员。请核对打印的恢复码。", field="code")
        problem = password_problem(new_password, user.name)
        if problem:
            raise ValidationError(problem, field="password")
        with ws.atomic():
            new_hash = hash_password(new_password)
            ws.users.update(
                user.id, password_hash=new_hash, failed_count=0, locked_until=None,
                disabled=False, must_change=False,
            )
            from xianghe_desk.services import encryption

            encryption.password_set(ws, user.name, new_password, new_hash)
            audit.record("account.recover", "account", f"用恢复码重设了管理员 {user.name} 的密码",
                         user_name=user.name, role=user.role.value)


DEMO_PASSWORD = "xianghe-demo"


def seed_demo_accounts(ws: Workspace, town_id: int, village_id: int) -> list[User]:
    """One account per role on a demo database, all with the password ``xianghe-demo`` (README)."""
    town = ws.towns.get(town_id)
    village = ws.villages.get(village_id)
    password = hash_password(DEMO_PASSWORD)
    accounts = [
        ("admin", Role.ADMIN, "演示管理员", (), ()),
        ("zhen", Role.TOWN_CLERK, f"{town.name if town else ''}演示文员", (town_id,), ()),
        ("cun", Role.VILLAGE_CLERK, f"{village.short_name if village else ''}演示录入员", (town_id,), (village_id,)),
        ("lingdao", Role.VIEWER, "演示领导", (), ()),
    ]
    users = [ws.users.add(name, role, password, display, towns, villages) for name, role, display, towns, villages in accounts]
    ws.settings.set("recovery_hash", hash_password("DEMO-DEMO-DEMO-DEMO-DEMO-DEMO"))
    AuditService(ws).record("account.demo", "account", "演示数据库：为每个角色各建一个账号（密码 xianghe-demo）")
    return users


DEFAULT_IDLE_LOCK_MINUTES = 15


def idle_lock_minutes(ws: Workspace) -> int:
    """After how many idle minutes the desk asks for the password again (0: never)."""
    try:
        return max(0, int(ws.settings.get("idle_lock_minutes", DEFAULT_IDLE_LOCK_MINUTES)))
    except (TypeError, ValueError):
        return DEFAULT_IDLE_LOCK_MINUTES
