"""活动开展情况: the summary of one outreach campaign or theme day.

The clerk picks events (``activity_events`` lists the candidates of a period);
``activity_summary`` decides every sentence, figure, table cell and photo caption of
the summary, like sample 01 (“政务公开主题日”工作开展情况); ``activity_docx`` only lays
it out. Figures are SQL aggregates over the chosen events; a photo whose file has gone
missing is listed in ``missing_photos`` rather than stopping the report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, select

from gongkai_desktop.data.models import Record
from gongkai_desktop.domain.errors import FieldError, ValidationError
from gongkai_desktop.domain.periods import Period, format_cn_date
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.documents.content import Photo, ReportTable, join_cn, quoted, we
from gongkai_desktop.services.records.attachments import AttachmentError, photo_path
from gongkai_desktop.services.records.sql import json_value, live
from gongkai_desktop.services.settings import load_settings

EVENT_FORM = "outreach_event"
TYPE_FIELD = "event_type"
PHOTOS_FIELD = "photos"
DESCRIPTION_FIELD = "description"

# figure -> (field summed, how the figures sentence says it, unit, table header: two
# lines of two characters, so that narrow number columns keep their header tidy).
# Order is the order of the sentence and of the table's columns.
FIGURES: dict[str, tuple[str, str, str, str]] = {
    "staff": ("staff_count", "出动工作人员", "人次", "出动\n人次"),
    "audience": ("audience_count", "覆盖群众", "人次", "受众\n人次"),
    "materials": ("materials", "发放宣传资料", "份", "资料\n份数"),
    "brochures": ("brochures", "发放宣传册", "册", "宣传\n册数"),
    "banners": ("banners", "悬挂横幅", "条", "横幅\n条数"),
    "consultations": ("consultations", "解答群众咨询", "人次", "咨询\n人次"),
    "river_km": ("river_cleaned_km", "清理河道", "公里", "河道\n公里"),
    "garbage_bags": ("garbage_bags", "捡拾垃圾", "袋", "垃圾\n袋数"),
    "garbage_weight": ("garbage_weight", "清理垃圾", "斤", "垃圾\n斤数"),
}
DECIMAL_FIGURES = {"river_km": 2, "garbage_weight": 1}  # figure -> decimals kept
# columns the figures table always has, whatever the totals
TABLE_ALWAYS = ("staff", "audience")
MAX_FIGURE_COLUMNS_WITH_PLACE = 5


@dataclass(frozen=True)
class EventChoice:
    """One row of the GUI's event picker."""

    id: str
    date: date | None
    name: str
    type: str
    audience: int
    photos: int


@dataclass(frozen=True)
class ActivityEvent:
    id: str
    date: date | None
    name: str
    type: str
    place: str
    organiser: str
    partners: str
    activity_form: str
    figures: dict[str, int | float]  # same keys as ActivitySummary.figures
    description: str
    heading: str  # its （一） heading: the name, or date and place when names repeat
    paragraph: str  # the event's sentence in 二、开展情况


@dataclass(frozen=True)
class ActivitySummary:
    title: str
    unit: str
    start: date | None
    end: date | None
    figures: dict[str, int | float]  # "events" and every key of FIGURES, over all events
    figures_sentence: str  # 共开展活动N场，出动工作人员N人次，…… (non-zero figures only)
    intro: str  # the opening paragraph under the title
    theme: tuple[str, ...]  # 一、活动主题: the clerk's paragraphs, else drafted
    theme_drafted: bool
    overview: tuple[str, ...]  # 二、活动概况: where, who and the totals (said only here)
    events: tuple[ActivityEvent, ...]  # by date
    description: tuple[str, ...]  # 四、工作成效: the clerk's paragraphs, else drafted
    description_drafted: bool
    table: ReportTable
    photos: tuple[Photo, ...]  # files that exist, in event order
    missing_photos: tuple[str, ...]  # "<event>：<photo> (<file>)" for files not found
    made_on: date  # 成文日期: chosen, else the last event's date

    @property
    def made_on_text(self) -> str:
        return format_cn_date(self.made_on)

    @property
    def date_text(self) -> str:
        return date_span(self.start, self.end)

    @property
    def warnings(self) -> tuple[str, ...]:
        """What the clerk should know about the written file."""
        if self.unit.strip():
            return ()
        return ("设置中的“单位名称”为空：活动总结没有署名，请先在“设置”中填写",)


