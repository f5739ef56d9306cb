"""Ledger export: every ledger reopened with openpyxl and checked cell by cell against the
database (read with sqlite3), the layout and print settings, formula-like text, periods,
the atomic write, export-all, photos and cancel, and the CLI."""

from __future__ import annotations

import errno
import logging
import os
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter

from gongkai_desktop import cli
from gongkai_desktop.domain.periods import parse_period, period_between
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.ledgers import export as ledger_export
from gongkai_desktop.services.ledgers.export import (
    ExportCancelled,
    LedgerExporter,
    LedgerExportError,
    ledger_file_name,
    safe_file_name,
)
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.settings import save_settings

from .conftest import REPO_FORMS
from .ledger_export_data import MALICIOUS, PHOTO, PHOTO2, Seeded, expected_rows, seed

UNIT = "许明寺镇人民政府"
TODAY = date(2024, 6, 3)
MAY = parse_period("2024-05")
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
SIGNATURE = "填表人：张三\u3000\u3000\u3000审核人：李四\u3000\u3000\u3000联系电话：0371-62001234"


def ledger_ids() -> list[str]:
    from gongkai_desktop.forms.loader import load_registry

    return sorted(load_registry(REPO_FORMS).ledgers)


@pytest.fixture
def seeded(ctx: AppContext, records: RecordService) -> Seeded:
    save_settings(
        ctx, {"unit_name": UNIT, "filler": "张三", "reviewer": "李四", "phone": "0371-62001234"}
    )
    return seed(records)


@pytest.fixture
def exporter(ctx: AppContext) -> LedgerExporter:
    return LedgerExporter(ctx, today=TODAY)


def merged(ws: Any) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges}


def header_rows(ctx: AppContext, ledger_id: str) -> int:
    return 2 if any(c.group for c in ctx.registry.ledger(ledger_id).columns) else 1


