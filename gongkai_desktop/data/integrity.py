"""The audit chain and record checksums in the database (see data/hashing.py for what is
hashed): extending the chain inside a write transaction, verifying chain, triggers and
checksums over the raw rows, and the one-time backfill of migration 0009.

Verification reads raw rows on a DB-API connection in autocommit mode: it must see what is
stored, not what the ORM makes of it; it reads every row (100,000s), so it skips the ORM's
cost; and each of its statements reads one snapshot without taking the write lock.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from gongkai_desktop.data.hashing import (
    AUDIT_CONTENT,
    GENESIS,
    RECORD_CONTENT,
    audit_values,
    chain_hash,
    raw_audit_values,
    stored_record_checksum,
)

AUDIT_TRIGGERS = ("audit_log_no_update", "audit_log_no_delete")
_BATCH = 5000


# ---- writing -----------------------------------------------------------------------------------
def chain_head(session: Session) -> tuple[int, str]:
    """(id, hash) of the last audit entry; (0, GENESIS) for an empty log. Read inside
    the write transaction that extends the chain (writes are serialised by SQLite)."""
    row = (
        session.connection()
        .exec_driver_sql("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
        .first()
    )
    if row is None:
        return 0, GENESIS
    return int(row[0]), str(row[1] or "")


def link_entries(session: Session, entries: Sequence[Any]) -> None:
    """Give each pending audit entry (an AuditEntry or a dict of its columns), in order,
    the next id and its chain hash. Pending ORM rows of the session are flushed first,
    so entries added before are already in the chain this extends."""
    last_id, last_hash = chain_head(session)
    for entry in entries:
        last_id += 1
        if isinstance(entry, dict):
            entry["id"] = last_id
            entry["hash"] = last_hash = chain_hash(last_hash, audit_values(entry))
        else:
            # the column defaults, applied before hashing: the hash covers what is stored
            entry.filler = entry.filler if entry.filler is not None else ""
            entry.field = entry.field if entry.field is not None else ""
            entry.id = last_id
            entry.hash = last_hash = chain_hash(last_hash, audit_values(entry))


# ---- verifying ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChainBreak:
    position: int  # 1-based place of the first bad entry in id order
    entry_id: int
    at: str  # the entry's stored time text (UTC)
    reason: str  # "content" (hash does not match), "missing" (no hash)


@dataclass(frozen=True)
class ChainReport:
    entries: int
    last_id: int
    last_hash: str
    first_break: ChainBreak | None
    gaps: tuple[tuple[int, int], ...]  # (first missing id, last missing id)
    missing_triggers: tuple[str, ...]


# Rows read at a time by the checks: they run beside the window after every start, where
# a batch of 5,000 records left ~12 MB more resident; 500 costs no measurable time
_CHECK_BATCH = 500


def _rows(cursor: Any) -> Iterator[Sequence[Any]]:
    while batch := cursor.fetchmany(_CHECK_BATCH):
        yield from batch


def verify_chain(connection: Any) -> ChainReport:
    """(``connection``: a DB-API connection.) Recompute the chain in id order: each stored hash against the previous stored
    hash and the entry's content; ids continuous from 1; both triggers present."""
    columns = ", ".join(AUDIT_CONTENT)
    previous = GENESIS
    expected_id = 1
    count = 0
    last_id = 0
    first_break: ChainBreak | None = None
    gaps: list[tuple[int, int]] = []
    for row in _rows(connection.execute(f"SELECT {columns}, hash FROM audit_log ORDER BY id")):
        count += 1
        entry_id = int(row[0])
        if entry_id != expected_id:
            gaps.append((expected_id, entry_id - 1))
        expected_id = entry_id + 1
        last_id = entry_id
        stored_hash = row[-1]
        if first_break is None:
            at = str(row[1])
            if not stored_hash:
                first_break = ChainBreak(count, entry_id, at, "missing")
            elif chain_hash(previous, raw_audit_values(row[:-1])) != stored_hash:
                first_break = ChainBreak(count, entry_id, at, "content")
        previous = str(stored_hash or "")
    triggers = {
        r[0]
        for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
        )
    }
    return ChainReport(
        entries=count,
        last_id=last_id,
        last_hash=previous if count else GENESIS,
        first_break=first_break,
        gaps=tuple(gaps),
        missing_triggers=tuple(t for t in AUDIT_TRIGGERS if t not in triggers),
    )


@dataclass(frozen=True)
class ChecksumMismatch:
    record_id: str
    form_id: str
    title: str


def verify_checksums(connection: Any) -> list[ChecksumMismatch]:
    """(``connection``: a DB-API connection.) Records whose stored content no longer gives their stored checksum."""
    columns = ", ".join(RECORD_CONTENT)
    bad = []
    for row in _rows(connection.execute(f"SELECT {columns}, checksum FROM records")):
        if stored_record_checksum(row[:-1]) != row[-1]:
            bad.append(ChecksumMismatch(str(row[0]), str(row[1]), str(row[2] or "")))
    return bad


# ---- migration 0009 ------------------------------------------------------------------------------
def backfill_chain(connection: Connection) -> int:
    """Hash every existing entry in id order (the no-update trigger must be off), a
    batch of ids at a time (memory stays flat however long the log). Works on the
    DB-API connection under ``connection``, inside its transaction."""
    raw = connection.connection.driver_connection
    assert raw is not None
    query = f"SELECT {', '.join(AUDIT_CONTENT)} FROM audit_log WHERE id > ? ORDER BY id LIMIT ?"
    previous, last, count = GENESIS, -(2**63), 0
    while rows := raw.execute(query, (last, _BATCH)).fetchall():
        updates = []
        for row in rows:
            previous = chain_hash(previous, raw_audit_values(row))
            updates.append((previous, row[0]))
        raw.executemany("UPDATE audit_log SET hash = ? WHERE id = ?", updates)
        last = rows[-1][0]
        count += len(rows)
    return count


def backfill_checksums(connection: Connection) -> int:
    """Checksum every record as it is stored now (migration 0009; a test database
    written with raw SQL), a batch of rows at a time. On the DB-API connection under
    ``connection``."""
    raw = connection.connection.driver_connection
    assert raw is not None
    query = f"SELECT rowid, {', '.join(RECORD_CONTENT)} FROM records WHERE rowid > ? ORDER BY rowid LIMIT ?"
    last, count = -(2**63), 0
    while rows := raw.execute(query, (last, _BATCH)).fetchall():
        updates = [(stored_record_checksum(r[1:]), r[0]) for r in rows]
        raw.executemany("UPDATE records SET checksum = ? WHERE rowid = ?", updates)
        last = rows[-1][0]
        count += len(rows)
    return count
