"""The 导入台账 wizard: choose a ledger and a file → preview → import → result.

The preview and the import run on the thread pool (``ui.worker``); the worker reads the
file and writes the database through ``services.ledger_import`` and never touches a
widget. The error workbook is written into a temporary folder owned by the dialog;
保存错误清单… copies it where the clerk wants it, so a read-only source folder (a
USB stick, a mail attachment folder) never stops the clerk from getting it.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.domain.errors import GongkaiError
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.ledgers.intake.importer import (
    ImportCancelled,
    ImportPreview,
    ImportResult,
    commit,
    default_errors_path,
    preview,
)
from gongkai_desktop.ui.errors import show_error
from gongkai_desktop.ui.style import BANNER_STYLE, HINT_STYLE, NOTE_STYLE, emphasise
from gongkai_desktop.ui.worker import Task, start_task

CHOOSE, PREVIEW, RESULT = range(3)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(False)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem("" if value is None else str(value))
            item.setToolTip(item.text())
            table.setItem(r, c, item)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.resizeColumnsToContents()
    for c in range(len(headers)):
        table.setColumnWidth(c, min(max(table.columnWidth(c), 60), 320))
    header.setStretchLastSection(True)
    return table


class ImportWizard(QDialog):
    records_imported = Signal()  # rows (or new sites) were written

    def __init__(
        self, ctx: AppContext, ledger_id: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.report: ImportPreview | None = None
        self.import_result: ImportResult | None = None  # not "result": QDialog.result()
        self._task: Task | None = None
        self._cancel = threading.Event()
        self._temp = Path(tempfile.mkdtemp(prefix="gongkai_import_"))
        self.errors_file: Path | None = None  # the error workbook in self._temp
        self.setWindowTitle(self.tr("导入台账"))
        self.resize(980, 640)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._choose_page(ledger_id))
        self.pages.addWidget(self._preview_page())
        self.pages.addWidget(self._result_page())

        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(220)
        self.busy_label = QLabel()
        self.busy_cancel = QPushButton(self.tr("停止"))
        self.busy_cancel.clicked.connect(self._cancel.set)
        busy_row = QHBoxLayout()
        busy_row.addWidget(self.busy_bar)
        busy_row.addWidget(self.busy_label, 1)
        busy_row.addWidget(self.busy_cancel)

        self.back_button = QPushButton(self.tr("上一步"))
        self.back_button.clicked.connect(self.go_back)
        self.next_button = QPushButton(self.tr("预览"))
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.go_next)
        self.close_button = QPushButton(self.tr("取消"))
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addLayout(busy_row)
        layout.addLayout(buttons)
        self._set_busy("")
        self._update_buttons()

    # ---- pages --------------------------------------------------------------------------
    def _choose_page(self, ledger_id: str | None) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        heading = QLabel(self.tr("第一步：选择台账和要导入的 Excel 文件"))
        emphasise(heading, 1.15)
        layout.addWidget(heading)
        form = QFormLayout()
        self.ledger_combo = QComboBox()
        for ledger in self.ctx.registry.ledgers.values():
            self.ledger_combo.addItem(ledger.title, ledger.id)
        if ledger_id is not None:
            index = self.ledger_combo.findData(ledger_id)
            if index >= 0:
                self.ledger_combo.setCurrentIndex(index)
        form.addRow(self.tr("导入到台账："), self.ledger_combo)
        self.file_edit = QLineEdit()
        self.file_edit.setPlaceholderText(self.tr("选择 .xlsx 或 .xls 文件"))
        self.file_edit.textChanged.connect(self._update_buttons)
        browse = QPushButton(self.tr("浏览…"))
        browse.clicked.connect(self.browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(browse)
        form.addRow(self.tr("Excel 文件："), file_row)
        layout.addLayout(form)
        hint = QLabel(
            self.tr(
                "软件会自动找到表头（标题行之下），按列名对应台账的各列，忽略序号和"
                "表尾的填表人／审核人行。先预览，确认无误后再导入；预览不会写入任何数据。"
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT_STYLE)
        layout.addWidget(hint)
        self.choose_error = QLabel()
        self.choose_error.setWordWrap(True)
        self.choose_error.setStyleSheet(BANNER_STYLE)
        self.choose_error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.choose_error.setVisible(False)
        layout.addWidget(self.choose_error)
        layout.addStretch(1)
        return page

    def _preview_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        heading = QLabel(self.tr("第二步：检查预览结果"))
        emphasise(heading, 1.15)
        layout.addWidget(heading)
        self.preview_source = QLabel()
        self.preview_source.setWordWrap(True)
        self.preview_source.setStyleSheet(HINT_STYLE)
        layout.addWidget(self.preview_source)
        self.preview_summary = QLabel()
        self.preview_summary.setWordWrap(True)
        self.preview_summary.setStyleSheet(NOTE_STYLE)
        layout.addWidget(self.preview_summary)
        self.preview_notes = QLabel()
        self.preview_notes.setWordWrap(True)
        self.preview_notes.setStyleSheet(HINT_STYLE)
        layout.addWidget(self.preview_notes)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        options = QHBoxLayout()
        self.skip_invalid = QCheckBox(self.tr("跳过有错误的行，导入其余各行"))
        self.skip_invalid.toggled.connect(self._update_buttons)
        self.save_errors_button = QPushButton(self.tr("保存错误清单…"))
        self.save_errors_button.clicked.connect(self.save_errors)
        options.addWidget(self.skip_invalid)
        options.addStretch(1)
        options.addWidget(self.save_errors_button)
        layout.addLayout(options)
        self.preview_hint = QLabel()
        self.preview_hint.setWordWrap(True)
        self.preview_hint.setStyleSheet(HINT_STYLE)
        layout.addWidget(self.preview_hint)
        return page

    def _result_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        heading = QLabel(self.tr("导入结果"))
        emphasise(heading, 1.15)
        layout.addWidget(heading)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result_label)
        self.result_save_errors = QPushButton(self.tr("保存错误清单…"))
        self.result_save_errors.clicked.connect(self.save_errors)
        row = QHBoxLayout()
        row.addWidget(self.result_save_errors)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    # ---- navigation ---------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._task is not None

    def ledger_id(self) -> str:
        return str(self.ledger_combo.currentData())

    def source_path(self) -> Path | None:
        text = self.file_edit.text().strip()
        return Path(text) if text else None

    def _set_busy(self, text: str) -> None:
        self.busy_bar.setVisible(bool(text))
        self.busy_cancel.setVisible(bool(text))
        self.busy_label.setText(text)

    def _update_buttons(self) -> None:
        page = self.pages.currentIndex()
        idle = self._task is None
        self.back_button.setVisible(page == PREVIEW)
        self.back_button.setEnabled(idle)
        self.next_button.setVisible(page != RESULT)
        if page == CHOOSE:
            self.next_button.setText(self.tr("预览"))
            self.next_button.setEnabled(idle and self.source_path() is not None)
        elif page == PREVIEW:
            self.next_button.setText(self.tr("导入"))
            report = self.report
            can = (
                report is not None
                and not report.already_imported
                # with error rows and no skip, 导入 writes nothing and makes the error list
                and (report.has_errors or report.add_count + len(report.new_sites) > 0)
            )
            self.next_button.setEnabled(idle and can)
        self.close_button.setText(self.tr("关闭") if page == RESULT else self.tr("取消"))
        self.close_button.setEnabled(idle)
        self.save_errors_button.setVisible(self.errors_file is not None)
        self.result_save_errors.setVisible(self.errors_file is not None)

    def go_back(self) -> None:
        if self._task is None:
            self.pages.setCurrentIndex(CHOOSE)
            self._update_buttons()

    def go_next(self) -> None:
        if self.pages.currentIndex() == CHOOSE:
            self.start_preview()
        elif self.pages.currentIndex() == PREVIEW:
            self.start_import()

    def browse(self) -> None:
        start = self.source_path()
        chosen, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("选择要导入的台账"),
            str(start.parent if start else Path.home()),
            self.tr("Excel 台账 (*.xlsx *.xls);;所有文件 (*)"),
        )
        if chosen:
            self.file_edit.setText(chosen)

    def _progress(self) -> Callable[[int], bool]:
        cancel = self._cancel
        return lambda _rows: not cancel.is_set()

    def _new_errors_file(self, source: Path) -> Path:
        for old in self._temp.iterdir():
            old.unlink()
        return self._temp / default_errors_path(source).name

    # ---- preview ------------------------------------------------------------------------
    def start_preview(self) -> None:
        source = self.source_path()
        if source is None or self._task is not None:
            return
        self.choose_error.setVisible(False)
        self.report = None
        self.errors_file = None
        errors_path = self._new_errors_file(source)
        ledger_id = self.ledger_id()
        ctx = self.ctx
        progress = self._progress()
        self._cancel.clear()

        def work() -> tuple[ImportPreview, Path | None]:
            report = preview(ctx, ledger_id, source, progress=progress, errors_path=errors_path)
            return report, errors_path if errors_path.exists() else None

        self._task = start_task(work, self._previewed, self._preview_failed)
        self._set_busy(self.tr("正在读取和检查“{0}”，请稍候…").format(source.name))
        self._update_buttons()

    def _previewed(self, outcome: tuple[ImportPreview, Path | None]) -> None:
        self._task = None
        self._set_busy("")
        self.report, self.errors_file = outcome
        self._show_report(self.report)
        self.pages.setCurrentIndex(PREVIEW)
        self._update_buttons()

    def _preview_failed(self, exc: BaseException) -> None:
        self._task = None
        self._set_busy("")
        self._update_buttons()
        if isinstance(exc, GongkaiError):  # a refused file, no table found, a cancel
            self.choose_error.setText(self.tr("{0}\n未写入任何数据。").format(str(exc)))
            self.choose_error.setVisible(True)
            return
        show_error(self, exc, self.tr("无法预览"))

    def _show_report(self, report: ImportPreview) -> None:
        first, last = report.header_rows
        header = (
            self.tr("第{0}行").format(first)
            if first == last
            else self.tr("第{0}—{1}行").format(first, last)
        )
        self.preview_source.setText(
            self.tr("文件：{0}（工作表“{1}”，表头在{2}） → 台账：{3}").format(
                report.path.name, report.sheet, header, report.ledger_title
            )
        )
        self.preview_summary.setText(
            report.already_imported
            or self.tr("读取 {0} 行：{1}").format(report.rows_read, report.summary())
        )
        self.preview_notes.setText("\n".join(self.tr("说明：{0}").format(n) for n in report.notes))
        self.preview_notes.setVisible(bool(report.notes))

        self.tabs.clear()
        self.tabs.addTab(
            _table(
                [self.tr("行号"), *report.labels], [(r.row, *r.cells) for r in report.rows_to_add]
            ),
            self._tab_title(self.tr("将导入"), report.add_count, len(report.rows_to_add)),
        )
        self.error_table = _table(
            [self.tr("行号"), self.tr("列"), self.tr("值"), self.tr("原因")],
            [(e.row, e.column, e.value, e.reason) for e in report.errors],
        )
        error_index = self.tabs.addTab(
            self.error_table,
            self._tab_title(self.tr("错误行"), report.error_row_count, None),
        )
        self.tabs.addTab(
            _table(
                [self.tr("行号"), self.tr("关键信息"), self.tr("原因")],
                [(d.row, d.key, d.reason) for d in report.duplicates],
            ),
            self._tab_title(self.tr("重复行"), report.duplicate_count, len(report.duplicates)),
        )
        self.tabs.addTab(
            _table(
                [self.tr("行号"), self.tr("列"), self.tr("值"), self.tr("说明")],
                [(w.row, w.column, w.value, w.note) for w in report.warnings],
            ),
            self._tab_title(self.tr("提示"), report.warning_count, len(report.warnings)),
        )
        self.tabs.addTab(
            _table(
                [self.tr("名称"), self.tr("类型"), self.tr("首次出现的行")],
                [(s.name, s.site_type, s.first_row) for s in report.new_sites],
            ),
            self._tab_title(self.tr("新建待完善监管对象"), len(report.new_sites), None),
        )
        if report.error_row_count:
            self.tabs.setCurrentIndex(error_index)
            self.tabs.tabBar().setTabTextColor(error_index, Qt.GlobalColor.darkRed)
        self.skip_invalid.setChecked(False)
        self.skip_invalid.setEnabled(report.has_errors and not report.already_imported)
        if report.already_imported:
            hint = self.tr("这个文件已经导入过，不需要再导入。")
        elif report.has_errors:
            hint = self.tr(
                "有错误的行时默认不导入任何一行：可以“保存错误清单…”，在 Excel 中改正后"
                "重新导入；或勾选“跳过有错误的行”，先导入正确的各行。"
            )
        elif report.add_count + len(report.new_sites) == 0:
            hint = self.tr("没有可以导入的新记录。")
        else:
            hint = self.tr("导入前会自动备份数据库。")
        self.preview_hint.setText(hint)

    def _tab_title(self, name: str, total: int, shown: int | None) -> str:
        if shown is not None and shown < total:
            return self.tr("{0}（{1}，显示前{2}行）").format(name, total, shown)
        return self.tr("{0}（{1}）").format(name, total)

    # ---- import -------------------------------------------------------------------------
    def start_import(self) -> None:
        report = self.report
        if report is None or self._task is not None:
            return
        skip = self.skip_invalid.isChecked()
        errors_path = self._new_errors_file(report.path)
        self.errors_file = None
        ctx = self.ctx
        progress = self._progress()
        self._cancel.clear()

        def work() -> ImportResult:
            return commit(
                ctx, report, skip_invalid=skip, errors_path=errors_path, progress=progress
            )

        self._task = start_task(work, self._imported, self._import_failed)
        self._set_busy(self.tr("正在导入，请稍候…"))
        self._update_buttons()

    def _imported(self, result: ImportResult) -> None:
        self._task = None
        self._set_busy("")
        self.import_result = result
        self.errors_file = result.errors_path
        lines = [result.summary()]
        if result.backup_path is not None:
            lines.append(self.tr("导入前已备份到：{0}").format(result.backup_path))
        if result.errors_path is not None:
            lines.append(
                self.tr("被拒绝的行已列入错误清单：点“保存错误清单…”保存，改正后可重新导入。")
            )
        elif result.errors_problem:
            lines.append(self.tr("注意：{0}").format(result.errors_problem))
        self.result_label.setText("\n".join(lines))
        self.result_label.setStyleSheet(NOTE_STYLE if result.written else BANNER_STYLE)
        self.pages.setCurrentIndex(RESULT)
        self._update_buttons()
        if result.written:
            self.records_imported.emit()

    def _import_failed(self, exc: BaseException) -> None:
        self._task = None
        self._set_busy("")
        self._update_buttons()
        if isinstance(exc, ImportCancelled):
            self.preview_hint.setText(str(exc))
            return
        show_error(self, exc, self.tr("导入失败"))

    # ---- error workbook -----------------------------------------------------------------
    def save_errors(self) -> Path | None:
        if self.errors_file is None or self.report is None:
            return None
        suggested = default_errors_path(self.report.path)
        chosen, _filter = QFileDialog.getSaveFileName(
            self, self.tr("保存错误清单"), str(suggested), self.tr("Excel 工作簿 (*.xlsx)")
        )
        if not chosen:
            return None
        target = Path(chosen)
        if target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")
        try:
            shutil.copyfile(self.errors_file, target)
        except OSError as exc:
            show_error(
                self,
                GongkaiError(
                    self.tr("错误清单无法保存到 {0}（{1}），请换一个位置。").format(
                        target, exc.strerror or exc
                    )
                ),
            )
            return None
        self.busy_label.setText(self.tr("错误清单已保存到：{0}").format(target))
        return target

    # ---- closing ------------------------------------------------------------------------
    def reject(self) -> None:
        if self._task is not None:
            return  # the worker is writing; it can be stopped with 停止
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._task is not None:
            event.ignore()
            return
        super().closeEvent(event)

    def done(self, result: int) -> None:
        super().done(result)
        shutil.rmtree(self._temp, ignore_errors=True)
