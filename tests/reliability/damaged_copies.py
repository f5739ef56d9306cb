"""Damaged copies of a populated database, each opened, listed and checked as the clerk
would, then restored in one step.

    python tests/reliability/damaged_copies.py --count 200 [--seed 1]

The base: ~300 records (tests/benchmarks/report_world.py), an older manual backup, a
daily backup, then a few records saved after it (what a restore loses and salvage
finds). Kinds of damage: truncation, zeroed header, random byte flips inside the data
pages of the records table, a foreign or unreadable -wal beside the file, a file that is
not a database, and a damaged newest backup beside a damaged database.

A copy is handled when opening, listing or checking it raises DatabaseDamagedError whose
Chinese message names the newest backup that passes integrity_check (and has no ASCII
words), the damaged file stays byte-identical until the restore, and after the one-step
restore the database passes integrity_check holding exactly that backup's records; or,
for a stray -wal, when it is set aside with its note and the database opens with every
record. Prints the count per kind; exit code 1 if any copy was not handled.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import random
import re
import shutil
import sqlite3
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))

from report_world import generate  # noqa: E402

from gongkai_desktop import paths  # noqa: E402
from gongkai_desktop.domain.errors import DatabaseDamagedError  # noqa: E402
from gongkai_desktop.services.maintenance import backup, damage  # noqa: E402
from gongkai_desktop.services.maintenance.checks import check_database  # noqa: E402
from gongkai_desktop.services.records.service import RecordQuery, RecordService  # noqa: E402
from gongkai_desktop.services.startup import open_context  # noqa: E402

KINDS = ("truncation", "zeroed_header", "page_flips", "foreign_wal", "not_a_database",
         "damaged_backup")  # fmt: skip
ASCII_WORD = re.compile(r"[A-Za-z]{2,}|https?:|sqlalche")
AFTER_BACKUP = 5  # records saved after the daily backup


@dataclass
class Base:
    folder: Path  # holds gongkai.db and backups/
    records_pages: list[int]  # leaf pages of the records table
    page_size: int
    after_ids: set[str]  # records saved after the daily backup
    foreign_wals: list[Path]


def site(name: str) -> dict[str, object]:
    return {"site_type": "排污单位", "name": name, "village": "东岳村"}


def build_base(folder: Path) -> Base:
    db = folder / "base" / paths.DB_FILE_NAME
    db.parent.mkdir(parents=True)
    generate(db, 150)
    with open_context(db, auto_backup=False) as ctx:
        backup.create_backup(db, ctx.engine, "manual")
        service = RecordService(ctx)
        for n in range(30):
            service.create("site", site(f"备份间企业{n}"))
        backup.create_backup(db, ctx.engine, "daily")
        after = {service.create("site", site(f"备份后企业{n}")).id for n in range(AFTER_BACKUP)}
    conn = sqlite3.connect(db)
    try:
        pages = [r[0] for r in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = 'records' AND pagetype = 'leaf'")]  # fmt: skip
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    return Base(db.parent, pages, page_size, after, _foreign_wals(folder / "foreign"))


def _wal_of(db: Path, fill: str) -> Path:
    """A -wal left by another database (the connection is kept from checkpointing)."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.executescript(fill)
    conn.commit()
    saved = db.with_name(db.name + ".wal-copy")
    shutil.copyfile(db.with_name(db.name + "-wal"), saved)
    conn.close()
    return saved


def _foreign_wals(folder: Path) -> list[Path]:
    folder.mkdir()
    other = folder / "other.db"
    plain = _wal_of(other, "CREATE TABLE t(x); INSERT INTO t VALUES ('另一个数据库');")
    # another app database: same schema, other content
    township = folder / "township" / paths.DB_FILE_NAME
    township.parent.mkdir()
    with open_context(township, auto_backup=False) as ctx:
        RecordService(ctx).create("site", site("别的乡镇企业"))
    same_schema = _wal_of(township, "UPDATE records SET title = title || '改';")
    garbage = folder / "garbage.wal"
    garbage.write_bytes(random.Random(5).randbytes(4096 + 32))
    return [plain, same_schema, garbage]


def make_copy(base: Base, kind: str, rng: random.Random, folder: Path) -> Path:
    """A copy of the base folder with ``kind`` of damage; returns its database."""
    shutil.copytree(base.folder, folder)
    db = folder / paths.DB_FILE_NAME
    data = bytearray(db.read_bytes())
    if kind == "truncation":
        data = data[: rng.randrange(1, len(data) - base.page_size)]
    elif kind == "zeroed_header":
        data[: rng.choice((16, 100, base.page_size))] = bytes(rng.choice((16, 100, base.page_size)))
    elif kind in ("page_flips", "damaged_backup"):
        _flip(data, base, rng)
    elif kind == "not_a_database":
        data = bytearray("这不是数据库，是一份会议记录。\n".encode() * rng.randrange(1, 400))
    if kind == "foreign_wal":
        shutil.copyfile(rng.choice(base.foreign_wals), db.with_name(db.name + "-wal"))
    else:
        db.write_bytes(bytes(data))
    if kind == "damaged_backup":
        newest = backup.list_backups(db)[0].path / paths.DB_FILE_NAME
        spoilt = bytearray(newest.read_bytes())
        _flip(spoilt, base, rng, structural=True)
        newest.write_bytes(bytes(spoilt))
    return db


