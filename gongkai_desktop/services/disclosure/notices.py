"""依申请公开 notices: the Word documents a clerk sends while handling a request.

补正告知书 (条例第二十九条、第三十条), 延期答复告知书 (第三十三条第二款), 政府信息公开申请
答复书 (the article of DOMAIN §1.7 for the request's 办理结果) and 送达回证, each built
from one 依申请公开 record and the office's 设置, in the official-document format
(``official_docx.OfficialDocument``).

``notice_content`` decides every word (a plain ``Notice``); ``write_notice_docx`` only
lays it out. Text the clerk has to complete in Word (the reason a part is withheld, the
body that holds the information …) is written between 【 and 】 so it is easy to find.
A notice that lacks the data it needs raises a ``ValidationError`` naming the field,
and ``notice_availability`` turns those errors into reasons the dialog can show.

Decisions: the 补正 period is 15 working days from receipt of the 补正告知书 (条例第三十条
asks for a 合理的补正期限 without a number; 15 个工作日 is what county offices commonly
give); the 文号 follows the pattern of 设置 → 依申请公开文书文号 (default
〈单位简称〉公开〔{年}〕{序号}号), with the year the request was received and its number
within that year — the number of its 登记编号 (YSQ2023-001 → 1) when it has the form's
generated shape, else its place among the year's live requests by date of receipt —
so every notice of one request carries the same 文号; the 行政复议机关 of a township
office is the county government (行政复议法 2023 第二十四条), named from 设置 → 县（市、区）.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, BinaryIO

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_LINE_SPACING, WD_PARAGRAPH_ALIGNMENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import OxmlElement
from docx.shared import Mm, Pt
from sqlalchemy import and_, func, or_, select

from gongkai_desktop.data.models import Record
from gongkai_desktop.domain.errors import FieldError, ValidationError
from gongkai_desktop.domain.periods import format_cn_date
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.disclosure.notice_kinds import NOTICE_KINDS, NoticeKind
from gongkai_desktop.services.documents.content import (
    default_number_pattern,
    fill_number,
    number_pattern_problem,
    quoted,
)
from gongkai_desktop.services.documents.official_docx import OfficialDocument, set_run_font
from gongkai_desktop.services.io.file_output import write_atomically
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.records.sql import json_value, live
from gongkai_desktop.services.records.writing import sequence_of
from gongkai_desktop.services.settings import load_settings

REQUEST_FORM = "disclosure_request"
LAW = "《中华人民共和国政府信息公开条例》"
SHORT_LAW = "《条例》"
CORRECTION_PERIOD = "15个工作日"
CLOSED = "已办结"
BLANK_DATE = "　　年　　月　　日"


_KIND_BY_TEXT = {text: kind for kind in NOTICE_KINDS for text in (kind.id, kind.name, kind.title)}


def notice_kind(text: str | NoticeKind) -> NoticeKind:
    """The kind named by its ascii id, its name or its title."""
    if isinstance(text, NoticeKind):
        return text
    found = _KIND_BY_TEXT.get(text.strip())
    if found is None:
        names = "、".join(f"{k.name}（{k.id}）" for k in NOTICE_KINDS)
        raise ValidationError(
            [FieldError("kind", "文书种类", f"“{text}”不是可生成的文书：{names}")]
        )
    return found


@dataclass(frozen=True)
class Notice:
    """Everything one notice says, in reading order."""

    kind: NoticeKind
    title: str
    number: str  # 文号: 龙河公开〔2026〕1号 ("" for the 送达回证)
    addressee: str  # the applicant ("" for the 送达回证)
    paragraphs: tuple[str, ...]
    article: str  # the 条例 article the notice rests on ("" when none)
    unit: str  # 发文机关署名
    date: date | None
    request_no: str
    applicant: str
    rows: tuple[tuple[str, str], ...] = ()  # the 送达回证 form: (label, value)
    tall_rows: frozenset[str] = field(default_factory=frozenset)  # rows with room to sign
    # 附注 under the date (GB/T 9704 7.3.7): the office's contact details
    note: str = ""

    @property
    def date_text(self) -> str:
        return format_cn_date(self.date) if self.date else BLANK_DATE


# ---- 答复书 wording by 办理结果 ----------------------------------------------------------
# Each entry: (article cited, paragraph). {you} is 您 or 你单位; 《条例》 becomes the full
# name at its first use in the document. The quotations are the 条例's own words.
_ART14 = (
    "依法确定为国家秘密的政府信息，法律、行政法规禁止公开的政府信息，以及公开后可能危及"
    "国家安全、公共安全、经济安全、社会稳定的政府信息，不予公开"
)
_ART16_2 = (
    "行政机关在履行行政管理职能过程中形成的讨论记录、过程稿、磋商信函、请示报告等过程性"
    "信息以及行政执法案卷信息，可以不予公开。法律、法规、规章规定上述信息应当公开的，从其规定"
)
_WITHHELD = "和第三十六条第（三）项的规定，本机关决定不予公开。"

OUTCOME_VARIANTS: dict[str, tuple[str, ...]] = {
    "（一）予以公开": ("可以公开，向申请人提供", "已经主动公开，告知获取方式"),
    "（四）1.本机关不掌握相关政府信息": ("经检索信息不存在", "不属于本机关负责公开"),
}

_REPLIES: dict[tuple[str, int], tuple[str, str]] = {
    ("（一）予以公开", 0): (
        "第三十六条第（二）项",
        "{you}申请公开的政府信息属于可以公开的政府信息。根据《条例》第三十六条第（二）项"
        "“所申请公开信息可以公开的，向申请人提供该政府信息，或者告知申请人获取该政府信息的"
        "方式、途径和时间”的规定，本机关{provide}。",
    ),
    ("（一）予以公开", 1): (
        "第三十六条第（一）项",
        "{you}申请公开的政府信息本机关已经主动公开。根据《条例》第三十六条第（一）项"
        "“所申请公开信息已经主动公开的，告知申请人获取该政府信息的方式、途径”的规定，"
        "{you}可以通过【公开该信息的网站栏目或者查阅场所】获取该政府信息。",
    ),
    ("（二）部分公开", 0): (
        "第三十七条",
        "{you}申请公开的信息中含有不应当公开或者不属于政府信息的内容，但是能够作区分处理。"
        "根据《条例》第三十七条“申请公开的信息中含有不应当公开或者不属于政府信息的内容，"
        "但是能够作区分处理的，行政机关应当向申请人提供可以公开的政府信息内容，并对不予公开"
        "的内容说明理由”的规定，本机关{provide_part}。其中【不予公开的内容】不予公开，"
        "理由是：【不予公开的理由和依据】。",
    ),
    ("（三）1.属于国家秘密", 0): (
        "第十四条",
        "{you}申请公开的政府信息属于依法确定为国家秘密的政府信息。"
        f"根据《条例》第十四条“{_ART14}”{_WITHHELD}",
    ),
    ("（三）2.其他法律行政法规禁止公开", 0): (
        "第十四条",
        "{you}申请公开的政府信息属于【法律、行政法规的名称和条款】禁止公开的政府信息。"
        f"根据《条例》第十四条“{_ART14}”{_WITHHELD}",
    ),
    ("（三）3.危及“三安全一稳定”", 0): (
        "第十四条",
        "{you}申请公开的政府信息公开后可能危及国家安全、公共安全、经济安全、社会稳定。"
        f"根据《条例》第十四条“{_ART14}”{_WITHHELD}",
    ),
    ("（三）4.保护第三方合法权益", 0): (
        "第十五条",
        "{you}申请公开的政府信息涉及【商业秘密／个人隐私】，公开会对第三方合法权益造成损害。"
        "{consulted}根据《条例》第十五条“涉及商业秘密、个人隐私等公开会对第三方合法权益造成"
        "损害的政府信息，行政机关不得公开。但是，第三方同意公开或者行政机关认为不公开会对"
        f"公共利益造成重大影响的，予以公开”{_WITHHELD}",
    ),
    ("（三）5.属于三类内部事务信息", 0): (
        "第十六条第一款",
        "{you}申请公开的信息属于本机关的内部事务信息（【人事管理／后勤管理／内部工作流程】"
        "方面的信息）。根据《条例》第十六条第一款“行政机关的内部事务信息，包括人事管理、"
        f"后勤管理、内部工作流程等方面的信息，可以不予公开”{_WITHHELD}",
    ),
    ("（三）6.属于四类过程性信息", 0): (
        "第十六条第二款",
        "{you}申请公开的信息属于本机关在履行行政管理职能过程中形成的【讨论记录／过程稿／"
        f"磋商信函／请示报告】等过程性信息。根据《条例》第十六条第二款“{_ART16_2}”{_WITHHELD}",
    ),
    ("（三）7.属于行政执法案卷", 0): (
        "第十六条第二款",
        "{you}申请公开的信息属于行政执法案卷信息。"
        f"根据《条例》第十六条第二款“{_ART16_2}”{_WITHHELD}",
    ),
    ("（三）8.属于行政查询事项", 0): (
        "第三十六条第（七）项",
        "{you}申请公开的信息属于【工商登记资料／不动产登记资料】等信息，有关法律、行政法规对"
        "该信息的获取有特别规定。根据《条例》第三十六条第（七）项“所申请公开信息属于工商、"
        "不动产登记资料等信息，有关法律、行政法规对信息的获取有特别规定的，告知申请人依照"
        "有关法律、行政法规的规定办理”的规定，请{you}依照【有关法律、行政法规的名称】的规定，"
        "向【登记机构的名称】办理查询。",
    ),
    ("（四）1.本机关不掌握相关政府信息", 0): (
        "第三十六条第（四）项",
        "经检索，本机关没有{you}所申请公开的政府信息。根据《条例》第三十六条第（四）项"
        "“经检索没有所申请公开信息的，告知申请人该政府信息不存在”的规定，现告知{you}该政府"
        "信息不存在。",
    ),
    ("（四）1.本机关不掌握相关政府信息", 1): (
        "第三十六条第（五）项",
        "{you}所申请公开的信息不属于本机关负责公开，理由是：【理由，例如该信息由哪个机关"
        "制作或者最初获取】。根据《条例》第三十六条第（五）项“所申请公开信息不属于本行政机关"
        "负责公开的，告知申请人并说明理由；能够确定负责公开该政府信息的行政机关的，告知申请人"
        "该行政机关的名称、联系方式”的规定，负责公开该政府信息的行政机关为【机关名称】，"
        "联系方式：【地址、电话】。",
    ),
    ("（四）2.没有现成信息需要另行制作", 0): (
        "第三十八条",
        "本机关没有{you}所申请的现成信息，需要对现有政府信息进行加工、分析才能形成。根据"
        "《条例》第三十八条“行政机关向申请人提供的信息，应当是已制作或者获取的政府信息。除"
        "依照本条例第三十七条的规定能够作区分处理的外，需要行政机关对现有政府信息进行加工、"
        "分析的，行政机关可以不予提供”的规定，本机关不予提供。",
    ),
    ("（四）3.补正后申请内容仍不明确", 0): (
        "第三十条",
        "本机关已于{correction_notice}告知{you}作出补正，并于{correction_received}收到补正后的"
        "申请。经审查，补正后的申请内容仍不明确，本机关无法确定{you}所申请公开的政府信息。根据"
        "《条例》第三十条的规定，本机关无法向{you}提供所申请的政府信息。{you}可以在明确所需"
        "政府信息的名称、文号或者便于查询的其他特征性描述后重新提出申请。",
    ),
    ("（五）1.信访举报投诉类申请", 0): (
        "第三十九条第一款",
        "{you}提出的申请内容属于【信访／投诉／举报】事项。根据《条例》第三十九条第一款"
        "“申请人以政府信息公开申请的形式进行信访、投诉、举报等活动，行政机关应当告知申请人"
        "不作为政府信息公开申请处理并可以告知通过相应渠道提出”的规定，本机关不作为政府信息"
        "公开申请处理。{you}可以通过【信访、投诉、举报的渠道】提出。",
    ),
    ("（五）2.重复申请", 0): (
        "第三十六条第（六）项",
        "本机关已于【日期】就{you}提出的相同政府信息公开申请作出答复（【原答复书文号】）。"
        "根据《条例》第三十六条第（六）项“行政机关已就申请人提出的政府信息公开申请作出答复、"
        "申请人重复申请公开相同政府信息的，告知申请人不予重复处理”的规定，本机关不予重复处理。",
    ),
    ("（五）3.要求提供公开出版物", 0): (
        "第三十九条第二款",
        "{you}申请获取的是【政府公报／报刊／书籍】等公开出版物。根据《条例》第三十九条第二款"
        "“申请人提出的申请内容为要求行政机关提供政府公报、报刊、书籍等公开出版物的，行政机关"
        "可以告知获取的途径”的规定，{you}可以通过【获取途径】获取。",
    ),
    ("（五）4.无正当理由大量反复申请", 0): (
        "第三十五条",
        "{you}申请公开政府信息的数量、频次明显超过合理范围。本机关已要求{you}说明理由，经审查"
        "认为申请理由不合理。根据《条例》第三十五条“申请人申请公开政府信息的数量、频次明显"
        "超过合理范围，行政机关可以要求申请人说明理由。行政机关认为申请理由不合理的，告知"
        "申请人不予处理”的规定，本机关不予处理。",
    ),
    # 条例 has no article for this row (DOMAIN §1.7: practice); none is cited.
    ("（五）5.要求行政机关确认或重新出具已获取信息", 0): (
        "",
        "{you}的申请是要求本机关对{you}已经获取的信息予以确认或者重新出具。政府信息公开是向"
        "申请人提供行政机关已制作或者获取的政府信息，不包括对信息进行确认或者重新出具。按照"
        "政府信息公开工作的通行做法，该申请不作为政府信息公开申请处理，本机关不予处理。",
    ),
    ("（六）1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", 0): (
        "第三十条",
        "本机关已于{correction_notice}告知{you}作出补正，{you}无正当理由逾期未补正。根据"
        "《条例》第三十条“申请人无正当理由逾期不补正的，视为放弃申请，行政机关不再处理该政府"
        "信息公开申请”的规定，视为{you}放弃申请，本机关不再处理该政府信息公开申请。",
    ),
    ("（六）2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", 0): (
        "第四十二条",
        "本机关已于【日期】向{you}发出收取信息处理费的通知，{you}逾期未按通知要求缴纳费用。"
        "根据《条例》第四十二条和《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）的"
        "有关规定，本机关不再处理{you}的政府信息公开申请。",
    ),
    ("（六）3.其他", 0): (
        "",
        "经审查，本机关对{you}的申请作如下处理：【处理情况和依据】。",
    ),
}
OUTCOMES: tuple[str, ...] = tuple(dict.fromkeys(outcome for outcome, _ in _REPLIES))
# outcomes whose wording needs the 补正 dates
_NEEDS_CORRECTION = {
    "（四）3.补正后申请内容仍不明确": ("correction_notice_date", "correction_received_date"),
    "（六）1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请": (
        "correction_notice_date",
    ),
}
DEFAULT_CORRECTION_ITEMS = ("申请公开的政府信息的名称、文号或者便于本机关查询的其他特征性描述。",)
DELIVERY_METHODS = ("直接送达", "邮寄送达", "电子送达", "其他")


def reply_article(outcome: str, variant: int = 0) -> str:
    """The 条例 article a 答复书 with this 办理结果 cites ("" when none applies)."""
    return _REPLIES[(outcome, variant)][0]


# ---- reading the record ----------------------------------------------------------------
class _Request:
    """The record's values with the labels of the form, for messages naming a field."""

    def __init__(self, ctx: AppContext, record_id: str) -> None:
        view = RecordService(ctx).get(record_id)
        form = ctx.registry.form(REQUEST_FORM)
        if view.form_id != form.id:
            raise ValidationError(
                [FieldError("record", "记录", f"不是依申请公开记录（表单“{view.form_id}”）")]
            )
        self.values: dict[str, Any] = view.values
        self.labels = {spec.key: spec.label for spec in form.fields}
        self.settings = load_settings(ctx)
        self.sequence = _sequence(
            ctx, record_id, self.text("request_no"), self.day("received_date")
        )

    def text(self, key: str) -> str:
        value = self.values.get(key)
        return "" if value is None else str(value).strip()

    def day(self, key: str) -> date | None:
        value = self.values.get(key)
        if isinstance(value, date):
            return value
        return date.fromisoformat(value) if isinstance(value, str) and value else None

    def missing(self, key: str, message: str) -> FieldError:
        return FieldError(key, self.labels.get(key, key), message)

    @property
    def you(self) -> str:
        return "您" if self.text("applicant_type") in ("", "自然人") else "你单位"

    @property
    def closed(self) -> bool:
        return self.text("status") == CLOSED