# ---- every ledger, cell by cell -----------------------------------------------------------
@pytest.mark.parametrize("ledger_id", ledger_ids())
def test_every_ledger_matches_the_database(
    ctx: AppContext, seeded: Seeded, exporter: LedgerExporter, tmp_path: Path, ledger_id: str
) -> None:
    ledger = ctx.registry.ledger(ledger_id)
    out = tmp_path / "台账.xlsx"
    result = exporter.export(ledger_id, MAY, out)
    ws = openpyxl.load_workbook(out).active
    ncols = len(ledger.columns) + 1
    # a ledger printed in parts (columns marked new_page) keeps its title, unit/date row
    # and signature line on the first part; the others span the whole table
    breaks = [i for i, c in enumerate(ledger.columns, start=2) if c.new_page]
    last = get_column_letter(breaks[0] - 1 if breaks else ncols)

    # title: unit + period + ledger, a site register's too (exported for the period)
    title = f"{UNIT}2024年5月{ledger.title}"
    assert ws["A1"].value == title == result.title
    assert f"A1:{last}1" in merged(ws)
    assert ws["A1"].font.b and 16 <= ws["A1"].font.sz <= 18
    assert ws["A1"].alignment.horizontal == "center"

    # row 2: 填报单位 left, 填报日期 right
    # printed in parts, 序号 and 问题编号 repeat on every part: the line starts after them
    lead = get_column_letter(3 if breaks else 1)
    assert ws[f"{lead}2"].value == f"填报单位（盖章）：{UNIT}"
    right = [c for c in ws[2] if c.value and str(c.value).startswith("填报日期")]
    assert [c.value for c in right] == ["填报日期：2024年6月3日"]
    assert right[0].alignment.horizontal == "right"
    assert any(
        r.startswith(f"{right[0].coordinate}:") and r.endswith(f"{last}2") for r in merged(ws)
    )

    # header: 序号, labels, groups merged over their columns, others over both rows
    levels = header_rows(ctx, ledger_id)
    assert ws["A3"].value == "序号"
    for index, col in enumerate(ledger.columns, start=2):
        letter = get_column_letter(index)
        if levels == 1:
            assert ws[f"{letter}3"].value == col.label
            continue
        if col.group:
            assert ws[f"{letter}4"].value == col.label
            members = [i for i, c in enumerate(ledger.columns, start=2) if c.group == col.group]
            first, end = get_column_letter(members[0]), get_column_letter(members[-1])
            assert ws[f"{first}3"].value == col.group
            if len(members) > 1:
                assert f"{first}3:{end}3" in merged(ws)
        else:
            assert ws[f"{letter}3"].value == col.label
            assert f"{letter}3:{letter}4" in merged(ws)
    for cell in ws[2 + levels]:
        if isinstance(cell, MergedCell):
            continue  # openpyxl does not read the style of the cells a merge covers
        assert cell.font.b and cell.alignment.wrap_text and cell.border.left.style == "thin"
        assert cell.alignment.horizontal == "center"

    # body: every cell equals the database value converted independently
    start = 3 + levels
    body = expected_rows(ctx.db_path, ctx.registry, ledger, MAY.start, MAY.end, as_of=TODAY)
    assert body, "the seed data has records for every ledger"
    actual = [[ws.cell(start + i, j + 1).value for j in range(ncols)] for i in range(len(body))]
    assert actual == body
    assert result.rows == len(body)
    form = ctx.registry.form(ledger.form)
    for j, col in enumerate(ledger.columns, start=2):
        kind = (
            ctx.registry.form("site").field(col.field.split(".")[1]).type
            if "." in col.field
            else form.field(col.field).type
        )
        for i in range(len(body)):
            cell = ws.cell(start + i, j)
            assert cell.border.left.style == "thin" and cell.alignment.wrap_text
            assert cell.font.name == "宋体" and 10 <= cell.font.sz <= 11
            if kind == "date" and cell.value is not None:
                assert cell.is_date and isinstance(cell.value, datetime)
                assert cell.number_format == DATE_FORMAT
            if kind in ("integer", "photos") and cell.value is not None:
                assert type(cell.value) is int
    assert [ws.cell(start + i, 1).value for i in range(len(body))] == list(range(1, len(body) + 1))

    # the 合计 row where the ledger file totals columns: each sum of the expected body
    end = start + len(body)
    totalled = [j for j, col in enumerate(ledger.columns, start=1) if col.total]
    if totalled:
        assert ws[f"A{end}"].value == "合计" and ws[f"A{end}"].font.b
        for j in range(1, ncols):
            expected = sum(row[j] or 0 for row in body) if j in totalled else None
            got = ws.cell(end, j + 1).value
            assert got == pytest.approx(expected) if expected is not None else got is None
        end += 1
    # the line under the table, nothing after it
    assert ws[f"{lead}{end}"].value == SIGNATURE
    assert f"{lead}{end}:{last}{end}" in merged(ws)
    assert ws.max_row == end

    # print settings, frozen header
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    if breaks:
        # printed in parts at a fixed scale, 序号 and the leading natural key repeated
        assert [b.id for b in ws.col_breaks.brk] == [b - 1 for b in breaks]
        assert ws.sheet_properties.pageSetUpPr.fitToPage is False
        assert int(ws.page_setup.scale) >= 80
        assert ws.print_title_cols == "$A:$B"
    else:
        assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == f"$3:${2 + levels}"
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert ws.freeze_panes == f"A{start}"
    assert [ws.column_dimensions[get_column_letter(j)].width for j in range(2, ncols + 1)] == [
        c.width for c in ledger.columns
    ]


def test_rows_are_tall_enough_for_wrapped_text(
    ctx: AppContext, seeded: Seeded, exporter: LedgerExporter, tmp_path: Path
) -> None:
    out = tmp_path / "t.xlsx"
    exporter.export("rectification_tasks", MAY, out)
    ws = openpyxl.load_workbook(out).active
    start = 3 + header_rows(ctx, "rectification_tasks")
    fields = [c.field for c in ctx.registry.ledger("rectification_tasks").columns]
    progress_col = 2 + fields.index("progress")  # column A is 序号
    # first task: two progress lines in one cell → at least two lines of 10-pt text
    assert ws.cell(start, progress_col).value.count("\n") == 1
    assert ws.row_dimensions[start].height >= 2 * 13


