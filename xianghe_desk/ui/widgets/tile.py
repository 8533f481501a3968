"""A large clickable figure for the dashboard: a title, the number, and a line saying what it means."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QAbstractButton, QSizePolicy, QWidget


class TileButton(QAbstractButton):
    """Drawn with QPainter from the widget's own font, so it grows with the desk's text size.

    ``alert`` marks a tile that needs attention (overdue requests): a red edge AND a 「⚠」 before
    the title, so colour is never the only signal.
    """

    def __init__(self, title: str, accent: str = "#1f6fb2", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.value = "—"
        self.caption = ""
        self.accent = QColor(accent)
        self.alert = False
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(title)

    def set_value(
        self, value: str, caption: str = "", alert: bool = False, hint: str = "点击查看工单"
    ) -> None:
        self.value = value
        self.caption = caption
        self.alert = alert
        self.setToolTip(f"{self.title}：{value}" + (f"\n{caption}" if caption else "") + f"\n{hint}")
        self.setAccessibleDescription(f"{value} {caption}")
        self.updateGeometry()
        self.update()

    def _fonts(self) -> tuple[QFont, QFont, QFont]:
        base = self.font()
        title = QFont(base)
        title.setPointSizeF(base.pointSizeF() * 1.05)
        value = QFont(base)
        value.setPointSizeF(base.pointSizeF() * 2.4)
        value.setBold(True)
        caption = QFont(base)
        caption.setPointSizeF(base.pointSizeF() * 0.9)
        return title, value, caption

    def sizeHint(self) -> QSize:  # noqa: N802
        title, value, caption = (QFontMetrics(f) for f in self._fonts())
        pad = title.height() // 2 + 4
        width = (
            max(title.horizontalAdvance("⚠ " + self.title), caption.horizontalAdvance("办结 100.0%"))
            + 2 * pad
        )
        height = title.height() + value.height() + caption.height() + 2 * pad + 6
        return QSize(max(width, 8 * title.height()), height)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        hint = self.sizeHint()
        return QSize(min(hint.width(), 6 * QFontMetrics(self.font()).height()), hint.height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        rect = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        background = palette.color(QPalette.ColorRole.Base)
        if self.isDown():
            background = background.darker(108)
        elif self.underMouse():
            background = background.darker(103)
        edge = QColor("#c0392b") if self.alert else self.accent
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
        painter.setBrush(background)
        painter.drawRoundedRect(rect, 6, 6)
        painter.fillRect(QRectF(rect.left(), rect.top() + 6, 5, rect.height() - 12), edge)
        if self.hasFocus():
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 2, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(3, 3, -3, -3), 5, 5)
        title_font, value_font, caption_font = self._fonts()
        pad = QFontMetrics(title_font).height() // 2 + 4
        inner = rect.adjusted(pad + 4, pad / 2, -pad / 2, -pad / 2)
        text_color = palette.color(QPalette.ColorRole.Text)
        y = inner.top()
        for font, text, color in (
            (title_font, ("⚠ " if self.alert else "") + self.title, text_color),
            (value_font, self.value, edge),
            (caption_font, self.caption, palette.color(QPalette.ColorRole.PlaceholderText)),
        ):
            metrics = QFontMetrics(font)
            if font is caption_font and metrics.horizontalAdvance(text) > inner.width() > 0:
                # A long caption (「办结 13013 / 受理 16394」 at 150 %) shrinks a little before
                # it would be cut; the line keeps its height.
                size = font.pointSizeF()
                while (
                    metrics.horizontalAdvance(text) > inner.width() and size > caption_font.pointSizeF() * 0.6
                ):
                    size *= 0.95
                    font = QFont(caption_font)
                    font.setPointSizeF(size)
                    metrics = QFontMetrics(font)
            painter.setFont(font)
            painter.setPen(color)
            line = QRectF(inner.left(), y, inner.width(), metrics.height())
            elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(line.width()))
            painter.drawText(line, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), elided)
            y += metrics.height() + 2
        painter.end()

    def enterEvent(self, event: object) -> None:  # noqa: N802
        self.update()
        super().enterEvent(event)  # type: ignore[arg-type]

    def leaveEvent(self, event: object) -> None:  # noqa: N802
        self.update()
        super().leaveEvent(event)  # type: ignore[arg-type]
