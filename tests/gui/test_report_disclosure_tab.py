"""The 信息公开年报 tab of the 报表 page against a real SQLite file: tables 三 and 四
previewed from the registers, the consistency check (typed 上年结转 that disagrees with
the register), table 二 and 上年结转 per year, the texts with their drafts, and export to
Excel / Word / JSON through the tab."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from docx import Document
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from gongkai_desktop.services.disclosure import report as dr
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.settings import save_settings
from gongkai_desktop.ui.reports.disclosure_tab import DisclosureTab, default_year
from gongkai_desktop.ui.reports.page import ReportPage

from ..unit.disclosure_helpers import request
from .gui_helpers import Answer, type_chinese

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard"),
]

UNIT = "龙河镇人民政府"
TODAY = date(2025, 2, 10)  # before April: the report of 2024 is due
Button = QMessageBox.StandardButton
WAIT = 30000
NEW = ("一、本年新收政府信息公开申请数量",)
CARRIED_IN = ("二、上年结转政府信息公开申请数量",)
RESULTS = "三、本年度办理结果"
TOTAL = (RESULTS, "（七）总计")
CARRIED_OUT = ("四、结转下年度继续办理",)


@pytest.fixture
def data(ctx, records: RecordService) -> None:  # type: ignore[no-untyped-def]
    save_settings(ctx, {"unit_name": UNIT, "township": "龙河镇"})
    # received 2023, answered 2024: carried into 2024 and handled in it
    request(records, "2023-12-20", "自然人", "（一）予以公开", "2024-01-10")
    request(records, "2024-03-01", "商业企业", "（二）部分公开", "2024-03-15")
    request(records, "2024-04-01", "自然人", "（三）1.属于国家秘密", "2024-04-20")
    request(records, "2024-05-01", "法律服务机构", "（五）2.重复申请", "2024-05-06")
    request(records, "2024-12-30", "其他")  # open at the year's end: carried out
    for result, decided in (("结果维持", "2024-08-01"), ("尚未审结", None)):
        values = {"case_type": "行政复议", "filed_date": "2024-06-01", "applicant": "某人"}
        values["result"] = result
        if decided:
            values["decided_date"] = decided
        records.create("review_case", values)


def previewed(qtbot, tab: DisclosureTab) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not tab.busy and tab.report is not None, timeout=WAIT)


@pytest.fixture
def page(qtbot, ctx, data) -> ReportPage:  # type: ignore[no-untyped-def]
    widget = ReportPage(ctx, today=TODAY)
    qtbot.addWidget(widget)
    widget.resize(1180, 760)
    widget.tabs.setCurrentWidget(widget.disclosure)
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: not widget.busy and widget.disclosure.report is not None, timeout=WAIT)
    yield widget
    qtbot.waitUntil(lambda: not widget.busy, timeout=WAIT)


class SaveDialog:
    """Stands in for QFileDialog.getSaveFileName: answers ``target``."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.suggested: list[Path] = []

    def __call__(self, _parent: Any, _title: str, suggested: str, _filter: str) -> tuple[str, str]:
        self.suggested.append(Path(suggested))
        return str(self.target), ""


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_default_year_is_last_year_until_april() -> None:
    assert default_year(date(2025, 3, 31)) == 2024
    assert default_year(date(2025, 4, 1)) == 2025
    assert default_year(date(2025, 1, 1)) == 2024


def test_preview_shows_tables_three_and_four_from_the_registers(page: ReportPage) -> None:
    tab = page.disclosure
    assert tab.year.value() == 2024
    #                            自然人 商业 科研 公益 法律 其他 总计
    assert tab.table3_row(NEW) == [1, 1, 0, 0, 1, 1, 4]
    assert tab.table3_row(CARRIED_IN) == [1, 0, 0, 0, 0, 0, 1]
    assert tab.table3_row((RESULTS, "（一）予以公开")) == [1, 0, 0, 0, 0, 0, 1]
    assert tab.table3_row((RESULTS, dr.RESULT_GROUPS[1][0])) == [0, 1, 0, 0, 0, 0, 1]
    assert tab.table3_row((RESULTS, "（三）不予公开", "1.属于国家秘密")) == [1, 0, 0, 0, 0, 0, 1]
    assert tab.table3_row((RESULTS, "（五）不予处理", "2.重复申请")) == [0, 0, 0, 0, 1, 0, 1]
    assert tab.table3_row(TOTAL) == [2, 1, 0, 0, 1, 0, 4]
    assert tab.table3_row(CARRIED_OUT) == [0, 0, 0, 0, 0, 1, 1]
    # the official labels in the label columns
    assert tab.table3.item(0, 0).text() == "一、本年新收政府信息公开申请数量"
    assert tab.table3.item(2, 0).text() == "三、本年度办理结果"
    assert tab.table3.item(4, 1).text() == "（三）不予公开"
    assert tab.table3.item(4, 2).text() == "1.属于国家秘密"
    # 表四: 行政复议 one upheld, one undecided
    review = [int(tab.table4.item(0, c).text()) for c in range(5)]
    assert review == [1, 0, 0, 1, 2]
    assert tab.check_label.text() == "勾稽关系检查通过"
    # unchecked 上年结转 shows the register's figure, disabled
    assert tab.carried_spins["自然人"].value() == 1
    assert not tab.carried_spins["自然人"].isEnabled()


