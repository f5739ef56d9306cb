"""What a report says, as plain objects every output renders the same way.

The monthly summary (PDF through ``render/``, .xlsx, .docx), the annual report (.docx,
.xlsx) and the 政府信息公开工作年度报告 (.docx, .xlsx) are built from these objects, so
the PDF, the spreadsheet and the Word file of one report never disagree: the numbers,
sentences and table layouts (merged header cells, row labels) are decided once, in
``reports/`` and ``disclosure/report.py``, and the writers — ``official_docx`` for Word,
``sheet_tables`` for Excel — only lay them out. Nothing here knows docx or openpyxl.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

Cell = str | int | float

LEFT, CENTRE = "left", "center"


@dataclass(frozen=True)
class TableCell:
    """A cell that spans rows or columns, or is set apart from the rest of its row.

    ``bold`` None means as its row: header rows and the 合计 row bold, the rest not.
    ``align`` is ``LEFT`` or ``CENTRE``; "" lets the writer choose (header cells centred,
    body text that wraps left-aligned, the rest centred). ``number_format`` is written
    the way Excel spells it ("0", "0.00"); "" prints an int as is (format "0") and
    anything else in the General format.
    """

    value: Cell
    rows: int = 1
    cols: int = 1
    bold: bool | None = None
    align: str = ""
    number_format: str = ""

    def __post_init__(self) -> None:
        if self.rows < 1 or self.cols < 1:
            raise ValueError(f"{self.value!r}: a cell spans at least one row and column")
        if self.align not in ("", LEFT, CENTRE):
            raise ValueError(f"{self.value!r}: align is {LEFT!r}, {CENTRE!r} or empty")


Entry = Cell | TableCell  # a plain value is a TableCell of one row and column


@dataclass(frozen=True)
class Placed:
    """A cell where it falls on the table's grid: rows and columns from 0, inclusive,
    header rows first, with its weight and highlight resolved."""

    cell: TableCell
    row: int
    col: int
    last_row: int
    last_col: int
    header: bool
    bold: bool
    marked: bool

    @property
    def spans(self) -> bool:
        return self.last_row > self.row or self.last_col > self.col


def cell_text(value: Cell, number_format: str = "", show_zeros: bool = True) -> str:
    """A value as printed: "0.00" gives two decimals, "0" none; a zero is "" when the
    table does not show zeros."""
    if isinstance(value, bool | str):
        return str(value)
    if value == 0 and not show_zeros:
        return ""
    if number_format == "0" or (not number_format and isinstance(value, int)):
        return str(round(value))
    if number_format.startswith("0.") and set(number_format[2:]) == {"0"}:
        return f"{value:.{len(number_format) - 2}f}"
    return str(value)


def _as_cell(entry: Entry) -> TableCell:
    return entry if isinstance(entry, TableCell) else TableCell(entry)


def entry_value(entry: Entry) -> Cell:
    """The value of a row entry, plain or a TableCell."""
    return entry.value if isinstance(entry, TableCell) else entry


@dataclass(frozen=True)
class ReportTable:
    """A table: a caption, a header, body rows.

    A simple table has one header row of labels (``headers``) and body rows of plain
    values, one per header. An official form's table may have a header of several
    levels (``header_rows``, in place of ``headers``; or no header at all) and cells that
    span rows or columns (``TableCell``), row labels in several columns included. The
    rows are given as in HTML: each row lists its cells left to right, leaving out the
    places a cell from a row above still covers.

    ``marked`` holds indexes of body rows to highlight (overdue tasks); ``total_row``
    says the last body row is a 合计 row (printed bold). ``empty_text`` is printed in
    one full-width row when there are no body rows, so an empty table still says so.
    ``show_zeros`` prints 0 as 0 (the official forms print every number).
    """

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Entry, ...], ...]
    marked: frozenset[int] = frozenset()
    total_row: bool = False
    empty_text: str = "无"
    note: str = ""  # a line printed under the table (e.g. "另有3项未列出")
    # relative column widths, one per column of the grid; writers scale them to the page
    widths: tuple[float, ...] = ()
    header_rows: tuple[tuple[Entry, ...], ...] = ()
    show_zeros: bool = True

    def __post_init__(self) -> None:
        if self.headers and self.header_rows:
            raise ValueError(f"{self.caption}: headers or header_rows, not both")
        _placed, columns = self._place()  # raises on rows that do not fit the grid
        if self.widths and len(self.widths) != columns:
            raise ValueError(f"{self.caption}: widths do not match the columns")

    @property
    def head(self) -> tuple[tuple[Entry, ...], ...]:
        """The header rows, top to bottom (none, one, or several levels)."""
        return self.header_rows or ((self.headers,) if self.headers else ())

    @property
    def simple(self) -> bool:
        """One header row of labels over plain values: no cell spans."""
        return not self.header_rows and not any(
            isinstance(v, TableCell) and (v.rows > 1 or v.cols > 1)
            for row in self.rows
            for v in row
        )

    @property
    def column_count(self) -> int:
        return self._place()[1]

    def placed(self) -> tuple[Placed, ...]:
        """Every cell on the grid, header rows first, in reading order."""
        return self._place()[0]

    def _place(self) -> tuple[tuple[Placed, ...], int]:
        head = self.head
        all_rows = (*head, *self.rows)
        if not all_rows:
            return (), len(self.widths)
        columns = sum(_as_cell(v).cols for v in all_rows[0])
        covered: set[tuple[int, int]] = set()
        placed: list[Placed] = []
        last_body = len(self.rows) - 1
        for r, entries in enumerate(all_rows):
            header = r < len(head)
            body = r - len(head)
            col = 0
            for entry in entries:
                cell = _as_cell(entry)
                while (r, col) in covered:
                    col += 1
                last_col = col + cell.cols - 1
                last_row = r + cell.rows - 1
                block = {(a, b) for a in range(r, last_row + 1) for b in range(col, last_col + 1)}
                if last_col >= columns or last_row >= len(all_rows) or block & covered:
                    raise ValueError(f"{self.caption}: {cell.value!r} does not fit the grid")
                if header and last_row >= len(head):
                    raise ValueError(f"{self.caption}: a header cell spans into the body")
                covered |= block
                is_total = not header and self.total_row and body == last_body
                bold = cell.bold if cell.bold is not None else header or is_total
                marked = not header and body in self.marked
                placed.append(Placed(cell, r, col, last_row, last_col, header, bold, marked))
                col = last_col + 1
            if any((r, c) not in covered for c in range(columns)):
                raise ValueError(f"{self.caption}: row {entries!r} does not fill the columns")
        return tuple(placed), columns


@dataclass(frozen=True)
class Block:
    """One block of an official document's body: ``heading1`` (一、 黑体),
    ``heading2`` (（一） 楷体), ``paragraph`` (仿宋, indented two characters)
    or ``table``."""

    kind: str
    text: str = ""
    table: ReportTable | None = None


@dataclass(frozen=True)
class Signature:
    filler: str = ""
    reviewer: str = ""
    phone: str = ""

    def line(self) -> str:
        """The 填表人／审核人／联系电话 line printed under summaries, as on the ledgers."""
        return (
            f"填表人：{self.filler or '　' * 4}　　审核人：{self.reviewer or '　' * 4}"
            f"　　联系电话：{self.phone or '　' * 6}"
        )


@dataclass(frozen=True)
class Photo:
    path: str  # absolute path of the stored copy
    caption: str


# how an office names itself in running text, by the end of its name: 我局, 我办, …
_OFFICE_SUFFIXES = (("办公室", "办"), ("中心", "中心"), ("局", "局"), ("办", "办"),
                    ("站", "站"), ("所", "所"), ("委", "委"))  # fmt: skip
# words after a township's own name in a unit's name: 龙河镇人民政府, 城东街道办事处
_SEAT_WORDS = ("人民政府", "办事处", "党委", "政府")


def _township_kind(name: str) -> str | None:
    for word in _SEAT_WORDS:
        name = name.removesuffix(word)
    return next((k for k in ("街道", "乡", "镇") if name.endswith(k)), None)


def we(township: str, unit: str) -> str:
    """How the office names itself in running text: 我镇, 我乡, 我街道 for a township's
    government, 我局, 我办, 我中心 … for a bureau or office (its unit name decides), else
    by the township of 设置; 我镇 when neither is set."""
    unit, township = unit.strip(), township.strip()
    kind = _township_kind(unit)
    if kind is None:
        kind = next((k for end, k in _OFFICE_SUFFIXES if unit.endswith(end)), None)
    if kind is None:
        kind = _township_kind(township)
    return f"我{kind or '镇'}"


def join_cn(items: list[str]) -> str:
    """A、B和C: the way a Chinese list reads in running text."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return "、".join(items[:-1]) + "和" + items[-1]


