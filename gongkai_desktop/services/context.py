"""The open database and form registry every service works on (opening: ``startup``)."""

from __future__ import annotations

import dataclasses
import getpass
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from gongkai_desktop import paths
from gongkai_desktop.data import repository
from gongkai_desktop.data.engine import (
    READ_ONLY,
    create_db_engine,
    make_session_factory,
    raised_by_row_processor,
)
from gongkai_desktop.data.scope import township_scoped
from gongkai_desktop.forms.spec import FormRegistry
from gongkai_desktop.services.maintenance.damage import damaged_error


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
    # county mode: the townships whose records this context reads (None: every record)
    townships: tuple[str, ...] | None = None

    @classmethod
    def open(cls, db_path: Path, registry: FormRegistry) -> AppContext:
        """Open an engine on a database whose schema is current (see ``startup``)."""
        engine = create_db_engine(db_path, on_damage=damaged_error)
        return cls(db_path, registry, engine, make_session_factory(engine))

    def for_townships(self, codes: Collection[str]) -> AppContext:
        """This database read as if it held only the records of the townships ``codes``
        (county mode): every service run on the returned context (ledgers, figures,
        reports) covers those townships. It shares the engine: close only ``self``."""
        wanted = tuple(sorted(set(codes)))
        return dataclasses.replace(
            self,
            session_factory=township_scoped(self.session_factory, wanted),
            opened_notes=[],
            townships=wanted,
        )

    def __enter__(self) -> AppContext:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def attachments_dir(self) -> Path:
        return paths.attachments_dir(self.db_path)

    @property
    def backups_dir(self) -> Path:
        return paths.backups_dir(self.db_path)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One user action: commit on success, roll back everything on any error.
        It takes the write lock at its start (BEGIN IMMEDIATE), waiting up to the busy
        timeout while another process writes."""
        with self._damage_translated(), self.session_factory.begin() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only transaction (lists, counts, reports): it never waits for the
        write lock, so a long import in another process does not hold up the window's
        reads. A write attempted in it fails (SQLite's query_only)."""
        with self._damage_translated(), self.session_factory.begin() as session:
            session.connection(execution_options={READ_ONLY: True})
            yield session

    @contextmanager
    def _damage_translated(self) -> Iterator[None]:
        try:
            yield
        except ValueError as exc:  # a stored date that no longer parses: damage
            if raised_by_row_processor(exc):
                raise damaged_error(self.db_path, exc) from exc
            raise

    def identity(self, session: Session) -> tuple[str, str]:
        """(OS login, 填表人 from 设置) for audit entries and authorship."""
        filler = repository.get_settings(session).get("filler", "")
        return os_user(), filler

    def close(self) -> None:
        self.engine.dispose()
