"""County ledgers and figures over all townships or a chosen set.

Three townships keep their own databases (two different years of work, one twice); their
records are copied into a county database under their township codes. The county's
figures must be the sum of the figures each township computes on its own database, the
by-township table each township's own figures, and a county ledger the townships'
ledgers together with a 乡镇 column."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from gongkai_desktop.data.models import Record, Township
from gongkai_desktop.domain.periods import parse_period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.county.scope import choose_townships, figures_by_township, scoped
from gongkai_desktop.services.ledgers.export import LedgerExporter
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.reports.figures import figures
from gongkai_desktop.services.settings import USAGE_COUNTY, save_settings
from gongkai_desktop.services.startup import open_context

from .township_helpers import build_township
from .township_year import build_township_year

CODES = {"510104001000": "龙河镇", "510104002000": "三元镇", "510104003000": "许明寺镇"}
PERIODS = ("2023", "2023-08", "2023-Q4", "2023-03")


@pytest.fixture
def townships(tmp_path: Path) -> Iterator[dict[str, AppContext]]:
    """code -> the township's own database, each with its own year of work."""
    built: dict[str, AppContext] = {}
    for n, code in enumerate(CODES):
        ctx = open_context(tmp_path / f"t{n}" / "gongkai.db", auto_backup=False)
        if n == 1:
            build_township_year(ctx, RecordService(ctx))
        else:
            build_township(ctx)
        built[code] = ctx
    yield built
    for ctx in built.values():
        ctx.close()


@pytest.fixture
def county(ctx: AppContext, townships: dict[str, AppContext]) -> AppContext:
    """The county database: every township's records (deleted ones too) under its code."""
    save_settings(ctx, {"unit_name": "青山县生态环境局", "usage": USAGE_COUNTY})
    columns = [c.key for c in Record.__table__.columns if c.key != "township_code"]
    with ctx.transaction() as session:
        for code, own in townships.items():
            session.add(
                Township(code=code, name=CODES[code], key="k", added_at=datetime(2026, 1, 1))
            )
            with own.transaction() as source:
                for row in source.scalars(select(Record)):
                    session.add(Record(**{c: getattr(row, c) for c in columns}, township_code=code))
    return ctx


def added(values: list[Any]) -> Any:
    """The sum of figures objects: numbers added, lists joined (as sorted JSON), the
    period (the same in each) kept; the unit name left out."""
    first = values[0]
    if isinstance(first, dict):
        keys = {k for v in values for k in v} - {"unit"}
        return {k: added([v[k] for v in values if k in v]) for k in keys}
    if isinstance(first, list):
        return sorted(json.dumps(x, ensure_ascii=False, sort_keys=True) for v in values for x in v)
    if isinstance(first, bool | str):
        assert all(v == first for v in values)
        return first
    return sum(values)


def own_figures(townships: dict[str, AppContext], codes: list[str], period: str) -> Any:
    return added([figures(townships[c], parse_period(period)) for c in codes])


@pytest.mark.parametrize("period", PERIODS)
def test_county_figures_are_the_sum_of_the_townships(
    county: AppContext, townships: dict[str, AppContext], period: str
) -> None:
    result = figures(county, parse_period(period))
    assert added([result]) == own_figures(townships, list(CODES), period)
    assert result["inspections"]["total"] > 0


def test_a_chosen_set_sums_only_those(county: AppContext, townships: dict[str, AppContext]) -> None:
    chosen = choose_townships(county, "龙河镇,510104003000")
    assert chosen == ("510104001000", "510104003000")
    result = figures(scoped(county, chosen), parse_period("2023"))
    assert added([result]) == own_figures(townships, list(chosen), "2023")
    assert added([result]) != own_figures(townships, list(CODES), "2023")


