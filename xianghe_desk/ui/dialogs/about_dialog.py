"""关于: the program's name and version, where its data and log live, and the licences of what it bundles."""

from __future__ import annotations

import logging
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xianghe_desk import DISPLAY_NAME, __version__, paths
from xianghe_desk.ui.application import app_icon
from xianghe_desk.ui.errors import open_log_folder, show_warning

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Bundled:
    """One part the installers ship, with its licence (SPDX identifiers where there is one).

    ``dists`` are the Python distributions it stands for: the version shown comes from the first,
    and tests/ui/test_about_dialog.py checks that every dependency in pyproject.toml is listed.
    """

    name: str
    licence: str
    dists: tuple[str, ...] = ()
    version: str = ""


# What a frozen build (installer/) carries besides the desk itself. The desk's own dependencies
# come first, then what they bring along.
BUNDLED: tuple[Bundled, ...] = (
    Bundled(
        "文泉驿微米黑 WenQuanYi Micro Hei（界面与 PDF 字体）",
        "Apache-2.0 或 GPL-3.0（附字体嵌入例外）",
        version="0.2.0-beta",
    ),
    Bundled("Python", "PSF-2.0"),
    Bundled("Qt 6（含 ICU：Unicode-3.0）", "LGPL-3.0-only"),
    Bundled(
        "PySide6 / Shiboken6（Qt for Python）", "LGPL-3.0-only", ("PySide6-Essentials", "PySide6-Addons")
    ),
    Bundled("ReportLab（PDF）", "BSD-3-Clause", ("reportlab",)),
    Bundled("rl_accel（ReportLab 加速模块）", "BSD-3-Clause", ("rl_accel",)),
    Bundled("sqlite-utils", "Apache-2.0", ("sqlite-utils",)),
    Bundled("SQLite", "公有领域（Public Domain）"),
    Bundled("openpyxl（Excel 表格）", "MIT", ("openpyxl",)),
    Bundled("python-stdnum（身份证号校验）", "LGPL-2.1-or-later", ("python-stdnum",)),
    Bundled("phonenumbers（电话号码校验）", "Apache-2.0", ("phonenumbers",)),
    Bundled("pypinyin（拼音检索）", "MIT", ("pypinyin",)),
    Bundled("chinesecalendar（法定节假日）", "MIT", ("chinesecalendar",)),
    Bundled("platformdirs", "MIT", ("platformdirs",)),
    Bundled("cryptography（数据交换包加密）", "Apache-2.0 或 BSD-3-Clause", ("cryptography",)),
    Bundled("argon2-cffi（口令散列）", "MIT", ("argon2-cffi", "argon2-cffi-bindings")),
    Bundled("sqlcipher3 / SQLCipher（数据库加密）", "zlib / BSD-3-Clause", ("sqlcipher3",)),
    Bundled("OpenSSL", "Apache-2.0"),
    Bundled("Pillow", "MIT-CMU", ("pillow",)),
    Bundled("cffi / pycparser", "MIT / BSD-3-Clause", ("cffi", "pycparser")),
    Bundled("et_xmlfile", "MIT", ("et_xmlfile",)),
    Bundled("click / click-default-group", "BSD-3-Clause / 公有领域", ("click", "click-default-group")),
    Bundled("sqlite-fts4", "Apache-2.0", ("sqlite-fts4",)),
    Bundled("tabulate", "MIT", ("tabulate",)),
    Bundled("python-dateutil", "Apache-2.0 或 BSD-3-Clause", ("python-dateutil",)),
    Bundled("pluggy", "MIT", ("pluggy",)),
    Bundled("charset-normalizer", "MIT", ("charset-normalizer",)),
)

LGPL_NOTE = (
    "Qt 与 PySide6 按 LGPL-3.0 随附，本程序以动态链接方式使用它们：可以用自行编译的同版本库替换"
    "安装文件夹中 PySide6 目录下的文件。源代码见 https://download.qt.io 。"
    "字体许可证全文：{font_licence}"
)


def version_of(part: Bundled) -> str:
    """The version this installation runs (blank when a frozen build carries no metadata for it)."""
    if part.version:
        return part.version
    if part.name == "Python":
        return platform.python_version()
    if part.name.startswith("Qt 6"):
        return qVersion()
    for dist in part.dists[:1]:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return ""
    return ""


