"""Start-up shows the window first (issue 16, item 1): the start path imports nothing it
does not need to show the window, and the daily backup runs on a worker after the
window is shown; closing meanwhile waits for the backup instead of abandoning it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from gongkai_desktop import app as app_module
from gongkai_desktop.services.maintenance import backup
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.startup import open_context
from gongkai_desktop.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

# not needed to show the window: spreadsheets, documents, images, migrations, schemas
HEAVY = ("openpyxl", "docx", "alembic", "mako", "pygments", "PIL", "jsonschema", "yaml", "lxml")

START_PATH = f"""
import json, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from gongkai_desktop.app import configure_application
from gongkai_desktop.services.startup import open_context
from gongkai_desktop.ui.main_window import MainWindow
configure_application(app)
ctx = open_context(Path(sys.argv[1]), auto_backup=False)
window = MainWindow(ctx)
window.show()
app.processEvents()
window.dashboard.shut_down()  # its figures were read (on a worker) with what it imports
app.processEvents()
print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))
window.close()
"""


SHELL = """
import json, sys
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from gongkai_desktop.app import configure_application
from gongkai_desktop.ui.main_window import MainWindow
configure_application(app)
window = MainWindow()  # what run_gui shows before it opens the database
window.show()
app.processEvents()
print(json.dumps(sorted(m for m in ("sqlalchemy", "gongkai_desktop.data") if m in sys.modules)))
"""


def test_the_window_is_shown_before_sqlalchemy_is_imported() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-c", SHELL], capture_output=True, text=True, check=True, env=env
    ).stdout
    assert json.loads(out.strip().splitlines()[-1]) == []


def _database_with_a_record(db_path: Path) -> None:
    with open_context(db_path, auto_backup=False) as ctx:
        RecordService(ctx).create(
            "site", {"site_type": "饮用水水源地", "name": "龙河水库", "village": "龙河村"}
        )


def test_the_start_path_imports_nothing_heavy(db_path: Path) -> None:
    # the first open validated forms/ and migrated the file (Alembic, PyYAML, jsonschema);
    # a later start takes the validated forms from the cache and finds the schema current
    _database_with_a_record(db_path)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-c", START_PATH, str(db_path)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    assert json.loads(out.strip().splitlines()[-1]) == []


def test_the_daily_backup_runs_on_a_worker_after_the_window_is_shown(
    qtbot, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    _database_with_a_record(db_path)
    release = threading.Event()
    seen: dict[str, bool] = {}
    real_backup = backup.create_backup

    def held_backup(*args, **kwargs):  # type: ignore[no-untyped-def]
        # stands for a copy of a large database: it lasts until the test lets it finish
        seen["on_gui_thread"] = threading.current_thread() is threading.main_thread()
        assert release.wait(30)
        return real_backup(*args, **kwargs)

    monkeypatch.setattr(backup, "create_backup", held_backup)
    ctx = open_context(db_path, auto_backup=False)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.start_daily_backup()
    qtbot.waitUntil(lambda: "on_gui_thread" in seen)
    assert seen["on_gui_thread"] is False
    assert window.isVisible() and window.backing_up
    assert window.statusBar().currentMessage() == "正在进行今日自动备份…"
    # the window answers while the copy runs: another page opens
    assert window.show_module("监管对象").model.total_count == 1

    window.close()  # waits for the backup: the window stays until it is done
    assert window.isVisible()
    assert "完成后窗口会自动关闭" in window.statusBar().currentMessage()
    release.set()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=30000)
    [made] = backup.list_backups(db_path)
    assert made.reason == "每日自动备份" and made.records == 1


def test_a_failed_daily_backup_is_reported(
    qtbot, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    _database_with_a_record(db_path)

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise backup.BackupError("无法备份数据库：磁盘已满")

    shown: list[str] = []
    monkeypatch.setattr(backup, "create_backup", broken)
    monkeypatch.setattr(
        "gongkai_desktop.ui.main_window.show_error",
        lambda _parent, exc, title="": shown.append(f"{title}：{exc}"),
    )
    ctx = open_context(db_path, auto_backup=False)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.start_daily_backup()
    qtbot.waitUntil(lambda: not window.backing_up)
    assert shown == ["今日自动备份失败：无法备份数据库：磁盘已满"]
    assert window.statusBar().currentMessage() == "今日自动备份失败"


def test_run_gui_shows_the_window_before_it_starts_the_backup(
    qapp, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    _database_with_a_record(db_path)
    order: list[str] = []
    real_show = MainWindow.show

    def show(self: MainWindow) -> None:
        order.append("window shown")
        real_show(self)

    def start_daily_backup(self: MainWindow) -> None:
        order.append(f"backup started, window visible: {self.isVisible()}")
        assert backup.list_backups(db_path) == []  # nothing was backed up before the window
        QTimer.singleShot(0, self.close)

    monkeypatch.setattr(MainWindow, "show", show)
    monkeypatch.setattr(MainWindow, "start_daily_backup", start_daily_backup)
    QTimer.singleShot(20000, QApplication.quit)  # a safety net: never hang the suite
    assert app_module.run_gui(db_path) == 0
    assert order == ["window shown", "backup started, window visible: True"]
