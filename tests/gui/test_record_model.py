"""RecordTableModel: Qt model contract, lazy paging, SQL sorting, filters, 回收站 columns."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt

from gongkai_desktop import paths
from gongkai_desktop.data.repository import RecordQuery
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records import RecordService
from gongkai_desktop.ui.record_model import RecordTableModel

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
    context = AppContext.open(tmp_path / "visits.db", forms_dir=forms, auto_backup=False)
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
    asked: list[tuple[int, int]] = []
    real_page = records.page

    def spy(query: RecordQuery, offset: int, limit: int):  # type: ignore[no-untyped-def]
        asked.append((offset, limit))
        return real_page(query, offset, limit)

    monkeypatch.setattr(records, "page", spy)
    model = RecordTableModel(records, RecordQuery(form_id="site"), page_size=20)
    assert model.total_count == 45
    assert model.rowCount() == 20
    assert asked == [(0, 20)]
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 40
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 45
    assert not model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())  # nothing more: no query
    assert asked == [(0, 20), (20, 20), (40, 20)]
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