def _require_basics(request: _Request, errors: list[FieldError]) -> None:
    for key in ("request_no", "received_date", "applicant"):
        if not request.text(key):
            errors.append(request.missing(key, "生成文书须先填写"))
    if not request.settings.get("unit_name"):
        errors.append(FieldError("unit_name", "单位名称（设置）", "请先在“设置”中填写单位名称"))
    _check_pattern(request, errors)


def _sequence(ctx: AppContext, record_id: str, request_no: str, received: date | None) -> int:
    """The request's number within the year it was received (0 without a date)."""
    if received is None:
        return 0
    spec = ctx.registry.form(REQUEST_FORM).field("request_no")
    if spec.generate:
        head = spec.generate.split("{seq", 1)[0].format(year=received.year)
        if request_no.startswith(head) and sequence_of(request_no, head):
            return sequence_of(request_no, head)
    number = json_value(Record, "request_no")
    with ctx.transaction() as session:
        before = session.scalar(
            select(func.count()).where(
                live(Record, REQUEST_FORM),
                Record.record_date >= date(received.year, 1, 1),
                Record.id != record_id,
                or_(
                    Record.record_date < received,
                    and_(
                        Record.record_date == received,
                        or_(
                            func.coalesce(number, "") < request_no,
                            and_(func.coalesce(number, "") == request_no, Record.id < record_id),
                        ),
                    ),
                ),
            )
        )
    return int(before or 0) + 1


