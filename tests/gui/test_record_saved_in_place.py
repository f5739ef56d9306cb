"""A save, delete or restore changes its own row in place: the list is not read again,
the other rows stay the same objects, and paging on afterwards shows no row twice."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication

from gongkai_desktop.data.repository import RecordQuery
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.ui.main_window import MainWindow
from gongkai_desktop.ui.records.record_model import RecordTableModel

from .gui_helpers import type_chinese

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard"),
]

VILLAGES = ["龙河村", "东风社区", "白沙村"]


def _sites(records: RecordService, count: int) -> list[str]:
    return [
        records.create(
            "site",
            {"site_type": "排污单位", "name": f"厂{i:02d}", "village": VILLAGES[i % 3]},
        ).id
        for i in range(count)
    ]


def _resets(model: RecordTableModel) -> list[int]:
    seen: list[int] = []
    model.modelReset.connect(lambda: seen.append(1))
    return seen


def _load_all(model: RecordTableModel) -> list[str]:
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    return [model.record_id(r) for r in range(model.rowCount())]


def test_saving_in_the_editor_changes_only_that_row(qtbot, ctx, records) -> None:  # type: ignore[no-untyped-def]
    ids = _sites(records, 12)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    page = window.show_module("监管对象")
    model = page.model
    before = [model.list_row(r) for r in range(model.rowCount())]
    resets = _resets(model)
    bin_resets = _resets(window.recycle_bin.model)
    village_column = [label for _key, label in model.columns].index("所在村（社区）")
    at = 4
    record_id = model.record_id(at)

    assert page.select_record(record_id)
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.editor is not None and window.editor.isVisible())
    editor = window.editor
    assert editor is not None
    editor.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor)
    village = editor.editors["village"].focus_target()
    village.selectAll()
    type_chinese(village, "白岩村")
    qtbot.keyClick(
        editor.focusWidget() or editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
    )
    qtbot.waitUntil(lambda: window.editor is None)

    assert resets == [] and bin_resets == []  # neither list was read again
    assert model.rowCount() == len(before) == 12 and model.total_count == 12
    after = [model.list_row(r) for r in range(model.rowCount())]
    assert all(after[r] is before[r] for r in range(12) if r != at)
    assert after[at].id == record_id and after[at].version == 2
    assert model.index(at, village_column).data() == "白岩村"
    assert page.current_record_id() == record_id
    assert records.get(record_id).values["village"] == "白岩村"
    assert set(ids) == {row.id for row in after}


def test_new_deleted_and_restored_records_come_and_go_in_place(ctx, records) -> None:  # type: ignore[no-untyped-def]
    ids = _sites(records, 23)
    live = RecordTableModel(records, RecordQuery(form_id="site"), page_size=5)
    binned = RecordTableModel(records, RecordQuery(deleted=True, sort_key="deleted_at"))
    resets = _resets(live) + _resets(binned)
    shown = [live.list_row(r) for r in range(live.rowCount())]

    new_id = records.create("site", {"site_type": "其他", "name": "新厂", "village": "龙河村"}).id
    live.record_changed(new_id)
    assert live.total_count == 24 and live.rowCount() == 6
    assert live.record_id(0) == new_id  # a new record goes on top
    assert [live.list_row(r) for r in range(1, 6)] == shown

    # a record far down the list, not loaded yet, edited (e.g. opened from the 工作台):
    # it comes in on top, where the list's order (最后修改) now puts it anyway
    far = ids[0]
    assert live.row_of(far) is None
    records.update(far, {"phone": "13800001111"})
    live.record_changed(far)
    assert live.total_count == 24 and live.rowCount() == 7 and live.record_id(0) == far

    gone = live.record_id(3)
    records.delete(gone)
    live.record_changed(gone)
    binned.record_changed(gone)
    assert live.total_count == 23 and live.rowCount() == 6 and live.row_of(gone) is None
    assert binned.total_count == 1 and binned.record_id(0) == gone

    records.restore(gone)
    live.record_changed(gone)
    binned.record_changed(gone)
    assert binned.total_count == 0 and binned.rowCount() == 0
    assert live.total_count == 24 and live.record_id(0) == gone
    assert resets == []

    # paging on after these changes shows every live record exactly once
    everything = _load_all(live)
    assert len(everything) == len(set(everything)) == live.total_count == 24
    assert set(everything) == {*ids, new_id}


def test_an_edit_that_leaves_the_filter_or_moves_in_the_order_is_not_shown_twice(
    ctx, records
) -> None:  # type: ignore[no-untyped-def]
    _sites(records, 20)
    by_village = RecordQuery(form_id="site", sort_key="village", descending=False)
    model = RecordTableModel(records, by_village, page_size=4)
    first = model.record_id(0)  # a 东风社区 site
    records.update(first, {"village": "龙河村"})  # now sorts after the rows not yet loaded
    model.record_changed(first)
    assert model.row_of(first) == 0 and model.total_count == 20
    everything = _load_all(model)
    assert len(everything) == len(set(everything)) == 20

    filtered = RecordTableModel(
        records, RecordQuery(form_id="site", filters=(("village", ("白沙村",)),)), page_size=50
    )
    assert filtered.total_count == 6
    leaving = filtered.record_id(2)
    records.update(leaving, {"village": "东风社区"})
    filtered.record_changed(leaving)
    assert filtered.total_count == 5 and filtered.rowCount() == 5
    assert filtered.row_of(leaving) is None


def test_a_search_is_read_in_the_background_and_the_last_one_wins(qtbot, ctx, records) -> None:  # type: ignore[no-untyped-def]
    _sites(records, 9)
    model = RecordTableModel(records, RecordQuery(form_id="site"))
    model.set_background_paging(True)
    searched = RecordQuery(form_id="site", search="白沙")
    model.set_query_in_background(searched)
    assert model.wanted_query == searched
    qtbot.waitUntil(lambda: model.query == searched)
    assert model.total_count == model.rowCount() == 3
    # a second query asked before the first arrives replaces it
    model.set_query_in_background(RecordQuery(form_id="site", search="龙河"))
    model.set_query_in_background(RecordQuery(form_id="site"))
    qtbot.waitUntil(lambda: not model.is_fetching)
    assert model.query == RecordQuery(form_id="site") and model.rowCount() == 9


def test_sorting_by_a_site_name_is_read_in_the_background(qtbot, ctx, records) -> None:  # type: ignore[no-untyped-def]
    names = ["乙厂", "甲厂", "丙厂"]
    site_ids = [
        records.create("site", {"site_type": "排污单位", "name": n, "village": "龙河村"}).id
        for n in names
    ]
    for i, site_id in enumerate(site_ids):
        records.create(
            "inspection",
            {
                "inspection_date": f"2024-05-0{i + 1}",
                "inspection_type": "排污单位环境安全检查",
                "site": site_id,
                "village": "龙河村",
                "inspectors": "张三",
            },
        )
    model = RecordTableModel(records, RecordQuery(form_id="inspection"))
    model.set_background_paging(True)
    column = [key for key, _label in model.columns].index("site:site")
    model.sort(column, Qt.SortOrder.AscendingOrder)
    assert model.wanted_query.sort_key == "site:site"
    qtbot.waitUntil(lambda: model.query.sort_key == "site:site")
    shown = [model.index(r, column).data() for r in range(model.rowCount())]
    assert shown == sorted(names)  # SQLite's order of the names: by code point
