"""Starting the desk: the Qt application, the shipped CJK font, Chinese Qt dialogs, the database."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

log = logging.getLogger(__name__)


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

    from xianghe_desk.ui.application import make_app, run

    if demo:
        db_path = Path(db) if db else paths.demo_db_path()
        make_app()
        from xianghe_desk.ui.demo_setup import ensure_demo

        # Built under a temporary name with a progress dialog; a broken one is never opened as is.
        if not ensure_demo(db_path):
            return 1
    else:
        db_path = Path(db) if db else paths.default_db_path()
    return run(db_path, demo=demo)
