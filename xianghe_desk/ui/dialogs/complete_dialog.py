"""办结: how the matter was handled (one of the six methods) and what was done; both required."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QWidget

from xianghe_desk.domain.models import LookupItem
from xianghe_desk.services.lookups import LookupService
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.widgets.combos import combo_value, fill_combo
from xianghe_desk.ui.widgets.form_dialog import FormDialog


@dataclass(frozen=True)
class CompleteValues:
    method: str
    result: str
    note: str


class CompleteDialog(FormDialog):
    def __init__(self, methods: list[LookupItem], parent: QWidget | None = None) -> None:
        super().__init__(
            "办结", "记录这件事是怎么办的、办成了什么。办结后可进行回访。", parent, ok_text="办结"
        )
        self.method_combo = QComboBox(self)
        fill_combo(self.method_combo, [(m.name, m.code) for m in methods], none_label="请选择办理方式")
        self.result_edit = QPlainTextEdit(self)
        self.result_edit.setTabChangesFocus(True)
        self.result_edit.setPlaceholderText("例如：已为群众代办医保缴费，缴费凭证已送到家中")
        self.result_edit.setMinimumHeight(self.fontMetrics().height() * 5)
        self.note_edit = QLineEdit(self)
        self.add_field("method", "办理方式", self.method_combo)
        self.add_field("result", "办理结果", self.result_edit)
        self.add_field("note", "备注（选填）", self.note_edit)

    def problems(self) -> list[tuple[str | None, str]]:
        problems: list[tuple[str | None, str]] = []
        if combo_value(self.method_combo) is None:
            problems.append(("method", "请选择办理方式（现场办结、代办代跑……）。"))
        if not self.result_edit.toPlainText().strip():
            problems.append(("result", "请填写办理结果：为群众办了什么、办成了没有。"))
        return problems

    def values(self) -> CompleteValues:
        return CompleteValues(
            str(combo_value(self.method_combo)),
            self.result_edit.toPlainText().strip(),
            self.note_edit.text().strip(),
        )

    @classmethod
    def ask(cls, parent: QWidget | None, ctx: DeskContext) -> CompleteValues | None:
        """The method, result and note entered, or None when the clerk cancelled."""
        dialog = cls(LookupService(ctx.ws).methods(), parent)
        accepted = dialog.exec() == FormDialog.DialogCode.Accepted
        dialog.deleteLater()
        return dialog.values() if accepted else None
