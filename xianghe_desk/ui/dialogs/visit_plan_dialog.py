"""走访计划: a resident's own interval and named member, and when visiting started."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QSpinBox, QWidget

from xianghe_desk.domain.models import Member, Resident
from xianghe_desk.domain.visits import MAX_INTERVAL, MIN_INTERVAL, VisitPlan, interval_for, interval_text
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.widgets.combos import combo_value, fill_combo, set_combo_value
from xianghe_desk.ui.widgets.date_edit import DeskDateEdit
from xianghe_desk.ui.widgets.form_dialog import FormDialog


@dataclass(frozen=True)
class PlanValues:
    interval_days: int | None  # None: the care tags' interval
    member_id: int | None  # None: the grid's members
    starts_on: date | None
    note: str


class VisitPlanDialog(FormDialog):
    def __init__(
        self,
        resident: Resident,
        plan: VisitPlan | None,
        default_interval: int | None,
        members: list[Member],
        parent: QWidget | None = None,
    ) -> None:
        tags = "、".join(t.label for t in resident.care_tags) or "无"
        default = interval_text(default_interval) if default_interval else "没有需要定期走访的类别"
        super().__init__(
            "走访计划",
            f"{resident.name}的服务类别：{tags}；按类别应{default}走访一次。"
            "只有这位服务对象需要不同的安排时才改。",
            parent,
            ok_text="保存",
        )
        self.own_interval = QCheckBox("单独设定走访周期", self)
        self.interval_spin = QSpinBox(self)
        self.interval_spin.setRange(MIN_INTERVAL, MAX_INTERVAL)
        self.interval_spin.setSuffix(" 天")
        self.interval_spin.setValue((plan.interval_days if plan else None) or default_interval or 7)
        self.own_interval.setChecked(plan is not None and plan.interval_days is not None)
        self.interval_spin.setEnabled(self.own_interval.isChecked())
        self.own_interval.toggled.connect(self.interval_spin.setEnabled)
        self.member_combo = QComboBox(self)
        fill_combo(
            self.member_combo,
            ((f"{m.name}（{m.role.label}）", m.id) for m in members),
            "网格内的网格员（默认）",
        )
        set_combo_value(self.member_combo, plan.member_id if plan else None)
        self.starts_edit = DeskDateEdit(self)
        self.starts_edit.setCalendarPopup(True)
        self.starts_edit.setDisplayFormat("yyyy-MM-dd")
        if plan is not None and plan.starts_on is not None:
            self.starts_edit.setDate(QDate(plan.starts_on.year, plan.starts_on.month, plan.starts_on.day))
        else:
            self.starts_edit.setDate(QDate.currentDate())
        self.note_edit = QLineEdit(plan.note if plan else "", self)
        self.add_field("own", "", self.own_interval)
        self.add_field("interval", "走访周期", self.interval_spin)
        self.add_field("member", "负责网格员", self.member_combo)
        self.add_field("starts_on", "计划开始日期", self.starts_edit)
        self.add_field("note", "备注（选填）", self.note_edit)
        self.default_interval = default_interval

    def problems(self) -> list[tuple[str | None, str]]:
        if not self.own_interval.isChecked() and self.default_interval is None:
            return [("interval", "这位服务对象没有需要定期走访的服务类别，请单独设定走访周期。")]
        return []

    def values(self) -> PlanValues:
        day = self.starts_edit.date()
        return PlanValues(
            self.interval_spin.value() if self.own_interval.isChecked() else None,
            combo_value(self.member_combo),
            date(day.year(), day.month(), day.day()),
            self.note_edit.text().strip(),
        )

    @classmethod
    def ask(cls, parent: QWidget | None, ctx: DeskContext, resident: Resident) -> PlanValues | None:
        visits = ctx.visits
        plan = visits.plan(resident.id)
        default = interval_for(resident.care_tags, visits.intervals())  # the care tags' own
        dialog = cls(resident, plan, default, visits.responsible_members(resident), parent)
        try:
            return dialog.values() if dialog.exec() == FormDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()
