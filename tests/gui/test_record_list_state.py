"""The 整改任务 and 依申请公开 lists show what needs doing: a 逾期/临期 column and
coloured rows declared in the form files, computed as of today by SQL."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush

from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.ui.records.record_list import RecordListPage

pytestmark = pytest.mark.gui

TODAY = date.today()


def _day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def _task(records: RecordService, no: str, assigned: int, deadline: int, **more: str) -> None:
    values = {
        "task_no": no,
        "source": "自查",
        "assigned_date": _day(assigned),
        "description": f"{no}号问题：河道垃圾",
        "deadline": _day(deadline),
        **more,
    }
    if "completed_date" in values:
        values["status"] = "已办结"
    records.create("rectification_task", values)


@pytest.fixture
def tasks(records: RecordService) -> None:
    _task(records, "T1", -40, -3)  # past its deadline, not done: 逾期
    _task(records, "T2", -30, 3)  # due in 3 days: 临期
    _task(records, "T3", -20, 7)  # due on the 7th day: 临期
    _task(records, "T4", -50, 8)  # the 8th day: nothing yet
    _task(records, "T5", -60, -10, completed_date=_day(-12))  # done in time
    _task(records, "T6", -10, -5, completed_date=_day(-2))  # done late: 逾期
    _task(records, "T7", -5, 0)  # due today: 临期, not yet 逾期


# Written from the rule (overdue past the deadline unless done by it; due soon within 7
# days), not read from the code; the order is the assigned date, newest first.
EXPECTED = [
    ("T7", "临期", "amber"),
    ("T6", "逾期", "red"),
    ("T3", "临期", "amber"),
    ("T2", "临期", "amber"),
    ("T1", "逾期", "red"),
    ("T4", "", None),
    ("T5", "", None),
]


def _page(qtbot, records: RecordService, form_id: str) -> RecordListPage:  # type: ignore[no-untyped-def]
    page = RecordListPage(records, form_id)
    qtbot.addWidget(page)
    page.resize(1200, 500)
    page.show()
    qtbot.waitExposed(page)
    return page


def _cells(page: RecordListPage, row: int) -> dict[str, str]:
    model = page.model
    return {
        model.headerData(c, Qt.Orientation.Horizontal): model.index(row, c).data()
        for c in range(model.columnCount())
    }


def test_task_list_shows_state_description_and_colours(
    qtbot, qtmodeltester, records: RecordService, tasks: None
) -> None:
    page = _page(qtbot, records, "rectification_task")
    model = page.model
    qtmodeltester.check(model)
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert "问题描述" in headers and headers[-2:] == ["逾期/临期", "最后修改"]
    shown = [(_cells(page, r)["交办/受理编号"], _cells(page, r)["逾期/临期"]) for r in range(7)]
    assert shown == [(no, label) for no, label, _style in EXPECTED]
    for row, (no, _label, style) in enumerate(EXPECTED):
        assert model.row_style(row) == style, no
        background = model.index(row, 0).data(Qt.ItemDataRole.BackgroundRole)
        foreground = model.index(row, 3).data(Qt.ItemDataRole.ForegroundRole)
        if style is None:
            assert background is None and foreground is None
            continue
        assert isinstance(background, QBrush) and isinstance(foreground, QBrush)
        bg, fg = background.color(), foreground.color()
        assert bg.lightness() > 200  # a light background keeps the text readable
        if style == "red":
            assert fg.red() > 2 * fg.green() and bg.red() > bg.blue()
        else:  # amber: red and green over blue
            assert fg.red() > fg.blue() and fg.green() > fg.blue()
    # one date format in lists, and the description instead of bare numbers
    first = _cells(page, 0)
    assert first["交办日期"] == _day(-5)
    assert first["问题描述"] == "T7号问题：河道垃圾"
    assert first["最后修改"] == f"{date.today():%Y-%m-%d}"


def test_state_column_sorts_by_the_deadline(qtbot, records: RecordService, tasks: None) -> None:
    page = _page(qtbot, records, "rectification_task")
    model = page.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    column = headers.index("逾期/临期")
    page.table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
    order = [_cells(page, r)["交办/受理编号"] for r in range(7)]
    assert order == ["T5", "T6", "T1", "T7", "T2", "T3", "T4"]


def test_state_agrees_with_an_independent_query(
    qtbot, records: RecordService, tasks: None, db_path: Path
) -> None:
    page = _page(qtbot, records, "rectification_task")
    today = TODAY.isoformat()
    with sqlite3.connect(db_path) as db:
        late = {
            no
            for (no,) in db.execute(
                "SELECT json_extract(data, '$.task_no') FROM records "
                "WHERE form_id = 'rectification_task' AND NOT deleted AND ("
                " (json_extract(data, '$.completed_date') <= ? "
                "  AND json_extract(data, '$.completed_date') > json_extract(data, '$.deadline'))"
                " OR (coalesce(json_extract(data, '$.completed_date') > ?, 1)"
                "  AND json_extract(data, '$.deadline') < ?))",
                (today, today, today),
            )
        }
    marked = {
        _cells(page, r)["交办/受理编号"]
        for r in range(page.model.rowCount())
        if _cells(page, r)["逾期/临期"] == "逾期"
    }
    assert marked == late == {"T1", "T6"}


def test_request_list_marks_a_late_answer(qtbot, records: RecordService) -> None:
    base = {
        "channel": "当面提交",
        "applicant_type": "自然人",
        "content": "申请公开某文件",
    }
    records.create("disclosure_request", {**base, "received_date": _day(-45), "applicant": "甲"})
    records.create("disclosure_request", {**base, "received_date": _day(0), "applicant": "乙"})
    page = _page(qtbot, records, "disclosure_request")
    states = {_cells(page, r)["申请人"]: _cells(page, r)["逾期/临期"] for r in range(2)}
    assert states == {"甲": "逾期", "乙": ""}
    assert page.model.row_style(0) is None and page.model.row_style(1) == "red"
