"""Untrusted spreadsheets: each refused kind gives a Chinese message and writes nothing;
defusedxml is active for openpyxl."""

from __future__ import annotations

import contextlib
import random
import re
import struct
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import openpyxl.xml
import pytest

from gongkai_desktop.cli import main
from gongkai_desktop.domain.errors import GongkaiError
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.io import untrusted_files
from gongkai_desktop.services.io.untrusted_files import (
    MAX_COMPOUND_FILE,
    UntrustedFileError,
    cfb_stream_names,
    check_xml_defences,
    inspect_file,
)
from gongkai_desktop.services.ledgers.intake import importer as ledger_import
from gongkai_desktop.services.maintenance.checks import selftest

from .import_helpers import (
    cfb_file,
    claim_huge_size,
    rewrite_member,
    write_xlsx,
    zip_bomb_xlsx,
)

HEADER = ["序号", "活动日期", "活动名称/主题", "活动类型", "出动人次"]


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write_xlsx(
        tmp_path / "good.xlsx",
        [["宣传活动台账"], HEADER, [1, "2024-06-05", "六五环境日宣传", "环境日", 5]],
    )


def refused(ctx: AppContext, path: Path, dump: Callable[[Path], list[str]]) -> str:
    before = dump(ctx.db_path)
    with pytest.raises(UntrustedFileError) as caught:
        ledger_import.preview(ctx, "outreach_events", path)
    assert dump(ctx.db_path) == before
    message = str(caught.value)
    assert path.name in message
    return message


def test_a_text_file_named_xlsx_is_not_a_spreadsheet(
    ctx: AppContext, tmp_path: Path, dump_db
) -> None:  # type: ignore[no-untyped-def]
    fake = tmp_path / "台账.xlsx"
    fake.write_text("序号,活动日期\n1,2024-06-05\n", encoding="utf-8")
    assert "不是Excel表格文件" in refused(ctx, fake, dump_db)


def test_an_html_page_named_xls_is_not_a_spreadsheet(
    ctx: AppContext, tmp_path: Path, dump_db
) -> None:  # type: ignore[no-untyped-def]
    fake = tmp_path / "导出.xls"
    fake.write_text("<html><table><tr><td>1</td></tr></table></html>", encoding="utf-8")
    assert "另存为" in refused(ctx, fake, dump_db)


