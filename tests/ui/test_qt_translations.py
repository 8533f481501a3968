"""Qt's own file dialog speaks Chinese, including the strings Qt 6.11 renamed (issue #8)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from xianghe_desk.ui.application import install_chinese


def test_the_file_dialog_labels_are_chinese(qapp) -> None:
    install_chinese(qapp)
    assert QCoreApplication.translate("QFileDialog", "&Look in:") == "查找范围(&L)："
    assert QCoreApplication.translate("QFileDialog", "Files of &type:") == "文件类型(&T)："
    # Strings the shipped translation has still come from it (our translator answers None for them).
    assert QCoreApplication.translate("QFileDialog", "Look in:") not in ("Look in:", "")