def notice_number(request: _Request) -> str:
    """The 文号 of the request's notices from 设置's pattern: 龙河公开〔2023〕1号."""
    received = request.day("received_date")
    pattern = request.settings.get("notice_number_pattern", "").strip()
    pattern = pattern or default_number_pattern(request.settings.get("unit_name", ""))
    if received is None or number_pattern_problem(pattern):
        return ""
    return fill_number(pattern, received.year, request.sequence)


def _check_pattern(request: _Request, errors: list[FieldError]) -> None:
    pattern = request.settings.get("notice_number_pattern", "").strip()
    problem = number_pattern_problem(pattern) if pattern else ""
    if problem:
        errors.append(FieldError("notice_number_pattern", "依申请公开文书文号（设置）", problem))


# what a clerk often types before the information itself: 申请公开“…”, 要求提供…
_ASKED = re.compile(
    r"^(?:我|本人|本单位)?(?:(?:申请|要求|请求)(?:公开|提供|获取)[:：]?|(?:申请|要求|请求)[:：])\s*"
)


def _content(request: _Request) -> str:
    """The information asked for, once: without a leading 申请公开/要求公开 (the sentence
    says that) and in quotation marks nested correctly."""
    text = re.sub(r"\s*\n\s*", "；", request.text("content"))
    text = _ASKED.sub("", text).strip()
    return quoted(text.rstrip("。；;.，, "))


