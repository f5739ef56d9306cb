"""活动开展情况: choosing events, the summary's figures against sums
computed here from the values entered, the .docx reopened with python-docx (title,
figures sentence, one picture per photo within the text width, centred captions) and
``gongkai report activity``. Photos are real JPEG/PNG files attached through the same
service the editor uses."""

from __future__ import annotations

import itertools
import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.enum.text import WD_PARAGRAPH_ALIGNMENT
from docx.shared import Mm, Pt
from PIL import Image

from gongkai_desktop.domain.errors import ValidationError
from gongkai_desktop.domain.periods import parse_period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.records.attachments import attach_photo
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.reports.activity import (
    activity_events,
    activity_phrase,
    activity_summary,
    date_span,
    number_text,
)
from gongkai_desktop.services.reports.writers.activity_docx import write_activity_docx
from gongkai_desktop.services.settings import save_settings

from .work_helpers import Run

UNIT = "许明寺镇人民政府"
TEXT_WIDTH = Mm(210 - 28 - 26)
# field -> (words in the figures sentence, unit)
SENTENCE = {
    "staff_count": ("出动工作人员", "人次"),
    "audience_count": ("覆盖群众", "人次"),
    "materials": ("发放宣传资料", "份"),
    "brochures": ("发放宣传册", "册"),
    "banners": ("悬挂横幅", "条"),
    "consultations": ("解答群众咨询", "人次"),
    "river_cleaned_km": ("清理河道", "公里"),
    "garbage_bags": ("捡拾垃圾", "袋"),
}


