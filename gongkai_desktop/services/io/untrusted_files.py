"""Spreadsheets from outside are untrusted (GUIDE §5): what a file really is, judged by
its content, and the limits it must keep before any parser is let loose on it.

Refused, with a Chinese message and before anything is written:

- not a spreadsheet (whatever its extension says: a text file called ``.xlsx``);
- encrypted: an encrypted ``.xlsx`` is an OLE2 compound file holding the streams
  ``EncryptionInfo`` and ``EncryptedPackage``; an encrypted ``.xls`` is found by xlrd;
- a zip member compressed more than 100× (a zip bomb), or more than 1 GB uncompressed
  in all: the sizes in the zip directory are upper bounds, because Python's zipfile
  never returns more bytes than a member declares;
- more than 1,048,576 rows (Excel's own limit), checked by the readers while streaming.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from gongkai_desktop.domain.errors import GongkaiError

MAX_ROWS = 1_048_576
MAX_UNCOMPRESSED = 1 << 30  # 1 GiB
MAX_RATIO = 100
# A member this small cannot hurt whatever its ratio (an openpyxl styles.xml full of
# repeated elements may compress more than 100×); the ratio applies above it.
RATIO_FLOOR = 1 << 20
MAX_MERGED_RANGES = 200_000

ZIP_MAGIC = b"PK\x03\x04"
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

FileKind = Literal["xlsx", "xls"]

NOT_A_SPREADSHEET = (
    "不是Excel表格文件（.xlsx 或 .xls）。如果是网页、CSV或文本格式，"
    "请先用Excel或WPS打开，再“另存为”Excel工作簿（.xlsx）后导入。"
)
ENCRYPTED = "文件设置了打开密码（已加密），无法读取。请在Excel或WPS中取消密码后另存，再导入。"


class UntrustedFileError(GongkaiError):
    """The file is refused before (or while) it is read; nothing has been written."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"无法导入“{self.path.name}”：{reason}")


def check_xml_defences() -> None:
    """openpyxl must parse through defusedxml (no entity expansion, no external
    entities). Called by the app and the CLI at start-up and before every import."""
    import openpyxl.xml

    if not openpyxl.xml.DEFUSEDXML:
        raise GongkaiError(
            "安全检查未通过：未启用 defusedxml（Excel 文件的安全解析组件），"
            "为防止恶意文件，已停止。请重新安装本软件。"
        )


# ---- OLE2 compound files (.xls, encrypted .xlsx) ------------------------------------------
_FREE, _END = 0xFFFFFFFF, 0xFFFFFFFE
_MAX_DIRECTORY_ENTRIES = 100_000


