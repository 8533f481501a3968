"""受理登记: the form a clerk fills while the resident is on the phone or at the counter.

Unlike the small action dialogs this one runs its own save (operations.requests.register_request
through ``run_op``): the operation may refuse the input (a duplicate external number, an ID number
already registered to someone else, a village outside the clerk's scope), and the clerk must see
that next to the field while the typed text is still there.
"""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import QDate, QDateTime, QModelIndex, Qt, QTime
from PySide6.QtGui import QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain import validators
from xianghe_desk.domain.access import mask_phone
from xianghe_desk.domain.drafts import RequestDraft, ResidentDraft, clean_request, clean_resident
from xianghe_desk.domain.enums import CategoryGroup, Urgency
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.models import Resident, ServiceRequest
from xianghe_desk.domain.queries import PersonFilter
from xianghe_desk.operations.requests import Registered, register_request
from xianghe_desk.services.people import mask_id_number
from xianghe_desk.ui import printing
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.dialogs.dispatch_dialog import member_label
from xianghe_desk.ui.errors import show_job_failure
from xianghe_desk.ui.operations import run_op
from xianghe_desk.ui.settings import REGISTER_GEOMETRY, desk_settings
from xianghe_desk.ui.widgets.combos import SearchableComboBox, combo_value, fill_combo, set_combo_value
from xianghe_desk.ui.widgets.date_edit import DeskDateTimeEdit
from xianghe_desk.ui.widgets.field_error import FieldMessage, FormErrors
from xianghe_desk.ui.widgets.fmt import WARNING_SIGN, fmt_dt
from xianghe_desk.ui.widgets.look import CAUTION, set_text_colour

log = logging.getLogger(__name__)

RESIDENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
NAME_ROLE = Qt.ItemDataRole.UserRole + 2
COMPLETER_LIMIT = 20

# Where the residents service's field names go on this form.
RESIDENT_FIELDS = {"name": "person_name", "phone": "person_phone", "id_number": "person_id_number"}


