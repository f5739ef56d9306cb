"""Record list columns and search box per list: columns fitted to their contents with the
longest text column taking the spare width, a dragged width kept for the next time, a
search hint of the list's own form, the 村 drop-down's label whole. Real widgets over a
real SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QStyle, QStyleOptionComboBox

from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.ui.records.record_list import RecordListPage

pytestmark = [pytest.mark.gui]


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def tasks(records: RecordService) -> None:
    for n, (village, text) in enumerate(
        [
            ("龙河村", "龙河水库一级保护区内有农家乐生活污水直排，需整改并建设污水收集设施"),
            ("白沙村", "河道垃圾"),
        ],
        start=1,
    ):
        records.create(
            "rectification_task",
            {
                "task_no": f"ZG2026-{n:03d}",
                "source": "自查",
                "assigned_date": f"2026-03-{n:02d}",
                "description": text,
                "deadline": "2026-06-30",
                "village": village,
            },
        )


def page_of(qtbot, records, form_id: str, settings: QSettings, width: int = 1300) -> RecordListPage:  # type: ignore[no-untyped-def]
    page = RecordListPage(records, form_id, settings=settings)
    qtbot.addWidget(page)
    page.resize(width, 500)
    page.show()
    qtbot.waitExposed(page)
    QApplication.processEvents()
    return page


def widths(page: RecordListPage) -> list[int]:
    header = page.table.horizontalHeader()
    return [header.sectionSize(c) for c in range(page.model.columnCount())]


def labels(page: RecordListPage) -> list[str]:
    return [label for _key, label in page.model.columns]


def test_the_longest_text_column_stretches_not_the_last(qtbot, records, tasks, settings) -> None:  # type: ignore[no-untyped-def]
    page = page_of(qtbot, records, "rectification_task", settings)
    stretch = page.stretch_column()
    assert labels(page)[stretch] == "问题描述"
    assert page.model.columns[stretch][0] == "description"  # a text field of the form
    assert records.registry.form("rectification_task").field("description").type == "multiline"
    viewport = page.table.viewport().width()
    assert sum(widths(page)) == viewport  # the width is used up, nothing scrolls sideways
    assert widths(page)[stretch] == max(widths(page))
    # 最后修改 holds a date: as wide as that, not the rest of the window
    last = labels(page).index("最后修改")
    fm = page.table.fontMetrics()
    assert widths(page)[last] < fm.horizontalAdvance("2026-12-07") + 60
    # a wider window: the stretch column takes all of it, the others stay
    before = widths(page)
    page.resize(1500, 500)
    qtbot.waitUntil(lambda: page.table.viewport().width() > viewport)
    QApplication.processEvents()
    grown = page.table.viewport().width() - viewport
    after = widths(page)
    assert after[stretch] == before[stretch] + grown
    assert [w for c, w in enumerate(after) if c != stretch] == [
        w for c, w in enumerate(before) if c != stretch
    ]
    # a filter reloads the rows, not the widths
    page.search_edit.setText("河道")
    page._apply_filters_now()
    qtbot.waitUntil(lambda: page.model.total_count == 1)
    assert widths(page) == after


def test_a_dragged_width_is_kept_for_the_next_page(qtbot, records, tasks, settings) -> None:  # type: ignore[no-untyped-def]
    page = page_of(qtbot, records, "rectification_task", settings)
    header = page.table.horizontalHeader()
    column = labels(page).index("监管对象")
    start = widths(page)[column]
    # drag the right edge of 监管对象 60 px to the right, as the clerk does with the mouse
    edge = header.sectionViewportPosition(column) + header.sectionSize(column) - 1
    y = header.height() // 2
    qtbot.mousePress(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(edge, y))
    qtbot.mouseMove(header.viewport(), QPoint(edge + 30, y))
    qtbot.mouseMove(header.viewport(), QPoint(edge + 60, y))
    qtbot.mouseRelease(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(edge + 60, y))
    assert widths(page)[column] == start + 60
    # the stretch column gave way, down to its least width (which the app's 10-pt CJK
    # font reaches at 1300 px: then the list scrolls sideways)
    stretch = widths(page)[page.stretch_column()]
    assert sum(widths(page)) == page.table.viewport().width() or stretch == page._stretch_min
    page.close()

    again = page_of(qtbot, records, "rectification_task", settings)
    assert widths(again)[column] == start + 60
    stretch = widths(again)[again.stretch_column()]
    assert sum(widths(again)) == again.table.viewport().width() or stretch == again._stretch_min
    # kept per list: the site list is fitted as before
    other = page_of(qtbot, records, "site", settings)
    elsewhere = QSettings(settings.fileName() + ".2", QSettings.Format.IniFormat)
    fresh = page_of(qtbot, records, "site", elsewhere)
    assert widths(other) == widths(fresh)


def test_each_form_has_its_own_search_hint(qtbot, records, settings) -> None:  # type: ignore[no-untyped-def]
    pages = {
        form_id: page_of(qtbot, records, form_id, settings)
        for form_id in ("site", "disclosure_request", "rectification_task", "inspection")
    }
    hints = {form_id: page.search_edit.placeholderText() for form_id, page in pages.items()}
    assert hints == {
        "site": "搜索：名称、村、负责人等",
        "disclosure_request": "搜索：申请编号、申请人、申请内容等",
        "rectification_task": "搜索：编号、问题描述、监管对象、村、责任人等",
        "inspection": "搜索：巡查对象、村、巡查人员、发现的问题等",
    }
    # the whole hint fits the box at 1280 px (the window less its navigation)
    task_page = pages["rectification_task"]
    task_page.resize(1280 - 150, 500)
    QApplication.processEvents()
    box = task_page.search_edit
    assert box.fontMetrics().horizontalAdvance(hints["rectification_task"]) < box.width() - 12
    assert "空格分隔多个词" in box.toolTip()
    bin_page = RecordListPage(records, None, deleted=True, settings=settings)
    qtbot.addWidget(bin_page)
    assert bin_page.search_edit.placeholderText() == "搜索：表单、标题等"


@pytest.mark.parametrize("width", [1366 - 150, 1280 - 150])  # the window less its navigation
def test_the_village_filter_shows_its_whole_label(qtbot, records, settings, width) -> None:  # type: ignore[no-untyped-def]
    page = page_of(qtbot, records, "rectification_task", settings, width)
    combo = page.filter_combos["village"]
    assert combo.itemText(0) == "全部点位/村"
    assert combo.toolTip() == "按点位/村（社区）筛选"
    for box in page.filter_combos.values():
        option = QStyleOptionComboBox()
        box.initStyleOption(option)
        room = box.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, box
        )
        assert box.fontMetrics().horizontalAdvance(box.currentText()) <= room.width(), (
            box.currentText()
        )
    assert isinstance(combo, QComboBox)