# ---- formatting -------------------------------------------------------------------------


def number_text(value: int | float) -> str:
    """12 → "12", 3.0 → "3", 2.50 → "2.5": figures as running text prints them."""
    if isinstance(value, float):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text or "0"
    return str(value)


def date_span(start: date | None, end: date | None) -> str:
    """2024年6月5日, 2024年6月5日至20日, 2024年6月5日至7月2日 or across years."""
    if start is None or end is None:
        return ""
    if start == end:
        return format_cn_date(start)
    if start.year != end.year:
        return f"{format_cn_date(start)}至{format_cn_date(end)}"
    if start.month != end.month:
        return f"{format_cn_date(start)}至{end.month}月{end.day}日"
    return f"{format_cn_date(start)}至{end.day}日"


def figure_parts(figures: dict[str, int | float]) -> list[str]:
    """["出动工作人员50人次", "发放宣传资料1000份", …] for the non-zero figures; bags and
    weight of garbage read as one: "捡拾垃圾50袋共2000斤"."""
    parts: list[str] = []
    for key, (_field, said, unit, _header) in FIGURES.items():
        value = figures.get(key)
        if not value:
            continue
        if key == "garbage_weight" and figures.get("garbage_bags"):
            parts[-1] += f"共{number_text(value)}{unit}"
        else:
            parts.append(f"{said}{number_text(value)}{unit}")
    return parts


# names that already say what kind of work they were: "…宣传" reads "…宣传活动"
_ACTIVITY_WORDS = ("宣传", "主题日", "开放日", "志愿服务", "培训", "讲座", "净滩", "巡河",
                   "清理", "竞赛", "展览", "座谈", "进村入户", "入户", "宣讲", "宣传周", "宣传月")  # fmt: skip
_DONE_WORDS = ("活动", "行动")


def activity_phrase(name: str) -> str:
    """The name as running text says it after 开展, quotation marks and 活动 once:
    政务公开主题日宣传 → 政务公开主题日宣传活动, 不二门净滩行动 as it is, a slogan
    守好一江碧水 → “守好一江碧水”活动, “六五环境日”宣传活动 as it is."""
    name = name.strip()
    if name.startswith("开展") and len(name) > 4:  # the sentence says 开展 itself
        name = name.removeprefix("开展")
    if not name:
        return "宣传活动"
    bare = name[1:-1] if name[0] in '“"「' and name[-1] in '”"」' else name
    if bare.endswith(_DONE_WORDS):
        return name
    if bare.endswith(_ACTIVITY_WORDS) and bare == name:
        return f"{name}活动"
    return f"{quoted(bare)}活动"


def _theme_core(theme: str) -> str:
    """The words a theme is about: the quoted part (“六五环境日”宣传活动 → 六五环境日),
    else the name without a closing 活动."""
    found = re.search(r"[“「\"]([^”」\"]+)[”」\"]", theme)
    if found:
        return found.group(1)
    return theme.removesuffix("活动") if len(theme) > 4 else theme


def _theme(events: Sequence[ActivityEvent]) -> str:
    """What the events share: their one name, else their one type, else ""."""
    names = {e.name.strip() for e in events if e.name.strip()}
    if len(names) == 1:
        return names.pop()
    types = {e.type for e in events if e.type}
    if len(types) == 1 and "其他" not in types:
        return types.pop()
    return ""


def _default_title(theme: str) -> str:
    return f"{activity_phrase(theme) if theme else '生态环境宣传活动'}开展情况"


def _intro(we_text: str, theme: str, span: str) -> str:
    what = activity_phrase(theme) if theme else "生态环境宣传活动"
    return (
        f"为深入推进生态环境领域政务公开，广泛宣传生态环境保护法律法规和政策，"
        f"{we_text}于{span}组织开展了{what}。现将活动开展情况总结如下。"
    )


