"""转为工单: the need noticed on a visit becomes a request (channel 网格员巡查发现) in one step."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QCheckBox, QComboBox, QPlainTextEdit, QWidget

from xianghe_desk.domain.enums import CategoryGroup, Urgency
from xianghe_desk.domain.models import LookupItem
from xianghe_desk.domain.visits import Visit
from xianghe_desk.services.lookups import LookupService
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.widgets.combos import combo_value, fill_combo
from xianghe_desk.ui.widgets.form_dialog import FormDialog


@dataclass(frozen=True)
class NeedValues:
    category: str
    content: str
    urgency: Urgency
    dispatch: bool


class NeedRequestDialog(FormDialog):
    def __init__(self, visit: Visit, categories: list[LookupItem], parent: QWidget | None = None) -> None:
        super().__init__(
            "走访发现需求转工单",
            f"{visit.resident_name} {visit.visited_on:%Y-%m-%d} 走访时发现的需求，登记为一张工单"
            "（来源：网格员巡查发现），服务对象和网格自动填好。",
            parent,
            ok_text="登记工单",
        )
        self.category_combo = QComboBox(self)
        # 上门服务 first: what a visit usually finds.
        ordered = sorted(categories, key=lambda c: c.group_code != CategoryGroup.HOME.value)
        fill_combo(self.category_combo, ((c.name, c.code) for c in ordered), "请选择问题类别")
        self.content_edit = QPlainTextEdit(visit.needs, self)
        self.content_edit.setTabChangesFocus(True)
        self.content_edit.setMinimumHeight(self.fontMetrics().height() * 4)
        self.urgency_combo = QComboBox(self)
        fill_combo(self.urgency_combo, ((u.label, u) for u in (Urgency.NORMAL, Urgency.URGENT)))
        self.dispatch_check = QCheckBox(
            f"直接派给走访人{visit.member_name}" if visit.member_name else "直接派单", self
        )
        self.dispatch_check.setChecked(bool(visit.member_id))
        self.dispatch_check.setEnabled(bool(visit.member_id))
        self.add_field("category", "问题类别", self.category_combo)
        self.add_field("content", "诉求内容", self.content_edit)
        self.add_field("urgency", "紧急程度", self.urgency_combo)
        self.add_field("dispatch", "", self.dispatch_check)

    def problems(self) -> list[tuple[str | None, str]]:
        problems: list[tuple[str | None, str]] = []
        if combo_value(self.category_combo) is None:
            problems.append(("category", "请选择问题类别。"))
        if not self.content_edit.toPlainText().strip():
            problems.append(("content", "请写明发现的需求。"))
        return problems

    def values(self) -> NeedValues:
        return NeedValues(
            str(combo_value(self.category_combo)),
            self.content_edit.toPlainText().strip(),
            combo_value(self.urgency_combo) or Urgency.NORMAL,
            self.dispatch_check.isChecked(),
        )

    @classmethod
    def ask(cls, parent: QWidget | None, ctx: DeskContext, visit: Visit) -> NeedValues | None:
        dialog = cls(visit, LookupService(ctx.ws).categories(), parent)
        try:
            return dialog.values() if dialog.exec() == FormDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()
