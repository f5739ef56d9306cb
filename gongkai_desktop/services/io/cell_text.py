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
    r"(\d{4})\s*(?:[-/.．年])\s*(\d{1,2})\s*(?:[-/.．月])\s*(\d{1,2})\s*日?"
    r"(?:\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})\s*分?(?:\s*[:：]\s*(\d{1,2})\s*秒?)?)?"
)
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
    """2023-06-05, 2023/6/5, 2023.6.5, 2023.06.05, 2023年6月5日, 20230605, optionally
    followed by a time; None when it is none of these or not a real day."""
    cleaned = unicodedata.normalize("NFKC", text).strip()
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
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000}
_CN_TOKEN = re.compile(r"[〇○零一二两三四五六七八九十百千万]+")
_MONTH_ONLY = re.compile(r"(\d{4})\s*[-/.．年]\s*(\d{1,2})\s*月?")
_NO_YEAR = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_SERIAL_TEXT = re.compile(r"\d{5}(?:\.0+)?")
_RANGE_MARK = re.compile(r"\s*(?:[-—–~～至到]+|－)\s*")
_RANGE_END = re.compile(r"(?:\d{4}\s*[-/.．年]\s*)?(?:\d{1,2}\s*[-/.．月]\s*)?\d{1,2}\s*[日号]?")
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2}|2100)(?!\d)")
_EXCEL_EPOCH = datetime(1899, 12, 30)


def cn_number(token: str) -> int | None:
    """一百二十 → 120, 两千 → 2000, 十二 → 12, 二〇二三 → 2023 (digit by digit when the
    token has no 十/百/千/万); None when it is not a number."""
    if not token or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in token):
        return None
    if not any(ch in _CN_UNITS for ch in token):
        return int("".join(str(_CN_DIGITS[ch]) for ch in token))
    total, section, digit = 0, 0, None
    for ch in token:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
            continue
        unit = _CN_UNITS[ch]
        if unit == 10_000:
            total += (section + (digit or 0)) * unit
            section, digit = 0, None
        else:
            section += (1 if digit is None else digit) * unit
            digit = None
    return total + section + (digit or 0)


def _arabic(text: str) -> str:
    """Chinese numerals in a date replaced by digits: 二〇二三年六月五日 → 2023年6月5日."""
    return _CN_TOKEN.sub(lambda m: str(cn_number(m[0])), text)


@dataclass(frozen=True)
class DateReading:
    moment: datetime | None
    note: str = ""  # how the text was read when it was not an exact date ("" = exact)


def _day(year: int, month: int, day: int) -> datetime | None:
    try:
        return datetime(year, month, day)
    except ValueError:
        return None


def read_date_text(text: str, year: int | None = None) -> DateReading:
    """A date cell typed as text, in the spellings of :func:`parse_date_text` and also:
    Chinese numerals (二〇二三年六月五日), an Excel serial number stored as text, a month
    only (2023年6月 → its first day), a day without year (6月5日, read in ``year``) and
    a range (6月5日-7日 → its first day). ``note`` says how an inexact text was read."""
    cleaned = unicodedata.normalize("NFKC", text).strip()
    exact = parse_date_text(cleaned)
    if exact is not None:
        return DateReading(exact)
    if _SERIAL_TEXT.fullmatch(cleaned):
        serial = float(cleaned)
        if 10_000 <= serial <= 80_000:
            return DateReading(_EXCEL_EPOCH + timedelta(days=serial), "serial")
        return DateReading(None)
    if _CN_TOKEN.search(cleaned):
        converted = _arabic(cleaned)
        if converted != cleaned:
            reading = read_date_text(converted, year)
            return (
                reading
                if reading.note or reading.moment is None
                else DateReading(reading.moment, "")
            )
    for mark in _RANGE_MARK.finditer(cleaned):
        start, end = cleaned[: mark.start()], cleaned[mark.end() :]
        if not start or not _RANGE_END.fullmatch(end):
            continue
        first = read_date_text(start, year)
        if first.moment is not None and first.note in ("", "no_year"):
            return DateReading(first.moment, "range")
    m = _MONTH_ONLY.fullmatch(cleaned)
    if m is not None:
        return DateReading(_day(int(m[1]), int(m[2]), 1), "month")
    m = _NO_YEAR.fullmatch(cleaned)
    if m is not None and year is not None:
        return DateReading(_day(year, int(m[1]), int(m[2])), "no_year")
    return DateReading(None)


def year_hint_of(texts: Iterable[str]) -> int | None:
    """The year a sheet's titles, its name or the file's name name: the first text that
    names exactly one year (a text naming two, such as 2022-2023年, names none)."""
    for text in texts:
        if not text:
            continue
        cleaned = _arabic(unicodedata.normalize("NFKC", str(text)))
        years = {int(y) for y in _YEAR.findall(cleaned) if 1990 <= int(y) <= 2100}
        if len(years) == 1:
            return years.pop()
    return None
