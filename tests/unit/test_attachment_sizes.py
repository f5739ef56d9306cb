"""Large and lying photos: PNGs whose pixel data ends early, pictures too large to decode,
large camera photos stored scaled down (the original only when asked), and the memory
attaching takes."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image

from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records.attachments import (
    MAX_STORED_SIDE,
    AttachmentError,
    attach_photo,
    photo_path,
    png_data_complete,
)
from gongkai_desktop.services.records.service import RecordService

from .test_attachments import BLUE, RED, inspection, make_jpeg, stored_files

GREEN = (40, 120, 80)


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def handmade_png(
    width: int, height: int, rows: int | None = None, interlaced: bool = False
) -> bytes:
    """An RGB PNG of one colour written byte by byte (valid chunk checksums), holding
    only ``rows`` rows of pixel data when given; Adam7-interlaced on request."""
    pixel = bytes(GREEN)
    if interlaced:
        passes = (
            (0, 0, 8, 8),
            (4, 0, 8, 8),
            (0, 4, 4, 8),
            (2, 0, 4, 4),
            (0, 2, 2, 4),
            (1, 0, 2, 2),
            (0, 1, 1, 2),
        )
        raw = b""
        for x0, y0, dx, dy in passes:
            pass_width = (width - x0 + dx - 1) // dx
            pass_height = (height - y0 + dy - 1) // dy
            if pass_width > 0 and pass_height > 0:
                raw += (b"\x00" + pixel * pass_width) * pass_height
    else:
        raw = (b"\x00" + pixel * width) * (height if rows is None else rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 1 if interlaced else 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def test_a_png_holding_fewer_rows_than_it_claims_is_refused(
    ctx: AppContext, tmp_path: Path
) -> None:
    short = tmp_path / "巡查照片.png"
    short.write_bytes(handmade_png(3000, 3000, rows=10))
    assert size_of(short) == (3000, 3000)  # the header claims the full size

    with pytest.raises(AttachmentError, match=r"巡查照片\.png.*不完整"):
        attach_photo(ctx, short)
    assert stored_files(ctx) == []


def test_complete_pngs_plain_and_interlaced_are_accepted(ctx: AppContext, tmp_path: Path) -> None:
    for name, interlaced in (("plain.png", False), ("adam7.png", True)):
        data = handmade_png(37, 23, interlaced=interlaced)
        assert png_data_complete(data)
        (tmp_path / name).write_bytes(data)
        entry = attach_photo(ctx, tmp_path / name)
        with Image.open(photo_path(ctx, entry)) as stored:
            assert stored.size == (37, 23)
            assert stored.convert("RGB").getpixel((36, 22)) == GREEN
    assert not png_data_complete(handmade_png(37, 23, rows=22))


def test_a_png_too_large_to_decode_is_refused_before_decoding(
    ctx: AppContext, tmp_path: Path
) -> None:
    huge = tmp_path / "大图.png"
    huge.write_bytes(handmade_png(13000, 13000))  # ~0.5 MB on disk, 676 MB decoded
    assert huge.stat().st_size < 2 * 1024 * 1024

    with pytest.raises(AttachmentError) as caught:
        attach_photo(ctx, huge)

    message = str(caught.value)
    assert "大图.png" in message and "13000×13000" in message and "像素尺寸过大" in message
    assert f"{MAX_STORED_SIDE} 像素" in message
    assert stored_files(ctx) == []


def test_a_large_photo_is_stored_upright_scaled_down_with_its_exif(
    ctx: AppContext, tmp_path: Path
) -> None:
    # taken sideways (orientation 6: turn 90° clockwise to view), 5000×3000 as stored
    source = tmp_path / "DSC_0042.JPG"
    make_jpeg(source, size=(5000, 3000), orientation=6)
    with Image.open(source) as taken:
        exif = taken.getexif()
        exif[0x0132] = "2026:11:03 09:15:00"  # DateTime
        taken.load()
        taken.save(source, "JPEG", quality=92, exif=exif.tobytes())

    entry = attach_photo(ctx, source, "水源地一级保护区")

    assert "original" not in entry
    assert entry["name"] == "DSC_0042.JPG"
    assert len(stored_files(ctx)) == 1
    with Image.open(photo_path(ctx, entry)) as stored:
        # upright: 3000 wide, 5000 tall → scaled to 4096 on the long side
        assert stored.size == (round(3000 * MAX_STORED_SIDE / 5000), MAX_STORED_SIDE)
        kept = stored.getexif()
        assert kept.get(0x0132) == "2026:11:03 09:15:00"
        assert kept.get(0x0112, 1) == 1  # already turned: no second turn by a viewer
        upright = stored.convert("RGB")
        # red was the left half; turned clockwise it is the top half
        top, bottom = upright.getpixel((10, 10)), upright.getpixel((10, stored.size[1] - 10))
    assert _near(top, RED) and _near(bottom, BLUE)


def test_the_original_is_kept_only_when_asked(ctx: AppContext, tmp_path: Path) -> None:
    source = make_jpeg(tmp_path / "原图.jpg", size=(6000, 2000))
    small = make_jpeg(tmp_path / "小图.jpg", size=(800, 600))

    entry = attach_photo(ctx, source, keep_original=True)
    unchanged = attach_photo(ctx, small, keep_original=True)

    original = photo_path(ctx, {"file": entry["original"]})
    assert original.read_bytes() == source.read_bytes()
    assert original.name.endswith("-原图.jpg")
    assert size_of(photo_path(ctx, entry)) == (MAX_STORED_SIDE, 1365)
    # a photo within the size is stored as it came, once
    assert "original" not in unchanged
    assert photo_path(ctx, unchanged).read_bytes() == small.read_bytes()
    assert len(stored_files(ctx)) == 3
    # the record keeps the original's name through the form engine
    view = RecordService(ctx).create("inspection", inspection([entry, unchanged]))
    assert RecordService(ctx).get(view.id).values["photos"] == [entry, unchanged]


def size_of(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


def _near(pixel: tuple[int, ...], colour: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(pixel, colour, strict=False))


ATTACH_AND_MEASURE = """
import json, sys
from pathlib import Path
from gongkai_desktop.services.records.attachments import attach_photo

