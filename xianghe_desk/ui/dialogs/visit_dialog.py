"""记录走访 / 修改走访记录: one visit of one resident — when, who, how, the six checks, notes, needs."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QWidget,
)

from xianghe_desk.domain.models import Member, Resident
from xianghe_desk.domain.visits import CHECKS, CheckResult, Visit, VisitDraft, VisitMethod
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.widgets.combos import combo_value, fill_combo, set_combo_value
from xianghe_desk.ui.widgets.date_edit import DeskDateEdit
from xianghe_desk.ui.widgets.form_dialog import FormDialog

UNCHECKED = "未查"


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class VisitDialog(FormDialog):
    """The form of one visit. ``checks`` are radio rows: 未查 / 正常 / 有问题 for each check."""

    def __init__(
        self,
        ctx: DeskContext,
        resident: Resident,
        members: list[Member],
        visit: Visit | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            "修改走访记录" if visit else "记录走访",
            f"{resident.name}（{resident.village_name}{resident.grid_name}）",
            parent,
            ok_text="保存",
        )
        self.ctx = ctx
        self.resident = resident
        today = ctx.now().date()
        self.date_edit = DeskDateEdit(self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setMaximumDate(_qdate(today))
        self.date_edit.setDate(_qdate(visit.visited_on if visit else today))
        self.method_combo = QComboBox(self)
        fill_combo(self.method_combo, ((m.label, m) for m in VisitMethod))
        self.member_combo = QComboBox(self)
        fill_combo(
            self.member_combo, ((f"{m.name}（{m.role.label}）", m.id) for m in members), "（未填走访人）"
        )
        self.checks: dict[str, QButtonGroup] = {}
        self.add_field("visited_on", "走访日期", self.date_edit)
        self.add_field("method", "走访方式", self.method_combo)
        self.add_field("member", "走访人", self.member_combo)
        self.add_field("checks", "检查情况", self._init_checks())
        self.note_edit = QPlainTextEdit(self)
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setPlaceholderText("例如：老人精神不错，屋里暖和")
        self.note_edit.setMaximumHeight(self.fontMetrics().height() * 4)
        self.needs_edit = QPlainTextEdit(self)
        self.needs_edit.setTabChangesFocus(True)
        self.needs_edit.setPlaceholderText("发现需要帮办的事写在这里，保存后可「转为工单」")
        self.needs_edit.setMaximumHeight(self.fontMetrics().height() * 4)
        self.add_field("note", "情况记录", self.note_edit)
        self.add_field("needs", "发现的需求", self.needs_edit)
        if visit is not None:
            set_combo_value(self.method_combo, visit.method)
            set_combo_value(self.member_combo, visit.member_id)
            for key, result in visit.checks.items():
                self._choose(key, result.label)
            self.note_edit.setPlainText(visit.note)
            self.needs_edit.setPlainText(visit.needs)
        elif members:
            set_combo_value(self.member_combo, members[0].id)

    def _init_checks(self) -> QWidget:
        box = QWidget(self)
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        for row, (key, label) in enumerate(CHECKS):
            grid.addWidget(QLabel(label, box), row, 0)
            group = QButtonGroup(box)
            line = QHBoxLayout()
            for column, text in enumerate((UNCHECKED, CheckResult.OK.label, CheckResult.PROBLEM.label)):
                button = QRadioButton(text, box)
                button.setAccessibleName(f"{label}{text}")
                group.addButton(button, column)
                line.addWidget(button)
            group.button(0).setChecked(True)
            line.addStretch(1)
            grid.addLayout(line, row, 1)
            self.checks[key] = group
        return box

    def _choose(self, key: str, text: str) -> None:
        for button in self.checks[key].buttons():
            if button.text() == text:
                button.setChecked(True)

    def set_all_ok(self) -> None:
        for key in self.checks:
            self._choose(key, CheckResult.OK.label)

    def draft(self) -> VisitDraft:
        checks = {}
        for key, group in self.checks.items():
            chosen = group.checkedId()
            if chosen == 1:
                checks[key] = CheckResult.OK
            elif chosen == 2:
                checks[key] = CheckResult.PROBLEM
        day = self.date_edit.date()
        return VisitDraft(
            resident_id=self.resident.id,
            visited_on=date(day.year(), day.month(), day.day()),
            method=combo_value(self.method_combo) or VisitMethod.HOME,
            member_id=combo_value(self.member_combo),
            checks=checks,
            note=self.note_edit.toPlainText(),
            needs=self.needs_edit.toPlainText(),
        )

    def problems(self) -> list[tuple[str | None, str]]:
        draft = self.draft()
        problems: list[tuple[str | None, str]] = []
        if draft.visited_on > self.ctx.now().date():
            problems.append(("visited_on", "走访日期不能晚于今天。"))
        status = self.resident.status_info
        if status.left_on(draft.visited_on):
            problems.append(
                (
                    "visited_on",
                    f"{self.resident.name}已{status.status.label}（{status.since}），请核对走访日期。",
                )
            )
        return problems

    @classmethod
    def edit(
        cls, parent: QWidget | None, ctx: DeskContext, resident: Resident, visit: Visit | None = None
    ) -> VisitDraft | None:
        """The visit as entered, or None when the clerk cancelled (never writes)."""
        members = ctx.visits.responsible_members(resident)
        dialog = cls(ctx, resident, members, visit, parent)
        try:
            return dialog.draft() if dialog.exec() == FormDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()
