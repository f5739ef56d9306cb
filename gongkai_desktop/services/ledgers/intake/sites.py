"""Sites named in an imported ledger: found by name among the registered 监管对象, or
prepared as new 待完善 sites (written only once a row that names them is accepted)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from gongkai_desktop.data import imports
from gongkai_desktop.domain.errors import ValidationError
from gongkai_desktop.forms.spec import FormSpec
from gongkai_desktop.forms.values import coerce_record, is_empty
from gongkai_desktop.services.records.writing import start_values

NEW_SITE_STATUS = "待完善"
PLACEHOLDER_VILLAGE = "待完善"


@dataclass
class PendingSite:
    id: str
    name: str
    site_type: str
    values: dict[str, Any]
    first_row: int
    used: bool = False
    written: bool = False


class SiteResolver:
    """Site names → ids for one import; the live sites are read once, up front."""

    def __init__(self, session: Session, site_form: FormSpec | None) -> None:
        self.site_form = site_form
        # sites by name: (id, type); their values for natural keys and names for display
        self.by_name: dict[str, list[tuple[str, str]]] = {}
        self.values: dict[str, dict[str, Any]] = {}
        self.names: dict[str, str] = {}
        for site_id, name, values in imports.live_sites(session):
            self.by_name.setdefault(name, []).append((site_id, values.get("site_type", "")))
            self.values[site_id] = values
            self.names[site_id] = name
        self.pending: dict[tuple[str, str], PendingSite] = {}
        self.pending_by_id: dict[str, PendingSite] = {}
        # the row being checked: a new site takes its village and site columns
        self.row_number = 0
        self.row_raw: dict[str, Any] = {}
        self.row_site_attrs: dict[str, Any] = {}

    def at_row(self, number: int, raw: dict[str, Any], site_attrs: dict[str, Any]) -> None:
        self.row_number, self.row_raw, self.row_site_attrs = number, raw, site_attrs

    def resolve(self, text: str, site_types: tuple[str, ...]) -> str:
        """The id of the site named ``text`` of one of ``site_types`` (a pending new site
        when none is registered); ValueError with the reason when it is ambiguous."""
        candidates = self.by_name.get(text, [])
        typed = [c for c in candidates if not site_types or c[1] in site_types]
        if len(typed) == 1:
            return typed[0][0]
        if len(typed) > 1:
            raise ValueError(f"有{len(typed)}个名为“{text}”的监管对象，无法确定是哪一个")
        if candidates:
            registered = "、".join(sorted({c[1] for c in candidates}))
            raise ValueError(
                f"“{text}”已登记为{registered}类监管对象，不是{'、'.join(site_types)}类"
            )
        site_type = site_types[0] if site_types else "其他"
        pending = self.pending.get((text, site_type))
        if pending is not None:
            return pending.id
        values = self._new_site_values(text, site_type)
        pending = PendingSite(str(uuid.uuid4()), text, site_type, values, self.row_number)
        self.pending[(text, site_type)] = pending
        self.pending_by_id[pending.id] = pending
        return pending.id

    def _new_site_values(self, name: str, site_type: str) -> dict[str, Any]:
        if self.site_form is None:
            raise ValueError("没有“监管对象”表单，无法新建监管对象")
        raw: dict[str, Any] = {**self.row_site_attrs}
        raw.update({"site_type": site_type, "name": name, "status": NEW_SITE_STATUS})
        if is_empty(raw.get("village")):
            raw["village"] = self.row_raw.get("village") or PLACEHOLDER_VILLAGE
        try:
            return coerce_record(self.site_form, start_values(self.site_form, raw))
        except ValidationError as exc:
            raise ValueError(f"无法新建监管对象“{name}”（{exc}）") from None

    def field_value(self, site_id: Any, sub: str) -> Any:
        """A field of a registered or pending site (for natural keys and display)."""
        if not isinstance(site_id, str):
            return None
        pending = self.pending_by_id.get(site_id)
        values = pending.values if pending is not None else self.values.get(site_id, {})
        return values.get(sub)

    def all_names(self) -> dict[str, str]:
        """Names of registered and pending sites by id."""
        return {**self.names, **{p.id: p.name for p in self.pending.values()}}
