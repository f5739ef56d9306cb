"""Working days and the statutory deadlines counted in them.

A working day is Monday–Friday minus statutory holidays plus 调休 working weekends.
Where it comes from, first match wins:

1. the office's own table (设置 → 节假日): single days marked 上班 or 休息, and whole
   years the office has entered (a year entered is taken as complete: a weekday not in
   the table is a working day, a weekend day not in the table is a rest day);
2. ``chinese-calendar`` (covers 2004 to the year of its release);
3. Monday–Friday, with a warning naming the year: a deadline that depends on a year
   neither covers may be off, and the record shows it.

Days are counted one by one from the day after the start (the start day itself is not
counted). ``chinese_calendar.find_workday`` is not used: for a start on a rest day it
counts one day too many.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

import chinese_calendar

from gongkai_desktop.domain.periods import format_cn_date

REPLY_DAYS = 20  # 条例第三十三条: 20 working days
EXTENDED_DAYS = 40  # … extended by at most another 20
CORRECTION_NOTICE_DAYS = 7  # 条例第三十条: 补正 notice within 7 working days
PUBLISH_DAYS = 20  # 条例第二十六条: 主动公开 within 20 working days


@cache
def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def uncovered_warning(year: int) -> str:
    return (
        f"{year}年的节假日安排未知（程序自带日历和本单位节假日表都没有），"
        f"期限按周一至周五计算，可能不准确；请在“设置—节假日与调休”中录入{year}年的安排"
    )


@dataclass
class WorkCalendar:
    """Answers "is this a working day?" and counts working days.

    ``days``: the office's single-day entries (True = 上班, False = 休息);
    ``years``: years the office has entered completely. ``guessed`` collects the years
    for which Monday–Friday had to be assumed while answering.
    """

    days: Mapping[date, bool] = field(default_factory=dict)
    years: frozenset[int] = frozenset()
    guessed: set[int] = field(default_factory=set)

    def covers(self, year: int) -> bool:
        return year in self.years or _package_knows(year)

    def is_workday(self, day: date) -> bool:
        own = self.days.get(day)
        if own is not None:
            return own
        if day.year in self.years:
            return day.weekday() < 5
        if _package_knows(day.year):
            return bool(chinese_calendar.is_workday(day))
        self.guessed.add(day.year)
        return day.weekday() < 5

    def add_workdays(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (``start`` not counted)."""
        if count < 0:
            raise ValueError("count must not be negative")
        day = start
        while count:
            day += timedelta(days=1)
            if self.is_workday(day):
                count -= 1
        return day

    def workdays_between(self, after: date, through: date) -> int:
        """Working days in (after, through]: from the day after ``after`` through
        ``through``; 0 when ``through`` is not after ``after``."""
        return sum(
            1
            for n in range(1, (through - after).days + 1)
            if self.is_workday(after + timedelta(days=n))
        )

    def last_workday_until(self, day: date) -> date:
        """The last working day on or before ``day``: the default 成文日期 of a report
        for a period ending on ``day`` (2026-12-31 is a Thursday; 2023-12-31 a Sunday
        gives Friday 2023-12-29)."""
        while not self.is_workday(day):
            day -= timedelta(days=1)
        return day

    def warnings(self) -> tuple[str, ...]:
        return tuple(uncovered_warning(y) for y in sorted(self.guessed))

    def fresh(self) -> WorkCalendar:
        """The same calendar with no guesses recorded yet (one per computation)."""
        return WorkCalendar(self.days, self.years)


@dataclass(frozen=True)
class Deadline:
    due: date
    counted_from: date  # the day counting starts after (receipt, or corrected receipt)
    workdays: int  # working days counted: 20/40 plus days added back
    added: int  # working days added back for consultations
    warnings: tuple[str, ...] = ()


def _merged_days(calendar: WorkCalendar, after: date, spans: Iterable[tuple[date, date]]) -> int:
    """Working days covered by the union of (sent, returned] spans, counted from the
    day after ``after`` only: overlapping consultations are not added twice."""
    days: set[date] = set()
    for sent, returned in spans:
        first = max(sent, after)
        days.update(first + timedelta(days=n) for n in range(1, (returned - first).days + 1))
    return sum(1 for d in days if calendar.is_workday(d))


def reply_deadline(
    calendar: WorkCalendar,
    received: date,
    corrected: date | None = None,
    extended: bool = False,
    consultations: Sequence[tuple[date, date | None]] = (),
    today: date | None = None,
) -> Deadline:
    """法定答复期限 of a 依申请公开 request:

    the 20th working day after receipt (40th when extended); a 补正 restarts the count
    from the corrected application's receipt; the working days from the day after a
    consultation was sent through the day its answer returned are added. A consultation
    still out counts through ``today`` (the deadline moves on until it returns).
    """
    cal = calendar.fresh()
    start = corrected if corrected is not None and corrected > received else received
    base = EXTENDED_DAYS if extended else REPLY_DAYS
    notes: list[str] = []
    spans = []
    for sent, returned in consultations:
        if returned is None:
            returned = today or date.today()
            notes.append(f"征求意见（{format_cn_date(sent)}发出）尚未收回，期限随之顺延")
        if returned > sent:
            spans.append((sent, returned))
    added = _merged_days(cal, start, spans)
    due = cal.add_workdays(start, base + added)
    return Deadline(due, start, base + added, added, (*cal.warnings(), *notes))


def correction_notice_due(calendar: WorkCalendar, received: date) -> Deadline:
    """The last day to send a 补正告知 (7 working days after receipt)."""
    cal = calendar.fresh()
    due = cal.add_workdays(received, CORRECTION_NOTICE_DAYS)
    return Deadline(due, received, CORRECTION_NOTICE_DAYS, 0, cal.warnings())


def publish_deadline(calendar: WorkCalendar, generated: date) -> Deadline:
    """主动公开: the 20th working day after the information was made or changed."""
    cal = calendar.fresh()
    due = cal.add_workdays(generated, PUBLISH_DAYS)
    return Deadline(due, generated, PUBLISH_DAYS, 0, cal.warnings())


def workdays_left(calendar: WorkCalendar, today: date, due: date) -> int:
    """Working days from tomorrow through ``due`` (0 if due today; negative: the working
    days ``due`` is past, counted after it through today)."""
    if due >= today:
        return calendar.workdays_between(today, due)
    return -calendar.workdays_between(due, today)