def jpeg(path: Path, size: tuple[int, int], orientation: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, (200, 40, 40))
    image.paste((20, 20, 200), (0, 0, size[0] // 2, size[1] // 3))
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    image.save(path, "JPEG", exif=exif.tobytes())
    return path


def png(path: Path, size: tuple[int, int]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGBA", size, (30, 160, 60, 255)).save(path, "PNG")
    return path


def event(day: str, name: str, **values: Any) -> dict[str, Any]:
    return {"event_date": day, "name": name, "event_type": "政务公开主题日", **values}


@pytest.fixture
def theme_day(ctx: AppContext, records: RecordService, tmp_path: Path) -> dict[str, Any]:
    """Sample 01 in small: three events of a theme day with four photos, one deleted
    event, one event of another month."""
    save_settings(ctx, {"unit_name": UNIT, "township": "许明寺镇"})
    photos_a = [
        attach_photo(ctx, jpeg(tmp_path / "in" / "IMG_1.JPG", (1600, 1200)), "部署会议"),
        attach_photo(ctx, jpeg(tmp_path / "in" / "IMG_2.JPG", (900, 1200))),  # portrait
    ]
    photos_b = [
        attach_photo(
            ctx, jpeg(tmp_path / "in" / "IMG_3.JPG", (1200, 800), orientation=6), "净滩现场"
        ),
        attach_photo(ctx, png(tmp_path / "in" / "截图.png", (3000, 600)), "  "),  # very wide
    ]
    values = [
        event(
            "2024-06-05",
            "政务公开主题日宣传",
            place="镇政务中心",
            organiser="镇生态办",
            partners="派出所、卫生院",
            staff_count=12,
            audience_count=300,
            materials=1000,
            brochures=500,
            consultations=60,
            description="在镇政务中心设置咨询台，公开政务服务事项及办事指南。",
            photos=photos_a,
        ),
        event(
            "2024-06-24",
            "不二门净滩行动",
            event_type="志愿者活动",
            place="猛洞河不二门段",
            staff_count=20,
            audience_count=0,
            river_cleaned_km=3,
            garbage_bags=50,
            garbage_weight=2000,
            description="组织志愿者巡河净滩。",
            photos=photos_b,
        ),
        event("2024-06-10", "入户宣传", place="许明寺村", staff_count=6, banners=3),
    ]
    ids = [records.create("outreach_event", v).id for v in values]
    deleted = records.create("outreach_event", event("2024-06-12", "已删除的活动", staff_count=99))
    records.delete(deleted.id)
    other = records.create("outreach_event", event("2024-07-01", "七月的活动", staff_count=7))
    return {"ids": ids, "values": values, "deleted": deleted.id, "other": other.id}


# ---- choosing events --------------------------------------------------------------------


def test_picker_lists_live_events_of_the_period_by_date(
    ctx: AppContext, theme_day: dict[str, Any]
) -> None:
    june = parse_period("2024-06")
    chosen = activity_events(ctx, june)
    a, b, c = theme_day["ids"]
    assert [e.id for e in chosen] == [a, c, b]  # by date; deleted and July left out
    first = chosen[0]
    assert (first.date, first.name, first.type, first.audience, first.photos) == (
        date(2024, 6, 5),
        "政务公开主题日宣传",
        "政务公开主题日",
        300,
        2,
    )
    assert chosen[1].photos == 0 and chosen[1].audience == 0
    # by type, a synonym accepted; by words of the text
    assert [e.id for e in activity_events(ctx, june, event_type="志愿服务")] == [b]
    assert [e.id for e in activity_events(ctx, june, text="净滩 不二门")] == [b]
    assert activity_events(ctx, june, text="没有这个词") == []
    assert [e.id for e in activity_events(ctx, parse_period("2024-07"))] == [theme_day["other"]]


# ---- the summary ------------------------------------------------------------------------


def test_figures_equal_sums_of_the_values_entered(
    ctx: AppContext, theme_day: dict[str, Any]
) -> None:
    summary = activity_summary(ctx, theme_day["ids"], made_on=date(2024, 6, 30))
    values = theme_day["values"]

    def total(key: str) -> int:
        return sum(int(v.get(key) or 0) for v in values)

    assert summary.figures == {
        "events": 3,
        "staff": total("staff_count"),
        "audience": total("audience_count"),
        "materials": total("materials"),
        "brochures": total("brochures"),
        "banners": total("banners"),
        "consultations": total("consultations"),
        "river_km": total("river_cleaned_km"),
        "garbage_bags": total("garbage_bags"),
        "garbage_weight": total("garbage_weight"),
    }
    assert summary.figures_sentence == (
        "共开展活动3场，出动工作人员38人次，覆盖群众300人次，发放宣传资料1000份，"
        "发放宣传册500册，悬挂横幅3条，解答群众咨询60人次，清理河道3公里，"
        "捡拾垃圾50袋共2000斤。"
    )
    assert summary.title == "生态环境宣传活动开展情况"  # two names, two types
    assert summary.unit == UNIT and summary.made_on_text == "2024年6月30日"
    assert summary.date_text == "2024年6月5日至24日"
    assert [e.name for e in summary.events] == ["政务公开主题日宣传", "入户宣传", "不二门净滩行动"]
    # 活动概况: the office as 我镇 (its unit name only in the signature) and the totals
    (overview,) = summary.overview
    assert overview == (
        "2024年6月5日至24日，我镇在镇政务中心、许明寺村和猛洞河不二门段等地共开展宣传活动"
        "3场，活动由镇生态办组织，派出所和卫生院参与，出动工作人员38人次，覆盖群众300人次，"
        "发放宣传资料1000份，发放宣传册500册，悬挂横幅3条，解答群众咨询60人次，"
        "清理河道3公里，捡拾垃圾50袋共2000斤。"
    )
    assert summary.intro.startswith("为深入推进") and "我镇于2024年6月5日至24日" in summary.intro
    # drafted 工作成效: each event's own 活动情况, then a closing paragraph with no figure
    assert summary.description_drafted
    assert summary.description[:2] == (values[0]["description"], values[1]["description"])
    assert not any(c.isdigit() for c in summary.description[-1])
    # drafted 活动主题: the two kinds of work
    assert summary.theme_drafted and summary.theme == (
        "本次活动围绕生态环境保护主题，开展了政务公开主题日活动和志愿者活动，"
        "向群众宣传生态环境保护法律法规和政策，引导群众关心、支持、参与生态环境保护。",
    )
    table = summary.table
    assert table.rows[-1][:3] == ("合计", "", "3场") and table.total_row


@pytest.mark.parametrize("seed", range(4))
def test_random_selection_figures_match_independent_sums(
    ctx: AppContext, records: RecordService, seed: int
) -> None:
    rng = random.Random(seed)
    fields = [*SENTENCE, "garbage_weight"]
    made = []
    for n in range(12):
        values = event(
            f"2025-03-{rng.randint(1, 28):02d}",
            f"活动{n}",
            event_type="志愿者活动",
            **{k: rng.choice([0, rng.randint(1, 500)]) for k in fields},
        )
        values["river_cleaned_km"] = rng.choice([0, 0.25, 1.5, 2.75])
        made.append((records.create("outreach_event", values).id, values))
    chosen = rng.sample(made, 7)
    for rid, _values in rng.sample([m for m in made if m not in chosen], 2):
        records.delete(rid)  # deleted events not chosen change nothing
    summary = activity_summary(ctx, [rid for rid, _v in chosen])
    for key, field in (
        ("staff", "staff_count"),
        ("materials", "materials"),
        ("banners", "banners"),
    ):
        assert summary.figures[key] == sum(v[field] for _r, v in chosen)
    assert summary.figures["river_km"] == pytest.approx(
        sum(v["river_cleaned_km"] for _r, v in chosen)
    )
    assert summary.figures["events"] == 7
    for field, (said, unit) in SENTENCE.items():
        expected = sum(v[field] for _r, v in chosen)
        if expected:
            assert f"{said}{number_text(expected)}{unit}" in summary.figures_sentence
        else:
            assert said not in summary.figures_sentence


def test_one_theme_gives_the_title_and_clerk_text_replaces_the_draft(
    ctx: AppContext, records: RecordService
) -> None:
    ids = [
        records.create("outreach_event", event(d, "守好一江碧水", staff_count=2)).id
        for d in ("2023-06-24", "2023-07-09")
    ]
    summary = activity_summary(ctx, ids)
    assert summary.title == "“守好一江碧水”活动开展情况"
    assert summary.figures_sentence == "共开展活动2场，出动工作人员4人次。"
    clerk = activity_summary(ctx, ids, title="  自定标题 ", description="第一段。\n\n 第二段。 \n")
    assert clerk.title == "自定标题"
    assert clerk.description == ("第一段。", "第二段。") and not clerk.description_drafted


def test_repeated_names_get_dated_headings_and_an_office_says_wo_ju(
    ctx: AppContext, records: RecordService
) -> None:
    save_settings(ctx, {"unit_name": "湘西州生态环境局永顺分局", "township": ""})
    ids = [
        records.create("outreach_event", event("2023-06-15", "主题日", place="政务中心")).id,
        records.create("outreach_event", event("2023-06-24", "主题日", place="")).id,
    ]
    summary = activity_summary(ctx, ids)
    assert [e.heading for e in summary.events] == [
        "6月15日政务中心活动",
        "6月24日政务公开主题日活动",
    ]
    assert summary.description[-1].startswith("通过开展此次活动，我局")


def test_unknown_and_deleted_ids_are_named(ctx: AppContext, theme_day: dict[str, Any]) -> None:
    a = theme_day["ids"][0]
    with pytest.raises(ValidationError) as caught:
        activity_summary(ctx, [a, "no-such-id", theme_day["deleted"]])
    message = str(caught.value)
    assert "no-such-id" in message and theme_day["deleted"] in message and a not in message
    assert "找不到" in message
    with pytest.raises(ValidationError, match="请至少选择"):
        activity_summary(ctx, [])


def test_photos_captions_and_missing_files(ctx: AppContext, theme_day: dict[str, Any]) -> None:
    summary = activity_summary(ctx, theme_day["ids"])
    assert [p.caption for p in summary.photos] == [
        "部署会议",
        "政务公开主题日宣传（2）",  # no caption: the event's name and the photo's number
        "净滩现场",
        "不二门净滩行动（2）",
    ]
    assert all(Path(p.path).is_file() for p in summary.photos)
    assert summary.missing_photos == ()

    Path(summary.photos[2].path).unlink()  # the attachment folder lost a file
    again = activity_summary(ctx, theme_day["ids"])
    assert [p.caption for p in again.photos] == [
        "部署会议",
        "政务公开主题日宣传（2）",
        "不二门净滩行动（2）",
    ]
    assert len(again.missing_photos) == 1
    assert "不二门净滩行动" in again.missing_photos[0] and "IMG_3.JPG" in again.missing_photos[0]


# ---- the Word file ----------------------------------------------------------------------


def texts(doc: Any) -> list[str]:
    return [p.text for p in doc.paragraphs]


def test_docx_title_sentence_pictures_and_captions(
    ctx: AppContext, theme_day: dict[str, Any], tmp_path: Path
) -> None:
    summary = activity_summary(ctx, theme_day["ids"], made_on=date(2024, 6, 30))
    out = tmp_path / "活动.docx"
    write_activity_docx(summary, out)
    doc = Document(str(out))
    lines = texts(doc)
    # the title alone at the top; the unit printed once, as the signature
    assert lines[:2] == ["生态环境宣传活动开展情况", ""]
    assert sum(line.count(UNIT) for line in lines) == 1
    headings = ["一、活动主题", "二、活动概况", "三、开展情况", "四、工作成效"]
    assert [line for line in lines if line in headings] == headings
    # the totals said once, in 二、活动概况 (the events' own figures in 三 differ, and
    # the table's 合计 row aside); no second sentence of totals
    body = "".join(lines)
    assert body.count("出动工作人员38人次") == 1 and body.count("3场") == 1
    assert "共开展活动" not in body
    assert "“”" not in body and "活动活动" not in body and "宣传活动”活动" not in body
    # the body ends with 附件说明 and the signature; the appendix follows on a new page
    signed = lines.index("2024年6月30日")
    assert lines[signed - 1] == UNIT and "附件：活动图片" in lines[:signed]
    # the signature never alone on a page: from the last paragraph of 工作成效 to the
    # unit every paragraph keeps with the next
    closing = lines.index(summary.description[-1])
    kept = [doc.paragraphs[i].paragraph_format.keep_with_next for i in range(closing, signed)]
    assert kept == [True] * (signed - closing)
    assert lines[signed + 1 : signed + 3] == ["附件", "活动图片"]
    assert doc.paragraphs[signed + 1].paragraph_format.page_break_before
    # one picture per photo, inside the text width and 14 × 8.5 cm, aspect kept
    shapes = doc.inline_shapes
    assert len(shapes) == len(summary.photos) == 4
    for shape in shapes:
        assert 0 < shape.width <= min(TEXT_WIDTH, Mm(140)) + 1
        assert 0 < shape.height <= Mm(85) + 1
    ratios = [shape.width / shape.height for shape in shapes]
    assert ratios == pytest.approx([4 / 3, 3 / 4, 2 / 3, 5.0], rel=0.01)  # IMG_3 turned upright
    # each picture's paragraph is centred and followed by its centred caption
    picture_paragraphs = [p for p in doc.paragraphs if p._p.xpath(".//pic:pic")]
    assert len(picture_paragraphs) == 4
    for paragraph, photo in zip(picture_paragraphs, summary.photos, strict=True):
        assert paragraph.alignment == WD_PARAGRAPH_ALIGNMENT.CENTER
        caption = paragraph._p.getnext()
        index = [p._p for p in doc.paragraphs].index(caption)
        assert doc.paragraphs[index].text == photo.caption
        assert doc.paragraphs[index].alignment == WD_PARAGRAPH_ALIGNMENT.CENTER
    # two photos a page: every third photo starts another one
    breaks = [bool(p.paragraph_format.page_break_before) for p in picture_paragraphs]
    assert breaks == [False, False, True, False]
    # the figures table: header, one row per event, 合计
    (table,) = doc.tables
    assert [c.text for c in table.rows[0].cells][:3] == ["序号", "日期", "活动名称"]
    assert [c.text for c in table.rows[-1].cells][:3] == ["合计", "", "3场"]
    assert len(table.rows) == 1 + 3 + 1
    # GB/T 9704 page: A4, 37/35/28/26 mm
    section = doc.sections[0]
    sizes = (
        section.page_width,
        section.page_height,
        section.top_margin,
        section.bottom_margin,
        section.left_margin,
        section.right_margin,
    )
    assert [round(s.mm, 1) for s in sizes] == [210, 297, 37, 35, 28, 26]  # stored in twips


def test_docx_with_a_missing_photo_and_without_photos(
    ctx: AppContext, theme_day: dict[str, Any], tmp_path: Path
) -> None:
    first = activity_summary(ctx, theme_day["ids"])
    Path(first.photos[0].path).unlink()
    summary = activity_summary(ctx, theme_day["ids"])
    write_activity_docx(summary, tmp_path / "a.docx")
    assert len(Document(str(tmp_path / "a.docx")).inline_shapes) == 3
    no_photos = activity_summary(ctx, [theme_day["ids"][2]])
    write_activity_docx(no_photos, tmp_path / "b.docx")
    doc = Document(str(tmp_path / "b.docx"))
    assert len(doc.inline_shapes) == 0
    assert "附件" not in texts(doc) and "附件：活动图片" not in texts(doc)
    assert "入户宣传活动开展情况" in texts(doc)
    # one event: its row is the table, no 合计 row
    assert [c.text for c in doc.tables[0].rows[-1].cells][:3] == ["1", "6月10日", "入户宣传"]


# ---- command line -----------------------------------------------------------------------


def test_cli_by_ids_and_by_period(run: Run, theme_day: dict[str, Any], tmp_path: Path) -> None:
    a, b, _c = theme_day["ids"]
    out = tmp_path / "by_ids.docx"
    note = tmp_path / "成效.txt"
    note.write_text("群众满意度明显提升。\n", encoding="utf-8")
    code, stdout, err = run(
        "report", "activity", "--events", f"{a},{b}", "--title", "主题日活动",
        "--description-file", str(note), "--out", str(out),
    )  # fmt: skip
    assert (code, err) == (0, ""), err
    assert "已生成" in stdout
    doc = Document(str(out))
    assert "主题日活动" in texts(doc) and "群众满意度明显提升。" in texts(doc)
    assert len(doc.inline_shapes) == 4
    assert any("共开展宣传活动2场" in t and "出动工作人员32人次" in t for t in texts(doc))

    by_type = tmp_path / "by_type.docx"
    code, _stdout, err = run(
        "report", "activity", "--period", "2024-06", "--type", "政务公开主题日",
        "--out", str(by_type),
    )  # fmt: skip
    assert (code, err) == (0, ""), err
    assert any(
        "共开展宣传活动2场" in t and "出动工作人员18人次" in t
        for t in texts(Document(str(by_type)))
    )

    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("用记事本保存的文字。".encode("gbk"))
    code, _stdout, err = run(
        "report", "activity", "--from", "2024-06-01", "--to", "2024-06-30", "--search", "净滩",
        "--description-file", str(gbk), "--out", str(tmp_path / "s.docx"),
    )  # fmt: skip
    assert (code, err) == (0, ""), err
    assert "用记事本保存的文字。" in texts(Document(str(tmp_path / "s.docx")))


def test_cli_reports_missing_photos_on_stderr(
    run: Run, ctx: AppContext, theme_day: dict[str, Any], tmp_path: Path
) -> None:
    Path(activity_summary(ctx, theme_day["ids"]).photos[0].path).unlink()
    code, stdout, err = run(
        "report", "activity", "--events", theme_day["ids"][0], "--out", str(tmp_path / "x.docx")
    )
    assert code == 0 and "照片1张" in stdout
    assert "照片文件缺失" in err and "IMG_1.JPG" in err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (("--out", "x.docx"), "--events"),
        (("--events", "ID", "--period", "2024-06", "--out", "x.docx"), "只能用其一"),
        (("--events", " , ", "--out", "x.docx"), "逗号分隔"),
        (("--events", "no-such-id", "--out", "x.docx"), "no-such-id"),
        (("--period", "2024-06", "--out", "x.pdf"), ".docx"),
        (("--period", "2023-01", "--out", "x.docx"), "没有符合条件"),
        (("--period", "2024-13", "--out", "x.docx"), "月份"),
        (("--period", "2024-06", "--description-file", "nope.txt", "--out", "x.docx"), "nope.txt"),
    ],
)
def test_cli_bad_input_exits_2(
    run: Run, theme_day: dict[str, Any], tmp_path: Path, argv: tuple[str, ...], words: str
) -> None:
    args = [str(tmp_path / a) if a.endswith((".docx", ".pdf", ".txt")) else a for a in argv]
    code, _stdout, err = run("report", "activity", *args)
    assert code == 2, err
    assert words in err


# ---- formatting helpers -----------------------------------------------------------------


def test_date_span_and_numbers() -> None:
    assert date_span(date(2024, 6, 5), date(2024, 6, 5)) == "2024年6月5日"
    assert date_span(date(2024, 6, 5), date(2024, 7, 2)) == "2024年6月5日至7月2日"
    assert date_span(date(2024, 12, 30), date(2025, 1, 2)) == "2024年12月30日至2025年1月2日"
    assert [number_text(v) for v in (12, 3.0, 2.5, 0.25)] == ["12", "3", "2.5", "0.25"]


# ---- wording, title, table and date (issue 17) -----------------------------------------


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("政务公开主题日宣传", "政务公开主题日宣传活动"),
        ("不二门净滩行动", "不二门净滩行动"),
        ("守好一江碧水", "“守好一江碧水”活动"),
        ("“守好一江碧水”", "“守好一江碧水”活动"),
        ("“六五环境日”宣传活动", "“六五环境日”宣传活动"),
        ("开展“六五环境日”宣传", "“六五环境日”宣传活动"),  # after 开展: not twice
        ("“世界地球日”", "“世界地球日”活动"),
    ],
)
def test_activity_names_read_with_quotes_and_huodong_once(name: str, said: str) -> None:
    assert activity_phrase(name) == said


