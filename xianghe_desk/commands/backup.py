"""``xianghe-desk backup --db P [-o DIR]`` and ``restore --db P BACKUP [--force]``.

``restore`` first shows both sides (towns, villages, residents, requests, last change) and
refuses a damaged file or one that is not a whole database of this program. A backup with
under 90 % of today's requests or residents needs ``--force``: exit 1 without it, nothing changed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from xianghe_desk.cli import EXIT_OK, EXIT_REFUSED, db_argument, db_path, open_workspace


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("backup", help="备份数据库（程序开着时也可以备份）")
    db_argument(parser)
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="DIR",
        help="备份放到哪个文件夹（默认：数据库旁的 -backups 文件夹）",
    )
    parser.set_defaults(func=run_backup)
    restore = sub.add_parser("restore", help="用备份文件恢复数据库（先对比两边的数据量，当前数据先另存一份）")
    db_argument(restore)
    restore.add_argument("backup", type=Path, metavar="BACKUP", help="备份文件")
    restore.add_argument(
        "--force",
        action="store_true",
        help="备份中的工单或服务对象比现在少一成以上时，确认仍要恢复",
    )
    restore.set_defaults(func=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    from xianghe_desk.domain.errors import ValidationError
    from xianghe_desk.operations.backups import backup_database

    path = db_path(args)
    if not path.exists():
        raise ValidationError(f"数据库文件「{path}」不存在，无法备份。", field="db")
    with open_workspace(args) as ws:
        target = backup_database(ws, args.output).value
    print(f"已备份到：{target}（已读回检查：完整性检查通过，各表行数与数据库一致）")
    return EXIT_OK


def run_restore(args: argparse.Namespace) -> int:
    from xianghe_desk.domain.errors import ValidationError
    from xianghe_desk.operations.backups import restore_database
    from xianghe_desk.services import backups

    path = db_path(args)
    if not args.backup.exists():
        raise ValidationError(f"备份文件「{args.backup}」不存在。", field="backup")
    if not path.exists() or path.stat().st_size == 0:
        # Nothing to protect yet (a new PC restoring its data): no account to sign in with either.
        result = backups.restore(path, args.backup, force=args.force)
        print(result.plan.comparison_text())
    else:
        ws = open_workspace(args)
        try:
            plan = backups.restore_plan(path, args.backup, ws.key)
        except BaseException:
            ws.close()
            raise
        print(plan.comparison_text())
        if plan.large_drop and not args.force:
            ws.close()
            print(
                "错误：这个备份比现在的数据少很多：" + "；".join(plan.drops) + "。为防止误操作，没有恢复，"
                "现在的数据库没有改动。\n请核对选的是不是正确的备份文件；如果确实要用它恢复，"
                "请在命令后面加上 --force 再运行一次。",
                file=sys.stderr,
            )
            return EXIT_REFUSED
        result = restore_database(ws, args.backup, force=args.force)
    print(f"已用「{args.backup}」恢复数据库：{path}")
    if result.safety is not None:
        print(f"恢复前的数据已另存为：{result.safety}")
    return EXIT_OK
