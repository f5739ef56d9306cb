"""A month of work entered through RecordService, for the printed monthly summary."""

from __future__ import annotations

from datetime import date, timedelta

from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.settings import save_settings

UNIT = "青山镇人民政府"
LONG = (
    "群众反映该养殖场雨污分流设施损坏，粪污经排水沟直排入附近沟渠，"
    "沟渠水体发黑发臭，下游约两百米处为农田灌溉取水口，需尽快完成整改并回头看"
)


def fill_month(ctx, records: RecordService, open_tasks: int = 3, long: bool = False) -> None:  # type: ignore[no-untyped-def]
    """May 2024: sites, patrols, outreach, and ``open_tasks`` tasks still open on 31 May
    (the first is 21 days overdue, task numbers ZG-TEST-001…)."""
    save_settings(
        ctx,
        {
            "unit_name": UNIT,
            "township": "青山镇",
            "filler": "王小红",
            "reviewer": "李建国",
            "phone": "0571-88886666",
        },
    )
    water = records.create(
        "site", {"site_type": "饮用水水源地", "name": "青山水库水源地", "village": "东村"}
    ).id
    farm = records.create(
        "site", {"site_type": "畜禽养殖场", "name": "东村生猪养殖场", "village": "东村"}
    ).id
    records.create("site", {"site_type": "排污单位", "name": "青山建材有限公司", "village": "西村"})
    for day in (3, 17):
        records.create(
            "inspection",
            {
                "inspection_date": date(2024, 5, day).isoformat(),
                "inspection_type": "饮用水水源地巡查",
                "site": water,
                "inspectors": "张三、李四",
                "inspector_count": 2,
                "vehicle_count": 1,
                "problem_found": False,
            },
        )
    records.create(
        "inspection",
        {
            "inspection_date": "2024-05-20",
            "inspection_type": "秸秆禁烧巡查",
            "inspectors": "张三",
            "inspector_count": 4,
            "burning_stopped": 2,
            "problem_found": True,
            "problem_description": "发现焚烧秸秆",
        },
    )
    records.create(
        "outreach_event",
        {
            "event_date": "2024-05-05",
            "name": "六五环境日宣传",
            "event_type": "六五环境日",
            "staff_count": 6,
            "audience_count": 300,
            "materials": 500,
            "brochures": 120,
            "consultations": 35,
        },
    )
    for n in range(open_tasks):
        assigned = date(2024, 4, 1) + timedelta(days=n)
        description = f"{LONG}（第{n + 1}处）" if long else f"养殖场粪污外溢（第{n + 1}处）"
        records.create(
            "rectification_task",
            {
                "task_no": f"ZG-TEST-{n + 1:03d}",
                "source": "12369",
                "assigned_date": assigned.isoformat(),
                "description": description,
                "site": farm,
                "deadline": (date(2024, 5, 10) + timedelta(days=30 * n)).isoformat(),
                "status": "正在办理",
            },
        )
