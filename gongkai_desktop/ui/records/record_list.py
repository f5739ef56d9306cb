"""One record list: search, date filter, sortable lazily paged table, and its buttons.

The page only *asks* for changes (``new_requested``, ``open_requested``,
``delete_requested``, ``restore_requested``); the main window does them through the
services and then calls ``record_changed()`` (or ``refresh()`` after many changes).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QDate,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.domain.errors import GongkaiError
from gongkai_desktop.services.records.service import RecordQuery, RecordService
from gongkai_desktop.ui.errors import show_error
from gongkai_desktop.ui.printing import GridPreview
from gongkai_desktop.ui.records.record_model import RecordTableModel
from gongkai_desktop.ui.style import HINT_STYLE, emphasise, make_primary
from gongkai_desktop.ui.worker import Task, start_task

if TYPE_CHECKING:
    from gongkai_desktop.services.documents.print_grid import PrintGrid

# Typing a word fires one query when the clerk pauses, not one per keystroke.
SEARCH_DEBOUNCE_MS = 250
# Columns are fitted to their contents once, but never wider than this (long addresses
# would otherwise push the other columns off screen; the tooltip shows the full text).
MAX_COLUMN_WIDTH = 260
# The list's longest text column (问题描述, 名称…) takes the width the others leave, but
# never less than this (or its contents, if narrower): the rest then scrolls sideways.
STRETCH_MIN_WIDTH = 200
# Field types whose column can be the stretching one (a site column shows its name).
TEXT_TYPES = ("text", "multiline", "site")
# Extra room beside the widest text so neighbouring columns do not run together.
COLUMN_PADDING = 16
COLUMN_SAMPLE_ROWS = 40  # rows Qt measures to fit a column to its contents
# select_record() may load one more page to find a record not yet loaded (a page sorted
# by a form field costs up to ~0.2 s with 100,000 records; more would freeze the window).
SELECT_FETCH_PAGES = 1
# Width of a filter drop-down in characters (the popup still shows whole choices).
FILTER_MIN_CHARS = 7


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class RecordListPage(QWidget):
    new_requested = Signal()
    open_requested = Signal(str)  # record id
    delete_requested = Signal(str)  # record id
    restore_requested = Signal(str)  # record id

    def __init__(
        self,
        service: RecordService,
        form_id: str | None,
        deleted: bool = False,
        parent: QWidget | None = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        # where the chosen drop-down filters and dragged column widths are remembered,
        # per list
        self._settings = settings if settings is not None else QSettings()
        self._form_id = form_id
        self._deleted = deleted
        self._print_task: Task | None = None
        self.printing = GridPreview(self)
        form = service.registry.form(form_id) if form_id is not None else None
        self._form = form
        self._sizing_columns = False  # widths set here, not dragged by the clerk
        self._stretch_min = STRETCH_MIN_WIDTH
        self._has_date_filter = form is not None and form.date_field is not None
        # the 回收站 shows the most recently deleted first, a form list its records by
        # their own date, newest first (a form without a date: the newest edit)
        if deleted and form_id is None:
            sort_key = "deleted_at"
        else:
            sort_key = "record_date" if self._has_date_filter else "updated_at"
        query = RecordQuery(form_id=form_id, deleted=deleted, sort_key=sort_key)
        self.model = RecordTableModel(service, query, self)
        # pages read while scrolling must not freeze the window (see the model)
        self.model.set_background_paging(True)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._apply_filters)

        layout = QVBoxLayout(self)
        layout.addLayout(self._build_filter_bar())
        layout.addWidget(self._build_table(), 1)
        layout.addLayout(self._build_buttons())

        self.model.total_count_changed.connect(self._show_count)
        # a new filter, order or refresh keeps the selected record selected if it is shown
        self._selected_before_reset: str | None = None
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.model.modelReset.connect(self._restore_selection)
        self._show_count(self.model.total_count)
        if self._filter_values():  # filters remembered from last time
            self._apply_filters()
        self._fit_columns()
        self._update_buttons()

    # ---- building ------------------------------------------------------------------
    def _build_filter_bar(self) -> QVBoxLayout:
        """Search and dates on one row, the form's drop-downs on a row of their own: in
        the app's Chinese font the two together are wider than a 1280-pixel laptop's
        list, and Qt would squeeze the drop-downs' labels («全部问题来」)."""
        rows = QVBoxLayout()
        bar = QHBoxLayout()
        choices = QHBoxLayout()
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("search_edit")
        # what this form's records are found by (forms' search_hint), not another form's
        words = self._form.search_words() if self._form is not None else self.tr("表单、标题")
        # short enough for the box at 1280 px; how several words combine in the tooltip
        self.search_edit.setPlaceholderText(self.tr("搜索：{words}等").format(words=words))
        self.search_edit.setToolTip(
            self.tr("输入{words}等查找；空格分隔多个词时，列出同时含有这些词的记录").format(
                words=words
            )
        )
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self._search_timer.start)
        self.search_edit.returnPressed.connect(self._apply_filters_now)
        bar.addWidget(self.search_edit, 1)

        # drop-downs declared by the form file (list_filters), restored as last chosen
        self.filter_combos: dict[str, QComboBox] = {}
        declared = (
            self._service.list_filters(self._form_id)
            if self._form_id is not None and not self._deleted
            else []
        )
        saved = self._saved_filters()
        for spec in declared:
            combo = QComboBox(self)
            combo.setObjectName(f"filter_{spec.key}")
            # a long choice must not widen the bar past a 1280-pixel screen
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setToolTip(self.tr("按{label}筛选").format(label=spec.label))
            # 「全部点位/村」: a bracketed tail (（社区）) is left to the tooltip, and the
            # box is wide enough for the whole of what is left
            everything = self.tr("全部{label}").format(label=re.sub(r"（[^）]*）$", "", spec.label))
            # Qt counts this length in widths of "x", which a Chinese character exceeds:
            # measure the text itself (in the app's font, not only the test's)
            metrics = combo.fontMetrics()
            chars = math.ceil(
                metrics.horizontalAdvance(everything) / metrics.horizontalAdvance("x")
            )
            combo.setMinimumContentsLength(max(FILTER_MIN_CHARS, chars + 1))
            combo.addItem(everything, None)
            for text, value in spec.options:
                combo.addItem(text, value)
            chosen = combo.findText(saved.get(spec.key, ""))
            if chosen > 0:
                combo.setCurrentIndex(chosen)
            combo.currentIndexChanged.connect(self._filter_changed)
            choices.addWidget(combo)
            self.filter_combos[spec.key] = combo

        self.date_from_check = QCheckBox(self.tr("从"), self)
        self.date_from_edit = self._date_edit(QDate(date.today().year, 1, 1))
        self.date_to_check = QCheckBox(self.tr("至"), self)
        self.date_to_edit = self._date_edit(QDate.currentDate())
        if self._has_date_filter:
            for check, edit in (
                (self.date_from_check, self.date_from_edit),
                (self.date_to_check, self.date_to_edit),
            ):
                check.toggled.connect(edit.setEnabled)
                check.toggled.connect(self._apply_filters_now)
                edit.dateChanged.connect(self._date_changed)
                bar.addWidget(check)
                bar.addWidget(edit)
        else:
            # a form without a date field (e.g. 监管对象) has nothing to filter by date
            for widget in (
                self.date_from_check,
                self.date_from_edit,
                self.date_to_check,
                self.date_to_edit,
            ):
                widget.hide()

        self.count_label = QLabel(self)
        self.count_label.setObjectName("count_label")
        bar.addWidget(self.count_label)
        rows.addLayout(bar)
        if self.filter_combos:
            choices.addStretch(1)
            rows.addLayout(choices)
        return rows

    def _date_edit(self, initial: QDate) -> QDateEdit:
        edit = QDateEdit(initial, self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setEnabled(False)
        return edit

    def _build_table(self) -> QTableView:
        view = QTableView(self)
        view.setObjectName("record_table")
        view.setModel(self.model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.verticalHeader().hide()
        # fixed row height: the view never measures rows it has not painted
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        # columns are fitted to a sample of rows around the top, not to all 200 of the
        # first page: measuring every cell blocked the list's opening for 0.12 s
        view.horizontalHeader().setResizeContentsPrecision(COLUMN_SAMPLE_ROWS)
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
        header = view.horizontalHeader()
        header.setHighlightSections(False)
        # not the last column (最后修改) but the longest text column fills the width
        header.setStretchLastSection(False)
        header.sectionResized.connect(self._column_dragged)
        view.viewport().installEventFilter(self)
        header.setSectionsMovable(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # Show the model's order before enabling sorting: setSortingEnabled() sorts by
        # the indicator at once, and this way that is a no-op instead of a second query.
        header.setSortIndicator(self.model.sort_column(), self.model.sort_order())
        view.setSortingEnabled(True)
        view.doubleClicked.connect(self._row_activated)
        view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table = view
        # shown over the empty table: what to do first instead of a blank grid
        self.empty_label = QLabel(view.viewport())
        self.empty_label.setObjectName("empty_hint")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet(HINT_STYLE)
        emphasise(self.empty_label, 1.2, bold=False)
        empty_layout = QVBoxLayout(view.viewport())
        empty_layout.addWidget(self.empty_label)
        self.empty_label.hide()

        open_key = QShortcut(QKeySequence(Qt.Key.Key_Return), view)
        open_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        open_key.activated.connect(self._open_current)
        delete_key = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), view)
        delete_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete_key.activated.connect(self._delete_or_restore_current)
        return view

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.new_button = QPushButton(self.tr("新建"), self)
        self.edit_button = QPushButton(self.tr("编辑"), self)
        self.delete_button = QPushButton(self.tr("删除"), self)
        self.restore_button = QPushButton(self.tr("恢复"), self)
        self.export_button = QPushButton(self.tr("导出当前列表…"), self)
        self.export_button.setToolTip(
            self.tr("把当前筛选出的记录按列表的各列保存为 Excel 表格（.xlsx）")
        )
        self.export_button.clicked.connect(self._export_clicked)
        self.print_button = QPushButton(self.tr("打印当前列表…"), self)
        self.print_button.setObjectName("print_list_button")
        self.print_button.setToolTip(
            self.tr("打印当前筛选出的记录（A4 横向，先显示打印预览；Ctrl+P）")
        )
        self.print_button.clicked.connect(self.print_list)
        # the one main button of the page
        make_primary(self.new_button)
        self.new_button.clicked.connect(self.new_requested)
        self.edit_button.clicked.connect(self._open_current)
        self.delete_button.clicked.connect(self._delete_or_restore_current)
        self.restore_button.clicked.connect(self._delete_or_restore_current)
        self.edit_button.setToolTip(self.tr("打开选中的记录（也可双击或按回车）"))
        self.delete_button.setToolTip(self.tr("把选中的记录移到回收站（可恢复）"))
        if self._deleted:
            shown = [self.restore_button]
            hidden = [self.new_button, self.edit_button, self.delete_button]
        else:
            shown = [self.new_button, self.edit_button, self.delete_button]
            hidden = [self.restore_button]
        for button in hidden:
            button.hide()
        for button in shown:
            row.addWidget(button)
        row.addStretch(1)
        if self._form_id is not None and not self._deleted:
            row.addWidget(self.print_button)
            row.addWidget(self.export_button)
        else:
            self.export_button.hide()
            self.print_button.hide()
        self._add_shortcuts()
        return row

    def _add_shortcuts(self) -> None:
        """Ctrl+N new record (what the empty list's hint says), Ctrl+F the search box, F5
        re-read. Window-wide, but only the shown page's are live (Qt skips hidden ones)."""
        # the keys themselves, not the platform's standard ones (Refresh is not F5
        # everywhere), so that they are what the hints and the README say
        keys = [("Ctrl+F", self._focus_search), ("F5", self._refresh_in_background)]
        if not self._deleted:
            keys.append(("Ctrl+N", self.new_requested.emit))
        for key, action in keys:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(action)

    def _focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    # ---- public API ----------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the list (F5, or after many changes), keeping the selection."""
        self.model.refresh()

    def _refresh_in_background(self) -> None:
        # up to 600 rows re-read: about 0.2 s at 100,000 records, off the GUI thread
        self.model.refresh(in_background=True)

    def record_changed(self, record_id: str, form_id: str) -> None:
        """A record of ``form_id`` was saved, deleted or restored: its row changes in
        place; the rest of the list is not read again (see the model)."""
        if self._form_id is None or self._form_id == form_id:
            self.model.record_changed(record_id)
        elif self._service.shows_names_of(self._form_id, form_id):
            # e.g. a site renamed: this list shows the names of such records
            self.model.refresh()

    def current_record_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.record_id(rows[0].row())

    def select_record(self, record_id: str) -> bool:
        """Select and show a record if it is loaded or within a few more pages."""
        row = self.model.row_of(record_id)
        pages = 0
        while row is None and pages < SELECT_FETCH_PAGES and self.model.fetch_more_now():
            row = self.model.row_of(record_id)
            pages += 1
        if row is None:
            return False
        self._select_row(row)
        return True

    def _select_row(self, row: int) -> None:
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))

    def _remember_selection(self) -> None:
        self._selected_before_reset = self.current_record_id()

    def _restore_selection(self) -> None:
        # only among the rows just loaded: fetching more here would add queries to every
        # keystroke of a search
        record_id, self._selected_before_reset = self._selected_before_reset, None
        row = self.model.row_of(record_id) if record_id is not None else None
        if row is not None:
            self._select_row(row)
        self._update_buttons()

    # ---- filtering -----------------------------------------------------------------
    def _date_changed(self) -> None:
        if self.date_from_check.isChecked() or self.date_to_check.isChecked():
            self._search_timer.start()

    def _apply_filters_now(self) -> None:
        self._search_timer.stop()
        self._apply_filters()

    def _settings_key(self) -> str:
        return f"record_list/{self._form_id}/filters"

    def _saved_filters(self) -> dict[str, str]:
        raw = self._settings.value(self._settings_key(), "")
        try:
            saved = json.loads(raw) if isinstance(raw, str) and raw else {}
        except ValueError:  # a hand-edited or damaged settings file: start unfiltered
            return {}
        return {str(k): str(v) for k, v in saved.items()} if isinstance(saved, dict) else {}

    def _filter_values(self) -> tuple[tuple[str, tuple[Any, ...]], ...]:
        return tuple(
            (key, (combo.currentData(),))
            for key, combo in self.filter_combos.items()
            if combo.currentIndex() > 0
        )

    def _filter_changed(self) -> None:
        chosen = {k: c.currentText() for k, c in self.filter_combos.items() if c.currentIndex() > 0}
        self._settings.setValue(self._settings_key(), json.dumps(chosen, ensure_ascii=False))
        self._apply_filters_now()

    def _apply_filters(self) -> None:
        date_from: date | None = None
        date_to: date | None = None
        if self._has_date_filter:
            if self.date_from_check.isChecked():
                date_from = _pydate(self.date_from_edit.date())
            if self.date_to_check.isChecked():
                date_to = _pydate(self.date_to_edit.date())
        wanted = self.model.wanted_query
        query = replace(
            wanted,
            search=self.search_edit.text().strip(),
            date_from=date_from,
            date_to=date_to,
            filters=self._filter_values(),
        )
        if query == wanted:
            return
        if query.search != wanted.search:
            # a search reads every record's text: off the GUI thread (see the model)
            self.model.set_query_in_background(query)
        else:
            self.model.set_query(query)

    # ---- actions -------------------------------------------------------------------
    def _row_activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        # records in the 回收站 are restored, not edited
        if index.isValid() and not self._deleted:
            self.open_requested.emit(self.model.record_id(index.row()))

    def _open_current(self) -> None:
        record_id = self.current_record_id()
        if record_id is not None and not self._deleted:
            self.open_requested.emit(record_id)

    def _delete_or_restore_current(self) -> None:
        record_id = self.current_record_id()
        if record_id is None:
            return
        if self._deleted:
            self.restore_requested.emit(record_id)
        else:
            self.delete_requested.emit(record_id)

    def export_to(self, path: Path) -> int:
        """Save the rows the list shows now (filters, search, dates, order) to ``path``."""
        self._apply_filters_now()  # a search still being typed counts
        # openpyxl only when a list is exported: the window's start never needs it
        from gongkai_desktop.services.ledgers.list_export import export_list

        return export_list(self._service, self.model.wanted_query, path)

    @property
    def can_print(self) -> bool:
        return self._form_id is not None and not self._deleted

    def print_list(self) -> None:
        """打印当前列表: read the shown rows off the GUI thread, then the print preview."""
        if not self.can_print or self._print_task is not None:
            return
        self._apply_filters_now()  # a search still being typed counts
        service, query = self._service, self.model.wanted_query
        self.print_button.setEnabled(False)
        self._print_task = start_task(
            lambda: _list_grid(service, query), self._open_print_preview, self._print_failed
        )

    def _print_failed(self, exc: BaseException) -> None:
        self._print_task = None
        self.print_button.setEnabled(True)
        show_error(self, exc, self.tr("无法打印当前列表"))

    def _open_print_preview(self, grid: PrintGrid) -> None:
        self._print_task = None
        self.print_button.setEnabled(True)
        self.printing.open(grid)

    @property
    def preview_dialog(self) -> QWidget | None:
        return self.printing.dialog

    def paint(self, printer: Any) -> int:
        """Paint the list the preview shows onto ``printer``; returns the page count."""
        return self.printing.paint(printer)

    def _export_clicked(self) -> None:
        form = self._service.registry.form(self._form_id or "")
        default = str(Path.home() / f"{form.title}_{date.today():%Y-%m-%d}.xlsx")
        name, _filter = QFileDialog.getSaveFileName(
            self, self.tr("导出当前列表"), default, self.tr("Excel 表格 (*.xlsx)")
        )
        if not name:
            return
        path = Path(name) if name.lower().endswith(".xlsx") else Path(name + ".xlsx")
        try:
            count = self.export_to(path)
        except GongkaiError as exc:
            QMessageBox.warning(self, self.tr("导出当前列表"), str(exc))
            return
        QMessageBox.information(
            self,
            self.tr("导出当前列表"),
            self.tr("已导出 {count} 条记录到 {name}").format(count=count, name=path.name),
        )

    # ---- display -------------------------------------------------------------------
    def _show_count(self, total: int) -> None:
        self.count_label.setText(self.tr("共 {count} 条").format(count=f"{total:,}"))
        self._show_empty_hint(total)

    def _show_empty_hint(self, total: int) -> None:
        if total:
            self.empty_label.hide()
            return
        # only an empty result needs the second count: no records at all, or none left
        # by the filters
        everything = RecordQuery(form_id=self._form_id, deleted=self._deleted)
        if self._service.count(everything):
            text = self.tr("没有符合条件的记录")
        elif self._deleted:
            text = self.tr("回收站是空的")
        else:
            text = self.tr("还没有记录，按 Ctrl+N 新建")
        self.empty_label.setText(text)
        self.empty_label.show()

    def _update_buttons(self) -> None:
        has_selection = self.current_record_id() is not None
        for button in (self.edit_button, self.delete_button, self.restore_button):
            button.setEnabled(has_selection)

    def _fit_columns(self) -> None:
        """Each column fitted to its header and first page (at most MAX_COLUMN_WIDTH), or
        as wide as the clerk last dragged it; the stretch column then fills the rest."""
        # Measured once on the first page; re-measuring on every fetched page would
        # make scrolling a 100,000-row list stutter.
        header = self.table.horizontalHeader()
        saved = self._saved_widths()
        stretch = self.stretch_column()
        self._sizing_columns = True
        try:
            self.table.resizeColumnsToContents()
            for column, (_key, label) in enumerate(self.model.columns):
                fitted = min(header.sectionSize(column) + COLUMN_PADDING, MAX_COLUMN_WIDTH)
                if column == stretch:
                    self._stretch_min = saved.get(label, min(fitted, STRETCH_MIN_WIDTH))
                header.resizeSection(column, saved.get(label, fitted))
        finally:
            self._sizing_columns = False
        self._fill_width()

    def stretch_column(self) -> int:
        """The column that takes the spare width: the longest text among the list's
        columns, a part of the record's title first (问题描述, 名称, 信息名称), then the
        longest declared (max_length); the title in the 回收站."""
        if self._form is None:
            return 1  # 表单, 标题, 删除时间
        form = self._form
        keys = form.list_columns or tuple(f.key for f in form.fields[:6])
        titles = set(form.title_fields or (form.title_field,))
        texts = [
            (key in titles, form.field(key).max_length or 0, -i)
            for i, key in enumerate(keys)
            if form.field(key).type in TEXT_TYPES
        ]
        return -max(texts)[2] if texts else 0

    def _fill_width(self) -> None:
        header = self.table.horizontalHeader()
        stretch = self.stretch_column()
        others = sum(header.sectionSize(c) for c in range(self.model.columnCount()) if c != stretch)
        width = max(self._stretch_min, self.table.viewport().width() - others)
        if header.sectionSize(stretch) != width:
            self._sizing_columns = True
            try:
                header.resizeSection(stretch, width)
            finally:
                self._sizing_columns = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.table.viewport():
            self._fill_width()
        return super().eventFilter(watched, event)

    def _widths_key(self) -> str:
        return f"record_list/{self._form_id or 'recycle_bin'}/column_widths"

    def _saved_widths(self) -> dict[str, int]:
        raw = self._settings.value(self._widths_key(), "")
        try:
            saved = json.loads(raw) if isinstance(raw, str) and raw else {}
        except ValueError:  # a damaged settings file: fitted widths again
            return {}
        if not isinstance(saved, dict):
            return {}
        return {str(k): v for k, v in saved.items() if isinstance(v, int) and v > 0}

    def _column_dragged(self, column: int, _old: int, new: int) -> None:
        """The clerk dragged a column's edge: keep that width for this list (by header
        text), and let the stretch column take up the difference."""
        if self._sizing_columns or not 0 <= column < self.model.columnCount():
            return
        label = self.model.columns[column][1]
        saved = self._saved_widths()
        saved[label] = new
        self._settings.setValue(self._widths_key(), json.dumps(saved, ensure_ascii=False))
        if column == self.stretch_column():
            self._stretch_min = new  # wider than the window: the list scrolls sideways
        else:
            self._fill_width()


def _list_grid(service: RecordService, query: RecordQuery) -> PrintGrid:
    # openpyxl (through the list export) only when a list is printed or exported
    from gongkai_desktop.services.ledgers.list_export import list_grid

    return list_grid(service, query)