def _u32_list(data: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(data) // 4}I", data[: len(data) // 4 * 4]))


def cfb_stream_names(handle: BinaryIO, file_size: int) -> set[str]:
    """Names of the entries of an OLE2 compound file's directory (enough to tell an
    .xls from an encrypted OOXML package). Reads only the header, FAT and directory."""
    handle.seek(0)
    header = handle.read(512)
    if len(header) < 512 or header[:8] != CFB_MAGIC:
        raise ValueError("no compound file header")
    shift = struct.unpack_from("<H", header, 0x1E)[0]
    if shift not in (9, 12):
        raise ValueError("bad sector size")
    size = 1 << shift
    sector_count = max(0, file_size // size - 1)
    fat_sectors_n, first_dir = struct.unpack_from("<II", header, 0x2C)
    first_difat, difat_n = struct.unpack_from("<II", header, 0x44)
    if fat_sectors_n > sector_count + 1:
        raise ValueError("FAT larger than the file")

    def read_sector(n: int) -> bytes:
        if n >= sector_count:
            raise ValueError("sector outside the file")
        handle.seek((n + 1) * size)
        data = handle.read(size)
        if len(data) != size:
            raise ValueError("short sector")
        return data

    fat_sector_ids = [s for s in _u32_list(header[0x4C:512]) if s not in (_FREE, _END)]
    next_difat, seen = first_difat, 0
    while next_difat not in (_FREE, _END) and seen < difat_n and seen <= sector_count:
        entries = _u32_list(read_sector(next_difat))
        fat_sector_ids += [s for s in entries[:-1] if s not in (_FREE, _END)]
        next_difat, seen = entries[-1], seen + 1
    fat: list[int] = []
    for sector in fat_sector_ids[:fat_sectors_n]:
        fat += _u32_list(read_sector(sector))
    names: set[str] = set()
    sector, hops = first_dir, 0
    while sector not in (_FREE, _END):
        if hops > sector_count or len(names) > _MAX_DIRECTORY_ENTRIES or sector >= len(fat):
            raise ValueError("broken directory chain")
        data = read_sector(sector)
        for offset in range(0, size, 128):
            entry = data[offset : offset + 128]
            name_len = struct.unpack_from("<H", entry, 0x40)[0]
            if entry[0x42] in (1, 2, 5) and 2 <= name_len <= 64:
                names.add(entry[: name_len - 2].decode("utf-16-le", errors="replace"))
        sector, hops = fat[sector], hops + 1
    return names


# ---- zip packages (.xlsx) -------------------------------------------------------------
def check_zip(path: Path) -> None:
    """Size and ratio limits of a zip package, and that it is an Excel workbook."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UntrustedFileError(path, f"文件已损坏，不是有效的Excel工作簿（{exc}）。") from None
    total = 0
    for info in infos:
        total += info.file_size
        if total > MAX_UNCOMPRESSED:
            raise UntrustedFileError(
                path, "解压后超过1 GB，超出导入上限（可能是恶意构造的文件），已拒绝。"
            )
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise UntrustedFileError(
                path,
                f"其中的“{info.filename}”压缩比约为{ratio}倍，超过{MAX_RATIO}倍的上限"
                "（可能是“压缩炸弹”），已拒绝。",
            )
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        if "content.xml" in names or "word/document.xml" in names:
            raise UntrustedFileError(
                path, "这是WPS/OpenOffice表格或Word文档，不是Excel工作簿；请另存为 .xlsx 后导入。"
            )
        raise UntrustedFileError(path, NOT_A_SPREADSHEET)
    if "xl/workbook.bin" in names:
        raise UntrustedFileError(path, "不支持 .xlsb 二进制工作簿，请另存为 .xlsx 后导入。")


@dataclass(frozen=True)
class CheckedFile:
    path: Path
    kind: FileKind
    size: int


def inspect_file(path: Path) -> CheckedFile:
    """What the file really is, or :class:`UntrustedFileError`. Nothing is parsed yet
    beyond the zip directory or the compound file's directory."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            magic = handle.read(8)
            if magic == CFB_MAGIC:
                try:
                    names = cfb_stream_names(handle, size)
                except (ValueError, struct.error, OSError):
                    raise UntrustedFileError(path, "文件已损坏，无法读取。") from None
                lowered = {n.lower() for n in names}
                if {"encryptioninfo", "encryptedpackage"} & lowered:
                    raise UntrustedFileError(path, ENCRYPTED)
                if {"workbook", "book"} & lowered:
                    return CheckedFile(path, "xls", size)
                raise UntrustedFileError(path, NOT_A_SPREADSHEET)
    except FileNotFoundError:
        raise UntrustedFileError(path, "找不到该文件。") from None
    except IsADirectoryError:
        raise UntrustedFileError(path, "这是一个文件夹，不是Excel文件。") from None
    except PermissionError:
        raise UntrustedFileError(
            path, "没有读取该文件的权限（文件可能正在被其他程序使用）。"
        ) from None
    if magic.startswith(ZIP_MAGIC):
        check_zip(path)
        return CheckedFile(path, "xlsx", size)
    raise UntrustedFileError(path, NOT_A_SPREADSHEET)
