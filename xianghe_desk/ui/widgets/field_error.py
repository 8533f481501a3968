"""Messages that sit right under the field they concern (ValidationError.problems carry field names).

Two kinds of form use them:
- ``FieldMessages`` of ``FieldError`` labels (the people and places dialogs, 设置): red errors,
  amber warnings and grey hints, so the service's answer and the live checks land in the same place;
- ``FormErrors`` of ``FieldMessage`` labels (受理登记 and the action dialogs built on FormDialog):
  one red message per field plus a general one for problems without a field of their own.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from xianghe_desk.ui.widgets.fmt import WARNING_SIGN
from xianghe_desk.ui.widgets.look import ALERT, set_text_colour

ERROR_STYLE = "color: #b3261e;"
WARNING_STYLE = "color: #8a5300;"
HINT_STYLE = "color: #4a5568;"


class FieldError(QLabel):
    """An inline message under a field. Words carry the meaning too (「✖」「⚠」), not only colour."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kind = ""
        self.hide()

    def set_error(self, message: str | None) -> None:
        self._show(message, "error")

    def set_warning(self, message: str | None) -> None:
        self._show(message, "warning")

    def set_hint(self, message: str | None) -> None:
        self._show(message, "hint")

    def clear_message(self) -> None:
        self._show(None, "")

    def is_error(self) -> bool:
        return self.kind == "error"

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        # Layouts of top-level dialogs size rows by minimum heights and ignore heightForWidth,
        # which clips a wrapped message; asking for its wrapped height as a minimum fixes that.
        needed = self.heightForWidth(self.width()) if self.text() else 0
        if needed > 0 and needed != self.minimumHeight():
            self.setMinimumHeight(needed)

    def _show(self, message: str | None, kind: str) -> None:
        if not message:
            self.kind = ""
            self.setText("")
            self.hide()
            return
        self.kind = kind
        mark, style = {
            "error": ("✖ ", ERROR_STYLE),
            "warning": ("⚠ ", WARNING_STYLE),
            "hint": ("", HINT_STYLE),
        }[kind]
        self.setStyleSheet(style)
        self.setText(mark + message)
        self.show()
        self._fit_height()


class FieldMessages:
    """The dialog's inline messages by field name."""

    def __init__(self) -> None:
        self.labels: dict[str, FieldError] = {}

    def add(self, field: str, parent: QWidget | None = None) -> FieldError:
        label = FieldError(parent)
        self.labels[field] = label
        return label

    def add_under(self, field: str, widget: QWidget) -> QWidget:
        """``widget`` with the message for ``field`` right under it, as one form cell."""
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        column.addWidget(self.add(field, box))
        return box

    def add_row(self, form: QFormLayout, label: str, widget: QWidget, field: str | None = None) -> None:
        """A form row: the widget, and right under it (across the whole form, so that a long
        message has room to wrap) the message for ``field``."""
        form.addRow(label, widget)
        if field is not None:
            form.addRow(self.add(field))

    def __getitem__(self, field: str) -> FieldError:
        return self.labels[field]

    def has_errors(self) -> bool:
        return any(label.is_error() for label in self.labels.values())

    def errors(self) -> dict[str, str]:
        return {name: label.text() for name, label in self.labels.items() if label.is_error()}

    def show_problems(self, problems: list[tuple[str | None, str]], fallback: str) -> list[str]:
        """Put each (field, message) under its field; returns the messages that have no field here."""
        loose = []
        for field, message in problems:
            label = self.labels.get(field or "") or self.labels.get(fallback)
            if label is None:
                loose.append(message)
            else:
                label.set_error(message)
        return loose

    def show_only(self, problems: list[tuple[str | None, str]], fallback: str, general: FieldError) -> None:
        """Replace the errors shown before by ``problems``; those without a field here go to ``general``."""
        for label in self.labels.values():
            if label.is_error():
                label.clear_message()
        loose = self.show_problems(problems, fallback)
        general.set_error("；".join(loose) if loose else None)


def save_cancel_buttons() -> QDialogButtonBox:
    """「保存」 and 「取消」, as every edit dialog has them."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
    return buttons


class FieldMessage(QLabel):
    """A red message with a 「⚠」 in front (not colour alone), hidden while empty; wraps long text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        set_text_colour(self, ALERT)
        self.setVisible(False)
        self.message = ""

    def show_message(self, message: str) -> None:
        self.message = message
        self.setText(f"{WARNING_SIGN} {message}" if message else "")
        self.setVisible(bool(message))

    def clear_message(self) -> None:
        self.show_message("")


class FormErrors:
    """The messages of one form: ``show(problems)`` puts each next to its field, the rest in ``general``."""

    def __init__(self, general: FieldMessage) -> None:
        self.general = general
        self.fields: dict[str, FieldMessage] = {}
        self.widgets: dict[str, QWidget] = {}

    def add(self, field: str, message: FieldMessage, widget: QWidget | None = None, *aliases: str) -> None:
        for name in (field, *aliases):
            self.fields[name] = message
            if widget is not None:
                self.widgets[name] = widget

    def clear(self) -> None:
        self.general.clear_message()
        for message in set(self.fields.values()):
            message.clear_message()

    def show(self, problems: Iterable[tuple[str | None, str]]) -> QWidget | None:
        """Show every problem; returns the widget of the first one placed (to give it focus)."""
        self.clear()
        collected: dict[int, list[str]] = {}
        targets: dict[int, FieldMessage] = {}
        first: QWidget | None = None
        for field, text in problems:
            target = self.fields.get(field or "", self.general)
            targets[id(target)] = target
            collected.setdefault(id(target), []).append(text)
            if first is None and field in self.widgets:
                first = self.widgets[field]
        for key, texts in collected.items():
            targets[key].show_message("".join(dict.fromkeys(texts)))
        return first

    def message_for(self, field: str) -> str:
        target = self.fields.get(field)
        return target.message if target is not None else ""
