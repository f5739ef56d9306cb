"""Damaged databases (services/maintenance/damage.py, the engine's translation, start-up,
the CLI): a typed Chinese error naming the newest verified backup, the file untouched
until the one-step restore, stray -wal files set aside, salvage of later records."""

from __future__ import annotations

import importlib.util
import random
import shlex
import shutil
import sqlite3
import sys
from pathlib import Path
from types import ModuleType

import pytest

from gongkai_desktop import paths
from gongkai_desktop.cli.main import main
from gongkai_desktop.domain.errors import DatabaseDamagedError, DatabaseVersionError
from gongkai_desktop.services.maintenance import backup, damage
from gongkai_desktop.services.maintenance.salvage import import_salvaged
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.startup import open_context

SCRIPT = Path(__file__).resolve().parents[1] / "reliability" / "damaged_copies.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("damaged_copies", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["damaged_copies"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def copies() -> ModuleType:
    return _script()


@pytest.fixture(scope="module")
def base(copies: ModuleType, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return copies.build_base(tmp_path_factory.mktemp("damage-base"))


def test_every_kind_of_damaged_copy_is_handled(copies: ModuleType, tmp_path: Path) -> None:
    """The small-count run of tests/reliability/damaged_copies.py: two copies of each kind."""
    tried, handled, failures = copies.run(12, seed=3, out=tmp_path)
    assert failures == []
    assert tried == handled and sum(tried.values()) == 12
    assert set(tried) == set(copies.KINDS)


def _zero_header(db: Path) -> None:
    data = bytearray(db.read_bytes())
    data[:100] = bytes(100)
    db.write_bytes(bytes(data))


def test_cli_prints_the_message_and_the_exact_restore_line(
    copies: ModuleType, base, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    db = copies.make_copy(base, "page_flips", random.Random(7), tmp_path / "copy")
    newest = backup.list_backups(db)[0]
    before = copies.digest(db)
    assert main(["--db", str(db), "check"]) == 1
    err = capsys.readouterr().err
    message, _, line = err.strip().rpartition("恢复命令：")
    assert "数据库文件已损坏" in message and "没有覆盖或删除任何数据" in message
    assert f"{newest.created:%Y年%m月%d日 %H:%M}（{newest.records} 条记录）" in message
    assert not copies.ASCII_WORD.search(message.removeprefix("错误："))
    assert copies.digest(db) == before
    argv = shlex.split(line)
    assert argv == ["gongkai", "--db", str(db.resolve()), "restore-backup", str(newest.path)]
    assert main(argv[1:]) == 0
    out = capsys.readouterr().out
    assert f"已从 {newest.path} 恢复" in out
    (moved,) = db.parent.joinpath("backups").glob("*-damaged")
    assert copies.digest(moved / db.name) == before
    assert copies.integrity_ok(db)
    assert copies._record_ids(db) == copies._record_ids(newest.path / paths.DB_FILE_NAME)


def test_restore_latest_and_salvage_import(copies: ModuleType, base, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Damage in an index of the records table: every row stays readable, so the five
    records saved after the daily backup are salvaged and added back, audited."""
    shutil.copytree(base.folder, tmp_path / "copy")
    db = tmp_path / "copy" / paths.DB_FILE_NAME
    copies.break_an_index(db, base.page_size)
    with open_context(db, auto_backup=False) as ctx, pytest.raises(DatabaseDamagedError):
        damage.quick_check(ctx.db_path)
    outcome = damage.restore_latest(db)
    assert outcome.restored.reason == "每日自动备份"
    assert {r.id for r in outcome.salvaged} == base.after_ids
    assert all(r.title.startswith("备份后企业") for r in outcome.salvaged)
    assert outcome.damaged_folder.name.endswith("-damaged")
    with open_context(db, auto_backup=False) as ctx:
        result = import_salvaged(ctx, outcome.salvaged)
        assert result.refused == [] and len(result.added) == 5
        service = RecordService(ctx)
        titles = {v.title for v in service.views(_sites(), 1000, None)}
        assert {f"备份后企业{n}" for n in range(5)} <= titles
        made = [v for v in service.views(_sites(), 1000, None) if v.title == "备份后企业0"]
        assert service.history(made[0].id)  # audited like a save
    # the CLI lists the same records from the folder the restore left
    assert damage.salvage_from_folder(outcome.damaged_folder) == outcome.salvaged


def _sites():  # type: ignore[no-untyped-def]
    from gongkai_desktop.services.records.service import RecordQuery

    return RecordQuery(form_id="site", sort_key="created_at", descending=False)


def test_stray_wal_is_moved_aside_and_the_database_opens(
    copies: ModuleType, base, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    db = copies.make_copy(base, "foreign_wal", random.Random(2), tmp_path / "copy")
    wal_bytes = db.with_name(db.name + "-wal").read_bytes()
    assert main(["--db", str(db), "list", "site"]) == 0
    captured = capsys.readouterr()
    assert "不属于它的临时日志文件" in captured.err and "stray-wal" in captured.err
    (moved,) = db.parent.joinpath("backups").glob("*-stray-wal/gongkai.db-wal")
    assert moved.read_bytes() == wal_bytes
    assert len(captured.out.splitlines()) == 155  # 120 generated sites + 35 saved ones


def test_a_refused_database_gets_no_files_beside_it(tmp_path: Path) -> None:
    """A database of a newer version with its own -wal (no -shm): refused, and the
    read-only probe creates no -shm beside it."""
    db = tmp_path / paths.DB_FILE_NAME
    open_context(db, auto_backup=False).close()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.commit()
    keep = (db.with_name(db.name + "-wal")).read_bytes()
    conn.close()  # a clean close folds the -wal in: put it back as a crash leaves it
    db.with_name(db.name + "-wal").write_bytes(keep)
    listing = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(DatabaseVersionError, match="更新版本"):
        open_context(db, auto_backup=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == listing


def test_damage_error_names_none_when_no_backup_verifies(tmp_path: Path) -> None:
    db = tmp_path / paths.DB_FILE_NAME
    with open_context(db, auto_backup=False) as ctx:
        RecordService(ctx).create(
            "site", {"site_type": "排污单位", "name": "甲厂", "village": "东岳村"}
        )
        made = backup.create_backup(db, ctx.engine, "manual")
    spoilt = made.path / paths.DB_FILE_NAME
    spoilt.write_bytes(spoilt.read_bytes()[:5000])
    _zero_header(db)
    with pytest.raises(DatabaseDamagedError) as caught:
        open_context(db, auto_backup=False)
    assert caught.value.backup_path is None and caught.value.backup_known
    assert "没有找到校验完好的备份" in str(caught.value)
    with pytest.raises(Exception, match="没有找到校验完好的备份"):
        damage.restore_latest(db)


def test_damaged_json_in_a_record_is_damage_not_an_unexpected_error(
    copies: ModuleType, base, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    """A flip inside a record's JSON text (\\u5907 -> \\x5907): SQLite's pages are sound,
    the JSON column no longer decodes when the list reads it."""
    shutil.copytree(base.folder, tmp_path / "copy")
    db = tmp_path / "copy" / paths.DB_FILE_NAME
    conn = sqlite3.connect(db)
    (raw,) = conn.execute("SELECT data FROM records WHERE title = '备份后企业2'").fetchone()
    conn.close()
    data = bytearray(db.read_bytes())
    at = data.index(raw.encode()) + raw.index("\\u") + 1
    data[at] = ord("x")
    db.write_bytes(bytes(data))
    assert main(["--db", str(db), "list", "site"]) == 1
    err = capsys.readouterr().err
    assert "数据库文件已损坏" in err and "发生意外错误" not in err and "escape" not in err
    assert "restore-backup" in err


def test_cli_restore_latest_lists_and_imports_the_salvaged_records(
    copies: ModuleType, base, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    shutil.copytree(base.folder, tmp_path / "copy")
    db = tmp_path / "copy" / paths.DB_FILE_NAME
    copies.break_an_index(db, base.page_size)
    assert main(["--db", str(db), "restore-backup", "--latest"]) == 0
    out = capsys.readouterr().out
    assert "备份之后修改、仍可从损坏文件读出的记录 5 条" in out
    assert all(f"备份后企业{n}（site，" in out for n in range(5))
    line = out.strip().splitlines()[-1].removeprefix("导入这些记录：")
    argv = shlex.split(line)
    assert argv[:3] == ["gongkai", "--db", str(db.resolve())] and argv[3] == "salvage"
    assert argv[-1] == "--import"
    assert main(argv[1:]) == 0
    assert "已导入 5 条记录" in capsys.readouterr().out
    titles = _titles(db)
    assert {f"备份后企业{n}" for n in range(5)} <= titles
    assert copies.integrity_ok(db)


def _titles(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {r[0] for r in conn.execute("SELECT title FROM records")}
    finally:
        conn.close()


def test_a_damaged_stored_date_is_damage(
    copies: ModuleType, base, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    """A flipped digit in a record's stored time ('2m26-…'): SQLAlchemy's row processor
    raises ValueError while the record is read; the clerk hears of damage."""
    shutil.copytree(base.folder, tmp_path / "copy")
    db = tmp_path / "copy" / paths.DB_FILE_NAME
    conn = sqlite3.connect(db)
    (record_id, stamp) = conn.execute(
        "SELECT id, created_at FROM records WHERE title = '备份后企业1'"
    ).fetchone()
    conn.close()
    data = bytearray(db.read_bytes())
    # created_at and updated_at lie side by side in the row (the audit log has it once)
    data[data.index((stamp + stamp).encode()) + 1] = ord("m")
    db.write_bytes(bytes(data))
    with open_context(db, auto_backup=False) as ctx, pytest.raises(DatabaseDamagedError) as caught:
        RecordService(ctx).get(record_id)  # read from the table (lists may use an index)
    assert caught.value.backup_path == backup.list_backups(db)[0].path
    assert main(["--db", str(db), "check"]) == 1
    err = capsys.readouterr().err
    assert "数据库文件已损坏" in err and "isoformat" not in err and "restore-backup" in err
