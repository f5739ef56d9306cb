"""生成文书 dialog of a 依申请公开 request: only possible notices enabled, the file written
where the clerk chose, the folder offered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from docx import Document
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox

from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.settings import save_settings
from gongkai_desktop.ui.notice_dialog import NoticeDialog

from .gui_helpers import Answer

REQUEST = {
    "channel": "当面提交",
    "received_date": "2026-03-02",
    "applicant": "王小明",
    "applicant_type": "自然人",
    "content": "2025年龙河水库水质监测报告",
}


class SaveDialog:
    """Stands in for QFileDialog.getSaveFileName: answers ``target`` (or cancels with
    None), records the suggested path."""

    def __init__(self, target: Path | None) -> None:
        self.target = target
        self.suggested: list[Path] = []

    def __call__(self, _parent: Any, _title: str, suggested: str, _filter: str) -> tuple[str, str]:
        self.suggested.append(Path(suggested))
        return (str(self.target) if self.target else ""), ""


@pytest.fixture
def office(ctx):  # type: ignore[no-untyped-def]
    save_settings(ctx, {"unit_name": "龙河镇人民政府", "county": "青山县"})
    return ctx


def docx_text(path: Path) -> str:
    return "\n".join(p.text for p in Document(str(path)).paragraphs)


def test_reply_written_and_folder_offered(
    office, records: RecordService, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    record_id = records.create(
        "disclosure_request", {**REQUEST, "outcome": "（三）4.保护第三方合法权益"}
    ).id
    dialog = NoticeDialog(office, record_id)
    qtbot.addWidget(dialog)
    buttons = dialog.kind_buttons
    assert buttons["reply"].isEnabled() and buttons["reply"].isChecked()
    assert buttons["correction"].isEnabled()
    assert not buttons["extension"].isEnabled()
    assert "延期答复" in buttons["extension"].toolTip()
    assert buttons["receipt"].isEnabled()  # the 答复书 can be delivered

    target = tmp_path / "答复.docx"
    save = SaveDialog(target)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save)
    answer = Answer(QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "question", answer)
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    qtbot.mouseClick(dialog.generate_button, Qt.MouseButton.LeftButton)

    assert save.suggested[0].name == "王小明_答复书_YSQ2026-001.docx"
    assert target.exists() and dialog.last_file == target
    text = docx_text(target)
    assert "第十五条" in text and "青山县人民政府申请行政复议" in text
    assert "\n龙河公开〔2026〕1号\n" in text
    assert dialog.status.text().endswith("（文号：龙河公开〔2026〕1号）")
    assert answer.texts and str(target) in answer.texts[0]
    assert opened == [str(tmp_path)]


def test_correction_items_and_cancel(
    office, records: RecordService, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    record_id = records.create("disclosure_request", REQUEST).id
    dialog = NoticeDialog(office, record_id)
    qtbot.addWidget(dialog)
    assert dialog.kind_buttons["correction"].isChecked()  # the only one possible
    assert not dialog.kind_buttons["reply"].isEnabled()
    assert not dialog.kind_buttons["receipt"].isEnabled()
    assert not dialog.items_edit.isHidden()

    monkeypatch.setattr(QFileDialog, "getSaveFileName", SaveDialog(None))
    qtbot.mouseClick(dialog.generate_button, Qt.MouseButton.LeftButton)
    assert dialog.last_file is None and not list(tmp_path.glob("*.docx"))

    dialog.items_edit.setPlainText("所需监测报告的年份")
    target = tmp_path / "补正.docx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", SaveDialog(target))
    monkeypatch.setattr(QMessageBox, "question", Answer(QMessageBox.StandardButton.No))
    qtbot.mouseClick(dialog.generate_button, Qt.MouseButton.LeftButton)
    text = docx_text(target)
    assert "政府信息公开申请补正告知书" in text and "1.所需监测报告的年份" in text


def test_nothing_possible_without_settings(ctx, records: RecordService, qtbot) -> None:  # type: ignore[no-untyped-def]
    record_id = records.create("disclosure_request", REQUEST).id
    dialog = NoticeDialog(ctx, record_id)
    qtbot.addWidget(dialog)
    assert not any(b.isEnabled() for b in dialog.kind_buttons.values())
    assert "单位名称" in dialog.kind_buttons["correction"].toolTip()
    assert not dialog.generate_button.isEnabled()


def test_settings_page_explains_and_checks_the_number_pattern(ctx, qtbot) -> None:  # type: ignore[no-untyped-def]
    from gongkai_desktop.ui.settings_page import SettingsPage

    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    edit = page.edits["notice_number_pattern"]
    assert "{年}" in edit.placeholderText() and "{序号}" in edit.placeholderText()
    edit.setText("龙河公开〔{年}〕号")
    assert not page.save()
    assert "须含{序号}" in page.errors["notice_number_pattern"].text()
    edit.setText("龙河公开〔{年}〕{序号}号")
    assert page.save()