def test_quoted_theme_is_not_quoted_again(ctx: AppContext, records: RecordService) -> None:
    save_settings(ctx, {"unit_name": "龙河镇人民政府"})
    ids = [
        records.create(
            "outreach_event",
            event(d, "“六五环境日”宣传活动", place=p, staff_count=n, materials=10 * n),
        ).id
        for d, p, n in (("2023-06-05", "龙河场镇", 12), ("2023-06-18", "金竹沟村", 6))
    ]
    summary = activity_summary(ctx, ids)
    assert summary.title == "“六五环境日”宣传活动开展情况"
    assert summary.intro.endswith(
        "我镇于2023年6月5日至18日组织开展了“六五环境日”宣传活动。现将活动开展情况总结如下。"
    )
    assert summary.theme[0].startswith("本次活动以“六五环境日”为主题，")
    assert summary.events[0].paragraph == (
        "2023年6月5日，在龙河场镇开展“六五环境日”宣传活动，出动工作人员12人次，发放宣传资料120份。"
    )
    every = " ".join([summary.title, summary.intro, *summary.theme, *summary.overview])
    every += " ".join(e.paragraph for e in summary.events)
    assert "活动”活动" not in every and "““" not in every and "””" not in every
    # 成文日期: the last event's date, unless chosen
    assert summary.made_on == date(2023, 6, 18)
    assert activity_summary(ctx, ids, made_on=date(2023, 6, 30)).made_on_text == "2023年6月30日"


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        (
            "龙河镇“守护绿水青山·共建美丽龙河”六五环境日系列宣传活动开展情况",
            ["龙河镇“守护绿水青山·共建美丽龙河”", "六五环境日系列宣传活动开展情况"],
        ),
        (
            "许明寺镇2023年度“六五环境日”暨“政务公开主题日”活动开展情况",
            ["许明寺镇2023年度“六五环境日”", "暨“政务公开主题日”活动开展情况"],
        ),
        ("“守好一江碧水”活动开展情况", ["“守好一江碧水”活动开展情况"]),
    ],
)
def test_title_breaks_only_where_a_phrase_ends(
    ctx: AppContext, records: RecordService, tmp_path: Path, title: str, lines: list[str]
) -> None:
    rid = records.create("outreach_event", event("2023-06-05", "宣传", staff_count=1)).id
    out = tmp_path / "t.docx"
    write_activity_docx(activity_summary(ctx, [rid], title=title), out)
    first = Document(str(out)).paragraphs[0]
    # the lines are runs separated by a line break, in the title's paragraph
    assert first.text.replace("\n", "|") == "|".join(lines)


