"""County mode: the completeness grid (报送情况) — who has submitted what, on time or not.

DHIS2's reporting-rate view for our data. For a month, townships × forms: each cell is

- 已报: a package of that township for the month was created (its signed close time) on or
  before the due day of the next month (设置 → 报送截止日, ``settings.due_day``);
- 迟报: the first package came after the due day;
- 未报: no package and the due day has passed (overdue, red); before it the cell is 待报;
- 退回: a 退回修改 note is open on a record of that form of that township dated in the
  month (no township version newer than the one the note was made on has come since).

The record count of a received cell is the form's count in the township's latest package
for the month. A period of several months (a quarter, a year) gives townships × months
with each month's state; a month's 退回 covers every form. Totals count the states per row
and per column.

Times: a package's ``created_at`` is UTC; the due day is a calendar day in China, so the
close time is read in China Standard Time (UTC+8) before it is compared with the day.
A note on a record without a date (a 监管对象, a 年度指标) belongs to the month of the
township's latest package received before the note: the package the reviewer was reading.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from gongkai_desktop.data.models import (
    ReceivedPackage,
    Record,
    RecordOrigin,
    ReturnNote,
    Township,
)
from gongkai_desktop.domain.periods import Period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.settings import due_day, load_settings

ON_TIME = "已报"
LATE = "迟报"
MISSING = "未报"
NOT_DUE = "待报"
RETURNED = "退回"
STATES = (ON_TIME, LATE, MISSING, RETURNED, NOT_DUE)  # the order of every total

CHINA = timezone(timedelta(hours=8), "CST")


@dataclass(frozen=True)
class StatusCell:
    state: str  # one of STATES
    records: int | None  # records in the latest package (None: nothing received)
    overdue: bool  # 未报 past the due day, or 迟报: shown in red
    returned: int = 0  # open 退回修改 notes in the cell
    late: bool = False  # the package came after the due day (also under 退回)


@dataclass(frozen=True)
class StatusColumn:
    key: str  # a form id ("inspection") or a month key ("2026-11")
    label: str
    due: date  # the due day of the month the column stands for


@dataclass(frozen=True)
class StatusRow:
    code: str
    name: str
    cells: tuple[StatusCell, ...]

    @property
    def totals(self) -> dict[str, int]:
        return _count(self.cells)


@dataclass(frozen=True)
class StatusGrid:
    period: Period
    by_month: bool  # False: townships × forms of one month; True: townships × months
    as_of: date
    due_day: int
    columns: tuple[StatusColumn, ...]
    rows: tuple[StatusRow, ...]
    unit: str = ""  # 设置 → 单位名称 of the county

    def column_totals(self) -> list[dict[str, int]]:
        return [_count([row.cells[i] for row in self.rows]) for i in range(len(self.columns))]

    def totals(self) -> dict[str, int]:
        return _count([cell for row in self.rows for cell in row.cells])

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period.label,
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "view": "months" if self.by_month else "forms",
            "as_of": self.as_of.isoformat(),
            "due_day": self.due_day,
            "columns": [
                {"key": c.key, "label": c.label, "due": c.due.isoformat()} for c in self.columns
            ],
            "rows": [
                {
                    "code": row.code,
                    "name": row.name,
                    "cells": [
                        {
                            "state": c.state,
                            "records": c.records,
                            "overdue": c.overdue,
                            "returned": c.returned,
                        }
                        for c in row.cells
                    ],
                    "totals": row.totals,
                }
                for row in self.rows
            ],
            "column_totals": self.column_totals(),
            "totals": self.totals(),
        }


def _count(cells: Sequence[StatusCell]) -> dict[str, int]:
    counts = dict.fromkeys(STATES, 0)
    for cell in cells:
        counts[cell.state] += 1
    return counts


def month_key(year: int, month: int) -> str:
    """The period key packages carry (``package.period_key`` of a month)."""
    return f"{year:04d}-{month:02d}"


def due_date(year: int, month: int, day: int) -> date:
    """The last day a package for ``year-month`` is on time: day ``day`` of the next month."""
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def close_day(created_at: datetime) -> date:
    """The calendar day in China of a package's signed close time (stored as naive UTC)."""
    return created_at.replace(tzinfo=UTC).astimezone(CHINA).date()


def _months(period: Period) -> list[tuple[int, int]]:
    months = []
    year, month = period.start.year, period.start.month
    while date(year, month, 1) <= period.end:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


@dataclass
class _Received:
    first: datetime  # the earliest package's close time
    latest: datetime
    records: int
    form_counts: dict[str, Any] = field(default_factory=dict)


def _packages(session: Session, keys: Sequence[str]) -> dict[tuple[str, str], _Received]:
    """(township, month key) → the packages received for it."""
    found: dict[tuple[str, str], _Received] = {}
    rows = session.execute(
        select(
            ReceivedPackage.township_code,
            ReceivedPackage.period,
            ReceivedPackage.created_at,
            ReceivedPackage.record_count,
            ReceivedPackage.form_counts,
        )
        .where(ReceivedPackage.period.in_(list(keys)))
        .order_by(ReceivedPackage.created_at, ReceivedPackage.package_sha256)
    ).all()
    for code, key, created, count, form_counts in rows:
        seen = found.get((code, key))
        if seen is None:
            found[(code, key)] = _Received(created, created, int(count), dict(form_counts or {}))
        else:  # later in time: the latest package's counts stand
            seen.latest, seen.records, seen.form_counts = created, int(count), dict(form_counts)
    return found


