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
    join_cn,
    nonzero_parts,
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
    with ctx.transaction() as session:
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
    by_type = [(label, n) for label, n in ins["by_type"].items()]
    inspections = ReportTable(
        caption="二、巡查检查",
        headers=("巡查类型", "次数"),
        rows=(*((label, n) for label, n in by_type), ("合计", ins["total"])),
        total_row=True,
        widths=(3, 1),
        note=(
            f"出动检查人员{ins['inspectors']}人次、车辆{ins['vehicles']}车次，"
            f"发现问题{ins['problems_found']}次，制止焚烧{ins['burning_stopped']}次。"
        ),
    )
    cov_rows = [
        (label, c["sites"], c["required"], c["done"], percent(c["done"], c["required"]))
        for label, c in cov.items()
    ]
    coverage = ReportTable(
        caption="三、监管对象巡查完成情况",
        headers=("对象类型", "对象数", "应巡查（次）", "已巡查（次）", "完成率"),
        rows=tuple(cov_rows),
        widths=(3, 1, 1, 1, 1),
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


def _paragraph(fig: dict[str, Any], who: str, period: Period) -> str:
    out, ins, cov, rect = (
        fig["outreach"],
        fig["inspections"],
        coverage_by_type(fig),
        fig["rectification"],
    )
    parts: list[str] = []
    if out["events"]:
        kinds = nonzero_parts(out["by_type"], "场")
        parts.append(
            f"开展宣传活动{out['events']}场（{join_cn(kinds)}），出动工作人员{out['staff']}人次，"
            f"受众{out['audience']}人次，发放宣传资料{out['materials']}份、"
            f"宣传册{out['brochures']}册，解答群众咨询{out['consultations']}人次"
        )
    else:
        parts.append("未开展宣传活动")
    if ins["total"]:
        kinds = nonzero_parts(ins["by_type"], "次")
        text = (
            f"开展巡查检查{ins['total']}次（{join_cn(kinds)}），出动检查人员{ins['inspectors']}人次、"
            f"车辆{ins['vehicles']}车次，发现问题{ins['problems_found']}次"
        )
        if ins["burning_stopped"]:
            text += f"，制止焚烧秸秆{ins['burning_stopped']}次"
        parts.append(text)
    else:
        parts.append("未开展巡查检查")
    required = sum(c["required"] for c in cov.values())
    done = sum(c["done"] for c in cov.values())
    if required:
        short = [
            f"{label}还差{c['required'] - c['done']}次"
            for label, c in cov.items()
            if c["required"] > c["done"]
        ]
        text = f"监管对象应巡查{required}次，已完成{done}次，完成率{percent(done, required)}"
        if short:
            text += f"，其中{join_cn(short)}"
        parts.append(text)
    text = (
        f"整改任务期初未办结{rect['open_at_start']}项，本期新增{rect['new']}项、"
        f"办结{rect['completed']}项"
    )
    if rect["completed_late"]:
        text += f"（其中逾期办结{rect['completed_late']}项）"
    text += f"，期末仍在办理{rect['in_progress']}项"
    if rect["overdue"]:
        text += f"，其中已超过整改时限{rect['overdue']}项，需加快推进"
    parts.append(text)
    return f"{period.label}，{who}" + "；".join(parts) + "。"


def monthly_summary(ctx: AppContext, period: Period, today: date | None = None) -> MonthlySummary:
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
        paragraphs=(_paragraph(fig, who, period),),
        tables=_tables(fig, tasks, period.end),
        open_tasks=tuple(tasks),
        signature=Signature(
            filler=settings.get("filler", ""),
            reviewer=settings.get("reviewer", ""),
            phone=settings.get("phone", ""),
        ),
        made_on=today or date.today(),
    )
