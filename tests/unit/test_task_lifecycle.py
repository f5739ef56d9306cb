"""整改任务: lifecycle rules (办结, 销号, 延期), date order, the deadline in force and the
generated task numbers (ZG年份-序号).

Messages and numbers are written out here, not read from the form file.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from gongkai_desktop.data import repository
from gongkai_desktop.domain.errors import ValidationError
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records.service import RecordService

from .work_helpers import audit_rows, stored

DONE_NEEDS_DATE = "办结日期：状态为“已办结”时必须填写办结日期"
DATE_NEEDS_DONE = "办结日期：填写了办结日期，状态应为“已办结”；尚未办结请清空办结日期"
WRITE_OFF = "销号日期：只有“已办结”且验收合格的任务才能销号，请先填写办结日期和验收情况"
EXTENSION = "延期后时限：延期须填写批准人和批准日期"


def task(**extra: Any) -> dict[str, Any]:
    return {
        "source": "12345",
        "assigned_date": "2026-04-01",
        "description": "餐馆油烟扰民",
        "deadline": "2026-04-30",
        **extra,
    }


DONE = {"status": "已办结", "completed_date": "2026-04-20"}
ACCEPTED = {
    "acceptance_date": "2026-04-25",
    "acceptance_by": "镇生态环境办",
    "acceptance_result": "合格",
}
EXTENDED = {
    "extended_deadline": "2026-05-31",
    "extension_approver": "王镇长",
    "extension_date": "2026-04-28",
}


def messages(info: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [str(e) for e in info.value.errors]


def refused(records: RecordService, values: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as info:
        records.create("rectification_task", values)
    return messages(info)


def snapshot(ctx: AppContext, record_id: str) -> tuple[dict[str, Any], int]:
    return stored(ctx.db_path, record_id), len(audit_rows(ctx.db_path, record_id))


# ---- lifecycle rules -------------------------------------------------------------------


def test_done_needs_the_completion_date(records: RecordService) -> None:
    assert refused(records, task(status="已办结")) == [DONE_NEEDS_DATE]
    view = records.create("rectification_task", task(**DONE))
    assert (view.values["status"], view.values["completed_date"]) == ("已办结", "2026-04-20")
    assert view.status == "已办结"


@pytest.mark.parametrize("status", ["未启动", "正在办理", "阶段性办结"])
def test_a_completion_date_needs_done(records: RecordService, status: str) -> None:
    assert refused(records, task(status=status, completed_date="2026-04-20")) == [DATE_NEEDS_DONE]


@pytest.mark.parametrize(
    "values",
    [
        {"written_off_date": "2026-05-01"},  # nothing else
        {**DONE, "written_off_date": "2026-05-01"},  # no acceptance
        {**DONE, "acceptance_date": "2026-04-25", "written_off_date": "2026-05-01"},  # no result
        {**DONE, **ACCEPTED, "acceptance_result": "不合格", "written_off_date": "2026-05-01"},
        {**ACCEPTED, "status": "阶段性办结", "written_off_date": "2026-05-01"},  # not done
        {**DONE, **ACCEPTED, "acceptance_date": None, "written_off_date": "2026-05-01"},
    ],
)
def test_write_off_needs_done_and_a_passed_acceptance(
    records: RecordService, values: dict[str, Any]
) -> None:
    assert refused(records, task(**values)) == [WRITE_OFF]


def test_write_off_of_a_done_and_accepted_task(records: RecordService) -> None:
    view = records.create(
        "rectification_task", task(**DONE, **ACCEPTED, written_off_date="2026-05-01")
    )
    assert view.values["written_off_date"] == "2026-05-01"
    assert view.values["acceptance_result"] == "合格"


@pytest.mark.parametrize(
    "missing",
    [("extension_approver",), ("extension_date",), ("extension_approver", "extension_date")],
)
def test_an_extension_needs_its_approver_and_date(
    records: RecordService, missing: tuple[str, ...]
) -> None:
    values = {k: v for k, v in EXTENDED.items() if k not in missing}
    assert refused(records, task(**values)) == [EXTENSION]


def test_approver_and_date_without_an_extension_are_dropped(records: RecordService) -> None:
    view = records.create(
        "rectification_task", task(extension_approver="王镇长", extension_date="2026-04-28")
    )
    assert "extension_approver" not in view.values and "extension_date" not in view.values


# ---- date order (not_before) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"deadline": "2026-03-31"}, "整改时限：不能早于交办日期"),
        ({**EXTENDED, "extended_deadline": "2026-04-29"}, "延期后时限：不能早于整改时限"),
        ({**DONE, "completed_date": "2026-03-31"}, "办结日期：不能早于交办日期"),
        ({"acceptance_date": "2026-03-01"}, "验收日期：不能早于交办日期"),
    ],
)
def test_dates_may_not_precede_their_reference(
    records: RecordService, values: dict[str, Any], message: str
) -> None:
    assert refused(records, task(**values)) == [message]


def test_equal_dates_are_allowed(records: RecordService) -> None:
    view = records.create(
        "rectification_task",
        task(
            deadline="2026-04-01",
            extended_deadline="2026-04-01",
            extension_approver="王镇长",
            extension_date="2026-04-01",
            status="已办结",
            completed_date="2026-04-01",
        ),
    )
    assert view.values["deadline_in_force"] == "2026-04-01"


def test_every_date_error_is_reported_at_once(records: RecordService) -> None:
    errors = refused(
        records,
        task(deadline="2026-03-01", status="已办结", completed_date="2026-03-02"),
    )
    assert sorted(errors) == sorted(["整改时限：不能早于交办日期", "办结日期：不能早于交办日期"])


# ---- a failed update changes nothing ---------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": "已办结"}, DONE_NEEDS_DATE),
        ({"completed_date": "2026-04-20"}, DATE_NEEDS_DONE),
        ({"written_off_date": "2026-05-01"}, WRITE_OFF),
        ({"extended_deadline": "2026-05-31"}, EXTENSION),
        ({"deadline": "2026-03-01"}, "整改时限：不能早于交办日期"),
        ({"assigned_date": "2026-05-01"}, "整改时限：不能早于交办日期"),
        ({**EXTENDED, "extended_deadline": "2026-04-02"}, "延期后时限：不能早于整改时限"),
    ],
)
def test_a_refused_update_leaves_the_task_unchanged(
    ctx: AppContext, records: RecordService, change: dict[str, Any], message: str
) -> None:
    view = records.create("rectification_task", task(status="正在办理"))
    before = snapshot(ctx, view.id)
    with pytest.raises(ValidationError) as info:
        records.update(view.id, change, expected_version=view.version)
    assert messages(info) == [message]
    assert snapshot(ctx, view.id) == before
    assert before[0]["version"] == 1


def test_the_whole_lifecycle_step_by_step(ctx: AppContext, records: RecordService) -> None:
    view = records.create("rectification_task", task())
    steps: list[dict[str, Any]] = [
        {"status": "正在办理", "progress": [{"date": "2026-04-03", "text": "已约谈店主"}]},
        EXTENDED,
        DONE,
        ACCEPTED,
        {"written_off_date": "2026-05-02"},
    ]
    for number, step in enumerate(steps, start=2):
        view = records.update(view.id, step, expected_version=view.version)
        assert view.version == number
    row = stored(ctx.db_path, view.id)
    assert row["status"] == "已办结"
    assert row["data"]["written_off_date"] == "2026-05-02"
    assert row["data"]["deadline_in_force"] == "2026-05-31"
    # status back to 正在办理 while completed and written off: refused, nothing changes
    before = snapshot(ctx, view.id)
    with pytest.raises(ValidationError) as info:
        records.update(view.id, {"status": "正在办理"})
    assert messages(info) == [DATE_NEEDS_DONE, WRITE_OFF]
    assert snapshot(ctx, view.id) == before


# ---- the deadline in force -------------------------------------------------------------


def test_deadline_in_force_is_the_extended_one_when_set(
    ctx: AppContext, records: RecordService
) -> None:
    view = records.create("rectification_task", task())
    assert view.values["deadline_in_force"] == "2026-04-30"
    view = records.update(view.id, EXTENDED)
    assert view.values["deadline_in_force"] == "2026-05-31"
    # clearing the extension drops its approver and date and falls back to the deadline
    view = records.update(view.id, {"extended_deadline": None})
    for key in EXTENDED:
        assert key not in view.values
    assert view.values["deadline_in_force"] == "2026-04-30"
    view = records.update(view.id, {"deadline": "2026-05-10"})
    assert view.values["deadline_in_force"] == "2026-05-10"
    assert stored(ctx.db_path, view.id)["data"]["deadline_in_force"] == "2026-05-10"
    changes = [
        (r["old_value"], r["new_value"])
        for r in audit_rows(ctx.db_path, view.id)
        if r["field"] == "deadline_in_force"
    ]
    assert changes == [
        (None, '"2026-04-30"'),
        ('"2026-04-30"', '"2026-05-31"'),
        ('"2026-05-31"', '"2026-04-30"'),
        ('"2026-04-30"', '"2026-05-10"'),
    ]


def test_deadline_in_force_cannot_be_typed(records: RecordService) -> None:
    view = records.create("rectification_task", task(deadline_in_force="2027-01-01"))
    assert view.values["deadline_in_force"] == "2026-04-30"
    view = records.update(view.id, {"deadline_in_force": "2027-01-01"})
    assert view.values["deadline_in_force"] == "2026-04-30"


# ---- generated numbers -----------------------------------------------------------------


def number(year: int, seq: int) -> str:
    return f"ZG{year}-{seq:03d}"


def test_numbers_follow_the_year_of_the_assigned_date(records: RecordService) -> None:
    made = [
        records.create("rectification_task", task(assigned_date=d, deadline="2027-12-31"))
        for d in ("2025-12-30", "2026-01-02", "2025-12-31", "2026-02-01")
    ]
    assert [v.values["task_no"] for v in made] == [
        number(2025, 1),
        number(2026, 1),
        number(2025, 2),
        number(2026, 2),
    ]
    assert made[0].title.startswith(number(2025, 1))


def test_numbers_continue_after_deleted_records(ctx: AppContext, records: RecordService) -> None:
    first = records.create("rectification_task", task())
    second = records.create("rectification_task", task())
    records.delete(second.id)
    third = records.create("rectification_task", task())
    assert [first.values["task_no"], second.values["task_no"], third.values["task_no"]] == [
        number(2026, 1),
        number(2026, 2),
        number(2026, 3),
    ]
    records.restore(second.id)
    assert stored(ctx.db_path, second.id)["data"]["task_no"] == number(2026, 2)


def test_a_typed_number_is_kept_and_never_given_again(records: RecordService) -> None:
    handed_down = records.create("rectification_task", task(task_no="川环督〔2026〕17号"))
    assert handed_down.values["task_no"] == "川环督〔2026〕17号"
    typed = records.create("rectification_task", task(task_no=number(2026, 7)))
    assert typed.values["task_no"] == number(2026, 7)
    after = records.create("rectification_task", task(task_no=""))
    assert after.values["task_no"] == number(2026, 8)


def test_numbers_of_another_year_start_at_one(records: RecordService) -> None:
    for _ in range(3):
        records.create("rectification_task", task())
    view = records.create(
        "rectification_task", task(assigned_date="2027-01-05", deadline="2027-02-01")
    )
    assert view.values["task_no"] == number(2027, 1)


def test_the_number_is_kept_on_update_and_given_again_when_cleared(
    records: RecordService,
) -> None:
    view = records.create("rectification_task", task())
    records.create("rectification_task", task())
    assert records.update(view.id, {"status": "正在办理"}).values["task_no"] == number(2026, 1)
    moved = records.update(view.id, {"assigned_date": "2026-04-02"})
    assert moved.values["task_no"] == number(2026, 1)
    # left empty, a saved task gets the next number, as a new one does
    assert records.update(view.id, {"task_no": None}).values["task_no"] == number(2026, 3)


def test_a_generated_number_is_stored_in_form_order_and_audited(
    ctx: AppContext, records: RecordService
) -> None:
    view = records.create("rectification_task", task())
    assert list(stored(ctx.db_path, view.id)["data"])[:2] == ["task_no", "source"]
    fields = [r["field"] for r in audit_rows(ctx.db_path, view.id)]
    assert fields[0] == "task_no"
    assert [
        r["new_value"] for r in audit_rows(ctx.db_path, view.id) if r["field"] == "task_no"
    ] == [f'"{number(2026, 1)}"']


def test_a_task_without_a_date_cannot_be_numbered_for_the_wrong_year(
    records: RecordService,
) -> None:
    # the assigned date defaults to today, so the number is of this year
    values = task()
    del values["assigned_date"]
    values["deadline"] = date(date.today().year + 1, 12, 31).isoformat()
    view = records.create("rectification_task", values)
    assert view.values["assigned_date"] == date.today().isoformat()
    assert view.values["task_no"] == number(date.today().year, 1)


# ---- the queries behind numbers and remembered names ------------------------------------


def test_values_with_a_prefix_match_it_literally_and_include_deleted(
    ctx: AppContext, records: RecordService
) -> None:
    made = {
        no: records.create("rectification_task", task(task_no=no)).id
        for no in ("A_1", "AB1", "A%2", "AX2", "B_1")
    }
    records.delete(made["A_1"])
    with ctx.transaction() as session:
        underscore = repository.field_values_with_prefix(
            session, "rectification_task", "task_no", "A_"
        )
        percent = repository.field_values_with_prefix(
            session, "rectification_task", "task_no", "A%"
        )
        every_a = repository.field_values_with_prefix(session, "rectification_task", "task_no", "A")
        other_form = repository.field_values_with_prefix(session, "inspection", "task_no", "A")
    assert underscore == ["A_1"]
    assert percent == ["A%2"]
    assert sorted(every_a) == sorted(["A_1", "AB1", "A%2", "AX2"])
    assert other_form == []


def test_recent_field_values_are_distinct_live_and_newest_first(
    ctx: AppContext, records: RecordService
) -> None:
    first = records.create("rectification_task", task(responsible_person="甲"))
    records.create("rectification_task", task(responsible_person="乙"))
    records.create("rectification_task", task(responsible_person="甲"))
    gone = records.create("rectification_task", task(responsible_person="丙"))
    records.delete(gone.id)
    records.create("rectification_task", task())  # no value: not listed
    with ctx.transaction() as session:
        found = repository.recent_field_values(
            session, "rectification_task", "responsible_person", 10
        )
        limited = repository.recent_field_values(
            session, "rectification_task", "responsible_person", 1
        )
    assert found == ["甲", "乙"]
    assert limited == ["甲"]
    records.update(first.id, {"responsible_person": "丁"})
    with ctx.transaction() as session:
        found = repository.recent_field_values(
            session, "rectification_task", "responsible_person", 10
        )
    assert found == ["丁", "甲", "乙"]
