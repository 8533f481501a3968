"""数据交换 → 数据交换包: register a laptop, join, make and read packages, conflicts, likely duplicates.

Packages are made and read by operations (operations/exchange.py) run through ``run_op``, the
desk's one progress dialog with 「取消」 (nothing of a cancelled import is kept: it is one
transaction). Lists are read on the UI thread through services, except the duplicate search,
which scans every resident in a read job.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain.access import Permission
from xianghe_desk.jobs.runner import Job
from xianghe_desk.operations import exchange as exchange_ops
from xianghe_desk.operations.base import OpResult
from xianghe_desk.operations.conflicts import resolve_conflict
from xianghe_desk.operations.people import dismiss_duplicate, merge_residents
from xianghe_desk.services.conflicts import KEEP_MINE, KEEP_THEIRS, ConflictView
from xianghe_desk.services.duplicates import DuplicatePair, DuplicateService
from xianghe_desk.services.exchange import PACKAGE_SUFFIX, ExportResult, ImportResult
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.dialogs.conflict_dialog import ConflictDialog
from xianghe_desk.ui.dialogs.duplicate_dialog import MERGE, DuplicateDialog
from xianghe_desk.ui.dialogs.register_device_dialog import RegisterDeviceDialog
from xianghe_desk.ui.errors import show_job_failure
from xianghe_desk.ui.operations import run_op
from xianghe_desk.ui.roles import allow
from xianghe_desk.ui.widgets.file_dialogs import REGISTRATION, FileKind, open_file, save_file

PACKAGE = FileKind("数据交换包", (PACKAGE_SUFFIX.lstrip("."),))
_ROLES = {"village": "村里电脑", "township": "镇上", "county": "县里"}
_ROW_LIMIT = 500


def choose_save_path(parent: QWidget, title: str, suggested: str, kind: FileKind) -> Path | None:
    """Where to save (monkeypatched in tests): the folder last used, often the USB stick."""
    return save_file(parent, title, suggested, kind)


def choose_open_path(parent: QWidget, title: str, kind: FileKind) -> Path | None:
    return open_file(parent, title, kind)


def _table(parent: QWidget, headers: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(list(headers))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)  # Tab moves on to the next field, not cell by cell
    table.setWordWrap(True)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.setMinimumHeight(table.fontMetrics().height() * 8)
    return table


def _fill(table: QTableWidget, rows: list[tuple[Any, list[str]]]) -> None:
    table.setRowCount(0)
    for key, texts in rows[:_ROW_LIMIT]:
        row = table.rowCount()
        table.insertRow(row)
        for column, text in enumerate(texts):
            item = QTableWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(text)
            table.setItem(row, column, item)


class PackagePanel(QWidget):
    """The tab 数据交换包 under 数据交换."""

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.conflict_views: list[ConflictView] = []
        self.duplicate_pairs: list[DuplicatePair] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        outer.addWidget(scroll)
        body = QWidget(scroll)
        scroll.setWidget(body)
        self.body = QVBoxLayout(body)
        self._init_identity(body)
        self._init_exchange(body)
        self._init_devices(body)
        self._init_conflicts(body)
        self._init_duplicates(body)
        self.body.addStretch(1)
        self.refresh()

    # ---------------------------------------------------------------- building
    def _init_identity(self, body: QWidget) -> None:
        self.identity_label = QLabel(body)
        self.identity_label.setWordWrap(True)
        self.body.addWidget(self.identity_label)
        steps = QLabel(
            "用法：① 镇上「登记村里的电脑」，把登记文件交给村里；② 村里电脑「用登记文件加入」；"
            "③ 以后每次交换：一方「制作数据包」存到U盘，另一方「读入数据包」。数据包是加密的，U盘丢了也看不到内容。",
            body,
        )
        steps.setWordWrap(True)
        self.body.addWidget(steps)

    def _init_exchange(self, body: QWidget) -> None:
        box = QGroupBox("交换数据", body)
        layout = QVBoxLayout(box)
        row = QHBoxLayout()
        row.addWidget(QLabel("对方设备：", box))
        self.peer_combo = QComboBox(box)
        self.peer_combo.setMinimumContentsLength(16)
        row.addWidget(self.peer_combo, 1)
        self.export_button = QPushButton("为它制作数据包(&E)…", box)
        self.export_button.clicked.connect(self._on_export_clicked)
        row.addWidget(self.export_button)
        self.import_button = QPushButton("读入数据包(&I)…", box)
        self.import_button.clicked.connect(self._on_import_clicked)
        row.addWidget(self.import_button)
        layout.addLayout(row)
        self.result_label = QLabel(box)
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result_label)
        self.body.addWidget(box)

    def _init_devices(self, body: QWidget) -> None:
        box = QGroupBox("交换设备", body)
        layout = QVBoxLayout(box)
        self.devices_table = _table(
            box, ("名称", "设备编号", "身份", "上次为它制作数据包", "上次读入它的数据包")
        )
        layout.addWidget(self.devices_table)
        row = QHBoxLayout()
        self.register_button = QPushButton("登记村里的电脑(&R)…", box)
        self.register_button.clicked.connect(self._on_register_clicked)
        self.join_button = QPushButton("用登记文件加入(&J)…", box)
        self.join_button.clicked.connect(self._on_join_clicked)
        row.addWidget(self.register_button)
        row.addWidget(self.join_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.body.addWidget(box)

    def _init_conflicts(self, body: QWidget) -> None:
        self.conflicts_box = QGroupBox("需要决定：两边都改过的内容", body)
        layout = QVBoxLayout(self.conflicts_box)
        self.conflicts_table = _table(
            self.conflicts_box, ("记录", "内容", "本机的值", "对方的值", "发现时间")
        )
        self.conflicts_table.doubleClicked.connect(self._on_compare_conflict_clicked)
        layout.addWidget(self.conflicts_table)
        row = QHBoxLayout()
        self.keep_mine_button = QPushButton("保留本机(&M)", self.conflicts_box)
        self.keep_theirs_button = QPushButton("采用对方(&T)", self.conflicts_box)
        self.compare_button = QPushButton("并排查看(&B)…", self.conflicts_box)
        self.keep_mine_button.clicked.connect(lambda: self._resolve_selected(KEEP_MINE))
        self.keep_theirs_button.clicked.connect(lambda: self._resolve_selected(KEEP_THEIRS))
        self.compare_button.clicked.connect(self._on_compare_conflict_clicked)
        for button in (self.keep_mine_button, self.keep_theirs_button, self.compare_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.body.addWidget(self.conflicts_box)

    def _init_duplicates(self, body: QWidget) -> None:
        box = QGroupBox("可能重复的服务对象", body)
        layout = QVBoxLayout(box)
        self.duplicates_label = QLabel(
            "读入数据包后，或表格导入后，可以查一查同一个人是否被录入了两次。", box
        )
        self.duplicates_label.setWordWrap(True)
        layout.addWidget(self.duplicates_label)
        self.duplicates_table = _table(box, ("左边", "右边", "为什么可能是同一人"))
        self.duplicates_table.doubleClicked.connect(self._on_merge_clicked)
        layout.addWidget(self.duplicates_table)
        row = QHBoxLayout()
        self.find_duplicates_button = QPushButton("查找可能重复(&F)", box)
        self.find_duplicates_button.clicked.connect(self.find_duplicates)
        self.merge_button = QPushButton("对比并合并(&C)…", box)
        self.merge_button.clicked.connect(self._on_merge_clicked)
        row.addWidget(self.find_duplicates_button)
        row.addWidget(self.merge_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.body.addWidget(box)

    # ---------------------------------------------------------------- reading
    def activate(self, **_kwargs: Any) -> None:
        self.refresh()

    def refresh(self) -> None:
        me = self.ctx.settings.identity().device
        peers = self.ctx.exchange.peers()
        who = self.ctx.who
        self.identity_label.setText(f"<b>本机：</b>{me.name}　设备编号 <b>{me.tag}</b>")
        current = self.peer_combo.currentData()
        self.peer_combo.clear()
        for peer in peers:
            self.peer_combo.addItem(
                f"{peer.name}（{peer.tag}，{_ROLES.get(peer.role, peer.role)}）", peer.tag
            )
        if current is not None:
            self.peer_combo.setCurrentIndex(max(0, self.peer_combo.findData(current)))
        allow(self.export_button, who, Permission.EXCHANGE, enabled=bool(peers))
        allow(self.import_button, who, Permission.EXCHANGE)
        _fill(
            self.devices_table,
            [
                (
                    p.tag,
                    [
                        p.name,
                        p.tag,
                        _ROLES.get(p.role, p.role),
                        (p.last_export_at or "从未")[:16],
                        (p.last_import_at or "从未")[:16],
                    ],
                )
                for p in peers
            ],
        )
        # A laptop that has joined does not register others; a township does not join.
        allow(self.join_button, who, Permission.EXCHANGE, enabled=not peers)
        allow(self.register_button, who, Permission.EXCHANGE, enabled=me.role != "village")
        allow(self.merge_button, who, Permission.EDIT)
        conflicts = self.ctx.conflicts
        self.conflict_views = conflicts.list(limit=_ROW_LIMIT)
        open_count = conflicts.count_open()
        self.conflicts_box.setTitle(f"需要决定：两边都改过的内容（{open_count} 处）")
        _fill(
            self.conflicts_table,
            [(v.id, [v.title, v.field, v.mine, v.theirs, v.detected_at]) for v in self.conflict_views],
        )
        for button in (self.keep_mine_button, self.keep_theirs_button, self.compare_button):
            allow(button, who, Permission.EXCHANGE, enabled=bool(self.conflict_views))

    def _selected(self, table: QTableWidget) -> Any:
        rows = table.selectionModel().selectedRows()
        row = rows[0].row() if rows else (0 if table.rowCount() == 1 else -1)
        if row < 0:
            return None
        item = table.item(row, 0)
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    # ---------------------------------------------------------------- operations
    def _run(
        self,
        operation: Callable[..., OpResult[Any]],
        *args: Any,
        done: Callable[[Any], None],
        label: str | None = None,
    ) -> Job:
        """An operation; with ``label`` (packages: they take a while) behind the desk's progress
        dialog, whose 「取消」 stops it with nothing kept."""

        def failed(message: str, is_bug: bool) -> None:
            show_job_failure(self, message, is_bug)
            self.refresh()

        def cancelled() -> None:
            self.result_label.setText("已取消，没有写入任何数据。")

        return run_op(
            self.ctx, self, operation, *args, on_done=done, on_failed=failed, on_cancelled=cancelled, progress=label
        )

    # ---------------------------------------------------------------- actions
    def _on_export_clicked(self) -> None:
        tag = self.peer_combo.currentData()
        if not tag:
            return
        name = self.peer_combo.currentText().split("（")[0]
        me = self.ctx.settings.identity().device
        stamp = self.ctx.now().strftime("%Y%m%d-%H%M")
        path = choose_save_path(self, "保存数据包", f"{me.tag}给{name}-{stamp}{PACKAGE_SUFFIX}", PACKAGE)
        if path is None:
            return

        def done(result: ExportResult) -> None:
            self.result_label.setText(
                f"已为「{result.peer_name}」制作数据包：{result.path}（{result.changes} 条变动）。"
                "请把它拷到U盘，交给对方在「读入数据包」中打开。"
            )
            self.refresh()

        self._run(exchange_ops.export_package, str(tag), path, label="正在制作数据包…", done=done)

    def _on_import_clicked(self) -> None:
        path = choose_open_path(self, "读入数据包", PACKAGE)
        if path is None:
            return

        def done(result: ImportResult) -> None:
            # run_op has told every view (an import can change anything).
            self.result_label.setText(result.summary())
            self.refresh()

        self._run(exchange_ops.import_package, path, label="正在读入数据包…", done=done)

    def _on_register_clicked(self) -> None:
        wanted = RegisterDeviceDialog.ask(self, self.ctx)
        if wanted is None:
            return
        path = choose_save_path(self, "保存登记文件", f"{wanted.name}-登记文件.json", REGISTRATION)
        if path is None:
            return

        def done(result: Any) -> None:
            self.result_label.setText(
                f"已登记「{result.name}」（设备编号 {result.tag}，负责 {'、'.join(result.villages)}）。登记文件：{result.path}。"
                "请把它交给村里，在那台电脑上「用登记文件加入」；加入后删除登记文件，它含有密钥。"
                "然后为它制作第一个数据包。"
            )
            self.refresh()

        self._run(
            exchange_ops.register_device, wanted.name, wanted.village, wanted.town, path, done=done
        )

    def _on_join_clicked(self) -> None:
        path = choose_open_path(self, "选择镇上给的登记文件", REGISTRATION)
        if path is None:
            return
        answer = QMessageBox.question(
            self,
            "加入镇上",
            "加入后，本机使用镇上分配的设备编号，以后只和镇上交换数据。确定加入吗？",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return

        def done(peer: Any) -> None:
            me = self.ctx.settings.identity().device
            self.result_label.setText(
                f"本机已加入「{peer.name}」，设备编号 {me.tag}。请到镇上为本机制作第一个数据包，"
                "拿回来后点「读入数据包」。"
            )
            self.refresh()

        self._run(exchange_ops.join, path, done=done)

    def _conflict(self) -> ConflictView | None:
        wanted = self._selected(self.conflicts_table)
        return next((v for v in self.conflict_views if v.id == wanted), None)

    def _resolve_selected(self, keep: str) -> None:
        view = self._conflict()
        if view is None:
            QMessageBox.information(self, "提示", "请先在列表中选中一处冲突。")
            return
        self._resolve(view, keep)

    def _resolve(self, view: ConflictView, keep: str) -> None:
        def done(result: ConflictView) -> None:
            self.result_label.setText(f"已处理：{result.title} · {result.field}，{result.resolution}。")
            self.refresh()

        self._run(resolve_conflict, view.id, keep, done=done)

    def _on_compare_conflict_clicked(self) -> None:
        view = self._conflict()
        if view is None:
            return
        choice = ConflictDialog.decide(self, view)
        if choice is not None:
            self._resolve(view, choice)

    def find_duplicates(self) -> None:
        """Search the whole database in a read job (it compares every resident)."""
        self.find_duplicates_button.setEnabled(False)
        self.duplicates_label.setText("正在查找…")

        def work(ws: Workspace, _job: Job) -> list[DuplicatePair]:
            return DuplicateService(ws).pairs()

        def done(pairs: list[DuplicatePair]) -> None:
            self.find_duplicates_button.setEnabled(True)
            self.duplicate_pairs = pairs
            self.duplicates_label.setText(
                f"找到 {len(pairs)} 对可能是同一个人的记录。双击一行对比，再决定是否合并。"
                if pairs
                else "没有发现可能重复的服务对象。"
            )
            _fill(
                self.duplicates_table,
                [
                    (
                        n,
                        [
                            f"{p.left.name}（{p.left.village_name}）",
                            f"{p.right.name}（{p.right.village_name}）",
                            p.reason,
                        ],
                    )
                    for n, p in enumerate(pairs)
                ],
            )

        def failed(message: str, is_bug: bool) -> None:
            self.find_duplicates_button.setEnabled(True)
            show_job_failure(self, message, is_bug)

        self.ctx.read(work, done, failed, name="find duplicates")

    def _on_merge_clicked(self) -> None:
        index = self._selected(self.duplicates_table)
        if index is None or not 0 <= int(index) < len(self.duplicate_pairs):
            return
        pair = self.duplicate_pairs[int(index)]
        decision = DuplicateDialog.decide(self, pair)
        if decision is None:
            return

        def done(_result: Any) -> None:
            self.find_duplicates()

        operation = merge_residents if decision.action == MERGE else dismiss_duplicate
        self._run(operation, decision.keep_id, decision.drop_id, done=done)
