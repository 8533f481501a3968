"""The QApplication: shipped font, Chinese locale and Qt translations, error hook, main window."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import ClassVar

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication

from xianghe_desk import paths

log = logging.getLogger(__name__)

_translators: list[QTranslator] = []


def load_font() -> str:
    """Register the shipped WenQuanYi Micro Hei and return its family (works with no system CJK font)."""
    font_id = QFontDatabase.addApplicationFont(str(paths.font_path()))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        log.warning("could not load %s", paths.font_path())
        return ""
    return families[0]


def app_icon() -> QIcon:
    """The program's icon (resources/icons, drawn by installer/make_icons.py) in every size it has."""
    icon = QIcon()
    for png in sorted(paths.resource("icons").glob("xianghe-desk-*.png")):
        icon.addFile(str(png))
    return icon


class _NewerQtStrings(QTranslator):
    """Qt 6.11 strings that the shipped qtbase_zh_CN.qm does not have yet (it translates the older
    「Look in:」 but Qt now asks for 「&Look in:」), so Qt's own file dialog stayed half English."""

    TEXTS: ClassVar[dict[tuple[str, str], str]] = {
        ("QFileDialog", "&Look in:"): "查找范围(&L)：",
        ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
        ("QFileDialog", "&File name:"): "文件名(&N)：",
    }

    def translate(  # type: ignore[override]
        self, context: str, source_text: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        # None, not "": an empty string would stop Qt from asking the real translator.
        return self.TEXTS.get((context, source_text))

    def isEmpty(self) -> bool:  # noqa: N802 - Qt override
        return False


def install_chinese(app: QApplication) -> None:
    """Qt's own buttons and dialogs in Chinese (qtbase_zh_CN ships with the PySide6 wheel)."""
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load("qtbase_zh_CN", folder):
        app.installTranslator(translator)
        _translators.append(translator)
    extra = _NewerQtStrings(app)
    app.installTranslator(extra)
    _translators.append(extra)


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("xianghe-desk")
    app.setOrganizationName("xianghe")
    app.setWindowIcon(app_icon())
    app.setDesktopFileName("xianghe-desk")  # the menu entry installer/build_deb.sh installs
    # No applicationDisplayName: Qt would append it to every window title, and the main
    # window's title already starts with the program's name.
    family = load_font()
    if family:
        font = QFont(family)
        font.setPointSize(max(app.font().pointSize(), 10))
        app.setFont(font)
    install_chinese(app)
    return app


def run(db_path: Path, demo: bool = False) -> int:
    from xianghe_desk import collector

    # The desk is this process's only work: what it loads and builds lasts until it closes.
    collector.enable()
    # The pages' modules load when a page is first shown (the other pages' on a reader thread
    # once the window is up); the dashboard, shown first, loads here with the rest of the start.
    import xianghe_desk.ui.pages.dashboard  # noqa: F401
    from xianghe_desk.ui import errors
    from xianghe_desk.ui.auto_backup import AutoBackup
    from xianghe_desk.ui.context import DeskContext
    from xianghe_desk.ui.main_window import MainWindow
    from xianghe_desk.ui.sign_in import IdleLock, sign_in_at_start

    errors.setup_logging()
    app = make_app()
    errors.install_excepthook()
    try:
        ctx = DeskContext(Path(db_path))
    except Exception as exc:
        # The database could not be opened (locked, damaged, too new): say so and stop.
        if not errors.is_user_error(exc):
            raise
        errors.show_warning(None, errors.user_message(exc), "无法打开数据库")
        return 1
    # Nobody sees a name or an ID number before signing in (issue #9).
    if not sign_in_at_start(ctx, demo=demo):
        ctx.close()
        return 1
    window = MainWindow(db_path, ctx=ctx)
    app.aboutToQuit.connect(ctx.close)
    window.idle_lock = IdleLock(ctx, ctx.accounts.idle_lock_minutes(), window)  # type: ignore[attr-defined]
    # Daily and on closing (issue #10); the window's closeEvent runs the last one.
    window.auto_backup = AutoBackup(ctx, window)  # type: ignore[attr-defined]
    window.auto_backup.status_message.connect(  # type: ignore[attr-defined]
        lambda message: window.statusBar().showMessage(message, 15_000)
    )
    window.show()
    # CI's wheel check waits for this line to know the installed desk really opened.
    log.info("desk window shown on %s", db_path)
    return int(app.exec())
