"""Spreadsheets from outside are untrusted: what a file really is, judged by
its content, and the limits it must keep before any parser is let loose on it.

Refused, with a Chinese message and before anything is written:

- not a spreadsheet (whatever its extension says: a text file called ``.xlsx``);
- encrypted: an encrypted ``.xlsx`` is an OLE2 compound file holding the streams
  ``EncryptionInfo`` and ``EncryptedPackage``; an encrypted ``.xls`` is found by xlrd;
- a zip member compressed more than 100× (a zip bomb), or more than 1 GB uncompressed
  in all: the sizes in the zip directory are upper bounds, because Python's zipfile
  never returns more bytes than a member declares;
- an OLE2 compound file (.xls) larger than 1 GB, whose header claims more FAT sectors
  than the file has sectors, whose directory has more than 100,000 entries or holds a
  stream larger than the file, or that olefile cannot read;
- more than 1,048,576 rows (Excel's own limit), checked by the readers while streaming.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

import olefile

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
# xlrd reads an .xls whole into memory, and olefile builds the FAT in time quadratic in its
# length: the same 1 GB as an .xlsx's uncompressed content.
MAX_COMPOUND_FILE = MAX_UNCOMPRESSED
_MAX_DIRECTORY_ENTRIES = 100_000


class _BoundedOleFile(olefile.OleFileIO):
    """olefile, kept to work in proportion to the file's size whatever its header says."""

    def open(self, filename: Any, write_mode: bool = False) -> None:
        self._first_sectors: dict[bool, set[int]] = {False: set(), True: set()}
        super().open(filename, write_mode=write_mode)

    def loadfat(self, header: bytes) -> None:
        # MS-CFB: only the last FAT sector may describe sectors past the end of the file. A
        # header claiming more FAT sectors would have olefile read (and concatenate, in time
        # quadratic in their count) a FAT for sectors that do not exist.
        per_fat_sector = self.sector_size // 4
        if self.num_fat_sectors > -(-self.nb_sect // per_fat_sector) + 1:
            raise ValueError("more FAT sectors than the file has sectors")
        super().loadfat(header)

    def _check_duplicate_stream(self, first_sect: int, minifat: bool = False) -> None:
        # olefile looks every stream's first sector up in a list: a directory of n streams
        # costs n²/2 comparisons (minutes for 100,000 entries, a 13 MB file). The same
        # check with a set.
        if not minifat and first_sect in _NOT_A_SECTOR:
            return
        seen = self._first_sectors[minifat]
        if first_sect in seen:
            self._raise_defect(olefile.DEFECT_INCORRECT, "Stream referenced twice")
        else:
            seen.add(first_sect)


_NOT_A_SECTOR = frozenset((olefile.DIFSECT, olefile.FATSECT, olefile.ENDOFCHAIN, olefile.FREESECT))
_STREAM_TYPES = (olefile.STGTY_STREAM, olefile.STGTY_ROOT)


def cfb_stream_names(handle: BinaryIO, file_size: int) -> set[str]:
    """Names of the streams at the top of an OLE2 compound file (enough to tell an .xls,
    whose ``Workbook`` xlrd looks for there, from an encrypted OOXML package). olefile reads
    the header, the FAT and the directory, never a stream's content. :class:`ValueError`
    if the file is damaged or claims more than it holds."""
    try:
        with _BoundedOleFile(handle) as ole:
            entries = ole.direntries
            if len(entries) > _MAX_DIRECTORY_ENTRIES:
                raise ValueError("too many directory entries")
            for entry in entries:
                stream = entry is not None and entry.entry_type in _STREAM_TYPES
                if stream and entry.size > file_size:
                    raise ValueError(f"stream {entry.name!r} larger than the file")
            return {path[0] for path in ole.listdir(streams=True) if len(path) == 1}
    except ValueError:
        raise
    except Exception as exc:  # olefile reports damage with OSError, IndexError, struct.error…
        raise ValueError(f"damaged compound file: {exc!r}") from None


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
                if size > MAX_COMPOUND_FILE:
                    raise UntrustedFileError(
                        path, "文件超过1 GB，超出导入上限（可能是恶意构造的文件），已拒绝。"
                    )
                try:
                    names = cfb_stream_names(handle, size)
                except ValueError:
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
