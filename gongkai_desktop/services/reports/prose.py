"""Sentences a county office would write, from the figures of a period: the lines of
work of the annual report (and, briefly, of the monthly summary).

Rules: a number of zero is never written (a part with nothing is left out, a paragraph
with nothing is empty and its section omitted); every number is a figure of
``report figures``; choice labels read as running text (``natural``); at most three
events, meetings or documents are named, then 「等」. Names come from the records
(``year_names``), never numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import desc, func, select

from gongkai_desktop.data.models import Record
from gongkai_desktop.domain.periods import Period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.documents.content import join_cn, nonzero_parts
from gongkai_desktop.services.records.sql import json_value, live
from gongkai_desktop.services.reports.figures import (
    OTHER_WORK_FORM,
    OUTREACH_FORM,
    coverage_by_site,
    coverage_by_type,
    unit_name,
)

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
    with ctx.reading() as session:
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


def year_names(
    ctx: AppContext, period: Period, fig: dict[str, Any], overdue: tuple[str, ...] = ()
) -> YearNames:
    """The names the sentences of ``period`` use; ``overdue``: the descriptions of the
    tasks overdue at its end (``monthly.open_tasks``)."""
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
    return YearNames(events=tuple(events), other_work=other, overdue_tasks=overdue)


def all_named(names: list[str], total: int, *, mark: str = "quote") -> str:
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
            text += f"，主要有{all_named(subjects, meeting['records'], mark='bare')}"
        sentences.append(text + "。")
    study = kinds.get("学习培训（内部）", {})
    if study.get("times"):
        text = f"组织干部职工学习生态环境保护法律法规和政策{study['times']}次"
        if study.get("participants"):
            text += f"，参加{study['participants']}人次"
        subjects = [n.removeprefix("学习") for n in names.subjects("学习培训（内部）")]
        if subjects:
            text += f"，学习了{all_named(subjects, study['records'], mark='bare')}"
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
        sentences.append(f"主要活动有{all_named(list(names.events), out['events'])}。")
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
        for label, c in coverage_by_type(fig).items()
        if c.get("required")
    ]
    if covered:
        sentences.append("按监管要求，" + "；".join(covered) + "。")
    return "".join(sentences)


def rectification_paragraph(
    fig: dict[str, Any],
    names: YearNames,
    span: str = "全年",
    end: str = "年底",
    *,
    projected: bool = False,
) -> str:
    """问题整改; empty when the year had no task at all.

    ``projected``: the period is not over yet, so the overdue count (as of its end) is
    a projection from the deadlines in force, and is said as one."""
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
        if projected:
            text += f"目前仍在整改{rect['in_progress']}项"
        else:
            text += f"截至{end}仍在整改{rect['in_progress']}项"
        if rect["overdue"]:
            if projected:
                text += f"，{overdue_projection(rect['overdue'], end)}"
            else:
                text += f"，其中已超过整改时限{rect['overdue']}项"
            if names.overdue_tasks:
                text += f"（{all_named(list(names.overdue_tasks), rect['overdue'])}）"
        else:
            text += "，均在整改时限内"
    elif rect["completed"]:
        text += "，整改任务已全部办结"
    return text + "。"


def overdue_projection(count: int, end: str = "年底") -> str:
    """The overdue count at a period's end said before that end: a projection, named."""
    return f"按现行时限，到{end}将有{count}项逾期"


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
            text = f"向{all_named(targets, notices['records'], mark='bare')}发放告知书"
        elif subjects:
            text = f"围绕{all_named(subjects, notices['records'], mark='bare')}发放告知书"
        sentences.append(text + (f"{notices['notices']}份。" if notices.get("notices") else "。"))
    plans = kinds.get("预案/评估编制备案", {})
    if plans.get("records"):
        subjects = names.subjects("预案/评估编制备案")
        sentences.append(
            f"完成{all_named(subjects, plans['records'], mark='book')}编制备案。"
            if subjects
            else f"完成应急预案、风险评估编制备案{plans['times']}件。"
        )
    other = kinds.get("其他", {})
    if other.get("records"):
        subjects = names.subjects("其他")
        sentences.append(
            f"此外，还开展了{all_named(subjects, other['records'], mark='bare')}等工作。"
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


def _month_list(rows: list[dict[str, Any]]) -> str:
    """8月、11月; a 每季度 site's unit by its quarter (第二季度)."""
    return "、".join(unit_name(r) for r in sorted(rows, key=lambda r: str(r["month"])))


def coverage_gaps(fig: dict[str, Any]) -> list[tuple[str, str]]:
    """Per site with a missed patrol: 「金竹沟水源地8月、11月未巡查，3月少巡查1次」,
    from ``patrol_coverage.by_site`` (site, month, required, done, missing, quarterly)."""
    rows = coverage_by_site(fig) if "patrol_coverage" in fig else []
    sites: dict[str, dict[str, Any]] = {}
    for row in rows:
        if not row.get("missing"):
            continue
        site = sites.setdefault(str(row["site"]), {"none": [], "short": {}})
        if not row.get("done"):
            site["none"].append(row)
        else:
            site["short"].setdefault(int(row["missing"]), []).append(row)
    out = []
    for name, gaps in sites.items():
        parts = []
        if gaps["none"]:
            parts.append(f"{_month_list(gaps['none'])}未巡查")
        for missing, months in sorted(gaps["short"].items()):
            parts.append(f"{_month_list(months)}少巡查{missing}次")
        out.append((name, name + "，".join(parts)))
    return out
