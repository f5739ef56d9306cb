"""月度工作小结 as a printed page: one QTextDocument for print preview, print and PDF.

``build_monthly_document`` lays out a ``MonthlySummary`` (every sentence and cell is
decided in ``services.report_monthly``; nothing is computed here); ``print_document``
paints it onto a QPrinter or QPdfWriter; ``write_monthly_pdf`` writes the PDF file
atomically and works without a running application (the CLI).
"""

from __future__ import annotations

import html
import sys
from pathlib import Path
from typing import BinaryIO

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import (
    QFontMetricsF,
    QGuiApplication,
    QPagedPaintDevice,
    QPdfWriter,
    QTextDocument,
)

from gongkai_desktop.domain.periods import format_cn_date
from gongkai_desktop.render.fonts import PrintFont, print_font
from gongkai_desktop.render.paged import MM_PER_INCH, PageSetup, print_paged
from gongkai_desktop.services.documents.content import ReportTable
from gongkai_desktop.services.io.file_output import write_atomically
from gongkai_desktop.services.reports.monthly import MonthlySummary

# point sizes: 小二 title, 四号 unit, 小四 text, 五号 tables, 小五 footer
TITLE_PT = 18
UNIT_PT = 14
TEXT_PT = 12
TABLE_PT = 10.5
FOOTER_PT = 9
MARK_COLOR = "#c00000"  # overdue rows; printed bold as well, for black-and-white printers
CELL_PADDING = 4  # px of the HTML table, on each side of a cell's text
# a cell this short (a name, a date, a number) never wraps; longer text wraps to fit
SHORT_CELL = 12
# room to write by hand after an empty 填表人／审核人／联系电话 (ideographic spaces)
SIGN_BLANK = {"filler": 7, "reviewer": 7, "phone": 10}

# dynamic property of the built document: the header printed from page 2 on
RUNNING_HEADER = "gongkai_running_header"

_app: QGuiApplication | None = None  # kept alive for the CLI, which has no application


def ensure_gui_application() -> None:
    """Fonts and painting need a QGuiApplication; the CLI runs without one, offscreen."""
    global _app
    if QGuiApplication.instance() is None:
        _app = QGuiApplication([sys.argv[0] if sys.argv else "gongkai", "-platform", "offscreen"])


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


class _Measure:
    """Text widths in the table font, in points, as Qt will lay the text out."""

    # measured at a large pixel size, where hinting no longer rounds the advances (at
    # screen size it does, and the printer lays text out at 600 dpi)
    _EM = 1000

    def __init__(self, font: PrintFont) -> None:
        body, bold = font.font(TABLE_PT), font.font(TABLE_PT, bold=True)
        for face in (body, bold):
            face.setPixelSize(self._EM)
        self._scale = TABLE_PT / self._EM
        self._body = QFontMetricsF(body)
        self._bold = QFontMetricsF(bold)

    def width(self, text: str, bold: bool = False) -> float:
        metrics = self._bold if bold else self._body
        return (
            max((metrics.horizontalAdvance(line) for line in text.split("\n")), default=0.0)
            * self._scale
        )


