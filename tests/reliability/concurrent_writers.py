"""Several processes creating records through the services at once (issue 11, item 6).

    python tests/reliability/concurrent_writers.py --writers 4 --seconds 20

Each writer is a separate process with its own AppContext on one SQLite file; it
creates site records through RecordService for the given time and appends the id of
every create that returned (an acknowledged save) to its own file, flushed at once.
At the end every acknowledged id must be in the database, and no create may have
failed (``database is locked`` was the failure before writes began IMMEDIATE).
Prints the counts (``--json``: one JSON object) and exits 1 when anything is wrong.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path


def write_for(db: Path, seconds: float, acks: Path, errors: Path) -> None:
    """One writer process: create records until the time is up."""
    from gongkai_desktop.services.records.service import RecordService
    from gongkai_desktop.services.startup import open_context

    with open_context(db, auto_backup=False) as ctx:
        service = RecordService(ctx)
        # all writers begin together, once each has paid its start-up
        acks.with_suffix(".ready").touch()
        go = db.with_name("go")
        while not go.exists():
            time.sleep(0.02)
        deadline = time.time() + seconds
        n = 0
        with acks.open("a", encoding="utf-8") as ack, errors.open("a", encoding="utf-8") as err:
            while time.time() < deadline:
                n += 1
                name = f"{acks.stem}-{n}"
                try:
                    made = service.create(
                        "site", {"site_type": "排污单位", "name": name, "village": "东村"}
                    )
                except Exception as exc:  # counted, not hidden: any failure fails the run
                    err.write(f"{type(exc).__name__}: {exc}".replace("\n", " ")[:300] + "\n")
                    err.flush()
                    continue
                ack.write(made.id + "\n")
                ack.flush()


def run(writers: int, seconds: float, folder: Path) -> dict[str, object]:
    """Start ``writers`` processes on a fresh database in ``folder``; the counts."""
    from gongkai_desktop.services.startup import open_context

    db = folder / "gongkai.db"
    open_context(db, auto_backup=False).close()  # created and migrated once
    procs = []
    for i in range(writers):
        cmd = [
            sys.executable,
            __file__,
            "--worker",
            str(db),
            str(seconds),
            str(folder / f"w{i}.acks"),
            str(folder / f"w{i}.errors"),
        ]
        procs.append(subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True))
    while not all((folder / f"w{i}.ready").exists() for i in range(writers)):
        if any(p.poll() is not None for p in procs):
            break  # one died while starting: reported below
        time.sleep(0.02)
    (folder / "go").touch()
    crashed = []
    for p in procs:
        _, stderr = p.communicate(timeout=seconds + 120)
        if p.returncode != 0:
            crashed.append(stderr[-2000:])
    acked: list[str] = []
    errors: list[str] = []
    for i in range(writers):
        acks = folder / f"w{i}.acks"
        errs = folder / f"w{i}.errors"
        acked += acks.read_text("utf-8").split() if acks.exists() else []
        errors += errs.read_text("utf-8").splitlines() if errs.exists() else []
    conn = sqlite3.connect(db)
    try:
        stored = {r[0] for r in conn.execute("SELECT id FROM records")}
    finally:
        conn.close()
    missing = [i for i in acked if i not in stored]
    return {
        "writers": writers,
        "seconds": seconds,
        "acknowledged": len(acked),
        "stored": len(stored),
        "missing": len(missing),
        "failed_creates": len(errors),
        "database_is_locked": sum("database is locked" in e for e in errors),
        "error_kinds": dict(Counter(e.split(":", 1)[0] for e in errors)),
        "crashed_processes": len(crashed),
        "crash_output": crashed,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--folder", type=Path, help="where the database goes (default: temp)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        db, seconds, acks, errors = args.worker
        write_for(Path(db), float(seconds), Path(acks), Path(errors))
        return 0
    if args.folder:
        args.folder.mkdir(parents=True, exist_ok=True)
        result = run(args.writers, args.seconds, args.folder)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            result = run(args.writers, args.seconds, Path(tmp))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    ok = (
        result["missing"] == 0
        and result["failed_creates"] == 0
        and result["crashed_processes"] == 0
        and result["acknowledged"] == result["stored"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
