"""Where a hand-kept ledger's table is: the header row below any title rows (one or two
levels, merged group cells), which sheet column holds which ledger column, and which
rows end the table (填表人／审核人／联系电话, 填报单位, 合计)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gongkai_desktop.forms.spec import FieldSpec, FormRegistry, FormSpec, LedgerColumn, LedgerSpec
from gongkai_desktop.services.io.cell_text import is_blank, normalise
from gongkai_desktop.services.ledgers.intake.cells import CellConverter, cell_text

HEADER_SCAN_ROWS = 30
SERIAL_HEADERS = frozenset({"序号", "序"})
# columns our own error workbook adds: ignored on re-import
ROW_NUMBER_HEADER = "原表行号"
ERROR_HEADER = "错误说明"
IGNORED_HEADERS = frozenset({normalise(ROW_NUMBER_HEADER), normalise(ERROR_HEADER)})

_FOOTER = re.compile(
    r"^(填表人|审核人|制表人|统计人|填报人|经办人|单位负责人|分管领导|负责人|审核|制表|"
    r"联系电话|填报单位|报送单位|填报日期|报出日期|报送日期|注|备注|说明)\s*[:：]"
)
_FOOTER_WORDS = ("填表人", "审核人", "制表人", "填报单位")
_TOTALS = frozenset({"合计", "总计", "小计", "总合计"})
# the one row our export writes for a period without records
_NO_RECORDS = frozenset({"本期无记录", "无记录"})

Kind = str  # "field" | "site_attr" | "serial" | "ignored" | "unknown"


@dataclass
class SheetColumn:
    index: int  # 0-based
    header: str  # as the clerk reads it (group and label)
    kind: Kind
    ledger_column: LedgerColumn | None = None
    spec: FieldSpec | None = None
    converter: CellConverter | None = None

    @property
    def letter(self) -> str:
        from openpyxl.utils import get_column_letter

        return get_column_letter(self.index + 1)

    @property
    def shown(self) -> str:
        """Name of the column in messages: the sheet's header, else its letter."""
        return self.header or f"{self.letter}列"


@dataclass
class Layout:
    sheet: str
    header_first: int  # 1-based row numbers
    header_last: int
    columns: list[SheetColumn]
    score: int
    notes: list[str] = field(default_factory=list)

    @property
    def width(self) -> int:
        return len(self.columns)

    def by_field(self) -> dict[str, SheetColumn]:
        return {c.ledger_column.field: c for c in self.columns if c.ledger_column is not None}


def _strip_brackets(text: str) -> str:
    return re.sub(r"\([^()]*\)$", "", text)


_OPEN = "（([{【〔｛<《「『"
_CLOSE = "）)]}】〕｝>》」』"
_UNIFY = str.maketrans({**dict.fromkeys(_OPEN, "("), **dict.fromkeys(_CLOSE, ")")})
UNITS = ("万元", "人次", "车次", "份", "次", "个", "处", "元", "人", "张", "场", "条", "件", "户",
         "册", "起", "亩", "公里", "头", "只", "篇")  # fmt: skip
_UNIT_IN_BRACKETS = re.compile(r"\((?:" + "|".join(UNITS) + r")\)")
_UNIT_AT_END = re.compile(r"(?:" + "|".join(UNITS) + r")$")


def header_key(text: Any) -> str:
    """A header compared loosely: width, line breaks and spaces, the kind of bracket, a
    unit in brackets or at the end (人次, 份, 元 …) and a trailing 数/数量 do not count:
    ``咨询人次`` ↔ ``咨询（人次）``, ``发放资料数量`` ↔ ``发放资料（份）``. Never empty."""
    key = normalise(text).translate(_UNIFY)
    if not key:
        return key
    steps = (
        lambda k: _UNIT_IN_BRACKETS.sub("", k),
        lambda k: re.sub(r"(数量|数)$", "", k),
        lambda k: _UNIT_AT_END.sub("", k),
        lambda k: re.sub(r"[()]", "", k),
    )
    for step in steps:
        shorter = step(key)
        if shorter:
            key = shorter
    return key


