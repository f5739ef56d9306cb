"""The per-site rectification progress report as one A4 landscape sheet: title, the
totals sentence, the per-site table (``SheetTable``: merged two-level header, rows with
open tasks past their deadline in red, 合计 row), then 填报单位 and 成文日期. The header
rows repeat on every printed page; the file is written atomically."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from gongkai_desktop.services.documents.sheet_tables import (
    CENTRED,
    LEFT_ALIGNED,
    SheetStyle,
    SheetTable,
    page_setup,
    put,
    scaled_widths,
    set_column_widths,
    text_height,
)
from gongkai_desktop.services.io.file_output import ExportError, write_atomically
from gongkai_desktop.services.reports.progress import ProgressReport

SHEET = "整改进展"
PAGE_WIDTH = 150.0  # A4 landscape with 0.4 in margins, in column width units
STYLE = SheetStyle(font="宋体", size=10.0, caption_size=11.0)
RIGHT = Alignment(horizontal="right", vertical="center", wrap_text=True)


class ProgressXlsxError(ExportError):
    """The progress sheet could not be written (the message says why, in Chinese)."""


def progress_workbook(report: ProgressReport) -> Workbook:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    table = report.table()
    widths = scaled_widths(table, PAGE_WIDTH)
    set_column_widths(ws, widths)
    last = len(widths)
    put(ws, 1, 1, report.title, font=Font(name="黑体", size=16, bold=True),
        alignment=CENTRED, last_col=last)  # fmt: skip
    ws.row_dimensions[1].height = text_height(report.title, PAGE_WIDTH, 16, 12)
    put(ws, 2, 1, report.sentence, font=Font(name="宋体", size=11),
        alignment=LEFT_ALIGNED, last_col=last)  # fmt: skip
    ws.row_dimensions[2].height = text_height(report.sentence, PAGE_WIDTH, 11, 10)
    sheet_table = SheetTable(table, widths, STYLE)
    top = 3
    row = sheet_table.write(ws, top)
    half = last // 2
    put(ws, row, 1, f"填报单位（盖章）：{report.unit}", font=Font(name="宋体", size=11),
        alignment=LEFT_ALIGNED, last_col=half)  # fmt: skip
    put(ws, row, half + 1, f"成文日期：{report.made_on_text}", font=Font(name="宋体", size=11),
        alignment=RIGHT, last_col=last)  # fmt: skip
    ws.row_dimensions[row].height = 28
    page_setup(ws, "landscape")
    caption_rows = 1 if table.caption else 0
    first_header = top + caption_rows
    ws.print_title_rows = f"{first_header}:{first_header + len(table.head) - 1}"
    return wb


def write_progress_xlsx(report: ProgressReport, path: Path) -> None:
    wb = progress_workbook(report)
    write_atomically(Path(path), wb.save, ProgressXlsxError)
