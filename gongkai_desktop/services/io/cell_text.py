"""Reading what people type into spreadsheet cells: labels compared loosely, cells that
mean "nothing here", dates in the spellings clerks use. Shared by every reader of
hand-kept workbooks (ledger import, the holiday table)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

# Cells clerks fill with a dash or slash to mean "nothing here".
PLACEHOLDERS = frozenset({"/", "／", "-", "--", "—", "——", "－", "\\", "、"})

_DATE_TEXT = re.compile(
    r"(\d{4})\s*(?:[-/.．年])\s*(\d{1,2})\s*(?:[-/.．月])\s*(\d{1,2})\s*[日号]?"
    r"(?:(?:T|\s*)(\d{1,2})\s*[:：时]\s*(\d{1,2})\s*分?(?:\s*[:：]\s*(\d{1,2})\s*秒?)?)?"
)
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATE_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")


def normalise(text: Any) -> str:
    """For comparing labels: full/half width alike, no spaces, no required-mark ``*``."""
    value = unicodedata.normalize("NFKC", str(text))
    return re.sub(r"[\s*:]+", "", value).lower()


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        stripped = value.strip()
        return not stripped or stripped in PLACEHOLDERS
    return False


def parse_date_text(text: str) -> datetime | None:
    """2023-06-05, 2023/6/5, 2023.6.5, 2023.06.05, 2023年6月5日 (or 5号), 20230605,
    optionally followed by a time; None when it is none of these or not a real day."""
    return _exact(unicodedata.normalize("NFKC", text).strip())


def _exact(cleaned: str) -> datetime | None:
    """:func:`parse_date_text` of a text already NFKC-normalised and stripped."""
    iso = _ISO_DAY.fullmatch(cleaned)  # what most cells hold: no need for the long pattern
    if iso is not None:
        return _day(int(iso[1]), int(iso[2]), int(iso[3]))
    m = _DATE_TEXT.fullmatch(cleaned)
    if m is None:
        digits = _DATE_DIGITS.fullmatch(cleaned)
        if digits is None:
            return None
        parts = [int(digits[1]), int(digits[2]), int(digits[3]), 0, 0, 0]
    else:
        parts = [int(g) if g else 0 for g in m.groups()]
    try:
        return datetime(*parts)  # type: ignore[arg-type]
    except ValueError:
        return None


# ---- dates and numbers as clerks write them beyond the exact spellings -------------------
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000}
_CN_TOKEN = re.compile(r"[〇○零一二两三四五六七八九十百千万]+")
# a Latin O typed for 〇 between Chinese digits (二O二三年)
_LATIN_ZERO = re.compile(r"(?<=[〇○零一二三四五六七八九])[Oo]|[Oo](?=[〇○零一二三四五六七八九])")
_CN_YEAR = re.compile(r"[〇○零一二三四五六七八九]{4}")
_WEEKDAY = re.compile(r"\s*[(（]?(?:星期|礼拜|周)([一二三四五六日天])[)）]?$")
_WEEKDAYS = "一二三四五六日"
_TIME = r"(?:\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})\s*分?)?"
_MONTH_ONLY = re.compile(r"(\d{4})\s*(?:年\s*(\d{1,2})\s*月份?|[-/.]\s*(\d{1,2}))")
_NO_YEAR = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?" + _TIME)
_SERIAL_TEXT = re.compile(r"\d{5}(?:\.\d+)?")
_RANGE_MARK = re.compile(r"\s*(?:[-—–―~〜至到]+)\s*")
_RANGE_END = re.compile(
    r"(?:(\d{4})\s*[-/.年]\s*)?(?:(\d{1,2})\s*[-/.月]\s*)?(\d{1,2})\s*[日号]?" + _TIME
)
_TIME_END = re.compile(r"(\d{1,2})\s*[:：时]\s*(\d{1,2})\s*分?")
# a year in a title, not followed by a count unit (2000份 is no year); 20230605 names 2023
_YEAR = re.compile(r"(?<!\d)(\d{4})(?:(\d{2})(\d{2}))?(?!\d)(?![份人次个户件条张册元亩米号])")
_YEAR_RANGE = (1990, 2100)
_EXCEL_EPOCH = datetime(1899, 12, 30)  # Excel's 1900 system, day 0
_SERIAL_RANGE = (10_000, 80_000)  # 1927 … 2119: a number in a date column is a serial


def excel_serial(number: float) -> datetime | None:
    """An Excel serial number (45082 → 2023-06-05, 45082.375 → 09:00 that day), to the
    second so that float noise does not turn 09:00 into 08:59; None outside 1927–2119
    (Excel's fictitious 1900-02-29 lies before that)."""
    if not _SERIAL_RANGE[0] <= number <= _SERIAL_RANGE[1]:
        return None
    return _EXCEL_EPOCH + timedelta(seconds=round(number * 86_400))


def cn_number(token: str, *, positional: bool = True) -> int | None:
    """一百二十 → 120, 两千 → 2000, 十二 → 12, 一千零五 → 1005, and as said aloud
    一百二 → 120, 两千五 → 2500, 一万二 → 12000. Digits alone are read one by one
    (二〇二三 → 2023) when ``positional``; otherwise only a single digit is a number,
    since 三五个 means "three to five". None when it is not a number (二三十 "twenty or
    thirty", 万一, 百百)."""
    if not token:
        return None
    if all(ch in _CN_DIGITS for ch in token):
        if len(token) == 1:
            return _CN_DIGITS[token]
        return int("".join(str(_CN_DIGITS[ch]) for ch in token)) if positional else None
    total = 0  # the 万 part
    section = 0  # below 万
    digit: int | None = None  # a digit waiting for its unit
    smallest = 0  # the smallest unit of the section so far: units must decrease
    before = 0  # the unit just before the waiting digit (0: a 零 or nothing)
    wan = False
    for ch in token:
        if ch in _CN_DIGITS:
            if digit:  # two digits in a row, unless after 零
                return None
            before = 0 if digit == 0 else before
            digit = _CN_DIGITS[ch]
            continue
        if ch not in _CN_UNITS:
            return None
        unit = _CN_UNITS[ch]
        if unit == 10_000:
            if wan or section + (digit or 0) == 0:
                return None
            total, section, digit, smallest, wan = (section + (digit or 0)) * unit, 0, None, 0, True
        else:
            if (smallest and unit >= smallest) or digit == 0 or (digit is None and unit != 10):
                return None
            section += (1 if digit is None else digit) * unit
            digit, smallest = None, unit
        before = unit
    if digit:
        # 一百二: the digit after 百/千/万 counts in the next unit down
        section += digit * before // 10 if before >= 100 else digit
    return total + section


def _arabic(text: str) -> str | None:
    """Chinese numerals in a date replaced by digits: 二〇二三年六月五日 → 2023年6月5日;
    None when one of them is not a number."""
    source = _LATIN_ZERO.sub("〇", text)
    parts: list[str] = []
    last = 0
    for m in _CN_TOKEN.finditer(source):
        number = cn_number(m[0])
        if number is None:
            return None
        parts += (source[last : m.start()], str(number))
        last = m.end()
    return "".join(parts) + source[last:]


@dataclass(frozen=True)
class DateReading:
    moment: datetime | None
    # how the text was read when it was not an exact date: "" (exact, also for Chinese
    # numerals), "serial", "month", "no_year", "range", "time_range"
    note: str = ""
    hinted: bool = False  # the year came from the caller's hint (sheet title or name)


def _day(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime | None:
    try:
        return datetime(year, month, day, hour, minute)
    except ValueError:
        return None


def _clock(hour: str | None, minute: str | None) -> tuple[int, int]:
    return (int(hour), int(minute)) if hour is not None and minute is not None else (0, 0)


def read_date_text(text: str, year: int | None = None) -> DateReading:
    """A date cell typed as text, in the spellings of :func:`parse_date_text` and also:
    Chinese numerals (二〇二三年六月五日), an Excel serial number stored as text, a month
    only (2023年6月 → its first day), a day without year (6月5日, read in ``year``), a
    range (6月5日-7日 → its first day) and a trailing weekday that agrees with the
    date. ``note`` says how an inexact text was read; a text naming no real day reads
    as None."""
    cleaned = unicodedata.normalize("NFKC", text).strip()
    exact = _exact(cleaned)
    if exact is not None:
        return DateReading(exact)
    return _inexact(cleaned, year)


def _inexact(cleaned: str, year: int | None, numerals: bool = True) -> DateReading:
    if _SERIAL_TEXT.fullmatch(cleaned):
        moment = excel_serial(float(cleaned))
        return DateReading(moment, "serial" if moment else "")
    weekday = _WEEKDAY.search(cleaned)
    if weekday is not None:
        day_text = cleaned[: weekday.start()]
        exact = _exact(day_text)
        reading = DateReading(exact) if exact else _inexact(day_text, year, numerals)
        if reading.moment is None or reading.note in ("month", "range", "time_range"):
            return DateReading(None)
        written = _WEEKDAYS.index("日" if weekday[1] == "天" else weekday[1])
        return reading if reading.moment.weekday() == written else DateReading(None)
    if numerals and _CN_TOKEN.search(cleaned):
        converted = _arabic(cleaned)
        if converted is None:
            return DateReading(None)
        exact = _exact(converted)
        return DateReading(exact) if exact else _inexact(converted, year, numerals=False)
    m = _MONTH_ONLY.fullmatch(cleaned)
    if m is not None:
        return DateReading(_day(int(m[1]), int(m[2] or m[3]), 1), "month")
    m = _NO_YEAR.fullmatch(cleaned)
    if m is not None:
        if year is None:
            return DateReading(None)
        moment = _day(year, int(m[1]), int(m[2]), *_clock(m[3], m[4]))
        return DateReading(moment, "no_year", hinted=True)
    return _range(cleaned, year)


def _range(cleaned: str, year: int | None) -> DateReading:
    """6月5日-7日, 2023.6.5-6.7, 2023年6月5日至7日, 2023-06-05 09:00-11:00: the start,
    when the end is a real day (or time) not before it."""
    for mark in _RANGE_MARK.finditer(cleaned):
        start_text, end_text = cleaned[: mark.start()], cleaned[mark.end() :]
        if not start_text or not end_text:
            continue
        start = _exact(start_text)
        hinted = False
        if start is None:
            m = _NO_YEAR.fullmatch(start_text)
            if m is None or year is None:
                continue
            start, hinted = _day(year, int(m[1]), int(m[2]), *_clock(m[3], m[4])), True
            if start is None:
                continue
        t = _TIME_END.fullmatch(end_text)
        if t is not None:
            end = _day(start.year, start.month, start.day, int(t[1]), int(t[2]))
            if end is not None and end >= start and start.time() != datetime.min.time():
                return DateReading(start, "time_range", hinted)
            continue
        if _range_end(end_text, start) is not None:
            return DateReading(start, "range", hinted)
    return DateReading(None)


def _range_end(text: str, start: datetime) -> datetime | None:
    """The last day of a range, in the year and month of its start when it names none
    (12月30日-1月2日 ends in the next year)."""
    m = _RANGE_END.fullmatch(text)
    if m is None or (m[1] and not m[2]):
        return None
    month = int(m[2]) if m[2] else start.month
    end = _day(int(m[1]) if m[1] else start.year, month, int(m[3]), *_clock(m[4], m[5]))
    if end is not None and end < start and not m[1] and m[2]:
        end = _day(start.year + 1, month, int(m[3]), *_clock(m[4], m[5]))
    return end if end is not None and end >= start else None


def _title_years(text: str) -> set[int]:
    years: set[int] = set()
    for m in _YEAR.finditer(text):
        year = int(m[1])
        if not _YEAR_RANGE[0] <= year <= _YEAR_RANGE[1]:
            continue
        if m[2] and _day(year, int(m[2]), int(m[3])) is None:
            continue  # eight digits that are no date
        years.add(year)
    return years


def year_hint_of(texts: Iterable[str]) -> int | None:
    """The year a sheet's titles, its name or the file's name name (2023年饮用水水源地巡查
    台账, 2023.6, 二〇二三年, 台账20230605.xlsx): the first text that names exactly one
    year in 1990–2100 wins; a text naming two (2022-2023年) names none."""
    for text in texts:
        if not text:
            continue
        cleaned = unicodedata.normalize("NFKC", str(text))
        if _CN_TOKEN.search(cleaned):
            # only years written digit by digit: 两千份 is a count, not the year 2000
            cleaned = _CN_YEAR.sub(
                lambda m: "".join(str(_CN_DIGITS[ch]) for ch in m[0]),
                _LATIN_ZERO.sub("〇", cleaned),
            )
        years = _title_years(cleaned)
        if len(years) == 1:
            return years.pop()
    return None