class AboutDialog(QDialog):
    """关于本程序: version, data and log folders (each with a button that opens it), licences."""

    def __init__(self, db_path: Path | None = None, device: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db_path = db_path
        self.device = device
        self.setWindowTitle(f"关于{DISPLAY_NAME}")
        self._layout = QVBoxLayout(self)
        self._init_title()
        self._init_places()
        self._init_licences()
        self._init_buttons()
        em = self.fontMetrics().horizontalAdvance("字")
        self.resize(em * 58, em * 42)

    def _init_title(self) -> None:
        row = QHBoxLayout()
        icon = QLabel(self)
        icon.setPixmap(app_icon().pixmap(QSize(64, 64)))
        row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        self.title_label = QLabel(
            f"<h2>{DISPLAY_NAME}</h2>版本 {__version__}<br>香河县乡镇（街道）「这就办」服务受理、派单、办结、回访与月度汇总",
            self,
        )
        self.title_label.setTextFormat(Qt.TextFormat.RichText)
        self.title_label.setWordWrap(True)
        row.addWidget(self.title_label, 1)
        self._layout.addLayout(row)

    def _init_places(self) -> None:
        grid = QGridLayout()
        self.data_dir = paths.data_dir()
        self.log_dir = paths.log_dir()
        rows: list[tuple[str, str, QPushButton | None]] = []
        self.open_data_button = QPushButton("打开数据文件夹", self)
        self.open_data_button.clicked.connect(self._on_open_data_clicked)
        self.open_log_button = QPushButton("打开日志文件夹", self)
        self.open_log_button.clicked.connect(self._on_open_log_clicked)
        rows.append(("数据文件夹", str(self.data_dir), self.open_data_button))
        if self.db_path is not None:
            rows.append(("当前数据库", str(self.db_path), None))
        rows.append(("日志文件夹", str(self.log_dir), self.open_log_button))
        if self.device:
            rows.append(("本机", self.device, None))
        self.place_labels: dict[str, QLabel] = {}
        for row, (title, text, button) in enumerate(rows):
            grid.addWidget(QLabel(f"{title}：", self), row, 0, Qt.AlignmentFlag.AlignTop)
            value = QLabel(text, self)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.place_labels[title] = value
            grid.addWidget(value, row, 1)
            if button is not None:
                grid.addWidget(button, row, 2, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(1, 1)
        text = "卸载、重装或升级本程序都不会删除数据文件夹。"
        if self.db_path is not None:
            text += f"数据库升级前的自动备份保存在「{paths.backups_dir(self.db_path)}」。"
        self.backup_note = QLabel(text, self)
        self.backup_note.setWordWrap(True)
        self._layout.addLayout(grid)
        self._layout.addWidget(self.backup_note)

    def _init_licences(self) -> None:
        self._layout.addWidget(QLabel("<b>随附的软件及其许可证</b>", self))
        table = QTableWidget(len(BUNDLED), 3, self)
        table.setHorizontalHeaderLabels(["组件", "版本", "许可证"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setWordWrap(False)
        for row, part in enumerate(BUNDLED):
            for column, text in enumerate((part.name, version_of(part), part.licence)):
                table.setItem(row, column, QTableWidgetItem(text))
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.licence_table = table
        self._layout.addWidget(table, 1)
        font_licence = paths.resource("fonts", "LICENSE-wqy-microhei.txt")
        self.licence_note = QLabel(LGPL_NOTE.format(font_licence=font_licence), self)
        self.licence_note.setWordWrap(True)
        self.licence_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._layout.addWidget(self.licence_note)

    def _init_buttons(self) -> None:
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        self._layout.addWidget(buttons)

    def _on_open_data_clicked(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.data_dir))):
            show_warning(self, f"无法打开文件夹，请在文件管理器中手动打开：\n{self.data_dir}")

    def _on_open_log_clicked(self) -> None:
        if not open_log_folder():
            show_warning(self, f"无法打开文件夹，请在文件管理器中手动打开：\n{self.log_dir}")

    @classmethod
    def show_for(cls, parent: QWidget | None, db_path: Path | None = None, device: str = "") -> None:
        """Show the dialog until the clerk closes it."""
        cls(db_path, device, parent).exec()
