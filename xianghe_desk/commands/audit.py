"""``xianghe-desk audit [--since DATE] [--user U] [--json]`` (contract §1): the audit trail, oldest first."""

from __future__ import annotations

import argparse
import json

from xianghe_desk.cli import EXIT_OK, db_argument, open_workspace


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("audit", help="操作日志：谁在什么时候做了什么（管理员）")
    db_argument(parser, user=False)
    parser.add_argument("--since", metavar="DATE", help="从哪一天起，如 2026-11-01")
    # Here --user filters the trail (contract §1). Who is acting comes from XIANGHE_USER or a --user
    # before the command (xianghe-desk --user admin audit --user li); without either, the one named
    # here acts and sees their own rows.
    parser.add_argument(
        "--user",
        dest="audit_user",
        metavar="U",
        help="只看这个账号的操作（操作人用环境变量 XIANGHE_USER 或写在命令前的 --user 指定）",
    )
    parser.add_argument("--json", action="store_true", help="输出 JSON 列表（at、user、action、summary 等）")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from xianghe_desk.domain.access import Permission
    from xianghe_desk.operations.audit import read_audit_trail
    from xianghe_desk.services.audit import KIND_LABELS

    since = None
    if args.since:
        from datetime import datetime

        from xianghe_desk.domain.errors import ValidationError
        from xianghe_desk.domain.validators import parse_datetime

        try:
            since = parse_datetime(args.since)
        except ValidationError:
            raise ValidationError(f"日期「{args.since}」看不懂，请写成 2026-11-01 这样的形式。", field="since") from None
        since = datetime.combine(since.date(), since.time())
    import os

    if not getattr(args, "user", None) and not os.environ.get("XIANGHE_USER"):
        args.user = args.audit_user
    with open_workspace(args) as ws:
        ws.who.require(Permission.AUDIT)
        entries = read_audit_trail(ws, since=since, user_name=args.audit_user).value
    if args.json:
        print(json.dumps(
            [
                {
                    "at": e.at.isoformat(sep=" "),
                    "user": e.user_name,
                    "role": e.role,
                    "action": e.action,
                    "kind": e.kind,
                    "summary": e.summary,
                    "entity": e.entity,
                    "device": e.device,
                    "detail": e.detail,
                }
                for e in entries
            ],
            ensure_ascii=False,
            indent=2,
        ))
        return EXIT_OK
    if not entries:
        print("没有符合条件的操作日志。")
    for e in entries:
        print(f"{e.at:%Y-%m-%d %H:%M:%S}  {e.user_name or '—'}  {KIND_LABELS.get(e.kind, e.kind)}  {e.summary}")
    return EXIT_OK
