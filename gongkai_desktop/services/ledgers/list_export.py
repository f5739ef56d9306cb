"""导出当前列表: the rows a record list shows (its filters, search, dates and order),
with the list's columns, as an .xlsx the clerk can print or pass on. It sits with the
ledgers: like them it builds a sheet from records (services.records) with the shared
sheet helpers (services.documents).

The rows are read a page at a time by keyset paging, as the list reads them, so a long
list never holds more than one page of records from the database at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from gongkai_desktop.services.documents.print_grid import PrintGrid, simple_grid
from gongkai_desktop.services.documents.sheet_tables import (
    BORDER,
    page_setup,
    put,
    set_column_widths,
    text_width,
)
from gongkai_desktop.services.io.file_output import write_atomically
from gongkai_desktop.services.records.service import RecordQuery, RecordService

EXPORT_PAGE = 1000
MAX_COLUMN_WIDTH = 50  # long descriptions wrap rather than make one column a page wide
HEADER_FONT = Font(name="宋体", size=11, bold=True)
BODY_FONT = Font(name="宋体", size=11)
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
BODY_ALIGN = Alignment(horizontal="left", vertical="center", wrap_text=True)


def list_rows(service: RecordService, query: RecordQuery) -> Iterator[tuple[str, ...]]:
    """The cells of every row of the list of ``query``, in the list's order."""
    after: str | None = None
    while True:
        rows = service.page(query, 0, EXPORT_PAGE, after_id=after)
        if not rows:
            return
        for row in rows:
            yield tuple(row.cells)
        after = rows[-1].id


def list_grid(service: RecordService, query: RecordQuery, caption: str = "") -> PrintGrid:
    """打印当前列表: the same rows and columns as the export, as a grid to print."""
    if query.form_id is None:
        raise ValueError("only a form's list is printed")
    form = service.registry.form(query.form_id)
    labels = [label for _key, label in service.list_columns(query.form_id)]
    rows = list(list_rows(service, query))
    widths = [float(text_width(label) + 2) for label in labels]
    for row in rows:
        for col, text in enumerate(row):
            widths[col] = max(widths[col], float(text_width(text) + 2))
    widths = [min(w, MAX_COLUMN_WIDTH) for w in widths]
    return simple_grid(
        form.title, labels, rows, widths, caption=caption or f"{form.title}（共 {len(rows)} 条）"
    )


def export_list(service: RecordService, query: RecordQuery, path: Path) -> int:
    """Write the list of ``query`` (one form) to ``path``; returns the number of rows."""
    if query.form_id is None:
        raise ValueError("only a form's list is exported")
    form = service.registry.form(query.form_id)
    labels = [label for _key, label in service.list_columns(query.form_id)]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = form.title[:31]
    widths = [text_width(label) + 2 for label in labels]
    for col, label in enumerate(labels, start=1):
        put(sheet, 1, col, label, font=HEADER_FONT, alignment=HEADER_ALIGN, border=BORDER)
    count = 0
    for cells in list_rows(service, query):
        count += 1
        for col, text in enumerate(cells, start=1):
            put(sheet, count + 1, col, text, font=BODY_FONT, alignment=BODY_ALIGN, border=BORDER)
            widths[col - 1] = max(widths[col - 1], text_width(text) + 2)
    set_column_widths(sheet, [min(w, MAX_COLUMN_WIDTH) for w in widths])
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    # A4 landscape, one page wide, 第 N 页 共 M 页: printed as the ledgers are
    page_setup(sheet, "landscape")

    def write(handle: BinaryIO) -> None:
        book.save(handle)

    write_atomically(path, write)
    return count
