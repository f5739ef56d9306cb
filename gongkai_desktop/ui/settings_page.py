"""设置: the office's details (declared once in services.settings; an item with a closed
list of values is a drop-down), the 报送密钥 the county issued (imported from its key
file; the page shows for whom and when it was issued, never the key), the backups and
the office's holiday table (ui.calendar_page, a tab beside the backups).

Backup and restore run on the thread pool; while a restore runs the main window keeps
the clerk out of every other page, and afterwards it reopens its AppContext
(``backup_restored``), because the database file under it has been replaced.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.domain.errors import ValidationError
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.maintenance.backup import (
    BackupInfo,
    create_backup,
    list_backups,
    restore_backup,
)
from gongkai_desktop.services.settings import SETTINGS, load_settings, save_settings
from gongkai_desktop.services.submission.keys import current_key, import_key_file
from gongkai_desktop.ui.calendar_page import CalendarPage
from gongkai_desktop.ui.errors import show_error
from gongkai_desktop.ui.scrolling import page_scroll
from gongkai_desktop.ui.style import ERROR_STYLE, HINT_STYLE
from gongkai_desktop.ui.worker import Task, start_task


class SettingsPage(QWidget):
    settings_saved = Signal()
    restore_started = Signal()
    restore_failed = Signal()
    backup_restored = Signal(str)  # folder holding the state from before the restore

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.edits: dict[str, QLineEdit] = {}
        self.choices: dict[str, QComboBox] = {}  # the items with a closed list
        self.errors: dict[str, QLabel] = {}
        self.backups: list[BackupInfo] = []
        self._task: Task | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        # one tab per subject, so that the page fits a 1366×768 laptop's window
        self.tabs = QTabWidget()
        self.calendar_page = CalendarPage(ctx)
        office = QWidget()
        office_column = QVBoxLayout(office)
        office_column.setContentsMargins(0, 0, 0, 0)
        office_column.addWidget(self._office_box())
        office_column.addWidget(self._key_box())
        office_column.addStretch(1)
        self.tabs.addTab(page_scroll(office), self.tr("单位信息"))
        self.tabs.addTab(self._data_tab(), self.tr("数据与备份"))
        self.calendar_page.status_changed.connect(self._calendar_status_changed)
        self.tabs.addTab(self.calendar_page, self.tr("节假日与调休"))
        self._calendar_status_changed(bool(self.calendar_page.warnings))
        layout.addWidget(self.tabs, 1)
        self.load()
        self.refresh_backups()

    # ---- the office's details -----------------------------------------------------------
    def _office_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("单位信息（用于台账、报表的表头和落款）"))
        form = QFormLayout(box)
        form.setHorizontalSpacing(14)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        for spec in SETTINGS:
            error = QLabel()
            error.setStyleSheet(ERROR_STYLE)
            error.hide()
            edit: QWidget
            if spec.choices:
                combo = QComboBox()
                combo.addItem(self.tr("（未选择）"))
                combo.addItems(list(spec.choices))
                combo.setObjectName(f"setting_{spec.key}")
                combo.setMaximumWidth(480)
                combo.currentIndexChanged.connect(error.hide)
                self.choices[spec.key] = combo
                edit = combo
            else:
                line = QLineEdit()
                line.setMaxLength(spec.max_length)
                line.setObjectName(f"setting_{spec.key}")
                line.setMaximumWidth(480)
                if spec.hint:
                    line.setPlaceholderText(spec.hint)
                    line.setToolTip(spec.hint)
                line.textChanged.connect(error.hide)
                self.edits[spec.key] = line
                edit = line
            cell = QWidget()
            column = QVBoxLayout(cell)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(edit)
            column.addWidget(error)
            form.addRow(spec.label, cell)
            self.errors[spec.key] = error
        row = QHBoxLayout()
        self.save_button = QPushButton(self.tr("保存"))
        self.save_button.clicked.connect(self.save)
        self.saved_label = QLabel()
        self.saved_label.setStyleSheet(HINT_STYLE)
        row.addWidget(self.save_button)
        row.addWidget(self.saved_label)
        row.addStretch(1)
        form.addRow("", row)
        return box

    def _key_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("报送密钥（县级签发，生成报送包时签名用）"))
        column = QVBoxLayout(box)
        self.key_label = QLabel()
        self.key_label.setObjectName("submission_key")
        self.key_label.setWordWrap(True)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.key_label)
        row = QHBoxLayout()
        self.key_button = QPushButton(self.tr("导入密钥文件…"))
        self.key_button.setToolTip(self.tr("导入县级汇总软件为本乡镇生成的密钥文件（.gkkey）"))
        self.key_button.clicked.connect(self.import_key)
        row.addWidget(self.key_button)
        row.addStretch(1)
        column.addLayout(row)
        return box

    def _show_key(self) -> None:
        try:
            info = current_key(self.ctx)
        except Exception as exc:  # a damaged stored key: say so, let a new one be imported
            self.key_label.setText(self.tr("已导入的报送密钥无法读取：{0}").format(exc))
            self.key_label.setStyleSheet(ERROR_STYLE)
            return
        self.key_label.setStyleSheet("" if info else HINT_STYLE)
        if info is None:
            self.key_label.setText(
                self.tr("尚未导入。首次月末报送前，请导入县级为本乡镇签发的密钥文件。")
            )
        else:
            self.key_label.setText(self.tr("已导入：{0}").format(info.describe()))

    def import_key(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self, self.tr("导入报送密钥"), str(Path.home()), self.tr("报送密钥 (*.gkkey)")
        )
        if not chosen:
            return
        try:
            import_key_file(self.ctx, Path(chosen))
        except Exception as exc:
            show_error(self, exc, self.tr("导入报送密钥失败"))
            return
        self.load()  # a key brings the township's code when 设置 had none
        self.settings_saved.emit()

    def load(self) -> None:
        self._show_values(load_settings(self.ctx))

    def _show_values(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            if key in self.choices:
                combo = self.choices[key]
                combo.setCurrentIndex(max(combo.findText(value), 0))
            else:
                self.edits[key].setText(value)
        self._show_key()

    def values(self) -> dict[str, str]:
        values = {key: edit.text() for key, edit in self.edits.items()}
        for key, combo in self.choices.items():
            values[key] = combo.currentText() if combo.currentIndex() > 0 else ""
        return values

    def save(self) -> bool:
        self.saved_label.clear()
        try:
            stored = save_settings(self.ctx, self.values())
        except ValidationError as err:
            for error in err.errors:
                if error.field in self.errors:
                    self.errors[error.field].setText(error.message)
                    self.errors[error.field].show()
            return False
        except Exception as exc:
            show_error(self, exc, self.tr("保存设置失败"))
            return False
        self._show_values(stored)
        self.saved_label.setText(self.tr("已保存"))
        self.settings_saved.emit()
        return True

    def _calendar_status_changed(self, needs_entering: bool) -> None:
        index = self.tabs.indexOf(self.calendar_page)
        text = self.tr("节假日与调休（待录入）") if needs_entering else self.tr("节假日与调休")
        self.tabs.setTabText(index, text)

    # ---- data files and backups ----------------------------------------------------------
    def _data_tab(self) -> QWidget:
        tab = QWidget()
        column = QVBoxLayout(tab)
        column.addWidget(self._files_box())
        column.addWidget(self._backup_box(), 1)
        return tab

    def _files_box(self) -> QGroupBox:
        """The only place in the window that shows where the data lies."""
        box = QGroupBox(self.tr("数据文件位置"))
        grid = QGridLayout(box)
        grid.setColumnStretch(1, 1)
        self.db_path_label = QLabel(str(self.ctx.db_path))
        self.backups_path_label = QLabel(str(self.ctx.backups_dir))
        self.data_folder_button = QPushButton(self.tr("打开文件夹"))
        self.data_folder_button.clicked.connect(self.open_data_folder)
        self.folder_button = QPushButton(self.tr("打开文件夹"))
        self.folder_button.clicked.connect(self.open_backup_folder)
        rows = (
            (self.tr("数据库文件"), self.db_path_label, self.data_folder_button),
            (self.tr("备份文件夹"), self.backups_path_label, self.folder_button),
        )
        for index, (caption, label, button) in enumerate(rows):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            grid.addWidget(QLabel(caption), index, 0)
            grid.addWidget(label, index, 1)
            grid.addWidget(button, index, 2)
        return box

    def _backup_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("备份与恢复"))
        column = QVBoxLayout(box)
        hint = QLabel(
            self.tr(
                "每天第一次打开软件时自动备份，升级数据库和恢复备份之前也会先备份；"
                "保留最近 10 个备份。"
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT_STYLE)
        column.addWidget(hint)
        self.backup_table = QTableWidget(0, 3)
        self.backup_table.setObjectName("backup_table")
        self.backup_table.setHorizontalHeaderLabels(
            [self.tr("备份时间"), self.tr("原因"), self.tr("记录数")]
        )
        self.backup_table.verticalHeader().hide()
        self.backup_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.backup_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.backup_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.backup_table.setAlternatingRowColors(True)
        header = self.backup_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.backup_table.itemSelectionChanged.connect(self._update_buttons)
        column.addWidget(self.backup_table, 1)

        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)  # indeterminate: the backup API reports no progress
        self.busy_bar.setMaximumWidth(220)
        self.busy_label = QLabel()
        busy_row = QHBoxLayout()
        busy_row.addWidget(self.busy_bar)
        busy_row.addWidget(self.busy_label, 1)
        column.addLayout(busy_row)

        buttons = QHBoxLayout()
        self.backup_button = QPushButton(self.tr("立即备份"))
        self.restore_button = QPushButton(self.tr("从所选备份恢复…"))
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button.clicked.connect(self.restore_selected)
        for button in (self.backup_button, self.restore_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        self._set_busy("")
        return box

    def refresh_backups(self) -> None:
        self.backups = list_backups(self.ctx.db_path)
        self.backup_table.setRowCount(len(self.backups))
        for row, info in enumerate(self.backups):
            records = "" if info.records is None else f"{info.records:,}"
            cells = (info.created.strftime("%Y-%m-%d %H:%M:%S"), info.reason, records)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(str(info.path))
                if col == 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.backup_table.setItem(row, col, item)
        self._update_buttons()

    def selected_backup(self) -> BackupInfo | None:
        rows = self.backup_table.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows else None

    @property
    def busy(self) -> bool:
        return self._task is not None

    def _set_busy(self, text: str) -> None:
        self.busy_bar.setVisible(bool(text))
        self.busy_label.setText(text)
        self._update_buttons()

    def _update_buttons(self) -> None:
        idle = self._task is None
        self.backup_button.setEnabled(idle)
        self.restore_button.setEnabled(idle and self.selected_backup() is not None)
        self.save_button.setEnabled(idle)
        self.key_button.setEnabled(idle)
        self.calendar_page.setEnabled(idle)  # a restore replaces the database under it

    def backup_now(self) -> None:
        db_path = self.ctx.db_path
        self._task = start_task(
            lambda: create_backup(db_path, None, "manual"), self._backup_done, self._task_failed
        )
        self._set_busy(self.tr("正在备份，请稍候…"))

    def _backup_done(self, info: Any) -> None:
        self._task = None
        self._set_busy("")
        self.refresh_backups()
        self.busy_label.setText(self.tr("备份完成：{0}").format(info.path))

    def restore_selected(self) -> None:
        info = self.selected_backup()
        if info is None:
            return
        records = self.tr("{0} 条记录").format(info.records) if info.records is not None else ""
        answer = QMessageBox.question(
            self,
            self.tr("从备份恢复"),
            self.tr(
                "要用 {0}（{1}{2}）的备份替换当前的全部数据吗？\n\n"
                "恢复之前会先自动备份当前数据，万一选错也能再恢复回来。"
            ).format(
                info.created.strftime("%Y-%m-%d %H:%M"),
                info.reason,
                f"，{records}" if records else "",
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        db_path, backup_path = self.ctx.db_path, info.path
        # Close the pooled connections here, on the thread that opened them; the worker
        # then replaces the file while nothing in the window can query it.
        self.ctx.engine.dispose()
        self.restore_started.emit()
        self._task = start_task(
            lambda: restore_backup(db_path, backup_path, None),
            self._restore_done,
            self._restore_error,
        )
        self._set_busy(self.tr("正在恢复备份，请稍候…"))

    def _restore_done(self, before: Any) -> None:
        self._task = None
        self._set_busy("")
        self.backup_restored.emit(str(before.path))

    def _restore_error(self, exc: Any) -> None:
        self._task_failed(exc)
        self.restore_failed.emit()

    def _task_failed(self, exc: Any) -> None:
        self._task = None
        self._set_busy("")
        show_error(self, exc)

    def open_data_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(self.ctx.db_path).parent)))

    def open_backup_folder(self) -> None:
        folder: Path = self.ctx.backups_dir
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
