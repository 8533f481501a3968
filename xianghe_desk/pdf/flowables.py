"""Flowables of the paper forms: tick boxes to mark with a pen and the QR code of a work-order number."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from xianghe_desk.pdf.fonts import FONT
from xianghe_desk.pdf.styles import INK


class TickBoxes(Flowable):
    """Options with a square to tick (「□ 现场办结  □ 代办代跑 …」), wrapping onto more lines.

    The squares are drawn, not typed: the font's □ is half the size of a character and hard to
    tick with a pen. The option already recorded (a reprint of a finished request) is ticked.
    """

    def __init__(self, options: Iterable[str], chosen: str, size: float) -> None:
        super().__init__()
        self.options = list(options)
        self.chosen = chosen
        self.size = size
        self.leading = size * 1.7
        self.box = size * 1.05
        self._places: list[tuple[float, int]] = []

    def _item_width(self, option: str) -> float:
        return self.box + self.size * 0.35 + stringWidth(option, FONT, self.size)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        gap = self.size * 1.4
        x, line, places = 0.0, 0, []
        for option in self.options:
            width = self._item_width(option)
            if x > 0 and x + width > avail_width:
                x, line = 0.0, line + 1
            places.append((x, line))
            x += width + gap
        self._places = places
        self.width = avail_width
        self.height = (line + 1) * self.leading if self.options else self.leading
        return avail_width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setFont(FONT, self.size)
        canvas.setLineWidth(0.7)
        canvas.setStrokeColor(INK)
        canvas.setFillColor(INK)
        for option, (x, line) in zip(self.options, self._places, strict=True):
            baseline = (
                self.height - (line + 1) * self.leading + (self.leading - self.size) / 2 + self.size * 0.12
            )
            bottom = baseline - self.size * 0.08
            canvas.rect(x, bottom, self.box, self.box, stroke=1, fill=0)
            if self.chosen and option == self.chosen:
                canvas.setLineWidth(1.2)
                canvas.line(
                    x + self.box * 0.18, bottom + self.box * 0.5, x + self.box * 0.42, bottom + self.box * 0.2
                )
                canvas.line(
                    x + self.box * 0.42,
                    bottom + self.box * 0.2,
                    x + self.box * 0.85,
                    bottom + self.box * 0.85,
                )
                canvas.setLineWidth(0.7)
            canvas.drawString(x + self.box + self.size * 0.35, baseline, option)
        canvas.restoreState()


class QrCode(Flowable):
    """A QR code of ``value``, ``size`` points square (quiet zone included).

    Encoded once with reportlab's own encoder and drawn as one path of merged runs: the stock
    QrCodeWidget encodes twice and builds a shape per module, which made a batch of 1,000
    work orders twice as slow.
    """

    def __init__(self, value: str, size: float, border: int = 2) -> None:
        from reportlab.graphics.barcode import qrencoder  # work orders only: not loaded for a summary

        super().__init__()
        code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
        code.addData(value)
        code.make()
        self.modules: list[list[bool]] = code.modules
        self.size = size
        self.border = border
        self.width = self.height = size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        count = len(self.modules)
        box = self.size / (count + 2 * self.border)
        canvas = self.canv
        path = canvas.beginPath()
        for r, row in enumerate(self.modules):
            y = self.size - (r + self.border + 1) * box
            c = 0
            for dark, run in itertools.groupby(row):
                length = len(list(run))
                if dark:
                    path.rect((c + self.border) * box, y, length * box + 0.01, box + 0.01)
                c += length
        canvas.saveState()
        canvas.setFillColor(INK)
        canvas.drawPath(path, stroke=0, fill=1)
        canvas.restoreState()
