"""Start-up and CLI speed against their floors (issue 16), each app figure beside a floor
measured in the same run: 3 runs each, the minimum, and the ratio.

    python tests/benchmarks/bench_startup.py [--records N] [--runs 3] [--keep DIR]

Lines printed (the rest of the issue's table comes from the list, export and import
benchmarks, which need their own data; see the end of the output):

- process start -> main window shown (and the event loop running), empty database and
  an N-record database (default 100,000: a township year from ``report_world``); floor:
  a bare PySide6 QMainWindow shown by the same driver;
- process start -> the database open in the window and the 工作台's figures shown (no
  target in the issue; stated so that "shown" is not read as "ready");
- RSS once the figures are shown, empty database, and with N records after opening the
  巡查检查 list; floor: the bare window;
- ``gongkai --help`` and ``gongkai forms``; floor: ``python -c "import PySide6.QtWidgets"``;
- that the daily backup ran after the window was shown (the log's order).

Each start is a fresh process (``sys.executable``). The package is compiled first
(``compileall``): the machine sets PYTHONDONTWRITEBYTECODE=1, so without it every run
would compile the app's modules again, and the bundled app ships compiled code. Pass
``--no-compile`` to see the uncompiled figure. Not a CI gate.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))

START_TARGET_S = 1.0
CLI_TARGET_S = 0.5
RSS_TARGET_MB = {"empty": 120.0, "records": 150.0}

# The child: a QApplication with an event filter that notes the first Show of a main
# window, lets the event loop turn once (the window is up and answering), prints the
# elapsed time, waits until the 工作台's figures are shown, prints RSS, optionally opens
# a list page, then closes the window (which waits for a daily backup in progress).
DRIVER = r"""
import os, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

mode, db, open_list = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
app = QApplication(sys.argv[:1])

def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0

def ready(window):
    # the database is open in the window and the 工作台's figures are shown
    if mode == "bare":
        return True
    return window.attached and window.dashboard is not None and not window.dashboard.reading

def report(window):
    print("SHOWN", flush=True)
    wait_ready(window)

def wait_ready(window):
    if not ready(window):
        QTimer.singleShot(5, lambda: wait_ready(window))
        return
    print("READY", flush=True)
    print("RSS", rss_mb(), flush=True)
    if open_list and hasattr(window, "show_module"):
        window.show_module("巡查检查")
        app.processEvents()
        print("RSS_LIST", rss_mb(), flush=True)
    window.close() if mode != "bare" else app.quit()

class Watch(QObject):
    done = False
    def eventFilter(self, obj, event):
        if not self.done and event.type() == QEvent.Type.Show and isinstance(obj, QMainWindow):
            self.done = True
            QTimer.singleShot(0, lambda: report(obj))
        return False

watch = Watch()
app.installEventFilter(watch)
if mode == "bare":
    window = QMainWindow()
    window.resize(1180, 760)
    window.show()
    app.exec()
else:
    from gongkai_desktop.app import run_gui
    sys.exit(run_gui(__import__("pathlib").Path(db)))
"""


def _start(mode: str, db: Path, env: dict[str, str], open_list: bool = False) -> dict[str, float]:
    """One process start; seconds until the window is shown, and RSS figures (MB)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, mode, str(db), "1" if open_list else "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=str(ROOT),
    )
    assert proc.stdout is not None
    out: dict[str, float] = {}
    for line in proc.stdout:
        if line.startswith("SHOWN"):
            out["shown"] = time.perf_counter() - t0
        elif line.startswith("READY"):
            out["ready"] = time.perf_counter() - t0
        elif line.startswith("RSS_LIST"):
            out["rss_list"] = float(line.split()[1])
        elif line.startswith("RSS"):
            out["rss"] = float(line.split()[1])
    _, err = proc.communicate(timeout=600)
    if proc.returncode != 0 or "shown" not in out:
        raise SystemExit(f"{mode} start failed ({proc.returncode}):\n{err}")
    return out


