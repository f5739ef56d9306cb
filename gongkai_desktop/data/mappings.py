"""Queries of import mapping profiles (table ``import_mappings``). Functions take a
Session; the service owns the transaction and the audit entries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gongkai_desktop.data.models import ImportMapping


def mappings_of(session: Session, ledger_id: str) -> list[ImportMapping]:
    stmt = (
        select(ImportMapping)
        .where(ImportMapping.ledger_id == ledger_id)
        .order_by(ImportMapping.kind, ImportMapping.field, ImportMapping.id)
    )
    return list(session.scalars(stmt))


def put_mapping(
    session: Session,
    ledger_id: str,
    kind: str,
    field: str,
    source: str,
    source_text: str,
    target: str,
    at: datetime,
    author: str,
) -> str | None:
    """Insert or replace one decision; returns the previous target (JSON) or None."""
    row = session.scalars(
        select(ImportMapping).where(
            ImportMapping.ledger_id == ledger_id,
            ImportMapping.kind == kind,
            ImportMapping.field == field,
            ImportMapping.source == source,
        )
    ).first()
    if row is None:
        session.add(
            ImportMapping(
                ledger_id=ledger_id,
                kind=kind,
                field=field,
                source=source[:500],
                source_text=source_text[:500],
                target=target,
                decided_at=at,
                author=author[:100],
            )
        )
        session.flush()
        return None
    old = row.target
    row.target, row.source_text, row.decided_at, row.author = (
        target,
        source_text[:500],
        at,
        author[:100],
    )
    session.flush()
    return old
