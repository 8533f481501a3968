"""Name (and, for a 问题类别, group) of one entry of the editable lists."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain.enums import CategoryGroup, LookupKind
from xianghe_desk.domain.models import LookupItem
from xianghe_desk.domain.validators import normalize_text
from xianghe_desk.services.settings import LOOKUP_NAME_MAX
from xianghe_desk.ui.widgets.combos import set_combo_value
from xianghe_desk.ui.widgets.field_error import FieldMessages, save_cancel_buttons

# The groups the county reports on; 「其他」 exists in the data but is not offered for new entries.
GROUPS = (CategoryGroup.AGENT, CategoryGroup.HOME, CategoryGroup.GOVERNANCE)
GROUP_HINTS = {
    CategoryGroup.AGENT: "代办服务按工作日计算办理时限",
    CategoryGroup.HOME: "上门服务计入月度汇总的上门服务次数",
    CategoryGroup.GOVERNANCE: "治理诉求计入七类治理事项的统计",
}


@dataclass(frozen=True)
class LookupEntry:
    name: str
    group_code: str = ""


class LookupDialog(QDialog):
    def __init__(
        self, parent: QWidget | None, kind: LookupKind, item: LookupItem | None, taken: set[str]
    ) -> None:
        super().__init__(parent)
        self.kind = kind
        self.item = item
        self.taken = taken - ({item.name} if item else set())
        self.result_entry: LookupEntry | None = None
        self.messages = FieldMessages()
        self.setWindowTitle(f"修改{kind.label}" if item else f"新增{kind.label}")
        self.name = QLineEdit(item.name if item else "")
        self.name.setMaxLength(LOOKUP_NAME_MAX + 10)
        self.name.textChanged.connect(self._check)
        self.group = QComboBox()
        for group in GROUPS:
            self.group.addItem(f"{group.label}（{GROUP_HINTS[group]}）", group.value)
        if item is not None and item.group_code:
            if not set_combo_value(self.group, item.group_code):
                self.group.addItem(CategoryGroup.OTHER.label, item.group_code)
                self.group.setCurrentIndex(self.group.count() - 1)
        self.buttons = save_cancel_buttons()
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.name)
        column.addWidget(self.messages.add("name", box))
        form.addRow("名称 *", box)
        if kind is LookupKind.CATEGORY:
            form.addRow("分组", self.group)
        layout = QVBoxLayout(self)
        if item is not None:
            note = QLabel("改名后，已登记的工单和报表会显示新名称。")
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 30)

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        kind: LookupKind,
        item: LookupItem | None = None,
        taken: set[str] | None = None,
    ) -> LookupEntry | None:
        """The name (and group) typed, or None; ``taken`` holds the names already in the list."""
        dialog = cls(parent, kind, item, taken or set())
        try:
            return dialog.result_entry if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    def _problem(self) -> str | None:
        name = normalize_text(self.name.text())
        if not name:
            return f"请填写{self.kind.label}的名称。"
        if len(name) > LOOKUP_NAME_MAX:
            return f"名称太长（{len(name)} 个字），请精简到 {LOOKUP_NAME_MAX} 字以内。"
        if any(mark in name for mark in "、,，;；"):
            return "名称里不能有顿号、逗号或分号：表格里用它们分隔多个值。"
        if name in self.taken:
            return f"{self.kind.label}里已有「{name}」，不能重名。"
        return None

    def _check(self) -> None:
        message = self._problem() if self.name.text().strip() else None
        self.messages["name"].set_error(message)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(message is None)

    def accept(self) -> None:
        message = self._problem()
        if message is not None:
            self.messages["name"].set_error(message)
            return
        group = self.group.currentData() if self.kind is LookupKind.CATEGORY else ""
        self.result_entry = LookupEntry(normalize_text(self.name.text()), group or "")
        super().accept()
