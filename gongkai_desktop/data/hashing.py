"""Tamper evidence (migration 0009): the audit log's hash chain and the records' checksums.

Both hash a canonical serialisation of what the database stores (the text SQLite holds for
a time or a date, 0/1 for a flag), so the values the app writes and the raw rows ``check``
reads back give the same digest.

- Audit entry ``hash`` = SHA-256 over the previous entry's hash and the entry's content:
  every column but ``hash`` (``AUDIT_CONTENT``). The first entry's previous hash is
  ``GENESIS``. Chain order is id order; ids are given by the chain (last id + 1), so two
  writers cannot both extend the same entry (the second one's id is taken).
- Record ``checksum`` = SHA-256 over the record's content (``RECORD_CONTENT``): its id
  and every column a clerk's save or a received package sets, with ``data`` as canonical
  JSON (keys sorted, not ASCII-escaped, so a re-serialisation of the same values keeps
  the checksum). Left out: ``search_text`` (derived from data and title for searching,
  rebuilt by migrations) and the checksum itself.

Neither is a signature: someone who rewrites a row and recomputes every later hash with
this code is not caught locally; the chain head carried in each 报送包 lets the county
see that a township's history changed after it was sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from hashlib import sha256
from typing import Any

GENESIS = sha256(b"gongkai-desktop audit log").hexdigest()

AUDIT_CONTENT = (
    "id",
    "at",
    "os_user",
    "filler",
    "record_id",
    "form_id",
    "action",
    "field",
    "old_value",
    "new_value",
    "origin",
    "origin_id",
)
RECORD_CONTENT = (
    "id",
    "form_id",
    "title",
    "record_date",
    "site_id",
    "status",
    "data",
    "created_at",
    "updated_at",
    "author",
    "version",
    "deleted",
    "deleted_at",
    "township_code",
)
_DATA = RECORD_CONTENT.index("data")
_RECORD_TIMES = tuple(RECORD_CONTENT.index(k) for k in ("created_at", "updated_at", "deleted_at"))
_RECORD_DATE = RECORD_CONTENT.index("record_date")
_AUDIT_AT = AUDIT_CONTENT.index("at")

# one encoder object: json.dumps with options builds a new one per call
_AUDIT_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=repr).encode
_RECORD_ENCODE = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=repr
).encode


def stored(value: Any) -> Any:
    """A value as SQLite stores it when written through SQLAlchemy (DateTime and Date
    types' text formats, Boolean as 0/1)."""
    if isinstance(value, datetime):
        return (
            f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
            f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}"
        )
    if isinstance(value, date):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    if isinstance(value, bool):
        return int(value)
    return value


def _time_text(text: Any) -> Any:
    """Raw time text in the stored form of the time it reads as: a time written another
    way (without microseconds, say) is the same content, and the ORM re-reads it as that
    time. Text that is no time stays as it is (and then cannot match)."""
    if isinstance(text, str):
        if len(text) == 26 and text[10] == " " and text[19] == ".":
            return text  # already the stored form (nearly every row: skip the parse)
        try:
            return stored(datetime.fromisoformat(text))
        except ValueError:
            return text
    return text


def _date_text(text: Any) -> Any:
    if isinstance(text, str):
        if len(text) == 10 and text[4] == "-" and text[7] == "-" and text[:4].isdigit():
            return text  # already the stored form
        try:
            return stored(date.fromisoformat(text))
        except ValueError:
            return text
    return text


def chain_hash(previous: str, stored_values: Sequence[Any]) -> str:
    """The hash of an audit entry from its ``AUDIT_CONTENT`` values in stored form."""
    text = _AUDIT_ENCODE([previous, *stored_values])
    return sha256(text.encode("utf-8")).hexdigest()


def audit_values(entry: Any) -> list[Any]:
    """``AUDIT_CONTENT`` of an entry (a mapping or an AuditEntry) in stored form."""
    if isinstance(entry, Mapping):
        return [stored(entry.get(key)) for key in AUDIT_CONTENT]
    return [stored(getattr(entry, key)) for key in AUDIT_CONTENT]


def raw_audit_values(row: Sequence[Any]) -> Sequence[Any]:
    """``AUDIT_CONTENT`` of an entry read raw from SQLite, in stored form."""
    at = row[_AUDIT_AT]
    if isinstance(at, str) and len(at) == 26 and at[10] == " " and at[19] == ".":
        return row  # already the stored form (nearly every row): no copy
    values = list(row)
    values[_AUDIT_AT] = _time_text(values[_AUDIT_AT])
    return values


def _record_digest(values: list[Any]) -> str:
    return sha256(_RECORD_ENCODE(values).encode("utf-8")).hexdigest()


def record_checksum(record: Any) -> str:
    """The checksum of a record about to be written (a mapping of column values or a
    Record): missing columns are NULL, as an insert leaves them."""
    if isinstance(record, Mapping):
        values = [stored(record.get(key)) for key in RECORD_CONTENT]
    else:
        values = [stored(getattr(record, key)) for key in RECORD_CONTENT]
    return _record_digest(values)


def stored_record_checksum(row: Sequence[Any]) -> str:
    """The checksum of a record read raw from SQLite (``RECORD_CONTENT`` in order, data
    as its JSON text). Data that is not JSON hashes as its text: it cannot match."""
    values = list(row)
    for index in _RECORD_TIMES:
        values[index] = _time_text(values[index])
    values[_RECORD_DATE] = _date_text(values[_RECORD_DATE])
    text = values[_DATA]
    if isinstance(text, str):
        try:
            values[_DATA] = json.loads(text)
        except ValueError:
            values[_DATA] = ["not json", text]
    return _record_digest(values)
