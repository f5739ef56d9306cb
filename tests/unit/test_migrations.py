"""Schema versions: upgrading a filled 0001 database, models vs. migrations, refusing newer
databases, and the connection PRAGMAs."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import exc as sa_exc

from gongkai_desktop.data import migrate
from gongkai_desktop.data.engine import create_db_engine
from gongkai_desktop.data.models import Base
from gongkai_desktop.data.repository import RecordQuery
from gongkai_desktop.domain.errors import DatabaseVersionError
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.maintenance.backup import list_backups
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.settings import load_settings
from gongkai_desktop.services.startup import open_context

SITE_A = "aaaaaaaa-0000-4000-8000-000000000001"
SITE_B = "aaaaaaaa-0000-4000-8000-000000000002"
VISIT = "bbbbbbbb-0000-4000-8000-000000000001"

# (id, form, title, record_date, site_id, status, data, created, updated, author, version,
#  deleted, deleted_at) as the 0001 schema stored them
OLD_RECORDS = [
    (SITE_A, "site", "ABC化工", None, None, "在用",
     {"site_type": "排污单位", "name": "ABC化工", "village": "东村", "status": "在用",
      "patrol_times": 2},
     "2024-05-01 08:00:00.000000", "2024-05-02 09:30:00.000000", "李四", 2, 0, None),
    (SITE_B, "site", "红星养殖场", None, None, "停用",
     {"site_type": "畜禽养殖场", "name": "红星养殖场", "village": "西村", "status": "停用",
      "stock": 300, "is_scale_farm": True},
     "2024-05-03 08:00:00.000000", "2024-05-04 08:00:00.000000", "李四", 2, 1,
     "2024-05-04 08:00:00.000000"),
    (VISIT, "visit", "ABC化工", "2024-05-06", SITE_A, "发现问题",
     {"visit_date": "2024-05-06", "site": SITE_A, "result": "发现问题", "problems": ["废水"],
      "fine": 1200.5, "followups": [{"date": "2024-05-07", "way": "电话"}],
      "followup_count": 1},
     "2024-05-06 10:00:00.000000", "2024-05-06 10:00:00.000000", "王五", 1, 0, None),
]  # fmt: skip

OLD_AUDIT = [
    (
        "2024-05-01 08:00:00.000000",
        "clerk",
        "李四",
        SITE_A,
        "site",
        "新建",
        "name",
        None,
        '"ABC化工"',
    ),
    (
        "2024-05-02 09:30:00.000000",
        "clerk",
        "李四",
        SITE_A,
        "site",
        "修改",
        "patrol_times",
        "1",
        "2",
    ),
    (
        "2024-05-03 08:00:00.000000",
        "clerk",
        "李四",
        SITE_B,
        "site",
        "新建",
        "name",
        None,
        '"红星养殖场"',
    ),
    ("2024-05-04 08:00:00.000000", "clerk", "李四", SITE_B, "site", "删除", "", None, None),
    (
        "2024-05-06 10:00:00.000000",
        "clerk",
        "王五",
        VISIT,
        "visit",
        "新建",
        "result",
        None,
        '"发现问题"',
    ),
]
OLD_SETTINGS = [("filler", "李四"), ("unit_name", "某某镇人民政府"), ("phone", "0123-4567890")]


def make_0001_database(db_path: Path) -> None:
    """A database as version 0001 of the app left it, filled by raw SQL."""
    engine = create_db_engine(db_path)
    try:
        migrate.upgrade(engine, "0001")
    finally:
        engine.dispose()
    conn = sqlite3.connect(db_path)
    with conn:
        conn.executemany(
            "INSERT INTO records (id, form_id, title, record_date, site_id, status, data,"
            " created_at, updated_at, author, version, deleted, deleted_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*r[:6], json.dumps(r[6], ensure_ascii=False), *r[7:]) for r in OLD_RECORDS],
        )
        conn.executemany(
            "INSERT INTO audit_log (at, os_user, filler, record_id, form_id, action, field,"
            " old_value, new_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            OLD_AUDIT,
        )
        conn.executemany("INSERT INTO settings (key, value) VALUES (?, ?)", OLD_SETTINGS)
    conn.close()


def rows(path: Path, statement: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(statement).fetchall()
    finally:
        conn.close()


def revision_of(path: Path) -> str:
    return rows(path, "SELECT version_num FROM alembic_version")[0][0]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_helper_really_builds_a_0001_database(db_path: Path) -> None:
    make_0001_database(db_path)
    assert revision_of(db_path) == "0001"
    columns = [r[1] for r in rows(db_path, "PRAGMA table_info(records)")]
    assert "search_text" not in columns
    assert rows(db_path, "SELECT count(*) FROM records") == [(3,)]


def test_upgrade_from_0001_keeps_everything(db_path: Path, visit_forms: Path) -> None:
    make_0001_database(db_path)
    old_columns = (
        "id, form_id, title, record_date, site_id, status, data, created_at, updated_at,"
        " author, version, deleted, deleted_at"
    )
    records_before = rows(db_path, f"SELECT {old_columns} FROM records ORDER BY id")
    audit_columns = (
        "id, at, os_user, filler, record_id, form_id, action, field, old_value, new_value"
    )
    audit_before = rows(db_path, f"SELECT {audit_columns} FROM audit_log ORDER BY id")
    settings_before = rows(db_path, "SELECT * FROM settings ORDER BY key")

    ctx = open_context(db_path, forms_dir=visit_forms, auto_backup=False)
    try:
        assert migrate.current_revision(ctx.engine) == migrate.head_revision() == "0009"
        assert rows(db_path, f"SELECT {old_columns} FROM records ORDER BY id") == records_before
        assert rows(db_path, f"SELECT {audit_columns} FROM audit_log ORDER BY id") == audit_before
        assert rows(db_path, "SELECT * FROM settings ORDER BY key") == settings_before

        # search_text was backfilled: every text of the record and its title, lower-cased
        search = dict(rows(db_path, "SELECT id, search_text FROM records"))
        assert search[SITE_A] == "排污单位\nabc化工\n东村\n在用\n2\nabc化工"
        assert search[SITE_B] == "畜禽养殖场\n红星养殖场\n西村\n停用\n300\n红星养殖场"
        assert search[VISIT].split("\n") == [
            "2024-05-06", SITE_A, "发现问题", "废水", "1200.5", "2024-05-07", "电话", "1", "abc化工"
        ]  # fmt: skip

        # the indexes of 0002, 0006 and 0007 (those on form fields: test_list_indexes.py)
        indexes = {
            r[0]
            for r in rows(
                db_path,
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records'"
                " AND sql IS NOT NULL AND sql NOT LIKE '%json_extract%'",
            )
        }
        assert indexes == {
            "ix_records_form_deleted_date",
            "ix_records_form_deleted_updated",
            "ix_records_form_deleted_created",
            "ix_records_form_deleted_title",
            "ix_records_form_deleted_status",
            "ix_records_deleted_at",
            "ix_records_site_form_date",
            "ix_records_township",
        }

        service = RecordService(ctx)
        assert service.count(RecordQuery(form_id="site", search="ABC")) == 1
        assert service.count(RecordQuery(form_id="site", search="西村")) == 0  # deleted
        assert service.count(RecordQuery(form_id="site", deleted=True, search="西村")) == 1
        old = service.get(SITE_A)
        assert old.values["name"] == "ABC化工" and old.version == 2 and old.author == "李四"
        assert old.created_at.year == 2024
        visit = service.get(VISIT)
        assert visit.values["followups"] == [{"date": "2024-05-07", "way": "电话"}]
        assert visit.record_date is not None and visit.record_date.isoformat() == "2024-05-06"

        # old records can be edited; history keeps the old entries
        service.update(SITE_A, {"patrol_times": 3}, expected_version=2)
        history = service.history(SITE_A)  # newest first
        assert [(h.action, h.field) for h in history] == [
            ("修改", "要求巡查次数"),
            ("修改", "要求巡查次数"),
            ("新建", "名称"),
        ]
        assert (history[1].old, history[1].new, history[1].who) == ("1", "2", "李四")
        assert load_settings(ctx)["unit_name"] == "某某镇人民政府"
        # the audit log is still append-only after the table rebuilds
        with (
            pytest.raises(sa_exc.IntegrityError, match="修改记录只能追加"),
            ctx.engine.begin() as conn,
        ):
            conn.exec_driver_sql("DELETE FROM audit_log")
    finally:
        ctx.close()


def test_opening_an_old_database_backs_it_up_first(db_path: Path, visit_forms: Path) -> None:
    make_0001_database(db_path)
    before = sha256(db_path)
    ctx = open_context(db_path, forms_dir=visit_forms, auto_backup=False)
    ctx.close()
    backups = list_backups(db_path)
    assert [b.reason for b in backups] == ["升级数据库前"]
    backup = backups[0]
    assert backup.path.name.endswith("-migration")
    assert backup.revision == "0001" and backup.records == 3
    assert backup.path.parent == db_path.parent / "backups"
    copy = backup.path / "gongkai.db"
    assert revision_of(copy) == "0001"
    assert rows(copy, "SELECT id FROM records ORDER BY id") == [(SITE_A,), (SITE_B,), (VISIT,)]
    assert rows(copy, "SELECT count(*) FROM audit_log") == [(len(OLD_AUDIT),)]
    assert "升级数据库前已备份（可在“设置—数据与备份”中查看）" in ctx.opened_notes
    assert sha256(db_path) != before  # the live file was upgraded


def test_a_failed_upgrade_leaves_the_database_at_its_old_version(
    db_path: Path, visit_forms: Path
) -> None:
    make_0001_database(db_path)
    # 0002 creates this index after adding and filling search_text: make that last step fail
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE INDEX ix_records_form_deleted_date ON settings (key)")
    conn.commit()
    conn.close()
    records_before = rows(db_path, "SELECT * FROM records ORDER BY id")
    with pytest.raises(sa_exc.OperationalError):
        open_context(db_path, forms_dir=visit_forms, auto_backup=False)
    assert revision_of(db_path) == "0001"
    assert rows(db_path, "SELECT * FROM records ORDER BY id") == records_before
    assert [b.revision for b in list_backups(db_path)] == ["0001"]


def _schema_diff(engine: object) -> list:
    with engine.connect() as conn, warnings.catch_warnings():  # type: ignore[attr-defined]
        # SQLAlchemy cannot reflect the list indexes on form fields (json_extract
        # expressions, migration 0007) and says so; test_list_indexes.py checks them
        warnings.filterwarnings(
            "ignore",
            r"Skipped unsupported reflection of expression-based index ix_records_",
            sa_exc.SAWarning,
        )
        return compare_metadata(MigrationContext.configure(conn), Base.metadata)


def test_models_match_the_migrated_schema(ctx: AppContext) -> None:
    assert _schema_diff(ctx.engine) == []


def test_models_match_a_schema_upgraded_from_0001(db_path: Path, visit_forms: Path) -> None:
    make_0001_database(db_path)
    ctx = open_context(db_path, forms_dir=visit_forms, auto_backup=False)
    try:
        assert _schema_diff(ctx.engine) == []
    finally:
        ctx.close()


def test_a_fresh_database_is_created_at_head_without_backup(db_path: Path) -> None:
    ctx = open_context(db_path, auto_backup=False)
    ctx.close()
    assert revision_of(db_path) == migrate.head_revision()
    assert not (db_path.parent / "backups").exists()


def _set_revision(path: Path, revision: str) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    conn.close()


def test_database_from_a_newer_version_is_refused_and_untouched(
    db_path: Path, make_site: Callable[..., str]
) -> None:
    ctx = open_context(db_path, auto_backup=False)
    make_site(RecordService(ctx), "甲厂")
    ctx.close()
    _set_revision(db_path, "9999")
    before = sha256(db_path)
    with pytest.raises(DatabaseVersionError) as info:
        open_context(db_path)
    message = str(info.value)
    assert "9999" in message and "更新版本" in message and "不会修改" in message
    assert sha256(db_path) == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["gongkai.db"]  # no -wal/-shm
    assert revision_of(db_path) == "9999"


def test_version_still_in_the_wal_file_after_a_crash_is_seen(db_path: Path, tmp_path: Path) -> None:
    open_context(db_path, auto_backup=False).close()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    # copy the files while the connection is open: what a crash leaves behind
    crashed = tmp_path / "crashed" / "gongkai.db"
    crashed.parent.mkdir()
    for suffix in ("", "-wal", "-shm"):
        crashed.with_name(crashed.name + suffix).write_bytes(
            db_path.with_name(db_path.name + suffix).read_bytes()
        )
    conn.close()
    with pytest.raises(DatabaseVersionError, match="9999"):
        open_context(crashed)


def test_newer_database_in_rollback_journal_mode_is_left_byte_identical(db_path: Path) -> None:
    # e.g. a copy made by another tool: not in WAL mode. Opening it must not switch it.
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
    conn.execute("INSERT INTO alembic_version VALUES ('9999')")
    conn.execute("CREATE TABLE records (id TEXT PRIMARY KEY)")
    conn.commit()
    conn.close()
    before = sha256(db_path)
    with pytest.raises(DatabaseVersionError, match="9999"):
        open_context(db_path)
    assert sha256(db_path) == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["gongkai.db"]


def test_a_database_of_another_program_is_refused(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('不要动我')")
    conn.commit()
    conn.close()
    before = sha256(db_path)
    with pytest.raises(DatabaseVersionError) as info:
        open_context(db_path)
    assert "不是本软件的数据库" in str(info.value)
    assert sha256(db_path) == before


def test_connection_pragmas(ctx: AppContext) -> None:
    with ctx.transaction() as session:
        conn = session.connection()
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_audit_log_refuses_update_and_delete(ctx: AppContext, records: RecordService) -> None:
    records.create("site", {"site_type": "其他", "name": "甲", "village": "东村"})
    for statement, word in (
        ("UPDATE audit_log SET new_value = '\"乙\"'", "不能修改"),
        ("DELETE FROM audit_log", "不能删除"),
    ):
        with pytest.raises(sa_exc.IntegrityError, match=word), ctx.engine.begin() as conn:
            conn.exec_driver_sql(statement)
    # also through a plain sqlite3 connection, i.e. in the database itself
    conn = sqlite3.connect(ctx.db_path)
    with pytest.raises(sqlite3.IntegrityError, match="修改记录只能追加"):
        conn.execute("DELETE FROM audit_log")
    conn.close()


def test_a_file_that_is_not_a_database_is_refused_unchanged(tmp_path: Path) -> None:
    from gongkai_desktop.domain.errors import DatabaseDamagedError

    bogus = tmp_path / "gongkai.db"
    bogus.write_bytes(b"this is a spreadsheet, not a database" * 50)
    before = bogus.read_bytes()
    with pytest.raises(DatabaseDamagedError, match="数据库文件已损坏"):
        open_context(bogus, auto_backup=False)
    assert bogus.read_bytes() == before
    assert list(tmp_path.glob("gongkai.db*")) == [bogus]  # no -wal/-shm beside it


IMPORTED = (
    "ab" * 32, "water_source_patrol", "旧台账.xlsx", "2026-11-20 08:00:00.000000", 12, "李四"
)  # fmt: skip


def make_0003_database(db_path: Path) -> None:
    """A database as version 0003 of the app left it (records, audit, settings and an
    imported file), upgraded from a filled 0001 by the real migrations."""
    make_0001_database(db_path)
    engine = create_db_engine(db_path)
    try:
        migrate.upgrade(engine, "0003")
    finally:
        engine.dispose()
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute(
            "INSERT INTO imported_files (sha256, ledger_id, file_name, imported_at,"
            " rows_added, author) VALUES (?, ?, ?, ?, ?, ?)",
            IMPORTED,
        )
    conn.close()


def test_upgrade_from_0003_adds_the_empty_holiday_tables(db_path: Path, visit_forms: Path) -> None:
    make_0003_database(db_path)
    assert revision_of(db_path) == "0003"
    tables_before = {
        r[0] for r in rows(db_path, "SELECT name FROM sqlite_master WHERE type='table'")
    }
    assert "calendar_days" not in tables_before
    before = {
        table: rows(db_path, f"SELECT * FROM {table} ORDER BY 1")
        for table in ("records", "audit_log", "settings", "imported_files")
    }
    ctx = open_context(db_path, forms_dir=visit_forms, auto_backup=False)
    try:
        assert migrate.current_revision(ctx.engine) == migrate.head_revision()
        for table, content in before.items():
            after = rows(db_path, f"SELECT * FROM {table} ORDER BY 1")
            # later migrations only append columns, empty on old rows (0006's township code)
            # but for the hash / checksum 0009 backfills (the last column)
            width = len(content[0]) if content else 0
            assert [row[:width] for row in after] == content, table
            hashed = table in ("records", "audit_log")
            assert all(
                value is None for row in after for value in row[width : -1 if hashed else None]
            ), table
            if hashed:
                assert all(len(row[-1]) == 64 for row in after), table
        assert rows(db_path, "SELECT count(*) FROM calendar_days") == [(0,)]
        assert rows(db_path, "SELECT count(*) FROM calendar_years") == [(0,)]
        columns = {r[1]: (r[2], r[3], r[4], r[5]) for r in rows(
            db_path, "PRAGMA table_info(calendar_days)"
        )}  # fmt: skip
        assert columns == {
            "day": ("DATE", 1, None, 1),
            "workday": ("BOOLEAN", 1, None, 0),
            "note": ("VARCHAR(100)", 1, "''", 0),
        }
        columns = {r[1]: (r[2], r[5]) for r in rows(db_path, "PRAGMA table_info(calendar_years)")}
        assert columns == {
            "year": ("INTEGER", 1),
            "note": ("VARCHAR(200)", 0),
            "entered_at": ("DATETIME", 0),
        }
        assert _schema_diff(ctx.engine) == []
        # the new tables take rows the way the app writes them
        with ctx.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO calendar_days (day, workday) VALUES ('2027-01-01', 0)"
            )
        assert rows(db_path, "SELECT day, workday, note FROM calendar_days") == [
            ("2027-01-01", 0, "")
        ]
    finally:
        ctx.close()
    assert [b.revision for b in list_backups(db_path)] == ["0003"]


def test_the_holiday_migration_downgrades_to_0003(db_path: Path) -> None:
    engine = create_db_engine(db_path)
    try:
        migrate.upgrade(engine, "0004")
        from alembic import command

        cfg = migrate._config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0003")
    finally:
        engine.dispose()
    assert revision_of(db_path) == "0003"
    tables = {r[0] for r in rows(db_path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert not {"calendar_days", "calendar_years"} & tables


def test_the_mapping_migration_adds_an_empty_table_and_downgrades(db_path: Path) -> None:
    engine = create_db_engine(db_path)
    try:
        migrate.upgrade(engine, "0004")
        migrate.upgrade(engine, "0005")
        assert rows(db_path, "SELECT count(*) FROM import_mappings") == [(0,)]
        from alembic import command

        cfg = migrate._config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0004")
    finally:
        engine.dispose()
    assert revision_of(db_path) == "0004"
    tables = {r[0] for r in rows(db_path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert "import_mappings" not in tables and "calendar_days" in tables


def test_the_submission_migration_adds_its_tables_and_downgrades_keeping_triggers(
    db_path: Path,
) -> None:
    engine = create_db_engine(db_path)
    try:
        migrate.upgrade(engine, "0006")
        tables = {r[0] for r in rows(db_path, "SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"townships", "submissions", "received_packages", "merge_conflicts"} <= tables
        from alembic import command

        cfg = migrate._config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0005")
    finally:
        engine.dispose()
    assert revision_of(db_path) == "0005"
    tables = {r[0] for r in rows(db_path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert "townships" not in tables and "import_mappings" in tables
    triggers = {r[0] for r in rows(db_path, "SELECT name FROM sqlite_master WHERE type='trigger'")}
    assert {"audit_log_no_update", "audit_log_no_delete"} <= triggers
    columns = {r[1] for r in rows(db_path, "PRAGMA table_info(audit_log)")}
    assert "origin" not in columns
