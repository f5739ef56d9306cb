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
from PySide6.QtGui import QGuiApplication, QPagedPaintDevice, QPdfWriter, QTextDocument

from gongkai_desktop.domain.periods import format_cn_date
from gongkai_desktop.render.fonts import PrintFont, print_font
from gongkai_desktop.render.paged import print_paged
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


def _table_html(table: ReportTable) -> str:
    count = len(table.headers)
    weights = table.widths or (1,) * count
    total = sum(weights)
    widths = [f"{w * 100 / total:.1f}%" for w in weights]
    out = [f'<p class="caption">{_e(table.caption)}</p>']
    out.append(
        '<table width="100%" border="1" cellspacing="0" cellpadding="3" '
        'style="border-collapse: collapse; border-color: #000000;">'
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
            align = "center" if isinstance(cell, int) or len(str(cell)) <= 12 else "left"
            out.append(f'<td align="{align}">{text}</td>')
        out.append("</tr>")
    out.append("</table>")
    if table.note:
        out.append(f'<p class="note">{_e(table.note)}</p>')
    return "".join(out)


def monthly_html(summary: MonthlySummary, font: PrintFont) -> str:
    period = summary.period
    span = f"{format_cn_date(period.start)}至{format_cn_date(period.end)}"
    parts = [
        "<html><head><style>",
        f"body {{ font-family: {font.css_families()}; font-size: {TEXT_PT}pt; }}",
        f"p.unit {{ font-size: {UNIT_PT}pt; margin: 0; }}",
        f"p.title {{ font-size: {TITLE_PT}pt; font-weight: bold; margin-top: 4pt; }}",
        f"p.span {{ font-size: {TABLE_PT}pt; margin-bottom: 8pt; }}",
        "p.text { line-height: 150%; margin-bottom: 4pt; white-space: pre-wrap; }",
        "p.caption { font-weight: bold; margin-top: 8pt; margin-bottom: 3pt; }",
        f"p.note {{ font-size: {TABLE_PT}pt; margin-top: 2pt; }}",
        f"table {{ font-size: {TABLE_PT}pt; }}",
        f"table.sign {{ font-size: {TABLE_PT}pt; margin-top: 12pt; }}",
        "</style></head><body>",
    ]
    if summary.unit:
        parts.append(f'<p class="unit" align="center">{_e(summary.unit)}</p>')
    parts.append(f'<p class="title" align="center">{_e(summary.title)}</p>')
    parts.append(f'<p class="span" align="center">（统计期间：{_e(span)}）</p>')
    # indented two characters with ideographic spaces, kept by white-space: pre-wrap
    # (CSS text-indent had no effect once laid out at printer resolution)
    parts.extend(f'<p class="text">\u3000\u3000{_e(text)}</p>' for text in summary.paragraphs)
    parts.extend(_table_html(table) for table in summary.tables)
    # signature left, date right, on one line (a borderless two-cell table)
    parts.append(
        '<table width="100%" border="0" cellspacing="0" cellpadding="0" class="sign"><tr>'
        f"<td>{_e(summary.signature.line())}</td>"
        f'<td align="right">制表日期：{_e(summary.made_on_text)}</td>'
        "</tr></table>"
    )
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
