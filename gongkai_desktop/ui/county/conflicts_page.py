"""县级汇总 → 冲突处理: records changed at the county and again at the township. Nothing
was overwritten; here a person reads each differing field (县级现值 / 乡镇报送值), chooses
which to keep, and confirms."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.domain.errors import GongkaiError
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.county.receive import (
    ConflictField,
    ConflictView,
    list_conflicts,
    resolve_conflict,
)
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.ui.style import ERROR_STYLE, HINT_STYLE, emphasise

COUNTY, TOWNSHIP = "county", "township"


def value_text(value: Any) -> str:
    """A stored value as a person reads it: empty, 是/否, a list joined, else its text."""
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
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
        self.groups: list[QButtonGroup] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        heading = QLabel(self.tr("冲突处理"))
        emphasise(heading, 1.3)
        layout.addWidget(heading)
        hint = QLabel(
            self.tr(
                "县级修改过、乡镇又报送了新版本的记录。未作处理前两边的值都保留，"
                "不会被覆盖。请逐个字段选择采用县级现值还是乡镇报送值，然后确认。"
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT_STYLE)
        layout.addWidget(hint)
        self.list = QTableWidget(0, 4)
        self.list.setObjectName("conflict_list")
        self.list.setHorizontalHeaderLabels(
            [self.tr("乡镇"), self.tr("表单"), self.tr("记录"), self.tr("不一致的字段")]
        )
        self.list.verticalHeader().setVisible(False)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.list.itemSelectionChanged.connect(self._show_selected)
        self.list.setMinimumHeight(120)
        layout.addWidget(self.list, 1)
        self.fields = QTableWidget(0, 4)
        self.fields.setObjectName("conflict_fields")
        self.fields.setHorizontalHeaderLabels(
            [self.tr("字段"), self.tr("县级现值"), self.tr("乡镇报送值"), self.tr("采用")]
        )
        self.fields.verticalHeader().setVisible(False)
        self.fields.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.fields.setWordWrap(True)
        header = self.fields.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.fields.setMinimumHeight(160)
        layout.addWidget(self.fields, 1)
        row = QHBoxLayout()
        self.all_county = QPushButton(self.tr("全部采用县级现值"))
        self.all_county.clicked.connect(lambda: self.choose_all(COUNTY))
        self.all_township = QPushButton(self.tr("全部采用乡镇报送值"))
        self.all_township.clicked.connect(lambda: self.choose_all(TOWNSHIP))
        self.confirm_button = QPushButton(self.tr("确认"))
        self.confirm_button.setObjectName("confirm_conflict")
        self.confirm_button.clicked.connect(self.confirm)
        row.addWidget(self.all_county)
        row.addWidget(self.all_township)
        row.addStretch(1)
        row.addWidget(self.confirm_button)
        layout.addLayout(row)
        self.message = QLabel()
        self.message.setObjectName("conflict_message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        self.conflicts = list_conflicts(self.ctx)
        self.list.setRowCount(len(self.conflicts))
        for r, c in enumerate(self.conflicts):
            form = self.ctx.registry.forms.get(c.form_id)
            texts = [
                c.township_name,
                form.title if form else c.form_id,
                c.title,
                "、".join(f.label for f in c.fields),
            ]
            for col, text in enumerate(texts):
                self.list.setItem(r, col, QTableWidgetItem(text))
        if self.conflicts:
            self.list.selectRow(0)
        self._show_selected()

    def selected(self) -> ConflictView | None:
        rows = self.list.selectionModel().selectedRows()
        return self.conflicts[rows[0].row()] if rows else None

    def _show_selected(self) -> None:
        conflict = self.selected()
        self.groups = []
        self.fields.setRowCount(0)
        has = conflict is not None
        for action in (self.all_county, self.all_township, self.confirm_button):
            action.setEnabled(has)
        if conflict is None:
            if not self.conflicts:
                self.message.setStyleSheet("")
                self.message.setText(self.tr("没有待处理的冲突。"))
            return
        self.fields.setRowCount(len(conflict.fields))
        for r, field in enumerate(conflict.fields):
            self.fields.setItem(r, 0, QTableWidgetItem(field.label))
            self.fields.setItem(r, 1, QTableWidgetItem(self.shown(conflict, field, field.county)))
            self.fields.setItem(r, 2, QTableWidgetItem(self.shown(conflict, field, field.township)))
            choice = QWidget()
            box = QHBoxLayout(choice)
            box.setContentsMargins(4, 0, 4, 0)
            group = QButtonGroup(choice)
            for text, key in ((self.tr("县级"), COUNTY), (self.tr("乡镇"), TOWNSHIP)):
                radio = QRadioButton(text)
                radio.setObjectName(f"{field.field}:{key}")
                group.addButton(radio)
                box.addWidget(radio)
            self.groups.append(group)
            self.fields.setCellWidget(r, 3, choice)
        self.fields.resizeRowsToContents()

    def shown(self, conflict: ConflictView, field: ConflictField, value: object) -> str:
        """A value as the editor shows it: a site or linked record by its title."""
        form = self.ctx.registry.forms.get(conflict.form_id)
        spec = form.field(field.field) if form is not None and form.has_field(field.field) else None
        if spec is not None and spec.type in ("site", "record") and isinstance(value, str):
            try:
                return RecordService(self.ctx).get(value).title
            except GongkaiError:  # gone since: its id is all there is
                return value
        return value_text(value)

    def choose(self, field: str, side: str) -> None:
        conflict = self.selected()
        assert conflict is not None
        index = [f.field for f in conflict.fields].index(field)
        for button in self.groups[index].buttons():
            if button.objectName() == f"{field}:{side}":
                button.setChecked(True)

    def choose_all(self, side: str) -> None:
        conflict = self.selected()
        if conflict is not None:
            for field in conflict.fields:
                self.choose(field.field, side)

    def choices(self) -> dict[str, str]:
        chosen = {}
        for group in self.groups:
            button = group.checkedButton()
            if button is not None:
                field, side = button.objectName().rsplit(":", 1)
                chosen[field] = side
        return chosen

    def confirm(self) -> bool:
        conflict = self.selected()
        if conflict is None:
            return False
        chosen = self.choices()
        missing = [f.label for f in conflict.fields if f.field not in chosen]
        if missing:
            self.message.setStyleSheet(ERROR_STYLE)
            self.message.setText(
                self.tr("请为每个字段选择采用县级还是乡镇的值：{0}").format("、".join(missing))
            )
            return False
        try:
            resolve_conflict(self.ctx, conflict.id, chosen)
        except GongkaiError as exc:
            self.message.setStyleSheet(ERROR_STYLE)
            self.message.setText(str(exc))
            return False
        self.refresh()
        done = self.tr("已处理“{0}”的冲突。").format(conflict.title)
        self.message.setStyleSheet("")
        self.message.setText(done + ("" if self.conflicts else self.tr("没有待处理的冲突了。")))
        self.resolved.emit()
        return True
