"""How long the record list blocks the GUI thread with 100,000 监管对象.

Run on demand (pytest does not collect tests/benchmarks):

    python tests/benchmarks/bench_record_list.py [--records N] [--db PATH] [--keep]

It writes N site records straight into a temporary database (one executemany with the
same derived columns RecordService writes), opens a RecordListPage offscreen and times
every stretch of GUI-thread work: opening the list, typing searches, sorting by each
column both ways, scrolling to the end (fetchMore page by page) sorted by 最后修改 and
by a form field (村), the 村 filter's options, saving a record and showing the change
(what the main window does after the editor's 保存: the row changes in place), and F5.
Everything the page does runs on the GUI thread, so the longest single stretch is the
longest time the window would not respond. Target: at most 0.1 s for every operation.

Scrolling to the end is also compared with its floor, one sorted pass: the same rows
read and formatted by one query in the same order (``page`` with no limit to speak of).
The load average is printed before and after: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication
from sqlalchemy import insert

from gongkai_desktop.data.models import Record
from gongkai_desktop.data.repository import distinct_field_values
from gongkai_desktop.data.search import search_text_of
from gongkai_desktop.heap import settle_after_start
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.startup import open_context
from gongkai_desktop.ui.records.record_list import SEARCH_DEBOUNCE_MS, RecordListPage

TARGET_S = 0.1
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "建国伟芳秀英明华军强平丽红敏静玉兰志勇海燕桂春德福金成林晓"
PLACES = [
    "龙河",
    "东风",
    "白沙",
    "青山",
    "石桥",
    "新华",
    "红旗",
    "长安",
    "金星",
    "柳湾",
    "桂花",
    "双河",
]
VILLAGES = [place + suffix for place in PLACES for suffix in ("村", "社区")]
KINDS = {
    "饮用水水源地": ["水库", "水厂取水口", "山塘"],
    "排污单位": ["造纸厂", "食品厂", "砖厂", "机械厂", "洗涤厂"],
    "畜禽养殖场": ["养猪场", "养鸡场", "肉牛养殖场", "养鸭场"],
    "河段/河湖": ["河段", "溪段", "湖"],
    "医疗机构（辐射）": ["卫生院", "诊所", "口腔诊所"],
    "其他": ["加油站", "垃圾中转站", "农贸市场"],
}


def site_values(rng: random.Random, i: int) -> dict[str, Any]:
    kind = rng.choice(list(KINDS))
    village = rng.choice(VILLAGES)
    values: dict[str, Any] = {
        "site_type": kind,
        "name": f"{village[:2]}{rng.choice(KINDS[kind])}{i}号",
        "village": village,
        "address": f"{village}{rng.randint(1, 30)}组{rng.randint(1, 200)}号",
        "responsible_person": rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)),
        "phone": f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
        "status": rng.choices(["在用", "停用", "待完善"], weights=[8, 1, 1])[0],
        "patrol_times": rng.randint(1, 4),
        "patrol_period": rng.choice(["每月", "每季度"]),
    }
    if kind == "畜禽养殖场":
        values["stock"] = rng.randint(50, 5000)
    return values


def fill(ctx: AppContext, count: int, seed: int = 7) -> None:
    """Insert ``count`` site rows with the derived columns RecordService._derived writes."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1)
    batch: list[dict[str, Any]] = []
    for i in range(count):
        values = site_values(rng, i)
        at = start + timedelta(seconds=rng.randint(0, 2 * 365 * 86400))
        batch.append(
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "form_id": "site",
                "title": values["name"],
                "record_date": None,
                "site_id": None,
                "status": values["status"],
                "data": values,
                "search_text": search_text_of(values, [values["name"]]),
                "created_at": at,
                "updated_at": at,
                "author": "基准测试",
                "version": 1,
                "deleted": False,
            }
        )
        if len(batch) == 10_000 or i == count - 1:
            with ctx.transaction() as session:
                session.execute(insert(Record), batch)
            batch = []


