"""Two real databases for the submission tests: a county that has added a township and
issued its key, and that township's month of work (patrols with photos, a linked task, an
outreach event, a deleted record, an older record outside the month)."""

from __future__ import annotations

import io
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from PIL import Image

from gongkai_desktop.domain.periods import parse_period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.county.townships import add_township, write_township_key
from gongkai_desktop.services.records.attachments import attach_photo
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.settings import save_settings
from gongkai_desktop.services.startup import open_context
from gongkai_desktop.services.submission.keys import import_key_file

NOVEMBER = parse_period("2026-11")
CREATED = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # 3 December, 09:00 Beijing time


def township_code(n: int) -> str:
    return f"500235{100 + n:03d}000"


def open_county(path: Path) -> AppContext:
    ctx = open_context(path, auto_backup=False)
    save_settings(ctx, {"unit_name": "云阳县生态环境局", "usage": "县级汇总"})
    return ctx


def open_township(path: Path, county: AppContext, n: int, name: str) -> AppContext:
    code = township_code(n)
    add_township(county, code, name, "王小红", "023-5512345")
    path.parent.mkdir(parents=True, exist_ok=True)
    key_file = path.parent / f"{name}.gkkey"
    write_township_key(county, code, key_file)
    ctx = open_context(path, auto_backup=False)
    save_settings(ctx, {"unit_name": f"{name}人民政府", "township": name, "filler": "王小红"})
    import_key_file(ctx, key_file)
    return ctx


def photo_file(folder: Path, name: str, color: tuple[int, int, int]) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "JPEG")
    path = folder / name
    path.write_bytes(buffer.getvalue())
    return path


@dataclass
class Month:
    site: str
    patrols: list[str]
    task: str
    event: str
    deleted: str
    october: str


def build_month(ctx: AppContext, folder: Path, seed: int = 0) -> Month:
    service = RecordService(ctx)
    site = service.create(
        "site", {"site_type": "饮用水水源地", "name": f"金竹沟水源地{seed}", "village": "东村"}
    ).id
    patrols = []
    for i, day in enumerate((3, 17)):
        photo = attach_photo(ctx, photo_file(folder, f"p{seed}{i}.jpg", (10 * i, 90, seed % 250)))
        photo["caption"] = f"第{i + 1}次巡查"
        patrols.append(
            service.create(
                "inspection",
                {
                    "inspection_date": date(2026, 11, day).isoformat(),
                    "inspection_type": "饮用水水源地巡查",
                    "inspectors": "张三、李四",
                    "site": site,
                    "problem_found": i == 1,
                    **({"problem_description": "取水口护栏损坏"} if i == 1 else {}),
                    "photos": [photo],
                },
            ).id
        )
    task = service.create(
        "rectification_task",
        {
            "source": "日常巡查发现",
            "description": "取水口护栏损坏",
            "status": "正在办理",
            "assigned_date": "2026-11-17",
            "deadline": "2026-12-31",
        },
        link_from=patrols[1],
    ).id
    event = service.create(
        "outreach_event",
        {"event_date": "2026-11-09", "name": "冬季大气污染防治宣传", "event_type": "普法宣传",
         "staff_count": 8, "audience_count": 120, "materials": 200},
    ).id  # fmt: skip
    deleted = service.create(
        "outreach_event",
        {"event_date": "2026-11-20", "name": "重复录入", "event_type": "普法宣传"},
    ).id
    service.delete(deleted)
    october = service.create(
        "outreach_event",
        {"event_date": "2026-10-09", "name": "十月宣传", "event_type": "普法宣传"},
    ).id
    return Month(site, patrols, task, event, deleted, october)


def age_records(db: Path, before: str = "2026-10-31 08:00:00.000000") -> None:
    """Make every record look entered before November (an older month's data), so only
    dates and later edits decide what a November package carries."""
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE records SET created_at = ?, updated_at = ?", (before, before))
    conn.close()


def canonical_dump(db: Path, attachments: Path) -> dict[str, Any]:
    """What must be equal whatever order packages arrive in: records, received audit
    entries (by origin), origins, townships, conflicts, and the attachment files."""
    conn = sqlite3.connect(db)
    try:
        dump = {
            "records": conn.execute("SELECT * FROM records ORDER BY id").fetchall(),
            "audit": conn.execute(
                "SELECT origin, origin_id, at, os_user, filler, record_id, form_id, action, field,"
                " old_value, new_value FROM audit_log WHERE origin IS NOT NULL"
                " ORDER BY origin, origin_id"
            ).fetchall(),
            "origins": conn.execute("SELECT * FROM record_origins ORDER BY record_id").fetchall(),
            "townships": conn.execute("SELECT code, name FROM townships ORDER BY code").fetchall(),
            "conflicts": conn.execute(
                "SELECT record_id, incoming_version FROM merge_conflicts ORDER BY 1, 2"
            ).fetchall(),
            "packages": conn.execute(
                "SELECT package_sha256, township_code, period, record_count"
                " FROM received_packages ORDER BY 1"
            ).fetchall(),
        }
    finally:
        conn.close()
    dump["files"] = sorted(
        (p.relative_to(attachments).as_posix(), p.read_bytes())
        for p in attachments.rglob("*")
        if p.is_file()
    )
    return dump
