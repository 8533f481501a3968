"""Base of the small action dialogs: a form, messages next to fields, OK that re-checks before closing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.ui.widgets.field_error import FieldMessage, FormErrors


class FormDialog(QDialog):
    """Subclasses add rows with ``add_field`` and implement ``problems()``; ``accept()`` stays open
    while there are problems (Picard's options ``check()``), showing each next to its field."""

    def __init__(
        self, title: str, intro: str = "", parent: QWidget | None = None, ok_text: str = "确定"
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        if intro:
            label = QLabel(intro, self)
            label.setWordWrap(True)
            layout.addWidget(label)
        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        layout.addLayout(self.form)
        self.general_message = FieldMessage(self)
        layout.addWidget(self.general_message)
        self.errors = FormErrors(self.general_message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("字") * 34)

    def add_field(self, name: str, label: str, widget: QWidget) -> FieldMessage:
        """A labelled row with its own message line below the widget."""
        widget.setSizePolicy(QSizePolicy.Policy.Expanding, widget.sizePolicy().verticalPolicy())
        holder = QWidget(self)
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        message = FieldMessage(holder)
        column.addWidget(message)
        self.form.addRow(label, holder)
        self.errors.add(name, message, widget)
        return message

    def problems(self) -> list[tuple[str | None, str]]:
        return []

    def accept(self) -> None:
        problems = self.problems()
        if problems:
            first = self.errors.show(problems)
            if first is not None:
                first.setFocus()
            return
        self.errors.clear()
        super().accept()
