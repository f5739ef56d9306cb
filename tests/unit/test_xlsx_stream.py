"""The openpyxl behaviour the ledger export's stream hooks rely on (``xlsx_stream``): an
openpyxl upgrade that moves a private attribute fails here, not in a clerk's export."""

from __future__ import annotations

import tempfile
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from gongkai_desktop.services.ledgers.xlsx_stream import (
    SharedStyle,
    append_cells_only,
    discard_stream,
    prepared_style,
    styled_cell,
)


def test_the_private_attributes_the_hooks_use_exist() -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    assert isinstance(ws, WriteOnlyWorksheet)
    assert callable(ws._values_to_row)  # replaced by append_cells_only
    cell = WriteOnlyCell(ws)
    cell.font = Font(bold=True)  # registers the font in the workbook's table
    assert isinstance(cell._style, StyleArray)  # the index array styled_cell copies
    assert cell._style.fontId == wb._fonts.index(Font(bold=True))


def test_prepared_styles_and_cells_reach_the_file(tmp_path: Path) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    append_cells_only(ws)
    thin = Side(style="thin")
    body = prepared_style(
        ws,
        Font(name="宋体", size=11, bold=True),
        Alignment(horizontal="center", wrap_text=True),
        Border(left=thin, right=thin, top=thin, bottom=thin),
        "0.00",
    )
    quoted = prepared_style(ws, Font(name="宋体"), Alignment(horizontal="left"), quote=True)
    assert isinstance(body, SharedStyle) and hash(body) == hash(tuple(body))
    formula_like = styled_cell(ws, "=1+1", quoted)
    formula_like.data_type = "s"  # as the export writes text that starts with =
    ws.append([styled_cell(ws, 1.5, body), None, formula_like])
    ws.append([styled_cell(ws, "龙河水库", body)])
    target = tmp_path / "t.xlsx"
    wb.save(target)

    sheet = load_workbook(target).active
    assert sheet is not None
    a1, b1, c1 = sheet["A1"], sheet["B1"], sheet["C1"]
    assert (a1.value, b1.value, c1.value, sheet["A2"].value) == (1.5, None, "=1+1", "龙河水库")
    assert c1.data_type == "s" and c1.quotePrefix  # text, never a formula
    assert (a1.font.name, a1.font.b, a1.number_format) == ("宋体", True, "0.00")
    assert a1.alignment.horizontal == "center" and a1.alignment.wrap_text
    assert a1.border.left.style == "thin" and a1.border.bottom.style == "thin"
    assert sheet["A2"].font.b and not c1.font.b


def test_discard_stream_removes_the_temporary_file() -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    append_cells_only(ws)
    style = prepared_style(ws, Font(), Alignment())
    for n in range(50):
        ws.append([styled_cell(ws, n, style)])
    stream = Path(ws._writer.out)
    assert stream.exists() and str(stream).startswith(tempfile.gettempdir())
    discard_stream(ws)
    assert not stream.exists()
    discard_stream(Workbook(write_only=True).create_sheet("空"))  # nothing streamed yet
