"""The damaged-database message (ui/damage.py, MainWindow.offer_restore): found by the
quick_check worker after the window is shown, or when opening fails; 用最近的备份恢复
restores in one step and lists the records saved after the backup, each added back
only when left checked."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sqlite3
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtCore import Qt

from gongkai_desktop import paths
from gongkai_desktop.domain.errors import DatabaseDamagedError
from gongkai_desktop.services.maintenance import backup
from gongkai_desktop.services.startup import open_context
from gongkai_desktop.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

SCRIPT = Path(__file__).resolve().parents[1] / "reliability" / "damaged_copies.py"
SHOTS = os.environ.get("GONGKAI_SHOTS")  # a folder: the screenshots are saved there


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("damaged_copies", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["damaged_copies"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[ModuleType, object]:
    copies = _script()
    return copies, copies.build_base(tmp_path_factory.mktemp("gui-damage"))


def _copy_with_damaged_index(world: tuple[ModuleType, object], folder: Path) -> Path:
    """Every row readable, an index page of the records table broken: the file opens,
    quick_check fails."""
    copies, base = world
    shutil.copytree(base.folder, folder)  # type: ignore[attr-defined]
    db = folder / paths.DB_FILE_NAME
    copies.break_an_index(db, base.page_size)  # type: ignore[attr-defined]
    return db


def _shot(widget, name: str) -> None:  # type: ignore[no-untyped-def]
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(SHOTS) / name))


def test_quick_check_offers_the_restore_and_the_salvage_list(qtbot, world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    copies, _ = world
    db = _copy_with_damaged_index(world, tmp_path / "data")
    before = copies.digest(db)
    newest = backup.list_backups(db)[0]
    window = MainWindow(open_context(db, auto_backup=False))
    qtbot.addWidget(window)
    window.show()
    window.start_quick_check(then=lambda: pytest.fail("backup after a failed quick_check"))
    qtbot.waitUntil(lambda: window.damage_box is not None and window.damage_box.isVisible())
    box = window.damage_box
    assert box is not None  # opened with open(): window-modal, never a blocking exec()
    assert box.windowModality() == Qt.WindowModality.WindowModal
    assert "数据库文件已损坏" in box.text() and "没有覆盖或删除任何数据" in box.text()
    assert f"{newest.created:%Y年%m月%d日 %H:%M}（{newest.records} 条记录）" in box.text()
    assert box.restore_button is not None and box.restore_button.text() == "用最近的备份恢复"
    _shot(box, "damaged_message.png")
    assert copies.digest(db) == before  # nothing written while the message is up
    box.restore_button.click()
    qtbot.waitUntil(lambda: window.salvage_dialog is not None, timeout=20000)
    dialog = window.salvage_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert dialog.list.count() == 5
    texts = [dialog.list.item(i).text() for i in range(5)]
    assert sorted(t.split("”")[0] for t in texts) == [f"监管对象“备份后企业{n}" for n in range(5)]
    _shot(dialog, "salvage_list.png")
    dialog.list.item(0).setCheckState(Qt.CheckState.Unchecked)  # the clerk leaves one out
    skipped = dialog.records[0].title
    dialog.add_button.click()
    qtbot.waitUntil(lambda: window.salvage_result_box is not None)
    assert "已添加 4 条记录" in window.salvage_result_box.text()
    window.salvage_result_box.close()
    titles = _titles(db)
    assert {f"备份后企业{n}" for n in range(5)} - titles == {skipped}
    assert copies.integrity_ok(db)
    (moved,) = db.parent.joinpath("backups").glob("*-damaged")
    assert copies.digest(moved / db.name) == before
    assert window.nav.isEnabled() and window.attached
    window.close()


def test_a_database_that_does_not_open_is_restored_from_the_message(
    qtbot, world, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    copies, _ = world
    db = _copy_with_damaged_index(world, tmp_path / "data")
    data = bytearray(db.read_bytes())
    data[:100] = bytes(100)  # the header zeroed: run_gui's open fails
    db.write_bytes(bytes(data))
    window = MainWindow()  # as run_gui shows it before opening
    qtbot.addWidget(window)
    window.show()
    with pytest.raises(DatabaseDamagedError) as caught:
        open_context(db, auto_backup=False)
    box = window.offer_restore(caught.value)
    assert box.restore_button is not None
    box.restore_button.click()
    qtbot.waitUntil(lambda: window.salvage_dialog is not None, timeout=20000)
    assert window.attached and window.salvage_dialog is not None
    assert window.salvage_dialog.records == []  # nothing readable past a zeroed header
    assert "备份之后的修改已无法找回" in window.salvage_dialog.intro.text()
    window.salvage_dialog.reject()
    assert copies.integrity_ok(db)
    window.close()


def test_damage_shown_from_any_widget_goes_to_the_window(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """show_error on a page's widget: the window's damage message, without a restore
    button when no backup verifies; closing it ends a window that has no database."""
    from PySide6.QtWidgets import QLabel

    from gongkai_desktop.ui.errors import show_error

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    inner = QLabel("页", window)
    show_error(inner, DatabaseDamagedError(tmp_path / "gongkai.db", "malformed"))
    box = window.damage_box
    assert box is not None and box.isVisible() and box.restore_button is None
    assert "没有找到校验完好的备份" in box.text()
    box.close_button.click()
    qtbot.waitUntil(lambda: not window.isVisible())


def _titles(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {r[0] for r in conn.execute("SELECT title FROM records")}
    finally:
        conn.close()


def test_the_check_after_start_shows_a_changed_audit_log_and_record(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A record edited and an audit entry deleted with sqlite3 outside the app: the check
    after start warns (non-modal, first bad entry and the record named) and the daily
    backup still runs after it."""
    from gongkai_desktop.services.records.service import RecordService

    db = tmp_path / "data" / paths.DB_FILE_NAME
    ctx = open_context(db, auto_backup=False)
    service = RecordService(ctx)
    made = [
        service.create("site", {"site_type": "排污单位", "name": f"企业{n}", "village": "东村"})
        for n in range(3)
    ]
    ctx.close()
    raw = sqlite3.connect(db)
    raw.execute(
        "UPDATE records SET data = json_set(data, '$.village', '西村') WHERE id = ?",
        (made[1].id,),
    )
    raw.execute("DROP TRIGGER audit_log_no_delete")
    raw.execute("DELETE FROM audit_log WHERE id = (SELECT min(id) FROM audit_log)")
    raw.commit()
    raw.close()

    window = MainWindow(open_context(db, auto_backup=False))
    qtbot.addWidget(window)
    window.show()
    backed_up: list[bool] = []
    window.start_quick_check(then=lambda: backed_up.append(True))
    qtbot.waitUntil(lambda: window.tamper_box is not None and bool(backed_up), timeout=20000)
    box = window.tamper_box
    assert box is not None and box.windowModality() == Qt.WindowModality.WindowModal
    text = box.text()
    assert "修改记录保护已被移除" in text and "audit_log_no_delete" in text
    assert "修改记录被改动" in text and "已被删除" in text
    assert f"监管对象“企业1”（{made[1].id}）" in text
    assert "修改记录或记录内容被改动" in window.statusBar().currentMessage()
    _shot(box, "tamper_warning.png")
    box.close()
    window.close()
