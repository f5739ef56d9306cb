"""Writing an output file (ledger, report, PDF) so that an interrupted or failed write
never leaves a half-written file under the final name: a temporary file in the same
folder, flushed, fsynced, then renamed over the target."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from gongkai_desktop.domain.errors import GongkaiError


class ExportError(GongkaiError):
    """An output file that could not be written; the message says why, in Chinese."""


def fsync_folder(folder: Path) -> None:
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


def is_read_only(target: Path) -> bool:
    """An existing file the clerk (or another program) marked read-only. The mode bit is
    read as well as ``os.access``: an administrator's account (and root) may write over
    a read-only file, which is exactly what the mark is there to stop. On Windows both
    reflect the file's 只读 attribute."""
    try:
        mode = target.stat().st_mode
    except OSError:
        return False  # no such file (yet): nothing to protect
    if not stat.S_ISREG(mode):
        return False  # a folder or device under that name fails later, with its own message
    return not (mode & stat.S_IWRITE) or not os.access(target, os.W_OK)


def read_only_message(target: Path) -> str:
    return (
        f"“{target}”是只读文件，未覆盖。请在文件属性中取消“只读”，"
        "或换一个文件名保存。原有文件未被改动。"
    )


def refuse_read_only(target: Path, error: type[ExportError] = ExportError) -> None:
    """Raise ``error`` when ``target`` exists and is read-only (see ``is_read_only``)."""
    if is_read_only(target):
        raise error(read_only_message(target))


def _create_temporary(folder: Path) -> tuple[int, Path]:
    """A new file beside the target, created with mode 0666 less the user's umask
    (mkstemp's private 0600 would leave a ledger on a shared folder unreadable to
    colleagues); binary on Windows."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        path = folder / f".~导出中-{uuid.uuid4().hex[:12]}.tmp"
        try:
            return os.open(path, flags, 0o666), path
        except FileExistsError:
            continue


def write_atomically(
    target: Path,
    write: Callable[[BinaryIO], None],
    error: type[ExportError] = ExportError,
) -> None:
    """Write ``target`` through a temporary file in the same folder, fsynced and renamed.

    On any error (or a cancel raised by ``write``) the temporary file is removed and an
    existing ``target`` is left as it was; OSErrors become ``error`` with a Chinese message.
    A read-only ``target`` is never replaced (``os.replace`` would do it silently on
    POSIX): ``error`` says so before anything is written.
    """
    refuse_read_only(target, error)
    folder = target.parent
    try:
        fd, tmp = _create_temporary(folder)
    except OSError as exc:
        raise error(error_message(target, exc)) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileNotFoundError):
            shutil.copymode(target, tmp)  # a replaced file keeps its permissions
        # checked again: the file may have been marked read-only while this was written
        refuse_read_only(target, error)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise error(error_message(target, exc)) from exc
        raise
    fsync_folder(folder)


def write_bytes_atomically(
    target: Path, data: bytes, error: type[ExportError] = ExportError
) -> None:
    """``write_atomically`` for content already in memory (a key file, a 回执, a photo)."""

    def write(fh: BinaryIO) -> None:
        fh.write(data)

    write_atomically(target, write, error)
