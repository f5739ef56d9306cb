"""Rows of an imported sheet: which rows are data (not blank, footer, total or a repeated
header), and each data row converted and validated into the values a record stores."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from gongkai_desktop.domain.errors import FieldError, GongkaiError, ValidationError
from gongkai_desktop.domain.workdays import WorkCalendar
from gongkai_desktop.forms.spec import FormSpec, LedgerSpec
from gongkai_desktop.forms.values import coerce_record
from gongkai_desktop.services.io.cell_text import is_blank, normalise
from gongkai_desktop.services.io.sheet_reader import SheetSource
from gongkai_desktop.services.ledgers.intake.cells import cell_text
from gongkai_desktop.services.ledgers.intake.layout import (
    Layout,
    is_footer,
    is_no_records,
    is_total,
)
from gongkai_desktop.services.ledgers.intake.sites import SiteResolver
from gongkai_desktop.services.ledgers.intake.values import ChoiceBook, ChoiceReader, keep_detail
from gongkai_desktop.services.records.writing import start_values

PROGRESS_EVERY = 200
UNKNOWN_SPELLING = "写法不认识，请在预览中指定对应的选项，或跳过这些行"
DATE_HINT = "不是有效的日期（可写作 2023-06-05、2023/6/5、2023.6.5 或 2023年6月5日）"

Progress = Callable[[int], bool]  # rows read so far → False to cancel


class ImportCancelled(GongkaiError):
    def __init__(self) -> None:
        super().__init__("导入已取消，未写入任何数据。")


def row_place(sheet: str, row: int) -> str:
    """A row as the clerk finds it: 第5行, or “6月”第5行 when several sheets are read."""
    return f"“{sheet}”第{row}行" if sheet else f"第{row}行"


@dataclass(frozen=True)
class RowError:
    row: int  # Excel row number
    column: str  # the sheet's column header (or the field's label)
    value: str
    reason: str
    sheet: str = ""  # set when the import reads several sheets

    @property
    def place(self) -> str:
        return row_place(self.sheet, self.row)

    def __str__(self) -> str:
        shown = f"“{self.value}”" if self.value else "（空）"
        return f"{self.place}“{self.column}”列 {shown}：{self.reason}"


@dataclass(frozen=True)
class RowWarning:
    row: int
    column: str
    value: str
    note: str
    sheet: str = ""

    def __str__(self) -> str:
        return f"{row_place(self.sheet, self.row)}“{self.column}”列：{self.note}"


def data_rows(
    source: SheetSource,
    layout: Layout,
    note: Callable[[str], None],
    progress: Progress | None = None,
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, cells) of the data rows below the header; stops at a footer."""
    data_columns = [c for c in layout.columns if c.kind != "serial"]
    header_texts = {normalise(c.header) for c in layout.columns if c.header}

    seen: dict[str, str] = {}

    def key(value: str) -> str:
        # the same texts recur down the sheet: normalise each once
        found = seen.get(value)
        if found is None:
            found = normalise(value)
            if len(seen) < 20_000:
                seen[value] = found
        return found

    def is_header_again(values: tuple[Any, ...]) -> bool:
        # only short texts can be header labels: no normalising of long cells and numbers
        texts = [
            key(value) if isinstance(value, str) and len(value) <= 30 else ""
            for c in data_columns
            if c.index < len(values) and not is_blank(value := values[c.index])
        ]
        return len(texts) >= 2 and sum(t in header_texts for t in texts) * 2 >= len(texts)

    for number, values in source.rows(layout.sheet):
        if progress is not None and number % PROGRESS_EVERY == 0 and not progress(number):
            raise ImportCancelled()
        if number <= layout.header_last:
            continue
        if all(c.index >= len(values) or is_blank(values[c.index]) for c in data_columns):
            continue  # blank (or only a 序号)
        if is_footer(values):
            return
        if is_no_records(values):
            continue
        if is_total(values):
            note(f"第{number}行是合计行，未导入")
            continue
        if is_header_again(values):
            continue
        yield number, values


