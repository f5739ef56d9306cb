"""Report figures against an independent count.

A seeded random world of sites, inspections, outreach events and rectification tasks
is entered through RecordService (so the forms' rules apply), with records deleted,
tasks extended, completed late and spanning period boundaries, and sites supervised
over different periods (all entered today). The generator remembers what it did; every expected figure is counted
here in plain Python from that memory, with labels and the patrol mapping read straight
from the form files, never through the code under test.
"""

from __future__ import annotations

import calendar
import json
import logging
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from gongkai_desktop import cli
from gongkai_desktop.domain.periods import Period, parse_period, period_between
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.reports.figures import figures, figures_many
from gongkai_desktop.services.settings import save_settings
from gongkai_desktop.services.startup import open_context

from .conftest import REPO_FORMS


def _yaml(name: str) -> Any:
    return yaml.safe_load((REPO_FORMS / name).read_text(encoding="utf-8"))


def choice_labels(list_name: str) -> list[str]:
    items = _yaml("lists.yaml")["lists"][list_name]
    return [str(i["label"]) if isinstance(i, dict) else str(i) for i in items]


OUTREACH_TYPES = choice_labels("outreach_types")
INSPECTION_TYPES = choice_labels("inspection_types")
TASK_SOURCES = choice_labels("task_sources")
SITE_TYPES = choice_labels("site_types")
PATROL_MAP: dict[str, list[str]] = {
    k: list(v) for k, v in _yaml("inspection.yaml")["patrol"]["site_types"].items()
}
PATROLLED_TYPES = [t for t in SITE_TYPES if any(t in v for v in PATROL_MAP.values())]
PLACE_KINDS = choice_labels("place_kinds")
OTHER_WORK_KINDS = choice_labels("other_work_kinds")
# the inspection types whose form shows 发放告知书/宣传资料 (its show_if), read from the file
NOTICE_TYPES = [
    t
    for section in _yaml("inspection.yaml")["sections"]
    for f in section["fields"]
    if f["key"] == "notices_given"
    for t in f["show_if"]["in"]
]
OUTREACH_SUMS = {
    "staff": "staff_count",
    "audience": "audience_count",
    "materials": "materials",
    "brochures": "brochures",
    "consultations": "consultations",
}


@dataclass
class Site:
    id: str
    type: str
    status: str
    times: int
    quarterly: bool
    name: str
    supervised_from: date | None
    supervised_until: date | None
    deleted: bool = False


@dataclass
class Inspection:
    type: str
    site: str | None
    day: date
    inspectors: int | None
    vehicles: int | None
    problem: bool
    burning_stopped: int | None
    deleted: bool = False
    notices: int | None = None


@dataclass
class Event:
    type: str
    day: date
    sums: dict[str, int | None]
    deleted: bool = False
    place: str | None = None


@dataclass
class OtherWork:
    kind: str
    day: date
    times: int | None
    participants: int | None
    notices: int | None
    deleted: bool = False


@dataclass
class Indicator:
    year: int
    name: str
    value: float
    unit: str
    deleted: bool = False


@dataclass
class Task:
    id: str
    source: str
    assigned: date
    deadline: date
    extended: date | None = None
    completed: date | None = None
    deleted: bool = False

    @property
    def in_force(self) -> date:
        return self.extended or self.deadline


@dataclass
class World:
    sites: dict[str, Site] = field(default_factory=dict)
    inspections: list[Inspection] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    other_work: list[OtherWork] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)


# ---- the independent count ---------------------------------------------------------
def month_units(period: Period) -> list[tuple[date, date]]:
    units = []
    day = date(period.start.year, period.start.month, 1)
    while day <= period.end:
        last = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
        units.append((day, last))
        day = last + timedelta(days=1)
    return units


