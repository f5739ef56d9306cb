"""Benchmark (run on demand, not collected by pytest): 月末报送 of one township month.

    python tests/benchmarks/bench_month_close.py [RECORDS] [PHOTOS]

Enters RECORDS records of November 2026 (default 500: sites, patrols, outreach events,
rectification tasks, 依申请公开) through RecordService, PHOTOS of them (default 40) with a
2 MB photo each (JPEG noise, which does not compress, like a real photo), issues the
township's key from a county database, then times what the clerk waits for after
clicking 开始报送: the checklist, the 月度工作小结 and its PDF, every ledger, the 报送包,
the copy into the target folder and the read-back of every file, until ``verified``.
Target: ≤ 20 s on the 2-core machine. The target folder is on the local disk here; a
real USB stick adds its own write speed. The floor printed beside it: the same files
copied, fsynced and read back once, with nothing made.
"""

from __future__ import annotations

import io
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PHOTO_BYTES = 2_000_000


def noise_photo(path: Path, seed: int) -> None:
    """A JPEG of about 2 MB that deflate cannot shrink."""
    from PIL import Image

    rng = random.Random(seed)
    side = 900
    while True:
        image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=80)
        if buffer.tell() >= PHOTO_BYTES:
            break
        side += 100
    path.write_bytes(buffer.getvalue())


def generate(ctx, folder: Path, records: int, photos: int) -> None:  # type: ignore[no-untyped-def]
    from gongkai_desktop.services.records.attachments import attach_photo
    from gongkai_desktop.services.records.service import RecordService

    service = RecordService(ctx)
    rng = random.Random(10)
    sites = [
        service.create(
            "site",
            {
                "site_type": "饮用水水源地",
                "name": f"水源地{i:02d}",
                "village": f"第{i % 7 + 1}村",
                "patrol_times": 2,
            },
        ).id
        for i in range(30)
    ]
    made = len(sites)
    with_photo = 0
    while made < records:
        day = (date(2026, 11, 1) + timedelta(days=rng.randrange(30))).isoformat()
        kind = made % 10
        if kind < 6:
            values = {
                "inspection_date": day,
                "inspection_type": "饮用水水源地巡查",
                "site": rng.choice(sites),
                "inspectors": "张三、李四",
                "problem_found": False,
            }
            if with_photo < photos:
                picture = folder / f"现场{with_photo:02d}.jpg"
                noise_photo(picture, with_photo)
                values["photos"] = [attach_photo(ctx, picture, f"现场照片{with_photo + 1}")]
                with_photo += 1
            service.create("inspection", values)
        elif kind < 8:
            service.create(
                "outreach_event",
                {
                    "event_date": day,
                    "name": f"宣传活动{made}",
                    "event_type": "普法宣传",
                    "audience_count": rng.randrange(20, 300),
                    "materials": rng.randrange(0, 500),
                },
            )
        elif kind == 8:
            service.create(
                "rectification_task",
                {
                    "source": "日常巡查发现",
                    "assigned_date": day,
                    "description": f"巡查发现的问题{made}",
                    "deadline": "2026-12-31",
                    "status": "正在办理",
                },
            )
        else:
            service.create(
                "disclosure_request",
                {
                    "channel": "当面提交",
                    "received_date": day,
                    "applicant": f"申请人{made}",
                    "applicant_type": "自然人",
                    "content": "申请公开某文件",
                },
            )
        made += 1


def main() -> None:
    from PySide6.QtGui import QGuiApplication

    from gongkai_desktop.domain.periods import parse_period
    from gongkai_desktop.render.monthly_pdf import monthly_pdf_bytes
    from gongkai_desktop.services.reports.monthly import monthly_summary
    from gongkai_desktop.services.settings import save_settings
    from gongkai_desktop.services.startup import open_context
    from gongkai_desktop.services.submission.close import close_checks, run_close
    from tests.unit.close_helpers import TOWNSHIP_CODE, issue_key

    records = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    photos = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    app = QGuiApplication([sys.argv[0], "-platform", "offscreen"])  # noqa: F841 - fonts need it
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-close-") as tmp_name:
        tmp = Path(tmp_name)
        os.environ["GONGKAI_HOME"] = str(tmp / "home")
        ctx = open_context(tmp / "data" / "gongkai.db", auto_backup=False)
        save_settings(
            ctx,
            {"unit_name": "龙河镇人民政府", "township_code": TOWNSHIP_CODE, "filler": "李晓梅"},
        )
        issue_key(ctx, tmp)
        started = time.perf_counter()
        generate(ctx, tmp, records, photos)
        print(f"生成 {records} 条记录、{photos} 张照片：{time.perf_counter() - started:.1f} s")
        stick = tmp / "usb"
        stick.mkdir()
        period = parse_period("2026-11")
        today = date(2026, 12, 2)

        started = time.perf_counter()
        checks = close_checks(ctx, period, today)
        reasons = {c.key: "基准测试" for c in checks if not c.passed}
        summary = monthly_summary(ctx, period)
        pdf = monthly_pdf_bytes(summary)  # the window renders it on the GUI thread
        result = run_close(
            ctx,
            period,
            stick,
            reasons,
            monthly_pdf=lambda _s: pdf,
            summary=summary,
            today=today,
        )
        elapsed = time.perf_counter() - started
        size = sum(f.size for f in result.files)
        print(
            f"月末报送：{len(result.files)} 个文件，{size / 1e6:.1f} MB，"
            f"报送包 {result.record_count} 条记录，verified={result.verified}"
        )
        print(f"从开始到全部校验：{elapsed:.1f} s（目标 ≤ 20 s）")
        floor = copy_floor(result.folder, tmp / "floor")
        print(
            f"下限：同样的文件复制、fsync 并读回一遍：{floor:.1f} s（报送 / 下限 = {elapsed / floor:.1f}）"
        )
        ctx.close()


def copy_floor(folder: Path, target: Path) -> float:
    """The least any close takes: the same bytes copied, fsynced and read back once."""
    import hashlib

    target.mkdir()
    started = time.perf_counter()
    for source in sorted(folder.iterdir()):
        data = source.read_bytes()
        copy = target / source.name
        with copy.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        assert hashlib.sha256(copy.read_bytes()).digest() == hashlib.sha256(data).digest()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