def percent(done: int, required: int) -> str:
    """完成率 as printed: one decimal, "—" where nothing was required."""
    if required <= 0:
        return "—"
    return f"{done * 100 / required:.1f}%"


def counted(label: str, n: int, unit: str) -> str:
    """饮用水水源地巡查8次; a label ending in a digit is quoted so the numbers do not run
    together (“12345”5项)."""
    shown = f"“{label}”" if label[-1:].isdigit() else label
    return f"{shown}{n}{unit}"


def nonzero_parts(counts: dict[str, Any], unit: str) -> list[str]:
    """["饮用水水源地巡查8次", …] for the labels with a non-zero count, in form order."""
    return [counted(label, n, unit) for label, n in counts.items() if n]


def short_name(unit: str) -> str:
    """The short name a township signs its 文号 with: 龙河镇人民政府 → 龙河, 城东街道办事处
    → 城东; a bureau or office keeps its name (its short form is the clerk's choice)."""
    name = unit.strip()
    for word in _SEAT_WORDS:
        name = name.removesuffix(word)
    kind = _township_kind(name)
    if kind and len(name) > len(kind) + 1:
        return name.removesuffix(kind)
    return name


_QUOTES = {"“": "”", '"': '"', "「": "」"}


def quoted(text: str) -> str:
    """``text`` in Chinese double quotes, once: a pair already around it is not doubled
    and quotation marks inside become single ones (“开展‘六五环境日’宣传”)."""
    text = text.strip()
    if len(text) > 1 and _QUOTES.get(text[0]) == text[-1]:
        inner = text[1:-1]
        if not any(q in inner for q in '“”"「」'):  # one pair around the whole text
            text = inner
    text = re.sub(r"[“「]", "‘", text)
    text = re.sub(r"[”」]", "’", text)
    text = re.sub(r'"([^"]*)"', r"‘\1’", text)
    return f"“{text}”"


