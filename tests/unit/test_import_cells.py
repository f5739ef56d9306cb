"""Hand-typed cells → input for coerce_record: each spelling, with expected values
written out by hand."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest

from gongkai_desktop.forms.spec import FieldSpec
from gongkai_desktop.forms.values import coerce_value
from gongkai_desktop.services.io.cell_text import normalise
from gongkai_desktop.services.ledgers.intake.cells import CellConverter, repeat_rows


def convert(type_: str, value: Any, **kw: Any) -> tuple[Any, str]:
    result = CellConverter(FieldSpec("f", "字段", type_, **kw)).convert(value)
    return result.value, result.warning


@pytest.mark.parametrize(
    "cell",
    [
        "2023-06-05", "2023/6/5", "2023.6.5", "2023.06.05", "2023年6月5日", " 2023 年 6 月 5 日 ",
        "２０２３年６月５日", "20230605", datetime(2023, 6, 5), date(2023, 6, 5), 45082,
        "2023-06-05 09:30",
    ],
)  # fmt: skip
def test_date_spellings(cell: Any) -> None:
    assert convert("date", cell) == ("2023-06-05", "")


@pytest.mark.parametrize("cell", ["2023-02-30", "明天", 2023])
def test_unreadable_dates_pass_through_for_coerce_record_to_reject(cell: Any) -> None:
    assert convert("date", cell) == (str(cell), "")


@pytest.mark.parametrize(
    ("cell", "number", "warned"),
    [
        ("1000余份", 1000, True),
        ("约1100份", 1100, True),
        ("50人次", 50, True),
        ("300多人", 300, True),
        ("20左右", 20, True),
        ("1.2万份", 12000, True),
        ("1,200", 1200, False),
        ("12", 12, False),
        (12, 12, False),
        (12.0, 12, False),
    ],
)
def test_counts(cell: Any, number: int, warned: bool) -> None:
    value, warning = convert("integer", cell)
    assert value == number
    assert bool(warning) is warned
    if warned:
        assert str(cell) in warning and str(number) in warning


def test_approximate_counts_say_so() -> None:
    assert "约数" in convert("integer", "约1100份")[1]
    assert "约数" not in convert("integer", "50人次")[1]


def test_decimals_with_units() -> None:
    assert convert("decimal", "3.25公里", decimals=2)[0] == "3.25"
    assert convert("decimal", 0.5)[0] == 0.5


@pytest.mark.parametrize(("cell", "flag"), [("是", True), ("√", True), ("✓", True), ("×", False), ("x", False), (True, True), ("否", False)])  # fmt: skip
def test_booleans(cell: Any, flag: bool) -> None:
    spec = FieldSpec("f", "字段", "boolean")
    value = CellConverter(spec).convert(cell).value
    assert coerce_value(spec, value, None) is flag  # what coerce_record then stores


def test_choices_by_label_synonym_and_bracket_width() -> None:
    kw = {
        "choices": ("河湖巡查（河长制）", "发现"),
        "choice_synonyms": {"巡河": "河湖巡查（河长制）", "有": "发现"},
    }
    assert convert("choice", "河湖巡查(河长制)", **kw)[0] == "河湖巡查（河长制）"
    assert convert("choice", " 巡河 ", **kw)[0] == "河湖巡查（河长制）"
    assert convert("choice", "有", **kw)[0] == "发现"
    assert convert("choice", "路演", **kw)[0] == "路演"  # rejected later, with the app's message


def test_multi_choice_splits_on_the_usual_separators() -> None:
    kw = {"choices": ("垂钓", "游泳", "放牧")}
    assert convert("multi_choice", "垂钓、游泳,放牧", **kw)[0] == ["垂钓", "游泳", "放牧"]
    assert convert("multi_choice", "垂钓，游泳", **kw)[0] == ["垂钓", "游泳"]


def test_text_cells() -> None:
    assert convert("text", 13800000000)[0] == "13800000000"
    assert convert("text", time(9, 30))[0] == "09:30"
    # a dash or slash in a text cell is what the clerk typed (a name "-" stays "-") ...
    for typed in ("/", "-", "—", "无"):
        assert convert("text", typed)[0] == typed
        assert convert("person", typed)[0] == typed
    assert convert("text", "   ")[0] is None
    # ... while in a typed cell it means "nothing here"
    assert convert("date", "/")[0] is None
    assert convert("integer", "-")[0] is None


def test_repeat_group_lines() -> None:
    group = FieldSpec(
        "progress",
        "整改进展",
        "repeat",
        fields=(
            FieldSpec("date", "日期", "date"),
            FieldSpec("text", "进展情况", "text"),
            FieldSpec("photos", "照片", "photos"),
        ),
    )
    cell = "2024年5月6日：清理垃圾，设置标牌\n继续清理\n2024-05-20：完成"
    assert repeat_rows(group, cell) == [
        {"date": "2024-05-06", "text": "清理垃圾，设置标牌\n继续清理"},
        {"date": "2024-05-20", "text": "完成"},
    ]


def test_repeat_group_second_date_in_any_spelling() -> None:
    """征求意见: the line's date is the sending date, the one after the party the return."""
    group = FieldSpec(
        "consultations",
        "征求意见",
        "repeat",
        fields=(
            FieldSpec("party", "征求对象", "text"),
            FieldSpec("sent_date", "发出日期", "date"),
            FieldSpec("returned_date", "收回日期", "date"),
        ),
    )
    cell = "2024年5月20日：县水利局，2024年5月24日\n2024.5.21：宏达化工有限公司，2024-6-4\n2024年6月1日：县林业局"
    assert repeat_rows(group, cell) == [
        {"sent_date": "2024-05-20", "party": "县水利局", "returned_date": "2024-05-24"},
        {"sent_date": "2024-05-21", "party": "宏达化工有限公司", "returned_date": "2024-06-04"},
        {"sent_date": "2024-06-01", "party": "县林业局"},
    ]


def test_normalise_ignores_width_spaces_and_required_marks() -> None:
    assert normalise(" *巡查 日期（必填） ") == normalise("巡查日期(必填)")
