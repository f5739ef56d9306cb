"""The damaged-database message with 用最近的备份恢复, and the list of records the restore
lost (read from the damaged file), each shown and chosen before it is added back.

Both are opened with ``open()``: never modal loops, so the window (and a test) goes on.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.domain.errors import DatabaseDamagedError

if TYPE_CHECKING:  # SQLAlchemy is imported only once the database opens
    from gongkai_desktop.services.maintenance.damage import DamageRestore, SalvagedRecord


def _tr(text: str) -> str:
    return QCoreApplication.translate("damage", text)


class DamagedDatabaseBox(QMessageBox):
    """What happened, that nothing was overwritten, the newest verified backup; the
    button 用最近的备份恢复 when there is one."""

    restore_requested = Signal()

    def __init__(self, parent: QWidget | None, exc: DatabaseDamagedError) -> None:
        super().__init__(parent)
        self.setObjectName("damagedDatabaseBox")
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle(_tr("数据库文件已损坏"))
        self.setText(str(exc))
        self.restore_button: QPushButton | None = None
        if exc.backup_path is not None:
            self.setInformativeText(
                _tr(
                    "恢复时，损坏的文件会原样移到备份文件夹中；恢复后会列出备份之后修改、"
                    "仍能从损坏文件中读出的记录，由您逐条选择是否添加回来。"
                )
            )
            self.restore_button = self.addButton(
                _tr("用最近的备份恢复"), QMessageBox.ButtonRole.AcceptRole
            )
            self.restore_button.clicked.connect(self.restore_requested)
            self.setDefaultButton(self.restore_button)
        self.close_button = self.addButton(_tr("关闭"), QMessageBox.ButtonRole.RejectRole)


def _summary(values: dict[str, Any], labels: dict[str, str]) -> str:
    parts = []
    for key, value in values.items():
        if value in (None, "", [], {}) or key not in labels:
            continue
        text = "、".join(str(v) for v in value) if isinstance(value, list) else str(value)
        parts.append(f"{labels[key]}：{text}")
    return "；".join(parts)


class SalvageDialog(QDialog):
    """What the restore lost: the records changed after the backup that the damaged
    file still gives up, each with its values and a check box (all checked)."""

    def __init__(
        self,
        parent: QWidget | None,
        outcome: DamageRestore,
        form_titles: dict[str, str],
        field_labels: dict[str, dict[str, str]],
    ) -> None:
        super().__init__(parent)
        self.setObjectName("salvageDialog")
        self.setWindowTitle(_tr("恢复完成：备份之后的修改"))
        self.records = list(outcome.salvaged)
        layout = QVBoxLayout(self)
        when = f"{outcome.restored.created:%Y年%m月%d日 %H:%M}"
        head = _tr("已用 {0} 的备份恢复数据库（{1} 条记录），损坏的文件已原样移到备份文件夹中。")
        count = outcome.restored.records if outcome.restored.records is not None else "?"
        lines = [head.format(when, count)]
        if self.records:
            lines.append(
                _tr(
                    "备份之后修改的记录中，有 {0} 条还能从损坏的文件中读出。请逐条查看，"
                    "勾选要添加回数据库的记录（添加时会像保存一样校验并记入修改记录）。"
                ).format(len(self.records))
            )
        else:
            lines.append(_tr("损坏的文件中没有读出备份之后修改的记录：备份之后的修改已无法找回。"))
        self.intro = QLabel("\n".join(lines))
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setSpacing(3)
        for record in self.records:
            form = form_titles.get(record.form_id, record.form_id)
            changed = f"{_local(record):%Y-%m-%d %H:%M}"
            text = _tr("{0}“{1}”（{2} 修改）\n{3}").format(
                form,
                record.title,
                changed,
                _summary(record.values, field_labels.get(record.form_id, {})),
            )
            item = QListWidgetItem(text)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.list.addItem(item)
        self.list.setVisible(bool(self.records))
        layout.addWidget(self.list, 1)
        buttons = QDialogButtonBox()
        if self.records:
            self.add_button = buttons.addButton(
                _tr("添加选中的记录"), QDialogButtonBox.ButtonRole.AcceptRole
            )
            buttons.addButton(_tr("不添加"), QDialogButtonBox.ButtonRole.RejectRole)
        else:
            buttons.addButton(_tr("知道了"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 440)

    def chosen(self) -> list[SalvagedRecord]:
        return [
            record
            for row, record in enumerate(self.records)
            if self.list.item(row).checkState() == Qt.CheckState.Checked
        ]


def _local(record: SalvagedRecord) -> datetime:
    return record.updated_at.replace(tzinfo=UTC).astimezone()
