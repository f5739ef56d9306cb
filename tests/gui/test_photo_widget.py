"""The photos field driven like a clerk: add through the file dialog, caption, delete,
view; photos saved with an inspection survive closing and reopening the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidgetItem, QWidget

from gongkai_desktop.forms.spec import FieldSpec
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.startup import open_context
from gongkai_desktop.ui.fields import create_editor
from gongkai_desktop.ui.fields import photo as photo_widget
from gongkai_desktop.ui.fields.photo import PhotosCellEditor, PhotosEditor, PhotoViewer
from gongkai_desktop.ui.fields.widgets import RepeatEditor
from gongkai_desktop.ui.records.editor import RecordEditor

from .gui_helpers import type_chinese

pytestmark = pytest.mark.gui

PHOTOS = FieldSpec("photos", "现场照片", "photos")
# distinct colours, so a thumbnail can be told from another one and from a placeholder
COLOURS = {"排污口.jpg": (200, 40, 40), "围网.png": (40, 160, 60), "标志牌.jpg": (40, 60, 200)}


def make_photo(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    image = Image.new("RGB", (480, 360), COLOURS.get(name, (120, 120, 120)))
    image.save(path, "PNG" if name.endswith(".png") else "JPEG", quality=90)
    return path


class FileDialog:
    """Stands in for QFileDialog.getOpenFileNames: answers with the given files."""

    def __init__(self, files: list[Path]) -> None:
        self.files = files
        self.asked = 0

    def __call__(self, *args: Any, **kwargs: Any) -> tuple[list[str], str]:
        self.asked += 1
        return [str(f) for f in self.files], ""


class ShownErrors:
    """Stands in for the modal error box; keeps what it would have shown."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def __call__(self, parent: Any, exc: BaseException, title: str | None = None) -> None:
        self.messages.append(str(exc))


@pytest.fixture
def shown_errors(monkeypatch: pytest.MonkeyPatch) -> ShownErrors:
    errors = ShownErrors()
    monkeypatch.setattr(photo_widget, "show_error", errors)
    return errors


def choose_files(monkeypatch: pytest.MonkeyPatch, files: list[Path]) -> FileDialog:
    dialog = FileDialog(files)
    monkeypatch.setattr(photo_widget.QFileDialog, "getOpenFileNames", dialog)
    return dialog


