"""政府信息公开工作年度报告 for a year, 2021 format (国办公开办函〔2021〕30号).

``disclosure_report(ctx, year)`` reads the figures and the clerk's texts into one
``DisclosureReport``; ``check(report)`` lists the consistency rules of the format that
the figures break, in Chinese, naming the row and column. The report also
decides how it reads on paper: ``sections()`` gives the six sections as ``Block``s, the
texts one paragraph a line and tables 二、三、四 as ``ReportTable``s with the official
merged cells and labels (``table2_layout`` …), so the .docx and .xlsx writers
(``report_docx``, ``report_xlsx``) only choose pages and lay them out, and hold no label
of their own. ``.json()`` nests exactly as the official tables read, with their labels
as keys.

Counting rules (every figure is an SQL aggregate over live, not deleted, records):

- Table 三 (依申请公开, from the ``disclosure_request`` register):
  一、本年新收 — 收到申请日期 in the year.
  三、本年度办理结果 — requests whose 答复（办结）日期 is in the year, by 办理结果 (the 21
  leaf rows; the form's outcome label "（三）1.属于国家秘密" is the row （三）不予公开 /
  1.属于国家秘密) × 申请人类别 (the six columns): a request counts as handled in the year
  of its 答复日期, whenever it was received.
  四、结转下年度继续办理 — received by 12-31 and not answered by 12-31.
  二、上年结转 — received before 1-1 and not answered before 1-1 (which is last year's
  四 computed the same way), unless the clerk typed 上年结转 figures for the year (a first
  year with the app: ``save_carried_in``); then the typed figures are printed and
  ``check`` shows where they differ from the register.
  A request answered in the year without an outcome of the 21 or an applicant type of
  the six is in no cell of 三; ``check`` says how many there are.
- Table 四 (复议/诉讼, from ``review_case``): a case counts in the year its 收到（立案）日期
  falls in, with its result as known at 12-31 of that year: decided later (or not at
  all) → 尚未审结. 总计 = the four results.
- Table 二 (第二十条 items): the clerk's figures stored per year (``save_table2``);
  while none are saved, prefilled from the 主动公开 register: 行政规范性文件 本年制发件数
  = items marked 行政规范性文件 with 生成日期 in the year; 本年废止件数 = such items
  已废止/已失效 with 废止日期 in the year; 现行有效件数 = such items made by 12-31 and not
  已废止/已失效 by then (已废止/已失效 without a 废止日期 count as no longer in force; 已修改
  stays in force). 规章 is 0 (a 乡镇 cannot make 规章); 行政许可/处罚/强制 and 收费 are 0
  until entered. Money in 万元 with 2 decimals.
- Sections 一、五、六 are the clerk's text per year (``save_disclosure_texts``); where
  none is saved a draft stands in: 一 from the figures (主动公开 by channel and category,
  requests, 复议/诉讼), 五 and 六 generic (六 with the 信息处理费 of the requests answered
  in the year). The opening paragraph follows the usual wording, with the contact
  details of 设置.

Hand figures and texts live in the settings table as ``disclosure.<year>.<part>``
(as ``report_annual`` keeps ``annual.<year>.<part>``), each change audited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select, true

from gongkai_desktop.data import repository
from gongkai_desktop.data.models import Record
from gongkai_desktop.domain.errors import FieldError, ValidationError
from gongkai_desktop.domain.periods import format_cn_date
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.documents.content import (
    CENTRE,
    LEFT,
    Block,
    Entry,
    ReportTable,
    TableCell,
    join_cn,
    we,
)
from gongkai_desktop.services.records.deadlines import office_calendar
from gongkai_desktop.services.records.sql import json_value, live
from gongkai_desktop.services.settings import load_settings, put_settings_audited

REQUEST_FORM = "disclosure_request"
ITEM_FORM = "disclosure_item"
CASE_FORM = "review_case"

# ---- the official labels of the 2021 format, verbatim -----------------------------------
SECTION_HEADINGS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)

APPLICANT_COLUMNS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
TOTAL = "总计"
T3_COLUMNS = (*APPLICANT_COLUMNS, TOTAL)
T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
T3_APPLICANTS = "申请人情况"
T3_ORGANISATIONS = "法人或其他组织"
T3_NEW = "一、本年新收政府信息公开申请数量"
T3_CARRIED_IN = "二、上年结转政府信息公开申请数量"
T3_RESULTS = "三、本年度办理结果"
T3_TOTAL = "（七）总计"
T3_CARRIED_OUT = "四、结转下年度继续办理"
RESULT_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("（一）予以公开", ()),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", ()),
    (
        "（三）不予公开",
        (
            "1.属于国家秘密",
            "2.其他法律行政法规禁止公开",
            "3.危及“三安全一稳定”",
            "4.保护第三方合法权益",
            "5.属于三类内部事务信息",
            "6.属于四类过程性信息",
            "7.属于行政执法案卷",
            "8.属于行政查询事项",
        ),
    ),
    (
        "（四）无法提供",
        (
            "1.本机关不掌握相关政府信息",
            "2.没有现成信息需要另行制作",
            "3.补正后申请内容仍不明确",
        ),
    ),
    (
        "（五）不予处理",
        (
            "1.信访举报投诉类申请",
            "2.重复申请",
            "3.要求提供公开出版物",
            "4.无正当理由大量反复申请",
            "5.要求行政机关确认或重新出具已获取信息",
        ),
    ),
    (
        "（六）其他处理",
        (
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "3.其他",
        ),
    ),
)

Path = tuple[str, ...]  # a row of table 三 as the JSON nests it
Row = tuple[int, ...]  # the six applicant columns and 总计

ROW_NEW: Path = (T3_NEW,)
ROW_CARRIED_IN: Path = (T3_CARRIED_IN,)
ROW_TOTAL: Path = (T3_RESULTS, T3_TOTAL)
ROW_CARRIED_OUT: Path = (T3_CARRIED_OUT,)
RESULT_ROWS: tuple[Path, ...] = tuple(
    (T3_RESULTS, group, leaf) if leaves else (T3_RESULTS, group)
    for group, leaves in RESULT_GROUPS
    for leaf in (leaves or ("",))
)  # the 21 leaves, in table order
T3_ROWS: tuple[Path, ...] = (ROW_NEW, ROW_CARRIED_IN, *RESULT_ROWS, ROW_TOTAL, ROW_CARRIED_OUT)

T4_RESULTS = ("结果维持", "结果纠正", "其他结果", "尚未审结")
T4_COLUMNS = (*T4_RESULTS, TOTAL)
T4_REVIEW = "行政复议"
T4_LITIGATION = "行政诉讼"
T4_DIRECT = "未经复议直接起诉"
T4_AFTER_REVIEW = "复议后起诉"
T4_GROUPS = (T4_REVIEW, T4_DIRECT, T4_AFTER_REVIEW)
UNDECIDED = "尚未审结"

T2_ITEM1 = "第二十条第（一）项"
T2_ITEM5 = "第二十条第（五）项"
T2_ITEM6 = "第二十条第（六）项"
T2_ITEM8 = "第二十条第（八）项"
T2_CONTENT = "信息内容"
T2_MADE, T2_ABOLISHED, T2_IN_FORCE = "本年制发件数", "本年废止件数", "现行有效件数"
T2_DECISIONS = "本年处理决定数量"
T2_FEES = "本年收费金额（单位：万元）"
T2_RULES, T2_NORMATIVE = "规章", "行政规范性文件"
T2_LICENSING, T2_PUNISHMENT, T2_ENFORCEMENT = "行政许可", "行政处罚", "行政强制"
T2_CHARGES = "行政事业性收费"

NOT_IN_FORCE = ("已废止", "已失效")
PUBLISHED = "已公开"
MAX_TEXT = 20000
MAX_COUNT = 1_000_000


def outcome_row(outcome: str) -> Path | None:
    """The row of table 三 a 办理结果 label of the form counts in: "（一）予以公开" →
    （一）予以公开; "（三）1.属于国家秘密" → （三）不予公开 / 1.属于国家秘密."""
    prefix, rest = outcome[:3], outcome[3:]
    for group, leaves in RESULT_GROUPS:
        if group[:3] != prefix:
            continue
        if not leaves:
            return (T3_RESULTS, group)
        return (T3_RESULTS, group, rest) if rest in leaves else None
    return None


# ---- table 二 ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Table2:
    """The figures of table 二 (money in 万元)."""

    rules_made: int = 0
    rules_abolished: int = 0
    rules_in_force: int = 0
    normative_made: int = 0
    normative_abolished: int = 0
    normative_in_force: int = 0
    licensing: int = 0
    punishment: int = 0
    enforcement: int = 0
    fees: Decimal = Decimal("0.00")

    def json(self) -> dict[str, Any]:
        return {
            T2_ITEM1: {
                T2_RULES: {
                    T2_MADE: self.rules_made,
                    T2_ABOLISHED: self.rules_abolished,
                    T2_IN_FORCE: self.rules_in_force,
                },
                T2_NORMATIVE: {
                    T2_MADE: self.normative_made,
                    T2_ABOLISHED: self.normative_abolished,
                    T2_IN_FORCE: self.normative_in_force,
                },
            },
            T2_ITEM5: {T2_LICENSING: {T2_DECISIONS: self.licensing}},
            T2_ITEM6: {
                T2_PUNISHMENT: {T2_DECISIONS: self.punishment},
                T2_ENFORCEMENT: {T2_DECISIONS: self.enforcement},
            },
            T2_ITEM8: {T2_CHARGES: {T2_FEES: float(self.fees)}},
        }

    @property
    def fees_text(self) -> str:
        return f"{self.fees:.2f}"


T2_LABELS = {
    "rules_made": f"{T2_RULES}{T2_MADE}",
    "rules_abolished": f"{T2_RULES}{T2_ABOLISHED}",
    "rules_in_force": f"{T2_RULES}{T2_IN_FORCE}",
    "normative_made": f"{T2_NORMATIVE}{T2_MADE}",
    "normative_abolished": f"{T2_NORMATIVE}{T2_ABOLISHED}",
    "normative_in_force": f"{T2_NORMATIVE}{T2_IN_FORCE}",
    "licensing": f"{T2_LICENSING}{T2_DECISIONS}",
    "punishment": f"{T2_PUNISHMENT}{T2_DECISIONS}",
    "enforcement": f"{T2_ENFORCEMENT}{T2_DECISIONS}",
    "fees": f"{T2_CHARGES}{T2_FEES}",
}


def _money(value: Any, label: str, key: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip() or "0")
    except InvalidOperation:
        raise ValidationError([FieldError(key, label, "应为金额（万元），例如 1.25")]) from None
    if not amount.is_finite() or amount < 0 or amount >= MAX_COUNT:
        raise ValidationError([FieldError(key, label, "应为不小于0的金额（万元）")])
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError([FieldError(key, label, "金额以万元为单位，最多两位小数")])
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _table2_from(values: dict[str, Any]) -> Table2:
    """A Table2 from stored or typed values, validated (errors name the cell)."""
    errors = []
    kwargs: dict[str, Any] = {}
    for f in fields(Table2):
        raw = values.get(f.name, 0)
        label = T2_LABELS[f.name]
        if f.name == "fees":
            try:
                kwargs["fees"] = _money(raw if raw is not None else 0, label, f.name)
            except ValidationError as exc:
                errors.extend(exc.errors)
            continue
        if isinstance(raw, bool) or not isinstance(raw, int | str) or raw is None:
            errors.append(FieldError(f.name, label, "应为整数"))
            continue
        text = str(raw).strip() or "0"
        if not text.isdigit() or int(text) >= MAX_COUNT:
            errors.append(FieldError(f.name, label, "应为不小于0的整数"))
            continue
        kwargs[f.name] = int(text)
    unknown = [k for k in values if k not in T2_LABELS]
    errors += [FieldError(k, k, "不是表二的项目") for k in unknown]
    if errors:
        raise ValidationError(errors)
    return Table2(**kwargs)


# ---- the clerk's texts ------------------------------------------------------------------
@dataclass(frozen=True)
class DisclosureTexts:
    """Sections 一、五、六 for one year; an empty part means "use the draft"."""

    overview: str = ""  # 一、总体情况
    problems: str = ""  # 五、存在的主要问题及改进情况
    other: str = ""  # 六、其他需要报告的事项: 信息处理费, 落实上级工作要点
    proposals: str = ""  # 六 （三）人大代表建议和政协提案办理结果公开情况
    innovation: str = ""  # 六 （四）年度政务公开工作创新情况


PROPOSALS_HEADING = "（三）人大代表建议和政协提案办理结果公开情况"
INNOVATION_HEADING = "（四）年度政务公开工作创新情况"
TEXT_LABELS = {"overview": SECTION_HEADINGS[0], "problems": SECTION_HEADINGS[4]}
TEXT_LABELS["other"] = SECTION_HEADINGS[5]
TEXT_LABELS["proposals"] = f"六{PROPOSALS_HEADING}"
TEXT_LABELS["innovation"] = f"六{INNOVATION_HEADING}"


def _key(year: int, part: str) -> str:
    return f"disclosure.{year}.{part}"


def _check_year(year: int) -> None:
    if not 1 <= year <= 9999:
        raise ValidationError([FieldError("year", "年度", "年度应为1至9999")])


def _stored(ctx: AppContext) -> dict[str, str]:
    with ctx.reading() as session:
        return repository.get_settings(session)


def _put(ctx: AppContext, values: dict[str, str]) -> None:
    """Store settings keys in one transaction, an audit entry per changed key."""
    with ctx.transaction() as session:
        put_settings_audited(ctx, session, values)


def load_disclosure_texts(ctx: AppContext, year: int) -> DisclosureTexts:
    _check_year(year)
    stored = _stored(ctx)
    return DisclosureTexts(
        **{f.name: stored.get(_key(year, f.name), "") for f in fields(DisclosureTexts)}
    )


def save_disclosure_texts(ctx: AppContext, year: int, texts: DisclosureTexts) -> DisclosureTexts:
    _check_year(year)
    errors = [
        FieldError(f.name, TEXT_LABELS[f.name], f"不能超过{MAX_TEXT}个字")
        for f in fields(DisclosureTexts)
        if len(getattr(texts, f.name).strip()) > MAX_TEXT
    ]
    if errors:
        raise ValidationError(errors)
    _put(
        ctx,
        {_key(year, f.name): getattr(texts, f.name).strip() for f in fields(DisclosureTexts)},
    )
    return load_disclosure_texts(ctx, year)


def load_table2(ctx: AppContext, year: int) -> Table2 | None:
    """The clerk's table 二 for ``year``, or None when nothing is saved."""
    _check_year(year)
    text = _stored(ctx).get(_key(year, "table2"), "")
    if not text:
        return None
    return _table2_from(json.loads(text))


