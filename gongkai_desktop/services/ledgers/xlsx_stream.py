"""The places the ledger export reaches into openpyxl's write-only worksheet, in one
module: a style prepared once and shared by every cell of a kind, rows appended as ready
cells, and the temporary stream removed when a write fails.

Each hook uses a private attribute of openpyxl (``WriteOnlyCell._style``,
``WriteOnlyWorksheet._values_to_row``, ``._writer``, ``._rows``);
``tests/unit/test_xlsx_stream.py`` pins the behaviour they rely on, so an openpyxl
upgrade that moves them fails there rather than in a clerk's export.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font
from openpyxl.styles.cell_style import StyleArray


class SharedStyle(StyleArray):
    """A style array shared by many cells and never changed: its hash (the writer looks
    every cell's style up by it) is computed once."""

    _hash: int | None = None

    def __hash__(self) -> int:  # type: ignore[override]  # array's stub sets __hash__ = None
        if self._hash is None:
            self._hash = hash(tuple(self))
        return self._hash


def prepared_style(
    ws: Any,
    font: Font,
    alignment: Alignment,
    border: Border | None = None,
    number_format: str = "General",
    quote: bool = False,
) -> SharedStyle:
    """Register a style's parts in the workbook's tables (as assigning them to a cell
    does) and keep the resulting index array, to be copied into many cells."""
    cell = WriteOnlyCell(ws)
    cell.font = font
    cell.alignment = alignment
    if border is not None:
        cell.border = border
    cell.number_format = number_format
    if quote:
        cell.quotePrefix = True
    return SharedStyle(cell._style)  # type: ignore[attr-defined]  # pinned by test_xlsx_stream


def styled_cell(ws: Any, value: Any, style: SharedStyle) -> Cell:
    """A cell with a prepared style (shared: the cell is written and dropped as soon as
    its row is, so nothing changes the array)."""
    cell = WriteOnlyCell(ws, value)
    cell._style = style  # type: ignore[attr-defined]
    return cell


def _prepared_cells(values: Sequence[Any], row_idx: int) -> Iterator[Any]:
    """Rows of ready-made cells. openpyxl's own conversion first tries each appended item
    as a plain value and falls back to a cell on the ValueError (about a fifth of the
    export's time for a styled sheet); every item here is a cell, or None for a column
    left out of a merged row."""
    for col_idx, cell in enumerate(values, 1):
        if cell is None:
            continue
        cell.column = col_idx
        cell.row = row_idx
        yield cell


def append_cells_only(ws: Any) -> None:
    """From now on every row appended to write-only sheet ``ws`` is a sequence of cells
    (or None) made by :func:`styled_cell`."""
    ws._values_to_row = _prepared_cells


def discard_stream(ws: Any) -> None:
    """Remove the temporary file openpyxl streams a write-only sheet into (it would
    otherwise stay in the system temp folder until the program exits)."""
    writer = getattr(ws, "_writer", None)
    if writer is None:
        return
    rows = getattr(ws, "_rows", None)
    if rows is not None:  # end the row stream now, not when it is garbage-collected
        with contextlib.suppress(Exception):
            rows.close()
    with contextlib.suppress(Exception):
        writer.close()
    with contextlib.suppress(Exception):
        writer.cleanup()
