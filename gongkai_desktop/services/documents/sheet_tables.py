"""Tables on printed .xlsx sheets: every spreadsheet of the app (ledgers, summary
reports, the 政府信息公开工作年度报告) shares the page footer, the text measures for row
heights, the safe cell writer and the print set-up here, and every report table —
``content.ReportTable`` — is laid out by ``SheetTable``: merged cells for cells that
span rows or columns, thin borders on every cell of the table (inside a merge too),
the fonts of a ``SheetStyle``, the table's column widths, every number a real number.

Row heights are set explicitly from the text (Excel and LibreOffice do not fit a row to
wrapped or merged text), so nothing is clipped on paper: a cell that spans rows shares
its height out among them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from gongkai_desktop.services.documents.content import (
    CENTRE,
    LEFT,
    Placed,
    ReportTable,
    cell_text,
)
from gongkai_desktop.services.io.safe_cells import needs_quote_prefix

FOOTER_TEXT = "第 &P 页 共 &N 页"
UNIT_SIZE = 11  # the font size (pt) text_width measures in
INTEGER_FORMAT = "0"
RED = "FFC00000"

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT_ALIGNED = Alignment(horizontal="left", vertical="center", wrap_text=True)


# ---- measuring text ------------------------------------------------------------------------
def text_width(text: str) -> float:
    """Width of a line in column-width units: a Chinese character takes two, a Latin
    letter or digit a little over one (UTF-8 needs three bytes for the former, one for
    the latter; the margin covers fonts whose digits are wider than the unit, such as
    the fallbacks LibreOffice uses where 宋体 is missing)."""
    wide = (len(text.encode("utf-8")) - len(text)) // 2
    return 2 * wide + 1.15 * (len(text) - wide)


def line_count(text: str, width: float, scale: float = 1.0) -> int:
    """Lines ``text`` takes in a cell ``width`` units wide, at ``scale`` times the size
    text_width measures in."""
    usable = max(1.0, width - 1.2)
    lines = 0
    for part in text.split("\n"):
        needed = text_width(part) * scale
        lines += max(1, -int(-needed // usable))
    return lines


def line_height(size: float) -> float:
    """Points per line of text: CJK fonts (宋体, and the Noto fallbacks LibreOffice uses)
    need about 1.4 times their size."""
    return size * 1.4


def text_height(text: str, width: float, size: float, padding: float = 6.0) -> float:
    """The height (pt) of a row holding ``text`` in ``width`` units at ``size`` pt."""
    lines = line_count(text, width, size / UNIT_SIZE)
    return round(lines * line_height(size) + padding, 1)


# ---- cells and pages -------------------------------------------------------------------------
def put(
    ws: Worksheet,
    row: int,
    col: int,
    value: Any,
    *,
    font: Font,
    alignment: Alignment,
    last_row: int | None = None,
    last_col: int | None = None,
    border: Border | None = None,
    number_format: str = "",
) -> Any:
    """Write ``value`` at (row, col), merged down to (last_row, last_col). Text Excel
    would take as a formula stays text; an int gets the format "0"; the border, when
    given, goes on every cell of the merge."""
    bottom, right = last_row or row, last_col or col
    cell = ws.cell(row=row, column=col, value=value)
    cell.font = font
    cell.alignment = alignment
    if needs_quote_prefix(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    elif number_format:
        cell.number_format = number_format
    elif isinstance(value, int) and not isinstance(value, bool):
        cell.number_format = INTEGER_FORMAT
    if bottom > row or right > col:
        ws.merge_cells(start_row=row, start_column=col, end_row=bottom, end_column=right)
    if border is not None:
        for r in range(row, bottom + 1):
            for c in range(col, right + 1):
                ws.cell(row=r, column=c).border = border
    return cell


def set_column_widths(ws: Worksheet, widths: Sequence[float], first: int = 1) -> None:
    for index, width in enumerate(widths, start=first):
        ws.column_dimensions[get_column_letter(index)].width = round(width, 2)


def page_setup(
    ws: Worksheet,
    orientation: Literal["portrait", "landscape"],
    *,
    fit_height: int = 0,
    fit: bool = True,
    side: float | None = None,
    header_footer: float = 0.3,
    font: str = "宋体",
) -> None:
    """A4, centred, with the footer 第 N 页 共 M 页. ``fit`` prints one page wide and
    ``fit_height`` pages high (0: as many as needed); ``fit=False`` prints at 100 % (for
    a sheet laid out to the page width already: Excel ignores manual page breaks under
    "fit to"). ``side`` is the left and right margin in inches (by default 0.6 portrait,
    0.4 landscape)."""
    ws.page_setup.orientation = orientation
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if fit:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = fit_height
    else:
        ws.page_setup.scale = 100
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=fit)
    ws.print_options.horizontalCentered = True
    if side is None:
        side = 0.6 if orientation == "portrait" else 0.4
    ws.page_margins.left = ws.page_margins.right = side
    ws.page_margins.top = 0.6
    ws.page_margins.bottom = 0.7
    ws.page_margins.header = ws.page_margins.footer = header_footer
    footer = ws.oddFooter.center  # type: ignore[union-attr]  # never None on a worksheet
    footer.text = FOOTER_TEXT
    footer.size = 10
    footer.font = font


# ---- tables --------------------------------------------------------------------------------
@dataclass(frozen=True)
class SheetStyle:
    """How a table is set on a sheet: font and sizes (pt), and the points above and
    below the lines of a cell."""

    font: str = "宋体"
    size: float = 10.0
    caption_size: float = 11.0
    header_padding: float = 8.0
    body_padding: float = 7.0
    caption_padding: float = 4.0
    note_padding: float = 5.0
    min_height: float = 20.0
    marked_color: str = RED

    def text_font(self, *, bold: bool = False, color: str | None = None) -> Font:
        return Font(name=self.font, size=self.size, bold=bold, color=color)


def scaled_widths(table: ReportTable, width: float) -> list[float]:
    """The table's relative column widths as column units filling ``width``."""
    weights = list(table.widths) or [1.0] * table.column_count
    total = sum(weights)
    return [width * w / total for w in weights]


