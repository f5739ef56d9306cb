"""How a stored value becomes an Excel cell of a ledger, and back: shared by the export
(``ledger_export``) and the import (``ledger_import``) so both sides agree.

Conventions every ledger follows:

- date → a real date cell, number format ``yyyy"年"m"月"d"日"``; datetime likewise with the time;
- integer → int (format ``0``); decimal → float (``0.00`` for two decimals);
- boolean → 是 / 否; choice → its label; multi_choice → labels joined with 、;
- site / record → the site's (record's) name; person, text, multiline → the text;
- photos → the number of photos (0 when there are none);
- repeat group → one line per row, ``2024年5月6日：进展情况`` (the row's first date child
  first, the other non-photo children joined with ，), lines joined with a line break;
- text that starts with ``= + - @``, tab or CR stays text: the cell is typed as a string
  and styled with ``quotePrefix`` (see :func:`needs_quote_prefix`), never a formula;
- characters XML cannot hold (control characters other than tab, CR, LF) are dropped, and
  a CR (or CR LF) is written as a line break: XML readers, Excel's included, turn a bare
  CR in the file into LF anyway, so the cell holds what every reader will see.

Empty values give an empty cell (``None``), except photos, which count 0.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from gongkai_desktop.forms.spec import FieldSpec
from gongkai_desktop.services.io.safe_cells import needs_quote_prefix as needs_quote_prefix

CellData = str | int | float | date | datetime | None

DATE_FORMAT = 'yyyy"年"m"月"d"日"'
DATETIME_FORMAT = 'yyyy"年"m"月"d"日" hh:mm'
INTEGER_FORMAT = "0"
GENERAL_FORMAT = "General"

TRUE_TEXT = "是"
FALSE_TEXT = "否"
MULTI_JOINER = "、"
REPEAT_LINE_JOINER = "\n"
REPEAT_DATE_SEPARATOR = "："  # full-width colon after the date of a repeat line
REPEAT_PART_JOINER = "，"  # between the other values of one repeat row

# Fixed texts of the sheet around the table (the import skips them).
SERIAL_LABEL = "序号"
NO_RECORDS_TEXT = "本期无记录"  # the one row of a ledger with no records (序号 empty)
TOTAL_LABEL = "合计"  # first cell of the row under the table that sums its numbers
FOOTER_FILLER = "填表人："  # the line under the table starts with this
FOOTER_REVIEWER = "审核人："
FOOTER_PHONE = "联系电话："
UNIT_PREFIX = "填报单位（盖章）："
DATE_PREFIX = "填报日期："

# Same splitting as forms.values (multi-choice input accepts these separators too).
MULTI_SPLIT = re.compile(r"[、,，;；/\n]+")
REPEAT_LINE = re.compile(
    r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*[：:]\s*(.*?)\s*$", re.S
)


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def decimal_format(decimals: int | None) -> str:
    if decimals is None:
        return GENERAL_FORMAT
    return "0" if decimals == 0 else "0." + "0" * decimals


def number_format(spec: FieldSpec) -> str:
    """The cell number format of a column showing ``spec``."""
    t = spec.type
    if t == "date":
        return DATE_FORMAT
    if t == "datetime":
        return DATETIME_FORMAT
    if t in ("integer", "photos"):
        return INTEGER_FORMAT
    if t == "decimal":
        return decimal_format(spec.decimals)
    return GENERAL_FORMAT


def clean_text(text: str) -> str:
    """Text as a cell can hold it: characters XML forbids are dropped, CR becomes LF."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and len(value) == 0)


def _number(value: Any) -> int | float | str:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return clean_text(str(value))  # a value the form no longer accepts: show it as it is
    return int(number) if number.is_integer() else number


def _date(value: Any) -> date | str:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return clean_text(str(value))


def _datetime(value: Any) -> datetime | str:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return clean_text(str(value))


def repeat_text(spec: FieldSpec, rows: Any, names: Mapping[str, str] | None = None) -> str:
    """A repeat group as dated lines: ``2024年5月6日：进展情况``."""
    if not isinstance(rows, list):
        return ""
    date_child = next((c for c in spec.fields if c.type == "date"), None)
    others = [c for c in spec.fields if c is not date_child and c.type != "photos"]
    lines = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        parts = []
        for child in others:
            cell = cell_value(child, row.get(child.key), names)
            if cell is None:
                continue
            parts.append(cn_date(cell) if isinstance(cell, date) else str(cell))
        text = REPEAT_PART_JOINER.join(parts)
        day = _date(row.get(date_child.key)) if date_child is not None else None
        if isinstance(day, date):
            text = f"{cn_date(day)}{REPEAT_DATE_SEPARATOR}{text}"
        lines.append(text)
    return clean_text(REPEAT_LINE_JOINER.join(lines))


def cell_value(spec: FieldSpec, value: Any, names: Mapping[str, str] | None = None) -> CellData:
    """Stored value → the value written into the ledger cell (see the module docstring).

    ``names``: site (and linked record) id → name.
    """
    t = spec.type
    if t == "photos":
        return len(value) if isinstance(value, list) else 0
    if _is_empty(value):
        return None
    if t == "date":
        return _date(value)
    if t == "datetime":
        return _datetime(value)
    if t in ("integer", "decimal"):
        return _number(value)
    if t == "boolean":
        return TRUE_TEXT if value else FALSE_TEXT
    if t == "multi_choice":
        items = value if isinstance(value, list) else [value]
        return clean_text(MULTI_JOINER.join(str(v) for v in items))
    if t in ("site", "record"):
        return clean_text((names or {}).get(value, str(value)))
    if t == "repeat":
        return repeat_text(spec, value, names) or None
    return clean_text(str(value))


# ---- the way back (import) -------------------------------------------------------------
def split_multi(text: str) -> list[str]:
    """The labels of a multi-choice cell (、 and the other usual separators)."""
    return [part.strip() for part in MULTI_SPLIT.split(text) if part.strip()]


def split_repeat_lines(text: str) -> list[tuple[date | None, str]]:
    """Lines of a repeat-group cell as (date, rest); a line without a leading
    ``YYYY年M月D日：`` gives (None, line)."""
    result: list[tuple[date | None, str]] = []
    for line in re.split(r"\r\n|\r|\n", text):
        if not line.strip():
            continue
        m = REPEAT_LINE.match(line)
        if m is None:
            result.append((None, line.strip()))
            continue
        try:
            day: date | None = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            result.append((None, line.strip()))
            continue
        result.append((day, m[4]))
    return result


def bool_from_text(text: str) -> bool | None:
    """是 / 否 (and nothing else) as written by the export; None for anything else."""
    stripped = text.strip()
    if stripped == TRUE_TEXT:
        return True
    if stripped == FALSE_TEXT:
        return False
    return None
