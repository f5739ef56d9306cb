"""Importing hand-kept Excel ledgers (台账): ``preview`` reads the file and says what
would happen; ``commit`` writes it.

The file is untrusted (:mod:`untrusted_files`) and read as a stream (:mod:`sheet_reader`):
memory holds the natural keys seen and a bounded sample of rows, errors and warnings,
never the rows themselves. Every row goes through ``forms.values.coerce_record``, so
validation and its messages are the app's own.

``commit`` is all-or-nothing by default: one rejected row and nothing is written; the
rejected rows go to an error workbook (the original columns + 错误说明) the clerk can
fix and import again. ``skip_invalid`` writes the valid rows. Before anything is written
the database is backed up (reason ``import``); the whole write is one transaction. A
file already imported into the ledger (same SHA-256) adds nothing; duplicate rows (the
ledger's natural key, against the database and within the file) are skipped and counted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from sqlalchemy.orm import Session

from gongkai_desktop.data import imports
from gongkai_desktop.data.models import AuditEntry, Record
from gongkai_desktop.domain.errors import FieldError, GongkaiError, ValidationError
from gongkai_desktop.forms.spec import FormSpec, LedgerSpec
from gongkai_desktop.forms.values import (
    coerce_record,
    display_value,
    is_empty,
)
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.io.cell_text import is_blank, normalise
from gongkai_desktop.services.io.sheet_reader import SheetSource, open_source
from gongkai_desktop.services.io.untrusted_files import (
    CheckedFile,
    UntrustedFileError,
    check_xml_defences,
    inspect_file,
)
from gongkai_desktop.services.ledgers import cells as ledger_cells
from gongkai_desktop.services.ledgers.intake.cells import cell_text
from gongkai_desktop.services.ledgers.intake.layout import (
    ERROR_HEADER,
    HEADER_SCAN_ROWS,
    ROW_NUMBER_HEADER,
    HeaderMatcher,
    Layout,
    find_layout,
    is_footer,
    is_no_records,
    is_total,
)
from gongkai_desktop.services.maintenance.backup import create_backup
from gongkai_desktop.services.records.deadlines import calendar_in, is_workday_deadline
from gongkai_desktop.services.records.service import site_refs
from gongkai_desktop.services.records.writing import (
    ACTION_IMPORT,
    Numbering,
    audit_rows,
    derived_columns,
    new_record_row,
    start_values,
    utcnow,
)

log = logging.getLogger(__name__)
_RECORDS = Record.__table__
_AUDIT = AuditEntry.__table__

NEW_SITE_STATUS = "待完善"
PLACEHOLDER_VILLAGE = "待完善"
SAMPLE_ROWS = 200  # rows to add shown in a preview
MAX_LISTED = 1000  # errors, duplicates, warnings kept for display; all are counted
BATCH = 500
PROGRESS_EVERY = 200
DATE_HINT = "不是有效的日期（可写作 2023-06-05、2023/6/5、2023.6.5 或 2023年6月5日）"

Progress = Callable[[int], bool]  # rows read so far → False to cancel


class ImportFileError(GongkaiError):
    """The file can be read but holds no table of this ledger."""


class ImportCancelled(GongkaiError):
    def __init__(self) -> None:
        super().__init__("导入已取消，未写入任何数据。")


class ImportRejected(GongkaiError):
    """Raised inside the write to roll it back (rows newly rejected at commit time)."""


# ---- what the clerk is shown -----------------------------------------------------------
@dataclass(frozen=True)
class RowError:
    row: int  # Excel row number
    column: str  # the sheet's column header (or the field's label)
    value: str
    reason: str

    def __str__(self) -> str:
        shown = f"“{self.value}”" if self.value else "（空）"
        return f"第{self.row}行“{self.column}”列 {shown}：{self.reason}"


@dataclass(frozen=True)
class RowWarning:
    row: int
    column: str
    value: str
    note: str

    def __str__(self) -> str:
        return f"第{self.row}行“{self.column}”列：{self.note}"


@dataclass(frozen=True)
class DuplicateRow:
    row: int
    key: str  # the natural key as the clerk reads it
    reason: str  # 数据库中已有 / 与第N行重复

    def __str__(self) -> str:
        return f"第{self.row}行（{self.key}）：{self.reason}"


@dataclass(frozen=True)
class NewSite:
    name: str
    site_type: str
    first_row: int

    def __str__(self) -> str:
        return f"{self.name}（{self.site_type}，第{self.first_row}行起）"


@dataclass(frozen=True)
class PreviewRow:
    row: int
    cells: tuple[str, ...]  # in the order of ImportPreview.labels


@dataclass(frozen=True)
class ColumnMatch:
    letter: str
    header: str
    target: str  # ledger column label; "" when the column is not imported
    note: str = ""


@dataclass
class ImportPreview:
    ledger_id: str
    ledger_title: str
    path: Path
    sha256: str
    kind: str  # xlsx / xls
    sheet: str
    header_rows: tuple[int, int]
    columns: list[ColumnMatch]
    labels: tuple[str, ...]
    rows_read: int = 0
    add_count: int = 0
    duplicate_count: int = 0
    error_row_count: int = 0
    warning_count: int = 0
    rows_to_add: list[PreviewRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    duplicates: list[DuplicateRow] = field(default_factory=list)
    warnings: list[RowWarning] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    new_sites: list[NewSite] = field(default_factory=list)
    already_imported: str = ""  # Chinese note when this file was imported before

    @property
    def has_errors(self) -> bool:
        return self.error_row_count > 0

    def summary(self) -> str:
        if self.already_imported:
            return self.already_imported
        return (
            f"可导入 {self.add_count} 行，重复 {self.duplicate_count} 行（将跳过），"
            f"有错误 {self.error_row_count} 行，新建待完善监管对象 {len(self.new_sites)} 个"
        )


@dataclass(frozen=True)
class ImportResult:
    added: int
    duplicates: int
    rejected: int
    new_sites: tuple[str, ...]
    written: bool  # False: nothing was written (rejected rows, or the file was imported)
    already_imported: bool = False
    errors_path: Path | None = None
    errors_problem: str = ""  # why the error workbook could not be saved
    backup_path: Path | None = None

    def summary(self) -> str:
        if self.already_imported:
            return "该文件已导入过本台账，未添加任何记录。"
        head = (
            f"已导入 {self.added} 行" if self.written else "未导入任何记录（有错误行，已全部撤销）"
        )
        return (
            f"{head}；重复 {self.duplicates} 行（已跳过）；被拒绝 {self.rejected} 行；"
            f"新建待完善监管对象 {len(self.new_sites)} 个"
        )


# ---- helpers ---------------------------------------------------------------------------
def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _key_part(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _matches_filter(ledger: LedgerSpec, values: Mapping[str, Any]) -> bool:
    return all(values.get(key) in allowed for key, allowed in ledger.filter.items())


def default_errors_path(source: Path) -> Path:
    return source.with_name(f"{source.stem}_导入错误行.xlsx")


@dataclass
class _PendingSite:
    id: str
    name: str
    site_type: str
    values: dict[str, Any]
    first_row: int
    used: bool = False
    written: bool = False


class _ErrorBook:
    """The rejected rows with their original cells and a 错误说明 column, streamed to a
    write-only workbook, saved under a temporary name and renamed when complete."""

    def __init__(self, path: Path, title: str, headers: list[str]) -> None:
        self.path = Path(path)
        self.title = title
        self.headers = headers
        self.width = len(headers)
        self.count = 0
        self.book: Any = None
        self.sheet: Any = None

    def _start(self) -> None:
        """The workbook is made on the first rejected row: most imports need none."""
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet("错误行")
        self.sheet.freeze_panes = "A3"
        heading = WriteOnlyCell(self.sheet, f"{self.title}导入错误行（请修改后重新导入）")
        heading.font = Font(bold=True, size=14)
        self.sheet.append([heading])
        bold = Font(bold=True)
        cells = []
        for text in [ROW_NUMBER_HEADER, *self.headers, ERROR_HEADER]:
            cell = WriteOnlyCell(self.sheet, text)
            cell.font = bold
            cells.append(cell)
        self.sheet.append(cells)

    def discard(self) -> None:
        """Drop an unsaved workbook (its streamed temporary file is closed)."""
        if self.sheet is not None:
            with contextlib.suppress(Exception):
                self.sheet.close()
            self.book = self.sheet = None

    def _cell(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, datetime | date):
            cell = WriteOnlyCell(self.sheet, value)
            if isinstance(value, datetime) and value.time() != datetime.min.time():
                cell.number_format = ledger_cells.DATETIME_FORMAT
            else:
                cell.number_format = ledger_cells.DATE_FORMAT
            return cell
        if isinstance(value, str):
            text = ledger_cells.clean_text(value)
            cell = WriteOnlyCell(self.sheet, text)
            if ledger_cells.needs_quote_prefix(text):
                cell.data_type = "s"
                cell.quotePrefix = True
            return cell
        if isinstance(value, int | float | bool):
            return value
        return ledger_cells.clean_text(cell_text(value))

    def add(self, row: int, values: tuple[Any, ...], reasons: list[str]) -> None:
        if self.sheet is None:
            self._start()
        cells = [self._cell(values[i]) if i < len(values) else None for i in range(self.width)]
        wrap = WriteOnlyCell(self.sheet, ledger_cells.clean_text("；".join(reasons)))
        wrap.alignment = Alignment(wrap_text=True)
        self.sheet.append([row, *cells, wrap])
        self.count += 1

    def save(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        try:
            self.book.save(tmp)
            self.book = self.sheet = None
            with tmp.open("rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return self.path


# ---- one pass over the file --------------------------------------------------------------
class _Pass:
    """Reads the table row by row, converts and validates each row, and hands the rows
    to add to ``sink`` (the writer) or only counts them (preview)."""

    def __init__(
        self,
        ctx: AppContext,
        ledger: LedgerSpec,
        layout: Layout,
        session: Session,
        report: ImportPreview,
    ) -> None:
        self.ctx = ctx
        self.ledger = ledger
        self.form: FormSpec = ctx.registry.form(ledger.form)
        self.site_form = ctx.registry.forms.get("site")
        # deadlines of imported rows are counted in the office calendar, as on saving
        self.calendar = (
            calendar_in(session) if any(is_workday_deadline(f) for f in self.form.fields) else None
        )
        self.layout = layout
        self.session = session
        self.report = report
        self.by_field = layout.by_field()
        self.field_columns = [c for c in layout.columns if c.kind == "field"]
        self.site_attr_columns = [c for c in layout.columns if c.kind == "site_attr"]
        self.data_columns = [c for c in layout.columns if c.kind != "serial"]
        self.header_texts = {normalise(c.header) for c in layout.columns if c.header}
        # sites by name: (id, type); their values for natural keys and names for display
        self.sites_by_name: dict[str, list[tuple[str, str]]] = {}
        self.site_values: dict[str, dict[str, Any]] = {}
        self.site_names: dict[str, str] = {}
        for site_id, name, values in imports.live_sites(session):
            self.sites_by_name.setdefault(name, []).append((site_id, values.get("site_type", "")))
            self.site_values[site_id] = values
            self.site_names[site_id] = name
        self.pending: dict[tuple[str, str], _PendingSite] = {}
        self.pending_by_id: dict[str, _PendingSite] = {}
        self.row_number = 0
        self.row_site_attrs: dict[str, Any] = {}
        self.row_raw: dict[str, Any] = {}
        self.db_keys: set[tuple[str, ...]] = set()
        for data in imports.live_data(session, self.form.id):
            if _matches_filter(ledger, data):
                key = self.natural_key(data)
                if key is not None:
                    self.db_keys.add(key)
        self.file_keys: dict[tuple[str, ...], int] = {}

    # -- sites -----------------------------------------------------------------------------
    def resolve_site(self, text: str, site_types: tuple[str, ...]) -> str:
        candidates = self.sites_by_name.get(text, [])
        typed = [c for c in candidates if not site_types or c[1] in site_types]
        if len(typed) == 1:
            return typed[0][0]
        if len(typed) > 1:
            raise ValueError(f"有{len(typed)}个名为“{text}”的监管对象，无法确定是哪一个")
        if candidates:
            registered = "、".join(sorted({c[1] for c in candidates}))
            raise ValueError(
                f"“{text}”已登记为{registered}类监管对象，不是{'、'.join(site_types)}类"
            )
        site_type = site_types[0] if site_types else "其他"
        pending = self.pending.get((text, site_type))
        if pending is not None:
            return pending.id
        values = self._new_site_values(text, site_type)
        pending = _PendingSite(str(uuid.uuid4()), text, site_type, values, self.row_number)
        self.pending[(text, site_type)] = pending
        self.pending_by_id[pending.id] = pending
        return pending.id

    def _new_site_values(self, name: str, site_type: str) -> dict[str, Any]:
        if self.site_form is None:
            raise ValueError("没有“监管对象”表单，无法新建监管对象")
        raw: dict[str, Any] = {**self.row_site_attrs}
        raw.update({"site_type": site_type, "name": name, "status": NEW_SITE_STATUS})
        if is_empty(raw.get("village")):
            raw["village"] = self.row_raw.get("village") or PLACEHOLDER_VILLAGE
        try:
            return coerce_record(self.site_form, start_values(self.site_form, raw))
        except ValidationError as exc:
            raise ValueError(f"无法新建监管对象“{name}”（{exc}）") from None

    def site_field_value(self, site_id: Any, sub: str) -> Any:
        if not isinstance(site_id, str):
            return None
        pending = self.pending_by_id.get(site_id)
        values = pending.values if pending is not None else self.site_values.get(site_id, {})
        return values.get(sub)

    # -- keys ------------------------------------------------------------------------------
    def natural_key(self, values: Mapping[str, Any]) -> tuple[str, ...] | None:
        parts = []
        for ref in self.ledger.natural_key:
            if "." in ref:
                site_key, sub = ref.split(".", 1)
                value = self.site_field_value(values.get(site_key), sub)
            else:
                value = values.get(ref)
            parts.append(None if is_empty(value) else value)
        if all(p is None for p in parts):
            return None
        return tuple(_key_part(p) for p in parts)

    def key_text(self, values: Mapping[str, Any]) -> str:
        shown = []
        for ref in self.ledger.natural_key:
            column = next((c for c in self.ledger.columns if c.field == ref), None)
            label = column.label if column else ref
            if "." in ref:
                site_key, sub = ref.split(".", 1)
                text = cell_text(self.site_field_value(values.get(site_key), sub))
            else:
                spec = self.form.field(ref)
                text = display_value(spec, values.get(ref), self._names())
            shown.append(f"{label}：{text or '（空）'}")
        return "，".join(shown)

    def _names(self) -> dict[str, str]:
        return {**self.site_names, **{p.id: p.name for p in self.pending.values()}}

    # -- rows ------------------------------------------------------------------------------
    def _is_header_again(self, values: tuple[Any, ...]) -> bool:
        # only short texts can be header labels: no normalising of long cells and numbers
        texts = [
            normalise(value) if isinstance(value, str) and len(value) <= 30 else ""
            for c in self.data_columns
            if c.index < len(values) and not is_blank(value := values[c.index])
        ]
        return len(texts) >= 2 and sum(t in self.header_texts for t in texts) * 2 >= len(texts)

    def rows(
        self, source: SheetSource, progress: Progress | None
    ) -> Iterator[tuple[int, tuple[Any, ...]]]:
        for number, values in source.rows(self.layout.sheet):
            if progress is not None and number % PROGRESS_EVERY == 0 and not progress(number):
                raise ImportCancelled()
            if number <= self.layout.header_last:
                continue
            if all(c.index >= len(values) or is_blank(values[c.index]) for c in self.data_columns):
                continue  # blank (or only a 序号)
            if is_footer(values):
                return
            if is_no_records(values):
                continue
            if is_total(values):
                self.note(f"第{number}行是合计行，未导入")
                continue
            if self._is_header_again(values):
                continue
            yield number, values

    def note(self, text: str) -> None:
        if len(self.report.notes) < MAX_LISTED:
            self.report.notes.append(text)

    def convert(
        self, number: int, values: tuple[Any, ...]
    ) -> tuple[dict[str, Any], dict[str, Any], list[RowWarning]]:
        raw: dict[str, Any] = {}
        warnings: list[RowWarning] = []
        for column in self.field_columns:
            assert column.converter is not None and column.ledger_column is not None
            cell = values[column.index] if column.index < len(values) else None
            converted = column.converter.convert(cell)
            if converted.value is not None:
                raw[column.ledger_column.field] = converted.value
            if converted.warning:
                warnings.append(
                    RowWarning(number, column.shown, cell_text(cell), converted.warning)
                )
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
        out = []
        for problem in problems:
            base = problem.field.split("[", 1)[0].split(".", 1)[0]
            column = self.by_field.get(base)
            if column is not None and column.kind in ("field", "site_attr"):
                cell = values[column.index] if column.index < len(values) else None
                reason = problem.message
                is_date = column.spec is not None and column.spec.type in ("date", "datetime")
                if is_date and reason.startswith(("日期格式", "时间格式")):
                    reason = DATE_HINT
                if problem.label != (column.spec.label if column.spec else ""):
                    reason = f"{problem.label}：{problem.message}"
                out.append(RowError(number, column.shown, cell_text(cell), reason))
            else:
                reason = problem.message
                if reason == "必填" and base not in self.by_field:
                    reason = "必填（表格中没有这一列）"
                out.append(RowError(number, problem.label, "", reason))
        return out

    def check(
        self, number: int, values: tuple[Any, ...]
    ) -> tuple[dict[str, Any] | None, list[RowError], list[RowWarning]]:
        """(values to store or None, errors, warnings) of one row."""
        raw, site_attrs, warnings = self.convert(number, values)
        self.row_number, self.row_raw, self.row_site_attrs = number, raw, site_attrs
        try:
            stored = coerce_record(self.form, raw, self.resolve_site, calendar=self.calendar)
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

    def site_ids_of(self, values: Mapping[str, Any]) -> list[str]:
        return sorted(site_refs(self.form, values))

    def run(
        self,
        source: SheetSource,
        accept: Callable[[int, dict[str, Any]], None] | None,
        error_book: _ErrorBook | None,
        progress: Progress | None,
    ) -> None:
        report = self.report
        labels_specs = [
            (c, self.form.field(c.field) if self.form.has_field(c.field) else None)
            for c in self.ledger.columns
        ]
        for number, values in self.rows(source, progress):
            report.rows_read += 1
            stored, errors, warnings = self.check(number, values)
            report.warning_count += len(warnings)
            for warning in warnings:
                if len(report.warnings) < MAX_LISTED:
                    report.warnings.append(warning)
            if stored is None:
                report.error_row_count += 1
                for error in errors:
                    if len(report.errors) < MAX_LISTED:
                        report.errors.append(error)
                if error_book is not None:
                    error_book.add(
                        number,
                        values[: error_book.width],
                        [f"“{e.column}”：{e.reason}" for e in errors],
                    )
                continue
            key = self.natural_key(stored)
            if key is not None and (key in self.db_keys or key in self.file_keys):
                report.duplicate_count += 1
                reason = (
                    "数据库中已有相同记录"
                    if key in self.db_keys
                    else f"与第{self.file_keys[key]}行重复"
                )
                if len(report.duplicates) < MAX_LISTED:
                    report.duplicates.append(DuplicateRow(number, self.key_text(stored), reason))
                continue
            if key is not None:
                self.file_keys[key] = number
            for site_id in self.site_ids_of(stored):
                pending = self.pending_by_id.get(site_id)
                if pending is not None and not pending.used:
                    pending.used = True
                    pending.first_row = min(pending.first_row, number)
                    report.new_sites.append(NewSite(pending.name, pending.site_type, number))
            report.add_count += 1
            if len(report.rows_to_add) < SAMPLE_ROWS:
                names = self._names()
                cells = []
                for column, spec in labels_specs:
                    if spec is not None:
                        cells.append(display_value(spec, stored.get(column.field), names))
                    elif "." in column.field:
                        site_key, sub = column.field.split(".", 1)
                        cells.append(cell_text(self.site_field_value(stored.get(site_key), sub)))
                    else:
                        cells.append("")
                report.rows_to_add.append(PreviewRow(number, tuple(cells)))
            if accept is not None:
                accept(number, stored)


# ---- writing -----------------------------------------------------------------------------
class _Writer:
    """Inserts the accepted rows (and the new 待完善 sites they name) in batches inside the
    caller's transaction, with audit entries, titles and generated numbers."""

    def __init__(self, ctx: AppContext, run: _Pass, session: Session) -> None:
        self.ctx = ctx
        self.run = run
        self.session = session
        self.form = run.form
        self.os_user, self.filler = ctx.identity(session)
        self.author = self.filler or self.os_user
        self.records_batch: list[dict[str, Any]] = []
        self.audit_batch: list[dict[str, Any]] = []
        self.added = 0
        self.sites_written: list[str] = []
        self.numbering = Numbering(session, self.form)

    def _row(self, record_id: str, form: FormSpec, values: dict[str, Any]) -> dict[str, Any]:
        now = utcnow()
        changes = [(key, None, value) for key, value in values.items()]
        self.audit_batch += audit_rows(
            (self.os_user, self.filler), record_id, form.id, ACTION_IMPORT, changes, now
        )
        # site names from this import's cache instead of one query a row
        derived = derived_columns(form, values, self.run.site_names)
        return new_record_row(record_id, form, values, derived, self.author, now)

    def _write_site(self, pending: _PendingSite) -> None:
        assert self.run.site_form is not None
        row = self._row(pending.id, self.run.site_form, pending.values)
        self.session.execute(_RECORDS.insert(), [row])
        self.run.site_names[pending.id] = pending.name
        pending.written = True
        self.sites_written.append(pending.name)

    def accept(self, number: int, values: dict[str, Any]) -> None:
        for site_id in self.run.site_ids_of(values):
            pending = self.run.pending_by_id.get(site_id)
            if pending is not None and not pending.written:
                self.flush()
                self._write_site(pending)
        self.numbering.assign(values)
        self.records_batch.append(self._row(str(uuid.uuid4()), self.form, values))
        self.added += 1
        if len(self.records_batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.records_batch:
            self.session.execute(_RECORDS.insert(), self.records_batch)
            self.records_batch = []
        if self.audit_batch:
            self.session.execute(_AUDIT.insert(), self.audit_batch)
            self.audit_batch = []


# ---- public API ---------------------------------------------------------------------------
def _locate(
    ctx: AppContext, ledger: LedgerSpec, checked: CheckedFile, source: SheetSource
) -> Layout:
    form = ctx.registry.form(ledger.form)
    matcher = HeaderMatcher(ledger, form, ctx.registry)
    best: Layout | None = None
    for sheet in source.sheet_names:
        rows = list(source.rows(sheet, limit=HEADER_SCAN_ROWS))
        layout = find_layout(matcher, sheet, rows)
        if layout is not None and (best is None or layout.score > best.score):
            best = layout
    needed = 1 if len(ledger.columns) < 2 else 2
    if best is None or best.score < needed:
        labels = "、".join(c.label for c in ledger.columns)
        raise ImportFileError(
            f"在“{checked.path.name}”中找不到“{ledger.title}”的表头。"
            f"表头应在前{HEADER_SCAN_ROWS}行内，包含这些列（或其常用别名）：{labels}"
        )
    return best


def _describe(ledger: LedgerSpec, layout: Layout) -> tuple[list[ColumnMatch], list[str]]:
    matches: list[ColumnMatch] = []
    notes: list[str] = []
    unknown: list[str] = []
    for column in layout.columns:
        target = column.ledger_column.label if column.ledger_column is not None else ""
        note = ""
        if column.kind == "serial":
            note = "序号，不导入"
        elif column.kind == "ignored" and column.spec is not None and column.spec.type == "photos":
            note = "照片列只记录张数，照片本身不会导入"
            target = ""
        elif column.kind == "ignored" and column.ledger_column is not None:
            note = "由软件自动计算或关联，不导入"
            target = ""
        elif column.kind == "site_attr":
            note = "监管对象的信息，仅用于新建待完善监管对象"
        elif column.kind == "unknown":
            note = "不属于本台账，已忽略"
            unknown.append(column.header)
        matches.append(ColumnMatch(column.letter, column.header, target, note))
    found = {c.ledger_column.field for c in layout.columns if c.ledger_column is not None}
    missing = [c.label for c in ledger.columns if c.field not in found]
    if missing:
        notes.append(f"表格中没有这些列，导入后为空：{'、'.join(missing)}")
    if unknown:
        notes.append(f"这些列不属于本台账，已忽略：{'、'.join(unknown)}")
    if any(
        c.kind == "ignored" and c.spec is not None and c.spec.type == "photos"
        for c in layout.columns
    ):
        notes.append("“照片”列只记录张数，照片本身不会导入，请在记录中补充")
    return matches, notes


def _open(path: Path) -> tuple[CheckedFile, SheetSource]:
    check_xml_defences()
    checked = inspect_file(path)
    return checked, open_source(checked)


def _error_headers(layout: Layout) -> list[str]:
    return [
        c.ledger_column.label if c.ledger_column is not None and c.kind != "ignored" else c.header
        for c in layout.columns
    ]


def preview(
    ctx: AppContext,
    ledger_id: str,
    path: Path,
    progress: Progress | None = None,
    errors_path: Path | None = None,
) -> ImportPreview:
    """Read the file and report what an import would do; nothing is written (except the
    error workbook when ``errors_path`` is given and rows were rejected)."""
    ledger = ctx.registry.ledger(ledger_id)
    path = Path(path)
    checked, source = _open(path)
    book: _ErrorBook | None = None
    try:
        sha = file_sha256(path)
        layout = _locate(ctx, ledger, checked, source)
        columns, notes = _describe(ledger, layout)
        report = ImportPreview(
            ledger_id=ledger.id,
            ledger_title=ledger.title,
            path=path,
            sha256=sha,
            kind=checked.kind,
            sheet=layout.sheet,
            header_rows=(layout.header_first, layout.header_last),
            columns=columns,
            labels=tuple(c.label for c in ledger.columns),
            notes=notes,
        )
        book = (
            _ErrorBook(errors_path, ledger.title, _error_headers(layout)) if errors_path else None
        )
        with ctx.transaction() as session:
            done = imports.find_imported(session, sha, ledger.id)
            if done is not None:
                when = done.imported_at.replace(tzinfo=UTC).astimezone()
                report.already_imported = (
                    f"该文件已于{when:%Y年%m月%d日 %H:%M}导入过本台账（添加了{done.rows_added}行），"
                    "再次导入不会添加任何记录。"
                )
            run = _Pass(ctx, ledger, layout, session, report)
            run.run(source, None, book, progress)
        if book is not None and book.count:
            book.save()
        return report
    finally:
        if book is not None:
            book.discard()
        source.close()


def commit(
    ctx: AppContext,
    report: ImportPreview,
    skip_invalid: bool = False,
    errors_path: Path | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import the previewed file. All-or-nothing unless ``skip_invalid``; rejected rows go
    to the error workbook (``errors_path``, default beside the source file)."""
    ledger = ctx.registry.ledger(report.ledger_id)
    path = Path(report.path)
    if report.already_imported:
        return ImportResult(0, 0, 0, (), written=False, already_imported=True)
    checked, source = _open(path)
    book: _ErrorBook | None = None
    try:
        if file_sha256(path) != report.sha256:
            raise ImportFileError(f"“{path.name}”在预览之后被修改过，请重新预览后再导入。")
        layout = _locate(ctx, ledger, checked, source)
        target = Path(errors_path) if errors_path else default_errors_path(path)
        book = _ErrorBook(target, ledger.title, _error_headers(layout))
        fresh = ImportPreview(
            ledger_id=ledger.id,
            ledger_title=ledger.title,
            path=path,
            sha256=report.sha256,
            kind=checked.kind,
            sheet=layout.sheet,
            header_rows=(layout.header_first, layout.header_last),
            columns=[],
            labels=report.labels,
        )
        if report.has_errors and not skip_invalid:
            # Nothing will be written: one read-only pass for the error workbook.
            with ctx.transaction() as session:
                _Pass(ctx, ledger, layout, session, fresh).run(source, None, book, progress)
            return _rejected(fresh, book)
        backup = None
        if report.add_count:
            backup = create_backup(ctx.db_path, ctx.engine, "import").path
        try:
            with ctx.transaction() as session:
                if imports.find_imported(session, report.sha256, ledger.id) is not None:
                    return ImportResult(0, 0, 0, (), written=False, already_imported=True)
                run = _Pass(ctx, ledger, layout, session, fresh)
                writer = _Writer(ctx, run, session)
                run.run(source, writer.accept, book, progress)
                if fresh.error_row_count and not skip_invalid:
                    raise ImportRejected("导入时发现新的错误行，已全部撤销")
                writer.flush()
                imports.add_imported(
                    session,
                    report.sha256,
                    ledger.id,
                    path.name,
                    utcnow(),
                    writer.added,
                    writer.author,
                )
        except ImportRejected:
            return _rejected(fresh, book)
        saved, problem = _save_errors(book)
        log.info("imported %s rows from %s into %s", writer.added, path, ledger.id)
        return ImportResult(
            added=writer.added,
            duplicates=fresh.duplicate_count,
            rejected=fresh.error_row_count,
            new_sites=tuple(writer.sites_written),
            written=True,
            errors_path=saved,
            errors_problem=problem,
            backup_path=backup,
        )
    finally:
        if book is not None:
            book.discard()
        source.close()


def _save_errors(book: _ErrorBook) -> tuple[Path | None, str]:
    """Save the error workbook; a failure (read-only folder, file open in Excel) is
    reported, not raised: the import itself stands."""
    if not book.count:
        return None, ""
    try:
        return book.save(), ""
    except OSError as exc:
        log.warning("could not save the error workbook %s: %s", book.path, exc)
        return (
            None,
            f"错误行文件无法保存到 {book.path}（{exc.strerror or exc}），请用 --errors 指定其他位置",
        )


def _rejected(fresh: ImportPreview, book: _ErrorBook) -> ImportResult:
    saved, problem = _save_errors(book)
    return ImportResult(
        added=0,
        duplicates=fresh.duplicate_count,
        rejected=fresh.error_row_count,
        new_sites=(),
        written=False,
        errors_path=saved,
        errors_problem=problem,
    )


__all__ = [
    "ImportCancelled",
    "ImportFileError",
    "ImportPreview",
    "ImportResult",
    "UntrustedFileError",
    "commit",
    "default_errors_path",
    "preview",
]
