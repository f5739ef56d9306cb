"""The work-record forms in the real editor and main window: inspections of each type,
生成整改任务 and the two-way link, the task's lifecycle rules, the site picker that
follows the inspection type, dependent defaults, computed deadlines, 复制上一条,
remembered names and tab order. Typed like a clerk, against a real SQLite file."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QMessageBox, QWidget

from gongkai_desktop.data.repository import RecordQuery
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.ui.fields import FieldEditor
from gongkai_desktop.ui.fields.widgets import NameCompleter, RecordLinkEditor
from gongkai_desktop.ui.main_window import MainWindow
from gongkai_desktop.ui.records.editor import RecordEditor
from gongkai_desktop.ui.records.record_list import RecordListPage

from .gui_helpers import Answer, type_chinese

pytestmark = [
    pytest.mark.gui,
    # completer popups ask the offscreen platform for a keyboard grab it lacks
    pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard"),
]

SAVE = QMessageBox.StandardButton.Save
YES = QMessageBox.StandardButton.Yes
NO = QMessageBox.StandardButton.No

# Each inspection type and the section of its own fields (from forms/inspection.yaml).
TYPE_SECTIONS: dict[str, str | None] = {
    "饮用水水源地巡查": "饮用水水源地",
    "排污单位环境安全检查": "排污单位",
    "畜禽养殖场巡查": "畜禽养殖场",
    "河湖巡查（河长制）": "河湖巡查（河长制）",
    "秸秆禁烧巡查": "秸秆禁烧",
    "辐射安全检查": "辐射安全",
    "其他（马路办公等）": None,
}
COMMON_SECTIONS = ("基本情况", "发现问题与处理", "照片与备注")
# a field of each type's own section: (key, what the clerk types, what is stored)
OWN_FIELD: dict[str, tuple[str, str, str]] = {
    "饮用水水源地巡查": ("protection_zone", "一级保护区", "一级保护区"),
    "排污单位环境安全检查": ("enterprise_rep", "陈志强", "陈志强"),
    "畜禽养殖场巡查": ("manure_facility", "正常", "正常运行"),  # a synonym
    "河湖巡查（河长制）": ("river_section", "南广河场镇段", "南广河场镇段"),
    "秸秆禁烧巡查": ("burn_area_patrolled", "长岭村一组农田", "长岭村一组农田"),
    "辐射安全检查": ("radiation_device", "DR数字X射线机", "DR数字X射线机"),
}

SITES = (
    ("饮用水水源地", "龙河水库", "龙河村"),
    ("饮用水水源地", "白岩沟取水口", "白岩村"),
    ("排污单位", "红星纸业", "工业园社区"),
    ("畜禽养殖场", "兴旺养殖场", "长岭村"),
    ("医疗机构（辐射）", "镇卫生院", "场镇社区"),
)


# ---- helpers --------------------------------------------------------------------------


def type_into(editor: RecordEditor, key: str, text: str) -> None:
    target = editor.editors[key].focus_target()
    if isinstance(target, QComboBox):
        type_chinese(target.lineEdit(), text)
        # the clerk moves on: the completion popup closes as focus leaves the combo
        target.completer().popup().hide()
    else:
        type_chinese(target, text)


def retype(editor: RecordEditor, key: str, text: str) -> None:
    """Replace what a text or choice field holds, as select-all and typing does."""
    target = editor.editors[key].focus_target()
    line = target.lineEdit() if isinstance(target, QComboBox) else target
    assert isinstance(line, QLineEdit)
    line.selectAll()
    line.del_()
    type_into(editor, key, text)


def type_date(qtbot, editor: RecordEditor, key: str, day: date) -> None:  # type: ignore[no-untyped-def]
    """Type a date's digits into an empty date field (the first digit fills in today)."""
    target = editor.editors[key].focus_target()
    assert editor.editors[key].value() is None
    target.setFocus()
    qtbot.keyClicks(target, day.strftime("%Y%m%d"))
    assert editor.editors[key].value() == day.isoformat()


def choose_yes_no(editor: RecordEditor, key: str, yes: bool) -> None:
    combo = editor.editors[key].focus_target()
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findText("是" if yes else "否"))


