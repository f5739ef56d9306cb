"""Photo attachments: checked, copied into the attachment folder, shown as thumbnails.

A photo is stored as a record value ``{"file", "name", "caption"}`` (see
``forms.values``): ``file`` is a generated name relative to the attachment folder
(``photos/2026/11/<uuid>.jpg``), ``name`` the clerk's original file name, kept only as
data, ``caption`` the clerk's description. Generated names mean two photos called
``IMG_0001.JPG`` from two phones never overwrite each other, and a record never points
at a file outside the folder that backups take along.

Files are never deleted here: not when a photo is removed from a record, and not when
the record is deleted. A deleted record waits in the 回收站 and restoring it must bring
its photos back; older values in the audit log and earlier backups may name them too.

No Qt in here: the CLI and the tests use the same checks as the editor.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import uuid
import warnings
from collections.abc import Mapping
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Protocol

from gongkai_desktop.domain.errors import GongkaiError

log = logging.getLogger(__name__)

MAX_PHOTO_BYTES = 30 * 1024 * 1024
# Pillow's format name → the extension of the stored copy. The original extension is not
# trusted (a PNG called .jpg is stored as .png). "MPO" is how Pillow names the
# multi-picture JPEGs many phones and cameras write; they are ordinary JPEG files.
STORED_EXTENSIONS = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png"}
PHOTOS_FOLDER = "photos"
THUMBNAILS_FOLDER = "thumbnails"


class AttachmentError(GongkaiError):
    """A photo that cannot be attached or read; the message names the file."""


class AttachmentFolder(Protocol):
    """What these functions need of the ``AppContext``: where the attachments live."""

    @property
    def attachments_dir(self) -> Path: ...


def attach_photo(
    ctx: AttachmentFolder, source_path: Path | str, caption: str = ""
) -> dict[str, str]:
    """Check ``source_path`` is a readable JPEG or PNG, copy it into the attachment folder
    under a generated name and return the photo entry to store in the record.

    Raises ``AttachmentError`` (Chinese, naming the file) for anything that is not a
    JPEG/PNG photo one can open, or is over ``MAX_PHOTO_BYTES``.
    """
    source = Path(source_path)
    data = _read_source(source)
    extension = _check_image(data, source.name)
    today = date.today()
    relative = PurePosixPath(
        PHOTOS_FOLDER, f"{today:%Y}", f"{today:%m}", f"{uuid.uuid4().hex}{extension}"
    )
    target = ctx.attachments_dir / relative
    try:
        _write_atomically(target, data)
    except OSError as exc:
        raise AttachmentError(
            f"无法把照片“{source.name}”保存到附件文件夹 {ctx.attachments_dir}"
            f"（{exc.strerror or exc}）。请检查磁盘空间和文件夹权限。"
        ) from exc
    log.info("photo %s attached as %s", source, relative)
    return {"file": str(relative), "name": source.name, "caption": caption.strip()}


def photo_path(ctx: AttachmentFolder, entry: Mapping[str, str]) -> Path:
    """The stored file of a photo entry, resolved; refuses any path outside the folder.

    Entries come from the database, which a clerk may have imported or edited by hand,
    so the name is checked again here rather than trusted (a symlink inside the folder
    that leads out of it is refused too).
    """
    file = str(entry.get("file") or "")
    relative = PurePosixPath(file)
    root = ctx.attachments_dir.resolve()
    outside = (
        not file or "\\" in file or ":" in file or relative.is_absolute() or ".." in relative.parts
    )
    path = (root / relative).resolve()
    if outside or not path.is_relative_to(root) or path == root:
        raise AttachmentError(f"照片文件“{file}”不在附件文件夹中，已拒绝打开")
    return path


def thumbnail(ctx: AttachmentFolder, entry: Mapping[str, str], size: int) -> bytes:
    """PNG bytes of the photo scaled to fit a ``size``×``size`` square, upright as the
    camera meant it (EXIF orientation). Cached in ``thumbnails/`` inside the attachment
    folder, so reopening a record does not decode every camera photo again."""
    source = photo_path(ctx, entry)
    label = entry.get("name") or entry.get("file") or ""
    cached = _thumbnail_path(ctx, str(entry["file"]), size)
    try:
        if cached.stat().st_mtime_ns >= source.stat().st_mtime_ns:
            return cached.read_bytes()
    except OSError:
        pass  # no cache yet, or no source: made (or reported) below
    if not source.is_file():
        raise AttachmentError(
            f"找不到照片“{label}”的文件（{entry.get('file')}）。"
            "附件文件夹可能被移动或删除，可从备份恢复。"
        )
    data = _make_thumbnail(source, size, label)
    try:
        _write_atomically(cached, data)
    except OSError as exc:  # a cache that cannot be written only costs time next time
        log.warning("thumbnail cache %s not written: %s", cached, exc)
    return data


# ---- helpers ---------------------------------------------------------------------------


def _read_source(source: Path) -> bytes:
    """The file's bytes, read once: what is checked is exactly what gets stored."""
    name = source.name
    try:
        size = source.stat().st_size
        if not source.is_file():
            raise AttachmentError(f"“{name}”不是图片文件")
        if size > MAX_PHOTO_BYTES:
            raise AttachmentError(_too_large(name, size))
        with source.open("rb") as handle:
            data = handle.read(MAX_PHOTO_BYTES + 1)
    except FileNotFoundError as exc:
        raise AttachmentError(f"找不到文件“{name}”（{source}）") from exc
    except OSError as exc:
        raise AttachmentError(f"无法读取文件“{name}”（{exc.strerror or exc}）") from exc
    if len(data) > MAX_PHOTO_BYTES:  # it grew after the size was checked
        raise AttachmentError(_too_large(name, len(data)))
    if not data:
        raise AttachmentError(f"“{name}”不是图片文件（文件是空的）")
    return data


