"""Faithful round trips (issue 11, item 7): text fields refuse control characters with the
field named; what a clerk can type (``-``, ``/``, full-width symbols, a leading ``=``)
exports and imports unchanged into an empty database; full-width ＝＋－＠ get Excel's
quotePrefix like ASCII ones; an edited exported row re-imported is 内容不同 (never
reported as identical) and updates its record only when chosen; the counts of the
summary equal the rows listed."""

from __future__ import annotations

import itertools
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai_desktop.cli.main import main as cli_main
from gongkai_desktop.domain.errors import ValidationError
from gongkai_desktop.domain.periods import parse_period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.ledgers.export import LedgerExporter
from gongkai_desktop.services.ledgers.intake.importer import commit, preview
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.startup import open_context

LEDGER = "outreach_events"
NAME = "活动名称/主题"


def outreach(db: Path) -> list[dict[str, Any]]:
    """The live outreach records of a database file, read with sqlite3."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT data FROM records WHERE form_id = 'outreach_event' AND deleted = 0"
            " ORDER BY json_extract(data, '$.event_date')"
        ).fetchall()
    finally:
        conn.close()
    return [json.loads(r[0]) for r in rows]


def audit(db: Path, action: str) -> list[tuple[str, Any, Any]]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT field, old_value, new_value FROM audit_log WHERE action = ? ORDER BY id",
            (action,),
        ).fetchall()
    finally:
        conn.close()
    return [(f, json.loads(o) if o else None, json.loads(n) if n else None) for f, o, n in rows]


# ---- control characters --------------------------------------------------------------
def test_control_characters_are_refused_naming_the_field_and_the_position(
    records: RecordService, ctx: AppContext
) -> None:
    base = {"event_date": "2024-05-06", "event_type": "六五环境日"}
    with pytest.raises(ValidationError) as caught:
        records.create("outreach_event", {**base, "name": "普法\x01宣传", "place": "a\x7fb"})
    problems = {e.label: e.message for e in caught.value.errors}
    assert problems == {
        NAME: "含有不可见的控制字符（第3个字符），请删除后再保存",
        "活动地点": "含有不可见的控制字符（第2个字符），请删除后再保存",
    }
    # the position is the one typed, leading spaces included
    with pytest.raises(ValidationError) as caught:
        records.create("outreach_event", {**base, "name": "  ab\x1bc"})
    assert [e.message for e in caught.value.errors] == [
        "含有不可见的控制字符（第5个字符），请删除后再保存"
    ]
    # a single-line field takes no line break or tab inside the text
    for typed in ("a\nb", "a\tb", "a\rb"):
        with pytest.raises(ValidationError):
            records.create("outreach_event", {**base, "name": typed})
    assert outreach(ctx.db_path) == []
    # a multi-line field keeps tab and line breaks; a CR (Windows line break) is a line break
    saved = records.create(
        "outreach_event", {**base, "name": "宣传", "remarks": "第一行\r\n\t第二行\r第三行"}
    )
    assert saved.values["remarks"] == "第一行\n\t第二行\n第三行"
    with pytest.raises(ValidationError) as caught:
        records.update(saved.id, {"remarks": "第一行\x00"})
    assert [(e.label, e.message) for e in caught.value.errors] == [
        ("备注", "含有不可见的控制字符（第4个字符），请删除后再保存")
    ]


def test_a_repeat_group_text_refuses_control_characters(
    records: RecordService, ctx: AppContext
) -> None:
    values = {
        "assigned_date": "2024-05-06",
        "description": "垃圾",
        "progress": [{"date": "2024-05-10", "text": "已清理\x02"}],
    }
    with pytest.raises(ValidationError) as caught:
        records.create("rectification_task", values)
    found = [e for e in caught.value.errors if e.field.startswith("progress")]
    assert [(e.field, e.label, e.message) for e in found] == [
        (
            "progress[1].text",
            "整改进展第1行进展情况",
            "含有不可见的控制字符（第4个字符），请删除后再保存",
        )
    ]


# ---- quotePrefix ---------------------------------------------------------------------
def test_full_width_formula_signs_get_the_quote_prefix(
    records: RecordService, ctx: AppContext, tmp_path: Path
) -> None:
    names = ["＝1+1", "＋86 138", "－5", "＠SUM(A1)", "=1+1", "-", "普通名称"]
    for day, name in enumerate(names, start=1):
        records.create(
            "outreach_event",
            {"event_date": f"2024-05-{day:02d}", "name": name, "event_type": "六五环境日"},
        )
    path = tmp_path / "ledger.xlsx"
    LedgerExporter(ctx).export(LEDGER, parse_period("2024"), path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    found = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value in names:
                found[cell.value] = (cell.data_type, cell.quotePrefix)
    assert found == {
        "＝1+1": ("s", True),
        "＋86 138": ("s", True),
        "－5": ("s", True),
        "＠SUM(A1)": ("s", True),
        "=1+1": ("s", True),
        "-": ("s", True),
        "普通名称": ("s", False),
    }


# ---- the property: save → export → import into an empty database ----------------------
TOKENS = [
    "-", "/", "—", "无", "／", "=", "+", "@", "＝", "＋", "－", "＠", " ", "　", "\t", "\n",
    "\r", "\r\n", "\x00", "\x01", "\x0b", "\x1b", "\x1f", "\x7f", "\ud800", "\ufffe", "'",
    "&<>", '"', "龙河", "合计", "本期无记录", "1", "0.50", "2024-05-06", "_x0041_", "A",
]  # fmt: skip
TEXT = st.lists(
    st.one_of(
        st.sampled_from(TOKENS),
        st.characters(categories=("Lo", "Lu", "Ll", "Nd", "Po", "Ps", "Pe", "Sm", "Zs")),
    ),
    min_size=1,
    max_size=6,
).map("".join)


def expected(text: str, multiline: bool) -> str | None:
    """What a field stores of ``text`` ("" for nothing: a blank text is no value); None
    when saving must refuse it."""
    if not text.strip():
        return ""
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n ")
        allowed = "\t\n"
    else:
        text = text.strip()
        allowed = ""
    for char in text:
        code = ord(char)
        bad = code < 0x20 or code == 0x7F or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF)
        if bad and char not in allowed:
            return None
    return text


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly migrated, empty database file, copied for each empty database."""
    path = tmp_path_factory.mktemp("template") / "gongkai.db"
    open_context(path, auto_backup=False).close()
    return path


