"""A township's November 2026 for the 月末报送 tests, closed on 2 December 2026: one of each
thing the checklist looks for, written through RecordService (the one record that breaks
its form is changed afterwards with the sqlite3 module, as an edited form file would
leave it)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.settings import save_settings

CLOSE_DAY = date(2026, 12, 2)
UNIT = "龙河镇人民政府"
TOWNSHIP_CODE = "510521104000"


@dataclass
class CloseWorld:
    water_site: str  # 金竹沟水源地: 2 patrols owed in November, 1 done
    new_site: str  # 待完善
    patrol: str  # the November patrol
    broken: str  # a November patrol whose 巡查人员 was removed behind the form's back
    overdue_task: str  # deadline 2026-11-20, still open
    overdue_request: str  # received 2026-10-09, never answered
    outreach: str  # a November outreach event (nothing wrong with it)


def build_close_world(ctx: AppContext) -> CloseWorld:
    save_settings(
        ctx,
        {
            "unit_name": UNIT,
            "township": "龙河镇",
            "county": "泸县",
            "filler": "李晓梅",
            "township_code": TOWNSHIP_CODE,
        },
    )
    service = RecordService(ctx)
    water = service.create(
        "site",
        {
            "site_type": "饮用水水源地",
            "name": "金竹沟水源地",
            "village": "东村",
            "patrol_times": 2,
        },
    ).id
    new_site = service.create(
        "site",
        {"site_type": "排污单位", "name": "新发现小作坊", "village": "西村", "status": "待完善"},
    ).id
    patrol = service.create(
        "inspection",
        {
            "inspection_date": "2026-11-10",
            "inspection_type": "饮用水水源地巡查",
            "site": water,
            "inspectors": "张三、李四",
            "problem_found": False,
        },
    ).id
    broken = service.create(
        "inspection",
        {
            "inspection_date": "2026-11-12",
            "inspection_type": "秸秆禁烧巡查",
            "inspectors": "王五",
            "problem_found": False,
        },
    ).id
    task = service.create(
        "rectification_task",
        {
            "source": "日常巡查发现",
            "assigned_date": "2026-11-01",
            "description": "河道边堆放生活垃圾",
            "deadline": "2026-11-20",
            "status": "正在办理",
        },
    ).id
    request = service.create(
        "disclosure_request",
        {
            "channel": "当面提交",
            "received_date": "2026-10-09",
            "applicant": "赵六",
            "applicant_type": "自然人",
            "content": "申请公开某文件",
        },
    ).id
    outreach = service.create(
        "outreach_event",
        {"event_date": "2026-11-15", "event_type": "普法宣传", "name": "秸秆禁烧宣传"},
    ).id
    _drop_field(ctx.db_path, broken, "inspectors")
    return CloseWorld(water, new_site, patrol, broken, task, request, outreach)


def _drop_field(db: Path, record_id: str, key: str) -> None:
    conn = sqlite3.connect(db)
    try:
        (text,) = conn.execute("SELECT data FROM records WHERE id = ?", (record_id,)).fetchone()
        data = json.loads(text)
        del data[key]
        conn.execute(
            "UPDATE records SET data = ? WHERE id = ?",
            (json.dumps(data, ensure_ascii=False), record_id),
        )
        conn.commit()
    finally:
        conn.close()


def issue_key(ctx: AppContext, folder: Path) -> None:
    """The county adds the township and issues its key file; the township imports it."""
    from gongkai_desktop.services.county.townships import add_township, write_township_key
    from gongkai_desktop.services.startup import open_context
    from gongkai_desktop.services.submission.keys import import_key_file

    county = open_context(folder / "county" / "county.db", auto_backup=False)
    try:
        add_township(county, TOWNSHIP_CODE, "龙河镇", "李晓梅", "0830-1234567")
        write_township_key(county, TOWNSHIP_CODE, folder / "龙河镇.gkkey")
    finally:
        county.close()
    import_key_file(ctx, folder / "龙河镇.gkkey")
