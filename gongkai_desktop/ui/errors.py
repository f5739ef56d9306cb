"""The one place that turns an exception into a message box the clerk can read.

Core errors (``GongkaiError``) already carry a Chinese message and are shown as they
are. Anything else is a bug: its traceback goes to the rotating log file and the clerk
sees where that log is, instead of a silent crash or a Python traceback.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from gongkai_desktop import paths
from gongkai_desktop.domain.errors import DatabaseDamagedError, GongkaiError
from gongkai_desktop.logging_setup import LOG_FILE

log = logging.getLogger(__name__)


def _tr(text: str) -> str:
    return QCoreApplication.translate("errors", text)


def describe_error(exc: BaseException) -> tuple[str, str]:
    """(title, message) for ``exc``; logs the traceback of unexpected errors."""
    if isinstance(exc, DatabaseDamagedError):
        from gongkai_desktop.services.maintenance.damage import complete

        return _tr("数据库文件已损坏"), str(complete(exc))
    if isinstance(exc, GongkaiError):
        return _tr("无法完成操作"), str(exc)
    log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    log_file = paths.logs_dir() / LOG_FILE
    message = _tr(
        "发生意外错误：{0}\n\n详细信息已写入日志 {1}\n请把该文件发给技术支持人员。"
    ).format(f"{type(exc).__name__}: {exc}", log_file)
    return _tr("发生意外错误"), message


def _window_db(parent: QWidget | None) -> Path | None:
    """The database of the main window ``parent`` belongs to (None: none open)."""
    widget = parent
    while widget is not None and not hasattr(widget, "ctx"):
        widget = widget.parentWidget()
    ctx = getattr(widget, "ctx", None)
    return getattr(ctx, "db_path", None)


def show_error(parent: QWidget | None, exc: BaseException, title: str | None = None) -> None:
    """Show ``exc`` in a modal message box (warning for core errors, critical for bugs).
    A damaged database goes to the main window's non-modal message with 用最近的备份恢复."""
    if not isinstance(exc, GongkaiError) and "sqlalchemy" in sys.modules:
        from gongkai_desktop.services.maintenance.damage import is_damage_error

        if is_damage_error(exc):  # damaged stored data met outside a transaction
            exc = DatabaseDamagedError(_window_db(parent), f"{type(exc).__name__}: {exc}")
    if isinstance(exc, DatabaseDamagedError):
        widget = parent  # an editor is a window of its own: look up to the main window
        while widget is not None and not hasattr(widget, "offer_restore"):
            widget = widget.parentWidget()
        if widget is not None:
            widget.offer_restore(exc)
            return
    default_title, message = describe_error(exc)
    box = QMessageBox(parent)
    box.setIcon(
        QMessageBox.Icon.Warning if isinstance(exc, GongkaiError) else QMessageBox.Icon.Critical
    )
    box.setWindowTitle(title or default_title)
    box.setText(message)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.exec()
