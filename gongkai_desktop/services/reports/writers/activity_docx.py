"""The activity summary as a Word file in the official-document format (GB/T 9704—2012),
laid out like the theme-day summaries offices write: title, 一、活动主题, 二、活动概况,
三、开展情况 with the figures table, 四、工作成效, 附件：活动图片, the signing unit and
date (kept on one page with the last paragraph), then the appendix on its own pages
(附件 / 活动图片, two photos a page, captions centred under them). Every word comes from ``ActivitySummary``; the page, fonts,
headings, table and signature are ``official_docx.OfficialDocument``'s; this module adds
the photo appendix.

Photos are turned upright as the camera meant (EXIF orientation) and camera-size
images are scaled down before they go into the file, so thirty phone photos do not
make a document of hundreds of megabytes.
"""

from __future__ import annotations

import io
import itertools
import logging
import warnings
from pathlib import Path
from typing import Any, BinaryIO

from docx.enum.text import WD_LINE_SPACING, WD_PARAGRAPH_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt
from PIL import Image, ImageOps

from gongkai_desktop.services.documents.content import Photo, ReportTable
from gongkai_desktop.services.documents.official_docx import (
    CELL_MARGIN_TWIPS,
    TABLE_PT,
    OfficialDocument,
    text_width,
)
from gongkai_desktop.services.io.file_output import write_atomically
from gongkai_desktop.services.reports.activity import ActivitySummary

log = logging.getLogger(__name__)

# photos in the appendix: at most this size, aspect kept; a heading, two photos and two
# captions fit one 225 mm text page
PHOTO_MAX_W, PHOTO_MAX_H = Mm(140), Mm(85)
PHOTOS_PER_PAGE = 2
PHOTO_MAX_PIXELS = 2000  # longer side of the copy put in the file (≈ 360 dpi at 14 cm)

APPENDIX_LABEL, APPENDIX_TITLE = "附件", "活动图片"

CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (up to 99): （一） headings."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return (CN_DIGITS[tens] if tens > 1 else "") + "十" + (CN_DIGITS[ones] if ones else "")


# ---- photos -------------------------------------------------------------------------------


def fit_size(width_px: int, height_px: int) -> tuple[int, int]:
    """EMU size of a photo in the appendix: as large as fits 140 × 85 mm, aspect kept."""
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


# the children of w:pPr that come after w:snapToGrid in the schema's order
_AFTER_SNAP = ("w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:jc")


def _no_grid_snap(paragraph: Any) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    later = [ppr.find(qn(tag)) for tag in _AFTER_SNAP]
    found = [el for el in later if el is not None]
    if found:
        min(found, key=list(ppr).index).addprevious(snap)
    else:
        ppr.append(snap)


def _photo(doc: OfficialDocument, photo: Photo, new_page: bool) -> None:
    try:
        data, width_px, height_px = _upright(Path(photo.path))
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        log.warning("photo %s not put into the activity summary: %s", photo.path, exc)
        doc.paragraph(
            f"（照片无法读取：{photo.caption}）",
            indent=False,
            align=WD_PARAGRAPH_ALIGNMENT.CENTER,
            run_in_headings=False,
        )
        return
    width, height = fit_size(width_px, height_px)
    p = doc.document.add_paragraph()
    p.alignment = WD_PARAGRAPH_ALIGNMENT.CENTER
    fmt = p.paragraph_format
    fmt.first_line_indent = Pt(0)
    fmt.space_before = fmt.space_after = Pt(0)
    # an exact line pitch would crop the picture to one line, and the document grid
    # would round its height up to whole lines (two photos would no longer fit a page)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.keep_with_next = True
    fmt.page_break_before = new_page
    _no_grid_snap(p)
    p.add_run().add_picture(data, width=Emu(width), height=Emu(height))
    caption = doc.paragraph(
        photo.caption, indent=False, align=WD_PARAGRAPH_ALIGNMENT.CENTER, run_in_headings=False
    )
    caption.paragraph_format.space_after = Pt(6)


def _photos(doc: OfficialDocument, photos: tuple[Photo, ...]) -> None:
    """附件 on a new page: "附件" flush left in 黑体, the title, then the photos."""
    label = doc.paragraph(
        APPENDIX_LABEL, indent=False, align=WD_PARAGRAPH_ALIGNMENT.LEFT, font=doc.fonts.heading1
    )
    label.paragraph_format.page_break_before = True
    doc.title(APPENDIX_TITLE)
    for index, photo in enumerate(photos):
        _photo(doc, photo, new_page=index > 0 and index % PHOTOS_PER_PAGE == 0)


# ---- the figures table --------------------------------------------------------------------

