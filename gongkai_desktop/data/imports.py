"""Queries of the ledger import: imported-file hashes and the live records a ledger
compares new rows against. Functions take a Session; the service owns the transaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gongkai_desktop.data.models import AuditEntry, ImportedFile, ImportMapping, Record


def find_imported(session: Session, sha256: str, ledger_id: str) -> ImportedFile | None:
    stmt = select(ImportedFile).where(
        ImportedFile.sha256 == sha256, ImportedFile.ledger_id == ledger_id
    )
    return session.scalars(stmt).first()


def add_imported(
    session: Session,
    sha256: str,
    ledger_id: str,
    file_name: str,
    at: datetime,
    rows_added: int,
    author: str,
) -> None:
    session.add(
        ImportedFile(
            sha256=sha256,
            ledger_id=ledger_id,
            file_name=file_name[:260],
            imported_at=at,
            rows_added=rows_added,
            author=author[:100],
        )
    )
    session.flush()


def live_data(session: Session, form_id: str, batch: int = 2000) -> Iterator[dict[str, Any]]:
    """The values of every live record of a form, streamed in batches."""
    stmt = (
        select(Record.data)
        .where(Record.form_id == form_id, Record.deleted.is_(False))
        .execution_options(yield_per=batch)
    )
    for (data,) in session.execute(stmt):
        yield data


def live_rows(
    session: Session, form_id: str, batch: int = 2000
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(id, values) of every live record of a form, streamed in batches."""
    stmt = (
        select(Record.id, Record.data)
        .where(Record.form_id == form_id, Record.deleted.is_(False))
        .execution_options(yield_per=batch)
    )
    for row in session.execute(stmt):
        yield row[0], row[1]


def record_data(session: Session, record_id: str) -> dict[str, Any] | None:
    """The stored values of one live record (None when it is gone)."""
    return session.scalar(
        select(Record.data).where(Record.id == record_id, Record.deleted.is_(False))
    )


def live_sites(session: Session) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(id, name, values) of every live site."""
    stmt = select(Record.id, Record.title, Record.data).where(
        Record.form_id == "site", Record.deleted.is_(False)
    )
    for row in session.execute(stmt):
        yield row[0], row[1], row[2]


def data_stamp(session: Session) -> tuple[Any, ...]:
    """Changes whenever records, import profiles or imported files change: every record
    write adds an audit entry (the log is append-only), so its highest id moves."""
    return (
        session.scalar(select(func.max(AuditEntry.id))),
        session.scalar(select(func.count(Record.id))),
        session.scalar(select(func.max(ImportMapping.id))),
        session.scalar(select(func.max(ImportedFile.id))),
    )
