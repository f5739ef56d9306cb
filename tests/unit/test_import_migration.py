"""Whole-folder migration: a township's folder of old ledgers (hand-kept workbooks, one
with a sheet per month, a legacy .xls, files the app exported, an unrelated workbook)
recognised sheet by sheet, imported in one transaction after one backup; a second run
adds nothing."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from gongkai_desktop.cli import main
from gongkai_desktop.domain.periods import parse_period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.ledgers.export import LedgerExporter
from gongkai_desktop.services.ledgers.intake.migration import import_folder, plan_folder
from gongkai_desktop.services.maintenance.backup import list_backups
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.startup import open_context

from .import_helpers import FOOTER, stored
from .ledger_export_data import seed
from .test_import_mapping import register_rows
from .test_ledger_roundtrip import in_ledger, live_records

EXPORTED = (
    "enterprise_register",
    "farm_register",
    "enterprise_safety_check",
    "farm_patrol",
    "river_patrol",
    "rectification_tasks",
    "disclosure_items",
    "review_cases",
)
WATER_HEADER = ["序号", "巡查日期", "开始时间", "结束时间", "水源地名称", "巡查人员",
                "标志标牌", "隔离防护(围网)", "排污口/污染源", "违规活动", "是否发现问题"]  # fmt: skip


def monthly_water_book(path: Path) -> Path:
    """One sheet a month, dates written without the year under a title that names it."""
    book = openpyxl.Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for month in range(1, 13):
        sheet = book.create_sheet(f"{month}月")
        sheet.append([f"龙河镇2023年饮用水水源地巡查台账（{month}月）"])
        sheet.merge_cells("A1:K1")
        sheet.append(WATER_HEADER)
        for n, day in enumerate((5, 20), 1):
            sheet.append([n, f"{month}月{day}日", "09:00", "10:30", "龙河水库", "张三、李四",
                          "完好", "完好", "未发现", "无", "否"])  # fmt: skip
        sheet.append(FOOTER)
    book.save(path)
    return path


def register_book(path: Path) -> Path:
    """The 依申请公开 register kept as one sheet a year, with free spellings."""
    book = openpyxl.Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for year, start in (("2022年", 1), ("2023年", 101)):
        sheet = book.create_sheet(year)
        entries = [
            ("信函", "不予处理（重复申请）"),
            ("当面", "予以公开"),
            ("网上", "其他处理（其他）"),
        ]
        for row in register_rows(entries, start):
            sheet.append(row)
    book.save(path)
    return path


def outreach_xls(path: Path) -> Path:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("2021年")
    sheet.write_merge(0, 0, 0, 4, "2021年宣传活动台账")
    for col, text in enumerate(["序号", "活动日期", "活动名称", "活动类型", "出动人次"]):
        sheet.write(1, col, text)
    dated = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for n, (day, name, kind) in enumerate(
        [(datetime(2021, 6, 5), "六五环境日", "六五"), ("2021年7月1日", "普法宣传", "普法宣传"),
         ("2021.8.8", "入户宣传", "入户宣传")], 1
    ):  # fmt: skip
        sheet.write(n + 1, 0, n)
        sheet.write(n + 1, 1, day, dated) if isinstance(day, datetime) else sheet.write(
            n + 1, 1, day
        )
        sheet.write(n + 1, 2, name)
        sheet.write(n + 1, 3, kind)
        sheet.write(n + 1, 4, f"{n * 5}人次")
    book.save(str(path))
    return path


def phone_list(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "通讯录"
    sheet.append(["龙河镇机关通讯录"])
    sheet.append(["序号", "姓名", "职务", "办公电话", "手机", "备注"])
    sheet.append([1, "张三", "党政办主任", "0871-1234567", "13800000000", None])
    sheet.append([2, "李四", "环保员", "0871-1234568", "13900000000", "兼信息公开"])
    book.save(path)
    return path


def counted(db: Path, ledger_id: str, ctx: AppContext, exported: bool = False) -> int:
    """Live records of a ledger (``exported``: those of 2024, as the export wrote them)."""
    ledger = ctx.registry.ledger(ledger_id)
    form = ctx.registry.form(ledger.form)
    if exported:
        return sum(1 for r in live_records(db, form.id) if in_ledger(ledger, r["values"]))
    return sum(
        1
        for r in live_records(db, form.id)
        if all(r["values"].get(k) in allowed for k, allowed in ledger.filter.items())
    )


@pytest.fixture
def old_folder(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """12 workbooks and the number of data rows of each ledger they hold."""
    folder = tmp_path / "旧台账"
    (folder / "2024年").mkdir(parents=True)
    expected: dict[str, int] = {}
    scratch = open_context(tmp_path / "scratch" / "gongkai.db", auto_backup=False)
    try:
        seed(RecordService(scratch))
        exporter = LedgerExporter(scratch)
        for ledger_id in EXPORTED:
            ledger = scratch.registry.ledger(ledger_id)
            period = parse_period("2024") if ledger.date_field else None
            exporter.export(ledger_id, period, folder / "2024年" / f"{ledger.title}.xlsx")
            expected[ledger_id] = counted(scratch.db_path, ledger_id, scratch, exported=True)
    finally:
        scratch.close()
    monthly_water_book(folder / "2023年饮用水水源地巡查台账.xlsx")
    expected["water_source_patrol"] = 24
    register_book(folder / "依申请公开登记（2022-2023）.xlsx")
    expected["disclosure_requests"] = 6
    outreach_xls(folder / "宣传活动台账2021.xls")
    expected["outreach_events"] = 3
    phone_list(folder / "通讯录.xlsx")
    (folder / "~$通讯录.xlsx").write_bytes(b"lock")  # Excel's lock file: not a workbook
    return folder, expected


def test_a_folder_of_old_ledgers_is_recognised_and_imported_in_one_step(
    ctx: AppContext, old_folder: tuple[Path, dict[str, int]]
) -> None:
    folder, expected = old_folder
    plan = plan_folder(ctx, folder)
    assert len(plan.files) == 12
    recognised = {(f.path.name, f.sheet): f.ledger_id for f in plan.findings}
    assert {v for (name, _), v in recognised.items() if name.startswith("2023年饮用水")} == {
        "water_source_patrol"
    }
    assert len([k for k in recognised if k[0].startswith("2023年饮用水")]) == 12
    [unknown] = plan.unrecognised
    assert (unknown.path.name, unknown.sheet) == ("通讯录.xlsx", "通讯录") and unknown.reason
    assert plan.refused == []
    by_ledger = {p.ledger_id: p for p in plan.previews}
    assert set(by_ledger) == set(expected)
    for ledger_id, rows in expected.items():
        report = by_ledger[ledger_id]
        assert report.error_row_count == 0, (ledger_id, [str(e) for e in report.errors][:5])
        assert report.add_count == rows, ledger_id
    water = by_ledger["water_source_patrol"]
    assert len(water.sheets) == 12 and {p.year for p in water.parts} == {2023}
    # the register's spellings are shown once over both sheets, with their counts
    asked = {(q.ledger_id, q.question.text): q.count for q in plan.questions()}
    assert asked[("disclosure_requests", "不予处理（重复申请）")] == 2
    assert "未识别的工作表 1 个" in plan.summary()

    backups = len(list_backups(ctx.db_path))
    result = import_folder(ctx, plan)
    assert result.written and result.added == sum(expected.values())
    assert len(list_backups(ctx.db_path)) == backups + 1  # one backup for the folder
    for ledger_id, rows in expected.items():
        assert counted(ctx.db_path, ledger_id, ctx) == rows, ledger_id
    days = sorted(r["inspection_date"] for r in stored(ctx.db_path, "inspection")
                  if r.get("inspection_type") == "饮用水水源地巡查")  # fmt: skip
    assert days[:2] == ["2023-01-05", "2023-01-20"] and days[-1] == "2023-12-20"
    outcomes = sorted(r["outcome"] for r in stored(ctx.db_path, "disclosure_request"))
    assert outcomes == ["（一）予以公开"] * 2 + ["（五）2.重复申请"] * 2 + ["（六）3.其他"] * 2

    # a second run over the same folder adds nothing
    again = plan_folder(ctx, folder)
    assert again.to_import == [] and again.add_count == 0
    assert not import_folder(ctx, again).written
    # nor does a copy saved again under another name (same rows, other bytes)
    copy = folder / "副本" / "巡查台账（重存）.xlsx"
    copy.parent.mkdir()
    book = openpyxl.load_workbook(folder / "2023年饮用水水源地巡查台账.xlsx")
    book["1月"]["A30"] = "备注：重新保存"
    book.save(copy)
    third = plan_folder(ctx, folder)
    [report] = third.to_import
    assert (report.add_count, report.duplicate_count) == (0, 24)


def test_one_rejected_row_anywhere_writes_nothing(
    ctx: AppContext, old_folder: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    folder, _expected = old_folder
    book = openpyxl.load_workbook(folder / "2023年饮用水水源地巡查台账.xlsx")
    book["6月"]["B3"] = "6月31日"  # no such day
    book.save(folder / "2023年饮用水水源地巡查台账.xlsx")
    plan = plan_folder(ctx, folder)
    assert plan.error_row_count == 1
    conn = sqlite3.connect(ctx.db_path)
    try:
        before = conn.execute("SELECT count(*) FROM records").fetchone()
    finally:
        conn.close()
    result = import_folder(ctx, plan)
    assert not result.written and result.rejected == 1
    conn = sqlite3.connect(ctx.db_path)
    try:
        assert conn.execute("SELECT count(*) FROM records").fetchone() == before
        assert conn.execute("SELECT count(*) FROM imported_files").fetchone() == (0,)
    finally:
        conn.close()
    [errors] = result.errors_paths
    rows = list(openpyxl.load_workbook(errors).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[2][0] == "“6月”第3行" and "日期" in str(rows[2][-1])
    shutil.rmtree(tmp_path / "旧台账")


def test_cli_migrate(
    db_path: Path, old_folder: tuple[Path, dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, expected = old_folder
    assert main(["--db", str(db_path), "migrate", str(folder), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "通讯录.xlsx“通讯录”" in out and "试运行" in out
    assert main(["--db", str(db_path), "migrate", str(folder)]) == 0
    out = capsys.readouterr().out
    assert f"导入 {sum(expected.values())} 行" in out
    assert main(["--db", str(db_path), "migrate", str(folder)]) == 0
    assert "没有需要导入的台账" in capsys.readouterr().out
