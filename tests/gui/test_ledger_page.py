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
