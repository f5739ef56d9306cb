"""The printed monthly summary, read back from the PDF with pypdf.

Expected text is written out here from the data the test enters (monthly_data), not
taken from the service: 1 outreach event, 3 inspections, the first open task 21 days
past its 10 May deadline on 31 May.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QPdfWriter

from gongkai_desktop import paths
from gongkai_desktop.domain.periods import parse_period
from gongkai_desktop.render import fonts, monthly_pdf
from gongkai_desktop.render.fonts import FontMissingError, print_font
from gongkai_desktop.render.monthly_pdf import (
    build_monthly_document,
    print_document,
    write_monthly_pdf,
)
from gongkai_desktop.services.io.file_output import ExportError
from gongkai_desktop.services.reports.monthly import monthly_summary

from .monthly_data import UNIT, fill_month

pytestmark = pytest.mark.usefixtures("qapp")
MAY = parse_period("2024-05")


def summary_of(ctx, records, open_tasks=3, long=False):  # type: ignore[no-untyped-def]
    fill_month(ctx, records, open_tasks, long)
    return monthly_summary(ctx, MAY, today=date(2024, 6, 3))


def compact(text: str) -> str:
    """Extracted text without the line breaks and spaces layout puts in."""
    return "".join(text.split())


def read_pdf(path: Path) -> tuple[PdfReader, str]:
    reader = PdfReader(path)
    return reader, compact("".join(page.extract_text() for page in reader.pages))


def font_files(reader: PdfReader) -> dict[str, list[str]]:
    """Every font used on any page → the FontFile* keys of its (descendant) descriptor."""
    found: dict[str, list[str]] = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            target = font
            if "/DescendantFonts" in font:
                target = font["/DescendantFonts"][0].get_object()
            descriptor = target.get("/FontDescriptor")
            keys = [] if descriptor is None else list(descriptor.get_object().keys())
            found[str(font["/BaseFont"])] = [k for k in keys if k.startswith("/FontFile")]
    return found


def test_normal_month_is_one_page_with_the_summary_text(ctx, records, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pdf = tmp_path / "小结.pdf"
    write_monthly_pdf(summary_of(ctx, records), pdf)
    reader, text = read_pdf(pdf)
    assert len(reader.pages) == 1
    for expected in (
        "2024年5月生态环境保护工作小结",
        UNIT,
        "统计期间：2024年5月1日至2024年5月31日",
        "开展生态环境保护宣传活动1次",
        "开展各类巡查检查3次",
        "ZG-TEST-001",
        "ZG-TEST-003",
        "逾期21天",
        "五、截至2024年5月31日未办结的整改任务",
        "填表人：王小红",
        "制表日期：2024年6月3日",
        "第1页共1页",
    ):
        assert expected in text, expected
    assert reader.metadata.title == "2024年5月生态环境保护工作小结"


def test_every_font_is_embedded(ctx, records, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pdf = tmp_path / "小结.pdf"
    write_monthly_pdf(summary_of(ctx, records), pdf)
    used = font_files(PdfReader(pdf))
    assert used
    assert {name: files for name, files in used.items() if not files} == {}


def test_twenty_long_open_tasks_fit_on_two_pages(ctx, records, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pdf = tmp_path / "小结.pdf"
    write_monthly_pdf(summary_of(ctx, records, open_tasks=25, long=True), pdf)
    reader, text = read_pdf(pdf)
    assert len(reader.pages) == 2
    assert "ZG-TEST-020" in text
    assert "ZG-TEST-021" not in text  # the table lists 20 and says how many more
    assert "另有5项未列出" in text
    assert "第1页共2页" in text and "第2页共2页" in text
    assert "（续）" in compact(reader.pages[1].extract_text())
    assert "制表日期：2024年6月3日" in text


def test_no_open_tasks_prints_an_empty_table(ctx, records, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pdf = tmp_path / "小结.pdf"
    write_monthly_pdf(summary_of(ctx, records, open_tasks=0), pdf)
    reader, text = read_pdf(pdf)
    assert len(reader.pages) == 1
    assert "逾期" not in text.replace("其中逾期办结", "").replace("其中已逾期", "")
    assert text.index("五、截至2024年5月31日未办结的整改任务") < text.index("无填表人")


def test_an_empty_database_prints(ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pdf = tmp_path / "小结.pdf"
    write_monthly_pdf(monthly_summary(ctx, MAY), pdf)
    reader, text = read_pdf(pdf)
    assert len(reader.pages) == 1
    assert "未录入生态环境保护工作记录" in text


def test_print_document_paints_on_any_paged_device_and_keeps_the_document(ctx, records) -> None:  # type: ignore[no-untyped-def]
    summary = summary_of(ctx, records, open_tasks=25, long=True)
    doc = build_monthly_document(summary)
    size_before = doc.pageSize()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    pages = print_document(doc, writer)
    del writer
    buffer.close()
    reader = PdfReader(BytesIO(bytes(data.data())))
    assert pages == len(reader.pages) == 2
    assert doc.pageSize() == size_before  # the caller's (screen) document is untouched
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)


def test_bundled_fonts_print_searchable_embedded_text(ctx, records, tmp_path) -> None:  # type: ignore[no-untyped-def]
    font = print_font(use_system=False)
    assert font.bundled
    assert font.families == ("AR PL SungtiL GB", "Droid Sans Fallback")
    pdf = tmp_path / "小结.pdf"
    write_monthly_pdf(summary_of(ctx, records), pdf, font=font)
    reader, text = read_pdf(pdf)
    assert "2024年5月生态环境保护工作小结" in text
    used = font_files(reader)
    assert any("Bousung" in name for name in used)  # AR PL SungtiL GB's PostScript name
    assert all(files for files in used.values())


def test_bundled_fonts_cover_rare_characters_in_names(ctx, records, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """玥 and 堃 are outside GB 2312 (the 宋体 face); Droid Sans Fallback prints them."""
    from gongkai_desktop.services.settings import save_settings

    font = print_font(use_system=False)
    fill_month(ctx, records)
    save_settings(ctx, {"filler": "王玥堃"})
    summary = monthly_summary(ctx, MAY, today=date(2024, 6, 3))
    pdf = tmp_path / "小结.pdf"
    write_monthly_pdf(summary, pdf, font=font)
    reader, text = read_pdf(pdf)
    assert "填表人：王玥堃" in text
    assert any("DroidSansFallback" in name for name in font_files(reader))


def test_no_chinese_font_is_a_clear_chinese_error(tmp_path) -> None:
    with pytest.raises(FontMissingError, match="找不到可用于打印的中文字体"):
        print_font(use_system=False, fonts_dir=tmp_path)


def test_a_font_without_the_printed_characters_is_not_the_main_face(tmp_path) -> None:
    """Droid Sans Fallback has no digits or Latin letters: alone it is refused as the
    main face of the bundle check, and as a system family."""
    family = fonts._register(paths.resources_dir() / "fonts" / "DroidSansFallbackFull.ttf")
    assert family == "Droid Sans Fallback"
    assert fonts._system_family([family]) is None
    song = fonts._register(paths.resources_dir() / "fonts" / "gbsn00lp.ttf")
    assert fonts._system_family(["没有这个字体", song]) == song


def test_cff_cjk_fonts_are_skipped() -> None:
    """Qt's PDF writer garbles the ToUnicode map of CFF-based CJK fonts (Noto Serif CJK)."""
    from PySide6.QtGui import QFontDatabase

    if "Noto Serif CJK SC" not in QFontDatabase.families():
        pytest.skip("Noto Serif CJK SC is not installed here")
    assert fonts._system_family(["Noto Serif CJK SC"]) is None