def save_table2(ctx: AppContext, year: int, values: Table2 | dict[str, Any] | None) -> None:
    """Save table 二 for ``year`` (a Table2 or {field: value}); None clears it, so the
    prefill from the register is used again."""
    _check_year(year)
    if values is None:
        _put(ctx, {_key(year, "table2"): ""})
        return
    if isinstance(values, Table2):
        values = {f.name: getattr(values, f.name) for f in fields(Table2)}
    table = _table2_from(values)
    stored = {f.name: getattr(table, f.name) for f in fields(Table2)}
    stored["fees"] = table.fees_text
    _put(ctx, {_key(year, "table2"): json.dumps(stored, ensure_ascii=False)})


def load_carried_in(ctx: AppContext, year: int) -> Row | None:
    """Typed 上年结转 for ``year`` (six columns and 总计), or None: computed."""
    _check_year(year)
    text = _stored(ctx).get(_key(year, "carried_in"), "")
    if not text:
        return None
    typed = json.loads(text)
    counts = tuple(int(typed.get(c, 0)) for c in APPLICANT_COLUMNS)
    return (*counts, sum(counts))


def save_carried_in(ctx: AppContext, year: int, counts: dict[str, Any] | None) -> None:
    """Type 上年结转 per applicant column for ``year`` (a first year with the app);
    None goes back to the figure computed from the register."""
    _check_year(year)
    if counts is None:
        _put(ctx, {_key(year, "carried_in"): ""})
        return
    errors = [FieldError(k, k, "不是申请人类别") for k in counts if k not in APPLICANT_COLUMNS]
    clean: dict[str, int] = {}
    for column in APPLICANT_COLUMNS:
        raw = counts.get(column, 0)
        text = "" if raw is None or isinstance(raw, bool) else str(raw).strip()
        if not (text or "0").isdigit() or int(text or 0) >= MAX_COUNT:
            errors.append(FieldError(column, f"{T3_CARRIED_IN}（{column}）", "应为不小于0的整数"))
            continue
        clean[column] = int(text or 0)
    if errors:
        raise ValidationError(errors)
    _put(ctx, {_key(year, "carried_in"): json.dumps(clean, ensure_ascii=False)})


