"""Opening the app's database: forms, engine, version check, backup, migrations."""

from __future__ import annotations

import getpass
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy.exc
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from gongkai_desktop import paths
from gongkai_desktop.data import migrate, repository
from gongkai_desktop.data.engine import (
    create_db_engine,
    create_readonly_engine,
    make_session_factory,
)
from gongkai_desktop.domain.errors import DatabaseVersionError
from gongkai_desktop.forms.loader import load_registry
from gongkai_desktop.forms.spec import FormRegistry

log = logging.getLogger(__name__)


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (e.g. a service account without one)
        return "未知用户"


@dataclass
class AppContext:
    db_path: Path
    registry: FormRegistry
    engine: Engine
    session_factory: sessionmaker[Session]
    opened_notes: list[str] = field(default_factory=list)

    @classmethod
    def open(
        cls,
        db_path: Path | None = None,
        forms_dir: Path | None = None,
        auto_backup: bool = True,
    ) -> AppContext:
        """Open (creating or upgrading) the database. Refuses a database from a newer app."""
        from gongkai_desktop.services.maintenance import backup

        db_path = Path(db_path or paths.default_db_path()).resolve()
        registry = load_registry(forms_dir or paths.forms_dir())
        existed = db_path.exists() and db_path.stat().st_size > 0
        if existed:
            # Judge the version before the engine's PRAGMAs (WAL) can touch the file.
            probe = create_readonly_engine(db_path)
            try:
                migrate.check_known_revision(probe)
            except sqlalchemy.exc.DatabaseError as exc:
                raise DatabaseVersionError(
                    f"{db_path} 不是有效的数据库文件，或文件已损坏（{exc.orig}）。"
                    "可在“设置”中从备份恢复，或用 gongkai restore-backup 恢复。"
                ) from exc
            finally:
                probe.dispose()
        engine = create_db_engine(db_path)
        notes: list[str] = []
        try:
            migrate.check_known_revision(engine)
            if migrate.needs_upgrade(engine):
                if existed and not migrate.is_empty_database(engine):
                    made = backup.create_backup(db_path, engine, "migration")
                    notes.append(f"升级数据库前已备份到 {made.path}")
                migrate.upgrade(engine)
            ctx = cls(db_path, registry, engine, make_session_factory(engine), notes)
            if auto_backup and existed:
                made_daily = backup.daily_backup_if_due(ctx)
                if made_daily is not None:
                    notes.append(f"已完成今日自动备份：{made_daily.path}")
        except BaseException:
            engine.dispose()
            raise
        for note in notes:
            log.info(note)
        return ctx

    @property
    def attachments_dir(self) -> Path:
        return paths.attachments_dir(self.db_path)

    @property
    def backups_dir(self) -> Path:
        return paths.backups_dir(self.db_path)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One user action: commit on success, roll back everything on any error."""
        with self.session_factory.begin() as session:
            yield session

    def identity(self, session: Session) -> tuple[str, str]:
        """(OS login, 填表人 from 设置) for audit entries and authorship."""
        filler = repository.get_settings(session).get("filler", "")
        return os_user(), filler

    def close(self) -> None:
        self.engine.dispose()