# ---- text that looks like a formula --------------------------------------------------------
def test_formula_like_text_stays_text(
    ctx: AppContext, seeded: Seeded, exporter: LedgerExporter, tmp_path: Path
) -> None:
    found: set[str] = set()
    for ledger_id in ledger_ids():
        out = tmp_path / f"{ledger_id}.xlsx"
        exporter.export(ledger_id, MAY, out)
        with zipfile.ZipFile(out) as archive:
            sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
        assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula anywhere
        for row in openpyxl.load_workbook(out).active.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and value[:1] in "=+-@\t\r\n":
                    assert cell.data_type == "s", (ledger_id, cell.coordinate, value)
                    assert cell.quotePrefix, (ledger_id, cell.coordinate, value)
                    found.add(value)
    # every malicious string made it into some ledger, unchanged (a leading line break
    # of a multi-line text is trimmed on saving, a CR as any line break)
    assert {m for m in MALICIOUS if not m.startswith("\r")} <= found


# ---- what is in a ledger ------------------------------------------------------------------
def test_deleted_records_and_sites_never_appear(
    ctx: AppContext, seeded: Seeded, exporter: LedgerExporter, tmp_path: Path
) -> None:
    texts = []
    for ledger_id in ledger_ids():
        out = tmp_path / f"{ledger_id}.xlsx"
        exporter.export(ledger_id, parse_period("2024"), out)
        ws = openpyxl.load_workbook(out).active
        texts += [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert not any("已删除的记录" in t or "已关停砖厂" in t for t in texts)


def water_dates(path: Path) -> list[date]:
    ws = openpyxl.load_workbook(path).active
    return [
        r[1].date() for r in ws.iter_rows(min_row=5, values_only=True) if isinstance(r[1], datetime)
    ]


@pytest.mark.parametrize(
    ("period", "dates"),
    [
        (parse_period("2024-04"), ["2024-04-30"]),
        (parse_period("2024-05"), ["2024-05-06", "2024-05-06", "2024-05-31"]),
        (parse_period("2024-06"), ["2024-06-01"]),
        (
            parse_period("2024-Q2"),
            ["2024-04-30", "2024-05-06", "2024-05-06", "2024-05-31", "2024-06-01"],
        ),
        (
            parse_period("2024"),
            ["2024-04-30", "2024-05-06", "2024-05-06", "2024-05-31", "2024-06-01"],
        ),
        (period_between(date(2024, 5, 6), date(2024, 5, 31)), ["2024-05-06"] * 2 + ["2024-05-31"]),
        (period_between(date(2024, 5, 7), date(2024, 5, 30)), []),
        (parse_period("2023-05"), []),
    ],
)
def test_period_filtering(
    ctx: AppContext,
    seeded: Seeded,
    exporter: LedgerExporter,
    tmp_path: Path,
    period: Any,
    dates: list[str],
) -> None:
    out = tmp_path / "w.xlsx"
    result = exporter.export("water_source_patrol", period, out)
    assert water_dates(out) == [date.fromisoformat(d) for d in dates]
    assert result.rows == len(dates)
    ws = openpyxl.load_workbook(out).active
    assert ws["A1"].value == f"{UNIT}{period.label}饮用水水源地巡查台账"


def test_same_day_rows_follow_the_start_time(
    ctx: AppContext, seeded: Seeded, exporter: LedgerExporter, tmp_path: Path
) -> None:
    out = tmp_path / "w.xlsx"
    exporter.export("water_source_patrol", MAY, out)
    ws = openpyxl.load_workbook(out).active
    assert [ws.cell(r, 3).value for r in (5, 6, 7)] == ["09:00", "14:00", "08:30"]


def test_an_empty_ledger_says_so(
    ctx: AppContext, seeded: Seeded, exporter: LedgerExporter, tmp_path: Path
) -> None:
    out = tmp_path / "empty.xlsx"
    assert exporter.export("water_source_patrol", parse_period("2023"), out).rows == 0
    ws = openpyxl.load_workbook(out).active
    last = get_column_letter(len(ctx.registry.ledger("water_source_patrol").columns) + 1)
    assert ws["A5"].value is None and ws["B5"].value == "本期无记录"
    assert f"B5:{last}5" in merged(ws)
    assert ws["A6"].value == SIGNATURE


def test_paging_keeps_every_record_once_and_in_order(
    ctx: AppContext, records: RecordService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ledger_export, "PAGE_SIZE", 3)
    site = records.create("site", {"site_type": "饮用水水源地", "name": "水库", "village": "村"})
    expected = []
    for day in (3, 1, 2, 2, 2, 2, 5, 4, 1, 2):
        for hour in (10, 8):
            records.create(
                "inspection",
                {
                    "inspection_date": f"2024-05-{day:02d}",
                    "start_time": f"{hour:02d}:00",
                    "inspection_type": "饮用水水源地巡查",
                    "site": site.id,
                    "inspectors": "甲",
                },
            )
            expected.append((date(2024, 5, day), f"{hour:02d}:00"))
    out = tmp_path / "p.xlsx"
    LedgerExporter(ctx).export("water_source_patrol", MAY, out)
    ws = openpyxl.load_workbook(out).active
    got = [(r[1].date(), r[2]) for r in ws.iter_rows(min_row=5, values_only=True) if r[2]]
    assert got == sorted(expected)


# ---- atomic write -------------------------------------------------------------------------
def old_file(folder: Path) -> Path:
    target = folder / "台账.xlsx"
    target.write_bytes(b"old ledger")
    return target


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), "磁盘空间不足"),
        (PermissionError(errno.EACCES, "Permission denied"), "Excel"),
        (OSError(errno.EIO, "Input/output error"), "U盘"),
    ],
)
def test_a_failed_rename_leaves_the_old_file_and_no_temp_file(
    ctx: AppContext,
    seeded: Seeded,
    exporter: LedgerExporter,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    exc: OSError,
    words: str,
) -> None:
    target = old_file(tmp_path)

    def refuse(src: Any, dst: Any) -> None:
        raise exc

    monkeypatch.setattr(ledger_export.os, "replace", refuse)
    with pytest.raises(LedgerExportError) as err:
        exporter.export("water_source_patrol", MAY, target)
    monkeypatch.undo()
    assert words in str(err.value) and "原有文件未被改动" in str(err.value)
    assert target.read_bytes() == b"old ledger"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~")]


