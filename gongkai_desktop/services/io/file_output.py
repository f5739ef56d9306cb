"""Writing an output file (ledger, report, PDF) so that an interrupted or failed write
never leaves a half-written file under the final name: a temporary file in the same
folder, flushed, fsynced, then renamed over the target."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from gongkai_desktop.domain.errors import GongkaiError


class ExportError(GongkaiError):
    """An output file that could not be written; the message says why, in Chinese."""


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return  # Windows cannot open a folder for fsync; the rename is already durable
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def error_message(target: Path, exc: OSError) -> str:
    where = f"“{target}”"
    if isinstance(exc, PermissionError):
        return (
            f"无法写入{where}：文件可能正在 Excel 或 WPS 中打开，或没有写入权限。"
            "请关闭该文件后重试。原有文件未被改动。"
        )
    if exc.errno in (errno.ENOSPC, errno.EDQUOT if hasattr(errno, "EDQUOT") else errno.ENOSPC):
        return f"磁盘空间不足，无法写入{where}。请清理空间或换一个位置。原有文件未被改动。"
    if isinstance(exc, FileNotFoundError) or exc.errno in (errno.ENODEV, errno.EIO, errno.ENXIO):
        return (
            f"无法写入{where}：目标文件夹不存在或U盘已拔出（{exc.strerror or exc}）。"
            "原有文件未被改动。"
        )
    return f"无法写入{where}（{exc.strerror or exc}）。原有文件未被改动。"


def write_atomically(
    target: Path,
    write: Callable[[BinaryIO], None],
    error: type[ExportError] = ExportError,
) -> None:
    """Write ``target`` through a temporary file in the same folder, fsynced and renamed.

    On any error (or a cancel raised by ``write``) the temporary file is removed and an
    existing ``target`` is left as it was; OSErrors become ``error`` with a Chinese message.
    """
    folder = target.parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".~导出中-", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise error(error_message(target, exc)) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise error(error_message(target, exc)) from exc
        raise
    _fsync_folder(folder)


def write_bytes_atomically(
    target: Path, data: bytes, error: type[ExportError] = ExportError
) -> None:
    """``write_atomically`` for content already in memory (a key file, a 回执, a photo)."""

    def write(fh: BinaryIO) -> None:
        fh.write(data)

    write_atomically(target, write, error)
