"""Realistic records for the ledger export tests, created through RecordService, and an
independent reading of the database (sqlite3, not the code under test) that turns the
stored values into the cells a ledger should hold."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from gongkai_desktop.forms.spec import FormRegistry, LedgerSpec
from gongkai_desktop.services.records.service import RecordService

MALICIOUS = ["=cmd|'/c calc'!A1", "+1", "-1", "@SUM(1)", "\tTab开头", "\r回车开头"]
PHOTO = {"file": "photos/2024/05/a1.jpg", "name": "IMG_0001.JPG", "caption": "围网破损"}
PHOTO2 = {"file": "photos/2024/05/b2.jpg", "name": "IMG_0002.JPG", "caption": ""}


@dataclass
class Seeded:
    sites: dict[str, str]  # name -> id
    deleted_ids: list[str]


def seed(records: RecordService) -> Seeded:
    """Sites of every type and work records of every ledger in April–June 2024; May holds
    most of them. Some records are deleted; some text starts like a formula."""
    create = records.create
    sites = {
        "龙河水库": create(
            "site",
            {
                "site_type": "饮用水水源地",
                "name": "龙河水库",
                "village": "东村",
                "protection_level": "一级保护区",
            },
        ).id,
        "宏达化工有限公司": create(
            "site",
            {
                "site_type": "排污单位",
                "name": "宏达化工有限公司",
                "village": "西村",
                "address": "工业园区纬一路8号",
                "credit_code": "91410000MA12345678",
                "industry": "化学原料制造",
                "permit_category": "重点管理",
                "responsible_person": "王建国",
                "phone": "0371-66668888",
                "remarks": MALICIOUS[0],
            },
        ).id,
        MALICIOUS[1]: create(
            "site", {"site_type": "排污单位", "name": MALICIOUS[1], "village": "南村"}
        ).id,
        "兴旺养殖场": create(
            "site",
            {
                "site_type": "畜禽养殖场",
                "name": "兴旺养殖场",
                "village": "北村",
                "responsible_person": "李兴旺",
                "phone": "13800001111",
                "livestock": "生猪",
                "stock": 650,
                "annual_output": 1300,
                "is_scale_farm": True,
                "in_no_farming_zone": False,
            },
        ).id,
        "龙河许明寺段": create(
            "site",
            {
                "site_type": "河段/河湖",
                "name": "龙河许明寺段",
                "village": "东村",
                "river_chief": "赵河长",
            },
        ).id,
        "仁和诊所": create(
            "site",
            {
                "site_type": "医疗机构（辐射）",
                "name": "仁和诊所",
                "village": "中心村",
                "address": "镇政府街12号",
                "responsible_person": "孙大夫",
            },
        ).id,
    }
    gone_site = create("site", {"site_type": "排污单位", "name": "已关停砖厂", "village": "西村"})
    records.delete(gone_site.id)
    deleted: list[str] = [gone_site.id]

    def patrol(kind: str, day: str, **values: Any) -> str:
        base = {"inspection_date": day, "inspection_type": kind, "inspectors": "张三、李四"}
        return create("inspection", {**base, **values}).id

    water = sites["龙河水库"]
    patrol(
        "饮用水水源地巡查",
        "2024-05-06",
        start_time="14:00",
        end_time="15:30",
        site=water,
        protection_zone="一级保护区",
        signs_state="完好",
        fence_state="缺失或损坏",
        pollution_source="未发现",
        violations=["垂钓", "游泳"],
        problem_found=True,
        problem_description="东侧围网破损约5米，有2人垂钓",
        onsite_handling="劝离垂钓人员，通知村委会三日内修复围网",
        photos=[PHOTO, PHOTO2],
        remarks=MALICIOUS[2],
    )
    patrol(
        "饮用水水源地巡查",
        "2024-05-06",
        start_time="09:00",
        end_time="10:00",
        site=water,
        protection_zone="二级保护区",
        signs_state="完好",
        fence_state="完好",
        pollution_source="未发现",
        problem_found=False,
        inspector_count=2,
    )
    patrol(
        "饮用水水源地巡查",
        "2024-05-31",
        start_time="08:30",
        site=water,
        problem_found=False,
        onsite_handling=MALICIOUS[3],
    )
    patrol("饮用水水源地巡查", "2024-04-30", site=water, problem_found=False)
    patrol("饮用水水源地巡查", "2024-06-01", site=water, problem_found=False)
    deleted.append(
        patrol(
            "饮用水水源地巡查",
            "2024-05-15",
            site=water,
            problem_found=True,
            problem_description="已删除的记录",
        )
    )
    records.delete(deleted[-1])

    patrol(
        "排污单位环境安全检查",
        "2024-05-08",
        site=sites["宏达化工有限公司"],
        facility_running="正常运行",
        hazardous_storage="不规范",
        emergency_plan="已编制并备案",
        enterprise_signs="完好",
        problem_found=True,
        problem_description="危废间标识不全，台账记录缺失",
        onsite_handling="责令7日内完善危废标识和台账",
        enterprise_rep="王建国",
        photos=[PHOTO],
    )
    patrol(
        "排污单位环境安全检查",
        "2024-05-20",
        site=sites[MALICIOUS[1]],
        facility_running="停产",
        problem_found=False,
        onsite_handling=MALICIOUS[4],
    )
    patrol(
        "畜禽养殖场巡查",
        "2024-05-09",
        site=sites["兴旺养殖场"],
        manure_facility="正常运行",
        resource_use="还田利用",
        direct_discharge=False,
        problem_found=False,
        onsite_handling="无",
    )
    patrol(
        "河湖巡查（河长制）",
        "2024-05-10",
        start_time="08:00",
        end_time="09:10",
        site=sites["龙河许明寺段"],
        river_start="许明寺桥",
        river_end="东村闸",
        distance_km=3.25,
        river_chief="赵河长",
        reported_to_office=True,
        problem_found=True,
        problem_description="河岸堆放生活垃圾",
        problem_location="东村闸上游200米右岸",
        onsite_handling="通知保洁员当日清理",
    )
    patrol(
        "秸秆禁烧巡查",
        "2024-05-28",
        start_time="19:00",
        end_time="21:30",
        burn_area_patrolled="北村、东村麦田",
        village="北村",
        inspector_count=6,
        vehicle_count=2,
        fire_points=1,
        burning_stopped=1,
        area_burnt=0.5,
        problem_found=True,
        problem_description="北村麦田发现焚烧痕迹一处",
        onsite_handling="现场扑灭，约谈农户",
        photos=[PHOTO2],
        remarks=MALICIOUS[5],
    )
    patrol(
        "其他（马路办公等）",
        "2024-05-22",
        start_time="09:00",
        end_time="11:30",
        village="中心村",
        checked_content="马路办公：场镇餐饮店油烟净化设施和门前三包",
        inspector_count=3,
        vehicle_count=1,
        problem_found=True,
        problem_description="两家餐馆油烟净化器未开启",
        problem_location="场镇老街",
        onsite_handling="当场要求开启并发放告知书",
        follow_up_needed=False,
    )
    patrol(
        "辐射安全检查",
        "2024-05-16",
        site=sites["仁和诊所"],
        radiation_device="牙片机（Ⅲ类射线装置）",
        licence_no="豫环辐证[00001]",
        licence_expiry="2027-03-31",
        radiation_signs="完好",
        dosimetry="按期开展",
        problem_found=False,
        inspectors="张三",
    )
    create(
        "outreach_event",
        {
            "event_date": "2024-05-18",
            "name": "六五环境日主题宣传",
            "event_type": "六五环境日",
            "activity_form": "摆摊设点、发放资料",
            "place": "镇文化广场",
            "organiser": "镇生态环境办",
            "partners": MALICIOUS[3],
            "staff_count": 12,
            "audience_count": 350,
            "materials": 1000,
            "brochures": 200,
            "banners": 3,
            "consultations": 45,
            "media_coverage": "县融媒体中心报道",
            "photos": [PHOTO, PHOTO2],
        },
    )
    create(
        "outreach_event",
        {
            "event_date": "2024-06-05",
            "name": "世界环境日宣传",
            "event_type": "六五环境日",
        },
    )
    task = create(
        "rectification_task",
        {
            "source": "12369",
            "assigned_date": "2024-05-02",
            "description": "龙河东村段河道漂浮垃圾较多",
            "village": "东村",
            "problem_type": "水",
            "verified": "属实",
            "responsible_unit": "东村村委会",
            "responsible_leader": "刘副镇长",
            "responsible_person": "陈主任",
            "measures": "组织保洁队清理；设置拦污网",
            "deadline": "2024-05-31",
            "extended_deadline": "2024-06-15",
            "extension_approver": "刘副镇长",
            "extension_date": "2024-05-30",
            "progress": [
                {"date": "2024-05-06", "text": "已清理漂浮垃圾约2吨", "photos": [PHOTO]},
                {"date": "2024-05-20", "text": MALICIOUS[0]},
            ],
            "status": "正在办理",
        },
    )
    create(
        "rectification_task",
        {
            "task_no": "D3SX202405280018",
            "source": "中央生态环境保护督察",
            "assigned_date": "2024-05-28",
            "description": "养殖场粪污直排",
            "deadline": "2024-06-10",
            "status": "已办结",
            "completed_date": "2024-05-30",
            "acceptance_date": "2024-05-31",
            "acceptance_result": "合格",
            "written_off_date": "2024-05-31",
        },
    )
    assert task.values["task_no"].startswith("ZG2024-")
    _seed_disclosure(records)
    return Seeded(sites=sites, deleted_ids=deleted)


def _seed_disclosure(records: RecordService) -> None:
    """主动公开 items, 依申请公开 requests (补正, 延期, answered and open) and a 复议 case."""
    create = records.create
    create(
        "disclosure_item",
        {
            "title": "关于开展2024年秸秆禁烧工作的通知",
            "doc_no": "许政〔2024〕12号",
            "summary": "部署全镇夏季秸秆禁烧工作",
            "category": "规范性文件",
            "normative": True,
            "generated_date": "2024-05-06",
            "review_result": "审查通过",
            "reviewer": "刘副镇长",
            "review_date": "2024-05-08",
            "status": "已公开",
            "published_date": "2024-05-10",
            "channels": ["政府网站", "政务公开栏"],
        },
    )
    create(
        "disclosure_item",
        {
            "index_no": "GK2024-0100",
            "title": "2023年度环境质量状况",
            "category": "统计信息",
            "generated_date": "2024-04-01",
            "validity": "已废止",
            "abolished_date": "2024-06-01",
            "remarks": MALICIOUS[0],
        },
    )
    create(
        "disclosure_request",
        {
            "channel": "邮寄",
            "received_date": "2024-05-07",
            "applicant": "张某某",
            "applicant_type": "自然人",
            "id_number": "410101199001011234",
            "contact": "13900001111",
            "content": "龙河水库周边养殖场环评批复文件",
            "obtain_form": "纸质",
            "correction_notice_date": "2024-05-09",
            "correction_received_date": "2024-05-13",
            "consultations": [
                {"party": "县水利局", "sent_date": "2024-05-20", "returned_date": "2024-05-24"},
                {
                    "party": "宏达化工有限公司",
                    "sent_date": "2024-05-21",
                    "returned_date": "2024-06-04",
                },
            ],
            "extended": True,
            "extension_approver": "刘副镇长",
            "extension_notice_date": "2024-06-05",
            "outcome": "（一）予以公开",
            "reply_date": "2024-06-20",
            "delivery_method": "邮寄送达",
            "delivered_date": "2024-06-21",
            "fee": 0,
            "handler": "王五",
            "status": "已办结",
        },
    )
    create(
        "disclosure_request",
        {
            "channel": "互联网",
            "received_date": "2024-06-03",
            "applicant": "某某律师事务所",
            "applicant_type": "法律服务机构",
            "content": MALICIOUS[2] + "宏达化工有限公司排污许可执行报告",
            "handler": "王五",
            "remarks": "办理中",
        },
    )
    create(
        "review_case",
        {
            "case_type": "行政复议",
            "case_no": "许复字〔2024〕3号",
            "filed_date": "2024-05-22",
            "applicant": "张某某",
            "subject": "对补正告知不服",
            "result": "结果维持",
            "decided_date": "2024-06-28",
        },
    )
    create(
        "review_case",
        {
            "case_type": "诉讼",
            "litigation_kind": "复议后起诉",
            "filed_date": "2024-06-30",
            "applicant": "张某某",
        },
    )


# ---- the independent reading ---------------------------------------------------------
def db_rows(db: Path, form_id: str) -> list[dict[str, Any]]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT id, title, data, deleted, created_at FROM records WHERE form_id = ?",
            (form_id,),
        ).fetchall()
    finally:
        conn.close()
    return [
        {"id": r[0], "title": r[1], "data": json.loads(r[2]), "deleted": bool(r[3]), "at": r[4]}
        for r in rows
    ]


def titles(db: Path) -> dict[str, str]:
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("SELECT id, title FROM records").fetchall())
    finally:
        conn.close()


def _cn(day: str) -> str:
    d = date.fromisoformat(day)
    return f"{d.year}年{d.month}月{d.day}日"


def expected_cell(type_: str, value: Any, names: dict[str, str]) -> Any:
    """What a ledger cell holds for a stored value, written out for the tests."""
    if type_ == "photos":
        return len(value or [])
    if value is None or value == "" or value == []:
        return None
    if type_ == "date":
        return datetime.fromisoformat(value)  # openpyxl reads date cells as datetimes
    if type_ == "boolean":
        return "是" if value else "否"
    if type_ == "multi_choice":
        return "、".join(value)
    if type_ == "site":
        return names[value]
    if type_ == "decimal":
        return value
    if type_ == "repeat" and value and "sent_date" in value[0]:  # 征求意见
        value = "\n".join(
            f"{_cn(row['sent_date'])}：{row['party']}，{_cn(row['returned_date'])}" for row in value
        )
    elif type_ == "repeat":
        value = "\n".join(f"{_cn(row['date'])}：{row['text']}" for row in value)
    if isinstance(value, str):  # XML readers turn a bare CR into LF; the export does so too
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def overdue_as_of(data: dict[str, Any], as_of: date) -> str | None:
    """是否逾期 of a rectification task as of a day, worked out here: past its deadline in
    force and not done by then, or done after it; none without a deadline."""
    due_text = data.get("extended_deadline") or data.get("deadline")
    if not due_text:
        return None
    due = date.fromisoformat(due_text)
    done_text = data.get("completed_date")
    done = date.fromisoformat(done_text) if done_text else None
    if done is not None and done <= as_of:
        return "是" if done > due else "否"
    return "是" if due < as_of else "否"


def expected_rows(
    db: Path,
    registry: FormRegistry,
    ledger: LedgerSpec,
    start: date | None,
    end: date | None,
    as_of: date | None = None,
) -> list[list[Any]]:
    """The ledger's body, 序号 first, from the database file; ``as_of`` is the export
    day (是否逾期 is stated as of it)."""
    form = registry.form(ledger.form)
    site_form = registry.form("site")
    names = titles(db)
    sites = {r["id"]: r["data"] for r in db_rows(db, "site")}
    rows = [r for r in db_rows(db, form.id) if not r["deleted"]]
    rows = [r for r in rows if all(r["data"].get(k) in v for k, v in ledger.filter.items())]
    if ledger.date_field:
        rows = [
            r
            for r in rows
            if start <= date.fromisoformat(r["data"][ledger.date_field]) <= end  # type: ignore[operator]
        ]
        rows.sort(key=lambda r: (r["data"][ledger.date_field], r["data"].get("start_time", "")))
    else:
        rows.sort(key=lambda r: r["title"])
    body = []
    for serial, row in enumerate(rows, start=1):
        cells: list[Any] = [serial]
        for col in ledger.columns:
            if "." in col.field:
                site_key, key = col.field.split(".")
                value = sites.get(row["data"].get(site_key), {}).get(key)
                cells.append(expected_cell(site_form.field(key).type, value, names))
            elif col.field == "overdue" and as_of is not None:
                cells.append(overdue_as_of(row["data"], as_of))
            else:
                spec = form.field(col.field)
                value = row["data"].get(col.field)
                if col.from_site and value in (None, "", []):
                    # the ledger file says: an empty value is the site's
                    value = sites.get(row["data"].get(form.site_field), {}).get(col.from_site)
                cells.append(expected_cell(spec.type, value, names))
        body.append(cells)
    return body
