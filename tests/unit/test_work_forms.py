"""The work-record forms (巡查检查, 宣传活动, 整改任务) through RecordService
and the CLI: round trips, per-type fields of an inspection, the patrol site mapping, the
problem rule, 复制上一条, remembered names and per-type defaults of a site.

Expected values are written out here from the issue, not read from the form files.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from gongkai_desktop.domain.errors import ValidationError
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records.service import RecordService

from .work_helpers import (
    Run,
    as_json,
    audit_rows,
    cli_add,
    cli_list,
    fresh_log_handler,
    record_count,
    run,
    site,
    stored,
)

__all__ = ["fresh_log_handler", "run"]  # fixtures used by name

# ---- data written out from the issue ----------------------------------------------------

# the fields each inspection type has of its own
OWN_FIELDS: dict[str, dict[str, Any]] = {
    "饮用水水源地巡查": {
        "protection_zone": "一级保护区",
        "signs_state": "完好",
        "fence_state": "缺失或损坏",
        "pollution_source": "未发现",
        "violations": ["垂钓", "倾倒垃圾"],
    },
    "排污单位环境安全检查": {
        "facility_running": "正常运行",
        "hazardous_storage": "规范",
        "emergency_plan": "已编制并备案",
        "enterprise_signs": "完好",
        "enterprise_rep": "赵总",
    },
    "畜禽养殖场巡查": {
        "manure_facility": "未正常运行",
        "resource_use": "还田利用",
        "direct_discharge": False,
    },
    "河湖巡查（河长制）": {
        "river_section": "龙河东段",
        "river_start": "龙河桥",
        "river_end": "东村闸",
        "distance_km": 3.5,
        "river_chief": "钱河长",
        "reported_to_office": True,
    },
    "秸秆禁烧巡查": {
        "burn_area_patrolled": "东村农田",
        "fire_points": 2,
        "burning_stopped": 1,
        "area_burnt": 0.5,
    },
    "辐射安全检查": {
        "radiation_device": "DR 机",
        "licence_no": "川环辐证[00123]",
        "licence_expiry": "2028-06-30",
        "radiation_signs": "完好",
        "dosimetry": "按期开展",
    },
    "其他（马路办公等）": {},
}

# which site types each inspection type may patrol
PATROL_SITE_TYPES: dict[str, tuple[str, ...]] = {
    "饮用水水源地巡查": ("饮用水水源地",),
    "排污单位环境安全检查": ("排污单位",),
    "畜禽养殖场巡查": ("畜禽养殖场",),
    "河湖巡查（河长制）": ("河段/河湖",),
    "辐射安全检查": ("医疗机构（辐射）",),
}
SITE_TYPES = ("饮用水水源地", "排污单位", "畜禽养殖场", "河段/河湖", "医疗机构（辐射）", "其他")
SITE_NAMES = {
    "饮用水水源地": "龙河水库",
    "排污单位": "甲化工厂",
    "畜禽养殖场": "兴旺养猪场",
    "河段/河湖": "龙河东村段",
    "医疗机构（辐射）": "镇卫生院",
    "其他": "东村垃圾站",
}


def inspection(
    inspection_type: str = "秸秆禁烧巡查", day: str = "2026-03-02", **extra: Any
) -> dict[str, Any]:
    return {
        "inspection_date": day,
        "inspection_type": inspection_type,
        "inspectors": "张三、李四",
        "problem_found": False,
        **extra,
    }


def event(**extra: Any) -> dict[str, Any]:
    return {
        "event_date": "2026-06-05",
        "name": "六五环境日宣传",
        "event_type": "六五环境日",
        **extra,
    }


def task(**extra: Any) -> dict[str, Any]:
    return {
        "source": "12369",
        "assigned_date": "2026-04-01",
        "description": "河边堆放垃圾",
        "deadline": "2026-04-30",
        **extra,
    }


@pytest.fixture
def sites(records: RecordService) -> dict[str, str]:
    """One live site of every type: site type -> id."""
    return {t: records.create("site", site(SITE_NAMES[t], t)).id for t in SITE_TYPES}


def errors_of(info: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {e.field: f"{e.label}：{e.message}" for e in info.value.errors}


# ---- saving each form through the service ----------------------------------------------


def test_inspection_saves_with_labels_synonyms_and_site_by_name(
    ctx: AppContext, records: RecordService, sites: dict[str, str]
) -> None:
    view = records.create(
        "inspection",
        {
            "inspection_date": "2026-03-02",
            "start_time": "09:30",
            "end_time": "11:00",
            "inspection_type": "水源地巡查",  # synonym of 饮用水水源地巡查
            "site": "龙河水库",  # by name
            "village": "东村",
            "inspectors": "张三、李四",
            "inspector_count": "2",
            "vehicle_count": 1,
            "checked_content": "一级保护区围网、标志牌",
            "protection_zone": "一级",  # synonym of 一级保护区
            "signs_state": "破损",  # synonym of 缺失或损坏
            "violations": "游泳、垂钓",
            "problem_found": "是",
            "problem_description": "有人在一级保护区垂钓",
            "problem_location": "大坝东侧",
            "follow_up_needed": True,
            "remarks": "已劝离",
        },
    )
    assert view.values == {
        "inspection_date": "2026-03-02",
        "start_time": "09:30",
        "end_time": "11:00",
        "inspection_type": "饮用水水源地巡查",
        "site": sites["饮用水水源地"],
        "village": "东村",
        "inspectors": "张三、李四",
        "inspector_count": 2,
        "vehicle_count": 1,
        "checked_content": "一级保护区围网、标志牌",
        "protection_zone": "一级保护区",
        "signs_state": "缺失或损坏",
        "violations": ["垂钓", "游泳"],  # in the order of the choices
        "problem_found": True,
        "problem_description": "有人在一级保护区垂钓",
        "problem_location": "大坝东侧",
        "follow_up_needed": True,
        "remarks": "已劝离",
    }
    row = stored(ctx.db_path, view.id)
    assert row["data"] == view.values
    assert (row["form_id"], row["title"]) == ("inspection", "饮用水水源地巡查 龙河水库")
    assert (row["record_date"], row["site_id"]) == ("2026-03-02", sites["饮用水水源地"])


def test_outreach_event_saves_and_keeps_volunteer_results_only_for_volunteer_events(
    ctx: AppContext, records: RecordService
) -> None:
    counts = {
        "staff_count": 6,
        "audience_count": 320,
        "materials": 500,
        "brochures": 120,
        "banners": 2,
        "consultations": 45,
    }
    volunteer = {"river_cleaned_km": 1.25, "garbage_bags": 30, "garbage_weight": 80.5}
    view = records.create(
        "outreach_event",
        {
            "event_date": "2026-06-05",
            "name": "六五环境日宣传",
            "event_type": "环境日",  # synonym of 六五环境日
            "activity_form": "摆摊设点",
            "place": "镇广场",
            "organiser": "镇生态环境办",
            "partners": "镇司法所",
            "media_coverage": "县电视台",
            **counts,
            **volunteer,  # hidden for a 六五环境日 event: dropped
            "description": "发放资料、解答咨询",
        },
    )
    assert view.values["event_type"] == "六五环境日"
    for key, value in counts.items():
        assert view.values[key] == value
    assert not set(volunteer) & set(view.values)
    assert stored(ctx.db_path, view.id)["title"] == "六五环境日宣传"

    helpers = records.create("outreach_event", event(event_type="志愿服务", **volunteer))
    assert helpers.values["event_type"] == "志愿者活动"
    assert {k: helpers.values[k] for k in volunteer} == volunteer


def test_rectification_task_saves_with_synonyms(ctx: AppContext, records: RecordService) -> None:
    view = records.create(
        "rectification_task",
        {
            "task_no": "川督2026-0017",
            "source": "信访",  # synonym of 群众来信来访
            "assigned_date": "2026-04-01",
            "description": "河边堆放垃圾",
            "village": "东村",
            "problem_type": "固体废物",  # synonym of 固废
            "verified": "属实",
            "responsible_unit": "东村村委会",
            "responsible_leader": "王镇长",
            "responsible_person": "孙主任",
            "target": "清理垃圾",
            "measures": "一周内清运",
            "deadline": "2026-04-30",
            "progress": [{"date": "2026-04-05", "text": "已清运一半"}],
            "status": "正在办理",
        },
    )
    values = view.values
    assert (values["source"], values["problem_type"]) == ("群众来信来访", "固废")
    assert values["task_no"] == "川督2026-0017"
    assert values["deadline_in_force"] == "2026-04-30"
    assert values["progress"] == [{"date": "2026-04-05", "text": "已清运一半"}]
    row = stored(ctx.db_path, view.id)
    assert (row["title"], row["status"], row["record_date"]) == (
        "川督2026-0017 河边堆放垃圾",
        "正在办理",
        "2026-04-01",
    )
    # the status defaults to 未启动 when left out
    assert records.create("rectification_task", task()).values["status"] == "未启动"


@pytest.mark.parametrize(
    ("form_id", "values", "change"),
    [
        ("inspection", inspection(), {"inspectors": "王五"}),
        ("outreach_event", event(), {"audience_count": 99}),
        ("rectification_task", task(), {"status": "正在办理"}),
    ],
)
def test_update_delete_restore_through_the_service(
    ctx: AppContext,
    records: RecordService,
    form_id: str,
    values: dict[str, Any],
    change: dict[str, Any],
) -> None:
    view = records.create(form_id, values)
    updated = records.update(view.id, change, expected_version=1)
    (key, value), *_ = change.items()
    assert updated.values[key] == value and updated.version == 2
    records.delete(view.id)
    row = stored(ctx.db_path, view.id)
    assert (row["deleted"], row["version"]) == (1, 3)
    records.restore(view.id)
    row = stored(ctx.db_path, view.id)
    assert (row["deleted"], row["version"], row["data"][key]) == (0, 4, value)
    actions = [r["action"] for r in audit_rows(ctx.db_path, view.id) if r["field"] in ("", key)]
    assert actions[-3:] == ["修改", "删除", "恢复"]


# ---- the same through the CLI -----------------------------------------------------------


@pytest.mark.parametrize(
    ("form_id", "given", "expected", "change"),
    [
        (
            "inspection",
            inspection("养殖场巡查", site="兴旺养猪场", resource_use="还田利用"),
            {"inspection_type": "畜禽养殖场巡查", "resource_use": "还田利用"},
            {"problem_found": "是", "problem_description": "粪污外溢"},
        ),
        (
            "outreach_event",
            event(event_type="培训"),
            {"event_type": "培训/学习", "name": "六五环境日宣传"},
            {"materials": 300},
        ),
        (
            "rectification_task",
            task(source="中央督察", problem_type="大气污染"),
            {"source": "中央生态环境保护督察", "problem_type": "大气", "status": "未启动"},
            {"status": "正在办理"},
        ),
    ],
)
def test_cli_add_update_delete_restore_list(
    run: Run,
    db_path: Path,
    form_id: str,
    given: dict[str, Any],
    expected: dict[str, Any],
    change: dict[str, Any],
) -> None:
    farm_id = cli_add(run, "site", site("兴旺养猪场", "畜禽养殖场"))
    record_id = cli_add(run, form_id, given)
    (obj,) = cli_list(run, form_id)
    assert obj["id"] == record_id
    for key, value in expected.items():
        assert obj[key] == value, key
    if form_id == "inspection":
        assert obj["site"] == farm_id

    code, out, err = run("update", form_id, record_id, "--json", as_json(change))
    assert (code, out.strip(), err) == (0, record_id, "")
    (obj,) = cli_list(run, form_id)
    for key, value in change.items():
        assert obj[key] == (True if value == "是" else value), key

    code, out, _ = run("delete", form_id, record_id)
    assert (code, out.strip()) == (0, f"已移入回收站：{record_id}")
    assert cli_list(run, form_id) == []
    assert [o["id"] for o in cli_list(run, form_id, "--deleted")] == [record_id]
    code, out, _ = run("restore", form_id, record_id)
    assert (code, out.strip()) == (0, f"已从回收站恢复：{record_id}")
    assert [o["id"] for o in cli_list(run, form_id)] == [record_id]
    assert stored(db_path, record_id)["version"] == 4


def test_cli_list_json_of_a_task_has_every_field_and_the_generated_number(run: Run) -> None:
    record_id = cli_add(run, "rectification_task", task())
    (obj,) = cli_list(run, "rectification_task")
    assert obj["id"] == record_id
    assert obj["task_no"] == "ZG2026-001"
    assert obj["deadline_in_force"] == "2026-04-30"
    assert obj["extended_deadline"] is None and obj["progress"] is None
    for key in ("source_inspection", "completed_date", "written_off_date", "acceptance_result"):
        assert key in obj


@pytest.mark.parametrize(
    ("form_id", "values", "message"),
    [
        ("inspection", inspection(inspection_type="夜查"), "巡查类型：“夜查”不是可选项"),
        ("inspection", {"inspection_date": "2026-03-02", "inspection_type": "秸秆禁烧"}, None),
        ("inspection", inspection(start_time="25:00"), "开始时间：请写作 09:30 这样的时间"),
        ("inspection", inspection(site="没有这个地方"), "巡查对象：找不到名为“没有这个地方”"),
        ("outreach_event", event(audience_count=-3), "受众人次：不能小于0"),
        ("outreach_event", event(event_type="晚会"), "活动类型：“晚会”不是可选项"),
        ("rectification_task", task(source="微博"), "问题来源：“微博”不是可选项"),
        ("rectification_task", task(deadline="2026/04/30"), "整改时限：日期格式应为 YYYY-MM-DD"),
        ("rectification_task", task(status="已办结"), "办结日期：状态为“已办结”时必须填写办结日期"),
    ],
)
def test_cli_invalid_input_exits_2_naming_the_field(
    run: Run, db_path: Path, form_id: str, values: dict[str, Any], message: str | None
) -> None:
    code, out, err = run("add", form_id, "--json", as_json(values))
    assert (code, out) == (2, "")
    assert err.startswith("错误：")
    assert (message or "巡查人员：必填") in err
    assert record_count(db_path, form_id) == 0


def test_cli_invalid_update_exits_2_and_changes_nothing(run: Run, db_path: Path) -> None:
    record_id = cli_add(run, "rectification_task", task())
    before = stored(db_path, record_id)
    code, _, err = run(
        "update", "rectification_task", record_id, "--json", '{"written_off_date": "2026-05-01"}'
    )
    assert code == 2
    assert err.strip() == (
        "错误：销号日期：只有“已办结”且验收合格的任务才能销号，请先填写办结日期和验收情况"
    )
    assert stored(db_path, record_id) == before


# ---- inspection: each type keeps only its own fields -----------------------------------


def _all_own_fields() -> dict[str, Any]:
    return {k: v for fields in OWN_FIELDS.values() for k, v in fields.items()}


@pytest.mark.parametrize("inspection_type", list(OWN_FIELDS))
def test_each_inspection_type_keeps_only_its_own_fields(
    records: RecordService, inspection_type: str
) -> None:
    view = records.create("inspection", inspection(inspection_type, **_all_own_fields()))
    common = inspection(inspection_type)
    assert view.values == {**common, **OWN_FIELDS[inspection_type]}


def test_changing_the_inspection_type_drops_the_old_types_fields(
    ctx: AppContext, records: RecordService
) -> None:
    river = OWN_FIELDS["河湖巡查（河长制）"]
    straw = OWN_FIELDS["秸秆禁烧巡查"]
    view = records.create("inspection", inspection("巡河", **river))
    assert {k: view.values[k] for k in river} == river
    changed = records.update(view.id, {"inspection_type": "秸秆禁烧巡查", **straw})
    assert changed.values == {**inspection("秸秆禁烧巡查"), **straw}
    dropped = {
        r["field"]: r["new_value"]
        for r in audit_rows(ctx.db_path, view.id)
        if r["action"] == "修改"
    }
    for key in river:
        assert key in dropped and dropped[key] is None, key


# ---- inspection: the site must suit the type -------------------------------------------


@pytest.mark.parametrize("inspection_type", list(PATROL_SITE_TYPES))
def test_a_patrol_type_accepts_only_its_site_types(
    records: RecordService, sites: dict[str, str], inspection_type: str
) -> None:
    allowed = PATROL_SITE_TYPES[inspection_type]
    for site_type in SITE_TYPES:
        values = inspection(inspection_type, site=SITE_NAMES[site_type])
        if site_type in allowed:
            assert records.create("inspection", values).values["site"] == sites[site_type]
            continue
        with pytest.raises(ValidationError) as info:
            records.create("inspection", values)
        shown = f"“{SITE_NAMES[site_type]}”不是{'、'.join(allowed)}类的监管对象"
        assert errors_of(info) == {"site": f"巡查对象：{shown}"}
        # also when the site is given by id
        with pytest.raises(ValidationError) as info:
            records.create("inspection", {**values, "site": sites[site_type]})
        assert errors_of(info) == {"site": f"巡查对象：{shown}"}


def test_water_source_patrol_refuses_an_enterprise(
    records: RecordService, sites: dict[str, str]
) -> None:
    with pytest.raises(ValidationError) as info:
        records.create("inspection", inspection("饮用水水源地巡查", site="甲化工厂"))
    assert str(info.value) == "巡查对象：“甲化工厂”不是饮用水水源地类的监管对象"


@pytest.mark.parametrize("inspection_type", ["秸秆禁烧巡查", "其他（马路办公等）"])
def test_straw_and_other_patrols_accept_any_site(
    records: RecordService, sites: dict[str, str], inspection_type: str
) -> None:
    for site_type in SITE_TYPES:
        view = records.create("inspection", inspection(inspection_type, site=SITE_NAMES[site_type]))
        assert view.values["site"] == sites[site_type]


def test_site_is_checked_against_a_type_given_as_synonym(
    records: RecordService, sites: dict[str, str]
) -> None:
    with pytest.raises(ValidationError) as info:
        records.create("inspection", inspection("辐射检查", site="龙河水库"))
    assert errors_of(info) == {"site": "巡查对象：“龙河水库”不是医疗机构（辐射）类的监管对象"}
    view = records.create("inspection", inspection("辐射检查", site="镇卫生院"))
    assert view.values["site"] == sites["医疗机构（辐射）"]


def test_changing_the_type_rechecks_the_site_already_chosen(
    ctx: AppContext, records: RecordService, sites: dict[str, str]
) -> None:
    view = records.create("inspection", inspection("饮用水水源地巡查", site="龙河水库"))
    before = stored(ctx.db_path, view.id)
    with pytest.raises(ValidationError) as info:
        records.update(view.id, {"inspection_type": "排污单位环境安全检查"})
    assert errors_of(info) == {"site": "巡查对象：“龙河水库”不是排污单位类的监管对象"}
    assert stored(ctx.db_path, view.id) == before
    # a type that accepts any site keeps it
    changed = records.update(view.id, {"inspection_type": "秸秆禁烧巡查"})
    assert changed.values["site"] == sites["饮用水水源地"]


def test_an_inspection_stays_editable_when_its_site_changes_type(
    records: RecordService, sites: dict[str, str]
) -> None:
    view = records.create("inspection", inspection("饮用水水源地巡查", site="龙河水库"))
    records.update(sites["饮用水水源地"], {"site_type": "其他"})
    changed = records.update(view.id, {"remarks": "补记"})
    assert changed.values["site"] == sites["饮用水水源地"]
    assert changed.values["remarks"] == "补记"


# ---- inspection: the problem rule --------------------------------------------------------


def test_a_problem_found_needs_its_description(ctx: AppContext, records: RecordService) -> None:
    with pytest.raises(ValidationError) as info:
        records.create("inspection", inspection(problem_found=True))
    assert errors_of(info) == {"problem_description": "问题情况：发现问题时必须写明问题情况"}
    assert record_count(ctx.db_path, "inspection") == 0
    view = records.create(
        "inspection", inspection(problem_found=True, problem_description="焚烧秸秆")
    )
    assert view.values["problem_description"] == "焚烧秸秆"


def test_no_problem_drops_the_description(records: RecordService) -> None:
    view = records.create(
        "inspection",
        inspection(problem_found=False, problem_description="旧描述", problem_location="路口"),
    )
    assert "problem_description" not in view.values
    assert "problem_location" not in view.values


def test_problem_found_defaults_to_false_and_is_required(records: RecordService) -> None:
    values = inspection()
    del values["problem_found"]
    assert records.create("inspection", values).values["problem_found"] is False
    with pytest.raises(ValidationError) as info:
        records.create("inspection", {**values, "problem_found": None})
    assert errors_of(info) == {"problem_found": "是否发现问题：必填"}


# ---- 复制上一条 ----------------------------------------------------------------------------


def test_previous_values_skip_the_date_photos_links_numbers_and_computed(
    records: RecordService, sites: dict[str, str]
) -> None:
    photos = [{"file": "a1.jpg", "name": "现场.jpg", "caption": "大坝"}]
    first = records.create(
        "inspection",
        inspection(
            "饮用水水源地巡查",
            day="2026-03-01",
            site="龙河水库",
            problem_found=True,
            problem_description="垂钓",
            photos=photos,
        ),
    )
    task_id, start = records.prefill("make_task", first.id)
    made = records.create(
        task_id,
        {
            **start,
            "deadline": "2026-03-20",
            "extended_deadline": "2026-04-10",
            "extension_approver": "王镇长",
            "extension_date": "2026-03-18",
            "progress": [{"date": "2026-03-05", "text": "已约谈", "photos": photos}],
        },
        link_from=first.id,
    )
    today = records.previous_values("inspection")["inspection_date"]
    assert records.previous_values("inspection") == {
        "inspection_date": today,  # the form's default, not the copied date
        "inspection_type": "饮用水水源地巡查",
        "site": sites["饮用水水源地"],
        "inspectors": "张三、李四",
        # what that patrol found is not copied (not_copied); the form default stands
        "problem_found": False,
    }
    copied = records.previous_values("rectification_task")
    assert made.values["task_no"] and "task_no" not in copied
    assert "source_inspection" not in copied
    assert "deadline_in_force" not in copied
    assert copied["assigned_date"] == today
    # deadlines and progress belong to that task only
    assert "extended_deadline" not in copied and "progress" not in copied


def test_previous_values_of_the_newest_live_record(records: RecordService) -> None:
    assert records.previous_values("outreach_event") == {"event_date": date.today().isoformat()}
    records.create("outreach_event", event(name="第一次", place="甲地"))
    newest = records.create("outreach_event", event(name="第二次", place="乙地"))
    assert records.previous_values("outreach_event")["place"] == "乙地"
    records.delete(newest.id)
    assert records.previous_values("outreach_event")["place"] == "甲地"


# ---- remembered names ------------------------------------------------------------------


def test_remembered_names_split_and_ordered_by_recency(records: RecordService) -> None:
    old = records.create("inspection", inspection(inspectors="张三、李四"))
    records.create("inspection", inspection(inspectors="王五，赵六"))
    records.create("inspection", inspection(inspectors="李四 钱七"))
    assert records.remembered_names("inspection", "inspectors") == [
        "李四",
        "钱七",
        "王五",
        "赵六",
        "张三",
    ]
    # using an old text again makes its names the most recent
    records.update(old.id, {"remarks": "补充说明"})
    assert records.remembered_names("inspection", "inspectors") == [
        "张三",
        "李四",
        "钱七",
        "王五",
        "赵六",
    ]


def test_remembered_names_leave_out_deleted_records(records: RecordService) -> None:
    gone = records.create("inspection", inspection(inspectors="孙八"))
    records.create("inspection", inspection(inspectors="周九"))
    records.delete(gone.id)
    assert records.remembered_names("inspection", "inspectors") == ["周九"]
    assert records.remembered_names("outreach_event", "name") == []


# ---- per-type defaults of a site -----------------------------------------------------------


# patrol requirements per site type (the defaults the issue asks for)
PATROL_DEFAULTS: dict[str, tuple[int | None, str]] = {
    "饮用水水源地": (2, "每月"),
    "排污单位": (1, "每月"),
    "畜禽养殖场": (1, "每月"),
    "河段/河湖": (1, "每月"),
    "医疗机构（辐射）": (1, "每季度"),
    "其他": (None, "每月"),
}


@pytest.mark.parametrize("site_type", SITE_TYPES)
def test_patrol_defaults_follow_the_site_type(records: RecordService, site_type: str) -> None:
    view = records.create("site", site("某对象", site_type))
    times, period = PATROL_DEFAULTS[site_type]
    assert view.values.get("patrol_times") == times
    assert view.values["patrol_period"] == period


@pytest.mark.parametrize(
    ("synonym", "label"), [("诊所", "医疗机构（辐射）"), ("河湖", "河段/河湖")]
)
def test_patrol_defaults_follow_a_site_type_given_as_synonym(
    records: RecordService, synonym: str, label: str
) -> None:
    view = records.create("site", site("某对象", synonym))
    assert view.values["site_type"] == label
    times, period = PATROL_DEFAULTS[label]
    assert (view.values.get("patrol_times"), view.values["patrol_period"]) == (times, period)


def test_values_the_clerk_gave_win_over_the_defaults(records: RecordService) -> None:
    view = records.create(
        "site",
        site("镇卫生院", "医疗机构（辐射）", patrol_times=3, patrol_period="每月"),
    )
    assert (view.values["patrol_times"], view.values["patrol_period"]) == (3, "每月")
    view = records.create("site", site("水库", "饮用水水源地", patrol_times=0))
    assert view.values["patrol_times"] == 0


def test_defaults_apply_on_create_only(records: RecordService) -> None:
    view = records.create("site", site("甲厂", "排污单位"))
    assert (view.values["patrol_times"], view.values["patrol_period"]) == (1, "每月")
    changed = records.update(view.id, {"site_type": "医疗机构（辐射）"})
    assert (changed.values["patrol_times"], changed.values["patrol_period"]) == (1, "每月")
    cleared = records.update(view.id, {"patrol_times": None})
    assert "patrol_times" not in cleared.values


def test_copy_previous_task_leaves_out_the_lifecycle(records) -> None:  # type: ignore[no-untyped-def]
    """复制上一条 on 整改任务: the source and the people carry over; the problem, its
    deadlines, progress and outcome do not (not_copied in rectification_task.yaml)."""
    records.create(
        "rectification_task",
        {
            "source": "12369",
            "assigned_date": "2026-03-01",
            "description": "噪声扰民",
            "deadline": "2026-04-01",
            "responsible_unit": "镇环保办",
            "responsible_person": "张三",
            "status": "已办结",
            "completed_date": "2026-03-20",
            "acceptance_date": "2026-03-25",
            "acceptance_result": "合格",
            "written_off_date": "2026-03-28",
            "progress": [{"date": "2026-03-10", "text": "已约谈"}],
        },
    )
    copied = records.previous_values("rectification_task")
    assert copied["source"] == "12369"
    assert copied["responsible_unit"] == "镇环保办" and copied["responsible_person"] == "张三"
    assert copied["status"] == "未启动"  # the form default, not the old outcome
    for gone in (
        "description",
        "deadline",
        "completed_date",
        "acceptance_date",
        "acceptance_result",
        "written_off_date",
        "progress",
        "task_no",
    ):
        assert gone not in copied
