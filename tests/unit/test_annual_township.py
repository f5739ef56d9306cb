"""A township's year (tests/unit/township_year.py) through the annual report: every
number of the text found in the figures JSON, no sentence with a zero count, each number
named with its work, the concrete gaps in 存在的问题, and the 公文 parts of the .docx."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from gongkai_desktop.domain.periods import parse_period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.reports.annual import (
    YearNames,
    annual_report,
    coverage_gaps,
    draft_texts,
)
from gongkai_desktop.services.reports.figures import figures
from gongkai_desktop.services.reports.monthly import monthly_summary
from gongkai_desktop.services.reports.writers.annual_docx import write_annual_docx
from gongkai_desktop.services.reports.writers.monthly_docx import write_monthly_docx
from gongkai_desktop.services.settings import save_settings

from .township_year import ADDRESSEE, UNIT, YEAR, build_township_year
from .work_helpers import Run

NUMBER = re.compile(r"\d+(?:\.\d+)?")


@pytest.fixture
def township(ctx: AppContext, records: RecordService) -> dict[str, object]:
    return build_township_year(ctx, records)


def _numbers_of(obj: Any) -> set[float]:
    """Every number in the figures JSON, also those inside strings (2023-08 -> 2023, 8)."""
    found: set[float] = set()
    if isinstance(obj, dict):
        for key, value in obj.items():
            found |= _numbers_of(key) | _numbers_of(value)
    elif isinstance(obj, list):
        for value in obj:
            found |= _numbers_of(value)
    elif isinstance(obj, bool) or obj is None:
        pass
    elif isinstance(obj, int | float):
        found.add(float(obj))
    else:
        found |= {float(n) for n in NUMBER.findall(str(obj))}
    return found


def _unquoted(text: str) -> str:
    """The text without names in quotation marks or 《》 (titles typed by the clerk)."""
    return re.sub(r"“[^”]*”|《[^》]*》", "", text)


def _body(report: Any) -> str:
    return "\n".join(b.text for b in report.blocks)


def test_every_number_of_the_text_is_a_figure(ctx: AppContext, township: dict) -> None:
    report = annual_report(ctx, YEAR)
    fig = json.loads(json.dumps(figures(ctx, parse_period(str(YEAR))), ensure_ascii=False))
    known = _numbers_of(fig)
    text = _unquoted(_body(report))
    numbers = [float(n) for n in NUMBER.findall(text)]
    assert numbers, text
    missing = sorted({n for n in numbers if n not in known})
    assert missing == [], f"{missing} not in the figures: {text}"


def test_no_sentence_counts_zero(ctx: AppContext, township: dict) -> None:
    report = annual_report(ctx, YEAR)
    for sentence in re.split(r"[。；\n]", _body(report)):
        assert not re.search(r"(?<![\d.])0(?![\d.])", sentence), sentence
    # the monthly summary of a month with little to say has no zero either
    summary = monthly_summary(ctx, parse_period("2023-02"))
    for sentence in re.split(r"[。；\n]", "\n".join(summary.paragraphs)):
        assert not re.search(r"(?<![\d.])0(?![\d.])", sentence), sentence


def test_each_number_is_named_with_its_work(ctx: AppContext, township: dict) -> None:
    fig = figures(ctx, parse_period(str(YEAR)))
    straw = fig["inspections"]["per_type"]["秸秆禁烧巡查"]
    assert straw == {"count": 4, "inspectors": 1204, "vehicles": 359, "notices": 3200,
                     "problems_found": 0, "burning_stopped": 115}  # fmt: skip
    water = fig["inspections"]["per_type"]["饮用水水源地巡查"]
    assert (water["count"], water["inspectors"], water["notices"]) == (46, 92, 0)
    town = fig["outreach"]["by_place"]["场镇"]
    assert (town["events"], town["materials"]) == (7, 1100)
    assert fig["outreach"]["by_place"]["村（社区）"]["events"] == 3
    assert fig["outreach"]["per_type"]["志愿者活动"]["events"] == 3
    kinds = fig["other_work"]["per_kind"]
    assert kinds["学习培训（内部）"] == {"records": 2, "times": 7, "participants": 105,
                                        "notices": 0}  # fmt: skip
    assert kinds["平台填报"]["times"] == 12 and kinds["告知书发放"]["notices"] == 12
    assert [i["indicator"] for i in fig["indicators"]] == [
        "受污染耕地安全利用率", "秸秆综合利用率", "化肥使用量较上年减少"]  # fmt: skip
    assert figures(ctx, parse_period("2023-05"))["indicators"] == []  # a month has none

    text = _body(annual_report(ctx, YEAR))
    assert ("秸秆禁烧巡查4次，出动检查人员1204人次、车辆359车次，制止焚烧115起，"
            "发放告知书3200份") in text  # fmt: skip
    assert "在场镇开展宣传活动7次，发放宣传资料约1100份" in text
    assert "组织干部职工学习生态环境保护法律法规和政策7次" in text
    assert "在线履职平台填报12次" in text and "向辖区餐饮店发放告知书12份" in text
    assert "受污染耕地安全利用率达95%" in text and "秸秆综合利用率达92.5%" in text
    assert "培训/学习" not in text and "“12345”6项" in text
    # at most three events named, then 等
    named = re.search(r"主要活动有(.*?)。", text)
    assert named is not None and named.group(1).count("“") - named.group(1).count("‘") <= 3
    assert named.group(1).endswith("等")


def test_report_structure_by_line_of_work(ctx: AppContext, township: dict) -> None:
    report = annual_report(ctx, YEAR)
    headings = [(b.kind, b.text) for b in report.blocks if b.kind.startswith("heading")]
    assert headings == [
        ("heading1", "一、工作开展情况"),
        ("heading2", "（一）组织部署和学习培训"),
        ("heading2", "（二）宣传教育"),
        ("heading2", "（三）巡查检查"),
        ("heading2", "（四）问题整改"),
        ("heading2", "（五）其他工作"),
        ("heading2", "（六）主要指标完成情况"),
        ("heading1", "二、存在的问题"),
        ("heading1", "三、下一步工作计划"),
    ]
    texts = [b.text for b in report.blocks]
    problems = texts[texts.index("二、存在的问题") + 1 : texts.index("三、下一步工作计划")]
    # the missed patrol by site and month, then the task overdue at the year end, by name
    assert problems[0] == "一是监管对象巡查存在漏巡，金竹沟水源地8月未巡查。"
    assert problems[1].startswith("二是") and "龙河村生活污水直排" in problems[1]


def test_a_line_of_work_with_nothing_is_left_out(ctx: AppContext, records: RecordService) -> None:
    records.create(
        "outreach_event",
        {"event_date": "2024-03-01", "name": "普法赶场", "event_type": "普法宣传",
         "materials": 40},
    )  # fmt: skip
    report = annual_report(ctx, 2024)
    headings = [b.text for b in report.blocks if b.kind == "heading2"]
    assert headings == ["（一）宣传教育"]
    text = _body(report)
    assert "全年开展生态环境保护宣传活动1次。发放宣传资料约40份。" in text


def test_missed_patrols_named_by_site_and_month() -> None:
    fig: dict[str, Any] = {
        "patrol_coverage": {
            "饮用水水源地": {"sites": 2, "required": 48, "done": 45},
            "by_site": [
                {"site_id": "a", "site": "金竹沟水源地", "site_type": "饮用水水源地",
                 "month": "2023-08", "required": 2, "done": 0, "missing": 2},
                {"site_id": "a", "site": "金竹沟水源地", "site_type": "饮用水水源地",
                 "month": "2023-11", "required": 2, "done": 0, "missing": 2},
                {"site_id": "b", "site": "白岩水库水源地", "site_type": "饮用水水源地",
                 "month": "2023-03", "required": 2, "done": 1, "missing": 1},
                {"site_id": "b", "site": "白岩水库水源地", "site_type": "饮用水水源地",
                 "month": "2023-04", "required": 2, "done": 2, "missing": 0},
            ],
        },
        "rectification": {"overdue": 0, "completed_late": 0},
    }  # fmt: skip
    assert coverage_gaps(fig) == [
        ("金竹沟水源地", "金竹沟水源地8月、11月未巡查"),
        ("白岩水库水源地", "白岩水库水源地3月少巡查1次"),
    ]
    # a 每季度 site's row stands for its quarter
    quarterly = {
        "patrol_coverage": {
            "by_site": [
                {"site_id": "c", "site": "龙河造纸厂", "site_type": "排污单位", "month": "2023-04",
                 "required": 1, "done": 0, "missing": 1, "quarterly": True},
            ]
        }
    }  # fmt: skip
    assert coverage_gaps(quarterly) == [("龙河造纸厂", "龙河造纸厂第二季度未巡查")]
    texts = draft_texts(YEAR, fig, "我镇", "县委、县政府", YearNames())
    assert texts.problems == (
        "一是监管对象巡查存在漏巡，金竹沟水源地8月、11月未巡查；白岩水库水源地3月少巡查1次。"
    )
    assert "对金竹沟水源地、白岩水库水源地按月逐一巡查" in texts.plans
    # no missed patrol: no sentence about it
    fig["patrol_coverage"]["by_site"] = [fig["patrol_coverage"]["by_site"][-1]]
    fig["patrol_coverage"]["饮用水水源地"]["done"] = 48
    assert "巡查" not in draft_texts(YEAR, fig, "我镇", "县委、县政府").problems


def _paragraph(doc: Any, text: str) -> Any:
    return next(p for p in doc.paragraphs if p.text.strip() == text)


def test_annual_docx_is_a_complete_official_document(
    ctx: AppContext, township: dict, tmp_path: Path
) -> None:
    save_settings(ctx, {"issuer": "中共龙河镇委员会 龙河镇人民政府"})
    path = tmp_path / "年度报告.docx"
    write_annual_docx(annual_report(ctx, YEAR, today=date(2024, 1, 8)), path)
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    title = texts[0].replace("\n", "")
    assert title == "中共龙河镇委员会 龙河镇人民政府关于2023年度生态环境保护工作情况的报告"
    assert f"{ADDRESSEE}：" in texts and texts.index(f"{ADDRESSEE}：") < 4
    signature = texts.index("中共龙河镇委员会 龙河镇人民政府")
    assert texts[signature + 1] == "2024年1月8日"
    # two attachments (the figures by month, the patrols by site and month), numbered
    first = texts.index("附件：1.2023年各月生态环境保护工作情况统计表")
    assert texts[first + 1] == "　　　2.2023年监管对象巡查完成情况表" and first < signature
    # the page break sits on the 附件1 heading, no paragraph of its own after the date
    heading = _paragraph(doc, "附件1")
    assert heading.paragraph_format.page_break_before is True
    between = doc.paragraphs[signature + 2 : texts.index("附件1")]
    assert between == []
    assert texts.index("附件2") > texts.index("附件1")
    assert not any('w:type="page"' in p._p.xml for p in doc.paragraphs)


def test_default_date_is_the_last_working_day(ctx: AppContext, township: dict) -> None:
    # 2023-12-31 is a Sunday, 2023-12-30 a Saturday
    assert annual_report(ctx, YEAR).made_on == date(2023, 12, 29)
    # 2023-09-30 is a Saturday but a working day (调休 before 国庆)
    assert monthly_summary(ctx, parse_period("2023-09")).made_on == date(2023, 9, 28)


def test_monthly_docx_carries_the_chosen_date(
    ctx: AppContext, township: dict, tmp_path: Path
) -> None:
    path = tmp_path / "月报.docx"
    write_monthly_docx(monthly_summary(ctx, parse_period("2023-10"), today=date(2023, 11, 2)), path)
    texts = [p.text for p in Document(str(path)).paragraphs]
    assert any(t.endswith("制表日期：2023年11月2日") for t in texts)
    assert texts[0] == UNIT


def test_cli_date_and_warnings(ctx: AppContext, township: dict, run: Run, tmp_path: Path) -> None:
    out = tmp_path / "annual.docx"
    code, _stdout, err = run("report", "annual", "--year", "2023", "--out", str(out),
                            "--date", "2024-01-05")  # fmt: skip
    assert (code, err) == (0, "")
    texts = [p.text for p in Document(str(out)).paragraphs]
    assert "2024年1月5日" in texts
    save_settings(ctx, {"unit_name": "", "addressee": "", "county": ""})
    code, _stdout, err = run("report", "annual", "--year", "2023", "--out", str(out))
    assert code == 0
    assert "“单位名称”未填写" in err and "“主送机关”未填写" in err
    code, _stdout, err = run("report", "monthly", "--period", "2023-10", "--out",
                            str(tmp_path / "m.docx"), "--date", "2023-11-02")  # fmt: skip
    assert code == 0 and "“单位名称”未填写" in err and "主送机关" not in err
    with pytest.raises(SystemExit) as refused:  # argparse refuses a date it cannot read
        run("report", "annual", "--year", "2023", "--out", str(out), "--date", "2024-13-01")
    assert refused.value.code == 2
