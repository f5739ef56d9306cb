"""Excel outputs of the monthly summary and the annual report.

A year of work is entered through RecordService (so the forms' rules apply); the files
are written by the real services, reopened with openpyxl and compared cell by cell
with the figures of ``report_figures`` for each month and the year. Which figure sits
in which column is found by reading the header cells back, not through the writer.
"""

from __future__ import annotations

import copy
import dataclasses
import errno
import os
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import update

from gongkai_desktop.data.models import Record
from gongkai_desktop.domain.periods import format_cn_date, parse_period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.documents.content import ReportTable, TableCell
from gongkai_desktop.services.documents.sheet_tables import (
    SheetStyle,
    SheetTable,
    scaled_widths,
    set_column_widths,
)
from gongkai_desktop.services.io.file_output import ExportError
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.reports.annual import annual_report
from gongkai_desktop.services.reports.figures import figures
from gongkai_desktop.services.reports.monthly import monthly_summary
from gongkai_desktop.services.reports.writers.report_xlsx import (
    write_annual_xlsx,
    write_monthly_xlsx,
)
from gongkai_desktop.services.settings import save_settings

from .conftest import REPO_FORMS
from .work_helpers import Run

UNIT = "龙河镇生态环境办公室"
YEAR = 2024
TODAY = date(2024, 6, 3)


def _labels(list_name: str) -> list[str]:
    items = yaml.safe_load((REPO_FORMS / "lists.yaml").read_text(encoding="utf-8"))["lists"]
    return [str(i["label"]) if isinstance(i, dict) else str(i) for i in items[list_name]]


INSPECTION_TYPES = _labels("inspection_types")
OUTREACH_TYPES = _labels("outreach_types")
TASK_SOURCES = _labels("task_sources")


def build_year(ctx: AppContext) -> None:
    """Sites, inspections, outreach events and rectification tasks across 2024, with an
    overdue open task at the end of May and a task completed late."""
    save_settings(
        ctx,
        {
            "unit_name": UNIT,
            "township": "龙河镇",
            "filler": "张敏",
            "reviewer": "李强",
            "phone": "0371-62345678",
        },
    )
    service = RecordService(ctx)
    sites = {
        "饮用水水源地": service.create(
            "site",
            {"site_type": "饮用水水源地", "name": "龙河水库", "village": "许明寺村",
             "patrol_times": 2, "patrol_period": "每月"},
        ).id,
        "排污单位": service.create(
            "site",
            {"site_type": "排污单位", "name": "宏达纸业有限公司", "village": "东村",
             "patrol_times": 1, "patrol_period": "每月"},
        ).id,
        "畜禽养殖场": service.create(
            "site",
            {"site_type": "畜禽养殖场", "name": "兴旺养猪场", "village": "西村",
             "patrol_times": 1, "patrol_period": "每季度"},
        ).id,
    }  # fmt: skip
    with ctx.transaction() as session:
        session.execute(
            update(Record)
            .where(Record.id.in_(list(sites.values())))
            .values(created_at=datetime(2023, 1, 1, 9))
        )
    site_of = {
        "饮用水水源地巡查": sites["饮用水水源地"],
        "排污单位环境安全检查": sites["排污单位"],
        "畜禽养殖场巡查": sites["畜禽养殖场"],
    }
    n = 0
    for month in range(1, 13):
        if month == 8:
            continue  # a month with no inspections at all
        for k in range(month % 4 + 1):
            kind = INSPECTION_TYPES[(month + k) % len(INSPECTION_TYPES)]
            values: dict[str, Any] = {
                "inspection_date": date(YEAR, month, 3 + 5 * k).isoformat(),
                "inspection_type": kind,
                "inspectors": "张三、李四",
                "inspector_count": 2 + k,
                "vehicle_count": 1,
                "problem_found": k == 1,
            }
            if k == 1:
                values["problem_description"] = "发现问题"
            if kind in site_of:
                values["site"] = site_of[kind]
            if kind == "秸秆禁烧巡查":
                values["burning_stopped"] = month
            service.create("inspection", values)
            n += 1
    for month, kind, audience in ((3, 1, 80), (5, 2, 120), (6, 0, 600), (6, 3, 45), (11, 4, 30)):
        service.create(
            "outreach_event",
            {
                "event_date": date(YEAR, month, 5).isoformat(),
                "name": f"{OUTREACH_TYPES[kind]}活动{month}月",
                "event_type": OUTREACH_TYPES[kind],
                "staff_count": 5,
                "audience_count": audience,
                "materials": audience * 2,
                "brochures": audience // 2,
                "consultations": audience // 10,
            },
        )
    tasks = [
        # (assigned, deadline, completed)
        (date(2023, 12, 10), date(2024, 1, 20), date(2024, 2, 5)),  # completed late
        (date(2024, 2, 1), date(2024, 3, 1), date(2024, 2, 20)),
        (date(2024, 4, 2), date(2024, 5, 10), None),  # overdue at the end of May
        (date(2024, 5, 8), date(2024, 7, 30), date(2024, 7, 1)),
        (date(2024, 5, 20), date(2024, 6, 20), None),
        (date(2024, 9, 9), date(2024, 10, 9), date(2024, 10, 30)),  # completed late
        (date(2024, 11, 2), date(2025, 1, 31), None),
    ]
    for i, (assigned, deadline, completed) in enumerate(tasks):
        view = service.create(
            "rectification_task",
            {
                "task_no": f"LH-2024-{i + 1:03d}",
                "source": TASK_SOURCES[i % len(TASK_SOURCES)],
                "assigned_date": assigned.isoformat(),
                "description": f"龙河沿岸第{i + 1}处生活垃圾堆放，需清理并设置警示标志，防止再次倾倒",
                "site": sites["排污单位"] if i % 2 else None,
                "deadline": deadline.isoformat(),
                "status": "正在办理",
            },
        )
        if completed is not None:
            service.update(view.id, {"status": "已办结", "completed_date": completed.isoformat()})


