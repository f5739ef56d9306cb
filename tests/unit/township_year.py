"""A township's year built in code, modelled on a real annual eco-environment report
(issue 17): 7 场镇 outreach events with 1,100 materials, 3 door-to-door volunteer events,
straw-burning patrols with 1,204 inspector 人次, 359 车次, 115 burnings stopped and 3,200
notices, two drinking-water sources, rectification tasks (one overdue at the year end),
other work (meetings, study, 马路办公, platform reports, notices, plans) and indicators."""

from __future__ import annotations

from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.settings import save_settings

YEAR = 2023
UNIT = "龙河镇人民政府"
ADDRESSEE = "县委、县政府"

# 7 场镇 events: materials 1,100 in all
TOWN_EVENTS = [
    ("2023-03-12", "“3·15”生态环境法律宣传", 200),
    ("2023-04-22", "世界地球日宣传", 150),
    ("2023-06-05", "六五环境日集中宣传", 250),
    ("2023-07-18", "饮用水水源保护宣传", 100),
    ("2023-09-16", "秸秆禁烧政策宣传", 150),
    ("2023-10-20", "农村生活污水治理宣传", 100),
    ("2023-11-09", "冬季大气污染防治宣传", 150),
]
VOLUNTEER_EVENTS = [("2023-05-20", "清河护河入户宣传"), ("2023-08-12", "垃圾分类入户宣传"),
                    ("2023-12-02", "冬季防火入户宣传")]  # fmt: skip
# straw-burning patrols: (date, inspectors, vehicles, stopped, notices); sums 1204/359/115/3200
STRAW = [
    ("2023-03-01", 300, 90, 30, 800),
    ("2023-03-15", 304, 89, 25, 800),
    ("2023-10-05", 300, 90, 35, 900),
    ("2023-10-20", 300, 90, 25, 700),
]
WATER_SOURCES = ("金竹沟水源地", "白岩水库水源地")


def build_township_year(ctx: AppContext, records: RecordService) -> dict[str, object]:
    save_settings(
        ctx,
        {"unit_name": UNIT, "township": "龙河镇", "county": "丰都县", "addressee": ADDRESSEE},
    )
    for day, name, materials in TOWN_EVENTS:
        records.create(
            "outreach_event",
            {"event_date": day, "name": name, "event_type": "普法宣传", "place_kind": "场镇",
             "staff_count": 10, "audience_count": 300, "materials": materials},
        )  # fmt: skip
    for day, name in VOLUNTEER_EVENTS:
        records.create(
            "outreach_event",
            {"event_date": day, "name": name, "event_type": "志愿者活动",
             "place_kind": "村（社区）", "staff_count": 12, "audience_count": 80},
        )  # fmt: skip
    for day, inspectors, vehicles, stopped, notices in STRAW:
        records.create(
            "inspection",
            {"inspection_date": day, "inspection_type": "秸秆禁烧巡查", "inspectors": "张三、李四",
             "inspector_count": inspectors, "vehicle_count": vehicles,
             "burning_stopped": stopped, "notices_given": notices},
        )  # fmt: skip
    sites = [
        records.create(
            "site",
            {"site_type": "饮用水水源地", "name": name, "village": "龙河村",
             "patrol_times": 2, "patrol_period": "每月", "status": "在用"},
        ).id
        for name in WATER_SOURCES
    ]  # fmt: skip
    for site in sites:
        for month in range(1, 13):
            if site == sites[0] and month == 8:
                continue  # 金竹沟水源地 not patrolled in August
            for day in (5, 20):
                records.create(
                    "inspection",
                    {"inspection_date": f"2023-{month:02d}-{day:02d}",
                     "inspection_type": "饮用水水源地巡查", "site": site, "inspectors": "王五",
                     "inspector_count": 2, "vehicle_count": 1},
                )  # fmt: skip
    tasks = [
        ("ZG2023-001", "2023-02-10", "2023-04-30", "2023-04-20", "金竹沟水源地保护区内垃圾堆放"),
        ("ZG2023-002", "2023-03-05", "2023-05-31", "2023-05-15", "白岩水库网箱养殖清理"),
        ("ZG2023-003", "2023-05-12", "2023-08-31", "2023-09-10", "养殖场粪污直排"),
        ("ZG2023-004", "2023-06-01", "2023-09-30", "2023-09-20", "河道乱堆乱放"),
        ("ZG2023-005", "2023-07-20", "2023-10-31", "", "龙河村生活污水直排"),
        ("ZG2023-006", "2023-11-02", "2024-03-31", "", "场镇餐饮油烟扰民"),
    ]
    for no, assigned, deadline, done, description in tasks:
        values = {"task_no": no, "source": "12345", "assigned_date": assigned,
                  "description": description, "deadline": deadline}  # fmt: skip
        if done:
            values |= {"completed_date": done, "status": "已办结"}
        records.create("rectification_task", values)
    other = [
        ("2023-02-15", "会议部署", "党委会专题研究生态环境保护工作", 4, {}),
        ("2023-03-08", "学习培训（内部）", "学习《中华人民共和国长江保护法》", 4,
         {"participant_count": 60}),
        ("2023-06-10", "学习培训（内部）", "学习《固体废物污染环境防治法》", 3,
         {"participant_count": 45}),
        ("2023-01-31", "马路办公/实地查看", "场镇及沿河实地查看", 12, {}),
        ("2023-12-28", "平台填报", "在线履职平台填报", 12, {}),
        ("2023-05-06", "告知书发放", "辖区餐饮店油烟治理", 1,
         {"notices": 12, "notice_target": "辖区餐饮店"}),
        ("2023-04-18", "预案/评估编制备案", "龙河镇突发环境事件应急预案", 1,
         {"plan_state": "编制并备案"}),
        ("2023-09-22", "预案/评估编制备案", "金竹沟水源地环境风险评估", 1,
         {"plan_state": "编制"}),
    ]  # fmt: skip
    for day, kind, subject, times, more in other:
        records.create(
            "other_work",
            {"work_date": day, "kind": kind, "subject": subject, "times": times, **more},
        )
    for indicator, value, unit in (("受污染耕地安全利用率", 95, "%"),
                                   ("秸秆综合利用率", 92.5, "%"),
                                   ("化肥使用量较上年减少", 3.2, "%")):  # fmt: skip
        records.create(
            "annual_indicator",
            {"year": YEAR, "indicator": indicator, "value": value, "unit": unit,
             "source": "县农业农村局"},
        )  # fmt: skip
    return {"sites": sites}