# ---- the report -------------------------------------------------------------------------
@dataclass(frozen=True)
class DisclosureReport:
    year: int
    unit: str
    title: str
    opening: str
    texts: DisclosureTexts  # in force: the clerk's, or the drafts where none
    table2: Table2
    table2_saved: bool  # False: prefilled from the register
    table3: dict[Path, Row]  # every row of T3_ROWS
    table4: dict[str, Row]  # T4_GROUPS -> the four results and 总计
    carried_in_typed: bool
    previous_carried_out: Row  # last year's 四, from the register
    unclassified: int = 0  # answered in the year, in no cell of table 三
    fees_yuan: Decimal = Decimal("0.00")  # 信息处理费 of the year's answered requests
    made_on: date = field(default_factory=date.today)  # 成文日期
    signer: str = ""  # 署名: chosen, else 设置's 发文机关, else the unit name

    @property
    def made_on_text(self) -> str:
        return format_cn_date(self.made_on)

    def table3_json(self) -> dict[str, Any]:
        nested: dict[str, Any] = {}
        for path in T3_ROWS:
            node = nested
            for part in path[:-1]:
                node = node.setdefault(part, {})
            node[path[-1]] = dict(zip(T3_COLUMNS, self.table3[path], strict=True))
        return nested

    def table4_json(self) -> dict[str, Any]:
        def row(group: str) -> dict[str, int]:
            return dict(zip(T4_COLUMNS, self.table4[group], strict=True))

        return {
            T4_REVIEW: row(T4_REVIEW),
            T4_LITIGATION: {T4_DIRECT: row(T4_DIRECT), T4_AFTER_REVIEW: row(T4_AFTER_REVIEW)},
        }

    def table2_layout(self) -> ReportTable:
        return table2_layout(self.table2)

    def table3_layout(self) -> ReportTable:
        return table3_layout(self.table3)

    def table4_layout(self) -> ReportTable:
        return table4_layout(self.table4)

    def sections(self) -> tuple[tuple[Block, ...], ...]:
        """The six sections in order, each its 一、… heading and then its text (one
        paragraph a line) or its official table."""
        one, two, three, four, five, six = SECTION_HEADINGS
        return (
            (Block("heading1", one), *_paragraphs(self.texts.overview)),
            (Block("heading1", two), Block("table", table=self.table2_layout())),
            (Block("heading1", three), Block("table", table=self.table3_layout())),
            (Block("heading1", four), Block("table", table=self.table4_layout())),
            (Block("heading1", five), *_paragraphs(self.texts.problems)),
            (
                Block("heading1", six),
                *_paragraphs(self.texts.other),
                Block("heading2", PROPOSALS_HEADING),
                *_paragraphs(self.texts.proposals),
                Block("heading2", INNOVATION_HEADING),
                *_paragraphs(self.texts.innovation),
            ),
        )

    def json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "unit": self.unit,
            "title": self.title,
            "table2": self.table2.json(),
            "table3": self.table3_json(),
            "table4": self.table4_json(),
            "table2_saved": self.table2_saved,
            "carried_in_typed": self.carried_in_typed,
            "sections": {
                "opening": self.opening,
                SECTION_HEADINGS[0]: self.texts.overview,
                SECTION_HEADINGS[4]: self.texts.problems,
                SECTION_HEADINGS[5]: self.texts.other,
                PROPOSALS_HEADING: self.texts.proposals,
                INNOVATION_HEADING: self.texts.innovation,
            },
            "signer": self.signer,
            "made_on": self.made_on.isoformat(),
        }


