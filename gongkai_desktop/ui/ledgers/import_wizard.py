"""The 导入台账 wizard: choose a ledger and a file → preview → import → result.

The preview shows the spellings of choice columns the ledger does not know (值对照),
each with a picker, and the headers it could not place (未识别的列); the clerk's picks
are passed to a new preview as a ``MappingProfile`` and saved with the import.

Rows whose natural key names a stored record but whose other cells differ are listed
under 内容不同 with the differing cells (old → new); each is skipped unless the clerk
ticks 更新 for it (or 全部更新), and then written as an audited update.

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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QColor
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
    QPlainTextEdit,
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
    ChangedRow,
    ImportCancelled,
    ImportPreview,
    ImportResult,
    RowId,
    UpdateChoice,
    commit,
    default_errors_path,
    preview,
)
from gongkai_desktop.services.ledgers.intake.mapping import MappingProfile, ValueDecision
from gongkai_desktop.services.ledgers.intake.values import ValueQuestion
from gongkai_desktop.ui.errors import show_error
from gongkai_desktop.ui.style import BANNER_STYLE, HINT_STYLE, NOTE_STYLE, emphasise
from gongkai_desktop.ui.worker import Task, start_task

CHOOSE, PREVIEW, RESULT = range(3)


def read_only_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> QTableWidget:
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


def hinted_page(hint: str) -> tuple[QWidget, QVBoxLayout]:
    """A tab page that opens with a wrapped grey hint; the caller adds the rest."""
    page = QWidget()
    layout = QVBoxLayout(page)
    label = QLabel(hint)
    label.setWordWrap(True)
    label.setStyleSheet(HINT_STYLE)
    layout.addWidget(label)
    return page, layout


def problems_view() -> QPlainTextEdit:
    """The grouped problems (one readable line per column and reason) above a table."""
    view = QPlainTextEdit()
    view.setReadOnly(True)
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
    view.setStyleSheet(BANNER_STYLE)
    return view


def show_problems(view: QPlainTextEdit, lines: Sequence[str], most: int = 5) -> None:
    """Fill the problems view, as tall as its lines (a long list scrolls)."""
    view.setPlainText("\n".join(lines))
    view.setVisible(bool(lines))
    rows = min(max(len(lines), 1), most) + (1 if len(lines) > 1 else 0)
    margins = view.contentsMargins()
    height = view.fontMetrics().lineSpacing() * rows + margins.top() + margins.bottom() + 18
    view.setFixedHeight(height)


# ---- 值对照: the clerk's readings of spellings and headers ------------------------------
UNDECIDED = "请选择…"
SKIP_ROWS = "跳过这些行"
NOT_IMPORTED = "不导入"
BLOCKING_BACKGROUND = QColor("#fdecea")


@dataclass
class MappingEntry:
    """One spelling in the 值对照 table: the question as last seen and the clerk's pick.

    ``choice`` None means undecided (only possible for a blocking spelling); a spelling
    the clerk decided disappears from the next preview's questions, so the entry keeps
    the question (count, rows) of the preview that asked it."""

    scope: str  # the ledger id
    question: ValueQuestion
    count: int
    places: str  # rows (one file) or file names (a folder)
    lead: tuple[str, ...] = ()  # leading cells (the ledger, in a folder)
    choice: ValueDecision | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.scope, self.question.field, self.question.key)

    @property
    def undecided(self) -> bool:
        return self.choice is None

    @property
    def decided_by_clerk(self) -> bool:
        """A pick the preview does not make by itself (not the suggestion)."""
        return self.choice is not None and self.choice != self.question.suggested()


def picker_options(question: ValueQuestion) -> list[tuple[str, ValueDecision | None]]:
    """What the picker of a spelling offers, in order: 请选择… (blocking only), the
    suggestion, each label (multi-choice: also （无）), 跳过这些行."""
    options: list[tuple[str, ValueDecision | None]] = []
    if question.blocking:
        options.append((UNDECIDED, None))
    suggested = question.suggested()
    if suggested is not None:
        options.append((f"{suggested.shown()}（建议）", suggested))
    for label in question.options:
        decision = ValueDecision((label,)) if question.multi else ValueDecision(label)
        if decision != suggested:
            options.append((label, decision))
    if question.multi and ValueDecision(()) != suggested:
        options.append(("（无）", ValueDecision(())))
    options.append((SKIP_ROWS, ValueDecision(skip=True)))
    return options


def suggestion_text(question: ValueQuestion) -> str:
    suggestion = question.suggestion
    if suggestion is None:
        return "不认识：请选择对应的选项，或跳过这些行"
    decision = question.suggested()
    shown = decision.shown() if decision is not None else str(suggestion.value)
    return f"{shown}（{suggestion.reason}）" if suggestion.reason else shown


def merge_entries(
    old: Mapping[tuple[str, str, str], MappingEntry], fresh: Sequence[MappingEntry]
) -> dict[tuple[str, str, str], MappingEntry]:
    """The entries of a new preview, keeping the clerk's picks and the spellings the
    clerk decided (which the new preview no longer asks about)."""
    merged: dict[tuple[str, str, str], MappingEntry] = {}
    for entry in fresh:
        before = old.get(entry.key)
        if before is not None and before.decided_by_clerk:
            entry.choice = before.choice
        merged[entry.key] = entry
    for key, entry in old.items():
        if key not in merged and entry.decided_by_clerk:
            merged[key] = entry
    return merged


def decisions_of(
    entries: Iterable[MappingEntry], columns: Mapping[tuple[str, str], str | None] | None = None
) -> dict[str, MappingProfile]:
    """The clerk's picks as one MappingProfile per ledger (suggestions are left out: the
    preview applies them by itself)."""
    profiles: dict[str, MappingProfile] = {}
    for entry in entries:
        if entry.decided_by_clerk and entry.choice is not None:
            profile = profiles.setdefault(entry.scope, MappingProfile(entry.scope))
            profile.decide(entry.question.field, entry.question.text, entry.choice)
    for (scope, header), field_key in (columns or {}).items():
        if field_key:
            profiles.setdefault(scope, MappingProfile(scope)).columns[header] = field_key
    return profiles


def profile_state(profiles: Mapping[str, MappingProfile]) -> Any:
    """A comparable form of the decisions (to tell whether the preview is out of date)."""
    return {scope: (dict(p.values), dict(p.columns)) for scope, p in profiles.items() if p}


class MappingTable(QTableWidget):
    """The 值对照 table: one row per spelling with a picker; blocking spellings still
    undecided are highlighted. ``changed`` is emitted when the clerk picks."""

    changed = Signal()

    def __init__(self, lead_headers: Sequence[str] = (), places_header: str = "行号") -> None:
        self.lead_headers = tuple(lead_headers)
        headers = [
            *self.lead_headers,
            "列",
            "表格中的写法",
            "出现次数",
            places_header,
            "建议／原因",
            "导入为",
        ]
        super().__init__(0, len(headers))
        self.setHorizontalHeaderLabels(headers)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setWordWrap(False)
        self.entries: list[MappingEntry] = []
        self.pickers: list[QComboBox] = []
        self.picker_column = len(headers) - 1

    def set_entries(self, entries: Sequence[MappingEntry]) -> None:
        self.entries = list(entries)
        self.pickers = []
        self.clearContents()
        self.setRowCount(len(self.entries))
        for r, entry in enumerate(self.entries):
            q = entry.question
            cells = [*entry.lead, q.column or q.label, q.text, str(entry.count), entry.places]
            cells.append(suggestion_text(q))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if c == len(entry.lead) + 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.setItem(r, c, item)
            picker = QComboBox()
            picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            options = picker_options(q)
            for text, _decision in options:
                picker.addItem(text)
            index = next((i for i, (_t, d) in enumerate(options) if d == entry.choice), 0)
            picker.setCurrentIndex(index)
            picker.setToolTip(
                f"“{q.text}”导入为哪个选项"
                + (f"；选“…（建议）”时原文记入“{q.detail_label}”" if q.detail_label else "")
            )
            picker.currentIndexChanged.connect(
                lambda i, row=r, opts=options: self._picked(row, opts[i][1] if i >= 0 else None)
            )
            self.setCellWidget(r, self.picker_column, picker)
            self.pickers.append(picker)
            self._paint(r)
        # the reason takes the spare width; the rest fit their text up to a cap (the whole
        # text is in the tooltip), so the pickers stay on screen in a 1366×768 window
        header = self.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.resizeColumnsToContents()
        reason = self.picker_column - 1
        for c in range(reason):
            self.setColumnWidth(c, min(max(self.columnWidth(c), 56), 180))
        widest = max((p.sizeHint().width() for p in self.pickers), default=160)
        self.setColumnWidth(self.picker_column, min(max(widest + 8, 180), 240))
        header.setSectionResizeMode(reason, QHeaderView.ResizeMode.Stretch)

    def _picked(self, row: int, decision: ValueDecision | None) -> None:
        self.entries[row].choice = decision
        self._paint(row)
        self.changed.emit()

    def _paint(self, row: int) -> None:
        entry = self.entries[row]
        reason = self.item(row, self.picker_column - 1)
        if reason is not None and entry.question.blocking:
            text = suggestion_text(entry.question) if entry.undecided else "不认识（已指定）"
            reason.setText(text)
            reason.setToolTip(text)
        background = BLOCKING_BACKGROUND if entry.undecided else QColor(0, 0, 0, 0)
        for c in range(self.picker_column):
            item = self.item(row, c)
            if item is not None:
                item.setBackground(background)

    def undecided(self) -> list[MappingEntry]:
        return [e for e in self.entries if e.undecided]


class ColumnTable(QTableWidget):
    """未识别的列: per sheet header a picker of 不导入 or one of the ledger's columns."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__(0, 2)
        self.setHorizontalHeaderLabels(["表格中的列名", "导入为台账的列"])
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.choices: dict[str, str | None] = {}  # header → field key (None: 不导入)
        self.pickers: dict[str, QComboBox] = {}

    def set_columns(self, headers: Sequence[str], columns: Sequence[tuple[str, str]]) -> None:
        """``headers``: the sheet's headers to offer; ``columns``: (label, field) of the
        ledger. Picks already made are kept."""
        self.choices = {h: self.choices.get(h) for h in headers}
        self.pickers = {}
        self.clearContents()
        self.setRowCount(len(headers))
        options: list[tuple[str, str | None]] = [(NOT_IMPORTED, None), *columns]
        for r, header in enumerate(headers):
            item = QTableWidgetItem(header)
            item.setToolTip(header)
            self.setItem(r, 0, item)
            picker = QComboBox()
            for text, _field in options:
                picker.addItem(text)
            chosen = self.choices.get(header)
            picker.setCurrentIndex(next((i for i, o in enumerate(options) if o[1] == chosen), 0))
            picker.currentIndexChanged.connect(
                lambda i, h=header, opts=options: self._picked(h, opts[i][1] if i >= 0 else None)
            )
            self.setCellWidget(r, 1, picker)
            self.pickers[header] = picker
        self.resizeColumnsToContents()
        self.setColumnWidth(0, min(max(self.columnWidth(0), 160), 320))
        self.horizontalHeader().setStretchLastSection(True)

    def _picked(self, header: str, field_key: str | None) -> None:
        self.choices[header] = field_key
        self.changed.emit()


