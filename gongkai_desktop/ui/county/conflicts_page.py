"""冲突处理: records changed at the county since they were received and changed again by
their township. Each conflict is shown field by field (县级现值 / 乡镇报送值), the person
chooses per field, and 确认处理 writes the decision; nothing is overwritten before that."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.county.receive import ConflictView, list_conflicts, resolve_conflict
from gongkai_desktop.ui.errors import show_error
from gongkai_desktop.ui.style import HINT_STYLE, NOTE_STYLE, emphasise

KEEP_COUNTY, TAKE_TOWNSHIP = "county", "township"


def value_text(value: Any) -> str:
    """A stored value as the reviewer reads it."""
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        if all(isinstance(v, dict) and "file" in v for v in value):
            return "、".join(str(v.get("caption") or v.get("name") or "照片") for v in value)
        return "、".join(value_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class ConflictsPage(QWidget):
    resolved = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.conflicts: list[ConflictView] = []
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("冲突处理"))
        emphasise(title, 1.3)
        layout.addWidget(title)
        hint = QLabel(
            self.tr(
                "以下记录在县级改过之后，乡镇又报送了新的修改。请逐个字段选择保留县级值或采用乡镇报送值，"
                "确认后才写入；处理前县级数据保持不变。"
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT_STYLE)
        layout.addWidget(hint)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.list = QListWidget()
        self.list.currentRowChanged.connect(self._show)
        splitter.addWidget(self.list)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        right_layout.addWidget(self.heading)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(
            [self.tr("字段"), self.tr("县级现值"), self.tr("乡镇报送值"), self.tr("处理")]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        right_layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.all_township = QPushButton(self.tr("全部采用乡镇值"))
        self.all_township.clicked.connect(lambda: self._set_all(TAKE_TOWNSHIP))
        self.all_county = QPushButton(self.tr("全部保留县级值"))
        self.all_county.clicked.connect(lambda: self._set_all(KEEP_COUNTY))
        self.confirm = QPushButton(self.tr("确认处理"))
        self.confirm.setDefault(True)
        self.confirm.clicked.connect(self.resolve_current)
        buttons.addWidget(self.all_township)
        buttons.addWidget(self.all_county)
        buttons.addStretch()
        buttons.addWidget(self.confirm)
        right_layout.addLayout(buttons)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 3)
        layout.addWidget(splitter, 1)
        self.empty = QLabel(self.tr("没有待处理的冲突。"))
        self.empty.setStyleSheet(NOTE_STYLE)
        layout.addWidget(self.empty)
        self.refresh()

    def refresh(self) -> None:
        self.conflicts = list_conflicts(self.ctx)
        self.list.clear()
        for c in self.conflicts:
            QListWidgetItem(f"{c.township_name}　{c.title or c.record_id}", self.list)
        has_any = bool(self.conflicts)
        self.empty.setVisible(not has_any)
        for widget in (self.all_township, self.all_county, self.confirm, self.table):
            widget.setEnabled(has_any)
        if has_any:
            self.list.setCurrentRow(0)
        else:
            self.heading.clear()
            self.table.setRowCount(0)

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self.conflicts):
            return
        c = self.conflicts[row]
        form = self.ctx.registry.forms.get(c.form_id)
        self.heading.setText(
            self.tr("{0}报送的{1}“{2}”（第{3}版），发现于 {4}").format(
                c.township_name,
                form.title if form else c.form_id,
                c.title,
                c.incoming_version,
                c.found_at.replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M"),
            )
        )
        self.table.setRowCount(len(c.fields))
        for i, f in enumerate(c.fields):
            self.table.setItem(i, 0, QTableWidgetItem(f.label))
            self.table.setItem(i, 1, QTableWidgetItem(value_text(f.county)))
            self.table.setItem(i, 2, QTableWidgetItem(value_text(f.township)))
            choice = QComboBox()
            choice.addItem(self.tr("保留县级值"), KEEP_COUNTY)
            choice.addItem(self.tr("采用乡镇值"), TAKE_TOWNSHIP)
            self.table.setCellWidget(i, 3, choice)
        self.table.resizeRowsToContents()

    def choice_box(self, row: int) -> QComboBox:
        widget = self.table.cellWidget(row, 3)
        assert isinstance(widget, QComboBox)
        return widget

    def _set_all(self, side: str) -> None:
        for row in range(self.table.rowCount()):
            box = self.choice_box(row)
            box.setCurrentIndex(box.findData(side))

    def resolve_current(self) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self.conflicts):
            return
        c = self.conflicts[row]
        choices = {f.field: self.choice_box(i).currentData() for i, f in enumerate(c.fields)}
        try:
            resolve_conflict(self.ctx, c.id, choices)
        except Exception as exc:
            show_error(self, exc, self.tr("冲突处理"))
            return
        self.refresh()
        self.resolved.emit()
