"""What a window's keyboard does: the shortcuts Qt would match right now, Qt's own verdict when a key
is pressed, and the Tab focus chain (tests/ui/test_shortcuts.py, test_focus_chain.py)."""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut, QShortcutEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QMenu,
    QMenuBar,
    QRadioButton,
    QTabBar,
    QWidget,
)


def key_text(sequence: QKeySequence) -> str:
    return sequence.toString(QKeySequence.SequenceFormat.PortableText)


def _shown_in(widget: QWidget, window: QWidget) -> bool:
    """Qt's test for a widget's WindowShortcut: visible, enabled, and in this window."""
    return widget.isVisible() and widget.isEnabled() and widget.window() is window


def _action_live(action: QAction, window: QWidget) -> bool:
    """Whether Qt would match the action's shortcut in ``window`` (qWidgetShortcutContextMatcher)."""
    if not (action.isEnabled() and action.isVisible()):
        return False
    for owner in action.associatedObjects():
        if isinstance(owner, QMenu):
            menu_action = owner.menuAction()
            if menu_action is not action and _action_live(menu_action, window):
                return True
        elif isinstance(owner, QWidget) and _shown_in(owner, window):
            return True
    return False


def _mnemonic(text: str) -> QKeySequence:
    return QKeySequence.mnemonic(text)


def live_shortcuts(window: QWidget) -> dict[str, list[str]]:
    """Every key sequence Qt would match in ``window`` now, with who claims it.

    Actions, QShortcuts, button and label mnemonics (「读入数据包(&I)」, a label's buddy), tab and
    group box titles and the menu bar's 「工作(&W)」 all count. Shortcuts that only match with the
    focus inside a widget (WidgetWithChildrenShortcut) are counted too: the clerk can put the focus
    there, and then both would match.
    """
    claims: dict[str, list[str]] = defaultdict(list)

    def claim(sequence: QKeySequence, owner: str) -> None:
        if not sequence.isEmpty():
            claims[key_text(sequence)].append(owner)

    widgets = [window, *window.findChildren(QWidget)]
    actions: dict[int, QAction] = {}
    for widget in widgets:
        for action in widget.actions():
            actions[id(action)] = action
        if not _shown_in(widget, window):
            continue
        if isinstance(widget, QAbstractButton):
            claim(widget.shortcut(), f"按钮「{widget.text()}」")
        elif isinstance(widget, QLabel) and widget.buddy() is not None:
            claim(_mnemonic(widget.text()), f"标签「{widget.text()}」")
        elif isinstance(widget, QGroupBox):
            claim(_mnemonic(widget.title()), f"分组「{widget.title()}」")
        elif isinstance(widget, QTabBar):
            for index in range(widget.count()):
                if widget.isTabEnabled(index) and widget.isTabVisible(index):
                    claim(_mnemonic(widget.tabText(index)), f"标签页「{widget.tabText(index)}」")
        elif isinstance(widget, QMenuBar):
            for action in widget.actions():
                if action.isVisible() and action.isEnabled():
                    claim(_mnemonic(action.text()), f"菜单「{action.text()}」")
    for action in window.findChildren(QAction):
        actions[id(action)] = action
    for action in actions.values():
        if _action_live(action, window):
            for sequence in action.shortcuts():
                claim(sequence, f"动作「{action.text()}」")
    for shortcut in window.findChildren(QShortcut):
        parent = shortcut.parent()
        if shortcut.isEnabled() and isinstance(parent, QWidget) and _shown_in(parent, window):
            for sequence in shortcut.keys():
                claim(sequence, f"QShortcut（{type(parent).__name__}）")
    return dict(claims)


def ambiguous(window: QWidget) -> dict[str, list[str]]:
    return {key: owners for key, owners in live_shortcuts(window).items() if len(owners) > 1}


class ShortcutProbe(QObject):
    """An application event filter that sees every shortcut Qt dispatches.

    A clean match is swallowed, so pressing a key in a test opens no dialog and changes no page; an
    ambiguous one is let through, so that Qt reacts as it would for the clerk (a QAction logs
    「Ambiguous shortcut overload」 and does nothing).
    """

    def __init__(self) -> None:
        super().__init__()
        self.dispatched: list[tuple[str, str, bool]] = []  # (key, receiver, ambiguous)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Shortcut and isinstance(event, QShortcutEvent):
            self.dispatched.append((key_text(event.key()), type(watched).__name__, event.isAmbiguous()))
            return not event.isAmbiguous()
        return False

    def press(self, window: QWidget, key: str) -> None:
        """Press ``key`` where the focus is (the window itself when nothing has focus).

        Keys no keyboard of the office has are skipped: QKeySequence.Save is Ctrl+S and also the
        「Save」 media key, which QTest cannot type.
        """
        if QKeySequence(key)[0].key().value >= Qt.Key.Key_Back.value:
            return
        target = QApplication.focusWidget()
        if target is None or target.window() is not window:
            target = window
        QTest.keySequence(target, QKeySequence(key))

    def ambiguous_keys(self) -> list[str]:
        return [key for key, _owner, is_ambiguous in self.dispatched if is_ambiguous]


# ---------------------------------------------------------------------- the Tab chain


def control_of(widget: QWidget | None) -> QWidget | None:
    """The field a focused widget belongs to (a combo box's or date field's inner line edit)."""
    while widget is not None and isinstance(widget.parentWidget(), QAbstractSpinBox | QComboBox):
        widget = widget.parentWidget()
    return widget


def _radio_passed_over(widget: QWidget) -> bool:
    """Qt tabs to the checked button of a group of radio buttons; the arrows move within it."""
    if not isinstance(widget, QRadioButton) or widget.isChecked():
        return False
    group = widget.group()
    siblings = group.buttons() if group is not None else widget.parentWidget().findChildren(QRadioButton)
    return any(button.isChecked() for button in siblings)


def tab_stops(window: QWidget) -> list[QWidget]:
    """The widgets Tab should reach: shown, enabled, accepting Tab focus, not part of another field."""
    stops = []
    for widget in [window, *window.findChildren(QWidget)]:
        if (
            _shown_in(widget, window)
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus == Qt.FocusPolicy.TabFocus
            and widget.focusProxy() is None
            and control_of(widget) is widget
            and not _radio_passed_over(widget)
        ):
            stops.append(widget)
    return stops


def describe(widget: QWidget | None) -> str:
    if widget is None:
        return "（无焦点）"
    text = getattr(widget, "text", None)
    label = text() if callable(text) and isinstance(widget, QAbstractButton | QLabel) else ""
    return f"{type(widget).__name__}「{label or widget.accessibleName() or widget.objectName()}」"


def walk_tab_chain(window: QWidget, limit: int) -> list[QWidget | None]:
    """Press Tab up to ``limit`` times from where the focus is now, until it comes back there;
    returns the field focused after each press."""
    start = control_of(QApplication.focusWidget())
    visited: list[QWidget | None] = []
    for _press in range(limit):
        target = QApplication.focusWidget() or window
        QTest.keyClick(target, Qt.Key.Key_Tab)
        focused = control_of(QApplication.focusWidget())
        visited.append(focused)
        if focused is start:
            break
    return visited
