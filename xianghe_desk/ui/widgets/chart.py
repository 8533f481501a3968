"""A grouped bar chart of requests received and completed per month, drawn with QPainter
(QtCharts is not part of PySide6-Essentials)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QHelpEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget


@dataclass(frozen=True)
class Series:
    name: str
    color: str
    brush_style: Qt.BrushStyle = Qt.BrushStyle.SolidPattern


class BarChart(QWidget):
    """Bars per label for two or more series. Bars of different series differ in colour AND
    fill pattern, and each bar carries its number when there is room, so no one depends on colour."""

    def __init__(self, series: Sequence[Series], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.series = list(series)
        self.labels: list[str] = []
        self.values: list[list[int]] = [[] for _ in self.series]
        self.title = ""
        self._bars: list[tuple[QRectF, str]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)

    def set_data(self, labels: Sequence[str], values: Sequence[Sequence[int]], title: str = "") -> None:
        self.labels = list(labels)
        self.values = [list(v) for v in values]
        self.title = title
        self.setAccessibleDescription(
            "；".join(
                f"{label}："
                + "，".join(f"{s.name}{v[i]}" for s, v in zip(self.series, self.values, strict=True))
                for i, label in enumerate(self.labels)
            )
        )
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        height = self.fontMetrics().height()
        return QSize(40 * height, 16 * height)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        height = self.fontMetrics().height()
        return QSize(24 * height, 11 * height)

    def _nice_max(self, top: int) -> tuple[int, int]:
        """An axis maximum and step that read well (0, 500, 1000 … rather than 0, 437, 874 …)."""
        if top <= 0:
            return 4, 1
        raw = top / 4
        magnitude = 10 ** (len(str(int(raw))) - 1)
        for factor in (1, 2, 2.5, 5, 10):
            step = factor * magnitude
            if step >= raw:
                break
        step = max(int(step), 1)
        return step * (int(top / step) + (top % step > 0)), step

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text_color = palette.color(QPalette.ColorRole.Text)
        metrics = QFontMetrics(self.font())
        line = metrics.height()
        rect = QRectF(self.rect()).adjusted(4, 4, -4, -4)
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        self._bars = []
        # Title and legend on one line.
        painter.setPen(text_color)
        painter.drawText(QRectF(rect.left(), rect.top(), rect.width(), line), self.title)
        x = rect.right()
        for series in reversed(self.series):
            width = metrics.horizontalAdvance(series.name)
            x -= width
            painter.drawText(QPointF(x, rect.top() + metrics.ascent()), series.name)
            x -= line + 4
            swatch = QRectF(x, rect.top() + 2, line - 4, line - 4)
            self._fill(painter, swatch, series)
            x -= line
        if not self.labels:
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), "暂无数据")
            painter.end()
            return
        top_value = max((max(v) if v else 0) for v in self.values)
        axis_max, step = self._nice_max(top_value)
        axis_width = metrics.horizontalAdvance(str(axis_max)) + 8
        plot = QRectF(rect.left() + axis_width, rect.top() + line * 2.2, rect.width() - axis_width, 0)
        plot.setBottom(rect.bottom() - line * 1.6)
        if plot.height() < line * 2:
            painter.end()
            return
        # Grid lines and the value axis.
        grid_pen = QPen(palette.color(QPalette.ColorRole.Midlight), 1)
        for value in range(0, axis_max + 1, step):
            y = plot.bottom() - plot.height() * value / axis_max
            painter.setPen(grid_pen)
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(text_color)
            painter.drawText(
                QRectF(rect.left(), y - line / 2, axis_width - 6, line),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                str(value),
            )
        group_width = plot.width() / len(self.labels)
        bar_width = group_width * 0.78 / len(self.series)
        show_numbers = bar_width >= metrics.horizontalAdvance("0000") * 0.8
        number_font = self.font()
        number_font.setPointSizeF(self.font().pointSizeF() * 0.8)
        number_metrics = QFontMetrics(number_font)
        # Month labels that do not fit under their bars (「10月」 next to a 100000 axis at 150 %)
        # get a smaller font before they would be cut to 「1…」.
        label_font = self.font()
        widest = max((metrics.horizontalAdvance(x) for x in self.labels), default=0)
        if widest > group_width - 2 and widest > 0:
            label_font.setPointSizeF(self.font().pointSizeF() * max(0.6, (group_width - 2) / widest))
        label_metrics = QFontMetrics(label_font)
        for i, label in enumerate(self.labels):
            left = plot.left() + group_width * i + group_width * 0.11
            for s, series in enumerate(self.series):
                value = self.values[s][i] if i < len(self.values[s]) else 0
                height = plot.height() * value / axis_max
                bar = QRectF(left + s * bar_width, plot.bottom() - height, bar_width - 1, height)
                self._fill(painter, bar, series)
                self._bars.append((bar.adjusted(0, -line, 0, 0), f"{label} {series.name}：{value}"))
                if show_numbers and value:
                    painter.setFont(number_font)
                    painter.setPen(text_color)
                    painter.drawText(
                        QRectF(
                            bar.left() - 10,
                            bar.top() - number_metrics.height(),
                            bar.width() + 20,
                            number_metrics.height(),
                        ),
                        int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
                        str(value),
                    )
                    painter.setFont(self.font())
            painter.setPen(text_color)
            painter.setFont(label_font)
            painter.drawText(
                QRectF(plot.left() + group_width * i, plot.bottom() + 2, group_width, line * 1.4),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter),
                label_metrics.elidedText(label, Qt.TextElideMode.ElideRight, int(group_width)),
            )
            painter.setFont(self.font())
        painter.setPen(QPen(text_color, 1))
        painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
        painter.end()

    @staticmethod
    def _fill(painter: QPainter, rect: QRectF, series: Series) -> None:
        color = QColor(series.color)
        painter.setPen(QPen(color.darker(130), 1))
        painter.setBrush(
            QBrush(color.lighter(170)) if series.brush_style != Qt.BrushStyle.SolidPattern else color
        )
        painter.drawRect(rect)
        if series.brush_style != Qt.BrushStyle.SolidPattern:
            painter.setBrush(QBrush(color.darker(110), series.brush_style))
            painter.drawRect(rect)

    def event(self, event: object) -> bool:
        if isinstance(event, QHelpEvent):
            for rect, text in self._bars:
                if rect.contains(QPointF(event.pos())):
                    QToolTip.showText(event.globalPos(), text, self)
                    return True
            QToolTip.hideText()
            event.ignore()
            return True
        return super().event(event)  # type: ignore[arg-type]
