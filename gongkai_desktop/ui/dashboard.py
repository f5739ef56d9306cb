"""工作台: what is in the database and when it was last backed up (all read on refresh)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from gongkai_desktop.data.repository import RecordQuery
from gongkai_desktop.services.backup import list_backups
from gongkai_desktop.services.records import RecordService
from gongkai_desktop.services.settings import load_settings
from gongkai_desktop.ui.style import HINT_STYLE, emphasise


class DashboardPage(QWidget):
    def __init__(
        self,
        service: RecordService,
        missing_modules: Sequence[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.ctx = service.ctx
        self.missing_modules = tuple(missing_modules)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(14)
        self.heading = QLabel()
        emphasise(self.heading, 1.5)
        layout.addWidget(self.heading)
        self.place_label = QLabel()
        self.place_label.setStyleSheet(HINT_STYLE)
        layout.addWidget(self.place_label)

        counts_box = QGroupBox(self.tr("记录数量"))
        self.counts_layout = QFormLayout(counts_box)
        self.counts_layout.setHorizontalSpacing(24)
        layout.addWidget(counts_box)

        data_box = QGroupBox(self.tr("数据与备份"))
        data_layout = QFormLayout(data_box)
        data_layout.setHorizontalSpacing(24)
        self.db_label = QLabel()
        self.backup_label = QLabel()
        for label in (self.db_label, self.backup_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
        data_layout.addRow(self.tr("数据库文件"), self.db_label)
        data_layout.addRow(self.tr("最近一次备份"), self.backup_label)
        layout.addWidget(data_box)

        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        self.notes_label.setStyleSheet(HINT_STYLE)
        layout.addWidget(self.notes_label)
        layout.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        settings = load_settings(self.ctx)
        self.heading.setText(settings["unit_name"] or self.tr("尚未填写单位名称"))
        place = "　".join(v for v in (settings["county"], settings["township"]) if v)
        self.place_label.setText(place or self.tr("请先到“设置”中填写单位名称、乡镇等信息。"))

        while self.counts_layout.rowCount():
            self.counts_layout.removeRow(0)
        for form in self.service.registry:
            live = self.service.count(RecordQuery(form_id=form.id))
            deleted = self.service.count(RecordQuery(form_id=form.id, deleted=True))
            text = self.tr("{0} 条").format(f"{live:,}")
            if deleted:
                text += self.tr("（回收站中另有 {0} 条）").format(f"{deleted:,}")
            self.counts_layout.addRow(form.title, QLabel(text))

        self.db_label.setText(str(self.ctx.db_path))
        backups = list_backups(self.ctx.db_path)
        if backups:
            last = backups[0]
            self.backup_label.setText(
                self.tr("{0}（{1}，共 {2} 个备份）").format(
                    last.created.strftime("%Y-%m-%d %H:%M"), last.reason, len(backups)
                )
            )
        else:
            self.backup_label.setText(self.tr("尚无备份（每天第一次打开软件时自动备份）"))

        notes = list(self.ctx.opened_notes)
        if self.missing_modules:
            notes.append(
                self.tr("以下模块的表单尚未配置，将随后续版本提供：{0}").format(
                    "、".join(self.missing_modules)
                )
            )
        self.notes_label.setText("\n".join(notes))
        self.notes_label.setVisible(bool(notes))
