"""Figures for any period (issue 5 item 1): the one object every report output uses.

Every figure is an SQL aggregate over live (not deleted) records, in a handful of
queries read in one transaction; Python only fills in the labels and shapes the JSON.
Labels (types, sources, site types) are the Chinese labels of the form files, every
label of the choice list in form order with zeros included; a label found in the data
but no longer in the form is appended after them.

Rules worth knowing when reading the numbers:

- Outreach events and inspections count by their record date (活动日期 / 巡查日期).
- Rectification tasks: ``assigned`` is 交办日期, ``completed`` is 办结日期, and the
  deadline in force is today's value of 现行整改时限 (an extension counts even if it was
  approved after the period). ``open_at_start``: assigned before the period and not
  completed before it; ``in_progress``: assigned by the period end and not completed by
  it; ``overdue``: in progress at the end with the deadline in force before the end;
  ``completed_late``: 办结日期 in the period and after the deadline in force.
- Patrol coverage, per site type that some patrol record counts for (the form's
  ``patrol:`` block): sites that are 在用 now with 要求巡查次数 > 0 and created by the
  period end. The period is cut into the months (每月 sites) or quarters (每季度 sites)
  it overlaps; a site owes its 要求巡查次数 for each such month/quarter at whose end (or
  the period end, if earlier) it already existed (``created_at``) — so a site added
  mid-period owes only the months/quarters after it was added. Patrols done are
  counted per site and per month/quarter, from the start of that month/quarter up to
  its end or the period end, whichever is earlier, and capped at the requirement, so
  extra patrols of one site never hide another's gap. Sites 停用 or 待完善 today are
  left out entirely (the record keeps no history of when the status changed).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from gongkai_desktop.data.models import Record
from gongkai_desktop.domain.periods import Period
from gongkai_desktop.forms.spec import FormRegistry
from gongkai_desktop.services import record_sql
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.record_sql import json_value, live
from gongkai_desktop.services.settings import load_settings

OUTREACH_FORM = "outreach_event"
OUTREACH_TYPE_FIELD = "event_type"
OUTREACH_SUMS = {  # figure -> field summed
    "staff": "staff_count",
    "audience": "audience_count",
    "materials": "materials",
    "brochures": "brochures",
    "consultations": "consultations",
}

INSPECTION_FORM = "inspection"
INSPECTION_TYPE_FIELD = "inspection_type"
INSPECTORS_FIELD = "inspector_count"
VEHICLES_FIELD = "vehicle_count"
PROBLEM_FIELD = "problem_found"
BURNING_STOPPED_FIELD = "burning_stopped"
BURNING_TYPE = "秸秆禁烧巡查"  # the inspection type whose 制止焚烧 is counted

SITE_FORM = "site"
SITE_ACTIVE = "在用"
SITE_TYPE_FIELD = "site_type"
PATROL_TIMES_FIELD = "patrol_times"
PATROL_PERIOD_FIELD = "patrol_period"
QUARTERLY = "每季度"  # anything else (每月, or left empty) is monthly

TASK_FORM = "rectification_task"
TASK_SOURCE_FIELD = "source"
TASK_COMPLETED_FIELD = "completed_date"


def _labels(registry: FormRegistry, form_id: str, key: str, found: Sequence[Any]) -> list[str]:
    form = registry.forms.get(form_id)
    labels = list(form.field(key).choices) if form is not None and form.has_field(key) else []
    labels += sorted({str(f) for f in found if f is not None and str(f) not in labels})
    return labels


def _int(value: Any) -> int:
    return int(value or 0)


def _sum(expr: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(expr), 0)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return _sum(case((condition, 1), else_=0))


def months_of(period: Period) -> list[tuple[date, date]]:
    """The calendar months the period overlaps, as (first day, last day)."""
    units = []
    year, month = period.start.year, period.start.month
    while date(year, month, 1) <= period.end:
        units.append((date(year, month, 1), _month_end(year, month)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return units


def quarters_of(period: Period) -> list[tuple[date, date]]:
    """The calendar quarters the period overlaps, as (first day, last day)."""
    firsts = sorted({(y, 3 * ((m - 1) // 3) + 1) for y, m in _month_keys(period)})
    return [(date(y, m, 1), _month_end(y, m + 2)) for y, m in firsts]


def _month_keys(period: Period) -> list[tuple[int, int]]:
    return [(first.year, first.month) for first, _last in months_of(period)]


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


class ReportFigures:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.registry = ctx.registry

    def figures(self, period: Period) -> dict[str, Any]:
        with self.ctx.transaction() as session:
            result = {
                "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
                "unit": "",
                "outreach": self._outreach(session, period),
                "inspections": self._inspections(session, period),
                "patrol_coverage": self._patrol_coverage(session, period),
                "rectification": self._rectification(session, period),
            }
        result["unit"] = load_settings(self.ctx).get("unit_name", "")
        return result

    @staticmethod
    def _in_period(period: Period) -> ColumnElement[bool]:
        return and_(Record.record_date >= period.start, Record.record_date <= period.end)

    # ---- outreach -------------------------------------------------------------------
    def _outreach(self, session: Session, period: Period) -> dict[str, Any]:
        where = (live(Record, OUTREACH_FORM), self._in_period(period))
        sums = [_sum(json_value(Record, key)) for key in OUTREACH_SUMS.values()]
        events, *totals = session.execute(select(func.count(), *sums).where(*where)).one()
        kind = json_value(Record, OUTREACH_TYPE_FIELD)
        rows = session.execute(select(kind, func.count()).where(*where).group_by(kind)).all()
        found = {str(k): _int(n) for k, n in rows if k is not None}
        labels = _labels(self.registry, OUTREACH_FORM, OUTREACH_TYPE_FIELD, list(found))
        return {
            "events": _int(events),
            **{name: _int(v) for name, v in zip(OUTREACH_SUMS, totals, strict=True)},
            "by_type": {label: found.get(label, 0) for label in labels},
        }

    # ---- inspections ----------------------------------------------------------------
    def _inspections(self, session: Session, period: Period) -> dict[str, Any]:
        where = (live(Record, INSPECTION_FORM), self._in_period(period))
        kind = json_value(Record, INSPECTION_TYPE_FIELD)
        total, inspectors, vehicles, problems, stopped = session.execute(
            select(
                func.count(),
                _sum(json_value(Record, INSPECTORS_FIELD)),
                _sum(json_value(Record, VEHICLES_FIELD)),
                _count_if(json_value(Record, PROBLEM_FIELD) == 1),
                _sum(case((kind == BURNING_TYPE, json_value(Record, BURNING_STOPPED_FIELD)))),
            ).where(*where)
        ).one()
        rows = session.execute(select(kind, func.count()).where(*where).group_by(kind)).all()
        found = {str(k): _int(n) for k, n in rows if k is not None}
        labels = _labels(self.registry, INSPECTION_FORM, INSPECTION_TYPE_FIELD, list(found))
        return {
            "total": _int(total),
            "by_type": {label: found.get(label, 0) for label in labels},
            "inspectors": _int(inspectors),
            "vehicles": _int(vehicles),
            "problems_found": _int(problems),
            "burning_stopped": _int(stopped),
        }

    # ---- patrol coverage ------------------------------------------------------------
    def _patrol_coverage(self, session: Session, period: Period) -> dict[str, Any]:
        counted = record_sql.patrol_site_types(self.registry)
        site_form = self.registry.forms.get(SITE_FORM)
        order = (
            list(site_form.field(SITE_TYPE_FIELD).choices)
            if site_form is not None and site_form.has_field(SITE_TYPE_FIELD)
            else []
        )
        types = [t for t in order if t in counted] + sorted(counted - set(order))
        coverage = {t: {"sites": 0, "required": 0, "done": 0} for t in types}
        if site_form is None or not types:
            return coverage

        site = aliased(Record)
        site_type = json_value(site, SITE_TYPE_FIELD)
        required = json_value(site, PATROL_TIMES_FIELD)
        quarterly = json_value(site, PATROL_PERIOD_FIELD) == QUARTERLY
        created = func.date(site.created_at)
        base = (
            live(site, SITE_FORM),
            site.status == SITE_ACTIVE,
            required > 0,
            site_type.in_(types),
        )
        # one row per (site, month/quarter it owes patrols for), all in one query
        per_unit = []
        for units, is_quarterly in ((months_of(period), False), (quarters_of(period), True)):
            for first, last in units:
                until = min(last, period.end)
                done = record_sql.patrols_done(
                    self.registry, Record, site, first.isoformat(), until.isoformat()
                )
                per_unit.append(
                    select(
                        site.id.label("site_id"),
                        site_type.label("site_type"),
                        required.label("required"),
                        func.min(done, required).label("done"),
                    ).where(
                        *base,
                        quarterly if is_quarterly else ~quarterly,
                        created <= until.isoformat(),
                    )
                )
        units_sq = union_all(*per_unit).subquery()
        rows = session.execute(
            select(
                units_sq.c.site_type,
                func.count(func.distinct(units_sq.c.site_id)),
                _sum(units_sq.c.required),
                _sum(units_sq.c.done),
            ).group_by(units_sq.c.site_type)
        ).all()
        for label, sites, owed, done in rows:
            coverage[str(label)] = {
                "sites": _int(sites),
                "required": _int(owed),
                "done": _int(done),
            }
        return coverage

    # ---- rectification tasks --------------------------------------------------------
    def _rectification(self, session: Session, period: Period) -> dict[str, Any]:
        start, end = period.start.isoformat(), period.end.isoformat()
        form = self.registry.forms.get(TASK_FORM)
        assigned = Record.record_date
        completed = json_value(Record, TASK_COMPLETED_FIELD)
        deadline = (
            record_sql.deadline_in_force(Record, form)
            if form is not None and form.has_field(record_sql.TASK_DEADLINE_FIELD)
            else literal(None)
        )
        is_new = and_(assigned >= period.start, assigned <= period.end)
        done_in = and_(completed >= start, completed <= end)
        in_progress = and_(assigned <= period.end, or_(completed.is_(None), completed > end))
        where = live(Record, TASK_FORM)
        row = session.execute(
            select(
                _count_if(
                    and_(assigned < period.start, or_(completed.is_(None), completed >= start))
                ),
                _count_if(is_new),
                _count_if(done_in),
                _count_if(in_progress),
                _count_if(and_(in_progress, deadline < end)),
                _count_if(and_(done_in, completed > deadline)),
            ).where(where)
        ).one()
        source = json_value(Record, TASK_SOURCE_FIELD)
        rows = session.execute(
            select(source, _count_if(is_new), _count_if(done_in))
            .where(where, or_(is_new, done_in))
            .group_by(source)
        ).all()
        found = {str(s): (_int(n), _int(c)) for s, n, c in rows if s is not None}
        labels = _labels(self.registry, TASK_FORM, TASK_SOURCE_FIELD, list(found))
        names = ("open_at_start", "new", "completed", "in_progress", "overdue", "completed_late")
        return {
            **{name: _int(v) for name, v in zip(names, row, strict=True)},
            "by_source": {
                label: dict(zip(("new", "completed"), found.get(label, (0, 0)), strict=True))
                for label in labels
            },
        }


def figures(ctx: AppContext, period: Period) -> dict[str, Any]:
    """The figures of ``period`` as the JSON object of ``gongkai report figures``."""
    return ReportFigures(ctx).figures(period)
