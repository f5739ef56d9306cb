"""What the 报表 tabs share: where a report is saved, the panel that runs the work on
the thread pool, and the questions about the clerk's unsaved text and drafts
(``base_tab.ReportTab`` runs every tab's export through these).

``ReportRunner`` follows the 台账导出 page (``ui.ledger_page``): the worker function gets
a ``progress(done, total)`` callable that it may call from the worker thread; progress
reaches the bar through a queued signal, 取消 sets a flag the next ``progress`` call
before the last step turns into ``ReportCancelled`` (work reports its last step only
after the file is written). Writers write through a temporary file, so a cancelled
or failed export leaves the old file untouched. On success the panel names the file and
offers to open it or its folder.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QTextCursor
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.domain.errors import GongkaiError
from gongkai_desktop.services.ledgers.export import safe_file_name
from gongkai_desktop.ui.errors import show_error
from gongkai_desktop.ui.style import HINT_STYLE
from gongkai_desktop.ui.worker import Task, start_task

Progress = Callable[[int, int], None]
Button = QMessageBox.StandardButton

# suffix -> file-dialog filter
FILE_FILTERS = {
    ".pdf": "PDF 文件 (*.pdf)",
    ".xlsx": "Excel 工作簿 (*.xlsx)",
    ".docx": "Word 文档 (*.docx)",
    ".json": "数据文件（供系统对接） (*.json)",
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("ReportExport", text)


class ReportCancelled(GongkaiError):
    """The clerk pressed 取消; nothing was written."""


def report_file_name(unit: str, title: str, suffix: str) -> str:
    """``<unit>_<title>.pdf`` without characters Windows forbids."""
    parts = [p for p in (unit.strip(), title.strip()) if p]
    return safe_file_name("_".join(parts)) + suffix


def save_or_discard(parent: QWidget, title: str, text: str, save: Callable[[], bool]) -> bool:
    """Ask about unsaved changes: 保存 runs ``save``, 放弃 goes on without it, 取消 stops.
    True when the caller may go on."""
    answer = QMessageBox.question(
        parent, title, text, Button.Save | Button.Discard | Button.Cancel, Button.Save
    )
    if answer == Button.Cancel:
        return False
    return answer == Button.Discard or save()


def fill_with_drafts(parent: QWidget, edits: dict[str, QPlainTextEdit], drafts: object) -> None:
    """Put each draft (``drafts.<key>``) into its edit, one undoable edit per box; asks
    first when text the clerk wrote would be replaced."""
    written = [
        key
        for key, edit in edits.items()
        if edit.toPlainText().strip() not in ("", str(getattr(drafts, key)).strip())
    ]
    if written:
        answer = QMessageBox.question(
            parent,
            _tr("使用草稿"),
            _tr("已写的文字将被草稿替换（替换后可按 Ctrl+Z 撤销）。要继续吗？"),
            Button.Yes | Button.No,
            Button.No,
        )
        if answer != Button.Yes:
            return
    for key, edit in edits.items():
        cursor = QTextCursor(edit.document())
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(str(getattr(drafts, key)))


class SaveLocation:
    """The folder the next save dialog opens in: the last one used, else 文档."""

    def __init__(self) -> None:
        self.folder: Path | None = None

    def start_folder(self) -> Path:
        if self.folder is not None and self.folder.is_dir():
            return self.folder
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        if documents and Path(documents).is_dir():
            return Path(documents)
        return Path.home()

    def ask(self, parent: QWidget, title: str, name: str) -> Path | None:
        """Ask where to save ``name`` (its suffix decides the filter); None if cancelled."""
        suffix = Path(name).suffix.lower()
        chosen, _filter = QFileDialog.getSaveFileName(
            parent,
            title,
            str(self.start_folder() / name),
            _tr(FILE_FILTERS[suffix]),
        )
        if not chosen:
            return None
        target = Path(chosen)
        if target.suffix.lower() != suffix:
            target = target.with_name(target.name + suffix)
        self.folder = target.parent
        return target


class _RunnerSignals(QObject):
    """Emitted from the worker thread; delivered (queued) on the GUI thread."""

    progressed = Signal(int, int)


class ReportRunner(QWidget):
    """Runs one piece of report work at a time; shows progress, 取消 and the result."""

    started = Signal()
    stopped = Signal()  # finished, failed or cancelled: the tab re-enables its buttons
    file_written = Signal(Path)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._task: Task | None = None
        self._cancel = threading.Event()
        self._signals = _RunnerSignals()
        self._signals.progressed.connect(self._progressed)
        self._on_success: Callable[[Any], None] | None = None
        self._target: Path | None = None
        self.last_file: Path | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        row = QHBoxLayout()
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cancel_button = QPushButton(self.tr("取消"))
        self.cancel_button.clicked.connect(self.cancel)
        self.open_file_button = QPushButton(self.tr("打开文件"))
        self.open_file_button.clicked.connect(self.open_file)
        self.open_folder_button = QPushButton(self.tr("打开所在文件夹"))
        self.open_folder_button.clicked.connect(self.open_folder)
        row.addWidget(self.status, 1)
        row.addWidget(self.progress_bar, 1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.open_file_button)
        row.addWidget(self.open_folder_button)
        layout.addLayout(row)
        self._show(running=False)
        self.setVisible(False)

    @property
    def busy(self) -> bool:
        return self._task is not None

    def _show(self, running: bool) -> None:
        self.progress_bar.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        done = not running and self.last_file is not None
        self.open_file_button.setVisible(done)
        self.open_folder_button.setVisible(done)

    # ---- running ------------------------------------------------------------------------
    def run(
        self,
        work: Callable[[Progress], Any],
        on_success: Callable[[Any], None],
        busy_text: str,
    ) -> bool:
        """Run ``work(progress)`` on the pool; ``on_success(result)`` on the GUI thread.
        Returns False (and does nothing) while other work is still running."""
        if self._task is not None:
            return False
        self._cancel.clear()
        cancel = self._cancel
        signals = self._signals

        def progress(done: int, total: int) -> None:
            # the last step reports a file already written: too late to cancel
            if cancel.is_set() and done < total:
                raise ReportCancelled(_tr("已取消。"))
            signals.progressed.emit(done, total)

        self._on_success = on_success
        self._target = None
        self.last_file = None
        self.setVisible(True)
        self.status.setStyleSheet("")
        self.status.setText(busy_text)
        self.progress_bar.setRange(0, 0)  # busy until the first report
        self._task = start_task(lambda: work(progress), self._succeeded, self._failed)
        self._show(running=True)
        self.started.emit()
        return True

    def export(
        self,
        target: Path,
        work: Callable[[Progress], Any],
        busy_text: str,
        notes: Callable[[Any], str] | None = None,
        finish: Callable[[Any], None] | None = None,
    ) -> bool:
        """Run ``work(progress)``, which writes ``target``; then say where it is (and
        ``notes(result)``, e.g. photos that could not be included).

        ``finish(result)``, when given, writes ``target`` on the GUI thread from what the
        worker returned: Qt documents (QTextDocument, fonts) must not be laid out in a
        worker while the GUI thread runs — PySide can deadlock between the GIL and Qt's
        connection locks."""

        def written(result: Any) -> None:
            if finish is not None:
                try:
                    finish(result)
                except Exception as exc:  # shown like a worker's failure
                    self._failed(exc)
                    return
            self._written(target, notes(result) if notes else "")

        started = self.run(work, written, busy_text)
        if started:
            self._target = target
        return started

    def _progressed(self, done: int, total: int) -> None:
        if self._task is None or self._cancel.is_set():
            return
        if total > 0:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(min(done, total))

    def cancel(self) -> None:
        if self._task is None:
            return
        self._cancel.set()
        self.cancel_button.setEnabled(False)
        self.status.setText(self.tr("正在取消…"))

    def _succeeded(self, result: Any) -> None:
        self._task = None
        on_success, self._on_success = self._on_success, None
        if self._target is None:  # not a file: the caller shows the result
            self.setVisible(False)
        self._show(running=False)
        self.stopped.emit()
        if on_success is not None:
            on_success(result)

    def _written(self, target: Path, notes: str) -> None:
        self.last_file = target
        self.status.setStyleSheet("")
        text = self.tr("已导出：{0}").format(target)
        self.status.setText(f"{text}\n{notes}" if notes else text)
        self._show(running=False)
        self.file_written.emit(target)

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self._on_success = None
        self._show(running=False)
        self.stopped.emit()
        if isinstance(exc, ReportCancelled):
            self.status.setStyleSheet(HINT_STYLE)
            self.status.setText(self.tr("已取消，没有写入文件。"))
            return
        self.status.setStyleSheet(HINT_STYLE)
        self.status.setText(self.tr("未能完成。"))
        show_error(self, exc, self.tr("生成报表失败"))

    # ---- the written file ---------------------------------------------------------------
    def open_file(self) -> None:
        if self.last_file is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_file)))

    def open_folder(self) -> None:
        if self.last_file is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_file.parent)))


__all__ = [
    "ReportCancelled",
    "ReportRunner",
    "SaveLocation",
    "fill_with_drafts",
    "report_file_name",
    "save_or_discard",
]


def tab_layout(widget: QWidget, hint: str) -> QVBoxLayout:
    """The layout every 报表 tab starts with: margins, and a grey line saying what the
    tab makes."""
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(12, 12, 12, 12)
    layout.setSpacing(8)
    label = QLabel(hint)
    label.setWordWrap(True)
    label.setStyleSheet(HINT_STYLE)
    layout.addWidget(label)
    return layout
