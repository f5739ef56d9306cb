"""County receive of many township packages into one county database.

Run on demand (pytest does not collect tests/benchmarks):

    python tests/benchmarks/bench_county_receive.py [--townships 200] [--records 5000]

Builds, untimed, one signed 报送包 per township in the real package format (records of
the forms inspection / outreach_event / rectification_task / site with their audit
entries, as ``records.jsonl`` and ``audit.jsonl``), registers the townships and their keys
in a fresh county database, then times ``receive_packages`` over all of them (each one
verified whole, merged in its own transaction, its 回执 written). Target: 200 × 5,000
records ≤ 60 s on the 2-core development machine. Also times receiving them all again
(every package already received: verified, nothing written).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import uuid
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from gongkai_desktop import __version__
from gongkai_desktop.data.models import Township
from gongkai_desktop.services.county.receive import receive_packages
from gongkai_desktop.services.startup import open_context
from gongkai_desktop.services.submission import package as pkg
from gongkai_desktop.services.submission.keys import new_key, sign

FORMS = ("inspection", "outreach_event", "rectification_task")


def _record(rng: random.Random, form: str, day: date, site: str, n: int) -> dict[str, Any]:
    now = datetime(2026, 11, 30, 9, 0)
    if form == "inspection":
        data = {"inspection_date": day.isoformat(), "inspection_type": "饮用水水源地巡查",
                "inspectors": "张三、李四", "site": site, "problem_found": n % 7 == 0,
                "remarks": f"第{n}次巡查，水源保护区标识完好"}  # fmt: skip
    elif form == "outreach_event":
        data = {"event_date": day.isoformat(), "name": f"宣传活动{n}", "event_type": "普法宣传",
                "staff_count": rng.randint(2, 20), "audience_count": rng.randint(20, 500),
                "materials": rng.randint(0, 300)}  # fmt: skip
    else:
        data = {"task_no": f"ZG2026-{n:04d}", "source": "自查", "description": "护栏损坏",
                "assigned_date": day.isoformat(), "deadline": (day + timedelta(30)).isoformat(),
                "status": "正在办理", "site": site}  # fmt: skip
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128))),
        "form_id": form,
        "title": f"{form}{n}",
        "record_date": day.isoformat(),
        "site_id": site,
        "status": None,
        "data": data,
        "search_text": json.dumps(data, ensure_ascii=False),
        "created_at": now.isoformat(),
        "updated_at": now.isoformat(),
        "author": "王小红",
        "version": 1,
        "deleted": False,
        "deleted_at": None,
    }


def build(folder: Path, code: str, name: str, key: str, count: int, seed: int) -> Path:
    rng = random.Random(seed)
    sites = [_record(rng, "site", date(2026, 1, 1), "", i) for i in range(20)]
    for s in sites:
        s.update(form_id="site", record_date=None, site_id=None, data={"name": s["title"]})
    records = list(sites)
    for n in range(count - len(sites)):
        day = date(2026, 11, 1 + n % 30)
        records.append(_record(rng, FORMS[n % 3], day, sites[n % 20]["id"], n))
    audit = [
        {"id": i + 1, "at": "2026-11-30T01:00:00", "os_user": "clerk", "filler": "王小红",
         "record_id": r["id"], "form_id": r["form_id"], "action": "新建", "field": "",
         "old_value": None, "new_value": None}
        for i, r in enumerate(records)
    ]  # fmt: skip
    members = {pkg.RECORDS: pkg._jsonl(records), pkg.AUDIT: pkg._jsonl(audit)}
    counts: dict[str, int] = {}
    for r in records:
        counts[r["form_id"]] = counts.get(r["form_id"], 0) + 1
    manifest = {
        "format": pkg.PACKAGE_FORMAT, "format_version": pkg.PACKAGE_FORMAT_VERSION,
        "township_code": code, "township_name": name, "unit_name": f"{name}人民政府",
        "period": {"key": "2026-11", "label": "2026年11月", "start": "2026-11-01",
                   "end": "2026-11-30"},
        "created_at": "2026-12-03T01:00:00", "app_version": __version__, "forms": {},
        "record_counts": counts, "audit_count": len(audit),
        "members": {k: pkg._sha(v) for k, v in members.items()}, "missing_attachments": [],
    }  # fmt: skip
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode()
    path = folder / f"{code}.gkpkg"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for member, data in members.items():
            zf.writestr(member, data)
        zf.writestr(pkg.MANIFEST, manifest_bytes)
        signature = {"algorithm": "HMAC-SHA256", "signature": sign(key, manifest_bytes)}
        zf.writestr(pkg.SIGNATURE, json.dumps(signature))
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--townships", type=int, default=200)
    parser.add_argument("--records", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ctx = open_context(folder / "county.db", auto_backup=False)
        towns = [(f"500235{100 + n:03d}000", f"乡镇{n:03d}", new_key()) for n in range(args.townships)]
        with ctx.transaction() as session:
            for code, name, key in towns:
                session.add(Township(code=code, name=name, key=key,
                                     added_at=datetime.now(UTC).replace(tzinfo=None)))  # fmt: skip
        started = time.perf_counter()
        paths = [build(folder, c, n, k, args.records, i) for i, (c, n, k) in enumerate(towns)]
        size = sum(p.stat().st_size for p in paths) / 1e6
        print(f"built {len(paths)} packages, {size:.0f} MB, in {time.perf_counter() - started:.1f} s")
        receipts = folder / "receipts"
        started = time.perf_counter()
        results = receive_packages(ctx, paths, receipts)
        first = time.perf_counter() - started
        assert all(r.error is None for r in results), [r.error for r in results if r.error][:3]
        total = sum(r.added for r in results)
        assert total == args.townships * args.records, total
        started = time.perf_counter()
        again = receive_packages(ctx, paths, receipts)
        second = time.perf_counter() - started
        assert all(r.already_received for r in again)
        ctx.close()
        print(f"receive {args.townships} packages × {args.records} records "
              f"({total:,} records): {first:.1f} s (target ≤ 60 s)")  # fmt: skip
        print(f"receive them all again (already received): {second:.1f} s")


if __name__ == "__main__":
    main()
