"""Value ↔ cell conventions shared by ledger export and import."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from gongkai_desktop.forms.spec import FieldSpec
from gongkai_desktop.services.ledgers import cells as lc


def spec(type_: str, **kw: object) -> FieldSpec:
    return FieldSpec(key="k", label="K", type=type_, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "stored", "cell"),
    [
        (spec("date"), "2024-05-06", date(2024, 5, 6)),
        (spec("datetime"), "2024-05-06T09:30", datetime(2024, 5, 6, 9, 30)),
        (spec("integer"), 12, 12),
        (spec("decimal", decimals=2), 1.5, 1.5),
        (spec("decimal", decimals=2), 3.0, 3),
        (spec("boolean"), True, "是"),
        (spec("boolean"), False, "否"),
        (spec("choice"), "一级保护区", "一级保护区"),
        (spec("multi_choice"), ["垂钓", "游泳"], "垂钓、游泳"),
        (spec("photos"), [{"file": "a.jpg"}, {"file": "b.jpg"}], 2),
        (spec("photos"), None, 0),
        (spec("text"), None, None),
        (spec("text"), "", None),
        (spec("text"), "a\x01b", "ab"),
        (spec("multiline"), "\r回车\r\n换行", "\n回车\n换行"),
        (spec("site"), "id-1", "龙河水库"),
    ],
)
def test_cell_value(field: FieldSpec, stored: object, cell: object) -> None:
    assert lc.cell_value(field, stored, {"id-1": "龙河水库"}) == cell


def test_number_formats() -> None:
    assert lc.number_format(spec("date")) == 'yyyy"年"m"月"d"日"'
    assert lc.number_format(spec("integer")) == "0"
    assert lc.number_format(spec("photos")) == "0"
    assert lc.number_format(spec("decimal", decimals=2)) == "0.00"
    assert lc.number_format(spec("decimal", decimals=0)) == "0"
    assert lc.number_format(spec("text")) == "General"


def test_repeat_group_lines_and_back() -> None:
    group = spec(
        "repeat",
        fields=(
            FieldSpec("date", "日期", "date"),
            FieldSpec("text", "进展情况", "text"),
            FieldSpec("photos", "照片", "photos"),
        ),
    )
    rows = [
        {"date": "2024-05-06", "text": "已清理", "photos": [{"file": "x.jpg"}]},
        {"date": "2024-05-20", "text": "完成整改"},
    ]
    text = lc.cell_value(group, rows)
    assert text == "2024年5月6日：已清理\n2024年5月20日：完成整改"
    assert lc.split_repeat_lines(str(text)) == [
        (date(2024, 5, 6), "已清理"),
        (date(2024, 5, 20), "完成整改"),
    ]
    assert lc.split_repeat_lines("没有日期\r\n2024年2月30日：坏日期") == [
        (None, "没有日期"),
        (None, "2024年2月30日：坏日期"),
    ]


@pytest.mark.parametrize(
    "text", ["=1+1", "+1", "-1", "@SUM(1)", "\tx", "\rx", "＝1+1", "＋1", "－1", "＠SUM(1)"]
)
def test_formula_triggers_need_quote_prefix(text: str) -> None:
    assert lc.needs_quote_prefix(text)


def test_plain_text_and_numbers_need_no_quote_prefix() -> None:
    assert not lc.needs_quote_prefix("龙河水库")
    assert not lc.needs_quote_prefix(-1)


def test_split_multi_and_bool() -> None:
    assert lc.split_multi("垂钓、游泳，放牧") == ["垂钓", "游泳", "放牧"]
    assert lc.bool_from_text(" 是 ") is True
    assert lc.bool_from_text("否") is False
    assert lc.bool_from_text("也许") is None
