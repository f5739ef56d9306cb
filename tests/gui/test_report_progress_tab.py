"""The 整改进展 tab against a real SQLite file: the township's 2023 on the page (the
sentence and one row per site, filtered by site type) and exported as Word and Excel."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from docx import Document
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QFileDialog

from gongkai_desktop.ui.reports.page import ReportPage

from ..unit.township_helpers import BAISHA, JINZHU, LONGTAN, build_township

pytestmark = [pytest.mark.gui]

WAIT = 30000


@pytest.fixture
def tab(qtbot, ctx):  # type: ignore[no-untyped-def]
    build_township(ctx)
    page = ReportPage(ctx, today=date(2024, 3, 1))
    qtbot.addWidget(page)
    page.resize(1100, 760)
    page.show()
    page.tabs.setCurrentWidget(page.progress)
    widget = page.progress
    qtbot.waitUntil(lambda: widget.report is not None and not page.busy, timeout=WAIT)
    yield widget
    qtbot.waitUntil(lambda: not page.busy, timeout=WAIT)


def rows(tab: Any) -> list[list[str]]:
    tree = tab.table
    return [
        [tree.topLevelItem(i).text(c) for c in range(tree.columnCount())]
        for i in range(tree.topLevelItemCount())
    ]


def choose_2023(qtbot, tab) -> None:  # type: ignore[no-untyped-def]
    tab.date_from.setDate(QDate(2023, 1, 1))
    qtbot.waitUntil(lambda: not tab.busy, timeout=WAIT)
    tab.date_to.setDate(QDate(2023, 12, 31))
    qtbot.waitUntil(
        lambda: not tab.busy and tab.report.period.end == date(2023, 12, 31), timeout=WAIT
    )


def test_the_page_shows_each_site_and_the_sentence(qtbot, tab) -> None:  # type: ignore[no-untyped-def]
    choose_2023(qtbot, tab)
    assert tab.sentence.text() == (
        "共排查问题7个（交办4个、自查3个），已完成整改4个（其中逾期完成1个），"
        "正在整改3个（其中已超过整改时限2个）。"
    )
    got = rows(tab)
    assert [r[:8] for r in got] == [
        [JINZHU, "王镇长", "2", "1", "1", "1", "1", "0"],
        [LONGTAN, "李书记", "1", "2", "1", "0", "2", "2"],
        ["未关联监管对象", "", "1", "0", "1", "0", "0", "0"],
        ["合计", "", "4", "3", "3", "1", "3", "2"],
    ]
    assert "ZG2023-004" in got[1][8] and "已逾期" in got[1][8]
    tab.site_type.setCurrentIndex(tab.site_type.findData("饮用水水源地"))
    qtbot.waitUntil(lambda: not tab.busy and tab.report.site_type == "饮用水水源地", timeout=WAIT)
    assert [r[0] for r in rows(tab)] == [JINZHU, LONGTAN, BAISHA, "合计"]


@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
def test_export_writes_the_report(qtbot, tab, tmp_path: Path, monkeypatch, suffix: str) -> None:  # type: ignore[no-untyped-def]
    choose_2023(qtbot, tab)
    target = tmp_path / f"进展{suffix}"
    suggested: list[str] = []

    def dialog(_parent: Any, _title: str, name: str, _filter: str) -> tuple[str, str]:
        suggested.append(Path(name).name)
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    button = tab.export_buttons[suffix]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.busy and target.exists(), timeout=WAIT)
    assert suggested == [f"龙河镇人民政府_2023年度生态环境问题整改进展情况{suffix}"]
    if suffix == ".docx":
        doc = Document(str(target))
        cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
        assert LONGTAN in cells and "李书记" in cells
    else:
        sheet = openpyxl.load_workbook(target).active
        values = [r for r in sheet.iter_rows(values_only=True)]
        assert any(r[1] == LONGTAN and r[2] == "李书记" for r in values)