def test_by_township_table_is_each_townships_own_figures(
    county: AppContext, townships: dict[str, AppContext]
) -> None:
    result = figures_by_township(county, parse_period("2023-Q4"))
    assert [(t["code"], t["name"]) for t in result["by_township"]] == list(CODES.items())
    for entry in result["by_township"]:
        assert added([entry["figures"]]) == own_figures(townships, [entry["code"]], "2023-Q4")
    total = {k: v for k, v in result.items() if k != "by_township"}
    assert added([total]) == own_figures(townships, list(CODES), "2023-Q4")


def test_cli_figures_by_township(run, county: AppContext, townships: dict[str, AppContext]) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run("report", "figures", "--period", "2023", "--by-township", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert [t["name"] for t in data["by_township"]] == list(CODES.values())
    expected = json.loads(json.dumps(own_figures(townships, list(CODES), "2023"), default=str))
    assert added([{k: v for k, v in data.items() if k != "by_township"}]) == expected
    code, out, err = run("report", "figures", "--period", "2023", "--townships", "三元镇")
    assert code == 0, err
    one = json.loads(out)
    assert (
        one["outreach"]["events"]
        == figures(townships["510104002000"], parse_period("2023"))["outreach"]["events"]
    )


def rows_of(path: Path) -> tuple[list[Any], list[list[Any]]]:
    """(the two rows under the unit line, data rows) of an exported ledger: a data row
    starts with its 序号, so the 合计 and signature rows are left out."""
    ws = openpyxl.load_workbook(path).active
    values = [list(r) for r in ws.iter_rows(min_row=3, values_only=True)]
    header = values[0] + values[1]
    return header, [r for r in values if isinstance(r[0], int)]


def test_county_ledger_has_the_townships_rows_and_a_township_column(
    county: AppContext, townships: dict[str, AppContext], tmp_path: Path, db_path: Path
) -> None:
    period = parse_period("2023")
    ledger = "water_source_patrol"
    out = tmp_path / "county.xlsx"
    LedgerExporter(county).export(ledger, period, out)
    header, rows = rows_of(out)
    assert header[:2] == ["序号", "乡镇"]
    assert rows
    expected: list[tuple[str, tuple[Any, ...]]] = []
    for code, own in townships.items():
        mine = tmp_path / f"{code}.xlsx"
        LedgerExporter(own).export(ledger, period, mine)
        own_header, own_rows = rows_of(mine)
        width = len(own_header) // 2
        assert own_header[1:width] == header[2 : width + 1]
        expected += [(CODES[code], tuple(r[1:])) for r in own_rows]
    got = [(r[1], tuple(r[2:])) for r in rows]
    assert sorted(got, key=repr) == sorted(expected, key=repr)
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    # the number of rows per township, read with sqlite3 from the county file
    conn = sqlite3.connect(db_path)
    per_code = dict(
        conn.execute(
            "SELECT township_code, count(*) FROM records WHERE form_id='inspection' AND deleted=0"
            " AND json_extract(data, '$.inspection_type')='饮用水水源地巡查'"
            " AND record_date BETWEEN '2023-01-01' AND '2023-12-31' GROUP BY township_code"
        ).fetchall()
    )
    conn.close()
    assert {CODES[c]: n for c, n in per_code.items()} == {
        name: sum(1 for r in rows if r[1] == name) for name in {r[1] for r in rows}
    }


def test_county_ledger_over_a_chosen_set(run, county: AppContext, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "chosen.xlsx"
    code, _stdout, err = run(
        "export",
        "water_source_patrol",
        "--period",
        "2023",
        "--out",
        str(out),
        "--townships",
        "510104002000,许明寺镇",
    )
    assert code == 0, err
    _header, rows = rows_of(out)
    assert rows and {r[1] for r in rows} == {"三元镇", "许明寺镇"}
    folder = tmp_path / "all"
    code, _stdout, err = run(
        "export-all", "--period", "2023", "--out", str(folder), "--townships", "all"
    )
    assert code == 0, err
    files = sorted(folder.glob("*.xlsx"))
    assert files
    for path in files:
        ws = openpyxl.load_workbook(path).active
        assert "乡镇" in [c.value for c in ws[3]] + [c.value for c in ws[4]], path.name


def test_a_ledger_printed_in_parts_keeps_the_township_on_every_part(
    county: AppContext, townships: dict[str, AppContext], tmp_path: Path
) -> None:
    period = parse_period("2023")
    own, mine = tmp_path / "own.xlsx", tmp_path / "county.xlsx"
    LedgerExporter(townships["510104001000"]).export("rectification_tasks", period, own)
    LedgerExporter(county).export("rectification_tasks", period, mine)
    township_ws = openpyxl.load_workbook(own).active
    county_ws = openpyxl.load_workbook(mine).active
    assert [b.id + 1 for b in township_ws.col_breaks.brk] == [
        b.id for b in county_ws.col_breaks.brk
    ]
    assert township_ws.print_title_cols == "$A:$B" and county_ws.print_title_cols == "$A:$C"


def test_townships_are_refused_on_a_township_database(
    run, townships: dict[str, AppContext], tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    db = townships["510104001000"].db_path
    code, _out, err = run(
        "export",
        "water_source_patrol",
        "--period",
        "2023",
        "--out",
        str(tmp_path / "x.xlsx"),
        "--townships",
        "all",
        db=db,
    )
    assert code == 2 and "县级汇总" in err
    code, _out, err = run("report", "figures", "--period", "2023", "--by-township", db=db)
    assert code == 2 and "县级汇总" in err


def main_figures(fig: dict[str, Any]) -> list[int]:
    """The numbers a row of the annual report's statistics table shows, read here from
    the figures by name."""
    out, ins, rect = fig["outreach"], fig["inspections"], fig["rectification"]
    return [
        out["events"],
        out["audience"],
        out["materials"],
        ins["total"],
        ins["inspectors"],
        ins["problems_found"],
        rect["new"],
        rect["completed"],
        rect["in_progress"],
    ]


def test_county_annual_report_has_a_table_by_township(
    county: AppContext, townships: dict[str, AppContext], tmp_path: Path
) -> None:
    import docx

    from gongkai_desktop.services.reports.annual import annual_report
    from gongkai_desktop.services.reports.writers.annual_docx import write_annual_docx
    from gongkai_desktop.services.reports.writers.report_xlsx import write_annual_xlsx

    year = parse_period("2023")
    own = {code: main_figures(figures(ctx, year)) for code, ctx in townships.items()}
    total = [sum(column) for column in zip(*own.values(), strict=True)]
    expected = [[CODES[c], *own[c]] for c in CODES] + [["合计", *total]]
    report = annual_report(county, 2023)
    table = report.township_appendix
    assert table is not None and table.headers[0] == "乡镇"
    assert [list(row) for row in table.rows] == expected
    assert report.appendices[-1] is table and len(report.appendices) == 3

    path = tmp_path / "年度报告.docx"
    write_annual_docx(report, path)
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    assert "附件3" in texts
    assert any(t.strip().startswith("3.") and "各乡镇" in t for t in texts)
    [found] = [t for t in document.tables if t.rows[1].cells[0].text == CODES["510104001000"]]
    read = [[c.text for c in row.cells] for row in found.rows[1:]]
    assert read == [[str(v) for v in row] for row in expected]

    book = tmp_path / "年度报告.xlsx"
    write_annual_xlsx(report, book)
    ws = openpyxl.load_workbook(book)["各乡镇统计"]
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(values) if r[0] == CODES["510104001000"])
    assert [r[: len(expected[0])] for r in values[start : start + len(expected)]] == expected


def test_a_township_annual_report_has_no_township_table(
    townships: dict[str, AppContext],
) -> None:
    from gongkai_desktop.services.reports.annual import annual_report

    report = annual_report(townships["510104002000"], 2023)
    assert report.township_appendix is None