def fresh(template: Path, folder: Path) -> AppContext:
    folder.mkdir(parents=True)
    shutil.copyfile(template, folder / "gongkai.db")
    return open_context(folder / "gongkai.db", auto_backup=False)


class World:
    """The databases of the property test (a short repr: hypothesis prints arguments)."""

    def __init__(self, template: Path, folder: Path) -> None:
        self.template = template
        self.folder = folder
        self.source = fresh(template, folder / "source")
        self.examples = itertools.count(1)

    def __repr__(self) -> str:
        return "World()"


@pytest.fixture(scope="module")
def world(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    made = World(template, tmp_path_factory.mktemp("world"))
    yield made
    made.source.close()


@settings(max_examples=30, deadline=None)
@given(rows=st.lists(st.tuples(TEXT, TEXT, TEXT), min_size=1, max_size=4))
def test_random_text_saved_exported_and_imported_into_an_empty_database_is_unchanged(
    rows: list[tuple[str, str, str]], world: World
) -> None:
    source = world.source
    records = RecordService(source)
    example = next(world.examples)
    year = 2030 + example % 7000  # each example exports only its own records (its year)
    saved = []
    for day, (name, place, remarks) in enumerate(rows, start=1):
        raw = {
            "event_date": f"{year}-03-{day:02d}",
            "event_type": "六五环境日",
            "name": name,
            "place": place,
            "remarks": remarks,
        }
        wanted = {
            NAME: expected(name, False),
            "活动地点": expected(place, False),
            "备注": expected(remarks, True),
        }
        try:
            view = records.create("outreach_event", raw)
        except ValidationError as exc:
            problems = {e.label: e.message for e in exc.errors}
            refused = {label for label, value in wanted.items() if value is None}
            if wanted[NAME] == "":
                refused.add(NAME)  # required
            assert set(problems) == refused, (problems, raw)
            for label in refused:
                assert "控制字符" in problems[label] or problems[label] == "必填"
            continue
        assert None not in wanted.values() and wanted[NAME], raw  # nothing to refuse
        stored = {"name": wanted[NAME], "place": wanted["活动地点"], "remarks": wanted["备注"]}
        assert {k: view.values.get(k) for k in stored} == {
            k: (v or None) for k, v in stored.items()
        }
        saved.append(view.values)
    if not saved:
        return
    folder = world.folder / f"example{example}"
    folder.mkdir()
    exported = folder / "ledger.xlsx"
    LedgerExporter(source).export(LEDGER, parse_period(str(year)), exported)
    empty = fresh(world.template, folder / "empty")
    try:
        report = preview(empty, LEDGER, exported)
        assert [str(e) for e in report.errors] == []
        assert (report.add_count, report.duplicate_count, report.changed_count) == (
            len(saved),
            0,
            0,
        )
        assert commit(empty, report).added == len(saved)
    finally:
        empty.close()
    keys = ("event_date", "name", "place", "remarks", "event_type")
    back = [{k: r.get(k) for k in keys} for r in outreach(empty.db_path)]
    assert back == [{k: r.get(k) for k in keys} for r in saved]


# ---- 内容不同 ----------------------------------------------------------------------------
def edited_export(ctx: AppContext, records: RecordService, folder: Path) -> tuple[Path, Path]:
    """Three records exported, then the exported file with one row's 地点 and 受众人次
    changed (as a clerk edits it in Excel): (exported, edited)."""
    for day, name in enumerate(["-", "/", "普法宣传进村"], start=1):
        records.create(
            "outreach_event",
            {
                "event_date": f"2024-05-0{day}",
                "name": name,
                "event_type": "六五环境日",
                "place": "场镇",
                "audience_count": 100,
            },
        )
    exported = folder / "宣传活动台账.xlsx"
    LedgerExporter(ctx).export(LEDGER, parse_period("2024"), exported)
    book = openpyxl.load_workbook(exported)
    sheet = book.active
    assert sheet is not None
    headers = {}
    target = None
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value in ("地点", "受众人次"):
                headers[cell.value] = cell.column
            if cell.value == "普法宣传进村":
                target = cell.row
    assert target is not None and len(headers) == 2
    sheet.cell(target, headers["地点"]).value = "村委会广场"
    sheet.cell(target, headers["受众人次"]).value = 250
    edited = folder / "宣传活动台账_改.xlsx"
    book.save(edited)
    return exported, edited


def test_an_edited_exported_row_is_changed_not_identical_and_updates_only_when_chosen(
    ctx: AppContext, records: RecordService, tmp_path: Path
) -> None:
    exported, edited = edited_export(ctx, records, tmp_path)
    before = outreach(ctx.db_path)

    # the unedited export: every row identical, counted as listed
    same = preview(ctx, LEDGER, exported)
    assert (same.add_count, same.duplicate_count, same.changed_count) == (0, 3, 0)
    assert len(same.duplicates) == 3 and "重复 3 行" in same.summary()

    report = preview(ctx, LEDGER, edited)
    assert (report.add_count, report.duplicate_count, report.changed_count) == (0, 2, 1)
    assert len(report.duplicates) == 2 and len(report.changed) == 1
    assert "内容不同 1 行" in report.summary() and "重复 2 行" in report.summary()
    [changed] = report.changed
    assert [(c.label, c.old, c.new) for c in changed.changes] == [
        ("地点", "场镇", "村委会广场"),
        ("受众人次", "100", "250"),
    ]
    assert "普法宣传进村" in changed.key and "内容不同" in str(changed)
    assert all("普法宣传进村" not in d.key for d in report.duplicates)

    # 跳过 (the default): nothing changes; the file stays importable for a later 更新
    skipped = commit(ctx, report)
    assert (skipped.added, skipped.updated, skipped.changed_skipped) == (0, 0, 1)
    assert skipped.duplicates == 2 and "跳过 1 行" in skipped.summary()
    assert outreach(ctx.db_path) == before
    assert audit(ctx.db_path, "修改") == []

    # 更新 chosen for that row: written through the record service, audited as 修改
    again = preview(ctx, LEDGER, edited)
    assert not again.already_imported and again.changed_count == 1
    result = commit(ctx, again, update_changed={again.changed[0].row_id})
    assert (result.added, result.updated, result.changed_skipped) == (0, 1, 0)
    after = outreach(ctx.db_path)
    assert after[:2] == before[:2]
    assert {k: after[2][k] for k in ("place", "audience_count", "name")} == {
        "place": "村委会广场",
        "audience_count": 250,
        "name": "普法宣传进村",
    }
    assert audit(ctx.db_path, "修改") == [
        ("place", "场镇", "村委会广场"),
        ("audience_count", 100, 250),
    ]
    view = records.get(_id_of(ctx, "普法宣传进村"))
    assert view.version == 2
    # now the file matches the database: a further import finds it identical
    last = preview(ctx, LEDGER, edited)
    assert (last.changed_count, last.duplicate_count) == (0, 3)


def _id_of(ctx: AppContext, name: str) -> str:
    conn = sqlite3.connect(ctx.db_path)
    try:
        row = conn.execute(
            "SELECT id FROM records WHERE json_extract(data, '$.name') = ?", (name,)
        ).fetchone()
    finally:
        conn.close()
    return str(row[0])


def test_dash_and_slash_names_come_back_into_an_empty_database(
    ctx: AppContext, records: RecordService, tmp_path: Path
) -> None:
    exported, _edited = edited_export(ctx, records, tmp_path)
    empty = open_context(tmp_path / "empty" / "gongkai.db", auto_backup=False)
    try:
        report = preview(empty, LEDGER, exported)
        assert report.errors == [] and report.add_count == 3
        commit(empty, report)
    finally:
        empty.close()
    assert [r["name"] for r in outreach(empty.db_path)] == ["-", "/", "普法宣传进村"]


def test_cli_lists_changed_rows_and_updates_them_only_with_the_option(
    ctx: AppContext,
    records: RecordService,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _exported, edited = edited_export(ctx, records, tmp_path)
    db = str(ctx.db_path)
    ctx.close()
    assert cli_main(["--db", db, "import", LEDGER, str(edited)]) == 0
    out = capsys.readouterr().out
    assert "内容不同的行（默认跳过，--update-changed 更新）（共1条）" in out
    assert "地点：场镇 → 村委会广场；受众人次：100 → 250" in out
    assert "重复行（跳过）（共2条）" in out
    assert (
        "新增 0 行，重复 2 行，被拒绝 0 行，新建待完善监管对象 0 个；内容不同：更新 0 行，跳过 1 行"
        in out
    )
    assert outreach(Path(db))[2]["place"] == "场镇"
    assert cli_main(["--db", db, "import", LEDGER, str(edited), "--update-changed"]) == 0
    out = capsys.readouterr().out
    assert "内容不同：更新 1 行，跳过 0 行" in out
    assert outreach(Path(db))[2]["place"] == "村委会广场"


def test_an_imported_cell_with_a_control_character_is_refused_naming_its_column(
    ctx: AppContext, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["宣传活动台账"])
    sheet.append(["序号", "活动日期", "活动名称/主题", "活动类型", "地点"])
    sheet.append([1, "2024-06-05", "普法\x7f宣传", "六五环境日", "场镇"])
    sheet.append([2, "2024-06-06", "环保宣传", "六五环境日", "村委会\t广场"])
    sheet.append([3, "2024-06-07", "-", "六五环境日", "/"])
    path = tmp_path / "hand.xlsx"
    book.save(path)
    report = preview(ctx, LEDGER, path)
    assert [(e.row, e.column, e.value, e.reason) for e in report.errors] == [
        (3, "活动名称/主题", "普法\x7f宣传", "含有不可见的控制字符（第3个字符），请删除后再保存"),
        (4, "地点", "村委会\t广场", "含有不可见的控制字符（第4个字符），请删除后再保存"),
    ]
    assert (report.add_count, report.error_row_count) == (1, 2)
    result = commit(ctx, report, skip_invalid=True, errors_path=tmp_path / "errors.xlsx")
    assert result.added == 1
    [row] = outreach(ctx.db_path)
    assert (row["name"], row["place"]) == ("-", "/")  # typed text, kept as typed


def test_a_folder_import_lists_changed_rows_and_leaves_them_as_stored(
    ctx: AppContext, records: RecordService, tmp_path: Path
) -> None:
    from gongkai_desktop.services.ledgers.intake.migration import import_folder, plan_folder

    exported, edited = edited_export(ctx, records, tmp_path)
    folder = tmp_path / "旧台账"
    folder.mkdir()
    shutil.move(edited, folder / edited.name)
    exported.unlink()
    before = outreach(ctx.db_path)
    plan = plan_folder(ctx, folder, {})
    assert "内容不同 1 行（将跳过，可逐个文件导入时选择更新）" in plan.summary()
    assert "重复 2 行（将跳过）" in plan.summary()
    result = import_folder(ctx, plan, skip_invalid=False)
    assert (result.added, result.duplicates, result.changed_skipped) == (0, 2, 1)
    assert "内容不同 1 行（已跳过）" in result.summary()
    assert outreach(ctx.db_path) == before