class Folder:
    attachments_dir = Path(sys.argv[2])

try:
    entry = attach_photo(Folder(), sys.argv[1])
    outcome = entry["file"]
except Exception as exc:
    outcome = type(exc).__name__ + ": " + str(exc)
# VmHWM: this process's own peak (getrusage may carry the forking parent's over exec)
status = Path("/proc/self/status").read_text()
peak = int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1]) / 1024
print(json.dumps({"outcome": outcome, "peak_mb": peak}))
"""


@pytest.mark.skipif(sys.platform != "linux", reason="peak memory read from /proc/self/status")
@pytest.mark.parametrize(
    ("size", "kind"), [((13000, 9000), "JPEG"), ((13000, 13000), "PNG"), ((7000, 7000), "PNG")]
)
def test_attaching_a_huge_picture_stays_within_300_mb(
    tmp_path: Path, size: tuple[int, int], kind: str
) -> None:
    """Each picture is made and attached in processes of its own, so that the peak
    measured is the attach alone."""
    picture = tmp_path / f"huge.{kind.lower()}"
    if kind == "PNG":
        picture.write_bytes(handmade_png(*size))
    else:
        make = f"from PIL import Image; Image.new('RGB', {size}, (40, 120, 80)).save({str(picture)!r}, 'JPEG', quality=85)"
        subprocess.run([sys.executable, "-c", make], check=True)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", ATTACH_AND_MEASURE, str(picture), str(tmp_path / "attachments")],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    assert measured["peak_mb"] < 300, measured
    if kind == "JPEG" or size == (7000, 7000):
        assert measured["outcome"].startswith("photos/"), measured
        stored = tmp_path / "attachments" / measured["outcome"]
        # scaled to the stored size, or halved when that needed too much memory
        assert MAX_STORED_SIDE * 3 // 4 <= max(size_of(stored)) <= MAX_STORED_SIDE
    else:
        assert "像素尺寸过大" in measured["outcome"], measured