def test_a_word_document_is_refused(ctx: AppContext, tmp_path: Path, dump_db) -> None:  # type: ignore[no-untyped-def]
    import zipfile

    doc = tmp_path / "通知.xlsx"
    with zipfile.ZipFile(doc, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    assert "Word" in refused(ctx, doc, dump_db)


def test_an_encrypted_workbook_is_refused(ctx: AppContext, tmp_path: Path, dump_db) -> None:  # type: ignore[no-untyped-def]
    locked = cfb_file(
        tmp_path / "加密.xlsx", ["\x06DataSpaces", "EncryptionInfo", "EncryptedPackage"]
    )
    assert "加密" in refused(ctx, locked, dump_db)


def test_the_compound_file_reader_lists_stream_names(tmp_path: Path) -> None:
    path = cfb_file(tmp_path / "x.bin", ["EncryptionInfo", "EncryptedPackage"])
    with path.open("rb") as handle:
        names = cfb_stream_names(handle, path.stat().st_size)
    assert names == {"EncryptionInfo", "EncryptedPackage"}  # streams, not the root storage


def test_a_compound_file_without_a_workbook_is_not_a_spreadsheet(
    ctx: AppContext, tmp_path: Path, dump_db
) -> None:  # type: ignore[no-untyped-def]
    doc = cfb_file(tmp_path / "旧文档.xls", ["WordDocument"])
    assert "不是Excel表格文件" in refused(ctx, doc, dump_db)


# ---- legacy .xls: compound files read by olefile, within bounds ----------------------------
END, FREE, FAT_SECTOR = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD


def xls_file(path: Path) -> Path:
    """A real legacy workbook of the 宣传活动 ledger, written by xlwt."""
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("台账")
    sheet.write_merge(0, 0, 0, 4, "宣传活动台账")
    for col, text in enumerate(HEADER):
        sheet.write(1, col, text)
    dated = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for col, value in enumerate([1, datetime(2024, 6, 5), "六五环境日宣传", "环境日", 5]):
        sheet.write(2, col, value, dated if col == 1 else xlwt.Style.default_style)
    book.save(str(path))
    return path


def patched(path: Path, at: int, fmt: str, *values: int) -> Path:
    data = bytearray(path.read_bytes())
    struct.pack_into(fmt, data, at, *values)
    path.write_bytes(bytes(data))
    return path


def big_directory(path: Path, entries: int, named: Sequence[str] = ()) -> Path:
    """A version-4 compound file (4096-byte sectors) whose directory holds a root and
    ``entries - 1`` streams in a balanced tree, each 4096 bytes long from its own sector:
    every entry is reachable and olefile checks each stream against all the others."""
    size = 4096
    per_sector = size // 128
    dir_sectors = -(-entries // per_sector)
    fat_sectors = 1
    while fat_sectors * size // 4 < fat_sectors + dir_sectors:  # the FAT maps itself too
        fat_sectors += 1
    header = bytearray(size)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHH", header, 0x18, 0x3E, 4, 0xFFFE, 12)
    struct.pack_into("<H", header, 0x20, 6)
    struct.pack_into("<III", header, 0x28, dir_sectors, fat_sectors, fat_sectors)
    struct.pack_into("<I", header, 0x38, 4096)
    struct.pack_into("<IIII", header, 0x3C, END, 0, END, 0)
    struct.pack_into("<109I", header, 0x4C, *range(fat_sectors), *[FREE] * (109 - fat_sectors))
    fat = [FAT_SECTOR] * fat_sectors
    fat += [fat_sectors + n + 1 for n in range(dir_sectors - 1)] + [END]
    fat += [FREE] * (fat_sectors * size // 4 - len(fat))
    left, right, child = [FREE] * entries, [FREE] * entries, [FREE] * entries

    def tree(lo: int, hi: int) -> int:  # a balanced binary tree over sids lo … hi-1
        if lo >= hi:
            return FREE
        mid = (lo + hi) // 2
        left[mid], right[mid] = tree(lo, mid), tree(mid + 1, hi)
        return mid

    child[0] = tree(1, entries)
    directory = bytearray(dir_sectors * size)
    for sid in range(entries):
        name = "Root Entry" if sid == 0 else named[sid - 1] if sid <= len(named) else f"S{sid}"
        encoded = name.encode("utf-16-le") + b"\0\0"
        at = sid * 128
        directory[at : at + len(encoded)] = encoded
        struct.pack_into("<HBB", directory, at + 0x40, len(encoded), 5 if sid == 0 else 2, 1)
        struct.pack_into("<III", directory, at + 0x44, left[sid], right[sid], child[sid])
        start, length = (END, 0) if sid == 0 else (1_000_000 + sid, 4096)
        struct.pack_into("<IQ", directory, at + 0x74, start, length)
    path.write_bytes(bytes(header) + struct.pack(f"<{len(fat)}I", *fat) + bytes(directory))
    return path


def test_a_legacy_xls_passes_and_is_read(ctx: AppContext, tmp_path: Path) -> None:
    path = xls_file(tmp_path / "旧台账.xls")
    checked = inspect_file(path)
    assert (checked.kind, checked.size) == ("xls", path.stat().st_size)
    with path.open("rb") as handle:
        assert cfb_stream_names(handle, checked.size) == {"Workbook"}
    report = ledger_import.preview(ctx, "outreach_events", path)
    assert (report.kind, report.add_count, report.error_row_count) == ("xls", 1, 0)


@pytest.mark.parametrize("keep", [8, 100, 511, 512, 1024, 0.5])
def test_a_truncated_xls_is_refused(ctx: AppContext, tmp_path: Path, dump_db, keep: float) -> None:  # type: ignore[no-untyped-def]
    path = xls_file(tmp_path / "截断.xls")
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep) if keep < 1 else int(keep)])
    assert "文件已损坏" in refused(ctx, path, dump_db)