def test_another_year_is_previewed(page: ReportPage, qtbot) -> None:  # type: ignore[no-untyped-def]
    tab = page.disclosure
    tab.year.setValue(2023)
    previewed(qtbot, tab)
    assert tab.table3_row(NEW) == [1, 0, 0, 0, 0, 0, 1]
    assert tab.table3_row(CARRIED_OUT) == [1, 0, 0, 0, 0, 0, 1]
    assert tab.table3_row(TOTAL) == [0] * 7


def test_typed_carry_over_mismatch_is_shown_and_export_asks(
    page: ReportPage, qtbot, ctx, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    tab = page.disclosure
    assert not tab.save_carried_button.isEnabled()
    tab.carried_check.setChecked(True)
    assert tab.carried_spins["自然人"].isEnabled()
    tab.carried_spins["自然人"].setValue(3)
    click(qtbot, tab.save_carried_button)
    previewed(qtbot, tab)
    assert dr.load_carried_in(ctx, 2024) == (3, 0, 0, 0, 0, 0, 3)
    assert tab.table3_row(CARRIED_IN) == [3, 0, 0, 0, 0, 0, 3]
    shown = tab.check_label.text()
    assert "不一致" in shown and "（手工填写）" in shown
    assert tab.check_label.styleSheet() == "color: #c0392b;"
    n = len(dr.check(dr.disclosure_report(ctx, 2024)))
    assert shown.startswith(f"存在{n}处不一致")

    target = tmp_path / "年报.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", SaveDialog(target))
    ask = Answer(Button.No)
    monkeypatch.setattr(QMessageBox, "question", ask)
    click(qtbot, tab.xlsx_button)
    qtbot.waitUntil(lambda: bool(ask.texts), timeout=WAIT)
    assert ask.texts == [f"存在{n}处不一致，仍要导出吗？"]
    qtbot.waitUntil(lambda: not tab.busy, timeout=WAIT)
    assert not target.exists()

    monkeypatch.setattr(QMessageBox, "question", Answer(Button.Yes))
    click(qtbot, tab.xlsx_button)
    qtbot.waitUntil(lambda: tab.runner.last_file == target, timeout=WAIT)
    assert target.exists()

    # cleared: computed again, and the check passes
    tab.carried_check.setChecked(False)
    click(qtbot, tab.save_carried_button)
    previewed(qtbot, tab)
    assert dr.load_carried_in(ctx, 2024) is None
    assert tab.table3_row(CARRIED_IN) == [1, 0, 0, 0, 0, 0, 1]
    assert tab.check_label.text() == "勾稽关系检查通过"


