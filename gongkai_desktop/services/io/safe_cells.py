"""Writing text into a spreadsheet cell safely: text Excel would take as a formula (or
DDE) must stay text. Shared by every writer of .xlsx files (ledgers, reports, the
政府信息公开 report) and by the ledger import, which reads such cells back."""

from __future__ import annotations

# A string starting with one of these would be read by Excel as a formula (or DDE).
# (LF too: the ledgers write a leading CR as LF.) The full-width forms too: Excel with a
# Chinese input method reads ＝１＋１ as the formula =1+1 once the cell is edited.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def needs_quote_prefix(value: object) -> bool:
    """True for text Excel would otherwise take as a formula: store it as a string
    (``data_type = "s"``) with ``quotePrefix``."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)
