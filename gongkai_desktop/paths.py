"""Where things live: the user-data folder and the bundled files.

This is the only module that knows about PyInstaller (``sys._MEIPASS``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_DIR_NAME = "gongkai_desktop"
DB_FILE_NAME = "gongkai.db"


def bundle_root() -> Path:
    """Folder that holds ``forms/`` and ``resources/`` (source tree or frozen bundle)."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def package_root() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "gongkai_desktop"
    return Path(__file__).resolve().parent


def forms_dir() -> Path:
    override = os.environ.get("GONGKAI_FORMS")
    return Path(override) if override else bundle_root() / "forms"


def resources_dir() -> Path:
    return bundle_root() / "resources"


def migrations_dir() -> Path:
    return package_root() / "data" / "migrations"


def data_home() -> Path:
    """Per-user data folder (``GONGKAI_HOME`` overrides it, e.g. for tests)."""
    override = os.environ.get("GONGKAI_HOME")
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False, roaming=False))


def default_db_path() -> Path:
    override = os.environ.get("GONGKAI_DB")
    if override:
        return Path(override)
    return data_home() / DB_FILE_NAME


def attachments_dir(db_path: Path) -> Path:
    """Attachments sit beside their database so a backup can take both."""
    return db_path.parent / "attachments"


def backups_dir(db_path: Path) -> Path:
    return db_path.parent / "backups"


def cache_dir() -> Path:
    """What the app can rebuild at any time (the validated form files)."""
    return data_home() / "cache"


def logs_dir() -> Path:
    return data_home() / "logs"
