"""Starting the desk: the Qt application, the shipped CJK font, Chinese Qt dialogs, the database."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

log = logging.getLogger(__name__)


def prepare_demo_db(path: Path) -> Path:
    """The demo database, created and filled (county scale) on first use."""
    from xianghe_desk.services.demo import build_demo
    from xianghe_desk.services.workspace import Workspace

    if not path.exists() or path.stat().st_size == 0:
        with Workspace.open(path) as ws:
            build_demo(ws, "county")
    return path


def no_screen_reason() -> str | None:
    """Why the desk cannot open a window here, in Chinese, or None when it can.

    Without a display Qt aborts the whole process with an English message about plug-ins;
    a clerk (or a script over SSH) should hear instead what is missing and what still works.
    """
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "这台电脑现在没有图形界面（没有 DISPLAY），桌面程序无法打开窗口。"
        "请在有桌面的电脑上运行；命令行功能（stats、import、report 等）不需要图形界面。"
    )


def run_desk(db: Path | None = None, demo: bool = False) -> int:
    """Open the desk's main window on ``db`` (or the demo database) and run until it closes."""
    from xianghe_desk import paths

    reason = no_screen_reason()
    if reason:
        print(f"错误：{reason}", file=sys.stderr)
        return 1

    if demo:
        db_path = Path(db) if db else paths.demo_db_path()
        print(f"正在准备演示数据库：{db_path}（首次使用需要十几秒）", file=sys.stderr)
        prepare_demo_db(db_path)
    else:
        db_path = Path(db) if db else paths.default_db_path()
    from xianghe_desk.ui.application import run

    return run(db_path)
