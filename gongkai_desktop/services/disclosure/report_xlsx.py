"""The tables of the 政府信息公开工作年度报告 as an .xlsx.

One sheet per table, named by its section heading; on each, the report title (row 1),
the section heading (row 2), then from row 3 the official table as ``report`` lays it
out (``DisclosureReport.sections``), written by ``sheet_tables.SheetTable``: the 2021
format's merged cells and labels, every number printed (0 included), thin borders on
every cell. A table of up to ``PORTRAIT_COLUMNS`` columns (二) prints A4 portrait, the
wide ones (三, 四) A4 landscape, each fitted to one page. Written atomically.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from gongkai_desktop.services.disclosure.report import DisclosureReport
from gongkai_desktop.services.documents.content import ReportTable
from gongkai_desktop.services.documents.sheet_tables import (
    CENTRED,
    SheetStyle,
    SheetTable,
    page_setup,
    put,
    scaled_widths,
    set_column_widths,
)
from gongkai_desktop.services.io.file_output import ExportError, write_atomically

TABLE_TOP = 3  # the first row of each official table
PORTRAIT_COLUMNS = 6
# the sheet's width in column units: about the printable width of the page at 100 %
PORTRAIT_WIDTH = 78.0
LANDSCAPE_WIDTH = 125.0
STYLE = SheetStyle(size=10.5, header_padding=6.0, body_padding=6.0)


class DisclosureXlsxError(ExportError):
    """The report .xlsx could not be written; the message says why, in Chinese."""


def _sheet(ws: Worksheet, report: DisclosureReport, heading: str, table: ReportTable) -> None:
    portrait = table.column_count <= PORTRAIT_COLUMNS
    widths = scaled_widths(table, PORTRAIT_WIDTH if portrait else LANDSCAPE_WIDTH)
    set_column_widths(ws, widths)
    last = table.column_count
    put(ws, 1, 1, report.title, font=Font(name="黑体", size=16), alignment=CENTRED, last_col=last)
    ws.row_dimensions[1].height = 30
    left = Alignment(horizontal="left", vertical="center")
    put(ws, 2, 1, heading, font=Font(name="黑体", size=12), alignment=left, last_col=last)
    ws.row_dimensions[2].height = 24
    SheetTable(table, widths, STYLE).write(ws, TABLE_TOP)
    page_setup(
        ws, "portrait" if portrait else "landscape", fit_height=1, side=0.5, header_footer=0.5
    )


def disclosure_workbook(report: DisclosureReport) -> Workbook:
    wb = Workbook()
    sheets = [
        (section[0].text, block.table)
        for section in report.sections()
        for block in section
        if block.table is not None
    ]
    for index, (heading, table) in enumerate(sheets):
        ws = wb.active if index == 0 else wb.create_sheet()
        assert ws is not None
        ws.title = heading
        _sheet(ws, report, heading, table)
    wb.properties.title = report.title
    wb.properties.creator = report.unit or "gongkai_desktop"
    return wb


def write_disclosure_xlsx(report: DisclosureReport, path: Path) -> None:
    """Write the three tables to ``path``; an existing file is replaced only once the
    new one is complete."""
    wb = disclosure_workbook(report)
    write_atomically(Path(path), wb.save, DisclosureXlsxError)
