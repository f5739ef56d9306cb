"""Several processes opening one database together on a new day (issue 11, item 6).

    python tests/reliability/startup_backup_race.py --processes 3 --trials 20

Each trial builds a database with records and no backup of today, then starts the
processes so that they open it (``open_context`` with the daily backup) at the same
instant. Every process must succeed and exactly one daily backup folder must exist
afterwards. Prints the counts (``--json``: one JSON object); exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def open_at(db: Path, start_at: float) -> None:
    """One process: wait for the common start, then open as the app does."""
    from gongkai_desktop.services.startup import open_context

    time.sleep(max(0.0, start_at - time.time()))
    with open_context(db, auto_backup=True) as ctx:
        print(json.dumps(ctx.opened_notes, ensure_ascii=False))


def make_database(db: Path, records: int) -> None:
    from gongkai_desktop.services.records.service import RecordService
    from gongkai_desktop.services.startup import open_context

    with open_context(db, auto_backup=False) as ctx:
        service = RecordService(ctx)
        for i in range(records):
            service.create("site", {"site_type": "排污单位", "name": f"厂{i}", "village": "东村"})


def trial(folder: Path, processes: int) -> dict[str, object]:
    db = folder / "gongkai.db"
    make_database(db, 30)
    start_at = time.time() + 2.5
    cmd = [sys.executable, __file__, "--worker", str(db), str(start_at)]
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]
    failures = []
    for p in procs:
        _, stderr = p.communicate(timeout=120)
        if p.returncode != 0:
            failures.append(stderr.strip().splitlines()[-1] if stderr.strip() else "")
    backups_dir = folder / "backups"
    daily = sorted(p.name for p in backups_dir.glob("*-daily*") if p.is_dir())
    leftovers = sorted(p.name for p in backups_dir.glob(".tmp-*"))
    return {"failures": failures, "daily_backups": daily, "tmp_left": leftovers}


def run(processes: int, trials: int) -> dict[str, object]:
    results = []
    for _ in range(trials):
        with tempfile.TemporaryDirectory() as tmp:
            results.append(trial(Path(tmp), processes))
    failed = [f for r in results for f in r["failures"]]  # type: ignore[attr-defined]
    return {
        "processes": processes,
        "trials": trials,
        "processes_failed": len(failed),
        "failure_messages": sorted(set(failed)),
        "trials_with_exactly_one_daily_backup": sum(
            len(r["daily_backups"]) == 1  # type: ignore[arg-type]
            for r in results
        ),
        "daily_backup_counts": [len(r["daily_backups"]) for r in results],  # type: ignore[arg-type]
        "tmp_folders_left": sum(len(r["tmp_left"]) for r in results),  # type: ignore[arg-type]
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        open_at(Path(args.worker[0]), float(args.worker[1]))
        return 0
    result = run(args.processes, args.trials)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    ok = (
        result["processes_failed"] == 0
        and result["trials_with_exactly_one_daily_backup"] == args.trials
        and result["tmp_folders_left"] == 0
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
