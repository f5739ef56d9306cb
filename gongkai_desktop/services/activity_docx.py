"""The activity summary as a Word file in the official-document format (GB/T 9704—2012,
DOMAIN §4), laid out like sample 01: title, 一、活动概况, 二、开展情况, 三、工作成效 with
the figures table, 四、活动图片 (two photos a page, captions centred under them), then
the signing unit and date. Every word comes from ``ActivitySummary``; this module only
lays it out.

Photos are turned upright as the camera meant (EXIF orientation) and camera-size
images are scaled down before they go into the file, so thirty phone photos do not
make a document of hundreds of megabytes.
"""

from __future__ import annotations

import io
import logging
import warnings
from pathlib import Path
from typing import Any, BinaryIO

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK, WD_LINE_SPACING, WD_PARAGRAPH_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt
from PIL import Image, ImageOps

from gongkai_desktop.services.file_output import write_atomically
from gongkai_desktop.services.report_activity import ActivitySummary
from gongkai_desktop.services.report_content import Photo, ReportTable

log = logging.getLogger(__name__)

# GB/T 9704: A4, 天头 37 mm, 订口 28 mm → 版心 156 × 225 mm
PAGE_W, PAGE_H = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
TEXT_WIDTH = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT
BODY_PT, TITLE_PT, PAGE_NO_PT, TABLE_PT = 16, 22, 14, 10.5
LINE_PITCH = Pt(29)  # 225 mm / 22 lines
FANGSONG, KAITI, HEITI, SONGTI = "仿宋", "楷体", "黑体", "宋体"
TITLE_FONT = "方正小标宋简体"  # commercial; Word substitutes when it is missing

# photos in the appendix: at most this size, aspect kept; two fit one 225 mm text page
PHOTO_MAX_W, PHOTO_MAX_H = Mm(140), Mm(90)
PHOTOS_PER_PAGE = 2
PHOTO_MAX_PIXELS = 2000  # longer side of the copy put in the file (≈ 360 dpi at 14 cm)

CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (up to 99): （一） headings."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return (CN_DIGITS[tens] if tens > 1 else "") + "十" + (CN_DIGITS[ones] if ones else "")


# ---- low-level formatting -----------------------------------------------------------------


def _font(run: Any, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), name)


def _exact(paragraph: Any, pitch: Any = LINE_PITCH) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = pitch
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)


def _paragraph(
    doc: Any,
    text: str,
    font: str = FANGSONG,
    size: float = BODY_PT,
    indent: bool = True,
    align: Any = WD_PARAGRAPH_ALIGNMENT.JUSTIFY,
    bold: bool = False,
) -> Any:
    p = doc.add_paragraph()
    _exact(p)
    p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    if text:
        _font(p.add_run(text), font, size, bold)
    return p


def _page_number_footer(footer: Any, align: Any) -> None:
    """“— 1 —”: 4号宋体, one character in from the outer edge (odd right, even left)."""
    p = footer.paragraphs[0]
    p.alignment = align
    indent = Pt(PAGE_NO_PT)
    if align == WD_PARAGRAPH_ALIGNMENT.RIGHT:
        p.paragraph_format.right_indent = indent
    else:
        p.paragraph_format.left_indent = indent
    _font(p.add_run("— "), SONGTI, PAGE_NO_PT)
    run = p.add_run()
    _font(run, SONGTI, PAGE_NO_PT)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            if kind == "separate":
                run._r.append(el)
                number = OxmlElement("w:t")
                number.text = "1"
                run._r.append(number)
                continue
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    _font(p.add_run(" —"), SONGTI, PAGE_NO_PT)


def _page_setup(doc: Any) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_W, PAGE_H
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    # the number's dash line sits 7 mm below the text block
    section.footer_distance = MARGIN_BOTTOM - Mm(7) - Pt(PAGE_NO_PT)
    section.header_distance = Mm(15)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number_footer(section.footer, WD_PARAGRAPH_ALIGNMENT.RIGHT)
    _page_number_footer(section.even_page_footer, WD_PARAGRAPH_ALIGNMENT.LEFT)
    normal = doc.styles["Normal"]
    normal.font.name = FANGSONG
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)


def _title(doc: Any, lines: list[str]) -> None:
    for line in lines:
        p = _paragraph(
            doc, line, TITLE_FONT, TITLE_PT, indent=False, align=WD_PARAGRAPH_ALIGNMENT.CENTER
        )
        _exact(p, Pt(35))
    _paragraph(doc, "", indent=False)  # one empty line under the title


def _heading1(doc: Any, text: str) -> Any:
    p = _paragraph(doc, text, HEITI)
    p.paragraph_format.keep_with_next = True
    return p


def _heading2(doc: Any, text: str) -> Any:
    p = _paragraph(doc, text, KAITI)
    p.paragraph_format.keep_with_next = True
    return p


def _cell_text(cell: Any, text: str, bold: bool = False, align: Any = None) -> None:
    p = cell.paragraphs[0]
    p.alignment = align if align is not None else WD_PARAGRAPH_ALIGNMENT.CENTER
    p.paragraph_format.space_before = Pt(0)
    p.paragraph_format.space_after = Pt(0)
    _font(p.add_run(text), FANGSONG, TABLE_PT, bold)


def _cell_margins(grid: Any, margin: Any) -> None:
    """Narrow left/right cell margins: more digits fit a narrow figure column."""
    props = grid._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(margin.twips))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    props.append(margins)


