"""Headers spelled with or without units and brackets, headers the clerk assigns, which
ledger a sheet is, and dates and counts as clerks write them."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai_desktop.forms.loader import load_registry
from gongkai_desktop.services.io.cell_text import read_date_text, year_hint_of
from gongkai_desktop.services.io.sheet_reader import open_source
from gongkai_desktop.services.io.untrusted_files import inspect_file
from gongkai_desktop.services.ledgers.intake.cells import CellConverter
from gongkai_desktop.services.ledgers.intake.layout import HeaderMatcher, header_key
from gongkai_desktop.services.ledgers.intake.recognise import recognise_sheet

from .import_helpers import FOOTER, write_xlsx

REGISTRY = load_registry(Path(__file__).resolve().parents[2] / "forms")


# ---- headers ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sheet", "label"),
    [
        ("咨询人次", "咨询（人次）"),
        ("发放资料数量", "发放资料（份）"),
        ("发放资料份数", "发放资料（份）"),
        ("照片(张)", "照片（张）"),
        ("照片张数", "照片（张）"),
        ("收费金额(元)", "收费金额"),
        ("出动车次", "出动（车次）"),
        ("隔离防护(围网)", "隔离防护（围网）"),
        ("巡查\n日期", "巡查日期"),
        ("横幅【条】", "横幅（条）"),
    ],
)
def test_header_keys_ignore_units_brackets_and_breaks(sheet: str, label: str) -> None:
    assert header_key(sheet) == header_key(label)


def test_a_header_key_is_never_empty() -> None:
    assert header_key("次数") and header_key("人次") and header_key("（份）")


def test_every_label_and_synonym_still_finds_its_own_column() -> None:
    for ledger in REGISTRY.ledgers.values():
        matcher = HeaderMatcher(ledger, REGISTRY.form(ledger.form), REGISTRY)
        for column in ledger.columns:
            for text in (column.label, *column.synonyms):
                found = (
                    matcher.match(column.group, text) if column.group else matcher.match("", text)
                )
                assert found is not None, (ledger.id, text)
                assert found.field == column.field or text in _shared(ledger.id), (
                    ledger.id,
                    text,
                    found.field,
                )


def _shared(ledger_id: str) -> set[str]:
    """Synonyms two columns of one ledger share on purpose (none today)."""
    return set()


def test_outreach_headers_as_a_clerk_spells_them() -> None:
    ledger = REGISTRY.ledger("outreach_events")
    matcher = HeaderMatcher(ledger, REGISTRY.form(ledger.form), REGISTRY)
    wanted = {
        "咨询人次": "consultations",
        "发放资料数量": "materials",
        "宣传册(册)": "brochures",
        "横幅条数": "banners",
        "照片张数": "photos",
    }
    for header, field in wanted.items():
        found = matcher.match("", header)
        assert found is not None and found.field == field, header


def test_assigned_headers_come_first_and_unknown_targets_are_refused() -> None:
    ledger = REGISTRY.ledger("outreach_events")
    form = REGISTRY.form(ledger.form)
    matcher = HeaderMatcher(
        ledger, form, REGISTRY, assigned={"天气": "备注", "人次": "audience_count"}
    )
    assert matcher.match("", "天气").field == "remarks"  # type: ignore[union-attr]
    # 人次 is a synonym of 出动人次, but the clerk said otherwise
    assert matcher.match("", "人次").field == "audience_count"  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="列“天气”指定的“不存在”不是台账“宣传活动台账”的列"):
        HeaderMatcher(ledger, form, REGISTRY, assigned={"天气": "不存在"})


# ---- which ledger a sheet is -------------------------------------------------------------------
PATROL_HEADER = ["序号", "巡查日期", "巡查人员", "是否发现问题", "问题情况", "处理情况", "备注"]


def _recognise(tmp_path: Path, rows: list[list[Any]], name: str = "台账.xlsx") -> Any:
    path = write_xlsx(tmp_path / name, rows)
    source = open_source(inspect_file(path))
    try:
        [sheet] = source.sheet_names
        scanned = list(source.rows(sheet, limit=30))
        return recognise_sheet(REGISTRY, sheet, scanned, context_texts=(path.stem,))
    finally:
        source.close()


@pytest.mark.parametrize(
    ("title", "ledger_id"),
    [
        ("2023年河湖巡查记录", "river_patrol"),
        ("龙河镇秸秆禁烧巡查台账", "straw_burning_patrol"),
        ("畜禽养殖场巡查台账（2023年）", "farm_patrol"),
        ("2023年饮用水水源地巡查台账", "water_source_patrol"),
    ],
)
def test_patrol_ledgers_with_the_same_columns_are_told_apart_by_title(
    tmp_path: Path, title: str, ledger_id: str
) -> None:
    rows = [[title], PATROL_HEADER, [1, "2023-06-05", "张三", "否", None, None, None], FOOTER]
    found = _recognise(tmp_path, rows)
    assert found.ledger_id == ledger_id, found.reason


def test_a_patrol_sheet_without_title_is_not_guessed(tmp_path: Path) -> None:
    rows = [PATROL_HEADER, [1, "2023-06-05", "张三", "否", None, None, None]]
    found = _recognise(tmp_path, rows, "巡查.xlsx")
    assert found.ledger_id is None and "同样吻合" in found.reason
    assert len(found.candidates) >= 2


@pytest.mark.parametrize(
    "header",
    [
        ["序号", "姓名", "职务", "办公电话", "手机", "备注"],
        ["序号", "姓名", "岗位", "基本工资", "绩效", "实发金额", "签名"],
        ["日期", "事项", "备注"],
    ],
)
def test_an_unrelated_sheet_is_not_recognised(tmp_path: Path, header: list[str]) -> None:
    found = _recognise(tmp_path, [["龙河镇机关"], header, [1, "张三", "主任", "1", "2", "3"]])
    assert found.ledger_id is None and found.reason


def test_a_hand_kept_disclosure_register_is_recognised(tmp_path: Path) -> None:
    rows = [
        ["依申请公开登记表"],
        ["编号", "申请日期", "申请人", "申请方式", "申请内容", "处理结果", "答复日期"],
        ["YSQ2023-001", "2023-06-05", "王五", "信函", "预算", "予以公开", "2023-06-20"],
    ]
    found = _recognise(tmp_path, rows)
    assert found.ledger_id == "disclosure_requests" and found.titles == ("依申请公开登记表",)


# ---- dates and counts --------------------------------------------------------------------------
DATE = REGISTRY.form("outreach_event").field("event_date")
COUNT = REGISTRY.form("outreach_event").field("staff_count")
MOMENT = REGISTRY.form("disclosure_request").field("received_date")


@pytest.mark.parametrize(
    ("text", "year", "value", "warned"),
    [
        ("2023-06-05", None, "2023-06-05", False),
        ("2023年6月", None, "2023-06-01", True),
        ("二〇二三年六月", None, "2023-06-01", True),
        ("6月5日", 2023, "2023-06-05", True),
        ("六月五日", 2023, "2023-06-05", True),
        ("6月5日", None, "6月5日", False),  # no year anywhere: left to validation
        ("45082", None, "2023-06-05", False),
        ("二〇二三年六月五日", None, "2023-06-05", False),
        ("二零二三年十二月三十一日", None, "2023-12-31", False),
        ("6月5日-7日", 2023, "2023-06-05", True),
        ("2023年6月5日—6月7日", None, "2023-06-05", True),
        ("2023.6.5-6.7", None, "2023-06-05", True),
        ("2023年6月5日至7日", None, "2023-06-05", True),
        ("2023年2月30日", None, "2023年2月30日", False),
        ("6月31日", 2023, "6月31日", False),
    ],
)
def test_dates_as_clerks_write_them(text: str, year: int | None, value: str, warned: bool) -> None:
    converted = CellConverter(DATE, year_hint=year).convert(text)
    assert converted.value == value
    assert bool(converted.warning) == warned, converted.warning


@pytest.mark.parametrize(
    ("text", "value", "warned"),
    [("十二", 12, True), ("一百二十", 120, True), ("两千", 2000, True), ("三十五人次", 35, True),
     ("1,200", 1200, False), ("１２００", 1200, False), ("12", 12, False), ("很多", "很多", False)],
)  # fmt: skip
def test_counts_as_clerks_write_them(text: str, value: Any, warned: bool) -> None:
    converted = CellConverter(COUNT).convert(text)
    assert converted.value == value and bool(converted.warning) == warned


@pytest.mark.parametrize(
    ("texts", "year"),
    [
        (["龙河镇2023年饮用水水源地巡查台账"], 2023),
        (["", "6月", "2023年台账"], 2023),
        (["二〇二三年宣传活动台账"], 2023),
        (["2022-2023年", "2024年6月"], 2024),
        (["6月", "台账"], None),
        (["2023.6"], 2023),
        (["编号12345"], None),
    ],
)
def test_the_year_a_title_names(texts: list[str], year: int | None) -> None:
    assert year_hint_of(texts) == year


CN = "〇一二三四五六七八九"


def _cn_year(n: int) -> str:
    return "".join(CN[int(d)] for d in str(n))


def _cn_small(n: int) -> str:
    tens, ones = divmod(n, 10)
    if not tens:
        return CN[ones]
    return ("" if tens == 1 else CN[tens]) + "十" + ("" if not ones else CN[ones])


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(1995, 1, 1), max_value=date(2099, 12, 31)))
def test_dates_in_chinese_numerals_and_serials_as_text_read_back(day: date) -> None:
    spelled = f"{_cn_year(day.year)}年{_cn_small(day.month)}月{_cn_small(day.day)}日"
    assert read_date_text(spelled).moment.date() == day, spelled  # type: ignore[union-attr]
    serial = str((day - date(1899, 12, 30)).days)
    assert CellConverter(MOMENT).convert(serial).value == day.isoformat()
    assert (
        read_date_text(f"{_cn_small(day.month)}月{_cn_small(day.day)}日", day.year).moment.date()
        == day
    )  # type: ignore[union-attr]