def icon_colour(item: QListWidgetItem) -> QColor:
    image = item.icon().pixmap(photo_widget.ICON_SIZE).toImage()
    assert not image.isNull()
    return image.pixelColor(image.width() // 2, image.height() // 2)


def close_to(colour: QColor, rgb: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 12 for a, b in zip(colour.getRgb()[:3], rgb, strict=True))


def shown(qtbot, widget: QWidget) -> QWidget:  # type: ignore[no-untyped-def]
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_add_caption_and_delete(
    qtbot, records: RecordService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shown_errors
) -> None:  # type: ignore[no-untyped-def]
    editor = shown(qtbot, create_editor(PHOTOS, records))
    assert isinstance(editor, PhotosEditor)
    assert editor.value() is None
    assert editor.count_hint.text() == "暂无照片" and not editor.strip.isVisible()

    files = [make_photo(tmp_path / "相机", "排污口.jpg"), make_photo(tmp_path / "相机", "围网.png")]
    dialog = choose_files(monkeypatch, files)
    with qtbot.waitSignal(editor.value_changed):
        qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    assert dialog.asked == 1
    assert shown_errors.messages == []
    assert editor.strip.count() == 2 and editor.strip.isVisible()
    value = editor.value()
    assert [p["name"] for p in value] == ["排污口.jpg", "围网.png"]
    for entry in value:
        assert (records.ctx.attachments_dir / entry["file"]).is_file()
    assert close_to(icon_colour(editor.strip.item(0)), COLOURS["排污口.jpg"])
    assert close_to(icon_colour(editor.strip.item(1)), COLOURS["围网.png"])

    # the last added photo is selected, ready for its caption
    assert editor.caption_edit.isEnabled()
    type_chinese(editor.caption_edit, "围网完好")
    assert editor.value()[1]["caption"] == "围网完好"
    assert editor.strip.item(1).text() == "围网完好"

    editor.strip.setCurrentRow(0)
    assert editor.caption_edit.text() == ""
    type_chinese(editor.caption_edit, "东侧排污口")
    assert [p["caption"] for p in editor.value()] == ["东侧排污口", "围网完好"]

    kept_file = value[1]["file"]
    removed_file = value[0]["file"]
    with qtbot.waitSignal(editor.value_changed):
        qtbot.mouseClick(editor.remove_button, Qt.MouseButton.LeftButton)
    assert editor.value() == [{"file": kept_file, "name": "围网.png", "caption": "围网完好"}]
    # removed from the record, not from the disk (an older version may still name it)
    assert (records.ctx.attachments_dir / removed_file).is_file()


def test_a_bad_file_is_reported_and_the_others_are_added(
    qtbot, records: RecordService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shown_errors
) -> None:  # type: ignore[no-untyped-def]
    editor = shown(qtbot, create_editor(PHOTOS, records))
    fake = tmp_path / "相机" / "通知.jpg"
    fake.parent.mkdir(parents=True)
    fake.write_text("这是一份通知", encoding="utf-8")
    good = [make_photo(tmp_path / "相机", "排污口.jpg"), make_photo(tmp_path / "相机", "围网.png")]
    choose_files(monkeypatch, [good[0], fake, good[1]])
    with qtbot.waitSignal(editor.photos_added, timeout=20000):
        qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)

    assert [p["name"] for p in editor.value()] == ["排污口.jpg", "围网.png"]
    assert len(shown_errors.messages) == 1
    message = shown_errors.messages[0]
    assert "通知.jpg" in message and "不是图片文件" in message and "已添加 2 张" in message


def test_only_bad_files_add_nothing(
    qtbot, records: RecordService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shown_errors
) -> None:  # type: ignore[no-untyped-def]
    editor = shown(qtbot, create_editor(PHOTOS, records))
    gif = tmp_path / "动图.gif"
    Image.new("RGB", (20, 20)).save(gif, "GIF")
    choose_files(monkeypatch, [gif])
    with qtbot.waitSignal(editor.photos_added, timeout=20000):
        qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    assert editor.value() is None
    assert len(shown_errors.messages) == 1
    assert "动图.gif" in shown_errors.messages[0]
    assert "只支持 JPG 和 PNG 照片" in shown_errors.messages[0]


