"""``xianghe-desk check --db P [--repair]``: integrity and schema check; prints what it checked.

The file is only read (issue #10): no migration, no switch to WAL, no start-up rows, no audit
row, so a damaged or half-written file is reported as it is, never repaired into an empty
database, and a file on a write-protected USB stick can be checked.

``--repair`` first checks the same way. When everything that failed is only kept from the history
(统计汇总, services/check.REBUILDABLE), an administrator's repair backs the file up (verified) and
rebuilds it in one transaction (operations/maintenance.py), and the check runs again: exit 0 when
the database is now sound. Any other problem (a damaged file, history or audit trail) is left to a
person with a backup: nothing is changed and exit 1. So is a file on a read-only medium.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from xianghe_desk.cli import EXIT_OK, EXIT_REFUSED, db_argument, db_path, open_workspace

if TYPE_CHECKING:
    from xianghe_desk.domain.access import Actor
    from xianghe_desk.services.check import CheckResult
    from xianghe_desk.store.keys import DatabaseKey


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("check", help="检查数据库是否完好（完整性、数据版本、工单与办理记录是否一致）")
    db_argument(parser)
    parser.add_argument(
        "--repair",
        action="store_true",
        help="先检查；如果只有「统计汇总」与办理记录对不上，就先备份数据库，再从办理记录重建统计汇总，"
        "然后再检查一遍（只有管理员可以）。其他问题不会自动修复，数据库也不会改动",
    )
    parser.set_defaults(func=run)


@dataclass
class _Checked:
    """What one check found, and who read the file with which key (for the repair and the check after)."""

    results: list[CheckResult] = field(default_factory=list)
    key: DatabaseKey | None = None
    who: Actor | None = None


def run(args: argparse.Namespace) -> int:
    path = db_path(args)
    if not path.exists():
        print(f"错误：数据库文件「{path}」不存在。请检查路径。", file=sys.stderr)
        return EXIT_REFUSED
    # The database as the clerk named it, for the repair command a finding shows.
    named = str(args.db) if getattr(args, "db", None) else None
    print(f"检查数据库：{path}")
    checked = _check(args, path, named)
    _print(checked.results)
    if getattr(args, "repair", False):
        return _repair(args, path, named, checked)
    failed = [r for r in checked.results if not r.ok]
    if failed:
        from xianghe_desk.services.check import rebuildable, repair_command

        if rebuildable(checked.results):
            print(
                f"发现 {len(failed)} 项问题，都可以从办理记录重建：请运行「{repair_command(named)}」"
                "（程序会先备份数据库）。",
                file=sys.stderr,
            )
        else:
            print(f"发现 {len(failed)} 项问题。请先备份数据库，再联系维护人员。", file=sys.stderr)
        return EXIT_REFUSED
    print("数据库完好。")
    return EXIT_OK


def _check(
    args: argparse.Namespace, path: Path, named: str | None, again: _Checked | None = None
) -> _Checked:
    """Every check, reading the file only. ``again``: the check after a repair, by the one who was
    signed in for the first (no second password)."""
    from xianghe_desk.services.check import CheckResult, file_checks, run_checks
    from xianghe_desk.services.workspace import Workspace
    from xianghe_desk.store.db import EncryptedDatabaseError, KnownStoreError
    from xianghe_desk.store.integrity import inspect_database

    checked = _Checked(key=again.key if again else None, who=again.who if again else None)
    ws = None
    try:
        try:
            facts = inspect_database(path, key=checked.key)
        except EncryptedDatabaseError:
            if again is not None:
                raise
            # An encrypted database is read with the key its user unlocks by signing in.
            ws = open_workspace(args, path, read_only=True)
            facts = inspect_database(path, key=ws.key)
        results = file_checks(facts)
        if all(r.ok for r in results):
            if ws is None:
                ws = (
                    Workspace.open(path, who=again.who, key=again.key, read_only=True)
                    if again is not None
                    else open_workspace(args, path, read_only=True)
                )
            results += run_checks(ws, file_checked=True, db=named)
    except KnownStoreError as exc:
        results = [CheckResult("数据库文件", False, exc.message)]
    finally:
        if ws is not None:
            checked.key, checked.who = ws.key, ws.who
            ws.close()
    checked.results = results
    return checked


def _print(results: list[CheckResult]) -> None:
    for result in results:
        mark = "通过" if result.ok else "有问题"
        print(f"  [{mark}] {result.label}：{result.detail}")


def _repair(args: argparse.Namespace, path: Path, named: str | None, checked: _Checked) -> int:
    """Rebuild what can be rebuilt from the history, or say why not; see the module docstring."""
    from xianghe_desk.domain.access import PermissionDeniedError
    from xianghe_desk.domain.errors import ValidationError
    from xianghe_desk.fileio import read_only_location
    from xianghe_desk.operations.maintenance import rebuild_kept_facts
    from xianghe_desk.services.check import REBUILDABLE, rebuildable, repair_command, shown_path
    from xianghe_desk.services.workspace import Workspace
    from xianghe_desk.store.db import KnownStoreError

    failed = [r for r in checked.results if not r.ok]
    if not failed:
        print("数据库完好，不需要修复。")
        return EXIT_OK
    if not rebuildable(checked.results):
        others = "、".join(r.label for r in failed if r.label not in REBUILDABLE)
        restore = (
            f"xianghe-desk restore --db {shown_path(named)} 备份文件"
            if named
            else "xianghe-desk restore 备份文件"
        )
        print(
            f"错误：发现 {len(failed)} 项问题，其中「{others}」不能自动修复，所以这次什么都没有修复，数据库没有改动。\n"
            "处理办法：按上面每一项的说明处理。数据库文件损坏、工单或办理记录对不上、操作日志被改动时，"
            "请先不要再用这个文件录入，用最近一份完好的备份恢复（桌面程序的「备份与恢复」，"
            f"或运行「{restore}」），恢复后再运行一次 check；没有完好的备份时，请把这个数据库文件复制一份交给维护人员。",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    if read_only_location(path):
        print(
            f"错误：数据库「{path}」在只读的位置（U盘写保护或只读文件），不能修复，数据库没有改动。"
            "请把它复制到电脑上可以写入的文件夹，再对复制出的文件运行「xianghe-desk check --db 文件 --repair」。",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    finding = "；".join(r.detail.partition("。")[0] for r in failed)  # the counts, without the advice
    print("这些问题只是统计汇总与办理记录对不上，可以从办理记录重建。先备份数据库，再重建……")
    ws = Workspace.open(path, who=checked.who, key=checked.key)
    try:
        done = rebuild_kept_facts(ws, finding=finding).value
    except PermissionDeniedError:
        role = ws.who.role.label
        print(
            f"错误：修复数据库只有管理员可以做，您的角色（{role}）不能做。这次没有修复，数据库的数据没有改动。"
            f"请管理员运行「{repair_command(named)} --user 管理员账号」。",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    except (ValidationError, KnownStoreError) as exc:
        print(f"错误：{exc.message}\n这次没有修复，数据库没有改动。", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        ws.close()
    print(f"已先备份数据库：{done.backup}（已读回检查：完整性检查通过，各表行数与数据库一致）")
    print("已从办理记录重建统计汇总；工单和办理记录没有改动，这次修复已记入操作日志。")
    print("再检查一遍：")
    after = _check(args, path, named, again=checked)
    _print(after.results)
    still = [r for r in after.results if not r.ok]
    if still:
        print(
            f"修复后仍有 {len(still)} 项问题。修复前的备份在 {done.backup}。请把数据库文件复制一份交给维护人员。",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    print("数据库完好。")
    return EXIT_OK