def _opening(request: _Request, *, with_correction: bool = True) -> str:
    received = request.day("received_date")
    assert received is not None
    opening = (
        f"本机关于{format_cn_date(received)}收到{request.you}提出的政府信息公开申请"
        f"（登记编号：{request.text('request_no')}），申请公开{_content(request)}。"
    )
    corrected = request.day("correction_received_date")
    if corrected and with_correction:
        opening += f"本机关于{format_cn_date(corrected)}收到{request.you}补正后的申请。"
    return opening


def _contact(request: _Request) -> str:
    settings = request.settings
    parts = [
        ("联系人", request.text("handler")),
        ("联系电话", settings.get("phone", "")),
        ("通信地址", settings.get("address", "")),
        ("邮政编码", settings.get("postcode", "")),
    ]
    filled = [f"{label}：{value}" for label, value in parts if value]
    return "；".join(filled)


def _full_law_once(paragraphs: Sequence[str]) -> tuple[str, ...]:
    """The first 《条例》 becomes the full name (with （以下简称《条例》） when it is
    used again)."""
    out: list[str] = []
    done = False
    again = sum(text.count(SHORT_LAW) for text in paragraphs) > 1
    full = f"{LAW}（以下简称{SHORT_LAW}）" if again else LAW
    for text in paragraphs:
        if not done and SHORT_LAW in text:
            text = text.replace(SHORT_LAW, full, 1)
            done = True
        out.append(text)
    return tuple(out)


