"""The main window end to end: a site is created, edited, deleted, restored, and its
history read, all through the real list, editor and recycle bin widgets."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QMessageBox, QTabWidget

from gongkai_desktop import APP_NAME
from gongkai_desktop.data.repository import RecordQuery
from gongkai_desktop.domain.errors import FieldError, ValidationError
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.settings import load_settings, save_settings
from gongkai_desktop.services.startup import open_context
from gongkai_desktop.ui.ledgers.ledger_page import LedgerPage
from gongkai_desktop.ui.main_window import MODULES, MainWindow
from gongkai_desktop.ui.records.editor import RecordEditor
from gongkai_desktop.ui.records.record_list import RecordListPage
from gongkai_desktop.ui.reports.page import ReportPage

from .gui_helpers import Answer, type_chinese

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard"),
]

YES = QMessageBox.StandardButton.Yes
NO = QMessageBox.StandardButton.No


def type_into(editor: RecordEditor, key: str, text: str) -> None:
    target = editor.editors[key].focus_target()
    if isinstance(target, QComboBox):
        type_chinese(target.lineEdit(), text)
        target.completer().popup().hide()
    else:
        type_chinese(target, text)


@pytest.fixture
def window(qtbot, ctx) -> MainWindow:  # type: ignore[no-untyped-def]
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def active_editor(qtbot, window: MainWindow) -> RecordEditor:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: window.editor is not None and window.editor.isVisible())
    editor = window.editor
    assert editor is not None
    editor.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor)
    return editor


def ctrl_s(qtbot, editor: RecordEditor) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(
        editor.focusWidget() or editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
    )


def cell_texts(page: RecordListPage) -> list[list[str]]:
    model = page.model
    return [
        [model.data(model.index(r, c)) or "" for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_create_edit_delete_restore_and_history(qtbot, window, records, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    page = window.show_module("监管对象")
    assert page is window.list_page("site")

    # 新建 → editor → Ctrl+S → the list shows it
    click(qtbot, page.new_button)
    editor = active_editor(qtbot, window)
    type_into(editor, "site_type", "饮用水水源地")
    type_into(editor, "name", "龙河水库")
    type_into(editor, "village", "龙河村")
    qtbot.keyClicks(editor.editors["served_population"].focus_target(), "12800")
    ctrl_s(qtbot, editor)
    qtbot.waitUntil(lambda: window.editor is None)
    assert page.model.total_count == 1
    assert any("龙河水库" in row for row in cell_texts(page))
    site_id = page.current_record_id()
    assert site_id is not None and records.get(site_id).values["served_population"] == 12800

    # 编辑 → change the village → the list follows
    click(qtbot, page.edit_button)
    editor = active_editor(qtbot, window)
    assert editor.record_id == site_id
    village = editor.editors["village"].focus_target()
    village.selectAll()
    type_chinese(village, "白岩村")
    ctrl_s(qtbot, editor)
    qtbot.waitUntil(lambda: window.editor is None)
    assert any("白岩村" in row for row in cell_texts(page))
    assert records.get(site_id).version == 2

    # 删除 → confirmation → gone from the list, in the 回收站
    asked = Answer(YES)
    monkeypatch.setattr(QMessageBox, "question", asked)
    page.select_record(site_id)
    click(qtbot, page.delete_button)
    assert "龙河水库" in asked.texts[0] and "回收站" in asked.texts[0]
    assert page.model.total_count == 0
    assert records.get(site_id).deleted
    bin_page = window.show_module("回收站")
    assert bin_page is window.recycle_bin
    assert window.recycle_bin.model.total_count == 1

    # 恢复 from the 回收站 → back in the list
    assert window.recycle_bin.select_record(site_id)
    click(qtbot, window.recycle_bin.restore_button)
    assert window.recycle_bin.model.total_count == 0
    assert page.model.total_count == 1
    assert not records.get(site_id).deleted

    # 修改记录 tab of the record
    window.show_module("监管对象")
    page.select_record(site_id)
    click(qtbot, page.edit_button)
    editor = active_editor(qtbot, window)
    editor.tabs.setCurrentIndex(editor.history_index)
    table = editor.history_table
    actions = [table.item(r, 2).text() for r in range(table.rowCount())]
    assert actions[:3] == ["恢复", "删除", "修改"]  # newest first
    assert "新建" in actions
    rows = [tuple(table.item(r, c).text() for c in range(3, 6)) for r in range(table.rowCount())]
    assert ("所在村（社区）", "龙河村", "白岩村") in rows
    editor.done(0)


def test_delete_cancelled_keeps_the_record(qtbot, window, records, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    made = records.create("site", {"site_type": "其他", "name": "砂石场", "village": "长岭村"})
    window.refresh_lists()
    page = window.show_module("监管对象")
    monkeypatch.setattr(QMessageBox, "question", Answer(NO))
    page.select_record(made.id)
    click(qtbot, page.delete_button)
    assert not records.get(made.id).deleted
    assert page.model.total_count == 1


def test_modules_open_their_pages(window) -> None:  # type: ignore[no-untyped-def]
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == [
        m.title for m in MODULES
    ]
    assert isinstance(window.show_module("巡查检查"), RecordListPage)
    disclosure = window.show_module("信息公开")
    assert isinstance(disclosure, QTabWidget) and disclosure.count() == 3
    assert [disclosure.tabText(i) for i in range(3)] == [
        "主动公开信息",
        "依申请公开",
        "行政复议和行政诉讼",
    ]
    assert all(isinstance(disclosure.widget(i), RecordListPage) for i in range(3))
    ledgers = window.show_module("台账导出")
    assert isinstance(ledgers, LedgerPage)
    titles = {title for _line, shown in ledgers.group_titles() for title in shown}
    assert titles == {ledger.title for ledger in window.service.registry.ledgers.values()}
    reports = window.show_module("报表")
    assert isinstance(reports, ReportPage) and reports is window.report_page


def test_dashboard_counts_and_status_bar(qtbot, window, records) -> None:  # type: ignore[no-untyped-def]
    records.create("site", {"site_type": "其他", "name": "甲", "village": "一村"})
    gone = records.create("site", {"site_type": "其他", "name": "乙", "village": "一村"})
    records.delete(gone.id)
    window.show_module("设置")
    window.show_module("工作台")  # refreshed when shown, on a worker
    qtbot.waitUntil(lambda: not window.dashboard.reading)
    texts = " ".join(label.text() for label in window.dashboard.findChildren(QLabel))
    assert "1 条" in texts and "回收站中另有 1 条" in texts
    assert "尚无备份" in texts


def test_settings_save_reload_and_window_title(qtbot, window, ctx) -> None:  # type: ignore[no-untyped-def]
    settings = window.show_module("设置")
    assert settings is window.settings_page
    assert window.windowTitle() == f"{APP_NAME} — 未设置单位名称"
    type_chinese(settings.edits["unit_name"], "庆符镇人民政府")
    type_chinese(settings.edits["filler"], "李晓梅")
    qtbot.keyClicks(settings.edits["phone"], "0831-5521000")
    click(qtbot, settings.save_button)
    stored = load_settings(ctx)
    assert stored["unit_name"] == "庆符镇人民政府"
    assert stored["filler"] == "李晓梅"
    assert stored["phone"] == "0831-5521000"
    assert window.windowTitle() == f"{APP_NAME} — 庆符镇人民政府"
    assert settings.saved_label.text() == "已保存"
    # a fresh window (next start) shows what was saved
    again = MainWindow(ctx)
    qtbot.addWidget(again)
    assert again.settings_page.edits["unit_name"].text() == "庆符镇人民政府"
    assert again.settings_page.edits["phone"].text() == "0831-5521000"


def test_settings_error_shown_under_the_field(qtbot, window, ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from gongkai_desktop.ui import settings_page

    def refuse(_ctx, _values):  # type: ignore[no-untyped-def]
        raise ValidationError([FieldError("phone", "联系电话", "不能超过40个字")])

    monkeypatch.setattr(settings_page, "save_settings", refuse)
    settings = window.show_module("设置")
    qtbot.keyClicks(settings.edits["phone"], "123")
    click(qtbot, settings.save_button)
    assert settings.errors["phone"].isVisible()
    assert settings.errors["phone"].text() == "不能超过40个字"
    assert load_settings(ctx)["phone"] == ""
    qtbot.keyClicks(settings.edits["phone"], "4")  # editing clears the message
    assert not settings.errors["phone"].isVisible()


def test_backup_now_and_restore_reopens_the_database(qtbot, window, records, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    kept = records.create("site", {"site_type": "其他", "name": "备份前", "village": "一村"})
    save_settings(window.ctx, {"unit_name": "庆符镇人民政府"})
    settings = window.show_module("设置")
    assert settings.backup_table.rowCount() == 0
    click(qtbot, settings.backup_button)
    assert settings.busy and not settings.backup_button.isEnabled()
    qtbot.waitUntil(
        lambda: not settings.busy and settings.backup_table.rowCount() == 1, timeout=10000
    )
    assert settings.backup_table.item(0, 1).text() == "手动备份"
    assert settings.backup_table.item(0, 2).text() == "1"

    later = RecordService(window.ctx).create(
        "site", {"site_type": "其他", "name": "备份后", "village": "二村"}
    )
    old_ctx = window.ctx
    monkeypatch.setattr(QMessageBox, "question", Answer(YES))
    settings.backup_table.selectRow(0)
    click(qtbot, settings.restore_button)
    assert not window.nav.isEnabled()  # nothing else may touch the database meanwhile
    qtbot.waitUntil(lambda: window.ctx is not old_ctx, timeout=10000)
    assert window.nav.isEnabled()
    service = window.service
    assert service.get(kept.id).title == "备份前"
    assert service.count(RecordQuery(form_id="site")) == 1
    with pytest.raises(Exception, match="找不到记录"):
        service.get(later.id)
    # the rebuilt pages read the new context
    assert window.list_page("site").model.total_count == 1
    new_settings = window.settings_page
    assert new_settings is not settings
    assert window.current_page() is new_settings
    reasons = [
        new_settings.backup_table.item(r, 1).text()
        for r in range(new_settings.backup_table.rowCount())
    ]
    assert "恢复备份前" in reasons
    boxes = [w for w in window.findChildren(QMessageBox) if w.isVisible()]
    assert boxes and "已从备份恢复" in boxes[0].text()
    boxes[0].done(0)


def test_module_whose_form_is_missing_says_so(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An office that removed a form file still gets the module, with a plain note."""
    import shutil

    from gongkai_desktop import paths

    forms = tmp_path / "forms"
    shutil.copytree(paths.forms_dir(), forms)
    (forms / "review_case.yaml").unlink()
    for ledger in (forms / "ledgers").glob("*.yaml"):  # ledgers of that form go with it
        if "form: review_case\n" in ledger.read_text(encoding="utf-8"):
            ledger.unlink()
    context = open_context(tmp_path / "db" / "g.db", forms_dir=forms, auto_backup=False)
    try:
        win = MainWindow(context)
        qtbot.addWidget(win)
        disclosure = win.show_module("信息公开")
        assert isinstance(disclosure, QTabWidget) and disclosure.count() == 3
        texts = " ".join(label.text() for label in disclosure.findChildren(QLabel))
        assert "forms/ 目录中没有 review_case 表单" in texts
        win.close()
    finally:
        context.close()