def _qdatetime(value: datetime) -> QDateTime:
    """The local ``value`` as a QDateTime, to the millisecond."""
    return QDateTime(
        QDate(value.year, value.month, value.day),
        QTime(value.hour, value.minute, value.second, value.microsecond // 1000),
    )


class RegisterRequestDialog(QDialog):
    """The 受理登记 form. Ctrl+S saves; Ctrl+Enter saves and prints the work order; Esc asks first."""

    def __init__(
        self, ctx: DeskContext, parent: QWidget | None = None, resident_id: int | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.lookups = ctx.lookups
        self.resident: Resident | None = None
        self.saved: ServiceRequest | None = None
        self.print_requested = False
        self._saving = False
        self._adding_resident = False
        self._filling = False
        self.setWindowTitle("受理登记")
        self._init_widgets()
        self._init_lookups()
        self._init_shortcuts()
        self._restore_geometry()
        if resident_id is not None:
            self.choose_resident(ctx.residents.get(resident_id))
        self.update_due_preview()
        self.name_edit.setFocus()

    # ------------------------------------------------------------------ building
    def _message(self, field: str, widget: QWidget, *aliases: str) -> QWidget:
        """``widget`` with a message line below it, registered for ``field``."""
        holder = QWidget(self)
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        column.addWidget(widget)
        message = FieldMessage(holder)
        column.addWidget(message)
        self.errors.add(field, message, widget, *aliases)
        return holder

    def _init_widgets(self) -> None:
        layout = QVBoxLayout(self)
        self.general_message = FieldMessage(self)
        self.errors = FormErrors(self.general_message)
        columns = QGridLayout()
        columns.setColumnStretch(0, 1)
        columns.setColumnStretch(1, 1)
        layout.addLayout(columns, 1)

        # -- 服务对象
        person_box = QGroupBox("服务对象", self)
        person = QFormLayout(person_box)
        self.name_edit = QLineEdit(person_box)
        self.name_edit.setPlaceholderText("输入姓名或拼音首字母查找，如「张三」或「zs」")
        self.completer_model = QStandardItemModel(self)
        self.completer = QCompleter(self.completer_model, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCompletionRole(NAME_ROLE)
        self.completer.setMaxVisibleItems(10)
        self.name_edit.setCompleter(self.completer)
        # PySide6's stubs lack SignalInstance.__getitem__, which picks one of an overloaded signal's signatures
        self.completer.activated[QModelIndex].connect(self._on_completer_activated)  # type: ignore[index]
        self.name_edit.textEdited.connect(self._on_name_edited)
        person.addRow("姓名", self._message("person_name", self.name_edit, "resident"))
        self.resident_label = QLabel(person_box)
        self.resident_label.setWordWrap(True)
        person.addRow("", self.resident_label)
        self.phone_edit = QLineEdit(person_box)
        self.phone_edit.setPlaceholderText("手机号或座机号")
        self.phone_edit.editingFinished.connect(self._on_phone_finished)
        person.addRow("联系电话", self._message("person_phone", self.phone_edit))
        self.id_edit = QLineEdit(person_box)
        self.id_edit.setPlaceholderText("18位身份证号（选填）")
        self.id_edit.setMaxLength(18)
        self.id_edit.editingFinished.connect(self._on_id_finished)
        person.addRow("身份证号", self._message("person_id_number", self.id_edit))
        self.new_resident_check = QCheckBox("同时登记为新的服务对象（以后可直接选择）", person_box)
        self.new_resident_check.setEnabled(False)
        person.addRow("", self.new_resident_check)
        columns.addWidget(person_box, 0, 0)

        # -- 属地与承办
        place_box = QGroupBox("属地与承办", self)
        place = QFormLayout(place_box)
        self.town_combo = QComboBox(place_box)
        self.town_combo.currentIndexChanged.connect(self._on_town_changed)
        place.addRow("所属镇", self.town_combo)
        self.village_combo = SearchableComboBox(place_box)
        self.village_combo.currentIndexChanged.connect(self._on_village_changed)
        place.addRow("村街", self._message("village", self.village_combo, "village_id"))
        self.grid_combo = QComboBox(place_box)
        self.grid_combo.currentIndexChanged.connect(self._on_grid_changed)
        place.addRow("网格", self._message("grid", self.grid_combo, "grid_id"))
        self.handler_combo = SearchableComboBox(place_box)
        place.addRow("承办人", self._message("handler", self.handler_combo))
        handler_hint = QLabel("选了承办人，保存时即派单；选「暂不派单」则工单待派单。", place_box)
        handler_hint.setWordWrap(True)
        place.addRow("", handler_hint)
        columns.addWidget(place_box, 1, 0)

        # -- 诉求
        request_box = QGroupBox("诉求", self)
        req = QFormLayout(request_box)
        self.received_edit = DeskDateTimeEdit(request_box)
        self.received_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.received_edit.setCalendarPopup(True)
        now = self.ctx.now()
        self.received_edit.setDateTime(_qdatetime(now.replace(second=0)))
        self.received_edit.setMaximumDateTime(_qdatetime(now))
        self.received_edit.dateTimeChanged.connect(self.update_due_preview)
        req.addRow("受理时间", self._message("received_at", self.received_edit))
        self.channel_combo = QComboBox(request_box)
        req.addRow("来源渠道", self._message("channel", self.channel_combo))
        self.external_edit = QLineEdit(request_box)
        self.external_edit.setPlaceholderText("12345 等平台的编号（选填）")
        req.addRow("外部编号", self._message("external_number", self.external_edit))
        self.category_combo = QComboBox(request_box)
        self.category_combo.currentIndexChanged.connect(self.update_due_preview)
        req.addRow("问题类别", self._message("category", self.category_combo))
        urgency_row = QWidget(request_box)
        urgency_layout = QHBoxLayout(urgency_row)
        urgency_layout.setContentsMargins(0, 0, 0, 0)
        self.urgency_group = QButtonGroup(urgency_row)
        self.normal_radio = QRadioButton("一般", urgency_row)
        self.urgent_radio = QRadioButton("紧急（2小时内办结）", urgency_row)
        self.normal_radio.setChecked(True)
        for button in (self.normal_radio, self.urgent_radio):
            self.urgency_group.addButton(button)
            urgency_layout.addWidget(button)
            button.toggled.connect(self.update_due_preview)
        urgency_layout.addStretch(1)
        req.addRow("紧急程度", urgency_row)
        self.content_edit = QPlainTextEdit(request_box)
        self.content_edit.setTabChangesFocus(True)
        self.content_edit.setPlaceholderText("群众要办什么事、遇到了什么问题（必填）")
        self.content_edit.setMinimumHeight(self.fontMetrics().height() * 6)
        req.addRow("诉求内容", self._message("content", self.content_edit))
        self.due_label = QLabel(request_box)
        self.due_label.setWordWrap(True)
        req.addRow("办理时限", self.due_label)
        self.calendar_warning = QLabel(request_box)
        self.calendar_warning.setWordWrap(True)
        set_text_colour(self.calendar_warning, CAUTION)
        self.calendar_warning.setVisible(False)
        req.addRow("", self.calendar_warning)
        columns.addWidget(request_box, 0, 1, 2, 1)

        layout.addWidget(self.general_message)
        buttons = QHBoxLayout()
        self.shortcut_hint = QLabel("Ctrl+S 保存", self)
        buttons.addWidget(self.shortcut_hint)
        buttons.addStretch(1)
        self.save_button = QPushButton("保存", self)
        self.save_button.setDefault(False)
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(lambda: self.save(print_after=False))
        self.save_print_button = QPushButton("保存并打印工单", self)
        self.save_print_button.setAutoDefault(False)
        self.save_print_button.clicked.connect(lambda: self.save(print_after=True))
        self.shortcut_hint.setText("Ctrl+S 保存　Ctrl+Enter 保存并打印")
        self.cancel_button = QPushButton("取消", self)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        for push in (self.save_button, self.save_print_button, self.cancel_button):
            buttons.addWidget(push)
        layout.addLayout(buttons)

    def _init_lookups(self) -> None:
        self._filling = True
        try:
            fill_combo(self.channel_combo, [(c.name, c.code) for c in self.lookups.channels()])
            categories = self.lookups.categories()
            self.category_groups = {c.code: c.group_code for c in categories}
            fill_combo(
                self.category_combo,
                [(f"{self.lookups.group_label(c.group_code)} · {c.name}", c.code) for c in categories],
                none_label="请选择问题类别",
            )
            home, own_village = self.ctx.home_place()
            # Only the towns and villages the signed-in clerk may register for (issue #9).
            towns = self.ctx.towns_in_scope()
            fill_combo(
                self.town_combo,
                [(t.name, t.id) for t in towns],
                none_label=None if self.ctx.who.limited and len(towns) == 1 else "请选择镇",
            )
            if home is not None:
                set_combo_value(self.town_combo, home)
        finally:
            self._filling = False
        self._on_town_changed()
        if own_village is not None:
            set_combo_value(self.village_combo, own_village)
            self._on_village_changed()

    def _init_shortcuts(self) -> None:
        QShortcut(QKeySequence("Ctrl+S"), self, lambda: self.save(print_after=False))
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self._on_save_and_print_shortcut)

    def _restore_geometry(self) -> None:
        state = desk_settings().get(REGISTER_GEOMETRY)
        if not state or not self.restoreGeometry(state):
            height = self.fontMetrics().height()
            self.resize(min(62 * height, 1180), min(38 * height, 690))

    # ------------------------------------------------------------------ places and handler
    def _on_town_changed(self, *_args: object) -> None:
        if self._filling:
            return
        town_id = combo_value(self.town_combo)
        villages = self.ctx.villages_in_scope(town_id, include_virtual=True) if town_id is not None else []
        fill_combo(self.village_combo, [(v.short_name, v.id) for v in villages], none_label="请选择村街")
        self._on_village_changed()

    def _on_village_changed(self, *_args: object) -> None:
        if self._filling:
            return
        village_id = combo_value(self.village_combo)
        grids = self.ctx.places.grids(village_id) if village_id is not None else []
        fill_combo(self.grid_combo, [(g.name, g.id) for g in grids], none_label="（不指定网格）")
        self._on_grid_changed()

    def _on_grid_changed(self, *_args: object) -> None:
        if self._filling:
            return
        village_id = combo_value(self.village_combo)
        grid_id = combo_value(self.grid_combo)
        members = self.ctx.members.handlers_for(village_id, grid_id) if village_id is not None else []
        grid_ids = (grid_id,) if grid_id else ()
        fill_combo(
            self.handler_combo,
            [(member_label(m, grid_ids), m.id) for m in members],
            none_label="暂不派单",
            keep=False,
        )
        default = self.ctx.members.default_handler(grid_id)
        if default is not None:
            set_combo_value(self.handler_combo, default.id)

    def set_place(self, town_id: int | None, village_id: int | None, grid_id: int | None) -> None:
        """Choose town, village and grid (and so the grid's default handler) in one go."""
        set_combo_value(self.town_combo, town_id)
        self._on_town_changed()
        set_combo_value(self.village_combo, village_id)
        self._on_village_changed()
        set_combo_value(self.grid_combo, grid_id)
        self._on_grid_changed()

    # ------------------------------------------------------------------ resident
    def _on_name_edited(self, text: str) -> None:
        if self.resident is not None and text.strip() != self.resident.name:
            self._forget_resident()
        self.refresh_matches(text)
        self._update_new_resident_check()

    def refresh_matches(self, text: str) -> list[Resident]:
        """Fill the completer with residents matching ``text`` (name, initials, phone)."""
        text = text.strip()
        self.completer_model.clear()
        if not text:
            return []
        town_id = self.ctx.home_place()[0]
        found = self.ctx.residents.list(PersonFilter(town_id=town_id, text=text), 0, COMPLETER_LIMIT)
        for resident in found:
            tags = "、".join(t.label for t in resident.care_tags[:2])
            where = f"{resident.village_name} {resident.grid_name}".strip()
            item = QStandardItem(
                f"{resident.name}　{where}"
                + (f"　{tags}" if tags else "")
                + (f"　{mask_phone(resident.phone)}" if resident.phone else "")
            )
            item.setData(resident.id, RESIDENT_ID_ROLE)
            item.setData(resident.name, NAME_ROLE)
            self.completer_model.appendRow(item)
        if found and self.name_edit.hasFocus():
            self.completer.complete()
        if not found:
            self.resident_label.setText(
                f"服务对象中没有「{text}」。可以只登记联系人，或勾选下面的「同时登记为新的服务对象」。"
            )
        else:
            self.resident_label.setText(f"找到 {len(found)} 位，请从列表中选择（↓ 键选择，回车确认）。")
        return found

    def _on_completer_activated(self, index: QModelIndex) -> None:
        resident_id = index.data(RESIDENT_ID_ROLE)
        if resident_id is not None:
            self.choose_resident(self.ctx.residents.get(int(resident_id)))

    def choose_resident(self, resident: Resident) -> None:
        """Take the resident's name, phone, ID number and place; the grid's default handler follows."""
        self.resident = resident
        self.name_edit.setText(resident.name)
        self.phone_edit.setText(resident.phone)
        self.id_edit.setText(mask_id_number(resident.id_number))
        self.id_edit.setReadOnly(True)
        self.id_edit.setToolTip("已登记的服务对象：身份证号在「服务对象」中修改")
        tags = "、".join(t.label for t in resident.care_tags)
        self.resident_label.setText(
            f"已选：{resident.name}，{resident.town_name} {resident.village_name} {resident.grid_name}"
            + (f"，{tags}" if tags else "")
        )
        self.set_place(resident.town_id, resident.village_id, resident.grid_id)
        self._update_new_resident_check()
        self.errors.fields["person_name"].clear_message()

    def _forget_resident(self) -> None:
        self.resident = None
        self.id_edit.setReadOnly(False)
        self.id_edit.setToolTip("")
        if "*" in self.id_edit.text():
            self.id_edit.clear()
        self.resident_label.clear()

    def _update_new_resident_check(self) -> None:
        possible = self.resident is None and bool(self.name_edit.text().strip())
        self.new_resident_check.setEnabled(possible)
        if not possible:
            self.new_resident_check.setChecked(False)

    def _on_phone_finished(self) -> None:
        self._check_one("person_phone", self.phone_edit.text(), validators.normalize_phone)

    def _on_id_finished(self) -> None:
        if self.resident is None:
            self._check_one(
                "person_id_number",
                self.id_edit.text(),
                lambda text: validators.parse_id_number(text, today=self.ctx.now().date()),
            )

    def _check_one(self, field: str, text: str, check: object) -> None:
        """Live check of one field when the clerk leaves it (the full check runs again on save)."""
        message = ""
        if validators.normalize_text(text):
            try:
                check(validators.normalize_text(text))  # type: ignore[operator]
            except ValidationError as exc:
                message = exc.message
        self.errors.fields[field].show_message(message)

    # ------------------------------------------------------------------ due time
    def urgency(self) -> Urgency:
        return Urgency.URGENT if self.urgent_radio.isChecked() else Urgency.NORMAL

    def received_at(self) -> datetime:
        value = self.received_edit.dateTime().toPython()
        assert isinstance(value, datetime)
        return value.replace(second=0, microsecond=0)

    def update_due_preview(self, *_args: object) -> None:
        category = combo_value(self.category_combo)
        if category is None:
            self.due_label.setText("选择问题类别后显示")
            self.calendar_warning.setVisible(False)
            return
        preview = self.ctx.requests.preview_due(self.received_at(), self.urgency(), category)
        self.due_label.setText(f"<b>{fmt_dt(preview.due_at)}</b> 前办结（{preview.rule}）")
        # Only a rule that counts working days depends on the holiday calendar.
        counts_workdays = (
            self.urgency() is Urgency.NORMAL
            and self.category_groups.get(category) == CategoryGroup.AGENT.value
        )
        unknown = counts_workdays and not preview.calendar_known
        self.calendar_warning.setVisible(unknown)
        if unknown:
            self.calendar_warning.setText(
                f"{WARNING_SIGN} 本程序还没有 {preview.due_at.year} 年的法定节假日安排，暂按周一至周五计算工作日，"
                "时限可能不准。请管理员在「设置 → 节假日」中按国务院的放假通知录入这一年的节假日，或安装新版本程序。"
            )

    # ------------------------------------------------------------------ saving
    def draft(self) -> RequestDraft:
        resident = self.resident
        return RequestDraft(
            channel=combo_value(self.channel_combo) or "",
            category=combo_value(self.category_combo) or "",
            content=self.content_edit.toPlainText(),
            village_id=combo_value(self.village_combo) or 0,
            received_at=self.received_at(),
            urgency=self.urgency(),
            grid_id=combo_value(self.grid_combo),
            resident_id=resident.id if resident else None,
            person_name=self.name_edit.text(),
            person_phone=self.phone_edit.text(),
            person_id_number="" if resident else self.id_edit.text(),
            external_number=self.external_edit.text(),
        )

    def new_resident_draft(self) -> ResidentDraft | None:
        if not (self.new_resident_check.isEnabled() and self.new_resident_check.isChecked()):
            return None
        return ResidentDraft(
            name=self.name_edit.text(),
            village_id=combo_value(self.village_combo) or 0,
            id_number=self.id_edit.text(),
            phone=self.phone_edit.text(),
            grid_id=combo_value(self.grid_combo),
        )

    def problems(self) -> list[tuple[str | None, str]]:
        """Everything wrong with the form, each tied to its field (the services check again)."""
        problems: list[tuple[str | None, str]] = []
        now = self.ctx.now()
        try:
            clean_request(self.draft(), now)
        except ValidationError as exc:
            problems += exc.problems
        if combo_value(self.village_combo) is None:
            problems.append(("village", "请选择村街：工单要落到具体村街，才能派给网格员。"))
        resident = self.new_resident_draft()
        if resident is not None:
            if not resident.name.strip():
                problems.append(("person_name", "请填写服务对象的姓名。"))
            elif resident.village_id:
                try:
                    clean_resident(resident, now.date())
                except ValidationError as exc:
                    problems += [(RESIDENT_FIELDS.get(f or "", f), m) for f, m in exc.problems]
        # One message per field is enough.
        seen: set[str | None] = set()
        unique = []
        for field, message in problems:
            if field not in seen:
                seen.add(field)
                unique.append((field, message))
        return unique

    def is_dirty(self) -> bool:
        return any(
            (
                self.name_edit.text().strip(),
                self.phone_edit.text().strip(),
                self.external_edit.text().strip(),
                self.content_edit.toPlainText().strip(),
            )
        )

    def _on_save_and_print_shortcut(self) -> None:
        self.save(print_after=True)

    def save(self, print_after: bool = False, override: bool = False) -> bool:
        """Check the form and submit the save job; False when the form still has problems."""
        if self._saving:
            return False
        problems = self.problems()
        if problems:
            first = self.errors.show(problems)
            if first is not None:
                first.setFocus()
            return False
        self.errors.clear()
        self.print_requested = print_after
        self._set_saving(True)
        new_resident = self.new_resident_draft()
        self._adding_resident = new_resident is not None
        run_op(
            self.ctx,
            self,
            register_request,
            self.draft(),
            combo_value(self.handler_combo),
            new_resident,
            override=override,
            on_done=self._on_save_finished,
            on_problems=self._on_save_refused,
            on_failed=self._on_save_failed,
        )
        return True

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        for button in (self.save_button, self.save_print_button, self.cancel_button):
            button.setEnabled(not saving)
        self.save_button.setText("正在保存…" if saving else "保存")

    def _on_save_finished(self, registered: Registered) -> None:
        # run_op has told the lists (requests_changed, residents_changed for a new resident).
        self._set_saving(False)
        self.saved = registered.request
        desk_settings().set(REGISTER_GEOMETRY, bytes(self.saveGeometry().data()))
        super().accept()

    def _on_save_refused(self, problems: list[tuple[str | None, str]]) -> None:
        """The operation's refusal, each message next to its field (a new resident's fields are
        the form's 姓名 / 联系电话 / 身份证号)."""
        self._set_saving(False)
        moved = [m for f, m in problems if f == "resident_status"]
        if moved and len(problems) == 1:
            # The resident moved away or died (issue #11): only a deliberate 「仍要登记」 goes on.
            answer = QMessageBox.question(
                self,
                "服务对象已迁出或去世",
                moved[0] + "\n\n仍要登记这张工单吗？",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer == QMessageBox.StandardButton.Yes:
                self.save(self.print_requested, override=True)
                return
        if self._adding_resident:
            problems = [(RESIDENT_FIELDS.get(f or "", f), m) for f, m in problems]
        first = self.errors.show(problems)
        if first is not None:
            first.setFocus()

    def _on_save_failed(self, message: str, is_bug: bool) -> None:
        self._set_saving(False)
        if is_bug:
            show_job_failure(self, message, is_bug)
        else:
            self.errors.show([(None, message)])

    def accept(self) -> None:
        self.save(print_after=False)

    def reject(self) -> None:
        if self._saving:
            return
        if self.is_dirty():
            answer = QMessageBox.question(
                self,
                "放弃登记？",
                "已填写的内容还没有保存，关闭后将丢失。确定放弃吗？",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                return
        desk_settings().set(REGISTER_GEOMETRY, bytes(self.saveGeometry().data()))
        super().reject()

    def discard(self) -> None:
        """Close without asking and without saving (the window is being torn down)."""
        self._saving = False
        super().reject()

    # ------------------------------------------------------------------ entry point
    @classmethod
    def register(
        cls, parent: QWidget | None, ctx: DeskContext, resident_id: int | None = None
    ) -> ServiceRequest | None:
        """Open the form; returns the saved request (printed too if the clerk asked), or None."""
        dialog = cls(ctx, parent, resident_id)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        saved, print_requested = dialog.saved, dialog.print_requested
        dialog.deleteLater()
        if not accepted or saved is None:
            return None
        if print_requested:
            printing.print_work_orders(parent, ctx, [saved.id])
        return saved
