"""The form files as last validated, so a start need not parse YAML or run JSON Schema.

Reading ``forms/`` costs ~0.2 s (PyYAML's duplicate-key constructor and jsonschema over
every file) plus importing both, on every start and CLI command. A cache holds the
parsed documents of a folder that passed every check, under a key made of the schemas
and every file's name and bytes: any edited, added or removed file, or an app whose
schemas changed, misses the cache and the folder is read and checked in full again.
The semantic checks and the building of the specs still run on the cached documents
(they are cheap), so a newer app's checks apply to cached files too.

The bundle ships a cache made at build time beside its forms (``SHIPPED_NAME``); a
folder the clerk's office changes gets one in the user's data folder.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SHIPPED_NAME = (
    "validated-forms.json"  # inside the bundle's forms/ (not a *.yaml: not read as a form)
)
FORMAT = 1  # bump when what is cached, or how it is used, changes


def cache_key(files: Iterable[tuple[str, Path]], schemas: Mapping[str, Any]) -> str | None:
    """A digest of the schemas and of every (name, file) read; None if a file is unreadable
    (then the full load reports it)."""
    digest = hashlib.sha256(f"gongkai-forms-cache-{FORMAT}\n".encode())
    digest.update(json.dumps(schemas, sort_keys=True, ensure_ascii=False).encode())
    for name, path in sorted(files):
        try:
            data = path.read_bytes()
        except OSError:
            return None
        digest.update(f"\n{name}\n{len(data)}\n".encode())
        digest.update(data)
    return digest.hexdigest()


def user_cache_file(cache_dir: Path, root: Path) -> Path:
    """This folder's cache in the user's data folder (one per forms folder)."""
    where = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return cache_dir / f"forms-{where}.json"


def read(candidates: Iterable[Path], key: str) -> dict[str, Any] | None:
    """The cached documents of the first candidate made under ``key``."""
    for path in candidates:
        try:
            with path.open(encoding="utf-8") as fh:
                cached = json.load(fh)
        except (OSError, ValueError):
            continue
        if isinstance(cached, dict) and cached.get("key") == key:
            docs = cached.get("docs")
            if isinstance(docs, dict):
                return docs
    return None


def write(path: Path, key: str, docs: Mapping[str, Any]) -> bool:
    """Store the documents of a folder that passed every check. Nothing is written when a
    document does not survive JSON unchanged (a YAML date, say), or when the folder is not
    writable: the cache only saves time, so failing to write it is logged, not raised."""
    try:
        text = json.dumps({"key": key, "docs": docs}, ensure_ascii=False, sort_keys=True)
        if json.loads(text)["docs"] != docs:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".forms-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)  # readers see the old cache or the new one, never half
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except (OSError, TypeError, ValueError) as exc:
        log.warning("form cache not written to %s: %s", path, exc)
        return False
    return True