# ---- reading the files back ---------------------------------------------------------------
def merged_value(ws: Any, row: int, col: int) -> Any:
    """The value shown at (row, col): that of the merged range's first cell."""
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
            return ws.cell(rng.min_row, rng.min_col).value
    return ws.cell(row, col).value


def find_row(ws: Any, text: str, column: int = 1) -> int:
    for row in range(1, ws.max_row + 1):
        if ws.cell(row, column).value == text:
            return row
    raise AssertionError(f"{text!r} not found")


def annual_header(ws: Any) -> tuple[int, dict[tuple[str, ...], int]]:
    """(first data row, header path → column), read from the cells: the header is
    every row between the 月份 cell and the 1月 row."""
    top = find_row(ws, "月份")
    first = find_row(ws, "1月")
    paths: dict[tuple[str, ...], int] = {}
    for col in range(2, ws.max_column + 1):
        parts: list[str] = []
        for row in range(top, first):
            value = merged_value(ws, row, col)
            if value and (not parts or parts[-1] != value):
                parts.append(str(value))
        paths[tuple(parts)] = col
    return first, paths


def expected_columns(fig: dict[str, Any]) -> dict[tuple[str, ...], int]:
    """Header path → value, written out here from the figures JSON."""
    out, ins, rect = fig["outreach"], fig["inspections"], fig["rectification"]
    want: dict[tuple[str, ...], int] = {
        ("宣传活动", "活动场次"): out["events"],
        ("宣传活动", "出动人次"): out["staff"],
        ("宣传活动", "受众人次"): out["audience"],
        ("宣传活动", "资料份数"): out["materials"],
        ("宣传活动", "宣传册数"): out["brochures"],
        ("宣传活动", "咨询人次"): out["consultations"],
        ("巡查检查", "检查次数"): ins["total"],
        ("巡查检查", "出动人次"): ins["inspectors"],
        ("巡查检查", "出动车次"): ins["vehicles"],
        ("巡查检查", "发现问题"): ins["problems_found"],
        ("巡查检查", "制止焚烧"): ins["burning_stopped"],
        ("整改任务（项）", "期初未办结"): rect["open_at_start"],
        ("整改任务（项）", "新增"): rect["new"],
        ("整改任务（项）", "办结"): rect["completed"],
        ("整改任务（项）", "其中逾期办结"): rect["completed_late"],
        ("整改任务（项）", "期末在办"): rect["in_progress"],
        ("整改任务（项）", "其中已逾期"): rect["overdue"],
    }
    for label, count in ins["by_type"].items():
        want[("巡查检查", "按类型（次）", label)] = count
    for label, c in fig["patrol_coverage"].items():
        if label == "by_site":  # the per-site rows are the coverage sheet's
            continue
        want[("监管对象巡查（次）", label, "应巡查")] = c["required"]
        want[("监管对象巡查（次）", label, "已巡查")] = c["done"]
    return want


