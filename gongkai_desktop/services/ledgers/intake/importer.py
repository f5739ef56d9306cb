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
ledger's natural key, against the database and within the file) are skipped and counted;
a row whose key is in the database but whose cells differ is 内容不同: listed with the
differing cells, skipped unless the clerk chooses 更新 for it (``update_changed``), which
goes through ``RecordService.update`` inside the import's transaction (audited as 修改).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from sqlalchemy.orm import Session

from gongkai_desktop.data import imports, repository
from gongkai_desktop.data.bulk import insert_many
from gongkai_desktop.data.models import Record
from gongkai_desktop.domain.errors import GongkaiError
from gongkai_desktop.forms.spec import FormSpec, LedgerSpec
from gongkai_desktop.forms.values import (
    display_value,
)
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.io.cell_text import year_hint_of
from gongkai_desktop.services.io.file_output import ExportError, write_atomically
from gongkai_desktop.services.io.hashing import file_sha256
from gongkai_desktop.services.io.sheet_reader import SheetSource, open_source
from gongkai_desktop.services.io.untrusted_files import (
    CheckedFile,
    UntrustedFileError,
    check_xml_defences,
    inspect_file,
)
from gongkai_desktop.services.ledgers import cells as ledger_cells
from gongkai_desktop.services.ledgers.intake.cells import CellConverter, cell_text
from gongkai_desktop.services.ledgers.intake.duplicates import CHANGED, CellChange, DuplicateIndex
from gongkai_desktop.services.ledgers.intake.layout import (
    ERROR_HEADER,
    HEADER_SCAN_ROWS,
    ROW_NUMBER_HEADER,
    HeaderMatcher,
    Layout,
    find_layout,
)
from gongkai_desktop.services.ledgers.intake.mapping import (
    MappingProfile,
    load_profile,
    save_profile,
)
from gongkai_desktop.services.ledgers.intake.rows import (
    UNKNOWN_SPELLING,
    ImportCancelled,
    Progress,
    RowChecker,
    RowError,
    RowWarning,
    data_rows,
    row_place,
)
from gongkai_desktop.services.ledgers.intake.sites import PendingSite, SiteResolver
from gongkai_desktop.services.ledgers.intake.values import ChoiceBook, ValueQuestion
from gongkai_desktop.services.maintenance.backup import create_backup
from gongkai_desktop.services.records.deadlines import calendar_in, is_workday_deadline
from gongkai_desktop.services.records.service import RecordService, site_refs
from gongkai_desktop.services.records.writing import (
    ACTION_IMPORT,
    Numbering,
    audit_rows,
    derived_columns,
    new_record_row,
    utcnow,
)

log = logging.getLogger(__name__)


SAMPLE_ROWS = 200  # rows to add shown in a preview
KEEP_ROWS = 50_000  # a clean preview of up to this many rows keeps them for the commit
MAX_LISTED = 1000  # errors, duplicates, warnings kept for display; all are counted
BATCH = 2000  # rows per executemany


class ImportFileError(GongkaiError):
    """The file can be read but holds no table of this ledger."""


class ImportRejected(GongkaiError):
    """Raised inside the write to roll it back (rows newly rejected at commit time);
    ``report``: what that pass counted (its duplicates are still reported)."""

    def __init__(self, message: str, report: ImportPreview | None = None) -> None:
        super().__init__(message)
        self.report = report


# ---- what the clerk is shown -----------------------------------------------------------
@dataclass(frozen=True)
class DuplicateRow:
    row: int
    key: str  # the natural key as the clerk reads it
    reason: str  # 数据库中已有 / 与第N行重复
    sheet: str = ""

    def __str__(self) -> str:
        return f"{row_place(self.sheet, self.row)}（{self.key}）：{self.reason}"


RowId = tuple[str, int]  # (sheet when several are read, else ""; Excel row number)


@dataclass(frozen=True)
class ChangedRow:
    """A row whose natural key names a record in the database but whose cells differ."""

    row: int
    key: str  # the natural key as the clerk reads it
    record_id: str
    changes: tuple[CellChange, ...]
    sheet: str = ""

    @property
    def row_id(self) -> RowId:
        return (self.sheet, self.row)

    @property
    def changes_text(self) -> str:
        return "；".join(str(c) for c in self.changes)

    def __str__(self) -> str:
        return f"{row_place(self.sheet, self.row)}（{self.key}）：{CHANGED}：{self.changes_text}"


UpdateChoice = bool | Collection[RowId]  # True: update every 内容不同 row; else these rows


def _chosen(choice: UpdateChoice, row_id: RowId) -> bool:
    return choice is True or (not isinstance(choice, bool) and row_id in choice)


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


