"""The 设置 screen: the editable lists, the due-time rules and who and where this copy is."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain.access import Permission
from xianghe_desk.domain.enums import LookupKind
from xianghe_desk.domain.models import DueRules, LookupItem
from xianghe_desk.operations import settings as settings_ops
from xianghe_desk.operations.base import OpResult
from xianghe_desk.services.settings import (
    DEVICE_NAME_MAX,
    DUE_LIMITS,
    OPERATOR_MAX,
    Identity,
    SettingsService,
    check_due_rules,
)
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.dialogs.lookup_dialog import LookupDialog
from xianghe_desk.ui.errors import show_warning
from xianghe_desk.ui.models.lookups import LookupTableModel
from xianghe_desk.ui.operations import run_op
from xianghe_desk.ui.pages.accounts import AccountsPanel
from xianghe_desk.ui.pages.backup_panel import BackupPanel
from xianghe_desk.ui.pages.residents import page_title
from xianghe_desk.ui.pages.settings_visits import HolidaysTab, VisitIntervalsTab
from xianghe_desk.ui.roles import allow
from xianghe_desk.ui.widgets.combos import fill_combo, set_combo_value
from xianghe_desk.ui.widgets.field_error import FieldError, FieldMessages
from xianghe_desk.ui.widgets.header_state import HeaderMemory
from xianghe_desk.ui.widgets.look import MUTED, set_text_colour
from xianghe_desk.ui.widgets.table import DeskTableView

COUNTY_WIDE = "全县（不限定镇）"
LIST_HELP = (
    "上下移动决定登记工单时的排列顺序。「停用」后登记新工单时不再出现，已有工单和统计照常显示它；"
    "「删除」只能用于从没用过的项，用过的项请停用。"
)
DUE_HELP = (
    "新登记的工单按这里的规则计算办理时限；已经登记的工单时限不变。"
    "代办服务按国家公布的节假日和调休计算工作日。"
)


class LookupTab(QWidget):
    """One editable list with its buttons. Changes are operations run through the page's ``run``."""

    def __init__(self, page: SettingsPage, kind: LookupKind) -> None:
        super().__init__(page)
        self.page = page
        self.ctx = page.ctx
        self.kind = kind
        self.model = LookupTableModel(kind, self)
        self.table = DeskTableView(self, multi_select=False)
        self.table.setModel(self.model)
        HeaderMemory(self.table, None, [c.width for c in self.model.columns])
        self.table.open_requested.connect(lambda _i: self.rename())
        self.add_button = QPushButton("新增…")
        self.rename_button = QPushButton("修改…")
        self.up_button = QPushButton("上移")
        self.down_button = QPushButton("下移")
        self.active_button = QPushButton("停用")
        self.delete_button = QPushButton("删除")
        self.add_button.clicked.connect(self.add)
        self.rename_button.clicked.connect(self.rename)
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button.clicked.connect(lambda: self.move_current(1))
        self.active_button.clicked.connect(self.toggle_active)
        self.delete_button.clicked.connect(self.delete)
        self.message = FieldError(self)
        help_text = QLabel(LIST_HELP)
        help_text.setWordWrap(True)
        set_text_colour(help_text, MUTED)
        buttons = QVBoxLayout()
        for button in (
            self.add_button,
            self.rename_button,
            self.up_button,
            self.down_button,
            self.active_button,
            self.delete_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.table, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(self.message)
        layout.addWidget(help_text)
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._update_buttons())
        self.reload()

    def reload(self, keep: str | None = None) -> None:
        current = self.current()
        keep = keep or (current.code if current else None)
        self.model.set_items(self.page.settings.lookups(self.kind.value))
        self.model.set_usage(None)
        kind = self.kind.value
        self.ctx.read(
            lambda ws, _job: SettingsService(ws).usage_counts(kind),
            self.model.set_usage,
            lambda message, _bug: self.message.set_warning(f"没能统计使用次数：{message}"),
            name="lookup_usage",
        )
        row = self.model.row_of(keep) if keep else None
        if row is not None:
            self.table.selectRow(row)
        self._update_buttons()

    def current(self) -> LookupItem | None:
        index = self.table.currentIndex()
        return self.model.item(index.row()) if index.isValid() else None

    def _update_buttons(self) -> None:
        item = self.current()
        who = self.ctx.who
        # The lists are the county's: administrators only (the operations refuse anyway).
        allow(self.add_button, who, Permission.SETTINGS)
        for button in (
            self.rename_button,
            self.up_button,
            self.down_button,
            self.active_button,
            self.delete_button,
        ):
            allow(button, who, Permission.SETTINGS, enabled=item is not None)
        self.active_button.setText("启用" if item is not None and not item.active else "停用")

    def _need_item(self) -> LookupItem | None:
        item = self.current()
        if item is None:
            self.message.set_warning(f"请先在列表中选中一项{self.kind.label}。")
        return item

    def add(self) -> None:
        taken = {i.name for i in self.model.items}
        entry = LookupDialog.ask(self, self.kind, None, taken)
        if entry is None:
            return
        self.page.run(
            settings_ops.add_lookup,
            self.kind.value,
            entry.name,
            entry.group_code,
            done=f"已新增「{entry.name}」。",
            tab=self,
            keep=lambda item: item.code,
        )

    def rename(self) -> None:
        item = self._need_item()
        if item is None:
            return
        taken = {i.name for i in self.model.items}
        entry = LookupDialog.ask(self, self.kind, item, taken)
        if entry is None:
            return
        kind, code = self.kind.value, item.code
        done = f"已修改「{entry.name}」。"
        regroup = kind == LookupKind.CATEGORY.value and entry.group_code != item.group_code

        def set_group(_value: object = None) -> None:
            self.page.run(
                settings_ops.set_lookup_group,
                kind,
                code,
                entry.group_code,
                done=done,
                tab=self,
                keep=lambda _v: code,
            )

        if entry.name != item.name:
            # Two named changes, two audit rows: the new name, then (for a category) its group.
            self.page.run(
                settings_ops.rename_lookup,
                kind,
                code,
                entry.name,
                done="" if regroup else done,
                tab=self,
                keep=lambda _v: code,
                then=set_group if regroup else None,
            )
        elif regroup:
            set_group()

    def move_current(self, delta: int) -> None:
        """Move the chosen entry ``delta`` places up (negative) or down in the list."""
        item = self._need_item()
        if item is not None:
            code = item.code
            self.page.run(
                settings_ops.move_lookup,
                self.kind.value,
                code,
                delta,
                done="",
                tab=self,
                keep=lambda _v: code,
            )

    def toggle_active(self) -> None:
        item = self._need_item()
        if item is None:
            return
        kind, code, active = self.kind.value, item.code, not item.active
        done = (
            f"已启用「{item.name}」。"
            if active
            else f"已停用「{item.name}」：登记新工单时不再出现，已有工单不受影响。"
        )
        self.page.run(
            settings_ops.set_lookup_active, kind, code, active, done=done, tab=self, keep=lambda _v: code
        )

    def delete(self) -> None:
        item = self._need_item()
        if item is None:
            return
        self.page.run(
            settings_ops.delete_lookup, self.kind.value, item.code, done=f"已删除「{item.name}」。", tab=self
        )


