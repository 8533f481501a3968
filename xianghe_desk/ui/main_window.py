"""The desk's main window: side bar of pages, status bar with the queue's state, menus and shortcuts."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QColor, QFont, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QWidget,
)

from xianghe_desk import collector
from xianghe_desk.domain.queries import RequestFilter
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.errors import log_file
from xianghe_desk.ui.page_table import (
    PAGE_PERMISSIONS,
    PAGES,
    WARM_UP_MODULES,
    import_page_module,
    ui_modules_to_warm,
    warm_up_work,
)
from xianghe_desk.ui.settings import LAST_PAGE, TEXT_PERCENT, WINDOW_GEOMETRY, WINDOW_STATE, desk_settings
from xianghe_desk.ui.widgets.look import ALERT, emphasise, set_text_colour
from xianghe_desk.ui.widgets.page_stack import PageStack
from xianghe_desk.ui.widgets.status_fit import StatusBarFitter

log = logging.getLogger(__name__)

APP_TITLE = "香河「这就办」服务台账"

TEXT_STEPS = (70, 80, 90, 100, 110, 125, 150, 175, 200)
NEW_KEY = "Ctrl+N"
FIND_KEY = "Ctrl+F"
HELP_KEY = "F1"
LOCK_KEY = "Ctrl+L"
STATUS_REFRESH_MS = 60_000
WARM_UP_POLL_MS = 250  # how often the warm-up looks whether the reader threads are free
# Polls before it warms up anyway (1 s): at a million requests the dashboard's 12-month chart reads
# for ~1.3 s after the tiles are set, and the pages should be ready before a clerk's first click.
WARM_UP_PATIENCE = 4
WARM_UP_PAGE_GAP_MS = 0  # the next turn of the event loop: what waits is handled in between
# After the warm-up the pages not visited yet are built ahead, hidden, one per turn (issue #13: a
# first visit built, laid out and painted a page in one turn, 50-120 ms; a page built ahead is
# only shown and painted, 15-45 ms). Tests of other things turn it off (tests/ui/conftest.py).
BUILD_AHEAD = True
BUILD_AHEAD_GAP_MS = 30
BUILD_AHEAD_PATIENCE = 120  # polls while a dialog is open before it builds anyway (30 s)
READER_PATIENCE = 30  # polls (0.9 s) while the reader threads are busy before it builds anyway
SWITCH_QUIET_S = 0.3  # no page is built ahead this soon after a page switch

_base_point_size: float | None = None


def apply_text_percent(percent: int) -> None:
    """Scale the whole application's text (every window, dialogs included) from its starting size."""
    global _base_point_size
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    font = QFont(app.font())
    if _base_point_size is None:
        _base_point_size = font.pointSizeF() if font.pointSizeF() > 0 else 10.0
    font.setPointSizeF(_base_point_size * percent / 100)
    app.setFont(font)


def status_counts_work(town_id: int | None) -> Callable[[Workspace, object], tuple[int, int]]:
    """The status bar's two counts (overdue, due today), read on the reader pool: at a million
    requests each COUNT takes long enough to freeze the window."""

    def work(ws: Workspace, _job: object) -> tuple[int, int]:
        requests = RequestService(ws)
        overdue = requests.count(RequestFilter(town_id=town_id, overdue_only=True))
        return overdue, requests.count(RequestFilter(town_id=town_id, due_today=True))

    return work


def page_offer(page: QWidget | None, method: str, text_attribute: str) -> str:
    """The menu text of what a page offers for a window-wide key (its ``new_item`` for Ctrl+N, its
    ``focus_search`` for Ctrl+F), or "" when it offers nothing."""
    if page is None or not callable(getattr(page, method, None)):
        return ""
    text = getattr(page, text_attribute, "")
    return text if isinstance(text, str) else ""


@dataclass
class PageEntry:
    key: str
    title: str
    factory: Callable[[DeskContext, QWidget | None], QWidget]
    item: QListWidgetItem
    widget: QWidget | None = None
    failed_ahead: bool = False  # building it ahead failed: left to the clerk's visit


