"""Dates and counts as clerks write them in hand-kept ledgers: month only, no year (the
sheet's title gives it), Excel serials stored as text, Chinese numerals, ranges; and
what must stay unread so that validation rejects it. Expected values written by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai_desktop.forms.loader import load_registry
from gongkai_desktop.forms.spec import FieldSpec
from gongkai_desktop.forms.values import _Bad, coerce_value
from gongkai_desktop.services.io.cell_text import (
    cn_number,
    excel_serial,
    parse_date_text,
    read_date_text,
    year_hint_of,
)
from gongkai_desktop.services.ledgers.intake.cells import CellConverter

REGISTRY = load_registry(Path(__file__).resolve().parents[2] / "forms")
DATE = REGISTRY.form("outreach_event").field("event_date")
COUNT = REGISTRY.form("outreach_event").field("staff_count")  # unit 人次
BAGS = REGISTRY.form("outreach_event").field("garbage_bags")  # unit 袋
DISTANCE = REGISTRY.form("outreach_event").field("river_cleaned_km")  # decimal, 公里
MOMENT = FieldSpec("t", "时间", "datetime")


def convert(spec: FieldSpec, cell: Any, year: int | None = None) -> tuple[Any, str]:
    result = CellConverter(spec, year_hint=year).convert(cell)
    return result.value, result.warning


# ---- dates that are exact: no warning --------------------------------------------------------
@pytest.mark.parametrize(
    "cell",
    [
        "2023-06-05", "2023/6/5", "2023.6.5", "2023年6月5日", "2023年6月5号", "20230605",
        "２０２３年６月５日", "45082", "45082.0", " 45082 ", 45082, 45082.0,
        datetime(2023, 6, 5), date(2023, 6, 5),
        "二〇二三年六月五日", "二零二三年六月五日", "二○二三年六月五日", "二O二三年六月五日",
        "2023年六月五日", "2023年6月5日 星期一", "2023年6月5日（周一）",
    ],
)  # fmt: skip
def test_exact_spellings_of_a_day(cell: Any) -> None:
    assert convert(DATE, cell) == ("2023-06-05", "")
    assert convert(DATE, cell, 2020) == ("2023-06-05", "")  # a hint never overrides a year


@pytest.mark.parametrize(
    ("cell", "year", "value", "words"),
    [
        ("2023年6月", None, "2023-06-01", ["“2023年6月”只有月份", "2023年6月1日"]),
        ("2023年6月份", None, "2023-06-01", ["只有月份"]),
        ("2023-06", None, "2023-06-01", ["只有月份"]),
        ("2023.6", None, "2023-06-01", ["只有月份"]),
        ("2023/12", None, "2023-12-01", ["只有月份"]),
        ("二〇二三年六月", None, "2023-06-01", ["只有月份"]),
        ("6月5日", 2023, "2023-06-05", ["“6月5日”未写年份", "工作表标题或名称中的2023年"]),
        ("6月5号", 2023, "2023-06-05", ["未写年份"]),
        ("六月五日", 2023, "2023-06-05", ["未写年份", "2023年6月5日"]),
        ("十二月三十一日", 2022, "2022-12-31", ["2022年12月31日"]),
        ("6月5日-7日", 2023, "2023-06-05", ["日期范围", "开始日期 2023年6月5日", "2023年）"]),
        ("6月5日至6月7日", 2023, "2023-06-05", ["日期范围"]),
        ("2023年6月5日—6月7日", None, "2023-06-05", ["“2023年6月5日—6月7日”是日期范围"]),
        ("2023.6.5-6.7", None, "2023-06-05", ["日期范围", "2023年6月5日"]),
        ("2023年6月5日至7日", None, "2023-06-05", ["日期范围"]),
        ("2023年6月5日~7日", None, "2023-06-05", ["日期范围"]),
        ("2023-06-05 - 2023-06-07", None, "2023-06-05", ["日期范围"]),
        ("2023年12月30日-1月2日", None, "2023-12-30", ["日期范围"]),  # ends next year
        ("二〇二三年六月五日至七日", None, "2023-06-05", ["日期范围"]),
    ],
)
def test_inexact_dates_are_read_with_a_warning(
    cell: str, year: int | None, value: str, words: list[str]
) -> None:
    got, warning = convert(DATE, cell, year)
    assert got == value
    for word in words:
        assert word in warning, warning


def test_the_year_of_a_range_is_not_said_to_come_from_the_title_when_written() -> None:
    assert "工作表" not in convert(DATE, "2023年6月5日-7日", 2023)[1]


@pytest.mark.parametrize(
    ("cell", "year"),
    [
        ("6月5日", None),  # no year anywhere
        ("六月五日", None),
        ("6月5日-7日", None),
        ("2023年2月30日", None),  # no such day, in any spelling
        ("二〇二三年二月三十日", None),
        ("6月31日", 2023),
        ("2023年13月", None),
        ("2023年6", None),  # 年 without 月 reads as cut off, not as a month
        ("2023年6月5日-3日", None),  # a range ending before it starts
        ("2023年6月5日-40日", None),
        ("2023年6月5日 星期二", None),  # the weekday contradicts the date
        ("6/5", 2023),  # day and month order unknown
        ("6.5", 2023),
        ("0045082", None),
        ("99999", None),  # outside the serials of 1927–2119
        ("明天", 2023),
        ("二三年六月五日", None),
    ],
)
def test_unreadable_dates_pass_the_text_on_for_validation_to_reject(
    cell: str, year: int | None
) -> None:
    assert convert(DATE, cell, year) == (cell, "")
    with pytest.raises(_Bad):
        coerce_value(DATE, cell, None)


# ---- datetime columns ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cell", "year", "value", "warned"),
    [
        ("2023-06-05 09:30", None, "2023-06-05T09:30", False),
        ("2023-06-05T09:30", None, "2023-06-05T09:30", False),
        ("2023年6月5日 9时30分", None, "2023-06-05T09:30", False),
        ("2023年6月5日", None, "2023-06-05T00:00", False),
        ("二〇二三年六月五日 9:30", None, "2023-06-05T09:30", False),
        ("45082.375", None, "2023-06-05T09:00", False),  # serial with a time, as text
        (45082.375, None, "2023-06-05T09:00", False),
        ("2023年6月", None, "2023-06-01T00:00", True),
        ("6月5日 9:30", 2023, "2023-06-05T09:30", True),
        ("2023-06-05 09:00-11:00", None, "2023-06-05T09:00", True),
        ("2023年6月5日至7日", None, "2023-06-05T00:00", True),
        ("6月5日 9:30", None, "6月5日 9:30", False),
    ],
)
def test_datetime_columns_take_the_same_spellings(
    cell: Any, year: int | None, value: str, warned: bool
) -> None:
    got, warning = convert(MOMENT, cell, year)
    assert got == value
    assert bool(warning) is warned, warning


def test_a_time_range_says_its_start_time() -> None:
    warning = convert(MOMENT, "2023-06-05 09:00-11:00")[1]
    assert "时间范围" in warning and "2023年6月5日 09:00" in warning


def test_serial_floats_are_rounded_to_the_second() -> None:
    # 45082 + 0.4 hours' worth of noise must not fall a minute short
    assert excel_serial(45082 + 14 / 24) == datetime(2023, 6, 5, 14, 0)
    assert excel_serial(9_999) is None and excel_serial(80_001) is None


def test_parse_date_text_keeps_its_exact_spellings() -> None:
    assert parse_date_text("2023年6月5日") == datetime(2023, 6, 5)
    assert parse_date_text("2023-06-05 09:30:15") == datetime(2023, 6, 5, 9, 30, 15)
    assert parse_date_text("2023-02-30") is None
    assert parse_date_text("2023年6月") is None  # inexact readings are read_date_text's


# ---- counts ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "cell", "value", "warned"),
    [
        (COUNT, "十二", 12, True),
        (COUNT, "十", 10, True),
        (COUNT, "一百二十", 120, True),
        (COUNT, "一百零五", 105, True),
        (COUNT, "两千", 2000, True),
        (COUNT, "两千五", 2500, True),  # as said aloud
        (COUNT, "一百二", 120, True),
        (COUNT, "一万二", 12000, True),
        (COUNT, "三十五人次", 35, True),
        (COUNT, "约三十人", 30, True),
        (COUNT, "共十二人", 12, True),
        (COUNT, "三十余人", 30, True),
        (BAGS, "二十袋", 20, True),
        (COUNT, "1,200", 1200, False),
        (COUNT, "1，200", 1200, False),
        (COUNT, "１２００", 1200, False),
        (COUNT, "1 200", 1200, False),
        (COUNT, "12", 12, False),
        (COUNT, 12.0, 12, False),
        (DISTANCE, "三点五公里", "3.5", True),
        (DISTANCE, "三点零五", "3.05", True),
    ],
)
def test_counts_as_clerks_write_them(spec: FieldSpec, cell: Any, value: Any, warned: bool) -> None:
    got, warning = convert(spec, cell)
    assert got == value
    assert bool(warning) is warned, warning
    if warned:
        assert f"“{cell}”" in warning and f"按 {value} 导入" in warning


def test_approximate_chinese_counts_say_so() -> None:
    assert "约数" in convert(COUNT, "约三十人")[1]
    assert "约数" in convert(COUNT, "一百多人")[1]
    assert "约数" not in convert(COUNT, "三十五人次")[1]


@pytest.mark.parametrize(
    "cell",
    ["一些", "一般", "十分", "万一", "十几人", "二三十人", "三五个", "几十人", "很多", "百百"],
)
def test_words_with_numerals_are_no_counts(cell: str) -> None:
    assert convert(COUNT, cell) == (cell, "")


def test_a_fraction_in_an_integer_column_is_left_to_validation() -> None:
    value = convert(COUNT, "十二点五")[0]
    with pytest.raises(_Bad):
        coerce_value(COUNT, value, None)


@pytest.mark.parametrize(
    ("token", "number"),
    [("零", 0), ("十", 10), ("十二", 12), ("二十", 20), ("一百一十", 110), ("一千零五", 1005),
     ("三万五千二", 35200), ("十万", 100_000), ("一百二十万", 1_200_000), ("二〇二三", 2023)],
)  # fmt: skip
def test_cn_number(token: str, number: int) -> None:
    assert cn_number(token) == number


def test_cn_number_reads_digits_one_by_one_only_when_asked() -> None:
    assert cn_number("二〇二三", positional=False) is None
    assert cn_number("五", positional=False) == 5


# ---- the year a title names ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("texts", "year"),
    [
        (["2023年饮用水水源地巡查台账"], 2023),
        (["2023.6"], 2023),
        (["二〇二三年"], 2023),
        (["二O二三年宣传台账"], 2023),
        (["2023年6月"], 2023),
        (["6月"], None),
        (["2023年台账.xlsx"], 2023),
        (["巡查台账20230605"], 2023),
        (["", "6月", "Sheet1", "2023年台账"], 2023),  # the first text naming a year wins
        (["2024年6月", "2023年台账"], 2024),
        (["2022-2023年"], None),  # two years: none
        (["2022-2023年", "2024年台账"], 2024),
        (["2023年1月-2023年6月"], 2023),  # one year named twice
        (["共2000份"], None),  # a count, not a year
        (["两千份宣传资料"], None),
        (["编号12345"], None),
        (["1989年"], None),
        ([], None),
    ],
)
def test_year_hint_of(texts: list[str], year: int | None) -> None:
    assert year_hint_of(texts) == year


def test_year_hint_of_takes_any_iterable() -> None:
    assert year_hint_of(t for t in ("台账", "2023年")) == 2023


# ---- property: every day reads back -----------------------------------------------------------
ZEROS = "〇零○"
CN = "一二三四五六七八九"


def _cn_digits(n: int, zero: str) -> str:
    return "".join(zero if d == "0" else CN[int(d) - 1] for d in str(n))


def _cn_small(n: int) -> str:
    """1–31 as written: 五, 十, 十二, 二十, 三十一."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CN[tens - 1] + "十")
    return head + (CN[ones - 1] if ones else "")


DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))


@settings(max_examples=300, deadline=None)
@given(DAYS, st.sampled_from(ZEROS))
def test_days_in_chinese_numerals_read_back(day: date, zero: str) -> None:
    month_day = f"{_cn_small(day.month)}月{_cn_small(day.day)}日"
    spelled = f"{_cn_digits(day.year, zero)}年{month_day}"
    assert convert(DATE, spelled) == (day.isoformat(), "")
    assert convert(DATE, month_day, day.year)[0] == day.isoformat()
    assert convert(DATE, month_day)[0] == month_day  # no hint: left to validation
    month = convert(DATE, f"{_cn_digits(day.year, zero)}年{_cn_small(day.month)}月")[0]
    assert month == day.replace(day=1).isoformat()


@settings(max_examples=300, deadline=None)
@given(DAYS, st.integers(0, 86_399))
def test_serials_stored_as_text_read_back(day: date, seconds: int) -> None:
    serial = (day - date(1899, 12, 30)).days
    assert convert(DATE, str(serial)) == (day.isoformat(), "")
    moment = datetime.combine(day, datetime.min.time()) + timedelta(seconds=seconds)
    as_text = repr(serial + seconds / 86_400)
    assert read_date_text(as_text).moment == moment


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 99_999_999))
def test_counts_in_chinese_numerals_read_back(number: int) -> None:
    assert cn_number(_cn_count(number), positional=False) == number


def _cn_count(n: int) -> str:
    """The standard spelling: 10 → 十, 105 → 一百零五, 120000 → 十二万."""

    def section(x: int) -> str:
        out, zero = "", False
        for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d, x = divmod(x, unit)
            if d:
                out += ("零" if zero and out else "") + CN[d - 1] + name
                zero = False
            else:
                zero = bool(out)
        return out

    high, low = divmod(n, 10_000)
    text = (section(high) + "万" if high else "") + (
        ("零" if high and low < 1000 else "") + section(low) if low else ""
    )
    return text[1:] if text.startswith("一十") else text
