"""年度生态环境保护工作情况报告: the content of the annual report.

The data sections (一、工作开展情况) are drafted from the figures of the year; the
opening, 二、存在的问题 and 三、下一步工作计划 are the clerk's text, kept per year in the
settings table (``annual.<year>.<part>``). Where the clerk has written nothing yet, a
draft made from the figures stands in, and the GUI offers the same draft to edit.
The .docx and .xlsx writers (``annual_docx``, ``annual_xlsx``) lay this object out.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import desc, func, select

from gongkai_desktop.data import repository
from gongkai_desktop.data.models import Record
from gongkai_desktop.domain.errors import FieldError, ValidationError
from gongkai_desktop.domain.periods import Period, format_cn_date, parse_period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.documents.content import (
    Block,
    ReportTable,
    join_cn,
    nonzero_parts,
    percent,
    we,
)
from gongkai_desktop.services.records.sql import json_value, live
from gongkai_desktop.services.reports.figures import (
    BY_SITE,
    OUTREACH_FORM,
    coverage_by_site,
    coverage_by_type,
    figures,
    figures_many,
    quarter_name,
    sites_by_month,
)
from gongkai_desktop.services.settings import load_settings, put_settings_audited

Progress = Callable[[int, int], None]  # (steps done, steps in all)

MAX_TEXT = 20000
MAX_LISTED_EVENTS = 5  # events named in the outreach paragraph, largest audience first


@dataclass(frozen=True)
class AnnualTexts:
    """The clerk's own text for one year; an empty part means "use the draft"."""

    opening: str = ""
    problems: str = ""
    plans: str = ""


TEXT_LABELS = {"opening": "开头段落", "problems": "存在的问题", "plans": "下一步工作计划"}


def _key(year: int, part: str) -> str:
    return f"annual.{year}.{part}"


def _check_year(year: int) -> None:
    if not 1 <= year <= 9999:
        raise ValidationError([FieldError("year", "年度", "年度应为1至9999")])


def load_annual_texts(ctx: AppContext, year: int) -> AnnualTexts:
    _check_year(year)
    with ctx.transaction() as session:
        stored = repository.get_settings(session)
    return AnnualTexts(**{f.name: stored.get(_key(year, f.name), "") for f in fields(AnnualTexts)})


def save_annual_texts(ctx: AppContext, year: int, texts: AnnualTexts) -> AnnualTexts:
    """Store the clerk's text for ``year`` in one transaction, with an audit entry per
    changed part (as settings are)."""
    _check_year(year)
    errors = [
        FieldError(f.name, TEXT_LABELS[f.name], f"不能超过{MAX_TEXT}个字")
        for f in fields(AnnualTexts)
        if len(getattr(texts, f.name).strip()) > MAX_TEXT
    ]
    if errors:
        raise ValidationError(errors)
    with ctx.transaction() as session:
        put_settings_audited(
            ctx, session, {_key(year, f.name): getattr(texts, f.name) for f in fields(AnnualTexts)}
        )
    return load_annual_texts(ctx, year)


@dataclass(frozen=True)
class AnnualReport:
    year: int
    unit: str
    title: str
    addressee: str
    blocks: tuple[Block, ...]  # opening paragraph through 三、下一步工作计划
    signature_unit: str
    made_on: date
    figures: dict[str, Any]  # the whole year
    by_month: tuple[tuple[str, dict[str, Any]], ...]  # ("1月", figures of January), …
    appendix: ReportTable  # the figures by month, with a 全年 row
    # the patrol coverage by site and month (附件2); None when no site owed a patrol
    coverage_appendix: ReportTable | None = None

    @property
    def made_on_text(self) -> str:
        return format_cn_date(self.made_on)


# ---- drafting -----------------------------------------------------------------------
def _top_events(ctx: AppContext, period: Period) -> list[tuple[str, date | None]]:
    with ctx.transaction() as session:
        rows = session.execute(
            select(json_value(Record, "name"), Record.record_date)
            .where(
                live(Record, OUTREACH_FORM),
                Record.record_date >= period.start,
                Record.record_date <= period.end,
            )
            .order_by(
                desc(func.coalesce(json_value(Record, "audience_count"), 0)), Record.record_date
            )
            .limit(MAX_LISTED_EVENTS)
        ).all()
    return [(str(name or ""), day) for name, day in rows if name]


