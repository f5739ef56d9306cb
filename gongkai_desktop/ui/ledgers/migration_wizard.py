"""The 导入旧台账 wizard: choose a folder of old workbooks → read every sheet → one
combined preview (what each file is recognised as, what would be added, the sheets that
match no ledger, the spellings to map over all files) → import in one step → result.

Reading and importing run on the thread pool (``ui.worker``); the worker reports the
file being read through a signal and never touches a widget. The clerk's readings of
spellings are grouped per ledger into ``MappingProfile``s and the folder is read again
with them; the import saves them as each ledger's profile.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QColor, QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
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
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.domain.errors import GongkaiError
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.ledgers.intake.importer import ImportPreview
from gongkai_desktop.services.ledgers.intake.mapping import MappingProfile
from gongkai_desktop.services.ledgers.intake.migration import (
    FolderPlan,
    FolderResult,
    import_folder,
    plan_folder,
)
from gongkai_desktop.ui.errors import show_error
from gongkai_desktop.ui.ledgers.import_wizard import (
    MappingEntry,
    MappingTable,
    decisions_of,
    hinted_page,
    merge_entries,
    problems_view,
    profile_state,
    read_only_table,
)
from gongkai_desktop.ui.style import BANNER_STYLE, HINT_STYLE, NOTE_STYLE, emphasise
from gongkai_desktop.ui.worker import Task, start_task

CHOOSE, PREVIEW, RESULT = range(3)

FILE_HEADERS = (
    "文件",
    "工作表",
    "识别为台账",
    "可导入行数",
    "重复",
    "错误",
    "新建待完善监管对象",
    "状态",
)


class _Reporter(QObject):
    """Made on the GUI thread: a signal emitted by the worker is delivered there."""

    reading = Signal(str)


def status_of(report: ImportPreview) -> str:
    if report.already_imported:
        return "已导入过"
    if report.blocking:
        return "有写法待选择"
    if report.has_errors:
        return "有错误行"
    if report.add_count + len(report.new_sites) == 0:
        return "没有新记录"
    return "可导入"


class MigrationWizard(QDialog):
    records_imported = Signal()  # rows (or new sites) were written

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.plan: FolderPlan | None = None
        self.import_result: FolderResult | None = None  # not "result": QDialog.result()
        self._task: Task | None = None
        self._cancel = threading.Event()
        self._reporter = _Reporter(self)
        self._reporter.reading.connect(self._reading)
        self._entries: dict[tuple[str, str, str], MappingEntry] = {}
        self._entries_for: Path | None = None
        self._planned_state: Any = {}
        self.setWindowTitle(self.tr("导入旧台账"))
        self.resize(1100, 680)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._choose_page())
        self.pages.addWidget(self._preview_page())
        self.pages.addWidget(self._result_page())

        busy_row = QHBoxLayout()
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(220)
        self.busy_label = QLabel()
        self.busy_cancel = QPushButton(self.tr("停止"))
        self.busy_cancel.clicked.connect(self._cancel.set)
        buttons = QHBoxLayout()
        self.back_button = QPushButton(self.tr("上一步"))
        self.back_button.clicked.connect(self.go_back)
        self.next_button = QPushButton(self.tr("读取"))
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.go_next)
        self.close_button = QPushButton(self.tr("取消"))
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addLayout(busy_row)
        layout.addLayout(buttons)
        busy_row.addWidget(self.busy_bar)
        busy_row.addWidget(self.busy_label, 1)
        busy_row.addWidget(self.busy_cancel)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.close_button)
        self._set_busy("")
        self._update_buttons()

    # ---- pages --------------------------------------------------------------------------
    def _choose_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        heading = QLabel(self.tr("第一步：选择存放旧台账的文件夹"))
        emphasise(heading, 1.15)
        layout.addWidget(heading)
        form = QFormLayout()
        layout.addLayout(form)
        file_row = QHBoxLayout()
        self.folder_edit = QLineEdit()
        self.folder_edit.setPlaceholderText(
            self.tr("选择文件夹（含子文件夹中的 .xlsx、.xls 文件）")
        )
        self.folder_edit.textChanged.connect(self._update_buttons)
        browse = QPushButton(self.tr("浏览…"))
        browse.clicked.connect(self.browse)
        file_row.addWidget(self.folder_edit, 1)
        file_row.addWidget(browse)
        form.addRow(self.tr("文件夹："), file_row)
        hint = QLabel(
            self.tr(
                "软件会读取文件夹（及子文件夹）中的每个 Excel 文件，按表头识别每个工作表"
                "属于哪份台账；识别不了的工作表会列出原因，不会猜测。先预览，确认无误后"
                "再一次性导入；预览不会写入任何数据，导入前会自动备份数据库。"
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
        heading = QLabel(self.tr("第二步：检查识别和预览结果"))
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
        self.mapping_banner = QLabel()
        self.mapping_banner.setWordWrap(True)
        self.mapping_banner.setVisible(False)
        layout.addWidget(self.mapping_banner)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)

        self.file_table = read_only_table(FILE_HEADERS, [])
        self.unrecognised_table = read_only_table(["文件", "工作表", "原因"], [])
        self.refused_table = read_only_table(["文件", "原因"], [])

        self.mapping_page, mapping_layout = hinted_page(
            self.tr(
                "各文件中这些写法不是台账的选项（同一台账同一列的写法只列一次）。请在"
                "“导入为”一列确认或选择对应的选项，然后点“应用对照并重新读取”。"
            )
        )
        self.mapping_table = MappingTable(["台账"], places_header="文件")
        self.mapping_table.changed.connect(self._update_buttons)
        mapping_layout.addWidget(self.mapping_table, 1)

        self.error_page = QWidget()
        error_layout = QVBoxLayout(self.error_page)
        error_layout.setContentsMargins(0, 0, 0, 0)
        self.groups_view = problems_view()
        error_layout.addWidget(self.groups_view, 1)

        options = QHBoxLayout()
        layout.addLayout(options)
        self.skip_invalid = QCheckBox(self.tr("跳过有错误的行，导入其余各行"))
        self.skip_invalid.toggled.connect(self._update_buttons)
        self.apply_button = QPushButton(self.tr("应用对照并重新读取"))
        self.apply_button.clicked.connect(self.start_plan)
        options.addWidget(self.skip_invalid)
        options.addStretch(1)
        options.addWidget(self.apply_button)
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
        self.result_details = QLabel()
        self.result_details.setWordWrap(True)
        self.result_details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result_details)
        row = QHBoxLayout()
        layout.addLayout(row)
        self.open_folder_button = QPushButton(self.tr("打开文件夹"))
        self.open_folder_button.clicked.connect(self.open_folder)
        row.addWidget(self.open_folder_button)
        row.addStretch(1)
        layout.addStretch(1)
        return page

    # ---- navigation ---------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._task is not None

    def folder(self) -> Path | None:
        text = self.folder_edit.text().strip()
        return Path(text) if text else None

    def set_folder(self, folder: Path) -> None:
        self.folder_edit.setText(str(folder))

    def _set_busy(self, text: str) -> None:
        self.busy_bar.setVisible(bool(text))
        self.busy_cancel.setVisible(bool(text))
        self.busy_label.setText(text)

    def _reading(self, name: str) -> None:
        if self._task is not None:
            self.busy_label.setText(self.tr("正在读取“{0}”…").format(name))

    def _progress(self) -> Callable[[str], bool]:
        cancel = self._cancel
        reporter = self._reporter

        def progress(name: str) -> bool:
            reporter.reading.emit(name)  # queued to the GUI thread
            return not cancel.is_set()

        return progress

    def _update_buttons(self) -> None:
        page = self.pages.currentIndex()
        idle = self._task is None
        self.back_button.setVisible(page == PREVIEW)
        self.back_button.setEnabled(idle)
        self.next_button.setVisible(page != RESULT)
        if page == CHOOSE:
            self.next_button.setText(self.tr("读取"))
            self.next_button.setEnabled(idle and self.folder() is not None)
        elif page == PREVIEW:
            self.next_button.setText(self.tr("导入"))
            plan = self.plan
            undecided = bool(self.mapping_table.undecided())
            can = (
                plan is not None
                and bool(plan.to_import)
                and not self.mapping_dirty()
                and not (undecided and not self.skip_invalid.isChecked())
            )
            self.next_button.setEnabled(idle and can)
            self.apply_button.setVisible(bool(self._entries))
            self.apply_button.setEnabled(idle and self.mapping_dirty())
            self._show_mapping_state()
        self.close_button.setText(self.tr("关闭") if page == RESULT else self.tr("取消"))
        self.close_button.setEnabled(idle)

    def go_back(self) -> None:
        if self._task is None:
            self.pages.setCurrentIndex(CHOOSE)
            self._update_buttons()

    def go_next(self) -> None:
        if self.pages.currentIndex() == CHOOSE:
            self.start_plan()
        elif self.pages.currentIndex() == PREVIEW:
            self.start_import()

    def browse(self) -> None:
        start = self.folder()
        chosen = QFileDialog.getExistingDirectory(
            self, self.tr("选择存放旧台账的文件夹"), str(start if start else Path.home())
        )
        if chosen:
            self.set_folder(Path(chosen))

    # ---- reading ------------------------------------------------------------------------
    def mapping_decisions(self) -> dict[str, MappingProfile]:
        return decisions_of(self._entries.values())

    def mapping_dirty(self) -> bool:
        if self.plan is None:
            return False
        return profile_state(self.mapping_decisions()) != self._planned_state

    def start_plan(self) -> None:
        folder = self.folder()
        if folder is None or self._task is not None:
            return
        if self._entries_for != folder:
            self._entries = {}
            self._entries_for = folder
        self.choose_error.setVisible(False)
        decisions = self.mapping_decisions()
        state = profile_state(decisions)
        ctx = self.ctx
        progress = self._progress()
        self._cancel.clear()

        def work() -> tuple[FolderPlan, Any]:
            return plan_folder(ctx, folder, decisions, progress), state

        self._task = start_task(work, self._planned, self._plan_failed)
        self._set_busy(self.tr("正在读取“{0}”中的表格，请稍候…").format(folder.name))
        self._update_buttons()

    def _planned(self, outcome: tuple[FolderPlan, Any]) -> None:
        self._task = None
        self._set_busy("")
        self.plan, self._planned_state = outcome
        self._show_plan(self.plan)
        self.pages.setCurrentIndex(PREVIEW)
        self._update_buttons()

    def _plan_failed(self, exc: BaseException) -> None:
        self._task = None
        self._set_busy("")
        if isinstance(exc, GongkaiError):  # no such folder, a cancel
            self.choose_error.setText(self.tr("{0}\n未写入任何数据。").format(str(exc)))
            self.choose_error.setVisible(True)
            self.plan = None
            self.pages.setCurrentIndex(CHOOSE)
            self._update_buttons()
            return
        self._update_buttons()
        show_error(self, exc, self.tr("无法读取"))

    def _relative(self, path: Path) -> str:
        plan = self.plan
        if plan is not None:
            try:
                return str(path.relative_to(plan.folder))
            except ValueError:
                pass
        return path.name

    def _show_plan(self, plan: FolderPlan) -> None:
        self.preview_source.setText(self.tr("文件夹：{0}").format(plan.folder))
        self.preview_summary.setText(plan.summary())
        current = self.tabs.currentWidget()
        self.tabs.clear()

        file_rows = [
            (
                self._relative(p.path),
                "、".join(p.sheets),
                p.ledger_title,
                p.add_count,
                p.duplicate_count,
                p.error_row_count,
                len(p.new_sites),
                status_of(p),
            )
            for p in plan.previews
        ]
        self.file_table = self._replace(self.file_table, read_only_table(FILE_HEADERS, file_rows))
        self._arrange_file_table()
        for r, report in enumerate(plan.previews):
            if report.already_imported:
                self._colour_row(self.file_table, r, QColor("#6b7280"), report.already_imported)
            elif report.has_errors:
                for c in (FILE_HEADERS.index("错误"), FILE_HEADERS.index("状态")):
                    item = self.file_table.item(r, c)
                    if item is not None:
                        item.setForeground(QColor("#a4281b"))
        self.tabs.addTab(self.file_table, self.tr("识别的台账（{0}）").format(len(plan.previews)))

        entries: list[MappingEntry] = []
        for fq in plan.questions():
            entry = MappingEntry(
                fq.ledger_id, fq.question, fq.count, "、".join(fq.files), (fq.ledger_title,)
            )
            entry.choice = fq.question.suggested()
            entries.append(entry)
        self._entries = merge_entries(self._entries, entries)
        ordered = sorted(
            self._entries.values(),
            key=lambda e: (not e.question.blocking, e.lead, e.question.column, -e.count),
        )
        self.mapping_table.set_entries(ordered)
        if self._entries:
            self.tabs.addTab(self.mapping_page, self.tr("值对照"))

        unrecognised = [(self._relative(f.path), f.sheet, f.reason) for f in plan.unrecognised]
        self.unrecognised_table = self._replace(
            self.unrecognised_table, read_only_table(["文件", "工作表", "原因"], unrecognised)
        )
        self.tabs.addTab(
            self.unrecognised_table, self.tr("未识别的工作表（{0}）").format(len(unrecognised))
        )
        if plan.refused:
            self.refused_table = self._replace(
                self.refused_table,
                read_only_table(
                    ["文件", "原因"], [(self._relative(p), why) for p, why in plan.refused]
                ),
            )
            self.tabs.addTab(
                self.refused_table, self.tr("无法读取的文件（{0}）").format(len(plan.refused))
            )
        groups = [
            f"{self._relative(p.path)}（{p.ledger_title}）：{g}"
            for p in plan.to_import
            for g in p.groups
        ]
        self.groups_view.setPlainText("\n".join(groups))  # the tab is the list: no cap
        if groups:
            index = self.tabs.addTab(
                self.error_page, self.tr("错误（{0}行）").format(plan.error_row_count)
            )
            self.tabs.tabBar().setTabTextColor(index, Qt.GlobalColor.darkRed)

        if self.mapping_table.undecided():
            self.tabs.setCurrentWidget(self.mapping_page)
        elif current is not None and self.tabs.indexOf(current) >= 0:
            self.tabs.setCurrentWidget(current)
        self.skip_invalid.setEnabled(plan.has_errors)
        if not plan.has_errors:
            self.skip_invalid.setChecked(False)
        if not plan.to_import:
            hint = self.tr("没有需要导入的台账。")
        elif plan.has_errors:
            hint = self.tr(
                "有错误的行时默认不导入任何一行，错误清单保存在各文件旁（文件名加“_导入错误行”）；"
                "或勾选“跳过有错误的行”，先导入正确的各行。"
            )
        else:
            hint = self.tr("导入前会自动备份数据库；所有文件在一次操作中导入。")
        self.preview_hint.setText(hint)

    def _arrange_file_table(self) -> None:
        """File names get the spare width; counts are right-aligned."""
        table = self.file_table
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in range(1, table.columnCount()):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        numbers = range(FILE_HEADERS.index("可导入行数"), FILE_HEADERS.index("状态"))
        for r in range(table.rowCount()):
            for c in numbers:
                item = table.item(r, c)
                if item is not None:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )

    def _replace(self, old: QTableWidget, new: QTableWidget) -> QTableWidget:
        old.setParent(None)
        old.deleteLater()
        return new

    def _colour_row(self, table: QTableWidget, row: int, colour: QColor, tip: str) -> None:
        for c in range(table.columnCount()):
            item = table.item(row, c)
            if item is not None:
                item.setForeground(colour)
                if tip:
                    item.setToolTip(tip)

    def _show_mapping_state(self) -> None:
        if self.plan is None:
            return
        undecided = len(self.mapping_table.undecided())
        if undecided:
            text = self.tr(
                "还有 {0} 种写法需要选择对应的选项（见“值对照”）：选择前这些行不能导入，"
                "也可以勾选“跳过有错误的行”。"
            ).format(undecided)
            style = BANNER_STYLE
        elif self.mapping_dirty():
            text = self.tr("对照已修改：请点“应用对照并重新读取”，确认结果后再导入。")
            style = NOTE_STYLE
        else:
            text, style = "", ""
        self.mapping_banner.setText(text)
        self.mapping_banner.setStyleSheet(style)
        self.mapping_banner.setVisible(bool(text))
        index = self.tabs.indexOf(self.mapping_page)
        if index >= 0:
            self.tabs.setTabText(
                index, self.tr("值对照（{0}）").format(len(self.mapping_table.entries))
            )
            self.tabs.tabBar().setTabTextColor(
                index, QColor(Qt.GlobalColor.darkRed) if undecided else QColor()
            )

    # ---- import -------------------------------------------------------------------------
    def start_import(self) -> None:
        plan = self.plan
        if plan is None or self._task is not None:
            return
        skip = self.skip_invalid.isChecked()
        ctx = self.ctx
        progress = self._progress()
        self._cancel.clear()

        def work() -> FolderResult:
            return import_folder(ctx, plan, skip_invalid=skip, progress=progress)

        self._task = start_task(work, self._imported, self._import_failed)
        self._set_busy(self.tr("正在导入，请稍候…"))
        self._update_buttons()

    def _imported(self, result: FolderResult) -> None:
        self._task = None
        self._set_busy("")
        self.import_result = result
        self.result_label.setText(result.summary())
        self.result_label.setStyleSheet(NOTE_STYLE if result.written else BANNER_STYLE)
        lines = []
        if result.backup_path is not None:
            lines.append(self.tr("导入前已备份到：{0}").format(result.backup_path))
        if result.errors_paths:
            lines.append(self.tr("被拒绝的行已列入错误清单（改正后可重新导入）："))
            lines += [f"  {p}" for p in result.errors_paths]
        if result.new_sites:
            lines.append(
                self.tr("新建待完善监管对象：{0}").format("、".join(result.new_sites[:20]))
                + (self.tr("等") if len(result.new_sites) > 20 else "")
            )
        self.result_details.setText("\n".join(lines))
        self.open_folder_button.setVisible(bool(result.errors_paths))
        self.pages.setCurrentIndex(RESULT)
        self._update_buttons()
        if result.written:
            self.records_imported.emit()

    def _import_failed(self, exc: BaseException) -> None:
        self._task = None
        self._set_busy("")
        self._update_buttons()
        if isinstance(exc, GongkaiError):  # a cancel, a changed file
            self.preview_hint.setText(self.tr("{0}\n未写入任何数据。").format(str(exc)))
            return
        show_error(self, exc, self.tr("导入失败"))

    def open_folder(self) -> None:
        result = self.import_result
        if result is not None and result.errors_paths:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(result.errors_paths[0].parent)))

    # ---- closing ------------------------------------------------------------------------
    def reject(self) -> None:
        if self._task is not None:
            return  # the worker is reading or writing; it can be stopped with 停止
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._task is not None:
            event.ignore()
            return
        super().closeEvent(event)
