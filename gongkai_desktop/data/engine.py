"""The SQLite engine: WAL, synchronous=FULL, foreign keys on, real transactions."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

# Execution option of a read-only transaction (``AppContext.reading``): deferred BEGIN.
READ_ONLY = "gongkai_read_only"


def create_db_engine(db_path: Path) -> Engine:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    # URL.create takes the path verbatim; a "sqlite:///…" string would decode "%20" and
    # cut at "?", silently opening some other file
    url = URL.create("sqlite", database=str(db_path))
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy own BEGIN/COMMIT (pysqlite's implicit transactions would
        # otherwise skip DDL and SAVEPOINTs), then set the safety PRAGMAs.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
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
