"""Rows inserted in bulk: one DB-API ``executemany`` per batch inside the caller's
transaction, for the writes that add thousands of rows at once (an import, a county
receiving packages)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.orm import Session

from gongkai_desktop.data.hashing import record_checksum


def insert_many(session: Session, model: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert plain rows with one DB-API executemany. The values go through each column
    type's own bind processor, so they are stored exactly as the ORM stores them; the
    ORM's (and Core's) per-row bookkeeping is what 1,000,000 rows cannot afford."""
    if not rows:
        return
    if any(row.keys() != rows[0].keys() for row in rows):
        raise ValueError("rows inserted together must have the same columns")
    table = model.__table__
    if table.name == "records" and "checksum" not in rows[0]:
        rows = [{**row, "checksum": record_checksum(row)} for row in rows]
    if table.name == "audit_log" and "hash" not in rows[0]:
        # the chain order is the id order: only repository.add_audit_rows gives both
        raise ValueError("audit rows are added through repository.add_audit_rows")
    connection = session.connection()
    dialect = connection.dialect
    columns = [c for c in table.columns if c.name in rows[0]]
    statement = (
        f"INSERT INTO {table.name} ({', '.join(c.name for c in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    # column by column: a type's processor runs over one list, not once per cell lookup
    values = []
    for column in columns:
        cells = [row[column.name] for row in rows]
        if isinstance(column.type, DateTime):
            # SQLite's DATETIME storage format (what the type's processor writes), in C
            values.append([v.isoformat(" ", "microseconds") if v is not None else None
                           for v in cells])  # fmt: skip
            continue
        process = column.type._cached_bind_processor(dialect)
        values.append([process(v) for v in cells] if process is not None else cells)
    connection.exec_driver_sql(statement, list(zip(*values, strict=True)))
