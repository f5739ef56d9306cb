"""Per-site rectification progress (问题整改进展情况): the question a county asks of
water sources and other sites — how many problems each was given, how many are done
(on time or late), how many are still being worked on (and of those, how many are past
their deadline), who the liaison leader is, and what is still open with its deadline.

Which tasks count: live rectification tasks whose 交办日期 falls in the period; their
state is read as of the period end (a task done after the end is still 正在整改 in this
report). 逾期 follows the one rule of ``records.sql.task_overdue`` as of the period end
or today, whichever is earlier (a report for the running year does not call a deadline
of next week missed). The per-site counts are one grouped SQL query; only the open
tasks, which the report lists one by one, are read as rows.

A task's site is its 监管对象; when the clerk did not choose one, the record-writing path
took it from the linked inspection (``records.writing.site_from_link``). Tasks with no
site at all are shown in one row 「未关联监管对象」 (left out when a site type is chosen).
With a site type chosen, every site of that type under supervision is listed, those
without problems too: the county wants each water source with its leader.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from gongkai_desktop.data.models import Record
from gongkai_desktop.domain.periods import Period, format_cn_date, named_period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.documents.content import ReportTable, TableCell
from gongkai_desktop.services.records import sql as record_sql
from gongkai_desktop.services.records.deadlines import office_calendar
from gongkai_desktop.services.records.sql import json_value, live
from gongkai_desktop.services.reports.figures import (
    SITE_ACTIVE,
    SITE_FORM,
    SITE_NAME_FIELD,
    SITE_TYPE_FIELD,
    SUPERVISED_FROM_FIELD,
    SUPERVISED_UNTIL_FIELD,
    TASK_COMPLETED_FIELD,
    TASK_FORM,
    TASK_SOURCE_FIELD,
)
from gongkai_desktop.services.settings import load_settings

LEADER_FIELD = "liaison_leader"
TASK_NO_FIELD = "task_no"
DESCRIPTION_FIELD = "description"
NO_SITE = "未关联监管对象"
# 问题来源 (task_sources in forms/lists.yaml) that the office found itself; every other
# source — 督察, 部交办, 12369/12345, 信访, 上级检查, and any label added later — was
# handed down to it (交办), which is how counties split the count.
SELF_FOUND_SOURCES = ("日常巡查发现", "自查")
ASSIGNED, SELF_FOUND = "交办", "自查"
MAX_DESCRIPTION = 30  # characters of a problem description in the open-task column


@dataclass(frozen=True)
class OpenTask:
    task_no: str
    description: str
    deadline: date | None  # the deadline in force
    overdue: bool

    def line(self) -> str:
        text = self.description
        if len(text) > MAX_DESCRIPTION:
            text = text[: MAX_DESCRIPTION - 1] + "…"
        when = f"{format_cn_date(self.deadline)}前" if self.deadline else "未定时限"
        mark = "，已逾期" if self.overdue else ""
        head = f"{self.task_no} " if self.task_no else ""
        return f"{head}{text}（{when}{mark}）"


@dataclass(frozen=True)
class SiteProgress:
    site_id: str  # "" for tasks without a site
    site: str
    site_type: str
    leader: str
    assigned: int = 0
    handed_down: int = 0  # 交办
    self_found: int = 0  # 自查
    done_on_time: int = 0
    done_late: int = 0
    in_progress: int = 0
    overdue_open: int = 0  # in progress and past the deadline in force
    open_tasks: tuple[OpenTask, ...] = ()

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late

    @property
    def overdue(self) -> int:
        """Tasks 逾期 by the one rule: done late, or open past the deadline."""
        return self.done_late + self.overdue_open


COUNTS = (
    "assigned",
    "handed_down",
    "self_found",
    "done_on_time",
    "done_late",
    "in_progress",
    "overdue_open",
)


@dataclass(frozen=True)
class ProgressReport:
    period: Period
    as_of: date
    site_type: str  # "" for every type
    unit: str
    addressee: str
    title: str
    sites: tuple[SiteProgress, ...]
    total: SiteProgress
    sentence: str
    made_on: date
    notes: tuple[str, ...] = field(default=())

    @property
    def made_on_text(self) -> str:
        return format_cn_date(self.made_on)

    def json(self) -> dict[str, Any]:
        def site_json(s: SiteProgress) -> dict[str, Any]:
            out = {k: v for k, v in asdict(s).items() if k != "open_tasks"}
            out["done"], out["overdue"] = s.done, s.overdue
            out["open_tasks"] = [
                {
                    "task_no": t.task_no,
                    "description": t.description,
                    "deadline": t.deadline.isoformat() if t.deadline else None,
                    "overdue": t.overdue,
                }
                for t in s.open_tasks
            ]
            return out

        return {
            "period": {"from": self.period.start.isoformat(), "to": self.period.end.isoformat()},
            "as_of": self.as_of.isoformat(),
            "site_type": self.site_type,
            "unit": self.unit,
            "title": self.title,
            "sentence": self.sentence,
            "sites": [site_json(s) for s in self.sites],
            "total": {k: v for k, v in site_json(self.total).items() if k != "open_tasks"},
        }

    def table(self) -> ReportTable:
        """序号, 监管对象, 联系领导, 问题 by source, 已完成 on time / late, 正在整改 and of
        those 逾期, the open tasks with their deadlines; a 合计 row."""
        header_rows = (
            (
                TableCell("序号", rows=2),
                TableCell("监管对象", rows=2),
                TableCell("联系领导", rows=2),
                TableCell("排查问题（个）", cols=3),
                TableCell("已完成整改（个）", cols=2),
                TableCell("正在整改（个）", cols=2),
                TableCell("未完成问题及整改时限", rows=2),
            ),
            ("交办", "自查", "合计", "按期", "逾期", "小计", "其中逾期"),
        )
        rows: list[tuple[Any, ...]] = []
        marked = set()
        for n, s in enumerate(self.sites, start=1):
            if s.overdue_open:
                marked.add(n - 1)
            rows.append(
                (
                    n,
                    s.site,
                    s.leader,
                    s.handed_down,
                    s.self_found,
                    s.assigned,
                    s.done_on_time,
                    s.done_late,
                    s.in_progress,
                    s.overdue_open,
                    TableCell("\n".join(t.line() for t in s.open_tasks) or "—", align="left"),
                )
            )
        t = self.total
        if rows:
            rows.append(
                (
                    TableCell("合计", cols=3),
                    t.handed_down,
                    t.self_found,
                    t.assigned,
                    t.done_on_time,
                    t.done_late,
                    t.in_progress,
                    t.overdue_open,
                    "",
                )
            )
        return ReportTable(
            caption=f"{self.period.label}{self.site_type}问题整改进展情况表",
            headers=(),
            header_rows=header_rows,
            rows=tuple(rows),
            marked=frozenset(marked),
            total_row=bool(rows),
            empty_text="期间无整改任务",
            widths=(2.2, 7, 4, 2.6, 2.6, 2.6, 2.6, 2.6, 2.6, 2.6, 16),
        )


def progress_sentence(total: SiteProgress) -> str:
    """共排查问题12个（交办8个、自查4个），已完成整改9个（其中逾期完成1个），正在整改3个
    （其中已超过整改时限1个）。 — every part with a zero count left out."""
    if not total.assigned:
        return "期间未排查出问题。"
    sources = [
        f"{label}{n}个"
        for label, n in ((ASSIGNED, total.handed_down), (SELF_FOUND, total.self_found))
        if n
    ]
    text = f"共排查问题{total.assigned}个"
    if len(sources) > 1:
        text += f"（{'、'.join(sources)}）"
    elif sources:
        text += f"，均为{'交办问题' if total.handed_down else '自查问题'}"
    if total.done:
        text += f"，已完成整改{total.done}个"
        if total.done_late:
            text += f"（其中逾期完成{total.done_late}个）"
    if total.in_progress:
        text += f"，正在整改{total.in_progress}个"
        if total.overdue_open:
            text += f"（其中已超过整改时限{total.overdue_open}个）"
    if total.done == total.assigned:
        text += "，已全部完成整改"
    return text + "。"


def _parse(day: Any) -> date | None:
    try:
        return date.fromisoformat(str(day)[:10]) if day else None
    except ValueError:
        return None


def _title(unit: str, period: Period, site_type: str) -> str:
    return f"{unit}关于{period.label}{site_type}生态环境问题整改进展情况的报告"


def progress_report(
    ctx: AppContext,
    period: Period,
    site_type: str = "",
    today: date | None = None,
    made_on: date | None = None,
) -> ProgressReport:
    today = today or date.today()
    period = named_period(period.start, period.end)  # --from/--to over a whole year reads 2023年度
    as_of = min(period.end, today)
    form = ctx.registry.form(TASK_FORM)
    settings = load_settings(ctx)
    unit = settings.get("unit_name", "")
    issuer = settings.get("issuer", "") or unit  # 发文机关: the title and the signature
    start, end = period.start.isoformat(), period.end.isoformat()

    task = aliased(Record)
    site = aliased(Record)
    deadline = record_sql.deadline_in_force(task, form)
    completed = json_value(task, TASK_COMPLETED_FIELD)
    source = json_value(task, TASK_SOURCE_FIELD)
    done = and_(completed.is_not(None), completed <= end)
    open_ = ~done
    late = record_sql.task_overdue_sql(deadline, completed, as_of)
    conditions = [
        live(task, TASK_FORM),
        task.record_date >= period.start,
        task.record_date <= period.end,
    ]
    if site_type:
        conditions.append(json_value(site, SITE_TYPE_FIELD) == site_type)

    def count_if(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    site_key = func.coalesce(site.id, literal(""))
    self_found = source.in_(SELF_FOUND_SOURCES)
    with ctx.reading() as session:
        grouped = session.execute(
            select(
                site_key,
                func.count(),
                count_if(or_(source.is_(None), ~self_found)),
                count_if(self_found),
                count_if(and_(done, ~late)),
                count_if(and_(done, late)),
                count_if(open_),
                count_if(and_(open_, late)),
            )
            .select_from(task)
            .outerjoin(site, and_(site.id == task.site_id, site.deleted.is_(False)))
            .where(*conditions)
            .group_by(site_key)
        ).all()
        open_rows = session.execute(
            select(
                site_key,
                json_value(task, TASK_NO_FIELD),
                json_value(task, DESCRIPTION_FIELD),
                deadline,
                late,
            )
            .select_from(task)
            .outerjoin(site, and_(site.id == task.site_id, site.deleted.is_(False)))
            .where(*conditions, open_)
            .order_by(func.coalesce(deadline, "9999"), task.record_date)
        ).all()
        counted_ids = [str(r[0]) for r in grouped if r[0]]
        listed = [
            live(site, SITE_FORM),
            or_(
                site.id.in_(counted_ids),
                and_(
                    literal(bool(site_type)),
                    json_value(site, SITE_TYPE_FIELD) == site_type,
                    site.status == SITE_ACTIVE,
                    or_(
                        json_value(site, SUPERVISED_FROM_FIELD).is_(None),
                        json_value(site, SUPERVISED_FROM_FIELD) <= end,
                    ),
                    or_(
                        json_value(site, SUPERVISED_UNTIL_FIELD).is_(None),
                        json_value(site, SUPERVISED_UNTIL_FIELD) >= start,
                    ),
                ),
            ),
        ]
        site_rows = session.execute(
            select(
                site.id,
                json_value(site, SITE_NAME_FIELD),
                json_value(site, SITE_TYPE_FIELD),
                json_value(site, LEADER_FIELD),
            ).where(*listed)
        ).all()

    opened: dict[str, list[OpenTask]] = {}
    for key, number, description, due, is_late in open_rows:
        opened.setdefault(str(key), []).append(
            OpenTask(str(number or ""), str(description or ""), _parse(due), bool(is_late))
        )
    counts = {
        str(r[0]): dict(zip(COUNTS, (int(v or 0) for v in r[1:]), strict=True)) for r in grouped
    }
    sites = [
        SiteProgress(
            site_id=str(sid),
            site=str(name or ""),
            site_type=str(kind or ""),
            leader=str(leader or ""),
            **counts.get(str(sid), {}),
            open_tasks=tuple(opened.get(str(sid), [])),
        )
        for sid, name, kind, leader in site_rows
    ]
    sites.sort(key=lambda s: (-s.assigned, s.site))
    if "" in counts and not site_type:
        sites.append(
            SiteProgress("", NO_SITE, "", "", **counts[""], open_tasks=tuple(opened.get("", [])))
        )
    total = SiteProgress(
        "", "合计", site_type, "", **{k: sum(getattr(s, k) for s in sites) for k in COUNTS}
    )
    if made_on is None:
        made_on = office_calendar(ctx).last_workday_until(min(period.end, today))
    return ProgressReport(
        period=period,
        as_of=as_of,
        site_type=site_type,
        unit=issuer,
        addressee=settings.get("addressee", ""),
        title=_title(issuer, period, site_type),
        sites=tuple(sites),
        total=total,
        sentence=progress_sentence(total),
        made_on=made_on,
        notes=() if issuer else ("设置中未填写单位名称，报告标题和落款将缺少单位名称。",),
    )
