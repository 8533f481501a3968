"""``xianghe-desk backup --db P [-o DIR]`` and ``restore --db P BACKUP``."""

from __future__ import annotations

import argparse
from pathlib import Path

from xianghe_desk.cli import EXIT_OK, db_argument, db_path, open_workspace


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
    restore = sub.add_parser("restore", help="用备份文件恢复数据库（当前数据先另存一份）")
    db_argument(restore)
    restore.add_argument("backup", type=Path, metavar="BACKUP", help="备份文件")
    restore.set_defaults(func=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    from xianghe_desk.domain.errors import ValidationError
    from xianghe_desk.operations.backups import backup_database

    path = db_path(args)
    if not path.exists():
        raise ValidationError(f"数据库文件「{path}」不存在，无法备份。", field="db")
    with open_workspace(args) as ws:
        target = backup_database(ws, args.output).value
    print(f"已备份到：{target}")
    return EXIT_OK


def run_restore(args: argparse.Namespace) -> int:
    from xianghe_desk.domain.errors import ValidationError
    from xianghe_desk.operations.backups import restore_database

    path = db_path(args)
    if not args.backup.exists():
        raise ValidationError(f"备份文件「{args.backup}」不存在。", field="backup")
    if not path.exists() or path.stat().st_size == 0:
        from xianghe_desk.services.backups import restore

        safety = restore(path, args.backup)  # nothing to protect yet: a new PC restoring its data
    else:
        safety = restore_database(open_workspace(args), args.backup)
    print(f"已用「{args.backup}」恢复数据库：{db_path(args)}")
    if safety is not None:
        print(f"恢复前的数据已另存为：{safety}")
    return EXIT_OK
