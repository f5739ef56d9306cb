"""What every printed .xlsx of the app shares (ledgers, summary reports, the
政府信息公开工作年度报告): the page footer, and measuring text for row heights — Excel
and LibreOffice do not fit a row to wrapped or merged text, so the writers set every
height themselves from these measures.
"""

from __future__ import annotations

FOOTER_TEXT = "第 &P 页 共 &N 页"
UNIT_SIZE = 11  # the font size (pt) text_width measures in


def text_width(text: str) -> float:
    """Width of a line in column-width units: a Chinese character takes two, a Latin
    letter or digit a little over one (UTF-8 needs three bytes for the former, one for
    the latter; the margin covers fonts whose digits are wider than the unit, such as
    the fallbacks LibreOffice uses where 宋体 is missing)."""
    wide = (len(text.encode("utf-8")) - len(text)) // 2
    return 2 * wide + 1.15 * (len(text) - wide)


def line_count(text: str, width: float, scale: float = 1.0) -> int:
    """Lines ``text`` takes in a cell ``width`` units wide, at ``scale`` times the size
    text_width measures in."""
    usable = max(1.0, width - 1.2)
    lines = 0
    for part in text.split("\n"):
        needed = text_width(part) * scale
        lines += max(1, -int(-needed // usable))
    return lines
