"""「可能是同一个人」: before adding a resident, the people already there with the same name, side by side."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain.drafts import ResidentDraft
from xianghe_desk.domain.models import Resident
from xianghe_desk.services.people import mask_id_number

ADD_NEW = "new"
MAX_SHOWN = 4

Value = Callable[[ResidentDraft | Resident], str]

# (row header, how to read it from a draft or a resident)
ROWS: tuple[tuple[str, Value], ...] = (
    ("姓名", lambda p: p.name),
    ("身份证号", lambda p: mask_id_number(p.id_number) or "未填"),
    ("性别", lambda p: p.sex.label if p.sex else "未填"),
    ("出生日期", lambda p: p.birth_date.isoformat() if p.birth_date else "未填"),
    ("联系电话", lambda p: p.phone or "未填"),
    ("居住地址", lambda p: p.address or "未填"),
    ("紧急联系人", lambda p: " ".join(x for x in (p.emergency_name, p.emergency_phone) if x) or "未填"),
    ("服务类别", lambda p: "、".join(t.label for t in p.care_tags) or "未填"),
)


class DuplicateResidentDialog(QDialog):
    """Shows the new entry next to each likely match and asks what it is."""

    def __init__(
        self, parent: QWidget | None, draft: ResidentDraft, candidates: list[Resident], village: str
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("可能是同一个人")
        self.choice: Resident | str | None = None
        self.draft = draft
        self.candidates = candidates[:MAX_SHOWN]
        self._init_text(village, len(candidates))
        self._init_table()
        self._init_buttons()

    @classmethod
    def choose(
        cls, parent: QWidget | None, draft: ResidentDraft, candidates: list[Resident], village: str = ""
    ) -> Resident | str | None:
        """``ADD_NEW`` (a different person: add), the existing Resident (the same person), or None
        (go back to the form)."""
        dialog = cls(parent, draft, candidates, village)
        try:
            dialog.exec()
            return dialog.choice
        finally:
            dialog.deleteLater()

    def _init_text(self, village: str, total: int) -> None:
        where = village or "这个村街"
        more = f"（共 {total} 位，只列出前 {MAX_SHOWN} 位）" if total > MAX_SHOWN else ""
        self.heading = QLabel(f"{where}已登记了同名的服务对象{more}，可能是同一个人。")
        font = QFont(self.heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.heading.setFont(font)
        self.explain = QLabel(
            "请对照下面的信息：是同一个人就打开已有的记录（需要时在那里修改），不要重复登记；"
            "确实是另一个人（如同村同名），再继续新增。"
        )
        self.explain.setWordWrap(True)

    def _init_table(self) -> None:
        people: list[ResidentDraft | Resident] = [self.draft, *self.candidates]
        table = QTableWidget(len(ROWS), len(people))
        headers = ["正在新增"] + [f"已登记（{n}）" for n in range(1, len(self.candidates) + 1)]
        table.setHorizontalHeaderLabels(headers)
        table.setVerticalHeaderLabels([label for label, _read in ROWS])
        for row, (_label, read) in enumerate(ROWS):
            new_value = read(self.draft)
            for column, person in enumerate(people):
                value = read(person)
                item = QTableWidgetItem(value)
                if column and value == new_value and value != "未填":
                    item.setText(f"{value}  （相同）")
                table.setItem(row, column, item)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setTabKeyNavigation(False)  # Tab moves on to the buttons
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        table.setWordWrap(True)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.resizeRowsToContents()
        self.table = table

    def _init_buttons(self) -> None:
        self.same_buttons: list[QPushButton] = []
        row = QHBoxLayout()
        for number, resident in enumerate(self.candidates, start=1):
            text = "是同一个人，打开已有记录" if len(self.candidates) == 1 else f"就是已登记（{number}）"
            button = QPushButton(text)
            button.clicked.connect(lambda _c=False, r=resident: self._done(r))
            self.same_buttons.append(button)
            row.addWidget(button)
        row.addStretch(1)
        self.add_button = QPushButton("不是同一个人，继续新增")
        self.add_button.clicked.connect(lambda: self._done(ADD_NEW))
        self.back_button = QPushButton("返回修改")
        self.back_button.clicked.connect(lambda: self._done(None))
        self.back_button.setDefault(True)
        row.addWidget(self.add_button)
        row.addWidget(self.back_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.explain)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        em = self.fontMetrics().horizontalAdvance("中")
        self.resize(em * (24 + 16 * len(self.candidates)), em * 27)

    def _done(self, choice: Resident | str | None) -> None:
        self.choice = choice
        if choice is None:
            self.reject()
        else:
            self.accept()