# ---- the official tables as the 2021 format draws them ---------------------------------
# Every writer lays these out as they are: the .xlsx and the .docx draw the same merged
# cells. Labels are centred unless a row label reads left; widths are relative (the
# .docx's millimetres on its page).
def _label_cell(text: str, rows: int = 1, cols: int = 1, *, left: bool = False) -> TableCell:
    return TableCell(text, rows=rows, cols=cols, align=LEFT if left else CENTRE)


def _heading(text: str, cols: int = 1) -> TableCell:
    """A bold label inside the body (table 二 has no header rows of its own)."""
    return TableCell(text, cols=cols, bold=True, align=CENTRE)


def table2_layout(t: Table2) -> ReportTable:
    """Table 二: four blocks, each an item row, its header row and its figures; 14 rows
    of 4 columns, no header repeated."""
    rows: list[tuple[Entry, ...]] = [
        (_heading(T2_ITEM1, 4),),
        tuple(_heading(label) for label in (T2_CONTENT, T2_MADE, T2_ABOLISHED, T2_IN_FORCE)),
        (_label_cell(T2_RULES), t.rules_made, t.rules_abolished, t.rules_in_force),
        (_label_cell(T2_NORMATIVE), t.normative_made, t.normative_abolished, t.normative_in_force),
    ]
    fees = TableCell(float(t.fees), cols=3, number_format="0.00")
    blocks: tuple[tuple[str, str, tuple[tuple[str, Entry], ...]], ...] = (
        (T2_ITEM5, T2_DECISIONS, ((T2_LICENSING, t.licensing),)),
        (T2_ITEM6, T2_DECISIONS, ((T2_PUNISHMENT, t.punishment), (T2_ENFORCEMENT, t.enforcement))),
        (T2_ITEM8, T2_FEES, ((T2_CHARGES, fees),)),
    )
    for item, header, figures in blocks:
        rows += [(_heading(item, 4),), (_heading(T2_CONTENT), _heading(header, 3))]
        for label, value in figures:
            cell = value if isinstance(value, TableCell) else TableCell(value, cols=3)
            rows.append((_label_cell(label), cell))
    return ReportTable(caption="", headers=(), rows=tuple(rows), widths=(45, 37, 37, 37))


# table 三's widths in mm of a landscape page (225 mm; in the same ratio on the sheet):
# A holds 三、本年度办理结果 in two lines, B （三）不予公开 on one, C the longest leaf in two;
# the seven number columns three characters a line (自然人 on one, 法律服务机构 on two)
T3_WIDTHS = (22.0, 29.0, 72.5, *([14.5] * len(T3_COLUMNS)))


