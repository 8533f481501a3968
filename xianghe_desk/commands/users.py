"""``xianghe-desk user add|list|passwd|lock|unlock`` (contract §1): accounts from the command line."""

from __future__ import annotations

import argparse
import os
import sys

from xianghe_desk.cli import EXIT_OK, db_argument, open_workspace


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("user", help="账号管理：添加、列出、改密码、停用、启用")
    actions = parser.add_subparsers(dest="user_command", metavar="操作", required=True)
    add = actions.add_parser("add", help="添加账号（数据库还没有账号时，第一个账号必须是管理员）")
    db_argument(add)
    add.add_argument("name", metavar="NAME", help="用户名（登录时输入）")
    add.add_argument("--role", required=True, metavar="ROLE", help="角色：管理员、镇级文员、村级录入员、领导查看")
    add.add_argument("--town", action="append", default=[], metavar="T", help="负责的镇（名称或统计代码，可写多次）")
    add.add_argument("--village", action="append", default=[], metavar="V", help="负责的村街（村级录入员，可写多次）")
    add.add_argument("--display-name", default="", metavar="姓名", help="真实姓名（显示在操作日志里）")
    add.set_defaults(func=run_add)
    listing = actions.add_parser("list", help="列出账号")
    db_argument(listing)
    listing.set_defaults(func=run_list)
    passwd = actions.add_parser("passwd", help="修改密码：自己的（需要原密码），或管理员重设别人的")
    db_argument(passwd)
    passwd.add_argument("name", metavar="NAME", nargs="?", help="账号（默认：--user 指定的自己）")
    passwd.set_defaults(func=run_passwd)
    for verb, text, func in (("lock", "停用账号（不能再登录）", run_lock), ("unlock", "启用账号，并解除输错密码的锁定", run_unlock)):
        cmd = actions.add_parser(verb, help=text)
        db_argument(cmd)
        cmd.add_argument("name", metavar="NAME")
        cmd.set_defaults(func=func)


def _new_password(name: str) -> str:
    import getpass

    from xianghe_desk.domain.errors import ValidationError

    password = os.environ.get("XIANGHE_NEW_PASSWORD")
    if password is not None:
        return password
    if not sys.stdin or not sys.stdin.isatty():
        raise ValidationError(
            f"需要账号「{name}」的新密码：请设置环境变量 XIANGHE_NEW_PASSWORD，或在终端中运行以便输入。",
            field="password",
        )
    first = getpass.getpass(f"账号「{name}」的新密码：")
    second = getpass.getpass("再输入一次：")
    if first != second:
        raise ValidationError("两次输入的密码不一样，没有修改。", field="password")
    return first


def _role(text: str):  # type: ignore[no-untyped-def]
    from xianghe_desk.domain.access import Role
    from xianghe_desk.domain.errors import ValidationError

    try:
        return Role.from_label(text)
    except KeyError:
        raise ValidationError(
            f"角色「{text}」不认识，请写 管理员、镇级文员、村级录入员 或 领导查看。", field="role"
        ) from None


def run_add(args: argparse.Namespace) -> int:
    from xianghe_desk.domain.access import Role
    from xianghe_desk.operations.accounts import add_user, create_first_admin
    from xianghe_desk.services.accounts import AccountService
    from xianghe_desk.services.places import PlaceService

    role = _role(args.role)
    with open_workspace(args) as ws:
        places = PlaceService(ws)
        towns = [places.resolve_town(t) for t in args.town]
        villages = [places.resolve_village(v, towns[0] if len(towns) == 1 else None) for v in args.village]
        if not AccountService(ws).has_accounts():
            from xianghe_desk.domain.errors import ValidationError

            if role is not Role.ADMIN:
                raise ValidationError(
                    "这个数据库还没有账号：第一个账号必须是管理员（--role 管理员）。", field="role"
                )
            first = create_first_admin(ws, args.name, _new_password(args.name), args.display_name).value
            print(f"已创建管理员账号「{first.user.name}」。")
            print("恢复码（只显示这一次，请打印或抄下来锁好；忘记管理员密码时用它重设）：")
            print(f"  {first.recovery_code}")
            return EXIT_OK
        user = add_user(
            ws, args.name, role, _new_password(args.name), [t.id for t in towns], [v.id for v in villages],
            args.display_name,
        ).value
    print(f"已添加{user.role.label}账号「{user.name}」，首次登录时需要修改密码。")
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    from xianghe_desk.domain.access import Permission
    from xianghe_desk.services.accounts import AccountService

    with open_workspace(args) as ws:
        ws.who.require(Permission.ACCOUNTS)
        users = AccountService(ws).users()
        now = ws.now()
        if not users:
            print("这个数据库还没有账号（任何人都可以直接使用）。用「user add 用户名 --role 管理员」创建第一个。")
            return EXIT_OK
        print(f"{'用户名':<12}{'角色':<8}{'负责范围':<24}{'状态':<10}最近登录")
        for user in users:
            scope = "、".join(
                [t.name for t in (ws.towns.get(i) for i in sorted(user.town_ids)) if t]
                + [v.short_name for v in (ws.villages.get(i) for i in sorted(user.village_ids)) if v]
            ) or "全县"
            if user.disabled:
                state = "已停用"
            elif user.locked_until and user.locked_until > now:
                state = f"锁定至 {user.locked_until:%H:%M}"
            else:
                state = "正常"
            last = f"{user.last_sign_in_at:%Y-%m-%d %H:%M}" if user.last_sign_in_at else "从未登录"
            print(f"{user.name:<12}{user.role.label:<8}{scope:<24}{state:<10}{last}")
    return EXIT_OK


def run_passwd(args: argparse.Namespace) -> int:
    from xianghe_desk.operations.accounts import change_own_password, reset_password

    with open_workspace(args) as ws:
        name = args.name or ws.who.name
        if ws.who.has_account and name == ws.who.name:
            old = os.environ.get("XIANGHE_PASSWORD") or ""
            change_own_password(ws, old, _new_password(name))
        else:
            reset_password(ws, name, _new_password(name))
    print(f"已修改账号「{name}」的密码。")
    return EXIT_OK


def run_lock(args: argparse.Namespace) -> int:
    from xianghe_desk.operations.accounts import lock_user

    with open_workspace(args) as ws:
        lock_user(ws, args.name)
    print(f"已停用账号「{args.name}」。")
    return EXIT_OK


def run_unlock(args: argparse.Namespace) -> int:
    from xianghe_desk.operations.accounts import unlock_user

    with open_workspace(args) as ws:
        unlock_user(ws, args.name)
    print(f"已启用账号「{args.name}」。")
    return EXIT_OK
