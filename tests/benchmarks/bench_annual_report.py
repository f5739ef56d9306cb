"""Benchmark (run on demand, not collected by pytest): the annual report over 100,000
records (target: under 10 s).

    python tests/benchmarks/bench_annual_report.py [RECORDS] [--db EXISTING.db]

Generates RECORDS work records of 2024 (``report_world.py``: inspections of every type,
outreach events, rectification tasks, 120 sites) unless --db names a database made
before, then times, in this order and each from a cold start of the service:

1. the figures of the year alone;
2. the annual report's content (the year and its twelve months, drafted text);
3. writing the .docx and the .xlsx from it;
4. the whole ``gongkai report annual --year 2024 --out X.docx`` command, as a clerk runs it
   (a fresh process: start-up, database open, content, file).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gongkai_desktop.services.startup import open_context

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 10.0


def _timed(label: str, step):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = step()
    took = time.perf_counter() - start
    print(f"{label:<40}{took:7.2f} s")
    return result, took


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("records", nargs="?", type=int, default=100_000)
    parser.add_argument("--db", help="use this database instead of generating one")
    args = parser.parse_args()

    from gongkai_desktop.domain.periods import parse_period
    from gongkai_desktop.services.reports.annual import annual_report
    from gongkai_desktop.services.reports.figures import figures
    from gongkai_desktop.services.reports.writers.annual_docx import write_annual_docx
    from gongkai_desktop.services.reports.writers.report_xlsx import write_annual_xlsx
    from tests.benchmarks.report_world import generate

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        os.environ["GONGKAI_HOME"] = str(work / "home")
        if args.db:
            db = Path(args.db)
        else:
            db = work / "bench.db"
            _timed(f"generate {args.records:,} records", lambda: generate(db, args.records))
        ctx = open_context(db, auto_backup=False)
        try:
            _timed("figures of 2024", lambda: figures(ctx, parse_period("2024")))
            report, content = _timed("annual report content", lambda: annual_report(ctx, 2024))
            _, docx = _timed(".docx", lambda: write_annual_docx(report, work / "年度报告.docx"))
            _, xlsx = _timed(".xlsx", lambda: write_annual_xlsx(report, work / "年度报告.xlsx"))
        finally:
            ctx.close()
        command = [sys.executable, "-m", "gongkai_desktop", "--db", str(db)]
        command += ["report", "annual", "--year", "2024", "--out", str(work / "cli.docx")]
        _, cli = _timed(
            "gongkai report annual (fresh process)",
            lambda: subprocess.run(command, check=True, cwd=ROOT, capture_output=True),
        )
    print(f"{'content + .docx + .xlsx':<40}{content + docx + xlsx:7.2f} s")
    ok = content + docx <= TARGET_SECONDS and cli <= TARGET_SECONDS
    print(f"target ≤ {TARGET_SECONDS:.0f} s for the .docx report: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
