"""Importing hand-kept ledgers: messy layouts and values, duplicates, new 待完善 sites,
all-or-nothing vs --skip-invalid, the error workbook, idempotent re-import, backup,
one transaction, .xls files and the CLI."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from gongkai_desktop.cli import main
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.ledgers.intake import importer as ledger_import
from gongkai_desktop.services.ledgers.intake.importer import ImportFileError, commit, preview
from gongkai_desktop.services.maintenance.backup import list_backups
from gongkai_desktop.services.records.service import RecordService

from .import_helpers import FOOTER, read_rows, site_id, sites, stored, write_xlsx

Dump = Callable[[Path], list[str]]

# ---- a messy 饮用水水源地巡查台账 -----------------------------------------------------------
WATER_HEADER_1 = [
    "序号", "巡查日期", "巡查时间", None, "水源地名称", "保护区级别", "巡查人员",
    "巡查内容", None, None, None, "发现问题", None, "处理情况", "照片（张）", "备注",
]  # fmt: skip
WATER_HEADER_2 = [
    None, None, "开始", "结束", None, None, None,
    "标识标牌", "围网", "污染源", "违规行为", "有无问题", "问题描述", None, None, None,
]  # fmt: skip
WATER_MERGES = [
    "A1:P1", "A3:A4", "B3:B4", "C3:D3", "E3:E4", "F3:F4", "G3:G4", "H3:K3", "L3:M3",
    "N3:N4", "O3:O4", "P3:P4",
]  # fmt: skip


def water_rows(*data: list[Any], footer: bool = True) -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["龙河镇2023年饮用水水源地巡查台账"],
        ["填报单位（盖章）：龙河镇人民政府", *[None] * 11, "填报日期：2023年12月31日"],
        WATER_HEADER_1,
        WATER_HEADER_2,
        *data,
    ]
    if footer:
        rows.append(FOOTER)
    return rows


def water_row(n: int, day: Any, site: str, **kw: Any) -> list[Any]:
    return [
        n, day, kw.get("start"), kw.get("end"), site, kw.get("zone", "一级"),
        kw.get("who", "张三"), kw.get("signs", "完好"), kw.get("fence", "完好"),
        kw.get("source", "无"), kw.get("violations"), kw.get("found", "否"),
        kw.get("problem"), kw.get("handling"), kw.get("photos", 0), kw.get("remarks"),
    ]  # fmt: skip


@pytest.fixture
def reservoir(records: RecordService) -> str:
    return records.create(
        "site", {"site_type": "饮用水水源地", "name": "龙河水库", "village": "东村"}
    ).id


def run(ctx: AppContext, ledger: str, path: Path, **kw: Any) -> ledger_import.ImportResult:
    return commit(ctx, preview(ctx, ledger, path), **kw)


def test_messy_workbook_with_title_rows_two_level_header_and_footer(
    ctx: AppContext, tmp_path: Path, reservoir: str
) -> None:
    path = write_xlsx(
        tmp_path / "水源地.xlsx",
        water_rows(
            water_row(
                1,
                datetime(2023, 6, 5),
                "龙河水库",
                start="09:30",
                end="11:00",
                zone="一级保护区",
                who="张三、李四",
                fence="破损",
                source="有",
                violations="垂钓，游泳",
                found="√",
                problem="有人垂钓",
                handling="已劝离",
                photos=2,
            ),
            [None] * 16,  # a blank row inside the table
            water_row(2, "2023/6/12", "龙河水库", zone="二级"),
            water_row(3, "2023.6.5", "龙河水库", start="14:00", zone="准保护"),
            water_row(4, "2023.06.06", "龙河水库"),
            water_row(5, "2023年6月7日", "龙河水库", found="×", remarks="/"),
            water_row(
                6, "2023-06-08", "龙河水库", violations="倾倒垃圾、放牧", found="是", problem="垃圾"
            ),
            [7] + [None] * 15,  # only a 序号: not a row
        ),
        merges=WATER_MERGES,
    )
    report = preview(ctx, "water_source_patrol", path)
    assert report.header_rows == (3, 4)
    assert (report.add_count, report.error_row_count, report.duplicate_count) == (6, 0, 0)
    assert any("照片" in note for note in report.notes)
    result = commit(ctx, report)
    assert (result.added, result.rejected, result.written) == (6, 0, True)

    rows = stored(ctx.db_path, "inspection")
    assert [r["inspection_date"] for r in rows] == [
        "2023-06-05", "2023-06-12", "2023-06-05", "2023-06-06", "2023-06-07", "2023-06-08",
    ]  # fmt: skip
    first = rows[0]
    assert first == {
        "inspection_date": "2023-06-05",
        "start_time": "09:30",
        "end_time": "11:00",
        "inspection_type": "饮用水水源地巡查",
        "site": reservoir,
        "inspectors": "张三、李四",
        "protection_zone": "一级保护区",
        "signs_state": "完好",
        "fence_state": "缺失或损坏",
        "pollution_source": "发现",
        "violations": ["垂钓", "游泳"],
        "problem_found": True,
        "problem_description": "有人垂钓",
        "onsite_handling": "已劝离",
    }
    assert [r["protection_zone"] for r in rows[1:3]] == ["二级保护区", "准保护区"]
    # a slash in a text column is kept as typed (it exports as "/" again)
    assert rows[4]["problem_found"] is False and rows[4]["remarks"] == "/"
    assert rows[5]["violations"] == ["倾倒垃圾", "放牧"]
    assert all(r["pollution_source"] in ("未发现", "发现") for r in rows)


def test_rows_after_the_footer_are_not_data(
    ctx: AppContext, tmp_path: Path, reservoir: str
) -> None:
    rows = water_rows(water_row(1, "2023-06-05", "龙河水库"))
    rows.append(water_row(2, "2023-06-09", "龙河水库"))  # under 填表人 …: not the table
    report = preview(ctx, "water_source_patrol", write_xlsx(tmp_path / "f.xlsx", rows))
    assert report.add_count == 1


def test_a_merged_date_cell_gives_every_row_its_value(
    ctx: AppContext, tmp_path: Path, reservoir: str
) -> None:
    rows = water_rows(
        water_row(1, datetime(2023, 6, 5), "龙河水库", start="08:00"),
        water_row(2, None, "龙河水库", start="09:00"),
        water_row(3, None, "龙河水库", start="10:00"),
    )
    path = write_xlsx(tmp_path / "m.xlsx", rows, merges=[*WATER_MERGES, "B5:B7"])
    assert run(ctx, "water_source_patrol", path).added == 3
    assert {r["inspection_date"] for r in stored(ctx.db_path, "inspection")} == {"2023-06-05"}


def test_unknown_site_becomes_a_new_site_to_complete(ctx: AppContext, tmp_path: Path) -> None:
    rows = water_rows(
        water_row(1, "2023-06-05", "青山水库"),
        water_row(2, "2023-06-06", "青山水库"),
        water_row(3, "2023-06-06", "白石塘"),
    )
    report = preview(ctx, "water_source_patrol", write_xlsx(tmp_path / "n.xlsx", rows))
    assert [(s.name, s.site_type, s.first_row) for s in report.new_sites] == [
        ("青山水库", "饮用水水源地", 5),
        ("白石塘", "饮用水水源地", 7),
    ]
    assert sites(ctx.db_path) == {}  # a preview writes nothing
    result = commit(ctx, report)
    assert sorted(result.new_sites) == ["白石塘", "青山水库"]
    made = sites(ctx.db_path)
    assert made["青山水库"]["status"] == "待完善"
    assert made["青山水库"]["site_type"] == "饮用水水源地"
    qingshan = site_id(ctx.db_path, "青山水库")
    assert [r["site"] for r in stored(ctx.db_path, "inspection")][:2] == [qingshan, qingshan]


def test_a_site_of_another_type_is_an_error_not_a_new_site(
    ctx: AppContext, tmp_path: Path, records: RecordService
) -> None:
    records.create("site", {"site_type": "排污单位", "name": "龙河化工", "village": "东村"})
    rows = water_rows(water_row(1, "2023-06-05", "龙河化工"))
    report = preview(ctx, "water_source_patrol", write_xlsx(tmp_path / "t.xlsx", rows))
    assert report.new_sites == []
    [error] = report.errors
    assert (error.row, error.column, error.value) == (5, "水源地名称", "龙河化工")
    assert "排污单位" in error.reason


def test_duplicates_within_the_file_and_against_the_database(
    ctx: AppContext, tmp_path: Path, reservoir: str, records: RecordService
) -> None:
    # the database holds the record of row 1, imported before from another file
    earlier = water_rows(water_row(1, "2023-06-05", "龙河水库", start="09:30"))
    assert run(ctx, "water_source_patrol", write_xlsx(tmp_path / "e.xlsx", earlier)).added == 1
    rows = water_rows(
        water_row(1, "2023年6月5日", "龙河水库", start="09:30"),  # in the database
        water_row(2, "2023-06-05", "龙河水库", start="15:00"),
        water_row(3, "2023/6/5", "龙河水库", start="15:00"),  # same as row 6
        water_row(4, "2023-06-06", "龙河水库"),
    )
    report = preview(ctx, "water_source_patrol", write_xlsx(tmp_path / "d.xlsx", rows))
    assert (report.add_count, report.duplicate_count) == (2, 2)
    assert [(d.row, d.reason) for d in report.duplicates] == [
        (5, "数据库中已有相同记录"),
        (7, "与第6行重复"),
    ]
    assert "开始：15:00" in report.duplicates[1].key
    result = commit(ctx, report)
    assert (result.added, result.duplicates) == (2, 2)
    assert len(stored(ctx.db_path, "inspection")) == 3


def test_commit_writes_the_rows_the_preview_checked_unless_the_database_changed(
    ctx: AppContext,
    tmp_path: Path,
    reservoir: str,
    records: RecordService,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = water_rows(
        water_row(1, "2023-06-05", "龙河水库", start="09:30"),
        water_row(2, "2023-06-06", "新建水库"),  # a new 待完善 site
    )
    path = write_xlsx(tmp_path / "k.xlsx", rows)
    passes: list[str] = []
    original = ledger_import.data_rows

    def counted(*args: Any, **kw: Any) -> Any:
        passes.append("read")
        return original(*args, **kw)

    monkeypatch.setattr(ledger_import, "data_rows", counted)
    opened = ledger_import.open_checked

    def opening(*args: Any, **kw: Any) -> Any:
        passes.append("open")
        return opened(*args, **kw)

    monkeypatch.setattr(ledger_import, "open_checked", opening)
    report = preview(ctx, "water_source_patrol", path)
    assert passes == ["open", "read"] and report.kept is not None
    result = commit(ctx, report)
    # nothing changed: the checked rows were written, the file not even opened again
    assert passes == ["open", "read"]
    assert (result.added, result.new_sites) == (2, ("新建水库",))
    saved = stored(ctx.db_path, "inspection")
    assert saved[1]["site"] == site_id(ctx.db_path, "新建水库")

    # the database changes between preview and commit: the file is read again
    second = write_xlsx(
        tmp_path / "k2.xlsx",
        water_rows(water_row(1, "2023-07-05", "龙河水库", start="09:30")),
    )
    report = preview(ctx, "water_source_patrol", second)
    records.create(
        "inspection",
        {
            "inspection_date": "2023-07-05",
            "start_time": "09:30",
            "inspection_type": "饮用水水源地巡查",
            "site": reservoir,
            "inspectors": "王五",
        },
    )
    passes.clear()
    result = commit(ctx, report)
    # the stored record (王五) and the row (张三, …) share the key, not the content
    assert passes == ["open", "read"] and (result.added, result.changed_skipped) == (0, 1)


# ---- counts, synonyms, text dates in another ledger ---------------------------------------------
OUTREACH_HEADER = ["序号", "日期", "活动主题", "类别", "人次", "受众", "宣传资料", "横幅"]


def test_counts_with_words_keep_the_number_and_warn(ctx: AppContext, tmp_path: Path) -> None:
    rows = [
        ["2024年宣传活动台账"],
        OUTREACH_HEADER,
        [1, "2024-06-05", "六五环境日宣传", "环境日", "50人次", "约1100人", "1000余份", 3],
        [2, "2024.6.12", "入户宣传", "入户宣传", 8, "300多人", "1,200", "2条"],
    ]
    report = preview(ctx, "outreach_events", write_xlsx(tmp_path / "o.xlsx", rows))
    assert report.error_row_count == 0
    warned = {(w.row, w.column, w.value) for w in report.warnings}
    assert warned == {
        (3, "人次", "50人次"),
        (3, "受众", "约1100人"),
        (3, "宣传资料", "1000余份"),
        (4, "受众", "300多人"),
        (4, "横幅", "2条"),
    }
    assert all("按" in w.note for w in report.warnings)
    commit(ctx, report)
    first, second = stored(ctx.db_path, "outreach_event")
    assert (first["staff_count"], first["audience_count"], first["materials"]) == (50, 1100, 1000)
    assert first["event_type"] == "六五环境日"  # by synonym
    assert (second["event_date"], second["materials"], second["banners"]) == ("2024-06-12", 1200, 2)


def test_header_not_found_is_reported(ctx: AppContext, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "x.xlsx", [["名单"], ["姓名", "电话"], ["张三", "123"]])
    with pytest.raises(ImportFileError, match="找不到“宣传活动台账”的表头"):
        preview(ctx, "outreach_events", path)


# ---- all-or-nothing, --skip-invalid, the error workbook -------------------------------------------
def bad_outreach(tmp_path: Path) -> Path:
    rows = [
        ["宣传活动台账"],
        OUTREACH_HEADER,
        [1, "2024-06-05", "六五环境日宣传", "环境日", 5, None, None, None],
        [2, "2024-13-40", "普法宣传进村", "普法宣传", 3, None, None, None],
        [3, "2024-06-20", '=HYPERLINK("x")', "路演", 3, None, None, None],
        [4, "2024-06-21", "志愿者净滩", "志愿者", "很多", None, None, None],
    ]
    return write_xlsx(tmp_path / "bad.xlsx", rows, as_text=["C5"])


def test_one_rejected_row_writes_nothing_and_exports_the_errors(
    ctx: AppContext, tmp_path: Path, dump_db: Dump
) -> None:
    path = bad_outreach(tmp_path)
    before = dump_db(ctx.db_path)
    report = preview(ctx, "outreach_events", path)
    assert (report.add_count, report.error_row_count) == (1, 3)
    reasons = {(e.row, e.column): e.reason for e in report.errors}
    assert set(reasons) == {(4, "日期"), (5, "类别"), (6, "人次")}
    assert reasons[(5, "类别")].startswith("写法不认识")
    [question] = report.blocking
    assert (question.text, question.count, question.rows) == ("路演", 1, ["第5行"])
    assert reasons[(6, "人次")] == "应为整数"
    errors_path = tmp_path / "错误行.xlsx"
    result = commit(ctx, report, errors_path=errors_path)
    assert (result.written, result.added, result.rejected) == (False, 0, 3)
    assert dump_db(ctx.db_path) == before
    assert list_backups(ctx.db_path) == []  # nothing to write, nothing backed up

    rows = read_rows(errors_path)
    assert "导入错误行" in rows[0][0]
    header = rows[1]
    assert header[0] == "原表行号" and header[-1] == "错误说明"
    assert header[1:-1] == ("序号", "活动日期", "活动名称/主题", "活动类型", "出动人次",
                            "受众人次", "发放资料（份）", "横幅（条）")  # fmt: skip
    assert [r[0] for r in rows[2:]] == [4, 5, 6]
    assert rows[2][2] == "2024-13-40" and "日期" in rows[2][-1]
    assert rows[3][3] == '=HYPERLINK("x")'
    import openpyxl

    cell = openpyxl.load_workbook(errors_path).active["D4"]  # type: ignore[index]
    assert cell.data_type == "s" and cell.quotePrefix  # stayed text, not a formula


def test_the_fixed_error_workbook_imports(ctx: AppContext, tmp_path: Path) -> None:
    errors_path = tmp_path / "错误行.xlsx"
    commit(ctx, preview(ctx, "outreach_events", bad_outreach(tmp_path)), errors_path=errors_path)
    import openpyxl

    book = openpyxl.load_workbook(errors_path)
    sheet = book.active
    assert sheet is not None
    sheet["C3"] = "2024-05-06"
    sheet["E4"] = "其他"
    sheet["F5"] = 12
    book.save(errors_path)
    result = run(ctx, "outreach_events", errors_path)
    assert (result.added, result.rejected) == (3, 0)
    names = [r["name"] for r in stored(ctx.db_path, "outreach_event")]
    assert names == ["普法宣传进村", '=HYPERLINK("x")', "志愿者净滩"]


def test_skip_invalid_writes_the_valid_rows(ctx: AppContext, tmp_path: Path) -> None:
    path = bad_outreach(tmp_path)
    result = run(ctx, "outreach_events", path, skip_invalid=True)
    assert (result.written, result.added, result.rejected) == (True, 1, 3)
    assert result.errors_path == path.with_name("bad_导入错误行.xlsx")
    assert [r[0] for r in read_rows(result.errors_path)[2:]] == [4, 5, 6]
    assert [r["name"] for r in stored(ctx.db_path, "outreach_event")] == ["六五环境日宣传"]


def test_import_is_backed_up_first(ctx: AppContext, tmp_path: Path, records: RecordService) -> None:
    records.create("site", {"site_type": "排污单位", "name": "甲厂", "village": "东村"})
    path = write_xlsx(
        tmp_path / "ok.xlsx",
        [OUTREACH_HEADER, [1, "2024-06-05", "六五环境日宣传", "环境日", 5, None, None, None]],
    )
    result = run(ctx, "outreach_events", path)
    [made] = list_backups(ctx.db_path)
    assert made.reason == "导入前" and made.records == 1  # the state before the import
    assert result.backup_path == made.path


def test_the_same_file_again_adds_nothing(ctx: AppContext, tmp_path: Path, dump_db: Dump) -> None:
    path = write_xlsx(
        tmp_path / "ok.xlsx",
        [OUTREACH_HEADER, [1, "2024-06-05", "六五环境日宣传", "环境日", 5, None, None, None]],
    )
    assert run(ctx, "outreach_events", path).added == 1
    before = dump_db(ctx.db_path)
    copy = tmp_path / "副本.xlsx"
    copy.write_bytes(path.read_bytes())  # same content under another name
    again = preview(ctx, "outreach_events", copy)
    assert "导入过" in again.already_imported
    result = commit(ctx, again)
    assert (result.already_imported, result.added, result.written) == (True, 0, False)
    assert dump_db(ctx.db_path) == before


def test_a_failure_midway_leaves_the_database_as_it_was(
    ctx: AppContext, tmp_path: Path, dump_db: Dump, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [OUTREACH_HEADER] + [
        [n, "2024-06-05", f"宣传{n}", "普法宣传", 5, None, None, None] for n in range(1, 1200)
    ]
    path = write_xlsx(tmp_path / "many.xlsx", rows)
    report = preview(ctx, "outreach_events", path)
    before = dump_db(ctx.db_path)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(ledger_import.imports, "add_imported", broken)
    with pytest.raises(OSError):
        commit(ctx, report)
    assert dump_db(ctx.db_path) == before


def test_a_file_changed_after_the_preview_is_refused(ctx: AppContext, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", [OUTREACH_HEADER, [1, "2024-06-05", "甲", "其他"]])
    report = preview(ctx, "outreach_events", path)
    write_xlsx(path, [OUTREACH_HEADER, [1, "2024-06-06", "乙", "其他"]])
    with pytest.raises(ImportFileError, match="预览之后被修改"):
        commit(ctx, report)


# ---- registers, repeat groups, generated numbers ------------------------------------------
def test_site_register_rows_are_sites_of_the_ledgers_type(ctx: AppContext, tmp_path: Path) -> None:
    rows = [
        ["排污单位台账"],
        [
            "序号",
            "企业名称",
            "统一社会信用代码",
            "所在村（社区）",
            "许可类别",
            "法定代表人",
            "电话",
        ],
        [1, "龙河化工", "91530100MA6K7QXX1A", "东村", "重点", "赵一", 13800000000],
        [2, "青山砖厂", None, "西村", "登记管理", None, "0871-1234567"],
    ]
    assert run(ctx, "enterprise_register", write_xlsx(tmp_path / "e.xlsx", rows)).added == 2
    made = sites(ctx.db_path)
    assert made["龙河化工"]["site_type"] == "排污单位"
    assert made["龙河化工"]["permit_category"] == "重点管理"
    assert made["龙河化工"]["phone"] == "13800000000"
    assert made["青山砖厂"]["status"] == "在用"  # the form's default
    again = preview(ctx, "enterprise_register", write_xlsx(tmp_path / "e2.xlsx", rows[1:]))
    assert again.duplicate_count == 2


def test_repeat_group_lines_become_rows(ctx: AppContext, tmp_path: Path) -> None:
    rows = [
        ["序号", "交办编号", "问题来源", "交办日期", "问题描述", "整改时限", "整改进展", "办理状态"],
        [1, "D3SX202505280018", "中央督察", "2025-05-28", "河道垃圾", "2025-06-30",
         "2025年6月2日：清理河道\n2025年6月20日：完成清理，设置标牌", "正在办理"],
        [2, None, "信访", "2025-06-01", "噪声扰民", "2025-07-01", None, "未启动"],
        [3, None, "自查", "2025-06-02", "秸秆焚烧", "2025-07-01", None, "未启动"],
    ]  # fmt: skip
    assert run(ctx, "rectification_tasks", write_xlsx(tmp_path / "r.xlsx", rows)).added == 3
    first, second, third = stored(ctx.db_path, "rectification_task")
    assert first["source"] == "中央生态环境保护督察"
    assert first["progress"] == [
        {"date": "2025-06-02", "text": "清理河道"},
        {"date": "2025-06-20", "text": "完成清理，设置标牌"},
    ]
    assert (second["task_no"], third["task_no"]) == ("ZG2025-001", "ZG2025-002")


# ---- .xls ---------------------------------------------------------------------------------
def test_a_legacy_xls_file(ctx: AppContext, tmp_path: Path) -> None:
    xlwt = pytest.importorskip("xlwt")
    pytest.importorskip("xlrd")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("台账")
    sheet.write_merge(0, 0, 0, 4, "2024年宣传活动台账")
    for col, text in enumerate(["序号", "活动日期", "活动名称", "活动类型", "出动人次"]):
        sheet.write(1, col, text)
    dated = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    sheet.write(2, 0, 1)
    sheet.write(2, 1, datetime(2024, 6, 5), dated)  # a date cell
    sheet.write(2, 2, "六五环境日")
    sheet.write(2, 3, "六五")
    sheet.write(2, 4, "20人次")
    sheet.write(3, 0, 2)
    sheet.write(3, 1, 45458)  # an Excel serial number without date format: 2024-06-15
    sheet.write(3, 2, "普法宣传")
    sheet.write(3, 3, "普法宣传")
    sheet.write(3, 4, 4)
    sheet.write(4, 0, 3)
    sheet.write(4, 1, "2024年6月20日")
    sheet.write(4, 2, "入户宣传")
    sheet.write(4, 3, "入户宣传")
    sheet.write(6, 0, "填表人：张三")
    path = tmp_path / "旧台账.xls"
    book.save(str(path))
    report = preview(ctx, "outreach_events", path)
    assert report.kind == "xls" and report.header_rows == (2, 2)
    commit(ctx, report)
    rows = stored(ctx.db_path, "outreach_event")
    assert [r["event_date"] for r in rows] == ["2024-06-05", "2024-06-15", "2024-06-20"]
    assert rows[0]["event_type"] == "六五环境日" and rows[0]["staff_count"] == 20


# ---- CLI ----------------------------------------------------------------------------------
def test_cli_import_exit_codes_and_counts(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = bad_outreach(tmp_path)
    errors_path = tmp_path / "e.xlsx"
    base = ["--db", str(db_path), "import", "outreach_events", str(path)]
    assert main([*base, "--dry-run"]) == 2
    assert "试运行" in capsys.readouterr().out
    assert main([*base, "--errors", str(errors_path)]) == 2
    out = capsys.readouterr().out
    assert "新增 0 行，重复 0 行，被拒绝 3 行，新建待完善监管对象 0 个" in out
    assert errors_path.exists()
    assert main([*base, "--skip-invalid"]) == 0
    out = capsys.readouterr().out
    assert "新增 1 行，重复 0 行，被拒绝 3 行" in out
    assert "第4行“日期”列" in out
    assert main(base) == 0  # the same file again
    assert "导入过" in capsys.readouterr().out


def test_imported_rows_have_their_list_and_report_columns(
    ctx: AppContext, tmp_path: Path, reservoir: str
) -> None:
    from sqlalchemy import select

    from gongkai_desktop.data.models import Record

    rows = water_rows(
        water_row(1, "2023-06-05", "龙河水库", found="是", problem="有人垂钓"),
        water_row(2, "2023-06-06", "新水源"),
    )
    run(ctx, "water_source_patrol", write_xlsx(tmp_path / "w.xlsx", rows))
    service = RecordService(ctx)
    with ctx.transaction() as session:
        imported = session.scalars(select(Record).where(Record.form_id != "")).all()
        assert len(imported) == 4  # two sites (one new) and two inspections
        by_date = {r.record_date: r for r in imported if r.form_id == "inspection"}
        new_site = next(r for r in imported if r.form_id == "site" and r.id != reservoir)
        first, second = by_date[date(2023, 6, 5)], by_date[date(2023, 6, 6)]
        assert (first.site_id, second.site_id) == (reservoir, new_site.id)
        assert "龙河水库" in first.title and "新水源" in second.title
        assert "有人垂钓" in first.search_text and "龙河水库" in first.search_text
        assert (new_site.title, new_site.status, new_site.record_date) == ("新水源", "待完善", None)
    history = service.history(next(r.id for r in imported if r.form_id == "inspection"))
    assert {h.action for h in history} == {"导入"}
