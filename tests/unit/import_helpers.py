"""Builders of hand-kept and hostile spreadsheets for the import tests (written with
openpyxl/xlwt or byte by byte, never with the code under test)."""

from __future__ import annotations

import sqlite3
import struct
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl

FOOTER = ["填表人：张三", None, None, None, "审核人：李四", None, None, "联系电话：0871-1234567"]


def write_xlsx(
    path: Path,
    rows: Sequence[Sequence[Any]],
    merges: Sequence[str] = (),
    number_formats: dict[str, str] | None = None,
    as_text: Sequence[str] = (),
) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    for area in merges:
        sheet.merge_cells(area)
    for ref, fmt in (number_formats or {}).items():
        sheet[ref].number_format = fmt
    for ref in as_text:  # text that looks like a formula, as a clerk may have typed it
        sheet[ref].data_type = "s"
    book.save(path)
    return path


def read_rows(path: Path) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def stored(db_path: Path, form_id: str) -> list[dict[str, Any]]:
    """Values of the live records of a form, oldest first, read with sqlite3."""
    import json

    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute(
            "SELECT data FROM records WHERE form_id = ? AND deleted = 0 ORDER BY rowid",
            (form_id,),
        ).fetchall()
    finally:
        conn.close()
    return [json.loads(r[0]) for r in rows]


def sites(db_path: Path) -> dict[str, dict[str, Any]]:
    """name → values of every live site."""
    return {s["name"]: s for s in stored(db_path, "site")}


def site_id(db_path: Path, name: str) -> str:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(
            "SELECT id FROM records WHERE form_id = 'site' AND title = ?", (name,)
        ).fetchone()[0]
    finally:
        conn.close()


# ---- hostile files ----------------------------------------------------------------------------
def cfb_file(path: Path, stream_names: Sequence[str]) -> Path:
    """A minimal OLE2 compound file (512-byte sectors): header, one FAT sector, one
    directory sector holding a root entry and empty streams of the given names."""
    end, free, fat_mark = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9)  # minor, major, order, shift
    struct.pack_into("<H", header, 0x20, 6)  # mini sector shift
    struct.pack_into("<I", header, 0x2C, 1)  # one FAT sector
    struct.pack_into("<I", header, 0x30, 1)  # directory starts at sector 1
    struct.pack_into("<I", header, 0x38, 4096)  # mini stream cutoff
    struct.pack_into("<IIII", header, 0x3C, end, 0, end, 0)  # no mini FAT, no DIFAT sectors
    difat = [0] + [free] * 108
    struct.pack_into("<109I", header, 0x4C, *difat)
    fat = [fat_mark, end] + [free] * 126
    fat_sector = struct.pack("<128I", *fat)
    directory = bytearray(512)
    names = ["Root Entry", *stream_names][:4]
    for index, name in enumerate(names):
        entry = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        entry[: len(encoded)] = encoded
        struct.pack_into("<H", entry, 0x40, len(encoded))
        entry[0x42] = 5 if index == 0 else 2
        struct.pack_into("<III", entry, 0x44, free, free, free)
        if index == 0 and len(names) > 1:
            struct.pack_into("<I", entry, 0x4C, 1)  # child: the first stream
        if 0 < index < len(names) - 1:
            struct.pack_into("<I", entry, 0x48, index + 1)  # right sibling
        struct.pack_into("<I", entry, 0x74, end)
        directory[index * 128 : (index + 1) * 128] = entry
    path.write_bytes(bytes(header) + fat_sector + bytes(directory))
    return path


def zip_bomb_xlsx(path: Path, source: Path, size: int = 30 << 20) -> Path:
    """A real workbook with one extra member of ``size`` zero bytes (ratio ≈ 1000×)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info, src.read(info.filename))
        out.writestr("xl/media/padding.bin", b"\0" * size)
    return path


def claim_huge_size(path: Path, source: Path, claimed: int = (1 << 30) + 1) -> Path:
    """A copy of a workbook whose zip central directory claims ``claimed`` uncompressed
    bytes for its first member (ZIP64 not needed below 4 GiB)."""
    data = bytearray(source.read_bytes())
    at = data.rfind(b"PK\x01\x02", 0, len(data))
    first = data.find(b"PK\x01\x02")
    assert first != -1 and at != -1
    struct.pack_into("<I", data, first + 24, claimed)  # uncompressed size
    path.write_bytes(bytes(data))
    return path


def rewrite_member(path: Path, source: Path, member: str, transform: Any) -> Path:
    """Copy of a workbook with one member's bytes changed by ``transform``."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == member:
                data = transform(data)
            out.writestr(info.filename, data)
    return path
