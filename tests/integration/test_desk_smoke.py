"""A clerk's day on the whole window: register a request with Ctrl+N, find it in the list, open it
and take it through 派单 → 开始办理 → 办结 → 回访; and every page rendered at 1366×768 and 1920×1080."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QDialog

from tests.ui.helpers import show_window, type_text
from xianghe_desk.domain.enums import Action, FeedbackRoute, Satisfaction, Status
from xianghe_desk.domain.queries import PersonFilter, RequestFilter
from xianghe_desk.ui.application import make_app
from xianghe_desk.ui.dialogs import request_detail
from xianghe_desk.ui.dialogs.complete_dialog import CompleteValues
from xianghe_desk.ui.dialogs.dispatch_dialog import DispatchChoice
from xianghe_desk.ui.dialogs.follow_up_dialog import FollowUpValues
from xianghe_desk.ui.dialogs.register_request import RegisterRequestDialog
from xianghe_desk.ui.dialogs.request_detail import RequestDetailDialog
from xianghe_desk.ui.widgets.combos import set_combo_value

pytestmark = pytest.mark.usefixtures("reset_text_size")


@pytest.fixture(autouse=True)
def shipped_font(qapp) -> None:
    make_app()  # the shipped WenQuanYi Micro Hei, so Chinese renders in the screenshots


def when_modal_opens(qtbot, kind: type, act: Callable[[QDialog], None], done: list[str]) -> None:
    """Run ``act`` on the next modal dialog of ``kind`` once its exec() loop is running.

    If ``act`` fails, the dialog is closed anyway so the test reports the failure instead of
    waiting forever in exec().
    """

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, kind):
            QTimer.singleShot(20, poll)
            return
        try:
            dialog.windowHandle().requestActivate()
            qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
            act(dialog)
            done.append(kind.__name__)
        finally:
            if dialog.isVisible():
                discard = getattr(dialog, "discard", None)
                discard() if callable(discard) else dialog.reject()

    QTimer.singleShot(0, poll)


def test_a_request_from_registration_to_follow_up(qtbot, ctx, monkeypatch, clock):
    window = show_window(qtbot, ctx)
    resident = ctx.residents.list(PersonFilter(text="bfm"), 0, 1)[0]
    member = ctx.members.handlers_for(resident.village_id, resident.grid_id)[0]
    done: list[str] = []

    def register(dialog: RegisterRequestDialog) -> None:
        qtbot.keyClicks(dialog.name_edit, "bfm")
        popup = dialog.completer.popup()
        qtbot.waitUntil(popup.isVisible, timeout=2000)
        popup.setCurrentIndex(dialog.completer.completionModel().index(0, 0))
        qtbot.keyClick(popup, Qt.Key.Key_Return)
        assert dialog.resident.id == resident.id
        set_combo_value(dialog.handler_combo, None)  # 暂不派单: the clerk dispatches from the list
        dialog.category_combo.setCurrentIndex(dialog.category_combo.findData("health_medicine"))
        type_text(dialog.content_edit, "老人需要送药上门")
        assert "2026-11-27 10:00" in dialog.due_label.text()
        qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        assert dialog.saved is not None

    when_modal_opens(qtbot, RegisterRequestDialog, register, done)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert done == ["RegisterRequestDialog"]
    new_id = ctx.requests.ids(RequestFilter(text="bfm"))[0]
    assert ctx.requests.get(new_id).status is Status.RECEIVED

    # The clerk finds it in the list by the resident's initials.
    page = window.show_page("requests")
    with qtbot.waitSignal(page.search.search_changed, timeout=2000):
        qtbot.keyClicks(page.search, "bfm")
    assert page.model.row_object(0).id == new_id

    answers = {
        "dispatch": DispatchChoice(member.id, "今天送到"),
        "complete": CompleteValues("on_the_spot", "药已送到老人家中", ""),
        "follow_up": FollowUpValues(FeedbackRoute.PHONE, Satisfaction.SATISFIED, "谢谢", ""),
    }
    for cls, method, key in (
        (request_detail.DispatchDialog, "choose", "dispatch"),
        (request_detail.CompleteDialog, "ask", "complete"),
        (request_detail.FollowUpDialog, "ask", "follow_up"),
    ):
        monkeypatch.setattr(cls, method, classmethod(lambda _cls, *a, k=key, **kw: answers[k]))

    def work_through(detail: RequestDetailDialog) -> None:
        for action in (Action.DISPATCH, Action.START, Action.COMPLETE, Action.FOLLOW_UP):
            clock.advance(minutes=20)
            assert detail.action_buttons[action].isVisible(), action
            detail.action_buttons[action].click()
        assert detail.request.status is Status.CLOSED
        assert detail.timeline.rowCount() == 5
        detail.reject()

    when_modal_opens(qtbot, RequestDetailDialog, work_through, done)
    page.view.setFocus()
    page.view.selectRow(0)
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert done == ["RegisterRequestDialog", "RequestDetailDialog"]

    # The row changed in place; the request is closed and rated.
    assert page.model.row_object(0).id == new_id
    assert page.model.index(0, page.model.column_index("status")).data() == "已回访"
    request = ctx.requests.get(new_id)
    assert (request.handler_id, request.method, request.satisfaction) == (
        member.id,
        "on_the_spot",
        Satisfaction.SATISFIED,
    )
    dashboard = window.show_page("dashboard")
    assert dashboard.tiles["today"].value == "1"


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=["1366x768", "1920x1080"])
def test_every_page_renders_at_office_screen_sizes(qtbot, ctx, tmp_path, size):
    width, height = size
    window = show_window(qtbot, ctx, width, height)
    assert window.pages, "no page could be loaded"
    for key in window.pages:
        page = window.show_page(key)
        qtbot.waitUntil(lambda p=page: p.isVisible(), timeout=2000)
        image = window.grab().toImage()
        target = tmp_path / f"{width}x{height}-{key}.png"
        assert image.save(str(target))
        assert not image.isNull() and (image.width(), image.height()) == (width, height)
        assert target.stat().st_size > 10_000
        # Not a blank window: the page drew text and lines in several colours.
        sample = image.convertToFormat(QImage.Format.Format_RGB32)
        colours = {sample.pixel(x, y) for x in range(0, width, 23) for y in range(0, height, 19)}
        assert len(colours) > 8, key
