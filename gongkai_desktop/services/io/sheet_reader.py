"""Rows of a worksheet, streamed: .xlsx through openpyxl's read-only mode, legacy .xls
through xlrd. A row is ``(row number, values)``; merged cells read as their top-left
value; no openpyxl cell object is kept. Files must have passed
:func:`untrusted_files.inspect_file` first.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from gongkai_desktop.services.io.untrusted_files import (
    ENCRYPTED,
    MAX_MERGED_RANGES,
    MAX_ROWS,
    CheckedFile,
    UntrustedFileError,
    check_xml_defences,
)

Row = tuple[int, tuple[Any, ...]]
Merge = tuple[int, int, int, int]  # min_row, min_col, max_row, max_col (1-based, inclusive)

_TOO_MANY_ROWS = (
    f"工作表“{{sheet}}”超过{MAX_ROWS:,}行（Excel的上限），可能是恶意构造的文件，已拒绝。"
)


_UNSAFE_XML = "含有XML实体声明或外部引用，可能是恶意构造的文件，已拒绝"


def _reason(exc: Exception) -> str:
    # defusedxml's refusals, raised directly or wrapped by openpyxl, in Chinese
    if isinstance(exc, DefusedXmlException) or isinstance(exc.__cause__, DefusedXmlException):
        return _UNSAFE_XML
    return str(exc) or type(exc).__name__


class SheetSource(Protocol):
    sheet_names: list[str]

    def rows(self, sheet: str, limit: int | None = None) -> Iterator[Row]: ...

    def close(self) -> None: ...


class _MergeFiller:
    """Gives every cell of a merged range the value of its top-left cell, row by row."""

    def __init__(self, merges: list[Merge]) -> None:
        self.starting: dict[int, list[Merge]] = {}
        for merge in merges:
            if merge[0] != merge[2] or merge[1] != merge[3]:
                self.starting.setdefault(merge[0], []).append(merge)
        self.active: list[tuple[Merge, Any]] = []

    def fill(self, number: int, values: tuple[Any, ...]) -> tuple[Any, ...]:
        if not self.starting and not self.active:
            return values
        self.active = [(m, v) for m, v in self.active if m[2] >= number]
        for merge in self.starting.pop(number, ()):
            col = merge[1] - 1
            self.active.append((merge, values[col] if col < len(values) else None))
        if not self.active:
            return values
        width = max(len(values), *(m[3] for m, _ in self.active))
        out = list(values) + [None] * (width - len(values))
        for merge, value in self.active:
            for col in range(merge[1] - 1, merge[3]):
                out[col] = value
        return tuple(out)


# ---- .xlsx --------------------------------------------------------------------------------
# A cell reference as Excel writes it (at most XFD1048576); anything else is not a merge.
_REF = re.compile(r"[A-Za-z]{1,3}\d{1,7}(?::[A-Za-z]{1,3}\d{1,7})?")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _merge(ref: str) -> Merge | None:
    # openpyxl (0.2-0.4 s to import) only when a sheet is read, not when the window starts
    from openpyxl.utils.cell import range_boundaries

    if not _REF.fullmatch(ref):
        return None
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
    except ValueError:
        return None
    if min_col is None or min_row is None or max_col is None or max_row is None:
        return None
    return min_row, min_col, max_row, max_col


def _scan_merges(stream: Any, path: Path, sheet: str) -> list[Merge]:
    """``<mergeCell ref=…>`` of a sheet's XML (openpyxl's read-only mode does not report
    merged cells), read by defusedxml's ``iterparse``: no entity is expanded, nothing
    external is fetched. The tree is emptied as it is read, so memory stays flat however
    long ``sheetData`` is, and the parse stops at the end of ``mergeCells``."""
    merges: list[Merge] = []
    open_elements: list[Any] = []
    for event, element in iterparse(stream, events=("start", "end")):
        if event == "start":
            open_elements.append(element)
            continue
        open_elements.pop()
        tag = _local(element.tag)
        if tag == "mergeCell":
            merge = _merge(element.get("ref", ""))
            if merge is not None:
                merges.append(merge)
            if len(merges) > MAX_MERGED_RANGES:
                raise UntrustedFileError(
                    path, f"工作表“{sheet}”的合并单元格超过{MAX_MERGED_RANGES:,}处，已拒绝。"
                )
        elif tag == "mergeCells":
            break  # nothing after it is about merged cells
        if open_elements:
            del open_elements[-1][:]  # the parent forgets its finished child
    return merges


_CHUNK = 1 << 20
_MERGE_OPEN = b"<mergeCells"
_MERGE_CLOSE = b"</mergeCells>"
_FULL_PARSE = (b"<![CDATA[", b":mergeCells", b"<!DOCTYPE", b"<!ENTITY")


def _merges_fragment(stream: Any) -> bytes | None:
    """The ``<mergeCells>…</mergeCells>`` element of a sheet's XML found by a byte search
    (a C-speed scan of the decompressed member instead of parsing every cell), or None
    when the quick way cannot be trusted to be exact or safe: a CDATA section (which could
    hold the same bytes as text), a namespace prefix on the element, a document type
    declaration (defusedxml refuses it in the full parse); the caller then parses the
    whole sheet. ``b""``: the sheet has no merged cells."""
    tail = b""
    found: bytearray | None = None
    while chunk := stream.read(_CHUNK):
        data = tail + chunk
        if found is None:
            if any(mark in data for mark in _FULL_PARSE):
                return None
            at = data.find(_MERGE_OPEN)
            if at < 0:
                tail = data[-32:]  # a tag split between two chunks
                continue
            found = bytearray(data[at:])
        else:
            found += chunk
        end = found.find(_MERGE_CLOSE)
        if end >= 0:
            return bytes(found[: end + len(_MERGE_CLOSE)])
        if found.rstrip().endswith(b"/>") and found.find(b">") == len(found.rstrip()) - 1:
            return bytes(found)  # <mergeCells count="0"/>
        if len(found) > 64 * _CHUNK:
            return None
    if found is None:
        return b""
    return None  # not closed: let the full parse report the broken XML


def _parse_fragment(fragment: bytes, path: Path, sheet: str) -> list[Merge]:
    from defusedxml.ElementTree import fromstring

    merges: list[Merge] = []
    for element in fromstring(fragment):
        if _local(element.tag) != "mergeCell":
            continue
        merge = _merge(element.get("ref", ""))
        if merge is not None:
            merges.append(merge)
        if len(merges) > MAX_MERGED_RANGES:
            raise UntrustedFileError(
                path, f"工作表“{sheet}”的合并单元格超过{MAX_MERGED_RANGES:,}处，已拒绝。"
            )
    return merges


def sheet_merges(path: Path, member: str, sheet: str) -> list[Merge]:
    """Merged ranges of one worksheet of a package, or :class:`UntrustedFileError`."""
    try:
        with zipfile.ZipFile(path) as archive:
            with archive.open(member) as stream:
                fragment = _merges_fragment(stream)
            if fragment == b"":
                return []
            if fragment is not None:
                return _parse_fragment(fragment, path, sheet)
            with archive.open(member) as stream:
                return _scan_merges(stream, path, sheet)
    except UntrustedFileError:
        raise
    except Exception as exc:  # bad XML, defusedxml's refusals, a broken zip member
        raise UntrustedFileError(path, f"无法读取工作表“{sheet}”（{_reason(exc)}）。") from None


class XlsxSource:
    def __init__(self, checked: CheckedFile) -> None:
        import openpyxl

        check_xml_defences()
        self.path = checked.path
        # openpyxl reads from our handle, so that a file it fails on is still closed
        self.handle = checked.path.open("rb")
        try:
            self.book = openpyxl.load_workbook(
                self.handle, read_only=True, data_only=True, keep_links=False
            )
        except Exception as exc:  # openpyxl reports broken packages with many types
            self.handle.close()
            raise UntrustedFileError(
                self.path, f"无法读取该Excel文件（{_reason(exc)}）。"
            ) from None
        self.sheet_names = [
            ws.title for ws in self.book.worksheets if getattr(ws, "sheet_state", "") != "hidden"
        ] or list(self.book.sheetnames)
        self._merge_cache: dict[str, list[Merge]] = {}

    def _merges(self, ws: Any) -> list[Merge]:
        # one parse per sheet: the header search and the import read the same source
        if ws.title in self._merge_cache:
            return self._merge_cache[ws.title]
        member = getattr(ws, "_worksheet_path", None)
        merges = sheet_merges(self.path, member, ws.title) if member else []
        self._merge_cache[ws.title] = merges
        return merges

    def rows(self, sheet: str, limit: int | None = None) -> Iterator[Row]:
        ws = self.book[sheet]
        claimed = ws.max_row
        if claimed is not None and claimed > MAX_ROWS:
            raise UntrustedFileError(self.path, _TOO_MANY_ROWS.format(sheet=sheet))
        filler = _MergeFiller(self._merges(ws))
        # a wrong <dimension> (common in files other programs wrote) would cut rows off
        ws.reset_dimensions()
        try:
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                if number > MAX_ROWS:
                    raise UntrustedFileError(self.path, _TOO_MANY_ROWS.format(sheet=sheet))
                if limit is not None and number > limit:
                    return
                yield number, filler.fill(number, values)
        except UntrustedFileError:
            raise
        except Exception as exc:  # a sheet that breaks the parser (or defusedxml's rules)
            raise UntrustedFileError(
                self.path, f"无法读取工作表“{sheet}”（{_reason(exc)}）。"
            ) from None

    def close(self) -> None:
        try:
            self.book.close()
        finally:
            self.handle.close()


# ---- .xls ---------------------------------------------------------------------------------
class XlsSource:
    def __init__(self, checked: CheckedFile) -> None:
        try:
            import xlrd
        except ImportError:  # pragma: no cover - a packaging mistake
            raise UntrustedFileError(
                checked.path, "本软件缺少读取 .xls 的组件 xlrd，请另存为 .xlsx 后导入。"
            ) from None
        self.xlrd = xlrd
        self.path = checked.path
        self.book = self._open(formatting_info=True)
        self.sheet_names = list(self.book.sheet_names())

    def _open(self, formatting_info: bool) -> Any:
        xlrd = self.xlrd
        try:
            return xlrd.open_workbook(
                str(self.path), formatting_info=formatting_info, on_demand=True
            )
        except xlrd.XLRDError as exc:
            if "encrypt" in str(exc).lower():
                raise UntrustedFileError(self.path, ENCRYPTED) from None
            raise UntrustedFileError(self.path, f"无法读取该 .xls 文件（{exc}）。") from None
        except NotImplementedError:
            if formatting_info:  # some writers' formatting records; merges are lost
                return self._open(formatting_info=False)
            raise UntrustedFileError(self.path, "无法读取该 .xls 文件的格式。") from None
        except Exception as exc:
            raise UntrustedFileError(self.path, f"无法读取该 .xls 文件（{exc}）。") from None

    def _value(self, cell: Any) -> Any:
        xlrd = self.xlrd
        ctype, value = cell.ctype, cell.value
        if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
            return None
        if ctype == xlrd.XL_CELL_DATE:
            try:
                moment: datetime = xlrd.xldate_as_datetime(value, self.book.datemode)
            except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                return value
            return moment
        if ctype == xlrd.XL_CELL_BOOLEAN:
            return bool(value)
        if ctype == xlrd.XL_CELL_NUMBER and float(value).is_integer():
            return int(value)
        return value

    def rows(self, sheet: str, limit: int | None = None) -> Iterator[Row]:
        try:
            ws = self.book.sheet_by_name(sheet)  # on demand: the sheet's records are read here
            if ws.nrows > MAX_ROWS:
                raise UntrustedFileError(self.path, _TOO_MANY_ROWS.format(sheet=sheet))
            merges = [(rlo + 1, clo + 1, rhi, chi) for rlo, rhi, clo, chi in ws.merged_cells]
            filler = _MergeFiller(merges)
            count = ws.nrows if limit is None else min(ws.nrows, limit)
            for index in range(count):
                values = tuple(self._value(c) for c in ws.row(index))
                yield index + 1, filler.fill(index + 1, values)
            self.book.unload_sheet(sheet)
        except UntrustedFileError:
            raise
        except Exception as exc:  # xlrd reports damaged records with many types
            raise UntrustedFileError(
                self.path, f"无法读取工作表“{sheet}”（{_reason(exc)}）。"
            ) from None

    def close(self) -> None:
        self.book.release_resources()


def open_source(checked: CheckedFile) -> SheetSource:
    return XlsxSource(checked) if checked.kind == "xlsx" else XlsSource(checked)