def table3_layout(t3: dict[Path, Row]) -> ReportTable:
    """Table 三: 3 header rows (the note over the row labels, 申请人情况 over the seven
    columns) and 25 body rows, the row labels in three columns; 10 columns."""
    head: tuple[tuple[Entry, ...], ...] = (
        (_label_cell(T3_NOTE, 3, 3), _label_cell(T3_APPLICANTS, cols=7)),
        (
            _label_cell(APPLICANT_COLUMNS[0], 2),
            _label_cell(T3_ORGANISATIONS, cols=5),
            _label_cell(TOTAL, 2),
        ),
        tuple(_label_cell(label) for label in APPLICANT_COLUMNS[1:]),
    )
    results = len(RESULT_ROWS) + 1  # the 21 leaves and （七）总计
    rows: list[tuple[Entry, ...]] = [
        (_label_cell(T3_NEW, cols=3, left=True), *t3[ROW_NEW]),
        (_label_cell(T3_CARRIED_IN, cols=3, left=True), *t3[ROW_CARRIED_IN]),
    ]
    for group, leaves in RESULT_GROUPS:
        labels: list[tuple[Entry, ...]]
        paths: list[Path]
        if not leaves:
            labels = [(_label_cell(group, cols=2, left=True),)]
            paths = [(T3_RESULTS, group)]
        else:
            labels = [(_label_cell(leaf, left=True),) for leaf in leaves]
            labels[0] = (_label_cell(group, len(leaves)), *labels[0])
            paths = [(T3_RESULTS, group, leaf) for leaf in leaves]
        rows += [(*label, *t3[path]) for label, path in zip(labels, paths, strict=True)]
    rows.append((_label_cell(T3_TOTAL, cols=2, left=True), *t3[ROW_TOTAL]))
    rows[2] = (_label_cell(T3_RESULTS, results), *rows[2])
    rows.append((_label_cell(T3_CARRIED_OUT, cols=3, left=True), *t3[ROW_CARRIED_OUT]))
    return ReportTable(
        caption="",
        headers=(),
        header_rows=head,
        rows=tuple(rows),
        widths=T3_WIDTHS,
    )


def table4_layout(t4: dict[str, Row]) -> ReportTable:
    """Table 四: 3 header rows (行政复议 | 行政诉讼: 未经复议直接起诉, 复议后起诉) and one
    row of 15 numbers."""
    n = len(T4_COLUMNS)
    head: tuple[tuple[Entry, ...], ...] = (
        (_label_cell(T4_REVIEW, cols=n), _label_cell(T4_LITIGATION, cols=2 * n)),
        (
            *(_label_cell(label, 2) for label in T4_COLUMNS),
            _label_cell(T4_DIRECT, cols=n),
            _label_cell(T4_AFTER_REVIEW, cols=n),
        ),
        tuple(_label_cell(label) for label in T4_COLUMNS * 2),
    )
    values = tuple(v for group in T4_GROUPS for v in t4[group])
    return ReportTable(
        caption="", headers=(), header_rows=head, rows=(values,), widths=(15,) * (3 * n)
    )


def _paragraphs(text: str) -> list[Block]:
    return [Block("paragraph", line.strip()) for line in text.splitlines() if line.strip()]


def _day(d: date) -> str:
    return d.isoformat()


def _row(counts: dict[str, int]) -> Row:
    values = tuple(int(counts.get(c, 0) or 0) for c in APPLICANT_COLUMNS)
    return (*values, sum(values))


def _request_figures(
    ctx: AppContext, year: int
) -> tuple[dict[Path, Row], Row, int, Decimal, dict[str, int]]:
    """Table 三 from the register (二 computed), the computed 二, the unclassified count,
    the year's fees (元) and counts of the year's answered requests by outcome group."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    received = Record.record_date
    reply = json_value(Record, "reply_date")
    applicant = json_value(Record, "applicant_type")
    open_at = lambda day: or_(reply.is_(None), reply > _day(day))  # noqa: E731

    def count_if(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    with ctx.reading() as session:
        flows = session.execute(
            select(
                applicant,
                count_if(and_(received >= start, received <= end)),
                count_if(and_(received < start, or_(reply.is_(None), reply >= _day(start)))),
                count_if(open_at(end)),
            )
            .where(
                live(Record, REQUEST_FORM),
                received <= end,
                or_(reply.is_(None), reply >= _day(start)),
            )
            .group_by(applicant)
        ).all()
        handled = session.execute(
            select(
                applicant,
                json_value(Record, "outcome"),
                func.count(),
                func.coalesce(func.sum(json_value(Record, "fee")), 0),
            )
            .where(live(Record, REQUEST_FORM), reply >= _day(start), reply <= _day(end))
            .group_by(applicant, json_value(Record, "outcome"))
        ).all()
    new = {str(a): int(n) for a, n, _ci, _co in flows}
    carried_in = {str(a): int(ci) for a, _n, ci, _co in flows}
    carried_out = {str(a): int(co) for a, _n, _ci, co in flows}
    results: dict[Path, dict[str, int]] = {path: {} for path in RESULT_ROWS}
    unclassified = 0
    fees = Decimal("0")
    by_group: dict[str, int] = {group: 0 for group, _leaves in RESULT_GROUPS}
    for who, outcome, n, fee in handled:
        fees += Decimal(str(fee or 0))
        path = outcome_row(str(outcome)) if outcome else None
        if path is None or who not in APPLICANT_COLUMNS:
            unclassified += int(n)
            continue
        cell = results[path]
        cell[str(who)] = cell.get(str(who), 0) + int(n)
        by_group[path[1]] += int(n)
    table: dict[Path, Row] = {ROW_NEW: _row(new), ROW_CARRIED_IN: _row(carried_in)}
    for path in RESULT_ROWS:
        table[path] = _row(results[path])
    table[ROW_TOTAL] = tuple(
        sum(table[path][i] for path in RESULT_ROWS) for i in range(len(T3_COLUMNS))
    )
    table[ROW_CARRIED_OUT] = _row(carried_out)
    ordered = {path: table[path] for path in T3_ROWS}
    return ordered, ordered[ROW_CARRIED_IN], unclassified, fees, by_group


def _review_figures(ctx: AppContext, year: int) -> dict[str, Row]:
    start, end = date(year, 1, 1), date(year, 12, 31)
    result = json_value(Record, "result")
    decided = json_value(Record, "decided_date")
    known = case(
        (
            and_(decided.is_not(None), decided <= _day(end), result.in_(T4_RESULTS[:3])),
            result,
        ),
        else_=literal(UNDECIDED),
    )
    case_type = json_value(Record, "case_type")
    kind = json_value(Record, "litigation_kind")
    with ctx.reading() as session:
        rows = session.execute(
            select(case_type, kind, known, func.count())
            .where(live(Record, CASE_FORM), Record.record_date >= start, Record.record_date <= end)
            .group_by(case_type, kind, known)
        ).all()
    counts: dict[str, dict[str, int]] = {g: {} for g in T4_GROUPS}
    for ctype, lkind, res, n in rows:
        group = T4_REVIEW if ctype == T4_REVIEW else lkind if ctype == T4_LITIGATION else None
        if group not in counts:
            continue
        counts[group][res] = counts[group].get(res, 0) + int(n)
    table: dict[str, Row] = {}
    for group in T4_GROUPS:
        values = tuple(counts[group].get(r, 0) for r in T4_RESULTS)
        table[group] = (*values, sum(values))
    return table


def table2_prefill(ctx: AppContext, year: int) -> Table2:
    """Table 二 as the 主动公开 register suggests it (see the module note)."""
    _check_year(year)
    start, end = date(year, 1, 1), date(year, 12, 31)
    made = Record.record_date  # 生成日期
    abolished = json_value(Record, "abolished_date")
    lapsed = json_value(Record, "validity").in_(NOT_IN_FORCE)

    def count_if(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    with ctx.reading() as session:
        row = session.execute(
            select(
                count_if(and_(made >= start, made <= end)),
                count_if(and_(lapsed, abolished >= _day(start), abolished <= _day(end))),
                count_if(
                    and_(
                        made <= end,
                        ~and_(lapsed, or_(abolished.is_(None), abolished <= _day(end))),
                    )
                ),
            ).where(live(Record, ITEM_FORM), json_value(Record, "normative") == 1)
        ).one()
    return Table2(
        normative_made=int(row[0]), normative_abolished=int(row[1]), normative_in_force=int(row[2])
    )


# what each 条例 item is called in running text (the list labels quote the article)
_CATEGORY_WORDS = {
    "第二十条第（一）项": "规范性文件",
    "第二十条第（二）项": "机构职能信息",
    "第二十条第（三）项": "规划信息",
    "第二十条第（四）项": "统计信息",
    "第二十条第（五）项": "行政许可等办事服务信息",
    "第二十条第（六）项": "行政处罚和行政强制信息",
    "第二十条第（七）项": "财政预决算信息",
    "第二十条第（八）项": "行政事业性收费信息",
    "第二十条第（九）项": "政府集中采购信息",
    "第二十条第（十）项": "重大建设项目信息",
    "第二十条第（十一）项": "民生政策措施信息",
    "第二十条第（十二）项": "突发公共事件应对信息",
    "第二十条第（十三）项": "环境保护等监督检查信息",
    "第二十条第（十四）项": "公务员招考信息",
    "第二十条第（十五）项": "其他法定主动公开信息",
    "第二十一条": "农村工作、财政收支、征收征用等乡镇重点事项信息",
    "其他": "其他信息",
}
MAX_NAMED_CATEGORIES = 4  # the rest are counted together


def _short_category(label: str) -> str:
    """The category as running text names it: 第二十条第（十三）项 … → 环境保护等监督检查信息;
    a label of the office's own: the words after the article, up to the first 、."""
    article = label.split(" ", 1)[0]
    if article in _CATEGORY_WORDS:
        return _CATEGORY_WORDS[article]
    text = label.split(" ", 1)[-1].split("（", 1)[0]
    return text.split("、", 1)[0] + ("等信息" if "、" in text else "")


