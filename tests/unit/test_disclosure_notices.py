"""依申请公开 notices: 补正告知书, 延期答复告知书, 答复书, 送达回证.

Requests are entered through RecordService; every notice is written to .docx and read
back with python-docx. The expected articles are the DOMAIN §1.7 table written out by
hand here, and the expected deadline is counted by hand on the 2026 calendar.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.enum.text import WD_PARAGRAPH_ALIGNMENT
from docx.oxml.ns import qn

from gongkai_desktop.domain.errors import ValidationError
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.disclosure import notices as dn
from gongkai_desktop.services.io.file_output import ExportError
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.settings import save_settings

from .work_helpers import Run, stored

REMEDY = (
    "如对本答复不服，可以自收到本答复之日起60日内向青山县人民政府申请行政复议，"
    "或者在6个月内向人民法院提起行政诉讼。"
)
FULL_LAW = "《中华人民共和国政府信息公开条例》"

# DOMAIN §1.7: 办理结果 → the article the 答复书 must name (None: no article applies)
EXPECTED: dict[str, tuple[str, ...] | None] = {
    "（一）予以公开": ("第三十六条第（二）项",),
    "（二）部分公开": ("第三十七条",),
    "（三）1.属于国家秘密": ("第十四条",),
    "（三）2.其他法律行政法规禁止公开": ("第十四条",),
    "（三）3.危及“三安全一稳定”": ("第十四条",),
    "（三）4.保护第三方合法权益": ("第十五条",),
    "（三）5.属于三类内部事务信息": ("第十六条",),
    "（三）6.属于四类过程性信息": ("第十六条",),
    "（三）7.属于行政执法案卷": ("第十六条第二款",),
    "（三）8.属于行政查询事项": ("第三十六条第（七）项",),
    "（四）1.本机关不掌握相关政府信息": ("第三十六条第（四）项",),
    "（四）2.没有现成信息需要另行制作": ("第三十八条",),
    "（四）3.补正后申请内容仍不明确": ("第三十条",),
    "（五）1.信访举报投诉类申请": ("第三十九条第一款",),
    "（五）2.重复申请": ("第三十六条第（六）项",),
    "（五）3.要求提供公开出版物": ("第三十九条第二款",),
    "（五）4.无正当理由大量反复申请": ("第三十五条",),
    "（五）5.要求行政机关确认或重新出具已获取信息": None,
    "（六）1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请": ("第三十条",),
    "（六）2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请": (
        "第四十二条",
        "国办函〔2020〕109号",
    ),
    "（六）3.其他": None,
}
# articles that must NOT appear for an outcome (the easy mix-ups)
WRONG = {
    "（三）4.保护第三方合法权益": "第十四条",
    "（三）1.属于国家秘密": "第十五条",
    "（三）8.属于行政查询事项": "第十六条",
    "（五）2.重复申请": "第三十九条",
}

BASE: dict[str, Any] = {
    "channel": "当面提交",
    "received_date": "2026-03-02",
    "applicant": "王小明",
    "applicant_type": "自然人",
    "address": "青山县龙河镇幸福村5组",
    "content": "2025年龙河水库水质监测报告",
    "obtain_form": "纸质",
    "handler": "张三",
}


@pytest.fixture
def office(ctx: AppContext) -> AppContext:
    save_settings(
        ctx,
        {
            "unit_name": "龙河镇人民政府",
            "county": "青山县",
            "phone": "0571-1234567",
            "address": "青山县龙河镇人民路1号",
            "postcode": "311300",
        },
    )
    return ctx


def add_request(records: RecordService, **values: Any) -> str:
    return records.create("disclosure_request", {**BASE, **values}).id


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def write(ctx: AppContext, record_id: str, kind: str, tmp_path: Path, **options: Any) -> Path:
    notice = dn.notice_content(ctx, record_id, kind, **options)
    path = tmp_path / f"{kind}.docx"
    dn.write_notice_docx(notice, path)
    return path


# ---- 答复书 -------------------------------------------------------------------------------
def test_outcomes_are_the_form_list(ctx: AppContext) -> None:
    field = next(f for f in ctx.registry.form("disclosure_request").fields if f.key == "outcome")
    assert tuple(field.choices) == dn.OUTCOMES == tuple(EXPECTED)


@pytest.mark.parametrize("outcome", list(EXPECTED))
def test_reply_names_the_article(
    office: AppContext, records: RecordService, tmp_path: Path, outcome: str
) -> None:
    record_id = add_request(
        records,
        correction_notice_date="2026-03-04",
        correction_received_date="2026-03-09",
        outcome=outcome,
        reply_date="2026-04-20",
        status="已办结",
    )
    path = write(office, record_id, "reply", tmp_path)
    text = docx_text(path)
    assert "政府信息公开申请答复书" in text
    assert "龙河公开〔2026〕1号" in text
    assert "王小明：" in text
    assert "本机关于2026年3月2日收到您提出的政府信息公开申请" in text
    assert "2025年龙河水库水质监测报告" in text
    assert REMEDY in text
    assert "龙河镇人民政府" in text and "2026年4月20日" in text
    expected = EXPECTED[outcome]
    if expected is None:
        # no article applies: none is named
        assert not re.search(r"第[一二三四五六七八九十]+条", text), text
    else:
        for article in expected:
            assert article in text, (outcome, article)
        assert FULL_LAW in text
    if outcome in WRONG:
        assert WRONG[outcome] not in text
    if outcome.startswith("（五）5"):
        assert "通行做法" in text


@pytest.mark.parametrize(
    ("outcome", "variant", "article", "words"),
    [
        ("（一）予以公开", 1, "第三十六条第（一）项", "已经主动公开"),
        ("（四）1.本机关不掌握相关政府信息", 1, "第三十六条第（五）项", "名称"),
        ("（四）1.本机关不掌握相关政府信息", 0, "第三十六条第（四）项", "该政府信息不存在"),
    ],
)
def test_reply_variants(
    office: AppContext,
    records: RecordService,
    tmp_path: Path,
    outcome: str,
    variant: int,
    article: str,
    words: str,
) -> None:
    record_id = add_request(records, outcome=outcome)
    text = docx_text(write(office, record_id, "reply", tmp_path, variant=variant))
    assert article in text and words in text
    assert dn.reply_article(outcome, variant) == article


def test_reply_quotes_the_article(office: AppContext, records: RecordService) -> None:
    record_id = add_request(records, outcome="（三）4.保护第三方合法权益")
    notice = dn.notice_content(office, record_id, "reply", today=date(2026, 3, 20))
    body = "".join(notice.paragraphs)
    assert (
        "涉及商业秘密、个人隐私等公开会对第三方合法权益造成损害的政府信息，行政机关不得公开" in body
    )
    assert notice.article == "第十五条"
    assert notice.date == date(2026, 3, 20)  # no 答复日期 yet: today
    assert "联系电话：0571-1234567" in notice.note and "邮政编码：311300" in notice.note


def test_reply_to_an_organisation(office: AppContext, records: RecordService) -> None:
    record_id = add_request(
        records,
        applicant="青山环保科技有限公司",
        applicant_type="商业企业",
        outcome="（一）予以公开",
    )
    notice = dn.notice_content(office, record_id, "reply")
    assert "你单位" in "".join(notice.paragraphs)
    assert "按照你单位要求的“纸质”方式" in "".join(notice.paragraphs)


# ---- 补正告知书 ---------------------------------------------------------------------------
def test_correction_notice(office: AppContext, records: RecordService, tmp_path: Path) -> None:
    record_id = add_request(records, correction_notice_date="2026-03-04")
    path = write(office, record_id, "补正告知书", tmp_path)
    text = docx_text(path)
    assert "政府信息公开申请补正告知书" in text
    assert "龙河公开〔2026〕1号" in text
    assert "王小明：" in text
    assert "2026年3月2日" in text
    assert "第二十九条" in text and "第三十条" in text
    assert "15个工作日" in text
    assert "答复期限自本机关收到补正的申请之日起计算" in text
    assert "视为放弃申请" in text
    assert "2026年3月4日" in text  # the notice's date
    assert "通信地址：青山县龙河镇人民路1号" in text


def test_correction_items_and_today(office: AppContext, records: RecordService) -> None:
    record_id = add_request(records)
    notice = dn.notice_content(
        office,
        record_id,
        "correction",
        today=date(2026, 3, 3),
        correction_items=["所需监测报告的时间段", "2.获取信息的方式"],
    )
    assert notice.date == date(2026, 3, 3)
    assert "1.所需监测报告的时间段" in notice.paragraphs
    assert "2.获取信息的方式" in notice.paragraphs


def test_correction_refused_when_closed_without_one(
    office: AppContext, records: RecordService
) -> None:
    record_id = add_request(
        records, outcome="（一）予以公开", reply_date="2026-03-10", status="已办结"
    )
    with pytest.raises(ValidationError) as caught:
        dn.notice_content(office, record_id, "correction")
    assert "补正告知日期" in str(caught.value)


# ---- 延期答复告知书 -----------------------------------------------------------------------
def test_extension_notice(
    office: AppContext, records: RecordService, tmp_path: Path, db_path: Path
) -> None:
    record_id = add_request(
        records, extended=True, extension_approver="李主任", extension_notice_date="2026-03-27"
    )
    # counted by hand: from 3 March, the 40th working day (清明 4–6 April off) is 28 April
    assert stored(db_path, record_id)["data"]["reply_deadline"] == "2026-04-28"
    text = docx_text(write(office, record_id, "extension", tmp_path))
    assert "政府信息公开申请延期答复告知书" in text
    assert "第三十三条第二款" in text
    assert "2026年3月2日" in text and "20个工作日" in text
    assert "最迟于2026年4月28日作出答复" in text
    assert "2026年3月27日" in text
    assert "政府信息公开工作机构负责人同意" in text


def test_extension_refused_when_not_extended(office: AppContext, records: RecordService) -> None:
    record_id = add_request(records)
    with pytest.raises(ValidationError) as caught:
        dn.notice_content(office, record_id, "延期答复告知书")
    assert [e.field for e in caught.value.errors] == ["extended"]
    assert "延期答复" in str(caught.value)


# ---- 送达回证 -----------------------------------------------------------------------------
def test_receipt_form(office: AppContext, records: RecordService, tmp_path: Path) -> None:
    record_id = add_request(
        records,
        outcome="（三）4.保护第三方合法权益",
        reply_date="2026-04-20",
        status="已办结",
        delivery_method="邮寄送达",
        delivered_date="2026-04-21",
    )
    path = write(office, record_id, "送达回证", tmp_path)
    doc = Document(str(path))
    assert doc.paragraphs[0].text == "送达回证"
    (table,) = doc.tables
    rows = {row.cells[0].text.replace("\n", ""): row.cells[1].text for row in table.rows}
    assert rows["送达文书名称及文号"] == "政府信息公开申请答复书\n龙河公开〔2026〕1号"
    assert rows["受送达人"] == "王小明"
    assert rows["送达地点"] == "青山县龙河镇幸福村5组"
    assert "☑邮寄送达" in rows["送达方式"] and "□直接送达" in rows["送达方式"]
    assert rows["送达日期"] == "2026年4月21日"
    assert rows["送达人"] == "张三"
    assert rows["送达机关（盖章）"] == "龙河镇人民政府"
    assert "受送达人签名（盖章）" in rows
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None and borders.find(qn("w:insideH")) is not None


def test_receipt_of_an_earlier_notice(office: AppContext, records: RecordService) -> None:
    record_id = add_request(records, correction_notice_date="2026-03-04")
    notice = dn.notice_content(office, record_id, "receipt")
    assert dict(notice.rows)["送达文书\n名称及文号"].startswith("政府信息公开申请补正告知书")
    assert dict(notice.rows)["送达日期"] == dn.BLANK_DATE  # to fill in by hand


# ---- availability and missing data ---------------------------------------------------------
def test_availability(office: AppContext, records: RecordService) -> None:
    record_id = add_request(records)
    got = dn.notice_availability(office, record_id)
    assert got["correction"] == ""
    assert "延期答复" in got["extension"]
    assert "办理结果" in got["reply"]
    # nothing recorded as sent yet: no 送达回证
    assert "还没有可送达的文书" in got["receipt"]


def test_missing_settings_are_named(ctx: AppContext, records: RecordService) -> None:
    record_id = add_request(records, outcome="（一）予以公开")
    with pytest.raises(ValidationError) as caught:
        dn.notice_content(ctx, record_id, "reply")
    fields = {e.field for e in caught.value.errors}
    assert fields == {"unit_name", "county"}
    assert "单位名称" in str(caught.value) and "县（市、区）" in str(caught.value)


def test_outcome_needing_correction_dates(office: AppContext, records: RecordService) -> None:
    record_id = add_request(
        records,
        outcome="（六）1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    )
    with pytest.raises(ValidationError) as caught:
        dn.notice_content(office, record_id, "reply")
    assert [e.field for e in caught.value.errors] == ["correction_notice_date"]


def test_not_a_request(office: AppContext, records: RecordService) -> None:
    site_id = records.create(
        "site", {"site_type": "排污单位", "name": "青山化工", "village": "东村"}
    ).id
    with pytest.raises(ValidationError, match="不是依申请公开记录"):
        dn.notice_content(office, site_id, "reply")


def test_unknown_kind() -> None:
    with pytest.raises(ValidationError, match="不是可生成的文书"):
        dn.notice_kind("通知书")
    assert dn.notice_kind("答复书").id == "reply"
    assert dn.notice_kind("政府信息公开申请答复书").id == "reply"


# ---- format -------------------------------------------------------------------------------
def test_official_format(office: AppContext, records: RecordService, tmp_path: Path) -> None:
    record_id = add_request(
        records, outcome="（二）部分公开", reply_date="2026-04-20", status="已办结"
    )
    doc = Document(str(write(office, record_id, "reply", tmp_path)))
    section = doc.sections[0]
    for got, want in (
        (section.page_width, 210),
        (section.page_height, 297),
        (section.top_margin, 37),
        (section.bottom_margin, 35),
        (section.left_margin, 28),
        (section.right_margin, 26),
    ):
        assert got is not None and abs(got.mm - want) <= 0.5
    title = doc.paragraphs[0]
    assert title.text == "政府信息公开申请答复书"
    assert title.alignment == WD_PARAGRAPH_ALIGNMENT.CENTER
    for run in title.runs:
        assert run.font.size.pt == 22.0
        assert run._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    addressee = next(p for p in doc.paragraphs if p.text == "王小明：")
    assert not addressee.paragraph_format.first_line_indent
    body = next(p for p in doc.paragraphs if p.text.startswith("本机关于"))
    assert abs(body.paragraph_format.first_line_indent.pt - 32) < 0.1
    for run in body.runs:
        assert run.font.size.pt == 16.0
        assert run._r.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"
    footer = section.footer.paragraphs[0]
    assert footer.text == "— 1 —"
    # the signature: unit then date, flush right; the 附注 under it
    texts = [p.text for p in doc.paragraphs if p.text.strip()]
    at = texts.index("龙河镇人民政府")
    assert texts[at + 1] == "2026年4月20日"
    assert texts[at + 2].startswith("（联系人：张三")
    assert doc.core_properties.title == "政府信息公开申请答复书"


def test_file_name_and_failed_write(
    office: AppContext, records: RecordService, tmp_path: Path
) -> None:
    record_id = add_request(records, applicant="王/小明", outcome="（一）予以公开")
    notice = dn.notice_content(office, record_id, "reply")
    assert dn.notice_file_name(notice) == "王小明_答复书_YSQ2026-001.docx"
    with pytest.raises(ExportError):
        dn.write_notice_docx(notice, tmp_path / "no such folder" / "x.docx")


# ---- command line -------------------------------------------------------------------------
def test_cli_notice(office: AppContext, records: RecordService, run: Run, tmp_path: Path) -> None:
    record_id = add_request(records, outcome="（三）4.保护第三方合法权益")
    out = tmp_path / "答复书.docx"
    code, stdout, err = run("notice", "答复书", record_id, "--out", str(out))
    assert (code, err) == (0, ""), err
    assert "第十五条" in stdout and "文号龙河公开〔2026〕1号" in stdout
    assert "第十五条" in docx_text(out) and REMEDY in docx_text(out)

    out2 = tmp_path / "回证.docx"
    code, stdout, err = run("notice", "receipt", record_id, "--out", str(out2), "--json")
    assert (code, err) == (0, ""), err
    assert '"kind": "receipt"' in stdout
    assert out2.exists()


def test_cli_notice_errors(
    office: AppContext, records: RecordService, run: Run, tmp_path: Path
) -> None:
    record_id = add_request(records)
    out = tmp_path / "x.docx"
    code, _out, err = run("notice", "extension", record_id, "--out", str(out))
    assert code == 2 and "延期答复" in err and not out.exists()
    code, _out, err = run("notice", "通知书", record_id, "--out", str(out))
    assert code == 2 and "不是可生成的文书" in err
    code, _out, err = run("notice", "reply", record_id, "--out", str(tmp_path / "x.pdf"))
    assert code == 2 and ".docx" in err
    code, _out, err = run("notice", "reply", "no-such-id", "--out", str(out))
    assert code == 2 and "找不到记录" in err


# ---- 文号 and the request's content ------------------------------------------------------
def test_number_from_the_pattern_of_settings(
    office: AppContext, records: RecordService, tmp_path: Path
) -> None:
    """The first request of 2023 is 龙河公开〔2023〕1号, the second 2号; a request of
    2024 starts again at 1; a typed 登记编号 of another shape counts by date of receipt."""
    first = add_request(records, received_date="2023-02-01")
    second = add_request(records, received_date="2023-03-15")
    next_year = add_request(records, received_date="2024-01-08")
    typed_a = add_request(records, received_date="2025-05-02", request_no="甲-7")
    typed_b = add_request(records, received_date="2025-04-01", request_no="甲-9")
    texts = {
        rid: docx_text(write(office, rid, "correction", tmp_path, today=date(2026, 1, 5)))
        for rid in (first, second, next_year, typed_a, typed_b)
    }
    assert "\n龙河公开〔2023〕1号\n" in texts[first]
    assert "\n龙河公开〔2023〕2号\n" in texts[second]
    assert "\n龙河公开〔2024〕1号\n" in texts[next_year]
    assert "\n龙河公开〔2025〕2号\n" in texts[typed_a]  # received after 甲-9
    assert "\n龙河公开〔2025〕1号\n" in texts[typed_b]
    assert all("第YSQ" not in t and "〔2023〕第" not in t for t in texts.values())

    save_settings(office, {"notice_number_pattern": "青龙政公〔{年}〕第{序号}号"})
    assert dn.notice_content(office, second, "correction").number == "青龙政公〔2023〕第2号"
    with pytest.raises(ValidationError, match="不认识的占位符"):
        save_settings(office, {"notice_number_pattern": "龙河公开〔{年份}〕{序号}号"})
    with pytest.raises(ValidationError, match="须含"):
        save_settings(office, {"notice_number_pattern": "龙河公开〔{年}〕号"})


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("申请公开“2025年龙河水库水质监测报告”", "申请公开“2025年龙河水库水质监测报告”。"),
        ("申请公开2025年龙河水库水质监测报告", "申请公开“2025年龙河水库水质监测报告”。"),
        ("要求公开：龙河镇“河长制”工作方案", "申请公开“龙河镇‘河长制’工作方案”。"),
        ("申请人所在村的低保名单。", "申请公开“申请人所在村的低保名单”。"),
    ],
)
def test_content_said_once(
    office: AppContext, records: RecordService, tmp_path: Path, typed: str, said: str
) -> None:
    rid = add_request(records, content=typed)
    text = docx_text(write(office, rid, "correction", tmp_path, today=date(2026, 3, 3)))
    assert said in text
    assert "申请公开“申请公开" not in text and "申请公开“要求公开" not in text
    assert text.count("申请公开") == text.count("申请公开“") + text.count("申请公开的")
