"""A lazily paged table model over ``RecordService``: a list of 100,000 records opens at once.

The model holds only the pages of ``ListRow`` fetched so far. Qt asks for more through
``canFetchMore``/``fetchMore`` as the view scrolls (as Anki's browser table and calibre's
``db/view.py`` do), and sorting and filtering are new SQL queries, never Python sorts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRunnable,
    Qt,
    QThreadPool,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from gongkai_desktop.services.records.service import Cursor, ListRow, RecordQuery, RecordService

log = logging.getLogger(__name__)

PAGE_SIZE = 200
# F5 re-reads the list; up to this many rows already scrolled through are re-read in one
# query, so the clerk keeps their place without an unbounded reload. (A save changes
# only its own row: record_changed.)
REFRESH_KEEP_MAX = 600
# The named row styles of the form files (forms/schema.py ROW_STYLES): (text, background).
ROW_STYLE_COLOURS = {
    "red": ("#a8071a", "#fdecea"),
    "amber": ("#8a5300", "#fff4d6"),
}
# Cells longer than this get their full text as a tooltip (they are often elided).
_TOOLTIP_MIN_CHARS = 16

ModelIndex = QModelIndex | QPersistentModelIndex
Column = tuple[str, str]  # (sort key understood by RecordQuery, header text)


def recycle_bin_columns() -> list[Column]:
    """Columns of the 回收站, matching ``ListRow.cells`` for ``form_id=None, deleted=True``.

    ``RecordService.list_columns`` only knows one form's columns; the recycle bin lists
    every form with (表单, 标题, 删除时间), sorted by these real columns.
    """
    tr = QCoreApplication.translate
    return [
        ("form_id", tr("RecordTableModel", "表单")),
        ("title", tr("RecordTableModel", "标题")),
        ("deleted_at", tr("RecordTableModel", "删除时间")),
    ]


def columns_for(service: RecordService, form_id: str | None) -> list[Column]:
    return recycle_bin_columns() if form_id is None else service.list_columns(form_id)


class _PageSignals(QObject):
    loaded = Signal(int, object)  # generation, list[ListRow] (or a whole list: _Listing)
    failed = Signal(int, object)  # generation, the exception


_Listing = tuple[RecordQuery, int, list[ListRow]]  # a query, its count and first rows


class _PageTask(QRunnable):
    """Reads one page on a pool thread; never touches the model or a widget."""

    def __init__(self, fetch: Callable[[], Any], generation: int) -> None:
        super().__init__()
        self.fetch = fetch
        self.generation = generation
        self.signals = _PageSignals()  # created on the GUI thread: slots run there

    def run(self) -> None:
        try:
            rows = self.fetch()
        except Exception as exc:  # reported to the GUI thread, which logs it
            self.signals.failed.emit(self.generation, exc)
            return
        self.signals.loaded.emit(self.generation, rows)


class RecordTableModel(QAbstractTableModel):
    """Rows of one record list (a form's live records, or the 回收站)."""

    total_count_changed = Signal(int)  # records matching the query, loaded or not

    def __init__(
        self,
        service: RecordService,
        query: RecordQuery,
        parent: QObject | None = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._query = query
        self._page_size = page_size
        self._columns = columns_for(service, query.form_id)
        self._styles = self._row_styles(query.form_id)
        self._rows: list[ListRow] = []
        self._ids: set[str] = set()
        # where the next page starts: the last row read in the list's order (a row
        # changed or added in place since does not move it)
        self._cursor: Cursor | None = None
        self._total = 0
        # Set when a page comes back empty: the count can exceed what pages deliver (rows
        # deleted since counting; the service leaves out records of removed forms).
        self._exhausted = False
        # Background paging (see set_background_paging): the page being read, and a
        # counter that makes results of a query replaced meanwhile be dropped.
        self._pool: QThreadPool | None = None
        self._pending: _PageTask | None = None
        self._generation = 0
        self._wanted: RecordQuery | None = None  # being read by set_query_in_background
        self._load(query, page_size)

    # ---- public API ----------------------------------------------------------------
    @property
    def query(self) -> RecordQuery:
        return self._query

    @property
    def columns(self) -> list[Column]:
        return list(self._columns)

    @property
    def total_count(self) -> int:
        return self._total

    @property
    def wanted_query(self) -> RecordQuery:
        """The query asked for last: the one shown, or one being read in the background."""
        return self._wanted if self._wanted is not None else self._query

    def set_query(self, query: RecordQuery) -> None:
        """Show another filter or order: the list starts again at its first page."""
        self._load(query, self._page_size)

    def set_query_in_background(self, query: RecordQuery, limit: int | None = None) -> None:
        """``set_query`` with the count and the first page read on the pool thread (with
        background paging on; otherwise at once). The list shows the old rows until the
        new ones arrive; a query asked for meanwhile replaces this one.

        A search looks for words anywhere in every record's text: no index serves that,
        so at 100,000 records it reads them all (0.1–0.3 s), too long for a keystroke.
        """
        if self._pool is None:
            self.set_query(query)
            return
        self._generation += 1  # a page or a list still being read is dropped
        self._wanted = query
        rows = limit if limit is not None else self._page_size
        task = _PageTask(partial(self._read, query, rows), self._generation)
        task.signals.loaded.connect(self._listing_loaded)
        task.signals.failed.connect(self._listing_failed)
        self._pending = task
        self._pool.start(task)

    def refresh(self, in_background: bool = False) -> None:
        """Re-read the list, keeping (up to a limit) the rows already shown; with
        ``in_background`` (F5) on the pool thread, as ``set_query_in_background``."""
        limit = min(max(len(self._rows), self._page_size), REFRESH_KEEP_MAX)
        if in_background:
            self.set_query_in_background(self.wanted_query, limit)
        else:
            self._load(self.wanted_query, limit)

    def record_changed(self, record_id: str) -> None:
        """Record ``record_id`` was saved, deleted or restored: change its row in place.

        Two small queries (the record as a row of this list, and the count) instead of
        reading the list again. The row keeps its place even if the change moves it in
        the list's order (F5 re-sorts); a record not shown yet (new, restored, or further
        down) goes on top, where paging on will not show it twice; one that the list's
        filters now leave out (or that was deleted) goes away.
        """
        row = self._service.list_row(self._query, record_id)
        total = self._service.count(self._query)
        at = self.row_of(record_id)
        if at is not None and row is not None:
            self._rows[at] = row
            last = self.index(at, self.columnCount() - 1)
            self.dataChanged.emit(self.index(at, 0), last)
        elif at is not None:
            self.beginRemoveRows(QModelIndex(), at, at)
            del self._rows[at]
            self._ids.discard(record_id)
            self.endRemoveRows()
        elif row is not None:
            self.beginInsertRows(QModelIndex(), 0, 0)
            self._rows.insert(0, row)
            self._ids.add(record_id)
            self.endInsertRows()
        if total != self._total:
            self._total = total
            self.total_count_changed.emit(total)

    def set_background_paging(self, enabled: bool) -> None:
        """Read the pages the view asks for while scrolling on a pool thread.

        A page sorted by a form field (a JSON value) makes SQLite read every record of
        the form: about 0.2 s with 100,000 records, and more on a busy computer. Off
        the GUI thread the window keeps responding while it loads. Filtering, sorting
        and refreshing stay synchronous (one query of that cost, then a finished list).
        """
        if enabled and self._pool is None:
            # owned by the model: deleting the model waits for a page being read
            self._pool = QThreadPool(self)
            self._pool.setMaxThreadCount(1)
        elif not enabled:
            self._pool = None

    @property
    def is_fetching(self) -> bool:
        """A page is being read in the background."""
        return self._pending is not None

    def fetch_more_now(self) -> bool:
        """Read the next page on this thread (e.g. to find a record); False at the end."""
        if not self._can_fetch():
            return False
        self._pending = None  # a page still being read in the background is dropped
        self._generation += 1
        self._append(self._next_page_reader()())
        return True

    def record_id(self, row: int) -> str:
        return self._rows[row].id

    def list_row(self, row: int) -> ListRow:
        return self._rows[row]

    def row_of(self, record_id: str) -> int | None:
        """Row of a record among the rows loaded so far."""
        if record_id not in self._ids:
            return None
        return next((i for i, r in enumerate(self._rows) if r.id == record_id), None)

    def sort_column(self) -> int:
        """Column whose sort key the query uses, or -1 (e.g. a key not shown as a column)."""
        keys = [key for key, _label in self._columns]
        return keys.index(self._query.sort_key) if self._query.sort_key in keys else -1

    def sort_order(self) -> Qt.SortOrder:
        return (
            Qt.SortOrder.DescendingOrder if self._query.descending else Qt.SortOrder.AscendingOrder
        )

    def row_style(self, row: int) -> str | None:
        """The named style (form file's ``row_style``) of a row's state, if any."""
        state = self._rows[row].state
        return self._style_names.get(state) if state else None

    def _row_styles(self, form_id: str | None) -> dict[str, tuple[QBrush, QBrush]]:
        form = self._service.registry.forms.get(form_id) if form_id else None
        styles: dict[str, tuple[QBrush, QBrush]] = {}
        for state, name in form.row_style if form else ():
            text, background = ROW_STYLE_COLOURS[name]
            styles[state] = (QBrush(QColor(text)), QBrush(QColor(background)))
        self._style_names = dict(form.row_style) if form else {}
        return styles

    # ---- loading -------------------------------------------------------------------
    def _read(self, query: RecordQuery, limit: int) -> _Listing:
        total = self._service.count(query)
        return query, total, self._service.page(query, 0, limit) if total else []

    def _load(self, query: RecordQuery, limit: int) -> None:
        # Read first, then reset: if reading fails the model still shows the old list
        # and the error reaches the caller (the window shows it).
        self._show(*self._read(query, limit))

    def _listing_loaded(self, generation: int, listing: _Listing) -> None:
        if generation == self._generation:
            self._show(*listing)

    def _listing_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._pending = self._wanted = None
        log.error("载入记录列表失败", exc_info=error)

    def _show(self, query: RecordQuery, total: int, rows: list[ListRow]) -> None:
        columns = self._columns
        if query.form_id != self._query.form_id:
            columns = columns_for(self._service, query.form_id)
            self._styles = self._row_styles(query.form_id)
        self.beginResetModel()
        self._query, self._columns, self._total, self._rows = query, columns, total, rows
        self._ids = {r.id for r in rows}
        self._cursor = rows[-1].cursor if rows else None
        self._exhausted = not rows
        self._generation += 1  # a page still being read belongs to the old list
        self._pending = self._wanted = None
        self.endResetModel()
        self.total_count_changed.emit(total)

    # ---- Qt overrides --------------------------------------------------------------
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Unhandled roles return None, i.e. an invalid QVariant. That is the only value
        # meaning "not set" for CheckStateRole, SizeHintRole, DecorationRole and
        # ForegroundRole: a default-constructed value there would draw a checkbox, give
        # rows a (-1, -1) size or paint the text with an empty brush. Returning None *to*
        # Qt is also not what trips PySide6 6.12.0 on Python 3.11: measured there, Qt
        # calling a Python data() that returns None 256,000 times left
        # sys.getrefcount(None) unchanged, while each Python call of a void Qt method
        # (repaint(), setValue(), ...) dropped one reference. So only the pin
        # (<6.12 on Python 3.11) protects us; tests/gui/test_none_refcount.py guards it.
        if not index.isValid() or role not in _DATA_ROLES:
            return None
        row, column = index.row(), index.column()
        if row >= len(self._rows) or column >= len(self._columns):
            return None
        if role in _STYLE_ROLES:
            state = self._rows[row].state
            style = self._styles.get(state) if state else None
            if style is None:
                return None
            return style[0] if role == Qt.ItemDataRole.ForegroundRole else style[1]
        cells = self._rows[row].cells
        text = cells[column] if column < len(cells) else ""
        if role == Qt.ItemDataRole.ToolTipRole:
            return text if len(text) >= _TOOLTIP_MIN_CHARS else None
        return text

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None  # see data(): None is Qt's "not set"
        if orientation == Qt.Orientation.Horizontal:
            return self._columns[section][1] if 0 <= section < len(self._columns) else None
        return str(section + 1)

    def canFetchMore(self, parent: ModelIndex) -> bool:
        return not parent.isValid() and self._pending is None and self._can_fetch()

    def fetchMore(self, parent: ModelIndex) -> None:
        if not self.canFetchMore(parent):
            return
        if self._pool is None:
            self._append(self._next_page_reader()())
            return
        task = _PageTask(self._next_page_reader(), self._generation)
        task.signals.loaded.connect(self._page_loaded)
        task.signals.failed.connect(self._page_failed)
        self._pending = task  # also keeps the task and its signals alive until it reports
        self._pool.start(task)

    # ---- paging --------------------------------------------------------------------
    def _can_fetch(self) -> bool:
        return not self._exhausted and len(self._rows) < self._total

    def _next_page_reader(self) -> Callable[[], list[ListRow]]:
        """The read of the next page, with its arguments fixed now (it may run on a pool
        thread while the GUI thread goes on)."""
        # Continue after the last row read (keyset paging): page 500 of 100,000 records
        # costs what page 1 does, where an OFFSET would make SQLite sort and skip 99,800
        # rows.
        return partial(self._service.page, self._query, 0, self._page_size, after=self._cursor)

    def _append(self, rows: list[ListRow]) -> None:
        if not rows:
            self._exhausted = True
            return
        self._cursor = rows[-1].cursor
        # a row already shown (added or moved by record_changed) is not shown twice
        new = [r for r in rows if r.id not in self._ids]
        if not new:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
        self._rows.extend(new)
        self._ids.update(r.id for r in new)
        self.endInsertRows()

    def _page_loaded(self, generation: int, rows: list[ListRow]) -> None:
        if generation != self._generation:
            return  # read for a query or a list that has been replaced since
        self._pending = None
        self._append(rows)

    def _page_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._pending = None
        self._exhausted = True  # stop asking; the next refresh or filter starts again
        log.error("载入记录列表的下一页失败", exc_info=error)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Re-query in SQL by the column's sort key (the view calls this on a header click)."""
        if not 0 <= column < len(self._columns):
            return
        key = self._columns[column][0]
        descending = order == Qt.SortOrder.DescendingOrder
        wanted = self.wanted_query  # with a search still being read, if any
        if key == wanted.sort_key and descending == wanted.descending:
            return
        query = replace(wanted, sort_key=key, descending=descending)
        if key.startswith("site:"):
            # by the site's name: no index holds that order, SQLite looks up every
            # record's site and sorts them all, so off the GUI thread
            self.set_query_in_background(query)
        else:
            self.set_query(query)


_TEXT_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.AccessibleTextRole,
    }
)
_STYLE_ROLES = frozenset({Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole})
_DATA_ROLES = _TEXT_ROLES | _STYLE_ROLES
