"""Export of ledgers (台账) to .xlsx in the layout counties receive.

One sheet per file: title merged across the table, 填报单位（盖章）/填报日期 row, one- or
two-level header, 序号 first, the records of the period, and the 填表人／审核人／联系电话
line under the table; A4 landscape, one page wide, header rows repeated on every page.

Large ledgers stream: records are read in one query streamed a page at a time
(``yield_per``) and their rows rendered straight as sheet XML into a temporary file
(``xlsx_stream``) inside openpyxl's write-only package, so memory does not grow with the
number of rows. Every cell of a column shares one style prepared once (``_Styles``);
openpyxl's per-cell objects and their serialisation were about 90% of a large export.

A file is written beside its target under a temporary name, flushed, fsynced and renamed
over the target: a failure or a cancel leaves any old file untouched and no partial file.
Values become cells by the conventions of ``ledger_cells`` (shared with the import).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from sqlalchemy import select
from sqlalchemy.orm import Session

from gongkai_desktop.data import repository
from gongkai_desktop.data.models import Record, Township
from gongkai_desktop.data.repository import RecordQuery
from gongkai_desktop.domain.errors import GongkaiError
from gongkai_desktop.domain.periods import Period, format_cn_date
from gongkai_desktop.forms.spec import FieldSpec, FormSpec, LedgerColumn, LedgerSpec
from gongkai_desktop.forms.values import field_values, overdue_label
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.documents.sheet_tables import FOOTER_TEXT, line_count
from gongkai_desktop.services.io.file_output import ExportError, error_message, write_atomically
from gongkai_desktop.services.ledgers import cells as ledger_cells
from gongkai_desktop.services.ledgers.xlsx_stream import (
    Cell,
    SharedStyle,
    SheetRows,
    prepared_style,
)
from gongkai_desktop.services.records.attachments import AttachmentError, photo_path
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.settings import is_county, load_settings

log = logging.getLogger(__name__)

PAGE_SIZE = 1000
SERIAL_LABEL = ledger_cells.SERIAL_LABEL
SERIAL_WIDTH = 5.5
# county mode (县级汇总): every ledger starts with the township a record came from
TOWNSHIP_KEY = "township_code"
TOWNSHIP_SPEC = FieldSpec(key=TOWNSHIP_KEY, label="乡镇", type="text")
TOWNSHIP_WIDTH = 12.0
TITLE_FONT = Font(name="黑体", size=18, bold=True)
HEADER_FONT = Font(name="宋体", size=11, bold=True)
BODY_FONT = Font(name="宋体", size=10)
TOTAL_FONT = Font(name="宋体", size=10, bold=True)
LINE_FONT = Font(name="宋体", size=11)
# points per line of wrapped text, and the padding of a row
BODY_LINE_HEIGHT = 14.5
HEADER_LINE_HEIGHT = 15.5
ROW_PADDING = 5.0
MIN_BODY_ROW_HEIGHT = 20.0
# Characters Windows forbids in file names, and control characters.
_FORBIDDEN_IN_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f]')

Progress = Callable[[int, int, str], None]  # (rows done, rows in total, what is being done)
Cancelled = Callable[[], bool]


class LedgerExportError(ExportError):
    """A ledger export that could not be written; the message says why, in Chinese."""


class ExportCancelled(GongkaiError):
    def __init__(self) -> None:
        super().__init__("已取消导出，未完成的文件已删除。")


@dataclass(frozen=True)
class ExportResult:
    ledger_id: str
    title: str  # the title row as written
    path: Path
    rows: int
    photos: int = 0
    notes: tuple[str, ...] = ()  # e.g. photos whose files are missing


# ---- columns ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Column:
    label: str
    group: str
    width: float
    spec: FieldSpec  # of the ledger's form, or of the site form for "site_key.field"
    key: str  # the field read from the record (or from its site)
    site_key: str | None  # "site" of "site.village"
    number_format: str
    wrap_left: bool  # long text: left-aligned; everything else centred
    from_site: str = ""  # field of the record's site shown when the record's is empty
    total: bool = False  # summed in the 合计 row


def _columns(
    ledger: LedgerSpec, form: FormSpec, site_form: FormSpec | None, township: bool = False
) -> list[_Column]:
    columns = []
    if township:
        columns.append(
            _Column(
                label=TOWNSHIP_SPEC.label,
                group="",
                width=TOWNSHIP_WIDTH,
                spec=TOWNSHIP_SPEC,
                key=TOWNSHIP_KEY,
                site_key=None,
                number_format=ledger_cells.GENERAL_FORMAT,
                wrap_left=False,
            )
        )
    for col in ledger.columns:
        site_key: str | None = None
        if "." in col.field:
            site_key, key = col.field.split(".", 1)
            assert site_form is not None  # the loader checked the reference
            spec = site_form.field(key)
        else:
            key = col.field
            spec = form.field(key)
        columns.append(_column(col, spec, key, site_key))
    return columns


def _column(col: LedgerColumn, spec: FieldSpec, key: str, site_key: str | None) -> _Column:
    wrap_left = spec.type in ("text", "multiline", "repeat", "multi_choice", "person") and (
        col.width >= 10
    )
    return _Column(
        label=col.label,
        group=col.group,
        width=col.width,
        spec=spec,
        key=key,
        site_key=site_key,
        number_format=ledger_cells.number_format(spec),
        wrap_left=wrap_left,
        from_site=col.from_site,
        total=col.total,
    )


# ---- styles ----------------------------------------------------------------------------
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_LINE_LEFT = Alignment(horizontal="left", vertical="center")
_LINE_RIGHT = Alignment(horizontal="right", vertical="center")


class _Styles:
    """One prepared style per kind of cell. openpyxl registers a style's font, border
    and alignment in the workbook's tables when they are assigned; the resulting index
    array is copied into every cell of the kind (the same thing ``cell.style = name``
    does, without looking the named style up for each of a million cells)."""

    def __init__(self, ws: Any, columns: Sequence[_Column]) -> None:
        self.ws = ws
        self.title = self._make(TITLE_FONT, Alignment(horizontal="center", vertical="center"))
        self.line_left = self._make(LINE_FONT, _LINE_LEFT)
        self.line_right = self._make(LINE_FONT, _LINE_RIGHT)
        self.header = self._make(HEADER_FONT, _CENTRE, _BORDER)
        self.serial = self._make(BODY_FONT, _CENTRE, _BORDER, ledger_cells.INTEGER_FORMAT)
        self.body = [
            self._make(BODY_FONT, _LEFT if c.wrap_left else _CENTRE, _BORDER, c.number_format)
            for c in columns
        ]
        # text that Excel would take for a formula: a string with quotePrefix
        self.quoted = [
            self._make(BODY_FONT, _LEFT if c.wrap_left else _CENTRE, _BORDER, quote=True)
            for c in columns
        ]
        self.empty_body = self._make(BODY_FONT, _LEFT, _BORDER)
        self.total_label = self._make(TOTAL_FONT, _CENTRE, _BORDER)
        self.total = [self._make(TOTAL_FONT, _CENTRE, _BORDER, c.number_format) for c in columns]

    def _make(
        self,
        font: Font,
        alignment: Alignment,
        border: Border | None = None,
        number_format: str = ledger_cells.GENERAL_FORMAT,
        quote: bool = False,
    ) -> SharedStyle:
        return prepared_style(self.ws, font, alignment, border, number_format, quote)


# ---- file names --------------------------------------------------------------------------
def safe_file_name(name: str) -> str:
    """``name`` without the characters Windows forbids, trailing dots and spaces."""
    cleaned = _FORBIDDEN_IN_NAMES.sub("", name).strip().rstrip(". ")
    return cleaned or "台账"


def ledger_file_name(unit_name: str, ledger_title: str, period: Period) -> str:
    parts = [p for p in (unit_name.strip(), ledger_title, period.label) if p]
    return safe_file_name("_".join(parts)) + ".xlsx"


# ---- the export ------------------------------------------------------------------------
@dataclass
class _Layout:
    ncols: int
    header_top: int  # first header row
    header_rows: int  # 1 or 2
    widths: list[float] = field(default_factory=list)
    # sheet columns (1-based, inclusive) of each printed part; one part: the whole width
    parts: list[tuple[int, int]] = field(default_factory=list)

    @property
    def data_start(self) -> int:
        return self.header_top + self.header_rows

    @property
    def first_part_end(self) -> int:
        return self.parts[0][1] if len(self.parts) > 1 else self.ncols

    # sheet columns repeated at the left of every later printed part (序号 and the
    # leading natural-key columns)
    repeat: int = 0

    def repeated(self) -> int:
        return self.repeat if len(self.parts) > 1 else 0


class LedgerExporter:
    """Exports the ledgers of ``forms/ledgers/`` from the database of ``ctx``."""

    def __init__(self, ctx: AppContext, today: date | None = None) -> None:
        self.ctx = ctx
        self.registry = ctx.registry
        self.records = RecordService(ctx)
        self.today = today or date.today()

    # ---- public ------------------------------------------------------------------------
    def title_of(self, ledger: LedgerSpec, period: Period | None, unit_name: str) -> str:
        if period is None:
            # a register asked for no period lists every live site as it stands today
            return f"{unit_name}{ledger.title}（截至{format_cn_date(self.today)}）"
        # a register exported with the period's other ledgers is that period's register
        return f"{unit_name}{period.label}{ledger.title}"

    def count(self, ledger_id: str, period: Period | None) -> int:
        ledger = self.registry.ledger(ledger_id)
        return self.records.count(self._query(ledger, period))

    def export(
        self,
        ledger_id: str,
        period: Period | None,
        target: Path | str,
        *,
        photos_folder: Path | None = None,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> ExportResult:
        """Write one ledger for ``period`` to ``target`` (.xlsx). Site registers ignore
        the period. With ``photos_folder`` each record's photos are copied into a
        sub-folder named by its 序号."""
        ledger = self.registry.ledger(ledger_id)
        target = Path(target)
        if target.suffix.lower() != ".xlsx":
            raise LedgerExportError(f"台账只能导出为 .xlsx 文件，“{target.name}”的扩展名不对")
        if not target.parent.is_dir():
            raise LedgerExportError(
                f"目标文件夹“{target.parent}”不存在（U盘是否已拔出？），台账未导出。"
            )
        settings = load_settings(self.ctx)
        run = _Run(self, ledger, period, settings, progress, cancelled, photos_folder)
        run.total = self.count(ledger.id, period) if progress is not None else 0
        photo_stage = _PhotoStage(photos_folder) if photos_folder is not None else None
        run.photo_stage = photo_stage
        try:
            write_atomically(target, run.write, LedgerExportError)
            if photo_stage is not None:
                photo_stage.commit()
        except BaseException:
            if photo_stage is not None:
                photo_stage.discard()
            raise
        log.info("ledger %s exported to %s (%d rows)", ledger.id, target, run.rows)
        return ExportResult(
            ledger.id, run.title, target, run.rows, run.photos_copied, tuple(run.notes)
        )

    def export_all(
        self,
        period: Period,
        folder: Path | str,
        photos: bool = False,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> list[ExportResult]:
        """Every ledger of ``period`` into ``folder`` as ``单位_台账名_期间.xlsx``; with
        ``photos`` each ledger's photos go into ``单位_台账名_期间（照片）/序号/``.

        A cancel stops before the next page of records; the file being written is
        removed (files finished before stay, complete) and ``ExportCancelled`` is raised.
        """
        folder = Path(folder)
        try:
            # a new folder for the period is made; a missing drive (U盘拔出) still fails
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LedgerExportError(
                f"无法建立目标文件夹“{folder}”（{exc.strerror or exc}），台账未导出。"
                "U盘是否已拔出？"
            ) from exc
        unit = load_settings(self.ctx)["unit_name"]
        ledgers = list(self.registry.ledgers.values())
        totals = {ledger.id: self.count(ledger.id, period) for ledger in ledgers}
        total = sum(totals.values())
        done = 0
        results = []
        for ledger in ledgers:
            if cancelled is not None and cancelled():
                raise ExportCancelled()
            name = ledger_file_name(unit, ledger.title, period)
            offset = done

            def step(n: int, _total: int, text: str, offset: int = offset) -> None:
                if progress is not None:
                    progress(offset + n, total, text)

            photos_folder = folder / (name.removesuffix(".xlsx") + "（照片）") if photos else None
            results.append(
                self.export(
                    ledger.id,
                    period,
                    folder / name,
                    photos_folder=photos_folder,
                    progress=step,
                    cancelled=cancelled,
                )
            )
            done += totals[ledger.id]
        if progress is not None:
            progress(total, total, "导出完成")
        return results

    # ---- records -----------------------------------------------------------------------
    def _query(self, ledger: LedgerSpec, period: Period | None) -> RecordQuery:
        form = self.registry.form(ledger.form)
        filters = tuple((k, tuple(v)) for k, v in ledger.filter.items())
        if ledger.date_field is None:
            return RecordQuery(form_id=form.id, sort_key="title", descending=False, filters=filters)
        by_record_date = ledger.date_field == form.date_field
        return RecordQuery(
            form_id=form.id,
            sort_key="record_date" if by_record_date else ledger.date_field,
            descending=False,
            filters=filters,
            date_from=period.start if period and by_record_date else None,
            date_to=period.end if period and by_record_date else None,
        )

    def iter_records(
        self,
        session: Session,
        ledger: LedgerSpec,
        period: Period | None,
        cancelled: Cancelled | None = None,
    ) -> Iterator[list[LedgerRow]]:
        """Pages of the ledger's live records in ledger order (by date, then by the
        natural key within a day).

        One query, streamed a page at a time (``yield_per``) inside the caller's read
        transaction: a consistent snapshot, memory bounded by the page size, and one
        pass over the table. (Keyset paging with one query per page re-scans the rows
        before the cursor for every page, which grows with the square of the ledger.)
        """
        query = self._query(ledger, period)
        date_key = ledger.date_field
        form = self.registry.form(ledger.form)
        in_sql = date_key is not None and date_key == form.date_field
        tie_keys = [k for k in ledger.natural_key if k != date_key and "." not in k]
        held: list[LedgerRow] = []  # the last day of a page waits for the next page

        def day_of(row: LedgerRow) -> Any:
            return row.values.get(date_key) if date_key else None

        def ordered(rows: list[LedgerRow]) -> list[LedgerRow]:
            if date_key is None:
                return rows
            return sorted(
                rows,
                key=lambda r: (
                    day_of(r) or "",
                    *(str(r.values.get(k) or "") for k in tie_keys),
                    r.created_at,
                ),
            )

        # the three columns the export reads, not whole ORM objects
        stmt = (
            repository.select_records(query)
            .with_only_columns(Record.id, Record.data, Record.created_at, Record.township_code)
            .execution_options(yield_per=PAGE_SIZE)
        )
        for records in session.execute(stmt).partitions():
            if cancelled is not None and cancelled():
                raise ExportCancelled()
            page = [LedgerRow(r.id, r.data, r.created_at, r.township_code) for r in records]
            if date_key is not None and not in_sql and period is not None:
                page = [r for r in page if _in_period(r.values.get(date_key), period)]
            rows = held + page
            if page and date_key is not None and len(rows) < 10 * PAGE_SIZE:
                last_day = day_of(rows[-1])
                held = [r for r in rows if day_of(r) == last_day]
                rows = [r for r in rows if day_of(r) != last_day]
            else:
                held = []
            if rows:
                yield ordered(rows)
        if cancelled is not None and cancelled():
            raise ExportCancelled()
        if held:
            yield ordered(held)


@dataclass(frozen=True)
class LedgerRow:
    """What the export needs of a record."""

    id: str
    values: dict[str, Any]
    created_at: datetime
    township_code: str | None = None  # county mode: whose record it is


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _in_period(value: Any, period: Period) -> bool:
    try:
        return period.contains(date.fromisoformat(value))
    except (TypeError, ValueError):
        return False


class _PhotoStage:
    """Photos copied into a temporary folder beside the target, renamed into place at
    the end (an older folder of the same name is replaced only then)."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.tmp = Path(tempfile.mkdtemp(prefix=".~照片导出中-", dir=target.parent))

    def add(self, source: Path, serial: int, name: str) -> None:
        folder = self.tmp / str(serial)
        folder.mkdir(exist_ok=True)
        shutil.copyfile(source, folder / name)

    def commit(self) -> None:
        old = None
        if self.target.exists():
            old = self.target.with_name(self.target.name + ".~旧")
            if old.exists():
                shutil.rmtree(old)
            os.replace(self.target, old)
        os.replace(self.tmp, self.target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


class _Run:
    """One ledger being written."""

    def __init__(
        self,
        exporter: LedgerExporter,
        ledger: LedgerSpec,
        period: Period | None,
        settings: Mapping[str, str],
        progress: Progress | None,
        cancelled: Cancelled | None,
        photos_folder: Path | None,
    ) -> None:
        self.exporter = exporter
        self.ledger = ledger
        self.period = period
        self.settings = settings
        self.progress = progress
        self.cancelled = cancelled
        self.form = exporter.registry.form(ledger.form)
        self.site_form = exporter.registry.forms.get("site")
        # county mode: a 乡镇 column after 序号, named from the townships table
        self.township_column = is_county(settings)
        self.columns = _columns(ledger, self.form, self.site_form, self.township_column)
        self._township_names: dict[str, str] = {}
        self.title = exporter.title_of(ledger, period, settings.get("unit_name", ""))
        self.rows = 0
        self.total = 0
        self.photos_copied = 0
        self.notes: list[str] = []
        self.photo_stage: _PhotoStage | None = None
        self._names: dict[str, str] = {}
        self._sites: dict[str, dict[str, Any]] = {}
        # the site fields whose sites' values are read: "site" of "site.village", and the
        # form's own site field when a column falls back on the site (``from_site``)
        self._site_keys = {c.site_key for c in self.columns if c.site_key}
        if self.form.site_field and any(c.from_site for c in self.columns):
            self._site_keys.add(self.form.site_field)
        self._link_keys = [c.key for c in self.columns if c.site_key is None] + sorted(
            self._site_keys
        )
        # running sums of the columns totalled in the 合计 row (by column index)
        self._totals: dict[int, float] = {i: 0 for i, c in enumerate(self.columns) if c.total}

    # ---- layout ------------------------------------------------------------------------
    def write(self, fh: BinaryIO) -> None:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(title=safe_sheet_title(self.ledger.title))
        self.out = SheetRows(ws)
        try:
            self._write_sheet(ws)
            self.out.close()
            wb.save(fh)
        except BaseException:
            self.out.discard()
            raise

    def _write_sheet(self, ws: Any) -> None:
        columns = self.columns
        has_groups = any(c.group for c in columns)
        layout = _Layout(ncols=len(columns) + 1, header_top=3, header_rows=2 if has_groups else 1)
        layout.widths = [SERIAL_WIDTH, *(c.width for c in columns)]
        layout.parts, layout.repeat = _printed_parts(self.ledger, int(self.township_column))
        styles = _Styles(ws, columns)
        for index, width in enumerate(layout.widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        self._page_setup(ws, layout)
        ws.freeze_panes = f"A{layout.data_start}"
        # title, unit/date row and signature line span the first printed part only, so
        # a ledger printed in parts keeps them whole on its first page
        last = get_column_letter(layout.first_part_end)

        # row 1: title
        ws.merged_cells.add(f"A1:{last}1")
        self.out.append([(self.title, styles.title)], 36)
        # row 2: 填报单位（盖章） left, 填报日期 right
        split = _right_span_start(layout.widths[: layout.first_part_end], 26)
        # printed in parts, the columns repeated on every part stay clear of the unit and
        # signature lines, which would otherwise show cut off on the later parts
        lead = layout.repeated()
        ws.merged_cells.add(f"{get_column_letter(lead + 1)}2:{get_column_letter(split - 1)}2")
        ws.merged_cells.add(f"{get_column_letter(split)}2:{last}2")
        row2: list[Cell] = [None] * layout.first_part_end
        row2[lead] = (
            ledger_cells.UNIT_PREFIX + self.settings.get("unit_name", ""),
            styles.line_left,
        )
        row2[split - 1] = (
            ledger_cells.DATE_PREFIX + format_cn_date(self.exporter.today),
            styles.line_right,
        )
        self.out.append(row2, 24)
        self._write_header(ws, styles, layout)

        with self.exporter.ctx.reading() as session:
            serial = self._write_records(session, styles)
        end = layout.data_start + max(serial, 1)
        if serial and self._totals:
            self._write_totals(ws, styles, end)
            end += 1
        if serial == 0:
            row_index = layout.data_start
            ws.merged_cells.add(f"B{row_index}:{get_column_letter(layout.ncols)}{row_index}")
            empty: list[Cell] = [(None, styles.serial)]
            empty.append((ledger_cells.NO_RECORDS_TEXT, styles.body[0]))
            empty += [(None, styles.empty_body) for _ in columns[1:]]
            self.out.append(empty, 24)
        ws.merged_cells.add(f"{get_column_letter(lead + 1)}{end}:{last}{end}")
        self.out.append([None] * lead + [(self._signature_line(), styles.line_left)], 28)
        assert self.out.count == end  # the merged areas above name the rows written

    def _write_records(self, session: Session, styles: _Styles) -> int:
        serial = 0
        if self.township_column:
            rows = session.execute(select(Township.code, Township.name)).all()
            self._township_names = {code: name for code, name in rows}
        pages = self.exporter.iter_records(session, self.ledger, self.period, self.cancelled)
        for page in pages:
            self._lookup_links(session, page)
            for row in page:
                serial += 1
                self._write_record(styles, serial, row)
                if self.photo_stage is not None:
                    self._copy_photos(row, serial)
            self.rows = serial
            if self.progress is not None:
                self.progress(serial, self.total, self.ledger.title)
        return serial

    def _write_totals(self, ws: Any, styles: _Styles, row_index: int) -> None:
        """The 合计 row: the sums of the columns the ledger file totals, as values (a
        SUM formula has no cached value when openpyxl writes it, and viewers that do
        not recalculate, phone previews among them, would show it empty). 合计 spans
        the columns before the first total; the import skips the row by that word."""
        first = min(self._totals)  # index of the first totalled column
        if first > 0:  # 序号 and the columns before it: one cell
            ws.merged_cells.add(f"A{row_index}:{get_column_letter(first + 1)}{row_index}")
        cells: list[Cell] = [(ledger_cells.TOTAL_LABEL, styles.total_label)]
        cells += [(None, styles.total_label) for _ in range(first)]
        for index in range(first, len(self.columns)):
            spec = self.columns[index].spec
            if index not in self._totals:
                cells.append((None, styles.total_label))
                continue
            total = self._totals[index]
            value = round(total, spec.decimals) if spec.decimals is not None else total
            cells.append((int(value) if spec.type == "integer" else value, styles.total[index]))
        self.out.append(cells, MIN_BODY_ROW_HEIGHT + 4)

    def _signature_line(self) -> str:
        gap = "\u3000" * 6
        s = self.settings
        return (
            f"{ledger_cells.FOOTER_FILLER}{s.get('filler', '') or gap}\u3000\u3000\u3000"
            f"{ledger_cells.FOOTER_REVIEWER}{s.get('reviewer', '') or gap}\u3000\u3000\u3000"
            f"{ledger_cells.FOOTER_PHONE}{s.get('phone', '')}"
        )

    def _page_setup(self, ws: Any, layout: _Layout) -> None:
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = 9  # A4
        if len(layout.parts) > 1:
            # printed in parts one page wide each, at the scale the widest part needs
            # (Excel ignores manual column breaks under "fit to page")
            repeated = sum(layout.widths[: layout.repeated()])
            widest = max(
                sum(layout.widths[first - 1 : end]) + (repeated if n else 0)
                for n, (first, end) in enumerate(layout.parts)
            )
            ws.page_setup.scale = print_scale(widest)
            ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=False)
            for _first, end in layout.parts[:-1]:
                ws.col_breaks.append(Break(id=end))
            if layout.repeated():
                ws.print_title_cols = f"A:{get_column_letter(layout.repeated())}"
        else:
            ws.page_setup.fitToWidth = 1
            ws.page_setup.fitToHeight = 0
            ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = 0.5
        ws.page_margins.bottom = 0.6
        ws.page_margins.header = 0.3
        ws.page_margins.footer = 0.3
        ws.oddFooter.center.text = FOOTER_TEXT
        ws.oddFooter.center.size = 10
        ws.oddFooter.center.font = "宋体"
        last_header = layout.header_top + layout.header_rows - 1
        ws.print_title_rows = f"{layout.header_top}:{last_header}"

    def _write_header(self, ws: Any, styles: _Styles, layout: _Layout) -> None:
        columns = self.columns
        top = layout.header_top
        if layout.header_rows == 1:
            lines = max(line_count(c.label, c.width, 1.1) for c in columns)
            self.out.append(
                [(SERIAL_LABEL, styles.header)] + [(c.label, styles.header) for c in columns],
                lines * HEADER_LINE_HEIGHT + ROW_PADDING + 4,
            )
            return
        # two levels: a group cell spans its columns; an ungrouped label spans both rows
        upper: list[Cell] = [(SERIAL_LABEL, styles.header)]
        lower: list[Cell] = [(None, styles.header)]
        ws.merged_cells.add(f"A{top}:A{top + 1}")
        group_lines, leaf_lines, single_lines = 1, 1, 1
        index = 0
        while index < len(columns):
            col = columns[index]
            letter = get_column_letter(index + 2)
            if not col.group:
                ws.merged_cells.add(f"{letter}{top}:{letter}{top + 1}")
                upper.append((col.label, styles.header))
                lower.append((None, styles.header))
                single_lines = max(single_lines, line_count(col.label, col.width, 1.1))
                index += 1
                continue
            end = index
            while end + 1 < len(columns) and columns[end + 1].group == col.group:
                end += 1
            span_width = sum(c.width for c in columns[index : end + 1])
            group_lines = max(group_lines, line_count(col.group, span_width, 1.1))
            if end > index:
                ws.merged_cells.add(f"{letter}{top}:{get_column_letter(end + 2)}{top}")
            for position in range(index, end + 1):
                member = columns[position]
                text = col.group if position == index else None
                upper.append((text, styles.header))
                lower.append((member.label, styles.header))
                leaf_lines = max(leaf_lines, line_count(member.label, member.width, 1.1))
            index = end + 1
        top_height = group_lines * HEADER_LINE_HEIGHT + ROW_PADDING + 2
        bottom_height = leaf_lines * HEADER_LINE_HEIGHT + ROW_PADDING + 2
        needed = single_lines * HEADER_LINE_HEIGHT + ROW_PADDING + 4
        if top_height + bottom_height < needed:
            bottom_height = needed - top_height
        self.out.append(upper, top_height)
        self.out.append(lower, bottom_height)

    # ---- records -----------------------------------------------------------------------
    def _lookup_links(self, session: Session, page: Sequence[LedgerRow]) -> None:
        """Names of the sites (and linked records) of a page, and the values of the
        sites that ``site.field`` columns show; fetched once per site."""
        wanted: set[str] = set()
        for row in page:
            for key in self._link_keys:
                value = row.values.get(key)
                if isinstance(value, str) and value not in self._names:
                    wanted.add(value)
        if not wanted:
            return
        names = repository.site_names(session, sorted(wanted))
        self._names.update(names)
        for missing in wanted - names.keys():
            self._names[missing] = missing
        site_keys = self._site_keys
        if site_keys:
            ids = {r.values.get(k) for r in page for k in site_keys} - self._sites.keys()
            for site_id in ids:
                if isinstance(site_id, str):
                    site = repository.get_record(session, site_id)
                    self._sites[site_id] = dict(site.data) if site is not None else {}

    def _write_record(self, styles: _Styles, serial: int, view: LedgerRow) -> None:
        values = view.values
        cells: list[Cell] = [(serial, styles.serial)]
        lines = 1
        for index, col in enumerate(self.columns):
            raw: Any
            if col.spec is TOWNSHIP_SPEC:
                code = view.township_code or ""
                raw = self._township_names.get(code, code)
            elif col.site_key is None and col.spec.computed and "overdue" in col.spec.computed:
                # 是否逾期 as of the export day, not as of the day the record was saved
                raw = overdue_label(col.spec, values, self.exporter.today)
            elif col.site_key is None:
                raw = values.get(col.key)
                if col.from_site and _is_empty(raw):
                    site_id = values.get(self.form.site_field or "") or ""
                    raw = self._sites.get(site_id, {}).get(col.from_site)
            else:
                raw = self._sites.get(values.get(col.site_key) or "", {}).get(col.key)
            value = ledger_cells.cell_value(col.spec, raw, self._names)
            if col.total and isinstance(value, int | float) and not isinstance(value, bool):
                self._totals[index] += value
            if isinstance(value, str):
                # text that Excel would take for a formula keeps the quotePrefix style
                # (the writer writes every string as text, never as a formula)
                quoted = ledger_cells.needs_quote_prefix(value)
                cells.append((value, styles.quoted[index] if quoted else styles.body[index]))
                if len(value) * 2 > col.width - 1.2 or "\n" in value:
                    lines = max(lines, line_count(value, col.width))
            else:
                cells.append((value, styles.body[index]))
        height = max(MIN_BODY_ROW_HEIGHT, lines * BODY_LINE_HEIGHT + ROW_PADDING)
        self.out.append(cells, height)

    def _copy_photos(self, view: LedgerRow, serial: int) -> None:
        assert self.photo_stage is not None
        number = 0
        for entry in _photo_entries(self.form, view.values):
            number += 1
            try:
                source = photo_path(self.exporter.ctx, entry)
            except AttachmentError:
                self.notes.append(f"序号{serial}：照片“{entry.get('file')}”的位置无效，未复制")
                continue
            if not source.is_file():
                name = entry.get("name") or entry.get("file")
                self.notes.append(f"序号{serial}：照片“{name}”的文件不存在，未复制")
                continue
            caption = safe_file_name(entry.get("caption") or Path(entry.get("name") or "").stem)
            name = f"{number:02d}" + (f"-{caption[:40]}" if caption != "台账" else "")
            try:
                self.photo_stage.add(source, serial, name + source.suffix.lower())
            except OSError as exc:
                raise LedgerExportError(error_message(self.photo_stage.target, exc)) from exc
            self.photos_copied += 1


def _photo_entries(form: FormSpec, values: Mapping[str, Any]) -> list[dict[str, str]]:
    """Every photo of a record, in form order (repeat-group rows' photos in place)."""
    return [
        entry
        for spec, value in field_values(form, values)
        if spec.type == "photos" and isinstance(value, list)
        for entry in value
        if isinstance(entry, dict)
    ]


# A4 landscape less 0.4 in margins each side, in points
PRINTABLE_WIDTH_PT = (11.69 - 0.8) * 72


# Points a column width unit takes on paper. Excel draws a unit of the default Calibri 11
# at 7 pixels (5.25 pt); LibreOffice without Calibri's metric twin was measured at up to
# 7.8 pt. The scale is worked out for the wider, so a part fits the page in both.
POINTS_PER_UNIT = 7.8


def print_scale(width_units: float) -> int:
    """The print scale (%) at which columns of ``width_units`` in all fit A4 landscape
    across."""
    return max(10, min(100, int(PRINTABLE_WIDTH_PT / (width_units * POINTS_PER_UNIT) * 100)))


def _printed_parts(ledger: LedgerSpec, lead: int = 0) -> tuple[list[tuple[int, int]], int]:
    """Sheet columns (1-based, inclusive) of each printed part of the ledger (a column
    marked ``new_page`` starts a part; 序号 is column 1, then ``lead`` columns the file
    does not declare: the county's 乡镇), and how many sheet columns are repeated at the
    left of the later parts: 序号, the lead columns and the natural-key columns that lead
    the ledger (the row's number and key on every page)."""
    starts = [i + 2 + lead for i, c in enumerate(ledger.columns) if c.new_page and i > 0]
    edges = [1, *starts, len(ledger.columns) + 2 + lead]
    parts = [(a, b - 1) for a, b in pairwise(edges)]
    keys = 0
    for col in ledger.columns:
        if col.field not in ledger.natural_key:
            break
        keys += 1
    return parts, 1 + lead + keys


def _right_span_start(widths: Sequence[float], wanted: float) -> int:
    """First column (1-based) of the right-hand cell of row 2, at least ``wanted`` wide,
    leaving the left-hand cell at least the first two columns."""
    total = 0.0
    column = len(widths)
    while column > 3 and total < wanted:
        total += widths[column - 1]
        column -= 1
    return column + 1


def safe_sheet_title(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "", title)[:31] or "台账"
