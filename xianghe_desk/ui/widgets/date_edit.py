"""Date fields that Tab leaves: Qt's QDateEdit spends Tab on its own year/month/day sections, and
with a special value such as 「不限」 or 「未填」 showing it swallows Tab altogether (issue #8)."""

from __future__ import annotations

from PySide6.QtWidgets import QDateEdit, QDateTimeEdit, QWidget


class DeskDateEdit(QDateEdit):
    """A QDateEdit where Tab and Shift+Tab move on to the next field, as in every other form.

    The parts of the date are still reached by clicking or with ← and →, and changed with ↑ and ↓
    or by typing; the calendar pops up from the arrow.
    """

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802 (Qt's names)
        # QDateTimeEdit's own version moves between sections and only leaves from the last one.
        return QWidget.focusNextPrevChild(self, next)


class DeskDateTimeEdit(QDateTimeEdit):
    """A QDateTimeEdit that Tab leaves (see DeskDateEdit)."""

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802 (Qt's names)
        return QWidget.focusNextPrevChild(self, next)