class MainWindow(QMainWindow):
    """The window a clerk keeps open all day.

    Pages are built when first shown, or ahead once the start is done (``_build_ahead``). A page
    may offer ``activate(**kwargs)`` (called on every visit), ``new_item()`` with ``new_item_text``
    (Ctrl+N; without it Ctrl+N is 受理登记), ``focus_search()`` with ``search_text`` (Ctrl+F; without
    it the request list's search), ``refresh()`` (F5), ``save_state()`` (on close) and the signals
    ``navigate(str, dict)`` and ``status_message(str)``.
    """

    def __init__(self, db_path: Path | str, ctx: DeskContext | None = None) -> None:
        super().__init__()
        self.owns_ctx = ctx is None
        self.ctx = ctx or DeskContext(Path(db_path))
        if self.owns_ctx:
            # Close the database only once the window and its views are gone: a view may still
            # fetch a page between closeEvent and its deletion.
            self.destroyed.connect(self.ctx.close)
        self.db_path = Path(db_path)
        self.pages: dict[str, PageEntry] = {}
        self.overdue_count: int | None = None
        self.due_today_count: int | None = None
        self._status_reading = False
        self._status_again = False
        self._warm_up_polls = -1  # -1: not started; the window's first show starts it
        self._build_ahead_polls = 0
        self._switched_at = 0.0  # time.monotonic() of the last page switch
        self.text_percent = desk_settings().get(TEXT_PERCENT)
        apply_text_percent(self.text_percent)
        self.setWindowTitle(f"{APP_TITLE} — {self.ctx.title()}")
        self._init_layout()
        self._init_pages()
        self._init_status_bar()
        self._init_menus()
        self._restore_window()
        self.ctx.events.requests_changed.connect(self._on_requests_changed)
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(STATUS_REFRESH_MS)
        self._status_timer.timeout.connect(self.refresh_status)
        self._status_timer.start()
        self.refresh_status()
        last = desk_settings().get(LAST_PAGE)
        if self.pages:
            self.show_page(last if last in self.pages else next(iter(self.pages)))

    # ------------------------------------------------------------------ building
    def _init_layout(self) -> None:
        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.nav = QListWidget(central)
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName("页面导航")
        self.nav.setSpacing(2)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.currentRowChanged.connect(self._on_nav_row_changed)
        self.nav.setFrameShape(QListWidget.Shape.NoFrame)
        # Colours through the palette, not a style sheet: a sheet would pin the font size (Ctrl+=).
        palette = QPalette(self.nav.palette())
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            palette.setColor(group, QPalette.ColorRole.Base, QColor("#2c3e50"))
            palette.setColor(group, QPalette.ColorRole.Text, QColor("#ecf0f1"))
            palette.setColor(group, QPalette.ColorRole.Highlight, QColor("#1f6fb2"))
            palette.setColor(group, QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
        self.nav.setPalette(palette)
        self.nav.setAutoFillBackground(True)
        self.stack = PageStack(central)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

    def _init_pages(self) -> None:
        self.nav.blockSignals(True)
        who = self.ctx.who
        for key, title, factory in PAGES:
            needed = PAGE_PERMISSIONS.get(key)
            if needed is not None and not who.may(needed):
                continue
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(f"{title}（Ctrl+{len(self.pages) + 1}）")
            self.nav.addItem(item)
            self.pages[key] = PageEntry(key, title, factory, item)
        self.nav.blockSignals(False)
        self._fit_nav_width()

    def _fit_nav_width(self) -> None:
        metrics = self.nav.fontMetrics()
        widest = max((metrics.horizontalAdvance(e.title) for e in self.pages.values()), default=80)
        self.nav.setFixedWidth(widest + metrics.height() * 3)
        for entry in self.pages.values():
            entry.item.setSizeHint(QSize(widest, int(metrics.height() * 2.0)))

    def _init_status_bar(self) -> None:
        bar = self.statusBar()
        self.db_label = QLabel(self)
        self.db_label.setToolTip(str(self.db_path))
        self.device_label = QLabel(self)
        self.overdue_button = QPushButton(self)
        self.overdue_button.setFlat(True)
        self.overdue_button.setToolTip("点击查看超期工单")
        self.overdue_button.clicked.connect(lambda: self.show_page("requests", overdue_only=True))
        self.due_today_button = QPushButton(self)
        self.due_today_button.setFlat(True)
        self.due_today_button.setToolTip("点击查看今天到期的工单")
        self.due_today_button.clicked.connect(lambda: self.show_page("requests", due_today=True))
        bar.addPermanentWidget(self.overdue_button)
        bar.addPermanentWidget(self.due_today_button)
        # Who is signed in, always in sight (a shared office PC): 「admin（管理员）」.
        self.user_label = QLabel(self)
        self.user_label.setToolTip("当前登录的账号；离开电脑时按 Ctrl+L 锁定")
        bar.addPermanentWidget(self.user_label)
        bar.addPermanentWidget(self.device_label)
        bar.addPermanentWidget(self.db_label)
        self.status_fitter = StatusBarFitter(
            bar, [self.overdue_button, self.due_today_button, self.user_label], [self.device_label, self.db_label],
            keeps=self.user_label,
        )  # fmt: skip

    def _init_menus(self) -> None:
        menu_bar = self.menuBar()
        work = menu_bar.addMenu("工作(&W)")
        # One owner per key (issue #8): Ctrl+N belongs to the page's own 「新增」 when it has one
        # (服务对象 adds a resident), otherwise to 受理登记; Ctrl+F to the page's search, otherwise
        # to the request list's. _update_page_actions moves the keys and renames the actions, so the
        # menu always says what the key does on this page.
        self.register_action = self._action(work, "受理登记…", NEW_KEY, self.register_request)
        self.page_new_action = self._action(work, "新增…", None, self.new_on_page)
        self.page_new_action.setVisible(False)
        self.find_action = self._action(work, "查找工单", FIND_KEY, self.focus_search)
        work.addSeparator()
        self._action(work, "退出", QKeySequence.StandardKey.Quit, self.close)
        view = menu_bar.addMenu("查看(&V)")
        self._action(view, "刷新", "F5", self.refresh_current)
        view.addSeparator()
        self._action(view, "放大文字", "Ctrl+=", self.zoom_in, extra=("Ctrl++",))
        self._action(view, "缩小文字", "Ctrl+-", self.zoom_out)
        self._action(view, "默认文字大小", "Ctrl+0", self.zoom_reset)
        go = menu_bar.addMenu("转到(&G)")
        for number, entry in enumerate(self.pages.values(), start=1):
            self._action(
                go,
                entry.title,
                f"Ctrl+{number}" if number <= 9 else None,
                partial(self.show_page, entry.key),
            )
        account = menu_bar.addMenu("我的账号(&Z)")
        self.password_action = self._action(account, "修改密码…", None, self.change_password)
        self.lock_action = self._action(account, "锁定", LOCK_KEY, self.lock_now)
        self.lock_action.setToolTip("离开电脑时锁定：要输入密码才能继续，已打开的表格不会丢失")
        has_account = self.ctx.who.has_account
        for action in (self.password_action, self.lock_action):
            action.setEnabled(has_account)
        help_menu = menu_bar.addMenu("帮助(&H)")
        self.help_action = self._action(help_menu, "使用说明", HELP_KEY, self.show_help)
        self._action(help_menu, "关于", None, self.show_about)
        self._update_page_actions()

    def _update_page_actions(self) -> None:
        """Give Ctrl+N and Ctrl+F to what they do on the current page, and say so in the menu."""
        page = self.stack.currentWidget()
        new_text = page_offer(page, "new_item", "new_item_text")
        if new_text:
            self.register_action.setShortcut(QKeySequence())
            self.page_new_action.setText(new_text)
            self.page_new_action.setShortcut(QKeySequence(NEW_KEY))
            self.page_new_action.setVisible(True)
        else:
            self.page_new_action.setVisible(False)
            self.page_new_action.setShortcut(QKeySequence())
            self.register_action.setShortcut(QKeySequence(NEW_KEY))
        self.find_action.setText(page_offer(page, "focus_search", "search_text") or "查找工单")

    def _action(
        self,
        menu: Any,
        text: str,
        shortcut: str | QKeySequence.StandardKey | None,
        slot: Callable[[], Any],
        extra: tuple[str, ...] = (),
    ) -> QAction:
        action = QAction(text, self)
        keys = []
        if shortcut is not None:
            keys.append(QKeySequence(shortcut))
        keys += [QKeySequence(k) for k in extra]
        if keys:
            action.setShortcuts(keys)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        self.addAction(action)
        return action

    def _restore_window(self) -> None:
        settings = desk_settings()
        geometry = settings.get(WINDOW_GEOMETRY)
        if not geometry or not self.restoreGeometry(geometry):
            screen = self.screen().availableGeometry() if self.screen() else None
            if screen is not None:
                self.resize(min(1400, int(screen.width() * 0.95)), min(860, int(screen.height() * 0.92)))
        state = settings.get(WINDOW_STATE)
        if state:
            self.restoreState(state)

    # ------------------------------------------------------------------ pages
    def page(self, key: str, quiet: bool = False) -> QWidget | None:
        """The page widget, built on first use (None when the page is not available).

        ``quiet`` (building ahead): a page that fails to build is only logged; the clerk's own
        visit tries again and says so.
        """
        entry = self.pages.get(key)
        if entry is None:
            return None
        if entry.widget is None:
            try:
                widget = entry.factory(self.ctx, self.stack)
            except Exception:
                log.exception("page %s failed to start", key)
                if quiet:
                    entry.failed_ahead = True
                    return None
                QMessageBox.warning(
                    self,
                    "页面打不开",
                    f"「{entry.title}」页面出错，暂时打不开。\n详情已记入日志：{log_file()}",
                )
                return None
            navigate = getattr(widget, "navigate", None)
            if navigate is not None:
                navigate.connect(self._on_page_navigate)
            status = getattr(widget, "status_message", None)
            if status is not None:
                status.connect(self._on_page_status_message)
            self.stack.addWidget(widget)
            entry.widget = widget
            self._status_bar_last()
            # A page lasts as long as the window: the cycle collector's passes (which hold the
            # UI thread too, whichever thread runs them) stop walking its objects.
            collector.settle()
        return entry.widget

    def _status_bar_last(self) -> None:
        """Tab runs side bar → page → status bar. Pages are built after the status bar, and Qt
        puts a new widget's fields at the end of the window's focus chain, after the status bar."""
        last = self.previousInFocusChain()
        while last is not None and last is not self and last.focusPolicy() == Qt.FocusPolicy.NoFocus:
            last = last.previousInFocusChain()
        if last is not None and last is not self and last is not self.due_today_button:
            QWidget.setTabOrder(last, self.overdue_button)
            QWidget.setTabOrder(self.overdue_button, self.due_today_button)

    def show_page(self, key: str, **kwargs: Any) -> QWidget | None:
        """Switch to a page; keyword arguments go to its ``activate`` (e.g. request filters)."""
        widget = self.page(key)
        if widget is None:
            return None
        entry = self.pages[key]
        self.nav.blockSignals(True)
        self.nav.setCurrentItem(entry.item)
        self.nav.blockSignals(False)
        self.stack.setCurrentWidget(widget)
        self._switched_at = time.monotonic()
        activate = getattr(widget, "activate", None)
        if callable(activate):
            activate(**kwargs)
        desk_settings().set(LAST_PAGE, key)
        self._update_page_actions()
        return widget

    def current_key(self) -> str | None:
        item = self.nav.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _on_nav_row_changed(self, row: int) -> None:
        item = self.nav.item(row)
        if item is None:
            return
        key = item.data(Qt.ItemDataRole.UserRole)
        if self.show_page(key) is None:
            self.nav.blockSignals(True)
            self.nav.setCurrentItem(self.pages[self.current_key() or key].item)
            self.nav.blockSignals(False)

    def _on_page_navigate(self, key: str, kwargs: dict[str, Any]) -> None:
        self.show_page(key, **(kwargs or {}))

    def _on_page_status_message(self, message: str) -> None:
        self.statusBar().showMessage(message, 10_000)

    # ------------------------------------------------------------------ commands
    def register_request(self) -> None:
        from xianghe_desk.ui.dialogs.register_request import RegisterRequestDialog

        request = RegisterRequestDialog.register(self, self.ctx)
        if request is not None:
            self.statusBar().showMessage(f"已受理登记：工单 {request.number}", 10_000)

    def new_on_page(self) -> None:
        """Ctrl+N on a page with its own 「新增」 (服务对象: a new resident)."""
        new_item = getattr(self.stack.currentWidget(), "new_item", None)
        if callable(new_item):
            new_item()
        else:
            self.register_request()

    def focus_search(self) -> None:
        widget = self.stack.currentWidget()
        if not callable(getattr(widget, "focus_search", None)):
            widget = self.show_page("requests")
        focus = getattr(widget, "focus_search", None)
        if callable(focus):
            focus()

    def refresh_current(self) -> None:
        refresh = getattr(self.stack.currentWidget(), "refresh", None)
        if callable(refresh):
            refresh()
        self.refresh_status()

    def zoom_in(self) -> None:
        self.set_text_percent(next((s for s in TEXT_STEPS if s > self.text_percent), TEXT_STEPS[-1]))

    def zoom_out(self) -> None:
        self.set_text_percent(next((s for s in reversed(TEXT_STEPS) if s < self.text_percent), TEXT_STEPS[0]))

    def zoom_reset(self) -> None:
        self.set_text_percent(100)

    def set_text_percent(self, percent: int) -> None:
        """Text size for the whole desk (remembered for the next start)."""
        self.text_percent = percent
        apply_text_percent(percent)
        desk_settings().set(TEXT_PERCENT, percent)
        self._fit_nav_width()
        self.statusBar().showMessage(f"文字大小：{percent}%（Ctrl+0 恢复默认）", 5000)

    def change_password(self) -> None:
        """「我的账号 → 修改密码」: everyone changes their own password (operations check the old one)."""
        from xianghe_desk.ui.dialogs.password_dialogs import ChangePasswordDialog

        dialog = ChangePasswordDialog(self.ctx, self)
        if dialog.exec() == ChangePasswordDialog.DialogCode.Accepted:
            self.statusBar().showMessage("密码已修改，下次登录请用新密码。", 10_000)
        dialog.deleteLater()

    def lock_now(self) -> None:
        """「锁定」 (Ctrl+L): the idle lock at once (ui/sign_in.IdleLock, set up by application.run)."""
        lock = getattr(self, "idle_lock", None)
        if lock is not None:
            lock.lock_now()

    def show_help(self) -> None:
        from xianghe_desk.ui.dialogs.help_dialog import HelpDialog

        HelpDialog.show_help(self)

    def show_about(self) -> None:
        from xianghe_desk.ui.dialogs.about_dialog import AboutDialog

        device = self.ctx.settings.identity().device
        AboutDialog.show_for(self, self.db_path, f"{device.name}（{device.tag}）")

    # ------------------------------------------------------------------ status bar
    def refresh_status(self) -> None:
        """Database, this copy's name, and how many requests are overdue or due today (counted
        on the reader pool; the buttons keep their last numbers until the new ones arrive)."""
        self.db_label.setText(f"数据库：{self.db_path.name}")
        self.device_label.setText(f"本机：{self.ctx.settings.identity().device.name}")
        who = self.ctx.who
        self.user_label.setText(f"登录：{who.name}（{who.role.label}）" if who.has_account else "")
        self.user_label.setVisible(who.has_account)
        self.status_fitter.fit()
        if self.overdue_count is None:
            self.overdue_button.setText("超期 … 张")
            self.due_today_button.setText("今日到期 … 张")
        if self._status_reading:
            self._status_again = True
            return
        self._status_reading = True
        town_id = self.ctx.home_place()[0]
        self.ctx.read(
            status_counts_work(town_id), self._on_status_counted, self._on_status_failed, "status-counts"
        )

    def _on_status_counted(self, counts: tuple[int, int]) -> None:
        self._status_reading = False
        overdue, due_today = counts
        self.overdue_button.setText(f"⚠ 超期 {overdue} 张" if overdue else "超期 0 张")
        set_text_colour(self.overdue_button, ALERT if overdue else None)
        emphasise(self.overdue_button, bool(overdue))
        self.due_today_button.setText(f"今日到期 {due_today} 张")
        self.overdue_count, self.due_today_count = overdue, due_today
        self.status_fitter.fit()
        self._status_counts_again()

    def _on_status_failed(self, message: str, _is_bug: bool) -> None:
        self._status_reading = False
        log.warning("status bar counts failed: %s", message)
        if self.overdue_count is None:
            self.overdue_button.setText("超期 — 张")
            self.due_today_button.setText("今日到期 — 张")
        self._status_counts_again()

    def _status_counts_again(self) -> None:
        if self._status_again:
            self._status_again = False
            self.refresh_status()

    # ------------------------------------------------------------------ warming up
    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        if self._warm_up_polls < 0:
            self._warm_up_polls = 0
            collector.settle()  # the window and its first page
            QTimer.singleShot(WARM_UP_POLL_MS, self, self._warm_up_when_idle)

    def _warm_up_when_idle(self) -> None:
        """Once the start's reads are done (the reader threads are free), import the other pages'
        modules on a reader thread."""
        reader = getattr(self.ctx.runner, "reader", None)
        busy = reader is not None and reader.activeThreadCount() > 0
        if busy and self._warm_up_polls < WARM_UP_PATIENCE:
            self._warm_up_polls += 1
            QTimer.singleShot(WARM_UP_POLL_MS, self, self._warm_up_when_idle)
            return
        self.ctx.read(warm_up_work(WARM_UP_MODULES), self._warm_up_pages, self._on_warm_up_failed, "warm-up")

    def _warm_up_pages(self, _count: object = None, at: int = 0) -> None:
        """Then the pages' own modules, on the UI thread (see WARM_UP_MODULES), one per turn of the
        event loop, so that a first visit of a page builds it without importing it (issue #13: the
        request page's modules held the window ~25 ms more on its first show)."""
        if at == 0:
            collector.settle()  # the modules the reader thread has just imported
            self._page_modules = ui_modules_to_warm()
        if at < len(self._page_modules):
            import_page_module(self._page_modules[at])
            QTimer.singleShot(WARM_UP_PAGE_GAP_MS, self, lambda: self._warm_up_pages(at=at + 1))
        elif BUILD_AHEAD:
            self._build_ahead_polls = 0
            QTimer.singleShot(BUILD_AHEAD_GAP_MS, self, self._build_ahead)

    def _build_ahead(self) -> None:
        """Build the next page not built yet, hidden, and lay it out at the page's size, so that
        its first visit only shows and paints it; one page per turn of the event loop, in the side
        bar's order, while no dialog is open and the reader threads are free."""
        waiting = [e for e in self.pages.values() if e.widget is None and not e.failed_ahead]
        if not waiting:
            return
        if QApplication.activeModalWidget() is not None and self._build_ahead_polls < BUILD_AHEAD_PATIENCE:
            self._build_ahead_polls += 1
            QTimer.singleShot(WARM_UP_POLL_MS, self, self._build_ahead)
            return
        # Not in the turns after a page switch (its first paint and its reads come then), nor
        # beside a read job turning rows into Python objects (they share Python's lock, and a build
        # beside one takes twice as long): wait a little for both.
        reader = getattr(self.ctx.runner, "reader", None)
        busy = reader is not None and reader.activeThreadCount() > 0
        just_switched = time.monotonic() - self._switched_at < SWITCH_QUIET_S
        if (busy or just_switched) and self._build_ahead_polls < READER_PATIENCE:
            self._build_ahead_polls += 1
            QTimer.singleShot(BUILD_AHEAD_GAP_MS, self, self._build_ahead)
            return
        self._build_ahead_polls = 0
        widget = self.page(waiting[0].key, quiet=True)
        if widget is not None and widget is not self.stack.currentWidget():
            widget.resize(self.stack.size())
            widget.ensurePolished()
            layout = widget.layout()
            if layout is not None:
                layout.activate()
        QTimer.singleShot(BUILD_AHEAD_GAP_MS, self, self._build_ahead)

    def _on_warm_up_failed(self, message: str, _is_bug: bool) -> None:
        log.warning("warming up the pages failed: %s", message)

    def _on_requests_changed(self, _ids: list[int]) -> None:
        self.refresh_status()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            # After the new size has reached the side bar too.
            QTimer.singleShot(0, self, self._fit_nav_width)

    # ------------------------------------------------------------------ closing
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        settings = desk_settings()
        settings.set(WINDOW_GEOMETRY, bytes(self.saveGeometry().data()))
        settings.set(WINDOW_STATE, bytes(self.saveState().data()))
        for entry in self.pages.values():
            save = getattr(entry.widget, "save_state", None)
            if callable(save):
                save()
        settings.sync()
        self._status_timer.stop()
        # The automatic backup of a closing desk (issue #10; ui/auto_backup.py, set up by run()):
        # it runs on the writer thread, which the next line waits for.
        auto_backup = getattr(self, "auto_backup", None)
        if auto_backup is not None:
            auto_backup.on_close()
        self.ctx.runner.wait_for_done()
        self.ctx.runner.close_readers()
        super().closeEvent(event)
