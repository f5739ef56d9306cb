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
import struct
import uuid
import warnings
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from gongkai_desktop.domain.errors import GongkaiError

log = logging.getLogger(__name__)

MAX_PHOTO_BYTES = 30 * 1024 * 1024
# Memory a photo's decode and scaling may take together. With the file's bytes and the
# interpreter, attaching stays under 300 MB on any photo: larger JPEGs are decoded at a
# reduced scale, PNGs above ~50 megapixels are refused with a message.
MAX_DECODED_BYTES = 250 * 1024 * 1024
# The long side of the stored copy of a large photo: an A4 page at 300 dpi is 3508 px
MAX_STORED_SIDE = 4096
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
    ctx: AttachmentFolder,
    source_path: Path | str,
    caption: str = "",
    keep_original: bool = False,
) -> dict[str, str]:
    """Check ``source_path`` is a readable JPEG or PNG, copy it into the attachment folder
    under a generated name and return the photo entry to store in the record.

    A photo longer than ``MAX_STORED_SIDE`` on its long side is stored as a copy scaled
    down to it (upright, EXIF kept): ledgers, prints and backups never need more, and a
    108-megapixel phone photo would otherwise cost a slow PC seconds every time it is
    shown. ``keep_original``: the clerk asked to keep the file as it came as well; the
    entry then names it under ``original``.

    Raises ``AttachmentError`` (Chinese, naming the file) for anything that is not a
    JPEG/PNG photo that decodes completely, is over ``MAX_PHOTO_BYTES``, or would need
    more than ``MAX_DECODED_BYTES`` of memory to decode.
    """
    source = Path(source_path)
    data = _read_source(source)
    checked = _check_image(data, source.name)
    today = date.today()
    stem = uuid.uuid4().hex
    folder = PurePosixPath(PHOTOS_FOLDER, f"{today:%Y}", f"{today:%m}")
    relative = folder / f"{stem}{checked.extension}"
    files = {relative: checked.stored if checked.stored is not None else data}
    original = None
    if keep_original and checked.stored is not None:
        original = folder / f"{stem}-原图{checked.extension}"
        files[original] = data
    for name, content in files.items():
        try:
            _write_atomically(ctx.attachments_dir / name, content)
        except OSError as exc:
            raise AttachmentError(
                f"无法把照片“{source.name}”保存到附件文件夹 {ctx.attachments_dir}"
                f"（{exc.strerror or exc}）。请检查磁盘空间和文件夹权限。"
            ) from exc
    log.info("photo %s attached as %s%s", source, relative, " (scaled down)" * bool(checked.stored))
    entry = {"file": str(relative), "name": source.name, "caption": caption.strip()}
    if original is not None:
        entry["original"] = str(original)
    return entry


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


@dataclass(frozen=True)
class CheckedImage:
    """What ``_check_image`` found: the stored extension, and the scaled-down copy to
    store instead of the file (None: the file is stored as it is)."""

    extension: str
    stored: bytes | None = None


def _decoded_bytes(mode: str, size: tuple[int, int]) -> int:
    # Pillow keeps 1-byte modes in 1 byte per pixel, 16-bit greys in 2, all else in 4
    per_pixel = 1 if mode in ("1", "L", "P") else 2 if mode.startswith("I;16") else 4
    return size[0] * size[1] * per_pixel


