"""The completeness grid (报送情况) against an independent count over a generated county:
30 townships, on time, late (also by the China-time edge of the due day), missing,
resent and returned; the year view; the .xlsx reopened cell by cell; the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from gongkai_desktop.domain.periods import parse_period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.county.status import completeness
from gongkai_desktop.services.county.status_sheet import write_status_xlsx
from gongkai_desktop.services.settings import save_settings

from .county_world import TODAY, TownshipPlan, build_county, expected_state

STATES = ("已报", "迟报", "未报", "退回", "待报")
RED_FILL = "FFFFC7CE"
AMBER_FILL = "FFFFEB9C"


@pytest.fixture
def county(ctx: AppContext) -> list[TownshipPlan]:
    return build_county(ctx)


def text(state: str, records: int | None) -> str:
    return state if records is None else f"{state}（{records}条）"


def test_month_grid_matches_an_independent_count(
    ctx: AppContext, county: list[TownshipPlan]
) -> None:
    grid = completeness(ctx, parse_period("2026-11"), today=TODAY)
    forms = [f.id for f in ctx.registry]
    assert [c.key for c in grid.columns] == forms
    assert not grid.by_month
    assert [r.code for r in grid.rows] == sorted(p.code for p in county)
    plans = {p.code: p for p in county}
    column_counts = [dict.fromkeys(STATES, 0) for _ in forms]
    for row in grid.rows:
        plan = plans[row.code]
        assert row.name == plan.name
        row_counts = dict.fromkeys(STATES, 0)
        for i, (form_id, cell) in enumerate(zip(forms, row.cells, strict=True)):
            state, records = expected_state(plan, 11, form_id, TODAY)
            assert (cell.state, cell.records) == (state, records), (plan.code, form_id)
            assert cell.overdue == (state in ("未报", "迟报")) or state == "退回"
            row_counts[state] += 1
            column_counts[i][state] += 1
        assert row.totals == row_counts
    assert grid.column_totals() == column_counts
    # the six fixed November cases of the first townships
    first = [grid.rows[i].cells[forms.index("site")].state for i in range(6)]
    assert first == ["已报", "迟报", "未报", "迟报", "已报", "已报"]
    every = [c.state for r in grid.rows for c in r.cells]
    assert {"已报", "迟报", "未报", "退回"} <= set(every)


def test_before_the_due_day_a_missing_month_is_still_to_come(
    ctx: AppContext, county: list[TownshipPlan]
) -> None:
    on_due_day = completeness(
        ctx, parse_period("2026-11"), today=parse_period("2026-12").start.replace(day=5)
    )
    missing = [
        c for r in on_due_day.rows for c in r.cells if c.records is None and c.state != "退回"
    ]
    assert missing and {c.state for c in missing} == {"待报"}
    assert not any(c.overdue for c in missing)
    after = completeness(ctx, parse_period("2026-11"), today=TODAY)
    assert {c.state for r in after.rows for c in r.cells if c.records is None} <= {"未报", "退回"}


def test_the_due_day_follows_the_setting(ctx: AppContext, county: list[TownshipPlan]) -> None:
    save_settings(ctx, {"due_day": "20"})
    grid = completeness(ctx, parse_period("2026-11"), today=TODAY)
    # nothing is overdue before 20 December, and a package of 8 December is on time
    assert grid.due_day == 20
    assert grid.columns[0].due.isoformat() == "2026-12-20"
    states = {c.state for r in grid.rows for c in r.cells}
    assert "未报" not in states and "迟报" not in states


def test_year_view_matches_an_independent_count(
    ctx: AppContext, county: list[TownshipPlan]
) -> None:
    grid = completeness(ctx, parse_period("2026"), today=TODAY)
    assert grid.by_month
    assert [c.label for c in grid.columns] == [f"{m}月" for m in range(1, 13)]
    plans = {p.code: p for p in county}
    totals = dict.fromkeys(STATES, 0)
    for row in grid.rows:
        for month, cell in enumerate(row.cells, start=1):
            state, records = expected_state(plans[row.code], month, None, TODAY)
            assert (cell.state, cell.records) == (state, records), (row.code, month)
            totals[state] += 1
    assert grid.totals() == totals
    assert {c.state for r in grid.rows for c in r.cells[11:]} == {"待报"}  # December


def test_a_chosen_set_of_townships(ctx: AppContext, county: list[TownshipPlan]) -> None:
    codes = [county[3].code, county[0].code]
    grid = completeness(ctx, parse_period("2026-11"), today=TODAY, townships=codes)
    assert [r.code for r in grid.rows] == sorted(codes)


def test_xlsx_reopened_cell_by_cell(
    ctx: AppContext, county: list[TownshipPlan], tmp_path: Path
) -> None:
    period = parse_period("2026-11")
    target = write_status_xlsx(completeness(ctx, period, today=TODAY), tmp_path / "报送情况.xlsx")
    ws = openpyxl.load_workbook(target).active
    assert ws["A1"].value == "青山县生态环境局2026年11月报送情况"
    assert "截至2026年12月7日" in ws["A2"].value
    forms = list(ctx.registry)
    assert [ws.cell(4, 3 + i).value for i in range(len(forms))] == [f.title for f in forms]
    assert [ws.cell(4, 3 + len(forms) + i).value for i in range(5)] == list(STATES)
    plans = sorted(county, key=lambda p: p.code)
    for r, plan in enumerate(plans, start=5):
        assert (ws.cell(r, 1).value, ws.cell(r, 2).value) == (plan.name, plan.code)
        counts = dict.fromkeys(STATES, 0)
        for i, form in enumerate(forms):
            state, records = expected_state(plan, 11, form.id, TODAY)
            counts[state] += 1
            cell = ws.cell(r, 3 + i)
            assert cell.value == text(state, records)
            fill = cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None
            wanted = {"未报": RED_FILL, "迟报": RED_FILL, "退回": AMBER_FILL}.get(state)
            assert fill == wanted, (plan.code, form.id, state)
            assert cell.border.left.style == "thin" and cell.border.bottom.style == "thin"
        totals = [ws.cell(r, 3 + len(forms) + i).value for i in range(5)]
        assert totals == [counts[s] for s in STATES]
    # the column totals: one row per state under the table
    first_total = 5 + len(plans)
    for k, state in enumerate(STATES):
        row = first_total + k
        assert ws.cell(row, 1).value == f"{state}（个）"
        for i, form in enumerate(forms):
            wanted = sum(expected_state(p, 11, form.id, TODAY)[0] == state for p in plans)
            assert ws.cell(row, 3 + i).value == wanted
        grand = sum(expected_state(p, 11, f.id, TODAY)[0] == state for p in plans for f in forms)
        assert ws.cell(row, 3 + len(forms)).value == f"共{grand}个"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$3:$4"


def test_cli_status_json_and_xlsx(
    run, db_path: Path, ctx: AppContext, county: list[TownshipPlan], tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "grid.xlsx"
    code, stdout, err = run(
        "county",
        "status",
        "--period",
        "2026-11",
        "--json",
        "--today",
        "2026-12-07",
        "--out",
        str(out),
    )
    assert code == 0, err
    data = json.loads(stdout)
    assert data["view"] == "forms" and data["due_day"] == 5
    plans = {p.code: p for p in county}
    forms = [f.id for f in ctx.registry]
    for row in data["rows"]:
        got = [(c["state"], c["records"]) for c in row["cells"]]
        assert got == [expected_state(plans[row["code"]], 11, f, TODAY) for f in forms]
    assert out.is_file()
    code, stdout, err = run(
        "county",
        "status",
        "--period",
        "2026-11",
        "--townships",
        "第2镇,510104001000",
        "--today",
        "2026-12-07",
    )
    assert code == 0, err
    lines = stdout.splitlines()
    assert [line.split("\t")[0] for line in lines[1:3]] == ["第1镇", "第2镇"]
    assert lines[-1].startswith("合计：")
    code, _out, err = run("county", "status", "--period", "2026-11", "--townships", "第99镇")
    assert code == 2 and "第99镇" in err


def test_the_grid_over_really_received_packages(tmp_path: Path) -> None:
    """Through the real chain: packages built by townships and received by the county,
    a 退回 note, and the township's fixed record received again."""
    import zipfile
    from datetime import UTC, datetime

    from gongkai_desktop.services.county.receive import receive_package
    from gongkai_desktop.services.county.townships import add_township
    from gongkai_desktop.services.records.service import RecordService
    from gongkai_desktop.services.submission.package import build_package
    from gongkai_desktop.services.submission.receipts import add_return_note

    from .submission_helpers import build_month, open_county, open_township, township_code

    november = parse_period("2026-11")
    county = open_county(tmp_path / "county" / "county.db")
    on_time = open_township(tmp_path / "t1" / "t.db", county, 1, "龙河镇")
    late = open_township(tmp_path / "t2" / "t.db", county, 2, "三元镇")
    add_township(county, township_code(3), "许明寺镇")  # sends nothing
    months = {1: build_month(on_time, tmp_path, seed=1), 2: build_month(late, tmp_path, seed=2)}
    first = build_package(
        on_time, november, tmp_path / "t1", now=datetime(2026, 12, 3, 1, tzinfo=UTC)
    )
    second = build_package(
        late, november, tmp_path / "t2", now=datetime(2026, 12, 9, 1, tzinfo=UTC)
    )
    for built in (first, second):
        receive_package(county, built.path)

    def counts(path: Path) -> dict[str, int]:
        with zipfile.ZipFile(path) as zf:
            return json.loads(zf.read("manifest.json"))["record_counts"]

    forms = [f.id for f in county.registry]
    today = TODAY.replace(day=10)
    grid = completeness(county, november, today=today)
    assert [r.name for r in grid.rows] == ["龙河镇", "三元镇", "许明寺镇"]
    expected = [
        [text("已报", counts(first.path).get(f, 0)) for f in forms],
        [text("迟报", counts(second.path).get(f, 0)) for f in forms],
        ["未报"] * len(forms),
    ]
    assert [[text(c.state, c.records) for c in r.cells] for r in grid.rows] == expected

    # a note on a patrol of 龙河镇: its inspection cell is 退回 until the fix comes
    add_return_note(county, months[1].patrols[1], "第2条巡查记录缺少照片")
    grid = completeness(county, november, today=today)
    inspection = forms.index("inspection")
    assert grid.rows[0].cells[inspection].state == "退回"
    assert [c.state for i, c in enumerate(grid.rows[0].cells) if i != inspection] == ["已报"] * (
        len(forms) - 1
    )
    RecordService(on_time).update(months[1].patrols[1], {"remarks": "已补充照片"})
    (tmp_path / "t1b").mkdir()
    again = build_package(
        on_time, november, tmp_path / "t1b", now=datetime(2026, 12, 12, tzinfo=UTC)
    )
    receive_package(county, again.path)
    grid = completeness(county, november, today=today)
    # the first package was on time; the counts are the latest package's
    assert [text(c.state, c.records) for c in grid.rows[0].cells] == [
        text("已报", counts(again.path).get(f, 0)) for f in forms
    ]
    for ctx in (on_time, late, county):
        ctx.close()