def category_sentence(by_category: dict[str, int]) -> str:
    """其中 followed by the categories, most first, as prose: 其中环境保护等监督检查信息5条，
    农村工作、财政收支、征收征用等乡镇重点事项信息4条，其他类别3条 ("" when none)."""
    counted = sorted(
        ((_short_category(k), n) for k, n in by_category.items() if n), key=lambda c: -c[1]
    )
    if not counted:
        return ""
    named = counted[:MAX_NAMED_CATEGORIES]
    rest = sum(n for _w, n in counted[MAX_NAMED_CATEGORIES:])
    parts = [f"{words}{n}条" for words, n in named]
    if rest:
        parts.append(f"其他类别{rest}条")
    return "其中" + "，".join(parts)


def _published(ctx: AppContext, year: int) -> tuple[int, dict[str, int], dict[str, int], int]:
    """Items 已公开 with 公开日期 in the year: total, by channel (an item on two channels
    counts on both), by category, and how many were published late."""
    start, end = _day(date(year, 1, 1)), _day(date(year, 12, 31))
    published = json_value(Record, "published_date")
    where = (
        live(Record, ITEM_FORM),
        Record.status == PUBLISHED,
        published >= start,
        published <= end,
    )
    category = json_value(Record, "category")
    channels = func.json_each(Record.data, "$.channels").table_valued("value")
    with ctx.reading() as session:
        by_category = session.execute(
            select(
                category,
                func.count(),
                func.sum(case((json_value(Record, "timeliness") == "逾期公开", 1), else_=0)),
            )
            .where(*where)
            .group_by(category)
        ).all()
        by_channel = session.execute(
            select(channels.c.value, func.count())
            .select_from(Record)
            .join(channels, true())
            .where(*where)
            .group_by(channels.c.value)
        ).all()
    form = ctx.registry.forms.get(ITEM_FORM)

    def ordered(found: dict[str, int], key: str) -> dict[str, int]:
        labels = list(form.field(key).choices) if form is not None and form.has_field(key) else []
        out = {label: found[label] for label in labels if found.get(label)}
        out.update({k: v for k, v in found.items() if k not in out and v})
        return out

    total = sum(int(n) for _c, n, _late in by_category)
    late = sum(int(x or 0) for _c, _n, x in by_category)
    return (
        total,
        ordered({str(c): int(n) for c, n in by_channel}, "channels"),
        ordered({str(c): int(n) for c, n, _late in by_category}, "category"),
        late,
    )


def _late_replies(ctx: AppContext, year: int) -> int:
    reply = json_value(Record, "reply_date")
    with ctx.reading() as session:
        return int(
            session.scalar(
                select(func.count()).where(
                    live(Record, REQUEST_FORM),
                    reply >= _day(date(year, 1, 1)),
                    reply <= _day(date(year, 12, 31)),
                    json_value(Record, "timeliness") == "逾期",
                )
            )
            or 0
        )


# ---- drafting ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Facts:
    year: int
    who: str
    published: int
    by_channel: dict[str, int]
    by_category: dict[str, int]
    published_late: int
    table2: Table2
    table3: dict[Path, Row]
    by_group: dict[str, int]
    table4: dict[str, Row]
    replies_late: int
    fees_yuan: Decimal


