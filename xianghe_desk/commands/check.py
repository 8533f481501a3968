"""``xianghe-desk check --db P``: integrity and schema check; prints what it checked.

The file is only read (issue #10): no migration, no switch to WAL, no start-up rows, no audit
row, so a damaged or half-written file is reported as it is, never repaired into an empty
database, and a file on a write-protected USB stick can be checked.
"""

from __future__ import annotations

import argparse
import sys

from xianghe_desk.cli import EXIT_OK, EXIT_REFUSED, db_argument, db_path, open_workspace


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("check", help="检查数据库是否完好（完整性、数据版本、工单与办理记录是否一致）")
    db_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from xianghe_desk.services.check import CheckResult, file_checks, run_checks
    from xianghe_desk.store.db import EncryptedDatabaseError, KnownStoreError
    from xianghe_desk.store.integrity import inspect_database

    path = db_path(args)
    if not path.exists():
        print(f"错误：数据库文件「{path}」不存在。请检查路径。", file=sys.stderr)
        return EXIT_REFUSED
    print(f"检查数据库：{path}")
    ws = None
    try:
        try:
            facts = inspect_database(path)
        except EncryptedDatabaseError:
            # An encrypted database is read with the key its user unlocks by signing in.
            ws = open_workspace(args, path, read_only=True)
            facts = inspect_database(path, key=ws.key)
        results = file_checks(facts)
        if all(r.ok for r in results):
            ws = ws or open_workspace(args, path, read_only=True)
            results += run_checks(ws, file_checked=True)
    except KnownStoreError as exc:
        results = [CheckResult("数据库文件", False, exc.message)]
    finally:
        if ws is not None:
            ws.close()
    for result in results:
        mark = "通过" if result.ok else "有问题"
        print(f"  [{mark}] {result.label}：{result.detail}")
    failed = [r for r in results if not r.ok]
    if failed:
        print(f"发现 {len(failed)} 项问题。请先备份数据库，再联系维护人员。", file=sys.stderr)
        return EXIT_REFUSED
    print("数据库完好。")
    return EXIT_OK
