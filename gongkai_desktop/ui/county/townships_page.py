"""县级汇总 → 乡镇管理: the townships that submit, adding one (its 统计用区划代码 checked as
it is typed), and writing its 报送密钥 file for the township to import in 设置."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.domain.errors import GongkaiError, ValidationError
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.county.townships import (
    TownshipView,
    add_township,
    list_townships,
    write_township_key,
)
from gongkai_desktop.services.settings import township_code_problem
from gongkai_desktop.ui.style import ERROR_STYLE, HINT_STYLE, emphasise

KEY_SUFFIX = ".gkkey"


class TownshipsPage(QWidget):
    townships_changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.townships: list[TownshipView] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        heading = QLabel(self.tr("乡镇管理"))
        emphasise(heading, 1.3)
        layout.addWidget(heading)
        hint = QLabel(
            self.tr(
                "添加报送的乡镇后，为每个乡镇写出报送密钥文件（.gkkey），交乡镇在"
                "“设置—报送密钥”中导入；乡镇的报送包用这个密钥签名，县级据此核验。"
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT_STYLE)
        layout.addWidget(hint)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("townships_table")
        self.table.setHorizontalHeaderLabels(
            [self.tr("统计用区划代码"), self.tr("乡镇名称"), self.tr("联系人"), self.tr("联系电话")]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.setMinimumHeight(160)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.key_button = QPushButton(self.tr("写出所选乡镇的密钥文件…"))
        self.key_button.setObjectName("write_key")
        self.key_button.clicked.connect(self.choose_key_file)
        row.addWidget(self.key_button)
        row.addStretch(1)
        layout.addLayout(row)

        box = QGroupBox(self.tr("添加乡镇（代码已有时更新名称和联系人，密钥不变）"))
        form = QFormLayout(box)
        self.code_edit = QLineEdit()
        self.code_edit.setObjectName("township_code")
        self.code_edit.setMaxLength(12)
        self.code_edit.setPlaceholderText(self.tr("12位数字，例如 510104001000"))
        self.code_edit.textChanged.connect(self._check_code)
        self.code_problem = QLabel()
        self.code_problem.setStyleSheet(ERROR_STYLE)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("township_name")
        self.contact_edit = QLineEdit()
        self.phone_edit = QLineEdit()
        form.addRow(self.tr("统计用区划代码"), self.code_edit)
        form.addRow("", self.code_problem)
        form.addRow(self.tr("乡镇名称"), self.name_edit)
        form.addRow(self.tr("联系人"), self.contact_edit)
        form.addRow(self.tr("联系电话"), self.phone_edit)
        self.add_button = QPushButton(self.tr("添加"))
        self.add_button.setObjectName("add_township")
        self.add_button.clicked.connect(self.add)
        form.addRow("", self.add_button)
        layout.addWidget(box)
        self.message = QLabel()
        self.message.setObjectName("townships_message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self._check_code()
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        self.townships = list_townships(self.ctx)
        self.table.setRowCount(len(self.townships))
        for r, town in enumerate(self.townships):
            for c, text in enumerate((town.code, town.name, town.contact, town.phone)):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self._selection_changed()

    def _selection_changed(self) -> None:
        self.key_button.setEnabled(self.selected() is not None)

    def selected(self) -> TownshipView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.townships[rows[0].row()] if rows else None

    def select(self, code: str) -> None:
        for r, town in enumerate(self.townships):
            if town.code == code:
                self.table.selectRow(r)

    def _check_code(self) -> None:
        code = self.code_edit.text().strip()
        problem = township_code_problem(code) if code else ""
        self.code_problem.setText(problem)
        self.code_problem.setVisible(bool(problem))
        self.add_button.setEnabled(bool(code) and not problem)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if error else "")
        self.message.setText(text)

    def add(self) -> TownshipView | None:
        try:
            town = add_township(
                self.ctx,
                self.code_edit.text(),
                self.name_edit.text(),
                self.contact_edit.text(),
                self.phone_edit.text(),
            )
        except ValidationError as exc:
            self._say("；".join(f"{e.label}：{e.message}" for e in exc.errors), error=True)
            return None
        except GongkaiError as exc:
            self._say(str(exc), error=True)
            return None
        for edit in (self.code_edit, self.name_edit, self.contact_edit, self.phone_edit):
            edit.clear()
        self.refresh()
        self.select(town.code)
        self._say(
            self.tr("已添加“{0}”（{1}）。请写出它的密钥文件交给乡镇。").format(town.name, town.code)
        )
        self.townships_changed.emit()
        return town

    def choose_key_file(self) -> None:
        town = self.selected()
        if town is None:
            return
        path, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("写出报送密钥文件"),
            f"{town.name}{KEY_SUFFIX}",
            self.tr("报送密钥 (*.gkkey)"),
        )
        if path:
            self.write_key(Path(path))

    def write_key(self, target: Path) -> Path | None:
        """Write the selected township's key file to ``target``; says where, or why not."""
        town = self.selected()
        if town is None:
            return None
        if target.suffix.lower() != KEY_SUFFIX:
            target = target.with_name(target.name + KEY_SUFFIX)
        try:
            write_township_key(self.ctx, town.code, target)
        except (GongkaiError, OSError) as exc:
            self._say(str(exc), error=True)
            return None
        self._say(
            self.tr("已写出“{0}”的密钥文件：{1}。请妥善交给乡镇，勿外传。").format(
                town.name, target
            )
        )
        return target