def _parts(counts: dict[str, int], unit: str) -> str:
    return join_cn([f"{label}{n}{unit}" for label, n in counts.items() if n])


def draft_texts(f: _Facts) -> DisclosureTexts:
    t3, t2 = f.table3, f.table2
    active = ["（一）主动公开"]
    if f.published:
        text = f"{f.year}年，{f.who}主动公开政府信息{f.published}条"
        categories = category_sentence(f.by_category)
        text += f"，{categories}。" if categories else "。"
        if f.by_channel:
            ways = [f"{name}公开{n}条" for name, n in f.by_channel.items() if n]
            text += f"从公开渠道看，通过{'、'.join(ways)}（同一信息通过多个渠道公开的分别计数）。"
    else:
        text = f"{f.year}年，{f.who}在主动公开登记中未记录公开政府信息。"
    normative = [
        f"{said}{n}件"
        for said, n in (
            ("全年制发行政规范性文件", t2.normative_made),
            ("废止", t2.normative_abolished),
            ("年末现行有效", t2.normative_in_force),
        )
        if n
    ]
    text += "，".join(normative) + "。" if normative else "全年未制发行政规范性文件。"
    active.append(text)
    new, carried_in = t3[ROW_NEW][-1], t3[ROW_CARRIED_IN][-1]
    done, carried_out = t3[ROW_TOTAL][-1], t3[ROW_CARRIED_OUT][-1]
    requests = ["（二）依申请公开"]
    if new or carried_in or done or carried_out:
        groups = {g[3:].split("（")[0]: n for g, n in f.by_group.items()}
        text = f"全年新收政府信息公开申请{new}件，上年结转{carried_in}件；本年度办结{done}件"
        if done:
            text += f"，其中{_parts(groups, '件')}"
        text += f"；结转下年度继续办理{carried_out}件。"
        requests.append(text)
    else:
        requests.append("全年未收到政府信息公开申请。")
    management = [
        "（三）政府信息管理",
        "严格落实政府信息公开保密审查制度，信息公开前均经保密审查；"
        "及时清理行政规范性文件，更新文件有效性状态。",
    ]
    channels = join_cn(list(f.by_channel)) or "政府网站、政务公开栏和政务新媒体"
    platform = [
        "（四）政府信息公开平台建设",
        f"依托{channels}公开政府信息，及时更新公开内容，方便群众查阅。",
    ]
    review, direct, after = (f.table4[g][-1] for g in T4_GROUPS)
    if review or direct or after:
        cases = f"全年发生政府信息公开行政复议{review}件、行政诉讼{direct + after}件。"
    else:
        cases = "全年未发生政府信息公开行政复议、行政诉讼案件。"
    supervision = [
        "（五）监督保障",
        cases + "将政府信息公开工作纳入年度重点工作，明确专人负责，主动接受社会监督。",
    ]
    overview = "\n".join([*active, *requests, *management, *platform, *supervision])

    problems = []
    if f.published_late:
        problems.append(f"部分信息未在形成或变更之日起20个工作日内公开（{f.published_late}条）")
    if f.replies_late:
        problems.append(f"个别政府信息公开申请未在法定期限内答复（{f.replies_late}件）")
    problems.append("公开内容的全面性和及时性有待提高，政策解读形式较为单一")
    problems_text = (
        "（一）存在的主要问题\n" + "；".join(problems) + "。\n（二）改进情况\n"
        "加强政务公开工作人员业务培训，严格执行信息发布审核和公开时限要求，"
        "丰富政策解读形式，提升政府信息公开工作质量。"
    )
    fee = (
        f"本年度收取信息处理费{f.fees_yuan:.2f}元。" if f.fees_yuan else "本年度未收取信息处理费。"
    )
    other = (
        "（一）信息处理费收取情况\n"
        f"依据《政府信息公开信息处理费管理办法》，{fee}\n"
        "（二）落实上级年度政务公开工作要点情况\n"
        "按照上级年度政务公开工作要点要求，结合本地实际，认真做好重点领域信息公开工作。"
    )
    proposals = f"{f.year}年，{f.who}未承办人大代表建议和政协提案。"
    innovation = (
        f"{f.year}年，{f.who}坚持以公开为常态、不公开为例外，依托{channels}等渠道，"
        "围绕群众关心关注的重点领域及时公开政府信息，推进基层政务公开标准化规范化建设，"
        "方便群众知情、参与和监督。"
    )
    return DisclosureTexts(
        overview=overview,
        problems=problems_text,
        other=other,
        proposals=proposals,
        innovation=innovation,
    )


def opening_paragraph(year: int, unit: str, settings: dict[str, str]) -> str:
    text = (
        "本报告依据《中华人民共和国政府信息公开条例》（以下简称《条例》）和"
        "《中华人民共和国政府信息公开工作年度报告格式》（国办公开办函〔2021〕30号）编制，"
        "由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
        "政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、"
        "其他需要报告的事项六个部分组成。"
        f"本报告所列统计数据的期限自{year}年1月1日起，至{year}年12月31日止。"
    )
    contact = [
        f"{label}：{settings[key]}"
        for key, label in (("address", "地址"), ("postcode", "邮编"), ("phone", "电话"))
        if settings.get(key)
    ]
    if unit or contact:
        text += f"如对本报告有任何疑问，请与{unit or '本机关'}联系"
        text += f"（{'；'.join(contact)}）。" if contact else "。"
    return text


def _facts(ctx: AppContext, year: int, who: str) -> tuple[_Facts, Row, int]:
    table3, computed_in, unclassified, fees, by_group = _request_figures(ctx, year)
    typed = load_carried_in(ctx, year)
    if typed is not None:  # the drafts quote what the table prints
        table3 = {**table3, ROW_CARRIED_IN: typed}
    saved2 = load_table2(ctx, year)
    table2 = saved2 if saved2 is not None else table2_prefill(ctx, year)
    published, by_channel, by_category, published_late = _published(ctx, year)
    facts = _Facts(
        year=year,
        who=who,
        published=published,
        by_channel=by_channel,
        by_category=by_category,
        published_late=published_late,
        table2=table2,
        table3=table3,
        by_group=by_group,
        table4=_review_figures(ctx, year),
        replies_late=_late_replies(ctx, year),
        fees_yuan=fees.quantize(Decimal("0.01")),
    )
    return facts, computed_in, unclassified


