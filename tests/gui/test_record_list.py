"""RecordListPage driven like a clerk would: type, click, double-click."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import insert

from gongkai_desktop import paths
from gongkai_desktop.data.models import Record
from gongkai_desktop.data.search import search_text_of
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.startup import open_context
from gongkai_desktop.ui.records.record_list import RecordListPage

pytestmark = pytest.mark.gui

SITES = [
    ("龙河水库", "龙河村", "饮用水水源地"),
    ("龙河村养殖场", "龙河村", "畜禽养殖场"),
    ("东风造纸厂", "东风社区", "排污单位"),
    ("白沙河段", "白沙村", "河段/河湖"),
    ("安康诊所", "东风社区", "医疗机构（辐射）"),
]


@pytest.fixture
def site_ids(records: RecordService) -> dict[str, str]:
    return {
        name: records.create("site", {"site_type": kind, "name": name, "village": village}).id
        for name, village, kind in SITES
    }


def _page(qtbot, records: RecordService, **kwargs) -> RecordListPage:  # type: ignore[no-untyped-def]
    page = RecordListPage(records, kwargs.pop("form_id", "site"), **kwargs)
    qtbot.addWidget(page)
    page.resize(1000, 500)
    page.show()
    qtbot.waitExposed(page)
    return page


def _type_chinese(widget: QWidget, text: str) -> None:
    """Type as a Chinese input method does: one committed character at a time.

    (QTest.keyClicks aborts on characters outside Latin-1.)
    """
    widget.setFocus()
    for char in text:
        event = QInputMethodEvent()
        event.setCommitString(char)
        QApplication.sendEvent(widget, event)


def _shown_names(page: RecordListPage) -> set[str]:
    name_column = [key for key, _label in page.model.columns].index("title")
    return {page.model.index(r, name_column).data() for r in range(page.model.rowCount())}


def test_typing_in_search_box_filters(qtbot, records, site_ids) -> None:
    page = _page(qtbot, records)
    assert page.model.rowCount() == len(SITES)
    assert page.count_label.text() == "共 5 条"
    page.select_record(site_ids["龙河水库"])
    _type_chinese(page.search_edit, "龙河")
    expected = {name for name, village, _kind in SITES if "龙河" in name or "龙河" in village}
    qtbot.waitUntil(lambda: _shown_names(page) == expected)
    assert page.count_label.text() == f"共 {len(expected)} 条"
    assert page.current_record_id() == site_ids["龙河水库"]  # still shown, still selected
    page.search_edit.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == len(SITES))


def test_search_waits_for_a_pause_in_typing(qtbot, records, site_ids) -> None:
    page = _page(qtbot, records)
    queries = []
    page.model.modelReset.connect(lambda: queries.append(page.model.query.search))
    _type_chinese(page.search_edit, "东风社区")
    qtbot.waitUntil(lambda: queries == ["东风社区"])
    assert _shown_names(page) == {"东风造纸厂", "安康诊所"}


def test_double_click_opens_the_record(qtbot, records, site_ids) -> None:
    page = _page(qtbot, records)
    row = page.model.row_of(site_ids["白沙河段"])
    assert row is not None
    rect = page.table.visualRect(page.model.index(row, 1))
    with qtbot.waitSignal(page.open_requested, timeout=2000) as opened:
        # a real double-click is press, release, then a second press Qt reports as
        # double-click; QTest's mouseDClick sends only the last one
        qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [site_ids["白沙河段"]]


def test_edit_button_opens_selected_record(qtbot, records, site_ids) -> None:
    page = _page(qtbot, records)
    assert not page.edit_button.isEnabled()
    assert page.select_record(site_ids["东风造纸厂"])
    assert page.current_record_id() == site_ids["东风造纸厂"]
    with qtbot.waitSignal(page.open_requested, timeout=2000) as opened:
        qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    assert opened.args == [site_ids["东风造纸厂"]]


def test_delete_button_asks_to_delete_selected(qtbot, records, site_ids) -> None:
    page = _page(qtbot, records)
    row = page.model.row_of(site_ids["安康诊所"])
    assert row is not None
    qtbot.mouseClick(
        page.table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=page.table.visualRect(page.model.index(row, 0)).center(),
    )
    assert page.delete_button.isEnabled()
    with qtbot.waitSignal(page.delete_requested, timeout=2000) as asked:
        qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert asked.args == [site_ids["安康诊所"]]
    # the page only asks: the record is still there until the main window deletes it
    assert records.get(site_ids["安康诊所"]).deleted is False


def test_new_button_and_refresh_keep_selection(qtbot, records, site_ids) -> None:
    page = _page(qtbot, records)
    with qtbot.waitSignal(page.new_requested, timeout=2000):
        qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    page.select_record(site_ids["龙河水库"])
    records.create("site", {"site_type": "其他", "name": "新对象", "village": "一村"})
    page.refresh()
    assert page.model.rowCount() == len(SITES) + 1
    assert page.count_label.text() == "共 6 条"
    assert page.current_record_id() == site_ids["龙河水库"]


def test_recycle_bin_page_restores(qtbot, records, site_ids) -> None:
    records.delete(site_ids["白沙河段"])
    page = _page(qtbot, records, form_id=None, deleted=True)
    assert not page.new_button.isVisible() and not page.delete_button.isVisible()
    assert page.restore_button.isVisible()
    assert page.model.rowCount() == 1
    assert page.model.index(0, 1).data() == "白沙河段"
    page.select_record(site_ids["白沙河段"])
    with qtbot.waitSignal(page.restore_requested, timeout=2000) as asked:
        qtbot.mouseClick(page.restore_button, Qt.MouseButton.LeftButton)
    assert asked.args == [site_ids["白沙河段"]]


def test_header_click_sorts(qtbot, records, site_ids) -> None:
    page = _page(qtbot, records)
    page.select_record(site_ids["白沙河段"])
    name_column = [key for key, _label in page.model.columns].index("title")
    header = page.table.horizontalHeader()
    x = header.sectionViewportPosition(name_column) + header.sectionSize(name_column) // 2
    qtbot.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2)
    )
    names = [page.model.index(r, name_column).data() for r in range(page.model.rowCount())]
    assert page.model.query.sort_key == "title"
    assert page.current_record_id() == site_ids["白沙河段"]  # the selection survives
    assert names in (sorted(names), sorted(names, reverse=True))
    assert len(names) == len(SITES)


def test_site_list_has_no_date_filter(qtbot, records) -> None:
    page = _page(qtbot, records)
    assert not page.date_from_check.isVisible()
    assert not page.date_to_edit.isVisible()


VISIT_FORM = """\
id: visit_log
title: 走访记录
version: 1
title_field: subject
date_field: visit_date
list_columns: [visit_date, subject]
sections:
  - title: 基本信息
    fields:
      - {key: visit_date, label: 走访日期, type: date, required: true}
      - {key: subject, label: 事项, type: text, required: true}
