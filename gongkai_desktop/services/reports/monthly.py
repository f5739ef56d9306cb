"""月度工作小结: the content of the one-page monthly summary.

``monthly_summary(ctx, period)`` reads the figures (``report_figures``) and the tasks
still open at the period end, and decides every sentence and table cell; the PDF
(``render.monthly_pdf``), .xlsx and .docx writers only lay the result out. Any period
works (the GUI and CLI offer months); the summary always matches the data at the
moment it is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select

from gongkai_desktop.data.models import Record
from gongkai_desktop.domain.periods import Period, format_cn_date
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.documents.content import (
    ReportTable,
    Signature,
    percent,
    we,
)
from gongkai_desktop.services.records import sql as record_sql
from gongkai_desktop.services.records.sql import json_value, live
from gongkai_desktop.services.reports.figures import (
    TASK_COMPLETED_FIELD,
    TASK_FORM,
    TASK_SOURCE_FIELD,
    coverage_by_type,
    figures,
)
from gongkai_desktop.services.reports.issuing import default_made_on
from gongkai_desktop.services.reports.prose import (
    YearNames,
    inspection_paragraph,
    other_work_paragraph,
    outreach_paragraph,
    rectification_paragraph,
    year_names,
)
from gongkai_desktop.services.settings import load_settings

# Two A4 pages at most: the open-task table lists the most urgent tasks and says how
# many more there are (the 整改台账 has them all).
MAX_TASK_ROWS = 20


@dataclass(frozen=True)
class OpenTask:
    record_id: str
    task_no: str
    description: str
    site: str
    source: str
    assigned: date | None
    deadline: date | None
    overdue_days: int  # days past the deadline in force at the period end; 0 if not overdue

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0


@dataclass(frozen=True)
class MonthlySummary:
    title: str
    unit: str
    period: Period
    figures: dict[str, Any]
    paragraphs: tuple[str, ...]
    tables: tuple[ReportTable, ...]
    open_tasks: tuple[OpenTask, ...]  # every task open at the period end, most urgent first
    signature: Signature
    made_on: date

    @property
    def made_on_text(self) -> str:
        return format_cn_date(self.made_on)


def _to_date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def open_tasks(ctx: AppContext, period: Period) -> list[OpenTask]:
    """Tasks assigned by the period end and not completed by it (the figures'
    ``in_progress``), overdue ones first, then by deadline."""
    registry = ctx.registry
    form = registry.forms.get(TASK_FORM)
    if form is None:
        return []
    end = period.end.isoformat()
    completed = json_value(Record, TASK_COMPLETED_FIELD)
    deadline = (
        record_sql.deadline_in_force(Record, form)
        if form.has_field(record_sql.TASK_DEADLINE_FIELD)
        else json_value(Record, "deadline")
    )
    site = Record.__table__.alias("site")
    with ctx.reading() as session:
        rows = session.execute(
            select(
                Record.id,
                json_value(Record, "task_no"),
                json_value(Record, "description"),
                site.c.title,
                json_value(Record, TASK_SOURCE_FIELD),
                Record.record_date,
                deadline,
            )
            .outerjoin(site, site.c.id == Record.site_id)
            .where(
                live(Record, TASK_FORM),
                Record.record_date <= period.end,
                or_(completed.is_(None), and_(completed > end)),
            )
        ).all()
    tasks = []
    for record_id, task_no, description, site_name, source, assigned, due in rows:
        due_date = _to_date(due)
        late = (period.end - due_date).days if due_date and due_date < period.end else 0
        tasks.append(
            OpenTask(
                record_id=record_id,
                task_no=str(task_no or ""),
                description=" ".join(str(description or "").split()),
                site=str(site_name or ""),
                source=str(source or ""),
                assigned=assigned,
                deadline=due_date,
                overdue_days=late,
            )
        )
    tasks.sort(key=lambda t: (-t.overdue_days, t.deadline or date.max, t.task_no))
    return tasks


def _short(text: str, limit: int = 26) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _inspection_note(ins: dict[str, Any]) -> str:
    parts = [
        text
        for n, text in (
            (ins["inspectors"], f"出动检查人员{ins['inspectors']}人次"),
            (ins["vehicles"], f"车辆{ins['vehicles']}车次"),
            (ins["problems_found"], f"发现问题{ins['problems_found']}个"),
            (ins["burning_stopped"], f"制止焚烧{ins['burning_stopped']}起"),
            (ins.get("notices", 0), f"发放告知书和宣传资料{ins.get('notices', 0)}份"),
        )
        if n
    ]
    return "，".join(parts) + "。" if parts else ""


def _tables(fig: dict[str, Any], tasks: list[OpenTask], end: date) -> tuple[ReportTable, ...]:
    out, ins, cov, rect = (
        fig["outreach"],
        fig["inspections"],
        coverage_by_type(fig),
        fig["rectification"],
    )
    outreach = ReportTable(
        caption="一、宣传活动",
        headers=(
            "活动场次",
            "出动人次",
            "受众人次",
            "发放宣传资料（份）",
            "发放宣传册（册）",
            "解答咨询（人次）",
        ),
        rows=(
            (
                out["events"],
                out["staff"],
                out["audience"],
                out["materials"],
                out["brochures"],
                out["consultations"],
            ),
        ),
    )
    # only the kinds of patrol done in the period: rows of 0 tell a reader nothing
    by_type = [(label, n) for label, n in ins["by_type"].items() if n]
    inspections = ReportTable(
        caption="二、巡查检查",
        headers=("巡查类型", "次数"),
        rows=(*((label, n) for label, n in by_type), ("合计", ins["total"])),
        total_row=True,
        widths=(3, 1),
        note=_inspection_note(ins),
    )
    # site types with no site to patrol and no patrol done print no row of 0 0 0 —
    cov_rows = [
        (label, c["sites"], c["required"], c["done"], percent(c["done"], c["required"]))
        for label, c in cov.items()
        if isinstance(c, dict)  # per site type (``by_site`` is a list of rows)
        and (c["sites"] or c["required"] or c["done"])
    ]
    coverage = ReportTable(
        caption="三、监管对象巡查完成情况",
        headers=("对象类型", "对象数", "应巡查（次）", "已巡查（次）", "完成率"),
        rows=tuple(cov_rows),
        widths=(3, 1, 1, 1, 1),
        empty_text="本期没有需要巡查的监管对象",
    )
    rectification = ReportTable(
        caption="四、整改任务",
        headers=(
            "期初未办结",
            "本期新增",
            "本期办结",
            "其中逾期办结",
            "期末在办",
            "其中已逾期",
        ),
        rows=(
            (
                rect["open_at_start"],
                rect["new"],
                rect["completed"],
                rect["completed_late"],
                rect["in_progress"],
                rect["overdue"],
            ),
        ),
    )
    listed = tasks[:MAX_TASK_ROWS]
    task_rows = tuple(
        (
            i,
            t.task_no,
            _short(t.description),
            t.site,
            format_cn_date(t.deadline) if t.deadline else "",
            f"逾期{t.overdue_days}天" if t.overdue else "在办",
        )
        for i, t in enumerate(listed, start=1)
    )
    more = len(tasks) - len(listed)
    open_table = ReportTable(
        caption=f"五、截至{format_cn_date(end)}未办结的整改任务",
        headers=("序号", "编号", "问题", "监管对象", "整改时限", "状态"),
        rows=task_rows,
        marked=frozenset(i for i, t in enumerate(listed) if t.overdue),
        widths=(3, 6, 11, 5, 7, 5),
        note=f"另有{more}项未列出，详见整改台账。" if more > 0 else "",
    )
    return (outreach, inspections, coverage, rectification, open_table)


def _paragraphs(ctx: AppContext, fig: dict[str, Any], who: str, period: Period) -> tuple[str, ...]:
    """The period's work in the annual report's words (zeros left out, each number
    named with its work), opening with the period and the office."""
    # one paragraph: the summary fits one page; the open tasks are named in its table
    names = year_names(ctx, period, fig)
    texts = [
        outreach_paragraph(fig, names, span="本期", brief=True),
        inspection_paragraph(fig, span="本期"),
        rectification_paragraph(
            fig, YearNames(), span="本期", end="期末", projected=date.today() < period.end
        ),
        other_work_paragraph(fig, names),
    ]
    text = "".join(t for t in texts if t).removeprefix("本期")
    if not text:
        return (f"{period.label}，{who}未录入生态环境保护工作记录。",)
    return (f"{period.label}，{who}{text}",)


def monthly_summary(ctx: AppContext, period: Period, today: date | None = None) -> MonthlySummary:
    """The summary of ``period``; ``today`` is its 制表日期 (default: the last working
    day of the period)."""
    settings = load_settings(ctx)
    fig = figures(ctx, period)
    tasks = open_tasks(ctx, period)
    unit = settings.get("unit_name", "")
    who = we(settings.get("township", ""), unit)
    return MonthlySummary(
        title=f"{period.label}生态环境保护工作小结",
        unit=unit,
        period=period,
        figures=fig,
        paragraphs=_paragraphs(ctx, fig, who, period),
        tables=_tables(fig, tasks, period.end),
        open_tasks=tuple(tasks),
        signature=Signature(
            filler=settings.get("filler", ""),
            reviewer=settings.get("reviewer", ""),
            phone=settings.get("phone", ""),
        ),
        made_on=today or default_made_on(ctx, period),
    )
