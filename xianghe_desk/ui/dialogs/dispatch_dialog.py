"""派单: choose the grid member (or cadre) who handles the request, with a note for them."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QLineEdit, QWidget

from xianghe_desk.domain.models import Member
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.widgets.combos import SearchableComboBox, combo_value, fill_combo, set_combo_value
from xianghe_desk.ui.widgets.form_dialog import FormDialog


@dataclass(frozen=True)
class DispatchChoice:
    member_id: int
    note: str


def member_label(member: Member, grid_ids: tuple[int, ...] = ()) -> str:
    """李建国（网格员 · 第一网格 · 13812345678）: enough to pick the right person by ear."""
    where = "、".join(member.grid_names[:2]) or member.village_name or member.town_name
    mark = "★ " if grid_ids and set(grid_ids) & set(member.grid_ids) else ""
    return f"{mark}{member.name}（{member.role.label} · {where} · {member.phone}）"


class DispatchDialog(FormDialog):
    """Members of the request's grid come first, marked 「★」; any active member of the town can be chosen."""

    def __init__(
        self,
        members: list[Member],
        default_id: int | None,
        current_id: int | None = None,
        count: int = 1,
        grid_ids: tuple[int, ...] = (),
        parent: QWidget | None = None,
    ) -> None:
        lead = (
            f"把选中的 {count} 张工单一起派给同一位承办人。"
            if count > 1
            else "把工单派给负责的网格员或干部。"
        )
        intro = lead + "带「★」的是该网格的网格员；可输入姓名查找。"
        super().__init__("派单" if count == 1 else f"批量派单（{count} 张）", intro, parent, ok_text="派单")
        self.current_id = current_id
        self.member_combo = SearchableComboBox(self)
        member_edit = self.member_combo.lineEdit()
        assert member_edit is not None  # a SearchableComboBox is always editable
        member_edit.setPlaceholderText("输入姓名查找")
        fill_combo(
            self.member_combo, [(member_label(m, grid_ids), m.id) for m in members], none_label="请选择承办人"
        )
        if default_id is not None and default_id != current_id:
            set_combo_value(self.member_combo, default_id)
        self.note_edit = QLineEdit(self)
        self.note_edit.setPlaceholderText("例如：请今天上门，带上申请表")
        self.add_field("handler", "承办人", self.member_combo)
        self.add_field("note", "派单说明（选填）", self.note_edit)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("字") * 42)

    def problems(self) -> list[tuple[str | None, str]]:
        member_id = combo_value(self.member_combo)
        if member_id is None:
            return [("handler", "请选择承办人：点开列表选择，或输入姓名查找。")]
        if member_id == self.current_id:
            return [("handler", "工单已经派给这位承办人了，请选择另一位。")]
        return []

    def choice(self) -> DispatchChoice:
        return DispatchChoice(int(combo_value(self.member_combo)), self.note_edit.text().strip())

    @classmethod
    def choose(
        cls,
        parent: QWidget | None,
        ctx: DeskContext,
        village_id: int,
        grid_id: int | None = None,
        current_handler_id: int | None = None,
        count: int = 1,
    ) -> DispatchChoice | None:
        """The member and note chosen, or None when the clerk cancelled."""
        members = ctx.members.handlers_for(village_id, grid_id)
        default = ctx.members.default_handler(grid_id)
        dialog = cls(
            members,
            default.id if default else None,
            current_handler_id,
            count,
            (grid_id,) if grid_id else (),
            parent,
        )
        accepted = dialog.exec() == FormDialog.DialogCode.Accepted
        dialog.deleteLater()
        return dialog.choice() if accepted else None
