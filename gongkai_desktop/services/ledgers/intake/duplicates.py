"""Rows already in the database or earlier in the same file, by the ledger's natural key."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from gongkai_desktop.data import imports
from gongkai_desktop.forms.spec import FormSpec, LedgerSpec
from gongkai_desktop.forms.values import display_value, is_empty
from gongkai_desktop.services.ledgers.intake.cells import cell_text
from gongkai_desktop.services.ledgers.intake.sites import SiteResolver


def _key_part(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def matches_filter(ledger: LedgerSpec, values: Mapping[str, Any]) -> bool:
    """Whether a record belongs to the ledger (its ``filter``, e.g. one inspection type)."""
    return all(values.get(key) in allowed for key, allowed in ledger.filter.items())


class DuplicateIndex:
    """Natural keys of the ledger's live records and of the rows accepted so far (memory
    holds the keys, never the rows)."""

    def __init__(
        self, session: Session, ledger: LedgerSpec, form: FormSpec, sites: SiteResolver
    ) -> None:
        self.ledger = ledger
        self.form = form
        self.sites = sites
        self.in_database: set[tuple[str, ...]] = set()
        for data in imports.live_data(session, form.id):
            if matches_filter(ledger, data):
                key = self.key_of(data)
                if key is not None:
                    self.in_database.add(key)
        self.in_file: dict[tuple[str, ...], int] = {}  # key -> row number

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
        if key in self.in_database:
            return "数据库中已有相同记录"
        if key in self.in_file:
            return f"与第{self.in_file[key]}行重复"
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