FLOWS = [
    ("宣传活动", "活动场次"),
    ("宣传活动", "受众人次"),
    ("宣传活动", "宣传册数"),
    ("巡查检查", "检查次数"),
    ("巡查检查", "出动人次"),
    ("巡查检查", "发现问题"),
    ("巡查检查", "制止焚烧"),
    ("整改任务（项）", "新增"),
    ("整改任务（项）", "办结"),
    ("整改任务（项）", "其中逾期办结"),
]


# ---- annual ---------------------------------------------------------------------------------
@pytest.fixture
def annual_file(ctx: AppContext, tmp_path: Path) -> Path:
    build_year(ctx)
    path = tmp_path / "年度统计.xlsx"
    write_annual_xlsx(annual_report(ctx, YEAR, today=TODAY), path)
    return path


def test_annual_rows_equal_the_figures_of_each_month_and_the_year(
    ctx: AppContext, annual_file: Path
) -> None:
    wb = load_workbook(annual_file)
    # the coverage appendix (巡查完成情况) is checked in test_site_progress
    assert wb.sheetnames[:2] == ["各月统计", "图表"]
    ws = wb["各月统计"]
    first, paths = annual_header(ws)
    year_fig = figures(ctx, parse_period(str(YEAR)))
    assert set(paths) == set(expected_columns(year_fig))
    labels = [f"{m}月" for m in range(1, 13)] + ["全年"]
    assert [ws.cell(first + i, 1).value for i in range(13)] == labels
    for i, label in enumerate(labels):
        period = str(YEAR) if label == "全年" else f"{YEAR}-{i + 1:02d}"
        want = expected_columns(figures(ctx, parse_period(period)))
        for path, value in want.items():
            cell = ws.cell(first + i, paths[path])
            assert cell.value == value, (label, path)
            assert isinstance(cell.value, int)  # a real number, not text
            assert cell.font.b is (label == "全年")
    # the year's flows are the sums of its months
    for path in FLOWS:
        col = paths[path]
        months = sum(ws.cell(first + i, col).value for i in range(12))
        assert months == ws.cell(first + 12, col).value, path
    # the data is not all zeros: the comparisons above mean something
    year_row = {p: ws.cell(first + 12, c).value for p, c in paths.items()}
    assert all(year_row[p] for p in FLOWS), year_row
    assert ws.cell(first + 7, paths[("巡查检查", "检查次数")]).value == 0  # August
    assert year_row[("整改任务（项）", "其中逾期办结")] == 2


def test_annual_sheet_layout_and_print_setup(annual_file: Path) -> None:
    ws = load_workbook(annual_file)["各月统计"]
    first, paths = annual_header(ws)
    last_col = max(paths.values())
    assert f"A1:{get_column_letter(last_col)}1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].value == f"{UNIT}{YEAR}年各月生态环境保护工作情况统计表"
    assert ws["A1"].font.b
    assert ws.freeze_panes == f"B{first}"
    assert ws.print_title_rows == f"$3:${first - 1}"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    # a bordered header
    header = ws.cell(first - 1, paths[("巡查检查", "按类型（次）", INSPECTION_TYPES[0])])
    assert header.border.left.style == "thin" and header.font.b
    # group cells span their members
    group_spans = {
        str(ws.cell(r.min_row, r.min_col).value): r.max_col - r.min_col + 1
        for r in ws.merged_cells.ranges
        if r.min_row == 3 and r.max_row == 3
    }
    assert group_spans["宣传活动"] == 6
    assert group_spans["巡查检查"] == 5 + len(INSPECTION_TYPES)
    assert group_spans["整改任务（项）"] == 6
    assert ws.cell(first + 13, 1).value.startswith("注：")


