"""The rows of a ledger sheet written straight as sheet XML inside openpyxl's package.

openpyxl builds an object per cell and serialises it element by element; at 100,000
rows that was about 90% of a ledger export. Here openpyxl still writes everything
around the rows (styles, column widths, frozen panes, merged cells, print setup, the
package), and the rows themselves are rendered as text, each cell from its value and a
style id prepared once per kind of cell, into a temporary file that is put in the sheet's
``<sheetData>`` when the sheet is closed. Cells are written as openpyxl writes them
(inline strings, dates as serial numbers with the column's date format), in UTF-8.

The hooks use openpyxl internals (``WriteOnlyCell._style``, ``Workbook._cell_styles``,
``WriteOnlyWorksheet._writer.out``); ``tests/unit/test_xlsx_stream.py`` pins them, so an
openpyxl upgrade that moves them fails there rather than in a clerk's export.
"""

from __future__ import annotations

import contextlib
import math
import re
import shutil
import tempfile
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

MAX_CELL_TEXT = 32767  # Excel's limit; openpyxl truncates longer text the same way
# characters a cell's text must not hold (XML forbids them; openpyxl refuses them), and
# those XML needs escaped
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SPECIAL = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f]")
_FLUSH_ROWS = 2000  # rows rendered before they are written to the temporary file
# what openpyxl leaves in a sheet it was given no rows for
_EMPTY_SHEET_DATA = (b"<sheetData></sheetData>", b"<sheetData/>", b"<sheetData />")

Cell = tuple[Any, "SharedStyle"] | None  # (value, style); None: no cell (a merged area)


class SharedStyle(StyleArray):
    """A style prepared once and shared by every cell of a kind; ``attr`` is its
    ``s="…"`` attribute once the workbook has given it an id (at its first cell, as
    openpyxl does, so that styles no cell uses stay out of the file)."""

    attr: str | None = None

    def __hash__(self) -> int:  # type: ignore[override]  # array's stub sets __hash__ = None
        return hash(tuple(self))


def prepared_style(
    ws: Any,
    font: Font,
    alignment: Alignment,
    border: Border | None = None,
    number_format: str = "General",
    quote: bool = False,
) -> SharedStyle:
    """Register a style's parts in the workbook's tables (as assigning them to a cell
    does) and keep the resulting index array."""
    cell = WriteOnlyCell(ws)
    cell.font = font
    cell.alignment = alignment
    if border is not None:
        cell.border = border
    cell.number_format = number_format
    if quote:
        cell.quotePrefix = True
    return SharedStyle(cell._style)  # type: ignore[attr-defined]  # pinned by test_xlsx_stream


def _text(value: str) -> str:
    """Text as the content of ``<t>``: escaped; characters XML forbids dropped."""
    if len(value) > MAX_CELL_TEXT:
        value = value[:MAX_CELL_TEXT]
    if _SPECIAL.search(value) is None:
        return value
    value = _FORBIDDEN.sub("", value)
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


class SheetRows:
    """The rows of one write-only worksheet, rendered to a temporary file by
    :meth:`append` and put into the sheet by :meth:`close` (before the workbook is
    saved). Nothing may be appended to the worksheet itself."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.count = 0  # rows appended; the next row is count + 1
        self._styles = ws.parent._cell_styles
        self._epoch = ws.parent.epoch
        # closed by close() or discard(); the system removes it even if neither runs
        self._out: Any = tempfile.TemporaryFile()  # noqa: SIM115
        self._pending: list[str] = []
        self._letters: list[str] = []
        self._heights: dict[float, str] = {}
        self._serials: dict[date, str] = {}

    def _attr(self, style: SharedStyle) -> str:
        attr = style.attr
        if attr is None:
            # as openpyxl: a style of all defaults is no style
            attr = f' s="{self._styles.add(style)}"' if any(style) else ""
            style.attr = attr
        return attr

    def _serial(self, value: date) -> str:
        serial = self._serials.get(value)
        if serial is None:
            serial = f"{to_excel(value, self._epoch):.16g}"
            if len(self._serials) < 10_000:  # the dates of a ledger repeat; times rarely
                self._serials[value] = serial
        return serial

    def append(self, cells: Sequence[Cell], height: float | None = None) -> None:
        """One row: ``cells`` from column A (None: no cell); ``height`` in points."""
        self.count += 1
        row = str(self.count)
        letters = self._letters
        if len(letters) < len(cells):
            letters += [get_column_letter(n) for n in range(len(letters) + 1, len(cells) + 1)]
        out = [f'<row r="{row}"{self._height(height)}>']
        for column, cell in enumerate(cells):
            if cell is None:
                continue
            value, style = cell
            attr = style.attr
            if attr is None:
                attr = self._attr(style)
            ref = letters[column] + row
            if type(value) is str:
                if not value:
                    out.append(f'<c r="{ref}"{attr}/>')
                elif value[0].isspace() or value[-1].isspace():
                    out.append(
                        f'<c r="{ref}"{attr} t="inlineStr"><is>'
                        f'<t xml:space="preserve">{_text(value)}</t></is></c>'
                    )
                else:
                    out.append(
                        f'<c r="{ref}"{attr} t="inlineStr"><is><t>{_text(value)}</t></is></c>'
                    )
            elif value is None:
                out.append(f'<c r="{ref}"{attr}/>')
            else:
                out.append(self._other(ref, attr, value))
        out.append("</row>")
        self._pending.append("".join(out))
        if len(self._pending) >= _FLUSH_ROWS:
            self._flush()

    def _other(self, ref: str, attr: str, value: Any) -> str:
        if isinstance(value, bool):
            return f'<c r="{ref}"{attr} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, int | float):
            if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
                return f'<c r="{ref}"{attr}/>'
            return f'<c r="{ref}"{attr}><v>{value:.16g}</v></c>'
        if isinstance(value, date):  # datetime too: a serial number, the format shows it
            if isinstance(value, datetime) and value.tzinfo is not None:
                raise TypeError("Excel 不支持带时区的时间")
            return f'<c r="{ref}"{attr}><v>{self._serial(value)}</v></c>'
        raise TypeError(f"cannot write {type(value).__name__} to a ledger cell")

    def _height(self, height: float | None) -> str:
        if height is None:
            return ""
        attr = self._heights.get(height)
        if attr is None:
            attr = f' ht="{height:.16g}" customHeight="1"'
            self._heights[height] = attr
        return attr

    def _flush(self) -> None:
        if self._pending:
            self._out.write("".join(self._pending).encode("utf-8", "replace"))
            self._pending = []

    def close(self) -> None:
        """Close the worksheet (openpyxl writes it with no rows, everything else set)
        and put the rows into its ``<sheetData>``."""
        self._flush()
        self.ws.close()
        path = self.ws._writer.out
        with open(path, "rb") as fh:
            xml = fh.read()
        for empty in _EMPTY_SHEET_DATA:
            at = xml.find(empty)
            if at >= 0:
                break
        else:
            raise RuntimeError("openpyxl wrote no <sheetData> for the ledger sheet")
        with open(path, "wb") as fh:
            fh.write(xml[:at])
            fh.write(b"<sheetData>")
            self._out.seek(0)
            shutil.copyfileobj(self._out, fh, 1 << 20)
            fh.write(b"</sheetData>")
            fh.write(xml[at + len(empty) :])
        self._out.close()

    def discard(self) -> None:
        """Drop the rows and the worksheet's own temporary file (a failed or cancelled
        export); safe to call more than once."""
        with contextlib.suppress(Exception):
            self._out.close()
        discard_stream(self.ws)


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
