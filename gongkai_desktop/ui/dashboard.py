"""工作台, the first screen: what needs doing (overdue and soon-due rectification tasks,
sites whose required patrols of this month or quarter are not done, disclosure deadlines
in working days: 依申请公开 replies and 补正 notices, 主动公开 items not yet published)
and this month's workload, above the office's name and the last backup. Warnings about
the holiday table (a year not entered) stand in amber above it all.

The page only reads (``DashboardService``) and asks for records to be opened
(``record_open_requested``); the main window opens the editor and calls ``refresh()``
when the page is shown and after every save.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QFileDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.domain.periods import format_cn_date
from gongkai_desktop.services.maintenance.backup import BackupInfo, list_backups
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.reports.dashboard import (
    Dashboard,
    DashboardService,
    DisclosureDue,
    ItemEntry,
    RequestEntry,
    TaskEntry,
)
from gongkai_desktop.services.settings import is_county, load_settings
from gongkai_desktop.services.submission.status import (
    RETURNED_OPEN,
    ReturnedRow,
    SubmissionRow,
    open_returns,
    period_label,
    submissions,
)
from gongkai_desktop.ui.errors import describe_error, show_error
from gongkai_desktop.ui.style import BANNER_STYLE, HINT_STYLE, emphasise
from gongkai_desktop.ui.worker import Task

OVERDUE_COLOR = "#c0392b"
DUE_SOON_COLOR = "#b9770e"
PATROL_COLOR = "#1f4e79"
ZERO_COLOR = "#9ca3af"
WARNING_STYLE = (
    "background: #fff4d6; color: #7a4f00; border: 1px solid #f0d48a;"
    " border-radius: 4px; padding: 6px 10px;"
)
CARD_STYLE = "QFrame#card { background: #ffffff; border: 1px solid #dfe3e8; border-radius: 6px; }"
# a list shows this many rows before it scrolls (the page itself scrolls too)
MAX_VISIBLE_ROWS = 8
# at most this many rows are built per list: thousands of overdue tasks would take
# seconds of widgets; the rest are counted (「另有N项」) and are in the record lists
MAX_LISTED_ROWS = 50
REFLOW_WIDTH = 1200  # narrower than this, the two columns stack into one
ROW_PADDING = 10  # pixels above and below a row's text
DESCRIPTION_CHARS = 60  # longer problem descriptions are cut (the tooltip has them whole)
SUBMISSIONS_SHOWN = 3  # the latest packages listed in 报送情况


@dataclass(frozen=True)
class _Row:
    record_id: str
    cells: tuple[str, ...]
    tooltip: str = ""
    alert_column: int = -1  # this cell is shown in the section's colour, bold


@dataclass(frozen=True)
class _Snapshot:
    """What the page shows, read in one go (on a worker in background mode)."""

    settings: dict[str, str]
    board: Dashboard
    counts: dict[str, tuple[int, int]]
    sent: Sequence[SubmissionRow]
    returned: Sequence[ReturnedRow]
    backups: Sequence[BackupInfo]


class RecordSection(QFrame):
    """A titled list of records; a double-click (or Enter) on a row asks to open it."""

    record_activated = Signal(str)

    def __init__(
        self,
        title: str,
        color: str,
        headers: Sequence[str],
        stretch_column: int,
        empty_text: str,
        alert_color: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._title = title
        self._alert_color = QColor(alert_color or color)
        self._empty_text = empty_text
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        top = QHBoxLayout()
        self.title_label = QLabel()
        emphasise(self.title_label, 1.1)
        self.title_label.setStyleSheet(f"color: {color};")
        top.addWidget(self.title_label)
        top.addStretch(1)
        self.hint_label = QLabel(self.tr("双击一行打开记录"))
        self.hint_label.setStyleSheet(HINT_STYLE)
        top.addWidget(self.hint_label)
        layout.addLayout(top)

        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(headers))
        self.tree.setHeaderLabels(list(headers))
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setWordWrap(False)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionsMovable(False)
        for column in range(len(headers)):
            mode = (
                QHeaderView.ResizeMode.Stretch
                if column == stretch_column
                else QHeaderView.ResizeMode.ResizeToContents
            )
            header.setSectionResizeMode(column, mode)
        self.tree.itemActivated.connect(self._activated)
        layout.addWidget(self.tree)

        self.more_label = QLabel()
        self.more_label.setObjectName("more_label")
        self.more_label.setStyleSheet(HINT_STYLE)
        layout.addWidget(self.more_label)
        self.empty_label = QLabel(empty_text)
        self.empty_label.setStyleSheet(HINT_STYLE + " padding: 6px 2px;")
        layout.addWidget(self.empty_label)
        self.set_rows([])

    def set_rows(self, rows: Sequence[_Row], more_hint: str = "", total: int | None = None) -> None:
        """Show the first MAX_LISTED_ROWS of ``rows``; the title counts all ``total`` (by
        default len(rows): callers may pass only the first rows) and a line says how many
        more there are (``more_hint``: where to find them)."""
        total = len(rows) if total is None else total
        self.tree.clear()
        bold = self.tree.font()
        bold.setBold(True)
        row_height = self.tree.fontMetrics().height() + ROW_PADDING
        listed = rows[:MAX_LISTED_ROWS]
        for row in listed:
            item = QTreeWidgetItem(list(row.cells))
            # taller rows; the width is the text's, which ResizeToContents goes by
            width = self.tree.fontMetrics().horizontalAdvance(row.cells[0]) + 2 * ROW_PADDING
            item.setSizeHint(0, QSize(width, row_height))
            item.setData(0, Qt.ItemDataRole.UserRole, row.record_id)
            if row.tooltip:
                for column in range(len(row.cells)):
                    item.setToolTip(column, row.tooltip)
            if row.alert_column >= 0:
                item.setForeground(row.alert_column, QBrush(self._alert_color))
                item.setFont(row.alert_column, bold)
            self.tree.addTopLevelItem(item)
        self.title_label.setText(
            self.tr("{0}（{1}）").format(self._title, f"{total:,}") if rows else self._title
        )
        more = total - len(listed)
        self.more_label.setText(
            self.tr("另有{0}项未列出{1}").format(f"{more:,}", f"，{more_hint}" if more_hint else "")
        )
        self.more_label.setVisible(more > 0)
        self.tree.setVisible(bool(rows))
        self.hint_label.setVisible(bool(rows))
        self.empty_label.setVisible(not rows)
        self._fit_height(len(listed))

    def _fit_height(self, count: int) -> None:
        """As tall as its rows (up to MAX_VISIBLE_ROWS), so that short lists take little room."""
        if not count:
            return
        row_height = self.tree.sizeHintForRow(0)
        if row_height <= 0:
            row_height = self.tree.fontMetrics().height() + 8
        shown = min(count, MAX_VISIBLE_ROWS)
        header = self.tree.header().sizeHint().height()
        self.tree.setFixedHeight(header + shown * row_height + 2 * self.tree.frameWidth() + 2)

    def record_ids(self) -> list[str]:
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item.data(0, Qt.ItemDataRole.UserRole) for item in items if item is not None]

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        record_id = item.data(0, Qt.ItemDataRole.UserRole)
        if record_id:
            self.record_activated.emit(record_id)


class CountCard(QFrame):
    """One figure of the month: a big number over what it counts."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.setStyleSheet(CARD_STYLE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 10)
        layout.setSpacing(0)
        self.number_label = QLabel("0")
        emphasise(self.number_label, 1.9)
        self.number_label.setStyleSheet(f"color: {PATROL_COLOR};")
        self.caption_label = QLabel(caption)
        self.caption_label.setStyleSheet(HINT_STYLE)
        layout.addWidget(self.number_label)
        layout.addWidget(self.caption_label)

    def set_number(self, number: int) -> None:
        self.number_label.setText(f"{number:,}")


