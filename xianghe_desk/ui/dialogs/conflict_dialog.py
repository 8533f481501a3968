"""One conflict, both values side by side: 保留本机 or 采用对方."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.services.conflicts import KEEP_MINE, KEEP_THEIRS, ConflictView


class ConflictDialog(QDialog):
    def __init__(self, view: ConflictView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.choice: str | None = None
        self.setWindowTitle("两边都改过的内容")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self._init_text()
        self._init_sides()
        self._init_buttons()
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("字") * 46)

    def _init_text(self) -> None:
        self._layout = QVBoxLayout(self)
        kind = (
            "一边删除了这条记录，另一边同时修改了它"
            if self.view.kind == "delete"
            else "两边同时修改了同一项内容"
        )
        intro = QLabel(
            f"<b>{self.view.title}</b> · {self.view.field}<br>{kind}（发现于 {self.view.detected_at}）。"
            "请决定保留哪一个；没有选中的值仍记在冲突记录里，不会丢失。",
            self,
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        self._layout.addWidget(intro)

    def _init_sides(self) -> None:
        grid = QGridLayout()
        for column, (title, source, text, current) in enumerate(
            (
                ("本机", self.view.mine_from, self.view.mine, self.view.current_is_mine),
                ("对方", self.view.theirs_from, self.view.theirs, not self.view.current_is_mine),
            )
        ):
            origin = "" if source == "本机" else (f"（{source}）" if title == "对方" else f"（来自{source}）")
            box = QGroupBox(title + origin + ("· 现在的值" if current else ""), self)
            inner = QVBoxLayout(box)
            label = QLabel(text, box)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setObjectName(f"side_{column}")
            inner.addWidget(label)
            grid.addWidget(box, 0, column)
        self._layout.addLayout(grid)

    def _init_buttons(self) -> None:
        buttons = QDialogButtonBox(self)
        self.mine_button = QPushButton("保留本机(&M)", self)
        self.theirs_button = QPushButton("采用对方(&T)", self)
        later = buttons.addButton("以后再说", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.addButton(self.mine_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.theirs_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.mine_button.clicked.connect(lambda: self._choose(KEEP_MINE))
        self.theirs_button.clicked.connect(lambda: self._choose(KEEP_THEIRS))
        later.clicked.connect(self.reject)
        self.mine_button.setDefault(True)
        self._layout.addWidget(buttons)

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()

    @classmethod
    def decide(cls, parent: QWidget | None, view: ConflictView) -> str | None:
        """``mine``, ``theirs`` or None (decide later)."""
        dialog = cls(view, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.choice
