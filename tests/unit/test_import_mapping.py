"""Importing the registers clerks really keep: choice values spelled as category plus
reason, short forms, "nothing" written out, free text in two-way choice columns; each
distinct spelling decided once, saved as the ledger's mapping profile and reused; problems
grouped by column and spelling; the mapping file in and out; the CLI."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from gongkai_desktop.cli import main
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.ledgers.intake.importer import commit, preview
from gongkai_desktop.services.ledgers.intake.mapping import (
    MappingFileError,
    MappingProfile,
    ValueDecision,
    load_profile,
    profile_from_yaml,
    profile_to_yaml,
    save_profile,
)
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.startup import open_context

from .import_helpers import FOOTER, stored, write_xlsx

Dump = Callable[[Path], list[str]]

# ---- a 依申请公开 register typed by hand over two years ------------------------------------
REGISTER_HEADER_1 = [
    "序号", "编号", "申请方式", "收到日期", "申请人", None, "申请公开的信息", "处理结果",
    "办结日期", "状态", "备注",
]  # fmt: skip
REGISTER_HEADER_2 = [None, None, None, None, "姓名", "类别", None, None, None, None, None]
REGISTER_MERGES = ["A1:K1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:F2", "G2:G3", "H2:H3",
                   "I2:I3", "J2:J3", "K2:K3"]  # fmt: skip

# what each spelling must be read as, written out independently of the code under test
OUTCOMES = {
    "不予处理（重复申请）": "（五）2.重复申请",
    "无法提供（本机关不掌握相关政府信息）": "（四）1.本机关不掌握相关政府信息",
    "不予公开（属于三类内部事务信息）": "（三）5.属于三类内部事务信息",
    "其他处理（其他）": "（六）3.其他",
    "予以公开": "（一）予以公开",
}
CHANNELS = {"信函": "平常信函（无需签收）", "网上": "互联网", "当面": "当面提交"}


def register_rows(entries: list[tuple[str, str]], start: int = 1) -> list[list[Any]]:
    """(channel, outcome) per request, numbered from ``start``."""
    rows: list[list[Any]] = [
        ["龙河镇依申请公开登记台账（2022—2023年）"],
        REGISTER_HEADER_1,
        REGISTER_HEADER_2,
    ]
    for n, (channel, outcome) in enumerate(entries, start):
        month, day = (n % 12) + 1, (n % 27) + 1
        rows.append([
            n, f"YSQ2023-{n:03d}", channel, f"2023年{month}月{day}日",
            f"申请人{n}", "自然人", f"申请公开第{n}号事项的信息", outcome,
            f"2023-{month:02d}-{day + 1:02d}", "已办结", None,
        ])  # fmt: skip
    rows.append(FOOTER)
    return rows


def write_register(path: Path, entries: list[tuple[str, str]], start: int = 1) -> Path:
    return write_xlsx(path, register_rows(entries, start), merges=REGISTER_MERGES)


def mixed_entries() -> list[tuple[str, str]]:
    spellings = list(OUTCOMES)
    channels = list(CHANNELS)
    return [(channels[n % 3], spellings[n % len(spellings)]) for n in range(20)]


def audit_of(db_path: Path, form_id: str) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(
            "SELECT action, field, new_value FROM audit_log WHERE form_id = ? ORDER BY id",
            (form_id,),
        ).fetchall()
    finally:
        conn.close()


def test_spellings_of_a_hand_kept_register_are_suggested_once_with_counts(
    ctx: AppContext, tmp_path: Path
) -> None:
    entries = mixed_entries()
    report = preview(ctx, "disclosure_requests", write_register(tmp_path / "r.xlsx", entries))
    assert report.error_row_count == 0, [str(e) for e in report.errors]
    asked = {(q.field, q.text): q for q in report.questions}
    # every spelling that is not a label or synonym is asked once, with its count
    # 予以公开 is not the label either (（一）予以公开), but plainly means it
    assert {t for f, t in asked if f == "outcome"} == set(OUTCOMES)
    assert {t for f, t in asked if f == "channel"} == {"信函"}  # 网上, 当面 are synonyms
    for (field, text), question in asked.items():
        written = [e for e in entries if text in e]
        assert question.count == len(written), text
        assert not question.blocking
        wanted = OUTCOMES[text] if field == "outcome" else CHANNELS[text]
        assert question.suggestion is not None and question.suggestion.value == wanted
        assert question.rows[0].startswith("第") and question.suggestion.reason
    commit(ctx, report)
    rows = stored(ctx.db_path, "disclosure_request")
    assert [(r["channel"], r["outcome"]) for r in rows] == [
        (CHANNELS[c], OUTCOMES[o]) for c, o in entries
    ]
    assert rows[0]["applicant"] == "申请人1" and rows[0]["applicant_type"] == "自然人"


def test_a_spelling_without_suggestion_blocks_the_import_until_decided(
    ctx: AppContext, tmp_path: Path, dump_db: Dump
) -> None:
    entries = [*mixed_entries(), ("当面", "乱写的字"), ("当面", "乱写的字")]
    path = write_register(tmp_path / "r.xlsx", entries)
    report = preview(ctx, "disclosure_requests", path)
    [blocking] = report.blocking
    assert (blocking.text, blocking.count, blocking.rows) == ("乱写的字", 2, ["第24行", "第25行"])
    assert report.error_row_count == 2
    # one short line per column and spelling, not the list of 21 choices per row
    [group] = report.groups
    # named by the register's own header
    assert str(group) == "处理结果：1 种写法不认识（共 2 行）：乱写的字×2（第24行、第25行）"
    assert all("（五）" not in str(e) for e in report.errors)
    before = dump_db(ctx.db_path)
    result = commit(ctx, report)
    assert not result.written and result.rejected == 2
    assert dump_db(ctx.db_path) == before  # nothing written, no profile saved

    # the clerk maps it; the preview is run again with the decision
    decisions = MappingProfile("disclosure_requests")
    decisions.decide("outcome", "乱写的字", ValueDecision("（六）3.其他"))
    report = preview(ctx, "disclosure_requests", path, decisions=decisions)
    assert report.blocking == [] and report.error_row_count == 0
    result = commit(ctx, report)
    assert result.written and result.added == 22
    assert [r["outcome"] for r in stored(ctx.db_path, "disclosure_request")][-2:] == [
        "（六）3.其他",
        "（六）3.其他",
    ]


def test_rows_of_a_skipped_spelling_are_skipped_and_counted(
    ctx: AppContext, tmp_path: Path
) -> None:
    entries = [("当面", "予以公开"), ("当面", "作废"), ("网上", "予以公开")]
    path = write_register(tmp_path / "r.xlsx", entries)
    decisions = MappingProfile("disclosure_requests")
    decisions.decide("outcome", "作废", ValueDecision(skip=True))
    report = preview(ctx, "disclosure_requests", path, decisions=decisions)
    assert (report.add_count, report.skipped_count, report.error_row_count) == (2, 1, 0)
    assert "按对照跳过 1 行" in report.summary()
    result = commit(ctx, report)
    assert (result.added, result.skipped) == (2, 1)
    assert [r["request_no"] for r in stored(ctx.db_path, "disclosure_request")] == [
        "YSQ2023-001",
        "YSQ2023-003",
    ]


def test_the_profile_is_saved_audited_and_reused_by_the_next_file(
    ctx: AppContext, tmp_path: Path
) -> None:
    first = [*mixed_entries(), ("当面", "乱写的字")]
    decisions = MappingProfile("disclosure_requests")
    decisions.decide("outcome", "乱写的字", ValueDecision("（六）3.其他"))
    path = write_register(tmp_path / "2022.xlsx", first)
    commit(ctx, preview(ctx, "disclosure_requests", path, decisions=decisions))
    with ctx.transaction() as session:
        profile = load_profile(session, "disclosure_requests")
    assert profile.values[("outcome", "乱写的字")] == ValueDecision("（六）3.其他")
    assert profile.values[("channel", "信函")] == ValueDecision("平常信函（无需签收）")
    assert len(profile.values) == 7  # 5 outcomes suggested, 1 decided, 信函
    audit = audit_of(ctx.db_path, "import_mapping")
    assert len(audit) == 7 and {a[0] for a in audit} == {"导入映射"}
    assert ("导入映射", "outcome：乱写的字", '"（六）3.其他"') in audit

    # a second file with the same spellings (other numbers, other width of brackets)
    second = [("信函", "不予处理(重复申请)"), ("当面", "乱写的字"), ("网上", "其他处理（其他）")]
    report = preview(
        ctx, "disclosure_requests", write_register(tmp_path / "2023.xlsx", second, start=101)
    )
    assert report.questions == [] and report.error_row_count == 0
    commit(ctx, report)
    assert len(audit_of(ctx.db_path, "import_mapping")) == 7  # nothing changed, nothing new
    assert [r["outcome"] for r in stored(ctx.db_path, "disclosure_request")][-3:] == [
        "（五）2.重复申请",
        "（六）3.其他",
        "（六）3.其他",
    ]


def test_the_mapping_file_round_trip_gives_the_same_decisions(
    ctx: AppContext, tmp_path: Path
) -> None:
    profile = MappingProfile("disclosure_requests")
    profile.decide("outcome", "不予处理（重复申请）", ValueDecision("（五）2.重复申请"))
    profile.decide("outcome", "作废", ValueDecision(skip=True))
    profile.decide("channel", "信函", ValueDecision("平常信函（无需签收）"))
    profile.columns["申请人电话"] = "contact"
    with ctx.transaction() as session:
        save_profile(session, profile, ctx.identity(session))
    ledger = ctx.registry.ledger("disclosure_requests")
    with ctx.transaction() as session:
        saved = load_profile(session, ledger.id)
    text = profile_to_yaml(saved, ledger)
    data = yaml.safe_load(text)
    assert data["values"]["outcome"]["作废"] == {"skip": True}
    assert data["columns"] == {"申请人电话": "contact"}

    other = open_context(tmp_path / "other" / "gongkai.db", auto_backup=False)
    try:
        read, pending = profile_from_yaml(text, ledger, other.registry)
        assert pending == {}
        with other.transaction() as session:
            save_profile(session, read, other.identity(session))
        with other.transaction() as session:
            again = load_profile(session, ledger.id)
    finally:
        other.close()
    assert again.values == saved.values and again.columns == saved.columns


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("values: {办理结果: {作废: （九）不存在}}\n", "“（九）不存在”不是“办理结果”的选项"),
        ("values: {申请内容: {张三: 李四}}\n", "“申请内容”不是选项列"),
        ("values: {不存在的列: {a: b}}\n", "“不存在的列”不是本台账的列"),
        ("ledger: outreach_events\n", "属于台账“outreach_events”"),
        ("values: [\n", "不是有效的 YAML"),
    ],
)
def test_a_wrong_mapping_file_is_refused_with_a_message(
    ctx: AppContext, text: str, message: str
) -> None:
    ledger = ctx.registry.ledger("disclosure_requests")
    with pytest.raises(MappingFileError, match=message):
        profile_from_yaml(text, ledger, ctx.registry)


# ---- free text in two-way choice columns -------------------------------------------------
WATER_HEADER_1 = [
    "序号", "巡查日期", "巡查时间", None, "水源地名称", "巡查人员", "巡查内容", None, None,
    "发现问题", None, "备注",
]  # fmt: skip
WATER_HEADER_2 = [
    None, None, "开始", "结束", None, None, "标识标牌", "污染源", "违规行为", "有无问题",
    "问题描述", None,
]  # fmt: skip
WATER_MERGES = ["A1:L1", "A2:A3", "B2:B3", "C2:D2", "E2:E3", "F2:F3", "G2:I2", "J2:K2",
                "L2:L3"]  # fmt: skip


def water_book(path: Path, rows: list[list[Any]]) -> Path:
    data = [["2023年饮用水水源地巡查台账"], WATER_HEADER_1, WATER_HEADER_2, *rows, FOOTER]
    return write_xlsx(path, data, merges=WATER_MERGES)


@pytest.fixture
def reservoir(records: RecordService) -> str:
    return records.create(
        "site", {"site_type": "饮用水水源地", "name": "龙河水库", "village": "东村"}
    ).id


def test_free_text_in_a_found_column_is_the_problem_choice_and_kept(
    ctx: AppContext, tmp_path: Path, reservoir: str
) -> None:
    rows = [
        [1, "2023-06-05", "09:00", "10:00", "龙河水库", "张三", "完好", "发现生活污水直排口1处",
         "无", None, None, None],
        [2, "2023-06-12", "09:00", "10:00", "龙河水库", "张三", "完好", "未发现", "没有",
         "否", None, None],
        [3, "2023-06-19", "09:00", "10:00", "龙河水库", "张三", "围网破损两处", "无", "无违规",
         "是", "东侧围网", None],
        # the row says no problem was found: the text is kept in 备注, with a warning
        [4, "2023-06-26", "09:00", "10:00", "龙河水库", "张三", "完好", "有人倾倒垃圾",
         "垂钓、游泳", "否", None, "雨天"],
    ]  # fmt: skip
    report = preview(ctx, "water_source_patrol", water_book(tmp_path / "w.xlsx", rows))
    assert report.error_row_count == 0, [str(e) for e in report.errors]
    asked = {q.text: q for q in report.questions}
    assert asked["发现生活污水直排口1处"].suggestion.value == "发现"  # type: ignore[union-attr]
    assert asked["发现生活污水直排口1处"].suggestion.keep_text  # type: ignore[union-attr]
    assert asked["围网破损两处"].suggestion.value == "缺失或损坏"  # type: ignore[union-attr]
    assert asked["没有"].suggestion.value == ()  # type: ignore[union-attr]
    kept = [w for w in report.warnings if "备注" in w.note]
    assert len(kept) == 1, [str(w) for w in report.warnings]
    [warning] = kept
    assert warning.row == 7
    commit(ctx, report)
    first, second, third, fourth = stored(ctx.db_path, "inspection")
    assert (first["pollution_source"], first["problem_found"]) == ("发现", True)
    assert first["problem_description"] == "发现生活污水直排口1处"
    assert first.get("violations") in (None, [])  # 无
    assert (second["pollution_source"], second["problem_found"]) == ("未发现", False)
    assert second.get("violations") in (None, [])  # 没有
    assert third["signs_state"] == "缺失或损坏"
    assert third["problem_description"] == "东侧围网；围网破损两处"
    assert third.get("violations") in (None, [])  # 无违规
    assert (fourth["pollution_source"], fourth["problem_found"]) == ("发现", False)
    assert fourth["remarks"] == "雨天；有人倾倒垃圾"
    assert fourth["violations"] == ["垂钓", "游泳"]


def test_free_text_in_a_hazardous_storage_column(
    ctx: AppContext, tmp_path: Path, records: RecordService
) -> None:
    records.create("site", {"site_type": "排污单位", "name": "东村砖厂", "village": "东村"})
    rows = [
        ["2023年排污单位环境安全检查台账"],
        ["序号", "检查日期", "单位名称", "危废贮存", "检查人员"],
        [1, "2023-06-05", "东村砖厂", "危废标识不全", "张三"],
        [2, "2023-06-06", "东村砖厂", "规范", "张三"],
    ]
    report = preview(ctx, "enterprise_safety_check", write_xlsx(tmp_path / "e.xlsx", rows))
    assert report.error_row_count == 0, [str(e) for e in report.errors]
    commit(ctx, report)
    first, second = stored(ctx.db_path, "inspection")
    assert (first["hazardous_storage"], first["problem_found"]) == ("不规范", True)
    assert first["problem_description"] == "危废标识不全"
    assert second["hazardous_storage"] == "规范"


# ---- headers -----------------------------------------------------------------------------
def test_a_header_spelled_without_brackets_is_matched_and_unknown_ones_listed(
    ctx: AppContext, tmp_path: Path
) -> None:
    rows = [
        ["2023年宣传活动台账"],
        ["序号", "活动日期", "活动名称", "活动类型", "咨询人次", "发放资料数量", "天气"],
        [1, "2023-06-05", "六五环境日宣传", "环境日", 30, "1,200", "晴"],
    ]
    report = preview(ctx, "outreach_events", write_xlsx(tmp_path / "o.xlsx", rows))
    targets = {c.header: c.target for c in report.columns}
    assert targets["咨询人次"] == "咨询（人次）"
    assert targets["发放资料数量"] == "发放资料（份）"
    assert report.unknown_columns == ["天气"]
    assert any("未识别的列" in n and "天气" in n for n in report.notes)
    # the clerk assigns the unknown column to a field
    decisions = MappingProfile("outreach_events")
    decisions.columns["天气"] = "remarks"
    report = preview(ctx, "outreach_events", tmp_path / "o.xlsx", decisions=decisions)
    assert report.unknown_columns == []
    commit(ctx, report)
    [row] = stored(ctx.db_path, "outreach_event")
    assert (row["consultations"], row["materials"], row["remarks"]) == (30, 1200, "晴")
    with ctx.transaction() as session:
        assert load_profile(session, "outreach_events").columns == {"天气": "remarks"}


def test_dates_without_a_year_take_the_year_of_the_title(ctx: AppContext, tmp_path: Path) -> None:
    rows = [
        ["龙河镇2023年宣传活动台账"],
        ["序号", "活动日期", "活动名称", "活动类型"],
        [1, "6月5日", "六五环境日宣传", "环境日"],
        [2, "2023年7月", "入户宣传", "入户宣传"],
        [3, "二〇二三年八月八日", "普法宣传", "普法宣传"],
    ]
    report = preview(ctx, "outreach_events", write_xlsx(tmp_path / "o.xlsx", rows))
    assert report.error_row_count == 0, [str(e) for e in report.errors]
    assert {w.row for w in report.warnings} >= {3, 4}
    commit(ctx, report)
    assert [r["event_date"] for r in stored(ctx.db_path, "outreach_event")] == [
        "2023-06-05",
        "2023-07-01",
        "2023-08-08",
    ]


# ---- the CLI -----------------------------------------------------------------------------
def test_cli_writes_the_mapping_template_and_imports_with_it(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_register(tmp_path / "r.xlsx", [*mixed_entries(), ("当面", "乱写的字")])
    template = tmp_path / "对照表.yaml"
    base = ["--db", str(db_path), "import", "disclosure_requests", str(path)]
    assert main([*base, "--dry-run", "--mapping-out", str(template)]) == 2
    out = capsys.readouterr().out
    assert "不认识的写法（共1种" in out and "乱写的字" in out
    assert "处理结果：1 种写法不认识（共 1 行）" in out
    assert "“办理结果”列的写法“不予处理（重复申请）”×4" in out
    data = yaml.safe_load(template.read_text(encoding="utf-8"))
    assert data["values"]["outcome"]["乱写的字"] is None
    assert data["values"]["outcome"]["不予处理（重复申请）"] == "（五）2.重复申请"
    text = template.read_text(encoding="utf-8").replace("乱写的字: null", "乱写的字: （六）3.其他")
    template.write_text(text, encoding="utf-8")
    assert main([*base, "--mapping", str(template)]) == 0
    assert "新增 21 行" in capsys.readouterr().out
    assert main(["--db", str(db_path), "mapping", "show", "disclosure_requests"]) == 0
    assert "办理结果：乱写的字 → （六）3.其他" in capsys.readouterr().out
    exported = tmp_path / "导出.yaml"
    assert (
        main(["--db", str(db_path), "mapping", "export", "disclosure_requests", str(exported)]) == 0
    )
    assert yaml.safe_load(exported.read_text(encoding="utf-8"))["values"]["outcome"][
        "乱写的字"
    ] == ("（六）3.其他")


def test_cli_column_option(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        ["宣传活动台账"],
        ["序号", "活动日期", "活动名称", "活动类型", "天气"],
        [1, "2023-06-05", "六五环境日宣传", "环境日", "晴"],
    ]
    path = write_xlsx(tmp_path / "o.xlsx", rows)
    base = ["--db", str(db_path), "import", "outreach_events", str(path)]
    assert main([*base, "--column", "天气=不存在"]) == 2
    assert "“不存在”不是台账“宣传活动台账”的列" in capsys.readouterr().err
    assert main([*base, "--column", "天气=备注"]) == 0
    assert stored(db_path, "outreach_event")[0]["remarks"] == "晴"
