"""Backups: the database through SQLite's backup API, verified, with the attachments.

A backup is a folder ``backups/20261123-081500-daily/`` holding ``gongkai.db``,
``attachments/`` and ``manifest.json``. It is assembled under a temporary name and
renamed only once ``quick_check`` passed, and only then are old backups rotated away.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import Engine

from gongkai_desktop import __version__, paths
from gongkai_desktop.data import migrate
from gongkai_desktop.data.engine import is_damage
from gongkai_desktop.domain.errors import BackupError, DatabaseDamagedError, DatabaseVersionError

log = logging.getLogger(__name__)

KEEP_BACKUPS = 10
MANIFEST = "manifest.json"
REASONS = {
    "daily": "每日自动备份",
    "migration": "升级数据库前",
    "restore": "恢复备份前",
    "import": "导入前",
    "manual": "手动备份",
}


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created: datetime
    reason: str  # Chinese
    revision: str | None
    records: int | None


def _read_only_uri(db_file: Path) -> str:
    # as_uri() percent-encodes "#", "?", "%" and spaces, which a bare "file:" URI would
    # misread (checking some other file, or none)
    return Path(db_file).absolute().as_uri() + "?mode=ro"


def _quick_check(db_file: Path) -> None:
    conn = sqlite3.connect(_read_only_uri(db_file), uri=True)
    try:
        result = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"备份文件 {db_file} 已损坏，不能用它恢复。") from exc
    finally:
        conn.close()
    if [r[0] for r in result] != ["ok"]:
        log.warning("backup %s fails quick_check: %s", db_file, result[0][0])
        raise BackupError(f"备份文件 {db_file} 校验未通过，不能用它恢复。")


def _revision_of(db_file: Path) -> str | None:
    conn = sqlite3.connect(_read_only_uri(db_file), uri=True)
    try:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except (sqlite3.DatabaseError, TypeError):
        return None
    finally:
        conn.close()


def _count_records(db_file: Path) -> int | None:
    conn = sqlite3.connect(_read_only_uri(db_file), uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM records").fetchone()[0])
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()


def _sqlite_copy(src: Path, dst: Path, single_file: bool = False) -> None:
    """Consistent copy of a live database (WAL included) through the backup API.
    ``single_file``: leave the copy in rollback-journal mode, one self-contained file
    that can be read (and verified) without -wal/-shm files beside it."""
    source = sqlite3.connect(str(src), timeout=30)
    target = sqlite3.connect(str(dst))
    try:
        source.backup(target)
        if single_file:
            target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
        source.close()


def unique_folder(root: Path, stem: str) -> Path:
    candidate = root / stem
    n = 2
    while candidate.exists():
        candidate = root / f"{stem}-{n}"
        n += 1
    return candidate


def _rename_to_unique(folder: Path, root: Path, stem: str) -> Path:
    """Rename ``folder`` to ``root/stem`` (or ``stem-2``, …): the rename itself claims
    the name, so two processes finishing in the same second never share one."""
    while True:
        final = unique_folder(root, stem)
        try:
            folder.rename(final)
        except OSError:
            if final.exists():  # another process took the name in between: next one
                continue
            raise
        return final


def list_backups(db_path: Path) -> list[BackupInfo]:
    """Finished backups, newest first."""
    root = paths.backups_dir(db_path)
    found = []
    for folder in sorted(root.glob("[0-9]*"), reverse=True):
        manifest = folder / MANIFEST
        if not folder.is_dir() or not manifest.exists():
            continue
        try:
            meta = json.loads(manifest.read_text(encoding="utf-8"))
            found.append(
                BackupInfo(
                    folder,
                    datetime.fromisoformat(meta["created"]),
                    meta.get("reason", ""),
                    meta.get("revision"),
                    meta.get("records"),
                )
            )
        except (ValueError, KeyError, OSError):
            log.warning("ignoring unreadable backup manifest %s", manifest)
    found.sort(key=lambda b: (b.created, b.path.name), reverse=True)
    return found


def create_backup(
    db_path: Path, engine: Engine | None, reason: str, out_dir: Path | None = None
) -> BackupInfo:
    """Back up the database and the attachment folder; rotate old ones if it verified."""
    del engine  # the backup API reads the file itself; WAL content is included
    root = out_dir or paths.backups_dir(db_path)
    root.mkdir(parents=True, exist_ok=True)
    now = datetime.now()
    stem = f"{now:%Y%m%d-%H%M%S}-{reason}"
    # A folder of this process's own: a name made from the time alone was shared by two
    # processes backing up in the same second, each deleting the other's half-written
    # copy (「attempt to write a readonly database」, 「disk I/O error」).
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{stem}-", dir=root))
    try:
        db_copy = tmp / paths.DB_FILE_NAME
        try:
            _sqlite_copy(db_path, db_copy, single_file=True)
        except sqlite3.Error as exc:
            if is_damage(exc):  # the service boundary names the newest verified backup
                raise DatabaseDamagedError(db_path, f"{type(exc).__name__}: {exc}") from exc
            raise BackupError(f"无法备份数据库 {db_path}：{exc}") from exc
        try:
            _quick_check(db_copy)
        except BackupError as exc:
            # the copy of the live file fails: that file is damaged; every older backup
            # is kept (none rotated away)
            raise DatabaseDamagedError(db_path, str(exc.__cause__ or exc)) from exc
        attachments = paths.attachments_dir(db_path)
        if attachments.exists():
            shutil.copytree(attachments, tmp / "attachments")
        else:
            (tmp / "attachments").mkdir()
        revision, records = _revision_of(db_copy), _count_records(db_copy)
        meta = {
            # microseconds: backups made within one second must still sort in order
            "created": now.isoformat(timespec="microseconds"),
            "reason": REASONS.get(reason, reason),
            "revision": revision,
            "records": records,
            "app_version": __version__,
            "source": str(db_path),
        }
        (tmp / MANIFEST).write_text(json.dumps(meta, ensure_ascii=False, indent=2), "utf-8")
        final = _rename_to_unique(tmp, root, stem)
        info = BackupInfo(final, now, REASONS.get(reason, reason), revision, records)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if out_dir is None:
        _rotate(db_path, keep=final)
    log.info("backup written: %s", final)
    return info


def _rotate(db_path: Path, keep: Path) -> None:
    """Keep the newest KEEP_BACKUPS; never the one just made (``keep``)."""
    others = [b for b in list_backups(db_path) if b.path != keep]
    for old in others[KEEP_BACKUPS - 1 :]:
        shutil.rmtree(old.path, ignore_errors=True)


def _backed_up_today(db_path: Path) -> bool:
    today = datetime.now().date()
    return any(b.created.date() == today for b in list_backups(db_path))


def daily_backup_if_due(db_path: Path, engine: Engine) -> BackupInfo | None:
    """Today's backup, unless one exists or another process is making it (None)."""
    if _backed_up_today(db_path):
        return None
    # One process backs up per day: the lock file in the data folder is taken without
    # waiting; whoever holds it is making today's backup, so the others skip.
    lock = FileLock(db_path.with_name(f".{db_path.name}.backup.lock"), blocking=False)
    try:
        with lock:
            if _backed_up_today(db_path):  # made while this process was looking
                return None
            return create_backup(db_path, engine, "daily")
    except Timeout:
        log.info("daily backup skipped: another process holds %s", lock.lock_file)
        return None


