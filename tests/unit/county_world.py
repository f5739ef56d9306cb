"""A generated county for the completeness-grid tests: 30 townships, each with a plan for
every month of 2026 — on time, late, missing, resubmitted — records per form, and 退回修改
notes (some fixed by a later township edit). The rows go straight into the tables
(receiving packages is another part's work); the plan is kept beside them so that the
tests can count what the grid must say without reading the database."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from gongkai_desktop.data.models import (
    ReceivedPackage,
    Record,
    RecordOrigin,
    ReturnNote,
    Township,
)
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.settings import USAGE_COUNTY, save_settings

YEAR = 2026
TODAY = date(2026, 12, 7)  # November's due day (5 December) has passed, December's not
FORMS = ("inspection", "outreach_event", "rectification_task", "other_work", "disclosure_item")


@dataclass
class Package:
    created: datetime  # UTC, naive
    form_counts: dict[str, int]


@dataclass
class Note:
    form_id: str
    record_day: date
    fixed: bool  # a township edit of the record arrived after the note


@dataclass
class TownshipPlan:
    code: str
    name: str
    packages: dict[int, list[Package]] = field(default_factory=dict)  # month -> packages
    notes: list[Note] = field(default_factory=list)


def township_code(n: int) -> str:
    return f"510104{n:03d}000"


def _utc(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0)


def _due(month: int) -> date:
    return date(YEAR + 1, 1, 5) if month == 12 else date(YEAR, month + 1, 5)


def build_county(ctx: AppContext, seed: int = 10) -> list[TownshipPlan]:
    rng = random.Random(seed)
    save_settings(ctx, {"unit_name": "青山县生态环境局", "usage": USAGE_COUNTY})
    plans = [TownshipPlan(township_code(n), f"第{n}镇") for n in range(1, 31)]
    for index, plan in enumerate(plans):
        for month in range(1, 12):  # December is not due yet: nobody has sent it
            due = _due(month)
            kind = rng.choice(["on_time", "on_time", "late", "missing", "resent"])
            # November: fixed kinds for the first townships, so every case is there
            if month == 11 and index < 6:
                kind = ["on_time", "late", "missing", "edge_late", "edge_on_time", "resent"][index]
            counts = {f: rng.randint(0, 12) for f in FORMS}
            if kind == "on_time":
                plan.packages[month] = [Package(_utc(due - timedelta(days=2), 3), counts)]
            elif kind == "late":
                plan.packages[month] = [Package(_utc(due + timedelta(days=3), 9), counts)]
            elif kind == "edge_late":
                # 17:00 UTC on the due day is 01:00 the next day in China: late
                plan.packages[month] = [Package(_utc(due, 17), counts)]
            elif kind == "edge_on_time":
                # 20:00 UTC the day before is 04:00 on the due day in China: on time
                plan.packages[month] = [Package(_utc(due - timedelta(days=1), 20), counts)]
            elif kind == "resent":
                later = {f: n + 1 for f, n in counts.items()}
                plan.packages[month] = [
                    Package(_utc(due - timedelta(days=1), 2), counts),
                    Package(_utc(due + timedelta(days=10), 2), later),
                ]
        if index % 4 == 1:
            month = 11 if index < 12 else rng.randint(1, 11)
            form_id = rng.choice(FORMS)
            plan.notes.append(Note(form_id, date(YEAR, month, 12), fixed=False))
        if index % 5 == 2:
            plan.notes.append(Note("inspection", date(YEAR, 11, 20), fixed=True))
    _write(ctx, plans)
    return plans


def _write(ctx: AppContext, plans: list[TownshipPlan]) -> None:
    added = datetime(2026, 1, 1)
    with ctx.transaction() as session:
        for plan in plans:
            session.add(Township(code=plan.code, name=plan.name, key="k", added_at=added))
            for month, packages in plan.packages.items():
                for package in packages:
                    session.add(
                        ReceivedPackage(
                            package_sha256=uuid.uuid4().hex + uuid.uuid4().hex,
                            township_code=plan.code,
                            period=f"{YEAR}-{month:02d}",
                            created_at=package.created,
                            received_at=package.created + timedelta(hours=5),
                            record_count=sum(package.form_counts.values()),
                            form_counts=package.form_counts,
                        )
                    )
            for note in plan.notes:
                record_id = str(uuid.uuid4())
                stamp = datetime(2026, 12, 6, 8, 0)
                session.add(
                    Record(
                        id=record_id,
                        form_id=note.form_id,
                        title="记录",
                        record_date=note.record_day,
                        data={},
                        version=2,
                        created_at=stamp,
                        updated_at=stamp,
                        township_code=plan.code,
                    )
                )
                session.add(
                    ReturnNote(
                        township_code=plan.code,
                        record_id=record_id,
                        note="第3条巡查记录缺少照片",
                        record_version=2,
                        created_at=datetime(2026, 12, 6, 9, 0),
                    )
                )
                # the version the note was made on, or a newer one the township sent since
                received = 3 if note.fixed else 2
                session.add(
                    RecordOrigin(
                        record_id=record_id, township_code=plan.code, received_version=received
                    )
                )


def expected_state(
    plan: TownshipPlan, month: int, form_id: str | None, today: date
) -> tuple[str, int | None]:
    """What a cell must say, counted from the plan: (state, records or None). ``form_id``
    None: the month's cell of the year view."""
    due = _due(month)
    returned = any(
        not n.fixed and n.record_day.month == month and (form_id is None or n.form_id == form_id)
        for n in plan.notes
    )
    packages = plan.packages.get(month, [])
    if not packages:
        if returned:
            return "退回", None
        return ("未报" if today > due else "待报"), None
    first = min(p.created for p in packages)
    latest = max(packages, key=lambda p: p.created)
    late = (first + timedelta(hours=8)).date() > due
    count = (
        sum(latest.form_counts.values()) if form_id is None else latest.form_counts.get(form_id, 0)
    )
    if returned:
        return "退回", count
    return ("迟报" if late else "已报"), count
