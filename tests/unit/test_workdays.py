"""Working days and statutory deadlines, each against dates counted by hand on the 2026
calendar (holidays 1/1–1/3, 2/15–2/23, 4/4–4/6, 5/1–5/5; 调休上班 1/4, 2/14, 2/28, 5/9)."""

from __future__ import annotations

from datetime import date

import pytest

from gongkai_desktop.domain.workdays import (
    WorkCalendar,
    correction_notice_due,
    publish_deadline,
    reply_deadline,
    workdays_left,
)

D = date


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


def test_receipt_on_a_weekday(cal: WorkCalendar) -> None:
    # Mon 3/2: 3/3 is day 1 … four full weeks, the 20th is Mon 3/30
    result = reply_deadline(cal, D(2026, 3, 2))
    assert result.due == D(2026, 3, 30)
    assert (result.counted_from, result.workdays, result.added) == (D(2026, 3, 2), 20, 0)
    assert result.warnings == ()


def test_receipt_on_a_weekend_is_counted_from_the_next_day(cal: WorkCalendar) -> None:
    # Sat 1/3 (a holiday): Sun 1/4 is a 调休 working day = day 1; the 20th is 1/29
    # (chinese_calendar.find_workday(20, 2026-01-03) would say 1/30: DOMAIN §5)
    assert reply_deadline(cal, D(2026, 1, 3)).due == D(2026, 1, 29)


def test_receipt_the_day_before_a_holiday(cal: WorkCalendar) -> None:
    # Fri 4/3, then 4/4–4/6 off: 4/7 = 1 … 4/30 = 18, 5/1–5/5 off, 5/6 = 19, 5/7 = 20
    assert reply_deadline(cal, D(2026, 4, 3)).due == D(2026, 5, 7)


def test_across_spring_festival_with_working_saturdays(cal: WorkCalendar) -> None:
    # Fri 2/13: Sat 2/14 (调休) = 1, 2/15–2/23 off, 2/24 = 2 … Sat 2/28 (调休) = 6,
    # 3/2 = 7 … 3/19 = 20
    assert reply_deadline(cal, D(2026, 2, 13)).due == D(2026, 3, 19)
    # DOMAIN §5's third example, across the new year
    assert reply_deadline(cal, D(2025, 12, 15)).due == D(2026, 1, 13)


def test_correction_restarts_the_count(cal: WorkCalendar) -> None:
    # received 3/2, corrected application received Tue 3/10: 3/11 = 1 … 4/3 = 18,
    # 4/4–4/6 off, 4/7 = 19, 4/8 = 20
    result = reply_deadline(cal, D(2026, 3, 2), corrected=D(2026, 3, 10))
    assert result.due == D(2026, 4, 8) and result.counted_from == D(2026, 3, 10)
    # the 补正 notice itself was due 7 working days after receipt: 3/3 … 3/11
    assert correction_notice_due(cal, D(2026, 3, 2)).due == D(2026, 3, 11)


def test_extension_counts_forty_working_days(cal: WorkCalendar) -> None:
    # 3/2: the 20th is 3/30; 3/31 = 21 … 4/3 = 24, 4/7 = 25 … 4/28 = 40
    result = reply_deadline(cal, D(2026, 3, 2), extended=True)
    assert result.due == D(2026, 4, 28) and result.workdays == 40


def test_consultation_days_are_added_back(cal: WorkCalendar) -> None:
    # sent Thu 3/5, answer back Thu 3/12: 3/6, 3/9, 3/10, 3/11, 3/12 = 5 days added;
    # the 25th working day after 3/2 is 4/7 (4/4–4/6 off)
    result = reply_deadline(cal, D(2026, 3, 2), consultations=[(D(2026, 3, 5), D(2026, 3, 12))])
    assert (result.added, result.due) == (5, D(2026, 4, 7))
    # two overlapping consultations add the days they cover once: 3/6 … 3/13 = 6 days
    both = [(D(2026, 3, 5), D(2026, 3, 12)), (D(2026, 3, 9), D(2026, 3, 13))]
    result = reply_deadline(cal, D(2026, 3, 2), consultations=both)
    assert (result.added, result.due) == (6, D(2026, 4, 8))


