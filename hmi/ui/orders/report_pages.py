"""The shift report's pages: A4 geometry, fonts and greys, and ``Pages``, which lays
text, rules, boxes and tables out in device units and paints them with a footer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPaintDevice, QPainter, QPen

from hmi.core.i18n import fill

PAGE_MM = (210.0, 297.0)  # A4 portrait
MARGIN_MM = 15.0
PDF_DPI = 300  # fine enough for hairlines; the text is vector text whatever this is
BODY_PT, SMALL_PT, HEADING_PT, TITLE_PT = 9.0, 7.5, 12.0, 18.0
INK, DARK, MID, LIGHT, RULE = "#000000", "#404040", "#8c8c8c", "#d9d9d9", "#b3b3b3"

Paint = Callable[[QPainter], None]


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # share of the content width
    right: bool = False  # numbers sit right-aligned


class Pages:
    """Lays the report out on pages of one device (its resolution sets the units): a list
    of paint steps per page, measured so nothing runs past a column or a page."""

    def __init__(self, device: QPaintDevice, say: Callable[[str], str]):
        self.device = device
        self.say = say  # not named tr: lupdate would file its texts under this class
        self.dot = device.logicalDpiX() / 72.0  # device units per point
        mm = device.logicalDpiX() / 25.4
        self.width = (PAGE_MM[0] - 2 * MARGIN_MM) * mm
        self.height = (PAGE_MM[1] - 2 * MARGIN_MM) * mm
        self.body = self.font(BODY_PT)
        self.bold = self.font(BODY_PT, bold=True)
        self.small = self.font(SMALL_PT)
        self.footer_height = self.line_height(self.small) * 2
        self.pages: list[list[Paint]] = [[]]
        self.y = 0.0
        self.running_title = ""  # repeated at the top of every page after the first

    # -- measuring ---------------------------------------------------------------------

    def font(self, points: float, bold: bool = False) -> QFont:
        font = QFont()
        font.setPointSizeF(points)
        font.setBold(bold)
        return font

    def pt(self, points: float) -> float:
        return points * self.dot

    def line_height(self, font: QFont) -> float:
        return QFontMetricsF(font, self.device).height()

    def text_height(self, font: QFont, width: float, text: str) -> float:
        rect = QFontMetricsF(font, self.device).boundingRect(
            QRectF(0, 0, max(width, 1.0), 1e7), self.wrap_flags(font, width, text), text
        )
        return max(rect.height(), self.line_height(font))

    def text_width(self, font: QFont, text: str) -> float:
        return QFontMetricsF(font, self.device).horizontalAdvance(text)

    def wrap_flags(self, font: QFont, width: float, text: str) -> int:
        """Wrap at spaces; a word wider than the column (a long order number) anywhere."""
        metrics = QFontMetricsF(font, self.device)
        widest = max((metrics.horizontalAdvance(w) for w in text.split()), default=0.0)
        wrap = Qt.TextFlag.TextWrapAnywhere if widest > width else Qt.TextFlag.TextWordWrap
        return int(wrap)

    @property
    def bottom(self) -> float:
        return self.height - self.footer_height

    # -- placing -----------------------------------------------------------------------

    def add(self, paint: Paint) -> None:
        self.pages[-1].append(paint)

    def new_page(self) -> None:
        self.pages.append([])
        self.y = 0.0
        if self.running_title:
            height = self.line_height(self.small)
            self.text(QRectF(0, 0, self.width, height), self.running_title, self.small, DARK)
            self.rule(height + self.pt(2), RULE)
            self.y = height + self.pt(8)

    def room(self, height: float) -> bool:
        """Makes room for ``height`` below: a new page when it does not fit on this one;
        False when it started a new page."""
        if self.y + height <= self.bottom or self.y == 0.0:
            return True
        self.new_page()
        return False

    def text(
        self,
        rect: QRectF,
        text: str,
        font: QFont,
        colour: str = INK,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
    ) -> None:
        flags = int(align | Qt.AlignmentFlag.AlignTop) | self.wrap_flags(font, rect.width(), text)

        def paint(p: QPainter) -> None:
            p.setFont(font)
            p.setPen(QColor(colour))
            p.drawText(rect, flags, text)

        self.add(paint)

    def rule(self, y: float, colour: str = INK, width_pt: float = 0.5) -> None:
        pen = QPen(QColor(colour), self.pt(width_pt))

        def paint(p: QPainter) -> None:
            p.setPen(pen)
            p.drawLine(QPointF(0, y), QPointF(self.width, y))

        self.add(paint)

    def box(self, rect: QRectF, fill: QBrush | None, outline: str | None = INK) -> None:
        pen = QPen(QColor(outline), self.pt(0.6)) if outline else QPen(Qt.PenStyle.NoPen)

        def paint(p: QPainter) -> None:
            p.setPen(pen)
            p.setBrush(fill if fill is not None else QBrush(Qt.BrushStyle.NoBrush))
            p.drawRect(rect)

        self.add(paint)

    def line(self, x0: float, y0: float, x1: float, y1: float, pen: QPen) -> None:
        def paint(p: QPainter) -> None:
            p.setPen(pen)
            p.drawLine(QPointF(x0, y0), QPointF(x1, y1))

        self.add(paint)

    def gap(self, points: float) -> None:
        self.y += self.pt(points)

    def heading(self, title: str, keep: float = 0.0) -> None:
        """A section title, kept on the page of what follows it (``keep`` of it)."""
        font = self.font(HEADING_PT, bold=True)
        height = self.text_height(font, self.width, title)
        if self.y > 0:
            self.gap(10)
        self.room(height + self.pt(4) + keep)
        self.text(QRectF(0, self.y, self.width, height), title, font)
        self.y += height
        self.rule(self.y + self.pt(1.5), INK, 1.0)
        self.y += self.pt(5)

    def paragraph(self, text: str, font: QFont | None = None, colour: str = INK) -> None:
        font = font or self.body
        height = self.text_height(font, self.width, text)
        self.room(height)
        self.text(QRectF(0, self.y, self.width, height), text, font, colour)
        self.y += height + self.pt(2)

    def table(
        self,
        title: str,
        columns: Sequence[Column],
        rows: Sequence[Sequence[str]],
        small: bool = False,
    ) -> None:
        """Rows under a header, each as high as its tallest wrapped cell; a row that does
        not fit goes to the next page under the header again ("continued")."""
        pad = self.pt(3)
        body = self.small if small else self.body
        widths = [c.width * self.width for c in columns]
        lefts = [sum(widths[:i]) for i in range(len(widths))]

        def height_of(cells: Sequence[str], font: QFont) -> float:
            return (
                max(
                    self.text_height(font, w - 2 * pad, t)
                    for t, w in zip(cells, widths, strict=True)
                )
                + 2 * pad
            )

        def draw(cells: Sequence[str], font: QFont, height: float, header: bool) -> None:
            if header:
                self.box(QRectF(0, self.y, self.width, height), QBrush(QColor(LIGHT)), None)
            for text, column, left, width in zip(cells, columns, lefts, widths, strict=True):
                align = Qt.AlignmentFlag.AlignRight if column.right else Qt.AlignmentFlag.AlignLeft
                rect = QRectF(left + pad, self.y + pad, width - 2 * pad, height - 2 * pad)
                self.text(rect, text, font, INK, align)
            self.rule(self.y + height, INK if header else RULE, 0.6 if header else 0.3)
            self.y += height

        titles = [self.say(c.title) for c in columns]
        header_height = height_of(titles, self.bold)
        first = height_of(rows[0], body) if rows else 0.0
        self.heading(title, header_height + first)
        draw(titles, self.bold, header_height, True)
        for row in rows:
            height = height_of(row, body)
            if not self.room(height):
                self.continued(title)
                draw(titles, self.bold, header_height, True)
            draw(row, body, height, False)

    def continued(self, title: str) -> None:
        text = f"{title} ({self.say('continued')})"
        height = self.text_height(self.bold, self.width, text)
        self.text(QRectF(0, self.y, self.width, height), text, self.bold)
        self.y += height + self.pt(3)

    # -- painting ----------------------------------------------------------------------

    def paint(self, painter: QPainter, index: int, footer: str) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        for step in self.pages[index]:
            step(painter)
        y = self.height - self.line_height(self.small)
        pen = QPen(QColor(RULE), self.pt(0.3))
        painter.setPen(pen)
        painter.drawLine(QPointF(0, y - self.pt(3)), QPointF(self.width, y - self.pt(3)))
        painter.setFont(self.small)
        painter.setPen(QColor(DARK))
        page = fill(
            self.say("Page {page} of {pages}"),
            {"page": str(index + 1), "pages": str(len(self.pages))},
        )
        page_width = self.text_width(self.small, page) + self.pt(2)
        left = QRectF(0, y, self.width - page_width - self.pt(6), self.line_height(self.small))
        painter.drawText(left, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), footer)
        right = QRectF(self.width - page_width, y, page_width, self.line_height(self.small))
        painter.drawText(right, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop), page)
