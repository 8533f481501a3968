"""``xianghe-desk check --db P``: integrity and schema check; prints what it checked."""

from __future__ import annotations

import argparse
import sys

from xianghe_desk.cli import EXIT_OK, EXIT_REFUSED, db_argument, db_path, open_workspace


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("check", help="检查数据库是否完好（完整性、数据版本、工单与办理记录是否一致）")
    db_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from xianghe_desk.services.check import run_checks

    path = db_path(args)
    if not path.exists():
        print(f"错误：数据库文件「{path}」不存在。请检查路径。", file=sys.stderr)
        return EXIT_REFUSED
    with open_workspace(args, path) as ws:
        results = run_checks(ws)
    print(f"检查数据库：{path}")
    for result in results:
        mark = "通过" if result.ok else "有问题"
        print(f"  [{mark}] {result.label}：{result.detail}")
    failed = [r for r in results if not r.ok]
    if failed:
        print(f"发现 {len(failed)} 项问题。请先备份数据库，再联系维护人员。", file=sys.stderr)
        return EXIT_REFUSED
    print("数据库完好。")
    return EXIT_OK
