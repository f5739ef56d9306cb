"""A synthetic township year for the report benchmark and for looking at reports.

    python tests/benchmarks/report_world.py DB [RECORDS] [YEAR]

Creates (or fills) DB with the office settings, 120 registered sites of every type
through RecordService, then RECORDS work records of the year (inspections of every
type ~75%, outreach events ~10%, rectification tasks ~15%, a few deleted) inserted
with sqlite3 in the shape RecordService stores them, so 100,000 records take seconds
rather than an hour (then checksummed as the app would have, see data/integrity.py).
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from gongkai_desktop.services.startup import open_context

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SITE_TYPES = {  # site type -> (inspection type that patrols it, times, period)
    "饮用水水源地": ("饮用水水源地巡查", 2, "每月"),
    "排污单位": ("排污单位环境安全检查", 1, "每月"),
    "畜禽养殖场": ("畜禽养殖场巡查", 1, "每季度"),
    "河段/河湖": ("河湖巡查（河长制）", 1, "每月"),
    "医疗机构（辐射）": ("辐射安全检查", 1, "每季度"),
}
OTHER_INSPECTIONS = ("秸秆禁烧巡查", "其他（马路办公等）")
OUTREACH_TYPES = ("六五环境日", "政务公开主题日", "普法宣传", "入户宣传", "志愿者活动", "其他")
SOURCES = ("12345", "12369", "上级检查", "日常巡查发现", "自查", "群众来信来访")
VILLAGES = ("许明寺社区", "东岳村", "龙河村", "三抚村", "长坪村")


def _sites(db: Path) -> list[tuple[str, str]]:
    from gongkai_desktop.services.records.service import RecordService
    from gongkai_desktop.services.settings import save_settings

    ctx = open_context(db, auto_backup=False)
    try:
        save_settings(
            ctx,
            {
                "unit_name": "许明寺镇人民政府",
                "township": "许明寺镇",
                "county": "丰都县",
                "addressee": "县委、县政府",
                "filler": "张三",
                "reviewer": "李四",
                "phone": "023-70612345",
            },
        )
        service = RecordService(ctx)
        sites = []
        for i in range(120):
            site_type = list(SITE_TYPES)[i % len(SITE_TYPES)]
            _kind, times, period = SITE_TYPES[site_type]
            view = service.create(
                "site",
                {
                    "site_type": site_type,
                    "name": f"{site_type[:2]}{i:03d}",
                    "village": VILLAGES[i % len(VILLAGES)],
                    "status": "在用",
                    "patrol_times": times,
                    "patrol_period": period,
                },
            )
            sites.append((view.id, site_type))
    finally:
        ctx.close()
    # registered long before the year, so every site owes patrols all year
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE records SET created_at = '2020-01-01 09:00:00' WHERE form_id='site'")
    conn.close()
    return sites


def _inspection(rng: random.Random, day: date, sites: list[tuple[str, str]]) -> dict[str, Any]:
    if rng.random() < 0.8:
        site_id, site_type = rng.choice(sites)
        kind = SITE_TYPES[site_type][0]
    else:
        site_id, kind = None, rng.choice(OTHER_INSPECTIONS)
    found = rng.random() < 0.15
    data: dict[str, Any] = {
        "inspection_date": day.isoformat(),
        "inspection_type": kind,
        "inspectors": "张三、李四",
        "inspector_count": rng.randint(1, 4),
        "vehicle_count": rng.randint(0, 2),
        "problem_found": found,
    }
    if site_id:
        data["site"] = site_id
    if found:
        data["problem_description"] = "发现生活垃圾堆放，已通知村委会清理"
    if kind == "秸秆禁烧巡查":
        data["burning_stopped"] = rng.randint(0, 3)
    return data


def _event(rng: random.Random, day: date, n: int) -> dict[str, Any]:
    kind = rng.choice(OUTREACH_TYPES)
    return {
        "event_date": day.isoformat(),
        "name": f"{kind}宣传活动{n}",
        "event_type": kind,
        "place": "许明寺场镇",
        "staff_count": rng.randint(2, 20),
        "audience_count": rng.randint(20, 800),
        "materials": rng.randint(0, 500),
        "brochures": rng.randint(0, 200),
        "consultations": rng.randint(0, 60),
    }


def _task(rng: random.Random, day: date, n: int, year: int) -> tuple[dict[str, Any], str]:
    deadline = day + timedelta(days=rng.choice((7, 15, 30, 60)))
    data: dict[str, Any] = {
        "task_no": f"ZG{year}-{n:05d}",
        "source": rng.choice(SOURCES),
        "assigned_date": day.isoformat(),
        "description": "河道沿岸有生活垃圾堆放，需清理并建立长效保洁机制",
        "village": rng.choice(VILLAGES),
        "deadline": deadline.isoformat(),
        "deadline_in_force": deadline.isoformat(),
    }
    status = "整改中"
    if rng.random() < 0.7:
        done = day + timedelta(days=rng.randint(1, 75))
        data["completed_date"] = done.isoformat()
        status = "已办结"
    data["status"] = status
    return data, status


def generate(db: Path, records: int, year: int = 2024, seed: int = 11) -> None:
    sites = _sites(db)
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    first = date(year, 1, 1)
    days = (date(year, 12, 31) - first).days + 1
    conn = sqlite3.connect(db)
    batch: list[tuple[Any, ...]] = []
    for n in range(records):
        day = first + timedelta(days=rng.randrange(days))
        roll = rng.random()
        status = None
        site_id = None
        if roll < 0.75:
            form, data = "inspection", _inspection(rng, day, sites)
            title, site_id = data["inspection_type"], data.get("site")
        elif roll < 0.85:
            form, data = "outreach_event", _event(rng, day, n)
            title = data["name"]
        else:
            form = "rectification_task"
            data, status = _task(rng, day, n, year)
            title = f"{data['task_no']} {data['description']}"
        deleted = 1 if rng.random() < 0.01 else 0
        batch.append(
            (
                str(uuid.uuid4()),
                form,
                title,
                day.isoformat(),
                site_id,
                status,
                json.dumps(data, ensure_ascii=False),
                now,
                deleted,
            )
        )
        if len(batch) == 10_000:
            _insert(conn, batch)
            batch = []
    _insert(conn, batch)
    conn.close()
    _stamp_checksums(db)


def _stamp_checksums(db: Path) -> None:
    """The rows above were written with sqlite3, not through the app: give them the
    checksums the app would have stored (what migration 0009 does for old rows)."""
    from gongkai_desktop.data.engine import create_db_engine
    from gongkai_desktop.data.integrity import backfill_checksums

    engine = create_db_engine(db)
    try:
        with engine.begin() as conn:
            backfill_checksums(conn)
    finally:
        engine.dispose()


def _insert(conn: sqlite3.Connection, batch: list[tuple[Any, ...]]) -> None:
    with conn:
        conn.executemany(
            "INSERT INTO records (id, form_id, title, record_date, site_id, status, data,"
            " search_text, created_at, updated_at, author, version, deleted)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, ?, '', 1, ?)",
            [(*b[:7], b[7], b[7], b[8]) for b in batch],
        )


if __name__ == "__main__":
    target = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    year_arg = int(sys.argv[3]) if len(sys.argv) > 3 else 2024
    generate(target, count, year_arg)
    print(f"{target}: {count} records of {year_arg}")
