"""Outputs of the 政府信息公开工作年度报告: the .xlsx reopened cell by cell against the
official layout of the 2021 format (written out here), the .docx tables and landscape
sections, the JSON keys, and the CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from openpyxl import load_workbook

from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.disclosure import report as dr
from gongkai_desktop.services.disclosure.report_docx import write_disclosure_docx
from gongkai_desktop.services.disclosure.report_xlsx import write_disclosure_xlsx
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.settings import save_settings

from .work_helpers import Run

TOP = 3  # the official table starts on row 3 of each sheet
NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
LEAF_ROWS = [  # table 三 rows 6..27 of the sheet: (B label, C label or None)
    ("（一）予以公开", None),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None),
    *[
        ("（三）不予公开", c)
        for c in (
            "1.属于国家秘密",
            "2.其他法律行政法规禁止公开",
            "3.危及“三安全一稳定”",
            "4.保护第三方合法权益",
            "5.属于三类内部事务信息",
            "6.属于四类过程性信息",
            "7.属于行政执法案卷",
            "8.属于行政查询事项",
        )
    ],
    *[
        ("（四）无法提供", c)
        for c in (
            "1.本机关不掌握相关政府信息",
            "2.没有现成信息需要另行制作",
            "3.补正后申请内容仍不明确",
        )
    ],
    *[
        ("（五）不予处理", c)
        for c in (
            "1.信访举报投诉类申请",
            "2.重复申请",
            "3.要求提供公开出版物",
            "4.无正当理由大量反复申请",
            "5.要求行政机关确认或重新出具已获取信息",
        )
    ],
    *[
        ("（六）其他处理", c)
        for c in (
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "3.其他",
        )
    ],
    ("（七）总计", None),
]


def rng(first_row: int, first_col: str, last_row: int, last_col: str) -> str:
    return f"{first_col}{first_row + TOP - 1}:{last_col}{last_row + TOP - 1}"


def at(row: int, col: str) -> str:
    return f"{col}{row + TOP - 1}"


@pytest.fixture
def report(ctx: AppContext, records: RecordService) -> dr.DisclosureReport:
    save_settings(ctx, {"unit_name": "某某镇人民政府", "township": "某某镇"})
    base = {"channel": "当面提交", "applicant": "某人", "content": "申请"}
    records.create(
        "disclosure_request",
        {
            **base,
            "received_date": "2023-12-20",
            "applicant_type": "自然人",
            "outcome": "（三）1.属于国家秘密",
            "reply_date": "2024-01-10",
            "status": "已办结",
        },
    )
    records.create(
        "disclosure_request",
        {
            **base,
            "received_date": "2024-03-01",
            "applicant_type": "法律服务机构",
            "outcome": "（六）2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "reply_date": "2024-03-20",
            "status": "已办结",
        },
    )
    records.create(
        "disclosure_request", {**base, "received_date": "2024-12-30", "applicant_type": "其他"}
    )
    records.create(
        "review_case",
        {
            "case_type": "行政诉讼",
            "litigation_kind": "复议后起诉",
            "filed_date": "2024-05-01",
            "applicant": "某人",
            "result": "结果纠正",
            "decided_date": "2024-10-01",
        },
    )
    dr.save_table2(
        ctx, 2024, {"normative_made": 2, "normative_in_force": 7, "punishment": 3, "fees": "1.5"}
    )
    return dr.disclosure_report(ctx, 2024)


def test_xlsx_reproduces_the_official_tables(report: dr.DisclosureReport, tmp_path: Path) -> None:
    out = tmp_path / "年报.xlsx"
    write_disclosure_xlsx(report, out)
    wb = load_workbook(out)
    assert wb.sheetnames == [
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ]

    # table 二
    ws = wb["二、主动公开政府信息情况"]
    assert ws["A1"].value == "某某镇人民政府2024年政府信息公开工作年度报告"
    labels2 = {
        at(1, "A"): "第二十条第（一）项",
        at(2, "A"): "信息内容", at(2, "B"): "本年制发件数", at(2, "C"): "本年废止件数", at(2, "D"): "现行有效件数",
        at(3, "A"): "规章", at(4, "A"): "行政规范性文件",
        at(5, "A"): "第二十条第（五）项", at(6, "A"): "信息内容", at(6, "B"): "本年处理决定数量",
        at(7, "A"): "行政许可",
        at(8, "A"): "第二十条第（六）项", at(9, "A"): "信息内容", at(9, "B"): "本年处理决定数量",
        at(10, "A"): "行政处罚", at(11, "A"): "行政强制",
        at(12, "A"): "第二十条第（八）项", at(13, "A"): "信息内容", at(13, "B"): "本年收费金额（单位：万元）",
        at(14, "A"): "行政事业性收费",
    }  # fmt: skip
    numbers2 = {
        at(3, "B"): 0, at(3, "C"): 0, at(3, "D"): 0,
        at(4, "B"): 2, at(4, "C"): 0, at(4, "D"): 7,
        at(7, "B"): 0, at(10, "B"): 3, at(11, "B"): 0, at(14, "B"): 1.5,
    }  # fmt: skip
    for ref, value in {**labels2, **numbers2}.items():
        assert ws[ref].value == value, ref
    assert ws[at(14, "B")].number_format == "0.00"
    merges2 = {rng(1, "A", 1, "D"), rng(5, "A", 5, "D"), rng(8, "A", 8, "D"), rng(12, "A", 12, "D")}
    merges2 |= {rng(r, "B", r, "D") for r in (6, 7, 9, 10, 11, 13, 14)}
    assert {str(m) for m in ws.merged_cells.ranges} == merges2 | {"A1:D1", "A2:D2"}
    assert ws.page_setup.orientation == "portrait"

    # table 三
    ws = wb["三、收到和处理政府信息公开申请情况"]
    cols = "DEFGHIJ"
    expected = {
        at(1, "A"): NOTE, at(1, "D"): "申请人情况", at(2, "D"): "自然人", at(2, "E"): "法人或其他组织",
        at(2, "J"): "总计", at(3, "E"): "商业企业", at(3, "F"): "科研机构", at(3, "G"): "社会公益组织",
        at(3, "H"): "法律服务机构", at(3, "I"): "其他",
        at(4, "A"): "一、本年新收政府信息公开申请数量", at(5, "A"): "二、上年结转政府信息公开申请数量",
        at(6, "A"): "三、本年度办理结果", at(28, "A"): "四、结转下年度继续办理",
    }  # fmt: skip
    merges3 = {
        rng(1, "A", 3, "C"), rng(1, "D", 1, "J"), rng(2, "D", 3, "D"), rng(2, "E", 2, "I"),
        rng(2, "J", 3, "J"), rng(4, "A", 4, "C"), rng(5, "A", 5, "C"), rng(6, "A", 27, "A"),
        rng(28, "A", 28, "C"), rng(8, "B", 15, "B"), rng(16, "B", 18, "B"), rng(19, "B", 23, "B"),
        rng(24, "B", 26, "B"),
    }  # fmt: skip
    for offset, (group, leaf) in enumerate(LEAF_ROWS):
        row = 6 + offset
        if leaf is None:
            expected[at(row, "B")] = group
            merges3.add(rng(row, "B", row, "C"))
        else:
            expected[at(row, "C")] = leaf
            if leaf.startswith("1."):
                expected[at(row, "B")] = group
    for ref, value in expected.items():
        assert ws[ref].value == value, ref
    assert {str(m) for m in ws.merged_cells.ranges} == merges3 | {"A1:J1", "A2:J2"}
    numbers = {row: [0] * 7 for row in range(4, 29)}
    numbers[4] = [0, 0, 0, 0, 1, 1, 2]  # 一
    numbers[5] = [1, 0, 0, 0, 0, 0, 1]  # 二
    numbers[8] = [1, 0, 0, 0, 0, 0, 1]  # （三）1
    numbers[25] = [0, 0, 0, 0, 1, 0, 1]  # （六）2
    numbers[27] = [1, 0, 0, 0, 1, 0, 2]  # （七）
    numbers[28] = [0, 0, 0, 0, 0, 1, 1]  # 四
    for row, values in numbers.items():
        assert [ws[at(row, c)].value for c in cols] == values, row  # zeros written, not blank
    assert ws[at(28, "J")].border.bottom.style == "thin"
    assert ws[at(20, "A")].border.left.style == "thin"  # inside a merge too
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToHeight == 1 and ws.page_setup.fitToWidth == 1
    assert int(ws.page_setup.paperSize) == 9  # A4

    # table 四
    ws = wb["四、政府信息公开行政复议、行政诉讼情况"]
    five = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert ws[at(1, "A")].value == "行政复议" and ws[at(1, "F")].value == "行政诉讼"
    assert [ws[at(2, c)].value for c in "ABCDE"] == five
    assert ws[at(2, "F")].value == "未经复议直接起诉" and ws[at(2, "K")].value == "复议后起诉"
    assert [ws[at(3, c)].value for c in "FGHIJKLMNO"] == five * 2
    assert [ws[at(4, c)].value for c in "ABCDEFGHIJKLMNO"] == [0] * 10 + [0, 1, 0, 0, 1]
    merges4 = {rng(1, "A", 1, "E"), rng(1, "F", 1, "O"), rng(2, "F", 2, "J"), rng(2, "K", 2, "O")}
    merges4 |= {rng(2, c, 3, c) for c in "ABCDE"}
    assert {str(m) for m in ws.merged_cells.ranges} == merges4 | {"A1:O1", "A2:O2"}


def _body_order(path: Path) -> list[str]:
    """'table' and 'section' (a section break) in body order."""
    doc = Document(str(path))
    order = []
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:tbl"):
            order.append("table")
        elif child.tag == qn("w:p") and child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
            order.append("section")
    return order


def test_docx_tables_and_landscape_pages(report: dr.DisclosureReport, tmp_path: Path) -> None:
    out = tmp_path / "年报.docx"
    write_disclosure_docx(report, out)
    doc = Document(str(out))
    texts = [p.text for p in doc.paragraphs]
    for heading in dr.SECTION_HEADINGS:
        assert heading in texts
    # the title in two lines broken before the year, never mid-phrase
    assert texts[0] == "某某镇人民政府\n2024年政府信息公开工作年度报告"
    assert [s.orientation for s in doc.sections] == [
        WD_ORIENT.PORTRAIT,
        WD_ORIENT.LANDSCAPE,
        WD_ORIENT.PORTRAIT,
    ]
    assert _body_order(out) == ["table", "section", "table", "table", "section"]
    t2, t3, t4 = doc.tables
    assert (len(t2.rows), len(t2.columns)) == (14, 4)
    assert [c.text for c in t2.rows[1].cells] == [
        "信息内容",
        "本年制发件数",
        "本年废止件数",
        "现行有效件数",
    ]
    assert [c.text for c in t2.rows[3].cells] == ["行政规范性文件", "2", "0", "7"]
    assert [c.text for c in t2.rows[13].cells] == [
        "行政事业性收费",
        "1.50",
        "1.50",
        "1.50",
    ]  # merged B–D
    assert (len(t3.rows), len(t3.columns)) == (28, 10)
    assert t3.cell(0, 0).text == NOTE and t3.cell(2, 2).text == NOTE  # A1:C3 merged
    assert [t3.cell(2, c).text for c in range(3, 10)] == [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    for offset, (group, leaf) in enumerate(LEAF_ROWS):
        row = t3.rows[5 + offset].cells
        assert row[0].text == "三、本年度办理结果"
        assert row[1].text == group
        assert row[2].text == (leaf or group)
    assert [c.text for c in t3.rows[3].cells] == ["一、本年新收政府信息公开申请数量"] * 3 + [
        "0",
        "0",
        "0",
        "0",
        "1",
        "1",
        "2",
    ]
    assert [c.text for c in t3.rows[27].cells][3:] == ["0", "0", "0", "0", "0", "1", "1"]
    assert (len(t4.rows), len(t4.columns)) == (4, 15)
    assert [c.text for c in t4.rows[3].cells] == ["0"] * 10 + ["0", "1", "0", "0", "1"]
    assert t4.cell(0, 4).text == "行政复议" and t4.cell(1, 9).text == "未经复议直接起诉"


def test_json_keys_verbatim(report: dr.DisclosureReport) -> None:
    data = report.json()
    assert list(data["table3"]) == [
        "一、本年新收政府信息公开申请数量",
        "二、上年结转政府信息公开申请数量",
        "三、本年度办理结果",
        "四、结转下年度继续办理",
    ]
    results = data["table3"]["三、本年度办理结果"]
    assert list(results) == [
        "（一）予以公开",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        "（三）不予公开",
        "（四）无法提供",
        "（五）不予处理",
        "（六）其他处理",
        "（七）总计",
    ]
    assert list(results["（一）予以公开"]) == [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    assert list(data["table4"]) == ["行政复议", "行政诉讼"]
    assert list(data["table4"]["行政诉讼"]) == ["未经复议直接起诉", "复议后起诉"]
    assert list(data["table2"]) == [
        "第二十条第（一）项",
        "第二十条第（五）项",
        "第二十条第（六）项",
        "第二十条第（八）项",
    ]
    assert (
        data["table2"]["第二十条第（八）项"]["行政事业性收费"]["本年收费金额（单位：万元）"] == 1.5
    )
    assert data["year"] == 2024 and data["unit"] == "某某镇人民政府"


def test_cli(report: dr.DisclosureReport, ctx: AppContext, run: Run, tmp_path: Path) -> None:
    code, out, err = run("report", "disclosure", "--year", "2024", "--json")
    assert code == 0 and err == ""
    assert json.loads(out)["table3"] == report.json()["table3"]
    for suffix in (".xlsx", ".docx", ".json"):
        target = tmp_path / f"r{suffix}"
        code, out, _err = run("report", "disclosure", "--year", "2024", "--out", str(target))
        assert code == 0 and target.exists() and "已生成" in out
    assert json.loads((tmp_path / "r.json").read_text("utf-8"))["table4"] == report.json()["table4"]
    dr.save_carried_in(ctx, 2024, {"自然人": 5})
    code, _out, err = run("report", "disclosure", "--year", "2024", "--json")
    assert (
        code == 0 and "警告：表三“自然人”列：二、上年结转政府信息公开申请数量为5（手工填写）" in err
    )
    code, _out, err = run("report", "disclosure", "--year", "2024", "--json", "--strict")
    assert code == 1 and "警告" in err
    code, _out, err = run(
        "report", "disclosure", "--year", "2024", "--out", str(tmp_path / "r.pdf")
    )
    assert code == 2 and "--out" in err
    code, _out, err = run("report", "disclosure", "--year", "2024")
    assert code == 2


# ---- 公文 form: title, 署名, 成文日期, section 六, widths (issue 17) ------------------------
MM = 36000  # EMU per millimetre
LABEL_PT = 10.5  # 五号, the tables' text


def test_docx_signer_date_and_section_six(
    report: dr.DisclosureReport, ctx: AppContext, tmp_path: Path
) -> None:
    # default: 署名 the unit (no 发文机关 in 设置), 成文日期 the last working day of 2024
    assert (report.signer, report.made_on.isoformat()) == ("某某镇人民政府", "2024-12-31")
    assert dr.disclosure_report(ctx, 2023).made_on.isoformat() == "2023-12-29"  # 31st: Sunday
    save_settings(ctx, {"issuer": "某某镇人民政府办公室"})
    dr.save_disclosure_texts(
        ctx,
        2024,
        dr.DisclosureTexts(proposals="全年承办人大代表建议2件，均已办结并公开。"),
    )
    chosen = dr.disclosure_report(
        ctx, 2024, date(2025, 1, 20), title="某某镇2024年度政府信息公开工作年度报告"
    )
    assert chosen.signer == "某某镇人民政府办公室"
    out = tmp_path / "chosen.docx"
    write_disclosure_docx(chosen, out)
    texts = [p.text for p in Document(str(out)).paragraphs]
    assert texts[0] == "某某镇2024年度政府信息公开工作年度报告"
    assert texts[-2:] == ["某某镇人民政府办公室", "2025年1月20日"]
    six = texts[texts.index("六、其他需要报告的事项") :]
    at = six.index("（三）人大代表建议和政协提案办理结果公开情况")
    assert six[at + 1] == "全年承办人大代表建议2件，均已办结并公开。"
    innovation = six.index("（四）年度政务公开工作创新情况")
    assert six[innovation + 1].startswith("2024年，我镇坚持以公开为常态、不公开为例外")
    # 署名 and date go with the paragraph before them (never alone on a page)
    doc = Document(str(out))
    closing = len(doc.paragraphs) - 5  # last text, two blank lines, 署名, date
    assert doc.paragraphs[closing].text == six[innovation + 1]
    assert all(
        doc.paragraphs[i].paragraph_format.keep_with_next
        for i in range(closing, len(doc.paragraphs) - 1)
    )
    # no empty page: the only section breaks are the turns to and from landscape
    assert _body_order(out).count("section") == 2


def test_table3_label_columns_fit_their_labels(report: dr.DisclosureReport, tmp_path: Path) -> None:
    """Column A holds 三、本年度办理结果 in two lines, B （三）不予公开 on one line, the
    number columns three characters a line (自然人 on one line) — in the .docx (mm of
    the page at 五号, 1 mm cell margins) and in the .xlsx (two column units a character)."""
    out = tmp_path / "w.docx"
    write_disclosure_docx(report, out)
    t3 = Document(str(out)).tables[1]
    char_mm = LABEL_PT * 25.4 / 72
    widths = [c.width / MM for c in t3.columns]
    assert widths[0] >= 5 * char_mm + 2  # 三、本年度 / 办理结果
    assert widths[1] >= 7 * char_mm + 2  # （三）不予公开
    assert widths[2] >= 16 * char_mm + 2  # 1.申请人无正当理由逾期不补正… in two lines
    assert all(w >= 3 * char_mm + 2 for w in widths[3:])
    assert sum(widths) == pytest.approx(297 - 35 - 37, abs=0.5)

    xlsx = tmp_path / "w.xlsx"
    write_disclosure_xlsx(report, xlsx)
    ws = load_workbook(xlsx)["三、收到和处理政府信息公开申请情况"]
    units = {c: ws.column_dimensions[c].width for c in "ABCDEFGHIJ"}
    assert units["A"] >= 5 * 2 + 1 and units["B"] >= 7 * 2 + 1 and units["C"] >= 16 * 2 + 1
    assert all(units[c] >= 3 * 2 + 1 for c in "DEFGHIJ")


def test_cli_title_signer_date_and_empty_unit_warning(
    report: dr.DisclosureReport, ctx: AppContext, run: Run, tmp_path: Path
) -> None:
    out = tmp_path / "c.docx"
    code, _out, err = run(
        "report", "disclosure", "--year", "2024", "--out", str(out), "--title", "自定标题",
        "--signer", "某某镇政务公开办", "--date", "2025-01-15",
    )  # fmt: skip
    assert (code, err) == (0, ""), err
    texts = [p.text for p in Document(str(out)).paragraphs]
    assert texts[0] == "自定标题" and texts[-2:] == ["某某镇政务公开办", "2025年1月15日"]
    save_settings(ctx, {"unit_name": ""})
    code, _out, err = run("report", "disclosure", "--year", "2024", "--out", str(out))
    assert code == 0 and "警告：设置中的“单位名称”为空" in err
    code, _out, err = run(
        "report", "disclosure", "--year", "2024", "--out", str(out), "--date", "2025/1/15"
    )
    assert code == 2 and "成文日期" in err
