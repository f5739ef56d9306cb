"""A table to print, as plain data: cells with their spans, bold and alignment, column
widths, and the header rows repeated on every page. ``render.grid_print`` paints it on
a printer, a PDF or a preview picture; it is built here, without Qt, from a record list
(``services.ledgers.list_export``) or read back from an exported ledger (``grid_from_xlsx``)
so that what is printed is what the .xlsx holds, laid out once by the exporter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class GridCell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    bold: bool = False
    align: Align = "center"
    border: bool = True
    size: float = 10.5  # points


@dataclass(frozen=True)
class PrintGrid:
    title: str  # of the document (the preview's window, the PDF's metadata)
    widths: tuple[float, ...]  # relative column widths (Excel character units)
    # one tuple per row, one entry per column: None where a merged cell covers it
    rows: tuple[tuple[GridCell | None, ...], ...]
    repeat_first: int = 0  # rows repeated on top of every page: [repeat_first, repeat_end)
    repeat_end: int = 0
    landscape: bool = True
    total_rows: int = 0  # rows of the source; more than len(rows) when cut short

    @property
    def truncated(self) -> bool:
        return self.total_rows > len(self.rows)


def simple_grid(
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    caption: str = "",
) -> PrintGrid:
    """A caption line (no border), one header row repeated on every page, then the rows."""
    count = len(headers)
    out: list[tuple[GridCell | None, ...]] = []
    first = 0
    if caption:
        out.append(
            (GridCell(caption, colspan=count, bold=True, border=False, size=14),)
            + (None,) * (count - 1)
        )
        first = 1
    out.append(tuple(GridCell(h, bold=True) for h in headers))
    for row in rows:
        out.append(tuple(GridCell(str(text), align="left") for text in row))
    return PrintGrid(
        title=title,
        widths=tuple(widths),
        rows=tuple(out),
        repeat_first=first,
        repeat_end=first + 1,
        total_rows=len(out),
    )


def _align(cell: Any) -> Align:
    horizontal = cell.alignment.horizontal if cell.alignment is not None else None
    if horizontal in ("center", "centerContinuous"):
        return "center"
    if horizontal == "right":
        return "right"
    return "left"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):  # dates: as the sheet's 2026-12-01 format shows them
        return str(value.strftime("%Y-%m-%d"))
    return str(value)


def _repeat_rows(sheet: Any) -> tuple[int, int]:
    titles = sheet.print_title_rows  # e.g. "3:4"
    if not titles:
        return 0, 0
    first, _sep, last = str(titles).partition(":")
    return int(first.lstrip("$")) - 1, int((last or first).lstrip("$"))


def grid_from_xlsx(path: Path, max_rows: int | None = None) -> PrintGrid:
    """The first sheet of an exported .xlsx as a grid: its merges, column widths, fonts,
    alignment and borders and its print title rows; at most ``max_rows`` rows (a preview
    needs the first page only)."""
    # openpyxl only when a ledger is previewed or printed (the list's grid needs none)
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    book = load_workbook(path)
    try:
        sheet = book.worksheets[0]
        columns = sheet.max_column
        total = sheet.max_row
        last = total if max_rows is None else min(total, max_rows)
        covered: dict[tuple[int, int], tuple[int, int] | None] = {}
        for merged in sheet.merged_cells.ranges:
            for r in range(merged.min_row, merged.max_row + 1):
                for c in range(merged.min_col, merged.max_col + 1):
                    covered[(r, c)] = None
            covered[(merged.min_row, merged.min_col)] = (
                merged.max_row - merged.min_row + 1,
                merged.max_col - merged.min_col + 1,
            )
        widths = []
        for c in range(1, columns + 1):
            dimension = sheet.column_dimensions.get(get_column_letter(c))
            width = dimension.width if dimension is not None and dimension.width else 8.43
            widths.append(float(width))
        rows: list[tuple[GridCell | None, ...]] = []
        for r in range(1, last + 1):
            row: list[GridCell | None] = []
            for c in range(1, columns + 1):
                span = covered.get((r, c), (1, 1))
                if span is None:
                    row.append(None)
                    continue
                cell = sheet.cell(row=r, column=c)
                font = cell.font
                border = cell.border is not None and cell.border.left.style is not None
                row.append(
                    GridCell(
                        text=_text(cell.value),
                        rowspan=min(span[0], last - r + 1),
                        colspan=span[1],
                        bold=bool(font is not None and font.b),
                        align=_align(cell),
                        border=border,
                        size=float(font.sz) if font is not None and font.sz else 10.5,
                    )
                )
            rows.append(tuple(row))
        first, end = _repeat_rows(sheet)
        landscape = sheet.page_setup.orientation != "portrait"
        return PrintGrid(
            title=str(sheet.title),
            widths=tuple(widths),
            rows=tuple(rows),
            repeat_first=first,
            repeat_end=min(end, last),
            landscape=landscape,
            total_rows=total,
        )
    finally:
        book.close()
