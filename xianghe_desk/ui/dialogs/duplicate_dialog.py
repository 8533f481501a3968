"""Two residents who may be one person, side by side: merge (keeping one) or 「不是同一人」."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain.models import Resident
from xianghe_desk.services.duplicates import DuplicatePair
from xianghe_desk.services.people import mask_id_number

MERGE = "merge"
DISMISS = "dismiss"


@dataclass(frozen=True)
class DuplicateDecision:
    action: str  # MERGE or DISMISS
    keep_id: int = 0
    drop_id: int = 0


def _rows(person: Resident) -> list[str]:
    return [
        person.name,
        mask_id_number(person.id_number) or "（空）",
        person.sex.label if person.sex else "（空）",
        person.birth_date.isoformat() if person.birth_date else "（空）",
        person.phone or "（空）",
        person.village_name,
        person.grid_name or "（空）",
        person.address or "（空）",
        "、".join(t.label for t in person.care_tags) or "（空）",
        person.emergency_name or "（空）",
        person.note or "（空）",
    ]


_LABELS = (
    "姓名",
    "身份证号",
    "性别",
    "出生日期",
    "联系电话",
    "村街",
    "网格",
    "居住地址",
    "服务类别",
    "紧急联系人",
    "备注",
)


class DuplicateDialog(QDialog):
    def __init__(self, pair: DuplicatePair, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pair = pair
        self.decision: DuplicateDecision | None = None
        self.setWindowTitle("可能是同一个人")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"这两条服务对象记录可能是同一个人（{pair.reason}）。合并后保留一条，另一条的工单转到保留的记录上，"
            "保留的记录中空着的内容用另一条补上。",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self._init_table(layout)
        self._init_buttons(layout)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("字") * 44)

    def _init_table(self, layout: QVBoxLayout) -> None:
        grid = QGridLayout()
        grid.addWidget(QLabel("<b>左边</b>", self), 0, 1)
        grid.addWidget(QLabel("<b>右边</b>", self), 0, 2)
        left, right = _rows(self.pair.left), _rows(self.pair.right)
        for row, label in enumerate(_LABELS, 1):
            grid.addWidget(QLabel(label, self), row, 0)
            for column, value in ((1, left[row - 1]), (2, right[row - 1])):
                cell = QLabel(value, self)
                cell.setWordWrap(True)
                if left[row - 1] != right[row - 1]:
                    cell.setStyleSheet("color: #b42318;")  # the differences stand out
                grid.addWidget(cell, row, column)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        layout.addLayout(grid)

    def _init_buttons(self, layout: QVBoxLayout) -> None:
        buttons = QDialogButtonBox(self)
        self.keep_left = QPushButton("合并，保留左边(&L)", self)
        self.keep_right = QPushButton("合并，保留右边(&R)", self)
        self.not_same = QPushButton("不是同一人(&N)", self)
        for button in (self.keep_left, self.keep_right, self.not_same):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        cancel = buttons.addButton("以后再说", QDialogButtonBox.ButtonRole.RejectRole)
        left, right = self.pair.left.id, self.pair.right.id
        self.keep_left.clicked.connect(lambda: self._decide(DuplicateDecision(MERGE, left, right)))
        self.keep_right.clicked.connect(lambda: self._decide(DuplicateDecision(MERGE, right, left)))
        self.not_same.clicked.connect(lambda: self._decide(DuplicateDecision(DISMISS, left, right)))
        cancel.clicked.connect(self.reject)
        layout.addWidget(buttons)

    def _decide(self, decision: DuplicateDecision) -> None:
        self.decision = decision
        self.accept()

    @classmethod
    def decide(cls, parent: QWidget | None, pair: DuplicatePair) -> DuplicateDecision | None:
        dialog = cls(pair, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.decision
