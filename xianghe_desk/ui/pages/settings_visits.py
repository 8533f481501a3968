"""Two tabs of 设置 (issue #11): 走访周期 (the care tags' default visit intervals) and 节假日 (a year's
official holidays and make-up working days, for years the program's own calendar does not know).
Both are administrators' settings: the operations refuse everyone else, the buttons say why."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain.access import Permission
from xianghe_desk.domain.enums import CareTag
from xianghe_desk.domain.visits import DEFAULT_INTERVALS, MAX_INTERVAL, MIN_INTERVAL, interval_text
from xianghe_desk.operations.calendar import set_official_year
from xianghe_desk.operations.visits import set_intervals
from xianghe_desk.services.calendar import CalendarService, CalendarYear, SavedYear
from xianghe_desk.ui.roles import allow
from xianghe_desk.ui.widgets.field_error import FieldError
from xianghe_desk.ui.widgets.look import MUTED, set_text_colour

if TYPE_CHECKING:
    from xianghe_desk.ui.pages.settings import SettingsPage

INTERVAL_HELP = (
    "每位服务对象按其服务类别中最短的周期走访；某位服务对象需要不同的安排时，在其详情的"
    "「走访记录 → 走访计划」中单独设定。修改后，所有应走访日期和本月的走访统计随之改变。"
)
HOLIDAY_HELP = (
    "本程序自带的法定节假日日历只到 {last} 年。之后的年份，请照国务院办公厅的放假通知，"
    "把放假日期和调休上班日期填在下面，保存后「代办服务 N 个工作日内」的办理时限即按它计算；"
    "不填则按周一至周五计算。每行一个节日，例如：\n2027-02-05 至 2027-02-13 春节\n2027-10-01 至 2027-10-07 国庆节"
)


class VisitIntervalsTab(QWidget):
    def __init__(self, page: SettingsPage) -> None:
        super().__init__(page)
        self.page = page
        self.boxes: dict[CareTag, QSpinBox] = {}
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        em = self.fontMetrics().horizontalAdvance("中")
        for tag, default in DEFAULT_INTERVALS.items():
            box = QSpinBox(self)
            box.setRange(MIN_INTERVAL, MAX_INTERVAL)
            box.setSuffix(" 天")
            box.setMinimumWidth(em * 7)
            box.setToolTip(f"默认：{interval_text(default)}")
            box.setAccessibleName(f"{tag.label}走访周期")
            self.boxes[tag] = box
            form.addRow(f"{tag.label}（默认{default}天）", box)
        self.save_button = QPushButton("保存走访周期", self)
        self.reset_button = QPushButton("恢复默认", self)
        self.status = FieldError(self)
        help_text = QLabel(INTERVAL_HELP, self)
        help_text.setWordWrap(True)
        set_text_colour(help_text, MUTED)
        group = QGroupBox("各服务类别的走访周期（两次走访最多相隔几天）", self)
        group.setMaximumWidth(em * 52)
        column = QVBoxLayout(group)
        column.addLayout(form)
        column.addWidget(help_text)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.reset_button)
        row.addStretch(1)
        column.addLayout(row)
        column.addWidget(self.status)
        layout = QVBoxLayout(self)
        layout.addWidget(group)
        layout.addStretch(1)
        self.save_button.clicked.connect(self.save)
        self.reset_button.clicked.connect(self.reset)
        allow(self.save_button, page.ctx.who, Permission.SETTINGS)
        self.load()

    def load(self) -> None:
        for tag, days in self.page.ctx.visits.intervals().items():
            self.boxes[tag].setValue(days)

    def reset(self) -> None:
        for tag, days in DEFAULT_INTERVALS.items():
            self.boxes[tag].setValue(days)

    def values(self) -> dict[CareTag, int]:
        return {tag: box.value() for tag, box in self.boxes.items()}

    def save(self) -> None:
        values = self.values()
        done = "已保存走访周期：" + "，".join(f"{t.label}{d}天" for t, d in values.items()) + "。"
        self.page.run(set_intervals, values, done=done, target=self.status)


class HolidaysTab(QWidget):
    def __init__(self, page: SettingsPage) -> None:
        super().__init__(page)
        self.page = page
        self.years = QListWidget(self)
        self.years.setMaximumWidth(self.fontMetrics().horizontalAdvance("中") * 16)
        self.heading = QLabel(self)
        self.holidays = QPlainTextEdit(self)
        self.holidays.setPlaceholderText("2027-01-01 元旦\n2027-02-05 至 2027-02-13 春节")
        self.holidays.setTabChangesFocus(True)
        self.workdays = QPlainTextEdit(self)
        self.workdays.setPlaceholderText("2027-02-14 春节调休上班")
        self.workdays.setTabChangesFocus(True)
        self.source = QLineEdit(self)
        self.source.setPlaceholderText("例如：国务院办公厅关于2027年部分节假日安排的通知")
        self.save_button = QPushButton("保存这一年的节假日", self)
        self.status = FieldError(self)
        self.help = QLabel(self)
        self.help.setWordWrap(True)
        set_text_colour(self.help, MUTED)
        form = QFormLayout()
        form.addRow("放假日期（每行一个节日）", self.holidays)
        form.addRow("调休上班日期（周末上班）", self.workdays)
        form.addRow("依据", self.source)
        right = QVBoxLayout()
        right.addWidget(self.heading)
        right.addLayout(form, 1)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addStretch(1)
        right.addLayout(row)
        right.addWidget(self.status)
        left = QVBoxLayout()
        left.addWidget(QLabel("年份", self))
        left.addWidget(self.years, 1)
        body = QHBoxLayout()
        body.addLayout(left)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.help)
        layout.addLayout(body, 1)
        self.years.currentItemChanged.connect(lambda *_: self._on_year_changed())
        self.save_button.clicked.connect(self.save)
        self.load()

    def load(self, keep: int | None = None) -> None:
        service = CalendarService(self.page.ctx.ws)
        entries = service.years()
        bundled = [e.year for e in entries if e.bundled]
        self.help.setText(HOLIDAY_HELP.format(last=max(bundled) if bundled else "—"))
        self.years.blockSignals(True)
        self.years.clear()
        chosen = None
        for entry in entries:
            item = QListWidgetItem(self._year_text(entry))
            item.setData(Qt.ItemDataRole.UserRole, entry.year)
            self.years.addItem(item)
            if entry.year == keep or (keep is None and chosen is None and not entry.bundled):
                chosen = item
        self.years.setCurrentItem(chosen or self.years.item(0))
        self.years.blockSignals(False)
        self._show_year()

    @staticmethod
    def _year_text(entry: CalendarYear) -> str:
        if entry.bundled:
            return f"{entry.year} 年（程序自带）"
        if entry.entered is not None:
            return f"{entry.year} 年（已录入）"
        return f"{entry.year} 年（未录入）"

    def year(self) -> int | None:
        item = self.years.currentItem()
        return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _show_year(self) -> None:
        year = self.year()
        if year is None:
            return
        service = CalendarService(self.page.ctx.ws)
        entry = next((e for e in service.years() if e.year == year), None)
        entered = entry.entered if entry is not None else None
        self.holidays.setPlainText(entered.lines("holidays") if entered else "")
        self.workdays.setPlainText(entered.lines("workdays") if entered else "")
        self.source.setText(entered.source if entered else "")
        bundled = entry is not None and entry.bundled
        self.heading.setText(
            f"{year} 年："
            + ("程序自带这一年的法定节假日，不用录入。" if bundled else "按国务院办公厅的放假通知填写。")
        )
        for widget in (self.holidays, self.workdays, self.source):
            widget.setEnabled(not bundled)
        allow(self.save_button, self.page.ctx.who, Permission.SETTINGS, enabled=not bundled)

    def _on_year_changed(self) -> None:
        self.status.clear_message()
        self._show_year()

    def save(self) -> None:
        year = self.year()
        if year is None:
            return
        self.page.run(
            set_official_year,
            year,
            self.holidays.toPlainText(),
            self.workdays.toPlainText(),
            self.source.text(),
            done=f"已保存 {year} 年的节假日安排，办理时限按它计算。",
            target=self.status,
            then=lambda saved: self._saved(year, saved),
        )

    def _saved(self, year: int, saved: SavedYear) -> None:
        self.load(keep=year)
        if saved.moved:
            self.status.set_hint(
                f"已保存 {year} 年的节假日安排；{len(saved.moved)} 张未办结工单的办理时限按它重算了"
                "（手工改过时限的工单不变）。"
            )