def _too_large(name: str, size: int) -> str:
    megabytes = MAX_PHOTO_BYTES // (1024 * 1024)
    return (
        f"照片“{name}”太大（{size / (1024 * 1024):.1f} MB），"
        f"不能超过 {megabytes} MB。请先用手机或看图软件压缩后再添加。"
    )


def _check_image(data: bytes, name: str) -> str:
    """The stored extension for ``data``, or ``AttachmentError`` saying what is wrong."""
    # Pillow only when a photo is handled: the window's start never needs it
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        # Camera photos above Pillow's 89-megapixel warning are real photos; the hard
        # limit (DecompressionBombError, twice that) still refuses absurd sizes.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format or ""
                if image_format not in STORED_EXTENSIONS:
                    raise AttachmentError(
                        f"“{name}”是 {image_format or '未知'} 格式的图片，只支持 JPG 和 PNG 照片"
                    )
                probe.verify()  # PNG: chunk checksums; cheap, before the full decode
            # verify() leaves the image unusable, and it does not decode JPEG data at
            # all: decode once in full so a truncated or garbled file is caught now,
            # not when a report is printed months later.
            with Image.open(io.BytesIO(data)) as image:
                image.load()
        except AttachmentError:
            raise
        except UnidentifiedImageError as exc:
            raise AttachmentError(f"“{name}”不是图片文件") from exc
        except Image.DecompressionBombError as exc:
            raise AttachmentError(f"照片“{name}”的像素尺寸过大，无法添加") from exc
        except Exception as exc:  # any decoder failure on untrusted bytes means "damaged"
            raise AttachmentError(f"“{name}”图片已损坏，无法读取") from exc
    return STORED_EXTENSIONS[image_format]


def _write_atomically(target: Path, data: bytes) -> None:
    """Write beside the target, flush to disk, then rename: no half-written photo ever
    carries the final name, even after a power cut."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with temporary.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _thumbnail_path(ctx: AttachmentFolder, file: str, size: int) -> Path:
    # keyed by the stored name (its hash keeps equal stems in different folders apart)
    # and by the size, so each size the UI asks for is made once
    digest = hashlib.sha1(file.encode("utf-8")).hexdigest()[:10]
    return (
        ctx.attachments_dir / THUMBNAILS_FOLDER / f"{PurePosixPath(file).stem}-{digest}-{size}.png"
    )


def _make_thumbnail(source: Path, size: int, label: str) -> bytes:
    from PIL import Image, ImageOps

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(source) as image:
                # JPEG: decode at 1/2…1/8 scale straight away, far faster for camera photos
                image.draft("RGB", (size, size))
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail((size, size), Image.Resampling.LANCZOS)
                if upright.mode not in ("RGB", "RGBA", "L", "LA"):
                    has_alpha = upright.mode in ("PA", "RGBa") or "transparency" in upright.info
                    upright = upright.convert("RGBA" if has_alpha else "RGB")
                out = io.BytesIO()
                upright.save(out, "PNG")
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
            raise AttachmentError(f"照片“{label}”已损坏，无法读取") from exc
    return out.getvalue()