def outreach_paragraph(fig: dict[str, Any], events: list[tuple[str, date | None]]) -> str:
    out = fig["outreach"]
    if not out["events"]:
        return "全年未开展宣传活动。"
    text = f"全年开展宣传活动{out['events']}场"
    kinds = nonzero_parts(out["by_type"], "场")
    if kinds:
        text += f"，其中{join_cn(kinds)}"
    text += (
        f"；出动工作人员{out['staff']}人次，受众{out['audience']}人次，"
        f"发放宣传资料{out['materials']}份、宣传册{out['brochures']}册，"
        f"解答群众咨询{out['consultations']}人次。"
    )
    if events:
        named = [f"“{name}”（{d.month}月{d.day}日）" if d else f"“{name}”" for name, d in events]
        text += f"主要活动有{join_cn(named)}等。"
    return text


def inspection_paragraph(fig: dict[str, Any]) -> str:
    ins, cov = fig["inspections"], coverage_by_type(fig)
    if not ins["total"]:
        text = "全年未开展巡查检查。"
    else:
        text = f"全年开展巡查检查{ins['total']}次"
        kinds = nonzero_parts(ins["by_type"], "次")
        if kinds:
            text += f"，其中{join_cn(kinds)}"
        text += (
            f"；出动检查人员{ins['inspectors']}人次、车辆{ins['vehicles']}车次，"
            f"发现问题{ins['problems_found']}次"
        )
        if ins["burning_stopped"]:
            text += f"，发现并制止焚烧秸秆{ins['burning_stopped']}次"
        text += "。"
    covered = [
        f"{label}{c['sites']}处，应巡查{c['required']}次，完成{c['done']}次，"
        f"完成率{percent(c['done'], c['required'])}"
        for label, c in cov.items()
        if c["required"]
    ]
    if covered:
        text += "按监管要求，" + "；".join(covered) + "。"
    return text


def rectification_paragraph(fig: dict[str, Any]) -> str:
    rect = fig["rectification"]
    new_by_source = nonzero_parts({k: v["new"] for k, v in rect["by_source"].items()}, "项")
    text = f"年初未办结整改任务{rect['open_at_start']}项，全年新增{rect['new']}项"
    if new_by_source:
        text += f"（{join_cn(new_by_source)}）"
    text += f"，办结{rect['completed']}项"
    if rect["completed_late"]:
        text += f"（其中逾期办结{rect['completed_late']}项）"
    text += f"；截至年底仍在办理{rect['in_progress']}项"
    text += (
        f"，其中已超过整改时限{rect['overdue']}项。" if rect["overdue"] else "，均在整改时限内。"
    )
    return text


def draft_texts(year: int, fig: dict[str, Any], who: str, addressee_lead: str) -> AnnualTexts:
    """Drafts the clerk starts from: said plainly, from the year's figures."""
    opening = (
        f"{year}年，{who}坚持以习近平生态文明思想为指导，在{addressee_lead}的坚强领导下，"
        f"认真执行生态环境保护法律法规，扎实开展宣传教育、巡查检查和问题整改工作。"
        f"现将{year}年生态环境保护工作情况报告如下："
    )
    ins, cov, rect = fig["inspections"], coverage_by_type(fig), fig["rectification"]
    problems: list[str] = []
    short = [
        f"{label}应巡查{c['required']}次、完成{c['done']}次"
        for label, c in cov.items()
        if c["required"] > c["done"]
    ]
    if short:
        problems.append(f"巡查频次未完全达到要求，{join_cn(short)}。")
    if rect["overdue"] or rect["completed_late"]:
        late = []
        if rect["completed_late"]:
            late.append(f"全年逾期办结{rect['completed_late']}项")
        if rect["overdue"]:
            late.append(f"年底仍有{rect['overdue']}项超过整改时限未办结")
        problems.append(f"部分整改任务推进较慢，{'，'.join(late)}。")
    if ins["problems_found"]:
        problems.append(f"日常巡查共发现问题{ins['problems_found']}次，环境问题仍有反复。")
    if not problems:
        problems.append("生态环境执法监管力量较为薄弱，群众环保意识有待进一步提升。")
    numbered = [f"{_cn_ordinal(i)}是{p}" for i, p in enumerate(problems, start=1)]
    plans = (
        "（一）持续加强宣传教育，提升群众生态环境保护意识。\n"
        "（二）按监管要求开展饮用水水源地、排污单位等巡查检查，做到应巡尽巡。\n"
        "（三）对未办结整改任务逐项跟踪督办，按期完成整改销号。"
    )
    return AnnualTexts(opening=opening, problems="\n".join(numbered), plans=plans)