def test_a_failed_render_leaves_the_old_file(ctx, records, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    pdf = tmp_path / "小结.pdf"
    pdf.write_bytes(b"old report")
    summary = summary_of(ctx, records)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("render failed")

    monkeypatch.setattr(monthly_pdf, "print_paged", broken)
    with pytest.raises(RuntimeError):
        write_monthly_pdf(summary, pdf)
    assert pdf.read_bytes() == b"old report"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".pdf", ".tmp")) == [
        "小结.pdf"
    ]


def test_an_unwritable_target_is_an_export_error(ctx, records, tmp_path) -> None:  # type: ignore[no-untyped-def]
    summary = summary_of(ctx, records)
    missing = tmp_path / "已拔出的U盘" / "小结.pdf"
    with pytest.raises(ExportError, match="原有文件未被改动"):
        write_monthly_pdf(summary, missing)
    assert not missing.parent.exists()


def test_cli_writes_the_pdf(ctx, records, run, db_path, tmp_path) -> None:  # type: ignore[no-untyped-def]
    fill_month(ctx, records)
    ctx.close()
    out = tmp_path / "五月小结.pdf"
    code, stdout, err = run("report", "monthly", "--period", "2024-05", "--out", str(out))
    assert (code, err) == (0, ""), err
    assert str(out) in stdout
    reader, text = read_pdf(out)
    assert len(reader.pages) == 1
    assert "逾期" in text and "ZG-TEST-001" in text


