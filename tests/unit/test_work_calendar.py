"""The office's holiday table (设置 → 节假日与调休): single days, year import (one
transaction, bad files leave the database as it was), the template, the status warnings
and the CLI. Expected dates are counted by hand on a printed calendar."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar
import openpyxl
import pytest

from gongkai_desktop.domain.workdays import WorkCalendar, reply_deadline
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.io.untrusted_files import UntrustedFileError
from gongkai_desktop.services.records.calendar import (
    CalendarDay,
    CalendarError,
    calendar_entries,
    calendar_status,
    calendar_years,
    delete_day,
    export_template,
    import_year,
    load_calendar,
    read_year_file,
    save_day,
)

from .work_helpers import Run

D = date


def write_sheet(path: Path, rows: list[list[Any]], title: str = "Sheet1") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def db_rows(path: Path, statement: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(statement).fetchall()
    finally:
        conn.close()


def calendar_audit(path: Path) -> list[tuple]:
    return db_rows(
        path,
        "SELECT record_id, form_id, action, field, old_value, new_value FROM audit_log"
        " WHERE form_id = 'calendar' ORDER BY id",
    )


# 2100: 国庆 Fri 1 Oct – Thu 7 Oct off, Sat 9 Oct worked (an invented schedule)
OCTOBER_2100 = [
    ["日期", "类型", "说明"],
    *[[D(2100, 10, d), "休息", "国庆节"] for d in range(1, 8)],
    [D(2100, 10, 9), "上班", "国庆节调休上班"],
]


# ---- single days ------------------------------------------------------------------------
def test_save_change_and_delete_a_day_are_audited(ctx: AppContext) -> None:
    save_day(ctx, D(2027, 1, 1), False, "元旦")
    save_day(ctx, D(2027, 1, 1), False, "元旦")  # unchanged: no second entry
    save_day(ctx, D(2027, 2, 6), True, " 春节  调休上班 ")
    save_day(ctx, D(2027, 2, 6), True, "春节调休")
    assert calendar_entries(ctx) == [
        CalendarDay(D(2027, 1, 1), False, "元旦"),
        CalendarDay(D(2027, 2, 6), True, "春节调休"),
    ]
    assert db_rows(ctx.db_path, "SELECT day, workday, note FROM calendar_days ORDER BY day") == [
        ("2027-01-01", 0, "元旦"),
        ("2027-02-06", 1, "春节调休"),
    ]
    delete_day(ctx, D(2027, 1, 1))
    assert calendar_entries(ctx) == [CalendarDay(D(2027, 2, 6), True, "春节调休")]
    audit = calendar_audit(ctx.db_path)
    assert [(a[0], a[1], a[2], a[3]) for a in audit] == [
        ("settings", "calendar", "新建", "2027-01-01"),
        ("settings", "calendar", "新建", "2027-02-06"),
        ("settings", "calendar", "修改", "2027-02-06"),
        ("settings", "calendar", "删除", "2027-01-01"),
    ]
    assert json.loads(audit[2][4]) == {"类型": "上班", "说明": "春节 调休上班"}
    assert json.loads(audit[2][5]) == {"类型": "上班", "说明": "春节调休"}
    assert json.loads(audit[3][4]) == {"类型": "休息", "说明": "元旦"} and audit[3][5] is None
    assert calendar_years(ctx) == []  # single days never mark a year entered


def test_bad_single_day_changes_write_nothing(
    ctx: AppContext, dump_db: Callable[[Path], list[str]]
) -> None:
    save_day(ctx, D(2027, 1, 1), False, "元旦")
    before = dump_db(ctx.db_path)
    with pytest.raises(CalendarError, match="说明不能超过100个字"):
        save_day(ctx, D(2027, 1, 2), False, "很" * 101)
    with pytest.raises(CalendarError, match="没有2027-03-01"):
        delete_day(ctx, D(2027, 3, 1))
    assert dump_db(ctx.db_path) == before


# ---- import -----------------------------------------------------------------------------
def test_import_a_year_and_the_deadline_moves(ctx: AppContext, tmp_path: Path) -> None:
    received = D(2100, 9, 30)  # Thursday
    before = reply_deadline(load_calendar(ctx), received)
    # Mon–Fri: Oct 1, 4–8, 11–15, 18–22, 25–28 are the 20 days
    assert before.due == D(2100, 10, 28)
    assert any("2100年的节假日安排未知" in w for w in before.warnings)

    result = import_year(ctx, write_sheet(tmp_path / "2100.xlsx", OCTOBER_2100))
    assert (result.year, result.rest_days, result.work_days, result.replaced) == (2100, 7, 1, 0)
    assert "少于全年法定节假日" in result.message  # only 5 weekdays off in the file

    calendar = load_calendar(ctx)
    assert isinstance(calendar, WorkCalendar) and calendar.covers(2100)
    after = reply_deadline(calendar, received)
    # Oct 1–7 off; Oct 8 (Fri) 1, Sat 9 2, 11–15 3–7, 18–22 8–12, 25–29 13–17, Nov 1–3 18–20
    assert after.due == D(2100, 11, 3)
    assert after.warnings == ()
    years = calendar_years(ctx)
    assert [(y.year, y.days, y.note) for y in years] == [(2100, 8, "导入自“2100.xlsx”")]
    assert years[0].entered_at is not None
    audit = calendar_audit(ctx.db_path)
    assert [(a[2], a[3]) for a in audit] == [("导入", "2100年")]
    assert json.loads(audit[0][4]) == []
    assert json.loads(audit[0][5])[-1] == {
        "日期": "2100-10-09",
        "类型": "上班",
        "说明": "国庆节调休上班",
    }


def test_import_replaces_only_that_year(ctx: AppContext, tmp_path: Path) -> None:
    save_day(ctx, D(2100, 5, 3), False, "手工录入")
    save_day(ctx, D(2101, 1, 1), False, "元旦")
    result = import_year(ctx, write_sheet(tmp_path / "a.xlsx", OCTOBER_2100))
    assert result.replaced == 1
    second = import_year(
        ctx, write_sheet(tmp_path / "b.xlsx", [["日期", "类型"], ["2100-12-31", "放假"]])
    )
    assert second.replaced == 8
    assert calendar_entries(ctx) == [
        CalendarDay(D(2100, 12, 31), False, ""),
        CalendarDay(D(2101, 1, 1), False, "元旦"),
    ]
    assert calendar_entries(ctx, 2101) == [CalendarDay(D(2101, 1, 1), False, "元旦")]
    assert [y.year for y in calendar_years(ctx)] == [2100]
    old = json.loads(calendar_audit(ctx.db_path)[-1][4])
    assert len(old) == 8 and old[0]["日期"] == "2100-10-01"


def test_dates_as_text_types_as_synonyms_headers_anywhere(ctx: AppContext, tmp_path: Path) -> None:
    rows = [
        ["2027年节假日安排"],  # a title row above the header
        [],
        ["序号", "日期", "安排", "备注"],
        [1, "2027-1-1", "节假日", "元旦"],
        [2, "2027年2月8日", "放假", None],
        [3, "2027.02.20", "调休上班", "春节"],
        [4, datetime(2027, 4, 5), "休", None],
        [5, " 2027/05/08 ", "班", None],
        [None, None, None, None],  # blank rows are skipped
        [6, "20271001", "假", "国庆"],
    ]
    year, days = read_year_file(write_sheet(tmp_path / "t.xlsx", rows))
    assert year == 2027
    assert days == [
        CalendarDay(D(2027, 1, 1), False, "元旦"),
        CalendarDay(D(2027, 2, 8), False, ""),
        CalendarDay(D(2027, 2, 20), True, "春节"),
        CalendarDay(D(2027, 4, 5), False, ""),
        CalendarDay(D(2027, 5, 8), True, ""),
        CalendarDay(D(2027, 10, 1), False, "国庆"),
    ]


BAD_FILES = {
    "wrong column": (
        [["时间点", "类型", "说明"], ["2027-01-01", "休息", ""]],
        "没有找到表头“日期”和“类型”",
    ),
    "bad date": (
        [["日期", "类型"], ["2027-01-01", "休息"], ["2027-02-30", "休息"]],
        "第3行：日期“2027-02-30”无法识别",
    ),
    "two years": (
        [["日期", "类型"], ["2027-01-01", "休息"], ["2027-02-11", "休息"], ["2028-01-01", "休息"]],
        "第4行：日期2028-01-01不在2027年（第2行是2027年）",
    ),
    "unknown type": (
        [["日期", "类型", "说明"], ["2027-01-01", "休息", ""], ["2027-01-02", "加班", "x"]],
        "第3行：类型“加班”无法识别",
    ),
    "empty type": (
        [["日期", "类型", "说明"], ["2027-01-01", None, "元旦"]],
        "第2行：类型“”无法识别",
    ),
    "no date": ([["日期", "类型", "说明"], [None, "休息", "元旦"]], "第2行：没有填写日期"),
    "duplicate": (
        [["日期", "类型"], ["2027-01-01", "休息"], ["2027年1月1日", "休息"]],
        "第3行：日期2027-01-01与第2行重复",
    ),
    "no rows": ([["日期", "类型", "说明"]], "没有任何日期"),
    "long note": (
        [["日期", "类型", "说明"], ["2027-01-01", "休息", "注" * 101]],
        "第2行：说明不能超过",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_is_refused_naming_the_row_and_nothing_changes(
    case: str, ctx: AppContext, tmp_path: Path, dump_db: Callable[[Path], list[str]]
) -> None:
    save_day(ctx, D(2027, 1, 1), False, "原有")
    import_year(ctx, write_sheet(tmp_path / "old.xlsx", OCTOBER_2100))
    before = dump_db(ctx.db_path)
    rows, message = BAD_FILES[case]
    with pytest.raises(CalendarError) as info:
        import_year(ctx, write_sheet(tmp_path / "bad.xlsx", rows))
    assert message in str(info.value)
    assert dump_db(ctx.db_path) == before


def test_a_file_that_is_not_a_workbook_is_refused(
    ctx: AppContext, tmp_path: Path, dump_db: Callable[[Path], list[str]]
) -> None:
    before = dump_db(ctx.db_path)
    fake = tmp_path / "安排.xlsx"
    fake.write_text("日期,类型\n2027-01-01,休息\n", encoding="utf-8")
    with pytest.raises(UntrustedFileError, match=r"安排\.xlsx"):
        import_year(ctx, fake)
    assert dump_db(ctx.db_path) == before


def test_a_database_failure_midway_rolls_the_whole_import_back(
    ctx: AppContext, tmp_path: Path, dump_db: Callable[[Path], list[str]]
) -> None:
    save_day(ctx, D(2100, 3, 1), False, "原有")
    # the audit entry is written last: make the database refuse it
    conn = sqlite3.connect(ctx.db_path)
    conn.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )
    conn.commit()
    conn.close()
    before = [line for line in dump_db(ctx.db_path) if "refuse" not in line]
    with pytest.raises(Exception, match="refused"):
        import_year(ctx, write_sheet(tmp_path / "a.xlsx", OCTOBER_2100))
    assert [line for line in dump_db(ctx.db_path) if "refuse" not in line] == before


# ---- template ---------------------------------------------------------------------------
def test_template_of_a_known_year_round_trips_to_the_package(
    ctx: AppContext, tmp_path: Path
) -> None:
    out = tmp_path / "2026.xlsx"
    count = export_template(out, 2026)
    # DOMAIN §5: 2026 holidays 1/1–1/3, 2/15–2/23, 4/4–4/6, 5/1–5/5, 6/19–6/21,
    # 9/25–9/27, 10/1–10/7 (3+9+3+5+3+3+7 = 33); 调休上班 1/4, 2/14, 2/28, 5/9, 9/20, 10/10
    assert count == 39
    book = openpyxl.load_workbook(out)
    sheet = book["节假日安排"]
    assert [c.value for c in sheet[1]] == ["日期", "类型", "说明"]
    assert [c.value for c in sheet[2]] == [datetime(2026, 1, 1), "休息", "元旦"]
    assert "填写说明" in book.sheetnames
    book.close()
    result = import_year(ctx, out)
    assert (result.year, result.rest_days, result.work_days, result.warnings) == (2026, 33, 6, ())
    worked = [e.day for e in calendar_entries(ctx) if e.workday]
    assert worked == [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9),
                      D(2026, 9, 20), D(2026, 10, 10)]  # fmt: skip
    # the office's copy answers like the package on every day of the year
    calendar = load_calendar(ctx)
    for n in range(365):
        day = D(2026, 1, 1) + timedelta(days=n)
        assert calendar.is_workday(day) == chinese_calendar.is_workday(day), day


def test_template_of_an_unknown_year_has_the_fixed_holidays(
    ctx: AppContext, tmp_path: Path
) -> None:
    out = tmp_path / "2100.xlsx"
    assert export_template(out, 2100) == 6
    year, days = read_year_file(out)
    assert year == 2100
    assert [(d.day, d.workday) for d in days] == [
        (D(2100, 1, 1), False), (D(2100, 5, 1), False), (D(2100, 5, 2), False),
        (D(2100, 10, 1), False), (D(2100, 10, 2), False), (D(2100, 10, 3), False),
    ]  # fmt: skip
    book = openpyxl.load_workbook(out)
    assert "补全春节" in "".join(str(r[0].value) for r in book["填写说明"].iter_rows())
    book.close()


# ---- status -----------------------------------------------------------------------------
def test_status_warns_in_november_about_next_year(ctx: AppContext, tmp_path: Path) -> None:
    # chinese-calendar will never know 2099–2100: the office table alone decides
    october = calendar_status(ctx, D(2099, 10, 31))
    assert len(october) == 1 and october[0].startswith("今年（2099年）的节假日安排尚未录入")
    import_year(
        ctx, write_sheet(tmp_path / "2099.xlsx", [["日期", "类型"], ["2099-01-01", "休息"]])
    )
    assert calendar_status(ctx, D(2099, 10, 31)) == []
    november = calendar_status(ctx, D(2099, 11, 1))
    assert len(november) == 1
    assert november[0].startswith("2100年的节假日安排尚未录入。") and "11月" in november[0]
    save_day(ctx, D(2100, 1, 1), False, "元旦")
    assert "已单独录入1天" in calendar_status(ctx, D(2099, 12, 31))[0]
    import_year(ctx, write_sheet(tmp_path / "2100.xlsx", OCTOBER_2100))
    assert calendar_status(ctx, D(2099, 12, 31)) == []


def test_status_is_quiet_for_years_the_package_knows(ctx: AppContext) -> None:
    assert calendar_status(ctx, D(2025, 11, 20)) == []  # 2025 and 2026 are in 1.11.0


# ---- command line -----------------------------------------------------------------------
def test_cli_set_list_remove(run: Run, db_path: Path) -> None:
    assert run("calendar", "set", "2027-01-01", "休息", "--note", "元旦") == (
        0, "已设置：2027-01-01 休息\n", ""
    )  # fmt: skip
    assert run("calendar", "set", "2027-02-06", "调休上班")[0] == 0
    code, out, err = run("calendar", "list")
    assert (code, err) == (0, "")
    assert out.splitlines() == ["2027-01-01\t周五\t休息\t元旦", "2027-02-06\t周六\t上班"]
    assert (
        run("calendar", "list", "--year", "2028")[1] == "节假日表中没有日期（按程序自带日历计算）\n"
    )
    assert run("calendar", "remove", "2027-01-01")[:2] == (0, "已删除：2027-01-01\n")
    assert db_rows(db_path, "SELECT day FROM calendar_days") == [("2027-02-06",)]


def test_cli_bad_input_exits_2(run: Run, tmp_path: Path) -> None:
    code, _, err = run("calendar", "set", "2027-13-01", "休息")
    assert code == 2 and "日期“2027-13-01”无法识别" in err
    code, _, err = run("calendar", "set", "2027-01-01", "加班")
    assert code == 2 and "类型“加班”无法识别" in err
    code, _, err = run("calendar", "remove", "2027-01-01")
    assert code == 2 and "没有2027-01-01" in err
    bad = write_sheet(
        tmp_path / "bad.xlsx", [["日期", "类型"], ["2027-01-01", "休"], ["2028-01-01", "休"]]
    )
    code, _, err = run("calendar", "import", str(bad))
    assert code == 2 and "第3行" in err
    code, _, err = run("calendar", "template", "--year", "2027", "--out", str(tmp_path / "x.docx"))
    assert code == 2 and ".xlsx" in err


def test_cli_template_then_import(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "模板.xlsx"
    code, text, err = run("calendar", "template", "--year", "2026", "--out", str(out))
    assert (code, err) == (0, "") and "预填39天" in text
    code, text, err = run("calendar", "import", str(out))
    assert (code, err) == (0, "")
    assert text == "已导入2026年的节假日安排：休息33天，上班6天（替换原有0条）。\n"
    code, text, _ = run("calendar", "list", "--year", "2026")
    assert text.splitlines()[-1] == "已录入全年安排：2026年（39天）"


def test_open_deadlines_follow_the_table_in_the_same_action(ctx, records) -> None:  # type: ignore[no-untyped-def]
    """A day marked off moves the stored 法定答复期限 of open requests (20 working days
    after Mon 2026-03-02 is 3/30; with Mon 3/9 off it is 3/31), not of answered ones,
    and a day removed moves it back."""
    from datetime import date

    from gongkai_desktop.services.records.calendar import delete_day, save_day

    base = {
        "channel": "当面提交",
        "received_date": "2026-03-02",
        "applicant_type": "自然人",
        "content": "水质监测报告",
    }
    open_one = records.create("disclosure_request", {**base, "applicant": "甲"}).id
    answered = records.create(
        "disclosure_request",
        {
            **base,
            "applicant": "乙",
            "outcome": "（一）予以公开",
            "reply_date": "2026-03-20",
            "delivery_method": "直接送达",
            "delivered_date": "2026-03-20",
            "status": "已办结",
        },
    ).id
    assert records.get(open_one).values["reply_deadline"] == "2026-03-30"
    save_day(ctx, date(2026, 3, 9), False, "本地停电放假")
    assert records.get(open_one).values["reply_deadline"] == "2026-03-31"
    assert records.get(answered).values["reply_deadline"] == "2026-03-30"
    delete_day(ctx, date(2026, 3, 9))
    assert records.get(open_one).values["reply_deadline"] == "2026-03-30"
