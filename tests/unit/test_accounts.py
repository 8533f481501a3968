"""Accounts, sign-in and roles at the operations layer (issue #9)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from xianghe_desk.domain.access import Actor, PermissionDeniedError, Role, mask_id_number, mask_phone
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.operations.accounts import (
    add_user,
    change_own_password,
    create_first_admin,
    lock_user,
    reset_password,
    set_role,
    unlock_user,
)
from xianghe_desk.services.accounts import AccountService, SignInError
from xianghe_desk.services.audit import AuditService
from xianghe_desk.services.workspace import Workspace


@pytest.fixture
def admin_ws(ws: Workspace) -> Workspace:
    create_first_admin(ws, "boss", "first-pass-1")
    AccountService(ws).sign_in("boss", "first-pass-1")
    return ws


def test_a_database_without_accounts_lets_everyone_act(ws: Workspace) -> None:
    assert not ws.who.signed_out and ws.who.role is Role.ADMIN and not ws.who.has_account


def test_the_first_account_is_an_administrator_with_a_recovery_code(ws: Workspace) -> None:
    first = create_first_admin(ws, "boss", "first-pass-1").value
    assert first.user.role is Role.ADMIN
    assert len(first.recovery_code) == 29 and first.recovery_code.count("-") == 5
    assert AccountService(ws).verify_recovery_code(first.recovery_code.lower().replace("-", " "))
    stored = ws.settings.get("recovery_hash")
    assert first.recovery_code not in str(stored) and str(stored).startswith("$argon2id$")
    assert "first-pass-1" not in first.user.password_hash
    with pytest.raises(ValidationError, match="已经有账号"):
        create_first_admin(ws, "other", "other-pass-1")


def test_once_accounts_exist_a_new_workspace_may_do_nothing_until_signed_in(ws: Workspace, db_path: Path) -> None:
    create_first_admin(ws, "boss", "first-pass-1")
    with Workspace.open(db_path) as fresh:
        assert fresh.who.signed_out
        with pytest.raises(PermissionDeniedError, match="请先登录"):
            add_user(fresh, "li", Role.VIEWER, "viewer-pass-1")
        assert fresh.users.by_name("li") is None


def test_wrong_passwords_lock_the_account_for_fifteen_minutes(admin_ws: Workspace, clock) -> None:
    add_user(admin_ws, "li", Role.VIEWER, "viewer-pass-1")
    accounts = AccountService(admin_ws)
    for attempt in range(1, 5):
        with pytest.raises(SignInError, match=f"再错 {5 - attempt} 次"):
            accounts.sign_in("li", "wrong")
    with pytest.raises(SignInError, match="已锁定 15 分钟"):
        accounts.sign_in("li", "wrong")
    with pytest.raises(SignInError, match="分钟后再试"):
        accounts.sign_in("li", "viewer-pass-1")  # even the right password, while locked
    clock.advance(minutes=16)
    assert accounts.sign_in("li", "viewer-pass-1").name == "li"
    kinds = [e.kind for e in AuditService(admin_ws).entries(user_name="li")]
    assert kinds.count("sign_in_failed") == 5 and "lock" in kinds and kinds[-1] == "sign_in"


def test_an_unknown_name_and_a_wrong_password_get_the_same_answer(admin_ws: Workspace) -> None:
    accounts = AccountService(admin_ws)
    with pytest.raises(SignInError) as unknown:
        accounts.sign_in("nobody", "whatever-1")
    with pytest.raises(SignInError) as wrong:
        accounts.sign_in("boss", "whatever-1")
    assert unknown.value.message.split("。")[0] == wrong.value.message.split("。")[0] == "用户名或密码不对，请重新输入"


@pytest.mark.parametrize(
    "password, problem",
    [("short", "至少要 8 个"), ("aaaaaaaaaa", "太简单"), (" padded-pass ", "空格"), ("boss", "至少")],
)
def test_weak_passwords_are_refused(ws: Workspace, password: str, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        create_first_admin(ws, "boss", password)
    assert ws.users.count() == 0


def test_a_password_equal_to_the_name_is_refused(ws: Workspace) -> None:
    with pytest.raises(ValidationError, match="不能与用户名相同"):
        create_first_admin(ws, "longname1", "LONGNAME1")


def test_change_own_password_needs_the_old_one(admin_ws: Workspace) -> None:
    with pytest.raises(ValidationError, match="原密码不对"):
        change_own_password(admin_ws, "not-it-123", "second-pass-2")
    change_own_password(admin_ws, "first-pass-1", "second-pass-2")
    with pytest.raises(SignInError):
        AccountService(admin_ws).sign_in("boss", "first-pass-1")
    AccountService(admin_ws).sign_in("boss", "second-pass-2")


def test_the_administrator_resets_a_forgotten_password(admin_ws: Workspace) -> None:
    add_user(admin_ws, "li", Role.VIEWER, "viewer-pass-1")
    reset_password(admin_ws, "li", "fresh-pass-9")
    user = admin_ws.users.by_name("li")
    assert user is not None and user.must_change
    assert AccountService(admin_ws).sign_in("li", "fresh-pass-9").name == "li"


def test_the_recovery_code_resets_the_administrator(ws: Workspace) -> None:
    code = create_first_admin(ws, "boss", "first-pass-1").value.recovery_code
    accounts = AccountService(ws)
    with pytest.raises(SignInError, match="恢复码不对"):
        accounts.recover("boss", "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF", "new-pass-123")
    accounts.recover("boss", code, "new-pass-123")
    assert accounts.sign_in("boss", "new-pass-123").role is Role.ADMIN


def test_a_disabled_account_cannot_sign_in_until_enabled(admin_ws: Workspace) -> None:
    add_user(admin_ws, "li", Role.VIEWER, "viewer-pass-1")
    lock_user(admin_ws, "li")
    with pytest.raises(SignInError, match="停用"):
        AccountService(admin_ws).sign_in("li", "viewer-pass-1")
    unlock_user(admin_ws, "li")
    AccountService(admin_ws).sign_in("li", "viewer-pass-1")


def test_the_last_administrator_cannot_be_demoted_or_disabled(admin_ws: Workspace) -> None:
    add_user(admin_ws, "second", Role.ADMIN, "second-pass-1")
    with pytest.raises(PermissionDeniedError, match="自己"):
        lock_user(admin_ws, "boss")
    set_role(admin_ws, "second", Role.VIEWER)
    with pytest.raises(PermissionDeniedError, match="唯一的管理员"):
        set_role(admin_ws, "boss", Role.VIEWER)


def test_clerks_need_their_places(admin_ws: Workspace) -> None:
    with pytest.raises(ValidationError, match="指定负责的镇"):
        add_user(admin_ws, "zhen", Role.TOWN_CLERK, "town-pass-1")
    with pytest.raises(ValidationError, match="指定负责的村街"):
        add_user(admin_ws, "cun", Role.VILLAGE_CLERK, "village-pass-1")
    village = admin_ws.villages.in_town(admin_ws.towns.all()[0].id)[0]
    user = add_user(admin_ws, "cun", Role.VILLAGE_CLERK, "village-pass-1", village_ids=[village.id]).value
    assert user.town_ids == {village.town_id}


@pytest.mark.parametrize("role", [Role.TOWN_CLERK, Role.VILLAGE_CLERK, Role.VIEWER])
def test_only_administrators_manage_accounts(admin_ws: Workspace, role: Role) -> None:
    town = admin_ws.towns.all()[0]
    village = admin_ws.villages.in_town(town.id)[0]
    add_user(admin_ws, "who", role, "who-pass-123", town_ids=[town.id], village_ids=[village.id])
    AccountService(admin_ws).sign_in("who", "who-pass-123")
    before = admin_ws.users.count()
    for attempt in (
        lambda: add_user(admin_ws, "x", Role.ADMIN, "x-pass-1234"),
        lambda: reset_password(admin_ws, "boss", "hijack-123"),
        lambda: lock_user(admin_ws, "boss"),
        lambda: set_role(admin_ws, "who", Role.ADMIN),
    ):
        with pytest.raises(PermissionDeniedError, match=role.label):
            attempt()
    assert admin_ws.users.count() == before
    assert admin_ws.users.by_name("who").role is role  # type: ignore[union-attr]
    refused = AuditService(admin_ws).entries(kind="refused")
    assert len(refused) == 4 and all(e.user_name == "who" for e in refused)


def test_actor_scope() -> None:
    village_clerk = Actor("cun", Role.VILLAGE_CLERK, frozenset({1}), frozenset({10}), user_id=3)
    assert village_clerk.covers(1, 10) and not village_clerk.covers(1, 11)
    with pytest.raises(PermissionDeniedError, match="不在您负责的范围内"):
        village_clerk.require_covers(1, 11, "这名服务对象")
    town_clerk = Actor("zhen", Role.TOWN_CLERK, frozenset({1}), user_id=2)
    assert town_clerk.covers(1, 99) and not town_clerk.covers(2, 20)
    assert Actor.unrestricted("x").covers(5, 50)


def test_masks() -> None:
    assert mask_id_number("131024198001011234") == "131024********1234"
    assert mask_phone("13812348000") == "138****8000"
    assert mask_phone("0316-5123456") == "0316-***3456"
    assert mask_phone("03165123456") == "0316***3456"
    assert mask_id_number(None) == "" and mask_phone("") == ""


def test_sign_in_is_recorded_with_the_time(admin_ws: Workspace, clock) -> None:
    clock.advance(hours=1)
    AccountService(admin_ws).sign_in("boss", "first-pass-1")
    last = AuditService(admin_ws).entries(newest_first=True, limit=1)[0]
    assert last.kind == "sign_in" and last.at == clock() and last.user_name == "boss"
    user = admin_ws.users.by_name("boss")
    assert user is not None and user.last_sign_in_at == clock() and clock() - timedelta(hours=1) < user.last_sign_in_at + timedelta(seconds=1)


def test_the_callers_work_runs_while_the_password_is_checked_on_another_thread(admin_ws: Workspace) -> None:
    """``report monthly`` imports its modules while Argon2 runs (issue #13); a wrong password is
    refused all the same and the work has run."""
    import threading

    from xianghe_desk.services import accounts as accounts_module

    seen: list[str] = []
    checked_on: list[str] = []
    real_verify = accounts_module.verify_password

    def verify(stored: str, password: str) -> bool:
        checked_on.append(threading.current_thread().name)
        return real_verify(stored, password)

    accounts = AccountService(admin_ws)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts_module, "verify_password", verify)
        accounts.sign_in("boss", "first-pass-1", meanwhile=lambda: seen.append(threading.current_thread().name))
        assert seen == [threading.current_thread().name] and checked_on[0] != seen[0]
        with pytest.raises(SignInError, match="用户名或密码不对"):
            accounts.sign_in("boss", "wrong-pass-1", meanwhile=lambda: seen.append("again"))
    assert seen[-1] == "again" and len(checked_on) == 2
    assert admin_ws.users.by_name("boss").failed_count == 1  # type: ignore[union-attr]
