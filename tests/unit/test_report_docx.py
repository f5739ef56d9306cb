"""Word output of the annual report and the monthly summary.

The data is entered through RecordService; expected numbers are counted here from what
the test entered, and the layout is read back from the saved .docx with python-docx
(raw WordprocessingML where python-docx has no accessor), never through the writer.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_LINE_SPACING, WD_PARAGRAPH_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Length
from docx.text.paragraph import Paragraph

from gongkai_desktop.domain.periods import parse_period
from gongkai_desktop.services.context import AppContext
from gongkai_desktop.services.documents import official_docx
from gongkai_desktop.services.documents.content import ReportTable, TableCell
from gongkai_desktop.services.io.file_output import ExportError
from gongkai_desktop.services.records.service import RecordService
from gongkai_desktop.services.reports.annual import annual_report
from gongkai_desktop.services.reports.figures import figures
from gongkai_desktop.services.reports.monthly import monthly_summary
from gongkai_desktop.services.reports.writers.annual_docx import write_annual_docx
from gongkai_desktop.services.reports.writers.monthly_docx import write_monthly_docx
from gongkai_desktop.services.settings import save_settings

from .work_helpers import Run

YEAR = 2024
MADE_ON = date(2025, 1, 10)

# (date, type, audience, materials)
EVENTS = [
    ("2024-03-12", "普法宣传", 120, 300),
    ("2024-06-05", "六五环境日", 400, 800),
    ("2024-06-20", "入户宣传", 35, 60),
    ("2023-12-30", "普法宣传", 999, 999),  # another year
]
# (date, type, inspector_count, problem_found)
INSPECTIONS = [
    ("2024-01-15", "饮用水水源地巡查", 2, False),
    ("2024-05-02", "排污单位环境安全检查", 3, True),
    ("2024-05-20", "畜禽养殖场巡查", 2, False),
    ("2024-11-08", "饮用水水源地巡查", 4, True),
    ("2025-01-03", "饮用水水源地巡查", 9, True),  # another year
]
# (task_no, assigned, deadline, completed)
TASKS = [
    ("JB-001", "2024-02-01", "2024-03-01", "2024-02-25"),
    ("JB-002", "2024-04-10", "2024-04-30", None),  # overdue at every later month end
    ("JB-003", "2024-05-06", "2024-06-30", None),  # open, in time in May
]


def _mm(length: Length | None) -> float:
    assert length is not None
    return length.mm


@pytest.fixture
def data(ctx: AppContext, records: RecordService) -> AppContext:
    save_settings(
        ctx,
        {
            "unit_name": "龙河镇人民政府",
            "township": "龙河镇",
            "addressee": "县委、县政府",
            "filler": "张三",
            "reviewer": "李四",
            "phone": "023-70000000",
        },
    )
    for n, (day, kind, audience, materials) in enumerate(EVENTS):
        records.create(
            "outreach_event",
            {
                "event_date": day,
                "name": f"宣传活动{n}",
                "event_type": kind,
                "audience_count": audience,
                "materials": materials,
                "staff_count": 5,
            },
        )
    for day, kind, count, problem in INSPECTIONS:
        values: dict[str, Any] = {
            "inspection_date": day,
            "inspection_type": kind,
            "inspectors": "张三、李四",
            "inspector_count": count,
            "problem_found": problem,
        }
        if problem:
            values["problem_description"] = "发现问题"
        records.create("inspection", values)
    for task_no, assigned, deadline, completed in TASKS:
        view = records.create(
            "rectification_task",
            {
                "task_no": task_no,
                "source": "12369",
                "assigned_date": assigned,
                "description": f"{task_no}问题",
                "deadline": deadline,
                "status": "正在办理",
            },
        )
        if completed:
            records.update(view.id, {"status": "已办结", "completed_date": completed})
    return ctx


def in_year(day: str) -> bool:
    return day.startswith(f"{YEAR}-")


def in_month(day: str, month: int) -> bool:
    return day.startswith(f"{YEAR}-{month:02d}-")


# ---- reading the .docx back -----------------------------------------------------------
def body_paragraphs(doc: DocxDocument) -> list[Paragraph]:
    return [p for p in doc.paragraphs if p.text.strip()]


def fonts_of(run: Any) -> dict[str, str | None]:
    rfonts = run._r.rPr.rFonts
    return {slot: rfonts.get(qn(f"w:{slot}")) for slot in ("ascii", "hAnsi", "eastAsia")}


def run_size(run: Any) -> float:
    return run.font.size.pt


def paragraph_with(doc: DocxDocument, text: str) -> Paragraph:
    found = [p for p in doc.paragraphs if p.text.strip() == text]
    assert found, f"no paragraph {text!r}"
    return found[0]


def table_cells(table: Any) -> list[list[str]]:
    """Cell texts; a header may hold a line break before its unit ("受众\n（人次）")."""
    return [[cell.text.replace("\n", "") for cell in row.cells] for row in table.rows]


def footer_xml(footer: Any) -> str:
    return footer._element.xml


@pytest.fixture
def annual_file(data: AppContext, tmp_path: Path) -> tuple[Path, Any]:
    report = annual_report(data, YEAR, today=MADE_ON)
    path = tmp_path / "年度报告.docx"
    write_annual_docx(report, path)
    return path, report


# ---- annual report ----------------------------------------------------------------------
def test_annual_page_setup_and_footers(annual_file: tuple[Path, Any]) -> None:
    path, _report = annual_file
    doc = Document(str(path))
    section = doc.sections[0]
    for got, want in (
        (section.page_width, 210),
        (section.page_height, 297),
        (section.top_margin, 37),
        (section.bottom_margin, 35),
        (section.left_margin, 28),
        (section.right_margin, 26),
    ):
        assert abs(_mm(got) - want) <= 0.5
    assert doc.settings.odd_and_even_pages_header_footer
    for footer, align in (
        (section.footer, WD_PARAGRAPH_ALIGNMENT.RIGHT),
        (section.even_page_footer, WD_PARAGRAPH_ALIGNMENT.LEFT),
    ):
        xml = footer_xml(footer)
        assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
        instr = [e.text for e in footer._element.iter(qn("w:instrText"))]
        assert [t.strip() for t in instr] == ["PAGE"]
        paragraph = footer.paragraphs[0]
        assert paragraph.alignment == align
        assert re.fullmatch(r"— 1 —", paragraph.text)
        # one character (4号 = 14 pt) in from the edge, on the outer side
        indent = paragraph.paragraph_format.right_indent or paragraph.paragraph_format.left_indent
        assert indent is not None and abs(indent.pt - 14) < 0.1
        sizes = {run_size(r) for r in paragraph.runs if r.text}
        assert sizes == {14.0}
        assert {fonts_of(r)["eastAsia"] for r in paragraph.runs} == {"宋体"}


def test_annual_fonts_sizes_and_spacing(annual_file: tuple[Path, Any]) -> None:
    path, report = annual_file
    doc = Document(str(path))
    assert doc.core_properties.title == report.title
    paragraphs = body_paragraphs(doc)
    title = paragraphs[0]
    assert title.text.replace("\n", "") == report.title
    assert title.alignment == WD_PARAGRAPH_ALIGNMENT.CENTER
    for run in title.runs:
        assert run_size(run) == 22.0
        assert fonts_of(run)["eastAsia"] == "方正小标宋简体"
        assert fonts_of(run)["ascii"] == "方正小标宋简体"

    addressee = paragraph_with(doc, "县委、县政府：")
    fmt = addressee.paragraph_format
    assert not fmt.first_line_indent and addressee.alignment != WD_PARAGRAPH_ALIGNMENT.CENTER

    kinds = {b.text: b.kind for b in report.blocks}
    seen = {"heading1": 0, "heading2": 0, "paragraph": 0}
    for paragraph in paragraphs:
        kind = kinds.get(paragraph.text)
        if kind is None:
            continue
        seen[kind] += 1
        fmt = paragraph.paragraph_format
        assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY
        assert 28.9 <= fmt.line_spacing.pt <= 29.0
        assert abs(fmt.first_line_indent.pt - 32) < 0.1  # two 3号 characters
        ind = paragraph._p.pPr.find(qn("w:ind"))
        assert ind.get(qn("w:firstLineChars")) == "200"
        want = {"heading1": "黑体", "heading2": "楷体", "paragraph": "仿宋"}[kind]
        runs = paragraph.runs
        if kind == "paragraph" and re.match(r"（[一二三四五六七八九十]）", paragraph.text):
            # a plan paragraph opening with a （一） sentence: that sentence in 楷体
            head = paragraph.text.split("。")[0] + "。"
            assert runs[0].text == head
            assert set(fonts_of(runs[0]).values()) == {"楷体"}
            runs = runs[1:]
        for run in runs:
            assert run_size(run) == 16.0
            assert set(fonts_of(run).values()) == {want}, paragraph.text
        for run in paragraph.runs:
            assert run.font.color.rgb is not None and str(run.font.color.rgb) == "000000"
    assert seen["heading1"] == 3 and seen["heading2"] == 3 and seen["paragraph"] >= 5


def test_annual_signature_and_appendix_note(annual_file: tuple[Path, Any]) -> None:
    path, report = annual_file
    doc = Document(str(path))
    unit = paragraph_with(doc, "龙河镇人民政府")
    made_on = paragraph_with(doc, "2025年1月10日")
    assert report.made_on_text == "2025年1月10日"
    for paragraph in (unit, made_on):
        assert paragraph.alignment == WD_PARAGRAPH_ALIGNMENT.RIGHT
    # 成文日期 four characters in from the right; the unit centred over it
    assert abs(made_on.paragraph_format.right_indent.pt - 64) < 0.1
    assert unit.paragraph_format.right_indent.pt < made_on.paragraph_format.right_indent.pt
    note = paragraph_with(doc, f"附件：{YEAR}年各月生态环境保护工作情况统计表")
    texts = [p.text for p in doc.paragraphs]
    assert texts.index(note.text) < texts.index(unit.text) < texts.index(made_on.text)
    label = paragraph_with(doc, "附件")
    assert set(fonts_of(label.runs[0]).values()) == {"黑体"}
    # the appendix starts on a new page: the break is the 附件 heading's own property,
    # so no paragraph holding only a break can be left alone on a page after the date
    assert label.paragraph_format.page_break_before is True
    assert 'w:type="page"' not in doc.element.body.xml
    assert texts.index(label.text) == texts.index(made_on.text) + 1


def test_annual_appendix_equals_figures(annual_file: tuple[Path, Any], data: AppContext) -> None:
    path, _report = annual_file
    doc = Document(str(path))
    assert len(doc.tables) == 1
    table = doc.tables[0]
    cells = table_cells(table)
    assert len(cells) == 1 + 12 + 1 and len(cells[0]) == 10
    assert cells[0][0] == "月份"
    for month in range(1, 13):
        row = cells[month]
        assert row[0] == f"{month}月"
        f = figures(data, parse_period(f"{YEAR}-{month:02d}"))
        want = [
            f["outreach"]["events"],
            f["outreach"]["audience"],
            f["outreach"]["materials"],
            f["inspections"]["total"],
            f["inspections"]["inspectors"],
            f["inspections"]["problems_found"],
            f["rectification"]["new"],
            f["rectification"]["completed"],
            f["rectification"]["in_progress"],
        ]
        assert row[1:] == [str(n) for n in want]
        # and against the test's own count
        assert row[1] == str(sum(1 for e in EVENTS if in_month(e[0], month)))
        assert row[4] == str(sum(1 for i in INSPECTIONS if in_month(i[0], month)))
    total = cells[13]
    assert total[0] == "全年"
    assert total[1] == str(sum(1 for e in EVENTS if in_year(e[0])))
    assert total[2] == str(sum(e[2] for e in EVENTS if in_year(e[0])))
    assert total[3] == str(sum(e[3] for e in EVENTS if in_year(e[0])))
    assert total[4] == str(sum(1 for i in INSPECTIONS if in_year(i[0])))
    assert total[5] == str(sum(i[2] for i in INSPECTIONS if in_year(i[0])))
    assert total[6] == str(sum(1 for i in INSPECTIONS if in_year(i[0]) and i[3]))
    assert total[7] == str(len(TASKS))
    assert total[9] == str(sum(1 for t in TASKS if t[3] is None))
    # the 全年 row is bold, the header repeats on each page, rows are not split
    assert all(r.font.bold for c in table.rows[13].cells for r in c.paragraphs[0].runs)
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None and borders.find(qn("w:insideV")).get(qn("w:val")) == "single"
    widths = [c.width for c in table.rows[0].cells]
    assert abs(sum(w.mm for w in widths) - 156) < 1  # fits the 版心


def test_annual_text_numbers_equal_figures(annual_file: tuple[Path, Any]) -> None:
    path, report = annual_file
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    events = sum(1 for e in EVENTS if in_year(e[0]))
    checks = sum(1 for i in INSPECTIONS if in_year(i[0]))
    assert report.figures["outreach"]["events"] == events
    assert report.figures["inspections"]["total"] == checks
    assert f"全年开展生态环境保护宣传活动{events}次" in text
    assert f"全年开展各类巡查检查{checks}次" in text
    assert f"受众约{sum(e[2] for e in EVENTS if in_year(e[0]))}人次" in text
    assert f"全年新增整改任务{len(TASKS)}项" in text
    assert f"办结{sum(1 for t in TASKS if t[3])}项" in text


def test_font_table_declares_fallbacks(annual_file: tuple[Path, Any]) -> None:
    path, _report = annual_file
    doc = Document(str(path))
    from docx.opc.constants import RELATIONSHIP_TYPE

    xml = doc.part.part_related_by(RELATIONSHIP_TYPE.FONT_TABLE).blob.decode("utf-8")
    for name in ("方正小标宋简体", "仿宋", "黑体", "楷体", "宋体"):
        assert f'w:name="{name}"' in xml
    assert re.search(r'w:name="方正小标宋简体">\s*<w:altName w:val="宋体"/>', xml)
    styles = doc.styles.element.xml
    assert "minorEastAsia" not in styles.split("</w:docDefaults>")[0]


# ---- monthly summary ---------------------------------------------------------------------
def test_monthly_docx_tables_and_overdue(data: AppContext, tmp_path: Path) -> None:
    summary = monthly_summary(data, parse_period("2024-06"), today=MADE_ON)
    path = tmp_path / "月度小结.docx"
    write_monthly_docx(summary, path)
    doc = Document(str(path))
    assert doc.core_properties.title == summary.title
    assert abs(_mm(doc.sections[0].page_width) - 210) <= 0.5
    texts = [p.text for p in doc.paragraphs]
    assert summary.title in texts and summary.unit in texts
    for paragraph in summary.paragraphs:
        assert paragraph in texts
    for table in summary.tables:
        assert table.caption in texts
    assert len(doc.tables) == len(summary.tables) == 5
    for want, got in zip(summary.tables, doc.tables, strict=True):
        cells = table_cells(got)
        assert cells[0] == list(want.headers)
        if want.rows:
            assert cells[1:] == [[str(v) for v in row] for row in want.rows]
        else:
            assert cells[1] == [want.empty_text] * len(want.headers)  # merged row
    fig = figures(data, parse_period("2024-06"))
    outreach = table_cells(doc.tables[0])[1]
    assert outreach[0] == str(fig["outreach"]["events"]) == "2"
    assert outreach[2] == str(fig["outreach"]["audience"]) == "435"
    rect = table_cells(doc.tables[3])[1]
    assert rect[4] == str(fig["rectification"]["in_progress"]) == "2"
    assert rect[5] == str(fig["rectification"]["overdue"]) == "1"
    # JB-002 (deadline 2024-04-30) is 61 days overdue at 2024-06-30, marked in red
    tasks = doc.tables[4]
    row = next(r for r in tasks.rows if r.cells[1].text == "JB-002")
    status = row.cells[-1]
    assert status.text == "逾期61天"
    run = status.paragraphs[0].runs[0]
    assert str(run.font.color.rgb) == "C00000" and run.font.bold
    in_time = next(r for r in tasks.rows if r.cells[1].text == "JB-003")
    assert str(in_time.cells[-1].paragraphs[0].runs[0].font.color.rgb) == "000000"
    assert any(t.startswith(summary.signature.line()) for t in texts)
    assert any(t.endswith(f"制表日期：{summary.made_on_text}") for t in texts)


# ---- atomic writing and the CLI ---------------------------------------------------------
def test_failed_write_leaves_existing_file(
    annual_file: tuple[Path, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, report = annual_file
    before = path.read_bytes()

    def broken_save(self: Any, target: Any) -> None:
        target.write(b"PK half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(official_docx.OfficialDocument, "save", broken_save)
    with pytest.raises(ExportError, match="磁盘空间不足"):
        write_annual_docx(report, path)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".~")] == []


def test_cli_writes_both_reports(data: AppContext, run: Run, tmp_path: Path) -> None:
    annual = tmp_path / "annual.docx"
    code, out, err = run("report", "annual", "--year", str(YEAR), "--out", str(annual))
    assert (code, err) == (0, ""), err
    assert str(annual) in out
    doc = Document(str(annual))
    assert doc.core_properties.title == f"龙河镇人民政府关于{YEAR}年度生态环境保护工作情况的报告"
    assert len(doc.tables) == 1 and len(doc.tables[0].rows) == 14
    monthly = tmp_path / "monthly.docx"
    code, out, err = run("report", "monthly", "--period", f"{YEAR}-06", "--out", str(monthly))
    assert (code, err) == (0, ""), err
    assert str(monthly) in out
    assert len(Document(str(monthly)).tables) == 5


# ---- writer pieces -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "title",
    [
        "龙河镇人民政府关于2024年度生态环境保护工作情况的报告",
        "中共丰都县许明寺镇委员会丰都县许明寺镇人民政府关于2023年度生态环境保护工作开展情况的报告",
        "关于进一步加强乡镇饮用水水源地保护和农村生活污水治理工作的通知",
        "短标题",
    ],
)
def test_title_lines(title: str) -> None:
    lines = official_docx.title_lines(title, 20)
    assert "".join(lines) == title
    assert all(official_docx.text_width(line) <= 20 for line in lines)
    assert len(lines) == 1 or all(official_docx.text_width(line) >= 4 for line in lines)
    before = title.split("关于")[0]
    if before and official_docx.text_width(before) <= 20:  # the unit alone on line 1
        assert lines[0] == before


def test_column_widths_fill_the_line() -> None:
    table = ReportTable(
        caption="t",
        headers=("序号", "问题", "整改时限", "状态"),
        rows=((1, "问题" * 30, "2024年12月31日", "逾期100天"),),
        widths=(1, 6, 3, 2),
    )
    widths = official_docx.column_widths(table, 8845, 10.5)
    assert abs(sum(widths) - 8845) <= len(widths)
    # the date and the status fit on one line at 五号
    room = [(w - 2 * official_docx.CELL_MARGIN_TWIPS) / 20 for w in widths]
    assert room[2] >= official_docx.text_width("2024年12月31日") * 10.5
    assert room[3] >= official_docx.text_width("逾期100天") * 10.5


def test_table_with_merged_cells() -> None:
    """A table with header levels and row labels over several rows: merged cells, the
    header rows repeat, widths in the given ratio, numbers in their format."""
    table = ReportTable(
        caption="",
        headers=(),
        header_rows=((TableCell("项目", rows=2), TableCell("数量", cols=2)), ("本年", "上年")),
        rows=(
            (TableCell("合计", rows=2), 0, TableCell(1.5, number_format="0.00")),
            (2, 3),
        ),
        widths=(50, 25, 25),
    )
    doc = official_docx.OfficialDocument()
    grid = doc.table(table, bold=False, line_pt=11.5)
    assert (len(grid.rows), len(grid.columns)) == (4, 3)
    assert grid.cell(1, 0).text == "项目" and grid.cell(0, 2).text == "数量"
    assert [c.text for c in grid.rows[2].cells] == ["合计", "0", "1.50"]
    assert [c.text for c in grid.rows[3].cells] == ["合计", "2", "3"]
    assert [r._tr.trPr.find(qn("w:tblHeader")) is not None for r in grid.rows] == [
        True,
        True,
        False,
        False,
    ]
    widths = [c.width for c in grid.columns]
    assert abs(widths[0] / widths[1] - 2) < 0.01 and widths[1] == widths[2]
    runs = [r for row in grid.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert runs and not any(r.font.bold for r in runs)  # one weight, headers included
    spacing = grid.cell(2, 1).paragraphs[0].paragraph_format
    assert spacing.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert spacing.line_spacing.pt == 11.5


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_rendered_pages(annual_file: tuple[Path, Any], data: AppContext, tmp_path: Path) -> None:
    """LibreOffice lays both files out: page numbers "— N —" on every page, the monthly
    summary within two pages."""
    pypdf = pytest.importorskip("pypdf")
    path, _report = annual_file
    monthly = tmp_path / "月度小结.docx"
    write_monthly_docx(monthly_summary(data, parse_period("2024-06")), monthly)
    out = tmp_path / "pdf"
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(path),
            str(monthly),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    annual_pdf = pypdf.PdfReader(out / f"{path.stem}.pdf")
    pages = [page.extract_text() for page in annual_pdf.pages]
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert re.search(rf"—\s*{number}\s*—", text), text[-40:]
    monthly_pdf = pypdf.PdfReader(out / f"{monthly.stem}.pdf")
    assert len(monthly_pdf.pages) <= 2


def test_landscape_section_swaps_the_page(tmp_path: Path) -> None:
    doc = official_docx.OfficialDocument()
    doc.paragraph("正文")
    doc.new_section(landscape=True)
    doc.paragraph("横表")
    path = tmp_path / "x.docx"
    doc.save(path)
    sections = Document(str(path)).sections
    assert abs(_mm(sections[1].page_width) - 297) <= 0.5
    assert abs(_mm(sections[1].page_height) - 210) <= 0.5
    assert abs(_mm(sections[1].top_margin) - 28) <= 0.5  # 订口 on top
    assert sections[1].footer.is_linked_to_previous  # page numbers continue


# Element order the WordprocessingML schema requires (Word refuses files that break it;
# LibreOffice does not mind, so rendering alone would not catch it). Subsets we write.
ORDER = {
    "pPr": ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "widowControl", "tabs",
            "spacing", "ind", "jc", "outlineLvl", "rPr", "sectPr"],
    "rPr": ["rStyle", "rFonts", "b", "bCs", "i", "color", "spacing", "sz", "szCs", "lang"],
    "tblPr": ["tblStyle", "tblW", "jc", "tblBorders", "tblLayout", "tblCellMar", "tblLook"],
    "r": ["rPr"],
    "p": ["pPr"],
}  # fmt: skip


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@pytest.mark.parametrize("kind", ["annual", "monthly"])
def test_schema_element_order(data: AppContext, tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.docx"
    if kind == "annual":
        write_annual_docx(annual_report(data, YEAR, today=MADE_ON), path)
    else:
        write_monthly_docx(monthly_summary(data, parse_period("2024-06")), path)
    doc = Document(str(path))
    section = doc.sections[0]
    roots = [doc.element, section.footer._element, section.even_page_footer._element]
    checked = 0
    for root in roots:
        for element in root.iter():
            order = ORDER.get(_local(element.tag))
            if order is None:
                continue
            names = [_local(child.tag) for child in element]
            if _local(element.tag) in ("r", "p"):
                # the properties element, when present, is the first child
                assert order[0] not in names[1:], f"{element.tag}: {names}"
                continue
            known = [order.index(n) for n in names if n in order]
            assert known == sorted(known), f"{_local(element.tag)}: {names}"
            checked += 1
    assert checked > 100


def test_empty_database_reports(ctx: AppContext, tmp_path: Path) -> None:
    """No settings, no records: both files are still written and say so."""
    annual = tmp_path / "a.docx"
    write_annual_docx(annual_report(ctx, YEAR, today=MADE_ON), annual)
    doc = Document(str(annual))
    texts = [p.text for p in doc.paragraphs]
    assert "本年度未录入生态环境保护工作记录。" in texts and "2025年1月10日" in texts
    assert table_cells(doc.tables[0])[13][1:] == ["0"] * 9
    monthly = tmp_path / "m.docx"
    summary = monthly_summary(ctx, parse_period("2024-05"), today=MADE_ON)
    write_monthly_docx(summary, monthly)
    doc = Document(str(monthly))
    assert table_cells(doc.tables[4])[1] == ["无"] * 6  # one merged row
    # the empty signature line and the date do not fit one line: date on its own
    date_line = paragraph_with(doc, f"制表日期：{summary.made_on_text}")
    assert date_line.alignment == WD_PARAGRAPH_ALIGNMENT.RIGHT
