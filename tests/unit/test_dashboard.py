"""工作台 figures against an independent count.

A random world of sites, inspections, rectification tasks and outreach events is
entered through RecordService (so the forms' rules apply), then changed the way clerks
change things (sites deleted, stopped, retyped; tasks extended and completed; records
deleted and restored). The generator remembers what it did, and every expected figure
is counted here in plain Python from that memory and from the patrol mapping read
straight from forms/inspection.yaml, never through the code under test.
"""

from __future__ import annotations

import calendar
import random
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.reports.dashboard import Dashboard, DashboardService
from gongkai_desktop.services.startup import open_context

from .conftest import REPO_FORMS

SITE_TYPES = ["饮用水水源地", "排污单位", "畜禽养殖场", "河段/河湖", "医疗机构（辐射）", "其他"]
INSPECTION_TYPES = [
    "饮用水水源地巡查",
    "排污单位环境安全检查",
    "畜禽养殖场巡查",
    "河湖巡查（河长制）",
    "秸秆禁烧巡查",
    "辐射安全检查",
    "其他（马路办公等）",
]
TASK_STATUSES = ["未启动", "正在办理", "阶段性办结", "已办结"]
QUARTER_NAMES = ["第一季度", "第二季度", "第三季度", "第四季度"]


def patrol_mapping(forms_dir: Path = REPO_FORMS) -> dict[str, list[str]]:
    """inspection type -> site types it counts for, as the form file declares it."""
    raw = yaml.safe_load((forms_dir / "inspection.yaml").read_text(encoding="utf-8"))
    return {k: list(v) for k, v in raw["patrol"]["site_types"].items()}


# ---- the world and its expected figures ------------------------------------------------
@dataclass
class Site:
    id: str
    name: str
    type: str
    status: str
    times: int | None
    period: str | None
    deleted: bool = False


@dataclass
class Inspection:
    id: str
    type: str
    site: str | None
    day: date
    deleted: bool = False


@dataclass
class Task:
    id: str
    number: str
    description: str
    site: str | None
    village: str
    assigned: date
    deadline: date
    extended: date | None
    status: str
    completed: date | None
    deleted: bool = False

    @property
    def in_force(self) -> date:
        return self.extended or self.deadline


@dataclass
class Event:
    day: date
    materials: int | None
    deleted: bool = False


@dataclass
class World:
    today: date
    sites: dict[str, Site] = field(default_factory=dict)
    inspections: list[Inspection] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


def month_bounds(day: date) -> tuple[date, date, str]:
    last = calendar.monthrange(day.year, day.month)[1]
    return (
        date(day.year, day.month, 1),
        date(day.year, day.month, last),
        f"{day.year}年{day.month}月",
    )


def quarter_bounds(day: date) -> tuple[date, date, str]:
    q = (day.month - 1) // 3
    first = date(day.year, 3 * q + 1, 1)
    end_month = 3 * q + 3
    last = date(day.year, end_month, calendar.monthrange(day.year, end_month)[1])
    return first, last, f"{day.year}年{QUARTER_NAMES[q]}"


