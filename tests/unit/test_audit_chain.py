"""Tamper evidence (issue 11, items 4 and 5): the audit log's hash chain and the records'
checksums, changed behind the app's back with the sqlite3 module and found by ``check``."""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from gongkai_desktop.data import migrate
from gongkai_desktop.data.engine import create_db_engine
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.maintenance import backup
from gongkai_desktop.services.maintenance.checks import check_database
from gongkai_desktop.services.maintenance.tamper import (
    verify_audit_chain,
    verify_record_checksums,
)
from gongkai_desktop.services.records.calendar import save_day
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.settings import save_settings
from gongkai_desktop.services.startup import open_context

from .conftest import site_values
from .test_migrations import OLD_AUDIT, OLD_RECORDS, make_0001_database

NO_UPDATE = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, '修改记录只能追加，不能修改'); END"
)


def tamper(db: Path, *statements: str) -> None:
    """Run statements on the file with the sqlite3 module, as someone with the shell would."""
    conn = sqlite3.connect(db)
    try:
        with conn:
            for statement in statements:
                conn.execute(statement)
    finally:
        conn.close()


def query(db: Path, statement: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(statement, params).fetchall()
    finally:
        conn.close()


def problems_of(db: Path) -> list[str]:
    """What ``check`` finds in the file, from a fresh context (as `gongkai check` runs)."""
    ctx = open_context(db, auto_backup=False)
    try:
        return check_database(ctx).problems
    finally:
        ctx.close()


@pytest.fixture
def worked(ctx: AppContext, records: RecordService) -> Iterator[tuple[Path, dict[str, str]]]:
    """A database written through the usual paths: creates, an update, a delete and a
    restore, a linked record, settings, a holiday-table day."""
    site = records.create("site", site_values("甲厂")).id
    other = records.create("site", site_values("乙厂")).id
    records.update(site, {**site_values("甲厂"), "village": "西村"})
    records.delete(other)
    records.restore(other)
    patrol = records.create(
        "inspection",
        {"inspection_type": "排污单位环境安全检查", "site": site, "inspectors": "张三"},
    ).id
    records.create(
        "rectification_task",
        {
            "source": "日常巡查发现",
            "description": "护栏损坏",
            "assigned_date": "2026-11-17",
            "deadline": "2026-12-31",
        },
        link_from=patrol,
    )
    save_settings(ctx, {"unit_name": "许明寺镇人民政府", "filler": "张三"})
    save_day(ctx, date(2026, 10, 10), True, "调休上班")
    ctx.close()
    yield ctx.db_path, {"site": site, "other": other, "patrol": patrol}


def test_an_untouched_database_passes(worked: tuple[Path, dict[str, str]]) -> None:
    db, _ids = worked
    count, last = query(db, "SELECT COUNT(*), MAX(id) FROM audit_log")[0]
    assert count == last > 20
    assert query(db, "SELECT COUNT(*) FROM audit_log WHERE hash IS NULL") == [(0,)]
    assert query(db, "SELECT COUNT(*) FROM records WHERE checksum IS NULL") == [(0,)]
    assert problems_of(db) == []


def test_the_first_entry_hash_is_recomputable_by_hand(worked: tuple[Path, dict[str, str]]) -> None:
    """The chain is what data/hashing.py documents: SHA-256 of the JSON list [previous
    hash, id, at, os_user, filler, record_id, form_id, action, field, old, new, origin,
    origin_id], starting from SHA-256 of a fixed text."""
    db, _ids = worked
    first, second = query(db, "SELECT * FROM audit_log ORDER BY id LIMIT 2")
    columns = [r[1] for r in query(db, "PRAGMA table_info(audit_log)")]
    genesis = hashlib.sha256(b"gongkai-desktop audit log").hexdigest()

    def by_hand(previous: str, row: tuple) -> str:
        values = dict(zip(columns, row, strict=True))
        content = [previous] + [
            values[k]
            for k in (
                "id", "at", "os_user", "filler", "record_id", "form_id", "action", "field",
                "old_value", "new_value", "origin", "origin_id",
            )
        ]  # fmt: skip
        text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    hash_at = columns.index("hash")
    assert first[hash_at] == by_hand(genesis, first)
    assert second[hash_at] == by_hand(first[hash_at], second)


def test_a_deleted_entry_and_the_dropped_trigger_are_reported(
    worked: tuple[Path, dict[str, str]],
) -> None:
    db, _ids = worked
    at = query(db, "SELECT at FROM audit_log WHERE id = 4")[0][0]
    tamper(db, "DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE id = 3")
    problems = problems_of(db)
    assert (
        "修改记录保护已被移除：数据库中缺少触发器 audit_log_no_delete，修改记录可被改动或删除。"
        in (problems)
    )
    # the entry after the deleted one is the first that does not link; time shown local
    first_bad = [p for p in problems if p.startswith("修改记录被改动：第 3 条（id 4，时间 ")]
    assert len(first_bad) == 1, problems
    assert at[:10] in first_bad[0] or str(int(at[8:10]) + 1) in first_bad[0]
    assert "修改记录被改动：缺少 id 3（共 1 条），已被删除。" in problems
    # recorded, not repaired: a second check says the same
    assert problems_of(db) == problems


def test_deleting_the_first_entries_is_reported(worked: tuple[Path, dict[str, str]]) -> None:
    db, _ids = worked
    tamper(db, "DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE id <= 2")
    tamper(db, NO_UPDATE.replace("no_update", "no_delete").replace("UPDATE ON", "DELETE ON"))
    problems = problems_of(db)
    assert not any("保护已被移除" in p for p in problems)
    assert any(p.startswith("修改记录被改动：第 1 条（id 3，") for p in problems), problems
    assert "修改记录被改动：缺少 id 1–2（共 2 条），已被删除。" in problems


def test_an_edited_entry_is_reported_even_with_the_trigger_restored(
    worked: tuple[Path, dict[str, str]],
) -> None:
    db, _ids = worked
    tamper(
        db,
        "DROP TRIGGER audit_log_no_update",
        "UPDATE audit_log SET new_value = '\"丙厂\"' WHERE id = 5",
        NO_UPDATE,
    )
    problems = verify_audit_chain_of(db)
    assert len(problems) == 1
    assert problems[0].startswith("修改记录被改动：第 5 条（id 5，时间 ")
    assert "这一条及其后的修改记录不可信" in problems[0]


def verify_audit_chain_of(db: Path) -> list[str]:
    ctx = open_context(db, auto_backup=False)
    try:
        return verify_audit_chain(ctx)
    finally:
        ctx.close()


def test_reordered_entries_are_reported(worked: tuple[Path, dict[str, str]]) -> None:
    """Two entries swapped, hashes and all: the ids are in the hashes."""
    db, _ids = worked
    tamper(
        db,
        "DROP TRIGGER audit_log_no_update",
        "UPDATE audit_log SET id = -1 WHERE id = 7",
        "UPDATE audit_log SET id = 7 WHERE id = 8",
        "UPDATE audit_log SET id = 8 WHERE id = -1",
        NO_UPDATE,
    )
    problems = verify_audit_chain_of(db)
    assert len(problems) == 1
    assert problems[0].startswith("修改记录被改动：第 7 条（id 7，")


def test_a_dropped_trigger_alone_is_reported(worked: tuple[Path, dict[str, str]]) -> None:
    db, _ids = worked
    tamper(db, "DROP TRIGGER audit_log_no_update")
    assert problems_of(db) == [
        "修改记录保护已被移除：数据库中缺少触发器 audit_log_no_update，修改记录可被改动或删除。"
    ]


def test_a_record_edited_outside_the_app_is_reported(
    worked: tuple[Path, dict[str, str]],
) -> None:
    db, ids = worked
    # the same content written another way (compact JSON) is not a change
    tamper(db, "UPDATE records SET data = json(data)")
    assert problems_of(db) == []
    tamper(
        db,
        f"UPDATE records SET data = json_set(data, '$.inspectors', '李四') "
        f"WHERE id = '{ids['patrol']}'",
    )
    title = query(db, "SELECT title FROM records WHERE id = ?", (ids["patrol"],))[0][0]
    problems = problems_of(db)
    assert problems == [
        f"记录内容与校验值不符（在本软件之外被改动过）：巡查检查“{title}”（{ids['patrol']}）"
    ]
    # a flag flipped by hand too
    tamper(db, f"UPDATE records SET deleted = 1 WHERE id = '{ids['site']}'")
    assert len(problems_of(db)) == 2


def test_saves_after_a_break_do_not_hide_it(worked: tuple[Path, dict[str, str]]) -> None:
    """New entries link to the stored chain; the break found before stays reported."""
    db, ids = worked
    tamper(
        db,
        "DROP TRIGGER audit_log_no_update",
        "UPDATE audit_log SET filler = '某人' WHERE id = 2",
        NO_UPDATE,
    )
    ctx = open_context(db, auto_backup=False)
    try:
        RecordService(ctx).update(ids["other"], site_values("乙厂", village="南村"))
        problems = verify_audit_chain(ctx)
        assert verify_record_checksums(ctx) == []
    finally:
        ctx.close()
    assert [p[:22] for p in problems] == ["修改记录被改动：第 2 条（id 2，时间 "]


def test_the_chain_survives_backup_and_restore(worked: tuple[Path, dict[str, str]]) -> None:
    db, ids = worked
    taken = backup.create_backup(db, None, "测试")
    ctx = open_context(db, auto_backup=False)
    try:
        RecordService(ctx).create("site", site_values("丁厂"))
    finally:
        ctx.close()
    backup.restore_backup(db, taken.path)
    ctx = open_context(db, auto_backup=False)
    try:
        assert check_database(ctx).problems == []
        # the restored chain goes on from its own head
        RecordService(ctx).update(ids["site"], site_values("甲厂", village="北村"))
        assert verify_audit_chain(ctx) == []
        assert verify_record_checksums(ctx) == []
    finally:
        ctx.close()


def test_migration_0009_backfills_chain_and_checksums(db_path: Path, visit_forms: Path) -> None:
    """A database at 0008 with data (from 0001, as the app's first version left it, plus
    a received entry with its origin) upgrades to a chain and checksums that check."""
    make_0001_database(db_path)
    engine = create_db_engine(db_path)
    try:
        migrate.upgrade(engine, "0008")
    finally:
        engine.dispose()
    tamper(
        db_path,
        "INSERT INTO audit_log (at, os_user, filler, record_id, form_id, action, field,"
        " old_value, new_value, origin, origin_id) VALUES ('2024-06-01 08:00:00', 'clerk',"
        " '李四', 'r1', 'site', '接收报送', '', NULL, NULL, '500235101000', 7)",
        "UPDATE records SET township_code = '500235101000' WHERE form_id = 'visit'",
    )
    before = query(db_path, "SELECT * FROM audit_log ORDER BY id")
    ctx = open_context(db_path, forms_dir=visit_forms, auto_backup=False)
    try:
        assert migrate.current_revision(ctx.engine) == "0009"
        assert verify_audit_chain(ctx) == []
        assert verify_record_checksums(ctx) == []
        RecordService(ctx).update(OLD_RECORDS[0][0], dict(OLD_RECORDS[0][6], village="北村"))
        assert verify_record_checksums(ctx) == []
        assert verify_audit_chain(ctx) == []
    finally:
        ctx.close()
    after = query(db_path, "SELECT * FROM audit_log ORDER BY id")
    assert [row[:-1] for row in after[: len(before)]] == before  # content untouched
    assert len(before) == len(OLD_AUDIT) + 1
    assert all(len(row[-1]) == 64 for row in after)
    # the no-update trigger is back after the backfill
    with pytest.raises(sqlite3.IntegrityError, match="修改记录只能追加"):
        tamper(db_path, "UPDATE audit_log SET filler = 'x' WHERE id = 1")
    triggers = query(db_path, "SELECT name FROM sqlite_master WHERE type = 'trigger'")
    assert sorted(t[0] for t in triggers) == ["audit_log_no_delete", "audit_log_no_update"]


def test_an_imported_ledger_is_chained_and_checksummed(
    ctx: AppContext, records: RecordService, tmp_path: Path
) -> None:
    """The bulk path: records and audit rows in executemany batches, a new 待完善 site
    written between batches, then a record saved through the service after it."""
    from .import_helpers import write_xlsx
    from .test_ledger_import import run, water_row, water_rows

    records.create("site", {"site_type": "饮用水水源地", "name": "龙河水库", "village": "东村"})
    rows = water_rows(
        water_row(1, "2023-06-05", "龙河水库", start="09:30"),
        water_row(2, "2023-06-06", "新建水库"),
        water_row(3, "2023-06-07", "龙河水库", found="√", problem="有人垂钓"),
    )
    assert run(ctx, "water_source_patrol", write_xlsx(tmp_path / "k.xlsx", rows)).added == 3
    records.create("site", site_values("丙厂"))
    assert query(ctx.db_path, "SELECT COUNT(*) FROM records WHERE checksum IS NULL") == [(0,)]
    assert verify_audit_chain(ctx) == []
    assert verify_record_checksums(ctx) == []
    assert check_database(ctx).problems == []


def test_findings_are_written_to_the_app_log(
    worked: tuple[Path, dict[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    db, _ids = worked
    tamper(db, "DROP TRIGGER audit_log_no_update")
    with caplog.at_level(logging.WARNING, logger="gongkai_desktop.services.maintenance.tamper"):
        problems = problems_of(db)
    logged = [r.getMessage() for r in caplog.records if r.name.endswith(".tamper")]
    assert logged == [f"check of {db}: {problems[0]}"]