@pytest.mark.parametrize("chosen", [(0, 1, 2), (2,)])
def test_table_columns_hold_numbers_and_dates_on_one_line(
    ctx: AppContext, theme_day: dict[str, Any], tmp_path: Path, chosen: tuple[int, ...]
) -> None:
    """Every column but 活动名称 and 地点 is at least as wide as its longest cell in the
    table's font (Chinese one character, digits and letters 0.7, 0.25 where they meet),
    plus the cell margins; the columns fill the 156 mm text width. Three events have
    nine figure columns (no 地点); 入户宣传 alone three (with 地点, no 合计 row)."""
    summary = activity_summary(ctx, [theme_day["ids"][i] for i in chosen])
    out = tmp_path / "w.docx"
    write_activity_docx(summary, out)
    (table,) = Document(str(out)).tables
    size = table.rows[1].cells[0].paragraphs[0].runs[0].font.size.pt
    assert size in (10.5, 9.0)
    headers = [c.text for c in table.rows[0].cells]
    assert ("地点" in headers) == (len(chosen) == 1)
    widths = [c.width for c in table.columns]
    assert sum(widths) == pytest.approx(TEXT_WIDTH, rel=0.005)
    margins = Mm(2)
    for i, column in enumerate(table.columns):
        if headers[i] in ("活动名称", "地点"):  # text wraps, in at least 5 characters
            assert widths[i] >= Pt(size) * 5 + margins
            continue
        for cell in column.cells[1:]:
            text = cell.text
            wide = [ord(c) > 0x2E80 for c in text]
            chars = sum(1 if w else 0.7 for w in wide)
            chars += 0.25 * sum(a != b for a, b in itertools.pairwise(wide))
            assert widths[i] >= Pt(size) * chars + margins, (i, text)
    dates = [row.cells[1].text for row in table.rows[1:]]
    assert dates == (["6月5日", "6月10日", "6月24日", ""] if len(chosen) == 3 else ["6月10日"])


