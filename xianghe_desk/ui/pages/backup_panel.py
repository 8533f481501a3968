"""设置 → 备份与恢复: the backups with their time, size and counts; back up now, restore, folders.

Every backup is written under a temporary name and gets its real name only after it has been
read back (services/backups.py). Restoring first shows both sides' counts and asks; a backup with
far fewer requests or residents than today asks a second time. After a restore the desk closes
and starts again on the restored file (restart_desk): every page, cached list and the signed-in
clerk then come from the restored data, which is what a clerk expects after 「恢复」.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QProcess, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain.access import Permission
from xianghe_desk.fileio import read_only_location
from xianghe_desk.operations.backups import auto_backup, restore_database, set_backup_folder
from xianghe_desk.services import backups
from xianghe_desk.services.backups import (
    AutoBackupResult,
    BackupEntry,
    BackupService,
    RestorePlan,
    RestoreResult,
)
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.errors import show_job_failure
from xianghe_desk.ui.operations import run_op
from xianghe_desk.ui.roles import allow, refusal
from xianghe_desk.ui.widgets.field_error import FieldError
from xianghe_desk.ui.widgets.file_dialogs import FileKind, open_file
from xianghe_desk.ui.widgets.file_dialogs import choose_folder as choose_folder_dialog
from xianghe_desk.ui.widgets.look import ALERT, MUTED, set_text_colour

log = logging.getLogger(__name__)

BACKUP_FILE = FileKind("数据库备份", ("db",))
# How each kind of backup file is called in the list (the file names keep the short forms).
KIND_LABELS = {backups.KIND_MANUAL: "手动备份", backups.KIND_BEFORE_RESTORE: "恢复前的数据"}
COLUMNS = ("备份时间", "类型", "大小", "镇", "服务对象", "工单", "读回检查", "所在文件夹")
HELP = (
    "程序每天自动备份一次，关闭时也备份一次；自动备份保留最近 7 天、4 周和 12 个月各一份，更早的自动删除。"
    "每份备份先写成临时文件，读回检查（完整性检查、各表行数）无误后才改成正式的文件名，"
    "所以列表里的备份都是完整的。可以另选一个文件夹（如U盘）同时保存一份。"
)


# ---------------------------------------------------------------- dialogs (monkeypatched in tests)
def choose_folder(parent: QWidget, current: Path | None) -> Path | None:
    """A folder chosen by the clerk (Chinese labels, starting where it makes sense), or None."""
    return choose_folder_dialog(parent, "选择第二个备份文件夹（如U盘上的文件夹）", current)


def choose_backup_file(parent: QWidget) -> Path | None:
    return open_file(parent, "选择用来恢复的备份文件", BACKUP_FILE)


def comparison_html(plan: RestorePlan) -> str:
    rows = "".join(
        f"<tr><td>{label}</td><td align='right'>{now}</td><td align='right'>{then}</td></tr>"
        for label, now, then in plan.comparison()
    )
    return (
        "<table cellspacing='0' cellpadding='4' border='1'>"
        f"<tr><th></th><th>现在的数据库</th><th>备份「{plan.backup.name}」</th></tr>{rows}</table>"
    )


def confirm_restore(parent: QWidget, plan: RestorePlan) -> bool:
    """Both sides' counts, and the question. The safe answer (不恢复) is the default."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("恢复备份")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(
        "<p>用这个备份替换现在的数据库吗？</p>"
        + comparison_html(plan)
        + "<p>现在的数据会先另存为一份「恢复前」备份。恢复后程序会关闭并重新打开，请重新登录。</p>"
    )
    restore = box.addButton("恢复", QMessageBox.ButtonRole.AcceptRole)
    keep = box.addButton("不恢复", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.exec()
    return box.clickedButton() is restore


def confirm_large_drop(parent: QWidget, plan: RestorePlan) -> bool:
    """The second question when the backup holds far less than today's database."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("请再确认一次")
    box.setText(
        "这个备份比现在的数据少很多：\n" + "\n".join(f"· {d}" for d in plan.drops) + "\n\n"
        "恢复后，这些数据只能从「恢复前」备份中找回。请核对选的是不是正确的备份。确实要恢复吗？"
    )
    restore = box.addButton("确实要恢复", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("不恢复", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.exec()
    return box.clickedButton() is restore


def announce_restart(parent: QWidget, result: RestoreResult) -> None:
    safety = f"\n恢复前的数据已另存为：{result.safety}" if result.safety else ""
    QMessageBox.information(
        parent,
        "已恢复",
        f"已用「{result.plan.backup.name}」恢复数据库。{safety}\n\n"
        "为了让每个页面都显示恢复后的数据，程序现在关闭并重新打开，请重新登录。",
    )


def relaunch_command() -> tuple[str, list[str]]:
    """How this desk was started, to start it again (a frozen build, ``python -m``, the script)."""
    if getattr(sys, "frozen", False):
        return sys.executable, sys.argv[1:]
    original = getattr(sys, "orig_argv", None)
    if original:
        return sys.executable, list(original[1:])
    return sys.executable, sys.argv


def restart_desk(widget: QWidget) -> None:
    """Start the desk again on the same database, then close this window (which ends this one)."""
    program, arguments = relaunch_command()
    if not QProcess.startDetached(program, arguments):
        QMessageBox.information(widget, "请重新打开", "程序没能自动重新打开，请关闭后自己再打开一次。")
    widget.window().close()


def open_folder(folder: Path) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


# ---------------------------------------------------------------- the panel
def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024)} KB"


def _folder_state(folder: Path) -> str:
    if not folder.exists():
        return "找不到这个文件夹（U盘没插好？），备份时会跳过它"
    if read_only_location(folder):
        return "只读（U盘可能写保护），备份时写不进去"
    return "可以写入"


class BackupPanel(QWidget):
    """The tab 备份与恢复 of the settings page.

    Signals:
    status_message(str): a line for the window's status bar.
    """

    status_message = Signal(str)

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.entries: list[BackupEntry] = []
        self.busy = False
        layout = QVBoxLayout(self)
        help_text = QLabel(HELP, self)
        help_text.setWordWrap(True)
        set_text_colour(help_text, MUTED)
        layout.addWidget(help_text)
        layout.addWidget(self._init_folders())
        layout.addWidget(self._init_list(), 1)
        self.message = FieldError(self)
        layout.addWidget(self.message)
        self.refresh()

    def _init_folders(self) -> QWidget:
        box = QGroupBox("备份文件夹", self)
        column = QVBoxLayout(box)
        self.default_label = QLabel(box)
        self.extra_label = QLabel(box)
        for label in (self.default_label, self.extra_label):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            column.addWidget(label)
        row = QHBoxLayout()
        self.folder_button = QPushButton("选择备份文件夹(&F)…", box)
        self.folder_button.clicked.connect(self._on_folder_clicked)
        self.clear_folder_button = QPushButton("不再复制到该文件夹", box)
        self.clear_folder_button.clicked.connect(self._on_clear_folder_clicked)
        self.open_button = QPushButton("打开文件夹(&O)", box)
        self.open_button.clicked.connect(self._on_open_clicked)
        for button in (self.folder_button, self.clear_folder_button, self.open_button):
            row.addWidget(button)
        row.addStretch(1)
        column.addLayout(row)
        return box

    def _init_list(self) -> QWidget:
        box = QGroupBox("已有的备份", self)
        column = QVBoxLayout(box)
        self.table = QTableWidget(0, len(COLUMNS), box)
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self._on_restore_clicked())
        column.addWidget(self.table, 1)
        self.empty_label = QLabel("还没有备份。点「立即备份」做第一份。", box)
        set_text_colour(self.empty_label, MUTED)
        column.addWidget(self.empty_label)
        row = QHBoxLayout()
        self.backup_button = QPushButton("立即备份(&B)", box)
        self.backup_button.clicked.connect(self._on_backup_clicked)
        self.restore_button = QPushButton("恢复所选备份(&R)…", box)
        self.restore_button.clicked.connect(self._on_restore_clicked)
        self.restore_file_button = QPushButton("从其他备份文件恢复…", box)
        self.restore_file_button.clicked.connect(self._on_restore_file_clicked)
        self.refresh_button = QPushButton("刷新列表", box)
        self.refresh_button.clicked.connect(self.refresh)
        for button in (
            self.backup_button,
            self.restore_button,
            self.restore_file_button,
            self.refresh_button,
        ):
            row.addWidget(button)
        row.addStretch(1)
        column.addLayout(row)
        return box

    # ---------------------------------------------------------------- state
    def _update_buttons(self) -> None:
        """Restoring needs Permission.RESTORE, the second folder Permission.SETTINGS: other roles
        see the buttons disabled with the reason (ui/roles.allow); the operations refuse anyway."""
        idle = not self.busy
        who = self.ctx.who
        self.backup_button.setEnabled(idle)
        allow(self.restore_button, who, Permission.RESTORE, enabled=idle and self.selected() is not None)
        allow(self.restore_file_button, who, Permission.RESTORE, enabled=idle)
        allow(self.folder_button, who, Permission.SETTINGS, enabled=idle)
        has_extra = self.service().extra_folder() is not None
        allow(self.clear_folder_button, who, Permission.SETTINGS, enabled=idle and has_extra)

    def service(self) -> BackupService:
        return BackupService(self.ctx.ws)

    def selected(self) -> BackupEntry | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = rows[0].row()
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def refresh(self) -> None:
        """The folders at once; the list from a read job (each backup's counts are read from it)."""
        service = self.service()
        default = service.default_folder()
        self.default_label.setText(f"默认：{default}")
        extra = service.extra_folder()
        if extra is None:
            self.extra_label.setText(
                "第二个文件夹（如U盘）：未设置。可以点「选择备份文件夹」设一个，每次备份同时存一份。"
            )
            set_text_colour(self.extra_label, None)
        else:
            state = _folder_state(extra)
            self.extra_label.setText(f"第二个文件夹：{extra}（{state}）")
            set_text_colour(self.extra_label, None if state == "可以写入" else ALERT)
        self._update_buttons()
        self.ctx.read(
            lambda ws, _job: BackupService(ws).entries(),
            self._on_listed,
            self._on_list_failed,
            name="backups",
        )

    def _on_listed(self, entries: list[BackupEntry]) -> None:
        self.entries = entries
        self.table.setRowCount(0)
        for entry in entries:
            row = self.table.rowCount()
            self.table.insertRow(row)
            facts = entry.facts
            when = entry.made_at.strftime("%Y-%m-%d %H:%M") if entry.made_at else "（不详）"
            counts = (
                [f"{facts.towns:,}", f"{facts.residents:,}", f"{facts.requests:,}"]
                if facts
                else ["—", "—", "—"]
            )
            if entry.problem:
                check = f"读不出：{entry.problem}"
            else:
                check = "已验证" if entry.verified else "未验证（升级前或旧版程序的备份）"
            kind = KIND_LABELS.get(entry.kind, entry.kind) or "备份"
            texts = [when, kind, _size(entry.size), *counts, check, str(entry.path.parent)]
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setToolTip(str(entry.path) if column == len(texts) - 1 else text)
                if column in (2, 3, 4, 5):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if entry.problem and column == 6:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(row, column, item)
        self.table.setVisible(bool(entries))
        self.empty_label.setVisible(not entries)
        self._update_buttons()

    def _on_list_failed(self, message: str, is_bug: bool) -> None:
        if is_bug:
            log.error("listing the backups failed: %s", message)
        self.message.set_error(f"没能列出备份：{message}")

    def _set_busy(self, busy: bool, hint: str = "") -> None:
        self.busy = busy
        if hint:
            self.message.set_hint(hint)
        self._update_buttons()

    # ---------------------------------------------------------------- back up
    def _on_backup_clicked(self) -> None:
        self._set_busy(True, "正在备份，并读回检查……")
        run_op(
            self.ctx,
            self,
            auto_backup,
            backups.KIND_MANUAL,
            on_done=self._on_backed_up,
            on_failed=self._on_backup_failed,
        )

    def _on_backed_up(self, result: AutoBackupResult) -> None:
        self._set_busy(False)
        text = result.status_text()
        if result.problems:
            self.message.set_warning(text)
        else:
            self.message.set_hint(text + "。已读回检查，备份完整。")
        self.status_message.emit(text)
        self.refresh()

    def _on_backup_failed(self, message: str, is_bug: bool) -> None:
        self._set_busy(False)
        if is_bug:
            show_job_failure(self, message, True)
        self.message.set_error(message)

    # ---------------------------------------------------------------- folders
    def _on_folder_clicked(self) -> None:
        folder = choose_folder(self, self.service().extra_folder())
        if folder is not None:
            self._set_folder(folder)

    def _on_clear_folder_clicked(self) -> None:
        self._set_folder(None)

    def _set_folder(self, folder: Path | None) -> None:
        def done(chosen: Path | None) -> None:
            text = f"备份会同时保存到「{chosen}」。" if chosen else "不再复制备份到第二个文件夹。"
            self.message.set_hint(text)
            self.status_message.emit(text)
            self.refresh()

        run_op(self.ctx, self, set_backup_folder, folder, on_done=done, on_failed=self._on_folder_failed)

    def _on_folder_failed(self, message: str, is_bug: bool) -> None:
        if is_bug:
            show_job_failure(self, message, True)
        self.message.set_error(message)

    def _on_open_clicked(self) -> None:
        entry = self.selected()
        folder = entry.path.parent if entry is not None else self.service().default_folder()
        if not open_folder(folder):
            self.message.set_warning(f"没能打开文件夹，请自己在文件管理器中打开：{folder}")

    # ---------------------------------------------------------------- restore
    def _on_restore_clicked(self) -> None:
        entry = self.selected()
        if entry is None:
            self.message.set_warning("请先在列表中选中一份备份。")
            return
        self.restore_from(entry.path)

    def _on_restore_file_clicked(self) -> None:
        path = choose_backup_file(self)
        if path is not None:
            self.restore_from(path)

    def restore_from(self, path: Path) -> None:
        """Look at both sides (read job), ask, then restore (write job) and restart the desk."""
        why = refusal(self.ctx.who, Permission.RESTORE)
        if why:
            self.message.set_error(why)
            return
        self._set_busy(True, f"正在检查「{path.name}」……")

        def look(ws: Workspace, _job: object) -> RestorePlan:
            return backups.restore_plan(ws.path, path, ws.key)

        self.ctx.read(look, self._on_plan, self._on_restore_failed, name="restore_plan")

    def _on_plan(self, plan: RestorePlan) -> None:
        self._set_busy(False)
        if not confirm_restore(self, plan):
            self.message.set_hint("没有恢复，数据库没有改动。")
            return
        if plan.large_drop and not confirm_large_drop(self, plan):
            self.message.set_hint("没有恢复，数据库没有改动。")
            return
        self._set_busy(True, "正在恢复……")
        backup, force = plan.backup, plan.large_drop

        def work(ws: Workspace, _job: object) -> RestoreResult:
            return restore_database(ws, backup, force=force)

        self.ctx.write(work, self._on_restored, self._on_restore_failed, name="database.restore")

    def _on_restored(self, result: RestoreResult) -> None:
        self._set_busy(False, "已恢复。")
        controller = getattr(self.window(), "auto_backup", None)
        if controller is not None:
            controller.enabled = False  # the file holds the restored data; the restart follows
        log.info("restored from %s at %s", result.plan.backup, datetime.now())
        announce_restart(self, result)
        restart_desk(self)

    def _on_restore_failed(self, message: str, is_bug: bool) -> None:
        self._set_busy(False)
        if is_bug:
            show_job_failure(self, message, True)
        self.message.set_error(message)
