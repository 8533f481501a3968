"""服务对象状态: 在册, 住院 (visits paused until a date), 迁出 or 去世 (from a date)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QRadioButton, QWidget

from xianghe_desk.domain.models import Resident
from xianghe_desk.domain.visits import ResidentStatus, StatusInfo
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.widgets.date_edit import DeskDateEdit
from xianghe_desk.ui.widgets.form_dialog import FormDialog
from xianghe_desk.ui.widgets.look import MUTED, set_text_colour

EXPLAIN = {
    ResidentStatus.ACTIVE: "正常走访。",
    ResidentStatus.HOSPITAL: "住院期间暂停走访；到出院日期的第二天起重新应走访。",
    ResidentStatus.MOVED: "从迁出日期起不再走访、不再计入统计，也不能再登记新的工单；以前的记录都保留。",
    ResidentStatus.DECEASED: "从去世日期起不再走访、不再计入统计，也不能再登记新的工单；以前的记录都保留。",
}


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class ResidentStatusDialog(FormDialog):
    def __init__(self, resident: Resident, today: date, parent: QWidget | None = None) -> None:
        super().__init__(
            "服务对象状态", f"{resident.name}（{resident.village_name}）", parent, ok_text="保存"
        )
        self.today = today
        row = QWidget(self)
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        self.group = QButtonGroup(self)
        for status in ResidentStatus:
            button = QRadioButton(status.label, row)
            self.group.addButton(button)
            button.setProperty("status", status.value)
            line.addWidget(button)
            if status is resident.status:
                button.setChecked(True)
        line.addStretch(1)
        self.since_edit = DeskDateEdit(self)
        self.until_edit = DeskDateEdit(self)
        for edit in (self.since_edit, self.until_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.since_edit.setDate(_qdate(resident.status_since or today))
        self.until_edit.setDate(_qdate(resident.status_until or today))
        self.explain = QLabel(self)
        self.explain.setWordWrap(True)
        set_text_colour(self.explain, MUTED)
        self.add_field("status", "状态", row)
        self.add_field("since", "起始日期", self.since_edit)
        self.add_field("until", "出院日期", self.until_edit)
        self.form.addRow("", self.explain)
        self.group.buttonToggled.connect(lambda *_: self._update())
        self._update()

    def status(self) -> ResidentStatus:
        checked = self.group.checkedButton()
        return ResidentStatus(checked.property("status")) if checked else ResidentStatus.ACTIVE

    def _update(self) -> None:
        status = self.status()
        self.since_edit.setEnabled(status is not ResidentStatus.ACTIVE)
        self.until_edit.setEnabled(status is ResidentStatus.HOSPITAL)
        holder = self.since_edit.parentWidget()
        label = self.form.labelForField(holder) if holder is not None else None
        if isinstance(label, QLabel):
            label.setText({ResidentStatus.HOSPITAL: "住院日期", ResidentStatus.MOVED: "迁出日期",
                           ResidentStatus.DECEASED: "去世日期"}.get(status, "起始日期"))  # fmt: skip
        self.explain.setText(EXPLAIN[status])

    def info(self) -> StatusInfo:
        status = self.status()
        if status is ResidentStatus.ACTIVE:
            return StatusInfo()
        until = _date(self.until_edit.date()) if status is ResidentStatus.HOSPITAL else None
        return StatusInfo(status, _date(self.since_edit.date()), until)

    def problems(self) -> list[tuple[str | None, str]]:
        info = self.info()
        if info.status is ResidentStatus.HOSPITAL and info.until is not None and info.since is not None:
            if info.until < info.since:
                return [("until", "出院日期不能早于住院日期，请核对。")]
        return []

    @classmethod
    def ask(cls, parent: QWidget | None, ctx: DeskContext, resident: Resident) -> StatusInfo | None:
        dialog = cls(resident, ctx.now().date(), parent)
        try:
            return dialog.info() if dialog.exec() == FormDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()
