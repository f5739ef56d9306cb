"""A township's 2023, entered today: sites with supervision periods, patrols with one
missed month, rectification tasks from 交办 and 自查 done on time, late, open and
overdue. Patrol coverage by site and month, the progress report (per site, the
sentence, the .docx and .xlsx read back) and the rectification ledger's 监管对象 and
是否逾期 columns are checked against values worked out by hand below."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from gongkai_desktop.domain.periods import parse_period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.ledgers.export import LedgerExporter
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.records.sql import task_overdue
from gongkai_desktop.services.reports.dashboard import DashboardService
from gongkai_desktop.services.reports.figures import figures
from gongkai_desktop.services.reports.progress import progress_report
from gongkai_desktop.services.reports.writers.progress_docx import write_progress_docx
from gongkai_desktop.services.reports.writers.progress_xlsx import write_progress_xlsx

from .township_helpers import (
    BAISHA,
    FARM,
    HONGXING,
    JINZHU,
    LONGTAN,
    WATER,
    Township,
    build_township,
)
from .work_helpers import Run


@pytest.fixture
def town(ctx: AppContext) -> Township:
    return build_township(ctx)


def _rows(
    site_id: str,
    name: str,
    kind: str,
    months: dict[str, tuple[int, int]],
    quarterly: bool = False,
) -> list[dict]:
    return [
        {"site_id": site_id, "site": name, "site_type": kind, "month": m,
         "required": r, "done": d, "missing": r - d, "quarterly": quarterly}
        for m, (r, d) in months.items()
    ]  # fmt: skip


def test_coverage_follows_the_supervision_period_not_the_entry_date(
    ctx: AppContext, town: Township
) -> None:
    fig = figures(ctx, parse_period("2023"))
    cov = fig["patrol_coverage"]
    # 金竹沟 24 owed, 23 done; 龙潭 March–December 20 owed, 18 done (February's patrol
    # was before supervision); 红星 Q1 and Q2 owed, Q1 done
    assert cov[WATER] == {"sites": 2, "required": 44, "done": 41}
    assert cov[FARM] == {"sites": 1, "required": 2, "done": 1}
    jinzhu = {f"2023-{m:02d}": (2, 1 if m == 8 else 2) for m in range(1, 13)}
    longtan = {f"2023-{m:02d}": (2, 0 if m == 11 else 2) for m in range(3, 13)}
    expected = (
        _rows(town.sites[HONGXING], HONGXING, FARM, {"2023-01": (1, 1), "2023-04": (1, 0)}, True)
        + _rows(town.sites[JINZHU], JINZHU, WATER, jinzhu)
        + _rows(town.sites[LONGTAN], LONGTAN, WATER, longtan)
    )
    assert cov["by_site"] == expected


def test_coverage_of_one_month(ctx: AppContext, town: Township) -> None:
    by_site = figures(ctx, parse_period("2023-08"))["patrol_coverage"]["by_site"]
    assert [(r["site"], r["month"], r["required"], r["done"], r["missing"]) for r in by_site] == [
        (JINZHU, "2023-08", 2, 1, 1),
        (LONGTAN, "2023-08", 2, 2, 0),
    ]
    # before 龙潭's supervision began, only 金竹沟 owes
    by_site = figures(ctx, parse_period("2023-02"))["patrol_coverage"]["by_site"]
    assert [(r["site"], r["required"], r["done"]) for r in by_site] == [
        (HONGXING, 1, 1),
        (JINZHU, 2, 2),
    ]


def test_cli_figures_json_has_by_site(run: Run, db_path: Path, ctx: AppContext) -> None:
    build_township(ctx)
    code, out, err = run("report", "figures", "--period", "2023-11", "--json")
    assert (code, err) == (0, "")
    rows = json.loads(out)["patrol_coverage"]["by_site"]
    assert [(r["site"], r["required"], r["done"], r["missing"]) for r in rows] == [
        (JINZHU, 2, 2, 0),
        (LONGTAN, 2, 0, 2),
    ]


def test_task_site_taken_from_the_linked_inspection(ctx: AppContext, town: Township) -> None:
    task = RecordService(ctx).get(town.tasks["T6"])
    assert task.values["site"] == town.sites[LONGTAN]
    assert RecordService(ctx).get(town.tasks["T7"]).values.get("site") in (None, "")


def test_overdue_rule() -> None:
    d = date
    assert task_overdue(d(2023, 6, 30), d(2023, 7, 15), d(2023, 12, 31))  # done late
    assert not task_overdue(d(2023, 6, 30), d(2023, 6, 30), d(2023, 12, 31))  # on the day
    assert task_overdue(d(2023, 8, 31), None, d(2023, 12, 31))  # open, past
    assert not task_overdue(d(2024, 3, 31), None, d(2023, 12, 31))  # open, in time
    # done after the day looked at: still open then, and past its deadline
    assert task_overdue(d(2023, 11, 30), d(2024, 1, 15), d(2023, 12, 31))
    assert not task_overdue(None, None, d(2023, 12, 31))


SENTENCE_ALL = (
    "共排查问题7个（交办4个、自查3个），已完成整改4个（其中逾期完成1个），"
    "正在整改3个（其中已超过整改时限2个）。"
)
SENTENCE_WATER = (
    "共排查问题6个（交办3个、自查3个），已完成整改3个（其中逾期完成1个），"
    "正在整改3个（其中已超过整改时限2个）。"
)


def _counts(s: Any) -> tuple[int, ...]:
    return (s.assigned, s.handed_down, s.self_found, s.done_on_time, s.done_late,
            s.in_progress, s.overdue_open)  # fmt: skip


def test_progress_per_site(ctx: AppContext, town: Township) -> None:
    report = progress_report(ctx, parse_period("2023"), today=date(2026, 12, 7))
    got = {s.site: (s.leader, _counts(s)) for s in report.sites}
    assert got == {
        JINZHU: ("王镇长", (3, 2, 1, 1, 1, 1, 0)),
        LONGTAN: ("李书记", (3, 1, 2, 1, 0, 2, 2)),
        "未关联监管对象": ("", (1, 1, 0, 1, 0, 0, 0)),
    }
    assert [s.site for s in report.sites] == [JINZHU, LONGTAN, "未关联监管对象"]
    assert _counts(report.total) == (7, 4, 3, 3, 1, 3, 2)
    assert report.sentence == SENTENCE_ALL
    longtan = report.sites[1]
    assert [(t.task_no, t.deadline, t.overdue) for t in longtan.open_tasks] == [
        ("ZG2023-004", date(2023, 8, 31), True),
        ("ZG2023-006", date(2023, 11, 30), True),
    ]
    jinzhu = report.sites[0]
    assert [(t.task_no, t.deadline, t.overdue) for t in jinzhu.open_tasks] == [
        ("ZG2023-003", date(2024, 3, 31), False)
    ]
    assert report.made_on == date(2023, 12, 29)  # 31 December 2023 is a Sunday


def test_progress_of_water_sources_lists_every_source(ctx: AppContext, town: Township) -> None:
    report = progress_report(ctx, parse_period("2023"), WATER, today=date(2026, 12, 7))
    assert [(s.site, s.leader, s.assigned) for s in report.sites] == [
        (JINZHU, "王镇长", 3),
        (LONGTAN, "李书记", 3),
        (BAISHA, "赵委员", 0),
    ]
    assert report.sentence == SENTENCE_WATER
    assert report.title == "龙河镇人民政府关于2023年度饮用水水源地生态环境问题整改进展情况的报告"


def test_sentence_leaves_out_zeros(ctx: AppContext, town: Township) -> None:
    # March: only T7, from 群众来信来访, done on time
    report = progress_report(ctx, parse_period("2023-03"), today=date(2026, 12, 7))
    assert report.sentence == "共排查问题1个，均为交办问题，已完成整改1个，已全部完成整改。"
    empty = progress_report(ctx, parse_period("2021"), today=date(2026, 12, 7))
    assert empty.sentence == "期间未排查出问题。"
    assert "0个" not in report.sentence


def _docx_text(path: Path) -> tuple[list[str], list[list[str]]]:
    doc = Document(str(path))
    paragraphs = [p.text for p in doc.paragraphs if p.text.strip()]
    table = doc.tables[0]
    return paragraphs, [[c.text for c in row.cells] for row in table.rows]


def test_progress_docx_and_xlsx_read_back(ctx: AppContext, town: Township, tmp_path: Path) -> None:
    report = progress_report(
        ctx, parse_period("2023"), WATER, today=date(2026, 12, 7), made_on=date(2024, 1, 5)
    )
    out = tmp_path / "进展.docx"
    write_progress_docx(report, out)
    paragraphs, rows = _docx_text(out)
    title = "龙河镇人民政府关于2023年度饮用水水源地生态环境问题整改进展情况的报告"
    assert paragraphs[0].replace("\n", "") == title
    assert any(p == "县生态环境局：" for p in paragraphs)
    assert any(SENTENCE_WATER in p for p in paragraphs)
    # body, 附件说明, signature and date; then the 附件 page with the table
    at = paragraphs.index("2024年1月5日")
    assert paragraphs[at - 2 : at + 3] == [
        "附件：2023年度饮用水水源地问题整改进展情况表",
        "龙河镇人民政府",
        "2024年1月5日",
        "附件",
        "2023年度饮用水水源地问题整改进展情况表",
    ]
    assert Document(str(out)).sections[-1].orientation == 1  # landscape
    assert rows[0][:3] == ["序号", "监管对象", "联系领导"]
    assert rows[1][3:10] == ["交办", "自查", "合计", "按期", "逾期", "小计", "其中逾期"]
    assert rows[2][:10] == ["1", JINZHU, "王镇长", "2", "1", "3", "1", "1", "1", "0"]
    assert rows[3][:10] == ["2", LONGTAN, "李书记", "1", "2", "3", "1", "0", "2", "2"]
    assert "ZG2023-004" in rows[3][10] and "2023年8月31日前，已逾期" in rows[3][10]
    assert rows[4][:10] == ["3", BAISHA, "赵委员", "0", "0", "0", "0", "0", "0", "0"]
    assert rows[5][0] == "合计" and rows[5][3:10] == ["3", "3", "6", "2", "1", "3", "2"]

    xlsx = tmp_path / "进展.xlsx"
    write_progress_xlsx(report, xlsx)
    ws = load_workbook(xlsx).active
    assert ws is not None
    values = list(ws.iter_rows(values_only=True))
    assert values[0][0] == title
    assert values[1][0] == SENTENCE_WATER
    body = [r for r in values if r[1] in (JINZHU, LONGTAN, BAISHA)]
    assert [r[:10] for r in body] == [
        (1, JINZHU, "王镇长", 2, 1, 3, 1, 1, 1, 0),
        (2, LONGTAN, "李书记", 1, 2, 3, 1, 0, 2, 2),
        (3, BAISHA, "赵委员", 0, 0, 0, 0, 0, 0, 0),
    ]
    total = next(r for r in values if r[0] == "合计")
    assert total[3:10] == (3, 3, 6, 2, 1, 3, 2)
    assert values[-1][0] == "填报单位（盖章）：龙河镇人民政府"
    assert ws.page_setup.orientation == "landscape"


def test_cli_progress(run: Run, ctx: AppContext, tmp_path: Path) -> None:
    build_township(ctx)
    code, out, err = run("report", "progress", "--period", "2023", "--json")
    assert (code, err) == (0, "")
    got = json.loads(out)
    assert got["sentence"] == SENTENCE_ALL
    assert [s["site"] for s in got["sites"]] == [JINZHU, LONGTAN, "未关联监管对象"]
    assert got["total"]["assigned"] == 7 and got["total"]["overdue"] == 3
    target = tmp_path / "p.docx"
    code, out, err = run(
        "report", "progress", "--from", "2023-01-01", "--to", "2023-12-31",
        "--site-type", WATER, "--out", str(target),
    )  # fmt: skip
    assert (code, err) == (0, "") and target.exists()
    code, _out, err = run("report", "progress", "--period", "2023", "--site-type", "水库", "--json")
    assert code == 2 and "水库" in err
    code, _out, err = run("report", "progress", "--period", "2023")
    assert code == 2 and "--out" in err


def test_ledger_site_and_overdue_columns(ctx: AppContext, town: Township, tmp_path: Path) -> None:
    exporter = LedgerExporter(ctx, today=date(2026, 12, 7))
    result = exporter.export("rectification_tasks", parse_period("2023"), tmp_path / "整改.xlsx")
    ws = load_workbook(result.path).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "序号")
    flat = [str(h or "") for h in header]
    if "监管对象" not in flat:  # two header levels: the leaf labels are on the next row
        below = rows[rows.index(header) + 1]
        flat = [str(b or h or "") for h, b in zip(header, below, strict=True)]
    site_col, overdue_col, no_col = flat.index("监管对象"), flat.index("是否逾期"), None
    no_col = flat.index("问题编号")
    by_no = {r[no_col]: r for r in rows if isinstance(r[no_col], str) and r[no_col][:2] == "ZG"}
    expect = {
        "ZG2023-001": (JINZHU, "否"),
        "ZG2023-002": (JINZHU, "是"),  # done late
        "ZG2023-003": (JINZHU, "是"),  # open and its deadline has passed by the export day
        "ZG2023-004": (LONGTAN, "是"),
        "ZG2023-005": (LONGTAN, "否"),  # done within the extended deadline
        "ZG2023-006": (LONGTAN, "是"),  # site from the linked inspection; done late
        "ZG2023-007": (None, "否"),
    }
    assert {k: (v[site_col], v[overdue_col]) for k, v in by_no.items()} == expect


def test_dashboard_lists_this_years_shortfalls(ctx: AppContext, town: Township) -> None:
    board = DashboardService(ctx).overview(date(2023, 12, 10))
    # January to November are finished; December is the running month
    assert [(f.name, f.text) for f in board.year_shortfalls] == [
        (LONGTAN, "11月缺2次"),
        (HONGXING, "第二季度缺1次"),
        (JINZHU, "8月缺1次"),
    ]
    # in December 金竹沟 is patrolled twice, 龙潭 twice: nothing owed this month
    assert [g.name for g in board.patrol_gaps] == []
    # before 龙潭's supervision began it owed nothing, even with no patrol
    march = DashboardService(ctx).overview(date(2023, 3, 1))
    assert [(f.name, f.text) for f in march.year_shortfalls] == []


def test_annual_report_has_the_coverage_appendix(
    ctx: AppContext, town: Township, tmp_path: Path
) -> None:
    from gongkai_desktop.services.reports.annual import annual_report
    from gongkai_desktop.services.reports.writers.annual_docx import write_annual_docx
    from gongkai_desktop.services.reports.writers.report_xlsx import write_annual_xlsx

    report = annual_report(ctx, 2023, today=date(2024, 1, 5))
    table = report.coverage_appendix
    assert table is not None
    jinzhu = ["2/2"] * 7 + ["1/2"] + ["2/2"] * 4
    longtan = ["", ""] + ["2/2"] * 8 + ["0/2", "2/2"]
    hongxing = ["1/1", "", "", "0/1"] + [""] * 8
    assert [list(r) for r in table.rows] == [
        [HONGXING, *hongxing, 2, 1, "第二季度缺1次"],
        [JINZHU, *jinzhu, 24, 23, "8月缺1次"],
        [LONGTAN, *longtan, 20, 18, "11月缺2次"],
    ]
    assert table.marked == frozenset({0, 1, 2})

    docx = tmp_path / "年报.docx"
    write_annual_docx(report, docx)
    doc = Document(str(docx))
    texts = [p.text for p in doc.paragraphs]
    assert "附件2" in texts
    grid = [[c.text for c in row.cells] for row in doc.tables[-1].rows]
    assert grid[0][0] == "监管对象" and grid[0][-1] == "缺巡情况"
    assert grid[2][0] == JINZHU and grid[2][8] == "1/2" and grid[2][-3:] == ["24", "23", "8月缺1次"]
    assert doc.sections[-1].orientation == 1  # landscape

    xlsx = tmp_path / "年报.xlsx"
    write_annual_xlsx(report, xlsx)
    ws = load_workbook(xlsx)["巡查完成情况"]
    values = list(ws.iter_rows(values_only=True))
    row = next(r for r in values if r[0] == LONGTAN)
    assert row[11] == "0/2" and row[13:16] == (20, 18, "11月缺2次")
