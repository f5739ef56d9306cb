"""报送包: township → package → county, and every way a package is refused."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from gongkai_desktop.domain.periods import parse_period, period_between
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.county.receive import receive_package, receive_packages
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.submission.package import (
    PackageError,
    build_package,
    period_key,
)

from .submission_helpers import (
    CREATED,
    NOVEMBER,
    Month,
    age_records,
    build_month,
    canonical_dump,
    open_county,
    open_township,
    township_code,
)


@pytest.fixture
def county(tmp_path: Path) -> Iterator[AppContext]:
    ctx = open_county(tmp_path / "county" / "county.db")
    yield ctx
    ctx.close()


@pytest.fixture
def township(tmp_path: Path, county: AppContext) -> Iterator[tuple[AppContext, Month]]:
    ctx = open_township(tmp_path / "t1" / "town.db", county, 1, "龙河镇")
    month = build_month(ctx, tmp_path, seed=1)
    ctx.close()
    age_records(tmp_path / "t1" / "town.db")
    from gongkai_desktop.services.startup import open_context

    ctx = open_context(tmp_path / "t1" / "town.db", auto_backup=False)
    yield ctx, month
    ctx.close()


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_period_keys() -> None:
    assert period_key(parse_period("2026-11")) == "2026-11"
    assert period_key(parse_period("2026-Q4")) == "2026-Q4"
    assert period_key(parse_period("2026")) == "2026"
    from datetime import date

    with pytest.raises(PackageError, match="一个月、一个季度或一年"):
        period_key(period_between(date(2026, 11, 2), date(2026, 11, 30)))


def test_package_members_and_what_it_carries(
    township: tuple[AppContext, Month], tmp_path: Path
) -> None:
    ctx, month = township
    built = build_package(ctx, NOVEMBER, tmp_path, now=CREATED)
    assert built.path.name == "龙河镇人民政府_2026年11月_报送包.gkpkg"
    with zipfile.ZipFile(built.path) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
        records = [json.loads(line) for line in zf.read("records.jsonl").decode().splitlines()]
    assert {"manifest.json", "signature.json", "records.jsonl", "audit.jsonl"} <= names
    assert len([n for n in names if n.startswith("attachments/photos/")]) == 2
    ids = {r["id"] for r in records}
    # the month's records, the deleted one (its deletion must reach the county), the site
    # they refer to; not October's event
    assert ids == {month.site, *month.patrols, month.task, month.event, month.deleted}
    assert manifest["township_code"] == township_code(1)
    assert manifest["period"] == {
        "key": "2026-11", "label": "2026年11月", "start": "2026-11-01", "end": "2026-11-30"
    }  # fmt: skip
    assert manifest["created_at"] == "2026-12-03T01:00:00"
    assert manifest["record_counts"] == {
        "inspection": 2, "outreach_event": 2, "rectification_task": 1, "site": 1
    }  # fmt: skip
    assert set(manifest["forms"]) >= {"inspection", "site"}
    assert all(len(f["sha256"]) == 64 for f in manifest["forms"].values())
    assert set(manifest["members"]) == names - {"manifest.json", "signature.json"}
    assert rows(ctx.db_path, "SELECT period, record_count FROM submissions") == [("2026-11", 6)]


def test_round_trip_every_field_audit_entry_and_photo(
    township: tuple[AppContext, Month], county: AppContext, tmp_path: Path
) -> None:
    ctx, month = township
    built = build_package(ctx, NOVEMBER, tmp_path / "t1", now=CREATED)
    result = receive_package(county, built.path)
    assert (result.error, result.added, result.replaced, result.conflicts) == (None, 6, 0, 0)
    assert result.receipt_path is not None and result.receipt_path.parent == built.path.parent

    columns = (
        "id, form_id, title, record_date, site_id, status, search_text, created_at,"
        " updated_at, author, version, deleted, deleted_at"
    )
    ids = "', '".join([month.site, *month.patrols, month.task, month.event, month.deleted])
    where = f"WHERE id IN ('{ids}') ORDER BY id"
    assert rows(county.db_path, f"SELECT {columns} FROM records {where}") == rows(
        ctx.db_path, f"SELECT {columns} FROM records {where}"
    )
    assert rows(county.db_path, "SELECT DISTINCT township_code FROM records") == [
        (township_code(1),)
    ]
    town_data = dict(rows(ctx.db_path, f"SELECT id, data FROM records {where}"))
    county_data = dict(rows(county.db_path, f"SELECT id, data FROM records {where}"))
    for record_id, text in town_data.items():
        town, there = json.loads(text), json.loads(county_data[record_id])
        town_photos, county_photos = town.pop("photos", []), there.pop("photos", [])
        assert there == town
        # the same photos, captions and names; the county keeps each file once by its hash
        assert len(county_photos) == len(town_photos)
        for mine, theirs in zip(town_photos, county_photos, strict=True):
            assert (theirs["name"], theirs["caption"]) == (mine["name"], mine["caption"])
            original = (ctx.attachments_dir / mine["file"]).read_bytes()
            assert (county.attachments_dir / theirs["file"]).read_bytes() == original
            import hashlib

            assert hashlib.sha256(original).hexdigest() in theirs["file"]
    audit = "record_id, form_id, action, field, old_value, new_value, at, os_user, filler"
    assert rows(
        county.db_path,
        f"SELECT origin_id, {audit} FROM audit_log WHERE origin IS NOT NULL ORDER BY origin_id",
    ) == rows(
        ctx.db_path, f"SELECT id, {audit} FROM audit_log WHERE record_id IN ('{ids}') ORDER BY id"
    )


def _tamper(package: Path, target: Path, change: str) -> Path:
    with zipfile.ZipFile(package) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    if change == "record byte":
        data = bytearray(members["records.jsonl"])
        index = data.index(b"\xe5")  # the first byte of a Chinese character, inside a value
        data[index + 1] ^= 0x01
        members["records.jsonl"] = bytes(data)
    elif change == "removed member":
        photo = next(n for n in members if n.startswith("attachments/"))
        del members[photo]
    elif change == "wrong signature":
        sig = json.loads(members["signature.json"])
        sig["signature"] = "0" * 64
        members["signature.json"] = json.dumps(sig).encode()
    elif change == "newer format":
        manifest = json.loads(members["manifest.json"])
        manifest["format_version"] = 2
        members["manifest.json"] = json.dumps(manifest).encode()
    elif change == "extra member":
        members["attachments/photos/x.jpg"] = b"not a photo"
    elif change == "truncated":
        target.write_bytes(package.read_bytes()[:-300])
        return target
    with zipfile.ZipFile(target, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return target


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ("record byte", "records.jsonl”与清单中的校验值不符"),
        ("removed member", "缺少文件：attachments/photos/"),
        ("wrong signature", "签名与龙河镇（500235101000）的报送密钥不符"),
        ("newer format", "格式版本为2，本软件最高支持1"),
        ("extra member", "含有清单以外的文件：attachments/photos/x.jpg"),
        ("truncated", "不是完整的报送包文件"),
    ],
)
def test_a_tampered_package_is_refused_with_nothing_written(
    township: tuple[AppContext, Month],
    county: AppContext,
    tmp_path: Path,
    change: str,
    words: str,
) -> None:
    ctx, _month = township
    built = build_package(ctx, NOVEMBER, tmp_path / "t1", now=CREATED)
    bad = _tamper(built.path, tmp_path / "bad.gkpkg", change)
    before = canonical_dump(county.db_path, county.attachments_dir)
    audit_before = rows(county.db_path, "SELECT count(*) FROM audit_log")
    with pytest.raises(PackageError) as caught:
        receive_package(county, bad)
    assert words in str(caught.value) and "已拒收，未写入任何数据" in str(caught.value)
    assert canonical_dump(county.db_path, county.attachments_dir) == before
    assert rows(county.db_path, "SELECT count(*) FROM audit_log") == audit_before
    assert not list(tmp_path.glob("*.gkrcpt"))
    # receiving several: the refused one is reported, the good one still goes in
    results = receive_packages(county, [bad, built.path])
    assert results[0].error is not None and words in results[0].error
    assert results[1].error is None and results[1].added == 6


def test_a_package_of_an_unknown_township_is_refused(
    township: tuple[AppContext, Month], tmp_path: Path
) -> None:
    ctx, _month = township
    built = build_package(ctx, NOVEMBER, tmp_path / "t1", now=CREATED)
    other = open_county(tmp_path / "other" / "county.db")
    try:
        with pytest.raises(PackageError, match="来自未登记的乡镇 龙河镇（500235101000）"):
            receive_package(other, built.path)
        assert rows(other.db_path, "SELECT count(*) FROM records") == [(0,)]
    finally:
        other.close()


def test_without_code_or_key_no_package_is_written(tmp_path: Path) -> None:
    from gongkai_desktop.services.settings import save_settings
    from gongkai_desktop.services.startup import open_context

    ctx = open_context(tmp_path / "bare.db", auto_backup=False)
    try:
        with pytest.raises(PackageError, match="统计用区划代码"):
            build_package(ctx, NOVEMBER, tmp_path)
        save_settings(ctx, {"township_code": township_code(1)})
        with pytest.raises(PackageError, match="尚未导入报送密钥"):
            build_package(ctx, NOVEMBER, tmp_path)
    finally:
        ctx.close()
    assert not list(tmp_path.glob("*.gkpkg"))


def test_same_package_ten_times_and_shuffled_packages_give_the_same_database(
    county: AppContext, tmp_path: Path
) -> None:
    import random

    packages = []
    for n, name in enumerate(("龙河镇", "青山镇", "双河乡"), start=1):
        db = tmp_path / f"t{n}" / "town.db"
        town = open_township(db, county, n, name)
        month = build_month(town, tmp_path, seed=n)
        packages.append(build_package(town, NOVEMBER, tmp_path / f"t{n}", now=CREATED).path)
        # a later edit and a December package that carries the edited patrol again
        RecordService(town).update(month.patrols[0], {"inspectors": "张三、李四、王五"})
        packages.append(
            build_package(town, parse_period("2026-12"), tmp_path / f"t{n}", now=CREATED).path
        )
        town.close()
    assert len(packages) == 6

    dumps = []
    for attempt in range(3):
        target = open_county(tmp_path / f"c{attempt}" / "county.db")
        try:
            from gongkai_desktop.data.models import Township
            from gongkai_desktop.services.county.townships import add_township

            # the same townships and keys as the issuing county
            with county.transaction() as session, target.transaction() as other:
                for t in session.query(Township):
                    other.merge(Township(code=t.code, name=t.name, contact=t.contact,
                                         phone=t.phone, key=t.key, added_at=t.added_at))  # fmt: skip
            order = packages[:]
            random.Random(attempt).shuffle(order)
            if attempt == 0:
                order = [packages[0]] * 10 + order
            if attempt < 2:
                for path in order:
                    assert receive_package(target, path, tmp_path / "receipts").error is None
            else:  # all at once: verified one by one, merged in one batch
                results = receive_packages(target, order + order[:2], tmp_path / "receipts")
                assert [r.error for r in results] == [None] * 8
                assert [r.already_received for r in results[-2:]] == [True, True]
            dumps.append(canonical_dump(target.db_path, target.attachments_dir))
        finally:
            target.close()
    assert dumps[0] == dumps[1] == dumps[2]
    assert len(dumps[0]["packages"]) == 6
    # the edited patrol is at its newest version whatever the order
    versions = {r[0]: r[10] for r in dumps[0]["records"]}
    assert max(versions.values()) >= 2
    del add_township
