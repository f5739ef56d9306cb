"""Benchmark (run on demand, not collected by pytest): export a 100,000-row ledger.

    python tests/benchmarks/bench_ledger_export.py [ROWS] [--repeat K]

Generates ROWS 饮用水水源地巡查 records (inserted with sqlite3 in the shape RecordService
stores, so that generating them takes seconds, not an hour), then, K times (default 3),
each in a fresh child process, one after the other:

1. our export of the whole year (database read, conversion, styles, layout, atomic write);
2. the floor: openpyxl's write-only mode writing the same cell values with no styling (the
   values are read back from our file before the clock starts, so this is writing alone).

It prints each run, then the minimum of each with the child's peak resident memory
(``ru_maxrss``) and their ratio, the figure issue 16 sets a target for (≤ 1.2×).
Compile first (``python -m compileall -q gongkai_desktop``) where PYTHONDONTWRITEBYTECODE
is set: the bundled app runs compiled code.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import resource
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from gongkai_desktop.services.startup import open_context

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def generate(db: Path, rows: int) -> None:
    from gongkai_desktop.services.records.service import RecordService
    from gongkai_desktop.services.settings import save_settings

    ctx = open_context(db, auto_backup=False)
    service = RecordService(ctx)
    save_settings(ctx, {"unit_name": "许明寺镇人民政府", "filler": "张三", "reviewer": "李四"})
    sites = [
        service.create(
            "site", {"site_type": "饮用水水源地", "name": f"水源地{i:02d}", "village": "东村"}
        ).id
        for i in range(20)
    ]
    ctx.close()
    rng = random.Random(4)
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    batch = []
    conn = sqlite3.connect(db)
    for i in range(rows):
        day = date(2024, 1, 1) + timedelta(days=rng.randrange(366))
        found = rng.random() < 0.3
        data = {
            "inspection_date": day.isoformat(),
            "start_time": f"{8 + i % 9:02d}:{i % 60:02d}",
            "end_time": f"{9 + i % 9:02d}:{i % 60:02d}",
            "inspection_type": "饮用水水源地巡查",
            "site": sites[i % len(sites)],
            "inspectors": "张三、李四",
            "protection_zone": "一级保护区",
            "signs_state": "完好",
            "fence_state": "缺失或损坏" if found else "完好",
            "pollution_source": "未发现",
            "violations": ["垂钓", "游泳"] if found else [],
            "problem_found": found,
            "problem_description": "东侧围网破损约5米，有人在一级保护区内垂钓" if found else "",
            "onsite_handling": "劝离垂钓人员，通知村委会修复围网" if found else "",
            "photos": [{"file": f"photos/2024/01/{i}.jpg", "name": "a.jpg", "caption": ""}],
            "remarks": "",
        }
        data = {k: v for k, v in data.items() if v not in ("", [])}
        batch.append(
            (
                str(uuid.uuid4()),
                "inspection",
                f"饮用水水源地巡查 水源地{i % 20:02d}",
                day.isoformat(),
                data["site"],
                json.dumps(data, ensure_ascii=False),
                now,
            )
        )
        if len(batch) == 10_000:
            _insert(conn, batch)
            batch = []
    _insert(conn, batch)
    conn.close()


def _insert(conn: sqlite3.Connection, batch: list[tuple]) -> None:
    with conn:
        conn.executemany(
            "INSERT INTO records (id, form_id, title, record_date, site_id, status, data,"
            " search_text, created_at, updated_at, author, version, deleted)"
            " VALUES (?, ?, ?, ?, ?, NULL, ?, '', ?, ?, '', 1, 0)",
            [(*b[:6], b[6], b[6]) for b in batch],
        )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ours(db: str, out: str, queue: multiprocessing.Queue) -> None:
    from gongkai_desktop.domain.periods import parse_period
    from gongkai_desktop.services.ledgers.export import LedgerExporter

    ctx = open_context(Path(db), auto_backup=False)
    start = time.perf_counter()
    result = LedgerExporter(ctx).export("water_source_patrol", parse_period("2024"), Path(out))
    elapsed = time.perf_counter() - start
    ctx.close()
    queue.put((elapsed, _peak_mb(), result.rows))


def baseline(source: str, out: str, queue: multiprocessing.Queue) -> None:
    from openpyxl import Workbook, load_workbook

    values = [
        list(row)
        for row in load_workbook(source, read_only=True).active.iter_rows(values_only=True)
    ]
    start = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    for row in values:
        ws.append(row)
    wb.save(out)
    elapsed = time.perf_counter() - start
    queue.put((elapsed, _peak_mb(), len(values)))


def _child(target, *args: str) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    queue: multiprocessing.Queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=target, args=(*args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = folder / "bench.db"
        started = time.perf_counter()
        generate(db, args.rows)
        print(f"生成 {args.rows} 条记录：{time.perf_counter() - started:.1f} s", flush=True)
        ours_out = folder / "ours.xlsx"
        app: list[tuple[float, float, int]] = []
        floor: list[tuple[float, float, int]] = []
        for n in range(1, args.repeat + 1):
            # alternated, so that a change in the machine's load falls on both
            app.append(_child(ours, str(db), str(ours_out)))
            floor.append(_child(baseline, str(ours_out), str(folder / "base.xlsx")))
            print(f"  第{n}次：本程序 {app[-1][0]:.1f} s，下限 {floor[-1][0]:.1f} s", flush=True)
        t_ours, mem_ours, written = min(app)
        t_base, mem_base, cells_rows = min(floor)
        print(
            f"本程序导出 {written} 行：{t_ours:.1f} s（{args.repeat}次取最小），"
            f"峰值内存 {mem_ours:.0f} MB，文件 {ours_out.stat().st_size / 1e6:.1f} MB"
        )
        print(
            f"下限 openpyxl 只写模式（同样的 {cells_rows} 行单元格，无样式）：{t_base:.1f} s，"
            f"峰值内存 {mem_base:.0f} MB（含读入的单元格值）"
        )
        print(f"时间比：{t_ours / t_base:.2f}×（目标 ≤ 1.2×）")


if __name__ == "__main__":
    main()