def _notice(
    request: _Request,
    kind: NoticeKind,
    day: date | None,
    paragraphs: Sequence[str],
    article: str,
) -> Notice:
    return Notice(
        kind=kind,
        title=kind.title,
        number=notice_number(request),
        addressee=request.text("applicant"),
        paragraphs=_full_law_once(paragraphs),
        article=article,
        unit=request.settings.get("unit_name", ""),
        date=day,
        request_no=request.text("request_no"),
        applicant=request.text("applicant"),
        note=_contact(request),
    )


# ---- the four notices ------------------------------------------------------------------
def _correction(
    request: _Request, today: date, items: Sequence[str] | None, errors: list[FieldError]
) -> Notice | None:
    day = request.day("correction_notice_date")
    if day is None and request.closed:
        errors.append(
            request.missing("correction_notice_date", "申请已办结，且没有记录补正告知日期")
        )
    if errors:
        return None
    day = day or today
    you = request.you
    lines = [line.strip() for line in (items or DEFAULT_CORRECTION_ITEMS) if line.strip()]
    numbered = [
        line if re.match(r"^\d+[.．、]", line) else f"{n}.{line}" for n, line in enumerate(lines, 1)
    ]
    paragraphs = [
        _opening(request, with_correction=False),
        f"经审查，{you}的申请内容不明确。根据《条例》第二十九条第二款和第三十条的规定，"
        f"请{you}对以下事项作出补正：",
        *numbered,
        f"请{you}自收到本告知书之日起{CORRECTION_PERIOD}内，将补正后的申请以书面形式提交本机关。"
        f"答复期限自本机关收到补正的申请之日起计算。{you}无正当理由逾期不补正的，视为放弃申请，"
        "本机关不再处理该政府信息公开申请。",
        "特此告知。",
    ]
    return _notice(request, NOTICE_KINDS[0], day, paragraphs, "第三十条")


