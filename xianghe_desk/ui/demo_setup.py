"""Before the desk opens the demo: build it with a progress dialog, or offer to rebuild a broken one.

The demo is built on a plain worker thread (no database is open in the UI yet, so the job
runner's Workspace-per-job does not apply); the UI thread polls its progress with a timer and
waits in a local event loop, so the progress dialog repaints and 「取消」 works.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QMessageBox, QProgressDialog

from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.jobs.runner import JobCancelledError, KnownStoreError
from xianghe_desk.services.demo_file import build_demo_file, demo_problem, discard_demo
from xianghe_desk.ui import errors

log = logging.getLogger(__name__)

STAGES = {
    "grids": "网格",
    "members": "网格员",
    "residents": "服务对象",
    "requests": "服务工单",
    "change log": "同步记录",
}


@dataclass
class _BuildState:
    stage: str = ""
    done: int = 0
    total: int = 0
    cancel: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


def build_with_progress(path: Path, scale: str = "county") -> bool:
    """Build the demo at ``path`` behind a 「请稍候」 dialog; True when it was built."""
    state = _BuildState()

    def progress(stage: str, done: int, total: int) -> None:
        if state.cancel.is_set():
            raise JobCancelledError
        state.stage, state.done, state.total = stage, done, total

    def work() -> None:
        try:
            build_demo_file(path, scale, progress=progress)
        except BaseException as exc:  # handed to the UI thread below
            state.error = exc
        finally:
            state.finished.set()

    dialog = QProgressDialog("正在生成演示数据（全县的镇村、网格员、服务对象和一年的工单）……", "取消", 0, 0)
    dialog.setWindowTitle("请稍候")
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.canceled.connect(state.cancel.set)
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(100)

    def poll() -> None:
        if state.total:
            dialog.setMaximum(state.total)
            dialog.setValue(min(state.done, state.total))
            dialog.setLabelText(f"正在生成{STAGES.get(state.stage, state.stage)}：{state.done} / {state.total}")
        if state.finished.is_set():
            loop.quit()

    timer.timeout.connect(poll)
    worker = threading.Thread(target=work, name="demo-build", daemon=True)
    worker.start()
    timer.start()
    dialog.show()
    loop.exec()
    timer.stop()
    worker.join()
    dialog.close()
    if isinstance(state.error, JobCancelledError):
        return False
    if isinstance(state.error, ValidationError | KnownStoreError):
        errors.show_warning(None, errors.user_message(state.error), "演示数据没有生成")
        return False
    if state.error is not None:
        raise state.error
    return True


def ensure_demo(path: Path) -> bool:
    """A sound demo database at ``path``; False when the clerk chose not to go on."""
    if not path.exists() or path.stat().st_size == 0:
        discard_demo(path)
        return build_with_progress(path)
    problem = demo_problem(path)
    if problem is None:
        return True
    log.warning("demo database %s: %s", path, problem)
    if not ask_rebuild(path, problem):
        return False
    try:
        discard_demo(path)
    except ValidationError as exc:
        errors.show_warning(None, exc.message, "演示数据没有生成")
        return False
    return build_with_progress(path)


def ask_rebuild(path: Path, problem: str) -> bool:
    """Tell the clerk what is wrong with the demo and ask whether to build it again."""
    box = QMessageBox(QMessageBox.Icon.Warning, "演示数据库有问题", f"演示数据库不能正常使用：\n{problem}")
    box.setInformativeText(f"文件：{path}\n\n重新生成大约需要十几秒，演示数据库里原有的内容会被替换。")
    rebuild = box.addButton("重新生成(&R)", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("退出(&Q)", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(rebuild)
    box.exec()
    return box.clickedButton() is rebuild
