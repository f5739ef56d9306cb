"""The 台账导出 page: period chooser, export of one ledger and of every ledger of a period
into a chosen folder (worker with progress and cancel), all against a real SQLite file."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from gongkai_desktop.services.ledgers import export as ledger_export
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.settings import save_settings
from gongkai_desktop.ui.ledgers.ledger_page import LedgerPage, PeriodChooser

pytestmark = pytest.mark.gui

UNIT = "龙河镇人民政府"


@pytest.fixture
def page(qtbot, ctx, records: RecordService) -> LedgerPage:  # type: ignore[no-untyped-def]
    save_settings(ctx, {"unit_name": UNIT})
    for day, name in (("2024-05-06", "普法宣传进村"), ("2024-05-18", "六五环境日宣传")):
        records.create("outreach_event", {"event_date": day, "name": name, "event_type": "其他"})
    records.create(
        "outreach_event", {"event_date": "2024-06-05", "name": "六月", "event_type": "其他"}
    )
    widget = LedgerPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.period_chooser.set_kind("month")
    widget.period_chooser.year.setValue(2024)
    widget.period_chooser.month.setCurrentIndex(4)  # May
    return widget


def _count_shown(page: LedgerPage, title: str) -> str:
    for ledger in page.ledgers:
        if ledger.title == title:
            return page.count_text(ledger.id)
    raise AssertionError(title)


def test_period_chooser_defaults_to_last_month_and_knows_every_kind(qtbot) -> None:  # type: ignore[no-untyped-def]
    chooser = PeriodChooser(today=date(2024, 1, 15))
    qtbot.addWidget(chooser)
    assert chooser.period().label == "2023年12月"
    chooser.set_kind("quarter")
    assert chooser.period().label == "2023年第四季度"
    chooser.set_kind("year")
    assert chooser.period().label == "2023年度"
    chooser.set_kind("range")
    period = chooser.period()
    assert (period.start, period.end) == (date(2023, 12, 1), date(2023, 12, 31))


def test_list_shows_every_ledger_with_the_period_count(page: LedgerPage, ctx) -> None:  # type: ignore[no-untyped-def]
    shown = [title for _line, titles in page.group_titles() for title in titles]
    assert sorted(shown) == sorted(ledger.title for ledger in ctx.registry.ledgers.values())
    outreach = ctx.registry.ledger("outreach_events").title
    assert _count_shown(page, outreach) == "2"
    page.period_chooser.month.setCurrentIndex(5)  # June
    assert _count_shown(page, outreach) == "1"


def test_export_all_writes_every_ledger_into_the_folder(
    qtbot, page: LedgerPage, ctx, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "U盘"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    seen: list[tuple[int, int]] = []
    page._signals.progressed.connect(lambda n, total, _t: seen.append((n, total)))
    qtbot.mouseClick(page.export_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy, timeout=30000)

    expected = {f"{UNIT}_{ledger.title}_2024年5月.xlsx" for ledger in ctx.registry.ledgers.values()}
    assert {p.name for p in folder.iterdir()} == expected
    outreach = folder / f"{UNIT}_{ctx.registry.ledger('outreach_events').title}_2024年5月.xlsx"
    sheet = openpyxl.load_workbook(outreach).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert "普法宣传进村" in cells and "六五环境日宣传" in cells and "六月" not in cells
    # two outreach events in May; no other ledger has records
    assert seen[-1] == (2, 2)
    assert (page.progress_bar.value(), page.progress_bar.maximum()) == (2, 2)
    summary = page.summary.toPlainText()
    assert f"已导出 {len(expected)} 个台账（共 2 条记录）" in summary and str(folder) in summary
    assert page.open_folder_button.isVisibleTo(page)
    assert page.export_all_button.isEnabled()


def test_cancel_stops_and_leaves_no_partial_file(
    qtbot, page: LedgerPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "U盘"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    gate = threading.Event()
    original = ledger_export.LedgerExporter.export

    def held(self: Any, *args: Any, **kwargs: Any) -> Any:
        gate.wait(10)  # the clerk clicks 取消 while the first ledger is being written
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ledger_export.LedgerExporter, "export", held)
    qtbot.mouseClick(page.export_all_button, Qt.MouseButton.LeftButton)
    assert page.busy and page.cancel_button.isVisibleTo(page)
    assert not page.export_all_button.isEnabled()
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    gate.set()
    qtbot.waitUntil(lambda: not page.busy, timeout=30000)
    assert list(folder.iterdir()) == []
    assert "已取消" in page.progress_label.text()
    assert page.export_all_button.isEnabled()


def test_export_selected_suggests_the_standard_name(
    qtbot, page: LedgerPage, ctx, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "导出.xlsx"
    asked: list[str] = []

    def save_dialog(_parent: Any, _title: str, suggested: str, _filter: str) -> tuple[str, str]:
        asked.append(suggested)
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    page.select_ledger("outreach_events")
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy, timeout=30000)
    title = ctx.registry.ledger("outreach_events").title
    assert Path(asked[0]).name == f"{UNIT}_{title}_2024年5月.xlsx"
    assert target.exists()
    assert "共 2 条记录" in page.summary.toPlainText()


# ---- grouped by line of work, 预览 and 打印 (issue 13, item 8) -----------------------------
LINES = ["生态环境巡查", "宣传", "整改", "信息公开", "监管对象"]


def test_ledgers_are_grouped_by_line_of_work_in_the_order_of_the_form_files(
    page: LedgerPage, ctx
) -> None:  # type: ignore[no-untyped-def]
    groups = page.group_titles()
    assert [line for line, _titles in groups] == LINES
    by_line = dict(groups)
    # the inspection ledgers in the order inspection.yaml lists the inspection types
    assert by_line["生态环境巡查"] == [
        "饮用水水源地巡查台账",
        "排污单位环境安全检查台账",
        "畜禽养殖场巡查台账",
        "河湖巡查（河长制）记录台账",
        "秸秆禁烧巡查台账",
        "辐射安全检查台账",
        "其他巡查（马路办公等）记录台账",
    ]
    assert by_line["宣传"] == ["宣传活动台账"]
    assert by_line["整改"] == ["环境问题整改台账"]
    assert by_line["信息公开"] == [
        "主动公开信息台账",
        "依申请公开登记台账",
        "行政复议和行政诉讼台账",
    ]
    assert by_line["监管对象"] == ["排污单位台账", "畜禽养殖场台账"]
    # every ledger once; the line headings cannot be selected
    shown = [title for _line, titles in groups for title in titles]
    assert sorted(shown) == sorted(ledger.title for ledger in ctx.registry.ledgers.values())
    heading = page.table.topLevelItem(0)
    assert not heading.flags() & Qt.ItemFlag.ItemIsSelectable


def test_preview_shows_the_selected_ledgers_first_page(qtbot, page: LedgerPage) -> None:  # type: ignore[no-untyped-def]
    page.select_ledger("outreach_events")
    qtbot.waitUntil(
        lambda: page.preview_grid is not None and not page.preview_pixmap().isNull(),
        timeout=30000,
    )
    grid = page.preview_grid
    texts = [cell.text for row in grid.rows for cell in row if cell is not None]
    # May's two events, as the .xlsx has them, and not June's
    assert "普法宣传进村" in texts and "六五环境日宣传" in texts and "六月" not in texts
    assert any("2024年5月宣传活动台账" in text for text in texts)
    image = page.preview_pixmap().toImage()
    assert image.width() > image.height() > 300  # A4 landscape
    # not a blank page: a good share of the paper is ink (grid lines and text)
    dark = sum(
        1
        for x in range(0, image.width(), 4)
        for y in range(0, image.height(), 4)
        if image.pixelColor(x, y).lightness() < 128
    )
    assert dark > 200
    shown = page.preview_label.pixmap()
    assert shown is not None and not shown.isNull()


def test_print_ledger_prints_its_rows(qtbot, page: LedgerPage, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from pypdf import PdfReader
    from PySide6.QtPrintSupport import QPrinter

    page.select_ledger("outreach_events")
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.preview_dialog is not None, timeout=30000)
    out = tmp_path / "ledger.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    pages = page.paint(printer)
    del printer
    reader = PdfReader(out)
    assert pages == len(reader.pages) == 1
    text = "".join(p.extract_text() for p in reader.pages)
    for expected in ("2024年5月宣传活动台账", "普法宣传进村", "六五环境日宣传", "填报单位"):
        assert expected in text
    assert "六月" not in text
    page.preview_dialog.reject()
    qtbot.waitUntil(lambda: page.preview_dialog is None)
