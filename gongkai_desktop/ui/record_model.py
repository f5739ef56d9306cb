"""A lazily paged table model over ``RecordService``: a list of 100,000 records opens at once.

The model holds only the pages of ``ListRow`` fetched so far. Qt asks for more through
``canFetchMore``/``fetchMore`` as the view scrolls (as Anki's browser table and calibre's
``db/view.py`` do), and sorting and filtering are new SQL queries, never Python sorts.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from gongkai_desktop.data.repository import RecordQuery
from gongkai_desktop.services.records import ListRow, RecordService

PAGE_SIZE = 200
# After an edit the list is re-read; up to this many rows already scrolled through are
# re-read in one query, so the clerk keeps their place without an unbounded reload.
REFRESH_KEEP_MAX = 2000
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
        self._rows: list[ListRow] = []
        self._total = 0
        # Next SQL offset. Kept apart from len(_rows) because the service drops rows of
        # forms no longer defined, so a page may hold fewer rows than it consumed.
        self._offset = 0
        self._load(page_size)

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

    def set_query(self, query: RecordQuery) -> None:
        """Show another filter or order: the list starts again at its first page."""
        self.beginResetModel()
        if query.form_id != self._query.form_id:
            self._columns = columns_for(self._service, query.form_id)
        self._query = query
        self._load(self._page_size)
        self.endResetModel()
        self.total_count_changed.emit(self._total)

    def refresh(self) -> None:
        """Re-read after records changed, keeping (up to a limit) the rows already shown."""
        keep = min(max(len(self._rows), self._page_size), REFRESH_KEEP_MAX)
        self.beginResetModel()
        self._load(keep)
        self.endResetModel()
        self.total_count_changed.emit(self._total)

    def record_id(self, row: int) -> str:
        return self._rows[row].id

    def list_row(self, row: int) -> ListRow:
        return self._rows[row]

    def row_of(self, record_id: str) -> int | None:
        """Row of a record among the rows loaded so far."""
        return next((i for i, r in enumerate(self._rows) if r.id == record_id), None)

    def sort_column(self) -> int:
        """Column whose sort key the query uses, or -1 (e.g. a key not shown as a column)."""
        keys = [key for key, _label in self._columns]
        return keys.index(self._query.sort_key) if self._query.sort_key in keys else -1

    def sort_order(self) -> Qt.SortOrder:
        return (
            Qt.SortOrder.DescendingOrder if self._query.descending else Qt.SortOrder.AscendingOrder
        )

    # ---- loading -------------------------------------------------------------------
    def _load(self, limit: int) -> None:
        self._total = self._service.count(self._query)
        self._rows = self._service.page(self._query, 0, limit) if self._total else []
        self._offset = limit

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
        if not index.isValid() or role not in _TEXT_ROLES:
            return None
        row, column = index.row(), index.column()
        if row >= len(self._rows) or column >= len(self._columns):
            return None
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
        return not parent.isValid() and self._offset < self._total

    def fetchMore(self, parent: ModelIndex) -> None:
        if not self.canFetchMore(parent):
            return
        rows = self._service.page(self._query, self._offset, self._page_size)
        self._offset += self._page_size
        if not rows:
            # records were deleted since the count: nothing more to show
            self._offset = self._total
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Re-query in SQL by the column's sort key (the view calls this on a header click)."""
        if not 0 <= column < len(self._columns):
            return
        key = self._columns[column][0]
        descending = order == Qt.SortOrder.DescendingOrder
        if key == self._query.sort_key and descending == self._query.descending:
            return
        self.set_query(replace(self._query, sort_key=key, descending=descending))


_TEXT_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.AccessibleTextRole,
    }
)
