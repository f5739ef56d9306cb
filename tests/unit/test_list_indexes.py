"""List indexes (migration 0007) and keyset paging: the upgrade from 0006 on a file with
records and back, the query plans of every list order and filter, and pages read after a
cursor against an independent sqlite3 query (ties, NULLs, both directions)."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from gongkai_desktop.data import migrate, repository
from gongkai_desktop.data.engine import create_db_engine
from gongkai_desktop.data.list_indexes import LIST_INDEXES, index_name
from gongkai_desktop.data.migrations.versions import __name__ as versions_package
from gongkai_desktop.data.repository import RecordQuery
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.startup import open_context

COLUMN_INDEXES = {
    "ix_records_form_deleted_date": ["form_id", "deleted", "record_date", "id"],
    "ix_records_form_deleted_updated": ["form_id", "deleted", "updated_at", "id"],
    "ix_records_form_deleted_created": ["form_id", "deleted", "created_at", "id"],
    "ix_records_form_deleted_title": ["form_id", "deleted", "title", "id"],
    "ix_records_form_deleted_status": ["form_id", "deleted", "status", "id"],
    "ix_records_deleted_at": ["deleted", "deleted_at", "id"],
}
VILLAGES = ["龙河村", "东风社区", "白沙村", None]


def _rows(path: Path, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(statement, params).fetchall()
    finally:
        conn.close()


def _insert_sites(path: Path, count: int, deleted_every: int = 0) -> list[str]:
    """Sites written by raw SQL as the app stores them: villages repeat (ties), some have
    none (NULL), patrol_times is a number, some are in the 回收站."""
    ids = []
    rows = []
    for i in range(count):
        record_id = str(uuid.UUID(int=i * 7919 % 1000 + (i << 20), version=4))
        ids.append(record_id)
        data: dict[str, Any] = {"site_type": "排污单位", "name": f"厂{i % 7}"}
        village = VILLAGES[i % len(VILLAGES)]
        if village is not None:
            data["village"] = village
        if i % 3:
            data["patrol_times"] = i % 5
        deleted = 1 if deleted_every and i % deleted_every == 0 else 0
        rows.append(
            (
                record_id,
                "site",
                data["name"],
                None,
                ["在用", "停用", None][i % 3],
                json.dumps(data, ensure_ascii=False),
                f"2024-05-{1 + i % 9:02d} 08:00:00.000000",
                f"2024-06-{1 + i % 4:02d} 08:00:00.000000",
                deleted,
                f"2024-07-{1 + i % 3:02d} 08:00:00.000000" if deleted else None,
            )
        )
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO records (id, form_id, title, record_date, status, data, created_at,"
            " updated_at, author, version, deleted, deleted_at, search_text)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, '测试', 1, ?, ?, '')",
            rows,
        )
    conn.close()
    return ids


def _index_names(path: Path) -> set[str]:
    return {
        r[0]
        for r in _rows(
            path,
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records'"
            " AND sql IS NOT NULL",
        )
    }


def _index_columns(path: Path, name: str) -> list[str | None]:
    return [r[2] for r in _rows(path, f"PRAGMA index_info({name})")]


def _downgrade(path: Path, target: str) -> None:
    from alembic import command

    engine = create_db_engine(path)
    try:
        cfg = migrate._config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, target)
    finally:
        engine.dispose()


def test_the_app_knows_the_indexes_the_migration_made() -> None:
    from importlib import import_module

    frozen = import_module(f"{versions_package}.0007_list_indexes")
    assert frozen.FIELD_INDEXES == LIST_INDEXES
    assert {
        k: v for k, v in COLUMN_INDEXES.items() if k != "ix_records_form_deleted_date"
    } == frozen.COLUMN_INDEXES


def test_every_list_column_and_filter_of_the_shipped_forms_is_indexed(
    records: RecordService,
) -> None:
    real = {"title", "record_date", "status", "updated_at"}
    missing = []
    for form_id, form in records.registry.forms.items():
        keys = [k for k, _label in records.list_columns(form_id)]
        keys += [k for k in form.list_filters]
        for key in keys:
            key = key.removeprefix("site:")
            if key not in real and key not in LIST_INDEXES.get(form_id, ()):
                missing.append(f"{form_id}.{key}")
    assert missing == []


def test_upgrade_from_0006_builds_the_indexes_keeping_the_records_and_downgrades(
    db_path: Path,
) -> None:
    engine = create_db_engine(db_path)
    try:
        migrate.upgrade(engine, "0006")
    finally:
        engine.dispose()
    ids = _insert_sites(db_path, 40, deleted_every=6)
    before = _rows(db_path, "SELECT * FROM records ORDER BY id")
    assert _index_columns(db_path, "ix_records_form_deleted_date") == [
        "form_id",
        "deleted",
        "record_date",
    ]

    ctx = open_context(db_path, auto_backup=False)  # upgrades to head, as the app does
    try:
        assert migrate.current_revision(ctx.engine) == migrate.head_revision()
        service = RecordService(ctx)
        by_village = RecordQuery(form_id="site", sort_key="village", descending=False)
        listed = [r.id for r in service.page(by_village, 0, 100)]
    finally:
        ctx.close()
    after = _rows(db_path, "SELECT * FROM records ORDER BY id")
    # unchanged but for 0009's checksum, appended and backfilled
    assert [row[:-1] for row in after] == before
    assert all(len(row[-1]) == 64 for row in after)
    assert _rows(db_path, "PRAGMA integrity_check") == [("ok",)]
    expected_field = {index_name(f, k) for f, keys in LIST_INDEXES.items() for k in keys}
    names = _index_names(db_path)
    assert expected_field | set(COLUMN_INDEXES) <= names
    for name, columns in COLUMN_INDEXES.items():
        assert _index_columns(db_path, name) == columns
    # a field index: (deleted, the expression, id) over one form's records
    assert _index_columns(db_path, "ix_records_site_village") == ["deleted", None, "id"]
    [(sql,)] = _rows(
        db_path, "SELECT sql FROM sqlite_master WHERE name = 'ix_records_site_village'"
    )
    assert "json_extract(data, '$.village')" in sql and "WHERE form_id = 'site'" in sql
    # the list reads the old records in the independent order
    live = [i for n, i in enumerate(ids) if n % 6]
    expected = [
        r[0]
        for r in _rows(
            db_path,
            "SELECT id FROM records WHERE form_id = 'site' AND deleted = 0"
            " ORDER BY json_extract(data, '$.village'), id",
        )
    ]
    assert listed == expected and sorted(listed) == sorted(live)

    _downgrade(db_path, "0006")
    assert _rows(db_path, "SELECT version_num FROM alembic_version") == [("0006",)]
    names = _index_names(db_path)
    assert not names & (expected_field | (set(COLUMN_INDEXES) - {"ix_records_form_deleted_date"}))
    assert _index_columns(db_path, "ix_records_form_deleted_date") == [
        "form_id",
        "deleted",
        "record_date",
    ]
    assert _rows(db_path, "SELECT * FROM records ORDER BY id") == before


# ---- query plans ------------------------------------------------------------------------


@pytest.fixture
def statements(ctx: AppContext) -> Iterator[list[tuple[str, Any]]]:
    """Every SQL statement the app sends, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    event.listen(ctx.engine, "before_cursor_execute", record)
    yield seen
    event.remove(ctx.engine, "before_cursor_execute", record)