class ChangedTable(QTableWidget):
    """内容不同: one row per changed row with a 更新 box (unticked: 跳过, the default),
    the row, its key and the differing cells. ``changed`` is emitted on a tick."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__(0, 4)
        self.setHorizontalHeaderLabels(
            ["更新", "行号", "关键信息", "不同之处（原值 → 表格中的值）"]
        )
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(False)
        self.rows: list[ChangedRow] = []
        self.total = 0  # all 内容不同 rows (the list holds at most MAX_LISTED)
        self.all_chosen = False  # 全部更新: also the rows beyond the list
        self.itemChanged.connect(self._ticked)

    def set_rows(self, rows: Sequence[ChangedRow], total: int) -> None:
        self.blockSignals(True)
        self.rows = list(rows)
        self.total = total
        self.all_chosen = False
        self.clearContents()
        self.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            box = QTableWidgetItem(self.tr("更新"))
            box.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            box.setCheckState(Qt.CheckState.Unchecked)
            self.setItem(r, 0, box)
            place = f"“{row.sheet}”第{row.row}行" if row.sheet else str(row.row)
            for c, text in enumerate((place, row.key, row.changes_text), start=1):
                item = QTableWidgetItem(text)
                item.setToolTip("\n".join(str(x) for x in row.changes) if c == 3 else text)
                self.setItem(r, c, item)
        self.blockSignals(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.resizeColumnsToContents()
        for c in (1, 2):
            self.setColumnWidth(c, min(max(self.columnWidth(c), 60), 320))
        header.setStretchLastSection(True)

    def set_all(self, chosen: bool) -> None:
        self.blockSignals(True)
        state = Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked
        for r in range(self.rowCount()):
            item = self.item(r, 0)
            if item is not None:
                item.setCheckState(state)
        self.blockSignals(False)
        self.all_chosen = chosen
        self.changed.emit()

    def _ticked(self, item: QTableWidgetItem) -> None:
        if item.column() == 0:
            self.all_chosen = False
            self.changed.emit()

    def chosen(self) -> list[RowId]:
        out = []
        for r, row in enumerate(self.rows):
            item = self.item(r, 0)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                out.append(row.row_id)
        return out

    def choice(self) -> UpdateChoice:
        """What ``commit`` is told: True for 全部更新, else the ticked rows."""
        return True if self.all_chosen else set(self.chosen())

    def chosen_count(self) -> int:
        return self.total if self.all_chosen else len(self.chosen())


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
        # the clerk's readings, kept across previews of the same file
        self._entries: dict[tuple[str, str, str], MappingEntry] = {}
        self._headers: list[str] = []  # unknown headers seen in this file's previews
        self._mapping_for: tuple[str, Path] | None = None
        self._previewed_state: Any = {}  # the decisions the shown preview was made with
        self.setWindowTitle(self.tr("导入台账"))
        self.resize(1040, 660)

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
        self.mapping_banner = QLabel()
        self.mapping_banner.setWordWrap(True)
        self.mapping_banner.setVisible(False)
        layout.addWidget(self.mapping_banner)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)

        self.mapping_page, mapping_layout = hinted_page(
            self.tr(
                "表格中这些写法不是台账的选项。请在“导入为”一列确认或选择对应的选项，"
                "然后点“应用对照并重新预览”；导入时对照会保存，下次导入同样的写法不再询问。"
            )
        )
        self.mapping_table = MappingTable()
        self.mapping_table.changed.connect(self._mapping_changed)
        mapping_layout.addWidget(self.mapping_table, 1)

        self.columns_page, columns_layout = hinted_page(
            self.tr("这些列没有对应到台账的列，默认不导入。可以为每一列选择要导入到的台账列。")
        )
        self.column_table = ColumnTable()
        self.column_table.changed.connect(self._mapping_changed)
        columns_layout.addWidget(self.column_table, 1)

        self.changed_page, changed_layout = hinted_page(
            self.tr(
                "数据库中已有这些记录（关键信息相同），但表格中其他内容不同。默认跳过、"
                "保持数据库中的内容；勾选“更新”的行会按表格改写记录，并记入修改记录。"
            )
        )
        changed_buttons = QHBoxLayout()
        self.changed_table = ChangedTable()
        self.changed_table.changed.connect(self._update_buttons)
        table = self.changed_table
        self.update_all_button = QPushButton(self.tr("全部更新"))
        self.update_all_button.clicked.connect(lambda: table.set_all(True))
        self.skip_all_button = QPushButton(self.tr("全部跳过"))
        self.skip_all_button.clicked.connect(lambda: table.set_all(False))
        self.changed_state = QLabel()
        changed_buttons.addWidget(self.update_all_button)
        changed_buttons.addWidget(self.skip_all_button)
        changed_buttons.addWidget(self.changed_state, 1)
        changed_layout.addLayout(changed_buttons)
        changed_layout.addWidget(self.changed_table, 1)

        self.error_page = QWidget()
        error_layout = QVBoxLayout(self.error_page)
        error_layout.setContentsMargins(0, 0, 0, 0)
        self.groups_view = problems_view()
        error_layout.addWidget(self.groups_view)
        self.error_table = read_only_table(
            [self.tr("行号"), self.tr("列"), self.tr("值"), self.tr("原因")], []
        )
        error_layout.addWidget(self.error_table, 1)

        options = QHBoxLayout()
        layout.addLayout(options)
        self.skip_invalid = QCheckBox(self.tr("跳过有错误的行，导入其余各行"))
        self.skip_invalid.toggled.connect(self._update_buttons)
        self.apply_button = QPushButton(self.tr("应用对照并重新预览"))
        self.apply_button.clicked.connect(self.apply_mapping)
        self.save_errors_button = QPushButton(self.tr("保存错误清单…"))
        self.save_errors_button.clicked.connect(self.save_errors)
        options.addWidget(self.skip_invalid)
        options.addStretch(1)
        options.addWidget(self.apply_button)
        options.addWidget(self.save_errors_button)
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
            undecided = bool(self.mapping_table.undecided())
            can = (
                report is not None
                and not report.already_imported
                # with error rows and no skip, 导入 writes nothing and makes the error list
                and (
                    report.has_errors
                    or report.add_count + len(report.new_sites) > 0
                    or self.changed_table.chosen_count() > 0
                )
                and not self.mapping_dirty()
                # an undecided spelling: map it, or choose to skip the rejected rows
                and not (undecided and not self.skip_invalid.isChecked())
            )
            self.next_button.setEnabled(idle and can)
            self.apply_button.setVisible(bool(self._entries or self._headers))
            self.apply_button.setEnabled(idle and self.mapping_dirty())
            self._show_mapping_state()
            if report is not None and report.changed_count:
                self.changed_state.setText(
                    self.tr("共 {0} 行内容不同：更新 {1} 行，其余跳过").format(
                        report.changed_count, self.changed_table.chosen_count()
                    )
                )
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
        ledger_id = self.ledger_id()
        if self._mapping_for != (ledger_id, source):  # another file: its own readings
            self._entries = {}
            self._headers = []
            self.column_table.choices = {}
            self._mapping_for = (ledger_id, source)
        self.choose_error.setVisible(False)
        self.errors_file = None
        errors_path = self._new_errors_file(source)
        decisions = self.mapping_decisions()
        state = profile_state({ledger_id: decisions})
        ctx = self.ctx
        progress = self._progress()
        self._cancel.clear()

        def work() -> tuple[ImportPreview, Path | None, Any]:
            report = preview(
                ctx,
                ledger_id,
                source,
                progress=progress,
                errors_path=errors_path,
                decisions=decisions if decisions else None,
            )
            return report, errors_path if errors_path.exists() else None, state

        self._task = start_task(work, self._previewed, self._preview_failed)
        self._set_busy(self.tr("正在读取和检查“{0}”，请稍候…").format(source.name))
        self._update_buttons()

    def apply_mapping(self) -> None:
        """Preview the file again with the clerk's picks (the counts change)."""
        if self.pages.currentIndex() == PREVIEW:
            self.start_preview()

    def mapping_decisions(self) -> MappingProfile:
        """The clerk's picks in the 值对照 and 未识别的列 tables, as one profile."""
        ledger_id = self.ledger_id()
        columns = {(ledger_id, h): f for h, f in self.column_table.choices.items()}
        profiles = decisions_of(self._entries.values(), columns)
        return profiles.get(ledger_id) or MappingProfile(ledger_id)

    def mapping_dirty(self) -> bool:
        """Picks changed since the shown preview was made."""
        if self.report is None:
            return False
        return profile_state({self.ledger_id(): self.mapping_decisions()}) != self._previewed_state

    def _mapping_changed(self) -> None:
        self._update_buttons()

    def _previewed(self, outcome: tuple[ImportPreview, Path | None, Any]) -> None:
        self._task = None
        self._set_busy("")
        again = self.report is not None and self.pages.currentIndex() == PREVIEW
        self.report, self.errors_file, self._previewed_state = outcome
        self._show_report(self.report, again)
        self.pages.setCurrentIndex(PREVIEW)
        self._update_buttons()

    def _preview_failed(self, exc: BaseException) -> None:
        self._task = None
        self._set_busy("")
        if isinstance(exc, GongkaiError):  # a refused file, no table found, a cancel
            self.choose_error.setText(self.tr("{0}\n未写入任何数据。").format(str(exc)))
            self.choose_error.setVisible(True)
            self.report = None
            self.pages.setCurrentIndex(CHOOSE)  # also when a new preview failed
            self._update_buttons()
            return
        self._update_buttons()
        show_error(self, exc, self.tr("无法预览"))

    def _show_mapping(self, report: ImportPreview) -> None:
        fresh = [
            MappingEntry(report.ledger_id, q, q.count, q.rows_text(5)) for q in report.questions
        ]
        for entry in fresh:
            entry.choice = entry.question.suggested()
        self._entries = merge_entries(self._entries, fresh)
        # undecided first, then by column and count
        ordered = sorted(
            self._entries.values(),
            key=lambda e: (not e.question.blocking, e.question.column, -e.count),
        )
        self.mapping_table.set_entries(ordered)
        for header in report.unknown_columns:
            if header not in self._headers:
                self._headers.append(header)
        ledger = self.ctx.registry.ledger(report.ledger_id)
        self.column_table.set_columns(self._headers, [(c.label, c.field) for c in ledger.columns])

    def _show_mapping_state(self) -> None:
        """The banner over the tabs and the 值对照 tab's title."""
        undecided = len(self.mapping_table.undecided())
        if self.pages.currentIndex() != PREVIEW or self.report is None:
            return
        if undecided:
            text = self.tr(
                "还有 {0} 种写法需要选择对应的选项（见“值对照”）：选择前这些行不能导入，"
                "也可以勾选“跳过有错误的行”。"
            ).format(undecided)
            style = BANNER_STYLE
        elif self.mapping_dirty():
            text = self.tr("对照已修改：请点“应用对照并重新预览”，确认结果后再导入。")
            style = NOTE_STYLE
        else:
            text, style = "", ""
        self.mapping_banner.setText(text)
        self.mapping_banner.setStyleSheet(style)
        self.mapping_banner.setVisible(bool(text))
        index = self.tabs.indexOf(self.mapping_page)
        if index >= 0:
            self.tabs.setTabText(
                index, self._tab_title(self.tr("值对照"), len(self.mapping_table.entries), None)
            )
            self.tabs.tabBar().setTabTextColor(
                index, QColor(Qt.GlobalColor.darkRed) if undecided else QColor()
            )

    def _show_report(self, report: ImportPreview, again: bool = False) -> None:
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

        kept = (self.mapping_page, self.columns_page, self.error_page, self.changed_page)
        current = self.tabs.currentWidget()
        dropped = [self.tabs.widget(i) for i in range(self.tabs.count())]
        self.tabs.clear()
        for widget in dropped:
            if widget is not None and widget not in kept:
                widget.deleteLater()
        self._show_mapping(report)
        self.tabs.addTab(
            read_only_table(
                [self.tr("行号"), *report.labels], [(r.row, *r.cells) for r in report.rows_to_add]
            ),
            self._tab_title(self.tr("将导入"), report.add_count, len(report.rows_to_add)),
        )
        if self._entries:
            self.tabs.addTab(self.mapping_page, self.tr("值对照"))
        if self._headers:
            self.tabs.addTab(
                self.columns_page, self._tab_title(self.tr("未识别的列"), len(self._headers), None)
            )
        show_problems(self.groups_view, [str(g) for g in report.groups])
        old_table = self.error_table
        self.error_table = read_only_table(
            [self.tr("行号"), self.tr("列"), self.tr("值"), self.tr("原因")],
            [(e.row, e.column, e.value, e.reason) for e in report.errors],
        )
        layout = self.error_page.layout()
        assert layout is not None
        layout.replaceWidget(old_table, self.error_table)
        old_table.deleteLater()
        error_index = self.tabs.addTab(
            self.error_page,
            self._tab_title(self.tr("错误行"), report.error_row_count, None),
        )
        self.changed_table.set_rows(report.changed, report.changed_count)
        changed_index = -1
        if report.changed_count:
            changed_index = self.tabs.addTab(
                self.changed_page,
                self._tab_title(self.tr("内容不同"), report.changed_count, len(report.changed)),
            )
            self.tabs.tabBar().setTabTextColor(changed_index, QColor("#9a5b00"))
        self.tabs.addTab(
            read_only_table(
                [self.tr("行号"), self.tr("关键信息"), self.tr("原因")],
                [(d.row, d.key, d.reason) for d in report.duplicates],
            ),
            self._tab_title(self.tr("重复行"), report.duplicate_count, len(report.duplicates)),
        )
        self.tabs.addTab(
            read_only_table(
                [self.tr("行号"), self.tr("列"), self.tr("值"), self.tr("说明")],
                [(w.row, w.column, w.value, w.note) for w in report.warnings],
            ),
            self._tab_title(self.tr("提示"), report.warning_count, len(report.warnings)),
        )
        self.tabs.addTab(
            read_only_table(
                [self.tr("名称"), self.tr("类型"), self.tr("首次出现的行")],
                [(s.name, s.site_type, s.first_row) for s in report.new_sites],
            ),
            self._tab_title(self.tr("新建待完善监管对象"), len(report.new_sites), None),
        )
        if self.mapping_table.undecided():
            self.tabs.setCurrentWidget(self.mapping_page)
        elif again and current in kept and self.tabs.indexOf(current) >= 0:
            self.tabs.setCurrentWidget(current)  # stay where the clerk was
        elif report.error_row_count:
            self.tabs.setCurrentIndex(error_index)
        elif changed_index >= 0 and not report.add_count:
            self.tabs.setCurrentIndex(changed_index)
        if report.error_row_count:
            self.tabs.tabBar().setTabTextColor(error_index, Qt.GlobalColor.darkRed)
        if not again or not report.has_errors:
            self.skip_invalid.setChecked(False)
        self.skip_invalid.setEnabled(report.has_errors and not report.already_imported)
        if report.already_imported:
            hint = self.tr("这个文件已经导入过，不需要再导入。")
        elif report.has_errors:
            hint = self.tr(
                "有错误的行时默认不导入任何一行：可以“保存错误清单…”，在 Excel 中改正后"
                "重新导入；或勾选“跳过有错误的行”，先导入正确的各行。"
            )
        elif report.add_count + len(report.new_sites) == 0 and report.changed_count:
            hint = self.tr("没有新记录；内容不同的行勾选“更新”后可以导入。")
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
        update_changed = self.changed_table.choice()
        errors_path = self._new_errors_file(report.path)
        self.errors_file = None
        ctx = self.ctx
        progress = self._progress()
        self._cancel.clear()

        def work() -> ImportResult:
            return commit(
                ctx,
                report,
                skip_invalid=skip,
                errors_path=errors_path,
                progress=progress,
                update_changed=update_changed,
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
