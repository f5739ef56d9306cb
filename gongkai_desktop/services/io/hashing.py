"""The SHA-256 of a file, the one way every service computes it (imported ledgers,
报送包, the files of 月末报送 read back from the stick)."""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

_CHUNK = 1 << 20


def file_sha256(path: Path | str, from_device: bool = False) -> str:
    """``from_device``: drop the file's pages from the system's cache first (where the
    system allows), so the bytes come from the device: a stick that kept wrong bytes is
    caught at the close rather than at the county."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        if from_device and hasattr(os, "posix_fadvise"):
            with contextlib.suppress(OSError):
                os.posix_fadvise(fh.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