def expected_tasks(world: World) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(overdue, due within 7 days) as (id, number, description, site name, village,
    deadline in force, days overdue), by deadline."""
    overdue, due = [], []
    for t in world.tasks:
        if t.deleted or t.status == "已办结":
            continue
        name = world.sites[t.site].name if t.site else ""
        row = (
            t.id,
            t.number,
            t.description,
            name,
            t.village,
            t.in_force,
            (world.today - t.in_force).days,
        )
        if t.in_force < world.today:
            overdue.append(row)
        elif t.in_force <= world.today + timedelta(days=7):
            due.append(row)
    return sorted(overdue, key=lambda r: r[5]), sorted(due, key=lambda r: r[5])


def expected_gaps(world: World, mapping: dict[str, list[str]]) -> set[tuple[Any, ...]]:
    gaps = set()
    for site in world.sites.values():
        if site.deleted or site.status != "在用" or not site.times:
            continue
        start, end, label = (
            quarter_bounds(world.today) if site.period == "每季度" else month_bounds(world.today)
        )
        done = sum(
            1
            for i in world.inspections
            if not i.deleted
            and i.site == site.id
            and start <= i.day <= end
            and site.type in mapping.get(i.type, [])
        )
        if done < site.times:
            gaps.add((site.id, site.name, site.type, site.times, done, site.times - done, label))
    return gaps


def expected_month(world: World) -> dict[str, Any]:
    start, end, label = month_bounds(world.today)
    live = [i for i in world.inspections if not i.deleted and start <= i.day <= end]
    by_type = [(t, sum(1 for i in live if i.type == t)) for t in INSPECTION_TYPES]
    events = [e for e in world.events if not e.deleted and start <= e.day <= end]
    tasks = [t for t in world.tasks if not t.deleted]
    return {
        "period_label": label,
        "inspections_by_type": tuple(by_type),
        "inspections": len(live),
        "outreach_events": len(events),
        "materials": sum(e.materials or 0 for e in events),
        "open_tasks": sum(1 for t in tasks if t.status != "已办结"),
        "tasks_completed": sum(1 for t in tasks if t.completed and start <= t.completed <= end),
    }


def check(board: Dashboard, world: World, mapping: dict[str, list[str]]) -> None:
    overdue, due = expected_tasks(world)

    def rows(entries: Any) -> list[tuple[Any, ...]]:
        return [
            (e.id, e.number, e.description, e.site_name, e.village, e.deadline, e.days_overdue)
            for e in entries
        ]

    # same entries; order by deadline (ties in any order)
    assert sorted(rows(board.overdue), key=repr) == sorted(overdue, key=repr)
    assert sorted(rows(board.due_soon), key=repr) == sorted(due, key=repr)
    assert [e.deadline for e in board.overdue] == [r[5] for r in overdue]
    assert [e.deadline for e in board.due_soon] == [r[5] for r in due]
    assert all(e.days_overdue > 0 for e in board.overdue)
    assert all(0 <= e.days_left <= 7 for e in board.due_soon)

    gaps = {
        (g.site_id, g.name, g.site_type, g.required, g.done, g.missing, g.period_label)
        for g in board.patrol_gaps
    }
    assert gaps == expected_gaps(world, mapping)
    assert len(board.patrol_gaps) == len(gaps)
    missing = [g.missing for g in board.patrol_gaps]
    assert missing == sorted(missing, reverse=True)

    month = board.month
    got = {key: getattr(month, key) for key in expected_month(world)}
    assert got == expected_month(world)


# ---- building a random world through the services --------------------------------------
def near(rng: random.Random, today: date) -> date:
    """A date around today, often right on a month or quarter boundary."""
    month_start, month_end, _ = month_bounds(today)
    quarter_start, quarter_end, _ = quarter_bounds(today)
    edges = [
        month_start,
        month_end,
        month_start - timedelta(days=1),
        month_end + timedelta(days=1),
        quarter_start,
        quarter_end,
        quarter_start - timedelta(days=1),
        quarter_end + timedelta(days=1),
        today,
    ]
    roll = rng.random()
    if roll < 0.3:
        return rng.choice(edges)
    if roll < 0.6:
        return month_start + timedelta(days=rng.randint(0, (month_end - month_start).days))
    if roll < 0.8:
        return quarter_start + timedelta(days=rng.randint(0, (quarter_end - quarter_start).days))
    return today + timedelta(days=rng.randint(-100, 30))


def build_world(service: RecordService, rng: random.Random, today: date) -> World:
    world = World(today)
    mapping = patrol_mapping()

    for n in range(rng.randint(6, 14)):
        site_type = rng.choice(SITE_TYPES)
        status = rng.choice(["在用", "在用", "在用", "停用", "待完善"])
        times = rng.choice([0, 1, 1, 2, 3])
        period = rng.choice(["每月", "每季度"])
        view = service.create(
            "site",
            {
                "site_type": site_type,
                "name": f"对象{n:02d}",
                "village": "东村",
                "status": status,
                "patrol_times": times,
                "patrol_period": period,
            },
        )
        world.sites[view.id] = Site(view.id, f"对象{n:02d}", site_type, status, times, period)

    live_sites = list(world.sites.values())
    for _ in range(rng.randint(15, 45)):
        kind = rng.choice(INSPECTION_TYPES)
        wanted = mapping.get(kind)
        fitting = [s for s in live_sites if not wanted or s.type in wanted]
        site = rng.choice(fitting) if fitting and rng.random() < 0.9 else None
        day = near(rng, today)
        values: dict[str, Any] = {
            "inspection_date": day.isoformat(),
            "inspection_type": kind,
            "inspectors": "张三、李四",
        }
        if site is not None:
            values["site"] = site.id
        view = service.create("inspection", values)
        world.inspections.append(Inspection(view.id, kind, site.id if site else None, day))

    for n in range(rng.randint(3, 14)):
        # deadlines often right at the edges: yesterday, today, the 7th and 8th day
        offset = rng.choice([-1, 0, 7, 8, None, None, None])
        offset = rng.randint(-60, 20) if offset is None else offset
        deadline = today + timedelta(days=offset)
        assigned = min(today, deadline) - timedelta(days=rng.randint(0, 60))
        site = rng.choice(live_sites) if rng.random() < 0.7 else None
        village = rng.choice(["", "东村", "西村"])
        values = {
            "task_no": f"JB-{n:03d}",
            "source": "自查",
            "assigned_date": assigned.isoformat(),
            "description": f"问题{n}",
            "deadline": deadline.isoformat(),
            "status": rng.choice(TASK_STATUSES[:3]),
        }
        if site is not None:
            values["site"] = site.id
        if village:
            values["village"] = village
        view = service.create("rectification_task", values)
        task = Task(
            view.id,
            f"JB-{n:03d}",
            f"问题{n}",
            site.id if site else None,
            village,
            assigned,
            deadline,
            None,
            values["status"],
            None,
        )
        world.tasks.append(task)
        if rng.random() < 0.35:  # extension approved later
            task.extended = deadline + timedelta(days=rng.randint(0, 40))
            service.update(
                task.id,
                {
                    "extended_deadline": task.extended.isoformat(),
                    "extension_approver": "王镇长",
                    "extension_date": deadline.isoformat(),
                },
            )
        if rng.random() < 0.35:  # completed, in this month or an earlier one
            task.completed = min(
                today, assigned + timedelta(days=rng.randint(0, (today - assigned).days + 5))
            )
            task.status = "已办结"
            service.update(
                task.id, {"status": "已办结", "completed_date": task.completed.isoformat()}
            )

    for n in range(rng.randint(0, 8)):
        day = near(rng, today)
        materials = rng.choice([None, 0, 50, 200, 1300])
        values = {"event_date": day.isoformat(), "name": f"活动{n}", "event_type": "普法宣传"}
        if materials is not None:
            values["materials"] = materials
        view = service.create("outreach_event", values)
        world.events.append(Event(day, materials))
        if rng.random() < 0.2:
            service.delete(view.id)
            world.events[-1].deleted = True

    # later changes: sites stopped, retyped, deleted (and one restored); records deleted
    for site in world.sites.values():
        roll = rng.random()
        if roll < 0.1:
            site.status = "停用"
            service.update(site.id, {"status": "停用"})
        elif roll < 0.2:
            site.type = rng.choice([t for t in SITE_TYPES if t != site.type])
            service.update(site.id, {"site_type": site.type})
        elif roll < 0.3:
            site.times = rng.choice([1, 4])
            site.period = "每季度" if site.period == "每月" else "每月"
            service.update(site.id, {"patrol_times": site.times, "patrol_period": site.period})
        elif roll < 0.4:
            service.delete(site.id)
            site.deleted = True
        elif roll < 0.45:
            service.delete(site.id)
            service.restore(site.id)
    for inspection in world.inspections:
        if rng.random() < 0.25:
            service.delete(inspection.id)
            inspection.deleted = True
    for task in world.tasks:
        if rng.random() < 0.15:
            service.delete(task.id)
            task.deleted = True
    return world


TODAYS = [
    date(2026, 11, 5),  # an ordinary day
    date(2026, 3, 31),  # last day of a month and of a quarter
    date(2026, 4, 1),  # first day of a month and of a quarter
    date(2025, 12, 31),  # last day of the year
    date(2027, 1, 1),  # first day of the year
    date(2028, 2, 29),  # leap day, middle month of a quarter
]


@pytest.mark.parametrize(("seed", "today"), list(enumerate(TODAYS)))
def test_dashboard_matches_independent_count(ctx, records, seed: int, today: date) -> None:  # type: ignore[no-untyped-def]
    world = build_world(records, random.Random(seed), today)
    board = DashboardService(ctx).overview(today)
    check(board, world, patrol_mapping())
    # the fixture data is rich enough to exercise every section somewhere
    assert board.today == today


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    today=st.dates(min_value=date(2001, 1, 1), max_value=date(2098, 12, 31)),
)
def test_dashboard_matches_independent_count_for_any_day(seed: int, today: date) -> None:
    with tempfile.TemporaryDirectory() as folder:
        context = open_context(Path(folder) / "gongkai.db", auto_backup=False)
        try:
            world = build_world(RecordService(context), random.Random(seed), today)
            check(DashboardService(context).overview(today), world, patrol_mapping())
        finally:
            context.close()


def test_random_worlds_exercise_every_section(ctx, records) -> None:  # type: ignore[no-untyped-def]
    """The generator is not so thin that the comparisons above are about empty lists."""
    seen = {"overdue": 0, "due_soon": 0, "gaps": 0, "quarterly": 0, "done": 0, "completed": 0}
    for seed in range(3):
        today = date(2026, 11, 5) + timedelta(days=40 * seed)
        world = build_world(records, random.Random(100 + seed), today)
        overdue, due = expected_tasks(world)
        gaps = expected_gaps(world, patrol_mapping())
        seen["overdue"] += len(overdue)
        seen["due_soon"] += len(due)
        seen["gaps"] += len(gaps)
        seen["quarterly"] += sum(1 for g in gaps if "季度" in g[6])
        seen["done"] += sum(1 for g in gaps if g[4] > 0)
        seen["completed"] += expected_month(world)["tasks_completed"]
    assert all(seen.values()), seen


# ---- edge cases ------------------------------------------------------------------------
def test_empty_database_gives_zeros(ctx) -> None:  # type: ignore[no-untyped-def]
    board = DashboardService(ctx).overview(date(2026, 11, 5))
    assert (board.overdue, board.due_soon, board.patrol_gaps) == ((), (), ())
    month = board.month
    assert month.period_label == "2026年11月"
    assert month.inspections_by_type == tuple((t, 0) for t in INSPECTION_TYPES)
    assert (
        month.inspections,
        month.outreach_events,
        month.materials,
        month.open_tasks,
        month.tasks_completed,
    ) == (0, 0, 0, 0, 0)


@pytest.fixture
def boundary_world(records: RecordService) -> dict[str, str]:
    monthly = records.create(
        "site",
        {"site_type": "饮用水水源地", "name": "龙河水库", "village": "龙河村"},
    ).id  # default: twice a month
    quarterly = records.create(
        "site",
        {"site_type": "医疗机构（辐射）", "name": "镇卫生院", "village": "场镇", "patrol_times": 2},
    ).id  # twice a quarter (the period defaults to 每季度 for this type)

    def inspect(kind: str, site: str, day: str) -> None:
        records.create(
            "inspection",
            {"inspection_date": day, "inspection_type": kind, "site": site, "inspectors": "张三"},
        )

    for day in ("2026-02-28", "2026-03-01", "2026-04-01"):
        inspect("饮用水水源地巡查", monthly, day)
    inspect("其他（马路办公等）", monthly, "2026-03-15")  # not a patrol of a water source
    for day in ("2025-12-31", "2026-01-01", "2026-04-01", "2026-06-30"):
        inspect("辐射安全检查", quarterly, day)

    def task(no: str, deadline: str, **extra: str) -> None:
        values = {
            "task_no": no,
            "source": "自查",
            "assigned_date": "2026-01-05",
            "description": f"问题{no}",
            "deadline": deadline,
            **extra,
        }
        records.create("rectification_task", values)

    task("A", "2026-03-30")  # one day overdue on 03-31
    task("B", "2026-03-31")  # due today on 03-31: not overdue
    task("C", "2026-04-07")  # the 7th day after 03-31
    task("D", "2026-04-08")  # the 8th day: not yet shown
    task(
        "E",
        "2026-03-01",
        extended_deadline="2026-04-02",
        extension_approver="王镇长",
        extension_date="2026-02-20",
    )  # overdue by its original deadline, not by the one in force
    task("F", "2026-03-01", status="已办结", completed_date="2026-03-31")
    return {"monthly": monthly, "quarterly": quarterly}


def test_boundaries_on_last_day_of_quarter(ctx, boundary_world) -> None:  # type: ignore[no-untyped-def]
    board = DashboardService(ctx).overview(date(2026, 3, 31))
    assert [(e.number, e.days_overdue) for e in board.overdue] == [("A", 1)]
    assert [(e.number, e.days_left) for e in board.due_soon] == [("B", 0), ("E", 2), ("C", 7)]
    gaps = {g.name: (g.required, g.done, g.missing, g.period_label) for g in board.patrol_gaps}
    # March: only 03-01 counts (02-28 is February, 04-01 April, 马路办公 is no patrol);
    # the first quarter: 01-01 counts, 2025-12-31 belongs to last year's fourth quarter
    assert gaps == {"龙河水库": (2, 1, 1, "2026年3月"), "镇卫生院": (2, 1, 1, "2026年第一季度")}
    assert board.month.tasks_completed == 1
    assert board.month.open_tasks == 5
    assert board.month.inspections == 2


def test_boundaries_on_first_day_of_quarter(ctx, boundary_world) -> None:  # type: ignore[no-untyped-def]
    board = DashboardService(ctx).overview(date(2026, 4, 1))
    assert [(e.number, e.days_overdue) for e in board.overdue] == [("A", 2), ("B", 1)]
    assert [e.number for e in board.due_soon] == ["E", "C", "D"]
    gaps = {g.name: (g.required, g.done, g.missing, g.period_label) for g in board.patrol_gaps}
    # the second quarter: 04-01 and 06-30 (the whole quarter counts, not only its past)
    assert gaps == {"龙河水库": (2, 1, 1, "2026年4月")}
    assert board.month.tasks_completed == 0
    assert dict(board.month.inspections_by_type)["辐射安全检查"] == 1
    assert board.month.inspections == 2


def test_figures_are_a_fixed_number_of_queries_in_one_transaction(ctx, records) -> None:  # type: ignore[no-untyped-def]
    """No query per site or per task: the same few statements for an empty and a full
    database, inside one transaction."""
    service = DashboardService(ctx)
    statements: list[str] = []
    begins: list[object] = []

    def on_execute(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    def on_begin(conn):  # type: ignore[no-untyped-def]
        begins.append(conn)

    event.listen(ctx.engine, "before_cursor_execute", on_execute)
    event.listen(ctx.engine, "begin", on_begin)
    try:
        service.overview(date(2026, 11, 5))
        empty = len(statements)
        assert len(begins) == 1
        build_world(records, random.Random(7), date(2026, 11, 5))
        statements.clear()
        begins.clear()
        service.overview(date(2026, 11, 5))
        # tasks, patrols and the month's counts; the holiday table and its status (its
        # days and years, read twice by work_calendar); open requests and late items;
        # this year's patrol shortfalls by site and month
        assert len(statements) == empty <= 13
        assert len(begins) == 1
    finally:
        event.remove(ctx.engine, "before_cursor_execute", on_execute)
        event.remove(ctx.engine, "begin", on_begin)


# ---- the patrol mapping comes from the form files --------------------------------------
RIVER_LOG_FORM = """\
id: river_log
title: 巡河记录
version: 1
title_field: level
date_field: patrol_date
patrol:
  type_field: level
  site_field: river
  site_types:
    镇级巡河: [河段/河湖]
