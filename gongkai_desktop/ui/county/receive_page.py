"""县级汇总 → 接收报送包: choose one or several .gkpkg files (from the townships' USB
sticks), receive them off the GUI thread with progress and cancel, and read per package
what was merged (乡镇, 期间, 新增, 更新, 未变, 冲突) or, in red, why it was refused; the
回执 written beside each package goes back to the township."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.county.receive import ReceiveResult, receive_packages
from gongkai_desktop.services.ledgers.export import ExportCancelled
from gongkai_desktop.ui.errors import show_error
from gongkai_desktop.ui.style import ERROR_STYLE, HINT_STYLE, emphasise
from gongkai_desktop.ui.worker import Task, start_task

COLUMNS = ("报送包", "乡镇", "期间", "新增", "更新", "未变", "冲突", "回执")
REFUSED_COLOUR = "#c0392b"


def period_label(key: str) -> str:
    """2026-11 → 2026年11月 (a package's period key as a clerk reads it)."""
    if len(key) == 7 and key[4] == "-" and key[:4].isdigit() and key[5:].isdigit():
        return f"{int(key[:4])}年{int(key[5:])}月"
    return key


class ReceiveProgress(QObject):
    """Emitted from the worker thread; delivered (queued) on the GUI thread."""

    progressed = Signal(int, int, str)


class ReceivePage(QWidget):
    received = Signal()  # packages were merged: the grid and the lists may have changed

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.results: list[ReceiveResult] = []
        self._task: Task | None = None
        self._cancel = threading.Event()
        self._signals = ReceiveProgress()
        self._signals.progressed.connect(self._progressed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        heading = QLabel(self.tr("接收报送包"))
        emphasise(heading, 1.3)
        layout.addWidget(heading)
        hint = QLabel(
            self.tr(
                "选择乡镇U盘上的报送包（.gkpkg，可一次选多个）。每个包先核验签名和内容，"
                "核验不通过的包被拒收，不写入任何数据；同一个包重复接收不会重复计入。"
                "回执（.gkrcpt）写在报送包旁，请乡镇带回导入。"
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT_STYLE)
        layout.addWidget(hint)
        row = QHBoxLayout()
        self.choose_button = QPushButton(self.tr("选择报送包…"))
        self.choose_button.setObjectName("choose_packages")
        self.choose_button.clicked.connect(self.choose)
        row.addWidget(self.choose_button)
        row.addStretch(1)
        self.return_button = QPushButton(self.tr("退回修改…"))
        self.return_button.setToolTip(self.tr("给接收的记录写退回意见，随回执发回乡镇"))
        self.return_button.clicked.connect(self.open_returns)
        row.addWidget(self.return_button)
        layout.addLayout(row)
        progress_row = QHBoxLayout()
        self.progress_bar = QProgressBar()
        self.progress_bar.setFormat(self.tr("%v / %m 个报送包"))
        self.cancel_button = QPushButton(self.tr("取消"))
        self.cancel_button.clicked.connect(self.cancel)
        progress_row.addWidget(self.progress_bar, 1)
        progress_row.addWidget(self.cancel_button)
        layout.addLayout(progress_row)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("receive_progress")
        self.progress_label.setWordWrap(True)
        layout.addWidget(self.progress_label)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("receive_results")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(200)
        layout.addWidget(self.table, 1)
        self.summary = QLabel()
        self.summary.setObjectName("receive_summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self._set_running(False)

    @property
    def busy(self) -> bool:
        return self._task is not None

    def _set_running(self, running: bool) -> None:
        self.choose_button.setEnabled(not running)
        self.progress_bar.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)

    def open_returns(self) -> None:
        from gongkai_desktop.ui.county.return_dialog import ReturnDialog

        ReturnDialog(self.ctx, self).exec()

    def choose(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(
            self, self.tr("选择报送包"), "", self.tr("报送包 (*.gkpkg)")
        )
        if paths:
            self.receive([Path(p) for p in paths])

    def receive(self, paths: Sequence[Path]) -> None:
        """Receive ``paths`` on the thread pool; the table fills when it reports back."""
        if self._task is not None or not paths:
            return
        self._cancel.clear()
        ctx, cancel, signals = self.ctx, self._cancel, self._signals
        chosen = list(paths)

        def work() -> list[ReceiveResult]:
            return receive_packages(
                ctx, chosen, progress=signals.progressed.emit, cancelled=cancel.is_set
            )

        self._set_running(True)
        self.progress_bar.setRange(0, len(chosen))
        self.progress_bar.setValue(0)
        self.progress_label.setStyleSheet("")
        self.progress_label.setText(self.tr("正在核验报送包…"))
        self._task = start_task(work, self._finished, self._failed)

    def cancel(self) -> None:
        """Stops before the next package; those received before stay received."""
        self._cancel.set()
        self.cancel_button.setEnabled(False)
        self.progress_label.setText(self.tr("正在取消（当前报送包接收完后停止）…"))

    def _progressed(self, done: int, total: int, what: str) -> None:
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        self.progress_label.setText(what)

    def _finished(self, results: list[ReceiveResult]) -> None:
        self._task = None
        self._set_running(False)
        self.show_results(results)
        if any(r.error is None for r in results):
            self.received.emit()

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self._set_running(False)
        if isinstance(exc, ExportCancelled):
            self.progress_label.setText(self.tr("已取消。取消前已接收的报送包已保存；其余未接收。"))
            self.received.emit()
            return
        self.progress_label.setStyleSheet(ERROR_STYLE)
        self.progress_label.setText(self.tr("接收失败。"))
        show_error(self, exc, self.tr("接收失败"))

    def show_results(self, results: list[ReceiveResult]) -> None:
        self.results = list(results)
        self.table.clearSpans()
        self.table.setRowCount(len(results))
        red = QBrush(QColor(REFUSED_COLOUR))
        for r, result in enumerate(results):
            name = QTableWidgetItem(result.path.name)
            name.setToolTip(str(result.path))
            self.table.setItem(r, 0, name)
            if result.error is not None:
                item = QTableWidgetItem(result.error)
                item.setForeground(red)
                item.setToolTip(result.error)
                self.table.setItem(r, 1, item)
                self.table.setSpan(r, 1, 1, len(COLUMNS) - 1)
                continue
            numbers = [result.added, result.replaced, result.unchanged, result.conflicts]
            texts = [result.township_name, period_label(result.period), *map(str, numbers)]
            for c, text in enumerate(texts, start=1):
                item = QTableWidgetItem(text)
                if c >= 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if c == 6 and result.conflicts:
                    item.setForeground(red)
                if c == 1 and result.history_problem:  # received, but its history broke
                    item.setForeground(red)
                    item.setToolTip(result.history_problem)
                self.table.setItem(r, c, item)
            if result.receipt_path is not None:
                receipt = str(result.receipt_path)
            else:
                receipt = result.receipt_error or ""
            if result.already_received:
                receipt = self.tr("（此前已接收）") + receipt
            self.table.setItem(r, len(COLUMNS) - 1, QTableWidgetItem(receipt))
        self.table.resizeRowsToContents()
        ok = [r for r in results if r.error is None]
        refused = len(results) - len(ok)
        conflicts = sum(r.conflicts for r in ok)
        text = self.tr("共{0}个报送包：接收{1}个").format(len(results), len(ok))
        if refused:
            text += self.tr("，拒收{0}个（红色为原因）").format(refused)
        if conflicts:
            text += self.tr("；{0}条记录有冲突，请到“冲突处理”逐项确认").format(conflicts)
        broken = [r for r in ok if r.history_problem]
        if broken:
            text += self.tr("；{0}的修改记录历史不完整（红色乡镇名，鼠标悬停看原因）").format(
                "、".join(dict.fromkeys(r.township_name for r in broken))
            )
        self.summary.setStyleSheet(ERROR_STYLE if refused else "")
        self.summary.setText(text + "。")
        self.progress_label.setText(self.tr("接收完成。"))
