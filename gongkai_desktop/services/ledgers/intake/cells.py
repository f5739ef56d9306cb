"""Hand-kept ledger cells → the input ``forms.values.coerce_record`` accepts.

The way back of :mod:`ledger_cells` (what our export writes), widened to what clerks
type by hand: dates as date cells, Excel serial numbers or text (2023-06-05, 2023/6/5,
2023.6.5, 2023年6月5日), counts with words and units (1000余份, 约1100份, 50人次: the
number is kept and a warning noted), choices by label or synonym whatever the width of
their brackets, 是/否/√/×, multi-choice split on 、,，, repeat groups as dated lines.

Nothing here decides whether a value is valid: a cell that cannot be read is passed on
as its text so that ``coerce_record`` rejects it with the app's own message.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from gongkai_desktop.forms.spec import FieldSpec
from gongkai_desktop.services.io.cell_text import (
    DateReading,
    cn_number,
    excel_serial,
    is_blank,
    normalise,
    parse_date_text,
    read_date_text,
)
from gongkai_desktop.services.ledgers import cells as ledger_cells

# 约1100份, 1000余份, 50人次, 共计3,200人, 1.2万份, 300多人, 20左右, 2.5公里
_COUNT_TEXT = re.compile(
    r"(?P<pre>约|大约|近|将近|共计|合计|累计|共|计|逾|超过)?"
    r"(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?"
    r"(?P<wan>万)?(?P<approx>余|多)?"
    r"(?P<unit>[\u4e00-\u9fffA-Za-z/()（）]{0,6}?)"
    r"(?P<post>左右|以上|余|多)?"
)
# 十二, 约三十人, 一百二十人次, 两千余份, 三点五公里
_CN_COUNT = re.compile(
    r"(?P<pre>约|大约|近|将近|共计|合计|累计|共|计|逾|超过)?"
    r"(?P<num>[〇○零一二两三四五六七八九十百千万]+)(?:点(?P<frac>[〇○零一二三四五六七八九]+))?"
    r"(?P<approx>余|多)?(?P<unit>[\u4e00-\u9fff]{0,4}?)(?P<post>左右|以上|余|多)?"
)
# What may follow a count in Chinese numerals: unlike 50人次, 一些, 一般, 十分 and 十几人
# are words, not counts, so the unit must be a measure word (or the field's own unit).
_MEASURE_WORDS = frozenset({
    "人", "人次", "次", "份", "张", "条", "册", "本", "个", "户", "件", "处", "场", "名", "位", "套", "幅",
    "块", "辆", "车次", "台", "篇", "期", "批", "家", "所", "项", "宗", "起", "例", "组", "队", "支", "只",
    "头", "座", "棵", "株", "面", "间", "栋", "袋", "箱", "页", "封", "元", "万元", "天", "日", "小时", "公里",
    "千米", "米", "平方米", "亩", "公顷", "吨", "斤", "公斤", "千克",
})  # fmt: skip
_UNIT_PARTS = re.compile(r"[\u4e00-\u9fff]+")
_APPROX_WORDS = frozenset({"约", "大约", "近", "将近", "逾", "超过"})
_TRUE_EXTRA = {"✓", "✔", "☑", "对", "有"}
_FALSE_EXTRA = {"✗", "✘", "x", "X", "☐", "错", "无", "没有"}


_SEEN_LIMIT = 20_000
_TEXT_TYPES = ("text", "multiline", "person")


@dataclass(frozen=True)
class Converted:
    value: Any  # input for coerce_record; None = empty
    warning: str = ""


def cell_text(value: Any) -> str:
    """A cell as the clerk sees it (for messages and the error workbook)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return ledger_cells.cn_date(value.date())
        return f"{ledger_cells.cn_date(value.date())} {value:%H:%M}"
    if isinstance(value, date):
        return ledger_cells.cn_date(value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _moment(value: Any, year: int | None = None) -> DateReading:
    """The moment of a date cell (None when it has none) and how an inexact text was
    read: see ``read_date_text``."""
    if isinstance(value, datetime):
        return DateReading(value)
    if isinstance(value, date):
        return DateReading(datetime(value.year, value.month, value.day))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return DateReading(excel_serial(float(value)))
    if isinstance(value, str):
        return read_date_text(value, year)
    return DateReading(None)


def _date_warning(text: str, reading: DateReading, year: int | None, with_time: bool) -> str:
    moment = reading.moment
    if moment is None:
        return ""
    shown = ledger_cells.cn_date(moment.date())
    if with_time and moment.time() != time(0, 0):
        shown += f" {moment:%H:%M}"
    hinted = f"（年份按工作表标题或名称中的{year}年）" if reading.hinted else ""
    if reading.note == "month":
        return f"“{text}”只有月份，按 {shown} 导入"
    if reading.note == "no_year":
        return f"“{text}”未写年份，按工作表标题或名称中的{year}年导入为 {shown}"
    if reading.note == "range":
        return f"“{text}”是日期范围，按开始日期 {shown} 导入{hinted}"
    if reading.note == "time_range":
        return f"“{text}”是时间范围，按开始时间 {shown} 导入{hinted}"
    return ""  # Excel serial numbers stored as text are exact


def _spelled_count(spec: FieldSpec, text: str) -> str | None:
    """A count in Chinese numerals in digits (约三十人 → 约30人, 三点五公里 → 3.5公里),
    for ``_COUNT_TEXT``; None when it is no count."""
    m = _CN_COUNT.fullmatch(text)
    if m is None:
        return None
    whole = cn_number(m["num"], positional=False)
    if whole is None:
        return None
    unit = m["unit"]
    if unit and unit not in _MEASURE_WORDS and unit not in _UNIT_PARTS.findall(spec.unit):
        return None
    # decimals after 点 are read digit by digit: 三点零五 is 3.05
    frac = "".join(str(cn_number(ch)) for ch in m["frac"]) if m["frac"] else ""
    number = f"{whole}.{frac}" if frac else str(whole)
    return f"{m['pre'] or ''}{number}{m['approx'] or ''}{unit}{m['post'] or ''}"


def _number(spec: FieldSpec, value: Any) -> Converted:
    if isinstance(value, bool):
        return Converted(value)
    if isinstance(value, int | float):
        if isinstance(value, float) and value.is_integer() and spec.type == "integer":
            return Converted(int(value))
        return Converted(value)
    shown = str(value).strip()
    text = unicodedata.normalize("NFKC", shown).replace(" ", "")
    m = _COUNT_TEXT.fullmatch(text)
    spelled = False
    if m is None:
        digits = _spelled_count(spec, text)
        m = _COUNT_TEXT.fullmatch(digits) if digits is not None else None
        if m is None:
            return Converted(shown)
        spelled = True
    number = Decimal(m["num"].replace(",", "") + (f".{m['frac']}" if m["frac"] else ""))
    if m["wan"]:
        number *= 10_000
    result: int | str = int(number) if number == number.to_integral_value() else str(number)
    approximate = bool(m["approx"] or m["post"] or m["pre"] in _APPROX_WORDS)
    if not (spelled or m["pre"] or m["approx"] or m["post"] or m["unit"] or m["wan"]):
        return Converted(result)  # at most thousands separators
    note = "约数，" if approximate else ""
    return Converted(result, f"“{shown}”{note}按 {result} 导入")


def _choice_map(spec: FieldSpec) -> dict[str, str]:
    mapping = {normalise(label): label for label in spec.choices}
    for synonym, label in spec.choice_synonyms.items():
        mapping.setdefault(normalise(synonym), label)
    return mapping


def _choice(spec: FieldSpec, value: Any, mapping: dict[str, str]) -> Any:
    text = cell_text(value).strip()
    return mapping.get(normalise(text), text)


def repeat_rows(spec: FieldSpec, value: Any) -> list[dict[str, Any]] | str:
    """A repeat-group cell (``2024年5月6日：进展``, one line per row) → rows. A line
    without a leading date continues the row above it."""
    date_child = next((c for c in spec.fields if c.type == "date"), None)
    others = [c for c in spec.fields if c is not date_child and c.type != "photos"]
    rows: list[dict[str, Any]] = []
    for day, rest in ledger_cells.split_repeat_lines(cell_text(value)):
        if day is None:
            parsed = _leading_date(rest)
            if parsed is not None:
                day, rest = parsed
        if day is None and rows and others:
            key = others[-1].key
            previous = rows[-1].get(key, "")
            rows[-1][key] = f"{previous}\n{rest}" if previous else rest
            continue
        row: dict[str, Any] = {}
        if date_child is not None and day is not None:
            row[date_child.key] = day.isoformat()
        parts = rest.split(ledger_cells.REPEAT_PART_JOINER, max(len(others) - 1, 0))
        for child, part in zip(others, parts, strict=False):
            if not part.strip():
                continue
            # a second date in the line (征求意见: sent … returned) in any spelling
            moment = parse_date_text(part.strip()) if child.type == "date" else None
            row[child.key] = moment.date().isoformat() if moment else part.strip()
        rows.append(row)
    return rows


def _leading_date(line: str) -> tuple[date, str] | None:
    """``2024-05-06：…``, ``2024.5.6 …``: other spellings of a repeat line's date."""
    m = re.match(
        r"\s*(\d{4}\s*[-/.．年]\s*\d{1,2}\s*[-/.．月]\s*\d{1,2}\s*日?)\s*[:：,，\s]\s*", line
    )
    if m is None:
        return None
    moment = parse_date_text(m[1])
    return None if moment is None else (moment.date(), line[m.end() :])


class CellConverter:
    """Converts cells of one field; the choice map is built once."""

    def __init__(self, spec: FieldSpec, year_hint: int | None = None) -> None:
        self.spec = spec
        self.year = year_hint  # the year of dates written without one (6月5日)
        self._seen: dict[str, Converted] = {}
        self.choices = _choice_map(spec) if spec.type in ("choice", "multi_choice") else {}

    def convert(self, value: Any) -> Converted:
        # the same texts recur down a column (dates, names, counts): read each once
        if isinstance(value, str):
            hit = self._seen.get(value)
            if hit is None:
                hit = self._convert(value)
                immutable = isinstance(hit.value, str | int | float | bool) or hit.value is None
                if immutable and len(self._seen) < _SEEN_LIMIT:
                    self._seen[value] = hit
            return hit
        return self._convert(value)

    def _convert(self, value: Any) -> Converted:
        spec, t = self.spec, self.spec.type
        if t in _TEXT_TYPES:
            # a dash or slash in a text cell is what the clerk typed (a name "-" exports
            # as "-"): only typed cells (dates, numbers, choices) read it as "nothing"
            if value is None or (isinstance(value, str) and not value.strip()):
                return Converted(None)
        elif is_blank(value):
            return Converted(None)
        if t in ("date", "datetime"):
            reading = _moment(value, self.year)
            moment = reading.moment
            if moment is None:
                return Converted(cell_text(value).strip())
            warning = (
                _date_warning(str(value).strip(), reading, self.year, t == "datetime")
                if reading.note
                else ""
            )
            if t == "date":
                return Converted(moment.date().isoformat(), warning)
            return Converted(moment.isoformat(timespec="minutes"), warning)
        if t in ("integer", "decimal"):
            return _number(spec, value)
        if t == "boolean":
            if isinstance(value, bool):
                return Converted(value)
            text = cell_text(value).strip()
            if text in _TRUE_EXTRA:
                return Converted(True)
            if text in _FALSE_EXTRA:
                return Converted(False)
            return Converted(text)
        if t == "choice":
            return Converted(_choice(spec, value, self.choices))
        if t == "multi_choice":
            items = ledger_cells.split_multi(cell_text(value))
            return Converted([self.choices.get(normalise(i), i) for i in items])
        if t == "repeat":
            return Converted(repeat_rows(spec, value) or None)
        if t in (*_TEXT_TYPES, "site"):
            if isinstance(value, datetime | date | time):
                if isinstance(value, time):
                    return Converted(value.strftime("%H:%M"))
                return Converted(cell_text(value))
            return Converted(cell_text(value))
        return Converted(value)
