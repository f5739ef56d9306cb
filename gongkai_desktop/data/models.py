"""Tables. Every form's records share one table: the columns every record has
(form, date, site, status, title) are real columns so that lists and report figures are
SQL; the form-specific values live in the JSON ``data`` column, which SQLite's JSON
functions can still filter, sum and group. Adding a field to a form file therefore
needs no migration.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


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

    __table_args__ = (
        Index("ix_records_form_deleted_date", "form_id", "deleted", "record_date"),
        Index("ix_records_site", "site_id"),
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
