"""The one way a record's stored form is worked out: starting values with their defaults,
generated numbers, the columns kept beside the JSON, the row itself and its audit rows.

``RecordService`` (one record per user action, ORM rows), the ledger importer (batches of
core inserts) and the editor (defaults while the clerk types) all call these, so the paths
that write records cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from gongkai_desktop.data import repository
from gongkai_desktop.data.models import AuditEntry, Record
from gongkai_desktop.data.search import search_text_of
from gongkai_desktop.forms.spec import FieldSpec, FormSpec
from gongkai_desktop.forms.values import (
    default_values,
    dependent_default,
    display_value,
    is_empty,
)
from gongkai_desktop.services.context import AppContext

ACTION_CREATE = "新建"
ACTION_UPDATE = "修改"
ACTION_DELETE = "删除"
ACTION_RESTORE = "恢复"
ACTION_IMPORT = "导入"
ACTION_RECOMPUTE = "重算期限"  # the holiday table changed: a stored deadline followed it

Change = tuple[str, Any, Any]  # (field key, old value, new value); key "" for the record
WHOLE_RECORD: tuple[Change, ...] = (("", None, None),)


def utcnow() -> datetime:
    """Stored times are naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


# ---- defaults ------------------------------------------------------------------------------
def field_default(
    spec: FieldSpec,
    values: Mapping[str, Any],
    driver: FieldSpec | None = None,
    static: Mapping[str, Any] | None = None,
) -> Any:
    """The default of one field given the other values: the one its ``default_from``
    driver maps to, else its plain default (``static``: the form's default values)."""
    mapped = dependent_default(spec, values, driver)
    if mapped is not None:
        return mapped
    return (static or {}).get(spec.key, spec.default)


def start_values(
    form: FormSpec, given: Mapping[str, Any], today_dates: bool = True
) -> dict[str, Any]:
    """The values a new record starts from: the form's defaults, then ``given``, then the
    defaults that depend on another field (``default_from``) for every field not given.

    ``given`` may be raw input (a choice may be a synonym). ``today_dates=False`` leaves a
    date that defaults to today empty (an imported row without a date is an error, not
    "today")."""
    static = default_values(form)
    if not today_dates:
        today = {f.key for f in form.fields if f.type == "date" and f.default == "today"}
        static = {k: v for k, v in static.items() if k not in today}
    values = {**static, **given}
    for spec in form.fields:
        if spec.default_from is None or spec.key in given:
            continue
        driver = form.field(spec.default_from["field"])
        dependent = dependent_default(spec, values, driver)
        if dependent is not None:
            values[spec.key] = dependent
    return values


# ---- stored columns ------------------------------------------------------------------------
def site_ids_in(form: FormSpec, values: Mapping[str, Any]) -> list[str]:
    """Ids held by the form's top-level site fields (those shown in the title)."""
    return [v for f in form.fields if f.type == "site" and (v := values.get(f.key))]


def site_from_link(session: Session, form: FormSpec, values: dict[str, Any]) -> None:
    """A record whose 监管对象 was left empty takes the site of the record it is linked
    to (a rectification task made from an inspection is about the inspected site).

    Done here, where every record is written, rather than as a fallback in each ledger and
    report: the site is then an ordinary value the clerk sees in the editor and can change,
    and every list, ledger, filter and figure reads the same one. A site chosen by the
    clerk is never replaced."""
    if not form.site_field or not is_empty(values.get(form.site_field)):
        return
    for spec in form.fields:
        linked = values.get(spec.key)
        if spec.type != "record" or not isinstance(linked, str) or not linked:
            continue
        row = repository.get_record(session, linked)
        if row is not None and not row.deleted and row.site_id:
            values[form.site_field] = row.site_id
            in_form_order(form, values)
            return


def derived_columns(
    form: FormSpec, values: Mapping[str, Any], site_names: Mapping[str, str]
) -> dict[str, Any]:
    """Columns kept beside the JSON for lists and reports: title, date, site, status,
    search text. ``site_names``: names of (at least) the record's sites."""
    names = {i: site_names[i] for i in site_ids_in(form, values) if i in site_names}
    parts = [display_value(form.field(key), values.get(key), names) for key in form.title_fields]
    title = " ".join(p for p in parts if p)[:200]
    raw_date = values.get(form.date_field) if form.date_field else None
    return {
        "title": title,
        "record_date": date.fromisoformat(raw_date) if raw_date else None,
        "site_id": values.get(form.site_field) if form.site_field else None,
        "status": values.get(form.status_field) if form.status_field else None,
        "search_text": search_text_of(dict(values), [title, *names.values()]),
    }


