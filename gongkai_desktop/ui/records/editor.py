"""The record editor, generated from a ``FormSpec``: nothing in here knows a field by name.

Sections become boxes the clerk can fold away by their header; their fields stand in two
columns when the editor is wide enough (long text, tables and photos across both), in one
otherwise. ``show_if`` hides fields and whole sections as the clerk types. The editor
opens at the size it was last closed at (per form, in QSettings like the lists' filters).
A record past its deadline (the form's ``deadline_state``, by the one overdue rule of
``domain.overdue``) shows a red banner. As they type, the form's declarations are
followed live: site pickers offer only the site types the other values allow, fields
with ``default_from`` follow their driver until the clerk changes them, computed
fields show their value. Validation is the core's: the editor sends what was typed to
``RecordService`` and shows each ``FieldError`` (cross-field rules too) under its field.

Computed deadlines (working days, counted in the office's holiday table read when the
editor opens) follow the dates as they are typed; what the count could not be sure of (a
year no calendar covers, a consultation still out) shows in amber under the field.

Linked records (打开 on a link field, and form actions such as 生成整改任务) open in a
child editor, window-modal over this one: the chain of open editors then stays one
stack, and when the child saves, this editor re-reads its links at once.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from PySide6.QtCore import QObject, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.domain.errors import (
    FieldError,
    GongkaiError,
    RecordNotFoundError,
    ValidationError,
)
from gongkai_desktop.domain.overdue import is_overdue
from gongkai_desktop.domain.workdays import WorkCalendar
from gongkai_desktop.forms.spec import ActionSpec, FieldSpec, SectionSpec
from gongkai_desktop.forms.values import (
    as_date,
    default_values,
    is_empty,
    preview_computed,
)
from gongkai_desktop.services.records.deadlines import is_workday_deadline
from gongkai_desktop.services.records.service import RecordQuery, RecordService, RecordView
from gongkai_desktop.services.records.writing import field_default
from gongkai_desktop.services.settings import load_settings
from gongkai_desktop.ui.errors import show_error
from gongkai_desktop.ui.fields import FieldEditor, create_editor, label_html, none_if_empty
from gongkai_desktop.ui.fields.widgets import RecordLinkEditor, SiteEditor, TextEditor
from gongkai_desktop.ui.style import BANNER_STYLE, ERROR_STYLE, HINT_STYLE, emphasise

# Marks a ``default_from`` field the clerk has set: it no longer follows its driver.
_EDITED = object()
# A deadline the clerk should double-check: amber, as the 工作台's due-soon lists.
WARNING_STYLE = (
    "color: #8a5a00; background: #fff4d6; border: 1px solid #f0d48a;"
    " border-radius: 3px; padding: 3px 6px;"
)
# Forms whose saved records can print notices (告知书) through ui.notice_dialog.
NOTICE_FORMS = ("disclosure_request",)
# From this editor width on, fields stand in two columns (on a 1366 laptop the default
# size is wide enough; a 720-pixel window keeps one column of readable inputs).
TWO_COLUMN_WIDTH = 1000
# Inputs that need the whole width: long text, tables of rows, photos.
WIDE_TYPES = frozenset({"multiline", "repeat", "photos"})
# The size a new editor opens at, shrunk to 90 % of the screen.
DEFAULT_SIZE = QSize(1200, 900)


def top_level_key(error: FieldError) -> str:
    """``progress[2].date`` belongs to the field ``progress``."""
    return error.field.split("[", 1)[0].split(".", 1)[0]


class FieldCell(QWidget):
    """One field's editor with its help text and, when there is one, its error beneath."""

    def __init__(self, editor: FieldEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(editor)
        if editor.spec.help:
            hint = QLabel(editor.spec.help)
            hint.setWordWrap(True)
            hint.setStyleSheet(HINT_STYLE)
            column.addWidget(hint)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setObjectName(f"error_{editor.spec.key}")
        self.error_label.hide()
        column.addWidget(self.error_label)
        self.warning_label = QLabel()
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet(WARNING_STYLE)
        self.warning_label.setObjectName(f"warning_{editor.spec.key}")
        self.warning_label.hide()
        column.addWidget(self.warning_label)
        editor.value_changed.connect(self.clear_error)

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    def clear_error(self) -> None:
        if self.error_label.isVisible() or self.error_label.text():
            self.error_label.clear()
            self.error_label.hide()

    @property
    def error_text(self) -> str:
        return self.error_label.text()

    def set_warnings(self, warnings: tuple[str, ...]) -> None:
        text = "\n".join(f"⚠ {w}" for w in warnings)
        if text != self.warning_label.text():
            self.warning_label.setText(text)
        self.warning_label.setVisible(bool(text))

    @property
    def warning_text(self) -> str:
        return self.warning_label.text() if self.warning_label.isVisibleTo(self) else ""


class SectionBox(QFrame):
    """One form section: a header button that folds it away, and its fields in a grid of
    one or two label-and-input columns; a wide input spans both columns."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("section_box")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 4, 8, 8)
        outer.setSpacing(4)
        self.header = QToolButton(self)
        self.header.setObjectName("section_header")
        self.header.setText(title)
        self.header.setCheckable(True)
        self.header.setChecked(True)
        self.header.setAutoRaise(True)
        # Tab goes from field to field, across sections, not through their headers
        self.header.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.header.setArrowType(Qt.ArrowType.DownArrow)
        self.header.setToolTip(self.tr("点击收起或展开本栏"))
        # a heading, not a pressed button (it is "checked" while the section is open)
        self.header.setStyleSheet("QToolButton { border: none; background: transparent; }")
        font = self.header.font()
        font.setBold(True)
        self.header.setFont(font)
        self.header.toggled.connect(self.set_expanded)
        outer.addWidget(self.header)
        self.body = QWidget(self)
        self.grid = QGridLayout(self.body)
        self.grid.setContentsMargins(4, 0, 0, 0)
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(8)
        outer.addWidget(self.body)
        self.columns = 1
        self._rows: list[tuple[str, QLabel, QWidget, bool]] = []  # key, label, cell, wide
        self._shown: set[str] = set()

    def add_field(self, key: str, label: QLabel, cell: QWidget, wide: bool) -> None:
        self._rows.append((key, label, cell, wide))
        self._shown.add(key)
        self._relayout()

    @property
    def expanded(self) -> bool:
        return self.header.isChecked()

    def set_expanded(self, expanded: bool) -> None:
        if self.header.isChecked() != expanded:
            self.header.setChecked(expanded)  # toggled() comes back here
            return
        self.header.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        focus = QApplication.focusWidget()
        if not expanded and focus is not None and self.body.isAncestorOf(focus):
            # else Qt hands the focus to the next field, and the page jumps to it
            focus.clearFocus()
        self.body.setVisible(expanded)

    def set_columns(self, columns: int) -> None:
        if columns != self.columns:
            self.columns = columns
            self._relayout()

    def show_fields(self, keys: Collection[str]) -> None:
        """Show exactly these of the section's fields; the rest close up."""
        shown = {key for key, *_rest in self._rows if key in keys}
        if shown != self._shown:
            self._shown = shown
            self._relayout()

    def is_shown(self, key: str) -> bool:
        return key in self._shown

    def _relayout(self) -> None:
        # a hidden field leaves no hole: the shown ones are placed again, in form order
        for _key, label, cell, _wide in self._rows:
            self.grid.removeWidget(label)
            self.grid.removeWidget(cell)
        row = col = 0
        top = Qt.AlignmentFlag.AlignTop
        for key, label, cell, wide in self._rows:
            shown = key in self._shown
            label.setVisible(shown)
            cell.setVisible(shown)
            if not shown:
                continue
            if wide or self.columns == 1:
                if col:
                    row, col = row + 1, 0
                self.grid.addWidget(label, row, 0, top)
                self.grid.addWidget(cell, row, 1, 1, 2 * self.columns - 1, top)
                row += 1
            else:
                self.grid.addWidget(label, row, 2 * col, top)
                self.grid.addWidget(cell, row, 2 * col + 1, top)
                row, col = (row + 1, 0) if col else (row, 1)
        for column in range(4):
            stretch = 1 if column % 2 and column < 2 * self.columns else 0
            self.grid.setColumnStretch(column, stretch)


class RecordEditor(QDialog):
    """New or existing record of one form; ``record_saved(id)`` after each save.

    ``initial_values``: a new record starts from these (a form action's pre-fill);
    ``link_from``: the record a form action started this one from, linked on saving.
    ``settings``: where the editor's size is remembered (default: the application's).
    """

    record_saved = Signal(str)
    # a record opened or started from this editor (打开, 生成整改任务) was saved
    related_record_saved = Signal(str)

    def __init__(
        self,
        service: RecordService,
        form_id: str,
        record_id: str | None = None,
        parent: QWidget | None = None,
        *,
        initial_values: Mapping[str, Any] | None = None,
        link_from: str | None = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings if settings is not None else QSettings()
        self.service = service
        self.form = service.registry.form(form_id)
        self.record_id = record_id
        self.initial_values = dict(initial_values or {})
        self.link_from = link_from
        self.version: int | None = None
        self.editors: dict[str, FieldEditor] = {}
        self.cells: dict[str, FieldCell] = {}
        self.groups: list[tuple[SectionSpec, SectionBox, QGridLayout]] = []
        self.columns = 1
        self.labels: list[QLabel] = []
        self.action_buttons: dict[str, QPushButton] = {}
        self.child_editor: RecordEditor | None = None
        self._baseline: dict[str, Any] = {}
        self._stored: dict[str, Any] = {}  # the record as last read or saved
        # per default_from field: the raw value it was last given automatically
        self._auto_defaults: dict[str, Any] = {}
        self._static_defaults = default_values(self.form)
        self._refreshing = False
        self._deadline_keys = [f.key for f in self.form.fields if is_workday_deadline(f)]
        self.calendar = self._read_calendar()
        self.setObjectName("RecordEditor")
        self.setSizeGripEnabled(True)
        self._build()
        self._load()

    # ---- construction -------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 12, 14, 12)
        self.heading = QLabel()
        emphasise(self.heading, 1.25)
        outer.addWidget(self.heading)
        self.info_label = QLabel()
        self.info_label.setStyleSheet(HINT_STYLE)
        self.info_label.setWordWrap(True)
        outer.addWidget(self.info_label)
        self._error_counts: dict[str, int] = {}  # field -> errors shown under it
        self._loose_errors: list[str] = []  # errors of no shown field, in the banner
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setObjectName("error_banner")
        self.banner.hide()
        outer.addWidget(self.banner)
        # past the deadline (the form's deadline_state): red, above everything to fill in
        self.overdue_banner = QLabel()
        self.overdue_banner.setWordWrap(True)
        self.overdue_banner.setObjectName("overdue_banner")
        self.overdue_banner.setStyleSheet(BANNER_STYLE)
        self.overdue_banner.hide()
        outer.addWidget(self.overdue_banner)

        self.tabs = QTabWidget()
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(4, 4, 12, 4)
        body_layout.setSpacing(10)
        for section in self.form.sections:
            body_layout.addWidget(self._section_box(section))
        body_layout.addStretch(1)
        # one label column width for every section, so the inputs line up down the page
        label_width = max((label.sizeHint().width() for label in self.labels), default=0)
        for label in self.labels:
            label.setMinimumWidth(label_width)
        self.scroll_area.setWidget(body)
        self.tabs.addTab(self.scroll_area, self.tr("填写"))
        self.history_table = QTableWidget(0, 6)
        self.history_table.setHorizontalHeaderLabels(
            [self.tr("时间"), self.tr("填表人"), self.tr("操作"), self.tr("字段"),
             self.tr("原值"), self.tr("新值")]
        )  # fmt: skip
        self.history_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history_table.setAlternatingRowColors(True)
        self.history_table.verticalHeader().hide()
        header = self.history_table.horizontalHeader()
        for col in range(4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.history_index = self.tabs.addTab(self.history_table, self.tr("修改记录"))
        outer.addWidget(self.tabs, 1)

        # Installed before it is filled, so each button is the dialog's child from the
        # start: PySide6 6.12.0 leaves widgets of a row added later with addLayout owned by
        # Python, deleted by the row's wrapper in the middle of the layout's destructor.
        buttons = QHBoxLayout()
        outer.addLayout(buttons)
        self.copy_previous_button = QPushButton(self.tr("复制上一条"))
        self.copy_previous_button.setToolTip(
            self.tr("用最近一条{0}的内容填写本条（日期为今天；照片、编号和关联记录不复制）").format(
                self.form.title
            )
        )
        self.copy_previous_button.clicked.connect(self.copy_previous)
        buttons.addWidget(self.copy_previous_button)
        for action in self.form.actions:
            button = QPushButton(action.label)  # the label is the form file's, like field labels
            button.setObjectName(f"action_{action.id}")
            button.clicked.connect(lambda _checked=False, a=action: self.run_action(a))
            buttons.addWidget(button)
            self.action_buttons[action.id] = button
        self.notice_button = QPushButton(self.tr("生成文书"))
        self.notice_button.setObjectName("notice_button")
        self.notice_button.setToolTip(self.tr("用本条记录生成告知书等文书，可预览、打印和导出"))
        self.notice_button.clicked.connect(self.open_notices)
        self.notice_button.hide()
        buttons.addWidget(self.notice_button)
        self.required_note = QLabel(self.tr("带 * 的为必填项"))
        self.required_note.setStyleSheet(HINT_STYLE)
        buttons.addWidget(self.required_note)
        buttons.addStretch(1)
        self.save_new_button = QPushButton(self.tr("保存并新建"))
        self.save_new_button.setToolTip(self.tr("保存这条记录，然后接着填写下一条"))
        self.save_button = QPushButton(self.tr("保存 (Ctrl+S)"))
        self.close_button = QPushButton(self.tr("关闭"))
        for button in (self.save_new_button, self.save_button, self.close_button):
            buttons.addWidget(button)
        # Each widget goes into the row once: a second addWidget of one already there
        # leaves a second layout item whose pointer dangles once the widget is deleted
        # (with PySide6 6.12.0 that happens before the row's items are: a segfault).
        for button in (
            self.copy_previous_button,
            *self.action_buttons.values(),
            self.notice_button,
            self.save_new_button,
            self.save_button,
            self.close_button,
        ):
            button.setAutoDefault(False)  # Enter in a field must not save the record
        self.save_new_button.clicked.connect(self.save_and_new)
        self.save_button.clicked.connect(self.save_and_close)
        self.close_button.clicked.connect(self.reject)
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        shortcut.activated.connect(self.save_and_close)
        self._load_name_suggestions()
        self._size_to_screen()

    def _section_box(self, section: SectionSpec) -> SectionBox:
        box = SectionBox(section.title)
        box.setObjectName(f"section_{len(self.groups)}")
        row_height = QLineEdit().sizeHint().height() + 4  # one line of input, with some slack
        for spec in section.fields:
            editor = create_editor(spec, self.service)
            cell = FieldCell(editor)
            label = QLabel(label_html(spec))
            label.setBuddy(editor.focus_target())
            label.setToolTip(spec.help)
            # level with the input, not centred over the help and error text beneath it;
            # beside a tall input (several lines, a table) level with its first line
            input_height = min(editor.sizeHint().height(), row_height)
            label.setFixedHeight(max(input_height, label.sizeHint().height()))
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            box.add_field(spec.key, label, cell, wide=spec.type in WIDE_TYPES)
            self.labels.append(label)
            editor.value_changed.connect(self._value_changed)
            if isinstance(editor, RecordLinkEditor):
                editor.open_requested.connect(self.open_linked_record)
            self.editors[spec.key] = editor
            self.cells[spec.key] = cell
        self.groups.append((section, box, box.grid))
        return box

    def _size_key(self) -> str:
        return f"record_editor/{self.form.id}/size"

    def _size_to_screen(self) -> None:
        """The size this form's editor was last closed at, else the default; never more
        than 90 % of the screen (a size kept from a larger monitor must fit this one)."""
        saved = self._settings.value(self._size_key())
        size = saved if isinstance(saved, QSize) and saved.isValid() else DEFAULT_SIZE
        width, height = size.width(), size.height()
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None:
            width = min(width, int(screen.width() * 0.9))
            height = min(height, int(screen.height() * 0.9))
        self.resize(width, height)
        self._set_columns()

    def _set_columns(self) -> None:
        columns = 2 if self.width() >= TWO_COLUMN_WIDTH else 1
        if columns != self.columns:
            self.columns = columns
            for _section, box, _grid in self.groups:
                box.set_columns(columns)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._set_columns()

    def done(self, result: int) -> None:
        """Every way of closing (保存, 关闭, Esc, the window's ×) comes here: the size
        the clerk gave this form's editor is kept for the next one."""
        self._settings.setValue(self._size_key(), self.size())
        super().done(result)

    # ---- loading ------------------------------------------------------------------------
    def _read_calendar(self) -> WorkCalendar:
        """The office's calendar for the deadlines shown while typing (saving counts in
        the table as it is then)."""
        if not self._deadline_keys:
            return WorkCalendar()
        try:
            return self.service.calendar()
        except GongkaiError:  # the table refused: the national calendar still counts
            return WorkCalendar()

    def _load(self) -> None:
        view: RecordView | None = None
        if self.record_id is not None:
            view = self.service.get(self.record_id)
            values = view.values
            self.version = view.version
        else:
            values = default_values(self.form)
            self.version = None
        self._stored = dict(values)
        self._set_values(values)
        # a pre-filled new record is already a change: closing it asks before losing it
        self._baseline = self.raw_values()
        if view is None and (self.initial_values or self.link_from):
            start = {**values, **self.initial_values}
            link = self._link_to_source()
            if link is not None:  # shown now; the core stores it when the record is saved
                start[link.key] = self.link_from
            self._set_values(start)
        for cell in self.cells.values():
            cell.clear_error()
        self._hide_banner()
        self._show_saved_state(view)
        self.tabs.setCurrentIndex(0)
        first = next((e for e in self.editors.values() if not e.spec.readonly), None)
        if view is None and self.initial_values:
            # pre-filled: straight to what is still missing (a task's 整改时限)
            missing = [
                e
                for e in self.editors.values()
                if e.spec.required and none_if_empty(e.value()) is None
            ]
            first = next(iter(missing), first)
        if first is not None:
            first.focus_target().setFocus()  # the clerk can start typing at once

    def _link_to_source(self) -> FieldSpec | None:
        """The link field that will point at ``link_from`` once this record is saved."""
        if self.link_from is None:
            return None
        try:
            source_form = self.service.get(self.link_from).form_id
        except RecordNotFoundError:  # gone meanwhile: saving will say so
            return None
        return self.form.link_field(source_form)

    def _set_values(self, values: Mapping[str, Any]) -> None:
        """Put stored values into every editor, then bring the live parts up to date."""
        self._refreshing = True  # one refresh at the end, not one per field
        try:
            for key, editor in self.editors.items():
                editor.set_value(values.get(key))
            self._mark_defaults(values)
        finally:
            self._refreshing = False
        self._refresh_live()

    def _show_saved_state(self, view: RecordView | None) -> None:
        """Header, history and the buttons that depend on the record being saved."""
        self._show_header(view)
        self.tabs.setTabEnabled(self.history_index, view is not None)
        self.refresh_history()
        plain_new = view is None and not self.initial_values and self.link_from is None
        # "save and new" would start an unlinked record after a linked one
        self.save_new_button.setVisible(view is None and self.link_from is None)
        self.notice_button.setVisible(view is not None and self.form.id in NOTICE_FORMS)
        self.copy_previous_button.setVisible(plain_new)
        if plain_new:
            has_previous = self.service.count(RecordQuery(form_id=self.form.id)) > 0
            self.copy_previous_button.setEnabled(has_previous)
        self._update_actions(self._condition_values())

    def _show_header(self, view: RecordView | None) -> None:
        if view is None:
            self.setWindowTitle(self.tr("新建{0}").format(self.form.title))
            self.heading.setText(self.tr("新建{0}").format(self.form.title))
            self.info_label.setText(self.tr("填写后按 Ctrl+S 保存。"))
            return
        title = view.title or self.form.title
        self.setWindowTitle(self.tr("{0} — {1}").format(self.form.title, title))
        self.heading.setText(title)
        info = self.tr("{0} · 创建于 {1} · 最后修改 {2} · 第 {3} 版").format(
            self.form.title,
            view.created_at.strftime("%Y-%m-%d %H:%M"),
            view.updated_at.strftime("%Y-%m-%d %H:%M"),
            view.version,
        )
        # the 填表人 of 设置, never the computer's login name (a record made before the
        # 填表人 was set has the login as its author); 修改记录 keeps who did what
        filler = load_settings(self.service.ctx)["filler"]
        if filler:
            info += self.tr(" · 填表人 {0}").format(filler)
        self.info_label.setText(info)

    def refresh_history(self) -> None:
        entries = self.service.history(self.record_id) if self.record_id else []
        self.history_table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            cells = (
                entry.at.strftime("%Y-%m-%d %H:%M:%S"),
                entry.who,
                entry.action,
                entry.field,
                entry.old,
                entry.new,
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.history_table.setItem(row, col, item)

    # ---- values and visibility ----------------------------------------------------------
    def raw_values(self) -> dict[str, Any]:
        """What the clerk entered, keyed by field; empty inputs are ``None`` (clear)."""
        return {
            spec.key: none_if_empty(self.editors[spec.key].value())
            for spec in self.form.fields
            if not spec.readonly
        }

    def is_dirty(self) -> bool:
        return self.raw_values() != self._baseline

    def set_field_value(self, key: str, value: Any) -> None:
        """Programmatic entry (self-test, tests): as if the clerk had typed it."""
        self.editors[key].set_value(value)

    def _condition_values(self) -> dict[str, Any]:
        """What the clerk has entered, as ``show_if`` and the form's mappings read it."""
        return {key: editor.condition_value() for key, editor in self.editors.items()}

    def _value_changed(self) -> None:
        if not self._refreshing:
            self._refresh_live()
        if self._error_counts:  # an edit clears its field's red text: recount
            self._show_error_banner()

    def _refresh_live(self) -> None:
        """Follow the form's declarations after an edit: dependent defaults, visibility,
        site choices, computed values, action buttons."""
        self._refreshing = True  # the editors changed here must not start another round
        try:
            # a default or a re-filtered site may itself drive another field: a second
            # round settles that (the forms nest no deeper)
            for _round in range(3):
                before = self._condition_values()
                self._apply_dependent_defaults(before)
                current = self._condition_values()
                self._update_visibility(current)
                self._update_site_choices(current)
                self._update_computed(current)
                if self._condition_values() == before:
                    break
            self._update_overdue(current)
            self._update_actions(current)
            self._update_link_buttons()
        finally:
            self._refreshing = False

    # ---- dependent defaults -------------------------------------------------------------
    def _default_for(self, spec: FieldSpec, values: Mapping[str, Any]) -> Any:
        """The default of a ``default_from`` field given the other values: the mapped
        one, else the field's plain default (e.g. 每月 again after 医疗机构 is undone)."""
        return field_default(spec, values, static=self._static_defaults)

    def _mark_defaults(self, values: Mapping[str, Any]) -> None:
        """After loading: a field that holds its default keeps following its driver; one
        with any other value was set by the clerk and is left alone."""
        self._auto_defaults = {}
        for spec in self.form.fields:
            if spec.default_from is None or spec.readonly:
                continue
            expected, value = self._default_for(spec, values), values.get(spec.key)
            if value == expected or (is_empty(value) and is_empty(expected)):
                self._auto_defaults[spec.key] = self.editors[spec.key].value()
            else:
                self._auto_defaults[spec.key] = _EDITED

    def _apply_dependent_defaults(self, current: Mapping[str, Any]) -> None:
        for spec in self.form.fields:
            if spec.key not in self._auto_defaults:
                continue
            editor = self.editors[spec.key]
            if editor.value() != self._auto_defaults[spec.key]:
                self._auto_defaults[spec.key] = _EDITED  # the clerk's own value stays
                continue
            wanted = self._default_for(spec, current)
            editor.set_value(wanted)
            self._auto_defaults[spec.key] = editor.value()

    # ---- live parts ---------------------------------------------------------------------
    def _update_site_choices(self, current: Mapping[str, Any]) -> None:
        for spec in self.form.fields:
            editor = self.editors[spec.key]
            if isinstance(editor, SiteEditor):
                editor.set_site_types(self.form.allowed_site_types(spec, current))

    def _update_computed(self, current: Mapping[str, Any]) -> None:
        for spec in self.form.fields:
            if spec.computed:
                value = preview_computed(self.form, spec, current, self.calendar)
                self.editors[spec.key].set_value(value)
        if self._deadline_keys:
            warnings = self.service.deadline_warnings(self.form.id, current, self.calendar)
            for key in self._deadline_keys:
                self.cells[key].set_warnings(warnings.get(key, ()))

    def _update_overdue(self, current: Mapping[str, Any]) -> None:
        """The red banner of a record past its deadline, as the list's 逾期 column says it
        (``domain.overdue.is_overdue`` as of today), following the dates as typed."""
        state = self.form.deadline_state
        due = as_date(current.get(state.due)) if state is not None else None
        if state is None or due is None:
            self.overdue_banner.hide()
            return
        done = as_date(current.get(state.done))
        today = date.today()
        if not is_overdue(due, done, today):
            self.overdue_banner.hide()
            return
        due_label = self.form.field(state.due).label
        done_label = self.form.field(state.done).label
        if done is not None and done <= today:
            text = self.tr("逾期：{done_label} {done} 晚于{due_label} {due}（晚 {days} 天）")
            days = (done - due).days
        else:
            text = self.tr("已逾期 {days} 天：{due_label} {due} 已过")
            if done is None:
                text += self.tr("，尚未填写{done_label}")
            days = (today - due).days
        self.overdue_banner.setText(
            text.format(
                due_label=due_label,
                due=due.isoformat(),
                done_label=done_label,
                done=done.isoformat() if done else "",
                days=days,
            )
        )
        self.overdue_banner.show()

    def field_warning(self, key: str) -> str:
        """The amber warning shown under a field ("" when there is none)."""
        return self.cells[key].warning_text

    def _update_actions(self, current: Mapping[str, Any]) -> None:
        """An action's button shows while the values meet its ``show_if`` (on a new
        record too: clicking saves it first, so the clerk need not close and reopen it);
        it is disabled while the record already links to a live result of it."""
        for action in self.form.actions:
            button = self.action_buttons[action.id]
            button.setVisible(action.show_if is None or action.show_if.holds(current))
            link = self.form.link_field(action.target)
            editor = self.editors.get(link.key) if link is not None else None
            done = isinstance(editor, RecordLinkEditor) and editor.live
            button.setEnabled(not done)
            if done and link is not None:
                button.setToolTip(
                    self.tr("已经生成，见“{0}”一栏（可点“打开”查看）").format(link.label)
                )
            else:
                target = self.service.registry.forms.get(action.target)
                button.setToolTip(
                    self.tr("新建一条{0}，填入本记录的内容，并与本记录互相关联").format(
                        target.title if target else action.target
                    )
                )

    def _open_record_ids(self) -> set[str]:
        """Records open in this editor and the editors beneath it."""
        ids: set[str] = set()
        widget: QObject | None = self
        while widget is not None:
            if isinstance(widget, RecordEditor):
                ids |= {i for i in (widget.record_id, widget.link_from) if i}
            widget = widget.parent()
        return ids

    def _update_link_buttons(self) -> None:
        # opening a record already open beneath would give two editors of one record
        open_ids = self._open_record_ids()
        for editor in self.editors.values():
            if isinstance(editor, RecordLinkEditor):
                editor.set_openable(editor.value() not in open_ids)

    def _update_visibility(self, current: Mapping[str, Any] | None = None) -> None:
        if current is None:
            current = self._condition_values()
        for section, box, _grid in self.groups:
            box.setVisible(section.show_if is None or section.show_if.holds(current))
            box.show_fields(
                [s.key for s in section.fields if s.show_if is None or s.show_if.holds(current)]
            )

    def is_field_shown(self, key: str) -> bool:
        """True when neither the field's nor its section's ``show_if`` hides it."""
        spec: FieldSpec = self.form.field(key)
        current = {k: editor.condition_value() for k, editor in self.editors.items()}
        return self.form.is_visible(spec, current)

    # ---- errors -------------------------------------------------------------------------
    def _show_banner(self, text: str, style: str = BANNER_STYLE) -> None:
        self.banner.setStyleSheet(style)
        self.banner.setText(text)
        self.banner.show()

    def _hide_banner(self) -> None:
        self._error_counts = {}
        self._loose_errors = []
        self.banner.clear()
        self.banner.hide()

    def _show_error_banner(self) -> None:
        """The count of what is still wrong: fields whose red text the clerk has not yet
        answered by an edit, plus errors no shown field carries."""
        remaining = sum(
            count for key, count in self._error_counts.items() if self.cells[key].error_text
        )
        remaining += len(self._loose_errors)
        if not remaining:
            self._hide_banner()
            return
        summary = self.tr("有 {0} 处需要修改，请按红字提示更正后再保存。").format(remaining)
        self._show_banner("\n".join([summary, *self._loose_errors]))

    def show_errors(self, errors: list[FieldError]) -> None:
        """Each error under its field; errors of no shown field go to the banner."""
        for cell in self.cells.values():
            cell.clear_error()
        by_key: dict[str, list[str]] = {}
        loose: list[str] = []
        for error in errors:
            key = top_level_key(error)
            if key in self.cells:
                text = error.message if error.field == key else str(error)
                by_key.setdefault(key, []).append(text)
            else:
                loose.append(str(error))
        for key, texts in by_key.items():
            self.cells[key].show_error("\n".join(texts))
        self._error_counts = {key: len(texts) for key, texts in by_key.items()}
        self._loose_errors = loose
        for _section, box, _grid in self.groups:  # a folded section with an error opens
            if any(box.is_shown(key) for key in by_key):
                box.set_expanded(True)
        self._show_error_banner()
        self.tabs.setCurrentIndex(0)
        first = next((k for k in self.editors if k in by_key), None)
        if first is not None:
            self.scroll_area.ensureWidgetVisible(self.cells[first], 50, 50)
            self.editors[first].focus_target().setFocus(Qt.FocusReason.OtherFocusReason)

    def field_error(self, key: str) -> str:
        return self.cells[key].error_text

    # ---- saving and closing -------------------------------------------------------------
    def save(self) -> bool:
        """Create or update the record; True when it was stored."""
        raw = self.raw_values()
        try:
            if self.record_id is None:
                view = self.service.create(self.form.id, raw, link_from=self.link_from)
            else:
                view = self.service.update(self.record_id, raw, expected_version=self.version)
        except ValidationError as err:
            self.show_errors(err.errors)
            return False
        except (GongkaiError, OSError) as exc:  # StaleRecordError, disk full: one message
            show_error(self, exc, self.tr("保存失败"))
            return False
        self.record_id = view.id
        self.version = view.version
        self._stored = dict(view.values)
        self._show_read_only(view)  # links and computed values as the core stored them
        self._baseline = self.raw_values()
        self._hide_banner()
        self._show_saved_state(view)
        self._load_name_suggestions()  # names typed in this record are offered next time
        self.record_saved.emit(view.id)
        return True

    def _show_read_only(self, view: RecordView) -> None:
        self._refreshing = True
        try:
            for spec in self.form.fields:
                if spec.readonly:
                    self.editors[spec.key].set_value(view.values.get(spec.key))
        finally:
            self._refreshing = False
        self._refresh_live()

    def _load_name_suggestions(self) -> None:
        for spec in self.form.fields:
            editor = self.editors[spec.key]
            if spec.type == "person" and isinstance(editor, TextEditor):
                editor.set_name_suggestions(self.service.remembered_names(self.form.id, spec.key))

    # ---- entry comfort ------------------------------------------------------------------
    def copy_previous(self) -> None:
        """复制上一条: start this new record from the newest one of the form."""
        if self.record_id is not None:
            return
        if self.is_dirty():
            answer = QMessageBox.question(
                self,
                self.tr("复制上一条"),
                self.tr("用上一条{0}的内容替换已经填写的内容吗？").format(self.form.title),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            values = self.service.previous_values(self.form.id)
        except GongkaiError as exc:  # the record gone or refused: anything else is a bug
            show_error(self, exc, self.tr("无法复制上一条"))
            return
        self._set_values(values)
        for cell in self.cells.values():
            cell.clear_error()
        self._hide_banner()
        self.info_label.setText(
            self.tr("已复制上一条{0}的内容，日期为今天。请按本次情况修改后保存。").format(
                self.form.title
            )
        )

    # ---- notices ------------------------------------------------------------------------
    def open_notices(self) -> None:
        """生成文书: notices are made from the stored record, so unsaved input is saved
        (or the clerk cancels) first."""
        if self.record_id is None:
            return
        if self.is_dirty():
            answer = QMessageBox.question(
                self,
                self.tr("生成文书"),
                self.tr("本记录有尚未保存的内容，需要先保存才能生成文书。\n现在保存吗？"),
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Save,
            )
            if answer != QMessageBox.StandardButton.Save or not self.save():
                return
        try:
            from gongkai_desktop.ui.notice_dialog import NoticeDialog  # written separately

            NoticeDialog(self.service.ctx, self.record_id, self).exec()
        except (GongkaiError, OSError) as exc:  # missing data, the .docx not writable
            show_error(self, exc, self.tr("无法生成文书"))

    # ---- linked records -----------------------------------------------------------------
    def run_action(self, action: ActionSpec) -> None:
        """A form action (生成整改任务): a new record of the target form, pre-filled from
        this one once it is saved, in a child editor; saving that links both records."""
        if self.record_id is None or self.is_dirty():
            # the pre-fill and the link are made from the stored record
            answer = QMessageBox.question(
                self,
                action.label,
                self.tr("本记录有尚未保存的内容，需要先保存才能{0}。\n现在保存吗？").format(
                    action.label
                ),
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Save,
            )
            if answer != QMessageBox.StandardButton.Save or not self.save():
                return
        if self.record_id is None:
            return
        try:
            target_form, values = self.service.prefill(action.id, self.record_id)
        except GongkaiError as exc:
            show_error(self, exc, self.tr("无法{0}").format(action.label))
            return
        self._open_child(target_form, None, initial_values=values, link_from=self.record_id)

    def open_linked_record(self, record_id: str) -> None:
        """打开 on a link field: the linked record in a child editor."""
        if record_id in self._open_record_ids():
            return
        try:
            form_id = self.service.get(record_id).form_id
        except GongkaiError as exc:
            show_error(self, exc, self.tr("无法打开记录"))
            return
        self._open_child(form_id, record_id)

    def _open_child(
        self,
        form_id: str,
        record_id: str | None,
        initial_values: Mapping[str, Any] | None = None,
        link_from: str | None = None,
    ) -> None:
        try:
            child = RecordEditor(
                self.service,
                form_id,
                record_id,
                parent=self,
                initial_values=initial_values,
                link_from=link_from,
            )
        except GongkaiError as exc:
            show_error(self, exc, self.tr("无法打开记录"))
            return
        child.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        child.record_saved.connect(self._related_saved)
        child.related_record_saved.connect(self._related_saved)
        child.finished.connect(lambda _result: self._child_finished(child))
        self.child_editor = child
        child.open()  # window-modal over this editor, without a nested event loop

    def _child_finished(self, child: RecordEditor) -> None:
        if self.child_editor is child:
            self.child_editor = None

    def _related_saved(self, record_id: str) -> None:
        """A record opened from here was saved: show its new title, and the link a form
        action has just made (that save also moved this record's version on)."""
        if self.record_id is not None:
            try:
                view = self.service.get(self.record_id)
            except GongkaiError as exc:
                show_error(self, exc)
                return
            editable = [f.key for f in self.form.fields if not f.readonly]
            # only the link changed: take the new version, or a later save is refused
            if all(view.values.get(k) == self._stored.get(k) for k in editable):
                self.version = view.version
                self._stored = dict(view.values)
            self._show_read_only(view)
            self._show_saved_state(view)
        else:
            self._refresh_live()  # titles of linked records may have changed
        self.related_record_saved.emit(record_id)

    def save_and_close(self) -> None:
        if self.save():
            self.accept()

    def save_and_new(self) -> None:
        if self.save():
            saved_title = self.service.get(self.record_id).title if self.record_id else ""
            self.record_id = None
            self._load()
            self.info_label.setText(
                self.tr("已保存“{0}”。现在可以填写下一条{1}。").format(saved_title, self.form.title)
            )

    def reject(self) -> None:
        """Esc, 关闭 and the window's close button: ask before unsaved input is lost."""
        if self.is_dirty():
            answer = QMessageBox.question(
                self,
                self.tr("尚未保存"),
                self.tr("“{0}”中有尚未保存的修改。\n要保存这些修改吗？").format(self.form.title),
                QMessageBox.StandardButton.Save
                | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer == QMessageBox.StandardButton.Save:
                self.save_and_close()
                return
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()
