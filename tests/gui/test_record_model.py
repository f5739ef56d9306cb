"""RecordTableModel: Qt model contract, lazy paging, SQL sorting, filters, 回收站 columns."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt

from gongkai_desktop import paths
from gongkai_desktop.data.repository import RecordQuery
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.startup import open_context
from gongkai_desktop.ui.records.record_model import RecordTableModel

pytestmark = pytest.mark.gui

# A small form with a date field and a site reference, which `site` itself lacks.
VISIT_FORM = """\
id: visit_log
title: 走访记录
version: 1
title_field: subject
date_field: visit_date
site_field: site
list_columns: [visit_date, site, subject, visitors]
sections:
  - title: 基本信息
    fields:
      - {key: visit_date, label: 走访日期, type: date, required: true}
      - {key: site, label: 监管对象, type: site, required: true}
      - {key: subject, label: 事项, type: text, required: true}
      - {key: visitors, label: 人数, type: integer}
"""

SITES = ["龙河水库", "东风养殖场", "白沙河段", "安康诊所"]


@pytest.fixture
def visit_service(tmp_path: Path) -> Iterator[RecordService]:
    forms = tmp_path / "forms"
    shutil.copytree(paths.forms_dir(), forms)
    (forms / "visit_log.yaml").write_text(VISIT_FORM, encoding="utf-8")
    context = open_context(tmp_path / "visits.db", forms_dir=forms, auto_backup=False)
    yield RecordService(context)
    context.close()


def _site(service: RecordService, name: str, village: str = "一村", **extra: Any) -> str:
    values = {"site_type": "其他", "name": name, "village": village, **extra}
    return service.create("site", values).id


def _all_ids(model: RecordTableModel) -> list[str]:
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    return [model.record_id(r) for r in range(model.rowCount())]


def _column(model: RecordTableModel, key: str) -> int:
    return [k for k, _label in model.columns].index(key)


@pytest.fixture
def visits(visit_service: RecordService) -> list[dict[str, Any]]:
    """Twelve visits: distinct visitor counts, three per site, dates across 2024."""
    site_ids = {name: _site(visit_service, name) for name in SITES}
    made = []
    for i in range(12):
        site = SITES[(i * 5) % 4]
        values = {
            "visit_date": date(2024, 1 + i, 10).isoformat(),
            "site": site_ids[site],
            "subject": ("秸秆禁烧宣传" if i % 3 == 0 else "例行巡查") + f"第{i}次",
            "visitors": (i * 7) % 13 + 1,  # 1..13, all different for i < 12
        }
        record = visit_service.create("visit_log", values)
        made.append({**values, "id": record.id, "site_name": site})
    return made


def test_model_contract_with_data(qtmodeltester, visit_service, visits) -> None:
    model = RecordTableModel(visit_service, RecordQuery(form_id="visit_log"), page_size=5)
    assert model.rowCount() == 5
    qtmodeltester.check(model)  # Qt's C++ QAbstractItemModelTester
    qtmodeltester.check(model, force_py=True)  # pytest-qt's, which also checks role types
    assert model.rowCount() == 12  # the testers fetched the remaining pages
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["走访日期", "监管对象", "事项", "人数", "最后修改"]


def test_site_list_contract_and_cells(qtmodeltester, records: RecordService) -> None:
    _site(records, "龙河水库", village="龙河村", responsible_person="张建国", phone="13800001111")
    model = RecordTableModel(records, RecordQuery(form_id="site"))
    qtmodeltester.check(model)
    cells = [model.index(0, c).data() for c in range(model.columnCount())]
    assert cells[:5] == ["其他", "龙河水库", "龙河村", "张建国", "13800001111"]


def test_pages_are_fetched_lazily(records: RecordService, monkeypatch) -> None:
    for i in range(45):
        _site(records, f"对象{i:02d}")
    asked: list[tuple[int, int, str | None]] = []
    real_page = records.page

    def spy(query: RecordQuery, offset: int, limit: int, after=None):  # type: ignore[no-untyped-def]
        asked.append((offset, limit, after[1] if after else None))
        return real_page(query, offset, limit, after=after)

    monkeypatch.setattr(records, "page", spy)
    model = RecordTableModel(records, RecordQuery(form_id="site"), page_size=20)
    assert model.total_count == 45
    assert model.rowCount() == 20
    assert asked == [(0, 20, None)]
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 40
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 45
    assert not model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())  # nothing more: no query
    # later pages continue after the last row shown (keyset), not from an OFFSET
    assert asked == [(0, 20, None), (0, 20, model.record_id(19)), (0, 20, model.record_id(39))]
    assert len(set(_all_ids(model))) == 45


def test_sort_by_json_field_is_sql_order(visit_service, visits) -> None:
    model = RecordTableModel(visit_service, RecordQuery(form_id="visit_log"), page_size=5)
    column = _column(model, "visitors")
    model.sort(column, Qt.SortOrder.AscendingOrder)
    expected = [v["id"] for v in sorted(visits, key=lambda v: v["visitors"])]
    assert _all_ids(model) == expected
    shown = [int(model.index(r, column).data()) for r in range(model.rowCount())]
    assert shown == sorted(v["visitors"] for v in visits)
    model.sort(column, Qt.SortOrder.DescendingOrder)
    assert _all_ids(model) == expected[::-1]


def test_sort_by_site_name_is_sql_order(visit_service, visits) -> None:
    model = RecordTableModel(visit_service, RecordQuery(form_id="visit_log"), page_size=5)
    column = _column(model, "site:site")
    model.sort(column, Qt.SortOrder.AscendingOrder)
    # by site name (code point order, as SQLite's BINARY collation), ties by id
    expected = [v["id"] for v in sorted(visits, key=lambda v: (v["site_name"], v["id"]))]
    assert _all_ids(model) == expected
    assert model.index(0, column).data() == min(SITES)
    model.sort(column, Qt.SortOrder.DescendingOrder)
    assert _all_ids(model) == expected[::-1]


def test_search_narrows_rows(visit_service, visits) -> None:
    model = RecordTableModel(visit_service, RecordQuery(form_id="visit_log"), page_size=5)
    model.set_query(replace(model.query, search="禁烧"))
    assert set(_all_ids(model)) == {v["id"] for v in visits if "禁烧" in v["subject"]}
    # a site's name finds the visits to it
    model.set_query(replace(model.query, search="东风"))
    assert set(_all_ids(model)) == {v["id"] for v in visits if v["site_name"] == "东风养殖场"}
    # several words must all match
    model.set_query(replace(model.query, search="禁烧 东风"))
    expected = {v["id"] for v in visits if "禁烧" in v["subject"] and "东风" in v["site_name"]}
    assert set(_all_ids(model)) == expected
    assert model.total_count == len(expected)


def test_date_filter_narrows_rows(visit_service, visits) -> None:
    model = RecordTableModel(visit_service, RecordQuery(form_id="visit_log"))
    start, end = date(2024, 3, 1), date(2024, 6, 10)
    model.set_query(replace(model.query, date_from=start, date_to=end))
    expected = {v["id"] for v in visits if start <= date.fromisoformat(v["visit_date"]) <= end}
    assert len(expected) == 4  # March to June, the tenth of each
    assert set(_all_ids(model)) == expected


def test_refresh_shows_new_records(records: RecordService) -> None:
    _site(records, "甲")
    model = RecordTableModel(records, RecordQuery(form_id="site"))
    new_id = _site(records, "乙")
    assert model.rowCount() == 1
    model.refresh()
    assert model.rowCount() == 2
    assert model.record_id(0) == new_id  # newest edit first


def test_recycle_bin_columns(qtmodeltester, records: RecordService) -> None:
    ids = {name: _site(records, name) for name in ("乙站", "甲站", "丙站")}
    for name in ("甲站", "丙站", "乙站"):  # deletion order
        records.delete(ids[name])
    _site(records, "仍在用")
    query = RecordQuery(form_id=None, deleted=True, sort_key="deleted_at")
    model = RecordTableModel(records, query)
    qtmodeltester.check(model)
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)]
    assert headers == ["表单", "标题", "删除时间"]
    assert model.columnCount() == 3
    assert model.sort_column() == 2
    titles = [model.index(r, 1).data() for r in range(model.rowCount())]
    assert titles == ["乙站", "丙站", "甲站"]  # most recently deleted first
    assert {model.index(r, 0).data() for r in range(3)} == {"监管对象"}
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert [model.index(r, 1).data() for r in range(3)] == sorted(["乙站", "甲站", "丙站"])
    model.sort(2, Qt.SortOrder.AscendingOrder)
    assert [model.index(r, 1).data() for r in range(3)] == ["甲站", "丙站", "乙站"]


@pytest.mark.parametrize("page_size", [1, 2, 3, 50])
def test_paging_through_ties_and_missing_values(records: RecordService, page_size: int) -> None:
    """Pages continue after the last row correctly where values repeat or are absent."""
    made = []
    for i in range(11):
        extra = {} if i % 4 == 0 else {"patrol_times": i % 3}  # absent, 0, 1 or 2
        made.append((extra.get("patrol_times"), _site(records, f"对象{i}", **extra)))
    model = RecordTableModel(records, RecordQuery(form_id="site"), page_size=page_size)
    column = _column(model, "patrol_times")
    # SQLite: NULL first when ascending, ties by id; descending is the exact reverse
    expected = [
        record_id
        for _v, record_id in sorted(made, key=lambda m: (m[0] is not None, m[0] or 0, m[1]))
    ]
    model.sort(column, Qt.SortOrder.AscendingOrder)
    assert _all_ids(model) == expected
    model.sort(column, Qt.SortOrder.DescendingOrder)
    assert _all_ids(model) == expected[::-1]
    model.sort(_column(model, "status"), Qt.SortOrder.AscendingOrder)  # all equal: by id
    assert _all_ids(model) == sorted(record_id for _v, record_id in made)


def test_background_paging_reads_off_the_gui_thread(qtbot, records: RecordService) -> None:
    for i in range(45):
        _site(records, f"对象{i:02d}")
    reader_threads: list[threading.Thread] = []
    page_read = threading.Event()
    real_page = records.page

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        reader_threads.append(threading.current_thread())
        try:
            return real_page(*args, **kwargs)
        finally:
            page_read.set()

    records.page = spy  # type: ignore[method-assign]
    model = RecordTableModel(records, RecordQuery(form_id="site"), page_size=20)
    model.set_background_paging(True)
    model.fetchMore(QModelIndex())
    assert model.is_fetching and not model.canFetchMore(QModelIndex())  # one page at a time
    qtbot.waitUntil(lambda: model.rowCount() == 40)
    assert reader_threads[0] is threading.main_thread()  # the first page, on opening
    assert reader_threads[1] is not threading.main_thread()
    assert not model.is_fetching

    # a page read for a query replaced meanwhile is dropped, not appended
    page_read.clear()
    model.fetchMore(QModelIndex())
    model.set_query(replace(model.query, search="对象07"))
    assert page_read.wait(5)
    qtbot.wait(50)  # let the (dropped) result arrive
    assert [model.index(r, 1).data() for r in range(model.rowCount())] == ["对象07"]
    assert not model.is_fetching


def test_failed_reads_leave_the_list_as_it_was(qtbot, records: RecordService, monkeypatch) -> None:
    for i in range(25):
        _site(records, f"对象{i:02d}")
    model = RecordTableModel(records, RecordQuery(form_id="site"), page_size=10)
    model.set_background_paging(True)

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise OSError("磁盘错误")

    monkeypatch.setattr(records, "count", broken)
    with pytest.raises(OSError):
        model.set_query(replace(model.query, search="对象1"))
    assert model.rowCount() == 10 and model.query.search == ""

    monkeypatch.setattr(records, "page", broken)
    model.fetchMore(QModelIndex())
    qtbot.waitUntil(lambda: not model.is_fetching)
    assert model.rowCount() == 10
    assert not model.canFetchMore(QModelIndex())  # stops asking until refreshed
