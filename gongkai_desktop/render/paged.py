"""Painting a QTextDocument page by page onto a printer or PDF writer.

One document serves print preview (``QPrintPreviewDialog.paintRequested``), printing
and PDF: ``print_paged`` lays it out for the device it is given (A4 portrait, the
margins below), draws each page's slice of the document, a running header from the
second page on and the footer "第 N 页 共 M 页".
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPen,
    QTextDocument,
)

MM_PER_INCH = 25.4


@dataclass(frozen=True)
class PageSetup:
    # margins in mm: left (binding side) a little wider, as official documents have it
    left: float = 25.0
    top: float = 15.0
    right: float = 20.0
    bottom: float = 14.0
    header_height: float = 7.0  # band above the body, used from page 2 on
    footer_height: float = 8.0  # band below the body for the page number


def _mm(value: float, dpi: float) -> float:
    return value * dpi / MM_PER_INCH


def print_paged(
    document: QTextDocument,
    device: QPagedPaintDevice,
    *,
    footer_font: QFont,
    running_header: str = "",
    setup: PageSetup | None = None,
) -> int:
    """Paint ``document`` onto ``device``; returns the number of pages painted.

    The document is cloned and laid out for the device, so the caller's copy (e.g.
    one shown on screen) is left as it was.
    """
    setup = setup or PageSetup()
    device.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(setup.left, setup.top, setup.right, setup.bottom),
            QPageLayout.Unit.Millimeter,
        )
    )
    dpi = float(device.logicalDpiY())
    area = device.pageLayout().paintRectPixels(round(dpi))
    width = float(area.width())
    header = _mm(setup.header_height, dpi)
    footer = _mm(setup.footer_height, dpi)
    body_height = float(area.height()) - header - footer

    doc = document.clone()
    doc.documentLayout().setPaintDevice(device)
    doc.setDocumentMargin(0)
    doc.setPageSize(QSizeF(width, body_height))
    pages = max(1, doc.pageCount())

    painter = QPainter()
    if not painter.begin(device):
        raise OSError("无法开始打印（打印机或 PDF 文件无法写入）")
    try:
        for index in range(pages):
            if index:
                device.newPage()
            painter.save()
            painter.translate(0, header)
            slice_ = QRectF(0, index * body_height, width, body_height)
            painter.translate(0, -slice_.top())
            doc.drawContents(painter, slice_)
            painter.restore()
            _decorate(
                painter,
                index + 1,
                pages,
                width,
                header,
                header + body_height,
                footer,
                footer_font,
                running_header,
                dpi,
            )
    finally:
        painter.end()
    return pages


def _decorate(
    painter: QPainter,
    page: int,
    pages: int,
    width: float,
    header: float,
    body_bottom: float,
    footer: float,
    font: QFont,
    running_header: str,
    dpi: float,
) -> None:
    painter.save()
    painter.setFont(font)
    painter.setPen(QColor("black"))
    painter.drawText(
        QRectF(0, body_bottom, width, footer),
        int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
        f"第 {page} 页 共 {pages} 页",
    )
    if page > 1 and running_header:
        painter.setPen(QColor("#444444"))
        band = QRectF(0, 0, width, header - _mm(1.5, dpi))
        painter.drawText(
            band, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom), running_header
        )
        pen = QPen(QColor("#444444"))
        pen.setWidthF(_mm(0.2, dpi))
        painter.setPen(pen)
        painter.drawLine(
            QPointF(0, band.bottom() + _mm(0.5, dpi)), QPointF(width, band.bottom() + _mm(0.5, dpi))
        )
    painter.restore()