def _plans(db_path: Path, seen: list[tuple[str, Any]], marker: str) -> list[str]:
    """EXPLAIN QUERY PLAN of each statement seen that reads ``records`` rows for a list."""
    out = []
    conn = sqlite3.connect(db_path)
    try:
        for statement, params in seen:
            if marker not in statement:
                continue
            plan = conn.execute("EXPLAIN QUERY PLAN " + statement, params).fetchall()
            out.append(" | ".join(r[3] for r in plan))
    finally:
        conn.close()
    return out


def _read_three_pages(service: RecordService, query: RecordQuery) -> list[str]:
    rows = service.page(query, 0, 5)
    ids = [r.id for r in rows]
    for _ in range(2):
        rows = service.page(query, 0, 5, after=rows[-1].cursor)
        ids += [r.id for r in rows]
    return ids


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize(
    ("sort_key", "index"),
    [
        ("village", "ix_records_site_village"),
        ("patrol_times", "ix_records_site_patrol_times"),
        ("responsible_person", "ix_records_site_responsible_person"),
        ("title", "ix_records_form_deleted_title"),
        ("status", "ix_records_form_deleted_status"),
        ("updated_at", "ix_records_form_deleted_updated"),
    ],
)
def test_every_page_of_a_sorted_list_walks_its_index(
    db_path: Path,
    records: RecordService,
    statements: list[tuple[str, Any]],
    sort_key: str,
    index: str,
    descending: bool,
) -> None:
    _insert_sites(db_path, 30)
    statements.clear()
    _read_three_pages(
        records, RecordQuery(form_id="site", sort_key=sort_key, descending=descending)
    )
    plans = _plans(db_path, statements, "ORDER BY")
    assert len(plans) >= 3
    for plan in plans:
        assert f"USING INDEX {index} (" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
    # after a cursor: a seek into the index, not a walk from its start
    assert any("<expr>" in p or ">" in p.split(index)[1] or "<" in p for p in plans[1:])


