"""数据交换 → 表格导入导出: templates, a checked import with a preview before anything is written,
and exports in the same columns.

Reading and checking a sheet is an operation that writes nothing (operations/imports.check_sheet);
the clerk then sees every row as 新增 / 更新 / 不变 / 拒绝 with the reason and chooses
「全部不导入，先改表格」 or 「只导入正确的行」 (or 「全部导入」 when nothing was refused). The import
itself is one operation and one transaction. All of them run through ``run_op``, the desk's one
progress dialog with 「取消」.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain.access import Permission
from xianghe_desk.jobs.runner import Job
from xianghe_desk.operations.base import OpResult
from xianghe_desk.operations.exports import PERSONAL_KINDS, Exported, export_sheet, write_template
from xianghe_desk.operations.imports import PLACE_KINDS, check_sheet, import_sheet
from xianghe_desk.services.imports import ImportPlan, ImportReport, PlannedRow, RowAction
from xianghe_desk.sheets.columns import KIND_LABELS, KINDS
from xianghe_desk.sheets.reader import SheetData
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.errors import show_job_failure
from xianghe_desk.ui.models.base import Role
from xianghe_desk.ui.operations import run_op
from xianghe_desk.ui.roles import allow
from xianghe_desk.ui.widgets.date_edit import DeskDateEdit
from xianghe_desk.ui.widgets.file_dialogs import SHEETS, XLSX, open_file, save_file
from xianghe_desk.ui.widgets.table import DeskTableView

Index = QModelIndex | QPersistentModelIndex

_ACTION_COLOURS = {
    RowAction.ADD: QColor("#1b7f3b"),
    RowAction.UPDATE: QColor("#1f5fa8"),
    RowAction.SAME: QColor("#707070"),
    RowAction.REFUSE: QColor("#b42318"),
}
WARNED = "warned"  # the filter for rows that import but should be checked
# Combo data are the actions' plain values: Qt hands a str-based enum back as a plain str.
_FILTERS = (
    ("全部行", None),
    ("只看拒绝的行", RowAction.REFUSE.value),
    ("只看新增的行", RowAction.ADD.value),
    ("只看更新的行", RowAction.UPDATE.value),
    ("只看不变的行", RowAction.SAME.value),
    ("只看请核对的行", WARNED),
)


class ImportPreviewTableModel(QAbstractTableModel):
    """The planned rows of an import: 行号, 结果, 内容, 说明 (reasons for refusals, changed columns),
    请核对 (rows that import but may be a person already there)."""

    HEADERS = ("行号", "结果", "内容", "说明", "请核对")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._all: list[PlannedRow] = []
        self._rows: list[PlannedRow] = []
        self._only: str | None = None  # a RowAction value

    def set_rows(self, rows: list[PlannedRow]) -> None:
        self.beginResetModel()
        self._all = rows
        self._rows = self._filtered()
        self.endResetModel()

    def set_filter(self, only: str | None) -> None:
        """Show only the rows whose action has this value (None: all rows)."""
        self.beginResetModel()
        self._only = only
        self._rows = self._filtered()
        self.endResetModel()

    def _filtered(self) -> list[PlannedRow]:
        if self._only is None:
            return list(self._all)
        if self._only == WARNED:
            return [row for row in self._all if row.warnings]
        return [row for row in self._all if row.action.value == self._only]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            check = "\n".join(f"⚠ {w}" for w in row.warnings)
            values = (f"第{row.row}行", row.action.label, row.label, row.reason, check)
            if role == Qt.ItemDataRole.ToolTipRole:
                return "\n".join(str(r) for r in row.refusals) or values[column]
            return values[column]
        if role == Qt.ItemDataRole.ForegroundRole and column == 1:
            return QBrush(_ACTION_COLOURS[row.action])
        if role == Qt.ItemDataRole.BackgroundRole and row.action is RowAction.REFUSE:
            return QBrush(QColor("#fdecea"))
        if role == Qt.ItemDataRole.BackgroundRole and row.warnings:
            return QBrush(QColor("#fff4d6"))
        if role == Qt.ItemDataRole.ForegroundRole and column == 4:
            return QBrush(QColor("#8a5a00"))
        if role == Role.IdRole:
            return row.row
        if role == Role.ObjectRole:
            return row
        return None


class SpreadsheetPanel(QWidget):
    """The 表格导入导出 tab of 数据交换.

    Signals:
    status_message(str): a line for the window's status bar.
    """

    status_message = Signal(str)

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._sheet: SheetData | None = None
        self._plan: ImportPlan | None = None
        self._init_import()
        self._init_export()
        self._init_layout()
        self._init_signals()
        self._show_plan(None)
        self._on_export_kind_changed()

    # ---- building -----------------------------------------------------------------------------

    def _kind_combo(self) -> QComboBox:
        combo = QComboBox(self)
        for kind in KINDS:
            combo.addItem(KIND_LABELS[kind], kind)
        return combo

    def _init_import(self) -> None:
        self.import_box = QGroupBox("导入表格", self)
        self.kind = self._kind_combo()
        self.template_button = QPushButton("下载空白模板…", self)
        self.template_button.setToolTip("模板里有每一列的说明和下拉列表，照着填写最不容易出错")
        self.open_button = QPushButton("选择表格并检查…", self)
        self.open_button.setDefault(True)
        self.help = QLabel(
            "支持 .xlsx 和 .csv 文件。导入前会先检查每一行，列出将新增、更新和不能导入的行及原因，"
            "确认后才写入；同一个表格导入两次不会重复。",
            self,
        )
        self.help.setWordWrap(True)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.filter = QComboBox(self)
        for text, action in _FILTERS:
            self.filter.addItem(text, action)
        self.model = ImportPreviewTableModel(self)
        self.table = DeskTableView(self, multi_select=False)
        self.table.setModel(self.model)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for column, width in enumerate((70, 56, 220, 300, 320)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.discard_button = QPushButton("全部不导入，先改表格", self)
        self.valid_only_button = QPushButton("只导入正确的行", self)
        self.import_all_button = QPushButton("全部导入", self)
        self.save_refusals_button = QPushButton("保存拒绝原因为Excel…", self)

    def _init_export(self) -> None:
        self.export_box = QGroupBox("导出表格", self)
        self.export_kind = self._kind_combo()
        self.month_check = QCheckBox("只导出这个月受理的工单：", self)
        self.month = DeskDateEdit(self)
        self.month.setDisplayFormat("yyyy年MM月")
        self.month.setCalendarPopup(False)
        today = self.ctx.now().date()
        self.month.setDate(QDate(today.year, today.month, 1))
        self.export_button = QPushButton("导出…", self)
        self.full_check = QCheckBox("含完整的身份证号和电话", self)
        self.full_check.setToolTip(
            "默认导出时身份证号和电话只显示一部分（如 131024********1234）；完整导出会记入操作日志"
        )
        self.export_help = QLabel("导出的表格和导入模板的列完全相同，可以在另一台电脑上导入。", self)
        self.export_help.setWordWrap(True)

    def _init_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel("表格类型：", self))
        top.addWidget(self.kind)
        top.addWidget(self.template_button)
        top.addWidget(self.open_button)
        top.addStretch(1)
        top.addWidget(QLabel("显示：", self))
        top.addWidget(self.filter)
        decide = QHBoxLayout()
        decide.addWidget(self.discard_button)
        decide.addWidget(self.valid_only_button)
        decide.addWidget(self.import_all_button)
        decide.addStretch(1)
        decide.addWidget(self.save_refusals_button)
        box = QVBoxLayout(self.import_box)
        box.addLayout(top)
        box.addWidget(self.help)
        box.addWidget(self.summary)
        box.addWidget(self.table, 1)
        box.addLayout(decide)
        export = QHBoxLayout(self.export_box)
        export.addWidget(QLabel("表格类型：", self))
        export.addWidget(self.export_kind)
        export.addWidget(self.month_check)
        export.addWidget(self.month)
        export.addWidget(self.full_check)
        export.addWidget(self.export_button)
        export.addWidget(self.export_help, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.import_box, 1)
        layout.addWidget(self.export_box)

    def _init_signals(self) -> None:
        self.template_button.clicked.connect(self._on_template_clicked)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.kind.currentIndexChanged.connect(lambda _i: self._show_plan(None))
        self.kind.currentIndexChanged.connect(lambda _i: self._update_role_actions())
        self.filter.currentIndexChanged.connect(lambda _i: self.model.set_filter(self.filter.currentData()))
        self.discard_button.clicked.connect(self._on_discard_clicked)
        self.valid_only_button.clicked.connect(lambda: self._start_import(valid_only=True))
        self.import_all_button.clicked.connect(lambda: self._start_import(valid_only=False))
        self.save_refusals_button.clicked.connect(self._on_save_refusals_clicked)
        self.export_kind.currentIndexChanged.connect(self._on_export_kind_changed)
        self.month_check.toggled.connect(self.month.setEnabled)
        self.export_button.clicked.connect(self._on_export_clicked)

    def activate(self, kind: str | None = None, **_kwargs: Any) -> None:
        """Called when the tab is shown; ``kind`` preselects a table type."""
        if kind in KINDS:
            self.kind.setCurrentIndex(self.kind.findData(kind))

    # ---- dialog entry points (tests replace these) -------------------------------------------

    def ask_open_path(self) -> Path | None:
        return open_file(self, "选择要导入的表格", SHEETS)

    def ask_save_path(self, title: str, suggested: str) -> Path | None:
        return save_file(self, title, suggested, XLSX)

    def inform(self, title: str, text: str) -> None:
        QMessageBox.information(self, title, text)

    # ---- operations ---------------------------------------------------------------------------

    def _run(
        self,
        operation: Callable[..., OpResult[Any]],
        *args: Any,
        label: str,
        on_finished: Callable[[Any], None],
    ) -> Job:
        """``operation`` behind the desk's progress dialog (run_op), the panel busy meanwhile."""

        def done(result: Any) -> None:
            self._set_busy(False)
            on_finished(result)

        def failed(message: str, is_bug: bool) -> None:
            self._set_busy(False)
            show_job_failure(self, message, is_bug)

        def cancelled() -> None:
            self._set_busy(False)
            self.status_message.emit("已取消，没有写入任何数据。")

        self._set_busy(True)
        return run_op(
            self.ctx,
            self,
            operation,
            *args,
            on_done=done,
            on_failed=failed,
            on_cancelled=cancelled,
            progress=label,
        )

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.template_button, self.kind):
            widget.setEnabled(not busy)
        if busy:
            for button in (self.discard_button, self.valid_only_button, self.import_all_button):
                button.setEnabled(False)
        else:
            self._update_buttons()
        self._update_role_actions()

    def _update_role_actions(self) -> None:
        """What the signed-in role may not import or export is disabled with the reason."""
        who, busy = self.ctx.who, getattr(self, "_busy", False)
        needs = [Permission.IMPORT]
        if self.kind.currentData() in PLACE_KINDS:
            needs.append(Permission.EDIT_PLACES)
        allow(self.open_button, who, *needs, enabled=not busy)
        personal = self.export_kind.currentData() in PERSONAL_KINDS
        allow(self.export_button, who, *([Permission.EXPORT_PERSONAL] if personal else []), enabled=not busy)
        allow(self.full_check, who, Permission.EXPORT_FULL, enabled=personal and not busy)
        if not self.full_check.isEnabled():
            self.full_check.setChecked(False)

    # ---- template -----------------------------------------------------------------------------

    def _on_template_clicked(self) -> None:
        kind = self.kind.currentData()
        label = KIND_LABELS[kind]
        path = self.ask_save_path(f"保存{label}导入模板", f"{label}导入模板.xlsx")
        if path is None:
            return

        def done(saved: Path) -> None:
            self.status_message.emit(f"已保存{label}导入模板：{saved}")
            self.inform(
                "下载模板",
                f"{label}导入模板已保存到：\n{saved}\n\n红色列名必填；把鼠标移到列名上可以看到说明。",
            )

        self._run(write_template, kind, path, label="正在生成模板…", on_finished=done)

    # ---- import -------------------------------------------------------------------------------

    def _on_open_clicked(self) -> None:
        path = self.ask_open_path()
        if path is None:
            return
        self.check_file(path)

    def check_file(self, path: Path) -> Job:
        """Read and check ``path`` as the chosen kind; the preview shows the result. Writes nothing."""
        kind = self.kind.currentData()

        def done(result: tuple[SheetData, ImportPlan]) -> None:
            self._sheet, plan = result
            self._show_plan(plan)

        self._show_plan(None)
        return self._run(check_sheet, kind, path, label=f"正在检查「{path.name}」…", on_finished=done)

    def _show_plan(self, plan: ImportPlan | None) -> None:
        self._plan = plan
        self.model.set_rows(plan.rows if plan else [])
        if plan is None:
            self._sheet = None
            self.summary.setText("选择表格类型，再选择要导入的表格文件。")
        else:
            self.summary.setText(self._plan_text(plan))
            # Refused rows first, since those are what the clerk has to act on.
            wanted = RowAction.REFUSE.value if plan.has_refusals else None
            self.filter.setCurrentIndex(max(self.filter.findData(wanted), 0))
        self._update_buttons()

    def _plan_text(self, plan: ImportPlan) -> str:
        label = KIND_LABELS[plan.kind]
        counts = (
            f"「{plan.source}」（{label}表）共 {len(plan.rows)} 行：将新增 {plan.count(RowAction.ADD)} 行，"
            f"更新 {plan.count(RowAction.UPDATE)} 行，{plan.count(RowAction.SAME)} 行不变，"
            f"{plan.count(RowAction.REFUSE)} 行不能导入。"
        )
        notes = "".join(f"\n提示：{w}" for w in plan.warnings)
        warned = sum(1 for row in plan.rows if row.warnings)
        if warned:
            notes += (
                f"\n请核对：{warned} 行可能与已有的服务对象是同一人（见「请核对」列），这些行仍会导入；"
                "如确是同一人，导入后可在「可能重复的服务对象」里并排比较并合并。"
            )
        if plan.has_refusals and not plan.to_write():
            advice = (
                "\n没有可以导入的行，也没有写入任何数据。请按拒绝原因改好表格（可先保存拒绝原因）后重新检查。"
            )
        elif plan.has_refusals:
            advice = (
                "\n还没有写入任何数据。请选择「全部不导入，先改表格」（可先保存拒绝原因），"
                "或「只导入正确的行」。"
            )
        elif plan.to_write():
            advice = "\n没有发现错误。点「全部导入」写入数据库。"
        else:
            advice = "\n表格里的内容都已在数据库中，没有需要导入的改动。"
        return counts + advice + notes

    def _update_buttons(self) -> None:
        plan = self._plan
        has_plan = plan is not None
        refused = bool(plan and plan.has_refusals)
        writable = bool(plan and plan.to_write())
        self.discard_button.setEnabled(has_plan)
        self.valid_only_button.setEnabled(refused and writable)
        self.import_all_button.setEnabled(writable and not refused)
        self.save_refusals_button.setEnabled(refused)
        self.filter.setEnabled(has_plan)

    def _on_discard_clicked(self) -> None:
        source = self._plan.source if self._plan else ""
        self._show_plan(None)
        self.summary.setText(f"没有导入「{source}」的任何数据。请按拒绝原因改好表格后，重新选择表格检查。")
        self.status_message.emit("没有导入任何数据。")

    def _start_import(self, valid_only: bool) -> Job | None:
        sheet = self._sheet
        if sheet is None:
            return None

        return self._run(
            import_sheet, sheet, False, valid_only, label=f"正在导入「{sheet.source}」…", on_finished=self._on_imported
        )

    def _on_imported(self, report: ImportReport) -> None:
        # run_op has told the views what the import wrote (OpResult.changes).
        self._show_plan(None)
        self.summary.setText(report.summary())
        self.status_message.emit(report.summary())
        self.inform("导入结果", report.summary())

    def _on_save_refusals_clicked(self) -> None:
        plan, sheet = self._plan, self._sheet
        if plan is None or sheet is None:
            return
        stem = Path(plan.source).stem
        path = self.ask_save_path("保存拒绝原因", f"{stem}_拒绝原因.xlsx")
        if path is None:
            return
        report = self.ctx.imports.preview_report(plan, sheet)
        try:
            report.save_xlsx(path)
        except OSError as exc:
            show_job_failure(
                self,
                f"无法保存「{path}」：{exc.strerror or exc}。文件可能正在 Excel 中打开，请关闭后重试。",
                False,
            )
            return
        self.status_message.emit(f"拒绝原因已保存：{path}")
        self.inform("保存拒绝原因", f"已保存到：\n{path}\n\n按其中的行号在原表格里改正后，重新导入。")

    # ---- export -------------------------------------------------------------------------------

    def _on_export_kind_changed(self) -> None:
        requests = self.export_kind.currentData() == "requests"
        self.month_check.setEnabled(requests)
        if not requests:
            self.month_check.setChecked(False)
        self.month.setEnabled(requests and self.month_check.isChecked())
        self._update_role_actions()

    def export_month(self) -> str | None:
        if not (self.month_check.isEnabled() and self.month_check.isChecked()):
            return None
        chosen = self.month.date()
        return f"{chosen.year()}-{chosen.month():02d}"

    def _on_export_clicked(self) -> None:
        kind = self.export_kind.currentData()
        label = KIND_LABELS[kind]
        month = self.export_month()
        suggested = f"{label}_{month or date.today().isoformat()}.xlsx"
        path = self.ask_save_path(f"导出{label}", suggested)
        if path is None:
            return
        full = self.full_check.isEnabled() and self.full_check.isChecked()

        def done(exported: Exported) -> None:
            text = f"已导出{label} {exported.rows} 行到：\n{path}"
            if exported.masked:
                text += "\n身份证号和电话只显示了一部分。"
            self.status_message.emit(text.replace("\n", ""))
            self.inform("导出", text)

        # Personal sheets are masked unless 「含完整的…」 is ticked (operations/exports.py decides).
        self._run(export_sheet, kind, path, month, full, label=f"正在导出{label}…", on_finished=done)
