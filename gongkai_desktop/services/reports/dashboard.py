"""工作台 figures: overdue and soon-due rectification tasks, sites whose required patrols
of this month (or quarter) are not yet done, this month's workload, and the disclosure
deadlines (依申请公开 replies and 补正 notices, 主动公开 items not yet published) with
the holiday-table warnings they depend on.

Every figure is an SQL aggregate over the live (not deleted) records, read in one
transaction; Python only shapes the few rows that come back. Working days are the exception: they
need the office's holiday table, so SQL selects the candidates (open requests, items past
their stored 公开时限: a handful) and ``domain.workdays`` counts days for those rows only. Which inspection type
counts as a patrol of which site type is read from the form files (a form's
``patrol:`` block, whichever form declares one), never from code.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from gongkai_desktop.data.models import Record
from gongkai_desktop.domain.periods import Period, parse_period, period_between
from gongkai_desktop.domain.workdays import WorkCalendar, correction_notice_due, workdays_left
from gongkai_desktop.forms.spec import FormSpec
from gongkai_desktop.forms.values import workday_deadline
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records import sql as record_sql
from gongkai_desktop.services.reports.figures import quarter_name, sites_by_month

# The forms and values the figures are about (ids and labels in forms/*.yaml).
SITE_FORM = "site"
SITE_ACTIVE = "在用"  # 停用 and 待完善 sites have no patrol requirement
SITE_TYPE_FIELD = "site_type"
PATROL_TIMES_FIELD = "patrol_times"
PATROL_PERIOD_FIELD = "patrol_period"
QUARTERLY = "每季度"  # anything else (每月, or left empty) is monthly
SUPERVISED_FROM_FIELD = "supervised_from"
SUPERVISED_UNTIL_FIELD = "supervised_until"

INSPECTION_FORM = "inspection"
INSPECTION_TYPE_FIELD = "inspection_type"

OUTREACH_FORM = "outreach_event"
MATERIALS_FIELD = "materials"

TASK_FORM = "rectification_task"
TASK_DONE = "已办结"
TASK_NUMBER_FIELD = "task_no"
TASK_DESCRIPTION_FIELD = "description"
TASK_VILLAGE_FIELD = "village"
TASK_DEADLINE_FIELD = "deadline_in_force"  # computed: the extended deadline, else the deadline
TASK_COMPLETED_FIELD = "completed_date"

DUE_SOON_DAYS = 7

REQUEST_FORM = "disclosure_request"
REQUEST_NUMBER_FIELD = "request_no"
REQUEST_APPLICANT_FIELD = "applicant"
REQUEST_RECEIVED_FIELD = "received_date"
REQUEST_DEADLINE_FIELD = "reply_deadline"  # computed, in the office's working days
CONSULTATIONS_FIELD = "consultations"  # 征求意见 rows: sent_date, returned_date
REQUEST_REPLY_FIELD = "reply_date"  # empty while the request is open
CORRECTION_NOTICE_FIELD = "correction_notice_date"
REQUEST_DUE_SOON_WORKDAYS = 5

ITEM_FORM = "disclosure_item"
ITEM_NUMBER_FIELD = "index_no"
ITEM_TITLE_FIELD = "title"
ITEM_GENERATED_FIELD = "generated_date"
ITEM_DUE_FIELD = "publish_due"  # computed: 20 working days after the 生成日期
ITEM_WAITING = "拟公开"  # 已公开 and 不予公开 items are decided


@dataclass(frozen=True)
class TaskEntry:
    """An open rectification task whose deadline in force is past or near."""

    id: str
    number: str
    description: str
    site_name: str  # "" when the task names no site
    village: str
    deadline: date  # the deadline in force
    days_overdue: int  # today − deadline: > 0 overdue, ≤ 0 not yet due

    @property
    def days_left(self) -> int:
        return -self.days_overdue


@dataclass(frozen=True)
class PatrolGap:
    """A site whose required patrols of the current period are not all done."""

    site_id: str
    name: str
    site_type: str
    required: int
    done: int
    missing: int
    period_label: str  # 2026年11月 or 2026年第四季度


@dataclass(frozen=True)
class YearShortfall:
    """A site that missed patrols in a finished month (or quarter) of this year."""

    site_id: str
    name: str
    site_type: str
    months: tuple[tuple[int, int], ...]  # (month, patrols missing), in order
    quarterly: bool = False  # a 每季度 site: each month is its quarter's first

    @property
    def missing(self) -> int:
        return sum(n for _m, n in self.months)

    @property
    def text(self) -> str:
        """8月缺1次、11月缺2次 (第二季度缺1次 for a 每季度 site)"""
        if self.quarterly:
            return "、".join(f"{quarter_name(m)}缺{n}次" for m, n in self.months)
        return "、".join(f"{m}月缺{n}次" for m, n in self.months)


@dataclass(frozen=True)
class MonthCounts:
    period_label: str
    inspections_by_type: tuple[tuple[str, int], ...]  # every type of the form, in form order
    inspections: int
    outreach_events: int
    materials: int  # 发放宣传资料（份）
    open_tasks: int  # not 已办结, whatever their date
    tasks_completed: int  # 办结日期 in this month


@dataclass(frozen=True)
class RequestEntry:
    """An open 依申请公开 request whose reply (or 补正 notice) deadline is near or past."""

    id: str
    number: str
    applicant: str
    received: date
    deadline: date  # 法定答复期限, or the last day for the 补正 notice
    # working days from tomorrow through the deadline; past it: minus the working days
    # since (0 when only rest days have passed)
    workdays_left: int


@dataclass(frozen=True)
class ItemEntry:
    """A 主动公开 item still 拟公开 after its 公开时限."""

    id: str
    number: str
    title: str
    generated: date
    due: date
    workdays_overdue: int


@dataclass(frozen=True)
class DisclosureDue:
    replies_overdue: tuple[RequestEntry, ...] = ()  # most overdue first
    replies_due_soon: tuple[RequestEntry, ...] = ()  # ≤ 5 working days left, soonest first
    corrections_due: tuple[RequestEntry, ...] = ()  # 补正 notice still possible, soonest first
    items_overdue: tuple[ItemEntry, ...] = ()  # most overdue first
    calendar_warnings: tuple[str, ...] = ()  # years the holiday table is missing

    @property
    def empty(self) -> bool:
        return (
            not (self.replies_overdue or self.replies_due_soon or self.corrections_due)
            and not self.items_overdue
        )


@dataclass(frozen=True)
class Dashboard:
    today: date
    overdue: tuple[TaskEntry, ...]  # most overdue first
    due_soon: tuple[TaskEntry, ...]  # due today … today + 7, soonest first
    patrol_gaps: tuple[PatrolGap, ...]  # most missing first
    month: MonthCounts
    disclosure: DisclosureDue = DisclosureDue()
    # this year's finished months: the sites that fell short, most missing first
    year_shortfalls: tuple[YearShortfall, ...] = ()


def month_of(day: date) -> Period:
    return parse_period(f"{day.year:04d}-{day.month:02d}")


def quarter_of(day: date) -> Period:
    return parse_period(f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}")


_json = record_sql.json_value


class _InTransaction:
    """Stands in for the AppContext where a service reads through ``ctx.reading()`` (or
    ``ctx.transaction()``): the 工作台 reads everything in one transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        yield self.session

    reading = transaction


