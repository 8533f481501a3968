"""录入走访表: the results of a paper roster typed back, keyboard only, one row per resident in the
roster's order (issue #11).

Each row has one field per column of the paper: the date (「8」 or 「12-8」; empty: not visited),
the route (1 上门, 2 电话, 3 视频; empty: 上门), the six checks (1 正常, 2 有问题; empty: not
checked), the notes and the needs noticed. One-key fields move on by themselves; Enter moves to the
next field like Tab; Ctrl+S saves. The dialog saves through the ``visit.log_batch`` operation (all
rows or none) and stays open on a refusal, so nothing typed is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.models import Member
from xianghe_desk.domain.visits import (
    CHECK_KEYS,
    CHECKS,
    METHOD_KEYS,
    DueEntry,
    VisitDraft,
    VisitMethod,
    read_day,
)
from xianghe_desk.operations.visits import log_visits
from xianghe_desk.services.visits import Roster
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.operations import Problems, run_op
from xianghe_desk.ui.widgets.combos import combo_value, fill_combo, set_combo_value
from xianghe_desk.ui.widgets.look import ALERT, MUTED, emphasise, set_text_colour

LEGEND = (
    "日期：写「8」或「12-8」，不写＝没有走访。方式：1 上门、2 电话、3 视频（不写＝上门）。"
    "检查：1 正常、2 有问题（不写＝未查）。回车或 Tab 到下一格，Ctrl+S 保存。"
)


class CellEdit(QLineEdit):
    """One field of the grid: Enter moves on like Tab; a one-key field moves on once typed."""

    def __init__(self, parent: QWidget, one_key: bool = False, width_chars: float = 3) -> None:
        super().__init__(parent)
        self.one_key = one_key
        if one_key:
            self.setMaxLength(1)
            self.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.textEdited.connect(self._on_text_edited)
        self.setMinimumWidth(int(self.fontMetrics().horizontalAdvance("中") * width_chars))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.focusNextChild()
            event.accept()
            return
        super().keyPressEvent(event)

    def _on_text_edited(self, text: str) -> None:
        if text:
            self.focusNextChild()

    def mark(self, bad: bool) -> None:
        set_text_colour(self, ALERT if bad else None)
        self.setToolTip("这一格有问题，见下方说明" if bad else "")


@dataclass
class EntryRow:
    """The fields of one resident's row."""

    entry: DueEntry
    day: CellEdit
    method: CellEdit
    checks: list[CellEdit]
    note: CellEdit
    needs: CellEdit

    def cells(self) -> list[CellEdit]:
        return [self.day, self.method, *self.checks, self.note, self.needs]

    def typed(self) -> bool:
        return any(c.text().strip() for c in self.cells())


