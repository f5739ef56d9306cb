"""The record editor, generated from a ``FormSpec``: nothing in here knows a field by name.

Sections become group boxes, fields become rows of a form layout, ``show_if`` hides
rows and whole sections as the clerk types. Validation is the core's: the editor sends
what was typed to ``RecordService`` and shows each ``FieldError`` under its field.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.domain.errors import FieldError, ValidationError
from gongkai_desktop.forms.spec import FieldSpec, SectionSpec
from gongkai_desktop.forms.values import default_values
from gongkai_desktop.services.records import RecordService, RecordView
from gongkai_desktop.ui.errors import show_error
from gongkai_desktop.ui.field_widgets import (
    FieldEditor,
    create_editor,
    label_html,
    none_if_empty,
)
from gongkai_desktop.ui.style import BANNER_STYLE, ERROR_STYLE, HINT_STYLE, emphasise


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


class RecordEditor(QDialog):
    """New or existing record of one form; ``record_saved(id)`` after each save."""

    record_saved = Signal(str)

    def __init__(
        self,
        service: RecordService,
        form_id: str,
        record_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.form = service.registry.form(form_id)
        self.record_id = record_id
        self.version: int | None = None
        self.editors: dict[str, FieldEditor] = {}
        self.cells: dict[str, FieldCell] = {}
        self.groups: list[tuple[SectionSpec, QGroupBox, QFormLayout]] = []
        self.labels: list[QLabel] = []
        self._baseline: dict[str, Any] = {}
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
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setObjectName("error_banner")
        self.banner.hide()
        outer.addWidget(self.banner)

        self.tabs = QTabWidget()
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
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
        self.scroll.setWidget(body)
        self.tabs.addTab(self.scroll, self.tr("填写"))
        self.history_table = QTableWidget(0, 6)
        self.history_table.setHorizontalHeaderLabels(
            [self.tr("时间"), self.tr("操作人"), self.tr("操作"), self.tr("字段"),
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

        buttons = QHBoxLayout()
        self.required_note = QLabel(self.tr("带 * 的为必填项"))
        self.required_note.setStyleSheet(HINT_STYLE)
        buttons.addWidget(self.required_note)
        buttons.addStretch(1)
        self.save_new_button = QPushButton(self.tr("保存并新建"))
        self.save_new_button.setToolTip(self.tr("保存这条记录，然后接着填写下一条"))
        self.save_button = QPushButton(self.tr("保存 (Ctrl+S)"))
        self.close_button = QPushButton(self.tr("关闭"))
        for button in (self.save_new_button, self.save_button, self.close_button):
            button.setAutoDefault(False)  # Enter in a field must not save the record
            buttons.addWidget(button)
        self.save_new_button.clicked.connect(self.save_and_new)
        self.save_button.clicked.connect(self.save_and_close)
        self.close_button.clicked.connect(self.reject)
        outer.addLayout(buttons)
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        shortcut.activated.connect(self.save_and_close)
        self._size_to_screen()

    def _section_box(self, section: SectionSpec) -> QGroupBox:
        box = QGroupBox(section.title)
        layout = QFormLayout(box)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        layout.setHorizontalSpacing(14)
        layout.setVerticalSpacing(8)
        for spec in section.fields:
            editor = create_editor(spec, self.service)
            cell = FieldCell(editor)
            label = QLabel(label_html(spec))
            label.setBuddy(editor.focus_target())
            label.setToolTip(spec.help)
            # level with the input, not centred over the help and error text beneath it
            label.setFixedHeight(max(editor.sizeHint().height(), label.sizeHint().height()))
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            layout.addRow(label, cell)
            self.labels.append(label)
            editor.value_changed.connect(self._value_changed)
            self.editors[spec.key] = editor
            self.cells[spec.key] = cell
        self.groups.append((section, box, layout))
        return box

    def _size_to_screen(self) -> None:
        width, height = 860, 780
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None:
            width = min(width, int(screen.width() * 0.9))
            height = min(height, int(screen.height() * 0.9))
        self.resize(width, height)

    # ---- loading ------------------------------------------------------------------------
    def _load(self) -> None:
        view: RecordView | None = None
        if self.record_id is not None:
            view = self.service.get(self.record_id)
            values = view.values
            self.version = view.version
        else:
            values = default_values(self.form)
            self.version = None
        for key, editor in self.editors.items():
            editor.set_value(values.get(key))
        for cell in self.cells.values():
            cell.clear_error()
        self._hide_banner()
        self._update_visibility()
        self._show_header(view)
        self.tabs.setTabEnabled(self.history_index, view is not None)
        self.tabs.setCurrentIndex(0)
        self.refresh_history()
        self._baseline = self.raw_values()
        self.save_new_button.setVisible(view is None)
        first = next((e for e in self.editors.values() if not e.spec.readonly), None)
        if first is not None:
            first.focus_target().setFocus()  # the clerk can start typing at once

    def _show_header(self, view: RecordView | None) -> None:
        if view is None:
            self.setWindowTitle(self.tr("新建{0}").format(self.form.title))
            self.heading.setText(self.tr("新建{0}").format(self.form.title))
            self.info_label.setText(self.tr("填写后按 Ctrl+S 保存。"))
            return
        title = view.title or self.form.title
        self.setWindowTitle(self.tr("{0} — {1}").format(self.form.title, title))
        self.heading.setText(title)
        info = self.tr("{0} · 创建于 {1}（{2}）· 最后修改 {3} · 第 {4} 版").format(
            self.form.title,
            view.created_at.strftime("%Y-%m-%d %H:%M"),
            view.author,
            view.updated_at.strftime("%Y-%m-%d %H:%M"),
            view.version,
        )
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

    def _value_changed(self) -> None:
        self._update_visibility()

    def _update_visibility(self) -> None:
        current = {key: editor.condition_value() for key, editor in self.editors.items()}
        for section, box, layout in self.groups:
            box.setVisible(section.show_if is None or section.show_if.holds(current))
            for spec in section.fields:
                shown = spec.show_if is None or spec.show_if.holds(current)
                layout.setRowVisible(self.cells[spec.key], shown)

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
        self.banner.clear()
        self.banner.hide()

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
        summary = self.tr("有 {0} 处需要修改，请按红字提示更正后再保存。").format(len(errors))
        self._show_banner("\n".join([summary, *loose]))
        self.tabs.setCurrentIndex(0)
        first = next((k for k in self.editors if k in by_key), None)
        if first is not None:
            self.scroll.ensureWidgetVisible(self.cells[first], 50, 50)
            self.editors[first].focus_target().setFocus(Qt.FocusReason.OtherFocusReason)

    def field_error(self, key: str) -> str:
        return self.cells[key].error_text

    # ---- saving and closing -------------------------------------------------------------
    def save(self) -> bool:
        """Create or update the record; True when it was stored."""
        raw = self.raw_values()
        try:
            if self.record_id is None:
                view = self.service.create(self.form.id, raw)
            else:
                view = self.service.update(self.record_id, raw, expected_version=self.version)
        except ValidationError as err:
            self.show_errors(err.errors)
            return False
        except Exception as exc:  # StaleRecordError, disk full, …: one readable message
            show_error(self, exc, self.tr("保存失败"))
            return False
        self.record_id = view.id
        self.version = view.version
        self._baseline = self.raw_values()
        self._hide_banner()
        self.record_saved.emit(view.id)
        return True

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
