"""Rotating log file in the user-data folder; every unexpected error ends up here."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler

from gongkai_desktop import paths

LOG_FILE = "gongkai.log"


def setup_logging(level: int = logging.INFO) -> None:
    root = logging.getLogger()
    if any(getattr(h, "_gongkai", False) for h in root.handlers):
        return
    try:
        folder = paths.logs_dir()
        folder.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = RotatingFileHandler(
            folder / LOG_FILE, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        handler = logging.StreamHandler()  # read-only profile: still log somewhere
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler._gongkai = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
