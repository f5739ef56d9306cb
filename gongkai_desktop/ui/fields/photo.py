"""The photos field: a strip of thumbnails with captions; add, remove, caption, view.

Everything about files (checking, copying under generated names, thumbnails) is the
core's (``services.attachments``); this module only shows photo entries and lets the
clerk change the list. Removing a photo from the list never deletes its file (see the
service's docstring). ``ui.fields`` registers the editors for the ``photos`` type.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QGuiApplication,
    QIcon,
    QImageReader,
    QKeySequence,
    QPainter,
    QPixmap,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.domain.errors import GongkaiError
from gongkai_desktop.forms.spec import FieldSpec
from gongkai_desktop.services.records.attachments import (
    MAX_STORED_SIDE,
    AttachmentError,
    AttachmentFolder,
    attach_photo,
    photo_path,
    thumbnail,
)
from gongkai_desktop.ui.errors import show_error
from gongkai_desktop.ui.fields.base import FieldEditor, SiteSource
from gongkai_desktop.ui.style import HINT_STYLE
from gongkai_desktop.ui.worker import Task, start_task

# Every photo gets the same 4:3 box in the strip (most camera photos are 4:3), a
# portrait one centred in it, so that the captions beneath line up.
ICON_SIZE = QSize(144, 108)
# thumbnails are made at twice the box so they stay sharp on high-DPI screens
THUMBNAIL_PIXELS = ICON_SIZE.width() * 2
CAPTION_MAX_LENGTH = 100


def attachment_folder(sites: SiteSource | None) -> AttachmentFolder | None:
    """The attachment folder behind the editors' service (``RecordService.ctx``), if any."""
    folder = getattr(sites, "ctx", None)
    return folder if folder is not None and hasattr(folder, "attachments_dir") else None


def _icon_canvas() -> QPixmap:
    canvas = QPixmap(ICON_SIZE * 2)
    canvas.fill(Qt.GlobalColor.transparent)
    return canvas


