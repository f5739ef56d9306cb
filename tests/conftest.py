"""Shared fixtures. Tests run headless and never touch the real user-data folder."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gongkai_desktop.services.startup import open_context

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own user-data folder (logs, default database)."""
    home = tmp_path / "home"
    monkeypatch.setenv("GONGKAI_HOME", str(home))
    monkeypatch.delenv("GONGKAI_DB", raising=False)
    return home


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "gongkai.db"


@pytest.fixture
def ctx(db_path: Path) -> Iterator:
    """An AppContext on a real, freshly migrated SQLite file."""

    context = open_context(db_path, auto_backup=False)
    yield context
    context.close()


@pytest.fixture
def records(ctx):  # type: ignore[no-untyped-def]
    from gongkai_desktop.services.records.service import RecordService

    return RecordService(ctx)


@pytest.fixture(autouse=True)
def _isolated_qsettings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the window remembers (list filters, column widths, editor sizes) goes to the
    test's own folder, never to the user's configuration or the next test."""
    folder = tmp_path / "qt-settings"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))  # read by Qt on first use
    if "PySide6.QtCore" in sys.modules:  # Qt already read it: point it here instead
        from PySide6.QtCore import QSettings

        for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
            QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
