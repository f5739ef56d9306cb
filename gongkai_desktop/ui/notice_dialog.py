"""生成文书: the Word notices of one 依申请公开 request (补正告知书, 延期答复告知书, 答复书,
送达回证), over services.disclosure_notices.

Only the notices the record supports can be chosen; a disabled one says in its tooltip
(and beside it) what is missing. The file is saved where the clerk chooses (文档 by
default, named 申请人_文书_编号.docx), and the dialog offers to open its folder. The
dialog stays open so the clerk can make the 送达回证 right after the notice.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.domain.errors import GongkaiError
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.disclosure import notices
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.ui.errors import show_error
from gongkai_desktop.ui.reports.export import SaveLocation

HINT_STYLE = "color: #666;"
# which notice is chosen first when several are possible: the latest step of the request
_PREFERRED = ("reply", "extension", "correction", "receipt")


class NoticeDialog(QDialog):
    """Pick a notice for the request ``record_id``, save it as .docx."""

    def __init__(self, ctx: AppContext, record_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.record_id = record_id
        self.last_file: Path | None = None
        self._location = SaveLocation()
        values = RecordService(ctx).get(record_id).values
        self.availability = notices.notice_availability(ctx, record_id)
        self.setWindowTitle(self.tr("生成文书"))
        self.setMinimumWidth(520)

        layout = QVBoxLayout(self)
        heading = QLabel(
            self.tr("申请人：{0}　　登记编号：{1}").format(
                values.get("applicant") or "", values.get("request_no") or ""
            )
        )
        layout.addWidget(heading)

        self.kind_group = QButtonGroup(self)
        self.kind_buttons: dict[str, QRadioButton] = {}
        for n, kind in enumerate(notices.NOTICE_KINDS):
            reason = self.availability[kind.id]
            button = QRadioButton(kind.name)
            button.setEnabled(not reason)
            if reason:
                button.setToolTip(self.tr("不能生成：{0}").format(reason))
                button.setText(f"{kind.name}　（{reason}）")
            self.kind_group.addButton(button, n)
            self.kind_buttons[kind.id] = button
            layout.addWidget(button)

        options = QFormLayout()
        self.variant_box = QComboBox()
        self.variants = notices.outcome_variants(ctx, record_id)
        self.variant_box.addItems(list(self.variants))
        self.variant_label = QLabel(self.tr("答复方式"))
        options.addRow(self.variant_label, self.variant_box)
        self.items_edit = QPlainTextEdit("\n".join(notices.DEFAULT_CORRECTION_ITEMS))
        self.items_edit.setToolTip(self.tr("每行一项，写入告知书；生成后也可在 Word 中修改"))
        self.items_edit.setMaximumHeight(90)
        self.items_label = QLabel(self.tr("需要补正的事项"))
        options.addRow(self.items_label, self.items_edit)
        self.delivered_box = QComboBox()
        for kind in notices.NOTICE_KINDS[:3]:
            if not self.availability[kind.id]:
                self.delivered_box.addItem(kind.name, kind.id)
        if self.delivered_box.count():
            self.delivered_box.setCurrentIndex(self.delivered_box.count() - 1)
        self.delivered_label = QLabel(self.tr("送达的文书"))
        options.addRow(self.delivered_label, self.delivered_box)
        layout.addLayout(options)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setStyleSheet(HINT_STYLE)
        layout.addWidget(self.status)

        buttons = QDialogButtonBox()
        self.generate_button = QPushButton(self.tr("生成并保存…"))
        self.generate_button.setDefault(True)
        buttons.addButton(self.generate_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setText(self.tr("关闭"))
        buttons.rejected.connect(self.reject)
        self.generate_button.clicked.connect(self.generate)
        layout.addWidget(buttons)

        self.kind_group.idToggled.connect(self._kind_changed)
        for kind_id in _PREFERRED:
            if not self.availability[kind_id]:
                self.kind_buttons[kind_id].setChecked(True)
                break
        self._kind_changed()

    # ---- state ---------------------------------------------------------------------------
    def chosen_kind(self) -> notices.NoticeKind | None:
        index = self.kind_group.checkedId()
        return notices.NOTICE_KINDS[index] if index >= 0 else None

    def _kind_changed(self, *_args: object) -> None:
        kind = self.chosen_kind()
        kind_id = kind.id if kind else ""
        for widgets, visible in (
            ((self.variant_label, self.variant_box), kind_id == "reply" and bool(self.variants)),
            ((self.items_label, self.items_edit), kind_id == "correction"),
            ((self.delivered_label, self.delivered_box), kind_id == "receipt"),
        ):
            for widget in widgets:
                widget.setVisible(visible)
        self.generate_button.setEnabled(kind is not None)
        if kind is None:
            self.status.setText(self.tr("这条申请目前还不能生成文书，原因见各项说明。"))

    # ---- writing -------------------------------------------------------------------------
    def generate(self) -> None:
        kind = self.chosen_kind()
        if kind is None:
            return
        try:
            notice = notices.notice_content(
                self.ctx,
                self.record_id,
                kind,
                variant=max(0, self.variant_box.currentIndex()),
                correction_items=self.items_edit.toPlainText().splitlines(),
                delivered=self.delivered_box.currentData() if kind.id == "receipt" else None,
            )
        except GongkaiError as exc:
            show_error(self, exc, self.tr("无法生成文书"))
            return
        target = self._location.ask(
            self, self.tr("保存{0}").format(kind.name), notices.notice_file_name(notice)
        )
        if target is None:
            return
        try:
            notices.write_notice_docx(notice, target)
        except Exception as exc:  # shown by the one error helper (logged if unexpected)
            show_error(self, exc, self.tr("保存文书失败"))
            return
        self.last_file = target
        numbered = self.tr("（文号：{0}）").format(notice.number) if notice.number else ""
        self.status.setText(self.tr("已保存：{0}").format(target) + numbered)
        answer = QMessageBox.question(
            self,
            self.tr("已生成{0}").format(kind.name),
            self.tr("已保存到 {0}\n\n打开所在的文件夹吗？").format(target),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(target.parent)))


__all__ = ["NoticeDialog"]
