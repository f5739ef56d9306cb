"""接收报送包: pick the townships' .gkpkg files (several at once), receive them off the GUI
thread with progress and 取消, and show per package what went in, or why it was refused,
and where its 回执 was written."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
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
from gongkai_desktop.ui.style import ERROR_STYLE, HINT_STYLE, NOTE_STYLE, emphasise
from gongkai_desktop.ui.worker import Task, start_task

HEADERS = ("报送包", "乡镇", "期间", "记录", "新增", "更新", "未变", "冲突", "结果")
REFUSED = QColor("#fdecea")
CONFLICT = QColor("#fff4e5")


class _Progress(QObject):
    progressed = Signal(int, int, str)


class ReceivePage(QWidget):
    received = Signal()  # packages went in: the grid and the conflicts page read again

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._task: Task | None = None
        self._cancel = threading.Event()
        self._signals = _Progress()
        self._signals.progressed.connect(self._progressed)
        self.results: list[ReceiveResult] = []

        layout = QVBoxLayout(self)
        title = QLabel(self.tr("接收报送包"))
        emphasise(title, 1.3)
        layout.addWidget(title)
        hint = QLabel(
            self.tr(
                "选择乡镇交来的报送包（.gkpkg，可一次选多个）。每个包先核验签名和每个文件的校验值，"
                "不符的拒收且不写入任何数据；回执（.gkrcpt）写在报送包旁边，交乡镇带回导入。"
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT_STYLE)
        layout.addWidget(hint)

        buttons = QHBoxLayout()
        self.choose_button = QPushButton(self.tr("选择报送包并接收…"))
        self.choose_button.setDefault(True)
        self.choose_button.clicked.connect(self.choose)
        buttons.addWidget(self.choose_button)
        self.progress_bar = QProgressBar()
        self.progress_bar.setVisible(False)
        buttons.addWidget(self.progress_bar, 1)
        self.cancel_button = QPushButton(self.tr("取消"))
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch()
        self.return_button = QPushButton(self.tr("退回修改…"))
        self.return_button.setToolTip(self.tr("给接收的记录写退回意见，随回执发回乡镇"))
        self.return_button.clicked.connect(self.open_returns)
        buttons.addWidget(self.return_button)
        layout.addLayout(buttons)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels([self.tr(h) for h in HEADERS])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(HEADERS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        layout.addWidget(self.table, 1)

    # ---- actions ----------------------------------------------------------------------------
    def choose(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, self.tr("选择报送包"), "", self.tr("报送包 (*.gkpkg)")
        )
        if files:
            self.receive([Path(f) for f in files])

    def open_returns(self) -> None:
        from gongkai_desktop.ui.county.return_dialog import ReturnDialog

        ReturnDialog(self.ctx, self).exec()

    def receive(self, paths: list[Path]) -> None:
        if self._task is not None or not paths:
            return
        self._cancel.clear()
        cancel, signals = self._cancel, self._signals

        def work() -> list[ReceiveResult]:
            return receive_packages(
                self.ctx, paths, progress=signals.progressed.emit, cancelled=cancel.is_set
            )

        self.progress_bar.setRange(0, len(paths))
        self.progress_bar.setValue(0)
        self.status.setStyleSheet("")
        self.status.setText(self.tr("正在核验和接收 {0} 个报送包…").format(len(paths)))
        self._set_running(True)
        self._task = start_task(work, self._finished, self._failed)

    def cancel(self) -> None:
        if self._task is not None:
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self.status.setText(self.tr("正在取消：已接收的报送包保留，其余不接收…"))

    # ---- reports from the worker ---------------------------------------------------------------
    def _progressed(self, done: int, total: int, what: str) -> None:
        if self._task is None:
            return
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        self.status.setText(what)

    def _set_running(self, running: bool) -> None:
        self.choose_button.setEnabled(not running)
        self.progress_bar.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)

    def _finished(self, results: list[ReceiveResult]) -> None:
        self._task = None
        self._set_running(False)
        self.show_results(results)
        if any(r.error is None for r in results):
            self.received.emit()

    def _failed(self, exc: Any) -> None:
        self._task = None
        self._set_running(False)
        if isinstance(exc, ExportCancelled):
            self.status.setStyleSheet(NOTE_STYLE)
            self.status.setText(self.tr("已取消：取消前已接收的报送包已保存，其余未接收。"))
            self.received.emit()
            return
        self.status.setStyleSheet(ERROR_STYLE)
        self.status.setText(str(exc))
        show_error(self, exc, self.tr("接收报送包"))

    # ---- the result table --------------------------------------------------------------------
    def show_results(self, results: list[ReceiveResult]) -> None:
        self.results = list(results)
        self.table.setRowCount(len(results))
        for row, r in enumerate(results):
            if r.error:
                outcome = self.tr("拒收：{0}").format(r.error)
            elif r.already_received:
                outcome = self.tr("此前已接收，未重复写入")
            else:
                outcome = self.tr("已接收")
            if r.receipt_path:
                outcome += self.tr("；回执：{0}").format(r.receipt_path.name)
            if r.receipt_error:
                outcome += self.tr("；回执未写出：{0}").format(r.receipt_error)
            if r.conflicts:
                outcome += self.tr("；{0}条冲突待处理（见“冲突处理”）").format(r.conflicts)
            cells = (
                r.path.name,
                r.township_name,
                r.period,
                *(
                    ("", "", "", "", "")
                    if r.error
                    else (
                        str(r.records),
                        str(r.added),
                        str(r.replaced),
                        str(r.unchanged),
                        str(r.conflicts),
                    )
                ),
                outcome,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if 3 <= column <= 7:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if r.error:
                    item.setBackground(REFUSED)
                elif r.conflicts:
                    item.setBackground(CONFLICT)
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        accepted = [r for r in results if r.error is None]
        refused = len(results) - len(accepted)
        text = self.tr(
            "已处理 {0} 个报送包：接收 {1} 个，拒收 {2} 个；新增 {3} 条、更新 {4} 条、冲突 {5} 条。"
        ).format(
            len(results),
            len(accepted),
            refused,
            sum(r.added for r in accepted),
            sum(r.replaced for r in accepted),
            sum(r.conflicts for r in accepted),
        )
        self.status.setStyleSheet(ERROR_STYLE if refused else NOTE_STYLE)
        self.status.setText(text)
