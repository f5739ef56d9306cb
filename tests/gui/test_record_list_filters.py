"""Filter drop-downs declared in the form files (list_filters): combined with the search
box in one SQL query, giving exactly the rows an independent sqlite3 query gives, and
remembered per list."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QComboBox

from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.ui.records.record_list import RecordListPage

pytestmark = pytest.mark.gui

VILLAGES = ["龙河村", "白沙村", "东风社区"]
STATUSES = ["未启动", "正在办理", "阶段性办结"]


@pytest.fixture
def tasks(records: RecordService) -> None:
    n = 0
    for village in VILLAGES:
        for status in STATUSES:
            for problem in ("河道垃圾", "油烟扰民"):
                n += 1
                records.create(
                    "rectification_task",
                    {
                        "task_no": f"T{n:02d}",
                        "source": "自查",
                        "assigned_date": f"2026-03-{n:02d}",
                        "description": f"{village}{problem}",
                        "deadline": "2026-06-30",
                        "village": village,
                        "status": status,
                    },
                )


def _page(qtbot, records: RecordService, settings: QSettings) -> RecordListPage:  # type: ignore[no-untyped-def]
    page = RecordListPage(records, "rectification_task", settings=settings)
    qtbot.addWidget(page)
    page.resize(1200, 500)
    page.show()
    qtbot.waitExposed(page)
    return page


def _shown(page: RecordListPage) -> list[str]:
    while page.model.fetch_more_now():
        pass
    return [page.model.list_row(r).cells[0] for r in range(page.model.rowCount())]


def _choose(combo: QComboBox, text: str) -> None:
    index = combo.findText(text)
    assert index > 0, text
    combo.setCurrentIndex(index)


def _expected(db_path: Path, village: str, status: str, word: str = "") -> list[str]:
    with sqlite3.connect(db_path) as db:
        rows = db.execute(
            "SELECT json_extract(data, '$.task_no') FROM records "
            "WHERE form_id = 'rectification_task' AND NOT deleted "
            "AND json_extract(data, '$.village') = ? AND json_extract(data, '$.status') = ? "
            "AND json_extract(data, '$.description') LIKE ? "
            "ORDER BY json_extract(data, '$.assigned_date') DESC",
            (village, status, f"%{word}%"),
        )
        return [no for (no,) in rows]


def test_village_and_status_filters_match_an_independent_query(
    qtbot, records: RecordService, tasks: None, db_path: Path, tmp_path: Path
) -> None:
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    page = _page(qtbot, records, settings)
    village = page.findChild(QComboBox, "filter_village")
    status = page.findChild(QComboBox, "filter_status")
    assert village is not None and status is not None
    # the 村 drop-down offers the villages entered; the status one the form's choices
    assert [village.itemText(i) for i in range(village.count())] == [
        "全部点位/村",  # the bracketed tail is in the tooltip
        *sorted(VILLAGES),
    ]
    assert status.itemText(4) == "已办结"
    assert len(_shown(page)) == 18

    _choose(village, "白沙村")
    _choose(status, "正在办理")
    assert _shown(page) == _expected(db_path, "白沙村", "正在办理")
    assert len(_shown(page)) == 2
    assert page.count_label.text() == "共 2 条"

    page.search_edit.setText("油烟")
    qtbot.waitUntil(lambda: page.model.query.search == "油烟")
    assert _shown(page) == _expected(db_path, "白沙村", "正在办理", "油烟")
    assert len(_shown(page)) == 1

    # the same list opened again starts with the same drop-downs chosen
    page.search_edit.clear()
    _choose(village, "东风社区")
    again = _page(qtbot, records, settings)
    assert again.findChild(QComboBox, "filter_village").currentText() == "东风社区"
    assert again.findChild(QComboBox, "filter_status").currentText() == "正在办理"
    assert _shown(again) == _expected(db_path, "东风社区", "正在办理")
    # back to 全部: every task again
    again.findChild(QComboBox, "filter_village").setCurrentIndex(0)
    again.findChild(QComboBox, "filter_status").setCurrentIndex(0)
    assert len(_shown(again)) == 18
    assert settings.value("record_list/rectification_task/filters") == "{}"


def test_inspection_list_filters_by_problem_found(
    qtbot, records: RecordService, tmp_path: Path
) -> None:
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    page = RecordListPage(records, "inspection", settings=settings)
    qtbot.addWidget(page)
    combos = [c.objectName() for c in page.findChildren(QComboBox) if c.objectName()]
    assert combos == ["filter_village", "filter_inspection_type", "filter_problem_found"]
    problem = page.findChild(QComboBox, "filter_problem_found")
    assert [problem.itemText(i) for i in range(problem.count())] == [
        "全部是否发现问题",
        "是",
        "否",
    ]
    assert problem.itemData(1, Qt.ItemDataRole.UserRole) is True


def test_export_holds_exactly_the_filtered_rows(
    qtbot, records: RecordService, tasks: None, db_path: Path, tmp_path: Path
) -> None:
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    page = _page(qtbot, records, settings)
    _choose(page.findChild(QComboBox, "filter_village"), "龙河村")
    _choose(page.findChild(QComboBox, "filter_status"), "未启动")
    target = tmp_path / "out" / "整改任务.xlsx"
    target.parent.mkdir()
    assert page.export_to(target) == 2

    book = openpyxl.load_workbook(target)
    sheet = book.active
    assert sheet is not None
    rows = [[c if c is not None else "" for c in r] for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == [
        "交办/受理编号",
        "交办日期",
        "监管对象",
        "问题描述",
        "问题类型",
        "现行整改时限",
        "办理状态",
        "办结日期",
        "问题来源",
        "逾期/临期",
        "最后修改",
    ]
    wanted = _expected(db_path, "龙河村", "未启动")
    assert [r[0] for r in rows[1:]] == wanted == ["T02", "T01"]
    with sqlite3.connect(db_path) as db:
        description, assigned = db.execute(
            "SELECT json_extract(data, '$.description'), json_extract(data, '$.assigned_date') "
            "FROM records WHERE json_extract(data, '$.task_no') = 'T02'"
        ).fetchone()
    assert rows[1][1:4] == [assigned, "", description]
    assert rows[1][4:7] == ["", "2026-06-30", "未启动"]
    # a deadline of 2026-06-30, open: overdue after that day, due soon in its last week
    today = date.today()
    deadline = date(2026, 6, 30)
    state = "逾期" if today > deadline else "临期" if (deadline - today).days <= 7 else ""
    assert [r[9] for r in rows[1:]] == [state, state]