def test_table2_is_prefilled_then_saved_per_year(
    page: ReportPage, qtbot, ctx, records: RecordService, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    tab = page.disclosure
    assert "按主动公开登记簿预填" in tab.table2_note.text()
    assert tab.save_table2_button.isEnabled()  # the prefill can be confirmed as it is
    assert not tab.prefill_button.isEnabled()
    tab.table2_spins["normative_made"].setValue(2)
    tab.table2_spins["licensing"].setValue(5)
    tab.table2_spins["fees"].setValue(1.25)
    assert tab.dirty
    click(qtbot, tab.save_table2_button)
    previewed(qtbot, tab)
    saved = dr.load_table2(ctx, 2024)
    assert saved is not None
    assert (saved.normative_made, saved.licensing, saved.fees_text) == (2, 5, "1.25")
    assert "已保存2024年度的表二" in tab.table2_note.text()
    assert not tab.dirty

    tab.year.setValue(2023)  # nothing saved for 2023: the prefill (nothing registered)
    previewed(qtbot, tab)
    assert tab.table2_spins["normative_made"].value() == 0
    assert tab.table2_spins["fees"].value() == 0
    assert "按主动公开登记簿预填" in tab.table2_note.text()

    # a change not saved: leaving the year asks; 取消 stays
    tab.table2_spins["punishment"].setValue(7)
    ask = Answer(Button.Cancel)
    monkeypatch.setattr(QMessageBox, "question", ask)
    tab.year.setValue(2024)
    assert tab.year.value() == 2023 and len(ask.texts) == 1
    monkeypatch.setattr(QMessageBox, "question", Answer(Button.Discard))
    tab.year.setValue(2024)
    previewed(qtbot, tab)
    assert tab.table2_spins["normative_made"].value() == 2
    assert tab.table2_spins["fees"].value() == pytest.approx(1.25)
    assert dr.load_table2(ctx, 2023) is None

    click(qtbot, tab.prefill_button)  # back to the register's figures
    previewed(qtbot, tab)
    assert dr.load_table2(ctx, 2024) is None
    assert tab.table2_spins["normative_made"].value() == 0


def test_texts_save_reload_and_drafts(
    page: ReportPage, qtbot, ctx, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    tab = page.disclosure
    drafts = dr.disclosure_drafts(ctx, 2024)
    assert tab.edits["overview"].placeholderText() == drafts.overview
    assert tab.edits["other"].placeholderText() == drafts.other
    assert "全年新收政府信息公开申请4件" in drafts.overview
    assert not tab.save_texts_button.isEnabled()
    type_chinese(tab.edits["problems"], "宣传不够")
    assert tab.save_texts_button.isEnabled()
    assert tab.saved_label.text() == "文字有修改尚未保存"
    click(qtbot, tab.save_texts_button)
    assert dr.load_disclosure_texts(ctx, 2024).problems == "宣传不够"
    assert not tab.dirty

    tab.year.setValue(2023)
    previewed(qtbot, tab)
    assert tab.edits["problems"].toPlainText() == ""
    tab.year.setValue(2024)
    previewed(qtbot, tab)
    assert tab.edits["problems"].toPlainText() == "宣传不够"

    # 使用草稿 over written text asks first
    keep = Answer(Button.No)
    monkeypatch.setattr(QMessageBox, "question", keep)
    click(qtbot, tab.drafts_button)
    assert len(keep.texts) == 1
    assert tab.edits["problems"].toPlainText() == "宣传不够"
    monkeypatch.setattr(QMessageBox, "question", Answer(Button.Yes))
    click(qtbot, tab.drafts_button)
    assert tab.edits["overview"].toPlainText() == drafts.overview
    assert tab.edits["problems"].toPlainText() == drafts.problems
    assert page.has_unsaved_text
    monkeypatch.setattr(QMessageBox, "question", Answer(Button.Discard))
    assert page.confirm_leave()


@pytest.mark.parametrize("suffix", [".xlsx", ".docx", ".json"])
def test_export_through_the_tab(
    page: ReportPage, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:  # type: ignore[no-untyped-def]
    tab = page.disclosure
    target = tmp_path / f"年报{suffix}"
    dialog = SaveDialog(target)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    button = {".xlsx": tab.xlsx_button, ".docx": tab.docx_button, ".json": tab.json_button}
    click(qtbot, button[suffix])
    qtbot.waitUntil(lambda: tab.runner.last_file == target, timeout=WAIT)
    assert dialog.suggested[0].name == f"{UNIT}_2024年政府信息公开工作年度报告{suffix}"
    assert str(target) in tab.runner.status.text()
    assert tab.runner.open_file_button.isVisibleTo(tab)
    assert tab.runner.open_folder_button.isVisibleTo(tab)
    if suffix == ".json":
        data = json.loads(target.read_text(encoding="utf-8"))
        table3 = data["table3"]
        assert table3["一、本年新收政府信息公开申请数量"]["总计"] == 4
        assert table3["四、结转下年度继续办理"]["其他"] == 1
        assert data["table4"]["行政复议"]["总计"] == 2
    elif suffix == ".xlsx":
        wb = openpyxl.load_workbook(target)
        values = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row}
        assert "一、本年新收政府信息公开申请数量" in values
        assert "第二十条第（一）项" in values
    else:
        doc = Document(str(target))
        text = "\n".join(p.text for p in doc.paragraphs)
        assert "2024年政府信息公开工作年度报告" in text
        assert "五、存在的主要问题及改进情况" in text


def test_screenshot(page: ReportPage, qtbot) -> None:  # type: ignore[no-untyped-def]
    shots = Path("/tmp/shots")
    shots.mkdir(parents=True, exist_ok=True)
    page.grab().save(str(shots / "disclosure_tab.png"))
    tab = page.disclosure
    tab.scroll_area.ensureWidgetVisible(tab.table3)
    tab.scroll_area.verticalScrollBar().setValue(tab.table3.parentWidget().y())
    qtbot.wait(50)
    page.grab().save(str(shots / "disclosure_tab_table3.png"))
    tab.scroll_area.verticalScrollBar().setValue(tab.scroll_area.verticalScrollBar().maximum())
    qtbot.wait(50)
    page.grab().save(str(shots / "disclosure_tab_end.png"))
    # with typed 上年结转 that disagrees with the register: the check in red
    tab.carried_check.setChecked(True)
    tab.carried_spins["商业企业"].setValue(2)
    click(qtbot, tab.save_carried_button)
    previewed(qtbot, tab)
    tab.scroll_area.verticalScrollBar().setValue(0)
    qtbot.wait(50)
    page.grab().save(str(shots / "disclosure_tab_problems.png"))
    assert (shots / "disclosure_tab.png").exists()


def test_main_window_asks_before_closing_with_unsaved_disclosure_text(
    qtbot, ctx, data, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox as Box

    from gongkai_desktop.ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    page = window.show_module("报表")
    assert isinstance(page, ReportPage)
    page.tabs.setCurrentWidget(page.disclosure)
    qtbot.waitUntil(lambda: not page.busy and page.disclosure.report is not None, timeout=WAIT)
    type_chinese(page.disclosure.edits["other"], "还没保存的第六部分")
    ask = Answer(Box.StandardButton.Cancel)
    monkeypatch.setattr(QMessageBox, "question", ask)
    assert not window.close() and window.isVisible() and ask.texts
    monkeypatch.setattr(QMessageBox, "question", Answer(Box.StandardButton.Discard))
    assert window.close()


def test_title_signer_date_and_section_six_in_the_word_file(
    page: ReportPage, qtbot, ctx, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    tab = page.disclosure
    # the defaults shown grey: title from the unit, 成文日期 the last working day
    assert tab.title_edit.placeholderText() == f"{UNIT}2024年政府信息公开工作年度报告"
    assert tab.signer_edit.placeholderText() == UNIT
    assert tab.date_edit.date().toPython() == date(2024, 12, 31) and not tab.date_edit.isEnabled()
    drafts = dr.disclosure_drafts(ctx, 2024)
    assert tab.edits["proposals"].placeholderText() == drafts.proposals
    assert tab.edits["innovation"].placeholderText() == drafts.innovation
    type_chinese(tab.edits["innovation"], "推行“码上公开”。")
    click(qtbot, tab.save_texts_button)
    assert dr.load_disclosure_texts(ctx, 2024).innovation == "推行“码上公开”。"

    type_chinese(tab.signer_edit, "龙河镇党政综合办公室")
    tab.date_check.setChecked(True)
    tab.date_edit.setDate(date(2025, 1, 10))
    target = tmp_path / "年报.docx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", SaveDialog(target))
    click(qtbot, tab.docx_button)
    qtbot.waitUntil(lambda: tab.runner.last_file == target, timeout=WAIT)
    texts = [p.text for p in Document(str(target)).paragraphs]
    assert texts[-2:] == ["龙河镇党政综合办公室", "2025年1月10日"]
    assert texts[texts.index("（四）年度政务公开工作创新情况") + 1] == "推行“码上公开”。"


def test_empty_unit_name_is_warned_before_export(
    page: ReportPage, qtbot, ctx, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    save_settings(ctx, {"unit_name": ""})
    tab = page.disclosure
    answer = Answer(Button.No)
    monkeypatch.setattr(QMessageBox, "question", answer)
    target = tmp_path / "年报.docx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", SaveDialog(target))
    click(qtbot, tab.docx_button)
    qtbot.waitUntil(lambda: bool(answer.texts), timeout=WAIT)
    assert "单位名称”为空" in answer.texts[0]
    assert not target.exists()
