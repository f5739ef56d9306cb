"""Figures for any period: the one object every report output uses.

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
- Per type: ``inspections.per_type`` has each inspection type's inspectors (人次),
  vehicles (车次), notices handed out (发放告知书/宣传资料), problems found and
  burnings stopped; ``outreach.per_type`` and ``outreach.by_place`` (场镇, 村（社区）,
  学校 … from 地点类别) each event type's and place kind's events and sums.
- ``other_work``: records of 其他工作 by date, ``times`` summing 次数 (a record without
  one counts once), per 工作类别. ``indicators``: the 年度指标 records of the years a
  period covers in full (a month or quarter has none).
- Patrol coverage, per site type that some patrol record counts for (the form's
  ``patrol:`` block): sites with 要求巡查次数 > 0 that are 在用 now, or 停用 with a
  停止监管日期 (their history is then known). What a site owes follows its supervision
  period (监管起始日期 … 停止监管日期, each optional: empty means without limit) and
  never the time the record was entered, so a year entered afterwards is counted in
  full. The period is cut into the months (每月 sites) or quarters (每季度 sites) it
  overlaps; a site owes its 要求巡查次数 for every month/quarter in which it was under
  supervision on at least one day — a month partly supervised is owed in full, because
  the requirement is "N patrols a month" and a clerk reads a month with none as missed.
  Patrols done are counted per site and per month/quarter, from the start of that
  month/quarter up to its end or the period end, whichever is earlier, and capped at the
  requirement, so extra patrols of one site never hide another's gap. Sites 待完善
  (made by an import, not checked yet) are left out.
- ``patrol_coverage.by_site``: the same units one row each, ``{"site_id", "site",
  "site_type", "month": "YYYY-MM", "required", "done", "missing", "quarterly"}`` ordered
  by site name then month; a 每季度 site's row (``quarterly``) carries the first month of
  its quarter.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from gongkai_desktop.data.models import Record, Township
from gongkai_desktop.domain.periods import Period
from gongkai_desktop.forms.spec import FormRegistry
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records import sql as record_sql
from gongkai_desktop.services.records.sql import json_value, live
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

OUTREACH_PLACE_FIELD = "place_kind"

INSPECTION_FORM = "inspection"
NOTICES_FIELD = "notices_given"  # 告知书/宣传资料 handed out on the patrol
INSPECTION_TYPE_FIELD = "inspection_type"
INSPECTORS_FIELD = "inspector_count"
VEHICLES_FIELD = "vehicle_count"
PROBLEM_FIELD = "problem_found"
BURNING_STOPPED_FIELD = "burning_stopped"
BURNING_TYPE = "秸秆禁烧巡查"  # the inspection type whose 制止焚烧 is counted

SITE_FORM = "site"
SITE_ACTIVE = "在用"
SITE_STOPPED = "停用"
SITE_NAME_FIELD = "name"
SUPERVISED_FROM_FIELD = "supervised_from"  # empty: supervised since ever
SUPERVISED_UNTIL_FIELD = "supervised_until"  # empty: still supervised
SITE_TYPE_FIELD = "site_type"
PATROL_TIMES_FIELD = "patrol_times"
PATROL_PERIOD_FIELD = "patrol_period"
QUARTERLY = "每季度"  # anything else (每月, or left empty) is monthly
BY_SITE = "by_site"  # the key of the per-site, per-month rows in patrol_coverage

OTHER_WORK_FORM = "other_work"
OTHER_WORK_KIND_FIELD = "kind"
OTHER_WORK_SUMS = {  # figure -> field summed
    "times": "times",
    "participants": "participant_count",
    "notices": "notices",
}

INDICATOR_FORM = "annual_indicator"

TASK_FORM = "rectification_task"
TASK_SOURCE_FIELD = "source"
TASK_COMPLETED_FIELD = "completed_date"


def _labels(registry: FormRegistry, form_id: str, key: str, found: Sequence[Any]) -> list[str]:
    form = registry.forms.get(form_id)
    labels = list(form.field(key).choices) if form is not None and form.has_field(key) else []
    labels += sorted({str(f) for f in found if f is not None and str(f) not in labels})
    return labels


def _per_kind(
    labels: Sequence[str],
    counts: dict[str, int],
    sums: dict[str, dict[str, int]],
    count_name: str,
    names: Any,
) -> dict[str, dict[str, int]]:
    """Each label's own count and sums, every label of the form with zeros included."""
    return {
        label: {
            count_name: counts.get(label, 0),
            **{name: sums.get(label, {}).get(name, 0) for name in names},
        }
        for label in labels
    }


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