def test_pages_after_a_cursor_seek_instead_of_scanning(
    db_path: Path, records: RecordService, statements: list[tuple[str, Any]]
) -> None:
    _insert_sites(db_path, 30)
    query = RecordQuery(form_id="site", sort_key="village", descending=False)
    first = records.page(query, 0, 10)  # past the 7 sites without a village
    assert first[-1].sort_value is not None
    statements.clear()
    records.page(query, 0, 5, after=first[-1].cursor)
    [plan] = _plans(db_path, statements, "ORDER BY")
    assert "USING INDEX ix_records_site_village (deleted=? AND <expr>>?)" in plan


def test_the_recycle_bin_and_the_date_order_use_their_indexes(
    db_path: Path, records: RecordService, statements: list[tuple[str, Any]]
) -> None:
    _insert_sites(db_path, 30, deleted_every=2)
    statements.clear()
    _read_three_pages(records, RecordQuery(deleted=True, sort_key="deleted_at"))
    for plan in _plans(db_path, statements, "ORDER BY"):
        assert "USING INDEX ix_records_deleted_at (" in plan and "TEMP B-TREE" not in plan
    statements.clear()
    records.page(RecordQuery(form_id="inspection", sort_key="record_date"), 0, 5)
    [plan] = _plans(db_path, statements, "ORDER BY")
    assert "USING INDEX ix_records_form_deleted_date (" in plan and "TEMP B-TREE" not in plan


def test_a_filter_on_a_form_field_uses_its_index(
    db_path: Path, records: RecordService, statements: list[tuple[str, Any]]
) -> None:
    _insert_sites(db_path, 30)
    statements.clear()
    query = RecordQuery(
        form_id="inspection", sort_key="village", filters=(("village", ("龙河村",)),)
    )
    records.count(query)
    records.page(query, 0, 5)
    plans = _plans(db_path, statements, "json_extract")
    assert plans and all(
        "ix_records_inspection_village (deleted=? AND <expr>=?)" in p for p in plans
    )


def test_the_village_filter_options_skip_along_the_index(
    db_path: Path, ctx: AppContext, statements: list[tuple[str, Any]]
) -> None:
    _insert_sites(db_path, 40)
    statements.clear()
    with ctx.transaction() as session:
        values = repository.distinct_field_values(session, "site", "village")
    assert values == sorted(v for v in VILLAGES if v)
    plans = _plans(db_path, statements, "json_extract")
    assert len(plans) == len(values) + 1  # one seek per value, and one finding the end
    for plan in plans:
        assert "USING INDEX ix_records_site_village (" in plan and "TEMP B-TREE" not in plan


# ---- keyset correctness ----------------------------------------------------------------


def _independent_order(db_path: Path, expression: str, descending: bool, where: str) -> list[str]:
    direction = "DESC" if descending else "ASC"
    statement = (
        f"SELECT r.id FROM records r WHERE {where}"
        f" ORDER BY {expression} {direction}, r.id {direction}"
    )
    return [row[0] for row in _rows(db_path, statement)]


