"""County merge: conflicts listed and decided, never overwritten; the 回执 round trip."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from gongkai_desktop.domain.errors import GongkaiError
from gongkai_desktop.domain.periods import parse_period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.county.receive import (
    list_conflicts,
    receive_package,
    resolve_conflict,
)
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.submission.package import build_package
from gongkai_desktop.services.submission.receipts import (
    ReceiptError,
    add_return_note,
    import_receipt,
)

from .submission_helpers import CREATED, NOVEMBER, Month, build_month, open_county, open_township

DECEMBER = parse_period("2026-12")


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[AppContext, AppContext, Month]]:
    county = open_county(tmp_path / "county" / "county.db")
    town = open_township(tmp_path / "t1" / "town.db", county, 1, "龙河镇")
    month = build_month(town, tmp_path, seed=1)
    yield county, town, month
    town.close()
    county.close()


def data_of(db: Path, record_id: str) -> dict:
    conn = sqlite3.connect(db)
    try:
        return json.loads(
            conn.execute("SELECT data FROM records WHERE id=?", (record_id,)).fetchone()[0]
        )
    finally:
        conn.close()


def test_a_record_changed_on_both_sides_is_listed_not_overwritten(
    pair: tuple[AppContext, AppContext, Month], tmp_path: Path
) -> None:
    county, town, month = pair
    first = build_package(town, NOVEMBER, tmp_path / "t1", now=CREATED)
    assert receive_package(county, first.path).added == 7
    patrol = month.patrols[0]
    # the county reviewer corrects the inspectors; the township changes them too
    RecordService(county).update(patrol, {"inspectors": "张三（县级核实）"})
    RecordService(town).update(patrol, {"inspectors": "张三、李四、王五", "remarks": "补记"})
    second = build_package(town, DECEMBER, tmp_path / "t1", now=CREATED)
    result = receive_package(county, second.path)
    assert result.conflicts == 1
    assert data_of(county.db_path, patrol)["inspectors"] == "张三（县级核实）"

    [conflict] = list_conflicts(county)
    assert (conflict.township_name, conflict.record_id) == ("龙河镇", patrol)
    fields = {f.field: (f.label, f.county, f.township) for f in conflict.fields}
    assert fields == {
        "inspectors": ("巡查人员", "张三（县级核实）", "张三、李四、王五"),
        "remarks": ("备注", None, "补记"),
    }
    # receiving the same package again lists it once
    assert receive_package(county, second.path).already_received
    assert len(list_conflicts(county)) == 1

    with pytest.raises(GongkaiError, match="请为每个不一致的字段选择"):
        resolve_conflict(county, conflict.id, {"inspectors": "county"})
    resolve_conflict(county, conflict.id, {"inspectors": "county", "remarks": "township"})
    merged = data_of(county.db_path, patrol)
    assert (merged["inspectors"], merged["remarks"]) == ("张三（县级核实）", "补记")
    assert list_conflicts(county) == []
    [done] = list_conflicts(county, include_resolved=True)
    assert done.id == conflict.id

    # the township's next change conflicts again: the county's own value is not lost
    RecordService(town).update(patrol, {"inspectors": "李四"})
    third = build_package(town, DECEMBER, tmp_path / "county", now=CREATED)
    assert receive_package(county, third.path).conflicts == 1
    [again] = list_conflicts(county)
    resolve_conflict(county, again.id, {f.field: "township" for f in again.fields})
    county_data, town_data = data_of(county.db_path, patrol), data_of(town.db_path, patrol)
    # photos are kept by hash at the county: the same captions, other paths
    assert [p["caption"] for p in county_data.pop("photos")] == [
        p["caption"] for p in town_data.pop("photos")
    ]
    assert county_data == town_data


def test_an_unchanged_county_record_takes_the_newer_township_version(
    pair: tuple[AppContext, AppContext, Month], tmp_path: Path
) -> None:
    county, town, month = pair
    receive_package(county, build_package(town, NOVEMBER, tmp_path / "t1", now=CREATED).path)
    RecordService(town).update(month.event, {"materials": 250})
    result = receive_package(
        county, build_package(town, DECEMBER, tmp_path / "county", now=CREATED).path
    )
    assert (result.replaced, result.conflicts) == (1, 0)
    assert data_of(county.db_path, month.event)["materials"] == 250
    conn = sqlite3.connect(county.db_path)
    entries = conn.execute(
        "SELECT action, field, old_value, new_value FROM audit_log"
        " WHERE record_id=? AND origin IS NULL",
        (month.event,),
    ).fetchall()
    conn.close()
    assert entries == [("接收更新", "materials", "200", "250")]


def test_receipt_round_trip_marks_the_submission_and_shows_returns(
    pair: tuple[AppContext, AppContext, Month], tmp_path: Path
) -> None:
    county, town, month = pair
    built = build_package(town, NOVEMBER, tmp_path / "t1", now=CREATED)
    received = receive_package(county, built.path)
    add_return_note(county, month.patrols[1], "第2条巡查记录缺少整改前后对比照片")
    from gongkai_desktop.services.submission.receipts import (
        received_records,
        return_notes,
        write_receipt,
    )

    [note] = return_notes(county, "500235101000")
    assert (note.record_id, note.state) == (month.patrols[1], "待随回执发出")
    found = received_records(county, "500235101000", "宣传")
    assert {r.title for r in found} == {"冬季大气污染防治宣传", "十月宣传"}
    assert {r.form_title for r in found} == {"宣传活动"}
    receipt = write_receipt(county, built.sha256, tmp_path / "county")
    assert [n.state for n in return_notes(county, "500235101000")] == ["已随回执发出"]
    assert received.receipt_path is not None
    view = import_receipt(town, receipt)
    assert (view.period, view.records, view.accepted, view.conflicts) == ("2026-11", 7, 7, 0)
    assert [(r.record_id, r.note) for r in view.returns] == [
        (month.patrols[1], "第2条巡查记录缺少整改前后对比照片")
    ]
    assert view.new_returns == 1
    assert import_receipt(town, receipt).new_returns == 0  # imported again: nothing doubles
    conn = sqlite3.connect(town.db_path)
    try:
        assert conn.execute(
            "SELECT period, received_at IS NOT NULL, accepted FROM submissions"
        ).fetchall() == [("2026-11", 1, 7)]
        assert conn.execute("SELECT record_id, cleared_by FROM returned_records").fetchall() == [
            (month.patrols[1], None)
        ]
    finally:
        conn.close()
    # fixed and submitted again: no longer returned
    RecordService(town).update(month.patrols[1], {"remarks": "已补充照片"})
    again = build_package(town, DECEMBER, tmp_path / "county", now=CREATED)
    conn = sqlite3.connect(town.db_path)
    try:
        assert conn.execute("SELECT cleared_by FROM returned_records").fetchall() == [
            (again.sha256,)
        ]
    finally:
        conn.close()
    receive_package(county, again.path)
    assert [n.state for n in return_notes(county, "500235101000")] == ["已改回"]


def test_a_changed_or_foreign_receipt_is_refused(
    pair: tuple[AppContext, AppContext, Month], tmp_path: Path
) -> None:
    county, town, _month = pair
    built = build_package(town, NOVEMBER, tmp_path / "t1", now=CREATED)
    receipt = receive_package(county, built.path).receipt_path
    assert receipt is not None
    document = json.loads(receipt.read_text(encoding="utf-8"))
    document["receipt"]["counts"]["conflicts"] = 0
    document["receipt"]["counts"]["added"] = 99
    forged = tmp_path / "forged.gkrcpt"
    forged.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ReceiptError, match="签名与本单位的报送密钥不符"):
        import_receipt(town, forged)
    other = open_township(tmp_path / "t2" / "town.db", county, 2, "青山镇")
    try:
        with pytest.raises(ReceiptError, match="签名与本单位的报送密钥不符"):
            import_receipt(other, receipt)
    finally:
        other.close()
    conn = sqlite3.connect(town.db_path)
    try:
        assert conn.execute("SELECT received_at FROM submissions").fetchall() == [(None,)]
    finally:
        conn.close()


def test_a_package_naming_another_townships_record_is_refused_alone(
    pair: tuple[AppContext, AppContext, Month], tmp_path: Path
) -> None:
    county, town, month = pair
    receive_package(county, build_package(town, NOVEMBER, tmp_path / "t1", now=CREATED).path)
    conn = sqlite3.connect(county.db_path)
    with conn:
        conn.execute("UPDATE records SET township_code='500235102000' WHERE id=?", (month.event,))
    conn.close()
    RecordService(town).update(month.event, {"materials": 260})
    december = build_package(town, DECEMBER, tmp_path / "county", now=CREATED).path
    other = open_township(tmp_path / "t2" / "town.db", county, 2, "青山镇")
    try:
        build_month(other, tmp_path, seed=2)
        theirs = build_package(other, NOVEMBER, tmp_path / "t2", now=CREATED).path
    finally:
        other.close()
    from gongkai_desktop.services.county.receive import receive_packages

    before = sqlite3.connect(county.db_path).execute("SELECT count(*) FROM audit_log").fetchone()
    first, second = receive_packages(county, [december, theirs])
    assert first.error is not None and "属于另一乡镇" in first.error
    assert second.error is None and second.added == 7
    conn = sqlite3.connect(county.db_path)
    try:
        # nothing of the refused package: not its audit entries, not its package row
        assert conn.execute(
            "SELECT count(*) FROM received_packages WHERE township_code='500235101000'"
        ).fetchone() == (1,)
        assert (
            json.loads(
                conn.execute("SELECT data FROM records WHERE id=?", (month.event,)).fetchone()[0]
            )["materials"]
            == 200
        )
        added_audit = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] - before[0]
        assert (
            added_audit
            == conn.execute(
                "SELECT count(*) FROM audit_log WHERE origin='500235102000'"
            ).fetchone()[0]
        )
    finally:
        conn.close()
