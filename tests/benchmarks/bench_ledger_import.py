"""Time and peak memory to import a 10,000-row hand-kept ledger.

Run on demand (pytest does not collect tests/benchmarks):

    python tests/benchmarks/bench_ledger_import.py [--rows N] [--ledger water|outreach]

It writes a messy 饮用水水源地巡查台账 (title rows, a two-level merged header, text
dates in several spellings, choices by synonym, 20 water sources of which 5 are not yet
registered, a footer line) with openpyxl, then times ``preview`` and ``commit`` (backup,
one transaction) into a fresh database holding the 15 registered sites. Peak memory is
``tracemalloc``'s peak of Python allocations during a second preview (it is not timed)
and the process's maximum resident set size. Target: the import of 10,000 rows in at most 15 s.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import openpyxl

from gongkai_desktop.services.ledgers.intake.importer import commit, preview
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.startup import open_context

T = TypeVar("T")
SITES = [f"水源地{n:02d}" for n in range(20)]
REGISTERED = SITES[:15]
HEADER_1 = [
    "序号", "巡查日期", "巡查时间", None, "水源地名称", "保护区级别", "巡查人员",
    "巡查内容", None, None, None, "发现问题", None, "处理情况", "照片（张）", "备注",
]  # fmt: skip
HEADER_2 = [
    None, None, "开始", "结束", None, None, None,
    "标识标牌", "围网", "污染源", "违规行为", "有无问题", "问题描述", None, None, None,
]  # fmt: skip
MERGES = [
    "A1:P1", "A3:A4", "B3:B4", "C3:D3", "E3:E4", "F3:F4", "G3:G4", "H3:K3", "L3:M3",
    "N3:N4", "O3:O4", "P3:P4",
]  # fmt: skip


def spelled(day: date, n: int) -> Any:
    return [
        day,
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month:02d}.{day.day:02d}",
        f"{day.year}年{day.month}月{day.day}日",
    ][n % 5]


def write_ledger(path: Path, rows: int) -> None:
    rng = random.Random(7)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("台账")
    sheet.append(["龙河镇饮用水水源地巡查台账"])
    sheet.append(["填报单位（盖章）：龙河镇人民政府", *[None] * 11, "填报日期：2024年12月31日"])
    sheet.append(HEADER_1)
    sheet.append(HEADER_2)
    start = date(2020, 1, 1)
    for n in range(1, rows + 1):
        day = start + timedelta(days=n // 8)
        found = rng.random() < 0.2
        sheet.append(
            [
                n,
                spelled(day, n),
                f"{8 + n % 8:02d}:{(n * 7) % 60:02d}",
                f"{9 + n % 8:02d}:00",
                SITES[n % len(SITES)],
                rng.choice(["一级", "二级保护区", "准保护"]),
                rng.choice(["张三、李四", "王五", "赵六、钱七"]),
                rng.choice(["完好", "破损", "无"]),
                rng.choice(["完好", "缺失"]),
                rng.choice(["无", "有", "未发现"]),
                rng.choice([None, "垂钓", "垂钓、游泳", "倾倒垃圾，放牧"]),
                "是" if found else "否",
                "发现有人垂钓，已劝离" if found else None,
                "现场劝离" if found else None,
                rng.randint(0, 3),
                None,
            ]
        )
    sheet.append(["填表人：张三", None, None, None, "审核人：李四", None, None, "联系电话：123"])
    book.save(path)
    # merged header cells (write-only mode cannot merge): add them in a second step
    full = openpyxl.load_workbook(path)
    ws = full.active
    assert ws is not None
    for area in MERGES:
        ws.merge_cells(area)
    full.save(path)


def timed(label: str, step: Callable[[], T]) -> T:
    began = time.perf_counter()
    result = step()
    print(f"{label}: {time.perf_counter() - began:.2f} s")
    return result


def python_peak(step: Callable[[], object]) -> float:
    """Peak of Python allocations during ``step``, MiB (tracemalloc slows it down, so
    it runs apart from the timed steps)."""
    tracemalloc.start()
    step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-import-") as tmp:
        root = Path(tmp)
        source = root / "水源地巡查台账.xlsx"
        began = time.perf_counter()
        write_ledger(source, args.rows)
        print(
            f"ledger written: {args.rows} rows, {source.stat().st_size / 2**20:.1f} MiB, "
            f"{time.perf_counter() - began:.1f} s"
        )
        ctx = open_context(root / "gongkai.db", auto_backup=False)
        try:
            service = RecordService(ctx)
            for name in REGISTERED:
                service.create(
                    "site", {"site_type": "饮用水水源地", "name": name, "village": "东村"}
                )
            total = time.perf_counter()
            report = timed("preview", lambda: preview(ctx, "water_source_patrol", source))
            print(
                f"  to add {report.add_count}, duplicates {report.duplicate_count}, "
                f"errors {report.error_row_count}, new sites {len(report.new_sites)}"
            )
            result = timed("commit (backup + one transaction)", lambda: commit(ctx, report))
            elapsed = time.perf_counter() - total
            print(f"  added {result.added}, new sites {len(result.new_sites)}")
            print(f"import total (preview + commit): {elapsed:.2f} s (target ≤ 15 s)")
            again = python_peak(lambda: preview(ctx, "water_source_patrol", source))
            print(f"Python peak allocations of a preview: {again:.1f} MiB")
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"process max RSS: {rss:.0f} MiB")
            return 0 if elapsed <= 15 else 1
        finally:
            ctx.close()


if __name__ == "__main__":
    raise SystemExit(main())