def derived_columns_in(session: Session, form: FormSpec, values: Mapping[str, Any]) -> dict:
    """:func:`derived_columns` with the site names read from the database."""
    return derived_columns(form, values, repository.site_names(session, site_ids_in(form, values)))


def new_record_row(
    record_id: str,
    form: FormSpec,
    values: dict[str, Any],
    derived: Mapping[str, Any],
    author: str,
    now: datetime,
) -> dict[str, Any]:
    """Column values of a newly stored record (version 1, not deleted)."""
    return {
        "id": record_id,
        "form_id": form.id,
        "data": values,
        "created_at": now,
        "updated_at": now,
        "author": author,
        "version": 1,
        "deleted": False,
        **derived,
    }


# json.dumps with options builds a new encoder per call; an import dumps 100,000s of values
_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def _dump(value: Any) -> str | None:
    return None if value is None else _ENCODE(value)


def audit_rows(
    identity: tuple[str, str],
    record_id: str,
    form_id: str,
    action: str,
    changes: Sequence[Change] = WHOLE_RECORD,
    at: datetime | None = None,
) -> list[dict[str, Any]]:
    """One audit row per (field, old, new); ``identity``: (OS login, 填表人)."""
    os_user, filler = identity
    at = at or utcnow()
    return [
        {
            "at": at,
            "os_user": os_user,
            "filler": filler,
            "record_id": record_id,
            "form_id": form_id,
            "action": action,
            "field": key,
            "old_value": _dump(old),
            "new_value": _dump(new),
        }
        for key, old, new in changes
    ]


def in_form_order(form: FormSpec, values: dict[str, Any]) -> None:
    """Stored values (and so their audit rows) keep the order of the form's fields."""
    ordered = {f.key: values[f.key] for f in form.fields if f.key in values}
    values.clear()
    values.update(ordered)


# ---- generated numbers ---------------------------------------------------------------------
def sequence_of(value: str, head: str) -> int:
    """The sequence number of a generated value after its fixed head (0 when none)."""
    digits = ""
    for char in value[len(head) :]:
        if not char.isdigit():
            break
        digits += char
    return int(digits) if digits else 0


class Numbering:
    """Generated numbers (e.g. ZG2024-001) of one form within one transaction: the next
    number of the record's year after the highest in the database (deleted records count
    too, so a number is never given twice) and the highest given out by this object."""

    def __init__(self, session: Session, form: FormSpec) -> None:
        self.session = session
        self.form = form
        self.fields = [spec for spec in form.fields if spec.generate]
        self._highest: dict[tuple[str, str], int] = {}  # (field, head) -> highest given
        self._seen: dict[tuple[str, str], int] = {}  # typed-in numbers of slots not asked yet

    def assign(self, values: dict[str, Any]) -> None:
        """Fill the empty numbered fields of ``values`` in place (and keep form order)."""
        for spec in self.fields:
            assert spec.generate is not None
            year = self._year(values)
            head = spec.generate.split("{seq", 1)[0].format(year=year)
            slot = (spec.key, head)
            value = values.get(spec.key)
            if is_empty(value):
                if slot not in self._highest:  # the database is asked once per year
                    used = repository.field_values_with_prefix(
                        self.session, self.form.id, spec.key, head
                    )
                    highest = max((sequence_of(v, head) for v in used), default=0)
                    self._highest[slot] = max(highest, self._seen.pop(slot, 0))
                self._highest[slot] += 1
                values[spec.key] = spec.generate.format(year=year, seq=self._highest[slot])
            elif isinstance(value, str) and value.startswith(head):
                # a number typed in (or imported) is not given again by this object
                seq = sequence_of(value, head)
                if slot in self._highest:
                    self._highest[slot] = max(self._highest[slot], seq)
                else:
                    self._seen[slot] = max(self._seen.get(slot, 0), seq)
        in_form_order(self.form, values)

    def _year(self, values: Mapping[str, Any]) -> int:
        """The record's year (of its date field; this year while it has none)."""
        day = values.get(self.form.date_field) if self.form.date_field else None
        return int(day[:4]) if day else date.today().year


def audit_changes(
    ctx: AppContext,
    session: Session,
    row: Record,
    action: str,
    changes: Sequence[Change] = WHOLE_RECORD,
) -> None:
    """One audit entry per (field, old, new) of ``row``, in the caller's transaction."""
    rows = audit_rows(ctx.identity(session), row.id, row.form_id, action, changes)
    repository.add_audit(session, [AuditEntry(**values) for values in rows])