def _unit_key(first: date, quarterly: bool) -> str:
    """The key a patrol's date maps to in SQL: 2024-05 for a month, 2024-Q2 for a quarter."""
    if quarterly:
        return f"{first.year:04d}-Q{(first.month + 2) // 3}"
    return f"{first.year:04d}-{first.month:02d}"


def _month_keys(period: Period) -> list[tuple[int, int]]:
    return [(first.year, first.month) for first, _last in months_of(period)]


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


class ReportFigures:
    """Figures of one or several periods, read in one transaction.

    Several periods (the annual report's year and its twelve months) share every scan:
    each form's JSON fields are extracted once per record into a materialized CTE
    (SQLite before 3.45 re-parses the JSON on every ``json_extract``), and each figure
    of each period is a conditional aggregate over those plain columns.
    """

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.registry = ctx.registry

    def figures(self, period: Period) -> dict[str, Any]:
        return self.figures_many([period])[0]

    def figures_many(self, periods: Sequence[Period]) -> list[dict[str, Any]]:
        if not periods:
            return []
        with self.ctx.reading() as session:
            outreach = self._outreach(session, periods)
            inspections = self._inspections(session, periods)
            coverage = self._patrol_coverage(session, periods)
            rectification = self._rectification(session, periods)
            other_work = self._other_work(session, periods)
            indicators = self._indicators(session, periods)
        unit = load_settings(self.ctx).get("unit_name", "")
        return [
            {
                "period": {"from": p.start.isoformat(), "to": p.end.isoformat()},
                "unit": unit,
                "outreach": outreach[i],
                "inspections": inspections[i],
                "patrol_coverage": coverage[i],
                "rectification": rectification[i],
                "other_work": other_work[i],
                "indicators": indicators[i],
            }
            for i, p in enumerate(periods)
        ]

    @staticmethod
    def _extracted(form_id: str, fields: dict[str, str], periods: Sequence[Period]) -> Any:
        """Live records of ``form_id`` dated within the periods' span, with ``fields``
        (column name -> JSON key) extracted once per record."""
        return (
            select(
                Record.record_date.label("day"),
                *(json_value(Record, key).label(name) for name, key in fields.items()),
            )
            .where(
                live(Record, form_id),
                Record.record_date >= min(p.start for p in periods),
                Record.record_date <= max(p.end for p in periods),
            )
            .cte(f"{form_id}_values")
            .prefix_with("MATERIALIZED")
        )

    @staticmethod
    def _within(day: Any, period: Period) -> ColumnElement[bool]:
        return and_(day >= period.start.isoformat(), day <= period.end.isoformat())

    def _grouped_sums(
        self,
        session: Session,
        form_id: str,
        type_field: str,
        sums: dict[str, ColumnElement[Any] | str],
        periods: Sequence[Period],
        extra: dict[str, str],
    ) -> list[tuple[dict[str, int], dict[str, int], dict[str, dict[str, int]]]]:
        """Per period: (figure -> total, type label -> count, type label -> figure ->
        total), from one grouped query.

        ``sums`` maps a figure to a column of the CTE (by name) or an expression over
        it (built by the caller through ``extra`` columns). Records without a type count
        in the totals only."""
        values = self._extracted(form_id, {"kind": type_field, **extra}, periods)
        columns = []
        for period in periods:
            inside = self._within(values.c.day, period)
            columns.append(_count_if(inside))
            for expr in sums.values():
                col = values.c[expr] if isinstance(expr, str) else expr(values)  # type: ignore[operator]
                columns.append(_sum(case((inside, col))))
        rows = session.execute(select(values.c.kind, *columns).group_by(values.c.kind)).all()
        width = 1 + len(sums)
        result = []
        for i in range(len(periods)):
            totals = dict.fromkeys(sums, 0)
            by_kind: dict[str, int] = {}
            kind_sums: dict[str, dict[str, int]] = {}
            for row in rows:
                kind, cells = row[0], row[1 + i * width : 1 + (i + 1) * width]
                count = _int(cells[0])
                if kind is not None and count:
                    by_kind[str(kind)] = by_kind.get(str(kind), 0) + count
                    own = kind_sums.setdefault(str(kind), dict.fromkeys(sums, 0))
                    for name, cell in zip(sums, cells[1:], strict=True):
                        own[name] += _int(cell)
                totals["count"] = totals.get("count", 0) + count
                for name, cell in zip(sums, cells[1:], strict=True):
                    totals[name] += _int(cell)
            result.append((totals, by_kind, kind_sums))
        return result

    # ---- outreach -------------------------------------------------------------------
    def _outreach(self, session: Session, periods: Sequence[Period]) -> list[dict[str, Any]]:
        sums: dict[str, Any] = {name: name for name in OUTREACH_SUMS}
        grouped = self._grouped_sums(
            session, OUTREACH_FORM, OUTREACH_TYPE_FIELD, sums, periods, dict(OUTREACH_SUMS)
        )
        by_place = self._grouped_sums(
            session, OUTREACH_FORM, OUTREACH_PLACE_FIELD, sums, periods, dict(OUTREACH_SUMS)
        )
        out = []
        for (totals, by_kind, kind_sums), (_t, at_place, place_sums) in zip(
            grouped, by_place, strict=True
        ):
            labels = _labels(self.registry, OUTREACH_FORM, OUTREACH_TYPE_FIELD, list(by_kind))
            places = _labels(self.registry, OUTREACH_FORM, OUTREACH_PLACE_FIELD, list(at_place))
            out.append(
                {
                    "events": totals.get("count", 0),
                    **{name: totals[name] for name in OUTREACH_SUMS},
                    "by_type": {label: by_kind.get(label, 0) for label in labels},
                    # each type's and each place kind's own figures (events and sums)
                    "per_type": _per_kind(labels, by_kind, kind_sums, "events", OUTREACH_SUMS),
                    "by_place": _per_kind(places, at_place, place_sums, "events", OUTREACH_SUMS),
                }
            )
        return out

    # ---- inspections ----------------------------------------------------------------
    def _inspections(self, session: Session, periods: Sequence[Period]) -> list[dict[str, Any]]:
        extra = {
            "inspectors": INSPECTORS_FIELD,
            "vehicles": VEHICLES_FIELD,
            "problem": PROBLEM_FIELD,
            "stopped": BURNING_STOPPED_FIELD,
            "notices": NOTICES_FIELD,
        }
        sums: dict[str, Any] = {
            "inspectors": "inspectors",
            "vehicles": "vehicles",
            "notices": "notices",
            "problems_found": lambda v: case((v.c.problem == 1, 1), else_=0),
            "burning_stopped": lambda v: case((v.c.kind == BURNING_TYPE, v.c.stopped)),
        }
        grouped = self._grouped_sums(
            session, INSPECTION_FORM, INSPECTION_TYPE_FIELD, sums, periods, extra
        )
        out = []
        for totals, by_kind, kind_sums in grouped:
            labels = _labels(self.registry, INSPECTION_FORM, INSPECTION_TYPE_FIELD, list(by_kind))
            out.append(
                {
                    "total": totals.get("count", 0),
                    "by_type": {label: by_kind.get(label, 0) for label in labels},
                    **{name: totals[name] for name in sums},
                    # inspectors, vehicles, notices, problems … of each inspection type
                    "per_type": _per_kind(labels, by_kind, kind_sums, "count", sums),
                }
            )
        return out

    # ---- other work (meetings, study, 马路办公, platform reports, plans) -----------------
    def _other_work(self, session: Session, periods: Sequence[Period]) -> list[dict[str, Any]]:
        sums: dict[str, Any] = {name: name for name in OTHER_WORK_SUMS}
        sums["times"] = lambda v: func.coalesce(v.c.times, 1)  # a record is one time at least
        grouped = self._grouped_sums(
            session, OTHER_WORK_FORM, OTHER_WORK_KIND_FIELD, sums, periods, dict(OTHER_WORK_SUMS)
        )
        out = []
        for totals, by_kind, kind_sums in grouped:
            labels = _labels(self.registry, OTHER_WORK_FORM, OTHER_WORK_KIND_FIELD, list(by_kind))
            out.append(
                {
                    "records": totals.get("count", 0),
                    **{name: totals[name] for name in OTHER_WORK_SUMS},
                    "per_kind": _per_kind(labels, by_kind, kind_sums, "records", OTHER_WORK_SUMS),
                }
            )
        return out

    # ---- year indicators ------------------------------------------------------------
    def _indicators(self, session: Session, periods: Sequence[Period]) -> list[list[Any]]:
        """The 年度指标 of the years a period covers in full (a month has none)."""
        years = {
            p: list(range(p.start.year, p.end.year + 1))
            for p in periods
            if p.start == date(p.start.year, 1, 1) and p.end == date(p.end.year, 12, 31)
        }
        wanted = sorted({y for ys in years.values() for y in ys})
        if not wanted:
            return [[] for _ in periods]
        year = func.cast(json_value(Record, "year"), Integer)
        rows = session.execute(
            select(
                year,
                json_value(Record, "indicator"),
                json_value(Record, "value"),
                json_value(Record, "unit"),
                json_value(Record, "source"),
            )
            .where(live(Record, INDICATOR_FORM), year.in_(wanted))
            .order_by(year, Record.created_at)
        ).all()
        return [
            [
                {
                    "year": int(y),
                    "indicator": str(name or ""),
                    "value": value,
                    "unit": str(unit or ""),
                    "source": str(source or ""),
                }
                for y, name, value, unit, source in rows
                if int(y) in years.get(p, ())
            ]
            for p in periods
        ]

    # ---- patrol coverage ------------------------------------------------------------
    def _patrol_coverage(
        self, session: Session, periods: Sequence[Period], by_type: bool = True
    ) -> list[dict[str, Any]]:
        """``patrol_coverage`` of each period; ``by_type=False`` reads only ``by_site``
        (the per-type entries stay zero)."""
        counted = record_sql.patrol_site_types(self.registry)
        site_form = self.registry.forms.get(SITE_FORM)
        order = (
            list(site_form.field(SITE_TYPE_FIELD).choices)
            if site_form is not None and site_form.has_field(SITE_TYPE_FIELD)
            else []
        )
        types = [t for t in order if t in counted] + sorted(counted - set(order))
        coverage: list[dict[str, Any]] = [
            {**{t: {"sites": 0, "required": 0, "done": 0} for t in types}, BY_SITE: []}
            for _ in periods
        ]
        if site_form is None or not types:
            return coverage

        site = aliased(Record)
        patrol = aliased(Record)
        site_type = json_value(site, SITE_TYPE_FIELD)
        required = json_value(site, PATROL_TIMES_FIELD)
        quarterly = json_value(site, PATROL_PERIOD_FIELD) == QUARTERLY
        supervised_from = json_value(site, SUPERVISED_FROM_FIELD)
        supervised_until = json_value(site, SUPERVISED_UNTIL_FIELD)
        base = (
            live(site, SITE_FORM),
            or_(
                site.status == SITE_ACTIVE,
                and_(site.status == SITE_STOPPED, supervised_until.is_not(None)),
            ),
            required > 0,
            site_type.in_(types),
        )
        # what each site owes: one row per (period, site, month/quarter it owes for);
        # a unit counts patrols from its first day to its end or the period end
        owed_parts = []
        since = periods[0].start
        for index, period in enumerate(periods):
            units = [(u, False) for u in months_of(period)]
            units += [(u, True) for u in quarters_of(period)]
            for (first, last), is_quarterly in units:
                until = min(last, period.end)
                since = min(since, first)
                owed_parts.append(
                    select(
                        literal(index).label("period"),
                        site.id.label("site_id"),
                        literal(first.isoformat()).label("first"),
                        literal(until.isoformat()).label("until"),
                        site_type.label("site_type"),
                        required.label("required"),
                        literal(is_quarterly).label("quarterly"),
                    ).where(
                        *base,
                        quarterly if is_quarterly else ~quarterly,
                        # under supervision on at least one day of the whole unit
                        or_(supervised_from.is_(None), supervised_from <= last.isoformat()),
                        or_(supervised_until.is_(None), supervised_until >= first.isoformat()),
                    )
                )
        owed = union_all(*owed_parts).cte("owed").prefix_with("MATERIALIZED")
        # patrols done, per site and day, in one pass over the patrol records
        done_parts = [
            select(site.id.label("site_id"), patrol.record_date.label("day"))
            .select_from(patrol)
            .join(site, condition)
            .where(
                patrol.deleted.is_(False),
                patrol.record_date >= since,
                patrol.record_date <= max(p.end for p in periods),
                *base,
            )
            for _form, condition in record_sql.patrol_matches(self.registry, patrol, site)
        ]
        if done_parts:
            every = union_all(*done_parts).subquery()
            daily = (
                select(every.c.site_id, every.c.day, func.count().label("n"))
                .group_by(every.c.site_id, every.c.day)
                .cte("daily")
                .prefix_with("MATERIALIZED")
            )
            per_unit = (
                select(
                    owed.c.period,
                    owed.c.site_id,
                    owed.c.first,
                    owed.c.site_type,
                    owed.c.required,
                    owed.c.quarterly,
                    func.min(_sum(daily.c.n), owed.c.required).label("done"),
                )
                .select_from(owed)
                .outerjoin(
                    daily,
                    and_(
                        daily.c.site_id == owed.c.site_id,
                        daily.c.day >= owed.c.first,
                        daily.c.day <= owed.c.until,
                    ),
                )
                .group_by(owed.c.period, owed.c.site_id, owed.c.first)
                .cte("per_unit")
                .prefix_with("MATERIALIZED")
            )
        else:
            per_unit = (
                select(owed, literal(0).label("done")).cte("per_unit").prefix_with("MATERIALIZED")
            )
        rows = (
            session.execute(
                select(
                    per_unit.c.period,
                    per_unit.c.site_type,
                    func.count(func.distinct(per_unit.c.site_id)),
                    _sum(per_unit.c.required),
                    _sum(per_unit.c.done),
                ).group_by(per_unit.c.period, per_unit.c.site_type)
            ).all()
            if by_type
            else []
        )
        for index, label, sites, owed_times, done_times in rows:
            coverage[int(index)][str(label)] = {
                "sites": _int(sites),
                "required": _int(owed_times),
                "done": _int(done_times),
            }
        named = aliased(Record)
        name = json_value(named, SITE_NAME_FIELD)
        site_rows = session.execute(
            select(
                per_unit.c.period,
                per_unit.c.site_id,
                name,
                per_unit.c.site_type,
                per_unit.c.first,
                per_unit.c.required,
                per_unit.c.done,
                per_unit.c.quarterly,
            )
            .join(named, named.id == per_unit.c.site_id)
            .order_by(per_unit.c.period, name, per_unit.c.site_id, per_unit.c.first)
        ).all()
        for index, site_id, site_name, kind, first, owed_times, done_times, by_quarter in site_rows:
            owed_n, done_n = _int(owed_times), _int(done_times)
            coverage[int(index)][BY_SITE].append(
                {
                    "site_id": str(site_id),
                    "site": str(site_name or ""),
                    "site_type": str(kind),
                    "month": str(first)[:7],
                    "required": owed_n,
                    "done": done_n,
                    "missing": owed_n - done_n,
                    "quarterly": bool(by_quarter),  # month: the quarter's first
                }
            )
        return coverage

    # ---- rectification tasks --------------------------------------------------------
    def _rectification(self, session: Session, periods: Sequence[Period]) -> list[dict[str, Any]]:
        form = self.registry.forms.get(TASK_FORM)
        deadline = (
            record_sql.deadline_in_force(Record, form)
            if form is not None and form.has_field(record_sql.TASK_DEADLINE_FIELD)
            else literal(None)
        )
        tasks = (
            select(
                Record.record_date.label("assigned"),
                json_value(Record, TASK_COMPLETED_FIELD).label("completed"),
                deadline.label("deadline"),
                json_value(Record, TASK_SOURCE_FIELD).label("source"),
            )
            .where(live(Record, TASK_FORM))
            .cte("task_values")
            .prefix_with("MATERIALIZED")
        )
        assigned, completed, due = tasks.c.assigned, tasks.c.completed, tasks.c.deadline
        counts, by_source = [], []
        for period in periods:
            start, end = period.start.isoformat(), period.end.isoformat()
            is_new = and_(assigned >= start, assigned <= end)
            done_in = and_(completed >= start, completed <= end)
            in_progress = and_(assigned <= end, or_(completed.is_(None), completed > end))
            counts += [
                _count_if(and_(assigned < start, or_(completed.is_(None), completed >= start))),
                _count_if(is_new),
                _count_if(done_in),
                _count_if(in_progress),
                _count_if(and_(in_progress, due < end)),
                _count_if(and_(done_in, completed > due)),
            ]
            by_source += [_count_if(is_new), _count_if(done_in)]
        totals = session.execute(select(*counts)).one()
        rows = session.execute(select(tasks.c.source, *by_source).group_by(tasks.c.source)).all()
        names = ("open_at_start", "new", "completed", "in_progress", "overdue", "completed_late")
        out = []
        for i in range(len(periods)):
            found = {
                str(row[0]): (_int(row[1 + 2 * i]), _int(row[2 + 2 * i]))
                for row in rows
                if row[0] is not None and (row[1 + 2 * i] or row[2 + 2 * i])
            }
            labels = _labels(self.registry, TASK_FORM, TASK_SOURCE_FIELD, list(found))
            row = totals[6 * i : 6 * (i + 1)]
            out.append(
                {
                    **{name: _int(v) for name, v in zip(names, row, strict=True)},
                    "by_source": {
                        label: dict(
                            zip(("new", "completed"), found.get(label, (0, 0)), strict=True)
                        )
                        for label in labels
                    },
                }
            )
        return out


