"""The 台账导出 page: choose a period, export one ledger or every ledger of the period
into a folder (e.g. a USB stick), and open the import wizard. The ledgers are grouped
by line of work (``services.ledgers.catalogue``); beside them the selected ledger's first
page is shown as a picture, and 打印 prints it, both from the .xlsx the export writes
(exported to a temporary folder on the pool, read back as a grid, painted by
``render.grid_print`` on the GUI thread).

Exports run on the thread pool (``ui.worker``) the way Anki's ``CollectionOp`` does:
the worker calls the service with a progress callback and a cancel flag and never
touches a widget; progress arrives here through a signal (queued to the GUI thread).
"""

from __future__ import annotations

import logging
import tempfile
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QPixmap, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.domain.errors import GongkaiError
from gongkai_desktop.domain.periods import Period, last_month, parse_period, period_between
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.documents.print_grid import PrintGrid, grid_from_xlsx
from gongkai_desktop.services.ledgers.catalogue import ledger_groups
from gongkai_desktop.services.ledgers.export import (
    ExportCancelled,
    ExportResult,
    LedgerExporter,
    ledger_file_name,
)
from gongkai_desktop.services.settings import load_settings
from gongkai_desktop.ui.county.township_choice import TownshipChooser
from gongkai_desktop.ui.errors import show_error
from gongkai_desktop.ui.printing import GridPreview
from gongkai_desktop.ui.style import ERROR_STYLE, HINT_STYLE, emphasise, make_primary
from gongkai_desktop.ui.worker import Task, start_task

PERIOD_KINDS = ("month", "quarter", "year", "range")
# rows read back for the first page's picture (a page holds fewer)
PREVIEW_ROWS = 60
# the picture waits for the clerk to stop moving through the list
PREVIEW_DELAY_MS = 250


