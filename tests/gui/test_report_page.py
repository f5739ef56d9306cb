"""The 报表 page against a real SQLite file: the monthly summary on the page, in the
print preview and exported as PDF / Excel / Word; the annual report's texts per year
with drafts and export; the activity summary's event picker and Word export."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from docx import Document
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.reports import annual as report_annual
from gongkai_desktop.services.reports.annual import AnnualTexts, annual_drafts, save_annual_texts
from gongkai_desktop.services.settings import save_settings
from gongkai_desktop.ui.reports.page import ReportPage

from .gui_helpers import Answer, type_chinese

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard"),
]

UNIT = "龙河镇人民政府"
TODAY = date(2024, 6, 15)  # 上月 = 2024年5月
Button = QMessageBox.StandardButton
WAIT = 30000


@pytest.fixture
def data(ctx, records: RecordService) -> dict[str, str]:  # type: ignore[no-untyped-def]
    save_settings(ctx, {"unit_name": UNIT, "township": "龙河镇", "addressee": "县委、县政府"})
    ids = {}
    for day, name, kind, audience in (
        ("2024-05-06", "普法宣传进村", "普法宣传", 120),
        ("2024-05-18", "六五环境日宣传", "六五环境日", 300),
        ("2024-06-05", "六五环境日集中宣传", "六五环境日", 500),
        ("2023-06-05", "去年环境日", "六五环境日", 80),
    ):
        ids[name] = records.create(
            "outreach_event",
            {
                "event_date": day,
                "name": name,
                "event_type": kind,
                "audience_count": audience,
                "staff_count": 6,
                "place": "龙河村文化广场",
                "description": f"{name}活动情况良好。",
            },
        ).id
    records.create(
        "inspection",
        {
            "inspection_date": "2024-05-10",
            "inspection_type": "秸秆禁烧巡查",
            "inspectors": "张三",
            "inspector_count": 2,
        },
    )
    return ids


@pytest.fixture
def page(qtbot, ctx, data) -> ReportPage:  # type: ignore[no-untyped-def]
    widget = ReportPage(ctx, today=TODAY)
    qtbot.addWidget(widget)
    widget.resize(1100, 760)
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: widget.monthly.summary is not None and not widget.busy, timeout=WAIT)
    yield widget
    # nothing may still read the database when the fixture closes it (a test that
    # changes the year waits for its drafts itself: results queued after the test body
    # are not delivered during teardown)
    qtbot.waitUntil(lambda: not widget.busy, timeout=WAIT)


class SaveDialog:
    """Stands in for QFileDialog.getSaveFileName: answers ``target``, records the
    suggested path."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.suggested: list[Path] = []

    def __call__(self, _parent: Any, _title: str, suggested: str, _filter: str) -> tuple[str, str]:
        self.suggested.append(Path(suggested))
        return str(self.target), ""


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def pdf_text(path: Path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


# ---- 月度小结 -----------------------------------------------------------------------------
def test_monthly_defaults_to_last_month_and_shows_the_summary(page: ReportPage, qtbot) -> None:  # type: ignore[no-untyped-def]
    monthly = page.monthly
    assert monthly.period().label == "2024年5月"
    shown = monthly.browser.toPlainText()
    assert "2024年5月生态环境保护工作小结" in shown
    assert "开展生态环境保护宣传活动2次" in shown  # the two May events, not June's
    monthly.month.setCurrentIndex(5)  # June
    qtbot.waitUntil(lambda: monthly.summary.period.label == "2024年6月", timeout=WAIT)
    assert "开展生态环境保护宣传活动1次" in monthly.browser.toPlainText()


@pytest.mark.parametrize("suffix", [".pdf", ".xlsx", ".docx"])
def test_monthly_export_writes_the_file_with_the_standard_name(
    page: ReportPage, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / f"小结{suffix}"
    dialog = SaveDialog(target)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    # 制表日期: May's last working day (Friday 31st) unless chosen; here chosen
    assert page.monthly.made_on.date().toString("yyyy-MM-dd") == "2024-05-31"
    page.monthly.made_on.setDate(page.monthly.made_on.date().addDays(3))  # 2024-06-03
    button = {
        ".pdf": page.monthly.pdf_button,
        ".xlsx": page.monthly.xlsx_button,
        ".docx": page.monthly.docx_button,
    }[suffix]
    click(qtbot, button)
    assert page.busy and not button.isEnabled()
    qtbot.waitUntil(lambda: not page.busy, timeout=WAIT)

    assert dialog.suggested[0].name == f"{UNIT}_2024年5月生态环境保护工作小结{suffix}"
    assert target.exists()
    if suffix == ".pdf":
        text = pdf_text(target)
    elif suffix == ".xlsx":
        sheet = openpyxl.load_workbook(target).active
        text = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)
    else:
        text = docx_text(target)
    assert "2024年5月" in text
    assert "制表日期：2024年6月3日" in text.replace(" ", "")
    runner = page.monthly.runner
    assert str(target) in runner.status.text()
    assert runner.open_folder_button.isVisibleTo(page) and runner.last_file == target
    assert button.isEnabled()


def test_preview_dialog_paints_the_same_document_as_the_pdf(
    page: ReportPage, qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    monthly = page.monthly
    click(qtbot, monthly.preview_button)
    qtbot.waitUntil(lambda: monthly.preview_dialog is not None, timeout=WAIT)
    dialog = monthly.preview_dialog
    assert dialog is not None and dialog.isVisible()
    # what the preview's paintRequested does, onto a PDF printer instead of the screen
    out = tmp_path / "preview.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    pages = monthly.paint(printer)
    del printer
    assert pages >= 1 and len(PdfReader(out).pages) == pages
    assert "2024年5月生态环境保护工作小结" in pdf_text(out)
    dialog.reject()
    qtbot.waitUntil(lambda: monthly.preview_dialog is None)


def test_print_dialog_prints_the_summary(page: ReportPage, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    monthly = page.monthly
    click(qtbot, monthly.print_button)
    qtbot.waitUntil(lambda: monthly.print_dialog is not None, timeout=WAIT)
    dialog = monthly.print_dialog
    assert dialog is not None
    out = tmp_path / "printed.pdf"
    dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    dialog.printer().setOutputFileName(str(out))
    # the clerk pressed 打印 (accept() would first copy the dialog's own fields over these)
    dialog.done(QDialog.DialogCode.Accepted)
    qtbot.waitUntil(lambda: monthly.print_dialog is None)
    assert "开展生态环境保护宣传活动2次" in pdf_text(out)


# ---- 年度报告 -----------------------------------------------------------------------------
def _annual(page: ReportPage, qtbot):  # type: ignore[no-untyped-def]
    page.tabs.setCurrentWidget(page.annual)
    qtbot.waitUntil(lambda: page.annual.drafts is not None, timeout=WAIT)
    return page.annual


def test_annual_texts_save_and_reload_per_year(
    page: ReportPage, qtbot, ctx, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    annual = _annual(page, qtbot)
    assert annual.year.value() == 2024 and not annual.save_button.isEnabled()
    type_chinese(annual.edits["problems"], "巡查人手不足")
    assert annual.dirty and annual.save_button.isEnabled()
    click(qtbot, annual.save_button)
    assert not annual.dirty and "已保存" in annual.saved_label.text()

    annual.year.setValue(2023)  # saved: no question
    assert annual.loaded_year == 2023
    assert annual.edits["problems"].toPlainText() == ""
    type_chinese(annual.edits["plans"], "明年计划")

    ask = Answer(Button.Cancel)
    monkeypatch.setattr(QMessageBox, "question", ask)
    annual.year.setValue(2024)
    assert ask.texts and annual.loaded_year == 2023 and annual.year.value() == 2023
    assert annual.edits["plans"].toPlainText() == "明年计划"

    monkeypatch.setattr(QMessageBox, "question", Answer(Button.Save))
    annual.year.setValue(2024)
    assert annual.loaded_year == 2024
    assert annual.edits["problems"].toPlainText() == "巡查人手不足"
    assert annual.edits["plans"].toPlainText() == ""

    monkeypatch.setattr(QMessageBox, "question", Answer(Button.Discard))
    type_chinese(annual.edits["opening"], "不要了")
    annual.year.setValue(2023)
    assert annual.edits["plans"].toPlainText() == "明年计划"  # saved by the Save answer
    annual.year.setValue(2024)
    assert annual.edits["opening"].toPlainText() == ""  # discarded
    qtbot.waitUntil(lambda: not annual.drafts_loading, timeout=WAIT)


def test_drafts_are_placeholders_and_the_button_fills_them_in(
    page: ReportPage, qtbot, ctx, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    annual = _annual(page, qtbot)
    drafts = annual_drafts(ctx, 2024)
    for part in ("opening", "problems", "plans"):
        assert annual.edits[part].placeholderText() == getattr(drafts, part)
        assert annual.edits[part].toPlainText() == ""
    assert "2024年" in drafts.opening

    type_chinese(annual.edits["plans"], "自己写的计划")
    keep = Answer(Button.No)
    monkeypatch.setattr(QMessageBox, "question", keep)
    click(qtbot, annual.drafts_button)
    assert keep.texts and annual.edits["plans"].toPlainText() == "自己写的计划"
    assert annual.edits["opening"].toPlainText() == ""

    monkeypatch.setattr(QMessageBox, "question", Answer(Button.Yes))
    click(qtbot, annual.drafts_button)
    for part in ("opening", "problems", "plans"):
        assert annual.edits[part].toPlainText() == getattr(drafts, part)
    annual.edits["plans"].undo()  # the draft replaced the clerk's text undoably
    assert annual.edits["plans"].toPlainText() == "自己写的计划"


@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
def test_annual_export_reports_progress_and_uses_the_saved_text(
    page: ReportPage, qtbot, ctx, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:  # type: ignore[no-untyped-def]
    annual = _annual(page, qtbot)
    save_annual_texts(ctx, 2024, AnnualTexts(problems="人手紧张，巡查频次不足。"))
    annual.load_year(2024)
    qtbot.waitUntil(lambda: annual.drafts is not None, timeout=WAIT)
    type_chinese(annual.edits["plans"], "加强巡查。")
    monkeypatch.setattr(QMessageBox, "question", Answer(Button.Save))  # save, then export
    target = tmp_path / f"年度{suffix}"
    dialog = SaveDialog(target)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    seen: list[tuple[int, int]] = []
    annual.runner._signals.progressed.connect(lambda done, total: seen.append((done, total)))
    click(qtbot, annual.docx_button if suffix == ".docx" else annual.xlsx_button)
    qtbot.waitUntil(lambda: not annual.busy, timeout=WAIT)

    assert dialog.suggested[0].name == f"{UNIT}_2024年度生态环境保护工作情况报告{suffix}"
    assert target.exists() and not annual.dirty
    total = seen[-1][1]
    # the service's own steps, then one for writing the file
    assert len(seen) >= 2 and seen[-1] == (total, total) and seen[-2][0] < total
    assert [done for done, _t in seen] == sorted(done for done, _t in seen)
    bar = annual.runner.progress_bar
    assert (bar.value(), bar.maximum()) == (total, total)
    if suffix == ".docx":
        text = docx_text(target)
        assert "人手紧张，巡查频次不足。" in text and "加强巡查。" in text
        assert "2024年度" in text
    else:
        book = openpyxl.load_workbook(target)
        cells = [str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row if c]
        assert any("2024" in c for c in cells)


def test_annual_export_can_be_cancelled_before_the_file_is_written(
    page: ReportPage, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    annual = _annual(page, qtbot)
    gate = threading.Event()
    original = report_annual.annual_report

    def held(*args: Any, **kwargs: Any) -> Any:
        gate.wait(10)  # the clerk clicks 取消 while the report is being built
        return original(*args, **kwargs)

    monkeypatch.setattr(report_annual, "annual_report", held)
    target = tmp_path / "年度.docx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", SaveDialog(target))
    click(qtbot, annual.docx_button)
    assert annual.busy and annual.runner.cancel_button.isVisibleTo(page)
    assert not annual.docx_button.isEnabled() and not annual.year.isEnabled()
    click(qtbot, annual.runner.cancel_button)
    gate.set()
    qtbot.waitUntil(lambda: not annual.busy, timeout=WAIT)
    assert not target.exists()
    assert "已取消" in annual.runner.status.text()
    assert annual.docx_button.isEnabled()


def test_annual_export_uses_the_chosen_date_and_asks_about_missing_settings(
    page: ReportPage, qtbot, ctx, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    annual = _annual(page, qtbot)
    # the default 成文日期: 2024-12-31 is a Tuesday, a working day
    assert annual.made_on.date().toString("yyyy-MM-dd") == "2024-12-31"
    annual.made_on.setDate(annual.made_on.date().addDays(6))  # 2025-01-06
    target = tmp_path / "年度.docx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", SaveDialog(target))
    click(qtbot, annual.docx_button)
    qtbot.waitUntil(lambda: not annual.busy, timeout=WAIT)
    texts = [p.text for p in Document(str(target)).paragraphs]
    assert "2025年1月6日" in texts and "县委、县政府：" in texts
    target.unlink()

    save_settings(ctx, {"addressee": ""})
    ask = Answer(Button.Cancel)
    monkeypatch.setattr(QMessageBox, "question", ask)
    click(qtbot, annual.docx_button)
    assert len(ask.texts) == 1 and "主送机关" in ask.texts[0]
    assert not annual.busy and not target.exists()  # 取消: nothing written
    monkeypatch.setattr(QMessageBox, "question", Answer(Button.Yes))
    click(qtbot, annual.docx_button)
    qtbot.waitUntil(lambda: not annual.busy, timeout=WAIT)
    assert target.exists()


# ---- 活动总结 -----------------------------------------------------------------------------
def _shown_names(page: ReportPage) -> list[str]:
    tree = page.activity.tree
    return [tree.topLevelItem(r).text(1) for r in range(tree.topLevelItemCount())]


def test_activity_list_filters_by_dates_type_and_words(page: ReportPage, qtbot) -> None:  # type: ignore[no-untyped-def]
    activity = page.activity
    page.tabs.setCurrentWidget(activity)
    # default: from the first day of last month to today
    assert _shown_names(page) == ["普法宣传进村", "六五环境日宣传", "六五环境日集中宣传"]
    tree = activity.tree
    assert tree.topLevelItem(1).text(3) == "300"
    activity.type_combo.setCurrentIndex(activity.type_combo.findText("六五环境日"))
    assert _shown_names(page) == ["六五环境日宣传", "六五环境日集中宣传"]
    activity.start.setDate(date(2023, 1, 1))
    assert _shown_names(page) == ["去年环境日", "六五环境日宣传", "六五环境日集中宣传"]
    type_chinese(activity.search, "集中")
    qtbot.waitUntil(lambda: _shown_names(page) == ["六五环境日集中宣传"])
    activity.start.setDate(date(2024, 7, 1))  # after the to-date
    assert activity.range_error.isVisibleTo(page) and _shown_names(page) == []
    assert not activity.export_button.isEnabled()


def test_activity_export_with_two_checked_events(
    page: ReportPage, qtbot, data, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    activity = page.activity
    page.tabs.setCurrentWidget(activity)
    assert not activity.export_button.isEnabled()
    activity.set_checked(data["六五环境日宣传"], True)
    activity.set_checked(data["六五环境日集中宣传"], True)
    assert activity.checked == {data["六五环境日宣传"], data["六五环境日集中宣传"]}
    assert "已勾选 2 项" in activity.count_label.text()
    type_chinese(activity.search, "普法")  # a checked event filtered out stays checked
    qtbot.waitUntil(lambda: _shown_names(page) == ["普法宣传进村"])
    assert "其中 2 项不在当前列表中" in activity.count_label.text()
    type_chinese(activity.title_edit, "六五环境日宣传活动开展情况")
    type_chinese(activity.description_edit, "两场活动群众反响热烈。")
    type_chinese(activity.theme_edit, "本次活动以美丽中国为主题。")
    assert not activity.date_edit.isEnabled()
    activity.date_check.setChecked(True)
    activity.date_edit.setDate(date(2024, 6, 28))
    target = tmp_path / "活动.docx"
    dialog = SaveDialog(target)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    click(qtbot, activity.export_button)
    qtbot.waitUntil(lambda: not activity.busy, timeout=WAIT)

    assert dialog.suggested[0].name == f"{UNIT}_六五环境日宣传活动开展情况.docx"
    text = docx_text(target)
    assert "六五环境日宣传活动开展情况" in text and "两场活动群众反响热烈。" in text
    assert "六五环境日宣传" in text and "六五环境日集中宣传" in text
    assert "普法宣传进村" not in text
    assert "本次活动以美丽中国为主题。" in text and "\n2024年6月28日\n" in text
    assert str(target) in activity.runner.status.text()


def test_activity_default_file_name_names_the_dates(
    page: ReportPage, qtbot, data, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    activity = page.activity
    page.tabs.setCurrentWidget(activity)
    activity.set_checked(data["普法宣传进村"], True)
    activity.set_checked(data["六五环境日宣传"], True)
    dialog = SaveDialog(tmp_path / "a.docx")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    click(qtbot, activity.export_button)
    qtbot.waitUntil(lambda: not activity.busy, timeout=WAIT)
    assert dialog.suggested[0].name == f"{UNIT}_2024年5月6日至18日宣传活动开展情况.docx"
    # 成文日期 not chosen: the last event's date
    assert "\n2024年5月18日\n" in docx_text(tmp_path / "a.docx") + "\n"


def test_main_window_asks_before_closing_with_unsaved_annual_text(
    qtbot, ctx, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from gongkai_desktop.ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    page = window.show_module("报表")
    assert isinstance(page, ReportPage) and page is window.report_page
    annual = _annual(page, qtbot)
    type_chinese(annual.edits["opening"], "还没保存的开头")
    qtbot.waitUntil(lambda: not page.busy, timeout=WAIT)
    ask = Answer(Button.Cancel)
    monkeypatch.setattr(QMessageBox, "question", ask)
    assert not window.close() and window.isVisible() and ask.texts
    monkeypatch.setattr(QMessageBox, "question", Answer(Button.Save))
    assert window.close()
    from gongkai_desktop.services.reports.annual import load_annual_texts

    assert load_annual_texts(ctx, annual.loaded_year).opening == "还没保存的开头"