def disclosure_drafts(ctx: AppContext, year: int) -> DisclosureTexts:
    """The drafts of sections 一、五、六 for ``year`` (what stands where nothing is saved)."""
    _check_year(year)
    settings = load_settings(ctx)
    facts, _computed, _unclassified = _facts(ctx, year, _who(settings))
    return draft_texts(facts)


def _who(settings: dict[str, str]) -> str:
    return we(settings.get("township", ""), settings.get("unit_name", ""))


def default_made_on(ctx: AppContext, year: int) -> date:
    """The default 成文日期: the last working day of the year in the office calendar."""
    return office_calendar(ctx).last_workday_until(date(year, 12, 31))


def disclosure_report(
    ctx: AppContext,
    year: int,
    today: date | None = None,
    *,
    title: str | None = None,
    signer: str | None = None,
) -> DisclosureReport:
    """The report of ``year``. ``today`` is the 成文日期 (default: the last working day
    of the year); ``title`` and ``signer`` (署名) as chosen at export, by default from
    设置: 发文机关, else the unit name."""
    _check_year(year)
    settings = load_settings(ctx)
    unit = settings.get("unit_name", "")
    issuer = settings.get("issuer", "").strip() or unit
    facts, computed_in, unclassified = _facts(ctx, year, _who(settings))
    table3 = dict(facts.table3)
    typed = load_carried_in(ctx, year)
    stored = load_disclosure_texts(ctx, year)
    drafts = draft_texts(facts)
    texts = DisclosureTexts(
        **{
            f.name: getattr(stored, f.name) or getattr(drafts, f.name)
            for f in fields(DisclosureTexts)
        }
    )
    return DisclosureReport(
        year=year,
        unit=unit,
        title=(title or "").strip() or f"{issuer}{year}年政府信息公开工作年度报告",
        opening=opening_paragraph(year, unit, settings),
        texts=texts,
        table2=facts.table2,
        table2_saved=load_table2(ctx, year) is not None,
        table3=table3,
        table4=facts.table4,
        carried_in_typed=typed is not None,
        previous_carried_out=computed_in,
        unclassified=unclassified,
        fees_yuan=facts.fees_yuan,
        made_on=today or default_made_on(ctx, year),
        signer=(signer or "").strip() or issuer,
    )


def export_warnings(report: DisclosureReport) -> list[str]:
    """What to tell the clerk before the report is written (the report can still be)."""
    warnings = []
    if not report.unit.strip():
        warnings.append(
            "设置中的“单位名称”为空：报告开头的联系单位"
            + ("、标题和署名" if not report.signer else "")
            + "将缺少单位名称，请先在“设置”中填写"
        )
    return warnings


# ---- the format's consistency rules (勾稽关系) --------------------------------------------
def _label(path: Path) -> str:
    return "".join(p for p in path[1:] if p) if path[0] == T3_RESULTS else path[0]


def check(report: DisclosureReport) -> list[str]:
    """The consistency rules of the format the report's figures break, in Chinese,
    naming table, row and column. Empty when every rule holds."""
    t3 = report.table3
    problems: list[str] = []
    for i, column in enumerate(T3_COLUMNS):
        left = t3[ROW_NEW][i] + t3[ROW_CARRIED_IN][i]
        right = t3[ROW_TOTAL][i] + t3[ROW_CARRIED_OUT][i]
        if left != right:
            problems.append(
                f"表三“{column}”列：一、本年新收（{t3[ROW_NEW][i]}）加二、上年结转"
                f"（{t3[ROW_CARRIED_IN][i]}）为{left}，（七）总计（{t3[ROW_TOTAL][i]}）加四、"
                f"结转下年度继续办理（{t3[ROW_CARRIED_OUT][i]}）为{right}，两者应相等"
            )
        leaves = sum(t3[path][i] for path in RESULT_ROWS)
        if leaves != t3[ROW_TOTAL][i]:
            problems.append(
                f"表三“{column}”列：（七）总计为{t3[ROW_TOTAL][i]}，"
                f"（一）至（六）各项之和为{leaves}，两者应相等"
            )
    for path in T3_ROWS:
        row = t3[path]
        if sum(row[:-1]) != row[-1]:
            problems.append(
                f"表三“{_label(path)}”行：总计为{row[-1]}，六类申请人之和为{sum(row[:-1])}，"
                "两者应相等"
            )
    for i, column in enumerate(T3_COLUMNS):
        typed, before = t3[ROW_CARRIED_IN][i], report.previous_carried_out[i]
        if typed != before:
            how = "（手工填写）" if report.carried_in_typed else ""
            problems.append(
                f"表三“{column}”列：二、上年结转政府信息公开申请数量为{typed}{how}，"
                f"登记簿中{report.year - 1}年四、结转下年度继续办理为{before}，两者应相等"
            )
    for group in T4_GROUPS:
        row = report.table4[group]
        name = group if group == T4_REVIEW else f"{T4_LITIGATION}（{group}）"
        if sum(row[:-1]) != row[-1]:
            problems.append(
                f"表四“{name}”：总计为{row[-1]}，结果维持、结果纠正、其他结果、尚未审结之和"
                f"为{sum(row[:-1])}，两者应相等"
            )
    if report.unclassified:
        problems.append(
            f"有{report.unclassified}件本年答复的申请未填写办理结果或申请人类别不在表三的列中，"
            "未计入表三，请在依申请公开登记中补正"
        )
    return problems


def with_table3_row(report: DisclosureReport, path: Path, row: Row) -> DisclosureReport:
    """A copy with one row of table 三 replaced (tests and previews of hand changes)."""
    table3 = dict(report.table3)
    table3[path] = row
    return replace(report, table3=table3)
