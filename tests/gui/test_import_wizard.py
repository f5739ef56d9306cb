"""The import wizard: preview in a worker with the error rows shown, all-or-nothing
import, 跳过有错误的行, the error workbook, a re-import and a refused file; the 值对照 of
spellings the ledger does not know and the 未识别的列, decided and previewed again; an
edited exported row shown as 内容不同 and updated only when ticked."""

from __future__ import annotations

import os
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
    assert wizard.tabs.currentWidget() is wizard.error_page
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


# ---- 值对照 and 未识别的列 -------------------------------------------------------------------
REQUEST_HEADER = ["序号", "登记编号", "提交方式", "收到申请日期", "申请人", "申请人类别",
                  "申请内容", "办理结果", "答复日期", "办理状态", "联系手机"]  # fmt: skip
REQUEST_ROWS = [
    ("当面", "不予处理（重复申请）"),
    ("网上", "予以公开"),
    ("当面", "乱写"),
    ("当面", "乱写"),
]


def request_workbook(path: Path) -> Path:
    """A hand-kept 依申请公开 register: a spelling with a suggestion, a nonsense one
    (Excel rows 5 and 6) and a header the ledger does not know (联系手机)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["龙河镇依申请公开登记台账（2024年）"])
    sheet.append(REQUEST_HEADER)
    for n, (channel, outcome) in enumerate(REQUEST_ROWS, 1):
        sheet.append([
            n, f"YSQ2024-{n:03d}", channel, f"2024-03-{n + 4:02d}", f"申请人{n}", "自然人",
            f"申请公开第{n}号事项", outcome, "2024-03-20", "已办结", f"1380000000{n}",
        ])  # fmt: skip
    book.save(path)
    return path


def stored_requests(db: Path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT json_extract(data, '$.request_no'), json_extract(data, '$.outcome'),"
            " json_extract(data, '$.contact') FROM records"
            " WHERE form_id = 'disclosure_request' AND deleted = 0 ORDER BY rowid"
        ).fetchall()
    finally:
        conn.close()


def request_wizard(qtbot, ctx, path: Path) -> ImportWizard:  # type: ignore[no-untyped-def]
    wizard = ImportWizard(ctx, "disclosure_requests")
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    wizard.file_edit.setText(str(path))
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.busy, timeout=30000)
    assert wizard.pages.currentIndex() == PREVIEW
    return wizard


def mapping_rows(wizard: ImportWizard) -> dict[str, tuple[str, ...]]:
    """写法 → (列, 写法, 次数, 行号, 建议, the picker's text)."""
    table = wizard.mapping_table
    out = {}
    for r in range(table.rowCount()):
        cells = tuple(table.item(r, c).text() for c in range(table.columnCount() - 1))  # type: ignore[union-attr]
        out[cells[1]] = (*cells, table.pickers[r].currentText())
    return out


def pick(combo: Any, text: str) -> None:
    index = combo.findText(text)
    assert index >= 0, [combo.itemText(i) for i in range(combo.count())]
    combo.setCurrentIndex(index)


def repreview(qtbot, wizard: ImportWizard) -> None:  # type: ignore[no-untyped-def]
    assert wizard.apply_button.isEnabled()
    qtbot.mouseClick(wizard.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.busy, timeout=30000)
    assert wizard.pages.currentIndex() == PREVIEW


def test_a_nonsense_spelling_is_mapped_and_an_unknown_column_placed_before_import(
    qtbot, ctx, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    wizard = request_wizard(qtbot, ctx, request_workbook(tmp_path / "依申请公开.xlsx"))
    assert wizard.tabs.currentWidget() is wizard.mapping_page  # a spelling to decide
    rows = mapping_rows(wizard)
    assert rows["乱写"][:5] == ("办理结果", "乱写", "2", "第5行、第6行", rows["乱写"][4])
    assert rows["乱写"][5] == "请选择…"
    assert "（五）2.重复申请" in rows["不予处理（重复申请）"][5]  # the suggestion, preselected
    assert rows["不予处理（重复申请）"][2] == "1"
    assert "还有 1 种写法" in wizard.mapping_banner.text()
    assert not wizard.next_button.isEnabled()  # the blocking spelling is undecided
    # the readable group on top of the errors tab, one line for the two rows
    assert "乱写×2（第5行、第6行）" in wizard.groups_view.toPlainText()
    # 跳过有错误的行 would import the others
    wizard.skip_invalid.setChecked(True)
    assert wizard.next_button.isEnabled()
    wizard.skip_invalid.setChecked(False)

    assert list(wizard.column_table.pickers) == ["联系手机"]
    pick(wizard.column_table.pickers["联系手机"], "联系方式")
    blocking_row = [e.question.text for e in wizard.mapping_table.entries].index("乱写")
    pick(wizard.mapping_table.pickers[blocking_row], "（六）3.其他")
    assert wizard.mapping_table.undecided() == []
    assert not wizard.next_button.isEnabled()  # decisions not previewed yet
    assert "重新预览" in wizard.mapping_banner.text()

    repreview(qtbot, wizard)
    report = wizard.report
    assert report is not None and report.error_row_count == 0 and report.blocking == []
    assert "可导入 4 行" in wizard.preview_summary.text()
    rows = mapping_rows(wizard)  # the clerk's choice is still shown
    assert rows["乱写"][5] == "（六）3.其他"
    assert wizard.column_table.pickers["联系手机"].currentText() == "联系方式"
    assert not wizard.mapping_banner.isVisibleTo(wizard)
    assert wizard.next_button.isEnabled()

    with qtbot.waitSignal(wizard.records_imported, timeout=30000):
        qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.busy, timeout=30000)
    assert wizard.pages.currentIndex() == RESULT
    assert "已导入 4 行" in wizard.result_label.text()
    assert stored_requests(ctx.db_path) == [
        ("YSQ2024-001", "（五）2.重复申请", "13800000001"),
        ("YSQ2024-002", "（一）予以公开", "13800000002"),
        ("YSQ2024-003", "（六）3.其他", "13800000003"),
        ("YSQ2024-004", "（六）3.其他", "13800000004"),
    ]

    # the readings were saved: the next file with the same spellings asks nothing
    later = tmp_path / "依申请公开2.xlsx"
    book = openpyxl.load_workbook(request_workbook(later))
    sheet = book.active
    assert sheet is not None
    for r in range(3, 7):
        sheet.cell(r, 2).value = f"YSQ2024-1{r:02d}"
    book.save(later)
    again = request_wizard(qtbot, ctx, later)
    assert again.mapping_table.entries == [] and again.tabs.indexOf(again.mapping_page) < 0
    assert again.report is not None and again.report.error_row_count == 0


def test_rows_of_a_spelling_the_clerk_skips_are_left_out(qtbot, ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wizard = request_wizard(qtbot, ctx, request_workbook(tmp_path / "依申请公开.xlsx"))
    blocking_row = [e.question.text for e in wizard.mapping_table.entries].index("乱写")
    pick(wizard.mapping_table.pickers[blocking_row], "跳过这些行")
    repreview(qtbot, wizard)
    assert "按对照跳过 2 行" in wizard.preview_summary.text()
    assert "可导入 2 行" in wizard.preview_summary.text()
    with qtbot.waitSignal(wizard.records_imported, timeout=30000):
        qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.busy, timeout=30000)
    assert [r[0] for r in stored_requests(ctx.db_path)] == ["YSQ2024-001", "YSQ2024-002"]
    assert [r[2] for r in stored_requests(ctx.db_path)] == [None, None]  # 联系手机 not imported


def test_an_edited_exported_row_is_shown_as_changed_and_updated_only_when_ticked(
    qtbot, ctx, records, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from gongkai_desktop.domain.periods import parse_period
    from gongkai_desktop.services.ledgers.export import LedgerExporter

    for day, name in enumerate(["-", "/", "普法宣传进村"], start=1):
        records.create(
            "outreach_event",
            {
                "event_date": f"2024-05-0{day}",
                "name": name,
                "event_type": "六五环境日",
                "place": "场镇",
                "audience_count": 100,
            },
        )
    exported = tmp_path / "宣传活动台账.xlsx"
    LedgerExporter(ctx).export("outreach_events", parse_period("2024"), exported)
    book = openpyxl.load_workbook(exported)
    sheet = book.active
    assert sheet is not None
    columns = {c.value: c.column for row in sheet.iter_rows(max_row=6) for c in row if c.value}
    target = next(c.row for row in sheet.iter_rows() for c in row if c.value == "普法宣传进村")
    sheet.cell(target, columns["地点"]).value = "村委会广场"
    edited = tmp_path / "宣传活动台账_改.xlsx"
    book.save(edited)

    wizard = previewed(qtbot, ctx, edited)
    assert "内容不同 1 行" in wizard.preview_summary.text()
    assert "重复 2 行" in wizard.preview_summary.text()
    assert wizard.tabs.currentWidget() is wizard.changed_page
    titles = [wizard.tabs.tabText(i) for i in range(wizard.tabs.count())]
    assert "内容不同（1）" in titles and "重复行（2）" in titles
    table = wizard.changed_table
    assert table.rowCount() == 1
    assert table.item(0, 0).checkState() == Qt.CheckState.Unchecked  # 跳过 by default
    assert "普法宣传进村" in table.item(0, 2).text()
    assert table.item(0, 3).text() == "地点：场镇 → 村委会广场"
    assert not wizard.next_button.isEnabled()  # nothing new, nothing chosen
    qtbot.mouseClick(wizard.update_all_button, Qt.MouseButton.LeftButton)
    assert table.item(0, 0).checkState() == Qt.CheckState.Checked and table.choice() is True
    assert wizard.next_button.isEnabled()
    qtbot.mouseClick(wizard.skip_all_button, Qt.MouseButton.LeftButton)
    assert table.item(0, 0).checkState() == Qt.CheckState.Unchecked
    assert not wizard.next_button.isEnabled()
    table.item(0, 0).setCheckState(Qt.CheckState.Checked)
    assert wizard.next_button.isEnabled()
    assert "更新 1 行" in wizard.changed_state.text()
    # for the eye: IMPORT_SHOTS names a folder to keep the screenshots in
    shots = Path(os.environ.get("IMPORT_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    assert wizard.grab().save(str(shots / "import_wizard_changed_rows.png"))

    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.busy, timeout=30000)
    assert wizard.pages.currentIndex() == RESULT
    assert wizard.import_result is not None and wizard.import_result.updated == 1
    assert "内容不同：已更新 1 行，跳过 0 行" in wizard.result_label.text()
    assert wizard.grab().save(str(shots / "import_wizard_changed_result.png"))
    conn = sqlite3.connect(ctx.db_path)
    try:
        places = conn.execute(
            "SELECT json_extract(data, '$.name'), json_extract(data, '$.place') FROM records"
            " WHERE form_id = 'outreach_event' ORDER BY rowid"
        ).fetchall()
        updates = conn.execute(
            "SELECT field, old_value, new_value FROM audit_log WHERE action = '修改'"
        ).fetchall()
    finally:
        conn.close()
    assert places == [("-", "场镇"), ("/", "场镇"), ("普法宣传进村", "村委会广场")]
    assert updates == [("place", '"场镇"', '"村委会广场"')]
