"""HeaderMemory widens a list's columns for what it shows; rows arriving below what the view shows
(a long list's count, after its first block) are not measured again (issue #13)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import QTableView

from xianghe_desk.ui.widgets import header_state
from xianghe_desk.ui.widgets.header_state import HeaderMemory


class _Rows(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.texts = ["短"] * 50

    def rowCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.texts)

    def columnCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else 2

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and index.isValid():
            return self.texts[index.row()]
        return None

    def add(self, at: int, texts: list[str]) -> None:
        self.beginInsertRows(QModelIndex(), at, at + len(texts) - 1)
        self.texts[at:at] = texts
        self.endInsertRows()


def test_rows_below_the_view_are_not_measured_and_rows_in_sight_are(qtbot, monkeypatch) -> None:
    model = _Rows()
    view = QTableView()
    view.setModel(model)
    qtbot.addWidget(view)
    view.resize(400, 300)
    memory = HeaderMemory(view, None, [60, 60])
    view.show()
    qtbot.wait_until(lambda: view.rowAt(0) == 0, timeout=2000)
    qtbot.wait(20)
    fits: list[int] = []
    measured = header_state.content_widths
    monkeypatch.setattr(header_state, "content_widths", lambda *a: fits.append(1) or measured(*a))
    model.add(50, ["很长很长很长很长很长很长很长很长的文字"] * 1000)  # far below the view
    qtbot.wait(50)
    assert fits == []
    model.add(0, ["很长很长很长很长很长很长很长很长的文字"])  # in sight: widened
    qtbot.wait_until(lambda: fits == [1], timeout=2000)
    assert view.columnWidth(0) > 60
    assert memory.user_sized == set()
