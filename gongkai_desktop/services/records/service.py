"""Entering, finding, editing, deleting (to the 回收站) and restoring records."""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from gongkai_desktop.data import repository
from gongkai_desktop.data.models import Record
from gongkai_desktop.data.repository import (  # the UI's list query and cursor: re-exported
    Cursor,
    PageRow,
    RecordQuery,
)
from gongkai_desktop.domain.errors import (
    GongkaiError,
    RecordNotFoundError,
    StaleRecordError,
    ValidationError,
)
from gongkai_desktop.domain.workdays import WorkCalendar
from gongkai_desktop.forms.spec import FieldSpec, FormSpec
from gongkai_desktop.forms.values import (
    SiteResolver,
    coerce_record,
    coerce_value,
    default_values,
    display_value,
    field_values,
    is_empty,
    preview_computed,
    workday_deadline,
)
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records.deadlines import (
    calendar_in,
    is_workday_deadline,
    office_calendar,
)
from gongkai_desktop.services.records.sql import deadline_state_sql
from gongkai_desktop.services.records.writing import (
    ACTION_CREATE,
    ACTION_DELETE,
    ACTION_RESTORE,
    ACTION_UPDATE,
    WHOLE_RECORD,
    Change,
    Numbering,
    audit_changes,
    derived_columns_in,
    new_record_row,
    site_from_link,
    start_values,
    utcnow,
)


@dataclass(frozen=True)
class RecordView:
    id: str
    form_id: str
    title: str
    values: dict[str, Any]
    record_date: date | None
    site_id: str | None
    status: str | None
    created_at: datetime
    updated_at: datetime
    author: str
    version: int
    deleted: bool
    deleted_at: datetime | None


@dataclass(frozen=True)
class ListRow:
    id: str
    form_id: str
    cells: tuple[str, ...]
    version: int
    # the form's deadline state as of today ('overdue', 'due_soon'), computed in SQL
    state: str | None = None
    # the value the list was ordered by when the row was read: with the id, where the
    # next page starts (a row changed since keeps its place in the paging)
    sort_value: Any = None

    @property
    def cursor(self) -> Cursor:
        return (self.sort_value, self.id)


@dataclass(frozen=True)
class ListFilter:
    """One drop-down of a list: the field, its label, and (text shown, stored value)."""

    key: str
    label: str
    options: tuple[tuple[str, Any], ...]


# the 逾期/临期 column of a form with a deadline_state
STATE_LABELS = {"overdue": "逾期", "due_soon": "临期"}
STATE_COLUMN = "逾期/临期"


def _list_cell(spec: FieldSpec, value: Any, names: Mapping[str, str]) -> str:
    """One date format in lists (2026-12-01); 2026年12月1日 stays for documents."""
    if spec.type == "date" and isinstance(value, str) and value:
        return date.fromisoformat(value).isoformat()
    if spec.type == "datetime" and isinstance(value, str) and value:
        return f"{datetime.fromisoformat(value):%Y-%m-%d %H:%M}"
    return display_value(spec, value, names)


# 修改记录 of a change made while no 填表人 was set in 设置
NO_FILLER = "未设置填表人"


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime  # local time
    who: str  # the 填表人 recorded with the change, never the login
    action: str
    field: str  # Chinese label
    old: str
    new: str


def _local(utc_naive: datetime) -> datetime:
    return utc_naive.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


def _view(row: Record) -> RecordView:
    return RecordView(
        id=row.id,
        form_id=row.form_id,
        title=row.title,
        values=dict(row.data),
        record_date=row.record_date,
        site_id=row.site_id,
        status=row.status,
        created_at=_local(row.created_at),
        updated_at=_local(row.updated_at),
        author=row.author,
        version=row.version,
        deleted=row.deleted,
        deleted_at=_local(row.deleted_at) if row.deleted_at else None,
    )


def site_refs(form: FormSpec, data: Mapping[str, Any]) -> set[str]:
    """Site ids stored in ``data`` (site fields, also inside repeat groups)."""
    return {
        value
        for spec, value in field_values(form, data)
        if spec.type == "site" and isinstance(value, str)
    }


