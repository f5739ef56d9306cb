"""Merged cells of an .xlsx, found by defusedxml's iterparse (streamed, stopping after
``mergeCells``), and damaged sheets refused with a Chinese message and nothing written."""

from __future__ import annotations

import io
import re
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.io import sheet_reader
from gongkai_desktop.services.io.sheet_reader import XlsxSource, open_source
from gongkai_desktop.services.io.untrusted_files import UntrustedFileError, inspect_file
from gongkai_desktop.services.ledgers.intake import importer as ledger_import

from .import_helpers import rewrite_member, write_xlsx

SHEET = "xl/worksheets/sheet1.xml"
HEADER = ["序号", "活动日期", "活动名称/主题", "活动类型", "出动人次"]
ROWS = [
    ["宣传活动台账"],
    HEADER,
    [1, "2024-06-05", "六五环境日宣传", "环境日", 5],
    [2, None, "普法宣传", "普法宣传", 4],
]
MERGES = ["A1:E1", "B3:B4", "C5:D6"]


def refused(ctx: AppContext, path: Path, dump: Callable[[Path], list[str]]) -> str:
    before = dump(ctx.db_path)
    with pytest.raises(UntrustedFileError) as caught:
        ledger_import.preview(ctx, "outreach_events", path)
    assert dump(ctx.db_path) == before
    message = str(caught.value)
    assert path.name in message
    return message


def xlsx_source(path: Path) -> XlsxSource:
    source = open_source(inspect_file(path))
    assert isinstance(source, XlsxSource)
    return source


def test_merges_written_by_openpyxl_are_found(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "m.xlsx", ROWS, merges=MERGES)
    book = openpyxl.load_workbook(path)  # the full reader, as the reference
    sheet = book.active
    assert sheet is not None
    expected = {(r.min_row, r.min_col, r.max_row, r.max_col) for r in sheet.merged_cells.ranges}
    book.close()
    source = xlsx_source(path)
    try:
        assert set(source._merges(source.book[source.sheet_names[0]])) == expected
        rows = dict(source.rows(source.sheet_names[0]))
    finally:
        source.close()
    assert rows[1] == ("宣传活动台账",) * 5
    assert rows[4][1] == "2024-06-05"  # B3:B4: the date reaches the row below


def test_merge_cells_after_a_long_sheet_data(tmp_path: Path) -> None:
    """mergeCells comes after every row: the parse streams through 20,000 of them, keeping
    none, and the merge it then finds fills the last row."""
    last = 20_000

    def long_sheet(data: bytes) -> bytes:
        rows = b"".join(
            b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (n, n)
            for n in range(5, last)
        )
        rows += b'<row r="%d"><c r="A%d"><v>7</v></c></row>' % (last, last)
        data = re.sub(rb'<dimension ref="[^"]*"\s*/>', b"", data)
        data = data.replace(b"</sheetData>", rows + b"</sheetData>")
        return data.replace(
            b"</mergeCells>", b'<mergeCell ref="A%d:C%d"/></mergeCells>' % (last, last)
        )

    good = write_xlsx(tmp_path / "good.xlsx", ROWS, merges=MERGES)
    path = rewrite_member(tmp_path / "long.xlsx", good, SHEET, long_sheet)
    with zipfile.ZipFile(path) as archive:
        xml_size = archive.getinfo(SHEET).file_size
        tracemalloc.start()
        with archive.open(SHEET) as stream:
            merges = sheet_reader._scan_merges(stream, path, "Sheet")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert xml_size > 1 << 20
    assert peak < 4 << 20  # kept, the tree of these rows would take some 18 MiB
    assert merges[-1] == (last, 1, last, 3)
    source = xlsx_source(path)
    try:
        rows = dict(source.rows(source.sheet_names[0]))
    finally:
        source.close()
    assert rows[last] == (7, 7, 7)


def test_the_parse_stops_at_the_end_of_merge_cells(tmp_path: Path) -> None:
    xml = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData/><mergeCells count="1"><mergeCell ref="A1:B2"/></mergeCells>'
        b"<hyperlinks><not well formed"
    )
    assert sheet_reader._scan_merges(io.BytesIO(xml), tmp_path / "x.xlsx", "S") == [(1, 1, 2, 2)]


def test_refs_that_are_not_cell_ranges_are_ignored(tmp_path: Path) -> None:
    xml = (
        b"<worksheet><mergeCells>"
        b'<mergeCell ref="A1:B2"/><mergeCell ref="1:3"/><mergeCell ref="ABCD1:B2"/>'
        b'<mergeCell ref="A12345678"/><mergeCell/><x:mergeCell xmlns:x="urn:x" ref="C3:D4"/>'
        b"</mergeCells></worksheet>"
    )
    merges = sheet_reader._scan_merges(io.BytesIO(xml), tmp_path / "x.xlsx", "S")
    assert merges == [(1, 1, 2, 2), (3, 3, 4, 4)]


def test_merges_are_parsed_once_per_sheet(
    monkeypatch: pytest.MonkeyPatch, ctx: AppContext, tmp_path: Path
) -> None:
    """The header search and the pass over the rows share one parse of the sheet."""
    calls: list[str] = []
    read = sheet_reader.sheet_merges

    def counted(path, member, sheet):  # type: ignore[no-untyped-def]
        calls.append(sheet)
        return read(path, member, sheet)

    monkeypatch.setattr(sheet_reader, "sheet_merges", counted)
    ledger_import.preview(ctx, "outreach_events", write_xlsx(tmp_path / "m.xlsx", ROWS, MERGES))
    assert len(calls) == 1


