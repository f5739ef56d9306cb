"""The main window on a township laptop: every page at 1366×768 and at 1280×680 (a
1280×720 screen less its taskbar) with every button in sight, and no technical text
(file paths, the computer's login name) outside 设置 → 数据与备份."""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Iterator
from itertools import product
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QScrollArea, QTabWidget, QWidget

from gongkai_desktop.services.settings import load_settings, save_settings
from gongkai_desktop.ui.main_window import MODULES, MainWindow
from gongkai_desktop.ui.records.editor import RecordEditor

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard"),
]

LAPTOP_SIZES = [(1366, 768), (1280, 680)]
LOGIN = "zhang_login"  # a login name no Chinese text contains by chance


@pytest.fixture
def window(qtbot, ctx) -> MainWindow:  # type: ignore[no-untyped-def]
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def settle(qtbot) -> None:  # type: ignore[no-untyped-def]
    QApplication.processEvents()
    qtbot.wait(10)


def tab_states(page: QWidget) -> Iterator[str]:
    """Show every combination of the page's tabs in turn (nested tabs included)."""
    tabs = page.findChildren(QTabWidget)
    for choice in product(*(range(t.count()) for t in tabs)):
        for tab, index in zip(tabs, choice, strict=True):
            tab.setCurrentIndex(index)
        yield " / ".join(t.tabText(t.currentIndex()) for t in tabs)