class HeaderMatcher:
    """Ledger columns by label, synonyms and the form field's own label; then, loosely
    (``header_key``), by the same texts without units and brackets; ``assigned`` sheet
    headers (the clerk's choice: header → field key or label) come before all of them.
    A loose key shared by two columns goes to the first (exact matches decide first)."""

    def __init__(
        self,
        ledger: LedgerSpec,
        form: FormSpec,
        registry: FormRegistry,
        assigned: Mapping[str, str] | None = None,
    ) -> None:
        self.ledger = ledger
        self.form = form
        self.registry = registry
        self.assigned: dict[str, LedgerColumn] = {}
        for header, target in (assigned or {}).items():
            column = next((c for c in ledger.columns if target in (c.field, c.label)), None)
            if column is None:
                raise ValueError(f"列“{header}”指定的“{target}”不是台账“{ledger.title}”的列")
            self.assigned[header_key(header)] = column
        self.keys: dict[str, list[LedgerColumn]] = {}
        for column in ledger.columns:
            for text in (column.label, *column.synonyms):
                self._add(normalise(text), column)
            if column.group:
                self._add(normalise(column.group + column.label), column)
        implicit: list[tuple[str, LedgerColumn]] = []
        for column in ledger.columns:
            spec = self.spec_of(column)
            if spec is not None:
                implicit.append((normalise(spec.label), column))
            for text in (column.label, *column.synonyms):
                implicit.append((_strip_brackets(normalise(text)), column))
        for key, column in implicit:
            if key and key not in self.keys:
                self.keys[key] = [column]
        self.loose: dict[str, list[LedgerColumn]] = {}
        for column in ledger.columns:
            texts = [column.label, *column.synonyms]
            spec = self.spec_of(column)
            if spec is not None:
                texts.append(spec.label)
            for text in texts:
                key = header_key(text)
                if key and column not in self.loose.setdefault(key, []):
                    self.loose[key].append(column)
            if column.group:
                key = header_key(column.group + column.label)
                if column not in self.loose.setdefault(key, []):
                    self.loose[key].append(column)

    def _add(self, key: str, column: LedgerColumn) -> None:
        if key and column not in self.keys.setdefault(key, []):
            self.keys[key].append(column)

    def spec_of(self, column: LedgerColumn) -> FieldSpec | None:
        if "." in column.field:
            sub = column.field.split(".", 1)[1]
            site_form = self.registry.forms.get("site")
            if site_form is None or not site_form.has_field(sub):
                return None
            return site_form.field(sub)
        return self.form.field(column.field) if self.form.has_field(column.field) else None

    def _lookup(self, text: str, group: str) -> LedgerColumn | None:
        key = normalise(text)
        found = (
            self.keys.get(key)
            or self.keys.get(_strip_brackets(key))
            or self.loose.get(header_key(text))
        )
        if not found:
            return None
        if len(found) > 1 and group:
            grouped = [c for c in found if normalise(c.group) == normalise(group)]
            if grouped:
                return grouped[0]
        return found[0]

    def match(self, upper: str, lower: str) -> LedgerColumn | None:
        if self.assigned:
            for text in (lower, upper + lower, upper):
                if text and header_key(text) in self.assigned:
                    return self.assigned[header_key(text)]
        if lower:
            hit = self._lookup(lower, upper) or self._lookup(upper + lower, "")
            if hit is not None or lower != upper:
                return hit
        return self._lookup(upper, "") if upper else None

    def columns_of(
        self, upper_row: tuple[Any, ...], lower_row: tuple[Any, ...]
    ) -> list[SheetColumn]:
        width = max(len(upper_row), len(lower_row))
        out: list[SheetColumn] = []
        used: set[str] = set()
        for index in range(width):
            upper = _text(upper_row, index)
            lower = _text(lower_row, index)
            header = (
                lower if not upper or upper == lower else (f"{upper}{lower}" if lower else upper)
            )
            name = normalise(lower or upper)
            if name in SERIAL_HEADERS:
                out.append(SheetColumn(index, header, "serial"))
                continue
            if name in IGNORED_HEADERS:
                out.append(SheetColumn(index, header, "ignored"))
                continue
            column = self.match(upper, lower)
            if column is None or column.field in used:
                out.append(SheetColumn(index, header, "unknown" if header else "ignored"))
                continue
            used.add(column.field)
            spec = self.spec_of(column)
            if spec is None:
                out.append(SheetColumn(index, header, "ignored", column))
                continue
            kind = "site_attr" if "." in column.field else "field"
            if kind == "field" and (
                spec.type in ("photos", "record") or spec.computed or spec.readonly
            ):
                kind = "ignored"
            out.append(SheetColumn(index, header, kind, column, spec, CellConverter(spec)))
        while out and not out[-1].header:
            out.pop()
        return out


def _text(row: tuple[Any, ...], index: int) -> str:
    if index >= len(row) or is_blank(row[index]):
        return ""
    return re.sub(r"\s+", "", cell_text(row[index]))


def score(columns: list[SheetColumn]) -> int:
    return len({c.ledger_column.field for c in columns if c.ledger_column is not None})


def find_layout(
    matcher: HeaderMatcher, sheet: str, rows: list[tuple[int, tuple[Any, ...]]]
) -> Layout | None:
    """The best header of the first rows of a sheet: one row, or two rows (group cells
    above labels). Ties go to the later row, the lower level of a two-level header."""
    best: Layout | None = None
    previous: tuple[Any, ...] = ()
    previous_number = 0
    for number, values in rows:
        single = matcher.columns_of((), values)
        columns, first = single, number
        if previous_number and _has_text(previous):
            pair = matcher.columns_of(previous, values)
            upper_alone = score(matcher.columns_of((), previous))
            if score(pair) > score(single) or (upper_alone and score(pair) == score(single)):
                # the row above holds groups or labels: a two-level header
                columns, first = pair, previous_number
        points = score(columns)
        if points and (best is None or points >= best.score):
            best = Layout(sheet, first, number, columns, points)
        previous, previous_number = values, number
    return best


def _has_text(values: tuple[Any, ...]) -> bool:
    return any(not is_blank(v) for v in values)


def first_text(values: tuple[Any, ...]) -> str:
    for value in values:
        if not is_blank(value):
            return re.sub(r"\s+", "", cell_text(value))
    return ""


def is_footer(values: tuple[Any, ...]) -> bool:
    """A line under the table (填表人：… 审核人：… 联系电话：…, 填报单位…): the table ends."""
    text = first_text(values)
    if not text:
        return False
    if _FOOTER.match(text):
        return True
    distinct = {cell_text(v) for v in values if not is_blank(v)}
    return len(distinct) <= 3 and any(word in text for word in _FOOTER_WORDS)


def is_total(values: tuple[Any, ...]) -> bool:
    return first_text(values) in _TOTALS


def is_no_records(values: tuple[Any, ...]) -> bool:
    return first_text(values) in _NO_RECORDS
