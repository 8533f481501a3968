"""The main window: its pages (imported, not looked up by name), title, status bar counts,
shortcuts, text size, remembered layout; and the error hook."""

from __future__ import annotations

import logging
import sys

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QTabWidget, QWidget

from tests.ui.helpers import show_window
from xianghe_desk.domain.drafts import RequestDraft
from xianghe_desk.domain.enums import Urgency
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.queries import RequestFilter
from xianghe_desk.jobs.runner import KnownStoreError
from xianghe_desk.ui import errors, main_window, page_table, printing
from xianghe_desk.ui.main_window import MainWindow
from xianghe_desk.ui.settings import TEXT_PERCENT, desk_settings

pytestmark = pytest.mark.usefixtures("reset_text_size")


@pytest.fixture
def fake_panels(monkeypatch) -> type[QWidget]:
    """A stand-in for the exchange panels: 数据交换 shows the tabs it is given."""

    class Panel(QWidget):
        def __init__(self, ctx, parent=None):
            super().__init__(parent)
            self.ctx = ctx

    monkeypatch.setattr(page_table, "EXCHANGE_TABS", (("表格导入导出", Panel),))
    return Panel


def nav_titles(window: MainWindow) -> list[str]:
    return [window.nav.item(row).text() for row in range(window.nav.count())]


def test_title_names_the_town_and_the_pages_are_the_table(qtbot, ctx, monkeypatch, fake_panels):
    pages = tuple(p for p in main_window.PAGES if p[0] in ("dashboard", "requests", "exchange"))
    monkeypatch.setattr(main_window, "PAGES", pages)
    window = show_window(qtbot, ctx)
    assert window.windowTitle() == "香河「这就办」服务台账 — 香河县蒋辛屯镇"
    assert nav_titles(window) == ["工作台", "服务工单", "数据交换"]
    exchange = window.show_page("exchange")
    assert isinstance(exchange, QTabWidget)
    assert [exchange.tabText(i) for i in range(exchange.count())] == ["表格导入导出"]
    assert isinstance(exchange.widget(0), fake_panels)


def test_pages_are_imported_not_looked_up_by_name():
    # issue #9: no 「module:Class」 strings that hide a page which fails to import.
    for _key, _title, factory in main_window.PAGES:
        assert callable(factory) and not isinstance(factory, str)
    assert not hasattr(main_window, "optional_attr")


def test_all_shipped_pages_of_this_issue_are_listed(qtbot, ctx):
    window = show_window(qtbot, ctx)
    titles = nav_titles(window)
    assert titles[:2] == ["工作台", "服务工单"]
    expected_order = [title for _key, title, _spec in main_window.PAGES]
    assert titles == expected_order  # the administrator sees every page, 操作日志 included
    for key in window.pages:
        assert window.show_page(key) is window.stack.currentWidget()
        assert window.current_key() == key


def test_status_bar_shows_database_copy_and_live_counts(qtbot, ctx, clock):
    window = show_window(qtbot, ctx)
    assert window.db_label.text() == "数据库：demo.db"
    assert window.device_label.text() == f"本机：{ctx.ws.device.name}"
    assert window.overdue_button.text() == "⚠ 超期 11 张"
    assert window.due_today_button.text() == "今日到期 1 张"
    assert window._status_timer.isActive() and window._status_timer.interval() == 60_000

    village = ctx.places.villages(ctx.ws.home_town_id())[0]
    request = ctx.requests.register(
        RequestDraft("phone", "repairs", "漏水", village.id, urgency=Urgency.URGENT, person_name="张三")
    )
    ctx.events.requests_changed.emit([request.id])
    assert window.due_today_button.text() == "今日到期 2 张"
    clock.advance(hours=3)
    window._status_timer.timeout.emit()
    assert window.overdue_button.text() == f"⚠ 超期 {ctx.requests.count(RequestFilter(overdue_only=True))} 张"
    assert window.overdue_count == 12  # ours joined the eleven

    window.overdue_button.click()
    assert window.current_key() == "requests"
    page = window.stack.currentWidget()
    assert page.model.flt.overdue_only and page.model.total() == 12


def test_dashboard_tile_opens_the_list_it_counts(qtbot, ctx):
    window = show_window(qtbot, ctx)
    dashboard = window.show_page("dashboard")
    assert dashboard.tiles["overdue"].value == "11"
    assert dashboard.tiles["received"].value == "6"
    assert dashboard.figures is not None
    assert dashboard.series is not None and len(dashboard.series.series) == 12
    assert dashboard.tiles["completion_rate"].value.endswith("%")
    dashboard.tiles["handling"].click()
    assert window.current_key() == "requests"
    page = window.stack.currentWidget()
    assert page.model.total() == int(dashboard.tiles["handling"].value)
    assert page.filter_bar.status_combo.currentData() == "handling"
    window.show_page("dashboard")
    dashboard.tiles["due_today"].click()
    assert page.model.total() == int(dashboard.tiles["due_today"].value) == 1


