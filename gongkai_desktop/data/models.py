"""Tables. Every form's records share one table: the columns every record has
(form, date, site, status, title) are real columns so that lists and report figures are
SQL; the form-specific values live in the JSON ``data`` column, which SQLite's JSON
functions can still filter, sum and group. Adding a field to a form file therefore
needs no migration.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Index, Integer, String, Text, event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from gongkai_desktop.data.hashing import record_checksum


class Base(DeclarativeBase):
    pass


class Record(Base):
    __tablename__ = "records"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    form_id: Mapped[str] = mapped_column(String(40), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    record_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    site_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    status: Mapped[str | None] = mapped_column(String(40), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    search_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    author: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    deleted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # county mode: the township the record was received from (migration 0006)
    township_code: Mapped[str | None] = mapped_column(String(12), nullable=True)
    # SHA-256 of the record's content (0009, data/hashing.py), set on every insert/update
    checksum: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (
        # every list sorts with id as the tie-breaker: each index serves one list order
        # (migration 0007; it also indexes the form fields lists sort by, which SQLAlchemy
        # cannot describe: see data/list_indexes.py)
        Index("ix_records_form_deleted_date", "form_id", "deleted", "record_date", "id"),
        Index("ix_records_form_deleted_updated", "form_id", "deleted", "updated_at", "id"),
        Index("ix_records_form_deleted_created", "form_id", "deleted", "created_at", "id"),
        Index("ix_records_form_deleted_title", "form_id", "deleted", "title", "id"),
        Index("ix_records_form_deleted_status", "form_id", "deleted", "status", "id"),
        Index("ix_records_deleted_at", "deleted", "deleted_at", "id"),
        # a site's patrols in a period (0008): the 工作台's and the reports' counts
        Index("ix_records_site_form_date", "site_id", "form_id", "deleted", "record_date"),
        Index("ix_records_township", "township_code"),
    )


class AuditEntry(Base):
    """Append-only (triggers in the first migration refuse UPDATE and DELETE)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False)  # UTC
    os_user: Mapped[str] = mapped_column(String(100), nullable=False)
    filler: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    record_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    form_id: Mapped[str] = mapped_column(String(40), nullable=False)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    field: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    old_value: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON text
    new_value: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON text
    # county mode: the township and its audit id this entry was received from (0006)
    origin: Mapped[str | None] = mapped_column(String(12), nullable=True)
    origin_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # the hash chain (0009, data/hashing.py): set by repository.add_audit / add_audit_rows
    hash: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (Index("ix_audit_log_origin", "origin", "origin_id", unique=True),)


class Setting(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False, default="")


class ImportedFile(Base):
    """Files imported into a ledger, by content hash: the same file imported again
    into the same ledger adds nothing (migration 0003)."""

    __tablename__ = "imported_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    ledger_id: Mapped[str] = mapped_column(String(60), nullable=False)
    file_name: Mapped[str] = mapped_column(String(260), nullable=False, default="")
    imported_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)  # UTC
    rows_added: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    author: Mapped[str] = mapped_column(String(100), nullable=False, default="")

    __table_args__ = (Index("ix_imported_files_hash_ledger", "sha256", "ledger_id", unique=True),)


class ImportMapping(Base):
    """One decision of a ledger's import mapping profile (migration 0005): ``kind``
    "value" maps a choice field's ``source`` spelling (normalised) to ``target`` (JSON:
    a label, a list of labels, or ``{"skip": true}``); "column" maps a sheet header
    to a ledger column's field (``target`` is the field key as JSON)."""

    __tablename__ = "import_mappings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ledger_id: Mapped[str] = mapped_column(String(60), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    field: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    source: Mapped[str] = mapped_column(String(500), nullable=False)
    source_text: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    target: Mapped[str] = mapped_column(Text, nullable=False)
    decided_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)  # UTC
    author: Mapped[str] = mapped_column(String(100), nullable=False, default="")

    __table_args__ = (
        Index("ix_import_mappings_key", "ledger_id", "kind", "field", "source", unique=True),
    )


class CalendarDay(Base):
    """The office's own holiday table: a day marked 上班 (True) or 休息 (False), over
    chinese-calendar (migration 0004)."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    workday: Mapped[bool] = mapped_column(Boolean, nullable=False)
    note: Mapped[str] = mapped_column(String(100), nullable=False, default="", server_default="")


class CalendarYear(Base):
    """A year the office has entered completely: its weekdays not in ``calendar_days``
    are working days, its weekend days rest days."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    note: Mapped[str] = mapped_column(String(200), nullable=False, default="", server_default="")
    entered_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # UTC


