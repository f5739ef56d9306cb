"""Importing a 10,000-row *messy* ledger against a plain openpyxl read of the same file.

Run on demand (pytest does not collect tests/benchmarks):

    python tests/benchmarks/bench_messy_import.py [--rows N] [--repeat K]

The file is a 饮用水水源地巡查台账 as clerks keep it: title rows, a two-level merged header
spelled with units, brackets and line breaks unlike our labels, dates in several spellings
(some without year under a title that names it, some in Chinese numerals), choice values
as synonyms and free spellings (free text describing a problem in 排污口/污染源, 无/没有
in 违规活动), 20 water sources of which 5 are not registered, a footer. In the same run, ``--repeat`` rounds (default 3), each timing:

- the floor: ``openpyxl.load_workbook(read_only=True)`` and every row with ``values_only``;
- preview: our ``preview`` (reads, recognises, converts, validates, counts, suggests);
- commit: our ``commit`` of that preview into a fresh database (backup, one transaction;
  a clean preview's checked rows are written without reading the file again; the
  suggested readings are saved as the profile);

and prints the minimum of each and the ratio issue 16 sets a target for: preview +
commit ≤ 2 × the read. Compile first (``python -m compileall -q gongkai_desktop``) where
PYTHONDONTWRITEBYTECODE is set: the bundled app runs compiled code.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import openpyxl

from gongkai_desktop.services.ledgers.intake.importer import ImportPreview, commit, preview
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.startup import open_context

SITES = [f"水源地{n:02d}" for n in range(20)]
REGISTERED = SITES[:15]
HEADER_1 = [
    "序号", "巡查\n日期", "巡查时间", None, "水源地\n名称", "保护区", "巡查人", "巡查内容", None,
    None, None, "发现问题", None, "处置情况", "照片张数", "备注",
]  # fmt: skip
HEADER_2 = [
    None, None, "开始时间", "结束时间", None, None, None, "标识标牌", "隔离防护(围网)",
    "排污口及污染源", "违规行为", "有无问题", "问题描述", None, None, None,
]  # fmt: skip
MERGES = [
    "A1:P1", "A3:A4", "B3:B4", "C3:D3", "E3:E4", "F3:F4", "G3:G4", "H3:K3", "L3:M3",
    "N3:N4", "O3:O4", "P3:P4",
]  # fmt: skip
CN = "〇一二三四五六七八九"


def _cn_small(n: int) -> str:
    tens, ones = divmod(n, 10)
    return (
        CN[ones]
        if not tens
        else ("" if tens == 1 else CN[tens]) + "十" + (CN[ones] if ones else "")
    )


def spelled(day: date, n: int) -> Any:
    """The year of the title is 2023: some dates leave it out."""
    return [
        day,
        day.isoformat(),
        f"{day.month}月{day.day}日",
        f"{day.year}.{day.month}.{day.day}",
        "".join(CN[int(d)] for d in str(day.year))
        + f"年{_cn_small(day.month)}月{_cn_small(day.day)}日",
        f"{day.year}年{day.month}月{day.day}日",
    ][n % 6]


def write_ledger(path: Path, rows: int) -> None:
    rng = random.Random(7)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("2023年")
    sheet.append(["龙河镇2023年饮用水水源地巡查台账"])
    sheet.append(["填报单位（盖章）：龙河镇人民政府", *[None] * 11, "填报日期：2023年12月31日"])
    sheet.append(HEADER_1)
    sheet.append(HEADER_2)
    start = date(2023, 1, 1)
    for n in range(1, rows + 1):
        day = start + timedelta(days=(n * 364) // rows)
        problem = rng.random() < 0.15
        sheet.append(
            [
                n,
                spelled(day, n),
                f"{8 + n % 8:02d}:{(n * 7) % 60:02d}",
                f"{9 + n % 8:02d}:00",
                SITES[n % len(SITES)],
                rng.choice(["一级", "二级保护区", "准保护"]),
                rng.choice(["张三、李四", "王五", "赵六、钱七"]),
                rng.choice(["完好", "破损", "无", "缺失"]),
                rng.choice(["完好", "缺失", "围网破损两处"]),
                rng.choice(["发现生活污水直排口1处", "有人倾倒垃圾"]) if problem
                else rng.choice(["无", "未发现", "没有发现"]),
                rng.choice([None, "垂钓", "垂钓、游泳", "倾倒垃圾，放牧", "无", "没有", "/"]),
                None if problem else "否",
                "发现有人垂钓，已劝离" if problem else None,
                "现场劝离" if problem else None,
                f"{rng.randint(0, 3)}张",
                None,
            ]
        )  # fmt: skip
    sheet.append(["填表人：张三", None, None, None, "审核人：李四", None, None, "联系电话：123"])
    book.save(path)
    full = openpyxl.load_workbook(path)  # write-only mode cannot merge
    ws = full.active
    assert ws is not None
    for area in MERGES:
        ws.merge_cells(area)
    full.save(path)


def openpyxl_read(path: Path) -> int:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        count = 0
        for sheet in book.worksheets:
            for _row in sheet.iter_rows(values_only=True):
                count += 1
        return count
    finally:
        book.close()


def timed(step: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - began)
    return times, result


def fresh_context(root: Path, n: int) -> Any:
    ctx = open_context(root / f"db{n}" / "gongkai.db", auto_backup=False)
    service = RecordService(ctx)
    for name in REGISTERED:
        service.create("site", {"site_type": "饮用水水源地", "name": name, "village": "东村"})
    return ctx


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-messy-") as tmp:
        root = Path(tmp)
        source = root / "2023年水源地巡查台账（手工）.xlsx"
        write_ledger(source, args.rows)
        print(f"messy ledger: {args.rows} rows, {source.stat().st_size / 2**20:.1f} MiB")
        read: list[float] = []
        previews: list[float] = []
        commits: list[float] = []
        report: ImportPreview | None = None
        added = count = 0
        for n in range(1, args.repeat + 1):
            # the steps alternate, so that a change in the machine's load falls on each
            times, count = timed(lambda: openpyxl_read(source), 1)
            read += times
            ctx = fresh_context(root, n)
            try:
                began = time.perf_counter()
                report = preview(ctx, "water_source_patrol", source)
                previews.append(time.perf_counter() - began)
                began = time.perf_counter()
                added = commit(ctx, report).added
                commits.append(time.perf_counter() - began)
            finally:
                ctx.close()
            print(
                f"  round {n}: read {read[-1]:.2f} s, preview {previews[-1]:.2f} s, "
                f"commit {commits[-1]:.2f} s",
                flush=True,
            )
        assert isinstance(report, ImportPreview)
        print(f"  openpyxl read-only read: {count} rows")
        print(
            f"  preview: to add {report.add_count}, errors {report.error_row_count}, "
            f"spellings asked {len(report.questions)} (blocking {len(report.blocking)}), "
            f"warnings {report.warning_count}, new sites {len(report.new_sites)}"
        )
        print(f"  commit: added {added}")
        base = min(read)
        print()
        print(f"{'step':<28}{'min s':>8}{'median s':>10}{'× read':>9}")
        for label, times in (
            ("openpyxl read (floor)", read),
            ("preview", previews),
            ("commit (import)", commits),
        ):
            print(
                f"{label:<28}{min(times):>8.2f}{statistics.median(times):>10.2f}"
                f"{min(times) / base:>9.2f}"
            )
        both = min(previews) + min(commits)
        ratio = both / base
        print(f"{'preview + commit':<28}{both:>8.2f}{'':>10}{ratio:>9.2f}")
        print(f"\ntarget: preview + commit ≤ 2.00 × read; it is {ratio:.2f} ×")
        return 0 if ratio <= 2 else 1


if __name__ == "__main__":
    raise SystemExit(main())
