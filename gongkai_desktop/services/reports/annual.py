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
    we,
)
from gongkai_desktop.services.records.sql import json_value, live
from gongkai_desktop.services.reports.figures import (
    OTHER_WORK_FORM,
    OUTREACH_FORM,
    figures,
    figures_many,
)
from gongkai_desktop.services.reports.issuing import default_made_on
from gongkai_desktop.services.settings import load_settings, put_settings_audited

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

    @property
    def made_on_text(self) -> str:
        return format_cn_date(self.made_on)


# ---- drafting -----------------------------------------------------------------------
MAX_NAMED = 3  # events, meetings or plans named in one sentence, then 「等」

# labels of the forms' choice lists as running text reads them
NATURAL_LABELS = {
    "培训/学习": "培训学习",
    "新闻发布/媒体": "新闻发布和媒体宣传",
    "六五环境日": "六五环境日主题宣传",
    "政务公开主题日": "政务公开主题日宣传",
    "其他": "其他宣传",
    "其他（马路办公等）": "其他巡查",
    "河湖巡查（河长制）": "河湖巡查",
    "村（社区）": "村（社区）",
    "学习培训（内部）": "内部学习培训",
    "马路办公/实地查看": "马路办公和实地查看",
    "预案/评估编制备案": "预案和评估编制备案",
}


def natural(label: str) -> str:
    """A choice label as a sentence says it: 「培训学习」, not 「培训/学习」."""
    return NATURAL_LABELS.get(label, label.replace("/", "和"))


def _quoted(name: str) -> str:
    """A title in quotation marks, its own quotation marks made single (‘3·15’); a
    document name in 《》 is left as it is."""
    name = name.strip()
    if name.startswith("《") and name.endswith("》"):
        return name
    return "“" + name.replace("“", "‘").replace("”", "’") + "”"


def _named(names: list[str], *, mark: str = "quote") -> str:
    """“甲”、“乙”和“丙”; more than three: the first three and 「等」. ``mark``: quote
    (titles), book (《documents》) or bare (subjects in running text)."""
    shown = []
    for name in (n.strip() for n in names):
        if not name:
            continue
        if mark == "quote":
            name = _quoted(name)
        elif mark == "book" and not name.startswith("《"):
            name = f"《{name.strip('《》')}》"
        shown.append(name)
    if len(shown) > MAX_NAMED:
        return "、".join(shown[:MAX_NAMED]) + "等"
    return join_cn(shown)


def _nonzero(*parts: tuple[int, str]) -> list[str]:
    """The parts whose number is not zero, as written ("出动检查人员1204人次" …)."""
    return [text for n, text in parts if n]


def _top_names(
    ctx: AppContext,
    period: Period,
    form_id: str,
    name_key: str,
    *,
    kind_key: str = "",
    kind: str = "",
    order_key: str = "",
    limit: int = MAX_NAMED + 1,
) -> list[str]:
    """The names of a form's records in the period (largest ``order_key`` first), to
    name a few of them in a sentence; one more than named tells whether 「等」 follows."""
    with ctx.transaction() as session:
        query = select(json_value(Record, name_key)).where(
            live(Record, form_id),
            Record.record_date >= period.start,
            Record.record_date <= period.end,
        )
        if kind_key:
            query = query.where(json_value(Record, kind_key) == kind)
        if order_key:
            query = query.order_by(desc(func.coalesce(json_value(Record, order_key), 0)))
        rows = session.execute(query.order_by(Record.record_date).limit(limit)).all()
    names: list[str] = []
    for (name,) in rows:
        if name and str(name) not in names:
            names.append(str(name))
    return names


NOTICE_TARGETS = "告知书发放对象"  # YearNames key of the notices' 发放对象


@dataclass(frozen=True)
class YearNames:
    """Names read from the records to make sentences concrete (not figures)."""

    events: tuple[str, ...] = ()
    other_work: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (kind, subjects)
    overdue_tasks: tuple[str, ...] = ()  # descriptions of tasks overdue at the end

    def subjects(self, kind: str) -> list[str]:
        return next((list(s) for k, s in self.other_work if k == kind), [])


