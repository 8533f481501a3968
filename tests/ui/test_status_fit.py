"""The status bar keeps room for its message at every text size (at 175 % the text-size message
was cut by the permanent labels): this copy's name and the database file step aside, into the
tooltip of the signed-in account."""

from __future__ import annotations

import pytest

from tests.ui.helpers import show_window

pytestmark = pytest.mark.usefixtures("reset_text_size", "shipped_font")


@pytest.mark.parametrize("percent", [100, 150, 175, 200])
def test_the_text_size_message_fits_beside_the_status_labels(qtbot, ctx, percent) -> None:
    window = show_window(qtbot, ctx)
    window.set_text_percent(percent)
    window.resize(1366, 768)
    qtbot.wait(50)
    bar = window.statusBar()
    message = f"文字大小：{percent}%（Ctrl+0 恢复默认）"
    used = sum(
        w.sizeHint().width()
        for w in (
            window.overdue_button,
            window.due_today_button,
            window.user_label,
            window.device_label,
            window.db_label,
        )
        if w.isVisible()
    )
    assert bar.fontMetrics().horizontalAdvance(message) <= bar.width() - used
    hidden = [w.text() for w in (window.device_label, window.db_label) if not w.isVisible()]
    assert all(text in window.user_label.toolTip() for text in hidden)
    if percent == 100:
        assert window.device_label.isVisible() and window.db_label.isVisible()
