"""年度生态环境保护工作情况报告: the content of the annual report.

The data sections (一、工作开展情况) are drafted from the figures of the year; the
opening, 二、存在的问题 and 三、下一步工作计划 are the clerk's text, kept per year in the
settings table (``annual.<year>.<part>``). Where the clerk has written nothing yet, a
draft made from the figures stands in, and the GUI offers the same draft to edit.
The .docx and .xlsx writers (``annual_docx``, ``annual_xlsx``) lay this object out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from gongkai_desktop.data import repository
from gongkai_desktop.domain.errors import FieldError, ValidationError
from gongkai_desktop.domain.periods import Period, format_cn_date, parse_period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.documents.content import (
    Block,
    ReportTable,
    join_cn,
    we,
)
from gongkai_desktop.services.reports.figures import (
    coverage_by_site,
    coverage_by_type,
    figures,
    figures_many,
    township_figures,
    unit_name,
)
from gongkai_desktop.services.reports.issuing import default_made_on
from gongkai_desktop.services.reports.monthly import open_tasks
from gongkai_desktop.services.reports.prose import (
    MAX_NAMED,
    YearNames,
    all_named,
    coverage_gaps,
    indicators_paragraph,
    inspection_paragraph,
    meetings_paragraph,
    other_work_paragraph,
    outreach_paragraph,
    overdue_projection,
    rectification_paragraph,
    year_names,
)
from gongkai_desktop.services.settings import is_county, load_settings, put_settings_audited

Progress = Callable[[int, int], None]  # (steps done, steps in all)

MAX_TEXT = 20000


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
    with ctx.reading() as session:
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
    # county mode: the year's figures by township, with the county's 合计 (the last 附件)
    township_appendix: ReportTable | None = None

    @property
    def appendices(self) -> tuple[ReportTable, ...]:
        """Every 附件, in the order they are numbered."""
        more = (self.coverage_appendix, self.township_appendix)
        return (self.appendix, *(t for t in more if t is not None))

    @property
    def made_on_text(self) -> str:
        return format_cn_date(self.made_on)


# ---- drafting -----------------------------------------------------------------------
def draft_texts(
    year: int,
    fig: dict[str, Any],
    who: str,
    addressee_lead: str,
    names: YearNames | None = None,
    *,
    as_of: date | None = None,
) -> AnnualTexts:
    """Drafts the clerk starts from: the concrete gaps of the year (missed patrols by
    site and month, overdue tasks by name), said plainly. Drafted on ``as_of`` (default
    today) before the year is over, the year-end overdue count is said as a projection."""
    names = names or YearNames()
    projected = year_not_over(year, as_of)
    opening = (
        f"{year}年，{who}坚持以习近平生态文明思想为指导，在{addressee_lead}的坚强领导下，"
        f"认真执行生态环境保护法律法规，扎实开展宣传教育、巡查检查和问题整改工作。"
        f"现将{year}年生态环境保护工作情况报告如下："
    )
    rect = fig["rectification"]
    gaps = coverage_gaps(fig)
    problems: list[str] = []
    plans: list[str] = []
    if gaps:
        listed = "；".join(t for _s, t in gaps[:MAX_NAMED])
        listed += "等" if len(gaps) > MAX_NAMED else ""
        problems.append(f"监管对象巡查存在漏巡，{listed}。")
        sites = "、".join(site for site, _t in gaps[:MAX_NAMED])
        sites += "等" if len(gaps) > MAX_NAMED else ""
        plans.append(f"严格落实巡查频次要求，对{sites}按月逐一巡查，做到应巡尽巡。")
    else:
        short = [
            f"{label}应巡查{c['required']}次、实际巡查{c['done']}次"
            for label, c in coverage_by_type(fig).items()
            if c.get("required", 0) > c.get("done", 0)
        ]
        if short:
            problems.append(f"巡查频次未完全达到要求，{join_cn(short)}。")
            plans.append("严格落实巡查频次要求，做到应巡尽巡。")
    if rect["overdue"]:
        if projected:
            text = f"部分整改任务推进较慢，{overdue_projection(rect['overdue'])}"
        else:
            text = f"部分整改任务推进较慢，截至年底有{rect['overdue']}项超过整改时限未办结"
        if names.overdue_tasks:
            text += f"，包括{all_named(list(names.overdue_tasks), rect['overdue'])}"
        problems.append(text + "。")
        what = (
            all_named(list(names.overdue_tasks), rect["overdue"])
            if names.overdue_tasks
            else ("可能逾期的" if projected else "逾期未办结的")
        )
        plans.append(f"对{what}整改任务逐项明确责任人和完成时限，挂账督办，按期销号。")
    if rect["completed_late"]:
        problems.append(f"部分整改任务未按期完成，全年逾期办结{rect['completed_late']}项。")
        if not rect["overdue"]:
            plans.append("对在办整改任务逐项跟踪督办，确保按期完成整改销号。")
    if not problems:
        problems.append("生态环境执法监管力量较为薄弱，群众环保意识有待进一步提升。")
    plans.append("持续加强生态环境保护宣传教育，提升群众生态环境保护意识。")
    numbered = [f"{_cn_ordinal(i)}是{p}" for i, p in enumerate(problems, start=1)]
    planned = [f"（{_cn_ordinal(i)}）{p}" for i, p in enumerate(plans, start=1)]
    return AnnualTexts(opening=opening, problems="\n".join(numbered), plans="\n".join(planned))


def _cn_ordinal(n: int) -> str:
    digits = "一二三四五六七八九十"
    return digits[n - 1] if 1 <= n <= 10 else str(n)


def _paragraphs(text: str) -> list[Block]:
    return [Block("paragraph", line.strip()) for line in text.splitlines() if line.strip()]


def _names(ctx: AppContext, period: Period, fig: dict[str, Any]) -> YearNames:
    overdue = tuple(t.description for t in open_tasks(ctx, period) if t.overdue)
    return year_names(ctx, period, fig, overdue)


def year_not_over(year: int, as_of: date | None = None) -> bool:
    """True while ``year``'s year-end figures are still a projection on ``as_of``."""
    return (as_of or date.today()) < date(year, 12, 31)


