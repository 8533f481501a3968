"""The desk's pages: their factories (each page's module imported when the page is first built), the
side bar's order, who may see which, and the modules warmed up after the start (issue #13)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QTabWidget, QWidget

from xianghe_desk.domain.access import Permission
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.ui.context import DeskContext

PageFactory = Callable[[DeskContext, QWidget | None], QWidget]


class ExchangePage(QTabWidget):
    """数据交换: spreadsheets and exchange packages as tabs."""

    def __init__(
        self,
        ctx: DeskContext,
        panels: list[tuple[str, PageFactory]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        for title, factory in panels:
            self.addTab(factory(ctx, self), title)

    def activate(self, **kwargs: Any) -> None:
        current = self.currentWidget()
        activate = getattr(current, "activate", None)
        if callable(activate):
            activate(**kwargs)


# Each page's module is imported when the page is first built, not when the desk starts (issue
# #13: the eight page modules pull in pypinyin, openpyxl and reportlab). Every factory names its
# class in a plain import statement, never a 「module:Class」 string (issue #9): mypy and the
# tests see a page that does not import at once.


def _spreadsheet_panel(ctx: DeskContext, parent: QWidget | None) -> QWidget:
    from xianghe_desk.ui.pages.spreadsheets import SpreadsheetPanel

    return SpreadsheetPanel(ctx, parent)


def _package_panel(ctx: DeskContext, parent: QWidget | None) -> QWidget:
    from xianghe_desk.ui.pages.packages import PackagePanel

    return PackagePanel(ctx, parent)


# The tabs of 数据交换.
EXCHANGE_TABS: tuple[tuple[str, PageFactory], ...] = (
    ("表格导入导出", _spreadsheet_panel),
    ("数据交换包", _package_panel),
)


def _dashboard_page(ctx: DeskContext, parent: QWidget | None) -> QWidget:
    from xianghe_desk.ui.pages.dashboard import DashboardPage

    return DashboardPage(ctx, parent)


def _requests_page(ctx: DeskContext, parent: QWidget | None) -> QWidget:
    from xianghe_desk.ui.pages.requests import RequestsPage

    return RequestsPage(ctx, parent)


def _residents_page(ctx: DeskContext, parent: QWidget | None) -> QWidget:
    from xianghe_desk.ui.pages.residents import ResidentsPage

    return ResidentsPage(ctx, parent)


def _visits_page(ctx: DeskContext, parent: QWidget | None) -> QWidget:
    from xianghe_desk.ui.pages.visits import VisitsPage

    return VisitsPage(ctx, parent)


def _members_page(ctx: DeskContext, parent: QWidget | None) -> QWidget:
    from xianghe_desk.ui.pages.members import MembersPage

    return MembersPage(ctx, parent)


def _villages_page(ctx: DeskContext, parent: QWidget | None) -> QWidget:
    from xianghe_desk.ui.pages.villages import VillagesPage

    return VillagesPage(ctx, parent)


def _reports_page(ctx: DeskContext, parent: QWidget | None) -> QWidget:
    from xianghe_desk.ui.pages.reports import ReportsPage

    return ReportsPage(ctx, parent)


def _exchange_page(ctx: DeskContext, parent: QWidget | None) -> QWidget:
    return ExchangePage(ctx, list(EXCHANGE_TABS), parent)


def _settings_page(ctx: DeskContext, parent: QWidget | None) -> QWidget:
    from xianghe_desk.ui.pages.settings import SettingsPage

    return SettingsPage(ctx, parent)


def _recycle_page(ctx: DeskContext, parent: QWidget | None) -> QWidget:
    from xianghe_desk.ui.pages.recycle import RecycleBinPage

    return RecycleBinPage(ctx, parent)


def _audit_page(ctx: DeskContext, parent: QWidget | None) -> QWidget:
    from xianghe_desk.ui.pages.audit import AuditPage

    return AuditPage(ctx, parent)


# (key, 中文标题, page factory): the side bar, in this order.
PAGES: tuple[tuple[str, str, PageFactory], ...] = (
    ("dashboard", "工作台", _dashboard_page),
    ("requests", "服务工单", _requests_page),
    ("residents", "服务对象", _residents_page),
    ("visits", "走访", _visits_page),
    ("members", "网格与网格员", _members_page),
    ("villages", "村街", _villages_page),
    ("reports", "统计报表", _reports_page),
    ("exchange", "数据交换", _exchange_page),
    ("settings", "设置", _settings_page),
    ("recycle", "回收站", _recycle_page),
    ("audit", "操作日志", _audit_page),
)

# The modules behind PAGES and EXCHANGE_TABS, imported on the UI thread when a page is first shown.
PAGE_MODULES = (
    "xianghe_desk.ui.pages.requests",
    "xianghe_desk.ui.pages.residents",
    "xianghe_desk.ui.pages.visits",
    "xianghe_desk.ui.pages.members",
    "xianghe_desk.ui.pages.villages",
    "xianghe_desk.ui.pages.reports",
    "xianghe_desk.ui.pages.spreadsheets",
    "xianghe_desk.ui.pages.packages",
    "xianghe_desk.ui.pages.settings",
    "xianghe_desk.ui.pages.recycle",
    "xianghe_desk.ui.pages.audit",
)

# What the pages need besides Qt: the operations and the services, spreadsheet and PDF code behind
# them (pypinyin, openpyxl, reportlab …), imported on a reader thread once the window is up
# (``warm_up_work``), so that a page's first visit does not wait for them. Only modules without Qt
# (import-linter keeps operations and below free of PySide6): PySide6 makes its wrapper types
# lazily, and page modules imported on a reader thread while the UI thread ran once gave a table
# header the wrong Python type (QAbstractScrollArea), so the page modules stay on the UI thread.
WARM_UP_MODULES = (
    *(
        f"xianghe_desk.operations.{name}"
        for name in (
            "accounts", "audit", "backups", "calendar", "conflicts", "exchange", "exports", "imports",
            "people", "places", "printing", "recycle", "requests", "settings", "stats", "visits",
        )
    ),
    "xianghe_desk.services.reports",
    "xianghe_desk.services.printing",
)  # fmt: skip

# Pages only some roles see (the operations refuse the others anyway).
PAGE_PERMISSIONS: dict[str, Permission] = {"audit": Permission.AUDIT}

import_page_module = importlib.import_module  # (tests watch it)


def ui_modules_to_warm() -> list[str]:
    """The desk's widget, model and dialog modules, then PAGE_MODULES: imported leaves first, so
    that no single import on the UI thread pulls in a page's whole tree at once."""
    import pkgutil

    from xianghe_desk.ui import dialogs, models, widgets

    found = [
        module.name
        for package in (widgets, models, dialogs)
        for module in pkgutil.iter_modules(package.__path__, package.__name__ + ".")
    ]
    return [name for name in found if name not in sys.modules] + list(PAGE_MODULES)


def warm_up_work(modules: tuple[str, ...]) -> Callable[[Workspace, object], int]:
    """Import the Qt-free modules behind the pages on a reader thread, so that a page's first visit
    does not wait for them (the UI thread keeps running meanwhile; no Qt type is made here)."""

    def work(_ws: Workspace, _job: object) -> int:
        for name in modules:
            importlib.import_module(name)
        return len(modules)

    return work