def _peak_bytes(mode: str, size: tuple[int, int]) -> int:
    """Memory to decode an image of ``size`` and scale it to ``MAX_STORED_SIDE``: the
    decoded picture, the resize's horizontal pass (new width × old height) and the
    result, all alive at once."""
    decoded = _decoded_bytes(mode, size)
    longest = max(size)
    if longest <= MAX_STORED_SIDE:
        return decoded
    per_pixel = decoded // (size[0] * size[1])
    new_width = -(-size[0] * MAX_STORED_SIDE // longest)
    new_height = -(-size[1] * MAX_STORED_SIDE // longest)
    return decoded + (new_width * size[1] + new_width * new_height) * per_pixel


def _too_many_pixels(name: str, size: tuple[int, int], needed: int) -> AttachmentError:
    return AttachmentError(
        f"照片“{name}”的像素尺寸过大（{size[0]}×{size[1]}），读取需要约 "
        f"{needed // (1024 * 1024)} MB 内存。请先用看图软件缩小到 "
        f"{MAX_STORED_SIDE} 像素以内再添加。"
    )


def _check_image(data: bytes, name: str) -> CheckedImage:
    """Decode ``data`` completely within ``MAX_DECODED_BYTES`` and say how to store it,
    or raise ``AttachmentError`` saying what is wrong."""
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
                decoded = _decoded_bytes(probe.mode, probe.size)
                if image_format == "PNG" and decoded * 5 // 4 > MAX_DECODED_BYTES:
                    # a PNG cannot be decoded at a reduced scale: refused before decoding
                    raise _too_many_pixels(name, probe.size, decoded * 5 // 4)
                probe.verify()  # PNG: chunk checksums; cheap, before the full decode
            if image_format == "PNG" and not png_data_complete(data):
                # Pillow fills the missing rows of a PNG whose pixel data ends early
                # without complaint: count the rows the data really holds
                raise AttachmentError(f"“{name}”图片已损坏（图像数据不完整），无法读取")
            with Image.open(io.BytesIO(data)) as image:
                stored = _decode_within_cap(image, name)
        except AttachmentError:
            raise
        except UnidentifiedImageError as exc:
            raise AttachmentError(f"“{name}”不是图片文件") from exc
        except Image.DecompressionBombError as exc:
            raise AttachmentError(f"照片“{name}”的像素尺寸过大，无法添加") from exc
        except MemoryError as exc:
            raise AttachmentError(f"照片“{name}”太大，本机内存不足以读取") from exc
        except Exception as exc:  # any decoder failure on untrusted bytes means "damaged"
            raise AttachmentError(f"“{name}”图片已损坏，无法读取") from exc
    return CheckedImage(STORED_EXTENSIONS[image_format], stored)


def _decode_within_cap(image: Any, name: str) -> bytes | None:
    """Decode the whole image (a truncated or garbled file is caught now, not when a
    report is printed months later) in at most about ``MAX_DECODED_BYTES``; returns the
    scaled-down copy to store when it is longer than ``MAX_STORED_SIDE``."""
    from PIL import Image, ImageOps

    size, image_format = image.size, image.format
    work = image
    if image_format != "PNG":
        # JPEG decodes at 1/2, 1/4 or 1/8 scale straight away (every byte of the data
        # is still decoded, so damage is still found): the least reduction that fits
        factor = next(
            (f for f in (1, 2, 4, 8) if _peak_bytes("RGB", _scaled(size, f)) <= MAX_DECODED_BYTES),
            8,
        )
        if factor > 1:
            image.draft(image.mode, _scaled(size, factor))
        image.load()
    else:
        image.load()
        if _peak_bytes(image.mode, size) > MAX_DECODED_BYTES:
            # halve first (a quarter of the memory), then let go of the full picture
            work = image.reduce(2)
            image.close()
    if work.size == size and max(size) <= MAX_STORED_SIDE:
        return None
    extras: dict[str, Any] = {}
    if work.info.get("icc_profile"):
        extras["icc_profile"] = work.info["icc_profile"]
    # in place: a copy of a large decoded photo would double the memory it takes
    ImageOps.exif_transpose(work, in_place=True)
    work.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if image_format == "PNG":
        work.save(out, "PNG", **extras)
    else:
        # the orientation tag was reset above: keep the rest (when and where it was taken)
        exif = work.getexif()
        if exif:
            extras["exif"] = exif.tobytes()
        work.convert("RGB").save(out, "JPEG", quality=90, **extras)
    return out.getvalue()


def _scaled(size: tuple[int, int], factor: int) -> tuple[int, int]:
    return (-(-size[0] // factor), -(-size[1] // factor))


def png_data_complete(data: bytes) -> bool:
    """Whether a PNG's pixel data holds every row its header declares, counted while
    decompressing in small pieces (the whole image is never held)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return False
    header = None
    inflate = zlib.decompressobj()
    produced = 0
    offset = 8
    while offset + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        body = data[offset + 8 : offset + 8 + length]
        offset += 12 + length
        if kind == b"IHDR" and len(body) == 13:
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            pending = body
            while pending:
                produced += len(inflate.decompress(pending, 1 << 20))
                pending = inflate.unconsumed_tail
        elif kind == b"IEND":
            break
    if header is None:
        return False
    while not inflate.eof:  # data held back in the decompressor's window
        piece = inflate.decompress(inflate.unconsumed_tail, 1 << 20)
        if not piece:
            break
        produced += len(piece)
    return produced >= _png_expected_bytes(*header)


# Adam7 passes: first column, first row, column step, row step
_ADAM7 = (
    (0, 0, 8, 8),
    (4, 0, 8, 8),
    (0, 4, 4, 8),
    (2, 0, 4, 4),
    (0, 2, 2, 4),
    (1, 0, 2, 2),
    (0, 1, 1, 2),
)
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def _png_expected_bytes(
    width: int, height: int, depth: int, colour: int, _c: int, _f: int, interlace: int
) -> int:
    bits = _PNG_CHANNELS.get(colour, 4) * depth

    def rows(w: int, h: int) -> int:
        return 0 if w <= 0 or h <= 0 else h * (1 + (w * bits + 7) // 8)

    if not interlace:
        return rows(width, height)
    return sum(
        rows((width - x0 + dx - 1) // dx, (height - y0 + dy - 1) // dy) for x0, y0, dx, dy in _ADAM7
    )


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
