"""Validation messages placed next to the field they concern (ValidationError.problems carry field names)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import QLabel, QWidget

from xianghe_desk.ui.widgets.fmt import WARNING_SIGN
from xianghe_desk.ui.widgets.look import ALERT, set_text_colour


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
