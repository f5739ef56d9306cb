"""domain/periods.py: --period YYYY-MM | YYYY-Qn | YYYY and --from/--to, both ends inclusive."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai_desktop.domain.errors import GongkaiError, PeriodError
from gongkai_desktop.domain.periods import (
    Period,
    format_cn_date,
    parse_iso_date,
    parse_period,
    period_between,
)


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("2024-05", date(2024, 5, 1), date(2024, 5, 31), "2024年5月"),
        ("2024-5", date(2024, 5, 1), date(2024, 5, 31), "2024年5月"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "2024年2月"),  # leap year
        ("2023-02", date(2023, 2, 1), date(2023, 2, 28), "2023年2月"),
        ("2024-12", date(2024, 12, 1), date(2024, 12, 31), "2024年12月"),
        ("2024-Q1", date(2024, 1, 1), date(2024, 3, 31), "2024年第一季度"),
        ("2024-Q2", date(2024, 4, 1), date(2024, 6, 30), "2024年第二季度"),
        ("2024-q3", date(2024, 7, 1), date(2024, 9, 30), "2024年第三季度"),
        ("2024-Q4", date(2024, 10, 1), date(2024, 12, 31), "2024年第四季度"),
        ("2024", date(2024, 1, 1), date(2024, 12, 31), "2024年度"),
        (" 2024 ", date(2024, 1, 1), date(2024, 12, 31), "2024年度"),
    ],
)
def test_parse_period(text: str, start: date, end: date, label: str) -> None:
    assert parse_period(text) == Period(start, end, label)


def test_period_bounds_are_inclusive() -> None:
    may = parse_period("2024-05")
    assert may.contains(date(2024, 5, 1)) and may.contains(date(2024, 5, 31))
    assert not may.contains(date(2024, 4, 30)) and not may.contains(date(2024, 6, 1))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2024-13", "期间“2024-13”的月份应为1至12"),
        ("2024-00", "期间“2024-00”的月份应为1至12"),
        ("2024-Q5", "无法识别的期间“2024-Q5”，应写作 2024-05、2024-Q2 或 2024"),
        ("2024年5月", "无法识别的期间“2024年5月”，应写作 2024-05、2024-Q2 或 2024"),
        ("24-05", "无法识别的期间“24-05”，应写作 2024-05、2024-Q2 或 2024"),
        ("", "无法识别的期间“”，应写作 2024-05、2024-Q2 或 2024"),
        ("2024-05-01", "无法识别的期间“2024-05-01”，应写作 2024-05、2024-Q2 或 2024"),
    ],
)
def test_bad_period(text: str, message: str) -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(text)
    assert str(info.value) == message
    assert isinstance(info.value, GongkaiError)


@pytest.mark.parametrize("text", ["0000", "0000-05", "0000-Q1"])
def test_year_zero_is_a_period_error_not_a_crash(text: str) -> None:
    with pytest.raises(PeriodError, match="年份"):
        parse_period(text)


def test_period_between() -> None:
    period = period_between(date(2024, 5, 6), date(2024, 6, 1))
    assert period == Period(date(2024, 5, 6), date(2024, 6, 1), "2024年5月6日至2024年6月1日")
    single = period_between(date(2024, 5, 6), date(2024, 5, 6))
    assert single.contains(date(2024, 5, 6))
    with pytest.raises(PeriodError) as info:
        period_between(date(2024, 6, 2), date(2024, 6, 1))
    assert str(info.value) == "起始日期 2024-06-02 晚于截止日期 2024-06-01"


def test_parse_iso_date() -> None:
    assert parse_iso_date(" 2024-05-06 ") == date(2024, 5, 6)
    with pytest.raises(PeriodError) as info:
        parse_iso_date("2024/05/06", "起始日期")
    assert str(info.value) == "起始日期“2024/05/06”格式不对，应写作 YYYY-MM-DD"
    with pytest.raises(PeriodError, match="日期“2024-02-30”格式不对"):
        parse_iso_date("2024-02-30")


def test_format_cn_date() -> None:
    assert format_cn_date(date(2024, 1, 9)) == "2024年1月9日"


@settings(deadline=None, max_examples=300)
@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=1, max_value=12))
def test_property_month(year: int, month: int) -> None:
    period = parse_period(f"{year:04d}-{month:02d}")
    assert period.start == date(year, month, 1)
    if month == 12:
        assert period.end == date(year, 12, 31)
    else:
        assert period.end == date(year, month + 1, 1) - timedelta(days=1)
    assert period.label == f"{year}年{month}月"


@settings(deadline=None, max_examples=300)
@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
def test_property_each_day_is_in_its_month_quarter_and_year(day: date) -> None:
    quarter = (day.month - 1) // 3 + 1
    for text in (
        f"{day.year:04d}-{day.month:02d}",
        f"{day.year:04d}-Q{quarter}",
        f"{day.year:04d}",
    ):
        period = parse_period(text)
        assert period.contains(day)
        assert period.start <= period.end
    q = parse_period(f"{day.year:04d}-Q{quarter}")
    assert q.start.month == 3 * quarter - 2 and q.start.day == 1
    assert q.label == f"{day.year}年第{'一二三四'[quarter - 1]}季度"


def test_named_period_names_whole_years_quarters_and_months() -> None:
    from datetime import date

    from gongkai_desktop.domain.periods import named_period

    assert named_period(date(2023, 1, 1), date(2023, 12, 31)).label == "2023年度"
    assert named_period(date(2023, 4, 1), date(2023, 6, 30)).label == "2023年第二季度"
    assert named_period(date(2023, 8, 1), date(2023, 8, 31)).label == "2023年8月"
    assert named_period(date(2023, 8, 2), date(2023, 8, 31)).label == "2023年8月2日至2023年8月31日"
