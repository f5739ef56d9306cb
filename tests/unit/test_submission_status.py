"""The township's list of packages written and of records sent back, against rows put
into the SQLite file with the sqlite3 module (as the package builder and the receipt
import leave them)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.submission.status import open_returns, submissions

from .close_helpers import build_close_world


def _local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


def _put(db: Path, sql: str, *rows: tuple) -> None:  # type: ignore[type-arg]
    conn = sqlite3.connect(db)
    try:
        conn.executemany(sql, rows)
        conn.commit()
    finally:
        conn.close()


SUBMISSION = (
    "INSERT INTO submissions (package_sha256, period, file_name, created_at, record_count,"
    " received_at, receipt_sha256, accepted, conflicts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
RETURNED = (
    "INSERT INTO returned_records (record_id, package_sha256, note, version_returned,"
    " returned_at, cleared_by) VALUES (?, ?, ?, ?, ?, ?)"
)


def test_submissions_newest_first_with_receipt_state(ctx, db_path) -> None:  # type: ignore[no-untyped-def]
    _put(
        db_path,
        SUBMISSION,
        (
            "a" * 64,
            "2026-10",
            "龙河镇_2026年10月_报送包.gkpkg",
            "2026-11-03 01:00:00",
            420,
            "2026-11-05 06:30:00",
            "c" * 64,
            420,
            0,
        ),
        (
            "b" * 64,
            "2026-11",
            "龙河镇_2026年11月_报送包.gkpkg",
            "2026-12-02 02:15:00",
            512,
            None,
            None,
            None,
            None,
        ),
    )
    rows = submissions(ctx)
    assert [r.period for r in rows] == ["2026-11", "2026-10"]
    new, old = rows
    assert (new.period_label, new.record_count, new.state, new.state_text) == (
        "2026年11月",
        512,
        "待接收",
        "待接收",
    )
    assert new.created_at == _local("2026-12-02T02:15:00")
    assert old.state == "已接收" and old.received_at == _local("2026-11-05T06:30:00")
    assert old.state_text == f"已接收（{_local('2026-11-05T06:30:00'):%Y-%m-%d}）"
    assert old.json()["accepted"] == 420 and new.json()["received_at"] is None


def test_a_returned_record_moves_from_returned_to_fixed_to_gone(ctx, db_path) -> None:  # type: ignore[no-untyped-def]
    world = build_close_world(ctx)
    service = RecordService(ctx)
    version = service.get(world.patrol).version
    _put(
        db_path,
        RETURNED,
        (world.patrol, "a" * 64, "第3条巡查记录缺少照片", version, "2026-11-06 01:00:00", None),
        (world.outreach, "a" * 64, "受众人次未填", 1, "2026-11-06 01:00:00", None),
        (world.overdue_task, "0" * 64, "早已处理", 1, "2026-10-06 01:00:00", "f" * 64),
    )
    rows = open_returns(ctx)
    assert [(r.record_id, r.state, r.note) for r in rows] == [
        (world.patrol, "退回待改", "第3条巡查记录缺少照片"),
        (world.outreach, "退回待改", "受众人次未填"),
    ]
    assert rows[0].form_id == "inspection" and rows[0].record_date == "2026-11-10"
    assert rows[0].returned_at == _local("2026-11-06T01:00:00")

    service.update(world.outreach, {"audience_count": 120})
    rows = open_returns(ctx)
    # the one still to fix comes first
    assert [(r.record_id, r.state) for r in rows] == [
        (world.patrol, "退回待改"),
        (world.outreach, "已修改待报送"),
    ]
    _put(
        db_path,
        "UPDATE returned_records SET cleared_by = ? WHERE record_id = ?",
        ("e" * 64, world.outreach),
    )
    assert [r.record_id for r in open_returns(ctx)] == [world.patrol]


def test_cli_lists_both(ctx, db_path, run) -> None:  # type: ignore[no-untyped-def]
    world = build_close_world(ctx)
    _put(
        db_path,
        SUBMISSION,
        ("b" * 64, "2026-11", "x.gkpkg", "2026-12-02 02:15:00", 512, None, None, None, None),
    )
    _put(db_path, RETURNED, (world.patrol, "b" * 64, "缺少照片", 9, "2026-12-06 01:00:00", None))
    code, out, err = run("submissions")
    assert (code, err) == (0, "")
    assert "2026年11月" in out and "512 条记录" in out and "待接收" in out
    assert "退回待改" in out and "缺少照片" in out
    code, out, err = run("submissions", "--json")
    data = json.loads(out)
    assert data["submissions"][0]["period"] == "2026-11"
    assert data["submissions"][0]["state"] == "待接收"
    assert data["returned"][0]["record_id"] == world.patrol
    assert data["returned"][0]["state"] == "退回待改"
