"""Reporting periods: ``YYYY-MM``, ``YYYY-Qn``, ``YYYY`` or an inclusive from–to range."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from gongkai_desktop.domain.errors import PeriodError

_QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    label: str  # Chinese: 2024年5月 / 2024年第二季度 / 2024年度 / 2024年5月6日至2024年6月1日

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def format_cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def parse_period(text: str) -> Period:
    text = text.strip()
    if (m := re.match(r"(\d{4})(?:-|$)", text)) and int(m[1]) < 1:
        raise PeriodError(f"期间“{text}”的年份应为0001至9999")
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise PeriodError(f"期间“{text}”的月份应为1至12")
        last = calendar.monthrange(year, month)[1]
        return Period(date(year, month, 1), date(year, month, last), f"{year}年{month}月")
    if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
        year, q = int(m[1]), int(m[2])
        first_month = 3 * (q - 1) + 1
        last_month = first_month + 2
        last = calendar.monthrange(year, last_month)[1]
        return Period(
            date(year, first_month, 1), date(year, last_month, last), f"{year}年{_QUARTER_NAMES[q]}"
        )
    if m := re.fullmatch(r"(\d{4})", text):
        year = int(m[1])
        return Period(date(year, 1, 1), date(year, 12, 31), f"{year}年度")
    raise PeriodError(f"无法识别的期间“{text}”，应写作 2024-05、2024-Q2 或 2024")


def period_between(start: date, end: date) -> Period:
    if end < start:
        raise PeriodError(f"起始日期 {start.isoformat()} 晚于截止日期 {end.isoformat()}")
    return Period(start, end, f"{format_cn_date(start)}至{format_cn_date(end)}")


def parse_iso_date(text: str, what: str = "日期") -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise PeriodError(f"{what}“{text}”格式不对，应写作 YYYY-MM-DD") from exc


def named_period(start: date, end: date) -> Period:
    """The span start … end, labelled as the whole year, quarter or month it is when it
    is exactly one (2023年度 rather than 2023年1月1日至2023年12月31日)."""
    candidates = [f"{start.year:04d}", f"{start.year:04d}-Q{(start.month - 1) // 3 + 1}"]
    candidates.append(f"{start.year:04d}-{start.month:02d}")
    for text in candidates:
        named = parse_period(text)
        if (named.start, named.end) == (start, end):
            return named
    return period_between(start, end)


def last_month(today: date) -> tuple[int, int]:
    """(year, month) of the month before ``today``'s: the month closed and reported."""
    first = today.replace(day=1) - timedelta(days=1)
    return first.year, first.month
