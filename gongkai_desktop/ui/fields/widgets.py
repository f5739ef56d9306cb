"""The editor widgets of the plain field types, built from a ``FieldSpec`` (the photos
editors are in ``photo``; ``ui.fields.create_editor`` picks the editor of a field).

Every editor offers the record editor the same three things: ``value()`` returns a raw
value that ``forms.values.coerce_record`` accepts (numbers and choices as typed, so
the core does all validation and its messages stay in one place), ``set_value()`` takes
a stored (canonical) value, and ``value_changed`` fires on every edit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import (
    QDate,
    QDateTime,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRegularExpression,
    Qt,
    QTime,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.domain.errors import RecordNotFoundError
from gongkai_desktop.forms.spec import FieldSpec
from gongkai_desktop.forms.values import display_value, is_empty
from gongkai_desktop.ui.fields.base import (
    CellEditorFactory,
    FieldEditor,
    RecordSource,
    SiteSource,
    none_if_empty,
)

# How names are separated in a person field (as RecordService.remembered_names splits them).
_NAME_SEPARATOR = re.compile(r"[、,，;；\s]")


def _name_head(text: str) -> str:
    """``张三、李`` → ``张三、``: what stays when the last name is completed."""
    cut = max((m.end() for m in _NAME_SEPARATOR.finditer(text)), default=0)
    return text[:cut]


class NameCompleter(QCompleter):
    """Completes the name after the last separator, so 张三、李 offers 李四 and
    choosing it gives 张三、李四 (a plain completer would match the whole text)."""

    def __init__(self, names: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(list(names), parent)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def splitPath(self, path: str) -> list[str]:
        return [path[len(_name_head(path)) :].strip()]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        name = super().pathFromIndex(index)
        widget = self.widget()
        text = widget.text() if isinstance(widget, QLineEdit) else ""
        return _name_head(text) + name


class TextEditor(FieldEditor):
    """text and person: one line, limited to the field's length."""

    def __init__(
        self, spec: FieldSpec, sites: SiteSource | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, sites, parent)
        self.edit = QLineEdit()
        if spec.max_length:
            self.edit.setMaxLength(spec.max_length)
        self.edit.textChanged.connect(self.value_changed)
        # a patterned value (a time, a phone number, a code) is short: a short input says so
        short = spec.type == "text" and spec.pattern is not None
        if short:
            self.edit.setMaximumWidth(260)
        self._add_main(self.edit, stretch=not short)

    def value(self) -> Any:
        return self.edit.text()

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if is_empty(value) else str(value))
        self.edit.setCursorPosition(0)  # a long value shows its beginning, not its end

    def set_name_suggestions(self, names: Sequence[str]) -> None:
        """Names typed before (person fields): offered as the clerk types each name."""
        # parented to the line edit, which deletes the completer it replaces
        self.edit.setCompleter(NameCompleter(names, self.edit))

    def focus_target(self) -> QWidget:
        return self.edit


class MultilineEditor(FieldEditor):
    def __init__(
        self, spec: FieldSpec, sites: SiteSource | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, sites, parent)
        self.edit = QPlainTextEdit()
        self.edit.setTabChangesFocus(True)  # Tab moves on through the form, as in a line edit
        line = self.edit.fontMetrics().lineSpacing()
        self.edit.setFixedHeight(line * 4 + 14)
        self.edit.textChanged.connect(self.value_changed)
        self._add_main(self.edit)

    def value(self) -> Any:
        return self.edit.toPlainText()

    def set_value(self, value: Any) -> None:
        self.edit.setPlainText("" if is_empty(value) else str(value))

    def focus_target(self) -> QWidget:
        return self.edit