def _flip(data: bytearray, base: Base, rng: random.Random, structural: bool = False) -> None:
    """Random bytes inside data pages of the records table; ``structural``: in the page
    header and cell pointers, which integrity_check always notices."""
    for page in rng.sample(base.records_pages, k=min(3, len(base.records_pages))):
        start = (page - 1) * base.page_size
        for _ in range(rng.randrange(4, 16)):
            offset = rng.randrange(0, 24 if structural else base.page_size)
            if start + offset < len(data):
                data[start + offset] ^= rng.randrange(1, 256)


def break_an_index(db: Path, page_size: int) -> None:
    """Damage only an index of the records table: every row stays readable (salvage
    finds them all), the file opens, quick_check fails."""
    conn = sqlite3.connect(db)
    try:
        (page,) = conn.execute(
            "SELECT pageno FROM dbstat WHERE name = 'ix_records_form_deleted_title' LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    data = bytearray(db.read_bytes())
    data[(page - 1) * page_size] = 0x00  # not a b-tree page type
    db.write_bytes(bytes(data))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _record_ids(db: Path) -> set[str]:
    conn = sqlite3.connect(Path(db).absolute().as_uri() + "?mode=ro", uri=True)
    try:
        return {r[0] for r in conn.execute("SELECT id FROM records")}
    finally:
        conn.close()


def integrity_ok(db: Path) -> bool:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()


def use(db: Path) -> str | None:
    """Open, list every form and check, as the clerk would; the stray-WAL note or None."""
    with open_context(db, auto_backup=False) as ctx:
        notes = [n for n in ctx.opened_notes if "-wal" in n]
        service = RecordService(ctx)
        for form in ctx.registry:
            query = RecordQuery(form_id=form.id, sort_key="created_at", descending=False)
            after: str | None = None
            while batch := service.views(query, 500, after):
                after = batch[-1].id
        check_database(ctx)
    return notes[0] if notes else None


def handle(db: Path) -> str | None:
    """None when the copy is handled; else what went wrong."""
    before = digest(db)
    verified = damage.newest_verified_backup(db)
    try:
        note = use(db)
    except DatabaseDamagedError as exc:
        return _restored(db, exc, before, verified)
    if note is None:
        return "opened, listed and checked without a word"
    if "stray-wal" not in note or "不属于它" not in note:
        return f"unexpected note: {note!r}"
    moved = list(db.parent.joinpath("backups").glob("*-stray-wal/*-wal"))
    if len(moved) != 1 or digest(db) != before:
        return "stray -wal not moved into backups/…-stray-wal, or the database changed"
    if not integrity_ok(db) or len(_record_ids(db)) == 0:
        return "opened after the stray -wal but unsound"
    return None


def _restored(
    db: Path, exc: DatabaseDamagedError, before: str, verified: backup.BackupInfo | None
) -> str | None:
    message = str(exc)
    if ASCII_WORD.search(message):
        return f"ASCII text in the message: {message!r}"
    if verified is None:
        return "no verified backup in the copy"
    if exc.backup_path != verified.path or f"{verified.created:%Y年%m月%d日 %H:%M}" not in message:
        return f"message does not name the newest verified backup: {message!r}"
    if f"{verified.records} 条记录" not in message:
        return "message does not give the backup's record count"
    if db.exists() and digest(db) != before:
        return "damaged file changed before the restore"
    expected = _record_ids(verified.path / paths.DB_FILE_NAME)
    outcome = damage.restore_latest(db)
    if outcome.restored.path != verified.path:
        return "restored another backup than the one named"
    moved = outcome.damaged_folder / db.name
    if not moved.exists() or digest(moved) != before:
        return "damaged file not moved aside unchanged"
    with open_context(db, auto_backup=False):
        pass
    if not integrity_ok(db) or _record_ids(db) != expected:
        return "restored database unsound or not the backup's records"
    return None


def run(count: int, seed: int, out: Path) -> tuple[Counter[str], Counter[str], list[str]]:
    rng = random.Random(seed)
    base = build_base(out)
    tried: Counter[str] = Counter()
    handled: Counter[str] = Counter()
    failures: list[str] = []
    for n in range(count):
        kind = KINDS[n % len(KINDS)]
        db = make_copy(base, kind, rng, out / f"copy{n:04d}")
        tried[kind] += 1
        try:
            problem = handle(db)
        except Exception as exc:  # counted and named, the run goes on
            problem = f"{type(exc).__name__}: {exc}"
        if problem is None:
            handled[kind] += 1
        else:
            failures.append(f"copy{n:04d} {kind}: {problem}")
        shutil.rmtree(db.parent, ignore_errors=True)
    return tried, handled, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # each damaged copy is logged as an error
    with tempfile.TemporaryDirectory(prefix="gongkai-damaged-") as tmp:
        tried, handled, failures = run(args.count, args.seed, Path(tmp))
    for kind in KINDS:
        print(f"{kind}: {handled[kind]}/{tried[kind]}")
    print(f"total: {sum(handled.values())}/{sum(tried.values())}")
    for line in failures:
        print(line)
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
