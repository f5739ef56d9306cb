"""Rows already in the database or earlier in the same file, by the ledger's natural key.

A row whose key is in the database is compared with that record over the columns the
file has: identical → 重复 (skipped); other cells differ → 内容不同, listed with each
differing cell (old → new) for the clerk to 更新 or 跳过. Never the two confused: an
edited exported row is not "the same record"."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from gongkai_desktop.data import imports
from gongkai_desktop.forms.spec import FieldSpec, FormSpec, LedgerColumn, LedgerSpec
from gongkai_desktop.forms.values import display_value, is_empty
from gongkai_desktop.services.ledgers import cells as ledger_cells
from gongkai_desktop.services.ledgers.intake.cells import cell_text
from gongkai_desktop.services.ledgers.intake.sites import SiteResolver


def _key_part(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def matches_filter(ledger: LedgerSpec, values: Mapping[str, Any]) -> bool:
    """Whether a record belongs to the ledger (its ``filter``, e.g. one inspection type)."""
    return all(values.get(key) in allowed for key, allowed in ledger.filter.items())


SAME_RECORD = "数据库中已有相同记录"
CHANGED = "内容不同"


@dataclass(frozen=True)
class CellChange:
    """One cell of a 内容不同 row: the field, its column and both values as shown."""

    field: str
    label: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.label}：{self.old or '（空）'} → {self.new or '（空）'}"


def _carried_value(spec: FieldSpec, value: Any) -> Any:
    """A stored value as a ledger file carries it: repeat rows without their photos
    (a ledger cell holds no photos); empty is None."""
    if is_empty(value):
        return None
    if spec.is_repeat and isinstance(value, list):
        photos = {c.key for c in spec.fields if c.type == "photos"}
        rows = [
            {k: v for k, v in row.items() if k not in photos and not is_empty(v)}
            for row in value
            if isinstance(row, dict)
        ]
        return [r for r in rows if r] or None
    return value


class DuplicateIndex:
    """Natural keys of the ledger's live records and of the rows accepted so far (memory
    holds the keys and each record's id, never the rows: a record is read again only
    when a row names its key)."""

    def __init__(
        self, session: Session, ledger: LedgerSpec, form: FormSpec, sites: SiteResolver
    ) -> None:
        self.session = session
        self.ledger = ledger
        self.form = form
        self.sites = sites
        # the columns an import reads back into the record's own fields
        self.compared: list[tuple[LedgerColumn, FieldSpec]] = []
        for column in ledger.columns:
            if "." in column.field or not form.has_field(column.field):
                continue
            spec = form.field(column.field)
            if spec.type in ("photos", "record") or spec.computed or spec.readonly:
                continue
            self.compared.append((column, spec))
        # key -> record id ("" when several live records share the key)
        self.in_database: dict[tuple[str, ...], str] = {}
        for record_id, data in imports.live_rows(session, form.id):
            if matches_filter(ledger, data):
                key = self.key_of(data)
                if key is not None:
                    self.in_database[key] = "" if key in self.in_database else record_id
        self.in_file: dict[tuple[str, ...], int] = {}  # key -> row number

    def carried(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """What the ledger's row of these values holds, field by field (a column that
        shows the site's value when the record has none holds that value)."""
        out: dict[str, Any] = {}
        for column, spec in self.compared:
            value = _carried_value(spec, values.get(column.field))
            if value is None and column.from_site and self.form.site_field:
                value = self.sites.field_value(values.get(self.form.site_field), column.from_site)
                value = None if is_empty(value) else value
            out[column.field] = value
        return out

    def changes(
        self, key: tuple[str, ...] | None, stored: Mapping[str, Any], present: Collection[str]
    ) -> tuple[str, list[CellChange]]:
        """(record id, differing cells) of a row whose key names one live record; ("",
        []) when it names none or several. ``present``: the fields the file's columns
        fill (a column the file lacks is no difference)."""
        record_id = self.in_database.get(key) if key is not None else None
        if not record_id:
            return "", []
        new = self.carried(stored)
        old_data = imports.record_data(self.session, record_id) or {}
        old = self.carried(old_data)
        names = self.sites.all_names()
        found = []
        for column, spec in self.compared:
            f = column.field
            if f in present and old[f] != new[f]:
                found.append(
                    CellChange(
                        f, column.label, _shown(spec, old[f], names), _shown(spec, new[f], names)
                    )
                )
        return record_id, found

    def key_of(self, values: Mapping[str, Any]) -> tuple[str, ...] | None:
        """The natural key of stored values (None when every part is empty)."""
        parts = []
        for ref in self.ledger.natural_key:
            if "." in ref:
                site_key, sub = ref.split(".", 1)
                value = self.sites.field_value(values.get(site_key), sub)
            else:
                value = values.get(ref)
            parts.append(None if is_empty(value) else value)
        if all(p is None for p in parts):
            return None
        return tuple(_key_part(p) for p in parts)

    def duplicate_reason(self, key: tuple[str, ...] | None) -> str:
        """Why a row with this key is skipped, or "" when it is new."""
        if key is None:
            return ""
        if key in self.in_file:  # also a key of the database first seen as 内容不同
            return f"与第{self.in_file[key]}行重复"
        if key in self.in_database:
            return SAME_RECORD
        return ""

    def add(self, key: tuple[str, ...] | None, row_number: int) -> None:
        if key is not None:
            self.in_file[key] = row_number

    def key_text(self, values: Mapping[str, Any]) -> str:
        """The key as the clerk reads it: 日期：2023年6月5日，水源地：龙河水库."""
        shown = []
        for ref in self.ledger.natural_key:
            column = next((c for c in self.ledger.columns if c.field == ref), None)
            label = column.label if column else ref
            if "." in ref:
                site_key, sub = ref.split(".", 1)
                text = cell_text(self.sites.field_value(values.get(site_key), sub))
            else:
                spec = self.form.field(ref)
                text = display_value(spec, values.get(ref), self.sites.all_names())
            shown.append(f"{label}：{text or '（空）'}")
        return "，".join(shown)


def _shown(spec: FieldSpec, value: Any, names: Mapping[str, str]) -> str:
    """A value as its ledger cell shows it (a repeat group line by line)."""
    if value is None:
        return ""
    if spec.is_repeat:
        return str(ledger_cells.cell_value(spec, value, names) or "")
    return display_value(spec, value, names)
