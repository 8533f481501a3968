"""A canvas that holds its pages back until the end, so each page can say 第 N 页 共 M 页."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from reportlab.pdfgen.canvas import Canvas


class NumberedCanvas(Canvas, ABC):
    """reportlab's usual recipe: ``showPage`` saves the page's state; ``save`` replays every page
    with its furniture (``furniture(total)``, drawn by the subclass) and then writes the file.

    ``footer_left`` and ``header_text`` are keyword arguments the document's canvasmaker passes.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.footer_left = kwargs.pop("footer_left", "")
        self.header_text = kwargs.pop("header_text", "")
        super().__init__(*args, **kwargs)
        self._saved: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._saved.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved)
        for state in self._saved:
            self.__dict__.update(state)
            self.furniture(total)
            super().showPage()
        super().save()

    def page_label(self, total: int) -> str:
        return f"第 {self._pageNumber} 页 共 {total} 页"

    @abstractmethod
    def furniture(self, total: int) -> None:
        """Footer and running header of the current page (each document draws its own)."""