def test_cli_date_and_theme(run: Run, theme_day: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "d.docx"
    code, _stdout, err = run(
        "report", "activity", "--period", "2024-06", "--date", "2024-07-02",
        "--theme", "本次活动以“美丽许明寺”为主题。", "--out", str(out),
    )  # fmt: skip
    assert (code, err) == (0, ""), err
    lines = texts(Document(str(out)))
    assert lines[lines.index("一、活动主题") + 1] == "本次活动以“美丽许明寺”为主题。"
    assert lines[-1] != "2024年7月2日" and "2024年7月2日" in lines
    code, _stdout, err = run(
        "report", "activity", "--period", "2024-06", "--date", "2024-7-2", "--out", str(out)
    )
    assert code == 2 and "成文日期" in err


def test_cli_warns_about_an_empty_unit_name(
    run: Run, ctx: AppContext, theme_day: dict[str, Any], tmp_path: Path
) -> None:
    save_settings(ctx, {"unit_name": "", "township": ""})
    out = tmp_path / "u.docx"
    code, _stdout, err = run("report", "activity", "--period", "2024-06", "--out", str(out))
    assert code == 0 and "警告：设置中的“单位名称”为空" in err and out.exists()
    # without a unit name or township the office still names itself in the text
    assert "我镇于2024年6月5日至24日" in "".join(texts(Document(str(out))))
