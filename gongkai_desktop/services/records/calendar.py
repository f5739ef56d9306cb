"""设置 → 节假日: the office's own holiday table over chinese-calendar.

Single days marked 上班 or 休息 (with a 说明), and years entered completely. A year is
entered by importing a small workbook (日期 | 类型 | 说明), which replaces that year's
days in one transaction; ``export_template`` writes such a workbook, prefilled from
chinese-calendar where it knows the year, for the clerk to edit and import. Every change
is written to the audit log under the settings record (form ``calendar``).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from gongkai_desktop.data import repository
from gongkai_desktop.data.models import AuditEntry
from gongkai_desktop.data.models import CalendarDay as DayRow
from gongkai_desktop.data.models import CalendarYear as YearRow
from gongkai_desktop.domain.errors import GongkaiError
from gongkai_desktop.domain.workdays import WorkCalendar
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.io import untrusted_files
from gongkai_desktop.services.io.cell_text import is_blank, normalise, parse_date_text
from gongkai_desktop.services.io.file_output import write_atomically
from gongkai_desktop.services.io.sheet_reader import open_source
from gongkai_desktop.services.records.deadlines import (
    calendar_in,
    calendar_rows,
    load_calendar,
    recompute_deadlines_in,
)

AUDIT_RECORD_ID = "settings"  # the settings record, as services.settings audits
AUDIT_FORM_ID = "calendar"
NOTE_MAX = 100
SHEET_TITLE = "节假日安排"
HEADERS = ("日期", "类型", "说明")
REST, WORK = "休息", "上班"
# what clerks write in the 类型 column (compared after ``normalise``)
REST_WORDS = frozenset({"休息", "放假", "休", "节假日", "假", "假日", "法定节假日", "休假"})
WORK_WORDS = frozenset({"上班", "调休上班", "班", "工作日", "补班", "调休", "工作"})
_HEADER_WORDS = {
    "day": frozenset({"日期", "日子", "时间"}),
    "kind": frozenset({"类型", "安排", "休息/上班", "休息或上班", "上班/休息", "放假安排"}),
    "note": frozenset({"说明", "备注", "节日", "节日名称", "名称"}),
}
_HEADER_SEARCH_ROWS = 10
_MAX_ROWS = 1000  # a year has 366 days; more rows is not a holiday table
# Statutory holidays on fixed dates (全国年节及纪念日放假办法, as amended in 2024):
# prefilled for a year chinese-calendar does not know; the lunar ones the clerk adds.
_FIXED_HOLIDAYS = ((1, 1, "元旦"), (5, 1, "劳动节"), (5, 2, "劳动节"), (10, 1, "国庆节"),
                   (10, 2, "国庆节"), (10, 3, "国庆节"))  # fmt: skip
_STATUTORY_WEEKDAYS = 13  # statutory holiday days in a year (2025 on): fewer is suspicious


class CalendarError(GongkaiError):
    """A holiday-table change or file that is refused; nothing has been written."""


@dataclass(frozen=True)
class CalendarDay:
    day: date
    workday: bool  # True = 上班 (e.g. a 调休 weekend), False = 休息
    note: str = ""

    @property
    def kind(self) -> str:
        return WORK if self.workday else REST


@dataclass(frozen=True)
class CalendarYearInfo:
    year: int
    note: str
    entered_at: datetime | None  # UTC
    days: int  # entries of that year in the table


@dataclass(frozen=True)
class ImportResult:
    year: int
    rest_days: int
    work_days: int
    replaced: int  # entries of that year there were before
    warnings: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        text = (
            f"已导入{self.year}年的节假日安排：休息{self.rest_days}天，上班{self.work_days}天"
            f"（替换原有{self.replaced}条）。"
        )
        return text + "".join(self.warnings)


# ---- reading ----------------------------------------------------------------------------
def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _deadlines_follow(ctx: AppContext, session: Session) -> int:
    """Open records' stored working-day deadlines follow the changed table, in the same
    transaction as the change."""
    session.flush()
    return recompute_deadlines_in(ctx, session, calendar_in(session))


def calendar_entries(ctx: AppContext, year: int | None = None) -> list[CalendarDay]:
    with ctx.reading() as session:
        return [CalendarDay(r.day, bool(r.workday), r.note) for r in calendar_rows(session, year)]


def calendar_years(ctx: AppContext) -> list[CalendarYearInfo]:
    with ctx.reading() as session:
        counts: dict[int, int] = {}
        for row in calendar_rows(session):
            counts[row.day.year] = counts.get(row.day.year, 0) + 1
        return [
            CalendarYearInfo(r.year, r.note, r.entered_at, counts.get(r.year, 0))
            for r in session.scalars(select(YearRow).order_by(YearRow.year))
        ]


def calendar_status(ctx: AppContext, today: date) -> list[str]:
    """Warnings for the dashboard and 设置: this year (and, from November on, next year)
    covered neither by the program's calendar nor by the office's table."""
    calendar = load_calendar(ctx)
    years = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    single: dict[int, int] = {}
    for day in calendar.days:
        single[day.year] = single.get(day.year, 0) + 1
    warnings = []
    for year in years:
        if calendar.covers(year):
            continue
        partly = (
            f"（节假日表中已单独录入{single[year]}天，但尚未导入全年安排）"
            if single.get(year)
            else ""
        )
        if year == today.year:
            warnings.append(
                f"今年（{year}年）的节假日安排尚未录入{partly}，答复期限等按周一至周五计算，"
                f"可能不准确。请在“设置—节假日与调休”中导入{year}年的放假安排。"
            )
        else:
            warnings.append(
                f"{year}年的节假日安排尚未录入{partly}。国务院办公厅通常在11月前后公布下一年的"
                f"放假安排，公布后请在“设置—节假日与调休”中导入或逐日录入；"
                f"在此之前，跨入{year}年的期限按周一至周五计算，可能不准确。"
            )
    return warnings


# ---- single days ------------------------------------------------------------------------
def _entry_json(workday: bool | None, note: str = "") -> str | None:
    if workday is None:
        return None
    return json.dumps({"类型": WORK if workday else REST, "说明": note}, ensure_ascii=False)


def _audit(
    session: Session, ctx: AppContext, action: str, field: str, old: str | None, new: str | None
) -> AuditEntry:
    user, filler = ctx.identity(session)
    return AuditEntry(
        at=_now(),
        os_user=user,
        filler=filler,
        record_id=AUDIT_RECORD_ID,
        form_id=AUDIT_FORM_ID,
        action=action,
        field=field,
        old_value=old,
        new_value=new,
    )


def _clean_note(note: str) -> str:
    text = " ".join(str(note or "").split())
    if len(text) > NOTE_MAX:
        raise CalendarError(f"说明不能超过{NOTE_MAX}个字（现有{len(text)}个字）。")
    return text


def parse_kind(text: Any) -> bool | None:
    """True for 上班, False for 休息 (or a synonym), None for anything else."""
    word = normalise(text if text is not None else "")
    if word in {normalise(w) for w in WORK_WORDS}:
        return True
    if word in {normalise(w) for w in REST_WORDS}:
        return False
    return None


def save_day(ctx: AppContext, day: date, workday: bool, note: str = "") -> CalendarDay:
    """Add or change one day of the office's table."""
    note = _clean_note(note)
    with ctx.transaction() as session:
        row = session.get(DayRow, day)
        if row is None:
            session.add(DayRow(day=day, workday=workday, note=note))
            entry = _audit(session, ctx, "新建", day.isoformat(), None, _entry_json(workday, note))
            repository.add_audit(session, [entry])
        elif (bool(row.workday), row.note) != (workday, note):
            old = _entry_json(bool(row.workday), row.note)
            row.workday, row.note = workday, note
            entry = _audit(session, ctx, "修改", day.isoformat(), old, _entry_json(workday, note))
            repository.add_audit(session, [entry])
        _deadlines_follow(ctx, session)
    return CalendarDay(day, workday, note)


