"""The window's quick actions (issue 13, item 3): the toolbar opens the right editor, the
month-end dialog and the export of last month's ledgers; Ctrl+P prints the shown list
(here to a PDF, read back with pypdf) with exactly its filtered rows; the navigation
has icons; each list has one highlighted main button."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton

from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.settings import save_settings
from gongkai_desktop.ui.main_window import MainWindow
from gongkai_desktop.ui.records.editor import RecordEditor
from gongkai_desktop.ui.records.record_list import RecordListPage
from gongkai_desktop.ui.submission.close_dialog import CloseDialog

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard"),
]

UNIT = "龙河镇人民政府"


@pytest.fixture
def window(qtbot, ctx) -> MainWindow:  # type: ignore[no-untyped-def]
    save_settings(ctx, {"unit_name": UNIT})
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.resize(1280, 680)
    win.show()
    qtbot.waitExposed(win)
    return win


def pdf_text(path: Path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


@pytest.mark.parametrize(
    ("action", "form_id"),
    [
        ("new_inspection", "inspection"),
        ("new_outreach", "outreach_event"),
        ("new_task", "rectification_task"),
    ],
)
def test_toolbar_new_actions_open_the_forms_editor(qtbot, window, action, form_id) -> None:  # type: ignore[no-untyped-def]
    window.show_module("设置")  # from any page
    window.quick_actions[action].trigger()
    qtbot.waitUntil(lambda: window.editor is not None and window.editor.isVisible())
    editor = window.editor
    assert isinstance(editor, RecordEditor)
    assert editor.form.id == form_id and editor.record_id is None
    editor.close()
    qtbot.waitUntil(lambda: window.editor is None)


def test_toolbar_month_end_opens_the_close_dialog_in_a_township_only(qtbot, window, ctx) -> None:  # type: ignore[no-untyped-def]
    close = window.quick_actions["close_month"]
    assert close.isVisible()
    close.trigger()
    qtbot.waitUntil(lambda: window.close_dialog is not None)
    dialog = window.close_dialog
    assert isinstance(dialog, CloseDialog) and dialog.isVisible()
    dialog.reject()
    qtbot.waitUntil(lambda: window.close_dialog is None)
    # a county database receives packages and submits none: no 月末报送 in its toolbar
    save_settings(ctx, {"usage": "县级汇总"})
    window._build_pages()
    assert window.county and not window.quick_actions["close_month"].isVisible()
    assert window.open_close_dialog() is None


def test_toolbar_exports_last_months_ledgers(
    qtbot, window, records: RecordService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    first = date.today().replace(day=1)
    last_month = first - timedelta(days=1)
    records.create(
        "outreach_event",
        {"event_date": last_month.isoformat(), "name": "上月宣传", "event_type": "其他"},
    )
    records.create(
        "outreach_event",
        {"event_date": first.isoformat(), "name": "本月宣传", "event_type": "其他"},
    )
    folder = tmp_path / "U盘"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    page = window.show_module("台账导出")
    assert page is window.ledger_page
    page.period_chooser.set_kind("year")  # the clerk had looked at something else
    window.show_module("工作台")
    window.quick_actions["export_last_month"].trigger()
    assert window.current_page() is page
    qtbot.waitUntil(lambda: not page.busy and page.summary.toPlainText() != "", timeout=60000)
    label = f"{last_month.year}年{last_month.month}月"
    written = sorted(p.name for p in folder.glob("*.xlsx"))
    assert len(written) == len(window.service.registry.ledgers)
    assert f"{UNIT}_宣传活动台账_{label}.xlsx" in written
    import openpyxl

    sheet = openpyxl.load_workbook(folder / f"{UNIT}_宣传活动台账_{label}.xlsx").active
    names = [c.value for row in sheet.iter_rows() for c in row]
    assert "上月宣传" in names and "本月宣传" not in names


def _rows_of_type(db_path: Path, kind: str) -> list[str]:
    conn = sqlite3.connect(db_path)
    try:
        return [
            row[0]
            for row in conn.execute(
                "SELECT json_extract(data, '$.inspectors') FROM records WHERE form_id='inspection'"
                " AND deleted=0 AND json_extract(data, '$.inspection_type')=?",
                (kind,),
            )
        ]
    finally:
        conn.close()


def test_ctrl_p_prints_exactly_the_filtered_rows_of_the_shown_list(
    qtbot, window, ctx, records: RecordService, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    other = "其他（马路办公等）"
    for n, kind in enumerate(("秸秆禁烧巡查", "秸秆禁烧巡查", other, "秸秆禁烧巡查", other)):
        records.create(
            "inspection",
            {
                "inspection_date": f"2026-03-{n + 1:02d}",
                "inspection_type": kind,
                "inspectors": f"巡查员{n + 1}号",
                "village": "龙河村",
            },
        )
    page = window.show_module("巡查检查")
    assert isinstance(page, RecordListPage)
    page.refresh()
    combo = page.filter_combos["inspection_type"]
    assert combo.findText(other) > 0
    combo.setCurrentIndex(combo.findText(other))
    expected = _rows_of_type(ctx.db_path, other)
    assert sorted(expected) == ["巡查员3号", "巡查员5号"]  # independent of the list
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.preview_dialog is not None, timeout=20000)
    out = tmp_path / "list.pdf"
    printer = pdf_printer(out)
    pages = page.paint(printer)  # what the preview paints, onto a PDF
    del printer
    assert pages == 1 and len(PdfReader(out).pages) == 1
    text = pdf_text(out)
    for inspector in expected:
        assert inspector in text
    for left_out in ("巡查员1号", "巡查员2号", "巡查员4号"):
        assert left_out not in text
    # the list's columns, the caption with the count, the page number
    for label in ("巡查日期", "巡查类型", "所在村（社区）", "巡查人员", "巡查检查（共 2 条）"):
        assert label in text
    assert "第 1 页 共 1 页" in text
    # A4 landscape
    size = PdfReader(out).pages[0].mediabox
    assert float(size.width) > float(size.height)
    dialog = page.preview_dialog
    dialog.reject()
    qtbot.waitUntil(lambda: page.preview_dialog is None)
    for state in QApplication.topLevelWidgets():
        if state.isVisible() and state is not window:
            state.close()


def test_print_list_button_beside_export_and_one_main_button(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    page = window.show_module("宣传活动")
    assert page.print_button.isVisible() and page.export_button.isVisible()
    assert page.print_button.text() == "打印当前列表…"
    primary = [b for b in page.findChildren(QPushButton) if b.property("primary")]
    assert primary == [page.new_button]
    assert page.new_button.font().bold() or "bold" in page.new_button.styleSheet()
    # the 回收站 prints nothing and has no 新建
    assert not window.recycle_bin.print_button.isVisible()


def test_ctrl_p_where_nothing_prints_says_so(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    window.show_module("设置")
    window.quick_actions["print"].trigger()
    assert window.statusBar().currentMessage() == "本页没有可打印的内容"


def test_navigation_has_an_icon_for_every_module(window) -> None:  # type: ignore[no-untyped-def]
    for row in range(window.nav.count()):
        item = window.nav.item(row)
        assert not item.icon().isNull(), item.text()
        assert not item.icon().pixmap(18, 18).toImage().isNull()
    assert window.toolbar.isVisible()
    texts = [a.text() for a in window.toolbar.actions() if a.text()]
    assert texts == ["新建巡查", "新建宣传活动", "新建整改任务", "导出上月台账", "月末报送", "打印"]


def test_ctrl_p_on_the_reports_prints_the_monthly_summary(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    reports = window.show_module("报表")
    reports.tabs.setCurrentWidget(reports.monthly)
    qtbot.waitUntil(lambda: not reports.monthly.busy, timeout=30000)  # the month's summary
    window.quick_actions["print"].trigger()
    qtbot.waitUntil(lambda: reports.monthly.preview_dialog is not None, timeout=30000)
    reports.monthly.preview_dialog.reject()
    qtbot.waitUntil(lambda: reports.monthly.preview_dialog is None)
    # the 年度报告 tab is edited and exported, not printed from the page
    reports.tabs.setCurrentWidget(reports.annual)
    window.quick_actions["print"].trigger()
    assert window.statusBar().currentMessage() == "本页没有可打印的内容"


def test_a_very_long_list_asks_before_printing(qtbot, window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    from gongkai_desktop.services.documents.print_grid import simple_grid
    from gongkai_desktop.ui import printing

    page = window.show_module("宣传活动")
    rows = [["2026-01-01", f"活动{n}"] for n in range(printing.PRINT_CONFIRM_ROWS + 1)]
    grid = simple_grid("宣传活动", ["日期", "名称"], rows, [12, 20])
    asked: list[str] = []

    def answer(_parent, _title, text, *args):  # type: ignore[no-untyped-def]
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", answer)
    assert page.printing.open(grid) is False
    assert page.preview_dialog is None and "2,001" in asked[0]