def test_cancelled_dialog_changes_nothing(
    qtbot, records: RecordService, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    editor = shown(qtbot, create_editor(PHOTOS, records))
    choose_files(monkeypatch, [])
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    assert editor.value() is None


def test_without_a_database_photos_are_shown_but_not_added(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = shown(qtbot, create_editor(PHOTOS))
    assert isinstance(editor, PhotosEditor)
    assert not editor.add_button.isEnabled()
    photos = [{"file": "a1.jpg", "name": "现场1.jpg", "caption": "排污口"}]
    editor.set_value(photos)
    assert editor.value() == photos
    assert editor.strip.item(0).text() == "排污口"
    assert not editor.strip.item(0).icon().isNull()  # a placeholder tile


def test_missing_file_shows_a_placeholder_and_keeps_the_entry(
    qtbot, records: RecordService
) -> None:  # type: ignore[no-untyped-def]
    editor = shown(qtbot, create_editor(PHOTOS, records))
    photos = [{"file": "photos/2024/05/gone.jpg", "name": "现场.jpg", "caption": "已丢失"}]
    editor.set_value(photos)
    assert editor.value() == photos
    assert "找不到照片" in editor.strip.item(0).toolTip()


def test_view_full_size(
    qtbot, records: RecordService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    editor = shown(qtbot, create_editor(PHOTOS, records))
    choose_files(
        monkeypatch,
        [make_photo(tmp_path / "相机", "排污口.jpg"), make_photo(tmp_path / "相机", "围网.png")],
    )
    with qtbot.waitSignal(editor.photos_added, timeout=20000):
        editor.choose_and_add()
    editor.strip.setCurrentRow(0)
    qtbot.mouseClick(editor.view_button, Qt.MouseButton.LeftButton)
    viewer = editor.viewer
    assert isinstance(viewer, PhotoViewer)
    qtbot.waitExposed(viewer)
    assert viewer.original.size().width() == 480  # the full photo, not the thumbnail
    pixmap = viewer.image_label.pixmap()
    assert not pixmap.isNull()
    assert "1/2" in viewer.name_label.text()
    assert not viewer.previous_button.isEnabled()
    qtbot.mouseClick(viewer.next_button, Qt.MouseButton.LeftButton)
    assert viewer.index == 1 and "围网.png" in viewer.name_label.text()
    assert not viewer.next_button.isEnabled()
    viewer.close()
    qtbot.waitUntil(lambda: editor.viewer is None)


def test_photos_in_a_repeat_row_open_in_a_dialog(
    qtbot, records: RecordService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    progress = records.registry.form("rectification_task").field("progress")
    repeat = shown(qtbot, create_editor(progress, records))
    assert isinstance(repeat, RepeatEditor)
    repeat.add_row({"date": "2026-11-03", "text": "已拆除围网内网箱"})
    column = [c.key for c in progress.fields].index("photos")
    cell = repeat.table.cellWidget(0, column)
    assert isinstance(cell, PhotosCellEditor)
    assert cell.button.text() == "添加照片…"

    qtbot.mouseClick(cell.button, Qt.MouseButton.LeftButton)
    dialog = cell.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    choose_files(monkeypatch, [make_photo(tmp_path / "相机", "排污口.jpg")])
    with qtbot.waitSignal(dialog.editor.photos_added, timeout=20000):
        dialog.editor.choose_and_add()
    type_chinese(dialog.editor.caption_edit, "拆除后")
    with qtbot.waitSignal(repeat.value_changed):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert cell.button.text() == "1张…"
    rows = repeat.value()
    assert rows[0]["text"] == "已拆除围网内网箱"
    assert [(p["name"], p["caption"]) for p in rows[0]["photos"]] == [("排污口.jpg", "拆除后")]

    # cancelling the dialog leaves the row as it was
    qtbot.mouseClick(cell.button, Qt.MouseButton.LeftButton)
    assert cell.dialog is not None
    cell.dialog.editor.strip.selectAll()
    cell.dialog.editor.remove_selected()
    qtbot.mouseClick(cell.dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert len(repeat.value()[0]["photos"]) == 1


def open_record(qtbot, service: RecordService, record_id: str | None) -> RecordEditor:  # type: ignore[no-untyped-def]
    editor = RecordEditor(service, "inspection", record_id)
    # closed at teardown without the "unsaved changes?" question (a modal box would hang)
    qtbot.addWidget(editor, before_close_func=lambda dialog: dialog.done(0))
    editor.show()
    qtbot.waitExposed(editor)
    return editor


def test_photos_saved_with_an_inspection_survive_a_restart(
    qtbot, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shown_errors
) -> None:  # type: ignore[no-untyped-def]
    camera = tmp_path / "相机"
    files = [make_photo(camera, "排污口.jpg"), make_photo(camera, "围网.png")]
    ctx = open_context(db_path, auto_backup=False)
    editor = open_record(qtbot, RecordService(ctx), None)
    editor.set_field_value("inspection_type", "秸秆禁烧巡查")
    type_chinese(editor.editors["inspectors"].focus_target(), "张三、李四")
    photos = editor.editors["photos"]
    assert isinstance(photos, PhotosEditor)
    editor.scroll_area.ensureWidgetVisible(photos)
    choose_files(monkeypatch, files)
    with qtbot.waitSignal(photos.photos_added, timeout=20000):
        qtbot.mouseClick(photos.add_button, Qt.MouseButton.LeftButton)
    photos.strip.setCurrentRow(0)
    type_chinese(photos.caption_edit, "东侧排污口")
    photos.strip.setCurrentRow(1)
    type_chinese(photos.caption_edit, "围网完好")
    assert editor.is_dirty()
    assert editor.save(), editor.banner.text()
    assert shown_errors.messages == []
    record_id = editor.record_id
    saved = photos.value()
    editor.done(0)
    ctx.close()

    # restart: a new context on the same database file, the record opened again
    ctx = open_context(db_path, auto_backup=False)
    try:
        service = RecordService(ctx)
        assert service.get(record_id).values["photos"] == saved
        reopened = open_record(qtbot, service, record_id)
        again = reopened.editors["photos"]
        assert isinstance(again, PhotosEditor)
        assert [(p["name"], p["caption"]) for p in again.value()] == [
            ("排污口.jpg", "东侧排污口"),
            ("围网.png", "围网完好"),
        ]
        for entry, source in zip(again.value(), files, strict=True):
            stored = ctx.attachments_dir / entry["file"]
            assert stored.read_bytes() == source.read_bytes()
        assert [again.strip.item(i).text() for i in range(2)] == ["东侧排污口", "围网完好"]
        assert close_to(icon_colour(again.strip.item(0)), COLOURS["排污口.jpg"])
        assert close_to(icon_colour(again.strip.item(1)), COLOURS["围网.png"])
        assert not reopened.is_dirty()
        reopened.done(0)
    finally:
        ctx.close()


def test_a_large_photo_is_scaled_down_and_its_original_kept_when_ticked(
    qtbot, records: RecordService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shown_errors
) -> None:  # type: ignore[no-untyped-def]
    editor = shown(qtbot, create_editor(PHOTOS, records))
    assert isinstance(editor, PhotosEditor)
    assert not editor.keep_original.isChecked()  # the clerk opts in
    assert "4096" in editor.keep_original.toolTip()
    big = tmp_path / "相机" / "全景.jpg"
    big.parent.mkdir(parents=True)
    Image.new("RGB", (6000, 1500), (200, 40, 40)).save(big, "JPEG", quality=90)

    choose_files(monkeypatch, [big])
    with qtbot.waitSignal(editor.photos_added, timeout=20000):
        qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    editor.keep_original.setChecked(True)
    with qtbot.waitSignal(editor.photos_added, timeout=20000):
        qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)

    assert shown_errors.messages == []
    plain, kept = editor.value()
    folder = records.ctx.attachments_dir
    for entry in (plain, kept):
        with Image.open(folder / entry["file"]) as stored:
            assert stored.size == (4096, 1024)
    assert "original" not in plain
    assert (folder / kept["original"]).read_bytes() == big.read_bytes()
    # the entry, original included, is what the editor hands back after a reload
    editor.set_value([plain, kept])
    assert editor.value() == [plain, kept]


def test_photos_are_attached_off_the_gui_thread(
    qtbot, records: RecordService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shown_errors
) -> None:  # type: ignore[no-untyped-def]
    """A large camera photo takes seconds to decode and scale: the window answers
    meanwhile, says what it is doing, and refuses a second batch until done."""
    import threading

    threads: list[str] = []
    real_attach = photo_widget.attach_photo

    def attach(*args: Any, **kwargs: Any) -> dict[str, str]:
        threads.append(threading.current_thread().name)
        return real_attach(*args, **kwargs)

    monkeypatch.setattr(photo_widget, "attach_photo", attach)
    editor = shown(qtbot, create_editor(PHOTOS, records))
    assert isinstance(editor, PhotosEditor)
    files = [make_photo(tmp_path / "相机", "排污口.jpg"), make_photo(tmp_path / "相机", "围网.png")]
    with qtbot.waitSignal(editor.photos_added, timeout=20000) as done:
        assert editor.add_photos(files)
        assert not editor.add_button.isEnabled()
        assert "正在检查并添加 2 张照片" in editor.count_hint.text()
        assert not editor.add_photos(files)  # one batch at a time
    assert done.args == [2]
    assert threading.main_thread().name not in threads and len(threads) == 2
    assert editor.add_button.isEnabled() and "共 2 张" in editor.count_hint.text()