_live = record_sql.live


class DashboardService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.registry = ctx.registry

    def overview(self, today: date) -> Dashboard:
        month = month_of(today)
        quarter = quarter_of(today)
        with self.ctx.reading() as session:
            overdue, due_soon = self._tasks_due(session, today)
            gaps = self._patrol_gaps(session, month, quarter)
            counts = self._month_counts(session, month)
            calendar, status = self._calendar(session, today)
            disclosure = self._disclosure_due(session, today, calendar, status)
            shortfalls = self._year_shortfalls(session, today)
        return Dashboard(today, overdue, due_soon, gaps, counts, disclosure, shortfalls)

    def _year_shortfalls(self, session: Session, today: date) -> tuple[YearShortfall, ...]:
        """Sites short of their patrols in this year's months before the current one
        (the running month is the patrol gaps' business), from the report figures'
        per-site coverage, so the 工作台 and the annual report never disagree."""
        if today.month == 1:
            return ()
        finished = period_between(date(today.year, 1, 1), month_of(today).start - timedelta(1))
        rows = sites_by_month(self.ctx, session, finished)
        running_quarter = quarter_of(today).start.month
        by_site: dict[str, YearShortfall] = {}
        for row in rows:
            month = int(row["month"][5:7])
            quarterly = bool(row["quarterly"])
            if not row["missing"] or (quarterly and month == running_quarter):
                continue  # the running quarter is the patrol gaps' business too
            known = by_site.get(row["site_id"])
            months = (*(known.months if known else ()), (month, row["missing"]))
            by_site[row["site_id"]] = YearShortfall(
                row["site_id"], row["site"], row["site_type"], months, quarterly
            )
        return tuple(sorted(by_site.values(), key=lambda s: (-s.missing, s.name)))

    def _calendar(self, session: Session, today: date) -> tuple[WorkCalendar, list[str]]:
        """The office calendar and its status warnings (this year, next year from
        November), read in the overview's own transaction, when a form counts working
        days."""
        if REQUEST_FORM not in self.registry.forms and ITEM_FORM not in self.registry.forms:
            return WorkCalendar(), []
        from gongkai_desktop.services.records import calendar as work_calendar

        within = _InTransaction(session)
        return work_calendar.load_calendar(within), work_calendar.calendar_status(within, today)  # type: ignore[arg-type]

    def record_counts(self) -> dict[str, tuple[int, int]]:
        """form id -> (live records, records in the 回收站)."""
        live = func.sum(case((Record.deleted.is_(False), 1), else_=0))
        deleted = func.sum(case((Record.deleted.is_(True), 1), else_=0))
        stmt = select(Record.form_id, live, deleted).group_by(Record.form_id)
        with self.ctx.reading() as session:
            return {form_id: (int(a), int(b)) for form_id, a, b in session.execute(stmt)}

    # ---- rectification tasks --------------------------------------------------------
    def _task_form(self) -> FormSpec | None:
        form = self.registry.forms.get(TASK_FORM)
        return form if form is not None and form.has_field(TASK_DEADLINE_FIELD) else None

    @staticmethod
    def _deadline_in_force(form: FormSpec) -> ColumnElement[Any]:
        return record_sql.deadline_in_force(Record, form)

    @staticmethod
    def _task_open() -> ColumnElement[bool]:
        return record_sql.task_open(Record)

    def _tasks_due(
        self, session: Session, today: date
    ) -> tuple[tuple[TaskEntry, ...], tuple[TaskEntry, ...]]:
        form = self._task_form()
        if form is None:
            return (), ()
        deadline = self._deadline_in_force(form)
        site = aliased(Record)
        horizon = (today + timedelta(days=DUE_SOON_DAYS)).isoformat()
        stmt = (
            select(
                Record.id,
                _json(Record, TASK_NUMBER_FIELD),
                _json(Record, TASK_DESCRIPTION_FIELD),
                site.title,
                _json(Record, TASK_VILLAGE_FIELD),
                deadline,
            )
            .outerjoin(site, site.id == Record.site_id)
            .where(_live(Record, TASK_FORM), self._task_open(), deadline <= horizon)
            .order_by(deadline.asc(), Record.record_date.asc(), Record.id.asc())
        )
        overdue: list[TaskEntry] = []
        due_soon: list[TaskEntry] = []
        for row_id, number, description, site_name, village, raw_deadline in session.execute(stmt):
            day = date.fromisoformat(raw_deadline)
            entry = TaskEntry(
                id=row_id,
                number=str(number or ""),
                description=str(description or ""),
                site_name=site_name or "",
                village=str(village or ""),
                deadline=day,
                days_overdue=(today - day).days,
            )
            (overdue if day < today else due_soon).append(entry)
        return tuple(overdue), tuple(due_soon)

    # ---- disclosure deadlines -------------------------------------------------------
    def _disclosure_due(
        self, session: Session, today: date, calendar: WorkCalendar, status: Sequence[str]
    ) -> DisclosureDue:
        warnings = list(status)
        overdue: list[RequestEntry] = []
        due_soon: list[RequestEntry] = []
        corrections: list[RequestEntry] = []
        uncovered: dict[int, int] = {}
        if REQUEST_FORM in self.registry.forms:
            # open requests only (no 答复日期): the few whose days are counted below
            stmt = (
                select(
                    Record.id,
                    _json(Record, REQUEST_NUMBER_FIELD),
                    _json(Record, REQUEST_APPLICANT_FIELD),
                    _json(Record, REQUEST_RECEIVED_FIELD),
                    _json(Record, REQUEST_DEADLINE_FIELD),
                    _json(Record, CORRECTION_NOTICE_FIELD),
                    Record.data,
                )
                .where(_live(Record, REQUEST_FORM), _json(Record, REQUEST_REPLY_FIELD).is_(None))
                .order_by(_json(Record, REQUEST_DEADLINE_FIELD).asc(), Record.id.asc())
            )
            deadline_spec = self.registry.forms[REQUEST_FORM].field(REQUEST_DEADLINE_FIELD)
            rows = session.execute(stmt)
            for row_id, number, applicant, received, deadline, notice, data in rows:
                if not received:
                    continue
                got = date.fromisoformat(received)
                head = (row_id, str(number or ""), str(applicant or ""), got)
                if deadline and _consultation_out(data):
                    # the stored deadline counted the wait only up to the day it was saved:
                    # count it again through today
                    fresh = workday_deadline(deadline_spec, data, calendar, today)
                    deadline = fresh.due.isoformat() if fresh else deadline
                if deadline:
                    due = date.fromisoformat(deadline)
                    left = workdays_left(calendar, today, due)
                    if not calendar.covers(due.year):
                        uncovered[due.year] = uncovered.get(due.year, 0) + 1
                    if due < today:  # past, if only by a weekend: a reply now is late
                        overdue.append(RequestEntry(*head, due, left))
                    elif left <= REQUEST_DUE_SOON_WORKDAYS:
                        due_soon.append(RequestEntry(*head, due, left))
                if not notice:
                    last = correction_notice_due(calendar, got).due
                    if today <= last:
                        left = workdays_left(calendar, today, last)
                        corrections.append(RequestEntry(*head, last, left))
        for year, count in sorted(uncovered.items()):
            warnings.append(
                f"有{count}件在办的依申请公开，法定答复期限落在{year}年，而{year}年的节假日安排"
                f"尚未录入，期限按周一至周五计算，可能不准确。请在“设置—节假日与调休”中录入"
                f"{year}年的安排。"
            )
        overdue.sort(key=lambda e: (e.workdays_left, e.received))
        corrections.sort(key=lambda e: (e.deadline, e.received))
        items: list[ItemEntry] = []
        if ITEM_FORM in self.registry.forms:
            item_due = _json(Record, ITEM_DUE_FIELD)
            waiting = func.coalesce(Record.status, ITEM_WAITING) == ITEM_WAITING
            stmt = (
                select(
                    Record.id,
                    _json(Record, ITEM_NUMBER_FIELD),
                    _json(Record, ITEM_TITLE_FIELD),
                    _json(Record, ITEM_GENERATED_FIELD),
                    item_due,
                )
                .where(_live(Record, ITEM_FORM), waiting, item_due < today.isoformat())
                .order_by(item_due.asc(), Record.id.asc())
            )
            for row_id, number, title, generated, due in session.execute(stmt):
                day = date.fromisoformat(due)
                items.append(
                    ItemEntry(
                        row_id,
                        str(number or ""),
                        str(title or ""),
                        date.fromisoformat(generated),
                        day,
                        -workdays_left(calendar, today, day),
                    )
                )
        return DisclosureDue(
            tuple(overdue), tuple(due_soon), tuple(corrections), tuple(items), tuple(warnings)
        )

    # ---- patrol requirements --------------------------------------------------------
    def patrol_forms(self) -> list[FormSpec]:
        """Forms that declare which of their records count as patrols (and have a date)."""
        return record_sql.patrol_forms(self.registry)

    def _patrols_done(
        self, site: Any, start: ColumnElement[Any], end: ColumnElement[Any]
    ) -> ColumnElement[Any]:
        return record_sql.patrols_done(self.registry, Record, site, start, end)

    def _patrol_gaps(
        self, session: Session, month: Period, quarter: Period
    ) -> tuple[PatrolGap, ...]:
        if SITE_FORM not in self.registry.forms:
            return ()
        site = aliased(Record)
        quarterly = _json(site, PATROL_PERIOD_FIELD) == QUARTERLY
        start = case((quarterly, quarter.start.isoformat()), else_=month.start.isoformat())
        end = case((quarterly, quarter.end.isoformat()), else_=month.end.isoformat())
        required = _json(site, PATROL_TIMES_FIELD)
        per_site = (
            select(
                site.id.label("id"),
                site.title.label("name"),
                _json(site, SITE_TYPE_FIELD).label("site_type"),
                required.label("required"),
                quarterly.label("quarterly"),
                self._patrols_done(site, start, end).label("done"),
            )
            .where(
                _live(site, SITE_FORM),
                site.status == SITE_ACTIVE,
                required > 0,
                # under supervision on some day of this month (quarter)
                or_(
                    _json(site, SUPERVISED_FROM_FIELD).is_(None),
                    _json(site, SUPERVISED_FROM_FIELD) <= end,
                ),
                or_(
                    _json(site, SUPERVISED_UNTIL_FIELD).is_(None),
                    _json(site, SUPERVISED_UNTIL_FIELD) >= start,
                ),
            )
            .subquery()
        )
        missing = per_site.c.required - per_site.c.done
        stmt = (
            select(per_site, missing.label("missing"))
            .where(missing > 0)
            .order_by(missing.desc(), per_site.c.name.asc(), per_site.c.id.asc())
        )
        return tuple(
            PatrolGap(
                site_id=row.id,
                name=row.name,
                site_type=str(row.site_type or ""),
                required=int(row.required),
                done=int(row.done),
                missing=int(row.missing),
                period_label=quarter.label if row.quarterly else month.label,
            )
            for row in session.execute(stmt)
        )

    # ---- this month -----------------------------------------------------------------
    def _inspection_types(self) -> Sequence[str]:
        form = self.registry.forms.get(INSPECTION_FORM)
        if form is None or not form.has_field(INSPECTION_TYPE_FIELD):
            return ()
        return form.field(INSPECTION_TYPE_FIELD).choices

    def _month_counts(self, session: Session, month: Period) -> MonthCounts:
        in_month = and_(Record.record_date >= month.start, Record.record_date <= month.end)

        kind = _json(Record, INSPECTION_TYPE_FIELD)
        by_type_rows = session.execute(
            select(kind, func.count())
            .where(_live(Record, INSPECTION_FORM), in_month)
            .group_by(kind)
        ).all()
        found = {str(label or ""): int(n) for label, n in by_type_rows}
        types = list(self._inspection_types())
        types += sorted(t for t in found if t not in types)  # labels no longer in the form
        by_type = tuple((t, found.get(t, 0)) for t in types)

        events, materials = session.execute(
            select(func.count(), func.coalesce(func.sum(_json(Record, MATERIALS_FIELD)), 0)).where(
                _live(Record, OUTREACH_FORM), in_month
            )
        ).one()

        completed = _json(Record, TASK_COMPLETED_FIELD)
        open_tasks, completed_tasks = session.execute(
            select(
                func.coalesce(func.sum(case((self._task_open(), 1), else_=0)), 0),
                func.coalesce(
                    func.sum(
                        case(
                            (
                                and_(
                                    completed >= month.start.isoformat(),
                                    completed <= month.end.isoformat(),
                                ),
                                1,
                            ),
                            else_=0,
                        )
                    ),
                    0,
                ),
            ).where(_live(Record, TASK_FORM))
        ).one()

        return MonthCounts(
            period_label=month.label,
            inspections_by_type=by_type,
            inspections=sum(n for _t, n in by_type),
            outreach_events=int(events),
            materials=int(materials),
            open_tasks=int(open_tasks),
            tasks_completed=int(completed_tasks),
        )


def _consultation_out(data: Any) -> bool:
    """A 征求意见 sent and not yet answered (its days still count)."""
    rows = data.get(CONSULTATIONS_FIELD) if isinstance(data, dict) else None
    return any(isinstance(r, dict) and not r.get("returned_date") for r in rows or [])
