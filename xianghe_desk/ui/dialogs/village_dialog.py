"""Add a 村街 to a town, or put an existing one in a 片区 (district)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain.models import Village
from xianghe_desk.domain.places import fold_place, short_village_name, village_kind
from xianghe_desk.domain.validators import normalize_text
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.widgets.combos import fill_combo, set_combo_value
from xianghe_desk.ui.widgets.field_error import FieldMessages, save_cancel_buttons


@dataclass(frozen=True)
class VillageFields:
    """A new village as the form hands it to PlaceService.add_village."""

    town_id: int
    name: str
    code: str = ""
    district: str = ""


class VillageDialog(QDialog):
    """In 「新增」 mode every field is open; in 「片区」 mode only the district can change."""

    def __init__(
        self,
        parent: QWidget | None,
        ctx: DeskContext,
        village: Village | None = None,
        town_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.village = village
        self.messages = FieldMessages()
        self.result_fields: VillageFields | None = None
        self.result_district: str | None = None
        self.setWindowTitle(f"设置片区：{village.short_name}" if village else "新增村街")
        self._init_fields(town_id)
        self._init_layout()
        self._load()

    @classmethod
    def add(
        cls, parent: QWidget | None, ctx: DeskContext, town_id: int | None = None
    ) -> VillageFields | None:
        dialog = cls(parent, ctx, None, town_id)
        try:
            return dialog.result_fields if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    @classmethod
    def edit_district(cls, parent: QWidget | None, ctx: DeskContext, village: Village) -> str | None:
        """The village's new 片区 ("" takes it out of any), or None when cancelled."""
        dialog = cls(parent, ctx, village)
        try:
            return dialog.result_district if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    def _init_fields(self, town_id: int | None) -> None:
        self.town = QComboBox()
        fill_combo(self.town, ((t.name, t.id) for t in self.ctx.places.towns()))
        set_combo_value(
            self.town, self.village.town_id if self.village else town_id or self.ctx.home_town_id()
        )
        self.name = QLineEdit()
        self.name.setMaxLength(40)
        self.name.setPlaceholderText("正式名称，如：王刘圈村村民委员会")
        self.derived = QLabel()
        self.derived.setStyleSheet("color: #4a5568;")
        self.code = QLineEdit()
        self.code.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9]{0,12}"), self.code))
        self.code.setPlaceholderText("12 位统计代码，不知道可以不填")
        self.district = QComboBox()
        self.district.setEditable(True)
        district_edit = self.district.lineEdit()
        assert district_edit is not None  # setEditable(True) above gave the combo its line edit
        district_edit.setPlaceholderText("如：城关片区；不分片区就空着")
        self.buttons = save_cancel_buttons()
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.town.currentIndexChanged.connect(lambda _i: self._fill_districts())
        self.name.textChanged.connect(self._on_name_changed)
        self.code.textChanged.connect(lambda _t: self.messages["code"].clear_message())
        self._fill_districts()

    def _load(self) -> None:
        if self.village is not None:
            self.town.setEnabled(False)
            self.name.setText(self.village.name)
            self.name.setReadOnly(True)
            self.code.setText(self.village.code or "")
            self.code.setReadOnly(True)
            self.district.setEditText(self.village.district)
            self.district.setFocus()
        self.derived.setVisible(bool(self.derived.text()))

    def _fill_districts(self) -> None:
        """The districts already used in the town, so the same name is picked, not retyped."""
        town_id = self.town.currentData()
        names = sorted(
            {v.district for v in self.ctx.places.villages(town_id, include_virtual=True) if v.district}
        )
        text = self.district.currentText()
        self.district.clear()
        self.district.addItems(names)
        self.district.setEditText(text)

    def _init_layout(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow("所属镇 *", self.town)
        name_box = self.messages.add_under("name", self.name)
        name_column = name_box.layout()
        assert name_column is not None  # add_under lays the box out as one column
        name_column.addWidget(self.derived)
        form.addRow("村街名称 *", name_box)
        form.addRow("统计代码", self.messages.add_under("code", self.code))
        district_box = self.messages.add_under("district", self.district)
        form.addRow("片区", district_box)
        layout = QVBoxLayout(self)
        if self.village is not None:
            hint = QLabel("村街的名称和统计代码来自国家统计局的区划，这里只能设置片区。")
            hint.setWordWrap(True)
            layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 32)

    def _on_name_changed(self, text: str) -> None:
        self.messages["name"].clear_message()
        name = fold_place(normalize_text(text))
        if not name or self.village is not None:
            self.derived.setText("")
            self.derived.hide()
            return
        kind = village_kind(name, self.code.text() or None)
        self.derived.setText(f"简称：{short_village_name(name)}　类型：{kind.label}")
        self.derived.show()

    def accept(self) -> None:
        district = normalize_text(self.district.currentText())
        if len(district) > 30:
            self.messages["district"].set_error("片区名称太长，请精简到 30 字以内。")
            return
        if self.village is not None:
            self.result_district = district
            super().accept()
            return
        name = fold_place(normalize_text(self.name.text()))
        code = self.code.text().strip()
        problems: list[tuple[str | None, str]] = []
        if not name:
            problems.append(("name", "请填写村街名称，如「王刘圈村村民委员会」或「王刘圈村」。"))
        if code and len(code) != 12:
            problems.append(("code", f"统计代码应为 12 位数字，现在是 {len(code)} 位；不知道可以不填。"))
        town_id = self.town.currentData()
        short = short_village_name(name)
        for village in self.ctx.places.villages(town_id, include_virtual=True) if name else []:
            if short == village.short_name or name == village.name:
                problems.append(("name", f"这个镇已有村街「{village.short_name}」，不能重复添加。"))
                break
        if problems:
            self.messages.show_problems(problems, fallback="name")
            return
        self.result_fields = VillageFields(town_id, name, code, district)
        super().accept()