class SheetTable:
    """A ``ReportTable`` measured for a sheet, ready to write at any row.

    ``widths`` are the widths (column units) of the table's columns. Its caption, when
    it has one, is a bold line above the table; its note a line under it; an empty table
    prints ``empty_text`` in one full-width row. Header cells are centred; a body cell
    without an alignment of its own is left-aligned where its text wraps, centred
    otherwise. Marked rows print in red, the 合计 row in bold.
    """

    def __init__(
        self, table: ReportTable, widths: Sequence[float], style: SheetStyle | None = None
    ) -> None:
        self.table = table
        self.widths = list(widths)
        self.style = style or SheetStyle()
        if len(self.widths) != table.column_count:
            raise ValueError(f"{table.caption}: widths do not match the columns")
        self.cells = table.placed()
        s = self.style
        self.header_count = len(table.head)
        rows = self.header_count + (len(table.rows) or 1)
        heights = [s.min_height] * rows
        for p in self.cells:
            padding = s.header_padding if p.header else s.body_padding
            need = text_height(self._text(p), self._span_width(p), s.size, padding)
            share = need / (p.last_row - p.row + 1)
            for r in range(p.row, p.last_row + 1):
                heights[r] = max(heights[r], share)
        if not table.rows:
            need = text_height(table.empty_text, self.width, s.size, s.body_padding)
            heights[-1] = max(heights[-1], need)
        self.row_heights = [round(h, 1) for h in heights]
        self.caption_height = (
            text_height(table.caption, self.width, s.caption_size, s.caption_padding)
            if table.caption
            else 0.0
        )
        self.note_height = (
            text_height(table.note, self.width, s.size, s.note_padding) if table.note else 0.0
        )

    @property
    def width(self) -> float:
        return sum(self.widths)

    def heights(self) -> list[float]:
        """The heights of the rows ``write`` fills, top to bottom."""
        return [
            *([self.caption_height] if self.table.caption else []),
            *self.row_heights,
            *([self.note_height] if self.table.note else []),
        ]

    def _span_width(self, p: Placed) -> float:
        return sum(self.widths[p.col : p.last_col + 1])

    def _text(self, p: Placed) -> str:
        return cell_text(p.cell.value, p.cell.number_format, self.table.show_zeros)

    def _value(self, p: Placed) -> Any:
        value = p.cell.value
        if not self.table.show_zeros and value == 0 and not isinstance(value, str):
            return None
        return value

    def write(
        self, ws: Worksheet, top: int, columns: Sequence[tuple[int, int]] | None = None
    ) -> int:
        """Write the table from row ``top``; ``columns`` gives the sheet columns each
        table column spans (by default column i on sheet column i + 1). Returns the
        row after the table."""
        spans = (
            list(columns)
            if columns is not None
            else [(i + 1, i + 1) for i in range(len(self.widths))]
        )
        first, last = spans[0][0], spans[-1][1]
        s = self.style
        row = top
        if self.table.caption:
            font = Font(name=s.font, size=s.caption_size, bold=True)
            put(
                ws, row, first, self.table.caption, font=font, alignment=LEFT_ALIGNED, last_col=last
            )
            ws.row_dimensions[row].height = self.caption_height
            row += 1
        for p in self.cells:
            color = s.marked_color if p.marked else None
            align = p.cell.align or (CENTRE if p.header else "")
            if not align:
                wraps = isinstance(p.cell.value, str) and (
                    line_count(p.cell.value, self._span_width(p), s.size / UNIT_SIZE) > 1
                )
                align = LEFT if wraps else CENTRE
            put(
                ws,
                row + p.row,
                spans[p.col][0],
                self._value(p),
                font=s.text_font(bold=p.bold, color=color),
                alignment=LEFT_ALIGNED if align == LEFT else CENTRED,
                last_row=row + p.last_row,
                last_col=spans[p.last_col][1],
                border=BORDER,
                number_format=p.cell.number_format,
            )
        if not self.table.rows:
            put(
                ws,
                row + self.header_count,
                first,
                self.table.empty_text,
                font=s.text_font(),
                alignment=CENTRED,
                last_col=last,
                border=BORDER,
            )
        for offset, height in enumerate(self.row_heights):
            ws.row_dimensions[row + offset].height = height
        row += len(self.row_heights)
        if self.table.note:
            put(
                ws,
                row,
                first,
                self.table.note,
                font=s.text_font(),
                alignment=LEFT_ALIGNED,
                last_col=last,
            )
            ws.row_dimensions[row].height = self.note_height
            row += 1
        if self.table.show_zeros:
            ws.sheet_view.showZeros = True
        return row
