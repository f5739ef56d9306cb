"""A damaged database: the newest verified backup, ``quick_check``, a stray -wal file set
aside before opening, and the records changed after a backup read back from a damaged
file (to be offered for import after the one-step restore).

The data layer raises ``DatabaseDamagedError`` without a backup (it may not look into
backups/); ``complete`` names the newest backup that passes ``integrity_check``.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import struct
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from gongkai_desktop import paths
from gongkai_desktop.data.engine import is_damage
from gongkai_desktop.domain.errors import BackupError, DatabaseDamagedError
from gongkai_desktop.services.maintenance import backup

log = logging.getLogger(__name__)

WAL_MAGIC = (0x377F0682, 0x377F0683)
WAL_HEADER = 32
WAL_FRAME_HEADER = 24
STRAY_WAL_NOTE = "数据库旁有一个不属于它的临时日志文件（-wal），"
MAX_PROBES = 200_000  # rowids read one by one when a scan of the records stops early
SALVAGE_NOTE = "restored-from.json"  # in a …-damaged folder: the backup restored then


# ---- the newest verified backup -------------------------------------------------------
def _integrity_ok(db_file: Path) -> bool:
    try:
        conn = sqlite3.connect(Path(db_file).absolute().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
        return [r[0] for r in rows] == ["ok"]
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def newest_verified_backup(db_path: Path) -> backup.BackupInfo | None:
    """The newest backup whose database passes ``integrity_check`` (damaged ones skipped)."""
    for info in backup.list_backups(db_path):
        db_file = info.path / paths.DB_FILE_NAME
        if db_file.exists() and _integrity_ok(db_file):
            return info
        log.warning("backup %s fails integrity_check: not offered", info.path)
    return None


def complete(err: DatabaseDamagedError) -> DatabaseDamagedError:
    """``err`` naming the newest verified backup (looked up once)."""
    if err.backup_known or err.db_path is None:
        return err
    found = newest_verified_backup(err.db_path)
    if found is None:
        return err.with_backup(None, None, None)
    return err.with_backup(found.path, found.created, found.records)


def damaged_error(db_path: Path, exc: BaseException) -> DatabaseDamagedError:
    """The error raised instead of ``exc`` (the engine's ``on_damage``)."""
    log.error("database %s is damaged: %s: %s", db_path, type(exc).__name__, exc)
    return complete(DatabaseDamagedError(db_path, f"{type(exc).__name__}: {exc}"))


def quick_check(db_path: Path, pragma: str = "quick_check") -> None:
    """``PRAGMA quick_check`` on the open database, on a read-only connection of its
    own (no write transaction, no lock held against saves). A worker runs it after the
    window is shown; ``gongkai check`` runs ``integrity_check``, which also compares every
    index with its table (a changed byte inside a record's text is seen there when an
    index covers it). Raises DatabaseDamagedError."""
    try:
        conn = sqlite3.connect(Path(db_path).absolute().as_uri() + "?mode=ro", uri=True)
        try:
            rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if not is_damage(exc):
            raise
        raise damaged_error(db_path, exc) from exc
    if rows != ["ok"]:
        raise damaged_error(db_path, sqlite3.DatabaseError(f"{pragma}: " + "; ".join(rows[:5])))


def integrity_check(db_path: Path) -> None:
    quick_check(db_path, "integrity_check")


def is_damaged(db_path: Path) -> bool:
    """Does a copy of the file (with its -wal) fail integrity_check? The file is not
    opened."""
    wal = db_path.with_name(db_path.name + "-wal")
    return _copy_problem(db_path, wal if wal.exists() else None, "integrity_check") is not None


# ---- a -wal file that does not belong to the database ---------------------------------
def _wal_checksum(data: bytes, s0: int, s1: int, big_endian: bool) -> tuple[int, int]:
    words = struct.unpack(f"{'>' if big_endian else '<'}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


def _db_page_size(db_path: Path) -> int | None:
    with open(db_path, "rb") as f:
        head = f.read(100)
    if len(head) < 100 or not head.startswith(b"SQLite format 3\0"):
        return None
    size = int.from_bytes(head[16:18], "big")
    return 65536 if size == 1 else size


def wal_header_problem(db_path: Path, wal: Path) -> str | None:
    """Why the -wal file cannot be this database's (None: its header, first frame's
    salts and checksum and its page size agree with the database)."""
    data = wal.read_bytes()
    if len(data) < WAL_HEADER:
        return "header too short"
    magic, version, page_size, _seq, salt1, salt2, c1, c2 = struct.unpack(">8I", data[:WAL_HEADER])
    if magic not in WAL_MAGIC or version != 3007000:
        return "bad magic"
    big_endian = bool(magic & 1)
    if _wal_checksum(data[:24], 0, 0, big_endian) != (c1, c2):
        return "header checksum"
    db_size = _db_page_size(db_path)
    if db_size is not None and db_size != page_size:
        return "page size"
    frame = data[WAL_HEADER : WAL_HEADER + WAL_FRAME_HEADER + page_size]
    if len(frame) == WAL_FRAME_HEADER + page_size:
        f_salt1, f_salt2, f1, f2 = struct.unpack(">4I", frame[8:24])
        if (f_salt1, f_salt2) != (salt1, salt2):
            return "frame salts"
        s = _wal_checksum(frame[:8], c1, c2, big_endian)
        if _wal_checksum(frame[WAL_FRAME_HEADER:], *s, big_endian) != (f1, f2):
            return "frame checksum"
    return None


def _copy_problem(db_path: Path, wal: Path | None, pragma: str = "quick_check") -> str | None:
    """Open a copy (with ``wal`` beside it, if given) in a temporary folder: the
    database's own file is never opened. None: quick_check passes and it is ours."""
    with tempfile.TemporaryDirectory(prefix="gongkai-walcheck-") as tmp:
        copy = Path(tmp) / paths.DB_FILE_NAME
        shutil.copyfile(db_path, copy)
        if wal is not None:
            shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        try:
            conn = sqlite3.connect(copy)
            try:
                rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
                conn.execute("SELECT version_num FROM alembic_version").fetchall()
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            return str(exc)
        return None if rows == ["ok"] else rows[0]


def set_aside_stray_wal(db_path: Path) -> str | None:
    """Before the database is opened: a -wal beside it that is not its own (another
    database's, or unreadable) is moved into ``backups/<time>-stray-wal/`` untouched, so
    SQLite does not replay it into this file. Returns the note for the clerk (None:
    nothing moved). A -wal with its -shm beside it may be in use by a running copy of
    the app and is left to SQLite."""
    wal = db_path.with_name(db_path.name + "-wal")
    shm = db_path.with_name(db_path.name + "-shm")
    if not wal.exists() or wal.stat().st_size == 0 or shm.exists():
        return None
    reason = wal_header_problem(db_path, wal)
    if reason is None:
        # a well-formed WAL: does the database read back sound with it, and without?
        with_wal = _copy_problem(db_path, wal)
        if with_wal is None:
            return None
        if _copy_problem(db_path, None) is not None:
            return None  # the database itself is damaged: that is reported on opening
        reason = f"copy with it fails: {with_wal}"
    root = paths.backups_dir(db_path)
    root.mkdir(parents=True, exist_ok=True)
    folder = backup.unique_folder(root, f"{datetime.now():%Y%m%d-%H%M%S}-stray-wal")
    folder.mkdir()
    shutil.move(str(wal), folder / wal.name)
    log.warning("stray -wal beside %s (%s) moved to %s", db_path, reason, folder)
    return f"{STRAY_WAL_NOTE}已原样移到备份文件夹中的“{folder.name}”文件夹，数据库已正常打开。"


@contextmanager
def probe_file(db_path: Path) -> Iterator[Path]:
    """The file to judge before opening: the database itself, or, when a -wal lies
    beside it without its -shm, a copy of both in a temporary folder (a read-only
    connection would create the -shm beside a database that may then be refused)."""
    wal = db_path.with_name(db_path.name + "-wal")
    shm = db_path.with_name(db_path.name + "-shm")
    if not wal.exists() or shm.exists():
        yield db_path
        return
    with tempfile.TemporaryDirectory(prefix="gongkai-probe-") as tmp:
        copy = Path(tmp) / paths.DB_FILE_NAME
        shutil.copyfile(db_path, copy)
        shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        yield copy


# ---- what a restore lost ----------------------------------------------------------------
@dataclass(frozen=True)
class SalvagedRecord:
    """A record of the damaged file changed after the backup, as far as it was readable."""

    id: str
    form_id: str
    title: str
    values: dict[str, Any]
    updated_at: datetime  # UTC, as stored


def _utc(local: datetime) -> datetime:
    return local.astimezone(UTC).replace(tzinfo=None)


def _parse_stamp(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return None


def salvage_records(damaged_db: Path, since: datetime) -> list[SalvagedRecord]:
    """Records of ``damaged_db`` (not deleted) changed after ``since`` (local time),
    read row by row from a copy so that unreadable rows are skipped, not fatal."""
    found: dict[str, SalvagedRecord] = {}
    cutoff = _utc(since)
    with tempfile.TemporaryDirectory(prefix="gongkai-salvage-") as tmp:
        copy = Path(tmp) / paths.DB_FILE_NAME
        shutil.copyfile(damaged_db, copy)
        wal = damaged_db.with_name(damaged_db.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        try:
            conn = sqlite3.connect(copy)
        except sqlite3.Error:
            return []
        conn.text_factory = bytes  # damaged text must not stop the reading
        try:
            for rowid in _rowids(conn):
                record = _read_row(conn, rowid, cutoff)
                if record is not None:
                    found.setdefault(record.id, record)
        finally:
            conn.close()
    return sorted(found.values(), key=lambda r: (r.form_id != "site", r.updated_at))


def _rowids(conn: sqlite3.Connection) -> list[int]:
    """Rowids of the records table: as far as a scan gets, then by probing further."""
    seen: list[int] = []
    try:
        for (rowid,) in conn.execute("SELECT rowid FROM records NOT INDEXED"):
            seen.append(int(rowid))
    except sqlite3.Error:
        pass
    try:
        top = int(conn.execute("SELECT max(rowid) FROM records").fetchone()[0] or 0)
    except (sqlite3.Error, TypeError, ValueError):
        top = 0
    ceiling = max(seen, default=0)
    if top <= ceiling + MAX_PROBES:  # a damaged page may claim an absurd rowid
        ceiling = max(ceiling, top)
    # rows past a damaged page are probed one by one, a bounded number of them
    known = set(seen)
    probe = islice((r for r in range(1, ceiling + 201) if r not in known), MAX_PROBES)
    return seen + list(probe)


def _read_row(conn: sqlite3.Connection, rowid: int, cutoff: datetime) -> SalvagedRecord | None:
    try:
        row = conn.execute(
            "SELECT id, form_id, title, data, updated_at, deleted FROM records WHERE rowid = ?",
            (rowid,),
        ).fetchone()
    except sqlite3.Error:
        return None
    if row is None:
        return None
    try:
        rid, form_id, title, data, updated, deleted = (
            v.decode("utf-8") if isinstance(v, bytes) else v for v in row
        )
        values = json.loads(data)
    except (UnicodeDecodeError, ValueError, TypeError):
        return None
    stamp = _parse_stamp(updated)
    if stamp is not None and stamp.tzinfo is not None:  # damaged text may parse so
        stamp = stamp.astimezone(UTC).replace(tzinfo=None)
    if stamp is None or stamp <= cutoff or str(deleted) not in ("0", "False"):
        return None
    if not isinstance(values, dict) or not isinstance(rid, str) or not isinstance(form_id, str):
        return None
    return SalvagedRecord(rid, form_id, str(title), values, stamp)


def is_damage_error(exc: BaseException) -> bool:
    """``exc`` (or what it wraps) says the database is damaged."""
    inner = getattr(exc, "orig", None)
    return is_damage(exc) or (inner is not None and is_damage(inner))


@dataclass(frozen=True)
class DamageRestore:
    restored: backup.BackupInfo  # the backup now in place
    damaged_folder: Path  # backups/<time>-damaged/ holding the damaged file as it was
    salvaged: list[SalvagedRecord]  # changed after the backup, readable in the damaged file


def restore_latest(db_path: Path) -> DamageRestore:
    """The one-step restore of a damaged database: the damaged file (with its -wal and
    -shm) moved into ``backups/<time>-damaged/``, the newest backup that passes
    ``integrity_check`` restored, and the records changed after that backup read back
    from the damaged file where it can still be read."""
    found = newest_verified_backup(db_path)
    if found is None:
        raise BackupError("没有找到校验完好的备份，无法恢复。损坏的数据库文件没有被改动。")
    return restore_from(db_path, found)


def restore_from(db_path: Path, found: backup.BackupInfo) -> DamageRestore:
    """Restore the damaged database at ``db_path`` from ``found`` (see restore_latest)."""
    before = backup.restore_backup(db_path, found.path, damaged=True)
    (before.path / SALVAGE_NOTE).write_text(
        json.dumps({"backup": str(found.path), "created": found.created.isoformat()}), "utf-8"
    )
    try:
        salvaged = salvage_from_folder(before.path)
    except Exception:  # the restore is done: reading what it lost must not undo that
        log.exception("salvage from %s failed", before.path)
        salvaged = []
    log.info("restored %s after damage; %d records readable after it", found.path, len(salvaged))
    return DamageRestore(found, before.path, salvaged)


def salvage_from_folder(folder: Path) -> list[SalvagedRecord]:
    """The records a restore lost, read from a ``…-damaged`` folder it left."""
    note = folder / SALVAGE_NOTE
    moved = folder / paths.DB_FILE_NAME
    if not note.exists():
        raise BackupError(f"{folder} 不是“用最近的备份恢复”移出的损坏数据库文件夹")
    since = datetime.fromisoformat(json.loads(note.read_text("utf-8"))["created"])
    found = [f for f in folder.iterdir() if f.suffix == moved.suffix and f.is_file()]
    return salvage_records(found[0], since) if found else []
