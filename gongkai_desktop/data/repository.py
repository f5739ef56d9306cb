"""Queries over the tables. Functions take a Session; the services own the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal_column, or_, select
from sqlalchemy.orm import Session, aliased

from gongkai_desktop.data.bulk import insert_many
from gongkai_desktop.data.integrity import link_entries
from gongkai_desktop.data.list_indexes import is_indexed, json_path
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


Cursor = tuple[Any, str]  # (a row's sort value, its id): a page continues after it


def _json_field(key: str) -> ColumnElement[Any]:
    return json_path(Record, key)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _scanned(column: Any) -> ColumnElement[Any]:
    """The column behind SQLite's unary +, which keeps the planner from using an index."""
    return literal_column(f"+{Record.__tablename__}.{column.key}", type_=column.type)


def _where(query: RecordQuery, scan: bool = False) -> list[ColumnElement[bool]]:
    """The query's filters. ``scan``: read the table from end to end instead of along an
    index (for a search, see ``_scan_for_search``)."""
    deleted = _scanned(Record.deleted) if scan else Record.deleted
    conds: list[ColumnElement[bool]] = [deleted.is_(query.deleted)]
    if query.form_id is not None:
        form = _scanned(Record.form_id) if scan else Record.form_id
        conds.append(form == query.form_id)
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
        field = json_path(table, key.removeprefix("site:"))
        return select(site.title).where(site.id == field).scalar_subquery()
    return json_path(table, key)


def _order(query: RecordQuery, expr: Any) -> list[Any]:
    direction = expr.desc() if query.descending else expr.asc()
    tie = Record.id.desc() if query.descending else Record.id.asc()
    return [direction, tie]


def _after(query: RecordQuery, expr: Any, cursor: Cursor) -> list[tuple[Any, list[Any]]]:
    """The rows after ``cursor`` in the query's order (keyset paging), as (condition,
    order) pairs to read one after another: each is a single range of the list's index.

    SQLite puts NULL first when ascending and last when descending; ties go by id. A
    (key, id) row value or an OR across the NULLs would be right too, but SQLite then
    walks the index from its start instead of seeking, so deep pages cost a whole pass.
    Among the NULLs the order is by id alone (SQLite would otherwise sort them all).
    """
    value, after_id = cursor
    order = _order(query, expr)
    by_id = order[1:]
    if query.descending:
        if value is None:
            return [(and_(expr.is_(None), Record.id < after_id), by_id)]
        return [
            (and_(expr <= value, or_(expr < value, Record.id < after_id)), order),
            (expr.is_(None), by_id),
        ]
    if value is None:
        return [(and_(expr.is_(None), Record.id > after_id), by_id), (expr.is_not(None), order)]
    return [(and_(expr >= value, or_(expr > value, Record.id > after_id)), order)]


def select_records(query: RecordQuery) -> Select[Record]:
    return (
        select(Record)
        .where(and_(*_where(query)))
        .order_by(*_order(query, _sort_expr(query.sort_key)))
    )


def _scan_for_search(query: RecordQuery) -> bool:
    """A search matches words anywhere in the text, which no index serves: read in the
    order of an index, a rare word makes SQLite fetch every record one by one (0.4 s at
    100,000 records), reading the table straight through takes a quarter of that."""
    return bool(query.search.split())


def count_records(session: Session, query: RecordQuery) -> int:
    where = _where(query, scan=_scan_for_search(query))
    stmt = select(func.count()).select_from(Record).where(and_(*where))
    return int(session.scalar(stmt) or 0)


def cursor_of(session: Session, query: RecordQuery, record_id: str) -> Cursor:
    """Where a page after record ``record_id`` starts: its sort value now, and its id."""
    value = session.scalar(select(_sort_expr(query.sort_key)).where(Record.id == record_id))
    return (value, record_id)


@dataclass(frozen=True)
class PageRow:
    record: Record
    sort_value: Any  # the value the list is ordered by (with the id, the next cursor)
    extra: Any = None

    @property
    def cursor(self) -> Cursor:
        return (self.sort_value, self.record.id)