def default_period_hint() -> str:
    """Beside a period that starts at last month: the 工作台 shows this month."""
    return QCoreApplication.translate("PeriodChooser", "默认上个月（月末报送用）")


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class PeriodChooser(QWidget):
    """月 / 季度 / 年 / 自定义起止日期; ``period()`` raises PeriodError for a bad range."""

    period_changed = Signal()

    def __init__(self, today: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        today = today or date.today()
        year, month = last_month(today)
        self.kind = QComboBox()
        for label in (self.tr("月"), self.tr("季度"), self.tr("年"), self.tr("自定义起止日期")):
            self.kind.addItem(label)
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(year)
        self.year.setSuffix(self.tr(" 年"))
        self.month = QComboBox()
        for m in range(1, 13):
            self.month.addItem(self.tr("{0}月").format(m))
        self.month.setCurrentIndex(month - 1)
        self.quarter = QComboBox()
        for q in (
            self.tr("第一季度"),
            self.tr("第二季度"),
            self.tr("第三季度"),
            self.tr("第四季度"),
        ):
            self.quarter.addItem(q)
        self.quarter.setCurrentIndex((month - 1) // 3)
        self.start = QDateEdit(_qdate(date(year, month, 1)))
        self.end = QDateEdit(_qdate(today.replace(day=1) - timedelta(days=1)))
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")

        self.detail = QStackedWidget()
        # the 工作台 counts this month; say why this page starts a month earlier
        self._default = (0, year, month - 1)
        self.default_hint = QLabel(default_period_hint())
        self.default_hint.setObjectName("default_period_hint")
        self.default_hint.setStyleSheet(HINT_STYLE)
        month_row = self._row(self.month, self.default_hint)
        quarter_row = self._row(self.quarter)
        range_row = QWidget()
        range_layout = QHBoxLayout(range_row)
        range_layout.setContentsMargins(0, 0, 0, 0)
        range_layout.addWidget(QLabel(self.tr("从")))
        range_layout.addWidget(self.start)
        range_layout.addWidget(QLabel(self.tr("至")))
        range_layout.addWidget(self.end)
        range_layout.addStretch(1)
        for page in (month_row, quarter_row, self._row(None), range_row):
            self.detail.addWidget(page)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(self.tr("期间：")))
        layout.addWidget(self.kind)
        layout.addWidget(self.year)
        layout.addWidget(self.detail)
        layout.addStretch(1)
        self.period_changed.connect(self._show_default_hint)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.year.valueChanged.connect(self.period_changed)
        self.month.currentIndexChanged.connect(self.period_changed)
        self.quarter.currentIndexChanged.connect(self.period_changed)
        self.start.dateChanged.connect(self.period_changed)
        self.end.dateChanged.connect(self.period_changed)

    @staticmethod
    def _row(*widgets: QWidget | None) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            if widget is not None:
                layout.addWidget(widget)
        layout.addStretch(1)
        return row

    def _show_default_hint(self) -> None:
        chosen = (self.kind.currentIndex(), self.year.value(), self.month.currentIndex())
        self.default_hint.setVisible(chosen == self._default)

    def _kind_changed(self, index: int) -> None:
        self.detail.setCurrentIndex(index)
        self.year.setVisible(PERIOD_KINDS[index] != "range")
        self.period_changed.emit()

    def set_kind(self, kind: str) -> None:
        self.kind.setCurrentIndex(PERIOD_KINDS.index(kind))

    def set_last_month(self, today: date | None = None) -> None:
        """The default: last month (what 导出上月台账 exports)."""
        year, month = last_month(today or date.today())
        self.set_kind("month")
        self.year.setValue(year)
        self.month.setCurrentIndex(month - 1)

    def period(self) -> Period:
        kind = PERIOD_KINDS[self.kind.currentIndex()]
        year = self.year.value()
        if kind == "month":
            return parse_period(f"{year}-{self.month.currentIndex() + 1:02d}")
        if kind == "quarter":
            return parse_period(f"{year}-Q{self.quarter.currentIndex() + 1}")
        if kind == "year":
            return parse_period(f"{year}")
        return period_between(_pydate(self.start.date()), _pydate(self.end.date()))


class ExportProgress(QObject):
    """Emitted from the worker thread; delivered (queued) on the GUI thread."""

    progressed = Signal(int, int, str)  # records done, records in total, ledger title


class LedgerPage(QWidget):
    records_imported = Signal()  # the import wizard wrote records

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.registry = ctx.registry
        self.groups = ledger_groups(self.registry)
        # in the order shown: by line of work, then the order of the form files
        self.ledgers = [ledger for group in self.groups for ledger in group.ledgers]
        self._preview_task: Task | None = None
        self._print_task: Task | None = None
        self._preview_wanted: tuple[Any, ...] | None = None  # what the picture should show
        self._preview_running: tuple[Any, ...] | None = None  # what the task reads
        self.preview_grid: PrintGrid | None = None
        self.printing = GridPreview(self)
        self._preview_pixmap = QPixmap()
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.update_preview)
        self._task: Task | None = None
        self._cancel = threading.Event()
        self._signals = ExportProgress()
        self._signals.progressed.connect(self._progressed)
        # export_all writes the ledgers in the registry's order: number them so
        self._ledger_index = {
            ledger.title: i for i, ledger in enumerate(self.registry.ledgers.values())
        }
        self.last_folder: Path | None = None
        self.wizard: QWidget | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        heading = QLabel(self.tr("台账导出"))
        emphasise(heading, 1.3)
        layout.addWidget(heading)
        hint = QLabel(
            self.tr(
                "选择期间后，可导出单个台账，或把本期全部台账一次导出到一个文件夹（如U盘）。"
                "名册类台账（排污单位、畜禽养殖场）不分期间，列出截至今日的全部对象。"
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT_STYLE)
        layout.addWidget(hint)

        self.period_chooser = PeriodChooser()
        self.period_chooser.period_changed.connect(self.refresh)
        layout.addWidget(self.period_chooser)
        # county mode: all townships or one (a 乡镇 column either way)
        self.township_chooser = TownshipChooser(ctx)
        self.township_chooser.changed.connect(self.refresh)
        layout.addWidget(self.township_chooser)
        self.period_error = QLabel()
        self.period_error.setStyleSheet(ERROR_STYLE)
        self.period_error.setVisible(False)
        layout.addWidget(self.period_error)

        self.table = QTreeWidget()
        self.table.setObjectName("ledger_tree")
        self.table.setColumnCount(2)
        self.table.setHeaderLabels([self.tr("台账"), self.tr("本期记录数")])
        self.table.setRootIsDecorated(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._build_tree()
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemDoubleClicked.connect(self._item_double_clicked)

        preview_box = QWidget()
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.setContentsMargins(0, 0, 0, 0)
        preview_row = QHBoxLayout()
        self.preview_caption = QLabel(self.tr("预览（第 1 页）"))
        self.preview_caption.setStyleSheet(HINT_STYLE)
        self.print_button = QPushButton(self.tr("打印…"))
        self.print_button.setObjectName("print_ledger_button")
        self.print_button.setToolTip(self.tr("打印所选台账（先显示打印预览；Ctrl+P）"))
        self.print_button.clicked.connect(self.print_selected)
        preview_row.addWidget(self.preview_caption, 1)
        preview_row.addWidget(self.print_button)
        preview_layout.addLayout(preview_row)
        self.preview_label = QLabel()
        self.preview_label.setObjectName("ledger_preview")
        self.preview_label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.preview_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.preview_label.setMinimumSize(160, 120)
        self.preview_label.setStyleSheet("QLabel#ledger_preview { background: #e5e7eb; }")
        preview_layout.addWidget(self.preview_label, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.table)
        splitter.addWidget(preview_box)
        # the picture of an A4 landscape page wants the width more than the titles do
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 2)
        self.table.setMinimumWidth(240)
        layout.addWidget(splitter, 1)

        actions = QHBoxLayout()
        self.export_button = QPushButton(self.tr("导出所选台账…"))
        self.export_button.clicked.connect(self.export_selected)
        self.export_all_button = QPushButton(self.tr("导出本期全部台账…"))
        self.export_all_button.clicked.connect(lambda: self.export_all())
        make_primary(self.export_all_button)  # the page's main button
        self.photos_check = QCheckBox(self.tr("导出含照片"))
        self.photos_check.setToolTip(
            self.tr("同时把照片复制到台账旁的文件夹中，每条记录一个子文件夹（按序号命名）")
        )
        self.import_button = QPushButton(self.tr("导入台账…"))
        self.import_button.clicked.connect(self.open_import_wizard)
        self.migrate_button = QPushButton(self.tr("导入旧台账…"))
        self.migrate_button.setToolTip(self.tr("一次读取一个文件夹中的全部旧台账，识别后一并导入"))
        self.migrate_button.clicked.connect(self.open_migration_wizard)
        self.close_button = QPushButton(self.tr("月末报送…"))
        self.close_button.setToolTip(
            self.tr("检查本月数据，把全部台账、月度小结和报送包写入U盘并校验")
        )
        self.close_button.clicked.connect(self.open_close_dialog)
        actions.addWidget(self.export_button)
        actions.addWidget(self.export_all_button)
        actions.addWidget(self.photos_check)
        actions.addWidget(self.close_button)
        actions.addStretch(1)
        actions.addWidget(self.import_button)
        actions.addWidget(self.migrate_button)
        layout.addLayout(actions)

        progress_box = QGroupBox(self.tr("导出进度"))
        box_layout = QVBoxLayout(progress_box)
        progress_row = QHBoxLayout()
        self.progress_bar = QProgressBar()
        self.progress_bar.setFormat(self.tr("%v / %m 条记录"))
        self.progress_label = QLabel()
        self.cancel_button = QPushButton(self.tr("取消"))
        self.cancel_button.clicked.connect(self.cancel)
        progress_row.addWidget(self.progress_bar, 1)
        progress_row.addWidget(self.cancel_button)
        box_layout.addLayout(progress_row)
        box_layout.addWidget(self.progress_label)
        self.summary = QPlainTextEdit()
        self.summary.setReadOnly(True)
        self.summary.setMaximumHeight(150)
        box_layout.addWidget(self.summary)
        folder_row = QHBoxLayout()
        self.open_folder_button = QPushButton(self.tr("打开文件夹"))
        self.open_folder_button.clicked.connect(self.open_folder)
        folder_row.addStretch(1)
        folder_row.addWidget(self.open_folder_button)
        box_layout.addLayout(folder_row)
        self.progress_box = progress_box
        layout.addWidget(progress_box)
        self._set_running(False)
        self.progress_box.setVisible(False)
        self.refresh()

    # ---- list -------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._task is None:
            self.township_chooser.reload()  # a township may have been added
            # 月末报送 is a township's hand-off; a county database receives, never submits
            self.close_button.setVisible(not self.township_chooser.county)
            self.refresh()  # records may have changed on other pages

    def current_period(self) -> Period | None:
        try:
            period = self.period_chooser.period()
        except Exception as exc:  # PeriodError: a from-date after the to-date
            self.period_error.setText(str(exc))
            self.period_error.setVisible(True)
            return None
        self.period_error.setVisible(False)
        return period

    def _build_tree(self) -> None:
        """One bold row per line of work, its ledgers under it (always expanded)."""
        for group in self.groups:
            heading = QTreeWidgetItem([self.tr(group.line_of_work), ""])
            heading.setFlags(Qt.ItemFlag.ItemIsEnabled)  # not selectable
            font = heading.font(0)
            font.setBold(True)
            heading.setFont(0, font)
            self.table.addTopLevelItem(heading)
            heading.setFirstColumnSpanned(True)
            for ledger in group.ledgers:
                item = QTreeWidgetItem(heading, [ledger.title, ""])
                item.setData(0, Qt.ItemDataRole.UserRole, ledger.id)
                item.setTextAlignment(1, Qt.AlignmentFlag.AlignCenter)
                self._items[ledger.id] = item
            heading.setExpanded(True)
        self.table.setItemsExpandable(False)

    def group_titles(self) -> list[tuple[str, list[str]]]:
        """(line of work, ledger titles) as the list shows them, top to bottom."""
        out = []
        for index in range(self.table.topLevelItemCount()):
            heading = self.table.topLevelItem(index)
            assert heading is not None
            children = (heading.child(i) for i in range(heading.childCount()))
            out.append((heading.text(0), [child.text(0) for child in children if child]))
        return out

    def count_text(self, ledger_id: str) -> str:
        return self._items[ledger_id].text(1)

    def refresh(self) -> None:
        """Ledger titles and their record counts for the chosen period (SQL counts)."""
        period = self.current_period()
        selected = self.selected_ledger_id()
        exporter = LedgerExporter(self.township_chooser.scoped())
        for ledger in self.ledgers:
            try:
                count = str(exporter.count(ledger.id, period)) if period else "—"
            except Exception:  # a count is a nicety; the export reports real errors
                count = "—"
            if ledger.date_field is None and count != "—":
                count = self.tr("{0}（名册，不分期间）").format(count)
            item = self._items[ledger.id]
            item.setText(1, count)
            item.setToolTip(0, ledger.id)
        if selected is not None:
            self.select_ledger(selected)
        elif self.ledgers and not self.table.selectedItems():
            self.select_ledger(self.ledgers[0].id)
        self._update_buttons()
        self._preview_timer.start()  # the period or the records may have changed

    def selected_ledger_id(self) -> str | None:
        items = self.table.selectedItems()
        if not items:
            return None
        value = items[0].data(0, Qt.ItemDataRole.UserRole)
        return str(value) if value else None

    def select_ledger(self, ledger_id: str) -> None:
        item = self._items.get(ledger_id)
        if item is not None:
            self.table.setCurrentItem(item)
            item.setSelected(True)

    def _selection_changed(self) -> None:
        self._update_buttons()
        self._preview_timer.start()

    def _item_double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        if item.data(0, Qt.ItemDataRole.UserRole):
            self.export_selected()

    @property
    def busy(self) -> bool:
        return self._task is not None

    def _update_buttons(self) -> None:
        idle = self._task is None
        has_period = not self.period_error.isVisible()
        self.export_button.setEnabled(idle and has_period and self.selected_ledger_id() is not None)
        self.export_all_button.setEnabled(idle and has_period and bool(self.ledgers))
        self.import_button.setEnabled(idle)
        self.migrate_button.setEnabled(idle)
        self.period_chooser.setEnabled(idle)
        self.photos_check.setEnabled(idle)
        self.close_button.setEnabled(idle)
        self.print_button.setEnabled(
            idle
            and has_period
            and self._print_task is None
            and self.selected_ledger_id() is not None
        )

    def _set_running(self, running: bool) -> None:
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.progress_bar.setVisible(running)
        self.open_folder_button.setVisible(not running and self.last_folder is not None)
        self._update_buttons()

    # ---- exports ------------------------------------------------------------------------
    def _unit_name(self) -> str:
        return str(load_settings(self.ctx)["unit_name"] or "")

    def _start_folder(self) -> str:
        return str(self.last_folder or Path.home())

    def export_selected(self) -> None:
        ledger_id = self.selected_ledger_id()
        period = self.current_period()
        if ledger_id is None or period is None or self._task is not None:
            return
        ledger = self.registry.ledger(ledger_id)
        name = ledger_file_name(self._unit_name(), ledger.title, period)
        chosen, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("导出台账"),
            str(Path(self._start_folder()) / name),
            self.tr("Excel 工作簿 (*.xlsx)"),
        )
        if not chosen:
            return
        target = Path(chosen)
        if target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")
        photos = self.photos_check.isChecked()
        photos_folder = target.with_name(target.stem + "（照片）") if photos else None
        cancel = self._cancel
        signals = self._signals
        source = self.township_chooser.scoped()

        def work() -> list[ExportResult]:
            exporter = LedgerExporter(source)
            return [
                exporter.export(
                    ledger_id,
                    period,
                    target,
                    photos_folder=photos_folder,
                    progress=signals.progressed.emit,
                    cancelled=cancel.is_set,
                )
            ]

        self._start(work, target.parent, photos, 1)

    def export_last_month(self) -> None:
        """导出上月台账 (the toolbar): every ledger of last month, to a folder."""
        if self._task is not None:
            return
        self.period_chooser.set_last_month()
        self.export_all()

    def export_all(self, folder: Path | None = None) -> None:
        period = self.current_period()
        if period is None or self._task is not None:
            return
        if folder is None:
            chosen = QFileDialog.getExistingDirectory(
                self, self.tr("选择导出到的文件夹（如U盘）"), self._start_folder()
            )
            if not chosen:
                return
            folder = Path(chosen)
        photos = self.photos_check.isChecked()
        cancel = self._cancel
        signals = self._signals
        source = self.township_chooser.scoped()

        def work() -> list[ExportResult]:
            return LedgerExporter(source).export_all(
                period,
                folder,
                photos=photos,
                progress=signals.progressed.emit,
                cancelled=cancel.is_set,
            )

        self._start(work, folder, photos, len(self.ledgers))

    def _start(self, work: Any, folder: Path, photos: bool, ledger_total: int) -> None:
        self._cancel.clear()
        self._folder = folder
        self._photos = photos
        self._ledger_total = ledger_total
        self.last_folder = folder
        self.progress_box.setVisible(True)
        self.progress_bar.setRange(0, 0)  # busy until the first report
        self.progress_label.setText(self.tr("正在准备导出…"))
        self.summary.clear()
        self._task = start_task(work, self._finished, self._failed)
        self._set_running(True)

    def _progressed(self, done: int, total: int, title: str) -> None:
        if self._task is None:
            return
        if total <= 0:
            self.progress_bar.setRange(0, 1)
            self.progress_bar.setValue(1 if done >= total else 0)
        else:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(done)
        if title in self._ledger_index and self._ledger_total > 1:
            self.progress_label.setText(
                self.tr("正在导出第 {0} / {1} 个台账：{2}").format(
                    self._ledger_index[title] + 1, self._ledger_total, title
                )
            )
        elif title in self._ledger_index:
            self.progress_label.setText(self.tr("正在导出：{0}").format(title))

    def cancel(self) -> None:
        if self._task is None:
            return
        self._cancel.set()
        self.cancel_button.setEnabled(False)
        self.progress_label.setText(self.tr("正在取消…"))

    def _finished(self, results: list[ExportResult]) -> None:
        self._task = None
        rows = sum(r.rows for r in results)
        lines = [
            self.tr("已导出 {0} 个台账（共 {1} 条记录）到文件夹：{2}").format(
                len(results), rows, self._folder
            )
        ]
        for result in results:
            photos = self.tr("，照片 {0} 张").format(result.photos) if self._photos else ""
            lines.append(
                self.tr("· {0}：{1} 条记录{2}").format(result.path.name, result.rows, photos)
            )
        notes = [note for result in results for note in result.notes]
        if notes:
            lines.append(self.tr("注意（共 {0} 条）：").format(len(notes)))
            lines.extend(self.tr("  {0}").format(note) for note in notes)
        self.summary.setPlainText("\n".join(lines))
        self.progress_label.setText(
            self.tr("导出完成。") if not notes else self.tr("导出完成，但有需要注意的地方，见下。")
        )
        self._set_running(False)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self._set_running(False)
        if isinstance(exc, ExportCancelled):
            self.progress_label.setText(self.tr("已取消导出。"))
            self.summary.setPlainText(
                self.tr("{0}\n已经完整导出的台账文件保留在：{1}").format(str(exc), self._folder)
            )
            return
        self.progress_label.setText(self.tr("导出失败。"))
        self.summary.setPlainText(str(exc))
        show_error(self, exc, self.tr("导出失败"))

    def open_folder(self) -> None:
        if self.last_folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_folder)))

    # ---- preview and print ---------------------------------------------------------------
    def _grid_job(self, max_rows: int | None) -> tuple[tuple[Any, ...], Any] | None:
        """What to read (a key for the selection and period) and the function that exports
        the selected ledger to a temporary folder and reads it back as a grid."""
        ledger_id = self.selected_ledger_id()
        period = self.current_period()
        if ledger_id is None or period is None:
            return None
        source = self.township_chooser.scoped()
        key = (ledger_id, period, self.township_chooser.box.currentData())
        name = ledger_file_name(self._unit_name(), self.registry.ledger(ledger_id).title, period)

        def work() -> PrintGrid:
            with tempfile.TemporaryDirectory(prefix="gongkai-preview-") as folder:
                target = Path(folder) / name
                LedgerExporter(source).export(ledger_id, period, target)
                return grid_from_xlsx(target, max_rows=max_rows)

        return key, work

    def update_preview(self) -> None:
        """Render the selected ledger's first page beside the list (on the pool)."""
        if not self.isVisible():  # shown again later: showEvent refreshes, and so this
            return
        job = self._grid_job(PREVIEW_ROWS)
        if job is None:
            self._preview_wanted = None
            self.preview_label.clear()
            return
        key, work = job
        self._preview_wanted = key
        if self._preview_task is not None:
            return  # the running one is followed by the one wanted (see _preview_done)
        self.preview_caption.setText(self.tr("正在生成预览…"))
        self._preview_running = key
        # bound methods: a page closed meanwhile is not called back
        self._preview_task = start_task(work, self._preview_done, self._preview_failed)

    def _preview_done(self, grid: PrintGrid) -> None:
        from gongkai_desktop.render.grid_print import first_page_image

        self._preview_task = None
        if self._preview_running != self._preview_wanted:  # the clerk moved on meanwhile
            self.update_preview()
            return
        try:
            image = first_page_image(grid, dpi=110)
        except Exception as exc:
            self._preview_failed(exc)
            return
        self.preview_grid = grid
        self._preview_pixmap = QPixmap.fromImage(image)
        self.preview_caption.setText(self.tr("预览（第 1 页，A4）"))
        self._show_preview_pixmap()

    def _preview_failed(self, exc: BaseException) -> None:
        self._preview_task = None
        if self._preview_running != self._preview_wanted:
            self.update_preview()
            return
        self.preview_grid = None
        self._preview_pixmap = QPixmap()
        self.preview_label.clear()
        if isinstance(exc, GongkaiError):  # says in Chinese what is wrong
            self.preview_caption.setText(self.tr("无法生成预览：{0}").format(exc))
        else:
            logging.getLogger(__name__).error("台账预览失败", exc_info=exc)
            self.preview_caption.setText(self.tr("无法生成预览（详情已记入日志）"))

    def _show_preview_pixmap(self) -> None:
        if self._preview_pixmap.isNull():
            return
        size = self.preview_label.size()
        self.preview_label.setPixmap(
            self._preview_pixmap.scaled(
                size,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show_preview_pixmap()

    def preview_pixmap(self) -> QPixmap:
        """The first page as rendered (before scaling to the panel)."""
        return self._preview_pixmap

    def print_selected(self) -> None:
        """打印 the selected ledger of the period: the print preview of its .xlsx."""
        if self._print_task is not None or self._task is not None:
            return
        job = self._grid_job(None)
        if job is None:
            return
        _key, work = job
        self._print_task = start_task(work, self._open_print_preview, self._print_failed)
        self._update_buttons()

    def _print_failed(self, exc: BaseException) -> None:
        self._print_task = None
        self._update_buttons()
        show_error(self, exc, self.tr("无法打印台账"))

    def _open_print_preview(self, grid: PrintGrid) -> None:
        self._print_task = None
        self._update_buttons()
        self.printing.open(grid)

    @property
    def preview_dialog(self) -> QWidget | None:
        return self.printing.dialog

    def paint(self, printer: Any) -> int:
        """Paint the ledger the print preview shows onto ``printer``; the page count."""
        return self.printing.paint(printer)

    # ---- 月末报送 ---------------------------------------------------------------------------
    def open_close_dialog(self) -> QWidget:
        from gongkai_desktop.ui.submission.close_dialog import CloseDialog

        dialog = CloseDialog(self.ctx, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # ---- import -------------------------------------------------------------------------
    def open_import_wizard(self) -> QWidget:
        from gongkai_desktop.ui.ledgers.import_wizard import ImportWizard

        wizard = ImportWizard(self.ctx, self.selected_ledger_id(), parent=self)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.records_imported.connect(self._imported)
        wizard.finished.connect(lambda _result: setattr(self, "wizard", None))
        self.wizard = wizard
        wizard.open()
        return wizard

    def open_migration_wizard(self) -> QWidget:
        from gongkai_desktop.ui.ledgers.migration_wizard import MigrationWizard

        wizard = MigrationWizard(self.ctx, parent=self)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.records_imported.connect(self._imported)
        wizard.finished.connect(lambda _result: setattr(self, "wizard", None))
        self.wizard = wizard
        wizard.open()
        return wizard

    def _imported(self) -> None:
        self.refresh()
        self.records_imported.emit()


__all__ = ["LedgerPage", "PeriodChooser"]