def test_the_quick_merge_search_equals_the_full_parse(tmp_path: Path) -> None:
    """The byte search for <mergeCells> finds what parsing every element finds, and
    gives way to the full parse where text could look like the element (CDATA)."""
    import zipfile

    path = write_xlsx(tmp_path / "m.xlsx", ROWS, MERGES)
    member = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as archive:
        with archive.open(member) as stream:
            full = sheet_reader._scan_merges(stream, path, "Sheet")
        with archive.open(member) as stream:
            fragment = sheet_reader._merges_fragment(stream)
        xml = archive.read(member)
    assert fragment and sheet_reader._parse_fragment(fragment, path, "Sheet") == full
    assert sheet_reader.sheet_merges(path, member, "Sheet") == full and len(full) == len(MERGES)
    tricked = xml.replace(b"<sheetData>", b"<sheetData><![CDATA[<mergeCells>]]>", 1)
    import io

    assert sheet_reader._merges_fragment(io.BytesIO(tricked)) is None
    assert sheet_reader._merges_fragment(io.BytesIO(b"<worksheet><sheetData/></worksheet>")) == b""


def test_more_merged_ranges_than_the_limit_are_refused(
    monkeypatch: pytest.MonkeyPatch, ctx: AppContext, tmp_path: Path, dump_db
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sheet_reader, "MAX_MERGED_RANGES", 2)
    path = write_xlsx(tmp_path / "多合并.xlsx", ROWS, merges=MERGES)
    assert "合并单元格超过2处" in refused(ctx, path, dump_db)


def test_a_sheet_that_is_not_well_formed_xml_is_refused(
    ctx: AppContext, tmp_path: Path, dump_db
) -> None:  # type: ignore[no-untyped-def]
    good = write_xlsx(tmp_path / "good.xlsx", ROWS, merges=MERGES)
    path = rewrite_member(tmp_path / "断.xlsx", good, SHEET, lambda data: data[: len(data) // 2])
    assert "无法读取工作表" in refused(ctx, path, dump_db)


LAUGHS = (
    b'<!DOCTYPE worksheet [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>',
    b"&lol3;",
)
EXTERNAL = (b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', b"&xxe;")
PARAMETER = (
    b'<!DOCTYPE worksheet [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd">%remote;]>',
    b"A1:B2",
)


def evil_workbook(tmp_path: Path, dtd: bytes, ref: bytes) -> Path:
    """A workbook whose sheet XML declares entities and uses one in a merged range."""

    def evil(data: bytes) -> bytes:
        body = data.split(b"?>", 1)[-1]
        body = re.sub(rb'<mergeCell ref="A1:E1"\s*/>', b'<mergeCell ref="' + ref + b'"/>', body)
        assert ref in body
        return b'<?xml version="1.0" encoding="UTF-8"?>' + dtd + body

    good = write_xlsx(tmp_path / "good.xlsx", ROWS, merges=MERGES)
    return rewrite_member(tmp_path / "实体.xlsx", good, SHEET, evil)


TRICKS = pytest.mark.parametrize(
    ("dtd", "ref"), [LAUGHS, EXTERNAL, PARAMETER], ids=["billion-laughs", "external", "parameter"]
)


@TRICKS
def test_xml_entity_tricks_in_the_merge_pass_are_refused_by_defusedxml(
    tmp_path: Path, dtd: bytes, ref: bytes
) -> None:
    path = evil_workbook(tmp_path, dtd, ref)
    with pytest.raises(UntrustedFileError) as caught:
        sheet_reader.sheet_merges(path, SHEET, "Sheet")
    assert caught.value.reason == (
        "无法读取工作表“Sheet”（含有XML实体声明或外部引用，可能是恶意构造的文件，已拒绝）。"
    )


@TRICKS
def test_xml_entity_tricks_refuse_the_import_in_chinese(
    ctx: AppContext, tmp_path: Path, dump_db, dtd: bytes, ref: bytes
) -> None:  # type: ignore[no-untyped-def]
    # openpyxl, parsing through defusedxml too, meets the DTD first, while the workbook opens
    message = refused(ctx, evil_workbook(tmp_path, dtd, ref), dump_db)
    assert "无法读取该Excel文件（含有XML实体声明或外部引用" in message
    assert "Unable to read" not in message


def test_damaged_records_of_an_xls_sheet_are_refused(
    ctx: AppContext, tmp_path: Path, dump_db
) -> None:  # type: ignore[no-untyped-def]
    """The compound file is sound, a record inside the sheet is not: xlrd fails while
    the rows are read, with struct.error here."""
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("台账")
    sheet.write_merge(0, 0, 0, 4, "宣传活动台账")
    for col, text in enumerate(HEADER):
        sheet.write(1, col, text)
    path = tmp_path / "坏记录.xls"
    book.save(str(path))
    data = bytearray(path.read_bytes())
    at = data.find(b"\xe5\x00\x0a\x00\x01\x00")  # MERGEDCELLS, 10 bytes, one range
    assert at > 0
    data[at + 4 : at + 6] = b"\xff\x7f"  # now it claims 32,767 ranges
    path.write_bytes(bytes(data))
    assert "无法读取工作表“台账”" in refused(ctx, path, dump_db)
