"""The 工作台's 报送 part: a real round trip (the township builds its package, a county
receives it, returns one record with a note and writes the 回执), then the clerk imports
the 回执 from the 工作台 and sees the package 已接收 and the record 退回待改 until fixed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from gongkai_desktop.services.county.receive import receive_packages
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.settings import save_settings
from gongkai_desktop.services.submission.package import build_package
from gongkai_desktop.services.submission.receipts import add_return_note, write_receipt
from gongkai_desktop.ui.dashboard import DashboardPage
from gongkai_desktop.ui.submission.close_dialog import CloseDialog

from ..unit.submission_helpers import NOVEMBER, build_month, open_county, open_township
from .gui_helpers import shown
from .test_dashboard import row_texts


@pytest.fixture
def pair(tmp_path):  # type: ignore[no-untyped-def]
    county = open_county(tmp_path / "county" / "county.db")
    township = open_township(tmp_path / "t" / "township.db", county, 1, "龙河镇")
    yield county, township
    township.close()
    county.close()


def test_receipt_import_shows_received_and_returned(qtbot, pair, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    county, township = pair
    month = build_month(township, tmp_path)
    (tmp_path / "out").mkdir()
    built = build_package(township, NOVEMBER, tmp_path / "out")
    page = shown(qtbot, DashboardPage(RecordService(township)))
    tree = page.submissions_tree
    assert tree.topLevelItemCount() == 1
    assert tree.topLevelItem(0).text(0) == "2026年11月"
    assert tree.topLevelItem(0).text(2) == str(built.record_count)
    assert tree.topLevelItem(0).text(3) == "待接收"
    assert not page.returned_section.isVisible()

    (result,) = receive_packages(county, [built.path])
    assert result.error is None
    add_return_note(county, month.patrols[0], "第1条巡查记录缺少照片说明")
    (tmp_path / "receipts").mkdir()
    receipt = write_receipt(county, built.sha256, tmp_path / "receipts")

    told: list[str] = []
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *a, **k: (str(receipt), "回执文件 (*.gkrcpt)")
    )
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    qtbot.mouseClick(page.receipt_button, Qt.MouseButton.LeftButton)
    assert len(told) == 1 and "2026年11月" in told[0] and "退回修改 1 条" in told[0]
    assert tree.topLevelItem(0).text(3).startswith("已接收（")
    assert page.returned_section.isVisible()
    (text,) = row_texts(page.returned_section)
    assert text.startswith("退回待改 巡查检查：") and "第1条巡查记录缺少照片说明" in text

    opened: list[str] = []
    page.record_open_requested.connect(opened.append)
    item = page.returned_section.tree.topLevelItem(0)
    page.returned_section.tree.itemActivated.emit(item, 0)
    assert opened == [month.patrols[0]]

    # fixed: 已修改待报送 until a later package carries it
    RecordService(township).update(month.patrols[0], {"inspectors": "张三"})
    page.refresh()
    (text,) = row_texts(page.returned_section)
    assert text.startswith("已修改待报送 ")
    build_package(township, NOVEMBER, tmp_path / "out")
    page.refresh()
    assert not page.returned_section.isVisible()
    assert tree.topLevelItemCount() == 2


def test_the_close_entry_opens_the_dialog_and_a_county_sees_no_submission_part(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    page = shown(qtbot, DashboardPage(RecordService(ctx)))
    assert page.submissions_empty.isVisible() and page.close_button.isVisible()
    qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
    assert isinstance(page.close_dialog, CloseDialog) and page.close_dialog.isVisible()
    page.close_dialog.reject()
    save_settings(ctx, {"usage": "县级汇总"})
    page.refresh()
    assert not page.submission_box.isVisible() and not page.close_button.isVisible()