def _page_through(service: RecordService, query: RecordQuery, size: int) -> list[str]:
    ids: list[str] = []
    rows = service.page(query, 0, size)
    while rows:
        ids += [r.id for r in rows]
        rows = service.page(query, 0, size, after=rows[-1].cursor)
    return ids


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("size", [1, 3, 7])
@pytest.mark.parametrize(
    ("sort_key", "expression"),
    [
        ("village", "json_extract(r.data, '$.village')"),  # ties and NULLs
        ("patrol_times", "json_extract(r.data, '$.patrol_times')"),  # numbers and NULLs
        ("status", "r.status"),  # a real column with NULLs
        ("updated_at", "r.updated_at"),  # a real column, many ties
    ],
)
def test_keyset_pages_match_an_independent_order(
    db_path: Path,
    records: RecordService,
    sort_key: str,
    expression: str,
    descending: bool,
    size: int,
) -> None:
    _insert_sites(db_path, 37, deleted_every=5)
    query = RecordQuery(form_id="site", sort_key=sort_key, descending=descending)
    expected = _independent_order(
        db_path, expression, descending, "r.form_id = 'site' AND r.deleted = 0"
    )
    assert len(expected) == 29
    assert _page_through(records, query, size) == expected
    # continuing after a record given by id reads the same rows
    after_id = records.page(query, 0, 10)[-1].id
    assert [r.id for r in records.page(query, 0, 50, after_id=after_id)] == expected[10:]


@pytest.mark.parametrize("descending", [False, True])
def test_keyset_pages_by_site_name_match_an_independent_order(
    db_path: Path, records: RecordService, descending: bool
) -> None:
    sites = [
        records.create("site", {"site_type": "排污单位", "name": n, "village": "龙河村"}).id
        for n in "乙甲乙丙"
    ]
    conn = sqlite3.connect(db_path)
    with conn:  # inspections as the app stores them; some without a site (NULL)
        for i in range(13):
            values: dict[str, Any] = {"inspection_date": f"2024-05-{1 + i:02d}"}
            if i % 5:
                values["site"] = sites[i % 4]
            conn.execute(
                "INSERT INTO records (id, form_id, title, record_date, data, created_at,"
                " updated_at, author, version, deleted, search_text) VALUES (?, 'inspection',"
                " '日常巡查', ?, ?, '2024-06-01', '2024-06-01', '测试', 1, 0, '')",
                (str(uuid.uuid4()), values["inspection_date"], json.dumps(values)),
            )
    conn.close()
    query = RecordQuery(form_id="inspection", sort_key="site:site", descending=descending)
    expected = _independent_order(
        db_path,
        "(SELECT s.title FROM records s WHERE s.id = json_extract(r.data, '$.site'))",
        descending,
        "r.form_id = 'inspection' AND r.deleted = 0",
    )
    assert len(expected) == 13
    assert _page_through(records, query, 2) == expected


def test_a_search_reads_the_table_through_then_seeks_for_later_pages(
    db_path: Path, records: RecordService, statements: list[tuple[str, Any]]
) -> None:
    _insert_sites(db_path, 30)
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE records SET search_text = data")
    conn.close()
    query = RecordQuery(form_id="site", search="龙河")
    statements.clear()
    assert records.count(query) == 8
    first = records.page(query, 0, 3)
    plans = _plans(db_path, statements, "LIKE")
    assert len(plans) == 2 and all(p.startswith("SCAN records") for p in plans), plans
    statements.clear()
    rest = records.page(query, 0, 10, after=first[-1].cursor)
    plans = _plans(db_path, statements, "LIKE")
    assert "USING INDEX ix_records_form_deleted_updated (form_id=? AND deleted=? AND" in plans[0]
    expected = _independent_order(
        db_path,
        "r.updated_at",
        True,
        "r.form_id = 'site' AND r.deleted = 0 AND r.search_text LIKE '%龙河%'",
    )
    assert [r.id for r in first + rest] == expected
