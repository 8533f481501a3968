"""The search box waits for a pause in typing; a wait cut short by hiding the box resumes when it
is shown again (a closing window's pending search must not read a database that has closed)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from xianghe_desk.ui.widgets.search_box import SearchBox


def test_a_pending_search_waits_while_hidden_and_runs_when_shown(qtbot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    box = SearchBox(host, delay_ms=30)
    seen: list[str] = []
    box.search_changed.connect(seen.append)
    host.show()
    box.setText("王")
    host.hide()
    qtbot.wait(120)
    assert seen == []  # not while hidden
    host.show()
    qtbot.wait_until(lambda: seen == ["王"], timeout=2000)


def test_a_shown_box_searches_after_the_pause(qtbot) -> None:
    box = SearchBox(delay_ms=30)
    qtbot.addWidget(box)
    box.show()
    seen: list[str] = []
    box.search_changed.connect(seen.append)
    box.setText("1381")
    qtbot.wait_until(lambda: seen == ["1381"], timeout=2000)
    box.hide()
    box.show()
    qtbot.wait(80)
    assert seen == ["1381"]  # showing again searches nothing new
