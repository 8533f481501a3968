"""The demo database as a file: built under a temporary name, checked before it is opened.

A demo interrupted half-way (a crash, a closed window, a full disk) must never be opened later
as if it were the demo county with every figure 0 (issue #8). So the demo is built in a
temporary file beside its real name and renamed into place only when complete, and an existing
demo is looked at read-only before the desk opens it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.fileio import atomic_output
from xianghe_desk.services.demo import Progress, build_demo
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store import migrations
from xianghe_desk.store.db import KnownStoreError
from xianghe_desk.store.integrity import inspect_file

log = logging.getLogger(__name__)


def build_demo_file(
    path: Path, scale: str = "county", seed: int = 1, progress: Progress | None = None
) -> dict[str, int]:
    """Build the demo county into ``path`` (which must not hold data yet); all of it or nothing.

    Raises:
        ValidationError: ``path`` already holds data, or its folder cannot be written.
    """
    path = Path(path).expanduser()
    if path.exists() and path.stat().st_size > 0:
        raise ValidationError(
            f"文件「{path}」已经存在。演示数据只写入新的数据库，请换一个文件名或先删除它。", field="db"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(path, ".db") as temp:
        with Workspace.open(temp) as ws:
            counts = build_demo(ws, scale, seed, progress, owns_file=True)
            # Fold the WAL into the main file so that the renamed file is the whole database.
            ws.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        problem = demo_problem(temp)
        if problem:
            raise ValidationError(f"演示数据库生成后检查未通过：{problem}", field="db")
    return counts


def demo_problem(path: Path) -> str | None:
    """Why the demo database at ``path`` should not be opened, in Chinese, or None if it is sound."""
    try:
        facts = inspect_file(path)
    except KnownStoreError as exc:
        return exc.message
    if facts.quick_check != "ok":
        return f"数据库文件已损坏（{facts.quick_check}）。"
    if facts.schema_version > migrations.SCHEMA_VERSION:
        return "演示数据库由更新版本的程序生成，本程序打不开。"
    demo = facts.settings.get("demo")
    if not isinstance(demo, dict) or not demo.get("complete"):
        if facts.requests:
            return (
                f"演示数据库（{facts.requests} 张工单）没有“生成完成”的标记：它由旧版本生成，"
                "或者生成时被中断，数据可能不全。"
            )
        return (
            f"演示数据库没有生成完整（只有 {facts.towns} 个镇、{facts.requests} 张工单），"
            "可能上次生成时程序被关闭或出错。"
        )
    if facts.towns == 0 or facts.requests == 0:
        return f"演示数据库是空的（{facts.towns} 个镇、{facts.requests} 张工单）。"
    return None


def discard_demo(path: Path) -> None:
    """Remove a broken demo database (and its WAL files) so that it can be built again."""
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            leftover.unlink(missing_ok=True)
        except OSError as exc:
            raise ValidationError(
                f"无法删除损坏的演示数据库「{leftover}」：{exc.strerror or exc}。请关闭正在使用它的程序后重试。",
                field="db",
            ) from None
