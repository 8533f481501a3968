"""登记村里的电脑: the name of the laptop and the village(s) it serves."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.widgets.form_dialog import FormDialog


@dataclass(frozen=True)
class DeviceRequest:
    name: str
    village: str
    town: str


class RegisterDeviceDialog(FormDialog):
    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(
            "登记村里的电脑",
            "登记后会生成一个登记文件（含加密密钥）。把它交给村里，在那台电脑的「数据交换包」中点「用登记文件加入」。"
            "登记文件不要和数据包放在同一个U盘里，加入后请删除。",
            parent,
            ok_text="登记并保存登记文件…",
        )
        self.ctx = ctx
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("例如：王刘圈村录入电脑")
        self.add_field("name", "电脑名称", self.name_edit)
        self.town_combo = QComboBox(self)
        for town in ctx.places.towns():
            self.town_combo.addItem(town.name, town.id)
        home = ctx.home_town_id()
        if home is not None:
            self.town_combo.setCurrentIndex(max(0, self.town_combo.findData(home)))
        self.add_field("town", "所属镇", self.town_combo)
        self.village_combo = QComboBox(self)
        self.village_combo.setEditable(True)
        village_edit = self.village_combo.lineEdit()
        assert village_edit is not None  # setEditable(True) above gave the combo its line edit
        village_edit.setPlaceholderText("选择或输入村街，几个村用、分隔")
        self.add_field("village", "负责村街", self.village_combo)
        self.town_combo.currentIndexChanged.connect(self._on_town_changed)
        self._on_town_changed()

    def _on_town_changed(self) -> None:
        town_id = self.town_combo.currentData()
        self.village_combo.clear()
        for village in self.ctx.places.villages(town_id):
            self.village_combo.addItem(village.short_name)
        self.village_combo.setCurrentIndex(-1)
        self.village_combo.setEditText("")

    def value(self) -> DeviceRequest:
        return DeviceRequest(
            self.name_edit.text().strip(),
            self.village_combo.currentText().strip(),
            self.town_combo.currentText(),
        )

    def problems(self) -> list[tuple[str | None, str]]:
        value = self.value()
        problems: list[tuple[str | None, str]] = []
        if not value.name:
            problems.append(("name", "请给这台电脑起个名字，村里和镇上都会看到它。"))
        if not value.village:
            problems.append(("village", "请选择这台电脑负责的村街。"))
        return problems

    @classmethod
    def ask(cls, parent: QWidget | None, ctx: DeskContext) -> DeviceRequest | None:
        dialog = cls(ctx, parent)
        if dialog.exec() != FormDialog.DialogCode.Accepted:
            return None
        return dialog.value()
