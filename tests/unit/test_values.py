"""forms/values.py: input (CLI JSON, editor values) → stored values, and the Chinese errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai_desktop.domain.errors import FieldError, ValidationError
from gongkai_desktop.forms.loader import load_registry
from gongkai_desktop.forms.spec import Condition, FieldSpec, FormSpec
from gongkai_desktop.forms.values import (
    coerce_record,
    default_values,
    display_value,
    is_empty,
    preview_computed,
)
from gongkai_desktop.services.maintenance.checks import check_database
from gongkai_desktop.services.records.service import RecordService

from .conftest import VISIT_FORM

SITE_ID = "11111111-2222-3333-4444-555555555555"


def fake_sites(text: str, site_types: tuple[str, ...]) -> str:
    """A stand-in for the site register (the database-backed one is tested below)."""
    if text in (SITE_ID, "甲厂"):
        return SITE_ID
    raise ValueError(f"找不到名为“{text}”的监管对象")


@pytest.fixture(scope="module")
def visit(tmp_path_factory: pytest.TempPathFactory) -> FormSpec:
    root: Path = tmp_path_factory.mktemp("forms")
    (root / "visit.yaml").write_text(VISIT_FORM, encoding="utf-8")
    return load_registry(root).form("visit")


MINIMAL = {"visit_date": "2024-05-06", "site": "甲厂", "result": "未发现问题"}


def coerce(form: FormSpec, **values: Any) -> dict[str, Any]:
    return coerce_record(form, {**MINIMAL, **values}, fake_sites)


def errors_of(form: FormSpec, **values: Any) -> list[FieldError]:
    with pytest.raises(ValidationError) as info:
        coerce(form, **values)
    return info.value.errors


def one_error(form: FormSpec, **values: Any) -> FieldError:
    errors = errors_of(form, **values)
    assert len(errors) == 1, errors
    return errors[0]


# ---- one type at a time --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"), [("3", 3), (3, 3), (3.0, 3), (" 12 ", 12), ("+7", 7), (20, 20)]
)
def test_integer(visit: FormSpec, raw: Any, stored: int) -> None:
    assert coerce(visit, inspectors=raw)["inspectors"] == stored


@pytest.mark.parametrize("raw", ["3.5", 3.5, "三", True, "1e3", [1]])
def test_integer_errors(visit: FormSpec, raw: Any) -> None:
    error = one_error(visit, inspectors=raw)
    assert (error.field, error.label, error.message) == ("inspectors", "检查人数", "应为整数")
    assert str(error) == "检查人数：应为整数"


def test_integer_limits(visit: FormSpec) -> None:
    assert one_error(visit, inspectors=0).message == "不能小于1"
    assert one_error(visit, inspectors="21").message == "不能大于20"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("12.34", 12.34), (12.3, 12.3), ("0", 0.0), (5, 5.0), ("1e2", 100.0), ("12.50", 12.5)],
)
def test_decimal(visit: FormSpec, raw: Any, stored: float) -> None:
    assert coerce(visit, fine=raw)["fine"] == stored


def test_decimal_errors(visit: FormSpec) -> None:
    assert one_error(visit, fine="12.345").message == "最多保留2位小数"
    for bad in ("十元", "1,000", "NaN", "inf", True):
        assert one_error(visit, fine=bad).message == "应为数字"
    assert one_error(visit, fine=-0.01).message == "不能小于0"
    assert one_error(visit, fine="100000.01").message == "不能大于100000"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("2024-05-06", "2024-05-06"),
        (" 2024-05-06 ", "2024-05-06"),
        (date(2024, 2, 29), "2024-02-29"),
        (datetime(2024, 5, 6, 9, 30), "2024-05-06"),
    ],
)
def test_date(visit: FormSpec, raw: Any, stored: str) -> None:
    assert coerce(visit, visit_date=raw)["visit_date"] == stored


@pytest.mark.parametrize(
    "raw", ["2024/05/06", "2024-02-30", "2023-02-29", "5月6日", "2024-05-06T09:30", 20240506]
)
def test_date_errors(visit: FormSpec, raw: Any) -> None:
    error = one_error(visit, visit_date=raw)
    assert error.field == "visit_date" and error.label == "巡查日期"
    assert error.message == "日期格式应为 YYYY-MM-DD，例如 2024-05-06"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("2024-05-06T09:30", "2024-05-06T09:30"),
        ("2024-05-06 09:30", "2024-05-06T09:30"),
        ("2024-05-06T09:30:15", "2024-05-06T09:30:15"),
        (datetime(2024, 5, 6, 14, 5), "2024-05-06T14:05"),
        (datetime(2024, 5, 6, 14, 5, 7), "2024-05-06T14:05:07"),
    ],
)
def test_datetime(visit: FormSpec, raw: Any, stored: str) -> None:
    assert coerce(visit, started=raw)["started"] == stored


@pytest.mark.parametrize("raw", ["上午九点", "2024-05-06T25:00", 930])
def test_datetime_errors(visit: FormSpec, raw: Any) -> None:
    error = one_error(visit, started=raw)
    assert error.label == "开始时间" and error.message.startswith("时间格式应为")


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("是", True), ("否", False), ("true", True), ("false", False), ("TRUE", True),
     (True, True), (False, False), (1, True), (0, False), (" 否 ", False)],
)  # fmt: skip
def test_boolean(visit: FormSpec, raw: Any, stored: bool) -> None:
    values = coerce(visit, result="发现问题", problems=["废水"], rectified=raw)
    assert values["rectified"] is stored


def test_boolean_error(visit: FormSpec) -> None:
    error = one_error(visit, result="发现问题", problems=["废水"], rectified="也许")
    assert (error.field, error.message) == ("rectified", "应为“是”或“否”")


def test_false_is_a_value_not_an_empty_field(visit: FormSpec) -> None:
    values = coerce(visit, result="发现问题", problems="废水", rectified=False)
    assert values["rectified"] is False
    assert not is_empty(False) and not is_empty(0)
    assert is_empty(None) and is_empty("") and is_empty([]) and is_empty({})


def test_choice_by_label_and_synonym(visit: FormSpec) -> None:
    assert coerce(visit, result="未发现问题")["result"] == "未发现问题"
    assert coerce(visit, result=" 正常 ")["result"] == "未发现问题"
    assert coerce(visit, result="无问题")["result"] == "未发现问题"


def test_choice_error_lists_the_choices(visit: FormSpec) -> None:
    error = one_error(visit, result="良好")
    assert error.field == "result"
    assert error.message == "“良好”不是可选项（可选：未发现问题、发现问题）"


@pytest.mark.parametrize(
    "raw",
    [
        ["废气", "废水"],
        "废水、废气",
        "废气,废水",
        "废水，废气、",
        ["废水", "废气", "废水"],
        "废水;废气",
    ],
)
def test_multi_choice(visit: FormSpec, raw: Any) -> None:
    values = coerce(visit, result="发现问题", problems=raw)
    assert values["problems"] == ["废水", "废气"]  # in the order of the form's choices


def test_multi_choice_errors(visit: FormSpec) -> None:
    error = one_error(visit, result="发现问题", problems=["废水", "辐射"])
    assert error.field == "problems" and "“辐射”不是可选项" in error.message
    error = one_error(visit, result="发现问题", problems="、")  # nothing chosen
    assert (error.field, error.message) == ("problems", "必填")


def test_text_person_multiline(visit: FormSpec) -> None:
    values = coerce(visit, leader="  张三 ", summary="\n 第一行\n  第二行 \n", code="XC-0012")
    assert values["leader"] == "张三"
    assert values["summary"] == "第一行\n  第二行"
    assert values["code"] == "XC-0012"
    assert coerce(visit, leader=123)["leader"] == "123"
    assert one_error(visit, leader=["张三"]).message == "应为文字"


def test_length_and_pattern_messages(visit: FormSpec) -> None:
    assert (
        one_error(visit, leader="一二三四五六七八九十十").message == "不能超过10个字（现有11个字）"
    )
    assert one_error(visit, summary="太短").message == "至少需要4个字"
    error = one_error(visit, code="XC-12")
    assert (error.field, error.message) == ("code", "应写作 XC-0001 这样的编号")
    # the pattern must match the whole value
    assert one_error(visit, code="XC-00123").field == "code"


def test_pattern_without_message() -> None:
    spec = FieldSpec("zip", "邮编", "text", pattern="[0-9]{6}")
    form = FormSpec("f", "表", 1, (_section(spec),), "zip")
    with pytest.raises(ValidationError) as info:
        coerce_record(form, {"zip": "12345"})
    assert str(info.value) == "邮编：格式不正确"


def _section(*fields: FieldSpec) -> Any:
    from gongkai_desktop.forms.spec import SectionSpec

    return SectionSpec("基本", fields)


def test_photos(visit: FormSpec) -> None:
    values = coerce(visit, photos=[{"file": "a1b2.jpg", "name": "门口.jpg"}, {"file": "c3.png"}])
    assert values["photos"] == [
        {"file": "a1b2.jpg", "name": "门口.jpg", "caption": ""},
        {"file": "c3.png", "name": "", "caption": ""},
    ]
    nested = coerce(visit, photos=[{"file": "2024/05/a1b2.jpg"}])["photos"]
    assert nested[0]["file"] == "2024/05/a1b2.jpg"
    for outside in ("../secret.jpg", "/etc/passwd", "a/../../b.jpg", "C:\\x.jpg", "..\\x.jpg"):
        assert one_error(visit, photos=[{"file": outside}]).message == (
            f"照片文件“{outside}”不在附件文件夹中"
        )
    assert one_error(visit, photos="a.jpg").message == "应为照片列表"
    assert one_error(visit, photos=[{"name": "a.jpg"}]).message == "照片项应包含 file"


def test_site_goes_through_the_resolver(visit: FormSpec) -> None:
    assert coerce(visit, site="甲厂")["site"] == SITE_ID
    error = one_error(visit, site="乙厂")
    assert (error.field, error.label, error.message) == (
        "site",
        "巡查对象",
        "找不到名为“乙厂”的监管对象",
    )
    with pytest.raises(ValidationError, match="无法查找监管对象"):
        coerce_record(visit, MINIMAL)  # no resolver given


# ---- the whole record -----------------------------------------------------------------


def test_required_fields(visit: FormSpec) -> None:
    with pytest.raises(ValidationError) as info:
        coerce_record(visit, {}, fake_sites)
    assert [(e.field, e.message) for e in info.value.errors] == [
        ("visit_date", "必填"),
        ("site", "必填"),
        ("result", "必填"),
    ]
    assert str(info.value) == "巡查日期：必填；巡查对象：必填；检查结果：必填"
    # blank strings are empty too
    assert one_error(visit, result="  ").message == "必填"


def test_required_only_when_visible(visit: FormSpec) -> None:
    # problems is required, but only shown when the result is 发现问题
    assert "problems" not in coerce(visit, result="未发现问题")
    error = one_error(visit, result="发现问题")
    assert (error.field, error.label, error.message) == ("problems", "问题类型", "必填")
    # a synonym of the controlling choice counts as the choice
    assert coerce(visit, result="无问题") == coerce(visit, result="未发现问题")


def test_hidden_values_are_dropped(visit: FormSpec) -> None:
    values = coerce(visit, result="未发现问题", problems=["废水"], rectified=True)
    assert "problems" not in values and "rectified" not in values
    # even a hidden value that would not be valid is simply dropped
    assert "problems" not in coerce(visit, result="未发现问题", problems="辐射")


def test_section_show_if_hides_its_fields(tmp_path: Path) -> None:
    from .conftest import REPO_FORMS

    site = load_registry(REPO_FORMS).form("site")
    raw = {
        "site_type": "排污单位",
        "name": "甲厂",
        "village": "一村",
        "status": "在用",
        "served_population": 500,
    }
    assert "served_population" not in coerce_record(site, raw)
    raw["site_type"] = "饮用水水源地"
    assert coerce_record(site, raw)["served_population"] == 500


def test_show_if_over_a_field_further_down_the_form() -> None:
    # the editor shows "detail" as soon as "其他" is ticked below it: saving must keep it
    detail = FieldSpec(
        "detail", "其他说明", "text", required=True, show_if=Condition("tags", ("其他",))
    )
    tags = FieldSpec("tags", "类别", "multi_choice", choices=("废水", "其他"))
    big = FieldSpec("big", "大型活动说明", "text", show_if=Condition("people", (100,)))
    people = FieldSpec("people", "人数", "integer")
    form = FormSpec("f", "表", 1, (_section(detail, tags, big, people),), "tags")
    assert coerce_record(form, {"tags": "其他", "detail": "说明"}) == {
        "detail": "说明",
        "tags": ["其他"],
    }
    with pytest.raises(ValidationError, match="其他说明：必填"):
        coerce_record(form, {"tags": ["其他"]})
    assert coerce_record(form, {"tags": ["废水"], "detail": "丢弃"}) == {"tags": ["废水"]}
    assert coerce_record(form, {"people": "100", "big": "是"})["big"] == "是"
    assert "big" not in coerce_record(form, {"people": 99, "big": "否"})


def test_unknown_keys_are_rejected(visit: FormSpec) -> None:
    errors = errors_of(visit, colour="红", zzz=1)
    assert [(e.field, e.message) for e in errors] == [
        ("colour", "表单“巡查记录”没有这个字段"),
        ("zzz", "表单“巡查记录”没有这个字段"),
    ]


def test_every_bad_field_is_reported_at_once(visit: FormSpec) -> None:
    errors = errors_of(visit, inspectors="多", fine="x", visit_date="昨天")
    assert sorted(e.field for e in errors) == ["fine", "inspectors", "visit_date"]


def test_stored_values_follow_the_form_order_and_omit_empty(visit: FormSpec) -> None:
    values = coerce(visit, leader="", fine=None, inspectors=2)
    assert list(values) == ["visit_date", "site", "result", "inspectors", "followup_count"]


def test_repeat_group_rows(visit: FormSpec) -> None:
    rows = [
        {"date": "2024-05-07", "way": "电话"},
        {"date": "2024-05-09", "way": "现场", "note": "已停产"},
        {},  # a blank row is dropped, not an error
        {"date": "", "way": None, "note": " "},
    ]
    values = coerce(visit, followups=rows)
    assert values["followups"] == [
        {"date": "2024-05-07", "way": "电话"},
        {"date": "2024-05-09", "way": "现场", "note": "已停产"},
    ]
    assert values["followup_count"] == 2  # computed: count of rows


def test_repeat_group_show_if_inside_a_row(visit: FormSpec) -> None:
    values = coerce(visit, followups=[{"date": "2024-05-07", "way": "电话", "note": "不显示"}])
    assert values["followups"] == [{"date": "2024-05-07", "way": "电话"}]


def test_repeat_group_errors_name_the_row(visit: FormSpec) -> None:
    errors = errors_of(
        visit,
        followups=[
            {"date": "2024-05-07"},
            {"way": "现场", "note": "一二三四五六七八九十一二三四五六七八九十一"},
            {"date": "2024-05-08", "who": "张三"},
        ],
    )
    assert [(e.field, e.label, e.message) for e in errors] == [
        ("followups[2].date", "跟进情况第2行日期", "必填"),
        ("followups[2].note", "跟进情况第2行说明", "不能超过20个字（现有21个字）"),
        ("followups[3].who", "跟进情况第3行", "未知字段“who”"),
    ]
    assert str(errors[0]) == "跟进情况第2行日期：必填"


def test_repeat_group_must_be_a_list_of_objects(visit: FormSpec) -> None:
    for bad in ("2024-05-07", [1, 2], {"date": "2024-05-07"}):
        error = one_error(visit, followups=bad)
        assert (error.field, error.message) == ("followups", "应为若干行（对象列表）")


def test_required_repeat_group() -> None:
    child = FieldSpec("d", "日期", "date", required=True)
    group = FieldSpec("rows", "明细", "repeat", required=True, fields=(child,))
    form = FormSpec("f", "表", 1, (_section(group),), "rows")
    for empty in ([], [{}], None):
        with pytest.raises(ValidationError) as info:
            coerce_record(form, {"rows": empty})
        assert [e.field for e in info.value.errors][-1] == "rows"


def test_computed_and_readonly_values_are_not_taken_from_input(visit: FormSpec) -> None:
    values = coerce(visit, followup_count=99)
    assert values["followup_count"] == 0
    spec = FieldSpec("serial", "流水号", "text", readonly=True)
    name = FieldSpec("name", "名称", "text")
    form = FormSpec("f", "表", 1, (_section(name, spec),), "name")
    assert coerce_record(form, {"name": "甲", "serial": "伪造"}) == {"name": "甲"}
    kept = coerce_record(form, {"name": "甲", "serial": "伪造"}, existing={"serial": "2024-001"})
    assert kept == {"name": "甲", "serial": "2024-001"}


def test_computed_sum() -> None:
    a = FieldSpec("a", "甲", "integer")
    b = FieldSpec("b", "乙", "decimal")
    total = FieldSpec("total", "合计", "decimal", readonly=True, computed={"sum": ["a", "b"]})
    form = FormSpec("f", "表", 1, (_section(a, b, total),), "a")
    assert coerce_record(form, {"a": 2, "b": "1.5"})["total"] == 3.5
    assert coerce_record(form, {"a": 2})["total"] == 2


def test_preview_computed_over_unsaved_input() -> None:
    deadline = FieldSpec("deadline", "时限", "date")
    extended = FieldSpec("extended", "延期后时限", "date")
    in_force = FieldSpec(
        "in_force",
        "现行时限",
        "date",
        readonly=True,
        computed={"first_of": ["extended", "deadline"]},
    )
    a = FieldSpec("a", "甲", "integer")
    b = FieldSpec("b", "乙", "decimal", show_if=Condition("a", (1, 2, 3)))
    total = FieldSpec("total", "合计", "decimal", readonly=True, computed={"sum": ["a", "b"]})
    form = FormSpec("f", "表", 1, (_section(deadline, extended, in_force, a, b, total),), "a")
    raw = {"deadline": "2024-06-30", "extended": None}
    assert preview_computed(form, in_force, raw) == "2024-06-30"
    raw["extended"] = "2024-08-31"
    assert preview_computed(form, in_force, raw) == "2024-08-31"
    raw["extended"] = "2024-08-3"  # half typed: not a date yet, so the deadline stands
    assert preview_computed(form, in_force, raw) == "2024-06-30"
    # numbers as the editor holds them (text); unreadable input counts as nothing
    assert preview_computed(form, total, {"a": "2", "b": "1.5"}) == 3.5
    assert preview_computed(form, total, {"a": "x", "b": "1.5"}) == 0  # b hidden without a
    assert preview_computed(form, total, {"a": "7", "b": "1.5"}) == 7  # b hidden: a is not 1-3


def test_default_values(visit: FormSpec) -> None:
    assert default_values(visit, today=date(2024, 5, 6)) == {"visit_date": "2024-05-06"}
    from .conftest import REPO_FORMS

    site = load_registry(REPO_FORMS).form("site")
    assert default_values(site) == {"status": "在用", "patrol_period": "每月"}


@pytest.mark.parametrize(
    ("key", "value", "shown"),
    [
        ("rectified", True, "是"),
        ("rectified", False, "否"),
        ("problems", ["废水", "固废"], "废水、固废"),
        ("visit_date", "2024-05-06", "2024年5月6日"),
        ("started", "2024-05-06T09:05", "2024年5月6日 09:05"),
        ("fine", 12.0, "12"),
        ("fine", 12.5, "12.5"),
        ("site", SITE_ID, "甲厂"),
        ("photos", [{"file": "a"}, {"file": "b"}], "2张"),
        ("followups", [{"date": "2024-05-06"}], "1条"),
        ("inspectors", 3, "3"),
        ("leader", None, ""),
    ],
)
def test_display_value(visit: FormSpec, key: str, value: Any, shown: str) -> None:
    assert display_value(visit.field(key), value, {SITE_ID: "甲厂"}) == shown


# ---- properties ----------------------------------------------------------------------

INT_SPEC = FieldSpec("n", "数量", "integer", min=-50, max=50)
DEC_SPEC = FieldSpec("x", "金额", "decimal", decimals=2)
DATE_SPEC = FieldSpec("d", "日期", "date")
MULTI_SPEC = FieldSpec("m", "多选", "multi_choice", choices=("甲", "乙", "丙", "丁"))


def _single(spec: FieldSpec) -> Callable[[Any], Any]:
    form = FormSpec("f", "表", 1, (_section(spec),), spec.key)

    def run(value: Any) -> Any:
        return coerce_record(form, {spec.key: value})[spec.key]

    return run


@settings(deadline=None, max_examples=200)
@given(st.integers(min_value=-1000, max_value=1000), st.booleans())
def test_property_integer(n: int, as_text: bool) -> None:
    run = _single(INT_SPEC)
    value = str(n) if as_text else n
    if -50 <= n <= 50:
        assert run(value) == n
    else:
        with pytest.raises(ValidationError) as info:
            run(value)
        expected = "不能小于-50" if n < -50 else "不能大于50"
        assert info.value.errors[0].message == expected


@settings(deadline=None, max_examples=200)
@given(st.integers(min_value=-(10**9), max_value=10**9), st.integers(min_value=0, max_value=5))
def test_property_decimal_places(units: int, places: int) -> None:
    run = _single(DEC_SPEC)
    number = Decimal(units).scaleb(-places)  # e.g. 12345 and 3 → 12.345
    text = f"{number:f}"
    significant = places - (len(str(abs(units))) - len(str(abs(units)).rstrip("0")))
    if units == 0 or significant <= 2:
        assert run(text) == float(number)
    else:
        with pytest.raises(ValidationError, match="最多保留2位小数"):
            run(text)


@settings(deadline=None, max_examples=200)
@given(st.dates())
def test_property_date_round_trip(day: date) -> None:
    run = _single(DATE_SPEC)
    stored = run(day.isoformat())
    assert stored == f"{day.year:04d}-{day.month:02d}-{day.day:02d}"
    assert run(day) == stored
    assert display_value(DATE_SPEC, stored) == f"{day.year}年{day.month}月{day.day}日"


@settings(deadline=None, max_examples=200)
@given(
    st.lists(st.sampled_from(MULTI_SPEC.choices), min_size=1),
    st.sampled_from(["、", ",", "，", "；"]),
)
def test_property_multi_choice(chosen: list[str], sep: str) -> None:
    run = _single(MULTI_SPEC)
    expected = [c for c in MULTI_SPEC.choices if c in chosen]
    assert run(chosen) == expected
    assert run(sep.join(chosen)) == expected


# ---- site references against the real register ---------------------------------------


@pytest.fixture
def sites(visit_records: RecordService, make_site: Callable[..., str]) -> Iterator[dict[str, str]]:
    yield {
        "甲厂": make_site(visit_records, "甲厂"),
        "乙养殖场": make_site(visit_records, "乙养殖场", "畜禽养殖场"),
        "龙河水库": make_site(visit_records, "龙河水库", "饮用水水源地"),
        "同名厂1": make_site(visit_records, "同名厂"),
        "同名厂2": make_site(visit_records, "同名厂"),
    }


def _visit(service: RecordService, site: str) -> Any:
    return service.create("visit", {"visit_date": "2024-05-06", "site": site, "result": "正常"})


def test_site_by_id_and_by_name(visit_records: RecordService, sites: dict[str, str]) -> None:
    assert _visit(visit_records, sites["甲厂"]).values["site"] == sites["甲厂"]
    made = _visit(visit_records, "乙养殖场")
    assert made.values["site"] == sites["乙养殖场"]
    assert made.site_id == sites["乙养殖场"]
    assert made.title == "乙养殖场"  # the title field is the site: shown by name
    # an ambiguous name can still be given by id
    assert _visit(visit_records, sites["同名厂2"]).values["site"] == sites["同名厂2"]


def _site_error(service: RecordService, site: str) -> FieldError:
    with pytest.raises(ValidationError) as info:
        _visit(service, site)
    assert len(info.value.errors) == 1
    error = info.value.errors[0]
    assert (error.field, error.label) == ("site", "巡查对象")
    return error


def test_site_not_found(visit_records: RecordService, sites: dict[str, str]) -> None:
    message = _site_error(visit_records, "丙厂").message
    assert message == "找不到名为“丙厂”的监管对象，请先在“监管对象”中登记"


def test_site_ambiguous(visit_records: RecordService, sites: dict[str, str]) -> None:
    assert _site_error(visit_records, "同名厂").message == "有2个名为“同名厂”的监管对象，请改用编号"


def test_site_of_the_wrong_type(visit_records: RecordService, sites: dict[str, str]) -> None:
    message = _site_error(visit_records, "龙河水库").message
    assert message == "“龙河水库”不是排污单位、畜禽养殖场类的监管对象"
    assert "不是排污单位" in _site_error(visit_records, sites["龙河水库"]).message


def test_deleted_site_cannot_be_referenced(
    visit_records: RecordService, sites: dict[str, str]
) -> None:
    visit_records.delete(sites["甲厂"])
    assert "找不到名为“甲厂”" in _site_error(visit_records, "甲厂").message
    message = _site_error(visit_records, sites["甲厂"]).message
    assert message == "监管对象“甲厂”已在回收站中，请先恢复或另选"


def test_a_record_stays_editable_when_its_site_is_deleted_or_retyped(
    visit_records: RecordService, sites: dict[str, str]
) -> None:
    visit = _visit(visit_records, "甲厂")
    visit_records.delete(sites["甲厂"])
    # editing another field keeps the reference it already had
    edited = visit_records.update(visit.id, {"inspectors": 2})
    assert edited.values["site"] == sites["甲厂"] and edited.values["inspectors"] == 2
    visit_records.restore(sites["甲厂"])
    visit_records.update(sites["甲厂"], {"site_type": "其他"})
    assert visit_records.update(visit.id, {"inspectors": 3}).values["site"] == sites["甲厂"]
    # and `gongkai check` does not call the record broken
    assert check_database(visit_records.ctx).ok
    # but choosing it anew is checked like any new reference
    other = _visit(visit_records, "乙养殖场")
    message = _site_error_on_update(visit_records, other.id, sites["甲厂"])
    assert message == "“甲厂”不是排污单位、畜禽养殖场类的监管对象"


def _site_error_on_update(service: RecordService, record_id: str, site: str) -> str:
    with pytest.raises(ValidationError) as info:
        service.update(record_id, {"site": site})
    return info.value.errors[0].message


def test_a_record_is_not_a_site(visit_records: RecordService, sites: dict[str, str]) -> None:
    visit_id = _visit(visit_records, "甲厂").id
    assert "找不到" in _site_error(visit_records, visit_id).message