TABLE_SIZES = (TABLE_PT, 9.0, 7.5)  # 五号, 小五, 六号: the first the table fits in
# the columns of text that wrap, and their shares of the room the others leave
TEXT_COLUMNS = {"活动名称": 10, "地点": 8}
MIN_TEXT_CHARS = 5  # each text column keeps room for this many characters a line
# digits and Latin letters: half a character in 仿宋, up to 0.7 of one in the bold
# fallback fonts of LibreOffice/WPS (the 合计 row is bold)
NARROW_ROOM = 0.7
ASIAN_LATIN_GAP = 0.25  # the space Word and LibreOffice add between 月 and 18


def _cell_width(text: str) -> float:
    """Width of a one-line cell in characters, with the room Word adds where Chinese
    meets digits (6月18日 is three such places wider)."""
    wide = [text_width(c) == 1 for c in text]
    gaps = sum(a != b for a, b in itertools.pairwise(wide))
    return sum(1.0 if w else NARROW_ROOM for w in wide) + gaps * ASIAN_LATIN_GAP


def table_layout(table: ReportTable, available: int) -> tuple[float, tuple[int, ...]]:
    """The font size and column widths (twips) of the figures table: every column but
    活动名称 and 地点 as wide as its longest cell or header line, so numbers and dates
    never wrap; the text columns share the rest (and wrap). The first of
    ``TABLE_SIZES`` leaving each text column ``MIN_TEXT_CHARS`` characters is used."""
    padding = 2 * CELL_MARGIN_TWIPS + 40
    text = {i: TEXT_COLUMNS[h] for i, h in enumerate(table.headers) if h in TEXT_COLUMNS}
    for size in TABLE_SIZES:
        widths = []
        for i, header in enumerate(table.headers):
            cells = [str(row[i]) for row in table.rows]
            body = max((_cell_width(c) for c in cells), default=0.0)
            head = max(text_width(line) for line in str(header).split("\n"))
            widths.append(int(max(body, head) * size * 20 + padding))
        room = available - sum(w for i, w in enumerate(widths) if i not in text)
        shares = {i: int(room * weight / sum(text.values())) for i, weight in text.items()}
        narrowest = min(shares.values(), default=0)
        if narrowest >= MIN_TEXT_CHARS * size * 20 + padding or size == TABLE_SIZES[-1]:
            for i, share in shares.items():
                widths[i] = max(share, int(2 * size * 20 + padding))
            return size, tuple(widths)
    raise AssertionError("unreachable: the last size always returns")


# ---- the document -------------------------------------------------------------------------


def build_activity_document(summary: ActivitySummary) -> OfficialDocument:
    """Title (broken only where a phrase ends), 一、活动主题, 二、活动概况 (the totals, said
    once), 三、开展情况 (each event, the figures table), 四、工作成效, 附件说明, then the
    unit once, as 署名, with the 成文日期; the photo appendix on pages of its own."""
    doc = OfficialDocument()
    doc.set_properties(title=summary.title, author=summary.unit)
    doc.title(summary.title, whole_phrases=True)
    doc.blank_line()
    doc.paragraph(summary.intro)
    doc.heading1("一、活动主题")
    for text in summary.theme:
        doc.paragraph(text)
    doc.heading1("二、活动概况")
    for text in summary.overview:
        doc.paragraph(text)
    doc.heading1("三、开展情况")
    many = len(summary.events) > 1
    for n, event in enumerate(summary.events, 1):
        if many:
            doc.heading2(f"（{cn_number(n)}）{event.heading or '宣传活动'}")
        doc.paragraph(event.paragraph)
    size, widths = table_layout(summary.table, doc.text_width_twips)
    doc.table(summary.table, font_size=size, widths=widths)
    doc.heading1("四、工作成效")
    for text in summary.description:
        last = doc.paragraph(text)
    if summary.photos:  # 附件说明: one blank line under the body, two characters in
        # the last paragraph goes with 附件说明 and the signature (signature() keeps
        # the paragraph right before it)
        last.paragraph_format.keep_with_next = True
        doc.blank_line().paragraph_format.keep_with_next = True
        doc.paragraph(f"{APPENDIX_LABEL}：{APPENDIX_TITLE}", run_in_headings=False)
    doc.signature(summary.unit, summary.made_on_text)
    if summary.photos:
        _photos(doc, summary.photos)
    return doc


def write_activity_docx(summary: ActivitySummary, path: Path | str) -> None:
    """Write the summary to ``path`` (.docx) atomically: a failed write leaves any
    earlier file as it was."""
    doc = build_activity_document(summary)

    def save(handle: BinaryIO) -> None:
        doc.save(handle)

    write_atomically(Path(path), save)
