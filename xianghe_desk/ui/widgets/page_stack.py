"""The main window's pages: a QStackedWidget whose hidden pages stay out of each switch's way.

QStackedLayout::setCurrentIndex turns updates off for the whole stack and on again around every
switch, and Qt walks every descendant of the stack both times (QWidgetPrivate::setUpdatesEnabled_helper,
calling update() on each on the way back). With every page built ahead (some 1,100 widgets at county
scale) that walk was the largest single cost of a page switch: 25 ms of 40–90 (perf, issue #13), and
it grew with each page built.

Here a hidden page has its own updates turned off (Qt marks it WA_ForceUpdatesDisabled), where both
walks stop, so a switch walks only the page leaving and the page coming. A hidden page paints
nothing either way; the page coming gets its updates back before it shows, and repaints whole.
"""

from __future__ import annotations

from PySide6.QtWidgets import QStackedWidget, QWidget


class PageStack(QStackedWidget):
    def addWidget(self, widget: QWidget) -> int:  # noqa: N802
        index = super().addWidget(widget)
        if widget is not self.currentWidget():
            widget.setUpdatesEnabled(False)
        return index

    def setCurrentWidget(self, widget: QWidget) -> None:  # noqa: N802
        leaving = self.currentWidget()
        if widget is leaving or self.indexOf(widget) < 0:
            super().setCurrentWidget(widget)  # Qt's own answer (nothing, or its warning)
            return
        widget.setUpdatesEnabled(True)
        super().setCurrentWidget(widget)
        if leaving is not None:
            leaving.setUpdatesEnabled(False)

    def setCurrentIndex(self, index: int) -> None:  # noqa: N802
        widget = self.widget(index)
        if widget is None:
            super().setCurrentIndex(index)
        else:
            self.setCurrentWidget(widget)