def _resolve_backup(path: Path) -> tuple[Path, Path | None]:
    """(database file, attachments folder or None) of a backup folder or file."""
    path = Path(path)
    if path.is_dir():
        db_file = path / paths.DB_FILE_NAME
        if not db_file.exists():
            raise BackupError(f"文件夹 {path} 中没有备份数据库 {paths.DB_FILE_NAME}")
        attachments = path / "attachments"
        return db_file, attachments if attachments.is_dir() else None
    if not path.exists():
        raise BackupError(f"找不到备份 {path}")
    sibling = path.parent / "attachments"
    return path, sibling if sibling.is_dir() and (path.parent / MANIFEST).exists() else None


def _set_aside_damaged(db_path: Path) -> BackupInfo:
    """Move a database that cannot be backed up (and its -wal/-shm) into the backups
    folder untouched, so that nothing the clerk had is ever deleted by a restore."""
    root = paths.backups_dir(db_path)
    root.mkdir(parents=True, exist_ok=True)
    now = datetime.now()
    folder = unique_folder(root, f"{now:%Y%m%d-%H%M%S}-damaged")
    folder.mkdir()
    for suffix in ("", "-wal", "-shm"):
        part = db_path.with_name(db_path.name + suffix)
        if part.exists():
            shutil.move(str(part), folder / part.name)
    log.warning("damaged database %s moved to %s before restore", db_path, folder)
    # no manifest: a damaged copy is never offered for restore nor rotated away
    return BackupInfo(folder, now, "恢复前移出的损坏数据库", None, None)


def restore_backup(
    db_path: Path, backup_path: Path, engine: Engine | None = None, damaged: bool = False
) -> BackupInfo:
    """Replace the live database (and attachments) by a backup, after backing up the
    current state. The caller must reopen its AppContext afterwards.
    Returns the backup taken of the state before the restore. ``damaged``: the live
    file is known to be damaged: it is moved aside as it is (with its -wal/-shm) into
    ``backups/<time>-damaged/`` instead of being copied into a backup that would look
    sound and rotate good ones away."""
    db_file, attachments = _resolve_backup(backup_path)
    _quick_check(db_file)
    revision = _revision_of(db_file)
    if revision is None:
        raise BackupError(f"{db_file} 不是本软件的数据库备份")
    known = set(migrate.known_revisions())
    if revision not in known:
        raise DatabaseVersionError(
            f"该备份由更新版本的软件创建（版本 {revision}），本软件无法恢复它。"
        )
    if engine is not None:
        engine.dispose()
    try:
        if damaged:
            raise BackupError("damaged")
        before = create_backup(db_path, engine, "restore")
    except (BackupError, DatabaseDamagedError, sqlite3.DatabaseError):
        # The live file is damaged (the very reason to restore): keep it aside as it is.
        before = _set_aside_damaged(db_path)
    _sqlite_copy(db_file, db_path)
    live_attachments = paths.attachments_dir(db_path)
    if attachments is not None:
        staging = live_attachments.with_name(".attachments-restoring")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(attachments, staging)
        old = live_attachments.with_name(".attachments-old")
        shutil.rmtree(old, ignore_errors=True)
        if live_attachments.exists():
            live_attachments.rename(old)
        staging.rename(live_attachments)
        shutil.rmtree(old, ignore_errors=True)
    log.info("restored %s into %s (previous state in %s)", backup_path, db_path, before.path)
    return before
