"""Tab in reading order. Qt's default focus chain follows the order widgets were parented in, which
in a screen built in code is rarely the order a clerk reads it in (issue #8)."""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtWidgets import QWidget


def chain_tab_order(*widgets: QWidget) -> None:
    """Tab goes through ``widgets`` in this order (hidden or disabled ones are skipped by Qt)."""
    for first, second in pairwise(widgets):
        QWidget.setTabOrder(first, second)
