"""Printing a table (打印当前列表, a ledger's 打印 and 预览): a ledger exported to .xlsx and
read back keeps its merged two-level header and its repeated header rows; a long list
prints on several A4 landscape pages, each with the header and 第 N 页 共 M 页, every
row exactly once (read back from the PDF with pypdf)."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from PySide6.QtGui import QPdfWriter

from gongkai_desktop.domain.periods import parse_period
from gongkai_desktop.render.grid_print import first_page_image, print_grid
from gongkai_desktop.services.documents.print_grid import grid_from_xlsx, simple_grid
from gongkai_desktop.services.ledgers.export import LedgerExporter

pytestmark = pytest.mark.usefixtures("qapp")


def test_a_ledger_read_back_keeps_its_merged_header(ctx, records, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records.create(
        "inspection",
        {
            "inspection_date": "2026-11-03",
            "inspection_type": "河湖巡查（河长制）",
            "inspectors": "王五",
            "problem_found": False,
        },
    )
    target = tmp_path / "river.xlsx"
    LedgerExporter(ctx).export("river_patrol", parse_period("2026-11"), target)
    grid = grid_from_xlsx(target)
    sheet = openpyxl.load_workbook(target).active
    # the repeated rows are the sheet's print titles
    first, last = (int(n) for n in re.findall(r"\d+", sheet.print_title_rows))
    assert (grid.repeat_first, grid.repeat_end) == (first - 1, last)
    header = grid.rows[grid.repeat_first]
    texts = [cell.text for cell in header if cell is not None]
    # 巡查河段 spans its two columns (起点, 止点); 河湖名称 spans both header rows
    river = next(c for c in header if c is not None and c.text == "巡查河段")
    assert river.colspan == 2 and river.rowspan == 1
    name = next(c for c in header if c is not None and c.text == "河湖名称")
    assert name.rowspan == 2 and name.bold
    second = [cell.text for cell in grid.rows[grid.repeat_first + 1] if cell is not None]
    assert "起点" in second and "止点" in second and "起点" not in texts
    # every cell of the sheet is in the grid, once, with its text
    expected = [
        str(v) for row in sheet.iter_rows(values_only=True) for v in row if v not in (None, "")
    ]
    got = [cell.text for row in grid.rows for cell in row if cell is not None and cell.text]
    assert len(got) == len(expected)
    assert "王五" in got
    assert grid.landscape and len(grid.widths) == sheet.max_column


def test_a_long_list_prints_every_row_once_with_the_header_on_each_page(tmp_path: Path) -> None:
    rows = [[f"2026-01-{n % 28 + 1:02d}", f"记录{n:03d}号", "龙河村"] for n in range(120)]
    grid = simple_grid("巡查检查", ["巡查日期", "名称", "所在村"], rows, [12, 20, 12], "巡查检查")
    out = tmp_path / "list.pdf"
    writer = QPdfWriter(str(out))
    writer.setResolution(300)
    pages = print_grid(grid, writer)
    del writer
    reader = PdfReader(out)
    assert pages == len(reader.pages) > 2
    texts = [page.extract_text() for page in reader.pages]
    for number, text in enumerate(texts, start=1):
        assert "巡查日期" in text and "所在村" in text  # the header on every page
        assert f"第 {number} 页 共 {pages} 页" in text
    whole = "".join(texts)
    for n in range(120):
        assert whole.count(f"记录{n:03d}号") == 1
    # the caption on the first page only
    assert "巡查检查" in texts[0] and not any("巡查检查" in text for text in texts[1:])
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # A4 landscape


def test_first_page_picture_is_a_4_landscape_with_ink() -> None:
    grid = simple_grid("t", ["日期", "名称"], [["2026-01-01", "宣传"]] * 3, [12, 20])
    image = first_page_image(grid, dpi=60)
    assert abs(image.width() / image.height() - 297 / 210) < 0.01
    dark = sum(
        1
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).lightness() < 128
    )
    assert dark > 100
