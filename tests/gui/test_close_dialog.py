"""The 月末报送 dialog driven as a clerk would: the checklist of a month with one of each
problem, a reason typed for each, the folder chosen, the close run on the thread pool and
its files read back here from the folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from gongkai_desktop.services.settings import save_settings
from gongkai_desktop.ui.submission.close_dialog import CloseDialog

from ..unit.close_helpers import CLOSE_DAY, TOWNSHIP_CODE, UNIT, build_close_world, issue_key
from .gui_helpers import shown, type_chinese

FOLDER = f"{UNIT}_2026年11月_报送"


@pytest.fixture
def township(ctx, tmp_path):  # type: ignore[no-untyped-def]
    world = build_close_world(ctx)
    issue_key(ctx, tmp_path)
    return world


@pytest.fixture
def stick(tmp_path: Path) -> Path:
    folder = tmp_path / "usb"
    folder.mkdir()
    return folder


def _dialog(qtbot, ctx) -> CloseDialog:  # type: ignore[no-untyped-def]
    return shown(qtbot, CloseDialog(ctx, today=lambda: CLOSE_DAY))


def test_checklist_reasons_write_and_verify(qtbot, ctx, township, stick, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, ctx)
    assert dialog.period().label == "2026年11月"  # last month by default
    assert [row.check.key for row in dialog.rows] == [
        "rule_errors",
        "incomplete_sites",
        "tasks_overdue",
        "requests_overdue",
        "patrols_missing",
    ]
    tasks = dialog.rows[2]
    assert tasks.state_label.text() == "✗ 整改任务逾期未办结：1项"
    assert "河道边堆放生活垃圾" in tasks.items.item(0).text()
    assert all(row.reason.isVisible() for row in dialog.rows)
    assert not dialog.start_button.isEnabled()

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(stick))
    qtbot.mouseClick(dialog.folder_button, Qt.MouseButton.LeftButton)
    assert dialog.target_label.text() == f"将写入：{stick / FOLDER}"
    for row in dialog.rows[:-1]:
        type_chinese(row.reason, "已核实")
    assert not dialog.start_button.isEnabled()  # one check still without a reason
    assert "本月巡查未达要求" in dialog.start_button.toolTip()
    type_chinese(dialog.rows[-1].reason, "汛期道路中断")
    assert dialog.start_button.isEnabled()

    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert dialog.busy and not dialog.close_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=120_000)
    result = dialog.outcome
    assert result is not None and result.verified
    folder = stick / FOLDER
    on_stick = sorted(p.name for p in folder.iterdir())
    shown_rows = [dialog.files_list.item(i).text() for i in range(dialog.files_list.count())]
    assert sorted(shown_rows) == sorted(f"已校验　{name}" for name in on_stick)
    assert dialog.done_label.text().endswith("可以拔出U盘。")
    for file in result.files:
        assert hashlib.sha256(file.path.read_bytes()).hexdigest() == file.sha256
    notes = (folder / "报送说明.txt").read_text(encoding="utf-8-sig")
    assert "说明：汛期道路中断" in notes and notes.count("说明：已核实") == 4
    assert dialog.close_button.isEnabled()


def test_cancel_leaves_nothing(qtbot, ctx, township, stick) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, ctx)
    for row in dialog.rows:
        type_chinese(row.reason, "已核实")
    dialog.set_folder(stick)
    # cancel from the first progress report on
    dialog._signals.progressed.connect(lambda *_a: dialog.cancel())
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=120_000)
    assert dialog.outcome is None
    assert dialog.progress_label.text() == "已取消报送，U盘上没有留下报送文件。"
    assert list(stick.iterdir()) == []


def test_a_clean_month_needs_no_reason_and_a_missing_key_is_said_first(
    qtbot, ctx, stick, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, ctx)
    assert all(row.check.passed for row in dialog.rows)
    assert all(not row.reason.isVisible() for row in dialog.rows)
    assert dialog.rows[0].state_label.text() == "✓ 本月记录不符合表单规则：无"
    # no township code, no key: said before anything is chosen or written
    assert dialog.blocker_label.isVisible()
    assert "统计用区划代码" in dialog.blocker_label.text()
    assert "尚未导入报送密钥" in dialog.blocker_label.text()
    dialog.set_folder(stick)
    assert not dialog.start_button.isEnabled()
    save_settings(ctx, {"unit_name": UNIT, "township_code": TOWNSHIP_CODE})
    issue_key(ctx, tmp_path)
    qtbot.mouseClick(dialog.recheck_button, Qt.MouseButton.LeftButton)
    assert not dialog.blocker_label.isVisible()
    assert dialog.start_button.isEnabled()
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=120_000)
    assert dialog.outcome is not None and dialog.outcome.verified
    assert [p.name for p in stick.iterdir()] == [FOLDER]


def test_the_ledger_page_opens_it(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    from gongkai_desktop.ui.ledgers.ledger_page import LedgerPage

    page = shown(qtbot, LedgerPage(ctx))
    assert page.close_button.text() == "月末报送…"
    qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
    dialog = page.findChild(CloseDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowTitle() == "月末报送"
    dialog.reject()
    qtbot.waitUntil(lambda: page.findChild(CloseDialog) is None)


def test_a_file_that_reads_back_wrong_is_shown_and_no_all_clear(
    qtbot, ctx, township, stick, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from gongkai_desktop.services.submission import close as close_module

    real = close_module.file_sha256

    def flaky_stick(path: Path, from_device: bool = False) -> str:
        if path.suffix == ".pdf" and stick in path.parents:
            return "0" * 64
        return real(path, from_device)

    monkeypatch.setattr(close_module, "file_sha256", flaky_stick)
    dialog = _dialog(qtbot, ctx)
    for row in dialog.rows:
        type_chinese(row.reason, "已核实")
    dialog.set_folder(stick)
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=120_000)
    assert dialog.outcome is not None and not dialog.outcome.verified
    rows = [dialog.files_list.item(i).text() for i in range(dialog.files_list.count())]
    assert f"校验未通过　{UNIT}_2026年11月生态环境保护工作小结.pdf" in rows
    assert "可以拔出U盘" not in dialog.done_label.text()
    assert "U盘可能有故障" in dialog.done_label.text()
    assert list(stick.iterdir()) == []