def year_names(ctx: AppContext, period: Period, fig: dict[str, Any]) -> YearNames:
    from gongkai_desktop.services.reports.monthly import open_tasks

    events = _top_names(ctx, period, OUTREACH_FORM, "name", order_key="audience_count")
    kinds = [k for k, v in fig.get("other_work", {}).get("per_kind", {}).items() if v["records"]]
    other = tuple(
        (
            k,
            tuple(_top_names(ctx, period, OTHER_WORK_FORM, "subject", kind_key="kind", kind=k)),
        )
        for k in kinds
    )
    if "告知书发放" in kinds:
        targets = _top_names(
            ctx, period, OTHER_WORK_FORM, "notice_target", kind_key="kind", kind="告知书发放"
        )
        other += ((NOTICE_TARGETS, tuple(targets)),)
    overdue = tuple(t.description for t in open_tasks(ctx, period) if t.overdue)
    return YearNames(events=tuple(events), other_work=other, overdue_tasks=overdue)


def _all_named(names: list[str], total: int, *, mark: str = "quote") -> str:
    """Names for a sentence: 「等」 when fewer are named than there are records."""
    text = _named(names[:MAX_NAMED], mark=mark)
    if names and total > min(len(names), MAX_NAMED) and not text.endswith("等"):
        text += "等"
    return text


def meetings_paragraph(fig: dict[str, Any], names: YearNames) -> str:
    """会议部署 and 学习培训（内部）; empty when the year has neither."""
    kinds = fig.get("other_work", {}).get("per_kind", {})
    sentences = []
    meeting = kinds.get("会议部署", {})
    if meeting.get("times"):
        text = f"全年召开会议研究部署生态环境保护工作{meeting['times']}次"
        subjects = names.subjects("会议部署")
        if subjects:
            text += f"，主要有{_all_named(subjects, meeting['records'], mark='bare')}"
        sentences.append(text + "。")
    study = kinds.get("学习培训（内部）", {})
    if study.get("times"):
        text = f"组织干部职工学习生态环境保护法律法规和政策{study['times']}次"
        if study.get("participants"):
            text += f"，参加{study['participants']}人次"
        subjects = [n.removeprefix("学习") for n in names.subjects("学习培训（内部）")]
        if subjects:
            text += f"，学习了{_all_named(subjects, study['records'], mark='bare')}"
        sentences.append(text + "。")
    return "".join(sentences)


def outreach_paragraph(
    fig: dict[str, Any], names: YearNames, span: str = "全年", *, brief: bool = False
) -> str:
    """宣传教育, grouped by place kind and by type; empty when there was none. ``brief``
    (the one-page monthly summary): without the types and the events named."""
    out = fig["outreach"]
    if not out["events"]:
        return ""
    head = f"{span}开展生态环境保护宣传活动{out['events']}次"
    more = _nonzero(
        (out["staff"], f"出动工作人员{out['staff']}人次"),
        (out["audience"], f"受众约{out['audience']}人次"),
    )
    sentences = [head + ("，" + "，".join(more) if more else "") + "。"]
    places = []
    for place, p in out.get("by_place", {}).items():
        if not p["events"]:
            continue
        where = "其他地点" if place == "其他" else place
        text = f"在{where}开展宣传活动{p['events']}次"
        handed = _nonzero(
            (p["materials"], f"宣传资料约{p['materials']}份"),
            (p["brochures"], f"宣传册{p['brochures']}册"),
        )
        if handed:
            text += "，发放" + "、".join(handed)
        places.append(text)
    if places:
        sentences.append("其中，" + "；".join(places) + "。")
    else:
        handed = _nonzero(
            (out["materials"], f"宣传资料约{out['materials']}份"),
            (out["brochures"], f"宣传册{out['brochures']}册"),
        )
        if handed:
            sentences.append("发放" + "、".join(handed) + "。")
    kinds = [
        f"{natural(kind)}{t['events']}次"
        for kind, t in out.get("per_type", {}).items()
        if t["events"]
    ]
    if kinds and not brief:
        sentences.append(f"按活动类型，开展{join_cn(kinds)}。")
    if out["consultations"]:
        sentences.append(f"现场解答群众咨询{out['consultations']}人次。")
    if names.events and not brief:
        sentences.append(f"主要活动有{_all_named(list(names.events), out['events'])}。")
    return "".join(sentences)


_NOTICE_WORD = {"秸秆禁烧巡查": "告知书"}  # what a patrol of this type hands out