class DashboardPage(QWidget):
    record_open_requested = Signal(str)  # record id
    refreshed = Signal()  # background mode: new figures are shown

    def __init__(
        self,
        service: RecordService,
        missing_modules: Sequence[str] = (),
        parent: QWidget | None = None,
        today: Callable[[], date] = date.today,
        background: bool = False,
    ) -> None:
        """``background``: read the figures on a worker (the window's 工作台, which must
        not hold up start-up or a save with a large database); else at once."""
        super().__init__(parent)
        self._pool: QThreadPool | None = None
        if background:
            # owned by the page: one reader at a time, and deleting the page waits for it
            self._pool = QThreadPool(self)
            self._pool.setMaxThreadCount(1)
        self._reading = self._again = self._shut = False
        self._task: Task | None = None
        self.service = service
        self.ctx = service.ctx
        self.figures = DashboardService(service.ctx)
        self.missing_modules = tuple(missing_modules)
        self._today = today
        self.board: Dashboard | None = None
        self.close_dialog: QWidget | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        self._content = content = QWidget()
        scroll.setWidget(content)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.setSpacing(16)

        layout.addLayout(self._build_header())
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(BANNER_STYLE)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        self.loading_label = QLabel(self.tr("正在读取工作台数据…"))
        self.loading_label.setStyleSheet(HINT_STYLE)
        self.loading_label.hide()
        layout.addWidget(self.loading_label)
        self.calendar_label = QLabel()
        self.calendar_label.setObjectName("calendar_warnings")
        self.calendar_label.setWordWrap(True)
        self.calendar_label.setStyleSheet(WARNING_STYLE)
        self.calendar_label.hide()
        layout.addWidget(self.calendar_label)
        layout.addLayout(self._build_cards())

        # two columns on a wide window; one below REFLOW_WIDTH, where a laptop's page
        # area would cut the task table's columns (see resizeEvent)
        self.columns = columns = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        columns.setSpacing(24)
        left = QVBoxLayout()
        left.setSpacing(16)
        # the county sent these back (回执): shown only when there are some
        self.returned_section = RecordSection(
            self.tr("县级退回待改的记录"),
            OVERDUE_COLOR,
            [self.tr("情况"), self.tr("记录"), self.tr("退回意见"), self.tr("退回日期")],
            2,
            "",
        )
        self.returned_section.setObjectName("returned_section")
        left.addWidget(self.returned_section)
        self.overdue_section = RecordSection(
            self.tr("逾期整改任务"),
            OVERDUE_COLOR,
            [
                self.tr("编号"),
                self.tr("问题"),
                self.tr("监管对象/村"),
                self.tr("现行时限"),
                self.tr("情况"),
            ],
            1,
            self.tr("没有逾期任务"),
        )
        self.due_section = RecordSection(
            self.tr("7日内到期"),
            DUE_SOON_COLOR,
            [
                self.tr("编号"),
                self.tr("问题"),
                self.tr("监管对象/村"),
                self.tr("现行时限"),
                self.tr("情况"),
            ],
            1,
            self.tr("7日内没有到期的任务"),
        )
        left.addWidget(self.overdue_section)
        left.addWidget(self.due_section)
        left.addWidget(self._build_disclosure())
        left.addStretch(1)
        right = QVBoxLayout()
        right.setSpacing(16)
        self.patrol_section = RecordSection(
            self.tr("本月（本季度）巡查未完成的监管对象"),
            PATROL_COLOR,
            [
                self.tr("监管对象"),
                self.tr("类型"),
                self.tr("周期"),
                self.tr("已巡查"),
                self.tr("情况"),
            ],
            0,
            self.tr("没有巡查未完成的监管对象"),
            alert_color=OVERDUE_COLOR,
        )
        right.addWidget(self.patrol_section)
        self.shortfall_section = RecordSection(
            self.tr("今年以来巡查未达要求的监管对象"),
            PATROL_COLOR,
            [self.tr("监管对象"), self.tr("类型"), self.tr("缺巡情况")],
            2,
            self.tr("今年已过的月份均按要求完成巡查"),
            alert_color=OVERDUE_COLOR,
        )
        right.addWidget(self.shortfall_section)
        right.addWidget(self._build_by_type())
        right.addStretch(1)
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        layout.addLayout(columns)

        layout.addWidget(self._build_submission_box())
        layout.addWidget(self._build_data_box())
        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        self.notes_label.setStyleSheet(HINT_STYLE)
        layout.addWidget(self.notes_label)
        layout.addStretch(1)

        for section in (
            self.returned_section,
            self.overdue_section,
            self.due_section,
            self.patrol_section,
            self.shortfall_section,
            *self.disclosure_sections,
        ):
            section.record_activated.connect(self.record_open_requested)
        self.refresh()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        direction = (
            QBoxLayout.Direction.TopToBottom
            if event.size().width() < REFLOW_WIDTH
            else QBoxLayout.Direction.LeftToRight
        )
        if self.columns.direction() != direction:
            self.columns.setDirection(direction)

    # ---- building ------------------------------------------------------------------
    def _build_header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        names = QVBoxLayout()
        names.setSpacing(2)
        self.heading = QLabel()
        emphasise(self.heading, 1.5)
        self.place_label = QLabel()
        self.place_label.setStyleSheet(HINT_STYLE)
        names.addWidget(self.heading)
        names.addWidget(self.place_label)
        row.addLayout(names, 1)
        self.today_label = QLabel()
        emphasise(self.today_label, 1.1, bold=False)
        row.addWidget(self.today_label, 0, Qt.AlignmentFlag.AlignTop)
        self.close_button = QPushButton(self.tr("月末报送…"))
        self.close_button.setObjectName("month_close_button")
        self.close_button.setToolTip(
            self.tr("检查上月数据，把全部台账、月度小结和报送包写入U盘并校验")
        )
        self.close_button.clicked.connect(self.open_close_dialog)
        row.addSpacing(16)
        row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        return row

    def _build_submission_box(self) -> QWidget:
        """报送情况: the latest packages written and whether the county has received
        them (from its 回执), with 月末报送 and 导入回执 beside them."""
        box = QGroupBox(self.tr("报送情况"))
        self.submission_box = box
        column = QVBoxLayout(box)
        self.submissions_tree = QTreeWidget()
        self.submissions_tree.setObjectName("submissions_tree")
        headers = [self.tr("期间"), self.tr("生成时间"), self.tr("记录数"), self.tr("县级接收")]
        self.submissions_tree.setHeaderLabels(headers)
        self.submissions_tree.setRootIsDecorated(False)
        self.submissions_tree.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.submissions_tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.submissions_tree.header()
        header.setStretchLastSection(True)
        for index in range(len(headers) - 1):
            header.setSectionResizeMode(index, QHeaderView.ResizeMode.ResizeToContents)
        column.addWidget(self.submissions_tree)
        self.submissions_empty = QLabel(
            self.tr("尚未报送。每月初用“月末报送”把上月的台账、月度小结和报送包写入U盘。")
        )
        self.submissions_empty.setStyleSheet(HINT_STYLE)
        self.submissions_empty.setWordWrap(True)
        column.addWidget(self.submissions_empty)
        buttons = QHBoxLayout()
        self.receipt_button = QPushButton(self.tr("导入回执…"))
        self.receipt_button.setToolTip(self.tr("导入县级接收报送包后出具的回执文件（.gkrcpt）"))
        self.receipt_button.clicked.connect(self.import_receipt)
        self.box_close_button = QPushButton(self.tr("月末报送…"))
        self.box_close_button.clicked.connect(self.open_close_dialog)
        buttons.addWidget(self.box_close_button)
        buttons.addWidget(self.receipt_button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        return box

    def _build_disclosure(self) -> QWidget:
        """信息公开 deadlines: a section appears only when it has rows (an office that
        keeps no disclosure records sees one quiet line)."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(16)
        request_headers = [
            self.tr("登记编号"),
            self.tr("申请人"),
            self.tr("收到申请"),
            self.tr("法定答复期限"),
            self.tr("情况"),
        ]
        self.reply_overdue_section = RecordSection(
            self.tr("依申请公开逾期未答复"), OVERDUE_COLOR, request_headers, 1, ""
        )
        self.reply_due_section = RecordSection(
            self.tr("依申请公开5个工作日内到期"), DUE_SOON_COLOR, request_headers, 1, ""
        )
        self.correction_section = RecordSection(
            self.tr("补正告知期限将到（收到申请后7个工作日内）"),
            DUE_SOON_COLOR,
            [*request_headers[:3], self.tr("补正告知期限"), self.tr("情况")],
            1,
            "",
        )
        self.item_overdue_section = RecordSection(
            self.tr("主动公开信息逾期未公开"),
            OVERDUE_COLOR,
            [
                self.tr("索引号"),
                self.tr("信息名称"),
                self.tr("生成日期"),
                self.tr("公开时限"),
                self.tr("情况"),
            ],
            1,
            "",
        )
        self.disclosure_sections = (
            self.reply_overdue_section,
            self.reply_due_section,
            self.correction_section,
            self.item_overdue_section,
        )
        for section in self.disclosure_sections:
            layout.addWidget(section)
        self.disclosure_empty_label = QLabel(
            self.tr("信息公开：没有逾期或将到期的依申请公开、补正告知和主动公开事项")
        )
        self.disclosure_empty_label.setWordWrap(True)
        self.disclosure_empty_label.setStyleSheet(HINT_STYLE)
        layout.addWidget(self.disclosure_empty_label)
        return box

    def _build_cards(self) -> QVBoxLayout:
        box = QVBoxLayout()
        box.setSpacing(6)
        self.month_label = QLabel()
        emphasise(self.month_label, 1.1)
        box.addWidget(self.month_label)
        row = QHBoxLayout()
        row.setSpacing(12)
        self.inspections_card = CountCard(self.tr("巡查检查（次）"))
        self.events_card = CountCard(self.tr("宣传活动（场）"))
        self.materials_card = CountCard(self.tr("发放宣传资料（份）"))
        self.open_tasks_card = CountCard(self.tr("在办整改任务（件）"))
        self.completed_card = CountCard(self.tr("本月办结整改任务（件）"))
        for card in (
            self.inspections_card,
            self.events_card,
            self.materials_card,
            self.open_tasks_card,
            self.completed_card,
        ):
            row.addWidget(card)
        box.addLayout(row)
        return box

    def _build_by_type(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        title = QLabel(self.tr("本月巡查检查分类"))
        emphasise(title, 1.1)
        layout.addWidget(title)
        card = QFrame()
        card.setObjectName("card")
        card.setStyleSheet(CARD_STYLE)
        self.by_type_layout = QGridLayout(card)
        self.by_type_layout.setContentsMargins(14, 10, 14, 10)
        self.by_type_layout.setHorizontalSpacing(24)
        self.by_type_layout.setVerticalSpacing(5)
        self.by_type_layout.setColumnStretch(0, 1)
        layout.addWidget(card)
        return box

    def _build_data_box(self) -> QWidget:
        box = QGroupBox(self.tr("数据与备份"))
        grid = QGridLayout(box)
        grid.setHorizontalSpacing(24)
        grid.setColumnStretch(1, 1)
        self.backup_label = QLabel()
        self.counts_label = QLabel()
        # where the files lie is shown only in 设置 → 数据与备份
        rows = (
            (self.tr("记录数量"), self.counts_label),
            (self.tr("最近一次备份"), self.backup_label),
        )
        for index, (caption, label) in enumerate(rows):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            grid.addWidget(QLabel(caption), index, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(label, index, 1)
        return box

    # ---- filling -------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the figures again and show them: on a worker in background mode (the
        window's), at once otherwise. A refresh asked for while one is being read is
        done after it, so the page never shows older figures than the last change."""
        today = self._today()
        self.today_label.setText(f"{format_cn_date(today)}　{self._weekday(today)}")
        if self._pool is None:
            self._show_snapshot(self._gather(today))
            return
        if self._shut:
            return
        if self._reading:
            self._again = True
            return
        self._reading, self._again = True, False
        self.loading_label.show()
        task = Task(functools.partial(self._gather, today))
        task.signals.succeeded.connect(self._snapshot_read)
        task.signals.failed.connect(self._snapshot_failed)
        self._task = task  # referenced until it reports
        self._pool.start(task)

    def shut_down(self) -> None:
        """Before the database is closed or replaced: wait for a reading in progress and
        start no other (a refresh queued behind it is dropped)."""
        self._shut = True
        if self._pool is not None:
            self._pool.waitForDone()

    @property
    def reading(self) -> bool:
        return self._reading

    def _snapshot_read(self, snapshot: _Snapshot | BaseException) -> None:
        self._reading, self._task = False, None
        if self._shut:
            return
        self.loading_label.hide()
        self._show_snapshot(snapshot)
        self.refreshed.emit()
        if self._again:
            self.refresh()

    def _snapshot_failed(self, exc: BaseException) -> None:
        self._snapshot_read(exc)

    def _gather(self, today: date) -> _Snapshot | BaseException:
        """Everything the page shows, read from the database (no widget touched: this
        runs on a worker in background mode)."""
        try:
            settings = load_settings(self.ctx)
            return _Snapshot(
                settings,
                self.figures.overview(today),
                self.figures.record_counts(),
                submissions(self.ctx),
                open_returns(self.ctx),
                list_backups(self.ctx.db_path),
            )
        except Exception as exc:  # a damaged database must not take the first screen down
            return exc

    def _show_snapshot(self, snapshot: _Snapshot | BaseException) -> None:
        if isinstance(snapshot, BaseException):
            _title, message = describe_error(snapshot)
            self.error_label.setText(self.tr("工作台数据读取失败：{0}").format(message))
            self.error_label.show()
            return
        settings, board = snapshot.settings, snapshot.board
        counts, sent, returned = snapshot.counts, snapshot.sent, snapshot.returned
        self.error_label.hide()
        self.board = board
        self.heading.setText(settings["unit_name"] or self.tr("尚未填写单位名称"))
        place = "　".join(v for v in (settings["county"], settings["township"]) if v)
        self.place_label.setText(place or self.tr("请先到“设置”中填写单位名称、乡镇等信息。"))

        in_tasks = self.tr("在“整改任务”中查看")
        self.overdue_section.set_rows(
            [self._task_row(t, overdue=True) for t in board.overdue[:MAX_LISTED_ROWS]],
            in_tasks,
            len(board.overdue),
        )
        self.due_section.set_rows(
            [self._task_row(t, overdue=False) for t in board.due_soon[:MAX_LISTED_ROWS]],
            in_tasks,
            len(board.due_soon),
        )
        self.patrol_section.set_rows(
            [
                _Row(
                    g.site_id,
                    (
                        g.name,
                        g.site_type,
                        g.period_label,
                        self.tr("{0}/{1}次").format(g.done, g.required),
                        self.tr("还差{0}次").format(g.missing),
                    ),
                    self.tr("{0}：{1}要求巡查{2}次，已巡查{3}次").format(
                        g.name, g.period_label, g.required, g.done
                    ),
                    alert_column=4,
                )
                for g in board.patrol_gaps[:MAX_LISTED_ROWS]
            ],
            self.tr("在“监管对象”中查看"),
            len(board.patrol_gaps),
        )
        self.shortfall_section.set_rows(
            [
                _Row(
                    f.site_id,
                    (f.name, f.site_type, f.text),
                    self.tr("{0}：{1}").format(f.name, f.text),
                    alert_column=2,
                )
                for f in board.year_shortfalls[:MAX_LISTED_ROWS]
            ],
            self.tr("在“监管对象”中查看"),
            len(board.year_shortfalls),
        )
        self._show_disclosure(board.disclosure)
        self._show_month(board)
        self._show_data(counts, snapshot.backups)
        self._show_submissions(is_county(settings), sent, returned)
        # the lists' heights changed: without this the scroll area keeps the page at its
        # old height and the sections of the right column are drawn over each other
        # (once the pending layout requests are done, hence the timer)
        # (the page as the timer's context: no call after the page is gone)
        QTimer.singleShot(0, self, self._content.updateGeometry)

    # ---- 报送 ----------------------------------------------------------------------------
    def _show_submissions(
        self, county: bool, sent: Sequence[SubmissionRow], returned: Sequence[ReturnedRow]
    ) -> None:
        """The township's packages and returned records; a county database submits
        nothing, so it shows neither."""
        self.close_button.setVisible(not county)
        self.submission_box.setVisible(not county)
        if county:
            self.returned_section.set_rows([])
            self.returned_section.hide()
            return
        self.submissions_tree.clear()
        for row in sent[:SUBMISSIONS_SHOWN]:
            self.submissions_tree.addTopLevelItem(self._submission_item(row))
        self.submissions_tree.setVisible(bool(sent))
        self.submissions_empty.setVisible(not sent)
        if sent:
            shown = min(len(sent), SUBMISSIONS_SHOWN)
            height = self.submissions_tree.sizeHintForRow(0) * shown
            header = self.submissions_tree.header().sizeHint().height()
            self.submissions_tree.setFixedHeight(
                header + height + 2 * self.submissions_tree.frameWidth() + 2
            )
        self.returned_section.set_rows([self._returned_row(r) for r in returned])
        self.returned_section.setVisible(bool(returned))

    def _submission_item(self, row: SubmissionRow) -> QTreeWidgetItem:
        item = QTreeWidgetItem(
            [
                row.period_label,
                row.created_at.strftime("%Y-%m-%d %H:%M"),
                f"{row.record_count:,}",
                row.state_text,
            ]
        )
        item.setToolTip(0, row.file_name)
        if row.received_at is None:
            item.setForeground(3, QBrush(QColor(DUE_SOON_COLOR)))
        return item

    def _returned_row(self, row: ReturnedRow) -> _Row:
        form = self.service.registry.forms.get(row.form_id)
        what = row.record_title or row.record_id
        if form is not None:
            what = self.tr("{0}：{1}").format(form.title, what)
        tooltip = "\n".join(
            line
            for line in (
                what,
                row.record_date,
                self.tr("退回意见：{0}").format(row.note),
                self.tr("改好后在下次月末报送时一并报送")
                if row.state == RETURNED_OPEN
                else self.tr("已修改，下次月末报送时一并报送"),
            )
            if line
        )
        return _Row(
            row.record_id,
            (row.state, what, row.note, row.returned_at.strftime("%Y-%m-%d")),
            tooltip,
            alert_column=0 if row.state == RETURNED_OPEN else -1,
        )

    def open_close_dialog(self) -> QWidget:
        from gongkai_desktop.ui.submission.close_dialog import CloseDialog

        dialog = CloseDialog(self.ctx, parent=self, today=self._today)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # a bound method, not a lambda holding the page: the dialog may be deleted
        # after the page (PySide6 then calls into a destroyed lambda's page)
        dialog.closed.connect(self._month_closed)
        self.close_dialog = dialog
        dialog.open()
        return dialog

    def _month_closed(self, _result: object) -> None:
        self.refresh()  # the new submission is listed

    def import_receipt(self) -> None:
        from gongkai_desktop.services.submission.receipts import import_receipt

        chosen, _filter = QFileDialog.getOpenFileName(
            self, self.tr("导入回执"), str(Path.home()), self.tr("回执文件 (*.gkrcpt)")
        )
        if not chosen:
            return
        try:
            view = import_receipt(self.ctx, Path(chosen))
        except Exception as exc:
            show_error(self, exc, self.tr("导入回执失败"))
            return
        self.refresh()
        lines = [
            self.tr("县级已于 {0} 接收 {1} 的报送包：接收 {2} 条记录").format(
                f"{view.received_at.replace(tzinfo=UTC).astimezone():%Y-%m-%d}",
                period_label(view.period),
                view.accepted,
            )
        ]
        if view.conflicts:
            lines.append(self.tr("其中 {0} 条与县级修改冲突，由县级处理。").format(view.conflicts))
        if view.returns:
            lines.append(
                self.tr("退回修改 {0} 条，见工作台“县级退回待改的记录”。").format(len(view.returns))
            )
        QMessageBox.information(self, self.tr("回执已导入"), "\n".join(lines))

    def _show_disclosure(self, due: DisclosureDue) -> None:
        self.calendar_label.setText("\n".join(f"⚠ {w}" for w in due.calendar_warnings))
        self.calendar_label.setVisible(bool(due.calendar_warnings))
        hint, cap = self.tr("在“信息公开”中查看"), MAX_LISTED_ROWS
        self.reply_overdue_section.set_rows(
            [self._request_row(e) for e in due.replies_overdue[:cap]],
            hint,
            len(due.replies_overdue),
        )
        self.reply_due_section.set_rows(
            [self._request_row(e) for e in due.replies_due_soon[:cap]],
            hint,
            len(due.replies_due_soon),
        )
        self.correction_section.set_rows(
            [self._request_row(e, correction=True) for e in due.corrections_due[:cap]],
            hint,
            len(due.corrections_due),
        )
        self.item_overdue_section.set_rows(
            [self._item_row(e) for e in due.items_overdue[:cap]], hint, len(due.items_overdue)
        )
        for section in self.disclosure_sections:
            section.setVisible(bool(section.record_ids()))
        self.disclosure_empty_label.setVisible(due.empty)

    def _days_text(self, left: int, deadline: date, today: date) -> str:
        if deadline < today:
            if left == 0:  # only rest days since the deadline
                return self.tr("已过期限")
            return self.tr("已逾期{0}个工作日").format(-left)
        if left == 0:
            return self.tr("今天到期")
        return self.tr("还剩{0}个工作日").format(left)

    def _request_row(self, entry: RequestEntry, correction: bool = False) -> _Row:
        today = self.board.today if self.board else self._today()
        what = self.tr("补正告知期限") if correction else self.tr("法定答复期限")
        tooltip = "\n".join(
            line
            for line in (
                entry.number,
                self.tr("申请人：{0}").format(entry.applicant),
                self.tr("收到申请：{0}").format(format_cn_date(entry.received)),
                self.tr("{0}：{1}").format(what, format_cn_date(entry.deadline)),
            )
            if line
        )
        return _Row(
            entry.id,
            (
                entry.number,
                entry.applicant,
                format_cn_date(entry.received),
                format_cn_date(entry.deadline),
                self._days_text(entry.workdays_left, entry.deadline, today),
            ),
            tooltip,
            alert_column=4,
        )

    def _item_row(self, entry: ItemEntry) -> _Row:
        today = self.board.today if self.board else self._today()
        title = " ".join(entry.title.split())
        if len(title) > DESCRIPTION_CHARS:
            title = title[: DESCRIPTION_CHARS - 1] + "…"
        return _Row(
            entry.id,
            (
                entry.number,
                title,
                format_cn_date(entry.generated),
                format_cn_date(entry.due),
                self._days_text(-entry.workdays_overdue, entry.due, today),
            ),
            self.tr("{0}\n生成日期后20个工作日内应当公开（条例第二十六条）").format(entry.title),
            alert_column=4,
        )

    def _weekday(self, day: date) -> str:
        names = (
            self.tr("星期一"),
            self.tr("星期二"),
            self.tr("星期三"),
            self.tr("星期四"),
            self.tr("星期五"),
            self.tr("星期六"),
            self.tr("星期日"),
        )
        return names[day.weekday()]

    def _task_row(self, task: TaskEntry, overdue: bool) -> _Row:
        description = " ".join(task.description.split())
        if len(description) > DESCRIPTION_CHARS:
            description = description[: DESCRIPTION_CHARS - 1] + "…"
        if overdue:
            when = self.tr("逾期{0}天").format(task.days_overdue)
        elif task.days_left == 0:
            when = self.tr("今天到期")
        else:
            when = self.tr("还有{0}天").format(task.days_left)
        place = task.site_name or task.village
        tooltip = "\n".join(
            line
            for line in (
                task.number,
                task.description,
                place,
                self.tr("现行整改时限：{0}").format(format_cn_date(task.deadline)),
            )
            if line
        )
        return _Row(
            task.id,
            (task.number, description, place, format_cn_date(task.deadline), when),
            tooltip,
            alert_column=4,
        )

    def _show_month(self, board: Dashboard) -> None:
        month = board.month
        self.month_label.setText(self.tr("本月工作量（{0}）").format(month.period_label))
        self.inspections_card.set_number(month.inspections)
        self.events_card.set_number(month.outreach_events)
        self.materials_card.set_number(month.materials)
        self.open_tasks_card.set_number(month.open_tasks)
        self.completed_card.set_number(month.tasks_completed)

        while self.by_type_layout.count():
            taken = self.by_type_layout.takeAt(0)
            if taken is not None and (widget := taken.widget()) is not None:
                widget.deleteLater()
        rows = [*month.inspections_by_type, (self.tr("合计"), month.inspections)]
        for index, (label, number) in enumerate(rows):
            name = QLabel(label)
            value = QLabel(self.tr("{0} 次").format(number))
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if index == len(rows) - 1:
                emphasise(name, bold=True)
                emphasise(value, bold=True)
            elif number == 0:
                name.setStyleSheet(f"color: {ZERO_COLOR};")
                value.setStyleSheet(f"color: {ZERO_COLOR};")
            self.by_type_layout.addWidget(name, index, 0)
            self.by_type_layout.addWidget(value, index, 1)

    def _show_data(self, counts: dict[str, tuple[int, int]], backups: Sequence[BackupInfo]) -> None:
        parts = []
        for form in self.service.registry:
            live, deleted = counts.get(form.id, (0, 0))
            text = self.tr("{0} {1} 条").format(form.title, f"{live:,}")
            if deleted:
                text += self.tr("（回收站中另有 {0} 条）").format(f"{deleted:,}")
            parts.append(text)
        self.counts_label.setText("；".join(parts))
        if backups:
            last = backups[0]
            self.backup_label.setText(
                self.tr("{0}（{1}，共 {2} 个备份）").format(
                    last.created.strftime("%Y-%m-%d %H:%M"), last.reason, len(backups)
                )
            )
        else:
            self.backup_label.setText(self.tr("尚无备份（每天第一次打开软件时自动备份）"))

        notes = list(self.ctx.opened_notes)
        if self.missing_modules:
            notes.append(
                self.tr("以下模块的表单尚未配置，将随后续版本提供：{0}").format(
                    "、".join(self.missing_modules)
                )
            )
        self.notes_label.setText("\n".join(notes))
        self.notes_label.setVisible(bool(notes))
