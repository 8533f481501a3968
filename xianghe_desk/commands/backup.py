"""``xianghe-desk backup --db P [-o DIR]`` and ``restore --db P BACKUP``."""

from __future__ import annotations

import argparse
from pathlib import Path

from xianghe_desk.cli import EXIT_OK, db_argument, db_path


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
    from xianghe_desk.services.backups import backup

    target = backup(db_path(args), args.output)
    print(f"已备份到：{target}")
    return EXIT_OK


def run_restore(args: argparse.Namespace) -> int:
    from xianghe_desk.services.backups import restore

    safety = restore(db_path(args), args.backup)
    print(f"已用「{args.backup}」恢复数据库：{db_path(args)}")
    if safety is not None:
        print(f"恢复前的数据已另存为：{safety}")
    return EXIT_OK