sections:
  - title: 巡河
    fields:
      - {key: patrol_date, label: 巡河日期, type: date, required: true}
      - {key: level, label: 巡河级别, type: choice, choices: [镇级巡河, 村级巡河], required: true}
      - {key: river, label: 河段, type: site}
"""


@pytest.fixture
def changed_ctx(db_path: Path, forms_copy: Path) -> Iterator[AppContext]:
    """forms/ where 秸秆禁烧巡查 counts for 其他 sites, 饮用水水源地巡查 for nothing, and
    another form (whose site is not the record's site column) declares patrols too."""
    inspection = forms_copy / "inspection.yaml"
    text = inspection.read_text(encoding="utf-8")
    old = "    饮用水水源地巡查: [饮用水水源地]\n"
    assert old in text
    inspection.write_text(text.replace(old, "    秸秆禁烧巡查: [其他]\n"), encoding="utf-8")
    (forms_copy / "river_log.yaml").write_text(RIVER_LOG_FORM, encoding="utf-8")
    context = open_context(db_path, forms_dir=forms_copy, auto_backup=False)
    yield context
    context.close()


def test_patrol_mapping_is_read_from_the_forms(changed_ctx: AppContext) -> None:
    service = RecordService(changed_ctx)

    def site(kind: str, name: str) -> str:
        return service.create(
            "site",
            {
                "site_type": kind,
                "name": name,
                "village": "东村",
                "patrol_times": 1,
                "patrol_period": "每月",
            },
        ).id

    water, yard, river = site("饮用水水源地", "水源"), site("其他", "堆场"), site("河段/河湖", "河")
    for kind, where in (("饮用水水源地巡查", water), ("秸秆禁烧巡查", yard)):
        values = {"inspection_date": "2026-11-02", "inspection_type": kind, "site": where}
        service.create("inspection", {**values, "inspectors": "张三"})
    service.create("river_log", {"patrol_date": "2026-11-03", "level": "村级巡河", "river": river})
    board = DashboardService(changed_ctx).overview(date(2026, 11, 5))
    assert {g.name: g.done for g in board.patrol_gaps} == {"水源": 0, "河": 0}
    service.create("river_log", {"patrol_date": "2026-11-04", "level": "镇级巡河", "river": river})
    board = DashboardService(changed_ctx).overview(date(2026, 11, 5))
    assert {g.name: g.done for g in board.patrol_gaps} == {"水源": 0}
