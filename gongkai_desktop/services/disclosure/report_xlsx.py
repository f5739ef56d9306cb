"""The tables of the 政府信息公开工作年度报告 as an .xlsx (issue 6 item 6).

One sheet per table, named by its section heading; on each, the report title (row 1),
the section heading (row 2), then the official table from row 3 exactly as the 2021
format draws it (DOMAIN §1.3–1.5): the same merged cells, the labels verbatim, every
number printed (0 included), thin borders on every cell of the table. Table 二 prints
A4 portrait, tables 三 and 四 A4 landscape, each fitted to one page. Row heights are
set from the text so wrapped labels are never clipped. Written atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from gongkai_desktop.services.disclosure.report import (
    APPLICANT_COLUMNS,
    RESULT_GROUPS,
    ROW_CARRIED_IN,
    ROW_CARRIED_OUT,
    ROW_NEW,
    ROW_TOTAL,
    SECTION_HEADINGS,
    T2_ABOLISHED,
    T2_CHARGES,
    T2_CONTENT,
    T2_DECISIONS,
    T2_ENFORCEMENT,
    T2_FEES,
    T2_IN_FORCE,
    T2_ITEM1,
    T2_ITEM5,
    T2_ITEM6,
    T2_ITEM8,
    T2_LICENSING,
    T2_MADE,
    T2_NORMATIVE,
    T2_PUNISHMENT,
    T2_RULES,
    T3_APPLICANTS,
    T3_CARRIED_IN,
    T3_CARRIED_OUT,
    T3_NEW,
    T3_NOTE,
    T3_ORGANISATIONS,
    T3_RESULTS,
    T3_TOTAL,
    T4_AFTER_REVIEW,
    T4_COLUMNS,
    T4_DIRECT,
    T4_GROUPS,
    T4_LITIGATION,
    T4_REVIEW,
    TOTAL,
    DisclosureReport,
)
from gongkai_desktop.services.documents.sheet_tables import FOOTER_TEXT, line_count
from gongkai_desktop.services.io.file_output import ExportError, write_atomically
from gongkai_desktop.services.io.safe_cells import needs_quote_prefix

TABLE_TOP = 3  # the first row of each official table
SHEET_TABLE2, SHEET_TABLE3, SHEET_TABLE4 = SECTION_HEADINGS[1:4]

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_FONT = "宋体"
_SIZE = 10.5
_UNIT_SIZE = 11  # the size sheet_tables.line_count measures in


class DisclosureXlsxError(ExportError):
    """The report .xlsx could not be written; the message says why, in Chinese."""


class _Sheet:
    def __init__(self, ws: Worksheet, widths: list[float]) -> None:
        self.ws = ws
        self.widths = widths
        self.heights: dict[int, float] = {}
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width

    def put(
        self,
        value: Any,
        row: int,
        col: int,
        last_row: int | None = None,
        last_col: int | None = None,
        *,
        bold: bool = False,
        left: bool = False,
        money: bool = False,
    ) -> None:
        last_row, last_col = last_row or row, last_col or col
        cell = self.ws.cell(row=row, column=col, value=value)
        cell.font = Font(name=_FONT, size=_SIZE, bold=bold)
        cell.alignment = _LEFT if left else _CENTRE
        if isinstance(value, str) and needs_quote_prefix(value):
            cell.data_type = "s"
            cell.quotePrefix = True
        elif money:
            cell.number_format = "0.00"
        elif isinstance(value, int):
            cell.number_format = "0"
        if last_row > row or last_col > col:
            self.ws.merge_cells(
                start_row=row, start_column=col, end_row=last_row, end_column=last_col
            )
        for r in range(row, last_row + 1):
            for c in range(col, last_col + 1):
                self.ws.cell(row=r, column=c).border = _BORDER
        if isinstance(value, str):
            width = sum(self.widths[col - 1 : last_col])
            lines = line_count(value, width, _SIZE / _UNIT_SIZE)
            per_row = (lines * _SIZE * 1.4 + 6) / (last_row - row + 1)
            for r in range(row, last_row + 1):
                self.heights[r] = max(self.heights.get(r, 0.0), per_row)

    def heading(self, report: DisclosureReport, section: str, columns: int) -> None:
        ws = self.ws
        title = ws.cell(row=1, column=1, value=report.title)
        if needs_quote_prefix(report.title):
            title.data_type = "s"
            title.quotePrefix = True
        title.font = Font(name="黑体", size=16)
        title.alignment = _CENTRE
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
        ws.row_dimensions[1].height = 30
        head = ws.cell(row=2, column=1, value=section)
        head.font = Font(name="黑体", size=12)
        head.alignment = Alignment(horizontal="left", vertical="center")
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=columns)
        ws.row_dimensions[2].height = 24

    def finish(self, orientation: str) -> None:
        for row, height in self.heights.items():
            self.ws.row_dimensions[row].height = round(max(height, 20.0), 1)
        ws = self.ws
        ws.page_setup.orientation = orientation
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 1
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top = 0.6
        ws.page_margins.bottom = 0.7
        ws.oddFooter.center.text = FOOTER_TEXT
        ws.oddFooter.center.size = 10
        ws.oddFooter.center.font = _FONT
        ws.sheet_view.showZeros = True


def _table2(ws: Worksheet, report: DisclosureReport) -> None:
    s = _Sheet(ws, [24.0, 18.0, 18.0, 18.0])
    s.heading(report, SHEET_TABLE2, 4)
    t = report.table2
    r = TABLE_TOP
    s.put(T2_ITEM1, r, 1, last_col=4, bold=True)
    for c, label in enumerate((T2_CONTENT, T2_MADE, T2_ABOLISHED, T2_IN_FORCE), start=1):
        s.put(label, r + 1, c, bold=True)
    for offset, (label, values) in enumerate(
        (
            (T2_RULES, (t.rules_made, t.rules_abolished, t.rules_in_force)),
            (T2_NORMATIVE, (t.normative_made, t.normative_abolished, t.normative_in_force)),
        ),
        start=2,
    ):
        s.put(label, r + offset, 1)
        for c, value in enumerate(values, start=2):
            s.put(value, r + offset, c)
    r += 4
    blocks: tuple[tuple[str, str, tuple[tuple[str, Any], ...]], ...] = (
        (T2_ITEM5, T2_DECISIONS, ((T2_LICENSING, t.licensing),)),
        (T2_ITEM6, T2_DECISIONS, ((T2_PUNISHMENT, t.punishment), (T2_ENFORCEMENT, t.enforcement))),
        (T2_ITEM8, T2_FEES, ((T2_CHARGES, t.fees),)),
    )
    for item, header, rows in blocks:
        s.put(item, r, 1, last_col=4, bold=True)
        s.put(T2_CONTENT, r + 1, 1, bold=True)
        s.put(header, r + 1, 2, last_col=4, bold=True)
        for i, (label, value) in enumerate(rows, start=2):
            s.put(label, r + i, 1)
            money = item == T2_ITEM8
            s.put(float(value) if money else value, r + i, 2, last_col=4, money=money)
        r += 2 + len(rows)
    s.finish("portrait")


def _table3(ws: Worksheet, report: DisclosureReport) -> None:
    s = _Sheet(ws, [6.0, 14.0, 42.0, *([9.0] * 7)])
    s.heading(report, SHEET_TABLE3, 10)
    top = TABLE_TOP
    s.put(T3_NOTE, top, 1, top + 2, 3, bold=True)
    s.put(T3_APPLICANTS, top, 4, last_col=10, bold=True)
    s.put(APPLICANT_COLUMNS[0], top + 1, 4, top + 2, 4, bold=True)
    s.put(T3_ORGANISATIONS, top + 1, 5, last_col=9, bold=True)
    s.put(TOTAL, top + 1, 10, top + 2, 10, bold=True)
    for c, label in enumerate(APPLICANT_COLUMNS[1:], start=5):
        s.put(label, top + 2, c, bold=True)
    t3 = report.table3

    def numbers(row: int, path: tuple[str, ...]) -> None:
        for c, value in enumerate(t3[path], start=4):
            s.put(value, row, c)

    r = top + 3
    for label, path in ((T3_NEW, ROW_NEW), (T3_CARRIED_IN, ROW_CARRIED_IN)):
        s.put(label, r, 1, last_col=3, left=True)
        numbers(r, path)
        r += 1
    results_top = r
    for group, leaves in RESULT_GROUPS:
        if not leaves:
            s.put(group, r, 2, last_col=3, left=True)
            numbers(r, (T3_RESULTS, group))
            r += 1
            continue
        s.put(group, r, 2, r + len(leaves) - 1, 2)
        for leaf in leaves:
            s.put(leaf, r, 3, left=True)
            numbers(r, (T3_RESULTS, group, leaf))
            r += 1
    s.put(T3_TOTAL, r, 2, last_col=3, left=True)
    numbers(r, ROW_TOTAL)
    s.put(T3_RESULTS, results_top, 1, r, 1)
    r += 1
    s.put(T3_CARRIED_OUT, r, 1, last_col=3, left=True)
    numbers(r, ROW_CARRIED_OUT)
    s.finish("landscape")


def _table4(ws: Worksheet, report: DisclosureReport) -> None:
    s = _Sheet(ws, [8.5] * 15)
    s.heading(report, SHEET_TABLE4, 15)
    top = TABLE_TOP
    s.put(T4_REVIEW, top, 1, last_col=5, bold=True)
    s.put(T4_LITIGATION, top, 6, last_col=15, bold=True)
    for c, label in enumerate(T4_COLUMNS, start=1):
        s.put(label, top + 1, c, top + 2, c, bold=True)
    s.put(T4_DIRECT, top + 1, 6, last_col=10, bold=True)
    s.put(T4_AFTER_REVIEW, top + 1, 11, last_col=15, bold=True)
    for c, label in enumerate(T4_COLUMNS * 2, start=6):
        s.put(label, top + 2, c, bold=True)
    values = [v for group in T4_GROUPS for v in report.table4[group]]
    for c, value in enumerate(values, start=1):
        s.put(value, top + 3, c)
    s.heights[top + 3] = 24.0
    s.finish("landscape")


def disclosure_workbook(report: DisclosureReport) -> Workbook:
    wb = Workbook()
    first = wb.active
    assert first is not None
    first.title = SHEET_TABLE2
    _table2(first, report)
    _table3(wb.create_sheet(SHEET_TABLE3), report)
    _table4(wb.create_sheet(SHEET_TABLE4), report)
    wb.properties.title = report.title
    wb.properties.creator = report.unit or "gongkai_desktop"
    return wb


def write_disclosure_xlsx(report: DisclosureReport, path: Path) -> None:
    """Write the three tables to ``path``; an existing file is replaced only once the
    new one is complete."""
    wb = disclosure_workbook(report)
    write_atomically(Path(path), wb.save, DisclosureXlsxError)