def _open_notes(session: Session, period: Period) -> list[tuple[str, str, str]]:
    """(township, form id, month key) of every open 退回修改 note falling in ``period``.

    A note is open until a township version of the record newer than the one it was made
    on (``record_version``) has been received (``record_origins.received_version``)."""
    rows = session.execute(
        select(
            ReturnNote.township_code,
            Record.form_id,
            Record.record_date,
            ReturnNote.created_at,
        )
        .join(Record, Record.id == ReturnNote.record_id)
        .outerjoin(RecordOrigin, RecordOrigin.record_id == ReturnNote.record_id)
        .where(
            or_(
                RecordOrigin.received_version.is_(None),
                RecordOrigin.received_version <= ReturnNote.record_version,
            )
        )
    ).all()
    undated = [(code, created) for code, _form, day, created in rows if day is None]
    reviewed = _reviewed_month(session, undated)
    notes = []
    for code, form_id, day, created in rows:
        if day is not None:
            if period.contains(day):
                notes.append((code, form_id, month_key(day.year, day.month)))
            continue
        key = reviewed.get((code, created))
        if key is not None and period.contains(date(int(key[:4]), int(key[5:7]), 1)):
            notes.append((code, form_id, key))
    return notes


def _reviewed_month(
    session: Session, notes: Sequence[tuple[str, datetime]]
) -> dict[tuple[str, datetime], str]:
    """For a note on an undated record: the month of the township's latest package
    received before the note (a month key), when there is one."""
    months: dict[tuple[str, datetime], str] = {}
    for code, created in set(notes):
        key = session.scalar(
            select(ReceivedPackage.period)
            .where(
                and_(
                    ReceivedPackage.township_code == code,
                    ReceivedPackage.received_at <= created,
                    ReceivedPackage.period.like("____-__"),
                )
            )
            .order_by(ReceivedPackage.received_at.desc(), ReceivedPackage.period.desc())
            .limit(1)
        )
        if key is not None:
            months[(code, created)] = key
    return months


def completeness(
    ctx: AppContext,
    period: Period,
    *,
    today: date | None = None,
    townships: Sequence[str] | None = None,
) -> StatusGrid:
    """The grid of ``period``: townships × forms for a month, townships × months for a
    longer period; ``townships`` limits the rows (codes), as of ``today``."""
    as_of = today or date.today()
    settings = load_settings(ctx)
    day = due_day(settings)
    months = _months(period)
    keys = [month_key(y, m) for y, m in months]
    forms = list(ctx.registry)
    last = calendar.monthrange(period.end.year, period.end.month)[1]
    # exactly one calendar month: its forms; anything else (a quarter, a year, a range):
    # its months
    by_month = not (len(months) == 1 and period.start.day == 1 and period.end.day == last)
    with ctx.reading() as session:
        stmt = select(Township.code, Township.name).order_by(Township.code)
        if townships is not None:
            stmt = stmt.where(Township.code.in_(list(townships)))
        rows = session.execute(stmt).all()
        received = _packages(session, keys)
        notes = _open_notes(session, period)
    per_cell: dict[tuple[str, str, str], int] = {}  # (township, form, month) -> notes
    for code, form_id, key in notes:
        per_cell[(code, form_id, key)] = per_cell.get((code, form_id, key), 0) + 1

    def cell(code: str, year: int, month: int, records: Callable[[_Received], int], returned: int):
        key = month_key(year, month)
        due = due_date(year, month, day)
        got = received.get((code, key))
        if got is None:
            overdue = as_of > due
            state = RETURNED if returned else (MISSING if overdue else NOT_DUE)
            return StatusCell(state, None, overdue, returned)
        late = close_day(got.first) > due
        state = RETURNED if returned else (LATE if late else ON_TIME)
        return StatusCell(state, records(got), late, returned, late)

    grid_rows = []
    if by_month:
        columns = tuple(
            StatusColumn(month_key(y, m), f"{m}月", due_date(y, m, day)) for y, m in months
        )
        for code, name in rows:
            cells = []
            for year, month in months:
                key = month_key(year, month)
                returned = sum(n for (c, _f, k), n in per_cell.items() if c == code and k == key)
                cells.append(cell(code, year, month, lambda got: got.records, returned))
            grid_rows.append(StatusRow(code, name, tuple(cells)))
    else:
        year, month = months[0]
        key = month_key(year, month)
        columns = tuple(StatusColumn(f.id, f.title, due_date(year, month, day)) for f in forms)
        for code, name in rows:
            cells = []
            for form in forms:
                returned = per_cell.get((code, form.id, key), 0)

                def count(got: _Received, form_id: str = form.id) -> int:
                    return int(got.form_counts.get(form_id, 0) or 0)

                cells.append(cell(code, year, month, count, returned))
            grid_rows.append(StatusRow(code, name, tuple(cells)))
    return StatusGrid(
        period, by_month, as_of, day, columns, tuple(grid_rows), settings.get("unit_name", "")
    )


def by_township(grid: StatusGrid) -> dict[str, int]:
    """A month's grid counted by township rather than by cell: how many townships sent
    the month on time, late, not at all (past the due day, or not due yet), and how many
    have something sent back. (Every cell of a row shares the package; only 退回 is per
    form.)"""
    counts = dict.fromkeys(STATES, 0)
    for row in grid.rows:
        got = [c for c in row.cells if c.records is not None]
        if got:
            counts[LATE if any(c.late for c in got) else ON_TIME] += 1
        else:
            counts[MISSING if any(c.overdue for c in row.cells) else NOT_DUE] += 1
        if any(c.state == RETURNED for c in row.cells):
            counts[RETURNED] += 1
    return counts


def cell_text(cell: StatusCell) -> str:
    """A cell as the grid and the .xlsx show it: the state, and the records received."""
    return cell.state if cell.records is None else f"{cell.state}（{cell.records}条）"