def test_consultation_still_out_counts_through_today(cal: WorkCalendar) -> None:
    # sent 3/5, not back; today 3/10: 3/6, 3/9, 3/10 = 3 days so far → 23rd day = 4/2
    result = reply_deadline(
        cal, D(2026, 3, 2), consultations=[(D(2026, 3, 5), None)], today=D(2026, 3, 10)
    )
    assert (result.added, result.due) == (3, D(2026, 4, 2))
    assert any("尚未收回" in w for w in result.warnings)


def test_a_year_no_calendar_covers_falls_back_with_a_warning(cal: WorkCalendar) -> None:
    # 2100: no package data (and none will ever ship). Mon 3/1: Monday–Friday from 3/2:
    # 3/2–3/5 = 4, 3/8–3/12 = 9, 3/15–3/19 = 14, 3/22–3/26 = 19, Mon 3/29 = 20
    result = reply_deadline(cal, D(2100, 3, 1))
    assert result.due == D(2100, 3, 29)
    assert len(result.warnings) == 1 and "2100年的节假日安排未知" in result.warnings[0]
    # the warning belongs to that computation only
    assert reply_deadline(cal, D(2026, 3, 2)).warnings == ()


def test_the_office_table_covers_a_year(cal: WorkCalendar) -> None:
    # the office entered 2100 with Fri 3/5 off: 3/29 = 19, 3/30 = 20, and no warning
    office = WorkCalendar(days={D(2100, 3, 5): False}, years=frozenset({2100}))
    result = reply_deadline(office, D(2100, 3, 1))
    assert result.due == D(2100, 3, 30) and result.warnings == ()
    assert office.covers(2100) and not cal.covers(2100) and cal.covers(2026)


def test_office_days_override_the_package(cal: WorkCalendar) -> None:
    # a local 调休: Sat 3/7/2026 declared a working day → 3/2's 20th day moves to 3/27
    office = WorkCalendar(days={D(2026, 3, 7): True})
    assert reply_deadline(office, D(2026, 3, 2)).due == D(2026, 3, 27)
    # and a day declared off pushes it to 3/31
    office = WorkCalendar(days={D(2026, 3, 9): False})
    assert reply_deadline(office, D(2026, 3, 2)).due == D(2026, 3, 31)


def test_deadline_running_into_an_unknown_year_warns(cal: WorkCalendar) -> None:
    # chinese-calendar 1.11.0 knows 2026 but not 2027: a request of mid-December 2026
    # needs January 2027
    if cal.covers(2027):
        pytest.skip("installed chinese-calendar already knows 2027")
    result = reply_deadline(cal, D(2026, 12, 15))
    assert any("2027年" in w for w in result.warnings)


def test_publish_deadline(cal: WorkCalendar) -> None:
    # made Fri 2/13 → same count as a request: 3/19
    assert publish_deadline(cal, D(2026, 2, 13)).due == D(2026, 3, 19)


def test_workdays_left(cal: WorkCalendar) -> None:
    # today Thu 4/2, due Thu 4/9: 4/3, 4/7, 4/8, 4/9 = 4 (4/4–4/6 off)
    assert workdays_left(cal, D(2026, 4, 2), D(2026, 4, 9)) == 4
    assert workdays_left(cal, D(2026, 4, 9), D(2026, 4, 9)) == 0
    # 2 working days late: due 4/3, today 4/8 → 4/7, 4/8
    assert workdays_left(cal, D(2026, 4, 8), D(2026, 4, 3)) == -2


def test_negative_count_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError):
        cal.add_workdays(D(2026, 1, 5), -1)


def test_last_workday_until(cal: WorkCalendar) -> None:
    assert cal.last_workday_until(date(2026, 12, 31)) == date(2026, 12, 31)  # a Thursday
    assert cal.last_workday_until(date(2023, 12, 31)) == date(2023, 12, 29)  # Sunday → Friday
    # 2026-10-01…07 National Day; 2026-09-30 a Wednesday
    assert cal.last_workday_until(date(2026, 10, 7)) == date(2026, 9, 30)
    # 2026-10-10 a Saturday worked in lieu
    assert cal.last_workday_until(date(2026, 10, 11)) == date(2026, 10, 10)