def test_shortcuts_register_find_refresh(qtbot, ctx, monkeypatch):
    from xianghe_desk.ui.dialogs import register_request

    opened: list[object] = []
    monkeypatch.setattr(
        register_request.RegisterRequestDialog,
        "register",
        classmethod(lambda cls, parent, ctx, resident_id=None: opened.append(parent)),
    )
    window = show_window(qtbot, ctx)
    window.show_page("dashboard")
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert opened == [window]
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key() == "requests"
    page = window.stack.currentWidget()
    qtbot.waitUntil(page.search.hasFocus, timeout=2000)
    with qtbot.waitSignal(page.model.modelReset, timeout=2000):
        qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key() == "dashboard"


def test_text_size_changes_the_whole_desk_and_is_remembered(qtbot, ctx):
    window = show_window(qtbot, ctx)
    base = QApplication.font().pointSizeF()
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.text_percent == 110
    assert QApplication.font().pointSizeF() == pytest.approx(base * 1.1)
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.text_percent == 125
    assert desk_settings().get(TEXT_PERCENT) == 125
    window.close()

    second = show_window(qtbot, ctx)
    assert second.text_percent == 125
    assert QApplication.font().pointSizeF() == pytest.approx(base * 1.25)
    qtbot.keyClick(second, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert second.text_percent == 110
    qtbot.keyClick(second, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert second.text_percent == 100
    assert QApplication.font().pointSizeF() == pytest.approx(base)


def test_window_size_and_last_page_are_remembered(qtbot, ctx):
    window = show_window(qtbot, ctx)
    # Within the offscreen screen (800×600): restoreGeometry keeps a window on its screen.
    window.resize(800, 540)
    window.show_page("requests")
    window.close()
    again = MainWindow(ctx.db_path, ctx)
    qtbot.addWidget(again)
    assert again.current_key() == "requests"
    assert again.height() == 540
    assert 790 <= again.width() <= 800


def test_batch_print_prints_the_selected_requests(qtbot, ctx, monkeypatch):
    printed: list[list[int]] = []
    monkeypatch.setattr(printing, "print_work_orders", lambda parent, ctx, ids: printed.append(list(ids)))
    window = show_window(qtbot, ctx)
    page = window.show_page("requests")
    assert not page.print_button.isEnabled()  # nothing chosen yet
    page.view.selectRow(0)
    page.view.selectRow(1)  # extends the selection (Ctrl-click style)
    assert page.print_button.isVisibleTo(page) and page.print_button.isEnabled()
    page.print_button.click()
    assert printed == [[page.model.row_object(0).id, page.model.row_object(1).id]]


# ---------------------------------------------------------------------- the error hook


@pytest.fixture
def boxes(monkeypatch, tmp_path) -> dict[str, list[str]]:
    shown: dict[str, list[str]] = {"warning": [], "bug": []}
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown["warning"].append(text))
    monkeypatch.setattr(errors, "show_bug", lambda parent, summary, details: shown["bug"].append(details))
    monkeypatch.setattr(errors.paths, "log_dir", lambda: tmp_path / "logs")
    return shown


def raised(exc: BaseException) -> tuple[type[BaseException], BaseException, object]:
    try:
        raise exc
    except BaseException as caught:
        return type(caught), caught, caught.__traceback__


def test_user_errors_get_a_plain_warning_with_the_message_only(qapp, boxes):
    errors.handle_exception(*raised(ValidationError("请填写诉求内容。", field="content")))
    errors.handle_exception(*raised(KnownStoreError("磁盘已满，数据没有保存。")))
    assert boxes["warning"] == ["请填写诉求内容。", "磁盘已满，数据没有保存。"]
    assert boxes["bug"] == []


def test_bugs_are_logged_and_shown_with_folded_details(qapp, boxes, caplog):
    with caplog.at_level(logging.ERROR, logger="xianghe_desk.ui.errors"):
        errors.handle_exception(*raised(ZeroDivisionError("division by zero")))
    assert boxes["warning"] == []
    assert "Traceback" in boxes["bug"][0] and "ZeroDivisionError" in boxes["bug"][0]
    assert any(record.exc_info for record in caplog.records)


def test_log_file_goes_to_the_users_log_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(errors.paths, "log_dir", lambda: tmp_path / "logs")
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        path = errors.setup_logging()
        assert path == tmp_path / "logs" / "xianghe-desk.log"
        logging.getLogger("xianghe_desk.test").warning("写入日志")
        for handler in root.handlers:
            handler.flush()
        assert "写入日志" in path.read_text(encoding="utf-8")
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
                handler.close()


def test_install_replaces_the_excepthook(monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.__excepthook__)
    errors.install_excepthook()
    assert sys.excepthook is errors.handle_exception
