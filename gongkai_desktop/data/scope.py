"""County mode: sessions that see only some townships' records.

A county database holds every township's records side by side (``records.township_code``).
Each county output (a ledger over a chosen set of townships, one township's figures in the
by-township table) is the township output run over a narrower set of records, so rather
than threading a filter through every query, the session itself adds the condition: every
ORM read of ``Record`` (aliases, subqueries and CTEs included) gets
``township_code IN (…)`` through ``with_loader_criteria``. Writes are not touched.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker, with_loader_criteria

from gongkai_desktop.data.models import Record


def township_scoped(
    factory: sessionmaker[Session], codes: Collection[str]
) -> sessionmaker[Session]:
    """A session factory like ``factory`` whose reads see only the records of the
    townships ``codes`` (an empty collection: no record at all)."""
    scoped: sessionmaker[Session] = sessionmaker(**factory.kw)
    wanted = tuple(sorted(set(codes)))

    def only_these(cls: Any) -> Any:
        return cls.township_code.in_(wanted)

    @event.listens_for(scoped, "do_orm_execute")
    def _scope(state: ORMExecuteState) -> None:
        if state.is_select:
            state.statement = state.statement.options(
                with_loader_criteria(Record, only_these, include_aliases=True)
            )

    return scoped