def _extension(request: _Request, errors: list[FieldError]) -> Notice | None:
    if request.values.get("extended") is not True:
        errors.append(
            request.missing("extended", "记录中未勾选；须经负责人同意后勾选并填写批准人和告知日期")
        )
        return None
    for key in ("extension_approver", "extension_notice_date", "reply_deadline"):
        if not request.text(key):
            errors.append(request.missing(key, "延期答复告知书须先填写"))
    if errors:
        return None
    deadline = request.day("reply_deadline")
    assert deadline is not None
    since = "收到补正的申请之日" if request.day("correction_received_date") else "收到申请之日"
    paragraphs = [
        _opening(request),
        f"因本机关不能在{since}起20个工作日内作出答复，根据《条例》第三十三条第二款“需要延长"
        "答复期限的，应当经政府信息公开工作机构负责人同意并告知申请人，延长的期限最长不得超过"
        "20个工作日”的规定，经本机关政府信息公开工作机构负责人同意，答复期限延长20个工作日，"
        f"本机关最迟于{format_cn_date(deadline)}作出答复。",
    ]
    if request.values.get("consultations"):
        paragraphs.append(
            "本机关就该申请征求了第三方或者其他机关的意见，依照《条例》第三十三条第三款，"
            "征求意见所需时间不计算在答复期限内，上述日期已将其扣除。"
        )
    paragraphs.append("特此告知。")
    return _notice(
        request,
        NOTICE_KINDS[1],
        request.day("extension_notice_date"),
        paragraphs,
        "第三十三条第二款",
    )


def _fee_text(request: _Request) -> str:
    try:
        fee = Decimal(str(request.values.get("fee") or 0))
    except InvalidOperation:
        return ""
    return f"本次依申请提供政府信息收取信息处理费{fee:.2f}元。" if fee > 0 else ""


def review_body(county: str) -> str:
    """The 行政复议机关 of a township office: the county government."""
    county = county.strip()
    return county if county.endswith("人民政府") else f"{county}人民政府"


def remedy_sentence(county: str) -> str:
    return (
        f"如对本答复不服，可以自收到本答复之日起60日内向{review_body(county)}申请行政复议，"
        "或者在6个月内向人民法院提起行政诉讼。"
    )


def _reply(request: _Request, today: date, variant: int, errors: list[FieldError]) -> Notice | None:
    outcome = request.text("outcome")
    if not outcome:
        errors.append(request.missing("outcome", "答复书须先选择办理结果"))
    elif outcome not in OUTCOMES:
        errors.append(request.missing("outcome", f"“{outcome}”不是表三的办理结果"))
    for key in _NEEDS_CORRECTION.get(outcome, ()):
        if not request.text(key):
            errors.append(request.missing(key, f"办理结果为“{outcome}”的答复书须写明补正情况"))
    if not request.settings.get("county"):
        errors.append(
            FieldError(
                "county", "县（市、区）（设置）", "答复书须写明行政复议机关，请在“设置”中填写"
            )
        )
    if errors:
        return None
    you = request.you
    variants = OUTCOME_VARIANTS.get(outcome, ("",))
    variant = variant if 0 <= variant < len(variants) else 0
    article, template = _REPLIES[(outcome, variant)]
    obtain = request.text("obtain_form")
    provide = (
        f"按照{you}要求的“{obtain}”方式向{you}提供该政府信息（见附件）"
        if obtain
        else (f"向{you}提供该政府信息（见附件）")
    )
    consulted = (
        "本机关已依照《条例》第三十二条的规定书面征求第三方的意见。"
        if request.values.get("consultations")
        else ""
    )
    notice_day = request.day("correction_notice_date")
    corrected_day = request.day("correction_received_date")
    decision = template.format(
        you=you,
        provide=provide,
        provide_part=provide.replace("该政府信息", "可以公开的政府信息内容"),
        consulted=consulted,
        correction_notice=format_cn_date(notice_day) if notice_day else "",
        correction_received=format_cn_date(corrected_day) if corrected_day else "",
    )
    paragraphs = [_opening(request) + "经审查，现答复如下：", decision]
    if outcome in ("（一）予以公开", "（二）部分公开") and (fee := _fee_text(request)):
        paragraphs.append(fee)
    paragraphs.append(remedy_sentence(request.settings["county"]))
    day = request.day("reply_date") or today
    return _notice(request, NOTICE_KINDS[2], day, paragraphs, article)


def _delivered_kind(request: _Request, delivered: str | None) -> NoticeKind | None:
    if delivered:
        return notice_kind(delivered)
    if request.text("outcome"):
        return NOTICE_KINDS[2]
    if request.values.get("extended") is True:
        return NOTICE_KINDS[1]
    if request.text("correction_notice_date"):
        return NOTICE_KINDS[0]
    return None


