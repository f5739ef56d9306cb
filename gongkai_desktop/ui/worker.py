"""Run slow work (backup, restore) on the thread pool and report back on the GUI thread.

The worker only calls the function; it never touches a widget. Its signals object is
created on the GUI thread, so the connected slots of widgets run there (queued).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class TaskSignals(QObject):
    succeeded = Signal(object)  # the function's result
    failed = Signal(object)  # the exception it raised


class Task(QRunnable):
    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.signals = TaskSignals()

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # handed to the GUI thread, which shows or logs it
            self.signals.failed.emit(exc)
            return
        self.signals.succeeded.emit(result)


def start_task(
    fn: Callable[[], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[Any], None],
) -> Task:
    """Start ``fn`` on the global pool; keep the returned task referenced until it reports."""
    task = Task(fn)
    task.signals.succeeded.connect(on_success)
    task.signals.failed.connect(on_failure)
    QThreadPool.globalInstance().start(task)
    return task