def _table(doc: Any, table: ReportTable) -> None:
    caption = _paragraph(
        doc, table.caption, indent=False, align=WD_PARAGRAPH_ALIGNMENT.CENTER, bold=True
    )
    caption.paragraph_format.keep_with_next = True
    grid = doc.add_table(rows=1, cols=len(table.headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    _cell_margins(grid, Mm(1))
    widths = table.widths or tuple(1 for _ in table.headers)
    unit = int(TEXT_WIDTH) // sum(widths)
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = Emu(unit * width)  # the grid: what LibreOffice and WPS lay out by
    for cell, header, width in zip(grid.rows[0].cells, table.headers, widths, strict=True):
        cell.width = Emu(unit * width)
        _cell_text(cell, header, bold=True)
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on a following page
    grid.rows[0]._tr.get_or_add_trPr().append(repeat)
    if not table.rows:
        row = grid.add_row()
        merged = row.cells[0].merge(row.cells[-1])
        _cell_text(merged, table.empty_text)
    last = len(table.rows) - 1
    for index, values in enumerate(table.rows):
        row = grid.add_row()
        bold = table.total_row and index == last
        for cell, value, width in zip(row.cells, values, widths, strict=True):
            cell.width = Emu(unit * width)
            _cell_text(cell, str(value), bold=bold)
    if table.note:
        _paragraph(doc, table.note, size=TABLE_PT + 1.5, indent=False)


# ---- photos -------------------------------------------------------------------------------


def fit_size(width_px: int, height_px: int) -> tuple[int, int]:
    """EMU size of a photo in the appendix: as large as fits 140 × 90 mm, aspect kept."""
    scale = min(int(PHOTO_MAX_W) / width_px, int(PHOTO_MAX_H) / height_px)
    return int(width_px * scale), int(height_px * scale)


def _upright(path: Path) -> tuple[io.BytesIO, int, int]:
    """The photo turned upright and, if camera-size, scaled down: bytes and pixel size."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(path) as original:
            fmt = original.format
            turned = ImageOps.exif_transpose(original)
            image = turned if turned is not None else original
            if max(image.size) > PHOTO_MAX_PIXELS:
                image = image.copy()
                image.thumbnail((PHOTO_MAX_PIXELS, PHOTO_MAX_PIXELS), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            if fmt == "PNG":
                image.save(out, "PNG")
            else:
                image.convert("RGB").save(out, "JPEG", quality=88)
            size = image.size
    out.seek(0)
    return out, size[0], size[1]


def _photo(doc: Any, photo: Photo) -> None:
    try:
        data, width_px, height_px = _upright(Path(photo.path))
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        log.warning("photo %s not put into the activity summary: %s", photo.path, exc)
        _paragraph(
            doc,
            f"（照片无法读取：{photo.caption}）",
            indent=False,
            align=WD_PARAGRAPH_ALIGNMENT.CENTER,
        )
        return
    width, height = fit_size(width_px, height_px)
    p = doc.add_paragraph()
    p.alignment = WD_PARAGRAPH_ALIGNMENT.CENTER
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(6), Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE  # an exact pitch would crop the picture
    fmt.keep_with_next = True
    p.add_run().add_picture(data, width=Emu(width), height=Emu(height))
    caption = _paragraph(doc, photo.caption, indent=False, align=WD_PARAGRAPH_ALIGNMENT.CENTER)
    caption.paragraph_format.space_after = Pt(6)


def _photos(doc: Any, photos: tuple[Photo, ...], heading: str) -> None:
    first = _heading1(doc, heading)
    first.paragraph_format.page_break_before = True
    for index, photo in enumerate(photos):
        if index and index % PHOTOS_PER_PAGE == 0:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _photo(doc, photo)


# ---- the document -------------------------------------------------------------------------


def _signature(doc: Any, unit: str, made_on: str) -> None:
    _paragraph(doc, "", indent=False)
    for line in (unit, made_on):
        if line:
            p = _paragraph(doc, line, indent=False, align=WD_PARAGRAPH_ALIGNMENT.RIGHT)
            p.paragraph_format.right_indent = Pt(BODY_PT * 2)
            p.paragraph_format.keep_with_next = True


def build_activity_document(summary: ActivitySummary) -> Any:
    doc = Document()
    _page_setup(doc)
    _title(doc, [line for line in (summary.unit, summary.title) if line])
    _paragraph(doc, summary.intro)
    _heading1(doc, "一、活动概况")
    for text in summary.overview:
        _paragraph(doc, text)
    _heading1(doc, "二、开展情况")
    _paragraph(doc, summary.figures_sentence)
    many = len(summary.events) > 1
    for n, event in enumerate(summary.events, 1):
        if many:
            _heading2(doc, f"（{cn_number(n)}）{event.name or '宣传活动'}")
        _paragraph(doc, event.paragraph)
    _heading1(doc, "三、工作成效")
    for text in summary.description:
        _paragraph(doc, text)
    _table(doc, summary.table)
    if summary.photos:
        _photos(doc, summary.photos, "四、活动图片")
    _signature(doc, summary.unit, summary.made_on_text)
    return doc


def write_activity_docx(summary: ActivitySummary, path: Path | str) -> None:
    """Write the summary to ``path`` (.docx) atomically: a failed write leaves any
    earlier file as it was."""
    doc = build_activity_document(summary)

    def save(handle: BinaryIO) -> None:
        doc.save(handle)

    write_atomically(Path(path), save)
