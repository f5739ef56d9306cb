"""政府信息公开工作年度报告: the figures of tables 二、三、四 from a small hand-made register,
the carry-over between years, typed 上年结转, hand table 二 and the texts per year."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from typing import Any

import pytest
import yaml

from gongkai_desktop import paths
from gongkai_desktop.domain.errors import ValidationError
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.disclosure import report as dr
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.settings import save_settings

from .disclosure_helpers import request

COLUMNS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
LEAVES = {
    "（三）不予公开": [
        "1.属于国家秘密",
        "2.其他法律行政法规禁止公开",
        "3.危及“三安全一稳定”",
        "4.保护第三方合法权益",
        "5.属于三类内部事务信息",
        "6.属于四类过程性信息",
        "7.属于行政执法案卷",
        "8.属于行政查询事项",
    ],
    "（四）无法提供": [
        "1.本机关不掌握相关政府信息",
        "2.没有现成信息需要另行制作",
        "3.补正后申请内容仍不明确",
    ],
    "（五）不予处理": [
        "1.信访举报投诉类申请",
        "2.重复申请",
        "3.要求提供公开出版物",
        "4.无正当理由大量反复申请",
        "5.要求行政机关确认或重新出具已获取信息",
    ],
    "（六）其他处理": [
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "3.其他",
    ],
}
PARTIAL = "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"


def zero_row() -> dict[str, int]:
    return dict.fromkeys(COLUMNS, 0)


def empty_table3() -> dict[str, Any]:
    results: dict[str, Any] = {"（一）予以公开": zero_row(), PARTIAL: zero_row()}
    for group, leaves in LEAVES.items():
        results[group] = {leaf: zero_row() for leaf in leaves}
    results["（七）总计"] = zero_row()
    return {
        "一、本年新收政府信息公开申请数量": zero_row(),
        "二、上年结转政府信息公开申请数量": zero_row(),
        "三、本年度办理结果": results,
        "四、结转下年度继续办理": zero_row(),
    }


def put(row: dict[str, int], column: str, n: int = 1) -> None:
    row[column] += n
    row["总计"] += n


@pytest.fixture
def register(records: RecordService) -> RecordService:
    """Requests over 2023–2025 with every kind of year boundary."""
    # received 2023, answered 2023: only in 2023
    request(records, "2023-03-01", "自然人", "（一）予以公开", "2023-03-20")
    # received 2023, answered 2024: carried out of 2023, into 2024, handled 2024
    request(records, "2023-12-20", "自然人", "（三）1.属于国家秘密", "2024-01-10", fee=30)
    request(records, "2023-12-28", "法律服务机构", "（六）3.其他", "2024-02-01")
    # received 2023, still open: carried through 2024 into 2025
    request(records, "2023-11-11", "科研机构")
    # received 2024, answered 2024
    request(records, "2024-02-01", "商业企业", "（二）部分公开", "2024-02-20", fee=12.5)
    request(records, "2024-03-01", "商业企业", "（二）部分公开", "2024-03-15")
    request(records, "2024-04-01", "社会公益组织", "（四）2.没有现成信息需要另行制作", "2024-04-28")
    request(
        records, "2024-05-01", "其他", "（五）5.要求行政机关确认或重新出具已获取信息", "2024-05-08"
    )
    request(records, "2024-06-01", "自然人", "（三）3.危及“三安全一稳定”", "2024-06-05")
    # answered on the last day of the year: handled in 2024, not carried
    request(records, "2024-12-01", "自然人", "（一）予以公开", "2024-12-31")
    # received 2024, answered 2025: carried out of 2024
    request(records, "2024-12-30", "其他", "（一）予以公开", "2025-01-05")
    # received 2024, open
    request(records, "2024-12-31", "商业企业")
    # deleted: counts nowhere
    gone = request(records, "2024-07-01", "自然人", "（一）予以公开", "2024-07-02")
    records.delete(gone)
    return records


def test_table3_every_cell(ctx: AppContext, register: RecordService) -> None:
    expected = empty_table3()
    new = expected["一、本年新收政府信息公开申请数量"]
    for column in ["商业企业", "商业企业", "社会公益组织", "其他", "自然人", "自然人", "其他"]:
        put(new, column)
    put(new, "商业企业")  # 2024-12-31, open
    carried_in = expected["二、上年结转政府信息公开申请数量"]
    for column in ["自然人", "法律服务机构", "科研机构"]:
        put(carried_in, column)
    res = expected["三、本年度办理结果"]
    put(res["（三）不予公开"]["1.属于国家秘密"], "自然人")
    put(res["（六）其他处理"]["3.其他"], "法律服务机构")
    put(res[PARTIAL], "商业企业", 2)
    put(res["（四）无法提供"]["2.没有现成信息需要另行制作"], "社会公益组织")
    put(res["（五）不予处理"]["5.要求行政机关确认或重新出具已获取信息"], "其他")
    put(res["（三）不予公开"]["3.危及“三安全一稳定”"], "自然人")
    put(res["（一）予以公开"], "自然人")
    for column, n in {"自然人": 3, "商业企业": 2, "社会公益组织": 1, "法律服务机构": 1}.items():
        put(res["（七）总计"], column, n)
    put(res["（七）总计"], "其他", 1)
    carried_out = expected["四、结转下年度继续办理"]
    for column in ["科研机构", "其他", "商业企业"]:
        put(carried_out, column)

    report = dr.disclosure_report(ctx, 2024)
    assert report.json()["table3"] == expected
    assert dr.check(report) == []
    assert report.fees_yuan == Decimal("42.50")


def test_carry_over_links_the_years(ctx: AppContext, register: RecordService) -> None:
    y2023 = dr.disclosure_report(ctx, 2023).json()["table3"]
    y2024 = dr.disclosure_report(ctx, 2024).json()["table3"]
    y2025 = dr.disclosure_report(ctx, 2025).json()["table3"]
    assert y2023["四、结转下年度继续办理"] == y2024["二、上年结转政府信息公开申请数量"]
    assert y2024["四、结转下年度继续办理"] == y2025["二、上年结转政府信息公开申请数量"]
    assert y2023["四、结转下年度继续办理"]["总计"] == 3
    assert y2025["二、上年结转政府信息公开申请数量"]["总计"] == 3
    assert y2025["三、本年度办理结果"]["（一）予以公开"]["其他"] == 1


def test_typed_carried_in_is_used_and_checked(ctx: AppContext, register: RecordService) -> None:
    dr.save_carried_in(ctx, 2024, {"自然人": 2, "法律服务机构": 1, "科研机构": 1})
    report = dr.disclosure_report(ctx, 2024)
    row = report.json()["table3"]["二、上年结转政府信息公开申请数量"]
    assert row == {**zero_row(), "自然人": 2, "法律服务机构": 1, "科研机构": 1, "总计": 4}
    assert report.carried_in_typed
    problems = dr.check(report)
    assert (
        "表三“自然人”列：二、上年结转政府信息公开申请数量为2（手工填写），"
        "登记簿中2023年四、结转下年度继续办理为1，两者应相等"
    ) in problems
    assert any(p.startswith("表三“自然人”列：一、本年新收") for p in problems)
    assert any(p.startswith("表三“总计”列：一、本年新收") for p in problems)
    assert not any("“商业企业”" in p for p in problems)
    # typed equal to the register: no complaint; cleared: computed again
    dr.save_carried_in(ctx, 2024, {"自然人": 1, "法律服务机构": 1, "科研机构": 1})
    assert dr.check(dr.disclosure_report(ctx, 2024)) == []
    dr.save_carried_in(ctx, 2024, None)
    assert not dr.disclosure_report(ctx, 2024).carried_in_typed
    with pytest.raises(ValidationError):
        dr.save_carried_in(ctx, 2024, {"自然人": -1})
    with pytest.raises(ValidationError):
        dr.save_carried_in(ctx, 2024, {"个人": 1})


def test_check_names_rows_and_columns(ctx: AppContext, register: RecordService) -> None:
    report = dr.disclosure_report(ctx, 2024)
    broken = dr.with_table3_row(report, dr.ROW_TOTAL, (3, 2, 0, 1, 1, 1, 9))
    problems = dr.check(broken)
    assert "表三“（七）总计”行：总计为9，六类申请人之和为8，两者应相等" in problems
    assert "表三“自然人”列：（七）总计为3，（一）至（六）各项之和为3，两者应相等" not in problems
    assert "表三“总计”列：（七）总计为9，（一）至（六）各项之和为8，两者应相等" in problems
    from dataclasses import replace

    bad4 = replace(report, table4={**report.table4, "行政复议": (1, 0, 0, 0, 2)})
    assert dr.check(bad4) == [
        "表四“行政复议”：总计为2，结果维持、结果纠正、其他结果、尚未审结之和为1，两者应相等"
    ]


def test_unclassified_answers_are_reported(ctx: AppContext, register: RecordService) -> None:
    conn = sqlite3.connect(ctx.db_path)
    with conn:
        conn.execute(
            "UPDATE records SET data = json_set(data, '$.outcome', '旧的结果')"
            " WHERE json_extract(data, '$.reply_date') = '2024-06-05'"
        )
    conn.close()
    problems = dr.check(dr.disclosure_report(ctx, 2024))
    assert (
        "有1件本年答复的申请未填写办理结果或申请人类别不在表三的列中，未计入表三，请在依申请公开登记中补正"
        in problems
    )


def test_every_outcome_of_the_form_has_its_row() -> None:
    lists = yaml.safe_load((paths.bundle_root() / "forms" / "lists.yaml").read_text("utf-8"))
    outcomes = [o if isinstance(o, str) else o["label"] for o in lists["lists"]["request_outcomes"]]
    rows = [dr.outcome_row(o) for o in outcomes]
    assert None not in rows
    assert sorted(rows) == sorted(dr.RESULT_ROWS)  # type: ignore[type-var]
    assert len(dr.T3_ROWS) == 25


def case(records: RecordService, **values: Any) -> None:
    records.create("review_case", {"applicant": "某人", **values})


def test_table4_result_as_known_at_year_end(ctx: AppContext, records: RecordService) -> None:
    case(
        records,
        case_type="行政复议",
        filed_date="2024-03-01",
        result="结果维持",
        decided_date="2024-05-01",
    )
    case(
        records,
        case_type="行政复议",
        filed_date="2024-11-01",
        result="结果纠正",
        decided_date="2025-01-10",
    )
    case(records, case_type="行政复议", filed_date="2024-12-01")
    case(
        records,
        case_type="行政诉讼",
        litigation_kind="未经复议直接起诉",
        filed_date="2024-06-01",
        result="其他结果",
        decided_date="2024-09-01",
    )
    case(
        records,
        case_type="行政诉讼",
        litigation_kind="复议后起诉",
        filed_date="2024-06-01",
        result="结果纠正",
        decided_date="2024-08-01",
    )
    case(
        records,
        case_type="行政诉讼",
        litigation_kind="复议后起诉",
        filed_date="2023-06-01",
        result="结果维持",
        decided_date="2024-08-01",
    )
    table4 = dr.disclosure_report(ctx, 2024).json()["table4"]
    assert table4 == {
        "行政复议": {"结果维持": 1, "结果纠正": 0, "其他结果": 0, "尚未审结": 2, "总计": 3},
        "行政诉讼": {
            "未经复议直接起诉": {
                "结果维持": 0,
                "结果纠正": 0,
                "其他结果": 1,
                "尚未审结": 0,
                "总计": 1,
            },
            "复议后起诉": {"结果维持": 0, "结果纠正": 1, "其他结果": 0, "尚未审结": 0, "总计": 1},
        },
    }
    y2023 = dr.disclosure_report(ctx, 2023).json()["table4"]["行政诉讼"]["复议后起诉"]
    assert y2023 == {"结果维持": 0, "结果纠正": 0, "其他结果": 0, "尚未审结": 1, "总计": 1}


def item(records: RecordService, **values: Any) -> None:
    records.create("disclosure_item", {"title": "文件", "category": "行政规范性文件", **values})


def test_table2_prefill_then_saved(ctx: AppContext, records: RecordService) -> None:
    item(records, normative=True, generated_date="2022-05-01")  # in force
    item(records, normative=True, generated_date="2024-02-01")  # made, in force
    item(
        records,
        normative=True,
        generated_date="2024-03-01",
        validity="已废止",
        abolished_date="2024-10-01",
    )
    item(
        records,
        normative=True,
        generated_date="2023-03-01",
        validity="已废止",
        abolished_date="2025-02-01",
    )
    item(records, normative=True, generated_date="2021-03-01", validity="已修改")  # in force
    item(records, normative=True, generated_date="2021-03-01", validity="已失效")  # no date: out
    item(records, normative=True, generated_date="2025-01-05")  # next year
    item(records, normative=False, generated_date="2024-02-01")
    report = dr.disclosure_report(ctx, 2024)
    assert not report.table2_saved
    assert report.json()["table2"] == {
        "第二十条第（一）项": {
            "规章": {"本年制发件数": 0, "本年废止件数": 0, "现行有效件数": 0},
            "行政规范性文件": {"本年制发件数": 2, "本年废止件数": 1, "现行有效件数": 4},
        },
        "第二十条第（五）项": {"行政许可": {"本年处理决定数量": 0}},
        "第二十条第（六）项": {
            "行政处罚": {"本年处理决定数量": 0},
            "行政强制": {"本年处理决定数量": 0},
        },
        "第二十条第（八）项": {"行政事业性收费": {"本年收费金额（单位：万元）": 0.0}},
    }
    dr.save_table2(
        ctx, 2024, {"normative_made": 3, "licensing": "5", "punishment": 2, "fees": "1.25"}
    )
    report = dr.disclosure_report(ctx, 2024)
    assert report.table2_saved
    assert report.table2 == dr.Table2(
        normative_made=3, licensing=5, punishment=2, fees=Decimal("1.25")
    )
    assert report.table2.fees_text == "1.25"
    assert not dr.disclosure_report(ctx, 2023).table2_saved  # per year
    for bad in ({"fees": "1.234"}, {"fees": "-1"}, {"licensing": "x"}, {"licensing": -2}, {"x": 1}):
        with pytest.raises(ValidationError):
            dr.save_table2(ctx, 2024, bad)
    dr.save_table2(ctx, 2024, None)
    assert dr.disclosure_report(ctx, 2024).table2.normative_made == 2


def test_texts_per_year_with_drafts_and_audit(ctx: AppContext, register: RecordService) -> None:
    save_settings(
        ctx,
        {
            "unit_name": "某某镇人民政府",
            "township": "某某镇",
            "phone": "0123-1",
            "address": "正街1号",
            "postcode": "400000",
        },
    )
    drafts = dr.disclosure_drafts(ctx, 2024)
    assert "全年新收政府信息公开申请8件，上年结转3件；本年度办结8件" in drafts.overview
    assert "结转下年度继续办理3件" in drafts.overview
    assert "本年度收取信息处理费42.50元" in drafts.other
    report = dr.disclosure_report(ctx, 2024)
    assert report.texts == drafts
    assert report.title == "某某镇人民政府2024年政府信息公开工作年度报告"
    assert "自2024年1月1日起，至2024年12月31日止" in report.opening
    assert "（地址：正街1号；邮编：400000；电话：0123-1）" in report.opening
    dr.save_disclosure_texts(ctx, 2024, dr.DisclosureTexts(overview=" 我们的总体情况 ", other="无"))
    report = dr.disclosure_report(ctx, 2024)
    assert report.texts.overview == "我们的总体情况"
    assert report.texts.other == "无"
    assert report.texts.problems == drafts.problems  # unsaved part: the draft
    assert dr.load_disclosure_texts(ctx, 2023) == dr.DisclosureTexts()
    conn = sqlite3.connect(ctx.db_path)
    rows = conn.execute(
        "SELECT field, new_value FROM audit_log WHERE field LIKE 'disclosure.2024.%'"
    ).fetchall()
    conn.close()
    assert ("disclosure.2024.overview", '"我们的总体情况"') in rows
    with pytest.raises(ValidationError):
        dr.save_disclosure_texts(ctx, 2024, dr.DisclosureTexts(problems="字" * 20001))


def test_drafts_quote_the_typed_carry_over(ctx, records) -> None:  # type: ignore[no-untyped-def]
    """A first year with typed 上年结转: the 一、总体情况 draft says what table 三 prints."""
    from gongkai_desktop.services.disclosure.report import (
        disclosure_drafts,
        disclosure_report,
        save_carried_in,
    )

    save_carried_in(ctx, 2024, {"自然人": 3, "商业企业": 1})
    report = disclosure_report(ctx, 2024)
    assert report.json()["table3"]["二、上年结转政府信息公开申请数量"]["总计"] == 4
    assert "上年结转4件" in disclosure_drafts(ctx, 2024).overview


def test_category_sentence_reads_as_prose(ctx: AppContext, records: RecordService) -> None:
    """主动公开 by 条例 category, most first, in running words (not the list labels); the
    fifth category on counted as 其他类别; channels said once each."""
    save_settings(ctx, {"unit_name": "龙河镇人民政府"})
    published = {
        "generated_date": "2023-04-01",
        "published_date": "2023-04-10",
        "status": "已公开",
        "review_result": "审查通过",
        "reviewer": "李四",
        "review_date": "2023-04-05",
    }
    for category, n, channels in (
        ("环境保护", 3, ["政府网站", "政务公开栏"]),
        ("乡镇事项", 2, ["政务公开栏"]),
        ("规范性文件", 1, ["政府网站"]),
        ("机构职能", 1, ["政府网站"]),
        ("预决算", 1, ["政府网站"]),
        ("统计信息", 1, ["政府网站"]),
    ):
        for _ in range(n):
            item(records, category=category, channels=channels, **published)
    overview = dr.disclosure_drafts(ctx, 2023).overview.splitlines()[1]
    assert overview.startswith(
        "2023年，我镇主动公开政府信息9条，其中环境保护等监督检查信息3条，"
        "农村工作、财政收支、征收征用等乡镇重点事项信息2条，"
    )
    assert "其他类别2条。" in overview  # 预决算 and 统计信息 after the four named
    assert "从公开渠道看，通过政府网站公开7条、政务公开栏公开5条" in overview
    assert "第二十条" not in overview and "项 " not in overview
    assert "0件" not in overview  # no normative documents: said without zeros
    assert dr.category_sentence({}) == ""
    assert dr.category_sentence({"第二十一条 乡镇事项（农村工作）": 0, "其他": 2}) == (
        "其中其他信息2条"
    )


def test_drafts_name_a_bureau_as_wo_ju(ctx: AppContext, records: RecordService) -> None:
    save_settings(ctx, {"unit_name": "青山县生态环境局", "township": "龙河镇"})
    drafts = dr.disclosure_drafts(ctx, 2023)
    for text in (drafts.overview, drafts.proposals, drafts.innovation):
        assert "我局" in text and "我镇" not in text