@dataclass(frozen=True)
class SheetPart:
    """One sheet of the file read into the ledger."""

    sheet: str
    header_rows: tuple[int, int]
    year: int | None  # the year named by its title or name, for dates written without one
    columns: list[ColumnMatch]


@dataclass(frozen=True)
class ProblemGroup:
    """Rejected cells of one column grouped by why (one line for many rows)."""

    column: str
    text: str
    rows: int

    def __str__(self) -> str:
        return self.text


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
    changed_count: int = 0  # 内容不同 rows
    error_row_count: int = 0
    warning_count: int = 0
    rows_to_add: list[PreviewRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    duplicates: list[DuplicateRow] = field(default_factory=list)
    changed: list[ChangedRow] = field(default_factory=list)
    warnings: list[RowWarning] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    new_sites: list[NewSite] = field(default_factory=list)
    already_imported: str = ""  # Chinese note when this file was imported before
    parts: list[SheetPart] = field(default_factory=list)
    # spellings of choice columns to show the clerk (each once, with its count)
    questions: list[ValueQuestion] = field(default_factory=list)
    # the clerk's decisions of this preview (on top of the saved profile)
    decisions: MappingProfile | None = None
    unknown_columns: list[str] = field(default_factory=list)  # 未识别的列 (headers)
    skipped_count: int = 0  # rows skipped because of a spelling the clerk chose to skip
    groups: list[ProblemGroup] = field(default_factory=list)
    requested_sheets: tuple[str, ...] | None = None  # the sheets asked for (else: found)
    # the checked rows of a clean preview, written by commit unless anything changed
    kept: _Kept | None = field(default=None, repr=False, compare=False)

    @property
    def has_errors(self) -> bool:
        return self.error_row_count > 0

    @property
    def sheets(self) -> tuple[str, ...]:
        return tuple(p.sheet for p in self.parts) or (self.sheet,)

    @property
    def blocking(self) -> list[ValueQuestion]:
        """Spellings nothing suggests: their rows are rejected until decided."""
        return [q for q in self.questions if q.blocking]

    def summary(self) -> str:
        if self.already_imported:
            return self.already_imported
        skipped = f"按对照跳过 {self.skipped_count} 行，" if self.skipped_count else ""
        changed = (
            f"内容不同 {self.changed_count} 行（选择“更新”才会改写，否则跳过），"
            if self.changed_count
            else ""
        )
        return (
            f"可导入 {self.add_count} 行，{changed}重复 {self.duplicate_count} 行（将跳过），{skipped}"
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
    skipped: int = 0
    updated: int = 0  # 内容不同 rows written as updates
    changed_skipped: int = 0  # 内容不同 rows left as they were

    def summary(self) -> str:
        if self.already_imported:
            return "该文件已导入过本台账，未添加任何记录。"
        head = (
            f"已导入 {self.added} 行" if self.written else "未导入任何记录（有错误行，已全部撤销）"
        )
        changed = ""
        if self.updated or self.changed_skipped:
            changed = f"内容不同：已更新 {self.updated} 行，跳过 {self.changed_skipped} 行；"
        return (
            f"{head}；{changed}重复 {self.duplicates} 行（已跳过）；被拒绝 {self.rejected} 行；"
            f"新建待完善监管对象 {len(self.new_sites)} 个"
        )


# ---- helpers ---------------------------------------------------------------------------
def default_errors_path(source: Path) -> Path:
    return source.with_name(f"{source.stem}_导入错误行.xlsx")


class ErrorBook:
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
            # the stubs leave out date, which openpyxl writes as a date
            cell = WriteOnlyCell(self.sheet, value)  # type: ignore[arg-type]
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

    def add(self, row: int | str, values: tuple[Any, ...], reasons: list[str]) -> None:
        if self.sheet is None:
            self._start()
        cells = [self._cell(values[i]) if i < len(values) else None for i in range(self.width)]
        wrap = WriteOnlyCell(self.sheet, ledger_cells.clean_text("；".join(reasons)))
        wrap.alignment = Alignment(wrap_text=True)
        self.sheet.append([row, *cells, wrap])
        self.count += 1

    def save(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # the shared writer: fsynced, renamed, and a read-only file is never replaced
        write_atomically(self.path, self.book.save)
        self.book = self.sheet = None
        return self.path


# ---- one pass over the file --------------------------------------------------------------
class _Tally:
    """Rejected cells counted by column and reason, for one line per group."""

    def __init__(self) -> None:
        self.groups: dict[tuple[str, str], list[str]] = {}
        self.counts: dict[tuple[str, str], int] = {}

    def add(self, errors: Iterable[RowError]) -> None:
        for error in errors:
            if error.reason == UNKNOWN_SPELLING:
                continue  # grouped by spelling from the questions
            key = (error.column, error.reason)
            self.counts[key] = self.counts.get(key, 0) + 1
            rows = self.groups.setdefault(key, [])
            if len(rows) < 10:
                rows.append(error.place)

    def lines(self, questions: Sequence[ValueQuestion]) -> list[ProblemGroup]:
        out: list[ProblemGroup] = []
        by_column: dict[str, list[ValueQuestion]] = {}
        for question in questions:
            if question.blocking and question.count:
                by_column.setdefault(question.column, []).append(question)
        for column, items in by_column.items():
            items.sort(key=lambda q: -q.count)
            total = sum(q.count for q in items)
            shown = "；".join(f"{q.text}×{q.count}（{q.rows_text(5)}）" for q in items[:10])
            more = f"；另有{len(items) - 10}种" if len(items) > 10 else ""
            out.append(
                ProblemGroup(
                    column,
                    f"{column}：{len(items)} 种写法不认识（共 {total} 行）：{shown}{more}",
                    total,
                )
            )
        for (column, reason), rows in self.groups.items():
            count = self.counts[(column, reason)]
            places = "、".join(rows) + ("等" if count > len(rows) else "")
            out.append(
                ProblemGroup(column, f"{column}：{reason}（共 {count} 行：{places}）", count)
            )
        return out


class _Pass:
    """One pass over the sheets of a file: each data row checked, duplicates skipped,
    counts and a bounded sample kept in ``report``; the rows to add are handed to
    ``accept`` (the writer) or only counted (preview)."""

    def __init__(
        self,
        ctx: AppContext,
        ledger: LedgerSpec,
        layouts: Sequence[Layout],
        session: Session,
        report: ImportPreview,
        book: ChoiceBook,
    ) -> None:
        self.ledger = ledger
        self.layouts = list(layouts)
        self.report = report
        self.book = book
        self.tally = _Tally()
        self.form: FormSpec = ctx.registry.form(ledger.form)
        # deadlines of imported rows are counted in the office calendar, as on saving
        counts_workdays = any(is_workday_deadline(f) for f in self.form.fields)
        self.calendar = calendar_in(session) if counts_workdays else None
        self.sites = SiteResolver(session, ctx.registry.forms.get("site"))
        self.keys = DuplicateIndex(session, ledger, self.form, self.sites)
        self.several = len(self.layouts) > 1

    def note(self, text: str) -> None:
        if len(self.report.notes) < MAX_LISTED:
            self.report.notes.append(text)

    def _sheet_note(self, sheet: str, text: str) -> None:
        self.note(f"工作表“{sheet}”：{text}")

    def site_ids_of(self, values: Mapping[str, Any]) -> list[str]:
        return sorted(site_refs(self.form, values))

    def run(
        self,
        source: SheetSource,
        accept: Callable[[int, dict[str, Any]], None] | None,
        error_book: ErrorBook | None,
        progress: Progress | None,
        update: Callable[[ChangedRow, dict[str, Any]], None] | None = None,
    ) -> None:
        """``update``: called with each 内容不同 row and its values (the writer decides
        whether the clerk chose 更新 for it)."""
        report = self.report
        first = self.layouts[0]
        for layout in self.layouts:
            label = layout.sheet if self.several else ""
            checker = RowChecker(
                self.ledger, self.form, layout, self.sites, self.calendar, self.book, label
            )
            present = {
                c.ledger_column.field
                for c in layout.columns
                if c.kind == "field" and c.ledger_column is not None
            }
            order = _error_order(first, layout)
            note = functools.partial(self._sheet_note, label) if label else self.note
            for number, values in data_rows(source, layout, note, progress):
                report.rows_read += 1
                stored, errors, warnings = checker.check(number, values)
                report.warning_count += len(warnings)
                _keep(report.warnings, warnings)
                if checker.skipped:
                    report.skipped_count += 1
                    continue
                if stored is None:
                    report.error_row_count += 1
                    _keep(report.errors, errors)
                    self.tally.add(errors)
                    if error_book is not None:
                        error_book.add(
                            row_place(layout.sheet, number) if label else number,
                            tuple(values[i] if 0 <= i < len(values) else None for i in order),
                            [f"“{e.column}”：{e.reason}" for e in errors],
                        )
                    continue
                key = self.keys.key_of(stored)
                reason = self.keys.duplicate_reason(key)
                fresh_key = key is not None and key not in self.keys.in_file
                record_id, changes = (
                    self.keys.changes(key, stored, present) if fresh_key else ("", [])
                )
                if changes:
                    report.changed_count += 1
                    changed = ChangedRow(
                        number, self.keys.key_text(stored), record_id, tuple(changes), label
                    )
                    _keep(report.changed, [changed])
                    self.keys.add(key, number)  # a later row with this key repeats this one
                    if update is not None:
                        update(changed, stored)
                    continue
                if reason:
                    report.duplicate_count += 1
                    shown = DuplicateRow(number, self.keys.key_text(stored), reason, label)
                    _keep(report.duplicates, [shown])
                    continue
                self.keys.add(key, number)
                self._note_new_sites(number, stored)
                report.add_count += 1
                if len(report.rows_to_add) < SAMPLE_ROWS:
                    report.rows_to_add.append(PreviewRow(number, self._shown(stored)))
                if accept is not None:
                    accept(number, stored)
        report.questions = sorted(
            self.book.questions.values(), key=lambda q: (not q.blocking, q.column, -q.count)
        )
        report.groups = self.tally.lines(report.questions)

    def _note_new_sites(self, number: int, stored: Mapping[str, Any]) -> None:
        """The new 待完善 sites a row to add names (each listed once, at its first row)."""
        for site_id in self.site_ids_of(stored):
            pending = self.sites.pending_by_id.get(site_id)
            if pending is not None and not pending.used:
                pending.used = True
                pending.first_row = min(pending.first_row, number)
                self.report.new_sites.append(NewSite(pending.name, pending.site_type, number))

    def _shown(self, stored: Mapping[str, Any]) -> tuple[str, ...]:
        """A row to add as the ledger's columns show it (for the preview sample)."""
        names = self.sites.all_names()
        cells = []
        for column in self.ledger.columns:
            if self.form.has_field(column.field):
                spec = self.form.field(column.field)
                cells.append(display_value(spec, stored.get(column.field), names))
            elif "." in column.field:
                site_key, sub = column.field.split(".", 1)
                cells.append(cell_text(self.sites.field_value(stored.get(site_key), sub)))
            else:
                cells.append("")
        return tuple(cells)


@dataclass
class _Kept:
    """What a clean preview checked: its pass (sites, keys, readings) and the rows to
    add. Valid while the file, the decisions and the database stay as they were."""

    run: _Pass
    rows: list[tuple[int, dict[str, Any]]]
    stamp: tuple[Any, ...]
    overflow: bool = False
    changed: list[tuple[ChangedRow, dict[str, Any]]] = field(default_factory=list)

    def collect(self, number: int, values: dict[str, Any]) -> None:
        if len(self.rows) + len(self.changed) < KEEP_ROWS:
            self.rows.append((number, values))
        else:
            self.overflow = True

    def collect_changed(self, changed: ChangedRow, values: dict[str, Any]) -> None:
        if len(self.rows) + len(self.changed) < KEEP_ROWS:
            self.changed.append((changed, values))
        else:
            self.overflow = True


def _error_order(first: Layout, layout: Layout) -> list[int]:
    """For each column of the first sheet, the index of the same column in ``layout``
    (-1 when it has none): the error workbook keeps the first sheet's columns."""
    if layout is first:
        return [c.index for c in first.columns]
    by_field = {c.ledger_column.field: c.index for c in layout.columns if c.ledger_column}
    by_header = {c.header: c.index for c in layout.columns if c.header}
    out = []
    for column in first.columns:
        if column.ledger_column is not None:
            out.append(by_field.get(column.ledger_column.field, -1))
        else:
            out.append(by_header.get(column.header, -1))
    return out


def _keep(shown: list[Any], items: Sequence[Any]) -> None:
    """Add to a list shown to the clerk, up to MAX_LISTED (everything is counted)."""
    room = MAX_LISTED - len(shown)
    if room > 0:
        shown.extend(items[:room])


# ---- writing -----------------------------------------------------------------------------
class _Writer:
    """Inserts the accepted rows (and the new 待完善 sites they name) in batches inside the
    caller's transaction, with audit entries, titles and generated numbers."""

    def __init__(
        self, ctx: AppContext, run: _Pass, session: Session, update_changed: UpdateChoice = False
    ) -> None:
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
        self.update_changed = update_changed
        self.updated = 0
        self.changed_skipped = 0

    def _row(self, record_id: str, form: FormSpec, values: dict[str, Any]) -> dict[str, Any]:
        now = utcnow()
        changes = [(key, None, value) for key, value in values.items()]
        self.audit_batch += audit_rows(
            (self.os_user, self.filler), record_id, form.id, ACTION_IMPORT, changes, now
        )
        # site names from this import's cache instead of one query a row
        derived = derived_columns(form, values, self.run.sites.names)
        return new_record_row(record_id, form, values, derived, self.author, now)

    def _write_site(self, pending: PendingSite) -> None:
        assert self.run.sites.site_form is not None
        row = self._row(pending.id, self.run.sites.site_form, pending.values)
        insert_many(self.session, Record, [row])
        self.run.sites.names[pending.id] = pending.name
        pending.written = True
        self.sites_written.append(pending.name)

    def _write_sites_of(self, values: Mapping[str, Any]) -> None:
        for site_id in self.run.site_ids_of(values):
            pending = self.run.sites.pending_by_id.get(site_id)
            if pending is not None and not pending.written:
                self.flush()
                self._write_site(pending)

    def update(self, changed: ChangedRow, values: Mapping[str, Any]) -> None:
        """A 内容不同 row: its differing cells written into the record through the record
        service (validated and audited as any 修改) when the clerk chose 更新."""
        if not _chosen(self.update_changed, changed.row_id):
            self.changed_skipped += 1
            return
        old = imports.record_data(self.session, changed.record_id) or {}
        raw: dict[str, Any] = {}
        for change in changes_of(changed):
            spec = self.form.field(change)
            raw[change] = _keep_photos(spec, old.get(change), values.get(change))
        self._write_sites_of(raw)
        self.flush()  # audit entries stay in the order things happened
        RecordService(self.ctx).update(changed.record_id, raw, within=self.session)
        self.updated += 1

    def accept(self, number: int, values: dict[str, Any]) -> None:
        self._write_sites_of(values)
        self.numbering.assign(values)
        self.records_batch.append(self._row(str(uuid.uuid4()), self.form, values))
        self.added += 1
        if len(self.records_batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        insert_many(self.session, Record, self.records_batch)
        self.records_batch = []
        repository.add_audit_rows(self.session, self.audit_batch)
        self.audit_batch = []


def changes_of(changed: ChangedRow) -> list[str]:
    return [c.field for c in changed.changes]


def _keep_photos(spec: Any, old: Any, new: Any) -> Any:
    """A repeat group from the file keeps the photos of the stored rows (a ledger cell
    holds none), row by row; any other value is the file's (None clears)."""
    if not (spec.is_repeat and isinstance(old, list) and isinstance(new, list)):
        return new
    photos = [c.key for c in spec.fields if c.type == "photos"]
    rows = []
    for index, row in enumerate(new):
        kept = dict(row)
        before = old[index] if index < len(old) and isinstance(old[index], dict) else {}
        for key in photos:
            if before.get(key) and not kept.get(key):
                kept[key] = before[key]
        rows.append(kept)
    return rows


# ---- public API ---------------------------------------------------------------------------
def _matcher(ctx: AppContext, ledger: LedgerSpec, columns: Mapping[str, str]) -> HeaderMatcher:
    form = ctx.registry.form(ledger.form)
    try:
        return HeaderMatcher(ledger, form, ctx.registry, assigned=columns or None)
    except ValueError as exc:
        raise ImportFileError(str(exc)) from exc


def _titles(rows: Sequence[tuple[int, tuple[Any, ...]]], header_first: int) -> list[str]:
    """Texts above the header (the sheet's title lines)."""
    return [
        cell_text(v).strip()
        for number, values in rows
        if number < header_first
        for v in values
        if v is not None and cell_text(v).strip()
    ]


def _with_year(layout: Layout, year: int | None) -> None:
    """Dates written without a year (6月5日) take the year named by the sheet."""
    if year is None:
        return
    for column in layout.columns:
        spec = column.spec
        if column.converter is not None and spec is not None and spec.type in ("date", "datetime"):
            column.converter = CellConverter(spec, year_hint=year)


def _locate(
    ctx: AppContext,
    ledger: LedgerSpec,
    checked: CheckedFile,
    source: SheetSource,
    columns: Mapping[str, str],
    sheets: Sequence[str] | None = None,
) -> list[tuple[Layout, int | None]]:
    """The sheets holding this ledger, each with its layout and the year its title or
    name names: every sheet whose header matches as well as the best one does (a
    workbook of one sheet per month), or the sheets asked for."""
    matcher = _matcher(ctx, ledger, columns)
    found: list[tuple[Layout, int | None]] = []
    names = list(sheets) if sheets is not None else list(source.sheet_names)
    for sheet in names:
        rows = list(source.rows(sheet, limit=HEADER_SCAN_ROWS))
        layout = find_layout(matcher, sheet, rows)
        if layout is not None:
            year = year_hint_of([*_titles(rows, layout.header_first), sheet, checked.path.stem])
            found.append((layout, year))
    needed = 1 if len(ledger.columns) < 2 else 2
    best = max((layout.score for layout, _ in found), default=0)
    if best < needed:
        labels = "、".join(c.label for c in ledger.columns)
        raise ImportFileError(
            f"在“{checked.path.name}”中找不到“{ledger.title}”的表头。"
            f"表头应在前{HEADER_SCAN_ROWS}行内，包含这些列（或其常用别名）：{labels}"
        )
    if sheets is None:
        # sheets of the same table score alike; a summary or notes sheet scores lower
        floor = max(needed, (best * 2 + 2) // 3)
        found = [(layout, year) for layout, year in found if layout.score >= floor]
    else:
        found = [(layout, year) for layout, year in found if layout.score >= needed]
    for layout, year in found:
        _with_year(layout, year)
    return found


def _describe(ledger: LedgerSpec, layout: Layout) -> tuple[list[ColumnMatch], list[str], list[str]]:
    """(column matches, notes, headers of the columns no ledger column matched)."""
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
            note = "未识别的列：不导入，可指定对应的字段"
            unknown.append(column.header)
        matches.append(ColumnMatch(column.letter, column.header, target, note))
    found = {c.ledger_column.field for c in layout.columns if c.ledger_column is not None}
    missing = [c.label for c in ledger.columns if c.field not in found]
    if missing:
        notes.append(f"表格中没有这些列，导入后为空：{'、'.join(missing)}")
    if unknown:
        notes.append(f"未识别的列（不导入，可在预览中指定对应的字段）：{'、'.join(unknown)}")
    if any(
        c.kind == "ignored" and c.spec is not None and c.spec.type == "photos"
        for c in layout.columns
    ):
        notes.append("“照片”列只记录张数，照片本身不会导入，请在记录中补充")
    return matches, notes, unknown


def open_checked(path: Path) -> tuple[CheckedFile, SheetSource]:
    check_xml_defences()
    checked = inspect_file(path)
    return checked, open_source(checked)


def _error_headers(layout: Layout) -> list[str]:
    return [
        c.ledger_column.label if c.ledger_column is not None and c.kind != "ignored" else c.header
        for c in layout.columns
    ]


def _new_report(
    ledger: LedgerSpec,
    path: Path,
    sha: str,
    checked: CheckedFile,
    located: Sequence[tuple[Layout, int | None]],
    decisions: MappingProfile | None,
) -> ImportPreview:
    first = located[0][0]
    parts: list[SheetPart] = []
    notes: list[str] = []
    unknown: list[str] = []
    described = [(layout, year, *_describe(ledger, layout)) for layout, year in located]
    same = all(d[3] == described[0][3] for d in described)
    for layout, year, columns, part_notes, part_unknown in described:
        header_rows = (layout.header_first, layout.header_last)
        parts.append(SheetPart(layout.sheet, header_rows, year, columns))
        for note in part_notes:
            # notes every sheet shares are said once
            shown = note if same else f"工作表“{layout.sheet}”：{note}"
            if shown not in notes:
                notes.append(shown)
        unknown += [h for h in part_unknown if h not in unknown]
    if len(located) > 1:
        notes.insert(0, f"共读取 {len(located)} 个工作表：{'、'.join(p.sheet for p in parts)}")
    return ImportPreview(
        ledger_id=ledger.id,
        ledger_title=ledger.title,
        path=path,
        sha256=sha,
        kind=checked.kind,
        sheet=first.sheet,
        header_rows=(first.header_first, first.header_last),
        columns=parts[0].columns,
        labels=tuple(c.label for c in ledger.columns),
        notes=notes,
        parts=parts,
        decisions=decisions,
        unknown_columns=unknown,
    )


def _columns_of(profile: MappingProfile, decisions: MappingProfile | None) -> dict[str, str]:
    columns = dict(profile.columns)
    if decisions is not None:
        columns.update(decisions.columns)
    return columns


def preview(
    ctx: AppContext,
    ledger_id: str,
    path: Path,
    progress: Progress | None = None,
    errors_path: Path | None = None,
    *,
    decisions: MappingProfile | None = None,
    sheets: Sequence[str] | None = None,
) -> ImportPreview:
    """Read the file and report what an import would do; nothing is written (except the
    error workbook when ``errors_path`` is given and rows were rejected).

    ``decisions``: the clerk's readings of spellings and headers for this import, on top
    of the ledger's saved profile; ``sheets``: read only these sheets."""
    ledger = ctx.registry.ledger(ledger_id)
    path = Path(path)
    checked, source = open_checked(path)
    book: ErrorBook | None = None
    try:
        sha = file_sha256(path)
        with ctx.reading() as session:
            profile = load_profile(session, ledger.id).merged(decisions)
            located = _locate(ctx, ledger, checked, source, _columns_of(profile, decisions), sheets)
            report = _new_report(ledger, path, sha, checked, located, decisions)
            if sheets is not None:
                report.requested_sheets = tuple(sheets)
            layouts = [layout for layout, _ in located]
            book = (
                ErrorBook(errors_path, ledger.title, _error_headers(layouts[0]))
                if errors_path
                else None
            )
            done = imports.find_imported(session, sha, ledger.id)
            if done is not None:
                when = done.imported_at.replace(tzinfo=UTC).astimezone()
                report.already_imported = (
                    f"该文件已于{when:%Y年%m月%d日 %H:%M}导入过本台账（添加了{done.rows_added}行），"
                    "再次导入不会添加任何记录。"
                )
            run = _Pass(ctx, ledger, layouts, session, report, ChoiceBook(profile))
            kept = _Kept(run, [], imports.data_stamp(session))
            run.run(source, kept.collect, book, progress, kept.collect_changed)
            if not report.error_row_count and not kept.overflow and not report.already_imported:
                report.kept = kept
        if book is not None and book.count:
            book.save()
        return report
    finally:
        if book is not None:
            book.discard()
        source.close()


@dataclass
class Written:
    added: int
    sites: list[str]
    fresh: ImportPreview
    author: str
    updated: int = 0
    changed_skipped: int = 0


def import_in(
    ctx: AppContext,
    session: Session,
    report: ImportPreview,
    checked: CheckedFile,
    source: SheetSource,
    books: list[ErrorBook],
    errors_path: Path,
    skip_invalid: bool,
    progress: Progress | None,
    decisions: MappingProfile | None,
    update_changed: UpdateChoice = False,
) -> Written:
    """Write one previewed file inside the caller's transaction; raises ImportRejected
    when rows are rejected and ``skip_invalid`` is off (the caller rolls back).
    ``update_changed``: the 内容不同 rows to write as updates (True: all)."""
    ledger = ctx.registry.ledger(report.ledger_id)
    profile = load_profile(session, ledger.id).merged(decisions)
    located = _locate(
        ctx, ledger, checked, source, _columns_of(profile, decisions), report.requested_sheets
    )
    fresh = _new_report(ledger, report.path, report.sha256, checked, located, decisions)
    layouts = [layout for layout, _ in located]
    book = ErrorBook(errors_path, ledger.title, _error_headers(layouts[0]))
    books.append(book)
    choice_book = ChoiceBook(profile)
    run = _Pass(ctx, ledger, layouts, session, fresh, choice_book)
    writer = _Writer(ctx, run, session, update_changed)
    run.run(source, writer.accept, book, progress, writer.update)
    if fresh.error_row_count and not skip_invalid:
        raise ImportRejected("导入时发现有错误的行，已全部撤销", fresh)
    writer.flush()
    # the readings this import used are the office's profile from now on
    used = choice_book.accepted().merged(decisions)
    if used:
        save_profile(session, used, ctx.identity(session))
    _record_file(session, report, ledger.id, writer)
    return Written(
        writer.added,
        writer.sites_written,
        fresh,
        writer.author,
        writer.updated,
        writer.changed_skipped,
    )


def commit(
    ctx: AppContext,
    report: ImportPreview,
    skip_invalid: bool = False,
    errors_path: Path | None = None,
    progress: Progress | None = None,
    *,
    decisions: MappingProfile | None = None,
    update_changed: UpdateChoice = False,
) -> ImportResult:
    """Import the previewed file. All-or-nothing unless ``skip_invalid``; rejected rows go
    to the error workbook (``errors_path``, default beside the source file). The
    readings of spellings used (suggestions shown in the preview, the clerk's
    ``decisions`` or those of the preview) are saved as the ledger's profile.
    ``update_changed``: the 内容不同 rows (``ChangedRow.row_id``) the clerk chose to
    更新, or True for all; the others are skipped."""
    ledger = ctx.registry.ledger(report.ledger_id)
    path = Path(report.path)
    if report.already_imported:
        return _already(report)
    extra = decisions
    decisions = (report.decisions or MappingProfile(ledger.id)).merged(extra)
    if file_sha256(path) != report.sha256:
        raise ImportFileError(f"“{path.name}”在预览之后被修改过，请重新预览后再导入。")
    backup = None
    kept = report.kept if not extra else None
    if kept is not None:
        # The same file (its hash), the same decisions: the rows the preview checked are
        # written as they are, without reading the file again, unless the database
        # changed meanwhile (then the full pass below reads and checks it again).
        if report.add_count or decisions or (report.changed_count and update_changed):
            backup = create_backup(ctx.db_path, ctx.engine, "import").path
        with ctx.transaction() as session:
            if imports.find_imported(session, report.sha256, ledger.id) is not None:
                return _already(report)
            if imports.data_stamp(session) == kept.stamp:
                report.kept = None  # used once: its pending sites are marked written
                return _write_kept(ctx, session, report, kept, decisions, backup, update_changed)
    checked, source = open_checked(path)
    book: ErrorBook | None = None
    try:
        target = Path(errors_path) if errors_path else default_errors_path(path)
        with ctx.reading() as session:
            profile = load_profile(session, ledger.id).merged(decisions)
            columns = _columns_of(profile, decisions)
        located = _locate(ctx, ledger, checked, source, columns, report.requested_sheets)
        book = ErrorBook(target, ledger.title, _error_headers(located[0][0]))
        if report.has_errors and not skip_invalid and not extra:
            # Nothing will be written: one read-only pass for the error workbook.
            fresh = _new_report(ledger, path, report.sha256, checked, located, decisions)
            with ctx.reading() as session:
                profile = load_profile(session, ledger.id).merged(decisions)
                layouts = [layout for layout, _ in located]
                _Pass(ctx, ledger, layouts, session, fresh, ChoiceBook(profile)).run(
                    source, None, book, progress
                )
            return _rejected(fresh, book)
        if backup is None and (
            report.add_count or decisions or (report.changed_count and update_changed)
        ):
            backup = create_backup(ctx.db_path, ctx.engine, "import").path
        try:
            with ctx.transaction() as session:
                if imports.find_imported(session, report.sha256, ledger.id) is not None:
                    return _already(report)
                books: list[ErrorBook] = []
                try:
                    written = import_in(
                        ctx,
                        session,
                        report,
                        checked,
                        source,
                        books,
                        target,
                        skip_invalid,
                        progress,
                        decisions,
                        update_changed,
                    )
                finally:
                    if books:
                        book.discard()
                        book = books[0]
        except ImportRejected as rejected:
            fresh = rejected.report or _new_report(
                ledger, path, report.sha256, checked, located, decisions
            )
            fresh.error_row_count = book.count
            return _rejected(fresh, book)
        saved, problem = save_errors(book)
        log.info("imported %s rows from %s into %s", written.added, path, ledger.id)
        return ImportResult(
            added=written.added,
            duplicates=written.fresh.duplicate_count,
            rejected=written.fresh.error_row_count,
            new_sites=tuple(written.sites),
            written=True,
            errors_path=saved,
            errors_problem=problem,
            backup_path=backup,
            skipped=written.fresh.skipped_count,
            updated=written.updated,
            changed_skipped=written.changed_skipped,
        )
    finally:
        if book is not None:
            book.discard()
        source.close()


def _write_kept(
    ctx: AppContext,
    session: Session,
    report: ImportPreview,
    kept: _Kept,
    decisions: MappingProfile | None,
    backup: Path | None,
    update_changed: UpdateChoice = False,
) -> ImportResult:
    """Write the rows a clean preview checked, in the caller's transaction: nothing the
    preview read has changed (same file, same decisions, same database)."""
    ledger = ctx.registry.ledger(report.ledger_id)
    writer = _Writer(ctx, kept.run, session, update_changed)
    kept.run.keys.session = session  # the preview's session is closed
    for number, values in kept.rows:
        writer.accept(number, dict(values))
    for changed, values in kept.changed:
        writer.update(changed, dict(values))
    writer.flush()
    used = kept.run.book.accepted().merged(decisions)
    if used:
        save_profile(session, used, ctx.identity(session))
    _record_file(session, report, ledger.id, writer)
    log.info("imported %s checked rows from %s into %s", writer.added, report.path, ledger.id)
    return ImportResult(
        added=writer.added,
        duplicates=report.duplicate_count,
        rejected=0,
        new_sites=tuple(writer.sites_written),
        written=True,
        backup_path=backup,
        skipped=report.skipped_count,
        updated=writer.updated,
        changed_skipped=writer.changed_skipped,
    )


def _record_file(session: Session, report: ImportPreview, ledger_id: str, writer: _Writer) -> None:
    """Remember the file as imported, unless 内容不同 rows of it were skipped: the clerk
    may import it again to 更新 them (rows already added are then duplicates)."""
    if writer.changed_skipped:
        return
    imports.add_imported(
        session, report.sha256, ledger_id, report.path.name, utcnow(), writer.added, writer.author
    )


def _already(report: ImportPreview) -> ImportResult:
    """A file imported before adds nothing; the rows its preview listed as duplicates
    are still counted as such."""
    return ImportResult(0, report.duplicate_count, 0, (), written=False, already_imported=True)


def save_errors(book: ErrorBook) -> tuple[Path | None, str]:
    """Save the error workbook; a failure (read-only folder, file open in Excel) is
    reported, not raised: the import itself stands."""
    if not book.count:
        return None, ""
    try:
        return book.save(), ""
    except ExportError as exc:  # the writer's message: read-only, open in Excel, disk full
        log.warning("could not save the error workbook %s: %s", book.path, exc)
        return None, f"错误行文件未保存：{exc}请用 --errors 指定其他位置"


def _rejected(fresh: ImportPreview, book: ErrorBook) -> ImportResult:
    saved, problem = save_errors(book)
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
    "ChangedRow",
    "ImportCancelled",
    "ImportFileError",
    "ImportPreview",
    "ImportResult",
    "UntrustedFileError",
    "commit",
    "default_errors_path",
    "preview",
]
