"""设置's submission items: 本机用途 as a drop-down, 统计用区划代码 and 报送截止日 checked on
saving, and the 报送密钥 imported from the county's key file (shown by whom and for whom,
never the key)."""

from __future__ import annotations

import json
import sqlite3

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from gongkai_desktop.services.county.townships import add_township, write_township_key
from gongkai_desktop.services.settings import load_settings, save_settings
from gongkai_desktop.services.startup import open_context
from gongkai_desktop.ui import settings_page
from gongkai_desktop.ui.settings_page import SettingsPage

from .gui_helpers import shown


def test_usage_is_a_drop_down_and_codes_are_checked(qtbot, ctx, db_path) -> None:  # type: ignore[no-untyped-def]
    page = shown(qtbot, SettingsPage(ctx))
    usage = page.choices["usage"]
    assert [usage.itemText(i) for i in range(usage.count())] == [
        "（未选择）",
        "乡镇填报",
        "县级汇总",
    ]
    assert "usage" not in page.edits
    usage.setCurrentIndex(2)
    page.edits["township_code"].setText("510521000000")  # a county's code
    page.edits["due_day"].setText("31")
    assert not page.save()
    assert "县级代码" in page.errors["township_code"].text()
    assert "1至28" in page.errors["due_day"].text()
    page.edits["township_code"].setText("510521104000")
    page.edits["due_day"].setText("8")
    assert page.save()
    conn = sqlite3.connect(db_path)
    try:
        stored = dict(conn.execute("SELECT key, value FROM settings").fetchall())
    finally:
        conn.close()
    assert (stored["usage"], stored["township_code"], stored["due_day"]) == (
        "县级汇总",
        "510521104000",
        "8",
    )
    again = shown(qtbot, SettingsPage(ctx))
    assert again.choices["usage"].currentText() == "县级汇总"


def test_key_import_shows_whose_key_and_never_the_key(qtbot, ctx, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    county = open_context(tmp_path / "county.db", auto_backup=False)
    try:
        save_settings(county, {"unit_name": "泸县生态环境局"})
        add_township(county, "510521104000", "龙河镇", "李晓梅", "0830-1234567")
        write_township_key(county, "510521104000", tmp_path / "龙河镇.gkkey")
    finally:
        county.close()
    secret = json.loads((tmp_path / "龙河镇.gkkey").read_text(encoding="utf-8"))["key"]
    page = shown(qtbot, SettingsPage(ctx))
    assert page.key_label.text().startswith("尚未导入")
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *a, **k: (str(tmp_path / "龙河镇.gkkey"), "")
    )
    qtbot.mouseClick(page.key_button, Qt.MouseButton.LeftButton)
    text = page.key_label.text()
    assert text.startswith("已导入：龙河镇（510521104000），") and "签发" in text
    assert secret not in text
    # the key brought the township's code into 设置 and onto the page
    assert page.edits["township_code"].text() == "510521104000"
    assert load_settings(ctx)["township_code"] == "510521104000"


def test_a_key_for_another_township_is_refused(qtbot, ctx, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    county = open_context(tmp_path / "county.db", auto_backup=False)
    try:
        add_township(county, "510521105000", "石桥镇", "", "")
        write_township_key(county, "510521105000", tmp_path / "石桥镇.gkkey")
    finally:
        county.close()
    save_settings(ctx, {"township_code": "510521104000"})
    page = shown(qtbot, SettingsPage(ctx))
    told: list[str] = []
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *a, **k: (str(tmp_path / "石桥镇.gkkey"), "")
    )
    monkeypatch.setattr(
        settings_page, "show_error", lambda _parent, exc, _title=None: told.append(str(exc))
    )
    qtbot.mouseClick(page.key_button, Qt.MouseButton.LeftButton)
    assert len(told) == 1 and "不符" in told[0]
    assert page.key_label.text().startswith("尚未导入")
