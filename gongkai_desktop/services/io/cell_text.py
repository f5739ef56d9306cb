"""Reading what people type into spreadsheet cells: labels compared loosely, cells that
mean "nothing here", dates in the spellings clerks use. Shared by every reader of
hand-kept workbooks (ledger import, the holiday table)."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
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
