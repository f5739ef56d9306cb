"""SQL pieces shared by the 工作台 and the report figures: values of a record's JSON
``data``, live (not deleted) records of a form, a task's deadline in force, and the
correlated count of patrols done at a site. Each returns a SQLAlchemy expression, so
callers aggregate in SQL and never loop over records in Python."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from gongkai_desktop.domain.overdue import is_overdue
from gongkai_desktop.forms.spec import FormRegistry, FormSpec

SITE_TYPE_FIELD = "site_type"
TASK_DONE = "已办结"
TASK_DEADLINE_FIELD = "deadline_in_force"  # computed: the extended deadline, else the deadline


def json_value(table: Any, key: str) -> ColumnElement[Any]:
    return func.json_extract(table.data, f"$.{key}")


def live(table: Any, form_id: str) -> ColumnElement[bool]:
    return and_(table.form_id == form_id, table.deleted.is_(False))


def deadline_in_force(
    table: Any, form: FormSpec, key: str = TASK_DEADLINE_FIELD
) -> ColumnElement[Any]:
    """The stored computed deadline, else the fields it is computed from (a record
    saved before the computed field existed still has a deadline)."""
    spec = form.field(key)
    sources = list((spec.computed or {}).get("first_of", ()))
    if not sources:
        return json_value(table, spec.key)
    return func.coalesce(json_value(table, spec.key), *(json_value(table, k) for k in sources))


# the 逾期 rule (domain.overdue), re-exported beside its SQL form
task_overdue = is_overdue


def task_overdue_sql(
    deadline: ColumnElement[Any], completed: ColumnElement[Any], as_of: date
) -> ColumnElement[bool]:
    """``domain.overdue.is_overdue`` as an SQL condition over ISO date text (deadline and
    completion date of the task; ``as_of`` the day the state is read on)."""
    day = as_of.isoformat()
    done = and_(completed.is_not(None), completed <= day)
    return and_(
        deadline.is_not(None),
        or_(and_(done, completed > deadline), and_(~done, deadline < day)),
    )


def deadline_state_sql(table: Any, form: FormSpec, as_of: date) -> ColumnElement[Any]:
    """The form's ``deadline_state`` as of a day, in SQL: 'overdue' by the one overdue
    rule (``task_overdue_sql``), 'due_soon' when not done and due within ``soon_days``
    (today included), else NULL. A list computes it per row of the page SQLite returns."""
    state = form.deadline_state
    if state is None:
        return literal(None)
    due = deadline_in_force(table, form, state.due)
    done = json_value(table, state.done)
    day = as_of.isoformat()
    last_soon = (as_of + timedelta(days=state.soon_days)).isoformat()
    done_by_now = and_(done.is_not(None), done <= day)
    soon = and_(due.is_not(None), ~done_by_now, due >= day, due <= last_soon)
    return case((task_overdue_sql(due, done, as_of), "overdue"), (soon, "due_soon"), else_=None)


def task_open(table: Any) -> ColumnElement[bool]:
    return or_(table.status.is_(None), table.status != TASK_DONE)


def patrol_forms(registry: FormRegistry) -> list[FormSpec]:
    """Forms that declare which of their records count as patrols (and have a date)."""
    return [f for f in registry if f.patrol is not None and f.date_field]


def patrol_site_types(registry: FormRegistry) -> set[str]:
    """Site types some patrol record counts for."""
    return {
        one
        for form in patrol_forms(registry)
        for _record_type, site_types in (form.patrol.site_types if form.patrol else ())
        for one in site_types
    }


def patrol_matches(
    registry: FormRegistry, patrol: Any, site: Any
) -> list[tuple[FormSpec, ColumnElement[bool]]]:
    """Per patrol form, the condition that a ``patrol`` row of that form is a patrol of
    ``site``: it names the site and its type counts for the site's type (the form's
    ``patrol:`` block). Date and deletion filters are the caller's."""
    site_type = json_value(site, SITE_TYPE_FIELD)
    matches = []
    for form in patrol_forms(registry):
        spec = form.patrol
        assert spec is not None
        counted_by: dict[str, list[str]] = {}  # site type -> record types that count
        for record_type, site_types in spec.site_types:
            for one in site_types:
                counted_by.setdefault(one, []).append(record_type)
        if not counted_by:
            continue
        ref = (
            patrol.site_id
            if spec.site_field == form.site_field
            else json_value(patrol, spec.site_field)
        )
        kind = json_value(patrol, spec.type_field)
        matches.append(
            (
                form,
                and_(
                    patrol.form_id == form.id,
                    ref == site.id,
                    or_(*(and_(site_type == t, kind.in_(r)) for t, r in counted_by.items())),
                ),
            )
        )
    return matches


def patrols_done(
    registry: FormRegistry,
    record: Any,
    site: Any,
    start: ColumnElement[Any] | Any,
    end: ColumnElement[Any] | Any,
) -> ColumnElement[Any]:
    """Correlated count of live patrol records of ``site`` dated start … end whose
    type counts for the site's type (``record`` is the mapped Record class)."""
    patrol = aliased(record)
    per_form = [condition for _form, condition in patrol_matches(registry, patrol, site)]
    if not per_form:
        return literal(0)
    return (
        select(func.count())
        .select_from(patrol)
        .where(
            patrol.deleted.is_(False),
            or_(*per_form),
            patrol.record_date >= start,
            patrol.record_date <= end,
        )
        .correlate(site)
        .scalar_subquery()
    )