def test_a_failed_save_leaves_the_old_file_and_no_temp_file(
    ctx: AppContext,
    seeded: Seeded,
    exporter: LedgerExporter,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = old_file(tmp_path)

    def disk_full(self: Any, fh: Any) -> None:
        fh.write(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(ledger_export.Workbook, "save", disk_full)
    with pytest.raises(LedgerExportError, match="磁盘空间不足"):
        exporter.export("water_source_patrol", MAY, target)
    monkeypatch.undo()
    assert target.read_bytes() == b"old ledger"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~")]


def test_a_successful_export_replaces_the_old_file(
    ctx: AppContext, seeded: Seeded, exporter: LedgerExporter, tmp_path: Path
) -> None:
    target = old_file(tmp_path)
    exporter.export("water_source_patrol", MAY, target)
    assert openpyxl.load_workbook(target).active["A1"].value.endswith("饮用水水源地巡查台账")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~")]


def test_a_missing_folder_or_wrong_extension_is_refused(
    ctx: AppContext, exporter: LedgerExporter, tmp_path: Path
) -> None:
    with pytest.raises(LedgerExportError, match="不存在"):
        exporter.export("water_source_patrol", MAY, tmp_path / "gone" / "a.xlsx")
    with pytest.raises(LedgerExportError, match=r"\.xlsx"):
        exporter.export("water_source_patrol", MAY, tmp_path / "a.xls")


def test_cancel_removes_the_partial_file(
    ctx: AppContext, seeded: Seeded, exporter: LedgerExporter, tmp_path: Path
) -> None:
    target = old_file(tmp_path)
    with pytest.raises(ExportCancelled):
        exporter.export("water_source_patrol", MAY, target, cancelled=lambda: True)
    assert target.read_bytes() == b"old ledger"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~")]


# ---- export-all ----------------------------------------------------------------------------
def test_file_names_drop_what_windows_forbids() -> None:
    assert safe_file_name('a<b>c:d"e/f\\g|h?i*j\x01k. ') == "abcdefghijk"
    assert ledger_file_name("许明寺镇/人民政府", "宣传活动台账", MAY) == (
        "许明寺镇人民政府_宣传活动台账_2024年5月.xlsx"
    )
    assert ledger_file_name("", "宣传活动台账", parse_period("2024-Q2")) == (
        "宣传活动台账_2024年第二季度.xlsx"
    )
    between = period_between(date(2024, 5, 6), date(2024, 6, 1))
    assert ledger_file_name("镇", "台账", between) == "镇_台账_2024年5月6日至2024年6月1日.xlsx"


def test_export_all_writes_every_ledger_with_progress(
    ctx: AppContext, seeded: Seeded, exporter: LedgerExporter, tmp_path: Path
) -> None:
    folder = tmp_path / "U盘"
    folder.mkdir()
    calls: list[tuple[int, int, str]] = []
    results = exporter.export_all(MAY, folder, progress=lambda *a: calls.append(a))
    titles = [ledger.title for ledger in ctx.registry.ledgers.values()]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{UNIT}_{t}_2024年5月.xlsx" for t in titles
    )
    assert {r.path for r in results} == set(folder.iterdir())
    for result in results:
        assert openpyxl.load_workbook(result.path).active["A1"].value == result.title
    total = sum(r.rows for r in results)
    assert calls[-1] == (total, total, "导出完成")
    done = [c[0] for c in calls]
    assert done == sorted(done) and all(c[1] == total for c in calls)


def test_export_all_with_photos_copies_them_by_serial(
    ctx: AppContext, seeded: Seeded, exporter: LedgerExporter, tmp_path: Path
) -> None:
    for photo, data in ((PHOTO, b"jpeg one"), (PHOTO2, b"jpeg two")):
        path = ctx.attachments_dir / photo["file"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    folder = tmp_path / "out"
    folder.mkdir()
    results = {r.ledger_id: r for r in exporter.export_all(MAY, folder, photos=True)}
    water = folder / f"{UNIT}_饮用水水源地巡查台账_2024年5月（照片）"
    # May: 5-6 09:00 (no photo), 5-6 14:00 (two photos), 5-31
    assert sorted(p.name for p in water.iterdir()) == ["2"]
    assert sorted(p.name for p in (water / "2").iterdir()) == ["01-围网破损.jpg", "02-IMG_0002.jpg"]
    assert (water / "2" / "01-围网破损.jpg").read_bytes() == b"jpeg one"
    assert results["water_source_patrol"].photos == 2
    # progress photos of a task are copied too
    tasks = folder / f"{UNIT}_环境问题整改台账_2024年5月（照片）"
    assert [p.name for p in (tasks / "1").iterdir()] == ["01-围网破损.jpg"]
    assert not [p for p in folder.iterdir() if p.name.startswith(".~")]


def test_a_missing_photo_is_noted_not_fatal(
    ctx: AppContext, seeded: Seeded, exporter: LedgerExporter, tmp_path: Path
) -> None:
    result = exporter.export(
        "outreach_events", MAY, tmp_path / "o.xlsx", photos_folder=tmp_path / "照片"
    )
    assert result.photos == 0
    assert any("IMG_0001.JPG" in note for note in result.notes)


def test_cancel_during_export_all_leaves_no_partial_file(
    ctx: AppContext, seeded: Seeded, exporter: LedgerExporter, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    checks = iter(range(100))

    def cancelled() -> bool:
        return next(checks) >= 4

    with pytest.raises(ExportCancelled):
        exporter.export_all(MAY, folder, photos=True, cancelled=cancelled)
    for path in folder.iterdir():
        assert not path.name.startswith(".~"), path
        if path.suffix == ".xlsx":
            openpyxl.load_workbook(path)  # whatever was finished is whole
    assert len(list(folder.glob("*.xlsx"))) < len(ctx.registry.ledgers)


# ---- CLI -----------------------------------------------------------------------------------
@pytest.fixture
def run(db_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Any]:
    def invoke(*argv: str) -> tuple[int, str, str]:
        code = cli.main(["--db", str(db_path), *argv])
        out, err = capsys.readouterr()
        return code, out, err

    yield invoke
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_gongkai", False)]:
        root.removeHandler(handler)
        handler.close()


def test_cli_export_and_export_all(seeded: Seeded, run: Any, tmp_path: Path) -> None:
    out = tmp_path / "水源地.xlsx"
    code, stdout, err = run(
        "export", "water_source_patrol", "--period", "2024-05", "--out", str(out)
    )
    assert (code, err) == (0, "")
    assert "3 条记录" in stdout
    assert openpyxl.load_workbook(out).active["A1"].value.startswith(UNIT)
    code, stdout, err = run(
        "export",
        "outreach_events",
        "--from",
        "2024-06-01",
        "--to",
        "2024-06-30",
        "--out",
        str(tmp_path / "o.xlsx"),
    )
    assert (code, err) == (0, "") and "1 条记录" in stdout
    folder = tmp_path / "all"
    folder.mkdir()
    code, stdout, err = run("export-all", "--period", "2024-Q2", "--out", str(folder), "--photos")
    assert (code, err) == (0, "")
    assert len(list(folder.glob("*.xlsx"))) == len(ledger_ids())
    assert f"共导出 {len(ledger_ids())} 个台账" in stdout


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["export", "nope", "--period", "2024-05", "--out", "{tmp}/a.xlsx"], "未知的台账"),
        (["export", "water_source_patrol", "--period", "2024-13", "--out", "{tmp}/a.xlsx"], "月份"),
        (["export", "water_source_patrol", "--out", "{tmp}/a.xlsx"], "指定期间"),
        (["export", "water_source_patrol", "--period", "2024", "--out", "{tmp}/a.csv"], ".xlsx"),
        (
            ["export", "water_source_patrol", "--period", "2024", "--out", "{tmp}/x/a.xlsx"],
            "不存在",
        ),
        (["export-all", "--period", "2024-05", "--out", "{tmp}/a.xlsx"], "是一个文件"),
        (["export-all", "--from", "2024-05-01", "--out", "{tmp}"], "--to"),
    ],
)
def test_cli_errors_exit_2_in_chinese(
    seeded: Seeded, run: Any, tmp_path: Path, argv: list[str], words: str
) -> None:
    (tmp_path / "a.xlsx").write_bytes(b"a file where a folder is asked for")
    code, _stdout, err = run(*[a.replace("{tmp}", str(tmp_path)) for a in argv])
    assert code == 2
    assert err.startswith("错误：") and words in err