# ---- submission upward (migration 0006) ----------------------------------------------------
# A township's records keep their own ids at the county; ``records.township_code`` says whose
# they are (empty on a township's own database) and ``audit_log.origin``/``origin_id`` name
# the township audit entry a received entry copies, so receiving it again adds nothing.


class Township(Base):
    """County mode: a township that submits (master data), with the key it signs with."""

    __tablename__ = "townships"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    contact: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    phone: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    key: Mapped[str] = mapped_column(String(100), nullable=False)  # base64 HMAC key
    added_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)  # UTC


class Submission(Base):
    """Township mode: a 报送包 written by 月末报送, and what its 回执 said."""

    __tablename__ = "submissions"

    package_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(20), nullable=False)  # Period.key()
    file_name: Mapped[str] = mapped_column(String(260), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)  # UTC
    record_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    received_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # UTC
    receipt_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    accepted: Mapped[int | None] = mapped_column(Integer, nullable=True)
    conflicts: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # the id of the last audit entry when the package was built (its chain head, 0009)
    audit_last_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ReturnedRecord(Base):
    """Township mode: a record the county sent back (退回修改) with its note. It stays
    退回待改 until the record is changed (``version`` > ``version_returned``) and a later
    package carries it (``cleared_by``)."""

    __tablename__ = "returned_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    package_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    version_returned: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    returned_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)  # UTC
    cleared_by: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (
        Index("ix_returned_records_key", "record_id", "package_sha256", "note", unique=True),
    )


class ReceivedPackage(Base):
    """County mode: a 报送包 received (by its SHA-256), with its counts."""

    __tablename__ = "received_packages"

    package_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    township_code: Mapped[str] = mapped_column(String(12), nullable=False, index=True)
    period: Mapped[str] = mapped_column(String(20), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)  # UTC, signed
    received_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)  # UTC
    app_version: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    record_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    added: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    replaced: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    conflicts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    form_counts: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    # the township's audit chain head the package carried, and what did not check (0009)
    audit_last_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    audit_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    audit_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    audit_problem: Mapped[str | None] = mapped_column(Text, nullable=True)


class RecordOrigin(Base):
    """County mode: the township version a received record was last taken from. A county
    record whose ``version`` differs was changed at the county since."""

    __tablename__ = "record_origins"

    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    township_code: Mapped[str] = mapped_column(String(12), nullable=False, index=True)
    received_version: Mapped[int] = mapped_column(Integer, nullable=False)


class MergeConflict(Base):
    """County mode: a record changed at the county and again at the township; kept for a
    person to decide field by field. Nothing is overwritten until then."""

    __tablename__ = "merge_conflicts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    township_code: Mapped[str] = mapped_column(String(12), nullable=False)
    record_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    form_id: Mapped[str] = mapped_column(String(40), nullable=False)
    package_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    incoming_version: Mapped[int] = mapped_column(Integer, nullable=False)
    incoming: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)  # the record row
    fields: Mapped[list[Any]] = mapped_column(JSON, nullable=False, default=list)
    found_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)  # UTC
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    resolution: Mapped[str] = mapped_column(String(200), nullable=False, default="")

    __table_args__ = (
        Index("ix_merge_conflicts_key", "record_id", "incoming_version", unique=True),
    )


class ReturnNote(Base):
    """County mode: a reviewer's 退回修改 note on a received record; the next 回执 to that
    township carries every note not yet sent (``receipt_sha256``, the package whose 回执
    carried it, is then set)."""

    __tablename__ = "return_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    township_code: Mapped[str] = mapped_column(String(12), nullable=False, index=True)
    record_id: Mapped[str] = mapped_column(String(36), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False)
    # the township version the note was made on: open until a newer one is received
    record_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)  # UTC
    author: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    receipt_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)


# ---- record checksums (0009) -------------------------------------------------------------------
_RECORD_DEFAULTS = {"title": "", "author": "", "version": 1, "deleted": False}


@event.listens_for(Record, "before_insert")
@event.listens_for(Record, "before_update")
def _stamp_checksum(_mapper: Any, _connection: Any, target: Record) -> None:
    """Every ORM save of a record stores the checksum of what it writes (bulk inserts
    in data/bulk.py do the same). Column defaults are applied here first: the checksum
    must cover the values the row will hold."""
    for key, value in _RECORD_DEFAULTS.items():
        if getattr(target, key) is None:
            setattr(target, key, value)
    if target.data is None:
        target.data = {}
    target.checksum = record_checksum(target)


@event.listens_for(AuditEntry, "before_insert")
def _chained_only(_mapper: Any, _connection: Any, target: AuditEntry) -> None:
    """An entry added any other way would break the chain (data/bulk.py refuses too)."""
    if target.hash is None:
        raise ValueError("audit entries are added through repository.add_audit (hash chain)")
