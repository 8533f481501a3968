"""Combo boxes on lookup lists: values carried as item data, and a searchable variant for long lists."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget


def fill_combo(
    combo: QComboBox, items: Iterable[tuple[str, Any]], none_label: str | None = None, keep: bool = True
) -> None:
    """Replace the entries with ``(text, value)`` pairs, an optional「不限」entry (value None) first.

    With ``keep`` the previously chosen value stays chosen when it is still in the list.
    """
    previous = combo.currentData() if keep else None
    combo.blockSignals(True)
    try:
        combo.clear()
        if none_label is not None:
            combo.addItem(none_label, None)
        for text, value in items:
            combo.addItem(text, value)
        index = combo.findData(previous) if previous is not None else -1
        combo.setCurrentIndex(index if index >= 0 else 0 if combo.count() else -1)
    finally:
        combo.blockSignals(False)


def set_combo_value(combo: QComboBox, value: Any) -> bool:
    """Choose the entry carrying ``value``; False (and the first entry) when there is none."""
    index = combo.findData(value) if value is not None else 0
    if index < 0:
        combo.setCurrentIndex(0 if combo.count() else -1)
        return False
    combo.setCurrentIndex(index)
    return True


def combo_value(combo: QComboBox) -> Any:
    return combo.currentData()


class SearchableComboBox(QComboBox):
    """A combo for long lists (grid members, villages): type any part of a name to narrow it.

    The text typed is only a search; the value is always one of the entries, and leaving the
    field with text that matches nothing puts the chosen entry's text back.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Called before the clerk uses the list (focus, the list opened): a long list can be
        # read then rather than when its screen is built.
        self.before_use: Callable[[], None] | None = None
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = QCompleter(self)
        completer.setModel(self.model())
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        # PySide6's stubs lack SignalInstance.__getitem__, which picks one of an overloaded signal's signatures
        completer.activated[str].connect(self._on_completer_activated)  # type: ignore[index]
        self.setCompleter(completer)
        line_edit = self.lineEdit()
        assert line_edit is not None  # setEditable(True) above gave the combo its line edit
        line_edit.installEventFilter(self)

    def _on_completer_activated(self, text: str) -> None:
        index = self.findText(text, Qt.MatchFlag.MatchExactly)
        if index >= 0:
            self.setCurrentIndex(index)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.lineEdit():
            if event.type() == QEvent.Type.FocusOut:
                self._restore_text()
            elif event.type() == QEvent.Type.FocusIn and self.before_use is not None:
                self.before_use()
        return super().eventFilter(watched, event)

    def showPopup(self) -> None:  # noqa: N802
        if self.before_use is not None:
            self.before_use()
        super().showPopup()

    def _restore_text(self) -> None:
        index = self.findText(self.currentText(), Qt.MatchFlag.MatchExactly)
        if index >= 0:
            if index != self.currentIndex():
                self.setCurrentIndex(index)
        elif self.currentIndex() >= 0:
            self.setEditText(self.itemText(self.currentIndex()))