def work_sections(fig: dict[str, Any], names: YearNames, *, projected: bool = False) -> list[Block]:
    """一、工作开展情况: （一）（二）… by line of work, a line with nothing omitted."""
    sections = [
        ("组织部署和学习培训", meetings_paragraph(fig, names)),
        ("宣传教育", outreach_paragraph(fig, names)),
        ("巡查检查", inspection_paragraph(fig)),
        ("问题整改", rectification_paragraph(fig, names, projected=projected)),
        ("其他工作", other_work_paragraph(fig, names)),
        ("主要指标完成情况", indicators_paragraph(fig)),
    ]
    blocks: list[Block] = []
    shown = [(title, text) for title, text in sections if text]
    if not shown:
        return [Block("paragraph", "本年度未录入生态环境保护工作记录。")]
    for i, (title, text) in enumerate(shown, start=1):
        blocks.append(Block("heading2", f"（{_cn_ordinal(i)}）{title}"))
        blocks.append(Block("paragraph", text))
    return blocks


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


def township_appendix(ctx: AppContext, year: int, fig: dict[str, Any]) -> ReportTable | None:
    """County mode: the year's main figures of each township (its own records only) and
    the county's 合计 row; None on a township's database or a county without townships."""
    if not is_county(load_settings(ctx)):
        return None
    towns = township_figures(ctx, [parse_period(str(year))])
    if not towns:
        return None
    return ReportTable(
        caption=f"{year}年各乡镇生态环境保护工作情况统计表",
        headers=("乡镇", *APPENDIX_HEADERS[1:]),
        rows=(
            *(appendix_row(t["name"], t["figures"][0]) for t in towns),
            appendix_row("合计", fig),
        ),
        total_row=True,
    )


# ---- coverage appendix: patrols owed and done, per site and month ---------------------
COVERAGE_MONTHS = 12


def coverage_appendix(year: int, fig: dict[str, Any]) -> ReportTable | None:
    """附件: each site that owed patrols in the year, one row, with 应巡/已巡 per month
    ("2/1" for a month short of its requirement, marked in the 缺巡 column by month) and
    the year's totals. A 每季度 site shows its quarter under the quarter's first month,
    and its gaps by quarter.
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
        short = [f"{unit_name(r)}缺{r['missing']}次" for r in rows if r["missing"]]
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


def _office(ctx: AppContext) -> tuple[str, str, str, str]:
    """(unit name, how it names itself, addressee, 发文机关) from 设置."""
    settings = load_settings(ctx)
    unit = settings.get("unit_name", "").strip()
    county = settings.get("county", "")
    addressee = settings.get("addressee", "").strip() or (
        f"{county}委、{county}政府" if county else ""
    )
    issuer = settings.get("issuer", "").strip() or unit
    return unit, we(settings.get("township", ""), unit), addressee, issuer


def annual_drafts(ctx: AppContext, year: int, as_of: date | None = None) -> AnnualTexts:
    """The drafts offered for ``year`` (what the report says where the clerk wrote nothing)."""
    _check_year(year)
    _unit, who, addressee, _issuer = _office(ctx)
    period = parse_period(str(year))
    fig = figures(ctx, period)
    names = _names(ctx, period, fig)
    return draft_texts(year, fig, who, addressee or "上级党委、政府", names, as_of=as_of)


def annual_report(
    ctx: AppContext,
    year: int,
    today: date | None = None,
    progress: Progress | None = None,
    as_of: date | None = None,
) -> AnnualReport:
    """The report of ``year``; ``today`` is its 成文日期 (default: the last working day
    of the year). ``as_of`` is the day it is made (default: today): before the year is
    over, its year-end overdue count is said as a projection."""
    _check_year(year)
    steps = 15
    report = (lambda done: progress(done, steps)) if progress else (lambda done: None)
    unit, who, addressee, issuer = _office(ctx)
    year_period = parse_period(str(year))
    # the year and its months in one pass over the records (figures_many shares scans)
    periods = [year_period] + [parse_period(f"{year}-{m:02d}") for m in range(1, 13)]
    fig, *months = figures_many(ctx, periods)
    report(12)
    by_month = [(f"{m}月", f) for m, f in enumerate(months, start=1)]
    names = _names(ctx, year_period, fig)
    stored = load_annual_texts(ctx, year)
    drafts = draft_texts(year, fig, who, addressee or "上级党委、政府", names, as_of=as_of)
    opening = stored.opening or drafts.opening
    problems = stored.problems or drafts.problems
    plans = stored.plans or drafts.plans
    blocks = (
        *_paragraphs(opening),
        Block("heading1", "一、工作开展情况"),
        *work_sections(fig, names, projected=year_not_over(year, as_of)),
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
    report(steps - 1)
    townships = township_appendix(ctx, year, fig)  # county mode: every township's figures
    report(steps)
    subject = f"{year}年度生态环境保护工作情况的报告"
    return AnnualReport(
        year=year,
        unit=unit,
        title=f"{issuer}关于{subject}" if issuer else f"关于{subject}",
        addressee=addressee,
        blocks=blocks,
        signature_unit=issuer,
        made_on=today or default_made_on(ctx, year_period),
        figures=fig,
        by_month=tuple(by_month),
        appendix=appendix,
        coverage_appendix=coverage_appendix(year, fig),  # the year's own coverage
        township_appendix=townships,
    )
