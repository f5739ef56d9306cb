"""Untrusted spreadsheets: each refused kind gives a Chinese message and writes nothing;
defusedxml is active for openpyxl."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import openpyxl.xml
import pytest

from gongkai_desktop.cli import main
from gongkai_desktop.domain.errors import GongkaiError
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.io.untrusted_files import (
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
    assert {"Root Entry", "EncryptionInfo", "EncryptedPackage"} <= names


def test_a_compound_file_without_a_workbook_is_not_a_spreadsheet(
    ctx: AppContext, tmp_path: Path, dump_db
) -> None:  # type: ignore[no-untyped-def]
    doc = cfb_file(tmp_path / "旧文档.xls", ["WordDocument"])
    assert "不是Excel表格文件" in refused(ctx, doc, dump_db)


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