def _boxed(thumb: QPixmap) -> QPixmap:
    """The thumbnail centred in the strip's 4:3 box (see ``ICON_SIZE``)."""
    canvas = _icon_canvas()
    scaled = thumb.scaled(
        canvas.size(),
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    painter = QPainter(canvas)
    painter.drawPixmap(
        (canvas.width() - scaled.width()) // 2, (canvas.height() - scaled.height()) // 2, scaled
    )
    painter.end()
    return canvas


def _placeholder(text: str) -> QPixmap:
    """Grey tile shown for a photo whose file is missing or damaged."""
    pixmap = _icon_canvas()
    pixmap.fill(QColor("#e5e7eb"))
    painter = QPainter(pixmap)
    painter.setPen(QColor("#6b7280"))
    font = painter.font()
    font.setPixelSize(pixmap.height() // 8)
    painter.setFont(font)
    painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return pixmap


def _tooltip(entry: dict[str, str]) -> str:
    lines = [entry.get("caption") or "", entry.get("name") or entry.get("file", "")]
    return "\n".join(line for line in lines if line)


class PhotoViewer(QDialog):
    """One photo scaled to fit the window, with its caption; 上一张/下一张 through the list."""

    def __init__(
        self,
        folder: AttachmentFolder,
        photos: Sequence[dict[str, str]],
        index: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.folder = folder
        self.photos = list(photos)
        self.index = index
        self.original = QPixmap()
        self.setSizeGripEnabled(True)
        column = QVBoxLayout(self)
        self.image_label = QLabel()
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_label.setMinimumSize(320, 240)
        self.image_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.image_label.setStyleSheet("background: #1f2328; color: #e5e7eb;")
        self.caption_label = QLabel()
        self.caption_label.setWordWrap(True)
        self.caption_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.name_label = QLabel()
        self.name_label.setStyleSheet(HINT_STYLE)
        self.name_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        self.previous_button = QPushButton(self.tr("上一张"))
        self.next_button = QPushButton(self.tr("下一张"))
        self.external_button = QPushButton(self.tr("用系统看图程序打开"))
        self.close_button = QPushButton(self.tr("关闭"))
        for button in (self.previous_button, self.next_button, self.external_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        self.previous_button.clicked.connect(lambda: self.show_photo(self.index - 1))
        self.next_button.clicked.connect(lambda: self.show_photo(self.index + 1))
        self.external_button.clicked.connect(self.open_externally)
        self.close_button.clicked.connect(self.close)
        QShortcut(QKeySequence(Qt.Key.Key_Left), self, lambda: self.show_photo(self.index - 1))
        QShortcut(QKeySequence(Qt.Key.Key_Right), self, lambda: self.show_photo(self.index + 1))
        column.addWidget(self.image_label, 1)
        column.addWidget(self.caption_label)
        column.addWidget(self.name_label)
        column.addLayout(buttons)
        self._size_to_screen()
        self.show_photo(index)

    def _size_to_screen(self) -> None:
        width, height = 1000, 760
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None:
            width = min(width, int(screen.width() * 0.85))
            height = min(height, int(screen.height() * 0.85))
        self.resize(width, height)

    def show_photo(self, index: int) -> None:
        if not 0 <= index < len(self.photos):
            return
        self.index = index
        entry = self.photos[index]
        self.original = QPixmap()
        problem = ""
        try:
            path = photo_path(self.folder, entry)
            reader = QImageReader(str(path))
            reader.setAutoTransform(True)  # upright as the camera meant it (EXIF)
            # decode no larger than the screen: a 50-megapixel photo needs no more
            # pixels to be looked at, and far less memory this way
            screen = self.screen() or QGuiApplication.primaryScreen()
            limit = screen.availableSize() * screen.devicePixelRatio() if screen else None
            full = reader.size()
            if (
                limit is not None
                and full.isValid()
                and (full.width() > limit.width() or full.height() > limit.height())
            ):
                reader.setScaledSize(full.scaled(limit, Qt.AspectRatioMode.KeepAspectRatio))
            image = reader.read()
            if image.isNull():
                problem = self.tr("无法显示这张照片（文件缺失或已损坏）")
            else:
                self.original = QPixmap.fromImage(image)
        except AttachmentError as exc:
            problem = str(exc)
        self.image_label.setText(problem)
        caption = entry.get("caption") or self.tr("（无说明）")
        self.caption_label.setText(caption)
        self.name_label.setText(
            self.tr("第 {0}/{1} 张 · 原文件名：{2}").format(
                index + 1, len(self.photos), entry.get("name") or entry.get("file", "")
            )
        )
        self.setWindowTitle(self.tr("查看照片 — {0}").format(caption))
        self.previous_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < len(self.photos) - 1)
        self._fit()

    def _fit(self) -> None:
        if self.original.isNull():
            self.image_label.setPixmap(QPixmap())
            return
        ratio = self.devicePixelRatioF()
        target = self.image_label.size() * ratio
        scaled = self.original.scaled(
            target, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        scaled.setDevicePixelRatio(ratio)
        self.image_label.setPixmap(scaled)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def open_externally(self) -> None:
        try:
            path = photo_path(self.folder, self.photos[self.index])
        except AttachmentError as exc:
            show_error(self, exc)
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class PhotosEditor(FieldEditor):
    """A strip of thumbnails with captions; 添加照片…, 查看大图, 删除所选, a caption line.

    Double-click (or Enter) opens a photo full size; Delete removes the selected ones
    from the record (their files stay in the attachment folder).
    """

    # the folder photos were last added from, for the next file dialog in this session
    last_folder = ""
    photos_added = Signal(int)  # attaching on the worker finished: how many were added

    def __init__(
        self, spec: FieldSpec, sites: SiteSource | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, sites, parent)
        self.folder = attachment_folder(sites)
        self.photos: list[dict[str, str]] = []
        self.viewer: PhotoViewer | None = None
        self._adding: Task | None = None
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)

        self.strip = QListWidget()
        self.strip.setViewMode(QListView.ViewMode.IconMode)
        self.strip.setFlow(QListView.Flow.LeftToRight)
        self.strip.setWrapping(False)  # one row that scrolls sideways: the form stays short
        self.strip.setMovement(QListView.Movement.Static)
        self.strip.setIconSize(ICON_SIZE)
        text_height = self.strip.fontMetrics().lineSpacing() * 2  # captions up to two lines
        self.strip.setGridSize(QSize(ICON_SIZE.width() + 16, ICON_SIZE.height() + text_height + 12))
        self.strip.setWordWrap(True)
        self.strip.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.strip.setSpacing(4)
        self.strip.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.strip.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.strip.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # room for the grid row and a horizontal scroll bar: when the photos outgrow the
        # width, the bar appears without covering the captions
        scroll_bar = self.strip.style().pixelMetric(
            self.strip.style().PixelMetric.PM_ScrollBarExtent
        )
        self.strip.setFixedHeight(
            self.strip.gridSize().height() + scroll_bar + 2 * self.strip.frameWidth() + 8
        )
        self.strip.itemSelectionChanged.connect(self._selection_changed)
        self.strip.itemActivated.connect(lambda _item: self.view_selected())
        QShortcut(
            QKeySequence(QKeySequence.StandardKey.Delete),
            self.strip,
            self.remove_selected,
            context=Qt.ShortcutContext.WidgetShortcut,
        )

        buttons = QHBoxLayout()
        self.add_button = QPushButton(self.tr("添加照片…"))
        self.add_button.setToolTip(self.tr("选择一张或多张 JPG、PNG 照片（每张不超过 30 MB）"))
        self.view_button = QPushButton(self.tr("查看大图"))
        self.remove_button = QPushButton(self.tr("删除所选"))
        self.remove_button.setToolTip(
            self.tr("从本记录中移除所选照片（照片文件仍保留在附件文件夹中）")
        )
        for button in (self.add_button, self.view_button, self.remove_button):
            button.setAutoDefault(False)  # Enter in the form must not press these
            buttons.addWidget(button)
        self.keep_original = QCheckBox(self.tr("保留原图"))
        self.keep_original.setToolTip(
            self.tr(
                "长边超过 {0} 像素的大照片会缩小后保存；勾选后另存一份原始文件"
                "（占用更多磁盘空间和备份空间）"
            ).format(MAX_STORED_SIDE)
        )
        buttons.addWidget(self.keep_original)
        self.count_hint = QLabel(self.tr("暂无照片"))
        self.count_hint.setStyleSheet(HINT_STYLE)
        buttons.addWidget(self.count_hint)
        buttons.addStretch(1)
        self.add_button.clicked.connect(self.choose_and_add)
        self.view_button.clicked.connect(self.view_selected)
        self.remove_button.clicked.connect(self.remove_selected)

        caption_row = QHBoxLayout()
        self.caption_title = QLabel(self.tr("照片说明："))
        self.caption_edit = QLineEdit()
        self.caption_edit.setMaxLength(CAPTION_MAX_LENGTH)
        self.caption_edit.setPlaceholderText(self.tr("选中一张照片，在此写说明（作为图注）"))
        self.caption_edit.textEdited.connect(self._caption_edited)
        self.caption_title.setBuddy(self.caption_edit)
        caption_row.addWidget(self.caption_title)
        caption_row.addWidget(self.caption_edit, 1)

        column.addWidget(self.strip)
        column.addLayout(buttons)
        column.addLayout(caption_row)
        self._add_main(box)
        if self.folder is None:
            # no database behind the form (a preview): photos can be shown, not added
            self.add_button.setEnabled(False)
            self.add_button.setToolTip(self.tr("未打开数据库，无法添加照片"))
        self._refresh_controls()

    # ---- the FieldEditor interface ------------------------------------------------------
    def value(self) -> Any:
        return [dict(p) for p in self.photos] or None

    def set_value(self, value: Any) -> None:
        entries = value if isinstance(value, list) else []
        self.photos = [
            {
                "file": str(p["file"]),
                "name": str(p.get("name", "")),
                "caption": str(p.get("caption", "")),
                **({"original": str(p["original"])} if p.get("original") else {}),
            }
            for p in entries
            if isinstance(p, dict) and p.get("file")
        ]
        self.strip.clear()
        for entry in self.photos:
            self.strip.addItem(self._make_item(entry))
        self._refresh_controls()
        self.value_changed.emit()

    def focus_target(self) -> QWidget:
        return self.add_button if not self.photos else self.strip

    # ---- actions ------------------------------------------------------------------------
    def choose_and_add(self) -> None:
        start = PhotosEditor.last_folder or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.PicturesLocation
        )
        files, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("添加照片"),
            start,
            # both cases: the file dialog matches case-sensitively on Linux
            self.tr("照片 (*.jpg *.jpeg *.png *.JPG *.JPEG *.PNG);;所有文件 (*)"),
        )
        if files:
            PhotosEditor.last_folder = str(Path(files[0]).parent)
            self.add_photos(files)

    def add_photos(self, files: Sequence[str | Path]) -> bool:
        """Attach each file (checked, possibly scaled down, and copied by the core) on a
        worker: a large camera photo takes seconds to decode. A bad file is reported and
        skipped, the others are still added; ``photos_added`` says how many when done.
        Returns whether the work was started."""
        if self.folder is None or not files or self._adding is not None:
            return False
        folder, keep = self.folder, self.keep_original.isChecked()
        paths = list(files)

        def work() -> tuple[list[dict[str, str]], list[str]]:
            entries, problems = [], []
            for file in paths:
                try:
                    entries.append(attach_photo(folder, file, keep_original=keep))
                except GongkaiError as exc:
                    problems.append(str(exc))
            return entries, problems

        self.add_button.setEnabled(False)
        self.count_hint.setText(self.tr("正在检查并添加 {0} 张照片…").format(len(paths)))
        self._adding = start_task(work, self._photos_attached, self._attach_failed)
        return True

    def _photos_attached(self, result: tuple[list[dict[str, str]], list[str]]) -> None:
        self._adding = None
        self.add_button.setEnabled(True)
        entries, problems = result
        for entry in entries:
            self.photos.append(entry)
            self.strip.addItem(self._make_item(entry))
        added = len(entries)
        self._refresh_controls()
        if added:
            self.strip.clearSelection()
            last = self.strip.item(self.strip.count() - 1)
            self.strip.setCurrentItem(last)  # ready for its caption
            self.strip.scrollToItem(last)
            self.value_changed.emit()
        if problems:
            if added:
                intro = self.tr("已添加 {0} 张照片，以下文件未能添加：").format(added)
                title = self.tr("部分照片未能添加")
            else:
                intro = self.tr("以下文件未能添加：")
                title = self.tr("照片未能添加")
            show_error(self, AttachmentError("\n".join([intro, *problems])), title)
        self.photos_added.emit(added)

    def _attach_failed(self, exc: BaseException) -> None:
        self._adding = None
        self.add_button.setEnabled(True)
        self._refresh_controls()
        show_error(self, exc, self.tr("照片未能添加"))
        self.photos_added.emit(0)

    def remove_selected(self) -> None:
        rows = sorted((self.strip.row(i) for i in self.strip.selectedItems()), reverse=True)
        if not rows:
            return
        for row in rows:
            self.strip.takeItem(row)
            del self.photos[row]
        if self.strip.count():
            self.strip.setCurrentRow(min(rows[-1], self.strip.count() - 1))
        self._refresh_controls()
        self.value_changed.emit()

    def set_caption(self, row: int, caption: str) -> None:
        """Caption of the photo in ``row`` (what typing in the caption line does)."""
        self.photos[row]["caption"] = caption.strip()
        item = self.strip.item(row)
        item.setText(self._item_text(self.photos[row]))
        item.setToolTip(_tooltip(self.photos[row]))
        self.value_changed.emit()

    def view_selected(self) -> None:
        row = self.strip.currentRow()
        if self.folder is None or row < 0:
            return
        if self.viewer is not None:
            self.viewer.close()
        # not modal: the clerk can look at the photo while writing its caption
        self.viewer = PhotoViewer(self.folder, self.photos, row, self)
        self.viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.viewer.destroyed.connect(self._viewer_closed)
        self.viewer.show()

    def _viewer_closed(self) -> None:
        self.viewer = None

    # ---- display ------------------------------------------------------------------------
    def _item_text(self, entry: dict[str, str]) -> str:
        return entry.get("caption") or self.tr("（无说明）")

    def _make_item(self, entry: dict[str, str]) -> QListWidgetItem:
        item = QListWidgetItem(self._item_text(entry))
        item.setToolTip(_tooltip(entry))
        item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        pixmap = QPixmap()
        if self.folder is not None:
            try:
                pixmap.loadFromData(thumbnail(self.folder, entry, THUMBNAIL_PIXELS), "PNG")
            except AttachmentError as exc:
                # a missing or damaged file must not stop the record from opening
                item.setToolTip(f"{_tooltip(entry)}\n{exc}")
        pixmap = _placeholder(self.tr("无法显示")) if pixmap.isNull() else _boxed(pixmap)
        item.setIcon(QIcon(pixmap))
        return item

    def _selection_changed(self) -> None:
        self._refresh_controls()

    def _refresh_controls(self) -> None:
        has_photos = bool(self.photos)
        selected = self.strip.selectedItems()
        self.strip.setVisible(has_photos)
        self.count_hint.setText(
            self.tr("共 {0} 张，双击照片查看大图").format(len(self.photos))
            if has_photos
            else self.tr("暂无照片")
        )
        self.view_button.setVisible(has_photos)
        self.remove_button.setVisible(has_photos)
        self.caption_title.setVisible(has_photos)
        self.caption_edit.setVisible(has_photos)
        self.view_button.setEnabled(self.strip.currentRow() >= 0 and self.folder is not None)
        self.remove_button.setEnabled(bool(selected))
        one = len(selected) == 1
        self.caption_edit.setEnabled(one)
        text = self.photos[self.strip.row(selected[0])]["caption"] if one else ""
        if self.caption_edit.text() != text:
            self.caption_edit.setText(text)  # setText: no textEdited, so no false edit

    def _caption_edited(self, text: str) -> None:
        selected = self.strip.selectedItems()
        if len(selected) == 1:
            self.set_caption(self.strip.row(selected[0]), text)


class PhotosDialog(QDialog):
    """The photos of one repeat-group row, edited in a full ``PhotosEditor``."""

    def __init__(
        self,
        spec: FieldSpec,
        sites: SiteSource | None,
        photos: Any,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(spec.label)
        column = QVBoxLayout(self)
        self.editor = PhotosEditor(spec, sites)
        self.editor.set_value(photos)
        column.addWidget(self.editor)
        column.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.ok_button = QPushButton(self.tr("确定"))
        self.cancel_button = QPushButton(self.tr("取消"))
        self.ok_button.setDefault(True)
        buttons.addWidget(self.ok_button)
        buttons.addWidget(self.cancel_button)
        self.ok_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)
        column.addLayout(buttons)
        self.resize(720, self.sizeHint().height())


class PhotosCellEditor(FieldEditor):
    """Photos inside a repeat-group table cell: a button showing "N张" that opens the
    full editor in a small dialog (a thumbnail strip does not fit in a table row)."""

    def __init__(
        self, spec: FieldSpec, sites: SiteSource | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, sites, parent)
        self.photos: list[dict[str, str]] = []
        self.dialog: PhotosDialog | None = None
        self.button = QToolButton()
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.button.setToolTip(self.tr("查看、添加或删除这一行的照片"))
        self.button.clicked.connect(self.open_dialog)
        self._add_main(self.button, stretch=False)
        self._show_count()

    def value(self) -> Any:
        return [dict(p) for p in self.photos] or None

    def set_value(self, value: Any) -> None:
        entries = value if isinstance(value, list) else []
        self.photos = [dict(p) for p in entries if isinstance(p, dict) and p.get("file")]
        self._show_count()
        self.value_changed.emit()

    def focus_target(self) -> QWidget:
        return self.button

    def open_dialog(self) -> None:
        """Window-modal but not blocking (``open``), so nothing waits on a nested loop."""
        self.dialog = PhotosDialog(self.spec, self.sites, self.value(), self)
        self.dialog.accepted.connect(self._accepted)
        self.dialog.finished.connect(self._finished)
        self.dialog.open()

    def _accepted(self) -> None:
        if self.dialog is not None:
            value = self.dialog.editor.value()
            if (value or None) != (self.value() or None):
                self.set_value(value)

    def _finished(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None

    def _show_count(self) -> None:
        count = len(self.photos)
        self.button.setText(self.tr("{0}张…").format(count) if count else self.tr("添加照片…"))