class SettingsPage(QWidget):
    """Every change is an operation (operations/settings.py) run through ``run_op``, which emits
    ``ctx.events.settings_changed``.

    Signals:
    status_message(str): a line for the window's status bar (「已保存」).
    """

    status_message = Signal(str)

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        # Reads on the UI thread (a few small rows); changes are operations on the writer thread.
        self.settings = ctx.settings
        self.tabs = QTabWidget()
        # Each tab is built the first time it is shown (issue #13: building all ten at once held
        # the UI thread 110–550 ms); until then it is an empty holder. ``tab(section)`` builds one.
        self.lists: dict[LookupKind, LookupTab] = {}
        self.backup_panel: BackupPanel | None = None
        self.intervals_tab: VisitIntervalsTab | None = None
        self.holidays_tab: HolidaysTab | None = None
        self.accounts_panel: AccountsPanel | None = None
        self._builders: dict[str, Callable[[], QWidget]] = {}
        self._holders: dict[str, QWidget] = {}
        self._built: dict[str, QWidget] = {}
        for kind in LookupKind:
            self._add_tab(kind.value, kind.label, partial(self._build_list, kind))
        self._add_tab("due", "办理时限", self._init_due_tab)
        self._add_tab("device", "本机", self._init_identity_tab)
        self._add_tab("backup", "备份与恢复", self._build_backup)
        # Care visits (issue #11): the tags' intervals, and holidays for years not yet bundled.
        self._add_tab("intervals", "走访周期", self._build_intervals)
        self._add_tab("holidays", "节假日", self._build_holidays)
        # 账号管理 for administrators (the account operations refuse everyone else anyway).
        if ctx.who.may(Permission.ACCOUNTS) and ctx.who.has_account:
            self._add_tab("accounts", "账号管理", self._build_accounts)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self._on_tab_changed(self.tabs.currentIndex())
        layout = QVBoxLayout(self)
        layout.addWidget(page_title("设置"))
        layout.addWidget(self.tabs, 1)
        ctx.events.settings_changed.connect(self._on_settings_changed)
        ctx.events.places_changed.connect(self._on_places_changed)

    # ---------------------------------------------------------------- tabs, built on first show
    def _add_tab(self, section: str, label: str, build: Callable[[], QWidget]) -> None:
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        self._builders[section] = build
        self._holders[section] = holder
        self.tabs.addTab(holder, label)

    def sections(self) -> list[str]:
        """The tabs' names, in order ("channel", …, "due", "device", "backup", …)."""
        return list(self._holders)

    def tab(self, section: str) -> QWidget:
        """The tab named ``section``, built now if it has not been shown yet."""
        built = self._built.get(section)
        if built is None:
            built = self._built[section] = self._builders[section]()
            holder_column = self._holders[section].layout()
            assert holder_column is not None
            holder_column.addWidget(built)
        return built

    def open_tab(self, section: str) -> QWidget:
        """Show the tab named ``section`` (building it) and return it."""
        self.tabs.setCurrentWidget(self._holders[section])
        return self.tab(section)

    def _on_tab_changed(self, index: int) -> None:
        holder = self.tabs.widget(index)
        for section, candidate in self._holders.items():
            if candidate is holder:
                self.tab(section)
                return

    def _build_list(self, kind: LookupKind) -> QWidget:
        tab = self.lists[kind] = LookupTab(self, kind)
        return tab

    def _build_backup(self) -> QWidget:
        panel = self.backup_panel = BackupPanel(self.ctx, self)
        panel.status_message.connect(self.status_message)
        return panel

    def _build_intervals(self) -> QWidget:
        tab = self.intervals_tab = VisitIntervalsTab(self)
        return tab

    def _build_holidays(self) -> QWidget:
        tab = self.holidays_tab = HolidaysTab(self)
        return tab

    def _build_accounts(self) -> QWidget:
        panel = self.accounts_panel = AccountsPanel(self.ctx, self)
        panel.status_message.connect(self.status_message)
        return panel

    # ---------------------------------------------------------------- writes
    def run(
        self,
        operation: Callable[..., OpResult[Any]],
        *args: Any,
        done: str,
        tab: LookupTab | None = None,
        target: FieldError | None = None,
        keep: Callable[[Any], str | None] | None = None,
        then: Callable[[Any], None] | None = None,
    ) -> None:
        """Run a settings operation; the outcome is shown in ``target`` (the list's message line
        for a list). ``keep(value)`` names the list entry to keep chosen; ``then(value)`` runs next."""
        target = tab.message if tab is not None else target

        def finished(result: Any) -> None:
            # run_op has emitted settings_changed.
            if target is not None:
                target.set_hint(done or None)
            if done:
                self.status_message.emit(done)
            if tab is not None:
                tab.reload(keep=keep(result) if keep is not None else None)
            if then is not None:
                then(result)

        def failed(message: str, is_bug: bool) -> None:
            if target is not None and not is_bug:
                target.set_error(message)
            else:
                show_warning(self, message, "没有保存")

        run_op(self.ctx, self, operation, *args, on_done=finished, on_failed=failed)

    # ---------------------------------------------------------------- due-time rules
    def _init_due_tab(self) -> QWidget:
        self.due_messages = FieldMessages()
        self.due_boxes: dict[str, QSpinBox] = {}
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        suffixes = {"urgent_hours": " 小时", "normal_hours": " 小时", "agent_workdays": " 个工作日"}
        for field, label, low, high in DUE_LIMITS:
            box = QSpinBox()
            # A little beyond the limits, so that a wrong value gets its message, not a silent clamp.
            box.setRange(0, high * 2)
            box.setSuffix(suffixes[field])
            box.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 9)
            box.setMaximumWidth(self.fontMetrics().horizontalAdvance("中") * 12)
            box.valueChanged.connect(lambda _v: self._check_due())
            self.due_boxes[field] = box
            form.addRow(label.split("（")[0] + f"（{low}–{high}）", self.due_messages.add_under(field, box))
        self.due_save = QPushButton("保存办理时限")
        self.due_save.clicked.connect(self._on_due_save_clicked)
        self.due_status = FieldError(self)
        help_text = QLabel(DUE_HELP)
        help_text.setWordWrap(True)
        group = QGroupBox("办理时限")
        group.setMaximumWidth(self.fontMetrics().horizontalAdvance("中") * 50)
        column = QVBoxLayout(group)
        column.addLayout(form)
        column.addWidget(help_text)
        row = QHBoxLayout()
        row.addWidget(self.due_save)
        row.addStretch(1)
        column.addLayout(row)
        column.addWidget(self.due_status)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(group)
        layout.addStretch(1)
        self._load_due()
        return tab

    def _load_due(self) -> None:
        rules = self.settings.due_rules()
        for field, box in self.due_boxes.items():
            box.blockSignals(True)
            box.setValue(getattr(rules, field))
            box.blockSignals(False)
        self._check_due()

    def due_rules(self) -> DueRules:
        return DueRules(**{field: box.value() for field, box in self.due_boxes.items()})

    def _check_due(self) -> bool:
        problems = dict(check_due_rules(self.due_rules()))
        for field in self.due_boxes:
            self.due_messages[field].set_error(problems.get(field))
        allow(self.due_save, self.ctx.who, Permission.SETTINGS, enabled=not problems)
        self.due_status.clear_message()
        return not problems

    def _on_due_save_clicked(self) -> None:
        if not self._check_due():
            return
        rules = self.due_rules()
        done = (
            f"已保存办理时限：紧急 {rules.urgent_hours} 小时，一般 {rules.normal_hours} 小时，"
            f"代办 {rules.agent_workdays} 个工作日。"
        )
        self.run(settings_ops.set_due_rules, rules, done=done, target=self.due_status)

    # ---------------------------------------------------------------- this copy
    def _fit_device_tag_font(self) -> None:
        """The tag in large monospace, 1.6 × the page's text (refitted when Ctrl+= changes it)."""
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSizeF(self.font().pointSizeF() * 1.6)
        font.setBold(True)
        self.device_tag.setFont(font)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and hasattr(self, "device_tag"):
            self._fit_device_tag_font()

    def _init_identity_tab(self) -> QWidget:
        self.identity_messages = FieldMessages()
        self.town = QComboBox()
        self.device_name = QLineEdit()
        self.device_name.setMaxLength(DEVICE_NAME_MAX + 10)
        self.device_name.setPlaceholderText("如：淑阳镇政府文员电脑")
        self.operator = QLineEdit()
        self.operator.setMaxLength(OPERATOR_MAX + 10)
        self.operator.setPlaceholderText("每条办理记录都会记下操作员")
        self.device_tag = QLabel()
        self._fit_device_tag_font()
        self.device_tag.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tag_help = QLabel()
        self.tag_help.setWordWrap(True)
        set_text_colour(self.tag_help, MUTED)
        self.identity_save = QPushButton("保存本机信息")
        self.identity_save.clicked.connect(self._on_identity_save_clicked)
        allow(self.identity_save, self.ctx.who, Permission.SETTINGS)
        self.identity_status = FieldError(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for label, widget, field, hint in (
            (
                "本机所属镇",
                self.town,
                "town",
                "窗口标题和打印的报表抬头显示这个镇；县里汇总用的电脑选「全县」。",
            ),
            ("本机名称", self.device_name, "device_name", "交换数据时靠它认出这台电脑。"),
            ("操作员", self.operator, "operator", "登记、派单、办结等每条记录都会记下操作员姓名。"),
        ):
            holder = self.identity_messages.add_under(field, widget)
            note = QLabel(hint)
            note.setWordWrap(True)
            set_text_colour(note, MUTED)
            holder_column = holder.layout()
            assert holder_column is not None  # add_under lays the box out as one column
            holder_column.addWidget(note)
            form.addRow(label, holder)
        tag_box = QWidget()
        column = QVBoxLayout(tag_box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.device_tag)
        column.addWidget(self.tag_help)
        form.addRow("本机编号", tag_box)
        box = QGroupBox("本机")
        box.setMaximumWidth(self.fontMetrics().horizontalAdvance("中") * 50)
        column = QVBoxLayout(box)
        column.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(self.identity_save)
        row.addStretch(1)
        column.addLayout(row)
        column.addWidget(self.identity_status)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(box)
        layout.addStretch(1)
        self._load_identity()
        return tab

    def _load_identity(self) -> None:
        identity = self.settings.identity()
        fill_combo(self.town, ((t.name, t.id) for t in self.ctx.places.towns()), COUNTY_WIDE, keep=False)
        set_combo_value(self.town, identity.town.id if identity.town else None)
        self.device_name.setText(identity.device.name)
        self.operator.setText(identity.operator)
        tag = identity.device.tag
        prefix = identity.town.code[-3:] if identity.town else "100"
        self.device_tag.setText(tag)
        self.tag_help.setText(
            f"本机登记的每张工单，编号中间都有这 4 位本机编号（如 {prefix}-{tag}-2611-0042），"
            "各台电脑的编号互不相同，所以不联网也不会编出重复的工单号。"
            "本机编号在第一次使用时自动生成，不能修改；乡镇给村里的笔记本登记时会核对它。"
        )

    def _on_identity_save_clicked(self) -> None:
        town_id = self.town.currentData()
        device_name, operator = self.device_name.text(), self.operator.text()
        for label in self.identity_messages.labels.values():
            label.clear_message()
        self.identity_status.clear_message()
        problems = self.settings.identity_problems(town_id, device_name, operator)
        if problems:
            self.identity_messages.show_problems(list(problems), fallback="device_name")
            return

        def finished(identity: Identity) -> None:
            # Without accounts the desk's own workspace and jobs record the new operator from now
            # on; a signed-in account stays the one acting (operations/settings.set_identity).
            self.ctx.operator_changed(identity.operator)
            self.identity_status.set_hint("已保存本机信息。")
            self.status_message.emit("已保存本机信息。")

        def failed(message: str, is_bug: bool) -> None:
            if is_bug:
                show_warning(self, message, "没有保存")
            else:
                self.identity_status.set_error(message)

        run_op(
            self.ctx,
            self,
            settings_ops.set_identity,
            town_id,
            device_name,
            operator,
            on_done=finished,
            on_failed=failed,
        )

    # ---------------------------------------------------------------- navigation
    def activate(self, **kwargs: Any) -> None:
        """``section``: "channel" / "category" / "method" / "due" / "device" / "backup" / "intervals" /
        "holidays" / "accounts" opens that tab."""
        section = kwargs.get("section")
        if isinstance(section, str) and section in self._holders:
            self.open_tab(section)

    def _on_settings_changed(self) -> None:
        if self.intervals_tab is not None:
            self.intervals_tab.load()
        for tab in self.lists.values():
            tab.model.set_items(self.settings.lookups(tab.kind.value))
        if "due" in self._built:
            self._load_due()

    def _on_places_changed(self) -> None:
        if "device" in self._built:
            self._load_identity()