class Stopwatch:
    """Times each stretch of GUI-thread work; keeps every stretch per operation."""

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.stretches: dict[str, list[float]] = {}

    def run(self, operation: str, work: Callable[[], object]) -> None:
        began = time.perf_counter()
        work()
        self.stretches.setdefault(operation, []).append(time.perf_counter() - began)

    def pump(self, operation: str, seconds: float) -> None:
        """Let the event loop run (timers fire) and time each pass through it."""
        until = time.perf_counter() + seconds
        while time.perf_counter() < until:
            time.sleep(0.005)
            self.run(operation, self.app.processEvents)


def type_text(page: RecordListPage, text: str) -> Iterator[Callable[[], None]]:
    """One keystroke per step, as a Chinese input method commits characters."""
    for char in text:

        def keystroke(char: str = char) -> None:
            event = QInputMethodEvent()
            event.setCommitString(char)
            QApplication.sendEvent(page.search_edit, event)
            QApplication.processEvents()

        yield keystroke


def scroll_to_end(watch: Stopwatch, page: RecordListPage, operation: str) -> None:
    """Keep the view at the bottom until every row is loaded, timing each event-loop pass.

    The page reads the next page on a pool thread (background paging), so the GUI
    thread only inserts the rows that arrive; the loop waits for them like a clerk
    holding the scroll bar at the bottom.
    """
    view, model = page.table, page.model

    def step() -> None:
        view.scrollToBottom()
        QApplication.processEvents()

    while model.canFetchMore(QModelIndex()) or model.is_fetching:
        watch.run(operation, step)
        time.sleep(0.002)


def settle(watch: Stopwatch, page: RecordListPage, operation: str) -> None:
    """Run the event loop until what the page reads on the pool thread has arrived."""
    while page.model.is_fetching:
        watch.run(operation, QApplication.processEvents)
        time.sleep(0.005)


