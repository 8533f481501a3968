"""The search box: searches as you type (debounced), and Enter submits at once (barcode scanners)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QKeyEvent, QShowEvent
from PySide6.QtWidgets import QLineEdit, QWidget

DEBOUNCE_MS = 300


class SearchBox(QLineEdit):
    """Signals:
    search_changed(str): the text, once typing has paused for ``DEBOUNCE_MS``.
    submitted(str): Enter was pressed (a USB scanner types a work-order number and presses Enter).
    """

    search_changed = Signal(str)
    submitted = Signal(str)

    def __init__(
        self, parent: QWidget | None = None, placeholder: str = "", delay_ms: int = DEBOUNCE_MS
    ) -> None:
        super().__init__(parent)
        self.setClearButtonEnabled(True)
        self.setPlaceholderText(placeholder)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.textChanged.connect(self._on_text_changed)
        self._last_emitted = ""
        self._waiting_when_hidden = False

    def _on_text_changed(self, _text: str) -> None:
        self._timer.start()

    def _on_timer_timeout(self) -> None:
        self.flush()

    def flush(self) -> None:
        """Emit search_changed now if the text differs from what was last searched."""
        self._timer.stop()
        text = self.text().strip()
        if text != self._last_emitted:
            self._last_emitted = text
            self.search_changed.emit(text)

    def set_text_quietly(self, text: str) -> None:
        """Put text in the box as if it had been searched already (restoring a saved filter)."""
        self.blockSignals(True)
        self.setText(text)
        self.blockSignals(False)
        self._timer.stop()
        self._last_emitted = text.strip()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._timer.stop()
            self.submitted.emit(self.text().strip())
            event.accept()
            return
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            event.accept()
            return
        super().keyPressEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        """A search still waiting for the pause waits until the box is shown again: its page (or
        the window, with the database about to close) is going away now."""
        self._waiting_when_hidden = self._timer.isActive()
        self._timer.stop()
        super().hideEvent(event)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._waiting_when_hidden:
            self._waiting_when_hidden = False
            self._timer.start()