def _not_copied(spec: FieldSpec) -> bool:
    """Fields 复制上一条 leaves out: photos, links, generated numbers, computed values."""
    return spec.type in ("photos", "record") or bool(spec.generate) or bool(spec.computed)


def _patrol_types_changed(form: FormSpec, old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether the site types the patrol site field accepts differ between two sets of
    values (``new`` is raw input: its type may be a synonym)."""
    patrol = form.patrol
    if patrol is None:
        return False
    type_spec = form.field(patrol.type_field)
    site_spec = form.field(patrol.site_field)

    def allowed(values: Mapping[str, Any]) -> tuple[str, ...]:
        value = values.get(patrol.type_field)
        if isinstance(value, str):
            value = type_spec.choice_synonyms.get(value.strip(), value.strip())
        return form.allowed_site_types(site_spec, {patrol.type_field: value})

    return allowed(old) != allowed(new)


def _read_values(form: FormSpec, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Input read as far as it can be (unreadable and hidden values count as empty), as
    the deadline of a record being typed is worked out."""
    values: dict[str, Any] = {}
    for spec in form.fields:
        value = raw.get(spec.key)
        if spec.computed or is_empty(value):
            continue
        if spec.is_repeat:
            values[spec.key] = value  # dates in the rows are read by the deadline itself
            continue
        try:
            values[spec.key] = coerce_value(spec, value, None)
        except Exception:  # not readable yet: the clerk is still typing
            continue
    return {k: v for k, v in values.items() if form.is_visible(form.field(k), values)}


@contextlib.contextmanager
def _joined(ctx: AppContext, session: Session | None) -> Iterator[Session]:
    """The caller's session, or a transaction of its own."""
    if session is not None:
        yield session
        return
    with ctx.transaction() as own:
        yield own


class RecordService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.registry = ctx.registry

    # ---- helpers -------------------------------------------------------------------
    def _resolver(self, session: Session, keep: Collection[str] = ()) -> SiteResolver:
        """Site by id or name. ``keep``: site ids the record already holds; they stay
        valid even if that site has since been moved to the 回收站 or changed type, so
        that the record's other fields can still be edited."""

        def resolve(text: str, site_types: tuple[str, ...]) -> str:
            row = repository.get_record(session, text)
            if row is not None and row.form_id == "site" and text in keep:
                return row.id
            if row is not None and row.form_id == "site" and row.deleted:
                raise ValueError(f"监管对象“{row.title}”已在回收站中，请先恢复或另选")
            if row is not None and row.form_id == "site" and not row.deleted:
                candidates = [row]
            else:
                candidates = list(repository.sites_by_name(session, text))
            if site_types:
                typed = [c for c in candidates if c.data.get("site_type") in site_types]
                if not typed and candidates:
                    shown = candidates[0].title  # the name, also when given by id
                    raise ValueError(f"“{shown}”不是{'、'.join(site_types)}类的监管对象")
                candidates = typed
            if not candidates:
                raise ValueError(f"找不到名为“{text}”的监管对象，请先在“监管对象”中登记")
            if len(candidates) > 1:
                raise ValueError(f"有{len(candidates)}个名为“{text}”的监管对象，请改用编号")
            return candidates[0].id

        return resolve

    def rule_problems(
        self, session: Session, rows: Iterable[Record]
    ) -> Iterator[tuple[Record, FormSpec, ValidationError]]:
        """The records of ``rows`` that no longer satisfy their form files (which may have
        been edited since they were saved), each with what is wrong; records of a form no
        longer defined are skipped (``gongkai check`` names those separately)."""
        for row in rows:
            form = self.registry.forms.get(row.form_id)
            if form is None:
                continue
            try:
                resolver = self._resolver(session, keep=site_refs(form, row.data))
                coerce_record(form, row.data, resolver, existing=row.data)
            except ValidationError as err:
                yield row, form, err

    def _load(self, session: Session, record_id: str) -> Record:
        row = repository.get_record(session, record_id)
        if row is None or row.form_id not in self.registry.forms:
            raise RecordNotFoundError(record_id)
        return row

    def _audit(
        self,
        session: Session,
        row: Record,
        action: str,
        changes: Sequence[Change] = WHOLE_RECORD,
    ) -> None:
        audit_changes(self.ctx, session, row, action, changes)

    def _calendar_for(self, form: FormSpec | None) -> WorkCalendar | None:
        """The office calendar when the form (any form, for None) counts working days."""
        forms = [form] if form is not None else list(self.registry)
        if any(is_workday_deadline(f) for spec_form in forms for f in spec_form.fields):
            return office_calendar(self.ctx)
        return None

    # ---- deadlines for the editor ----------------------------------------------------
    def calendar(self) -> WorkCalendar:
        """The office calendar, for an editor to preview deadlines with as the clerk types."""
        return office_calendar(self.ctx)

    def preview(
        self, form_id: str, raw: Mapping[str, Any], calendar: WorkCalendar | None = None
    ) -> dict[str, Any]:
        """Every computed field's value over input not yet saved (None where it cannot be
        worked out yet), deadlines counted in ``calendar`` (default: the office's)."""
        form = self.registry.form(form_id)
        if calendar is None:
            calendar = self._calendar_for(form)
        return {
            spec.key: preview_computed(form, spec, raw, calendar)
            for spec in form.fields
            if spec.computed
        }

    def deadline_warnings(
        self, form_id: str, values: Mapping[str, Any], calendar: WorkCalendar | None = None
    ) -> dict[str, tuple[str, ...]]:
        """Warnings of each working-day deadline field over (possibly unsaved) values: a
        year neither calendar covers, a consultation still out. Fields without any are
        left out."""
        form = self.registry.form(form_id)
        fields = [spec for spec in form.fields if is_workday_deadline(spec)]
        if not fields:
            return {}
        calendar = calendar or office_calendar(self.ctx)
        read = _read_values(form, values)
        out: dict[str, tuple[str, ...]] = {}
        for spec in fields:
            if not form.is_visible(spec, read):
                continue
            deadline = workday_deadline(spec, read, calendar)
            if deadline is not None and deadline.warnings:
                out[spec.key] = deadline.warnings
        return out

    # ---- actions -------------------------------------------------------------------
    def create(
        self, form_id: str, raw: Mapping[str, Any], link_from: str | None = None
    ) -> RecordView:
        """Save a new record. ``link_from``: the record it was started from (a form
        action such as 生成整改任务); both records then point at each other."""
        form = self.registry.form(form_id)
        calendar = self._calendar_for(form)
        with self.ctx.transaction() as session:
            # fields left out get their form defaults, as in a new editor
            start = start_values(form, raw)
            source = self._load(session, link_from) if link_from else None
            existing: dict[str, Any] = {}
            back_link = None
            if source is not None:
                link = form.link_field(source.form_id)
                back_link = self.registry.form(source.form_id).link_field(form.id)
                if link is None:
                    raise GongkaiError(f"表单“{form.title}”没有可关联“{source.title}”的字段")
                existing[link.key] = source.id
            values = coerce_record(
                form, start, self._resolver(session), existing=existing, calendar=calendar
            )
            site_from_link(session, form, values)
            Numbering(session, form).assign(values)
            user, filler = self.ctx.identity(session)
            row = Record(
                **new_record_row(
                    str(uuid.uuid4()),
                    form,
                    values,
                    derived_columns_in(session, form, values),
                    filler or user,
                    utcnow(),
                )
            )
            session.add(row)
            session.flush()
            self._audit(session, row, ACTION_CREATE, [(k, None, v) for k, v in values.items()])
            if source is not None and back_link is not None:
                old = source.data.get(back_link.key)
                source.data = {**source.data, back_link.key: row.id}
                source.version += 1
                source.updated_at = utcnow()
                session.flush()
                self._audit(session, source, ACTION_UPDATE, [(back_link.key, old, row.id)])
            return _view(row)

    def prefill(self, action_id: str, source_id: str) -> tuple[str, dict[str, Any]]:
        """(target form id, starting values) of a form action on a saved record."""
        with self.ctx.reading() as session:
            source = self._load(session, source_id)
            action = self.registry.form(source.form_id).action(action_id)
            target = self.registry.form(action.target)
            values = default_values(target)
            values.update(dict(action.values))
            for target_key, source_key in action.copy:
                if not is_empty(source.data.get(source_key)):
                    values[target_key] = source.data[source_key]
            return target.id, values

    def previous_values(self, form_id: str) -> dict[str, Any]:
        """Values of the newest record of the form, for 复制上一条: everything but the
        date (it defaults to today), photos, links, generated numbers and the fields
        the form lists in ``not_copied`` (what belongs to that one event)."""
        form = self.registry.form(form_id)
        query = RecordQuery(form_id=form.id, sort_key="created_at", descending=True)
        with self.ctx.reading() as session:
            rows = repository.page_records(session, query, 0, 1)
            if not rows:
                return default_values(form)
            skip = {form.date_field, *form.not_copied}
            skip |= {f.key for f in form.fields if _not_copied(f)}
            values = {k: v for k, v in rows[0].data.items() if k not in skip}
            for spec in form.fields:
                # photos of a progress row are photos too: two records never share a file
                if spec.is_repeat and isinstance(values.get(spec.key), list):
                    drop = {c.key for c in spec.fields if _not_copied(c)}
                    rows_kept = [
                        {k: v for k, v in row.items() if k not in drop}
                        for row in values[spec.key]
                        if isinstance(row, dict)
                    ]
                    values[spec.key] = [r for r in rows_kept if r]
                    if not values[spec.key]:
                        del values[spec.key]
            return {**default_values(form), **values}

    def remembered_names(self, form_id: str, key: str, limit: int = 200) -> list[str]:
        """Names typed before in a person field (each name of 张三、李四 on its own),
        most recently used first, for the field's completer."""
        with self.ctx.reading() as session:
            texts = repository.recent_field_values(session, form_id, key, limit)
        names: list[str] = []
        for text in texts:
            for name in re.split(r"[、,，;；\s]+", text):
                if name and name not in names:
                    names.append(name)
        return names

    def update(
        self,
        record_id: str,
        raw: Mapping[str, Any],
        expected_version: int | None = None,
        *,
        within: Session | None = None,
    ) -> RecordView:
        """Change some fields (keys absent from ``raw`` keep their values; null clears).
        ``within``: the caller's transaction (the ledger import's 更新) instead of one
        of its own."""
        calendar = self._calendar_for(None) if within is None else calendar_in(within)
        with _joined(self.ctx, within) as session:
            row = self._load(session, record_id)
            if expected_version is not None and row.version != expected_version:
                raise StaleRecordError()
            form = self.registry.form(row.form_id)
            merged = {**row.data, **raw}
            keep = site_refs(form, row.data)
            if form.patrol is not None and _patrol_types_changed(form, row.data, merged):
                # a site kept from before must still suit the newly chosen type
                keep.discard(row.data.get(form.patrol.site_field))
            resolver = self._resolver(session, keep=keep)
            values = coerce_record(form, merged, resolver, existing=row.data, calendar=calendar)
            site_from_link(session, form, values)
            Numbering(session, form).assign(values)  # a number cleared is given anew
            old = dict(row.data)
            changes = [
                (k, old.get(k), values.get(k))
                for k in [*old, *(k for k in values if k not in old)]
                if old.get(k) != values.get(k)
            ]
            if not changes:
                return _view(row)
            for key, value in derived_columns_in(session, form, values).items():
                setattr(row, key, value)
            row.data = values
            row.version += 1
            row.updated_at = utcnow()
            session.flush()
            self._audit(session, row, ACTION_UPDATE, changes)
            return _view(row)

    def delete(self, record_id: str) -> RecordView:
        with self.ctx.transaction() as session:
            row = self._load(session, record_id)
            if not row.deleted:
                row.deleted = True
                row.deleted_at = utcnow()
                row.version += 1
                session.flush()
                self._audit(session, row, ACTION_DELETE)
            return _view(row)

    def restore(self, record_id: str) -> RecordView:
        with self.ctx.transaction() as session:
            row = self._load(session, record_id)
            if row.deleted:
                row.deleted = False
                row.deleted_at = None
                row.version += 1
                session.flush()
                self._audit(session, row, ACTION_RESTORE)
            return _view(row)

    # ---- reading -------------------------------------------------------------------
    def get(self, record_id: str) -> RecordView:
        with self.ctx.reading() as session:
            return _view(self._load(session, record_id))

    def list_columns(self, form_id: str) -> list[tuple[str, str]]:
        """(sort key, Chinese header) of the list view of a form."""
        form = self.registry.form(form_id)
        keys = form.list_columns or tuple(f.key for f in form.fields[:6])
        columns = []
        for key in keys:
            spec = form.field(key)
            if key == form.title_field:
                sort = "title"
            elif key == form.date_field:
                sort = "record_date"
            elif key == form.status_field:
                sort = "status"
            elif spec.type == "site":
                sort = f"site:{key}"
            else:
                sort = key
            columns.append((sort, spec.label))
        if form.deadline_state is not None:
            # sorted by the deadline itself: the state is read as of today
            columns.append((form.deadline_state.due, STATE_COLUMN))
        columns.append(("updated_at", "最后修改"))
        return columns

    def shows_names_of(self, form_id: str, other_form_id: str) -> bool:
        """Whether the list of ``form_id`` shows names of ``other_form_id`` records (a
        site column shows the site's name; a record link the linked record's title)."""
        form = self.registry.form(form_id)
        keys = form.list_columns or tuple(f.key for f in form.fields[:6])
        for key in keys:
            spec = form.field(key)
            if spec.type == "site" and other_form_id == "site":
                return True
            if spec.type == "record" and spec.form == other_form_id:
                return True
        return False

    def list_filters(self, form_id: str) -> list[ListFilter]:
        """The drop-downs a form's list declares (``list_filters``), with their options."""
        form = self.registry.form(form_id)
        out = []
        with self.ctx.reading() as session:
            for key in form.list_filters:
                spec = form.field(key)
                options: tuple[tuple[str, Any], ...]
                if spec.type == "boolean":
                    options = (("是", True), ("否", False))
                elif spec.type == "choice":
                    options = tuple((c, c) for c in spec.choices)
                else:
                    values = repository.distinct_field_values(session, form_id, key)
                    options = tuple((v, v) for v in values)
                out.append(ListFilter(key, spec.label, options))
        return out

    def count(self, query: RecordQuery) -> int:
        with self.ctx.reading() as session:
            return repository.count_records(session, query)

    def page(
        self,
        query: RecordQuery,
        offset: int,
        limit: int,
        after_id: str | None = None,
        after: Cursor | None = None,
    ) -> list[ListRow]:
        """Rows after ``after`` (a row's ``cursor``) or after record ``after_id``; from
        ``offset`` when neither is given (small lists only).

        Long lists page with a cursor: the cost does not grow with the depth.
        """
        with self.ctx.reading() as session:
            if after is None and after_id is not None:
                after = repository.cursor_of(session, query, after_id)
            state = self._state_sql(query)
            rows = repository.page_rows(session, query, limit, after, state, offset=offset)
            return self._list_rows_with(session, rows, query.form_id)

    def list_row(self, query: RecordQuery, record_id: str) -> ListRow | None:
        """Record ``record_id`` as a row of the list ``query``, or None when the list's
        filters leave it out (e.g. after a save changed it, or it went to the 回收站)."""
        with self.ctx.reading() as session:
            row = repository.row_in(session, query, record_id, self._state_sql(query))
            listed = self._list_rows_with(session, [row] if row else [], query.form_id)
            return listed[0] if listed else None

    def _state_sql(self, query: RecordQuery) -> Any:
        form = self.registry.forms.get(query.form_id) if query.form_id else None
        if form is None or form.deadline_state is None:
            return None
        return deadline_state_sql(Record, form, date.today())

    def _list_rows_with(
        self, session: Session, rows: Sequence[PageRow], form_id: str | None
    ) -> list[ListRow]:
        """``_list_rows`` with each row's sort value and, for a form with a deadline
        state, its 逾期/临期 cell (before 最后修改, as in list_columns)."""
        by_id = {r.record.id: r for r in rows}
        listed = self._list_rows(session, [r.record for r in rows], form_id)
        form = self.registry.forms.get(form_id) if form_id else None
        with_state = form is not None and form.deadline_state is not None
        out = []
        for r in listed:
            page_row = by_id[r.id]
            if with_state:
                state = page_row.extra
                label = STATE_LABELS.get(state or "", "")
                r = replace(r, cells=(*r.cells[:-1], label, r.cells[-1]), state=state)
            out.append(replace(r, sort_value=page_row.sort_value))
        return out

    def views(
        self, query: RecordQuery, limit: int, after_id: str | None = None
    ) -> list[RecordView]:
        """Whole records of a list, a page at a time (CLI listing, exports)."""
        with self.ctx.reading() as session:
            rows = repository.page_records(session, query, 0, limit, after_id)
            return [_view(row) for row in rows]

    def _list_rows(
        self, session: Session, rows: Sequence[Record], form_id: str | None
    ) -> list[ListRow]:
        site_ids = []
        for row in rows:
            form = self.registry.forms.get(row.form_id)
            if form:
                site_ids += [
                    v
                    for f in form.fields
                    if f.type in ("site", "record") and (v := row.data.get(f.key))
                ]
        names = repository.site_names(session, site_ids)
        out = []
        for row in rows:
            form = self.registry.forms.get(row.form_id)
            if form is None:
                continue
            if form_id is None:  # the 回收站 lists every form the same way
                cells: tuple[str, ...] = (
                    form.title,
                    row.title,
                    _local(row.deleted_at).strftime("%Y-%m-%d %H:%M") if row.deleted_at else "",
                )
            else:
                keys = form.list_columns or tuple(f.key for f in form.fields[:6])
                cells = (
                    *(_list_cell(form.field(k), row.data.get(k), names) for k in keys),
                    _local(row.updated_at).strftime("%Y-%m-%d"),
                )
            out.append(ListRow(row.id, row.form_id, cells, row.version))
        return out

    def history(self, record_id: str) -> list[HistoryEntry]:
        with self.ctx.reading() as session:
            row = self._load(session, record_id)
            form = self.registry.form(row.form_id)
            entries = repository.audit_for(session, record_id)
            site_ids = []
            for e in entries:
                for raw in (e.old_value, e.new_value):
                    if (
                        raw
                        and e.field
                        and form.has_field(e.field)
                        and form.field(e.field).type in ("site", "record")
                    ):
                        site_ids.append(json.loads(raw))
            names = repository.site_names(session, site_ids)
            result = []
            for e in entries:
                if e.field and form.has_field(e.field):
                    spec = form.field(e.field)
                    label = spec.label
                    old = display_value(spec, json.loads(e.old_value), names) if e.old_value else ""
                    new = display_value(spec, json.loads(e.new_value), names) if e.new_value else ""
                else:
                    label = e.field
                    old = json.loads(e.old_value) if e.old_value else ""
                    new = json.loads(e.new_value) if e.new_value else ""
                # the 填表人 recorded with the change; the computer's login stays in the
                # audit table and is never shown
                who = e.filler or NO_FILLER
                result.append(HistoryEntry(_local(e.at), who, e.action, label, str(old), str(new)))
            return result

    def site_choices(self, site_types: Sequence[str] = ()) -> list[tuple[str, str, str]]:
        with self.ctx.reading() as session:
            return repository.all_sites(session, site_types)

    def site_names(self, ids: Sequence[str]) -> dict[str, str]:
        with self.ctx.reading() as session:
            return repository.site_names(session, ids)

    def export_values(self, view: RecordView) -> dict[str, Any]:
        """JSON shape of one record for ``gongkai list --json``."""
        form = self.registry.form(view.form_id)
        out: dict[str, Any] = {"id": view.id}
        for spec in form.fields:
            value = view.values.get(spec.key)
            out[spec.key] = None if is_empty(value) else value
        return out


__all__ = [
    "HistoryEntry",
    "ListFilter",
    "ListRow",
    "RecordQuery",
    "RecordService",
    "RecordView",
    "site_refs",
]
