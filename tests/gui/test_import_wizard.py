"""The import wizard: preview in a worker with the error rows shown, all-or-nothing
import, 跳过有错误的行, the error workbook, a re-import and a refused file."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from gongkai_desktop.ui.ledgers.import_wizard import CHOOSE, PREVIEW, RESULT, ImportWizard

pytestmark = pytest.mark.gui

HEADER = ["序号", "日期", "活动主题", "类别", "人次", "受众", "宣传资料", "横幅"]


def workbook(path: Path) -> Path:
    """One good row (Excel row 3) and one with an impossible date (row 4)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["龙河镇宣传活动台账"])
    sheet.append(HEADER)
    sheet.append([1, "2024-06-05", "六五环境日宣传", "环境日", 5, None, None, None])
    sheet.append([2, "2024-13-40", "普法宣传进村", "普法宣传", 3, None, None, None])
    book.save(path)
    return path


def outreach_names(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT json_extract(data, '$.name') FROM records"
            " WHERE form_id = 'outreach_event' AND deleted = 0 ORDER BY rowid"
        ).fetchall()
    finally:
        conn.close()
    return [r[0] for r in rows]


def open_wizard(qtbot, ctx) -> ImportWizard:  # type: ignore[no-untyped-def]
    wizard = ImportWizard(ctx, "outreach_events")
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def previewed(qtbot, ctx, path: Path) -> ImportWizard:  # type: ignore[no-untyped-def]
    wizard = open_wizard(qtbot, ctx)
    assert wizard.ledger_id() == "outreach_events"
    assert not wizard.next_button.isEnabled()  # no file yet
    wizard.file_edit.setText(str(path))
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.busy, timeout=30000)
    return wizard


def table_rows(table: Any) -> list[tuple[str, ...]]:
    return [
        tuple(table.item(r, c).text() for c in range(table.columnCount()))
        for r in range(table.rowCount())
    ]


def test_preview_shows_the_error_row_and_all_or_nothing_adds_nothing(
    qtbot, ctx, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    wizard = previewed(qtbot, ctx, workbook(tmp_path / "宣传.xlsx"))
    assert wizard.pages.currentIndex() == PREVIEW
    [error] = table_rows(wizard.error_table)
    assert error[:3] == ("4", "日期", "2024-13-40") and "日期" in error[3]
    assert wizard.tabs.currentWidget() is wizard.error_table
    assert "可导入 1 行" in wizard.preview_summary.text()
    assert "有错误 1 行" in wizard.preview_summary.text()
    assert wizard.save_errors_button.isVisibleTo(wizard)  # fix it in Excel first

    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)  # 导入, all or nothing
    qtbot.waitUntil(lambda: not wizard.busy, timeout=30000)
    assert wizard.pages.currentIndex() == RESULT
    assert "未导入任何记录" in wizard.result_label.text()
    assert outreach_names(ctx.db_path) == []

    saved = tmp_path / "错误清单.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(saved), ""))
    qtbot.mouseClick(wizard.result_save_errors, Qt.MouseButton.LeftButton)
    rows = list(openpyxl.load_workbook(saved).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert [r[0] for r in rows[2:]] == [4]  # the original row number of the rejected row


def test_skip_invalid_adds_the_good_row_and_a_reimport_adds_nothing(
    qtbot, ctx, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = workbook(tmp_path / "宣传.xlsx")
    wizard = previewed(qtbot, ctx, path)
    wizard.skip_invalid.setChecked(True)
    assert wizard.next_button.isEnabled()
    with qtbot.waitSignal(wizard.records_imported, timeout=30000):
        qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.busy, timeout=30000)
    assert "已导入 1 行" in wizard.result_label.text()
    assert wizard.result_save_errors.isVisibleTo(wizard)
    assert outreach_names(ctx.db_path) == ["六五环境日宣传"]

    again = previewed(qtbot, ctx, path)
    assert "导入过" in again.preview_summary.text()
    assert not again.next_button.isEnabled()
    assert outreach_names(ctx.db_path) == ["六五环境日宣传"]


def test_a_refused_file_shows_why_and_writes_nothing(qtbot, ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fake = tmp_path / "不是表格.xlsx"
    fake.write_text("这不是 Excel 文件", encoding="utf-8")
    wizard = previewed(qtbot, ctx, fake)
    assert wizard.pages.currentIndex() == CHOOSE
    assert wizard.choose_error.isVisibleTo(wizard)
    assert "未写入任何数据" in wizard.choose_error.text()
    assert outreach_names(ctx.db_path) == []