def _receipt(
    ctx: AppContext,
    record_id: str,
    request: _Request,
    today: date,
    delivered: str | None,
    errors: list[FieldError],
) -> Notice | None:
    kind = _delivered_kind(request, delivered)
    if kind is None:
        errors.append(
            request.missing("outcome", "还没有可送达的文书（答复书、延期答复告知书或补正告知书）")
        )
        return None
    if kind.id == "receipt":
        errors.append(FieldError("kind", "送达文书", "送达回证不能送达它自己"))
        return None
    served = notice_content(ctx, record_id, kind.id, today=today)
    method = request.text("delivery_method")
    boxes = "　".join(
        f"{'☑' if m == method else '□'}{m}"
        for m in (
            *DELIVERY_METHODS,
            *(() if not method or method in DELIVERY_METHODS else (method,)),
        )
    )
    day = request.day("delivered_date")
    rows = (
        ("送达文书\n名称及文号", f"{served.title}\n{served.number}"),
        ("受送达人", request.text("applicant")),
        ("送达地点", request.text("address")),
        ("送达方式", boxes),
        ("送达日期", format_cn_date(day) if day else BLANK_DATE),
        ("受送达人签名\n（盖章）", f"\n\n{BLANK_DATE}"),
        ("代收人及\n代收理由", ""),
        ("送达人", request.text("handler")),
        ("送达机关\n（盖章）", request.settings.get("unit_name", "")),
        ("备注", "邮寄送达的，以交邮之日为送达日期，附邮寄凭证。"),
    )
    return Notice(
        kind=NOTICE_KINDS[3],
        title=NOTICE_KINDS[3].title,
        number="",
        addressee="",
        paragraphs=(),
        article=served.article,
        unit=request.settings.get("unit_name", ""),
        date=day,
        request_no=request.text("request_no"),
        applicant=request.text("applicant"),
        rows=rows,
        tall_rows=frozenset({"受送达人签名\n（盖章）", "代收人及\n代收理由", "送达机关\n（盖章）"}),
    )


def notice_content(
    ctx: AppContext,
    record_id: str,
    kind: str | NoticeKind,
    *,
    today: date | None = None,
    variant: int = 0,
    correction_items: Sequence[str] | None = None,
    delivered: str | None = None,
) -> Notice:
    """The notice of ``kind`` for the 依申请公开 record ``record_id``.

    ``variant`` picks the wording where one 办理结果 covers two answers of 条例第三十六条
    (``OUTCOME_VARIANTS``); ``correction_items`` are the 补正 items (default: the
    name/文号/description of the information); ``delivered`` is the notice a 送达回证
    accompanies (default: the latest one the record supports). A notice dated by the
    record (补正告知日期, 延期告知日期, 答复日期) takes that date, otherwise ``today``.
    Raises ``ValidationError`` naming every missing field.
    """
    chosen = notice_kind(kind)
    today = today or date.today()
    request = _Request(ctx, record_id)
    errors: list[FieldError] = []
    _require_basics(request, errors)
    notice: Notice | None
    if chosen.id == "correction":
        notice = _correction(request, today, correction_items, errors)
    elif chosen.id == "extension":
        notice = _extension(request, errors)
    elif chosen.id == "reply":
        notice = _reply(request, today, variant, errors)
    else:
        notice = _receipt(ctx, record_id, request, today, delivered, errors)
    if errors or notice is None:
        raise ValidationError(errors, f"无法生成{chosen.name}：")
    return notice


def notice_availability(
    ctx: AppContext, record_id: str, today: date | None = None
) -> dict[str, str]:
    """For each kind id: "" when the record supports that notice, else why not."""
    result: dict[str, str] = {}
    for kind in NOTICE_KINDS:
        try:
            notice_content(ctx, record_id, kind, today=today)
        except ValidationError as exc:
            result[kind.id] = "；".join(str(e) for e in exc.errors)
        else:
            result[kind.id] = ""
    return result


def outcome_variants(ctx: AppContext, record_id: str) -> tuple[str, ...]:
    """The wordings the record's 办理结果 allows (one or none: no choice to offer)."""
    outcome = RecordService(ctx).get(record_id).values.get("outcome") or ""
    return OUTCOME_VARIANTS.get(str(outcome), ())


_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def notice_file_name(notice: Notice) -> str:
    """<申请人>_<通知名>_<编号>.docx, without characters Windows forbids in a name."""
    parts = [notice.applicant, notice.kind.name, notice.request_no]
    return "_".join(_UNSAFE.sub("", p) for p in parts if p) + ".docx"


