"""The township's audit chain head in the 报送包, checked where the county receives it:
an unbroken history passes; a deleted entry, a rewritten and re-hashed log, or a
township database put back to an older state is reported with the receive result."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gongkai_desktop.data.hashing import GENESIS, chain_hash, raw_audit_values
from gongkai_desktop.domain.periods import parse_period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.county.receive import receive_package
from gongkai_desktop.services.maintenance.tamper import (
    verify_audit_chain,
    verify_record_checksums,
)
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.submission.package import build_package

from .submission_helpers import CREATED, NOVEMBER, build_month, open_county, open_township

DECEMBER = parse_period("2026-12")
AUDIT_COLUMNS = (
    "id, at, os_user, filler, record_id, form_id, action, field, old_value, new_value,"
    " origin, origin_id"
)


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[AppContext, AppContext, list[str]]]:
    county = open_county(tmp_path / "county" / "county.db")
    town = open_township(tmp_path / "t1" / "town.db", county, 1, "龙河镇")
    month = build_month(town, tmp_path, seed=1)
    yield county, town, month.patrols
    town.close()
    county.close()


def query(db: Path, statement: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(statement).fetchall()
    finally:
        conn.close()


def tamper(db: Path, *statements: str) -> None:
    conn = sqlite3.connect(db)
    try:
        with conn:
            for statement in statements:
                conn.execute(statement)
    finally:
        conn.close()


def manifest_of(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("manifest.json"))


def audit_of(path: Path) -> list[dict]:
    with zipfile.ZipFile(path) as zf:
        return [json.loads(line) for line in zf.read("audit.jsonl").decode().splitlines()]


def test_the_package_carries_the_head_and_an_unbroken_history_passes(
    pair: tuple[AppContext, AppContext, list[str]], tmp_path: Path
) -> None:
    county, town, patrols = pair
    # settings, the imported key, records with photos and links: the township's chain
    assert verify_audit_chain(town) == [] and verify_record_checksums(town) == []
    first = build_package(town, NOVEMBER, tmp_path / "t1", now=CREATED)
    count, last_id = query(town.db_path, "SELECT COUNT(*), MAX(id) FROM audit_log")[0]
    last_hash = query(town.db_path, f"SELECT hash FROM audit_log WHERE id = {last_id}")[0][0]
    chain = manifest_of(first.path)["audit_chain"]
    assert chain == {"count": count, "last_id": last_id, "hash": last_hash, "anchors": {}}
    hashes = dict(query(town.db_path, "SELECT id, hash FROM audit_log"))
    entries = audit_of(first.path)
    assert entries
    for e in entries:
        assert e["hash"] == hashes[e["id"]]
        assert e["prev_hash"] == (GENESIS if e["id"] == 1 else hashes[e["id"] - 1])

    result = receive_package(county, first.path)
    assert result.added == 7 and result.history_problem is None
    # the county's own chain took the received entries in, and its records check
    assert verify_audit_chain(county) == [] and verify_record_checksums(county) == []

    RecordService(town).update(patrols[0], {"inspectors": "王五"})
    second = build_package(town, DECEMBER, tmp_path / "t1")
    assert manifest_of(second.path)["audit_chain"]["anchors"] == {str(last_id): last_hash}
    result = receive_package(county, second.path)
    assert result.history_problem is None
    assert verify_audit_chain(county) == [] and verify_record_checksums(county) == []


def test_a_deleted_township_entry_is_reported(
    pair: tuple[AppContext, AppContext, list[str]], tmp_path: Path
) -> None:
    county, town, _patrols = pair
    tamper(town.db_path, "DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE id = 5")
    package = build_package(town, NOVEMBER, tmp_path / "t1", now=CREATED)
    result = receive_package(county, package.path)
    assert result.added == 7  # received all the same: the county decides
    count = query(town.db_path, "SELECT COUNT(*) FROM audit_log")[0][0]
    at = next(e["at"] for e in audit_of(package.path) if e["id"] == 6)
    at = datetime.fromisoformat(at).replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    assert result.history_problem == (
        f"修改记录的历史不完整：乡镇的修改记录共 {count} 条而最后一条为 id {count + 1}，"
        f"中间有 1 条被删除；第 6 条修改记录（{at}）的前一条（id 5）在乡镇已不存在。"
    )
    # kept with the received package: receiving the file again shows it again
    again = receive_package(county, package.path)
    assert again.already_received and again.history_problem == result.history_problem


def test_a_rewritten_and_rehashed_log_breaks_continuity(
    pair: tuple[AppContext, AppContext, list[str]], tmp_path: Path
) -> None:
    """Someone edits an early entry and recomputes every hash: the township's own check
    cannot see it, but the county holds the head it received before."""
    county, town, patrols = pair
    first = build_package(town, NOVEMBER, tmp_path / "t1", now=CREATED)
    assert receive_package(county, first.path).history_problem is None
    db = town.db_path
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("UPDATE audit_log SET filler = '某人' WHERE id = 3")
        previous = GENESIS
        rows = conn.execute(f"SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY id").fetchall()
        for row in rows:
            previous = chain_hash(previous, raw_audit_values(row))
            conn.execute("UPDATE audit_log SET hash = ? WHERE id = ?", (previous, row[0]))
    conn.close()
    assert verify_audit_chain(town) == [
        "修改记录保护已被移除：数据库中缺少触发器 audit_log_no_update，修改记录可被改动或删除。"
    ]
    RecordService(town).update(patrols[0], {"inspectors": "王五"})
    second = build_package(town, DECEMBER, tmp_path / "t1")
    result = receive_package(county, second.path)
    last_id = manifest_of(first.path)["audit_chain"]["last_id"]
    assert result.history_problem == (
        "修改记录的历史不完整：与此前接收的报送包（2026-11）不连续：乡镇 id "
        f"{last_id} 及以前的修改记录在那次报送之后被改动或删除。"
    )


def test_a_township_log_shorter_than_received_is_reported(
    pair: tuple[AppContext, AppContext, list[str]], tmp_path: Path
) -> None:
    """The township database put back to a state before the last package (a restored
    old backup, or the last entries deleted)."""
    county, town, _patrols = pair
    first = build_package(town, NOVEMBER, tmp_path / "t1", now=CREATED)
    receive_package(county, first.path)
    last_id = manifest_of(first.path)["audit_chain"]["last_id"]
    tamper(
        town.db_path,
        "DROP TRIGGER audit_log_no_delete",
        f"DELETE FROM audit_log WHERE id > {last_id - 2}",
    )
    second = build_package(town, DECEMBER, tmp_path / "t1")
    result = receive_package(county, second.path)
    assert result.history_problem == (
        f"修改记录的历史不完整：本报送包的修改记录只到 id {last_id - 2}，少于此前接收的报送包"
        f"（2026-11，到 id {last_id}）：乡镇的修改记录被删除，或数据库被恢复为较早的备份。"
    )