def test_a_file_that_is_not_a_compound_file_is_not_a_spreadsheet(
    ctx: AppContext, tmp_path: Path, dump_db
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "乱码.xls"
    path.write_bytes(random.Random(5).randbytes(4096))
    assert "不是Excel表格文件" in refused(ctx, path, dump_db)


def test_a_compound_file_signature_over_garbage_is_damaged(
    ctx: AppContext, tmp_path: Path, dump_db
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "假.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + random.Random(6).randbytes(4096))
    assert "文件已损坏" in refused(ctx, path, dump_db)


def test_a_directory_outside_the_file_is_damaged(ctx: AppContext, tmp_path: Path, dump_db) -> None:  # type: ignore[no-untyped-def]
    path = patched(xls_file(tmp_path / "目录.xls"), 0x30, "<I", 0x7FFF)  # first directory sector
    assert "文件已损坏" in refused(ctx, path, dump_db)


def test_a_stream_larger_than_the_file_is_damaged(ctx: AppContext, tmp_path: Path, dump_db) -> None:  # type: ignore[no-untyped-def]
    path = cfb_file(tmp_path / "大流.xls", ["Workbook"])
    path = patched(path, 1024 + 128 + 0x74, "<II", 0, 1 << 31)  # Workbook: sector 0, 2 GiB
    assert "文件已损坏" in refused(ctx, path, dump_db)


def test_a_header_claiming_more_fat_sectors_than_the_file_holds_is_damaged(
    tmp_path: Path,
) -> None:
    # 109 FAT sectors, all the same one, in a file of two sectors: olefile would build a FAT
    # of 109 × 128 entries (and, past the header, grows it in quadratic time)
    path = cfb_file(tmp_path / "fat.xls", ["Workbook"])
    path = patched(path, 0x2C, "<I", 109)
    path = patched(path, 0x4C, "<109I", *[0] * 109)
    with pytest.raises(UntrustedFileError, match="文件已损坏"):
        inspect_file(path)


def test_a_compound_file_over_1_gb_is_refused_before_it_is_read(
    ctx: AppContext, tmp_path: Path, dump_db
) -> None:  # type: ignore[no-untyped-def]
    path = cfb_file(tmp_path / "巨大.xls", ["Workbook"])
    with path.open("r+b") as handle:
        handle.truncate(MAX_COMPOUND_FILE + 1)  # sparse: nothing is written to disk
    assert "超过1 GB" in refused(ctx, path, dump_db)


def test_a_directory_of_100000_entries_is_read_in_linear_time(tmp_path: Path) -> None:
    # olefile alone compares each stream with all those before it: a minute for this file
    path = big_directory(tmp_path / "dir.xls", 100_000, named=["Workbook"])
    began = time.perf_counter()
    assert inspect_file(path).kind == "xls"
    assert time.perf_counter() - began < 15


def test_a_directory_of_more_than_100000_entries_is_damaged(tmp_path: Path) -> None:
    path = big_directory(tmp_path / "dir.xls", 100_001, named=["Workbook"])
    with pytest.raises(UntrustedFileError, match="文件已损坏"):
        inspect_file(path)


def test_olefile_still_calls_the_bounds(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The bounds are methods olefile calls on itself: an olefile that stopped calling
    them would lose them silently."""
    called: list[str] = []
    bounded = untrusted_files._BoundedOleFile
    for name in ("loadfat", "_check_duplicate_stream"):
        original = getattr(bounded, name)

        def spy(self, *args, _name=name, _original=original):  # type: ignore[no-untyped-def]
            called.append(_name)
            return _original(self, *args)

        monkeypatch.setattr(bounded, name, spy)
    inspect_file(xls_file(tmp_path / "a.xls"))
    assert set(called) == {"loadfat", "_check_duplicate_stream"}


def test_damaged_compound_files_are_refused_never_crash(tmp_path: Path) -> None:
    """Bytes changed anywhere in a real .xls: the file is judged or refused, whatever
    olefile trips over."""
    good = xls_file(tmp_path / "good.xls").read_bytes()
    rng = random.Random(11)
    path = tmp_path / "m.xls"
    for _ in range(300):
        data = bytearray(good)
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(2048) if rng.random() < 0.7 else rng.randrange(len(data))
            data[at] = rng.randrange(256)
        path.write_bytes(bytes(data))
        with contextlib.suppress(UntrustedFileError):
            inspect_file(path)


def test_a_zip_bomb_member_is_refused(ctx: AppContext, tmp_path: Path, good: Path, dump_db) -> None:  # type: ignore[no-untyped-def]
    bomb = zip_bomb_xlsx(tmp_path / "bomb.xlsx", good)
    message = refused(ctx, bomb, dump_db)
    assert "压缩比" in message and "100倍" in message


def test_a_directory_claiming_more_than_1_gb_is_refused(
    ctx: AppContext, tmp_path: Path, good: Path, dump_db
) -> None:  # type: ignore[no-untyped-def]
    huge = claim_huge_size(tmp_path / "huge.xlsx", good)
    assert "1 GB" in refused(ctx, huge, dump_db)


def test_a_sheet_claiming_more_than_1048576_rows_is_refused(
    ctx: AppContext, tmp_path: Path, good: Path, dump_db
) -> None:  # type: ignore[no-untyped-def]
    def claim(data: bytes) -> bytes:
        return re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:E2000000"/>', data)

    liar = rewrite_member(tmp_path / "rows.xlsx", good, "xl/worksheets/sheet1.xml", claim)
    assert "1,048,576" in refused(ctx, liar, dump_db)


def test_rows_beyond_the_limit_are_counted_while_streaming(
    ctx: AppContext, tmp_path: Path, good: Path, dump_db
) -> None:  # type: ignore[no-untyped-def]
    # no dimension at all, and a row numbered past Excel's last row
    def far_row(data: bytes) -> bytes:
        data = re.sub(rb'<dimension ref="[^"]*"\s*/>', b"", data)
        row = b'<row r="1048577"><c r="A1048577" t="n"><v>1</v></c></row>'
        return data.replace(b"</sheetData>", row + b"</sheetData>")

    far = rewrite_member(tmp_path / "far.xlsx", good, "xl/worksheets/sheet1.xml", far_row)
    assert "1,048,576" in refused(ctx, far, dump_db)


def test_entity_expansion_in_a_sheet_is_refused(
    ctx: AppContext, tmp_path: Path, good: Path, dump_db
) -> None:  # type: ignore[no-untyped-def]
    def laughs(data: bytes) -> bytes:
        dtd = (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        )
        body = data.split(b"?>", 1)[-1]
        return dtd + body.replace(b"<v>5</v>", b"<v>&lol2;</v>")

    evil = rewrite_member(tmp_path / "evil.xlsx", good, "xl/worksheets/sheet1.xml", laughs)
    assert "无法" in refused(ctx, evil, dump_db)


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(UntrustedFileError, match="找不到"):
        inspect_file(tmp_path / "nope.xlsx")


def test_a_real_workbook_passes(good: Path) -> None:
    assert inspect_file(good).kind == "xlsx"


def test_defusedxml_is_active_for_openpyxl() -> None:
    assert openpyxl.xml.DEFUSEDXML is True
    check_xml_defences()


def test_without_defusedxml_the_check_fails_and_import_stops(
    monkeypatch: pytest.MonkeyPatch, ctx: AppContext, good: Path
) -> None:
    monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)
    with pytest.raises(GongkaiError, match="defusedxml"):
        check_xml_defences()
    with pytest.raises(GongkaiError, match="defusedxml"):
        ledger_import.preview(ctx, "outreach_events", good)
    with pytest.raises(GongkaiError, match="defusedxml"):
        selftest()


def test_cli_exits_2_on_a_refused_file(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = tmp_path / "假.xlsx"
    fake.write_text("hello", encoding="utf-8")
    assert main(["--db", str(db_path), "import", "outreach_events", str(fake)]) == 2
    out = capsys.readouterr().out
    assert "不是Excel表格文件" in out and "未写入任何数据" in out
