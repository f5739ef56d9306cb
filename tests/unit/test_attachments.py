"""Photo attachments: real image files made with Pillow, a real attachment folder."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.maintenance.backup import create_backup, restore_backup
from gongkai_desktop.services.records import attachments
from gongkai_desktop.services.records.attachments import (
    AttachmentError,
    attach_photo,
    photo_path,
    thumbnail,
)
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.startup import open_context

GENERATED = re.compile(r"photos/\d{4}/\d{2}/[0-9a-f]{32}\.(jpg|png)")
RED, BLUE = (220, 20, 20), (20, 20, 220)


def two_colour_image(size: tuple[int, int] = (400, 300)) -> Image.Image:
    """Left half red, right half blue: tells which way a photo was turned."""
    image = Image.new("RGB", size, RED)
    image.paste(BLUE, (size[0] // 2, 0, size[0], size[1]))
    return image


def make_jpeg(path: Path, size: tuple[int, int] = (400, 300), orientation: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = two_colour_image(size)
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation  # the EXIF Orientation tag
    image.save(path, "JPEG", quality=92, exif=exif.tobytes())
    return path


def make_png(path: Path, size: tuple[int, int] = (300, 200)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGBA", size, (30, 160, 60, 200)).save(path, "PNG")
    return path


def stored_files(ctx: AppContext) -> list[Path]:
    root = ctx.attachments_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# ---- accepted ----------------------------------------------------------------------------


def test_jpeg_and_png_are_copied_under_generated_names(ctx: AppContext, tmp_path: Path) -> None:
    jpeg = make_jpeg(tmp_path / "in" / "IMG_0001.JPG")
    png = make_png(tmp_path / "in" / "排污口 截图.png")

    first = attach_photo(ctx, jpeg, "  东侧排污口  ")
    second = attach_photo(ctx, str(png))

    assert GENERATED.fullmatch(first["file"]) and first["file"].endswith(".jpg")
    assert GENERATED.fullmatch(second["file"]) and second["file"].endswith(".png")
    assert first == {"file": first["file"], "name": "IMG_0001.JPG", "caption": "东侧排污口"}
    assert second["name"] == "排污口 截图.png" and second["caption"] == ""
    # the very bytes the clerk chose, inside the attachment folder
    assert (ctx.attachments_dir / first["file"]).read_bytes() == jpeg.read_bytes()
    assert (ctx.attachments_dir / second["file"]).read_bytes() == png.read_bytes()
    assert jpeg.exists() and png.exists()  # the originals are left alone
    # no temporary files left behind
    assert stored_files(ctx) == sorted(
        [ctx.attachments_dir / first["file"], ctx.attachments_dir / second["file"]]
    )


def test_same_name_twice_gives_two_files(ctx: AppContext, tmp_path: Path) -> None:
    a = attach_photo(ctx, make_jpeg(tmp_path / "phone1" / "IMG_0001.jpg", (100, 80)))
    b = attach_photo(ctx, make_jpeg(tmp_path / "phone2" / "IMG_0001.jpg", (120, 90)))
    assert a["file"] != b["file"]
    assert a["name"] == b["name"] == "IMG_0001.jpg"
    with Image.open(ctx.attachments_dir / b["file"]) as stored:
        assert stored.size == (120, 90)


def test_extension_follows_the_content_not_the_name(ctx: AppContext, tmp_path: Path) -> None:
    png_named_jpg = tmp_path / "照片.jpg"
    Image.new("RGB", (50, 40), BLUE).save(png_named_jpg, "PNG")
    entry = attach_photo(ctx, png_named_jpg)
    assert entry["file"].endswith(".png")
    assert entry["name"] == "照片.jpg"


def test_multi_picture_jpeg_from_a_phone_is_a_jpeg(ctx: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "portrait.jpg"
    two_colour_image().save(path, "MPO", save_all=True, append_images=[two_colour_image()])
    with Image.open(path) as probe:
        assert probe.format == "MPO"  # what Pillow calls these phone files
    assert attach_photo(ctx, path)["file"].endswith(".jpg")


# ---- refused -----------------------------------------------------------------------------


def refused(ctx: AppContext, path: Path) -> str:
    with pytest.raises(AttachmentError) as caught:
        attach_photo(ctx, path)
    assert stored_files(ctx) == []  # nothing half-copied
    return str(caught.value)


def test_text_file_renamed_jpg_is_refused(ctx: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "会议纪要.jpg"
    path.write_text("这不是照片", encoding="utf-8")
    message = refused(ctx, path)
    assert "不是图片文件" in message and "会议纪要.jpg" in message


def test_empty_file_is_refused(ctx: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "空.jpg"
    path.write_bytes(b"")
    message = refused(ctx, path)
    assert "不是图片文件" in message and "空.jpg" in message


def test_truncated_jpeg_is_refused(ctx: AppContext, tmp_path: Path) -> None:
    whole = make_jpeg(tmp_path / "whole.jpg", (640, 480)).read_bytes()
    path = tmp_path / "传了一半.jpg"
    path.write_bytes(whole[: len(whole) * 2 // 3])
    message = refused(ctx, path)
    assert "图片已损坏，无法读取" in message and "传了一半.jpg" in message


def test_png_with_a_damaged_chunk_is_refused(ctx: AppContext, tmp_path: Path) -> None:
    data = bytearray(make_png(tmp_path / "ok.png").read_bytes())
    data[-20] ^= 0xFF  # inside the image data: its checksum no longer matches
    path = tmp_path / "坏.png"
    path.write_bytes(bytes(data))
    assert "图片已损坏，无法读取" in refused(ctx, path)


@pytest.mark.parametrize("kind", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_are_refused(ctx: AppContext, tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"图.{kind.lower()}"
    Image.new("RGB", (40, 30), RED).save(path, kind)
    message = refused(ctx, path)
    assert "只支持 JPG 和 PNG 照片" in message and path.name in message


def test_too_large_file_is_refused(ctx: AppContext, tmp_path: Path) -> None:
    path = make_jpeg(tmp_path / "超大.jpg")
    with path.open("r+b") as handle:  # a real JPEG, padded (sparsely) past 30 MB
        handle.truncate(30 * 1024 * 1024 + 1)
    message = refused(ctx, path)
    assert "30 MB" in message and "超大.jpg" in message


def test_missing_source_is_refused(ctx: AppContext, tmp_path: Path) -> None:
    assert "找不到文件" in refused(ctx, tmp_path / "没有这个.jpg")


def test_folder_is_refused(ctx: AppContext, tmp_path: Path) -> None:
    folder = tmp_path / "照片.jpg"
    folder.mkdir()
    assert "不是图片文件" in refused(ctx, folder)


# ---- stored paths ------------------------------------------------------------------------


def test_photo_path_is_inside_the_folder(ctx: AppContext, tmp_path: Path) -> None:
    entry = attach_photo(ctx, make_jpeg(tmp_path / "a.jpg"))
    path = photo_path(ctx, entry)
    assert path == (ctx.attachments_dir / entry["file"]).resolve()
    assert path.is_relative_to(ctx.attachments_dir.resolve())


@pytest.mark.parametrize(
    "file",
    [
        "../gongkai.db",
        "photos/../../gongkai.db",
        "/etc/passwd",
        "C:/Windows/win.ini",
        "photos\\..\\..\\gongkai.db",
        "",
        ".",
    ],
)
def test_photo_path_refuses_paths_that_leave_the_folder(ctx: AppContext, file: str) -> None:
    with pytest.raises(AttachmentError, match="不在附件文件夹中"):
        photo_path(ctx, {"file": file, "name": "x.jpg", "caption": ""})


def test_photo_path_refuses_a_link_that_leads_out(ctx: AppContext, tmp_path: Path) -> None:
    secret = tmp_path / "secret.jpg"
    make_jpeg(secret)
    ctx.attachments_dir.mkdir(parents=True, exist_ok=True)
    (ctx.attachments_dir / "link.jpg").symlink_to(secret)
    with pytest.raises(AttachmentError, match="不在附件文件夹中"):
        photo_path(ctx, {"file": "link.jpg"})


# ---- thumbnails --------------------------------------------------------------------------


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image


def test_thumbnail_fits_the_size_and_is_cached(
    ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = attach_photo(ctx, make_jpeg(tmp_path / "a.jpg", (400, 300)))
    data = thumbnail(ctx, entry, 100)
    assert open_png(data).size == (100, 75)  # 400×300 into a 100 square keeps 4:3
    cached = list((ctx.attachments_dir / "thumbnails").glob("*-100.png"))
    assert len(cached) == 1 and cached[0].read_bytes() == data

    def no_decoding(*args: object) -> bytes:
        raise AssertionError("the cached thumbnail should have been used")

    monkeypatch.setattr(attachments, "_make_thumbnail", no_decoding)
    assert thumbnail(ctx, entry, 100) == data
    monkeypatch.undo()

    other = thumbnail(ctx, entry, 40)  # another size: its own cache file
    assert open_png(other).size == (40, 30)
    assert len(list((ctx.attachments_dir / "thumbnails").glob("*.png"))) == 2


def test_thumbnail_turns_the_photo_upright(ctx: AppContext, tmp_path: Path) -> None:
    # Orientation 6: the camera was turned a quarter clockwise; viewers rotate the
    # stored pixels 90° clockwise, so the left (red) edge ends up on top.
    entry = attach_photo(ctx, make_jpeg(tmp_path / "turned.jpg", (200, 100), orientation=6))
    image = open_png(thumbnail(ctx, entry, 100)).convert("RGB")
    assert image.size == (50, 100)
    top, bottom = image.getpixel((25, 10)), image.getpixel((25, 90))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[0] > 150 and top[2] < 100  # red
    assert bottom[2] > 150 and bottom[0] < 100  # blue


def test_thumbnail_of_a_png_with_transparency(ctx: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "palette.png"
    Image.new("P", (60, 60), 3).save(path, transparency=3)
    entry = attach_photo(ctx, path)
    assert open_png(thumbnail(ctx, entry, 30)).size == (30, 30)


def test_thumbnail_of_a_missing_file_says_so(ctx: AppContext, tmp_path: Path) -> None:
    entry = attach_photo(ctx, make_jpeg(tmp_path / "a.jpg"))
    (ctx.attachments_dir / entry["file"]).unlink()
    with pytest.raises(AttachmentError, match=r"找不到照片“a\.jpg”的文件"):
        thumbnail(ctx, entry, 64)


# ---- records, backups --------------------------------------------------------------------


def inspection(photos: list[dict[str, str]]) -> dict[str, object]:
    return {
        "inspection_date": "2026-11-03",
        "inspection_type": "秸秆禁烧巡查",
        "inspectors": "张三、李四",
        "problem_found": False,
        "photos": photos,
    }


def test_deleting_a_record_keeps_its_photo_files(ctx: AppContext, tmp_path: Path) -> None:
    records = RecordService(ctx)
    entry = attach_photo(ctx, make_jpeg(tmp_path / "a.jpg"), "田间")
    view = records.create("inspection", inspection([entry]))
    records.delete(view.id)
    assert (ctx.attachments_dir / entry["file"]).is_file()  # the 回收站 can restore it
    assert records.restore(view.id).values["photos"] == [entry]


def test_photos_go_into_backups_and_come_back(db_path: Path, tmp_path: Path) -> None:
    ctx = open_context(db_path, auto_backup=False)
    try:
        entry = attach_photo(ctx, make_jpeg(tmp_path / "现场.jpg"), "焚烧点")
        record_id = RecordService(ctx).create("inspection", inspection([entry])).id
        original = (ctx.attachments_dir / entry["file"]).read_bytes()
        made = create_backup(ctx.db_path, ctx.engine, "manual")
        assert (made.path / "attachments" / entry["file"]).read_bytes() == original

        (ctx.attachments_dir / entry["file"]).unlink()  # lost after the backup
        restore_backup(ctx.db_path, made.path, ctx.engine)
    finally:
        ctx.close()

    reopened = open_context(db_path, auto_backup=False)
    try:
        assert RecordService(reopened).get(record_id).values["photos"] == [entry]
        assert photo_path(reopened, entry).read_bytes() == original
    finally:
        reopened.close()
