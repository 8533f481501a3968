"""The request list's filter bar: town, village, grid, handler, status, category, channel, urgency,
received dates and 「只看超期」, turned into a RequestFilter (and back, for saved filters)."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from xianghe_desk.domain.enums import Status, Urgency
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.models import LookupItem, Town, Village
from xianghe_desk.domain.queries import PersonFilter, RequestFilter
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.widgets.combos import SearchableComboBox, combo_value, fill_combo, set_combo_value
from xianghe_desk.ui.widgets.date_edit import DeskDateEdit
from xianghe_desk.ui.widgets.flow_layout import FlowLayout
from xianghe_desk.ui.widgets.search_box import SearchBox
from xianghe_desk.ui.widgets.tab_order import chain_tab_order

NO_DATE = QDate(2000, 1, 1)
_NOT_FILLED = object()


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


# Status choices: key → (label, statuses).
STATUS_CHOICES: dict[str, tuple[str, tuple[Status, ...]]] = {
    "open": ("未办结", (Status.RECEIVED, Status.DISPATCHED, Status.IN_PROGRESS)),
    "received": ("待派单", (Status.RECEIVED,)),
    "handling": ("已派单或办理中", (Status.DISPATCHED, Status.IN_PROGRESS)),
    "dispatched": ("已派单", (Status.DISPATCHED,)),
    "in_progress": ("办理中", (Status.IN_PROGRESS,)),
    "done": ("已办结（含已回访）", (Status.COMPLETED, Status.CLOSED)),
    "completed": ("已办结待回访", (Status.COMPLETED,)),
    "closed": ("已回访", (Status.CLOSED,)),
    "cancelled": ("已撤销", (Status.CANCELLED,)),
}

# Filter fields the bar shows; any other RequestFilter field is an 「另有条件」 extra.
BAR_FIELDS = {
    "town_id",
    "village_id",
    "grid_id",
    "handler_id",
    "statuses",
    "category",
    "category_group",
    "channel",
    "urgency",
    "received_from",
    "received_to",
    "overdue_only",
    "text",
}

EXTRA_LABELS = {
    "due_today": "今日到期",
    "not_printed": "未打印工单",
    "resident_id": "指定服务对象",
    "completed_from": "办结日期从",
    "completed_to": "办结日期到",
}


def status_key(statuses: tuple[Status, ...]) -> str | None:
    """The status choice matching ``statuses`` exactly (None: all, or a combination the bar lacks)."""
    wanted = set(statuses)
    for key, (_label, choice) in STATUS_CHOICES.items():
        if set(choice) == wanted:
            return key
    return None


class RequestFilterBar(QWidget):
    """Signals:
    filter_changed(): a bar field changed (the search box signals on its own, debounced).
    """

    filter_changed = Signal()

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.lookups = ctx.lookups
        self.extras: dict[str, Any] = {}
        self._quiet = False
        # The town the village and handler lists were last filled for (660 villages and 1,800
        # handlers at county scale: showing a filter for the same town need not read them again).
        self._villages_of: object = _NOT_FILLED
        self._handlers_of: object = _NOT_FILLED
        self._init_widgets()
        self.handler_combo.before_use = self._ensure_handlers
        self.reload_choices()

    def _init_widgets(self) -> None:
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)

        self.search = SearchBox(self, "搜索：姓名、拼音首字母、电话、工单编号或编号末4位（可扫码）")
        self.town_combo = QComboBox(self)
        self.village_combo = SearchableComboBox(self)
        self.grid_combo = QComboBox(self)
        self.handler_combo = SearchableComboBox(self)
        self.status_combo = QComboBox(self)
        self.category_combo = QComboBox(self)
        self.channel_combo = QComboBox(self)
        self.urgency_combo = QComboBox(self)
        self.from_edit = self._date_edit()
        self.to_edit = self._date_edit()
        self.overdue_check = QCheckBox("只看超期", self)
        self.clear_button = QPushButton("清空筛选", self)
        self.clear_button.setToolTip("恢复为显示全部工单")
        self.clear_button.clicked.connect(self.clear)
        for combo, width in (
            (self.town_combo, 7),
            (self.village_combo, 8),
            (self.grid_combo, 7),
            (self.handler_combo, 7),
            (self.status_combo, 7),
            (self.category_combo, 9),
            (self.channel_combo, 7),
            (self.urgency_combo, 4),
        ):
            combo.setMinimumContentsLength(width)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.clear_button)
        grid.addLayout(top, 0, 0)

        # The filters wrap onto more lines when the window is narrow or the text is large.
        filters = QWidget(self)
        flow = FlowLayout(filters)
        for label, widgets in (
            ("镇", (self.town_combo,)),
            ("村街", (self.village_combo,)),
            ("网格", (self.grid_combo,)),
            ("承办人", (self.handler_combo,)),
            ("状态", (self.status_combo,)),
            ("类别", (self.category_combo,)),
            ("渠道", (self.channel_combo,)),
            ("紧急程度", (self.urgency_combo,)),
            ("受理日期", (self.from_edit, QLabel("至", filters), self.to_edit)),
            ("", (self.overdue_check,)),
        ):
            pair = QWidget(filters)
            pair_layout = QHBoxLayout(pair)
            pair_layout.setContentsMargins(0, 0, 0, 0)
            pair_layout.setSpacing(3)
            if label:
                pair_layout.addWidget(self._label(label, widgets[0]))
            for widget in widgets:
                widget.setParent(pair)
                pair_layout.addWidget(widget)
            flow.addWidget(pair)
        grid.addWidget(filters, 1, 0)

        self.extras_row = QWidget(self)
        extras_layout = QHBoxLayout(self.extras_row)
        extras_layout.setContentsMargins(0, 0, 0, 0)
        self.extras_label = QLabel(self.extras_row)
        extras_layout.addWidget(self.extras_label)
        clear_extras = QPushButton("去掉这些条件", self.extras_row)
        clear_extras.clicked.connect(self.clear_extras)
        extras_layout.addWidget(clear_extras)
        extras_layout.addStretch(1)
        self.extras_row.setVisible(False)
        grid.addWidget(self.extras_row, 2, 0)

        self.town_combo.currentIndexChanged.connect(self._on_town_changed)
        self.village_combo.currentIndexChanged.connect(self._on_village_changed)
        for combo in (
            self.grid_combo,
            self.handler_combo,
            self.status_combo,
            self.category_combo,
            self.channel_combo,
            self.urgency_combo,
        ):
            combo.currentIndexChanged.connect(self._on_field_changed)
        self.from_edit.dateChanged.connect(self._on_field_changed)
        self.to_edit.dateChanged.connect(self._on_field_changed)
        self.overdue_check.toggled.connect(self._on_field_changed)
        # Tab in reading order: the search box and its 「清空筛选」, the filters left to right, then
        # 「只看超期」 and whatever follows the bar (the list). Without this, Tab followed the order
        # the widgets were made in and jumped from 「只看超期」 back up to 「清空筛选」.
        chain_tab_order(
            self.search,
            self.clear_button,
            self.town_combo,
            self.village_combo,
            self.grid_combo,
            self.handler_combo,
            self.status_combo,
            self.category_combo,
            self.channel_combo,
            self.urgency_combo,
            self.from_edit,
            self.to_edit,
            self.overdue_check,
            clear_extras,
        )

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(buddy)
        return label

    def _date_edit(self) -> QDateEdit:
        # Tab leaves the field even while it shows 「不限」 (a plain QDateEdit traps it there).
        edit = DeskDateEdit(self)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setCalendarPopup(True)
        edit.setMinimumDate(NO_DATE)
        edit.setSpecialValueText("不限")
        edit.setDate(NO_DATE)
        edit.setToolTip("选择日期；选最早的日期即「不限」")
        return edit

    # ------------------------------------------------------------------ choices
    def reload_choices(self) -> None:
        """(Re)fill the combos from places, members and lookups, keeping what was chosen."""
        self._quiet = True
        try:
            # Only the signed-in clerk's towns and villages (issue #9).
            towns: list[Town] = self.ctx.towns_in_scope()
            single = self.ctx.who.limited and len(towns) == 1
            fill_combo(
                self.town_combo, [(t.name, t.id) for t in towns], none_label=None if single else "全部镇"
            )
            fill_combo(
                self.status_combo,
                [(label, key) for key, (label, _s) in STATUS_CHOICES.items()],
                none_label="全部状态",
            )
            fill_combo(
                self.category_combo, self._category_items(self.lookups.categories()), none_label="全部类别"
            )
            fill_combo(
                self.channel_combo, [(c.name, c.code) for c in self.lookups.channels()], none_label="全部渠道"
            )
            fill_combo(self.urgency_combo, [(u.label, u.value) for u in Urgency], none_label="不限")
            self._fill_villages()
            self._fill_grids()
            self._fill_handlers()
        finally:
            self._quiet = False

    def _category_items(self, categories: list[LookupItem]) -> list[tuple[str, Any]]:
        items: list[tuple[str, Any]] = []
        group = None
        for category in categories:
            if category.group_code != group:
                group = category.group_code
                items.append((f"〔{self.lookups.group_label(group)}〕全部", f"group:{group}"))
            items.append(("　" + category.name, category.code))
        return items

    def _fill_villages(self, again: bool = True) -> None:
        """The town's villages; ``again`` False: only when the town differs from the last fill."""
        town_id = combo_value(self.town_combo)
        if not again and town_id == self._villages_of:
            return
        self._villages_of = town_id
        villages: list[Village] = self.ctx.villages_in_scope(town_id, include_virtual=True)
        own = bool(self.ctx.who.village_ids) and len(villages) == 1
        fill_combo(
            self.village_combo,
            [(v.short_name if town_id else f"{v.short_name}（{v.town_name}）", v.id) for v in villages],
            none_label=None if own else "全部村街",
        )

    def _fill_grids(self) -> None:
        village_id = combo_value(self.village_combo)
        grids = self.ctx.places.grids(village_id) if village_id is not None else []
        fill_combo(self.grid_combo, [(g.name, g.id) for g in grids], none_label="全部网格")
        self.grid_combo.setEnabled(village_id is not None)

    def _fill_handlers(self) -> None:
        """The handler list is read when it is first used (focus, its list opened, a filter that
        names a handler), not with the bar: 1,800 names at county scale, half of building the
        request page (issue #13). Until then it holds 「全部承办人」 alone."""
        self._handlers_of = _NOT_FILLED
        if combo_value(self.handler_combo) is not None:
            self._ensure_handlers()
        elif self.handler_combo.count() == 0:
            fill_combo(self.handler_combo, [], none_label="全部承办人")

    def _ensure_handlers(self) -> None:
        """The chosen town's grid members in the list, read once per town (and after a change)."""
        town_id = combo_value(self.town_combo)
        if town_id == self._handlers_of:
            return
        self._handlers_of = town_id
        members = self.ctx.members.choices(PersonFilter(town_id=town_id), 5000)
        fill_combo(  # quietly: fill_combo blocks the combo's signals and keeps the choice
            self.handler_combo,
            [(m.name if town_id else f"{m.name}（{m.town_name}）", m.id) for m in members],
            none_label="全部承办人",
        )

    def _on_town_changed(self, *_args: object) -> None:
        if self._quiet:
            return
        self._quiet = True
        try:
            self._fill_villages()
            self._fill_grids()
            if combo_value(self.handler_combo) is not None:
                self._ensure_handlers()
        finally:
            self._quiet = False
        self.filter_changed.emit()

    def _on_village_changed(self, *_args: object) -> None:
        if self._quiet:
            return
        self._quiet = True
        try:
            self._fill_grids()
        finally:
            self._quiet = False
        self.filter_changed.emit()

    def _on_field_changed(self, *_args: object) -> None:
        if not self._quiet:
            self.filter_changed.emit()

    # ------------------------------------------------------------------ reading and setting
    @staticmethod
    def _date(edit: QDateEdit) -> date | None:
        value = edit.date()
        return None if value <= NO_DATE else value.toPython()  # type: ignore[return-value]

    def request_filter(self) -> RequestFilter:
        status = combo_value(self.status_combo)
        category = combo_value(self.category_combo)
        urgency = combo_value(self.urgency_combo)
        values: dict[str, Any] = {
            "town_id": combo_value(self.town_combo),
            "village_id": combo_value(self.village_combo),
            "grid_id": combo_value(self.grid_combo),
            "handler_id": combo_value(self.handler_combo),
            "statuses": STATUS_CHOICES[status][1] if status else (),
            "category": category if category and not category.startswith("group:") else None,
            "category_group": category[len("group:") :]
            if category and category.startswith("group:")
            else None,
            "channel": combo_value(self.channel_combo),
            "urgency": Urgency(urgency) if urgency else None,
            "received_from": self._date(self.from_edit),
            "received_to": self._date(self.to_edit),
            "overdue_only": self.overdue_check.isChecked(),
            "text": self.search.text().strip(),
        }
        values.update(self.extras)
        return RequestFilter(**values)

    def set_filter(self, flt: RequestFilter) -> None:
        """Show ``flt`` in the bar; fields the bar lacks become 「另有条件」 extras."""
        self._quiet = True
        try:
            set_combo_value(self.town_combo, flt.town_id)
            self._fill_villages(again=False)
            if flt.handler_id is not None:
                self._ensure_handlers()
            set_combo_value(self.village_combo, flt.village_id)
            self._fill_grids()
            set_combo_value(self.grid_combo, flt.grid_id)
            set_combo_value(self.handler_combo, flt.handler_id)
            key = status_key(flt.statuses)
            set_combo_value(self.status_combo, key)
            if flt.category_group:
                set_combo_value(self.category_combo, f"group:{flt.category_group}")
            else:
                set_combo_value(self.category_combo, flt.category)
            set_combo_value(self.channel_combo, flt.channel)
            set_combo_value(self.urgency_combo, flt.urgency.value if flt.urgency else None)
            self.from_edit.setDate(_qdate(flt.received_from) if flt.received_from else NO_DATE)
            self.to_edit.setDate(_qdate(flt.received_to) if flt.received_to else NO_DATE)
            self.overdue_check.setChecked(flt.overdue_only)
            self.search.set_text_quietly(flt.text)
            default = RequestFilter()
            self.extras = {
                f.name: getattr(flt, f.name)
                for f in fields(RequestFilter)
                if f.name not in BAR_FIELDS and getattr(flt, f.name) != getattr(default, f.name)
            }
            if flt.statuses and key is None:
                self.extras["statuses"] = flt.statuses
            self._show_extras()
        finally:
            self._quiet = False

    def _show_extras(self) -> None:
        words = []
        for name, value in self.extras.items():
            if name == "statuses":
                words.append("状态为" + "或".join(s.label for s in value))
            elif name == "resident_id":
                try:
                    words.append(f"服务对象为{self.ctx.residents.get(int(value)).name}")
                except ValidationError:
                    words.append(EXTRA_LABELS[name])
            elif isinstance(value, bool):
                words.append(EXTRA_LABELS.get(name, name))
            elif isinstance(value, date):
                words.append(f"{EXTRA_LABELS.get(name, name)} {value:%Y-%m-%d}")
            else:
                words.append(EXTRA_LABELS.get(name, name))
        self.extras_label.setText("另有条件：" + "、".join(words))
        self.extras_row.setVisible(bool(self.extras))

    def clear_extras(self) -> None:
        self.extras = {}
        self._show_extras()
        self.filter_changed.emit()

    def clear(self) -> None:
        """Back to every request (the search box too)."""
        self.set_filter(RequestFilter())
        self.filter_changed.emit()

    # ------------------------------------------------------------------ persistence
    def state(self) -> dict[str, Any]:
        """The bar's choices as JSON-friendly values (extras are not remembered)."""
        flt = self.request_filter()
        return {
            "town_id": flt.town_id,
            "village_id": flt.village_id,
            "grid_id": flt.grid_id,
            "handler_id": flt.handler_id,
            "status": combo_value(self.status_combo),
            "category": combo_value(self.category_combo),
            "channel": flt.channel,
            "urgency": flt.urgency.value if flt.urgency else None,
            "received_from": flt.received_from.isoformat() if flt.received_from else None,
            "received_to": flt.received_to.isoformat() if flt.received_to else None,
            "overdue_only": flt.overdue_only,
            "text": flt.text,
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        """Put back what ``state()`` saved; unknown or stale values are ignored."""

        def as_int(key: str) -> int | None:
            value = state.get(key)
            return value if isinstance(value, int) else None

        def as_date(key: str) -> date | None:
            try:
                return date.fromisoformat(str(state[key])) if state.get(key) else None
            except ValueError:
                return None

        status = state.get("status")
        category = state.get("category")
        urgency = state.get("urgency")
        flt = RequestFilter(
            town_id=as_int("town_id"),
            village_id=as_int("village_id"),
            grid_id=as_int("grid_id"),
            handler_id=as_int("handler_id"),
            statuses=STATUS_CHOICES[status][1] if status in STATUS_CHOICES else (),
            category=category if isinstance(category, str) and not category.startswith("group:") else None,
            category_group=category[6:]
            if isinstance(category, str) and category.startswith("group:")
            else None,
            channel=state.get("channel") if isinstance(state.get("channel"), str) else None,
            urgency=Urgency(urgency) if urgency in ("urgent", "normal") else None,
            received_from=as_date("received_from"),
            received_to=as_date("received_to"),
            overdue_only=bool(state.get("overdue_only")),
            text=str(state.get("text") or ""),
        )
        self.set_filter(flt)
