"""退回修改: the county reviewer picks a received record of a township, writes what must be
changed, and the note goes out with that township's next 回执 (or at once: 写出回执…)."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.county.townships import list_townships
from gongkai_desktop.services.submission.receipts import (
    ReceivedRecordRow,
    add_return_note,
    latest_package,
    received_records,
    return_notes,
    write_receipt,
)
from gongkai_desktop.ui.errors import show_error
from gongkai_desktop.ui.style import HINT_STYLE, NOTE_STYLE


class ReturnDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("退回修改"))
        self.resize(900, 640)
        self.rows: list[ReceivedRecordRow] = []
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.township = QComboBox()
        for t in list_townships(ctx):
            self.township.addItem(f"{t.name}（{t.code}）", t.code)
        self.township.currentIndexChanged.connect(self.refresh)
        form.addRow(self.tr("乡镇"), self.township)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("按名称、地点、人员等查找记录"))
        self.search.textChanged.connect(self._find)
        form.addRow(self.tr("查找"), self.search)
        layout.addLayout(form)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([self.tr("日期"), self.tr("类别"), self.tr("记录")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 2)
        layout.addWidget(QLabel(self.tr("退回意见（写明需要修改或补充的内容）")))
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText(self.tr("例如：第3条巡查记录缺少现场照片，请补充后重新报送"))
        self.note.setMaximumHeight(80)
        layout.addWidget(self.note)
        buttons = QHBoxLayout()
        self.return_button = QPushButton(self.tr("退回修改"))
        self.return_button.setDefault(True)
        self.return_button.clicked.connect(self.return_selected)
        self.receipt_button = QPushButton(self.tr("写出回执…"))
        self.receipt_button.clicked.connect(self.write_receipt)
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.accept)
        buttons.addWidget(self.return_button)
        buttons.addWidget(self.receipt_button)
        buttons.addStretch()
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.status = QLabel()
        self.status.setWordWrap(True)
        # two lines and the note box's padding, kept free even while the tables stretch
        self.status.setMinimumHeight(self.status.fontMetrics().height() * 2 + 24)
        layout.addWidget(self.status)
        notes_hint = QLabel(self.tr("本乡镇的退回意见"))
        notes_hint.setStyleSheet(HINT_STYLE)
        layout.addWidget(notes_hint)
        self.notes = QTableWidget(0, 4)
        self.notes.setHorizontalHeaderLabels(
            [self.tr("时间"), self.tr("记录"), self.tr("退回意见"), self.tr("状态")]
        )
        self.notes.verticalHeader().setVisible(False)
        self.notes.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for column in (0, 1, 3):
            self.notes.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents
            )
        self.notes.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.notes, 1)
        self.refresh()

    def code(self) -> str:
        return str(self.township.currentData() or "")

    def refresh(self) -> None:
        self._find()
        views = return_notes(self.ctx, self.code()) if self.code() else []
        self.notes.setRowCount(len(views))
        for i, n in enumerate(views):
            when = n.created_at.replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")
            for j, text in enumerate((when, n.title, n.note, n.state)):
                self.notes.setItem(i, j, QTableWidgetItem(text))
        self.receipt_button.setEnabled(
            bool(self.code()) and latest_package(self.ctx, self.code()) is not None
        )

    def _find(self) -> None:
        self.rows = (
            received_records(self.ctx, self.code(), self.search.text()) if self.code() else []
        )
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            for j, text in enumerate((r.record_date, r.form_title, r.title)):
                self.table.setItem(i, j, QTableWidgetItem(text))

    def return_selected(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.rows):
            self.status.setStyleSheet(HINT_STYLE)
            self.status.setText(self.tr("请先在上表中选中要退回的记录。"))
            return
        try:
            add_return_note(self.ctx, self.rows[row].record_id, self.note.toPlainText())
        except Exception as exc:
            show_error(self, exc, self.tr("退回修改"))
            return
        self.note.clear()
        self.status.setStyleSheet(NOTE_STYLE)
        self.status.setText(
            self.tr(
                "已退回“{0}”：意见将随该乡镇的下一份回执发出，也可点“写出回执…”立即写出。"
            ).format(self.rows[row].title)
        )
        self.refresh()

    def write_receipt(self) -> None:
        digest = latest_package(self.ctx, self.code())
        if digest is None:
            return
        folder = QFileDialog.getExistingDirectory(self, self.tr("回执写到（如U盘）"))
        if not folder:
            return
        try:
            path = write_receipt(self.ctx, digest, Path(folder))
        except Exception as exc:
            show_error(self, exc, self.tr("写出回执"))
            return
        self.status.setStyleSheet(NOTE_STYLE)
        self.status.setText(self.tr("回执已写出：{0}\n（在 {1}）").format(path.name, path.parent))
        self.refresh()