def _column_widths(table: ReportTable, measure: _Measure, available: float) -> list[float]:
    """Column widths in percent of the line, from the content: a short cell (a site's
    name such as 金竹沟水源地, a date, a number) fits on one line, a header wraps at most
    once, and long text takes what is left. Widths from the content rather than fixed
    weights: a long site name otherwise broke mid-name (金竹沟水源/地)."""
    count = len(table.headers)
    # per column: padding (px → pt), the border, and 3 pt Qt's layout at printer
    # resolution needs beyond the measured text (with less, 2023年8月20日 wrapped)
    overhead = 2 * CELL_PADDING * 0.75 + 1.5 + 3.0
    least = [0.0] * count
    wanted = [0.0] * count
    for index, header in enumerate(table.headers):
        text = str(header)
        half = text[: (len(text) + 1) // 2] if len(text) >= 4 else text
        least[index] = measure.width(half, bold=True)
        wanted[index] = measure.width(text, bold=True)
    for row in table.rows:
        for index, cell in enumerate(row):
            text = str(cell)
            full = measure.width(text, bold=True)  # marked and total rows print bold
            if len(text) <= SHORT_CELL:
                least[index] = max(least[index], full)
            else:
                least[index] = max(least[index], measure.width(text[: SHORT_CELL // 2]))
            wanted[index] = max(wanted[index], full)
    wanted = [max(w, m) for w, m in zip(wanted, least, strict=True)]
    room = available - overhead * count
    if sum(wanted) <= room:  # everything fits: share the rest by the width wanted
        widths = [w + (room - sum(wanted)) * w / sum(wanted) for w in wanted]
    elif sum(least) <= room:  # long text wraps, in the room the short cells leave
        extra = [w - m for w, m in zip(wanted, least, strict=True)]
        widths = [
            m + (room - sum(least)) * e / sum(extra) for m, e in zip(least, extra, strict=True)
        ]
    else:
        widths = [m * room / sum(least) for m in least]
    return [(w + overhead) * 100 / available for w in widths]


def _table_html(table: ReportTable, measure: _Measure, available: float) -> str:
    count = len(table.headers)
    widths = [f"{w:.1f}%" for w in _column_widths(table, measure, available)]
    out = [f'<p class="caption">{_e(table.caption)}</p>']
    out.append(
        f'<table width="100%" border="1" cellspacing="0" cellpadding="{CELL_PADDING}" '
        'style="border-collapse: collapse; border-color: #000000; '
        f'margin-top: {_px(2)}; margin-bottom: {_px(2)};">'
    )
    out.append("<thead><tr>")
    out.extend(
        f'<th width="{w}" bgcolor="#eeeeee" align="center" valign="middle">{_e(h)}</th>'
        for w, h in zip(widths, table.headers, strict=True)
    )
    out.append("</tr></thead>")
    if not table.rows:
        out.append(f'<tr><td colspan="{count}" align="center">{_e(table.empty_text)}</td></tr>')
    last = len(table.rows) - 1
    for index, row in enumerate(table.rows):
        marked = index in table.marked
        bold = marked or (table.total_row and index == last)
        out.append("<tr>")
        for cell in row:
            text = _e(cell)
            if bold:
                text = f"<b>{text}</b>"
            if marked:
                text = f'<font color="{MARK_COLOR}">{text}</font>'
            short = isinstance(cell, int) or len(str(cell)) <= SHORT_CELL
            align = "center" if short else "left"
            out.append(f'<td align="{align}" valign="middle">{text}</td>')
        out.append("</tr>")
    out.append("</table>")
    if table.note:
        out.append(f'<p class="note">{_e(table.note)}</p>')
    return "".join(out)


def _signature_html(summary: MonthlySummary) -> str:
    """填表人／审核人／联系电话 with underlined room to write where the 设置 leave them
    empty, and the date on a line of its own (the three and the date do not fit one)."""
    sign = summary.signature
    items = (
        ("填表人：", sign.filler, SIGN_BLANK["filler"]),
        ("审核人：", sign.reviewer, SIGN_BLANK["reviewer"]),
        ("联系电话：", sign.phone, SIGN_BLANK["phone"]),
    )
    cells = "".join(
        f"<td>{label}{_e(value) if value else '<u>' + chr(0x3000) * blank + '</u>'}</td>"
        for label, value, blank in items
    )
    return (
        '<table width="100%" border="0" cellspacing="0" cellpadding="0" class="sign" '
        f'style="margin-top: {_px(24)};">'
        f"<tr>{cells}</tr></table>"
        f'<p class="made" align="right">制表日期：{_e(summary.made_on_text)}</p>'
    )


def _px(points: float) -> str:
    """A CSS length in px (Qt's unit for margins) for ``points``."""
    return f"{round(points * 96 / 72)}px"


def _body_width_pt(setup: PageSetup | None = None) -> float:
    setup = setup or PageSetup()
    return (210.0 - setup.left - setup.right) * 72.0 / MM_PER_INCH


def monthly_html(summary: MonthlySummary, font: PrintFont) -> str:
    measure = _Measure(font)
    available = _body_width_pt()
    period = summary.period
    span = f"{format_cn_date(period.start)}至{format_cn_date(period.end)}"
    parts = [
        "<html><head><style>",
        f"body {{ font-family: {font.css_families()}; font-size: {TEXT_PT}pt; }}",
        # Qt reads margins in px only (a margin in pt is dropped): _px converts
        f"p.unit {{ font-size: {UNIT_PT}pt; margin: 0px; }}",
        f"p.title {{ font-size: {TITLE_PT}pt; font-weight: bold; margin-top: {_px(4)}; }}",
        f"p.span {{ font-size: {TABLE_PT}pt; margin-bottom: {_px(8)}; }}",
        f"p.text {{ line-height: 150%; margin-bottom: {_px(4)}; white-space: pre-wrap; }}",
        # headings and notes keep clear of the table borders above and below them
        f"p.caption {{ font-weight: bold; margin-top: {_px(12)}; margin-bottom: {_px(6)}; }}",
        f"p.note {{ font-size: {TABLE_PT}pt; margin-top: {_px(5)}; }}",
        f"table {{ font-size: {TABLE_PT}pt; }}",
        f"table.sign {{ font-size: {TEXT_PT}pt; }}",
        "table.sign td { white-space: pre-wrap; }",
        f"p.made {{ font-size: {TEXT_PT}pt; margin-top: {_px(14)}; }}",
        "</style></head><body>",
    ]
    if summary.unit:
        parts.append(f'<p class="unit" align="center">{_e(summary.unit)}</p>')
    parts.append(f'<p class="title" align="center">{_e(summary.title)}</p>')
    parts.append(f'<p class="span" align="center">（统计期间：{_e(span)}）</p>')
    # indented two characters with ideographic spaces, kept by white-space: pre-wrap
    # (CSS text-indent had no effect once laid out at printer resolution)
    parts.extend(f'<p class="text">\u3000\u3000{_e(text)}</p>' for text in summary.paragraphs)
    parts.extend(_table_html(table, measure, available) for table in summary.tables)
    parts.append(_signature_html(summary))
    parts.append("</body></html>")
    return "".join(parts)


def build_monthly_document(summary: MonthlySummary, font: PrintFont | None = None) -> QTextDocument:
    """The summary as one document (needs a QGuiApplication); raises FontMissingError
    when no Chinese font can print it."""
    font = font or print_font()
    doc = QTextDocument()
    doc.setDefaultFont(font.font(TEXT_PT))
    doc.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, summary.title)
    doc.setHtml(monthly_html(summary, font))
    doc.setProperty(RUNNING_HEADER, _running_header(summary))
    return doc


def _running_header(summary: MonthlySummary) -> str:
    return "　".join(p for p in (summary.unit, summary.title) if p) + "（续）"


def print_document(
    doc_or_summary: QTextDocument | MonthlySummary,
    device: QPagedPaintDevice,
    font: PrintFont | None = None,
) -> int:
    """Paint the summary (or a document built from it) onto a QPrinter or QPdfWriter,
    A4 portrait; returns the number of pages."""
    font = font or print_font()
    if isinstance(doc_or_summary, QTextDocument):
        doc = doc_or_summary
    else:
        doc = build_monthly_document(doc_or_summary, font)
    header = doc.property(RUNNING_HEADER) or ""
    return print_paged(doc, device, footer_font=font.font(FOOTER_PT), running_header=header)


def monthly_pdf_bytes(summary: MonthlySummary, font: PrintFont | None = None) -> bytes:
    ensure_gui_application()
    font = font or print_font()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(summary.title)
    writer.setCreator("gongkai_desktop")
    writer.setResolution(600)
    print_document(summary, writer, font)
    del writer  # finishes the PDF
    buffer.close()
    return bytes(data.data())


def write_monthly_pdf(summary: MonthlySummary, path: Path, font: PrintFont | None = None) -> None:
    """Write the summary as a PDF; an existing file is replaced only once the new one is
    complete (ExportError with a Chinese message when it cannot be written)."""
    content = monthly_pdf_bytes(summary, font)

    def write(handle: BinaryIO) -> None:
        handle.write(content)

    write_atomically(Path(path), write)
