"""Add or edit a 网格员 (grid member, cadre or party-member helper)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QRegularExpressionValidator, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain import validators as v
from xianghe_desk.domain.drafts import MemberDraft, clean_member
from xianghe_desk.domain.enums import MemberKind, MemberRole
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.models import Member
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.dialogs.resident_dialog import ID_PATTERN, PHONE_PATTERN
from xianghe_desk.ui.widgets.combos import set_combo_value
from xianghe_desk.ui.widgets.field_error import FieldError, FieldMessages, save_cancel_buttons
from xianghe_desk.ui.widgets.place_picker import PlacePicker

TOWN_LEVEL = "（镇级，不属于某个村街）"


class MemberDialog(QDialog):
    """The member form; ``edit()`` returns a cleaned MemberDraft or None. The caller saves it."""

    def __init__(
        self,
        parent: QWidget | None,
        ctx: DeskContext,
        member: Member | None = None,
        village_id: int | None = None,
        grid_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.member = member
        self.today = ctx.now().date()
        self.result_draft: MemberDraft | None = None
        self.messages = FieldMessages()
        self.setWindowTitle("修改网格员" if member else "新增网格员")
        self._init_fields()
        self._init_layout()
        self._init_signals()
        self._load(member, village_id, grid_id)

    @classmethod
    def edit(
        cls,
        parent: QWidget | None,
        ctx: DeskContext,
        member: Member | None = None,
        village_id: int | None = None,
        grid_id: int | None = None,
    ) -> MemberDraft | None:
        """Open the form on ``member``, or empty (in ``village_id``, responsible for ``grid_id``)."""
        dialog = cls(parent, ctx, member, village_id, grid_id)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return dialog.result_draft
            return None
        finally:
            dialog.deleteLater()

    # ---------------------------------------------------------------- building
    def _init_fields(self) -> None:
        self.name = QLineEdit()
        self.name.setMaxLength(v.NAME_MAX + 5)
        self.phone = QLineEdit()
        self.phone.setValidator(QRegularExpressionValidator(PHONE_PATTERN, self.phone))
        self.phone.setPlaceholderText("11 位手机号，群众和文员靠它联系")
        self.town = QComboBox()
        self.village = QComboBox()
        self.places = PlacePicker(self.ctx, self.town, self.village, None, (None, TOWN_LEVEL, None))
        self.grids = QListWidget()
        self.grids.setMaximumHeight(self.fontMetrics().height() * 7)
        self.grids_hint = QLabel()
        self.grids_hint.setWordWrap(True)
        self.grids_hint.setStyleSheet("color: #4a5568;")
        self.kind = QComboBox()
        for kind in MemberKind:
            self.kind.addItem(kind.label, kind.value)
        self.role = QComboBox()
        for role in MemberRole:
            self.role.addItem(role.label, role.value)
        self.is_party = QCheckBox("中共党员")
        self.id_number = QLineEdit()
        self.id_number.setValidator(QRegularExpressionValidator(ID_PATTERN, self.id_number))
        self.id_number.setPlaceholderText("可不填；填了要正确")
        self.active = QCheckBox("在岗（不在岗的人不能再接新派单，已办的工单照常保留）")
        self.active.setChecked(True)
        self.buttons = save_cancel_buttons()

    def _init_layout(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.messages.add_row(form, "姓名 *", self.name, "name")
        self.messages.add_row(form, "手机号 *", self.phone, "phone")
        self.messages.add_row(form, "所属镇 *", self.town, "town")
        self.messages.add_row(form, "所属村街", self.village, "village")
        grids = QWidget()
        column = QVBoxLayout(grids)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.grids)
        column.addWidget(self.grids_hint)
        self.messages.add_row(form, "负责网格", grids)
        kinds = QHBoxLayout()
        kinds.addWidget(self.kind)
        kinds.addWidget(QLabel("身份"))
        kinds.addWidget(self.role, 1)
        kinds.addWidget(self.is_party)
        form.addRow("类型", kinds)
        self.messages.add_row(form, "身份证号", self.id_number, "id_number")
        form.addRow("", self.active)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self.form_message = FieldError(self)
        layout.addWidget(self.form_message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 36)

    def _init_signals(self) -> None:
        self.buttons.accepted.connect(self.accept)
        # Ctrl+S saves, as in the request form.
        QShortcut(QKeySequence.StandardKey.Save, self).activated.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.places.changed.connect(self._on_place_changed)
        self.name.editingFinished.connect(self._check_name)
        self.name.textChanged.connect(self._on_name_changed)
        self.phone.editingFinished.connect(lambda: self._check_phone(finished=True))
        self.phone.textChanged.connect(lambda _t: self._check_phone(finished=False))
        self.id_number.textChanged.connect(lambda _t: self._check_id(finished=False))
        self.id_number.editingFinished.connect(lambda: self._check_id(finished=True))

    def _load(self, member: Member | None, village_id: int | None, grid_id: int | None) -> None:
        if member is None:
            town_id = self.ctx.home_place()[0]
            if village_id is not None:
                village = self.ctx.places.village(village_id)
                town_id = village.town_id if village else town_id
            self.places.set_place(town_id, village_id)
            self._fill_grids({grid_id} if grid_id else set())
            return
        self.places.set_place(member.town_id, member.village_id)
        self._fill_grids(set(member.grid_ids))
        self.name.setText(member.name)
        self.phone.setText(member.phone)
        set_combo_value(self.kind, member.kind.value)
        set_combo_value(self.role, member.role.value)
        self.is_party.setChecked(member.is_party)
        self.id_number.setText(member.id_number or "")
        self.active.setChecked(member.active)

    def _fill_grids(self, checked: set[int]) -> None:
        """The chosen village's grids as check boxes (a member may look after several)."""
        self.grids.clear()
        village_id = self.places.village_id()
        grids = self.ctx.places.grids(village_id) if village_id is not None else []
        for grid in grids:
            item = QListWidgetItem(f"{grid.name}" + (f"（{grid.number}）" if grid.number else ""))
            item.setData(Qt.ItemDataRole.UserRole, grid.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if grid.id in checked else Qt.CheckState.Unchecked)
            self.grids.addItem(item)
        if village_id is None:
            self.grids_hint.setText("镇级人员不固定负责网格；要负责网格，请先选村街。")
        elif not grids:
            self.grids_hint.setText("这个村街还没有网格，可在「网格」中先新增网格。")
        else:
            self.grids_hint.setText("勾选此人负责的网格，可多选。")
        self.grids.setEnabled(bool(grids))

    def checked_grids(self) -> tuple[int, ...]:
        ids = []
        for row in range(self.grids.count()):
            item = self.grids.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                ids.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return tuple(ids)

    # ---------------------------------------------------------------- live checks
    def _update_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not self.messages.has_errors())

    def _on_place_changed(self) -> None:
        self._fill_grids(set(self.checked_grids()))

    def _on_name_changed(self, _text: str) -> None:
        """Once the name was refused, check it again as it is corrected."""
        if self.messages["name"].is_error():
            self._check_name()

    def _check_name(self) -> None:
        text = self.name.text()
        message = None
        if text.strip():
            try:
                v.validate_name(text)
            except ValidationError as exc:
                message = exc.message
        self.messages["name"].set_error(message)
        self._update_ok()

    def _check_phone(self, finished: bool) -> None:
        label = self.messages["phone"]
        text = self.phone.text()
        digits = sum(ch.isdigit() for ch in text)
        if not (finished or label.is_error() or digits >= 11):
            return
        label.set_error(v.validate_phone(text))
        self._update_ok()

    def _check_id(self, finished: bool) -> None:
        label = self.messages["id_number"]
        compact = v.normalize_text(self.id_number.text()).replace(" ", "")
        if not compact:
            label.clear_message()
        elif len(compact) < 18 and not finished:
            label.set_hint(f"已输入 {len(compact)} 位，身份证号共 18 位")
        else:
            label.set_error(v.validate_id_number(compact, self.today))
        self._update_ok()

    # ---------------------------------------------------------------- result
    def check(self) -> MemberDraft | None:
        town_id = self.places.town_id()
        problems: list[tuple[str | None, str]] = []
        if town_id is None:
            problems.append(("town", "请选择所属镇。"))
        draft = MemberDraft(
            name=self.name.text(),
            phone=self.phone.text(),
            town_id=town_id or 0,
            village_id=self.places.village_id(),
            kind=MemberKind(self.kind.currentData()),
            role=MemberRole(self.role.currentData()),
            is_party=self.is_party.isChecked(),
            id_number=self.id_number.text(),
            active=self.active.isChecked(),
            grid_ids=self.checked_grids(),
        )
        cleaned = None
        try:
            cleaned = clean_member(draft, self.today)
        except ValidationError as exc:
            problems = exc.problems + problems
        self.messages.show_only(problems, fallback="name", general=self.form_message)
        self._update_ok()
        return None if problems else cleaned

    def accept(self) -> None:
        draft = self.check()
        if draft is None:
            return
        self.result_draft = draft
        super().accept()
