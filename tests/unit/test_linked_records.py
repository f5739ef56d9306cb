"""巡查检查 → 「生成整改任务」: the pre-filled task, the two-way link written in one
transaction with audit rows on both records, read-only links, and linked titles in lists
and history."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import exc as sa_exc

from gongkai_desktop.data.repository import RecordQuery
from gongkai_desktop.domain.errors import GongkaiError, RecordNotFoundError, ValidationError
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.startup import open_context

from .work_helpers import (
    Run,
    audit_rows,
    cli_list,
    fresh_log_handler,
    record_count,
    run,
    site,
    stored,
)

__all__ = ["fresh_log_handler", "run"]  # fixtures used by name


@pytest.fixture
def water(records: RecordService) -> str:
    return records.create("site", site("龙河水库", "饮用水水源地", village="西村")).id


def found_problem(**extra: Any) -> dict[str, Any]:
    return {
        "inspection_date": "2026-03-02",
        "inspection_type": "饮用水水源地巡查",
        "site": "龙河水库",
        "village": "西村",
        "inspectors": "张三、李四",
        "problem_found": True,
        "problem_description": "一级保护区内有人垂钓",
        "problem_location": "大坝东侧",
        **extra,
    }


@pytest.fixture
def inspection_id(records: RecordService, water: str) -> str:
    return records.create("inspection", found_problem()).id


def make_task(
    records: RecordService, inspection_id: str, **extra: Any
) -> tuple[str, dict[str, Any]]:
    """The task the action starts, completed with what the clerk adds."""
    target, start = records.prefill("make_task", inspection_id)
    return target, {**start, "deadline": "2026-03-31", **extra}


def everything(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


# ---- prefill ----------------------------------------------------------------------------


def test_prefill_copies_the_inspection_into_a_new_task(
    records: RecordService, water: str, inspection_id: str
) -> None:
    target, values = records.prefill("make_task", inspection_id)
    assert target == "rectification_task"
    assert values == {
        "source": "日常巡查发现",
        "assigned_date": "2026-03-02",  # the inspection's date, not today
        "site": water,
        "village": "西村",
        "description": "一级保护区内有人垂钓",
        "status": "未启动",  # the task form's own default
    }


def test_prefill_leaves_out_what_the_inspection_lacks(records: RecordService, water: str) -> None:
    bare = records.create(
        "inspection",
        {
            "inspection_date": "2026-03-05",
            "inspection_type": "秸秆禁烧巡查",
            "inspectors": "王五",
            "problem_found": True,
            "problem_description": "焚烧秸秆",
        },
    )
    _, values = records.prefill("make_task", bare.id)
    assert values == {
        "source": "日常巡查发现",
        "assigned_date": "2026-03-05",
        "description": "焚烧秸秆",
        "status": "未启动",
    }


# ---- create(link_from=…) ----------------------------------------------------------------


def test_the_new_task_and_the_inspection_point_at_each_other(
    ctx: AppContext, records: RecordService, water: str, inspection_id: str
) -> None:
    before = stored(ctx.db_path, inspection_id)
    target, values = make_task(records, inspection_id)
    made = records.create(target, values, link_from=inspection_id)

    assert made.values["source_inspection"] == inspection_id
    assert made.values["source"] == "日常巡查发现"
    assert made.values["site"] == water
    assert made.values["assigned_date"] == "2026-03-02"
    assert made.values["task_no"] == "ZG2026-001"

    after = stored(ctx.db_path, inspection_id)
    assert after["data"] == {**before["data"], "rectification_task": made.id}
    assert after["version"] == before["version"] + 1
    assert after["updated_at"] > before["updated_at"]
    assert after["title"] == before["title"]
    assert records.get(inspection_id).values["rectification_task"] == made.id


def test_both_records_get_audit_rows(
    ctx: AppContext, records: RecordService, inspection_id: str
) -> None:
    inspection_rows = len(audit_rows(ctx.db_path, inspection_id))
    target, values = make_task(records, inspection_id)
    made = records.create(target, values, link_from=inspection_id)

    task_rows = audit_rows(ctx.db_path, made.id)
    assert {r["action"] for r in task_rows} == {"新建"}
    link_row = next(r for r in task_rows if r["field"] == "source_inspection")
    assert (link_row["old_value"], link_row["new_value"]) == (None, f'"{inspection_id}"')

    new_rows = audit_rows(ctx.db_path, inspection_id)[inspection_rows:]
    assert new_rows == [
        {
            "action": "修改",
            "field": "rectification_task",
            "old_value": None,
            "new_value": f'"{made.id}"',
        }
    ]


def test_a_task_that_fails_validation_leaves_the_inspection_unchanged(
    ctx: AppContext, records: RecordService, inspection_id: str
) -> None:
    before = everything(ctx.db_path)
    target, values = records.prefill("make_task", inspection_id)  # no deadline yet
    with pytest.raises(ValidationError) as info:
        records.create(target, values, link_from=inspection_id)
    assert [str(e) for e in info.value.errors] == ["整改时限：必填"]
    assert everything(ctx.db_path) == before
    assert "rectification_task" not in records.get(inspection_id).values


def test_a_failure_while_linking_back_rolls_back_the_new_task(
    ctx: AppContext, records: RecordService, inspection_id: str
) -> None:
    conn = sqlite3.connect(ctx.db_path)
    conn.execute(
        "CREATE TRIGGER test_fail_link BEFORE INSERT ON audit_log "
        f"WHEN NEW.record_id = '{inspection_id}' AND NEW.action = '修改' "
        "BEGIN SELECT RAISE(ABORT, 'audit disk full'); END"
    )
    conn.commit()
    conn.close()
    before = everything(ctx.db_path)
    target, values = make_task(records, inspection_id)
    with pytest.raises(sa_exc.IntegrityError, match="audit disk full"):
        records.create(target, values, link_from=inspection_id)
    assert everything(ctx.db_path) == before
    assert record_count(ctx.db_path, "rectification_task") == 0


def test_link_from_a_record_the_form_cannot_link_to(
    ctx: AppContext, records: RecordService, water: str, inspection_id: str
) -> None:
    before = everything(ctx.db_path)
    event = {"event_date": "2026-06-05", "name": "宣传", "event_type": "普法宣传"}
    with pytest.raises(GongkaiError, match="表单“宣传活动”没有可关联"):
        records.create("outreach_event", event, link_from=inspection_id)
    with pytest.raises(GongkaiError, match="表单“整改任务”没有可关联"):
        records.create(*make_task(records, inspection_id), link_from=water)
    with pytest.raises(RecordNotFoundError):
        records.create(*make_task(records, inspection_id), link_from="no-such-record")
    assert everything(ctx.db_path) == before


# ---- links are read-only -----------------------------------------------------------------


@pytest.fixture
def linked(records: RecordService, inspection_id: str) -> Iterator[tuple[str, str]]:
    target, values = make_task(records, inspection_id)
    yield inspection_id, records.create(target, values, link_from=inspection_id).id


def test_links_cannot_be_set_or_cleared_by_an_update(
    ctx: AppContext, records: RecordService, linked: tuple[str, str]
) -> None:
    inspection_id, task_id = linked
    other = records.create("inspection", found_problem(problem_description="另一处问题")).id
    versions = (
        stored(ctx.db_path, inspection_id)["version"],
        stored(ctx.db_path, task_id)["version"],
    )

    records.update(task_id, {"source_inspection": other})
    records.update(task_id, {"source_inspection": None})
    records.update(inspection_id, {"rectification_task": None})
    records.update(inspection_id, {"rectification_task": other})

    assert records.get(task_id).values["source_inspection"] == inspection_id
    assert records.get(inspection_id).values["rectification_task"] == task_id
    # nothing changed, so nothing was written
    assert (
        stored(ctx.db_path, inspection_id)["version"],
        stored(ctx.db_path, task_id)["version"],
    ) == versions


def test_a_link_typed_into_a_new_record_is_ignored(
    records: RecordService, inspection_id: str
) -> None:
    target, values = make_task(records, inspection_id, source_inspection=inspection_id)
    made = records.create(target, values)
    assert "source_inspection" not in made.values
    assert "rectification_task" not in records.get(inspection_id).values


def test_links_survive_other_edits_of_both_records(
    records: RecordService, linked: tuple[str, str]
) -> None:
    inspection_id, task_id = linked
    records.update(task_id, {"status": "正在办理"})
    records.update(inspection_id, {"remarks": "已交办"})
    assert records.get(task_id).values["source_inspection"] == inspection_id
    assert records.get(inspection_id).values["rectification_task"] == task_id


def test_cli_json_update_of_a_link_is_ignored(
    run: Run, ctx: AppContext, records: RecordService, linked: tuple[str, str]
) -> None:
    inspection_id, task_id = linked
    code, _, err = run(
        "update", "rectification_task", task_id, "--json", '{"source_inspection": null}'
    )
    assert (code, err) == (0, "")
    (task_obj,) = cli_list(run, "rectification_task")
    assert task_obj["source_inspection"] == inspection_id
    by_id = {o["id"]: o for o in cli_list(run, "inspection")}
    assert by_id[inspection_id]["rectification_task"] == task_id


# ---- linked titles in history and lists ------------------------------------------------


def test_history_shows_the_linked_records_title(
    records: RecordService, linked: tuple[str, str]
) -> None:
    inspection_id, task_id = linked
    link_entry = next(e for e in records.history(inspection_id) if e.field == "整改任务")
    assert (link_entry.action, link_entry.old, link_entry.new) == (
        "修改",
        "",
        "ZG2026-001 一级保护区内有人垂钓",
    )
    back_entry = next(e for e in records.history(task_id) if e.field == "来源巡查记录")
    assert (back_entry.action, back_entry.new) == ("新建", "饮用水水源地巡查 龙河水库")


@pytest.fixture
def link_columns_ctx(forms_copy: Path, db_path: Path) -> Iterator[AppContext]:
    """The real forms with the link fields added to the list columns."""
    for name, key in (
        ("inspection.yaml", "rectification_task"),
        ("rectification_task.yaml", "source_inspection"),
    ):
        path = forms_copy / name
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for i, line in enumerate(lines):
            if line.startswith("list_columns: ["):
                lines[i] = line.replace("]", f", {key}]", 1)
        path.write_text("".join(lines), encoding="utf-8")
    context = open_context(db_path, forms_dir=forms_copy, auto_backup=False)
    yield context
    context.close()


def test_lists_show_the_linked_records_title(link_columns_ctx: AppContext) -> None:
    service = RecordService(link_columns_ctx)
    service.create("site", site("龙河水库", "饮用水水源地"))
    inspection_id = service.create("inspection", found_problem()).id
    target, values = make_task(service, inspection_id)
    task_id = service.create(target, values, link_from=inspection_id).id

    headers = [label for _, label in service.list_columns("inspection")]
    (row,) = service.page(RecordQuery(form_id="inspection"), 0, 10)
    assert row.id == inspection_id
    assert row.cells[headers.index("整改任务")] == "ZG2026-001 一级保护区内有人垂钓"

    headers = [label for _, label in service.list_columns("rectification_task")]
    (row,) = service.page(RecordQuery(form_id="rectification_task"), 0, 10)
    assert row.id == task_id
    assert row.cells[headers.index("来源巡查记录")] == "饮用水水源地巡查 龙河水库"


def test_a_task_started_again_from_the_same_inspection(
    records: RecordService, linked: tuple[str, str]
) -> None:
    inspection_id, first_task = linked
    target, values = make_task(records, inspection_id)
    second = records.create(target, values, link_from=inspection_id)
    assert second.values["task_no"] == "ZG2026-002"
    assert second.values["source_inspection"] == inspection_id
    assert records.get(first_task).values["source_inspection"] == inspection_id
    # the inspection's one link field follows the newest task
    assert records.get(inspection_id).values["rectification_task"] == second.id
