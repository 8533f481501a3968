"""Add or edit a 网格 (grid): its name, number, head, households, population, party group and
the member new requests go to by default."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain.models import Grid, Village
from xianghe_desk.domain.validators import normalize_text
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.widgets.combos import SearchableComboBox, fill_combo, set_combo_value
from xianghe_desk.ui.widgets.field_error import FieldMessages, save_cancel_buttons

UNKNOWN = -1  # the spin boxes' 「未填」


@dataclass(frozen=True)
class GridFields:
    """What the grid form hands back; PlaceService.add_grid / update_grid take these values."""

    name: str
    number: str = ""
    head_name: str = ""
    households: int | None = None
    population: int | None = None
    party_group: str = ""
    default_member_id: int | None = None


class GridDialog(QDialog):
    def __init__(
        self, parent: QWidget | None, ctx: DeskContext, village: Village, grid: Grid | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.village = village
        self.grid = grid
        self.result_fields: GridFields | None = None
        self.messages = FieldMessages()
        self.setWindowTitle(f"修改网格：{grid.name}" if grid else f"新增网格：{village.short_name}")
        self._init_fields()
        self._init_layout()
        self._load()

    @classmethod
    def edit(
        cls, parent: QWidget | None, ctx: DeskContext, village_id: int, grid: Grid | None = None
    ) -> GridFields | None:
        village = ctx.places.village(village_id)
        if village is None:
            return None
        dialog = cls(parent, ctx, village, grid)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return dialog.result_fields
            return None
        finally:
            dialog.deleteLater()

    def _init_fields(self) -> None:
        self.name = QLineEdit()
        self.name.setMaxLength(30)
        self.name.setPlaceholderText("如：第一网格")
        self.name.textChanged.connect(self._check_name)
        self.number = QLineEdit()
        self.number.setMaxLength(30)
        self.number.setPlaceholderText(f"如：{self.village.code or '村街代码'}-01")
        self.head_name = QLineEdit()
        self.head_name.setMaxLength(20)
        self.households = self._count_box()
        self.population = self._count_box()
        self.party_group = QLineEdit()
        self.party_group.setMaxLength(40)
        self.default_member = SearchableComboBox()
        self.buttons = save_cancel_buttons()
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    @staticmethod
    def _count_box() -> QSpinBox:
        box = QSpinBox()
        box.setRange(UNKNOWN, 1_000_000)
        box.setSpecialValueText("未填")
        box.setValue(UNKNOWN)
        box.setAlignment(Qt.AlignmentFlag.AlignRight)
        return box

    def _init_layout(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow("所属村街", QLabel(f"{self.village.town_name} {self.village.short_name}"))
        form.addRow("网格名称 *", self.messages.add_under("name", self.name))
        form.addRow("网格编号", self.number)
        form.addRow("网格长", self.head_name)
        form.addRow("户数", self.households)
        form.addRow("人口数", self.population)
        form.addRow("网格党小组", self.party_group)
        member_box = self.messages.add_under("default_member", self.default_member)
        hint = QLabel("受理登记时，这个网格的工单默认派给此人；不选则派给本网格第一位在岗网格员。")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #4a5568;")
        member_column = member_box.layout()
        assert member_column is not None  # add_under lays the box out as one column
        member_column.addWidget(hint)
        form.addRow("默认承办人", member_box)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 34)

    def _load(self) -> None:
        grid = self.grid
        members = self.ctx.members.handlers_for(self.village.id, grid.id if grid else None)
        items = [(f"{m.name}（{m.role.label}，{m.village_name or m.town_name}）", m.id) for m in members]
        fill_combo(self.default_member, items, "（自动：本网格第一位在岗网格员）", keep=False)
        if grid is None:
            return
        self.name.setText(grid.name)
        self.number.setText(grid.number)
        self.head_name.setText(grid.head_name)
        self.households.setValue(UNKNOWN if grid.households is None else grid.households)
        self.population.setValue(UNKNOWN if grid.population is None else grid.population)
        self.party_group.setText(grid.party_group)
        if grid.default_member_id is not None and not set_combo_value(
            self.default_member, grid.default_member_id
        ):
            self.messages["default_member"].set_warning("原来的默认承办人已不在岗或不在本镇，请重新选择。")

    def _name_problem(self) -> str | None:
        name = normalize_text(self.name.text())
        if not name:
            return "请填写网格名称。"
        for other in self.ctx.places.grids(self.village.id):
            if other.name == name and (self.grid is None or other.id != self.grid.id):
                return f"{self.village.short_name}已有名为「{name}」的网格，请换一个名称。"
        return None

    def _check_name(self) -> None:
        # An empty name is only pointed out on saving, not while the clerk is still typing.
        message = self._name_problem() if self.name.text().strip() else None
        self.messages["name"].set_error(message)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(message is None)

    def accept(self) -> None:
        message = self._name_problem()
        if message is not None:
            self.messages["name"].set_error(message)
            self.name.setFocus()
            return

        def count(box: QSpinBox) -> int | None:
            return None if box.value() == UNKNOWN else box.value()

        self.result_fields = GridFields(
            name=normalize_text(self.name.text()),
            number=normalize_text(self.number.text()),
            head_name=normalize_text(self.head_name.text()),
            households=count(self.households),
            population=count(self.population),
            party_group=normalize_text(self.party_group.text()),
            default_member_id=self.default_member.currentData(),
        )
        super().accept()
