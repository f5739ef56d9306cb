"""Painting a ``PrintGrid`` (a record list, a ledger read back from its .xlsx) page by
page: A4 (landscape unless the sheet says portrait), the columns scaled to the page
width as the .xlsx is printed one page wide, text wrapped inside its cell, the header
rows repeated on every page and 第 N 页 共 M 页 below. The same painter draws onto a
QPrinter (print, print preview), a PDF and the picture of a ledger's first page.

Painted with QPainter rather than a QTextDocument: a list of thousands of rows lays out
in one pass over the rows, and merged header cells keep their place.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPen,
)

from gongkai_desktop.render.fonts import PrintFont, print_font
from gongkai_desktop.services.documents.print_grid import GridCell, PrintGrid

MM_PER_INCH = 25.4
MARGIN_MM = 12.0
FOOTER_MM = 8.0
FOOTER_PT = 9.0
PADDING_PT = 2.5  # between a cell's border and its text
# An Excel width unit is about 7 px of the default font at 96 dpi.
UNIT_INCH = 7.0 / 96.0
A4_MM = (210.0, 297.0)

_ALIGN = {
    "left": Qt.AlignmentFlag.AlignLeft,
    "center": Qt.AlignmentFlag.AlignHCenter,
    "right": Qt.AlignmentFlag.AlignRight,
}


@dataclass
class _Layout:
    grid: PrintGrid
    fonts: PrintFont
    device: QPaintDevice
    width: float  # of the body, device pixels
    height: float
    dpi: float

    def __post_init__(self) -> None:
        total = sum(self.grid.widths) or 1.0
        self.columns = [w * self.width / total for w in self.grid.widths]
        self.lefts = [sum(self.columns[:i]) for i in range(len(self.columns))]
        natural = total * UNIT_INCH * self.dpi
        # a sheet wider than the page prints smaller, as Excel's fit-to-width does
        self.scale = min(1.0, self.width / natural) if natural else 1.0
        self.padding = PADDING_PT * self.dpi / 72.0 * self.scale
        self._fonts: dict[tuple[float, bool], QFont] = {}
        self._measures: dict[tuple[float, bool], QFontMetricsF] = {}
        self._heights: dict[tuple[float, bool, str, int], float] = {}
        self.heights = self._row_heights()

    def font(self, cell: GridCell) -> QFont:
        key = (cell.size, cell.bold)
        if key not in self._fonts:
            font = self.fonts.font(max(cell.size * self.scale, 4.0), bold=cell.bold)
            self._fonts[key] = QFont(font, self.device)
        return self._fonts[key]

    def cell_width(self, column: int, span: int) -> float:
        return sum(self.columns[column : column + span])

    def _metrics(self, cell: GridCell) -> QFontMetricsF:
        key = (cell.size, cell.bold)
        if key not in self._measures:
            self._measures[key] = QFontMetricsF(self.font(cell))
        return self._measures[key]

    def _text_height(self, cell: GridCell, width: float) -> float:
        metrics = self._metrics(cell)
        room = max(width - 2 * self.padding, 1.0)
        # most cells of a list are one short line (a date, a village, a name): no wrapping
        # to lay out; and the same text in the same column is measured once
        if "\n" not in cell.text and metrics.horizontalAdvance(cell.text) <= room:
            return metrics.height()
        key = (cell.size, cell.bold, cell.text, round(room))
        if key not in self._heights:
            box = metrics.boundingRect(
                QRectF(0, 0, room, 1e6), int(Qt.TextFlag.TextWordWrap), cell.text
            )
            self._heights[key] = box.height()
        return self._heights[key]

    def _row_heights(self) -> list[float]:
        rows = self.grid.rows
        heights = [0.0] * len(rows)
        spanning: list[tuple[int, int, float]] = []
        least = QFontMetricsF(QFont(self.fonts.font(10.5 * self.scale), self.device)).height()
        for r, row in enumerate(rows):
            heights[r] = least + 2 * self.padding
            for c, cell in enumerate(row):
                if cell is None:
                    continue
                needed = self._text_height(cell, self.cell_width(c, cell.colspan))
                needed += 2 * self.padding
                if cell.rowspan == 1:
                    heights[r] = max(heights[r], needed)
                else:
                    spanning.append((r, cell.rowspan, needed))
        for r, span, needed in spanning:  # a merged cell's text: room in its last row
            have = sum(heights[r : r + span])
            if have < needed:
                heights[r + span - 1] += needed - have
        return heights

    def pages(self) -> list[list[int]]:
        """Row indices per page: the rows above the repeated header on the first page only,
        the header on every page."""
        grid = self.grid
        header = list(range(grid.repeat_first, grid.repeat_end))
        header_height = sum(self.heights[r] for r in header)
        pages: list[list[int]] = [list(range(grid.repeat_end))]
        used = sum(self.heights[r] for r in pages[0])
        for r in range(grid.repeat_end, len(grid.rows)):
            if used + self.heights[r] > self.height and len(pages[-1]) > len(header):
                pages.append(list(header))
                used = header_height
            pages[-1].append(r)
            used += self.heights[r]
        return pages

    def paint_page(self, painter: QPainter, rows: list[int]) -> None:
        pen = QPen(QColor("black"))
        pen.setWidthF(max(self.dpi / 150.0, 1.0))
        y = 0.0
        tops: dict[int, float] = {}
        for r in rows:
            tops[r] = y
            y += self.heights[r]
        for r in rows:
            for c, cell in enumerate(self.grid.rows[r]):
                if cell is None:
                    continue
                spanned = [x for x in range(r, r + cell.rowspan) if x in tops]
                height = sum(self.heights[x] for x in spanned)
                rect = QRectF(self.lefts[c], tops[r], self.cell_width(c, cell.colspan), height)
                if cell.border:
                    painter.setPen(pen)
                    painter.drawRect(rect)
                painter.setFont(self.font(cell))
                painter.setPen(QColor("black"))
                inner = rect.adjusted(self.padding, self.padding, -self.padding, -self.padding)
                flags = _ALIGN[cell.align] | Qt.AlignmentFlag.AlignVCenter
                painter.drawText(inner, int(flags) | int(Qt.TextFlag.TextWordWrap), cell.text)


def _footer(painter: QPainter, font: QFont, rect: QRectF, page: int, pages: int) -> None:
    painter.setFont(font)
    painter.setPen(QColor("black"))
    flags = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom
    painter.drawText(rect, int(flags), f"第 {page} 页 共 {pages} 页")


def print_grid(grid: PrintGrid, device: QPagedPaintDevice, fonts: PrintFont | None = None) -> int:
    """Paint every page of ``grid`` onto a QPrinter or QPdfWriter; returns the page count."""
    fonts = fonts or print_font()
    orientation = (
        QPageLayout.Orientation.Landscape if grid.landscape else QPageLayout.Orientation.Portrait
    )
    device.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            orientation,
            QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
            QPageLayout.Unit.Millimeter,
        )
    )
    dpi = float(device.logicalDpiY())
    area = device.pageLayout().paintRectPixels(round(dpi))
    footer = FOOTER_MM * dpi / MM_PER_INCH
    layout = _Layout(grid, fonts, device, float(area.width()), area.height() - footer, dpi)
    pages = layout.pages()
    footer_font = QFont(fonts.font(FOOTER_PT), device)
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("无法开始打印（打印机或 PDF 文件无法写入）")
    try:
        for index, rows in enumerate(pages):
            if index:
                device.newPage()
            layout.paint_page(painter, rows)
            band = QRectF(0, layout.height, layout.width, footer)
            _footer(painter, footer_font, band, index + 1, len(pages))
    finally:
        painter.end()
    return len(pages)


def first_page_image(grid: PrintGrid, dpi: float = 96.0, fonts: PrintFont | None = None) -> QImage:
    """The first printed page of ``grid`` as a picture (white paper, the same margins)."""
    fonts = fonts or print_font()
    short, long = (v * dpi / MM_PER_INCH for v in A4_MM)
    width, height = (long, short) if grid.landscape else (short, long)
    image = QImage(round(width), round(height), QImage.Format.Format_RGB32)
    dots = round(dpi / 0.0254)
    image.setDotsPerMeterX(dots)
    image.setDotsPerMeterY(dots)
    image.fill(QColor("white"))
    margin = MARGIN_MM * dpi / MM_PER_INCH
    footer = FOOTER_MM * dpi / MM_PER_INCH
    body_width = width - 2 * margin
    body_height = height - 2 * margin - footer
    layout = _Layout(grid, fonts, image, body_width, body_height, dpi)
    pages = layout.pages()
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.translate(margin, margin)
        layout.paint_page(painter, pages[0])
        # a grid cut short for the preview has no true page count
        count = "…" if grid.truncated else str(len(pages))
        painter.setFont(QFont(fonts.font(FOOTER_PT), image))
        painter.setPen(QColor("black"))
        painter.drawText(
            QRectF(0, body_height, body_width, footer),
            int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
            f"第 1 页 共 {count} 页",
        )
    finally:
        painter.end()
    return image
