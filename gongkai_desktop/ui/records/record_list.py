"""One record list: search, date filter, sortable lazily paged table, and its buttons.

The page only *asks* for changes (``new_requested``, ``open_requested``,
``delete_requested``, ``restore_requested``); the main window does them through the
services and then calls ``record_changed()`` (or ``refresh()`` after many changes).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QDate,
    QModelIndex,
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
from gongkai_desktop.services.ledgers.list_export import export_list
from gongkai_desktop.services.records.service import RecordQuery, RecordService
from gongkai_desktop.ui.records.record_model import RecordTableModel
from gongkai_desktop.ui.style import HINT_STYLE, emphasise

# Typing a word fires one query when the clerk pauses, not one per keystroke.
SEARCH_DEBOUNCE_MS = 250
# Columns are fitted to their contents once, but never wider than this (long addresses
# would otherwise push the other columns off screen; the tooltip shows the full text).
MAX_COLUMN_WIDTH = 260
# Extra room beside the widest text so neighbouring columns do not run together.
COLUMN_PADDING = 16
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
        # where the chosen drop-down filters are remembered, per list
        self._settings = settings if settings is not None else QSettings()
        self._form_id = form_id
        self._deleted = deleted
        form = service.registry.form(form_id) if form_id is not None else None
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
    def _build_filter_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("search_edit")
        self.search_edit.setPlaceholderText(self.tr("搜索：输入名称、村、负责人等，空格分隔多个词"))
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
            combo.setMinimumContentsLength(FILTER_MIN_CHARS)
            combo.setToolTip(self.tr("按{label}筛选").format(label=spec.label))
            combo.addItem(self.tr("全部{label}").format(label=spec.label), None)
            for text, value in spec.options:
                combo.addItem(text, value)
            chosen = combo.findText(saved.get(spec.key, ""))
            if chosen > 0:
                combo.setCurrentIndex(chosen)
            combo.currentIndexChanged.connect(self._filter_changed)
            bar.addWidget(combo)
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
        return bar

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
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
        header = view.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
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
            row.addWidget(self.export_button)
        else:
            self.export_button.hide()
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
        return export_list(self._service, self.model.wanted_query, path)

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
        # Measured once on the first page; re-measuring on every fetched page would
        # make scrolling a 100,000-row list stutter.
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for column in range(self.model.columnCount()):
            width = header.sectionSize(column) + COLUMN_PADDING
            header.resizeSection(column, min(width, MAX_COLUMN_WIDTH))
