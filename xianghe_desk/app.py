"""Starting the desk: the Qt application, the shipped CJK font, Chinese Qt dialogs, the database."""

from __future__ import annotations

import logging
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


def run_desk(db: Path | None = None, demo: bool = False) -> int:
    """Open the desk's main window on ``db`` (or the demo database) and run until it closes."""
    from xianghe_desk import paths

    if demo:
        db_path = Path(db) if db else paths.demo_db_path()
        print(f"正在准备演示数据库：{db_path}（首次使用需要十几秒）", file=sys.stderr)
        prepare_demo_db(db_path)
    else:
        db_path = Path(db) if db else paths.default_db_path()
    from xianghe_desk.ui.application import run

    return run(db_path)
