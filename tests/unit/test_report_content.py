"""What the monthly summary and the annual report say, checked against the figures and
against counts made here from the records created."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from gongkai_desktop.domain.errors import ValidationError
from gongkai_desktop.domain.periods import parse_period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.documents.content import ReportTable, join_cn, percent, we
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.reports.annual import (
    AnnualTexts,
    annual_drafts,
    annual_report,
    load_annual_texts,
    save_annual_texts,
)
from gongkai_desktop.services.reports.figures import figures
from gongkai_desktop.services.reports.monthly import MAX_TASK_ROWS, monthly_summary, open_tasks
from gongkai_desktop.services.settings import save_settings


def task(records: RecordService, no: str, assigned: str, deadline: str, **more: str) -> str:
    values = {
        "task_no": no,
        "source": "12345",
        "assigned_date": assigned,
        "description": f"问题{no}",
        "deadline": deadline,
        **more,
    }
    if "completed_date" in values:
        values["status"] = "已办结"
    return records.create("rectification_task", values).id


def event(records: RecordService, day: str, name: str, audience: int, **more: object) -> str:
    values = {
        "event_date": day,
        "name": name,
        "event_type": "普法宣传",
        "audience_count": audience,
        **more,
    }
    return records.create("outreach_event", values).id


def inspection(records: RecordService, day: str, kind: str = "秸秆禁烧巡查", **more: object) -> str:
    values = {"inspection_date": day, "inspection_type": kind, "inspectors": "张三", **more}
    return records.create("inspection", values).id


@pytest.fixture
def may(ctx: AppContext, records: RecordService) -> dict[str, str]:
    save_settings(
        ctx,
        {
            "unit_name": "龙河镇人民政府",
            "township": "龙河镇",
            "county": "丰都县",
            "filler": "张三",
            "reviewer": "李四",
            "phone": "023-1234567",
        },
    )
    ids = {
        # open at the end of May, overdue by 11 days
        "late": task(records, "ZG2024-001", "2024-04-02", "2024-05-20"),
        # open, deadline in June
        "open": task(records, "ZG2024-002", "2024-05-10", "2024-06-30"),
        # completed in May: not open
        "done": task(
            records, "ZG2024-003", "2024-05-03", "2024-05-25", completed_date="2024-05-24"
        ),
        # completed in June: still open at the end of May (and overdue since 05-28)
        "june": task(
            records, "ZG2024-004", "2024-05-01", "2024-05-28", completed_date="2024-06-02"
        ),
        # assigned in June: not yet there
        "later": task(records, "ZG2024-005", "2024-06-01", "2024-06-30"),
    }
    gone = task(records, "ZG2024-006", "2024-05-05", "2024-05-06")
    records.delete(gone)
    event(records, "2024-05-05", "六五环境日宣传", 300, staff_count=12, materials=500)
    event(records, "2024-05-20", "入户宣传", 40, staff_count=3)
    inspection(records, "2024-05-06", burning_stopped=2, inspector_count=3, vehicle_count=1)
    inspection(records, "2024-05-07", problem_found=True, problem_description="焚烧")
    return ids


def test_open_tasks_at_the_period_end(ctx: AppContext, may: dict[str, str]) -> None:
    tasks = open_tasks(ctx, parse_period("2024-05"))
    assert [t.record_id for t in tasks] == [may["late"], may["june"], may["open"]]
    assert [t.overdue_days for t in tasks] == [11, 3, 0]
    assert tasks[0].task_no == "ZG2024-001" and tasks[0].deadline == date(2024, 5, 20)


def test_monthly_summary_says_what_the_figures_say(ctx: AppContext, may: dict[str, str]) -> None:
    period = parse_period("2024-05")
    summary = monthly_summary(ctx, period, today=date(2024, 6, 3))
    fig = figures(ctx, period)
    assert summary.figures == fig
    assert summary.title == "2024年5月生态环境保护工作小结"
    assert summary.unit == "龙河镇人民政府" and summary.made_on_text == "2024年6月3日"
    text = "\n".join(summary.paragraphs)
    assert text.startswith("2024年5月，我镇开展生态环境保护宣传活动2次")
    assert f"受众约{fig['outreach']['audience']}人次" in text and "受众约340人次" in text
    assert "本期开展各类巡查检查2次。秸秆禁烧巡查2次，出动检查人员3人次、车辆1车次" in text
    assert "制止焚烧2起，发现问题1个" in text
    assert "宣传册" not in text and "咨询" not in text  # nothing of them: not said
    rect = fig["rectification"]
    assert (rect["new"], rect["completed"], rect["in_progress"], rect["overdue"]) == (3, 1, 3, 2)
    assert "本期新增整改任务3项（“12345”3项），办结1项；截至期末仍在整改3项" in text
    assert text.endswith("其中已超过整改时限2项。")  # named in the table of open tasks

    outreach, inspections, coverage, rectification, tasks = summary.tables
    assert outreach.rows == ((2, 15, 340, 500, 0, 0),)
    assert inspections.rows[-1] == ("合计", 2) and inspections.total_row
    assert dict(inspections.rows[:-1]) == {
        k: n for k, n in fig["inspections"]["by_type"].items() if n
    }
    # a site type with no site and no patrol has no row
    assert [r[0] for r in coverage.rows] == [
        label
        for label, c in fig["patrol_coverage"].items()
        if label != "by_site" and (c["sites"] or c["done"])
    ]
    assert rectification.rows == ((1, 3, 1, 0, 3, 2),)
    assert [r[1] for r in tasks.rows] == ["ZG2024-001", "ZG2024-004", "ZG2024-002"]
    assert tasks.marked == frozenset({0, 1})
    assert [r[-1] for r in tasks.rows] == ["逾期11天", "逾期3天", "在办"]
    assert summary.signature.line().startswith("填表人：张三")


def test_empty_month_reads_as_nothing_done(ctx: AppContext) -> None:
    summary = monthly_summary(ctx, parse_period("2030-02"))
    assert summary.paragraphs == ("2030年2月，我镇未录入生态环境保护工作记录。",)
    assert summary.tables[-1].rows == () and summary.tables[-1].empty_text == "无"
    assert summary.tables[0].rows == ((0, 0, 0, 0, 0, 0),)


def test_long_task_list_is_capped_with_a_note(ctx: AppContext, records: RecordService) -> None:
    for n in range(MAX_TASK_ROWS + 4):
        task(records, f"ZG2024-{n:03d}", "2024-05-01", f"2024-05-{1 + n % 28:02d}")
    summary = monthly_summary(ctx, parse_period("2024-05"))
    table = summary.tables[-1]
    assert len(table.rows) == MAX_TASK_ROWS and len(summary.open_tasks) == MAX_TASK_ROWS + 4
    assert table.note == "另有4项未列出，详见整改台账。"
    # most overdue first
    assert table.rows[0][-1] == "逾期30天"


# ---- annual report ---------------------------------------------------------------------
def test_annual_report_appendix_is_the_figures_by_month(
    ctx: AppContext, may: dict[str, str], records: RecordService
) -> None:
    event(records, "2024-11-02", "冬季宣传", 90, staff_count=5)
    progress: list[tuple[int, int]] = []
    report = annual_report(
        ctx, 2024, today=date(2025, 1, 6), progress=lambda d, t: progress.append((d, t))
    )
    assert progress[-1][0] == progress[-1][1]
    assert report.title == "龙河镇人民政府关于2024年度生态环境保护工作情况的报告"
    assert report.addressee == "丰都县委、丰都县政府"
    assert report.made_on_text == "2025年1月6日"
    assert report.figures == figures(ctx, parse_period("2024"))
    for month, (label, fig) in enumerate(report.by_month, start=1):
        assert label == f"{month}月"
        assert fig == figures(ctx, parse_period(f"2024-{month:02d}"))
    rows = report.appendix.rows
    assert len(rows) == 13 and rows[-1][0] == "全年" and report.appendix.total_row
    may_row, nov_row, year_row = rows[4], rows[10], rows[-1]
    assert may_row[1:4] == (2, 340, 500) and nov_row[1:3] == (1, 90)
    assert year_row[1:4] == (3, 430, 500)
    # flows add up over the months
    for column in (1, 2, 3, 4, 5, 6, 7, 8):
        assert sum(r[column] for r in rows[:12]) == year_row[column]


def _text(report_blocks: tuple) -> str:  # type: ignore[type-arg]
    return "\n".join(b.text for b in report_blocks)


def test_annual_data_sections_carry_the_figures(ctx: AppContext, may: dict[str, str]) -> None:
    report = annual_report(ctx, 2024)
    fig = report.figures
    kinds = [b.kind for b in report.blocks]
    headings = [b.text for b in report.blocks if b.kind.startswith("heading")]
    assert headings == [
        "一、工作开展情况",
        "（一）宣传教育",
        "（二）巡查检查",
        "（三）问题整改",
        "二、存在的问题",
        "三、下一步工作计划",
    ]
    assert kinds[0] == "paragraph"  # the opening
    text = _text(report.blocks)
    assert f"全年开展生态环境保护宣传活动{fig['outreach']['events']}次" in text
    assert f"受众约{fig['outreach']['audience']}人次" in text
    assert f"全年开展各类巡查检查{fig['inspections']['total']}次" in text
    rect = fig["rectification"]
    assert rect["new"] == 5
    assert "全年新增整改任务5项（“12345”5项）" in text
    assert f"办结{rect['completed']}项" in text
    # largest audience first
    assert "主要活动有“六五环境日宣传”和“入户宣传”。" in text


def test_clerk_text_is_kept_per_year_and_replaces_the_draft(
    ctx: AppContext, may: dict[str, str], db_path: Path
) -> None:
    drafts = annual_drafts(ctx, 2024)
    assert drafts.opening.startswith("2024年，我镇") and "丰都县委" in drafts.opening
    assert drafts.problems and drafts.plans
    report = annual_report(ctx, 2024)
    assert report.blocks[0].text == drafts.opening
    assert drafts.plans.splitlines()[0] in _text(report.blocks)

    saved = save_annual_texts(
        ctx, 2024, AnnualTexts(opening="今年我镇……", problems="一是经费不足。\n二是人手少。")
    )
    assert saved == AnnualTexts(opening="今年我镇……", problems="一是经费不足。\n二是人手少。")
    assert load_annual_texts(ctx, 2025) == AnnualTexts()  # another year is untouched
    report = annual_report(ctx, 2024)
    problems_at = [b.text for b in report.blocks].index("二、存在的问题")
    assert [b.text for b in report.blocks[problems_at + 1 : problems_at + 3]] == [
        "一是经费不足。",
        "二是人手少。",
    ]
    assert report.blocks[0].text == "今年我镇……"
    assert drafts.plans.splitlines()[0] in _text(report.blocks)  # plans still drafted
    with sqlite3.connect(db_path) as conn:
        audited = conn.execute(
            "SELECT field, new_value FROM audit_log WHERE form_id='settings' ORDER BY field"
        ).fetchall()
    assert ("annual.2024.opening", '"今年我镇……"') in audited


def test_bad_annual_text_is_refused_and_nothing_saved(ctx: AppContext) -> None:
    with pytest.raises(ValidationError) as err:
        save_annual_texts(ctx, 2024, AnnualTexts(opening="好", problems="字" * 20001))
    assert "存在的问题" in str(err.value)
    assert load_annual_texts(ctx, 2024) == AnnualTexts()
    with pytest.raises(ValidationError, match="年度"):
        annual_report(ctx, 0)


def test_empty_year_reports_zeros_without_error(ctx: AppContext) -> None:
    report = annual_report(ctx, 2031)
    assert "本年度未录入生态环境保护工作记录。" in _text(report.blocks)
    assert report.appendix.rows[-1] == ("全年", *([0] * 9))


# ---- small helpers ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("township", "unit", "expected"),
    [
        ("龙河镇", "", "我镇"),
        ("三河乡", "三河乡人民政府", "我乡"),
        ("城东街道", "", "我街道"),
        ("", "三河乡人民政府", "我乡"),
        ("", "", "我镇"),
        ("", "城东街道办事处", "我街道"),
        ("龙河镇", "龙河县生态环境局", "我局"),
        ("", "城乡建设局", "我局"),
        ("龙河镇", "龙河镇生态环境保护办公室", "我办"),
        ("", "龙河县政务服务中心", "我中心"),
        ("龙河镇", "龙河镇党委", "我镇"),
    ],
)
def test_we(township: str, unit: str, expected: str) -> None:
    assert we(township, unit) == expected


def test_join_and_percent() -> None:
    assert (
        join_cn([]) == ""
        and join_cn(["甲"]) == "甲"
        and join_cn(["甲", "乙", "丙"]) == "甲、乙和丙"
    )
    assert percent(1, 3) == "33.3%" and percent(0, 0) == "—"


def test_table_rows_must_match_headers() -> None:
    with pytest.raises(ValueError):
        ReportTable("表", ("甲", "乙"), ((1,),))


def test_a_year_not_over_names_its_overdue_count_a_projection(
    ctx: AppContext, may: dict[str, str]
) -> None:
    # On 2024-06-15 only ZG2024-001 (deadline 05-20) is overdue; by the year's end the two
    # due on 06-30 will be too, unless done: 3 open tasks, all past their deadline by then.
    midyear = date(2024, 6, 15)
    drafts = annual_drafts(ctx, 2024, as_of=midyear)
    first_problem = drafts.problems.splitlines()[0]
    assert first_problem.startswith("一是部分整改任务推进较慢，按现行时限，到年底将有3项逾期，包括")
    assert "超过整改时限" not in drafts.problems
    text = _text(annual_report(ctx, 2024, as_of=midyear).blocks)
    assert "目前仍在整改3项，按现行时限，到年底将有3项逾期" in text
    assert "截至年底" not in text and "已超过整改时限" not in text

    # drafted after the year: the year-end count is a fact, said as one
    after = date(2025, 1, 10)
    drafts = annual_drafts(ctx, 2024, as_of=after)
    assert drafts.problems.startswith("一是部分整改任务推进较慢，截至年底有3项超过整改时限未办结")
    text = _text(annual_report(ctx, 2024, as_of=after).blocks)
    assert "截至年底仍在整改3项，其中已超过整改时限3项" in text
    assert "按现行时限" not in text