class FastEntryDialog(QDialog):
    """Signals: none; ``saved`` holds how many visits were saved once the dialog is accepted."""

    def __init__(
        self, ctx: DeskContext, roster: Roster, members: list[Member], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.roster = roster
        self.saved = 0
        self._saving = False
        self.rows: list[EntryRow] = []
        self.setWindowTitle(f"录入走访表：{roster.title}")
        self._init_header(members)
        self._init_grid()
        self._init_buttons()
        self._init_layout()
        QShortcut(QKeySequence("Ctrl+S"), self, self.save)
        if self.rows:
            self.rows[0].day.setFocus()

    # ---------------------------------------------------------------- building
    def _init_header(self, members: list[Member]) -> None:
        week = f"{self.roster.week_start:%Y-%m-%d} 至 {self.roster.week_end:%Y-%m-%d}"
        self.heading = QLabel(f"{self.roster.title}　{week}　共 {len(self.roster.entries)} 人", self)
        emphasise(self.heading)
        self.member_combo = QComboBox(self)
        fill_combo(
            self.member_combo, ((f"{m.name}（{m.role.label}）", m.id) for m in members), "（未填走访人）"
        )
        default = self.roster.member.id if self.roster.member else (members[0].id if members else None)
        set_combo_value(self.member_combo, default)
        self.legend = QLabel(LEGEND, self)
        self.legend.setWordWrap(True)
        set_text_colour(self.legend, MUTED)

    def _init_grid(self) -> None:
        self.grid_holder = QWidget(self)
        grid = QGridLayout(self.grid_holder)
        grid.setHorizontalSpacing(4)
        grid.setVerticalSpacing(2)
        headers = ["序号", "姓名", "日期", "方式", *(label for _k, label in CHECKS), "情况记录", "发现的需求"]
        for column, text in enumerate(headers):
            label = QLabel(text, self.grid_holder)
            emphasise(label)
            grid.addWidget(label, 0, column)
        for number, entry in enumerate(self.roster.entries, 1):
            holder = self.grid_holder
            row = EntryRow(
                entry,
                CellEdit(holder, width_chars=4),
                CellEdit(holder, one_key=True, width_chars=1.6),
                [CellEdit(holder, one_key=True, width_chars=1.6) for _ in CHECKS],
                CellEdit(holder, width_chars=9),
                CellEdit(holder, width_chars=9),
            )
            row.day.setAccessibleName(f"第{number}行 {entry.name} 走访日期")
            row.method.setAccessibleName(f"第{number}行 走访方式")
            for (_key, check), cell in zip(CHECKS, row.checks, strict=True):
                cell.setAccessibleName(f"第{number}行 {check}")
            name = QLabel(entry.name, holder)
            name.setToolTip(
                f"{entry.village_name}{entry.grid_name} {entry.address}；应于 {entry.due:%m-%d} 前走访"
            )
            grid.addWidget(QLabel(str(number), holder), number, 0)
            grid.addWidget(name, number, 1)
            for column, cell in enumerate(row.cells(), start=2):
                grid.addWidget(cell, number, column)
            self.rows.append(row)
        grid.setColumnStretch(len(headers) - 1, 1)
        grid.setColumnStretch(len(headers) - 2, 1)
        grid.setRowStretch(len(self.roster.entries) + 1, 1)
        # Tab (and Enter) run along each row, then to the next row, in the roster's order.
        cells = [c for r in self.rows for c in r.cells()]
        for first, second in pairwise(cells):
            QWidget.setTabOrder(first, second)

    def _init_buttons(self) -> None:
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        set_text_colour(self.message, ALERT)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("保存（Ctrl+S）")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

    def _init_layout(self) -> None:
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid_holder)
        who = QHBoxLayout()
        who.addWidget(QLabel("走访人：", self))
        who.addWidget(self.member_combo)
        who.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(who)
        layout.addWidget(self.legend)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        em = self.fontMetrics().horizontalAdvance("中")
        width, height = em * 80, em * 44
        screen = self.screen()
        if screen is not None:
            room = screen.availableGeometry()
            width, height = min(width, int(room.width() * 0.95)), min(height, int(room.height() * 0.92))
        self.resize(width, height)

    # ---------------------------------------------------------------- reading the rows
    def drafts(self) -> tuple[list[VisitDraft], list[str]]:
        """The visits typed (rows with a date) and the problems found, each naming its row."""
        today = self.ctx.now().date()
        member_id = combo_value(self.member_combo)
        drafts: list[VisitDraft] = []
        problems: list[str] = []
        for number, row in enumerate(self.rows, 1):
            for cell in row.cells():
                cell.mark(False)
            where = f"第 {number} 行（{row.entry.name}）"
            text = row.day.text().strip()
            if not text:
                if row.typed():
                    row.day.mark(True)
                    problems.append(f"{where}：填了走访结果但没写日期。")
                continue
            try:
                day = read_day(text, self.roster.week_start, today)
            except ValidationError as exc:
                row.day.mark(True)
                problems.append(f"{where}：{exc.message}")
                continue
            method = VisitMethod.HOME
            key = row.method.text().strip()
            if key:
                if key not in METHOD_KEYS:
                    row.method.mark(True)
                    problems.append(f"{where}：走访方式「{key}」不对，请写 1、2 或 3。")
                    continue
                method = METHOD_KEYS[key]
            checks = {}
            bad = False
            for (check, label), cell in zip(CHECKS, row.checks, strict=True):
                value = cell.text().strip()
                if not value:
                    continue
                if value not in CHECK_KEYS:
                    cell.mark(True)
                    problems.append(
                        f"{where}：「{label}」写的「{value}」不对，请写 1（正常）或 2（有问题）。"
                    )
                    bad = True
                    continue
                checks[check] = CHECK_KEYS[value]
            if bad:
                continue
            drafts.append(
                VisitDraft(
                    row.entry.resident_id, day, method, member_id, checks, row.note.text(), row.needs.text()
                )
            )
        return drafts, problems

    # ---------------------------------------------------------------- saving
    def save(self) -> None:
        if self._saving:
            return
        drafts, problems = self.drafts()
        if problems:
            self.message.setText("\n".join(problems[:6]) + ("\n……" if len(problems) > 6 else ""))
            return
        if not drafts:
            self.message.setText("还没有填写任何走访日期：没有走访的行空着即可，走访过的写上日期。")
            return
        self.message.clear()
        self._saving = True
        self.save_button.setEnabled(False)
        run_op(self.ctx, self, log_visits, drafts, on_done=self._on_saved, on_problems=self._on_refused)

    def _on_saved(self, visits: list[object]) -> None:
        self._saving = False
        self.saved = len(visits)
        super().accept()

    def _on_refused(self, problems: Problems) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self.message.setText("没有保存：" + "；".join(message for _field, message in problems))

    def reject(self) -> None:
        if self._saving:
            return
        if any(r.typed() for r in self.rows):
            answer = QMessageBox.question(
                self,
                "放弃录入？",
                "已录入的内容还没有保存，关闭后将丢失。确定放弃吗？",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()

    # ---------------------------------------------------------------- entry point
    @classmethod
    def enter(cls, parent: QWidget | None, ctx: DeskContext, roster: Roster, members: list[Member]) -> int:
        """Show the screen; returns how many visits were saved (0: cancelled)."""
        dialog = cls(ctx, roster, members, parent)
        try:
            dialog.exec()
            return dialog.saved
        finally:
            dialog.deleteLater()
