"""Add or edit a 服务对象 (resident in need): every field of the contract, checked as it is typed."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QRegularExpression, Qt
from PySide6.QtGui import QKeySequence, QRegularExpressionValidator, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain import validators as v
from xianghe_desk.domain.drafts import ResidentDraft, clean_resident
from xianghe_desk.domain.enums import CareTag, Living, Sex
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.models import Resident
from xianghe_desk.domain.queries import PersonFilter
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.widgets.combos import SearchableComboBox, fill_combo, set_combo_value
from xianghe_desk.ui.widgets.date_edit import DeskDateEdit
from xianghe_desk.ui.widgets.field_error import FieldError, FieldMessages, save_cancel_buttons
from xianghe_desk.ui.widgets.place_picker import PlacePicker

# What the keyboard may put in: digits (full-width too, as some input methods type them) and X.
ID_PATTERN = QRegularExpression(r"[0-9０-９]{0,17}[0-9０-９Xx]?")
PHONE_PATTERN = QRegularExpression(r"[0-9０-９+\- ]{0,20}")
NO_DATE = QDate(1900, 1, 1)  # the QDateEdit's minimum, shown as 「未填」


def _qdate(value: date | None) -> QDate:
    return QDate(value.year, value.month, value.day) if value else NO_DATE


def _pydate(value: QDate) -> date | None:
    return None if value == NO_DATE else date(value.year(), value.month(), value.day())


class ResidentDialog(QDialog):
    """The resident form. ``edit()`` returns a cleaned draft (sex and birth date filled from the ID
    number) or None; the caller saves it."""

    def __init__(
        self,
        parent: QWidget | None,
        ctx: DeskContext,
        resident: Resident | None = None,
        draft: ResidentDraft | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.resident = resident
        self.today = ctx.now().date()
        self.result_draft: ResidentDraft | None = None
        self._members_town: int | None = None
        self.warnings: list[str] = []
        self.messages = FieldMessages()
        self.setWindowTitle("修改服务对象" if resident else "新增服务对象")
        self._init_fields()
        self._init_layout()
        self._init_signals()
        self._load(resident, draft)

    @classmethod
    def edit(
        cls,
        parent: QWidget | None,
        ctx: DeskContext,
        resident: Resident | None = None,
        draft: ResidentDraft | None = None,
    ) -> ResidentDraft | None:
        """Open the form (on ``resident`` to edit, empty or prefilled with ``draft`` to add)."""
        dialog = cls(parent, ctx, resident, draft)
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
        self.name.setPlaceholderText("如：张秀英")
        self.id_number = QLineEdit()
        self.id_number.setValidator(QRegularExpressionValidator(ID_PATTERN, self.id_number))
        self.id_number.setPlaceholderText("18 位，填了会自动带出性别和出生日期")
        self.sex = QComboBox()
        self.sex.addItem("未填", None)
        for sex in Sex:
            self.sex.addItem(sex.label, sex.value)
        self.birth_date = DeskDateEdit()  # Tab leaves it, even at 「未填」
        self.birth_date.setDisplayFormat("yyyy-MM-dd")
        self.birth_date.setCalendarPopup(True)
        self.birth_date.setMinimumDate(NO_DATE)
        self.birth_date.setMaximumDate(_qdate(self.today))
        self.birth_date.setSpecialValueText("未填")
        self.birth_date.setDate(NO_DATE)
        self.phone = QLineEdit()
        self.emergency_phone = QLineEdit()
        for phone in (self.phone, self.emergency_phone):
            phone.setValidator(QRegularExpressionValidator(PHONE_PATTERN, phone))
            phone.setPlaceholderText("手机 11 位，或 0316-5123456")
        self.emergency_name = QLineEdit()
        self.emergency_name.setMaxLength(40)
        self.town = QComboBox()
        self.village = SearchableComboBox()
        self.grid = QComboBox()
        self.places = PlacePicker(
            self.ctx, self.town, self.village, self.grid, (None, "请选择村街", "未分网格")
        )
        self.address = QLineEdit()
        self.address.setMaxLength(200)
        self.address.setPlaceholderText("如：王刘圈村三街 12 号")
        self.living = QComboBox()
        self.living.addItem("未填", None)
        for living in Living:
            self.living.addItem(living.label, living.value)
        self.linked_member = SearchableComboBox()
        self.care = {tag: QCheckBox(tag.label) for tag in CareTag}
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("身体状况、常需帮办的事项等")
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(self.fontMetrics().height() * 4)
        self.buttons = save_cancel_buttons()

    def _init_layout(self) -> None:
        person = QGroupBox("本人")
        left = QFormLayout(person)
        self.messages.add_row(left, "姓名 *", self.name, "name")
        self.messages.add_row(left, "身份证号", self.id_number, "id_number")
        self.messages.add_row(left, "性别", self.sex, "sex")
        self.messages.add_row(left, "出生日期", self.birth_date, "birth_date")
        self.messages.add_row(left, "联系电话", self.phone, "phone")
        self.messages.add_row(left, "紧急联系人", self.emergency_name)
        self.messages.add_row(left, "紧急联系电话", self.emergency_phone, "emergency_phone")
        where = QGroupBox("住址与联系")
        right = QFormLayout(where)
        self.messages.add_row(right, "所属镇 *", self.town, "town")
        self.messages.add_row(right, "所属村街 *", self.village, "village")
        self.messages.add_row(right, "所属网格", self.grid, "grid")
        self.messages.add_row(right, "居住地址", self.address)
        self.messages.add_row(right, "居住情况", self.living)
        self.messages.add_row(right, "联系党员", self.linked_member, "linked_member")
        care = QGroupBox("服务类别（可多选）")
        grid = QGridLayout(care)
        for number, box in enumerate(self.care.values()):
            grid.addWidget(box, number // 4, number % 4)
        for form in (left, right):
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        columns = QHBoxLayout()
        columns.addWidget(person, 1)
        columns.addWidget(where, 1)
        note = QFormLayout()
        self.messages.add_row(note, "备注", self.note)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(care)
        layout.addLayout(note)
        self.form_message = FieldError(self)
        layout.addWidget(self.form_message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 58)

    def _init_signals(self) -> None:
        self.buttons.accepted.connect(self.accept)
        # Ctrl+S saves, as in the request form.
        QShortcut(QKeySequence.StandardKey.Save, self).activated.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name.textChanged.connect(self._on_name_changed)
        self.name.editingFinished.connect(self._on_name_finished)
        self.id_number.textChanged.connect(self._on_id_changed)
        self.id_number.editingFinished.connect(self._on_id_finished)
        for field, edit in (("phone", self.phone), ("emergency_phone", self.emergency_phone)):
            edit.textChanged.connect(lambda _t, f=field, e=edit: self._check_phone(f, e, finished=False))
            edit.editingFinished.connect(lambda f=field, e=edit: self._check_phone(f, e, finished=True))
        self.places.changed.connect(self._on_place_changed)
        self.sex.currentIndexChanged.connect(lambda _i: self._clear("sex"))
        self.birth_date.dateChanged.connect(lambda _d: self._clear("birth_date"))

    def _load(self, resident: Resident | None, draft: ResidentDraft | None) -> None:
        if resident is not None:
            draft = ResidentDraft(
                name=resident.name,
                village_id=resident.village_id,
                id_number=resident.id_number or "",
                sex=resident.sex,
                birth_date=resident.birth_date,
                phone=resident.phone,
                grid_id=resident.grid_id,
                care_tags=resident.care_tags,
                living=resident.living,
                address=resident.address,
                emergency_name=resident.emergency_name,
                emergency_phone=resident.emergency_phone,
                linked_member_id=resident.linked_member_id,
                note=resident.note,
            )
        if draft is None:
            home = self.ctx.home_place()[0]
            self.places.set_place(home)
            self._fill_members(None)
            return
        self.places.set_place(None, draft.village_id or None, draft.grid_id)
        self._fill_members(draft.linked_member_id)
        self.name.setText(draft.name)
        self.id_number.setText(draft.id_number)
        set_combo_value(self.sex, draft.sex.value if draft.sex else None)
        self.birth_date.setDate(_qdate(draft.birth_date))
        self.phone.setText(draft.phone)
        self.emergency_name.setText(draft.emergency_name)
        self.emergency_phone.setText(draft.emergency_phone)
        self.address.setText(draft.address)
        set_combo_value(self.living, draft.living.value if draft.living else None)
        for tag, box in self.care.items():
            box.setChecked(tag in draft.care_tags)
        self.note.setPlainText(draft.note)
        self._update_ok()

    def _fill_members(self, keep: int | None) -> None:
        """Party members of the chosen town (the ones who take on 党员联系户)."""
        town_id = self.places.town_id()
        members = []
        if town_id is not None:
            found = self.ctx.members.list(PersonFilter(town_id=town_id, active_only=True), 0, 2000)
            members = [m for m in found if m.is_party or m.id == keep]
        if keep is not None and all(m.id != keep for m in members):
            try:
                members.append(self.ctx.members.get(keep))
            except ValidationError:
                keep = None
        self._members_town = town_id
        items = [(f"{m.name}（{m.village_name or m.town_name}）", m.id) for m in members]
        fill_combo(self.linked_member, items, "（无）", keep=False)
        set_combo_value(self.linked_member, keep)

    # ---------------------------------------------------------------- live checks
    def _clear(self, field: str) -> None:
        self.messages[field].clear_message()
        self._update_ok()

    def _update_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not self.messages.has_errors())

    def _on_name_changed(self, text: str) -> None:
        if self.messages["name"].is_error() and text.strip():
            self._on_name_finished()

    def _on_name_finished(self) -> None:
        text = self.name.text()
        if not text.strip():
            self._clear("name")
            return
        try:
            v.validate_name(text)
        except ValidationError as exc:
            self.messages["name"].set_error(exc.message)
        else:
            self.messages["name"].clear_message()
        self._update_ok()

    def _on_id_changed(self, text: str) -> None:
        compact = v.normalize_text(text).replace(" ", "")
        if len(compact) >= 18:
            self._check_id(finished=True)
        elif compact:
            self._set_derived(None)
            self.messages["id_number"].set_hint(f"已输入 {len(compact)} 位，身份证号共 18 位")
            self._update_ok()
        else:
            self._set_derived(None)
            self._clear("id_number")

    def _on_id_finished(self) -> None:
        if v.normalize_text(self.id_number.text()):
            self._check_id(finished=True)

    def _check_id(self, finished: bool) -> None:
        label = self.messages["id_number"]
        try:
            info = v.parse_id_number(self.id_number.text(), today=self.today)
        except ValidationError as exc:
            self._set_derived(None)
            label.set_error(exc.message)
        else:
            self._set_derived(info)
            if info.warnings:
                label.set_warning("；".join(info.warnings))
            else:
                label.set_hint(
                    f"已按身份证号填好性别（{info.sex.label}）和出生日期（{info.birth_date:%Y-%m-%d}）"
                )
        self._update_ok()

    def _set_derived(self, info: v.IdInfo | None) -> None:
        """A valid ID number decides sex and birth date; the fields show them and stay locked."""
        locked = info is not None
        if info is not None:
            set_combo_value(self.sex, info.sex.value)
            self.birth_date.setDate(_qdate(info.birth_date))
            self.messages["sex"].clear_message()
            self.messages["birth_date"].clear_message()
        self.sex.setEnabled(not locked)
        self.birth_date.setEnabled(not locked)

    def _check_phone(self, field: str, edit: QLineEdit, finished: bool) -> None:
        label = self.messages[field]
        text = edit.text()
        digits = sum(ch.isdigit() for ch in text)
        if not v.normalize_text(text):
            self._clear(field)
            return
        # While typing, judge only a number that looks complete (or one already marked wrong).
        if not (finished or label.is_error() or digits >= 11):
            return
        message = v.validate_phone(text)
        if message:
            label.set_error(message)
        else:
            label.clear_message()
        self._update_ok()

    def _on_place_changed(self) -> None:
        self._clear("village")
        if self.places.town_id() != self._members_town:
            self._fill_members(self.linked_member.currentData())

    # ---------------------------------------------------------------- result
    def _raw_draft(self) -> ResidentDraft:
        return ResidentDraft(
            name=self.name.text(),
            village_id=self.places.village_id() or 0,
            id_number=self.id_number.text(),
            sex=Sex(self.sex.currentData()) if self.sex.currentData() else None,
            birth_date=_pydate(self.birth_date.date()),
            phone=self.phone.text(),
            grid_id=self.places.grid_id(),
            care_tags=tuple(tag for tag, box in self.care.items() if box.isChecked()),
            living=Living(self.living.currentData()) if self.living.currentData() else None,
            address=self.address.text(),
            emergency_name=self.emergency_name.text(),
            emergency_phone=self.emergency_phone.text(),
            linked_member_id=self.linked_member.currentData(),
            note=self.note.toPlainText(),
        )

    def check(self) -> ResidentDraft | None:
        """Every rule at once (as the service will apply them); messages go next to their fields."""
        draft = self._raw_draft()
        problems: list[tuple[str | None, str]] = []
        if self.places.village_id() is None:
            problems.append(("village", "请选择所属村街。"))
        cleaned = None
        try:
            cleaned, self.warnings = clean_resident(draft, self.today)
        except ValidationError as exc:
            problems = exc.problems + problems
        self.messages.show_only(problems, fallback="name", general=self.form_message)
        self._update_ok()
        if problems:
            first = problems[0][0]
            widget = {"name": self.name, "id_number": self.id_number, "phone": self.phone}.get(first or "")
            if widget is not None:
                widget.setFocus()
            return None
        return cleaned

    def accept(self) -> None:
        draft = self.check()
        if draft is None:
            return
        self.result_draft = draft
        super().accept()
