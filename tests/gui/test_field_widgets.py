"""Each field editor, driven through its real input widget: typed value in, raw value out."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate, QPoint, Qt

from gongkai_desktop.forms.spec import FieldSpec
from gongkai_desktop.forms.values import coerce_value
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.ui.fields import create_editor, label_html
from gongkai_desktop.ui.fields.widgets import (
    BooleanEditor,
    ChoiceEditor,
    DateEditor,
    MultiChoiceEditor,
    NumberEditor,
    ReadOnlyEditor,
    RepeatEditor,
    SiteEditor,
    TextEditor,
)

from .gui_helpers import shown, type_chinese

# Popups (completer, calendar) ask the offscreen platform for a keyboard grab it lacks.
pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard"),
]


def test_text_editor_respects_max_length_and_reports_changes(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = shown(qtbot, create_editor(FieldSpec("name", "名称", "text", max_length=5)))
    assert isinstance(editor, TextEditor)
    with qtbot.waitSignal(editor.value_changed):
        qtbot.keyClicks(editor.edit, "abcdefgh")
    assert editor.value() == "abcde"
    editor.set_value(None)
    assert editor.value() == ""


def test_multiline_keeps_line_breaks(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = shown(qtbot, create_editor(FieldSpec("remarks", "备注", "multiline")))
    qtbot.keyClicks(editor.focus_target(), "line one")
    qtbot.keyClick(editor.focus_target(), Qt.Key.Key_Return)
    qtbot.keyClicks(editor.focus_target(), "line two")
    assert editor.value() == "line one\nline two"


def test_integer_editor_admits_digits_only_and_empty(qtbot) -> None:  # type: ignore[no-untyped-def]
    spec = FieldSpec("people", "服务人口", "integer", min=0, unit="人")
    editor = shown(qtbot, create_editor(spec))
    assert isinstance(editor, NumberEditor)
    qtbot.keyClicks(editor.edit, "12a-3")
    assert editor.value() == "123"
    assert coerce_value(spec, editor.value(), None) == 123
    editor.edit.clear()
    assert editor.value() == ""
    editor.set_value(4500)
    assert editor.edit.text() == "4500"


def test_decimal_editor_limits_places(qtbot) -> None:  # type: ignore[no-untyped-def]
    spec = FieldSpec("amount", "金额", "decimal", decimals=2, unit="万元")
    editor = shown(qtbot, create_editor(spec))
    qtbot.keyClicks(editor.edit, "-12.3456")
    assert editor.value() == "-12.34"
    assert coerce_value(spec, editor.value(), None) == -12.34
    editor.set_value(3.0)
    assert editor.value() == "3"


def test_date_editor_starts_empty_types_digits_and_clears(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = shown(qtbot, create_editor(FieldSpec("day", "日期", "date")))
    assert isinstance(editor, DateEditor)
    assert editor.value() is None
    assert editor.edit.text() == "未填"
    editor.edit.setFocus()
    qtbot.keyClicks(editor.edit, "20240506")
    assert editor.value() == "2024-05-06"
    qtbot.mouseClick(editor.clear_button, Qt.MouseButton.LeftButton)
    assert editor.value() is None
    editor.set_value("2023-12-31")
    assert editor.edit.date() == QDate(2023, 12, 31)


def test_empty_date_opens_the_calendar_on_this_month(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = shown(qtbot, create_editor(FieldSpec("day", "日期", "date")))
    arrow = QPoint(editor.edit.width() - 6, editor.edit.height() // 2)
    qtbot.mouseClick(editor.edit, Qt.MouseButton.LeftButton, pos=arrow)
    calendar = editor.edit.calendarWidget()
    qtbot.waitUntil(calendar.isVisible)
    today = QDate.currentDate()
    assert (calendar.yearShown(), calendar.monthShown()) == (today.year(), today.month())
    assert editor.value() is None  # looking at the calendar fills in nothing
    calendar.window().hide()


def test_datetime_editor_round_trip(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = shown(qtbot, create_editor(FieldSpec("at", "时间", "datetime")))
    editor.set_value("2024-05-06T09:30")
    assert editor.value() == "2024-05-06T09:30"
    editor.set_value(None)
    assert editor.value() is None


def test_boolean_editor_has_three_states(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = shown(qtbot, create_editor(FieldSpec("scale", "是否规模场", "boolean")))
    assert isinstance(editor, BooleanEditor)
    assert editor.value() is None
    editor.combo.setFocus()
    qtbot.keyClick(editor.combo, Qt.Key.Key_Down)
    assert editor.value() is True
    qtbot.keyClick(editor.combo, Qt.Key.Key_Down)
    assert editor.value() is False
    editor.set_value(None)
    assert editor.combo.currentText() == "未填"


def test_choice_editor_types_label_or_synonym(qtbot) -> None:  # type: ignore[no-untyped-def]
    spec = FieldSpec(
        "kind", "类型", "choice", choices=("饮用水水源地", "排污单位"),
        choice_synonyms={"水源地": "饮用水水源地"},
    )  # fmt: skip
    editor = shown(qtbot, create_editor(spec))
    assert isinstance(editor, ChoiceEditor)
    assert editor.value() == ""
    type_chinese(editor.combo.lineEdit(), "排污单位")
    assert editor.value() == "排污单位"
    editor.set_value("水源地")  # as an import might have typed it
    assert editor.condition_value() == "饮用水水源地"
    editor.set_value("饮用水水源地")
    assert editor.combo.currentIndex() == 1


def test_choice_completer_searches_inside_labels(qtbot) -> None:  # type: ignore[no-untyped-def]
    spec = FieldSpec("level", "级别", "choice", choices=("一级保护区", "二级保护区", "准保护区"))
    editor = shown(qtbot, create_editor(spec))
    completer = editor.combo.completer()
    completer.setCompletionPrefix("二级")
    assert completer.completionCount() == 1
    assert completer.currentCompletion() == "二级保护区"


def test_multi_choice_by_check_boxes(qtbot) -> None:  # type: ignore[no-untyped-def]
    spec = FieldSpec("ways", "方式", "multi_choice", choices=("现场", "电话", "微信", "广播"))
    editor = shown(qtbot, create_editor(spec))
    assert isinstance(editor, MultiChoiceEditor)
    qtbot.mouseClick(editor.boxes[2], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(editor.boxes[0], Qt.MouseButton.LeftButton)
    assert editor.value() == ["现场", "微信"]
    editor.set_value(["广播"])
    assert editor.value() == ["广播"]


def test_site_editor_lists_sites_of_its_types(qtbot, records: RecordService) -> None:  # type: ignore[no-untyped-def]
    water = records.create(
        "site", {"site_type": "饮用水水源地", "name": "龙河水库", "village": "一村"}
    )
    records.create("site", {"site_type": "排污单位", "name": "造纸厂", "village": "二村"})
    gone = records.create(
        "site", {"site_type": "饮用水水源地", "name": "旧水井", "village": "一村"}
    )
    records.delete(gone.id)
    spec = FieldSpec("site", "监管对象", "site", site_types=("饮用水水源地",))
    editor = shown(qtbot, create_editor(spec, records))
    assert isinstance(editor, SiteEditor)
    assert [editor.combo.itemText(i) for i in range(editor.combo.count())] == ["", "龙河水库"]
    type_chinese(editor.combo.lineEdit(), "龙河水库")
    assert editor.value() == water.id
    editor.set_value(gone.id)  # a record still pointing at a deleted site shows its name
    assert "旧水井" in editor.combo.currentText()
    assert editor.value() == gone.id


def test_repeat_editor_adds_and_removes_rows(qtbot) -> None:  # type: ignore[no-untyped-def]
    spec = FieldSpec(
        "progress", "整改进展", "repeat",
        fields=(FieldSpec("day", "日期", "date", required=True), FieldSpec("note", "情况", "text")),
    )  # fmt: skip
    editor = shown(qtbot, create_editor(spec))
    assert isinstance(editor, RepeatEditor)
    assert editor.value() is None
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    assert editor.table.rowCount() == 2
    assert editor.value() is None  # untouched rows are no rows
    note = editor.table.cellWidget(0, 1)
    qtbot.keyClicks(note.focus_target(), "done")
    editor.table.cellWidget(0, 0).set_value("2024-05-06")
    assert editor.value() == [{"day": "2024-05-06", "note": "done"}]
    editor.table.setCurrentCell(1, 0)
    qtbot.mouseClick(editor.remove_button, Qt.MouseButton.LeftButton)
    assert editor.table.rowCount() == 1
    editor.set_value([{"note": "a"}, {"note": "b"}])
    assert editor.value() == [{"note": "a"}, {"note": "b"}]


def test_computed_and_readonly_fields_are_display_only(qtbot) -> None:  # type: ignore[no-untyped-def]
    spec = FieldSpec("total", "合计", "integer", readonly=True, computed={"sum": ["a", "b"]})
    editor = shown(qtbot, create_editor(spec))
    assert isinstance(editor, ReadOnlyEditor)
    assert editor.edit.isReadOnly()
    editor.set_value(7)
    assert editor.edit.text() == "7"


def test_required_label_and_help(qtbot) -> None:  # type: ignore[no-untyped-def]
    spec = FieldSpec("name", "名称", "text", required=True, help="填写全称")
    assert label_html(spec).startswith("名称") and "*" in label_html(spec)
    assert "*" not in label_html(FieldSpec("x", "地址", "text"))
    editor = shown(qtbot, create_editor(spec))
    assert editor.focus_target().toolTip() == "填写全称"
