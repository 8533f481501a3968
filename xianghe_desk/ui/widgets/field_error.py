"""Messages that sit right under the field they concern: red for errors, amber for warnings.

A dialog keeps one ``FieldMessages`` that maps field names (as used by ValidationError.problems)
to labels, so the service's answer and the live checks land in the same place.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

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
