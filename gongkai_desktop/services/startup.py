"""Opening the app's database: forms, version check, backups, migrations, then the context.

Kept apart from ``context`` so that the backup service (which the start-up uses) and the
context it hands out do not import each other.
"""

from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy.exc

from gongkai_desktop import paths
from gongkai_desktop.data import migrate
from gongkai_desktop.data.engine import create_readonly_engine
from gongkai_desktop.domain.errors import DatabaseVersionError
from gongkai_desktop.forms.loader import load_registry
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.maintenance import backup, damage

log = logging.getLogger(__name__)


def open_context(
    db_path: Path | None = None,
    forms_dir: Path | None = None,
    auto_backup: bool = True,
) -> AppContext:
    """Open (creating or upgrading) the database. Refuses a database from a newer app.

    A database with data is backed up before it is migrated, and once a day on open
    (``auto_backup``); the notes say what was done, for the status bar.
    """
    db_path = Path(db_path or paths.default_db_path()).resolve()
    registry = load_registry(forms_dir or paths.forms_dir(), cache_dir=paths.cache_dir())
    existed = db_path.exists() and db_path.stat().st_size > 0
    stray_note = None
    if existed:
        # Judge the file before the engine's PRAGMAs (WAL) can touch it: a -wal of
        # another database is set aside first, then the version is read.
        stray_note = damage.set_aside_stray_wal(db_path)
        _probe(db_path)
    ctx = AppContext.open(db_path, registry)
    notes = ctx.opened_notes
    if stray_note:
        notes.append(stray_note)
    try:
        migrate.check_known_revision(ctx.engine)
        if migrate.needs_upgrade(ctx.engine):
            if existed and not migrate.is_empty_database(ctx.engine):
                made = backup.create_backup(db_path, ctx.engine, "migration")
                # the notes reach the clerk's window: no paths there (the log has them)
                log.info("升级数据库前的备份：%s", made.path)
                notes.append("升级数据库前已备份（可在“设置—数据与备份”中查看）")
            migrate.upgrade(ctx.engine)
        if auto_backup and existed:
            note = daily_backup(ctx)
            if note:
                notes.append(note)
    except BaseException:
        ctx.close()
        raise
    for note in notes:
        log.info(note)
    return ctx


def _probe(db_path: Path) -> None:
    """Refuse a damaged database, or one from a newer app, without creating any file
    beside it (a -wal without its -shm is read from a copy)."""
    with damage.probe_file(db_path) as probe_path:
        probe = create_readonly_engine(probe_path)
        try:
            migrate.check_known_revision(probe)
        except sqlalchemy.exc.DatabaseError as exc:
            if damage.is_damage_error(exc):
                raise damage.damaged_error(db_path, exc.orig or exc) from exc
            raise DatabaseVersionError(
                "该文件无法作为本软件的数据库打开，软件没有修改它。"
                "可在“设置—数据与备份”中从备份恢复。"
            ) from exc
        finally:
            probe.dispose()


def daily_backup(ctx: AppContext) -> str | None:
    """The first open of a day backs the database up; returns the note for the clerk
    (None: already done today). The window runs this on a worker after it is shown."""
    made = backup.daily_backup_if_due(ctx.db_path, ctx.engine)
    if made is None:
        return None
    log.info("今日自动备份：%s", made.path)
    return "已完成今日自动备份"