def page_rows(
    session: Session,
    query: RecordQuery,
    limit: int,
    after: Cursor | None = None,
    extra: ColumnElement[Any] | None = None,
    offset: int = 0,
) -> list[PageRow]:
    """One page of a list, after ``after`` (keyset paging; from the start when None),
    each record with its sort value and, when asked, one more SQL value (e.g. a state
    as of today) computed by SQLite for the rows of the page only.

    Continuing after the last row shown costs what the first page costs, however deep
    in the list: SQLite seeks in the list's index (migration 0007) instead of producing
    and throwing away every earlier row as an OFFSET does. ``offset`` (ignored after a
    cursor) is for small lists only.
    """
    expr = _sort_expr(query.sort_key)
    columns: list[Any] = [Record, expr]
    if extra is not None:
        columns.append(extra)
    stmt = select(*columns).where(and_(*_where(query)))
    if after is None:
        # the first page of a search reads the table through like the count (later
        # pages seek along the index from where the previous one ended)
        first = select(*columns).where(and_(*_where(query, scan=_scan_for_search(query))))
        first = first.order_by(*_order(query, expr))
        segments: list[Select[Any]] = [first.offset(offset) if offset else first]
    else:
        segments = [stmt.where(cond).order_by(*order) for cond, order in _after(query, expr, after)]
    out: list[PageRow] = []
    for segment in segments:
        for row in session.execute(segment.limit(limit - len(out))):
            out.append(PageRow(row[0], row[1], row[2] if extra is not None else None))
        if len(out) >= limit:
            break
    return out


def page_records(
    session: Session,
    query: RecordQuery,
    offset: int,
    limit: int,
    after_id: str | None = None,
) -> Sequence[Record]:
    """``page_rows`` without the sort values, after a record given by its id."""
    after = cursor_of(session, query, after_id) if after_id is not None else None
    return [r.record for r in page_rows(session, query, limit, after, offset=offset)]


def row_in(
    session: Session,
    query: RecordQuery,
    record_id: str,
    extra: ColumnElement[Any] | None = None,
) -> PageRow | None:
    """Record ``record_id`` as a row of the list, or None when the list leaves it out."""
    expr = _sort_expr(query.sort_key)
    columns: list[Any] = [Record, expr] + ([extra] if extra is not None else [])
    stmt = select(*columns).where(and_(*_where(query)), Record.id == record_id)
    row = session.execute(stmt).first()
    if row is None:
        return None
    return PageRow(row[0], row[1], row[2] if extra is not None else None)


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
    """Append entries to the audit log, each linked into the hash chain (same transaction)."""
    if not entries:
        return
    session.flush()  # entries added before are in the chain this extends
    link_entries(session, entries)
    session.add_all(entries)
    session.flush()


def add_audit_rows(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """``add_audit`` for plain rows in bulk (an import, a county receiving packages):
    the rows get their ids and chain hashes in place, then one executemany."""
    if not rows:
        return
    session.flush()
    link_entries(session, rows)
    insert_many(session, AuditEntry, rows)


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


def field_values_with_prefix(session: Session, form_id: str, key: str, prefix: str) -> list[str]:
    """Values of a text field starting with ``prefix``, deleted records included."""
    field = _json_field(key)
    stmt = select(field).where(
        Record.form_id == form_id, field.like(f"{_escape_like(prefix)}%", escape="\\")
    )
    return [v for (v,) in session.execute(stmt) if isinstance(v, str)]


def distinct_field_values(session: Session, form_id: str, key: str) -> list[str]:
    """Distinct non-empty text values of a field among live records, in order.

    With the field's list index (migration 0007) this skips from one value to the next
    along the index, one seek per value, instead of reading every record of the form
    (a 村 filter over 100,000 records: 1 ms instead of 0.5 s).
    """
    field = _json_field(key)
    live = [Record.form_id == form_id, Record.deleted.is_(False)]
    if not is_indexed(form_id, key):
        stmt = select(field).where(*live, field.is_not(None)).distinct().order_by(field)
        return [v for (v,) in session.execute(stmt) if isinstance(v, str) and v]
    values: list[Any] = []
    while True:
        after = field.is_not(None) if not values else field > values[-1]
        value = session.scalar(select(field).where(*live, after).order_by(field).limit(1))
        if value is None:
            return [v for v in values if isinstance(v, str) and v]
        values.append(value)


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