def _drafted_theme(events: Sequence[ActivityEvent]) -> str:
    """活动主题 when the clerk gave none: the events' one name, else the kinds of work,
    and the forms the events took."""
    names = list(dict.fromkeys(e.name for e in events if e.name))
    types = [t for t in dict.fromkeys(e.type for e in events if e.type) if t != "其他"]
    forms = list(
        dict.fromkeys(f for e in events if e.activity_form for f in _split(e.activity_form))
    )
    if len(names) == 1:
        text = f"本次活动以{quoted(_theme_core(names[0]))}为主题"
    elif types:
        kinds = [activity_phrase(t) for t in types[:3]]
        text = (
            f"本次活动围绕生态环境保护主题，开展了{join_cn(kinds)}{'等' if len(types) > 3 else ''}"
        )
    else:
        text = "本次活动以宣传生态环境保护法律法规和政策为主题"
    if forms:
        text += f"，采取{'、'.join(forms[:4])}等形式"
    return text + "，向群众宣传生态环境保护法律法规和政策，引导群众关心、支持、参与生态环境保护。"


# ---- choosing events --------------------------------------------------------------------


def _photo_count() -> ColumnElement[Any]:
    return func.coalesce(func.json_array_length(Record.data, f"$.{PHOTOS_FIELD}"), 0)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def event_type_label(ctx: AppContext, text: str) -> str:
    """The stored label of an event type typed by the clerk (synonyms accepted)."""
    spec = ctx.registry.form(EVENT_FORM).field(TYPE_FIELD)
    text = text.strip()
    return spec.choice_synonyms.get(text, text)


def activity_events(
    ctx: AppContext, period: Period, event_type: str | None = None, text: str | None = None
) -> list[EventChoice]:
    """Live outreach events of ``period`` for the picker, by date: optionally of one
    type (a label or its synonym) and containing every word of ``text``."""
    conds = [
        live(Record, EVENT_FORM),
        Record.record_date >= period.start,
        Record.record_date <= period.end,
    ]
    if event_type and event_type.strip():
        conds.append(json_value(Record, TYPE_FIELD) == event_type_label(ctx, event_type))
    for word in (text or "").lower().split():
        conds.append(Record.search_text.like(f"%{_escape_like(word)}%", escape="\\"))
    with ctx.reading() as session:
        rows = session.execute(
            select(
                Record.id,
                Record.record_date,
                Record.title,
                json_value(Record, TYPE_FIELD),
                json_value(Record, FIGURES["audience"][0]),
                _photo_count(),
            )
            .where(*conds)
            .order_by(Record.record_date, Record.title, Record.id)
        ).all()
    return [
        EventChoice(
            id=rid,
            date=day,
            name=str(title or ""),
            type=str(kind or ""),
            audience=int(audience or 0),
            photos=int(photos or 0),
        )
        for rid, day, title, kind, audience, photos in rows
    ]


# ---- the summary ------------------------------------------------------------------------


def _sums(ctx: AppContext, ids: Sequence[str]) -> dict[str, int | float]:
    """Totals over the chosen events, one SQL aggregate."""
    columns = [
        func.coalesce(func.sum(json_value(Record, field)), 0)
        for field, _said, _unit, _header in FIGURES.values()
    ]
    where = (live(Record, EVENT_FORM), Record.id.in_(ids))
    with ctx.reading() as session:
        count, *totals = session.execute(select(func.count(), *columns).where(*where)).one()
    result: dict[str, int | float] = {"events": int(count)}
    for key, total in zip(FIGURES, totals, strict=True):
        result[key] = _figure(key, total)
    return result


def _figure(key: str, value: Any) -> int | float:
    if key in DECIMAL_FIGURES:
        number = round(float(value or 0), DECIMAL_FIGURES[key])
        return int(number) if number.is_integer() else number
    return int(value or 0)


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return " ".join(str(value).split()) if value not in (None, "") else ""


def _event_paragraph(day: date | None, data: dict[str, Any], figures: dict[str, Any]) -> str:
    when = format_cn_date(day) if day else ""
    name = _text(data, "name")
    place = _text(data, "place")
    organiser = _text(data, "organiser")
    partners = _text(data, "partners")
    form = _text(data, "activity_form")
    head = when + "，"
    if organiser:
        head += f"由{organiser}组织"
        head += f"，{partners}参与，" if partners else "，"
    head += f"在{place}" if place else ""
    head += f"开展{activity_phrase(name)}"
    head += f"，采取{form}等形式" if form else ""
    parts = figure_parts(figures)
    return head + ("，" + "，".join(parts) if parts else "") + "。"


