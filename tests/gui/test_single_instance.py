"""One window per database (issue 11, item 6): a second ``gongkai gui`` on the same
database is refused with a Chinese message and the first window comes forward; CLI
commands still work beside the window; a name left by a crashed window is taken over."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtNetwork import QLocalServer

from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.ui.main_window import MainWindow
from gongkai_desktop.ui.single_instance import SingleInstance, server_name

pytestmark = pytest.mark.gui

REFUSED = "该数据库已在另一个窗口中打开，已切换到那个窗口（同一数据库只能开一个窗口）。"


def gongkai(db_path: Path, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.Popen(
        [sys.executable, "-m", "gongkai_desktop", "--db", str(db_path), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def finished(qtbot, proc: subprocess.Popen[str]) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    # the window's event loop keeps running meanwhile: it must answer the second start
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=90_000)
    return proc.communicate()


def test_a_second_window_is_refused_and_the_first_comes_forward(qtbot, ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    guard = SingleInstance(ctx.db_path)
    assert guard.claim()
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    guard.raise_requested.connect(window.bring_forward)  # as run_gui does
    window.show()
    qtbot.waitExposed(window)
    window.showMinimized()
    assert window.isMinimized()
    asked: list[bool] = []
    guard.raise_requested.connect(lambda: asked.append(True))
    try:
        second = gongkai(ctx.db_path, "gui")
        _, err = finished(qtbot, second)
        assert second.returncode == 0, err
        assert REFUSED in err
        assert asked == [True]
        assert not window.isMinimized() and window.isVisible()
        assert (
            window.statusBar().currentMessage() == "该数据库已在本窗口中打开，没有再开第二个窗口。"
        )
        # the CLI is not refused beside the window
        RecordService(ctx).create(
            "site", {"site_type": "排污单位", "name": "甲厂", "village": "东村"}
        )
        listing = gongkai(ctx.db_path, "list", "site")
        out, err = finished(qtbot, listing)
        assert listing.returncode == 0, err
        assert "甲厂" in out
        assert asked == [True]
    finally:
        guard.close()


def test_a_window_on_another_database_is_not_refused(
    qtbot, ctx: AppContext, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    guard = SingleInstance(ctx.db_path)
    assert guard.claim()
    other = SingleInstance(tmp_path / "其他" / "gongkai.db")
    try:
        assert other.name != guard.name
        assert other.claim()
    finally:
        other.close()
        guard.close()


CRASHING_WINDOW = """
import os, sys
from PySide6.QtCore import QCoreApplication
from PySide6.QtNetwork import QLocalServer
app = QCoreApplication(sys.argv[:1])
server = QLocalServer()
assert server.listen(sys.argv[1])
print("listening", flush=True)
os._exit(0)  # dies without closing the server, as a crashed window does
"""


@pytest.mark.skipif(sys.platform == "win32", reason="a named pipe dies with its process")
def test_the_name_left_by_a_crashed_window_is_taken_over(qtbot, ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    name = server_name(ctx.db_path)
    crashed = subprocess.run(
        [sys.executable, "-c", CRASHING_WINDOW, name], capture_output=True, text=True, timeout=60
    )
    assert crashed.stdout.strip() == "listening", crashed.stderr
    # the socket is left behind, but nothing answers on it
    assert not QLocalServer().listen(name)
    guard = SingleInstance(ctx.db_path)
    asked: list[bool] = []
    guard.raise_requested.connect(lambda: asked.append(True))
    try:
        assert guard.claim()
        second = gongkai(ctx.db_path, "gui")
        _, err = finished(qtbot, second)
        assert second.returncode == 0 and REFUSED in err
        assert asked == [True]
    finally:
        guard.close()


def test_bring_forward_keeps_a_maximised_window_maximised(qtbot, ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.showMaximized()
    qtbot.waitExposed(window)
    window.bring_forward()
    assert window.windowState() & Qt.WindowState.WindowMaximized