# 文号 patterns of 设置 (依申请公开文书文号): {年} is the year, {序号} the number in the year
YEAR_MARK, SEQUENCE_MARK = "{年}", "{序号}"


def number_pattern_problem(pattern: str) -> str:
    """Why a 文号 pattern cannot be used ("" when it can): it needs {序号} and knows no
    placeholder but {年} and {序号}."""
    unknown = [m for m in re.findall(r"\{[^{}]*\}", pattern) if m not in (YEAR_MARK, SEQUENCE_MARK)]
    if unknown:
        return f"不认识的占位符{'、'.join(unknown)}：只能用{YEAR_MARK}和{SEQUENCE_MARK}"
    if SEQUENCE_MARK not in pattern:
        return f"须含{SEQUENCE_MARK}，例如 龙河公开〔{YEAR_MARK}〕{SEQUENCE_MARK}号"
    return ""


def fill_number(pattern: str, year: int, sequence: int) -> str:
    """A 文号 from its pattern: 龙河公开〔{年}〕{序号}号 → 龙河公开〔2023〕1号."""
    return pattern.replace(YEAR_MARK, str(year)).replace(SEQUENCE_MARK, str(sequence))


def default_number_pattern(unit: str) -> str:
    """The 文号 pattern used while 设置 has none: the unit's short name + 公开〔{年}〕{序号}号."""
    return f"{short_name(unit)}公开〔{YEAR_MARK}〕{SEQUENCE_MARK}号"
