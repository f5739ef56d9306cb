"""Queries over the tables. Functions take a Session; the services own the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from gongkai_desktop.data.models import AuditEntry, Record, Setting

# Record attributes that are real columns; any other sort key is a JSON field.
_COLUMN_KEYS = {
    "title": Record.title,
    "record_date": Record.record_date,
    "status": Record.status,
    "created_at": Record.created_at,
    "updated_at": Record.updated_at,
    # the 回收站 lists every form and sorts by form and by deletion time
    "form_id": Record.form_id,
    "deleted_at": Record.deleted_at,
}


@dataclass(frozen=True)
class RecordQuery:
    """What a record list shows: one form (or all), live or deleted, filtered and sorted."""

    form_id: str | None = None
    deleted: bool = False
    search: str = ""
    date_from: date | None = None
    date_to: date | None = None
    sort_key: str = "updated_at"  # a key of _COLUMN_KEYS or a field key ("site:field" for sites)
    descending: bool = True
    filters: tuple[tuple[str, tuple[Any, ...]], ...] = ()  # (field key, allowed values)


def _json_field(key: str) -> ColumnElement[Any]:
    return func.json_extract(Record.data, f"$.{key}")


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(query: RecordQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [Record.deleted.is_(query.deleted)]
    if query.form_id is not None:
        conds.append(Record.form_id == query.form_id)
    for word in query.search.lower().split():
        conds.append(Record.search_text.like(f"%{_escape_like(word)}%", escape="\\"))
    if query.date_from is not None:
        conds.append(Record.record_date >= query.date_from)
    if query.date_to is not None:
        conds.append(Record.record_date <= query.date_to)
    for key, values in query.filters:
        field = Record.status if key == "status" else _json_field(key)
        conds.append(field.in_(values))
    return conds


def _sort_expr(key: str, table: Any = Record) -> Any:
    """The SQL a list is ordered by, for ``Record`` or an alias of it."""
    if key in _COLUMN_KEYS:
        return getattr(table, _COLUMN_KEYS[key].key)
    if key.startswith("site:"):
        # sort a site reference by the site's name, not by its id
        site = aliased(Record)
        field = func.json_extract(table.data, f"$.{key.removeprefix('site:')}")
        return select(site.title).where(site.id == field).scalar_subquery()
    return func.json_extract(table.data, f"$.{key}")


def _order(query: RecordQuery) -> list[Any]:
    expr = _sort_expr(query.sort_key)
    direction = expr.desc() if query.descending else expr.asc()
    tie = Record.id.desc() if query.descending else Record.id.asc()
    return [direction, tie]


def _after(query: RecordQuery, after_id: str) -> ColumnElement[bool]:
    """Rows that come after record ``after_id`` in the query's order (keyset paging).

    SQLite puts NULL first when ascending and last when descending; ties go by id.
    """
    cursor = aliased(Record)
    expr = _sort_expr(query.sort_key)
    at = select(_sort_expr(query.sort_key, cursor)).where(cursor.id == after_id).scalar_subquery()
    # a row value compares (key, id) in one step, computing a JSON key once per row
    row, cursor_row = tuple_(expr, Record.id), tuple_(at, after_id)
    if query.descending:
        return or_(
            and_(at.is_(None), expr.is_(None), Record.id < after_id),
            and_(at.is_not(None), or_(row < cursor_row, expr.is_(None))),
        )
    return or_(
        and_(at.is_(None), or_(expr.is_not(None), Record.id > after_id)),
        and_(at.is_not(None), row > cursor_row),
    )


def select_records(query: RecordQuery) -> Select[Record]:
    return select(Record).where(and_(*_where(query))).order_by(*_order(query))


def _paged(stmt: Select[Any], query: RecordQuery, offset: int, after_id: str | None) -> Any:
    return stmt.where(_after(query, after_id)) if after_id is not None else stmt.offset(offset)


def count_records(session: Session, query: RecordQuery) -> int:
    stmt = select(func.count()).select_from(Record).where(and_(*_where(query)))
    return int(session.scalar(stmt) or 0)


def page_records(
    session: Session,
    query: RecordQuery,
    offset: int,
    limit: int,
    after_id: str | None = None,
) -> Sequence[Record]:
    """One page of a list: from ``offset``, or (cheaper deep in a long list) after a record.

    An OFFSET makes SQLite produce and throw away every earlier row, so the 500th page
    of 100,000 records costs a full sort; continuing after the last row shown
    (``after_id``, the offset is then ignored) costs about as much as the first page.
    """
    stmt = _paged(select_records(query), query, offset, after_id)
    return session.scalars(stmt.limit(limit)).all()


def page_records_with(
    session: Session,
    query: RecordQuery,
    extra: ColumnElement[Any],
    offset: int,
    limit: int,
    after_id: str | None = None,
) -> list[tuple[Record, Any]]:
    """``page_records`` with one more SQL value per row (e.g. a state as of today),
    computed by SQLite for the rows of the page only."""
    stmt = select(Record, extra).where(and_(*_where(query))).order_by(*_order(query))
    stmt = _paged(stmt, query, offset, after_id)
    return [(row[0], row[1]) for row in session.execute(stmt.limit(limit))]


def get_record(session: Session, record_id: str) -> Record | None:
    return session.get(Record, record_id)


def sites_by_name(session: Session, name: str) -> Sequence[Record]:
    stmt = select(Record).where(
        Record.form_id == "site", Record.deleted.is_(False), Record.title == name
    )
    return session.scalars(stmt).all()


def site_names(session: Session, ids: Sequence[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = session.execute(select(Record.id, Record.title).where(Record.id.in_(set(ids))))
    return {row.id: row.title for row in rows}


def all_sites(session: Session, site_types: Sequence[str] = ()) -> list[tuple[str, str, str]]:
    """(id, name, type) of live sites, by name."""
    stmt = select(Record.id, Record.title, _json_field("site_type")).where(
        Record.form_id == "site", Record.deleted.is_(False)
    )
    if site_types:
        stmt = stmt.where(_json_field("site_type").in_(list(site_types)))
    return [(r[0], r[1], r[2]) for r in session.execute(stmt.order_by(Record.title))]


def add_audit(session: Session, entries: Sequence[AuditEntry]) -> None:
    session.add_all(entries)
    session.flush()


def audit_for(session: Session, record_id: str) -> Sequence[AuditEntry]:
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.record_id == record_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.asc())
    )
    return session.scalars(stmt).all()


def get_settings(session: Session) -> dict[str, str]:
    return {s.key: s.value for s in session.scalars(select(Setting))}


def put_setting(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def counts_by_form(session: Session, deleted: bool = False) -> dict[str, int]:
    stmt = (
        select(Record.form_id, func.count())
        .where(Record.deleted.is_(deleted))
        .group_by(Record.form_id)
    )
    return {row[0]: int(row[1]) for row in session.execute(stmt)}


def integrity_problems(session: Session) -> list[str]:
    result = session.connection().exec_driver_sql("PRAGMA integrity_check").fetchall()
    return [r[0] for r in result if r[0] != "ok"]


def field_values_with_prefix(session: Session, form_id: str, key: str, prefix: str) -> list[str]:
    """Values of a text field starting with ``prefix``, deleted records included."""
    field = _json_field(key)
    stmt = select(field).where(
        Record.form_id == form_id, field.like(f"{_escape_like(prefix)}%", escape="\\")
    )
    return [v for (v,) in session.execute(stmt) if isinstance(v, str)]


def distinct_field_values(session: Session, form_id: str, key: str) -> list[str]:
    """Distinct non-empty text values of a field among live records, in order."""
    field = _json_field(key)
    stmt = (
        select(field)
        .where(Record.form_id == form_id, Record.deleted.is_(False), field.is_not(None))
        .distinct()
        .order_by(field)
    )
    return [v for (v,) in session.execute(stmt) if isinstance(v, str) and v]


def recent_field_values(session: Session, form_id: str, key: str, limit: int) -> list[str]:
    """Distinct non-empty values of a field, most recently changed first."""
    field = _json_field(key)
    stmt = (
        select(field, func.max(Record.updated_at).label("last"))
        .where(Record.form_id == form_id, Record.deleted.is_(False), field.is_not(None))
        .group_by(field)
        .order_by(func.max(Record.updated_at).desc())
        .limit(limit)
    )
    return [v for (v, _last) in session.execute(stmt) if isinstance(v, str) and v]