def coverage_by_type(fig: dict[str, Any]) -> dict[str, dict[str, int]]:
    """The per-site-type entries of ``fig["patrol_coverage"]`` (without ``by_site``)."""
    return {k: v for k, v in fig["patrol_coverage"].items() if k != BY_SITE}


def coverage_by_site(fig: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-site, per-month rows of ``fig["patrol_coverage"]``."""
    return list(fig["patrol_coverage"].get(BY_SITE, []))


def quarter_name(month: int) -> str:
    """第二季度 for a month of the second quarter."""
    return f"第{'一二三四'[(month - 1) // 3]}季度"


def unit_name(row: dict[str, Any]) -> str:
    """What a ``by_site`` row stands for in running text: 8月, or 第二季度 for a
    每季度 site."""
    month = int(row["month"][5:7])
    return quarter_name(month) if row.get("quarterly") else f"{month}月"


def sites_by_month(ctx: AppContext, session: Session, period: Period) -> list[dict[str, Any]]:
    """The ``by_site`` rows of ``period`` read through the caller's session (the 工作台
    reads everything in one transaction)."""
    coverage = ReportFigures(ctx)._patrol_coverage(session, [period], by_type=False)[0]
    return list(coverage[BY_SITE])


def figures(ctx: AppContext, period: Period) -> dict[str, Any]:
    """The figures of ``period`` as the JSON object of ``gongkai report figures``."""
    return ReportFigures(ctx).figures(period)


def figures_many(ctx: AppContext, periods: Sequence[Period]) -> list[dict[str, Any]]:
    """The figures of several periods at once (sharing every scan), in order."""
    return ReportFigures(ctx).figures_many(periods)


def township_figures(
    ctx: AppContext, periods: Sequence[Period], codes: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """County mode: each township's own figures of ``periods`` (every township of the
    townships table, by code, when ``codes`` is None): ``[{"code", "name", "figures":
    [one per period]}]``. Each is these figures run on the county database narrowed to
    that township's records (``AppContext.for_townships``), so together they add up to
    the county's."""
    with ctx.reading() as session:
        names = {code: name for code, name in session.execute(select(Township.code, Township.name))}
    chosen = list(codes) if codes is not None else sorted(names)
    return [
        {
            "code": code,
            "name": names.get(code, code),
            "figures": figures_many(ctx.for_townships([code]), periods),
        }
        for code in chosen
    ]