def ctrl_s(qtbot, editor: RecordEditor) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(
        editor.focusWidget() or editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
    )


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def activate(qtbot, editor: RecordEditor) -> RecordEditor:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(editor.isVisible)
    editor.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor)
    return editor


def open_editor(qtbot, records: RecordService, form_id: str, record_id: str | None = None):  # type: ignore[no-untyped-def]
    editor = RecordEditor(records, form_id, record_id)
    # closed at teardown without the "unsaved changes?" question (a modal box would hang)
    qtbot.addWidget(editor, before_close_func=lambda dialog: dialog.done(0))
    editor.show()
    return activate(qtbot, editor)


def child_of(qtbot, editor: RecordEditor) -> RecordEditor:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: editor.child_editor is not None and editor.child_editor.isVisible())
    child = editor.child_editor
    assert child is not None
    return activate(qtbot, child)


def shown_sections(editor: RecordEditor) -> set[str]:
    return {section.title for section, box, _layout in editor.groups if not box.isHidden()}


def offered_sites(editor: RecordEditor, key: str = "site") -> list[str]:
    combo = editor.editors[key].focus_target()
    assert isinstance(combo, QComboBox)
    return [combo.itemText(i) for i in range(1, combo.count())]  # 0 is the empty choice


@pytest.fixture
def sites(records: RecordService) -> dict[str, str]:
    """Site name → id."""
    return {
        name: records.create("site", {"site_type": kind, "name": name, "village": village}).id
        for kind, name, village in SITES
    }


@pytest.fixture
def window(qtbot, ctx) -> MainWindow:  # type: ignore[no-untyped-def]
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def main_editor(qtbot, window: MainWindow) -> RecordEditor:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: window.editor is not None and window.editor.isVisible())
    assert window.editor is not None
    return activate(qtbot, window.editor)


def make_task(records: RecordService, **values: object) -> str:
    base = {
        "source": "12369",
        "assigned_date": "2024-05-06",
        "description": "夜间噪声扰民",
        "deadline": "2024-06-30",
        "status": "正在办理",
    }
    return records.create("rectification_task", {**base, **values}).id


# ---- inspection types -----------------------------------------------------------------
@pytest.mark.parametrize("inspection_type", list(TYPE_SECTIONS))
def test_each_inspection_type_shows_only_its_own_section(qtbot, records, inspection_type) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(qtbot, records, "inspection")
    type_sections = {s for s in TYPE_SECTIONS.values() if s is not None}
    assert shown_sections(editor) == set(COMMON_SECTIONS)  # no type chosen yet
    type_into(editor, "inspection_type", inspection_type)
    own = TYPE_SECTIONS[inspection_type]
    assert shown_sections(editor) == set(COMMON_SECTIONS) | ({own} if own else set())
    assert not shown_sections(editor) & (type_sections - {own})

    type_into(editor, "inspectors", "张三")
    if own is not None:
        key, typed, _stored = OWN_FIELD[inspection_type]
        assert editor.is_field_shown(key)
        type_into(editor, key, typed)
    with qtbot.waitSignal(editor.record_saved) as saved:
        ctrl_s(qtbot, editor)
    values = records.get(saved.args[0]).values
    assert values["inspection_type"] == inspection_type
    assert values["inspection_date"] == date.today().isoformat()  # dates default to today
    if own is not None:
        key, _typed, stored = OWN_FIELD[inspection_type]
        assert values[key] == stored


def test_changing_the_type_swaps_the_section_and_drops_the_old_fields(qtbot, records) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(qtbot, records, "inspection")
    type_into(editor, "inspection_type", "饮用水水源地巡查")
    type_into(editor, "protection_zone", "一级保护区")
    retype(editor, "inspection_type", "秸秆禁烧巡查")
    assert "饮用水水源地" not in shown_sections(editor)
    assert "秸秆禁烧" in shown_sections(editor)
    type_into(editor, "inspectors", "张三")
    qtbot.keyClicks(editor.editors["fire_points"].focus_target(), "3")
    with qtbot.waitSignal(editor.record_saved) as saved:
        ctrl_s(qtbot, editor)
    values = records.get(saved.args[0]).values
    assert values["fire_points"] == 3
    assert "protection_zone" not in values  # a hidden section's value is not kept


