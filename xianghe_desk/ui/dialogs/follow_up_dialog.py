"""回访: how the resident was asked (phone or in person) and how satisfied they are."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLineEdit, QRadioButton, QWidget

from xianghe_desk.domain.enums import FeedbackRoute, Satisfaction
from xianghe_desk.ui.widgets.form_dialog import FormDialog


@dataclass(frozen=True)
class FollowUpValues:
    route: FeedbackRoute
    satisfaction: Satisfaction
    note: str
    by: str


class FollowUpDialog(FormDialog):
    def __init__(self, default_by: str = "", parent: QWidget | None = None) -> None:
        super().__init__(
            "回访",
            "请向群众了解办理结果，并如实记录满意度。「不满意」的工单可以重新办理。",
            parent,
            ok_text="保存回访",
        )
        self.route_group, route_row = self._radios([(r.label, r) for r in FeedbackRoute])
        self.satisfaction_group, satisfaction_row = self._radios([(s.label, s) for s in Satisfaction])
        self.by_edit = QLineEdit(default_by, self)
        self.by_edit.setPlaceholderText("回访人姓名")
        self.note_edit = QLineEdit(self)
        self.note_edit.setPlaceholderText("群众的原话或意见（选填）")
        self.add_field("route", "回访方式", route_row)
        self.add_field("satisfaction", "满意度", satisfaction_row)
        self.add_field("by", "回访人", self.by_edit)
        self.add_field("note", "群众意见", self.note_edit)

    def _radios(self, options: list[tuple[str, object]]) -> tuple[QButtonGroup, QWidget]:
        row = QWidget(self)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        group = QButtonGroup(row)
        self._values = getattr(self, "_values", {})
        for text, value in options:
            button = QRadioButton(text, row)
            group.addButton(button)
            self._values[button] = value
            layout.addWidget(button)
        layout.addStretch(1)
        return group, row

    def _chosen(self, group: QButtonGroup) -> object | None:
        button = group.checkedButton()
        return self._values.get(button) if button is not None else None

    def set_choice(self, route: FeedbackRoute | None, satisfaction: Satisfaction | None) -> None:
        for button, value in self._values.items():
            if value is route or value is satisfaction:
                button.setChecked(True)

    def problems(self) -> list[tuple[str | None, str]]:
        problems: list[tuple[str | None, str]] = []
        if self._chosen(self.route_group) is None:
            problems.append(("route", "请选择回访方式：电话回访或上门回访。"))
        if self._chosen(self.satisfaction_group) is None:
            problems.append(("satisfaction", "请选择群众的满意度。"))
        return problems

    def values(self) -> FollowUpValues:
        route = self._chosen(self.route_group)
        satisfaction = self._chosen(self.satisfaction_group)
        assert isinstance(route, FeedbackRoute) and isinstance(satisfaction, Satisfaction)
        return FollowUpValues(route, satisfaction, self.note_edit.text().strip(), self.by_edit.text().strip())

    @classmethod
    def ask(cls, parent: QWidget | None, default_by: str = "") -> FollowUpValues | None:
        """The route, rating, note and who called, or None when the clerk cancelled."""
        dialog = cls(default_by, parent)
        accepted = dialog.exec() == FormDialog.DialogCode.Accepted
        dialog.deleteLater()
        return dialog.values() if accepted else None