def delete_day(ctx: AppContext, day: date) -> None:
    with ctx.transaction() as session:
        row = session.get(DayRow, day)
        if row is None:
            raise CalendarError(f"节假日表中没有{day.isoformat()}。")
        old = _entry_json(bool(row.workday), row.note)
        session.delete(row)
        repository.add_audit(session, [_audit(session, ctx, "删除", day.isoformat(), old, None)])
        _deadlines_follow(ctx, session)


# ---- import -----------------------------------------------------------------------------
def cell_date(value: Any) -> date | None:
    """A date cell: a real date, or text such as 2027-1-1, 2027年1月1日, 2027.01.01."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 10_000 <= value <= 80_000:  # an Excel serial number in a cell not formatted as date
            return date(1899, 12, 30) + timedelta(days=int(value))
        if float(value).is_integer():
            value = str(int(value))  # 20270101
        else:
            return None
    if isinstance(value, str):
        moment = parse_date_text(value)
        return moment.date() if moment is not None else None
    return None


def _column_of(header: tuple[Any, ...]) -> dict[str, int]:
    found: dict[str, int] = {}
    for col, value in enumerate(header):
        if value is None:
            continue
        word = normalise(value)
        for key, words in _HEADER_WORDS.items():
            if key not in found and word in {normalise(w) for w in words}:
                found[key] = col
    return found


def _cell(values: tuple[Any, ...], col: int | None) -> Any:
    return values[col] if col is not None and col < len(values) else None


def _text(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFC", str(value)).strip()


def read_year_file(path: Path) -> tuple[int, list[CalendarDay]]:
    """The year and the days of an office holiday workbook; :class:`CalendarError`
    naming the row for anything wrong. Nothing is written."""
    path = Path(path)
    checked = untrusted_files.inspect_file(path)
    source = open_source(checked)
    try:
        names = source.sheet_names
        sheet = SHEET_TITLE if SHEET_TITLE in names else names[0]
        rows = source.rows(sheet, limit=_MAX_ROWS + _HEADER_SEARCH_ROWS + 1)
        columns: dict[str, int] = {}
        for number, values in rows:
            if number > _HEADER_SEARCH_ROWS:
                break
            columns = _column_of(values)
            if "day" in columns and "kind" in columns:
                break
        if "day" not in columns or "kind" not in columns:
            raise CalendarError(
                f"“{path.name}”的工作表“{sheet}”前{_HEADER_SEARCH_ROWS}行中没有找到表头"
                "“日期”和“类型”。表头应为：日期 | 类型 | 说明（可先导出模板再填写）。"
            )
        days: list[CalendarDay] = []
        seen: dict[date, int] = {}
        year: int | None = None
        year_row = 0
        for number, values in rows:
            if number > _MAX_ROWS + _HEADER_SEARCH_ROWS:
                raise CalendarError(f"“{path.name}”超过{_MAX_ROWS}行，不是一年的节假日安排。")
            raw_day = _cell(values, columns["day"])
            raw_kind = _cell(values, columns["kind"])
            raw_note = _cell(values, columns.get("note"))
            if all(is_blank(v) for v in (raw_day, raw_kind, raw_note)):
                continue
            where = f"第{number}行："
            if is_blank(raw_day):
                raise CalendarError(f"{where}没有填写日期。")
            day = cell_date(raw_day)
            if day is None:
                raise CalendarError(
                    f"{where}日期“{_text(raw_day)}”无法识别，"
                    "请写成 2027-01-01、2027年1月1日 或 2027.01.01。"
                )
            kind = parse_kind(raw_kind)
            if kind is None:
                shown = "" if is_blank(raw_kind) else _text(raw_kind)
                raise CalendarError(
                    f"{where}类型“{shown}”无法识别，应为“休息”或“上班”"
                    "（也可写 放假、节假日、调休上班、班）。"
                )
            note = "" if is_blank(raw_note) else _text(raw_note)
            if len(note) > NOTE_MAX:
                raise CalendarError(f"{where}说明不能超过{NOTE_MAX}个字（现有{len(note)}个字）。")
            if year is None:
                year, year_row = day.year, number
            elif day.year != year:
                raise CalendarError(
                    f"{where}日期{day.isoformat()}不在{year}年（第{year_row}行是{year}年）。"
                    "一个文件只能是一个年度的安排，请把不同年度分开导入。"
                )
            if day in seen:
                raise CalendarError(f"{where}日期{day.isoformat()}与第{seen[day]}行重复。")
            seen[day] = number
            days.append(CalendarDay(day, kind, note))
    finally:
        source.close()
    if year is None:
        raise CalendarError(f"“{path.name}”中没有任何日期。")
    return year, sorted(days, key=lambda d: d.day)


def _day_list_json(days: Iterable[CalendarDay]) -> str:
    return json.dumps(
        [{"日期": d.day.isoformat(), "类型": d.kind, "说明": d.note} for d in days],
        ensure_ascii=False,
    )


def import_year(ctx: AppContext, path: Path) -> ImportResult:
    """Replace one year's entries by the file's and mark the year entered, in one
    transaction: a bad file leaves the table exactly as it was."""
    path = Path(path)
    year, days = read_year_file(path)
    with ctx.transaction() as session:
        old = [CalendarDay(r.day, bool(r.workday), r.note) for r in calendar_rows(session, year)]
        session.execute(
            delete(DayRow).where(DayRow.day >= date(year, 1, 1), DayRow.day <= date(year, 12, 31))
        )
        session.add_all(DayRow(day=d.day, workday=d.workday, note=d.note) for d in days)
        note = f"导入自“{path.name}”"[:200]
        entered = session.get(YearRow, year)
        if entered is None:
            session.add(YearRow(year=year, note=note, entered_at=_now()))
        else:
            entered.note, entered.entered_at = note, _now()
        entry = _audit(session, ctx, "导入", f"{year}年", _day_list_json(old), _day_list_json(days))
        repository.add_audit(session, [entry])
        _deadlines_follow(ctx, session)
    rest = sum(1 for d in days if not d.workday)
    rest_weekdays = sum(1 for d in days if not d.workday and d.day.weekday() < 5)
    warnings = []
    if rest_weekdays < _STATUTORY_WEEKDAYS:
        warnings.append(
            f"注意：文件中周一至周五的休息日只有{rest_weekdays}天，少于全年法定节假日"
            f"（{_STATUTORY_WEEKDAYS}天），请核对是否漏填了春节、清明、端午、中秋等假期。"
        )
    return ImportResult(year, rest, len(days) - rest, len(old), tuple(warnings))


# ---- template ---------------------------------------------------------------------------
def package_days(year: int) -> list[CalendarDay] | None:
    """Every holiday and 调休 working day chinese-calendar knows for ``year``; None when
    it does not know the year."""
    from chinese_calendar import constants

    if not WorkCalendar().covers(year):  # no office years: the package alone
        return None
    chinese = {h.value: h.chinese for h in constants.Holiday}
    days = [
        CalendarDay(day, False, chinese.get(name, name))
        for day, name in constants.holidays.items()
        if day.year == year
    ]
    days += [
        CalendarDay(day, True, f"{chinese.get(name, name)}调休上班")
        for day, name in constants.workdays.items()
        if day.year == year
    ]
    return sorted(days, key=lambda d: d.day)


def template_days(year: int) -> tuple[list[CalendarDay], bool]:
    """(rows of the template, whether they are the complete official schedule)."""
    known = package_days(year)
    if known is not None:
        return known, True
    fixed = [CalendarDay(date(year, m, d), False, name) for m, d, name in _FIXED_HOLIDAYS]
    return fixed, False


def _instructions(year: int, complete: bool) -> list[str]:
    source = (
        f"本模板已按程序自带日历填好{year}年国务院办公厅公布的全部放假和调休上班日期，核对后可直接导入。"
        if complete
        else f"程序自带日历还没有{year}年的安排，模板只填了日期固定的法定节假日"
        "（元旦、劳动节、国庆节）；请按国务院办公厅的通知补全春节、清明、端午、中秋等假期和调休上班日。"
    )
    return [
        f"{year}年节假日安排 填写说明",
        source,
        "每行一天：日期 | 类型 | 说明。",
        "日期：2027-01-01、2027年1月1日、2027.01.01 都可以；一个文件只能是同一年的日期。",
        "类型：休息（放假、节假日）或 上班（调休上班、班）。",
        "只需填写与平常不同的日子：放假的周一至周五填“休息”，调休上班的周六周日填“上班”；"
        "放假期间的周六周日可填可不填。",
        "导入后，该年在节假日表中原有的日期全部替换为本文件的内容，并视为已录入全年安排。",
    ]


def export_template(path: Path, year: int) -> int:
    """Write the year's template workbook; returns the number of days prefilled."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    if not 1900 <= year <= 9999:
        raise CalendarError(f"年度“{year}”不对，应为四位数字，例如 2027。")
    days, complete = template_days(year)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for entry in days:
        sheet.append([entry.day, entry.kind, entry.note])
        sheet.cell(sheet.max_row, 1).number_format = "yyyy-mm-dd"
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = 30
    sheet.freeze_panes = "A2"
    kinds = DataValidation(type="list", formula1=f'"{REST},{WORK}"', allow_blank=True)
    kinds.error = "请填写“休息”或“上班”"
    sheet.add_data_validation(kinds)
    kinds.add("B2:B400")
    notes = book.create_sheet("填写说明")
    for line in _instructions(year, complete):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    notes["A1"].font = Font(bold=True)

    def write(handle: BinaryIO) -> None:
        book.save(handle)

    write_atomically(Path(path), write)
    return len(days)
