"""Working-day deadlines of records: the office calendar they are counted in (its
holiday table over chinese-calendar) and their recomputation when that table changes.

The holiday table is edited in :mod:`calendar`, which calls :func:`recompute_deadlines_in`
in the same transaction; this module only reads the table, so the two do not import
each other.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from gongkai_desktop.data.models import CalendarDay as DayRow
from gongkai_desktop.data.models import CalendarYear as YearRow
from gongkai_desktop.data.models import Record
from gongkai_desktop.domain.workdays import WorkCalendar
from gongkai_desktop.forms.spec import FieldSpec, FormSpec
from gongkai_desktop.forms.values import is_empty, preview_computed
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records.writing import ACTION_RECOMPUTE, audit_changes, utcnow


def calendar_rows(session: Session, year: int | None = None) -> list[DayRow]:
    query = select(DayRow).order_by(DayRow.day)
    if year is not None:
        query = query.where(DayRow.day >= date(year, 1, 1), DayRow.day <= date(year, 12, 31))
    return list(session.scalars(query))


def calendar_in(session: Session) -> WorkCalendar:
    """The office calendar read through the caller's session (inside its transaction)."""
    days = {row.day: bool(row.workday) for row in calendar_rows(session)}
    return WorkCalendar(days, frozenset(session.scalars(select(YearRow.year))))


def load_calendar(ctx: AppContext) -> WorkCalendar:
    """The working-day calendar every deadline is counted in, in a transaction of its own."""
    with ctx.reading() as session:
        return calendar_in(session)


def office_calendar(ctx: AppContext) -> WorkCalendar:
    """The office's working-day calendar (its holiday table over chinese-calendar), read
    once per user action."""
    return load_calendar(ctx)


def is_workday_deadline(spec: FieldSpec) -> bool:
    """A field computed in working days (``workdays_after`` / ``reply_deadline``)."""
    computed = spec.computed or {}
    return "workdays_after" in computed or "reply_deadline" in computed


def _pending_deadlines(form: FormSpec) -> dict[str, str]:
    """Working-day deadline field -> the date an ``on_time`` field judges against it (the
    deadline is still open while that date is empty)."""
    judged: dict[str, str] = {}
    for spec in form.fields:
        on_time = (spec.computed or {}).get("on_time")
        if on_time:
            judged[on_time["due"]] = on_time["date"]
    return {spec.key: judged.get(spec.key, "") for spec in form.fields if is_workday_deadline(spec)}


def recompute_deadlines(ctx: AppContext, calendar: WorkCalendar | None = None) -> int:
    """After the office's holiday table changed: stored working-day deadlines of records
    still open follow it. A deadline is open while the date it is judged on is empty (a
    request not yet 送达, an item not yet 公开); closed ones keep the deadline they were
    judged by. One transaction; each changed value is audited. Returns the records
    changed. (Only open records are read: few, whatever the size of the database.)"""
    with ctx.transaction() as session:
        return recompute_deadlines_in(ctx, session, calendar or calendar_in(session))


def recompute_deadlines_in(ctx: AppContext, session: Session, calendar: WorkCalendar) -> int:
    """:func:`recompute_deadlines` inside the caller's transaction (the holiday-table
    change and the deadlines that follow it are one user action)."""
    changed = 0
    now = utcnow()
    for form in ctx.registry:
        pending = _pending_deadlines(form)
        if not pending:
            continue
        open_rows = [
            func.json_extract(Record.data, f"$.{judged}").is_(None)
            for judged in pending.values()
            if judged
        ]
        query = select(Record).where(Record.form_id == form.id, Record.deleted.is_(False))
        if open_rows and all(pending.values()):
            query = query.where(or_(*open_rows))
        for row in session.scalars(query):
            old = dict(row.data)
            values = dict(old)
            for spec in form.fields:
                if not spec.computed or not form.is_visible(spec, values):
                    continue
                value = preview_computed(form, spec, values, calendar)
                if is_empty(value):
                    values.pop(spec.key, None)
                else:
                    values[spec.key] = value
            changes = [
                (k, old.get(k), values.get(k)) for k in values if old.get(k) != values.get(k)
            ]
            changes += [(k, old[k], None) for k in old if k not in values]
            if not changes:
                continue
            row.data = {f.key: values[f.key] for f in form.fields if f.key in values}
            row.version += 1
            row.updated_at = now
            changed += 1
            audit_changes(ctx, session, row, ACTION_RECOMPUTE, changes)
    return changed