def test_volunteer_results_only_for_volunteer_activities(qtbot, records) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(qtbot, records, "outreach_event")
    assert "志愿服务成果" not in shown_sections(editor)
    type_into(editor, "event_type", "六五环境日")
    assert "志愿服务成果" not in shown_sections(editor)
    retype(editor, "event_type", "志愿服务")  # a synonym of 志愿者活动
    assert "志愿服务成果" in shown_sections(editor)
    type_into(editor, "name", "守护母亲河清河行动")
    qtbot.keyClicks(editor.editors["garbage_bags"].focus_target(), "46")
    with qtbot.waitSignal(editor.record_saved) as saved:
        ctrl_s(qtbot, editor)
    values = records.get(saved.args[0]).values
    assert values["event_type"] == "志愿者活动"
    assert values["garbage_bags"] == 46


# ---- site picker, dependent defaults, computed fields ---------------------------------
def test_site_picker_offers_the_sites_the_inspection_type_allows(qtbot, records, sites) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(qtbot, records, "inspection")
    assert len(offered_sites(editor)) == len(SITES)  # no type yet: every site, with its kind
    assert "龙河水库（饮用水水源地）" in offered_sites(editor)

    type_into(editor, "inspection_type", "饮用水水源地巡查")
    assert sorted(offered_sites(editor)) == sorted(["龙河水库", "白岩沟取水口"])
    completer = editor.editors["site"].focus_target().completer()
    completer.setCompletionPrefix("龙河")  # type-to-search stays
    assert completer.completionCount() == 1
    assert completer.currentCompletion() == "龙河水库"
    type_into(editor, "site", "龙河水库")
    assert editor.editors["site"].value() == sites["龙河水库"]

    # 秸秆禁烧 may be anywhere: every site again, and the choice stays
    retype(editor, "inspection_type", "秸秆禁烧巡查")
    assert len(offered_sites(editor)) == len(SITES)
    assert editor.editors["site"].value() == sites["龙河水库"]

    # a type the chosen site does not fit: the site stays (marked), saving says why
    retype(editor, "inspection_type", "排污单位环境安全检查")
    assert offered_sites(editor)[0] == "红星纸业"
    assert editor.editors["site"].value() == sites["龙河水库"]
    assert "不可选" in editor.editors["site"].focus_target().currentText()
    type_into(editor, "inspectors", "张三")
    ctrl_s(qtbot, editor)
    assert "不是排污单位类的监管对象" in editor.field_error("site")
    assert records.count(RecordQuery(form_id="inspection")) == 0
    retype(editor, "site", "红星纸业")
    with qtbot.waitSignal(editor.record_saved) as saved:
        ctrl_s(qtbot, editor)
    assert records.get(saved.args[0]).values["site"] == sites["红星纸业"]


def test_a_type_without_sites_says_so_in_the_picker(qtbot, records, sites) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(qtbot, records, "inspection")
    type_into(editor, "inspection_type", "河湖巡查（河长制）")
    assert offered_sites(editor) == []
    placeholder = editor.editors["site"].focus_target().lineEdit().placeholderText()
    assert "尚无河段/河湖类监管对象" in placeholder


def test_patrol_defaults_follow_the_site_type_until_the_clerk_changes_them(qtbot, records) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(qtbot, records, "site")
    times, period = editor.editors["patrol_times"], editor.editors["patrol_period"]
    assert (times.value(), period.value()) == ("", "每月")
    type_into(editor, "site_type", "饮用水水源地")
    assert (times.value(), period.value()) == ("2", "每月")
    retype(editor, "site_type", "医疗机构（辐射）")
    assert (times.value(), period.value()) == ("1", "每季度")
    retype(editor, "site_type", "其他")  # no mapped default: back to the plain ones
    assert (times.value(), period.value()) == ("", "每月")
    retype(editor, "site_type", "诊所")  # a synonym of 医疗机构（辐射）
    assert (times.value(), period.value()) == ("1", "每季度")

    # the clerk's own number stays when the type changes; the untouched period follows
    retype(editor, "patrol_times", "4")
    retype(editor, "site_type", "饮用水水源地")
    assert (times.value(), period.value()) == ("4", "每月")
    type_into(editor, "name", "龙河水库")
    type_into(editor, "village", "龙河村")
    with qtbot.waitSignal(editor.record_saved) as saved:
        ctrl_s(qtbot, editor)
    water = saved.args[0]
    assert records.get(water).values["patrol_times"] == 4

    # reopened: a value other than the type's default is the clerk's, and stays
    again = open_editor(qtbot, records, "site", water)
    retype(again, "site_type", "排污单位")
    assert again.editors["patrol_times"].value() == "4"
    # while one that holds its type's default follows a new type
    plant = records.create("site", {"site_type": "排污单位", "name": "纸厂", "village": "二村"})
    assert plant.values["patrol_times"] == 1
    third = open_editor(qtbot, records, "site", plant.id)
    retype(third, "site_type", "饮用水水源地")
    assert third.editors["patrol_times"].value() == "2"


