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
import logging
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from sqlalchemy import Table
from sqlalchemy.orm import Session

from gongkai_desktop.data import imports
from gongkai_desktop.data.models import AuditEntry, Base, Record
from gongkai_desktop.domain.errors import GongkaiError
from gongkai_desktop.forms.spec import FormSpec, LedgerSpec
from gongkai_desktop.forms.values import (
    display_value,
)
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.io.sheet_reader import SheetSource, open_source
from gongkai_desktop.services.io.untrusted_files import (
    CheckedFile,
    UntrustedFileError,
    check_xml_defences,
    inspect_file,
)
from gongkai_desktop.services.ledgers import cells as ledger_cells
from gongkai_desktop.services.ledgers.intake.cells import cell_text
from gongkai_desktop.services.ledgers.intake.duplicates import DuplicateIndex
from gongkai_desktop.services.ledgers.intake.layout import (
    ERROR_HEADER,
    HEADER_SCAN_ROWS,
    ROW_NUMBER_HEADER,
    HeaderMatcher,
    Layout,
    find_layout,
)
from gongkai_desktop.services.ledgers.intake.rows import (
    ImportCancelled,
    Progress,
    RowChecker,
    RowError,
    RowWarning,
    data_rows,
)
from gongkai_desktop.services.ledgers.intake.sites import PendingSite, SiteResolver
from gongkai_desktop.services.maintenance.backup import create_backup
from gongkai_desktop.services.records.deadlines import calendar_in, is_workday_deadline
from gongkai_desktop.services.records.service import site_refs
from gongkai_desktop.services.records.writing import (
    ACTION_IMPORT,
    Numbering,
    audit_rows,
    derived_columns,
    new_record_row,
    utcnow,
)

log = logging.getLogger(__name__)


def _table_of(model: type[Base]) -> Table:
    """A model's Core table (declarative types ``__table__`` as any FromClause, since a
    class may be mapped to a join or a subquery; these models are mapped to tables)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


_RECORDS = _table_of(Record)
_AUDIT = _table_of(AuditEntry)

SAMPLE_ROWS = 200  # rows to add shown in a preview
MAX_LISTED = 1000  # errors, duplicates, warnings kept for display; all are counted
BATCH = 500


class ImportFileError(GongkaiError):
    """The file can be read but holds no table of this ledger."""


class ImportRejected(GongkaiError):
    """Raised inside the write to roll it back (rows newly rejected at commit time)."""


# ---- what the clerk is shown -----------------------------------------------------------
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


def default_errors_path(source: Path) -> Path:
    return source.with_name(f"{source.stem}_导入错误行.xlsx")


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
    """One pass over the table: each data row checked, duplicates skipped, counts and a
    bounded sample kept in ``report``; the rows to add are handed to ``accept`` (the
    writer) or only counted (preview)."""

    def __init__(
        self,
        ctx: AppContext,
        ledger: LedgerSpec,
        layout: Layout,
        session: Session,
        report: ImportPreview,
    ) -> None:
        self.ledger = ledger
        self.layout = layout
        self.report = report
        self.form: FormSpec = ctx.registry.form(ledger.form)
        # deadlines of imported rows are counted in the office calendar, as on saving
        counts_workdays = any(is_workday_deadline(f) for f in self.form.fields)
        calendar = calendar_in(session) if counts_workdays else None
        self.sites = SiteResolver(session, ctx.registry.forms.get("site"))
        self.keys = DuplicateIndex(session, ledger, self.form, self.sites)
        self.checker = RowChecker(ledger, self.form, layout, self.sites, calendar)

    def note(self, text: str) -> None:
        if len(self.report.notes) < MAX_LISTED:
            self.report.notes.append(text)

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
        for number, values in data_rows(source, self.layout, self.note, progress):
            report.rows_read += 1
            stored, errors, warnings = self.checker.check(number, values)
            report.warning_count += len(warnings)
            _keep(report.warnings, warnings)
            if stored is None:
                report.error_row_count += 1
                _keep(report.errors, errors)
                if error_book is not None:
                    error_book.add(
                        number,
                        values[: error_book.width],
                        [f"“{e.column}”：{e.reason}" for e in errors],
                    )
                continue
            key = self.keys.key_of(stored)
            reason = self.keys.duplicate_reason(key)
            if reason:
                report.duplicate_count += 1
                _keep(report.duplicates, [DuplicateRow(number, self.keys.key_text(stored), reason)])
                continue
            self.keys.add(key, number)
            self._note_new_sites(number, stored)
            report.add_count += 1
            if len(report.rows_to_add) < SAMPLE_ROWS:
                report.rows_to_add.append(PreviewRow(number, self._shown(stored)))
            if accept is not None:
                accept(number, stored)

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


def _keep(shown: list[Any], items: Sequence[Any]) -> None:
    """Add to a list shown to the clerk, up to MAX_LISTED (everything is counted)."""
    room = MAX_LISTED - len(shown)
    if room > 0:
        shown.extend(items[:room])


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
        derived = derived_columns(form, values, self.run.sites.names)
        return new_record_row(record_id, form, values, derived, self.author, now)

    def _write_site(self, pending: PendingSite) -> None:
        assert self.run.sites.site_form is not None
        row = self._row(pending.id, self.run.sites.site_form, pending.values)
        self.session.execute(_RECORDS.insert(), [row])
        self.run.sites.names[pending.id] = pending.name
        pending.written = True
        self.sites_written.append(pending.name)

    def accept(self, number: int, values: dict[str, Any]) -> None:
        for site_id in self.run.site_ids_of(values):
            pending = self.run.sites.pending_by_id.get(site_id)
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
