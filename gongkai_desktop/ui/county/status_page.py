"""县级汇总 → 报送情况: the completeness grid of a period (townships × forms of a month,
townships × months of a quarter or year), overdue cells in red, exported as .xlsx."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.domain.errors import GongkaiError
from gongkai_desktop.domain.periods import Period, format_cn_date
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.county.status import (
    STATES,
    StatusGrid,
    by_township,
    cell_text,
    completeness,
)
from gongkai_desktop.services.county.status_sheet import (
    OVERDUE_FILL,
    OVERDUE_TEXT,
    StatusExportError,
    fill_of,
    grid_title,
    write_status_xlsx,
)
from gongkai_desktop.ui.errors import show_error
from gongkai_desktop.ui.ledgers.ledger_page import PeriodChooser
from gongkai_desktop.ui.style import ERROR_STYLE, HINT_STYLE, emphasise


def _colour(argb: str) -> QColor:
    """An openpyxl ARGB colour ("FFFFC7CE") as a QColor: the screen shows the sheet's."""
    return QColor(f"#{argb[2:]}")


class StatusPage(QWidget):
    """The grid is read when the page is shown and when the period changes."""

    def __init__(
        self, ctx: AppContext, today: date | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.today = today
        self.grid: StatusGrid | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        heading = QLabel(self.tr("报送情况"))
        emphasise(heading, 1.3)
        layout.addWidget(heading)
        self.period_chooser = PeriodChooser(today)
        self.period_chooser.period_changed.connect(self.refresh)
        layout.addWidget(self.period_chooser)
        self.period_error = QLabel()
        self.period_error.setStyleSheet(ERROR_STYLE)
        self.period_error.setVisible(False)
        layout.addWidget(self.period_error)
        self.summary = QLabel()
        self.summary.setObjectName("status_summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        legend = QLabel(
            self.tr(
                "已报：次月截止日前报送；迟报：截止日后报送；未报：截止日已过仍未报送（红色）；"
                "待报：截止日未到；退回：有退回修改意见，乡镇尚未重报（黄色）。括号内为记录条数。"
            )
        )
        legend.setWordWrap(True)
        legend.setStyleSheet(HINT_STYLE)
        layout.addWidget(legend)
        self.table = QTableWidget()
        self.table.setObjectName("status_table")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumHeight(240)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button = QPushButton(self.tr("导出 .xlsx…"))
        self.export_button.setObjectName("status_export")
        self.export_button.clicked.connect(self.choose_export)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.message = QLabel()
        self.message.setObjectName("status_message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def current_period(self) -> Period | None:
        try:
            period = self.period_chooser.period()
        except GongkaiError as exc:
            self.period_error.setText(str(exc))
            self.period_error.setVisible(True)
            return None
        self.period_error.setVisible(False)
        return period

    def refresh(self) -> None:
        period = self.current_period()
        if period is None:
            return
        try:
            self.grid = completeness(self.ctx, period, today=self.today)
        except Exception as exc:
            show_error(self, exc, self.tr("无法读取报送情况"))
            return
        self._fill(self.grid)

    def _fill(self, grid: StatusGrid) -> None:
        columns = [self.tr("乡镇"), *(c.label for c in grid.columns), *STATES]
        self.table.clear()
        self.table.setColumnCount(len(columns))
        self.table.setHorizontalHeaderLabels(columns)
        self.table.setRowCount(len(grid.rows) + 1)
        for r, row in enumerate(grid.rows):
            name = QTableWidgetItem(row.name)
            name.setToolTip(row.code)
            self.table.setItem(r, 0, name)
            for c, cell in enumerate(row.cells, start=1):
                item = QTableWidgetItem(cell_text(cell))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                fill = fill_of(cell)
                if fill is not None:
                    item.setBackground(QBrush(_colour(fill)))
                if fill == OVERDUE_FILL:
                    item.setForeground(QBrush(_colour(OVERDUE_TEXT)))
                self.table.setItem(r, c, item)
            totals = row.totals
            for k, state in enumerate(STATES):
                item = QTableWidgetItem(str(totals[state]))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(r, len(grid.columns) + 1 + k, item)
        last = len(grid.rows)
        bold = self.table.font()
        bold.setBold(True)
        label = QTableWidgetItem(self.tr("合计"))
        label.setFont(bold)
        self.table.setItem(last, 0, label)
        for c, counts in enumerate(grid.column_totals(), start=1):
            text = "　".join(f"{s}{counts[s]}" for s in STATES if counts[s])
            item = QTableWidgetItem(text)
            item.setFont(bold)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.table.setItem(last, c, item)
        grand = grid.totals()
        for k, state in enumerate(STATES):
            item = QTableWidgetItem(str(grand[state]))
            item.setFont(bold)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.table.setItem(last, len(grid.columns) + 1 + k, item)
        if not grid.rows:
            self.summary.setText(
                self.tr("尚未添加乡镇。请先在“乡镇管理”中添加乡镇并发放报送密钥。")
            )
            return
        head = self.tr("{0}：{1}个乡镇，截至{2}（次月{3}日前为按时）。").format(
            grid_title(grid), len(grid.rows), format_cn_date(grid.as_of), grid.due_day
        )
        if grid.by_month:
            counted = "，".join(f"{s}{grand[s]}" for s in STATES if grand[s])
            self.summary.setText(head + self.tr("按乡镇和月份：") + counted)
            return
        towns = by_township(grid)
        parts = [
            self.tr("已报{0}个").format(towns["已报"]),
            self.tr("迟报{0}个").format(towns["迟报"]),
            self.tr("逾期未报{0}个").format(towns["未报"]) if towns["未报"] else "",
            self.tr("待报{0}个").format(towns["待报"]) if towns["待报"] else "",
            self.tr("有退回修改的{0}个").format(towns["退回"]) if towns["退回"] else "",
        ]
        self.summary.setText(head + self.tr("按乡镇：") + "，".join(p for p in parts if p))

    # ---- export ---------------------------------------------------------------------------
    def choose_export(self) -> None:
        if self.grid is None:
            return
        name = f"{grid_title(self.grid)}.xlsx"
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("导出报送情况"), name, self.tr("Excel 文件 (*.xlsx)")
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, target: Path) -> Path | None:
        """Write the grid shown to ``target`` (.xlsx); says where, or why not."""
        if self.grid is None:
            return None
        if target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")
        try:
            written = write_status_xlsx(self.grid, target)
        except StatusExportError as exc:
            self.message.setStyleSheet(ERROR_STYLE)
            self.message.setText(str(exc))
            return None
        self.message.setStyleSheet("")
        self.message.setText(self.tr("已导出：{0}").format(written))
        return written