def benchmark(db_path: Path, count: int) -> list[tuple[str, list[float], str]]:
    ctx = open_context(db_path, auto_backup=False)
    existing = RecordService(ctx).count(_site_query())
    if existing < count:
        began = time.perf_counter()
        fill(ctx, count - existing)
        print(
            f"已写入 {count - existing:,} 条监管对象，用时 {time.perf_counter() - began:.1f} s",
            flush=True,
        )
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    service = RecordService(ctx)
    watch = Stopwatch(app)
    notes: dict[str, str] = {}
    page: RecordListPage | None = None

    def open_page() -> None:
        nonlocal page
        page = RecordListPage(service, "site")
        page.resize(1280, 720)
        page.show()
        QApplication.processEvents()

    settle_after_start()  # as the app does once its database is open
    watch.run("打开列表", open_page)
    assert page is not None
    notes["打开列表"] = f"{page.model.total_count:,} 条，已载入 {page.model.rowCount()}"
    watch.pump("打开列表", 0.2)

    debounce = SEARCH_DEBOUNCE_MS / 1000 + 0.2
    for word in ("龙河", "王建国", "养猪场", "东风 在用", "不存在的词"):
        operation = f"搜索“{word}”"
        for keystroke in type_text(page, word):
            watch.run(operation, keystroke)
        watch.pump(operation, debounce)
        settle(watch, page, operation)  # the search is read on the pool thread
        notes[operation] = f"{page.model.total_count:,} 条"
        watch.run(operation, page.search_edit.clear)
        watch.pump(operation, debounce)
        settle(watch, page, operation)

    for column, (key, label) in enumerate(page.model.columns):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            arrow = "↑" if order == Qt.SortOrder.AscendingOrder else "↓"
            operation = f"排序 {label}{arrow}"
            watch.run(operation, lambda c=column, o=order: page.table.sortByColumn(c, o))
            notes[operation] = key
            watch.pump(operation, 0.05)

    keys = [key for key, _label in page.model.columns]
    for key, order in (
        ("updated_at", Qt.SortOrder.DescendingOrder),  # the default order
        ("village", Qt.SortOrder.AscendingOrder),  # a JSON field
    ):
        column = keys.index(key)
        arrow = "↑" if order == Qt.SortOrder.AscendingOrder else "↓"
        label = page.model.columns[column][1] + arrow
        page.table.sortByColumn(column, order)
        operation = f"滚动到底（按{label}）"
        began = time.perf_counter()
        scroll_to_end(watch, page, operation)
        took = time.perf_counter() - began
        began = time.perf_counter()
        every = service.page(page.model.query, 0, count + 1)
        floor = time.perf_counter() - began
        notes[operation] = (
            f"{page.model.rowCount():,} 行（每页 200），共 {took:.1f} s；"
            f"一次排序读完 {len(every):,} 行 {floor:.1f} s（{took / floor:.1f}×）"
        )

    # the 村 drop-down's options (inspection and rectification lists build it when the
    # page is built): distinct values of the field among 100,000 records
    def village_options() -> None:
        with ctx.transaction() as session:
            notes["村筛选选项"] = f"{len(distinct_field_values(session, 'site', 'village'))} 个村"

    watch.run("村筛选选项", village_options)

    # a save from the editor (service.update, then what the main window does: the row
    # changes in place and stays selected), sorted by 村 and scrolled to the end
    for n, row in enumerate((5, page.model.rowCount() // 2, page.model.rowCount() - 3)):
        record_id = page.model.record_id(row)
        service.update(record_id, {"phone": f"1390000{n:04d}"})

        def show_saved(record_id: str = record_id) -> None:
            page.record_changed(record_id, "site")
            page.select_record(record_id)
            QApplication.processEvents()

        watch.run("保存后显示", show_saved)
    notes["保存后显示"] = f"列表 {page.model.rowCount():,} 行，改在原处"
    watch.pump("保存后显示", 0.05)

    # F5 re-reads the rows already scrolled through (up to a limit) in the current order,
    # on the pool thread
    watch.run("刷新（F5）", lambda: page.model.refresh(in_background=True))
    settle(watch, page, "刷新（F5）")
    notes["刷新（F5）"] = f"重新载入 {page.model.rowCount():,} 行"
    watch.pump("刷新（F5）", 0.05)

    page.close()
    ctx.close()
    return [(op, times, notes.get(op, "")) for op, times in watch.stretches.items()]


def _site_query():  # type: ignore[no-untyped-def]
    from gongkai_desktop.data.repository import RecordQuery

    return RecordQuery(form_id="site")


def _pad(text: str, width: int) -> str:
    """Left-align text whose CJK characters take two columns in a terminal."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(width - used, 1)


def _load_average() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:  # Windows has none
        return "—"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="reuse this database (filled if short)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    args = parser.parse_args()
    print(f"负载（开始）：{_load_average()}", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="gongkai-bench-"))
    os.environ["GONGKAI_HOME"] = str(tmp / "home")  # logs and backups stay out of the way
    db_path = args.db or tmp / "bench.db"
    try:
        rows = benchmark(db_path, args.records)
    finally:
        if not args.keep and args.db is None:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n{_pad('操作', 26)}{'最长阻塞 s':>10}{'中位 s':>9}{'次数':>6}  备注")
    worst = 0.0
    for operation, times, note in rows:
        worst = max(worst, max(times))
        flag = "" if max(times) <= TARGET_S else f"  ← 超过 {TARGET_S} s"
        print(
            f"{_pad(operation, 26)}{max(times):>10.3f}{statistics.median(times):>9.3f}"
            f"{len(times):>6}  {note}{flag}"
        )
    print(f"\n最长阻塞 {worst:.3f} s（目标 ≤ {TARGET_S} s）")
    print(f"负载（结束）：{_load_average()}")
    return 0 if worst <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