def inspection_paragraph(fig: dict[str, Any], span: str = "全年") -> str:
    """巡查检查: each type's own figures; empty when there was none."""
    ins = fig["inspections"]
    if not ins["total"]:
        return ""
    sentences = [f"{span}开展各类巡查检查{ins['total']}次。"]
    for kind, t in ins.get("per_type", {}).items():
        if not t["count"]:
            continue
        parts = _nonzero(
            (t["inspectors"], f"出动检查人员{t['inspectors']}人次"),
            (t["vehicles"], f"车辆{t['vehicles']}车次"),
        )
        text = f"{natural(kind)}{t['count']}次"
        if parts:
            text += "，" + "、".join(parts)
        more = _nonzero(
            (t["burning_stopped"], f"制止焚烧{t['burning_stopped']}起"),
            (t["problems_found"], f"发现问题{t['problems_found']}个"),
            (t["notices"], f"发放{_NOTICE_WORD.get(kind, '告知书和宣传资料')}{t['notices']}份"),
        )
        if more:
            text += "，" + "，".join(more)
        sentences.append(text + "。")
    street = fig.get("other_work", {}).get("per_kind", {}).get("马路办公/实地查看", {})
    if street.get("times"):
        sentences.append(f"开展马路办公和实地查看{street['times']}次。")
    covered = [
        f"{label}{c['sites']}处应巡查{c['required']}次，实际巡查{c['done']}次"
        for label, c in fig["patrol_coverage"].items()
        if isinstance(c, dict) and c.get("required")
    ]
    if covered:
        sentences.append("按监管要求，" + "；".join(covered) + "。")
    return "".join(sentences)


def rectification_paragraph(
    fig: dict[str, Any], names: YearNames, span: str = "全年", end: str = "年底"
) -> str:
    """问题整改; empty when the year had no task at all."""
    rect = fig["rectification"]
    if not (rect["open_at_start"] or rect["new"] or rect["completed"] or rect["in_progress"]):
        return ""
    parts = []
    if rect["open_at_start"]:
        before = "上年结转" if span == "全年" else "期初未办结"
        parts.append(f"{before}整改任务{rect['open_at_start']}项")
    if rect["new"]:
        text = f"{span}新增整改任务{rect['new']}项"
        sources = nonzero_parts({k: v["new"] for k, v in rect["by_source"].items()}, "项")
        if sources:
            text += f"（{join_cn(sources)}）"
        parts.append(text)
    if rect["completed"]:
        text = f"办结{rect['completed']}项"
        if rect["completed_late"]:
            text += f"（其中逾期办结{rect['completed_late']}项）"
        parts.append(text)
    text = "，".join(parts)
    if rect["in_progress"]:
        text += "；" if text else ""
        text += f"截至{end}仍在整改{rect['in_progress']}项"
        if rect["overdue"]:
            text += f"，其中已超过整改时限{rect['overdue']}项"
            if names.overdue_tasks:
                text += f"（{_all_named(list(names.overdue_tasks), rect['overdue'])}）"
        else:
            text += "，均在整改时限内"
    elif rect["completed"]:
        text += "，整改任务已全部办结"
    return text + "。"


def other_work_paragraph(fig: dict[str, Any], names: YearNames) -> str:
    """平台填报, 告知书发放, 预案/评估 and 其他; empty when there was none."""
    kinds = fig.get("other_work", {}).get("per_kind", {})
    sentences = []
    platform = kinds.get("平台填报", {})
    if platform.get("times"):
        sentences.append(f"按时在线履职平台填报{platform['times']}次。")
    notices = kinds.get("告知书发放", {})
    if notices.get("records"):
        targets = names.subjects(NOTICE_TARGETS)
        subjects = names.subjects("告知书发放")
        text = "发放告知书"
        if targets:
            text = f"向{_all_named(targets, notices['records'], mark='bare')}发放告知书"
        elif subjects:
            text = f"围绕{_all_named(subjects, notices['records'], mark='bare')}发放告知书"
        sentences.append(text + (f"{notices['notices']}份。" if notices.get("notices") else "。"))
    plans = kinds.get("预案/评估编制备案", {})
    if plans.get("records"):
        subjects = names.subjects("预案/评估编制备案")
        sentences.append(
            f"完成{_all_named(subjects, plans['records'], mark='book')}编制备案。"
            if subjects
            else f"完成应急预案、风险评估编制备案{plans['times']}件。"
        )
    other = kinds.get("其他", {})
    if other.get("records"):
        subjects = names.subjects("其他")
        sentences.append(
            f"此外，还开展了{_all_named(subjects, other['records'], mark='bare')}等工作。"
            if len(subjects) > 1 or other["records"] > 1
            else f"此外，还开展了{subjects[0]}工作。"
            if subjects
            else f"此外，还开展其他工作{other['times']}次。"
        )
    return "".join(sentences)