def _overview(
    we_text: str, events: Sequence[ActivityEvent], figures: dict[str, Any], span: str
) -> tuple[str, ...]:
    """一、活动概况 in one paragraph: when, where, who, and the totals — the only place
    the totals are said (a single event's figures are said in its own paragraph)."""
    places = list(dict.fromkeys(e.place for e in events if e.place))
    organisers = list(dict.fromkeys(e.organiser for e in events if e.organiser))
    partners = list(dict.fromkeys(p for e in events if e.partners for p in _split(e.partners)))
    where = f"在{join_cn(places[:6])}{'等地' if len(places) > 1 else ''}" if places else ""
    parts = [f"{span}，{we_text}{where}共开展宣传活动{figures['events']}场"]
    if organisers:
        parts.append(f"活动由{join_cn(organisers)}组织")
    if partners:
        parts.append(f"{join_cn(partners[:8])}{'等单位' if len(partners) > 8 else ''}参与")
    if len(events) > 1:
        parts += figure_parts(figures)
    return ("，".join(parts) + "。",)


def _split(text: str) -> list[str]:
    for sep in ("，", "、", ",", "；", ";", " "):
        text = text.replace(sep, "\n")
    return [p.strip() for p in text.split("\n") if p.strip()]


def _drafted_description(we_text: str, events: Sequence[ActivityEvent]) -> tuple[str, ...]:
    """One paragraph per event from its 活动情况, closed by what the work achieved (no
    figure again: 一、活动概况 states them)."""
    paragraphs = [e.description for e in events if e.description]
    closing = (
        f"通过开展此次活动，{we_text}进一步宣传了生态环境保护法律法规和政策，"
        "提升了广大群众的生态环境保护意识，营造了共建共治共享的良好氛围。"
    )
    return (*paragraphs, closing)


def _table(events: Sequence[ActivityEvent], figures: dict[str, Any]) -> ReportTable:
    """One row per event and a 合计 row; figure columns only for figures not all zero
    (出动 and 受众 always). 地点 only while the page is wide enough for it."""
    keys = [k for k in FIGURES if k in TABLE_ALWAYS or figures.get(k)]
    with_place = len(keys) <= MAX_FIGURE_COLUMNS_WITH_PLACE
    headers = ("序号", "日期", "活动名称", *(("地点",) if with_place else ()))
    rows: list[tuple[str | int, ...]] = []
    for n, event in enumerate(events, 1):
        day = f"{event.date.month}月{event.date.day}日" if event.date else ""
        place = (event.place,) if with_place else ()
        cells = tuple(number_text(event.figures[k]) for k in keys)
        rows.append((n, day, event.name, *place, *cells))
    many = len(events) > 1  # one event: its row is the total
    if many:
        total = tuple(number_text(figures[k]) for k in keys)
        rows.append(("合计", "", f"{figures['events']}场", *(("",) if with_place else ()), *total))
    return ReportTable(
        caption="活动情况统计表",
        headers=headers + tuple(FIGURES[k][3] for k in keys),
        rows=tuple(rows),
        total_row=many,
        widths=(4, 5, 10, *((8,) if with_place else ()), *(5 for _ in keys)),
    )


def _photos(ctx: AppContext, rid: str, name: str, entries: Any) -> tuple[list[Photo], list[str]]:
    found: list[Photo] = []
    missing: list[str] = []
    if not isinstance(entries, list):
        return found, missing
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            continue
        caption = str(entry.get("caption") or "").strip() or f"{name}（{n}）"
        label = str(entry.get("name") or entry.get("file") or f"第{n}张")
        try:
            path = photo_path(ctx, entry)
        except AttachmentError:
            missing.append(f"{name}：{label}（{entry.get('file')}，不在附件文件夹中）")
            continue
        if not path.is_file():
            missing.append(f"{name}：{label}（{entry.get('file')}）")
            continue
        found.append(Photo(path=str(path), caption=caption))
    return found, missing