# ---- the Word file -----------------------------------------------------------------------
RECEIPT_PT = 14.0  # 4号: the form's labels fit their column
RECEIPT_LABEL_MM = 38
RECEIPT_ROW_MM = 13
RECEIPT_TALL_ROW_MM = 30


def _borders(table: Any) -> None:
    tbl_pr = table._tbl.tblPr
    borders = parse_xml(
        f"<w:tblBorders {nsdecls('w')}>"
        + "".join(
            f'<w:{side} w:val="single" w:sz="6" w:space="0" w:color="000000"/>'
            for side in ("top", "left", "bottom", "right", "insideH", "insideV")
        )
        + "</w:tblBorders>"
    )
    # schema order: tblBorders comes before shd, tblLayout, tblCellMar and tblLook
    for tag in ("shd", "tblLayout", "tblCellMar", "tblLook"):
        found = tbl_pr.find(qn(f"w:{tag}"))
        if found is not None:
            found.addprevious(borders)
            return
    tbl_pr.append(borders)


def _receipt_table(doc: OfficialDocument, notice: Notice) -> None:
    grid = doc.document.add_table(rows=len(notice.rows), cols=2)
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    _borders(grid)
    total_mm = doc.text_width_twips / 20 * 25.4 / 72
    widths = (Mm(RECEIPT_LABEL_MM), Mm(total_mm - RECEIPT_LABEL_MM))
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width
    for row, (label, value) in zip(grid.rows, notice.rows, strict=True):
        row.height = Mm(RECEIPT_TALL_ROW_MM if label in notice.tall_rows else RECEIPT_ROW_MM)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        for cell, width, text, align in (
            (row.cells[0], widths[0], label, WD_PARAGRAPH_ALIGNMENT.CENTER),
            (row.cells[1], widths[1], value, WD_PARAGRAPH_ALIGNMENT.LEFT),
        ):
            cell.width = width
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paragraph = cell.paragraphs[0]
            fmt = paragraph.paragraph_format
            fmt.alignment = align
            fmt.space_before = fmt.space_after = Pt(0)
            fmt.first_line_indent = Pt(0)
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(RECEIPT_PT * 1.5)
            lines = text.split("\n")
            if text.startswith("\n"):  # a place to sign: the date flush right at the bottom
                fmt.alignment = WD_PARAGRAPH_ALIGNMENT.RIGHT
            for n, line in enumerate(lines):
                run = paragraph.add_run(line)
                set_run_font(run, doc.fonts.body, RECEIPT_PT)
                if n:
                    run._r.insert(1, OxmlElement("w:br"))  # after the rPr


def build_notice_document(notice: Notice) -> OfficialDocument:
    doc = OfficialDocument()
    doc.set_properties(
        title=notice.title, author=notice.unit, subject=f"{notice.request_no} {notice.applicant}"
    )
    doc.title(notice.title)
    if notice.number:
        doc.paragraph(
            notice.number,
            indent=False,
            align=WD_PARAGRAPH_ALIGNMENT.CENTER,
            run_in_headings=False,
        )
    if notice.rows:
        doc.blank_line()
        _receipt_table(doc, notice)
        return doc
    doc.addressee(f"{notice.addressee}：")
    for text in notice.paragraphs:
        last = doc.paragraph(text, run_in_headings=False)
    # one blank line: the seal's top is within a line of the body (GB/T 9704 7.3.5.1)
    doc.signature(notice.unit, notice.date_text, blank_lines=1)
    if notice.note:
        # 附注: two characters in, in parentheses, on the line under the date (7.3.7)
        doc.paragraph(f"（{notice.note}）", run_in_headings=False)
    # the signature and the 附注 never stand alone on a page: the last body paragraph
    # goes with them
    paragraphs = doc.document.paragraphs
    at = next(i for i, p in enumerate(paragraphs) if p._p is last._p)
    for paragraph in paragraphs[at:-1]:
        paragraph.paragraph_format.keep_with_next = True
    return doc


def write_notice_docx(notice: Notice, path: Path | str) -> None:
    """Write the notice to ``path`` (.docx); an existing file is replaced only once the
    new one is complete."""
    doc = build_notice_document(notice)

    def write(handle: BinaryIO) -> None:
        doc.save(handle)

    write_atomically(Path(path), write)


def notice_values(notice: Notice) -> Mapping[str, Any]:
    """The notice as JSON-ready values (the command line's --json)."""
    return {
        "kind": notice.kind.id,
        "title": notice.title,
        "number": notice.number,
        "addressee": notice.addressee,
        "article": notice.article,
        "date": notice.date.isoformat() if notice.date else None,
        "unit": notice.unit,
        "paragraphs": list(notice.paragraphs),
        "rows": [list(r) for r in notice.rows],
    }
