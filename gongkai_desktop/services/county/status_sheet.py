"""The completeness grid (报送情况) as a printed .xlsx: title, the as-of line, one row per
township with its totals, the totals of each column under the table; 未报 past the due
day and 迟报 on a red fill, 退回 on amber; A4 landscape, one page wide."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from gongkai_desktop.domain.periods import format_cn_date
from gongkai_desktop.services.county.status import (
    LATE,
    MISSING,
    RETURNED,
    STATES,
    StatusCell,
    StatusGrid,
    cell_text,
)
from gongkai_desktop.services.documents.sheet_tables import (
    BORDER,
    CENTRED,
    LEFT_ALIGNED,
    page_setup,
    put,
    set_column_widths,
    text_width,
)
from gongkai_desktop.services.io.file_output import ExportError, write_atomically

OVERDUE_FILL = "FFFFC7CE"  # light red behind dark red text, as Excel's "bad" cells
OVERDUE_TEXT = "FF9C0006"
RETURNED_FILL = "FFFFEB9C"  # amber: sent back, waiting for the township
TITLE_FONT = Font(name="黑体", size=16, bold=True)
LINE_FONT = Font(name="宋体", size=10)
HEAD_FONT = Font(name="宋体", size=10, bold=True)
BODY_FONT = Font(name="宋体", size=10)
TOTAL_STATES = STATES  # the totals columns, in this order


class StatusExportError(ExportError):
    """The grid could not be written; Chinese message."""


def grid_title(grid: StatusGrid) -> str:
    return f"{grid.unit}{grid.period.label}报送情况"


def fill_of(cell: StatusCell) -> str | None:
    """The fill colour of a cell: red when overdue (未报 past the due day, 迟报), amber
    when sent back, none otherwise."""
    if cell.state == RETURNED:
        return RETURNED_FILL
    if cell.overdue and cell.state in (MISSING, LATE):
        return OVERDUE_FILL
    return None


def write_status_xlsx(grid: StatusGrid, target: Path) -> Path:
    target = Path(target)
    if target.suffix.lower() != ".xlsx":
        raise StatusExportError(f"报送情况只能导出为 .xlsx 文件，“{target.name}”的扩展名不对")
    if not target.parent.is_dir():
        raise StatusExportError(f"目标文件夹“{target.parent}”不存在，报送情况未导出。")

    def write(fh: BinaryIO) -> None:
        _workbook(grid).save(fh)

    write_atomically(target, write, StatusExportError)
    return target


def _workbook(grid: StatusGrid) -> Workbook:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "报送情况"
    columns = list(grid.columns)
    first_cell = 3  # 乡镇, 区划代码, then one column per form or month
    width_of = [
        max(
            8.0,
            text_width(c.label) + 2,
            *(text_width(cell_text(r.cells[i])) + 2 for r in grid.rows),
        )
        for i, c in enumerate(columns)
    ]
    widths = [12.0, 14.0, *width_of, *(6.0 for _ in TOTAL_STATES)]
    last = len(widths)
    set_column_widths(ws, widths)
    put(ws, 1, 1, grid_title(grid), font=TITLE_FONT, alignment=CENTRED, last_col=last)
    ws.row_dimensions[1].height = 30
    view = "各乡镇各月" if grid.by_month else "各乡镇各表"
    line = (
        f"{view}报送情况，截至{format_cn_date(grid.as_of)}；次月{grid.due_day}日前报送为已报，"
        f"之后为迟报；红色为逾期未报或迟报，黄色为退回修改。"
    )
    put(ws, 2, 1, line, font=LINE_FONT, alignment=LEFT_ALIGNED, last_col=last)
    ws.row_dimensions[2].height = 20
    head = 3
    put(ws, head, 1, "乡镇", font=HEAD_FONT, alignment=CENTRED, border=BORDER, last_row=head + 1)
    put(
        ws, head, 2, "区划代码", font=HEAD_FONT, alignment=CENTRED, border=BORDER, last_row=head + 1
    )
    put(
        ws,
        head,
        first_cell,
        "各月" if grid.by_month else "各表（括号内为报送记录条数）",
        font=HEAD_FONT,
        alignment=CENTRED,
        border=BORDER,
        last_col=first_cell + len(columns) - 1,
    )
    for i, column in enumerate(columns):
        put(
            ws,
            head + 1,
            first_cell + i,
            column.label,
            font=HEAD_FONT,
            alignment=CENTRED,
            border=BORDER,
        )
    totals_col = first_cell + len(columns)
    put(
        ws,
        head,
        totals_col,
        "合计（个）",
        font=HEAD_FONT,
        alignment=CENTRED,
        border=BORDER,
        last_col=last,
    )
    for i, state in enumerate(TOTAL_STATES):
        put(ws, head + 1, totals_col + i, state, font=HEAD_FONT, alignment=CENTRED, border=BORDER)
    ws.row_dimensions[head].height = 20
    ws.row_dimensions[head + 1].height = 30
    row_index = head + 2
    for row in grid.rows:
        put(ws, row_index, 1, row.name, font=BODY_FONT, alignment=CENTRED, border=BORDER)
        put(ws, row_index, 2, row.code, font=BODY_FONT, alignment=CENTRED, border=BORDER)
        for i, cell in enumerate(row.cells):
            colour = fill_of(cell)
            font = Font(
                name="宋体", size=10, color=OVERDUE_TEXT if colour == OVERDUE_FILL else None
            )
            written = put(
                ws,
                row_index,
                first_cell + i,
                cell_text(cell),
                font=font,
                alignment=CENTRED,
                border=BORDER,
            )
            if colour is not None:
                written.fill = PatternFill("solid", start_color=colour, end_color=colour)
        totals = row.totals
        for i, state in enumerate(TOTAL_STATES):
            put(
                ws,
                row_index,
                totals_col + i,
                totals[state],
                font=BODY_FONT,
                alignment=CENTRED,
                border=BORDER,
            )
        ws.row_dimensions[row_index].height = 20
        row_index += 1
    if not grid.rows:
        put(
            ws,
            row_index,
            1,
            "尚未添加乡镇（乡镇管理）",
            font=BODY_FONT,
            alignment=CENTRED,
            border=BORDER,
            last_col=last,
        )
        row_index += 1
    # the column totals: one row per state, the grand totals in the totals columns
    column_totals = grid.column_totals()
    grand = grid.totals()
    for state in TOTAL_STATES:
        put(
            ws,
            row_index,
            1,
            f"{state}（个）",
            font=HEAD_FONT,
            alignment=CENTRED,
            border=BORDER,
            last_col=2,
        )
        for i in range(len(columns)):
            put(
                ws,
                row_index,
                first_cell + i,
                column_totals[i][state],
                font=HEAD_FONT,
                alignment=CENTRED,
                border=BORDER,
            )
        put(
            ws,
            row_index,
            totals_col,
            f"共{grand[state]}个",
            font=HEAD_FONT,
            alignment=CENTRED,
            border=BORDER,
            last_col=last,
        )
        ws.row_dimensions[row_index].height = 20
        row_index += 1
    ws.freeze_panes = f"C{head + 2}"
    page_setup(ws, "landscape")
    ws.print_title_rows = f"{head}:{head + 1}"
    ws.print_area = f"A1:{get_column_letter(last)}{row_index - 1}"
    return wb