def test_deadline_in_force_shows_the_extension_as_it_is_typed(qtbot, records) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(qtbot, records, "rectification_task")
    in_force = editor.editors["deadline_in_force"].focus_target()
    assert in_force.text() == ""
    type_date(qtbot, editor, "deadline", date(2024, 6, 30))
    assert in_force.text() == "2024年6月30日"
    type_date(qtbot, editor, "extended_deadline", date(2024, 8, 31))
    assert in_force.text() == "2024年8月31日"
    # an extension needs its approver and date: they appear with it
    assert editor.is_field_shown("extension_approver")
    click(qtbot, editor.editors["extended_deadline"].clear_button)  # type: ignore[attr-defined]
    assert in_force.text() == "2024年6月30日"
    assert not editor.is_field_shown("extension_approver")


# ---- 生成整改任务 and the two-way link ---------------------------------------------------
def test_inspection_with_a_problem_makes_a_task_that_links_back(  # type: ignore[no-untyped-def]
    qtbot, window, records, sites, monkeypatch
) -> None:
    asked = Answer(SAVE)
    monkeypatch.setattr(QMessageBox, "question", asked)
    page = window.show_module("巡查检查")
    click(qtbot, page.new_button)
    editor = main_editor(qtbot, window)
    action = editor.action_buttons["make_task"]
    assert action.text() == "生成整改任务"
    assert not action.isVisible()  # no problem found (yet)
    assert editor.editors["rectification_task"].focus_target().text() == "（无）"
    type_into(editor, "inspection_type", "饮用水水源地巡查")
    type_into(editor, "site", "龙河水库")
    type_into(editor, "village", "龙河村")
    type_into(editor, "inspectors", "张三、李四")
    choose_yes_no(editor, "problem_found", True)
    assert action.isVisible() and action.isEnabled()
    type_into(editor, "problem_description", "一级保护区内有人垂钓")

    # the new inspection is saved first (the clerk is asked), then the task opens
    click(qtbot, action)
    assert len(asked.texts) == 1 and "先保存" in asked.texts[0]
    inspection_id = editor.record_id
    assert inspection_id is not None
    inspection = records.get(inspection_id)
    task_editor = child_of(qtbot, editor)
    assert task_editor.form.id == "rectification_task"
    assert task_editor.record_id is None
    raw = task_editor.raw_values()
    assert raw["source"] == "日常巡查发现"
    assert raw["site"] == sites["龙河水库"]
    assert raw["village"] == "龙河村"
    assert raw["description"] == "一级保护区内有人垂钓"
    assert raw["assigned_date"] == inspection.values["inspection_date"]
    source_link = task_editor.editors["source_inspection"]
    assert isinstance(source_link, RecordLinkEditor)
    assert source_link.title_edit.text() == inspection.title == "饮用水水源地巡查 龙河水库"
    assert not source_link.open_button.isEnabled()  # it is the window beneath
    assert not task_editor.save_new_button.isVisible()
    assert not task_editor.copy_previous_button.isVisible()
    assert task_editor.editors["deadline"].focus_target().hasFocus()  # what is missing
    assert task_editor.is_dirty()  # closing it would ask before the pre-fill is lost

    type_date(qtbot, task_editor, "deadline", date.today() + timedelta(days=30))
    ctrl_s(qtbot, task_editor)
    qtbot.waitUntil(lambda: editor.child_editor is None)

    # both records point at each other, and the inspection's editor shows the task
    [task] = records.views(RecordQuery(form_id="rectification_task"), 10)
    assert task.values["source_inspection"] == inspection_id
    assert records.get(inspection_id).values["rectification_task"] == task.id
    assert task.values["task_no"] == f"ZG{date.today().year}-001"
    task_link = editor.editors["rectification_task"]
    assert isinstance(task_link, RecordLinkEditor)
    assert task_link.title_edit.text() == task.title
    assert task_link.open_button.isEnabled()
    assert not action.isEnabled()  # made already: not a second task by accident
    assert window.list_page("rectification_task").model.total_count == 1

    # 打开 on the link shows the task, whose own link leads back to the inspection
    click(qtbot, task_link.open_button)
    opened = child_of(qtbot, editor)
    assert opened.record_id == task.id
    back = opened.editors["source_inspection"]
    assert isinstance(back, RecordLinkEditor)
    assert back.title_edit.text() == inspection.title
    assert not back.open_button.isEnabled()
    opened.reject()  # nothing changed: closes without asking
    qtbot.waitUntil(lambda: editor.child_editor is None)

    # the link moved the inspection's version on; its editor still saves
    activate(qtbot, editor)
    type_into(editor, "remarks", "已通知村委会")
    ctrl_s(qtbot, editor)
    qtbot.waitUntil(lambda: window.editor is None)
    after = records.get(inspection_id)
    assert after.values["remarks"] == "已通知村委会"
    assert after.values["rectification_task"] == task.id
    assert len(asked.texts) == 1


