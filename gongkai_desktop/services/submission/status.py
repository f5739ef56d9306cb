"""The township's view of what it has handed upward: every 报送包 written (期间, 生成时间,
记录数, and 已接收 with the date once its 回执 is imported, else 待接收), and the records the
county sent back that are not settled yet.

A returned record is 退回待改 until the record is changed (its ``version`` passes the
``version_returned`` the county saw), then 已修改待报送 until a later package carries it
(``cleared_by`` is set); then it no longer shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from gongkai_desktop.data.models import Record, ReturnedRecord, Submission
from gongkai_desktop.domain.errors import PeriodError
from gongkai_desktop.domain.periods import parse_period
from gongkai_desktop.services.context import AppContext

RECEIVED = "已接收"
WAITING = "待接收"
RETURNED_OPEN = "退回待改"
RETURNED_FIXED = "已修改待报送"


def _local(utc_naive: datetime) -> datetime:
    return utc_naive.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


def period_label(key: str) -> str:
    """2026-11 → 2026年11月 (a key no period reads stays as it is)."""
    try:
        return parse_period(key).label
    except PeriodError:
        return key


@dataclass(frozen=True)
class SubmissionRow:
    period: str  # the package's period key, 2026-11
    period_label: str  # 2026年11月
    file_name: str
    package_sha256: str
    created_at: datetime  # local time
    record_count: int
    received_at: datetime | None  # local time; None: no 回执 yet
    accepted: int | None
    conflicts: int | None

    @property
    def state(self) -> str:
        return RECEIVED if self.received_at is not None else WAITING

    @property
    def state_text(self) -> str:
        """已接收（2026-12-03） or 待接收"""
        if self.received_at is None:
            return WAITING
        return f"{RECEIVED}（{self.received_at:%Y-%m-%d}）"

    def json(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "period_label": self.period_label,
            "file_name": self.file_name,
            "package_sha256": self.package_sha256,
            "created_at": self.created_at.isoformat(timespec="seconds"),
            "record_count": self.record_count,
            "state": self.state,
            "received_at": (
                self.received_at.isoformat(timespec="seconds") if self.received_at else None
            ),
            "accepted": self.accepted,
            "conflicts": self.conflicts,
        }


@dataclass(frozen=True)
class ReturnedRow:
    id: int
    record_id: str
    form_id: str  # "" when the record is no longer in the database
    record_title: str
    record_date: str  # ISO, "" when the record has none
    note: str  # the county reviewer's 退回修改 note
    returned_at: datetime  # local time
    state: str  # 退回待改 or 已修改待报送

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "record_id": self.record_id,
            "form_id": self.form_id,
            "record_title": self.record_title,
            "record_date": self.record_date,
            "note": self.note,
            "returned_at": self.returned_at.isoformat(timespec="seconds"),
            "state": self.state,
        }


def submissions(ctx: AppContext) -> list[SubmissionRow]:
    """Every package written, newest first."""
    with ctx.reading() as session:
        rows = session.scalars(
            select(Submission).order_by(
                Submission.created_at.desc(), Submission.package_sha256.asc()
            )
        ).all()
        return [
            SubmissionRow(
                period=row.period,
                period_label=period_label(row.period),
                file_name=row.file_name,
                package_sha256=row.package_sha256,
                created_at=_local(row.created_at),
                record_count=row.record_count,
                received_at=_local(row.received_at) if row.received_at else None,
                accepted=row.accepted,
                conflicts=row.conflicts,
            )
            for row in rows
        ]


def open_returns(ctx: AppContext) -> list[ReturnedRow]:
    """The returned records not yet carried by a later package: 退回待改 first, then
    已修改待报送, each oldest return first."""
    with ctx.reading() as session:
        found = session.execute(
            select(ReturnedRecord, Record.form_id, Record.title, Record.record_date, Record.version)
            .outerjoin(Record, Record.id == ReturnedRecord.record_id)
            .where(ReturnedRecord.cleared_by.is_(None))
            .order_by(ReturnedRecord.returned_at.asc(), ReturnedRecord.id.asc())
        ).all()
        rows = [
            ReturnedRow(
                id=returned.id,
                record_id=returned.record_id,
                form_id=form_id or "",
                record_title=title or "",
                record_date=day.isoformat() if day else "",
                note=returned.note,
                returned_at=_local(returned.returned_at),
                state=(
                    RETURNED_FIXED
                    if version is not None and version > returned.version_returned
                    else RETURNED_OPEN
                ),
            )
            for returned, form_id, title, day, version in found
        ]
    return sorted(rows, key=lambda r: r.state != RETURNED_OPEN)