def test_cli_without_an_application_renders_offscreen(ctx, records, db_path, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The real command in a fresh process: no QGuiApplication exists until the PDF
    writer makes an offscreen one, whatever QT_QPA_PLATFORM says."""
    fill_month(ctx, records)
    ctx.close()
    out = tmp_path / "五月小结.pdf"
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env["GONGKAI_HOME"] = str(tmp_path / "home")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gongkai_desktop",
            "--db",
            str(db_path),
            "report",
            "monthly",
            "--period",
            "2024-05",
            "--out",
            str(out),
        ],
        cwd=paths.bundle_root(),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    _reader, text = read_pdf(out)
    assert "2024年5月生态环境保护工作小结" in text


def lines_with_positions(page) -> list[tuple[float, str]]:  # type: ignore[no-untyped-def]
    """(y, text) of every piece of text pypdf finds on a page, top first."""
    found: list[tuple[float, str]] = []

    def visit(text, cm, tm, _font, _size) -> None:  # type: ignore[no-untyped-def]
        if text.strip():  # the text matrix's origin on the page, in points from the bottom
            found.append((tm[4] * cm[1] + tm[5] * cm[3] + cm[5], text.strip()))

    page.extract_text(visitor_text=visit)
    return sorted(found, key=lambda item: -item[0])


def test_names_and_dates_never_wrap_and_empty_site_types_have_no_row(
    ctx, records, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    fill_month(ctx, records, open_tasks=0)
    # settings without a 填表人 or phone: the line leaves room to write them by hand
    from gongkai_desktop.services.settings import save_settings

    save_settings(ctx, {"filler": "", "reviewer": "", "phone": ""})
    source = records.create(
        "site", {"site_type": "饮用水水源地", "name": "金竹沟水源地", "village": "金竹村"}
    ).id
    records.create(
        "rectification_task",
        {
            "task_no": "ZG2024-001",
            "source": "12369",
            "assigned_date": "2024-05-06",
            "description": "金竹沟水源地二级保护区内有农家乐生活污水直排，需建设污水收集池",
            "site": source,
            "deadline": "2024-05-20",
            "status": "正在办理",
        },
    )
    pdf = tmp_path / "小结.pdf"
    write_monthly_pdf(monthly_summary(ctx, MAY, today=date(2024, 6, 3)), pdf)
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    pieces = [text for _y, text in lines_with_positions(reader.pages[0])]
    # each on one line of its cell, never 金竹沟水源/地 or 2024年5月2/0日
    for whole in ("金竹沟水源地", "2024年5月20日", "ZG2024-001", "逾期11天"):
        assert any(whole in piece for piece in pieces), whole
    text = compact("".join(page.extract_text() for page in reader.pages))
    # the month has 水源地, 排污单位 and 养殖场 sites only: no row of 0 0 0 — for the others
    assert "饮用水水源地" in text and "畜禽养殖场" in text
    assert "河段/河湖" not in text and "医疗机构（辐射）" not in text
    assert "填表人：审核人：联系电话：" in text
    assert "制表日期：2024年6月3日" in text


def test_headings_keep_clear_of_their_tables(ctx, records, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pdf = tmp_path / "小结.pdf"
    write_monthly_pdf(summary_of(ctx, records), pdf)
    placed = lines_with_positions(PdfReader(pdf).pages[0])
    y = {text: top for top, text in placed}
    # baseline to baseline: the heading's line, 6 pt of space, the border and the cell's
    # padding: more than 1.6 lines of 10.5 pt text (without the space it was 1.4)
    assert y["一、宣传活动"] - y["活动场次"] > 1.6 * 10.5
    assert y["四、整改任务"] - y["期初未办结"] > 1.6 * 10.5
    # the signature line stands well below the last table (room above it to sign)
    last_row = min(top for top, text in placed if text.startswith("ZG-TEST-"))
    signature = next(top for top, text in placed if text.startswith("填表人"))
    assert last_row - signature > 2.5 * 12