def test_a_saved_inspection_with_unsaved_changes_is_saved_before_the_task(  # type: ignore[no-untyped-def]
    qtbot, records, sites, monkeypatch
) -> None:
    made = records.create(
        "inspection",
        {
            "inspection_type": "排污单位环境安全检查",
            "site": sites["红星纸业"],
            "inspectors": "王五",
            "problem_found": False,
        },
    )
    editor = open_editor(qtbot, records, "inspection", made.id)
    action = editor.action_buttons["make_task"]
    assert not action.isVisible()
    choose_yes_no(editor, "problem_found", True)
    assert action.isVisible()
    asked = Answer(QMessageBox.StandardButton.Cancel)
    monkeypatch.setattr(QMessageBox, "question", asked)
    click(qtbot, action)  # a problem without its description: not saved, no task
    assert len(asked.texts) == 1
    assert editor.child_editor is None
    asked.answer = SAVE
    click(qtbot, action)
    assert editor.field_error("problem_description") == "发现问题时必须写明问题情况"
    assert editor.child_editor is None
    assert records.get(made.id).version == made.version
    type_into(editor, "problem_description", "危废间无防渗")
    click(qtbot, action)
    task_editor = child_of(qtbot, editor)
    assert records.get(made.id).values["problem_found"] is True
    assert task_editor.raw_values()["description"] == "危废间无防渗"
    task_editor.done(0)


# ---- the task's lifecycle rules, shown at their fields --------------------------------
def test_a_task_is_not_completed_without_its_completion_date(qtbot, records) -> None:  # type: ignore[no-untyped-def]
    task_id = make_task(records)
    before = records.get(task_id)
    editor = open_editor(qtbot, records, "rectification_task", task_id)
    retype(editor, "status", "已办结")
    ctrl_s(qtbot, editor)
    assert editor.field_error("completed_date") == "状态为“已办结”时必须填写办结日期"
    assert editor.cells["completed_date"].error_label.isVisible()
    assert editor.banner.isVisible()
    assert editor.isVisible()
    assert records.get(task_id).version == before.version  # nothing saved
    type_date(qtbot, editor, "completed_date", date(2024, 6, 20))
    assert editor.field_error("completed_date") == ""
    ctrl_s(qtbot, editor)
    qtbot.waitUntil(lambda: not editor.isVisible())
    after = records.get(task_id).values
    assert (after["status"], after["completed_date"]) == ("已办结", "2024-06-20")


