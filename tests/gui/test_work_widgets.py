"""Field widgets of the work records on their own: the record link, the site picker
that is re-filtered by type, and the name completer that works name by name."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from gongkai_desktop.forms.spec import FieldSpec
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.ui.fields import create_editor
from gongkai_desktop.ui.fields.widgets import (
    NameCompleter,
    RecordLinkEditor,
    SiteEditor,
    TextEditor,
)

from .gui_helpers import shown, type_chinese

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard"),
]


def test_record_link_shows_the_title_and_opens_the_record(qtbot, records: RecordService) -> None:  # type: ignore[no-untyped-def]
    spec = FieldSpec("task", "整改任务", "record", readonly=True, form="site")
    editor = shown(qtbot, create_editor(spec, records))
    assert isinstance(editor, RecordLinkEditor)
    assert editor.title_edit.text() == "（无）"
    assert editor.title_edit.isReadOnly()
    assert not editor.open_button.isEnabled()
    assert editor.value() is None

    site = records.create("site", {"site_type": "其他", "name": "砂石场", "village": "长岭村"})
    editor.set_value(site.id)
    assert editor.title_edit.text() == "砂石场"
    assert editor.value() == site.id
    with qtbot.waitSignal(editor.open_requested) as opened:
        qtbot.mouseClick(editor.open_button, Qt.MouseButton.LeftButton)
    assert opened.args == [site.id]

    editor.set_openable(False)  # already open in a window beneath
    assert not editor.open_button.isEnabled()
    editor.set_openable(True)
    records.delete(site.id)
    editor.set_value(site.id)
    assert editor.title_edit.text() == "砂石场（已删除，在回收站中）"
    assert not editor.open_button.isEnabled()
    editor.set_value("00000000-0000-0000-0000-000000000000")
    assert editor.title_edit.text() == "（关联的记录已不存在）"
    assert not editor.open_button.isEnabled()


def test_site_picker_is_refiltered_and_keeps_the_choice(qtbot, records: RecordService) -> None:  # type: ignore[no-untyped-def]
    water = records.create(
        "site", {"site_type": "饮用水水源地", "name": "龙河水库", "village": "一村"}
    ).id
    plant = records.create(
        "site", {"site_type": "排污单位", "name": "造纸厂", "village": "二村"}
    ).id
    editor = shown(qtbot, create_editor(FieldSpec("site", "监管对象", "site"), records))
    assert isinstance(editor, SiteEditor)
    texts = lambda: [editor.combo.itemText(i) for i in range(editor.combo.count())]  # noqa: E731
    assert texts() == ["", "造纸厂（排污单位）", "龙河水库（饮用水水源地）"]
    editor.set_value(water)
    with qtbot.assertNotEmitted(editor.value_changed):
        editor.set_site_types(["饮用水水源地"])
    assert texts() == ["", "龙河水库"]
    assert editor.value() == water
    editor.set_site_types(["排污单位"])  # no longer fits: kept, marked
    assert texts()[:2] == ["", "造纸厂"]
    assert editor.value() == water
    assert "不可选" in editor.combo.currentText()
    editor.set_site_types([])
    assert editor.value() == water

    # a name typed but not matched stays as typed; matched once the list shows it bare
    editor.set_value(None)
    editor.set_site_types(["饮用水水源地", "排污单位"])
    type_chinese(editor.combo.lineEdit(), "造纸厂")
    editor.combo.completer().popup().hide()
    assert editor.value() == "造纸厂"
    with qtbot.waitSignal(editor.value_changed):
        editor.set_site_types(["排污单位"])
    assert editor.value() == plant


def test_name_completer_works_on_the_last_name() -> None:
    completer = NameCompleter(["张三", "李四", "李娜"])
    assert completer.splitPath("张三、李") == ["李"]
    assert completer.splitPath("张三，王五 李") == ["李"]
    assert completer.splitPath("李") == ["李"]
    assert completer.splitPath("张三、") == [""]
    completer.setCompletionPrefix("李")
    assert completer.completionCount() == 2


def test_person_field_offers_names(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = shown(qtbot, create_editor(FieldSpec("inspectors", "巡查人员", "person")))
    assert isinstance(editor, TextEditor)
    assert editor.edit.completer() is None  # until the record editor gives it names
    editor.set_name_suggestions(["张三", "李四"])
    editor.set_name_suggestions(["张三", "李四", "王五"])  # replaced, not stacked
    completer = editor.edit.completer()
    assert isinstance(completer, NameCompleter)
    type_chinese(editor.edit, "李四、王")
    assert completer.currentCompletion() == "李四、王五"