def test_keyboard_new_search_and_refresh_on_the_shown_list(qtbot, window, records) -> None:  # type: ignore[no-untyped-def]
    # every list page has these keys; only the page shown answers them
    page = window.show_module("巡查检查")
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.search_edit.hasFocus())
    qtbot.keyClick(page.search_edit, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    editor = active_editor(qtbot, window)
    assert editor.form.id == "inspection"
    editor.close()
    qtbot.waitUntil(lambda: window.editor is None)
    # F5 re-reads the list: a record saved elsewhere (the CLI, another window) appears
    sites = window.show_module("监管对象")
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    assert sites.model.total_count == 0
    records.create("site", {"site_type": "饮用水水源地", "name": "龙河水库", "village": "龙河村"})
    sites.table.setFocus()
    qtbot.keyClick(sites.table, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: any("龙河水库" in row for row in cell_texts(sites)))


def test_start_builds_only_the_first_page_and_reads_the_dashboard_once_off_the_gui_thread(
    qtbot, ctx, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from gongkai_desktop.ui.dashboard import DashboardPage

    on_gui_thread: list[bool] = []
    original = DashboardPage._gather

    def counted(self: DashboardPage, today):  # type: ignore[no-untyped-def]
        on_gui_thread.append(threading.current_thread() is threading.main_thread())
        return original(self, today)

    monkeypatch.setattr(DashboardPage, "_gather", counted)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    assert win.current_page() is win.dashboard
    qtbot.waitUntil(lambda: on_gui_thread and not win.dashboard.reading)
    assert on_gui_thread == [False]  # once, on a worker
    # no other page was built: lists, ledgers, reports and 设置 wait until opened
    assert win.list_pages == {} and win.ledger_page is None and win.report_page is None
    assert sum(1 for row in range(len(win.modules)) if win.page_built(row)) == 1
    # going back to it later reads it again (records may have changed elsewhere)
    win.nav.setCurrentRow(1)
    assert win.page_built(1) and "inspection" in win.list_pages
    with qtbot.waitSignal(win.dashboard.refreshed):
        win.nav.setCurrentRow(0)
    assert on_gui_thread == [False, False]
