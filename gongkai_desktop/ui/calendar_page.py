"""设置 → 节假日与调休: the office's own holiday table over the program's calendar.

Shows the office's entries (日期, 类型, 说明), adds or changes a day, deletes the chosen
days, imports a year's schedule from .xlsx (replacing that year's entries) and exports a
template to fill in. Warnings about years nobody has entered sit in a banner on top.
Everything goes through services.work_calendar (the same as ``gongkai calendar``); the
files are a few hundred rows, so the work is done on the GUI thread.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records import calendar as service
from gongkai_desktop.ui.errors import show_error
from gongkai_desktop.ui.style import BANNER_STYLE, HINT_STYLE, NOTE_STYLE

WEEKDAYS = "一二三四五六日"


class CalendarPage(QWidget):
    calendar_changed = Signal()  # an entry was added, changed, deleted or imported
    status_changed = Signal(bool)  # True while a year needs entering

    def __init__(
        self, ctx: AppContext, today: date | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._today = today
        self.entries: list[service.CalendarDay] = []
        self.warnings: list[str] = []
        self.last_folder = Path.home()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        self.banner = QLabel()
        self.banner.setObjectName("calendar_banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.hide()
        layout.addWidget(self.banner)
        hint = QLabel(
            self.tr(
                "程序自带国务院公布的历年放假安排；这里录入的日期优先。新的一年的安排公布后"
                "（通常在11月前后），导出模板核对填写后导入，或逐日添加。"
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT_STYLE)
        layout.addWidget(hint)
        self.years_label = QLabel()
        self.years_label.setObjectName("calendar_years")
        self.years_label.setStyleSheet(NOTE_STYLE)
        self.years_label.setWordWrap(True)
        layout.addWidget(self.years_label)

        self.table = QTableWidget(0, 3)
        self.table.setObjectName("calendar_table")
        self.table.setHorizontalHeaderLabels([self.tr("日期"), self.tr("类型"), self.tr("说明")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(0, 150)  # 2027-01-01（周五）, also while empty
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(1, 64)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(120)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table, 1)

        add_row = QHBoxLayout()
        self.date_edit = QDateEdit()
        self.date_edit.setObjectName("calendar_date")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setDate(QDate(self.today.year, self.today.month, self.today.day))
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("calendar_kind")
        self.kind_combo.addItems([self.tr("休息"), self.tr("上班")])
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("calendar_note")
        self.note_edit.setMaxLength(service.NOTE_MAX)
        self.note_edit.setPlaceholderText(self.tr("说明，例如 春节、国庆节调休上班"))
        self.add_button = QPushButton(self.tr("添加／修改"))
        self.add_button.clicked.connect(self.add_day)
        self.delete_button = QPushButton(self.tr("删除所选"))
        self.delete_button.clicked.connect(self.delete_selected)
        add_row.addWidget(self.date_edit)
        add_row.addWidget(self.kind_combo)
        add_row.addWidget(self.note_edit, 1)
        add_row.addWidget(self.add_button)
        add_row.addWidget(self.delete_button)
        layout.addLayout(add_row)

        file_row = QHBoxLayout()
        self.import_button = QPushButton(self.tr("导入年度安排（.xlsx）…"))
        self.import_button.setToolTip(
            self.tr("表头：日期 | 类型（休息／上班）| 说明；导入后替换该年原有的日期")
        )
        self.import_button.clicked.connect(self.choose_import)
        self.year_spin = QSpinBox()
        self.year_spin.setObjectName("calendar_template_year")
        self.year_spin.setRange(2004, 2199)
        self.year_spin.setSuffix(self.tr("年"))
        self.template_button = QPushButton(self.tr("导出模板…"))
        self.template_button.clicked.connect(self.choose_template)
        self.result_label = QLabel()
        self.result_label.setObjectName("calendar_result")
        self.result_label.setWordWrap(True)
        self.result_label.setStyleSheet(HINT_STYLE)
        file_row.addWidget(self.import_button)
        file_row.addSpacing(16)
        file_row.addWidget(self.year_spin)
        file_row.addWidget(self.template_button)
        file_row.addStretch(1)
        layout.addLayout(file_row)
        layout.addWidget(self.result_label)
        self.refresh()

    @property
    def today(self) -> date:
        return self._today or date.today()

    # ---- showing ------------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            self.entries = service.calendar_entries(self.ctx)
            years = service.calendar_years(self.ctx)
            self.warnings = service.calendar_status(self.ctx, self.today)
        except Exception as exc:
            show_error(self, exc, self.tr("无法读取节假日表"))
            return
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            cells = (
                f"{entry.day.isoformat()}（周{WEEKDAYS[entry.day.weekday()]}）",
                entry.kind,
                entry.note,
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 1 and entry.workday:
                    item.setForeground(Qt.GlobalColor.darkBlue)
                self.table.setItem(row, col, item)
        self.banner.setText("\n".join(self.warnings))
        self.banner.setVisible(bool(self.warnings))
        if years:
            entered = "、".join(f"{y.year}年（{y.days}天）" for y in years)
            self.years_label.setText(self.tr("已录入全年安排：{0}").format(entered))
        else:
            self.years_label.setText(self.tr("尚未导入任何年度的安排，按程序自带日历计算。"))
        # the template year most likely wanted: the first year that needs entering
        needed = [y for y in (self.today.year, self.today.year + 1) if any(
            w.startswith((f"{y}年", f"今年（{y}年）")) for w in self.warnings
        )]  # fmt: skip
        self.year_spin.setValue(needed[0] if needed else self.today.year + 1)
        self._selection_changed()
        self.status_changed.emit(bool(self.warnings))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()  # the date may have moved on (a warning from November)

    def _selection_changed(self) -> None:
        self.delete_button.setEnabled(bool(self.selected_days()))

    def selected_days(self) -> list[date]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.entries[r].day for r in rows if r < len(self.entries)]

    # ---- changing -----------------------------------------------------------------------
    def add_day(self) -> bool:
        chosen = self.date_edit.date()
        day = date(chosen.year(), chosen.month(), chosen.day())
        workday = self.kind_combo.currentIndex() == 1
        try:
            entry = service.save_day(self.ctx, day, workday, self.note_edit.text())
        except Exception as exc:
            show_error(self, exc, self.tr("保存节假日失败"))
            return False
        self.note_edit.clear()
        self.result_label.setText(
            self.tr("已保存：{0} {1}").format(entry.day.isoformat(), entry.kind)
        )
        self._changed()
        return True

    def delete_selected(self) -> None:
        days = self.selected_days()
        try:
            for day in days:
                service.delete_day(self.ctx, day)
        except Exception as exc:
            show_error(self, exc, self.tr("删除失败"))
        else:
            self.result_label.setText(self.tr("已删除{0}天").format(len(days)))
        self._changed()

    def choose_import(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("导入年度节假日安排"),
            str(self.last_folder),
            self.tr("Excel 工作簿 (*.xlsx *.xls)"),
        )
        if chosen:
            self.import_file(Path(chosen))

    def import_file(self, path: Path) -> bool:
        self.last_folder = path.parent
        try:
            result = service.import_year(self.ctx, path)
        except Exception as exc:
            show_error(self, exc, self.tr("导入节假日安排失败"))
            return False
        self.result_label.setText(result.message)
        self._changed()
        return True

    def choose_template(self) -> None:
        year = self.year_spin.value()
        chosen, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("导出节假日安排模板"),
            str(self.last_folder / self.tr("{0}年节假日安排.xlsx").format(year)),
            self.tr("Excel 工作簿 (*.xlsx)"),
        )
        if chosen:
            path = Path(chosen)
            self.export_template(path if path.suffix.lower() == ".xlsx" else path.with_name(
                path.name + ".xlsx"
            ), year)  # fmt: skip

    def export_template(self, path: Path, year: int) -> bool:
        self.last_folder = path.parent
        try:
            count = service.export_template(path, year)
        except Exception as exc:
            show_error(self, exc, self.tr("导出模板失败"))
            return False
        self.result_label.setText(
            self.tr("已导出{0}年模板（预填{1}天）：{2}").format(year, count, path)
        )
        return True

    def _changed(self) -> None:
        self.refresh()
        self.calendar_changed.emit()
