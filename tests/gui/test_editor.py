"""The generated record editor, driven like a clerk: type, Ctrl+S, Esc."""

from __future__ import annotations

import getpass
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QMessageBox

from gongkai_desktop import paths
from gongkai_desktop.data.repository import RecordQuery
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.settings import load_settings, save_settings
from gongkai_desktop.services.startup import open_context
from gongkai_desktop.ui.records import editor as editor_module
from gongkai_desktop.ui.records.editor import RecordEditor

from .gui_helpers import Answer as Asked
from .gui_helpers import type_chinese

pytestmark = [
    pytest.mark.gui,
    # the completer popup asks the offscreen platform for a keyboard grab it lacks
    pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard"),
]

SAVE = QMessageBox.StandardButton.Save
DISCARD = QMessageBox.StandardButton.Discard
CANCEL = QMessageBox.StandardButton.Cancel


def open_editor(qtbot, records: RecordService, record_id: str | None = None) -> RecordEditor:  # type: ignore[no-untyped-def]
    editor = RecordEditor(records, "site", record_id)
    # closed at teardown without the "unsaved changes?" question (a modal box would hang)
    qtbot.addWidget(editor, before_close_func=lambda dialog: dialog.done(0))
    editor.show()
    editor.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor)
    return editor


def type_into(editor: RecordEditor, key: str, text: str) -> None:
    target = editor.editors[key].focus_target()
    if isinstance(target, QComboBox):
        type_chinese(target.lineEdit(), text)
        # the clerk moves on: the completion popup closes as focus leaves the combo
        target.completer().popup().hide()
    else:
        type_chinese(target, text)


def ctrl_s(qtbot, editor: RecordEditor) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(
        editor.focusWidget() or editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
    )


def site_count(records: RecordService) -> int:
    return records.count(RecordQuery(form_id="site"))


def test_new_site_saved_with_ctrl_s(qtbot, records: RecordService) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(qtbot, records)
    assert editor.editors["status"].value() == "在用"  # form default
    type_into(editor, "site_type", "排污单位")
    type_into(editor, "name", "红星纸业有限公司")
    type_into(editor, "village", "工业园社区")
    qtbot.keyClicks(editor.editors["credit_code"].focus_target(), "91511500MA62A4XK3P")
    patrol_times = editor.editors["patrol_times"].focus_target()
    assert patrol_times.text() == "1"  # the type's default, filled in as the type was chosen
    patrol_times.selectAll()
    qtbot.keyClicks(patrol_times, "2")
    with qtbot.waitSignal(editor.record_saved) as saved:
        ctrl_s(qtbot, editor)
    view = records.get(saved.args[0])
    assert view.values == {
        "site_type": "排污单位",
        "name": "红星纸业有限公司",
        "village": "工业园社区",
        "status": "在用",
        "credit_code": "91511500MA62A4XK3P",
        "patrol_times": 2,
        "patrol_period": "每月",
    }
    assert not editor.isVisible()


def test_missing_required_field_shows_inline_error_and_saves_nothing(qtbot, records) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(qtbot, records)
    type_into(editor, "site_type", "饮用水水源地")
    type_into(editor, "name", "龙河水库")
    qtbot.keyClicks(editor.editors["phone"].focus_target(), "12ab")
    ctrl_s(qtbot, editor)
    assert site_count(records) == 0
    assert editor.isVisible()
    assert editor.field_error("village") == "必填"
    assert "只能填写数字" in editor.field_error("phone")
    assert editor.field_error("name") == ""
    assert editor.banner.isVisible() and "2 处" in editor.banner.text()
    assert editor.cells["village"].error_label.isVisible()
    assert editor.editors["village"].focus_target().hasFocus()  # the first bad field
    type_into(editor, "village", "龙河村")  # editing clears that field's message
    assert editor.field_error("village") == ""
    assert not editor.cells["village"].error_label.isVisible()
    # the banner counts what is left, and goes when nothing is
    assert editor.banner.isVisible()
    assert editor.banner.text().startswith("有 1 处需要修改")
    phone = editor.editors["phone"].focus_target()
    phone.selectAll()
    qtbot.keyClicks(phone, "13800001111")
    assert not editor.banner.isVisible() and editor.banner.text() == ""
    with qtbot.waitSignal(editor.record_saved):
        ctrl_s(qtbot, editor)
    assert site_count(records) == 1


