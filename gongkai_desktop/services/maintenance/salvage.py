"""Adding the records a restore lost (read from the damaged file) back into the restored
database, one by one through the record service: validated and audited like a save."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from gongkai_desktop.domain.errors import GongkaiError, RecordNotFoundError
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.maintenance.damage import SalvagedRecord
from gongkai_desktop.services.records.service import RecordService


@dataclass
class SalvageImport:
    added: list[str] = field(default_factory=list)  # titles of records added or updated
    refused: list[str] = field(default_factory=list)  # "title：reason", in Chinese


def _renamed(value: Any, ids: dict[str, str]) -> Any:
    """``value`` with ids of records re-created under a new id replaced (site fields)."""
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, list):
        return [_renamed(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _renamed(v, ids) for k, v in value.items()}
    return value


def import_salvaged(ctx: AppContext, records: Iterable[SalvagedRecord]) -> SalvageImport:
    """A record still in the restored database is updated to its later values; one
    that is not is created anew (sites first, so that records naming them follow)."""
    service = RecordService(ctx)
    result = SalvageImport()
    new_ids: dict[str, str] = {}
    for record in sorted(records, key=lambda r: r.form_id != "site"):
        values = _renamed(record.values, new_ids)
        try:
            try:
                service.get(record.id)
            except RecordNotFoundError:
                made = service.create(record.form_id, values)
                new_ids[record.id] = made.id
            else:
                service.update(record.id, values)
        except GongkaiError as exc:
            result.refused.append(f"{record.title}：{exc}")
            continue
        result.added.append(record.title)
    return result