class NumberEditor(FieldEditor):
    """integer and decimal: a line edit that only admits digits, so empty stays empty."""

    def __init__(
        self, spec: FieldSpec, sites: SiteSource | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, sites, parent)
        sign = "" if spec.min is not None and spec.min >= 0 else "[-+]?"
        if spec.type == "integer":
            pattern = rf"{sign}\d{{0,15}}"
        else:
            places = "" if spec.decimals is None else str(spec.decimals)
            pattern = rf"{sign}\d{{0,15}}(\.\d{{0,{places}}})?"
        self.edit = QLineEdit()
        self.edit.setValidator(QRegularExpressionValidator(QRegularExpression(pattern), self.edit))
        self.edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.edit.setMaximumWidth(180)
        self.edit.textChanged.connect(self.value_changed)
        self._add_main(self.edit, stretch=False)
        # the range as a tooltip: grey 0～100 in an empty box reads like a value
        hint = self._range_hint()
        if hint:
            tip = self.tr("可填范围：{0}").format(hint)
            self.edit.setToolTip("\n".join(t for t in (self.spec.help, tip) if t))

    def _range_hint(self) -> str:
        low, high = self.spec.min, self.spec.max
        if low is not None and high is not None:
            return self.tr("{0}～{1}").format(_number_text(low), _number_text(high))
        if low is not None:
            return self.tr("不小于{0}").format(_number_text(low))
        if high is not None:
            return self.tr("不大于{0}").format(_number_text(high))
        return ""

    def value(self) -> Any:
        return self.edit.text().strip()

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if is_empty(value) else _number_text(value))

    def focus_target(self) -> QWidget:
        return self.edit


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _CalendarPageOnShow(QObject):
    """An empty date shows the sentinel year; open the calendar on today's month instead."""

    def __init__(self, editor: DateEditor) -> None:
        super().__init__(editor)
        self.editor = editor

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and self.editor.is_blank():
            today = QDate.currentDate()
            self.editor.edit.calendarWidget().setCurrentPage(today.year(), today.month())
        return False


class _EmptyableDateTimeEdit(QDateTimeEdit):
    """A date(-time) edit whose minimum stands for "not filled in" (shown as 未填).

    Typing a digit into an empty one first fills in today, so that typing
    20240506 gives 2024-05-06 instead of being appended to the word 未填.
    """

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.dateTime() == self.minimumDateTime() and event.text().isdigit():
            now = QDateTime.currentDateTime()
            self.setDateTime(QDateTime(now.date(), QTime(now.time().hour(), 0)))
            self.setSelectedSection(QDateTimeEdit.Section.YearSection)
        super().keyPressEvent(event)


class DateEditor(FieldEditor):
    """date and datetime: calendar popup, 未填 when empty, a button to empty it again."""

    SENTINEL = QDate(1900, 1, 1)

    def __init__(
        self, spec: FieldSpec, sites: SiteSource | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, sites, parent)
        self.with_time = spec.type == "datetime"
        self.edit = _EmptyableDateTimeEdit()
        self.edit.setDisplayFormat("yyyy-MM-dd HH:mm" if self.with_time else "yyyy-MM-dd")
        self.edit.setCalendarPopup(True)
        self.edit.setMinimumDateTime(QDateTime(self.SENTINEL, QTime(0, 0)))
        self.edit.setMaximumDate(QDate(2100, 12, 31))
        self.edit.setSpecialValueText(self.tr("未填"))
        self.edit.setMinimumWidth(170 if self.with_time else 130)
        self.edit.calendarWidget().installEventFilter(_CalendarPageOnShow(self))
        self.edit.dateTimeChanged.connect(self._changed)
        self.clear_button = QToolButton()
        self.clear_button.setText(self.tr("清空"))
        self.clear_button.setToolTip(self.tr("清空{0}").format(spec.label))
        self.clear_button.clicked.connect(self.clear)
        self._add_main(self.edit, stretch=False)
        self.row.insertWidget(1, self.clear_button)
        self.clear()

    def is_blank(self) -> bool:
        return self.edit.dateTime() == self.edit.minimumDateTime()

    def clear(self) -> None:
        self.edit.setDateTime(self.edit.minimumDateTime())

    def _changed(self) -> None:
        self.clear_button.setEnabled(not self.is_blank())
        self.value_changed.emit()

    def value(self) -> Any:
        if self.is_blank():
            return None
        if self.with_time:
            return self.edit.dateTime().toString("yyyy-MM-ddTHH:mm")
        return self.edit.date().toString("yyyy-MM-dd")

    def set_value(self, value: Any) -> None:
        if is_empty(value):
            self.clear()
            return
        try:
            if self.with_time:
                moment = datetime.fromisoformat(str(value))
                self.edit.setDateTime(
                    QDateTime(
                        QDate(moment.year, moment.month, moment.day),
                        QTime(moment.hour, moment.minute, moment.second),
                    )
                )
            else:
                day = date.fromisoformat(str(value)[:10])
                self.edit.setDate(QDate(day.year, day.month, day.day))
        except ValueError:
            self.clear()  # a malformed stored value: the check command reports it

    def focus_target(self) -> QWidget:
        return self.edit