def scrolling_parent(widget: QWidget, page: QWidget) -> QScrollArea | None:
    """The innermost scroll area between the widget and the page, if any."""
    parent = widget.parentWidget()
    while parent is not None and parent is not page:
        if isinstance(parent, QScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def visible_area(window: MainWindow) -> QRect:
    """The part of the window where the current page shows, in window coordinates."""
    area = window.stack.currentWidget()
    assert isinstance(area, QScrollArea)
    viewport = area.viewport()
    top_left = viewport.mapTo(window, viewport.rect().topLeft())
    return QRect(top_left, viewport.size()).intersected(window.rect())


@pytest.mark.parametrize(("width", "height"), LAPTOP_SIZES)
def test_every_page_fits_a_laptop_screen(qtbot, window, records, width, height) -> None:  # type: ignore[no-untyped-def]
    records.create("site", {"site_type": "其他", "name": "龙河水库", "village": "龙河村"})
    window.refresh_lists()
    checked = 0
    for module in MODULES:
        page = window.show_module(module.title)
        window.resize(width, height)
        settle(qtbot)
        hint = window.minimumSizeHint()
        assert hint.width() <= width and hint.height() <= height, module.title
        assert (window.width(), window.height()) == (width, height), module.title
        for state in tab_states(page):
            settle(qtbot)
            shown = visible_area(window)
            buttons = [b for b in page.findChildren(QPushButton) if b.isVisible()]
            for button in buttons:
                # a button in a scrolling part of the page (a long form of text boxes) is
                # reached by that part's scroll bar: the part itself must be in sight
                inner = scrolling_parent(button, page)
                target: QWidget = button if inner is None else inner
                where = QRect(target.mapTo(window, target.rect().topLeft()), target.size())
                assert shown.contains(where), (module.title, state, button.text(), where)
            checked += len(buttons)
    # the list pages' 新建/编辑/删除, 设置's 保存 and backup buttons, ... were all seen
    assert checked > 40


def test_the_dashboard_is_one_column_on_a_laptop(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    board = window.show_module("工作台")
    window.resize(1920, 1000)
    settle(qtbot)
    overdue, patrol = board.overdue_section, board.patrol_section
    assert patrol.mapTo(board, patrol.rect().topLeft()).x() > overdue.width()  # side by side
    window.resize(1280, 680)
    settle(qtbot)
    assert board.width() < 1200
    overdue_left = overdue.mapTo(board, overdue.rect().topLeft())
    patrol_left = patrol.mapTo(board, patrol.rect().topLeft())
    assert patrol_left.x() == overdue_left.x()  # one column: the patrols below the tasks
    assert patrol_left.y() > overdue_left.y() + overdue.height()


def visible_texts(window: MainWindow, skip: set[QLabel]) -> list[str]:
    labels = [
        label
        for label in window.findChildren(QLabel)
        if label.isVisible() and label not in skip and label.text()
    ]
    return [label.text() for label in labels] + [window.statusBar().currentMessage()]


def test_no_path_or_login_outside_the_data_tab(qtbot, window, ctx, records, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    real_login = getpass.getuser()
    monkeypatch.setattr(getpass, "getuser", lambda: LOGIN)
    made = records.create("site", {"site_type": "其他", "name": "龙河水库", "village": "龙河村"})
    assert made.author == LOGIN  # no 填表人 set: the login is stored as the author
    window.refresh_lists()
    settings = window.settings_page
    paths_tab = {settings.db_path_label, settings.backups_path_label}
    db_path = Path(ctx.db_path)
    forbidden = [str(db_path), str(db_path.parent), str(Path.home()), os.environ["GONGKAI_HOME"]]
    logins = [
        re.compile(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])")
        for name in (LOGIN, real_login)
    ]

    def check(where: str) -> None:
        for text in visible_texts(window, paths_tab):
            for path in forbidden:
                assert path not in text, (where, text)
            for login in logins:
                assert not login.search(text), (where, text)

    for module in MODULES:
        page = window.show_module(module.title)
        for state in tab_states(page):
            settle(qtbot)
            check(f"{module.title} {state}")

    # 设置 → 数据与备份 is where the files are named, each with its 打开文件夹
    window.show_module("设置")
    settings.tabs.setCurrentIndex(settings.tabs.indexOf(settings.tabs.widget(1)))
    assert settings.tabs.tabText(1) == "数据与备份"
    settle(qtbot)
    assert settings.db_path_label.text() == str(db_path)
    assert settings.backups_path_label.text() == str(db_path.parent / "backups")
    assert settings.data_folder_button.isVisible() and settings.folder_button.isVisible()
    assert settings.data_folder_button.text() == "打开文件夹"

    # the editor's header and the status bar after a save
    save_settings(ctx, {**load_settings(ctx), "filler": "王芳"})
    window.show_module("监管对象")
    editor = window.open_editor("site", made.id)
    assert isinstance(editor, RecordEditor)
    qtbot.waitUntil(editor.isVisible)
    assert "填表人 王芳" in editor.info_label.text()
    for login in logins:
        assert not login.search(editor.info_label.text())
    with qtbot.waitSignal(window.list_page("site").model.dataChanged):  # changed in place
        assert editor.save()
    assert window.statusBar().currentMessage() == "已保存“龙河水库”"
    check("after saving")


def test_an_empty_list_says_how_to_begin(qtbot, window, records) -> None:  # type: ignore[no-untyped-def]
    page = window.show_module("监管对象")
    settle(qtbot)
    assert page.empty_label.isVisible()
    assert page.empty_label.text() == "还没有记录，按 Ctrl+N 新建"
    bin_page = window.show_module("回收站")
    settle(qtbot)
    assert bin_page.empty_label.text() == "回收站是空的"
    made = records.create("site", {"site_type": "其他", "name": "龙河水库", "village": "龙河村"})
    window.refresh_lists()
    page = window.show_module("监管对象")
    settle(qtbot)
    assert not page.empty_label.isVisible()
    page.search_edit.setText("不存在的名称")
    page._apply_filters_now()
    qtbot.waitUntil(lambda: page.model.total_count == 0)
    assert page.empty_label.isVisible() and page.empty_label.text() == "没有符合条件的记录"
    records.delete(made.id)
    window.refresh_lists()
    bin_page = window.show_module("回收站")
    settle(qtbot)
    assert not bin_page.empty_label.isVisible()


def test_period_defaults_say_they_are_last_month(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    ledgers = window.show_module("台账导出")
    settle(qtbot)
    chooser = ledgers.period_chooser
    assert chooser.default_hint.isVisible()
    assert chooser.default_hint.text() == "默认上个月（月末报送用）"
    chooser.month.setCurrentIndex((chooser.month.currentIndex() + 1) % 12)
    assert not chooser.default_hint.isVisible()  # another month: no longer the default
    reports = window.show_module("报表")
    settle(qtbot)
    monthly = reports.findChild(QWidget, "default_period_hint")
    assert isinstance(monthly, QLabel) and monthly.isVisible()
    assert monthly.text() == "默认上个月（月末报送用）"
