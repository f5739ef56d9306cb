"""The SQLite engine: WAL, synchronous=FULL, foreign keys on, real transactions."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.orm import Session, sessionmaker

from gongkai_desktop.domain.errors import DatabaseBusyError, DatabaseDamagedError, GongkaiError

# How long a write waits for another process's write lock before giving up
BUSY_TIMEOUT_S = 30.0

# Execution option of a read-only transaction (``AppContext.reading``): deferred BEGIN.
READ_ONLY = "gongkai_read_only"

# SQLite's words for a damaged file (lower case), and for damaged JSON or UTF-8 text
# met by its JSON functions or by the driver while reading rows
DAMAGE_WORDS = (
    "database disk image is malformed",
    "malformed database schema",
    "malformed json",
    "file is not a database",
    "disk i/o error",
    "could not decode to utf-8",
)

# Turns a damage exception into the error raised instead (the services attach the
# newest verified backup); the default names no backup.
DamageHandler = Callable[[Path, BaseException], DatabaseDamagedError]


def is_damage(exc: BaseException) -> bool:
    """An exception that says the stored data is damaged, not that the caller erred."""
    if isinstance(exc, sqlite3.DatabaseError):
        text = str(exc).lower()
        return any(word in text for word in DAMAGE_WORDS)
    # stored JSON or text no longer decodes (raised while rows are read); the same
    # errors raised over a file the clerk chose say nothing about the database
    if isinstance(exc, json.JSONDecodeError | UnicodeDecodeError):
        return _raised_reading_rows(exc)
    return isinstance(exc, ValueError) and raised_by_row_processor(exc)


def _raised_reading_rows(exc: BaseException) -> bool:
    """Raised inside SQLAlchemy or this data layer (rows being read and decoded)."""
    here = str(Path(__file__).parent)
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if "sqlalchemy" in name or name.startswith(here):
            return True
        tb = tb.tb_next
    return False


def raised_by_row_processor(exc: BaseException) -> bool:
    """Raised by SQLAlchemy's row value processors (a stored date or time that no
    longer parses): these run while rows are read, outside handle_error's reach."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return (
        tb is not None
        and "sqlalchemy" in tb.tb_frame.f_code.co_filename
        and ("processors" in tb.tb_frame.f_code.co_filename)
    )


def _plain_damage(db_path: Path, exc: BaseException) -> DatabaseDamagedError:
    return DatabaseDamagedError(db_path, f"{type(exc).__name__}: {exc}")


def translate_damage(
    engine: Engine,
    db_path: Path,
    on_damage: DamageHandler | None = None,
    busy_timeout: float = BUSY_TIMEOUT_S,
) -> None:
    """Every damage error on ``engine`` (connect, statement, reading rows) becomes a
    ``DatabaseDamagedError``: one typed error instead of SQLite's English text."""
    make = on_damage or _plain_damage

    @event.listens_for(engine, "handle_error")
    def _on_error(context: ExceptionContext) -> GongkaiError | None:
        original = context.original_exception
        if is_damage(original):
            return make(db_path, original)
        if isinstance(original, sqlite3.OperationalError) and "database is locked" in str(original):
            # the busy timeout ran out behind another process's write: not damage, and
            # not SQLite's English either
            return DatabaseBusyError(busy_timeout)
        return None


def create_db_engine(
    db_path: Path, on_damage: DamageHandler | None = None, busy_timeout: float | None = None
) -> Engine:
    """The app's engine on ``db_path``; ``busy_timeout`` (seconds, default
    ``BUSY_TIMEOUT_S``) is how long a write waits for another process's lock."""
    timeout = BUSY_TIMEOUT_S if busy_timeout is None else busy_timeout
    db_path.parent.mkdir(parents=True, exist_ok=True)
    # URL.create takes the path verbatim; a "sqlite:///…" string would decode "%20" and
    # cut at "?", silently opening some other file
    url = URL.create("sqlite", database=str(db_path))

    def load_stored_json(text: str) -> Any:
        # JSON columns are decoded while rows are fetched, outside handle_error's reach
        try:
            return json.loads(text)
        except ValueError as exc:
            raise (on_damage or _plain_damage)(db_path, exc) from exc

    engine = create_engine(
        url, connect_args={"timeout": timeout}, json_deserializer=load_stored_json
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy own BEGIN/COMMIT (pysqlite's implicit transactions would
        # otherwise skip DDL and SAVEPOINTs), then set the safety PRAGMAs.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred transaction that turns into a write gets SQLITE_BUSY at once when
        # another connection holds the write lock (busy_timeout cannot help the
        # upgrade), so every transaction takes the write lock at BEGIN and waits for it;
        # only those opened with READ_ONLY stay deferred, under query_only so that a
        # write attempted in one fails loudly instead of racing.
        read_only = bool(conn.get_execution_options().get(READ_ONLY))
        if conn.info.get(READ_ONLY, False) != read_only:
            # connection state, like the PRAGMAs above: set on the DBAPI connection
            cur = conn.connection.dbapi_connection.cursor()
            cur.execute(f"PRAGMA query_only={int(read_only)}")
            cur.close()
            conn.info[READ_ONLY] = read_only
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    translate_damage(engine, db_path, on_damage, timeout)
    return engine


def create_readonly_engine(db_path: Path) -> Engine:
    """An engine that only reads an existing file: no PRAGMAs, no switch to WAL, so a
    database that is refused (e.g. from a newer version) is left exactly as it was.
    Without a -wal file there is nothing uncommitted to read, and ``immutable`` keeps
    SQLite from creating -wal/-shm files beside it."""
    db_path = Path(db_path).absolute()
    wal = db_path.with_name(db_path.name + "-wal")
    uri = db_path.as_uri() + ("?mode=ro" if wal.exists() else "?immutable=1")
    return create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True))


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)