def test_a_task_is_written_off_only_when_completed_and_accepted(qtbot, records) -> None:  # type: ignore[no-untyped-def]
    task_id = make_task(records)
    before = records.get(task_id)
    message = "只有“已办结”且验收合格的任务才能销号，请先填写办结日期和验收情况"
    editor = open_editor(qtbot, records, "rectification_task", task_id)
    type_date(qtbot, editor, "written_off_date", date(2024, 7, 1))
    ctrl_s(qtbot, editor)
    assert editor.field_error("written_off_date") == message
    assert editor.cells["written_off_date"].error_label.isVisible()
    # the long form scrolled down to the message
    assert editor.scroll_area.verticalScrollBar().value() > 0
    assert not editor.cells["written_off_date"].visibleRegion().isEmpty()

    # completed, but not accepted yet
    retype(editor, "status", "已办结")
    type_date(qtbot, editor, "completed_date", date(2024, 6, 20))
    ctrl_s(qtbot, editor)
    assert editor.field_error("written_off_date") == message
    assert editor.field_error("completed_date") == ""

    # accepted, but failed
    type_date(qtbot, editor, "acceptance_date", date(2024, 6, 25))
    type_into(editor, "acceptance_result", "不合格")
    ctrl_s(qtbot, editor)
    assert editor.field_error("written_off_date") == message
    assert records.get(task_id).version == before.version  # nothing saved all along

    retype(editor, "acceptance_result", "合格")
    ctrl_s(qtbot, editor)
    qtbot.waitUntil(lambda: not editor.isVisible())
    after = records.get(task_id).values
    assert after["written_off_date"] == "2024-07-01"
    assert after["acceptance_result"] == "合格"


# ---- each new form through the main window ---------------------------------------------
# form id → (module, fields typed into a new record, a listed field, its first and second text)
NEW_RECORDS = {
    "inspection": (
        "巡查检查",
        {"inspection_type": "秸秆禁烧巡查", "inspectors": "张三"},
        "village",
        "长岭村",
        "白岩村",
    ),
    "outreach_event": (
        "宣传活动",
        {"name": "六五环境日宣传", "event_type": "六五环境日"},
        "place",
        "场镇广场",
        "龙河村文化院坝",
    ),
    "rectification_task": (
        "整改任务",
        {"source": "12369", "description": "夜间噪声扰民"},
        "problem_type",
        "噪声",
        "大气",
    ),
}


def cell_texts(page: RecordListPage) -> list[str]:
    model = page.model
    return [
        " ".join(model.data(model.index(r, c)) or "" for c in range(model.columnCount()))
        for r in range(model.rowCount())
    ]


@pytest.mark.parametrize("form_id", list(NEW_RECORDS))
def test_create_edit_delete_restore_in_the_main_window(  # type: ignore[no-untyped-def]
    qtbot, window, records, monkeypatch, form_id
) -> None:
    module, typed, listed, first, second = NEW_RECORDS[form_id]
    page = window.show_module(module)
    assert page is window.list_page(form_id)

    click(qtbot, page.new_button)
    editor = main_editor(qtbot, window)
    for key, text in typed.items():
        type_into(editor, key, text)
    type_into(editor, listed, first)
    if form_id == "rectification_task":
        type_date(qtbot, editor, "deadline", date.today() + timedelta(days=30))
    ctrl_s(qtbot, editor)
    qtbot.waitUntil(lambda: window.editor is None)
    assert page.model.total_count == 1
    assert any(first in row for row in cell_texts(page))
    record_id = page.current_record_id()
    assert record_id is not None

    click(qtbot, page.edit_button)
    editor = main_editor(qtbot, window)
    assert editor.record_id == record_id
    retype(editor, listed, second)
    ctrl_s(qtbot, editor)
    qtbot.waitUntil(lambda: window.editor is None)
    assert any(second in row for row in cell_texts(page))
    assert records.get(record_id).values[listed] == second
    assert records.get(record_id).version == 2

    monkeypatch.setattr(QMessageBox, "question", Answer(YES))
    page.select_record(record_id)
    click(qtbot, page.delete_button)
    assert page.model.total_count == 0
    assert records.get(record_id).deleted
    window.show_module("回收站")
    assert window.recycle_bin.select_record(record_id)
    click(qtbot, window.recycle_bin.restore_button)
    assert not records.get(record_id).deleted
    assert page.model.total_count == 1