class RowChecker:
    """One data row → (values to store, or None) with its errors and warnings, through
    ``coerce_record``: validation and its messages are the app's own."""

    def __init__(
        self,
        ledger: LedgerSpec,
        form: FormSpec,
        layout: Layout,
        sites: SiteResolver,
        calendar: WorkCalendar | None,
        book: ChoiceBook,
        sheet_label: str = "",
    ) -> None:
        self.ledger = ledger
        self.form = form
        self.sites = sites
        self.calendar = calendar
        self.sheet = sheet_label
        self.by_field = layout.by_field()
        self.field_columns = [c for c in layout.columns if c.kind == "field"]
        self.site_attr_columns = [c for c in layout.columns if c.kind == "site_attr"]
        self.readers: dict[int, ChoiceReader] = {}
        for column in self.field_columns:
            spec, ledger_column = column.spec, column.ledger_column
            is_choice = spec is not None and spec.type in ("choice", "multi_choice")
            if is_choice and spec is not None and ledger_column is not None:
                self.readers[column.index] = book.reader(spec, ledger_column, column.shown, form)
        # spellings read as nothing the row can hold (rejected rows name them shortly)
        self.unknown_cells: set[tuple[int, str]] = set()
        self.skipped = False

    def convert(
        self, number: int, values: tuple[Any, ...]
    ) -> tuple[dict[str, Any], dict[str, Any], list[RowWarning]]:
        """(raw input of the record, values of the site columns, warnings)."""
        raw: dict[str, Any] = {}
        warnings: list[RowWarning] = []
        details: list[tuple[str, str, str]] = []
        self.unknown_cells.clear()
        self.skipped = False
        where = row_place(self.sheet, number)
        for column in self.field_columns:
            assert column.converter is not None and column.ledger_column is not None
            cell = values[column.index] if column.index < len(values) else None
            reader = self.readers.get(column.index)
            if reader is not None:
                reading = reader.read(cell, where)
                if reading.skip:
                    self.skipped = True
                if reading.unknown:
                    self.unknown_cells.add((column.index, column.ledger_column.field))
                if reading.value is not None:
                    raw[column.ledger_column.field] = reading.value
                if reading.detail:
                    details.append(
                        (column.ledger_column.detail_field, reading.detail, column.shown)
                    )
                continue
            converted = column.converter.convert(cell)
            if converted.value is not None:
                raw[column.ledger_column.field] = converted.value
            if converted.warning:
                warnings.append(
                    RowWarning(number, column.shown, cell_text(cell), converted.warning, self.sheet)
                )
        for detail_field, text, shown in details:
            note = keep_detail(self.form, raw, detail_field, text)
            if note:
                warnings.append(RowWarning(number, shown, text, note, self.sheet))
        site_attrs: dict[str, Any] = {}
        for column in self.site_attr_columns:
            assert column.converter is not None and column.ledger_column is not None
            cell = values[column.index] if column.index < len(values) else None
            converted = column.converter.convert(cell)
            if converted.value is not None:
                site_attrs[column.ledger_column.field.split(".", 1)[1]] = converted.value
        for key, allowed in self.ledger.filter.items():
            if key not in raw and len(allowed) == 1:
                raw[key] = allowed[0]
        # an empty date is an error, never "today"
        return start_values(self.form, raw, today_dates=False), site_attrs, warnings

    def errors_of(
        self, number: int, values: tuple[Any, ...], problems: list[FieldError]
    ) -> list[RowError]:
        """The form's field errors as errors of the sheet's columns and cells."""
        out = []
        for problem in problems:
            base = problem.field.split("[", 1)[0].split(".", 1)[0]
            column = self.by_field.get(base)
            if column is not None and column.kind in ("field", "site_attr"):
                cell = values[column.index] if column.index < len(values) else None
                reason = problem.message
                if (column.index, base) in self.unknown_cells:
                    out.append(
                        RowError(
                            number, column.shown, cell_text(cell), UNKNOWN_SPELLING, self.sheet
                        )
                    )
                    continue
                is_date = column.spec is not None and column.spec.type in ("date", "datetime")
                if is_date and reason.startswith(("日期格式", "时间格式")):
                    reason = DATE_HINT
                if problem.label != (column.spec.label if column.spec else ""):
                    reason = f"{problem.label}：{problem.message}"
                out.append(RowError(number, column.shown, cell_text(cell), reason, self.sheet))
            else:
                reason = problem.message
                if reason == "必填" and base not in self.by_field:
                    reason = "必填（表格中没有这一列）"
                out.append(RowError(number, problem.label, "", reason, self.sheet))
        return out

    def check(
        self, number: int, values: tuple[Any, ...]
    ) -> tuple[dict[str, Any] | None, list[RowError], list[RowWarning]]:
        """(values to store or None, errors, warnings) of one row; a row holding a
        spelling the clerk chose to skip gives (None, [], warnings) with ``skipped`` set."""
        raw, site_attrs, warnings = self.convert(number, values)
        if self.skipped:
            return None, [], warnings
        self.sites.at_row(number, raw, site_attrs)
        try:
            stored = coerce_record(self.form, raw, self.sites.resolve, calendar=self.calendar)
        except ValidationError as exc:
            return None, self.errors_of(number, values, exc.errors), warnings
        wrong = [
            FieldError(
                key,
                self.form.field(key).label,
                f"不属于本台账（应为“{'、'.join(map(str, allowed))}”）",
            )
            for key, allowed in self.ledger.filter.items()
            if stored.get(key) not in allowed
        ]
        if wrong:
            return None, self.errors_of(number, values, wrong), warnings
        return stored, [], warnings
