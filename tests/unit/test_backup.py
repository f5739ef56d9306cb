"""services/maintenance/backup.py: verified backups with attachments, rotation, daily backups, restore."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from gongkai_desktop.data import migrate
from gongkai_desktop.data.repository import RecordQuery
from gongkai_desktop.domain.errors import BackupError, DatabaseDamagedError, DatabaseVersionError
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.maintenance import backup, damage
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.startup import open_context

from .conftest import site_values
from .test_migrations import make_0001_database


def query(path: Path, statement: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(statement).fetchall()
    finally:
        conn.close()


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its content hash."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def names_in(path: Path) -> list[str]:
    return [r[0] for r in query(path, "SELECT title FROM records ORDER BY title")]


@pytest.fixture
def filled(ctx: AppContext, records: RecordService) -> Iterator[AppContext]:
    records.create("site", site_values("甲厂"))
    records.create("site", site_values("乙厂"))
    photos = ctx.attachments_dir / "2024"
    photos.mkdir(parents=True)
    (photos / "a1b2c3.jpg").write_bytes(b"\xff\xd8photo-one")
    (ctx.attachments_dir / "d4e5.png").write_bytes(b"\x89PNGphoto-two")
    yield ctx


def test_create_backup(filled: AppContext) -> None:
    ctx = filled
    info = backup.create_backup(ctx.db_path, ctx.engine, "manual")
    assert info.path.parent == ctx.db_path.parent / "backups"
    assert info.path.name.endswith("-manual")
    assert (info.reason, info.revision, info.records) == ("手动备份", migrate.head_revision(), 2)
    assert sorted(p.name for p in info.path.iterdir()) == [
        "attachments",
        "gongkai.db",
        "manifest.json",
    ]
    # the database copy is complete (WAL content included) and sound
    copy = info.path / "gongkai.db"
    assert query(copy, "PRAGMA quick_check") == [("ok",)]
    assert names_in(copy) == ["乙厂", "甲厂"]
    assert query(copy, "SELECT count(*) FROM audit_log") == query(
        ctx.db_path, "SELECT count(*) FROM audit_log"
    )
    # the attachments, byte for byte
    assert tree_digest(info.path / "attachments") == tree_digest(ctx.attachments_dir)
    meta = json.loads((info.path / "manifest.json").read_text(encoding="utf-8"))
    assert meta["reason"] == "手动备份" and meta["records"] == 2
    assert meta["revision"] == migrate.head_revision()
    assert meta["source"] == str(ctx.db_path)
    assert abs(datetime.fromisoformat(meta["created"]) - datetime.now()).total_seconds() < 10
    assert backup.list_backups(ctx.db_path) == [info]


def test_backup_without_attachments_folder(ctx: AppContext) -> None:
    info = backup.create_backup(ctx.db_path, ctx.engine, "daily")
    assert (info.path / "attachments").is_dir()
    assert list((info.path / "attachments").iterdir()) == []
    assert info.reason == "每日自动备份"


def test_backup_to_a_chosen_folder_is_not_rotated(filled: AppContext, tmp_path: Path) -> None:
    out = tmp_path / "U盘" / "备份"
    info = backup.create_backup(filled.db_path, filled.engine, "manual", out)
    assert info.path.parent == out
    assert names_in(info.path / "gongkai.db") == ["乙厂", "甲厂"]
    assert backup.list_backups(filled.db_path) == []


def test_rotation_keeps_the_newest_ten(filled: AppContext) -> None:
    made = [backup.create_backup(filled.db_path, filled.engine, "manual") for _ in range(12)]
    kept = backup.list_backups(filled.db_path)
    assert len(kept) == backup.KEEP_BACKUPS == 10
    # newest first, and exactly the last ten made
    assert [b.created for b in kept] == [b.created for b in reversed(made[2:])]
    assert all(b.path.exists() for b in made[2:])
    assert made[-1].path.exists()  # the backup just made is never rotated away
    folders = sorted(p.name for p in (filled.db_path.parent / "backups").iterdir())
    assert len(folders) == 10 and not any(f.startswith(".tmp") for f in folders)


def test_rotation_orders_by_time_not_by_reason(filled: AppContext) -> None:
    # "migration" sorts after "daily" as text; the daily one made later is newer
    backup.create_backup(filled.db_path, filled.engine, "migration")
    daily = backup.create_backup(filled.db_path, filled.engine, "daily")
    assert backup.list_backups(filled.db_path)[0] == daily


def _corrupt(db_path: Path) -> None:
    """Overwrite a b-tree page in the middle of the file (SQLite's own pages, no mock)."""
    conn = sqlite3.connect(db_path)
    conn.executemany(
        "INSERT INTO settings (key, value) VALUES (?, ?)",
        [(f"filler-{i}", "填充" * 100) for i in range(1500)],
    )
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    page_count = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    assert page_count > 40
    with db_path.open("r+b") as fh:
        fh.seek(page_size * (page_count // 2))
        fh.write(os.urandom(page_size))


def test_a_backup_that_fails_verification_keeps_older_backups(filled: AppContext) -> None:
    ctx = filled
    older = [backup.create_backup(ctx.db_path, ctx.engine, "manual") for _ in range(10)]
    root = ctx.db_path.parent / "backups"
    before = tree_digest(root)
    ctx.close()
    _corrupt(ctx.db_path)
    # the copy fails quick_check: the live file is damaged, said so, naming the newest
    # backup (all of them verify)
    with pytest.raises(DatabaseDamagedError) as info:
        backup.create_backup(ctx.db_path, None, "manual")
    message = str(info.value)
    assert "数据库文件已损坏" in message and "没有覆盖或删除任何数据" in message
    assert damage.complete(info.value).backup_path == older[-1].path
    assert tree_digest(root) == before  # all ten older backups untouched
    assert sorted(p.name for p in root.iterdir()) == sorted(b.path.name for b in older)
    assert not any(p.name.startswith(".tmp") for p in root.iterdir())


def test_daily_backup_once_a_day(filled: AppContext) -> None:
    first = backup.daily_backup_if_due(filled.db_path, filled.engine)
    assert first is not None and first.reason == "每日自动备份"
    assert backup.daily_backup_if_due(filled.db_path, filled.engine) is None
    assert len(backup.list_backups(filled.db_path)) == 1


def test_opening_an_existing_database_takes_the_daily_backup(db_path: Path) -> None:
    open_context(db_path).close()  # new database: nothing to back up
    assert backup.list_backups(db_path) == []
    ctx = open_context(db_path)
    ctx.close()
    assert [b.reason for b in backup.list_backups(db_path)] == ["每日自动备份"]
    assert any("今日自动备份" in n for n in ctx.opened_notes)
    open_context(db_path).close()
    assert len(backup.list_backups(db_path)) == 1


def test_restore_backup(filled: AppContext) -> None:
    ctx = filled
    saved = backup.create_backup(ctx.db_path, ctx.engine, "manual")
    saved_attachments = tree_digest(ctx.attachments_dir)
    # later work that the restore will undo
    RecordService(ctx).create("site", site_values("丙厂"))
    (ctx.attachments_dir / "later.jpg").write_bytes(b"later")
    (ctx.attachments_dir / "d4e5.png").write_bytes(b"changed")

    before = backup.restore_backup(ctx.db_path, saved.path, ctx.engine)
    ctx.close()
    # the state before the restore was backed up first, attachments included
    assert before.reason == "恢复备份前" and before.records == 3
    assert names_in(before.path / "gongkai.db") == ["丙厂", "乙厂", "甲厂"]
    assert (before.path / "attachments" / "later.jpg").read_bytes() == b"later"
    # database and attachments are the backup's
    assert tree_digest(ctx.attachments_dir) == saved_attachments
    assert not (ctx.attachments_dir / "later.jpg").exists()
    reopened = open_context(ctx.db_path, auto_backup=False)
    try:
        service = RecordService(reopened)
        rows = service.page(RecordQuery(form_id="site", sort_key="title", descending=False), 0, 10)
        assert [r.cells[1] for r in rows] == ["乙厂", "甲厂"]
        assert service.create("site", site_values("丁厂")).title == "丁厂"
    finally:
        reopened.close()
    leftovers = [p.name for p in ctx.db_path.parent.iterdir() if p.name.startswith(".attachments")]
    assert leftovers == []


def test_restore_from_the_database_file_itself(filled: AppContext) -> None:
    saved = backup.create_backup(filled.db_path, filled.engine, "manual")
    RecordService(filled).create("site", site_values("丙厂"))
    backup.restore_backup(filled.db_path, saved.path / "gongkai.db", filled.engine)
    filled.close()
    assert names_in(filled.db_path) == ["乙厂", "甲厂"]


def test_restore_refuses_a_backup_from_a_newer_version(filled: AppContext) -> None:
    ctx = filled
    saved = backup.create_backup(ctx.db_path, ctx.engine, "manual")
    conn = sqlite3.connect(saved.path / "gongkai.db")
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    live = query(ctx.db_path, "SELECT * FROM records ORDER BY id")
    with pytest.raises(DatabaseVersionError, match="9999"):
        backup.restore_backup(ctx.db_path, saved.path, ctx.engine)
    assert query(ctx.db_path, "SELECT * FROM records ORDER BY id") == live
    assert [b.path for b in backup.list_backups(ctx.db_path)] == [saved.path]  # no new backup


def test_restore_refuses_what_is_not_a_backup(filled: AppContext, tmp_path: Path) -> None:
    junk = tmp_path / "notes.db"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(BackupError):
        backup.restore_backup(filled.db_path, junk, filled.engine)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(BackupError, match="不是本软件的数据库备份"):
        backup.restore_backup(filled.db_path, other, filled.engine)
    with pytest.raises(BackupError, match="找不到备份"):
        backup.restore_backup(filled.db_path, tmp_path / "missing.db", filled.engine)
    empty = tmp_path / "empty-folder"
    empty.mkdir()
    with pytest.raises(BackupError, match="没有备份数据库"):
        backup.restore_backup(filled.db_path, empty, filled.engine)
    assert names_in(filled.db_path) == ["乙厂", "甲厂"]


def test_restoring_an_older_schema_upgrades_it_on_reopen(
    filled: AppContext, tmp_path: Path, visit_forms: Path
) -> None:
    old_db = tmp_path / "old" / "gongkai.db"
    make_0001_database(old_db)
    backup.restore_backup(filled.db_path, old_db, filled.engine)
    filled.close()
    assert query(filled.db_path, "SELECT version_num FROM alembic_version") == [("0001",)]
    ctx = open_context(filled.db_path, forms_dir=visit_forms, auto_backup=False)
    try:
        assert migrate.current_revision(ctx.engine) == migrate.head_revision()
        assert RecordService(ctx).count(RecordQuery(form_id="site", search="abc化工")) == 1
    finally:
        ctx.close()
    reasons = [b.reason for b in backup.list_backups(filled.db_path)]
    assert reasons == ["升级数据库前", "恢复备份前"]


def test_paths_with_uri_characters(tmp_path: Path, make_site: Callable[..., str]) -> None:
    # "#" and "%" are legal in Windows folder names; both mean something in a URL
    db_path = tmp_path / "台账 #1 %20" / "gongkai.db"
    ctx = open_context(db_path, auto_backup=False)
    try:
        make_site(RecordService(ctx), "甲厂")
        info = backup.create_backup(db_path, ctx.engine, "manual")
        assert info.records == 1 and info.revision == migrate.head_revision()
        backup.restore_backup(db_path, info.path, ctx.engine)
    finally:
        ctx.close()
    assert names_in(db_path) == ["甲厂"]
    assert [p.name for p in tmp_path.iterdir() if p.name != "home"] == ["台账 #1 %20"]
    assert sorted(p.name for p in db_path.parent.iterdir() if p.is_file()) == ["gongkai.db"]


def test_restore_over_a_damaged_database_keeps_the_damaged_file(tmp_path: Path) -> None:
    """Restoring is how a clerk recovers from a broken database: it must work without
    opening the broken file, and must not delete it."""
    from gongkai_desktop.cli import main

    db = tmp_path / "data" / "gongkai.db"
    assert (
        main(
            [
                "--db",
                str(db),
                "add",
                "site",
                "--json",
                '{"site_type": "其他", "name": "甲", "village": "东村"}',
            ]
        )
        == 0
    )
    assert main(["--db", str(db), "backup"]) == 0
    backup_folder = next(p for p in (db.parent / "backups").iterdir() if p.name.endswith("manual"))
    damaged = b"garbage, not sqlite" * 100
    db.write_bytes(damaged)
    for suffix in ("-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)

    assert main(["--db", str(db), "restore-backup", str(backup_folder)]) == 0

    kept = [p for p in (db.parent / "backups").iterdir() if p.name.endswith("-damaged")]
    assert len(kept) == 1 and (kept[0] / "gongkai.db").read_bytes() == damaged
    conn = sqlite3.connect(db)
    try:
        names = [r[0] for r in conn.execute("SELECT title FROM records")]
    finally:
        conn.close()
    assert names == ["甲"]