def _cn_ordinal(n: int) -> str:
    digits = "一二三四五六七八九十"
    return digits[n - 1] if 1 <= n <= 10 else str(n)


def _paragraphs(text: str) -> list[Block]:
    return [Block("paragraph", line.strip()) for line in text.splitlines() if line.strip()]


# ---- the report ---------------------------------------------------------------------
APPENDIX_HEADERS = (
    "月份",
    "宣传活动（场）",
    "受众（人次）",
    "发放资料（份）",
    "巡查检查（次）",
    "检查人员（人次）",
    "发现问题（次）",
    "新增整改（项）",
    "办结整改（项）",
    "月末在办（项）",
)


def appendix_row(label: str, fig: dict[str, Any]) -> tuple[str | int, ...]:
    out, ins, rect = fig["outreach"], fig["inspections"], fig["rectification"]
    return (
        label,
        out["events"],
        out["audience"],
        out["materials"],
        ins["total"],
        ins["inspectors"],
        ins["problems_found"],
        rect["new"],
        rect["completed"],
        rect["in_progress"],
    )


# ---- coverage appendix: patrols owed and done, per site and month ---------------------
COVERAGE_MONTHS = 12


def coverage_appendix(
    year: int, fig: dict[str, Any], quarterly: Collection[str] = ()
) -> ReportTable | None:
    """附件: each site that owed patrols in the year, one row, with 应巡/已巡 per month
    ("2/1" for a month short of its requirement, marked in the 缺巡 column by month) and
    the year's totals. A 每季度 site (id in ``quarterly``) shows its quarter under the
    quarter's first month, and its gaps by quarter.
    None when no site owed a patrol."""
    rows_by_site: dict[str, list[dict[str, Any]]] = {}
    for row in coverage_by_site(fig):
        rows_by_site.setdefault(row["site_id"], []).append(row)
    if not rows_by_site:
        return None
    body: list[tuple[str | int, ...]] = []
    marked = set()
    for n, rows in enumerate(rows_by_site.values()):
        per_month = {int(r["month"][5:7]): r for r in rows if r["month"][:4] == str(year)}
        cells: list[str | int] = [rows[0]["site"]]
        for month in range(1, COVERAGE_MONTHS + 1):
            r = per_month.get(month)
            cells.append("" if r is None else f"{r['done']}/{r['required']}")
        required = sum(r["required"] for r in rows)
        done = sum(r["done"] for r in rows)
        short = [
            f"{_unit_name(int(r['month'][5:7]), r['site_id'] in quarterly)}缺{r['missing']}次"
            for r in rows
            if r["missing"]
        ]
        if short:
            marked.add(n)
        body.append((*cells, required, done, "、".join(short) or "无"))
    return ReportTable(
        caption=f"{year}年监管对象巡查完成情况表",
        headers=(),
        # given as header_rows, the writers keep the ratio of ``widths`` exactly (a
        # simple table's columns shrink to their digits and the headers then wrap twice)
        header_rows=(
            (
                "监管对象",
                *(f"{m}月" for m in range(1, COVERAGE_MONTHS + 1)),
                "应巡查",  # "（次）" would wrap them; the note says 次
                "已巡查",
                "缺巡情况",
            ),
        ),
        rows=tuple(body),
        marked=frozenset(marked),
        note="各月格内为“已巡查次数/应巡查次数”，应巡查、已巡查为全年次数；"
        "空格表示该月不在监管期内或无巡查要求。",
        widths=(8.4, *([2.75] * COVERAGE_MONTHS), 3.1, 3.1, 8.4),
    )