"""


@pytest.fixture
def visit_service(tmp_path: Path) -> Iterator[RecordService]:
    """The real forms plus a small form with a date field (监管对象 has none)."""
    forms = tmp_path / "forms"
    shutil.copytree(paths.forms_dir(), forms)
    (forms / "visit_log.yaml").write_text(VISIT_FORM, encoding="utf-8")
    context = open_context(tmp_path / "visits.db", forms_dir=forms, auto_backup=False)
    yield RecordService(context)
    context.close()


def test_date_filter_checkboxes(qtbot, visit_service: RecordService) -> None:
    days = [date(2024, month, 15) for month in range(1, 13)]
    for day in days:
        visit_service.create("visit_log", {"visit_date": day.isoformat(), "subject": "走访"})
    page = _page(qtbot, visit_service, form_id="visit_log")
    assert page.date_from_check.isVisible() and not page.date_from_edit.isEnabled()
    assert page.model.rowCount() == 12

    page.date_from_edit.setDate(QDate(2024, 4, 1))  # not applied while unchecked
    assert page.model.rowCount() == 12
    qtbot.mouseClick(page.date_from_check, Qt.MouseButton.LeftButton)
    assert page.date_from_edit.isEnabled()
    assert page.model.rowCount() == sum(day >= date(2024, 4, 1) for day in days)

    qtbot.mouseClick(page.date_to_check, Qt.MouseButton.LeftButton)
    page.date_to_edit.setDate(QDate(2024, 6, 15))  # both ends inclusive
    expected = sum(date(2024, 4, 1) <= day <= date(2024, 6, 15) for day in days)
    qtbot.waitUntil(lambda: page.model.rowCount() == expected)
    assert page.count_label.text() == f"共 {expected} 条"

    qtbot.mouseClick(page.date_from_check, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.date_to_check, Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == 12


def test_scrolling_to_the_end_loads_every_page(qtbot, records: RecordService) -> None:
    now = datetime(2025, 3, 1)
    rows = []
    for i in range(450):
        values = {"site_type": "其他", "name": f"对象{i:03d}", "village": "一村", "status": "在用"}
        rows.append(
            {
                "id": str(uuid.UUID(int=i + 1, version=4)),
                "form_id": "site",
                "title": values["name"],
                "status": "在用",
                "data": values,
                "search_text": search_text_of(values, [values["name"]]),
                "created_at": now,
                "updated_at": now + timedelta(minutes=i),
                "author": "测试",
                "version": 1,
                "deleted": False,
            }
        )
    with records.ctx.transaction() as session:
        session.execute(insert(Record), rows)
    page = _page(qtbot, records)
    assert page.model.rowCount() == 200 and page.count_label.text() == "共 450 条"
    for _ in range(10):  # the view asks for the next page whenever it reaches the bottom
        page.table.scrollToBottom()
        qtbot.wait(20)
        if page.model.rowCount() == 450:
            break
        qtbot.waitUntil(lambda: not page.model.is_fetching)
    assert page.model.rowCount() == 450
    names = [page.model.index(r, 1).data() for r in range(450)]
    assert names == [f"对象{i:03d}" for i in reversed(range(450))]  # newest edit first
