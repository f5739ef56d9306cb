"""月末报送 dialog: choose the month, go through the checklist (a failing check is passed
only with a reason), choose the USB stick, then write and verify on the thread pool.

The 月度工作小结's PDF is laid out here, on the GUI thread, before the worker starts (a
QTextDocument laid out in a worker can deadlock against the GUI thread); the worker
gets the summary and its bytes and only writes files (``services.submission.close``).
The dialog says 可以拔出U盘 only when every file read back from the stick matched.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.domain.periods import Period, last_month, parse_period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.ledgers.export import ExportCancelled
from gongkai_desktop.services.reports.monthly import monthly_summary
from gongkai_desktop.services.settings import load_settings
from gongkai_desktop.services.submission.close import (
    CloseCheck,
    CloseResult,
    close_blockers,
    close_checks,
    close_folder_name,
    run_close,
    unexplained,
)
from gongkai_desktop.ui.errors import describe_error
from gongkai_desktop.ui.style import BANNER_STYLE, ERROR_STYLE, HINT_STYLE, NOTE_STYLE, emphasise
from gongkai_desktop.ui.worker import Task, start_task

PASSED_COLOR = "#1e7e34"
FAILED_COLOR = "#c0392b"
DONE_STYLE = (
    "background: #e8f5e9; color: #1e7e34; border: 1px solid #a5d6a7;"
    " border-radius: 4px; padding: 10px 14px;"
)
ITEMS_SHOWN = 5  # rows of a check's list before it scrolls


class CloseProgress(QObject):
    """Emitted from the worker thread; delivered (queued) on the GUI thread."""

    progressed = Signal(int, int, str)


class CheckRow(QFrame):
    """One line of the checklist: its state, what it found, and the reason box."""

    reason_changed = Signal()

    def __init__(self, check: CloseCheck, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = check
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.setSpacing(3)
        self.state_label = QLabel()
        self.state_label.setObjectName(f"check_{check.key}")
        emphasise(self.state_label, bold=True)
        layout.addWidget(self.state_label)
        self.items = QListWidget()
        self.items.setAlternatingRowColors(True)
        self.reason = QLineEdit()
        self.reason.setObjectName(f"reason_{check.key}")
        self.reason.setMaxLength(300)
        self.reason.setPlaceholderText(
            self.tr("不处理就报送的原因（必填），例如：已报县局同意延期")
        )
        self.reason.textChanged.connect(self.reason_changed)
        if check.passed:
            self.state_label.setText(self.tr("✓ {0}：无").format(check.title))
            self.state_label.setStyleSheet(f"color: {PASSED_COLOR};")
            self.items.hide()
            self.reason.hide()
        else:
            self.state_label.setText(self.tr("✗ {0}：{1}项").format(check.title, len(check.items)))
            self.state_label.setStyleSheet(f"color: {FAILED_COLOR};")
            for item in check.items:
                row = QListWidgetItem(item.text)
                row.setToolTip(item.text)
                self.items.addItem(row)
            height = self.items.sizeHintForRow(0) * min(len(check.items), ITEMS_SHOWN)
            self.items.setFixedHeight(height + 2 * self.items.frameWidth() + 2)
        layout.addWidget(self.items)
        layout.addWidget(self.reason)

    @property
    def explained(self) -> bool:
        return self.check.passed or bool(self.reason.text().strip())


class CloseDialog(QDialog):
    closed = Signal(object)  # the CloseResult of a verified close

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        today: Callable[[], date] = date.today,
        monthly_pdf: Callable[[Any], bytes] | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._today = today
        self._monthly_pdf = monthly_pdf
        self.setWindowTitle(self.tr("月末报送"))
        self.resize(860, 720)
        self.rows: list[CheckRow] = []
        self.blockers: list[str] = []  # what stops the package (no code, no key)
        self.folder: Path | None = None
        self.outcome: CloseResult | None = None
        self.error: str = ""
        self._task: Task | None = None
        self._cancel = threading.Event()
        self._signals = CloseProgress()
        self._signals.progressed.connect(self._progressed)

        layout = QVBoxLayout(self)
        hint = QLabel(
            self.tr(
                "把本月全部台账、月度工作小结（PDF 和 Word）和报送包写入U盘上的“单位_期间_报送”"
                "文件夹，写完后逐个读回校验。检查未通过的项目须填写原因才能报送。"
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT_STYLE)
        layout.addWidget(hint)

        period_row = QHBoxLayout()
        year, month = last_month(today())
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(year)
        self.year.setSuffix(self.tr(" 年"))
        self.month = QComboBox()
        for m in range(1, 13):
            self.month.addItem(self.tr("{0}月").format(m))
        self.month.setCurrentIndex(month - 1)
        period_row.addWidget(QLabel(self.tr("报送月份：")))
        period_row.addWidget(self.year)
        period_row.addWidget(self.month)
        default = QLabel(self.tr("默认上个月"))
        default.setStyleSheet(HINT_STYLE)
        period_row.addWidget(default)
        period_row.addStretch(1)
        self.recheck_button = QPushButton(self.tr("重新检查"))
        self.recheck_button.clicked.connect(self.refresh_checks)
        period_row.addWidget(self.recheck_button)
        layout.addLayout(period_row)
        self.year.valueChanged.connect(self.refresh_checks)
        self.month.currentIndexChanged.connect(self.refresh_checks)

        self.blocker_label = QLabel()
        self.blocker_label.setObjectName("close_blockers")
        self.blocker_label.setWordWrap(True)
        self.blocker_label.setStyleSheet(BANNER_STYLE)
        self.blocker_label.hide()
        layout.addWidget(self.blocker_label)

        checks_box = QGroupBox(self.tr("报送前检查"))
        checks_layout = QVBoxLayout(checks_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.checks_widget = QWidget()
        self.checks_layout = QVBoxLayout(self.checks_widget)
        self.checks_layout.setContentsMargins(4, 0, 4, 0)
        scroll.setWidget(self.checks_widget)
        checks_layout.addWidget(scroll)
        layout.addWidget(checks_box, 1)

        folder_row = QHBoxLayout()
        folder_row.addWidget(QLabel(self.tr("写入位置（U盘）：")))
        self.folder_edit = QLineEdit()
        self.folder_edit.setReadOnly(True)
        self.folder_edit.setPlaceholderText(self.tr("请选择U盘或其中的文件夹"))
        folder_row.addWidget(self.folder_edit, 1)
        self.folder_button = QPushButton(self.tr("选择文件夹…"))
        self.folder_button.clicked.connect(self.choose_folder)
        folder_row.addWidget(self.folder_button)
        layout.addLayout(folder_row)
        self.target_label = QLabel()
        self.target_label.setStyleSheet(HINT_STYLE)
        layout.addWidget(self.target_label)

        progress_row = QHBoxLayout()
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(False)
        self.progress_label = QLabel()
        self.cancel_button = QPushButton(self.tr("取消"))
        self.cancel_button.clicked.connect(self.cancel)
        progress_row.addWidget(self.progress_bar, 1)
        progress_row.addWidget(self.cancel_button)
        layout.addLayout(progress_row)
        layout.addWidget(self.progress_label)

        self.files_list = QListWidget()
        self.files_list.setObjectName("closed_files")
        self.files_list.setMaximumHeight(200)
        layout.addWidget(self.files_list)
        self.done_label = QLabel()
        self.done_label.setObjectName("close_done")
        self.done_label.setWordWrap(True)
        layout.addWidget(self.done_label)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.start_button = QPushButton(self.tr("开始报送"))
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        self.close_button = QPushButton(self.tr("关闭"))
        self.close_button.clicked.connect(self.reject)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)

        self._show_outcome(None)
        self.refresh_checks()

    # ---- the checklist ---------------------------------------------------------------------
    def period(self) -> Period:
        return parse_period(f"{self.year.value()}-{self.month.currentIndex() + 1:02d}")

    def refresh_checks(self) -> None:
        if self._task is not None:
            return
        for row in self.rows:
            row.setParent(None)
            row.deleteLater()
        self.rows = []
        while self.checks_layout.count():
            self.checks_layout.takeAt(0)
        try:
            self.blockers = close_blockers(self.ctx)
            checks = close_checks(self.ctx, self.period(), self._today())
        except Exception as exc:  # a damaged database: say so, keep the dialog usable
            self.blockers = [describe_error(exc)[1]]
            checks = []
        self.blocker_label.setText("\n".join(self.blockers))
        self.blocker_label.setVisible(bool(self.blockers))
        for check in checks:
            row = CheckRow(check)
            row.reason_changed.connect(self._update_buttons)
            self.checks_layout.addWidget(row)
            self.rows.append(row)
        self.checks_layout.addStretch(1)
        self._show_outcome(None)
        self._update_target()

    def reasons(self) -> dict[str, str]:
        return {
            row.check.key: row.reason.text().strip()
            for row in self.rows
            if not row.check.passed and row.reason.text().strip()
        }

    def unexplained(self) -> list[CloseCheck]:
        return unexplained([row.check for row in self.rows], self.reasons())

    # ---- the folder ------------------------------------------------------------------------
    def choose_folder(self) -> None:
        start = str(self.folder or Path.home())
        chosen = QFileDialog.getExistingDirectory(self, self.tr("选择U盘或其中的文件夹"), start)
        if chosen:
            self.set_folder(Path(chosen))

    def set_folder(self, folder: Path) -> None:
        self.folder = folder
        self.folder_edit.setText(str(folder))
        self._update_target()

    def _update_target(self) -> None:
        if self.folder is None:
            self.target_label.clear()
        else:
            unit = load_settings(self.ctx)["unit_name"]
            name = close_folder_name(unit, self.period())
            self.target_label.setText(self.tr("将写入：{0}").format(self.folder / name))
        self._update_buttons()

    # ---- running ---------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._task is not None

    def _update_buttons(self) -> None:
        idle = self._task is None
        ready = (
            bool(self.rows)
            and not self.blockers
            and self.folder is not None
            and not self.unexplained()
        )
        self.start_button.setEnabled(idle and ready)
        missing = self.unexplained()
        if idle and missing and not self.progress_label.text():
            self.start_button.setToolTip(
                self.tr("请先填写以下检查项的原因：{0}").format("、".join(c.title for c in missing))
            )
        else:
            self.start_button.setToolTip("")
        for widget in (self.year, self.month, self.recheck_button, self.folder_button):
            widget.setEnabled(idle)
        for row in self.rows:
            row.reason.setReadOnly(not idle)
        self.cancel_button.setVisible(not idle)
        self.cancel_button.setEnabled(not idle and not self._cancel.is_set())
        self.progress_bar.setVisible(not idle)
        self.close_button.setEnabled(idle)

    def start(self) -> None:
        if self._task is not None or self.folder is None or self.blockers or self.unexplained():
            return
        period, folder, reasons, today = self.period(), self.folder, self.reasons(), self._today()
        self._show_outcome(None)
        self.progress_label.setText(self.tr("正在生成月度工作小结…"))
        try:
            # on the GUI thread: the PDF is a QTextDocument (see the module's docstring)
            summary = monthly_summary(self.ctx, period)
            pdf = self._render_pdf(summary)
        except Exception as exc:
            self.progress_label.clear()
            self._failed(exc)
            return
        ctx, cancel, signals = self.ctx, self._cancel, self._signals

        def work() -> CloseResult:
            return run_close(
                ctx,
                period,
                folder,
                reasons,
                progress=signals.progressed.emit,
                cancelled=cancel.is_set,
                monthly_pdf=lambda _summary: pdf,
                summary=summary,
                today=today,
            )

        self._cancel.clear()
        self.progress_bar.setRange(0, 0)
        self._task = start_task(work, self._finished, self._failed)
        self._update_buttons()

    def _render_pdf(self, summary: Any) -> bytes:
        if self._monthly_pdf is not None:
            return self._monthly_pdf(summary)
        from gongkai_desktop.render.monthly_pdf import monthly_pdf_bytes

        return monthly_pdf_bytes(summary)

    def _progressed(self, done: int, total: int, what: str) -> None:
        if self._task is None:
            return
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        if not self._cancel.is_set():
            self.progress_label.setText(what)

    def cancel(self) -> None:
        if self._task is None:
            return
        self._cancel.set()
        self.cancel_button.setEnabled(False)
        self.progress_label.setText(self.tr("正在取消…"))

    def _finished(self, result: CloseResult) -> None:
        self._task = None
        self.outcome = result
        self.progress_label.clear()
        self._show_outcome(result)
        self._update_buttons()
        if result.verified:
            self.closed.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self.files_list.clear()
        if isinstance(exc, ExportCancelled):
            self.progress_label.setText(self.tr("已取消报送，U盘上没有留下报送文件。"))
            self.done_label.clear()
            self.done_label.hide()
        else:
            self.error = describe_error(exc)[1]
            self.progress_label.clear()
            self.done_label.setText(self.tr("报送失败：{0}").format(self.error))
            self.done_label.setStyleSheet(BANNER_STYLE)
            self.done_label.show()
        self._update_buttons()

    def _show_outcome(self, result: CloseResult | None) -> None:
        self.files_list.clear()
        self.files_list.setVisible(result is not None)
        self.done_label.setVisible(result is not None)
        if result is None:
            self.done_label.clear()
            return
        for file in result.files:
            mark = self.tr("已校验") if file.verified else self.tr("校验未通过")
            item = QListWidgetItem(self.tr("{0}　{1}").format(mark, file.name))
            item.setToolTip(self.tr("SHA-256：{0}").format(file.sha256))
            if not file.verified:
                item.setForeground(Qt.GlobalColor.red)
            self.files_list.addItem(item)
        if result.verified:
            lines = [
                self.tr("全部 {0} 个文件已写入并校验：{1}").format(
                    len(result.files), result.folder
                ),
                *result.notes,
                self.tr("可以拔出U盘。"),
            ]
            self.done_label.setText("\n".join(lines))
            self.done_label.setStyleSheet(DONE_STYLE if not result.notes else NOTE_STYLE)
            emphasise(self.done_label, 1.1)
        else:
            names = "、".join(f.name for f in result.failed)
            self.done_label.setText(
                self.tr(
                    "{0} 写入U盘后读回的内容与生成的不一致，U盘可能有故障。"
                    "报送文件夹未保留，请换一个U盘重新报送。"
                ).format(names)
            )
            self.done_label.setStyleSheet(ERROR_STYLE)

    # ---- closing ---------------------------------------------------------------------------
    def reject(self) -> None:
        if self._task is not None:
            self.cancel()  # closing while writing cancels first; the worker reports back
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._task is not None:
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)
