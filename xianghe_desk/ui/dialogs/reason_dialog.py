"""Asks for the reason of 退回, 撤销, 重新办理 (required) or a note for 督办 (optional)."""

from __future__ import annotations

from PySide6.QtWidgets import QPlainTextEdit, QWidget

from xianghe_desk.ui.widgets.form_dialog import FormDialog


class ReasonDialog(FormDialog):
    def __init__(
        self,
        title: str,
        prompt: str,
        label: str = "原因",
        required: bool = True,
        placeholder: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, prompt, parent, ok_text=title)
        self.required = required
        self.label = label
        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setPlaceholderText(placeholder)
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setMinimumHeight(self.fontMetrics().height() * 5)
        self.add_field("note", label + ("（必填）" if required else "（选填）"), self.text_edit)

    def text(self) -> str:
        return self.text_edit.toPlainText().strip()

    def problems(self) -> list[tuple[str | None, str]]:
        if self.required and not self.text():
            return [("note", f"请填写{self.label}，它会记入工单的办理记录。")]
        return []

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        title: str,
        prompt: str,
        label: str = "原因",
        required: bool = True,
        placeholder: str = "",
    ) -> str | None:
        """The text entered, or None when the clerk cancelled."""
        dialog = cls(title, prompt, label, required, placeholder, parent)
        accepted = dialog.exec() == FormDialog.DialogCode.Accepted
        dialog.deleteLater()
        return dialog.text() if accepted else None