def _command(args: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(args, env=env, cwd=str(ROOT), check=True, capture_output=True)
    return time.perf_counter() - t0


def _backup_after_window(log_file: Path) -> str:
    """Whether the log says the window was shown before the daily backup finished."""
    text = log_file.read_text(encoding="utf-8") if log_file.exists() else ""
    # the log holds every run; the backup is made by the day's first start only, so
    # look for that start's window line before the backup, not for the last one
    backup = text.rfind("今日自动备份")
    if backup < 0:
        return "今日没有自动备份（已做过或失败，见日志）"
    # that start's order: window shown, then the database opened, then the backup
    opened = text.rfind("数据库已打开", 0, backup)
    shown = text.rfind("主窗口已显示", 0, opened if opened >= 0 else backup)
    after = 0 <= shown < opened
    return "备份在窗口显示之后" if after else "备份在窗口显示之前"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="reuse/keep the databases in this folder")
    parser.add_argument("--no-compile", action="store_true")
    parser.add_argument(
        "--all",
        action="store_true",
        help="also run the list, export and import benchmarks (the rest of the issue's table)",
    )
    args = parser.parse_args()

    if not args.no_compile:
        compileall.compile_dir(str(ROOT / "gongkai_desktop"), quiet=1)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="gongkai-bench-start-"))
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", GONGKAI_HOME=str(folder / "home"))
    empty_db, big_db = folder / "empty.db", folder / f"records-{args.records}.db"

    from gongkai_desktop.services.startup import open_context

    if not empty_db.exists():
        open_context(empty_db, auto_backup=False).close()
    if not big_db.exists():
        import report_world

        report_world.generate(big_db, args.records, year=date.today().year)

    def best(step, key: str = "shown") -> float:  # type: ignore[no-untyped-def]
        return min(step()[key] if key else step() for _ in range(args.runs))

    def fresh_daily(db: Path) -> None:
        # the daily backup runs on the first start of a day: remove today's so it is due
        backups = folder / "home" / "backups"
        for db_backups in (db.parent / "backups", backups):
            shutil.rmtree(db_backups, ignore_errors=True)

    lines: list[tuple[str, float, float, float | None, str]] = []  # label, app, floor, target
    bare = [_start("bare", empty_db, env) for _ in range(args.runs)]
    bare_shown = min(r["shown"] for r in bare)
    bare_rss = min(r["rss"] for r in bare)

    empty = [_start("app", empty_db, env) for _ in range(args.runs)]
    lines.append(("启动到窗口显示（空数据库）", min(r["shown"] for r in empty), bare_shown,
                  START_TARGET_S, "s"))  # fmt: skip
    lines.append(("启动到工作台数据显示（空数据库）", min(r["ready"] for r in empty), bare_shown,
                  None, "s"))  # fmt: skip
    big: list[dict[str, float]] = []
    for _ in range(args.runs):
        fresh_daily(big_db)  # every run pays the daily backup, as the first start of a day
        big.append(_start("app", big_db, env, open_list=True))
    lines.append((f"启动到窗口显示（{args.records:,} 条记录）", min(r["shown"] for r in big),
                  bare_shown, START_TARGET_S, "s"))  # fmt: skip
    lines.append((f"启动到工作台数据显示（{args.records:,} 条）", min(r["ready"] for r in big),
                  bare_shown, None, "s"))  # fmt: skip
    lines.append(("启动后内存（空数据库）", min(r["rss"] for r in empty), bare_rss,
                  RSS_TARGET_MB["empty"], "MB"))  # fmt: skip
    lines.append((f"启动后内存（{args.records:,} 条，打开巡查列表）",
                  min(r["rss_list"] for r in big), bare_rss, RSS_TARGET_MB["records"], "MB"))  # fmt: skip

    py_floor = min(_command([sys.executable, "-c", "import PySide6.QtWidgets"], env)
                   for _ in range(args.runs))  # fmt: skip
    gongkai = [sys.executable, "-m", "gongkai_desktop"]
    lines.append(("gongkai --help", min(_command([*gongkai, "--help"], env)
                  for _ in range(args.runs)), py_floor, CLI_TARGET_S, "s"))  # fmt: skip
    lines.append(("gongkai forms", min(_command([*gongkai, "forms"], env)
                  for _ in range(args.runs)), py_floor, CLI_TARGET_S, "s"))  # fmt: skip

    print(f"\nload average: {os.getloadavg()}   runs: {args.runs} (minimum shown)   "
          f"compiled: {not args.no_compile}")  # fmt: skip
    print(f"{'measure':<40}{'app':>11}{'floor':>11}{'ratio':>7}{'target':>9}  met")
    for label, value, floor, target, unit in lines:
        met = "-" if target is None else "yes" if value <= target else "NO"
        goal = "-" if target is None else f"{target:.1f}{unit}"
        # CJK characters take two columns in a terminal
        pad = 40 - sum(2 if ord(c) > 0x2E7F else 1 for c in label)
        print(f"{label}{' ' * max(pad, 1)}{value:>9.2f}{unit:<2}{floor:>9.2f}{unit:<2}"
              f"{value / floor:>7.2f}{goal:>9}  {met}")  # fmt: skip
    log_file = folder / "home" / "logs" / "gongkai.log"
    print(f"daily backup vs window: {_backup_after_window(log_file)}")
    others = ("bench_record_list.py", "bench_ledger_export.py", "bench_messy_import.py")
    if args.all:
        # each prints its own lines, app and floor from its own run
        for script in others:
            print(f"\n== {script} ==", flush=True)
            subprocess.run([sys.executable, str(ROOT / "tests" / "benchmarks" / script)], env=env)
    else:
        print("list refresh / sort / scroll, export, import: --all, or " + ", ".join(others))
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
