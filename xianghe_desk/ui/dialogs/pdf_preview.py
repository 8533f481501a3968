"""Print preview inside the desk: the PDF as it will print, then 打印, 另存为PDF or 用系统程序打开.

The pages are shown with QtPdf (PySide6-Addons before 6.12, the separate PySide6-Pdf wheel from
6.12 on; see the PySide6 pin in pyproject.toml). Printing renders each page to an image at the printer's resolution (at most
300 dpi) on a worker thread — Qt allows painting on a QPrinter outside the GUI thread — so a
batch of a thousand work orders prints with a progress dialog and 「取消」 while the window stays
responsive. Without QtPdf the dialog still saves the file and opens it in the system's viewer,
which can print it.
"""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path

from PySide6.QtCore import QObject, QRect, QRunnable, QSize, QSizeF, Qt, QThreadPool, QUrl, Signal
from PySide6.QtGui import (
    QDesktopServices,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPainter,
    QShortcut,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk.ui.widgets.file_dialogs import PDF, save_file

try:  # QtPdf: optional at run time, see the module docstring.
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPdfWidgets import QPdfView
except ImportError:  # pragma: no cover - depends on the installation
    QPdfDocument = None  # type: ignore[assignment,misc]
    QPdfView = None  # type: ignore[assignment,misc]

log = logging.getLogger(__name__)

MAX_PRINT_DPI = 300


def has_preview() -> bool:
    """Whether QtPdf is installed (in-app preview and printing)."""
    return QPdfDocument is not None


class PrintSignals(QObject):
    """Signals:
    progress(int, int): pages sent to the printer, pages in all.
    finished(int): pages printed.
    failed(str): a Chinese message.
    cancelled(): the user pressed 「取消」.
    """

    progress = Signal(int, int)
    finished = Signal(int)
    failed = Signal(str)
    cancelled = Signal()


class PrintPdfJob(QRunnable):
    """Send pages ``first``..``last`` (1-based) of a PDF file to ``printer`` on a pool thread."""

    def __init__(self, path: Path, printer: QPrinter, first: int, last: int) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.path = path
        self.printer = printer
        self.first, self.last = first, last
        self.signals = PrintSignals()
        self.cancel_event = threading.Event()

    def cancel(self) -> None:
        self.cancel_event.set()

    def run(self) -> None:
        try:
            printed = self._print()
        except Exception as exc:
            log.exception("printing %s failed", self.path)
            self.signals.failed.emit(f"打印失败：{exc}。请检查打印机是否已连接、是否有纸。")
            return
        if printed is None:
            self.signals.cancelled.emit()
        else:
            self.signals.finished.emit(printed)

    def _print(self) -> int | None:
        document = QPdfDocument()  # this thread's own document
        if document.load(str(self.path)) != QPdfDocument.Error.None_:
            raise OSError(f"无法读取 {self.path.name}")
        total = self.last - self.first + 1
        dpi = min(self.printer.resolution(), MAX_PRINT_DPI)
        painter = QPainter()
        if not painter.begin(self.printer):
            raise OSError("打印机没有响应")
        try:
            for done, page in enumerate(range(self.first - 1, self.last)):
                if self.cancel_event.is_set():
                    self.printer.abort()
                    return None
                if done:
                    self.printer.newPage()
                points = document.pagePointSize(page)
                size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
                # Transparent where the page is blank: the paper stays white.
                image = document.render(page, size)
                target = painter.viewport()
                scaled = size.scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.drawImage(QRect(target.topLeft(), scaled), image)
                self.signals.progress.emit(done + 1, total)
        finally:
            painter.end()
            document.close()
        return total


class PdfPreviewDialog(QDialog):
    """A PDF shown page by page with 打印 / 另存为PDF / 用系统程序打开.

    Signals:
    printed(int): pages sent to the printer.
    """

    printed = Signal(int)

    def __init__(self, path: Path, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.title = title
        self.print_job: PrintPdfJob | None = None
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.setWindowTitle(f"打印预览 — {title}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.document = QPdfDocument(self) if QPdfDocument is not None else None
        self.page_count = 0
        if self.document is not None:
            self.document.load(str(self.path))
            self.page_count = self.document.pageCount()
        self._init_widgets()
        self._init_shortcuts()
        unit = self.fontMetrics().height()
        self.resize(min(62 * unit, 1200), min(44 * unit, 700))

    # ------------------------------------------------------------------ building
    def _init_widgets(self) -> None:
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.info = QLabel(self)
        bar.addWidget(self.info, 1)
        self.fit_width_button = QPushButton("适合宽度", self)
        self.fit_page_button = QPushButton("整页", self)
        self.zoom_in_button = QPushButton("放大", self)
        self.zoom_out_button = QPushButton("缩小", self)
        for button, slot in (
            (self.fit_width_button, self.fit_width),
            (self.fit_page_button, self.fit_page),
            (self.zoom_in_button, lambda: self.zoom(1.25)),
            (self.zoom_out_button, lambda: self.zoom(0.8)),
        ):
            button.setAutoDefault(False)
            button.clicked.connect(slot)
            button.setEnabled(self.document is not None)
            bar.addWidget(button)
        layout.addLayout(bar)

        if self.document is not None and QPdfView is not None:
            self.view: QWidget = QPdfView(self)
            self.view.setPageMode(QPdfView.PageMode.MultiPage)
            self.view.setDocument(self.document)
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
            self.info.setText(f"{self.title}　共 {self.page_count} 页　{self.path.name}")
        else:
            self.view = QLabel(
                "这台电脑缺少打印预览组件（QtPdf），不能在程序里显示。\n"
                "可以点「用系统程序打开」查看并打印，或点「另存为PDF」保存。",
                self,
            )
            self.view.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.info.setText(f"{self.title}　{self.path.name}")
        layout.addWidget(self.view, 1)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.print_button = QPushButton("打印…", self)
        self.print_button.setToolTip("选择打印机并打印（Ctrl+P）")
        self.print_button.setEnabled(self.document is not None and self.page_count > 0)
        self.save_button = QPushButton("另存为PDF…", self)
        self.save_button.setToolTip("把这份 PDF 保存到别的位置（Ctrl+S）")
        self.open_button = QPushButton("用系统程序打开", self)
        self.open_button.setToolTip("用电脑上的 PDF 阅读器打开，也可以在那里打印")
        self.close_button = QPushButton("关闭", self)
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_as)
        self.open_button.clicked.connect(self.open_externally)
        self.close_button.clicked.connect(self.close)
        for button in (self.print_button, self.save_button, self.open_button, self.close_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        (self.print_button if self.print_button.isEnabled() else self.open_button).setDefault(True)
        layout.addLayout(buttons)

    def _init_shortcuts(self) -> None:
        for key, slot in (
            (QKeySequence.StandardKey.Print, self.print_document),
            (QKeySequence.StandardKey.Save, self.save_as),
            (QKeySequence.StandardKey.ZoomIn, lambda: self.zoom(1.25)),
            (QKeySequence.StandardKey.ZoomOut, lambda: self.zoom(0.8)),
        ):
            QShortcut(QKeySequence(key), self).activated.connect(slot)

    # ------------------------------------------------------------------ viewing
    def fit_width(self) -> None:
        if QPdfView is not None and isinstance(self.view, QPdfView):
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    def fit_page(self) -> None:
        if QPdfView is not None and isinstance(self.view, QPdfView):
            self.view.setZoomMode(QPdfView.ZoomMode.FitInView)

    def zoom(self, factor: float) -> None:
        if QPdfView is not None and isinstance(self.view, QPdfView):
            self.view.setZoomMode(QPdfView.ZoomMode.Custom)
            self.view.setZoomFactor(max(0.2, min(self.view.zoomFactor() * factor, 5.0)))

    # ------------------------------------------------------------------ printing
    def make_printer(self) -> QPrinter:
        """A printer set to the PDF's own paper (A4, A5, A3) and printing edge to edge."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.title)
        printer.setFullPage(True)
        if self.document is not None and self.page_count:
            points = self.document.pagePointSize(0)
            # Fuzzy matching (the default) turns 595×842 pt into the printer's own A4.
            size = QPageSize(QSizeF(points.width(), points.height()), QPageSize.Unit.Point)
            orientation = (
                QPageLayout.Orientation.Landscape
                if points.width() > points.height()
                else QPageLayout.Orientation.Portrait
            )
            printer.setPageSize(size)
            printer.setPageOrientation(orientation)
        printer.setFromTo(1, max(self.page_count, 1))
        return printer

    def choose_printer(self, printer: QPrinter) -> bool:
        """The system print dialog (tests monkeypatch this entry point)."""
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("打印")
        dialog.setMinMax(1, max(self.page_count, 1))
        dialog.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, True)
        return dialog.exec() == QDialog.DialogCode.Accepted

    def print_document(self) -> None:
        if self.document is None or not self.page_count or self.print_job is not None:
            if self.document is None:
                self.open_externally()
            return
        printer = self.make_printer()
        if not self.choose_printer(printer):
            return
        first, last = 1, self.page_count
        if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
            first, last = printer.fromPage(), min(printer.toPage() or self.page_count, self.page_count)
        job = PrintPdfJob(self.path, printer, first, last)
        progress = QProgressDialog("正在发送到打印机…", "取消", 0, last - first + 1, self)
        progress.setWindowTitle("打印")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(400)
        progress.canceled.connect(job.cancel)
        job.signals.progress.connect(lambda done, _total: progress.setValue(done))
        job.signals.finished.connect(lambda pages: self._on_print_finished(progress, pages))
        job.signals.failed.connect(lambda message: self._on_print_failed(progress, message))
        job.signals.cancelled.connect(lambda: self._on_print_ended(progress))
        self.print_job = job
        self.print_button.setEnabled(False)
        self.pool.start(job)

    def _on_print_ended(self, progress: QProgressDialog) -> None:
        progress.reset()
        progress.deleteLater()
        self.print_job = None
        self.print_button.setEnabled(True)

    def _on_print_finished(self, progress: QProgressDialog, pages: int) -> None:
        self._on_print_ended(progress)
        self.printed.emit(pages)

    def _on_print_failed(self, progress: QProgressDialog, message: str) -> None:
        self._on_print_ended(progress)
        QMessageBox.warning(self, "打印", message)

    # ------------------------------------------------------------------ files
    def save_as(self) -> Path | None:
        """Copy the PDF where the clerk chooses; returns the new path (None when cancelled)."""
        target = save_file(self, "另存为 PDF", f"{self.title}.pdf", PDF)
        if target is None:
            return None
        try:
            shutil.copyfile(self.path, target)
        except OSError as exc:
            QMessageBox.warning(
                self,
                "另存为 PDF",
                f"无法保存到「{target}」：{exc.strerror or exc}。\n"
                "如果同名文件正在别的程序中打开，请先关闭它，或换一个文件名。",
            )
            return None
        self.info.setText(f"{self.title}　已另存为：{target}")
        return target

    def open_externally(self) -> bool:
        opened = QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path)))
        if not opened:
            QMessageBox.warning(
                self,
                "用系统程序打开",
                f"这台电脑没有可以打开 PDF 的程序。\n可以点「另存为PDF」保存后拷到别的电脑打印。\n文件：{self.path}",
            )
        return bool(opened)

    def closeEvent(self, event: object) -> None:  # noqa: N802
        if self.print_job is not None:
            self.print_job.cancel()
            self.pool.waitForDone(10000)
        if self.document is not None:
            self.document.close()
        super().closeEvent(event)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ entry point
    @classmethod
    def show_pdf(cls, parent: QWidget | None, path: Path | str, title: str) -> PdfPreviewDialog:
        """Open the preview (not modal: the clerk can go on working) and return it."""
        dialog = cls(Path(path), title, parent)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog
