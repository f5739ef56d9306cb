"""Regression guard for PySide6 6.12.0 on Python 3.11.

There, every call from Python to a Qt method that returns nothing (repaint(),
scrollTo(), setValue(), ...) and every invalid QVariant handed back to Python drops a
reference to None; a table that repaints a few thousand times then aborts with
"Fatal Python error: none_dealloc". pyproject pins PySide6 below 6.12 for Python < 3.12.
This test scrolls a real table over our model a few thousand steps and fails, instead of
crashing the run, if the reference count of None falls: it catches an install that
ignores the pin or a future PySide6 with the same defect.

On Python >= 3.12 None is immortal and its reference count a constant, so the check
holds trivially there; the scrolling still exercises the model's painting paths.
"""

from __future__ import annotations

import gc
import sys
from datetime import datetime

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QApplication, QTableView
from sqlalchemy import insert

from gongkai_desktop.data.models import Record
from gongkai_desktop.data.repository import RecordQuery
from gongkai_desktop.data.search import search_text_of
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.ui.records.record_model import RecordTableModel

pytestmark = pytest.mark.gui

RECORDS = 300
STEPS = 3000
# With the defect the count falls by at least one per step, thousands in all; normal
# churn (objects holding None being freed) moves it by far less than this.
TOLERANCE = 500


def _insert_sites(records: RecordService, count: int) -> None:
    now = datetime(2025, 1, 1)
    rows = []
    for i in range(count):
        values = {"site_type": "其他", "name": f"监管对象{i:03d}", "village": f"{i % 9 + 1}村"}
        rows.append(
            {
                "id": f"00000000-0000-4000-8000-{i:012d}",
                "form_id": "site",
                "title": values["name"],
                "status": "在用",
                "data": values,
                "search_text": search_text_of(values, [values["name"]]),
                "created_at": now,
                "updated_at": now,
                "author": "测试",
                "version": 1,
                "deleted": False,
            }
        )
    with records.ctx.transaction() as session:
        session.execute(insert(Record), rows)


def test_scrolling_a_table_keeps_none_alive(qtbot, records: RecordService) -> None:
    _insert_sites(records, RECORDS)
    model = RecordTableModel(records, RecordQuery(form_id="site"))
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == RECORDS
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(480, 240)
    view.show()
    qtbot.waitExposed(view)
    QApplication.processEvents()

    gc.collect()
    before = sys.getrefcount(None)
    columns = model.columnCount()
    for step in range(STEPS):
        view.scrollTo(model.index(step * 37 % RECORDS, step % columns))
        view.viewport().repaint()
        QApplication.processEvents()
        if step % 250 == 0 and sys.getrefcount(None) < before - TOLERANCE:
            break  # stop before the interpreter aborts, so the failure is reported
    gc.collect()
    after = sys.getrefcount(None)
    assert after >= before - TOLERANCE, (
        f"sys.getrefcount(None) fell from {before} to {after} after scrolling: this "
        "PySide6 build loses references to None (see GUIDE §4; pin PySide6 < 6.12 on "
        "Python 3.11)"
    )