def test_header_names_the_filler_never_the_login(qtbot, records, ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # a login name no Chinese text contains by chance
    monkeypatch.setattr(getpass, "getuser", lambda: "zhang_login")
    made = records.create(
        "site", {"site_type": "饮用水水源地", "name": "龙河水库", "village": "龙河村"}
    )
    assert made.author == "zhang_login"  # no 填表人 yet: the record's author is the login
    editor = open_editor(qtbot, records, made.id)
    assert "zhang_login" not in editor.info_label.text()
    assert "填表人" not in editor.info_label.text()
    assert editor.info_label.text().startswith("监管对象 · 创建于 ")
    editor.done(0)
    save_settings(ctx, {**load_settings(ctx), "filler": "王芳"})
    again = open_editor(qtbot, records, made.id)
    assert again.info_label.text().endswith(" · 第 1 版 · 填表人 王芳")
    assert "zhang_login" not in again.info_label.text()


def test_history_tab_names_the_filler_never_the_login(qtbot, records, ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    login = getpass.getuser()
    made = records.create(
        "site", {"site_type": "饮用水水源地", "name": "龙河水库", "village": "龙河村"}
    )
    save_settings(ctx, {**load_settings(ctx), "filler": "王芳"})
    records.update(made.id, {"village": "石桥村"})
    editor = open_editor(qtbot, records, made.id)
    editor.tabs.setCurrentIndex(editor.history_index)
    table = editor.history_table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers[1] == "填表人"
    cells = {
        (row, col): table.item(row, col).text()
        for row in range(table.rowCount())
        for col in range(table.columnCount())
    }
    # newest first: the change made as 王芳, then the creation made with no 填表人 set
    who = [cells[row, 1] for row in range(table.rowCount())]
    changed = [row for row in range(table.rowCount()) if cells[row, 2] == "修改"]
    assert [who[row] for row in changed] == ["王芳"]
    assert {who[row] for row in range(table.rowCount()) if row not in changed} == {"未设置填表人"}
    texts = [*cells.values(), *headers]
    texts += [label.text() for label in editor.findChildren(QLabel)]
    texts += [table.item(row, col).toolTip() for row, col in cells]
    assert not [text for text in texts if login in text]


def test_a_number_range_is_a_tooltip_not_grey_text(qtbot, records) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(qtbot, records)
    type_into(editor, "site_type", "排污单位")
    edit = editor.editors["patrol_times"].focus_target()
    assert edit.placeholderText() == ""
    assert "可填范围：0～100" in edit.toolTip()


def test_show_if_switches_the_type_sections(qtbot, records) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(qtbot, records)
    boxes = {section.title: box for section, box, _layout in editor.groups}
    assert boxes["排污单位"].isHidden() and boxes["饮用水水源地"].isHidden()
    type_into(editor, "site_type", "饮用水水源地")
    assert boxes["排污单位"].isHidden()
    assert not boxes["饮用水水源地"].isHidden()
    assert not editor.is_field_shown("credit_code")
    editor.editors["site_type"].combo.lineEdit().clear()
    type_into(editor, "site_type", "排污单位")
    assert not boxes["排污单位"].isHidden()
    assert boxes["饮用水水源地"].isHidden()
    assert editor.is_field_shown("credit_code")
    assert not boxes["基本信息"].isHidden() and not boxes["巡查要求"].isHidden()


def test_edit_existing_record_and_see_its_history(qtbot, records) -> None:  # type: ignore[no-untyped-def]
    made = records.create(
        "site", {"site_type": "饮用水水源地", "name": "龙河水库", "village": "龙河村"}
    )
    editor = open_editor(qtbot, records, made.id)
    assert editor.editors["name"].value() == "龙河水库"
    assert not editor.save_new_button.isVisible()
    name = editor.editors["name"].focus_target()
    name.selectAll()
    type_chinese(name, "龙河水库（一级）")
    qtbot.keyClicks(editor.editors["served_population"].focus_target(), "12800")
    with qtbot.waitSignal(editor.record_saved):
        ctrl_s(qtbot, editor)
    after = records.get(made.id)
    assert after.values["name"] == "龙河水库（一级）"
    assert after.values["served_population"] == 12800
    assert after.version == made.version + 1

    again = open_editor(qtbot, records, made.id)
    assert again.tabs.isTabEnabled(again.history_index)
    again.tabs.setCurrentIndex(again.history_index)
    table = again.history_table
    rows = [tuple(table.item(r, c).text() for c in range(2, 6)) for r in range(table.rowCount())]
    assert ("修改", "名称", "龙河水库", "龙河水库（一级）") in rows
    assert ("修改", "服务人口", "", "12800") in rows
    assert ("新建", "名称", "", "龙河水库") in rows


def test_new_record_has_no_history_tab(qtbot, records) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(qtbot, records)
    assert not editor.tabs.isTabEnabled(editor.history_index)


def test_saving_over_a_newer_version_is_refused(qtbot, records, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    made = records.create("site", {"site_type": "其他", "name": "砂石场", "village": "长岭村"})
    editor = open_editor(qtbot, records, made.id)
    records.update(made.id, {"village": "大坪村"})  # someone else saved meanwhile
    shown: list[BaseException] = []
    monkeypatch.setattr(
        editor_module, "show_error", lambda parent, exc, title=None: shown.append(exc)
    )
    type_into(editor, "address", "老公路边")
    ctrl_s(qtbot, editor)
    assert len(shown) == 1 and "其他操作修改" in str(shown[0])
    assert records.get(made.id).values["village"] == "大坪村"
    assert "address" not in records.get(made.id).values
    assert editor.isVisible()


def test_esc_with_unsaved_changes_asks(qtbot, records, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    asked = Asked(CANCEL)
    monkeypatch.setattr(QMessageBox, "question", asked)
    editor = open_editor(qtbot, records)
    type_into(editor, "name", "新对象")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert len(asked.texts) == 1 and "尚未保存" in asked.texts[0]
    assert editor.isVisible()  # 取消: keep editing
    asked.answer = DISCARD
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert not editor.isVisible()
    assert site_count(records) == 0


def test_esc_answer_save_saves_then_closes(qtbot, records, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(QMessageBox, "question", Asked(SAVE))
    editor = open_editor(qtbot, records)
    type_into(editor, "site_type", "其他")
    type_into(editor, "name", "垃圾中转站")
    type_into(editor, "village", "大坪村")
    qtbot.mouseClick(editor.close_button, Qt.MouseButton.LeftButton)
    assert not editor.isVisible()
    assert site_count(records) == 1


def test_esc_without_changes_closes_without_asking(qtbot, records, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    asked = Asked(CANCEL)
    monkeypatch.setattr(QMessageBox, "question", asked)
    made = records.create("site", {"site_type": "其他", "name": "砂石场", "village": "长岭村"})
    editor = open_editor(qtbot, records, made.id)
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert asked.texts == []
    assert not editor.isVisible()


def test_save_and_new_keeps_the_dialog_for_the_next_record(qtbot, records) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(qtbot, records)
    type_into(editor, "site_type", "其他")
    type_into(editor, "name", "一号堆场")
    type_into(editor, "village", "长岭村")
    qtbot.mouseClick(editor.save_new_button, Qt.MouseButton.LeftButton)
    assert site_count(records) == 1
    assert editor.isVisible()
    assert editor.editors["name"].value() == ""
    assert editor.editors["status"].value() == "在用"
    assert "一号堆场" in editor.info_label.text()
    assert not editor.is_dirty()


def test_field_added_to_the_form_file_appears_without_code(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    forms = tmp_path / "forms"
    shutil.copytree(paths.forms_dir(), forms)
    site = forms / "site.yaml"
    site.write_text(
        site.read_text(encoding="utf-8") + "      - key: grid_officer\n"
        "        label: 网格员\n"
        "        type: person\n"
        "        required: true\n"
        "        help: 负责该对象的网格员\n",
        encoding="utf-8",
    )
    ctx = open_context(tmp_path / "extra.db", forms_dir=forms, auto_backup=False)
    try:
        service = RecordService(ctx)
        editor = open_editor(qtbot, service)
        assert "grid_officer" in editor.editors
        type_into(editor, "site_type", "其他")
        type_into(editor, "name", "堆场")
        type_into(editor, "village", "长岭村")
        ctrl_s(qtbot, editor)
        assert editor.field_error("grid_officer") == "必填"
        type_into(editor, "grid_officer", "张网格")
        with qtbot.waitSignal(editor.record_saved) as saved:
            ctrl_s(qtbot, editor)
        assert service.get(saved.args[0]).values["grid_officer"] == "张网格"
    finally:
        ctx.close()


def test_a_pasted_control_character_is_refused_under_its_field(
    qtbot, records, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import os

    editor = open_editor(qtbot, records)
    type_into(editor, "site_type", "饮用水水源地")
    type_into(editor, "village", "龙河村")
    # pasted from another program: an invisible control character inside the name
    editor.editors["name"].focus_target().setText("龙河\x01水库")
    ctrl_s(qtbot, editor)
    assert site_count(records) == 0
    assert editor.field_error("name") == "含有不可见的控制字符（第3个字符），请删除后再保存"
    assert editor.cells["name"].error_label.isVisible()
    # for the eye: IMPORT_SHOTS names a folder to keep the screenshot in
    shots = Path(os.environ.get("IMPORT_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    assert editor.grab().save(str(shots / "editor_control_character.png"))
    editor.editors["name"].focus_target().setText("龙河水库")
    with qtbot.waitSignal(editor.record_saved):
        ctrl_s(qtbot, editor)
    assert site_count(records) == 1
