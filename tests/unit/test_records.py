"""RecordService and settings on a real SQLite file: audit, atomicity, versions, the
回收站, lists."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import exc as sa_exc

from gongkai_desktop.data.repository import RecordQuery
from gongkai_desktop.domain.errors import (
    RecordNotFoundError,
    StaleRecordError,
    UnknownFormError,
    ValidationError,
)
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records.service import ListRow, RecordService
from gongkai_desktop.services.settings import SETTINGS, load_settings, save_settings

from .conftest import site_values

AUDIT_COLUMNS = "at, os_user, filler, record_id, form_id, action, field, old_value, new_value"


@pytest.fixture(autouse=True)
def _login(monkeypatch: pytest.MonkeyPatch) -> None:
    """A known OS login name (getpass reads LOGNAME first)."""
    monkeypatch.setenv("LOGNAME", "clerk01")


def audit_rows(path: Path, record_id: str | None = None) -> list[dict[str, Any]]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        where, params = ("WHERE record_id = ?", (record_id,)) if record_id else ("", ())
        found = conn.execute(f"SELECT {AUDIT_COLUMNS} FROM audit_log {where} ORDER BY id", params)
        return [dict(r) for r in found]
    finally:
        conn.close()


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def parse_at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# ---- audit ---------------------------------------------------------------------------


def test_create_writes_one_audit_row_per_field(ctx: AppContext, records: RecordService) -> None:
    save_settings(ctx, {"filler": "张三"})
    before = utc_now()
    made = records.create("site", site_values("甲厂", patrol_times="2"))
    after = utc_now()
    rows = audit_rows(ctx.db_path, made.id)
    expected_values = {
        "site_type": "排污单位",
        "name": "甲厂",
        "village": "东村",
        "status": "在用",  # the form's default
        "patrol_times": 2,
        "patrol_period": "每月",  # the form's default
    }
    assert [r["field"] for r in rows] == list(expected_values)
    for row in rows:
        assert row["action"] == "新建" and row["form_id"] == "site"
        assert (row["os_user"], row["filler"]) == ("clerk01", "张三")
        assert row["old_value"] is None
        assert json.loads(row["new_value"]) == expected_values[row["field"]]
        assert before - timedelta(seconds=1) <= parse_at(row["at"]) <= after + timedelta(seconds=1)
    assert made.values == expected_values
    assert made.author == "张三" and made.version == 1 and not made.deleted


def test_audit_time_is_utc_and_history_shows_local_time(
    ctx: AppContext, records: RecordService
) -> None:
    made = records.create("site", site_values("甲厂"))
    at = parse_at(audit_rows(ctx.db_path, made.id)[0]["at"])
    assert abs(at - utc_now()) < timedelta(seconds=5)
    local = records.history(made.id)[0].at
    expected_local = at.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)
    assert local == expected_local


def test_update_audits_changed_fields_with_old_and_new(
    ctx: AppContext, records: RecordService
) -> None:
    made = records.create("site", site_values("甲厂", phone="123456"))
    save_settings(ctx, {"filler": "李四"})
    updated = records.update(made.id, {"name": "甲化工厂", "phone": None, "patrol_times": 4})
    assert updated.version == 2 and updated.title == "甲化工厂"
    assert "phone" not in updated.values
    rows = [r for r in audit_rows(ctx.db_path, made.id) if r["action"] == "修改"]
    changes = {r["field"]: (r["old_value"], r["new_value"]) for r in rows}
    assert changes == {
        "name": ('"甲厂"', '"甲化工厂"'),
        "phone": ('"123456"', None),
        # 排污单位 start with the per-type default of one patrol (default_from in site.yaml)
        "patrol_times": ("1", "4"),
    }
    assert {(r["os_user"], r["filler"]) for r in rows} == {("clerk01", "李四")}


def test_update_without_change_writes_nothing(ctx: AppContext, records: RecordService) -> None:
    made = records.create("site", site_values("甲厂"))
    count = len(audit_rows(ctx.db_path))
    same = records.update(made.id, {"name": " 甲厂 ", "site_type": "排污单位"})
    assert same.version == 1
    assert len(audit_rows(ctx.db_path)) == count


def test_changing_the_type_drops_hidden_values_and_audits_it(
    ctx: AppContext, records: RecordService
) -> None:
    made = records.create("site", site_values("甲厂", credit_code="91350100M000100Y43"))
    assert made.values["credit_code"] == "91350100M000100Y43"
    changed = records.update(made.id, {"site_type": "其他"})
    assert "credit_code" not in changed.values
    rows = [r for r in audit_rows(ctx.db_path, made.id) if r["action"] == "修改"]
    assert {r["field"]: r["new_value"] for r in rows} == {
        "site_type": '"其他"',
        "credit_code": None,
    }


def test_delete_and_restore_are_audited(ctx: AppContext, records: RecordService) -> None:
    made = records.create("site", site_values("甲厂"))
    deleted = records.delete(made.id)
    assert deleted.deleted and deleted.version == 2 and deleted.deleted_at is not None
    assert records.delete(made.id).version == 2  # deleting twice changes nothing
    restored = records.restore(made.id)
    assert not restored.deleted and restored.deleted_at is None and restored.version == 3
    actions = [r["action"] for r in audit_rows(ctx.db_path, made.id)]
    assert actions[-2:] == ["删除", "恢复"]
    assert actions.count("删除") == 1


def test_history(ctx: AppContext, records: RecordService) -> None:
    made = records.create("site", site_values("甲厂", is_scale_farm=True))
    save_settings(ctx, {"filler": "张三"})
    records.update(made.id, {"site_type": "畜禽养殖场", "is_scale_farm": "是", "stock": 10})
    records.delete(made.id)
    history = records.history(made.id)
    assert history[0].action == "删除" and history[0].who == "张三"
    updates = {(h.field, h.old, h.new) for h in history if h.action == "修改"}
    assert updates == {
        ("类型", "排污单位", "畜禽养殖场"),
        ("是否规模场", "", "是"),
        ("存栏量", "", "10"),
    }
    created = [h for h in history if h.action == "新建"]
    assert {h.who for h in created} == {"未设置填表人"}  # no 填表人 was set yet
    assert ("名称", "", "甲厂") in {(h.field, h.old, h.new) for h in created}


def test_history_shows_sites_by_name(
    visit_records: RecordService, make_site: Callable[..., str]
) -> None:
    first = make_site(visit_records, "甲厂")
    make_site(visit_records, "乙厂")
    visit = visit_records.create(
        "visit", {"visit_date": "2024-05-06", "site": "甲厂", "result": "正常"}
    )
    visit_records.update(visit.id, {"site": "乙厂"})
    change = next(h for h in visit_records.history(visit.id) if h.field == "巡查对象" and h.old)
    assert (change.old, change.new) == ("甲厂", "乙厂")
    assert visit_records.get(visit.id).title == "乙厂"
    assert first != visit_records.get(visit.id).site_id


# ---- atomicity ------------------------------------------------------------------------


@pytest.fixture
def failing_audit(ctx: AppContext) -> Callable[[str], None]:
    """Make the audit write fail once the record row is in place (a real SQLite trigger)."""

    def install(condition: str) -> None:
        conn = sqlite3.connect(ctx.db_path)
        conn.execute(
            "CREATE TRIGGER test_fail_audit BEFORE INSERT ON audit_log "
            f"WHEN {condition} BEGIN SELECT RAISE(ABORT, 'audit disk full'); END"
        )
        conn.commit()
        conn.close()

    return install


def _drop_trigger(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER test_fail_audit")
    conn.commit()
    conn.close()


def test_a_create_that_fails_midway_leaves_every_table_as_it_was(
    ctx: AppContext,
    records: RecordService,
    failing_audit: Callable[[str], None],
    dump_db: Callable[[Path], list[str]],
) -> None:
    records.create("site", site_values("已有的厂"))
    save_settings(ctx, {"filler": "张三"})
    # fires only if the record row was already written in the same transaction
    failing_audit("EXISTS (SELECT 1 FROM records WHERE id = NEW.record_id AND title = '新厂')")
    before = dump_db(ctx.db_path)
    with pytest.raises(sa_exc.IntegrityError, match="audit disk full"):
        records.create("site", site_values("新厂"))
    assert dump_db(ctx.db_path) == before
    # the connection pool is healthy afterwards
    _drop_trigger(ctx.db_path)
    assert records.create("site", site_values("新厂")).title == "新厂"


def test_an_update_that_fails_midway_leaves_every_table_as_it_was(
    ctx: AppContext,
    records: RecordService,
    failing_audit: Callable[[str], None],
    dump_db: Callable[[Path], list[str]],
) -> None:
    made = records.create("site", site_values("甲厂"))
    # fires only once the record row already carries the new version
    failing_audit("(SELECT version FROM records WHERE id = NEW.record_id) = 2")
    before = dump_db(ctx.db_path)
    for action in (
        lambda: records.update(made.id, {"name": "甲化工厂", "patrol_times": 9}),
        lambda: records.delete(made.id),
    ):
        with pytest.raises(sa_exc.IntegrityError, match="audit disk full"):
            action()
        assert dump_db(ctx.db_path) == before
    view = records.get(made.id)
    assert (view.title, view.version, view.deleted) == ("甲厂", 1, False)


def test_a_restore_that_fails_midway_changes_nothing(
    ctx: AppContext,
    records: RecordService,
    failing_audit: Callable[[str], None],
    dump_db: Callable[[Path], list[str]],
) -> None:
    made = records.create("site", site_values("甲厂"))
    records.delete(made.id)
    failing_audit("NEW.action = '恢复'")
    before = dump_db(ctx.db_path)
    with pytest.raises(sa_exc.IntegrityError):
        records.restore(made.id)
    assert dump_db(ctx.db_path) == before
    assert records.get(made.id).deleted


def test_settings_that_fail_midway_change_nothing(
    ctx: AppContext, failing_audit: Callable[[str], None], dump_db: Callable[[Path], list[str]]
) -> None:
    save_settings(ctx, {"unit_name": "旧名称"})
    failing_audit("EXISTS (SELECT 1 FROM settings WHERE value = '新名称')")
    before = dump_db(ctx.db_path)
    with pytest.raises(sa_exc.IntegrityError):
        save_settings(ctx, {"unit_name": "新名称", "filler": "张三"})
    assert dump_db(ctx.db_path) == before
    assert load_settings(ctx)["unit_name"] == "旧名称"


def test_invalid_input_writes_nothing(
    ctx: AppContext, records: RecordService, dump_db: Callable[[Path], list[str]]
) -> None:
    made = records.create("site", site_values("甲厂"))
    before = dump_db(ctx.db_path)
    with pytest.raises(ValidationError):
        records.create("site", {"name": "缺类型"})
    with pytest.raises(ValidationError):
        records.update(made.id, {"patrol_times": -1})
    assert dump_db(ctx.db_path) == before


# ---- versions and errors --------------------------------------------------------------


def test_optimistic_version_check(
    ctx: AppContext, records: RecordService, dump_db: Callable[[Path], list[str]]
) -> None:
    made = records.create("site", site_values("甲厂"))
    records.update(made.id, {"village": "西村"}, expected_version=1)  # another window saved
    before = dump_db(ctx.db_path)
    with pytest.raises(StaleRecordError) as info:
        records.update(made.id, {"village": "南村"}, expected_version=1)
    assert "已被其他操作修改" in str(info.value)
    assert dump_db(ctx.db_path) == before
    assert records.update(made.id, {"village": "南村"}, expected_version=2).version == 3


def test_unknown_record_and_form(records: RecordService) -> None:
    for call in (
        lambda: records.get("no-such-id"),
        lambda: records.update("no-such-id", {}),
        lambda: records.delete("no-such-id"),
        lambda: records.restore("no-such-id"),
        lambda: records.history("no-such-id"),
    ):
        with pytest.raises(RecordNotFoundError, match="找不到记录 no-such-id"):
            call()
    with pytest.raises(UnknownFormError) as info:
        records.create("nope", {})
    assert str(info.value).startswith("未知的表单“nope”。可用的表单：")
    assert str(info.value).endswith("、site")


def test_ids_are_uuids_and_times_are_set(records: RecordService) -> None:
    import uuid

    made = records.create("site", site_values("甲厂"))
    assert str(uuid.UUID(made.id)) == made.id
    assert made.created_at == made.updated_at
    assert abs(made.created_at - datetime.now()) < timedelta(seconds=5)  # local time


# ---- lists and the 回收站 ---------------------------------------------------------------


def test_soft_delete_hides_from_lists(records: RecordService) -> None:
    keep = records.create("site", site_values("留下的厂"))
    gone = records.create("site", site_values("删掉的厂"))
    records.delete(gone.id)
    live = RecordQuery(form_id="site")
    assert records.count(live) == 1
    assert [r.id for r in records.page(live, 0, 50)] == [keep.id]
    binned = RecordQuery(form_id="site", deleted=True)
    assert [r.id for r in records.page(binned, 0, 50)] == [gone.id]
    # the 回收站 lists every form alike: form title, record title, deletion time
    recycle = records.page(RecordQuery(deleted=True), 0, 50)
    assert len(recycle) == 1
    assert recycle[0].cells[:2] == ("监管对象", "删掉的厂")
    assert recycle[0].cells[2].startswith(str(date.today().year))
    assert records.get(gone.id).deleted  # still readable
    records.restore(gone.id)
    assert records.count(live) == 2 and records.count(binned) == 0


def test_list_columns_and_cells(records: RecordService) -> None:
    columns = records.list_columns("site")
    assert columns[0] == ("site_type", "类型")
    assert ("title", "名称") in columns and ("status", "状态") in columns
    assert columns[-1] == ("updated_at", "最后修改")
    made = records.create("site", site_values("甲厂", phone="0123-4567", patrol_times=2))
    (row,) = records.page(RecordQuery(form_id="site"), 0, 10)
    assert isinstance(row, ListRow) and row.version == made.version
    assert row.cells[:8] == ("排污单位", "甲厂", "东村", "", "0123-4567", "2", "每月", "在用")
    assert len(row.cells) == len(columns)


def test_search_paging_and_sorting(records: RecordService) -> None:
    names = [f"厂{i:02d}" for i in range(25)]
    for i, name in enumerate(names):
        records.create(
            "site", site_values(name, village="东村" if i % 2 else "西村", patrol_times=i)
        )
    by_name = RecordQuery(form_id="site", sort_key="title", descending=False)
    pages = [records.page(by_name, offset, 10) for offset in (0, 10, 20)]
    assert [len(p) for p in pages] == [10, 10, 5]
    assert [r.cells[1] for p in pages for r in p] == names
    by_times = RecordQuery(form_id="site", sort_key="patrol_times", descending=True)
    assert records.page(by_times, 0, 1)[0].cells[1] == "厂24"  # numeric, not text order
    assert records.count(RecordQuery(form_id="site", search="西村")) == 13
    assert records.count(RecordQuery(form_id="site", search="西村 厂0")) == 5  # 00,02,…,08
    assert records.count(RecordQuery(form_id="site", search="100%")) == 0
    assert records.count(RecordQuery(form_id="site", filters=(("village", ("东村",)),))) == 12


def test_date_filter_and_site_sort(
    visit_records: RecordService, make_site: Callable[..., str]
) -> None:
    make_site(visit_records, "乙厂")
    make_site(visit_records, "甲厂")
    for day, site in (("2024-04-30", "甲厂"), ("2024-05-01", "乙厂"), ("2024-05-31", "甲厂")):
        visit_records.create("visit", {"visit_date": day, "site": site, "result": "正常"})
    may = RecordQuery(form_id="visit", date_from=date(2024, 5, 1), date_to=date(2024, 5, 31))
    assert visit_records.count(may) == 2
    by_site = RecordQuery(form_id="visit", sort_key="site:site", descending=False)
    assert [r.cells[1] for r in visit_records.page(by_site, 0, 10)] == ["乙厂", "甲厂", "甲厂"]
    # a visit is found by the name of its site
    assert visit_records.count(RecordQuery(form_id="visit", search="乙厂")) == 1


def test_site_choices(visit_records: RecordService, make_site: Callable[..., str]) -> None:
    a = make_site(visit_records, "甲厂")
    b = make_site(visit_records, "乙场", "畜禽养殖场")
    make_site(visit_records, "丙库", "饮用水水源地")
    gone = make_site(visit_records, "丁厂")
    visit_records.delete(gone)
    found = visit_records.site_choices(["排污单位", "畜禽养殖场"])
    assert sorted(found) == sorted([(a, "甲厂", "排污单位"), (b, "乙场", "畜禽养殖场")])
    assert len(visit_records.site_choices()) == 3
    assert visit_records.site_names([a, b]) == {a: "甲厂", b: "乙场"}


def test_export_values(records: RecordService) -> None:
    made = records.create("site", site_values("甲厂"))
    out = records.export_values(records.get(made.id))
    form = records.registry.form("site")
    assert list(out) == ["id", *(f.key for f in form.fields)]
    assert out["id"] == made.id and out["name"] == "甲厂" and out["address"] is None


# ---- settings -------------------------------------------------------------------------


def test_settings_round_trip_and_audit(ctx: AppContext) -> None:
    assert load_settings(ctx) == {s.key: "" for s in SETTINGS}
    saved = save_settings(ctx, {"unit_name": " 某某镇人民政府 ", "filler": "张三"})
    assert saved["unit_name"] == "某某镇人民政府" and saved["filler"] == "张三"
    rows = audit_rows(ctx.db_path, "settings")
    assert {(r["field"], r["old_value"], r["new_value"]) for r in rows} == {
        ("unit_name", '""', '"某某镇人民政府"'),
        ("filler", '""', '"张三"'),
    }
    save_settings(ctx, {"unit_name": "某某镇人民政府"})  # unchanged: no new row
    assert len(audit_rows(ctx.db_path, "settings")) == 2


def test_settings_errors(ctx: AppContext) -> None:
    with pytest.raises(ValidationError) as info:
        save_settings(ctx, {"colour": "红", "phone": "1" * 41})
    assert [(e.field, e.message) for e in info.value.errors] == [
        ("colour", "不是可设置的项目"),
        ("phone", "不能超过40个字"),
    ]
    assert "联系电话：不能超过40个字" in str(info.value)
    assert load_settings(ctx)["phone"] == ""