def _unit_name(month: int, quarterly: bool) -> str:
    return quarter_name(month) if quarterly else f"{month}月"


def _coverage_appendix_of(ctx: AppContext, year: int) -> ReportTable | None:
    with ctx.transaction() as session:
        rows, quarterly = sites_by_month(ctx, session, parse_period(str(year)))
    return coverage_appendix(year, {"patrol_coverage": {BY_SITE: rows}}, quarterly)


def _office(ctx: AppContext) -> tuple[str, str, str]:
    """(unit name, how it names itself, addressee) from 设置."""
    settings = load_settings(ctx)
    unit = settings.get("unit_name", "")
    county = settings.get("county", "")
    addressee = settings.get("addressee", "") or (f"{county}委、{county}政府" if county else "")
    return unit, we(settings.get("township", ""), unit), addressee


def annual_drafts(ctx: AppContext, year: int) -> AnnualTexts:
    """The drafts offered for ``year`` (what the report says where the clerk wrote nothing)."""
    _check_year(year)
    _unit, who, addressee = _office(ctx)
    return draft_texts(
        year, figures(ctx, parse_period(str(year))), who, addressee or "上级党委、政府"
    )


def annual_report(
    ctx: AppContext,
    year: int,
    today: date | None = None,
    progress: Progress | None = None,
) -> AnnualReport:
    _check_year(year)
    steps = 14
    report = (lambda done: progress(done, steps)) if progress else (lambda done: None)
    unit, who, addressee = _office(ctx)
    # the year and its months in one pass over the records (figures_many shares scans)
    periods = [parse_period(str(year))] + [parse_period(f"{year}-{m:02d}") for m in range(1, 13)]
    fig, *months = figures_many(ctx, periods)
    report(12)
    by_month = [(f"{m}月", f) for m, f in enumerate(months, start=1)]
    events = _top_events(ctx, parse_period(str(year)))
    stored = load_annual_texts(ctx, year)
    drafts = draft_texts(year, fig, who, addressee or "上级党委、政府")
    opening = stored.opening or drafts.opening
    problems = stored.problems or drafts.problems
    plans = stored.plans or drafts.plans
    blocks = (
        *_paragraphs(opening),
        Block("heading1", "一、工作开展情况"),
        Block("heading2", "（一）宣传教育"),
        Block("paragraph", outreach_paragraph(fig, events)),
        Block("heading2", "（二）巡查检查"),
        Block("paragraph", inspection_paragraph(fig)),
        Block("heading2", "（三）问题整改"),
        Block("paragraph", rectification_paragraph(fig)),
        Block("heading1", "二、存在的问题"),
        *_paragraphs(problems),
        Block("heading1", "三、下一步工作计划"),
        *_paragraphs(plans),
    )
    appendix = ReportTable(
        caption=f"{year}年各月生态环境保护工作情况统计表",
        headers=APPENDIX_HEADERS,
        rows=(
            *(appendix_row(label, f) for label, f in by_month),
            appendix_row("全年", fig),
        ),
        total_row=True,
    )
    report(steps)
    return AnnualReport(
        year=year,
        unit=unit,
        title=f"{unit}关于{year}年度生态环境保护工作情况的报告"
        if unit
        else f"关于{year}年度生态环境保护工作情况的报告",
        addressee=addressee,
        blocks=blocks,
        signature_unit=unit,
        made_on=today or date.today(),
        figures=fig,
        by_month=tuple(by_month),
        appendix=appendix,
        coverage_appendix=_coverage_appendix_of(ctx, year),
    )
