"""The 「程序出错」 box says where the log file is and opens its folder (issue #8)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtWidgets import QApplication, QMessageBox

from xianghe_desk.ui import errors


def _answer(button_text: str, seen: dict[str, str]) -> None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox) and widget.isVisible():
            seen["text"] = widget.text()
            for button in widget.buttons():
                if button.text() == button_text:
                    button.click()
                    return
    QTimer.singleShot(20, lambda: _answer(button_text, seen))


def test_the_bug_box_names_the_log_file_and_opens_its_folder(qapp, tmp_path: Path, monkeypatch) -> None:
    log = tmp_path / "logs" / "xianghe-desk.log"
    monkeypatch.setattr(errors, "log_file", lambda: log)
    opened: list[QUrl] = []
    monkeypatch.setattr(errors.QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    seen: dict[str, str] = {}
    QTimer.singleShot(0, lambda: _answer("打开日志文件夹", seen))
    errors.show_bug(None, "发生了意外错误：KeyError: 'x'", "Traceback ...")
    assert str(log) in seen["text"]
    assert [u.toLocalFile() for u in opened] == [str(log.parent)]
    assert log.parent.is_dir()


def test_ok_closes_the_bug_box_without_opening_anything(qapp, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(errors, "log_file", lambda: tmp_path / "xianghe-desk.log")
    opened: list[QUrl] = []
    monkeypatch.setattr(errors.QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    seen: dict[str, str] = {}
    QTimer.singleShot(0, lambda: _answer_ok(seen))
    errors.show_bug(None, "发生了意外错误", "details")
    assert opened == []


def _answer_ok(seen: dict[str, str]) -> None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox) and widget.isVisible():
            seen["text"] = widget.text()
            widget.button(QMessageBox.StandardButton.Ok).click()
            return
    QTimer.singleShot(20, lambda: _answer_ok(seen))