class BooleanEditor(FieldEditor):
    """是 / 否 / 未填: a tri-state combo, because "not answered" must stay distinct from 否."""

    def __init__(
        self, spec: FieldSpec, sites: SiteSource | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, sites, parent)
        self.combo = QComboBox()
        self.combo.addItem(self.tr("未填"), None)
        self.combo.addItem(self.tr("是"), True)
        self.combo.addItem(self.tr("否"), False)
        self.combo.setMinimumWidth(100)
        self.combo.currentIndexChanged.connect(self.value_changed)
        self._add_main(self.combo, stretch=False)

    def value(self) -> Any:
        return self.combo.currentData()

    def set_value(self, value: Any) -> None:
        if isinstance(value, str):
            value = {"是": True, "true": True, "否": False, "false": False}.get(value.strip())
        index = {True: 1, False: 2}.get(value, 0) if isinstance(value, bool) else 0
        self.combo.setCurrentIndex(index)

    def focus_target(self) -> QWidget:
        return self.combo


def _searchable_combo(items: Sequence[tuple[str, Any]], width: int) -> QComboBox:
    """Editable combo with an empty first entry; typing filters its items (contains)."""
    combo = QComboBox()
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.addItem("", None)
    for text, data in items:
        combo.addItem(text, data)
    combo.setMaxVisibleItems(15)
    completer = QCompleter(combo.model(), combo)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    combo.setCompleter(completer)
    combo.setMinimumWidth(width)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return combo


def _line_edit(combo: QComboBox) -> QLineEdit:
    """The text box of an editable combo (Qt gives every editable combo one)."""
    edit = combo.lineEdit()
    assert edit is not None
    return edit


class ChoiceEditor(FieldEditor):
    """One of a list; type to search. Free text is passed on so the core names the problem."""

    def __init__(
        self, spec: FieldSpec, sites: SiteSource | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, sites, parent)
        self.combo = _searchable_combo([(c, c) for c in spec.choices], 220)
        _line_edit(self.combo).setPlaceholderText(self.tr("请选择或输入查找"))
        self.combo.currentTextChanged.connect(self.value_changed)
        self._add_main(self.combo, stretch=False)

    def value(self) -> Any:
        return self.combo.currentText().strip()

    def set_value(self, value: Any) -> None:
        text = "" if is_empty(value) else str(value)
        index = self.combo.findText(text, Qt.MatchFlag.MatchExactly)
        if index >= 0:
            self.combo.setCurrentIndex(index)
        else:
            self.combo.setEditText(text)

    def condition_value(self) -> Any:
        text = self.value()
        return self.spec.choice_synonyms.get(text, text)

    def focus_target(self) -> QWidget:
        return self.combo


