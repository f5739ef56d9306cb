"""Writers that never collide (issue 11, item 6), with real processes on a real file.

Write transactions begin IMMEDIATE (a second writer waits for the lock instead of
failing with ``database is locked``); ``ctx.reading()`` stays deferred and refuses
writes; the daily backup is made by one process only. The long runs with counts are
tests/reliability/concurrent_writers.py and startup_backup_race.py.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy.exc
from sqlalchemy import select, text

from gongkai_desktop.data.models import Record
from gongkai_desktop.data.repository import RecordQuery
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.maintenance import backup
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.startup import open_context

from .conftest import site_values

RELIABILITY = Path(__file__).resolve().parents[1] / "reliability"


def test_a_read_transaction_refuses_writes(ctx: AppContext, records: RecordService) -> None:
    made = records.create("site", site_values("甲厂"))
    with (
        pytest.raises(sqlalchemy.exc.OperationalError, match="readonly database"),
        ctx.reading() as session,
    ):
        session.execute(text("DELETE FROM records"))
    # the same pooled connection writes again in the next write transaction
    records.update(made.id, {**made.values, "name": "甲厂（新）"}, made.version)
    with ctx.reading() as session:
        assert session.scalars(select(Record.title)).all() == ["甲厂（新）"]


def test_reads_do_not_wait_for_another_processes_write_lock(
    ctx: AppContext, records: RecordService
) -> None:
    records.create("site", site_values("甲厂"))
    other = sqlite3.connect(ctx.db_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process holding the write lock
        other.execute("UPDATE records SET title = '改动中'")
        # a list, a count, a record read while the lock is held: the committed state
        listed = records.views(RecordQuery(form_id="site"), 10)
        assert [v.title for v in listed] == ["甲厂"]
        other.execute("COMMIT")
    finally:
        other.close()
    assert [v.title for v in records.views(RecordQuery(form_id="site"), 10)] == ["改动中"]


def test_a_writer_waits_for_the_lock_instead_of_failing(
    ctx: AppContext, records: RecordService
) -> None:
    other = sqlite3.connect(ctx.db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    outcome: list[object] = []

    def save() -> None:
        try:
            outcome.append(records.create("site", site_values("乙厂")).id)
        except Exception as exc:
            outcome.append(exc)

    saver = threading.Thread(target=save)
    saver.start()
    saver.join(0.5)  # with a deferred BEGIN it failed here at once: database is locked
    other.execute("COMMIT")
    other.close()
    saver.join()
    assert len(outcome) == 1 and isinstance(outcome[0], str), outcome
    with ctx.reading() as session:
        assert session.scalars(select(Record.id)).all() == [outcome[0]]


def test_four_writer_processes_store_every_acknowledged_create(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    result = subprocess.run(
        [
            sys.executable,
            str(RELIABILITY / "concurrent_writers.py"),
            *("--writers", "4", "--seconds", "2", "--folder", str(folder), "--json"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # judged here from the files, not from the script's own counts
    acked = [line for i in range(4) for line in (folder / f"w{i}.acks").read_text().split()]
    errors = [
        line
        for i in range(4)
        if (folder / f"w{i}.errors").exists()
        for line in (folder / f"w{i}.errors").read_text("utf-8").splitlines()
    ]
    conn = sqlite3.connect(folder / "gongkai.db")
    stored = {r[0] for r in conn.execute("SELECT id FROM records")}
    audited = {r[0] for r in conn.execute("SELECT record_id FROM audit_log WHERE action='新建'")}
    conn.close()
    assert errors == []
    assert len(acked) > 20  # each of the 4 processes saved, not only one
    assert all(len((folder / f"w{i}.acks").read_text().split()) > 0 for i in range(4))
    assert set(acked) == stored and len(acked) == len(stored)
    assert audited == stored
    assert json.loads(result.stdout)["database_is_locked"] == 0


def test_three_processes_opening_on_a_new_day_make_one_daily_backup(db_path: Path) -> None:
    with open_context(db_path, auto_backup=False) as ctx:  # no backup of today yet
        service = RecordService(ctx)
        for name in ("甲厂", "乙厂", "丙厂"):
            service.create("site", site_values(name))
    start_at = time.time() + 2.5
    cmd = [
        sys.executable,
        str(RELIABILITY / "startup_backup_race.py"),
        *("--worker", str(db_path), str(start_at)),
    ]
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in outputs]
    notes = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    assert sum("已完成今日自动备份" in n for n in notes) == 1
    root = db_path.parent / "backups"
    assert [p.name.endswith("-daily") for p in root.iterdir() if not p.name.startswith(".")] == [
        True
    ]
    assert not list(root.glob(".tmp-*"))
    (made,) = backup.list_backups(db_path)
    assert made.records == 3


HOLD_LOCK = """
import sys
from filelock import FileLock
lock = FileLock(sys.argv[1])
lock.acquire()
print("held", flush=True)
sys.stdin.readline()
lock.release()
"""


def test_the_daily_backup_is_skipped_while_another_process_makes_it(
    ctx: AppContext, records: RecordService
) -> None:
    records.create("site", site_values("甲厂"))
    lock_file = ctx.db_path.parent / ".gongkai.db.backup.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(lock_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        # the window's worker does not wait: that process is making today's backup
        assert backup.daily_backup_if_due(ctx.db_path, ctx.engine) is None
        assert backup.list_backups(ctx.db_path) == []
    finally:
        holder.communicate("\n", timeout=30)
    made = backup.daily_backup_if_due(ctx.db_path, ctx.engine)
    assert made is not None and made.records == 1


def test_backups_started_in_the_same_second_do_not_share_a_folder(
    ctx: AppContext, records: RecordService
) -> None:
    records.create("site", site_values("甲厂"))
    ready = threading.Barrier(3)
    made: list[object] = []

    def back_up() -> None:
        ready.wait()
        try:
            made.append(backup.create_backup(ctx.db_path, None, "manual"))
        except Exception as exc:
            made.append(exc)

    threads = [threading.Thread(target=back_up) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(isinstance(m, backup.BackupInfo) for m in made), made
    folders = {m.path for m in made}  # type: ignore[attr-defined]
    assert len(folders) == 3
    assert {b.path for b in backup.list_backups(ctx.db_path)} == folders
    for folder in folders:
        conn = sqlite3.connect(folder / "gongkai.db")
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT title FROM records").fetchall() == [("甲厂",)]
        conn.close()
    assert not list(ctx.backups_dir.glob(".tmp-*"))


def test_three_processes_opening_an_old_database_migrate_it_once(db_path: Path) -> None:
    from gongkai_desktop.data import migrate
    from gongkai_desktop.data.engine import create_db_engine

    engine = create_db_engine(db_path)
    try:
        migrate.upgrade(engine, "0007")  # as an older app left it
    finally:
        engine.dispose()
    start_at = time.time() + 2.5
    cmd = [
        sys.executable,
        str(RELIABILITY / "startup_backup_race.py"),
        *("--worker", str(db_path), str(start_at)),
    ]
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in outputs]
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (migrate.head_revision(),)
        ]
    finally:
        conn.close()


def test_a_write_that_waits_out_the_busy_timeout_says_so_in_chinese(
    ctx: AppContext, records: RecordService
) -> None:
    """Another process keeps the write lock longer than the busy timeout (a long import):
    the save fails with a Chinese message, no SQLite English, and nothing is stored."""
    from gongkai_desktop.data.engine import create_db_engine, make_session_factory
    from gongkai_desktop.domain.errors import DatabaseBusyError

    records.create("site", site_values("甲厂"))
    engine = create_db_engine(ctx.db_path, busy_timeout=0.2)
    impatient = AppContext(ctx.db_path, ctx.registry, engine, make_session_factory(engine))
    other = sqlite3.connect(ctx.db_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(DatabaseBusyError) as caught:
            RecordService(impatient).create("site", site_values("乙厂"))
        other.execute("COMMIT")
    finally:
        other.close()
        impatient.close()
    message = str(caught.value)
    assert "数据库正被另一个程序占用" in message and "0.2 秒" in message
    assert "没有保存任何内容" in message and "locked" not in message
    assert [v.title for v in records.views(RecordQuery(form_id="site"), 10)] == ["甲厂"]
