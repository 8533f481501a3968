"""Colours and emphasis that keep following the desk's text size.

A Qt style sheet on a widget pins its font at the size it had when the sheet was applied, so
Ctrl+= would leave those widgets behind. Colours therefore go through the palette, and bold
through a font that sets only the weight (its size stays inherited).
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QWidget

ALERT = "#a3231a"
CAUTION = "#8a5300"
MUTED = "#4a5568"  # explanations under a list or a field


def set_text_colour(widget: QWidget, colour: str | None) -> None:
    """Text in ``colour`` (None: the theme's own colour again)."""
    palette = QPalette(widget.palette()) if colour else QPalette()
    if colour:
        for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
            palette.setColor(role, QColor(colour))
        widget.setPalette(palette)
    else:
        widget.setPalette(QPalette())


_BOLD: dict[str, QFont] = {}


def bold_font() -> QFont:
    """The desk's font in bold, for table cells (a model's FontRole), at the text size of the
    moment: a cell's font is not inherited, so one made at the first paint stayed small after
    Ctrl+=. Made once per size (a QFont per cell showed up in the list's profile, issue #13)."""
    base = QGuiApplication.font()
    key = base.key()
    font = _BOLD.get(key)
    if font is None:
        font = QFont(base)
        font.setBold(True)
        _BOLD.clear()
        _BOLD[key] = font
    return font


def emphasise(widget: QWidget, bold: bool = True) -> None:
    """Bold text whose size still follows the window's text size."""
    font = QFont()
    font.setBold(bold)
    widget.setFont(font)


def title_html(text: str, size: str = "x-large") -> str:
    """Bold heading text whose size is relative to the widget's font, so it follows Ctrl+= (a
    QFont with its own point size would keep the size it was made with)."""
    return f"<span style='font-size:{size}'><b>{text}</b></span>"
