"""The record editor uses the space it is given: it reopens at the size it was closed
at, lays its fields in two columns when wide, folds sections away, and says so in red
when a task or a request is past its deadline. Real widgets over a real SQLite file."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QSize
from PySide6.QtWidgets import QApplication, QWidget

from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.ui.records.editor import RecordEditor

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard"),
]


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


def opened(qtbot, records: RecordService, form_id: str, record_id: str | None = None, **kw):  # type: ignore[no-untyped-def]
    editor = RecordEditor(records, form_id, record_id, **kw)
    qtbot.addWidget(editor, before_close_func=lambda dialog: dialog.done(0))
    editor.show()
    qtbot.waitExposed(editor)
    return editor


def resized(qtbot, editor: RecordEditor, width: int, height: int) -> None:  # type: ignore[no-untyped-def]
    editor.resize(width, height)
    qtbot.waitUntil(lambda: editor.width() == width)
    QApplication.processEvents()


def left_edge(widget: QWidget, editor: RecordEditor) -> int:
    return widget.mapTo(editor, widget.rect().topLeft()).x()


def top_edge(widget: QWidget, editor: RecordEditor) -> int:
    return widget.mapTo(editor, widget.rect().topLeft()).y()


def task(records: RecordService, deadline: date, **more: str) -> str:
    values = {
        "source": "12345",
        "assigned_date": (deadline - timedelta(days=40)).isoformat(),
        "description": "龙河村垃圾乱堆",
        "deadline": deadline.isoformat(),
        **more,
    }
    return records.create("rectification_task", values).id


def test_the_editor_reopens_at_the_size_it_was_closed_at(qtbot, records, settings) -> None:  # type: ignore[no-untyped-def]
    first = opened(qtbot, records, "rectification_task", settings=settings)
    resized(qtbot, first, 700, 560)  # the offscreen screen is 800×800: within its 90 %
    first.reject()  # 关闭 (nothing typed: no question)
    assert settings.value("record_editor/rectification_task/size") == QSize(700, 560)
    again = opened(qtbot, records, "rectification_task", settings=settings)
    assert (again.width(), again.height()) == (700, 560)
    # another form keeps its own size; a size kept from a larger monitor is cut to 90 %
    settings.setValue("record_editor/site/size", QSize(1600, 1000))
    site = opened(qtbot, records, "site", settings=settings)
    screen = site.screen().availableGeometry()
    assert (site.width(), site.height()) == (
        int(screen.width() * 0.9),
        int(screen.height() * 0.9),
    )


def test_two_columns_when_wide_one_when_narrow(qtbot, records, settings) -> None:  # type: ignore[no-untyped-def]
    editor = opened(qtbot, records, "rectification_task", settings=settings)
    cells = editor.cells
    resized(qtbot, editor, 1200, 700)
    assert editor.columns == 2
    # 交办/受理编号 then 问题来源: side by side, on one line
    assert top_edge(cells["task_no"], editor) == top_edge(cells["source"], editor)
    assert left_edge(cells["source"], editor) > left_edge(cells["task_no"], editor) + 300
    # the long text and the table of progress rows take the whole width
    description, progress = cells["description"], cells["progress"]
    assert left_edge(description, editor) == left_edge(cells["task_no"], editor)
    assert description.width() > 2 * cells["source"].width()
    assert progress.width() == description.width()
    resized(qtbot, editor, 700, 700)
    assert editor.columns == 1
    assert left_edge(cells["source"], editor) == left_edge(cells["task_no"], editor)
    assert top_edge(cells["source"], editor) > top_edge(cells["task_no"], editor)
    assert cells["source"].width() == description.width()


def test_a_section_folds_away_and_opens_again(qtbot, records, settings) -> None:  # type: ignore[no-untyped-def]
    editor = opened(qtbot, records, "rectification_task", settings=settings)
    boxes = {section.title: box for section, box, _grid in editor.groups}
    box = boxes["责任与措施"]
    target = editor.cells["target"]
    assert target.isVisible() and box.header.isChecked()
    height = box.height()
    # folding the section the clerk is typing in leaves the page where it is
    editor.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor)
    editor.editors["target"].focus_target().setFocus()
    assert QApplication.focusWidget() is editor.editors["target"].focus_target()
    scroll = editor.scroll_area.verticalScrollBar()
    scroll.setValue(0)
    box.header.click()
    assert scroll.value() == 0
    qtbot.waitUntil(lambda: not target.isVisible())
    assert not box.expanded and box.isVisible()  # the header stays, to open it again
    qtbot.waitUntil(lambda: box.height() < height / 2)
    box.header.click()
    qtbot.waitUntil(target.isVisible)
    assert box.expanded
    # an error in a folded section opens it
    box.header.click()
    qtbot.waitUntil(lambda: not target.isVisible())
    editor.set_field_value("description", "")
    boxes["问题来源"].header.click()
    assert not editor.save()
    assert boxes["问题来源"].expanded and editor.cells["description"].isVisible()
    assert not box.expanded  # no error there: left as the clerk folded it


def test_an_overdue_task_shows_the_banner(qtbot, records, settings) -> None:  # type: ignore[no-untyped-def]
    today = date.today()
    late = task(records, today - timedelta(days=12))
    in_time = task(records, today + timedelta(days=5))
    done_late = task(
        records,
        today - timedelta(days=20),
        status="已办结",
        completed_date=(today - timedelta(days=17)).isoformat(),
    )
    editor = opened(qtbot, records, "rectification_task", late, settings=settings)
    banner = editor.overdue_banner
    assert banner.isVisible()
    deadline = (today - timedelta(days=12)).isoformat()
    assert banner.text() == f"已逾期 12 天：现行整改时限 {deadline} 已过，尚未填写办结日期"
    # an extension past today lifts it as it is typed
    editor.set_field_value("extended_deadline", (today + timedelta(days=30)).isoformat())
    assert not banner.isVisible()
    editor.done(0)

    calm = opened(qtbot, records, "rectification_task", in_time, settings=settings)
    assert not calm.overdue_banner.isVisible() and calm.overdue_banner.text() == ""
    calm.done(0)

    finished = opened(qtbot, records, "rectification_task", done_late, settings=settings)
    assert finished.overdue_banner.isVisible()
    assert finished.overdue_banner.text().endswith("（晚 3 天）")
    assert finished.overdue_banner.text().startswith("逾期：办结日期 ")
