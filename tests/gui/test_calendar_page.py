"""设置 → 节假日与调休: add a day, delete it, import a year's file, export a template,
the warning banner, and the tab in the 设置 page."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QFileDialog

from gongkai_desktop.services.context import AppContext
from gongkai_desktop.ui import calendar_page
from gongkai_desktop.ui.calendar_page import CalendarPage
from gongkai_desktop.ui.settings_page import SettingsPage

from .gui_helpers import shown, type_chinese

NOVEMBER_2099 = date(2099, 11, 20)  # neither 2099 nor 2100 is in chinese-calendar


def table_rows(page: CalendarPage) -> list[tuple[str, str, str]]:
    table = page.table
    return [
        tuple(table.item(r, c).text() for c in range(3))  # type: ignore[misc]
        for r in range(table.rowCount())
    ]


def stored(ctx: AppContext) -> list[tuple]:
    conn = sqlite3.connect(ctx.db_path)
    try:
        return conn.execute("SELECT day, workday, note FROM calendar_days ORDER BY day").fetchall()
    finally:
        conn.close()


def write_year(path: Path, rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["日期", "类型", "说明"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown_errors: list[str] = []
    monkeypatch.setattr(
        calendar_page, "show_error", lambda parent, exc, title=None: shown_errors.append(str(exc))
    )
    return shown_errors


def test_add_a_day_import_a_year_and_the_banner(
    qtbot: Any, ctx: AppContext, tmp_path: Path, errors: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    page = shown(qtbot, CalendarPage(ctx, today=NOVEMBER_2099))
    page.resize(820, 560)
    assert page.banner.isVisible()
    banner = page.banner.text()
    assert "今年（2099年）的节假日安排尚未录入" in banner and "2100年的节假日安排尚未录入" in banner
    assert page.year_spin.value() == 2099
    assert table_rows(page) == []

    # add 2100-01-01 as 休息 with a note, typed as a clerk types
    page.date_edit.setDate(QDate(2100, 1, 1))
    page.kind_combo.setCurrentIndex(0)
    type_chinese(page.note_edit, "元旦")
    with qtbot.waitSignal(page.calendar_changed):
        qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert table_rows(page) == [("2100-01-01（周五）", "休息", "元旦")]
    assert stored(ctx) == [("2100-01-01", 0, "元旦")]
    assert "已单独录入1天" in page.banner.text()

    # import 2099 through the (stubbed) file dialog
    year_file = write_year(
        tmp_path / "2099年安排.xlsx",
        [["2099-10-01", "休息", "国庆节"], ["2099年10月10日", "调休上班", "国庆节"]],
    )
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *a, **k: (str(year_file), "Excel 工作簿")
    )
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    assert errors == []
    assert table_rows(page) == [
        ("2099-10-01（周四）", "休息", "国庆节"),
        ("2099-10-10（周六）", "上班", "国庆节"),
        ("2100-01-01（周五）", "休息", "元旦"),
    ]
    assert "已导入2099年的节假日安排：休息1天，上班1天" in page.result_label.text()
    assert "2099年（2天）" in page.years_label.text()
    assert "今年" not in page.banner.text() and page.banner.isVisible()  # 2100 still missing
    assert page.year_spin.value() == 2100

    # a bad file: the error names the row, the table stays as it was
    bad = write_year(tmp_path / "bad.xlsx", [["2100-01-02", "休息"], ["2100-01-03", "加班"]])
    assert page.import_file(bad) is False
    assert len(errors) == 1 and "第3行" in errors[0]
    assert len(table_rows(page)) == 3

    shots = Path("/tmp/shots")  # looked at by a person when the page changes
    shots.mkdir(exist_ok=True)
    qtbot.wait(20)  # let the layout take the new texts
    assert page.grab().save(str(shots / "calendar.png"))

    # delete the chosen day
    page.table.selectRow(2)
    assert page.delete_button.isEnabled()
    with qtbot.waitSignal(page.calendar_changed):
        qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert [r[0] for r in table_rows(page)] == ["2099-10-01（周四）", "2099-10-10（周六）"]
    assert stored(ctx) == [("2099-10-01", 0, "国庆节"), ("2099-10-10", 1, "国庆节")]
    assert not page.delete_button.isEnabled()


def test_export_template_through_the_dialog(
    qtbot: Any, ctx: AppContext, tmp_path: Path, errors: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    page = shown(qtbot, CalendarPage(ctx, today=date(2025, 11, 3)))
    assert not page.banner.isVisible()  # the program's calendar knows 2025 and 2026
    assert "尚未导入任何年度" in page.years_label.text()
    page.year_spin.setValue(2026)
    asked: list[str] = []

    def save_dialog(parent: Any, title: str, start: str, filters: str) -> tuple[str, str]:
        asked.append(Path(start).name)
        return str(tmp_path / "模板"), filters  # no suffix typed: .xlsx is added

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    qtbot.mouseClick(page.template_button, Qt.MouseButton.LeftButton)
    assert asked == ["2026年节假日安排.xlsx"]
    out = tmp_path / "模板.xlsx"
    assert out.is_file() and errors == []
    assert "预填39天" in page.result_label.text()
    assert page.import_file(out)
    assert len(table_rows(page)) == 39


def test_the_settings_page_has_the_holiday_tab(qtbot: Any, ctx: AppContext, tmp_path: Path) -> None:
    settings = shown(qtbot, SettingsPage(ctx))
    tabs = settings.tabs
    assert tabs.count() == 3 and tabs.tabText(1) == "数据与备份"
    assert tabs.widget(2) is settings.calendar_page
    calendar = settings.calendar_page
    calendar._today = NOVEMBER_2099
    tabs.setCurrentIndex(2)  # shown: refreshed with the (pretended) date
    assert tabs.tabText(2) == "节假日与调休（待录入）"
    assert calendar.banner.isVisible()
    settings.resize(980, 740)  # the main window's page area
    qtbot.wait(20)
    Path("/tmp/shots").mkdir(exist_ok=True)
    assert settings.grab().save("/tmp/shots/calendar_settings.png")
    for year in (2099, 2100):
        calendar.import_file(write_year(tmp_path / f"{year}.xlsx", [[f"{year}-01-01", "休息"]]))
    assert tabs.tabText(2) == "节假日与调休"
    assert not calendar.banner.isVisible()