def _dated_heading(event: ActivityEvent) -> str:
    day = f"{event.date.month}月{event.date.day}日" if event.date else ""
    where = event.place or event.type
    if not where:
        return f"{day}{event.name}" if day else event.name
    return f"{day}{where}{'' if where.endswith('活动') else '活动'}"


def _ordered_unique(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i.strip() for i in ids if i and i.strip()))


def activity_summary(
    ctx: AppContext,
    event_ids: Sequence[str],
    title: str | None = None,
    description: str | None = None,
    made_on: date | None = None,
    theme: str | None = None,
) -> ActivitySummary:
    """The summary of the chosen events. ``description`` is the clerk's 工作成效 text
    (paragraphs separated by line breaks); without it one is drafted from the events'
    own 活动情况. ``theme`` is the clerk's 活动主题 text (else drafted); ``made_on`` the
    成文日期 (default: the date of the last event). Raises ``ValidationError`` naming ids
    that are not live events."""
    ids = _ordered_unique(event_ids)
    if not ids:
        raise ValidationError([FieldError("events", "活动", "请至少选择一项宣传活动")])
    with ctx.reading() as session:
        rows = session.execute(
            select(Record.id, Record.record_date, Record.data)
            .where(live(Record, EVENT_FORM), Record.id.in_(ids))
            .order_by(Record.record_date, Record.title, Record.id)
        ).all()
    unknown = [i for i in ids if i not in {r.id for r in rows}]
    if unknown:
        raise ValidationError(
            [
                FieldError(
                    "events",
                    "活动",
                    f"找不到以下宣传活动（编号有误、已删除或不是宣传活动）：{'、'.join(unknown)}",
                )
            ]
        )
    settings = load_settings(ctx)
    unit = settings.get("unit_name", "") or settings.get("township", "")
    events: list[ActivityEvent] = []
    photos: list[Photo] = []
    missing: list[str] = []
    for rid, day, data in rows:
        values = dict(data or {})
        figures = {key: _figure(key, values.get(field)) for key, (field, *_r) in FIGURES.items()}
        name = _text(values, "name")
        events.append(
            ActivityEvent(
                id=rid,
                date=day,
                name=name,
                type=_text(values, TYPE_FIELD),
                place=_text(values, "place"),
                organiser=_text(values, "organiser"),
                partners=_text(values, "partners"),
                activity_form=_text(values, "activity_form"),
                figures=figures,
                description=_text(values, DESCRIPTION_FIELD),
                heading=name,
                paragraph=_event_paragraph(day, values, figures),
            )
        )
        found, lost = _photos(ctx, rid, name or "活动照片", values.get(PHOTOS_FIELD))
        photos += found
        missing += lost
    if len({e.name for e in events}) < len(events):  # names repeat: say when and where
        events = [replace(e, heading=_dated_heading(e)) for e in events]
    totals = _sums(ctx, ids)
    dates = [e.date for e in events if e.date]
    start, end = (min(dates), max(dates)) if dates else (None, None)
    span = date_span(start, end)
    parts = figure_parts(totals)
    sentence = f"共开展活动{totals['events']}场" + "".join(f"，{p}" for p in parts) + "。"
    clerk = tuple(p.strip() for p in (description or "").splitlines() if p.strip())
    clerk_theme = tuple(p.strip() for p in (theme or "").splitlines() if p.strip())
    we_text = we(settings.get("township", ""), unit)
    shared = _theme(events)
    return ActivitySummary(
        title=(title or "").strip() or _default_title(shared),
        unit=unit,
        start=start,
        end=end,
        figures=totals,
        figures_sentence=sentence,
        intro=_intro(we_text, shared, span),
        theme=clerk_theme or (_drafted_theme(events),),
        theme_drafted=not clerk_theme,
        overview=_overview(we_text, events, totals, span),
        events=tuple(events),
        description=clerk or _drafted_description(we_text, events),
        description_drafted=not clerk,
        table=_table(events, totals),
        photos=tuple(photos),
        missing_photos=tuple(missing),
        made_on=made_on or end or date.today(),
    )