def test_cli_export_failure_exits_2(
    seeded: Seeded, run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = old_file(tmp_path)

    def refuse(src: Any, dst: Any) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    real_replace = os.replace
    monkeypatch.setattr(
        ledger_export.os,
        "replace",
        lambda s, d: refuse(s, d) if str(d).endswith("台账.xlsx") else real_replace(s, d),
    )
    code, _out, err = run(
        "export", "water_source_patrol", "--period", "2024-05", "--out", str(target)
    )
    monkeypatch.undo()
    assert code == 2 and "Excel" in err
    assert target.read_bytes() == b"old ledger"


# ---- 合计, site attributes, folders and titles (issue 17) ----------------------------------
def test_straw_burning_total_row_sums_the_counted_columns(
    ctx: AppContext, records: RecordService, exporter: LedgerExporter, tmp_path: Path
) -> None:
    base = {"inspection_type": "秸秆禁烧巡查", "inspectors": "张三", "problem_found": False}
    days = [
        ("2023-06-01", 12, 3, 0, 1, 0.25),
        ("2023-06-02", 8, 2, 2, 2, 1.5),
        ("2023-06-03", 5, None, 1, 0, None),  # an empty count adds nothing
    ]
    for day, people, cars, fires, stopped, area in days:
        values = {**base, "inspection_date": day, "inspector_count": people}
        values |= {"fire_points": fires, "burning_stopped": stopped}
        if cars is not None:
            values["vehicle_count"] = cars
        if area is not None:
            values["area_burnt"] = area
        records.create("inspection", values)
    out = tmp_path / "秸秆.xlsx"
    exporter.export("straw_burning_patrol", parse_period("2023-06"), out)
    ws = openpyxl.load_workbook(out).active
    # title, 填报单位, two header rows, three records: the 合计 row is row 8
    row = {ws.cell(4, j).value: ws.cell(8, j).value for j in range(1, ws.max_column + 1)}
    assert ws["A8"].value == "合计"
    assert "A8:G8" in merged(ws)  # 序号 … 巡查人员, up to the first sum
    assert (row["人次"], row["车次"]) == (25, 5)
    # an ungrouped column's label is on row 3
    sums = {ws.cell(3, j).value: ws.cell(8, j).value for j in range(1, ws.max_column + 1)}
    assert sums["发现火点（处）"] == 3 and sums["制止焚烧（起）"] == 3
    assert sums["过火面积（亩）"] == pytest.approx(1.75)
    assert sums["发现问题"] is None and sums["备注"] is None
    assert ws["A9"].value.startswith("填表人：")


def test_an_empty_ledger_has_no_total_row(
    ctx: AppContext, exporter: LedgerExporter, tmp_path: Path
) -> None:
    out = tmp_path / "秸秆.xlsx"
    exporter.export("straw_burning_patrol", parse_period("2023-06"), out)
    column_a = [c.value for c in openpyxl.load_workbook(out).active["A"]]
    assert "合计" not in column_a


def test_site_attributes_fill_the_patrol_rows(
    ctx: AppContext, records: RecordService, exporter: LedgerExporter, tmp_path: Path
) -> None:
    source = records.create(
        "site",
        {
            "site_type": "饮用水水源地",
            "name": "金竹沟水源地",
            "village": "金竹村",
            "protection_level": "二级保护区",
        },
    ).id
    river = records.create(
        "site",
        {
            "site_type": "河段/河湖",
            "name": "金竹河",
            "village": "金竹村",
            "river_start": "金竹桥",
            "river_end": "石门闸",
            "river_chief": "周河长",
        },
    ).id
    base = {"inspectors": "张三", "problem_found": False}
    water = {**base, "inspection_type": "饮用水水源地巡查", "site": source}
    records.create("inspection", {**water, "inspection_date": "2023-08-03"})
    # what the patrol wrote itself wins over the site's attribute
    records.create(
        "inspection", {**water, "inspection_date": "2023-08-17", "protection_zone": "一级保护区"}
    )
    records.create(
        "inspection",
        {
            **base,
            "inspection_type": "河湖巡查（河长制）",
            "site": river,
            "inspection_date": "2023-08-05",
        },
    )
    out = tmp_path / "水源地.xlsx"
    exporter.export("water_source_patrol", parse_period("2023-08"), out)
    ws = openpyxl.load_workbook(out).active
    column = next(j for j in range(1, ws.max_column + 1) if ws.cell(3, j).value == "保护区级别")
    assert [ws.cell(r, column).value for r in (5, 6)] == ["二级保护区", "一级保护区"]
    out = tmp_path / "河湖.xlsx"
    exporter.export("river_patrol", parse_period("2023-08"), out)
    ws = openpyxl.load_workbook(out).active
    labels = {ws.cell(4, j).value or ws.cell(3, j).value: j for j in range(1, ws.max_column + 1)}
    assert [ws.cell(5, labels[k]).value for k in ("起点", "止点", "河长")] == [
        "金竹桥",
        "石门闸",
        "周河长",
    ]


def test_export_all_creates_the_folder(
    ctx: AppContext, seeded: Seeded, exporter: LedgerExporter, tmp_path: Path, run: Any
) -> None:
    folder = tmp_path / "U盘" / "2024年5月台账"
    results = exporter.export_all(MAY, folder)
    assert folder.is_dir() and len(results) == len(ctx.registry.ledgers)
    cli_folder = tmp_path / "新建" / "台账"
    code, _stdout, err = run("export-all", "--period", "2024-05", "--out", str(cli_folder))
    assert (code, err) == (0, "")
    assert len(list(cli_folder.glob("*.xlsx"))) == len(ctx.registry.ledgers)


def test_a_register_is_titled_for_the_period_asked(
    ctx: AppContext, seeded: Seeded, exporter: LedgerExporter, tmp_path: Path
) -> None:
    out = tmp_path / "排污单位.xlsx"
    exporter.export("enterprise_register", parse_period("2023"), out)
    assert openpyxl.load_workbook(out).active["A1"].value == f"{UNIT}2023年度排污单位台账"
    exporter.export("enterprise_register", None, out)
    assert (
        openpyxl.load_workbook(out).active["A1"].value == f"{UNIT}排污单位台账（截至2024年6月3日）"
    )