def quarter_units(period: Period) -> list[tuple[date, date]]:
    out: list[tuple[date, date]] = []
    for first, _last in month_units(period):
        q_first = date(first.year, 3 * ((first.month - 1) // 3) + 1, 1)
        end_month = q_first.month + 2
        q_last = date(first.year, end_month, calendar.monthrange(first.year, end_month)[1])
        if (q_first, q_last) not in out:
            out.append((q_first, q_last))
    return out


def expected(world: World, period: Period, unit: str) -> dict[str, Any]:
    def inside(day: date | None) -> bool:
        return day is not None and period.start <= day <= period.end

    events = [e for e in world.events if not e.deleted and inside(e.day)]
    outreach: dict[str, Any] = {"events": len(events)}
    for name, key in OUTREACH_SUMS.items():
        outreach[name] = sum(e.sums.get(key) or 0 for e in events)
    outreach["by_type"] = {t: sum(1 for e in events if e.type == t) for t in OUTREACH_TYPES}

    def event_sums(chosen: list[Event]) -> dict[str, int]:
        return {
            "events": len(chosen),
            **{
                name: sum(e.sums.get(key) or 0 for e in chosen)
                for name, key in OUTREACH_SUMS.items()
            },
        }

    outreach["per_type"] = {
        t: event_sums([e for e in events if e.type == t]) for t in OUTREACH_TYPES
    }
    outreach["by_place"] = {k: event_sums([e for e in events if e.place == k]) for k in PLACE_KINDS}

    checks = [i for i in world.inspections if not i.deleted and inside(i.day)]
    inspections = {
        "total": len(checks),
        "by_type": {t: sum(1 for i in checks if i.type == t) for t in INSPECTION_TYPES},
        "inspectors": sum(i.inspectors or 0 for i in checks),
        "vehicles": sum(i.vehicles or 0 for i in checks),
        "problems_found": sum(1 for i in checks if i.problem),
        "burning_stopped": sum(i.burning_stopped or 0 for i in checks if i.type == "秸秆禁烧巡查"),
        "notices": sum(i.notices or 0 for i in checks),
        "per_type": {
            t: {
                "count": sum(1 for i in checks if i.type == t),
                "inspectors": sum(i.inspectors or 0 for i in checks if i.type == t),
                "vehicles": sum(i.vehicles or 0 for i in checks if i.type == t),
                "notices": sum(i.notices or 0 for i in checks if i.type == t),
                "problems_found": sum(1 for i in checks if i.type == t and i.problem),
                "burning_stopped": sum(i.burning_stopped or 0 for i in checks if i.type == t),
            }
            for t in INSPECTION_TYPES
        },
    }

    coverage: dict[str, Any] = {t: {"sites": 0, "required": 0, "done": 0} for t in PATROLLED_TYPES}
    by_site: list[dict[str, Any]] = []
    for site in sorted(world.sites.values(), key=lambda s: s.name):
        known_history = site.status == "停用" and site.supervised_until is not None
        if site.deleted or not (site.status == "在用" or known_history) or site.times <= 0:
            continue
        if site.type not in coverage:
            continue
        units = quarter_units(period) if site.quarterly else month_units(period)
        owed = 0
        done = 0
        for first, last in units:
            until = min(last, period.end)
            # owed when supervised on any day of the month/quarter
            if site.supervised_from is not None and site.supervised_from > last:
                continue
            if site.supervised_until is not None and site.supervised_until < first:
                continue
            owed += site.times
            patrols = sum(
                1
                for i in world.inspections
                if not i.deleted
                and i.site == site.id
                and site.type in PATROL_MAP.get(i.type, [])
                and first <= i.day <= until
            )
            done += min(patrols, site.times)
            by_site.append(
                {
                    "site_id": site.id,
                    "site": site.name,
                    "site_type": site.type,
                    "month": f"{first.year:04d}-{first.month:02d}",
                    "required": site.times,
                    "done": min(patrols, site.times),
                    "missing": site.times - min(patrols, site.times),
                    "quarterly": site.quarterly,
                }
            )
        if owed:
            entry = coverage[site.type]
            entry["sites"] += 1
            entry["required"] += owed
            entry["done"] += done
    coverage["by_site"] = by_site

    tasks = [t for t in world.tasks if not t.deleted]
    start, end = period.start, period.end

    def in_progress(t: Task) -> bool:
        return t.assigned <= end and (t.completed is None or t.completed > end)

    rectification = {
        "open_at_start": sum(
            1 for t in tasks if t.assigned < start and (t.completed is None or t.completed >= start)
        ),
        "new": sum(1 for t in tasks if inside(t.assigned)),
        "completed": sum(1 for t in tasks if inside(t.completed)),
        "in_progress": sum(1 for t in tasks if in_progress(t)),
        "overdue": sum(1 for t in tasks if in_progress(t) and t.in_force < end),
        "completed_late": sum(
            1 for t in tasks if inside(t.completed) and t.completed and t.completed > t.in_force
        ),
        "by_source": {
            s: {
                "new": sum(1 for t in tasks if t.source == s and inside(t.assigned)),
                "completed": sum(1 for t in tasks if t.source == s and inside(t.completed)),
            }
            for s in TASK_SOURCES
        },
    }
    works = [w for w in world.other_work if not w.deleted and inside(w.day)]

    def work_sums(chosen: list[OtherWork]) -> dict[str, int]:
        return {
            "records": len(chosen),
            "times": sum(1 if w.times is None else w.times for w in chosen),
            "participants": sum(w.participants or 0 for w in chosen),
            "notices": sum(w.notices or 0 for w in chosen),
        }

    other_work: dict[str, Any] = work_sums(works)
    other_work["per_kind"] = {
        k: work_sums([w for w in works if w.kind == k]) for k in OTHER_WORK_KINDS
    }
    whole_years = start == date(start.year, 1, 1) and end == date(end.year, 12, 31)
    indicators = [
        {"year": i.year, "indicator": i.name, "value": i.value, "unit": i.unit, "source": ""}
        for i in world.indicators
        if whole_years and not i.deleted and start.year <= i.year <= end.year
    ]
    return {
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "unit": unit,
        "outreach": outreach,
        "inspections": inspections,
        "patrol_coverage": coverage,
        "rectification": rectification,
        "other_work": other_work,
        "indicators": indicators,
    }


# ---- building a random world through the services ----------------------------------
FIRST_DAY = date(2024, 11, 1)
LAST_DAY = date(2026, 2, 28)
EDGES = [
    date(2025, 1, 1),
    date(2024, 12, 31),
    date(2025, 3, 31),
    date(2025, 4, 1),
    date(2025, 5, 31),
    date(2025, 6, 1),
    date(2025, 6, 30),
    date(2025, 7, 1),
    date(2025, 12, 31),
    date(2026, 1, 1),
]


def some_day(rng: random.Random) -> date:
    if rng.random() < 0.3:
        return rng.choice(EDGES)
    return FIRST_DAY + timedelta(days=rng.randint(0, (LAST_DAY - FIRST_DAY).days))


def maybe(rng: random.Random, high: int) -> int | None:
    return None if rng.random() < 0.2 else rng.randint(0, high)


def build_world(ctx: AppContext, rng: random.Random) -> World:
    service = RecordService(ctx)
    world = World()
    for n in range(rng.randint(8, 16)):
        site_type = rng.choice(SITE_TYPES)
        status = rng.choice(["在用", "在用", "在用", "停用", "待完善"])
        times = rng.choice([0, 1, 1, 2, 3])
        quarterly = rng.random() < 0.35
        # supervision periods of every kind, some starting or ending mid-month; the
        # records themselves are all entered today
        sup_from = some_day(rng) if rng.random() < 0.5 else None
        sup_until = some_day(rng) if rng.random() < 0.4 else None
        if sup_from and sup_until and sup_until < sup_from:
            sup_from, sup_until = sup_until, sup_from
        values: dict[str, Any] = {
            "site_type": site_type,
            "name": f"对象{n:02d}",
            "village": "东村",
            "status": status,
            "patrol_times": times,
            "patrol_period": "每季度" if quarterly else "每月",
        }
        if sup_from:
            values["supervised_from"] = sup_from.isoformat()
        if sup_until:
            values["supervised_until"] = sup_until.isoformat()
        view = service.create("site", values)
        world.sites[view.id] = Site(
            view.id, site_type, status, times, quarterly, f"对象{n:02d}", sup_from, sup_until
        )

    sites = list(world.sites.values())
    for _ in range(rng.randint(40, 90)):
        kind = rng.choice(INSPECTION_TYPES)
        wanted = PATROL_MAP.get(kind)
        fitting = [s for s in sites if not wanted or s.type in wanted]
        site = rng.choice(fitting) if fitting and rng.random() < 0.85 else None
        problem = rng.random() < 0.3
        insp = Inspection(
            kind,
            site.id if site else None,
            some_day(rng),
            maybe(rng, 6),
            maybe(rng, 3),
            problem,
            maybe(rng, 5) if kind == "秸秆禁烧巡查" else None,
        )
        values: dict[str, Any] = {
            "inspection_date": insp.day.isoformat(),
            "inspection_type": kind,
            "inspectors": "张三、李四",
            "problem_found": problem,
        }
        if problem:
            values["problem_description"] = "发现问题"
        if site is not None:
            values["site"] = site.id
        if kind in NOTICE_TYPES:
            insp.notices = maybe(rng, 300)
        for key, value in (
            ("inspector_count", insp.inspectors),
            ("vehicle_count", insp.vehicles),
            ("burning_stopped", insp.burning_stopped),
            ("notices_given", insp.notices),
        ):
            if value is not None:
                values[key] = value
        view = service.create("inspection", values)
        world.inspections.append(insp)
        if rng.random() < 0.2:
            service.delete(view.id)
            insp.deleted = True

    for n in range(rng.randint(10, 25)):
        kind = rng.choice(OUTREACH_TYPES)
        sums = {key: maybe(rng, 500) for key in OUTREACH_SUMS.values()}
        event = Event(kind, some_day(rng), sums, place=rng.choice([*PLACE_KINDS, None]))
        values = {"event_date": event.day.isoformat(), "name": f"活动{n}", "event_type": kind}
        if event.place is not None:
            values["place_kind"] = event.place
        values.update({k: v for k, v in sums.items() if v is not None})
        view = service.create("outreach_event", values)
        world.events.append(event)
        if rng.random() < 0.2:
            service.delete(view.id)
            event.deleted = True

    for n in range(rng.randint(20, 40)):
        assigned = some_day(rng)
        deadline = assigned + timedelta(days=rng.choice([0, 10, 30, 45, 90]))
        source = rng.choice(TASK_SOURCES)
        view = service.create(
            "rectification_task",
            {
                "task_no": f"JB-{n:03d}",
                "source": source,
                "assigned_date": assigned.isoformat(),
                "description": f"问题{n}",
                "deadline": deadline.isoformat(),
                "status": rng.choice(["未启动", "正在办理", "阶段性办结"]),
            },
        )
        task = Task(view.id, source, assigned, deadline)
        world.tasks.append(task)
        if rng.random() < 0.3:  # extension approved
            task.extended = deadline + timedelta(days=rng.randint(0, 60))
            service.update(
                task.id,
                {
                    "extended_deadline": task.extended.isoformat(),
                    "extension_approver": "王镇长",
                    "extension_date": deadline.isoformat(),
                },
            )
        if rng.random() < 0.55:  # completed: on time, on the deadline, or late
            task.completed = rng.choice(
                [
                    assigned
                    + timedelta(days=rng.randint(0, max(0, (task.in_force - assigned).days))),
                    task.in_force,
                    task.in_force + timedelta(days=rng.randint(1, 60)),
                ]
            )
            service.update(
                task.id, {"status": "已办结", "completed_date": task.completed.isoformat()}
            )
        if rng.random() < 0.15:
            service.delete(task.id)
            task.deleted = True
    for n in range(rng.randint(5, 15)):
        kind = rng.choice(OTHER_WORK_KINDS)
        work = OtherWork(
            kind,
            some_day(rng),
            None if rng.random() < 0.2 else rng.randint(1, 12),
            maybe(rng, 40),
            maybe(rng, 50) if kind == "告知书发放" else None,
        )
        values = {"work_date": work.day.isoformat(), "kind": kind, "subject": f"工作{n}"}
        for key, value in (
            ("times", work.times),
            ("participant_count", work.participants),
            ("notices", work.notices),
        ):
            if value is not None:
                values[key] = value
        view = service.create("other_work", values)
        if work.times is None:  # the form's default of 1 applies on create: remove it
            service.update(view.id, {"times": None})
        world.other_work.append(work)
        if rng.random() < 0.2:
            service.delete(view.id)
            work.deleted = True
    for n in range(rng.randint(1, 4)):
        indicator = Indicator(
            rng.choice([2024, 2025, 2026]), f"指标{n}", rng.randint(0, 9999) / 100, "%"
        )
        view = service.create(
            "annual_indicator",
            {"year": indicator.year, "indicator": indicator.name, "value": indicator.value,
             "unit": indicator.unit},
        )  # fmt: skip
        world.indicators.append(indicator)
        if rng.random() < 0.2:
            service.delete(view.id)
            indicator.deleted = True
    # a site deleted after it was patrolled drops out; one deleted and restored stays
    for site in sites:
        roll = rng.random()
        if roll < 0.1:
            service.delete(site.id)
            site.deleted = True
        elif roll < 0.15:
            service.delete(site.id)
            service.restore(site.id)
    return world


PERIODS = [
    parse_period("2025-05"),
    parse_period("2025-06"),
    parse_period("2025-Q2"),
    parse_period("2025-Q1"),
    parse_period("2025"),
    period_between(date(2025, 3, 15), date(2025, 7, 10)),
    period_between(date(2024, 12, 20), date(2026, 1, 5)),
    period_between(date(2025, 6, 1), date(2025, 6, 1)),
]


@pytest.mark.parametrize("seed", range(4))
def test_figures_match_independent_count(ctx: AppContext, seed: int) -> None:
    save_settings(ctx, {"unit_name": "龙河镇生态环境办公室"})
    world = build_world(ctx, random.Random(seed))
    for period in PERIODS:
        got = figures(ctx, period)
        assert got == expected(world, period, "龙河镇生态环境办公室"), period.label
        # labels in form order
        assert list(got["outreach"]["by_type"]) == OUTREACH_TYPES
        assert list(got["inspections"]["by_type"]) == INSPECTION_TYPES
        assert list(got["rectification"]["by_source"]) == TASK_SOURCES
        assert list(got["patrol_coverage"]) == [*PATROLLED_TYPES, "by_site"]
    # several (overlapping) periods at once share one pass and give the same objects
    many = figures_many(ctx, PERIODS)
    assert many == [expected(world, p, "龙河镇生态环境办公室") for p in PERIODS]


def test_the_random_worlds_exercise_every_figure(ctx: AppContext) -> None:
    """The comparisons above are not about zeros: the year's figures are rich."""
    # one of the worlds compared above (seed 0 has no straw-burning patrol in 2025)
    world = build_world(ctx, random.Random(1))
    year = figures(ctx, parse_period("2025"))
    flat = {
        f"{section}.{key}": value
        for section in ("outreach", "inspections", "rectification")
        for key, value in year[section].items()
        if isinstance(value, int)
    }
    assert all(flat.values()), {k: v for k, v in flat.items() if not v}
    cov = year["patrol_coverage"]
    assert any(c["required"] > c["done"] > 0 for k, c in cov.items() if k != "by_site")
    assert any(r["missing"] for r in cov["by_site"]) and any(
        not r["missing"] for r in cov["by_site"]
    )
    assert any(t.deleted for t in world.tasks) and any(i.deleted for i in world.inspections)
    assert any(t.extended for t in world.tasks)
    late = [t for t in world.tasks if t.completed and t.completed > t.in_force]
    assert late


def zeros(period: Period) -> dict[str, Any]:
    return expected(World(), period, "")


@pytest.mark.parametrize("text", ["2025-05", "2025-Q3", "2025"])
def test_empty_database_all_zeros(ctx: AppContext, text: str) -> None:
    period = parse_period(text)
    got = figures(ctx, period)
    assert got == zeros(period)
    assert got["unit"] == ""
    assert got["patrol_coverage"] and got["rectification"]["by_source"]


def test_period_without_records_all_zeros(ctx: AppContext) -> None:
    world = build_world(ctx, random.Random(7))
    period = parse_period("1999")
    assert figures(ctx, period)["outreach"] == zeros(period)["outreach"]
    got = figures(ctx, period)
    assert got["inspections"] == zeros(period)["inspections"]
    # sites without a 监管起始日期 are supervised throughout: 1999 is owed, none done
    owed = expected(world, period, "")["patrol_coverage"]
    assert got["patrol_coverage"] == owed
    assert any(c["required"] for k, c in owed.items() if k != "by_site")
    assert not any(c["done"] for k, c in owed.items() if k != "by_site")
    assert got["rectification"] == zeros(period)["rectification"]


# ---- the command line --------------------------------------------------------------
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture(autouse=True)
def _fresh_log_handler() -> Iterator[None]:
    """main() installs the log file handler once per process; give each test its own."""

    def ours() -> list[logging.Handler]:
        return [h for h in logging.getLogger().handlers if getattr(h, "_gongkai", False)]

    yield
    for handler in ours():
        logging.getLogger().removeHandler(handler)
        handler.close()


@pytest.fixture
def run(db_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    def invoke(*argv: str) -> tuple[int, str, str]:
        code = cli.main(["--db", str(db_path), *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def test_cli_json_equals_the_service(ctx: AppContext, run: Run, tmp_path: Path) -> None:
    build_world(ctx, random.Random(3))
    ctx.close()
    code, out, err = run("report", "figures", "--period", "2025-Q2", "--json")
    assert (code, err) == (0, "")
    reopened = open_context(ctx.db_path, auto_backup=False)
    try:
        service = figures(reopened, parse_period("2025-Q2"))
        ranged = figures(reopened, period_between(date(2025, 3, 15), date(2025, 7, 10)))
    finally:
        reopened.close()
    assert json.loads(out) == service
    assert list(json.loads(out)) == [
        "period",
        "unit",
        "outreach",
        "inspections",
        "patrol_coverage",
        "rectification",
        "other_work",
        "indicators",
    ]

    target = tmp_path / "figures.json"
    code, out, err = run(
        "report", "figures", "--from", "2025-03-15", "--to", "2025-07-10", "--out", str(target)
    )
    assert (code, err, out) == (0, "", "")
    assert json.loads(target.read_text(encoding="utf-8")) == ranged


@pytest.mark.parametrize(
    "argv",
    [
        ("report", "figures", "--json"),
        ("report", "figures", "--period", "2025-13"),
        ("report", "figures", "--from", "2025-03-15"),
        ("report", "figures", "--period", "2025", "--out", "x.txt"),
        ("report",),
    ],
)
def test_cli_bad_input_exits_2(run: Run, argv: tuple[str, ...]) -> None:
    code, _out, err = run(*argv)
    assert code == 2
    assert err.startswith("错误：")
