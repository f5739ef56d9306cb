"""The 导入旧台账 wizard: a folder of two ledgers and an unrelated workbook read on the
worker, the combined preview (files, unrecognised sheets, the 值对照 over all files), a
spelling decided and the folder read again, one import, and a second read that shows
both files as 已导入过."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from gongkai_desktop.ui.ledgers.ledger_page import LedgerPage
from gongkai_desktop.ui.ledgers.migration_wizard import CHOOSE, PREVIEW, RESULT, MigrationWizard

pytestmark = pytest.mark.gui


def write_book(path: Path, title: str, sheet_name: str, rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = sheet_name
    sheet.append([title])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


REGISTER = [
    ["序号", "登记编号", "提交方式", "收到申请日期", "申请人", "申请人类别", "申请内容",
     "办理结果", "答复日期", "办理状态"],
    [1, "YSQ2023-001", "当面", "2023-04-03", "申请人甲", "自然人", "道路规划",
     "不予处理（重复申请）", "2023-04-20", "已办结"],
    [2, "YSQ2023-002", "网上", "2023-04-10", "申请人乙", "法人或其他组织", "预算", "乱写",
     "2023-04-25", "已办结"],
    [3, "YSQ2023-003", "网上", "2023-05-11", "申请人丙", "自然人", "补助名单", "予以公开",
     "2023-05-30", "已办结"],
]  # fmt: skip


def old_folder(folder: Path) -> Path:
    """依申请公开 (a suggested and a nonsense spelling), 宣传活动 and a phone list."""
    folder.mkdir(parents=True)
    write_book(
        folder / "依申请公开登记2023.xlsx", "龙河镇依申请公开登记台账（2023年）", "2023年", REGISTER
    )
    write_book(
        folder / "宣传活动台账.xlsx",
        "龙河镇宣传活动台账",
        "Sheet1",
        [
            ["序号", "日期", "活动主题", "类别", "人次", "受众", "宣传资料", "横幅"],
            [1, "2023-06-05", "六五环境日宣传", "环境日", 5, None, None, None],
            [2, "2023-07-01", "普法宣传进村", "普法宣传", 3, None, None, None],
        ],
    )
    write_book(
        folder / "通讯录.xlsx",
        "龙河镇机关通讯录",
        "通讯录",
        [
            ["序号", "姓名", "职务", "办公电话", "手机", "备注"],
            [1, "张三", "党政办主任", "0871-1234567", "13800000000", None],
            [2, "李四", "环保员", "0871-1234568", "13900000000", "兼信息公开"],
        ],
    )
    return folder


def live_count(db: Path, form_id: str) -> int:
    conn = sqlite3.connect(db)
    try:
        (count,) = conn.execute(
            "SELECT count(*) FROM records WHERE form_id = ? AND deleted = 0", (form_id,)
        ).fetchone()
    finally:
        conn.close()
    return int(count)


def outcomes(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT json_extract(data, '$.outcome') FROM records"
            " WHERE form_id = 'disclosure_request' AND deleted = 0 ORDER BY rowid"
        ).fetchall()
    finally:
        conn.close()
    return [r[0] for r in rows]


def table_rows(table: Any) -> list[tuple[str, ...]]:
    return [
        tuple(table.item(r, c).text() for c in range(table.columnCount()))
        for r in range(table.rowCount())
    ]


def read_folder(qtbot, ctx, folder: Path) -> MigrationWizard:  # type: ignore[no-untyped-def]
    wizard = MigrationWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    assert not wizard.next_button.isEnabled()  # no folder yet
    wizard.set_folder(folder)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.busy, timeout=60000)
    assert wizard.pages.currentIndex() == PREVIEW
    return wizard


def test_a_folder_is_read_mapped_imported_and_shown_as_imported_the_second_time(
    qtbot, ctx, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    folder = old_folder(tmp_path / "旧台账")
    wizard = read_folder(qtbot, ctx, folder)
    files = {row[0]: row for row in table_rows(wizard.file_table)}
    assert set(files) == {"依申请公开登记2023.xlsx", "宣传活动台账.xlsx"}
    assert files["依申请公开登记2023.xlsx"][1:] == (
        "2023年",
        "依申请公开登记台账",
        "2",
        "0",
        "1",
        "0",
        "有写法待选择",
    )
    assert files["宣传活动台账.xlsx"][2:4] == (ctx.registry.ledger("outreach_events").title, "2")
    [unrecognised] = table_rows(wizard.unrecognised_table)
    assert unrecognised[:2] == ("通讯录.xlsx", "通讯录") and unrecognised[2]
    assert wizard.tabs.currentWidget() is wizard.mapping_page
    assert "还有 1 种写法" in wizard.mapping_banner.text()
    assert not wizard.next_button.isEnabled()

    texts = [e.question.text for e in wizard.mapping_table.entries]
    row = texts.index("乱写")
    assert wizard.mapping_table.item(row, 0).text() == "依申请公开登记台账"  # type: ignore[union-attr]
    assert wizard.mapping_table.item(row, 4).text() == "依申请公开登记2023.xlsx"  # type: ignore[union-attr]
    picker = wizard.mapping_table.pickers[row]
    assert picker.currentText() == "请选择…"
    picker.setCurrentIndex(picker.findText("（六）3.其他"))
    assert not wizard.next_button.isEnabled()  # not read again yet
    qtbot.mouseClick(wizard.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.busy, timeout=60000)
    plan = wizard.plan
    assert plan is not None and not plan.has_errors
    files = {row[0]: row for row in table_rows(wizard.file_table)}
    assert files["依申请公开登记2023.xlsx"][3:] == ("3", "0", "0", "0", "可导入")
    texts = [e.question.text for e in wizard.mapping_table.entries]
    assert wizard.mapping_table.pickers[texts.index("乱写")].currentText() == "（六）3.其他"
    assert wizard.next_button.isEnabled()

    with qtbot.waitSignal(wizard.records_imported, timeout=60000):
        qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.busy, timeout=60000)
    assert wizard.pages.currentIndex() == RESULT
    assert "导入 5 行" in wizard.result_label.text()
    assert "备份" in wizard.result_details.text()
    assert live_count(ctx.db_path, "disclosure_request") == 3
    assert live_count(ctx.db_path, "outreach_event") == 2
    assert outcomes(ctx.db_path) == ["（五）2.重复申请", "（六）3.其他", "（一）予以公开"]

    again = read_folder(qtbot, ctx, folder)
    assert {row[0]: row[-1] for row in table_rows(again.file_table)} == {
        "依申请公开登记2023.xlsx": "已导入过",
        "宣传活动台账.xlsx": "已导入过",
    }
    assert again.mapping_table.entries == []
    assert not again.next_button.isEnabled()  # nothing to import
    assert live_count(ctx.db_path, "disclosure_request") == 3


def test_a_missing_folder_is_refused_on_the_first_page(qtbot, ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wizard = MigrationWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.set_folder(tmp_path / "没有这个文件夹")
    wizard.start_plan()
    qtbot.waitUntil(lambda: not wizard.busy, timeout=30000)
    assert wizard.pages.currentIndex() == CHOOSE
    assert wizard.choose_error.isVisibleTo(wizard) and "不存在" in wizard.choose_error.text()


def test_the_ledger_page_opens_the_migration_wizard(
    qtbot, ctx, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    page = LedgerPage(ctx)
    qtbot.addWidget(page)
    assert page.migrate_button.text() == "导入旧台账…"
    wizard = page.open_migration_wizard()
    assert isinstance(wizard, MigrationWizard)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path))
    wizard.browse()
    assert wizard.folder() == tmp_path and wizard.next_button.isEnabled()
    wizard.reject()