# ---- entry comfort --------------------------------------------------------------------
def test_copy_previous_fills_a_new_inspection_from_the_last_one(  # type: ignore[no-untyped-def]
    qtbot, records, sites, monkeypatch
) -> None:
    first = open_editor(qtbot, records, "inspection")
    assert first.copy_previous_button.isVisible()
    assert not first.copy_previous_button.isEnabled()  # nothing to copy yet
    first.done(0)
    previous = records.create(
        "inspection",
        {
            "inspection_date": "2024-05-06",
            "inspection_type": "饮用水水源地巡查",
            "site": sites["龙河水库"],
            "village": "龙河村",
            "inspectors": "张三、李四",
            "inspector_count": 2,
            "protection_zone": "一级保护区",
            "problem_found": False,
        },
    )
    assert not open_editor(
        qtbot, records, "inspection", previous.id
    ).copy_previous_button.isVisible()

    editor = open_editor(qtbot, records, "inspection")
    type_into(editor, "remarks", "先写的备注")
    asked = Answer(NO)
    monkeypatch.setattr(QMessageBox, "question", asked)
    click(qtbot, editor.copy_previous_button)  # would replace what was typed: asks
    assert len(asked.texts) == 1
    assert editor.raw_values()["remarks"] == "先写的备注"
    assert editor.raw_values()["inspectors"] is None
    asked.answer = YES
    click(qtbot, editor.copy_previous_button)
    raw = editor.raw_values()
    assert raw["inspection_date"] == date.today().isoformat()  # not the copied day
    assert raw["inspection_type"] == "饮用水水源地巡查"
    assert raw["site"] == sites["龙河水库"]
    assert raw["inspectors"] == "张三、李四"
    assert raw["inspector_count"] == "2"
    assert raw["protection_zone"] == "一级保护区"
    assert raw["remarks"] is None
    assert "饮用水水源地" in shown_sections(editor)
    assert editor.is_dirty()
    with qtbot.waitSignal(editor.record_saved) as saved:
        ctrl_s(qtbot, editor)
    copy = records.get(saved.args[0])
    assert copy.id != previous.id
    assert copy.values["inspection_date"] == date.today().isoformat()
    assert copy.values["site"] == sites["龙河水库"]


def test_inspector_names_complete_after_the_last_separator(qtbot, records) -> None:  # type: ignore[no-untyped-def]
    for names in ("张三、李四", "王五"):
        records.create("inspection", {"inspection_type": "秸秆禁烧巡查", "inspectors": names})
    editor = open_editor(qtbot, records, "inspection")
    line = editor.editors["inspectors"].focus_target()
    assert isinstance(line, QLineEdit)
    completer = line.completer()
    assert isinstance(completer, NameCompleter)
    type_chinese(line, "张三、李")
    qtbot.waitUntil(completer.popup().isVisible)
    assert completer.completionCount() == 1  # 李四 only, not 张三 or 王五
    assert completer.currentCompletion() == "张三、李四"
    popup = completer.popup()
    popup.setCurrentIndex(completer.completionModel().index(0, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert line.text() == "张三、李四"

    # a name saved with 保存并新建 is offered in the next record at once
    type_into(editor, "inspection_type", "秸秆禁烧巡查")
    line.setText("赵六")
    click(qtbot, editor.save_new_button)
    line = editor.editors["inspectors"].focus_target()
    completer = line.completer()
    completer.setCompletionPrefix("赵")
    assert completer.currentCompletion() == "赵六"


def test_tab_moves_through_the_fields_in_form_order(qtbot, records) -> None:  # type: ignore[no-untyped-def]
    editor = open_editor(qtbot, records, "inspection")
    type_into(editor, "inspection_type", "饮用水水源地巡查")
    editor.editors["inspection_date"].focus_target().setFocus()
    visited: list[str] = []
    for _ in range(200):
        widget = QApplication.focusWidget()
        owner = widget
        while owner is not None and not isinstance(owner, FieldEditor):
            owner = owner.parentWidget()
        if not isinstance(owner, FieldEditor) or owner.parentWidget() is None:
            break  # out of the form: the buttons at the bottom
        if not visited or visited[-1] != owner.spec.key:
            visited.append(owner.spec.key)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)

    def takes_tab(field: FieldEditor) -> bool:  # a display-only widget is no tab stop
        widgets = [field, *field.findChildren(QWidget)]
        return any(w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.isEnabled() for w in widgets)

    shown = [
        f.key
        for f in editor.form.fields
        if editor.is_field_shown(f.key) and takes_tab(editor.editors[f.key])
    ]
    assert "protection_zone" in shown and "remarks" in shown
    assert visited == shown