def test_annual_charts_refer_to_the_monthly_rows(annual_file: Path) -> None:
    wb = load_workbook(annual_file)
    ws = wb["各月统计"]
    first, paths = annual_header(ws)
    charts = wb["图表"]._charts
    assert len(charts) == 2

    def ref(path: tuple[str, ...]) -> str:
        letter = get_column_letter(paths[path])
        return f"'各月统计'!${letter}${first}:${letter}${first + 11}"

    def title(chart: Any) -> str:
        return "".join(r.t for p in chart.title.tx.rich.p for r in (p.r or []))

    work, tasks = charts
    assert title(work) == f"{YEAR}年各月巡查检查次数和宣传活动场次"
    assert [s.val.numRef.f for s in work.series] == [
        ref(("巡查检查", "检查次数")),
        ref(("宣传活动", "活动场次")),
    ]
    assert [s.tx.v for s in work.series] == ["巡查检查（次）", "宣传活动（场）"]
    months = f"'各月统计'!$A${first}:$A${first + 11}"
    for chart in charts:
        for series in chart.series:
            assert series.cat.numRef.f == months or series.cat.strRef.f == months
    assert title(tasks) == f"{YEAR}年各月整改任务新增与办结情况"
    assert [s.val.numRef.f for s in tasks.series] == [
        ref(("整改任务（项）", "新增")),
        ref(("整改任务（项）", "办结")),
        ref(("整改任务（项）", "期末在办")),
    ]
    chart_sheet = wb["图表"]
    assert chart_sheet.page_setup.orientation == "landscape"
    assert chart_sheet.oddFooter.center.text == "第 &P 页 共 &N 页"


def test_annual_columns_widen_for_long_numbers(ctx: AppContext, tmp_path: Path) -> None:
    report = annual_report(ctx, YEAR, today=TODAY)
    year = copy.deepcopy(report.figures)
    year["outreach"]["materials"] = 12345678
    path = tmp_path / "宽.xlsx"
    write_annual_xlsx(dataclasses.replace(report, figures=year), path)
    ws = load_workbook(path)["各月统计"]
    first, paths = annual_header(ws)
    col = paths[("宣传活动", "资料份数")]
    assert ws.cell(first + 12, col).value == 12345678
    letter = get_column_letter(col)
    # eight digits and the cell's padding
    assert ws.column_dimensions[letter].width >= 8 * 1.15 + 1.2
    other = get_column_letter(paths[("宣传活动", "活动场次")])
    assert ws.column_dimensions[other].width < ws.column_dimensions[letter].width