class MultiChoiceEditor(FieldEditor):
    """Several of a list: one check box per choice, in rows of four."""

    COLUMNS = 4

    def __init__(
        self, spec: FieldSpec, sites: SiteSource | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, sites, parent)
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(18)
        self.boxes: list[QCheckBox] = []
        for i, choice in enumerate(spec.choices):
            check = QCheckBox(choice)
            check.toggled.connect(self.value_changed)
            grid.addWidget(check, i // self.COLUMNS, i % self.COLUMNS)
            self.boxes.append(check)
        self._add_main(box, stretch=False)

    def value(self) -> Any:
        return [b.text() for b in self.boxes if b.isChecked()]

    def set_value(self, value: Any) -> None:
        if isinstance(value, str):
            value = [v.strip() for v in value.replace("，", "、").replace(",", "、").split("、")]
        chosen = set(value or [])
        chosen |= {self.spec.choice_synonyms[v] for v in chosen if v in self.spec.choice_synonyms}
        for check in self.boxes:
            check.setChecked(check.text() in chosen)

    def focus_target(self) -> QWidget:
        return self.boxes[0] if self.boxes else self


class SiteEditor(FieldEditor):
    """A supervised site: type to search by name; the value is the site's id."""

    def __init__(
        self, spec: FieldSpec, sites: SiteSource | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, sites, parent)
        self.site_types: tuple[str, ...] = tuple(spec.site_types)
        items = self._items()
        self.combo = _searchable_combo(items, 300)
        self._show_placeholder(bool(items))
        self.combo.currentTextChanged.connect(self.value_changed)
        self._add_main(self.combo, stretch=False)

    def _items(self) -> list[tuple[str, str]]:
        choices = self.sites.site_choices(self.site_types) if self.sites is not None else []
        one_type = len(self.site_types) == 1
        return [(name if one_type else f"{name}（{kind}）", sid) for sid, name, kind in choices]

    def _show_placeholder(self, has_items: bool) -> None:
        if has_items or not self.site_types:
            text = self.tr("输入名称查找监管对象")
        else:  # an empty list must not look like a broken picker
            text = self.tr("尚无{0}类监管对象，请先在“监管对象”中登记").format(
                "、".join(self.site_types)
            )
        _line_edit(self.combo).setPlaceholderText(text)

    def set_site_types(self, site_types: Sequence[str]) -> None:
        """Offer only sites of these types (every site when empty), as the form's other
        values decide (an inspection's type). A chosen site that no longer fits stays
        chosen and marked, so that saving names the mismatch instead of losing it."""
        site_types = tuple(site_types)
        if site_types == self.site_types:
            return
        before = self.value()
        self.site_types = site_types
        items = self._items()
        self.combo.blockSignals(True)  # one value_changed below, not one per item
        try:
            self.combo.clear()
            self.combo.addItem("", None)
            for text, site_id in items:
                self.combo.addItem(text, site_id)
            if is_empty(before) or self.combo.findData(before) >= 0:
                self.set_value(before)
            elif self.sites is not None and before in self.sites.site_names([before]):
                self.set_value(before)  # a site id: shown as not selectable
            else:
                self.combo.setEditText(before)  # a name typed but not (yet) matched
        finally:
            self.combo.blockSignals(False)
        self._show_placeholder(bool(items))
        if self.value() != before:
            self.value_changed.emit()

    def value(self) -> Any:
        text = self.combo.currentText().strip()
        index = self.combo.findText(text, Qt.MatchFlag.MatchExactly)
        if text and index > 0:
            return self.combo.itemData(index)
        return text  # a bare name: the core resolves it or says why not

    def set_value(self, value: Any) -> None:
        if is_empty(value):
            self.combo.setCurrentIndex(0)
            return
        index = self.combo.findData(value)
        if index < 0:
            # deleted or of another type: still show what the record refers to
            name = self.sites.site_names([value]).get(value, value) if self.sites else value
            self.combo.addItem(self.tr("{0}（已删除或不可选）").format(name), value)
            index = self.combo.count() - 1
        self.combo.setCurrentIndex(index)

    def focus_target(self) -> QWidget:
        return self.combo


class RepeatEditor(FieldEditor):
    """Child rows: a small table whose cells are editors of the child fields, made by
    ``cell_editor`` (``ui.fields.create_cell_editor``: the registry knows every type)."""

    def __init__(
        self,
        spec: FieldSpec,
        sites: SiteSource | None = None,
        parent: QWidget | None = None,
        *,
        cell_editor: CellEditorFactory,
    ) -> None:
        super().__init__(spec, sites, parent)
        self.cell_editor = cell_editor
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, len(spec.fields))
        self.table.setHorizontalHeaderLabels(
            [c.label + (" *" if c.required else "") for c in spec.fields]
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setMinimumSectionSize(90)
        # the first text column takes the spare width (progress notes are the long part)
        wide = next((i for i, c in enumerate(spec.fields) if c.type in ("text", "multiline")), None)
        header.setStretchLastSection(wide is None)
        for i, child in enumerate(spec.fields):
            header_item = self.table.horizontalHeaderItem(i)  # set by the labels above
            if child.help and header_item is not None:
                header_item.setToolTip(child.help)
            # other columns start narrow and grow to their editors as rows are added
            self.table.setColumnWidth(i, 200 if child.type in ("text", "multiline") else 90)
        if wide is not None:
            header.setSectionResizeMode(wide, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMinimumHeight(150)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(self.tr("添加一行"))
        self.remove_button = QPushButton(self.tr("删除所选行"))
        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_selected_row)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        column.addWidget(self.table)
        column.addLayout(buttons)
        self._add_main(box)

    def add_row(self, values: dict[str, Any] | None = None) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        height = 0
        for col, child in enumerate(self.spec.fields):
            editor = self.cell_editor(child, self.sites)
            editor.set_value((values or {}).get(child.key))
            editor.value_changed.connect(self.value_changed)
            self.table.setCellWidget(row, col, editor)
            height = max(height, editor.sizeHint().height())
            # a cell never clips its editor (a date with its 清空 button is wider than 140)
            if self.table.columnWidth(col) < editor.sizeHint().width() + 4:
                self.table.setColumnWidth(col, editor.sizeHint().width() + 4)
        self.table.setRowHeight(row, height + 6)
        self.value_changed.emit()

    def remove_selected_row(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self.value_changed.emit()

    def value(self) -> Any:
        rows = []
        for row in range(self.table.rowCount()):
            item: dict[str, Any] = {}
            for col, child in enumerate(self.spec.fields):
                editor = self.table.cellWidget(row, col)
                assert isinstance(editor, FieldEditor)
                cell = none_if_empty(editor.value())
                if cell is not None:
                    item[child.key] = cell
            if item:  # an untouched row is not a row
                rows.append(item)
        return rows or None

    def set_value(self, value: Any) -> None:
        self.table.setRowCount(0)
        for row in value if isinstance(value, list) else []:
            self.add_row(row if isinstance(row, dict) else {})
        self.value_changed.emit()

    def focus_target(self) -> QWidget:
        return self.table


class ReadOnlyEditor(FieldEditor):
    """Read-only and computed fields: shown, never sent back (the core keeps or computes them)."""

    def __init__(
        self, spec: FieldSpec, sites: SiteSource | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, sites, parent)
        self.stored: Any = None
        self.edit = QLineEdit()
        self.edit.setReadOnly(True)
        self.edit.setPlaceholderText(
            self.tr("根据填写的内容自动得出") if spec.computed else self.tr("（只读）")
        )
        self._add_main(self.edit)

    def value(self) -> Any:
        return self.stored

    def set_value(self, value: Any) -> None:
        self.stored = value
        names = self.sites.site_names([value]) if self.sites and self.spec.type == "site" else {}
        self.edit.setText(display_value(self.spec, value, names))

    def focus_target(self) -> QWidget:
        return self.edit


class RecordLinkEditor(FieldEditor):
    """A link to another record (type ``record``): its title and 打开. The core sets the
    link (生成整改任务 links both records), so it is shown, never typed or sent back."""

    open_requested = Signal(str)  # record id

    def __init__(
        self, spec: FieldSpec, sites: SiteSource | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, sites, parent)
        self.stored: str | None = None
        self.live = False  # the linked record exists and is not in the 回收站
        self.openable = True
        self.title_edit = QLineEdit()
        self.title_edit.setReadOnly(True)
        self.open_button = QPushButton(self.tr("打开"))
        self.open_button.setAutoDefault(False)  # Enter in a field must not open it
        self.open_button.setToolTip(self.tr("在新窗口中打开关联的记录"))
        self.open_button.clicked.connect(self._open)
        self._add_main(self.title_edit)
        self.row.addWidget(self.open_button)
        self._show()

    def _show(self) -> None:
        self.live = False
        if self.stored is None:
            text = self.tr("（无）")
        elif not isinstance(self.sites, RecordSource):
            text = self.stored
        else:
            try:
                view = self.sites.get(self.stored)
            except RecordNotFoundError:
                text = self.tr("（关联的记录已不存在）")
            else:
                text = view.title or self.stored
                if view.deleted:
                    text = self.tr("{0}（已删除，在回收站中）").format(text)
                else:
                    self.live = True
        self.title_edit.setText(text)
        self.title_edit.setCursorPosition(0)  # a long title shows its beginning
        self.title_edit.setToolTip(text)
        self.open_button.setEnabled(self.live and self.openable)

    def set_openable(self, openable: bool) -> None:
        """False when the linked record is already open in a window beneath this one."""
        self.openable = openable
        self.open_button.setEnabled(self.live and openable)
        self.open_button.setToolTip(
            self.tr("在新窗口中打开关联的记录")
            if openable
            else self.tr("这条记录已在下层窗口中打开，关闭本窗口即可回到它")
        )

    def _open(self) -> None:
        if self.stored is not None and self.live:
            self.open_requested.emit(self.stored)

    def value(self) -> Any:
        return self.stored

    def set_value(self, value: Any) -> None:
        self.stored = None if is_empty(value) else str(value)
        self._show()

    def focus_target(self) -> QWidget:
        return self.title_edit
