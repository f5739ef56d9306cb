"""The rows the ledger export renders as sheet XML (``xlsx_stream``), reopened with
openpyxl cell by cell, and the openpyxl internals the writer relies on: an openpyxl
upgrade that moves a private attribute fails here, not in a clerk's export."""

from __future__ import annotations

import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from gongkai_desktop.services.ledgers.xlsx_stream import (
    SharedStyle,
    SheetRows,
    discard_stream,
    prepared_style,
)


def test_the_private_attributes_the_writer_uses_exist() -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    assert isinstance(ws, WriteOnlyWorksheet)
    cell = WriteOnlyCell(ws)
    cell.font = Font(bold=True)  # registers the font in the workbook's table
    assert isinstance(cell._style, StyleArray)  # the index array prepared_style keeps
    assert cell._style.fontId == wb._fonts.index(Font(bold=True))
    assert wb._cell_styles.add(cell._style) == wb._cell_styles.index(cell._style)
    ws.close()  # a sheet given no rows: its XML is in the writer's file, sheetData empty
    xml = Path(ws._writer.out).read_bytes()
    assert b"<sheetData></sheetData>" in xml or b"<sheetData/>" in xml


def _styles(ws: WriteOnlyWorksheet) -> tuple[SharedStyle, SharedStyle, SharedStyle]:
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    body = prepared_style(
        ws, Font(name="宋体", size=11, bold=True), Alignment(horizontal="center", wrap_text=True),
        border, "0.00",
    )  # fmt: skip
    quoted = prepared_style(ws, Font(name="宋体"), Alignment(horizontal="left"), quote=True)
    day = prepared_style(ws, Font(name="宋体"), Alignment(), border, 'yyyy"年"m"月"d"日"')
    return body, quoted, day


def test_rows_reach_the_file_with_values_styles_and_heights(tmp_path: Path) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    body, quoted, day = _styles(ws)
    ws.column_dimensions["B"].width = 14.5
    ws.freeze_panes = "A2"
    ws.merged_cells.add("A5:C5")
    rows = SheetRows(ws)
    rows.append([(1.5, body), None, ("=1+1", quoted)], 36)
    rows.append([("龙河水库 & <东> 'x' \"y\"", body), (date(2024, 5, 6), day), (7, body)])
    rows.append(
        [("  前后有空格\u3000", quoted), ("第一行\n第二行\r第三", body), (None, body)], 20.5
    )
    rows.append([(True, body), (datetime(2024, 5, 6, 8, 30), day), ("坏\x01字符", body)])
    assert rows.count == 4
    rows.close()
    target = tmp_path / "t.xlsx"
    wb.save(target)

    sheet = load_workbook(target).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=1, max_row=4, max_col=3)]
    assert values == [
        [1.5, None, "=1+1"],
        ["龙河水库 & <东> 'x' \"y\"", datetime(2024, 5, 6), 7],
        ["  前后有空格\u3000", "第一行\n第二行\r第三", None],
        [True, datetime(2024, 5, 6, 8, 30), "坏字符"],
    ]
    a1, c1 = sheet["A1"], sheet["C1"]
    assert c1.data_type == "s" and c1.quotePrefix  # text, never a formula
    assert (a1.font.name, a1.font.b, a1.number_format) == ("宋体", True, "0.00")
    assert a1.alignment.horizontal == "center" and a1.alignment.wrap_text
    assert a1.border.left.style == "thin" and a1.border.bottom.style == "thin"
    assert sheet["B2"].number_format == 'yyyy"年"m"月"d"日"' and not c1.font.b
    assert sheet["C3"].border.top.style == "thin"  # an empty cell keeps its style
    assert sheet.row_dimensions[1].height == 36 and sheet.row_dimensions[3].height == 20.5
    assert sheet.row_dimensions[2].height is None
    assert sheet.column_dimensions["B"].width == 14.5 and sheet.freeze_panes == "A2"
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A5:C5"]


def test_styles_no_cell_uses_stay_out_of_the_file(tmp_path: Path) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    body, _quoted, _day = _styles(ws)  # prepared, never used by a cell
    rows = SheetRows(ws)
    rows.append([("只用一种样式", body)])
    rows.close()
    target = tmp_path / "t.xlsx"
    wb.save(target)
    with zipfile.ZipFile(target) as package:
        styles = package.read("xl/styles.xml").decode()
    assert styles.count("<xf ") == 3  # Normal, the default cell format and body only


def test_a_value_the_writer_cannot_write_is_refused() -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    body, _quoted, _day = _styles(ws)
    rows = SheetRows(ws)
    with pytest.raises(TypeError):
        rows.append([({"a": 1}, body)])
    rows.discard()


def test_discard_removes_the_temporary_files() -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    style = prepared_style(ws, Font(), Alignment(horizontal="left"))
    rows = SheetRows(ws)
    for n in range(50):
        rows.append([(n, style)])
    rows.close()  # the rows are in the worksheet's stream, which is not saved
    stream = Path(ws._writer.out)
    assert stream.exists() and str(stream).startswith(tempfile.gettempdir())
    rows.discard()
    assert not stream.exists()
    discard_stream(Workbook(write_only=True).create_sheet("空"))  # nothing streamed yet