def test_annual_empty_year_is_all_zeros(ctx: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "空.xlsx"
    write_annual_xlsx(annual_report(ctx, 2030, today=TODAY), path)
    ws = load_workbook(path)["各月统计"]
    first, paths = annual_header(ws)
    values = [ws.cell(first + i, c).value for i in range(13) for c in paths.values()]
    assert values and set(values) == {0}


# ---- monthly --------------------------------------------------------------------------------
def table_rows(ws: Any, caption: str) -> tuple[int, list[list[Any]]]:
    """(header row, [header values, body row values…]) of the table under ``caption``,
    each row as the values of its merged cells, left to right."""
    start = find_row(ws, caption)
    rows: list[list[Any]] = []
    row = start + 1
    while ws.cell(row, 1).border.left.style == "thin":
        values = []
        for col in range(1, ws.max_column + 1):
            cell = ws.cell(row, col)
            if cell.coordinate in ws.merged_cells and type(cell).__name__ == "MergedCell":
                continue
            values.append(cell.value)
        rows.append(values)
        row += 1
    return start + 1, rows


@pytest.fixture
def may(ctx: AppContext) -> Any:
    build_year(ctx)
    return monthly_summary(ctx, parse_period("2024-05"), today=TODAY)


def test_monthly_tables_equal_the_figures(ctx: AppContext, may: Any, tmp_path: Path) -> None:
    path = tmp_path / "月度小结.xlsx"
    write_monthly_xlsx(may, path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["月度小结"]
    ws = wb["月度小结"]
    fig = figures(ctx, parse_period("2024-05"))
    out, ins, cov, rect = (
        fig["outreach"],
        fig["inspections"],
        fig["patrol_coverage"],
        fig["rectification"],
    )
    # title merged across the page
    assert ws["A1"].value == f"{UNIT}2024年5月生态环境保护工作小结"
    assert f"A1:{get_column_letter(ws.max_column)}1" in {str(r) for r in ws.merged_cells.ranges}
    assert "统计期间：2024年5月1日至2024年5月31日" in [
        ws.cell(2, c).value for c in range(1, ws.max_column + 1)
    ]
    texts = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    assert "\u3000\u3000" + may.paragraphs[0] in texts

    _, rows = table_rows(ws, "一、宣传活动")
    assert rows[1] == [
        out["events"],
        out["staff"],
        out["audience"],
        out["materials"],
        out["brochures"],
        out["consultations"],
    ]
    _, rows = table_rows(ws, "二、巡查检查")
    assert rows[1:] == [[k, v] for k, v in ins["by_type"].items() if v] + [["合计", ins["total"]]]
    total_row = find_row(ws, "合计")
    assert ws.cell(total_row, 1).font.b and not ws.cell(total_row - 1, 1).font.b
    _, rows = table_rows(ws, "三、监管对象巡查完成情况")
    assert [r[:4] for r in rows[1:]] == [
        [label, c["sites"], c["required"], c["done"]]
        for label, c in cov.items()
        if label != "by_site" and (c["sites"] or c["done"])  # nothing to report: no row
    ]
    _, rows = table_rows(ws, "四、整改任务")
    assert rows[1] == [
        rect["open_at_start"],
        rect["new"],
        rect["completed"],
        rect["completed_late"],
        rect["in_progress"],
        rect["overdue"],
    ]
    assert rect["in_progress"] == 3 and rect["overdue"] == 1
    header, rows = table_rows(ws, "五、截至2024年5月31日未办结的整改任务")
    assert rows[0] == ["序号", "编号", "问题", "监管对象", "整改时限", "状态"]
    assert [r[1] for r in rows[1:]] == ["LH-2024-003", "LH-2024-005", "LH-2024-004"]
    assert rows[1][5] == "逾期21天" and rows[1][4] == format_cn_date(date(2024, 5, 10))
    # the overdue row is red, the others are not
    for offset, red in ((1, True), (2, False), (3, False)):
        cells = [c for c in ws[header + offset] if type(c).__name__ != "MergedCell"]
        assert len(cells) == 6
        for cell in cells:
            color = cell.font.color
            assert (color is not None and color.type == "rgb" and color.rgb == "FFC00000") is red
    # integers are numbers
    assert isinstance(ws.cell(header + 1, 1).value, int)
    # signature and date
    assert may.signature.line() in texts
    assert any(str(v).endswith("制表日期：2024年6月3日") for row in ws.values for v in row if v)


def test_monthly_print_setup(may: Any, tmp_path: Path) -> None:
    path = tmp_path / "月度小结.xlsx"
    write_monthly_xlsx(may, path)
    ws = load_workbook(path)["月度小结"]
    assert ws.page_setup.orientation == "portrait"
    assert ws.page_setup.paperSize == 9  # A4
    # laid out to the page width and printed at 100 %: Excel ignores manual page
    # breaks under "fit to"
    assert ws.page_setup.scale == 100
    assert not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert ws.page_margins.left >= 0.5
    # every row has a height set, and the paragraph's fits its text
    for row in range(1, ws.max_row + 1):
        assert ws.row_dimensions[row].height, row
    para = find_row(ws, "\u3000\u3000" + may.paragraphs[0])
    assert ws.row_dimensions[para].height >= 3 * 14


def test_monthly_empty_month(ctx: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "空月.xlsx"
    write_monthly_xlsx(monthly_summary(ctx, parse_period("2031-02"), today=TODAY), path)
    ws = load_workbook(path)["月度小结"]
    _, rows = table_rows(ws, "一、宣传活动")
    assert rows[1] == [0] * 6
    _, rows = table_rows(ws, "二、巡查检查")
    assert rows[1:] == [["合计", 0]]  # no patrol: no row per kind
    _, rows = table_rows(ws, "四、整改任务")
    assert rows[1] == [0] * 6
    header, rows = table_rows(ws, "五、截至2031年2月28日未办结的整改任务")
    assert rows[1] == ["无"]  # one full-width row
    merged = {str(r) for r in ws.merged_cells.ranges}
    last = get_column_letter(ws.max_column)
    assert f"A{header + 1}:{last}{header + 1}" in merged


def test_monthly_with_many_open_tasks_fits_two_pages(ctx: AppContext, tmp_path: Path) -> None:
    build_year(ctx)
    service = RecordService(ctx)
    for i in range(30):
        service.create(
            "rectification_task",
            {
                "task_no": f"LH-2024-1{i:02d}",
                "source": TASK_SOURCES[i % len(TASK_SOURCES)],
                "assigned_date": (date(2024, 3, 1) + timedelta(days=i)).isoformat(),
                "description": "河道两岸堆放建筑垃圾和生活垃圾，" * (1 + i % 3),
                "deadline": (date(2024, 4, 1) + timedelta(days=2 * i)).isoformat(),
                "status": "正在办理",
            },
        )
    summary = monthly_summary(ctx, parse_period("2024-05"), today=TODAY)
    path = tmp_path / "多.xlsx"
    write_monthly_xlsx(summary, path)
    ws = load_workbook(path)["月度小结"]
    header, rows = table_rows(ws, "五、截至2024年5月31日未办结的整改任务")
    assert len(rows) == 1 + 20  # the content lists 20 and notes the rest
    assert ws.cell(header + 21, 1).value == summary.tables[-1].note
    # too long for two pages at full size: shrunk onto two, no manual breaks
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 2
    assert not ws.row_breaks.brk


def test_monthly_page_break_only_before_a_caption(may: Any, tmp_path: Path) -> None:
    path = tmp_path / "月度小结.xlsx"
    write_monthly_xlsx(may, path)
    ws = load_workbook(path)["月度小结"]
    breaks = [b.id for b in ws.row_breaks.brk]
    assert len(breaks) == 1, "the open-task table does not fit under the others"
    # the break starts a table (its caption), never splits a caption from its header
    assert ws.cell(breaks[0] + 1, 1).value in {t.caption for t in may.tables[1:]}
    assert not ws.sheet_properties.pageSetUpPr.fitToPage


# ---- atomic writing and the CLI -------------------------------------------------------------
@pytest.mark.parametrize("kind", ["monthly", "annual"])
def test_a_failed_write_leaves_the_old_file(
    ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    path = tmp_path / "报告.xlsx"
    path.write_bytes(b"old contents")

    def broken_save(self: Workbook, target: Any) -> None:
        target.write(b"PK half a file")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Workbook, "save", broken_save)
    with pytest.raises(ExportError, match="磁盘空间不足"):
        if kind == "monthly":
            write_monthly_xlsx(monthly_summary(ctx, parse_period("2024-05")), path)
        else:
            write_annual_xlsx(annual_report(ctx, YEAR), path)
    assert path.read_bytes() == b"old contents"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["报告.xlsx"]


def test_cli_writes_both_reports(ctx: AppContext, run: Run, tmp_path: Path) -> None:
    build_year(ctx)
    monthly = tmp_path / "x.xlsx"
    code, out, err = run("report", "monthly", "--period", "2024-05", "--out", str(monthly))
    assert (code, err) == (0, ""), err
    assert str(monthly) in out
    ws = load_workbook(monthly)["月度小结"]
    assert ws["A1"].value == f"{UNIT}2024年5月生态环境保护工作小结"

    annual = tmp_path / "y.xlsx"
    code, out, err = run("report", "annual", "--year", "2024", "--out", str(annual))
    assert (code, err) == (0, ""), err
    ws = load_workbook(annual)["各月统计"]
    first, paths = annual_header(ws)
    want = expected_columns(figures(ctx, parse_period("2024")))
    assert {p: ws.cell(first + 12, c).value for p, c in paths.items()} == want


def test_every_month_of_the_year_gets_its_own_row_once(annual_file: Path) -> None:
    ws = load_workbook(annual_file)["各月统计"]
    first, _paths = annual_header(ws)
    labels = [ws.cell(r, 1).value for r in range(first, first + 13)]
    assert labels == [f"{m}月" for m in range(1, 13)] + ["全年"]
    assert all(ws.cell(r, 1).font.b is (r == first + 12) for r in range(first, first + 13))


# ---- the table writer every report sheet shares ---------------------------------------------
def _spanned_table() -> ReportTable:
    """Two header levels, a row label over two rows, a money cell across two columns."""
    return ReportTable(
        caption="",
        headers=(),
        header_rows=(
            (TableCell("项目", rows=2, cols=2), TableCell("数量", cols=2)),
            ("本年", "上年"),
        ),
        rows=(
            (TableCell("一、合计", rows=2, align="center"), "=甲", 0, 3),
            ("乙", TableCell(1.5, cols=2, number_format="0.00")),
        ),
        widths=(1, 2, 1, 1),
    )


def test_report_table_places_spans_as_html_does() -> None:
    table = _spanned_table()
    assert table.column_count == 4 and not table.simple
    spots = {(p.row, p.col): (p.last_row, p.last_col, p.header, p.bold) for p in table.placed()}
    assert spots[(0, 0)] == (1, 1, True, True)  # 项目 over two rows and columns
    assert spots[(1, 2)] == (1, 2, True, True)  # 本年 placed after the covered cells
    assert spots[(2, 0)] == (3, 0, False, False)
    assert spots[(3, 1)] == (3, 1, False, False)  # 乙 next to the label spanned from above
    assert spots[(3, 2)] == (3, 3, False, False)
    with pytest.raises(ValueError, match="does not fill"):
        ReportTable(caption="t", headers=("a", "b"), rows=((1,),))
    with pytest.raises(ValueError, match="does not fit"):
        ReportTable(caption="t", headers=("a", "b"), rows=((1, TableCell(2, cols=2)),))
    with pytest.raises(ValueError, match="widths"):
        ReportTable(caption="t", headers=("a", "b"), rows=((1, 2),), widths=(1, 2, 3))


def test_sheet_table_merges_borders_and_formats() -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    table = _spanned_table()
    widths = scaled_widths(table, 50.0)
    set_column_widths(ws, widths)
    assert SheetTable(table, widths, SheetStyle(size=10.5)).write(ws, 3) == 7
    assert {str(r) for r in ws.merged_cells.ranges} == {"A3:B4", "C3:D3", "A5:A6", "C6:D6"}
    assert ws["A3"].value == "项目" and ws["A3"].font.b and ws["C4"].value == "本年"
    assert ws["B6"].value == "乙" and not ws["B6"].font.b
    assert ws["C6"].value == 1.5 and ws["C6"].number_format == "0.00"
    assert ws["C5"].value == 0 and ws["C5"].number_format == "0"  # zero written
    assert ws["B5"].data_type == "s" and ws["B5"].quotePrefix  # never a formula
    assert all(ws[ref].border.left.style == "thin" for ref in ("A4", "B4", "A6", "D6"))
    assert ws.sheet_view.showZeros
    assert [ws.column_dimensions[c].width for c in "ABCD"] == [10.0, 20.0, 10.0, 10.0]
    assert all(ws.row_dimensions[r].height >= 20 for r in range(3, 7))
