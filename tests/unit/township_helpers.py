"""A township's 2023 built in code, entered today (2026): sites with supervision periods,
patrols with one missed month per site, rectification tasks from 交办 and 自查 done on
time, late, open and overdue (used by the unit and GUI tests of coverage and progress)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.settings import save_settings

WATER, FARM = "饮用水水源地", "畜禽养殖场"
JINZHU, LONGTAN, HONGXING, BAISHA = "金竹沟水源地", "龙潭水库水源地", "红星养殖场", "白沙河水源地"


@dataclass
class Township:
    sites: dict[str, str]  # name -> id
    tasks: dict[str, str]  # T1… -> id


def _site(service: RecordService, name: str, site_type: str, **extra: Any) -> str:
    values = {"site_type": site_type, "name": name, "village": "东村", **extra}
    return service.create("site", values).id


def _patrol(service: RecordService, site_id: str | None, day: date, kind: str) -> str:
    values = {
        "inspection_date": day.isoformat(),
        "inspection_type": kind,
        "inspectors": "张三、李四",
        "problem_found": False,
    }
    if site_id:
        values["site"] = site_id
    return service.create("inspection", values).id


def _task(service: RecordService, link_from: str | None = None, **values: Any) -> str:
    base = {"description": "问题", "status": "正在办理"}
    base.update({k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()})
    if base.get("completed_date"):
        base["status"] = "已办结"
    return service.create("rectification_task", base, link_from=link_from).id


def build_township(ctx: AppContext) -> Township:
    """Every site is entered today (2026), long after the year it reports on."""
    save_settings(ctx, {"unit_name": "龙河镇人民政府", "addressee": "县生态环境局"})
    service = RecordService(ctx)
    sites = {
        # twice a month all year; August patrolled once
        JINZHU: _site(service, JINZHU, WATER, patrol_times=2, liaison_leader="王镇长"),
        # supervised from 15 March (March owed in full); November not patrolled
        LONGTAN: _site(
            service,
            LONGTAN,
            WATER,
            patrol_times=2,
            supervised_from="2023-03-15",
            liaison_leader="李书记",
        ),
        # quarterly, no longer supervised after 10 May: Q1 done, Q2 missed
        HONGXING: _site(
            service,
            HONGXING,
            FARM,
            patrol_times=1,
            patrol_period="每季度",
            supervised_until="2023-05-10",
            status="停用",
        ),
        # a water source with no patrol requirement and no problems
        BAISHA: _site(service, BAISHA, WATER, patrol_times=0, liaison_leader="赵委员"),
    }
    water = "饮用水水源地巡查"
    for month in range(1, 13):
        for day in (5, 20) if month != 8 else (5,):
            _patrol(service, sites[JINZHU], date(2023, month, day), water)
    _patrol(service, sites[LONGTAN], date(2023, 2, 10), water)  # before supervision
    longtan_patrols = {}
    for month in range(3, 13):
        if month == 11:
            continue
        for day in (3, 18):
            longtan_patrols[(month, day)] = _patrol(
                service, sites[LONGTAN], date(2023, month, day), water
            )
    _patrol(service, sites[HONGXING], date(2023, 2, 14), "畜禽养殖场巡查")
    _patrol(service, sites[HONGXING], date(2023, 7, 14), "畜禽养殖场巡查")  # not supervised
    _patrol(service, None, date(2023, 10, 8), "秸秆禁烧巡查")  # counts for no site

    d = date
    tasks = {
        "T1": _task(service, task_no="ZG2023-001", source="中央生态环境保护督察",
                    assigned_date=d(2023, 2, 1), deadline=d(2023, 4, 30),
                    completed_date=d(2023, 4, 20), site=sites[JINZHU]),
        "T2": _task(service, task_no="ZG2023-002", source="12369",
                    assigned_date=d(2023, 5, 10), deadline=d(2023, 6, 30),
                    completed_date=d(2023, 7, 15), site=sites[JINZHU]),
        "T3": _task(service, task_no="ZG2023-003", source="自查",
                    description="一级保护区内有垃圾堆放", assigned_date=d(2023, 9, 1),
                    deadline=d(2024, 3, 31), site=sites[JINZHU]),
        "T4": _task(service, task_no="ZG2023-004", source="日常巡查发现",
                    description="取水口护栏损坏", assigned_date=d(2023, 6, 1),
                    deadline=d(2023, 8, 31), site=sites[LONGTAN]),
        "T5": _task(service, task_no="ZG2023-005", source="省级督察",
                    assigned_date=d(2023, 7, 1), deadline=d(2023, 9, 30),
                    extended_deadline=d(2023, 12, 31), extension_approver="周局长",
                    extension_date=d(2023, 9, 20), completed_date=d(2023, 12, 20),
                    site=sites[LONGTAN]),
        # no site typed: it comes from the linked November-less patrol of 龙潭水库
        "T6": _task(service, task_no="ZG2023-006", source="自查",
                    description="保护区标志牌缺失", assigned_date=d(2023, 10, 10),
                    deadline=d(2023, 11, 30), completed_date=d(2024, 1, 15),
                    link_from=longtan_patrols[(10, 3)]),
        "T7": _task(service, task_no="ZG2023-007", source="群众来信来访",
                    assigned_date=d(2023, 3, 3), deadline=d(2023, 3, 31),
                    completed_date=d(2023, 3, 30)),
        # assigned in 2022: outside the year
        "T8": _task(service, task_no="ZG2022-009", source="12345",
                    assigned_date=d(2022, 12, 1), deadline=d(2023, 1, 31),
                    site=sites[JINZHU]),
    }  # fmt: skip
    return Township(sites, tasks)
