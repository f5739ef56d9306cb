"""Errors reach the clerk as readable Chinese, and unexpected ones reach the log."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from gongkai_desktop import app as app_module
from gongkai_desktop import paths
from gongkai_desktop.domain.errors import DatabaseVersionError, StaleRecordError
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.ui import errors

pytestmark = pytest.mark.gui


def test_core_error_shows_its_own_message() -> None:
    title, message = errors.describe_error(StaleRecordError())
    assert message == "该记录已被其他操作修改，请重新打开后再保存。"
    assert title == "无法完成操作"


def test_unexpected_error_is_logged_and_points_to_the_log(caplog) -> None:  # type: ignore[no-untyped-def]
    try:
        raise ZeroDivisionError("division by zero")
    except ZeroDivisionError as exc:
        with caplog.at_level(logging.ERROR):
            title, message = errors.describe_error(exc)
    assert title == "发生意外错误"
    assert "详细信息已写入日志" in message
    assert str(paths.logs_dir()) in message
    logged = [r for r in caplog.records if r.exc_info]
    assert logged and logged[0].exc_info[0] is ZeroDivisionError


def test_show_error_uses_a_message_box(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "exec", lambda box: shown.append((box.windowTitle(), box.text())) or 0
    )
    errors.show_error(None, DatabaseVersionError("数据库来自更新的版本"), "无法打开数据库")
    assert shown == [("无法打开数据库", "数据库来自更新的版本")]


def test_excepthook_logs_and_shows_instead_of_exiting(monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    shown: list[BaseException] = []
    monkeypatch.setattr(app_module, "show_error", lambda parent, exc, title=None: shown.append(exc))
    try:
        raise KeyError("boom")
    except KeyError:
        with caplog.at_level(logging.ERROR):
            app_module._excepthook(*sys.exc_info())  # type: ignore[arg-type]
    assert isinstance(shown[0], KeyError)
    assert any(r.exc_info and r.exc_info[0] is KeyError for r in caplog.records)


def test_run_gui_refuses_a_database_it_cannot_open(qapp, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shown: list[BaseException] = []
    monkeypatch.setattr(app_module, "show_error", lambda parent, exc, title=None: shown.append(exc))

    def newer(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise DatabaseVersionError("该数据库由更新版本的软件创建")

    monkeypatch.setattr(AppContext, "open", newer)
    hook = sys.excepthook
    assert app_module.run_gui(tmp_path / "x.db") == 1
    assert isinstance(shown[0], DatabaseVersionError)
    assert sys.excepthook is hook  # restored
    # the window that said it was opening the database is gone with the refusal
    assert not any(
        w.isVisible() for w in QApplication.topLevelWidgets() if w.objectName() == "MainWindow"
    )


def test_run_gui_opens_the_main_window(qapp, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def close_once_open() -> None:
        window = next(
            w for w in QApplication.topLevelWidgets()
            if w.objectName() == "MainWindow" and w.isVisible()
        )  # fmt: skip
        if not window.attached:  # shown first, then the database is opened in it
            seen.append(window.windowTitle())
            QTimer.singleShot(10, close_once_open)
            return
        seen.append(window.windowTitle())
        window.close()

    QTimer.singleShot(0, close_once_open)
    QTimer.singleShot(30000, QApplication.quit)  # a safety net: never hang the suite
    assert app_module.run_gui(tmp_path / "data" / "gongkai.db") == 0
    assert seen[0] == "乡镇生态环境政务公开台账"  # before the database is open
    assert seen[-1].startswith("乡镇生态环境政务公开台账 — ")
    assert (tmp_path / "data" / "gongkai.db").exists()


def test_run_gui_on_a_damaged_database_closed_without_restoring_exits_1(
    qapp, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "data" / "gongkai.db"
    db.parent.mkdir(parents=True)
    db.write_bytes("这不是数据库，是一份会议记录。\n".encode() * 50)
    before = db.read_bytes()
    seen: list[str] = []

    def close_the_message() -> None:
        window = next(
            (w for w in QApplication.topLevelWidgets() if w.objectName() == "MainWindow"), None
        )
        box = getattr(window, "damage_box", None)
        if box is None:
            QTimer.singleShot(20, close_the_message)
            return
        seen.append(box.text())
        box.reject()  # 关闭: the clerk does not restore

    QTimer.singleShot(0, close_the_message)
    QTimer.singleShot(30000, QApplication.quit)  # a safety net: never hang the suite
    assert app_module.run_gui(db) == 1
    assert "数据库文件已损坏" in seen[0]
    assert db.read_bytes() == before  # left as it was, nothing created beside it
    assert sorted(p.name for p in db.parent.iterdir()) == ["gongkai.db"]
