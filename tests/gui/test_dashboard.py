"""The 工作台 in the real main window: it lists an overdue task and a site missing its
patrols, a double-click opens the record's editor, and a save there updates it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QTreeWidget

from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.ui.dashboard import DashboardPage, RecordSection
from gongkai_desktop.ui.main_window import MainWindow
from gongkai_desktop.ui.records.editor import RecordEditor

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard"),
]


@pytest.fixture
def window(qtbot, ctx) -> MainWindow:  # type: ignore[no-untyped-def]
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def work(records: RecordService) -> dict[str, str]:
    today = date.today()
    water = records.create(
        "site",
        {
            "site_type": "饮用水水源地",
            "name": "龙河水库",
            "village": "龙河村",
            "patrol_times": 2,
            "patrol_period": "每月",
        },
    )
    overdue = records.create(
        "rectification_task",
        {
            "task_no": "ZG-测试-01",
            "source": "日常巡查发现",
            "assigned_date": (today - timedelta(days=30)).isoformat(),
            "description": "水源地一级保护区内有人垂钓",
            "deadline": (today - timedelta(days=10)).isoformat(),
            "site": water.id,
            "status": "正在办理",
        },
    )
    records.create(
        "inspection",
        {
            "inspection_date": today.isoformat(),
            "inspection_type": "秸秆禁烧巡查",  # counts in the month, not as a patrol
            "site": water.id,
            "inspectors": "张三",
        },
    )
    return {"site": water.id, "task": overdue.id}


def row_texts(section: RecordSection) -> list[str]:
    tree = section.tree
    return [
        " ".join(tree.topLevelItem(i).text(c) for c in range(tree.columnCount()))
        for i in range(tree.topLevelItemCount())
    ]


def double_click_first_row(qtbot, section: RecordSection) -> None:  # type: ignore[no-untyped-def]
    tree: QTreeWidget = section.tree
    assert tree.isVisible()
    item = tree.topLevelItem(0)
    # the page lays itself out after a refresh: click where the row is by then
    qtbot.waitUntil(lambda: tree.viewport().rect().contains(tree.visualItemRect(item)))
    rect = tree.visualItemRect(item)
    # a real double-click is press, release, then a second press Qt reports as
    # double-click; QTest's mouseDClick sends only the last one
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def open_editor(qtbot, window: MainWindow) -> RecordEditor:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: window.editor is not None and window.editor.isVisible())
    editor = window.editor
    assert editor is not None
    return editor


def close_editor(qtbot, window: MainWindow, editor: RecordEditor) -> None:  # type: ignore[no-untyped-def]
    editor.reject()  # nothing changed: closes without asking
    qtbot.waitUntil(lambda: window.editor is None)


def test_lists_overdue_task_and_missing_patrols_and_opens_them(qtbot, window, work) -> None:  # type: ignore[no-untyped-def]
    window.show_module("设置")
    window.show_module("工作台")  # refreshed when shown, on a worker
    page = window.dashboard
    qtbot.waitUntil(lambda: not page.reading)
    assert page.overdue_section.record_ids() == [work["task"]]
    [overdue] = row_texts(page.overdue_section)
    assert "ZG-测试-01" in overdue and "龙河水库" in overdue and "逾期10天" in overdue
    assert page.patrol_section.record_ids() == [work["site"]]
    [patrol] = row_texts(page.patrol_section)
    assert "龙河水库" in patrol and "0/2次" in patrol and "还差2次" in patrol
    assert page.due_section.empty_label.isVisible()
    assert page.due_section.empty_label.text() == "7日内没有到期的任务"
    assert page.inspections_card.number_label.text() == "1"
    assert page.open_tasks_card.number_label.text() == "1"

    double_click_first_row(qtbot, page.overdue_section)
    editor = open_editor(qtbot, window)
    assert editor.record_id == work["task"]
    assert editor.form.id == "rectification_task"
    assert editor.raw_values()["task_no"] == "ZG-测试-01"
    assert "ZG-测试-01" in editor.windowTitle()
    close_editor(qtbot, window, editor)

    double_click_first_row(qtbot, page.patrol_section)
    editor = open_editor(qtbot, window)
    assert editor.record_id == work["site"]
    assert editor.form.id == "site"
    assert editor.raw_values()["name"] == "龙河水库"
    close_editor(qtbot, window, editor)


def test_a_save_in_the_opened_editor_updates_the_dashboard(qtbot, window, work) -> None:  # type: ignore[no-untyped-def]
    window.show_module("设置")
    page = window.show_module("工作台")
    assert page is window.dashboard
    qtbot.waitUntil(lambda: not page.reading)
    with qtbot.waitSignal(page.record_open_requested) as opened:
        double_click_first_row(qtbot, page.overdue_section)
    assert opened.args == [work["task"]]
    editor = open_editor(qtbot, window)
    editor.set_field_value("status", "已办结")
    editor.set_field_value("completed_date", date.today().isoformat())
    assert editor.save()
    close_editor(qtbot, window, editor)
    qtbot.waitUntil(lambda: not page.reading)  # the save refreshed it on a worker
    assert page.overdue_section.record_ids() == []
    assert page.overdue_section.empty_label.isVisible()
    assert page.overdue_section.empty_label.text() == "没有逾期任务"
    assert page.completed_card.number_label.text() == "1"
    assert page.open_tasks_card.number_label.text() == "0"


def test_empty_database_says_so_plainly(qtbot, records) -> None:  # type: ignore[no-untyped-def]
    page = DashboardPage(records, today=lambda: date(2026, 11, 5))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    for section, text in (
        (page.overdue_section, "没有逾期任务"),
        (page.due_section, "7日内没有到期的任务"),
        (page.patrol_section, "没有巡查未完成的监管对象"),
    ):
        assert not section.tree.isVisible()
        assert section.empty_label.isVisible()
        assert section.empty_label.text() == text
    texts = [label.text() for label in page.findChildren(QLabel)]
    assert "本月工作量（2026年11月）" in texts
    assert "2026年11月5日　星期四" in texts
    assert not page.error_label.isVisible()


def test_enter_on_a_row_opens_it_too(qtbot, records, work) -> None:  # type: ignore[no-untyped-def]
    page = DashboardPage(records)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    tree = page.patrol_section.tree
    tree.setFocus()
    tree.setCurrentItem(tree.topLevelItem(0))
    QApplication.processEvents()
    with qtbot.waitSignal(page.record_open_requested) as opened:
        qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert opened.args == [work["site"]]


def test_a_long_list_shows_its_first_rows_and_counts_the_rest(qtbot, records) -> None:  # type: ignore[no-untyped-def]
    from gongkai_desktop.ui.dashboard import MAX_LISTED_ROWS

    today = date.today()
    for n in range(MAX_LISTED_ROWS + 3):
        records.create(
            "rectification_task",
            {
                "task_no": f"ZG-多-{n:03d}",
                "source": "日常巡查发现",
                "assigned_date": (today - timedelta(days=90)).isoformat(),
                "description": f"问题{n}",
                # the oldest deadline is the most overdue: listed first
                "deadline": (today - timedelta(days=10 + n)).isoformat(),
                "status": "正在办理",
            },
        )
    page = DashboardPage(records)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    section = page.overdue_section
    assert section.tree.topLevelItemCount() == MAX_LISTED_ROWS
    assert section.title_label.text() == f"逾期整改任务（{MAX_LISTED_ROWS + 3}）"
    assert section.more_label.isVisible()
    assert section.more_label.text() == "另有3项未列出，在“整改任务”中查看"
    assert f"ZG-多-{MAX_LISTED_ROWS + 2:03d}" in row_texts(section)[0]
    assert not page.due_section.more_label.isVisible()


def test_figures_read_in_the_background_do_not_draw_sections_over_each_other(
    qtbot, ctx, records, work
) -> None:  # type: ignore[no-untyped-def]
    today = date.today()
    for n in range(12):
        records.create(
            "rectification_task",
            {
                "task_no": f"ZG-叠-{n:02d}",
                "source": "日常巡查发现",
                "assigned_date": (today - timedelta(days=60)).isoformat(),
                "description": f"问题{n}",
                "deadline": (today - timedelta(days=5 + n)).isoformat(),
                "status": "正在办理",
            },
        )
    win = MainWindow(ctx)  # the 工作台 is shown empty first, filled when read
    qtbot.addWidget(win)
    win.resize(1366, 768)  # two columns
    win.show()
    page = win.dashboard
    qtbot.waitUntil(lambda: not page.reading)
    qtbot.wait(200)  # nothing else happens in the window meanwhile
    content = page.overdue_section.parentWidget()
    assert content.height() >= content.minimumSizeHint().height()
    sections = [page.overdue_section, page.due_section, page.patrol_section]
    sections += [page.shortfall_section]
    shown = [s for s in sections if s.isVisible()]
    assert len(shown) >= 2
    for i, one in enumerate(shown):
        for other in shown[i + 1 :]:
            assert not one.geometry().intersects(other.geometry()), (one, other)
