"""Every 「打开」 and 「保存」 file dialog of the desk: Chinese throughout, starting in a folder that
exists, offering only the file types the desk accepts (issue #8).

Why a helper: Qt 6.11's own (non-native) QFileDialog labels its fields 「&Look in:」 and
「Files of &type:」, strings that the qtbase_zh_CN.qm shipped with PySide6 does not have yet (it
translates the older 「Look in:」), so they stayed English even with the translator installed. The
dialog also turned a start folder that does not exist (~/Documents on many Linux machines) into the
file name 「Documents」. Here each dialog gets its labels set in Chinese, starts in the folder last
used (remembered in the desk settings) or the home folder, and lists only the accepted types.

Pages call ``open_file`` / ``save_file``; tests monkeypatch those two.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from xianghe_desk.ui.settings import LAST_FOLDER, desk_settings


@dataclass(frozen=True)
class FileKind:
    """A kind of file the desk reads or writes: its Chinese name and its suffixes (no dots)."""

    name: str
    suffixes: tuple[str, ...]

    def name_filter(self) -> str:
        patterns = " ".join(f"*.{s}" for s in self.suffixes)
        return f"{self.name} ({patterns})"

    def accepts(self, path: Path) -> bool:
        return path.suffix.lower().lstrip(".") in self.suffixes


# Only what the readers take: an old .xls is refused by sheets/reader.py, so it is not offered.
SHEETS = FileKind("表格文件", ("xlsx", "csv"))
XLSX = FileKind("Excel 工作簿", ("xlsx",))
PDF = FileKind("PDF 文件", ("pdf",))
REGISTRATION = FileKind("登记文件", ("json",))

CHINESE_LABELS = {
    QFileDialog.DialogLabel.LookIn: "查找范围(&L)：",
    QFileDialog.DialogLabel.FileName: "文件名(&N)：",
    QFileDialog.DialogLabel.FileType: "文件类型(&T)：",
    QFileDialog.DialogLabel.Reject: "取消",
}


def start_folder() -> Path:
    """The folder last used, while it still exists; otherwise the home folder."""
    remembered = desk_settings().get(LAST_FOLDER)
    if remembered and Path(remembered).is_dir():
        return Path(remembered)
    return Path.home()


def remember_folder(path: Path) -> None:
    folder = path if path.is_dir() else path.parent
    desk_settings().set(LAST_FOLDER, str(folder))


def build_dialog(
    parent: QWidget | None, title: str, kinds: tuple[FileKind, ...], save_as: str | None = None
) -> QFileDialog:
    """The configured dialog, not yet shown: opening an existing file, or saving as ``save_as``."""
    dialog = QFileDialog(parent, title, str(start_folder()))
    dialog.setNameFilters([kind.name_filter() for kind in kinds])
    if save_as is None:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setLabelText(QFileDialog.DialogLabel.Accept, "打开(&O)")
    else:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setDefaultSuffix(kinds[0].suffixes[0])
        dialog.setLabelText(QFileDialog.DialogLabel.Accept, "保存(&S)")
        dialog.selectFile(save_as)
    for label, text in CHINESE_LABELS.items():
        dialog.setLabelText(label, text)
    return dialog


def _chosen(dialog: QFileDialog) -> Path | None:
    try:
        if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return None
        return Path(dialog.selectedFiles()[0])
    finally:
        dialog.deleteLater()


def choose_folder(parent: QWidget | None, title: str, current: Path | None = None) -> Path | None:
    """A folder chosen by the clerk (a backup folder on a USB stick …), or None when cancelled."""
    start = current if current is not None and current.is_dir() else start_folder()
    dialog = QFileDialog(parent, title, str(start))
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    for label, text in CHINESE_LABELS.items():
        dialog.setLabelText(label, text)
    dialog.setLabelText(QFileDialog.DialogLabel.Accept, "选择(&S)")
    path = _chosen(dialog)
    if path is not None:
        remember_folder(path)
    return path


def open_file(parent: QWidget | None, title: str, *kinds: FileKind) -> Path | None:
    """An existing file of one of ``kinds`` chosen by the clerk, or None when cancelled."""
    path = _chosen(build_dialog(parent, title, kinds))
    if path is not None:
        remember_folder(path)
    return path


def save_file(parent: QWidget | None, title: str, suggested: str, kind: FileKind) -> Path | None:
    """Where to save a file of ``kind`` (its suffix added when the clerk left it out), or None."""
    path = _chosen(build_dialog(parent, title, (kind,), save_as=suggested))
    if path is None:
        return None
    if not kind.accepts(path):
        path = path.with_name(f"{path.name}.{kind.suffixes[0]}")
    remember_folder(path)
    return path