def _number(value: Any) -> str:
    """95.0 -> 95, 92.50 -> 92.5: an indicator as written."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number:.2f}".rstrip("0").rstrip(".")


def indicators_paragraph(fig: dict[str, Any]) -> str:
    items = [
        f"{i['indicator']}{'达' if i['indicator'].endswith('率') else ''}"
        f"{_number(i['value'])}{i['unit']}"
        for i in fig.get("indicators", [])
        if i.get("indicator") and i.get("value") is not None
    ]
    if not items:
        return ""
    return f"{'，'.join(items)}。"


def _month_list(months: list[str]) -> str:
    return "、".join(f"{int(m[5:7])}月" for m in months)


def coverage_gaps(fig: dict[str, Any]) -> list[tuple[str, str]]:
    """Per site with a missed patrol: 「金竹沟水源地8月、11月未巡查，3月少巡查1次」,
    from ``patrol_coverage.by_site`` (site, month, required, done, missing)."""
    rows = fig.get("patrol_coverage", {}).get("by_site", [])
    sites: dict[str, dict[str, Any]] = {}
    for row in rows:
        if not row.get("missing"):
            continue
        site = sites.setdefault(str(row["site"]), {"none": [], "short": {}})
        if not row.get("done"):
            site["none"].append(str(row["month"]))
        else:
            site["short"].setdefault(int(row["missing"]), []).append(str(row["month"]))
    out = []
    for name, gaps in sites.items():
        parts = []
        if gaps["none"]:
            parts.append(f"{_month_list(sorted(gaps['none']))}未巡查")
        for missing, months in sorted(gaps["short"].items()):
            parts.append(f"{_month_list(sorted(months))}少巡查{missing}次")
        out.append((name, name + "，".join(parts)))
    return out


def draft_texts(
    year: int,
    fig: dict[str, Any],
    who: str,
    addressee_lead: str,
    names: YearNames | None = None,
) -> AnnualTexts:
    """Drafts the clerk starts from: the concrete gaps of the year (missed patrols by
    site and month, overdue tasks by name), said plainly."""
    names = names or YearNames()
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
            for label, c in fig["patrol_coverage"].items()
            if isinstance(c, dict) and c.get("required", 0) > c.get("done", 0)
        ]
        if short:
            problems.append(f"巡查频次未完全达到要求，{join_cn(short)}。")
            plans.append("严格落实巡查频次要求，做到应巡尽巡。")
    if rect["overdue"]:
        text = f"部分整改任务推进较慢，截至年底有{rect['overdue']}项超过整改时限未办结"
        if names.overdue_tasks:
            text += f"，包括{_all_named(list(names.overdue_tasks), rect['overdue'])}"
        problems.append(text + "。")
        what = (
            _all_named(list(names.overdue_tasks), rect["overdue"])
            if names.overdue_tasks
            else "逾期未办结的"
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


def work_sections(fig: dict[str, Any], names: YearNames) -> list[Block]:
    """一、工作开展情况: （一）（二）… by line of work, a line with nothing omitted."""
    sections = [
        ("组织部署和学习培训", meetings_paragraph(fig, names)),
        ("宣传教育", outreach_paragraph(fig, names)),
        ("巡查检查", inspection_paragraph(fig)),
        ("问题整改", rectification_paragraph(fig, names)),
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


def annual_drafts(ctx: AppContext, year: int) -> AnnualTexts:
    """The drafts offered for ``year`` (what the report says where the clerk wrote nothing)."""
    _check_year(year)
    _unit, who, addressee, _issuer = _office(ctx)
    period = parse_period(str(year))
    fig = figures(ctx, period)
    return draft_texts(year, fig, who, addressee or "上级党委、政府", year_names(ctx, period, fig))


def annual_report(
    ctx: AppContext,
    year: int,
    today: date | None = None,
    progress: Progress | None = None,
) -> AnnualReport:
    """The report of ``year``; ``today`` is its 成文日期 (default: the last working day
    of the year)."""
    _check_year(year)
    steps = 14
    report = (lambda done: progress(done, steps)) if progress else (lambda done: None)
    unit, who, addressee, issuer = _office(ctx)
    year_period = parse_period(str(year))
    # the year and its months in one pass over the records (figures_many shares scans)
    periods = [year_period] + [parse_period(f"{year}-{m:02d}") for m in range(1, 13)]
    fig, *months = figures_many(ctx, periods)
    report(12)
    by_month = [(f"{m}月", f) for m, f in enumerate(months, start=1)]
    names = year_names(ctx, year_period, fig)
    stored = load_annual_texts(ctx, year)
    drafts = draft_texts(year, fig, who, addressee or "上级党委、政府", names)
    opening = stored.opening or drafts.opening
    problems = stored.problems or drafts.problems
    plans = stored.plans or drafts.plans
    blocks = (
        *_paragraphs(opening),
        Block("heading1", "一、工作开展情况"),
        *work_sections(fig, names),
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
    )
