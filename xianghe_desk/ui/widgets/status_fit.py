"""The status bar keeps room for its messages at every text size: labels that only inform (this
copy's name, the database file) step aside when the window is too narrow for them, and their text
moves into the tooltip of a label that stays (at 175 % 「文字大小：175%（Ctrl+0 恢复默认）」 was cut)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

# Room a message keeps, in characters of the status bar's font.
MESSAGE_CHARS = 22


class StatusBarFitter(QObject):
    """Shows the ``optional`` labels, in their order, while they fit beside ``always`` and a message
    of MESSAGE_CHARS characters; the texts of those that do not fit go to ``keeps``'s tooltip."""

    def __init__(
        self, bar: QStatusBar, always: list[QWidget], optional: list[QLabel], keeps: QWidget
    ) -> None:
        super().__init__(bar)
        self.bar = bar
        self.always = always
        self.optional = optional
        self.keeps = keeps
        self._tooltip = keeps.toolTip()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        bar.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.bar and event.type() in (QEvent.Type.Resize, QEvent.Type.FontChange):
            self._timer.start()
        return False

    def fit(self) -> None:
        """Show as many optional labels as leave room for a message (also after their texts change)."""
        em = self.bar.fontMetrics().horizontalAdvance("中")
        room = self.bar.width() - em * MESSAGE_CHARS
        needed = sum(w.sizeHint().width() + em for w in self.always if not w.isHidden())
        hidden: list[str] = []
        for label in self.optional:
            width = label.sizeHint().width() + em
            fits = not hidden and needed + width <= room
            label.setVisible(fits)
            if fits:
                needed += width
            elif label.text():
                hidden.append(label.text())
        self.keeps.setToolTip("\n".join([self._tooltip, *hidden]) if hidden else self._tooltip)
